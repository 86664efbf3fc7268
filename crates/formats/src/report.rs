//! Writing reports to files: tables of cells as CSV (UTF-8 with a byte-order mark, so spreadsheet
//! programs show Chinese right away; tables one after the other, each under its title) or XLSX (one
//! sheet per table). Cells keep their meaning: counts and money become numbers in XLSX (money with two
//! places, rates with four), text stays text.

use std::io::Write;

use rust_xlsxwriter::{Format, Workbook};

/// One cell of a report table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportCell {
    Text(String),
    Int(i64),
    /// An exact decimal as text ("1234.50", "1.43") with its number of places; "" when the figure
    /// is unavailable.
    Decimal(String, u8),
    /// A rate as an exact fraction with four places ("0.1234" = 12.34%); "" when unavailable.
    Rate(String),
    Empty,
}

impl ReportCell {
    /// The cell as a file holds it: decimals and rates exactly as given.
    pub fn text(&self) -> String {
        match self {
            ReportCell::Text(s) | ReportCell::Decimal(s, _) | ReportCell::Rate(s) => s.clone(),
            ReportCell::Int(i) => i.to_string(),
            ReportCell::Empty => String::new(),
        }
    }

    /// The cell as a person reads it: rates as percentages ("12.34%"), unavailable figures as "—".
    pub fn display(&self) -> String {
        match self {
            ReportCell::Rate(s) if !s.is_empty() => percent(s).unwrap_or_else(|| s.clone()),
            ReportCell::Rate(_) | ReportCell::Decimal(_, _) if self.text().is_empty() => "—".to_string(),
            other => other.text(),
        }
    }
}

/// "0.1234" → "12.34%", exactly (the fraction's decimal point moves two places).
fn percent(fraction: &str) -> Option<String> {
    let (neg, body) = match fraction.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, fraction),
    };
    let (whole, frac) = body.split_once('.').unwrap_or((body, ""));
    let mut frac: String = frac.chars().collect();
    while frac.len() < 4 {
        frac.push('0');
    }
    let digits = format!("{whole}{frac}");
    let value: i128 = digits.parse().ok()?;
    let scale = 10i128.pow(u32::try_from(frac.len()).ok()? - 2);
    let (int, rest) = (value / scale, value % scale);
    let hundredths = rest * 100 / scale;
    Some(format!("{}{int}.{hundredths:02}%", if neg { "-" } else { "" }))
}

/// A titled table: a header row and rows of cells.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReportTable {
    pub title: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<ReportCell>>,
}

/// Why a report file could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ReportWriteError {
    #[error("cannot write the report: {0}")]
    Io(#[from] std::io::Error),
    #[error("cannot write the report: {0}")]
    Csv(#[from] csv::Error),
    #[error("cannot write the workbook: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
}

/// Writes the tables as one CSV: for each table a title row, the header and the rows, then a blank
/// line.
pub fn write_csv<W: Write>(tables: &[ReportTable], mut out: W) -> Result<(), ReportWriteError> {
    out.write_all("\u{feff}".as_bytes())?;
    let mut w = csv::WriterBuilder::new().flexible(true).from_writer(out);
    for (i, t) in tables.iter().enumerate() {
        if i > 0 {
            w.write_record([""])?;
        }
        w.write_record([t.title.as_str()])?;
        w.write_record(&t.headers)?;
        for row in &t.rows {
            w.write_record(row.iter().map(ReportCell::text))?;
        }
    }
    w.flush()?;
    Ok(())
}

/// The tables as an XLSX workbook, one sheet per table (named after its title), as bytes.
pub fn xlsx_bytes(tables: &[ReportTable]) -> Result<Vec<u8>, ReportWriteError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let mut used: Vec<String> = Vec::new();
    for t in tables {
        let sheet = book.add_worksheet();
        sheet.set_name(sheet_name(&t.title, &mut used))?;
        for (c, h) in t.headers.iter().enumerate() {
            sheet.write_string_with_format(0, col(c), h, &bold)?;
        }
        for (r, row) in t.rows.iter().enumerate() {
            let r = u32::try_from(r + 1).unwrap_or(u32::MAX);
            for (c, cell) in row.iter().enumerate() {
                match cell {
                    ReportCell::Text(s) if !s.is_empty() => {
                        sheet.write_string(r, col(c), s)?;
                    }
                    ReportCell::Int(i) => {
                        sheet.write_number(r, col(c), *i as f64)?;
                    }
                    ReportCell::Rate(s) if !s.is_empty() => {
                        let v = s.parse::<f64>().unwrap_or(0.0);
                        sheet.write_number_with_format(r, col(c), v, &Format::new().set_num_format("0.00%"))?;
                    }
                    ReportCell::Decimal(s, places) => match s.parse::<f64>() {
                        Ok(v) => {
                            let pattern = if *places == 0 {
                                "0".to_string()
                            } else {
                                format!("0.{}", "0".repeat(usize::from(*places)))
                            };
                            sheet.write_number_with_format(r, col(c), v, &Format::new().set_num_format(pattern))?;
                        }
                        Err(_) if !s.is_empty() => {
                            sheet.write_string(r, col(c), s)?;
                        }
                        Err(_) => {}
                    },
                    _ => {}
                }
            }
        }
    }
    Ok(book.save_to_buffer()?)
}

fn col(c: usize) -> u16 {
    u16::try_from(c).unwrap_or(u16::MAX)
}

/// A sheet name Excel accepts: no []:*?/\, at most 31 characters, unique in the workbook.
fn sheet_name(title: &str, used: &mut Vec<String>) -> String {
    let clean: String = title.chars().filter(|c| !"[]:*?/\\".contains(*c)).take(28).collect();
    let base = if clean.trim().is_empty() { "Sheet".to_string() } else { clean };
    let mut name = base.clone();
    let mut n = 2;
    while used.contains(&name) {
        name = format!("{base}{n}");
        n += 1;
    }
    used.push(name.clone());
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> ReportTable {
        ReportTable {
            title: "日报 2024-11-11".into(),
            headers: vec!["指标".into(), "数值".into()],
            rows: vec![
                vec![ReportCell::Text("支付金额".into()), ReportCell::Decimal("1234.50".into(), 2)],
                vec![ReportCell::Text("付款笔数".into()), ReportCell::Int(12)],
                vec![ReportCell::Text("访客数".into()), ReportCell::Decimal(String::new(), 0)],
            ],
        }
    }

    #[test]
    fn csv_has_a_bom_titles_and_exact_decimals() {
        let mut out = Vec::new();
        write_csv(&[table(), ReportTable { title: "第二张".into(), ..table() }], &mut out).unwrap_or_default();
        let text = String::from_utf8(out).unwrap_or_default();
        assert!(text.starts_with('\u{feff}'));
        assert!(
            text.contains("日报 2024-11-11\n指标,数值\n支付金额,1234.50\n付款笔数,12\n访客数,\n\"\"\n第二张\n"),
            "{text}"
        );
    }

    #[test]
    fn rates_show_as_percentages() {
        assert_eq!(ReportCell::Rate("0.1234".into()).display(), "12.34%");
        assert_eq!(ReportCell::Rate("1.5000".into()).display(), "150.00%");
        assert_eq!(ReportCell::Rate("-0.0050".into()).display(), "-0.50%");
        assert_eq!(ReportCell::Rate(String::new()).display(), "—");
        assert_eq!(ReportCell::Rate("0.1234".into()).text(), "0.1234");
    }

    #[test]
    fn xlsx_reads_back() {
        let bytes = xlsx_bytes(&[table(), table()]).unwrap_or_default();
        let rows = crate::sheet::read_sheet_bytes("r.xlsx", &bytes).map(|s| s.rows).unwrap_or_default();
        assert!(!rows.is_empty());
        assert_eq!(sheet_name("a/b[c]", &mut Vec::new()), "abc");
    }
}
