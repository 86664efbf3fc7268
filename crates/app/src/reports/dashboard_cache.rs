//! The morning page is opened by everyone of a company, many times between two changes of its data,
//! and computing it reads the whole SKU catalogue, a week of per-SKU sales and the day's open work.
//! So a computed [`Dashboard`] is kept, per company, shop and date, with the database's generation
//! ([`zhanggui_store::Db::generation`]) read before it was computed, and served again as long as
//! the generation has not moved: no transaction has written to the database since, from this server
//! or from any other process (an import run on the command line, say).
//!
//! Not kept: a date that has not ended yet (its alerts are as of now), and anything on a database
//! that cannot tell its generation (PostgreSQL, an in-memory database), where every request
//! computes the page.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;

use super::dashboard::Dashboard;

/// Pages kept at most; stale ones are dropped whenever a page is added.
const MAX_KEPT: usize = 256;

/// (company, shop or 0 for the company, date).
type Key = (i64, i64, NaiveDate);

#[derive(Debug, Default)]
pub(crate) struct DashboardCache {
    kept: Mutex<HashMap<Key, (i64, Arc<Dashboard>)>>,
    /// Held while a page is computed, so that many requests arriving together after a change
    /// compute it once instead of each on its own.
    pub(crate) computing: tokio::sync::Mutex<()>,
}

impl DashboardCache {
    /// The page kept for `key` if it was computed at `generation`.
    pub(crate) fn get(&self, key: Key, generation: i64) -> Option<Arc<Dashboard>> {
        let kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        kept.get(&key).filter(|(g, _)| *g == generation).map(|(_, d)| d.clone())
    }

    /// Keeps `page`, computed at `generation`, and drops what an older generation left.
    pub(crate) fn put(&self, key: Key, generation: i64, page: Arc<Dashboard>) {
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        kept.retain(|_, (g, _)| *g == generation);
        if kept.len() >= MAX_KEPT {
            kept.clear();
        }
        kept.insert(key, (generation, page));
    }
}
