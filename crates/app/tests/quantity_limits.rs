//! Upper limits of quantities and unit costs, on every backend: purchase order lines, receipts,
//! stocktake counts (typed and from a sheet), adjustments, transfers and receipts outside an order
//! take at most `MAX_QTY` units; a larger one is refused with the field named and nothing changes.
//! A count of the most units of a SKU with the highest cost a sheet can give is valued without
//! overflowing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use zhanggui_app::purchasing::{PurchaseError, PurchaseLineInput, PurchaseOrderInput, ReceiptInput, SupplierInput};
use zhanggui_app::stock::StockError;
use zhanggui_app::stocktake::{CountInput, StocktakeError};
use zhanggui_app::{Lang, UserFacing};
use zhanggui_domain::{CountResult, MAX_QTY, MAX_UNIT_COST, Money, StocktakeStatus};

const SUPPLIER: &str = "义乌市佳美日用品厂";

fn order(lines: Vec<PurchaseLineInput>) -> PurchaseOrderInput {
    PurchaseOrderInput {
        supplier: SUPPLIER.into(),
        warehouse: Some("HZ".into()),
        expected: None,
        note: "618 备货".into(),
        lines,
    }
}

fn line(qty: i64, cost: Money) -> PurchaseLineInput {
    PurchaseLineInput { sku: CUP_PINK_500.into(), qty, unit_cost: Some(cost), expected: None }
}

fn invalid_field(e: &PurchaseError) -> &'static str {
    match e {
        PurchaseError::Invalid { field, .. } => field,
        other => panic!("not a refused field: {other:?}"),
    }
}

#[tokio::test]
async fn purchase_lines_and_receipts_are_limited() {
    on_every_backend("limits_purchasing", |cx| async move {
        let app = &cx.app;
        let fx = build_shop(app).await;
        let supplier = SupplierInput {
            name: SUPPLIER.into(),
            contact: "周经理".into(),
            phone: "13957912345".into(),
            lead_time_days: 5,
            pack_size: 1,
        };
        app.add_supplier(&fx.actor, &supplier).await.unwrap();

        let e = app.create_purchase_order(&fx.actor, &order(vec![line(MAX_QTY + 1, yuan("35.00"))]), at(0)).await;
        let e = e.unwrap_err();
        assert_eq!((invalid_field(&e), e.code()), ("qty", "invalid_input"));
        assert!(e.message(Lang::Zh).contains(&MAX_QTY.to_string()), "{}", e.message(Lang::Zh));
        let e = app
            .create_purchase_order(&fx.actor, &order(vec![line(10, MAX_UNIT_COST + Money::from_fen(1))]), at(0))
            .await
            .unwrap_err();
        assert_eq!(invalid_field(&e), "unit_cost");
        let huge = order(vec![line(i64::MAX, Money::from_fen(i64::MAX))]);
        let e = app.create_purchase_order(&fx.actor, &huge, at(0)).await.unwrap_err();
        assert_eq!(invalid_field(&e), "qty");
        assert!(app.purchase_orders(&fx.actor, None, None).await.unwrap().is_empty(), "nothing was drafted");

        // The largest line at the highest cost is taken.
        let po = app.create_purchase_order(&fx.actor, &order(vec![line(MAX_QTY, MAX_UNIT_COST)]), at(0)).await.unwrap();
        app.place_purchase_order(&fx.actor, &po.code, at(1)).await.unwrap();
        let receipt = |qty: i64| ReceiptInput { sku: CUP_PINK_500.into(), qty, note: "整柜到货".into() };
        for qty in [MAX_QTY + 1, i64::MAX] {
            let e = app.receive_purchase_order(&fx.actor, &po.code, &[receipt(qty)], at(2)).await.unwrap_err();
            assert_eq!(invalid_field(&e), "qty");
        }
        assert_eq!(fx.stock(app, CUP_PINK_500, "HZ").await.0, 0, "nothing was received");
        let d = app.receive_purchase_order(&fx.actor, &po.code, &[receipt(MAX_QTY)], at(3)).await.unwrap();
        assert_eq!(d.lines[0].line.qty_received, MAX_QTY);
        let listed = app.purchase_orders(&fx.actor, None, None).await.unwrap();
        assert_eq!(listed[0].amount, MAX_UNIT_COST * MAX_QTY);
    })
    .await;
}

#[tokio::test]
async fn counts_are_limited_and_valued_without_overflow() {
    on_every_backend("limits_stocktake", |cx| async move {
        let app = &cx.app;
        let fx = build_shop(app).await;
        let session = app.start_stocktake(&fx.actor, Some("HZ"), "", at(0)).await.unwrap();
        let code = session.stocktake.code.clone();
        let count = |sku: &str, counted: i64| CountInput { source: String::new(), sku: sku.into(), counted };

        let e = app
            .record_counts(&fx.actor, &code, &[count(TEE_BLACK_M, 18), count(TEE_WHITE_L, MAX_QTY + 1)], at(1))
            .await
            .unwrap_err();
        let StocktakeError::BadCounts(bad) = &e else { panic!("{e:?}") };
        assert_eq!(bad.len(), 1);
        assert!(bad[0].reason_zh.contains(TEE_WHITE_L) && bad[0].reason_zh.contains("上限"), "{bad:?}");
        let sheet = format!("商家编码,实盘数量\n{TEE_BLACK_M},18\n{TEE_WHITE_L},{}\n", MAX_QTY + 1);
        let e = app.record_count_sheet(&fx.actor, &code, "盘点表.csv", sheet.as_bytes(), at(2)).await.unwrap_err();
        let StocktakeError::BadSheet { rows, .. } = &e else { panic!("{e:?}") };
        assert_eq!(rows.iter().map(|r| (r.line, r.column.as_str())).collect::<Vec<_>>(), [(3, "实盘数量")]);
        assert_eq!(app.stocktake_detail(&fx.actor, &code).await.unwrap().summary.counted, 0, "nothing recorded");
        app.cancel_stocktake(&fx.actor, &code, "重新盘", at(3)).await.unwrap();

        // A SKU at the highest cost a product sheet takes (¥10,000,000,000,000), counted at the most
        // units: the difference is worth more than money can hold, and is shown as the most it can.
        let sheet =
            "商家编码,商品编码,商品标题,成本价,售价\nJD2406-GLD-1,JD2406,足金999古法手镯,10000000000000.00,1.00\n";
        let read = zhanggui_formats::read_sheet_bytes("商品资料.csv", sheet.as_bytes()).unwrap();
        let (records, errors) = zhanggui_formats::products::read_products(&read).unwrap();
        let s = app.import_products(&fx.actor, "商品资料.csv", records, &errors, true, &|_| {}).await.unwrap();
        assert_eq!((s.inserted, s.rejected), (1, 0), "{:?}", s.rejects);
        let session = app.start_stocktake(&fx.actor, Some("HZ"), "JD2406", at(4)).await.unwrap();
        let counted =
            app.record_counts(&fx.actor, &session.stocktake.code, &[count("JD2406-GLD-1", MAX_QTY)], at(5)).await;
        let counted = counted.unwrap();
        let l = &counted.lines[0];
        assert_eq!((l.delta, l.result), (MAX_QTY, CountResult::Surplus));
        assert_eq!(l.value, Money::from_fen(i64::MAX));
        assert_eq!(counted.summary.surplus_value, Money::from_fen(i64::MAX));
        assert_eq!(counted.stocktake.status, StocktakeStatus::Counting);
    })
    .await;
}

#[tokio::test]
async fn stock_changes_are_limited() {
    on_every_backend("limits_stock", |cx| async move {
        let app = &cx.app;
        let fx = build_shop(app).await;
        let field = |e: StockError| match e {
            StockError::Invalid { field, reason_zh, .. } => (field, reason_zh),
            other => panic!("not a refused field: {other:?}"),
        };
        for qty in [MAX_QTY + 1, -(MAX_QTY + 1), i64::MAX, i64::MIN] {
            let e = app.adjust_stock(&fx.actor, TEE_BLACK_M, Some("HZ"), qty, "盘盈入库", at(0)).await.unwrap_err();
            let (f, zh) = field(e);
            assert_eq!(f, "qty");
            assert!(zh.contains("上限"), "{zh}");
        }
        let e = app.transfer_stock(&fx.actor, TEE_BLACK_M, "HZ", "GZ", MAX_QTY + 1, at(0)).await.unwrap_err();
        assert_eq!(field(e).0, "qty");
        let e = app.receive_stock(&fx.actor, TEE_BLACK_M, Some("HZ"), MAX_QTY + 1, yuan("32.50"), at(0)).await;
        assert_eq!(field(e.unwrap_err()).0, "qty");
        let too_dear = MAX_UNIT_COST + Money::from_fen(1);
        let e = app.receive_stock(&fx.actor, TEE_BLACK_M, Some("HZ"), 10, too_dear, at(0)).await.unwrap_err();
        assert_eq!(field(e).0, "unit_cost");
        assert_eq!(fx.stock(app, TEE_BLACK_M, "HZ").await.0, 20, "nothing changed");
        assert_eq!(fx.stock(app, TEE_BLACK_M, "GZ").await.0, 5);

        // Up to the limit is taken, and a Chinese message names what was wrong.
        app.adjust_stock(&fx.actor, TEE_BLACK_M, Some("HZ"), MAX_QTY, "整柜到货补录", at(1)).await.unwrap();
        assert_eq!(fx.stock(app, TEE_BLACK_M, "HZ").await.0, 20 + MAX_QTY);
        let e = app.adjust_stock(&fx.actor, TEE_BLACK_M, Some("HZ"), 0, "盘点", at(2)).await.unwrap_err();
        assert_eq!(e.message(Lang::Zh), "调整数量不能为 0");
    })
    .await;
}
