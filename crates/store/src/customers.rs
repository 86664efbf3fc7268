//! Customers (客户档案), created and updated from trades.

use chrono::{DateTime, Utc};
use serde::Serialize;
use zhanggui_domain::Money;

use crate::{StoreError, Tx, from_ts};

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
