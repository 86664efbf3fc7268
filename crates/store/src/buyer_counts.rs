//! Distinct buyers kept as counters per company day (`sales_buyers_daily`), for each shop and for the
//! whole company (shop 0), so that 下单买家数 and 支付买家数 of a day, a week or a month to date are
//! read from a few summary rows, whatever the history.
//!
//! **What a row holds**, for created trades and the same again for paid ones: the buyers with a trade
//! that day; of them, the buyers with no earlier trade in the same week (Monday to Sunday) and in the
//! same month (so the days of a week or of a month to date add up to the distinct buyers of that
//! span); and the trades of that day that name no buyer (when there are any, a distinct count over
//! the period is not the period's buyers).
//!
//! **How they are kept.** Whatever writes a trade's creation time, payment time or buyer lists the
//! times that changed as [`BuyerEdit`]s, after its own writes and in the same transaction, and calls
//! [`Tx::count_buyers`]. That counts the buyers' trades per shop and day in the weeks and months
//! around the changed times (after the change; the database groups them, so a buyer with thousands
//! of trades costs a few rows), derives the days they had before it, and adds the difference of what
//! the two count. A trade written out of order (an export is newest first) moves a buyer's first day of
//! the month back; a later payment adds a paying day. On PostgreSQL the writes that come here have
//! already locked the buyer's customer row, so two writers of one buyer take turns.
//! [`Tx::rebuild_buyer_counts`] recomputes every row from the trades.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::batch::Value;
use crate::bulk::RowInsert;
use crate::reports::TradeTime;
use crate::summaries::day_start;
use crate::{StoreError, Tx, args, from_ts, to_ts};

/// One trade time that changed: the trade's buyer (`None`: the trade names none), its shop, which
/// time, and the time before and after the change (`None`: the trade had or has no such time, or did
/// not exist, or belonged to another buyer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuyerEdit {
    pub customer_id: Option<i64>,
    pub shop_id: i64,
    pub time: TradeTime,
    pub before: Option<DateTime<Utc>>,
    pub after: Option<DateTime<Utc>>,
}

impl BuyerEdit {
    /// The edits of a trade that did not exist before (its creation and, when paid, its payment).
    pub fn new_trade(
        customer_id: Option<i64>,
        shop_id: i64,
        created_at: DateTime<Utc>,
        paid_at: Option<DateTime<Utc>>,
    ) -> Vec<BuyerEdit> {
        let mut v =
            vec![BuyerEdit { customer_id, shop_id, time: TradeTime::Created, before: None, after: Some(created_at) }];
        if paid_at.is_some() {
            v.push(BuyerEdit { customer_id, shop_id, time: TradeTime::Paid, before: None, after: paid_at });
        }
        v
    }
}

/// The counters of one (scope, company day), as stored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BuyerDay {
    pub buyers_created: i64,
    pub buyers_created_new_in_week: i64,
    pub buyers_created_new_in_month: i64,
    pub created_without_buyer: i64,
    pub paying_buyers: i64,
    pub paying_buyers_new_in_week: i64,
    pub paying_buyers_new_in_month: i64,
    pub paid_without_buyer: i64,
}

impl BuyerDay {
    fn values(&self) -> [i64; 8] {
        [
            self.buyers_created,
            self.buyers_created_new_in_week,
            self.buyers_created_new_in_month,
            self.created_without_buyer,
            self.paying_buyers,
            self.paying_buyers_new_in_week,
            self.paying_buyers_new_in_month,
            self.paid_without_buyer,
        ]
    }

    fn is_zero(&self) -> bool {
        self.values().iter().all(|v| *v == 0)
    }

    /// The four counters of one time: (buyers that day, new in week, new in month, without buyer).
    fn of(&mut self, time: TradeTime) -> [&mut i64; 4] {
        match time {
            TradeTime::Created => [
                &mut self.buyers_created,
                &mut self.buyers_created_new_in_week,
                &mut self.buyers_created_new_in_month,
                &mut self.created_without_buyer,
            ],
            TradeTime::Paid => [
                &mut self.paying_buyers,
                &mut self.paying_buyers_new_in_week,
                &mut self.paying_buyers_new_in_month,
                &mut self.paid_without_buyer,
            ],
        }
    }

    /// The (buyers, new in week, new in month, without buyer) counters of one time.
    pub fn get(&self, time: TradeTime) -> [i64; 4] {
        let mut c = *self;
        c.of(time).map(|v| *v)
    }
}

/// Counter changes per (scope, day); scope is a shop id or 0 for the company.
pub type BuyerDelta = BTreeMap<(i64, NaiveDate), BuyerDay>;

/// The Monday of a day's week.
pub fn week_start(d: NaiveDate) -> NaiveDate {
    d - Duration::days(i64::from(d.weekday().num_days_from_monday()))
}

/// The first day of a day's month.
fn first_of_month(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

/// The first day of the next month.
fn next_month(d: NaiveDate) -> NaiveDate {
    let f = first_of_month(d);
    let (y, m) = if f.month() == 12 { (f.year() + 1, 1) } else { (f.year(), f.month() + 1) };
    NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(f + Duration::days(31))
}

/// Adds `sign` times what one buyer's days of one time count: for each scope (every shop the buyer
/// has a day in, and the company), a buyer on each of their days, and a new buyer on their first day
/// of each week and of each month.
pub fn add_buyer_days(days: &[(i64, NaiveDate)], time: TradeTime, sign: i64, out: &mut BuyerDelta) {
    let mut scopes: Vec<i64> = days.iter().map(|(s, _)| *s).collect();
    scopes.push(0);
    scopes.sort_unstable();
    scopes.dedup();
    for scope in scopes {
        let mut mine: Vec<NaiveDate> =
            days.iter().filter(|(s, _)| scope == 0 || *s == scope).map(|(_, d)| *d).collect();
        mine.sort_unstable();
        mine.dedup();
        let mut week: Option<NaiveDate> = None;
        let mut month: Option<NaiveDate> = None;
        for d in mine {
            let cells = out.entry((scope, d)).or_default();
            let [day, new_in_week, new_in_month, _] = cells.of(time);
            *day += sign;
            if week != Some(week_start(d)) {
                week = Some(week_start(d));
                *new_in_week += sign;
            }
            if month != Some(first_of_month(d)) {
                month = Some(first_of_month(d));
                *new_in_month += sign;
            }
        }
    }
}

/// The span `[from, to)` of instants whose weeks and months a change at `t` can alter.
fn reach(t: DateTime<Utc>, tz: Tz) -> (i64, i64) {
    let d = t.with_timezone(&tz).date_naive();
    let from = week_start(d).min(first_of_month(d));
    let to = (week_start(d) + Duration::days(7)).max(next_month(d));
    (to_ts(day_start(from, tz)), to_ts(day_start(to, tz)))
}

const COLUMNS: &str = "company_id, shop_id, day, buyers_created, buyers_created_new_in_week, \
    buyers_created_new_in_month, created_without_buyer, paying_buyers, paying_buyers_new_in_week, \
    paying_buyers_new_in_month, paid_without_buyer";

const ADD: &str = "ON CONFLICT (company_id, shop_id, day) DO UPDATE SET \
    buyers_created = sales_buyers_daily.buyers_created + excluded.buyers_created, \
    buyers_created_new_in_week = sales_buyers_daily.buyers_created_new_in_week + excluded.buyers_created_new_in_week, \
    buyers_created_new_in_month = sales_buyers_daily.buyers_created_new_in_month + excluded.buyers_created_new_in_month, \
    created_without_buyer = sales_buyers_daily.created_without_buyer + excluded.created_without_buyer, \
    paying_buyers = sales_buyers_daily.paying_buyers + excluded.paying_buyers, \
    paying_buyers_new_in_week = sales_buyers_daily.paying_buyers_new_in_week + excluded.paying_buyers_new_in_week, \
    paying_buyers_new_in_month = sales_buyers_daily.paying_buyers_new_in_month + excluded.paying_buyers_new_in_month, \
    paid_without_buyer = sales_buyers_daily.paid_without_buyer + excluded.paid_without_buyer";

/// A buyer's time of one kind to recount: the span of instants to read and the edits in it.
type Recount<'a> = ((i64, i64), Vec<&'a BuyerEdit>);

/// The (shop, day) of a buyer's trades: created, paid.
type ShopDays = (Vec<(i64, NaiveDate)>, Vec<(i64, NaiveDate)>);

/// Customers whose trades are read in one statement.
const CHUNK: usize = 400;

/// A buyer whose trades are read, and the span `[lo, hi)` to read.
type Wanted = (i64, (i64, i64));

/// A buyer's trades by (shop, day): how many.
type TradeDays = BTreeMap<(i64, NaiveDate), i64>;

/// The offset from UTC, in seconds, that `tz` keeps through `[lo, hi)` (UTC seconds), or `None`
/// when it changes there, the span is too long to check, or local time there is before 1970 (the
/// database's integer division would then round the day the wrong way). Offsets are looked at
/// every six hours: no zone changes its offset and back within that.
fn fixed_offset(tz: Tz, lo: i64, hi: i64) -> Option<i64> {
    use chrono::Offset as _;
    const STEP: i64 = 6 * 3600;
    const LONGEST: i64 = 400 * 86_400;
    if hi <= lo || hi - lo > LONGEST {
        return None;
    }
    let offset = |t: i64| i64::from(from_ts(t).with_timezone(&tz).offset().fix().local_minus_utc());
    let first = offset(lo);
    if lo + first < 0 {
        return None;
    }
    let mut t = lo;
    while t < hi {
        if offset(t) != first {
            return None;
        }
        t += STEP;
    }
    (offset(hi - 1) == first).then_some(first)
}

/// The day `n` days after 1970-01-01.
fn epoch_day(n: i64) -> Result<NaiveDate, StoreError> {
    i32::try_from(n)
        .ok()
        .and_then(|n| n.checked_add(719_163))
        .and_then(NaiveDate::from_num_days_from_ce_opt)
        .ok_or_else(|| StoreError::Corrupt(format!("buyer counters: day {n} out of range")))
}

impl Tx {
    /// Brings the buyer counters up to date with changes already written in this transaction (see
    /// the module's doc).
    pub async fn count_buyers(&mut self, company_id: i64, tz: Tz, edits: &[BuyerEdit]) -> Result<(), StoreError> {
        self.count_buyers_with(company_id, tz, edits, &HashSet::new()).await
    }

    /// [`Tx::count_buyers`] where the buyers in `fresh` had no trade before these edits: all their
    /// trades are the edits' own, so they are not read back.
    pub async fn count_buyers_with(
        &mut self,
        company_id: i64,
        tz: Tz,
        edits: &[BuyerEdit],
        fresh: &HashSet<i64>,
    ) -> Result<(), StoreError> {
        let mut delta = BuyerDelta::new();
        // Per (buyer, time): the span to read and the edits.
        let mut buyers: BTreeMap<(i64, TradeTime), Recount<'_>> = BTreeMap::new();
        for e in edits {
            let Some(customer_id) = e.customer_id else {
                // A trade without a buyer only counts as such, on its day, in its shop and the company.
                for (t, sign) in [(e.before, -1), (e.after, 1)] {
                    if let Some(t) = t {
                        let d = t.with_timezone(&tz).date_naive();
                        for scope in [e.shop_id, 0] {
                            *delta.entry((scope, d)).or_default().of(e.time)[3] += sign;
                        }
                    }
                }
                continue;
            };
            for t in [e.before, e.after].into_iter().flatten() {
                let (from, to) = reach(t, tz);
                let (span, mine) = buyers.entry((customer_id, e.time)).or_insert(((from, to), Vec::new()));
                span.0 = span.0.min(from);
                span.1 = span.1.max(to);
                if mine.last().is_none_or(|last| !std::ptr::eq(*last, e)) {
                    mine.push(e);
                }
            }
        }
        let day = |at: DateTime<Utc>| at.with_timezone(&tz).date_naive();
        for time in [TradeTime::Created, TradeTime::Paid] {
            let wanted: Vec<Wanted> = buyers
                .iter()
                .filter(|((c, t), _)| *t == time && !fresh.contains(c))
                .map(|((c, _), (span, _))| (*c, *span))
                .collect();
            // Per buyer, their trades now (after the edits) by (shop, day).
            let mut after: HashMap<i64, TradeDays> = HashMap::new();
            for ((c, _), (_, mine)) in buyers.iter().filter(|((c, t), _)| *t == time && fresh.contains(c)) {
                let now = after.entry(*c).or_default();
                for e in mine {
                    if let Some(at) = e.after {
                        *now.entry((e.shop_id, day(at))).or_default() += 1;
                    }
                }
            }
            // Buyers whose spans keep one offset from UTC are grouped into days by the database,
            // per offset; the others by instant. Spans repeat (the weeks and months around the same
            // days), so each is looked at once.
            let mut offsets: HashMap<(i64, i64), Option<i64>> = HashMap::new();
            let mut by_offset: BTreeMap<Option<i64>, Vec<Wanted>> = BTreeMap::new();
            for (c, span) in wanted {
                let offset = *offsets.entry(span).or_insert_with(|| fixed_offset(tz, span.0, span.1));
                by_offset.entry(offset).or_default().push((c, span));
            }
            for (offset, wanted) in &by_offset {
                for chunk in wanted.chunks(CHUNK) {
                    for (customer_id, shop_id, d, n) in self.buyer_trade_days(time, tz, *offset, chunk).await? {
                        *after.entry(customer_id).or_default().entry((shop_id, d)).or_default() += n;
                    }
                }
            }
            for ((customer_id, _), (_, mine)) in buyers.iter().filter(|((_, t), _)| *t == time) {
                let now = after.remove(customer_id).unwrap_or_default();
                let mut was = now.clone();
                for e in mine {
                    if let Some(t) = e.after {
                        let key = (e.shop_id, day(t));
                        match was.get_mut(&key) {
                            Some(n) if *n > 1 => *n -= 1,
                            Some(_) => {
                                was.remove(&key);
                            }
                            None => {
                                return Err(StoreError::Corrupt(format!(
                                    "buyer counters: customer {customer_id} has no trade at {t} in shop {}",
                                    e.shop_id
                                )));
                            }
                        }
                    }
                    if let Some(t) = e.before {
                        *was.entry((e.shop_id, day(t))).or_default() += 1;
                    }
                }
                let days = |v: &TradeDays| -> Vec<(i64, NaiveDate)> { v.keys().copied().collect() };
                add_buyer_days(&days(&now), time, 1, &mut delta);
                add_buyer_days(&days(&was), time, -1, &mut delta);
            }
        }
        self.add_buyer_delta(company_id, &delta).await
    }

    /// The given buyers' trades within their spans, counted by day of one kind of time:
    /// (customer, shop, day in `tz`, trades). With `offset`, the offset from UTC that `tz` keeps over
    /// every span (see [`fixed_offset`]), the database groups the trades into days; without, it
    /// groups them by instant, and the instants are turned into days here.
    async fn buyer_trade_days(
        &mut self,
        time: TradeTime,
        tz: Tz,
        offset: Option<i64>,
        wanted: &[Wanted],
    ) -> Result<Vec<(i64, i64, NaiveDate, i64)>, StoreError> {
        use sqlx::Row as _;
        if wanted.is_empty() {
            return Ok(Vec::new());
        }
        let column = match time {
            TradeTime::Created => "created_at",
            TradeTime::Paid => "paid_at",
        };
        let key = match offset {
            Some(off) => format!("(t.{column} + {off}) / 86400"),
            None => format!("t.{column}"),
        };
        let rows: Vec<String> =
            (0..wanted.len()).map(|i| format!("(${}, ${}, ${})", 3 * i + 1, 3 * i + 2, 3 * i + 3)).collect();
        let sql = format!(
            "WITH w (cid, lo, hi) AS (VALUES {}) \
             SELECT t.customer_id, t.shop_id, {key}, COUNT(*) FROM w \
             JOIN trade t ON t.customer_id = w.cid AND t.{column} >= w.lo AND t.{column} < w.hi \
             GROUP BY t.customer_id, t.shop_id, {key}",
            rows.join(", ")
        );
        let mut a: Vec<Value> = Vec::with_capacity(wanted.len() * 3);
        for (c, (lo, hi)) in wanted {
            a.extend(args![*c, *lo, *hi]);
        }
        // Only a full chunk's text is kept prepared: one cached statement per length would pile up.
        let keep = wanted.len() == CHUNK;
        let mut grouped: Vec<(i64, i64, i64, i64)> = Vec::new();
        match self {
            Tx::Sqlite(t) => {
                let refs: Vec<&Value> = a.iter().collect();
                let (sql, args) = crate::batch::positional(&sql, &refs);
                for r in crate::bind_values!(sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(keep), args)
                    .fetch_all(&mut **t)
                    .await?
                {
                    grouped.push((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?));
                }
            }
            Tx::Postgres(t) => {
                for r in crate::bind_values!(sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(keep), a.iter())
                    .fetch_all(&mut **t)
                    .await?
                {
                    grouped.push((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?));
                }
            }
        }
        let mut out = Vec::with_capacity(grouped.len());
        for (customer_id, shop_id, key, n) in grouped {
            let d = match offset {
                Some(_) => epoch_day(key)?,
                None => from_ts(key).with_timezone(&tz).date_naive(),
            };
            out.push((customer_id, shop_id, d, n));
        }
        Ok(out)
    }

    /// Adds counter changes with multi-row upserts.
    pub async fn add_buyer_delta(&mut self, company_id: i64, delta: &BuyerDelta) -> Result<(), StoreError> {
        let rows: Vec<Vec<Value>> = delta
            .iter()
            .filter(|(_, c)| !c.is_zero())
            .map(|((scope, day), c)| {
                let mut v = args![company_id, *scope, day.format("%Y-%m-%d").to_string()];
                v.extend(c.values().into_iter().map(Value::from));
                v
            })
            .collect();
        let head = format!("INSERT INTO sales_buyers_daily ({COLUMNS}) VALUES");
        self.insert_rows(
            &RowInsert { head: &head, row: "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)", width: 11, tail: ADD },
            &rows,
        )
        .await?;
        Ok(())
    }

    /// The buyer edits of trades just written (by id), read back from their rows.
    pub async fn count_buyers_of_new_trades(
        &mut self,
        company_id: i64,
        tz: Tz,
        trade_ids: &[i64],
    ) -> Result<(), StoreError> {
        let mut edits = Vec::new();
        for id in trade_ids {
            let row = fetch_optional!(
                &mut *self,
                "SELECT customer_id, shop_id, created_at, paid_at FROM trade WHERE id = $1",
                [*id],
                |r| Ok((
                    r.try_get::<Option<i64>, _>(0)?,
                    r.try_get::<i64, _>(1)?,
                    r.try_get::<i64, _>(2)?,
                    r.try_get::<Option<i64>, _>(3)?
                ))
            )?;
            if let Some((customer_id, shop_id, created, paid)) = row {
                edits.extend(BuyerEdit::new_trade(customer_id, shop_id, from_ts(created), paid.map(from_ts)));
            }
        }
        self.count_buyers(company_id, tz, &edits).await
    }

    /// Recomputes a company's buyer counters from its trades, replacing what they held.
    pub async fn rebuild_buyer_counts(&mut self, company_id: i64, tz: Tz) -> Result<(), StoreError> {
        exec!(&mut *self, "DELETE FROM sales_buyers_daily WHERE company_id = $1", company_id)?;
        let mut delta = BuyerDelta::new();
        let day = |t: i64| from_ts(t).with_timezone(&tz).date_naive();
        // Buyers, a range of customer ids at a time (a buyer's trades all come in one page).
        let (lo, hi) = fetch_optional!(
            &mut *self,
            "SELECT MIN(id), MAX(id) FROM customer WHERE company_id = $1",
            [company_id],
            |r| Ok((r.try_get::<Option<i64>, _>(0)?, r.try_get::<Option<i64>, _>(1)?))
        )?
        .unwrap_or_default();
        if let (Some(lo), Some(hi)) = (lo, hi) {
            const IDS: i64 = 20_000;
            let mut from = lo - 1;
            while from < hi {
                let to = from + IDS;
                let rows = fetch_all!(
                    &mut *self,
                    // `+company_id`: read by the buyer index, not the company's index of every trade.
                    "SELECT customer_id, shop_id, created_at, paid_at FROM trade \
                     WHERE customer_id > $2 AND customer_id <= $3 AND +company_id = $1",
                    [company_id, from, to],
                    |r| Ok((
                        r.try_get::<i64, _>(0)?,
                        r.try_get::<i64, _>(1)?,
                        r.try_get::<i64, _>(2)?,
                        r.try_get::<Option<i64>, _>(3)?
                    ))
                )?;
                let mut by_buyer: BTreeMap<i64, ShopDays> = BTreeMap::new();
                for (customer_id, shop_id, created, paid) in rows {
                    let b = by_buyer.entry(customer_id).or_default();
                    b.0.push((shop_id, day(created)));
                    if let Some(p) = paid {
                        b.1.push((shop_id, day(p)));
                    }
                }
                for (created, paid) in by_buyer.values() {
                    add_buyer_days(created, TradeTime::Created, 1, &mut delta);
                    add_buyer_days(paid, TradeTime::Paid, 1, &mut delta);
                }
                from = to;
            }
        }
        // Trades without a buyer, by the buyer index (its entries without a buyer, in time order).
        let mut after = (i64::MIN, 0i64);
        loop {
            let rows = fetch_all!(
                &mut *self,
                "SELECT id, shop_id, created_at, paid_at FROM trade \
                 WHERE customer_id IS NULL AND +company_id = $1 AND (created_at > $2 OR (created_at = $2 AND id > $3)) \
                 ORDER BY created_at, id LIMIT 50000",
                [company_id, after.0, after.1],
                |r| Ok((
                    r.try_get::<i64, _>(0)?,
                    r.try_get::<i64, _>(1)?,
                    r.try_get::<i64, _>(2)?,
                    r.try_get::<Option<i64>, _>(3)?
                ))
            )?;
            let Some(last) = rows.last() else { break };
            after = (last.2, last.0);
            for (_, shop_id, created, paid) in rows {
                let edits = BuyerEdit::new_trade(None, shop_id, from_ts(created), paid.map(from_ts));
                for e in edits {
                    if let Some(t) = e.after {
                        for scope in [shop_id, 0] {
                            *delta.entry((scope, day(to_ts(t)))).or_default().of(e.time)[3] += 1;
                        }
                    }
                }
            }
        }
        self.add_buyer_delta(company_id, &delta).await
    }

    /// The buyer counter rows of one scope (a shop, or 0 for the company) over days `from ..= to`.
    pub async fn buyer_days(
        &mut self,
        company_id: i64,
        scope: i64,
        from: &str,
        to: &str,
    ) -> Result<Vec<(String, BuyerDay)>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT day, buyers_created, buyers_created_new_in_week, buyers_created_new_in_month, created_without_buyer, \
                paying_buyers, paying_buyers_new_in_week, paying_buyers_new_in_month, paid_without_buyer \
             FROM sales_buyers_daily WHERE company_id = $1 AND shop_id = $2 AND day >= $3 AND day <= $4 ORDER BY day",
            [company_id, scope, from, to],
            |r| Ok((
                r.try_get(0)?,
                BuyerDay {
                    buyers_created: r.try_get(1)?,
                    buyers_created_new_in_week: r.try_get(2)?,
                    buyers_created_new_in_month: r.try_get(3)?,
                    created_without_buyer: r.try_get(4)?,
                    paying_buyers: r.try_get(5)?,
                    paying_buyers_new_in_week: r.try_get(6)?,
                    paying_buyers_new_in_month: r.try_get(7)?,
                    paid_without_buyer: r.try_get(8)?,
                }
            ))
        )?)
    }

    /// Every buyer counter row of a company that is not all zero: (scope, day, counters), for checks
    /// against a rebuild.
    pub async fn all_buyer_days(&mut self, company_id: i64) -> Result<Vec<(i64, String, BuyerDay)>, StoreError> {
        let scopes = fetch_all!(
            &mut *self,
            "SELECT DISTINCT shop_id FROM sales_buyers_daily WHERE company_id = $1 ORDER BY shop_id",
            [company_id],
            |r| r.try_get::<i64, _>(0)
        )?;
        let mut out = Vec::new();
        for scope in scopes {
            for (day, c) in self.buyer_days(company_id, scope, "0000-00-00", "9999-99-99").await? {
                if !c.is_zero() {
                    out.push((scope, day, c));
                }
            }
        }
        Ok(out)
    }
}

/// Which counter answers the distinct buyers of days `from ..= to`: the day's buyers (0) for one day,
/// the new-in-week ones (1) for a week from its Monday, the new-in-month ones (2) for a month from its
/// first day; `None` for any other span (the caller counts the trades).
pub fn span_counter(from: NaiveDate, to: NaiveDate) -> Option<usize> {
    if from == to {
        Some(0)
    } else if from == week_start(from) && from < to && to < from + Duration::days(7) {
        Some(1)
    } else if from == first_of_month(from) && from < to && to < next_month(from) {
        Some(2)
    } else {
        None
    }
}

/// The distinct buyers of a span from one scope's counter rows of its days, with the counter
/// [`span_counter`] chose.
pub fn buyers_over(rows: &[(String, BuyerDay)], counter: usize, time: TradeTime) -> crate::reports::DistinctBuyers {
    let mut out = crate::reports::DistinctBuyers::default();
    for (_, c) in rows {
        let v = c.get(time);
        out.buyers += v[counter.min(2)];
        out.trades_without_buyer += v[3];
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_buyer_counts_once_a_day_and_new_once_a_week_and_a_month() {
        let mut out = BuyerDelta::new();
        // Monday 30 Nov, Tuesday 1 Dec twice, in shop 1; Wednesday 2 Dec in shop 2.
        let days = [(1, d("2026-11-30")), (1, d("2026-12-01")), (1, d("2026-12-01")), (2, d("2026-12-02"))];
        add_buyer_days(&days, TradeTime::Created, 1, &mut out);
        let get = |scope: i64, day: &str| out.get(&(scope, d(day))).map(|c| c.get(TradeTime::Created));
        // Shop 1: a buyer each day; new in the week on Monday only; new in December on the 1st.
        assert_eq!(get(1, "2026-11-30"), Some([1, 1, 1, 0]));
        assert_eq!(get(1, "2026-12-01"), Some([1, 0, 1, 0]));
        // Shop 2 sees the buyer for the first time on the 2nd.
        assert_eq!(get(2, "2026-12-02"), Some([1, 1, 1, 0]));
        // The company: one buyer a day, new in the week once, new in each month once.
        assert_eq!(get(0, "2026-11-30"), Some([1, 1, 1, 0]));
        assert_eq!(get(0, "2026-12-01"), Some([1, 0, 1, 0]));
        assert_eq!(get(0, "2026-12-02"), Some([1, 0, 0, 0]));
        // Nothing for paid trades.
        assert!(out.values().all(|c| c.get(TradeTime::Paid) == [0; 4]));
    }

    #[test]
    fn a_zone_keeps_its_offset_unless_it_moves_its_clocks_in_the_span() {
        use chrono::TimeZone as _;
        let ts = |y, m, d, h| Utc.with_ymd_and_hms(y, m, d, h, 0, 0).single().unwrap().timestamp();
        let shanghai = chrono_tz::Asia::Shanghai;
        assert_eq!(fixed_offset(shanghai, ts(2024, 10, 1, 0), ts(2024, 12, 1, 0)), Some(8 * 3600));
        let london = chrono_tz::Europe::London;
        // Summer time until 01:00 UTC on 27 October 2024.
        assert_eq!(fixed_offset(london, ts(2024, 9, 30, 23), ts(2024, 10, 27, 1)), Some(3600));
        assert_eq!(fixed_offset(london, ts(2024, 9, 30, 23), ts(2024, 10, 27, 2)), None);
        assert_eq!(fixed_offset(london, ts(2024, 10, 27, 1), ts(2024, 12, 1, 0)), Some(0));
        // Both changes of a year inside the span: the same offset at both ends is not enough.
        assert_eq!(fixed_offset(london, ts(2024, 3, 1, 0), ts(2024, 11, 30, 0)), None);
        // Too long to look at, or empty.
        assert_eq!(fixed_offset(shanghai, ts(2020, 1, 1, 0), ts(2024, 1, 1, 0)), None);
        assert_eq!(fixed_offset(shanghai, ts(2024, 1, 1, 0), ts(2024, 1, 1, 0)), None);
        // Before 1970 in local time.
        let new_york = chrono_tz::America::New_York;
        assert_eq!(fixed_offset(new_york, ts(1970, 1, 1, 2), ts(1970, 1, 2, 0)), None);
        assert_eq!(fixed_offset(new_york, ts(1970, 1, 1, 6), ts(1970, 1, 2, 0)), Some(-5 * 3600));
    }

    #[test]
    fn days_since_1970_are_dates() {
        assert_eq!(epoch_day(0).unwrap(), d("1970-01-01"));
        assert_eq!(epoch_day(20_000).unwrap(), d("2024-10-04"));
        // 23:59:59 and 00:00:00 in Shanghai of the 2nd of December 2026, grouped as the SQL does.
        use chrono::TimeZone as _;
        let midnight = chrono_tz::Asia::Shanghai.with_ymd_and_hms(2026, 12, 2, 0, 0, 0).single().unwrap().timestamp();
        assert_eq!(epoch_day((midnight - 1 + 8 * 3600) / 86_400).unwrap(), d("2026-12-01"));
        assert_eq!(epoch_day((midnight + 8 * 3600) / 86_400).unwrap(), d("2026-12-02"));
        assert!(epoch_day(i64::MAX).is_err());
    }

    #[test]
    fn adding_and_taking_away_the_same_days_leaves_nothing() {
        let mut out = BuyerDelta::new();
        let days = [(3, d("2026-02-27")), (3, d("2026-03-02")), (4, d("2026-03-01"))];
        add_buyer_days(&days, TradeTime::Paid, 1, &mut out);
        add_buyer_days(&days, TradeTime::Paid, -1, &mut out);
        assert!(out.values().all(BuyerDay::is_zero));
    }

    #[test]
    fn spans_a_counter_answers() {
        let rows = vec![
            (
                "2026-12-01".to_string(),
                BuyerDay { buyers_created: 5, buyers_created_new_in_month: 5, ..BuyerDay::default() },
            ),
            (
                "2026-12-02".to_string(),
                BuyerDay {
                    buyers_created: 4,
                    buyers_created_new_in_month: 2,
                    created_without_buyer: 1,
                    ..BuyerDay::default()
                },
            ),
        ];
        let month = span_counter(d("2026-12-01"), d("2026-12-02")).unwrap();
        assert_eq!(month, 2);
        let b = buyers_over(&rows, month, TradeTime::Created);
        assert_eq!((b.buyers, b.trades_without_buyer), (7, 1));
        assert_eq!(span_counter(d("2026-12-02"), d("2026-12-02")), Some(0));
        assert_eq!(buyers_over(&rows[1..], 0, TradeTime::Created).buyers, 4);
        // 7 Dec 2026 is a Monday: a week from it is answered; from a Tuesday it is not.
        assert_eq!(span_counter(d("2026-12-07"), d("2026-12-13")), Some(1));
        assert_eq!(span_counter(d("2026-12-07"), d("2026-12-14")), None);
        assert_eq!(span_counter(d("2026-12-08"), d("2026-12-10")), None);
        // A month is answered up to its last day, not beyond; a Monday that is the 1st reads the week.
        assert_eq!(span_counter(d("2026-02-01"), d("2026-02-28")), Some(2));
        assert_eq!(span_counter(d("2026-02-01"), d("2026-03-01")), None);
        assert_eq!(span_counter(d("2027-02-01"), d("2027-02-03")), Some(1));
        assert_eq!(span_counter(d("2026-12-03"), d("2026-12-01")), None);
    }

    #[test]
    fn a_change_reaches_the_whole_week_and_month_around_it() {
        let tz = chrono_tz::Asia::Shanghai;
        // Sunday 1 Nov 2026, 08:00 in Shanghai: its week began on Monday 26 Oct; its month ends on 30 Nov.
        let t = day_start(d("2026-11-01"), tz) + Duration::hours(8);
        let (from, to) = reach(t, tz);
        assert_eq!(from, to_ts(day_start(d("2026-10-26"), tz)));
        assert_eq!(to, to_ts(day_start(d("2026-12-01"), tz)));
    }
}
