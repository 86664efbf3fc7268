//! Stocktake (盘点, DOMAIN.md §6): counted quantity vs on hand gives an adjustment move with a
//! reason.
//!
//! A count session takes a snapshot of on hand per SKU in one warehouse when it starts; staff count
//! the shelves and enter what they found. Posting writes, per counted SKU, a stocktake move of
//! counted − snapshot: the difference found at counting time. Sales, receipts and transfers made
//! while the count was going on have already moved stock and stay as they are, so a count never
//! undoes a sale (a line counted after its goods shipped would otherwise be "found missing" twice).

use serde::{Deserialize, Serialize};

use crate::Money;

/// Where a count session stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StocktakeStatus {
    /// Counting (盘点中): quantities can be entered and changed.
    Counting,
    /// Differences written to the ledger (已过账).
    Posted,
    /// Abandoned without changing stock (已作废).
    Cancelled,
}

impl StocktakeStatus {
    pub const ALL: [StocktakeStatus; 3] =
        [StocktakeStatus::Counting, StocktakeStatus::Posted, StocktakeStatus::Cancelled];

    pub fn code(self) -> &'static str {
        match self {
            StocktakeStatus::Counting => "counting",
            StocktakeStatus::Posted => "posted",
            StocktakeStatus::Cancelled => "cancelled",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            StocktakeStatus::Counting => "盘点中",
            StocktakeStatus::Posted => "已过账",
            StocktakeStatus::Cancelled => "已作废",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            StocktakeStatus::Counting => "counting",
            StocktakeStatus::Posted => "posted",
            StocktakeStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(code: &str) -> Option<StocktakeStatus> {
        StocktakeStatus::ALL.into_iter().find(|s| s.code() == code.trim() || s.label_zh() == code.trim())
    }

    /// Counts can be entered, and the session posted or cancelled, only while counting.
    pub fn is_open(self) -> bool {
        self == StocktakeStatus::Counting
    }
}

/// One SKU's result: what the books said when the count started and what was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CountDifference {
    pub snapshot: i64,
    pub counted: Option<i64>,
    pub unit_cost: Money,
}

impl CountDifference {
    /// Units found over (+) or missing (−); 0 when not counted.
    pub fn delta(&self) -> i64 {
        self.counted.map(|c| c.saturating_sub(self.snapshot)).unwrap_or(0)
    }

    /// The difference at cost (盘盈/盘亏金额); saturates rather than overflows (see `Money`).
    pub fn value(&self) -> Money {
        self.unit_cost * self.delta()
    }

    pub fn kind(&self) -> CountResult {
        match (self.counted, self.delta()) {
            (None, _) => CountResult::NotCounted,
            (Some(_), 0) => CountResult::Match,
            (Some(_), d) if d > 0 => CountResult::Surplus,
            _ => CountResult::Shortage,
        }
    }
}

/// How a counted line came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CountResult {
    NotCounted,
    Match,
    /// 盘盈: more on the shelf than in the books.
    Surplus,
    /// 盘亏: less on the shelf than in the books.
    Shortage,
}

impl CountResult {
    pub fn label_zh(self) -> &'static str {
        match self {
            CountResult::NotCounted => "未盘",
            CountResult::Match => "相符",
            CountResult::Surplus => "盘盈",
            CountResult::Shortage => "盘亏",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            CountResult::NotCounted => "not counted",
            CountResult::Match => "match",
            CountResult::Surplus => "surplus",
            CountResult::Shortage => "shortage",
        }
    }
}

/// Totals of a count session for review before posting.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CountSummary {
    pub lines: usize,
    pub counted: usize,
    pub matched: usize,
    pub surplus_units: i64,
    pub shortage_units: i64,
    pub surplus_value: Money,
    pub shortage_value: Money,
}

impl CountSummary {
    pub fn of<'a>(lines: impl IntoIterator<Item = &'a CountDifference>) -> CountSummary {
        let mut s = CountSummary::default();
        for l in lines {
            s.lines += 1;
            match l.kind() {
                CountResult::NotCounted => {}
                CountResult::Match => {
                    s.counted += 1;
                    s.matched += 1;
                }
                CountResult::Surplus => {
                    s.counted += 1;
                    s.surplus_units = s.surplus_units.saturating_add(l.delta());
                    s.surplus_value += l.value();
                }
                CountResult::Shortage => {
                    s.counted += 1;
                    s.shortage_units = s.shortage_units.saturating_sub(l.delta());
                    s.shortage_value += -l.value();
                }
            }
        }
        s
    }

    /// Net value of the differences (盘盈 − 盘亏).
    pub fn net_value(&self) -> Money {
        self.surplus_value - self.shortage_value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diff(snapshot: i64, counted: Option<i64>, cost: i64) -> CountDifference {
        CountDifference { snapshot, counted, unit_cost: Money::from_fen(cost) }
    }

    #[test]
    fn extreme_costs_and_counts_do_not_overflow() {
        let huge = diff(0, Some(1_000_000), i64::MAX / 1000);
        assert_eq!(huge.value(), Money::from_fen(i64::MAX));
        let short = diff(1_000_000, Some(0), i64::MAX / 1000);
        let s = CountSummary::of(&[huge, short, huge]);
        assert_eq!(s.surplus_value, Money::from_fen(i64::MAX));
        assert_eq!(s.shortage_value, Money::from_fen(i64::MAX));
        assert_eq!(s.surplus_units, 2_000_000);
        assert_eq!(s.net_value(), Money::ZERO);
    }

    #[test]
    fn differences_and_their_value() {
        assert_eq!(diff(10, Some(12), 3250).delta(), 2);
        assert_eq!(diff(10, Some(12), 3250).value(), Money::from_fen(6500));
        assert_eq!(diff(10, Some(7), 3250).kind(), CountResult::Shortage);
        assert_eq!(diff(10, Some(7), 3250).value(), Money::from_fen(-9750));
        assert_eq!(diff(10, None, 3250).delta(), 0);
        assert_eq!(diff(10, None, 3250).kind(), CountResult::NotCounted);
        assert_eq!(diff(0, Some(0), 100).kind(), CountResult::Match);
        // Books below zero (oversold) and a shelf found empty: the count brings them back to zero.
        assert_eq!(diff(-2, Some(0), 100).delta(), 2);
    }

    #[test]
    fn summary_adds_up_surplus_and_shortage_apart() {
        let lines = [diff(10, Some(12), 1000), diff(5, Some(1), 2000), diff(3, Some(3), 500), diff(8, None, 100)];
        let s = CountSummary::of(&lines);
        assert_eq!((s.lines, s.counted, s.matched), (4, 3, 1));
        assert_eq!((s.surplus_units, s.shortage_units), (2, 4));
        assert_eq!(s.surplus_value, Money::from_fen(2000));
        assert_eq!(s.shortage_value, Money::from_fen(8000));
        assert_eq!(s.net_value(), Money::from_fen(-6000));
    }

    #[test]
    fn only_a_counting_session_is_open() {
        assert!(StocktakeStatus::Counting.is_open());
        assert!(!StocktakeStatus::Posted.is_open());
        assert!(!StocktakeStatus::Cancelled.is_open());
        for s in StocktakeStatus::ALL {
            assert_eq!(StocktakeStatus::parse(s.code()), Some(s));
            assert_eq!(StocktakeStatus::parse(s.label_zh()), Some(s));
        }
    }
}
