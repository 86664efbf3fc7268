//! Typed access to the cells of one row, turning cell errors into [`RowError`]s with the column name.

use chrono::{NaiveDate, NaiveDateTime};
use zhanggui_domain::Money;

use crate::cell;
use crate::error::{CellError, FileError};
use crate::header::{Col, Header};
use crate::records::RowError;
use crate::sheet::SheetRow;

pub(crate) struct Cells<'a> {
    pub file: &'a str,
    pub row: &'a SheetRow,
}

impl<'a> Cells<'a> {
    pub fn new(file: &'a str, row: &'a SheetRow) -> Cells<'a> {
        Cells { file, row }
    }

    pub fn raw(&self, col: &Col) -> &str {
        col.idx.map_or("", |i| self.row.get(i))
    }

    pub fn text(&self, col: &Col) -> String {
        cell::clean_text(self.raw(col))
    }

    pub fn error(&self, col: Option<&Col>, reason: impl Into<String>) -> RowError {
        RowError {
            file: self.file.to_string(),
            line: self.row.line,
            column: col.map(|c| c.name.clone()),
            reason: crate::error::bilingual(&reason.into()),
            raw: self.row.cells.clone(),
        }
    }

    fn wrap<T>(&self, col: &Col, r: Result<T, CellError>) -> Result<T, RowError> {
        r.map_err(|e| self.error(Some(col), e.0))
    }

    /// A text that must not be empty.
    pub fn required_text(&self, col: &Col) -> Result<String, RowError> {
        let t = self.text(col);
        if t.is_empty() {
            return Err(self.error(Some(col), "empty"));
        }
        Ok(t)
    }

    pub fn money(&self, col: &Col) -> Result<Option<Money>, RowError> {
        self.wrap(col, cell::parse_money(self.raw(col)))
    }

    /// Money where an empty cell means zero.
    pub fn money0(&self, col: &Col) -> Result<Money, RowError> {
        Ok(self.money(col)?.unwrap_or(Money::ZERO))
    }

    pub fn int(&self, col: &Col) -> Result<Option<i64>, RowError> {
        self.wrap(col, cell::parse_int(self.raw(col)))
    }

    /// An integer where an empty cell means zero.
    pub fn int0(&self, col: &Col) -> Result<i64, RowError> {
        Ok(self.int(col)?.unwrap_or(0))
    }

    pub fn percent(&self, col: &Col) -> Result<Option<i64>, RowError> {
        self.wrap(col, cell::parse_percent(self.raw(col)))
    }

    pub fn scaled(&self, col: &Col, places: u32) -> Result<Option<i64>, RowError> {
        self.wrap(col, cell::parse_scaled(self.raw(col), places))
    }

    pub fn time(&self, col: &Col) -> Result<Option<NaiveDateTime>, RowError> {
        self.wrap(col, cell::parse_local_time(self.raw(col)))
    }

    pub fn required_time(&self, col: &Col) -> Result<NaiveDateTime, RowError> {
        self.time(col)?.ok_or_else(|| self.error(Some(col), "empty"))
    }

    pub fn date(&self, col: &Col) -> Result<Option<NaiveDate>, RowError> {
        self.wrap(col, cell::parse_local_date(self.raw(col)))
    }
}

/// A [`FileError::MissingColumns`] unless every one of `cols` is present.
pub(crate) fn require(file: &str, header: &Header, cols: &[&Col]) -> Result<(), FileError> {
    let missing: Vec<&str> = cols.iter().filter(|c| c.idx.is_none()).map(|c| c.name.as_str()).collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(FileError::MissingColumns { file: file.to_string(), line: header.line, missing: missing.join("、") })
}

/// Whether a row repeats the header (some exports repeat it on every page).
pub(crate) fn repeats_header(header: &Header, row: &SheetRow) -> bool {
    let names = &header.names;
    !names.is_empty()
        && row.cells.len() == names.len()
        && names.iter().zip(row.cells.iter()).all(|(h, c)| *h == cell::clean_text(c))
}
