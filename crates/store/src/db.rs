//! Connecting to SQLite or PostgreSQL and opening transactions.

use std::ops::{Deref, DerefMut};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};
use tokio::sync::{Mutex, OwnedMutexGuard};

use crate::StoreError;

/// The writer checkpoints the WAL into the database file after this many pages (SQLite's default
/// is 1,000). A page that many transactions change (a stock balance, the end of an index) is then
/// copied to the database file once per checkpoint instead of many times, and fsync runs less often;
/// the WAL file grows to about 40 MB between checkpoints.
const WAL_AUTOCHECKPOINT_PAGES: &str = "10000";

/// Which database engine a [`Db`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A pool of connections to one of the two supported backends.
#[derive(Debug, Clone)]
pub struct Db {
    pool: Pool,
    /// SQLite allows one writer at a time. Writers of this process queue here, in order and without
    /// polling, instead of in SQLite's busy handler, which sleeps between retries.
    write_lock: Arc<Mutex<()>>,
}

#[derive(Debug, Clone)]
enum Pool {
    /// Readers share `readers`; every write transaction runs on the one connection of `writer`, so
    /// its page cache stays warm (a connection drops its cache whenever another one has written).
    Sqlite {
        readers: SqlitePool,
        writer: SqlitePool,
    },
    Postgres(PgPool),
}

/// A transaction on either backend. Every use case runs inside exactly one.
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// A write transaction: a [`Tx`] that holds this process's SQLite write turn until it ends.
pub struct WriteTx {
    tx: Tx,
    _turn: Option<OwnedMutexGuard<()>>,
}

impl Deref for WriteTx {
    type Target = Tx;
    fn deref(&self) -> &Tx {
        &self.tx
    }
}

impl DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut Tx {
        &mut self.tx
    }
}

impl WriteTx {
    pub async fn commit(self) -> Result<(), StoreError> {
        self.tx.commit().await
    }

    pub async fn rollback(self) -> Result<(), StoreError> {
        self.tx.rollback().await
    }
}

impl Db {
    /// Opens `url` (`sqlite://FILE`, `sqlite::memory:`, a bare file name, or `postgres://...`) and
    /// applies pending migrations.
    pub async fn connect(url: &str) -> Result<Db, StoreError> {
        let db = Db::open(url).await?;
        db.migrate().await?;
        Ok(db)
    }

    /// Opens without migrating (used by tools that only read).
    pub async fn open(url: &str) -> Result<Db, StoreError> {
        let connect_err = |source| StoreError::Connect { url: redact(url), source };
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let opts = PgConnectOptions::from_str(url).map_err(connect_err)?;
            let pool = PgPoolOptions::new()
                .test_before_acquire(false)
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(30))
                .connect_with(opts)
                .await
                .map_err(|source| StoreError::Connect { url: redact(url), source })?;
            return Ok(Db { pool: Pool::Postgres(pool), write_lock: Arc::new(Mutex::new(())) });
        }
        let file = if let Some(rest) = url.strip_prefix("sqlite://") {
            rest
        } else if let Some(rest) = url.strip_prefix("sqlite:") {
            rest
        } else if url.contains("://") {
            return Err(StoreError::BadUrl(url.to_string()));
        } else {
            url
        };
        let file = file.split('?').next().unwrap_or(file);
        let opts = SqliteConnectOptions::new()
            .filename(file)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(60))
            .pragma("cache_size", "-131072")
            .pragma("temp_store", "memory");
        // The writer connects first: it creates the file and sets WAL mode before readers open it.
        let writer = SqlitePoolOptions::new()
            .test_before_acquire(false)
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .acquire_timeout(Duration::from_secs(60))
            .connect_with(opts.clone().pragma("wal_autocheckpoint", WAL_AUTOCHECKPOINT_PAGES))
            .await
            .map_err(connect_err)?;
        if file == ":memory:" {
            // Every connection to `:memory:` is a database of its own, so readers use the writer.
            return Ok(Db {
                pool: Pool::Sqlite { readers: writer.clone(), writer },
                write_lock: Arc::new(Mutex::new(())),
            });
        }
        let readers = SqlitePoolOptions::new()
            .test_before_acquire(false)
            .max_connections(8)
            .min_connections(0)
            .acquire_timeout(Duration::from_secs(60))
            .connect_with(opts)
            .await
            .map_err(connect_err)?;
        Ok(Db { pool: Pool::Sqlite { readers, writer }, write_lock: Arc::new(Mutex::new(())) })
    }

    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite { .. } => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// A transaction that will write. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`),
    /// so concurrent writers queue instead of failing when they upgrade a read lock.
    pub async fn begin(&self) -> Result<WriteTx, StoreError> {
        Ok(match &self.pool {
            Pool::Sqlite { writer, .. } => {
                let turn = Arc::clone(&self.write_lock).lock_owned().await;
                WriteTx { tx: Tx::Sqlite(writer.begin_with("BEGIN IMMEDIATE").await?), _turn: Some(turn) }
            }
            Pool::Postgres(pool) => WriteTx { tx: Tx::Postgres(pool.begin().await?), _turn: None },
        })
    }

    /// A transaction that only reads (a consistent snapshot; no write lock on SQLite).
    pub async fn begin_read(&self) -> Result<Tx, StoreError> {
        Ok(match &self.pool {
            Pool::Sqlite { readers, .. } => Tx::Sqlite(readers.begin().await?),
            Pool::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    pub async fn close(&self) {
        match &self.pool {
            Pool::Sqlite { readers, writer } => {
                readers.close().await;
                writer.close().await;
            }
            Pool::Postgres(pool) => pool.close().await,
        }
    }
}

impl Tx {
    pub async fn commit(self) -> Result<(), StoreError> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }

    pub async fn rollback(self) -> Result<(), StoreError> {
        match self {
            Tx::Sqlite(t) => t.rollback().await?,
            Tx::Postgres(t) => t.rollback().await?,
        }
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        match self {
            Tx::Sqlite(_) => Backend::Sqlite,
            Tx::Postgres(_) => Backend::Postgres,
        }
    }
}

/// The URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..scheme_end + 3], user, &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_hidden() {
        assert_eq!(super::redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(super::redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(super::redact("zhanggui.db"), "zhanggui.db");
    }
}
