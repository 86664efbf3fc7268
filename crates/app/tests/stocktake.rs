//! Stocktakes (盘点): a count session snapshots on hand, counts are entered, differences reviewed
//! with their value and posted as stocktake moves with a reason. A sale during the count is never
//! undone by it. Runs on every backend of `common::backends()`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use zhanggui_app::stocktake::{CountInput, StocktakeError};
use zhanggui_app::trading::ShipInput;
use zhanggui_app::{Lang, UserFacing};
use zhanggui_domain::{CountResult, Money, MoveKind, StocktakeStatus};

fn count(sku: &str, counted: i64) -> CountInput {
    CountInput { source: String::new(), sku: sku.into(), counted }
}

#[tokio::test]
async fn counted_differences_are_posted_at_cost_with_the_reason() {
    on_every_backend("stocktake_post", |cx| async move {
        let app = &cx.app;
        let fx = build_shop(app).await;
        let started = app.start_stocktake(&fx.actor, Some("HZ"), "", at(0)).await.expect("start");
        assert_eq!(started.stocktake.code, "PD20240618-001");
        assert_eq!(started.stocktake.status, StocktakeStatus::Counting);
        assert_eq!(started.lines.len(), 4, "every SKU of the company, stocked in HZ or not");
        let snapshot =
            |code: &str| started.lines.iter().find(|l| l.line.outer_sku_id == code).unwrap().line.snapshot_on_hand;
        assert_eq!(
            (snapshot(TEE_BLACK_M), snapshot(TEE_WHITE_L), snapshot(JEANS_BLUE_27), snapshot(CUP_PINK_500)),
            (20, 10, 3, 0)
        );

        let counts = [count(TEE_BLACK_M, 18), count(TEE_WHITE_L, 12), count(JEANS_BLUE_27, 3)];
        let reviewed = app.record_counts(&fx.actor, &started.stocktake.code, &counts, at(30)).await.expect("counts");
        let line = |code: &str| reviewed.lines.iter().find(|l| l.line.outer_sku_id == code).unwrap().clone();
        assert_eq!((line(TEE_BLACK_M).delta, line(TEE_BLACK_M).result), (-2, CountResult::Shortage));
        assert_eq!(line(TEE_BLACK_M).value, yuan("-65.00"));
        assert_eq!((line(TEE_WHITE_L).delta, line(TEE_WHITE_L).result), (2, CountResult::Surplus));
        assert_eq!(line(JEANS_BLUE_27).result, CountResult::Match);
        assert_eq!(line(CUP_PINK_500).result, CountResult::NotCounted);
        let s = reviewed.summary;
        assert_eq!((s.lines, s.counted, s.matched), (4, 3, 1));
        assert_eq!((s.surplus_units, s.shortage_units), (2, 2));
        assert_eq!((s.surplus_value, s.shortage_value, s.net_value()), (yuan("65.00"), yuan("65.00"), Money::ZERO));

        // A recount replaces the earlier count.
        let reviewed =
            app.record_counts(&fx.actor, &started.stocktake.code, &[count(TEE_BLACK_M, 19)], at(40)).await.unwrap();
        assert_eq!(reviewed.lines.iter().find(|l| l.line.outer_sku_id == TEE_BLACK_M).unwrap().delta, -1);

        let missing_reason = app.post_stocktake(&fx.actor, &started.stocktake.code, "  ", at(50)).await.unwrap_err();
        assert_eq!(missing_reason.code(), "invalid_input");
        let posted =
            app.post_stocktake(&fx.actor, &started.stocktake.code, "11月月度盘点", at(60)).await.expect("post");
        assert_eq!(posted.stocktake.status, StocktakeStatus::Posted);
        assert_eq!(fx.stock(app, TEE_BLACK_M, "HZ").await.0, 19);
        assert_eq!(fx.stock(app, TEE_WHITE_L, "HZ").await.0, 12);
        assert_eq!(fx.stock(app, JEANS_BLUE_27, "HZ").await.0, 3);
        assert_eq!(fx.stock(app, TEE_BLACK_M, "GZ").await.0, 5, "another warehouse is not touched");

        let mut tx = app.db.begin_read().await.unwrap();
        let moves = tx.sku_moves(fx.sku(TEE_WHITE_L).id, 50).await.unwrap();
        tx.commit().await.unwrap();
        let stocktake: Vec<_> = moves.iter().filter(|m| m.kind == MoveKind::Stocktake).collect();
        assert_eq!(stocktake.len(), 1);
        assert_eq!((stocktake[0].qty, stocktake[0].unit_cost), (2, yuan("32.50")));
        assert!(stocktake[0].note.contains("11月月度盘点"));
        assert_eq!(stocktake[0].ref_type, "stocktake");

        // A posted count can no longer change.
        let late = app.record_counts(&fx.actor, &started.stocktake.code, &[count(CUP_PINK_500, 1)], at(70)).await;
        assert!(matches!(late, Err(StocktakeError::Closed { status: StocktakeStatus::Posted, .. })));
        assert!(app.post_stocktake(&fx.actor, &started.stocktake.code, "again", at(80)).await.is_err());
    })
    .await;
}

#[tokio::test]
async fn a_sale_during_the_count_is_not_undone() {
    on_every_backend("stocktake_sale_during_count", |cx| async move {
        let app = &cx.app;
        let fx = build_shop(app).await;
        let session = app.start_stocktake(&fx.actor, Some("HZ"), "TS2401", at(0)).await.unwrap();
        assert_eq!(session.lines.len(), 2, "only the T-shirts are counted");

        // While the shelves are counted, a buyer's T-shirt ships from HZ.
        let input = fx.trade(fx.taobao, "4012876655443322110", "江南小雨0817", &[(TEE_BLACK_M, 1)]);
        let id = app.create_trade(&fx.actor, &input).await.unwrap();
        app.pay_trade(&fx.actor, id, at(5)).await.unwrap();
        let ship = ShipInput { carrier: "中通快递".into(), tracking_no: "78512345678901".into(), line_ids: None };
        app.ship_trade(&fx.actor, id, &ship, at(10)).await.unwrap();
        assert_eq!(fx.stock(app, TEE_BLACK_M, "HZ").await.0, 19);

        // The counter had counted the black T-shirts before the parcel left: 20, as the books said.
        // The white ones: 9 on the shelf, one is missing.
        let counts = [count(TEE_BLACK_M, 20), count(TEE_WHITE_L, 9)];
        app.record_counts(&fx.actor, &session.stocktake.code, &counts, at(20)).await.unwrap();
        app.post_stocktake(&fx.actor, &session.stocktake.code, "大促前盘点", at(30)).await.unwrap();
        assert_eq!(fx.stock(app, TEE_BLACK_M, "HZ").await.0, 19, "the sale stays: the count found no difference");
        assert_eq!(fx.stock(app, TEE_WHITE_L, "HZ").await.0, 9);
    })
    .await;
}

#[tokio::test]
async fn refused_counts_record_nothing_and_say_which_and_why() {
    on_every_backend("stocktake_refusals", |cx| async move {
        let app = &cx.app;
        let fx = build_shop(app).await;
        assert!(matches!(
            app.start_stocktake(&fx.actor, Some("SH"), "", at(0)).await,
            Err(StocktakeError::UnknownWarehouse(_))
        ));
        assert!(matches!(
            app.start_stocktake(&fx.actor, None, "不存在的款", at(0)).await,
            Err(StocktakeError::Empty(_))
        ));
        assert!(app.stocktakes(&fx.actor).await.unwrap().is_empty(), "refused sessions leave nothing");

        let session = app.start_stocktake(&fx.actor, Some("GZ"), "", at(0)).await.unwrap();
        let code = session.stocktake.code.clone();
        let counts = [
            CountInput { source: "盘点表.csv line 2".into(), sku: TEE_BLACK_M.into(), counted: 5 },
            CountInput { source: "盘点表.csv line 3".into(), sku: "XX-NOT-A-SKU".into(), counted: 3 },
            CountInput { source: "盘点表.csv line 4".into(), sku: JEANS_BLUE_27.into(), counted: -1 },
        ];
        let err = app.record_counts(&fx.actor, &code, &counts, at(10)).await.unwrap_err();
        let StocktakeError::BadCounts(bad) = &err else { panic!("{err:?}") };
        assert_eq!(
            bad.iter().map(|b| b.source.as_str()).collect::<Vec<_>>(),
            ["盘点表.csv line 3", "盘点表.csv line 4"]
        );
        let zh = err.message(Lang::Zh);
        assert!(zh.contains("XX-NOT-A-SKU") && zh.contains("负数"), "{zh}");
        let detail = app.stocktake_detail(&fx.actor, &code).await.unwrap();
        assert_eq!(detail.summary.counted, 0, "the good count of a refused request is not kept");

        let nothing = app.post_stocktake(&fx.actor, &code, "月度盘点", at(20)).await.unwrap_err();
        assert!(nothing.message(Lang::Zh).contains("还没有录入"));

        app.record_counts(&fx.actor, &code, &[count(TEE_BLACK_M, 0)], at(30)).await.unwrap();
        app.cancel_stocktake(&fx.actor, &code, "数错了，重新盘", at(40)).await.unwrap();
        assert_eq!(fx.stock(app, TEE_BLACK_M, "GZ").await.0, 5, "a cancelled count changes nothing");
        assert!(matches!(
            app.post_stocktake(&fx.actor, &code, "月度盘点", at(50)).await,
            Err(StocktakeError::Closed { status: StocktakeStatus::Cancelled, .. })
        ));
        let listed = app.stocktakes(&fx.actor).await.unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!((listed[0].status, listed[0].lines, listed[0].counted), (StocktakeStatus::Cancelled, 4, 1));
    })
    .await;
}

#[tokio::test]
async fn a_count_sheet_with_a_bad_row_records_nothing_and_lists_every_bad_row() {
    on_every_backend("stocktake_sheet", |cx| async move {
        let app = &cx.app;
        let fx = build_shop(app).await;
        let session = app.start_stocktake(&fx.actor, Some("HZ"), "", at(0)).await.unwrap();
        let code = session.stocktake.code.clone();
        let sheet = format!(
            "商家编码,商品名称,属性,条码,实盘数量\n\
             {TEE_BLACK_M},纯棉圆领短袖T恤,黑色 M,,18\n\
             XX-NOT-A-SKU,不存在的款,,,3\n\
             {TEE_WHITE_L},纯棉圆领短袖T恤,白色 L,,十二\n\
             {JEANS_BLUE_27},高腰阔腿牛仔裤,,,-1\n\
             {TEE_BLACK_M},纯棉圆领短袖T恤,黑色 M（二号货架）,,2\n\
             {CUP_PINK_500},保温杯,,,\n"
        );
        let err = app.record_count_sheet(&fx.actor, &code, "盘点表.csv", sheet.as_bytes(), at(10)).await.unwrap_err();
        let StocktakeError::BadSheet { file, rows } = &err else { panic!("{err:?}") };
        assert_eq!(file, "盘点表.csv");
        let got: Vec<(usize, &str)> = rows.iter().map(|r| (r.line, r.column.as_str())).collect();
        assert_eq!(got, [(3, "商家编码"), (4, "实盘数量"), (5, "实盘数量"), (6, "商家编码")]);
        assert!(rows[0].reason_zh.contains("XX-NOT-A-SKU"), "{rows:?}");
        assert!(rows[1].reason_zh.contains("十二"), "{rows:?}");
        assert!(rows[2].reason_zh.contains("负数"), "{rows:?}");
        assert!(rows[3].reason_zh.contains("第 2 行"), "{rows:?}");
        let zh = err.message(Lang::Zh);
        assert!(zh.contains("4 行有误") && zh.contains("第 5 行「实盘数量」列"), "{zh}");
        assert_eq!(err.code(), "invalid_input");
        let detail = app.stocktake_detail(&fx.actor, &code).await.unwrap();
        assert_eq!(detail.summary.counted, 0, "not even the good row is recorded");

        // The same sheet put right is taken; the empty count stays uncounted.
        let sheet = format!(
            "商家编码,商品名称,属性,条码,实盘数量\n{TEE_BLACK_M},T恤,,,18\n{TEE_WHITE_L},T恤,,,12\n{CUP_PINK_500},保温杯,,,\n"
        );
        let (detail, taken) =
            app.record_count_sheet(&fx.actor, &code, "盘点表.csv", sheet.as_bytes(), at(20)).await.unwrap();
        assert_eq!((taken, detail.summary.counted, detail.summary.shortage_units, detail.summary.surplus_units), (2, 2, 2, 2));

        // Not a count sheet at all.
        let err = app.record_count_sheet(&fx.actor, &code, "订单.csv", "订单编号,金额\n1,2\n".as_bytes(), at(30)).await;
        assert!(matches!(&err, Err(StocktakeError::BadFile { .. })), "{err:?}");
        let err = app.record_count_sheet(&fx.actor, &code, "空.csv", b"", at(30)).await.unwrap_err();
        assert_eq!((err.code(), err.message(Lang::Zh).contains("空")), ("bad_file", true));
        let blank = format!("商家编码,实盘数量\n{TEE_BLACK_M},\n");
        let err = app.record_count_sheet(&fx.actor, &code, "盘点表.csv", blank.as_bytes(), at(30)).await.unwrap_err();
        assert!(err.message(Lang::Zh).contains("没有填写"), "{err:?}");
    })
    .await;
}
