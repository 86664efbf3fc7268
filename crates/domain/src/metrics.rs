//! The manager's numbers: the metric definitions of DOMAIN.md §7 as code.
//!
//! The one rule behind all of them (§7 heading): **aggregate numerators and denominators, then divide;
//! never average ratios.** A [`Ratio`] therefore keeps its numerator and denominator, and two ratios are
//! combined with [`Ratio::merge`] (sums both parts), never by averaging their values. Figure sets
//! ([`SalesFigures`], [`AdFigures`], [`ServiceFigures`]) hold the counters a period needs; their methods
//! divide only at the end.
//!
//! Distinct counts (访客数 uv, 下单买家数 buyers_created, 支付买家数 paying_buyers, consulting buyers) are
//! **not additive** across days, shops or channels: a visitor on Monday and Tuesday is one visitor of the
//! week. Callers pass the distinct count for the period they report on; adding two figure sets forgets them
//! (see [`SalesFigures::add_additive`]).

use std::cmp::Ordering;
use std::collections::HashSet;
use std::fmt;
use std::hash::{BuildHasher, Hash};
use std::ops::{Add, AddAssign, RangeInclusive};
use std::str::FromStr;

use chrono::{DateTime, Days, NaiveDate, TimeDelta, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::money::{Money, div_round_half_away};

// ---------------------------------------------------------------------------------------------------------
// Ratio
// ---------------------------------------------------------------------------------------------------------

/// A rate kept as numerator / denominator (counts, or fen for money ratios), so that rates of several days
/// or shops are combined by adding both parts (DOMAIN.md §7: aggregate, then divide).
///
/// - [`Ratio::value`] is `None` when the denominator is 0 (no visitors, no orders): show "—", never 0.
/// - Displayed (`{}`) as a percentage with two decimals, "12.34%", or "—".
/// - Serialised as a decimal **string with four decimals** of the fraction, "0.1234" (= 12.34%), or `null`
///   when undefined. Rounding is half away from zero (四舍五入). Deserialising reads such a string back
///   exactly (as `1234 / 10000`).
/// - `==` compares numerator and denominator (1/2 ≠ 2/4); compare values with [`Ratio::compare`].
///
/// The denominator is kept non-negative (a negative one flips both signs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Ratio {
    num: i64,
    den: i64,
}

/// Most decimals [`Ratio::rounded`] computes (10^18 × i64 still fits in i128).
const MAX_DECIMALS: u32 = 18;

impl Ratio {
    /// 0 / 0: not defined (shown "—").
    pub const UNDEFINED: Ratio = Ratio { num: 0, den: 0 };

    pub const fn new(numerator: i64, denominator: i64) -> Ratio {
        if denominator < 0 {
            Ratio { num: numerator.saturating_neg(), den: denominator.saturating_neg() }
        } else {
            Ratio { num: numerator, den: denominator }
        }
    }

    /// A ratio of two amounts of money, in fen (e.g. refund_rate = refund_amount / amount_paid).
    pub const fn of_money(numerator: Money, denominator: Money) -> Ratio {
        Ratio::new(numerator.fen(), denominator.fen())
    }

    pub const fn numerator(self) -> i64 {
        self.num
    }

    pub const fn denominator(self) -> i64 {
        self.den
    }

    /// Is the denominator other than 0?
    pub const fn is_defined(self) -> bool {
        self.den != 0
    }

    /// The value as a float (for charts), `None` when the denominator is 0.
    pub fn value(self) -> Option<f64> {
        if self.den == 0 { None } else { Some(self.num as f64 / self.den as f64) }
    }

    /// Combines two ratios of the same metric by adding numerators and denominators (DOMAIN.md §7:
    /// aggregate numerators and denominators, then divide): 1/1 merged with 0/9 is 1/10 (10 %), not the
    /// average of 100 % and 0 %.
    pub fn merge(self, other: Ratio) -> Ratio {
        Ratio::new(self.num.saturating_add(other.num), self.den.saturating_add(other.den))
    }

    /// Merges any number of ratios (see [`Ratio::merge`]); [`Ratio::UNDEFINED`] for none.
    pub fn merge_all<I: IntoIterator<Item = Ratio>>(ratios: I) -> Ratio {
        ratios.into_iter().fold(Ratio::UNDEFINED, Ratio::merge)
    }

    /// The value × 10^`decimals`, rounded half away from zero, exactly; `None` when undefined.
    /// `decimals` above 18 count as 18.
    pub fn rounded(self, decimals: u32) -> Option<i128> {
        if self.den == 0 {
            return None;
        }
        let scale = 10i128.pow(decimals.min(MAX_DECIMALS));
        Some(div_round_half_away(i128::from(self.num) * scale, i128::from(self.den)))
    }

    /// The value as a decimal text with exactly `decimals` places ("0.1234", "3.25"); `None` when undefined.
    pub fn to_decimal(self, decimals: u32) -> Option<String> {
        let decimals = decimals.min(MAX_DECIMALS);
        self.rounded(decimals).map(|v| format_scaled(v, decimals))
    }

    /// The serialised form: the fraction with four decimals, "0.1234"; `None` when undefined.
    pub fn to_plain(self) -> Option<String> {
        self.to_decimal(4)
    }

    /// As a percentage with two decimals, "12.34%"; `None` when undefined.
    pub fn to_percent(self) -> Option<String> {
        self.to_percent_with(2)
    }

    /// As a percentage with `decimals` decimals ("12.3%" for 1); `None` when undefined.
    pub fn to_percent_with(self, decimals: u32) -> Option<String> {
        let decimals = decimals.min(MAX_DECIMALS - 2);
        self.rounded(decimals + 2).map(|v| format!("{}%", format_scaled(v, decimals)))
    }

    /// Exact comparison of two values (cross-multiplied in 128 bits); `None` if either is undefined.
    pub fn compare(self, other: Ratio) -> Option<Ordering> {
        if self.den == 0 || other.den == 0 {
            return None;
        }
        let left = i128::from(self.num) * i128::from(other.den);
        let right = i128::from(other.num) * i128::from(self.den);
        Some(left.cmp(&right))
    }

    /// Is the value below `numerator / denominator` (exactly)? `None` if either is undefined.
    pub fn is_below(self, numerator: i64, denominator: i64) -> Option<bool> {
        self.compare(Ratio::new(numerator, denominator)).map(|o| o == Ordering::Less)
    }
}

/// Writes `scaled` / 10^`decimals` with exactly `decimals` places.
fn format_scaled(scaled: i128, decimals: u32) -> String {
    let sign = if scaled < 0 { "-" } else { "" };
    let abs = scaled.unsigned_abs();
    if decimals == 0 {
        return format!("{sign}{abs}");
    }
    let scale = 10u128.pow(decimals);
    format!("{sign}{}.{:0width$}", abs / scale, abs % scale, width = decimals as usize)
}

impl fmt::Display for Ratio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.to_percent() {
            Some(p) => f.write_str(&p),
            None => f.write_str("—"),
        }
    }
}

impl Serialize for Ratio {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.to_plain() {
            Some(text) => s.serialize_some(&text),
            None => s.serialize_none(),
        }
    }
}

impl<'de> Deserialize<'de> for Ratio {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Ratio, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(Ratio::UNDEFINED),
            Some(text) => text.parse().map_err(serde::de::Error::custom),
        }
    }
}

/// Why a text is not a ratio.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a decimal ratio: {0:?}")]
pub struct RatioParseError(pub String);

/// Reads the serialised form back: a decimal "0.1234", "-1.5", "3" (at most 18 decimals), or "—" / ""
/// for undefined. Exact: "0.1234" is 1234 / 10000.
impl FromStr for Ratio {
    type Err = RatioParseError;
    fn from_str(s: &str) -> Result<Ratio, RatioParseError> {
        let t = s.trim();
        if t.is_empty() || t == "—" {
            return Ok(Ratio::UNDEFINED);
        }
        let err = || RatioParseError(s.to_string());
        let (negative, digits) = match t.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, t),
        };
        let (int_part, frac_part) = digits.split_once('.').unwrap_or((digits, ""));
        if (int_part.is_empty() && frac_part.is_empty())
            || !int_part.chars().all(|c| c.is_ascii_digit())
            || !frac_part.chars().all(|c| c.is_ascii_digit())
            || frac_part.len() > MAX_DECIMALS as usize
        {
            return Err(err());
        }
        let frac_len = u32::try_from(frac_part.len()).map_err(|_| err())?;
        let den = 10i64.checked_pow(frac_len).ok_or_else(err)?;
        let whole: i64 = if int_part.is_empty() { 0 } else { int_part.parse().map_err(|_| err())? };
        let frac: i64 = if frac_part.is_empty() { 0 } else { frac_part.parse().map_err(|_| err())? };
        let num = whole.checked_mul(den).and_then(|v| v.checked_add(frac)).ok_or_else(err)?;
        Ok(Ratio::new(if negative { -num } else { num }, den))
    }
}

// ---------------------------------------------------------------------------------------------------------
// Metric keys
// ---------------------------------------------------------------------------------------------------------

/// One metric of DOMAIN.md §7, by its key there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MetricKey {
    Pv,
    Uv,
    OrdersCreated,
    AmountCreated,
    BuyersCreated,
    OrdersPaid,
    AmountPaid,
    PayingBuyers,
    PaymentRate,
    ConversionRate,
    OrderConversionRate,
    Aov,
    RefundAmount,
    RefundRate,
    NetSales,
    GrossMargin,
    RepeatRate,
    ReturnRatio,
    Ctr,
    Cpc,
    Cpm,
    Roi,
    InquiryConversion,
    #[serde(rename = "first_response_s")]
    FirstResponseS,
    #[serde(rename = "avg_response_s")]
    AvgResponseS,
    #[serde(rename = "ship_within_24h_rate")]
    ShipWithin24hRate,
    MisShipmentRate,
}

/// What kind of value a metric has, which decides how it is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MetricKind {
    /// A count (笔, 人, 次).
    Count,
    /// An amount of money.
    Money,
    /// A rate shown as a percentage.
    Rate,
    /// A multiple shown with two decimals (ROI 3.25).
    Multiple,
    /// A duration in seconds.
    Seconds,
}

impl MetricKey {
    pub const ALL: [MetricKey; 27] = [
        MetricKey::Pv,
        MetricKey::Uv,
        MetricKey::OrdersCreated,
        MetricKey::AmountCreated,
        MetricKey::BuyersCreated,
        MetricKey::OrdersPaid,
        MetricKey::AmountPaid,
        MetricKey::PayingBuyers,
        MetricKey::PaymentRate,
        MetricKey::ConversionRate,
        MetricKey::OrderConversionRate,
        MetricKey::Aov,
        MetricKey::RefundAmount,
        MetricKey::RefundRate,
        MetricKey::NetSales,
        MetricKey::GrossMargin,
        MetricKey::RepeatRate,
        MetricKey::ReturnRatio,
        MetricKey::Ctr,
        MetricKey::Cpc,
        MetricKey::Cpm,
        MetricKey::Roi,
        MetricKey::InquiryConversion,
        MetricKey::FirstResponseS,
        MetricKey::AvgResponseS,
        MetricKey::ShipWithin24hRate,
        MetricKey::MisShipmentRate,
    ];

    /// The key exactly as in DOMAIN.md §7 ("payment_rate").
    pub fn code(self) -> &'static str {
        match self {
            MetricKey::Pv => "pv",
            MetricKey::Uv => "uv",
            MetricKey::OrdersCreated => "orders_created",
            MetricKey::AmountCreated => "amount_created",
            MetricKey::BuyersCreated => "buyers_created",
            MetricKey::OrdersPaid => "orders_paid",
            MetricKey::AmountPaid => "amount_paid",
            MetricKey::PayingBuyers => "paying_buyers",
            MetricKey::PaymentRate => "payment_rate",
            MetricKey::ConversionRate => "conversion_rate",
            MetricKey::OrderConversionRate => "order_conversion_rate",
            MetricKey::Aov => "aov",
            MetricKey::RefundAmount => "refund_amount",
            MetricKey::RefundRate => "refund_rate",
            MetricKey::NetSales => "net_sales",
            MetricKey::GrossMargin => "gross_margin",
            MetricKey::RepeatRate => "repeat_rate",
            MetricKey::ReturnRatio => "return_ratio",
            MetricKey::Ctr => "ctr",
            MetricKey::Cpc => "cpc",
            MetricKey::Cpm => "cpm",
            MetricKey::Roi => "roi",
            MetricKey::InquiryConversion => "inquiry_conversion",
            MetricKey::FirstResponseS => "first_response_s",
            MetricKey::AvgResponseS => "avg_response_s",
            MetricKey::ShipWithin24hRate => "ship_within_24h_rate",
            MetricKey::MisShipmentRate => "mis_shipment_rate",
        }
    }

    /// The shop's word (DOMAIN.md §7 中文 column).
    pub fn label_zh(self) -> &'static str {
        match self {
            MetricKey::Pv => "浏览量",
            MetricKey::Uv => "访客数",
            MetricKey::OrdersCreated => "收订笔数",
            MetricKey::AmountCreated => "收订金额",
            MetricKey::BuyersCreated => "下单买家数",
            MetricKey::OrdersPaid => "付款笔数",
            MetricKey::AmountPaid => "支付金额",
            MetricKey::PayingBuyers => "支付买家数",
            MetricKey::PaymentRate => "付款率",
            MetricKey::ConversionRate => "支付转化率",
            MetricKey::OrderConversionRate => "下单转化率",
            MetricKey::Aov => "客单价",
            MetricKey::RefundAmount => "成功退款金额",
            MetricKey::RefundRate => "退款率",
            MetricKey::NetSales => "净销售额",
            MetricKey::GrossMargin => "毛利",
            MetricKey::RepeatRate => "复购率",
            MetricKey::ReturnRatio => "退换货比例",
            MetricKey::Ctr => "点击率",
            MetricKey::Cpc => "平均点击花费",
            MetricKey::Cpm => "千次展现花费",
            MetricKey::Roi => "投入产出比",
            MetricKey::InquiryConversion => "询单转化率",
            MetricKey::FirstResponseS => "首次响应时长",
            MetricKey::AvgResponseS => "平均响应时长",
            MetricKey::ShipWithin24hRate => "24小时发货率",
            MetricKey::MisShipmentRate => "错发率",
        }
    }

    /// The English label: a translation of the shop's word, not a different concept (UI.md).
    pub fn label_en(self) -> &'static str {
        match self {
            MetricKey::Pv => "Page views",
            MetricKey::Uv => "Visitors",
            MetricKey::OrdersCreated => "Orders created",
            MetricKey::AmountCreated => "Amount ordered",
            MetricKey::BuyersCreated => "Ordering buyers",
            MetricKey::OrdersPaid => "Orders paid",
            MetricKey::AmountPaid => "Amount paid",
            MetricKey::PayingBuyers => "Paying buyers",
            MetricKey::PaymentRate => "Payment rate",
            MetricKey::ConversionRate => "Conversion rate",
            MetricKey::OrderConversionRate => "Order conversion rate",
            MetricKey::Aov => "Spend per buyer (AOV)",
            MetricKey::RefundAmount => "Refunds succeeded",
            MetricKey::RefundRate => "Refund rate",
            MetricKey::NetSales => "Net sales",
            MetricKey::GrossMargin => "Gross margin",
            MetricKey::RepeatRate => "Repeat purchase rate",
            MetricKey::ReturnRatio => "Return/exchange ratio",
            MetricKey::Ctr => "Click-through rate",
            MetricKey::Cpc => "Cost per click",
            MetricKey::Cpm => "Cost per thousand impressions",
            MetricKey::Roi => "ROI",
            MetricKey::InquiryConversion => "Inquiry conversion",
            MetricKey::FirstResponseS => "First response time",
            MetricKey::AvgResponseS => "Average response time",
            MetricKey::ShipWithin24hRate => "Shipped within 24 h",
            MetricKey::MisShipmentRate => "Mis-shipment rate",
        }
    }

    /// The definition in Chinese, for the ⓘ next to a figure (UI.md: every figure gives its definition).
    pub fn definition_zh(self) -> &'static str {
        match self {
            MetricKey::Pv => "页面浏览次数,每次访问都计入",
            MetricKey::Uv => "期间内去重的访客人数;不能跨天或跨渠道相加",
            MetricKey::OrdersCreated => "期间内创建的订单笔数(任何状态)",
            MetricKey::AmountCreated => "期间内创建的订单金额(任何状态)",
            MetricKey::BuyersCreated => "期间内下单的去重买家数",
            MetricKey::OrdersPaid => "期间内付款的订单笔数,按付款时间;不扣除之后的退款",
            MetricKey::AmountPaid => "期间内付款的金额,按付款时间;不扣除之后的退款;含邮费",
            MetricKey::PayingBuyers => "期间内付款的去重买家数",
            MetricKey::PaymentRate => "付款笔数 ÷ 同期收订笔数",
            MetricKey::ConversionRate => "支付买家数 ÷ 访客数",
            MetricKey::OrderConversionRate => "下单买家数 ÷ 访客数",
            MetricKey::Aov => "支付金额 ÷ 支付买家数(按买家,不是按订单)",
            MetricKey::RefundAmount => "期间内退款成功的金额",
            MetricKey::RefundRate => "成功退款金额 ÷ 支付金额",
            MetricKey::NetSales => "支付金额 − 成功退款金额",
            MetricKey::GrossMargin => "净销售额 − 已发货商品成本 − 店铺承担的运费",
            MetricKey::RepeatRate => {
                "窗口期内付款 ≥ 2 笔的客户数 ÷ 付款 ≥ 1 笔的客户数;平台30天口径:前31–60天的买家中,近30天再次购买的比例"
            }
            MetricKey::ReturnRatio => "有退货或换货的订单数 ÷ 已发货订单数",
            MetricKey::Ctr => "点击量 ÷ 展现量",
            MetricKey::Cpc => "花费 ÷ 点击量",
            MetricKey::Cpm => "花费 ÷ 展现量 × 1000",
            MetricKey::Roi => "归因成交金额 ÷ 花费;< 3 不合格,≥ 3 合格,≥ 4 良好,≥ 5 优秀",
            MetricKey::InquiryConversion => "咨询客服后付款的买家数 ÷ 咨询的买家数",
            MetricKey::FirstResponseS => "每个会话首次回复用时的平均值(秒)",
            MetricKey::AvgResponseS => "所有回复用时的平均值(秒)",
            MetricKey::ShipWithin24hRate => "付款后24小时内发货的订单数 ÷ 付款订单数",
            MetricKey::MisShipmentRate => "有错发、漏发投诉的订单数 ÷ 已发货订单数",
        }
    }

    /// The definition in English (DOMAIN.md §7 definition column).
    pub fn definition_en(self) -> &'static str {
        match self {
            MetricKey::Pv => "page views (a visitor counts each visit)",
            MetricKey::Uv => "distinct visitors in the period; not additive across days or channels",
            MetricKey::OrdersCreated => "trades created in the period (any status)",
            MetricKey::AmountCreated => "amount of the trades created in the period (any status)",
            MetricKey::BuyersCreated => "distinct buyers who created a trade",
            MetricKey::OrdersPaid => "trades paid in the period, by payment time; later refunds not deducted",
            MetricKey::AmountPaid => {
                "amount paid in the period, by payment time; later refunds not deducted; postage included"
            }
            MetricKey::PayingBuyers => "distinct buyers who paid",
            MetricKey::PaymentRate => "orders_paid / orders_created for the same period",
            MetricKey::ConversionRate => "paying_buyers / uv",
            MetricKey::OrderConversionRate => "buyers_created / uv",
            MetricKey::Aov => "amount_paid / paying_buyers (per buyer, not per order)",
            MetricKey::RefundAmount => "refunds that succeeded in the period",
            MetricKey::RefundRate => "refund_amount / amount_paid",
            MetricKey::NetSales => "amount_paid − refund_amount",
            MetricKey::GrossMargin => "net_sales − cost of goods shipped − postage paid by the shop",
            MetricKey::RepeatRate => {
                "customers with ≥ 2 paid trades / customers with ≥ 1, over a stated window; platform 30-day form: \
                 of buyers in days 31–60 before, the share who bought again in the last 30 days"
            }
            MetricKey::ReturnRatio => "trades with a return or exchange / trades shipped",
            MetricKey::Ctr => "clicks / impressions",
            MetricKey::Cpc => "spend / clicks",
            MetricKey::Cpm => "spend / impressions × 1000",
            MetricKey::Roi => "attributed GMV / spend; < 3 fail, ≥ 3 pass, ≥ 4 good, ≥ 5 excellent",
            MetricKey::InquiryConversion => "buyers who consulted customer service and paid / buyers who consulted",
            MetricKey::FirstResponseS => "mean of the first reply delay per session, in seconds",
            MetricKey::AvgResponseS => "mean of all reply delays, in seconds",
            MetricKey::ShipWithin24hRate => "trades shipped within 24 h of payment / trades paid",
            MetricKey::MisShipmentRate => "trades with a wrong-item or missing-item complaint / trades shipped",
        }
    }

    pub fn kind(self) -> MetricKind {
        match self {
            MetricKey::Pv
            | MetricKey::Uv
            | MetricKey::OrdersCreated
            | MetricKey::BuyersCreated
            | MetricKey::OrdersPaid
            | MetricKey::PayingBuyers => MetricKind::Count,
            MetricKey::AmountCreated
            | MetricKey::AmountPaid
            | MetricKey::Aov
            | MetricKey::RefundAmount
            | MetricKey::NetSales
            | MetricKey::GrossMargin
            | MetricKey::Cpc
            | MetricKey::Cpm => MetricKind::Money,
            MetricKey::PaymentRate
            | MetricKey::ConversionRate
            | MetricKey::OrderConversionRate
            | MetricKey::RefundRate
            | MetricKey::RepeatRate
            | MetricKey::ReturnRatio
            | MetricKey::Ctr
            | MetricKey::InquiryConversion
            | MetricKey::ShipWithin24hRate
            | MetricKey::MisShipmentRate => MetricKind::Rate,
            MetricKey::Roi => MetricKind::Multiple,
            MetricKey::FirstResponseS | MetricKey::AvgResponseS => MetricKind::Seconds,
        }
    }

    /// May values of two periods (or shops) simply be added? False for distinct counts and for every
    /// derived figure (ratios, means, per-buyer amounts), which must be recomputed from summed parts.
    pub fn is_additive(self) -> bool {
        matches!(
            self,
            MetricKey::Pv
                | MetricKey::OrdersCreated
                | MetricKey::AmountCreated
                | MetricKey::OrdersPaid
                | MetricKey::AmountPaid
                | MetricKey::RefundAmount
                | MetricKey::NetSales
                | MetricKey::GrossMargin
        )
    }
}

impl fmt::Display for MetricKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown metric {0:?}")]
pub struct UnknownMetric(pub String);

/// Parses a key ("payment_rate") or the Chinese label ("付款率").
impl FromStr for MetricKey {
    type Err = UnknownMetric;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        MetricKey::ALL
            .into_iter()
            .find(|k| k.code() == t || k.label_zh() == t)
            .ok_or_else(|| UnknownMetric(s.to_string()))
    }
}

/// A metric's value for a period, ready to show. `Unavailable` is shown "—" (UI.md: never a misleading 0):
/// a figure whose inputs are unknown (no traffic imported, no buyer ids) or whose denominator is 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricValue {
    Count(i64),
    Money(Money),
    Rate(Ratio),
    Multiple(Ratio),
    Seconds(Ratio),
    Unavailable,
}

impl MetricValue {
    fn rate(r: Option<Ratio>) -> MetricValue {
        match r {
            Some(r) if r.is_defined() => MetricValue::Rate(r),
            _ => MetricValue::Unavailable,
        }
    }

    fn count(c: Option<i64>) -> MetricValue {
        c.map_or(MetricValue::Unavailable, MetricValue::Count)
    }

    fn money(m: Option<Money>) -> MetricValue {
        m.map_or(MetricValue::Unavailable, MetricValue::Money)
    }

    pub fn is_available(self) -> bool {
        self != MetricValue::Unavailable
    }
}

/// Counts as digits, money as "¥1,234.56", rates as "12.34%", multiples (ROI) as "3.25", seconds with one
/// decimal ("12.5"), unavailable as "—".
impl fmt::Display for MetricValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let dash = || "—".to_string();
        let text = match self {
            MetricValue::Count(c) => c.to_string(),
            MetricValue::Money(m) => m.to_display(),
            MetricValue::Rate(r) => r.to_percent().unwrap_or_else(dash),
            MetricValue::Multiple(r) => r.to_decimal(2).unwrap_or_else(dash),
            MetricValue::Seconds(r) => r.to_decimal(1).unwrap_or_else(dash),
            MetricValue::Unavailable => dash(),
        };
        f.write_str(&text)
    }
}

/// Counts as JSON numbers, money as "1234.56", ratios (rates, multiples, seconds) as [`Ratio`] does
/// ("0.1234"), unavailable as `null`.
impl Serialize for MetricValue {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            MetricValue::Count(c) => s.serialize_i64(*c),
            MetricValue::Money(m) => m.serialize(s),
            MetricValue::Rate(r) | MetricValue::Multiple(r) | MetricValue::Seconds(r) => r.serialize(s),
            MetricValue::Unavailable => s.serialize_none(),
        }
    }
}

// ---------------------------------------------------------------------------------------------------------
// Sales figures
// ---------------------------------------------------------------------------------------------------------

/// The counters behind the daily and monthly figures of DOMAIN.md §2 and §7, for one shop-day or any
/// period. Every metric is a method that divides at the end.
///
/// Additive fields may be summed across days and shops ([`SalesFigures::add_additive`]). The distinct
/// counts `uv`, `buyers_created` and `paying_buyers` are **not additive**: callers pass the distinct count
/// for exactly the period (and shops) the figures cover, or `None` when unknown (no traffic imported, a
/// platform without buyer ids); metrics that need an unknown count are unavailable ("—").
///
/// Bases (§7, last paragraph): `amount_paid`, `orders_paid` are the platform's basis (by payment time,
/// refunds not netted); `refund_amount` counts refunds that *succeeded* in the period, whichever period
/// their trade was paid in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SalesFigures {
    /// 浏览量. Additive; `None` when traffic is unknown for (part of) the period.
    pub pv: Option<i64>,
    /// 访客数: distinct visitors in the period. NOT additive.
    pub uv: Option<i64>,
    /// 收订笔数: trades created in the period, any status.
    pub orders_created: i64,
    /// 收订金额.
    pub amount_created: Money,
    /// 下单买家数: distinct buyers who created a trade. NOT additive.
    pub buyers_created: Option<i64>,
    /// 付款笔数: trades paid in the period (by payment time).
    pub orders_paid: i64,
    /// 支付金额: paid in the period, postage included, later refunds not deducted.
    pub amount_paid: Money,
    /// 支付买家数: distinct buyers who paid. NOT additive.
    pub paying_buyers: Option<i64>,
    /// Units (件) on the trades paid in the period: the input of 日均销量 (§6).
    pub units_paid: i64,
    /// Of the trades paid in the period, how many shipped within 24 h of payment
    /// (see [`shipped_within_24h`]): the numerator of ship_within_24h_rate.
    pub orders_paid_shipped_within_24h: i64,
    /// Refunds (售后 with money back) that succeeded in the period.
    pub refunds: i64,
    /// 成功退款金额: amount of the refunds that succeeded in the period.
    pub refund_amount: Money,
    /// Trades shipped in the period.
    pub trades_shipped: i64,
    /// Of the trades shipped, those with a return (退货退款) or an exchange (换货).
    pub trades_returned_or_exchanged: i64,
    /// Of the trades shipped, those with a wrong-item or missing-item complaint (错发/漏发).
    pub trades_mis_shipped: i64,
    /// Cost of the goods shipped in the period (成本价 × units).
    pub cost_of_goods_shipped: Money,
    /// Postage the shop paid on those shipments (运费, the shop's cost, not the buyer's postage).
    pub postage_paid_by_shop: Money,
}

fn add_opt(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.saturating_add(b)),
        _ => None,
    }
}

impl SalesFigures {
    /// Sums the additive fields of two figure sets (two days, two shops). `pv` stays known only if known
    /// in both. The distinct counts (`uv`, `buyers_created`, `paying_buyers`) become `None`: adding them
    /// would count a buyer of two days twice (§7: "not additive"); set the period's distinct counts with
    /// [`SalesFigures::with_distinct`].
    pub fn add_additive(&self, other: &SalesFigures) -> SalesFigures {
        SalesFigures {
            pv: add_opt(self.pv, other.pv),
            uv: None,
            orders_created: self.orders_created + other.orders_created,
            amount_created: self.amount_created + other.amount_created,
            buyers_created: None,
            orders_paid: self.orders_paid + other.orders_paid,
            amount_paid: self.amount_paid + other.amount_paid,
            paying_buyers: None,
            units_paid: self.units_paid + other.units_paid,
            orders_paid_shipped_within_24h: self.orders_paid_shipped_within_24h + other.orders_paid_shipped_within_24h,
            refunds: self.refunds + other.refunds,
            refund_amount: self.refund_amount + other.refund_amount,
            trades_shipped: self.trades_shipped + other.trades_shipped,
            trades_returned_or_exchanged: self.trades_returned_or_exchanged + other.trades_returned_or_exchanged,
            trades_mis_shipped: self.trades_mis_shipped + other.trades_mis_shipped,
            cost_of_goods_shipped: self.cost_of_goods_shipped + other.cost_of_goods_shipped,
            postage_paid_by_shop: self.postage_paid_by_shop + other.postage_paid_by_shop,
        }
    }

    /// Sums the additive fields of many figure sets; see [`SalesFigures::add_additive`]. The sum of none
    /// is all zeros with `pv` 0 (known) and distinct counts unknown.
    pub fn sum_additive<'a, I: IntoIterator<Item = &'a SalesFigures>>(figures: I) -> SalesFigures {
        let zero = SalesFigures { pv: Some(0), ..SalesFigures::default() };
        figures.into_iter().fold(zero, |acc, f| acc.add_additive(f))
    }

    /// The same figures with the distinct counts of their period set.
    pub fn with_distinct(self, uv: Option<i64>, buyers_created: Option<i64>, paying_buyers: Option<i64>) -> Self {
        SalesFigures { uv, buyers_created, paying_buyers, ..self }
    }

    /// 付款率 payment_rate = orders_paid / orders_created of the same period (seed 000: 昨日付款/昨日收订).
    /// May exceed 100 % when trades created earlier are paid in the period.
    pub fn payment_rate(&self) -> Ratio {
        Ratio::new(self.orders_paid, self.orders_created)
    }

    /// 支付转化率 conversion_rate = paying_buyers / uv; `None` when either count is unknown.
    pub fn conversion_rate(&self) -> Option<Ratio> {
        Some(Ratio::new(self.paying_buyers?, self.uv?))
    }

    /// 下单转化率 order_conversion_rate = buyers_created / uv; `None` when either count is unknown.
    pub fn order_conversion_rate(&self) -> Option<Ratio> {
        Some(Ratio::new(self.buyers_created?, self.uv?))
    }

    /// 客单价 aov = amount_paid / paying_buyers (per buyer, not per order), rounded half away from zero
    /// to the fen; `None` when paying_buyers is unknown or 0.
    pub fn aov(&self) -> Option<Money> {
        self.amount_paid.div_round(self.paying_buyers?)
    }

    /// 退款率 refund_rate = refund_amount / amount_paid (both in fen).
    pub fn refund_rate(&self) -> Ratio {
        Ratio::of_money(self.refund_amount, self.amount_paid)
    }

    /// 净销售额 net_sales = amount_paid − refund_amount.
    pub fn net_sales(&self) -> Money {
        self.amount_paid - self.refund_amount
    }

    /// 毛利 gross_margin = net_sales − cost of goods shipped − postage paid by the shop.
    pub fn gross_margin(&self) -> Money {
        self.net_sales() - self.cost_of_goods_shipped - self.postage_paid_by_shop
    }

    /// 退换货比例 return_ratio = trades with a return or exchange / trades shipped.
    pub fn return_ratio(&self) -> Ratio {
        Ratio::new(self.trades_returned_or_exchanged, self.trades_shipped)
    }

    /// 24小时发货率 ship_within_24h_rate = trades shipped within 24 h of payment / trades paid.
    pub fn ship_within_24h_rate(&self) -> Ratio {
        Ratio::new(self.orders_paid_shipped_within_24h, self.orders_paid)
    }

    /// 错发率 mis_shipment_rate = trades with a wrong-item or missing-item complaint / trades shipped.
    pub fn mis_shipment_rate(&self) -> Ratio {
        Ratio::new(self.trades_mis_shipped, self.trades_shipped)
    }

    /// The value of `key`, or `None` if these figures do not give that metric (ads, service, repeat rate).
    pub fn metric(&self, key: MetricKey) -> Option<MetricValue> {
        Some(match key {
            MetricKey::Pv => MetricValue::count(self.pv),
            MetricKey::Uv => MetricValue::count(self.uv),
            MetricKey::OrdersCreated => MetricValue::Count(self.orders_created),
            MetricKey::AmountCreated => MetricValue::Money(self.amount_created),
            MetricKey::BuyersCreated => MetricValue::count(self.buyers_created),
            MetricKey::OrdersPaid => MetricValue::Count(self.orders_paid),
            MetricKey::AmountPaid => MetricValue::Money(self.amount_paid),
            MetricKey::PayingBuyers => MetricValue::count(self.paying_buyers),
            MetricKey::PaymentRate => MetricValue::rate(Some(self.payment_rate())),
            MetricKey::ConversionRate => MetricValue::rate(self.conversion_rate()),
            MetricKey::OrderConversionRate => MetricValue::rate(self.order_conversion_rate()),
            MetricKey::Aov => MetricValue::money(self.aov()),
            MetricKey::RefundAmount => MetricValue::Money(self.refund_amount),
            MetricKey::RefundRate => MetricValue::rate(Some(self.refund_rate())),
            MetricKey::NetSales => MetricValue::Money(self.net_sales()),
            MetricKey::GrossMargin => MetricValue::Money(self.gross_margin()),
            MetricKey::ReturnRatio => MetricValue::rate(Some(self.return_ratio())),
            MetricKey::ShipWithin24hRate => MetricValue::rate(Some(self.ship_within_24h_rate())),
            MetricKey::MisShipmentRate => MetricValue::rate(Some(self.mis_shipment_rate())),
            MetricKey::RepeatRate
            | MetricKey::Ctr
            | MetricKey::Cpc
            | MetricKey::Cpm
            | MetricKey::Roi
            | MetricKey::InquiryConversion
            | MetricKey::FirstResponseS
            | MetricKey::AvgResponseS => return None,
        })
    }
}

/// The 24 h shipping rule (DOMAIN.md §4 shipping SLA, §7 ship_within_24h_rate): was a trade shipped within
/// 24 h of payment? Exactly 24 h counts as within. A shipping time before the payment time (clock skew in
/// an export) counts as within.
pub fn shipped_within_24h(paid_at: DateTime<Utc>, shipped_at: DateTime<Utc>) -> bool {
    shipped_at - paid_at <= TimeDelta::hours(24)
}

// ---------------------------------------------------------------------------------------------------------
// Ads
// ---------------------------------------------------------------------------------------------------------

/// Ad figures (ad_daily rows, 直通车/钻展) for one campaign, day or period. All fields are additive, so
/// `+` and `sum()` add them field by field and the rates are recomputed from the sums.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AdFigures {
    /// 展现量.
    pub impressions: i64,
    /// 点击量.
    pub clicks: i64,
    /// 花费.
    pub spend: Money,
    /// 成交金额 attributed to the ads.
    pub attributed_gmv: Money,
}

impl AdFigures {
    /// 点击率 ctr = clicks / impressions.
    pub fn ctr(&self) -> Ratio {
        Ratio::new(self.clicks, self.impressions)
    }

    /// 平均点击花费 cpc = spend / clicks, rounded to the fen; `None` without clicks.
    pub fn cpc(&self) -> Option<Money> {
        self.spend.div_round(self.clicks)
    }

    /// 千次展现花费 cpm = spend / impressions × 1000, rounded to the fen; `None` without impressions.
    pub fn cpm(&self) -> Option<Money> {
        self.spend.mul_div_round(1000, self.impressions)
    }

    /// 投入产出比 roi = attributed GMV / spend (a multiple: show with [`Ratio::to_decimal`]`(2)`).
    pub fn roi(&self) -> Ratio {
        Ratio::of_money(self.attributed_gmv, self.spend)
    }

    /// The seed 000 grade of the ROI; `None` without spend.
    pub fn roi_grade(&self) -> Option<RoiGrade> {
        RoiGrade::of(self.roi())
    }

    /// The value of `key`, or `None` if ads do not give that metric.
    pub fn metric(&self, key: MetricKey) -> Option<MetricValue> {
        Some(match key {
            MetricKey::Ctr => MetricValue::rate(Some(self.ctr())),
            MetricKey::Cpc => MetricValue::money(self.cpc()),
            MetricKey::Cpm => MetricValue::money(self.cpm()),
            MetricKey::Roi => {
                let roi = self.roi();
                if roi.is_defined() { MetricValue::Multiple(roi) } else { MetricValue::Unavailable }
            }
            _ => return None,
        })
    }
}

impl Add for AdFigures {
    type Output = AdFigures;
    fn add(self, rhs: AdFigures) -> AdFigures {
        AdFigures {
            impressions: self.impressions + rhs.impressions,
            clicks: self.clicks + rhs.clicks,
            spend: self.spend + rhs.spend,
            attributed_gmv: self.attributed_gmv + rhs.attributed_gmv,
        }
    }
}

impl AddAssign for AdFigures {
    fn add_assign(&mut self, rhs: AdFigures) {
        *self = *self + rhs;
    }
}

impl std::iter::Sum for AdFigures {
    fn sum<I: Iterator<Item = AdFigures>>(iter: I) -> AdFigures {
        iter.fold(AdFigures::default(), Add::add)
    }
}

/// The grade of a campaign's ROI (seed 000, DOMAIN.md §7 roi): < 3 fail, ≥ 3 pass, ≥ 4 good, ≥ 5 excellent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoiGrade {
    Fail,
    Pass,
    Good,
    Excellent,
}

impl RoiGrade {
    pub const ALL: [RoiGrade; 4] = [RoiGrade::Fail, RoiGrade::Pass, RoiGrade::Good, RoiGrade::Excellent];

    /// Grades an ROI exactly (no float at the thresholds: GMV ≥ 3 × spend is pass); `None` when the ROI
    /// is undefined (no spend).
    pub fn of(roi: Ratio) -> Option<RoiGrade> {
        let at_least = |n: i64| roi.compare(Ratio::new(n, 1)).map(|o| o != Ordering::Less);
        Some(if at_least(5)? {
            RoiGrade::Excellent
        } else if at_least(4)? {
            RoiGrade::Good
        } else if at_least(3)? {
            RoiGrade::Pass
        } else {
            RoiGrade::Fail
        })
    }

    pub fn code(self) -> &'static str {
        match self {
            RoiGrade::Fail => "fail",
            RoiGrade::Pass => "pass",
            RoiGrade::Good => "good",
            RoiGrade::Excellent => "excellent",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            RoiGrade::Fail => "不合格",
            RoiGrade::Pass => "合格",
            RoiGrade::Good => "良好",
            RoiGrade::Excellent => "优秀",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            RoiGrade::Fail => "fail",
            RoiGrade::Pass => "pass",
            RoiGrade::Good => "good",
            RoiGrade::Excellent => "excellent",
        }
    }
}

impl fmt::Display for RoiGrade {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

// ---------------------------------------------------------------------------------------------------------
// Customer service
// ---------------------------------------------------------------------------------------------------------

/// Customer-service figures (DOMAIN.md §7 inquiry_conversion, first_response_s, avg_response_s). The
/// delays are sums and counts, so means are computed once over the whole period. `buyers_consulted` and
/// `buyers_consulted_paid` are distinct counts for the period (not additive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ServiceFigures {
    /// Distinct buyers who consulted customer service (询单人数).
    pub buyers_consulted: i64,
    /// Of those, the buyers who then paid (询单后付款人数).
    pub buyers_consulted_paid: i64,
    /// Sessions with at least one reply.
    pub sessions_replied: i64,
    /// Σ first-reply delay of those sessions, in seconds.
    pub first_response_total_s: i64,
    /// Replies counted.
    pub replies: i64,
    /// Σ delay of every reply, in seconds.
    pub reply_delay_total_s: i64,
}

impl ServiceFigures {
    /// 询单转化率 inquiry_conversion = buyers who consulted and paid / buyers who consulted.
    pub fn inquiry_conversion(&self) -> Ratio {
        Ratio::new(self.buyers_consulted_paid, self.buyers_consulted)
    }

    /// 首次响应时长 first_response_s: mean first-reply delay per session, in seconds (as a ratio of the
    /// summed delays over the sessions; show with [`Ratio::to_decimal`]`(1)`).
    pub fn first_response_s(&self) -> Ratio {
        Ratio::new(self.first_response_total_s, self.sessions_replied)
    }

    /// 平均响应时长 avg_response_s: mean of all reply delays, in seconds.
    pub fn avg_response_s(&self) -> Ratio {
        Ratio::new(self.reply_delay_total_s, self.replies)
    }

    /// The value of `key`, or `None` if service figures do not give that metric.
    pub fn metric(&self, key: MetricKey) -> Option<MetricValue> {
        let seconds = |r: Ratio| if r.is_defined() { MetricValue::Seconds(r) } else { MetricValue::Unavailable };
        Some(match key {
            MetricKey::InquiryConversion => MetricValue::rate(Some(self.inquiry_conversion())),
            MetricKey::FirstResponseS => seconds(self.first_response_s()),
            MetricKey::AvgResponseS => seconds(self.avg_response_s()),
            _ => return None,
        })
    }
}

// ---------------------------------------------------------------------------------------------------------
// Repeat purchase rate
// ---------------------------------------------------------------------------------------------------------

/// 复购率 repeat_rate over a stated window (DOMAIN.md §7): customers with ≥ 2 paid trades / customers with
/// ≥ 1. Give one count per customer: that customer's paid trades in the window; zeros are ignored (a
/// customer with no paid trade in the window is not in the denominator).
pub fn repeat_rate<I: IntoIterator<Item = u32>>(paid_trades_per_customer: I) -> Ratio {
    let (mut repeat, mut buyers) = (0i64, 0i64);
    for n in paid_trades_per_customer {
        if n >= 1 {
            buyers += 1;
        }
        if n >= 2 {
            repeat += 1;
        }
    }
    Ratio::new(repeat, buyers)
}

/// 复购率, the platform's 30-day form (DOMAIN.md §7 repeat_rate): of the buyers in days 31–60 before, the
/// share who bought again in the last 30 days. Give the set of buyers who paid in days 31–60 and the set
/// who paid in the last 30 days (see [`platform_repeat_windows`] for the dates).
pub fn platform_repeat_rate<T: Eq + Hash, S: BuildHasher>(
    buyers_days_31_to_60: &HashSet<T, S>,
    buyers_last_30_days: &HashSet<T, S>,
) -> Ratio {
    let again = buyers_days_31_to_60.iter().filter(|b| buyers_last_30_days.contains(*b)).count();
    Ratio::new(count_i64(again), count_i64(buyers_days_31_to_60.len()))
}

fn count_i64(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// The two windows of the platform's 30-day repeat rate, as inclusive ranges of the company's days, for a
/// report whose last day is `last_day`: "last 30 days" = `last_day − 29 ..= last_day`; "days 31–60 before"
/// = `last_day − 59 ..= last_day − 30`. `None` only at the edge of the calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformRepeatWindows {
    pub days_31_to_60: RangeInclusive<NaiveDate>,
    pub last_30_days: RangeInclusive<NaiveDate>,
}

/// See [`PlatformRepeatWindows`].
pub fn platform_repeat_windows(last_day: NaiveDate) -> Option<PlatformRepeatWindows> {
    let back = |n: u64| last_day.checked_sub_days(Days::new(n));
    Some(PlatformRepeatWindows { days_31_to_60: back(59)?..=back(30)?, last_30_days: back(29)?..=last_day })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn yuan(y: i64) -> Money {
        Money::from_yuan(y)
    }

    #[test]
    fn ratio_prints_percent_and_plain() {
        let r = Ratio::new(1234, 10000);
        assert_eq!(r.to_percent().as_deref(), Some("12.34%"));
        assert_eq!(r.to_plain().as_deref(), Some("0.1234"));
        assert_eq!(r.to_string(), "12.34%");
        assert_eq!(Ratio::new(1, 3).to_string(), "33.33%");
        assert_eq!(Ratio::new(2, 3).to_string(), "66.67%");
        assert_eq!(Ratio::new(2, 3).to_plain().as_deref(), Some("0.6667"));
        assert_eq!(Ratio::new(1, 8).to_percent().as_deref(), Some("12.50%"));
        // Half away from zero: 0.000050 → 0.0001, −0.000050 → −0.0001.
        assert_eq!(Ratio::new(1, 20000).to_plain().as_deref(), Some("0.0001"));
        assert_eq!(Ratio::new(-1, 20000).to_plain().as_deref(), Some("-0.0001"));
        assert_eq!(Ratio::new(3, 2).to_percent().as_deref(), Some("150.00%"));
        assert_eq!(Ratio::new(0, 5).to_percent().as_deref(), Some("0.00%"));
        assert_eq!(Ratio::new(327, 10000).to_percent_with(1).as_deref(), Some("3.3%"));
        assert_eq!(Ratio::new(13, 4).to_decimal(2).as_deref(), Some("3.25"));
        assert_eq!(Ratio::new(13, 4).to_decimal(0).as_deref(), Some("3"));
        assert_eq!(Ratio::new(-1, 4).to_decimal(1).as_deref(), Some("-0.3"));
    }

    #[test]
    fn undefined_ratio_is_a_dash_and_null() {
        let r = Ratio::new(5, 0);
        assert!(!r.is_defined());
        assert_eq!(r.value(), None);
        assert_eq!(r.to_percent(), None);
        assert_eq!(r.to_plain(), None);
        assert_eq!(r.to_string(), "—");
        assert_eq!(Ratio::default(), Ratio::UNDEFINED);
        assert_eq!(r.compare(Ratio::new(1, 2)), None);
    }

    #[test]
    fn negative_denominator_flips_signs() {
        let r = Ratio::new(1, -4);
        assert_eq!((r.numerator(), r.denominator()), (-1, 4));
        assert_eq!(r.value(), Some(-0.25));
    }

    #[test]
    fn ratio_parses_its_serialised_form() {
        assert_eq!("0.1234".parse::<Ratio>(), Ok(Ratio::new(1234, 10000)));
        assert_eq!("-1.5".parse::<Ratio>(), Ok(Ratio::new(-15, 10)));
        assert_eq!("3".parse::<Ratio>(), Ok(Ratio::new(3, 1)));
        assert_eq!(".5".parse::<Ratio>(), Ok(Ratio::new(5, 10)));
        assert_eq!("".parse::<Ratio>(), Ok(Ratio::UNDEFINED));
        assert_eq!("—".parse::<Ratio>(), Ok(Ratio::UNDEFINED));
        assert!("12%".parse::<Ratio>().is_err());
        assert!("1.2.3".parse::<Ratio>().is_err());
        assert!(".".parse::<Ratio>().is_err());
        assert!("0.1234567890123456789".parse::<Ratio>().is_err());
    }

    /// A tiny serializer that records what `Serialize` emits, so the serde convention is tested without
    /// a JSON dependency.
    mod capture {
        use serde::ser::{self, Impossible, Serialize};
        use std::fmt;

        #[derive(Debug, PartialEq)]
        pub enum Out {
            None,
            Str(String),
            I64(i64),
        }

        #[derive(Debug)]
        pub struct Error(String);
        impl fmt::Display for Error {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl std::error::Error for Error {}
        impl ser::Error for Error {
            fn custom<T: fmt::Display>(msg: T) -> Self {
                Error(msg.to_string())
            }
        }

        pub struct Capture;

        pub fn capture<T: Serialize>(v: &T) -> Result<Out, Error> {
            v.serialize(Capture)
        }

        fn unsupported<T>() -> Result<T, Error> {
            Err(Error("unsupported".into()))
        }

        impl ser::Serializer for Capture {
            type Ok = Out;
            type Error = Error;
            type SerializeSeq = Impossible<Out, Error>;
            type SerializeTuple = Impossible<Out, Error>;
            type SerializeTupleStruct = Impossible<Out, Error>;
            type SerializeTupleVariant = Impossible<Out, Error>;
            type SerializeMap = Impossible<Out, Error>;
            type SerializeStruct = Impossible<Out, Error>;
            type SerializeStructVariant = Impossible<Out, Error>;

            fn serialize_bool(self, _: bool) -> Result<Out, Error> {
                unsupported()
            }
            fn serialize_i8(self, v: i8) -> Result<Out, Error> {
                Ok(Out::I64(v.into()))
            }
            fn serialize_i16(self, v: i16) -> Result<Out, Error> {
                Ok(Out::I64(v.into()))
            }
            fn serialize_i32(self, v: i32) -> Result<Out, Error> {
                Ok(Out::I64(v.into()))
            }
            fn serialize_i64(self, v: i64) -> Result<Out, Error> {
                Ok(Out::I64(v))
            }
            fn serialize_u8(self, _: u8) -> Result<Out, Error> {
                unsupported()
            }
            fn serialize_u16(self, _: u16) -> Result<Out, Error> {
                unsupported()
            }
            fn serialize_u32(self, _: u32) -> Result<Out, Error> {
                unsupported()
            }
            fn serialize_u64(self, _: u64) -> Result<Out, Error> {
                unsupported()
            }
            fn serialize_f32(self, _: f32) -> Result<Out, Error> {
                unsupported()
            }
            fn serialize_f64(self, _: f64) -> Result<Out, Error> {
                unsupported()
            }
            fn serialize_char(self, _: char) -> Result<Out, Error> {
                unsupported()
            }
            fn serialize_str(self, v: &str) -> Result<Out, Error> {
                Ok(Out::Str(v.to_string()))
            }
            fn serialize_bytes(self, _: &[u8]) -> Result<Out, Error> {
                unsupported()
            }
            fn serialize_none(self) -> Result<Out, Error> {
                Ok(Out::None)
            }
            fn serialize_some<T: ?Sized + Serialize>(self, v: &T) -> Result<Out, Error> {
                v.serialize(Capture)
            }
            fn serialize_unit(self) -> Result<Out, Error> {
                unsupported()
            }
            fn serialize_unit_struct(self, _: &'static str) -> Result<Out, Error> {
                unsupported()
            }
            fn serialize_unit_variant(self, _: &'static str, _: u32, v: &'static str) -> Result<Out, Error> {
                Ok(Out::Str(v.to_string()))
            }
            fn serialize_newtype_struct<T: ?Sized + Serialize>(self, _: &'static str, _: &T) -> Result<Out, Error> {
                unsupported()
            }
            fn serialize_newtype_variant<T: ?Sized + Serialize>(
                self,
                _: &'static str,
                _: u32,
                _: &'static str,
                _: &T,
            ) -> Result<Out, Error> {
                unsupported()
            }
            fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Error> {
                unsupported()
            }
            fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Error> {
                unsupported()
            }
            fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeTupleStruct, Error> {
                unsupported()
            }
            fn serialize_tuple_variant(
                self,
                _: &'static str,
                _: u32,
                _: &'static str,
                _: usize,
            ) -> Result<Self::SerializeTupleVariant, Error> {
                unsupported()
            }
            fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Error> {
                unsupported()
            }
            fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, Error> {
                unsupported()
            }
            fn serialize_struct_variant(
                self,
                _: &'static str,
                _: u32,
                _: &'static str,
                _: usize,
            ) -> Result<Self::SerializeStructVariant, Error> {
                unsupported()
            }
        }
    }

    #[test]
    fn serde_convention() {
        use capture::{Out, capture};
        let str_out = |s: &str| Ok::<Out, ()>(Out::Str(s.to_string()));
        assert_eq!(capture(&Ratio::new(1, 8)).map_err(|_| ()), str_out("0.1250"));
        assert_eq!(capture(&Ratio::UNDEFINED).map_err(|_| ()), Ok(Out::None));
        assert_eq!(capture(&MetricValue::Count(7)).map_err(|_| ()), Ok(Out::I64(7)));
        assert_eq!(capture(&MetricValue::Money(Money::from_fen(1050))).map_err(|_| ()), str_out("10.50"));
        assert_eq!(capture(&MetricValue::Multiple(Ratio::new(13, 4))).map_err(|_| ()), str_out("3.2500"));
        assert_eq!(capture(&MetricValue::Unavailable).map_err(|_| ()), Ok(Out::None));
        assert_eq!(capture(&MetricKey::ShipWithin24hRate).map_err(|_| ()), str_out("ship_within_24h_rate"));
        assert_eq!(capture(&MetricKey::FirstResponseS).map_err(|_| ()), str_out("first_response_s"));
        assert_eq!(capture(&RoiGrade::Excellent).map_err(|_| ()), str_out("excellent"));
        for k in MetricKey::ALL {
            assert_eq!(capture(&k).map_err(|_| ()), str_out(k.code()), "{k:?}");
        }
    }

    #[test]
    fn merging_adds_parts_never_averages() {
        // Day 1: 1 of 1 visitors paid (100 %); day 2: 0 of 9 (0 %). The two days: 1 of 10 = 10 %, not 50 %.
        let merged = Ratio::new(1, 1).merge(Ratio::new(0, 9));
        assert_eq!(merged, Ratio::new(1, 10));
        assert_eq!(merged.to_string(), "10.00%");
        assert_eq!(Ratio::merge_all([Ratio::new(1, 2), Ratio::new(3, 4), Ratio::UNDEFINED]), Ratio::new(4, 6));
        assert_eq!(Ratio::merge_all([]), Ratio::UNDEFINED);
    }

    #[test]
    fn exact_comparison() {
        assert_eq!(Ratio::new(1, 2).compare(Ratio::new(2, 4)), Some(Ordering::Equal));
        assert_eq!(Ratio::new(1, 3).compare(Ratio::new(333, 1000)), Some(Ordering::Greater));
        assert_eq!(Ratio::new(49, 100).is_below(1, 2), Some(true));
        assert_eq!(Ratio::new(50, 100).is_below(1, 2), Some(false));
    }

    #[test]
    fn metric_keys_are_the_domain_keys() {
        let keys: Vec<&str> = MetricKey::ALL.iter().map(|k| k.code()).collect();
        assert_eq!(
            keys,
            [
                "pv",
                "uv",
                "orders_created",
                "amount_created",
                "buyers_created",
                "orders_paid",
                "amount_paid",
                "paying_buyers",
                "payment_rate",
                "conversion_rate",
                "order_conversion_rate",
                "aov",
                "refund_amount",
                "refund_rate",
                "net_sales",
                "gross_margin",
                "repeat_rate",
                "return_ratio",
                "ctr",
                "cpc",
                "cpm",
                "roi",
                "inquiry_conversion",
                "first_response_s",
                "avg_response_s",
                "ship_within_24h_rate",
                "mis_shipment_rate",
            ]
        );
        for k in MetricKey::ALL {
            assert_eq!(k.code().parse(), Ok(k));
            assert_eq!(k.label_zh().parse(), Ok(k));
            assert!(!k.label_en().is_empty() && !k.definition_en().is_empty() && !k.definition_zh().is_empty());
        }
        assert_eq!("付款率".parse(), Ok(MetricKey::PaymentRate));
        assert_eq!(MetricKey::Aov.label_zh(), "客单价");
        assert!("gmv".parse::<MetricKey>().is_err());
        assert!(!MetricKey::Uv.is_additive());
        assert!(MetricKey::Pv.is_additive());
        assert!(!MetricKey::PaymentRate.is_additive());
        assert_eq!(MetricKey::Roi.kind(), MetricKind::Multiple);
    }

    fn day() -> SalesFigures {
        SalesFigures {
            pv: Some(5000),
            uv: Some(1000),
            orders_created: 60,
            amount_created: yuan(6600),
            buyers_created: Some(55),
            orders_paid: 50,
            amount_paid: Money::from_fen(500_050),
            paying_buyers: Some(40),
            units_paid: 70,
            orders_paid_shipped_within_24h: 45,
            refunds: 3,
            refund_amount: yuan(300),
            trades_shipped: 48,
            trades_returned_or_exchanged: 2,
            trades_mis_shipped: 1,
            cost_of_goods_shipped: yuan(2000),
            postage_paid_by_shop: yuan(240),
        }
    }

    #[test]
    fn sales_metrics_follow_the_definitions() {
        let f = day();
        assert_eq!(f.payment_rate(), Ratio::new(50, 60));
        assert_eq!(f.payment_rate().to_string(), "83.33%");
        assert_eq!(f.conversion_rate(), Some(Ratio::new(40, 1000)));
        assert_eq!(f.order_conversion_rate(), Some(Ratio::new(55, 1000)));
        // 5000.50 / 40 buyers = 125.0125 → ¥125.01 (per buyer, not per order: 50 orders would give 100.01).
        assert_eq!(f.aov(), Some(Money::from_fen(12501)));
        assert_eq!(f.refund_rate(), Ratio::new(30_000, 500_050));
        assert_eq!(f.refund_rate().to_string(), "6.00%");
        assert_eq!(f.net_sales(), Money::from_fen(470_050));
        assert_eq!(f.gross_margin(), Money::from_fen(470_050 - 200_000 - 24_000));
        assert_eq!(f.return_ratio(), Ratio::new(2, 48));
        assert_eq!(f.ship_within_24h_rate(), Ratio::new(45, 50));
        assert_eq!(f.mis_shipment_rate(), Ratio::new(1, 48));
    }

    #[test]
    fn aov_rounds_half_up_to_the_fen() {
        let f = SalesFigures { amount_paid: Money::from_fen(1001), paying_buyers: Some(2), ..SalesFigures::default() };
        assert_eq!(f.aov(), Some(Money::from_fen(501)));
        let f = SalesFigures { amount_paid: Money::from_fen(1000), paying_buyers: Some(3), ..SalesFigures::default() };
        assert_eq!(f.aov(), Some(Money::from_fen(333)));
    }

    #[test]
    fn unknown_counts_make_figures_unavailable() {
        let f = SalesFigures { uv: None, paying_buyers: None, ..day() };
        assert_eq!(f.conversion_rate(), None);
        assert_eq!(f.aov(), None);
        assert_eq!(f.metric(MetricKey::ConversionRate), Some(MetricValue::Unavailable));
        assert_eq!(f.metric(MetricKey::Aov), Some(MetricValue::Unavailable));
        assert_eq!(f.metric(MetricKey::Uv).map(|v| v.to_string()).as_deref(), Some("—"));
        let none = SalesFigures::default();
        assert_eq!(none.metric(MetricKey::PaymentRate), Some(MetricValue::Unavailable));
        assert_eq!(none.with_distinct(Some(0), Some(0), Some(0)).aov(), None);
        assert_eq!(none.with_distinct(Some(0), Some(0), Some(0)).conversion_rate().map(|r| r.value()), Some(None));
    }

    #[test]
    fn metric_lookup_by_key() {
        let f = day();
        assert_eq!(f.metric(MetricKey::OrdersPaid), Some(MetricValue::Count(50)));
        assert_eq!(f.metric(MetricKey::PaymentRate).map(|v| v.to_string()).as_deref(), Some("83.33%"));
        assert_eq!(f.metric(MetricKey::Aov).map(|v| v.to_string()).as_deref(), Some("¥125.01"));
        assert_eq!(f.metric(MetricKey::Roi), None);
        assert_eq!(f.metric(MetricKey::RepeatRate), None);
        let covered = MetricKey::ALL
            .iter()
            .filter(|k| {
                f.metric(**k).is_some()
                    || AdFigures::default().metric(**k).is_some()
                    || ServiceFigures::default().metric(**k).is_some()
            })
            .count();
        // Every key but repeat_rate (its own helpers) comes from one figure set.
        assert_eq!(covered, MetricKey::ALL.len() - 1);
    }

    #[test]
    fn adding_days_sums_additive_fields_and_forgets_distinct_counts() {
        let two = day().add_additive(&day());
        assert_eq!(two.orders_paid, 100);
        assert_eq!(two.amount_paid, Money::from_fen(1_000_100));
        assert_eq!(two.pv, Some(10_000));
        assert_eq!(two.uv, None);
        assert_eq!(two.paying_buyers, None);
        assert_eq!(two.buyers_created, None);
        // Rates of the sum are recomputed from the sums.
        assert_eq!(two.payment_rate(), Ratio::new(100, 120));
        // A visitor of both days counts once: the caller passes the period's distinct count.
        let two = two.with_distinct(Some(1800), Some(100), Some(70));
        assert_eq!(two.conversion_rate(), Some(Ratio::new(70, 1800)));
        let unknown_pv = SalesFigures { pv: None, ..day() };
        assert_eq!(day().add_additive(&unknown_pv).pv, None);
        let all = SalesFigures::sum_additive(&[day(), day(), day()]);
        assert_eq!(all.orders_created, 180);
        assert_eq!(all.pv, Some(15_000));
        assert_eq!(SalesFigures::sum_additive(&[]).pv, Some(0));
    }

    #[test]
    fn within_24h() {
        let paid = DateTime::from_timestamp(1_700_000_000, 0).unwrap_or_default();
        assert!(shipped_within_24h(paid, paid + TimeDelta::hours(24)));
        assert!(!shipped_within_24h(paid, paid + TimeDelta::hours(24) + TimeDelta::seconds(1)));
        assert!(shipped_within_24h(paid, paid - TimeDelta::minutes(5)));
    }

    #[test]
    fn ad_metrics() {
        let a = AdFigures {
            impressions: 5000,
            clicks: 150,
            spend: Money::from_fen(1234),
            attributed_gmv: Money::from_fen(4000),
        };
        assert_eq!(a.ctr().to_string(), "3.00%");
        assert_eq!(a.cpc(), Some(Money::from_fen(8))); // 12.34 / 150 = 0.0823
        assert_eq!(a.cpm(), Some(Money::from_fen(247))); // 12.34 / 5000 × 1000 = 2.468
        assert_eq!(a.roi().to_decimal(2).as_deref(), Some("3.24"));
        assert_eq!(a.roi_grade(), Some(RoiGrade::Pass));
        assert_eq!(a.metric(MetricKey::Roi).map(|v| v.to_string()).as_deref(), Some("3.24"));
        let none = AdFigures::default();
        assert_eq!(none.cpc(), None);
        assert_eq!(none.cpm(), None);
        assert_eq!(none.roi_grade(), None);
        assert_eq!(none.metric(MetricKey::Roi), Some(MetricValue::Unavailable));
        let sum: AdFigures = [a, a].into_iter().sum();
        assert_eq!(sum.clicks, 300);
        assert_eq!(sum.roi(), Ratio::new(8000, 2468));
    }

    #[test]
    fn roi_grades_at_the_thresholds() {
        let grade = |gmv: i64, spend: i64| RoiGrade::of(Ratio::of_money(yuan(gmv), yuan(spend)));
        assert_eq!(grade(299, 100), Some(RoiGrade::Fail));
        assert_eq!(grade(300, 100), Some(RoiGrade::Pass));
        assert_eq!(grade(399, 100), Some(RoiGrade::Pass));
        assert_eq!(grade(400, 100), Some(RoiGrade::Good));
        assert_eq!(grade(500, 100), Some(RoiGrade::Excellent));
        assert_eq!(grade(0, 100), Some(RoiGrade::Fail));
        assert_eq!(grade(100, 0), None);
        // 2.99999… is not 3.
        assert_eq!(RoiGrade::of(Ratio::new(2_999_999, 1_000_000)), Some(RoiGrade::Fail));
        assert_eq!(RoiGrade::Good.label_zh(), "良好");
    }

    #[test]
    fn service_metrics() {
        let s = ServiceFigures {
            buyers_consulted: 80,
            buyers_consulted_paid: 36,
            sessions_replied: 4,
            first_response_total_s: 50,
            replies: 0,
            reply_delay_total_s: 0,
        };
        assert_eq!(s.inquiry_conversion().to_string(), "45.00%");
        assert_eq!(s.metric(MetricKey::FirstResponseS).map(|v| v.to_string()).as_deref(), Some("12.5"));
        assert_eq!(s.metric(MetricKey::AvgResponseS), Some(MetricValue::Unavailable));
    }

    #[test]
    fn repeat_rate_over_a_window() {
        assert_eq!(repeat_rate([1, 2, 3, 1, 0]), Ratio::new(2, 4));
        assert_eq!(repeat_rate([]), Ratio::UNDEFINED);
        assert_eq!(repeat_rate([0, 0]), Ratio::UNDEFINED);
    }

    #[test]
    fn platform_30_day_repeat_rate() {
        let earlier: HashSet<&str> = ["a", "b", "c", "d"].into_iter().collect();
        let recent: HashSet<&str> = ["b", "d", "x"].into_iter().collect();
        assert_eq!(platform_repeat_rate(&earlier, &recent), Ratio::new(2, 4));
        assert_eq!(platform_repeat_rate(&HashSet::<&str>::new(), &recent), Ratio::UNDEFINED);
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
        let w = platform_repeat_windows(d(2024, 3, 31));
        assert_eq!(
            w,
            Some(PlatformRepeatWindows {
                days_31_to_60: d(2024, 2, 1)..=d(2024, 3, 1),
                last_30_days: d(2024, 3, 2)..=d(2024, 3, 31),
            })
        );
    }

    proptest! {
        #[test]
        fn merged_rate_lies_between_its_parts(a in 0i64..10_000, b in 1i64..10_000, c in 0i64..10_000, d in 1i64..10_000) {
            let (x, y) = (Ratio::new(a.min(b), b), Ratio::new(c.min(d), d));
            let m = x.merge(y);
            let lo = if x.compare(y) == Some(Ordering::Less) { x } else { y };
            let hi = if lo == x { y } else { x };
            prop_assert_ne!(m.compare(lo), Some(Ordering::Less));
            prop_assert_ne!(m.compare(hi), Some(Ordering::Greater));
        }

        #[test]
        fn plain_form_round_trips_to_four_decimals(n in -1_000_000i64..1_000_000, d in 1i64..1_000_000) {
            let r = Ratio::new(n, d);
            let text = r.to_plain().unwrap_or_default();
            let back: Ratio = text.parse().map_err(|e: RatioParseError| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(back.to_plain(), r.to_plain());
            // Within half a unit of the fourth decimal.
            let err = (i128::from(back.numerator()) * i128::from(d) - i128::from(n) * i128::from(back.denominator())).abs();
            prop_assert!(2 * err * 10_000 <= i128::from(d) * i128::from(back.denominator()));
        }

        #[test]
        fn additive_sum_is_order_independent(a in 0i64..1000, b in 0i64..1000, c in 0i64..1000) {
            let f = |n: i64| SalesFigures { orders_created: n, orders_paid: n / 2, amount_paid: Money::from_fen(n * 100), pv: Some(n), ..SalesFigures::default() };
            let one = f(a).add_additive(&f(b)).add_additive(&f(c));
            let two = f(c).add_additive(&f(a).add_additive(&f(b)));
            prop_assert_eq!(one, two);
            prop_assert_eq!(one.payment_rate(), Ratio::new(a / 2 + b / 2 + c / 2, a + b + c));
        }
    }
}
