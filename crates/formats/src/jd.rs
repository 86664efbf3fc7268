//! JD (京东) order export: one row per line, grouped into trades by 订单号 (DOMAIN.md §12).
//!
//! Trade fields come from the trade's first row: created ← 下单时间; paid_at ← 付款确认时间;
//! finished ← 订单完成时间; status ← 订单状态 (取消 is TRADE_CLOSED when paid, else
//! TRADE_CLOSED_BY_TAOBAO); address ← 客户地址; receiver ← 客户姓名, 联系电话; buyer ← 下单帐号;
//! seller_received ← 结算金额; postage ← 运费金额; goods = Σ 京东价 × 订购数量.
//!
//! **Freight.** JD's 订单金额 and 应付金额 either both include 运费金额 or both leave it out (older
//! exports). It is taken as included when 订单金额 ≥ goods + 运费金额, or when the export has no
//! 订单金额; otherwise it is added: amount_paid = 应付金额 (+ 运费金额), total = 订单金额 (+ 运费金额).
//!
//! Lines: oid = `{订单号}-{商品ID}` (`-2`, `-3`… when a product repeats in a trade); amount_paid is the
//! trade's amount_paid spread over the lines in proportion to 京东价 × 订购数量 (largest remainder).
//! A trade with a bad row is skipped whole: the bad row gets its error and the trade's other rows
//! an error that points at it.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use zhanggui_domain::region::parse_address;
use zhanggui_domain::{Money, TradeStatus};

use crate::cell::{clean_text, parse_status};
use crate::error::FileError;
use crate::header::{Col, Header};
use crate::records::{LineRecord, OrderRecord, RowError};
use crate::row_parser::RowParser;
use crate::row_reader::{Cells, repeats_header, require};
use crate::sheet::{Sheet, SheetRow};

/// One row of the JD export, before grouping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JdRow {
    pub line: usize,
    pub tid: String,
    pub item_id: String,
    pub outer_sku_id: String,
    pub title: String,
    pub qty: i64,
    pub price: Money,
    pub created_at: NaiveDateTime,
    pub order_amount: Option<Money>,
    pub settlement: Option<Money>,
    pub payable: Money,
    pub freight: Money,
    pub status_text: String,
    pub status: TradeStatus,
    pub address: String,
    pub receiver_name: String,
    pub phone: String,
    pub buyer: String,
    pub memo: String,
    pub buyer_message: String,
    pub paid_at: Option<NaiveDateTime>,
    pub finished_at: Option<NaiveDateTime>,
    pub shipped_at: Option<NaiveDateTime>,
    pub carrier: String,
    pub tracking_no: String,
    pub shop: String,
}

/// Columns of the JD export.
#[derive(Debug, Clone)]
pub struct JdRowParser {
    tid: Col,
    item_id: Col,
    outer_sku_id: Col,
    title: Col,
    qty: Col,
    created: Col,
    price: Col,
    order_amount: Col,
    settlement: Col,
    payable: Col,
    status: Col,
    address: Col,
    memo: Col,
    freight: Col,
    paid: Col,
    finished: Col,
    receiver: Col,
    phone: Col,
    buyer: Col,
    message: Col,
    shipped: Col,
    carrier: Col,
    tracking: Col,
    shop: Col,
}

impl RowParser for JdRowParser {
    type Record = JdRow;
    const WANTED: &'static [&'static str] =
        &["订单号", "商品ID", "商品名称", "订购数量", "下单时间", "京东价", "应付金额", "订单状态", "运费金额"];

    fn from_header(file: &str, h: &Header) -> Result<Self, FileError> {
        let p = JdRowParser {
            tid: h.col(&["订单号"]),
            item_id: h.col(&["商品ID"]),
            outer_sku_id: h.col(&["商家SKUID", "商家编码"]),
            title: h.col(&["商品名称"]),
            qty: h.col(&["订购数量"]),
            created: h.col(&["下单时间"]),
            price: h.col(&["京东价"]),
            order_amount: h.col(&["订单金额"]),
            settlement: h.col(&["结算金额"]),
            payable: h.col(&["应付金额"]),
            status: h.col(&["订单状态"]),
            address: h.col(&["客户地址"]),
            memo: h.col_exact(&["商家备注", "卖家备注"]),
            freight: h.col(&["运费金额"]),
            paid: h.col(&["付款确认时间"]),
            finished: h.col(&["订单完成时间"]),
            receiver: h.col(&["客户姓名"]),
            phone: h.col(&["联系电话"]),
            buyer: h.col(&["下单帐号", "下单账号"]),
            message: h.col_exact(&["订单备注", "客户留言"]),
            shipped: h.col(&["出库时间", "发货时间"]),
            carrier: h.col(&["承运商", "物流公司"]),
            tracking: h.col(&["运单号"]),
            shop: h.col(&["店铺名称"]),
        };
        require(file, h, &[&p.tid, &p.qty, &p.created, &p.price, &p.payable, &p.status])?;
        Ok(p)
    }

    fn parse(&self, file: &str, row: &SheetRow) -> Result<JdRow, RowError> {
        let c = Cells::new(file, row);
        let tid = c.required_text(&self.tid)?;
        let paid_at = c.time(&self.paid)?;
        let status_text = c.text(&self.status);
        let status = parse_status(&status_text, paid_at.is_some()).map_err(|e| c.error(Some(&self.status), e.0))?;
        Ok(JdRow {
            line: row.line,
            tid,
            item_id: c.text(&self.item_id),
            outer_sku_id: c.text(&self.outer_sku_id),
            title: c.text(&self.title),
            qty: c.int(&self.qty)?.ok_or_else(|| c.error(Some(&self.qty), "empty"))?,
            price: c.money0(&self.price)?,
            created_at: c.required_time(&self.created)?,
            order_amount: c.money(&self.order_amount)?,
            settlement: c.money(&self.settlement)?,
            payable: c.money0(&self.payable)?,
            freight: c.money0(&self.freight)?,
            status_text,
            status,
            address: c.text(&self.address),
            receiver_name: c.text(&self.receiver),
            phone: c.text(&self.phone),
            buyer: c.text(&self.buyer),
            memo: c.text(&self.memo),
            buyer_message: c.text(&self.message),
            paid_at,
            finished_at: c.time(&self.finished)?,
            shipped_at: c.time(&self.shipped)?,
            carrier: c.text(&self.carrier),
            tracking_no: c.text(&self.tracking),
            shop: c.text(&self.shop),
        })
    }
}

/// Groups parsed rows (in file order) into trades, as described in the module doc. A trade whose
/// figures cannot be added up (absurdly large) becomes a [`RowError`] at its first row.
pub fn group_jd_rows(file: &str, rows: Vec<JdRow>) -> (Vec<OrderRecord>, Vec<RowError>) {
    let mut order_of: HashMap<String, usize> = HashMap::new();
    let mut groups: Vec<Vec<JdRow>> = Vec::new();
    for row in rows {
        match order_of.get(&row.tid) {
            Some(i) => groups[*i].push(row),
            None => {
                order_of.insert(row.tid.clone(), groups.len());
                groups.push(vec![row]);
            }
        }
    }
    let mut orders = Vec::with_capacity(groups.len());
    let mut errors = Vec::new();
    for group in groups {
        let Some(first) = group.first() else { continue };
        let (line, tid, item, title) = (first.line, first.tid.clone(), first.item_id.clone(), first.title.clone());
        match trade_of(group) {
            Some(order) => orders.push(order),
            None => errors.push(RowError {
                file: file.to_string(),
                line,
                column: None,
                reason: format!("trade {tid}: its amounts or quantities are too large to add up"),
                raw: vec![tid, item, title],
            }),
        }
    }
    (orders, errors)
}

/// Σ of `f` over `rows` in fen, or `None` when it does not fit.
fn checked_sum(rows: &[JdRow], f: impl Fn(&JdRow) -> i128) -> Option<i64> {
    i64::try_from(rows.iter().map(f).sum::<i128>()).ok()
}

fn trade_of(rows: Vec<JdRow>) -> Option<OrderRecord> {
    let first = rows.first()?.clone();
    let goods = Money::from_fen(checked_sum(&rows, |r| i128::from(r.price.fen()) * i128::from(r.qty))?);
    let item_count = checked_sum(&rows, |r| i128::from(r.qty))?;
    let freight = first.freight;
    let goods_and_freight = goods.checked_add(freight)?;
    let included = match first.order_amount {
        Some(o) => o >= goods_and_freight,
        None => true,
    };
    let (amount_paid, total) = if included {
        (first.payable, first.order_amount.unwrap_or(goods_and_freight))
    } else {
        (first.payable.checked_add(freight)?, first.order_amount.unwrap_or(goods).checked_add(freight)?)
    };
    let weights: Vec<i64> = rows.iter().map(|r| r.price.checked_mul(r.qty).map_or(0, Money::fen)).collect();
    let shares = amount_paid.allocate(&weights);
    let mut seen: HashMap<String, usize> = HashMap::new();
    let lines: Vec<LineRecord> = rows
        .iter()
        .zip(shares)
        .enumerate()
        .map(|(n, (r, share))| {
            let key = if r.item_id.is_empty() { (n + 1).to_string() } else { r.item_id.clone() };
            let k = seen.entry(key.clone()).or_insert(0);
            *k += 1;
            let oid = if *k == 1 { format!("{}-{}", r.tid, key) } else { format!("{}-{}-{}", r.tid, key, k) };
            LineRecord {
                line: r.line,
                oid,
                tid: r.tid.clone(),
                title: r.title.clone(),
                price: r.price,
                qty: r.qty,
                outer_sku_id: r.outer_sku_id.clone(),
                outer_id: String::new(),
                properties: String::new(),
                amount_paid: share,
                refund_status: String::new(),
                refund_amount: Money::ZERO,
                status_text: r.status_text.clone(),
                item_id: r.item_id.clone(),
                shipped_at: r.shipped_at,
                carrier: r.carrier.clone(),
                tracking_no: r.tracking_no.clone(),
            }
        })
        .collect();
    Some(OrderRecord {
        line: first.line,
        tid: first.tid.clone(),
        status: first.status,
        status_text: first.status_text.clone(),
        buyer_nick: first.buyer.clone(),
        receiver_name: first.receiver_name.clone(),
        receiver_phone: first.phone.clone(),
        region: parse_address(&first.address),
        receiver_address: first.address.clone(),
        goods_amount: goods,
        postage: freight,
        total_amount: total,
        amount_paid,
        shop_discount: Money::ZERO,
        platform_discount: Money::ZERO,
        seller_received: first.settlement,
        created_at: first.created_at,
        paid_at: first.paid_at,
        shipped_at: first.shipped_at,
        finished_at: first.finished_at,
        buyer_message: first.buyer_message.clone(),
        seller_memo: first.memo.clone(),
        carrier: first.carrier.clone(),
        tracking_no: first.tracking_no.clone(),
        close_reason: String::new(),
        refund_amount: Money::ZERO,
        item_titles: rows.iter().map(|r| r.title.as_str()).collect::<Vec<_>>().join("，"),
        item_count,
        shop_name: first.shop,
        lines,
    })
}

/// Reads a JD order export into trades with their lines.
pub fn read_jd_orders(sheet: &Sheet) -> Result<(Vec<OrderRecord>, Vec<RowError>), FileError> {
    let (header, rows) = sheet.header_and_rows(JdRowParser::WANTED)?;
    let parser = JdRowParser::from_header(&sheet.name, &header)?;
    let tid_idx = parser.tid.idx;
    let mut good = Vec::new();
    let mut errors = Vec::new();
    let mut bad_tids: HashMap<String, usize> = HashMap::new();
    for row in rows {
        if repeats_header(&header, row) {
            continue;
        }
        match parser.parse(&sheet.name, row) {
            Ok(r) => good.push(r),
            Err(e) => {
                let tid = clean_text(tid_idx.map_or("", |i| row.get(i)));
                if !tid.is_empty() {
                    bad_tids.entry(tid).or_insert(row.line);
                }
                errors.push(e);
            }
        }
    }
    let mut kept = Vec::with_capacity(good.len());
    for r in good {
        match bad_tids.get(&r.tid) {
            Some(bad_line) => errors.push(RowError {
                file: sheet.name.clone(),
                line: r.line,
                column: None,
                reason: format!("trade {} skipped: its row at line {bad_line} is bad", r.tid),
                raw: vec![r.tid.clone(), r.item_id.clone(), r.title.clone()],
            }),
            None => kept.push(r),
        }
    }
    let (orders, group_errors) = group_jd_rows(&sheet.name, kept);
    errors.extend(group_errors);
    errors.sort_by_key(|e| e.line);
    Ok((orders, errors))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sheet::read_sheet_bytes;

    const HEAD: &str = "订单号,商品ID,商品名称,订购数量,下单时间,京东价,订单金额,结算金额,应付金额,订单状态,客户地址,运费金额,付款确认时间,订单完成时间\n";

    fn read(body: &str) -> (Vec<OrderRecord>, Vec<RowError>) {
        let sheet = read_sheet_bytes("jd.csv", format!("{HEAD}{body}").as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        read_jd_orders(&sheet).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn groups_rows_and_adds_freight_when_not_included() {
        let (orders, errors) = read(
            "301,11,卫衣,2,2024-11-11 10:00:00,100.00,200.00,190.00,190.00,等待出库,北京 北京市 朝阳区 ***,6.00,2024-11-11 10:01:00,\n\
             301,12,袜子,1,2024-11-11 10:00:00,10.00,200.00,190.00,190.00,等待出库,北京 北京市 朝阳区 ***,6.00,2024-11-11 10:01:00,\n\
             302,11,卫衣,1,2024-11-11 11:00:00,100.00,106.00,100.00,106.00,完成,上海 上海市 徐汇区,6.00,2024-11-11 11:00:30,2024-11-15 09:00:00\n",
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(orders.len(), 2);
        // 订单金额 200 < goods 210 + freight 6: not included, so it is added.
        assert_eq!(orders[0].amount_paid, Money::from_fen(19_600));
        assert_eq!(orders[0].lines.len(), 2);
        assert_eq!(orders[0].lines.iter().map(|l| l.amount_paid).sum::<Money>(), Money::from_fen(19_600));
        assert_eq!(orders[0].lines[1].oid, "301-12");
        assert_eq!(orders[0].status, TradeStatus::WaitSellerSendGoods);
        // 订单金额 106 ≥ 100 + 6: included.
        assert_eq!(orders[1].amount_paid, Money::from_fen(10_600));
        assert_eq!(orders[1].status, TradeStatus::TradeFinished);
        assert!(orders[1].finished_at.is_some());
    }

    #[test]
    fn absurd_amounts_are_a_row_error_not_an_overflow() {
        let (orders, errors) = read(
            "501,11,卫衣,1000000000000,2024-11-11 10:00:00,10000000000000.00,,,10000000000000.00,等待出库,,10000000000000.00,2024-11-11 10:01:00,\n\
             501,12,卫衣,1000000000000,2024-11-11 10:00:00,10000000000000.00,,,10000000000000.00,等待出库,,10000000000000.00,2024-11-11 10:01:00,\n",
        );
        assert!(orders.is_empty());
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, 2);
    }

    #[test]
    fn a_bad_row_skips_its_whole_trade() {
        let (orders, errors) = read(
            "401,11,卫衣,2,2024-11-11 10:00:00,100.00,200.00,,200.00,等待出库,,0,2024-11-11 10:01:00,\n\
             401,12,袜子,x,2024-11-11 10:00:00,10.00,200.00,,200.00,等待出库,,0,2024-11-11 10:01:00,\n\
             402,11,卫衣,1,2024-11-11 11:00:00,100.00,100.00,,100.00,取消,,0,,\n",
        );
        assert_eq!(orders.len(), 1);
        assert_eq!(orders[0].status, TradeStatus::TradeClosedByTaobao);
        assert_eq!(errors.iter().map(|e| e.line).collect::<Vec<_>>(), vec![2, 3]);
        assert_eq!(errors[1].column.as_deref(), Some("订购数量"));
    }
}
