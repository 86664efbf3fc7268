//! 毛利 (gross margin) on every backend: shipments leave at the SKU's moving-average cost, the day's
//! and the month's gross margin is net sales less the cost of goods shipped, goods returned into
//! sellable stock take their cost back, and a shop's figures hold only its own trades.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod reports_check;

use chrono::NaiveDate;
use common::*;
use zhanggui_app::after_sales::{ApplyInput, Parcel, Step};
use zhanggui_app::trading::ShipInput;
use zhanggui_domain::{MetricValue, Money, RefundKind, ReturnCheck};

const DAY: i64 = 24 * 60;

fn day(minutes: i64) -> NaiveDate {
    at(minutes).with_timezone(&chrono_tz::Asia::Shanghai).date_naive()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gross_margin_is_net_sales_less_the_cost_of_goods_shipped() {
    on_every_backend("gross_margin", |cx| async move {
        let app = &cx.app;
        let fx = build_shop(app).await;
        // A second delivery of the black tee at a higher cost moves its average: 25 units at 32.50 and
        // 25 at 36.50 make 34.50.
        app.receive_stock(&fx.actor, TEE_BLACK_M, Some("HZ"), 25, yuan("36.50"), at(-60)).await.unwrap();
        let input = fx.trade(fx.taobao, "3902938475610001", "晴天小猪", &[(TEE_BLACK_M, 2), (JEANS_BLUE_27, 1)]);
        let id = app.create_trade(&fx.actor, &input).await.unwrap();
        app.pay_trade(&fx.actor, id, at(1)).await.unwrap();
        let ship = ShipInput { carrier: "中通快递".into(), tracking_no: "75310001".into(), line_ids: None };
        app.ship_trade(&fx.actor, id, &ship, at(60)).await.unwrap();
        // The other shop sells a tee too, shipped the next day.
        let other = fx.trade(fx.tmall, "3902938475620001", "大橘为重", &[(TEE_WHITE_L, 1)]);
        let other = app.create_trade(&fx.actor, &other).await.unwrap();
        app.pay_trade(&fx.actor, other, at(2)).await.unwrap();
        app.ship_trade(&fx.actor, other, &ShipInput { tracking_no: "75310002".into(), ..ship.clone() }, at(DAY))
            .await
            .unwrap();

        let taobao = fx.taobao.to_string();
        let margin = |shop: Option<String>, d: NaiveDate| {
            let app = app.clone();
            let actor = fx.actor.clone();
            async move {
                let r = app.daily_report(&actor, shop.as_deref(), Some(d), chrono::Utc::now()).await.unwrap();
                (r.day.gross_margin, r.month_to_date.gross_margin)
            }
        };
        // 2 × 79.00 + 159.00 paid, 2 × 34.50 + 68.00 shipped.
        let (d, _) = margin(Some(taobao.clone()), day(0)).await;
        assert_eq!(d, MetricValue::Money(yuan("317.00") - yuan("137.00")));
        // The company on the first day: the Tmall trade is paid (79.00) but ships the next day.
        let (d, _) = margin(None, day(0)).await;
        assert_eq!(d, MetricValue::Money(yuan("396.00") - yuan("137.00")));
        let (d, m) = margin(None, day(DAY)).await;
        assert_eq!(d, MetricValue::Money(Money::ZERO - yuan("32.50")), "a day with a shipment and no payment");
        assert_eq!(m, MetricValue::Money(yuan("396.00") - yuan("137.00") - yuan("32.50")));

        // A dearer delivery moves the average up before the return; the returned tee still comes back
        // at the 34.50 it left at.
        app.receive_stock(&fx.actor, TEE_BLACK_M, Some("HZ"), 10, yuan("50.00"), at(2 * DAY - 60)).await.unwrap();
        // A return of both tees: one comes back good into sellable stock at 34.50, one damaged.
        let case = app
            .apply_after_sales(
                &fx.actor,
                &ApplyInput {
                    trade: "3902938475610001".into(),
                    line: TEE_BLACK_M.into(),
                    kind: Some(RefundKind::ReturnAndRefund),
                    reason: "面料起球，质量问题".into(),
                    at: at(2 * DAY),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let step = |s: Step, minutes: i64| {
            let app = app.clone();
            let actor = fx.actor.clone();
            let case = case.clone();
            async move { app.after_sales_step(&actor, &case, &s, at(minutes)).await.unwrap() }
        };
        step(Step::Agree { note: String::new(), replacement: None }, 2 * DAY + 10).await;
        step(
            Step::ReturnShipped { parcel: Parcel { carrier: "顺丰速运".into(), tracking_no: "SF1".into() } },
            2 * DAY + 20,
        )
        .await;
        let check = ReturnCheck { good: 1, damaged: 1 };
        step(
            Step::ReceiveReturn { check, warehouse: String::new(), replacement: None, note: String::new() },
            2 * DAY + 30,
        )
        .await;
        // That day: 158.00 paid back, 34.50 of goods back on the shelf.
        let (d, m) = margin(Some(taobao.clone()), day(2 * DAY)).await;
        assert_eq!(d, MetricValue::Money(Money::ZERO - yuan("158.00") + yuan("34.50")));
        assert_eq!(m, MetricValue::Money(yuan("317.00") - yuan("137.00") - yuan("158.00") + yuan("34.50")));

        // A shop that keeps stock only from the fourth day on shipped without costs before: the
        // company's margin of those days is not known, the other shop's still is.
        let mut tx = app.db.begin().await.unwrap();
        tx.set_inventory_start(fx.tmall, at(3 * DAY)).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(margin(None, day(0)).await.0, MetricValue::Unavailable);
        assert_eq!(margin(Some(fx.tmall.to_string()), day(DAY)).await.0, MetricValue::Unavailable);
        assert_eq!(margin(Some(taobao), day(0)).await.0, MetricValue::Money(yuan("317.00") - yuan("137.00")));
        reports_check::assert_summaries_exact(app, fx.company_id, chrono_tz::Asia::Shanghai).await;
    })
    .await;
}

/// Goods shipped while their SKU had no cost count at the cost it has when the report is read: a cost
/// entered later values the days already past, in the summaries as in the stock moves.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn goods_shipped_without_a_cost_count_at_the_cost_they_are_given_later() {
    on_every_backend("gross_margin_uncosted", |cx| async move {
        let app = &cx.app;
        let fx = build_shop(app).await;
        let candle = "XX2406-LAV";
        let spec = zhanggui_app::setup::SkuSpec {
            outer_sku_id: candle.into(),
            properties: "香型:薰衣草;规格:200g".into(),
            price: yuan("49.00"),
            cost: Money::ZERO,
        };
        app.create_product(fx.company_id, "XX2406", "大豆香薰蜡烛 卧室助眠 无烟 伴手礼", "家居/香薰", &[spec])
            .await
            .unwrap();
        app.receive_stock(&fx.actor, candle, Some("HZ"), 3, Money::ZERO, at(-60)).await.unwrap();
        let input = fx.trade(fx.taobao, "3902938475630001", "梧桐树下的猫", &[(candle, 3), (JEANS_BLUE_27, 1)]);
        let id = app.create_trade(&fx.actor, &input).await.unwrap();
        app.pay_trade(&fx.actor, id, at(1)).await.unwrap();
        let ship = ShipInput { carrier: "圆通速递".into(), tracking_no: "YT7531001".into(), line_ids: None };
        app.ship_trade(&fx.actor, id, &ship, at(60)).await.unwrap();
        let margin = |d: NaiveDate| {
            let app = app.clone();
            let actor = fx.actor.clone();
            async move {
                let r = app.daily_report(&actor, None, Some(d), chrono::Utc::now()).await.unwrap();
                (r.day.gross_margin, r.month_to_date.gross_margin)
            }
        };
        // 3 × 49.00 + 159.00 paid; the candles left without a cost, the jeans at 68.00.
        let paid = yuan("147.00") + yuan("159.00");
        assert_eq!(margin(day(0)).await.0, MetricValue::Money(paid - yuan("68.00")));
        reports_check::assert_summaries_exact(app, fx.company_id, chrono_tz::Asia::Shanghai).await;

        // The next delivery comes in at 12.80 with none left on hand, so the candle now costs 12.80:
        // the three that left on the first day count at it.
        app.receive_stock(&fx.actor, candle, Some("HZ"), 10, yuan("12.80"), at(DAY)).await.unwrap();
        let (d, m) = margin(day(0)).await;
        assert_eq!(d, MetricValue::Money(paid - yuan("68.00") - yuan("38.40")));
        assert_eq!(m, d);
        // What ships now leaves at 12.80 and stays at it, whatever the cost does next.
        let input = fx.trade(fx.taobao, "3902938475630002", "梧桐树下的猫", &[(candle, 2)]);
        let second = app.create_trade(&fx.actor, &input).await.unwrap();
        app.pay_trade(&fx.actor, second, at(DAY + 1)).await.unwrap();
        app.ship_trade(&fx.actor, second, &ShipInput { tracking_no: "YT7531002".into(), ..ship.clone() }, at(DAY + 60))
            .await
            .unwrap();
        app.receive_stock(&fx.actor, candle, Some("HZ"), 8, yuan("20.00"), at(DAY + 120)).await.unwrap();
        let (d, _) = margin(day(DAY)).await;
        assert_eq!(d, MetricValue::Money(yuan("98.00") - yuan("25.60")));
        reports_check::assert_summaries_exact(app, fx.company_id, chrono_tz::Asia::Shanghai).await;
    })
    .await;
}

/// Goods returned into a warehouse count in the cost of goods while it holds goods for sale: when an
/// emptied warehouse is made not for sale, the returns it received stop counting, in the summaries
/// as in the stock moves.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_warehouse_made_not_for_sale_takes_its_returns_out_of_the_cost_of_goods() {
    on_every_backend("gross_margin_sellable", |cx| async move {
        let app = &cx.app;
        let fx = build_shop(app).await;
        let returns = app.create_warehouse(fx.company_id, "TH", "退货暂存仓").await.unwrap();
        let input = fx.trade(fx.taobao, "3902938475640001", "一只会飞的鱼", &[(TEE_BLACK_M, 1)]);
        let id = app.create_trade(&fx.actor, &input).await.unwrap();
        app.pay_trade(&fx.actor, id, at(1)).await.unwrap();
        let ship = ShipInput { carrier: "韵达快递".into(), tracking_no: "YD5310001".into(), line_ids: None };
        app.ship_trade(&fx.actor, id, &ship, at(60)).await.unwrap();
        let case = app
            .apply_after_sales(
                &fx.actor,
                &ApplyInput {
                    trade: "3902938475640001".into(),
                    line: TEE_BLACK_M.into(),
                    kind: Some(RefundKind::ReturnAndRefund),
                    reason: "尺码偏小".into(),
                    at: at(2 * DAY),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        for (s, minutes) in [
            (Step::Agree { note: String::new(), replacement: None }, 2 * DAY + 10),
            (
                Step::ReturnShipped { parcel: Parcel { carrier: "顺丰速运".into(), tracking_no: "SF2".into() } },
                2 * DAY + 20,
            ),
            (
                Step::ReceiveReturn {
                    check: ReturnCheck { good: 1, damaged: 0 },
                    warehouse: "TH".into(),
                    replacement: None,
                    note: String::new(),
                },
                2 * DAY + 30,
            ),
        ] {
            app.after_sales_step(&fx.actor, &case, &s, at(minutes)).await.unwrap();
        }
        let margin = || async {
            let r = app.daily_report(&fx.actor, None, Some(day(2 * DAY)), chrono::Utc::now()).await.unwrap();
            r.day.gross_margin
        };
        // 79.00 paid back, the tee back on a shelf at the 32.50 it left at.
        assert_eq!(margin().await, MetricValue::Money(Money::ZERO - yuan("79.00") + yuan("32.50")));
        app.transfer_stock(&fx.actor, TEE_BLACK_M, "TH", "HZ", 1, at(2 * DAY + 60)).await.unwrap();
        let manager = zhanggui_app::users::User {
            id: 0,
            company_id: fx.company_id,
            login: "店长-李娜".into(),
            display_name: String::new(),
            role: zhanggui_app::users::Role::Manager,
        };
        assert!(app.update_warehouse(&manager, returns, "退货暂存仓", false).await.unwrap());
        assert_eq!(margin().await, MetricValue::Money(Money::ZERO - yuan("79.00")));
        reports_check::assert_summaries_exact(app, fx.company_id, chrono_tz::Asia::Shanghai).await;
    })
    .await;
}
