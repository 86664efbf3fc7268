//! Importing a Taobao order report with its line report in memory that does not grow with the
//! files: both are read row by row into a scratch SQLite database (`store::staging`), then read
//! back a batch of trades at a time, each with its lines, and imported like any other batch. What
//! the in-memory path finds is found here too, with SQL: repeated order numbers and lines whose
//! trade is not in the order report.

use std::path::{Path, PathBuf};

use zhanggui_formats::records::{LineRecord, OrderRecord, RowError};
use zhanggui_formats::taobao::{TaobaoLineParser, TaobaoOrderParser};
use zhanggui_formats::{FileError, RowParser, stream_records_path};
use zhanggui_store::Db;
use zhanggui_store::staging::Staged;

use super::orders::{BATCH, OrderImport};
use super::{ImportError, ImportSummary};
use crate::{Actor, App};

/// Rows written to the staging database per statement batch.
const STAGE_CHUNK: usize = 5_000;

/// What a staged read found, besides the staged rows.
#[derive(Debug, Default)]
pub struct StagedFiles {
    /// Records read (trades of the order report).
    pub orders: usize,
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

/// A piece of a file read on the reading thread.
#[derive(Default)]
struct Chunk {
    rows: Vec<(i64, String, String)>,
    errors: Vec<RowError>,
    /// The first data line seen in this chunk, 0 when none.
    first: usize,
}

/// Streams one file into a staging table; returns (records, errors, first data line). The file is
/// read and parsed on a thread of its own while the rows read so far are written.
async fn stage_file<P>(
    db: &Db,
    path: &Path,
    which: Staged,
    key: fn(&P::Record) -> (usize, String),
) -> Result<(usize, Vec<RowError>, usize), ImportError>
where
    P: RowParser + Send + 'static,
    P::Record: serde::Serialize,
{
    let (sender, mut receiver) = tokio::sync::mpsc::channel::<Result<Chunk, ImportError>>(4);
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
                    let (line, tid) = key(&record);
                    if chunk.first == 0 {
                        chunk.first = line;
                    }
                    match serde_json::to_string(&record) {
                        Ok(body) => chunk.rows.push((i64::try_from(line).unwrap_or(i64::MAX), tid, body)),
                        Err(e) => {
                            let _ = sender.blocking_send(Err(json_error(e)));
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
            if chunk.rows.len() >= STAGE_CHUNK && sender.blocking_send(Ok(std::mem::take(&mut chunk))).is_err() {
                return;
            }
        }
        let _ = sender.blocking_send(Ok(chunk));
    });
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
            tx.stage(which, &chunk.rows).await?;
            tx.commit().await?;
        }
    }
    reader.await.map_err(|e| ImportError::File(format!("reading {}: {e}", which.name())))?;
    Ok((count, errors, first))
}

impl App {
    /// Imports a Taobao order report, with its line report when given, reading both row by row.
    /// `on_read(staged)` is called once both files are read (before any trade is written), and
    /// `progress(trades done)` after each batch.
    pub async fn import_taobao_files(
        &self,
        actor: &Actor,
        opts: &OrderImport,
        orders: &Path,
        lines: Option<&Path>,
        on_read: &(dyn Fn(&StagedFiles) + Sync),
        progress: &(dyn Fn(usize) + Sync),
    ) -> Result<(ImportSummary, StagedFiles), ImportError> {
        let nanos =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
        remove_stale_scratch_files(&std::env::temp_dir());
        let scratch =
            Scratch { path: std::env::temp_dir().join(format!("zhanggui-import-{}-{nanos}.db", std::process::id())) };
        let db = Db::open_scratch(&scratch.path).await?;
        let result = self.import_staged(actor, opts, &db, orders, lines, on_read, progress).await;
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
        orders: &Path,
        lines: Option<&Path>,
        on_read: &(dyn Fn(&StagedFiles) + Sync),
        progress: &(dyn Fn(usize) + Sync),
    ) -> Result<(ImportSummary, StagedFiles), ImportError> {
        {
            let mut tx = db.begin().await?;
            tx.create_staging().await?;
            tx.commit().await?;
        }
        let mut files = StagedFiles::default();
        let (n, errors, first) =
            stage_file::<TaobaoOrderParser>(db, orders, Staged::Orders, |r: &OrderRecord| (r.line, r.tid.clone()))
                .await?;
        files.orders = n;
        files.errors = errors;
        files.first_order_line = first;
        let mut lines_file = String::new();
        if let Some(path) = lines {
            let (n, errors, first) =
                stage_file::<TaobaoLineParser>(db, path, Staged::Lines, |r: &LineRecord| (r.line, r.tid.clone()))
                    .await?;
            files.lines = n;
            files.errors.extend(errors);
            files.first_line_line = first;
            lines_file =
                path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
        }
        let mut tx = db.begin().await?;
        tx.index_staging().await?;
        let duplicates = tx.staged_duplicates().await?;
        let orphans = tx.staged_orphan_lines().await?;
        tx.commit().await?;
        for (line, body) in orphans {
            let l: LineRecord = serde_json::from_str(&body).map_err(json_error)?;
            files.errors.push(RowError {
                file: lines_file.clone(),
                line: usize::try_from(line).unwrap_or(0),
                column: None,
                reason: format!("主订单编号 {} 不在订单报表里 / not in the order report", l.tid),
                raw: vec![l.oid, l.tid, l.title],
            });
        }
        on_read(&files);

        let mut run = self.begin_order_import(actor, opts, &files.errors).await?;
        run.summary.records = files.orders;
        for (line, tid, first) in duplicates {
            run.duplicate(&opts.file, usize::try_from(line).unwrap_or(0), &tid, usize::try_from(first).unwrap_or(0));
        }
        let mut after = 0_i64;
        loop {
            let mut tx = db.begin_read().await?;
            let staged = tx.staged_orders_after(after, i64::try_from(BATCH).unwrap_or(i64::MAX)).await?;
            let (Some(first), Some(last)) = (staged.first().map(|s| s.0), staged.last().map(|s| s.0)) else {
                tx.commit().await?;
                break;
            };
            let staged_lines = tx.staged_lines_of_orders(first, last).await?;
            tx.commit().await?;
            after = last;
            let mut batch: Vec<OrderRecord> = Vec::with_capacity(staged.len());
            let mut index = std::collections::HashMap::with_capacity(staged.len());
            for (_, body) in &staged {
                let record: OrderRecord = serde_json::from_str(body).map_err(json_error)?;
                index.insert(record.tid.clone(), batch.len());
                batch.push(record);
            }
            // Every line of these trades is here, in file order, so numbering missing 子订单编号
            // per trade gives what numbering over the whole file gives.
            let mut batch_lines = Vec::with_capacity(staged_lines.len());
            for (_, body) in &staged_lines {
                batch_lines.push(serde_json::from_str::<LineRecord>(body).map_err(json_error)?);
            }
            zhanggui_formats::taobao::fill_missing_oids(&mut batch_lines);
            for l in batch_lines {
                if let Some(order) = index.get(&l.tid).and_then(|i| batch.get_mut(*i)) {
                    order.lines.push(l);
                }
            }
            self.import_order_batch(actor, opts, &mut run, &batch).await?;
            progress(run.done);
        }
        let summary = run.finish();
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
