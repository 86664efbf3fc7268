//! `zhanggui bench ledger`: trades per second through create → pay → ship (two lines each, stock
//! checked and moved), with one writer and with several, against the floor of writing the same rows
//! with bare inserts in one transaction.

use std::sync::Arc;
use std::time::Instant;

use chrono::{Duration, Utc};
use serde::Serialize;
use zhanggui_domain::{Money, MoveKind, Platform};
use zhanggui_store::scratch::Scratch;
use zhanggui_store::trade_write::TradeHistory;
use zhanggui_store::{Backend, NewLine, NewMove, NewTrade, StoreError};

use crate::setup::{SkuSpec, StockRules};
use crate::trading::{LineInput, ShipInput, TradeError, TradeInput};
use crate::{Actor, App};

#[derive(Debug, Clone, Serialize)]
pub struct LedgerBench {
    pub backend: String,
    pub trades: usize,
    pub single_writer_trades_per_s: f64,
    pub concurrent_writers: usize,
    pub concurrent_trades_per_s: f64,
    /// The same three steps inside one transaction per trade (as an importer writes a trade that was
    /// created, paid and shipped before it is loaded).
    pub one_transaction_trades_per_s: f64,
    pub floor_trades_per_s: f64,
    /// Floor rate / single-writer rate: how many times slower the checked path is than bare inserts.
    pub single_writer_ratio_to_floor: f64,
    pub concurrent_ratio_to_floor: f64,
}

#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Trade(#[from] TradeError),
    #[error("the ledger does not add up after the benchmark: {0} mismatching balances")]
    LedgerMismatch(usize),
}

const SKUS: usize = 200;

struct Fixture {
    app: App,
    actor: Actor,
    shop_id: i64,
    codes: Vec<String>,
}

async fn fixture(url: &str) -> Result<Fixture, BenchError> {
    let app = App::open(url).await?;
    let company_id = app.create_company("bench", "压测公司", "Asia/Shanghai").await?;
    let wh = app.create_warehouse(company_id, "WH", "主仓").await?;
    let shop_id = app.create_shop(company_id, Platform::Taobao, "压测店", Some(wh), StockRules::default()).await?;
    let specs: Vec<SkuSpec> = (0..SKUS)
        .map(|i| SkuSpec {
            outer_sku_id: format!("BENCH-{i:04}"),
            properties: "颜色分类:黑色;尺码:M".into(),
            price: Money::from_fen(9_900),
            cost: Money::from_fen(4_000),
        })
        .collect();
    app.create_product(company_id, "BENCH", "压测商品 纯棉短袖T恤", "女装/T恤", &specs).await?;
    let actor = Actor { company_id, user: "bench".into() };
    for s in &specs {
        app.receive_stock(&actor, &s.outer_sku_id, None, 1_000_000, s.cost, Utc::now())
            .await
            .map_err(|e| TradeError::Invalid { field: "stock", reason: e.to_string() })?;
    }
    Ok(Fixture { app, actor, shop_id, codes: specs.into_iter().map(|s| s.outer_sku_id).collect() })
}

fn trade_input(f: &Fixture, prefix: &str, i: usize) -> TradeInput {
    let a = (i * 7) % SKUS;
    let b = (i * 7 + 3) % SKUS;
    TradeInput {
        shop_id: f.shop_id,
        tid: format!("{prefix}{i:09}"),
        buyer_nick: format!("买家{}", i % 5000),
        receiver_address: "浙江省 杭州市 西湖区 文三路1号".into(),
        created_at: Utc::now(),
        lines: vec![
            LineInput { outer_sku_id: f.codes[a].clone(), price: Money::from_fen(9_900), qty: 1, ..Default::default() },
            LineInput { outer_sku_id: f.codes[b].clone(), price: Money::from_fen(9_900), qty: 2, ..Default::default() },
        ],
        ..Default::default()
    }
}

async fn one_trade(f: &Fixture, prefix: &str, i: usize) -> Result<(), TradeError> {
    let input = trade_input(f, prefix, i);
    let id = f.app.create_trade(&f.actor, &input).await?;
    let now = Utc::now();
    f.app.pay_trade(&f.actor, id, now).await?;
    let ship = ShipInput { carrier: "中通快递".into(), tracking_no: format!("78{i:010}"), line_ids: None };
    f.app.ship_trade(&f.actor, id, &ship, now + Duration::seconds(1)).await
}

async fn one_trade_one_tx(f: &Fixture, prefix: &str, i: usize) -> Result<(), TradeError> {
    let input = trade_input(f, prefix, i);
    let mut tx = f.app.db.begin().await?;
    let id = crate::trading::create_in(&mut tx, &f.actor, &input).await?;
    let now = Utc::now();
    crate::trading::pay_in(&mut tx, &f.actor, id, now).await?;
    let ship = ShipInput { carrier: "中通快递".into(), tracking_no: format!("78{i:010}"), line_ids: None };
    crate::trading::ship_in(&mut tx, &f.actor, id, &ship, now + Duration::seconds(1)).await?;
    tx.commit().await?;
    Ok(())
}

/// The same rows as `trades` checked trades (trade, two lines, two moves with their balances),
/// written in one transaction with no reads and no checks, one round trip per trade; rolled back.
async fn floor(f: &Fixture, trades: usize) -> Result<f64, BenchError> {
    let sku = {
        let mut tx = f.app.db.begin_read().await?;
        let s = tx.skus(f.actor.company_id).await?;
        tx.commit().await?;
        s
    };
    let warehouse_id = {
        let mut tx = f.app.db.begin_read().await?;
        let w = tx.warehouses(f.actor.company_id).await?;
        tx.commit().await?;
        w.first().map(|w| w.id).unwrap_or(0)
    };
    let started = Instant::now();
    let mut tx = f.app.db.begin().await?;
    for i in 0..trades {
        let now = Utc::now();
        let a = &sku[(i * 7) % SKUS];
        let b = &sku[(i * 7 + 3) % SKUS];
        let t = NewTrade {
            company_id: f.actor.company_id,
            shop_id: f.shop_id,
            tid: format!("F{i:09}"),
            created_at: now,
            lines: vec![
                NewLine { oid: "1".into(), sku_id: Some(a.id), qty: 1, ..Default::default() },
                NewLine { oid: "2".into(), sku_id: Some(b.id), qty: 2, ..Default::default() },
            ],
            ..Default::default()
        };
        let moves = [(a, 1), (b, 2)]
            .into_iter()
            .map(|(s, q)| NewMove {
                company_id: f.actor.company_id,
                sku_id: s.id,
                warehouse_id,
                qty: -q,
                kind: MoveKind::SaleShipment,
                ref_type: "trade",
                ref_id: None,
                unit_cost: Money::ZERO,
                note: String::new(),
                user_name: String::new(),
                at: now,
            })
            .collect();
        let history = TradeHistory {
            trade: &t,
            status: zhanggui_domain::TradeStatus::WaitBuyerConfirmGoods,
            customer: None,
            moves,
            refunds: Vec::new(),
            events: Vec::new(),
            user: "",
            at: now,
            // The bench company's zone (see `fixture`).
            time_zone: chrono_tz::Asia::Shanghai,
        };
        tx.insert_trade_history(&history).await?;
    }
    tx.rollback().await?;
    Ok(trades as f64 / started.elapsed().as_secs_f64())
}

/// Runs the benchmark on a fresh database of the given backend (`admin_url` for PostgreSQL).
pub async fn run(
    backend: Backend,
    admin_url: Option<&str>,
    trades: usize,
    writers: usize,
) -> Result<LedgerBench, BenchError> {
    let scratch = match (backend, admin_url) {
        (Backend::Postgres, Some(url)) => Scratch::postgres(url).await?,
        _ => Scratch::sqlite(),
    };
    let result = run_on(&scratch.url, backend, trades, writers).await;
    scratch.drop_now().await?;
    result
}

async fn run_on(url: &str, backend: Backend, trades: usize, writers: usize) -> Result<LedgerBench, BenchError> {
    let f = Arc::new(fixture(url).await?);
    let started = Instant::now();
    for i in 0..trades {
        one_trade(&f, "S", i).await?;
    }
    let single = trades as f64 / started.elapsed().as_secs_f64();

    let started = Instant::now();
    let mut tasks = Vec::new();
    let writers = writers.max(1);
    for w in 0..writers {
        let f = Arc::clone(&f);
        tasks.push(tokio::spawn(async move {
            let mut i = w;
            while i < trades {
                one_trade(&f, "C", i).await?;
                i += writers;
            }
            Ok::<(), TradeError>(())
        }));
    }
    for t in tasks {
        t.await.map_err(|e| TradeError::Invalid { field: "task", reason: e.to_string() })??;
    }
    let concurrent = trades as f64 / started.elapsed().as_secs_f64();

    let started = Instant::now();
    for i in 0..trades {
        one_trade_one_tx(&f, "T", i).await?;
    }
    let one_tx = trades as f64 / started.elapsed().as_secs_f64();

    let floor_rate = floor(&f, trades).await?;
    let mismatches = {
        let mut tx = f.app.db.begin_read().await?;
        let m = tx.ledger_mismatches(f.actor.company_id).await?;
        tx.commit().await?;
        m
    };
    f.app.db.close().await;
    if !mismatches.is_empty() {
        return Err(BenchError::LedgerMismatch(mismatches.len()));
    }
    Ok(LedgerBench {
        backend: match backend {
            Backend::Sqlite => "sqlite".into(),
            Backend::Postgres => "postgres".into(),
        },
        trades,
        single_writer_trades_per_s: single,
        concurrent_writers: writers,
        concurrent_trades_per_s: concurrent,
        one_transaction_trades_per_s: one_tx,
        floor_trades_per_s: floor_rate,
        single_writer_ratio_to_floor: floor_rate / single,
        concurrent_ratio_to_floor: floor_rate / concurrent,
    })
}
