//! Later exports of the same trades on every backend: stock reserved while unpaid is shipped, part
//! shipments ship only the lines the export marks, group-buy locks come and go, and a trade whose
//! lines repeat a line id is refused alone.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::NaiveDate;
use common::on_every_backend;
use zhanggui_app::import::orders::OrderImport;
use zhanggui_app::setup::{SkuSpec, StockRules};
use zhanggui_app::{Actor, App};
use zhanggui_domain::{Money, Platform, TradeStatus};
use zhanggui_formats::{LineRecord, OrderRecord};
use zhanggui_store::ledger::StockFilter;

const SHOP: &str = "潮衣坊淘宝店";

async fn setup(app: &App, reserve_unpaid: bool) -> Actor {
    let company_id = app.create_company("tr", "杭州潮衣坊服饰有限公司", "Asia/Shanghai").await.unwrap();
    let hz = app.create_warehouse(company_id, "HZ", "杭州主仓").await.unwrap();
    let rules = StockRules { reserve_unpaid, ..Default::default() };
    app.create_shop(company_id, Platform::Taobao, SHOP, Some(hz), rules).await.unwrap();
    let specs = ["BLK-M", "WHT-L"].map(|c| SkuSpec {
        outer_sku_id: format!("TS2401-{c}"),
        properties: "颜色分类:黑色;尺码:M".into(),
        price: Money::from_fen(7_900),
        cost: Money::from_fen(3_200),
    });
    app.create_product(company_id, "TS2401", "纯棉圆领短袖T恤女 2024夏季新款", "女装/T恤", &specs).await.unwrap();
    let actor = Actor { company_id, user: "测试".into() };
    for s in &specs {
        app.receive_stock(&actor, &s.outer_sku_id, None, 10, s.cost, chrono::Utc::now()).await.unwrap();
    }
    actor
}

fn at(day: u32, hour: u32) -> chrono::NaiveDateTime {
    NaiveDate::from_ymd_opt(2030, 1, day).and_then(|d| d.and_hms_opt(hour, 0, 0)).unwrap()
}

fn line(tid: &str, oid: &str, code: &str, qty: i64, shipped: Option<chrono::NaiveDateTime>) -> LineRecord {
    LineRecord {
        line: 2,
        oid: oid.into(),
        tid: tid.into(),
        title: "纯棉圆领短袖T恤女".into(),
        price: Money::from_fen(7_900),
        qty,
        outer_sku_id: code.into(),
        outer_id: String::new(),
        properties: String::new(),
        amount_paid: Money::from_fen(7_900 * qty),
        refund_status: String::new(),
        refund_amount: Money::ZERO,
        status_text: String::new(),
        item_id: String::new(),
        shipped_at: shipped,
        carrier: String::new(),
        tracking_no: String::new(),
    }
}

fn order(tid: &str, status: TradeStatus, lines: Vec<LineRecord>) -> OrderRecord {
    let goods: Money = lines.iter().map(|l| l.price * l.qty).sum();
    let paid = status.is_paid();
    let shipped = matches!(
        status,
        TradeStatus::WaitBuyerConfirmGoods | TradeStatus::TradeFinished | TradeStatus::SellerConsignedPart
    );
    OrderRecord {
        line: 2,
        tid: tid.into(),
        status,
        status_text: status.label_zh().into(),
        buyer_nick: "小鱼儿8821".into(),
        receiver_name: "张丽".into(),
        receiver_phone: "138****5621".into(),
        receiver_address: "浙江省 杭州市 西湖区 文三路478号".into(),
        region: zhanggui_domain::region::parse_address("浙江省 杭州市 西湖区 文三路478号"),
        goods_amount: goods,
        postage: Money::ZERO,
        total_amount: goods,
        amount_paid: if paid { goods } else { Money::ZERO },
        shop_discount: Money::ZERO,
        platform_discount: Money::ZERO,
        seller_received: None,
        created_at: at(2, 10),
        paid_at: paid.then(|| at(2, 11)),
        shipped_at: shipped.then(|| at(3, 9)),
        finished_at: None,
        buyer_message: String::new(),
        seller_memo: String::new(),
        carrier: if shipped { "中通快递".into() } else { String::new() },
        tracking_no: if shipped { "78123456789012".into() } else { String::new() },
        close_reason: String::new(),
        refund_amount: Money::ZERO,
        item_titles: String::new(),
        item_count: 0,
        shop_name: SHOP.into(),
        lines,
    }
}

async fn import(app: &App, actor: &Actor, records: Vec<OrderRecord>) -> zhanggui_app::import::ImportSummary {
    // Stock counts from before the trades: they reserve and ship like live orders.
    let start = chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2029, 12, 1, 0, 0, 0).unwrap();
    let opts = OrderImport { shop: SHOP.into(), file: "订单报表.csv".into(), stock_from: Some(start) };
    app.import_orders(actor, &opts, records, &[], &|_| {}).await.unwrap()
}

async fn stock(app: &App, actor: &Actor, code: &str) -> (i64, i64) {
    let lines = app
        .stock_list(&StockFilter { company_id: actor.company_id, search: Some(code.into()), ..Default::default() })
        .await
        .unwrap();
    (lines.iter().map(|l| l.on_hand).sum(), lines.iter().map(|l| l.reserved).sum())
}

async fn status(app: &App, actor: &Actor, tid: &str) -> TradeStatus {
    app.find_trade(actor, tid).await.unwrap().status
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unpaid_trade_reserved_by_the_shop_ships_its_reservation() {
    on_every_backend("unpaid_then_shipped", |cx| async move {
        let app = &cx.app;
        let actor = setup(app, true).await;
        let lines = vec![line("T1", "T1-1", "TS2401-BLK-M", 2, None)];
        import(app, &actor, vec![order("T1", TradeStatus::WaitBuyerPay, lines.clone())]).await;
        let shipped_lines = vec![line("T1", "T1-1", "TS2401-BLK-M", 2, Some(at(3, 9)))];
        let s = import(app, &actor, vec![order("T1", TradeStatus::WaitBuyerConfirmGoods, shipped_lines)]).await;
        assert_eq!(s.updated, 1, "{:?}", s.rejects);
        assert_eq!(status(app, &actor, "T1").await, TradeStatus::WaitBuyerConfirmGoods);
        assert_eq!(stock(app, &actor, "TS2401-BLK-M").await, (8, 0), "two units shipped, nothing left reserved");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn part_shipment_ships_only_the_lines_marked_shipped_and_reimports_unchanged() {
    on_every_backend("part_shipment", |cx| async move {
        let app = &cx.app;
        let actor = setup(app, false).await;
        let waiting = vec![line("T2", "T2-1", "TS2401-BLK-M", 1, None), line("T2", "T2-2", "TS2401-WHT-L", 1, None)];
        import(app, &actor, vec![order("T2", TradeStatus::WaitSellerSendGoods, waiting)]).await;
        assert_eq!(stock(app, &actor, "TS2401-BLK-M").await, (10, 1));
        let part =
            vec![line("T2", "T2-1", "TS2401-BLK-M", 1, Some(at(3, 9))), line("T2", "T2-2", "TS2401-WHT-L", 1, None)];
        let s = import(app, &actor, vec![order("T2", TradeStatus::SellerConsignedPart, part.clone())]).await;
        assert_eq!(s.updated, 1, "{:?}", s.rejects);
        assert_eq!(status(app, &actor, "T2").await, TradeStatus::SellerConsignedPart);
        assert_eq!(stock(app, &actor, "TS2401-BLK-M").await, (9, 0), "the shipped line left stock");
        assert_eq!(stock(app, &actor, "TS2401-WHT-L").await, (10, 1), "the other line stays reserved");
        let again = import(app, &actor, vec![order("T2", TradeStatus::SellerConsignedPart, part)]).await;
        assert_eq!((again.unchanged, again.rejected), (1, 0), "{:?}", again.rejects);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn group_buy_lock_comes_and_goes_with_the_exports() {
    on_every_backend("group_buy", |cx| async move {
        let app = &cx.app;
        let actor = setup(app, false).await;
        let lines = vec![line("T3", "T3-1", "TS2401-BLK-M", 1, None)];
        import(app, &actor, vec![order("T3", TradeStatus::WaitSellerSendGoods, lines.clone())]).await;
        let s = import(app, &actor, vec![order("T3", TradeStatus::PaidForbidConsign, lines.clone())]).await;
        assert_eq!((s.updated, s.rejected), (1, 0), "{:?}", s.rejects);
        assert_eq!(status(app, &actor, "T3").await, TradeStatus::PaidForbidConsign);
        let s = import(app, &actor, vec![order("T3", TradeStatus::WaitSellerSendGoods, lines)]).await;
        assert_eq!((s.updated, s.rejected), (1, 0), "{:?}", s.rejects);
        let shipped = vec![line("T3", "T3-1", "TS2401-BLK-M", 1, Some(at(3, 9)))];
        import(app, &actor, vec![order("T3", TradeStatus::WaitBuyerConfirmGoods, shipped)]).await;
        assert_eq!(stock(app, &actor, "TS2401-BLK-M").await, (9, 0));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trade_repeating_a_line_id_is_refused_alone() {
    on_every_backend("repeated_oid", |cx| async move {
        let app = &cx.app;
        let actor = setup(app, false).await;
        let good = order("T4a", TradeStatus::WaitSellerSendGoods, vec![line("T4a", "o1", "TS2401-BLK-M", 1, None)]);
        let mut twice = order(
            "T4b",
            TradeStatus::WaitSellerSendGoods,
            vec![line("T4b", "o9", "TS2401-BLK-M", 1, None), line("T4b", "o9", "TS2401-WHT-L", 1, None)],
        );
        twice.lines[1].line = 7;
        let s = import(app, &actor, vec![good, twice]).await;
        assert_eq!((s.inserted, s.rejected), (1, 1), "{:?}", s.rejects);
        assert_eq!(s.rejects[0].line, 7);
        assert!(app.find_trade(&actor, "T4b").await.is_err());
        assert_eq!(status(app, &actor, "T4a").await, TradeStatus::WaitSellerSendGoods);
    })
    .await;
}
