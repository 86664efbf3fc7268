//! Inventory rules (DOMAIN.md §6): the stock ledger's move kinds, balances and the no-oversell rule.
//! Replenishment (日均销量, 可售天数, 补货需求, classes) is in `crate::replenishment`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The most units one entry may carry: a purchase order line, a receipt, a count, an adjustment, a
/// transfer or a SKU's opening stock. Far above what a shop handles at once, it catches a typo of
/// extra zeros and keeps every amount of money computed from a quantity within range.
pub const MAX_QTY: i64 = 1_000_000;

/// The highest unit cost a purchase order line or a receipt may carry (¥1,000,000).
pub const MAX_UNIT_COST: crate::Money = crate::Money::from_yuan(1_000_000);

/// The kind of a stock move (an append-only ledger row).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MoveKind {
    PurchaseReceipt,
    SaleShipment,
    ReturnReceipt,
    Adjustment,
    Stocktake,
    TransferIn,
    TransferOut,
}

/// Why a move may not be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoveError {
    #[error("a stock move needs a quantity other than zero")]
    ZeroQuantity,
    #[error("a {kind} must {} stock, not {qty}", if *.must_add { "add" } else { "remove" })]
    WrongSign { kind: MoveKind, qty: i64, must_add: bool },
}

impl MoveKind {
    pub const ALL: [MoveKind; 7] = [
        MoveKind::PurchaseReceipt,
        MoveKind::SaleShipment,
        MoveKind::ReturnReceipt,
        MoveKind::Adjustment,
        MoveKind::Stocktake,
        MoveKind::TransferIn,
        MoveKind::TransferOut,
    ];

    pub fn code(self) -> &'static str {
        match self {
            MoveKind::PurchaseReceipt => "purchase_receipt",
            MoveKind::SaleShipment => "sale_shipment",
            MoveKind::ReturnReceipt => "return_receipt",
            MoveKind::Adjustment => "adjustment",
            MoveKind::Stocktake => "stocktake",
            MoveKind::TransferIn => "transfer_in",
            MoveKind::TransferOut => "transfer_out",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            MoveKind::PurchaseReceipt => "采购入库",
            MoveKind::SaleShipment => "销售出库",
            MoveKind::ReturnReceipt => "退货入库",
            MoveKind::Adjustment => "库存调整",
            MoveKind::Stocktake => "盘点",
            MoveKind::TransferIn => "调拨入库",
            MoveKind::TransferOut => "调拨出库",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            MoveKind::PurchaseReceipt => "purchase receipt",
            MoveKind::SaleShipment => "sale shipment",
            MoveKind::ReturnReceipt => "return receipt",
            MoveKind::Adjustment => "adjustment",
            MoveKind::Stocktake => "stocktake",
            MoveKind::TransferIn => "transfer in",
            MoveKind::TransferOut => "transfer out",
        }
    }

    /// `Some(true)` if the kind always adds stock, `Some(false)` if it always removes, `None` if either.
    pub fn direction(self) -> Option<bool> {
        match self {
            MoveKind::PurchaseReceipt | MoveKind::ReturnReceipt | MoveKind::TransferIn => Some(true),
            MoveKind::SaleShipment | MoveKind::TransferOut => Some(false),
            MoveKind::Adjustment | MoveKind::Stocktake => None,
        }
    }

    /// Checks the signed quantity of a move of this kind.
    pub fn check(self, qty: i64) -> Result<(), MoveError> {
        if qty == 0 {
            return Err(MoveError::ZeroQuantity);
        }
        match self.direction() {
            Some(must_add) if (qty > 0) != must_add => Err(MoveError::WrongSign { kind: self, qty, must_add }),
            _ => Ok(()),
        }
    }
}

impl fmt::Display for MoveKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown stock move kind {0:?}")]
pub struct UnknownMoveKind(pub String);

impl FromStr for MoveKind {
    type Err = UnknownMoveKind;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        MoveKind::ALL.into_iter().find(|k| k.code() == s.trim()).ok_or_else(|| UnknownMoveKind(s.to_string()))
    }
}

/// Stock of one SKU in one warehouse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Balance {
    /// Σ stock moves.
    pub on_hand: i64,
    /// Σ open reservations.
    pub reserved: i64,
}

impl Balance {
    /// available = on_hand − reserved.
    pub fn available(self) -> i64 {
        self.on_hand - self.reserved
    }
}

/// What to do with a request to reserve stock for an order line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReserveDecision {
    /// Enough is available.
    Reserve,
    /// Not enough, but the shop allows overselling: reserve anyway and flag the trade 超卖.
    ReserveOversold,
    /// Not enough: refuse, nothing changes.
    Refuse { available: i64 },
}

/// The no-oversell rule: a reservation may not make available negative unless the shop allows it.
pub fn decide_reservation(available: i64, qty: i64, allow_oversell: bool) -> ReserveDecision {
    if qty <= available {
        ReserveDecision::Reserve
    } else if allow_oversell {
        ReserveDecision::ReserveOversold
    } else {
        ReserveDecision::Refuse { available: available.max(0) }
    }
}

// Average daily sales (日均销量) and days of cover (可售天数) live with the other replenishment rules of
// §6; the float helpers stay reachable here. The exact forms are `replenishment::AvgDailySales` and
// `AvgDailySales::days_of_cover`.
pub use crate::replenishment::{average_daily_sales, days_of_cover};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn move_signs() {
        assert!(MoveKind::PurchaseReceipt.check(5).is_ok());
        assert!(MoveKind::PurchaseReceipt.check(-5).is_err());
        assert!(MoveKind::SaleShipment.check(-1).is_ok());
        assert!(MoveKind::SaleShipment.check(1).is_err());
        assert!(MoveKind::Adjustment.check(-3).is_ok());
        assert!(MoveKind::Stocktake.check(3).is_ok());
        assert_eq!(MoveKind::Adjustment.check(0), Err(MoveError::ZeroQuantity));
        for k in MoveKind::ALL {
            assert_eq!(k.code().parse(), Ok(k));
        }
    }

    #[test]
    fn reservation_rule() {
        assert_eq!(decide_reservation(1, 1, false), ReserveDecision::Reserve);
        assert_eq!(decide_reservation(0, 1, false), ReserveDecision::Refuse { available: 0 });
        assert_eq!(decide_reservation(-2, 1, false), ReserveDecision::Refuse { available: 0 });
        assert_eq!(decide_reservation(0, 1, true), ReserveDecision::ReserveOversold);
    }

    #[test]
    fn cover() {
        assert_eq!(average_daily_sales(70, 7), 10.0);
        assert_eq!(days_of_cover(25, 10.0), Some(2.5));
        assert_eq!(days_of_cover(25, 0.0), None);
        assert_eq!(Balance { on_hand: 10, reserved: 4 }.available(), 6);
    }
}
