//! Importing a Taobao order report with its line report in memory that does not grow with the
//! files: the line report is read row by row into a scratch SQLite database (`store::staging`);
//! then the order report is read a batch of trades at a time, each batch takes its trades' lines
//! from there and is imported like any other batch. Reading the order report, finding the lines
//! and writing the trades overlap: the next batch is read and put together while the one before
//! is written. What the in-memory path finds is found here too: a repeated order number (against
//! the order numbers met so far, also kept in the scratch database) and lines whose trade is not
//! in the order report.

use std::path::{Path, PathBuf};

use zhanggui_formats::records::{LineRecord, OrderRecord, RowError};
use zhanggui_formats::taobao::{TaobaoLineParser, TaobaoOrderParser};
use zhanggui_formats::{FileError, RowParser, stream_records_path};
use zhanggui_store::Db;
use zhanggui_store::staging::Staged;

use std::collections::HashMap;

use super::orders::{BATCH, OrderImport};
use super::{ImportError, ImportSummary, Reject};
use crate::{Actor, App};

/// Rows written to the staging database per statement batch.
const STAGE_CHUNK: usize = 5_000;

/// What a staged read found, besides the staged rows.
#[derive(Debug, Default)]
pub struct StagedFiles {
    /// Records read (trades of the order report), known once the import is done.
    pub orders: usize,
    /// The trades the line report names: what the order report is expected to hold.
    pub trades_expected: usize,
    pub lines: usize,
    /// Rows the readers refused, with file, line and reason.
    pub errors: Vec<RowError>,
    /// The first data line of each file (for copying refused rows out of it).
    pub first_order_line: usize,
    pub first_line_line: usize,
}

/// The scratch database file; removed when dropped.
struct Scratch {
    path: PathBuf,
}

impl Drop for Scratch {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.path.display()));
        }
    }
}

/// Removes the scratch files of imports whose process is gone (killed mid-file: its `Drop` never
/// ran), so they do not pile up in the temp folder. Only on systems where a process's liveness can
/// be read (`/proc`); elsewhere nothing is removed.
fn remove_stale_scratch_files(dir: &std::path::Path) -> usize {
    let proc_root = std::path::Path::new("/proc");
    if !proc_root.join("self").exists() {
        return 0;
    }
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        let Some(rest) = name.strip_prefix("zhanggui-import-") else { continue };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<u32>().ok()) else { continue };
        if pid == std::process::id() || proc_root.join(pid.to_string()).exists() {
            continue;
        }
        if std::fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

fn file_error(e: FileError) -> ImportError {
    ImportError::File(e.to_string())
}

fn json_error(e: serde_json::Error) -> ImportError {
    ImportError::File(format!("staging: {e}"))
}

/// A piece of a file read on the reading thread: records (or what the reading thread made of
/// them), the rows it refused, and the first data line seen (0 when none).
struct Chunk<T> {
    rows: Vec<T>,
    errors: Vec<RowError>,
    first: usize,
}

impl<T> Default for Chunk<T> {
    fn default() -> Self {
        Chunk { rows: Vec::new(), errors: Vec::new(), first: 0 }
    }
}

/// Reads a file on a thread of its own, `size` records a chunk, each record turned by `map` there.
fn read_chunks<P, T>(
    path: &Path,
    size: usize,
    line: fn(&P::Record) -> usize,
    map: fn(P::Record) -> Result<T, ImportError>,
) -> (tokio::sync::mpsc::Receiver<Result<Chunk<T>, ImportError>>, tokio::task::JoinHandle<()>)
where
    P: RowParser + Send + 'static,
    T: Send + 'static,
{
    let (sender, receiver) = tokio::sync::mpsc::channel::<Result<Chunk<T>, ImportError>>(2);
    let path = path.to_path_buf();
    let reader = tokio::task::spawn_blocking(move || {
        let stream = match stream_records_path::<P>(&path) {
            Ok(s) => s,
            Err(e) => {
                let _ = sender.blocking_send(Err(file_error(e)));
                return;
            }
        };
        let mut chunk = Chunk::default();
        for item in stream {
            match item {
                Err(e) => {
                    let _ = sender.blocking_send(Err(file_error(e)));
                    return;
                }
                Ok(Ok(record)) => {
                    if chunk.first == 0 {
                        chunk.first = line(&record);
                    }
                    match map(record) {
                        Ok(row) => chunk.rows.push(row),
                        Err(e) => {
                            let _ = sender.blocking_send(Err(e));
                            return;
                        }
                    }
                }
                Ok(Err(e)) => {
                    if chunk.first == 0 {
                        chunk.first = e.line;
                    }
                    chunk.errors.push(e);
                }
            }
            if chunk.rows.len() >= size && sender.blocking_send(Ok(std::mem::take(&mut chunk))).is_err() {
                return;
            }
        }
        let _ = sender.blocking_send(Ok(chunk));
    });
    (receiver, reader)
}

/// A line record as staged: (line, order number, JSON).
fn staged_line(l: LineRecord) -> Result<(i64, String, String), ImportError> {
    let body = serde_json::to_string(&l).map_err(json_error)?;
    Ok((i64::try_from(l.line).unwrap_or(i64::MAX), l.tid, body))
}

/// Streams the line report into the staging table; returns (records, errors, first data line).
async fn stage_lines(db: &Db, path: &Path) -> Result<(usize, Vec<RowError>, usize), ImportError> {
    let (mut receiver, reader) = read_chunks::<TaobaoLineParser, _>(path, STAGE_CHUNK, |l| l.line, staged_line);
    let mut count = 0;
    let mut errors = Vec::new();
    let mut first = 0;
    while let Some(message) = receiver.recv().await {
        let chunk = message?;
        if first == 0 {
            first = chunk.first;
        }
        count += chunk.rows.len();
        errors.extend(chunk.errors);
        if !chunk.rows.is_empty() {
            let mut tx = db.begin().await?;
            tx.stage(Staged::Lines, &chunk.rows).await?;
            tx.commit().await?;
        }
    }
    reader.await.map_err(|e| ImportError::File(format!("reading {}: {e}", Staged::Lines.name())))?;
    Ok((count, errors, first))
}

/// A batch of the order report put together with its lines, ready to import.
struct Assembled {
    records: Vec<OrderRecord>,
    /// Rows whose order number an earlier row has: (line, tid, that earlier line).
    duplicates: Vec<(usize, String, usize)>,
    /// Rows of the order report the reader refused.
    errors: Vec<RowError>,
    /// Records read, duplicates included.
    read: usize,
    first: usize,
}

/// Puts a chunk of the order report together: repeated order numbers out, each trade's lines in.
async fn assemble(db: &Db, chunk: Chunk<OrderRecord>) -> Result<Assembled, ImportError> {
    let read = chunk.rows.len();
    let mut first_in_batch: HashMap<String, usize> = HashMap::with_capacity(read);
    let mut duplicates = Vec::new();
    let mut records = Vec::with_capacity(read);
    for r in chunk.rows {
        match first_in_batch.get(&r.tid) {
            Some(first) => duplicates.push((r.line, r.tid.clone(), *first)),
            None => {
                first_in_batch.insert(r.tid.clone(), r.line);
                records.push(r);
            }
        }
    }
    let seen: Vec<(&str, i64)> =
        records.iter().map(|r| (r.tid.as_str(), i64::try_from(r.line).unwrap_or(i64::MAX))).collect();
    let mut tx = db.begin().await?;
    let earlier: HashMap<String, i64> = tx.stage_seen(&seen).await?.into_iter().collect();
    let mut kept = Vec::with_capacity(records.len());
    for r in records {
        match earlier.get(&r.tid) {
            Some(first) => duplicates.push((r.line, r.tid.clone(), usize::try_from(*first).unwrap_or(0))),
            None => kept.push(r),
        }
    }
    let tids: Vec<&str> = kept.iter().map(|r| r.tid.as_str()).collect();
    let staged_lines = tx.staged_lines_of(&tids).await?;
    tx.commit().await?;
    // JSON to records off the runtime's thread.
    let mut lines = tokio::task::spawn_blocking(move || {
        staged_lines
            .into_iter()
            .map(|(_, _, body)| serde_json::from_str::<LineRecord>(&body).map_err(json_error))
            .collect::<Result<Vec<LineRecord>, ImportError>>()
    })
    .await
    .map_err(|e| ImportError::File(format!("staging: {e}")))??;
    // Every line of these trades is here, in file order, so numbering missing 子订单编号 per trade
    // gives what numbering over the whole file gives.
    zhanggui_formats::taobao::fill_missing_oids(&mut lines);
    let index: HashMap<String, usize> = kept.iter().enumerate().map(|(i, r)| (r.tid.clone(), i)).collect();
    for l in lines {
        if let Some(order) = index.get(&l.tid).and_then(|i| kept.get_mut(*i)) {
            order.lines.push(l);
        }
    }
    duplicates.sort_by_key(|d| d.0);
    Ok(Assembled { records: kept, duplicates, errors: chunk.errors, read, first: chunk.first })
}

impl App {
    /// Imports a Taobao order report, with its line report when given, reading both row by row.
    /// `on_read(staged)` is called once the line report is read (before any trade is written; its
    /// `trades_expected` is the number of trades the line report names), and `progress(trades
    /// done)` after each batch.
    pub async fn import_taobao_files(
        &self,
        actor: &Actor,
        opts: &OrderImport,
        orders: &Path,
        lines: Option<&Path>,
        on_read: &(dyn Fn(&StagedFiles) + Sync),
        progress: &(dyn Fn(usize) + Sync),
    ) -> Result<(ImportSummary, StagedFiles), ImportError> {
        self.import_taobao_files_by(actor, opts, orders, lines, BATCH, on_read, progress).await
    }

    /// [`App::import_taobao_files`] with `batch` trades per transaction.
    #[allow(clippy::too_many_arguments)]
    pub async fn import_taobao_files_by(
        &self,
        actor: &Actor,
        opts: &OrderImport,
        orders: &Path,
        lines: Option<&Path>,
        batch: usize,
        on_read: &(dyn Fn(&StagedFiles) + Sync),
        progress: &(dyn Fn(usize) + Sync),
    ) -> Result<(ImportSummary, StagedFiles), ImportError> {
        let nanos =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
        remove_stale_scratch_files(&std::env::temp_dir());
        let scratch =
            Scratch { path: std::env::temp_dir().join(format!("zhanggui-import-{}-{nanos}.db", std::process::id())) };
        let db = Db::open_scratch(&scratch.path).await?;
        let result = self.import_staged(actor, opts, &db, (orders, lines), batch.max(1), on_read, progress).await;
        db.close().await;
        drop(scratch);
        result
    }

    #[allow(clippy::too_many_arguments)]
    async fn import_staged(
        &self,
        actor: &Actor,
        opts: &OrderImport,
        db: &Db,
        (orders, lines): (&Path, Option<&Path>),
        batch: usize,
        on_read: &(dyn Fn(&StagedFiles) + Sync),
        progress: &(dyn Fn(usize) + Sync),
    ) -> Result<(ImportSummary, StagedFiles), ImportError> {
        {
            let mut tx = db.begin().await?;
            tx.create_staging().await?;
            tx.commit().await?;
        }
        let mut files = StagedFiles::default();
        let mut lines_file = String::new();
        if let Some(path) = lines {
            let (n, errors, first) = stage_lines(db, path).await?;
            files.lines = n;
            files.errors.extend(errors);
            files.first_line_line = first;
            lines_file =
                path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
        }
        {
            let mut tx = db.begin().await?;
            tx.index_staging().await?;
            files.trades_expected = usize::try_from(tx.staged_line_trades().await?).unwrap_or(0);
            tx.commit().await?;
        }
        on_read(&files);

        let mut run = self.begin_order_import(actor, opts, &files.errors, batch).await?;
        // The order report, a batch at a time: the next batch is read and put together while the
        // one before is written.
        let (mut chunks, reader) = read_chunks::<TaobaoOrderParser, _>(orders, batch, |r| r.line, Ok);
        let (ready, mut batches) = tokio::sync::mpsc::channel::<Result<Assembled, ImportError>>(1);
        let produce = async {
            while let Some(message) = chunks.recv().await {
                let assembled = match message {
                    Ok(chunk) => assemble(db, chunk).await,
                    Err(e) => Err(e),
                };
                let failed = assembled.is_err();
                if ready.send(assembled).await.is_err() || failed {
                    break;
                }
            }
            drop(ready);
        };
        let consume = async {
            let result = async {
                let mut order_errors = Vec::new();
                while let Some(message) = batches.recv().await {
                    let batch = message?;
                    if files.first_order_line == 0 {
                        files.first_order_line = batch.first;
                    }
                    files.orders += batch.read;
                    run.summary.records += batch.read;
                    run.summary.rejects.extend(batch.errors.iter().map(Reject::from));
                    order_errors.extend(batch.errors);
                    for (line, tid, first) in &batch.duplicates {
                        run.duplicate(&opts.file, *line, tid, *first);
                    }
                    if !batch.records.is_empty() {
                        self.import_order_batch(actor, opts, &mut run, &batch.records).await?;
                    }
                    progress(run.done);
                }
                Ok::<_, ImportError>(order_errors)
            }
            .await;
            // However the import ended, the reading side stops: a full channel would otherwise
            // keep it waiting for ever.
            batches.close();
            result
        };
        let ((), consumed) = tokio::join!(produce, consume);
        // Stop the reader if the import stopped early.
        drop(chunks);
        let order_errors = consumed?;
        reader.await.map_err(|e| ImportError::File(format!("reading the order report: {e}")))?;
        files.errors.extend(order_errors);

        let orphans = {
            let mut tx = db.begin_read().await?;
            let orphans = tx.staged_orphan_lines().await?;
            tx.commit().await?;
            orphans
        };
        for (line, body) in orphans {
            let l: LineRecord = serde_json::from_str(&body).map_err(json_error)?;
            let e = RowError {
                file: lines_file.clone(),
                line: usize::try_from(line).unwrap_or(0),
                column: None,
                reason: format!("主订单编号 {} 不在订单报表里 / not in the order report", l.tid),
                raw: vec![l.oid, l.tid, l.title],
            };
            run.summary.rejects.push(Reject::from(&e));
            files.errors.push(e);
        }
        let summary = run.finish().await?;
        Ok((summary, files))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    #[test]
    fn scratch_files_of_dead_imports_are_removed() {
        let dir = std::env::temp_dir().join(format!("zhanggui-scratch-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        // No process has a pid this large (Linux caps pids at 2^22).
        let dead = dir.join("zhanggui-import-999999999-1.db");
        let dead_wal = dir.join("zhanggui-import-999999999-1.db-wal");
        let mine = dir.join(format!("zhanggui-import-{}-2.db", std::process::id()));
        let other = dir.join("report.db");
        for f in [&dead, &dead_wal, &mine, &other] {
            std::fs::write(f, b"x").unwrap();
        }
        let removed = super::remove_stale_scratch_files(&dir);
        if std::path::Path::new("/proc/self").exists() {
            assert_eq!(removed, 2);
            assert!(!dead.exists() && !dead_wal.exists());
        }
        assert!(mine.exists() && other.exists(), "a running import's file and other files stay");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
