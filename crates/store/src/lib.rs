//! Persistence of zhanggui: one schema and one set of queries on SQLite and PostgreSQL.
//!
//! Queries are written once with `$1` placeholders (both drivers accept them) and run over an enum of
//! the two typed pools ([`Db`]) and their transactions ([`Tx`]); see `sql.rs` for the macros that do it.
//! Times are stored as UTC seconds, money as integer fen, days as 'YYYY-MM-DD' text.

#[macro_use]
mod sql;

pub mod after_sales;
pub mod batch;
pub mod browse;
pub mod bulk;
pub mod buyer_counts;
pub mod catalog;
pub mod customers;
mod db;
mod error;
pub mod imports;
pub mod ledger;
mod migrate;
pub mod purchasing;
pub mod records;
pub mod reports;
pub mod scratch;
pub mod settings;
pub mod staging;
pub mod stocktake;
pub mod summaries;
pub mod trade_write;
pub mod trades;
pub mod traffic;
pub mod users;

pub use db::{Backend, Db, Tx, WriteTx};
pub use error::StoreError;
pub use records::*;

use chrono::{DateTime, Utc};

/// UTC seconds as stored.
pub fn to_ts(t: DateTime<Utc>) -> i64 {
    t.timestamp()
}

/// A stored UTC second back to a time.
pub fn from_ts(s: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(s, 0).unwrap_or_default()
}
