use thiserror::Error;

/// What can go wrong in the store.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("cannot open database {url}: {source}")]
    Connect { url: String, source: sqlx::Error },
    #[error("unsupported database URL {0:?} (use sqlite://FILE or postgres://...)")]
    BadUrl(String),
    #[error("migration {version} ({name}) failed: {source}")]
    Migration { version: i64, name: &'static str, source: sqlx::Error },
    #[error("stored value is not valid: {0}")]
    Corrupt(String),
    /// A write was shared with others in one commit (SQLite group commit), and that commit failed;
    /// this write's changes are not saved.
    #[error("saving together with other changes failed: {message}")]
    GroupCommit { message: String, retryable: bool },
}

impl StoreError {
    /// Was this a unique-constraint violation (a duplicate)?
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, StoreError::Db(sqlx::Error::Database(e)) if e.is_unique_violation())
    }

    /// Is this a transient conflict between concurrent writers that a retry resolves
    /// (PostgreSQL serialization failure or deadlock, SQLite busy)?
    pub fn is_retryable(&self) -> bool {
        match self {
            StoreError::Db(sqlx::Error::Database(e)) => {
                matches!(e.code().as_deref(), Some("40001") | Some("40P01") | Some("5") | Some("517") | Some("6"))
            }
            StoreError::GroupCommit { retryable, .. } => *retryable,
            _ => false,
        }
    }
}
