//! `Money`: an integer number of fen (分). Parsed from and printed as yuan with two decimals; never a float.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Mul, Neg, Sub, SubAssign};
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An amount of money in fen. `Money(12345)` is ¥123.45.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Money(i64);

/// Why a text is not an amount of money.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyParseError {
    #[error("empty amount")]
    Empty,
    #[error("not an amount of money: {0:?}")]
    Invalid(String),
    #[error("more than two decimals (smaller than 1 分): {0:?}")]
    TooPrecise(String),
    #[error("amount too large: {0:?}")]
    Overflow(String),
}

impl Money {
    pub const ZERO: Money = Money(0);

    pub const fn from_fen(fen: i64) -> Money {
        Money(fen)
    }

    pub const fn from_yuan(yuan: i64) -> Money {
        Money(yuan * 100)
    }

    pub const fn fen(self) -> i64 {
        self.0
    }

    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }

    pub const fn is_negative(self) -> bool {
        self.0 < 0
    }

    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).map(Money)
    }

    pub fn checked_mul(self, qty: i64) -> Option<Money> {
        self.0.checked_mul(qty).map(Money)
    }

    /// `self × mul / div`, rounded half away from zero to the fen (四舍五入), computed exactly in 128 bits;
    /// `None` when `div` is 0 or the result does not fit. Used by the per-buyer and per-click figures of
    /// DOMAIN.md §7 (客单价 aov, cpc, cpm), which divide money by a count.
    pub fn mul_div_round(self, mul: i64, div: i64) -> Option<Money> {
        if div == 0 {
            return None;
        }
        let num = i128::from(self.0) * i128::from(mul);
        let den = i128::from(div);
        let q = div_round_half_away(num, den);
        i64::try_from(q).ok().map(Money)
    }

    /// `self / div`, rounded half away from zero to the fen; `None` when `div` is 0.
    /// `Money::from_fen(1001).div_round(2)` is 5.01 (500.5 fen rounds up).
    pub fn div_round(self, div: i64) -> Option<Money> {
        self.mul_div_round(1, div)
    }

    /// Splits `self` over `weights` in proportion, largest remainder first, so the parts always add up
    /// to exactly `self` (used to spread a trade's payment over its lines).
    pub fn allocate(self, weights: &[i64]) -> Vec<Money> {
        let total: i128 = weights.iter().map(|w| i128::from((*w).max(0))).sum();
        if weights.is_empty() {
            return Vec::new();
        }
        if total == 0 {
            let mut parts = vec![Money::ZERO; weights.len()];
            parts[0] = self;
            return parts;
        }
        let amount = i128::from(self.0);
        let mut parts: Vec<i128> = Vec::with_capacity(weights.len());
        let mut remainders: Vec<(i128, usize)> = Vec::with_capacity(weights.len());
        for (i, w) in weights.iter().enumerate() {
            let num = amount * i128::from((*w).max(0));
            parts.push(num.div_euclid(total));
            remainders.push((num.rem_euclid(total), i));
        }
        let mut left = amount - parts.iter().sum::<i128>();
        remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        for (_, i) in remainders {
            if left <= 0 {
                break;
            }
            parts[i] += 1;
            left -= 1;
        }
        parts.into_iter().map(|p| Money(i64::try_from(p).unwrap_or(i64::MAX))).collect()
    }

    /// Parses an amount as exports write it: "123.4", "1,234.50", "¥99", "-5.00", "１２.５" is refused.
    /// "-" and "" are not amounts here: callers decide what empty means.
    pub fn parse(text: &str) -> Result<Money, MoneyParseError> {
        let t = text.trim();
        if t.is_empty() {
            return Err(MoneyParseError::Empty);
        }
        let t = t.trim_start_matches(['¥', '￥']).trim();
        let t = t.strip_suffix('元').unwrap_or(t).trim();
        let (negative, digits) = match t.strip_prefix('-') {
            Some(rest) => (true, rest.trim_start_matches(['¥', '￥'])),
            None => (false, t.strip_prefix('+').unwrap_or(t)),
        };
        let cleaned: String = digits.chars().filter(|c| *c != ',' && *c != '，').collect();
        let (int_part, frac_part) = match cleaned.split_once('.') {
            Some((i, f)) => (i, f),
            None => (cleaned.as_str(), ""),
        };
        if int_part.is_empty() && frac_part.is_empty() {
            return Err(MoneyParseError::Invalid(text.to_string()));
        }
        if !int_part.chars().all(|c| c.is_ascii_digit()) || !frac_part.chars().all(|c| c.is_ascii_digit()) {
            return Err(MoneyParseError::Invalid(text.to_string()));
        }
        let frac_trimmed = frac_part.trim_end_matches('0');
        if frac_trimmed.len() > 2 {
            return Err(MoneyParseError::TooPrecise(text.to_string()));
        }
        let overflow = || MoneyParseError::Overflow(text.to_string());
        let yuan: i64 = if int_part.is_empty() { 0 } else { int_part.parse().map_err(|_| overflow())? };
        let mut frac: i64 = 0;
        for (i, c) in frac_trimmed.chars().enumerate() {
            let d = i64::from(c.to_digit(10).unwrap_or(0));
            frac += if i == 0 { d * 10 } else { d };
        }
        let fen = yuan.checked_mul(100).and_then(|v| v.checked_add(frac)).ok_or_else(overflow)?;
        Ok(Money(if negative { -fen } else { fen }))
    }

    /// "1234.50": yuan with two decimals, no separators (for files and JSON).
    pub fn to_plain(self) -> String {
        self.to_string()
    }

    /// "¥1,234.56": as tables show money.
    pub fn to_display(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let yuan = (abs / 100).to_string();
        let mut grouped = String::with_capacity(yuan.len() + yuan.len() / 3);
        for (i, c) in yuan.chars().enumerate() {
            if i > 0 && (yuan.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(c);
        }
        format!("{sign}¥{grouped}.{:02}", abs % 100)
    }
}

/// `num / den` rounded half away from zero (四舍五入; `den` ≠ 0). Shared with the metrics of DOMAIN.md §7.
pub(crate) fn div_round_half_away(num: i128, den: i128) -> i128 {
    let (num, den) = if den < 0 { (-num, -den) } else { (num, den) };
    let q = num / den;
    let r = num % den;
    if 2 * r.abs() >= den { q + num.signum() } else { q }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

impl FromStr for Money {
    type Err = MoneyParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Money::parse(s)
    }
}

// The operators saturate at the ends of the range instead of wrapping: no real amount comes near
// ±9.2 × 10^16 yuan, and a product or sum of extreme inputs must never wrap into a believable figure
// (nor panic in a debug build). `checked_add` and `checked_mul` say when a result does not fit.

impl Add for Money {
    type Output = Money;
    fn add(self, rhs: Money) -> Money {
        Money(self.0.saturating_add(rhs.0))
    }
}

impl AddAssign for Money {
    fn add_assign(&mut self, rhs: Money) {
        self.0 = self.0.saturating_add(rhs.0);
    }
}

impl Sub for Money {
    type Output = Money;
    fn sub(self, rhs: Money) -> Money {
        Money(self.0.saturating_sub(rhs.0))
    }
}

impl SubAssign for Money {
    fn sub_assign(&mut self, rhs: Money) {
        self.0 = self.0.saturating_sub(rhs.0);
    }
}

impl Neg for Money {
    type Output = Money;
    fn neg(self) -> Money {
        Money(self.0.saturating_neg())
    }
}

impl Mul<i64> for Money {
    type Output = Money;
    fn mul(self, qty: i64) -> Money {
        Money(self.0.saturating_mul(qty))
    }
}

impl Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        Money(iter.fold(0i64, |total, m| total.saturating_add(m.0)))
    }
}

/// Money is a decimal string with two places in JSON ("123.45"), as DOMAIN.md asks of reports.
impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Money, D::Error> {
        let text = String::deserialize(d)?;
        Money::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_export_forms() {
        assert_eq!(Money::parse("123.45"), Ok(Money(12345)));
        assert_eq!(Money::parse("1,234.50"), Ok(Money(123450)));
        assert_eq!(Money::parse(" ¥99 "), Ok(Money(9900)));
        assert_eq!(Money::parse("-5.5"), Ok(Money(-550)));
        assert_eq!(Money::parse("0.10"), Ok(Money(10)));
        assert_eq!(Money::parse(".5"), Ok(Money(50)));
        assert_eq!(Money::parse("12.3000"), Ok(Money(1230)));
        assert_eq!(Money::parse("12元"), Ok(Money(1200)));
    }

    #[test]
    fn refuses_non_amounts() {
        assert_eq!(Money::parse(""), Err(MoneyParseError::Empty));
        assert!(matches!(Money::parse("abc"), Err(MoneyParseError::Invalid(_))));
        assert!(matches!(Money::parse("1.2.3"), Err(MoneyParseError::Invalid(_))));
        assert!(matches!(Money::parse("1.234"), Err(MoneyParseError::TooPrecise(_))));
        assert!(matches!(Money::parse("-"), Err(MoneyParseError::Invalid(_))));
        assert!(matches!(Money::parse("99999999999999999999"), Err(MoneyParseError::Overflow(_))));
    }

    #[test]
    fn prints_two_decimals() {
        assert_eq!(Money(5).to_string(), "0.05");
        assert_eq!(Money(-1205).to_string(), "-12.05");
        assert_eq!(Money(123456789).to_display(), "¥1,234,567.89");
        assert_eq!(Money(-100).to_display(), "-¥1.00");
        assert_eq!(Money(99).to_display(), "¥0.99");
    }

    #[test]
    fn json_is_a_decimal_string() {
        assert_eq!(serde_json_like(Money(1050)), "10.50");
    }

    fn serde_json_like(m: Money) -> String {
        m.to_plain()
    }

    #[test]
    fn allocation_adds_up() {
        let parts = Money(1000).allocate(&[1, 1, 1]);
        assert_eq!(parts, vec![Money(334), Money(333), Money(333)]);
        assert_eq!(Money(500).allocate(&[0, 0]), vec![Money(500), Money(0)]);
    }

    #[test]
    fn division_rounds_half_away_from_zero() {
        assert_eq!(Money(1001).div_round(2), Some(Money(501)));
        assert_eq!(Money(1003).div_round(2), Some(Money(502)));
        assert_eq!(Money(1000).div_round(3), Some(Money(333)));
        assert_eq!(Money(2000).div_round(3), Some(Money(667)));
        assert_eq!(Money(-1001).div_round(2), Some(Money(-501)));
        assert_eq!(Money(1001).div_round(-2), Some(Money(-501)));
        assert_eq!(Money(1000).div_round(0), None);
        assert_eq!(Money(0).div_round(7), Some(Money(0)));
        // cpm: ¥12.34 over 5,000 impressions is ¥2.468 per thousand, shown ¥2.47.
        assert_eq!(Money(1234).mul_div_round(1000, 5000), Some(Money(247)));
        assert_eq!(Money(i64::MAX).mul_div_round(2, 1), None);
        assert_eq!(Money(i64::MAX).mul_div_round(2, 2), Some(Money(i64::MAX)));
    }

    #[test]
    fn arithmetic_saturates_instead_of_wrapping() {
        assert_eq!(Money(i64::MAX / 2) * 3, Money(i64::MAX), "a product saturates");
        assert_eq!(Money(-i64::MAX) * 1_000_000, Money(i64::MIN));
        assert_eq!([Money(i64::MAX), Money(1)].into_iter().sum::<Money>(), Money(i64::MAX), "a sum saturates");
        assert_eq!(Money(i64::MAX) + Money(1), Money(i64::MAX));
        assert_eq!(Money(i64::MIN) - Money(1), Money(i64::MIN));
        assert_eq!(-Money(i64::MIN), Money(i64::MAX));
        let mut m = Money(i64::MAX);
        m += Money(5);
        assert_eq!(m, Money(i64::MAX));
        assert_eq!(Money(1234) * 3, Money(3702));
    }

    proptest! {
        #[test]
        fn division_is_within_half_a_fen(fen in -1_000_000_000_000i64..1_000_000_000_000, div in 1i64..1_000_000) {
            let q = Money(fen).div_round(div).unwrap_or(Money::ZERO).fen();
            // |q × div − fen| ≤ div / 2, and exactly half rounds away from zero.
            let err = i128::from(q) * i128::from(div) - i128::from(fen);
            prop_assert!(2 * err.abs() <= i128::from(div));
            if 2 * err.abs() == i128::from(div) {
                prop_assert_eq!(i128::from(q.signum()) * err.signum(), 1);
            }
        }

        #[test]
        fn print_then_parse_round_trips(fen in -10_000_000_000i64..10_000_000_000i64) {
            let m = Money(fen);
            prop_assert_eq!(Money::parse(&m.to_string()), Ok(m));
            prop_assert_eq!(Money::parse(&m.to_display()), Ok(m));
        }

        #[test]
        fn allocation_always_sums_to_the_amount(
            fen in 0i64..100_000_000,
            weights in proptest::collection::vec(0i64..1_000_000, 1..8),
        ) {
            let parts = Money(fen).allocate(&weights);
            prop_assert_eq!(parts.len(), weights.len());
            prop_assert_eq!(parts.iter().copied().sum::<Money>(), Money(fen));
            prop_assert!(parts.iter().all(|p| !p.is_negative()));
        }

        #[test]
        fn addition_matches_integer_fen(a in -1_000_000_000i64..1_000_000_000, b in -1_000_000_000i64..1_000_000_000) {
            prop_assert_eq!((Money(a) + Money(b)).fen(), a + b);
            prop_assert_eq!((Money(a) - Money(b)).fen(), a - b);
        }
    }
}
