//! Refund (售后) types and statuses (DOMAIN.md §5). The workflows build on these.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefundKind {
    /// 未发货仅退款
    RefundUnshipped,
    /// 已发货仅退款 (no return)
    RefundShipped,
    /// 退货退款
    ReturnAndRefund,
    /// 换货
    Exchange,
    /// 补寄
    Reship,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RefundStatus {
    WaitSellerAgree,
    SellerRefuseBuyer,
    WaitBuyerReturnGoods,
    WaitSellerConfirmGoods,
    Success,
    Closed,
}

impl RefundKind {
    pub const ALL: [RefundKind; 5] = [
        RefundKind::RefundUnshipped,
        RefundKind::RefundShipped,
        RefundKind::ReturnAndRefund,
        RefundKind::Exchange,
        RefundKind::Reship,
    ];

    pub fn code(self) -> &'static str {
        match self {
            RefundKind::RefundUnshipped => "refund_unshipped",
            RefundKind::RefundShipped => "refund_shipped",
            RefundKind::ReturnAndRefund => "return_and_refund",
            RefundKind::Exchange => "exchange",
            RefundKind::Reship => "reship",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            RefundKind::RefundUnshipped => "未发货仅退款",
            RefundKind::RefundShipped => "已发货仅退款",
            RefundKind::ReturnAndRefund => "退货退款",
            RefundKind::Exchange => "换货",
            RefundKind::Reship => "补寄",
        }
    }

    /// Does the buyer send goods back?
    pub fn involves_return(self) -> bool {
        matches!(self, RefundKind::ReturnAndRefund | RefundKind::Exchange)
    }
}

impl RefundStatus {
    pub const ALL: [RefundStatus; 6] = [
        RefundStatus::WaitSellerAgree,
        RefundStatus::SellerRefuseBuyer,
        RefundStatus::WaitBuyerReturnGoods,
        RefundStatus::WaitSellerConfirmGoods,
        RefundStatus::Success,
        RefundStatus::Closed,
    ];

    pub fn code(self) -> &'static str {
        match self {
            RefundStatus::WaitSellerAgree => "WAIT_SELLER_AGREE",
            RefundStatus::SellerRefuseBuyer => "SELLER_REFUSE_BUYER",
            RefundStatus::WaitBuyerReturnGoods => "WAIT_BUYER_RETURN_GOODS",
            RefundStatus::WaitSellerConfirmGoods => "WAIT_SELLER_CONFIRM_GOODS",
            RefundStatus::Success => "SUCCESS",
            RefundStatus::Closed => "CLOSED",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            RefundStatus::WaitSellerAgree => "等待卖家同意",
            RefundStatus::SellerRefuseBuyer => "卖家拒绝退款",
            RefundStatus::WaitBuyerReturnGoods => "等待买家退货",
            RefundStatus::WaitSellerConfirmGoods => "等待卖家确认收货",
            RefundStatus::Success => "退款成功",
            RefundStatus::Closed => "退款关闭",
        }
    }

    pub fn is_open(self) -> bool {
        !matches!(self, RefundStatus::Success | RefundStatus::Closed)
    }

    /// Whether a case reported in `self` can later be reported in `next` (DOMAIN.md §5): statuses only
    /// move forward (WAIT_SELLER_AGREE → SELLER_REFUSE_BUYER or WAIT_BUYER_RETURN_GOODS →
    /// WAIT_SELLER_CONFIRM_GOODS → SUCCESS or CLOSED); a refused request may be asked again; a finished
    /// case stays finished. An export read late therefore never takes a case back.
    pub fn may_become(self, next: RefundStatus) -> bool {
        use RefundStatus::*;
        match (self, next) {
            _ if self == next => false,
            (Success | Closed, _) => false,
            (WaitSellerAgree | SellerRefuseBuyer, _) => true,
            (WaitBuyerReturnGoods, WaitSellerConfirmGoods | Success | Closed) => true,
            (WaitSellerConfirmGoods, Success | Closed | SellerRefuseBuyer) => true,
            _ => false,
        }
    }
}

impl fmt::Display for RefundStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl fmt::Display for RefundKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown refund value {0:?}")]
pub struct UnknownRefundValue(pub String);

impl FromStr for RefundStatus {
    type Err = UnknownRefundValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        RefundStatus::ALL
            .into_iter()
            .find(|k| k.code() == t || k.label_zh() == t)
            .ok_or_else(|| UnknownRefundValue(s.to_string()))
    }
}

impl FromStr for RefundKind {
    type Err = UnknownRefundValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        RefundKind::ALL
            .into_iter()
            .find(|k| k.code() == t || k.label_zh() == t)
            .ok_or_else(|| UnknownRefundValue(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn statuses_only_move_forward() {
        use RefundStatus::*;
        assert!(WaitSellerAgree.may_become(WaitBuyerReturnGoods));
        assert!(SellerRefuseBuyer.may_become(WaitSellerAgree), "a refused request may be asked again");
        assert!(WaitBuyerReturnGoods.may_become(WaitSellerConfirmGoods));
        assert!(WaitSellerConfirmGoods.may_become(Success));
        assert!(!WaitBuyerReturnGoods.may_become(WaitSellerAgree));
        assert!(!WaitSellerConfirmGoods.may_become(WaitBuyerReturnGoods));
        assert!(!Success.may_become(WaitSellerAgree) && !Closed.may_become(Success));
        assert!(!WaitSellerAgree.may_become(WaitSellerAgree));
    }

    use super::*;

    #[test]
    fn codes_and_labels_parse() {
        for s in RefundStatus::ALL {
            assert_eq!(s.code().parse(), Ok(s));
            assert_eq!(s.label_zh().parse(), Ok(s));
        }
        for k in RefundKind::ALL {
            assert_eq!(k.code().parse(), Ok(k));
            assert_eq!(k.label_zh().parse(), Ok(k));
        }
        assert!(!RefundStatus::Success.is_open());
        assert!(RefundStatus::WaitBuyerReturnGoods.is_open());
        assert!(RefundKind::ReturnAndRefund.involves_return());
    }
}
