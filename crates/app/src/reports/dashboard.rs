//! 工作台, the manager's morning page (seed 000 "每日查看并掌握以下的数据", DOMAIN.md §2 daily): the daily
//! report of a date, the figures of each of the days before it for the trend charts and for the
//! changes against the day before and the same day last week (较前一日 / 较上周同日), and the month to
//! date of the previous month over the same days (较上月同期).
//!
//! Every figure comes from the same functions as `zhanggui report daily`, so the page and the report
//! agree to the fen.

use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use serde::Serialize;
use zhanggui_domain::{Alert, AlertCode};

use super::daily::DailyReport;
use super::weekly::DayFigures;
use super::{Figures, ReportError, ShopRef, day_figures, day_text, month_end, month_start, period_figures};
use crate::{Actor, App};

/// Days in the trend charts.
pub const TREND_DAYS: i64 = 30;

#[derive(Debug, Clone, Serialize)]
pub struct Dashboard {
    pub daily: DailyReport,
    /// Each day from `TREND_DAYS + 6` days before the date up to the date, oldest first: the charts
    /// draw the last `TREND_DAYS` with the same day a week earlier as a second line.
    pub days: Vec<DayFigures>,
    /// The previous month over the same days of the month (1 to the date's day, at most its last day).
    pub previous_month_from: String,
    pub previous_month_to: String,
    pub previous_month_to_date: Figures,
    /// The shops of the company (for the shop switcher).
    pub shops: Vec<ShopRef>,
}

impl Dashboard {
    /// The figures of `days_before` days before the report's date (1: the day before, 7: the same day
    /// last week).
    pub fn days_before(&self, days_before: usize) -> Option<&Figures> {
        let last = self.days.len().checked_sub(1)?;
        self.days.get(last.checked_sub(days_before)?).map(|d| &d.figures)
    }
}

/// The same days of the previous month as `month_from ..= date`.
pub fn previous_month_span(date: NaiveDate) -> (NaiveDate, NaiveDate) {
    let first = month_start(month_start(date) - Duration::days(1));
    let end = month_end(first);
    let to = first.with_day(date.day()).unwrap_or(end).min(end);
    (first, to)
}

/// Where the work an alert asks for is done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AlertTarget {
    /// A SKU, by its merchant code (商家编码).
    Sku(String),
    /// A trade, by its platform order number.
    Trade(String),
}

/// Reads the target back from an alert's subject as `reports::alerts` names it: "商家编码 宝贝 属性" for
/// SKUs, "订单 编号" for trades, "售后 退款编号（订单 编号）" for refunds.
pub fn alert_target(a: &Alert) -> Option<AlertTarget> {
    match a.code {
        AlertCode::BestSellerFalling | AlertCode::StockBelowAlertLevel => {
            a.subject.split_whitespace().next().map(|code| AlertTarget::Sku(code.to_string()))
        }
        AlertCode::NotShipped24h => a.subject.strip_prefix("订单 ").map(|tid| AlertTarget::Trade(tid.trim().into())),
        AlertCode::RefundDeadline => {
            let (_, rest) = a.subject.split_once("（订单 ")?;
            let tid = rest.split('）').next()?.trim();
            (!tid.is_empty()).then(|| AlertTarget::Trade(tid.to_string()))
        }
        AlertCode::ReviewUnreplied | AlertCode::SalesBelowTarget => None,
    }
}

/// Where a page of `date` in scope is kept, and whether the date has ended by `now` (only then may
/// it be kept: until then its alerts are as of now).
fn page_key(scope: &super::Scope, date: NaiveDate, now: DateTime<Utc>) -> (super::dashboard_cache::Key, bool) {
    ((scope.company_id, scope.shop_id(), date), scope.start(date + Duration::days(1)) <= now)
}

impl App {
    /// The morning page of `date` (default yesterday) for a shop or the company: computed, or kept
    /// from an earlier request if no data has changed since (see `dashboard_cache`).
    pub async fn dashboard(
        &self,
        actor: &Actor,
        shop: Option<&str>,
        date: Option<NaiveDate>,
        now: DateTime<Utc>,
    ) -> Result<Arc<Dashboard>, ReportError> {
        let arrived = Instant::now();
        let (generation, scope) = self.generation_and_scope(actor, shop).await?;
        let date = date.unwrap_or_else(|| scope.yesterday(now));
        let (key, ended) = page_key(&scope, date, now);
        let (Some(generation), true) = (generation, ended) else {
            return Ok(Arc::new(self.compute_dashboard(actor, &scope, date, now).await?));
        };
        if let Some(page) = self.dashboards.get(key, generation) {
            return Ok(page);
        }
        let turn = self.dashboards.turn(key);
        let _turn = turn.lock().await;
        // The page computed while this request waited, from data read after it arrived.
        if let Some(page) = self.dashboards.read_since(key, arrived) {
            return Ok(page);
        }
        // This request's turn: the generation and the scope again, read before the page's data.
        let read_at = Instant::now();
        let (generation, scope) = self.generation_and_scope(actor, shop).await?;
        let (key, ended) = page_key(&scope, date, now);
        let generation = generation.filter(|_| ended);
        if let Some(page) = generation.and_then(|g| self.dashboards.get(key, g)) {
            return Ok(page);
        }
        let page = Arc::new(self.compute_dashboard(actor, &scope, date, now).await?);
        if let Some(generation) = generation {
            self.dashboards.put(key, generation, read_at, page.clone());
        }
        Ok(page)
    }

    /// The database's generation (`None` when it cannot be told, or reading it failed: the page is
    /// then computed and not kept), then the scope, in that order.
    async fn generation_and_scope(
        &self,
        actor: &Actor,
        shop: Option<&str>,
    ) -> Result<(Option<i64>, super::Scope), ReportError> {
        let generation = match self.db.generation().await {
            Ok(g) => g,
            Err(e) => {
                tracing::warn!("cannot read the database generation, the morning page is not kept: {e}");
                None
            }
        };
        Ok((generation, self.report_scope(actor, shop).await?))
    }

    async fn compute_dashboard(
        &self,
        actor: &Actor,
        scope: &super::Scope,
        date: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<Dashboard, ReportError> {
        // The shop switcher lists every shop: the scope's own list when it is the company's.
        let all = match scope.shop {
            None => scope.shops.clone(),
            Some(_) => self.report_scope(actor, None).await?.shops,
        };
        let daily = self.daily_report_in(scope, Some(date), now).await?;
        let (prev_from, prev_to) = previous_month_span(date);
        let mut tx = self.db.begin_read().await?;
        // The trends chart no margin, so the days skip reading the cost of goods.
        let first = date - Duration::days(TREND_DAYS + 6);
        let days: Vec<DayFigures> = day_figures(&mut tx, scope, first, date)
            .await?
            .into_iter()
            .map(|(d, figures)| DayFigures { date: day_text(d), figures })
            .collect();
        let previous_month_to_date = period_figures(&mut tx, scope, prev_from, prev_to).await?;
        tx.commit().await?;
        Ok(Dashboard {
            daily,
            days,
            previous_month_from: day_text(prev_from),
            previous_month_to: day_text(prev_to),
            previous_month_to_date,
            shops: all,
        })
    }

    /// The ids of the company's trades with this platform order number (one per shop at most).
    pub async fn trade_ids_by_tid(&self, actor: &Actor, tid: &str) -> Result<Vec<i64>, ReportError> {
        let mut tx = self.db.begin_read().await?;
        let trades = tx.trades_by_tid(actor.company_id, tid.trim()).await?;
        tx.commit().await?;
        Ok(trades.into_iter().map(|t| t.id).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zhanggui_domain::Severity;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn the_same_days_of_the_previous_month() {
        assert_eq!(previous_month_span(day("2024-03-31")), (day("2024-02-01"), day("2024-02-29")));
        assert_eq!(previous_month_span(day("2024-03-15")), (day("2024-02-01"), day("2024-02-15")));
        assert_eq!(previous_month_span(day("2024-01-01")), (day("2023-12-01"), day("2023-12-01")));
    }

    fn alert(code: AlertCode, subject: &str) -> Alert {
        Alert {
            code,
            severity: Severity::Warning,
            subject: subject.into(),
            message_zh: String::new(),
            message_en: String::new(),
        }
    }

    #[test]
    fn alerts_point_at_their_sku_or_trade() {
        let a = alert(AlertCode::StockBelowAlertLevel, "TS2401-BLK-M 纯棉短袖T恤 颜色分类:黑色");
        assert_eq!(alert_target(&a), Some(AlertTarget::Sku("TS2401-BLK-M".into())));
        let a = alert(AlertCode::NotShipped24h, "订单 2401180001");
        assert_eq!(alert_target(&a), Some(AlertTarget::Trade("2401180001".into())));
        let a = alert(AlertCode::RefundDeadline, "售后 R88（订单 2401180002）");
        assert_eq!(alert_target(&a), Some(AlertTarget::Trade("2401180002".into())));
        assert_eq!(alert_target(&alert(AlertCode::SalesBelowTarget, "暖阳旗舰店")), None);
    }
}
