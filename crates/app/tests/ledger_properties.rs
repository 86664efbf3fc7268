//! Property test of the stock ledger: random sequences of receipts, adjustments, trades (create, pay,
//! ship, close, confirm) and transfers over three SKUs with little stock, so that refusals are common.
//!
//! After every step: the books balance (`ledger_mismatches` empty: on_hand = Σ moves, reserved = Σ open
//! reservations), every stock figure equals an independent model, a shop that does not oversell never
//! shows available < 0, the total on hand equals receipts + adjustments − shipped units, and a refused
//! operation changed nothing at all.
//!
//! Runs 24 cases on SQLite, and 6 more on PostgreSQL when DATABASE_URL is set. One scratch database per
//! backend; each case is a company of its own in it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use common::*;
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, TestRunner};
use zhanggui_app::App;
use zhanggui_app::setup::StockRules;
use zhanggui_app::trading::{ShipInput, TradeError};
use zhanggui_app::{Lang, UserFacing};
use zhanggui_domain::TradeStatus;

/// The three SKUs the operations use (the fixture's T-shirt TS2401-BLK-M stays untouched at zero).
const SKUS: [&str; 3] = [TEE_WHITE_L, JEANS_BLUE_27, CUP_PINK_500];
const WAREHOUSES: [&str; 2] = ["HZ", "GZ"];
const BUYERS: [&str; 4] = ["tb_小鹿乱撞", "爱吃草莓的猫", "江南小雨0817", "星河滚烫ya"];

#[derive(Debug, Clone)]
enum Op {
    Receive {
        sku: usize,
        wh: usize,
        qty: i64,
    },
    Adjust {
        sku: usize,
        wh: usize,
        qty: i64,
    },
    /// Create a trade of 1–2 lines and (usually) pay it at once.
    CreatePay {
        lines: Vec<(usize, i64)>,
        pay: bool,
    },
    Pay {
        trade: Index,
    },
    /// Ship a trade: with `any`, whichever the index picks; otherwise one that awaits shipping if there
    /// is one (so that shipments, not only refusals, are common).
    Ship {
        trade: Index,
        partial: bool,
        any: bool,
    },
    Close {
        trade: Index,
    },
    Confirm {
        trade: Index,
    },
    Transfer {
        sku: usize,
        from: usize,
        qty: i64,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => (0..3usize, 0..2usize, 1..=3i64).prop_map(|(sku, wh, qty)| Op::Receive { sku, wh, qty }),
        2 => (0..3usize, 0..2usize, prop_oneof![-3..=-1i64, 1..=3i64])
            .prop_map(|(sku, wh, qty)| Op::Adjust { sku, wh, qty }),
        5 => (prop::collection::vec((0..3usize, 1..=3i64), 1..=2), prop::bool::weighted(0.8))
            .prop_map(|(lines, pay)| Op::CreatePay { lines, pay }),
        1 => any::<Index>().prop_map(|trade| Op::Pay { trade }),
        4 => (any::<Index>(), any::<bool>(), prop::bool::weighted(0.3))
            .prop_map(|(trade, partial, any)| Op::Ship { trade, partial, any }),
        2 => any::<Index>().prop_map(|trade| Op::Close { trade }),
        1 => any::<Index>().prop_map(|trade| Op::Confirm { trade }),
        2 => (0..3usize, 0..2usize, 1..=3i64).prop_map(|(sku, from, qty)| Op::Transfer { sku, from, qty }),
    ]
}

#[derive(Debug, Clone)]
struct Case {
    /// The shop allows overselling (超卖).
    oversell: bool,
    /// Opening stock per (SKU, warehouse): 0–2 units.
    opening: [[i64; 2]; 3],
    ops: Vec<Op>,
}

fn case() -> impl Strategy<Value = Case> {
    (
        prop::bool::weighted(0.25),
        [[0..=2i64, 0..=2i64], [0..=2i64, 0..=2i64], [0..=2i64, 0..=2i64]],
        prop::collection::vec(op(), 1..=40),
    )
        .prop_map(|(oversell, opening, ops)| Case { oversell, opening, ops })
}

#[derive(Debug, Clone)]
struct MLine {
    id: i64,
    sku: usize,
    qty: i64,
    shipped: bool,
    /// Warehouse of the open reservation, as the application placed it.
    reserved_in: Option<usize>,
}

#[derive(Debug, Clone)]
struct MTrade {
    id: i64,
    status: TradeStatus,
    lines: Vec<MLine>,
}

/// What the stock must be, kept independently of the database.
#[derive(Debug, Default)]
struct Model {
    on_hand: [[i64; 2]; 3],
    reserved: [[i64; 2]; 3],
    trades: Vec<MTrade>,
    receipts: i64,
    adjustments: i64,
    shipped: i64,
}

impl Model {
    fn available(&self, sku: usize, wh: usize) -> i64 {
        self.on_hand[sku][wh] - self.reserved[sku][wh]
    }
}

struct Run<'a> {
    app: &'a App,
    fx: Fixture,
    oversell: bool,
    model: Model,
    /// Minutes after t0 of the current step (times only move forward).
    clock: i64,
    tids: usize,
}

static CASES: AtomicUsize = AtomicUsize::new(0);

/// How often each outcome happened over a run, to show (and assert) that the generator reaches the
/// interesting paths: refusals for lack of stock, illegal transitions, partial shipments, overselling.
#[derive(Debug, Default)]
struct Tally {
    paid: AtomicUsize,
    out_of_stock: AtomicUsize,
    oversold: AtomicUsize,
    illegal: AtomicUsize,
    shipped_part: AtomicUsize,
    shipped_all: AtomicUsize,
    closed_paid: AtomicUsize,
    stock_refused: AtomicUsize,
}

static TALLY: Tally = Tally {
    paid: AtomicUsize::new(0),
    out_of_stock: AtomicUsize::new(0),
    oversold: AtomicUsize::new(0),
    illegal: AtomicUsize::new(0),
    shipped_part: AtomicUsize::new(0),
    shipped_all: AtomicUsize::new(0),
    closed_paid: AtomicUsize::new(0),
    stock_refused: AtomicUsize::new(0),
};

fn count(c: &AtomicUsize) {
    c.fetch_add(1, Ordering::Relaxed);
}

fn wh_index(fx: &Fixture, warehouse_id: i64) -> usize {
    if warehouse_id == fx.hz {
        0
    } else if warehouse_id == fx.gz {
        1
    } else {
        panic!("unknown warehouse id {warehouse_id}")
    }
}

fn sku_index(fx: &Fixture, sku_id: i64) -> usize {
    SKUS.iter().position(|c| fx.sku(c).id == sku_id).unwrap_or_else(|| panic!("unexpected SKU id {sku_id}"))
}

#[track_caller]
fn assert_illegal(r: Result<(), TradeError>, from: TradeStatus, what: &str) {
    match r {
        Err(TradeError::Illegal(e)) => {
            assert_eq!(e.from, from, "{what}");
            count(&TALLY.illegal);
        }
        other => panic!("{what}: expected an illegal transition from {from:?}, got {other:?}"),
    }
}

impl Run<'_> {
    async fn snapshot(&self, trade: Option<i64>) -> String {
        let ids: Vec<i64> = trade.into_iter().collect();
        snapshot(self.app, self.fx.company_id, &ids).await
    }

    /// The invariants that hold after every step.
    async fn check(&self, what: &str) {
        let ctx = || what.to_string();
        assert_books_balance(self.app, self.fx.company_id).await;
        let lines = self.fx.stock_lines(self.app).await;
        let mut total_on_hand = 0;
        for l in &lines {
            total_on_hand += l.on_hand;
            assert_eq!(l.available, l.on_hand - l.reserved);
            if !self.oversell {
                assert!(l.available >= 0, "{}: available < 0 in a shop that does not oversell: {l:?}", ctx());
            }
            match SKUS.iter().position(|c| *c == l.outer_sku_id) {
                Some(s) => {
                    let w = wh_index(&self.fx, l.warehouse_id);
                    let want = (self.model.on_hand[s][w], self.model.reserved[s][w]);
                    assert_eq!((l.on_hand, l.reserved), want, "{}: {} in {}", ctx(), l.outer_sku_id, l.warehouse_code);
                }
                None => assert_eq!((l.on_hand, l.reserved), (0, 0), "{}: untouched SKU {l:?}", ctx()),
            }
        }
        assert_eq!(lines.len(), 8, "4 SKUs × 2 warehouses");
        let m = &self.model;
        assert_eq!(total_on_hand, m.receipts + m.adjustments - m.shipped, "{}: Σ on_hand", ctx());
        let model_on_hand: i64 = m.on_hand.iter().flatten().sum();
        assert_eq!(model_on_hand, m.receipts + m.adjustments - m.shipped, "{}: model Σ on_hand", ctx());
    }

    /// The trade's status and open reservations are what the model says.
    async fn check_trade(&self, t: &MTrade) {
        let d = self.app.trade_detail(&self.fx.actor, t.id).await.expect("detail");
        assert_eq!(d.trade.status, t.status, "status of trade {}", d.trade.tid);
        let mut tx = self.app.db.begin_read().await.expect("begin");
        let open = tx.open_reservations(t.id).await.expect("reservations");
        tx.commit().await.expect("commit");
        let mut got: Vec<(i64, usize, usize, i64)> = open
            .iter()
            .map(|r| (r.order_line_id, sku_index(&self.fx, r.sku_id), wh_index(&self.fx, r.warehouse_id), r.qty))
            .collect();
        got.sort();
        let mut want: Vec<(i64, usize, usize, i64)> =
            t.lines.iter().filter_map(|l| l.reserved_in.map(|w| (l.id, l.sku, w, l.qty))).collect();
        want.sort();
        assert_eq!(got, want, "open reservations of trade {}", d.trade.tid);
        for (ml, dl) in t.lines.iter().zip(&d.lines) {
            assert_eq!((ml.id, ml.shipped), (dl.id, dl.shipped_at.is_some()), "line of trade {}", d.trade.tid);
        }
    }

    fn pick(&self, idx: &Index) -> Option<usize> {
        if self.model.trades.is_empty() { None } else { Some(idx.index(self.model.trades.len())) }
    }

    fn pick_to_ship(&self, idx: &Index, any: bool) -> Option<usize> {
        let waiting: Vec<usize> =
            (0..self.model.trades.len()).filter(|i| self.model.trades[*i].status.awaits_shipping()).collect();
        if any || waiting.is_empty() { self.pick(idx) } else { Some(waiting[idx.index(waiting.len())]) }
    }

    async fn apply(&mut self, op: &Op) {
        self.clock += 7;
        let now = at(self.clock);
        let actor = self.fx.actor.clone();
        match op {
            Op::Receive { sku, wh, qty } => {
                self.app
                    .receive_stock(&actor, SKUS[*sku], Some(WAREHOUSES[*wh]), *qty, yuan("35.00"), now)
                    .await
                    .expect("a receipt is always accepted");
                self.model.on_hand[*sku][*wh] += qty;
                self.model.receipts += qty;
            }
            Op::Adjust { sku, wh, qty } => {
                let avail = self.model.available(*sku, *wh);
                let ok = avail + qty >= 0 || *qty > 0;
                let before = self.snapshot(None).await;
                let reason = if *qty > 0 { "盘点盘盈" } else { "盘点盘亏：破损" };
                let r = self.app.adjust_stock(&actor, SKUS[*sku], Some(WAREHOUSES[*wh]), *qty, reason, now).await;
                if ok {
                    let after = r.unwrap_or_else(|e| panic!("adjust {qty} with {avail} available refused: {e:?}"));
                    self.model.on_hand[*sku][*wh] += qty;
                    self.model.adjustments += qty;
                    assert_eq!(after, self.model.available(*sku, *wh), "available returned by adjust_stock");
                } else {
                    assert!(r.is_err(), "adjust {qty} with {avail} available must be refused, got {r:?}");
                    count(&TALLY.stock_refused);
                    assert_eq!(self.snapshot(None).await, before, "a refused adjustment changed something");
                }
            }
            Op::Transfer { sku, from, qty } => {
                let to = 1 - from;
                let ok = self.model.available(*sku, *from) >= *qty;
                let before = self.snapshot(None).await;
                let r = self.app.transfer_stock(&actor, SKUS[*sku], WAREHOUSES[*from], WAREHOUSES[to], *qty, now).await;
                if ok {
                    r.unwrap_or_else(|e| panic!("transfer of {qty} refused: {e:?}"));
                    self.model.on_hand[*sku][*from] -= qty;
                    self.model.on_hand[*sku][to] += qty;
                } else {
                    assert!(r.is_err(), "transfer of {qty} beyond available must be refused, got {r:?}");
                    count(&TALLY.stock_refused);
                    assert_eq!(self.snapshot(None).await, before, "a refused transfer changed something");
                }
            }
            Op::CreatePay { lines, pay } => {
                self.tids += 1;
                let tid = format!("4{:05}{:013}", CASES.load(Ordering::Relaxed), self.tids);
                let codes: Vec<(&str, i64)> = lines.iter().map(|(s, q)| (SKUS[*s], *q)).collect();
                let mut input = self.fx.trade(self.fx.taobao, &tid, BUYERS[self.tids % BUYERS.len()], &codes);
                input.created_at = now;
                let id = self.app.create_trade(&actor, &input).await.expect("create");
                let d = self.app.trade_detail(&actor, id).await.expect("detail");
                let mlines = d
                    .lines
                    .iter()
                    .zip(lines)
                    .map(|(l, (s, q))| MLine { id: l.id, sku: *s, qty: *q, shipped: false, reserved_in: None })
                    .collect();
                self.model.trades.push(MTrade { id, status: TradeStatus::WaitBuyerPay, lines: mlines });
                let i = self.model.trades.len() - 1;
                if *pay {
                    self.pay(i, now).await;
                }
                let t = self.model.trades[i].clone();
                self.check_trade(&t).await;
            }
            Op::Pay { trade } => {
                if let Some(i) = self.pick(trade) {
                    self.pay(i, now).await;
                }
            }
            Op::Ship { trade, partial, any } => {
                if let Some(i) = self.pick_to_ship(trade, *any) {
                    self.ship(i, *partial, now).await;
                }
            }
            Op::Close { trade } => {
                if let Some(i) = self.pick(trade) {
                    self.close(i, now).await;
                }
            }
            Op::Confirm { trade } => {
                if let Some(i) = self.pick(trade) {
                    let t = self.model.trades[i].clone();
                    let before = self.snapshot(Some(t.id)).await;
                    let r = self.app.confirm_receipt(&actor, t.id, now).await;
                    if t.status == TradeStatus::WaitBuyerConfirmGoods {
                        r.expect("confirm a shipped trade");
                        self.model.trades[i].status = TradeStatus::TradeFinished;
                    } else {
                        assert_illegal(r, t.status, "confirm");
                        assert_eq!(self.snapshot(Some(t.id)).await, before, "a refused confirm changed something");
                    }
                }
            }
        }
        let touched = match op {
            Op::Pay { trade } | Op::Close { trade } | Op::Confirm { trade } => self.pick(trade),
            Op::Ship { trade, any, .. } => self.pick_to_ship(trade, *any),
            _ => None,
        };
        if let Some(i) = touched {
            let t = self.model.trades[i].clone();
            self.check_trade(&t).await;
        }
    }

    async fn pay(&mut self, i: usize, now: chrono::DateTime<chrono::Utc>) {
        let t = self.model.trades[i].clone();
        let before = self.snapshot(Some(t.id)).await;
        let r = self.app.pay_trade(&self.fx.actor, t.id, now).await;
        if t.status != TradeStatus::WaitBuyerPay {
            assert_illegal(r, t.status, "pay");
            assert_eq!(self.snapshot(Some(t.id)).await, before, "a refused payment changed something");
            return;
        }
        // What the application must do, whatever warehouse it picks for each line: if the default
        // warehouse (HZ) can fill every line, paying succeeds without overselling; if all warehouses
        // together cannot, a strict shop refuses and an oversell shop flags the trade.
        let mut need = [0i64; 3];
        for l in &t.lines {
            need[l.sku] += l.qty;
        }
        let fits_in_hz = (0..3).all(|s| need[s] <= self.model.available(s, 0));
        let short = (0..3).any(|s| need[s] > (0..2).map(|w| self.model.available(s, w).max(0)).sum::<i64>());
        match r {
            Ok(()) => {
                assert!(self.oversell || !short, "paid although stock is short: need {need:?}, model {:?}", self.model);
                let d = self.app.trade_detail(&self.fx.actor, t.id).await.expect("detail");
                assert_eq!(d.trade.status, TradeStatus::WaitSellerSendGoods);
                if !self.oversell || fits_in_hz {
                    assert!(!d.trade.oversold, "not oversold: need {need:?}, model {:?}", self.model);
                }
                if short {
                    assert!(d.trade.oversold, "oversold must be flagged: need {need:?}, model {:?}", self.model);
                }
                count(&TALLY.paid);
                if d.trade.oversold {
                    count(&TALLY.oversold);
                }
                let mut tx = self.app.db.begin_read().await.expect("begin");
                let open = tx.open_reservations(t.id).await.expect("reservations");
                tx.commit().await.expect("commit");
                assert_eq!(open.len(), t.lines.len(), "one reservation per line: {open:?}");
                for r in open {
                    let line = self.model.trades[i].lines.iter_mut().find(|l| l.id == r.order_line_id).expect("line");
                    let w = wh_index(&self.fx, r.warehouse_id);
                    assert_eq!((sku_index(&self.fx, r.sku_id), r.qty), (line.sku, line.qty), "reservation {r:?}");
                    line.reserved_in = Some(w);
                    self.model.reserved[line.sku][w] += line.qty;
                }
                self.model.trades[i].status = TradeStatus::WaitSellerSendGoods;
            }
            Err(e) => {
                assert!(
                    !(self.oversell || fits_in_hz),
                    "payment refused although HZ can fill it: {e:?}, {:?}",
                    self.model
                );
                assert!(matches!(e, TradeError::OutOfStock { .. }), "{e:?}");
                assert_eq!(e.code(), "out_of_stock");
                count(&TALLY.out_of_stock);
                assert!(e.message(Lang::Zh).contains("库存不足"));
                assert_eq!(self.snapshot(Some(t.id)).await, before, "a refused payment changed something");
            }
        }
    }

    async fn ship(&mut self, i: usize, partial: bool, now: chrono::DateTime<chrono::Utc>) {
        let t = self.model.trades[i].clone();
        let unshipped: Vec<&MLine> = t.lines.iter().filter(|l| !l.shipped).collect();
        let one = partial && !unshipped.is_empty();
        let input = ShipInput {
            carrier: "中通快递".into(),
            tracking_no: format!("7845{:010}", self.clock),
            line_ids: if one { Some(vec![unshipped[0].id]) } else { None },
        };
        let before = self.snapshot(Some(t.id)).await;
        let r = self.app.ship_trade(&self.fx.actor, t.id, &input, now).await;
        if !matches!(t.status, TradeStatus::WaitSellerSendGoods | TradeStatus::SellerConsignedPart) {
            assert_illegal(r, t.status, "ship");
            assert_eq!(self.snapshot(Some(t.id)).await, before, "a refused shipment changed something");
            return;
        }
        r.expect("ship a paid trade");
        let chosen: Vec<i64> = if one { vec![unshipped[0].id] } else { unshipped.iter().map(|l| l.id).collect() };
        let everything = chosen.len() == unshipped.len();
        let trade = &mut self.model.trades[i];
        for l in trade.lines.iter_mut().filter(|l| chosen.contains(&l.id)) {
            l.shipped = true;
            if let Some(w) = l.reserved_in.take() {
                self.model.on_hand[l.sku][w] -= l.qty;
                self.model.reserved[l.sku][w] -= l.qty;
                self.model.shipped += l.qty;
            }
        }
        trade.status = if everything { TradeStatus::WaitBuyerConfirmGoods } else { TradeStatus::SellerConsignedPart };
        count(if everything { &TALLY.shipped_all } else { &TALLY.shipped_part });
    }

    async fn close(&mut self, i: usize, now: chrono::DateTime<chrono::Utc>) {
        let t = self.model.trades[i].clone();
        let before = self.snapshot(Some(t.id)).await;
        let r = self.app.close_trade(&self.fx.actor, t.id, "买家申请退款", now).await;
        let next = match t.status {
            TradeStatus::WaitBuyerPay => TradeStatus::TradeClosedByTaobao,
            s if s.is_open() => TradeStatus::TradeClosed,
            s => {
                assert_illegal(r, s, "close");
                assert_eq!(self.snapshot(Some(t.id)).await, before, "a refused close changed something");
                return;
            }
        };
        r.expect("close an open trade");
        if next == TradeStatus::TradeClosed {
            count(&TALLY.closed_paid);
        }
        let trade = &mut self.model.trades[i];
        for l in &mut trade.lines {
            if let Some(w) = l.reserved_in.take() {
                self.model.reserved[l.sku][w] -= l.qty;
            }
        }
        trade.status = next;
    }
}

async fn run_case(app: &App, case: &Case) {
    let n = CASES.fetch_add(1, Ordering::Relaxed);
    let mut opening = Vec::new();
    for (s, code) in SKUS.iter().enumerate() {
        for (w, wh) in WAREHOUSES.iter().enumerate() {
            opening.push((*code, *wh, case.opening[s][w]));
        }
    }
    let fx = build_shop_with_stock(app, &format!("prop{n}"), &opening).await;
    let rules = StockRules { allow_oversell: case.oversell, ..Default::default() };
    app.set_stock_rules(fx.taobao, rules).await.expect("stock rules");
    let mut run = Run { app, fx, oversell: case.oversell, model: Model::default(), clock: 0, tids: 0 };
    run.model.on_hand = case.opening;
    run.model.receipts = case.opening.iter().flatten().sum();
    run.check("after the opening stock").await;
    for (step, op) in case.ops.iter().enumerate() {
        run.apply(op).await;
        run.check(&format!("after step {} ({op:?})", step + 1)).await;
    }
    for t in &run.model.trades {
        run.check_trade(t).await;
    }
}

fn run_property(target: &Target, cases: u32) {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let started = Instant::now();
    let db = rt.block_on(TestDb::create(target));
    let app = db.app.clone();
    let config = Config { cases, failure_persistence: None, max_shrink_iters: 256, ..Config::default() };
    let mut runner = TestRunner::new(config);
    let result = runner.run(&case(), |case| {
        rt.block_on(run_case(&app, &case));
        Ok(())
    });
    rt.block_on(db.drop_now());
    eprintln!("ledger property [{}]: {cases} cases in {:.2} s", target.name(), started.elapsed().as_secs_f64());
    if let Err(e) = result {
        panic!("ledger property failed on {}: {e}", target.name());
    }
}

fn take(c: &AtomicUsize) -> usize {
    c.swap(0, Ordering::Relaxed)
}

#[test]
fn ledger_stays_balanced_under_random_operations() {
    for target in backends() {
        let cases = match target {
            Target::Sqlite => 24,
            Target::Postgres(_) => 6,
        };
        run_property(&target, cases);
        let t = &TALLY;
        let seen = [
            ("paid", take(&t.paid)),
            ("out_of_stock", take(&t.out_of_stock)),
            ("oversold", take(&t.oversold)),
            ("illegal", take(&t.illegal)),
            ("shipped_part", take(&t.shipped_part)),
            ("shipped_all", take(&t.shipped_all)),
            ("closed_paid", take(&t.closed_paid)),
            ("stock_refused", take(&t.stock_refused)),
        ];
        eprintln!("ledger property [{}]: {seen:?}", target.name());
        // With this many cases the common paths are always reached (dozens of times each); if one is not,
        // the generator has drifted and the property proves little. Rarer outcomes (oversold, partial
        // shipments, closes after payment) are only printed: the seed is random on every run.
        if cases >= 24 {
            for (what, n) in &seen[..] {
                if matches!(*what, "paid" | "out_of_stock" | "illegal" | "shipped_all" | "stock_refused") {
                    assert!(*n > 0, "no {what} in {cases} cases on {}: {seen:?}", target.name());
                }
            }
        }
    }
}
