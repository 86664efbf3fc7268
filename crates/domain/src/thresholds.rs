//! The thresholds a company sets for its alerts and its replenishment table (预警阈值, DOMAIN.md §2
//! "Alerts", §4 shipping SLA, §5 deadlines, §6 classes and their alert levels): what makes a SKU 热销,
//! 常销 or 滞销 and the days of cover below which each class is flagged for 补货, the replenishment
//! policy, how a falling best seller is judged, and how early deadlines warn.
//!
//! Each threshold is a whole number with a [`ThresholdKey`]; the defaults are those of the seeds and
//! DOMAIN.md (the same as [`ClassPolicy::default`], [`ReplenishmentPolicy::default`] and
//! [`AlertSettings::default`]). A company stores its own values; a shop may override some of them for its
//! own reports. [`Thresholds`] is one complete set, checked as a whole ([`Thresholds::check`]).

use std::fmt;
use std::str::FromStr;

use chrono::TimeDelta;
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

use crate::alerts::AlertSettings;
use crate::replenishment::{AvgDailySales, ClassPolicy, ReplenishmentPolicy};

/// What a threshold is about; the settings page groups them so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ThresholdGroup {
    /// 热销/常销/滞销 and their alert levels.
    Classes,
    /// The replenishment table's policy.
    Replenishment,
    /// Best sellers falling (seed 001).
    BestSellers,
    /// Shipping and after-sales deadlines.
    Deadlines,
}

impl ThresholdGroup {
    pub const ALL: [ThresholdGroup; 4] = [
        ThresholdGroup::Classes,
        ThresholdGroup::Replenishment,
        ThresholdGroup::BestSellers,
        ThresholdGroup::Deadlines,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ThresholdGroup::Classes => "classes",
            ThresholdGroup::Replenishment => "replenishment",
            ThresholdGroup::BestSellers => "best_sellers",
            ThresholdGroup::Deadlines => "deadlines",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            ThresholdGroup::Classes => "热销/常销/滞销与库存预警线",
            ThresholdGroup::Replenishment => "补货",
            ThresholdGroup::BestSellers => "热销款销量下滑",
            ThresholdGroup::Deadlines => "发货与售后时限",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            ThresholdGroup::Classes => "Hot, regular and slow sellers and their stock alert levels",
            ThresholdGroup::Replenishment => "Replenishment",
            ThresholdGroup::BestSellers => "Best sellers falling",
            ThresholdGroup::Deadlines => "Shipping and after-sales deadlines",
        }
    }
}

/// One threshold. Its code is stable (stored, used by the API).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ThresholdKey {
    /// 热销 from this many units paid in the last 7 days (3 a day: 21).
    HotFromWeek,
    /// 滞销 below this many units paid in the last 7 days (1).
    SlowBelowWeek,
    /// The alert level of a 热销 SKU, in days of cover (15).
    AlertDaysHot,
    /// The alert level of a 常销 SKU (10).
    AlertDaysRegular,
    /// The alert level of a 滞销 SKU (0: never).
    AlertDaysSlow,
    /// The lead time of SKUs whose product has no supplier (7 days).
    LeadTimeDays,
    /// Days of sales an arrival should cover beyond the lead time (14).
    CoverTargetDays,
    /// Units always kept in reserve (安全库存, 0).
    SafetyStock,
    /// Falling days in a row that put a best seller in trouble (3).
    FallDays,
    /// Days after which an unrecovered best seller is finished (7).
    RecoveryDays,
    /// Hours after payment within which a trade must ship (24).
    ShipSlaHours,
    /// Warn this many hours before the ship deadline (4).
    ShipWarnHours,
    /// Warn this many hours before an after-sales deadline (24).
    RefundWarnHours,
}

const COUNT: usize = 13;

impl ThresholdKey {
    pub const ALL: [ThresholdKey; COUNT] = [
        ThresholdKey::HotFromWeek,
        ThresholdKey::SlowBelowWeek,
        ThresholdKey::AlertDaysHot,
        ThresholdKey::AlertDaysRegular,
        ThresholdKey::AlertDaysSlow,
        ThresholdKey::LeadTimeDays,
        ThresholdKey::CoverTargetDays,
        ThresholdKey::SafetyStock,
        ThresholdKey::FallDays,
        ThresholdKey::RecoveryDays,
        ThresholdKey::ShipSlaHours,
        ThresholdKey::ShipWarnHours,
        ThresholdKey::RefundWarnHours,
    ];

    fn index(self) -> usize {
        self as usize
    }

    pub fn code(self) -> &'static str {
        match self {
            ThresholdKey::HotFromWeek => "hot_from_week",
            ThresholdKey::SlowBelowWeek => "slow_below_week",
            ThresholdKey::AlertDaysHot => "alert_days_hot",
            ThresholdKey::AlertDaysRegular => "alert_days_regular",
            ThresholdKey::AlertDaysSlow => "alert_days_slow",
            ThresholdKey::LeadTimeDays => "lead_time_days",
            ThresholdKey::CoverTargetDays => "cover_target_days",
            ThresholdKey::SafetyStock => "safety_stock",
            ThresholdKey::FallDays => "fall_days",
            ThresholdKey::RecoveryDays => "recovery_days",
            ThresholdKey::ShipSlaHours => "ship_sla_hours",
            ThresholdKey::ShipWarnHours => "ship_warn_hours",
            ThresholdKey::RefundWarnHours => "refund_warn_hours",
        }
    }

    pub fn group(self) -> ThresholdGroup {
        match self {
            ThresholdKey::HotFromWeek
            | ThresholdKey::SlowBelowWeek
            | ThresholdKey::AlertDaysHot
            | ThresholdKey::AlertDaysRegular
            | ThresholdKey::AlertDaysSlow => ThresholdGroup::Classes,
            ThresholdKey::LeadTimeDays | ThresholdKey::CoverTargetDays | ThresholdKey::SafetyStock => {
                ThresholdGroup::Replenishment
            }
            ThresholdKey::FallDays | ThresholdKey::RecoveryDays => ThresholdGroup::BestSellers,
            ThresholdKey::ShipSlaHours | ThresholdKey::ShipWarnHours | ThresholdKey::RefundWarnHours => {
                ThresholdGroup::Deadlines
            }
        }
    }

    /// The name on the settings page.
    pub fn label_zh(self) -> &'static str {
        match self {
            ThresholdKey::HotFromWeek => "热销：近7天销量不少于",
            ThresholdKey::SlowBelowWeek => "滞销：近7天销量少于",
            ThresholdKey::AlertDaysHot => "热销款预警线（可售天数低于）",
            ThresholdKey::AlertDaysRegular => "常销款预警线（可售天数低于）",
            ThresholdKey::AlertDaysSlow => "滞销款预警线（可售天数低于，0 为不预警）",
            ThresholdKey::LeadTimeDays => "默认采购周期（商品未设供应商时）",
            ThresholdKey::CoverTargetDays => "补货目标天数（采购周期之外再备）",
            ThresholdKey::SafetyStock => "安全库存",
            ThresholdKey::FallDays => "热销款连续下滑天数",
            ThresholdKey::RecoveryDays => "下滑后未恢复升级为严重的天数",
            ThresholdKey::ShipSlaHours => "发货时限（付款后）",
            ThresholdKey::ShipWarnHours => "发货到期前提醒",
            ThresholdKey::RefundWarnHours => "售后处理到期前提醒",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            ThresholdKey::HotFromWeek => "Hot seller: units paid in the last 7 days at least",
            ThresholdKey::SlowBelowWeek => "Slow seller: units paid in the last 7 days below",
            ThresholdKey::AlertDaysHot => "Alert level of a hot seller (days of cover below)",
            ThresholdKey::AlertDaysRegular => "Alert level of a regular seller (days of cover below)",
            ThresholdKey::AlertDaysSlow => "Alert level of a slow seller (days of cover below; 0: never)",
            ThresholdKey::LeadTimeDays => "Lead time of products without a supplier",
            ThresholdKey::CoverTargetDays => "Days of sales to cover beyond the lead time",
            ThresholdKey::SafetyStock => "Safety stock",
            ThresholdKey::FallDays => "Falling days in a row for a best seller",
            ThresholdKey::RecoveryDays => "Days without recovery before it turns critical",
            ThresholdKey::ShipSlaHours => "Ship within (after payment)",
            ThresholdKey::ShipWarnHours => "Warn before the ship deadline",
            ThresholdKey::RefundWarnHours => "Warn before an after-sales deadline",
        }
    }

    /// The unit the value counts.
    pub fn unit_zh(self) -> &'static str {
        match self {
            ThresholdKey::HotFromWeek | ThresholdKey::SlowBelowWeek | ThresholdKey::SafetyStock => "件",
            ThresholdKey::ShipSlaHours | ThresholdKey::ShipWarnHours | ThresholdKey::RefundWarnHours => "小时",
            _ => "天",
        }
    }

    pub fn unit_en(self) -> &'static str {
        match self {
            ThresholdKey::HotFromWeek | ThresholdKey::SlowBelowWeek | ThresholdKey::SafetyStock => "units",
            ThresholdKey::ShipSlaHours | ThresholdKey::ShipWarnHours | ThresholdKey::RefundWarnHours => "hours",
            _ => "days",
        }
    }

    /// The value of the seeds and DOMAIN.md.
    pub fn default_value(self) -> i64 {
        match self {
            ThresholdKey::HotFromWeek => 21,
            ThresholdKey::SlowBelowWeek => 1,
            ThresholdKey::AlertDaysHot => 15,
            ThresholdKey::AlertDaysRegular => 10,
            ThresholdKey::AlertDaysSlow => 0,
            ThresholdKey::LeadTimeDays => 7,
            ThresholdKey::CoverTargetDays => 14,
            ThresholdKey::SafetyStock => 0,
            ThresholdKey::FallDays => 3,
            ThresholdKey::RecoveryDays => 7,
            ThresholdKey::ShipSlaHours => 24,
            ThresholdKey::ShipWarnHours => 4,
            ThresholdKey::RefundWarnHours => 24,
        }
    }

    /// The values accepted, both ends included.
    pub fn range(self) -> (i64, i64) {
        match self {
            ThresholdKey::HotFromWeek => (1, 1_000_000),
            ThresholdKey::SlowBelowWeek => (0, 1_000_000),
            ThresholdKey::AlertDaysHot | ThresholdKey::AlertDaysRegular | ThresholdKey::AlertDaysSlow => (0, 365),
            ThresholdKey::LeadTimeDays | ThresholdKey::CoverTargetDays => (0, 365),
            ThresholdKey::SafetyStock => (0, 1_000_000),
            ThresholdKey::FallDays => (1, 14),
            ThresholdKey::RecoveryDays => (1, 60),
            ThresholdKey::ShipSlaHours => (1, 720),
            ThresholdKey::ShipWarnHours | ThresholdKey::RefundWarnHours => (0, 720),
        }
    }
}

impl fmt::Display for ThresholdKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown threshold {0:?}")]
pub struct UnknownThreshold(pub String);

impl FromStr for ThresholdKey {
    type Err = UnknownThreshold;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        ThresholdKey::ALL.into_iter().find(|k| k.code() == t).ok_or_else(|| UnknownThreshold(s.to_string()))
    }
}

impl Serialize for ThresholdKey {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

/// Why a set of thresholds is refused. Each names the threshold to correct.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ThresholdError {
    #[error("{key} must be between {min} and {max}, not {value}")]
    OutOfRange { key: ThresholdKey, value: i64, min: i64, max: i64 },
    #[error("the hot-seller threshold ({hot} units a week) is below the slow-seller threshold ({slow})")]
    HotBelowSlow { hot: i64, slow: i64 },
    #[error("the warning before the ship deadline ({warn} h) is longer than the deadline itself ({sla} h)")]
    WarnBeyondDeadline { warn: i64, sla: i64 },
}

impl ThresholdError {
    /// The threshold to correct.
    pub fn key(&self) -> ThresholdKey {
        match self {
            ThresholdError::OutOfRange { key, .. } => *key,
            ThresholdError::HotBelowSlow { .. } => ThresholdKey::HotFromWeek,
            ThresholdError::WarnBeyondDeadline { .. } => ThresholdKey::ShipWarnHours,
        }
    }

    pub fn message_zh(&self) -> String {
        match self {
            ThresholdError::OutOfRange { key, value, min, max } => {
                format!("{}：要在 {min} 到 {max} {}之间，不能是 {value}", key.label_zh(), key.unit_zh())
            }
            ThresholdError::HotBelowSlow { hot, slow } => {
                format!("热销的标准（近7天 {hot} 件）不能低于滞销的标准（近7天少于 {slow} 件）")
            }
            ThresholdError::WarnBeyondDeadline { warn, sla } => {
                format!("发货到期前提醒（{warn} 小时）不能长于发货时限（{sla} 小时）")
            }
        }
    }
}

/// One complete set of thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds {
    values: [i64; COUNT],
}

/// The defaults of the seeds and DOMAIN.md.
impl Default for Thresholds {
    fn default() -> Self {
        let mut values = [0; COUNT];
        for k in ThresholdKey::ALL {
            values[k.index()] = k.default_value();
        }
        Thresholds { values }
    }
}

impl Thresholds {
    pub fn get(&self, key: ThresholdKey) -> i64 {
        self.values[key.index()]
    }

    /// Sets one value after checking its range (the set as a whole is checked by [`Thresholds::check`]).
    pub fn set(&mut self, key: ThresholdKey, value: i64) -> Result<(), ThresholdError> {
        let (min, max) = key.range();
        if value < min || value > max {
            return Err(ThresholdError::OutOfRange { key, value, min, max });
        }
        self.values[key.index()] = value;
        Ok(())
    }

    /// Every value, in the order of [`ThresholdKey::ALL`].
    pub fn iter(&self) -> impl Iterator<Item = (ThresholdKey, i64)> + '_ {
        ThresholdKey::ALL.into_iter().map(|k| (k, self.get(k)))
    }

    /// This set with `overrides` put in its place (each range-checked).
    pub fn overlaid(&self, overrides: &[(ThresholdKey, i64)]) -> Result<Thresholds, ThresholdError> {
        let mut out = *self;
        for (k, v) in overrides {
            out.set(*k, *v)?;
        }
        Ok(out)
    }

    /// Checks every range and the values against each other: 热销 needs at least the sales of 滞销
    /// (equal means there is no 常销), and the shipping warning cannot start before payment.
    pub fn check(&self) -> Result<(), ThresholdError> {
        for (k, v) in self.iter() {
            let (min, max) = k.range();
            if v < min || v > max {
                return Err(ThresholdError::OutOfRange { key: k, value: v, min, max });
            }
        }
        let (hot, slow) = (self.get(ThresholdKey::HotFromWeek), self.get(ThresholdKey::SlowBelowWeek));
        if hot < slow {
            return Err(ThresholdError::HotBelowSlow { hot, slow });
        }
        let (warn, sla) = (self.get(ThresholdKey::ShipWarnHours), self.get(ThresholdKey::ShipSlaHours));
        if warn > sla {
            return Err(ThresholdError::WarnBeyondDeadline { warn, sla });
        }
        Ok(())
    }

    fn days(&self, key: ThresholdKey) -> u32 {
        u32::try_from(self.get(key)).unwrap_or(0)
    }

    /// The classes by 7-day sales and their alert levels (DOMAIN.md §6).
    pub fn class_policy(&self) -> ClassPolicy {
        ClassPolicy {
            hot_from: AvgDailySales::new(self.get(ThresholdKey::HotFromWeek), 7),
            slow_below: AvgDailySales::new(self.get(ThresholdKey::SlowBelowWeek), 7),
            alert_days_hot: self.days(ThresholdKey::AlertDaysHot),
            alert_days_regular: self.days(ThresholdKey::AlertDaysRegular),
            alert_days_slow: self.days(ThresholdKey::AlertDaysSlow),
        }
    }

    /// The replenishment policy of SKUs whose supplier sets nothing (pack size 1).
    pub fn replenishment_policy(&self) -> ReplenishmentPolicy {
        ReplenishmentPolicy {
            lead_time_days: self.days(ThresholdKey::LeadTimeDays),
            cover_target_days: self.days(ThresholdKey::CoverTargetDays),
            safety_stock: self.get(ThresholdKey::SafetyStock),
            pack_size: 1,
        }
    }

    /// The alert rules' settings; those without a threshold here keep their defaults.
    pub fn alert_settings(&self) -> AlertSettings {
        let hours = |k: ThresholdKey| TimeDelta::hours(self.get(k));
        AlertSettings {
            fall_days: usize::try_from(self.get(ThresholdKey::FallDays)).unwrap_or(1),
            recovery_days: usize::try_from(self.get(ThresholdKey::RecoveryDays)).unwrap_or(1),
            ship_sla: hours(ThresholdKey::ShipSlaHours),
            ship_warn_before: hours(ThresholdKey::ShipWarnHours),
            refund_warn_within: hours(ThresholdKey::RefundWarnHours),
            ..AlertSettings::default()
        }
    }
}

/// As a map of code to value: `{"hot_from_week": 21, ...}`.
impl Serialize for Thresholds {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(COUNT))?;
        for (k, v) in self.iter() {
            m.serialize_entry(k.code(), &v)?;
        }
        m.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::replenishment::SkuClass;

    #[test]
    fn defaults_are_those_of_the_rules() {
        let t = Thresholds::default();
        assert_eq!(t.check(), Ok(()));
        assert_eq!(t.class_policy(), ClassPolicy::default());
        assert_eq!(t.replenishment_policy(), ReplenishmentPolicy::default());
        assert_eq!(t.alert_settings(), AlertSettings::default());
        for k in ThresholdKey::ALL {
            assert_eq!(k.code().parse::<ThresholdKey>(), Ok(k));
            let (min, max) = k.range();
            assert!(min <= k.default_value() && k.default_value() <= max, "{k}");
        }
        assert!("hot".parse::<ThresholdKey>().is_err());
    }

    #[test]
    fn values_are_checked() {
        let mut t = Thresholds::default();
        assert_eq!(
            t.set(ThresholdKey::FallDays, 0),
            Err(ThresholdError::OutOfRange { key: ThresholdKey::FallDays, value: 0, min: 1, max: 14 })
        );
        assert_eq!(t.get(ThresholdKey::FallDays), 3, "a refused value changes nothing");
        let low_hot = t.overlaid(&[(ThresholdKey::HotFromWeek, 2), (ThresholdKey::SlowBelowWeek, 3)]);
        let e = low_hot.map(|t| t.check());
        assert_eq!(e, Ok(Err(ThresholdError::HotBelowSlow { hot: 2, slow: 3 })));
        assert_eq!(ThresholdError::HotBelowSlow { hot: 2, slow: 3 }.key(), ThresholdKey::HotFromWeek);
        let warn = t.overlaid(&[(ThresholdKey::ShipSlaHours, 12), (ThresholdKey::ShipWarnHours, 13)]);
        assert!(matches!(warn.map(|t| t.check()), Ok(Err(ThresholdError::WarnBeyondDeadline { .. }))));
        assert!(
            ThresholdError::OutOfRange { key: ThresholdKey::ShipSlaHours, value: 0, min: 1, max: 720 }
                .message_zh()
                .starts_with("发货时限（付款后）：要在 1 到 720 小时之间")
        );
    }

    #[test]
    fn thresholds_feed_the_rules() {
        let t = Thresholds::default()
            .overlaid(&[
                (ThresholdKey::HotFromWeek, 14),
                (ThresholdKey::AlertDaysRegular, 20),
                (ThresholdKey::ShipSlaHours, 48),
            ])
            .unwrap_or_default();
        let c = t.class_policy();
        assert_eq!(c.classify(AvgDailySales::new(14, 7)), SkuClass::Hot);
        assert_eq!(c.classify(AvgDailySales::new(13, 7)), SkuClass::Regular);
        assert_eq!(c.alert_level(SkuClass::Regular), 20);
        assert_eq!(t.alert_settings().ship_sla, TimeDelta::hours(48));
        assert_eq!(t.iter().find(|(k, _)| *k == ThresholdKey::HotFromWeek), Some((ThresholdKey::HotFromWeek, 14)));
    }
}
