//! The reports on the generated edge cases (`reports_check::edge_cases`): no traffic, no sales,
//! refunds crossing months, a trade paid after midnight in Shanghai, a buyer in two shops, a trade with
//! no buyer id. Every day's and period's figures are compared with the raw-row computation, and the
//! cases are checked by name.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod reports_check;

use chrono::{Duration, NaiveDate, Utc};
use zhanggui_app::App;
use zhanggui_domain::metrics::repeat_rate;
use zhanggui_domain::{AlertCode, AvgDailySales, MetricValue, Money, Ratio, Severity};

use common::*;

const TZ: chrono_tz::Tz = chrono_tz::Asia::Shanghai;

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, m, d).unwrap()
}

async fn sales(app: &App, fx: &Fixture, shop: Option<i64>, d: NaiveDate) -> zhanggui_domain::SalesFigures {
    let name = shop.map(|s| s.to_string());
    app.daily_report(&fx.actor, name.as_deref(), Some(d), Utc::now()).await.unwrap().day.sales
}

#[tokio::test]
async fn edge_cases_match_the_raw_rows() {
    on_every_backend("edge_cases_match_the_raw_rows", |ctx| async move {
        let app = ctx.app;
        let fx = reports_check::edge_cases(&app).await;
        let raw = reports_check::load(&app, fx.company_id, TZ).await;
        let now = Utc::now();
        for shop in [None, Some(fx.taobao), Some(fx.tmall)] {
            let name = shop.map(|s| s.to_string());
            let mut d = day(5, 30);
            while d <= day(7, 6) {
                let r = app.daily_report(&fx.actor, name.as_deref(), Some(d), now).await.unwrap();
                assert_eq!(r.day.sales, raw.figures(shop, d, d), "{d} {shop:?}");
                assert_eq!(r.month_to_date.sales, raw.figures(shop, zhanggui_app::reports::month_start(d), d));
                d += Duration::days(1);
            }
            for (m, last) in [(5, 31), (6, 30), (7, 31)] {
                let r = app.monthly_report(&fx.actor, name.as_deref(), day(m, 1)).await.unwrap();
                assert_eq!(r.figures.sales, raw.figures(shop, day(m, 1), day(m, last)), "month {m} {shop:?}");
                let per = raw.paid_per_customer(shop, day(m, 1), day(m, last));
                assert_eq!(r.customers, per.len() as i64);
                assert_eq!(r.repeat_rate, repeat_rate(per.values().map(|n| *n as u32)));
            }
            let w = app.weekly_report(&fx.actor, name.as_deref(), Some(day(7, 3)), now).await.unwrap();
            assert_eq!(w.week.sales, raw.figures(shop, day(7, 1), day(7, 7)));
            let c = app.customers_report(&fx.actor, name.as_deref(), day(6, 1), day(7, 5)).await.unwrap();
            let per = raw.paid_per_customer(shop, day(6, 1), day(7, 5));
            assert_eq!(
                (c.customers, c.repeat_customers),
                (per.len() as i64, per.values().filter(|n| **n >= 2).count() as i64)
            );
        }

        // The same reports computed from the raw tables instead of the summaries.
        let summaries = app.report_scope(&fx.actor, None).await.unwrap();
        let raw_scope =
            zhanggui_app::reports::Scope { source: zhanggui_app::reports::Source::Raw, ..summaries.clone() };
        for d in [day(6, 1), day(6, 30), day(7, 1), day(7, 4)] {
            let a = app.daily_report_in(&summaries, Some(d), now).await.unwrap();
            let b = app.daily_report_in(&raw_scope, Some(d), now).await.unwrap();
            assert_eq!(format!("{a:?}"), format!("{b:?}"), "daily {d} from summaries and from raw rows");
            let a = app.replenishment_report_in(&summaries, d).await.unwrap();
            let b = app.replenishment_report_in(&raw_scope, d).await.unwrap();
            assert_eq!(format!("{a:?}"), format!("{b:?}"), "replenishment {d}");
        }

        // A trade created at 23:50 and paid at 00:10 (Shanghai): 收订 on 30 June, 付款 on 1 July.
        let tb_june30 = sales(&app, &fx, Some(fx.taobao), day(6, 30)).await;
        let tb_july1 = sales(&app, &fx, Some(fx.taobao), day(7, 1)).await;
        assert_eq!((tb_june30.orders_created, tb_june30.orders_paid), (2, 0));
        assert_eq!((tb_july1.orders_created, tb_july1.orders_paid, tb_july1.units_paid), (0, 1, 2));
        // 79 × 2 − 5 + 8, raised by 2.00 by the export.
        assert_eq!(tb_july1.amount_paid, yuan("163.00"));
        // Traffic only for the Taobao shop on 30 June: its visitors and conversion; the company's unknown.
        assert_eq!((tb_june30.pv, tb_june30.uv, tb_june30.paying_buyers), (Some(480), Some(120), Some(0)));
        let r = app.daily_report(&fx.actor, Some(&fx.taobao.to_string()), Some(day(6, 30)), now).await.unwrap();
        assert_eq!(r.day.conversion_rate, MetricValue::Rate(Ratio::new(0, 120)));
        let company_june30 = sales(&app, &fx, None, day(6, 30)).await;
        assert_eq!((company_june30.pv, company_june30.uv), (None, None));
        assert_eq!(tb_july1.pv, None);
        // A buyer in two shops is one buyer of the company.
        let (from, to) = (day(6, 29), day(7, 1));
        let scoped = |shop: Option<i64>| raw.figures(shop, from, to).paying_buyers;
        assert_eq!((scoped(Some(fx.taobao)), scoped(Some(fx.tmall)), scoped(None)), (Some(2), Some(1), Some(2)));
        let week = app.weekly_report(&fx.actor, None, Some(day(7, 1)), now).await.unwrap();
        assert_eq!(week.week.sales.paying_buyers, Some(1), "only T1 was paid that week");
        // A trade without a buyer id makes that day's buyer counts unavailable, not zero.
        let june28 = sales(&app, &fx, Some(fx.taobao), day(6, 28)).await;
        assert_eq!((june28.orders_paid, june28.paying_buyers), (1, None));
        // The refund asked in June succeeded in July: July's refunds, June's return request.
        let june = app.monthly_report(&fx.actor, None, day(6, 1)).await.unwrap();
        let july = app.monthly_report(&fx.actor, None, day(7, 1)).await.unwrap();
        let jeans = raw.trades.iter().find(|t| t.paid_at.is_some_and(|p| raw.day(p) == day(6, 29))).unwrap();
        assert_eq!(july.figures.sales.refund_amount, Money::from_fen(jeans.amount_paid));
        assert_eq!(july.figures.refunds, 1);
        assert_eq!(june.figures.sales.refund_amount, yuan("20.00"), "only the history refund of 2 June");
        assert_eq!((june.figures.returns, july.figures.exchanges), (1, 1));
        // A day without any sale.
        let quiet = app.daily_report(&fx.actor, None, Some(day(7, 6)), now).await.unwrap();
        assert_eq!((quiet.day.sales.orders_created, quiet.day.sales.orders_paid), (0, 0));
        assert_eq!((quiet.day.payment_rate, quiet.day.aov), (MetricValue::Unavailable, MetricValue::Unavailable));
        assert!(quiet.top_items.is_empty(), "nothing sold that day");

        // Alerts as of the end of 4 July: T5 never shipped; the exchange's deadline is 10 h away.
        let a = app.alerts_report(&fx.actor, None, Some(day(7, 4)), now).await.unwrap();
        let has = |code: AlertCode, sev: Severity, text: &str| {
            a.alerts.iter().any(|x| x.code == code && x.severity == sev && x.subject.contains(text))
        };
        assert!(has(AlertCode::NotShipped24h, Severity::Critical, "T5"), "{:#?}", a.alerts);
        assert!(has(AlertCode::RefundDeadline, Severity::Warning, "R2"), "{:#?}", a.alerts);
        assert!(!a.alerts.iter().any(|x| x.subject.contains("T1")), "T1 shipped");
        // The replenishment table counts the cup sold under an unknown code once it was mapped.
        let rep = app.replenishment_report(&fx.actor, None, Some(day(7, 1)), now).await.unwrap();
        let cup = rep.lines.iter().find(|l| l.sku_code == CUP_PINK_500).unwrap();
        assert_eq!(cup.avg_daily_sales_7d, AvgDailySales::new(3, 7));
        assert_eq!(cup.available, 0);
        assert_eq!(cup.suggested_qty, 9, "ceil((7 + 14) × 3/7) = 9 with nothing in stock");
    })
    .await;
}
