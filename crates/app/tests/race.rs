//! The last unit goes to exactly one order, however many payments arrive at once (DOMAIN.md §6: 超卖 is
//! the seller's worst ERP failure). Runs on every backend of `common::backends()`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashMap;
use std::sync::Arc;

use common::*;
use tokio::sync::Barrier;
use zhanggui_app::setup::StockRules;
use zhanggui_app::trading::TradeError;
use zhanggui_app::{App, Lang, UserFacing};
use zhanggui_domain::{Money, TradeStatus};

const RACERS: usize = 32;
const BUYERS: [&str; 4] = ["tb_小鹿乱撞", "爱吃草莓的猫", "江南小雨0817", "星河滚烫ya"];

/// The flash-sale item: 1 unit of the insulated cup in HZ and nothing in GZ.
async fn flash_sale(app: &App, oversell: bool) -> (Fixture, Vec<i64>) {
    let fx = build_shop(app).await;
    app.receive_stock(&fx.actor, CUP_PINK_500, Some("HZ"), 1, yuan("35.00"), at(-60)).await.expect("the last cup");
    if oversell {
        let rules = StockRules { allow_oversell: true, ..Default::default() };
        app.set_stock_rules(fx.taobao, rules).await.expect("rules");
    }
    let mut ids = Vec::with_capacity(RACERS);
    for i in 0..RACERS {
        let tid = format!("39284756102938{i:05}");
        let input = fx.trade(fx.taobao, &tid, BUYERS[i % BUYERS.len()], &[(CUP_PINK_500, 1)]);
        ids.push(app.create_trade(&fx.actor, &input).await.expect("create"));
    }
    assert_eq!(fx.stock(app, CUP_PINK_500, "HZ").await, (1, 0, 1), "unpaid trades reserve nothing");
    (fx, ids)
}

/// Connections the pool keeps for the race (PostgreSQL pools hold 16, SQLite pools 8).
fn pool_size(cx: &Ctx) -> usize {
    match cx.backend {
        zhanggui_app::store::Backend::Postgres => 16,
        zhanggui_app::store::Backend::Sqlite => 8,
    }
}

/// Pays every trade from its own task, all released at once by a barrier.
async fn race_to_pay(app: &App, fx: &Fixture, ids: &[i64]) -> Vec<(i64, Result<(), TradeError>)> {
    let barrier = Arc::new(Barrier::new(ids.len()));
    let mut tasks = Vec::with_capacity(ids.len());
    for (i, id) in ids.iter().copied().enumerate() {
        let (app, actor, barrier) = (app.clone(), fx.actor.clone(), Arc::clone(&barrier));
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            (id, app.pay_trade(&actor, id, at(1 + i as i64 % 3)).await)
        }));
    }
    let mut out = Vec::with_capacity(tasks.len());
    for t in tasks {
        out.push(t.await.expect("payment task"));
    }
    out
}

/// A flash sale with ten units and 32 payers at once: exactly ten get one, the others are told it is
/// sold out (never a conflict or a system error: a payer that lost a unit under its feet tries again and
/// then sees there is none).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ten_units_go_to_exactly_ten_of_32_payers() {
    on_every_backend("race_ten_units", |cx| async move {
        let app = &cx.app;
        let (fx, ids) = flash_sale(app, false).await;
        app.receive_stock(&fx.actor, CUP_PINK_500, Some("GZ"), 4, yuan("35.00"), at(-30)).await.expect("GZ");
        app.receive_stock(&fx.actor, CUP_PINK_500, Some("HZ"), 5, yuan("35.00"), at(-30)).await.expect("HZ");
        warm_pool(app, pool_size(&cx)).await;
        let results = race_to_pay(app, &fx, &ids).await;
        let paid = results.iter().filter(|(_, r)| r.is_ok()).count();
        assert_eq!(paid, 10, "{results:?}");
        for (id, r) in &results {
            if let Err(e) = r {
                assert!(matches!(e, TradeError::OutOfStock { wanted: 1, available: 0, .. }), "trade {id}: {e:?}");
            }
        }
        assert_eq!(fx.stock(app, CUP_PINK_500, "HZ").await, (6, 6, 0));
        assert_eq!(fx.stock(app, CUP_PINK_500, "GZ").await, (4, 4, 0));
        assert_books_balance(app, fx.company_id).await;
    })
    .await;
}

/// Σ paid_trades and Σ spend per buyer nick, as the customer records say.
async fn customers(app: &App, fx: &Fixture, ids: &[i64]) -> HashMap<String, (i64, Money)> {
    let mut seen = HashMap::new();
    let mut tx = app.db.begin_read().await.expect("begin");
    for id in ids {
        let t = tx.trade(fx.company_id, *id).await.expect("trade").expect("row");
        let c = tx.customer(t.customer_id.expect("customer")).await.expect("customer").expect("row");
        seen.insert(c.nick.clone(), (c.paid_trades, c.spend));
    }
    tx.commit().await.expect("commit");
    seen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_last_unit_goes_to_exactly_one_of_32_payers() {
    on_every_backend("race_last_unit", |cx| async move {
        let app = &cx.app;
        let (fx, ids) = flash_sale(app, false).await;
        warm_pool(app, pool_size(&cx)).await;
        let results = race_to_pay(app, &fx, &ids).await;

        let winners: Vec<i64> = results.iter().filter(|(_, r)| r.is_ok()).map(|(id, _)| *id).collect();
        assert_eq!(winners.len(), 1, "exactly one payment gets the last cup: {results:?}");
        for (id, r) in &results {
            let Err(e) = r else { continue };
            match e {
                TradeError::OutOfStock { sku, wanted, available } => {
                    assert_eq!((sku.as_str(), *wanted, *available), (CUP_PINK_500, 1, 0), "trade {id}");
                }
                other => panic!("trade {id}: expected OutOfStock, got {other:?}"),
            }
            assert_eq!(e.code(), "out_of_stock");
            assert!(e.message(Lang::Zh).contains("库存不足"), "{}", e.message(Lang::Zh));
        }
        assert_eq!(fx.stock(app, CUP_PINK_500, "HZ").await, (1, 1, 0));
        assert_eq!(fx.stock(app, CUP_PINK_500, "GZ").await, (0, 0, 0));
        assert_books_balance(app, fx.company_id).await;

        // The losers are untouched: still waiting for payment, nothing reserved, not counted as paid.
        let mut amount = Money::ZERO;
        for id in &ids {
            let d = app.trade_detail(&fx.actor, *id).await.expect("detail");
            let won = winners.contains(id);
            let want = if won { TradeStatus::WaitSellerSendGoods } else { TradeStatus::WaitBuyerPay };
            assert_eq!(d.trade.status, want, "trade {}", d.trade.tid);
            assert_eq!(d.trade.paid_at.is_some(), won);
            assert!(!d.trade.oversold);
            if won {
                amount = d.trade.amount_paid;
            }
        }
        let per_buyer = customers(app, &fx, &ids).await;
        let paid: i64 = per_buyer.values().map(|v| v.0).sum();
        let spend: Money = per_buyer.values().map(|v| v.1).sum();
        assert_eq!((paid, spend), (1, amount), "only the winner counts as a paying customer: {per_buyer:?}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_oversell_shop_takes_all_32_payments_and_flags_them() {
    on_every_backend("race_oversell", |cx| async move {
        let app = &cx.app;
        let (fx, ids) = flash_sale(app, true).await;
        warm_pool(app, pool_size(&cx)).await;
        let results = race_to_pay(app, &fx, &ids).await;
        for (id, r) in &results {
            assert!(r.is_ok(), "trade {id}: an oversell shop accepts the payment, got {r:?}");
        }
        let mut flagged = 0;
        let mut amounts = Money::ZERO;
        for id in &ids {
            let d = app.trade_detail(&fx.actor, *id).await.expect("detail");
            assert_eq!(d.trade.status, TradeStatus::WaitSellerSendGoods);
            flagged += usize::from(d.trade.oversold);
            amounts += d.trade.amount_paid;
        }
        assert!(flagged >= RACERS - 1, "{flagged} of {RACERS} trades flagged 超卖");
        let hz = fx.stock(app, CUP_PINK_500, "HZ").await;
        let gz = fx.stock(app, CUP_PINK_500, "GZ").await;
        assert_eq!(hz.0 + gz.0, 1, "on hand: {hz:?} {gz:?}");
        assert_eq!(hz.1 + gz.1, RACERS as i64, "reserved: {hz:?} {gz:?}");
        assert_eq!(hz.2 + gz.2, 1 - RACERS as i64, "available: {hz:?} {gz:?}");
        assert_books_balance(app, fx.company_id).await;

        // No payment was lost on the customer records either (4 buyers, 8 payments each).
        let per_buyer = customers(app, &fx, &ids).await;
        assert_eq!(per_buyer.len(), BUYERS.len());
        for (nick, (paid, _)) in &per_buyer {
            assert_eq!(*paid, (RACERS / BUYERS.len()) as i64, "{nick}");
        }
        let spend: Money = per_buyer.values().map(|v| v.1).sum();
        assert_eq!(spend, amounts);
    })
    .await;
}

/// An order imported twice at the same moment (two import workers, or a retry racing the first attempt)
/// must be stored once, and the other attempts must be told it is a duplicate (code "duplicate"), not a
/// system error: on PostgreSQL the losers meet the UNIQUE (shop_id, tid) constraint and that must be
/// translated.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_same_order_created_twice_at_once_is_stored_once() {
    on_every_backend("race_duplicate_tid", |cx| async move {
        let app = &cx.app;
        let fx = build_shop(app).await;
        const ATTEMPTS: usize = 8;
        warm_pool(app, ATTEMPTS).await;
        let barrier = Arc::new(Barrier::new(ATTEMPTS));
        let mut tasks = Vec::new();
        for _ in 0..ATTEMPTS {
            let (app, fx, barrier) = (app.clone(), fx.clone(), Arc::clone(&barrier));
            tasks.push(tokio::spawn(async move {
                let input = fx.trade(fx.taobao, "3928475610293899999", "tb_小鹿乱撞", &[(TEE_BLACK_M, 1)]);
                barrier.wait().await;
                app.create_trade(&fx.actor, &input).await
            }));
        }
        let mut results = Vec::new();
        for t in tasks {
            results.push(t.await.expect("task"));
        }
        let created = results.iter().filter(|r| r.is_ok()).count();
        assert_eq!(created, 1, "{results:?}");
        let found = app.find_trade(&fx.actor, "3928475610293899999").await.expect("stored once");
        assert_eq!(found.status, TradeStatus::WaitBuyerPay);
        for r in &results {
            if let Err(e) = r {
                assert!(matches!(e, TradeError::Duplicate { .. }), "expected Duplicate, got {e:?}");
                assert_eq!(e.code(), "duplicate");
            }
        }
    })
    .await;
}
