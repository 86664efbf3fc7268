//! Stocktake count sheets (盘点表): the sheet staff take to the shelves and bring back filled in.
//!
//! Written as CSV (UTF-8 with a BOM, so Excel opens the Chinese columns correctly) with the columns
//! 商家编码, 商品名称, 属性, 条码, 实盘数量; the book quantity is left off so the count is blind.
//! Read back from CSV, XLS or XLSX by header name: the SKU by 商家编码 (or 条码 when the code column
//! is missing or empty), the count from 实盘数量 (also 盘点数量, 实盘数). A row with an empty count
//! was not counted and is skipped; a count that is not a whole number of at least 0 is a row error.

use std::io::Write;

use crate::error::FileError;
use crate::header::{Col, Header};
use crate::records::RowError;
use crate::row_parser::RowParser;
use crate::row_reader::{Cells, require};
use crate::sheet::SheetRow;

/// One counted row of a count sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountRecord {
    pub line: usize,
    /// 商家编码, or empty when the row names its SKU by barcode only.
    pub outer_sku_id: String,
    pub barcode: String,
    /// `None` when the cell was left empty (not counted).
    pub counted: Option<i64>,
}

/// A row of a count sheet to write.
#[derive(Debug, Clone)]
pub struct CountSheetRow<'a> {
    pub outer_sku_id: &'a str,
    pub title: &'a str,
    pub properties: &'a str,
    pub barcode: &'a str,
    /// Already counted (a sheet printed again during the count), else empty.
    pub counted: Option<i64>,
}

pub const COUNT_SHEET_HEADER: [&str; 5] = ["商家编码", "商品名称", "属性", "条码", "实盘数量"];

/// Writes a count sheet as CSV.
pub fn write_count_sheet<'a, W: Write>(
    out: W,
    rows: impl IntoIterator<Item = CountSheetRow<'a>>,
) -> std::io::Result<()> {
    let mut out = out;
    out.write_all("\u{feff}".as_bytes())?;
    let mut w = csv::Writer::from_writer(out);
    w.write_record(COUNT_SHEET_HEADER)?;
    for r in rows {
        let counted = r.counted.map(|c| c.to_string()).unwrap_or_default();
        w.write_record([r.outer_sku_id, r.title, r.properties, r.barcode, counted.as_str()])?;
    }
    w.flush()?;
    Ok(())
}

/// Columns of a count sheet.
#[derive(Debug, Clone)]
pub struct CountSheetParser {
    outer_sku_id: Col,
    barcode: Col,
    counted: Col,
}

impl RowParser for CountSheetParser {
    type Record = CountRecord;
    const WANTED: &'static [&'static str] = &["商家编码", "条码", "实盘数量"];

    fn from_header(file: &str, h: &Header) -> Result<Self, FileError> {
        let p = CountSheetParser {
            outer_sku_id: h.col(&["商家编码", "SKU编码", "规格编码"]),
            barcode: h.col(&["条码", "条形码", "商品条码"]),
            counted: h.col(&["实盘数量", "盘点数量", "实盘数"]),
        };
        require(file, h, &[&p.counted])?;
        if p.outer_sku_id.idx.is_none() {
            require(file, h, &[&p.barcode])?;
        }
        Ok(p)
    }

    fn parse(&self, file: &str, row: &SheetRow) -> Result<CountRecord, RowError> {
        let c = Cells::new(file, row);
        let outer_sku_id = c.text(&self.outer_sku_id);
        let barcode = c.text(&self.barcode);
        if outer_sku_id.is_empty() && barcode.is_empty() {
            return Err(c.error(Some(&self.outer_sku_id), "no 商家编码 or 条码 to say which SKU was counted"));
        }
        let counted = c.int(&self.counted)?;
        if let Some(n) = counted
            && n < 0
        {
            return Err(c.error(Some(&self.counted), format!("a count cannot be negative ({n})")));
        }
        Ok(CountRecord { line: row.line, outer_sku_id, barcode, counted })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::row_parser::read_records;
    use crate::sheet::read_sheet_bytes;

    #[test]
    fn a_written_sheet_reads_back() {
        let rows = [
            CountSheetRow {
                outer_sku_id: "TS2401-BLK-M",
                title: "纯棉圆领短袖T恤女",
                properties: "颜色分类:黑色;尺码:M",
                barcode: "6901234567890",
                counted: None,
            },
            CountSheetRow {
                outer_sku_id: "JN2403-BLU-27",
                title: "高腰阔腿牛仔裤女, 垂感",
                properties: "颜色分类:浅蓝色;尺码:27",
                barcode: "",
                counted: Some(4),
            },
        ];
        let mut bytes = Vec::new();
        write_count_sheet(&mut bytes, rows.iter().cloned()).unwrap_or_else(|e| panic!("{e}"));
        let sheet = read_sheet_bytes("盘点表.csv", &bytes).unwrap_or_else(|e| panic!("{e}"));
        let (records, errors) = read_records::<CountSheetParser>(&sheet).unwrap_or_else(|e| panic!("{e}"));
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(records.len(), 2);
        assert_eq!(records[0].counted, None);
        assert_eq!(
            records[1],
            CountRecord { line: 3, outer_sku_id: "JN2403-BLU-27".into(), barcode: String::new(), counted: Some(4) }
        );
    }

    #[test]
    fn bad_rows_say_where_and_why() {
        let csv = "条码,商品名称,实盘数量\n6901234567890,T恤,12\n,没有编码,3\n6901234567891,卫衣,-2\n6901234567892,卫衣,十二\n6901234567893,帽子,\n";
        let sheet = read_sheet_bytes("count.csv", csv.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        let (records, errors) = read_records::<CountSheetParser>(&sheet).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(records.len(), 2);
        assert_eq!(records[0].barcode, "6901234567890");
        assert_eq!(records[0].counted, Some(12));
        assert_eq!(records[1].counted, None, "an empty count is not counted");
        let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![3, 4, 5]);
        assert_eq!(errors[1].column.as_deref(), Some("实盘数量"));
    }

    #[test]
    fn a_sheet_without_a_count_column_is_a_file_error() {
        let sheet = read_sheet_bytes("x.csv", "商家编码,数量\nA,1\n".as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        assert!(read_records::<CountSheetParser>(&sheet).is_err());
    }
}
