//! 月报 (DOMAIN.md §2 monthly): the month's figures against the previous month and the same month last
//! year, customers by province (客户地域), new versus returning customers, and the month's repeat rate
//! (复购率).

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, NaiveDate};
use serde::Serialize;
use zhanggui_domain::metrics::repeat_rate;
use zhanggui_domain::{Money, Ratio};

use super::{Figures, ReportError, Scope, month_end, month_start, period_figures};
use crate::{Actor, App};

#[derive(Debug, Clone, Serialize)]
pub struct MonthlyReport {
    pub kind: &'static str,
    pub company: String,
    pub shop: Option<String>,
    pub month: String,
    pub basis: &'static str,
    pub figures: Figures,
    pub previous_month: String,
    pub previous: Figures,
    pub last_year_month: String,
    pub last_year: Figures,
    pub customers: i64,
    /// Customers whose first paid trade (in scope) is in the month.
    pub new_customers: i64,
    /// Customers who had paid before the month (in scope).
    pub returning_customers: i64,
    /// Customers with ≥ 2 paid trades in the month / customers with ≥ 1.
    pub repeat_rate: Ratio,
    pub by_province: Vec<ProvinceRow>,
}

/// Paying customers of a region (地域), by the customer's address.
#[derive(Debug, Clone, Serialize)]
pub struct ProvinceRow {
    pub province: String,
    pub customers: i64,
    pub orders_paid: i64,
    pub amount_paid: Money,
}

/// Paying customers per province, most customers first ('' = unknown address).
pub(crate) fn by_province(rows: &[zhanggui_store::reports::CustomerPaid]) -> Vec<ProvinceRow> {
    let mut m: BTreeMap<&str, ProvinceRow> = BTreeMap::new();
    for c in rows {
        let e = m.entry(c.province.as_str()).or_insert_with(|| ProvinceRow {
            province: c.province.clone(),
            customers: 0,
            orders_paid: 0,
            amount_paid: Money::ZERO,
        });
        e.customers += 1;
        e.orders_paid += c.paid_trades;
        e.amount_paid += c.amount_paid;
    }
    let mut out: Vec<ProvinceRow> = m.into_values().collect();
    out.sort_by(|a, b| {
        b.customers.cmp(&a.customers).then(b.amount_paid.cmp(&a.amount_paid)).then(a.province.cmp(&b.province))
    });
    out
}

/// Parses "YYYY-MM" into the first day of that month.
pub fn parse_month(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(&format!("{}-01", text.trim()), "%Y-%m-%d").ok()
}

async fn month_figures(tx: &mut zhanggui_store::Tx, scope: &Scope, first: NaiveDate) -> Result<Figures, ReportError> {
    Ok(period_figures(tx, scope, first, month_end(first)).await?)
}

impl App {
    /// The monthly report of the month starting `first` (any day of it will do).
    pub async fn monthly_report(
        &self,
        actor: &Actor,
        shop: Option<&str>,
        month: NaiveDate,
    ) -> Result<MonthlyReport, ReportError> {
        let scope = self.report_scope(actor, shop).await?;
        let first = month_start(month);
        let previous = month_start(first - Duration::days(1));
        let last_year = NaiveDate::from_ymd_opt(first.year() - 1, first.month(), 1).unwrap_or(previous);
        let mut tx = self.db.begin_read().await?;
        let figures = month_figures(&mut tx, &scope, first).await?;
        let previous_figures = month_figures(&mut tx, &scope, previous).await?;
        let last_year_figures = month_figures(&mut tx, &scope, last_year).await?;
        let (start, end) = (scope.start(first), scope.start(month_end(first) + Duration::days(1)));
        let paid = tx.customers_paid(scope.company_id, scope.shop_id(), start, end).await?;
        let returning = tx.returning_customers(scope.company_id, scope.shop_id(), start, end).await?;
        tx.commit().await?;
        let customers = paid.len() as i64;
        Ok(MonthlyReport {
            kind: "monthly",
            company: scope.company.clone(),
            shop: scope.shop_name(),
            month: first.format("%Y-%m").to_string(),
            basis: super::daily::BASIS,
            figures,
            previous_month: previous.format("%Y-%m").to_string(),
            previous: previous_figures,
            last_year_month: last_year.format("%Y-%m").to_string(),
            last_year: last_year_figures,
            customers,
            new_customers: customers - returning,
            returning_customers: returning,
            repeat_rate: repeat_rate(paid.iter().map(|c| u32::try_from(c.paid_trades).unwrap_or(u32::MAX))),
            by_province: by_province(&paid),
        })
    }
}
