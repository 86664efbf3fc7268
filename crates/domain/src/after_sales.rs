//! After-sales (售后) rules of DOMAIN.md §5: how a refund, return, exchange or reship case moves,
//! who has to act next and by when, how much may be refunded, and the stages of a dispute (纠纷).
//!
//! A case belongs to one order line. Its status follows the platform's:
//! WAIT_SELLER_AGREE → (SELLER_REFUSE_BUYER | WAIT_BUYER_RETURN_GOODS → WAIT_SELLER_CONFIRM_GOODS) →
//! SUCCESS | CLOSED. Cases that send goods back (退货退款, 换货) pass through the return steps; the
//! others succeed when the seller agrees.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::money::Money;
use crate::refund::{RefundKind, RefundStatus};

/// What happens to a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefundEvent {
    /// 同意: the seller agrees (to refund, or to take the goods back).
    Agree,
    /// 拒绝: the seller refuses the request, or the returned goods.
    Refuse,
    /// 修改申请: the buyer changes a refused request and asks again.
    Reapply,
    /// 买家退货: the buyer sends the goods back (carrier and tracking number).
    ReturnShipped,
    /// 确认收货: the seller receives and checks the returned goods.
    ReceiveReturn,
    /// 撤销: the buyer withdraws the request (or the platform closes it).
    Cancel,
    /// 平台判定支持买家: a dispute decided for the buyer.
    RuledForBuyer,
    /// 平台判定支持卖家: a dispute decided for the seller.
    RuledForSeller,
}

impl RefundEvent {
    pub const ALL: [RefundEvent; 8] = [
        RefundEvent::Agree,
        RefundEvent::Refuse,
        RefundEvent::Reapply,
        RefundEvent::ReturnShipped,
        RefundEvent::ReceiveReturn,
        RefundEvent::Cancel,
        RefundEvent::RuledForBuyer,
        RefundEvent::RuledForSeller,
    ];

    pub fn code(self) -> &'static str {
        match self {
            RefundEvent::Agree => "agree",
            RefundEvent::Refuse => "refuse",
            RefundEvent::Reapply => "reapply",
            RefundEvent::ReturnShipped => "return_shipped",
            RefundEvent::ReceiveReturn => "receive_return",
            RefundEvent::Cancel => "cancel",
            RefundEvent::RuledForBuyer => "ruled_for_buyer",
            RefundEvent::RuledForSeller => "ruled_for_seller",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            RefundEvent::Agree => "同意",
            RefundEvent::Refuse => "拒绝",
            RefundEvent::Reapply => "修改申请",
            RefundEvent::ReturnShipped => "买家退货",
            RefundEvent::ReceiveReturn => "确认收货",
            RefundEvent::Cancel => "撤销",
            RefundEvent::RuledForBuyer => "平台判定支持买家",
            RefundEvent::RuledForSeller => "平台判定支持卖家",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            RefundEvent::Agree => "agree to",
            RefundEvent::Refuse => "refuse",
            RefundEvent::Reapply => "reapply for",
            RefundEvent::ReturnShipped => "send back the goods of",
            RefundEvent::ReceiveReturn => "receive the return of",
            RefundEvent::Cancel => "cancel",
            RefundEvent::RuledForBuyer => "rule for the buyer on",
            RefundEvent::RuledForSeller => "rule for the seller on",
        }
    }
}

/// A step the case's status does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("cannot {} a {} case that is {}", .event.label_en(), .kind.code(), .from.code())]
pub struct IllegalRefundTransition {
    pub kind: RefundKind,
    pub from: RefundStatus,
    pub event: RefundEvent,
}

impl IllegalRefundTransition {
    pub fn message_zh(&self) -> String {
        format!("{}售后当前状态为「{}」，不能{}", self.kind.label_zh(), self.from.label_zh(), self.event.label_zh())
    }
}

/// The next status of a case of `kind` in status `from` after `event`.
pub fn next_status(
    kind: RefundKind,
    from: RefundStatus,
    event: RefundEvent,
) -> Result<RefundStatus, IllegalRefundTransition> {
    use RefundEvent as E;
    use RefundStatus as S;
    let next = match (from, event) {
        (S::WaitSellerAgree, E::Agree) if kind.involves_return() => S::WaitBuyerReturnGoods,
        (S::WaitSellerAgree, E::Agree) => S::Success,
        (S::WaitSellerAgree | S::WaitSellerConfirmGoods, E::Refuse) => S::SellerRefuseBuyer,
        (S::SellerRefuseBuyer, E::Reapply) => S::WaitSellerAgree,
        (S::WaitBuyerReturnGoods, E::ReturnShipped) => S::WaitSellerConfirmGoods,
        (S::WaitSellerConfirmGoods, E::ReceiveReturn) => S::Success,
        (
            S::WaitSellerAgree | S::SellerRefuseBuyer | S::WaitBuyerReturnGoods | S::WaitSellerConfirmGoods,
            E::Cancel,
        ) => S::Closed,
        // A ruling comes after a refusal escalated to the platform. Goods that were never sent back
        // must come back first; goods the seller refused on arrival are already with the seller.
        (S::SellerRefuseBuyer, E::RuledForBuyer) if kind.involves_return() => S::WaitBuyerReturnGoods,
        (S::SellerRefuseBuyer, E::RuledForBuyer) => S::Success,
        (S::SellerRefuseBuyer, E::RuledForSeller) => S::Closed,
        _ => return Err(IllegalRefundTransition { kind, from, event }),
    };
    Ok(next)
}

/// Does the seller pay money back when a case of this kind succeeds? Exchanges and reships send goods
/// instead.
pub fn pays_money(kind: RefundKind) -> bool {
    matches!(kind, RefundKind::RefundUnshipped | RefundKind::RefundShipped | RefundKind::ReturnAndRefund)
}

/// Who has to act next on an open case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Party {
    Seller,
    Buyer,
    Platform,
}

impl Party {
    pub fn label_zh(self) -> &'static str {
        match self {
            Party::Seller => "卖家",
            Party::Buyer => "买家",
            Party::Platform => "平台",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Party::Seller => "seller",
            Party::Buyer => "buyer",
            Party::Platform => "platform",
        }
    }
}

/// What is due on an open case: from whom, what, and by when (after which the platform acts on
/// its own: refunds, moves the case on, or closes it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Due {
    pub party: Party,
    pub what_zh: &'static str,
    pub what_en: &'static str,
    pub by: DateTime<Utc>,
}

/// How long each party has, in hours. The defaults follow the platforms' rules: a seller has 48 h to
/// answer a refund before shipping and 15 days for a return (seed 003: "如卖家不在15天内处理退款协议，
/// 将自动进入退货流程"), a buyer has 7 days to send goods back, a seller 10 days to confirm a return.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AfterSalesDeadlines {
    pub agree_unshipped_hours: i64,
    pub agree_shipped_hours: i64,
    pub agree_return_hours: i64,
    pub buyer_return_hours: i64,
    pub confirm_return_hours: i64,
    pub buyer_answer_refusal_hours: i64,
}

impl Default for AfterSalesDeadlines {
    fn default() -> Self {
        AfterSalesDeadlines {
            agree_unshipped_hours: 48,
            agree_shipped_hours: 5 * 24,
            agree_return_hours: 15 * 24,
            buyer_return_hours: 7 * 24,
            confirm_return_hours: 10 * 24,
            buyer_answer_refusal_hours: 7 * 24,
        }
    }
}

impl AfterSalesDeadlines {
    /// What is due on a case of `kind` that entered `status` at `since`; `None` once it is over, and
    /// while a dispute is with the platform (`in_dispute`), the platform is due with no fixed time.
    pub fn due(&self, kind: RefundKind, status: RefundStatus, since: DateTime<Utc>, in_dispute: bool) -> Option<Due> {
        let hours = |h: i64| since + Duration::hours(h);
        match status {
            RefundStatus::WaitSellerAgree => {
                let h = match kind {
                    RefundKind::RefundUnshipped | RefundKind::Reship => self.agree_unshipped_hours,
                    RefundKind::RefundShipped => self.agree_shipped_hours,
                    RefundKind::ReturnAndRefund | RefundKind::Exchange => self.agree_return_hours,
                };
                Some(Due {
                    party: Party::Seller, what_zh: "处理售后申请", what_en: "answer the request", by: hours(h)
                })
            }
            RefundStatus::WaitBuyerReturnGoods => Some(Due {
                party: Party::Buyer,
                what_zh: "寄回商品",
                what_en: "send the goods back",
                by: hours(self.buyer_return_hours),
            }),
            RefundStatus::WaitSellerConfirmGoods => Some(Due {
                party: Party::Seller,
                what_zh: "确认收到退货",
                what_en: "confirm the returned goods",
                by: hours(self.confirm_return_hours),
            }),
            RefundStatus::SellerRefuseBuyer if in_dispute => {
                Some(Due { party: Party::Platform, what_zh: "判定纠纷", what_en: "rule on the dispute", by: since })
            }
            RefundStatus::SellerRefuseBuyer => Some(Due {
                party: Party::Buyer,
                what_zh: "修改申请或申请平台介入",
                what_en: "change the request or ask the platform",
                by: hours(self.buyer_answer_refusal_hours),
            }),
            RefundStatus::Success | RefundStatus::Closed => None,
        }
    }
}

/// Words of a return reason that point at the goods themselves (质量问题), not at the buyer's
/// choice (size, taste, changed mind) or the delivery.
const QUALITY_WORDS: [&str; 16] = [
    "质量", "做工", "破损", "损坏", "瑕疵", "污渍", "脏", "开线", "脱线", "掉色", "褪色", "起球", "色差", "异味",
    "材质", "假货",
];

/// Is this a quality return (质量退货)? By the words of its reason.
pub fn is_quality_reason(reason: &str) -> bool {
    QUALITY_WORDS.iter().any(|w| reason.contains(w))
}

/// Why a refund amount is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("a refund amount cannot be negative")]
    Negative,
    #[error("a refund of {asked} is more than the {left} left of what the line paid ({paid})")]
    AboveLinePaid { asked: Money, left: Money, paid: Money },
    #[error("an exchange or a reship pays no money back; its amount must be 0")]
    NotMoney,
}

/// Checks a case's amount: never negative, never more than what the line paid less what was already
/// refunded or is asked by other open cases on it (`committed`); exchanges and reships are 0.
pub fn check_amount(kind: RefundKind, asked: Money, line_paid: Money, committed: Money) -> Result<(), AmountError> {
    if asked.is_negative() {
        return Err(AmountError::Negative);
    }
    if !pays_money(kind) {
        return if asked == Money::ZERO { Ok(()) } else { Err(AmountError::NotMoney) };
    }
    let left = (line_paid - committed).max(Money::ZERO);
    if asked > left {
        return Err(AmountError::AboveLinePaid { asked, left, paid: line_paid });
    }
    Ok(())
}

/// The state of returned goods after checking (验货).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ReturnCheck {
    /// Units fit to sell again (→ the sellable warehouse).
    pub good: i64,
    /// Units damaged (→ the defective location, 次品).
    pub damaged: i64,
}

/// Why a return check is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ReturnCheckError {
    #[error("received quantities cannot be negative")]
    Negative,
    #[error("nothing was received; enter the good and damaged units")]
    Nothing,
    #[error("{received} units received but only {expected} were sold on the line")]
    TooMany { received: i64, expected: i64 },
}

impl ReturnCheck {
    pub fn received(&self) -> i64 {
        self.good + self.damaged
    }

    /// Checks the counts against the units the case covers.
    pub fn check(&self, expected: i64) -> Result<(), ReturnCheckError> {
        if self.good < 0 || self.damaged < 0 {
            return Err(ReturnCheckError::Negative);
        }
        if self.received() == 0 {
            return Err(ReturnCheckError::Nothing);
        }
        if self.received() > expected {
            return Err(ReturnCheckError::TooMany { received: self.received(), expected });
        }
        Ok(())
    }
}

/// Stages of a dispute (纠纷) with the platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DisputeStage {
    /// 已申请介入
    Opened,
    /// 举证中
    Evidence,
    /// 平台处理中
    Reviewing,
    /// 已判定
    Decided,
}

impl DisputeStage {
    pub const ALL: [DisputeStage; 4] =
        [DisputeStage::Opened, DisputeStage::Evidence, DisputeStage::Reviewing, DisputeStage::Decided];

    pub fn code(self) -> &'static str {
        match self {
            DisputeStage::Opened => "opened",
            DisputeStage::Evidence => "evidence",
            DisputeStage::Reviewing => "reviewing",
            DisputeStage::Decided => "decided",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            DisputeStage::Opened => "已申请介入",
            DisputeStage::Evidence => "举证中",
            DisputeStage::Reviewing => "平台处理中",
            DisputeStage::Decided => "已判定",
        }
    }

    /// Stages only move forward; a decided dispute is over.
    pub fn can_move_to(self, next: DisputeStage) -> bool {
        let rank = |s: DisputeStage| DisputeStage::ALL.iter().position(|x| *x == s).unwrap_or(0);
        self != DisputeStage::Decided && rank(next) > rank(self)
    }
}

/// Who a ruling supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DisputeOutcome {
    Buyer,
    Seller,
}

impl DisputeOutcome {
    pub fn code(self) -> &'static str {
        match self {
            DisputeOutcome::Buyer => "buyer",
            DisputeOutcome::Seller => "seller",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            DisputeOutcome::Buyer => "支持买家",
            DisputeOutcome::Seller => "支持卖家",
        }
    }

    pub fn event(self) -> RefundEvent {
        match self {
            DisputeOutcome::Buyer => RefundEvent::RuledForBuyer,
            DisputeOutcome::Seller => RefundEvent::RuledForSeller,
        }
    }
}

/// An unknown code for one of the enums above.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown after-sales value {0:?}")]
pub struct UnknownAfterSalesValue(pub String);

impl FromStr for DisputeStage {
    type Err = UnknownAfterSalesValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        DisputeStage::ALL
            .into_iter()
            .find(|k| k.code() == t || k.label_zh() == t)
            .ok_or_else(|| UnknownAfterSalesValue(s.to_string()))
    }
}

impl FromStr for DisputeOutcome {
    type Err = UnknownAfterSalesValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        [DisputeOutcome::Buyer, DisputeOutcome::Seller]
            .into_iter()
            .find(|k| k.code() == t || k.label_zh() == t)
            .ok_or_else(|| UnknownAfterSalesValue(s.to_string()))
    }
}

impl FromStr for RefundEvent {
    type Err = UnknownAfterSalesValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        RefundEvent::ALL
            .into_iter()
            .find(|k| k.code() == t || k.label_zh() == t)
            .ok_or_else(|| UnknownAfterSalesValue(s.to_string()))
    }
}

impl fmt::Display for RefundEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use RefundEvent as E;
    use RefundKind as K;
    use RefundStatus as S;

    /// Every (kind, status, event) with its expected outcome; anything not listed is refused.
    fn allowed(kind: K, from: S, event: E) -> Option<S> {
        let returns = matches!(kind, K::ReturnAndRefund | K::Exchange);
        match (from, event) {
            (S::WaitSellerAgree, E::Agree) => Some(if returns { S::WaitBuyerReturnGoods } else { S::Success }),
            (S::WaitSellerAgree, E::Refuse) | (S::WaitSellerConfirmGoods, E::Refuse) => Some(S::SellerRefuseBuyer),
            (S::SellerRefuseBuyer, E::Reapply) => Some(S::WaitSellerAgree),
            (S::WaitBuyerReturnGoods, E::ReturnShipped) => Some(S::WaitSellerConfirmGoods),
            (S::WaitSellerConfirmGoods, E::ReceiveReturn) => Some(S::Success),
            (S::Success | S::Closed, E::Cancel) => None,
            (_, E::Cancel) => Some(S::Closed),
            (S::SellerRefuseBuyer, E::RuledForBuyer) => {
                Some(if returns { S::WaitBuyerReturnGoods } else { S::Success })
            }
            (S::SellerRefuseBuyer, E::RuledForSeller) => Some(S::Closed),
            _ => None,
        }
    }

    #[test]
    fn every_transition_allowed_and_refused() {
        for kind in K::ALL {
            for from in S::ALL {
                for event in E::ALL {
                    let got = next_status(kind, from, event);
                    match allowed(kind, from, event) {
                        Some(to) => assert_eq!(got, Ok(to), "{kind:?} {from:?} {event:?}"),
                        None => {
                            let e = got.expect_err("refused");
                            assert_eq!((e.kind, e.from, e.event), (kind, from, event));
                            assert!(e.message_zh().contains(from.label_zh()));
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn finished_cases_accept_nothing() {
        for kind in K::ALL {
            for event in E::ALL {
                assert!(next_status(kind, S::Success, event).is_err());
                assert!(next_status(kind, S::Closed, event).is_err());
            }
        }
    }

    #[test]
    fn deadlines_say_who_and_when() {
        let d = AfterSalesDeadlines::default();
        let t = DateTime::parse_from_rfc3339("2026-11-11T10:00:00+08:00").expect("time").with_timezone(&Utc);
        let due = d.due(K::ReturnAndRefund, S::WaitSellerAgree, t, false).expect("due");
        assert_eq!((due.party, due.by), (Party::Seller, t + Duration::days(15)));
        let due = d.due(K::RefundUnshipped, S::WaitSellerAgree, t, false).expect("due");
        assert_eq!(due.by, t + Duration::hours(48));
        let due = d.due(K::Exchange, S::WaitBuyerReturnGoods, t, false).expect("due");
        assert_eq!((due.party, due.by), (Party::Buyer, t + Duration::days(7)));
        let due = d.due(K::ReturnAndRefund, S::WaitSellerConfirmGoods, t, false).expect("due");
        assert_eq!((due.party, due.by), (Party::Seller, t + Duration::days(10)));
        assert_eq!(d.due(K::RefundShipped, S::SellerRefuseBuyer, t, true).map(|d| d.party), Some(Party::Platform));
        assert_eq!(d.due(K::RefundShipped, S::SellerRefuseBuyer, t, false).map(|d| d.party), Some(Party::Buyer));
        assert_eq!(d.due(K::RefundShipped, S::Success, t, false), None);
        assert_eq!(d.due(K::RefundShipped, S::Closed, t, false), None);
    }

    #[test]
    fn amounts_stay_within_what_the_line_paid() {
        let y = |fen| Money::from_fen(fen);
        assert_eq!(check_amount(K::RefundShipped, y(12_900), y(12_900), Money::ZERO), Ok(()));
        assert_eq!(
            check_amount(K::ReturnAndRefund, y(5_000), y(12_900), y(9_000)),
            Err(AmountError::AboveLinePaid { asked: y(5_000), left: y(3_900), paid: y(12_900) })
        );
        assert_eq!(check_amount(K::RefundUnshipped, y(-1), y(100), Money::ZERO), Err(AmountError::Negative));
        assert_eq!(check_amount(K::Exchange, y(100), y(100), Money::ZERO), Err(AmountError::NotMoney));
        assert_eq!(check_amount(K::Reship, Money::ZERO, y(100), Money::ZERO), Ok(()));
    }

    #[test]
    fn quality_reasons() {
        for r in ["质量问题", "衣服有污渍", "领口开线", "洗后掉色严重", "与描述不符-色差大", "收到时外包装破损"]
        {
            assert!(is_quality_reason(r), "{r}");
        }
        for r in ["尺码偏小", "不想要了", "拍错了/多拍了", "七天无理由退货", ""] {
            assert!(!is_quality_reason(r), "{r}");
        }
    }

    #[test]
    fn return_checks() {
        assert_eq!(ReturnCheck { good: 1, damaged: 1 }.check(2), Ok(()));
        assert_eq!(
            ReturnCheck { good: 2, damaged: 1 }.check(2),
            Err(ReturnCheckError::TooMany { received: 3, expected: 2 })
        );
        assert_eq!(ReturnCheck { good: 0, damaged: 0 }.check(2), Err(ReturnCheckError::Nothing));
        assert_eq!(ReturnCheck { good: -1, damaged: 2 }.check(2), Err(ReturnCheckError::Negative));
    }

    #[test]
    fn dispute_stages_move_forward_only() {
        assert!(DisputeStage::Opened.can_move_to(DisputeStage::Evidence));
        assert!(DisputeStage::Opened.can_move_to(DisputeStage::Decided));
        assert!(!DisputeStage::Reviewing.can_move_to(DisputeStage::Evidence));
        assert!(!DisputeStage::Decided.can_move_to(DisputeStage::Decided));
        for s in DisputeStage::ALL {
            assert_eq!(s.code().parse(), Ok(s));
            assert_eq!(s.label_zh().parse(), Ok(s));
        }
        for e in E::ALL {
            assert_eq!(e.code().parse(), Ok(e));
        }
        assert_eq!("支持买家".parse(), Ok(DisputeOutcome::Buyer));
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// However a line's refunds are asked, one after another, what they add up to never exceeds
        /// what the line paid.
        #[test]
        fn refunds_never_exceed_the_payment(paid in 0i64..1_000_000, asks in proptest::collection::vec(0i64..600_000, 1..12)) {
            let paid = Money::from_fen(paid);
            let mut committed = Money::ZERO;
            for a in asks {
                let a = Money::from_fen(a);
                if check_amount(RefundKind::ReturnAndRefund, a, paid, committed).is_ok() {
                    committed += a;
                }
                prop_assert!(committed <= paid);
            }
        }
    }
}
