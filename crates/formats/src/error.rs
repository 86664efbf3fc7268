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
    pub(crate) fn new(kind: &str, text: &str) -> CellError {
        let shown: String = text.chars().take(60).collect();
        CellError(format!("{kind}: {shown:?}"))
    }
}
