//! 生意参谋 item ranking export (`【生意参谋平台】商品_全部_<from>_<to>.xls`): title rows, the header
//! on row 5, one row per item (and day, when 统计日期 is a column). DOMAIN.md §12.
//!
//! The day comes from 统计日期; when the export has no such column (a one-day export), from a title row
//! or the file name naming a single day ("…_2024-11-11_2024-11-11"). Counts of the first group of
//! [`ItemTrafficRecord`] are 0 when their cell or column is empty; the `Option` fields are `None`
//! when the export lacks the column or leaves the cell empty. Rates are parts per 10,000; 平均停留时长
//! (seconds, may have decimals) is kept in milliseconds.

use chrono::NaiveDate;

use crate::error::FileError;
use crate::header::{Col, Header};
use crate::records::{ItemTrafficRecord, RowError};
use crate::row_parser::RowParser;
use crate::row_reader::{Cells, repeats_header, require};
use crate::sheet::{Sheet, SheetRow};

/// Columns of the 生意参谋 item export.
#[derive(Debug, Clone)]
pub struct SycmItemParser {
    day: Col,
    item_id: Col,
    title: Col,
    status: Col,
    uv: Col,
    pv: Col,
    avg_stay: Col,
    bounce: Col,
    favorites: Col,
    cart_units: Col,
    cart_buyers: Col,
    order_buyers: Col,
    order_units: Col,
    order_amount: Col,
    order_rate: Col,
    paid_buyers: Col,
    paid_units: Col,
    paid_amount: Col,
    paid_rate: Col,
    new_buyers: Col,
    old_buyers: Col,
    refund: Col,
    search_uv: Col,
    search_buyers: Col,
    /// The day of a one-day export without 统计日期.
    pub default_day: Option<NaiveDate>,
}

impl RowParser for SycmItemParser {
    type Record = ItemTrafficRecord;
    const WANTED: &'static [&'static str] =
        &["统计日期", "商品ID", "商品名称", "商品访客数", "商品浏览量", "支付金额", "支付买家数", "支付件数"];

    fn from_header(file: &str, h: &Header) -> Result<Self, FileError> {
        let p = SycmItemParser {
            day: h.col(&["统计日期"]),
            item_id: h.col(&["商品ID"]),
            title: h.col(&["商品名称"]),
            status: h.col(&["商品状态"]),
            uv: h.col(&["商品访客数"]),
            pv: h.col(&["商品浏览量"]),
            avg_stay: h.col(&["平均停留时长"]),
            bounce: h.col(&["商品详情页跳出率", "详情页跳出率"]),
            favorites: h.col(&["商品收藏人数", "商品收藏买家数"]),
            cart_units: h.col(&["商品加购件数"]),
            cart_buyers: h.col(&["商品加购人数"]),
            order_buyers: h.col(&["下单买家数"]),
            order_units: h.col(&["下单件数"]),
            order_amount: h.col(&["下单金额"]),
            order_rate: h.col(&["下单转化率"]),
            paid_buyers: h.col(&["支付买家数"]),
            paid_units: h.col(&["支付件数"]),
            paid_amount: h.col(&["支付金额"]),
            paid_rate: h.col(&["商品支付转化率", "支付转化率"]),
            new_buyers: h.col(&["支付新买家数"]),
            old_buyers: h.col(&["支付老买家数"]),
            refund: h.col(&["成功退款金额"]),
            search_uv: h.col(&["搜索引导访客数"]),
            search_buyers: h.col(&["搜索引导支付买家数"]),
            default_day: single_day(file),
        };
        require(file, h, &[&p.item_id, &p.uv, &p.pv])?;
        Ok(p)
    }

    fn parse(&self, file: &str, row: &SheetRow) -> Result<ItemTrafficRecord, RowError> {
        let c = Cells::new(file, row);
        let day = match c.date(&self.day)? {
            Some(d) => d,
            None => self.default_day.ok_or_else(|| c.error(Some(&self.day), "no date for this row"))?,
        };
        let avg_stay_ms = c.scaled(&self.avg_stay, 3)?;
        Ok(ItemTrafficRecord {
            line: row.line,
            day,
            item_id: c.required_text(&self.item_id)?,
            title: c.text(&self.title),
            item_status: c.text(&self.status),
            uv: c.int0(&self.uv)?,
            pv: c.int0(&self.pv)?,
            add_cart_buyers: c.int0(&self.cart_buyers)?,
            favorite_buyers: c.int0(&self.favorites)?,
            order_buyers: c.int0(&self.order_buyers)?,
            paid_buyers: c.int0(&self.paid_buyers)?,
            paid_units: c.int0(&self.paid_units)?,
            paid_amount: c.money0(&self.paid_amount)?,
            avg_stay_ms,
            bounce_rate: c.percent(&self.bounce)?,
            add_cart_units: c.int(&self.cart_units)?,
            order_units: c.int(&self.order_units)?,
            order_amount: c.money(&self.order_amount)?,
            order_conversion_rate: c.percent(&self.order_rate)?,
            paid_conversion_rate: c.percent(&self.paid_rate)?,
            new_paid_buyers: c.int(&self.new_buyers)?,
            returning_paid_buyers: c.int(&self.old_buyers)?,
            refund_amount: c.money(&self.refund)?,
            search_uv: c.int(&self.search_uv)?,
            search_paid_buyers: c.int(&self.search_buyers)?,
        })
    }
}

/// Every YYYY-MM-DD (or YYYY/MM/DD) date in a text, in order.
pub fn dates_in(text: &str) -> Vec<NaiveDate> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i + 10 <= chars.len() {
        let w = &chars[i..i + 10];
        let digits_ok = [0, 1, 2, 3, 5, 6, 8, 9].iter().all(|&k| w[k].is_ascii_digit());
        let seps_ok = matches!(w[4], '-' | '/') && w[7] == w[4];
        if digits_ok && seps_ok {
            let s: String = w.iter().map(|c| if *c == '/' { '-' } else { *c }).collect();
            if let Ok(d) = NaiveDate::parse_from_str(&s, "%Y-%m-%d") {
                out.push(d);
                i += 10;
                continue;
            }
        }
        i += 1;
    }
    out
}

/// The day a text names when it names exactly one day (or a range from a day to the same day).
fn single_day(text: &str) -> Option<NaiveDate> {
    let dates = dates_in(text);
    let first = *dates.first()?;
    dates.iter().all(|d| *d == first).then_some(first)
}

/// Reads a 生意参谋 item ranking export.
pub fn read_sycm_items(sheet: &Sheet) -> Result<(Vec<ItemTrafficRecord>, Vec<RowError>), FileError> {
    let idx = sheet
        .header_row(SycmItemParser::WANTED)
        .ok_or_else(|| crate::sheet::no_header(&sheet.name, SycmItemParser::WANTED))?;
    let header = Header::from_row(&sheet.rows[idx]);
    let mut parser = SycmItemParser::from_header(&sheet.name, &header)?;
    if parser.default_day.is_none() {
        let titles: Vec<&str> = sheet.rows[..idx].iter().flat_map(|r| r.cells.iter().map(String::as_str)).collect();
        parser.default_day = single_day(&titles.join(" "));
    }
    let mut records = Vec::new();
    let mut errors = Vec::new();
    for row in sheet.rows.get(idx + 1..).unwrap_or(&[]) {
        if repeats_header(&header, row) {
            continue;
        }
        match parser.parse(&sheet.name, row) {
            Ok(r) => records.push(r),
            Err(e) => errors.push(e),
        }
    }
    Ok((records, errors))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_single_days_in_titles_and_names() {
        let d = NaiveDate::from_ymd_opt(2024, 11, 11);
        assert_eq!(single_day("【生意参谋平台】商品_全部_2024-11-11_2024-11-11.xls"), d);
        assert_eq!(single_day("统计时间：2024/11/11 ~ 2024/11/11"), d);
        assert_eq!(single_day("商品_全部_2024-11-01_2024-11-30"), None);
        assert_eq!(single_day("无日期"), None);
        assert_eq!(dates_in("2024-13-01 2024-02-29"), vec![NaiveDate::from_ymd_opt(2024, 2, 29).unwrap_or_default()]);
    }
}
