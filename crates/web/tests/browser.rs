//! End to end in Debian's headless chromium through chromedriver: log in, look at every main page
//! (a screenshot of each goes to target/screenshots/), see on the dashboard the figures of the daily
//! report, ship an order and see its stock move, take a return through after-sales (申请, 同意, 退货, 验货 with a
//! damaged unit) and see the refund close the trade and the stock, open a report, switch the language. Skipped with a note when chromium or chromedriver is not installed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::Utc;
use common::browser::*;
use common::*;
use zhanggui_app::Actor;
use zhanggui_app::domain::Money;
use zhanggui_app::setup::SkuSpec;
use zhanggui_app::trading::{LineInput, TradeInput};

/// A month of paid trades of a second item, so the dashboard has trends to draw.
async fn a_month_of_sales(s: &Server) {
    let actor = Actor { company_id: s.company_id, user: "setup".into() };
    let shop = s.app.shops(&actor).await.unwrap()[0].id;
    let spec = SkuSpec {
        outer_sku_id: "PT2402-GRY-L".into(),
        properties: "颜色分类:灰色;尺码:L".into(),
        price: Money::from_fen(15900),
        cost: Money::from_fen(6000),
    };
    s.app.create_product(s.company_id, "PT2402", "休闲长裤", "裤子", &[spec]).await.unwrap();
    s.app.adjust_stock(&actor, "PT2402-GRY-L", Some("HZ"), 200, "期初库存", Utc::now()).await.unwrap();
    let today = Utc::now().with_timezone(&chrono_tz::Asia::Shanghai).date_naive();
    for back in 1..=30i64 {
        let day = today - chrono::Duration::days(back);
        for n in 0..(back * 7 % 4 + 1) {
            let paid = zhanggui_app::clock::day_start(day, chrono_tz::Asia::Shanghai) + chrono::Duration::hours(9 + n);
            let input = TradeInput {
                shop_id: shop,
                tid: format!("H{back:02}{n}"),
                buyer_nick: format!("buyer_{}", (back + n) % 17),
                created_at: paid - chrono::Duration::minutes(20),
                lines: vec![LineInput {
                    outer_sku_id: "PT2402-GRY-L".into(),
                    price: Money::from_fen(15900),
                    qty: 1,
                    ..Default::default()
                }],
                ..Default::default()
            };
            let id = s.app.create_trade(&actor, &input).await.unwrap();
            s.app.pay_trade(&actor, id, paid).await.unwrap();
        }
    }
}

#[tokio::test]
async fn a_shop_day_in_the_browser() {
    let Some((_driver, c)) = browser().await else { return };
    let s = Server::start().await;
    a_month_of_sales(&s).await;

    c.goto(&s.url("/orders")).await.unwrap();
    assert!(c.current_url().await.unwrap().path().starts_with("/login"), "a login is asked for");
    shot(&c, "login").await;
    c.find(Locator::Id("login")).await.unwrap().send_keys("admin").await.unwrap();
    c.find(Locator::Id("password")).await.unwrap().send_keys(ADMIN_PASSWORD).await.unwrap();
    c.find(Locator::Id("submit")).await.unwrap().click().await.unwrap();
    wait_for(&c, "table#orders").await;
    assert_eq!(c.current_url().await.unwrap().path(), "/orders");
    assert!(text_of(&c, "#orders").await.contains(&s.tid));
    shot(&c, "orders").await;

    c.find(Locator::LinkText(&s.tid)).await.unwrap().click().await.unwrap();
    wait_for(&c, "#buyer-message").await;
    assert!(text_of(&c, "#buyer-message").await.contains("<script>alert('x')</script>"), "shown as text");
    shot(&c, "trade").await;
    c.find(Locator::Id("carrier")).await.unwrap().send_keys("中通快递").await.unwrap();
    c.find(Locator::Id("tracking_no")).await.unwrap().send_keys("78000012345").await.unwrap();
    c.find(Locator::Id("ship")).await.unwrap().click().await.unwrap();
    wait_for(&c, "#notice").await;
    assert!(text_of(&c, "#notice").await.contains("已发货"));
    assert!(text_of(&c, "#trade-status").await.contains("已发货"));

    // 工作台: the daily report's figures, the trends and the best sellers.
    c.find(Locator::Id("nav-home")).await.unwrap().click().await.unwrap();
    wait_for(&c, "#day-cards").await;
    let report = s.app.daily_report(&s.manager.actor(), None, None, Utc::now()).await.unwrap();
    for key in ["amount_paid", "orders_paid", "paying_buyers", "aov", "payment_rate"] {
        let card = c.find(Locator::Id(&format!("day-{key}"))).await.unwrap();
        assert_eq!(card.attr("data-exact").await.unwrap().unwrap(), report.day.display(key), "{key}");
        let card = c.find(Locator::Id(&format!("month-{key}"))).await.unwrap();
        assert_eq!(card.attr("data-exact").await.unwrap().unwrap(), report.month_to_date.display(key), "{key}");
    }
    assert!(text_of(&c, "#best-sellers").await.contains("PT2402-GRY-L"));
    c.find(Locator::Css("svg#chart-amount_paid")).await.unwrap();
    shot(&c, "dashboard").await;
    c.execute("document.getElementById('charts').scrollIntoView()", vec![]).await.unwrap();
    shot(&c, "dashboard-trends").await;

    c.goto(&s.url(&format!("/stock/sku?code={SKU}"))).await.unwrap();
    assert_eq!(text_of(&c, "#on-hand").await, "18", "shipping two units took them off the shelf");
    assert!(text_of(&c, "#ledger").await.contains("销售出库"));
    shot(&c, "sku").await;

    // 售后: a return on a shipped trade, one unit back damaged; the refund closes the trade.
    let returned = s.shipped_trade("2401180201", 2).await;
    c.goto(&s.url(&format!("/orders/{returned}"))).await.unwrap();
    wait_for(&c, "#apply-forms").await;
    c.execute("document.getElementById('lines').scrollIntoView()", vec![]).await.unwrap();
    shot(&c, "trade-after-sales").await;
    let line = s.app.trade_detail(&s.manager.actor(), returned).await.unwrap().lines[0].id;
    let kind = c.find(Locator::Id(&format!("apply-kind-{line}"))).await.unwrap();
    kind.select_by_value("return_and_refund").await.unwrap();
    c.find(Locator::Id(&format!("apply-reason-{line}")))
        .await
        .unwrap()
        .send_keys("尺码偏小，买家要求退货")
        .await
        .unwrap();
    c.find(Locator::Id(&format!("apply-submit-{line}"))).await.unwrap().click().await.unwrap();
    wait_for(&c, "#agree-form").await;
    assert!(text_of(&c, "#case-status").await.contains("等待卖家同意"));
    assert!(text_of(&c, "#case-countdown").await.contains("还剩"));
    c.find(Locator::Id("agree-note")).await.unwrap().send_keys("请寄回杭州仓，勿用到付").await.unwrap();
    c.find(Locator::Id("agree")).await.unwrap().click().await.unwrap();
    wait_for(&c, "#return-form").await;
    assert!(text_of(&c, "#notice").await.contains("等待买家寄回"));
    c.find(Locator::Id("nav-after-sales")).await.unwrap().click().await.unwrap();
    wait_for(&c, "table#cases").await;
    let list = text_of(&c, "#cases").await;
    assert!(list.contains("2401180201") && list.contains("买家：寄回商品") && list.contains("还剩"), "{list}");
    shot(&c, "after-sales").await;
    c.find(Locator::Css("#cases a[href^=\"/after-sales/SH2401180201\"]")).await.unwrap().click().await.unwrap();
    wait_for(&c, "#return-form").await;
    c.find(Locator::Id("return-carrier")).await.unwrap().send_keys("顺丰速运").await.unwrap();
    c.find(Locator::Id("return-tracking")).await.unwrap().send_keys("SF1402938475").await.unwrap();
    c.find(Locator::Id("return-shipped")).await.unwrap().click().await.unwrap();
    wait_for(&c, "#receive-form").await;
    c.find(Locator::Id("receive-good")).await.unwrap().send_keys("1").await.unwrap();
    c.find(Locator::Id("receive-damaged")).await.unwrap().send_keys("1").await.unwrap();
    shot(&c, "after-sale-receive").await;
    c.find(Locator::Id("receive")).await.unwrap().click().await.unwrap();
    c.accept_alert().await.expect("the refund is confirmed");
    wait_for(&c, "#notice").await;
    assert!(text_of(&c, "#notice").await.contains("退款成功"));
    assert!(text_of(&c, "#case-status").await.contains("退款成功"));
    assert!(text_of(&c, "#case-received").await.contains("破损 1"));
    assert!(text_of(&c, "#case-history").await.contains("确认收货"));
    shot(&c, "after-sale").await;
    c.execute("window.scrollTo(0, document.body.scrollHeight)", vec![]).await.unwrap();
    shot(&c, "after-sale-history").await;
    c.find(Locator::Id("case-trade")).await.unwrap().click().await.unwrap();
    wait_for(&c, "#trade-status").await;
    assert!(text_of(&c, "#trade-status").await.contains("交易关闭"), "every line refunded closes the trade");
    c.goto(&s.url(&format!("/stock/sku?code={SKU}"))).await.unwrap();
    assert_eq!(text_of(&c, "#on-hand").await, "17", "two more shipped, one good unit back");
    assert_eq!(text_of(&c, "#defective").await, "1", "the damaged unit is not for sale");
    assert!(text_of(&c, "#ledger").await.contains("退货入库"));
    // 报表: the refund counts today in 成功退款, at what the line paid.
    let today = Utc::now().with_timezone(&chrono_tz::Asia::Shanghai).date_naive();
    let paid_back = s.app.trade_detail(&s.manager.actor(), returned).await.unwrap().lines[0].amount_paid;
    let daily = s.app.daily_report(&s.manager.actor(), None, Some(today), Utc::now()).await.unwrap();
    assert_eq!(daily.day.refund_amount, zhanggui_app::domain::MetricValue::Money(paid_back), "成功退款金额 of the day");
    c.goto(&s.url(&format!("/reports/daily?date={today}"))).await.unwrap();
    wait_for(&c, "#table-1").await;
    let figures = text_of(&c, "#table-1").await;
    assert!(figures.contains(&format!("成功退款金额 refund_amount {paid_back}")), "{figures}");
    shot(&c, "report-daily-refund").await;
    // 商品与库存: each SKU with its 在途, 7天日均销量, 可售天数 and class, as the replenishment table has them.
    let filter = zhanggui_app::store::ledger::StockFilter {
        company_id: s.company_id,
        search: Some("PT2402".into()),
        limit: 10,
        ..Default::default()
    };
    let trousers = s.app.stock_list(&filter).await.unwrap()[0].sku_id;
    let outlook = s.app.sku_outlook(&s.manager.actor(), &[trousers], Utc::now()).await.unwrap()[&trousers];
    assert!(outlook.avg_daily_sales_7d.to_string() != "0.00", "the trousers sell every day");
    c.goto(&s.url("/stock?search=PT2402")).await.unwrap();
    let row = text_of(&c, "#stock tbody tr").await;
    for want in
        [outlook.avg_daily_sales_7d.to_string(), outlook.days_of_cover.to_string(), outlook.class.label_zh().into()]
    {
        assert!(row.contains(&want), "{want} in {row}");
    }
    c.goto(&s.url("/stock")).await.unwrap();
    shot(&c, "stock").await;
    c.goto(&s.url("/customers")).await.unwrap();
    assert!(text_of(&c, "#customers").await.contains("tb_buyer_01"));
    shot(&c, "customers").await;
    c.find(Locator::Id("nav-reports")).await.unwrap().click().await.unwrap();
    wait_for(&c, "#report-filters").await;
    assert!(text_of(&c, "h2").await.contains("日报"));
    shot(&c, "report-daily").await;
    c.goto(&s.url("/reports/replenishment")).await.unwrap();
    assert!(text_of(&c, "#table-1").await.contains("PT2402-GRY-L"));
    shot(&c, "report-replenishment").await;
    c.goto(&s.url("/settings/users")).await.unwrap();
    shot(&c, "users").await;
    c.goto(&s.url("/settings/audit")).await.unwrap();
    assert!(text_of(&c, "#audit").await.contains("发货"));
    shot(&c, "audit").await;

    c.find(Locator::Id("lang-en")).await.unwrap().click().await.unwrap();
    wait_for(&c, "#lang-zh").await;
    assert!(text_of(&c, "h1").await.contains("Audit log"));
    c.goto(&s.url("/orders")).await.unwrap();
    assert!(text_of(&c, "h1").await.contains("Orders"), "the language is remembered");
    shot(&c, "orders-en").await;

    c.close().await.unwrap();
    s.stop().await;
}
