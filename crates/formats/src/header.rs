//! Header rows and column names. Columns are found by name, never by position (DOMAIN.md §12).
//!
//! A header name is compared in its [`header_key`] form: BOM, zero-width characters and all
//! whitespace (trailing spaces, full-width spaces) removed, `="..."` unwrapped, full-width
//! parentheses made half-width, ASCII lower-cased. Known aliases ([`ALIASES`]) name the same column.

use std::sync::OnceLock;

use crate::sheet::SheetRow;

/// Groups of header names that mean the same column in different exports or export versions.
/// The first name of a group is the one used in this crate's code.
pub const ALIASES: &[&[&str]] = &[
    &["订单编号", "主订单编号", "订单号"],
    &["买家实际支付金额", "买家实付金额"],
    &["商品标题", "标题", "宝贝标题", "商品名称"],
    &["商品价格", "价格", "单价"],
    &["购买数量", "数量", "宝贝数量"],
    &["商品ID", "宝贝ID", "商品id"],
    &["联系手机", "手机", "手机号", "收货人手机号"],
    &["收货人姓名", "收货人", "客户姓名"],
    &["订单备注", "卖家备注", "商家备注"],
    &["物流单号", "运单号", "快递单号"],
    &["物流公司", "快递公司"],
    &["统计日期", "日期"],
    &["浏览量", "PV", "商品浏览量"],
    &["访客数", "UV", "商品访客数"],
    &["商家编码", "SKU商家编码", "sku编码", "规格编码", "商家编码-规格维度"],
    &["商品编码", "货号", "款号", "商家编码-商品维度", "商品商家编码"],
];

/// The form in which header names are compared.
pub fn header_key(name: &str) -> String {
    let t = crate::cell::clean_text(name);
    t.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '\u{feff}' | '\u{200b}' | '\u{200c}' | '\u{200d}'))
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// [`ALIASES`] in key form, computed once.
fn alias_keys() -> &'static [Vec<String>] {
    static KEYS: OnceLock<Vec<Vec<String>>> = OnceLock::new();
    KEYS.get_or_init(|| ALIASES.iter().map(|g| g.iter().map(|n| header_key(n)).collect()).collect())
}

/// The names (keys) that count as `name`: itself first, then its aliases in [`ALIASES`] order.
fn candidates(name: &str) -> Vec<String> {
    let key = header_key(name);
    let mut out = vec![key.clone()];
    for group in alias_keys() {
        if group.contains(&key) {
            for k in group {
                if !out.contains(k) {
                    out.push(k.clone());
                }
            }
        }
    }
    out
}

/// A header row: the line it was on and its column names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub line: usize,
    /// The names as written, cleaned of surrounding spaces.
    pub names: Vec<String>,
    keys: Vec<String>,
}

/// A column the reader asked for: where it is (if present) and the name to report in errors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Col {
    pub idx: Option<usize>,
    /// The name as written in the file, or the first name asked for when the column is absent.
    pub name: String,
}

impl Header {
    pub fn from_row(row: &SheetRow) -> Header {
        Header {
            line: row.line,
            names: row.cells.iter().map(|c| crate::cell::clean_text(c)).collect(),
            keys: row.cells.iter().map(|c| header_key(c)).collect(),
        }
    }

    /// The index of the first column named `name` or one of its aliases (the name itself wins).
    pub fn find(&self, name: &str) -> Option<usize> {
        candidates(name).iter().find_map(|k| self.keys.iter().position(|h| h == k))
    }

    /// Like [`Header::find`], trying each of `names` (and their aliases) in turn.
    pub fn find_any(&self, names: &[&str]) -> Option<usize> {
        names.iter().find_map(|n| self.find(n))
    }

    /// The column for `names` (first found), with the name to show in errors.
    pub fn col(&self, names: &[&str]) -> Col {
        let idx = self.find_any(names);
        let name = match idx.and_then(|i| self.names.get(i)) {
            Some(n) => n.clone(),
            None => names.first().map(|s| (*s).to_string()).unwrap_or_default(),
        };
        Col { idx, name }
    }

    /// The column for the first of `names` present, compared without aliases.
    pub fn col_exact(&self, names: &[&str]) -> Col {
        let idx = names.iter().find_map(|n| {
            let k = header_key(n);
            self.keys.iter().position(|h| *h == k)
        });
        let name = match idx.and_then(|i| self.names.get(i)) {
            Some(n) => n.clone(),
            None => names.first().map(|s| (*s).to_string()).unwrap_or_default(),
        };
        Col { idx, name }
    }

    /// How many of `wanted` this header has.
    pub fn score(&self, wanted: &[&str]) -> usize {
        wanted.iter().filter(|w| self.find(w).is_some()).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cells: &[&str]) -> SheetRow {
        SheetRow { line: 1, cells: cells.iter().map(|c| (*c).to_string()).collect() }
    }

    #[test]
    fn names_compare_without_spaces_bom_or_width() {
        let h = Header::from_row(&row(&["\u{feff}订单编号 ", "买家实付金额\u{3000}", "商品总价（元）", " PV"]));
        assert_eq!(h.find("订单编号"), Some(0));
        assert_eq!(h.find("买家实际支付金额"), Some(1));
        assert_eq!(h.find("商品总价(元)"), Some(2));
        assert_eq!(h.find("浏览量"), Some(3));
        assert_eq!(h.find("pv"), Some(3));
        assert_eq!(h.find("宝贝标题"), None);
        assert_eq!(h.col(&["买家实际支付金额"]).name, "买家实付金额");
        assert_eq!(h.col(&["总金额"]), Col { idx: None, name: "总金额".into() });
    }

    #[test]
    fn the_name_itself_wins_over_an_alias() {
        let h = Header::from_row(&row(&["主订单编号", "订单编号", "标题", "商品标题"]));
        assert_eq!(h.find("订单编号"), Some(1));
        assert_eq!(h.find("主订单编号"), Some(0));
        assert_eq!(h.find("商品标题"), Some(3));
        assert_eq!(h.find("标题"), Some(2));
    }
}
