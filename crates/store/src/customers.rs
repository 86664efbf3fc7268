//! Customers (客户档案), created and updated from trades.

use chrono::{DateTime, Utc};
use serde::Serialize;
use zhanggui_domain::{Money, Region};

use crate::{StoreError, Tx, from_ts, to_ts};

#[derive(Debug, Clone, Serialize)]
pub struct Customer {
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
}

impl Tx {
    /// Creates the customer on their first trade, or refreshes their region from the latest address
    /// (a masked or empty part never overwrites a known one). Returns the customer's id.
    pub async fn upsert_customer(
        &mut self,
        company_id: i64,
        account_system: &str,
        nick: &str,
        region: &Region,
        at: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        Ok(fetch_scalar!(
            self,
            i64,
            "INSERT INTO customer (company_id, account_system, nick, province, city, district, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (company_id, account_system, nick) DO UPDATE SET \
                province = CASE WHEN excluded.province <> '' THEN excluded.province ELSE customer.province END, \
                city = CASE WHEN excluded.city <> '' THEN excluded.city ELSE customer.city END, \
                district = CASE WHEN excluded.district <> '' THEN excluded.district ELSE customer.district END \
             RETURNING id",
            company_id,
            account_system,
            nick,
            &region.province,
            &region.city,
            &region.district,
            to_ts(at)
        )?)
    }

    /// Counts a paid trade for the customer: paid trades, spend, first and last payment time.
    pub async fn record_customer_payment(
        &mut self,
        customer_id: i64,
        paid_at: DateTime<Utc>,
        amount: Money,
    ) -> Result<(), StoreError> {
        let t = to_ts(paid_at);
        exec!(
            self,
            "UPDATE customer SET paid_trades = paid_trades + 1, spend = spend + $1, \
                first_paid_at = CASE WHEN first_paid_at IS NULL OR first_paid_at > $2 THEN $2 ELSE first_paid_at END, \
                last_paid_at = CASE WHEN last_paid_at IS NULL OR last_paid_at < $2 THEN $2 ELSE last_paid_at END \
             WHERE id = $3",
            amount.fen(),
            t,
            customer_id
        )?;
        Ok(())
    }

    pub async fn customer(&mut self, customer_id: i64) -> Result<Option<Customer>, StoreError> {
        Ok(fetch_optional!(
            self,
            "SELECT id, account_system, nick, province, city, district, first_paid_at, last_paid_at, paid_trades, spend \
             FROM customer WHERE id = $1",
            [customer_id],
            |r| Ok(Customer {
                id: r.try_get("id")?,
                account_system: r.try_get("account_system")?,
                nick: r.try_get("nick")?,
                province: r.try_get("province")?,
                city: r.try_get("city")?,
                district: r.try_get("district")?,
                first_paid_at: r.try_get::<Option<i64>, _>("first_paid_at")?.map(from_ts),
                last_paid_at: r.try_get::<Option<i64>, _>("last_paid_at")?.map(from_ts),
                paid_trades: r.try_get("paid_trades")?,
                spend: Money::from_fen(r.try_get("spend")?),
            })
        )?)
    }
}
