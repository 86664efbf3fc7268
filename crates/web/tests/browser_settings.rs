//! The settings end to end in headless chromium: the manager logs in, adds a warehouse, lets a shop
//! oversell, raises an alert threshold and sees the alerts report follow it, then downloads the
//! filtered orders as Excel and finds exactly those orders in the file. Screenshots go to
//! target/screenshots/. Skipped with a note when chromium or chromedriver is not installed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::Utc;
use common::browser::*;
use common::*;
use zhanggui_app::Actor;
use zhanggui_app::domain::{Money, ThresholdKey};
use zhanggui_app::trading::{LineInput, TradeInput};

/// The finished download in `dir` whose name starts with `prefix`.
async fn downloaded(dir: &Path, prefix: &str) -> PathBuf {
    for _ in 0..100 {
        let done = std::fs::read_dir(dir).unwrap().filter_map(Result::ok).map(|e| e.path()).find(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            name.starts_with(prefix) && name.ends_with(".xlsx")
        });
        if let Some(p) = done {
            return p;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("no {prefix}*.xlsx was downloaded into {}", dir.display());
}

fn sheet(path: &Path) -> Vec<Vec<String>> {
    use calamine::Reader as _;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(path).unwrap();
    let name = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&name).unwrap();
    range.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
}

#[tokio::test]
async fn the_manager_changes_the_settings_in_the_browser() {
    let downloads = std::env::temp_dir().join(format!("zhanggui-downloads-{}", std::process::id()));
    std::fs::create_dir_all(&downloads).unwrap();
    let Some((_driver, c)) = browser_saving_downloads_to(&downloads).await else { return };
    let s = Server::start().await;
    let actor = Actor { company_id: s.company_id, user: "setup".into() };
    let shop = s.app.shops(&actor).await.unwrap()[0].id;
    // Three more trades: two paid (to ship), one not paid.
    for (tid, buyer, paid) in [
        ("2401180101", "杭州的小雨", true),
        ("2401180102", "爱喝奶茶的阿May", true),
        ("2401180103", "tb_buyer_09", false),
    ] {
        let input = TradeInput {
            shop_id: shop,
            tid: tid.into(),
            buyer_nick: buyer.into(),
            receiver_name: "陈静".into(),
            created_at: Utc::now() - chrono::Duration::minutes(30),
            lines: vec![LineInput {
                outer_sku_id: SKU.into(),
                price: Money::from_fen(9900),
                qty: 1,
                ..Default::default()
            }],
            ..Default::default()
        };
        let id = s.app.create_trade(&actor, &input).await.unwrap();
        if paid {
            s.app.pay_trade(&actor, id, Utc::now() - chrono::Duration::minutes(20)).await.unwrap();
        }
    }

    c.goto(&s.url("/settings/warehouses")).await.unwrap();
    assert!(c.current_url().await.unwrap().path().starts_with("/login"), "a login is asked for");
    fill(&c, "login", "admin").await;
    fill(&c, "password", ADMIN_PASSWORD).await;
    click(&c, "submit").await;
    wait_for(&c, "#new-warehouse").await;
    assert_eq!(c.current_url().await.unwrap().path(), "/settings/warehouses");

    // 仓库: add the Shanghai warehouse.
    fill(&c, "warehouse-code", "SH").await;
    fill(&c, "warehouse-name", "上海仓").await;
    click(&c, "add-warehouse").await;
    wait_for(&c, "#notice").await;
    assert!(text_of(&c, "#notice").await.contains("仓库已新增"));
    assert!(text_of(&c, "#warehouse-SH").await.contains("上海仓"));
    shot(&c, "settings-warehouses").await;

    // 店铺: let the shop oversell.
    click(&c, "tab-shops").await;
    wait_for(&c, "table#shops").await;
    click(&c, &format!("edit-shop-{shop}")).await;
    wait_for(&c, "#shop-form").await;
    let oversell = c.find(Locator::Id("shop-oversell")).await.unwrap();
    assert!(oversell.prop("checked").await.unwrap().as_deref() != Some("true"));
    oversell.click().await.unwrap();
    shot(&c, "settings-shop").await;
    click(&c, "save-shop").await;
    wait_for(&c, "#notice").await;
    assert!(text_of(&c, "#notice").await.contains("店铺设置已保存"));
    assert!(text_of(&c, "#shops").await.contains("是"));
    assert!(s.app.shops(&actor).await.unwrap()[0].allow_oversell);
    shot(&c, "settings-shops").await;

    // 预警阈值: 常销 alert level from 10 to 20 days.
    click(&c, "tab-thresholds").await;
    wait_for(&c, "#thresholds").await;
    assert_eq!(text_of(&c, "#in-use-alert_days_regular").await, "10 天");
    fill(&c, "t-alert_days_regular", "20").await;
    click(&c, "save-thresholds").await;
    wait_for(&c, "#notice").await;
    assert!(text_of(&c, "#notice").await.contains("预警阈值已保存"));
    assert_eq!(text_of(&c, "#in-use-alert_days_regular").await, "20 天");
    let book = s.app.threshold_book(&actor).await.unwrap();
    assert_eq!(book.company.get(ThresholdKey::AlertDaysRegular), 20);
    shot(&c, "settings-thresholds").await;
    // 滞销 set above 热销: refused next to the field, what was typed kept, nothing saved.
    fill(&c, "t-slow_below_week", "30").await;
    click(&c, "save-thresholds").await;
    wait_for(&c, "#error-hot_from_week").await;
    assert!(text_of(&c, "#error-hot_from_week").await.contains("不能低于滞销的标准"));
    let typed = c.find(Locator::Id("t-slow_below_week")).await.unwrap().prop("value").await.unwrap();
    assert_eq!(typed.as_deref(), Some("30"));
    assert_eq!(s.app.threshold_book(&actor).await.unwrap(), book);
    shot(&c, "settings-thresholds-refused").await;

    // 时区: shown with the local time; left as it is.
    click(&c, "tab-time-zone").await;
    wait_for(&c, "#time-zone-form").await;
    assert_eq!(text_of(&c, "#current-zone").await, "Asia/Shanghai");
    shot(&c, "settings-time-zone").await;

    // The audit log has the three changes.
    click(&c, "audit-link").await;
    wait_for(&c, "table#audit").await;
    let log = text_of(&c, "#audit").await;
    assert!(log.contains("新增仓库") && log.contains("修改店铺") && log.contains("修改预警阈值"), "{log}");
    assert!(log.contains("alert_days_regular=default(10)") && log.contains("alert_days_regular=20"), "{log}");

    // 订单: the paid ones, exported to Excel.
    c.goto(&s.url("/orders?status=WAIT_SELLER_SEND_GOODS")).await.unwrap();
    wait_for(&c, "table#orders").await;
    shot(&c, "orders-filtered").await;
    click(&c, "export").await;
    let file = downloaded(&downloads, "zhanggui-orders-").await;
    let rows = sheet(&file);
    let tid = rows[0].iter().position(|h| h == "订单编号").unwrap();
    let mut tids: Vec<&str> = rows[1..].iter().map(|r| r[tid].as_str()).collect();
    tids.sort_unstable();
    assert_eq!(tids, [s.tid.as_str(), "2401180101", "2401180102"], "the paid orders, not the unpaid one");
    assert!(rows[0].iter().any(|h| h.contains("商品成本")), "the manager sees the cost of goods");

    c.close().await.unwrap();
    s.stop().await;
    std::fs::remove_dir_all(&downloads).ok();
}
