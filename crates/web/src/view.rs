//! How values are shown: money, times, statuses, in the page's language.

use chrono::{DateTime, Utc};
use zhanggui_app::Lang;
use zhanggui_app::domain::{
    DisputeOutcome, DisputeStage, Money, MoveKind, Party, RefundKind, RefundStatus, TradeStatus,
};

/// "¥1,234.56".
pub fn money(m: Money) -> String {
    m.to_display()
}

/// "2024-11-11 20:31" in the zone.
pub fn time(t: DateTime<Utc>, zone: chrono_tz::Tz) -> String {
    t.with_timezone(&zone).format("%Y-%m-%d %H:%M").to_string()
}

pub fn opt_time(t: Option<DateTime<Utc>>, zone: chrono_tz::Tz) -> String {
    t.map(|t| time(t, zone)).unwrap_or_else(|| "—".into())
}

pub fn status(s: TradeStatus, lang: Lang) -> &'static str {
    lang.pick(s.label_zh(), s.label_en())
}

/// The colour class of a status tag.
pub fn status_class(s: TradeStatus) -> &'static str {
    match s {
        TradeStatus::WaitBuyerPay => "tag-wait",
        TradeStatus::WaitSellerSendGoods | TradeStatus::SellerConsignedPart => "tag-ship",
        TradeStatus::PaidForbidConsign => "tag-warn",
        TradeStatus::WaitBuyerConfirmGoods => "tag-transit",
        TradeStatus::TradeFinished => "tag-done",
        TradeStatus::TradeClosed | TradeStatus::TradeClosedByTaobao => "tag-closed",
    }
}

pub fn move_kind(k: MoveKind, lang: Lang) -> &'static str {
    lang.pick(k.label_zh(), k.label_en())
}

/// Time left to ship a paid trade (还剩 3小时) or the time over (超时 5小时); empty when not waiting.
pub fn ship_countdown(
    status: TradeStatus,
    paid_at: Option<DateTime<Utc>>,
    ship_by: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    lang: Lang,
) -> (String, bool) {
    if !matches!(status, TradeStatus::WaitSellerSendGoods | TradeStatus::SellerConsignedPart) {
        return (String::new(), false);
    }
    let Some(due) = ship_by.or_else(|| paid_at.map(|p| p + zhanggui_app::trading::SHIP_WITHIN)) else {
        return (String::new(), false);
    };
    countdown((due - now).num_seconds(), lang)
}

/// "还剩 3小时" for time left, "超时 5小时" for time over (true).
pub fn countdown(seconds_left: i64, lang: Lang) -> (String, bool) {
    let left = chrono::Duration::seconds(seconds_left);
    let hours = left.num_hours().abs();
    let text = if hours >= 48 && hours % 24 > 0 {
        format!("{}{}{}{}", hours / 24, lang.pick("天", " d "), hours % 24, lang.pick("小时", " h"))
    } else if hours >= 48 {
        format!("{}{}", hours / 24, lang.pick("天", " d"))
    } else if hours >= 1 {
        format!("{hours}{}", lang.pick("小时", " h"))
    } else {
        format!("{}{}", left.num_minutes().abs(), lang.pick("分钟", " min"))
    };
    if seconds_left >= 0 {
        (format!("{}{text}", lang.pick("还剩 ", "left ")), false)
    } else {
        (format!("{}{text}", lang.pick("超时 ", "over by ")), true)
    }
}

pub fn refund_kind(k: RefundKind, lang: Lang) -> &'static str {
    let en = match k {
        RefundKind::RefundUnshipped => "Refund before shipping",
        RefundKind::RefundShipped => "Refund, no return",
        RefundKind::ReturnAndRefund => "Return and refund",
        RefundKind::Exchange => "Exchange",
        RefundKind::Reship => "Reship",
    };
    lang.pick(k.label_zh(), en)
}

pub fn refund_status(s: RefundStatus, lang: Lang) -> &'static str {
    let en = match s {
        RefundStatus::WaitSellerAgree => "Awaiting seller",
        RefundStatus::SellerRefuseBuyer => "Refused by seller",
        RefundStatus::WaitBuyerReturnGoods => "Awaiting buyer's return",
        RefundStatus::WaitSellerConfirmGoods => "Return to check",
        RefundStatus::Success => "Succeeded",
        RefundStatus::Closed => "Closed",
    };
    lang.pick(s.label_zh(), en)
}

/// The colour class of a refund status tag.
pub fn refund_status_class(s: RefundStatus) -> &'static str {
    match s {
        RefundStatus::WaitSellerAgree | RefundStatus::WaitSellerConfirmGoods => "tag-ship",
        RefundStatus::SellerRefuseBuyer => "tag-warn",
        RefundStatus::WaitBuyerReturnGoods => "tag-wait",
        RefundStatus::Success => "tag-done",
        RefundStatus::Closed => "tag-closed",
    }
}

pub fn refund_status_code_label(code: &str, lang: Lang) -> String {
    match code.parse::<RefundStatus>() {
        Ok(s) => refund_status(s, lang).to_string(),
        Err(_) => code.to_string(),
    }
}

pub fn dispute_stage(s: DisputeStage, lang: Lang) -> &'static str {
    let en = match s {
        DisputeStage::Opened => "Platform asked to step in",
        DisputeStage::Evidence => "Evidence",
        DisputeStage::Reviewing => "Platform reviewing",
        DisputeStage::Decided => "Decided",
    };
    lang.pick(s.label_zh(), en)
}

pub fn dispute_outcome(o: DisputeOutcome, lang: Lang) -> &'static str {
    let en = match o {
        DisputeOutcome::Buyer => "For the buyer",
        DisputeOutcome::Seller => "For the seller",
    };
    lang.pick(o.label_zh(), en)
}

pub fn party(p: Party, lang: Lang) -> &'static str {
    lang.pick(
        p.label_zh(),
        match p {
            Party::Seller => "Seller",
            Party::Buyer => "Buyer",
            Party::Platform => "Platform",
        },
    )
}

/// A case's history event as the shop says it.
pub fn refund_event(event: &str, lang: Lang) -> String {
    let (zh, en) = match event {
        "apply" => ("申请售后", "Request"),
        "agree" => ("同意", "Agreed"),
        "refuse" => ("拒绝", "Refused"),
        "reapply" => ("修改申请", "Request changed"),
        "return_shipped" => ("买家退货", "Buyer sent back"),
        "receive_return" => ("确认收货", "Return received"),
        "cancel" => ("撤销", "Withdrawn"),
        "dispute_open" => ("申请平台介入", "Platform asked to step in"),
        "ruled_for_buyer" => ("平台判定支持买家", "Ruled for the buyer"),
        "ruled_for_seller" => ("平台判定支持卖家", "Ruled for the seller"),
        other => (other, other),
    };
    lang.pick(zh, en).to_string()
}

/// A trade's history event as the shop says it.
pub fn event(event: &str, lang: Lang) -> String {
    zhanggui_app::trading::event_label(event, lang).to_string()
}

pub fn status_code_label(code: &str, lang: Lang) -> String {
    match code.parse::<TradeStatus>() {
        Ok(s) => status(s, lang).to_string(),
        Err(_) => code.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn countdowns() {
        let now = Utc::now();
        let paid = Some(now - Duration::hours(21));
        let (t, over) = ship_countdown(TradeStatus::WaitSellerSendGoods, paid, None, now, Lang::Zh);
        assert_eq!((t.as_str(), over), ("还剩 3小时", false));
        let paid = Some(now - Duration::hours(29) - Duration::minutes(1));
        let (t, over) = ship_countdown(TradeStatus::WaitSellerSendGoods, paid, None, now, Lang::Zh);
        assert_eq!((t.as_str(), over), ("超时 5小时", true));
        assert_eq!(ship_countdown(TradeStatus::TradeFinished, paid, None, now, Lang::Zh).0, "");
        assert_eq!(countdown(3 * 24 * 3600 + 60, Lang::Zh), ("还剩 3天".to_string(), false));
        assert_eq!(countdown(-2 * 3600, Lang::En), ("over by 2 h".to_string(), true));
        assert_eq!(countdown(7 * 24 * 3600 - 5, Lang::Zh).0, "还剩 6天23小时");
        assert_eq!(refund_event("receive_return", Lang::Zh), "确认收货");
        assert_eq!(refund_status_code_label("SUCCESS", Lang::Zh), "退款成功");
    }
}
