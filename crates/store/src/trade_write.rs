//! The writes of one trade transition, sent as one batch (one round trip on SQLite).
//!
//! Conditional statements (a reservation that must not oversell, a reservation that must still be
//! open) are checked by counting: every statement of a transition changes exactly one row per item
//! when all conditions hold, so the batch's total of changed rows tells whether they all did. When
//! it does not add up, [`Tx::apply_trade_write`] answers `false` and the caller rolls back.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use zhanggui_domain::{Money, Region};

use crate::batch::{Batch, Value};
use crate::trades::TradeChange;
use zhanggui_domain::TradeStatus;

use crate::buyer_counts::BuyerEdit;
use crate::reports::TradeTime;
use crate::summaries::{SummaryDelta, amount_created};
use crate::{NewMove, NewRefund, NewTrade, Reservation, StoreError, Tx, args, to_ts};

/// A reservation to make.
#[derive(Debug, Clone)]
pub struct NewReservation {
    pub order_line_id: i64,
    pub sku_id: i64,
    pub warehouse_id: i64,
    pub qty: i64,
    /// Refuse (count as failed) when it would make available negative.
    pub guarded: bool,
}

/// A history row.
#[derive(Debug, Clone)]
pub struct EventRow {
    pub event: &'static str,
    pub from: &'static str,
    pub to: &'static str,
    pub note: String,
    pub user: String,
}

/// Everything one transition writes.
#[derive(Debug, Clone, Default)]
pub struct TradeWrite {
    pub company_id: i64,
    pub trade_id: i64,
    pub reserve: Vec<NewReservation>,
    /// Reservations whose goods ship now, each with its sale_shipment move.
    pub consume: Vec<(Reservation, NewMove)>,
    /// Reservations given back (the trade closed).
    pub release: Vec<Reservation>,
    /// Lines that ship now.
    pub ship_lines: Vec<i64>,
    pub change: TradeChange,
    pub customer_payment: Option<(i64, DateTime<Utc>, Money)>,
    pub event: Option<EventRow>,
    pub at: DateTime<Utc>,
    /// What the transition adds to the sales summaries (see `summaries`), written in the same batch.
    pub summary: SummaryDelta,
}

/// Who bought, for creating or refreshing the customer with the trade.
#[derive(Debug, Clone)]
pub struct CustomerKey<'a> {
    pub account_system: &'a str,
    pub nick: &'a str,
    pub region: &'a Region,
}

fn push_trade_change(b: &mut Batch, trade_id: i64, c: &TradeChange, at: DateTime<Utc>) {
    b.push(
        "UPDATE trade SET status = COALESCE($1, status), paid_at = COALESCE($2, paid_at), \
            shipped_at = COALESCE($3, shipped_at), finished_at = COALESCE($4, finished_at), \
            closed_at = COALESCE($5, closed_at), ship_by_at = COALESCE($6, ship_by_at), \
            close_reason = COALESCE($7, close_reason), carrier = COALESCE($8, carrier), \
            tracking_no = COALESCE($9, tracking_no), oversold = COALESCE($10, oversold), \
            customer_id = COALESCE($11, customer_id), updated_at = $12 WHERE id = $13",
        vec![
            Value::from(c.status.map(TradeStatus::code)),
            Value::from(c.paid_at.map(to_ts)),
            Value::from(c.shipped_at.map(to_ts)),
            Value::from(c.finished_at.map(to_ts)),
            Value::from(c.closed_at.map(to_ts)),
            Value::from(c.ship_by_at.map(to_ts)),
            Value::from(c.close_reason.as_deref()),
            Value::from(c.carrier.as_deref()),
            Value::from(c.tracking_no.as_deref()),
            Value::from(c.oversold),
            Value::from(c.customer_id),
            Value::from(to_ts(at)),
            Value::from(trade_id),
        ],
    );
}

impl Tx {
    /// Applies a transition's writes in one batch. `Ok(false)`: a condition failed (stock was taken
    /// by a concurrent payer, a reservation was no longer open); the caller must roll back.
    pub async fn apply_trade_write(&mut self, w: &TradeWrite) -> Result<bool, StoreError> {
        let mut b = Batch::new();
        let mut expected: u64 = 0;
        for r in &w.reserve {
            b.push(
                "UPDATE stock_balance SET reserved = reserved + $1 \
                 WHERE sku_id = $2 AND warehouse_id = $3 AND ($4 = 0 OR on_hand - reserved >= $1)",
                args![r.qty, r.sku_id, r.warehouse_id, i64::from(r.guarded)],
            );
            b.push(
                "INSERT INTO reservation (company_id, trade_id, order_line_id, sku_id, warehouse_id, qty, status, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, 'open', $7)",
                args![w.company_id, w.trade_id, r.order_line_id, r.sku_id, r.warehouse_id, r.qty, to_ts(w.at)],
            );
            expected += 2;
        }
        for (res, m) in &w.consume {
            m.kind.check(m.qty).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            b.push(
                "UPDATE reservation SET status = 'consumed', closed_at = $1 WHERE id = $2 AND status = 'open'",
                args![to_ts(w.at), res.id],
            );
            b.push(
                "UPDATE stock_balance SET on_hand = on_hand + $1, reserved = reserved - $2 \
                 WHERE sku_id = $3 AND warehouse_id = $4",
                args![m.qty, res.qty, res.sku_id, res.warehouse_id],
            );
            let (sql, values) = move_insert(m, None);
            b.push(sql, values);
            expected += 3;
        }
        for res in &w.release {
            b.push(
                "UPDATE reservation SET status = 'released', closed_at = $1 WHERE id = $2 AND status = 'open'",
                args![to_ts(w.at), res.id],
            );
            b.push(
                "UPDATE stock_balance SET reserved = reserved - $1 WHERE sku_id = $2 AND warehouse_id = $3",
                args![res.qty, res.sku_id, res.warehouse_id],
            );
            expected += 2;
        }
        for line_id in &w.ship_lines {
            b.push(
                "UPDATE order_line SET shipped_at = $1 WHERE id = $2 AND trade_id = $3 AND shipped_at IS NULL",
                args![to_ts(w.at), *line_id, w.trade_id],
            );
            expected += 1;
        }
        push_trade_change(&mut b, w.trade_id, &w.change, w.at);
        expected += 1;
        if let Some((customer_id, paid_at, amount)) = w.customer_payment {
            b.push(
                "UPDATE customer SET paid_trades = paid_trades + 1, spend = spend + $1, \
                    first_paid_at = CASE WHEN first_paid_at IS NULL OR first_paid_at > $2 THEN $2 ELSE first_paid_at END, \
                    last_paid_at = CASE WHEN last_paid_at IS NULL OR last_paid_at < $2 THEN $2 ELSE last_paid_at END \
                 WHERE id = $3",
                args![amount.fen(), to_ts(paid_at), customer_id],
            );
            expected += 1;
        }
        if let Some(e) = &w.event {
            b.push(
                "INSERT INTO trade_event (company_id, trade_id, event, from_status, to_status, note, user_name, at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                args![w.company_id, w.trade_id, e.event, e.from, e.to, &e.note, &e.user, to_ts(w.at)],
            );
            expected += 1;
        }
        expected += w.summary.push(&mut b);
        // A payment time or a buyer set by the transition changes the buyer counters.
        let before = if w.change.paid_at.is_some() || w.change.customer_id.is_some() {
            fetch_optional!(
                &mut *self,
                "SELECT t.customer_id, t.shop_id, t.created_at, t.paid_at, c.time_zone FROM trade t \
                 JOIN company c ON c.id = t.company_id WHERE t.id = $1",
                [w.trade_id],
                |r| Ok((
                    r.try_get::<Option<i64>, _>(0)?,
                    r.try_get::<i64, _>(1)?,
                    crate::from_ts(r.try_get::<i64, _>(2)?),
                    r.try_get::<Option<i64>, _>(3)?.map(crate::from_ts),
                    r.try_get::<String, _>(4)?
                ))
            )?
        } else {
            None
        };
        if self.run_batch(&b).await? != expected {
            return Ok(false);
        }
        if let Some((customer, shop_id, created, paid, zone)) = before {
            let new_customer = w.change.customer_id.or(customer);
            let new_paid = w.change.paid_at.or(paid);
            let mut edits = Vec::new();
            if new_customer != customer {
                edits.extend([
                    BuyerEdit {
                        customer_id: customer,
                        shop_id,
                        time: TradeTime::Created,
                        before: Some(created),
                        after: None,
                    },
                    BuyerEdit {
                        customer_id: new_customer,
                        shop_id,
                        time: TradeTime::Created,
                        before: None,
                        after: Some(created),
                    },
                    BuyerEdit { customer_id: customer, shop_id, time: TradeTime::Paid, before: paid, after: None },
                    BuyerEdit {
                        customer_id: new_customer,
                        shop_id,
                        time: TradeTime::Paid,
                        before: None,
                        after: new_paid,
                    },
                ]);
            } else if new_paid != paid {
                edits.push(BuyerEdit {
                    customer_id: customer,
                    shop_id,
                    time: TradeTime::Paid,
                    before: paid,
                    after: new_paid,
                });
            }
            self.count_buyers(w.company_id, crate::summaries::zone(&zone), &edits).await?;
        }
        Ok(true)
    }

    /// Creates a trade with its lines, its customer (created or refreshed), its first history row and
    /// its share of the sales summaries (收订 on its day in `tz`) in one batch; returns the trade's id.
    /// A trade number already used in the shop is a unique violation.
    pub async fn create_trade_batched(
        &mut self,
        t: &NewTrade,
        status: TradeStatus,
        customer: Option<CustomerKey<'_>>,
        user: &str,
        at: DateTime<Utc>,
        tz: Tz,
    ) -> Result<i64, StoreError> {
        let mut b = Batch::new();
        push_trade_insert(&mut b, t, status, customer.as_ref(), at);
        push_event(&mut b, t, "create", "", status.code(), user, t.created_at);
        let mut summary = SummaryDelta::new(t.company_id);
        summary.created(t.shop_id, t.created_at, amount_created(t.total_amount, t.discount), tz);
        summary.push(&mut b);
        let ids = self.run_batch_returning(&b).await?;
        let id = ids.first().copied().ok_or_else(|| StoreError::Corrupt(format!("trade {} was not created", t.tid)))?;
        self.count_buyers_of_new_trades(t.company_id, tz, &[id]).await?;
        Ok(id)
    }

    /// Writes a trade whose story has already happened (history from an export or the demo), in its
    /// final state, in one batch: the trade and lines with their times, the customer and the payment
    /// counted for them, the stock moves with their balances, the refunds, the history rows and the
    /// trade's share of the sales summaries.
    pub async fn insert_trade_history(&mut self, h: &TradeHistory<'_>) -> Result<i64, StoreError> {
        let t = h.trade;
        let mut b = Batch::new();
        push_trade_insert(&mut b, t, h.status, h.customer.as_ref(), h.at);
        let unsellable = self.unsellable_warehouses_for(std::slice::from_ref(h)).await?;
        h.summary(&unsellable).push(&mut b);
        if let (Some(c), Some(paid_at)) = (&h.customer, t.paid_at) {
            b.push(
                "UPDATE customer SET paid_trades = paid_trades + 1, spend = spend + $1, \
                    first_paid_at = CASE WHEN first_paid_at IS NULL OR first_paid_at > $2 THEN $2 ELSE first_paid_at END, \
                    last_paid_at = CASE WHEN last_paid_at IS NULL OR last_paid_at < $2 THEN $2 ELSE last_paid_at END \
                 WHERE company_id = $3 AND account_system = $4 AND nick = $5",
                args![t.amount_paid.fen(), to_ts(paid_at), t.company_id, c.account_system, c.nick],
            );
        }
        for m in &h.moves {
            m.kind.check(m.qty).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            b.push(
                "UPDATE stock_balance SET on_hand = on_hand + $1 WHERE sku_id = $2 AND warehouse_id = $3",
                args![m.qty, m.sku_id, m.warehouse_id],
            );
            b.push(
                // A history's moves refer to its trade, whatever the caller named (the cost of goods
                // finds their shop through it).
                "INSERT INTO stock_move (company_id, sku_id, warehouse_id, qty, kind, ref_type, ref_id, unit_cost, note, \
                    user_name, created_at) \
                 VALUES ($3, $4, $5, $6, $7, 'trade', (SELECT id FROM trade WHERE shop_id = $1 AND tid = $2), $8, $9, \
                    $10, $11)",
                args![
                    t.shop_id,
                    &t.tid,
                    m.company_id,
                    m.sku_id,
                    m.warehouse_id,
                    m.qty,
                    m.kind.code(),
                    m.unit_cost.fen(),
                    &m.note,
                    &m.user_name,
                    to_ts(m.at)
                ],
            );
        }
        for (line_index, r) in &h.refunds {
            let oid = t.lines.get(*line_index).map(|l| l.oid.as_str()).unwrap_or("");
            b.push(
                "INSERT INTO refund (company_id, trade_id, order_line_id, refund_no, kind, status, reason, amount, \
                    created_at, deadline_at, finished_at) \
                 VALUES ($4, (SELECT id FROM trade WHERE shop_id = $1 AND tid = $2), \
                    (SELECT l.id FROM order_line l JOIN trade t ON t.id = l.trade_id \
                     WHERE t.shop_id = $1 AND t.tid = $2 AND l.oid = $3), \
                    $5, $6, $7, $8, $9, $10, $11, $12)",
                {
                    let mut a = args![t.shop_id, &t.tid, oid, r.company_id];
                    a.extend(refund_values(r));
                    a
                },
            );
        }
        for (event, from, to, at) in &h.events {
            push_event(&mut b, t, event, from, to, h.user, *at);
        }
        let ids = self.run_batch_returning(&b).await?;
        let id = ids.first().copied().ok_or_else(|| StoreError::Corrupt(format!("trade {} was not created", t.tid)))?;
        self.count_buyers_of_new_trades(t.company_id, h.time_zone, &[id]).await?;
        Ok(id)
    }

    /// Marks the start of a part of the transaction that can be undone alone.
    pub async fn savepoint(&mut self) -> Result<(), StoreError> {
        exec!(self, "SAVEPOINT zg_step")?;
        Ok(())
    }

    /// Keeps what was done since [`Tx::savepoint`].
    pub async fn release_savepoint(&mut self) -> Result<(), StoreError> {
        exec!(self, "RELEASE SAVEPOINT zg_step")?;
        Ok(())
    }

    /// Undoes what was done since [`Tx::savepoint`]; the transaction goes on.
    pub async fn rollback_to_savepoint(&mut self) -> Result<(), StoreError> {
        exec!(self, "ROLLBACK TO SAVEPOINT zg_step")?;
        exec!(self, "RELEASE SAVEPOINT zg_step")?;
        Ok(())
    }
}

/// A trade written in its final state, with what came with it.
#[derive(Debug, Clone)]
pub struct TradeHistory<'a> {
    pub trade: &'a NewTrade,
    pub status: TradeStatus,
    pub customer: Option<CustomerKey<'a>>,
    /// Stock moves caused by the trade (shipments, returns); their ref_id is set to the trade.
    pub moves: Vec<NewMove>,
    /// Refunds, each for the line at this index of `trade.lines`.
    pub refunds: Vec<(usize, NewRefund)>,
    /// (event, from status, to status, when).
    pub events: Vec<(&'static str, &'static str, &'static str, DateTime<Utc>)>,
    pub user: &'a str,
    pub at: DateTime<Utc>,
    /// The company's time zone, which decides the days the trade counts on in the summaries.
    pub time_zone: Tz,
}

impl TradeHistory<'_> {
    /// What the trade adds to the sales summaries, its stock moves' cost of goods included
    /// (returns into the warehouses `unsellable` count none).
    fn summary(&self, unsellable: &[i64]) -> SummaryDelta {
        let mut d = SummaryDelta::new(self.trade.company_id);
        let refunds: Vec<&NewRefund> = self.refunds.iter().map(|(_, r)| r).collect();
        d.history(self.trade, &refunds, self.time_zone);
        d.goods_moved(self.trade.shop_id, &self.moves, unsellable, self.time_zone);
        d
    }
}

fn push_event(b: &mut Batch, t: &NewTrade, event: &str, from: &str, to: &str, user: &str, at: DateTime<Utc>) {
    b.push(
        "INSERT INTO trade_event (company_id, trade_id, event, from_status, to_status, note, user_name, at) \
         VALUES ($3, (SELECT id FROM trade WHERE shop_id = $1 AND tid = $2), $4, $5, $6, '', $7, $8)",
        args![t.shop_id, &t.tid, t.company_id, event, from, to, user, to_ts(at)],
    );
}

/// The stock_move insert every path shares; its values come from [`move_values`].
pub(crate) const MOVE_INSERT: &str = "INSERT INTO stock_move (company_id, sku_id, warehouse_id, qty, kind, ref_type, ref_id, \
    unit_cost, note, user_name, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";

/// The statement and values that write one move, at the unit cost it carries: a sale shipment's is
/// the SKU's moving-average cost when it leaves (the caller reads it, [`Tx::sku_costs`]), 0 when the
/// SKU has none, and such units are valued at the SKU's cost when 毛利 is read.
pub(crate) fn move_insert(m: &NewMove, ref_id: Option<i64>) -> (&'static str, Vec<Value>) {
    (MOVE_INSERT, move_values(m, ref_id))
}

/// The 11 values of a stock move row in the column order of [`MOVE_INSERT`]; `ref_id` overrides the
/// move's own when the referenced row was only just written.
pub(crate) fn move_values(m: &NewMove, ref_id: Option<i64>) -> Vec<Value> {
    args![
        m.company_id,
        m.sku_id,
        m.warehouse_id,
        m.qty,
        m.kind.code(),
        m.ref_type,
        ref_id.or(m.ref_id),
        m.unit_cost.fen(),
        &m.note,
        &m.user_name,
        to_ts(m.at)
    ]
}

/// The values of a refund row after its company, trade and line: refund_no .. finished_at.
pub(crate) fn refund_values(r: &NewRefund) -> Vec<Value> {
    args![
        &r.refund_no,
        r.kind.code(),
        r.status.code(),
        &r.reason,
        r.amount.fen(),
        to_ts(r.created_at),
        r.deadline_at.map(to_ts),
        r.finished_at.map(to_ts)
    ]
}

/// The values of a line row after its company and trade, in the column order of the inserts below.
fn line_values(l: &crate::NewLine) -> Vec<Value> {
    args![
        &l.oid,
        l.sku_id,
        &l.outer_sku_id,
        &l.title,
        &l.properties,
        l.price.fen(),
        l.qty,
        l.amount_paid.fen(),
        l.refund_amount.fen(),
        &l.refund_status,
        l.shipped_at.map(to_ts)
    ]
}

/// The 32 values of a trade row, in the column order of the inserts below.
fn trade_values(t: &NewTrade, status: TradeStatus, at: DateTime<Utc>) -> Vec<Value> {
    let item_count: i64 = t.lines.iter().map(|l| l.qty).sum();
    args![
        t.company_id,
        t.shop_id,
        &t.tid,
        status.code(),
        &t.buyer_nick,
        &t.receiver_name,
        &t.receiver_phone,
        &t.receiver_address,
        &t.province,
        &t.city,
        &t.district,
        t.goods_amount.fen(),
        t.postage.fen(),
        t.discount.fen(),
        t.total_amount.fen(),
        t.amount_paid.fen(),
        item_count,
        to_ts(t.created_at),
        &t.buyer_message,
        &t.seller_memo,
        to_ts(at),
        t.paid_at.map(to_ts),
        t.shipped_at.map(to_ts),
        t.finished_at.map(to_ts),
        t.closed_at.map(to_ts),
        t.ship_by_at.map(to_ts),
        &t.close_reason,
        &t.carrier,
        &t.tracking_no,
        t.refund_amount.fen(),
        t.flag,
        t.urgent
    ]
}

/// The customer (created or refreshed), the trade with every field, and its lines.
fn push_trade_insert(
    b: &mut Batch,
    t: &NewTrade,
    status: TradeStatus,
    customer: Option<&CustomerKey<'_>>,
    at: DateTime<Utc>,
) {
    if let Some(c) = customer {
        b.push(
            "INSERT INTO customer (company_id, account_system, nick, province, city, district, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (company_id, account_system, nick) DO UPDATE SET \
                province = CASE WHEN excluded.province <> '' THEN excluded.province ELSE customer.province END, \
                city = CASE WHEN excluded.city <> '' THEN excluded.city ELSE customer.city END, \
                district = CASE WHEN excluded.district <> '' THEN excluded.district ELSE customer.district END",
            args![
                t.company_id,
                c.account_system,
                c.nick,
                &c.region.province,
                &c.region.city,
                &c.region.district,
                to_ts(t.created_at)
            ],
        );
    }
    let customer_sql = match customer {
        Some(_) => "(SELECT id FROM customer WHERE company_id = $1 AND account_system = $33 AND nick = $34)",
        None => "$33",
    };
    let mut trade_args = trade_values(t, status, at);
    match customer {
        Some(c) => trade_args.extend(args![c.account_system, c.nick]),
        None => trade_args.extend(args![None::<i64>]),
    }
    b.push(
        format!(
            "INSERT INTO trade (company_id, shop_id, tid, status, buyer_nick, receiver_name, receiver_phone, \
                receiver_address, province, city, district, goods_amount, postage, discount, total_amount, \
                amount_paid, item_count, created_at, buyer_message, seller_memo, updated_at, paid_at, shipped_at, \
                finished_at, closed_at, ship_by_at, close_reason, carrier, tracking_no, refund_amount, flag, urgent, \
                customer_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, \
                $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, {customer_sql}) RETURNING id"
        ),
        trade_args,
    );
    for l in &t.lines {
        b.push(
            "INSERT INTO order_line (company_id, trade_id, oid, sku_id, outer_sku_id, title, properties, price, \
                qty, amount_paid, refund_amount, refund_status, shipped_at) \
             VALUES ($3, (SELECT id FROM trade WHERE shop_id = $1 AND tid = $2), $4, $5, $6, $7, $8, $9, $10, $11, \
                $12, $13, $14)",
            {
                let mut a = args![t.shop_id, &t.tid, t.company_id];
                a.extend(line_values(l));
                a
            },
        );
    }
}

impl Tx {
    /// The company's warehouses that hold no sellable goods, read only when one of `items` receives
    /// returned goods (the only moves whose cost of goods depends on it).
    async fn unsellable_warehouses_for(&mut self, items: &[TradeHistory<'_>]) -> Result<Vec<i64>, StoreError> {
        let returns = items.iter().flat_map(|h| &h.moves).any(|m| m.kind == zhanggui_domain::MoveKind::ReturnReceipt);
        let Some(first) = items.first().filter(|_| returns) else { return Ok(Vec::new()) };
        Ok(fetch_all!(
            &mut *self,
            "SELECT id FROM warehouse WHERE company_id = $1 AND NOT sellable",
            [first.trade.company_id],
            |r| r.try_get::<i64, _>(0)
        )?)
    }

    /// Writes many trades whose story has already happened, with multi-row statements: customers
    /// (created or refreshed, their paid figures counting the new paid trades), trades, lines, stock
    /// moves with their balances, and history rows. Returns the new trades' ids in the order given.
    pub async fn insert_trades_bulk(&mut self, items: &[TradeHistory<'_>]) -> Result<Vec<i64>, StoreError> {
        use crate::bulk::{BalanceColumn, RowInsert};
        use std::collections::HashMap;
        if items.is_empty() {
            return Ok(Vec::new());
        }
        // Customers: one row per (system, nick), the latest address winning.
        // Customers created by this write have no earlier trade (SQLite has one writer, so no other
        // transaction can give them one): their buyer counters need no reading back.
        let created_after = match self {
            Tx::Sqlite(_) => Some(fetch_scalar!(&mut *self, i64, "SELECT COALESCE(MAX(id), 0) FROM customer")?),
            Tx::Postgres(_) => None,
        };
        // The new paid trades also add to their buyers' figures, in the same statement.
        let mut customers: Vec<Vec<Value>> = Vec::new();
        let mut paying: Vec<PaidSoFar> = Vec::new();
        let mut seen: HashMap<(&str, &str), usize> = HashMap::new();
        for h in items {
            if let Some(c) = &h.customer {
                let t = h.trade;
                let row = args![
                    t.company_id,
                    c.account_system,
                    c.nick,
                    &c.region.province,
                    &c.region.city,
                    &c.region.district,
                    to_ts(t.created_at)
                ];
                let i = match seen.get(&(c.account_system, c.nick)) {
                    Some(i) => {
                        customers[*i] = row;
                        *i
                    }
                    None => {
                        seen.insert((c.account_system, c.nick), customers.len());
                        customers.push(row);
                        paying.push(PaidSoFar::default());
                        customers.len() - 1
                    }
                };
                if let (Some(p), Some(at)) = (paying.get_mut(i), t.paid_at) {
                    p.add(t.amount_paid.fen(), to_ts(at));
                }
            }
        }
        for (row, p) in customers.iter_mut().zip(&paying) {
            row.extend(args![p.trades, p.spend, p.first, p.last]);
        }
        // In the order of the (system, nick) key, so the upsert walks its index from one end to the other.
        let mut by_key: Vec<(&(&str, &str), &usize)> = seen.iter().collect();
        by_key.sort_unstable();
        let customers: Vec<Vec<Value>> =
            by_key.into_iter().filter_map(|(_, i)| customers.get_mut(*i).map(std::mem::take)).collect();
        self.insert_rows(
            &RowInsert {
                head: "INSERT INTO customer (company_id, account_system, nick, province, city, district, created_at, \
                    paid_trades, spend, first_paid_at, last_paid_at) VALUES",
                row: "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                width: 11,
                tail: "ON CONFLICT (company_id, account_system, nick) DO UPDATE SET \
                    province = CASE WHEN excluded.province <> '' THEN excluded.province ELSE customer.province END, \
                    city = CASE WHEN excluded.city <> '' THEN excluded.city ELSE customer.city END, \
                    district = CASE WHEN excluded.district <> '' THEN excluded.district ELSE customer.district END, \
                    paid_trades = customer.paid_trades + excluded.paid_trades, \
                    spend = customer.spend + excluded.spend, \
                    first_paid_at = CASE WHEN customer.first_paid_at IS NULL \
                        OR customer.first_paid_at > excluded.first_paid_at THEN excluded.first_paid_at \
                        ELSE customer.first_paid_at END, \
                    last_paid_at = CASE WHEN customer.last_paid_at IS NULL \
                        OR customer.last_paid_at < excluded.last_paid_at THEN excluded.last_paid_at \
                        ELSE customer.last_paid_at END",
            },
            &customers,
        )
        .await?;
        // Their ids, looked up once (a sub-query per row would make SQLite plan hundreds of them).
        let mut customer_ids: HashMap<(String, String), i64> = HashMap::new();
        let mut by_system: HashMap<&str, Vec<&str>> = HashMap::new();
        for (system, nick) in seen.keys() {
            by_system.entry(system).or_default().push(nick);
        }
        let company_id = items[0].trade.company_id;
        for (system, nicks) in by_system {
            for (id, nick) in self.customer_ids(company_id, system, &nicks).await? {
                customer_ids.insert((system.to_string(), nick), id);
            }
        }
        // Trades.
        let mut rows = Vec::with_capacity(items.len());
        let mut buyer_edits = Vec::with_capacity(items.len() * 2);
        for h in items {
            let t = h.trade;
            let customer_id = h
                .customer
                .as_ref()
                .and_then(|c| customer_ids.get(&(c.account_system.to_string(), c.nick.to_string())).copied());
            buyer_edits.extend(BuyerEdit::new_trade(customer_id, t.shop_id, t.created_at, t.paid_at));
            let mut row = trade_values(t, h.status, h.at);
            row.push(Value::from(customer_id));
            rows.push(row);
        }
        self.insert_rows(
                &RowInsert {
                    head: "INSERT INTO trade (company_id, shop_id, tid, status, buyer_nick, receiver_name, receiver_phone, \
                        receiver_address, province, city, district, goods_amount, postage, discount, total_amount, \
                        amount_paid, item_count, created_at, buyer_message, seller_memo, updated_at, paid_at, shipped_at, \
                        finished_at, closed_at, ship_by_at, close_reason, carrier, tracking_no, refund_amount, flag, urgent, \
                        customer_id) VALUES",
                    row: "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, \
                        $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33)",
                    width: 33,
                    tail: "",
                },
                &rows,
            )
            .await?;
        // Their ids by order number (RETURNING over hundreds of rows is slow on SQLite through sqlx).
        let mut ids: Vec<(i64, String)> = Vec::with_capacity(items.len());
        let mut by_shop: HashMap<i64, Vec<&str>> = HashMap::new();
        for h in items {
            by_shop.entry(h.trade.shop_id).or_default().push(h.trade.tid.as_str());
        }
        for (shop_id, tids) in by_shop {
            ids.extend(self.trade_ids_by_tids(shop_id, &tids).await?);
        }
        let by_tid: HashMap<String, i64> = ids.into_iter().map(|(id, tid)| (tid, id)).collect();
        let id_of = |h: &TradeHistory<'_>| by_tid.get(&h.trade.tid).copied();
        // Lines.
        let mut lines = Vec::new();
        let mut moves = Vec::new();
        let mut events = Vec::new();
        let mut deltas: HashMap<(i64, i64), i64> = HashMap::new();
        let mut summary = SummaryDelta::new(company_id);
        let unsellable = self.unsellable_warehouses_for(items).await?;
        for h in items {
            summary.merge(&h.summary(&unsellable));
            let Some(trade_id) = id_of(h) else {
                return Err(StoreError::Corrupt(format!("trade {} was not created", h.trade.tid)));
            };
            let t = h.trade;
            for l in &t.lines {
                let mut row = args![t.company_id, trade_id];
                row.extend(line_values(l));
                lines.push(row);
            }
            for m in &h.moves {
                m.kind.check(m.qty).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                *deltas.entry((m.sku_id, m.warehouse_id)).or_insert(0) += m.qty;
                // A history's moves refer to its trade, whatever the caller named.
                moves.push(move_values(&NewMove { ref_type: "trade", ..m.clone() }, Some(trade_id)));
            }
            for (event, from, to, at) in &h.events {
                events.push(args![t.company_id, trade_id, *event, *from, *to, h.user, to_ts(*at)]);
            }
        }
        self.insert_rows(
            &RowInsert {
                head: "INSERT INTO order_line (company_id, trade_id, oid, sku_id, outer_sku_id, title, properties, price, \
                    qty, amount_paid, refund_amount, refund_status, shipped_at) VALUES",
                row: "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
                width: 13,
                tail: "",
            },
            &lines,
        )
        .await?;
        self.insert_rows(
            &RowInsert {
                head: "INSERT INTO stock_move (company_id, sku_id, warehouse_id, qty, kind, ref_type, ref_id, unit_cost, \
                    note, user_name, created_at) VALUES",
                row: "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                width: 11,
                tail: "",
            },
            &moves,
        )
        .await?;
        let deltas: Vec<(i64, i64, i64)> = deltas.into_iter().map(|((s, w), d)| (s, w, d)).collect();
        self.add_to_balances(BalanceColumn::OnHand, &deltas).await?;
        self.insert_rows(
            &RowInsert {
                head: "INSERT INTO trade_event (company_id, trade_id, event, from_status, to_status, note, user_name, at) VALUES",
                row: "($1, $2, $3, $4, $5, '', $6, $7)",
                width: 7,
                tail: "",
            },
            &events,
        )
        .await?;
        for h in items.iter().filter(|h| !h.refunds.is_empty()) {
            for (line_index, r) in &h.refunds {
                let t = h.trade;
                let oid = t.lines.get(*line_index).map(|l| l.oid.as_str()).unwrap_or("");
                let mut b = Batch::new();
                let mut a = args![r.company_id, id_of(h), oid];
                a.extend(refund_values(r));
                b.push(
                    "INSERT INTO refund (company_id, trade_id, order_line_id, refund_no, kind, status, reason, amount, \
                        created_at, deadline_at, finished_at) \
                     VALUES ($1, $2, (SELECT id FROM order_line WHERE trade_id = $2 AND oid = $3), $4, $5, $6, $7, $8, $9, $10, $11)",
                    a,
                );
                self.run_batch(&b).await?;
            }
        }
        self.add_to_summaries(&summary).await?;
        let fresh: std::collections::HashSet<i64> = match created_after {
            Some(max) => customer_ids.values().copied().filter(|id| *id > max).collect(),
            None => Default::default(),
        };
        self.count_buyers_with(company_id, items[0].time_zone, &buyer_edits, &fresh).await?;
        Ok(items.iter().filter_map(id_of).collect())
    }
}

/// A buyer's new paid trades in one bulk write: how many, their amount paid, and the earliest and
/// latest payment (`None` while there is none).
#[derive(Debug, Default, Clone, Copy)]
struct PaidSoFar {
    trades: i64,
    spend: i64,
    first: Option<i64>,
    last: Option<i64>,
}

impl PaidSoFar {
    fn add(&mut self, amount_paid: i64, at: i64) {
        self.trades += 1;
        self.spend += amount_paid;
        self.first = Some(self.first.map_or(at, |f| f.min(at)));
        self.last = Some(self.last.map_or(at, |l| l.max(at)));
    }
}
