//! The morning page is opened by everyone of a company, many times between two changes of its data,
//! and computing it reads the whole SKU catalogue, a week of per-SKU sales and the day's open work.
//! So a computed [`Dashboard`] is kept, per company, shop and date, with the database's generation
//! ([`zhanggui_store::Db::generation`]) read before it was computed, and served again as long as
//! the generation has not moved: no transaction has written to the database since, from this server
//! or from any other process (an import run on the command line, say).
//!
//! Requests for a page that is not kept take turns per page: the first computes it; one that waited
//! takes the page computed meanwhile if its data were read after the waiting request arrived (they
//! are then at least as new as the request), else computes it in its turn.
//!
//! Not kept: a date that has not ended yet (its alerts are as of now), and anything on a database
//! that cannot tell its generation (PostgreSQL, an in-memory database), where every request
//! computes the page.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use chrono::NaiveDate;

use super::dashboard::Dashboard;

/// Pages (and turns) kept at most; stale pages are dropped whenever a page is added.
const MAX_KEPT: usize = 256;

/// (company, shop or 0 for the company, date).
pub(crate) type Key = (i64, i64, NaiveDate);

#[derive(Debug)]
struct Kept {
    /// The generation read before the page's data.
    generation: i64,
    /// When that generation was read: the page's data are at least as new as this.
    read_at: Instant,
    page: Arc<Dashboard>,
}

#[derive(Debug, Default)]
pub(crate) struct DashboardCache {
    kept: Mutex<HashMap<Key, Kept>>,
    turns: Mutex<HashMap<Key, Arc<tokio::sync::Mutex<()>>>>,
}

impl DashboardCache {
    /// The page kept for `key` if it was computed at `generation`.
    pub(crate) fn get(&self, key: Key, generation: i64) -> Option<Arc<Dashboard>> {
        let kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        kept.get(&key).filter(|k| k.generation == generation).map(|k| k.page.clone())
    }

    /// The page kept for `key` if its data were read at or after `since`.
    pub(crate) fn read_since(&self, key: Key, since: Instant) -> Option<Arc<Dashboard>> {
        let kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        kept.get(&key).filter(|k| k.read_at >= since).map(|k| k.page.clone())
    }

    /// The turn to compute `key`'s page.
    pub(crate) fn turn(&self, key: Key) -> Arc<tokio::sync::Mutex<()>> {
        let mut turns = self.turns.lock().unwrap_or_else(|e| e.into_inner());
        if turns.len() >= MAX_KEPT {
            // Turns nobody holds or waits for.
            turns.retain(|_, t| Arc::strong_count(t) > 1);
        }
        turns.entry(key).or_default().clone()
    }

    /// Keeps `page`, computed from data read after `generation` was read at `read_at`, and drops
    /// what an older generation left.
    pub(crate) fn put(&self, key: Key, generation: i64, read_at: Instant, page: Arc<Dashboard>) {
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        kept.retain(|_, k| k.generation == generation);
        if kept.len() >= MAX_KEPT {
            kept.clear();
        }
        kept.insert(key, Kept { generation, read_at, page });
    }
}
