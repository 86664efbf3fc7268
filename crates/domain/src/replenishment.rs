//! Replenishment (补货) rules of DOMAIN.md §6: average daily sales (日均销量), days of cover (可售天数),
//! replenishment need (补货需求), urgency, and the SKU classes 热销/常销/滞销 with their alert levels.
//!
//! Sales rates are exact fractions (units over days), never floats, so that the `ceil` of the need and the
//! comparisons with thresholds are exact: 10 units in 7 days is 10/7 a day, and a 21-day need is exactly 30.
//! Floats appear only for charts ([`AvgDailySales::as_f64`], [`DaysOfCover::as_f64`]).
//!
//! Stock is kept per (sku, warehouse); a company replenishing a SKU for all its warehouses passes the sums
//! of available and in-transit stock over them.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize, Serializer};

use crate::metrics::Ratio;

/// The window over which average daily sales are taken (DOMAIN.md §6: default 7 days; 14 and 30 offered).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub enum SalesWindow {
    #[default]
    Days7,
    Days14,
    Days30,
}

impl SalesWindow {
    pub const ALL: [SalesWindow; 3] = [SalesWindow::Days7, SalesWindow::Days14, SalesWindow::Days30];

    pub const fn days(self) -> u32 {
        match self {
            SalesWindow::Days7 => 7,
            SalesWindow::Days14 => 14,
            SalesWindow::Days30 => 30,
        }
    }

    /// The window of that many days, if offered.
    pub fn from_days(days: u32) -> Option<SalesWindow> {
        SalesWindow::ALL.into_iter().find(|w| w.days() == days)
    }
}

/// A number of days that is not an offered window (7, 14 or 30).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the sales window is 7, 14 or 30 days, not {0}")]
pub struct UnknownSalesWindow(pub u32);

impl TryFrom<u32> for SalesWindow {
    type Error = UnknownSalesWindow;
    fn try_from(days: u32) -> Result<Self, Self::Error> {
        SalesWindow::from_days(days).ok_or(UnknownSalesWindow(days))
    }
}

impl From<SalesWindow> for u32 {
    fn from(w: SalesWindow) -> u32 {
        w.days()
    }
}

impl fmt::Display for SalesWindow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.days())
    }
}

// ---------------------------------------------------------------------------------------------------------
// Average daily sales
// ---------------------------------------------------------------------------------------------------------

/// Average daily sales (日均销量, DOMAIN.md §6) = units paid in a window / days in the window, kept as the
/// exact fraction. Also used for velocity thresholds ("hot from 3 a day" is `AvgDailySales::per_day(3)`,
/// "slow below 1 a week" is `AvgDailySales::new(1, 7)`).
///
/// Negative units count as 0 and a window of 0 days as "nothing sold". Equality and order compare values:
/// 2 in 7 days equals 4 in 14 days. Serialised as a decimal string with two places ("1.43").
#[derive(Debug, Clone, Copy)]
pub struct AvgDailySales {
    units: i64,
    days: u32,
}

impl AvgDailySales {
    /// Nothing sold.
    pub const ZERO: AvgDailySales = AvgDailySales { units: 0, days: 1 };

    /// `units_paid` over `days` days.
    pub const fn new(units_paid: i64, days: u32) -> AvgDailySales {
        if days == 0 || units_paid <= 0 {
            AvgDailySales { units: 0, days: if days == 0 { 1 } else { days } }
        } else {
            AvgDailySales { units: units_paid, days }
        }
    }

    /// `units_paid` over one of the offered windows.
    pub const fn over(units_paid: i64, window: SalesWindow) -> AvgDailySales {
        AvgDailySales::new(units_paid, window.days())
    }

    /// A whole number of units a day.
    pub const fn per_day(units: i64) -> AvgDailySales {
        AvgDailySales::new(units, 1)
    }

    /// Units paid in the window (≥ 0).
    pub const fn units(self) -> i64 {
        self.units
    }

    /// Days in the window (≥ 1).
    pub const fn days(self) -> u32 {
        self.days
    }

    /// Does nothing sell?
    pub const fn is_zero(self) -> bool {
        self.units == 0
    }

    /// units / days as a [`Ratio`] (always defined).
    pub const fn as_ratio(self) -> Ratio {
        Ratio::new(self.units, self.days as i64)
    }

    /// For charts only.
    pub fn as_f64(self) -> f64 {
        self.units as f64 / f64::from(self.days)
    }

    /// The value with `decimals` places, rounded half away from zero ("1.43").
    pub fn to_decimal(self, decimals: u32) -> String {
        self.as_ratio().to_decimal(decimals).unwrap_or_default()
    }

    /// Days of cover (可售天数, DOMAIN.md §6) = available / average daily sales; ∞ when nothing sells.
    /// Negative available (oversold) counts as 0 days.
    pub fn days_of_cover(self, available: i64) -> DaysOfCover {
        if self.units == 0 {
            return DaysOfCover::INFINITE;
        }
        let num = i128::from(available.max(0)) * i128::from(self.days);
        DaysOfCover { num: i64::try_from(num).unwrap_or(i64::MAX), den: self.units }
    }

    /// `units/days × n`, exactly, as a fraction over `days` (numerator in 128 bits).
    fn times(self, n: i128) -> i128 {
        i128::from(self.units) * n
    }
}

impl PartialEq for AvgDailySales {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for AvgDailySales {}

impl PartialOrd for AvgDailySales {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for AvgDailySales {
    fn cmp(&self, other: &Self) -> Ordering {
        let left = i128::from(self.units) * i128::from(other.days);
        let right = i128::from(other.units) * i128::from(self.days);
        left.cmp(&right)
    }
}

impl Default for AvgDailySales {
    fn default() -> Self {
        AvgDailySales::ZERO
    }
}

/// Two decimals: "1.43".
impl fmt::Display for AvgDailySales {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_decimal(2))
    }
}

impl Serialize for AvgDailySales {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_decimal(2))
    }
}

// ---------------------------------------------------------------------------------------------------------
// Days of cover
// ---------------------------------------------------------------------------------------------------------

/// Days of cover (可售天数, DOMAIN.md §6) = available / average daily sales, as an exact fraction; infinite
/// when nothing sells. Ordered by value with ∞ last, so sorting ascending puts the most urgent first.
/// Displayed with one decimal ("3.5") or "∞"; serialised as such a string, or `null` for ∞.
#[derive(Debug, Clone, Copy)]
pub struct DaysOfCover {
    /// available × window days (≥ 0).
    num: i64,
    /// units paid in the window; 0 for ∞.
    den: i64,
}

impl DaysOfCover {
    /// Nothing sells: the stock lasts for ever.
    pub const INFINITE: DaysOfCover = DaysOfCover { num: 0, den: 0 };

    pub const fn is_infinite(self) -> bool {
        self.den == 0
    }

    /// Out of stock while selling (断货).
    pub const fn is_zero(self) -> bool {
        self.den != 0 && self.num == 0
    }

    /// The value as a fraction, `None` for ∞.
    pub const fn as_ratio(self) -> Option<Ratio> {
        if self.den == 0 { None } else { Some(Ratio::new(self.num, self.den)) }
    }

    /// For charts only; `None` for ∞.
    pub fn as_f64(self) -> Option<f64> {
        self.as_ratio().and_then(Ratio::value)
    }

    /// Whole days (rounded down); `None` for ∞.
    pub const fn whole_days(self) -> Option<i64> {
        if self.den == 0 { None } else { Some(self.num / self.den) }
    }

    /// Is the cover strictly below `days` (exactly)? Never for ∞.
    pub fn is_below(self, days: u32) -> bool {
        !self.is_infinite() && i128::from(self.num) < i128::from(days) * i128::from(self.den)
    }

    /// With `decimals` places, or "∞".
    pub fn to_decimal(self, decimals: u32) -> String {
        match self.as_ratio().and_then(|r| r.to_decimal(decimals)) {
            Some(text) => text,
            None => "∞".to_string(),
        }
    }
}

impl PartialEq for DaysOfCover {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for DaysOfCover {}

impl PartialOrd for DaysOfCover {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for DaysOfCover {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self.is_infinite(), other.is_infinite()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            (false, false) => {
                let left = i128::from(self.num) * i128::from(other.den);
                let right = i128::from(other.num) * i128::from(self.den);
                left.cmp(&right)
            }
        }
    }
}

/// One decimal ("3.5") or "∞".
impl fmt::Display for DaysOfCover {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_decimal(1))
    }
}

impl Serialize for DaysOfCover {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.as_ratio().and_then(|r| r.to_decimal(1)) {
            Some(text) => s.serialize_some(&text),
            None => s.serialize_none(),
        }
    }
}

/// Average daily sales (日均销量) over a window of `days`: units paid in the window / days, as a float.
/// Prefer [`AvgDailySales`], which is exact. Also reachable as `stock::average_daily_sales`.
pub fn average_daily_sales(units_paid: i64, days: u32) -> f64 {
    if days == 0 { 0.0 } else { units_paid as f64 / f64::from(days) }
}

/// Days of cover (可售天数) = available / average daily sales; `None` (∞) when nothing sells. Float form;
/// prefer [`AvgDailySales::days_of_cover`]. Also reachable as `stock::days_of_cover`.
pub fn days_of_cover(available: i64, avg_daily_sales: f64) -> Option<f64> {
    if avg_daily_sales <= 0.0 { None } else { Some(available.max(0) as f64 / avg_daily_sales) }
}

// ---------------------------------------------------------------------------------------------------------
// Replenishment need
// ---------------------------------------------------------------------------------------------------------

/// What a SKU's replenishment is planned with (per SKU or per supplier).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplenishmentPolicy {
    /// Days from ordering to the goods being sellable (采购周期 / 到货天数).
    pub lead_time_days: u32,
    /// Days of sales the arrival should cover.
    pub cover_target_days: u32,
    /// Units always kept in reserve (安全库存).
    pub safety_stock: i64,
    /// The supplier's pack size (整箱/起订倍数); 0 and 1 mean any quantity.
    pub pack_size: u32,
}

/// 7 days' lead time, 14 days of cover (two weekly replenishment tables), no safety stock, any quantity.
impl Default for ReplenishmentPolicy {
    fn default() -> Self {
        ReplenishmentPolicy { lead_time_days: 7, cover_target_days: 14, safety_stock: 0, pack_size: 1 }
    }
}

/// Rounds a positive quantity up to a multiple of `pack_size` (0 and 1: unchanged); 0 for quantities ≤ 0.
pub fn round_up_to_pack(qty: i64, pack_size: u32) -> i64 {
    if qty <= 0 {
        return 0;
    }
    if pack_size <= 1 {
        return qty;
    }
    let pack = i64::from(pack_size);
    (qty / pack + i64::from(qty % pack != 0)).saturating_mul(pack)
}

/// Replenishment need (补货需求, DOMAIN.md §6) = max(0, ceil((lead_time_days + cover_target_days) ×
/// avg_daily_sales + safety_stock − available − in_transit)), rounded up to the supplier's pack size.
///
/// Computed exactly: with sales of `u` units in `d` days the bracket is
/// `((lead + cover) × u + (safety − available − in_transit) × d) / d`. A negative `available` (oversold)
/// raises the need by the units owed.
pub fn replenishment_need(
    avg_daily_sales: AvgDailySales,
    available: i64,
    in_transit: i64,
    policy: &ReplenishmentPolicy,
) -> i64 {
    let days = i128::from(avg_daily_sales.days());
    let horizon = i128::from(policy.lead_time_days) + i128::from(policy.cover_target_days);
    let stock_gap = i128::from(policy.safety_stock) - i128::from(available) - i128::from(in_transit);
    let numerator = avg_daily_sales.times(horizon) + stock_gap * days;
    if numerator <= 0 {
        return 0;
    }
    let need = numerator.div_euclid(days) + i128::from(numerator.rem_euclid(days) != 0);
    round_up_to_pack(i64::try_from(need).unwrap_or(i64::MAX), policy.pack_size)
}

/// Urgency order of the replenishment table (补货需求表): days of cover ascending (∞ last), then the larger
/// need first. Ties are left to the caller (e.g. by SKU code).
pub fn urgency_cmp(a_cover: DaysOfCover, a_need: i64, b_cover: DaysOfCover, b_need: i64) -> Ordering {
    a_cover.cmp(&b_cover).then(b_need.cmp(&a_need))
}

// ---------------------------------------------------------------------------------------------------------
// SKU classes
// ---------------------------------------------------------------------------------------------------------

/// The stock class of a SKU (DOMAIN.md §6, seed 000 "热销、常销和滞销的库存预警数").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SkuClass {
    /// 热销
    Hot,
    /// 常销
    Regular,
    /// 滞销
    Slow,
}

impl SkuClass {
    pub const ALL: [SkuClass; 3] = [SkuClass::Hot, SkuClass::Regular, SkuClass::Slow];

    pub fn code(self) -> &'static str {
        match self {
            SkuClass::Hot => "hot",
            SkuClass::Regular => "regular",
            SkuClass::Slow => "slow",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            SkuClass::Hot => "热销",
            SkuClass::Regular => "常销",
            SkuClass::Slow => "滞销",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            SkuClass::Hot => "hot seller",
            SkuClass::Regular => "regular seller",
            SkuClass::Slow => "slow seller",
        }
    }
}

impl fmt::Display for SkuClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown SKU class {0:?}")]
pub struct UnknownSkuClass(pub String);

/// Parses a code ("hot") or the Chinese word ("热销").
impl FromStr for SkuClass {
    type Err = UnknownSkuClass;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        SkuClass::ALL
            .into_iter()
            .find(|c| c.code() == t || c.label_zh() == t)
            .ok_or_else(|| UnknownSkuClass(s.to_string()))
    }
}

/// The velocity thresholds a shop sets for its classes, and each class's alert level (DOMAIN.md §6: "each
/// class has its own alert level"): the days of cover below which the SKU is flagged for 补货.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClassPolicy {
    /// Average daily sales at or above this: 热销.
    pub hot_from: AvgDailySales,
    /// Average daily sales strictly below this: 滞销. Between the two: 常销.
    pub slow_below: AvgDailySales,
    /// Alert when a 热销 SKU's days of cover fall below this.
    pub alert_days_hot: u32,
    /// Alert when a 常销 SKU's days of cover fall below this.
    pub alert_days_regular: u32,
    /// Alert when a 滞销 SKU's days of cover fall below this (0: never; slow sellers are cleared, not
    /// replenished).
    pub alert_days_slow: u32,
}

/// 热销 from 3 units a day; 滞销 below 1 unit a week; alert at 15 days of cover for 热销 (a week's lead
/// time plus a week), 10 for 常销, never for 滞销.
impl Default for ClassPolicy {
    fn default() -> Self {
        ClassPolicy {
            hot_from: AvgDailySales::per_day(3),
            slow_below: AvgDailySales::new(1, 7),
            alert_days_hot: 15,
            alert_days_regular: 10,
            alert_days_slow: 0,
        }
    }
}

/// Why a class policy is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClassPolicyError {
    #[error("the 热销 (hot) threshold must be above zero")]
    HotThresholdZero,
    #[error("the 热销 (hot) threshold {hot_from}/day is below the 滞销 (slow) threshold {slow_below}/day")]
    HotBelowSlow { hot_from: String, slow_below: String },
}

impl ClassPolicy {
    /// Checks the thresholds: hot above zero and not below slow (equal means no 常销 class).
    pub fn validate(&self) -> Result<(), ClassPolicyError> {
        if self.hot_from.is_zero() {
            return Err(ClassPolicyError::HotThresholdZero);
        }
        if self.hot_from < self.slow_below {
            return Err(ClassPolicyError::HotBelowSlow {
                hot_from: self.hot_from.to_string(),
                slow_below: self.slow_below.to_string(),
            });
        }
        Ok(())
    }

    /// The class of a SKU by velocity (DOMAIN.md §6): ≥ `hot_from` 热销, < `slow_below` 滞销, else 常销.
    /// The hot test comes first, so a policy failing [`ClassPolicy::validate`] still gives an answer.
    pub fn classify(&self, avg_daily_sales: AvgDailySales) -> SkuClass {
        if avg_daily_sales >= self.hot_from {
            SkuClass::Hot
        } else if avg_daily_sales < self.slow_below {
            SkuClass::Slow
        } else {
            SkuClass::Regular
        }
    }

    /// The alert level of a class, in days of cover.
    pub fn alert_level(&self, class: SkuClass) -> u32 {
        match class {
            SkuClass::Hot => self.alert_days_hot,
            SkuClass::Regular => self.alert_days_regular,
            SkuClass::Slow => self.alert_days_slow,
        }
    }

    /// Is the cover strictly below the class's alert level (DOMAIN.md §2 alerts: "stock below the alert
    /// level of its class")? Never when nothing sells (∞).
    pub fn below_alert_level(&self, class: SkuClass, cover: DaysOfCover) -> bool {
        cover.is_below(self.alert_level(class))
    }
}

// ---------------------------------------------------------------------------------------------------------
// One line of the replenishment table
// ---------------------------------------------------------------------------------------------------------

/// One SKU's line of the replenishment table (补货需求表, weekly on Thursday: DOMAIN.md §2, §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ReplenishmentLine {
    /// 日均销量.
    pub avg_daily_sales: AvgDailySales,
    /// 可售天数 (available only; in-transit stock is not yet sellable).
    pub days_of_cover: DaysOfCover,
    /// 补货需求, in units, already rounded up to the pack size.
    pub need: i64,
    /// 热销/常销/滞销 by the same average daily sales.
    pub class: SkuClass,
    /// The class's alert level, in days of cover.
    pub alert_level_days: u32,
    /// Is the cover below that level?
    pub below_alert_level: bool,
}

impl ReplenishmentLine {
    /// Computes a line: average daily sales, days of cover, need (DOMAIN.md §6) and class.
    pub fn plan(
        avg_daily_sales: AvgDailySales,
        available: i64,
        in_transit: i64,
        policy: &ReplenishmentPolicy,
        classes: &ClassPolicy,
    ) -> ReplenishmentLine {
        let days_of_cover = avg_daily_sales.days_of_cover(available);
        let class = classes.classify(avg_daily_sales);
        ReplenishmentLine {
            avg_daily_sales,
            days_of_cover,
            need: replenishment_need(avg_daily_sales, available, in_transit, policy),
            class,
            alert_level_days: classes.alert_level(class),
            below_alert_level: classes.below_alert_level(class, days_of_cover),
        }
    }

    /// The urgency order of [`urgency_cmp`]: days of cover ascending, then the larger need first.
    pub fn urgency_cmp(&self, other: &ReplenishmentLine) -> Ordering {
        urgency_cmp(self.days_of_cover, self.need, other.days_of_cover, other.need)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn windows() {
        assert_eq!(SalesWindow::default().days(), 7);
        assert_eq!(SalesWindow::from_days(14), Some(SalesWindow::Days14));
        assert_eq!(SalesWindow::from_days(10), None);
        assert_eq!(SalesWindow::try_from(30), Ok(SalesWindow::Days30));
        assert_eq!(SalesWindow::try_from(3), Err(UnknownSalesWindow(3)));
        assert_eq!(AvgDailySales::over(70, SalesWindow::Days7), AvgDailySales::per_day(10));
    }

    #[test]
    fn average_daily_sales_is_exact() {
        let a = AvgDailySales::new(10, 7);
        assert_eq!((a.units(), a.days()), (10, 7));
        assert_eq!(a.to_string(), "1.43");
        assert_eq!(a, AvgDailySales::new(20, 14));
        assert!(a > AvgDailySales::new(42, 30));
        assert!(AvgDailySales::new(0, 7).is_zero());
        assert!(AvgDailySales::new(-3, 7).is_zero());
        assert!(AvgDailySales::new(5, 0).is_zero());
        assert_eq!(AvgDailySales::new(5, 0).days(), 1);
        assert_eq!(AvgDailySales::default(), AvgDailySales::ZERO);
    }

    #[test]
    fn days_of_cover_rule() {
        let a = AvgDailySales::new(10, 7);
        let c = a.days_of_cover(25); // 25 / (10/7) = 17.5
        assert_eq!(c.as_ratio(), Some(Ratio::new(175, 10)));
        assert_eq!(c.to_string(), "17.5");
        assert_eq!(c.whole_days(), Some(17));
        assert!(c.is_below(18));
        assert!(!c.is_below(17));
        assert_eq!(c, AvgDailySales::per_day(2).days_of_cover(35));
        // ∞ when nothing sells, whatever the stock.
        let never = AvgDailySales::ZERO.days_of_cover(0);
        assert!(never.is_infinite());
        assert_eq!(never.to_string(), "∞");
        assert_eq!(never.as_f64(), None);
        assert!(!never.is_below(u32::MAX));
        // Oversold stock covers 0 days.
        let out = AvgDailySales::per_day(1).days_of_cover(-4);
        assert!(out.is_zero());
        assert_eq!(out.to_string(), "0.0");
        assert!(out < c && c < never);
    }

    #[test]
    fn float_helpers_still_work() {
        assert_eq!(average_daily_sales(70, 7), 10.0);
        assert_eq!(average_daily_sales(70, 0), 0.0);
        assert_eq!(days_of_cover(25, 10.0), Some(2.5));
        assert_eq!(days_of_cover(25, 0.0), None);
        assert_eq!(AvgDailySales::new(10, 4).as_f64(), 2.5);
        assert_eq!(AvgDailySales::per_day(10).days_of_cover(25).as_f64(), Some(2.5));
    }

    fn policy(lead: u32, cover: u32, safety: i64, pack: u32) -> ReplenishmentPolicy {
        ReplenishmentPolicy { lead_time_days: lead, cover_target_days: cover, safety_stock: safety, pack_size: pack }
    }

    #[test]
    fn need_follows_the_formula() {
        // 10 units in 7 days, (7 + 14) days ahead: exactly 30 units, no float drift.
        let a = AvgDailySales::new(10, 7);
        assert_eq!(replenishment_need(a, 0, 0, &policy(7, 14, 0, 1)), 30);
        // + 5 safety − 12 available − 8 in transit = 15.
        assert_eq!(replenishment_need(a, 12, 8, &policy(7, 14, 5, 1)), 15);
        // ceil: 10/7 × 10 days = 14.28… → 15.
        assert_eq!(replenishment_need(a, 0, 0, &policy(3, 7, 0, 1)), 15);
        // Rounded up to the pack: 15 → 24 in packs of 12.
        assert_eq!(replenishment_need(a, 0, 0, &policy(3, 7, 0, 12)), 24);
        // Enough stock: 0, never negative.
        assert_eq!(replenishment_need(a, 100, 0, &policy(7, 14, 0, 12)), 0);
        assert_eq!(replenishment_need(a, 30, 0, &policy(7, 14, 0, 1)), 0);
        // Nothing sells: only the safety stock is topped up.
        assert_eq!(replenishment_need(AvgDailySales::ZERO, 2, 1, &policy(7, 14, 5, 1)), 2);
        // Oversold: the units owed are part of the need.
        assert_eq!(replenishment_need(AvgDailySales::ZERO, -3, 0, &policy(7, 14, 0, 1)), 3);
        assert_eq!(ReplenishmentPolicy::default().pack_size, 1);
    }

    #[test]
    fn pack_rounding() {
        assert_eq!(round_up_to_pack(1, 12), 12);
        assert_eq!(round_up_to_pack(12, 12), 12);
        assert_eq!(round_up_to_pack(13, 12), 24);
        assert_eq!(round_up_to_pack(13, 0), 13);
        assert_eq!(round_up_to_pack(13, 1), 13);
        assert_eq!(round_up_to_pack(0, 12), 0);
        assert_eq!(round_up_to_pack(-5, 12), 0);
    }

    #[test]
    fn classes_by_velocity() {
        let p = ClassPolicy::default();
        assert_eq!(p.validate(), Ok(()));
        assert_eq!(p.classify(AvgDailySales::new(21, 7)), SkuClass::Hot);
        assert_eq!(p.classify(AvgDailySales::new(20, 7)), SkuClass::Regular);
        assert_eq!(p.classify(AvgDailySales::new(1, 7)), SkuClass::Regular);
        assert_eq!(p.classify(AvgDailySales::new(4, 30)), SkuClass::Slow); // 4/30 < 1/7
        assert_eq!(p.classify(AvgDailySales::new(5, 30)), SkuClass::Regular);
        assert_eq!(p.classify(AvgDailySales::ZERO), SkuClass::Slow);
        for c in SkuClass::ALL {
            assert_eq!(c.code().parse(), Ok(c));
            assert_eq!(c.label_zh().parse(), Ok(c));
        }
        assert!("爆款".parse::<SkuClass>().is_err());
    }

    #[test]
    fn class_policy_validation() {
        let p = ClassPolicy { hot_from: AvgDailySales::ZERO, ..ClassPolicy::default() };
        assert_eq!(p.validate(), Err(ClassPolicyError::HotThresholdZero));
        let p = ClassPolicy { hot_from: AvgDailySales::new(1, 10), slow_below: AvgDailySales::new(1, 7), ..p };
        assert!(matches!(p.validate(), Err(ClassPolicyError::HotBelowSlow { .. })));
        // Equal thresholds: no 常销 class, but valid.
        let p = ClassPolicy { hot_from: AvgDailySales::per_day(1), slow_below: AvgDailySales::per_day(1), ..p };
        assert_eq!(p.validate(), Ok(()));
        assert_eq!(p.classify(AvgDailySales::per_day(1)), SkuClass::Hot);
    }

    #[test]
    fn alert_levels_per_class() {
        let p = ClassPolicy::default();
        let hot = AvgDailySales::per_day(4);
        assert!(p.below_alert_level(SkuClass::Hot, hot.days_of_cover(56))); // 14 days < 15
        assert!(!p.below_alert_level(SkuClass::Hot, hot.days_of_cover(60))); // 15 days is not below 15
        assert!(!p.below_alert_level(SkuClass::Regular, hot.days_of_cover(56))); // 14 ≥ 10
        assert!(!p.below_alert_level(SkuClass::Slow, AvgDailySales::new(1, 30).days_of_cover(0)));
        assert!(!p.below_alert_level(SkuClass::Hot, DaysOfCover::INFINITE));
    }

    #[test]
    fn plan_and_urgency() {
        let p = ReplenishmentPolicy::default();
        let classes = ClassPolicy::default();
        let a = ReplenishmentLine::plan(AvgDailySales::new(35, 7), 20, 0, &p, &classes); // 4 days, hot
        let b = ReplenishmentLine::plan(AvgDailySales::new(7, 7), 4, 0, &p, &classes); // 4 days, regular
        let c = ReplenishmentLine::plan(AvgDailySales::new(7, 7), 50, 0, &p, &classes); // 50 days
        let d = ReplenishmentLine::plan(AvgDailySales::ZERO, 0, 0, &p, &classes); // ∞
        assert_eq!(a.class, SkuClass::Hot);
        assert_eq!(a.need, 21 * 5 - 20);
        assert!(a.below_alert_level);
        assert_eq!(a.alert_level_days, 15);
        assert_eq!(b.class, SkuClass::Regular);
        assert_eq!(b.need, 17);
        assert!(b.below_alert_level);
        assert!(!c.below_alert_level);
        assert_eq!(c.need, 0);
        assert_eq!(d.class, SkuClass::Slow);
        let mut lines = [d, c, b, a];
        lines.sort_by(ReplenishmentLine::urgency_cmp);
        assert_eq!(lines, [a, b, c, d]);
    }

    proptest! {
        #[test]
        fn need_is_the_smallest_sufficient_pack_multiple(
            units in 0i64..5000,
            days in 1u32..60,
            available in -50i64..2000,
            in_transit in 0i64..500,
            lead in 0u32..60,
            cover in 0u32..60,
            safety in 0i64..100,
            pack in 0u32..50,
        ) {
            let a = AvgDailySales::new(units, days);
            let pol = policy(lead, cover, safety, pack);
            let need = replenishment_need(a, available, in_transit, &pol);
            prop_assert!(need >= 0);
            if pack > 1 {
                prop_assert_eq!(need % i64::from(pack), 0);
            }
            // (lead + cover) × units/days + safety ≤ available + in_transit + need, exactly (× days).
            let d = i128::from(days);
            let required = i128::from(lead + cover) * i128::from(units) + i128::from(safety) * d;
            let have = |n: i64| (i128::from(available) + i128::from(in_transit) + i128::from(n)) * d;
            prop_assert!(have(need) >= required);
            // One pack (or unit) less would not be enough.
            let step = i64::from(pack.max(1));
            if need > 0 {
                prop_assert!(have(need - step) < required);
            }
        }

        #[test]
        fn cover_order_matches_floats(u1 in 1i64..1000, d1 in 1u32..31, s1 in 0i64..1000, u2 in 1i64..1000, d2 in 1u32..31, s2 in 0i64..1000) {
            let c1 = AvgDailySales::new(u1, d1).days_of_cover(s1);
            let c2 = AvgDailySales::new(u2, d2).days_of_cover(s2);
            let f1 = s1 as f64 * f64::from(d1) / u1 as f64;
            let f2 = s2 as f64 * f64::from(d2) / u2 as f64;
            if (f1 - f2).abs() > 1e-9 {
                prop_assert_eq!(c1 < c2, f1 < f2);
            }
        }
    }
}
