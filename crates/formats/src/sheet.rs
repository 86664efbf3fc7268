//! A spreadsheet as rows of text cells, from `.csv`, `.xls` or `.xlsx`.
//!
//! The kind of file is decided by its content (ZIP → xlsx, OLE2 → xls, anything else is CSV text),
//! so a CSV saved as `.xls` still reads. CSV text may be UTF-8 with or without BOM, UTF-16 with BOM, or
//! GBK/GB18030 (strict UTF-8 is tried first); the delimiter is a comma unless the first line has tabs
//! and no commas. Spreadsheet cells are rendered as the text a person sees: integral numbers without
//! ".0", long numbers (order numbers) never in scientific notation, date cells as
//! "YYYY-MM-DD HH:MM:SS".
//!
//! Rows that are entirely empty and footer rows whose first non-empty cell starts with 总计 or 合计
//! are skipped, but every row keeps its own line number. CSV can be read as a stream ([`open_rows`],
//! [`csv_rows`]) holding one row at a time.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, BufReader, Cursor, Read};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::rc::Rc;

use calamine::{Data, Reader};

use crate::decode::{DecodingReader, is_utf8_stream, read_prefix, sniff};
use crate::error::FileError;
use crate::header::Header;

/// Rows searched for the header.
pub const HEADER_SEARCH_ROWS: usize = 10;

/// One row of a sheet.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SheetRow {
    /// 1-based: the line where a CSV record starts, or the row number in a spreadsheet.
    pub line: usize,
    pub cells: Vec<String>,
}

impl SheetRow {
    /// The cell at `idx`, or "" past the end of a short row.
    pub fn get(&self, idx: usize) -> &str {
        self.cells.get(idx).map_or("", String::as_str)
    }
}

/// Text encoding of a CSV file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    Utf8,
    Utf8Bom,
    /// GB18030, which includes GBK and GB2312.
    Gb18030,
    Utf16Le,
    Utf16Be,
}

/// What kind of file a sheet was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SheetFormat {
    Csv(TextEncoding),
    Xls,
    Xlsx,
}

/// A whole sheet in memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sheet {
    /// The file name, as given; used in errors.
    pub name: String,
    pub format: SheetFormat,
    /// Rows that are not empty and not 总计/合计 footers, in file order.
    pub rows: Vec<SheetRow>,
    /// How many empty and footer rows were skipped.
    pub skipped: usize,
}

impl Sheet {
    /// The index in [`Sheet::rows`] of the header: among the first [`HEADER_SEARCH_ROWS`] rows, the
    /// first one containing the most of `wanted` (aliases count). `None` if no row has any.
    pub fn header_row(&self, wanted: &[&str]) -> Option<usize> {
        best_header(self.rows.iter().take(HEADER_SEARCH_ROWS), wanted)
    }

    /// The header (found as in [`Sheet::header_row`]) and the rows after it.
    pub fn header_and_rows(&self, wanted: &[&str]) -> Result<(Header, &[SheetRow]), FileError> {
        let idx = self.header_row(wanted).ok_or_else(|| no_header(&self.name, wanted))?;
        let header = Header::from_row(&self.rows[idx]);
        Ok((header, self.rows.get(idx + 1..).unwrap_or(&[])))
    }
}

pub(crate) fn no_header(file: &str, wanted: &[&str]) -> FileError {
    FileError::NoHeader { file: file.to_string(), wanted: wanted.join("、") }
}

fn best_header<'a>(rows: impl Iterator<Item = &'a SheetRow>, wanted: &[&str]) -> Option<usize> {
    let mut best: Option<(usize, usize)> = None;
    for (i, row) in rows.enumerate() {
        let score = Header::from_row(row).score(wanted);
        if score > 0 && best.is_none_or(|(_, s)| score > s) {
            best = Some((i, score));
        }
    }
    best.map(|(i, _)| i)
}

/// Whether a row is skipped: every cell empty, or the first non-empty cell starts with 总计/合计.
pub fn is_skipped_row(cells: &[String]) -> bool {
    match cells
        .iter()
        .map(|c| c.trim_matches(|ch: char| ch.is_whitespace() || ch == '\u{feff}'))
        .find(|c| !c.is_empty())
    {
        None => true,
        Some(first) => {
            let first = crate::cell::clean_text(first);
            first.starts_with("总计") || first.starts_with("合计")
        }
    }
}

/// Reads a whole sheet from a file (CSV is streamed from disk, not loaded whole first).
pub fn read_sheet(path: &Path) -> Result<Sheet, FileError> {
    let name = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
    let stream = open_rows(path)?;
    let format = stream.format();
    let mut rows = Vec::new();
    let mut stream = stream;
    for row in stream.by_ref() {
        rows.push(row?);
    }
    let skipped = stream.skipped();
    finish(Sheet { name, format, rows, skipped })
}

/// Reads a whole sheet from bytes. `name` is used for errors (its extension is not trusted).
pub fn read_sheet_bytes(name: &str, bytes: &[u8]) -> Result<Sheet, FileError> {
    if bytes.is_empty() {
        return Err(FileError::Empty { file: name.to_string() });
    }
    let sheet = match kind_of(bytes) {
        Kind::Xlsx => read_workbook(name, bytes, SheetFormat::Xlsx)?,
        Kind::Xls => read_workbook(name, bytes, SheetFormat::Xls)?,
        Kind::Text => {
            let encoding = sniff(bytes, true);
            let mut rows = csv_rows_with(name, bytes, encoding);
            let mut out = Vec::new();
            for row in rows.by_ref() {
                out.push(row?);
            }
            Sheet { name: name.to_string(), format: SheetFormat::Csv(encoding), rows: out, skipped: rows.skipped }
        }
    };
    finish(sheet)
}

fn finish(sheet: Sheet) -> Result<Sheet, FileError> {
    if sheet.rows.is_empty() {
        return Err(FileError::Empty { file: sheet.name });
    }
    Ok(sheet)
}

enum Kind {
    Xlsx,
    Xls,
    Text,
}

fn kind_of(prefix: &[u8]) -> Kind {
    if prefix.starts_with(b"PK\x03\x04") {
        Kind::Xlsx
    } else if prefix.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        Kind::Xls
    } else {
        Kind::Text
    }
}

fn read_workbook(name: &str, bytes: &[u8], format: SheetFormat) -> Result<Sheet, FileError> {
    let unreadable = |detail: String| FileError::Unreadable { file: name.to_string(), detail };
    // calamine is a large parser of untrusted input; a panic inside it becomes an error here.
    let result = catch_unwind(AssertUnwindSafe(|| -> Result<(Vec<SheetRow>, usize), String> {
        let cursor = Cursor::new(bytes);
        let mut book: calamine::Sheets<Cursor<&[u8]>> = match format {
            SheetFormat::Xls => calamine::Sheets::Xls(
                calamine::open_workbook_from_rs(cursor).map_err(|e: calamine::XlsError| e.to_string())?,
            ),
            _ => calamine::Sheets::Xlsx(
                calamine::open_workbook_from_rs(cursor).map_err(|e: calamine::XlsxError| e.to_string())?,
            ),
        };
        let count = book.sheet_names().len();
        let mut first_err = None;
        for n in 0..count {
            match book.worksheet_range_at(n) {
                Some(Ok(range)) if !range.is_empty() => return Ok(range_rows(&range)),
                Some(Err(e)) => {
                    first_err.get_or_insert(e.to_string());
                }
                _ => {}
            }
        }
        match first_err {
            Some(e) => Err(e),
            None => Ok((Vec::new(), 0)),
        }
    }));
    match result {
        Ok(Ok((rows, skipped))) => Ok(Sheet { name: name.to_string(), format, rows, skipped }),
        Ok(Err(detail)) => Err(unreadable(detail)),
        Err(_) => Err(unreadable("the spreadsheet parser failed on this file".to_string())),
    }
}

fn range_rows(range: &calamine::Range<Data>) -> (Vec<SheetRow>, usize) {
    let first_row = range.start().map_or(0, |(r, _)| r as usize);
    let mut rows = Vec::new();
    let mut skipped = 0;
    for (i, row) in range.rows().enumerate() {
        let mut cells: Vec<String> = row.iter().map(render_cell).collect();
        while cells.last().is_some_and(String::is_empty) {
            cells.pop();
        }
        if is_skipped_row(&cells) {
            skipped += 1;
            continue;
        }
        rows.push(SheetRow { line: first_row + i + 1, cells });
    }
    (rows, skipped)
}

/// A cell as a person sees it in a spreadsheet.
pub(crate) fn render_cell(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => render_float(*f),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Data::DateTime(dt) => {
            if dt.is_duration() {
                let total = (dt.as_f64() * 86_400.0).round();
                if !total.is_finite() || total.abs() > 1e12 {
                    return render_float(dt.as_f64());
                }
                let total = total as i64;
                let sign = if total < 0 { "-" } else { "" };
                let t = total.abs();
                format!("{sign}{:02}:{:02}:{:02}", t / 3600, t / 60 % 60, t % 60)
            } else {
                let (y, mo, d, h, mi, s, ms) = dt.to_ymd_hms_milli();
                // Excel keeps milliseconds; a person sees whole seconds, rounded.
                let base = format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}");
                if ms >= 500 { round_up_second(&base).unwrap_or(base) } else { base }
            }
        }
        Data::DateTimeIso(s) => s.replacen('T', " ", 1),
        Data::DurationIso(s) => s.clone(),
        Data::Error(e) => e.to_string(),
    }
}

fn round_up_second(text: &str) -> Option<String> {
    let dt = chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S").ok()?;
    let next = dt.checked_add_signed(chrono::Duration::seconds(1))?;
    Some(next.format("%Y-%m-%d %H:%M:%S").to_string())
}

/// A number as a spreadsheet shows it: integral values without ".0" and never in scientific notation;
/// others with at most 8 decimals (so 3×1.1 shows as 3.3, not 3.3000000000000003).
pub(crate) fn render_float(f: f64) -> String {
    if !f.is_finite() {
        return String::new();
    }
    if f.fract() == 0.0 && f.abs() < 1e21 {
        return format!("{f:.0}");
    }
    let s = format!("{f:.8}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".to_string() } else { s.to_string() }
}

/// Rows of a sheet, one at a time: a CSV stream, or a spreadsheet already loaded.
pub enum RowStream {
    Csv(Box<CsvRows<BufReader<File>>>),
    Loaded { format: SheetFormat, rows: std::vec::IntoIter<SheetRow>, skipped: usize },
}

impl RowStream {
    pub fn format(&self) -> SheetFormat {
        match self {
            RowStream::Csv(c) => SheetFormat::Csv(c.encoding),
            RowStream::Loaded { format, .. } => *format,
        }
    }

    /// How many empty and footer rows have been skipped so far.
    pub fn skipped(&self) -> usize {
        match self {
            RowStream::Csv(c) => c.skipped,
            RowStream::Loaded { skipped, .. } => *skipped,
        }
    }

    /// Reads up to [`HEADER_SEARCH_ROWS`] rows, picks the header as [`Sheet::header_row`] does and
    /// returns it with a stream of the rows after it.
    pub fn with_header(self, file: &str, wanted: &[&str]) -> Result<(Header, HeaderedRows), FileError> {
        let mut stream = self;
        let mut first = Vec::new();
        while first.len() < HEADER_SEARCH_ROWS {
            match stream.next() {
                Some(row) => first.push(row?),
                None => break,
            }
        }
        if first.is_empty() {
            return Err(FileError::Empty { file: file.to_string() });
        }
        let idx = best_header(first.iter(), wanted).ok_or_else(|| no_header(file, wanted))?;
        let header = Header::from_row(&first[idx]);
        let rest: Vec<SheetRow> = first.split_off(idx + 1);
        Ok((header, HeaderedRows { buffered: rest.into_iter(), stream }))
    }
}

impl Iterator for RowStream {
    type Item = Result<SheetRow, FileError>;
    fn next(&mut self) -> Option<Self::Item> {
        match self {
            RowStream::Csv(c) => c.next(),
            RowStream::Loaded { rows, .. } => rows.next().map(Ok),
        }
    }
}

/// The rows after a header, from [`RowStream::with_header`].
pub struct HeaderedRows {
    buffered: std::vec::IntoIter<SheetRow>,
    stream: RowStream,
}

impl HeaderedRows {
    pub fn skipped(&self) -> usize {
        self.stream.skipped()
    }
}

impl Iterator for HeaderedRows {
    type Item = Result<SheetRow, FileError>;
    fn next(&mut self) -> Option<Self::Item> {
        match self.buffered.next() {
            Some(row) => Some(Ok(row)),
            None => self.stream.next(),
        }
    }
}

/// Opens a file as a stream of rows. CSV is read as it goes (memory stays flat whatever the size;
/// the encoding is decided by one pass over the whole file first); xls/xlsx are loaded whole.
pub fn open_rows(path: &Path) -> Result<RowStream, FileError> {
    let name = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
    let io_err = |source: io::Error| FileError::Io { file: name.clone(), source };
    let mut file = File::open(path).map_err(io_err)?;
    let prefix = read_prefix(&mut file).map_err(io_err)?;
    if prefix.is_empty() {
        return Err(FileError::Empty { file: name });
    }
    match kind_of(&prefix) {
        Kind::Xlsx | Kind::Xls => {
            let bytes = std::fs::read(path).map_err(io_err)?;
            let sheet = read_sheet_bytes(&name, &bytes)?;
            Ok(RowStream::Loaded { format: sheet.format, rows: sheet.rows.into_iter(), skipped: sheet.skipped })
        }
        Kind::Text => {
            let complete = prefix.len() < crate::decode::SNIFF_LEN;
            let mut encoding = sniff(&prefix, complete);
            if encoding == TextEncoding::Utf8 && !complete {
                let whole = BufReader::new(File::open(path).map_err(io_err)?);
                if !is_utf8_stream(whole).map_err(io_err)? {
                    encoding = TextEncoding::Gb18030;
                }
            }
            let file = File::open(path).map_err(io_err)?;
            Ok(RowStream::Csv(Box::new(csv_rows_with(&name, BufReader::new(file), encoding))))
        }
    }
}

/// The rows of CSV text read from any reader (see [`csv_rows`]).
pub type ReaderRows<R> = CsvRows<io::Chain<Cursor<Vec<u8>>, R>>;

/// Streams the rows of CSV text from any reader. The encoding is decided from the first 64 KiB.
pub fn csv_rows<R: Read>(name: &str, mut reader: R) -> Result<ReaderRows<R>, FileError> {
    let prefix = read_prefix(&mut reader).map_err(|source| FileError::Io { file: name.to_string(), source })?;
    if prefix.is_empty() {
        return Err(FileError::Empty { file: name.to_string() });
    }
    let encoding = sniff(&prefix, prefix.len() < crate::decode::SNIFF_LEN);
    Ok(csv_rows_with(name, Cursor::new(prefix).chain(reader), encoding))
}

/// A delimiter guess from the first line: tab if it has tabs and no commas, else comma.
fn sniff_delimiter(encoding: TextEncoding, prefix: &[u8]) -> u8 {
    let text: String = match encoding {
        TextEncoding::Utf16Le | TextEncoding::Utf16Be => {
            let (cow, _) = if encoding == TextEncoding::Utf16Le {
                encoding_rs::UTF_16LE.decode_with_bom_removal(prefix)
            } else {
                encoding_rs::UTF_16BE.decode_with_bom_removal(prefix)
            };
            cow.into_owned()
        }
        _ => String::from_utf8_lossy(prefix).into_owned(),
    };
    let first_line = text.lines().next().unwrap_or("");
    if first_line.contains('\t') && !first_line.contains(',') { b'\t' } else { b',' }
}

fn csv_rows_with<R: Read>(name: &str, reader: R, encoding: TextEncoding) -> CsvRows<R> {
    CsvRows::new(name, reader, encoding)
}

/// A streaming reader of CSV rows (see [`csv_rows`]).
pub struct CsvRows<R> {
    name: String,
    encoding: TextEncoding,
    inner: Option<csv::Reader<CountingReader<DecodingReader<PeekReader<R>>>>>,
    lines: Rc<RefCell<LineState>>,
    record: csv::ByteRecord,
    skipped: usize,
    done: bool,
}

/// Offsets of the line-break bytes ('\r', '\n') read so far and not yet passed, so the start line of a
/// record can be computed exactly (the csv crate's own line numbers are off after blank lines and
/// with CRLF). Only breaks inside the CSV reader's buffer are kept: memory stays flat.
#[derive(Default)]
struct LineState {
    offset: u64,
    breaks: VecDeque<(u64, u8)>,
    newlines_passed: usize,
}

impl LineState {
    /// The 1-based line of the record whose bytes start at `start` (line breaks at `start` itself
    /// belong to blank lines or the previous record's terminator and are skipped).
    fn line_of(&mut self, start: u64) -> usize {
        while let Some(&(off, b)) = self.breaks.front() {
            if off >= start {
                break;
            }
            self.breaks.pop_front();
            if b == b'\n' {
                self.newlines_passed += 1;
            }
        }
        let mut cursor = start;
        while let Some(&(off, b)) = self.breaks.front() {
            if off != cursor {
                break;
            }
            self.breaks.pop_front();
            if b == b'\n' {
                self.newlines_passed += 1;
            }
            cursor += 1;
        }
        self.newlines_passed + 1
    }
}

/// Notes where line breaks are in what passes through.
struct CountingReader<R> {
    inner: R,
    state: Rc<RefCell<LineState>>,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut state = self.state.try_borrow_mut().map_err(|_| io::Error::other("line counter busy"))?;
        let base = state.offset;
        for (i, b) in buf[..n].iter().enumerate() {
            if *b == b'\n' || *b == b'\r' {
                state.breaks.push_back((base + i as u64, *b));
            }
        }
        state.offset += n as u64;
        Ok(n)
    }
}

/// A reader that lets the first bytes be looked at before they are read.
struct PeekReader<R> {
    head: Cursor<Vec<u8>>,
    rest: R,
}

impl<R: Read> Read for PeekReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.head.read(buf)?;
        if n > 0 { Ok(n) } else { self.rest.read(buf) }
    }
}

impl<R: Read> CsvRows<R> {
    fn new(name: &str, mut reader: R, encoding: TextEncoding) -> CsvRows<R> {
        // Look at the first bytes to choose the delimiter, then read them again.
        let mut head = vec![0u8; 4096];
        let mut filled = 0;
        while filled < head.len() {
            match reader.read(&mut head[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(_) => break,
            }
        }
        head.truncate(filled);
        let delimiter = sniff_delimiter(encoding, &head);
        let peek = PeekReader { head: Cursor::new(head), rest: reader };
        let lines = Rc::new(RefCell::new(LineState::default()));
        let counting = CountingReader { inner: DecodingReader::new(peek, encoding), state: Rc::clone(&lines) };
        let inner = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .buffer_capacity(64 * 1024)
            .from_reader(counting);
        CsvRows {
            name: name.to_string(),
            encoding,
            inner: Some(inner),
            lines,
            record: csv::ByteRecord::new(),
            skipped: 0,
            done: false,
        }
    }

    /// The detected encoding.
    pub fn encoding(&self) -> TextEncoding {
        self.encoding
    }

    /// How many empty and footer rows have been skipped so far.
    pub fn skipped(&self) -> usize {
        self.skipped
    }
}

impl<R: Read> Iterator for CsvRows<R> {
    type Item = Result<SheetRow, FileError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let reader = self.inner.as_mut()?;
        loop {
            match reader.read_byte_record(&mut self.record) {
                Ok(false) => {
                    self.done = true;
                    return None;
                }
                Ok(true) => {
                    let start = self.record.position().map_or(0, |p| p.byte());
                    let line = match self.lines.try_borrow_mut() {
                        Ok(mut state) => state.line_of(start),
                        Err(_) => 0,
                    };
                    let cells: Vec<String> =
                        self.record.iter().map(|f| String::from_utf8_lossy(f).into_owned()).collect();
                    if is_skipped_row(&cells) {
                        self.skipped += 1;
                        continue;
                    }
                    return Some(Ok(SheetRow { line, cells }));
                }
                Err(e) => {
                    self.done = true;
                    let source = match e.into_kind() {
                        csv::ErrorKind::Io(io) => io,
                        other => io::Error::other(format!("{other:?}")),
                    };
                    return Some(Err(FileError::Io { file: self.name.clone(), source }));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines_of(sheet: &Sheet) -> Vec<usize> {
        sheet.rows.iter().map(|r| r.line).collect()
    }

    #[test]
    fn floats_render_as_people_see_them() {
        assert_eq!(render_float(12.0), "12");
        assert_eq!(render_float(12.5), "12.5");
        assert_eq!(render_float(3.0 * 1.1), "3.3");
        assert_eq!(render_float(2_287_654_321_098.0), "2287654321098");
        assert_eq!(render_float(1e20), "100000000000000000000");
        assert_eq!(render_float(-0.0000000001), "0");
        assert_eq!(render_float(f64::NAN), "");
    }

    #[test]
    fn csv_lines_count_quoted_newlines_and_skipped_rows() {
        let text = "订单编号,买家留言\n1,\"第一行\n第二行\"\n\n,,\n2,好\n总计,\n合计,3\n";
        let sheet = read_sheet_bytes("a.csv", text.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(lines_of(&sheet), vec![1, 2, 6]);
        assert_eq!(sheet.rows[1].cells, vec!["1", "第一行\n第二行"]);
        // The CSV reader passes over blank lines itself; the ",," row and two footers are counted.
        assert_eq!(sheet.skipped, 3);
        assert_eq!(sheet.format, SheetFormat::Csv(TextEncoding::Utf8));
    }

    #[test]
    fn csv_lines_with_crlf_and_blank_lines() {
        let text = "a,b\r\n\r\nc,d\r\n\"x\r\ny\",z\r\n\r\n\r\ne,f";
        let sheet = read_sheet_bytes("a.csv", text.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(lines_of(&sheet), vec![1, 3, 4, 8]);
        assert_eq!(sheet.rows[2].cells, vec!["x\r\ny", "z"]);
    }

    #[test]
    fn gbk_bom_and_tabs() {
        let (gbk, _, _) = encoding_rs::GBK.encode("订单编号,状态\n1,交易成功\n");
        let sheet = read_sheet_bytes("a.csv", &gbk).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(sheet.rows[1].cells, vec!["1", "交易成功"]);
        assert_eq!(sheet.format, SheetFormat::Csv(TextEncoding::Gb18030));
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice("订单编号\t状态\n1\t交易成功\n".as_bytes());
        let sheet = read_sheet_bytes("a.txt", &bom).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(sheet.rows[0].cells, vec!["订单编号", "状态"]);
        assert_eq!(sheet.format, SheetFormat::Csv(TextEncoding::Utf8Bom));
    }

    #[test]
    fn header_is_the_row_with_most_wanted_names() {
        let text = "【生意参谋平台】商品_全部\n统计日期：2024-11-11\n\n说明：数据仅供参考\n统计日期,商品ID,商品名称\n2024-11-11,1,衬衫\n";
        let sheet = read_sheet_bytes("a.csv", text.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        let idx = sheet.header_row(&["统计日期", "商品ID", "商品名称"]);
        assert_eq!(idx, Some(3));
        assert_eq!(sheet.rows[3].line, 5);
        assert_eq!(sheet.header_row(&["花费"]), None);
    }

    #[test]
    fn empty_input_is_an_error() {
        assert!(matches!(read_sheet_bytes("a.csv", b""), Err(FileError::Empty { .. })));
        assert!(matches!(read_sheet_bytes("a.csv", b"\n\n,,\n"), Err(FileError::Empty { .. })));
        assert!(matches!(read_sheet_bytes("a.xlsx", b"PK\x03\x04garbage"), Err(FileError::Unreadable { .. })));
        assert!(matches!(
            read_sheet_bytes("a.xls", &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0]),
            Err(FileError::Unreadable { .. })
        ));
    }

    #[test]
    fn streams_rows_from_a_reader() {
        struct Endless {
            left: usize,
            pending: Vec<u8>,
        }
        impl Read for Endless {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                if self.pending.is_empty() {
                    if self.left == 0 {
                        return Ok(0);
                    }
                    self.left -= 1;
                    self.pending = format!("{},卖家已发货，等待买家确认\n", self.left).into_bytes();
                }
                let n = self.pending.len().min(buf.len());
                buf[..n].copy_from_slice(&self.pending[..n]);
                self.pending.drain(..n);
                Ok(n)
            }
        }
        let rows = csv_rows("big.csv", Endless { left: 200_000, pending: b"id,status\n".to_vec() })
            .unwrap_or_else(|e| panic!("{e}"));
        let mut count = 0;
        let mut last_line = 0;
        for row in rows {
            let row = row.unwrap_or_else(|e| panic!("{e}"));
            count += 1;
            last_line = row.line;
        }
        assert_eq!(count, 200_001);
        assert_eq!(last_line, 200_001);
    }
}
