//! Safeguards over HTTP: the warehouse's product sheet cannot blank or set costs and prices, only
//! those who import orders map merchant codes to SKUs, the stocktake API keeps the count blind as
//! the page does, quantities have an upper limit through the API too, a long Chinese file name
//! uploads, bulk shipping takes a small body, and a huge page number is only a page past the end.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use serde_json::{Value, json};
use zhanggui_app::domain::{MAX_QTY, Money, TradeStatus};
use zhanggui_app::purchasing::{PurchaseLineInput, PurchaseOrderInput, SupplierInput};
use zhanggui_app::trading::{LineInput, TradeInput};

/// The SKU's (cost, price) as stored.
async fn cost_and_price(s: &Server) -> (Money, Money) {
    let st = s.app.stock_show(&s.manager.actor(), SKU, 0).await.unwrap();
    (st.sku.cost, st.sku.price)
}

async fn on_hand(s: &Server) -> i64 {
    let st = s.app.stock_show(&s.manager.actor(), SKU, 0).await.unwrap();
    st.warehouses.iter().map(|w| w.on_hand).sum()
}

#[tokio::test]
async fn the_warehouse_product_sheet_keeps_costs_and_prices() {
    let s = Server::start().await;
    let cangku = login(&s, "cangku", PASSWORD).await;
    assert_eq!(cost_and_price(&s).await, (Money::from_fen(3500), Money::from_fen(9900)));

    // A stock sheet: 商家编码 and 库存 only. Stock is set, cost and price stay.
    let sheet = format!("商家编码,库存\n{SKU},24\n");
    let r =
        upload(&s, &cangku, "/imports", &[("kind", None, b"products"), ("file", Some("库存.csv"), sheet.as_bytes())])
            .await;
    assert_eq!(r.status(), 303);
    let (_, html) = get_html(&s, &cangku, r.headers()["location"].to_str().unwrap()).await;
    assert!(!html.contains("id=\"costs-ignored\""), "nothing was left out");
    assert_eq!(cost_and_price(&s).await, (Money::from_fen(3500), Money::from_fen(9900)), "not blanked");
    assert_eq!(on_hand(&s).await, 24);

    // A full sheet from the warehouse: its cost and price are left out and the page says so.
    let sheet = format!("商家编码,商品标题,颜色,尺码,成本价,售价,库存\n{SKU},纯棉短袖T恤,黑色,M,0.01,0.01,24\n");
    let r = upload(
        &s,
        &cangku,
        "/imports",
        &[("kind", None, b"products"), ("file", Some("商品资料.csv"), sheet.as_bytes())],
    )
    .await;
    assert_eq!(r.status(), 303);
    let (_, html) = get_html(&s, &cangku, r.headers()["location"].to_str().unwrap()).await;
    assert!(html.contains("id=\"costs-ignored\"") && html.contains("成本价、售价没有导入（1 行）"), "{html}");
    assert_eq!(cost_and_price(&s).await, (Money::from_fen(3500), Money::from_fen(9900)));

    // The same through the API: the summary counts the rows left out.
    let token = s.token_for("cangku").await;
    let (content_type, body) =
        multipart(&[("kind", None, b"products"), ("file", Some("商品资料.csv"), sheet.as_bytes())]);
    let r = client()
        .post(s.url("/api/v1/imports"))
        .bearer_auth(&token)
        .header("content-type", content_type.clone())
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["costs_ignored"], 1);
    assert_eq!(cost_and_price(&s).await, (Money::from_fen(3500), Money::from_fen(9900)));

    // Operations sees costs: the same sheet sets them.
    let token = s.token_for("yunying").await;
    let r = client()
        .post(s.url("/api/v1/imports"))
        .bearer_auth(&token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["costs_ignored"], 0);
    assert_eq!(cost_and_price(&s).await, (Money::from_fen(1), Money::from_fen(1)));
    s.stop().await;
}

#[tokio::test]
async fn only_those_who_import_orders_map_merchant_codes() {
    let s = Server::start().await;
    // A trade whose line carries a merchant code no SKU has.
    let actor = s.manager.actor();
    let shop = s.app.shops(&actor).await.unwrap()[0].id;
    let input = TradeInput {
        shop_id: shop,
        tid: "2401180077".into(),
        buyer_nick: "tb_buyer_77".into(),
        receiver_name: "赵小雨".into(),
        created_at: chrono::Utc::now() - chrono::Duration::hours(1),
        lines: vec![LineInput {
            outer_sku_id: "TS-OLD-BLK-M".into(),
            title: "纯棉短袖T恤（旧款）".into(),
            price: Money::from_fen(9900),
            qty: 1,
            ..Default::default()
        }],
        ..Default::default()
    };
    s.app.create_trade(&actor, &input).await.unwrap();
    let unmatched = || async { s.app.unmatched_codes(&actor).await.unwrap().len() };
    assert_eq!(unmatched().await, 1);

    let cangku = login(&s, "cangku", PASSWORD).await;
    let (status, page) = get_html(&s, &cangku, "/imports").await;
    assert_eq!(status, 200);
    assert!(page.contains("TS-OLD-BLK-M"), "the warehouse sees the unmatched code");
    assert!(!page.contains("action=\"/imports/skus/map\""), "but has no form to map it");
    let form = [("csrf", cangku.csrf.as_str()), ("code", "TS-OLD-BLK-M"), ("sku", SKU)];
    let r = post(&s, &cangku, "/imports/skus/map", &form).await;
    assert_eq!(r.status(), 403);
    let token = s.token_for("cangku").await;
    let r = client()
        .post(s.url("/api/v1/skus/map"))
        .bearer_auth(&token)
        .json(&json!({"code": "TS-OLD-BLK-M", "sku": SKU}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], "forbidden");
    assert_eq!(unmatched().await, 1, "nothing was mapped");

    // Operations, who imports orders, maps it.
    let yunying = login(&s, "yunying", PASSWORD).await;
    let (_, page) = get_html(&s, &yunying, "/imports").await;
    assert!(page.contains("action=\"/imports/skus/map\""));
    let form = [("csrf", yunying.csrf.as_str()), ("code", "TS-OLD-BLK-M"), ("sku", SKU)];
    let r = post(&s, &yunying, "/imports/skus/map", &form).await;
    assert_eq!(r.status(), 303);
    assert_eq!(unmatched().await, 0);
    s.stop().await;
}

#[tokio::test]
async fn the_stocktake_api_keeps_the_count_blind() {
    let s = Server::start().await;
    let api = Api::of(&s, "cangku").await;
    let r = api.post("/stocktakes", &json!({"warehouse": "HZ"})).await;
    assert_eq!(r.status(), 201);
    let started: Value = r.json().await.unwrap();
    let code = started["stocktake"]["code"].as_str().unwrap().to_string();
    assert_eq!(started["lines"][0]["outer_sku_id"], SKU);
    assert!(started["lines"][0]["snapshot_on_hand"].is_null(), "no book quantity before counting: {started}");
    assert!(!started.to_string().contains("\"snapshot_on_hand\":20"));
    let got: Value = api.get(&format!("/stocktakes/{code}")).await.json().await.unwrap();
    assert!(got["lines"][0]["snapshot_on_hand"].is_null(), "{got}");

    // A count too large is refused, with the limit said; nothing is recorded.
    let r = api
        .post(&format!("/stocktakes/{code}/counts"), &json!({"counts": [{"sku": SKU, "counted": MAX_QTY * 10}]}))
        .await;
    assert_eq!(r.status(), 422);
    let message = r.json::<Value>().await.unwrap()["error"]["message"].as_str().unwrap().to_string();
    assert!(message.contains(SKU) && message.contains(&MAX_QTY.to_string()), "{message}");

    // Once counted, the line shows its book quantity.
    let r = api.post(&format!("/stocktakes/{code}/counts"), &json!({"counts": [{"sku": SKU, "counted": 19}]})).await;
    assert_eq!(r.status(), 200);
    let counted: Value = r.json().await.unwrap();
    assert_eq!(counted["lines"][0]["snapshot_on_hand"], 20);
    assert_eq!(counted["lines"][0]["delta"], -1);
    s.stop().await;
}

#[tokio::test]
async fn the_stocktake_api_shows_book_quantities_once_closed() {
    let s = Server::start().await;
    let api = Api::of(&s, "cangku").await;
    let r = api.post("/stocktakes", &json!({"warehouse": "HZ"})).await;
    let code = r.json::<Value>().await.unwrap()["stocktake"]["code"].as_str().unwrap().to_string();
    let r = api.post(&format!("/stocktakes/{code}/cancel"), &json!({"reason": "盘点范围选错了"})).await;
    assert_eq!(r.status(), 200);
    let closed: Value = r.json().await.unwrap();
    assert_eq!(closed["lines"][0]["snapshot_on_hand"], 20, "{closed}");
    s.stop().await;
}

#[tokio::test]
async fn quantities_through_the_api_have_an_upper_limit() {
    let s = Server::start().await;
    let manager = s.manager.actor();
    let supplier = SupplierInput {
        name: "义乌市晨光服饰厂".into(),
        contact: "陈经理".into(),
        phone: "0579-85512345".into(),
        lead_time_days: 5,
        pack_size: 10,
    };
    s.app.add_supplier(&manager, &supplier).await.unwrap();
    let input = PurchaseOrderInput {
        supplier: supplier.name.clone(),
        warehouse: Some("HZ".into()),
        expected: None,
        note: "春季补货".into(),
        lines: vec![PurchaseLineInput {
            sku: SKU.into(),
            qty: 30,
            unit_cost: Some(Money::from_fen(4100)),
            expected: None,
        }],
    };
    let po = s.app.create_purchase_order(&manager, &input, chrono::Utc::now()).await.unwrap();
    s.app.place_purchase_order(&manager, &po.code, chrono::Utc::now()).await.unwrap();
    let before = (on_hand(&s).await, cost_and_price(&s).await);

    let token = s.token_for("cangku").await;
    for qty in [json!(MAX_QTY + 1), json!(i64::MAX), json!("9223372036854775807")] {
        let r = client()
            .post(s.url(&format!("/api/v1/purchase-orders/{}/receive", po.code)))
            .bearer_auth(&token)
            .json(&json!({"lines": [{"sku": SKU, "qty": qty}], "note": "整柜到货"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422, "{qty}");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], "invalid_input");
        assert!(body["error"]["message"].as_str().unwrap().contains(&MAX_QTY.to_string()), "{body}");
    }
    for (path, body) in [
        (format!("/api/v1/stock/{SKU}/adjust"), json!({"warehouse": "HZ", "qty": MAX_QTY + 1, "reason": "盘盈"})),
        (format!("/api/v1/stock/{SKU}/adjust"), json!({"warehouse": "HZ", "qty": i64::MIN, "reason": "报损"})),
        (format!("/api/v1/stock/{SKU}/transfer"), json!({"from": "HZ", "to": "GZ", "qty": MAX_QTY + 1})),
    ] {
        let r = client().post(s.url(&path)).bearer_auth(&token).json(&body).send().await.unwrap();
        assert_eq!(r.status(), 422, "{path} {body}");
        let body: Value = r.json().await.unwrap();
        assert!(body["error"]["message"].as_str().unwrap().contains("上限"), "{body}");
    }
    assert_eq!((on_hand(&s).await, cost_and_price(&s).await), before, "nothing changed");
    let detail = s.app.purchase_detail(&manager, &po.code).await.unwrap();
    assert_eq!(detail.lines[0].line.qty_received, 0);
    s.stop().await;
}

#[tokio::test]
async fn a_long_chinese_file_name_uploads() {
    let s = Server::start().await;
    let b = login(&s, "admin", ADMIN_PASSWORD).await;
    // 102 characters, 306 bytes: over the 255 bytes a Linux file name may have.
    let name = format!("{}.csv", "杭州暖阳服饰有限公司二零二四年双十一大促全店商品资料及期初库存".repeat(3));
    assert!(name.len() > 255);
    let sheet = format!("商家编码,库存\n{SKU},22\n");
    let r = upload(&s, &b, "/imports", &[("kind", None, b"products"), ("file", Some(&name), sheet.as_bytes())]).await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    let (_, html) = get_html(&s, &b, r.headers()["location"].to_str().unwrap()).await;
    assert!(html.contains("杭州暖阳服饰有限公司二零二四年双十一"), "the name is shown, shortened");
    assert_eq!(on_hand(&s).await, 22);
    s.stop().await;
}

#[tokio::test]
async fn bulk_shipping_takes_a_small_body() {
    let s = Server::start().await;
    let b = login(&s, "cangku", PASSWORD).await;
    // A little over 10 MB of file: refused before anything ships.
    let big = vec![b'x'; 10 * 1024 * 1024 + 1024];
    let lines = format!("{},中通快递,78000000012345", s.tid);
    let r = upload(
        &s,
        &b,
        "/orders/ship-bulk",
        &[
            ("carrier", None, "中通快递".as_bytes()),
            ("lines", None, lines.as_bytes()),
            ("file", Some("发货.csv"), &big),
        ],
    )
    .await;
    let status = r.status().as_u16();
    let html = r.text().await.unwrap();
    assert!(status == 413 || status == 422, "{status}");
    assert!(html.contains("最多 10 MB"), "{html}");
    let trade = s.app.trade_detail(&s.manager.actor(), s.trade_id).await.unwrap().trade;
    assert_eq!(trade.status, TradeStatus::WaitSellerSendGoods, "nothing shipped");
    s.stop().await;
}

#[tokio::test]
async fn a_huge_page_number_is_a_page_past_the_end() {
    let s = Server::start().await;
    let b = login(&s, "cangku", PASSWORD).await;
    for page in ["9223372036854775807", "4611686018427387904", "1000001"] {
        let (status, html) = get_html(&s, &b, &format!("/stocktakes?page={page}")).await;
        assert_eq!(status, 200, "page {page}");
        assert!(!html.contains("看不懂这些筛选条件"), "a large page is understood");
    }
    s.stop().await;
}
