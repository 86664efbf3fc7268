//! After-sales cases (售后: refunds, returns, exchanges, reships), their history and disputes (纠纷).
//! The rules are in `zhanggui_domain::after_sales`; the use cases in `zhanggui_app::after_sales`.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use zhanggui_domain::{DisputeOutcome, DisputeStage, Money, RefundKind, RefundStatus};

use crate::batch::Batch;
use crate::summaries::SummaryDelta;
use sqlx::Row as _;

use crate::{StoreError, Tx, args, from_ts, to_ts};

/// A case with what it needs from its trade and line.
#[derive(Debug, Clone, Serialize)]
pub struct RefundCase {
    pub id: i64,
    pub company_id: i64,
    pub trade_id: i64,
    pub tid: String,
    pub shop_id: i64,
    pub shop_name: String,
    pub buyer_nick: String,
    pub trade_status: String,
    pub order_line_id: Option<i64>,
    pub line_title: String,
    pub line_properties: String,
    pub sku_id: Option<i64>,
    pub outer_sku_id: String,
    pub line_qty: i64,
    pub line_paid: Money,
    pub line_refunded: Money,
    pub line_shipped: bool,
    pub refund_no: String,
    pub kind: RefundKind,
    pub status: RefundStatus,
    pub reason: String,
    pub amount: Money,
    /// Units the case covers (the whole line when the case did not say).
    pub qty: i64,
    pub return_carrier: String,
    pub return_tracking_no: String,
    pub created_at: DateTime<Utc>,
    /// The platform's own deadline, where an export gave one.
    pub deadline_at: Option<DateTime<Utc>>,
    /// When the status last changed (deadlines count from here).
    pub status_since: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub seller_note: String,
    pub replacement_carrier: String,
    pub replacement_tracking_no: String,
    pub received_good: i64,
    pub received_damaged: i64,
    pub created_by: String,
    pub dispute: Option<Dispute>,
}

/// A dispute (纠纷) on a refused case.
#[derive(Debug, Clone, Serialize)]
pub struct Dispute {
    pub id: i64,
    pub stage: DisputeStage,
    pub reason: String,
    /// Evidence notes, one per line, each with who and when.
    pub evidence: String,
    pub outcome: Option<DisputeOutcome>,
    pub opened_by: String,
    pub opened_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
}

/// A history row of a case.
#[derive(Debug, Clone, Serialize)]
pub struct RefundEventRow {
    pub event: String,
    pub from_status: String,
    pub to_status: String,
    pub note: String,
    pub user_name: String,
    pub at: DateTime<Utc>,
}

/// Which cases to list.
#[derive(Debug, Clone, Default)]
pub struct RefundFilter {
    pub company_id: i64,
    /// 0: every shop.
    pub shop_id: i64,
    pub open_only: bool,
    pub status: Option<RefundStatus>,
    pub kind: Option<RefundKind>,
    /// A trade number, refund number or buyer nick.
    pub search: String,
    pub limit: i64,
    pub offset: i64,
}

/// A return or exchange request (退货/换货) for the return analysis of the weekly report.
#[derive(Debug, Clone, Serialize)]
pub struct ReturnRequest {
    pub refund_id: i64,
    pub kind: RefundKind,
    pub reason: String,
    pub trade_id: i64,
    pub customer_id: Option<i64>,
    pub buyer_nick: String,
    pub sku_id: Option<i64>,
    pub outer_sku_id: String,
    pub title: String,
    pub properties: String,
    /// Units the request covers.
    pub qty: i64,
    pub received_damaged: i64,
}

/// A new case.
#[derive(Debug, Clone)]
pub struct NewCase {
    pub company_id: i64,
    pub trade_id: i64,
    pub order_line_id: i64,
    pub refund_no: String,
    pub kind: RefundKind,
    pub reason: String,
    pub amount: Money,
    pub qty: i64,
    pub user: String,
    pub at: DateTime<Utc>,
}

/// Everything one step of a case writes, in one batch.
#[derive(Debug, Clone, Default)]
pub struct CaseWrite {
    pub refund_id: i64,
    pub company_id: i64,
    pub from: Option<RefundStatus>,
    pub to: Option<RefundStatus>,
    pub event: &'static str,
    pub note: String,
    pub user: String,
    pub at: DateTime<Utc>,
    pub seller_note: Option<String>,
    pub return_shipment: Option<(String, String)>,
    pub replacement: Option<(String, String)>,
    pub received: Option<(i64, i64)>,
    /// Money paid back now: (trade, line, amount); also counted in the summaries on `at`'s day.
    pub paid_back: Option<(i64, i64, Money)>,
    /// The shop and its time zone, for the summaries.
    pub shop: Option<(i64, Tz)>,
}

const CASE_COLUMNS: &str = "r.id, r.company_id, r.trade_id, t.tid, t.shop_id, s.name AS shop_name, t.buyer_nick, \
    t.status AS trade_status, r.order_line_id, COALESCE(l.title, '') AS line_title, \
    COALESCE(l.properties, '') AS line_properties, l.sku_id, COALESCE(l.outer_sku_id, '') AS outer_sku_id, \
    COALESCE(l.qty, 0) AS line_qty, COALESCE(l.amount_paid, 0) AS line_paid, \
    COALESCE(l.refund_amount, 0) AS line_refunded, l.shipped_at AS line_shipped_at, r.refund_no, r.kind, r.status, \
    r.reason, r.amount, r.qty, r.return_carrier, r.return_tracking_no, r.created_at, r.deadline_at, r.status_since, \
    r.finished_at, r.seller_note, r.replacement_carrier, r.replacement_tracking_no, r.received_good, \
    r.received_damaged, r.created_by, d.id AS d_id, d.stage AS d_stage, d.reason AS d_reason, \
    d.evidence AS d_evidence, d.outcome AS d_outcome, d.opened_by AS d_opened_by, d.opened_at AS d_opened_at, \
    d.updated_at AS d_updated_at, d.decided_at AS d_decided_at";

const CASE_FROM: &str = "FROM refund r JOIN trade t ON t.id = r.trade_id JOIN shop s ON s.id = t.shop_id \
    LEFT JOIN order_line l ON l.id = r.order_line_id LEFT JOIN dispute d ON d.refund_id = r.id";

fn decode<T: std::str::FromStr>(v: String) -> Result<T, sqlx::Error>
where
    T::Err: std::error::Error + Send + Sync + 'static,
{
    v.parse::<T>().map_err(|e| sqlx::Error::Decode(Box::new(e)))
}

macro_rules! case_row {
    ($r:ident) => {{
        let created_at = from_ts($r.try_get("created_at")?);
        let line_qty: i64 = $r.try_get("line_qty")?;
        let qty: i64 = $r.try_get("qty")?;
        let dispute = match $r.try_get::<Option<i64>, _>("d_id")? {
            Some(id) => {
                let outcome: String = $r.try_get("d_outcome")?;
                Some(Dispute {
                    id,
                    stage: decode($r.try_get("d_stage")?)?,
                    reason: $r.try_get("d_reason")?,
                    evidence: $r.try_get("d_evidence")?,
                    outcome: if outcome.is_empty() { None } else { Some(decode(outcome)?) },
                    opened_by: $r.try_get("d_opened_by")?,
                    opened_at: from_ts($r.try_get("d_opened_at")?),
                    updated_at: from_ts($r.try_get("d_updated_at")?),
                    decided_at: $r.try_get::<Option<i64>, _>("d_decided_at")?.map(from_ts),
                })
            }
            None => None,
        };
        Ok::<RefundCase, sqlx::Error>(RefundCase {
            id: $r.try_get("id")?,
            company_id: $r.try_get("company_id")?,
            trade_id: $r.try_get("trade_id")?,
            tid: $r.try_get("tid")?,
            shop_id: $r.try_get("shop_id")?,
            shop_name: $r.try_get("shop_name")?,
            buyer_nick: $r.try_get("buyer_nick")?,
            trade_status: $r.try_get("trade_status")?,
            order_line_id: $r.try_get("order_line_id")?,
            line_title: $r.try_get("line_title")?,
            line_properties: $r.try_get("line_properties")?,
            sku_id: $r.try_get("sku_id")?,
            outer_sku_id: $r.try_get("outer_sku_id")?,
            line_qty,
            line_paid: Money::from_fen($r.try_get("line_paid")?),
            line_refunded: Money::from_fen($r.try_get("line_refunded")?),
            line_shipped: $r.try_get::<Option<i64>, _>("line_shipped_at")?.is_some(),
            refund_no: $r.try_get("refund_no")?,
            kind: decode($r.try_get("kind")?)?,
            status: decode($r.try_get("status")?)?,
            reason: $r.try_get("reason")?,
            amount: Money::from_fen($r.try_get("amount")?),
            qty: if qty > 0 { qty } else { line_qty },
            return_carrier: $r.try_get("return_carrier")?,
            return_tracking_no: $r.try_get("return_tracking_no")?,
            created_at,
            deadline_at: $r.try_get::<Option<i64>, _>("deadline_at")?.map(from_ts),
            status_since: $r.try_get::<Option<i64>, _>("status_since")?.map(from_ts).unwrap_or(created_at),
            finished_at: $r.try_get::<Option<i64>, _>("finished_at")?.map(from_ts),
            seller_note: $r.try_get("seller_note")?,
            replacement_carrier: $r.try_get("replacement_carrier")?,
            replacement_tracking_no: $r.try_get("replacement_tracking_no")?,
            received_good: $r.try_get("received_good")?,
            received_damaged: $r.try_get("received_damaged")?,
            created_by: $r.try_get("created_by")?,
            dispute,
        })
    }};
}

impl Tx {
    /// A case by id or refund number (locked on PostgreSQL, for a step that changes it).
    pub async fn refund_case(&mut self, company_id: i64, key: &str) -> Result<Option<RefundCase>, StoreError> {
        let lock = if matches!(self, Tx::Postgres(_)) { " FOR UPDATE OF r" } else { "" };
        let id: i64 = key.trim().parse().unwrap_or(-1);
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {CASE_COLUMNS} {CASE_FROM} WHERE r.company_id = $1 AND (r.refund_no = $2 OR r.id = $3) \
             ORDER BY r.id LIMIT 1{lock}"
        ));
        Ok(fetch_optional!(self, sql, [company_id, key.trim(), id], |r| case_row!(r))?)
    }

    /// Cases, newest first, or by deadline for open ones.
    pub async fn refund_cases(&mut self, f: &RefundFilter) -> Result<Vec<RefundCase>, StoreError> {
        let order =
            if f.open_only { "COALESCE(r.status_since, r.created_at), r.id" } else { "r.created_at DESC, r.id DESC" };
        let like = format!("%{}%", f.search.trim());
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {CASE_COLUMNS} {CASE_FROM} WHERE r.company_id = $1 AND ($2 = 0 OR t.shop_id = $2) \
               AND ($3 = 0 OR r.status NOT IN ('SUCCESS', 'CLOSED')) AND ($4 = '' OR r.status = $4) \
               AND ($5 = '' OR r.kind = $5) \
               AND ($6 = '%%' OR r.refund_no LIKE $6 OR t.tid LIKE $6 OR t.buyer_nick LIKE $6) \
             ORDER BY {order} LIMIT $7 OFFSET $8"
        ));
        Ok(fetch_all!(
            self,
            sql,
            [
                f.company_id,
                f.shop_id,
                i64::from(f.open_only),
                f.status.map(RefundStatus::code).unwrap_or(""),
                f.kind.map(RefundKind::code).unwrap_or(""),
                like.as_str(),
                if f.limit > 0 { f.limit } else { 200 },
                f.offset.max(0)
            ],
            |r| case_row!(r)
        )?)
    }

    /// The history of a case, oldest first.
    pub async fn refund_events(&mut self, refund_id: i64) -> Result<Vec<RefundEventRow>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT event, from_status, to_status, note, user_name, at FROM refund_event WHERE refund_id = $1 ORDER BY id",
            [refund_id],
            |r| Ok(RefundEventRow {
                event: r.try_get(0)?,
                from_status: r.try_get(1)?,
                to_status: r.try_get(2)?,
                note: r.try_get(3)?,
                user_name: r.try_get(4)?,
                at: from_ts(r.try_get(5)?),
            })
        )?)
    }

    /// Money already refunded on a line or asked by its other open cases that pay money.
    pub async fn line_refund_committed(&mut self, order_line_id: i64, except_refund: i64) -> Result<Money, StoreError> {
        let fen = fetch_scalar!(
            self,
            i64,
            "SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM refund WHERE order_line_id = $1 AND id <> $2 \
               AND status <> 'CLOSED' AND kind IN ('refund_unshipped', 'refund_shipped', 'return_and_refund')",
            order_line_id,
            except_refund
        )?;
        Ok(Money::from_fen(fen))
    }

    /// Open cases on a line (a line has at most one at a time).
    pub async fn open_cases_on_line(&mut self, order_line_id: i64) -> Result<Vec<String>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT refund_no FROM refund WHERE order_line_id = $1 AND status NOT IN ('SUCCESS', 'CLOSED') ORDER BY id",
            [order_line_id],
            |r| r.try_get::<String, _>(0)
        )?)
    }

    /// The unit cost a SKU of a trade left at (its latest sale shipment with a cost), if it shipped.
    pub async fn shipped_unit_cost(&mut self, trade_id: i64, sku_id: i64) -> Result<Option<Money>, StoreError> {
        let found = fetch_optional!(
            self,
            "SELECT unit_cost FROM stock_move WHERE ref_type = 'trade' AND ref_id = $1 AND sku_id = $2 \
               AND kind = 'sale_shipment' AND unit_cost > 0 ORDER BY id DESC LIMIT 1",
            [trade_id, sku_id],
            |r| r.try_get::<i64, _>(0)
        )?;
        Ok(found.map(Money::from_fen))
    }

    /// Every case on a line, by refund number, oldest first.
    pub async fn cases_on_line(&mut self, order_line_id: i64) -> Result<Vec<String>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT refund_no FROM refund WHERE order_line_id = $1 ORDER BY id",
            [order_line_id],
            |r| r.try_get::<String, _>(0)
        )?)
    }

    /// Turns case `c` into `r` (its refund number, kind, status, reason, money and times): the
    /// after-sales export names a case that an order export had recorded from the line's refund
    /// fields with estimated times, or a later order export shows the case became a return. The
    /// summaries are restated: what `c` counted is taken back on
    /// its days and what `r` counts is added on its own, including the day the trade counts among
    /// returns (its earliest return or exchange request). The history keeps its rows and gains one,
    /// at `since`, when the case's status began.
    #[allow(clippy::too_many_arguments)]
    pub async fn adopt_case(
        &mut self,
        c: &RefundCase,
        r: &crate::NewRefund,
        parcel: (&str, &str),
        note: &str,
        event_note: &str,
        since: DateTime<Utc>,
        tz: Tz,
    ) -> Result<(), StoreError> {
        let others = fetch_scalar!(
            self,
            Option<i64>,
            "SELECT MIN(created_at) FROM refund WHERE trade_id = $1 AND id <> $2 \
               AND kind IN ('return_and_refund', 'exchange')",
            c.trade_id,
            c.id
        )?
        .map(from_ts);
        let earliest = |kind: RefundKind, at: DateTime<Utc>| {
            let own = crate::summaries::is_return(kind).then_some(at);
            match (others, own) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            }
        };
        let before = earliest(c.kind, c.created_at);
        let after = earliest(r.kind, r.created_at);
        let mut d = SummaryDelta::new(c.company_id);
        d.case_counted(c.shop_id, c.kind, c.status, c.amount, c.created_at, c.finished_at, -1, tz);
        d.case_counted(c.shop_id, r.kind, r.status, r.amount, r.created_at, r.finished_at, 1, tz);
        if before != after {
            if let Some(at) = before {
                d.trade_return_uncounted(c.shop_id, at, tz);
            }
            if let Some(at) = after {
                d.trade_return_counted(c.shop_id, at, tz);
            }
        }
        let mut b = Batch::new();
        d.push(&mut b);
        b.push(
            "UPDATE refund SET refund_no = $1, kind = $2, status = $3, reason = $4, amount = $5, created_at = $6, \
                deadline_at = $7, finished_at = $8, status_since = $9, \
                return_carrier = CASE WHEN $10 = '' THEN return_carrier ELSE $10 END, \
                return_tracking_no = CASE WHEN $11 = '' THEN return_tracking_no ELSE $11 END, \
                note = CASE WHEN $12 = '' THEN note ELSE $12 END WHERE id = $13",
            {
                let mut a = crate::trade_write::refund_values(r);
                a.extend(args![to_ts(since), parcel.0, parcel.1, note, c.id]);
                a
            },
        );
        b.push(
            "INSERT INTO refund_event (company_id, refund_id, event, from_status, to_status, note, user_name, at) \
             VALUES ($1, $2, 'import', $3, $4, $5, 'import', $6)",
            args![c.company_id, c.id, c.status.code(), r.status.code(), event_note, to_ts(since)],
        );
        self.run_batch(&b).await?;
        Ok(())
    }

    /// Opens a case in WAIT_SELLER_AGREE with its first history row and its share of the summaries.
    pub async fn insert_case(&mut self, c: &NewCase) -> Result<i64, StoreError> {
        let id = self
            .insert_refund(&crate::NewRefund {
                company_id: c.company_id,
                trade_id: c.trade_id,
                order_line_id: Some(c.order_line_id),
                refund_no: c.refund_no.clone(),
                kind: c.kind,
                status: RefundStatus::WaitSellerAgree,
                reason: c.reason.clone(),
                amount: c.amount,
                created_at: c.at,
                deadline_at: None,
                finished_at: None,
            })
            .await?;
        let mut b = Batch::new();
        b.push(
            "UPDATE refund SET qty = $1, status_since = $2, created_by = $3 WHERE id = $4",
            args![c.qty, to_ts(c.at), &c.user, id],
        );
        b.push(
            "INSERT INTO refund_event (company_id, refund_id, event, from_status, to_status, note, user_name, at) \
             VALUES ($1, $2, 'apply', '', $3, $4, $5, $6)",
            args![c.company_id, id, RefundStatus::WaitSellerAgree.code(), &c.reason, &c.user, to_ts(c.at)],
        );
        self.run_batch(&b).await?;
        Ok(id)
    }

    /// Writes one step of a case. `Ok(false)`: the case was no longer in `from` (a concurrent step
    /// won); the caller must roll back.
    pub async fn apply_case_write(&mut self, w: &CaseWrite) -> Result<bool, StoreError> {
        let mut b = Batch::new();
        let mut expected = 0;
        if let (Some(from), Some(to)) = (w.from, w.to) {
            let finished = (!to.is_open()).then(|| to_ts(w.at));
            b.push(
                "UPDATE refund SET status = $1, status_since = $2, finished_at = COALESCE($3, finished_at) \
                 WHERE id = $4 AND status = $5",
                args![to.code(), to_ts(w.at), finished, w.refund_id, from.code()],
            );
            expected += 1;
            b.push(
                "INSERT INTO refund_event (company_id, refund_id, event, from_status, to_status, note, user_name, at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                args![w.company_id, w.refund_id, w.event, from.code(), to.code(), &w.note, &w.user, to_ts(w.at)],
            );
            expected += 1;
        }
        if let Some(note) = &w.seller_note {
            b.push("UPDATE refund SET seller_note = $1 WHERE id = $2", args![note, w.refund_id]);
            expected += 1;
        }
        if let Some((carrier, tracking)) = &w.return_shipment {
            b.push(
                "UPDATE refund SET return_carrier = $1, return_tracking_no = $2 WHERE id = $3",
                args![carrier, tracking, w.refund_id],
            );
            expected += 1;
        }
        if let Some((carrier, tracking)) = &w.replacement {
            b.push(
                "UPDATE refund SET replacement_carrier = $1, replacement_tracking_no = $2 WHERE id = $3",
                args![carrier, tracking, w.refund_id],
            );
            expected += 1;
        }
        if let Some((good, damaged)) = w.received {
            b.push(
                "UPDATE refund SET received_good = $1, received_damaged = $2 WHERE id = $3",
                args![good, damaged, w.refund_id],
            );
            expected += 1;
        }
        if let Some((trade_id, line_id, amount)) = w.paid_back {
            b.push(
                "UPDATE order_line SET refund_amount = refund_amount + $1, refund_status = 'SUCCESS' WHERE id = $2",
                args![amount.fen(), line_id],
            );
            b.push(
                "UPDATE trade SET refund_amount = refund_amount + $1, updated_at = $2 WHERE id = $3",
                args![amount.fen(), to_ts(w.at), trade_id],
            );
            expected += 2;
            if let Some((shop_id, tz)) = &w.shop {
                let mut d = SummaryDelta::new(w.company_id);
                d.refund_succeeded(*shop_id, amount, w.at, *tz);
                expected += d.push(&mut b);
            }
        }
        Ok(self.run_batch(&b).await? == expected)
    }

    /// Changes the money a case asks (the buyer changed the request).
    pub async fn set_refund_amount(&mut self, refund_id: i64, amount: Money) -> Result<(), StoreError> {
        exec!(self, "UPDATE refund SET amount = $1 WHERE id = $2", amount.fen(), refund_id)?;
        Ok(())
    }

    /// Return and exchange requests made in `[from, to)` in the scope (`shop_id` 0: every shop).
    pub async fn return_requests(
        &mut self,
        company_id: i64,
        shop_id: i64,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<ReturnRequest>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT r.id, r.kind, r.reason, r.trade_id, t.customer_id, t.buyer_nick, l.sku_id, \
                COALESCE(l.outer_sku_id, ''), COALESCE(l.title, ''), COALESCE(l.properties, ''), \
                CASE WHEN r.qty > 0 THEN r.qty ELSE COALESCE(l.qty, 0) END, r.received_damaged \
             FROM refund r JOIN trade t ON t.id = r.trade_id LEFT JOIN order_line l ON l.id = r.order_line_id \
             WHERE r.company_id = $1 AND ($2 = 0 OR t.shop_id = $2) AND r.kind IN ('return_and_refund', 'exchange') \
               AND r.created_at >= $3 AND r.created_at < $4 \
             ORDER BY r.id",
            [company_id, shop_id, to_ts(from), to_ts(to)],
            |r| Ok(ReturnRequest {
                refund_id: r.try_get(0)?,
                kind: decode(r.try_get(1)?)?,
                reason: r.try_get(2)?,
                trade_id: r.try_get(3)?,
                customer_id: r.try_get(4)?,
                buyer_nick: r.try_get(5)?,
                sku_id: r.try_get(6)?,
                outer_sku_id: r.try_get(7)?,
                title: r.try_get(8)?,
                properties: r.try_get(9)?,
                qty: r.try_get(10)?,
                received_damaged: r.try_get(11)?,
            })
        )?)
    }

    /// Per customer, up to `to`: trades shipped and trades with a return or exchange request
    /// (`(customer_id, shipped, returned)`), for the customers given.
    pub async fn customer_return_counts(
        &mut self,
        company_id: i64,
        customer_ids: &[i64],
        to: DateTime<Utc>,
    ) -> Result<Vec<(i64, i64, i64)>, StoreError> {
        let mut out = Vec::with_capacity(customer_ids.len());
        for chunk in customer_ids.chunks(500) {
            let marks: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 3)).collect();
            let sql = sqlx::AssertSqlSafe(format!(
                "SELECT t.customer_id, \
                    CAST(SUM(CASE WHEN t.shipped_at IS NOT NULL AND t.shipped_at < $2 THEN 1 ELSE 0 END) AS BIGINT), \
                    CAST(SUM(CASE WHEN EXISTS (SELECT 1 FROM refund r WHERE r.trade_id = t.id \
                        AND r.kind IN ('return_and_refund', 'exchange') AND r.created_at < $2) THEN 1 ELSE 0 END) AS BIGINT) \
                 FROM trade t WHERE t.company_id = $1 AND t.customer_id IN ({}) GROUP BY t.customer_id",
                marks.join(", ")
            ));
            let rows = match self {
                Tx::Sqlite(t) => {
                    let mut q = sqlx::query(sql).bind(company_id).bind(to_ts(to));
                    for id in chunk {
                        q = q.bind(*id);
                    }
                    q.fetch_all(&mut **t)
                        .await?
                        .iter()
                        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
                        .collect::<Result<Vec<(i64, i64, i64)>, sqlx::Error>>()?
                }
                Tx::Postgres(t) => {
                    let mut q = sqlx::query(sql).bind(company_id).bind(to_ts(to));
                    for id in chunk {
                        q = q.bind(*id);
                    }
                    q.fetch_all(&mut **t)
                        .await?
                        .iter()
                        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
                        .collect::<Result<Vec<(i64, i64, i64)>, sqlx::Error>>()?
                }
            };
            out.extend(rows);
        }
        out.sort_unstable();
        Ok(out)
    }

    /// Brings a line's refund amount up to what its successful cases paid back, and its trade's up to
    /// what all the trade's successful cases paid back (never down: an order export may already have
    /// reported a larger refund; an open request's asked amount is not paid back).
    pub async fn sync_refund_amounts(&mut self, trade_id: i64, order_line_id: i64) -> Result<(), StoreError> {
        let mut b = Batch::new();
        b.push(
            "UPDATE order_line SET refund_amount = CASE WHEN x.paid > refund_amount THEN x.paid ELSE refund_amount END, \
                refund_status = CASE WHEN x.paid > 0 THEN 'SUCCESS' ELSE refund_status END \
             FROM (SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) AS paid FROM refund WHERE order_line_id = $1 \
                AND status = 'SUCCESS' AND kind IN ('refund_unshipped', 'refund_shipped', 'return_and_refund')) x \
             WHERE order_line.id = $1",
            args![order_line_id],
        );
        b.push(
            "UPDATE trade SET refund_amount = CASE WHEN x.paid > refund_amount THEN x.paid ELSE refund_amount END \
             FROM (SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) AS paid FROM refund WHERE trade_id = $1 \
                AND status = 'SUCCESS' AND kind IN ('refund_unshipped', 'refund_shipped', 'return_and_refund')) x \
             WHERE trade.id = $1",
            args![trade_id],
        );
        self.run_batch(&b).await?;
        Ok(())
    }

    /// Updates a case from a later export: status, money, times, the return parcel; with a history
    /// row. Returns false when nothing differed.
    #[allow(clippy::too_many_arguments)]
    pub async fn update_case_from_export(
        &mut self,
        c: &RefundCase,
        status: RefundStatus,
        amount: Money,
        deadline_at: Option<DateTime<Utc>>,
        finished_at: Option<DateTime<Utc>>,
        parcel: (&str, &str),
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let same = c.status == status
            && c.amount == amount
            && c.deadline_at == deadline_at
            && c.finished_at == finished_at
            && (parcel.1.is_empty() || c.return_tracking_no == parcel.1);
        if same {
            return Ok(false);
        }
        let mut b = Batch::new();
        b.push(
            "UPDATE refund SET status = $1, amount = $2, deadline_at = $3, finished_at = $4, \
                return_carrier = CASE WHEN $5 = '' THEN return_carrier ELSE $5 END, \
                return_tracking_no = CASE WHEN $6 = '' THEN return_tracking_no ELSE $6 END, \
                status_since = CASE WHEN status = $1 THEN status_since ELSE $7 END WHERE id = $8",
            args![
                status.code(),
                amount.fen(),
                deadline_at.map(to_ts),
                finished_at.map(to_ts),
                parcel.0,
                parcel.1,
                to_ts(at),
                c.id
            ],
        );
        b.push(
            "INSERT INTO refund_event (company_id, refund_id, event, from_status, to_status, note, user_name, at) \
             VALUES ($1, $2, 'import', $3, $4, '', 'import', $5)",
            args![c.company_id, c.id, c.status.code(), status.code(), to_ts(at)],
        );
        self.run_batch(&b).await?;
        Ok(true)
    }

    /// What an imported case carries besides its refund row: when its status began, the return
    /// parcel, the buyer's note, and its first history row.
    pub async fn set_imported_case_details(
        &mut self,
        refund_id: i64,
        since: DateTime<Utc>,
        parcel: (&str, &str),
        note: &str,
    ) -> Result<(), StoreError> {
        let mut b = Batch::new();
        b.push(
            "UPDATE refund SET status_since = $1, return_carrier = $2, return_tracking_no = $3, note = $4, \
                created_by = 'import' WHERE id = $5",
            args![to_ts(since), parcel.0, parcel.1, note, refund_id],
        );
        b.push(
            "INSERT INTO refund_event (company_id, refund_id, event, from_status, to_status, note, user_name, at) \
             SELECT company_id, id, 'import', '', status, '', 'import', $2 FROM refund WHERE id = $1",
            args![refund_id, to_ts(since)],
        );
        self.run_batch(&b).await?;
        Ok(())
    }

    /// Opens a dispute on a case.
    pub async fn insert_dispute(
        &mut self,
        company_id: i64,
        refund_id: i64,
        reason: &str,
        user: &str,
        at: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        Ok(fetch_scalar!(
            self,
            i64,
            "INSERT INTO dispute (company_id, refund_id, stage, reason, opened_by, opened_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
            company_id,
            refund_id,
            DisputeStage::Opened.code(),
            reason,
            user,
            to_ts(at)
        )?)
    }

    /// Moves a dispute on: a new stage, evidence appended, an outcome. `Ok(false)` when the dispute
    /// was no longer at `from` stage.
    pub async fn update_dispute(
        &mut self,
        dispute_id: i64,
        from: DisputeStage,
        to: DisputeStage,
        evidence: &str,
        outcome: Option<DisputeOutcome>,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let decided = (to == DisputeStage::Decided).then(|| to_ts(at));
        let changed = exec!(
            self,
            "UPDATE dispute SET stage = $1, evidence = $2, outcome = $3, updated_at = $4, \
                decided_at = COALESCE($5, decided_at) WHERE id = $6 AND stage = $7",
            to.code(),
            evidence,
            outcome.map(DisputeOutcome::code).unwrap_or(""),
            to_ts(at),
            decided,
            dispute_id,
            from.code()
        )?;
        Ok(changed == 1)
    }

    /// The company's location for goods that cannot be sold (次品仓), created on first use.
    pub async fn defective_warehouse(&mut self, company_id: i64) -> Result<i64, StoreError> {
        let found = fetch_optional!(
            &mut *self,
            "SELECT id FROM warehouse WHERE company_id = $1 AND NOT sellable ORDER BY id LIMIT 1",
            [company_id],
            |r| r.try_get::<i64, _>(0)
        )?;
        if let Some(id) = found {
            return Ok(id);
        }
        let id = self.insert_warehouse(company_id, "DEFECTIVE", "次品仓").await?;
        exec!(self, "UPDATE warehouse SET sellable = FALSE WHERE id = $1", id)?;
        Ok(id)
    }
}
