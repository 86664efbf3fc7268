//! Imports keep the sales summaries: new trades written in bulk, and later exports that pay, ship,
//! finish or close them and change their amounts (the import update path), for a shop that reserves
//! unpaid trades and one that does not.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod reports_check;

use chrono::NaiveDate;
use common::on_every_backend;
use zhanggui_app::import::orders::OrderImport;
use zhanggui_app::setup::{SkuSpec, StockRules};
use zhanggui_app::{Actor, App};
use zhanggui_domain::{Money, Platform, TradeStatus};
use zhanggui_formats::{LineRecord, OrderRecord};

const SHOP: &str = "潮衣坊淘宝店";

async fn setup(app: &App, code: &str, reserve_unpaid: bool) -> Actor {
    let company_id = app.create_company(code, "杭州潮衣坊服饰有限公司", "Asia/Shanghai").await.unwrap();
    let hz = app.create_warehouse(company_id, "HZ", "杭州主仓").await.unwrap();
    let rules = StockRules { reserve_unpaid, ..Default::default() };
    app.create_shop(company_id, Platform::Taobao, SHOP, Some(hz), rules).await.unwrap();
    let specs = ["BLK-M", "WHT-L"].map(|c| SkuSpec {
        outer_sku_id: format!("TS2401-{c}"),
        properties: String::new(),
        price: Money::from_fen(7_900),
        cost: Money::from_fen(3_200),
    });
    app.create_product(company_id, "TS2401", "纯棉圆领短袖T恤女", "女装/T恤", &specs).await.unwrap();
    let actor = Actor { company_id, user: "测试".into() };
    for s in &specs {
        app.receive_stock(&actor, &s.outer_sku_id, None, 50, s.cost, chrono::Utc::now()).await.unwrap();
    }
    actor
}

/// 2030-01-`day` `hour`:00 in Shanghai, as exports write times.
fn at(day: u32, hour: u32) -> chrono::NaiveDateTime {
    NaiveDate::from_ymd_opt(2030, 1, day).and_then(|d| d.and_hms_opt(hour, 0, 0)).unwrap()
}

fn line(tid: &str, n: u32, code: &str, qty: i64, shipped: Option<chrono::NaiveDateTime>) -> LineRecord {
    LineRecord {
        line: 2,
        oid: format!("{tid}-{n}"),
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

/// A trade created on the 2nd at 23:00, paid (if it is) at 00:30 on the 3rd, shipped on the 4th.
fn order(tid: &str, status: TradeStatus, postage: i64, lines: Vec<LineRecord>) -> OrderRecord {
    let goods: Money = lines.iter().map(|l| l.price * l.qty).sum();
    let paid = status.is_paid();
    let shipped = matches!(status, TradeStatus::WaitBuyerConfirmGoods | TradeStatus::TradeFinished);
    OrderRecord {
        line: 2,
        tid: tid.into(),
        status,
        status_text: status.label_zh().into(),
        buyer_nick: format!("买家{tid}"),
        receiver_name: "张丽".into(),
        receiver_phone: "138****5621".into(),
        receiver_address: "浙江省 杭州市 西湖区 文三路478号".into(),
        region: zhanggui_domain::region::parse_address("浙江省 杭州市 西湖区 文三路478号"),
        goods_amount: goods,
        postage: Money::from_fen(postage),
        total_amount: goods + Money::from_fen(postage),
        amount_paid: if paid { goods + Money::from_fen(postage) } else { Money::ZERO },
        shop_discount: Money::ZERO,
        platform_discount: Money::ZERO,
        seller_received: None,
        created_at: at(2, 23),
        paid_at: paid.then(|| chrono::NaiveDate::from_ymd_opt(2030, 1, 3).unwrap().and_hms_opt(0, 30, 0).unwrap()),
        shipped_at: shipped.then(|| at(4, 9)),
        finished_at: (status == TradeStatus::TradeFinished).then(|| at(9, 9)),
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

async fn import(app: &App, actor: &Actor, records: Vec<OrderRecord>) {
    let start = chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2029, 12, 1, 0, 0, 0).unwrap();
    let opts = OrderImport { shop: SHOP.into(), file: "订单报表.csv".into(), stock_from: Some(start) };
    let s = app.import_orders(actor, &opts, records, &[], &|_| {}).await.unwrap();
    assert!(s.rejects.is_empty(), "{:?}", s.rejects);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imports_keep_the_summaries() {
    on_every_backend("imports_keep_the_summaries", |cx| async move {
        for reserve_unpaid in [false, true] {
            let app = &cx.app;
            let actor = setup(app, if reserve_unpaid { "im-reserve" } else { "im" }, reserve_unpaid).await;
            let (a, b) = ("TS2401-BLK-M", "TS2401-WHT-L");
            import(
                app,
                &actor,
                vec![
                    order(
                        "T1",
                        TradeStatus::WaitBuyerPay,
                        0,
                        vec![line("T1", 1, a, 2, None), line("T1", 2, b, 1, None)],
                    ),
                    order("T2", TradeStatus::WaitSellerSendGoods, 600, vec![line("T2", 1, a, 1, None)]),
                    order("T3", TradeStatus::TradeFinished, 0, vec![line("T3", 1, b, 3, Some(at(4, 9)))]),
                    order("T4", TradeStatus::WaitBuyerPay, 0, vec![line("T4", 1, b, 1, None)]),
                ],
            )
            .await;
            reports_check::assert_summaries_exact(app, actor.company_id, chrono_tz::Asia::Shanghai).await;
            // The next export: T1 paid (with postage added), T2 shipped, T4 closed unpaid.
            import(
                app,
                &actor,
                vec![
                    order(
                        "T1",
                        TradeStatus::WaitBuyerConfirmGoods,
                        1_000,
                        vec![line("T1", 1, a, 2, Some(at(4, 9))), line("T1", 2, b, 1, Some(at(4, 9)))],
                    ),
                    order("T2", TradeStatus::TradeFinished, 600, vec![line("T2", 1, a, 1, Some(at(4, 9)))]),
                    order("T4", TradeStatus::TradeClosedByTaobao, 0, vec![line("T4", 1, b, 1, None)]),
                ],
            )
            .await;
            reports_check::assert_summaries_exact(app, actor.company_id, chrono_tz::Asia::Shanghai).await;
            let d3 = NaiveDate::from_ymd_opt(2030, 1, 3).unwrap();
            let r = app.daily_report(&actor, None, Some(d3), chrono::Utc::now()).await.unwrap();
            assert_eq!(r.day.sales.orders_paid, 3, "T1, T2 and T3 were paid after midnight, on the 3rd");
            assert_eq!(r.day.sales.amount_paid, Money::from_fen(7_900 * 3 + 1_000 + 7_900 + 600 + 7_900 * 3));
        }
    })
    .await;
}
