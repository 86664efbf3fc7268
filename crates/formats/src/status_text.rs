//! Every platform's order-status text (订单状态) mapped onto [`TradeStatus`] (DOMAIN.md §4, §12).
//!
//! One table serves Taobao/Tmall, JD and Pinduoduo: their texts do not collide. A "closed" text
//! (交易关闭, 已取消, JD 取消 …) is ambiguous on its own; the caller says whether the trade was paid
//! (Taobao: the 订单付款时间 is filled; JD: 付款确认时间; Pinduoduo trades are always paid) and a
//! closed trade becomes `TRADE_CLOSED` when paid, `TRADE_CLOSED_BY_TAOBAO` when not.

use zhanggui_domain::TradeStatus;

use crate::error::CellError;

/// Maps a status text to a [`TradeStatus`]. `paid` decides between the two closed states.
///
/// | platform | texts | status |
/// |---|---|---|
/// | Taobao | 等待买家付款 | WAIT_BUYER_PAY |
/// | Taobao | 买家已付款,等待卖家发货 (either comma), 等待卖家发货 | WAIT_SELLER_SEND_GOODS |
/// | Taobao | 卖家部分发货 | SELLER_CONSIGNED_PART |
/// | Taobao | 卖家已发货,等待买家确认 | WAIT_BUYER_CONFIRM_GOODS |
/// | Taobao | 交易成功 | TRADE_FINISHED |
/// | Taobao | 交易关闭, 付款以后用户退款成功，交易自动关闭, 付款以前，卖家或买家主动关闭交易 | closed by `paid` |
/// | Taobao | 已付款（禁止发货）| PAID_FORBID_CONSIGN |
/// | JD | 等待付款 | WAIT_BUYER_PAY |
/// | JD | 等待出库, 等待发货 | WAIT_SELLER_SEND_GOODS |
/// | JD | 等待确认收货, 已出库 | WAIT_BUYER_CONFIRM_GOODS |
/// | JD | 完成, 已完成 | TRADE_FINISHED |
/// | JD | 取消, 已取消 | closed by `paid` |
/// | JD | 锁定, 暂停 | PAID_FORBID_CONSIGN |
/// | PDD | 待发货, 未发货 | WAIT_SELLER_SEND_GOODS |
/// | PDD | 待成团, 未成团 | PAID_FORBID_CONSIGN (group not formed: do not ship) |
/// | PDD | 已发货, 待收货, 已发货,待签收 | WAIT_BUYER_CONFIRM_GOODS |
/// | PDD | 已收货, 已签收, 交易成功 | TRADE_FINISHED |
/// | PDD | 已取消, 交易关闭 | closed by `paid` |
///
/// The codes (`WAIT_SELLER_SEND_GOODS`, …) are accepted too.
pub fn parse_status(text: &str, paid: bool) -> Result<TradeStatus, CellError> {
    use TradeStatus as S;
    let cleaned = crate::cell::clean_text(text);
    if let Some(st) = S::ALL.into_iter().find(|st| st.code().eq_ignore_ascii_case(&cleaned)) {
        return Ok(st);
    }
    let t: String = cleaned
        .chars()
        .filter(|c| !matches!(c, ',' | '，' | '、' | ' ' | '\u{3000}' | ':' | '：'))
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            c => c,
        })
        .collect();
    let closed = if paid { S::TradeClosed } else { S::TradeClosedByTaobao };
    let status = match t.as_str() {
        "等待买家付款" | "等待付款" | "待付款" | "未付款" | "待支付" => S::WaitBuyerPay,
        "买家已付款等待卖家发货"
        | "等待卖家发货"
        | "等待卖家发货即买家已付款"
        | "已付款"
        | "等待出库"
        | "等待发货"
        | "待发货"
        | "未发货"
        | "已付款待发货" => S::WaitSellerSendGoods,
        "已付款(禁止发货)" | "待成团" | "未成团" | "拼团中" | "锁定" | "暂停" => {
            S::PaidForbidConsign
        }
        "卖家部分发货" | "部分发货" => S::SellerConsignedPart,
        "卖家已发货等待买家确认"
        | "卖家已发货"
        | "等待确认收货"
        | "已出库"
        | "已发货"
        | "待收货"
        | "已发货待签收"
        | "已发货待收货" => S::WaitBuyerConfirmGoods,
        "交易成功" | "完成" | "已完成" | "已收货" | "已签收" | "交易完成" => S::TradeFinished,
        "交易关闭(未付款)" => S::TradeClosedByTaobao,
        "交易关闭"
        | "交易自动关闭"
        | "付款以后用户退款成功交易自动关闭"
        | "付款以前卖家或买家主动关闭交易"
        | "取消"
        | "已取消"
        | "订单取消"
        | "已关闭"
        | "已取消退款成功" => closed,
        _ => return Err(CellError::new("unknown order status", &cleaned)),
    };
    Ok(status)
}

#[cfg(test)]
mod tests {
    use super::*;
    use TradeStatus as S;

    #[test]
    fn taobao_texts_with_either_comma() {
        assert_eq!(parse_status("买家已付款,等待卖家发货", true), Ok(S::WaitSellerSendGoods));
        assert_eq!(parse_status("买家已付款，等待卖家发货", true), Ok(S::WaitSellerSendGoods));
        assert_eq!(parse_status("卖家已发货，等待买家确认", true), Ok(S::WaitBuyerConfirmGoods));
        assert_eq!(parse_status("卖家已发货,等待买家确认", true), Ok(S::WaitBuyerConfirmGoods));
        assert_eq!(parse_status("等待买家付款", false), Ok(S::WaitBuyerPay));
        assert_eq!(parse_status("交易成功", true), Ok(S::TradeFinished));
        assert_eq!(parse_status("卖家部分发货", true), Ok(S::SellerConsignedPart));
        assert_eq!(parse_status("已付款（禁止发货）", true), Ok(S::PaidForbidConsign));
    }

    #[test]
    fn closed_depends_on_payment() {
        assert_eq!(parse_status("交易关闭", true), Ok(S::TradeClosed));
        assert_eq!(parse_status("交易关闭", false), Ok(S::TradeClosedByTaobao));
        assert_eq!(parse_status("付款以后用户退款成功，交易自动关闭", true), Ok(S::TradeClosed));
        assert_eq!(parse_status("付款以前，卖家或买家主动关闭交易", false), Ok(S::TradeClosedByTaobao));
        assert_eq!(parse_status("取消", true), Ok(S::TradeClosed));
        assert_eq!(parse_status("已取消", false), Ok(S::TradeClosedByTaobao));
    }

    #[test]
    fn jd_texts() {
        assert_eq!(parse_status("等待出库", true), Ok(S::WaitSellerSendGoods));
        assert_eq!(parse_status("等待确认收货", true), Ok(S::WaitBuyerConfirmGoods));
        assert_eq!(parse_status("完成", true), Ok(S::TradeFinished));
        assert_eq!(parse_status("锁定", true), Ok(S::PaidForbidConsign));
        assert_eq!(parse_status("等待付款", false), Ok(S::WaitBuyerPay));
    }

    #[test]
    fn pdd_texts() {
        assert_eq!(parse_status("待发货", true), Ok(S::WaitSellerSendGoods));
        assert_eq!(parse_status("已发货", true), Ok(S::WaitBuyerConfirmGoods));
        assert_eq!(parse_status("待收货", true), Ok(S::WaitBuyerConfirmGoods));
        assert_eq!(parse_status("已发货，待签收", true), Ok(S::WaitBuyerConfirmGoods));
        assert_eq!(parse_status("已收货", true), Ok(S::TradeFinished));
        assert_eq!(parse_status("交易成功", true), Ok(S::TradeFinished));
        assert_eq!(parse_status("已取消", true), Ok(S::TradeClosed));
        assert_eq!(parse_status("交易关闭", true), Ok(S::TradeClosed));
        assert_eq!(parse_status("未成团", true), Ok(S::PaidForbidConsign));
    }

    #[test]
    fn codes_and_unknown_texts() {
        for st in S::ALL {
            assert_eq!(parse_status(st.code(), true), Ok(st));
        }
        assert!(parse_status("发货中", true).is_err());
        assert!(parse_status("", true).is_err());
    }
}
