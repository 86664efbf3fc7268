//! Errors: a whole file that cannot be read ([`FileError`]) and a single cell that does not parse
//! ([`CellError`], turned into a [`crate::RowError`] by the record readers).

/// A file that cannot be read at all. Rows that cannot be read are [`crate::RowError`]s instead.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("{file}: cannot read the file: {source}")]
    Io {
        file: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{file}: the file is empty")]
    Empty { file: String },
    #[error("{file}: not a spreadsheet this program can read ({detail})")]
    Unreadable { file: String, detail: String },
    #[error("{file}: no header row with the columns {wanted} in the first 10 rows")]
    NoHeader { file: String, wanted: String },
    #[error("{file}: the header (line {line}) lacks the required column(s) {missing}")]
    MissingColumns { file: String, line: usize, missing: String },
}

impl FileError {
    /// The file the error is about.
    pub fn file(&self) -> &str {
        match self {
            FileError::Io { file, .. }
            | FileError::Empty { file }
            | FileError::Unreadable { file, .. }
            | FileError::NoHeader { file, .. }
            | FileError::MissingColumns { file, .. } => file,
        }
    }
}

/// Why one cell's text is not what its column needs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CellError(pub String);

impl CellError {
    /// What is wrong with a cell (`kind`, in English) and the cell's text; the message leads with
    /// the Chinese the shop staff read.
    pub(crate) fn new(kind: &str, text: &str) -> CellError {
        let shown: String = text.chars().take(60).collect();
        CellError(format!("{}: {shown:?}", bilingual(kind)))
    }
}

/// A reason in Chinese and English ("不是日期 / not a date"); unknown ones stay as they are.
pub(crate) fn bilingual(kind: &str) -> String {
    let zh = match kind {
        "empty" => "为空",
        "not a date" => "不是日期",
        "not a date and time" => "不是日期时间",
        "not a number" => "不是数字",
        "not a whole number" => "不是整数",
        "not a percentage" => "不是百分数",
        "not an amount of money" => "不是金额",
        "number too large" => "数字太大",
        "amount too large" => "金额太大",
        "percentage too large" => "百分数太大",
        "too many decimal places asked for" => "小数位数太多",
        "unknown order status" => "不认识的订单状态",
        _ => return kind.to_string(),
    };
    format!("{zh} / {kind}")
}
