//! Purchasing (采购): the purchase order's life, receipts against it and the moving-average cost
//! they set (DOMAIN.md §6: in_transit = ordered on open purchase orders − received).
//!
//! A purchase order is drafted (草稿), placed with the supplier (已下单), received in one or more
//! arrivals (部分到货) until every line has arrived (已到货), or cancelled (已取消) before anything
//! arrives. When a supplier will not deliver the rest, the order is closed short (结案), which ends
//! its in-transit quantity.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::Money;

/// Where a purchase order stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PurchaseStatus {
    Draft,
    Ordered,
    PartiallyReceived,
    Received,
    Cancelled,
}

impl PurchaseStatus {
    pub const ALL: [PurchaseStatus; 5] = [
        PurchaseStatus::Draft,
        PurchaseStatus::Ordered,
        PurchaseStatus::PartiallyReceived,
        PurchaseStatus::Received,
        PurchaseStatus::Cancelled,
    ];

    /// The value stored in the database.
    pub fn code(self) -> &'static str {
        match self {
            PurchaseStatus::Draft => "draft",
            PurchaseStatus::Ordered => "ordered",
            PurchaseStatus::PartiallyReceived => "partially_received",
            PurchaseStatus::Received => "received",
            PurchaseStatus::Cancelled => "cancelled",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            PurchaseStatus::Draft => "草稿",
            PurchaseStatus::Ordered => "已下单",
            PurchaseStatus::PartiallyReceived => "部分到货",
            PurchaseStatus::Received => "已到货",
            PurchaseStatus::Cancelled => "已取消",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            PurchaseStatus::Draft => "draft",
            PurchaseStatus::Ordered => "ordered",
            PurchaseStatus::PartiallyReceived => "partially received",
            PurchaseStatus::Received => "received",
            PurchaseStatus::Cancelled => "cancelled",
        }
    }

    /// Goods of an open order are on their way: they count as in transit.
    pub fn is_open(self) -> bool {
        matches!(self, PurchaseStatus::Ordered | PurchaseStatus::PartiallyReceived)
    }

    /// Applies an event, or says why it is refused.
    pub fn apply(self, event: PurchaseEvent) -> Result<PurchaseStatus, IllegalPurchaseTransition> {
        use PurchaseEvent as E;
        use PurchaseStatus as S;
        let next = match (self, event) {
            (S::Draft, E::Place) => Some(S::Ordered),
            (S::Draft, E::Cancel) => Some(S::Cancelled),
            (S::Ordered, E::Cancel) => Some(S::Cancelled),
            (S::Ordered | S::PartiallyReceived, E::Receive { complete: false }) => Some(S::PartiallyReceived),
            (S::Ordered | S::PartiallyReceived, E::Receive { complete: true }) => Some(S::Received),
            (S::PartiallyReceived, E::CloseShort) => Some(S::Received),
            _ => None,
        };
        next.ok_or(IllegalPurchaseTransition { from: self, event })
    }
}

impl fmt::Display for PurchaseStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown purchase order status {0:?}")]
pub struct UnknownPurchaseStatus(pub String);

impl FromStr for PurchaseStatus {
    type Err = UnknownPurchaseStatus;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        PurchaseStatus::ALL
            .into_iter()
            .find(|p| p.code() == s || p.label_zh() == s || p.label_en().eq_ignore_ascii_case(s))
            .ok_or_else(|| UnknownPurchaseStatus(s.to_string()))
    }
}

/// What can happen to a purchase order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PurchaseEvent {
    /// Sent to the supplier (下单).
    Place,
    /// Goods arrived (到货入库); `complete` when every line has now arrived in full.
    Receive { complete: bool },
    /// Cancelled (取消) before anything arrived.
    Cancel,
    /// The supplier will not deliver the rest (结案): what is missing stops being in transit.
    CloseShort,
}

impl PurchaseEvent {
    pub fn label_zh(self) -> &'static str {
        match self {
            PurchaseEvent::Place => "下单",
            PurchaseEvent::Receive { .. } => "到货入库",
            PurchaseEvent::Cancel => "取消",
            PurchaseEvent::CloseShort => "结案",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            PurchaseEvent::Place => "place",
            PurchaseEvent::Receive { .. } => "receive",
            PurchaseEvent::Cancel => "cancel",
            PurchaseEvent::CloseShort => "close short",
        }
    }
}

/// A refused purchase order transition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a purchase order that is {} cannot {}", from.label_en(), event.label_en())]
pub struct IllegalPurchaseTransition {
    pub from: PurchaseStatus,
    pub event: PurchaseEvent,
}

impl IllegalPurchaseTransition {
    pub fn message_zh(&self) -> String {
        let why = match (self.from, self.event) {
            (PurchaseStatus::PartiallyReceived, PurchaseEvent::Cancel) => "已有到货，不能取消；请用结案结束未到部分",
            (PurchaseStatus::Draft, PurchaseEvent::Receive { .. }) => "草稿还没有下单，不能入库",
            (PurchaseStatus::Received | PurchaseStatus::Cancelled, _) => "采购单已结束",
            _ => "当前状态不允许这个操作",
        };
        format!("采购单状态为「{}」，不能{}：{}", self.from.label_zh(), self.event.label_zh(), why)
    }
}

/// Moving-average cost (移动加权平均成本) after a receipt: the value of the stock on hand at the old
/// average plus the receipt at its unit cost, over the new quantity, rounded half up to the fen.
/// Stock at or below zero carries no value, so the receipt's cost becomes the average.
pub fn moving_average_cost(on_hand: i64, average: Money, qty: i64, unit_cost: Money) -> Money {
    if qty <= 0 {
        return average;
    }
    if on_hand <= 0 {
        return unit_cost;
    }
    let value = i128::from(on_hand) * i128::from(average.fen()) + i128::from(qty) * i128::from(unit_cost.fen());
    let units = i128::from(on_hand) + i128::from(qty);
    let rounded = (2 * value + units) / (2 * units);
    Money::from_fen(i64::try_from(rounded).unwrap_or(i64::MAX))
}

/// How a line's receipts compare with what was ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "qty")]
pub enum ReceiptVariance {
    /// Everything ordered has arrived.
    Exact,
    /// Still missing this many (短收 until the order is closed).
    Short(i64),
    /// This many more than ordered arrived (超收).
    Over(i64),
}

impl ReceiptVariance {
    pub fn of(ordered: i64, received: i64) -> ReceiptVariance {
        match received.cmp(&ordered) {
            std::cmp::Ordering::Equal => ReceiptVariance::Exact,
            std::cmp::Ordering::Less => ReceiptVariance::Short(ordered - received),
            std::cmp::Ordering::Greater => ReceiptVariance::Over(received - ordered),
        }
    }

    pub fn label_zh(self) -> String {
        match self {
            ReceiptVariance::Exact => "已收齐".into(),
            ReceiptVariance::Short(n) => format!("短收 {n}"),
            ReceiptVariance::Over(n) => format!("超收 {n}"),
        }
    }
}

/// Where an expected arrival stands on a day (到货信息跟踪).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ArrivalState {
    /// Expected before today and not (fully) arrived: chase the supplier.
    Late,
    Today,
    Upcoming,
    /// No expected date was given.
    Unscheduled,
}

impl ArrivalState {
    pub fn of(expected: Option<NaiveDate>, today: NaiveDate) -> ArrivalState {
        match expected {
            None => ArrivalState::Unscheduled,
            Some(d) if d < today => ArrivalState::Late,
            Some(d) if d == today => ArrivalState::Today,
            Some(_) => ArrivalState::Upcoming,
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            ArrivalState::Late => "逾期未到",
            ArrivalState::Today => "今日到货",
            ArrivalState::Upcoming => "待到货",
            ArrivalState::Unscheduled => "未定到货日",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            ArrivalState::Late => "late",
            ArrivalState::Today => "due today",
            ArrivalState::Upcoming => "upcoming",
            ArrivalState::Unscheduled => "no date",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use PurchaseEvent as E;
    use PurchaseStatus as S;

    #[test]
    fn every_transition_allowed_and_refused() {
        let events =
            [E::Place, E::Receive { complete: false }, E::Receive { complete: true }, E::Cancel, E::CloseShort];
        let allowed = [
            (S::Draft, E::Place, S::Ordered),
            (S::Draft, E::Cancel, S::Cancelled),
            (S::Ordered, E::Cancel, S::Cancelled),
            (S::Ordered, E::Receive { complete: false }, S::PartiallyReceived),
            (S::Ordered, E::Receive { complete: true }, S::Received),
            (S::PartiallyReceived, E::Receive { complete: false }, S::PartiallyReceived),
            (S::PartiallyReceived, E::Receive { complete: true }, S::Received),
            (S::PartiallyReceived, E::CloseShort, S::Received),
        ];
        for from in S::ALL {
            for event in events {
                let expected = allowed.iter().find(|(f, e, _)| *f == from && *e == event).map(|(_, _, to)| *to);
                match (from.apply(event), expected) {
                    (Ok(to), Some(want)) => assert_eq!(to, want, "{from:?} {event:?}"),
                    (Err(e), None) => {
                        assert_eq!(e, IllegalPurchaseTransition { from, event });
                        assert!(e.message_zh().contains(from.label_zh()));
                    }
                    (got, want) => panic!("{from:?} + {event:?}: got {got:?}, expected {want:?}"),
                }
            }
        }
    }

    #[test]
    fn only_placed_orders_are_in_transit() {
        let open: Vec<S> = S::ALL.into_iter().filter(|s| s.is_open()).collect();
        assert_eq!(open, vec![S::Ordered, S::PartiallyReceived]);
    }

    #[test]
    fn statuses_parse_from_codes_and_labels() {
        for s in S::ALL {
            assert_eq!(s.code().parse::<S>(), Ok(s));
            assert_eq!(s.label_zh().parse::<S>(), Ok(s));
        }
        assert!("shipped".parse::<S>().is_err());
    }

    #[test]
    fn moving_average_weights_by_quantity() {
        // 10 on hand at 30.00, 30 arrive at 34.00 → (300 + 1020) / 40 = 33.00
        let avg = moving_average_cost(10, Money::from_fen(3000), 30, Money::from_fen(3400));
        assert_eq!(avg, Money::from_fen(3300));
        // Rounds half up to the fen: (1 × 0.01 + 1 × 0.02) / 2 = 0.015 → 0.02
        assert_eq!(moving_average_cost(1, Money::from_fen(1), 1, Money::from_fen(2)), Money::from_fen(2));
        // Nothing (or less than nothing) on hand: the receipt sets the cost.
        assert_eq!(moving_average_cost(0, Money::from_fen(9999), 5, Money::from_fen(1200)), Money::from_fen(1200));
        assert_eq!(moving_average_cost(-3, Money::from_fen(9999), 5, Money::from_fen(1200)), Money::from_fen(1200));
        // An empty receipt changes nothing.
        assert_eq!(moving_average_cost(7, Money::from_fen(500), 0, Money::from_fen(100)), Money::from_fen(500));
    }

    #[test]
    fn moving_average_stays_between_old_and_new_cost() {
        for on_hand in [1_i64, 3, 17, 250, 10_000] {
            for qty in [1_i64, 2, 99, 5_000] {
                let avg = moving_average_cost(on_hand, Money::from_fen(4_321), qty, Money::from_fen(5_000));
                assert!(avg >= Money::from_fen(4_321) && avg <= Money::from_fen(5_000), "{on_hand} {qty} {avg}");
            }
        }
    }

    #[test]
    fn variance_and_arrival_state() {
        assert_eq!(ReceiptVariance::of(10, 10), ReceiptVariance::Exact);
        assert_eq!(ReceiptVariance::of(10, 7), ReceiptVariance::Short(3));
        assert_eq!(ReceiptVariance::of(10, 12), ReceiptVariance::Over(2));
        assert_eq!(ReceiptVariance::of(10, 7).label_zh(), "短收 3");
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap_or_default();
        let yesterday = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap_or_default();
        let tomorrow = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap_or_default();
        assert_eq!(ArrivalState::of(Some(yesterday), today), ArrivalState::Late);
        assert_eq!(ArrivalState::of(Some(today), today), ArrivalState::Today);
        assert_eq!(ArrivalState::of(Some(tomorrow), today), ArrivalState::Upcoming);
        assert_eq!(ArrivalState::of(None, today), ArrivalState::Unscheduled);
        assert!(ArrivalState::Late < ArrivalState::Today);
    }
}
