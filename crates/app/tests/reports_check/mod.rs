//! A second, independent computation of the report figures: every trade, line, refund and traffic row
//! of a company is read as it is stored, and the figures are counted in plain Rust (days with
//! chrono-tz, distinct buyers with hash sets). The reports' answers, which come from the summaries and
//! the period queries, are compared with these.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use sqlx::Row as _;
use zhanggui_app::App;
use zhanggui_app::store::Tx;
use zhanggui_app::store::buyer_counts::BuyerDay;
use zhanggui_app::store::summaries::{ShopDay, SkuDay};
use zhanggui_domain::{Money, SalesFigures};

#[derive(Debug, Clone)]
pub struct RawTrade {
    pub id: i64,
    pub shop_id: i64,
    pub created_at: i64,
    pub paid_at: Option<i64>,
    pub shipped_at: Option<i64>,
    pub total_amount: i64,
    pub discount: i64,
    pub amount_paid: i64,
    pub item_count: i64,
    pub customer_id: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct RawLine {
    pub trade_id: i64,
    pub sku_id: Option<i64>,
    pub qty: i64,
    pub amount_paid: i64,
}

#[derive(Debug, Clone)]
pub struct RawRefund {
    pub trade_id: i64,
    /// 1 return and refund, 2 exchange, 0 other.
    pub kind: i64,
    pub success: bool,
    pub amount: i64,
    pub created_at: i64,
    pub finished_at: Option<i64>,
}

/// A sale shipment or a return received into sellable stock, with the trade it belongs to.
#[derive(Debug, Clone)]
pub struct RawCostMove {
    pub trade_id: i64,
    pub sku_id: i64,
    pub qty: i64,
    /// What a unit is worth: the cost it moved at, or the SKU's cost now for a shipment without one.
    pub unit_cost: i64,
    /// A shipment written without a cost (valued at the SKU's cost now).
    pub uncosted: bool,
    pub at: i64,
}

/// Everything of one company as stored.
#[derive(Debug, Clone)]
pub struct Raw {
    /// What the cost of goods shipped is made of.
    pub cost_moves: Vec<RawCostMove>,
    pub tz: Tz,
    pub trades: Vec<RawTrade>,
    pub lines: Vec<RawLine>,
    pub refunds: Vec<RawRefund>,
    /// (shop, day, pv, uv) of shop traffic rows.
    pub traffic: Vec<(i64, String, i64, i64)>,
    pub shops: Vec<i64>,
    /// SKU → (product, product code).
    pub sku_products: BTreeMap<i64, (i64, String)>,
    /// Trade id → its place in `trades`.
    trade_at: std::collections::HashMap<i64, usize>,
}

/// Runs `sql` with the company id as `$1` on either backend and collects `f` of each row.
macro_rules! company_rows {
    ($tx:expr, $sql:expr, $company:expr, |$r:ident| $f:expr) => {
        match $tx {
            Tx::Sqlite(t) => {
                sqlx::query($sql).bind($company).fetch_all(&mut **t).await.unwrap().iter().map(|$r| $f).collect()
            }
            Tx::Postgres(t) => {
                sqlx::query($sql).bind($company).fetch_all(&mut **t).await.unwrap().iter().map(|$r| $f).collect()
            }
        }
    };
}

/// Runs `sql` with the company id as `$1` and reads every column as an optional integer.
pub async fn ints(tx: &mut Tx, sql: &'static str, company_id: i64) -> Vec<Vec<Option<i64>>> {
    match tx {
        Tx::Sqlite(t) => sqlx::query(sql)
            .bind(company_id)
            .fetch_all(&mut **t)
            .await
            .unwrap()
            .iter()
            .map(|r| (0..r.len()).map(|i| r.try_get::<Option<i64>, _>(i).unwrap()).collect())
            .collect(),
        Tx::Postgres(t) => sqlx::query(sql)
            .bind(company_id)
            .fetch_all(&mut **t)
            .await
            .unwrap()
            .iter()
            .map(|r| (0..r.len()).map(|i| r.try_get::<Option<i64>, _>(i).unwrap()).collect())
            .collect(),
    }
}

fn v(row: &[Option<i64>], i: usize) -> i64 {
    row[i].unwrap()
}

/// Reads every row of the company.
pub async fn load(app: &App, company_id: i64, tz: Tz) -> Raw {
    let mut tx = app.db.begin_read().await.unwrap();
    let trades: Vec<RawTrade> = ints(
        &mut tx,
        "SELECT id, shop_id, created_at, paid_at, shipped_at, total_amount, discount, amount_paid, item_count, customer_id \
         FROM trade WHERE company_id = $1",
        company_id,
    )
    .await
    .iter()
    .map(|r| RawTrade {
        id: v(r, 0),
        shop_id: v(r, 1),
        created_at: v(r, 2),
        paid_at: r[3],
        shipped_at: r[4],
        total_amount: v(r, 5),
        discount: v(r, 6),
        amount_paid: v(r, 7),
        item_count: v(r, 8),
        customer_id: r[9],
    })
    .collect();
    let lines =
        ints(&mut tx, "SELECT trade_id, sku_id, qty, amount_paid FROM order_line WHERE company_id = $1", company_id)
            .await
            .iter()
            .map(|r| RawLine { trade_id: v(r, 0), sku_id: r[1], qty: v(r, 2), amount_paid: v(r, 3) })
            .collect();
    let refunds = ints(
        &mut tx,
        "SELECT trade_id, CAST(CASE WHEN kind = 'return_and_refund' THEN 1 WHEN kind = 'exchange' THEN 2 ELSE 0 END AS BIGINT), \
            CAST(CASE WHEN status = 'SUCCESS' AND kind IN ('refund_unshipped', 'refund_shipped', 'return_and_refund') \
                THEN 1 ELSE 0 END AS BIGINT), amount, created_at, finished_at FROM refund WHERE company_id = $1",
        company_id,
    )
    .await
    .iter()
    .map(|r| RawRefund {
        trade_id: v(r, 0),
        kind: v(r, 1),
        success: v(r, 2) == 1,
        amount: v(r, 3),
        created_at: v(r, 4),
        finished_at: r[5],
    })
    .collect();
    let refund_trade: BTreeMap<i64, i64> =
        ints(&mut tx, "SELECT id, trade_id FROM refund WHERE company_id = $1", company_id)
            .await
            .iter()
            .map(|r| (v(r, 0), v(r, 1)))
            .collect();
    let sellable: BTreeMap<i64, bool> = ints(
        &mut tx,
        "SELECT id, CAST(CASE WHEN sellable THEN 1 ELSE 0 END AS BIGINT) FROM warehouse WHERE company_id = $1",
        company_id,
    )
    .await
    .iter()
    .map(|r| (v(r, 0), v(r, 1) == 1))
    .collect();
    let sku_cost: BTreeMap<i64, i64> = ints(&mut tx, "SELECT id, cost FROM sku WHERE company_id = $1", company_id)
        .await
        .iter()
        .map(|r| (v(r, 0), v(r, 1)))
        .collect();
    let cost_moves = ints(
        &mut tx,
        "SELECT CAST(CASE kind WHEN 'sale_shipment' THEN 1 WHEN 'return_receipt' THEN 2 ELSE 0 END AS BIGINT), \
            CAST(CASE ref_type WHEN 'trade' THEN 1 WHEN 'refund' THEN 2 ELSE 0 END AS BIGINT), ref_id, warehouse_id, \
            qty, unit_cost, created_at, sku_id FROM stock_move WHERE company_id = $1",
        company_id,
    )
    .await
    .iter()
    .filter_map(|r| {
        let trade_id = match (v(r, 1), r[2]) {
            (1, Some(id)) => id,
            (2, Some(id)) => *refund_trade.get(&id)?,
            _ => return None,
        };
        let counted = match v(r, 0) {
            1 => true,
            2 => sellable.get(&v(r, 3)).copied().unwrap_or(false),
            _ => false,
        };
        // A shipment written without its cost counts at the SKU's cost now.
        let uncosted = v(r, 0) == 1 && v(r, 5) == 0;
        let unit_cost = if uncosted { sku_cost.get(&v(r, 7)).copied().unwrap_or(0) } else { v(r, 5) };
        counted.then(|| RawCostMove { trade_id, sku_id: v(r, 7), qty: v(r, 4), unit_cost, uncosted, at: v(r, 6) })
    })
    .collect();
    let shops =
        ints(&mut tx, "SELECT id FROM shop WHERE company_id = $1", company_id).await.iter().map(|r| v(r, 0)).collect();
    let traffic = company_rows!(
        &mut tx,
        "SELECT shop_id, day, pv, uv FROM traffic_daily WHERE company_id = $1 AND item_id = ''",
        company_id,
        |r| (r.get(0), r.get(1), r.get(2), r.get(3))
    );
    let sku_products = company_rows!(
        &mut tx,
        "SELECT s.id, p.id, p.outer_id FROM sku s JOIN product p ON p.id = s.product_id WHERE s.company_id = $1",
        company_id,
        |r| (r.get(0), (r.get(1), r.get(2)))
    );
    tx.commit().await.unwrap();
    let trade_at = trades.iter().enumerate().map(|(i, t)| (t.id, i)).collect();
    Raw { cost_moves, tz, trades, lines, refunds, traffic, shops, sku_products, trade_at }
}

impl Raw {
    pub fn day(&self, ts: i64) -> NaiveDate {
        DateTime::<Utc>::from_timestamp(ts, 0).unwrap().with_timezone(&self.tz).date_naive()
    }

    fn day_text(&self, ts: i64) -> String {
        self.day(ts).format("%Y-%m-%d").to_string()
    }

    fn trade(&self, id: i64) -> &RawTrade {
        &self.trades[self.trade_at[&id]]
    }

    /// Every (shop, day) counter, counted trade by trade.
    pub fn shop_days(&self) -> BTreeMap<(i64, String), ShopDay> {
        let mut m: BTreeMap<(i64, String), ShopDay> = BTreeMap::new();
        for t in &self.trades {
            let e = m.entry((t.shop_id, self.day_text(t.created_at))).or_default();
            e.orders_created += 1;
            e.amount_created += t.total_amount - t.discount;
            if let Some(p) = t.paid_at {
                let e = m.entry((t.shop_id, self.day_text(p))).or_default();
                e.orders_paid += 1;
                e.amount_paid += t.amount_paid;
                e.units_paid += t.item_count;
            }
            if let Some(s) = t.shipped_at {
                m.entry((t.shop_id, self.day_text(s))).or_default().trades_shipped += 1;
            }
        }
        let mut first_return: BTreeMap<i64, i64> = BTreeMap::new();
        for r in &self.refunds {
            let shop = self.trade(r.trade_id).shop_id;
            if r.success
                && let Some(f) = r.finished_at
            {
                let e = m.entry((shop, self.day_text(f))).or_default();
                e.refunds += 1;
                e.refund_amount += r.amount;
            }
            if r.kind > 0 {
                let e = m.entry((shop, self.day_text(r.created_at))).or_default();
                e.return_requests += i64::from(r.kind == 1);
                e.exchange_requests += i64::from(r.kind == 2);
                let f = first_return.entry(r.trade_id).or_insert(r.created_at);
                *f = (*f).min(r.created_at);
            }
        }
        for (trade, at) in first_return {
            let shop = self.trade(trade).shop_id;
            m.entry((shop, self.day_text(at))).or_default().trades_returned_or_exchanged += 1;
        }
        for c in self.cost_moves.iter().filter(|c| !c.uncosted) {
            let shop = self.trade(c.trade_id).shop_id;
            m.entry((shop, self.day_text(c.at))).or_default().cost_shipped += -c.qty * c.unit_cost;
        }
        m.retain(|_, f| !f.is_zero());
        m
    }

    /// Units shipped without a cost per (shop, day, SKU), move by move.
    pub fn uncosted_days(&self) -> BTreeMap<(i64, String, i64), i64> {
        let mut m: BTreeMap<(i64, String, i64), i64> = BTreeMap::new();
        for c in self.cost_moves.iter().filter(|c| c.uncosted) {
            let shop = self.trade(c.trade_id).shop_id;
            *m.entry((shop, self.day_text(c.at), c.sku_id)).or_default() += -c.qty;
        }
        m.retain(|_, u| *u != 0);
        m
    }

    /// Every (shop, day, SKU) counter, counted line by line.
    pub fn sku_days(&self) -> BTreeMap<(i64, String, i64), SkuDay> {
        let mut m: BTreeMap<(i64, String, i64), SkuDay> = BTreeMap::new();
        for l in &self.lines {
            let t = self.trade(l.trade_id);
            let (Some(p), Some(sku)) = (t.paid_at, l.sku_id) else { continue };
            let e = m.entry((t.shop_id, self.day_text(p), sku)).or_default();
            e.units_paid += l.qty;
            e.amount_paid += l.amount_paid;
            e.lines_paid += 1;
        }
        m.retain(|_, f| !f.is_zero());
        m
    }

    /// Every buyer counter (scope 0 for the company), counted by brute force: for each scope, day
    /// and time, the distinct buyers of that day, those without an earlier day in the same week
    /// (from Monday) or month, and the trades without a buyer.
    pub fn buyer_days(&self) -> BTreeMap<(i64, String), BuyerDay> {
        use chrono::Datelike as _;
        let mut m: BTreeMap<(i64, String), BuyerDay> = BTreeMap::new();
        let mut scopes = self.shops.clone();
        scopes.push(0);
        for scope in scopes {
            let mine: Vec<&RawTrade> = self.trades.iter().filter(|t| scope == 0 || t.shop_id == scope).collect();
            for paid in [false, true] {
                // (customer or none, day) of each trade of this time.
                let times: Vec<(Option<i64>, NaiveDate)> = mine
                    .iter()
                    .filter_map(|t| {
                        let at = if paid { t.paid_at } else { Some(t.created_at) };
                        at.map(|at| (t.customer_id, self.day(at)))
                    })
                    .collect();
                let days: HashSet<NaiveDate> = times.iter().map(|(_, d)| *d).collect();
                for d in days {
                    let monday = d - chrono::Duration::days(i64::from(d.weekday().num_days_from_monday()));
                    let first = d.with_day(1).unwrap();
                    let that_day: HashSet<i64> =
                        times.iter().filter(|(_, x)| *x == d).filter_map(|(c, _)| *c).collect();
                    let earlier = |since: NaiveDate| -> HashSet<i64> {
                        times.iter().filter(|(_, x)| *x >= since && *x < d).filter_map(|(c, _)| *c).collect()
                    };
                    let (week, month) = (earlier(monday), earlier(first));
                    let without = times.iter().filter(|(c, x)| *x == d && c.is_none()).count() as i64;
                    let cells = [
                        that_day.len() as i64,
                        that_day.difference(&week).count() as i64,
                        that_day.difference(&month).count() as i64,
                        without,
                    ];
                    let e = m.entry((scope, d.format("%Y-%m-%d").to_string())).or_default();
                    if paid {
                        [
                            e.paying_buyers,
                            e.paying_buyers_new_in_week,
                            e.paying_buyers_new_in_month,
                            e.paid_without_buyer,
                        ] = cells;
                    } else {
                        [
                            e.buyers_created,
                            e.buyers_created_new_in_week,
                            e.buyers_created_new_in_month,
                            e.created_without_buyer,
                        ] = cells;
                    }
                }
            }
        }
        m
    }

    /// The period's figures for one shop (or all: `None`) over days `from ..= to`, as SalesFigures.
    pub fn figures(&self, shop: Option<i64>, from: NaiveDate, to: NaiveDate) -> SalesFigures {
        let in_scope = |s: i64| shop.is_none_or(|x| x == s);
        let in_days = |ts: i64| {
            let d = self.day(ts);
            d >= from && d <= to
        };
        let mut f = SalesFigures::default();
        let mut created_buyers = HashSet::new();
        let mut paying_buyers = HashSet::new();
        let (mut created_unknown, mut paid_unknown) = (false, false);
        for t in self.trades.iter().filter(|t| in_scope(t.shop_id)) {
            if in_days(t.created_at) {
                f.orders_created += 1;
                f.amount_created += Money::from_fen(t.total_amount - t.discount);
                match t.customer_id {
                    Some(c) => {
                        created_buyers.insert(c);
                    }
                    None => created_unknown = true,
                }
            }
            if let Some(p) = t.paid_at.filter(|p| in_days(*p)) {
                let _ = p;
                f.orders_paid += 1;
                f.amount_paid += Money::from_fen(t.amount_paid);
                f.units_paid += t.item_count;
                match t.customer_id {
                    Some(c) => {
                        paying_buyers.insert(c);
                    }
                    None => paid_unknown = true,
                }
            }
            if t.shipped_at.is_some_and(in_days) {
                f.trades_shipped += 1;
            }
        }
        let shop_of: std::collections::HashMap<i64, i64> = self.trades.iter().map(|t| (t.id, t.shop_id)).collect();
        for m in
            self.cost_moves.iter().filter(|m| in_days(m.at) && shop_of.get(&m.trade_id).is_some_and(|s| in_scope(*s)))
        {
            f.cost_of_goods_shipped += Money::from_fen(-m.qty * m.unit_cost);
        }
        let mut first_return: BTreeMap<i64, i64> = BTreeMap::new();
        for r in &self.refunds {
            if !in_scope(self.trade(r.trade_id).shop_id) {
                continue;
            }
            if r.success && r.finished_at.is_some_and(in_days) {
                f.refunds += 1;
                f.refund_amount += Money::from_fen(r.amount);
            }
            if r.kind > 0 {
                let e = first_return.entry(r.trade_id).or_insert(r.created_at);
                *e = (*e).min(r.created_at);
            }
        }
        f.trades_returned_or_exchanged = first_return.values().filter(|at| in_days(**at)).count() as i64;
        f.buyers_created = (!created_unknown).then_some(created_buyers.len() as i64);
        f.paying_buyers = (!paid_unknown).then_some(paying_buyers.len() as i64);
        // Traffic: pv known when every shop-day has a row; uv only for one shop and one day.
        let shops: Vec<i64> = self.shops.iter().copied().filter(|s| in_scope(*s)).collect();
        let mut rows = 0i64;
        let (mut pv, mut uv) = (0i64, 0i64);
        for (s, d, p, u) in &self.traffic {
            let d = NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap();
            if shops.contains(s) && d >= from && d <= to {
                rows += 1;
                pv += p;
                uv += u;
            }
        }
        let days = (to - from).num_days() + 1;
        let complete = rows == days * shops.len() as i64;
        f.pv = complete.then_some(pv);
        f.uv = (complete && days == 1 && shops.len() == 1).then_some(uv);
        f
    }

    /// Units and amount paid per SKU over days `from ..= to` (all shops or one).
    pub fn sku_sales(&self, shop: Option<i64>, from: NaiveDate, to: NaiveDate) -> BTreeMap<i64, (i64, i64)> {
        let mut m = BTreeMap::new();
        for l in &self.lines {
            let t = self.trade(l.trade_id);
            if shop.is_some_and(|s| s != t.shop_id) {
                continue;
            }
            let (Some(p), Some(sku)) = (t.paid_at, l.sku_id) else { continue };
            let d = self.day(p);
            if d >= from && d <= to {
                let e = m.entry(sku).or_insert((0, 0));
                e.0 += l.qty;
                e.1 += l.amount_paid;
            }
        }
        m
    }

    /// The top `n` products (款) by amount paid over days `from ..= to`, then by units, then by product
    /// id, of those with units paid: (product code, units, amount).
    pub fn top_products(&self, shop: Option<i64>, from: NaiveDate, to: NaiveDate, n: usize) -> Vec<(String, i64, i64)> {
        let mut per: BTreeMap<(i64, String), (i64, i64)> = BTreeMap::new();
        for (sku, (units, amount)) in self.sku_sales(shop, from, to) {
            let product = self.sku_products[&sku].clone();
            let e = per.entry(product).or_insert((0, 0));
            e.0 += units;
            e.1 += amount;
        }
        let mut ranked: Vec<((i64, String), (i64, i64))> = per.into_iter().filter(|(_, v)| v.0 > 0).collect();
        ranked.sort_by(|a, b| b.1.1.cmp(&a.1.1).then(b.1.0.cmp(&a.1.0)).then(a.0.0.cmp(&b.0.0)));
        ranked.into_iter().take(n).map(|((_, code), (u, a))| (code, u, a)).collect()
    }

    /// Paid trades per customer over days `from ..= to` (all shops or one).
    pub fn paid_per_customer(&self, shop: Option<i64>, from: NaiveDate, to: NaiveDate) -> BTreeMap<i64, i64> {
        let mut m = BTreeMap::new();
        for t in &self.trades {
            if shop.is_some_and(|s| s != t.shop_id) {
                continue;
            }
            if let (Some(p), Some(c)) = (t.paid_at, t.customer_id) {
                let d = self.day(p);
                if d >= from && d <= to {
                    *m.entry(c).or_insert(0) += 1;
                }
            }
        }
        m
    }
}

/// The summaries as stored, zero rows left out.
pub async fn stored(
    app: &App,
    company_id: i64,
) -> (BTreeMap<(i64, String), ShopDay>, BTreeMap<(i64, String, i64), SkuDay>) {
    let mut tx = app.db.begin_read().await.unwrap();
    let shops = tx.all_shop_days(company_id).await.unwrap();
    let skus = tx.all_sku_days(company_id).await.unwrap();
    tx.commit().await.unwrap();
    (
        shops.into_iter().filter(|r| !r.2.is_zero()).map(|(s, d, f)| ((s, d), f)).collect(),
        skus.into_iter().filter(|r| !r.3.is_zero()).map(|(s, d, k, f)| ((s, d, k), f)).collect(),
    )
}

/// The summaries kept by the write paths equal the ones counted from the raw rows, and equal what
/// `rebuild_summaries` writes (the rebuild is rolled back).
pub async fn assert_summaries_exact(app: &App, company_id: i64, tz: Tz) {
    let raw = load(app, company_id, tz).await;
    let (shops, skus) = stored(app, company_id).await;
    let want_shops = raw.shop_days();
    let want_skus = raw.sku_days();
    for (k, w) in &want_shops {
        assert_eq!(shops.get(k), Some(w), "shop day {k:?}");
    }
    assert_eq!(shops.len(), want_shops.len(), "no other shop days");
    assert_eq!(skus, want_skus, "SKU days");
    let uncosted = |rows: Vec<(i64, String, i64, i64)>| -> BTreeMap<(i64, String, i64), i64> {
        rows.into_iter().filter(|r| r.3 != 0).map(|(s, d, k, u)| ((s, d, k), u)).collect()
    };
    let want_uncosted = raw.uncosted_days();
    let mut tx = app.db.begin().await.unwrap();
    let kept_uncosted = uncosted(tx.all_uncosted_shipments(company_id).await.unwrap());
    assert_eq!(kept_uncosted, want_uncosted, "units shipped without a cost");
    tx.rebuild_summaries(company_id).await.unwrap();
    let rebuilt_shops = tx.all_shop_days(company_id).await.unwrap();
    let rebuilt_skus = tx.all_sku_days(company_id).await.unwrap();
    let rebuilt_uncosted = uncosted(tx.all_uncosted_shipments(company_id).await.unwrap());
    tx.rollback().await.unwrap();
    assert_eq!(rebuilt_uncosted, want_uncosted, "rebuilt units shipped without a cost");
    let rebuilt_shops: BTreeMap<(i64, String), ShopDay> =
        rebuilt_shops.into_iter().filter(|r| !r.2.is_zero()).map(|(s, d, f)| ((s, d), f)).collect();
    let rebuilt_skus: BTreeMap<(i64, String, i64), SkuDay> =
        rebuilt_skus.into_iter().filter(|r| !r.3.is_zero()).map(|(s, d, k, f)| ((s, d, k), f)).collect();
    assert_eq!(rebuilt_shops, want_shops, "rebuilt shop days");
    assert_eq!(rebuilt_skus, want_skus, "rebuilt SKU days");
    assert_buyer_counts_exact(app, company_id, &raw).await;
}

/// The buyer counters kept by the write paths equal the ones counted by brute force, and equal what
/// a rebuild writes (the rebuild is rolled back).
pub async fn assert_buyer_counts_exact(app: &App, company_id: i64, raw: &Raw) {
    let want = raw.buyer_days();
    let as_map = |rows: Vec<(i64, String, BuyerDay)>| -> BTreeMap<(i64, String), BuyerDay> {
        rows.into_iter().map(|(s, d, c)| ((s, d), c)).collect()
    };
    let mut tx = app.db.begin().await.unwrap();
    let kept = as_map(tx.all_buyer_days(company_id).await.unwrap());
    tx.rebuild_buyer_counts(company_id, raw.tz).await.unwrap();
    let rebuilt = as_map(tx.all_buyer_days(company_id).await.unwrap());
    tx.rollback().await.unwrap();
    for (k, w) in &want {
        assert_eq!(kept.get(k), Some(w), "buyer counters of {k:?}");
    }
    assert_eq!(kept.len(), want.len(), "no other buyer counter rows");
    assert_eq!(rebuilt, want, "rebuilt buyer counters");
}

/// A local time in Asia/Shanghai.
pub fn local(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    use chrono::TimeZone as _;
    chrono_tz::Asia::Shanghai.with_ymd_and_hms(y, m, d, h, min, 0).single().unwrap().with_timezone(&Utc)
}

/// The edge cases of the reports, written through every path that keeps the summaries: a trade
/// created before and paid after midnight in Shanghai, a trade shipped in two parts on two days, a
/// refund that succeeds in the month after its trade, return and exchange requests, an unpaid trade
/// closed, a buyer in both shops, a trade without a buyer id, a merchant code mapped afterwards, an
/// export changing a paid trade's amounts, history written one by one and in bulk, and traffic for
/// one shop on one day only. Returns the fixture.
pub async fn edge_cases(app: &App) -> crate::common::Fixture {
    use crate::common::*;
    use zhanggui_app::store::trade_write::{CustomerKey, TradeHistory};
    use zhanggui_app::store::traffic::TrafficRow;
    use zhanggui_app::store::{NewLine, NewRefund, NewTrade};
    use zhanggui_app::trading::ShipInput;
    use zhanggui_domain::{RefundKind, RefundStatus, TradeStatus};

    let fx = build_shop(app).await;
    let a = &fx.actor;
    let ship = |lines: Option<Vec<i64>>| ShipInput {
        carrier: "中通快递".into(),
        tracking_no: "7812345".into(),
        line_ids: lines,
    };
    // T1: created 23:50 on 30 June, paid 00:10 on 1 July (Shanghai), shipped that morning.
    let mut t1 = fx.trade(fx.taobao, "T1", "xiaomei", &[(TEE_BLACK_M, 2)]);
    t1.created_at = local(2024, 6, 30, 23, 50);
    t1.postage = yuan("8.00");
    t1.discount = yuan("5.00");
    let t1 = app.create_trade(a, &t1).await.unwrap();
    app.pay_trade(a, t1, local(2024, 7, 1, 0, 10)).await.unwrap();
    app.ship_trade(a, t1, &ship(None), local(2024, 7, 1, 10, 0)).await.unwrap();
    // T2: the same buyer in the Tmall shop; two lines shipped on two days.
    let mut t2 = fx.trade(fx.tmall, "T2", "xiaomei", &[(TEE_WHITE_L, 1), (JEANS_BLUE_27, 1)]);
    t2.created_at = local(2024, 6, 30, 12, 0);
    let t2 = app.create_trade(a, &t2).await.unwrap();
    app.pay_trade(a, t2, local(2024, 6, 30, 12, 5)).await.unwrap();
    let lines = app.trade_detail(a, t2).await.unwrap().lines;
    app.ship_trade(a, t2, &ship(Some(vec![lines[0].id])), local(2024, 6, 30, 15, 0)).await.unwrap();
    app.ship_trade(a, t2, &ship(Some(vec![lines[1].id])), local(2024, 7, 1, 9, 0)).await.unwrap();
    // T3: paid and shipped on 29 June; a return asked on 30 June succeeds on 2 July; an exchange
    // asked on 3 July is still open.
    let mut t3 = fx.trade(fx.taobao, "T3", "aqiang", &[(JEANS_BLUE_27, 1)]);
    t3.created_at = local(2024, 6, 29, 9, 0);
    let t3 = app.create_trade(a, &t3).await.unwrap();
    app.pay_trade(a, t3, local(2024, 6, 29, 9, 1)).await.unwrap();
    app.ship_trade(a, t3, &ship(None), local(2024, 6, 29, 18, 0)).await.unwrap();
    let line3 = app.trade_detail(a, t3).await.unwrap().lines[0].clone();
    let refund = |no: &str, kind, status, created, finished| NewRefund {
        company_id: fx.company_id,
        trade_id: t3,
        order_line_id: Some(line3.id),
        refund_no: no.into(),
        kind,
        status,
        reason: "尺码不合适".into(),
        amount: line3.amount_paid,
        created_at: created,
        deadline_at: Some(created + chrono::Duration::days(2)),
        finished_at: finished,
    };
    {
        let mut tx = app.db.begin().await.unwrap();
        let r = refund(
            "R1",
            RefundKind::ReturnAndRefund,
            RefundStatus::Success,
            local(2024, 6, 30, 10, 0),
            Some(local(2024, 7, 2, 11, 0)),
        );
        tx.insert_refund(&r).await.unwrap();
        let r = refund("R2", RefundKind::Exchange, RefundStatus::WaitSellerAgree, local(2024, 7, 3, 10, 0), None);
        tx.insert_refund(&r).await.unwrap();
        tx.commit().await.unwrap();
    }
    // T4: never paid, closed.
    let mut t4 = fx.trade(fx.taobao, "T4", "aqiang", &[(TEE_BLACK_M, 1)]);
    t4.created_at = local(2024, 6, 30, 8, 0);
    let t4 = app.create_trade(a, &t4).await.unwrap();
    app.close_trade(a, t4, "买家未付款", local(2024, 7, 1, 8, 0)).await.unwrap();
    // T5: no buyer id, an unknown merchant code mapped to the cup afterwards.
    let mut t5 = fx.trade(fx.taobao, "T5", "", &[("ZZ-UNKNOWN", 3)]);
    t5.created_at = local(2024, 6, 28, 14, 0);
    let t5 = app.create_trade(a, &t5).await.unwrap();
    app.pay_trade(a, t5, local(2024, 6, 28, 14, 30)).await.unwrap();
    {
        let mut tx = app.db.begin().await.unwrap();
        tx.map_code(fx.company_id, "ZZ-UNKNOWN", fx.sku(CUP_PINK_500).id).await.unwrap();
        tx.commit().await.unwrap();
    }
    // An export raises T1's amounts (the platform's final figures).
    {
        let mut tx = app.db.begin().await.unwrap();
        let t = tx.trade(fx.company_id, t1).await.unwrap().unwrap();
        let mut f = zhanggui_app::store::imports::TradeFields {
            goods_amount: t.goods_amount,
            postage: t.postage,
            discount: t.discount,
            total_amount: t.total_amount + yuan("2.00"),
            amount_paid: t.amount_paid + yuan("2.00"),
            refund_amount: t.refund_amount,
            ..Default::default()
        };
        f.receiver_address = t.receiver_address.clone();
        tx.update_trade_fields(&t, &f, local(2024, 7, 2, 9, 0)).await.unwrap();
        tx.commit().await.unwrap();
    }
    // History: one trade alone (paid after midnight on 1 June, refunded on 2 June), two in bulk.
    let history =
        |tid: &str, shop: i64, created: DateTime<Utc>, paid: Option<DateTime<Utc>>, sku: i64, qty: i64| NewTrade {
            company_id: fx.company_id,
            shop_id: shop,
            tid: tid.into(),
            buyer_nick: "laoke".into(),
            province: "广东省".into(),
            goods_amount: yuan("50.00") * qty,
            total_amount: yuan("50.00") * qty,
            amount_paid: if paid.is_some() { yuan("50.00") * qty } else { Money::ZERO },
            created_at: created,
            paid_at: paid,
            shipped_at: paid.map(|p| p + chrono::Duration::hours(30)),
            lines: vec![NewLine {
                oid: format!("{tid}-1"),
                sku_id: Some(sku),
                qty,
                price: yuan("50.00"),
                amount_paid: yuan("50.00") * qty,
                ..Default::default()
            }],
            ..Default::default()
        };
    let region = zhanggui_domain::Region::default();
    let customer = || Some(CustomerKey { account_system: "taobao", nick: "laoke", region: &region });
    let h1 =
        history("H1", fx.taobao, local(2024, 5, 31, 23, 30), Some(local(2024, 6, 1, 0, 5)), fx.sku(TEE_WHITE_L).id, 1);
    let h1_refund = NewRefund {
        company_id: fx.company_id,
        trade_id: 0,
        order_line_id: None,
        refund_no: "RH1".into(),
        kind: RefundKind::RefundShipped,
        status: RefundStatus::Success,
        reason: "质量问题".into(),
        amount: yuan("20.00"),
        created_at: local(2024, 6, 1, 20, 0),
        deadline_at: None,
        finished_at: Some(local(2024, 6, 2, 9, 0)),
    };
    let h2 =
        history("H2", fx.tmall, local(2024, 6, 10, 10, 0), Some(local(2024, 6, 10, 10, 1)), fx.sku(TEE_BLACK_M).id, 2);
    let h3 = history("H3", fx.tmall, local(2024, 6, 11, 10, 0), None, fx.sku(TEE_BLACK_M).id, 1);
    let h2_exchange = NewRefund {
        refund_no: "RH2".into(),
        kind: RefundKind::Exchange,
        status: RefundStatus::Success,
        amount: Money::ZERO,
        created_at: local(2024, 6, 12, 9, 0),
        finished_at: Some(local(2024, 6, 14, 9, 0)),
        ..h1_refund.clone()
    };
    let now = local(2024, 7, 4, 12, 0);
    let item = |t, status, refunds| TradeHistory {
        trade: t,
        status,
        customer: customer(),
        moves: Vec::new(),
        refunds,
        events: Vec::new(),
        user: "test",
        at: now,
        time_zone: chrono_tz::Asia::Shanghai,
    };
    {
        let mut tx = app.db.begin().await.unwrap();
        tx.insert_trade_history(&item(&h1, TradeStatus::TradeFinished, vec![(0, h1_refund.clone())])).await.unwrap();
        tx.insert_trades_bulk(&[
            item(&h2, TradeStatus::TradeFinished, vec![(0, h2_exchange)]),
            item(&h3, TradeStatus::TradeClosedByTaobao, Vec::new()),
        ])
        .await
        .unwrap();
        // Traffic of the Taobao shop on 30 June only.
        tx.upsert_traffic(&TrafficRow {
            company_id: fx.company_id,
            shop_id: fx.taobao,
            day: "2024-06-30".into(),
            pv: 480,
            uv: 120,
            ..Default::default()
        })
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
    fx
}
