//! The common shape of every record reader: a parser built from the header row, applied to each row
//! after it. Whole sheets use [`read_records`]; streams ([`crate::open_rows`]) use [`RowParser::parse`]
//! row by row after [`crate::RowStream::with_header`].

use crate::error::FileError;
use crate::header::Header;
use crate::records::RowError;
use crate::row_reader::repeats_header;
use crate::sheet::{Sheet, SheetRow};

/// Reads one kind of record from rows under a known header.
pub trait RowParser: Sized {
    type Record;

    /// Header names that identify this kind of sheet (used to find the header row).
    const WANTED: &'static [&'static str];

    /// Finds the columns; fails if a required one is missing.
    fn from_header(file: &str, header: &Header) -> Result<Self, FileError>;

    /// One record, or why this row is not one.
    fn parse(&self, file: &str, row: &SheetRow) -> Result<Self::Record, RowError>;
}

/// Finds the header, builds the parser and reads every row after it (a row that repeats the header is
/// skipped). Bad rows become [`RowError`]s; good rows are kept.
pub fn read_records<P: RowParser>(sheet: &Sheet) -> Result<(Vec<P::Record>, Vec<RowError>), FileError> {
    let (header, rows) = sheet.header_and_rows(P::WANTED)?;
    let parser = P::from_header(&sheet.name, &header)?;
    let mut records = Vec::with_capacity(rows.len());
    let mut errors = Vec::new();
    for row in rows {
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

/// What [`read_records_path`] gives: the file's name, its records and its bad rows.
pub type FileRecords<R> = (String, Vec<R>, Vec<RowError>);

/// Like [`read_records`], but reads the file row by row (CSV is never held whole in memory): only
/// the records and errors are kept. Returns the file's name as errors give it, too.
pub fn read_records_path<P: RowParser>(path: &std::path::Path) -> Result<FileRecords<P::Record>, FileError> {
    let mut stream = stream_records_path::<P>(path)?;
    let mut records = Vec::new();
    let mut errors = Vec::new();
    for item in &mut stream {
        match item? {
            Ok(r) => records.push(r),
            Err(e) => errors.push(e),
        }
    }
    Ok((stream.name, records, errors))
}

/// The records of a file one at a time, for files too big to hold: each item is a record or the
/// row error that replaced it; a file error (unreadable bytes, I/O) ends the stream.
pub struct RecordStream<P: RowParser> {
    /// The file's name as errors give it.
    pub name: String,
    header: Header,
    rows: crate::sheet::HeaderedRows,
    parser: P,
}

/// Opens a file for [`RecordStream`]: finds the header and checks the columns `P` needs.
pub fn stream_records_path<P: RowParser>(path: &std::path::Path) -> Result<RecordStream<P>, FileError> {
    let name = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
    let (header, rows) = crate::sheet::open_rows(path)?.with_header(&name, P::WANTED)?;
    let parser = P::from_header(&name, &header)?;
    Ok(RecordStream { name, header, rows, parser })
}

impl<P: RowParser> Iterator for RecordStream<P> {
    type Item = Result<Result<P::Record, RowError>, FileError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let row = match self.rows.next()? {
                Ok(row) => row,
                Err(e) => return Some(Err(e)),
            };
            if repeats_header(&self.header, &row) {
                continue;
            }
            return Some(Ok(self.parser.parse(&self.name, &row)));
        }
    }
}
