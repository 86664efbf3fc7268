//! Trade status and the trade state machine (DOMAIN.md §4).
//!
//! Transitions only move forward: pay → ship → finish, and close from any open state. Anything else is
//! an [`IllegalTransition`], which callers turn into a refusal that changes nothing.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Taobao's trade statuses; other platforms map onto them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TradeStatus {
    /// 等待买家付款: created (收订), not paid.
    WaitBuyerPay,
    /// 买家已付款,等待卖家发货: paid, to ship.
    WaitSellerSendGoods,
    /// Paid, but shipping forbidden (group buy not formed yet).
    PaidForbidConsign,
    /// 卖家部分发货.
    SellerConsignedPart,
    /// 卖家已发货,等待买家确认.
    WaitBuyerConfirmGoods,
    /// 交易成功: buyer confirmed, money released.
    TradeFinished,
    /// 交易关闭 after payment: fully refunded.
    TradeClosed,
    /// 交易关闭 before payment: cancelled, never ship it.
    TradeClosedByTaobao,
}

/// Something that happens to a trade.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TradeEvent {
    /// The buyer paid.
    Pay,
    /// The platform forbids shipping for now (group buy not formed).
    ForbidConsign,
    /// The platform allows shipping again.
    AllowConsign,
    /// Some lines shipped, others still to ship.
    ShipPart,
    /// Every remaining line shipped.
    ShipAll,
    /// The buyer confirmed receipt (or the platform did after the deadline).
    ConfirmReceipt,
    /// The trade is closed: cancelled before payment, or fully refunded after.
    Close,
}

/// A transition the state machine does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("cannot {} a trade that is {}", .event.label_en(), .from.label_en())]
pub struct IllegalTransition {
    pub from: TradeStatus,
    pub event: TradeEvent,
}

impl IllegalTransition {
    pub fn message_zh(&self) -> String {
        format!("订单当前状态为「{}」，不能{}", self.from.label_zh(), self.event.label_zh())
    }
}

impl TradeStatus {
    pub const ALL: [TradeStatus; 8] = [
        TradeStatus::WaitBuyerPay,
        TradeStatus::WaitSellerSendGoods,
        TradeStatus::PaidForbidConsign,
        TradeStatus::SellerConsignedPart,
        TradeStatus::WaitBuyerConfirmGoods,
        TradeStatus::TradeFinished,
        TradeStatus::TradeClosed,
        TradeStatus::TradeClosedByTaobao,
    ];

    pub fn code(self) -> &'static str {
        match self {
            TradeStatus::WaitBuyerPay => "WAIT_BUYER_PAY",
            TradeStatus::WaitSellerSendGoods => "WAIT_SELLER_SEND_GOODS",
            TradeStatus::PaidForbidConsign => "PAID_FORBID_CONSIGN",
            TradeStatus::SellerConsignedPart => "SELLER_CONSIGNED_PART",
            TradeStatus::WaitBuyerConfirmGoods => "WAIT_BUYER_CONFIRM_GOODS",
            TradeStatus::TradeFinished => "TRADE_FINISHED",
            TradeStatus::TradeClosed => "TRADE_CLOSED",
            TradeStatus::TradeClosedByTaobao => "TRADE_CLOSED_BY_TAOBAO",
        }
    }

    /// The text the seller centre shows and exports (订单状态).
    pub fn label_zh(self) -> &'static str {
        match self {
            TradeStatus::WaitBuyerPay => "等待买家付款",
            TradeStatus::WaitSellerSendGoods => "买家已付款，等待卖家发货",
            TradeStatus::PaidForbidConsign => "已付款（禁止发货）",
            TradeStatus::SellerConsignedPart => "卖家部分发货",
            TradeStatus::WaitBuyerConfirmGoods => "卖家已发货，等待买家确认",
            TradeStatus::TradeFinished => "交易成功",
            TradeStatus::TradeClosed => "交易关闭",
            TradeStatus::TradeClosedByTaobao => "交易关闭（未付款）",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            TradeStatus::WaitBuyerPay => "awaiting payment",
            TradeStatus::WaitSellerSendGoods => "paid, to ship",
            TradeStatus::PaidForbidConsign => "paid, shipping forbidden",
            TradeStatus::SellerConsignedPart => "partly shipped",
            TradeStatus::WaitBuyerConfirmGoods => "shipped",
            TradeStatus::TradeFinished => "finished",
            TradeStatus::TradeClosed => "closed after payment",
            TradeStatus::TradeClosedByTaobao => "closed before payment",
        }
    }

    /// Has the buyer paid (whatever happened after)?
    pub fn is_paid(self) -> bool {
        !matches!(self, TradeStatus::WaitBuyerPay | TradeStatus::TradeClosedByTaobao)
    }

    /// Is the trade still moving (not finished, not closed)?
    pub fn is_open(self) -> bool {
        !matches!(self, TradeStatus::TradeFinished | TradeStatus::TradeClosed | TradeStatus::TradeClosedByTaobao)
    }

    /// Is there something left to ship?
    pub fn awaits_shipping(self) -> bool {
        matches!(
            self,
            TradeStatus::WaitSellerSendGoods | TradeStatus::SellerConsignedPart | TradeStatus::PaidForbidConsign
        )
    }

    /// The status after `event`, or the reason it may not happen.
    pub fn apply(self, event: TradeEvent) -> Result<TradeStatus, IllegalTransition> {
        use TradeEvent as E;
        use TradeStatus as S;
        let next = match (self, event) {
            (S::WaitBuyerPay, E::Pay) => S::WaitSellerSendGoods,
            (S::WaitSellerSendGoods, E::ForbidConsign) => S::PaidForbidConsign,
            (S::PaidForbidConsign, E::AllowConsign) => S::WaitSellerSendGoods,
            (S::WaitSellerSendGoods | S::SellerConsignedPart, E::ShipPart) => S::SellerConsignedPart,
            (S::WaitSellerSendGoods | S::SellerConsignedPart, E::ShipAll) => S::WaitBuyerConfirmGoods,
            (S::WaitBuyerConfirmGoods, E::ConfirmReceipt) => S::TradeFinished,
            (S::WaitBuyerPay, E::Close) => S::TradeClosedByTaobao,
            (
                S::WaitSellerSendGoods | S::PaidForbidConsign | S::SellerConsignedPart | S::WaitBuyerConfirmGoods,
                E::Close,
            ) => S::TradeClosed,
            (from, event) => return Err(IllegalTransition { from, event }),
        };
        Ok(next)
    }

    /// The events that take a trade from `self` to `target` along allowed transitions (used when a
    /// later export reports a trade further along than we know it). `None` if `target` cannot be
    /// reached, for example a finished trade reported as unpaid.
    pub fn path_to(self, target: TradeStatus) -> Option<Vec<TradeEvent>> {
        use TradeEvent as E;
        use TradeStatus as S;
        if self == target {
            return Some(Vec::new());
        }
        // Breadth-first over the (small) graph: the shortest path is the natural one.
        const EVENTS: [TradeEvent; 7] =
            [E::Pay, E::ShipAll, E::ConfirmReceipt, E::ShipPart, E::ForbidConsign, E::AllowConsign, E::Close];
        let mut queue: Vec<(S, Vec<E>)> = vec![(self, Vec::new())];
        let mut seen = vec![self];
        let mut head = 0;
        while head < queue.len() {
            let (status, path) = queue[head].clone();
            head += 1;
            for event in EVENTS {
                if let Ok(next) = status.apply(event) {
                    if seen.contains(&next) {
                        continue;
                    }
                    let mut p = path.clone();
                    p.push(event);
                    if next == target {
                        return Some(p);
                    }
                    seen.push(next);
                    queue.push((next, p));
                }
            }
        }
        None
    }
}

impl TradeEvent {
    pub fn label_en(self) -> &'static str {
        match self {
            TradeEvent::Pay => "pay",
            TradeEvent::ForbidConsign => "forbid shipping of",
            TradeEvent::AllowConsign => "allow shipping of",
            TradeEvent::ShipPart => "ship part of",
            TradeEvent::ShipAll => "ship",
            TradeEvent::ConfirmReceipt => "confirm receipt of",
            TradeEvent::Close => "close",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            TradeEvent::Pay => "付款",
            TradeEvent::ForbidConsign => "禁止发货",
            TradeEvent::AllowConsign => "恢复发货",
            TradeEvent::ShipPart => "部分发货",
            TradeEvent::ShipAll => "发货",
            TradeEvent::ConfirmReceipt => "确认收货",
            TradeEvent::Close => "关闭",
        }
    }
}

impl fmt::Display for TradeStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown trade status {0:?}")]
pub struct UnknownTradeStatus(pub String);

impl FromStr for TradeStatus {
    type Err = UnknownTradeStatus;

    /// Accepts the codes (`WAIT_SELLER_SEND_GOODS`) and the export texts (买家已付款,等待卖家发货, with a
    /// half- or full-width comma). The bare text 交易关闭 is ambiguous; it parses as closed after payment
    /// and importers decide by the payment time.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        if let Some(st) = TradeStatus::ALL.into_iter().find(|st| st.code().eq_ignore_ascii_case(t)) {
            return Ok(st);
        }
        let normalised: String = t.chars().filter(|c| !matches!(c, ',' | '，' | ' ' | '　')).collect();
        let st = match normalised.as_str() {
            "等待买家付款" => TradeStatus::WaitBuyerPay,
            "买家已付款等待卖家发货" | "等待卖家发货" | "已付款" => {
                TradeStatus::WaitSellerSendGoods
            }
            "卖家部分发货" => TradeStatus::SellerConsignedPart,
            "卖家已发货等待买家确认" | "卖家已发货" => TradeStatus::WaitBuyerConfirmGoods,
            "交易成功" => TradeStatus::TradeFinished,
            "交易关闭" => TradeStatus::TradeClosed,
            "交易关闭（未付款）" | "交易关闭(未付款)" => TradeStatus::TradeClosedByTaobao,
            "已付款（禁止发货）" | "已付款(禁止发货)" => TradeStatus::PaidForbidConsign,
            _ => return Err(UnknownTradeStatus(s.to_string())),
        };
        Ok(st)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use TradeEvent as E;
    use TradeStatus as S;

    const EVENTS: [TradeEvent; 7] =
        [E::Pay, E::ForbidConsign, E::AllowConsign, E::ShipPart, E::ShipAll, E::ConfirmReceipt, E::Close];

    /// The full table of allowed transitions; every other (status, event) pair must be refused.
    const ALLOWED: [(TradeStatus, TradeEvent, TradeStatus); 13] = [
        (S::WaitBuyerPay, E::Pay, S::WaitSellerSendGoods),
        (S::WaitBuyerPay, E::Close, S::TradeClosedByTaobao),
        (S::WaitSellerSendGoods, E::ForbidConsign, S::PaidForbidConsign),
        (S::WaitSellerSendGoods, E::ShipPart, S::SellerConsignedPart),
        (S::WaitSellerSendGoods, E::ShipAll, S::WaitBuyerConfirmGoods),
        (S::WaitSellerSendGoods, E::Close, S::TradeClosed),
        (S::PaidForbidConsign, E::AllowConsign, S::WaitSellerSendGoods),
        (S::PaidForbidConsign, E::Close, S::TradeClosed),
        (S::SellerConsignedPart, E::ShipPart, S::SellerConsignedPart),
        (S::SellerConsignedPart, E::ShipAll, S::WaitBuyerConfirmGoods),
        (S::SellerConsignedPart, E::Close, S::TradeClosed),
        (S::WaitBuyerConfirmGoods, E::ConfirmReceipt, S::TradeFinished),
        (S::WaitBuyerConfirmGoods, E::Close, S::TradeClosed),
    ];

    #[test]
    fn every_transition_is_allowed_or_refused_as_the_table_says() {
        for from in TradeStatus::ALL {
            for event in EVENTS {
                let expected = ALLOWED.iter().find(|(f, e, _)| *f == from && *e == event).map(|(_, _, to)| *to);
                match (from.apply(event), expected) {
                    (Ok(to), Some(want)) => assert_eq!(to, want, "{from:?} + {event:?}"),
                    (Err(err), None) => {
                        assert_eq!(err, IllegalTransition { from, event });
                        assert!(!err.to_string().is_empty());
                        assert!(err.message_zh().contains(from.label_zh()));
                    }
                    (got, want) => panic!("{from:?} + {event:?}: got {got:?}, table says {want:?}"),
                }
            }
        }
    }

    #[test]
    fn finished_and_closed_trades_accept_nothing() {
        for from in [S::TradeFinished, S::TradeClosed, S::TradeClosedByTaobao] {
            assert!(!from.is_open());
            for event in EVENTS {
                assert!(from.apply(event).is_err(), "{from:?} accepted {event:?}");
            }
        }
    }

    #[test]
    fn closing_depends_on_payment() {
        assert_eq!(S::WaitBuyerPay.apply(E::Close), Ok(S::TradeClosedByTaobao));
        assert_eq!(S::WaitBuyerConfirmGoods.apply(E::Close), Ok(S::TradeClosed));
        assert!(!S::TradeClosedByTaobao.is_paid());
        assert!(S::TradeClosed.is_paid());
    }

    #[test]
    fn no_transition_goes_backwards_to_unpaid() {
        for from in TradeStatus::ALL {
            for event in EVENTS {
                if let Ok(to) = from.apply(event) {
                    assert!(!from.is_paid() || to.is_paid(), "{from:?} -> {to:?} loses the payment");
                }
            }
        }
    }

    #[test]
    fn paths_follow_allowed_transitions() {
        assert_eq!(S::WaitBuyerPay.path_to(S::TradeFinished), Some(vec![E::Pay, E::ShipAll, E::ConfirmReceipt]));
        assert_eq!(S::WaitBuyerPay.path_to(S::TradeClosed), Some(vec![E::Pay, E::Close]));
        assert_eq!(S::TradeFinished.path_to(S::WaitBuyerPay), None);
        assert_eq!(S::TradeClosed.path_to(S::TradeFinished), None);
        for from in TradeStatus::ALL {
            for to in TradeStatus::ALL {
                if let Some(path) = from.path_to(to) {
                    let mut st = from;
                    for e in path {
                        st = st.apply(e).unwrap_or_else(|err| panic!("{err}"));
                    }
                    assert_eq!(st, to);
                }
            }
        }
    }

    #[test]
    fn parses_export_texts_with_either_comma() {
        assert_eq!("买家已付款,等待卖家发货".parse(), Ok(S::WaitSellerSendGoods));
        assert_eq!("买家已付款，等待卖家发货".parse(), Ok(S::WaitSellerSendGoods));
        assert_eq!("卖家已发货，等待买家确认 ".parse(), Ok(S::WaitBuyerConfirmGoods));
        assert_eq!("交易成功".parse(), Ok(S::TradeFinished));
        assert_eq!("TRADE_CLOSED_BY_TAOBAO".parse(), Ok(S::TradeClosedByTaobao));
        assert!("发货中".parse::<TradeStatus>().is_err());
        for st in TradeStatus::ALL {
            assert_eq!(st.code().parse(), Ok(st));
            assert_eq!(st.label_zh().parse(), Ok(st), "{}", st.label_zh());
        }
    }
}
