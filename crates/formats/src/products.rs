//! Product/SKU sheets: one row per SKU.
//!
//! outer_sku_id ← 商家编码 (SKU商家编码, 规格编码, SKU编码; required); outer_id ← 商品编码/货号/款号
//! (optional); title ← 商品标题/商品名称/宝贝标题; properties ← 商品属性/销售属性 text, or built from
//! 颜色/颜色分类/尺码/尺寸/规格 columns as "颜色:黑色;尺码:M" (keys as the columns are named); cost ←
//! 成本价; price ← 售价/销售价/一口价; barcode ← 条码/条形码; stock ← 库存/可用库存; warehouse ← 仓库;
//! category ← 类目/分类.

use crate::cell::normalize_properties;
use crate::error::FileError;
use crate::header::{Col, Header};
use crate::records::{ProductRecord, RowError};
use crate::row_parser::{RowParser, read_records};
use crate::row_reader::{Cells, require};
use crate::sheet::{Sheet, SheetRow};

/// Columns whose values become sale properties, when the sheet has no property text.
const PROPERTY_COLUMNS: [&str; 6] = ["颜色分类", "颜色", "尺码", "尺寸", "规格", "款式"];

/// Columns of a product sheet.
#[derive(Debug, Clone)]
pub struct ProductParser {
    outer_sku_id: Col,
    outer_id: Col,
    title: Col,
    properties: Col,
    property_cols: Vec<Col>,
    cost: Col,
    price: Col,
    barcode: Col,
    stock: Col,
    warehouse: Col,
    category: Col,
}

impl RowParser for ProductParser {
    type Record = ProductRecord;
    const WANTED: &'static [&'static str] =
        &["商家编码", "商品编码", "商品标题", "商品属性", "颜色", "尺码", "成本价", "售价", "条码", "库存", "仓库"];

    fn from_header(file: &str, h: &Header) -> Result<Self, FileError> {
        let property_cols =
            PROPERTY_COLUMNS.iter().map(|n| h.col(&[n])).filter(|c| c.idx.is_some()).fold(Vec::new(), |mut v, c| {
                if !v.iter().any(|x: &Col| x.idx == c.idx) {
                    v.push(c);
                }
                v
            });
        let p = ProductParser {
            outer_sku_id: h.col(&["商家编码"]),
            outer_id: h.col(&["商品编码"]),
            title: h.col(&["商品标题"]),
            properties: h.col(&["商品属性", "销售属性", "SKU属性"]),
            property_cols,
            cost: h.col(&["成本价", "成本", "采购价"]),
            price: h.col(&["售价", "销售价", "一口价", "商品价格"]),
            barcode: h.col(&["条码", "条形码", "商品条码"]),
            stock: h.col(&["库存", "可用库存", "实际库存", "库存数量"]),
            warehouse: h.col(&["仓库", "仓库名称"]),
            category: h.col(&["类目", "分类", "商品类目"]),
        };
        require(file, h, &[&p.outer_sku_id])?;
        Ok(p)
    }

    fn parse(&self, file: &str, row: &SheetRow) -> Result<ProductRecord, RowError> {
        let c = Cells::new(file, row);
        let properties = if self.properties.idx.is_some() {
            normalize_properties(c.raw(&self.properties))
        } else {
            self.property_cols
                .iter()
                .filter_map(|col| {
                    let v = c.text(col);
                    (!v.is_empty()).then(|| format!("{}:{}", col.name, v))
                })
                .collect::<Vec<_>>()
                .join(";")
        };
        Ok(ProductRecord {
            line: row.line,
            outer_id: c.text(&self.outer_id),
            outer_sku_id: c.required_text(&self.outer_sku_id)?,
            title: c.text(&self.title),
            properties,
            cost: c.money(&self.cost)?,
            price: c.money(&self.price)?,
            barcode: c.text(&self.barcode),
            stock: c.int(&self.stock)?,
            warehouse: c.text(&self.warehouse),
            category: c.text(&self.category),
        })
    }
}

/// Reads a product/SKU sheet.
pub fn read_products(sheet: &Sheet) -> Result<(Vec<ProductRecord>, Vec<RowError>), FileError> {
    read_records::<ProductParser>(sheet)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sheet::read_sheet_bytes;
    use zhanggui_domain::Money;

    #[test]
    fn properties_from_columns_or_text() {
        let csv = "商家编码,货号,商品名称,颜色,尺码,成本价,售价,条码,库存,仓库\nWY-BK-M,WY,卫衣,黑色,M,45.00,129.00,6901234567890,12,杭州仓\n";
        let sheet = read_sheet_bytes("p.csv", csv.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        let (p, errors) = read_products(&sheet).unwrap_or_else(|e| panic!("{e}"));
        assert!(errors.is_empty());
        assert_eq!(p[0].properties, "颜色:黑色;尺码:M");
        assert_eq!(p[0].outer_id, "WY");
        assert_eq!(p[0].cost, Some(Money::from_fen(4500)));
        assert_eq!(p[0].stock, Some(12));
        let csv = "SKU商家编码,商品标题,销售属性,售价\nWY-BK-M,卫衣,颜色分类：黑色；尺码：M,129\n,缺编码,,1\n";
        let sheet = read_sheet_bytes("p.csv", csv.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        let (p, errors) = read_products(&sheet).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p[0].properties, "颜色分类:黑色;尺码:M");
        assert_eq!(p[0].outer_id, "");
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, 3);
    }
}
