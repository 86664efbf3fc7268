//! Taobao/Tmall order report (订单报表) and line report (宝贝报表/子订单报表), DOMAIN.md §12.
//!
//! Orders: tid ← 订单编号; buyer ← 买家会员名; goods ← 买家应付货款; postage ← 买家应付邮费;
//! total ← 总金额; amount_paid ← 买家实际支付金额 or 买家实付金额 (postage included); created ←
//! 订单创建时间; paid_at ← 订单付款时间 (empty = not paid); address ← 修改后的收货地址 when filled,
//! else 收货地址; 交易关闭 → TRADE_CLOSED with a payment time, TRADE_CLOSED_BY_TAOBAO without;
//! refund ← 退款金额; seller_received ← 确认收货打款金额; finished_at ← 确认收货时间.
//!
//! Lines: oid ← 子订单编号; tid ← 主订单编号 (= 订单编号); title ← 商品标题/标题; price ←
//! 商品价格/价格; qty ← 购买数量; outer_sku_id ← 商家编码; outer_id ← 外部系统编号; amount_paid ←
//! 买家实付金额.

use std::collections::HashMap;

use zhanggui_domain::region::parse_address;

use crate::cell::{normalize_properties, parse_status};
use crate::error::FileError;
use crate::header::{Col, Header};
use crate::records::{LineRecord, OrderRecord, RowError};
use crate::row_parser::{RowParser, read_records};
use crate::row_reader::{Cells, require};
use crate::sheet::{Sheet, SheetRow};

/// Columns of the Taobao order report.
#[derive(Debug, Clone)]
pub struct TaobaoOrderParser {
    tid: Col,
    buyer: Col,
    goods: Col,
    postage: Col,
    total: Col,
    amount_paid: Col,
    status: Col,
    message: Col,
    receiver: Col,
    address: Col,
    modified_address: Col,
    phone: Col,
    created: Col,
    paid: Col,
    titles: Col,
    tracking: Col,
    carrier: Col,
    memo: Col,
    count: Col,
    shop: Col,
    close_reason: Col,
    refund: Col,
    shipped: Col,
    finished: Col,
    seller_received: Col,
}

impl RowParser for TaobaoOrderParser {
    type Record = OrderRecord;
    const WANTED: &'static [&'static str] = &[
        "订单编号",
        "买家会员名",
        "订单状态",
        "买家实际支付金额",
        "订单创建时间",
        "订单付款时间",
        "买家应付货款",
        "收货地址",
    ];

    fn from_header(file: &str, h: &Header) -> Result<Self, FileError> {
        let p = TaobaoOrderParser {
            tid: h.col(&["订单编号"]),
            buyer: h.col(&["买家会员名", "买家昵称"]),
            goods: h.col(&["买家应付货款"]),
            postage: h.col(&["买家应付邮费"]),
            total: h.col(&["总金额"]),
            amount_paid: h.col(&["买家实际支付金额"]),
            status: h.col(&["订单状态"]),
            message: h.col(&["买家留言"]),
            receiver: h.col(&["收货人姓名"]),
            address: h.col(&["收货地址"]),
            modified_address: h.col(&["修改后的收货地址"]),
            phone: h.col(&["联系手机", "联系电话"]),
            created: h.col(&["订单创建时间"]),
            paid: h.col(&["订单付款时间"]),
            titles: h.col(&["宝贝标题"]),
            tracking: h.col(&["物流单号"]),
            carrier: h.col(&["物流公司"]),
            memo: h.col(&["订单备注"]),
            count: h.col(&["宝贝总数量"]),
            shop: h.col(&["店铺名称"]),
            close_reason: h.col(&["订单关闭原因"]),
            refund: h.col(&["退款金额"]),
            shipped: h.col(&["发货时间"]),
            finished: h.col(&["确认收货时间"]),
            seller_received: h.col(&["确认收货打款金额", "打款商家金额"]),
        };
        require(file, h, &[&p.tid, &p.status, &p.created, &p.amount_paid])?;
        Ok(p)
    }

    fn parse(&self, file: &str, row: &SheetRow) -> Result<OrderRecord, RowError> {
        let c = Cells::new(file, row);
        let tid = c.required_text(&self.tid)?;
        let created_at = c.required_time(&self.created)?;
        let paid_at = c.time(&self.paid)?;
        let status_text = c.text(&self.status);
        let status = parse_status(&status_text, paid_at.is_some()).map_err(|e| c.error(Some(&self.status), e.0))?;
        let modified = c.text(&self.modified_address);
        let receiver_address = if modified.is_empty() { c.text(&self.address) } else { modified };
        let region = parse_address(&receiver_address);
        let goods_amount = c.money0(&self.goods)?;
        let postage = c.money0(&self.postage)?;
        let total_amount = match c.money(&self.total)? {
            Some(t) => t,
            None => goods_amount + postage,
        };
        Ok(OrderRecord {
            line: row.line,
            tid,
            status,
            status_text,
            buyer_nick: c.text(&self.buyer),
            receiver_name: c.text(&self.receiver),
            receiver_phone: c.text(&self.phone),
            receiver_address,
            region,
            goods_amount,
            postage,
            total_amount,
            amount_paid: c.money0(&self.amount_paid)?,
            shop_discount: zhanggui_domain::Money::ZERO,
            platform_discount: zhanggui_domain::Money::ZERO,
            seller_received: c.money(&self.seller_received)?,
            created_at,
            paid_at,
            shipped_at: c.time(&self.shipped)?,
            finished_at: c.time(&self.finished)?,
            buyer_message: c.text(&self.message),
            seller_memo: c.text(&self.memo),
            carrier: c.text(&self.carrier),
            tracking_no: c.text(&self.tracking),
            close_reason: c.text(&self.close_reason),
            refund_amount: c.money0(&self.refund)?,
            item_titles: c.text(&self.titles),
            item_count: c.int0(&self.count)?,
            shop_name: c.text(&self.shop),
            lines: Vec::new(),
        })
    }
}

/// Columns of the Taobao line report.
#[derive(Debug, Clone)]
pub struct TaobaoLineParser {
    oid: Col,
    tid: Col,
    title: Col,
    price: Col,
    qty: Col,
    outer_id: Col,
    properties: Col,
    status: Col,
    outer_sku_id: Col,
    amount_paid: Col,
    refund_status: Col,
    refund: Col,
    item_id: Col,
    shipped: Col,
    tracking: Col,
    carrier: Col,
}

impl RowParser for TaobaoLineParser {
    type Record = LineRecord;
    const WANTED: &'static [&'static str] =
        &["子订单编号", "主订单编号", "商品标题", "商品价格", "购买数量", "商家编码", "商品属性", "退款状态"];

    fn from_header(file: &str, h: &Header) -> Result<Self, FileError> {
        let p = TaobaoLineParser {
            oid: h.col(&["子订单编号"]),
            tid: h.col(&["主订单编号"]),
            title: h.col(&["商品标题"]),
            price: h.col(&["商品价格"]),
            qty: h.col(&["购买数量"]),
            outer_id: h.col(&["外部系统编号"]),
            properties: h.col(&["商品属性", "销售属性"]),
            status: h.col(&["订单状态"]),
            outer_sku_id: h.col(&["商家编码"]),
            amount_paid: h.col(&["买家实付金额"]),
            refund_status: h.col(&["退款状态"]),
            refund: h.col(&["退款金额"]),
            item_id: h.col(&["商品ID"]),
            shipped: h.col(&["发货时间"]),
            tracking: h.col(&["物流单号"]),
            carrier: h.col(&["物流公司"]),
        };
        require(file, h, &[&p.tid, &p.qty])?;
        Ok(p)
    }

    /// A line; `oid` is left empty when the export has no 子订单编号 (see [`fill_missing_oids`]).
    fn parse(&self, file: &str, row: &SheetRow) -> Result<LineRecord, RowError> {
        let c = Cells::new(file, row);
        let tid = c.required_text(&self.tid)?;
        let qty = c.int(&self.qty)?.ok_or_else(|| c.error(Some(&self.qty), "empty"))?;
        Ok(LineRecord {
            line: row.line,
            oid: c.text(&self.oid),
            tid,
            title: c.text(&self.title),
            price: c.money0(&self.price)?,
            qty,
            outer_sku_id: c.text(&self.outer_sku_id),
            outer_id: c.text(&self.outer_id),
            properties: normalize_properties(c.raw(&self.properties)),
            amount_paid: c.money0(&self.amount_paid)?,
            refund_status: c.text(&self.refund_status),
            refund_amount: c.money0(&self.refund)?,
            status_text: c.text(&self.status),
            item_id: c.text(&self.item_id),
            shipped_at: c.time(&self.shipped)?,
            carrier: c.text(&self.carrier),
            tracking_no: c.text(&self.tracking),
        })
    }
}

/// Reads a Taobao/Tmall order report.
pub fn read_taobao_orders(sheet: &Sheet) -> Result<(Vec<OrderRecord>, Vec<RowError>), FileError> {
    read_records::<TaobaoOrderParser>(sheet)
}

/// Reads a Taobao/Tmall line report. Lines without 子订单编号 get `{tid}-{n}`.
pub fn read_taobao_lines(sheet: &Sheet) -> Result<(Vec<LineRecord>, Vec<RowError>), FileError> {
    let (mut lines, errors) = read_records::<TaobaoLineParser>(sheet)?;
    fill_missing_oids(&mut lines);
    Ok((lines, errors))
}

/// Gives every line without an oid the id `{tid}-{n}`, n counting that trade's lines in file order.
pub fn fill_missing_oids(lines: &mut [LineRecord]) {
    let mut seen: HashMap<String, usize> = HashMap::new();
    for line in lines.iter_mut() {
        let n = seen.entry(line.tid.clone()).or_insert(0);
        *n += 1;
        if line.oid.is_empty() {
            line.oid = format!("{}-{}", line.tid, n);
        }
    }
}

/// Attaches each line to its trade (主订单编号 = 订单编号), keeping file order. A line whose trade is
/// not among `orders` becomes a [`RowError`] of `lines_file`.
pub fn join_lines(
    mut orders: Vec<OrderRecord>,
    lines: Vec<LineRecord>,
    lines_file: &str,
) -> (Vec<OrderRecord>, Vec<RowError>) {
    let index: HashMap<String, usize> = orders.iter().enumerate().map(|(i, o)| (o.tid.clone(), i)).collect();
    let mut errors = Vec::new();
    for line in lines {
        match index.get(&line.tid).and_then(|i| orders.get_mut(*i)) {
            Some(order) => order.lines.push(line),
            None => errors.push(RowError {
                file: lines_file.to_string(),
                line: line.line,
                column: None,
                reason: format!("主订单编号 {} 不在订单报表里 / not in the order report", line.tid),
                raw: vec![line.oid, line.tid, line.title],
            }),
        }
    }
    (orders, errors)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sheet::read_sheet_bytes;
    use zhanggui_domain::{Money, TradeStatus};

    const ORDERS: &str = "订单编号 ,买家会员名,买家应付货款,买家应付邮费,总金额,买家实付金额,订单状态,收货地址 ,订单创建时间,订单付款时间 ,修改后的收货地址\n\
=\"2287654321098765432\",小王同学,\"1,234.50\",8.00,\"1,242.50\",\"1,230.00\",交易关闭,浙江省 杭州市 **** ****,2024-11-11 20:31:05,2024/11/11 20:32,-\n\
\t2287654321098765433,tb_8821,99,0,99,0,交易关闭,上海 上海市 浦东新区 张江路1号,2024-11-11 21:00:00,-,江苏省 南京市 鼓楼区 中山路2号\n\
2287654321098765434,阿花,abc,0,99,0,交易成功,广东省 深圳市 南山区,2024-11-11 21:00:00,,\n\
总计,,,,,,,,,,\n";

    #[test]
    fn reads_taobao_quirks() {
        let sheet = read_sheet_bytes("orders.csv", ORDERS.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        let (orders, errors) = read_taobao_orders(&sheet).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(orders.len(), 2);
        let a = &orders[0];
        assert_eq!(a.tid, "2287654321098765432");
        assert_eq!(a.goods_amount, Money::from_fen(123_450));
        assert_eq!(a.amount_paid, Money::from_fen(123_000));
        assert_eq!(a.status, TradeStatus::TradeClosed);
        assert_eq!(a.receiver_address, "浙江省 杭州市 **** ****");
        assert_eq!(a.region.as_ref().map(|r| r.city.as_str()), Some("杭州市"));
        let b = &orders[1];
        assert_eq!(b.tid, "2287654321098765433");
        assert_eq!(b.status, TradeStatus::TradeClosedByTaobao);
        assert_eq!(b.paid_at, None);
        assert_eq!(b.receiver_address, "江苏省 南京市 鼓楼区 中山路2号");
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, 4);
        assert_eq!(errors[0].column.as_deref(), Some("买家应付货款"));
    }

    #[test]
    fn lines_join_their_orders() {
        let sheet = read_sheet_bytes("orders.csv", ORDERS.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        let (orders, _) = read_taobao_orders(&sheet).unwrap_or_else(|e| panic!("{e}"));
        let lines_csv = "订单编号,标题,价格,购买数量,商家编码,商品属性\n\
2287654321098765432,加厚卫衣,600.00,2,WY-001-BK-M,颜色分类：黑色；尺码：M\n\
2287654321098765432,袜子,34.50,1,WZ-01,\n\
999,不存在,1,1,X,\n";
        let lines_sheet = read_sheet_bytes("lines.csv", lines_csv.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        let (lines, errors) = read_taobao_lines(&lines_sheet).unwrap_or_else(|e| panic!("{e}"));
        assert!(errors.is_empty());
        assert_eq!(lines[0].oid, "2287654321098765432-1");
        assert_eq!(lines[1].oid, "2287654321098765432-2");
        assert_eq!(lines[0].properties, "颜色分类:黑色;尺码:M");
        let (orders, errors) = join_lines(orders, lines, "lines.csv");
        assert_eq!(orders[0].lines.len(), 2);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, 4);
    }

    #[test]
    fn missing_required_columns_is_a_file_error() {
        let sheet =
            read_sheet_bytes("x.csv", "订单编号,买家会员名\n1,a\n".as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(read_taobao_orders(&sheet), Err(FileError::MissingColumns { .. })));
        let sheet = read_sheet_bytes("x.csv", "a,b\n1,2\n".as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(read_taobao_orders(&sheet), Err(FileError::NoHeader { .. })));
    }
}
