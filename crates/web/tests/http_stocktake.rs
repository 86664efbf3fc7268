//! Stocktakes (盘点) over HTTP: who may count, post or see values, forms without the session's
//! token, a count sheet with a bad row that records nothing and says which row and why, typed
//! counts, posting that corrects stock without undoing a sale made during the count, and the API.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::Utc;
use common::*;
use serde_json::{Value, json};
use zhanggui_app::Actor;
use zhanggui_app::domain::{Money, StocktakeStatus};
use zhanggui_app::formats::report::{ReportCell, ReportTable, xlsx_bytes};
use zhanggui_app::setup::SkuSpec;
use zhanggui_app::trading::ShipInput;
use zhanggui_app::users::Role;

const PANTS: &str = "PT2402-GRY-L";

/// A second item, 休闲长裤 at ¥60.00 cost, 5 in 杭州仓; and a finance user.
async fn shop(s: &Server) {
    let spec = SkuSpec {
        outer_sku_id: PANTS.into(),
        properties: "颜色分类:灰色;尺码:L".into(),
        price: Money::from_fen(15900),
        cost: Money::from_fen(6000),
    };
    s.app.create_product(s.company_id, "PT2402", "休闲长裤男 宽松直筒", "裤子", &[spec]).await.unwrap();
    let actor = Actor { company_id: s.company_id, user: "setup".into() };
    s.app.adjust_stock(&actor, PANTS, Some("HZ"), 5, "期初库存", Utc::now()).await.unwrap();
    s.app.create_user(&s.manager, "caiwu", "财务小周", Role::Finance, PASSWORD).await.unwrap();
}

/// Starts a count of HZ through the page; returns its number.
async fn start_in_hz(s: &Server, b: &Browser, search: &str) -> String {
    let r = post_form(s, b, "/stocktakes", &[("warehouse", "HZ"), ("search", search)]).await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    let to = r.headers().get("location").unwrap().to_str().unwrap().to_string();
    assert!(to.ends_with("?ok=started"), "{to}");
    to.trim_start_matches("/stocktakes/").trim_end_matches("?ok=started").to_string()
}

async fn detail(s: &Server, code: &str) -> zhanggui_app::stocktake::StocktakeDetail {
    s.app.stocktake_detail(&s.manager.actor(), code).await.unwrap()
}

async fn line_id(s: &Server, code: &str, sku: &str) -> i64 {
    detail(s, code).await.lines.iter().find(|l| l.line.outer_sku_id == sku).unwrap().line.id
}

async fn on_hand_hz(s: &Server, sku: &str) -> i64 {
    let st = s.app.stock_show(&s.manager.actor(), sku, 0).await.unwrap();
    st.warehouses.iter().filter(|w| w.warehouse_code == "HZ").map(|w| w.on_hand).sum()
}

/// The header row of an Excel export, read back.
async fn xlsx_headers(s: &Server, b: &Browser, path: &str) -> Vec<String> {
    let r = get(s, b, path).await;
    assert_eq!(r.status(), 200, "{path}");
    assert!(r.headers()["content-type"].to_str().unwrap().contains("spreadsheetml"), "{path}");
    let bytes = r.bytes().await.unwrap();
    let sheet = zhanggui_app::formats::read_sheet_bytes("export.xlsx", &bytes).unwrap();
    sheet.rows[0].cells.clone()
}

/// Uploads a count sheet as the page's form would, with the given token (or none).
async fn upload(
    s: &Server,
    b: &Browser,
    code: &str,
    csrf: Option<&str>,
    name: &str,
    bytes: &[u8],
) -> reqwest::Response {
    let mut parts: Vec<Part> = csrf.map(|t| ("csrf", None, t.as_bytes())).into_iter().collect();
    parts.push(("file", Some(name), bytes));
    post_multipart(s, &format!("/stocktakes/{code}/upload"), &b.cookie, &parts).await
}

#[tokio::test]
async fn roles_count_post_and_see_values_as_a_shop_expects() {
    let s = Server::start().await;
    shop(&s).await;

    // Customer service and operations see nothing of stocktakes, not even the tab.
    for login_name in ["kefu", "yunying"] {
        let b = login(&s, login_name, PASSWORD).await;
        let (status, _) = get_html(&s, &b, "/stocktakes").await;
        assert_eq!(status, 403, "{login_name}");
        let (_, stock) = get_html(&s, &b, "/stock").await;
        assert!(!stock.contains("/stocktakes"), "{login_name} has no 盘点 tab");
        let r = post_form(&s, &b, "/stocktakes", &[("warehouse", "HZ")]).await;
        assert_eq!(r.status(), 403, "{login_name} cannot start a count");
    }
    let r = Api::of(&s, "kefu").await.get("/stocktakes").await;
    assert_eq!(r.status(), 403);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], "forbidden");
    assert!(s.app.stocktakes(&s.manager.actor()).await.unwrap().is_empty());

    // The warehouse counts: quantities, never costs or values.
    let cangku = login(&s, "cangku", PASSWORD).await;
    let (_, stock) = get_html(&s, &cangku, "/stock").await;
    assert!(stock.contains("id=\"tab-stocktakes\""), "the 盘点 tab is in 商品与库存");
    let code = start_in_hz(&s, &cangku, "").await;
    let tee = line_id(&s, &code, SKU).await;
    let pants = line_id(&s, &code, PANTS).await;
    let r = post_form(
        &s,
        &cangku,
        &format!("/stocktakes/{code}/counts"),
        &[
            (&format!("n{tee}"), "19"),
            (&format!("was{tee}"), ""),
            (&format!("n{pants}"), "6"),
            (&format!("was{pants}"), ""),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let (status, html) = get_html(&s, &cangku, &format!("/stocktakes/{code}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("id=\"post-form\"") && html.contains("id=\"count-form\""));
    assert!(!html.contains("差异金额") && !html.contains('¥'), "the warehouse sees no values");
    let api = Api::of(&s, "cangku").await;
    let body = api.get_json(&format!("/stocktakes/{code}")).await;
    assert_eq!(body["summary"]["surplus_units"], 1);
    assert!(body["summary"].get("surplus_value").is_none() && body["lines"][0].get("unit_cost").is_none(), "{body}");

    let sheet = xlsx_headers(&s, &cangku, &format!("/stocktakes/{code}/xlsx")).await;
    assert!(sheet.contains(&"差异".to_string()) && !sheet.contains(&"差异金额".to_string()), "{sheet:?}");

    // Finance sees the value of the differences but neither counts nor posts.
    let caiwu = login(&s, "caiwu", PASSWORD).await;
    let (status, html) = get_html(&s, &caiwu, &format!("/stocktakes/{code}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("差异金额") && html.contains("+¥60.00") && html.contains("-¥35.00"), "values at cost");
    assert!(html.contains("¥25.00"), "the net value: 盘盈 ¥60.00 − 盘亏 ¥35.00");
    assert!(!html.contains("id=\"post-form\"") && !html.contains("id=\"count-form\""), "nothing to do for finance");
    let sheet = xlsx_headers(&s, &caiwu, &format!("/stocktakes/{code}/xlsx?show=diff")).await;
    assert!(sheet.contains(&"差异金额".to_string()) && sheet.contains(&"成本价".to_string()), "{sheet:?}");
    let list = xlsx_headers(&s, &caiwu, "/stocktakes/xlsx?status=counting").await;
    assert_eq!(list[0], "盘点单号");
    let r = post_form(&s, &caiwu, &format!("/stocktakes/{code}/post"), &[("reason", "月度盘点")]).await;
    assert_eq!(r.status(), 403);
    let r = post_form(&s, &caiwu, &format!("/stocktakes/{code}/counts"), &[(&format!("n{tee}"), "1")]).await;
    assert_eq!(r.status(), 403);
    let r =
        upload(&s, &caiwu, &code, Some(&caiwu.csrf), "盘点表.csv", "商家编码,实盘数量\nTS2401-BLK-M,1\n".as_bytes())
            .await;
    assert_eq!(r.status(), 403);
    let api = Api::of(&s, "caiwu").await;
    let body = api.get_json(&format!("/stocktakes/{code}")).await;
    assert_eq!(body["summary"]["shortage_value"], "35.00");
    let r = api.post(&format!("/stocktakes/{code}/post"), &json!({"reason": "月度盘点"})).await;
    assert_eq!(r.status(), 403);

    // Nothing of the refusals changed anything.
    let d = detail(&s, &code).await;
    assert_eq!(d.stocktake.status, StocktakeStatus::Counting);
    assert_eq!(d.lines.iter().find(|l| l.line.id == tee).unwrap().line.counted, Some(19));
    assert_eq!(on_hand_hz(&s, SKU).await, 20);
    s.stop().await;
}

#[tokio::test]
async fn stocktake_forms_without_the_session_token_are_refused() {
    let s = Server::start().await;
    let b = login(&s, "admin", ADMIN_PASSWORD).await;
    let r = post(&s, &b, "/stocktakes", &[("warehouse", "HZ")]).await;
    assert_eq!(r.status(), 403);
    assert!(s.app.stocktakes(&s.manager.actor()).await.unwrap().is_empty(), "no session was started");

    let code = start_in_hz(&s, &b, "").await;
    let tee = line_id(&s, &code, SKU).await;
    let n = format!("n{tee}");
    let forged = [(n.as_str(), "3"), ("csrf", "deadbeef")];
    let r = post(&s, &b, &format!("/stocktakes/{code}/counts"), &forged).await;
    assert_eq!(r.status(), 403);
    let r = upload(&s, &b, &code, None, "盘点表.csv", format!("商家编码,实盘数量\n{SKU},3\n").as_bytes()).await;
    assert_eq!(r.status(), 403);
    let r =
        upload(&s, &b, &code, Some("deadbeef"), "盘点表.csv", format!("商家编码,实盘数量\n{SKU},3\n").as_bytes()).await;
    assert_eq!(r.status(), 403);
    assert_eq!(detail(&s, &code).await.summary.counted, 0);
    post_form(&s, &b, &format!("/stocktakes/{code}/counts"), &[(n.as_str(), "3")]).await;
    let r = post(&s, &b, &format!("/stocktakes/{code}/post"), &[("reason", "月度盘点")]).await;
    assert_eq!(r.status(), 403);
    let r = post(&s, &b, &format!("/stocktakes/{code}/cancel"), &[("reason", "重盘"), ("csrf", "")]).await;
    assert_eq!(r.status(), 403);
    assert_eq!(detail(&s, &code).await.stocktake.status, StocktakeStatus::Counting);
    assert_eq!(on_hand_hz(&s, SKU).await, 20);
    s.stop().await;
}

#[tokio::test]
async fn a_count_sheet_with_a_bad_row_records_nothing_and_lists_the_row() {
    let s = Server::start().await;
    shop(&s).await;
    let b = login(&s, "cangku", PASSWORD).await;
    let code = start_in_hz(&s, &b, "").await;

    // The blind sheet: every SKU of the session, no book quantity.
    let r = get(&s, &b, &format!("/stocktakes/{code}/sheet")).await;
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    assert!(r.headers()["content-disposition"].to_str().unwrap().contains(".csv"));
    let sheet = r.text().await.unwrap();
    let header = sheet.trim_start_matches('\u{feff}').lines().next().unwrap().to_string();
    assert_eq!(header, "商家编码,商品名称,属性,条码,实盘数量");
    assert!(sheet.contains(SKU) && sheet.contains(PANTS));
    assert!(!sheet.contains(",20") && !sheet.contains("账面"), "no book quantity on a blind sheet: {sheet}");

    // Filled in with one count that is not a number: nothing is recorded, the row is named.
    let filled = format!(
        "\u{feff}商家编码,商品名称,属性,条码,实盘数量\n{SKU},纯棉短袖T恤,颜色分类:黑色;尺码:M,,19\n{PANTS},休闲长裤男 宽松直筒,颜色分类:灰色;尺码:L,,六\n"
    );
    let r = upload(&s, &b, &code, Some(&b.csrf), "盘点表.csv", filled.as_bytes()).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    let table = html.split("id=\"bad-rows\"").nth(1).expect("the bad rows are listed");
    let row = table.split("<tr>").find(|r| r.contains("实盘数量")).expect("a row naming the column");
    assert!(row.contains(">3<") && row.contains("六"), "line 3, column 实盘数量, and why: {row}");
    assert!(html.contains("整张表都未录入"));
    assert_eq!(detail(&s, &code).await.summary.counted, 0, "the good row is not recorded either");

    // A SKU that is not part of the count is a bad row too.
    let filled = format!("商家编码,实盘数量\n{SKU},19\nXX-0000-NONE,2\n");
    let r = upload(&s, &b, &code, Some(&b.csrf), "盘点表.csv", filled.as_bytes()).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("XX-0000-NONE") && html.contains("不在盘点单"), "the unknown SKU is named");
    assert_eq!(detail(&s, &code).await.summary.counted, 0);

    // A file that is no count sheet says so.
    let r = upload(&s, &b, &code, Some(&b.csrf), "订单.csv", "订单编号,买家会员名\n1,tb\n".as_bytes()).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("找不到表头"));

    // Put right, as an Excel workbook: both counts are taken.
    let table = ReportTable {
        title: "盘点表".into(),
        headers: ["商家编码", "商品名称", "实盘数量"].map(String::from).to_vec(),
        rows: vec![
            vec![ReportCell::Text(SKU.into()), ReportCell::Text("纯棉短袖T恤".into()), ReportCell::Int(19)],
            vec![ReportCell::Text(PANTS.into()), ReportCell::Text("休闲长裤男".into()), ReportCell::Int(6)],
        ],
    };
    let r = upload(&s, &b, &code, Some(&b.csrf), "盘点表.xlsx", &xlsx_bytes(&[table]).unwrap()).await;
    assert_eq!(r.status(), 303);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert!(to.contains("ok=imported") && to.contains("n=2"), "{to}");
    let (_, html) = get_html(&s, &b, &to).await;
    assert!(html.contains("盘点表已导入") && html.contains("2 / 2"), "two of two counted");
    let d = detail(&s, &code).await;
    assert_eq!((d.summary.surplus_units, d.summary.shortage_units), (1, 1));
    let log = s.app.audit_log(&s.manager, 0, 10).await.unwrap();
    let entry = log.iter().find(|a| a.action == "stocktake.import").expect("audited");
    assert!(
        entry.after_value.contains("盘点表.xlsx") && entry.after_value.contains("counts=2"),
        "{}",
        entry.after_value
    );
    assert_eq!(entry.user_name, "cangku");
    s.stop().await;
}

#[tokio::test]
async fn posting_corrects_stock_without_undoing_a_sale_made_during_the_count() {
    let s = Server::start().await;
    shop(&s).await;
    let b = login(&s, "admin", ADMIN_PASSWORD).await;
    let code = start_in_hz(&s, &b, "").await;
    let page = format!("/stocktakes/{code}");
    let (tee, pants) = (line_id(&s, &code, SKU).await, line_id(&s, &code, PANTS).await);
    let (n_tee, n_pants) = (format!("n{tee}"), format!("n{pants}"));

    // Blind: no book quantity before a line is counted.
    let (_, html) = get_html(&s, &b, &page).await;
    let row = html.split(&format!("id=\"line-{tee}\"")).nth(1).unwrap().split("</tr>").next().unwrap();
    assert!(row.contains("class=\"num book\">—<"), "{row}");

    // While counting, the paid order of two T-shirts ships from 杭州仓.
    let ship = ShipInput { carrier: "中通快递".into(), tracking_no: "78000012345".into(), line_ids: None };
    s.app.ship_trade(&s.manager.actor(), s.trade_id, &ship, Utc::now()).await.unwrap();
    assert_eq!(on_hand_hz(&s, SKU).await, 18);

    // A count that is no number refuses the whole form and keeps what was typed.
    let r = post_form(&s, &b, &format!("{page}/counts"), &[(&n_tee, "19"), (&n_pants, "六件")]).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("要填整数") && html.contains("value=\"六件\"") && html.contains("value=\"19\""), "{html}");
    assert_eq!(detail(&s, &code).await.summary.counted, 0);

    // Counted before the parcel left: one T-shirt missing, one pair of trousers found over.
    let r = post_form(&s, &b, &format!("{page}/counts"), &[(&n_tee, "19"), (&n_pants, " 6 ")]).await;
    assert_eq!(r.status(), 303);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    let (_, html) = get_html(&s, &b, &to).await;
    assert!(html.contains("已保存 2 个SKU的实盘数量"), "{html}");
    let row = html.split(&format!("id=\"line-{tee}\"")).nth(1).unwrap().split("</tr>").next().unwrap();
    assert!(row.contains(">20<") && row.contains(">-1<") && row.contains("-¥35.00") && row.contains("盘亏"), "{row}");
    let row = html.split(&format!("id=\"line-{pants}\"")).nth(1).unwrap().split("</tr>").next().unwrap();
    assert!(row.contains(">5<") && row.contains(">+1<") && row.contains("+¥60.00") && row.contains("盘盈"), "{row}");
    assert!(html.contains("id=\"surplus-value\">¥60.00") && html.contains("id=\"shortage-value\">¥35.00"));
    assert!(html.contains("id=\"net-value\">+¥25.00"), "the net value: 盘盈 ¥60.00 − 盘亏 ¥35.00");
    assert!(
        html.contains("将为 2 个有差异的SKU写入盘点流水") && html.contains("未盘的 0 个SKU"),
        "the confirmation says what posting does"
    );

    // Only the lines with a difference.
    let (_, html) = get_html(&s, &b, &format!("{page}?show=diff&q=PT2402")).await;
    assert!(html.contains(&format!("id=\"line-{pants}\"")) && !html.contains(&format!("id=\"line-{tee}\"")));

    // A reason is required; without it nothing moves.
    let r = post_form(&s, &b, &format!("{page}/post"), &[("reason", "  ")]).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("请填写盘点原因"));
    assert_eq!(on_hand_hz(&s, SKU).await, 18);

    let r = post_form(&s, &b, &format!("{page}/post"), &[("reason", "1月月度盘点")]).await;
    assert_eq!(r.status(), 303);
    let (_, html) = get_html(&s, &b, &format!("{page}?ok=posted")).await;
    assert!(html.contains("已过账") && html.contains("1月月度盘点"));
    assert!(!html.contains("id=\"count-form\"") && !html.contains("id=\"post-form\""), "a posted count is closed");
    assert_eq!(on_hand_hz(&s, SKU).await, 17, "18 after the sale, one found missing: the sale is not undone");
    assert_eq!(on_hand_hz(&s, PANTS).await, 6);

    // The SKU's ledger shows the stocktake move with its session.
    let (_, html) = get_html(&s, &b, &format!("/stock/sku?code={SKU}")).await;
    let ledger = html.split("id=\"ledger\"").nth(1).unwrap();
    assert!(ledger.contains("销售出库") && ledger.contains("盘点"));
    assert!(ledger.contains(&format!("href=\"/stocktakes/{code}\">盘点单 {code}")), "{ledger}");

    // Posting twice is refused.
    let r = post_form(&s, &b, &format!("{page}/post"), &[("reason", "再过一次")]).await;
    assert_eq!(r.status(), 409);
    assert_eq!(on_hand_hz(&s, SKU).await, 17);

    let log = s.app.audit_log(&s.manager, 0, 20).await.unwrap();
    let posted = log.iter().find(|a| a.action == "stocktake.post").expect("audited");
    assert_eq!(posted.target, code);
    assert!(
        posted.after_value.contains("1月月度盘点") && posted.after_value.contains("surplus=+1"),
        "{}",
        posted.after_value
    );
    let counted = log.iter().find(|a| a.action == "stocktake.count").expect("audited");
    assert!(counted.before_value.contains(&format!("{SKU}=—")) && counted.after_value.contains(&format!("{SKU}=19")));
    let (_, audit) = get_html(&s, &b, "/settings/audit").await;
    assert!(audit.contains("盘点过账") && audit.contains("开始盘点"));

    // Listed as posted.
    let (_, html) = get_html(&s, &b, "/stocktakes?status=posted").await;
    assert!(html.contains(&code) && html.contains("已过账"));
    let (_, html) = get_html(&s, &b, "/stocktakes?status=counting").await;
    assert!(!html.contains(&format!(">{code}<")));
    s.stop().await;
}

#[tokio::test]
async fn stocktakes_through_the_api() {
    let s = Server::start().await;
    shop(&s).await;
    let api = Api::of(&s, "cangku").await;

    let r = api.post("/stocktakes", &json!({"warehouse": "SH"})).await;
    assert_eq!(r.status(), 404);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], "not_found");
    let r = api.post("/stocktakes", &json!({"warehouse": "HZ", "search": "TS2401"})).await;
    assert_eq!(r.status(), 201);
    let started: Value = r.json().await.unwrap();
    let code = started["stocktake"]["code"].as_str().unwrap().to_string();
    assert_eq!(started["summary"]["lines"], 1, "only the T-shirt is counted");
    assert!(started["lines"][0]["snapshot_on_hand"].is_null(), "the count is blind: {started}");

    // One refusal refuses all, and every refusal is said.
    let r = api
        .post(
            &format!("/stocktakes/{code}/counts"),
            &json!({"counts": [{"sku": SKU, "counted": -2}, {"sku": PANTS, "counted": 6}]}),
        )
        .await;
    assert_eq!(r.status(), 422);
    let message = r.json::<Value>().await.unwrap()["error"]["message"].as_str().unwrap().to_string();
    assert!(message.contains("负数") && message.contains(PANTS), "{message}");
    let r =
        api.post(&format!("/stocktakes/{code}/counts"), &json!({"counts": [{"sku": SKU, "counted": "十九"}]})).await;
    assert_eq!(r.status(), 422);
    assert_eq!(detail(&s, &code).await.summary.counted, 0);

    let r = api.post(&format!("/stocktakes/{code}/counts"), &json!({"counts": [{"sku": SKU, "counted": 18}]})).await;
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!((body["lines"][0]["delta"].as_i64(), body["summary"]["shortage_units"].as_i64()), (Some(-2), Some(2)));
    let r = api.post(&format!("/stocktakes/{code}/post"), &json!({})).await;
    assert_eq!(r.status(), 422, "a reason is required");
    let r = api.post(&format!("/stocktakes/{code}/post"), &json!({"reason": "双十一前盘点"})).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["stocktake"]["status"], "posted");
    assert_eq!(on_hand_hz(&s, SKU).await, 18);
    let r = api.post(&format!("/stocktakes/{code}/cancel"), &json!({})).await;
    assert_eq!(r.status(), 409);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], "illegal_transition");

    // A second count, abandoned: stock stays.
    let r = api.post("/stocktakes", &json!({"warehouse": "HZ"})).await;
    let second = r.json::<Value>().await.unwrap()["stocktake"]["code"].as_str().unwrap().to_string();
    api.post(&format!("/stocktakes/{second}/counts"), &json!({"counts": [{"sku": PANTS, "counted": 0}]})).await;
    let r = api.post(&format!("/stocktakes/{second}/cancel"), &json!({"reason": "数错了，重新盘"})).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["stocktake"]["status"], "cancelled");
    assert_eq!(on_hand_hz(&s, PANTS).await, 5);

    let list: Value = api.get("/stocktakes?status=posted").await.json().await.unwrap();
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["code"], code.as_str());
    let r = api.get("/stocktakes?status=whatever").await;
    assert_eq!(r.status(), 422);
    let r = api.get("/stocktakes/PD19990101-001").await;
    assert_eq!(r.status(), 404);
    s.stop().await;
}
