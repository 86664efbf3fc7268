//! 周报 (DOMAIN.md §2 weekly): the daily figures of the week (Monday to Sunday) and its total, the
//! return/exchange ratio, members per tier, the replenishment table (补货需求表), and the returns of
//! the week by reason, SKU and customer (退换货分析).

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use serde::Serialize;

use super::replenishment::{self, ReplenishmentRow};
use super::returns::{self, ReturnsAnalysis};
use super::{Figures, ReportError, day_text, period_figures};
use crate::{Actor, App};

#[derive(Debug, Clone, Serialize)]
pub struct WeeklyReport {
    pub kind: &'static str,
    pub company: String,
    pub shop: Option<String>,
    pub week_from: String,
    pub week_to: String,
    pub basis: &'static str,
    pub days: Vec<DayFigures>,
    /// The week as one period (distinct counts over the whole week).
    pub week: Figures,
    /// Customers with at least one paid trade, per member tier (会员等级; '' = no tier).
    pub members_by_tier: Vec<TierCount>,
    /// The last day of the replenishment table's sales windows.
    pub replenishment_date: String,
    pub replenishment: Vec<ReplenishmentRow>,
    /// Return and exchange requests of the week by reason, SKU and customer (退换货分析).
    pub returns: ReturnsAnalysis,
}

#[derive(Debug, Clone, Serialize)]
pub struct DayFigures {
    pub date: String,
    pub figures: Figures,
}

#[derive(Debug, Clone, Serialize)]
pub struct TierCount {
    pub tier: String,
    pub members: i64,
}

/// Monday of the week of `d`.
pub fn week_start(d: NaiveDate) -> NaiveDate {
    d - Duration::days(i64::from(d.weekday().num_days_from_monday()))
}

impl App {
    /// The weekly report of the week holding `week_of` (default: the week of yesterday).
    pub async fn weekly_report(
        &self,
        actor: &Actor,
        shop: Option<&str>,
        week_of: Option<NaiveDate>,
        now: DateTime<Utc>,
    ) -> Result<WeeklyReport, ReportError> {
        let scope = self.report_scope(actor, shop).await?;
        let yesterday = scope.yesterday(now);
        let from = week_start(week_of.unwrap_or(yesterday));
        let to = from + Duration::days(6);
        // The table plans with the last complete day of the week.
        let plan_date = to.min(yesterday).max(from);
        let mut tx = self.db.begin_read().await?;
        let mut days = Vec::with_capacity(7);
        for i in 0..7 {
            let d = from + Duration::days(i);
            days.push(DayFigures { date: day_text(d), figures: period_figures(&mut tx, &scope, d, d).await? });
        }
        let week = period_figures(&mut tx, &scope, from, to).await?;
        let system = scope.shop.as_ref().map(|s| s.platform.buyer_account_system()).unwrap_or("");
        let members_by_tier = tx
            .members_by_tier(scope.company_id, system)
            .await?
            .into_iter()
            .map(|(tier, members)| TierCount { tier, members })
            .collect();
        let replenishment = replenishment::lines(&mut tx, &scope, plan_date).await?;
        let returns = returns::analyse(&mut tx, &scope, scope.start(from), scope.start(to + Duration::days(1))).await?;
        tx.commit().await?;
        Ok(WeeklyReport {
            kind: "weekly",
            company: scope.company.clone(),
            shop: scope.shop_name(),
            week_from: day_text(from),
            week_to: day_text(to),
            basis: super::daily::BASIS,
            days,
            week,
            members_by_tier,
            replenishment_date: day_text(plan_date),
            replenishment,
            returns,
        })
    }
}
