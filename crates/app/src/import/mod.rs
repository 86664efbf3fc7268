//! Importing the platforms' export files (DOMAIN.md §12): orders with their lines, products and
//! opening stock. Files are read by `zhanggui-formats`; here the records become trades, SKUs and
//! stock inside the store.
//!
//! Every importer is idempotent: the same file twice changes nothing the second time, and a later
//! export of the same trades moves them along the trade state machine instead of duplicating them.
//! Bad rows are reported (file, line, column, why) and skipped; good rows are kept. Trades are written
//! in batches, each one transaction, so a crash leaves no half-written trade and re-running completes
//! the job.

mod export_cases;
pub mod files;
pub mod orders;
pub mod products;
pub mod refunds;
pub mod staged;
pub mod traffic;

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use zhanggui_formats::RowError;
use zhanggui_store::StoreError;

use crate::{ErrorKind, Lang, UserFacing};

/// A row that was not imported, and why.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Reject {
    pub file: String,
    pub line: usize,
    pub column: Option<String>,
    pub reason: String,
}

impl From<&RowError> for Reject {
    fn from(e: &RowError) -> Reject {
        Reject { file: e.file.clone(), line: e.line, column: e.column.clone(), reason: e.reason.clone() }
    }
}

/// What an import did.
#[derive(Debug, Clone, Serialize, Default)]
pub struct ImportSummary {
    pub kind: String,
    pub file: String,
    /// Records read from the file (trades for order exports, rows otherwise).
    pub records: usize,
    pub inserted: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub rejected: usize,
    /// Lines whose merchant code matches no SKU (未匹配商品); imported and counted in sales.
    pub unmatched_lines: usize,
    /// The shop's inventory start, when this import set it.
    pub inventory_start_set: Option<DateTime<Utc>>,
    /// Product sheets: rows whose 成本价 or 售价 were not taken because the person importing does
    /// not see costs (their other columns were).
    pub costs_ignored: usize,
    pub rejects: Vec<Reject>,
    pub seconds: f64,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("shop {0} not found")]
    UnknownShop(String),
    #[error("{0}")]
    File(String),
    #[error("SKU {0} not found")]
    UnknownSku(String),
    #[error("{field}: {en}")]
    Invalid { field: &'static str, zh: String, en: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl UserFacing for ImportError {
    fn code(&self) -> &'static str {
        match self {
            ImportError::UnknownShop(_) => "not_found",
            ImportError::File(_) => "bad_file",
            ImportError::UnknownSku(_) => "not_found",
            ImportError::Invalid { .. } => "invalid_input",
            ImportError::Store(_) => "internal",
        }
    }

    fn kind(&self) -> ErrorKind {
        match self {
            ImportError::UnknownShop(_) => ErrorKind::NotFound,
            ImportError::File(_) | ImportError::Invalid { .. } => ErrorKind::BadInput,
            ImportError::UnknownSku(_) => ErrorKind::NotFound,
            ImportError::Store(_) => ErrorKind::Internal,
        }
    }

    fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (_, Lang::En) => self.to_string(),
            (ImportError::UnknownShop(s), Lang::Zh) => format!("找不到店铺 {s}"),
            (ImportError::File(m), Lang::Zh) => format!("文件无法读取：{m}"),
            (ImportError::UnknownSku(s), Lang::Zh) => format!("找不到商家编码为 {s} 的 SKU"),
            (ImportError::Invalid { zh, .. }, Lang::Zh) => zh.clone(),
            (ImportError::Store(e), Lang::Zh) => format!("系统错误：{e}"),
        }
    }
}

/// A local time of the export (the shop's time zone) as a stored UTC time.
pub(crate) fn utc(t: NaiveDateTime, tz: Tz) -> DateTime<Utc> {
    tz.from_local_datetime(&t).earliest().map(|x| x.with_timezone(&Utc)).unwrap_or_else(|| t.and_utc())
}

/// The rejected rows of one source file, in that file's own columns (its title and header rows
/// first) with the reason in a last column 错误原因, as UTF-8 CSV with a BOM so Excel opens it: fix the
/// rows and import the file again. `first_record_line` is the line of the first data row (rows before
/// it are copied as they are).
pub fn rejects_csv(sheet: &zhanggui_formats::Sheet, first_record_line: usize, rejects: &[Reject]) -> Vec<u8> {
    let mut out = Vec::from("\u{feff}".as_bytes());
    let wanted: std::collections::HashMap<usize, &str> =
        rejects.iter().filter(|r| r.file == sheet.name).map(|r| (r.line, r.reason.as_str())).collect();
    for row in &sheet.rows {
        if row.line < first_record_line {
            write_csv_row(&mut out, row.cells.iter().map(String::as_str));
            continue;
        }
        if let Some(reason) = wanted.get(&row.line) {
            write_csv_row(&mut out, row.cells.iter().map(String::as_str).chain(std::iter::once(*reason)));
        }
    }
    out
}

fn write_csv_row<'a>(out: &mut Vec<u8>, cells: impl Iterator<Item = &'a str>) {
    for (i, cell) in cells.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        if cell.contains([',', '"', '\n', '\r']) {
            out.push(b'"');
            out.extend_from_slice(cell.replace('"', "\"\"").as_bytes());
            out.push(b'"');
        } else {
            out.extend_from_slice(cell.as_bytes());
        }
    }
    out.extend_from_slice(b"\r\n");
}
