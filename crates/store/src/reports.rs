//! What the reports read: the sales summaries (see `summaries`), shop traffic, distinct buyers over a
//! period, stock, purchasing and open work (unshipped trades, refunds near their deadline).
//!
//! A scope is a company and optionally one shop: `shop_id` 0 means every shop of the company. Days
//! are company days, 'YYYY-MM-DD', inclusive; times are UTC seconds, `[from, to)`.
//!
//! The `raw_*` queries compute the same figures straight from trades, lines and refunds; they exist to
//! measure what the summaries save (`zhanggui bench report`) and to cross-check them.

use chrono::{DateTime, Utc};
use zhanggui_domain::Money;

use crate::batch::marks;
use crate::summaries::{ShopDay, SkuDay};
use crate::{StoreError, Tx, from_ts, to_ts};

/// Distinct buyers of a period: how many, and how many trades had no buyer id (a platform whose
/// export names no buyer), in which case the count is not the period's buyers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DistinctBuyers {
    pub buyers: i64,
    pub trades_without_buyer: i64,
}

/// Which trade time a distinct count follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TradeTime {
    Created,
    Paid,
}

/// A SKU as the reports name it, with its product and its supplier's terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportSku {
    pub sku_id: i64,
    pub outer_sku_id: String,
    pub properties: String,
    pub product_id: i64,
    pub outer_id: String,
    pub title: String,
    pub listed_at: Option<DateTime<Utc>>,
    pub on_shelf: bool,
    /// The supplier's lead time and pack size, when the product has a supplier.
    pub lead_time_days: Option<i64>,
    pub pack_size: Option<i64>,
}

/// Stock of a SKU over every warehouse for sale, now, and what is on its way.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SkuStock {
    pub on_hand: i64,
    pub reserved: i64,
    pub in_transit: i64,
    /// The earliest expected arrival of an open purchase order line with units still to come.
    pub next_arrival: Option<DateTime<Utc>>,
}

/// A paid trade that had not shipped at the time asked about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unshipped {
    pub trade_id: i64,
    pub tid: String,
    pub shop_id: i64,
    pub status: String,
    pub paid_at: DateTime<Utc>,
    pub ship_by_at: Option<DateTime<Utc>>,
}

/// A refund waiting for the seller, with its deadline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenRefund {
    pub refund_no: String,
    pub tid: String,
    /// The shop of the refund's trade.
    pub shop_id: i64,
    pub kind: String,
    pub status: String,
    /// The platform's deadline, where an export gave one.
    pub deadline_at: Option<DateTime<Utc>>,
    /// When the status last changed (the default deadlines count from here).
    pub status_since: DateTime<Utc>,
}

/// A customer's paid trades in a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerPaid {
    pub customer_id: i64,
    pub paid_trades: i64,
    pub amount_paid: Money,
    pub province: String,
}

impl Tx {
    /// When the company's latest trade was created, if it has any.
    pub async fn last_trade_created(&mut self, company_id: i64) -> Result<Option<DateTime<Utc>>, StoreError> {
        let at = fetch_optional!(self, "SELECT MAX(created_at) FROM trade WHERE company_id = $1", [company_id], |r| r
            .try_get::<Option<i64>, _>(0))?;
        Ok(at.flatten().map(from_ts))
    }

    /// A company's trades, SKUs and the whole days its trades span: (trades, SKUs, days).
    pub async fn company_size(&mut self, company_id: i64) -> Result<(usize, usize, u32), StoreError> {
        let (trades, first, last) = fetch_optional!(
            &mut *self,
            "SELECT COUNT(*), MIN(created_at), MAX(created_at) FROM trade WHERE company_id = $1",
            [company_id],
            |r| Ok((r.try_get::<i64, _>(0)?, r.try_get::<Option<i64>, _>(1)?, r.try_get::<Option<i64>, _>(2)?))
        )?
        .unwrap_or_default();
        let skus = fetch_scalar!(&mut *self, i64, "SELECT COUNT(*) FROM sku WHERE company_id = $1", company_id)?;
        let days = match (first, last) {
            (Some(a), Some(b)) => ((b - a) / 86_400 + 1) as u32,
            _ => 0,
        };
        Ok((usize::try_from(trades).unwrap_or(0), usize::try_from(skus).unwrap_or(0), days))
    }

    /// Units and amount paid per SKU over days `from ..= to` in scope: (sku, units, amount).
    pub async fn sku_sales(
        &mut self,
        company_id: i64,
        shop_id: i64,
        from: &str,
        to: &str,
    ) -> Result<Vec<(i64, i64, i64)>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT sku_id, CAST(SUM(units_paid) AS BIGINT), CAST(SUM(amount_paid) AS BIGINT) FROM sales_sku_daily \
             WHERE company_id = $1 AND day >= $2 AND day <= $3 AND ($4 = 0 OR shop_id = $4) GROUP BY sku_id",
            [company_id, from, to, shop_id],
            |r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?))
        )?)
    }

    /// Shop traffic (item_id '') per (shop, day) in scope: (shop, day, pv, uv).
    pub async fn shop_traffic(
        &mut self,
        company_id: i64,
        shop_id: i64,
        from: &str,
        to: &str,
    ) -> Result<Vec<(i64, String, i64, i64)>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT shop_id, day, pv, uv FROM traffic_daily \
             WHERE company_id = $1 AND item_id = '' AND day >= $2 AND day <= $3 AND ($4 = 0 OR shop_id = $4)",
            [company_id, from, to, shop_id],
            |r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?))
        )?)
    }

    /// Distinct buyers of the trades created (or paid) in `[from, to)` in scope, read from the
    /// covering index of that time alone.
    pub async fn distinct_buyers(
        &mut self,
        company_id: i64,
        shop_id: i64,
        time: TradeTime,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<DistinctBuyers, StoreError> {
        let sql = match time {
            TradeTime::Created => {
                "SELECT COUNT(DISTINCT customer_id), COALESCE(CAST(SUM(CASE WHEN customer_id IS NULL THEN 1 ELSE 0 END) AS BIGINT), 0) \
                 FROM trade WHERE company_id = $1 AND created_at >= $2 AND created_at < $3 AND ($4 = 0 OR shop_id = $4)"
            }
            TradeTime::Paid => {
                "SELECT COUNT(DISTINCT customer_id), COALESCE(CAST(SUM(CASE WHEN customer_id IS NULL THEN 1 ELSE 0 END) AS BIGINT), 0) \
                 FROM trade WHERE company_id = $1 AND paid_at >= $2 AND paid_at < $3 AND ($4 = 0 OR shop_id = $4)"
            }
        };
        let found =
            fetch_optional!(self, sql, [company_id, to_ts(from), to_ts(to), shop_id], |r| Ok(DistinctBuyers {
                buyers: r.try_get(0)?,
                trades_without_buyer: r.try_get(1)?,
            }))?;
        Ok(found.unwrap_or_default())
    }

    /// The cost of goods shipped in `[from, to)` in scope (the ledger's basis), from the stock moves
    /// themselves: sale shipments at the unit cost they left at, less returned goods received back
    /// into a sellable warehouse at theirs. Shipments that left without a cost (unit cost 0) count at
    /// the SKU's cost now. Reports read the same from the summaries (`cost_shipped` and
    /// `uncosted_shipment_daily`); this is the check and the raw-source path.
    pub async fn cost_of_goods_shipped(
        &mut self,
        company_id: i64,
        shop_id: i64,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Money, StoreError> {
        let (known, uncosted) = self.raw_goods_cost(company_id, shop_id, from, to).await?;
        Ok(Money::from_fen(known + uncosted))
    }

    /// The two parts of [`Tx::cost_of_goods_shipped`] in fen: what the moves carry (`cost_shipped`)
    /// and what the shipments without a cost are worth at their SKUs' costs now.
    pub async fn raw_goods_cost(
        &mut self,
        company_id: i64,
        shop_id: i64,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<(i64, i64), StoreError> {
        let found = fetch_optional!(
            self,
            "SELECT CAST(COALESCE(SUM(CASE WHEN m.kind = 'sale_shipment' AND m.unit_cost = 0 THEN 0 \
                    ELSE -m.qty * m.unit_cost END), 0) AS BIGINT), \
                CAST(COALESCE(SUM(CASE WHEN m.kind = 'sale_shipment' AND m.unit_cost = 0 THEN -m.qty * s.cost \
                    ELSE 0 END), 0) AS BIGINT) FROM stock_move m \
             JOIN warehouse w ON w.id = m.warehouse_id JOIN sku s ON s.id = m.sku_id \
             LEFT JOIN refund r ON m.ref_type = 'refund' AND r.id = m.ref_id \
             JOIN trade t ON t.id = CASE WHEN m.ref_type = 'trade' THEN m.ref_id ELSE r.trade_id END \
             WHERE m.company_id = $1 AND m.kind IN ('sale_shipment', 'return_receipt') \
               AND m.created_at >= $2 AND m.created_at < $3 \
               AND (m.kind = 'sale_shipment' OR w.sellable) AND ($4 = 0 OR t.shop_id = $4)",
            [company_id, to_ts(from), to_ts(to), shop_id],
            |r| Ok((r.try_get::<i64, _>(0)?, r.try_get::<i64, _>(1)?))
        )?;
        Ok(found.unwrap_or_default())
    }

    /// Each customer's paid trades in `[from, to)` in scope, with the customer's province.
    pub async fn customers_paid(
        &mut self,
        company_id: i64,
        shop_id: i64,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<CustomerPaid>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT p.customer_id, p.n, p.amount, COALESCE(c.province, '') FROM \
                (SELECT customer_id, COUNT(*) AS n, CAST(SUM(amount_paid) AS BIGINT) AS amount FROM trade \
                 WHERE company_id = $1 AND paid_at >= $2 AND paid_at < $3 AND ($4 = 0 OR shop_id = $4) \
                   AND customer_id IS NOT NULL GROUP BY customer_id) p \
             LEFT JOIN customer c ON c.id = p.customer_id ORDER BY p.customer_id",
            [company_id, to_ts(from), to_ts(to), shop_id],
            |r| Ok(CustomerPaid {
                customer_id: r.try_get(0)?,
                paid_trades: r.try_get(1)?,
                amount_paid: Money::from_fen(r.try_get(2)?),
                province: r.try_get(3)?,
            })
        )?)
    }

    /// Of the customers who paid in `[from, to)` in scope, how many had paid before `from` (in scope):
    /// returning customers (老客户). Reads the period's trades and those customers' earlier ones.
    pub async fn returning_customers(
        &mut self,
        company_id: i64,
        shop_id: i64,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        Ok(fetch_scalar!(
            self,
            i64,
            "SELECT COUNT(*) FROM (SELECT DISTINCT customer_id FROM trade \
                WHERE company_id = $1 AND paid_at >= $2 AND paid_at < $3 AND ($4 = 0 OR shop_id = $4) \
                  AND customer_id IS NOT NULL) p \
             WHERE EXISTS (SELECT 1 FROM trade e WHERE e.customer_id = p.customer_id AND e.paid_at < $2 \
                AND ($4 = 0 OR e.shop_id = $4))",
            company_id,
            to_ts(from),
            to_ts(to),
            shop_id
        )?)
    }

    /// Customers with at least one paid trade, per member tier ('' = no tier), for one buyer account
    /// system or all ('').
    pub async fn members_by_tier(
        &mut self,
        company_id: i64,
        account_system: &str,
    ) -> Result<Vec<(String, i64)>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT tier, COUNT(*) FROM customer WHERE company_id = $1 AND paid_trades > 0 \
                AND ($2 = '' OR account_system = $2) GROUP BY tier ORDER BY tier",
            [company_id, account_system],
            |r| Ok((r.try_get(0)?, r.try_get(1)?))
        )?)
    }

    /// The SKUs of a company with their products and suppliers' terms and their stock over every
    /// warehouse for sale, with what is on its way, by SKU code: the catalogue behind the replenishment
    /// table, the best sellers and the stock alerts. One row per SKU, its on-hand and reserved units
    /// looked up by the database as the row is made (every row that comes back costs far more than
    /// those lookups), and the open purchase order lines read apart.
    pub async fn report_book(&mut self, company_id: i64) -> Result<Vec<(ReportSku, SkuStock)>, StoreError> {
        let mut book = fetch_all!(
            self,
            "SELECT s.id, s.outer_sku_id, s.properties, p.id, p.outer_id, p.title, p.listed_at, p.on_shelf, \
                    sup.lead_time_days, sup.pack_size, \
                    COALESCE((SELECT CAST(SUM(b.on_hand) AS BIGINT) FROM stock_balance b \
                              WHERE b.sku_id = s.id AND b.warehouse_id IN (SELECT w.id FROM warehouse w WHERE w.sellable)), 0), \
                    COALESCE((SELECT CAST(SUM(b.reserved) AS BIGINT) FROM stock_balance b \
                              WHERE b.sku_id = s.id AND b.warehouse_id IN (SELECT w.id FROM warehouse w WHERE w.sellable)), 0) \
             FROM sku s JOIN product p ON p.id = s.product_id LEFT JOIN supplier sup ON sup.id = p.supplier_id \
             WHERE s.company_id = $1 ORDER BY s.outer_sku_id",
            [company_id],
            |r| Ok((
                ReportSku {
                    sku_id: r.try_get(0)?,
                    outer_sku_id: r.try_get(1)?,
                    properties: r.try_get(2)?,
                    product_id: r.try_get(3)?,
                    outer_id: r.try_get(4)?,
                    title: r.try_get(5)?,
                    listed_at: r.try_get::<Option<i64>, _>(6)?.map(from_ts),
                    on_shelf: r.try_get(7)?,
                    lead_time_days: r.try_get(8)?,
                    pack_size: r.try_get(9)?,
                },
                SkuStock { on_hand: r.try_get(10)?, reserved: r.try_get(11)?, in_transit: 0, next_arrival: None },
            ))
        )?;
        let coming: std::collections::HashMap<i64, (i64, Option<DateTime<Utc>>)> =
            self.coming_in(company_id, None).await?.into_iter().map(|(sku, qty, at)| (sku, (qty, at))).collect();
        for (sku, stock) in &mut book {
            if let Some((qty, at)) = coming.get(&sku.sku_id) {
                stock.in_transit = *qty;
                stock.next_arrival = *at;
            }
        }
        Ok(book)
    }

    /// Stock of the given SKUs (a page of a list) over every warehouse for sale, with what is on its
    /// way: (sku, stock), for the SKUs that have any.
    pub async fn sku_stock_in(&mut self, company_id: i64, ids: &[i64]) -> Result<Vec<(i64, SkuStock)>, StoreError> {
        use sqlx::Row as _;
        let mut out: std::collections::BTreeMap<i64, SkuStock> = std::collections::BTreeMap::new();
        for chunk in ids.chunks(500) {
            let balances = format!(
                "SELECT sku_id, CAST(SUM(on_hand) AS BIGINT), CAST(SUM(reserved) AS BIGINT) FROM stock_balance \
                 WHERE company_id = $1 AND warehouse_id IN (SELECT w.id FROM warehouse w WHERE w.sellable) \
                   AND sku_id IN ({}) GROUP BY sku_id",
                marks(2, chunk.len())
            );
            let mut a = crate::args![company_id];
            a.extend(chunk.iter().map(|s| crate::batch::Value::from(*s)));
            macro_rules! read {
                ($t:expr) => {{
                    let q = crate::bind_values!(sqlx::query(sqlx::AssertSqlSafe(balances)), a.iter());
                    for r in q.fetch_all(&mut **$t).await? {
                        let s = out.entry(r.try_get(0)?).or_default();
                        s.on_hand = r.try_get(1)?;
                        s.reserved = r.try_get(2)?;
                    }
                }};
            }
            match self {
                Tx::Sqlite(t) => read!(t),
                Tx::Postgres(t) => read!(t),
            }
            for (sku, qty, at) in self.coming_in(company_id, Some(chunk)).await? {
                let s = out.entry(sku).or_default();
                s.in_transit = qty;
                s.next_arrival = at;
            }
        }
        Ok(out.into_iter().collect())
    }

    /// What is on its way per SKU (of the given SKUs, or of all for `None`): the units still to come
    /// on open purchase order lines and their earliest expected arrival: (sku, units, arrival).
    async fn coming_in(
        &mut self,
        company_id: i64,
        only: Option<&[i64]>,
    ) -> Result<Vec<(i64, i64, Option<DateTime<Utc>>)>, StoreError> {
        use sqlx::Row as _;
        let among = only.map_or(String::new(), |ids| format!(" AND l.sku_id IN ({})", marks(2, ids.len())));
        let sql = format!(
            "SELECT l.sku_id, CAST(SUM(l.qty_ordered - l.qty_received) AS BIGINT), \
                    MIN(COALESCE(l.expected_at, o.expected_at)) \
             FROM purchase_order_line l JOIN purchase_order o ON o.id = l.purchase_order_id \
             WHERE o.company_id = $1 AND o.status IN ('ordered', 'partially_received') \
               AND l.qty_ordered > l.qty_received{among} GROUP BY l.sku_id"
        );
        let mut a = crate::args![company_id];
        a.extend(only.unwrap_or_default().iter().map(|s| crate::batch::Value::from(*s)));
        let mut out = Vec::new();
        macro_rules! read {
            ($t:expr) => {{
                let q = crate::bind_values!(sqlx::query(sqlx::AssertSqlSafe(sql)), a.iter());
                for r in q.fetch_all(&mut **$t).await? {
                    out.push((r.try_get(0)?, r.try_get(1)?, r.try_get::<Option<i64>, _>(2)?.map(from_ts)));
                }
            }};
        }
        match self {
            Tx::Sqlite(t) => read!(t),
            Tx::Postgres(t) => read!(t),
        }
        Ok(out)
    }

    /// Trades paid in `[since, asof)` in scope that had not shipped and were not closed at `asof`
    /// (the trade's current status is kept to tell a group buy not formed, 拼团中, from the rest),
    /// of those paid by `paid_by` or due by a platform ship-by time by `ship_by_by` (the trades that
    /// can raise a shipping alert, `zhanggui_domain::alerts::ship_alert_bounds`; `asof` for both
    /// reads them all).
    pub async fn unshipped_at(
        &mut self,
        company_id: i64,
        shop_id: i64,
        since: DateTime<Utc>,
        asof: DateTime<Utc>,
        paid_by: DateTime<Utc>,
        ship_by_by: DateTime<Utc>,
    ) -> Result<Vec<Unshipped>, StoreError> {
        // Three disjoint parts, each read from its own small index (migration 0010): trades still
        // neither shipped nor closed, trades shipped since `asof`, trades closed since without shipping.
        // `+paid_at` keeps the planner off the index of all paid trades in the last two.
        Ok(fetch_all!(
            self,
            "SELECT id, tid, shop_id, status, paid_at, ship_by_at FROM trade \
             WHERE company_id = $1 AND paid_at >= $2 AND paid_at < $3 AND ($4 = 0 OR shop_id = $4) \
               AND shipped_at IS NULL AND closed_at IS NULL AND (paid_at <= $5 OR ship_by_at <= $6) \
             UNION ALL \
             SELECT id, tid, shop_id, status, paid_at, ship_by_at FROM trade \
             WHERE company_id = $1 AND shipped_at >= $3 AND +paid_at >= $2 AND +paid_at < $3 AND ($4 = 0 OR shop_id = $4) \
               AND (closed_at IS NULL OR closed_at >= $3) AND (+paid_at <= $5 OR ship_by_at <= $6) \
             UNION ALL \
             SELECT id, tid, shop_id, status, paid_at, ship_by_at FROM trade \
             WHERE company_id = $1 AND closed_at >= $3 AND shipped_at IS NULL AND +paid_at >= $2 AND +paid_at < $3 \
               AND ($4 = 0 OR shop_id = $4) AND (+paid_at <= $5 OR ship_by_at <= $6) \
             ORDER BY 5, 1",
            [company_id, to_ts(since), to_ts(asof), shop_id, to_ts(paid_by), to_ts(ship_by_by)],
            |r| Ok(Unshipped {
                trade_id: r.try_get(0)?,
                tid: r.try_get(1)?,
                shop_id: r.try_get(2)?,
                status: r.try_get(3)?,
                paid_at: from_ts(r.try_get(4)?),
                ship_by_at: r.try_get::<Option<i64>, _>(5)?.map(from_ts),
            })
        )?)
    }

    /// Refunds waiting for the seller now (等待卖家同意, 等待卖家确认收货), asked for before `asof`, with
    /// a deadline, in scope, by refund number.
    ///
    /// Read by status from `refund_company_finished`, so the cost follows the open cases, not every
    /// refund ever made: `+created_at` keeps SQLite off the index by creation time, and the order is
    /// made here, since sorting in SQL makes it walk every refund of the company in number order.
    pub async fn open_refunds(
        &mut self,
        company_id: i64,
        shop_id: i64,
        asof: DateTime<Utc>,
    ) -> Result<Vec<OpenRefund>, StoreError> {
        let mut open = fetch_all!(
            self,
            "SELECT r.refund_no, t.tid, r.kind, r.status, r.deadline_at, COALESCE(r.status_since, r.created_at), t.shop_id \
             FROM refund r JOIN trade t ON t.id = r.trade_id \
             WHERE r.company_id = $1 AND r.status IN ('WAIT_SELLER_AGREE', 'WAIT_SELLER_CONFIRM_GOODS') \
               AND +r.created_at < $2 AND ($3 = 0 OR t.shop_id = $3)",
            [company_id, to_ts(asof), shop_id],
            |r| Ok(OpenRefund {
                refund_no: r.try_get(0)?,
                tid: r.try_get(1)?,
                kind: r.try_get(2)?,
                status: r.try_get(3)?,
                deadline_at: r.try_get::<Option<i64>, _>(4)?.map(from_ts),
                status_since: from_ts(r.try_get(5)?),
                shop_id: r.try_get(6)?,
            })
        )?;
        open.sort_by(|a, b| a.refund_no.cmp(&b.refund_no));
        Ok(open)
    }

    /// The additive figures of `[from, to)` in scope computed from trades and refunds directly
    /// (no summaries): what the summaries save. The cost of goods shipped is left at 0: the raw
    /// source reads it from the stock moves only when a report wants 毛利 ([`Tx::cost_of_goods_shipped`]).
    pub async fn raw_shop_totals(
        &mut self,
        company_id: i64,
        shop_id: i64,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<ShopDay, StoreError> {
        let (f, t) = (to_ts(from), to_ts(to));
        let created: (i64, i64) = fetch_optional!(
            &mut *self,
            "SELECT COUNT(*), COALESCE(CAST(SUM(total_amount - discount) AS BIGINT), 0) FROM trade \
             WHERE company_id = $1 AND created_at >= $2 AND created_at < $3 AND ($4 = 0 OR shop_id = $4)",
            [company_id, f, t, shop_id],
            |r| Ok((r.try_get(0)?, r.try_get(1)?))
        )?
        .unwrap_or_default();
        let paid: (i64, i64, i64) = fetch_optional!(
            &mut *self,
            "SELECT COUNT(*), COALESCE(CAST(SUM(amount_paid) AS BIGINT), 0), COALESCE(CAST(SUM(item_count) AS BIGINT), 0) \
             FROM trade WHERE company_id = $1 AND paid_at >= $2 AND paid_at < $3 AND ($4 = 0 OR shop_id = $4)",
            [company_id, f, t, shop_id],
            |r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?))
        )?
        .unwrap_or_default();
        let shipped: i64 = fetch_scalar!(
            &mut *self,
            i64,
            "SELECT COUNT(*) FROM trade WHERE company_id = $1 AND shipped_at >= $2 AND shipped_at < $3 \
                AND ($4 = 0 OR shop_id = $4)",
            company_id,
            f,
            t,
            shop_id
        )?;
        let refunds: (i64, i64) = fetch_optional!(
            &mut *self,
            "SELECT COUNT(*), COALESCE(CAST(SUM(r.amount) AS BIGINT), 0) FROM refund r JOIN trade t ON t.id = r.trade_id \
             WHERE r.company_id = $1 AND r.status = 'SUCCESS' \
               AND r.kind IN ('refund_unshipped', 'refund_shipped', 'return_and_refund') \
               AND r.finished_at >= $2 AND r.finished_at < $3 AND ($4 = 0 OR t.shop_id = $4)",
            [company_id, f, t, shop_id],
            |r| Ok((r.try_get(0)?, r.try_get(1)?))
        )?
        .unwrap_or_default();
        let returns: (i64, i64) = fetch_optional!(
            &mut *self,
            "SELECT COALESCE(CAST(SUM(CASE WHEN r.kind = 'return_and_refund' THEN 1 ELSE 0 END) AS BIGINT), 0), \
                    COALESCE(CAST(SUM(CASE WHEN r.kind = 'exchange' THEN 1 ELSE 0 END) AS BIGINT), 0) \
             FROM refund r JOIN trade t ON t.id = r.trade_id \
             WHERE r.company_id = $1 AND r.created_at >= $2 AND r.created_at < $3 AND ($4 = 0 OR t.shop_id = $4)",
            [company_id, f, t, shop_id],
            |r| Ok((r.try_get(0)?, r.try_get(1)?))
        )?
        .unwrap_or_default();
        let first_returns: i64 = fetch_scalar!(
            &mut *self,
            i64,
            "SELECT COUNT(*) FROM (SELECT MIN(r.created_at) AS first_at FROM refund r JOIN trade t ON t.id = r.trade_id \
                WHERE r.company_id = $1 AND r.kind IN ('return_and_refund', 'exchange') AND ($4 = 0 OR t.shop_id = $4) \
                GROUP BY r.trade_id) x WHERE x.first_at >= $2 AND x.first_at < $3",
            company_id,
            f,
            t,
            shop_id
        )?;
        Ok(ShopDay {
            orders_created: created.0,
            amount_created: created.1,
            orders_paid: paid.0,
            amount_paid: paid.1,
            units_paid: paid.2,
            trades_shipped: shipped,
            refunds: refunds.0,
            refund_amount: refunds.1,
            return_requests: returns.0,
            exchange_requests: returns.1,
            trades_returned_or_exchanged: first_returns,
            // Read on its own, only when a report wants 毛利 (`cost_of_goods_shipped`).
            cost_shipped: 0,
        })
    }

    /// Units and amount paid per SKU in `[from, to)` in scope from trades and lines directly:
    /// (sku, units, amount).
    pub async fn raw_sku_sales(
        &mut self,
        company_id: i64,
        shop_id: i64,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<(i64, i64, i64)>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT l.sku_id, CAST(SUM(l.qty) AS BIGINT), CAST(SUM(l.amount_paid) AS BIGINT) \
             FROM trade t JOIN order_line l ON l.trade_id = t.id \
             WHERE t.company_id = $1 AND t.paid_at >= $2 AND t.paid_at < $3 AND ($4 = 0 OR t.shop_id = $4) \
               AND l.sku_id IS NOT NULL GROUP BY l.sku_id",
            [company_id, to_ts(from), to_ts(to), shop_id],
            |r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?))
        )?)
    }
}

impl Tx {
    /// The `limit` products (款) with the most paid on days `from ..= to` in scope (then the most units,
    /// then the lowest id), of those with units paid: (product, units, amount in fen). Summed here
    /// from the per-SKU summaries, so a few rows come back instead of every SKU sold.
    pub async fn top_products(
        &mut self,
        company_id: i64,
        shop_id: i64,
        from: &str,
        to: &str,
        limit: i64,
    ) -> Result<Vec<(i64, i64, i64)>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT s.product_id, CAST(SUM(d.units_paid) AS BIGINT), CAST(SUM(d.amount_paid) AS BIGINT) \
             FROM sales_sku_daily d JOIN sku s ON s.id = d.sku_id \
             WHERE d.company_id = $1 AND d.day >= $2 AND d.day <= $3 AND ($4 = 0 OR d.shop_id = $4) \
             GROUP BY s.product_id HAVING SUM(d.units_paid) > 0 \
             ORDER BY 3 DESC, 2 DESC, 1 LIMIT $5",
            [company_id, from, to, shop_id, limit],
            |r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?))
        )?)
    }

    /// Units paid per SKU over the three windows ending `to` (days `d7 ..= to`, `d14 ..= to`,
    /// `d30 ..= to`, each start at or after the next), in one pass over the summaries:
    /// (sku, units 7, units 14, units 30).
    pub async fn sku_units_windows(
        &mut self,
        company_id: i64,
        shop_id: i64,
        starts: [&str; 3],
        to: &str,
    ) -> Result<Vec<(i64, i64, i64, i64)>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT sku_id, CAST(SUM(CASE WHEN day >= $2 THEN units_paid ELSE 0 END) AS BIGINT), \
                    CAST(SUM(CASE WHEN day >= $3 THEN units_paid ELSE 0 END) AS BIGINT), \
                    CAST(SUM(units_paid) AS BIGINT) \
             FROM sales_sku_daily WHERE company_id = $1 AND day >= $4 AND day <= $5 AND ($6 = 0 OR shop_id = $6) \
             GROUP BY sku_id",
            [company_id, starts[0], starts[1], starts[2], to, shop_id],
            |r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?))
        )?)
    }

    /// The per-SKU summary rows of these SKUs in scope and days `from ..= to`: (day, sku, counters).
    ///
    /// Up to [`DAYS_AS_LIST`] days are named one by one (`day IN (...)`), so that each (day, SKU) is
    /// one seek in `sales_sku_daily_company` (company, day, SKU) instead of a walk over every SKU
    /// sold in the range: the cost follows the SKUs asked for, not how many SKUs sell a day.
    pub async fn sku_days_of(
        &mut self,
        company_id: i64,
        shop_id: i64,
        from: &str,
        to: &str,
        skus: &[i64],
    ) -> Result<Vec<(String, i64, SkuDay)>, StoreError> {
        use sqlx::Row as _;
        let mut out = Vec::new();
        let days = days_between(from, to).filter(|d| d.len() <= DAYS_AS_LIST);
        for chunk in skus.chunks(500) {
            let mut a = crate::args![company_id, shop_id];
            let span = match &days {
                Some(days) => {
                    let list = format!("day IN ({})", marks(3, days.len()));
                    a.extend(days.iter().map(|d| crate::batch::Value::from(d.as_str())));
                    list
                }
                None => {
                    a.extend(crate::args![from, to]);
                    "day >= $3 AND day <= $4".to_string()
                }
            };
            let sql = format!(
                "SELECT day, sku_id, units_paid, amount_paid, lines_paid FROM sales_sku_daily \
                 WHERE company_id = $1 AND {span} AND ($2 = 0 OR shop_id = $2) AND sku_id IN ({}) \
                 ORDER BY day, sku_id",
                marks(a.len() + 1, chunk.len())
            );
            a.extend(chunk.iter().map(|s| crate::batch::Value::from(*s)));
            macro_rules! rows {
                ($t:expr) => {{
                    for r in crate::bind_values!(sqlx::query(sqlx::AssertSqlSafe(sql)), a.iter())
                        .fetch_all(&mut **$t)
                        .await?
                    {
                        let f =
                            SkuDay { units_paid: r.try_get(2)?, amount_paid: r.try_get(3)?, lines_paid: r.try_get(4)? };
                        out.push((r.try_get(0)?, r.try_get(1)?, f));
                    }
                }};
            }
            match self {
                Tx::Sqlite(t) => rows!(t),
                Tx::Postgres(t) => rows!(t),
            }
        }
        Ok(out)
    }
}

/// The most days [`Tx::sku_days_of`] names one by one.
const DAYS_AS_LIST: usize = 62;

/// The days `from ..= to` ('YYYY-MM-DD'), or `None` when either is not a date.
fn days_between(from: &str, to: &str) -> Option<Vec<String>> {
    let parse = |d: &str| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok();
    let (mut d, to) = (parse(from)?, parse(to)?);
    let mut out = Vec::new();
    while d <= to && out.len() <= DAYS_AS_LIST {
        out.push(d.format("%Y-%m-%d").to_string());
        d = d.succ_opt()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_between_names_each_day_and_stops_past_the_list_limit() {
        assert_eq!(
            days_between("2024-02-28", "2024-03-01"),
            Some(vec!["2024-02-28".to_string(), "2024-02-29".into(), "2024-03-01".into()])
        );
        assert_eq!(days_between("2024-03-02", "2024-03-01"), Some(vec![]));
        assert_eq!(days_between("2024-03-0", "2024-03-01"), None);
        let long = days_between("2024-01-01", "2024-12-31").unwrap_or_default();
        assert!(long.len() > DAYS_AS_LIST);
    }
}
