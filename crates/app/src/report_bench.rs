//! `zhanggui bench report`: the daily report and the replenishment table of a generated company, read
//! from the sales summaries and computed from the raw trades, lines and refunds (the same report code
//! with `Source::Raw`), on a fresh SQLite database. Both answers must be equal; the timings and their
//! ratio are the result.
//!
//! The company: one warehouse with stock for every SKU, two shops that keep their stock here for the
//! last `STOCK_DAYS` days (the history before was imported without stock), `skus` SKUs (ten per
//! product, one in 25 without a cost entered), `trades` trades spread over `days` days ending
//! yesterday (1–3 lines each, sales skewed towards a few items, 92 % paid, most shipped, from stock at
//! the SKU's cost once the shops keep it here, 3 % of paid trades refunded),
//! written day after day as history in bulk (which keeps the summaries, 毛利's cost of goods
//! included, as it goes).

use std::time::Instant;

use chrono::{DateTime, Duration, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use zhanggui_domain::{Money, MoveKind, Platform, RefundKind, RefundStatus, Region, TradeStatus};
use zhanggui_store::scratch::Scratch;
use zhanggui_store::trade_write::{CustomerKey, TradeHistory};
use zhanggui_store::{NewLine, NewMove, NewRefund, NewTrade, StoreError};

use crate::reports::{ReportError, Source};
use crate::setup::{SkuSpec, StockRules};
use crate::{Actor, App};

#[derive(Debug, thiserror::Error)]
pub enum ReportBenchError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Report(#[from] ReportError),
}

/// What was measured.
#[derive(Debug, Clone, Serialize)]
pub struct ReportBench {
    pub backend: &'static str,
    pub trades: usize,
    pub skus: usize,
    pub days: u32,
    /// Seconds to generate and write the company.
    pub load_s: f64,
    /// From the summaries: the first run and the best of the runs; from the raw rows: one run.
    /// Milliseconds.
    pub daily_summaries_first_ms: f64,
    pub daily_summaries_ms: f64,
    pub daily_raw_ms: f64,
    /// raw / summaries.
    pub daily_ratio: f64,
    pub replenishment_summaries_first_ms: f64,
    pub replenishment_summaries_ms: f64,
    pub replenishment_raw_ms: f64,
    pub replenishment_ratio: f64,
    pub replenishment_lines: usize,
    /// Did both sources give the same reports?
    pub same_answers: bool,
}

/// Runs of each report from the summaries (the first is reported apart, as the cold one).
const RUNS: usize = 5;

/// How many days (ending yesterday) the generated shops have kept their stock in zhanggui.
pub const STOCK_DAYS: u32 = 60;

/// A generated trade, its final status and its refunds (by line index).
type Generated = (NewTrade, TradeStatus, Vec<(usize, NewRefund)>, Vec<NewMove>);
const BATCH: usize = 5_000;

/// Runs the benchmark on a scratch SQLite database (removed afterwards), or on the SQLite file `keep`:
/// generated there on the first run and kept, reused as it is by later runs (so that a large company
/// is generated once; `trades`, `skus` and `days` then describe the first run).
pub async fn run(
    trades: usize,
    skus: usize,
    days: u32,
    keep: Option<&std::path::Path>,
) -> Result<ReportBench, ReportBenchError> {
    if let Some(path) = keep {
        return run_on(&format!("sqlite://{}", path.display()), trades, skus.max(10), days.max(31)).await;
    }
    let scratch = Scratch::sqlite();
    let result = run_on(&scratch.url, trades, skus.max(10), days.max(31)).await;
    scratch.drop_now().await?;
    result
}

async fn run_on(url: &str, trades: usize, skus: usize, days: u32) -> Result<ReportBench, ReportBenchError> {
    let app = App::open(url).await?;
    let started = Instant::now();
    let (actor, now, (trades, skus, days)) = match existing(&app).await? {
        Some((actor, now)) => {
            let kept = size(&app, actor.company_id).await?;
            (actor, now, kept)
        }
        None => {
            let now = Utc::now();
            (load(&app, trades, skus, days, now).await?, now, (trades, skus, days))
        }
    };
    let load_s = started.elapsed().as_secs_f64();

    let summaries = app.report_scope(&actor, None).await?;
    let raw = crate::reports::Scope { source: Source::Raw, ..summaries.clone() };
    let date = summaries.yesterday(now);
    // The reports from the summaries: the first run (cold) and the best of the runs; from the raw
    // rows once (the comparison, and a check that both give the same answers).
    let mut best = [f64::MAX; 4];
    let mut first = [0.0; 2];
    let mut daily = None;
    let mut table = None;
    for run in 0..RUNS {
        let t = Instant::now();
        let a = app.daily_report_in(&summaries, Some(date), now).await?;
        let ms = t.elapsed().as_secs_f64() * 1e3;
        best[0] = best[0].min(ms);
        let t = Instant::now();
        let c = app.replenishment_report_in(&summaries, date).await?;
        let table_ms = t.elapsed().as_secs_f64() * 1e3;
        best[2] = best[2].min(table_ms);
        if run == 0 {
            first = [ms, table_ms];
        }
        daily = Some(a);
        table = Some(c);
    }
    let t = Instant::now();
    let b = app.daily_report_in(&raw, Some(date), now).await?;
    best[1] = t.elapsed().as_secs_f64() * 1e3;
    let t = Instant::now();
    let d = app.replenishment_report_in(&raw, date).await?;
    best[3] = t.elapsed().as_secs_f64() * 1e3;
    let same = format!("{daily:?}") == format!("{:?}", Some(b)) && format!("{table:?}") == format!("{:?}", Some(d));
    let lines = app.replenishment_report_in(&summaries, date).await?.lines.len();
    app.db.close().await;
    Ok(ReportBench {
        backend: "sqlite",
        trades,
        skus,
        days,
        load_s,
        daily_summaries_first_ms: first[0],
        daily_summaries_ms: best[0],
        daily_raw_ms: best[1],
        daily_ratio: best[1] / best[0],
        replenishment_summaries_first_ms: first[1],
        replenishment_summaries_ms: best[2],
        replenishment_raw_ms: best[3],
        replenishment_ratio: best[3] / best[2],
        replenishment_lines: lines,
        same_answers: same,
    })
}

/// The company of an earlier run kept in the database, and the time it was generated at (its last
/// trade's creation, so that "yesterday" is the day the generated history ends on).
pub async fn existing(app: &App) -> Result<Option<(Actor, DateTime<Utc>)>, StoreError> {
    let mut tx = app.db.begin_read().await?;
    let company = tx.companies().await?.into_iter().find(|c| c.code == "bench");
    let found = match company {
        None => None,
        Some(c) => {
            let last = tx.last_trade_created(c.id).await?;
            last.map(|t| (Actor { company_id: c.id, user: "bench".into() }, t + Duration::days(1)))
        }
    };
    tx.commit().await?;
    Ok(found)
}

/// The size of a company kept by an earlier run: (trades, SKUs, days from its first trade to its
/// last).
pub async fn size(app: &App, company_id: i64) -> Result<(usize, usize, u32), StoreError> {
    let mut tx = app.db.begin_read().await?;
    let counts = tx.company_size(company_id).await?;
    tx.commit().await?;
    Ok(counts)
}

/// Writes the generated company (see the module's doc) into `app`; returns who acts for it.
pub async fn load(app: &App, trades: usize, skus: usize, days: u32, now: DateTime<Utc>) -> Result<Actor, StoreError> {
    let company_id = app.create_company("bench", "压测公司", "Asia/Shanghai").await?;
    let actor = Actor { company_id, user: "bench".into() };
    let wh = app.create_warehouse(company_id, "WH", "主仓").await?;
    let mut shops = Vec::new();
    for (platform, name) in [(Platform::Taobao, "压测淘宝店"), (Platform::Tmall, "压测旗舰店")] {
        shops.push(app.create_shop(company_id, platform, name, Some(wh), StockRules::default()).await?);
    }
    let mut rng = ChaCha8Rng::seed_from_u64(20241111);
    // (SKU, price, cost): 40 % of the price, none for one SKU in 25 (a cost not entered yet).
    let mut catalog: Vec<(i64, Money, Money)> = Vec::with_capacity(skus);
    for p in 0..skus.div_ceil(10) {
        let price = Money::from_fen(rng.random_range(3_000..30_000));
        let specs: Vec<SkuSpec> = (0..10.min(skus - p * 10))
            .map(|i| SkuSpec {
                outer_sku_id: format!("B{p:05}-{i:02}"),
                properties: format!("尺码:{}", 100 + i * 10),
                price,
                cost: if (p * 10 + i) % 25 == 24 { Money::ZERO } else { Money::from_fen(price.fen() * 2 / 5) },
            })
            .collect();
        for (id, spec) in app
            .create_product(company_id, &format!("B{p:05}"), "压测商品 纯棉短袖T恤", "女装/T恤", &specs)
            .await?
            .into_iter()
            .zip(&specs)
        {
            catalog.push((id, price, spec.cost));
        }
    }
    // The shops keep stock here from the start of the last STOCK_DAYS days (or before the first trade).
    let stocked_days = days.min(STOCK_DAYS);
    let opened = now - Duration::days(i64::from(stocked_days) + 1);
    {
        let mut tx = app.db.begin().await?;
        for (k, (sku_id, _, _)) in catalog.iter().enumerate() {
            // Enough for what the stocked days sell of it (see the choice of SKUs below: SKU k takes
            // ((k+1)/n)^(1/3) − (k/n)^(1/3) of about 2 lines of 1.5 units per trade), and some.
            let n = catalog.len() as f64;
            let share = ((k as f64 + 1.0) / n).cbrt() - (k as f64 / n).cbrt();
            let m = NewMove {
                company_id,
                sku_id: *sku_id,
                warehouse_id: wh,
                qty: (trades as f64 * f64::from(stocked_days) / f64::from(days.max(1)) * 3.3 * share).ceil() as i64
                    + rng.random_range(1..300),
                kind: MoveKind::Stocktake,
                ref_type: "",
                ref_id: None,
                unit_cost: Money::ZERO,
                note: String::new(),
                user_name: "bench".into(),
                at: opened,
            };
            tx.append_move(&m).await?;
        }
        for shop in &shops {
            tx.set_inventory_start(*shop, opened).await?;
        }
        tx.commit().await?;
    }
    let tz = chrono_tz::Asia::Shanghai;
    let today = now.with_timezone(&tz).date_naive();
    let first = today - Duration::days(i64::from(days));
    let region = Region::default();
    let buyers = (trades / 3).max(1);
    let mut written = 0;
    while written < trades {
        let n = BATCH.min(trades - written);
        let mut batch: Vec<Generated> = Vec::with_capacity(n);
        for i in written..written + n {
            // In time order, as a shop's history accrues: day by day, each day's trades at random
            // times within it.
            let day = first + Duration::days((i as u64 * u64::from(days) / trades as u64) as i64);
            let created =
                zhanggui_store::summaries::day_start(day, tz) + Duration::seconds(rng.random_range(0..86_400));
            let mut lines = Vec::new();
            let mut costs = Vec::new();
            for l in 0..rng.random_range(1..=3) {
                let x: f64 = rng.random();
                let (sku_id, price, cost) = catalog[((x * x * x) * catalog.len() as f64) as usize % catalog.len()];
                costs.push(cost);
                let qty = rng.random_range(1..=2);
                lines.push(NewLine {
                    oid: format!("{i}-{l}"),
                    sku_id: Some(sku_id),
                    qty,
                    price,
                    amount_paid: price * qty,
                    ..Default::default()
                });
            }
            let goods: Money = lines.iter().map(|l| l.amount_paid).sum();
            let paid = rng.random_bool(0.92).then(|| created + Duration::seconds(rng.random_range(10..3_600)));
            let shipped = paid.map(|p| p + Duration::hours(rng.random_range(2..40))).filter(|s| *s <= now);
            let refund = paid.filter(|_| rng.random_bool(0.03)).map(|p| p + Duration::days(3)).filter(|r| *r <= now);
            let status = match (paid, shipped, refund) {
                (None, _, _) => TradeStatus::TradeClosedByTaobao,
                (Some(_), _, Some(_)) => TradeStatus::TradeClosed,
                (Some(_), Some(_), None) => TradeStatus::TradeFinished,
                (Some(_), None, None) => TradeStatus::WaitSellerSendGoods,
            };
            let t = NewTrade {
                company_id,
                shop_id: shops[i % shops.len()],
                tid: format!("{}", 9_000_000_000u64 + i as u64),
                buyer_nick: format!("buyer{}", rng.random_range(0..buyers)),
                goods_amount: goods,
                total_amount: goods,
                amount_paid: if paid.is_some() { goods } else { Money::ZERO },
                created_at: created,
                paid_at: paid,
                shipped_at: shipped,
                closed_at: if paid.is_none() { Some(created + Duration::days(1)) } else { refund },
                lines: lines.clone(),
                ..Default::default()
            };
            let refunds = refund
                .map(|at| {
                    vec![(
                        0,
                        NewRefund {
                            company_id,
                            trade_id: 0,
                            order_line_id: None,
                            refund_no: format!("R{i}"),
                            kind: RefundKind::RefundShipped,
                            status: RefundStatus::Success,
                            reason: String::new(),
                            amount: lines[0].amount_paid,
                            created_at: at - Duration::days(1),
                            deadline_at: None,
                            finished_at: Some(at),
                        },
                    )]
                })
                .unwrap_or_default();
            // Shipped from the one warehouse at the SKU's cost.
            let moves = shipped
                .filter(|_| paid.is_some_and(|p| p >= opened))
                .map(|at| {
                    lines
                        .iter()
                        .zip(&costs)
                        .filter_map(|(l, cost)| {
                            let sku_id = l.sku_id?;
                            Some(NewMove {
                                company_id,
                                sku_id,
                                warehouse_id: wh,
                                qty: -l.qty,
                                kind: MoveKind::SaleShipment,
                                ref_type: "trade",
                                ref_id: None,
                                unit_cost: *cost,
                                note: t.tid.clone(),
                                user_name: "bench".into(),
                                at,
                            })
                        })
                        .collect()
                })
                .unwrap_or_default();
            batch.push((t, status, refunds, moves));
        }
        let items: Vec<TradeHistory<'_>> = batch
            .iter()
            .map(|(t, status, refunds, moves)| TradeHistory {
                trade: t,
                status: *status,
                customer: Some(CustomerKey { account_system: "taobao", nick: &t.buyer_nick, region: &region }),
                moves: moves.clone(),
                refunds: refunds.clone(),
                events: Vec::new(),
                user: "bench",
                at: now,
                time_zone: tz,
            })
            .collect();
        let mut tx = app.db.begin().await?;
        tx.insert_trades_bulk(&items).await?;
        tx.commit().await?;
        written += n;
    }
    Ok(actor)
}
