//! Reading platform export files (DOMAIN.md §12) into typed records, with the line number of every
//! record and a [`RowError`] for every bad row. Pure: no database, no network; never panics on any
//! input (malformed files give a [`FileError`] or row errors).
//!
//! - [`sheet`]: bytes or a path → rows of text cells (`.csv` in UTF-8/UTF-8 BOM/GBK/GB18030/UTF-16,
//!   `.xls`, `.xlsx`), streaming for CSV ([`open_rows`], [`csv_rows`]).
//! - [`header`]: header row detection and column names with aliases; [`row_parser`]: the common
//!   shape of the record readers (whole sheets or row by row from a stream).
//! - [`cell`]: cleaners and parsers for single cells (money, integers, percentages, times, statuses).
//! - [`records`]: the platform-neutral records the readers produce.
//! - [`taobao`], [`pdd`], [`jd`]: order exports. [`products`]: product/SKU sheets. [`sycm`]: 生意参谋
//!   item ranking. [`traffic`]: shop daily traffic. [`ads`]: 直通车/万相台 reports.
//! - [`report`]: report tables written as CSV or XLSX.
//! - [`fixtures`]: deterministic generators that write realistic export files with every quirk and
//!   return what they wrote, for tests and benchmarks.

pub mod ads;
pub mod cell;
pub mod count_sheet;
mod decode;
pub mod error;
pub mod fixtures;
pub mod header;
pub mod jd;
pub mod pdd;
pub mod products;
pub mod records;
pub mod refunds;
pub mod report;
pub mod row_parser;
mod row_reader;
pub mod sheet;
pub mod status_text;
pub mod sycm;
pub mod taobao;
pub mod traffic;

pub use error::{CellError, FileError};
pub use header::Header;
pub use records::{
    AdDailyRecord, ItemTrafficRecord, LineRecord, OrderRecord, ProductRecord, RowError, ShopTrafficRecord,
};
pub use row_parser::{RecordStream, RowParser, read_records, read_records_path, stream_records_path};
pub use sheet::{
    CsvRows, HeaderedRows, ReaderRows, RowStream, Sheet, SheetFormat, SheetRow, TextEncoding, csv_rows, open_rows,
    read_sheet, read_sheet_bytes,
};
