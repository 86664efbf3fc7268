//! The Taobao/Tmall after-sales export (退款管理 → 导出退款): one row per refund case, matched by
//! header name. Columns read (older and newer names accepted): 订单编号, 子订单编号, 退款编号, 商家编码,
//! 宝贝标题, 买家实际支付金额, 买家退款金额 / 退款金额, 退款的申请时间 / 申请时间, 超时时间,
//! 退款完结时间 / 完结时间, 退款状态, 是否需要退货, 货物状态, 退货物流信息, 退款原因, 退款说明,
//! 客服介入状态, 买家会员名称.
//!
//! The kind of case: 是否需要退货 = 是 → return and refund (退货退款); otherwise a refund before
//! shipping (未发货仅退款) when 货物状态 says the goods were not shipped, else after (已发货仅退款).

use chrono::NaiveDateTime;
use zhanggui_domain::{Money, RefundKind, RefundStatus};

use crate::cell::clean_text;
use crate::error::FileError;
use crate::header::{Col, Header};
use crate::records::RowError;
use crate::row_parser::{RowParser, read_records};
use crate::row_reader::{Cells, require};
use crate::sheet::{Sheet, SheetRow};

/// One refund case of the export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundRecord {
    pub line: usize,
    pub tid: String,
    /// 子订单编号 ('' when the export has no such column).
    pub oid: String,
    pub refund_no: String,
    /// 商家编码 of the line ('' when absent).
    pub sku_code: String,
    pub title: String,
    pub kind: RefundKind,
    pub status: RefundStatus,
    pub amount: Money,
    /// 买家实际支付金额, where given.
    pub paid: Option<Money>,
    pub applied_at: NaiveDateTime,
    pub deadline_at: Option<NaiveDateTime>,
    pub finished_at: Option<NaiveDateTime>,
    pub return_carrier: String,
    pub return_tracking_no: String,
    pub reason: String,
    pub note: String,
    /// 客服介入状态 as written ('' when none).
    pub intervention: String,
    pub buyer: String,
}

/// Maps a 退款状态 text (or a status code) onto [`RefundStatus`].
///
/// | text | status |
/// |---|---|
/// | 买家已经申请退款，等待卖家同意 / 等待卖家同意 / 待卖家处理 | WAIT_SELLER_AGREE |
/// | 卖家已经同意退款，等待买家退货 / 等待买家退货 / 待买家退货 | WAIT_BUYER_RETURN_GOODS |
/// | 买家已经退货，等待卖家确认收货 / 等待卖家确认收货 / 待卖家收货 | WAIT_SELLER_CONFIRM_GOODS |
/// | 卖家拒绝退款 / 卖家拒绝 | SELLER_REFUSE_BUYER |
/// | 退款成功 / 退款完成 | SUCCESS |
/// | 退款关闭 / 退款已关闭 / 已撤销 | CLOSED |
pub fn parse_refund_status(text: &str) -> Option<RefundStatus> {
    let cleaned = clean_text(text);
    if let Ok(s) = cleaned.parse::<RefundStatus>() {
        return Some(s);
    }
    let t: String = cleaned.chars().filter(|c| !matches!(c, ',' | '，' | ' ' | '\u{3000}' | '。')).collect();
    let s = match t.as_str() {
        "买家已经申请退款等待卖家同意" | "等待卖家同意" | "待卖家处理" | "待商家处理" => {
            RefundStatus::WaitSellerAgree
        }
        "卖家已经同意退款等待买家退货" | "等待买家退货" | "待买家退货" => {
            RefundStatus::WaitBuyerReturnGoods
        }
        "买家已经退货等待卖家确认收货" | "等待卖家确认收货" | "待卖家收货" | "待商家收货" => {
            RefundStatus::WaitSellerConfirmGoods
        }
        "卖家拒绝退款" | "卖家拒绝" | "商家拒绝退款" => RefundStatus::SellerRefuseBuyer,
        "退款成功" | "退款完成" => RefundStatus::Success,
        "退款关闭" | "退款已关闭" | "已撤销" | "买家撤销" => RefundStatus::Closed,
        _ => return None,
    };
    Some(s)
}

/// Splits a 退货物流信息 cell ("顺丰速运,SF1234567890", "顺丰速运 SF1234567890",
/// "物流公司:顺丰速运 运单号:SF123") into carrier and tracking number.
pub fn split_parcel(text: &str) -> (String, String) {
    let t = clean_text(text).replace("物流公司", "").replace("运单号", "").replace(['：', ':'], " ");
    let parts: Vec<&str> = t.split([',', '，', ' ', '\u{3000}', ';', '；']).filter(|p| !p.is_empty()).collect();
    match parts.as_slice() {
        [] => (String::new(), String::new()),
        [one] if one.chars().any(|c| c.is_ascii_digit()) => (String::new(), (*one).to_string()),
        [one] => ((*one).to_string(), String::new()),
        [carrier, rest @ ..] => ((*carrier).to_string(), rest.join(" ")),
    }
}

#[derive(Debug, Clone)]
pub struct RefundExportParser {
    tid: Col,
    oid: Col,
    refund_no: Col,
    sku_code: Col,
    title: Col,
    paid: Col,
    amount: Col,
    applied: Col,
    deadline: Col,
    finished: Col,
    status: Col,
    needs_return: Col,
    goods: Col,
    parcel: Col,
    reason: Col,
    note: Col,
    intervention: Col,
    buyer: Col,
}

impl RowParser for RefundExportParser {
    type Record = RefundRecord;
    const WANTED: &'static [&'static str] = &["订单编号", "退款编号", "退款状态", "退款金额"];

    fn from_header(file: &str, h: &Header) -> Result<Self, FileError> {
        let p = RefundExportParser {
            tid: h.col(&["订单编号", "主订单编号"]),
            oid: h.col(&["子订单编号"]),
            refund_no: h.col(&["退款编号", "退款单号"]),
            sku_code: h.col(&["商家编码", "商品编码"]),
            title: h.col(&["宝贝标题", "商品标题", "商品名称"]),
            paid: h.col(&["买家实际支付金额", "买家实付金额", "实付金额"]),
            amount: h.col(&["买家退款金额", "退款金额", "申请退款金额"]),
            applied: h.col(&["退款的申请时间", "申请时间", "退款申请时间"]),
            deadline: h.col(&["超时时间"]),
            finished: h.col(&["退款完结时间", "完结时间"]),
            status: h.col(&["退款状态"]),
            needs_return: h.col(&["是否需要退货", "是否退货"]),
            goods: h.col(&["货物状态"]),
            parcel: h.col(&["退货物流信息", "退货物流"]),
            reason: h.col(&["退款原因"]),
            note: h.col(&["退款说明"]),
            intervention: h.col(&["客服介入状态"]),
            buyer: h.col(&["买家会员名称", "买家会员名", "买家昵称"]),
        };
        require(file, h, &[&p.tid, &p.refund_no, &p.amount, &p.applied, &p.status])?;
        Ok(p)
    }

    fn parse(&self, file: &str, row: &SheetRow) -> Result<RefundRecord, RowError> {
        let c = Cells::new(file, row);
        let status_text = c.text(&self.status);
        let status = parse_refund_status(&status_text)
            .ok_or_else(|| c.error(Some(&self.status), format!("unknown refund status {status_text:?}")))?;
        let needs_return = matches!(c.text(&self.needs_return).as_str(), "是" | "需要" | "Y" | "y" | "yes" | "1");
        let goods = c.text(&self.goods);
        let kind = if needs_return {
            RefundKind::ReturnAndRefund
        } else if goods.contains("未发货") {
            RefundKind::RefundUnshipped
        } else {
            RefundKind::RefundShipped
        };
        let amount = c.money(&self.amount)?.ok_or_else(|| c.error(Some(&self.amount), "empty"))?;
        if amount.is_negative() {
            return Err(c.error(Some(&self.amount), "a refund amount cannot be negative"));
        }
        let (return_carrier, return_tracking_no) = split_parcel(c.raw(&self.parcel));
        Ok(RefundRecord {
            line: row.line,
            tid: c.required_text(&self.tid)?,
            oid: c.text(&self.oid),
            refund_no: c.required_text(&self.refund_no)?,
            sku_code: c.text(&self.sku_code),
            title: c.text(&self.title),
            kind,
            status,
            amount,
            paid: c.money(&self.paid)?,
            applied_at: c.required_time(&self.applied)?,
            deadline_at: c.time(&self.deadline)?,
            finished_at: c.time(&self.finished)?,
            return_carrier,
            return_tracking_no,
            reason: c.text(&self.reason),
            note: c.text(&self.note),
            intervention: c.text(&self.intervention),
            buyer: c.text(&self.buyer),
        })
    }
}

/// Reads a refund export.
pub fn read_refunds(sheet: &Sheet) -> Result<(Vec<RefundRecord>, Vec<RowError>), FileError> {
    read_records::<RefundExportParser>(sheet)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_parcels() {
        assert_eq!(parse_refund_status("买家已经申请退款，等待卖家同意"), Some(RefundStatus::WaitSellerAgree));
        assert_eq!(parse_refund_status("卖家已经同意退款,等待买家退货"), Some(RefundStatus::WaitBuyerReturnGoods));
        assert_eq!(parse_refund_status(" 退款成功 "), Some(RefundStatus::Success));
        assert_eq!(parse_refund_status("SELLER_REFUSE_BUYER"), Some(RefundStatus::SellerRefuseBuyer));
        assert_eq!(parse_refund_status("退款关闭"), Some(RefundStatus::Closed));
        assert_eq!(parse_refund_status("处理中"), None);
        assert_eq!(split_parcel("顺丰速运,SF1402938475"), ("顺丰速运".into(), "SF1402938475".into()));
        assert_eq!(split_parcel("物流公司：中通快递 运单号：78001234"), ("中通快递".into(), "78001234".into()));
        assert_eq!(split_parcel("-"), (String::new(), String::new()));
        assert_eq!(split_parcel("YT8800123"), (String::new(), "YT8800123".into()));
    }
}
