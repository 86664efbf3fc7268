//! Pinduoduo order export: one row per order, one line per order (DOMAIN.md §12).
//!
//! A trade exists once paid: paid_at ← 订单成交时间 (支付时间, 拼单成功时间), and when that is empty
//! the date in the 订单号's YYMMDD prefix ("241111-…" → 2024-11-11 00:00:00). created_at ← 订单创建时间
//! when the export has it, else paid_at. amount_paid ← 用户实付金额(元); seller_received ←
//! 商家实收金额(元); goods ← 商品总价(元); postage ← 邮费(元); total = goods + postage; shop and
//! platform discounts kept apart (店铺优惠折扣(元), 平台优惠折扣(元)). No buyer id: buyer_nick is
//! empty. Closed statuses (已取消, 交易关闭) are TRADE_CLOSED (the trade was paid). 售后状态 goes to
//! the line's refund_status; refund_amount ← 退款金额(元) when the export has it, else zero.
//!
//! The line: oid = tid; title ← 商品; qty ← 商品数量(件); price ← 商品单价(元) when present, else
//! 商品总价 ÷ 数量 rounded to the fen (halves up); outer_sku_id ← 商家编码-规格维度; outer_id ←
//! 商家编码-商品维度; properties ← 商品规格; amount_paid = the order's.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use zhanggui_domain::Money;
use zhanggui_domain::region::parse_address;

use crate::cell::{normalize_properties, parse_status};
use crate::error::FileError;
use crate::header::{Col, Header};
use crate::records::{LineRecord, OrderRecord, RowError};
use crate::row_parser::{RowParser, read_records};
use crate::row_reader::{Cells, require};
use crate::sheet::{Sheet, SheetRow};

/// Columns of the Pinduoduo order export.
#[derive(Debug, Clone)]
pub struct PddOrderParser {
    tid: Col,
    status: Col,
    goods: Col,
    postage: Col,
    shop_discount: Col,
    platform_discount: Col,
    amount_paid: Col,
    seller_received: Col,
    qty: Col,
    paid: Col,
    created: Col,
    shipped: Col,
    finished: Col,
    item_id: Col,
    properties: Col,
    outer_sku_id: Col,
    outer_id: Col,
    memo: Col,
    after_sale: Col,
    refund: Col,
    tracking: Col,
    carrier: Col,
    province: Col,
    city: Col,
    district: Col,
    street: Col,
    title: Col,
    price: Col,
    receiver: Col,
    phone: Col,
    message: Col,
    shop: Col,
}

impl RowParser for PddOrderParser {
    type Record = OrderRecord;
    const WANTED: &'static [&'static str] =
        &["订单号", "订单状态", "商品总价(元)", "用户实付金额(元)", "商家实收金额(元)", "商品数量(件)", "订单成交时间"];

    fn from_header(file: &str, h: &Header) -> Result<Self, FileError> {
        let p = PddOrderParser {
            tid: h.col(&["订单号"]),
            status: h.col(&["订单状态"]),
            goods: h.col(&["商品总价(元)", "商品总价"]),
            postage: h.col(&["邮费(元)", "邮费"]),
            shop_discount: h.col(&["店铺优惠折扣(元)", "店铺优惠(元)"]),
            platform_discount: h.col(&["平台优惠折扣(元)", "平台优惠(元)"]),
            amount_paid: h.col(&["用户实付金额(元)", "用户实付金额"]),
            seller_received: h.col(&["商家实收金额(元)", "商家实收金额"]),
            qty: h.col(&["商品数量(件)", "商品数量"]),
            paid: h.col(&["订单成交时间", "支付时间", "拼单成功时间"]),
            created: h.col(&["订单创建时间", "下单时间"]),
            shipped: h.col(&["发货时间"]),
            finished: h.col(&["确认收货时间"]),
            item_id: h.col(&["商品id"]),
            properties: h.col(&["商品规格"]),
            outer_sku_id: h.col(&["商家编码-规格维度"]),
            outer_id: h.col(&["商家编码-商品维度"]),
            memo: h.col(&["商家备注"]),
            after_sale: h.col(&["售后状态"]),
            refund: h.col(&["退款金额(元)", "退款金额"]),
            tracking: h.col(&["快递单号"]),
            carrier: h.col(&["快递公司"]),
            province: h.col(&["省"]),
            city: h.col(&["市"]),
            district: h.col(&["区"]),
            street: h.col(&["详细地址", "街道", "收货地址"]),
            title: h.col(&["商品", "商品名称"]),
            price: h.col(&["商品单价(元)", "商品单价"]),
            receiver: h.col(&["收货人"]),
            phone: h.col(&["手机", "收货人电话"]),
            message: h.col(&["买家留言"]),
            shop: h.col(&["店铺名称"]),
        };
        require(file, h, &[&p.tid, &p.status, &p.amount_paid])?;
        Ok(p)
    }

    fn parse(&self, file: &str, row: &SheetRow) -> Result<OrderRecord, RowError> {
        let c = Cells::new(file, row);
        let tid = c.required_text(&self.tid)?;
        let paid_at = match c.time(&self.paid)? {
            Some(t) => t,
            None => date_from_order_id(&tid).ok_or_else(|| {
                c.error(Some(&self.paid), "empty, and the order number does not start with a YYMMDD date")
            })?,
        };
        let created_at = c.time(&self.created)?.unwrap_or(paid_at);
        let status_text = c.text(&self.status);
        let status = parse_status(&status_text, true).map_err(|e| c.error(Some(&self.status), e.0))?;
        let goods_amount = c.money0(&self.goods)?;
        let postage = c.money0(&self.postage)?;
        let amount_paid = c.money0(&self.amount_paid)?;
        let qty = c.int(&self.qty)?.unwrap_or(1);
        let price = match c.money(&self.price)? {
            Some(p) => p,
            None => unit_price(goods_amount, qty),
        };
        let receiver_address = [&self.province, &self.city, &self.district, &self.street]
            .iter()
            .map(|col| c.text(col))
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        let title = c.text(&self.title);
        let shipped_at = c.time(&self.shipped)?;
        let carrier = c.text(&self.carrier);
        let tracking_no = c.text(&self.tracking);
        let refund_amount = c.money0(&self.refund)?;
        let line = LineRecord {
            line: row.line,
            oid: tid.clone(),
            tid: tid.clone(),
            title: title.clone(),
            price,
            qty,
            outer_sku_id: c.text(&self.outer_sku_id),
            outer_id: c.text(&self.outer_id),
            properties: normalize_properties(c.raw(&self.properties)),
            amount_paid,
            refund_status: c.text(&self.after_sale),
            refund_amount,
            status_text: status_text.clone(),
            item_id: c.text(&self.item_id),
            shipped_at,
            carrier: carrier.clone(),
            tracking_no: tracking_no.clone(),
        };
        Ok(OrderRecord {
            line: row.line,
            tid,
            status,
            status_text,
            buyer_nick: String::new(),
            receiver_name: c.text(&self.receiver),
            receiver_phone: c.text(&self.phone),
            region: parse_address(&receiver_address),
            receiver_address,
            goods_amount,
            postage,
            total_amount: goods_amount + postage,
            amount_paid,
            shop_discount: c.money0(&self.shop_discount)?,
            platform_discount: c.money0(&self.platform_discount)?,
            seller_received: c.money(&self.seller_received)?,
            created_at,
            paid_at: Some(paid_at),
            shipped_at,
            finished_at: c.time(&self.finished)?,
            buyer_message: c.text(&self.message),
            seller_memo: c.text(&self.memo),
            carrier,
            tracking_no,
            close_reason: String::new(),
            refund_amount,
            item_titles: title,
            item_count: qty,
            shop_name: c.text(&self.shop),
            lines: vec![line],
        })
    }
}

/// 商品总价 ÷ 数量, rounded to the fen (halves up); the total itself when the quantity is not positive.
fn unit_price(total: Money, qty: i64) -> Money {
    if qty <= 0 {
        return total;
    }
    let fen = i128::from(total.fen());
    let q = i128::from(qty);
    let rounded = (2 * fen + q).div_euclid(2 * q);
    Money::from_fen(i64::try_from(rounded).unwrap_or(0))
}

/// The date at the start of a Pinduoduo order number ("241111-058624321672731" → 2024-11-11 00:00).
pub fn date_from_order_id(tid: &str) -> Option<NaiveDateTime> {
    let digits = tid.get(..6)?;
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let yy: i32 = digits.get(..2)?.parse().ok()?;
    let mm: u32 = digits.get(2..4)?.parse().ok()?;
    let dd: u32 = digits.get(4..6)?.parse().ok()?;
    NaiveDate::from_ymd_opt(2000 + yy, mm, dd).map(|d| d.and_time(NaiveTime::MIN))
}

/// Reads a Pinduoduo order export.
pub fn read_pdd_orders(sheet: &Sheet) -> Result<(Vec<OrderRecord>, Vec<RowError>), FileError> {
    read_records::<PddOrderParser>(sheet)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sheet::read_sheet_bytes;

    #[test]
    fn reads_a_pdd_row_and_falls_back_to_the_order_date() {
        let csv = "订单号,订单状态,商品,商品总价(元),邮费(元),店铺优惠折扣(元),平台优惠折扣(元),用户实付金额(元),商家实收金额(元),商品数量(件),订单成交时间,省,市,区,详细地址\n\
241111-058624321672731,待发货,加厚卫衣,199.00,0.00,10.00,5.00,184.00,189.00,2,,浙江省,杭州市,西湖区,文三路1号\n";
        let sheet = read_sheet_bytes("pdd.csv", csv.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        let (orders, errors) = read_pdd_orders(&sheet).unwrap_or_else(|e| panic!("{e}"));
        assert!(errors.is_empty(), "{errors:?}");
        let o = &orders[0];
        assert_eq!(o.paid_at, NaiveDate::from_ymd_opt(2024, 11, 11).map(|d| d.and_time(NaiveTime::MIN)));
        assert_eq!(o.amount_paid, Money::from_fen(18_400));
        assert_eq!(o.seller_received, Some(Money::from_fen(18_900)));
        assert_eq!(o.shop_discount, Money::from_fen(1000));
        assert_eq!(o.platform_discount, Money::from_fen(500));
        assert_eq!(o.receiver_address, "浙江省 杭州市 西湖区 文三路1号");
        assert_eq!(o.lines[0].price, Money::from_fen(9950));
        assert_eq!(o.buyer_nick, "");
    }

    #[test]
    fn unit_price_rounds_half_up() {
        assert_eq!(unit_price(Money::from_fen(100), 3), Money::from_fen(33));
        assert_eq!(unit_price(Money::from_fen(5), 2), Money::from_fen(3));
        assert_eq!(unit_price(Money::from_fen(5), 0), Money::from_fen(5));
        assert_eq!(date_from_order_id("2411"), None);
        assert_eq!(date_from_order_id("241341-1"), None);
    }
}
