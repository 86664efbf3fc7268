//! Connecting to SQLite or PostgreSQL and opening transactions.

use std::ops::{Deref, DerefMut};
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};
use tokio::sync::{Mutex, OwnedMutexGuard, watch};

use crate::StoreError;

/// The writer checkpoints the WAL into the database file after this many pages (SQLite's default
/// is 1,000). A page that many transactions change (a stock balance, the end of an index) is then
/// copied to the database file once per checkpoint instead of many times, and fsync runs less often;
/// the WAL file grows to about 40 MB between checkpoints.
const WAL_AUTOCHECKPOINT_PAGES: &str = "10000";

/// Each connection's page cache on a shop database, in KiB (negative, as SQLite takes it). A big
/// import fills the writer's cache with the index pages it inserts into, so the cache's cap is what
/// the import's memory grows to; past 32 MiB a cache buys little, since the operating system keeps
/// the file's pages in memory as well and a miss costs a copy, not a disk read.
const SHOP_CACHE_KIB: &str = "-32768";

/// What a SQLite database is for: the shop's own, or a scratch file an import stages in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SqliteUse {
    Shop,
    Scratch,
}

/// Which database engine a [`Db`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A group commit takes in at most this many write transactions.
const MAX_GROUP: usize = 64;

/// How long a member of a group waits for the group's commit before it checks whether the group
/// was left open with nobody to commit it (the next writer gave up while queueing).
const GROUP_CHECK: Duration = Duration::from_millis(5);

/// A pool of connections to one of the two supported backends.
#[derive(Debug, Clone)]
pub struct Db {
    pool: Pool,
    /// SQLite allows one writer at a time. Writers of this process queue here, in order and without
    /// polling, instead of in SQLite's busy handler, which sleeps between retries.
    writer: Arc<Mutex<WriterSlot>>,
    /// Writers queueing for the turn: a writer that finishes while others wait leaves its
    /// transaction open for them (group commit, see [`WriteTx::commit`]).
    queued: Arc<AtomicUsize>,
    /// A connection of its own that never writes, for [`Db::generation`] (SQLite files only).
    watcher: Option<Arc<Mutex<Option<sqlx::SqliteConnection>>>>,
}

/// The SQLite write turn and the group transaction it may carry from one writer to the next.
#[derive(Debug, Default)]
struct WriterSlot {
    /// The open transaction of a group whose members have finished their work but not committed.
    open: Option<Transaction<'static, Sqlite>>,
    /// The savepoint the next member works in (`group_member`), when the group has one open.
    savepoint: MemberSavepoint,
    /// Members that have finished and wait for the group to commit.
    members: usize,
    /// Tells waiting members how their group ended.
    outcome: Option<Arc<watch::Sender<Option<GroupOutcome>>>>,
}

/// The state of the `group_member` savepoint of an open group between two members. A member's
/// savepoint is opened by the command that ends the member before it (`RELEASE group_member;
/// SAVEPOINT group_member`), which saves a round trip per member.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum MemberSavepoint {
    /// None is open: the next member opens one.
    #[default]
    Closed,
    /// Open and holding nothing: the next member works in it.
    Empty,
    /// Open and holding the work of a member that ended without commit or rollback: it is undone
    /// (`ROLLBACK TO`, which leaves the savepoint open and empty) before anything else.
    Abandoned,
}

/// How a group commit ended, as its waiting members learn it.
#[derive(Debug, Clone)]
enum GroupOutcome {
    Committed,
    Failed { message: String, retryable: bool },
}

impl GroupOutcome {
    fn of(result: &Result<(), StoreError>) -> GroupOutcome {
        match result {
            Ok(()) => GroupOutcome::Committed,
            Err(e) => GroupOutcome::Failed { message: e.to_string(), retryable: e.is_retryable() },
        }
    }

    fn into_result(self) -> Result<(), StoreError> {
        match self {
            GroupOutcome::Committed => Ok(()),
            GroupOutcome::Failed { message, retryable } => Err(StoreError::GroupCommit { message, retryable }),
        }
    }
}

impl WriterSlot {
    /// Commits the open group (after undoing a member left unfinished) and tells its members.
    async fn finish_group(&mut self) -> Result<(), StoreError> {
        let result = match self.open.take() {
            Some(mut tx) => {
                let undone = if std::mem::take(&mut self.savepoint) == MemberSavepoint::Abandoned {
                    undo_member(&mut tx).await
                } else {
                    Ok(())
                };
                // COMMIT also commits the work of every savepoint still open.
                match undone {
                    Ok(()) => tx.commit().await.map_err(StoreError::from),
                    Err(e) => {
                        let _ = tx.rollback().await;
                        Err(e)
                    }
                }
            }
            None => Ok(()),
        };
        self.tell_members(&result);
        result
    }

    /// Rolls the whole open group back (its members' work is lost; they are told so).
    async fn fail_group(&mut self, error: &StoreError) {
        if let Some(tx) = self.open.take() {
            let _ = tx.rollback().await;
        }
        self.savepoint = MemberSavepoint::Closed;
        self.tell_members(&Err(StoreError::GroupCommit { message: error.to_string(), retryable: true }));
    }

    fn tell_members(&mut self, result: &Result<(), StoreError>) {
        if let Some(outcome) = self.outcome.take() {
            outcome.send_replace(Some(GroupOutcome::of(result)));
        }
        self.members = 0;
    }
}

/// Undoes the work done in the open `group_member` savepoint, which stays open and empty.
async fn undo_member(tx: &mut Transaction<'static, Sqlite>) -> Result<(), StoreError> {
    sqlx::raw_sql("ROLLBACK TO group_member").execute(&mut **tx).await?;
    Ok(())
}

/// Counts a writer as queued until it gets the turn (or gives up waiting).
struct Queued(Arc<AtomicUsize>);

impl Queued {
    fn enter(counter: &Arc<AtomicUsize>) -> Queued {
        counter.fetch_add(1, Ordering::SeqCst);
        Queued(Arc::clone(counter))
    }
}

impl Drop for Queued {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
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
///
/// On SQLite, writers that queue for the turn share commits (group commit): a writer that finishes
/// while others are queued releases its work with its savepoint, leaves the transaction open for
/// the next one and waits; the last writer of the group commits for all, and each learns the
/// outcome before its `commit` returns, so a caller never sees success for work that is not yet
/// durable. Every writer after the first works inside a savepoint, so a failing one undoes only its
/// own work. A group shares one WAL write of the pages its members changed (a stock balance, the
/// end of an index) instead of one per member.
pub struct WriteTx {
    /// `None` only after the transaction has ended.
    tx: Option<Tx>,
    turn: Option<Turn>,
}

/// The SQLite write turn held by a [`WriteTx`].
struct Turn {
    slot: OwnedMutexGuard<WriterSlot>,
    writer: Arc<Mutex<WriterSlot>>,
    queued: Arc<AtomicUsize>,
    /// This transaction joined a group left open by earlier writers and works in a savepoint.
    joined: bool,
}

impl Deref for WriteTx {
    type Target = Tx;
    fn deref(&self) -> &Tx {
        match &self.tx {
            Some(tx) => tx,
            None => unreachable!("a WriteTx holds its transaction until commit or rollback consume it"),
        }
    }
}

impl DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut Tx {
        match &mut self.tx {
            Some(tx) => tx,
            None => unreachable!("a WriteTx holds its transaction until commit or rollback consume it"),
        }
    }
}

impl WriteTx {
    pub async fn commit(mut self) -> Result<(), StoreError> {
        match (self.tx.take(), self.turn.take()) {
            (Some(Tx::Sqlite(mut tx)), Some(mut turn)) => {
                turn.slot.members += 1;
                if turn.queued.load(Ordering::SeqCst) > 0 && turn.slot.members < MAX_GROUP {
                    // Others are queued: keep this member's work, open the next one's savepoint,
                    // leave the group open for them and wait for its commit.
                    let sql = if turn.joined {
                        "RELEASE group_member; SAVEPOINT group_member"
                    } else {
                        "SAVEPOINT group_member"
                    };
                    if let Err(e) = sqlx::raw_sql(sql).execute(&mut *tx).await {
                        turn.slot.open = Some(tx);
                        let e = StoreError::from(e);
                        turn.slot.fail_group(&e).await;
                        return Err(e);
                    }
                    turn.slot.savepoint = MemberSavepoint::Empty;
                    let outcome = turn.slot.outcome.get_or_insert_with(|| Arc::new(watch::channel(None).0)).clone();
                    let waiting = outcome.subscribe();
                    turn.slot.open = Some(tx);
                    let writer = Arc::clone(&turn.writer);
                    drop(turn);
                    await_group(waiting, &outcome, &writer).await
                } else {
                    turn.slot.open = Some(tx);
                    turn.slot.finish_group().await
                }
            }
            (Some(tx), _) => tx.commit().await,
            (None, _) => Ok(()),
        }
    }

    pub async fn rollback(mut self) -> Result<(), StoreError> {
        match (self.tx.take(), self.turn.take()) {
            (Some(Tx::Sqlite(mut tx)), Some(mut turn)) if turn.joined => {
                // Undo this writer's work only; the group goes on for the others.
                let undone = undo_member(&mut tx).await;
                turn.slot.open = Some(tx);
                if let Err(e) = undone {
                    turn.slot.fail_group(&e).await;
                    return Err(e);
                }
                turn.slot.savepoint = MemberSavepoint::Empty;
                if turn.queued.load(Ordering::SeqCst) == 0 {
                    turn.slot.finish_group().await?;
                }
                Ok(())
            }
            (Some(tx), _) => tx.rollback().await,
            (None, _) => Ok(()),
        }
    }
}

impl Drop for WriteTx {
    /// A transaction dropped without commit or rollback (an error returned early, a cancelled
    /// task) is undone: the first writer of a group rolls the whole transaction back (sqlx does so
    /// when its transaction is dropped); a later one marks its savepoint to be undone by whoever
    /// takes the turn next or finishes the group.
    fn drop(&mut self) {
        if let (Some(Tx::Sqlite(tx)), Some(turn)) = (self.tx.take(), self.turn.as_mut())
            && turn.joined
        {
            turn.slot.open = Some(tx);
            turn.slot.savepoint = MemberSavepoint::Abandoned;
        }
    }
}

/// Waits for the group this writer finished in to commit. If the group is left open with nobody
/// to finish it (the writer that was queued gave up), this writer commits it itself.
async fn await_group(
    mut waiting: watch::Receiver<Option<GroupOutcome>>,
    outcome: &Arc<watch::Sender<Option<GroupOutcome>>>,
    writer: &Arc<Mutex<WriterSlot>>,
) -> Result<(), StoreError> {
    loop {
        if let Some(done) = waiting.borrow_and_update().clone() {
            return done.into_result();
        }
        if let Ok(changed) = tokio::time::timeout(GROUP_CHECK, waiting.changed()).await {
            if changed.is_err() {
                return Err(StoreError::GroupCommit {
                    message: "the group commit ended without an outcome".into(),
                    retryable: true,
                });
            }
            continue;
        }
        if let Ok(mut slot) = Arc::clone(writer).try_lock_owned()
            && slot.outcome.as_ref().is_some_and(|o| Arc::ptr_eq(o, outcome))
        {
            return slot.finish_group().await;
        }
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
            return Ok(Db::with_pool(Pool::Postgres(pool)));
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
        Db::open_sqlite(url, file, SqliteUse::Shop).await
    }

    /// A throwaway SQLite database for staging an import (`store::staging`): small page caches, so
    /// the memory it takes stays small whatever it holds, and no syncing to disk, since it is
    /// deleted when the import ends.
    pub async fn open_scratch(path: &std::path::Path) -> Result<Db, StoreError> {
        let file = path.display().to_string();
        Db::open_sqlite(&file, &file, SqliteUse::Scratch).await
    }

    async fn open_sqlite(url: &str, file: &str, purpose: SqliteUse) -> Result<Db, StoreError> {
        let connect_err = |source| StoreError::Connect { url: redact(url), source };
        let (cache, synchronous) = match purpose {
            SqliteUse::Shop => (SHOP_CACHE_KIB, SqliteSynchronous::Normal),
            SqliteUse::Scratch => ("-8192", SqliteSynchronous::Off),
        };
        let opts = SqliteConnectOptions::new()
            .filename(file)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(synchronous)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(60))
            .pragma("cache_size", cache)
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
            return Ok(Db::with_pool(Pool::Sqlite { readers: writer.clone(), writer }));
        }
        let watcher = match purpose {
            SqliteUse::Shop => {
                use sqlx::Connection as _;
                let conn = sqlx::SqliteConnection::connect_with(&opts).await.map_err(connect_err)?;
                Some(Arc::new(Mutex::new(Some(conn))))
            }
            SqliteUse::Scratch => None,
        };
        let readers = SqlitePoolOptions::new()
            .test_before_acquire(false)
            .max_connections(8)
            .min_connections(0)
            .acquire_timeout(Duration::from_secs(60))
            .connect_with(opts)
            .await
            .map_err(connect_err)?;
        Ok(Db { watcher, ..Db::with_pool(Pool::Sqlite { readers, writer }) })
    }

    fn with_pool(pool: Pool) -> Db {
        Db {
            pool,
            writer: Arc::new(Mutex::new(WriterSlot::default())),
            queued: Arc::new(AtomicUsize::new(0)),
            watcher: None,
        }
    }

    /// A number that stays the same as long as no transaction has written to the database, from
    /// this process or any other, since it was last read: SQLite's `data_version`, read on a
    /// connection that never writes itself. A result computed from a transaction begun after the
    /// number was read is therefore still true while the number is unchanged. `None` where the
    /// database cannot tell (PostgreSQL, an in-memory SQLite database): nothing may then be kept.
    pub async fn generation(&self) -> Result<Option<i64>, StoreError> {
        let Some(watcher) = &self.watcher else { return Ok(None) };
        let mut conn = watcher.lock().await;
        let Some(conn) = conn.as_mut() else { return Ok(None) };
        let version: i64 = sqlx::query_scalar("PRAGMA data_version").fetch_one(conn).await?;
        Ok(Some(version))
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
                let queued = Queued::enter(&self.queued);
                let mut slot = Arc::clone(&self.writer).lock_owned().await;
                drop(queued);
                let mut joined = None;
                if let Some(mut tx) = slot.open.take() {
                    let saved = match std::mem::take(&mut slot.savepoint) {
                        MemberSavepoint::Empty => Ok(()),
                        MemberSavepoint::Abandoned => undo_member(&mut tx).await,
                        MemberSavepoint::Closed => sqlx::raw_sql("SAVEPOINT group_member")
                            .execute(&mut *tx)
                            .await
                            .map(|_| ())
                            .map_err(StoreError::from),
                    };
                    match saved {
                        Ok(()) => joined = Some(tx),
                        Err(e) => {
                            slot.open = Some(tx);
                            slot.fail_group(&e).await;
                        }
                    }
                }
                let (tx, joined) = match joined {
                    Some(tx) => (tx, true),
                    None => (writer.begin_with("BEGIN IMMEDIATE").await?, false),
                };
                WriteTx {
                    tx: Some(Tx::Sqlite(tx)),
                    turn: Some(Turn {
                        slot,
                        writer: Arc::clone(&self.writer),
                        queued: Arc::clone(&self.queued),
                        joined,
                    }),
                }
            }
            Pool::Postgres(pool) => WriteTx { tx: Some(Tx::Postgres(pool.begin().await?)), turn: None },
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
                let watcher = match &self.watcher {
                    Some(w) => w.lock().await.take(),
                    None => None,
                };
                if let Some(conn) = watcher {
                    use sqlx::Connection as _;
                    // Nothing is written on it, so nothing is lost if closing fails.
                    let _ = conn.close().await;
                }
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
