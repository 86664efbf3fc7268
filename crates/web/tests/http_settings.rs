//! Settings over HTTP: everyone sees them, only the manager changes them (pages and API), forms need
//! their session's token, a bad time zone is refused and changes nothing while a good one moves the
//! days of the list filters at once; and the lists' 导出 Excel holds exactly the filtered rows of every
//! page, with cost columns only for roles that may see costs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeSet;

use chrono::{TimeZone, Utc};
use common::*;
use serde_json::{Value, json};
use zhanggui_app::Actor;
use zhanggui_app::domain::Money;
use zhanggui_app::setup::StockRules;
use zhanggui_app::trading::{LineInput, TradeInput};

fn actor(s: &Server) -> Actor {
    Actor { company_id: s.company_id, user: "setup".into() }
}

async fn warehouse_codes(s: &Server) -> Vec<String> {
    s.app.warehouses(&actor(s)).await.unwrap().into_iter().map(|w| w.code).collect()
}

async fn audit_len(s: &Server) -> usize {
    s.app.audit_log(&s.manager, 0, 1000).await.unwrap().len()
}

/// The first sheet of a workbook, every cell as text.
fn sheet(bytes: &[u8]) -> Vec<Vec<String>> {
    use calamine::Reader as _;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let name = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&name).unwrap();
    range.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
}

/// A page's HTML with the ampersands of its links as typed.
fn unescape(html: &str) -> String {
    html.replace("&#38;", "&").replace("&amp;", "&")
}

fn column(rows: &[Vec<String>], header: &str) -> Option<usize> {
    rows.first().and_then(|h| h.iter().position(|c| c == header))
}

async fn download(s: &Server, b: &Browser, path: &str) -> Vec<Vec<String>> {
    let r = get(s, b, path).await;
    assert_eq!(r.status(), 200, "{path}");
    let ct = r.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    assert!(ct.contains("spreadsheetml"), "{path}: {ct}");
    let cd = r.headers().get("content-disposition").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    assert!(cd.starts_with("attachment; filename=\"zhanggui-") && cd.ends_with(".xlsx\""), "{cd}");
    sheet(&r.bytes().await.unwrap())
}

#[tokio::test]
async fn only_the_manager_changes_settings_and_every_form_needs_its_token() {
    let s = Server::start().await;
    let admin = login(&s, "admin", ADMIN_PASSWORD).await;
    let kefu = login(&s, "kefu", PASSWORD).await;

    // Customer service sees the settings, without forms.
    for path in ["/settings/shops", "/settings/warehouses", "/settings/thresholds", "/settings/time-zone"] {
        let r = get(&s, &kefu, path).await;
        assert_eq!(r.status(), 200, "{path}");
        let html = r.text().await.unwrap();
        assert!(html.contains("id=\"read-only\"") && !html.contains("method=\"post\" action=\"/settings/"), "{path}");
        assert!(!html.contains("id=\"tab-users\""), "the users tab is the manager's");
    }
    let html = get(&s, &admin, "/settings/warehouses").await.text().await.unwrap();
    assert!(html.contains("id=\"new-warehouse\"") && html.contains("id=\"tab-users\""));
    assert_eq!(get(&s, &kefu, "/settings").await.status(), 303);

    // Customer service posting with its own token: 403, nothing added.
    let before = warehouse_codes(&s).await;
    let log = audit_len(&s).await;
    let form = [("csrf", kefu.csrf.as_str()), ("code", "SH"), ("name", "上海仓"), ("sellable", "1")];
    assert_eq!(post(&s, &kefu, "/settings/warehouses", &form).await.status(), 403);
    // The manager without the form's token, or with another session's: 403, nothing added.
    let r = post(&s, &admin, "/settings/warehouses", &[("code", "SH"), ("name", "上海仓"), ("sellable", "1")]).await;
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("表单已失效"));
    let form = [("csrf", kefu.csrf.as_str()), ("code", "SH"), ("name", "上海仓"), ("sellable", "1")];
    assert_eq!(post(&s, &admin, "/settings/warehouses", &form).await.status(), 403);
    assert_eq!(warehouse_codes(&s).await, before);
    assert_eq!(audit_len(&s).await, log);

    // With it: added, in the audit log.
    let form = [("csrf", admin.csrf.as_str()), ("code", "SH"), ("name", "上海仓"), ("sellable", "1")];
    let r = post(&s, &admin, "/settings/warehouses", &form).await;
    assert_eq!((r.status().as_u16(), location(&r).as_str()), (303, "/settings/warehouses?ok=warehouse_added"));
    assert_eq!(warehouse_codes(&s).await, ["HZ", "GZ", "SH"]);
    let html = get(&s, &admin, "/settings/audit").await.text().await.unwrap();
    assert!(html.contains("新增仓库") && html.contains("code=SH name=上海仓 sellable=yes"));

    // A refused warehouse keeps what was typed and says why next to the field.
    let form = [("csrf", admin.csrf.as_str()), ("code", "sh"), ("name", "上海二仓"), ("sellable", "1")];
    let r = post(&s, &admin, "/settings/warehouses", &form).await;
    assert_eq!(r.status(), 409);
    let html = r.text().await.unwrap();
    assert!(html.contains("value=\"上海二仓\"") && html.contains("class=\"field-error\""), "{html}");

    // A shop's stock rule, changed by the manager only.
    let shop = s.app.shops(&actor(&s)).await.unwrap()[0].clone();
    assert!(!shop.allow_oversell);
    let path = format!("/settings/shops/{}", shop.id);
    let html = get(&s, &admin, &path).await.text().await.unwrap();
    assert!(html.contains("id=\"shop-form\"") && html.contains("value=\"暖阳旗舰店\""));
    let form = |csrf: &str, start: &str| {
        vec![
            ("csrf".to_string(), csrf.to_string()),
            ("name".into(), "暖阳旗舰店".into()),
            ("platform".into(), "taobao".into()),
            ("default_warehouse".into(), "HZ".into()),
            ("allow_oversell".into(), "1".into()),
            ("inventory_start".into(), start.to_string()),
        ]
    };
    let send =
        |b: &Browser, f: Vec<(String, String)>| client().post(s.url(&path)).header("cookie", &b.cookie).form(&f).send();
    assert_eq!(send(&kefu, form(&kefu.csrf, "")).await.unwrap().status(), 403);
    let r = send(&admin, form(&admin.csrf, "去年双十一")).await.unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("库存起始时间：看不懂") && html.contains("value=\"去年双十一\""), "{html}");
    assert!(!s.app.shops(&actor(&s)).await.unwrap()[0].allow_oversell, "refused: nothing changed");
    let r = send(&admin, form(&admin.csrf, "")).await.unwrap();
    assert_eq!((r.status().as_u16(), location(&r).as_str()), (303, "/settings/shops?ok=shop_saved"));
    assert!(s.app.shops(&actor(&s)).await.unwrap()[0].allow_oversell);
    // Saving the form unchanged keeps the stock start time to the second.
    let start = chrono_tz::Asia::Shanghai.with_ymd_and_hms(2024, 6, 1, 8, 0, 37).unwrap().with_timezone(&Utc);
    let rules = StockRules { allow_oversell: true, reserve_unpaid: false, inventory_start_at: Some(start) };
    s.app.set_stock_rules(shop.id, rules).await.unwrap();
    let html = get(&s, &admin, &path).await.text().await.unwrap();
    assert!(html.contains("value=\"2024-06-01 08:00:37\""), "{html}");
    let r = send(&admin, form(&admin.csrf, "2024-06-01 08:00:37")).await.unwrap();
    assert_eq!(location(&r), "/settings/shops?ok=unchanged");

    // Thresholds: a word where a number goes is refused next to its field, and nothing is stored.
    let form = [("csrf", admin.csrf.as_str()), ("shop", "0"), ("alert_days_hot", "二十")];
    let r = post(&s, &admin, "/settings/thresholds", &form).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"error-alert_days_hot\"") && html.contains("value=\"二十\""), "{html}");
    let form = [("csrf", kefu.csrf.as_str()), ("shop", "0"), ("alert_days_hot", "20")];
    let r = post(&s, &kefu, "/settings/thresholds", &form).await;
    assert_eq!(r.status(), 403);
    assert_eq!(
        s.app.threshold_book(&actor(&s)).await.unwrap().company.get(zhanggui_app::domain::ThresholdKey::AlertDaysHot),
        15
    );
    let shop_id = shop.id.to_string();
    let form = [("csrf", admin.csrf.as_str()), ("shop", shop_id.as_str()), ("alert_days_hot", "20")];
    let r = post(&s, &admin, "/settings/thresholds", &form).await;
    assert_eq!(location(&r), format!("/settings/thresholds?shop={}&ok=thresholds", shop.id));
    let html = get(&s, &admin, &location(&r)).await.text().await.unwrap();
    assert!(html.contains("预警阈值已保存") && html.contains("id=\"in-use-alert_days_hot\">20"), "{html}");

    // The API: anyone reads, only the manager's token changes.
    let kefu_token = s.token_for("kefu").await;
    let admin_token = s.token_for("admin").await;
    let c = client();
    let list: Value = c
        .get(s.url("/api/v1/settings/warehouses"))
        .bearer_auth(&kefu_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().map(Vec::len), Some(3));
    let sh = list["items"][2]["id"].as_i64().unwrap();
    let url = s.url(&format!("/api/v1/settings/warehouses/{sh}"));
    let r = c
        .put(&url)
        .bearer_auth(&kefu_token)
        .json(&json!({"name": "上海退货仓", "sellable": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], "forbidden");
    let r = c
        .put(&url)
        .bearer_auth(&admin_token)
        .json(&json!({"name": "上海退货仓", "sellable": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let w: Value = r.json().await.unwrap();
    assert_eq!((w["name"].as_str(), w["sellable"].as_bool()), (Some("上海退货仓"), Some(false)));
    let r = c
        .put(s.url("/api/v1/settings/thresholds"))
        .bearer_auth(&admin_token)
        .json(&json!({"alert_days_regular": 12, "hot": 3}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422, "an unknown threshold is refused");
    let r = c
        .put(s.url("/api/v1/settings/thresholds"))
        .bearer_auth(&admin_token)
        .json(&json!({"alert_days_regular": 12}))
        .send()
        .await
        .unwrap();
    let body: Value = r.json().await.unwrap();
    assert_eq!((body["changed"].as_i64(), body["values"]["alert_days_regular"].as_i64()), (Some(1), Some(12)));
    let r = c
        .post(s.url("/api/v1/settings/shops"))
        .bearer_auth(&admin_token)
        .json(&json!({"name": "暖阳京东自营店", "platform": "jd", "default_warehouse": "GZ", "inventory_start": "2024-06-01"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let created: Value = r.json().await.unwrap();
    assert_eq!(
        (created["platform"].as_str(), created["inventory_start"].as_str()),
        (Some("jd"), Some("2024-06-01 00:00:00"))
    );
    s.stop().await;
}

#[tokio::test]
async fn a_bad_time_zone_is_refused_and_a_good_one_moves_the_days_of_the_filters() {
    let s = Server::start().await;
    let admin = login(&s, "admin", ADMIN_PASSWORD).await;
    // Paid at 02:00 on 18 June in Shanghai: 11:00 on 17 June in Los Angeles.
    let shop = s.app.shops(&actor(&s)).await.unwrap()[0].id;
    let created = chrono_tz::Asia::Shanghai.with_ymd_and_hms(2024, 6, 18, 2, 0, 0).unwrap().with_timezone(&Utc);
    let input = TradeInput {
        shop_id: shop,
        tid: "2406180002001".into(),
        buyer_nick: "夜猫子小林".into(),
        created_at: created,
        lines: vec![LineInput { outer_sku_id: SKU.into(), price: Money::from_fen(9900), qty: 1, ..Default::default() }],
        ..Default::default()
    };
    s.app.create_trade(&actor(&s), &input).await.unwrap();
    let on_17th = "/orders?from=2024-06-17&to=2024-06-17&buyer=%E5%A4%9C%E7%8C%AB%E5%AD%90%E5%B0%8F%E6%9E%97";
    assert!(!get(&s, &admin, on_17th).await.text().await.unwrap().contains("2406180002001"));

    let log = audit_len(&s).await;
    for bad in ["Mars/Olympus", "Asia/Shang hai", "GMT+8"] {
        let r = post(&s, &admin, "/settings/time-zone", &[("csrf", admin.csrf.as_str()), ("time_zone", bad)]).await;
        assert_eq!(r.status(), 422, "{bad}");
        let html = r.text().await.unwrap();
        assert!(html.contains("id=\"time-zone-error\"") && html.contains("不是有效的时区名称"), "{html}");
        assert!(html.contains(&format!("value=\"{bad}\"")), "what was typed stays");
    }
    let token = s.token_for("admin").await;
    let c = client();
    let r = c
        .put(s.url("/api/v1/settings/time-zone"))
        .bearer_auth(&token)
        .json(&json!({"time_zone": "Beijing"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], "invalid_input");
    let r = c
        .put(s.url("/api/v1/settings/time-zone"))
        .bearer_auth(&token)
        .json(&json!({"zone": "Asia/Tokyo"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422, "a body without time_zone");
    let now: Value =
        c.get(s.url("/api/v1/settings/time-zone")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    assert_eq!(now["time_zone"], "Asia/Shanghai");
    assert_eq!(audit_len(&s).await, log + 1, "only the token was logged");
    assert!(!get(&s, &admin, on_17th).await.text().await.unwrap().contains("2406180002001"));

    // Customer service may not; the manager may.
    let kefu = login(&s, "kefu", PASSWORD).await;
    let r =
        post(&s, &kefu, "/settings/time-zone", &[("csrf", kefu.csrf.as_str()), ("time_zone", "America/Los_Angeles")])
            .await;
    assert_eq!(r.status(), 403);
    let r =
        post(&s, &admin, "/settings/time-zone", &[("csrf", admin.csrf.as_str()), ("time_zone", "America/Los_Angeles")])
            .await;
    assert_eq!((r.status().as_u16(), location(&r).as_str()), (303, "/settings/time-zone?ok=time_zone"));
    let html = get(&s, &admin, "/settings/time-zone?ok=time_zone").await.text().await.unwrap();
    assert!(html.contains("id=\"current-zone\">America/Los_Angeles"));
    // The list filters read the new zone at once: the trade is on the 17th now.
    assert!(get(&s, &admin, on_17th).await.text().await.unwrap().contains("2406180002001"));
    let now: Value =
        c.get(s.url("/api/v1/settings/time-zone")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    assert_eq!(now["time_zone"], "America/Los_Angeles");
    s.stop().await;
}

/// `n` trades of one unit for `buyer`; those whose number is not a multiple of 5 are paid.
async fn trades_of(s: &Server, buyer: &str, prefix: &str, n: usize) -> BTreeSet<String> {
    let shop = s.app.shops(&actor(s)).await.unwrap()[0].id;
    let mut paid = BTreeSet::new();
    for i in 1..=n {
        let tid = format!("{prefix}{i:04}");
        let input = TradeInput {
            shop_id: shop,
            tid: tid.clone(),
            buyer_nick: buyer.into(),
            receiver_name: "周晓燕".into(),
            receiver_address: "广东省 广州市 天河区 体育西路 191 号".into(),
            created_at: Utc::now() - chrono::Duration::minutes(600 - i as i64),
            lines: vec![LineInput {
                outer_sku_id: SKU.into(),
                title: "纯棉短袖T恤".into(),
                price: Money::from_fen(9900),
                qty: 1,
                ..Default::default()
            }],
            ..Default::default()
        };
        let id = s.app.create_trade(&actor(s), &input).await.unwrap();
        if i % 5 != 0 {
            s.app.pay_trade(&actor(s), id, input.created_at + chrono::Duration::minutes(1)).await.unwrap();
            paid.insert(tid);
        }
    }
    paid
}

#[tokio::test]
async fn the_exported_lists_hold_exactly_the_filtered_rows_and_costs_only_for_who_may_see_them() {
    let s = Server::start().await;
    s.app.adjust_stock(&actor(&s), SKU, Some("HZ"), 300, "补货到仓", Utc::now()).await.unwrap();
    let paid = trades_of(&s, "tb_export_buyer", "E", 120).await;
    trades_of(&s, "tb_other_buyer", "F", 10).await;
    assert_eq!(paid.len(), 96);
    let admin = login(&s, "admin", ADMIN_PASSWORD).await;
    let kefu = login(&s, "kefu", PASSWORD).await;

    // The list shows 50 a page; its export link keeps the filters and drops the page.
    let filters = "status=WAIT_SELLER_SEND_GOODS&buyer=tb_export_buyer";
    let html = unescape(&get(&s, &admin, &format!("/orders?{filters}")).await.text().await.unwrap());
    assert!(html.contains(&format!("href=\"/orders/xlsx?{filters}\"")), "{html}");
    let before_next = html.split("id=\"next-page\"").next().unwrap();
    let next = before_next.rsplit("href=\"").next().and_then(|h| h.split('"').next()).unwrap().to_string();
    assert!(next.contains("after="), "{next}");
    let page2 = unescape(&get(&s, &admin, &next).await.text().await.unwrap());
    assert!(page2.contains(&format!("href=\"/orders/xlsx?{filters}\"")), "the export is not of one page");

    let rows = download(&s, &admin, &format!("/orders/xlsx?{filters}")).await;
    let tid = column(&rows, "订单编号").unwrap();
    let got: BTreeSet<String> = rows[1..].iter().map(|r| r[tid].clone()).collect();
    assert_eq!(rows.len() - 1, 96, "one row per trade");
    assert_eq!(got, paid, "exactly the filtered trades, from every page");
    let cost = column(&rows, "商品成本（按当前成本价）").expect("the manager sees costs");
    assert!(rows[1..].iter().all(|r| r[cost] == "35"), "one T-shirt at ¥35.00 cost");
    let status = column(&rows, "订单状态").unwrap();
    let waiting = zhanggui_app::domain::TradeStatus::WaitSellerSendGoods.label_zh();
    assert!(rows[1..].iter().all(|r| r[status] == waiting));

    // Customer service gets the same rows without any cost column.
    let rows = download(&s, &kefu, &format!("/orders/xlsx?{filters}")).await;
    assert_eq!(rows.len() - 1, 96);
    assert!(rows[0].iter().all(|h| !h.contains("成本")), "{:?}", rows[0]);
    // A filter that selects nothing exports the header alone.
    assert_eq!(download(&s, &kefu, "/orders/xlsx?buyer=nobody").await.len(), 1);

    // Stock: the filtered lines; the cost price only for the manager.
    let rows = download(&s, &admin, "/stock/xlsx?search=TS2401&warehouse=&low=").await;
    assert_eq!(rows.len() - 1, 2, "{rows:?}");
    let code = column(&rows, "商家编码").unwrap();
    assert!(rows[1..].iter().all(|r| r[code] == SKU));
    let (on_hand, cost, value) =
        (column(&rows, "实物库存").unwrap(), column(&rows, "成本价").unwrap(), column(&rows, "库存成本金额").unwrap());
    let hz = rows.iter().find(|r| r.iter().any(|c| c.starts_with("HZ"))).unwrap();
    assert_eq!((hz[on_hand].as_str(), hz[cost].as_str(), hz[value].as_str()), ("320", "35", "11200"));
    let rows = download(&s, &kefu, "/stock/xlsx?search=TS2401").await;
    assert_eq!(rows.len() - 1, 2);
    assert!(rows[0].iter().all(|h| !h.contains("成本")), "{:?}", rows[0]);
    let html = get(&s, &kefu, "/stock?search=TS2401").await.text().await.unwrap();
    assert!(html.contains("href=\"/stock/xlsx?search=TS2401\""));

    // Customers: the one buyer the search finds.
    let html = get(&s, &admin, "/customers?search=export").await.text().await.unwrap();
    assert!(html.contains("href=\"/customers/xlsx?search=export\""));
    let rows = download(&s, &kefu, "/customers/xlsx?search=export").await;
    assert_eq!(rows.len(), 2, "{rows:?}");
    let buyer = column(&rows, "买家").unwrap();
    let trades = column(&rows, "付款订单数").unwrap();
    assert_eq!((rows[1][buyer].as_str(), rows[1][trades].as_str()), ("tb_export_buyer", "96"));
    assert_eq!(download(&s, &kefu, "/customers/xlsx").await.len() - 1, 3, "all three buyers without a filter");

    // The warehouse sees no customers, so it exports none.
    let cangku = login(&s, "cangku", PASSWORD).await;
    assert_eq!(get(&s, &cangku, "/customers/xlsx").await.status(), 403);
    s.stop().await;
}
