//! End to end in headless chromium: log in, upload a Taobao order report with its line report on the
//! 导入 page, see the summary and the rejected rows with their lines and reasons, map an unknown
//! merchant code, then ship two orders at once on 批量发货 by pasting their lines and see them
//! shipped. Screenshots go to target/screenshots/. Skipped with a note when chromium or chromedriver
//! is not installed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::Utc;
use common::browser::*;
use common::*;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use zhanggui_app::Actor;
use zhanggui_app::domain::{Money, TradeStatus};
use zhanggui_app::formats::fixtures::taobao::taobao_orders;
use zhanggui_app::formats::fixtures::{Encoding, Options};
use zhanggui_app::trading::{LineInput, TradeInput};

#[tokio::test]
async fn import_a_report_and_ship_in_bulk() {
    let Some((_driver, c)) = browser().await else { return };
    let s = Server::start().await;
    let actor = Actor { company_id: s.company_id, user: "setup".into() };

    // A second paid order of the shop, to ship together with the first.
    let shop = s.app.shops(&actor).await.unwrap()[0].id;
    let now = Utc::now();
    let input = TradeInput {
        shop_id: shop,
        tid: "2401180077".into(),
        buyer_nick: "tb_buyer_77".into(),
        receiver_name: "陈佳怡".into(),
        receiver_address: "广东省 深圳市 南山区 科技园 6 栋".into(),
        created_at: now - chrono::Duration::hours(6),
        lines: vec![LineInput {
            outer_sku_id: SKU.into(),
            title: "纯棉短袖T恤".into(),
            price: Money::from_fen(9900),
            qty: 1,
            ..Default::default()
        }],
        ..Default::default()
    };
    let second = s.app.create_trade(&actor, &input).await.unwrap();
    s.app.pay_trade(&actor, second, now - chrono::Duration::hours(5)).await.unwrap();

    // The export files as a shop downloads them (GBK, broken rows and all).
    let mut rng = ChaCha8Rng::seed_from_u64(1111);
    let files = taobao_orders(&mut rng, 30, &Options::csv(Encoding::Gbk));
    let truth = &files.truth;
    let dir = std::env::temp_dir().join(format!("zhanggui-browser-imports-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let orders = dir.join("ExportOrderList202411.csv");
    let lines = dir.join("ExportOrderDetailList202411.csv");
    std::fs::write(&orders, &files.orders).unwrap();
    std::fs::write(&lines, &files.lines).unwrap();

    c.goto(&s.url("/login")).await.unwrap();
    c.find(Locator::Id("login")).await.unwrap().send_keys("admin").await.unwrap();
    c.find(Locator::Id("password")).await.unwrap().send_keys(ADMIN_PASSWORD).await.unwrap();
    c.find(Locator::Id("submit")).await.unwrap().click().await.unwrap();
    wait_for(&c, "#nav-imports").await;

    // 导入: choose the kind, the shop is the only one, the two files.
    c.find(Locator::Id("nav-imports")).await.unwrap().click().await.unwrap();
    wait_for(&c, "#import-form").await;
    shot(&c, "imports").await;
    c.find(Locator::Id("kind")).await.unwrap().select_by_value("taobao-orders").await.unwrap();
    c.find(Locator::Id("file")).await.unwrap().send_keys(&orders.display().to_string()).await.unwrap();
    c.find(Locator::Id("lines")).await.unwrap().send_keys(&lines.display().to_string()).await.unwrap();
    c.find(Locator::Id("import")).await.unwrap().click().await.unwrap();
    wait_for(&c, "#import-result").await;
    assert!(text_of(&c, "#notice").await.contains("ExportOrderList202411.csv 导入完成"));
    assert_eq!(text_of(&c, "#s-inserted").await, truth.orders.len().to_string());
    let expected_rejects = truth.order_errors.len() + truth.line_errors.len() + truth.join_errors.len();
    assert_eq!(text_of(&c, "#s-rejected").await, expected_rejects.to_string());
    let rejects = text_of(&c, "#rejects").await;
    let first = &truth.order_errors[0];
    assert!(
        rejects.contains(&format!("ExportOrderList202411.csv {}", first.line)),
        "the first broken row is listed with its line: {rejects}"
    );
    assert!(c.find(Locator::Id("rejects-download-0")).await.is_ok(), "the rejected rows can be downloaded");
    shot(&c, "import-result").await;
    c.execute("document.getElementById('rejects').scrollIntoView()", vec![]).await.unwrap();
    shot(&c, "import-rejects").await;

    // 未匹配商品: the export's codes are not this shop's SKUs; map the first to the shop's T-shirt.
    c.execute("document.getElementById('unmatched').scrollIntoView()", vec![]).await.unwrap();
    shot(&c, "import-unmatched").await;
    let sku_input = c.find(Locator::Css("#unmatched-codes .map-form input[name=sku]")).await.unwrap();
    sku_input.send_keys(SKU).await.unwrap();
    submit(&c, Locator::Css("#unmatched-codes .map-form button")).await;
    wait_for(&c, "#notice").await;
    let notice = text_of(&c, "#notice").await;
    assert!(notice.contains(&format!("对应到 {SKU}")) && notice.contains("条子订单"), "{notice}");

    // 批量发货: two orders pasted, carrier in one line and the default in the other.
    c.find(Locator::Id("nav-orders")).await.unwrap().click().await.unwrap();
    wait_for(&c, "#ship-bulk-link").await;
    c.find(Locator::Id("ship-bulk-link")).await.unwrap().click().await.unwrap();
    wait_for(&c, "#bulk-form").await;
    c.find(Locator::Id("carrier")).await.unwrap().select_by_value("圆通速递").await.unwrap();
    let pasted = format!("{},中通快递,78000012345\n2401180077,YT8800000077", s.tid);
    c.find(Locator::Id("lines")).await.unwrap().send_keys(&pasted).await.unwrap();
    shot(&c, "ship-bulk").await;
    c.find(Locator::Id("ship-all")).await.unwrap().click().await.unwrap();
    c.accept_alert().await.expect("bulk shipping asks first");
    wait_for(&c, "#bulk-results").await;
    assert_eq!(text_of(&c, "#b-shipped").await, "2");
    assert_eq!(text_of(&c, "#b-refused").await, "0");
    let results = text_of(&c, "#bulk-results").await;
    assert!(results.contains(&s.tid) && results.contains("2401180077") && results.contains("圆通速递"), "{results}");
    shot(&c, "ship-bulk-done").await;
    let t = s.app.trade_detail(&actor, second).await.unwrap().trade;
    assert_eq!((t.status, t.carrier.as_str()), (TradeStatus::WaitBuyerConfirmGoods, "圆通速递"));

    // The order's own page says so.
    c.find(Locator::LinkText("2401180077")).await.unwrap().click().await.unwrap();
    wait_for(&c, "#trade-status").await;
    assert!(text_of(&c, "#trade-status").await.contains("已发货"));

    std::fs::remove_dir_all(&dir).unwrap();
    c.close().await.unwrap();
    s.stop().await;
}
