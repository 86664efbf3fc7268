//! The reports on the demo company, checked against a second computation over the raw rows
//! (`reports_check`): the summaries kept by every write path, the rebuild, and every figure of the
//! daily, weekly, monthly, customers and replenishment reports for the company and each shop.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod reports_check;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use common::*;
use zhanggui_app::demo::DemoOptions;
use zhanggui_app::reports::{month_start, replenishment};
use zhanggui_app::{Actor, App};
use zhanggui_domain::alerts::{AlertCode, AlertSettings, Severity, ShipState, ship_alert};
use zhanggui_domain::metrics::{platform_repeat_rate, repeat_rate};
use zhanggui_domain::{AvgDailySales, MetricValue, Ratio, TradeStatus};

const TZ: chrono_tz::Tz = chrono_tz::Asia::Shanghai;

async fn demo(app: &App) -> (Actor, chrono::DateTime<Utc>) {
    // 10:00 in Shanghai on 2024-11-20: the days cover Double 11.
    let now = Utc.with_ymd_and_hms(2024, 11, 20, 2, 0, 0).single().unwrap();
    app.demo(&DemoOptions { seed: 7, days: 16, now }, &|_, _| {}).await.expect("demo");
    let company = app.company(Some("demo")).await.unwrap().unwrap();
    (Actor { company_id: company.id, user: "test".into() }, now)
}

#[tokio::test]
async fn demo_reports_match_the_raw_rows() {
    on_every_backend("demo_reports_match_the_raw_rows", |ctx| async move {
        let app = ctx.app;
        let (actor, now) = demo(&app).await;
        reports_check::assert_summaries_exact(&app, actor.company_id, TZ).await;
        let raw = reports_check::load(&app, actor.company_id, TZ).await;
        let shops: Vec<(Option<String>, Option<i64>)> = {
            let mut v = vec![(None, None)];
            for s in &raw.shops {
                v.push((Some(s.to_string()), Some(*s)));
            }
            v
        };
        let yesterday = NaiveDate::from_ymd_opt(2024, 11, 19).unwrap();
        for (name, shop) in &shops {
            for date in [
                yesterday,
                NaiveDate::from_ymd_opt(2024, 11, 11).unwrap(),
                NaiveDate::from_ymd_opt(2024, 11, 5).unwrap(),
            ] {
                let r = app.daily_report(&actor, name.as_deref(), Some(date), now).await.unwrap();
                assert_eq!(r.day.sales, raw.figures(*shop, date, date), "day {date} shop {shop:?}");
                assert_eq!(r.month_to_date.sales, raw.figures(*shop, month_start(date), date), "MTD {date} {shop:?}");
                let f = &r.day.sales;
                assert_eq!(r.day.payment_rate, rate(f.orders_paid, f.orders_created));
                if let (Some(p), Some(u)) = (f.paying_buyers, f.uv) {
                    assert_eq!(r.day.conversion_rate, rate(p, u));
                }
                // Best sellers: the 7 days' units, most first.
                let week = raw.sku_sales(*shop, date - Duration::days(6), date);
                let mut want: Vec<(i64, i64, i64)> =
                    week.iter().map(|(s, (u, a))| (*s, *u, *a)).filter(|x| x.1 > 0).collect();
                want.sort_by(|a, b| b.1.cmp(&a.1).then(b.2.cmp(&a.2)).then(a.0.cmp(&b.0)));
                let got: Vec<i64> = r.best_sellers.iter().map(|b| b.units_7d).collect();
                let want_units: Vec<i64> = want.iter().take(10).map(|x| x.1).collect();
                assert_eq!(got, want_units, "best sellers {date} {shop:?}");
                for b in &r.best_sellers {
                    assert_eq!(b.avg_daily_sales, AvgDailySales::new(b.units_7d, 7));
                }
                // Top items: the day's amount per product, summed over its SKUs.
                let day_sales = raw.sku_sales(*shop, date, date);
                let total_top: i64 = r.top_items.iter().map(|t| t.amount_paid.fen()).sum();
                let total_day: i64 = day_sales.values().map(|x| x.1).sum();
                assert!(total_top <= total_day);
                if r.top_items.len() < 20 {
                    assert_eq!(total_top, total_day, "every item of the day is listed");
                }
                let got: Vec<(String, i64, i64)> =
                    r.top_items.iter().map(|t| (t.item_code.clone(), t.units, t.amount_paid.fen())).collect();
                assert_eq!(got, raw.top_products(*shop, date, date, 20), "top items {date} {shop:?}");
                let month = raw.top_products(*shop, month_start(date), date, usize::MAX);
                for t in &r.top_items {
                    let m = month.iter().find(|m| m.0 == t.item_code).unwrap();
                    assert_eq!((t.units_month, t.amount_paid_month.fen()), (m.1, m.2), "month of {}", t.item_code);
                }
                // Stock alerts: the lines of the replenishment table below their alert level, in the
                // table's order (the daily report plans from the 7-day window alone).
                let table = app.replenishment_report(&actor, name.as_deref(), Some(date), now).await.unwrap();
                let below: Vec<&str> =
                    table.lines.iter().filter(|l| l.below_alert_level).map(|l| l.sku_code.as_str()).collect();
                let alerted: Vec<&str> = r
                    .alerts
                    .iter()
                    .filter(|a| a.code == zhanggui_domain::AlertCode::StockBelowAlertLevel)
                    .filter_map(|a| a.subject.split_whitespace().next())
                    .collect();
                let mut sorted_below = below.clone();
                sorted_below.sort_unstable();
                let mut sorted_alerted = alerted.clone();
                sorted_alerted.sort_unstable();
                assert_eq!(sorted_alerted, sorted_below, "stock alerts {date} {shop:?}");
                if date == yesterday && shop.is_none() {
                    assert!(!below.is_empty(), "the demo has SKUs below their alert level");
                }
            }
            // The dashboard's trend days (read in one pass) and its previous month to date.
            let dash = app.dashboard(&actor, name.as_deref(), Some(yesterday), now).await.unwrap();
            assert_eq!(dash.days.len(), 37);
            for day in &dash.days {
                let d = NaiveDate::parse_from_str(&day.date, "%Y-%m-%d").unwrap();
                let mut want = raw.figures(*shop, d, d);
                want.cost_of_goods_shipped = zhanggui_domain::Money::ZERO;
                assert_eq!(day.figures.sales, want, "trend day {d} {shop:?}");
            }
            let prev_from = NaiveDate::parse_from_str(&dash.previous_month_from, "%Y-%m-%d").unwrap();
            let prev_to = NaiveDate::parse_from_str(&dash.previous_month_to, "%Y-%m-%d").unwrap();
            assert_eq!(dash.previous_month_to_date.sales, raw.figures(*shop, prev_from, prev_to));
            // Paid and not shipped as of a moment, against every trade of the company.
            if shop.is_none() {
                let mut tx = app.db.begin_read().await.unwrap();
                let all = reports_check::ints(
                    &mut tx,
                    "SELECT id, paid_at, shipped_at, closed_at FROM trade WHERE company_id = $1 AND paid_at IS NOT NULL",
                    actor.company_id,
                )
                .await;
                let day_start = |d: NaiveDate| TZ.from_local_datetime(&d.and_hms_opt(0, 0, 0).unwrap()).unwrap();
                for asof in [
                    day_start(yesterday).with_timezone(&Utc),
                    day_start(yesterday + Duration::days(1)).with_timezone(&Utc),
                    day_start(NaiveDate::from_ymd_opt(2024, 11, 11).unwrap()).with_timezone(&Utc) + Duration::hours(15),
                    now,
                ] {
                    let since = asof - Duration::days(30);
                    let (s, a) = (since.timestamp(), asof.timestamp());
                    let mut want: Vec<(i64, i64)> = all
                        .iter()
                        .filter(|r| {
                            let paid = r[1].unwrap();
                            paid >= s && paid < a && r[2].is_none_or(|x| x >= a) && r[3].is_none_or(|x| x >= a)
                        })
                        .map(|r| (r[1].unwrap(), r[0].unwrap()))
                        .collect();
                    want.sort_unstable();
                    let got: Vec<(i64, i64)> = tx
                        .unshipped_at(actor.company_id, 0, since, asof, asof, asof)
                        .await
                        .unwrap()
                        .iter()
                        .map(|u| (u.paid_at.timestamp(), u.trade_id))
                        .collect();
                    assert_eq!(got, want, "not shipped as of {asof}");
                    if asof != now {
                        assert!(!got.is_empty(), "trades paid before {asof} and shipped after it");
                    }
                }
                // The whole shipping-alert list of a date, against the rule applied to every paid
                // trade of the company as it stood at the end of that date.
                let rows = reports_check::ints(
                    &mut tx,
                    "SELECT CAST(tid AS BIGINT), paid_at, shipped_at, closed_at, \
                        CAST(CASE WHEN status = 'PAID_FORBID_CONSIGN' THEN 1 ELSE 0 END AS BIGINT) \
                     FROM trade WHERE company_id = $1 AND paid_at IS NOT NULL",
                    actor.company_id,
                )
                .await;
                tx.commit().await.unwrap();
                let mut alerted = 0;
                for date in [yesterday, NaiveDate::from_ymd_opt(2024, 11, 11).unwrap(), yesterday - Duration::days(3)] {
                    let report = app.alerts_report(&actor, None, Some(date), now).await.unwrap();
                    let asof = report.as_of;
                    let a = asof.timestamp();
                    let mut want: Vec<(String, Severity)> = rows
                        .iter()
                        .filter(|r| r[1].unwrap() < a && r[2].is_none_or(|x| x >= a) && r[3].is_none_or(|x| x >= a))
                        .filter(|r| r[4] == Some(0))
                        .filter_map(|r| {
                            let state = ShipState {
                                status: TradeStatus::WaitSellerSendGoods,
                                paid_at: Utc.timestamp_opt(r[1].unwrap(), 0).unwrap(),
                                shipped_at: None,
                                platform_ship_by: None,
                            };
                            ship_alert(&format!("订单 {}", r[0].unwrap()), &state, asof, &AlertSettings::default())
                        })
                        .map(|a| (a.subject, a.severity))
                        .collect();
                    want.sort();
                    let mut got: Vec<(String, Severity)> = report
                        .alerts
                        .into_iter()
                        .filter(|a| a.code == AlertCode::NotShipped24h)
                        .map(|a| (a.subject, a.severity))
                        .collect();
                    got.sort();
                    assert_eq!(got, want, "shipping alerts of {date}");
                    alerted += got.len();
                }
                assert!(alerted > 0, "the demo has trades late to ship");
            }
            // Weekly: each day and the week as one period.
            let w = app
                .weekly_report(&actor, name.as_deref(), Some(NaiveDate::from_ymd_opt(2024, 11, 13).unwrap()), now)
                .await
                .unwrap();
            let monday = NaiveDate::from_ymd_opt(2024, 11, 11).unwrap();
            assert_eq!(w.week_from, "2024-11-11");
            for (i, d) in w.days.iter().enumerate() {
                let day = monday + Duration::days(i as i64);
                assert_eq!(d.figures.sales, raw.figures(*shop, day, day), "weekly day {day}");
            }
            assert_eq!(w.week.sales, raw.figures(*shop, monday, monday + Duration::days(6)));
            assert_eq!(
                w.week.return_ratio,
                rate(w.week.sales.trades_returned_or_exchanged, w.week.sales.trades_shipped)
            );
            // Monthly: the month, the one before (partly before the demo) and last year (empty).
            let m = app
                .monthly_report(&actor, name.as_deref(), NaiveDate::from_ymd_opt(2024, 11, 1).unwrap())
                .await
                .unwrap();
            let (nov1, nov30) =
                (NaiveDate::from_ymd_opt(2024, 11, 1).unwrap(), NaiveDate::from_ymd_opt(2024, 11, 30).unwrap());
            assert_eq!(m.figures.sales, raw.figures(*shop, nov1, nov30));
            assert_eq!(
                m.previous.sales,
                raw.figures(
                    *shop,
                    NaiveDate::from_ymd_opt(2024, 10, 1).unwrap(),
                    NaiveDate::from_ymd_opt(2024, 10, 31).unwrap()
                )
            );
            assert_eq!(m.last_year.sales.orders_created, 0);
            let per_customer = raw.paid_per_customer(*shop, nov1, nov30);
            assert_eq!(m.customers, per_customer.len() as i64);
            assert_eq!(m.repeat_rate, repeat_rate(per_customer.values().map(|n| *n as u32)));
            let before =
                raw.paid_per_customer(*shop, NaiveDate::from_ymd_opt(2000, 1, 1).unwrap(), nov1 - Duration::days(1));
            let returning = per_customer.keys().filter(|c| before.contains_key(c)).count() as i64;
            assert_eq!((m.returning_customers, m.new_customers), (returning, m.customers - returning));
            let by_province: i64 = m.by_province.iter().map(|p| p.customers).sum();
            assert_eq!(by_province, m.customers);
            // Customers over a period, with the platform's 30-day rate as of its end.
            let (from, to) = (NaiveDate::from_ymd_opt(2024, 11, 6).unwrap(), yesterday);
            let c = app.customers_report(&actor, name.as_deref(), from, to).await.unwrap();
            let per = raw.paid_per_customer(*shop, from, to);
            assert_eq!(c.customers, per.len() as i64);
            assert_eq!(c.repeat_customers, per.values().filter(|n| **n >= 2).count() as i64);
            assert_eq!(c.repeat_rate, repeat_rate(per.values().map(|n| *n as u32)));
            let earlier: std::collections::HashSet<i64> =
                raw.paid_per_customer(*shop, to - Duration::days(59), to - Duration::days(30)).into_keys().collect();
            let later: std::collections::HashSet<i64> =
                raw.paid_per_customer(*shop, to - Duration::days(29), to).into_keys().collect();
            assert_eq!(c.platform_repeat_rate, platform_repeat_rate(&earlier, &later));
            let buckets: i64 = c.by_paid_trades.iter().map(|b| b.customers).sum();
            assert_eq!(buckets, c.customers);
        }
        // Replenishment: the windows' units from the raw lines, stock from the balances.
        let r = app.replenishment_report(&actor, None, Some(yesterday), now).await.unwrap();
        assert!(!r.lines.is_empty());
        let w7 = raw.sku_sales(None, yesterday - Duration::days(6), yesterday);
        let w14 = raw.sku_sales(None, yesterday - Duration::days(13), yesterday);
        let w30 = raw.sku_sales(None, yesterday - Duration::days(29), yesterday);
        let stock = app
            .stock_list(&zhanggui_app::store::ledger::StockFilter {
                company_id: actor.company_id,
                ..Default::default()
            })
            .await
            .unwrap();
        let skus = {
            let mut tx = app.db.begin_read().await.unwrap();
            let s = tx.skus(actor.company_id).await.unwrap();
            tx.commit().await.unwrap();
            s
        };
        for l in &r.lines {
            let id = skus.iter().find(|s| s.outer_sku_id == l.sku_code).unwrap().id;
            let units = |m: &std::collections::BTreeMap<i64, (i64, i64)>| m.get(&id).map_or(0, |x| x.0);
            assert_eq!(l.avg_daily_sales_7d, AvgDailySales::new(units(&w7), 7), "{}", l.sku_code);
            assert_eq!(l.avg_daily_sales_14d, AvgDailySales::new(units(&w14), 14));
            assert_eq!(l.avg_daily_sales_30d, AvgDailySales::new(units(&w30), 30));
            let available: i64 = stock.iter().filter(|s| s.sku_id == id).map(|s| s.available).sum();
            assert_eq!(l.available, available, "{}", l.sku_code);
            assert_eq!(l.days_of_cover, l.avg_daily_sales_7d.days_of_cover(available));
        }
        for pair in r.lines.windows(2) {
            assert_ne!(
                replenishment::table_order(&pair[0], &pair[1]),
                std::cmp::Ordering::Greater,
                "sorted by urgency"
            );
        }
        // The rebuild gives the same reports.
        let before = app.daily_report(&actor, None, Some(yesterday), now).await.unwrap();
        app.rebuild_summaries().await.unwrap();
        let after = app.daily_report(&actor, None, Some(yesterday), now).await.unwrap();
        assert_eq!(before.day.sales, after.day.sales);
        assert_eq!(before.month_to_date.sales, after.month_to_date.sales);
        reports_check::assert_summaries_exact(&app, actor.company_id, TZ).await;
    })
    .await;
}

fn rate(num: i64, den: i64) -> MetricValue {
    if den == 0 { MetricValue::Unavailable } else { MetricValue::Rate(Ratio::new(num, den)) }
}

/// The morning page is kept while nothing changes (on SQLite, which tells when something was
/// written), and computed again after a change made by another process; a day that has not ended
/// is computed on every request, as is everything on PostgreSQL (checked there on the first pages).
#[tokio::test]
async fn the_morning_page_is_kept_until_the_data_changes() {
    use std::sync::Arc;
    use zhanggui_app::store::Backend;
    on_every_backend("the_morning_page_is_kept_until_the_data_changes", |ctx| async move {
        let app = ctx.app;
        let (actor, now) = demo(&app).await;
        let yesterday = NaiveDate::from_ymd_opt(2024, 11, 19).unwrap();
        let a = app.dashboard(&actor, None, Some(yesterday), now).await.unwrap();
        let b = app.dashboard(&actor, None, Some(yesterday), now).await.unwrap();
        assert_eq!(format!("{a:?}"), format!("{b:?}"));
        assert_eq!(Arc::ptr_eq(&a, &b), ctx.backend == Backend::Sqlite, "kept on SQLite only");
        if ctx.backend == Backend::Postgres {
            // Nothing is kept there: the rest would only compute the same pages again.
            return;
        }
        // A shop's page is its own.
        let shop = a.shops[0].name.clone();
        let s = app.dashboard(&actor, Some(&shop), Some(yesterday), now).await.unwrap();
        assert_eq!(s.daily.shop.as_deref(), Some(shop.as_str()));
        assert!(!Arc::ptr_eq(&a, &s));

        // Stock of the first best seller changes through another connection to the database, as
        // another process (an import on the command line) would change it.
        let best = a.daily.best_sellers[0].clone();
        let other = App::open(&ctx.url).await.unwrap();
        other.adjust_stock(&actor, &best.sku_code, None, 5, "盘盈", now).await.unwrap();
        other.db.close().await;
        async fn other_change(url: &str, actor: &Actor, sku: &str, now: chrono::DateTime<Utc>) {
            let other = App::open(url).await.unwrap();
            other.adjust_stock(actor, sku, None, 1, "盘盈", now).await.unwrap();
            other.db.close().await;
        }
        let c = app.dashboard(&actor, None, Some(yesterday), now).await.unwrap();
        assert!(!Arc::ptr_eq(&a, &c));
        let after = c.daily.best_sellers.iter().find(|x| x.sku_code == best.sku_code).unwrap();
        assert_eq!(after.available, best.available + 5);
        // Read again without a change: kept.
        let d = app.dashboard(&actor, None, Some(yesterday), now).await.unwrap();
        assert!(Arc::ptr_eq(&c, &d));

        // Requests arriving together after a change take turns and all get the new figures.
        other_change(&ctx.url, &actor, &best.sku_code, now).await;
        let ask = || app.dashboard(&actor, None, Some(yesterday), now);
        let (p1, p2, p3, p4) = tokio::join!(ask(), ask(), ask(), ask());
        let pages = [p1.unwrap(), p2.unwrap(), p3.unwrap(), p4.unwrap()];
        for p in &pages {
            let x = p.daily.best_sellers.iter().find(|x| x.sku_code == best.sku_code).unwrap();
            assert_eq!(x.available, best.available + 6);
            assert_eq!(format!("{p:?}"), format!("{:?}", pages[0]));
        }
        assert!(!Arc::ptr_eq(&pages[0], &c));

        // Today has not ended: its alerts are as of now, so it is computed each time.
        let today = yesterday + Duration::days(1);
        let t1 = app.dashboard(&actor, None, Some(today), now).await.unwrap();
        let t2 = app.dashboard(&actor, None, Some(today), now).await.unwrap();
        assert!(!Arc::ptr_eq(&t1, &t2));
    })
    .await;
}
