//! The sales summaries (`store::summaries`): what the trade transitions add to them, computed here from
//! the rows the transition already read and written with the transition's own batch; and their
//! rebuild from the raw rows (`zhanggui rebuild-summaries`).

use chrono::{DateTime, Utc};
use serde::Serialize;
use zhanggui_store::summaries::{PaidLine, SummaryDelta};
use zhanggui_store::{OrderLine, StoreError, Trade, Tx};

use crate::App;

impl App {
    /// Recomputes the sales summaries of every company from the raw rows, in one transaction.
    pub async fn rebuild_summaries(&self) -> Result<RebuildOutcome, StoreError> {
        let started = std::time::Instant::now();
        let mut tx = self.db.begin().await?;
        let companies = tx.companies().await?;
        let mut out = RebuildOutcome::default();
        for c in &companies {
            tx.rebuild_summaries(c.id).await?;
            out.companies += 1;
            out.shop_days += tx.all_shop_days(c.id).await?.len();
            out.sku_days += tx.all_sku_days(c.id).await?.len();
        }
        tx.commit().await?;
        out.seconds = started.elapsed().as_secs_f64();
        Ok(out)
    }
}

/// What a rebuild of the summaries wrote.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RebuildOutcome {
    pub companies: usize,
    pub shop_days: usize,
    pub sku_days: usize,
    pub seconds: f64,
}

/// A payment (付款) at `at`: the trade's amount and units on the day of payment, each matched line for
/// its SKU. `read` are the lines the payment already read to reserve stock; when they are not all of
/// the trade's lines (some were reserved at creation, or stock is not tracked), the lines are read.
pub(crate) async fn paid(
    tx: &mut Tx,
    trade: &Trade,
    read: Vec<OrderLine>,
    at: DateTime<Utc>,
) -> Result<SummaryDelta, StoreError> {
    let units: i64 = read.iter().map(|l| l.qty).sum();
    let lines = if units == trade.item_count && !read.is_empty() { read } else { tx.trade_lines(trade.id).await? };
    let paid: Vec<PaidLine> =
        lines.iter().map(|l| PaidLine { sku_id: l.sku_id, qty: l.qty, amount_paid: l.amount_paid }).collect();
    let mut d = SummaryDelta::new(trade.company_id);
    d.paid(trade.shop_id, at, trade.amount_paid, &paid, trade.time_zone);
    Ok(d)
}

/// A shipment at `at`: the trade counts as shipped on the day of its latest shipment.
pub(crate) fn shipped(trade: &Trade, at: DateTime<Utc>) -> SummaryDelta {
    let mut d = SummaryDelta::new(trade.company_id);
    d.shipped(trade.shop_id, trade.shipped_at, at, trade.time_zone);
    d
}
