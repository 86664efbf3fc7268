//! The sales summaries stay equal to the raw rows through every write path (create, pay, ship in
//! parts, close, refunds, merchant codes mapped later, export updates, history one by one and in
//! bulk, the demo), and `rebuild_summaries` writes exactly the same.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod reports_check;

use chrono::{TimeZone, Utc};
use common::*;
use zhanggui_app::demo::DemoOptions;

const TZ: chrono_tz::Tz = chrono_tz::Asia::Shanghai;

#[tokio::test]
async fn every_write_path_keeps_the_summaries() {
    on_every_backend("every_write_path_keeps_the_summaries", |ctx| async move {
        let fx = reports_check::edge_cases(&ctx.app).await;
        reports_check::assert_summaries_exact(&ctx.app, fx.company_id, TZ).await;
        // The midnight trade: created on 30 June, paid on 1 July.
        let (shops, _) = reports_check::stored(&ctx.app, fx.company_id).await;
        let june30 = shops.get(&(fx.taobao, "2024-06-30".to_string())).unwrap();
        let july1 = shops.get(&(fx.taobao, "2024-07-01".to_string())).unwrap();
        assert_eq!(june30.orders_created, 2, "T1 and T4");
        assert_eq!(july1.orders_paid, 1, "T1");
        // T2 shipped in two parts counts once, on the day of its last shipment.
        assert_eq!(shops.get(&(fx.tmall, "2024-07-01".to_string())).unwrap().trades_shipped, 1);
        assert!(shops.get(&(fx.tmall, "2024-06-30".to_string())).is_none_or(|d| d.trades_shipped == 0));
        // The refund asked in June succeeded in July.
        let july2 = shops.get(&(fx.taobao, "2024-07-02".to_string())).unwrap();
        assert_eq!((june30.return_requests, june30.trades_returned_or_exchanged, july2.refunds), (1, 1, 1));
        let july3 = shops.get(&(fx.taobao, "2024-07-03".to_string())).unwrap();
        assert_eq!((july3.exchange_requests, july3.trades_returned_or_exchanged), (1, 0), "T3 counted once");
        // A rebuild through the use case leaves the same rows.
        ctx.app.rebuild_summaries().await.unwrap();
        reports_check::assert_summaries_exact(&ctx.app, fx.company_id, TZ).await;
    })
    .await;
}

#[tokio::test]
async fn the_demo_keeps_the_summaries() {
    on_every_backend("the_demo_keeps_the_summaries", |ctx| async move {
        let now = Utc.with_ymd_and_hms(2024, 3, 1, 2, 0, 0).single().unwrap();
        ctx.app.demo(&DemoOptions { seed: 3, days: 9, now }, &|_, _| {}).await.unwrap();
        let company = ctx.app.company(Some("demo")).await.unwrap().unwrap();
        reports_check::assert_summaries_exact(&ctx.app, company.id, TZ).await;
    })
    .await;
}

/// The benchmark's company (history written in bulk with its shipments from stock, one SKU in 25
/// without a cost) keeps summaries equal to its raw rows, 毛利 included, and its reports read from
/// them equal the ones computed from the raw rows.
#[tokio::test]
async fn the_benchmark_company_keeps_its_summaries_and_its_margin() {
    on_every_backend("the_benchmark_company_keeps_its_summaries", |ctx| async move {
        let now = Utc.with_ymd_and_hms(2024, 8, 15, 4, 0, 0).unwrap();
        let actor = zhanggui_app::report_bench::load(&ctx.app, 3_000, 60, 90, now).await.unwrap();
        reports_check::assert_summaries_exact(&ctx.app, actor.company_id, TZ).await;
        let summaries = ctx.app.report_scope(&actor, None).await.unwrap();
        let raw = zhanggui_app::reports::Scope { source: zhanggui_app::reports::Source::Raw, ..summaries.clone() };
        let date = summaries.yesterday(now);
        let kept = ctx.app.daily_report_in(&summaries, Some(date), now).await.unwrap();
        let computed = ctx.app.daily_report_in(&raw, Some(date), now).await.unwrap();
        assert_eq!(format!("{kept:?}"), format!("{computed:?}"));
        let zhanggui_domain::MetricValue::Money(month) = kept.month_to_date.gross_margin else {
            panic!("毛利 is known: the shops keep stock from before their first trade")
        };
        assert!(month > zhanggui_domain::Money::ZERO && month < kept.month_to_date.sales.amount_paid, "{month}");
    })
    .await;
}
