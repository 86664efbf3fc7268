//! Purchasing (采购) over HTTP: who may do what, forms without the session token refused, bad input
//! named field by field and changing nothing, receipts moving stock and the moving-average cost,
//! purchase orders drafted from the replenishment table, and the same through the JSON API.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::Utc;
use common::*;
use serde_json::{Value, json};
use zhanggui_app::Actor;
use zhanggui_app::domain::{Money, PurchaseStatus};
use zhanggui_app::purchasing::SupplierInput;
use zhanggui_app::setup::SkuSpec;
use zhanggui_app::trading::{LineInput, TradeInput};
use zhanggui_app::users::Role;

const SUPPLIER: &str = "义乌市晨光服饰厂";

/// A purchasing clerk (caigou) and the T-shirt's supplier.
async fn with_purchasing(s: &Server) {
    s.app.create_user(&s.manager, "caigou", "采购小林", Role::Purchasing, PASSWORD).await.unwrap();
    let actor = s.manager.actor();
    let input = SupplierInput {
        name: SUPPLIER.into(),
        contact: "陈经理".into(),
        phone: "0579-85512345".into(),
        lead_time_days: 5,
        pack_size: 10,
    };
    s.app.add_supplier(&actor, &input).await.unwrap();
    s.app.assign_supplier(&actor, SUPPLIER, &["TS2401".to_string()]).await.unwrap();
}

/// Drafts an order of `qty` T-shirts at ¥41.00 through the form; returns its number.
async fn draft(b: &Browser, s: &Server, qty: &str) -> String {
    let expected = (Utc::now().with_timezone(&chrono_tz::Asia::Shanghai).date_naive() + chrono::Duration::days(5))
        .format("%Y-%m-%d")
        .to_string();
    let form = [
        ("csrf", b.csrf.as_str()),
        ("supplier", SUPPLIER),
        ("warehouse", "HZ"),
        ("expected", expected.as_str()),
        ("note", "春季补货"),
        ("sku_0", SKU),
        ("qty_0", qty),
        ("cost_0", "41.00"),
        ("action", "draft"),
    ];
    let r = post(s, b, "/purchasing/orders", &form).await;
    assert_eq!(r.status(), 303);
    let to = r.headers().get("location").unwrap().to_str().unwrap().to_string();
    assert!(to.starts_with("/purchasing/orders/PO") && to.ends_with("?ok=drafted"), "{to}");
    to.trim_start_matches("/purchasing/orders/").trim_end_matches("?ok=drafted").to_string()
}

fn line_id(d: &zhanggui_app::purchasing::PurchaseDetail) -> String {
    d.lines[0].line.id.to_string()
}

async fn on_hand_and_cost(s: &Server) -> (i64, Money) {
    let st = s.app.stock_show(&s.manager.actor(), SKU, 0).await.unwrap();
    (st.warehouses.iter().map(|w| w.on_hand).sum(), st.sku.cost)
}

#[tokio::test]
async fn each_role_does_only_its_part_of_purchasing() {
    let s = Server::start().await;
    with_purchasing(&s).await;
    let caigou = login(&s, "caigou", PASSWORD).await;
    let code = draft(&caigou, &s, "30").await;
    let place = format!("/purchasing/orders/{code}/place");

    // Customer service sees what is due to arrive, no orders, no costs, and changes nothing.
    let kefu = login(&s, "kefu", PASSWORD).await;
    assert_eq!(get(&s, &kefu, "/purchasing/arrivals").await.status(), 200);
    for path in ["/purchasing/orders", &format!("/purchasing/orders/{code}"), "/purchasing/suppliers"] {
        let r = get(&s, &kefu, path).await;
        assert_eq!(r.status(), 403, "{path}");
        assert!(r.text().await.unwrap().contains("没有权限"));
    }
    assert_eq!(post(&s, &kefu, &place, &[("csrf", kefu.csrf.as_str())]).await.status(), 403);

    // The warehouse receives, but neither places nor sees costs.
    let cangku = login(&s, "cangku", PASSWORD).await;
    assert_eq!(post(&s, &cangku, &place, &[("csrf", cangku.csrf.as_str())]).await.status(), 403);
    let r = post(&s, &cangku, "/purchasing/suppliers", &[("csrf", cangku.csrf.as_str()), ("name", "某厂")]).await;
    assert_eq!(r.status(), 403);
    assert_eq!(get(&s, &cangku, "/purchasing/orders/new").await.status(), 403);
    assert_eq!(get(&s, &cangku, "/purchasing/replenishment").await.status(), 403);
    assert_eq!(post(&s, &caigou, &place, &[("csrf", caigou.csrf.as_str())]).await.status(), 303);
    let html = get(&s, &cangku, &format!("/purchasing/orders/{code}")).await.text().await.unwrap();
    assert!(html.contains("receive-form") && html.contains(SKU), "the warehouse gets the receive form");
    assert!(!html.contains("¥41.00") && !html.contains("¥1,230.00") && !html.contains("sheet-xlsx"), "no costs");
    assert_eq!(get(&s, &cangku, &format!("/purchasing/orders/{code}/xlsx")).await.status(), 403);
    let list = get(&s, &cangku, "/purchasing/orders").await.text().await.unwrap();
    assert!(list.contains(&code) && !list.contains("¥1,230.00"));
    let d = s.app.purchase_detail(&s.manager.actor(), &code).await.unwrap();
    let qty = format!("qty_{}", line_id(&d));
    let r = post(
        &s,
        &cangku,
        &format!("/purchasing/orders/{code}/receive"),
        &[("csrf", cangku.csrf.as_str()), (qty.as_str(), "10")],
    )
    .await;
    assert_eq!(r.status(), 303, "the warehouse receives goods");
    // Closing short is the buyer's decision, not the warehouse's.
    let close = format!("/purchasing/orders/{code}/close");
    assert_eq!(post(&s, &cangku, &close, &[("csrf", cangku.csrf.as_str())]).await.status(), 403);

    // Operations sees the orders with costs but does not buy.
    let yunying = login(&s, "yunying", PASSWORD).await;
    let html = get(&s, &yunying, &format!("/purchasing/orders/{code}")).await.text().await.unwrap();
    assert!(html.contains("¥41.00") && !html.contains("id=\"place\"") && !html.contains("receive-form"));
    let cancel = format!("/purchasing/orders/{code}/cancel");
    assert_eq!(post(&s, &yunying, &cancel, &[("csrf", yunying.csrf.as_str())]).await.status(), 403);

    // The API refuses the same, with a JSON error.
    let c = client();
    let token = s.token_for("kefu").await;
    let r = c.get(s.url("/api/v1/purchase-orders")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], "forbidden");
    let r = c.get(s.url("/api/v1/arrivals")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let token = s.token_for("cangku").await;
    let r = c
        .post(s.url("/api/v1/purchase-orders"))
        .bearer_auth(&token)
        .json(&json!({"supplier": SUPPLIER, "lines": [{"sku": SKU, "qty": 5}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let body: Value = c
        .get(s.url(&format!("/api/v1/purchase-orders/{code}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["order"]["code"], code.as_str());
    assert!(body["order"].get("amount").is_none() && body["lines"][0].get("unit_cost").is_none(), "{body}");
    assert_eq!(body["lines"][0]["qty_received"], 10);

    // Only what was allowed happened: one draft placed, ten received.
    let d = s.app.purchase_detail(&s.manager.actor(), &code).await.unwrap();
    assert_eq!((d.order.status, d.order.qty_received), (PurchaseStatus::PartiallyReceived, 10));
    assert_eq!(s.app.purchase_orders(&s.manager.actor(), None, None).await.unwrap().len(), 1);
    assert_eq!(s.app.suppliers(&s.manager.actor()).await.unwrap().len(), 1);
    s.stop().await;
}

#[tokio::test]
async fn purchasing_forms_need_the_session_token() {
    let s = Server::start().await;
    with_purchasing(&s).await;
    let b = login(&s, "caigou", PASSWORD).await;
    let code = draft(&b, &s, "30").await;
    let manager = s.manager.actor();
    for token in ["", "deadbeef"] {
        let form = [("csrf", token), ("supplier", SUPPLIER), ("sku_0", SKU), ("qty_0", "5"), ("action", "draft")];
        assert_eq!(post(&s, &b, "/purchasing/orders", &form).await.status(), 403);
        let r = post(&s, &b, &format!("/purchasing/orders/{code}/place"), &[("csrf", token)]).await;
        assert_eq!(r.status(), 403);
        assert!(r.text().await.unwrap().contains("表单已失效"));
        let r = post(&s, &b, "/purchasing/suppliers", &[("csrf", token), ("name", "绍兴柯桥布行")]).await;
        assert_eq!(r.status(), 403);
        let r = post(
            &s,
            &b,
            "/purchasing/suppliers/assign",
            &[("csrf", token), ("supplier", SUPPLIER), ("product", "TS2401")],
        )
        .await;
        assert_eq!(r.status(), 403);
        let r = post(&s, &b, "/purchasing/replenishment", &[("csrf", token), ("sku", SKU)]).await;
        assert_eq!(r.status(), 403);
    }
    assert_eq!(s.app.purchase_detail(&manager, &code).await.unwrap().order.status, PurchaseStatus::Draft);
    s.app.place_purchase_order(&manager, &code, Utc::now()).await.unwrap();
    let d = s.app.purchase_detail(&manager, &code).await.unwrap();
    let qty = format!("qty_{}", line_id(&d));
    let r = post(&s, &b, &format!("/purchasing/orders/{code}/receive"), &[(qty.as_str(), "10")]).await;
    assert_eq!(r.status(), 403);
    assert_eq!(on_hand_and_cost(&s).await, (20, Money::from_fen(3500)), "nothing was received");
    assert_eq!(s.app.purchase_orders(&manager, None, None).await.unwrap().len(), 1);
    assert_eq!(s.app.suppliers(&manager).await.unwrap().len(), 1);
    // A page without a login goes to the login.
    let r = client().get(s.url("/purchasing/orders")).send().await.unwrap();
    assert_eq!(r.status(), 303);
    s.stop().await;
}

#[tokio::test]
async fn bad_input_is_named_field_by_field_and_changes_nothing() {
    let s = Server::start().await;
    with_purchasing(&s).await;
    let b = login(&s, "caigou", PASSWORD).await;
    let manager = s.manager.actor();

    // The new order form: each wrong field says what is wrong, and what was typed stays.
    let form = [
        ("csrf", b.csrf.as_str()),
        ("supplier", ""),
        ("expected", "2020-01-01"),
        ("sku_0", SKU),
        ("qty_0", "二十"),
        ("cost_0", "41"),
        ("sku_1", "TS2401-BLK-M"),
        ("qty_1", "5"),
        ("cost_1", "四十"),
        ("action", "draft"),
    ];
    let r = post(&s, &b, "/purchasing/orders", &form).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"err-supplier\"") && html.contains("请选择供应商"), "{html}");
    assert!(html.contains("id=\"err-expected\"") && html.contains("不能早于今天"));
    assert!(html.contains("id=\"err-qty-0\"") && html.contains("数量要写整数"));
    assert!(html.contains("id=\"err-sku-1\"") && html.contains("重复"));
    assert!(html.contains("id=\"err-cost-1\"") && html.contains("单价要写成金额"));
    assert!(html.contains("value=\"二十\"") && html.contains("value=\"四十\""), "what was typed is kept");
    // An unknown SKU is named on its line; nothing of the order is kept.
    let form = [
        ("csrf", b.csrf.as_str()),
        ("supplier", SUPPLIER),
        ("sku_0", SKU),
        ("qty_0", "20"),
        ("sku_1", "TS9999-RED-XL"),
        ("qty_1", "5"),
        ("action", "place"),
    ];
    let r = post(&s, &b, "/purchasing/orders", &form).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"err-sku-1\"") && html.contains("找不到商家编码 TS9999-RED-XL"), "{html}");
    let r = post(
        &s,
        &b,
        "/purchasing/orders",
        &[("csrf", b.csrf.as_str()), ("supplier", "不存在的厂"), ("sku_0", SKU), ("qty_0", "1")],
    )
    .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("找不到供应商 不存在的厂"));
    assert!(s.app.purchase_orders(&manager, None, None).await.unwrap().is_empty(), "no order was made");

    // Receipts: on a draft, nothing; more than due without a note, nothing; a negative, nothing.
    let code = draft(&b, &s, "30").await;
    let d = s.app.purchase_detail(&manager, &code).await.unwrap();
    let qty = format!("qty_{}", line_id(&d));
    let receive = format!("/purchasing/orders/{code}/receive");
    let r = post(&s, &b, &receive, &[("csrf", b.csrf.as_str()), (qty.as_str(), "10")]).await;
    assert_eq!(r.status(), 409);
    assert!(r.text().await.unwrap().contains("草稿还没有下单"));
    assert_eq!(
        post(&s, &b, &format!("/purchasing/orders/{code}/place"), &[("csrf", b.csrf.as_str())]).await.status(),
        303
    );
    let r = post(&s, &b, &receive, &[("csrf", b.csrf.as_str()), (qty.as_str(), "32"), ("note", "  ")]).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"err-note\"") && html.contains("超收 2") && html.contains("超收必须填写说明"), "{html}");
    assert!(html.contains("value=\"32\""));
    for bad in ["-3", "十", ""] {
        let r = post(&s, &b, &receive, &[("csrf", b.csrf.as_str()), (qty.as_str(), bad)]).await;
        assert_eq!(r.status(), 422, "{bad:?}");
    }
    let r = post(&s, &b, &format!("/purchasing/orders/{code}/close"), &[("csrf", b.csrf.as_str())]).await;
    assert_eq!(r.status(), 409, "nothing arrived yet: cancel, not close");
    assert_eq!(on_hand_and_cost(&s).await, (20, Money::from_fen(3500)));
    let d = s.app.purchase_detail(&manager, &code).await.unwrap();
    assert!(d.receipts.is_empty() && d.order.status == PurchaseStatus::Ordered);

    // Suppliers: the field that is wrong, and a name taken.
    let r = post(
        &s,
        &b,
        "/purchasing/suppliers",
        &[("csrf", b.csrf.as_str()), ("name", "绍兴柯桥布行"), ("pack_size", "0")],
    )
    .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"err-pack\"") && html.contains("value=\"绍兴柯桥布行\""));
    let r = post(&s, &b, "/purchasing/suppliers", &[("csrf", b.csrf.as_str()), ("name", SUPPLIER)]).await;
    assert_eq!(r.status(), 409);
    assert!(r.text().await.unwrap().contains("id=\"err-name\""));
    let r = post(&s, &b, "/purchasing/suppliers/assign", &[("csrf", b.csrf.as_str()), ("supplier", SUPPLIER)]).await;
    assert_eq!(r.status(), 422, "no product ticked");
    let r = post(
        &s,
        &b,
        "/purchasing/suppliers/assign",
        &[("csrf", b.csrf.as_str()), ("supplier", SUPPLIER), ("product", "TS2401"), ("product", "XX0000")],
    )
    .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("找不到商品款号 XX0000"));
    assert_eq!(s.app.suppliers(&manager).await.unwrap().len(), 1);

    // The API names the fields too.
    let c = client();
    let token = s.token_for("admin").await;
    let r = c
        .post(s.url("/api/v1/purchase-orders"))
        .bearer_auth(&token)
        .json(
            &json!({"supplier": SUPPLIER, "lines": [{"sku": SKU, "qty": 0}, {"sku": "", "qty": 2, "unit_cost": "-1"}]}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid_input");
    for field in ["qty_0", "sku_1", "cost_1"] {
        assert!(body["error"]["fields"][field].is_string(), "{field}: {body}");
    }
    let r = c
        .post(s.url(&format!("/api/v1/purchase-orders/{code}/receive")))
        .bearer_auth(&token)
        .json(&json!({"lines": [{"sku": SKU, "qty": 31}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let r = c.post(s.url("/api/v1/purchase-orders")).bearer_auth(&token).body("not json").send().await.unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(s.app.purchase_orders(&manager, None, None).await.unwrap().len(), 1);
    assert_eq!(on_hand_and_cost(&s).await, (20, Money::from_fen(3500)));
    s.stop().await;
}

#[tokio::test]
async fn receipts_move_stock_and_the_moving_average_cost() {
    let s = Server::start().await;
    with_purchasing(&s).await;
    let b = login(&s, "caigou", PASSWORD).await;
    let manager = s.manager.actor();
    let code = draft(&b, &s, "30").await;
    let html =
        follow(&s, &b, post(&s, &b, &format!("/purchasing/orders/{code}/place"), &[("csrf", b.csrf.as_str())]).await)
            .await;
    assert!(html.contains("已下单") && html.contains("id=\"receive-form\""), "{html}");
    let arrivals = get(&s, &b, "/purchasing/arrivals").await.text().await.unwrap();
    assert!(arrivals.contains(&code) && arrivals.contains("待到货"), "{arrivals}");

    // 20 on hand at ¥35.00; 10 arrive at ¥41.00: (700 + 410) / 30 = ¥37.00.
    let d = s.app.purchase_detail(&manager, &code).await.unwrap();
    let qty = format!("qty_{}", line_id(&d));
    let receive = format!("/purchasing/orders/{code}/receive");
    let html = follow(&s, &b, post(&s, &b, &receive, &[("csrf", b.csrf.as_str()), (qty.as_str(), "10")]).await).await;
    assert!(html.contains("部分到货") && html.contains("还有未到的商品"), "{html}");
    assert_eq!(on_hand_and_cost(&s).await, (30, Money::from_fen(3700)));
    // 22 more, two over the order, with the reason: (30 × 37 + 22 × 41) / 52 = ¥38.69.
    let form = [("csrf", b.csrf.as_str()), (qty.as_str(), "22"), ("note", "供应商多发 2 件，已同意留下")];
    let html = follow(&s, &b, post(&s, &b, &receive, &form).await).await;
    assert!(html.contains("全部到齐") && html.contains("已到货"), "{html}");
    assert!(html.contains("供应商多发 2 件"), "the note is in the receipts and history");
    assert_eq!(on_hand_and_cost(&s).await, (52, Money::from_fen(3869)));
    let d = s.app.purchase_detail(&manager, &code).await.unwrap();
    assert_eq!(d.order.status, PurchaseStatus::Received);
    assert_eq!(d.lines[0].variance, zhanggui_app::domain::ReceiptVariance::Over(2));
    assert_eq!(d.receipts.iter().map(|r| r.qty).collect::<Vec<_>>(), vec![10, 22]);
    assert!(d.receipts.iter().all(|r| r.user_name == "caigou" && r.unit_cost == Money::from_fen(4100)));

    // The SKU page shows the stock and the new cost, its ledger the receipts linked to the order.
    let sku = get(&s, &b, &format!("/stock/sku?code={SKU}")).await.text().await.unwrap();
    assert!(sku.contains("id=\"on-hand\">52<") && sku.contains("¥38.69"), "{sku}");
    assert!(sku.contains("采购入库") && sku.contains(&format!("/purchasing/orders/{}", d.order.id)));
    // The books balance, and every step is in the audit log and the order's history.
    let mut tx = s.app.db.begin_read().await.unwrap();
    assert!(tx.ledger_mismatches(s.company_id).await.unwrap().is_empty());
    tx.commit().await.unwrap();
    let log = s.app.audit_log(&s.manager, 0, 50).await.unwrap();
    for action in ["purchase.create", "purchase.place", "purchase.receive"] {
        assert!(log.iter().any(|a| a.action == action && a.target == code && a.user_name == "caigou"), "{action}");
    }
    let (_, history) = s.app.purchase_detail_with_history(&manager, &code).await.unwrap();
    let events: Vec<&str> = history.iter().map(|h| h.event).collect();
    assert_eq!(events, vec!["created", "placed", "received", "received", "completed"]);
    assert_eq!(history[1].user, "caigou");
    let audit = get(&s, &login(&s, "admin", ADMIN_PASSWORD).await, "/settings/audit").await.text().await.unwrap();
    assert!(audit.contains("采购到货入库") && audit.contains("采购下单"));

    // A second order, partly received and closed short: the rest stops being in transit.
    let second = draft(&b, &s, "10").await;
    s.app.place_purchase_order(&manager, &second, Utc::now()).await.unwrap();
    let d = s.app.purchase_detail(&manager, &second).await.unwrap();
    let qty = format!("qty_{}", line_id(&d));
    let r = post(
        &s,
        &b,
        &format!("/purchasing/orders/{second}/receive"),
        &[("csrf", b.csrf.as_str()), (qty.as_str(), "4")],
    )
    .await;
    assert_eq!(r.status(), 303);
    let html =
        follow(&s, &b, post(&s, &b, &format!("/purchasing/orders/{second}/close"), &[("csrf", b.csrf.as_str())]).await)
            .await;
    assert!(html.contains("已结案（短收）") && html.contains("不再计入在途"), "{html}");
    let d = s.app.purchase_detail(&manager, &second).await.unwrap();
    assert!(d.order.closed_short());
    let arrivals = s.app.expected_arrivals(&manager, Utc::now()).await.unwrap();
    assert!(arrivals.is_empty(), "nothing is in transit any more");
    let list = get(&s, &b, "/purchasing/orders?status=received").await.text().await.unwrap();
    assert!(list.contains(&code) && list.contains(&second) && list.contains("已结案（短收）"));

    // The order sheet for the supplier.
    let r = get(&s, &b, &format!("/purchasing/orders/{code}/xlsx")).await;
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"].to_str().unwrap().contains("spreadsheetml"));
    assert!(r.bytes().await.unwrap().starts_with(b"PK"));
    let csv = get(&s, &b, &format!("/purchasing/orders/{code}/csv")).await.text().await.unwrap();
    assert!(csv.contains(&code) && csv.contains(SUPPLIER) && csv.contains("41.00") && csv.contains(SKU), "{csv}");
    let r = get(&s, &b, "/purchasing/orders/xlsx?status=received").await;
    assert_eq!(r.status(), 200);
    s.stop().await;
}

#[tokio::test]
async fn the_api_takes_an_order_from_draft_to_received() {
    let s = Server::start().await;
    with_purchasing(&s).await;
    let c = client();
    let token = s.token_for("admin").await;
    let api = |path: &str| s.url(&format!("/api/v1{path}"));
    let r = c
        .post(api("/suppliers"))
        .bearer_auth(&token)
        .json(&json!({"name": "绍兴柯桥布行", "contact": "王姐", "lead_time_days": 10, "pack_size": "20"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    assert_eq!(r.json::<Value>().await.unwrap()["pack_size"], 20);
    let r = c
        .post(api("/suppliers/绍兴柯桥布行/products"))
        .bearer_auth(&token)
        .json(&json!({"products": ["TS2401"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["products"][0]["code"], "TS2401");
    assert_eq!(body["products"][0]["skus"][0], SKU);
    let list: Value = c.get(api("/suppliers")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 2);

    let r = c
        .post(api("/purchase-orders"))
        .bearer_auth(&token)
        .json(&json!({"supplier": "绍兴柯桥布行", "warehouse": "HZ", "lines": [{"sku": SKU, "qty": 20, "unit_cost": "38.50"}], "place": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let body: Value = r.json().await.unwrap();
    let code = body["order"]["code"].as_str().unwrap().to_string();
    assert_eq!(body["order"]["status"], "ordered");
    assert_eq!(body["order"]["amount"], "770.00");
    let arrivals: Value = c.get(api("/arrivals")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    assert_eq!(arrivals["items"][0]["purchase_order_code"], code.as_str());
    assert_eq!(arrivals["items"][0]["state"], "unscheduled");
    let r = c
        .post(api(&format!("/purchase-orders/{code}/receive")))
        .bearer_auth(&token)
        .json(&json!({"lines": [{"sku": SKU, "qty": 8}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["order"]["status"], "partially_received");
    assert_eq!(body["lines"][0]["variance"], json!({"kind": "short", "qty": 12}));
    let r = c.post(api(&format!("/purchase-orders/{code}/cancel"))).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status(), 409, "goods arrived: close it instead");
    let r = c.post(api(&format!("/purchase-orders/{code}/close"))).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["closed_short"], true);
    let events: Vec<&str> = body["history"].as_array().unwrap().iter().map(|h| h["event"].as_str().unwrap()).collect();
    assert_eq!(events, vec!["created", "placed", "received", "closed_short"]);
    let list: Value =
        c.get(api("/purchase-orders?status=received")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    assert_eq!(list["items"][0]["code"], code.as_str());
    let r = c.get(api("/purchase-orders?status=shipped")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status(), 422);
    // 20 + 8 on hand: (20 × 35 + 8 × 38.50) / 28 = ¥36.00.
    assert_eq!(on_hand_and_cost(&s).await, (28, Money::from_fen(3600)));
    s.stop().await;
}

/// A second item from another supplier, a third with no supplier, and a week of sales of all three
/// so the replenishment table suggests ordering each.
async fn a_week_of_sales(s: &Server) {
    let actor = Actor { company_id: s.company_id, user: "setup".into() };
    for (product, sku, title, props) in [
        ("PT2402", "PT2402-GRY-L", "休闲长裤", "颜色分类:灰色;尺码:L"),
        ("SK2403", "SK2403-WHT-F", "百褶半身裙", "颜色分类:白色;尺码:均码"),
    ] {
        let spec = SkuSpec {
            outer_sku_id: sku.into(),
            properties: props.into(),
            price: Money::from_fen(15900),
            cost: Money::from_fen(6000),
        };
        s.app.create_product(s.company_id, product, title, "女装", &[spec]).await.unwrap();
        s.app.adjust_stock(&actor, sku, Some("HZ"), 20, "期初库存", Utc::now()).await.unwrap();
    }
    let input = SupplierInput {
        name: "常熟虞山制衣厂".into(),
        contact: "周厂长".into(),
        phone: String::new(),
        lead_time_days: 12,
        pack_size: 6,
    };
    s.app.add_supplier(&actor, &input).await.unwrap();
    s.app.assign_supplier(&actor, "常熟虞山制衣厂", &["PT2402".to_string()]).await.unwrap();
    let shop = s.app.shops(&actor).await.unwrap()[0].id;
    let today = Utc::now().with_timezone(&chrono_tz::Asia::Shanghai).date_naive();
    for back in 1..=7i64 {
        let paid = zhanggui_app::clock::day_start(today - chrono::Duration::days(back), chrono_tz::Asia::Shanghai)
            + chrono::Duration::hours(10);
        let input = TradeInput {
            shop_id: shop,
            tid: format!("R{back:02}"),
            buyer_nick: format!("tb_buyer_{back}"),
            created_at: paid - chrono::Duration::minutes(10),
            lines: [SKU, "PT2402-GRY-L", "SK2403-WHT-F"]
                .iter()
                .map(|code| LineInput {
                    outer_sku_id: code.to_string(),
                    price: Money::from_fen(9900),
                    qty: 2,
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        };
        let id = s.app.create_trade(&actor, &input).await.unwrap();
        s.app.pay_trade(&actor, id, paid).await.unwrap();
    }
}

#[tokio::test]
async fn purchase_orders_are_drafted_from_the_replenishment_table_one_per_supplier() {
    let s = Server::start().await;
    with_purchasing(&s).await;
    a_week_of_sales(&s).await;
    let b = login(&s, "caigou", PASSWORD).await;
    let manager = s.manager.actor();
    let report = s.app.replenishment_report(&manager, None, None, Utc::now()).await.unwrap();
    let suggested = |code: &str| report.lines.iter().find(|l| l.sku_code == code).unwrap().suggested_qty;
    assert!(suggested(SKU) > 0 && suggested("PT2402-GRY-L") > 0 && suggested("SK2403-WHT-F") > 0);

    let report_page = get(&s, &b, "/reports/replenishment").await.text().await.unwrap();
    assert!(report_page.contains("/purchasing/replenishment"), "the report leads to ordering");
    let html = get(&s, &b, "/purchasing/replenishment").await.text().await.unwrap();
    assert!(html.contains(&format!("id=\"pick-{SKU}\"")) && html.contains("id=\"pick-PT2402-GRY-L\""));
    assert!(!html.contains("id=\"pick-SK2403-WHT-F\"") && html.contains("未设置供应商"), "no supplier, no tick");

    // Nothing ticked: nothing made.
    let r = post(&s, &b, "/purchasing/replenishment", &[("csrf", b.csrf.as_str()), ("warehouse", "HZ")]).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("请勾选要下单的商品"));
    assert!(s.app.purchase_orders(&manager, None, None).await.unwrap().is_empty());

    let form = [
        ("csrf", b.csrf.as_str()),
        ("warehouse", "HZ"),
        ("date", report.date.as_str()),
        ("sku", SKU),
        ("sku", "PT2402-GRY-L"),
        ("sku", "SK2403-WHT-F"),
    ];
    let r = post(&s, &b, "/purchasing/replenishment", &form).await;
    assert_eq!(r.status(), 303);
    let to = r.headers().get("location").unwrap().to_str().unwrap().to_string();
    assert!(to.starts_with("/purchasing/orders?codes=") && to.contains("skip_supplier=SK2403-WHT-F"), "{to}");
    let list = get(&s, &b, &to).await.text().await.unwrap();
    assert!(list.contains("生成 2 张采购单草稿") && list.contains("SK2403-WHT-F"), "{list}");
    let orders = s.app.purchase_orders(&manager, Some(PurchaseStatus::Draft), None).await.unwrap();
    assert_eq!(orders.len(), 2);
    for o in &orders {
        assert!(list.contains(&o.code));
        let d = s.app.purchase_detail(&manager, &o.code).await.unwrap();
        assert_eq!(d.lines.len(), 1);
        let (sku, supplier) = match d.lines[0].line.outer_sku_id.as_str() {
            SKU => (SKU, SUPPLIER),
            other => (other, "常熟虞山制衣厂"),
        };
        assert_eq!(o.supplier_name, supplier);
        assert_eq!(d.lines[0].line.qty_ordered, suggested(sku));
        assert!(o.note.contains("补货需求表"));
    }
    let log = s.app.audit_log(&s.manager, 0, 50).await.unwrap();
    assert_eq!(log.iter().filter(|a| a.action == "purchase.create").count(), 2);

    // The same through the API: the SKU with a draft already counts nothing in transit until
    // placed, so it is drafted again; one without a supplier is left out with the reason.
    let token = s.token_for("caigou").await;
    let r = client()
        .post(s.url("/api/v1/purchase-orders/from-replenishment"))
        .bearer_auth(&token)
        .json(&json!({"skus": ["PT2402-GRY-L", "SK2403-WHT-F"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["orders"].as_array().unwrap().len(), 1);
    assert_eq!(body["skipped"][0]["sku"], "SK2403-WHT-F");
    let r = client()
        .post(s.url("/api/v1/purchase-orders/from-replenishment"))
        .bearer_auth(&token)
        .json(&json!({"skus": ["NO-SUCH-SKU"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(s.app.purchase_orders(&manager, None, None).await.unwrap().len(), 3);
    s.stop().await;
}
