//! Purchasing (采购): purchase orders from draft to received, receipts into stock at the line's cost
//! with the moving-average cost they set, over and short receipts, refused transitions, and the list
//! of expected arrivals. Runs on every backend of `common::backends()`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{Duration, NaiveDate};
use common::*;
use zhanggui_app::purchasing::{PurchaseError, PurchaseLineInput, PurchaseOrderInput, ReceiptInput, SupplierInput};
use zhanggui_app::{App, Lang, UserFacing};
use zhanggui_domain::{ArrivalState, Money, MoveKind, PurchaseStatus, ReceiptVariance};

const SUPPLIER: &str = "广州白云区织锦服装厂";

async fn supplier(app: &App, fx: &Fixture) {
    let input = SupplierInput {
        name: SUPPLIER.into(),
        contact: "陈经理".into(),
        phone: "13802456718".into(),
        lead_time_days: 10,
        pack_size: 10,
    };
    app.add_supplier(&fx.actor, &input).await.expect("supplier");
}

fn day(offset_days: i64) -> NaiveDate {
    // t0 is 2024-06-18 20:00 in Asia/Shanghai.
    NaiveDate::from_ymd_opt(2024, 6, 18).unwrap() + Duration::days(offset_days)
}

fn line(sku: &str, qty: i64, cost: &str) -> PurchaseLineInput {
    PurchaseLineInput { sku: sku.into(), qty, unit_cost: Some(yuan(cost)), expected: None }
}

fn receipt(sku: &str, qty: i64, note: &str) -> ReceiptInput {
    ReceiptInput { sku: sku.into(), qty, note: note.into() }
}

async fn in_transit(app: &App, fx: &Fixture, code: &str) -> i64 {
    let mut tx = app.db.begin_read().await.unwrap();
    let rows = tx.in_transit(fx.company_id).await.unwrap();
    tx.commit().await.unwrap();
    rows.iter().find(|(sku, _)| *sku == fx.sku(code).id).map(|(_, q)| *q).unwrap_or(0)
}

async fn sku_cost(app: &App, fx: &Fixture, code: &str) -> Money {
    let mut tx = app.db.begin_read().await.unwrap();
    let sku = tx.sku_by_code(fx.company_id, code).await.unwrap().unwrap();
    tx.commit().await.unwrap();
    sku.cost
}

async fn on_hand_everywhere(app: &App, fx: &Fixture, code: &str) -> i64 {
    fx.stock(app, code, "HZ").await.0 + fx.stock(app, code, "GZ").await.0
}

/// Moving average the long way: value of what is on hand plus the receipt, over the units, to the
/// nearest fen (halves up).
fn expected_average(on_hand: i64, old: Money, qty: i64, cost: Money) -> Money {
    let value = on_hand * old.fen() + qty * cost.fen();
    let units = on_hand + qty;
    let whole = value / units;
    let rest = value % units;
    Money::from_fen(if rest * 2 >= units { whole + 1 } else { whole })
}

#[tokio::test]
async fn a_purchase_order_goes_from_draft_to_received_and_stock_and_cost_follow() {
    on_every_backend("purchase_order_lifecycle", |cx| async move {
        let app = &cx.app;
        let fx = build_shop(app).await;
        supplier(app, &fx).await;
        let input = PurchaseOrderInput {
            supplier: SUPPLIER.into(),
            warehouse: Some("HZ".into()),
            expected: Some(day(5)),
            note: "618 返单".into(),
            lines: vec![line(JEANS_BLUE_27, 20, "70.00"), line(TEE_BLACK_M, 30, "30.00")],
        };
        let po = app.create_purchase_order(&fx.actor, &input, at(0)).await.expect("draft");
        assert_eq!(po.code, "PO20240618-001");
        assert_eq!(po.status, PurchaseStatus::Draft);
        assert_eq!((po.qty_ordered, po.qty_received), (50, 0));
        assert_eq!(po.amount, yuan("2300.00"));
        assert_eq!(in_transit(app, &fx, JEANS_BLUE_27).await, 0, "a draft is not in transit");
        assert!(app.expected_arrivals(&fx.actor, at(0)).await.unwrap().is_empty());

        app.place_purchase_order(&fx.actor, &po.code, at(10)).await.expect("place");
        assert_eq!(in_transit(app, &fx, JEANS_BLUE_27).await, 20);
        assert_eq!(in_transit(app, &fx, TEE_BLACK_M).await, 30);
        let arrivals = app.expected_arrivals(&fx.actor, at(10)).await.unwrap();
        assert_eq!(arrivals.len(), 2);
        assert!(arrivals.iter().all(|a| a.state == ArrivalState::Upcoming && a.expected_day == Some(day(5))));

        // First arrival: part of the jeans.
        let before = fx.stock(app, JEANS_BLUE_27, "HZ").await;
        let held = on_hand_everywhere(app, &fx, JEANS_BLUE_27).await;
        let old_cost = sku_cost(app, &fx, JEANS_BLUE_27).await;
        let detail = app
            .receive_purchase_order(&fx.actor, &po.code, &[receipt(JEANS_BLUE_27, 12, "")], at(60 * 24 * 4))
            .await
            .expect("first arrival");
        assert_eq!(detail.order.status, PurchaseStatus::PartiallyReceived);
        assert_eq!(fx.stock(app, JEANS_BLUE_27, "HZ").await.0, before.0 + 12);
        assert_eq!(
            sku_cost(app, &fx, JEANS_BLUE_27).await,
            expected_average(held, old_cost, 12, yuan("70.00")),
            "moving-average cost after the first arrival"
        );
        assert_eq!(in_transit(app, &fx, JEANS_BLUE_27).await, 8);
        let jeans = detail.lines.iter().find(|l| l.line.outer_sku_id == JEANS_BLUE_27).unwrap();
        assert_eq!(jeans.variance, ReceiptVariance::Short(8));

        // The rest arrives.
        let held = on_hand_everywhere(app, &fx, JEANS_BLUE_27).await;
        let mid_cost = sku_cost(app, &fx, JEANS_BLUE_27).await;
        let tee_held = on_hand_everywhere(app, &fx, TEE_BLACK_M).await;
        let tee_cost = sku_cost(app, &fx, TEE_BLACK_M).await;
        let detail = app
            .receive_purchase_order(
                &fx.actor,
                &po.code,
                &[receipt(JEANS_BLUE_27, 8, ""), receipt(TEE_BLACK_M, 30, "")],
                at(60 * 24 * 5),
            )
            .await
            .expect("second arrival");
        assert_eq!(detail.order.status, PurchaseStatus::Received);
        assert!(detail.order.closed_at.is_some());
        assert!(detail.lines.iter().all(|l| l.variance == ReceiptVariance::Exact));
        assert_eq!(detail.receipts.len(), 3);
        assert_eq!(detail.receipts.iter().map(|r| r.qty).sum::<i64>(), 50);
        assert_eq!(sku_cost(app, &fx, JEANS_BLUE_27).await, expected_average(held, mid_cost, 8, yuan("70.00")));
        assert_eq!(sku_cost(app, &fx, TEE_BLACK_M).await, expected_average(tee_held, tee_cost, 30, yuan("30.00")));
        assert_eq!(in_transit(app, &fx, JEANS_BLUE_27).await, 0);
        assert_eq!(in_transit(app, &fx, TEE_BLACK_M).await, 0);
        assert!(app.expected_arrivals(&fx.actor, at(0)).await.unwrap().is_empty());

        // The ledger holds the receipts at the line's cost, pointing at the order.
        let mut tx = app.db.begin_read().await.unwrap();
        let moves = tx.sku_moves(fx.sku(JEANS_BLUE_27).id, 100).await.unwrap();
        tx.commit().await.unwrap();
        let receipts: Vec<_> =
            moves.iter().filter(|m| m.kind == MoveKind::PurchaseReceipt && m.ref_type == "purchase_order").collect();
        assert_eq!(receipts.iter().map(|m| m.qty).sum::<i64>(), 20);
        assert!(receipts.iter().all(|m| m.unit_cost == yuan("70.00") && m.ref_id == Some(po.id)));

        // Numbering goes on within the day.
        let second = app.create_purchase_order(&fx.actor, &input, at(30)).await.unwrap();
        assert_eq!(second.code, "PO20240618-002");
    })
    .await;
}

#[tokio::test]
async fn over_receipts_need_a_reason_and_short_orders_are_closed() {
    on_every_backend("purchase_over_and_short", |cx| async move {
        let app = &cx.app;
        let fx = build_shop(app).await;
        supplier(app, &fx).await;
        let input = PurchaseOrderInput {
            supplier: SUPPLIER.into(),
            warehouse: Some("GZ".into()),
            expected: Some(day(3)),
            note: String::new(),
            lines: vec![line(CUP_PINK_500, 24, "35.00"), line(TEE_WHITE_L, 10, "31.00")],
        };
        let po = app.create_purchase_order(&fx.actor, &input, at(0)).await.unwrap();
        app.place_purchase_order(&fx.actor, &po.code, at(1)).await.unwrap();

        // 30 cups arrive for 24 ordered: refused without a reason, and nothing is booked.
        let stock_before = fx.stock(app, CUP_PINK_500, "GZ").await;
        let err = app
            .receive_purchase_order(
                &fx.actor,
                &po.code,
                &[receipt(TEE_WHITE_L, 4, ""), receipt(CUP_PINK_500, 30, "")],
                at(5),
            )
            .await
            .unwrap_err();
        assert!(matches!(err, PurchaseError::Invalid { field: "note", .. }), "{err:?}");
        assert!(err.message(Lang::Zh).contains("超收"));
        assert_eq!(fx.stock(app, CUP_PINK_500, "GZ").await, stock_before);
        assert_eq!(
            fx.stock(app, TEE_WHITE_L, "GZ").await.0,
            0,
            "the good receipt of the same request is not kept either"
        );
        let detail = app.purchase_detail(&fx.actor, &po.code).await.unwrap();
        assert_eq!(detail.order.status, PurchaseStatus::Ordered);
        assert!(detail.receipts.is_empty());

        // With a reason it is booked, and the line shows the over-receipt.
        let detail = app
            .receive_purchase_order(
                &fx.actor,
                &po.code,
                &[receipt(CUP_PINK_500, 30, "厂家多发6个，已与陈经理确认按原价结算")],
                at(6),
            )
            .await
            .unwrap();
        let cups = detail.lines.iter().find(|l| l.line.outer_sku_id == CUP_PINK_500).unwrap();
        assert_eq!(cups.variance, ReceiptVariance::Over(6));
        assert_eq!(detail.order.status, PurchaseStatus::PartiallyReceived, "the tees are still due");
        assert_eq!(fx.stock(app, CUP_PINK_500, "GZ").await.0, stock_before.0 + 30);

        // Only 6 of 10 tees come; the supplier will send no more: close short.
        app.receive_purchase_order(&fx.actor, &po.code, &[receipt(TEE_WHITE_L, 6, "")], at(7)).await.unwrap();
        assert_eq!(in_transit(app, &fx, TEE_WHITE_L).await, 4);
        app.close_purchase_order_short(&fx.actor, &po.code, at(8)).await.unwrap();
        let detail = app.purchase_detail(&fx.actor, &po.code).await.unwrap();
        assert_eq!(detail.order.status, PurchaseStatus::Received);
        let tees = detail.lines.iter().find(|l| l.line.outer_sku_id == TEE_WHITE_L).unwrap();
        assert_eq!(tees.variance, ReceiptVariance::Short(4));
        assert_eq!(in_transit(app, &fx, TEE_WHITE_L).await, 0, "a closed order is no longer in transit");
        assert!(app.expected_arrivals(&fx.actor, at(9)).await.unwrap().is_empty());
    })
    .await;
}

#[tokio::test]
async fn refused_steps_change_nothing() {
    on_every_backend("purchase_refusals", |cx| async move {
        let app = &cx.app;
        let fx = build_shop(app).await;
        supplier(app, &fx).await;
        let input = PurchaseOrderInput {
            supplier: SUPPLIER.into(),
            warehouse: None,
            expected: None,
            note: String::new(),
            lines: vec![line(TEE_BLACK_M, 10, "30.00")],
        };
        let unknown = PurchaseOrderInput { supplier: "不存在的工厂".into(), ..input.clone() };
        assert!(matches!(
            app.create_purchase_order(&fx.actor, &unknown, at(0)).await,
            Err(PurchaseError::UnknownSupplier(_))
        ));
        let bad_sku = PurchaseOrderInput { lines: vec![line("NO-SUCH-SKU", 1, "1.00")], ..input.clone() };
        assert!(matches!(
            app.create_purchase_order(&fx.actor, &bad_sku, at(0)).await,
            Err(PurchaseError::UnknownSku(_))
        ));
        let zero = PurchaseOrderInput { lines: vec![line(TEE_BLACK_M, 0, "1.00")], ..input.clone() };
        assert!(matches!(app.create_purchase_order(&fx.actor, &zero, at(0)).await, Err(PurchaseError::Invalid { .. })));
        assert!(app.purchase_orders(&fx.actor, None, None).await.unwrap().is_empty(), "refused drafts leave nothing");

        let po = app.create_purchase_order(&fx.actor, &input, at(0)).await.unwrap();
        let stock_before = fx.stock(app, TEE_BLACK_M, "HZ").await;
        let err =
            app.receive_purchase_order(&fx.actor, &po.code, &[receipt(TEE_BLACK_M, 10, "")], at(1)).await.unwrap_err();
        assert_eq!(err.code(), "illegal_transition", "a draft cannot receive: {err:?}");
        assert!(err.message(Lang::Zh).contains("草稿"));
        app.place_purchase_order(&fx.actor, &po.code, at(2)).await.unwrap();
        let again = app.place_purchase_order(&fx.actor, &po.code, at(3)).await.unwrap_err();
        assert_eq!(again.code(), "illegal_transition");
        let not_on_order =
            app.receive_purchase_order(&fx.actor, &po.code, &[receipt(JEANS_BLUE_27, 1, "")], at(4)).await.unwrap_err();
        assert!(matches!(not_on_order, PurchaseError::Invalid { field: "sku", .. }));
        app.receive_purchase_order(&fx.actor, &po.code, &[receipt(TEE_BLACK_M, 3, "")], at(5)).await.unwrap();
        let cancel = app.cancel_purchase_order(&fx.actor, &po.code, at(6)).await.unwrap_err();
        assert!(cancel.message(Lang::Zh).contains("结案"), "{}", cancel.message(Lang::Zh));
        assert_eq!(fx.stock(app, TEE_BLACK_M, "HZ").await.0, stock_before.0 + 3);
        let missing = app.purchase_detail(&fx.actor, "PO19990101-001").await.unwrap_err();
        assert_eq!(missing.code(), "not_found");

        // A draft can be cancelled; then nothing more happens to it.
        let draft = app.create_purchase_order(&fx.actor, &input, at(7)).await.unwrap();
        app.cancel_purchase_order(&fx.actor, &draft.code, at(8)).await.unwrap();
        assert!(app.place_purchase_order(&fx.actor, &draft.code, at(9)).await.is_err());
        let cancelled = app.purchase_orders(&fx.actor, Some(PurchaseStatus::Cancelled), None).await.unwrap();
        assert_eq!(cancelled.len(), 1);
        assert_eq!(cancelled[0].code, draft.code);
        assert_eq!(app.purchase_orders(&fx.actor, None, Some(SUPPLIER)).await.unwrap().len(), 2);
    })
    .await;
}

#[tokio::test]
async fn late_arrivals_come_first() {
    on_every_backend("purchase_arrivals", |cx| async move {
        let app = &cx.app;
        let fx = build_shop(app).await;
        supplier(app, &fx).await;
        let mut codes = Vec::new();
        for (expected, sku) in [
            (Some(day(2)), TEE_WHITE_L),
            (Some(day(-1)), JEANS_BLUE_27),
            (None, CUP_PINK_500),
            (Some(day(0)), TEE_BLACK_M),
        ] {
            let input = PurchaseOrderInput {
                supplier: SUPPLIER.into(),
                warehouse: Some("HZ".into()),
                expected,
                note: String::new(),
                lines: vec![line(sku, 10, "20.00")],
            };
            let po = app.create_purchase_order(&fx.actor, &input, at(-60 * 24 * 7)).await.unwrap();
            app.place_purchase_order(&fx.actor, &po.code, at(-60 * 24 * 7)).await.unwrap();
            codes.push(po.code);
        }
        let arrivals = app.expected_arrivals(&fx.actor, at(0)).await.unwrap();
        let order: Vec<(&str, ArrivalState)> =
            arrivals.iter().map(|a| (a.row.outer_sku_id.as_str(), a.state)).collect();
        assert_eq!(
            order,
            vec![
                (JEANS_BLUE_27, ArrivalState::Late),
                (TEE_BLACK_M, ArrivalState::Today),
                (TEE_WHITE_L, ArrivalState::Upcoming),
                (CUP_PINK_500, ArrivalState::Unscheduled),
            ]
        );
        assert!(arrivals.iter().all(|a| a.remaining == 10));
    })
    .await;
}

/// 补货需求表 → purchase orders: the suggested quantities of the chosen SKUs, one draft per supplier,
/// all or none; SKUs with nothing to order or no supplier are listed; the order sheet for the
/// supplier carries its lines.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn purchase_orders_from_the_replenishment_table() {
    on_every_backend("purchase_from_replenishment", |cx| async move {
        let app = &cx.app;
        let fx = build_shop(app).await;
        supplier(app, &fx).await;
        assert_eq!(app.assign_supplier(&fx.actor, SUPPLIER, &["TS2401".into()]).await.expect("assign"), 1);
        let err =
            app.assign_supplier(&fx.actor, SUPPLIER, &["JN2403".into(), "NOPE".into()]).await.expect_err("all or none");
        assert!(err.message(Lang::Zh).contains("NOPE"));
        for (tid, lines) in
            [("5102938475700001", &[(TEE_BLACK_M, 7)][..]), ("5102938475700002", &[(JEANS_BLUE_27, 2)][..])]
        {
            let id =
                app.create_trade(&fx.actor, &fx.trade(fx.taobao, tid, "爱喝奶茶的兔子", lines)).await.expect("create");
            app.pay_trade(&fx.actor, id, at(1)).await.expect("pay");
        }
        let table = app.replenishment_report(&fx.actor, None, Some(day(0)), at(60)).await.expect("table");
        let want = |code: &str| table.lines.iter().find(|r| r.sku_code == code).map(|r| r.suggested_qty).unwrap_or(0);
        assert!(want(TEE_BLACK_M) > 0 && want(TEE_BLACK_M) % 10 == 0, "a need in packs of 10: {}", want(TEE_BLACK_M));
        assert!(want(JEANS_BLUE_27) > 0);
        let count = || async { app.purchase_orders(&fx.actor, None, None).await.expect("orders").len() };

        // An unknown SKU refuses the whole request.
        let err = app
            .purchase_orders_from_replenishment(
                &fx.actor,
                &[TEE_BLACK_M.into(), "XX-0".into()],
                Some(day(0)),
                None,
                at(60),
            )
            .await
            .expect_err("unknown SKU");
        assert!(matches!(err, PurchaseError::UnknownSku(_)));
        assert_eq!(count().await, 0);

        let made =
            app.purchase_orders_from_replenishment(&fx.actor, &[], Some(day(0)), None, at(60)).await.expect("orders");
        assert_eq!(made.orders.len(), 1, "one supplier");
        let po = &made.orders[0];
        assert_eq!(
            (po.supplier_name.as_str(), po.status, po.qty_ordered),
            (SUPPLIER, PurchaseStatus::Draft, want(TEE_BLACK_M))
        );
        assert_eq!(
            po.expected_at.map(|t| zhanggui_app::clock::local_day(t, chrono_tz::Asia::Shanghai)),
            Some(day(10)),
            "after the supplier's lead time"
        );
        let skipped: Vec<&str> = made.skipped.iter().map(|s| s.sku.as_str()).collect();
        assert_eq!(skipped, [JEANS_BLUE_27], "the jeans have no supplier");
        assert_eq!(count().await, 1);

        let sheet = app.purchase_order_sheet(&fx.actor, &po.code).await.expect("sheet");
        assert_eq!(sheet[1].rows.len(), 1);
        assert_eq!(sheet[1].rows[0][0].text(), TEE_BLACK_M);
        assert_eq!(sheet[1].rows[0][3].text(), want(TEE_BLACK_M).to_string());
        assert_eq!(sheet[1].rows[0][5].text(), "32.50", "the SKU's cost");
        assert!(zhanggui_app::formats::report::xlsx_bytes(&sheet).expect("xlsx").starts_with(b"PK"));

        // Choosing a SKU with nothing to order drafts nothing.
        let none = app
            .purchase_orders_from_replenishment(&fx.actor, &[TEE_WHITE_L.into()], Some(day(0)), None, at(60))
            .await
            .expect("nothing");
        assert!(none.orders.is_empty());
        assert_eq!(none.skipped.len(), 1);
        assert_eq!(count().await, 1);
    })
    .await;
}

/// An order's history: drafted, placed, each receipt, closed short, with who placed and closed it
/// from the audit log; and the supplier of each SKU through its product.
#[tokio::test]
async fn an_orders_history_and_the_suppliers_of_skus() {
    on_every_backend("purchase_history", |cx| async move {
        let app = &cx.app;
        let fx = build_shop(app).await;
        supplier(app, &fx).await;
        app.assign_supplier(&fx.actor, SUPPLIER, &["TS2401".into()]).await.unwrap();
        let skus = app.skus_with_suppliers(&fx.actor).await.unwrap();
        let tee = skus.iter().find(|s| s.outer_sku_id == TEE_BLACK_M).unwrap();
        assert_eq!((tee.product_code.as_str(), tee.supplier_name.as_deref()), ("TS2401", Some(SUPPLIER)));
        assert!(skus.iter().find(|s| s.outer_sku_id == JEANS_BLUE_27).unwrap().supplier_id.is_none());

        let input = PurchaseOrderInput {
            supplier: SUPPLIER.into(),
            warehouse: Some("HZ".into()),
            expected: Some(day(5)),
            note: String::new(),
            lines: vec![line(TEE_BLACK_M, 20, "30.00")],
        };
        let po = app.create_purchase_order(&fx.actor, &input, at(0)).await.unwrap();
        app.place_purchase_order(&fx.actor, &po.code, at(10)).await.unwrap();
        app.record_audit(&fx.actor, "purchase.place", &po.code, "status=draft", "status=ordered").await.unwrap();
        app.receive_purchase_order(&fx.actor, &po.code, &[receipt(TEE_BLACK_M, 12, "一箱破损退回")], at(20))
            .await
            .unwrap();
        app.close_purchase_order_short(&fx.actor, &po.code, at(30)).await.unwrap();
        let (d, history) = app.purchase_detail_with_history(&fx.actor, &po.code).await.unwrap();
        assert!(d.order.closed_short() && d.order.lines_short == 1);
        let events: Vec<&str> = history.iter().map(|h| h.event).collect();
        assert_eq!(events, ["created", "placed", "received", "closed_short"]);
        assert_eq!(history[1].user, fx.actor.user, "who placed it, from the audit log");
        assert_eq!(history[3].user, "", "closed outside the pages: nobody recorded");
        assert_eq!((history[2].qty, history[2].note.as_str()), (12, "一箱破损退回"));
        assert_eq!(history[2].label_zh(), "到货入库");
    })
    .await;
}
