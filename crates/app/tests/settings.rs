//! Settings (设置) on every backend: shops and their stock rules, warehouses, the alert thresholds the
//! reports read (company-wide and per shop) and the company's time zone. Only the manager changes
//! them; every change is in the audit log with its values before and after; refused changes change
//! nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod reports_check;

use chrono::{Duration, NaiveDate};
use common::*;
use reports_check::local;
use zhanggui_app::settings::{SettingsError, ShopChange};
use zhanggui_app::store::users::AuditRow;
use zhanggui_app::trading::{ShipInput, TradeError};
use zhanggui_app::users::{Role, User};
use zhanggui_app::{App, Lang, UserFacing};
use zhanggui_domain::{AlertCode, Platform, Severity, SkuClass, ThresholdKey};

fn user(fx: &Fixture, login: &str, role: Role) -> User {
    User { id: 0, company_id: fx.company_id, login: login.into(), display_name: String::new(), role }
}

fn manager(fx: &Fixture) -> User {
    user(fx, "店长-李娜", Role::Manager)
}

async fn audit(app: &App, fx: &Fixture) -> Vec<AuditRow> {
    app.audit_log(&manager(fx), 0, 1000).await.expect("audit log")
}

fn pdd_shop() -> ShopChange {
    ShopChange {
        name: "暖阳拼多多店".into(),
        platform: "pdd".into(),
        default_warehouse: "GZ".into(),
        allow_oversell: false,
        reserve_unpaid: true,
        inventory_start: "2024-06-01 08:00".into(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shops_are_added_and_changed_by_the_manager_and_their_stock_rules_act() {
    on_every_backend("settings_shops", |cx| async move {
        let app = &cx.app;
        let fx = build_shop(app).await;
        let boss = manager(&fx);

        // Customer service may not add a shop: nothing is written.
        let e = app.add_shop(&user(&fx, "客服-小周", Role::Service), &pdd_shop()).await.unwrap_err();
        assert!(matches!(e, SettingsError::Forbidden));
        assert_eq!(e.code(), "forbidden");
        assert_eq!(app.shops(&fx.actor).await.unwrap().len(), 2);

        let id = app.add_shop(&boss, &pdd_shop()).await.expect("add shop");
        let shops = app.shops(&fx.actor).await.unwrap();
        let pdd = shops.iter().find(|s| s.id == id).expect("the new shop");
        assert_eq!((pdd.name.as_str(), pdd.platform), ("暖阳拼多多店", Platform::Pdd));
        assert_eq!(pdd.default_warehouse_id, Some(fx.gz));
        assert!(pdd.reserve_unpaid && !pdd.allow_oversell);
        assert_eq!(pdd.inventory_start_at, Some(local(2024, 6, 1, 8, 0)), "read in the company's zone");

        // Refusals name the field and change nothing.
        let dup = app.add_shop(&boss, &pdd_shop()).await.unwrap_err();
        assert_eq!((dup.code(), dup.field()), ("duplicate", Some("name")));
        for (change, field) in [
            (ShopChange { name: "  ".into(), ..pdd_shop() }, "name"),
            (ShopChange { name: "暖阳抖音店".into(), platform: "amazon".into(), ..pdd_shop() }, "platform"),
            (
                ShopChange { name: "暖阳抖音店".into(), default_warehouse: "SH".into(), ..pdd_shop() },
                "default_warehouse",
            ),
            (
                ShopChange { name: "暖阳抖音店".into(), inventory_start: "六月一号".into(), ..pdd_shop() },
                "inventory_start",
            ),
        ] {
            let e = app.add_shop(&boss, &change).await.unwrap_err();
            assert_eq!((e.code(), e.field()), ("invalid_input", Some(field)), "{e}");
            assert!(!e.message(Lang::Zh).is_empty());
        }
        assert_eq!(app.shops(&fx.actor).await.unwrap().len(), 3);

        // The unpaid-trades rule of the new shop reserves stock at creation.
        let before = fx.stock(app, TEE_BLACK_M, "GZ").await;
        let mut t = fx.trade(id, "240618000101", "拼多多用户_8812", &[(TEE_BLACK_M, 2)]);
        t.created_at = at(10);
        app.create_trade(&fx.actor, &t).await.expect("unpaid trade");
        let after = fx.stock(app, TEE_BLACK_M, "GZ").await;
        assert_eq!(after.1, before.1 + 2, "reserved while unpaid");

        // Overselling: refused until the manager allows it on the shop.
        let cup = app
            .create_trade(&fx.actor, &fx.trade(fx.taobao, "4102938475620001", "小鱼儿爱吃鱼", &[(CUP_PINK_500, 1)]))
            .await
            .unwrap();
        let e = app.pay_trade(&fx.actor, cup, at(5)).await.unwrap_err();
        assert!(matches!(e, TradeError::OutOfStock { .. }), "{e}");
        let taobao = ShopChange {
            name: "暖阳女装淘宝店".into(),
            platform: "taobao".into(),
            default_warehouse: "HZ".into(),
            allow_oversell: true,
            reserve_unpaid: false,
            inventory_start: String::new(),
        };
        assert!(app.update_shop(&boss, fx.taobao, &taobao).await.expect("allow overselling"));
        app.pay_trade(&fx.actor, cup, at(6)).await.expect("paid, oversold");
        assert!(app.trade_detail(&fx.actor, cup).await.unwrap().trade.oversold);
        // Saving the same again changes nothing and writes no audit line.
        let lines = audit(app, &fx).await.len();
        assert!(!app.update_shop(&boss, fx.taobao, &taobao).await.unwrap());
        assert_eq!(audit(app, &fx).await.len(), lines);

        // The platform of a shop with trades stays; its name can change, but not to another shop's.
        let e = app
            .update_shop(&boss, fx.taobao, &ShopChange { platform: "jd".into(), ..taobao.clone() })
            .await
            .unwrap_err();
        assert_eq!(e.field(), Some("platform"));
        let e = app
            .update_shop(&boss, fx.taobao, &ShopChange { name: "暖阳官方旗舰店".into(), ..taobao.clone() })
            .await
            .unwrap_err();
        assert_eq!(e.code(), "duplicate");
        let e = app.update_shop(&user(&fx, "运营-陈晨", Role::Operations), fx.taobao, &taobao).await.unwrap_err();
        assert_eq!(e.code(), "forbidden");
        let e = app.update_shop(&boss, 999_999, &taobao).await.unwrap_err();
        assert_eq!(e.code(), "not_found");
        let shop = app.shops(&fx.actor).await.unwrap().into_iter().find(|s| s.id == fx.taobao).unwrap();
        assert_eq!(
            (shop.name.as_str(), shop.platform, shop.allow_oversell),
            ("暖阳女装淘宝店", Platform::Taobao, true)
        );

        // The audit log has every change with its values before and after.
        let log = audit(app, &fx).await;
        let add = log.iter().find(|r| r.action == "settings.shop_add").expect("shop added");
        assert_eq!(add.target, "暖阳拼多多店");
        assert!(add.after_value.contains("platform=pdd") && add.after_value.contains("default_warehouse=GZ"));
        assert!(add.after_value.contains("inventory_start=2024-06-01 08:00:00"), "{}", add.after_value);
        let change = log.iter().find(|r| r.action == "settings.shop").expect("shop changed");
        assert_eq!(change.user_name, "店长-李娜");
        assert!(change.before_value.contains("allow_oversell=no"), "{}", change.before_value);
        assert!(change.after_value.contains("allow_oversell=yes"), "{}", change.after_value);
        assert_eq!(log.iter().filter(|r| r.action.starts_with("settings.")).count(), 2, "refusals are not logged");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn warehouses_are_added_renamed_and_set_for_sale_only_when_empty() {
    on_every_backend("settings_warehouses", |cx| async move {
        let app = &cx.app;
        let fx = build_shop(app).await;
        let boss = manager(&fx);

        let e = app.add_warehouse(&user(&fx, "仓管-王芳", Role::Warehouse), "SH", "上海仓", true).await.unwrap_err();
        assert_eq!(e.code(), "forbidden");
        let sh = app.add_warehouse(&boss, "SH", "上海仓", true).await.expect("add warehouse");
        // Every SKU has a balance in it, so it appears in the stock list at zero.
        let lines = fx.stock_lines(app).await;
        assert_eq!(lines.iter().filter(|l| l.warehouse_id == sh).count(), fx.skus.len());
        assert!(lines.iter().filter(|l| l.warehouse_id == sh).all(|l| l.on_hand == 0));

        for (code, name, field) in
            [("sh", "上海二仓", "code"), ("CD", "上海仓", "name"), ("C D", "成都仓", "code"), ("CD", "", "name")]
        {
            let e = app.add_warehouse(&boss, code, name, true).await.unwrap_err();
            assert_eq!(e.field(), Some(field), "{code} {name}: {e}");
        }
        assert_eq!(app.warehouses(&fx.actor).await.unwrap().len(), 3);

        // Renamed and set apart for goods that cannot be sold while it is empty.
        assert!(app.update_warehouse(&boss, sh, "上海退货仓", false).await.expect("rename"));
        let w = app.warehouse_settings(&fx.actor).await.unwrap();
        let w = w.iter().find(|w| w.warehouse.id == sh).unwrap();
        assert_eq!((w.warehouse.name.as_str(), w.warehouse.sellable), ("上海退货仓", false));
        assert!(!app.update_warehouse(&boss, sh, "上海退货仓", false).await.unwrap(), "nothing to change");

        // HZ holds stock and ships for both shops: it stays for sale.
        let before = app.warehouse_settings(&fx.actor).await.unwrap();
        let hz = before.iter().find(|w| w.warehouse.id == fx.hz).unwrap();
        assert_eq!(hz.on_hand, 33);
        assert_eq!(hz.default_of, vec!["暖阳女装淘宝店".to_string(), "暖阳官方旗舰店".to_string()]);
        let e = app.update_warehouse(&boss, fx.hz, "杭州主仓", false).await.unwrap_err();
        assert_eq!(e.field(), Some("sellable"));
        assert!(e.message(Lang::Zh).contains("还有 33 件库存"), "{}", e.message(Lang::Zh));
        // Empty, but a shop's default warehouse: refused too.
        let empty = app.add_warehouse(&boss, "NB", "宁波仓", true).await.unwrap();
        let shop = ShopChange {
            name: "暖阳官方旗舰店".into(),
            platform: "tmall".into(),
            default_warehouse: "NB".into(),
            ..Default::default()
        };
        app.update_shop(&boss, fx.tmall, &shop).await.unwrap();
        let e = app.update_warehouse(&boss, empty, "宁波仓", false).await.unwrap_err();
        assert!(e.message(Lang::Zh).contains("暖阳官方旗舰店"), "{}", e.message(Lang::Zh));
        // A shop cannot ship from the returns location.
        let e =
            app.update_shop(&boss, fx.tmall, &ShopChange { default_warehouse: "SH".into(), ..shop }).await.unwrap_err();
        assert_eq!(e.field(), Some("default_warehouse"));
        let e = app.update_warehouse(&boss, fx.gz, "杭州主仓", true).await.unwrap_err();
        assert_eq!(e.code(), "duplicate");
        assert_eq!(app.update_warehouse(&boss, 999_999, "无", true).await.unwrap_err().code(), "not_found");
        let after = app.warehouse_settings(&fx.actor).await.unwrap();
        assert_eq!(
            after.iter().map(|w| (w.warehouse.id, w.warehouse.name.clone(), w.warehouse.sellable)).collect::<Vec<_>>(),
            vec![
                (fx.hz, "杭州主仓".to_string(), true),
                (fx.gz, "广州仓".to_string(), true),
                (sh, "上海退货仓".to_string(), false),
                (empty, "宁波仓".to_string(), true),
            ]
        );

        let log = audit(app, &fx).await;
        let renamed = log.iter().find(|r| r.action == "settings.warehouse").expect("warehouse changed");
        assert_eq!(renamed.target, "SH");
        assert_eq!(renamed.before_value, "name=上海仓 sellable=yes");
        assert_eq!(renamed.after_value, "name=上海退货仓 sellable=no");
        assert_eq!(log.iter().filter(|r| r.action == "settings.warehouse_add").count(), 2);
    })
    .await;
}

/// The day the alerts are about, and the moment they are looked at (the next morning).
fn report_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 6, 18).unwrap()
}

/// A tee shirt sold every day of the week to 2024-06-18 (7 units: a 常销 SKU at 1 a day) and shipped,
/// and a white one paid at midnight and not shipped.
async fn a_week_of_sales(app: &App, fx: &Fixture) -> i64 {
    for d in 0..7u32 {
        let paid = local(2024, 6, 12 + d, 10, 0);
        let mut t = fx.trade(fx.taobao, &format!("41029384756{d:05}"), &format!("买家_{d}"), &[(TEE_BLACK_M, 1)]);
        t.created_at = paid - Duration::minutes(3);
        let id = app.create_trade(&fx.actor, &t).await.unwrap();
        app.pay_trade(&fx.actor, id, paid).await.unwrap();
        let ship = ShipInput { carrier: "中通快递".into(), tracking_no: format!("7530{d:08}"), line_ids: None };
        app.ship_trade(&fx.actor, id, &ship, paid + Duration::hours(2)).await.unwrap();
    }
    let paid = local(2024, 6, 18, 0, 0);
    let mut t = fx.trade(fx.taobao, "4102938475699999", "晚睡的猫", &[(TEE_WHITE_L, 1)]);
    t.created_at = paid - Duration::minutes(1);
    let id = app.create_trade(&fx.actor, &t).await.unwrap();
    app.pay_trade(&fx.actor, id, paid).await.unwrap();
    id
}

async fn alerts_of(app: &App, fx: &Fixture, shop: Option<&str>, code: AlertCode) -> Vec<(String, Severity)> {
    let report = app.alerts_report(&fx.actor, shop, Some(report_day()), local(2024, 6, 19, 9, 0)).await.unwrap();
    report.alerts.into_iter().filter(|a| a.code == code).map(|a| (a.subject, a.severity)).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_threshold_changes_the_alerts_report() {
    on_every_backend("settings_thresholds", |cx| async move {
        let app = &cx.app;
        let fx = build_shop(app).await;
        let boss = manager(&fx);
        a_week_of_sales(app, &fx).await;
        let tee = |alerts: &[(String, Severity)]| alerts.iter().any(|(s, _)| s.starts_with(TEE_BLACK_M));

        // 18 available at 1 a day: 18 days of cover, above the 常销 level of 10.
        let table =
            app.replenishment_report(&fx.actor, None, Some(report_day()), local(2024, 6, 19, 9, 0)).await.unwrap();
        let line = table.lines.iter().find(|l| l.sku_code == TEE_BLACK_M).unwrap();
        assert_eq!((line.class, line.available, line.alert_level_days), (SkuClass::Regular, 18, 10));
        assert!(!tee(&alerts_of(app, &fx, None, AlertCode::StockBelowAlertLevel).await));
        // The white tee paid at midnight is 24 hours unshipped at the end of the day: overdue.
        let late = alerts_of(app, &fx, None, AlertCode::NotShipped24h).await;
        assert_eq!(late, vec![("订单 4102938475699999".to_string(), Severity::Critical)]);

        // The manager raises the 常销 level to 20 days: the tee is now below it.
        let n = app.set_thresholds(&boss, None, &[(ThresholdKey::AlertDaysRegular, Some(20))]).await.unwrap();
        assert_eq!(n, 1);
        let stock = alerts_of(app, &fx, None, AlertCode::StockBelowAlertLevel).await;
        assert!(tee(&stock), "{stock:?}");
        let table =
            app.replenishment_report(&fx.actor, None, Some(report_day()), local(2024, 6, 19, 9, 0)).await.unwrap();
        let line = table.lines.iter().find(|l| l.sku_code == TEE_BLACK_M).unwrap();
        assert_eq!((line.alert_level_days, line.below_alert_level), (20, true));
        // The daily report carries the same alert.
        let daily = app.daily_report(&fx.actor, None, Some(report_day()), local(2024, 6, 19, 9, 0)).await.unwrap();
        assert!(
            daily
                .alerts
                .iter()
                .any(|a| a.code == AlertCode::StockBelowAlertLevel && a.subject.starts_with(TEE_BLACK_M))
        );

        // The Taobao shop sets its own level (15) and gives itself 48 hours to ship: its report
        // follows them, the company's keeps the company's level, and the late trade is the shop's.
        let shop_changes = [(ThresholdKey::AlertDaysRegular, Some(15)), (ThresholdKey::ShipSlaHours, Some(48))];
        assert_eq!(app.set_thresholds(&boss, Some(fx.taobao), &shop_changes).await.unwrap(), 2);
        assert!(!tee(&alerts_of(app, &fx, Some("暖阳女装淘宝店"), AlertCode::StockBelowAlertLevel).await));
        assert!(tee(&alerts_of(app, &fx, None, AlertCode::StockBelowAlertLevel).await));
        assert!(alerts_of(app, &fx, None, AlertCode::NotShipped24h).await.is_empty());
        assert!(alerts_of(app, &fx, Some("暖阳女装淘宝店"), AlertCode::NotShipped24h).await.is_empty());

        // Lowering the 热销 mark to 7 a week makes the tee a hot seller, with the hot level (15).
        app.set_thresholds(&boss, None, &[(ThresholdKey::HotFromWeek, Some(7))]).await.unwrap();
        let table =
            app.replenishment_report(&fx.actor, None, Some(report_day()), local(2024, 6, 19, 9, 0)).await.unwrap();
        let line = table.lines.iter().find(|l| l.sku_code == TEE_BLACK_M).unwrap();
        assert_eq!((line.class, line.alert_level_days), (SkuClass::Hot, 15));

        // Refused: out of range, values that contradict each other (for the company or for a shop
        // that sets some itself), and anyone but the manager. Nothing changes.
        app.set_thresholds(&boss, Some(fx.tmall), &[(ThresholdKey::HotFromWeek, Some(10))]).await.unwrap();
        let book = app.threshold_book(&fx.actor).await.unwrap();
        let log = audit(app, &fx).await.len();
        let e = app.set_thresholds(&boss, None, &[(ThresholdKey::FallDays, Some(0))]).await.unwrap_err();
        assert_eq!(e.field(), Some("fall_days"));
        let e = app.set_thresholds(&boss, None, &[(ThresholdKey::SlowBelowWeek, Some(8))]).await.unwrap_err();
        assert_eq!(e.field(), Some("hot_from_week"));
        let both = [(ThresholdKey::HotFromWeek, Some(21)), (ThresholdKey::SlowBelowWeek, Some(12))];
        let e = app.set_thresholds(&boss, None, &both).await.unwrap_err();
        assert!(e.message(Lang::Zh).contains("暖阳官方旗舰店"), "{}", e.message(Lang::Zh));
        let e =
            app.set_thresholds(&boss, Some(fx.taobao), &[(ThresholdKey::ShipWarnHours, Some(49))]).await.unwrap_err();
        assert_eq!(e.field(), Some("ship_warn_hours"));
        let buyer = user(&fx, "采购-赵强", Role::Purchasing);
        let e = app.set_thresholds(&buyer, None, &[(ThresholdKey::AlertDaysHot, Some(30))]).await.unwrap_err();
        assert_eq!(e.code(), "forbidden");
        assert_eq!(app.set_thresholds(&boss, Some(999_999), &[]).await.unwrap_err().code(), "not_found");
        assert_eq!(app.threshold_book(&fx.actor).await.unwrap(), book);
        assert_eq!(audit(app, &fx).await.len(), log);

        // A shop's value cleared goes back to the company's; the company's back to the default,
        // and then it is not stored at all.
        app.set_thresholds(&boss, Some(fx.taobao), &[(ThresholdKey::ShipSlaHours, None)]).await.unwrap();
        assert_eq!(alerts_of(app, &fx, None, AlertCode::NotShipped24h).await.len(), 1);
        assert_eq!(app.set_thresholds(&boss, None, &[(ThresholdKey::AlertDaysRegular, Some(10))]).await.unwrap(), 1);
        assert_eq!(app.set_thresholds(&boss, None, &[(ThresholdKey::AlertDaysRegular, None)]).await.unwrap(), 0);
        let book = app.threshold_book(&fx.actor).await.unwrap();
        assert_eq!(book.company.get(ThresholdKey::AlertDaysRegular), 10);
        assert_eq!(book.overrides_of(fx.taobao).map(|o| o.len()), Some(1), "the shop keeps its level of 15");

        let log = audit(app, &fx).await;
        let first = log.iter().rev().find(|r| r.action == "settings.thresholds").unwrap();
        assert_eq!(first.target, "杭州暖阳服饰有限公司");
        assert_eq!(first.before_value, "alert_days_regular=default(10)");
        assert_eq!(first.after_value, "alert_days_regular=20");
        let shop = log.iter().find(|r| r.action == "settings.thresholds" && r.target == "暖阳女装淘宝店").unwrap();
        assert_eq!(shop.before_value, "ship_sla_hours=48");
        assert_eq!(shop.after_value, "ship_sla_hours=company(24)");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_time_zone_is_checked_and_moves_the_days_of_the_reports() {
    on_every_backend("settings_time_zone", |cx| async move {
        let app = &cx.app;
        let fx = build_shop(app).await;
        let boss = manager(&fx);
        // Paid at 02:00 in Shanghai on the 18th: 19:00 on the 17th in London.
        let paid = local(2024, 6, 18, 2, 0);
        let mut t = fx.trade(fx.taobao, "4102938475630001", "早起的鸟", &[(TEE_BLACK_M, 3)]);
        t.created_at = paid - Duration::minutes(2);
        let id = app.create_trade(&fx.actor, &t).await.unwrap();
        app.pay_trade(&fx.actor, id, paid).await.unwrap();
        let units = |day: u32| {
            let app = app.clone();
            let actor = fx.actor.clone();
            async move {
                let d = NaiveDate::from_ymd_opt(2024, 6, day).unwrap();
                app.daily_report(&actor, None, Some(d), local(2024, 6, 20, 9, 0)).await.unwrap().day.units_paid
            }
        };
        assert_eq!((units(17).await, units(18).await), (0, 3));

        for bad in ["Mars/Olympus", "asia/shanghai", "", "UTC+8", "Asia/Shanghai; DROP TABLE company"] {
            let e = app.set_time_zone(&boss, bad).await.unwrap_err();
            assert_eq!((e.code(), e.field()), ("invalid_input", Some("time_zone")), "{bad}");
            assert!(e.message(Lang::Zh).contains("时区"), "{}", e.message(Lang::Zh));
        }
        let e = app.set_time_zone(&user(&fx, "财务-孙丽", Role::Finance), "Europe/London").await.unwrap_err();
        assert_eq!(e.code(), "forbidden");
        assert_eq!(app.company_settings(&fx.actor).await.unwrap().time_zone, "Asia/Shanghai");
        assert_eq!((units(17).await, units(18).await), (0, 3));

        let tz = app.set_time_zone(&boss, " Europe/London ").await.unwrap();
        assert_eq!(tz, chrono_tz::Europe::London);
        assert_eq!(app.company_settings(&fx.actor).await.unwrap().time_zone, "Europe/London");
        assert_eq!((units(17).await, units(18).await), (3, 0), "the payment falls on the 17th in London");
        reports_check::assert_summaries_exact(app, fx.company_id, chrono_tz::Europe::London).await;
        // Shops and trades written after the change use it too.
        let shops = app.shops(&fx.actor).await.unwrap();
        assert!(shops.iter().all(|s| s.time_zone == chrono_tz::Europe::London));
        // A buyer's trades around the night London puts its clocks back (01:00 UTC on 27 October
        // 2024, a day of 25 hours), in both shops: the buyer counters stay exact.
        let utc = |mo: u32, d: u32, h: u32, m: u32| {
            chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2024, mo, d, h, m, 0).unwrap()
        };
        for (i, (shop, paid)) in [
            (fx.taobao, utc(10, 26, 22, 30)), // 23:30 on the 26th, summer time
            (fx.taobao, utc(10, 26, 23, 30)), // 00:30 on the 27th, summer time
            (fx.tmall, utc(10, 27, 23, 30)),  // 23:30 on the 27th, winter time
            (fx.taobao, utc(10, 31, 12, 0)),
            (fx.tmall, utc(10, 28, 0, 30)),
            (fx.tmall, utc(11, 5, 23, 30)), // a span wholly in winter time: grouped by the database
            (fx.taobao, utc(11, 4, 0, 30)),
        ]
        .into_iter()
        .enumerate()
        {
            let mut t = fx.trade(shop, &format!("41029384756301{i:02}"), "夜猫子", &[(TEE_BLACK_M, 1)]);
            t.created_at = paid - Duration::minutes(5);
            let id = app.create_trade(&fx.actor, &t).await.unwrap();
            app.pay_trade(&fx.actor, id, paid).await.unwrap();
        }
        reports_check::assert_summaries_exact(app, fx.company_id, chrono_tz::Europe::London).await;

        let log = audit(app, &fx).await;
        let line = log.iter().find(|r| r.action == "settings.time_zone").unwrap();
        assert_eq!(
            (line.before_value.as_str(), line.after_value.as_str()),
            ("time_zone=Asia/Shanghai", "time_zone=Europe/London")
        );
        // The same zone again: nothing to do, nothing logged.
        app.set_time_zone(&boss, "Europe/London").await.unwrap();
        assert_eq!(audit(app, &fx).await.iter().filter(|r| r.action == "settings.time_zone").count(), 1);
    })
    .await;
}
