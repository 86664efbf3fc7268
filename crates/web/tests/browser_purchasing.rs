//! Purchasing (采购) end to end in headless chromium: the buyer adds a supplier and gives it the
//! T-shirt, drafts a purchase order in the form (a wrong quantity is named next to its field),
//! places it, receives part of it, is stopped from receiving more than was ordered without a note,
//! receives the rest with one, and sees on the SKU page the stock and the moving-average cost move;
//! a late order of another supplier heads the arrivals, and ticking the trousers on the
//! replenishment table drafts their order. Screenshots go to target/screenshots/.
//! Skipped with a note when chromium or chromedriver is not installed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::Utc;
use common::browser::*;
use common::*;
use zhanggui_app::domain::Money;
use zhanggui_app::purchasing::{PurchaseLineInput, PurchaseOrderInput, SupplierInput};
use zhanggui_app::setup::SkuSpec;
use zhanggui_app::trading::{LineInput, TradeInput};
use zhanggui_app::users::Role;

/// A placed order of another supplier that was due two days ago and has not come.
async fn a_late_order(s: &Server) -> String {
    let actor = s.manager.actor();
    let input = SupplierInput {
        name: "常熟虞山制衣厂".into(),
        contact: "周厂长".into(),
        phone: "0512-52881234".into(),
        lead_time_days: 12,
        pack_size: 6,
    };
    s.app.add_supplier(&actor, &input).await.unwrap();
    let today = Utc::now().with_timezone(&chrono_tz::Asia::Shanghai).date_naive();
    let order = PurchaseOrderInput {
        supplier: "常熟虞山制衣厂".into(),
        warehouse: Some("HZ".into()),
        expected: Some(today - chrono::Duration::days(2)),
        note: "春装首单".into(),
        lines: vec![PurchaseLineInput {
            sku: SKU.into(),
            qty: 12,
            unit_cost: Some(Money::from_fen(3300)),
            expected: None,
        }],
    };
    let now = Utc::now() - chrono::Duration::days(14);
    let po = s.app.create_purchase_order(&actor, &order, now).await.unwrap();
    s.app.place_purchase_order(&actor, &po.code, now).await.unwrap();
    po.code
}

/// Trousers of the late order's supplier that sold two a day last week, so the replenishment table
/// suggests ordering them.
async fn trousers_selling(s: &Server) {
    let actor = s.manager.actor();
    let spec = SkuSpec {
        outer_sku_id: "PT2402-GRY-L".into(),
        properties: "颜色分类:灰色;尺码:L".into(),
        price: Money::from_fen(15900),
        cost: Money::from_fen(6000),
    };
    s.app.create_product(s.company_id, "PT2402", "休闲长裤", "裤子", &[spec]).await.unwrap();
    s.app.adjust_stock(&actor, "PT2402-GRY-L", Some("HZ"), 20, "期初库存", Utc::now()).await.unwrap();
    s.app.assign_supplier(&actor, "常熟虞山制衣厂", &["PT2402".to_string()]).await.unwrap();
    let shop = s.app.shops(&actor).await.unwrap()[0].id;
    let today = Utc::now().with_timezone(&chrono_tz::Asia::Shanghai).date_naive();
    for back in 1..=7i64 {
        let paid = zhanggui_app::clock::day_start(today - chrono::Duration::days(back), chrono_tz::Asia::Shanghai)
            + chrono::Duration::hours(11);
        let input = TradeInput {
            shop_id: shop,
            tid: format!("P{back:02}"),
            buyer_nick: format!("tb_buyer_{back}"),
            created_at: paid - chrono::Duration::minutes(15),
            lines: vec![LineInput {
                outer_sku_id: "PT2402-GRY-L".into(),
                price: Money::from_fen(15900),
                qty: 2,
                ..Default::default()
            }],
            ..Default::default()
        };
        let id = s.app.create_trade(&actor, &input).await.unwrap();
        s.app.pay_trade(&actor, id, paid).await.unwrap();
    }
}

#[tokio::test]
async fn a_purchase_order_from_the_form_to_the_shelf() {
    let Some((_driver, c)) = browser().await else { return };
    let s = Server::start().await;
    s.app.create_user(&s.manager, "caigou", "采购小林", Role::Purchasing, PASSWORD).await.unwrap();
    let late = a_late_order(&s).await;
    trousers_selling(&s).await;

    c.goto(&s.url("/login")).await.unwrap();
    fill(&c, "login", "caigou").await;
    fill(&c, "password", PASSWORD).await;
    click(&c, "submit").await;
    wait_for(&c, "#nav-purchasing").await;
    click(&c, "nav-purchasing").await;
    wait_for(&c, "table#orders").await;
    assert!(text_of(&c, "#orders").await.contains(&late));
    assert!(text_of(&c, "#orders").await.contains("逾期 2 天"), "the late order says so in the list");

    // 供应商: add one, then give it the T-shirt (款号 TS2401).
    click(&c, "tab-suppliers").await;
    wait_for(&c, "#supplier-form").await;
    fill(&c, "supplier-name", "义乌市晨光服饰厂").await;
    fill(&c, "supplier-contact", "陈经理").await;
    fill(&c, "supplier-phone", "0579-85512345").await;
    fill(&c, "supplier-lead", "5").await;
    fill(&c, "supplier-pack", "10").await;
    submit(&c, Locator::Id("supplier-add")).await;
    wait_for(&c, "#notice").await;
    assert!(text_of(&c, "#notice").await.contains("已新增供应商 义乌市晨光服饰厂"));
    c.find(Locator::Id("assign-supplier")).await.unwrap().select_by_value("义乌市晨光服饰厂").await.unwrap();
    click(&c, "product-TS2401").await;
    submit(&c, Locator::Id("assign")).await;
    wait_for(&c, "#notice").await;
    assert!(text_of(&c, "#notice").await.contains("已设置 1 个商品的供应商"));
    assert!(text_of(&c, "#products").await.contains("义乌市晨光服饰厂"));
    shot(&c, "purchase-suppliers").await;

    // 新建采购单: a quantity of zero is named next to its field; what was typed stays.
    click(&c, "tab-new").await;
    wait_for(&c, "#po-form").await;
    c.find(Locator::Id("po-supplier")).await.unwrap().select_by_value("义乌市晨光服饰厂").await.unwrap();
    let expected = (Utc::now().with_timezone(&chrono_tz::Asia::Shanghai).date_naive() + chrono::Duration::days(5))
        .format("%Y-%m-%d")
        .to_string();
    c.execute(&format!("document.getElementById('po-expected').value = '{expected}'"), vec![]).await.unwrap();
    fill(&c, "po-note", "春季补货，黑色 M 码").await;
    fill(&c, "sku-0", SKU).await;
    fill(&c, "qty-0", "0").await;
    fill(&c, "cost-0", "41.00").await;
    click(&c, "save-draft").await;
    wait_for(&c, "#err-qty-0").await;
    assert!(text_of(&c, "#err-qty-0").await.contains("至少为 1"));
    assert!(text_of(&c, "#error").await.contains("采购单没有保存"));
    shot(&c, "purchase-new-error").await;
    fill(&c, "qty-0", "30").await;
    click(&c, "save-draft").await;
    wait_for(&c, "#po-status").await;
    assert!(text_of(&c, "#po-status").await.contains("草稿"));
    assert!(text_of(&c, "#notice").await.contains("已保存为草稿"));
    assert_eq!(text_of(&c, "#po-amount").await, "¥1,230.00");

    // 下单.
    click(&c, "place").await;
    wait_for(&c, "#receive-form").await;
    assert!(text_of(&c, "#po-status").await.contains("已下单"));
    assert!(text_of(&c, "#notice").await.contains("计入在途"));
    shot(&c, "purchase-order-placed").await;

    // 到货入库: ten arrive.
    fill(&c, &format!("receive-{SKU}"), "10").await;
    submit(&c, Locator::Id("receive")).await;
    wait_for(&c, "#notice").await;
    assert!(text_of(&c, "#notice").await.contains("还有未到的商品"));
    assert!(text_of(&c, "#po-status").await.contains("部分到货"));
    assert_eq!(text_of(&c, "#po-received").await, "10");
    assert_eq!(text_of(&c, "#po-due").await, "20");

    // 22 more, two over the order: refused without a reason, then taken with one.
    fill(&c, &format!("receive-{SKU}"), "22").await;
    click(&c, "receive").await;
    wait_for(&c, "#err-note").await;
    assert!(text_of(&c, "#err-note").await.contains("超收 2"));
    assert_eq!(text_of(&c, "#po-received").await, "10", "nothing was received");
    c.execute("document.getElementById('receive-form').scrollIntoView()", vec![]).await.unwrap();
    shot(&c, "purchase-over-receipt-refused").await;
    fill(&c, "receive-note", "供应商多发 2 件，已与陈经理确认按原价结算").await;
    submit(&c, Locator::Id("receive")).await;
    wait_for(&c, "#notice").await;
    assert!(text_of(&c, "#notice").await.contains("全部到齐"));
    assert!(text_of(&c, "#po-status").await.contains("已到货"));
    assert_eq!(text_of(&c, "#po-received").await, "32");
    assert_eq!(text_of(&c, &format!("#line-{SKU} td.over-qty")).await, "2", "the over-receipt shows on the line");
    let history = text_of(&c, "#po-history").await;
    assert!(history.contains("新建草稿") && history.contains("下单") && history.contains("全部到货"), "{history}");
    assert!(text_of(&c, "#po-receipts").await.contains("供应商多发 2 件"));
    shot(&c, "purchase-order-received").await;
    c.execute("window.scrollTo(0, document.body.scrollHeight)", vec![]).await.unwrap();
    shot(&c, "purchase-order-history").await;

    // The SKU page: 20 + 32 on hand; cost (20 × 35 + 10 × 41) / 30 = 37.00, then
    // (30 × 37 + 22 × 41) / 52 = 38.69.
    c.find(Locator::Css(&format!("#po-lines a[href=\"/stock/sku?code={SKU}\"]"))).await.unwrap().click().await.unwrap();
    wait_for(&c, "#on-hand").await;
    assert_eq!(text_of(&c, "#on-hand").await, "52");
    assert_eq!(text_of(&c, "#cost").await, "¥38.69");
    let ledger = text_of(&c, "#ledger").await;
    assert!(ledger.matches("采购入库").count() >= 2, "{ledger}");
    shot(&c, "purchase-sku").await;

    // 到货信息跟踪: the late order first, highlighted.
    c.goto(&s.url("/purchasing/arrivals")).await.unwrap();
    wait_for(&c, "table#arrivals").await;
    let first = text_of(&c, "#arrivals tbody tr:first-child").await;
    assert!(first.contains("逾期未到") && first.contains(&late) && first.contains("逾期 2 天"), "{first}");
    assert_eq!(c.find(Locator::Css("#arrivals tbody tr.late-row")).await.unwrap().text().await.unwrap(), first);
    assert_eq!(text_of(&c, "#arrivals-late").await, "12");
    shot(&c, "purchase-arrivals").await;

    // 补货需求表 → tick the trousers → one draft for their supplier.
    c.goto(&s.url("/reports/replenishment")).await.unwrap();
    wait_for(&c, "#to-purchase").await;
    click(&c, "to-purchase").await;
    wait_for(&c, "#replenish-form").await;
    let pick = c.find(Locator::Id("pick-PT2402-GRY-L")).await.unwrap();
    assert_eq!(pick.prop("checked").await.unwrap().as_deref(), Some("true"), "what to order is ticked");
    assert!(text_of(&c, "#replenish").await.contains("常熟虞山制衣厂"));
    shot(&c, "purchase-replenishment").await;
    click(&c, "replenish-create").await;
    c.accept_alert().await.expect("the drafts are confirmed");
    wait_for(&c, "#po-status").await;
    assert!(text_of(&c, "#po-status").await.contains("草稿"));
    assert_eq!(text_of(&c, "#po-supplier").await, "常熟虞山制衣厂");
    assert!(text_of(&c, "#po-lines").await.contains("PT2402-GRY-L"));
    shot(&c, "purchase-order-from-replenishment").await;

    c.find(Locator::Id("nav-purchasing")).await.unwrap().click().await.unwrap();
    wait_for(&c, "table#orders").await;
    shot(&c, "purchase-orders").await;
    c.find(Locator::Id("lang-en")).await.unwrap().click().await.unwrap();
    wait_for(&c, "#lang-zh").await;
    assert!(text_of(&c, "h1").await.contains("Purchasing"));
    assert!(text_of(&c, "#orders").await.contains("2 days late"));
    shot(&c, "purchase-orders-en").await;

    c.close().await.unwrap();
    s.stop().await;
}
