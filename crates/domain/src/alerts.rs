//! Alert rules (DOMAIN.md §2 "Alerts", §4 shipping SLA, §5 refund deadlines, §6 class alert levels,
//! §10 reviews, §11 targets), as pure functions over data passed in. Each rule returns at most one
//! [`Alert`] for the thing it looks at; the caller names that thing (`subject`: a SKU code and title, a trade
//! number, a refund number, a shop) and links it to the list where the work is done.
//!
//! An alert has a stable [`AlertCode`] (one per rule), a [`Severity`] (the same rule may warn first and
//! become critical later) and a message in Chinese and in English, in the shop's words (可售天数, 补货,
//! 超时未发货, 售后, 差评).

use std::cmp::Ordering;
use std::fmt;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use serde::Serialize;

use crate::metrics::Ratio;
use crate::money::Money;
use crate::refund::RefundStatus;
use crate::replenishment::ReplenishmentLine;
use crate::review::ReviewRating;
use crate::trade_status::TradeStatus;

/// How urgent an alert is. Ordered: `Warning < Critical`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// 预警: act today.
    Warning,
    /// 严重: overdue or lost already; act now.
    Critical,
}

impl Severity {
    pub fn code(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Critical => "critical",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Severity::Warning => "预警",
            Severity::Critical => "严重",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// What to do about an alert: UI.md groups alerts by it (补货, 发货, 售后, 评价), plus 销售 for sales.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertGroup {
    /// 补货
    Replenish,
    /// 发货
    Ship,
    /// 售后
    AfterSales,
    /// 评价
    Review,
    /// 销售
    Sales,
}

impl AlertGroup {
    pub fn code(self) -> &'static str {
        match self {
            AlertGroup::Replenish => "replenish",
            AlertGroup::Ship => "ship",
            AlertGroup::AfterSales => "after_sales",
            AlertGroup::Review => "review",
            AlertGroup::Sales => "sales",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            AlertGroup::Replenish => "补货",
            AlertGroup::Ship => "发货",
            AlertGroup::AfterSales => "售后",
            AlertGroup::Review => "评价",
            AlertGroup::Sales => "销售",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            AlertGroup::Replenish => "Replenish",
            AlertGroup::Ship => "Ship",
            AlertGroup::AfterSales => "After-sales",
            AlertGroup::Review => "Reviews",
            AlertGroup::Sales => "Sales",
        }
    }
}

/// The rule that raised an alert; its code is stable (stored, filtered on, used in links).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertCode {
    /// A best seller's daily sales fell three days in a row (warning) and did not recover within a week
    /// (critical): [`best_seller_alert`].
    BestSellerFalling,
    /// Days of cover below the alert level of the SKU's class: [`stock_alert`].
    StockBelowAlertLevel,
    /// A paid trade not shipped within 24 h of payment (or by the platform's ship-by time): [`ship_alert`].
    NotShipped24h,
    /// An open refund near or past its deadline: [`refund_alert`].
    RefundDeadline,
    /// A bad or neutral review without a reply: [`review_alert`].
    ReviewUnreplied,
    /// A day's sales below 50 % of the day's target: [`daily_target_alert`].
    SalesBelowTarget,
}

impl AlertCode {
    pub const ALL: [AlertCode; 6] = [
        AlertCode::BestSellerFalling,
        AlertCode::StockBelowAlertLevel,
        AlertCode::NotShipped24h,
        AlertCode::RefundDeadline,
        AlertCode::ReviewUnreplied,
        AlertCode::SalesBelowTarget,
    ];

    pub fn code(self) -> &'static str {
        match self {
            AlertCode::BestSellerFalling => "best_seller_falling",
            AlertCode::StockBelowAlertLevel => "stock_below_alert_level",
            AlertCode::NotShipped24h => "not_shipped_24h",
            AlertCode::RefundDeadline => "refund_deadline",
            AlertCode::ReviewUnreplied => "review_unreplied",
            AlertCode::SalesBelowTarget => "sales_below_target",
        }
    }

    /// A short title for lists.
    pub fn label_zh(self) -> &'static str {
        match self {
            AlertCode::BestSellerFalling => "热销款销量下滑",
            AlertCode::StockBelowAlertLevel => "库存低于预警线",
            AlertCode::NotShipped24h => "超时未发货",
            AlertCode::RefundDeadline => "售后即将超时",
            AlertCode::ReviewUnreplied => "中差评未回复",
            AlertCode::SalesBelowTarget => "未完成日目标",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            AlertCode::BestSellerFalling => "Best seller falling",
            AlertCode::StockBelowAlertLevel => "Stock below alert level",
            AlertCode::NotShipped24h => "Not shipped in time",
            AlertCode::RefundDeadline => "After-sales deadline",
            AlertCode::ReviewUnreplied => "Review without reply",
            AlertCode::SalesBelowTarget => "Below daily target",
        }
    }

    pub fn group(self) -> AlertGroup {
        match self {
            AlertCode::BestSellerFalling | AlertCode::SalesBelowTarget => AlertGroup::Sales,
            AlertCode::StockBelowAlertLevel => AlertGroup::Replenish,
            AlertCode::NotShipped24h => AlertGroup::Ship,
            AlertCode::RefundDeadline => AlertGroup::AfterSales,
            AlertCode::ReviewUnreplied => AlertGroup::Review,
        }
    }
}

impl fmt::Display for AlertCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// One alert. `subject` is what the caller passed (e.g. "ABC-001 黑色 XL", a trade number); the messages
/// start with it so they read on their own (in a notification, a log).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Alert {
    pub code: AlertCode,
    pub severity: Severity,
    pub subject: String,
    pub message_zh: String,
    pub message_en: String,
}

impl Alert {
    fn new(code: AlertCode, severity: Severity, subject: &str, message_zh: String, message_en: String) -> Alert {
        Alert { code, severity, subject: subject.to_string(), message_zh, message_en }
    }

    pub fn group(&self) -> AlertGroup {
        self.code.group()
    }

    /// The list order: critical first, then by group, rule and subject.
    pub fn list_cmp(&self, other: &Alert) -> Ordering {
        other
            .severity
            .cmp(&self.severity)
            .then(self.group().cmp(&other.group()))
            .then(self.code.cmp(&other.code))
            .then(self.subject.cmp(&other.subject))
    }
}

/// Sorts alerts for a list: critical first, then by group, rule and subject.
pub fn sort_alerts(alerts: &mut [Alert]) {
    alerts.sort_by(Alert::list_cmp);
}

/// The thresholds of the rules. The defaults are those of the seeds and DOMAIN.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AlertSettings {
    /// Consecutive falling days that make a best seller "in trouble" (seed 001: three).
    pub fall_days: usize,
    /// Days after that within which it must recover, or it is "finished" (seed 001: a week).
    pub recovery_days: usize,
    /// The shipping SLA after payment (DOMAIN.md §4, seed 000: 24 h).
    pub ship_sla: TimeDelta,
    /// Warn this long before the ship deadline.
    pub ship_warn_before: TimeDelta,
    /// Warn when an open refund's deadline is this close.
    pub refund_warn_within: TimeDelta,
    /// An unanswered 差评 becomes critical after this long (seed 000: 客服问题须在24小时内处理完毕).
    pub review_critical_after: TimeDelta,
    /// Least share of the day's target to reach, in percent (seed 000: 每天至少完成50%的日销售目标).
    pub daily_target_min_percent: u32,
}

impl Default for AlertSettings {
    fn default() -> Self {
        AlertSettings {
            fall_days: 3,
            recovery_days: 7,
            ship_sla: TimeDelta::hours(24),
            ship_warn_before: TimeDelta::hours(4),
            refund_warn_within: TimeDelta::hours(24),
            review_critical_after: TimeDelta::hours(24),
            daily_target_min_percent: 50,
        }
    }
}

// ---------------------------------------------------------------------------------------------------------
// Best sellers falling
// ---------------------------------------------------------------------------------------------------------

/// A fall in a best seller's daily sales that has not recovered (see [`unrecovered_fall`]). Indexes are
/// into the series passed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SalesFall {
    /// The first day that fell.
    pub start: usize,
    /// The day the fall was established (the `fall_days`-th falling day in a row).
    pub detected: usize,
    /// Units sold on the day before the fall began: the level it must get back to.
    pub baseline: i64,
    /// Units sold on the last day of the series.
    pub latest: i64,
    /// Days after `detected` up to the last day of the series, none of them back at `baseline`.
    pub days_since_detected: usize,
}

/// The best-seller rule of seed 001 (DOMAIN.md §2 "Alerts"): "a best seller whose sales fall three days
/// in a row is in trouble; if it has not recovered within a week it is finished". Precisely, over
/// `daily_units` (units paid per day, oldest first, consecutive days, the last one complete):
///
/// - A **fall** begins on day `s` (s ≥ 1) when each of the `fall_days` days `s ..= s + fall_days − 1` sold
///   strictly fewer units than the day before it. It is **detected** on day `d = s + fall_days − 1`. Its
///   **baseline** is the units of day `s − 1`, the day before the fall began.
/// - The fall has **recovered** if some day after `d` sold at least the baseline.
///
/// Returns the earliest fall in the series that has not recovered by the last day, or `None`. Falls are
/// looked for only within the series, so its length sets how far back the rule looks: pass
/// `1 + fall_days + recovery_days` days (11 by default) or a little more. `fall_days` 0 counts as 1.
pub fn unrecovered_fall(daily_units: &[i64], fall_days: usize) -> Option<SalesFall> {
    let k = fall_days.max(1);
    let last = daily_units.len().checked_sub(1)?;
    for start in 1..daily_units.len() {
        let detected = start + k - 1;
        if detected > last {
            break;
        }
        let falling = (start..=detected).all(|j| daily_units[j] < daily_units[j - 1]);
        if !falling {
            continue;
        }
        let baseline = daily_units[start - 1];
        let recovered = daily_units[detected + 1..].iter().any(|u| *u >= baseline);
        if !recovered {
            return Some(SalesFall {
                start,
                detected,
                baseline,
                latest: daily_units[last],
                days_since_detected: last - detected,
            });
        }
    }
    None
}

/// The best-seller alert (seed 001, DOMAIN.md §2): for a best seller (the caller passes only its best
/// sellers, e.g. 热销 SKUs or the top 10), an unrecovered fall (see [`unrecovered_fall`]) is a **warning**;
/// once `recovery_days` full days have passed after the day it was detected without recovery, it is
/// **critical** ("not recovered within a week: finished").
pub fn best_seller_alert(subject: &str, daily_units: &[i64], settings: &AlertSettings) -> Option<Alert> {
    let fall = unrecovered_fall(daily_units, settings.fall_days)?;
    let (k, r) = (settings.fall_days.max(1), settings.recovery_days);
    let (b, latest) = (fall.baseline, fall.latest);
    Some(if fall.days_since_detected >= r {
        let days = fall.days_since_detected;
        Alert::new(
            AlertCode::BestSellerFalling,
            Severity::Critical,
            subject,
            format!(
                "{subject}:热销款销量连续下滑后已 {days} 天未恢复到下滑前的日销 {b} 件(最近一天 {latest} 件),\
                 这个款已经掉下来了,需要调整或换款"
            ),
            format!(
                "{subject}: best seller has not recovered to its pre-fall {b} units a day {days} days after \
                 falling (latest day {latest}); the item has lost its place: rework or replace it"
            ),
        )
    } else {
        Alert::new(
            AlertCode::BestSellerFalling,
            Severity::Warning,
            subject,
            format!(
                "{subject}:热销款连续 {k} 天销量下滑,日销从 {b} 件降到 {latest} 件;{r} 天内未恢复到 {b} 件将升级为严重,\
                 请检查流量、价格、评价和库存"
            ),
            format!(
                "{subject}: best seller's daily sales fell {k} days in a row, from {b} to {latest} units; if not \
                 back to {b} within {r} days it becomes critical. Check traffic, price, reviews and stock"
            ),
        )
    })
}

// ---------------------------------------------------------------------------------------------------------
// Stock below the class alert level
// ---------------------------------------------------------------------------------------------------------

/// The stock alert (DOMAIN.md §2 "Alerts", §6): a SKU whose days of cover (可售天数) are below the alert
/// level of its class (热销/常销/滞销). **Critical** when it is out of stock while selling (0 days of
/// cover, 断货), otherwise a **warning**. Never when nothing sells (∞) or the class's level is 0. The
/// message gives the replenishment need (补货需求) of the line.
pub fn stock_alert(subject: &str, line: &ReplenishmentLine) -> Option<Alert> {
    if !line.days_of_cover.is_below(line.alert_level_days) {
        return None;
    }
    let (class_zh, class_en) = (line.class.label_zh(), line.class.label_en());
    let (cover, level, need) = (line.days_of_cover, line.alert_level_days, line.need);
    let need_zh =
        if need > 0 { format!(",建议补货 {need} 件") } else { ",在途库存已够,请跟进到货".to_string() };
    let need_en = if need > 0 {
        format!("; replenish {need} units")
    } else {
        "; enough is in transit: follow up the arrival".to_string()
    };
    Some(if cover.is_zero() {
        Alert::new(
            AlertCode::StockBelowAlertLevel,
            Severity::Critical,
            subject,
            format!("{subject}:{class_zh}款已断货(可售天数 0){need_zh}"),
            format!("{subject}: {class_en} is out of stock (0 days of cover){need_en}"),
        )
    } else {
        Alert::new(
            AlertCode::StockBelowAlertLevel,
            Severity::Warning,
            subject,
            format!("{subject}:{class_zh}款可售天数 {cover} 天,低于预警线 {level} 天{need_zh}"),
            format!("{subject}: {cover} days of cover, below the {level}-day alert level of a {class_en}{need_en}"),
        )
    })
}

// ---------------------------------------------------------------------------------------------------------
// Not shipped within 24 h
// ---------------------------------------------------------------------------------------------------------

/// What the shipping rule needs to know about a paid trade.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShipState {
    pub status: TradeStatus,
    pub paid_at: DateTime<Utc>,
    pub shipped_at: Option<DateTime<Utc>>,
    /// The platform's own ship-by time (承诺发货时间), where known.
    pub platform_ship_by: Option<DateTime<Utc>>,
}

/// The ship deadline (DOMAIN.md §4 shipping SLA): `sla` (24 h) after payment; the platform's own ship-by
/// time, where known, overrides.
pub fn ship_deadline(paid_at: DateTime<Utc>, platform_ship_by: Option<DateTime<Utc>>, sla: TimeDelta) -> DateTime<Utc> {
    platform_ship_by.unwrap_or(paid_at + sla)
}

/// The latest moments a trade still to ship can have been paid, or be due to ship by the platform's
/// ship-by time, and raise a [`ship_alert`] at `now`: a trade paid later, with no ship-by time before
/// the second bound, is neither late nor near its deadline. Lets a caller read only the trades that
/// can alert.
pub fn ship_alert_bounds(now: DateTime<Utc>, settings: &AlertSettings) -> (DateTime<Utc>, DateTime<Utc>) {
    (now - settings.ship_sla + settings.ship_warn_before, now + settings.ship_warn_before)
}

/// The shipping alert (DOMAIN.md §2 "orders not shipped within 24 h", §4 SLA) for a trade still to ship
/// (买家已付款,等待卖家发货 or 卖家部分发货, with no shipping time yet): **critical** once `now` is at or past
/// the deadline ([`ship_deadline`]), a **warning** within `ship_warn_before` of it. Trades shipped (late or
/// not), unpaid, closed, or paid with shipping forbidden (group buy not formed) raise nothing: late
/// shipments are counted by the ship_within_24h_rate metric instead.
pub fn ship_alert(subject: &str, trade: &ShipState, now: DateTime<Utc>, settings: &AlertSettings) -> Option<Alert> {
    let to_ship = matches!(trade.status, TradeStatus::WaitSellerSendGoods | TradeStatus::SellerConsignedPart);
    if !to_ship || trade.shipped_at.is_some() {
        return None;
    }
    let deadline = ship_deadline(trade.paid_at, trade.platform_ship_by, settings.ship_sla);
    let (basis_zh, basis_en) = if trade.platform_ship_by.is_some() {
        ("平台承诺发货时间".to_string(), "the platform's ship-by time".to_string())
    } else {
        (
            format!("付款后{}内发货", span_zh(settings.ship_sla)),
            format!("ship within {} of payment", span_en(settings.ship_sla)),
        )
    };
    if now >= deadline {
        let over = now - deadline;
        Some(Alert::new(
            AlertCode::NotShipped24h,
            Severity::Critical,
            subject,
            format!("{subject}:超时未发货,已超时 {}({basis_zh})", span_zh(over)),
            format!("{subject}: not shipped in time, {} overdue ({basis_en})", span_en(over)),
        ))
    } else if deadline - now <= settings.ship_warn_before {
        let left = deadline - now;
        Some(Alert::new(
            AlertCode::NotShipped24h,
            Severity::Warning,
            subject,
            format!("{subject}:待发货,还剩 {} 超时({basis_zh})", span_zh(left)),
            format!("{subject}: waiting to ship, {} left ({basis_en})", span_en(left)),
        ))
    } else {
        None
    }
}

// ---------------------------------------------------------------------------------------------------------
// Refunds near their deadline
// ---------------------------------------------------------------------------------------------------------

/// The refund deadline alert (DOMAIN.md §5: each open refund shows its deadline; if the seller does not act
/// in time the platform proceeds on its own). Only refunds waiting for the seller raise it (等待卖家同意,
/// 等待卖家确认收货); a deadline running for the buyer (等待买家退货) or a closed refund does not.
/// **Critical** once `now` is at or past `deadline`, a **warning** within `refund_warn_within` of it.
pub fn refund_alert(
    subject: &str,
    status: RefundStatus,
    deadline: DateTime<Utc>,
    now: DateTime<Utc>,
    settings: &AlertSettings,
) -> Option<Alert> {
    let status_en = match status {
        RefundStatus::WaitSellerAgree => "waiting for the seller to agree",
        RefundStatus::WaitSellerConfirmGoods => "waiting for the seller to confirm the returned goods",
        _ => return None,
    };
    let status_zh = status.label_zh();
    if now >= deadline {
        let over = now - deadline;
        Some(Alert::new(
            AlertCode::RefundDeadline,
            Severity::Critical,
            subject,
            format!("{subject}:售后({status_zh})已超时 {},平台将自动处理", span_zh(over)),
            format!(
                "{subject}: after-sales case ({status_en}) is {} past its deadline; the platform proceeds on its own",
                span_en(over)
            ),
        ))
    } else if deadline - now <= settings.refund_warn_within {
        let left = deadline - now;
        Some(Alert::new(
            AlertCode::RefundDeadline,
            Severity::Warning,
            subject,
            format!("{subject}:售后({status_zh})还剩 {} 到期,超时平台将自动处理", span_zh(left)),
            format!(
                "{subject}: after-sales case ({status_en}) is due in {}; after that the platform proceeds on its own",
                span_en(left)
            ),
        ))
    } else {
        None
    }
}

// ---------------------------------------------------------------------------------------------------------
// Reviews without a reply
// ---------------------------------------------------------------------------------------------------------

/// The review alert (DOMAIN.md §2 "bad reviews", §10: bad and neutral reviews need a reply and a
/// follow-up): a 差评 or 中评 without a reply. A 差评 unanswered for `review_critical_after` or longer is
/// **critical**; otherwise a **warning**.
pub fn review_alert(
    subject: &str,
    rating: ReviewRating,
    replied: bool,
    reviewed_at: DateTime<Utc>,
    now: DateTime<Utc>,
    settings: &AlertSettings,
) -> Option<Alert> {
    if replied || !rating.needs_reply() {
        return None;
    }
    let age = now - reviewed_at;
    let severity = if rating == ReviewRating::Bad && age >= settings.review_critical_after {
        Severity::Critical
    } else {
        Severity::Warning
    };
    let (r_zh, r_en) = (rating.label_zh(), rating.label_en());
    Some(Alert::new(
        AlertCode::ReviewUnreplied,
        severity,
        subject,
        format!("{subject}:{r_zh}未回复(已 {}),请写评价解释并回访买家", span_zh(age)),
        format!(
            "{subject}: {r_en} without a reply for {}: write an explanation and follow up with the buyer",
            span_en(age)
        ),
    ))
}

// ---------------------------------------------------------------------------------------------------------
// Daily target
// ---------------------------------------------------------------------------------------------------------

/// The daily target alert (DOMAIN.md §2, §11; seed 000 "每天至少完成50%的日销售目标"): a **warning** when a
/// day's sales are below `daily_target_min_percent` (50 %) of the day's target. Evaluate it for a finished
/// day (or at the end of the day), not during the day. No target (0 or less): no alert. `sales` is
/// whichever basis the screen shows (usually 支付金额 amount_paid); the caller labels it.
pub fn daily_target_alert(
    subject: &str,
    day: NaiveDate,
    sales: Money,
    target: Money,
    settings: &AlertSettings,
) -> Option<Alert> {
    if target.fen() <= 0 {
        return None;
    }
    let min = settings.daily_target_min_percent;
    let done = Ratio::of_money(sales, target);
    if done.is_below(i64::from(min), 100) != Some(true) {
        return None;
    }
    let pct = done.to_string();
    let (s, t) = (sales.to_display(), target.to_display());
    Some(Alert::new(
        AlertCode::SalesBelowTarget,
        Severity::Warning,
        subject,
        format!("{subject} {day}:销售额 {s} 仅完成日目标 {t} 的 {pct},低于 {min}%"),
        format!("{subject} {day}: sales of {s} reached only {pct} of the daily target {t} (at least {min}% expected)"),
    ))
}

// ---------------------------------------------------------------------------------------------------------
// Durations in the shop's words: 还剩 3小时 / 超时 5小时 (UI.md)
// ---------------------------------------------------------------------------------------------------------

/// "45分钟", "5小时", "2天3小时" (rounded down; under a minute: "不到1分钟").
fn span_zh(d: TimeDelta) -> String {
    let m = d.num_minutes().max(0);
    if d < TimeDelta::minutes(1) {
        "不到1分钟".to_string()
    } else if m < 60 {
        format!("{m}分钟")
    } else if m < 48 * 60 {
        format!("{}小时", m / 60)
    } else {
        let (days, hours) = (m / (24 * 60), (m / 60) % 24);
        if hours == 0 { format!("{days}天") } else { format!("{days}天{hours}小时") }
    }
}

/// "45 min", "5 h", "2 d 3 h" (rounded down; under a minute: "less than 1 min").
fn span_en(d: TimeDelta) -> String {
    let m = d.num_minutes().max(0);
    if d < TimeDelta::minutes(1) {
        "less than 1 min".to_string()
    } else if m < 60 {
        format!("{m} min")
    } else if m < 48 * 60 {
        format!("{} h", m / 60)
    } else {
        let (days, hours) = (m / (24 * 60), (m / 60) % 24);
        if hours == 0 { format!("{days} d") } else { format!("{days} d {hours} h") }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::replenishment::{AvgDailySales, ClassPolicy, ReplenishmentPolicy, SkuClass};
    use proptest::prelude::*;

    fn t0() -> DateTime<Utc> {
        DateTime::from_timestamp(1_717_200_000, 0).unwrap_or_default()
    }

    fn hours(h: i64) -> TimeDelta {
        TimeDelta::hours(h)
    }

    #[test]
    fn codes_are_stable_and_grouped() {
        let codes: Vec<&str> = AlertCode::ALL.iter().map(|c| c.code()).collect();
        assert_eq!(
            codes,
            [
                "best_seller_falling",
                "stock_below_alert_level",
                "not_shipped_24h",
                "refund_deadline",
                "review_unreplied",
                "sales_below_target"
            ]
        );
        assert_eq!(AlertCode::StockBelowAlertLevel.group().label_zh(), "补货");
        assert_eq!(AlertCode::NotShipped24h.group().label_zh(), "发货");
        assert_eq!(AlertCode::RefundDeadline.group().label_zh(), "售后");
        assert_eq!(AlertCode::ReviewUnreplied.group().label_zh(), "评价");
        assert!(Severity::Critical > Severity::Warning);
    }

    #[test]
    fn fall_detection() {
        // Three strict falls after a baseline of 10.
        let f = unrecovered_fall(&[10, 9, 8, 7], 3);
        assert_eq!(f, Some(SalesFall { start: 1, detected: 3, baseline: 10, latest: 7, days_since_detected: 0 }));
        // Two falls are not enough; a flat day breaks the run.
        assert_eq!(unrecovered_fall(&[10, 9, 8], 3), None);
        assert_eq!(unrecovered_fall(&[10, 9, 9, 8, 7], 3), None);
        assert_eq!(unrecovered_fall(&[10, 9, 9, 8, 7, 6], 3).map(|f| (f.start, f.baseline)), Some((3, 9)));
        assert_eq!(unrecovered_fall(&[10, 9, 9, 8, 8], 3), None);
        // Recovered: a later day back at the baseline (10) ends it.
        assert_eq!(unrecovered_fall(&[10, 9, 8, 7, 10], 3), None);
        assert_eq!(unrecovered_fall(&[10, 9, 8, 7, 9, 9], 3).map(|f| f.baseline), Some(10));
        // Recovered, then a new fall: the new one counts, with its own baseline.
        let f = unrecovered_fall(&[10, 9, 8, 7, 12, 11, 10, 9], 3);
        assert_eq!(f.map(|f| (f.start, f.baseline, f.days_since_detected)), Some((5, 12, 0)));
        // A longer fall is the earliest start, measured from its first detection.
        let f = unrecovered_fall(&[10, 9, 8, 7, 6, 5], 3);
        assert_eq!(f.map(|f| (f.start, f.detected, f.days_since_detected)), Some((1, 3, 2)));
        assert_eq!(unrecovered_fall(&[], 3), None);
        assert_eq!(unrecovered_fall(&[5], 0), None);
        assert_eq!(unrecovered_fall(&[5, 4], 0).map(|f| f.detected), Some(1));
    }

    #[test]
    fn best_seller_warning_then_critical() {
        let s = AlertSettings::default();
        assert_eq!(best_seller_alert("A", &[10, 10, 11, 12], &s), None);
        let w = best_seller_alert("A", &[10, 9, 8, 7], &s);
        assert_eq!(w.as_ref().map(|a| (a.code, a.severity)), Some((AlertCode::BestSellerFalling, Severity::Warning)));
        assert!(
            w.as_ref().is_some_and(|a| a.message_zh.contains("连续 3 天销量下滑") && a.message_zh.starts_with("A:"))
        );
        // Six days after detection, still not back to 10: warning.
        let six = [10, 9, 8, 7, 7, 8, 9, 9, 8, 9];
        assert_eq!(best_seller_alert("A", &six, &s).map(|a| a.severity), Some(Severity::Warning));
        // Seven days after detection: critical.
        let seven = [10, 9, 8, 7, 7, 8, 9, 9, 8, 9, 9];
        let c = best_seller_alert("A", &seven, &s);
        assert_eq!(c.as_ref().map(|a| a.severity), Some(Severity::Critical));
        assert!(c.as_ref().is_some_and(|a| a.message_en.contains("pre-fall 10 units")));
        // Back at the baseline on the seventh day: nothing.
        let back = [10, 9, 8, 7, 7, 8, 9, 9, 8, 9, 10];
        assert_eq!(best_seller_alert("A", &back, &s), None);
    }

    fn line(units: i64, days: u32, available: i64, in_transit: i64) -> ReplenishmentLine {
        ReplenishmentLine::plan(
            AvgDailySales::new(units, days),
            available,
            in_transit,
            &ReplenishmentPolicy::default(),
            &ClassPolicy::default(),
        )
    }

    #[test]
    fn stock_below_class_level() {
        // Hot (5 a day), 40 available: 8 days < 15.
        let l = line(35, 7, 40, 0);
        assert_eq!(l.class, SkuClass::Hot);
        let a = stock_alert("SKU-1", &l);
        assert_eq!(a.as_ref().map(|a| a.severity), Some(Severity::Warning));
        assert!(
            a.as_ref().is_some_and(|a| a.message_zh.contains("热销款可售天数 8.0 天,低于预警线 15 天,建议补货 65 件"))
        );
        // Out of stock while selling: critical.
        let a = stock_alert("SKU-1", &line(35, 7, 0, 0));
        assert_eq!(a.as_ref().map(|a| a.severity), Some(Severity::Critical));
        assert!(a.as_ref().is_some_and(|a| a.message_zh.contains("断货")));
        // Enough cover: nothing. Nothing sells: nothing. Slow class (level 0): nothing.
        assert_eq!(stock_alert("SKU-1", &line(35, 7, 100, 0)), None);
        assert_eq!(stock_alert("SKU-1", &line(0, 7, 0, 0)), None);
        assert_eq!(stock_alert("SKU-1", &line(1, 30, 0, 0)), None);
        // Below the level, but enough in transit.
        let a = stock_alert("SKU-1", &line(35, 7, 40, 100));
        assert!(a.as_ref().is_some_and(|a| a.message_zh.contains("在途库存已够")));
    }

    fn trade(status: TradeStatus, shipped: Option<i64>, ship_by: Option<i64>) -> ShipState {
        ShipState {
            status,
            paid_at: t0(),
            shipped_at: shipped.map(|h| t0() + hours(h)),
            platform_ship_by: ship_by.map(|h| t0() + hours(h)),
        }
    }

    #[test]
    fn not_shipped_within_24h() {
        let s = AlertSettings::default();
        let waiting = trade(TradeStatus::WaitSellerSendGoods, None, None);
        assert_eq!(ship_alert("T1", &waiting, t0() + hours(10), &s), None);
        let w = ship_alert("T1", &waiting, t0() + hours(21), &s);
        assert_eq!(w.as_ref().map(|a| a.severity), Some(Severity::Warning));
        assert!(w.as_ref().is_some_and(|a| a.message_zh == "T1:待发货,还剩 3小时 超时(付款后24小时内发货)"));
        let c = ship_alert("T1", &waiting, t0() + hours(29), &s);
        assert_eq!(c.as_ref().map(|a| (a.code, a.severity)), Some((AlertCode::NotShipped24h, Severity::Critical)));
        assert!(c.as_ref().is_some_and(|a| a.message_zh.contains("超时未发货,已超时 5小时")));
        assert!(c.as_ref().is_some_and(|a| a.message_en.contains("5 h overdue")));
        // Exactly at the deadline: overdue.
        assert_eq!(ship_alert("T1", &waiting, t0() + hours(24), &s).map(|a| a.severity), Some(Severity::Critical));
        // The platform's ship-by time overrides the 24 h.
        let by48 = trade(TradeStatus::WaitSellerSendGoods, None, Some(48));
        assert_eq!(ship_alert("T1", &by48, t0() + hours(29), &s), None);
        assert!(
            ship_alert("T1", &by48, t0() + hours(50), &s).is_some_and(|a| a.message_zh.contains("平台承诺发货时间"))
        );
        // Shipped (even late), forbidden, unpaid or closed: nothing.
        assert_eq!(
            ship_alert("T1", &trade(TradeStatus::WaitBuyerConfirmGoods, Some(30), None), t0() + hours(40), &s),
            None
        );
        assert_eq!(ship_alert("T1", &trade(TradeStatus::PaidForbidConsign, None, None), t0() + hours(40), &s), None);
        assert_eq!(ship_alert("T1", &trade(TradeStatus::TradeClosed, None, None), t0() + hours(40), &s), None);
        assert_eq!(ship_alert("T1", &trade(TradeStatus::WaitBuyerPay, None, None), t0() + hours(40), &s), None);
        assert_eq!(ship_deadline(t0(), None, hours(24)), t0() + hours(24));
    }

    #[test]
    fn refunds_near_deadline() {
        let s = AlertSettings::default();
        let deadline = t0() + hours(100);
        let agree = RefundStatus::WaitSellerAgree;
        assert_eq!(refund_alert("R1", agree, deadline, t0(), &s), None);
        let w = refund_alert("R1", agree, deadline, t0() + hours(90), &s);
        assert_eq!(w.as_ref().map(|a| a.severity), Some(Severity::Warning));
        assert!(w.as_ref().is_some_and(|a| a.message_zh == "R1:售后(等待卖家同意)还剩 10小时 到期,超时平台将自动处理"));
        let c = refund_alert("R1", RefundStatus::WaitSellerConfirmGoods, deadline, t0() + hours(101), &s);
        assert_eq!(c.as_ref().map(|a| (a.code, a.severity)), Some((AlertCode::RefundDeadline, Severity::Critical)));
        // The buyer's turn, or closed: nothing.
        assert_eq!(refund_alert("R1", RefundStatus::WaitBuyerReturnGoods, deadline, t0() + hours(99), &s), None);
        assert_eq!(refund_alert("R1", RefundStatus::Success, deadline, t0() + hours(101), &s), None);
        // A wider window warns earlier.
        let wide = AlertSettings { refund_warn_within: hours(48), ..s };
        assert!(refund_alert("R1", agree, deadline, t0() + hours(60), &wide).is_some());
    }

    #[test]
    fn reviews_without_reply() {
        let s = AlertSettings::default();
        let at = t0();
        assert_eq!(review_alert("V1", ReviewRating::Bad, true, at, at + hours(50), &s), None);
        assert_eq!(review_alert("V1", ReviewRating::Good, false, at, at + hours(50), &s), None);
        let w = review_alert("V1", ReviewRating::Bad, false, at, at + hours(2), &s);
        assert_eq!(w.as_ref().map(|a| a.severity), Some(Severity::Warning));
        assert!(w.as_ref().is_some_and(|a| a.message_zh.starts_with("V1:差评未回复(已 2小时)")));
        let c = review_alert("V1", ReviewRating::Bad, false, at, at + hours(24), &s);
        assert_eq!(c.map(|a| a.severity), Some(Severity::Critical));
        let n = review_alert("V1", ReviewRating::Neutral, false, at, at + hours(72), &s);
        assert_eq!(n.as_ref().map(|a| a.severity), Some(Severity::Warning));
        assert!(n.as_ref().is_some_and(|a| a.message_zh.contains("中评未回复(已 3天)")));
    }

    #[test]
    fn daily_target() {
        let s = AlertSettings::default();
        let day = NaiveDate::from_ymd_opt(2024, 6, 1).unwrap_or_default();
        let target = Money::from_yuan(10_000);
        assert_eq!(daily_target_alert("店铺A", day, Money::from_yuan(5_000), target, &s), None);
        let a = daily_target_alert("店铺A", day, Money::from_fen(499_999), target, &s);
        assert_eq!(a.as_ref().map(|a| (a.code, a.severity)), Some((AlertCode::SalesBelowTarget, Severity::Warning)));
        assert!(a.as_ref().is_some_and(
            |a| a.message_zh == "店铺A 2024-06-01:销售额 ¥4,999.99 仅完成日目标 ¥10,000.00 的 50.00%,低于 50%"
        ));
        assert_eq!(daily_target_alert("店铺A", day, Money::ZERO, Money::ZERO, &s), None);
        assert!(daily_target_alert("店铺A", day, Money::ZERO, target, &s).is_some());
    }

    #[test]
    fn durations_in_shop_words() {
        assert_eq!(span_zh(TimeDelta::seconds(30)), "不到1分钟");
        assert_eq!(span_zh(TimeDelta::minutes(45)), "45分钟");
        assert_eq!(span_zh(hours(5) + TimeDelta::minutes(59)), "5小时");
        assert_eq!(span_zh(hours(47)), "47小时");
        assert_eq!(span_zh(hours(51)), "2天3小时");
        assert_eq!(span_zh(hours(72)), "3天");
        assert_eq!(span_en(hours(51)), "2 d 3 h");
        assert_eq!(span_en(TimeDelta::minutes(45)), "45 min");
        assert_eq!(span_en(TimeDelta::seconds(-5)), "less than 1 min");
    }

    #[test]
    fn sorting_puts_critical_first() {
        let s = AlertSettings::default();
        let mut alerts: Vec<Alert> = [
            review_alert("V1", ReviewRating::Neutral, false, t0(), t0() + hours(1), &s),
            ship_alert("T2", &trade(TradeStatus::WaitSellerSendGoods, None, None), t0() + hours(30), &s),
            stock_alert("SKU-1", &line(35, 7, 40, 0)),
            ship_alert("T1", &trade(TradeStatus::WaitSellerSendGoods, None, None), t0() + hours(30), &s),
        ]
        .into_iter()
        .flatten()
        .collect();
        sort_alerts(&mut alerts);
        let order: Vec<(&str, Severity)> = alerts.iter().map(|a| (a.subject.as_str(), a.severity)).collect();
        assert_eq!(
            order,
            [
                ("T1", Severity::Critical),
                ("T2", Severity::Critical),
                ("SKU-1", Severity::Warning),
                ("V1", Severity::Warning)
            ]
        );
    }

    proptest! {
        #[test]
        fn a_fall_needs_three_strict_drops_and_no_recovery(units in proptest::collection::vec(0i64..20, 0..20)) {
            match unrecovered_fall(&units, 3) {
                Some(f) => {
                    prop_assert_eq!(f.detected, f.start + 2);
                    prop_assert!(units[f.start - 1] > units[f.start]);
                    prop_assert!(units[f.start] > units[f.start + 1]);
                    prop_assert!(units[f.start + 1] > units[f.start + 2]);
                    prop_assert_eq!(f.baseline, units[f.start - 1]);
                    prop_assert!(units[f.detected + 1..].iter().all(|u| *u < f.baseline));
                    prop_assert_eq!(f.days_since_detected, units.len() - 1 - f.detected);
                }
                None => {
                    // Every run of three strict drops was followed by a day back at its baseline.
                    for s in 1..units.len().saturating_sub(2) {
                        if units[s - 1] > units[s] && units[s] > units[s + 1] && units[s + 1] > units[s + 2] {
                            prop_assert!(units[s + 3..].iter().any(|u| *u >= units[s - 1]));
                        }
                    }
                }
            }
        }

        #[test]
        fn ship_alert_severity_follows_the_clock(minutes in -600i64..3000) {
            let s = AlertSettings::default();
            let now = t0() + TimeDelta::minutes(minutes);
            let a = ship_alert("T", &trade(TradeStatus::WaitSellerSendGoods, None, None), now, &s).map(|a| a.severity);
            let expected = if minutes >= 24 * 60 {
                Some(Severity::Critical)
            } else if minutes >= 20 * 60 {
                Some(Severity::Warning)
            } else {
                None
            };
            prop_assert_eq!(a, expected);
        }

        #[test]
        fn only_trades_within_the_bounds_alert(
            paid_min in -3000i64..600,
            ship_by_min in proptest::option::of(-3000i64..3000),
            sla_h in 1i64..72,
            warn_h in 0i64..24,
        ) {
            let s = AlertSettings { ship_sla: hours(sla_h), ship_warn_before: hours(warn_h), ..AlertSettings::default() };
            let now = t0();
            let state = ShipState {
                status: TradeStatus::WaitSellerSendGoods,
                paid_at: now + TimeDelta::minutes(paid_min),
                shipped_at: None,
                platform_ship_by: ship_by_min.map(|m| now + TimeDelta::minutes(m)),
            };
            let (paid_by, ship_by_by) = ship_alert_bounds(now, &s);
            let within = state.paid_at <= paid_by || state.platform_ship_by.is_some_and(|b| b <= ship_by_by);
            if ship_alert("T", &state, now, &s).is_some() {
                prop_assert!(within, "{state:?} alerts outside the bounds {paid_by} / {ship_by_by}");
            }
            // Without a ship-by time the first bound is exact.
            if state.platform_ship_by.is_none() {
                prop_assert_eq!(ship_alert("T", &state, now, &s).is_some(), state.paid_at <= paid_by);
            }
        }
    }
}
