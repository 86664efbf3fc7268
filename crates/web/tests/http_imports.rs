//! 导入 and 批量发货 over HTTP: a generated Taobao export with broken rows uploaded as multipart (the
//! summary, every rejected row with its line and reason, the rejected rows as CSV in the file's own
//! columns), the same upload again changing nothing, unknown merchant codes mapped to a SKU, who may
//! import what, the form token, the API, and bulk shipping with good and bad lines.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::Utc;
use common::*;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde_json::Value;
use zhanggui_app::Actor;
use zhanggui_app::domain::{Money, TradeStatus};
use zhanggui_app::formats::fixtures::taobao::{TaobaoFiles, taobao_orders};
use zhanggui_app::formats::fixtures::{Encoding, Options};
use zhanggui_app::trading::{LineInput, TradeInput};

/// The text of the element with this id (its first text node run, tags dropped).
fn text_of_id(html: &str, id: &str) -> String {
    let marker = format!("id=\"{id}\"");
    let start = html.find(&marker).unwrap_or_else(|| panic!("#{id} in the page"));
    let rest = &html[start..];
    let open_end = rest.find('>').unwrap() + 1;
    let rest = &rest[open_end..];
    let mut out = String::new();
    let mut in_tag = false;
    for ch in rest.chars() {
        match ch {
            '<' if !out.trim().is_empty() => break,
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.trim().to_string()
}

fn count_of(html: &str, id: &str) -> usize {
    text_of_id(html, id).parse().unwrap_or_else(|_| panic!("#{id} is a number: {}", text_of_id(html, id)))
}

/// Scratch folders of this process's uploads still on disk that hold a file of one of these names
/// (tests run side by side, each uploading files of its own names).
fn upload_folders_left(names: &[&str]) -> Vec<String> {
    let prefix = format!("zhanggui-upload-{}-", std::process::id());
    std::fs::read_dir(std::env::temp_dir())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
        .filter(|e| {
            std::fs::read_dir(e.path())
                .into_iter()
                .flatten()
                .flatten()
                .any(|part| names.iter().any(|n| part.path().join(n).exists()))
        })
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect()
}

fn sample() -> TaobaoFiles {
    let mut rng = ChaCha8Rng::seed_from_u64(2401);
    let files = taobao_orders(&mut rng, 40, &Options::csv(Encoding::Gbk));
    assert!(!files.truth.order_errors.is_empty(), "the sample has broken rows");
    files
}

async fn shop_id(s: &Server) -> String {
    let actor = Actor { company_id: s.company_id, user: "setup".into() };
    s.app.shops(&actor).await.unwrap()[0].id.to_string()
}

#[tokio::test]
async fn a_taobao_export_is_imported_with_its_rejected_rows() {
    let s = Server::start().await;
    let b = login(&s, "admin", ADMIN_PASSWORD).await;
    let files = sample();
    let truth = &files.truth;
    let shop = shop_id(&s).await;
    let parts: Vec<Part> = vec![
        ("csrf", None, b.csrf.as_bytes()),
        ("kind", None, b"taobao-orders"),
        ("shop", None, shop.as_bytes()),
        ("file", Some("ExportOrderList.csv"), &files.orders),
        ("lines", Some("ExportOrderDetailList.csv"), &files.lines),
    ];
    let r = post_multipart(&s, "/imports", &b.cookie, &parts).await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    let location = r.headers()["location"].to_str().unwrap().to_string();
    assert!(location.starts_with("/imports?result="), "{location}");
    let mine = ["ExportOrderList.csv", "ExportOrderDetailList.csv"];
    assert!(upload_folders_left(&mine).is_empty(), "the uploaded files are removed: {:?}", upload_folders_left(&mine));

    let (status, html) = get_html(&s, &b, &location).await;
    assert_eq!(status, 200);
    let expected_rejects = truth.order_errors.len() + truth.line_errors.len() + truth.join_errors.len();
    assert_eq!(count_of(&html, "s-records"), truth.orders.len());
    assert_eq!(count_of(&html, "s-inserted"), truth.orders.len());
    assert_eq!(count_of(&html, "s-updated"), 0);
    assert_eq!(count_of(&html, "s-unchanged"), 0);
    assert_eq!(count_of(&html, "s-rejected"), expected_rejects);
    // Every rejected row with its file and line.
    let table = &html[html.find("id=\"rejects\"").expect("the rejects table")..];
    for e in &truth.order_errors {
        let row = format!("<td>ExportOrderList.csv</td><td class=\"num\">{}</td>", e.line);
        assert!(table.contains(&row), "line {} of the order report is listed", e.line);
    }
    for e in truth.line_errors.iter().chain(&truth.join_errors) {
        let row = format!("<td>ExportOrderDetailList.csv</td><td class=\"num\">{}</td>", e.line);
        assert!(table.contains(&row), "line {} of the line report is listed", e.line);
    }
    assert_eq!(table.matches("<tr><td>Export").count(), expected_rejects);
    // The lines' merchant codes are no SKU of this shop: they are listed to map.
    assert!(html.contains("id=\"s-unmatched\""), "unmatched lines are counted");
    let unmatched = &html[html.find("id=\"unmatched-codes\"").unwrap()..];
    let code =
        truth.orders.iter().flat_map(|o| &o.lines).map(|l| l.outer_sku_id.clone()).find(|c| !c.is_empty()).unwrap();
    assert!(unmatched.contains(&format!("name=\"code\" value=\"{code}\"")), "{code} is offered for mapping");

    // In English too.
    let english = Browser { cookie: format!("zg_lang=en; {}", b.cookie), csrf: b.csrf.clone() };
    let (_, en) = get_html(&s, &english, &location).await;
    assert!(
        en.contains("Rejected rows")
            && en.contains("Download the rejected rows")
            && en.contains("Unknown merchant codes")
    );

    // The rejected rows download in the file's own columns, the reason last.
    let link = "/imports/";
    let start = html.find("id=\"rejects-download-0\"").expect("a download link");
    let href_at = html[..start].rfind("href=\"").unwrap() + 6;
    let href = html[href_at..].split('"').next().unwrap().to_string();
    assert!(href.starts_with(link) && href.ends_with("/rejects/0"), "{href}");
    let r = get(&s, &b, &href).await;
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let disposition = r.headers()["content-disposition"].to_str().unwrap().to_string();
    assert!(disposition.starts_with("attachment;") && disposition.contains("filename*=UTF-8''"), "{disposition}");
    let csv = String::from_utf8(r.bytes().await.unwrap().to_vec()).unwrap();
    assert!(csv.starts_with('\u{feff}'), "a BOM so Excel reads UTF-8");
    let first = csv.trim_start_matches('\u{feff}').lines().next().unwrap();
    assert!(first.contains("订单编号"), "the header of the file comes first: {first}");
    let order_rejects: Vec<_> = truth.order_errors.iter().collect();
    let data_rows = csv.matches("\r\n").count() - 1;
    assert!(data_rows >= order_rejects.len(), "{data_rows} rows for {} rejects", order_rejects.len());
    // Another user cannot download it.
    let other = login(&s, "yunying", PASSWORD).await;
    let r = get(&s, &other, &href).await;
    assert_eq!(r.status(), 404);
    if truth.line_errors.len() + truth.join_errors.len() > 0 {
        let (status, _) = get_html(&s, &b, &href.replace("/rejects/0", "/rejects/1")).await;
        assert_eq!(status, 200, "the line report's rejected rows download too");
    }

    // The same files again: nothing changes.
    let r = post_multipart(&s, "/imports", &b.cookie, &parts).await;
    assert_eq!(r.status(), 303);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let (_, html) = get_html(&s, &b, &location).await;
    assert_eq!(count_of(&html, "s-inserted"), 0);
    assert_eq!(count_of(&html, "s-updated"), 0);
    assert_eq!(count_of(&html, "s-unchanged"), truth.orders.len());
    assert!(upload_folders_left(&mine).is_empty());

    // Map the unknown code to the shop's SKU: it leaves the list.
    let r =
        post(&s, &b, "/imports/skus/map", &[("csrf", b.csrf.as_str()), ("code", code.as_str()), ("sku", SKU)]).await;
    assert_eq!(r.status(), 303);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let (_, html) = get_html(&s, &b, &location).await;
    assert!(
        text_of_id(&html, "notice").contains(&format!("已把 {code} 对应到 {SKU}")),
        "{}",
        text_of_id(&html, "notice")
    );
    let unmatched = &html[html.find("id=\"unmatched-codes\"").unwrap()..];
    assert!(!unmatched.contains(&format!("name=\"code\" value=\"{code}\"")));
    // An unknown SKU is refused and said so.
    let r = post(
        &s,
        &b,
        "/imports/skus/map",
        &[("csrf", b.csrf.as_str()), ("code", "WHATEVER-01"), ("sku", "NO-SUCH-SKU")],
    )
    .await;
    assert_eq!(r.status(), 404);
    assert!(r.text().await.unwrap().contains("找不到商家编码为 NO-SUCH-SKU 的 SKU"));

    // Each import and the mapping are in the audit log.
    let (_, audit) = get_html(&s, &b, "/settings/audit").await;
    assert_eq!(audit.matches("导入：淘宝/天猫订单报表").count(), 2, "one line per import");
    assert!(audit.contains("ExportOrderList.csv (暖阳旗舰店)"));
    assert!(audit.contains("对应商品编码"));
    s.stop().await;
}

#[tokio::test]
async fn bad_uploads_are_refused_and_change_nothing() {
    let s = Server::start().await;
    let b = login(&s, "admin", ADMIN_PASSWORD).await;
    let files = sample();
    let shop = shop_id(&s).await;
    let actor = Actor { company_id: s.company_id, user: "setup".into() };
    let all = zhanggui_app::store::browse::TradePageFilter { limit: 1000, ..Default::default() };
    let trades_before = s.app.trade_page(&actor, &all).await.unwrap().len();

    // No form token, or another one: refused before anything is read.
    for token in ["", "0123456789abcdef"] {
        let r = post_multipart(
            &s,
            "/imports",
            &b.cookie,
            &[
                ("csrf", None, token.as_bytes()),
                ("kind", None, b"taobao-orders"),
                ("shop", None, shop.as_bytes()),
                ("file", Some("bad-a.csv"), &files.orders),
            ],
        )
        .await;
        assert_eq!(r.status(), 403);
        assert!(r.text().await.unwrap().contains("表单已失效"));
    }
    // The token must come before the file, as a page's form sends it: a file first is not stored.
    let r = post_multipart(
        &s,
        "/imports",
        &b.cookie,
        &[
            ("file", Some("bad-a.csv"), &files.orders),
            ("csrf", None, b.csrf.as_bytes()),
            ("kind", None, b"taobao-orders"),
            ("shop", None, shop.as_bytes()),
        ],
    )
    .await;
    assert_eq!(r.status(), 403);
    // No shop, no file, an unknown kind, a file that is no export: each says what is wrong.
    let cases: Vec<(Vec<Part>, &str)> = vec![
        (
            vec![
                ("csrf", None, b.csrf.as_bytes()),
                ("kind", None, b"taobao-orders"),
                ("file", Some("bad-a.csv"), &files.orders),
            ],
            "请选择文件所属的店铺",
        ),
        (
            vec![("csrf", None, b.csrf.as_bytes()), ("kind", None, b"taobao-orders"), ("shop", None, shop.as_bytes())],
            "请选择要上传的文件",
        ),
        (
            vec![
                ("csrf", None, b.csrf.as_bytes()),
                ("kind", None, b"orders"),
                ("file", Some("bad-a.csv"), &files.orders),
            ],
            "看不懂文件类型",
        ),
        (
            vec![
                ("csrf", None, b.csrf.as_bytes()),
                ("kind", None, b"taobao-orders"),
                ("shop", None, shop.as_bytes()),
                ("file", Some("照片.csv"), "这不是订单报表\n只是随便写的两行字\n".as_bytes()),
            ],
            "照片.csv",
        ),
        (
            vec![
                ("csrf", None, b.csrf.as_bytes()),
                ("kind", None, b"pdd-orders"),
                ("shop", None, shop.as_bytes()),
                ("file", Some("bad-a.csv"), &files.orders),
                ("lines", Some("bad-b.csv"), &files.lines),
            ],
            "只有淘宝/天猫订单报表可以同时上传宝贝报表",
        ),
    ];
    for (parts, message) in cases {
        let r = post_multipart(&s, "/imports", &b.cookie, &parts).await;
        assert_eq!(r.status(), 422, "{message}");
        let html = r.text().await.unwrap();
        assert!(text_of_id(&html, "error").contains(message), "{message}: {}", text_of_id(&html, "error"));
    }
    assert_eq!(s.app.trade_page(&actor, &all).await.unwrap().len(), trades_before);
    assert!(s.app.unmatched_codes(&actor).await.unwrap().is_empty());
    assert!(upload_folders_left(&["bad-a.csv", "bad-b.csv", "照片.csv"]).is_empty());
    s.stop().await;
}

#[tokio::test]
async fn who_may_import_what() {
    let s = Server::start().await;
    let files = sample();
    let shop = shop_id(&s).await;

    // Customer service imports nothing and has no 导入 in the navigation.
    let kefu = login(&s, "kefu", PASSWORD).await;
    let (status, _) = get_html(&s, &kefu, "/imports").await;
    assert_eq!(status, 403);
    let (_, orders) = get_html(&s, &kefu, "/orders").await;
    assert!(!orders.contains("id=\"nav-imports\""));
    let r = post_multipart(
        &s,
        "/imports",
        &kefu.cookie,
        &[
            ("csrf", None, kefu.csrf.as_bytes()),
            ("kind", None, b"taobao-orders"),
            ("shop", None, shop.as_bytes()),
            ("file", Some("ExportOrderList.csv"), &files.orders),
        ],
    )
    .await;
    assert_eq!(r.status(), 403);

    // The warehouse imports the product sheet, not orders.
    let cangku = login(&s, "cangku", PASSWORD).await;
    let (status, page) = get_html(&s, &cangku, "/imports").await;
    assert_eq!(status, 200);
    assert!(page.contains("value=\"products\"") && !page.contains("value=\"taobao-orders\""));
    let r = post_multipart(
        &s,
        "/imports",
        &cangku.cookie,
        &[
            ("csrf", None, cangku.csrf.as_bytes()),
            ("kind", None, b"taobao-orders"),
            ("shop", None, shop.as_bytes()),
            ("file", Some("ExportOrderList.csv"), &files.orders),
        ],
    )
    .await;
    assert_eq!(r.status(), 403);
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    let products = zhanggui_app::formats::fixtures::products::products(&mut rng, &Options::csv(Encoding::Gbk));
    let r = post_multipart(
        &s,
        "/imports",
        &cangku.cookie,
        &[
            ("csrf", None, cangku.csrf.as_bytes()),
            ("kind", None, b"products"),
            ("file", Some("商品资料.csv"), &products.bytes),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let (_, html) = get_html(&s, &cangku, &location).await;
    let done = count_of(&html, "s-inserted") + count_of(&html, "s-updated") + count_of(&html, "s-unchanged");
    assert!(count_of(&html, "s-inserted") > 0);
    assert_eq!(done + count_of(&html, "s-rejected"), products.records.len() + products.errors.len());

    // Operations imports orders through the API too; customer service may not.
    let token = s.token_for("yunying").await;
    let (content_type, body) = multipart(&[
        ("kind", None, b"taobao-orders"),
        ("shop", None, "暖阳旗舰店".as_bytes()),
        ("file", Some("api-orders.csv"), &files.orders),
        ("lines", Some("api-lines.csv"), &files.lines),
    ]);
    let r = client()
        .post(s.url("/api/v1/imports"))
        .bearer_auth(&token)
        .header("content-type", content_type.clone())
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["inserted"].as_u64().unwrap() as usize, files.truth.orders.len());
    assert_eq!(v["rejects"].as_array().unwrap().len(), v["rejected"].as_u64().unwrap() as usize);
    let url = v["rejects_files"][0]["url"].as_str().unwrap().to_string();
    let r = client().get(s.url(&url)).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("订单编号"));
    let r = client().get(s.url("/api/v1/skus/unmatched")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.json::<Value>().await.unwrap()["items"].is_array());
    let code = "TS-OLD-01";
    let r = client()
        .post(s.url("/api/v1/skus/map"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"code": code, "sku": "no-such-sku"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], "not_found");

    let service = s.token_for("kefu").await;
    let r = client()
        .post(s.url("/api/v1/imports"))
        .bearer_auth(&service)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], "forbidden");
    let r =
        client().post(s.url("/api/v1/imports")).bearer_auth(&token).json(&serde_json::json!({})).send().await.unwrap();
    assert_eq!(r.status(), 422, "an import is multipart");
    assert!(upload_folders_left(&["api-orders.csv", "api-lines.csv", "商品资料.csv"]).is_empty());
    s.stop().await;
}

/// A paid trade of one unit of the SKU; returns its order number.
async fn paid_trade(s: &Server, tid: &str) -> String {
    let actor = Actor { company_id: s.company_id, user: "setup".into() };
    let shop = s.app.shops(&actor).await.unwrap()[0].id;
    let now = Utc::now();
    let input = TradeInput {
        shop_id: shop,
        tid: tid.into(),
        buyer_nick: "tb_buyer_88".into(),
        receiver_name: "赵静".into(),
        receiver_address: "江苏省 南京市 鼓楼区 中山路 8 号".into(),
        created_at: now - chrono::Duration::hours(5),
        lines: vec![LineInput { outer_sku_id: SKU.into(), price: Money::from_fen(9900), qty: 1, ..Default::default() }],
        ..Default::default()
    };
    let id = s.app.create_trade(&actor, &input).await.unwrap();
    s.app.pay_trade(&actor, id, now - chrono::Duration::hours(4)).await.unwrap();
    tid.to_string()
}

async fn trade_of(s: &Server, tid: &str) -> zhanggui_app::store::Trade {
    let actor = Actor { company_id: s.company_id, user: "setup".into() };
    s.app.find_trade(&actor, tid).await.unwrap()
}

#[tokio::test]
async fn bulk_shipping_keeps_the_good_lines() {
    let s = Server::start().await;
    let actor = Actor { company_id: s.company_id, user: "setup".into() };
    let second = paid_trade(&s, "2401180002").await;
    let closed = paid_trade(&s, "2401180003").await;
    let closed_id = trade_of(&s, &closed).await.id;
    s.app.close_trade(&actor, closed_id, "买家不想要了", Utc::now()).await.unwrap();
    s.shipped_trade("2401180004", 1).await;

    let cangku = login(&s, "cangku", PASSWORD).await;
    let (status, page) = get_html(&s, &cangku, "/orders/ship-bulk").await;
    assert_eq!(status, 200);
    assert!(page.contains("id=\"bulk-form\""));
    let text = format!(
        "订单编号\t快递公司\t运单号\n{}\t中通快递\t78000012345\n{second} YT8800000001\n2409999999 中通快递 78000099999\n2401180004,中通快递,78000000004\n{closed}\t中通快递\t78000000003\n{second}\n",
        s.tid
    );
    let parts: Vec<Part> = vec![
        ("csrf", None, cangku.csrf.as_bytes()),
        ("carrier", None, "圆通速递".as_bytes()),
        ("lines", None, text.as_bytes()),
    ];
    let r = post_multipart(&s, "/orders/ship-bulk", &cangku.cookie, &parts).await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert_eq!(count_of(&html, "b-shipped"), 2);
    assert_eq!(count_of(&html, "b-refused"), 4);
    assert!(text_of_id(&html, "notice").contains("已发货 2 单，未发货 4 单"));
    assert!(html.contains("找不到订单 2409999999"));
    assert!(html.contains("订单当前状态为「卖家已发货，等待买家确认」，不能发货") || html.contains("不能发货"));
    assert!(html.contains("缺少运单号"));
    // Good lines shipped with their carriers; the default carrier where the line named none.
    let first = trade_of(&s, &s.tid).await;
    assert_eq!(
        (first.status, first.carrier.as_str(), first.tracking_no.as_str()),
        (TradeStatus::WaitBuyerConfirmGoods, "中通快递", "78000012345")
    );
    let t = trade_of(&s, &second).await;
    assert_eq!(
        (t.status, t.carrier.as_str(), t.tracking_no.as_str()),
        (TradeStatus::WaitBuyerConfirmGoods, "圆通速递", "YT8800000001")
    );
    assert_eq!(trade_of(&s, &closed).await.status, TradeStatus::TradeClosed);
    // The refused pasted lines are left to fix; the shipped ones are not.
    let open = html.find("<textarea").unwrap();
    let textarea = &html[open + html[open..].find('>').unwrap()..html.find("</textarea>").unwrap()];
    assert!(textarea.contains("2409999999") && textarea.contains(&closed) && !textarea.contains("78000012345"));
    // Each shipment is in the audit log.
    let admin = login(&s, "admin", ADMIN_PASSWORD).await;
    let (_, audit) = get_html(&s, &admin, "/settings/audit").await;
    assert!(audit.contains("carrier=圆通速递 tracking_no=YT8800000001"));

    // A file with a header, in its own column order.
    let third = paid_trade(&s, "2401180005").await;
    let csv = format!("运单号,订单编号,快递公司\n4310000000005,{third},韵达快递\n");
    let parts: Vec<Part> = vec![
        ("csrf", None, cangku.csrf.as_bytes()),
        ("carrier", None, b""),
        ("lines", None, b""),
        ("file", Some("发货单.csv"), csv.as_bytes()),
    ];
    let r = post_multipart(&s, "/orders/ship-bulk", &cangku.cookie, &parts).await;
    assert_eq!(r.status(), 200);
    assert_eq!(count_of(&r.text().await.unwrap(), "b-shipped"), 1);
    assert_eq!(trade_of(&s, &third).await.carrier, "韵达快递");
    assert!(upload_folders_left(&["发货单.csv"]).is_empty());

    // Nothing to ship, no token, a role that does not ship.
    let r = post_multipart(
        &s,
        "/orders/ship-bulk",
        &cangku.cookie,
        &[("csrf", None, cangku.csrf.as_bytes()), ("lines", None, b"  \n")],
    )
    .await;
    assert_eq!(r.status(), 422);
    let r = post_multipart(&s, "/orders/ship-bulk", &cangku.cookie, &[("lines", None, text.as_bytes())]).await;
    assert_eq!(r.status(), 403);
    let kefu = login(&s, "kefu", PASSWORD).await;
    let (status, _) = get_html(&s, &kefu, "/orders/ship-bulk").await;
    assert_eq!(status, 403);
    let r = post_multipart(
        &s,
        "/orders/ship-bulk",
        &kefu.cookie,
        &[("csrf", None, kefu.csrf.as_bytes()), ("lines", None, text.as_bytes())],
    )
    .await;
    assert_eq!(r.status(), 403);

    // The API: JSON lines, each with its result.
    let fourth = paid_trade(&s, "2401180006").await;
    let token = s.token_for("cangku").await;
    let r = client()
        .post(s.url("/api/v1/orders/ship-bulk"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"carrier": "顺丰速运", "lines": [
            {"order": fourth, "tracking_no": "SF1400000006"},
            {"order": second, "carrier": "中通快递", "tracking_no": "78000000002"},
            {"order": "", "tracking_no": "x"}
        ]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!((v["shipped"].as_u64(), v["refused"].as_u64()), (Some(1), Some(2)));
    assert_eq!(v["results"][0]["shipped"], true);
    assert_eq!(v["results"][1]["code"], "illegal_transition");
    assert_eq!(v["results"][2]["code"], "invalid_input");
    assert_eq!(trade_of(&s, &fourth).await.carrier, "顺丰速运");
    let service = s.token_for("kefu").await;
    let r = client()
        .post(s.url("/api/v1/orders/ship-bulk"))
        .bearer_auth(&service)
        .json(&serde_json::json!({"lines": [{"order": fourth, "carrier": "中通快递", "tracking_no": "1"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    s.stop().await;
}
