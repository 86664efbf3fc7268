//! 客户 (DOMAIN.md §2 monthly, §7 repeat_rate): the customers who paid in a period, how many bought
//! again, the repeat rate over the period, the platform's 30-day repeat rate as of its last day, and
//! the customers by province and by number of paid trades.

use std::collections::HashSet;

use chrono::{Duration, NaiveDate};
use serde::Serialize;
use zhanggui_domain::Ratio;
use zhanggui_domain::metrics::{platform_repeat_rate, platform_repeat_windows, repeat_rate};

use super::monthly::{ProvinceRow, by_province};
use super::{ReportError, day_text};
use crate::{Actor, App};

#[derive(Debug, Clone, Serialize)]
pub struct CustomersReport {
    pub kind: &'static str,
    pub company: String,
    pub shop: Option<String>,
    pub from: String,
    pub to: String,
    /// Customers with at least one paid trade in the period.
    pub customers: i64,
    /// Of them, those with two or more.
    pub repeat_customers: i64,
    pub repeat_rate: Ratio,
    /// Of the buyers of days 31–60 before `to`, the share who paid again in the 30 days ending `to`.
    pub platform_repeat_rate: Ratio,
    pub by_province: Vec<ProvinceRow>,
    pub by_paid_trades: Vec<PaidTradesRow>,
}

/// Customers by how many trades they paid in the period ("5+" for five or more).
#[derive(Debug, Clone, Serialize)]
pub struct PaidTradesRow {
    pub paid_trades: String,
    pub customers: i64,
}

impl App {
    /// The customers report of the company days `from ..= to`.
    pub async fn customers_report(
        &self,
        actor: &Actor,
        shop: Option<&str>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<CustomersReport, ReportError> {
        if to < from {
            return Err(ReportError::Invalid(format!("--to {to} is before --from {from} / 结束日期早于开始日期")));
        }
        let scope = self.report_scope(actor, shop).await?;
        let day_after = |d: NaiveDate| scope.start(d + Duration::days(1));
        let mut tx = self.db.begin_read().await?;
        let paid = tx.customers_paid(scope.company_id, scope.shop_id(), scope.start(from), day_after(to)).await?;
        let platform = match platform_repeat_windows(to) {
            Some(w) => {
                let (a, b) = (w.days_31_to_60, w.last_30_days);
                let earlier = tx
                    .customers_paid(scope.company_id, scope.shop_id(), scope.start(*a.start()), day_after(*a.end()))
                    .await?;
                let later = tx
                    .customers_paid(scope.company_id, scope.shop_id(), scope.start(*b.start()), day_after(*b.end()))
                    .await?;
                let earlier: HashSet<i64> = earlier.iter().map(|c| c.customer_id).collect();
                let later: HashSet<i64> = later.iter().map(|c| c.customer_id).collect();
                platform_repeat_rate(&earlier, &later)
            }
            None => Ratio::UNDEFINED,
        };
        tx.commit().await?;
        let counts: Vec<u32> = paid.iter().map(|c| u32::try_from(c.paid_trades).unwrap_or(u32::MAX)).collect();
        let mut buckets = [0i64; 5];
        for n in &counts {
            let i = (*n as usize).clamp(1, 5) - 1;
            buckets[i] += 1;
        }
        Ok(CustomersReport {
            kind: "customers",
            company: scope.company.clone(),
            shop: scope.shop_name(),
            from: day_text(from),
            to: day_text(to),
            customers: paid.len() as i64,
            repeat_customers: counts.iter().filter(|n| **n >= 2).count() as i64,
            repeat_rate: repeat_rate(counts.iter().copied()),
            platform_repeat_rate: platform,
            by_province: by_province(&paid),
            by_paid_trades: buckets
                .iter()
                .enumerate()
                .map(|(i, n)| PaidTradesRow {
                    paid_trades: if i == 4 { "5+".to_string() } else { (i + 1).to_string() },
                    customers: *n,
                })
                .collect(),
        })
    }
}
