//! A stocktake (盘点) end to end in headless chromium: from 商品与库存 open 盘点, start counting 杭州仓,
//! see that the count is blind, type the counts while an order ships, review the differences and
//! their value, post with a reason after the confirmation, and find the stocktake move on the SKU's
//! ledger with the sale kept. Screenshots go to target/screenshots/. Skipped with a note when
//! chromium or chromedriver is not installed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::Utc;
use common::browser::*;
use common::*;
use zhanggui_app::Actor;
use zhanggui_app::domain::Money;
use zhanggui_app::setup::SkuSpec;
use zhanggui_app::trading::ShipInput;

const PANTS: &str = "PT2402-GRY-L";

async fn type_count(c: &Client, sku: &str, qty: &str) {
    let input = c.find(Locator::Css(&format!("input[data-sku=\"{sku}\"]"))).await.unwrap();
    input.clear().await.unwrap();
    input.send_keys(qty).await.unwrap();
}

/// Waits for the page a click opened: until its address contains `part`.
async fn wait_until_url(c: &Client, part: &str) {
    for _ in 0..100 {
        if c.current_url().await.unwrap().as_str().contains(part) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the address never came to contain {part}");
}

async fn line_text(c: &Client, sku: &str) -> String {
    text_of(c, &format!("#lines tr[data-sku=\"{sku}\"]")).await
}

#[tokio::test]
async fn a_stocktake_in_the_browser() {
    let Some((_driver, c)) = browser().await else { return };
    let s = Server::start().await;
    let spec = SkuSpec {
        outer_sku_id: PANTS.into(),
        properties: "颜色分类:灰色;尺码:L".into(),
        price: Money::from_fen(15900),
        cost: Money::from_fen(6000),
    };
    s.app.create_product(s.company_id, "PT2402", "休闲长裤男 宽松直筒", "裤子", &[spec]).await.unwrap();
    let setup = Actor { company_id: s.company_id, user: "setup".into() };
    s.app.adjust_stock(&setup, PANTS, Some("HZ"), 5, "期初库存", Utc::now()).await.unwrap();

    c.goto(&s.url("/stock")).await.unwrap();
    c.find(Locator::Id("login")).await.unwrap().send_keys("admin").await.unwrap();
    c.find(Locator::Id("password")).await.unwrap().send_keys(ADMIN_PASSWORD).await.unwrap();
    c.find(Locator::Id("submit")).await.unwrap().click().await.unwrap();
    wait_for(&c, "#stock-tabs").await;

    // 商品与库存 → 盘点: start counting 杭州仓.
    c.find(Locator::Id("tab-stocktakes")).await.unwrap().click().await.unwrap();
    wait_for(&c, "#start-form").await;
    assert!(text_of(&c, "#stocktakes").await.contains("没有符合条件的盘点单"));
    c.find(Locator::Id("start-warehouse")).await.unwrap().select_by_value("HZ").await.unwrap();
    shot(&c, "stocktakes").await;
    c.find(Locator::Id("start")).await.unwrap().click().await.unwrap();
    wait_for(&c, "#count-form").await;
    assert!(text_of(&c, "#notice").await.contains("已开始盘点"));
    assert!(text_of(&c, "#stocktake-status").await.contains("盘点中"));
    assert_eq!(text_of(&c, "#counted").await, "0 / 2");
    let code = s.app.stocktakes(&s.manager.actor()).await.unwrap()[0].code.clone();
    assert!(text_of(&c, "h1").await.contains(&code));
    assert!(!line_text(&c, SKU).await.contains("20"), "blind: no book quantity before counting");
    shot(&c, "stocktake-started").await;

    // While the shelves are counted, the paid order of two T-shirts ships.
    let ship = ShipInput { carrier: "中通快递".into(), tracking_no: "78000012345".into(), line_ids: None };
    s.app.ship_trade(&s.manager.actor(), s.trade_id, &ship, Utc::now()).await.unwrap();

    // The counts as found on the shelves: one T-shirt missing, one pair of trousers over.
    type_count(&c, SKU, "19").await;
    type_count(&c, PANTS, "6").await;
    shot(&c, "stocktake-typing").await;
    c.find(Locator::Id("save-counts")).await.unwrap().click().await.unwrap();
    wait_until_url(&c, "ok=counted").await;
    wait_for(&c, "#notice").await;
    assert!(text_of(&c, "#notice").await.contains("已保存 2 个SKU的实盘数量"));
    assert_eq!(text_of(&c, "#counted").await, "2 / 2");

    // The review: book and counted, the differences and their value at cost.
    let tee = line_text(&c, SKU).await;
    assert!(tee.contains("20") && tee.contains("-1") && tee.contains("-¥35.00"), "{tee}");
    let counted = c.find(Locator::Css(&format!("input[data-sku=\"{SKU}\"]"))).await.unwrap();
    assert_eq!(counted.attr("value").await.unwrap().as_deref(), Some("19"), "the count as recorded");
    assert!(tee.contains("盘亏"), "{tee}");
    let pants = line_text(&c, PANTS).await;
    assert!(pants.contains("+1") && pants.contains("+¥60.00") && pants.contains("盘盈"), "{pants}");
    assert_eq!(text_of(&c, "#surplus-value").await, "¥60.00");
    assert_eq!(text_of(&c, "#shortage-value").await, "¥35.00");
    assert_eq!(text_of(&c, "#net-value").await, "+¥25.00");
    c.find(Locator::Id("f-show")).await.unwrap().select_by_value("diff").await.unwrap();
    c.find(Locator::Css("#line-filters #filter")).await.unwrap().click().await.unwrap();
    wait_until_url(&c, "show=diff").await;
    wait_for(&c, "#lines").await;
    shot(&c, "stocktake-review").await;

    // Post with a reason, after the confirmation.
    c.find(Locator::Id("post-reason")).await.unwrap().send_keys("1月月度盘点").await.unwrap();
    c.find(Locator::Id("post")).await.unwrap().click().await.unwrap();
    let question = c.get_alert_text().await.unwrap();
    assert!(question.contains("盘盈 1 件（¥60.00）") && question.contains("盘亏 1 件（¥35.00）"), "{question}");
    c.accept_alert().await.unwrap();
    wait_until_url(&c, "ok=posted").await;
    wait_for(&c, "#notice").await;
    assert!(text_of(&c, "#notice").await.contains("已过账"));
    assert!(text_of(&c, "#stocktake-status").await.contains("已过账"));
    assert!(text_of(&c, "#reason").await.contains("1月月度盘点"));
    shot(&c, "stocktake-posted").await;

    // The SKU's ledger: the sale during the count and the stocktake move of −1.
    c.find(Locator::Css(&format!("#lines a[href=\"/stock/sku?code={SKU}\"]"))).await.unwrap().click().await.unwrap();
    wait_for(&c, "#ledger").await;
    assert_eq!(text_of(&c, "#on-hand").await, "17", "20 − 2 sold − 1 missing: the sale is not undone");
    let ledger = text_of(&c, "#ledger").await;
    assert!(ledger.contains("销售出库"), "{ledger}");
    let row = ledger.lines().find(|l| l.contains(&format!("盘点单 {code}"))).expect("the stocktake move");
    assert!(row.contains("盘点") && row.contains("-1") && row.contains("1月月度盘点"), "{row}");
    shot(&c, "stocktake-ledger").await;

    // The list, in English too.
    c.goto(&s.url("/stocktakes")).await.unwrap();
    wait_for(&c, "#stocktakes").await;
    assert!(text_of(&c, "#stocktakes").await.contains(&code));
    c.find(Locator::Id("lang-en")).await.unwrap().click().await.unwrap();
    wait_for(&c, "#lang-zh").await;
    assert!(text_of(&c, "h1").await.contains("Stocktakes"));
    assert!(text_of(&c, "#stocktakes").await.contains("Posted"));
    shot(&c, "stocktakes-en").await;

    c.close().await.unwrap();
    s.stop().await;
}
