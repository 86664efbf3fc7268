//! A shop's daily traffic sheet: 日期/统计日期, 浏览量/PV, 访客数/UV, and optional columns named as in
//! DOMAIN.md §7 (收订笔数, 收订金额, 下单买家数, 付款笔数, 支付金额, 支付买家数, 支付转化率, 客单价,
//! 成功退款金额, 加购人数, 收藏人数; common alternative names accepted). Optional columns the sheet
//! lacks, or leaves empty, are `None`. Rates are parts per 10,000.

use crate::error::FileError;
use crate::header::{Col, Header};
use crate::records::{RowError, ShopTrafficRecord};
use crate::row_parser::{RowParser, read_records};
use crate::row_reader::{Cells, require};
use crate::sheet::{Sheet, SheetRow};

/// Columns of a shop traffic sheet.
#[derive(Debug, Clone)]
pub struct ShopTrafficParser {
    day: Col,
    pv: Col,
    uv: Col,
    orders_created: Col,
    amount_created: Col,
    buyers_created: Col,
    orders_paid: Col,
    amount_paid: Col,
    paying_buyers: Col,
    conversion_rate: Col,
    aov: Col,
    refund: Col,
    add_cart: Col,
    favorites: Col,
}

impl RowParser for ShopTrafficParser {
    type Record = ShopTrafficRecord;
    const WANTED: &'static [&'static str] = &["统计日期", "浏览量", "访客数", "支付金额", "支付买家数", "支付转化率"];

    fn from_header(file: &str, h: &Header) -> Result<Self, FileError> {
        let p = ShopTrafficParser {
            day: h.col(&["统计日期"]),
            pv: h.col(&["浏览量"]),
            uv: h.col(&["访客数"]),
            orders_created: h.col(&["收订笔数", "下单笔数"]),
            amount_created: h.col(&["收订金额", "下单金额"]),
            buyers_created: h.col(&["下单买家数"]),
            orders_paid: h.col(&["付款笔数", "支付笔数", "支付订单数", "支付子订单数"]),
            amount_paid: h.col(&["支付金额"]),
            paying_buyers: h.col(&["支付买家数"]),
            conversion_rate: h.col(&["支付转化率"]),
            aov: h.col(&["客单价"]),
            refund: h.col(&["成功退款金额", "退款金额"]),
            add_cart: h.col(&["加购人数", "商品加购人数"]),
            favorites: h.col(&["收藏人数", "商品收藏人数", "商品收藏买家数"]),
        };
        require(file, h, &[&p.day, &p.pv, &p.uv])?;
        Ok(p)
    }

    fn parse(&self, file: &str, row: &SheetRow) -> Result<ShopTrafficRecord, RowError> {
        let c = Cells::new(file, row);
        Ok(ShopTrafficRecord {
            line: row.line,
            day: c.date(&self.day)?.ok_or_else(|| c.error(Some(&self.day), "empty"))?,
            pv: c.int0(&self.pv)?,
            uv: c.int0(&self.uv)?,
            orders_created: c.int(&self.orders_created)?,
            amount_created: c.money(&self.amount_created)?,
            buyers_created: c.int(&self.buyers_created)?,
            orders_paid: c.int(&self.orders_paid)?,
            amount_paid: c.money(&self.amount_paid)?,
            paying_buyers: c.int(&self.paying_buyers)?,
            conversion_rate: c.percent(&self.conversion_rate)?,
            aov: c.money(&self.aov)?,
            refund_amount: c.money(&self.refund)?,
            add_cart_buyers: c.int(&self.add_cart)?,
            favorite_buyers: c.int(&self.favorites)?,
        })
    }
}

/// Reads a shop daily traffic sheet.
pub fn read_shop_traffic(sheet: &Sheet) -> Result<(Vec<ShopTrafficRecord>, Vec<RowError>), FileError> {
    read_records::<ShopTrafficParser>(sheet)
}
