//! The lists of the web back office: trades and customers paged by key (the position after the last
//! row shown), so the next page costs the same at the millionth row as at the first, and the trade
//! notes (seller memo, flag, urgent mark) people set by hand.

use chrono::{DateTime, Utc};
use serde::Serialize;
use zhanggui_domain::{Money, TradeStatus};

use crate::trades::{TRADE_COLUMNS, by_buyer};
use crate::{StoreError, Trade, Tx, args, from_ts, to_ts};

/// Which trades a page shows, newest first.
#[derive(Debug, Clone, Default)]
pub struct TradePageFilter {
    pub company_id: i64,
    pub shop_id: Option<i64>,
    pub status: Option<TradeStatus>,
    pub created_from: Option<DateTime<Utc>>,
    pub created_to: Option<DateTime<Utc>>,
    /// The buyer's nick, exactly.
    pub buyer: Option<String>,
    /// Trades with a line of this merchant SKU code (商家编码), exactly.
    pub sku: Option<String>,
    pub customer_id: Option<i64>,
    pub urgent_only: bool,
    /// Paid, not shipped, and paid before this time (overdue to ship).
    pub paid_before_unshipped: Option<DateTime<Utc>>,
    /// Start after this trade: its creation time and id (the last row of the previous page).
    pub after: Option<(DateTime<Utc>, i64)>,
    pub limit: i64,
}

/// A customer as the list shows it.
#[derive(Debug, Clone, Serialize)]
pub struct CustomerRow {
    pub id: i64,
    pub account_system: String,
    pub nick: String,
    pub province: String,
    pub city: String,
    pub district: String,
    pub first_paid_at: Option<DateTime<Utc>>,
    pub last_paid_at: Option<DateTime<Utc>>,
    pub paid_trades: i64,
    pub spend: Money,
    pub tier: String,
    pub blacklisted: bool,
    pub note: String,
}

/// Which customers a page shows, latest purchase first.
#[derive(Debug, Clone, Default)]
pub struct CustomerPageFilter {
    pub company_id: i64,
    /// Part of the nick.
    pub search: Option<String>,
    pub province: Option<String>,
    /// Start after this customer: its last purchase (0 when none) and id.
    pub after: Option<(i64, i64)>,
    pub limit: i64,
}

const CUSTOMER_COLUMNS: &str = "c.id, c.account_system, c.nick, c.province, c.city, c.district, c.first_paid_at, \
    c.last_paid_at, c.paid_trades, c.spend, c.tier, c.blacklisted, c.note";

macro_rules! customer_row {
    ($r:ident) => {
        Ok(CustomerRow {
            id: $r.try_get("id")?,
            account_system: $r.try_get("account_system")?,
            nick: $r.try_get("nick")?,
            province: $r.try_get("province")?,
            city: $r.try_get("city")?,
            district: $r.try_get("district")?,
            first_paid_at: $r.try_get::<Option<i64>, _>("first_paid_at")?.map(from_ts),
            last_paid_at: $r.try_get::<Option<i64>, _>("last_paid_at")?.map(from_ts),
            paid_trades: $r.try_get("paid_trades")?,
            spend: Money::from_fen($r.try_get("spend")?),
            tier: $r.try_get("tier")?,
            blacklisted: $r.try_get("blacklisted")?,
            note: $r.try_get("note")?,
        })
    };
}

impl Tx {
    /// One page of trades. Every condition is a bind; nothing from the filter is pasted into the SQL.
    /// A buyer or a customer is a condition of its own only when given (see [`by_buyer`]), so that
    /// the trades are found through the customer's index instead of by reading every trade.
    pub async fn trade_page(&mut self, f: &TradePageFilter) -> Result<Vec<Trade>, StoreError> {
        let buyer = f.buyer.as_deref().map(str::trim).unwrap_or("");
        let by_customer = if f.customer_id.is_some() { "t.customer_id = $11" } else { "$11 = 0" };
        let sql = format!(
            "SELECT {TRADE_COLUMNS} FROM trade t JOIN shop s ON s.id = t.shop_id \
             WHERE t.company_id = $1 \
               AND ($2 = 0 OR t.shop_id = $2) \
               AND ($3 = '' OR t.status = $3) \
               AND ($4 = FALSE OR t.created_at >= $5) \
               AND ($6 = FALSE OR t.created_at < $7) \
               AND {} \
               AND ($9 = FALSE OR (t.status = 'WAIT_SELLER_SEND_GOODS' AND t.paid_at < $10)) \
               AND {by_customer} \
               AND ($12 = FALSE OR t.urgent = TRUE) \
               AND ($13 = '' OR EXISTS (SELECT 1 FROM order_line l WHERE l.trade_id = t.id AND l.outer_sku_id = $13)) \
               AND ($14 = FALSE OR t.created_at < $15 OR (t.created_at = $15 AND t.id < $16)) \
             ORDER BY t.created_at DESC, t.id DESC LIMIT $17",
            by_buyer(buyer, "$8")
        );
        let a = args![
            f.company_id,
            f.shop_id.unwrap_or(0),
            f.status.map(|s| s.code()).unwrap_or(""),
            f.created_from.is_some(),
            f.created_from.map(to_ts).unwrap_or(0),
            f.created_to.is_some(),
            f.created_to.map(to_ts).unwrap_or(0),
            buyer,
            f.paid_before_unshipped.is_some(),
            f.paid_before_unshipped.map(to_ts).unwrap_or(0),
            f.customer_id.unwrap_or(0),
            f.urgent_only,
            f.sku.as_deref().map(str::trim).unwrap_or(""),
            f.after.is_some(),
            f.after.map(|a| to_ts(a.0)).unwrap_or(0),
            f.after.map(|a| a.1).unwrap_or(0),
            if f.limit > 0 { f.limit } else { 50 }
        ];
        self.fetch_trades_dyn(sql, &a).await
    }

    /// The cost of goods of each trade given, by trade id: Σ units × the SKU's cost price (成本价) now;
    /// lines not matched to a SKU count nothing, trades without a matched line are absent.
    pub async fn trade_goods_costs(
        &mut self,
        company_id: i64,
        trade_ids: &[i64],
    ) -> Result<Vec<(i64, Money)>, StoreError> {
        if trade_ids.is_empty() {
            return Ok(Vec::new());
        }
        let marks: Vec<String> = (0..trade_ids.len()).map(|i| format!("${}", i + 2)).collect();
        let sql = format!(
            "SELECT l.trade_id, CAST(COALESCE(SUM(l.qty * k.cost), 0) AS BIGINT) FROM order_line l \
             JOIN sku k ON k.id = l.sku_id WHERE l.company_id = $1 AND l.trade_id IN ({}) GROUP BY l.trade_id",
            marks.join(", ")
        );
        let mut a = args![company_id];
        a.extend(trade_ids.iter().map(|id| crate::batch::Value::from(*id)));
        let rows = match self {
            Tx::Sqlite(t) => {
                let refs: Vec<&crate::batch::Value> = a.iter().collect();
                let (sql, args) = crate::batch::positional(&sql, &refs);
                crate::bind_values!(sqlx::query(sqlx::AssertSqlSafe(sql)), args)
                    .fetch_all(&mut **t)
                    .await?
                    .iter()
                    .map(|r| {
                        use sqlx::Row as _;
                        Ok((r.try_get::<i64, _>(0)?, Money::from_fen(r.try_get::<i64, _>(1)?)))
                    })
                    .collect::<Result<Vec<_>, sqlx::Error>>()?
            }
            Tx::Postgres(t) => crate::bind_values!(sqlx::query(sqlx::AssertSqlSafe(sql)), a.iter())
                .fetch_all(&mut **t)
                .await?
                .iter()
                .map(|r| {
                    use sqlx::Row as _;
                    Ok((r.try_get::<i64, _>(0)?, Money::from_fen(r.try_get::<i64, _>(1)?)))
                })
                .collect::<Result<Vec<_>, sqlx::Error>>()?,
        };
        Ok(rows)
    }

    /// One page of customers.
    pub async fn customer_page(&mut self, f: &CustomerPageFilter) -> Result<Vec<CustomerRow>, StoreError> {
        let search = f.search.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(|s| format!("%{s}%"));
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {CUSTOMER_COLUMNS} FROM customer c \
             WHERE c.company_id = $1 \
               AND ($2 = '' OR LOWER(c.nick) LIKE LOWER($2)) \
               AND ($3 = '' OR c.province = $3) \
               AND ($4 = FALSE OR COALESCE(c.last_paid_at, 0) < $5 OR (COALESCE(c.last_paid_at, 0) = $5 AND c.id < $6)) \
             ORDER BY COALESCE(c.last_paid_at, 0) DESC, c.id DESC LIMIT $7"
        ));
        Ok(fetch_all!(
            self,
            sql,
            [
                f.company_id,
                search.unwrap_or_default(),
                f.province.as_deref().map(str::trim).unwrap_or(""),
                f.after.is_some(),
                f.after.map(|a| a.0).unwrap_or(0),
                f.after.map(|a| a.1).unwrap_or(0),
                if f.limit > 0 { f.limit } else { 50 }
            ],
            |r| customer_row!(r)
        )?)
    }

    /// A customer of the company.
    pub async fn customer_of(&mut self, company_id: i64, customer_id: i64) -> Result<Option<CustomerRow>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {CUSTOMER_COLUMNS} FROM customer c WHERE c.id = $1 AND c.company_id = $2"
        ));
        Ok(fetch_optional!(self, sql, [customer_id, company_id], |r| customer_row!(r))?)
    }

    /// Sets the seller memo (卖家备注) and flag colour (旗帜, 0 = none) of a trade.
    pub async fn set_trade_memo(&mut self, trade_id: i64, memo: &str, flag: i64) -> Result<(), StoreError> {
        exec!(self, "UPDATE trade SET seller_memo = $1, flag = $2 WHERE id = $3", memo, flag, trade_id)?;
        Ok(())
    }
}
