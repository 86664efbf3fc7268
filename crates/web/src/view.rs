//! How values are shown: money, times, statuses, in the page's language.

use chrono::{DateTime, Utc};
use zhanggui_app::Lang;
use zhanggui_app::domain::{Money, MoveKind, TradeStatus};

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
    let left = due - now;
    let hours = left.num_hours().abs();
    let text = if hours >= 48 {
        format!("{}{}", hours / 24, lang.pick("天", " d"))
    } else if hours >= 1 {
        format!("{hours}{}", lang.pick("小时", " h"))
    } else {
        format!("{}{}", left.num_minutes().abs(), lang.pick("分钟", " min"))
    };
    if left.num_seconds() >= 0 {
        (format!("{}{text}", lang.pick("还剩 ", "left ")), false)
    } else {
        (format!("{}{text}", lang.pick("超时 ", "over by ")), true)
    }
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
    }
}
