//! `zhanggui bench import`: a generated Taobao order report and its line report imported into a
//! fresh SQLite database, against the floor of the sqlite3 command line's `.import` of the same CSV
//! files into bare tables, measured in the same run.

use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::time::Instant;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use zhanggui_domain::Platform;
use zhanggui_formats::fixtures::{Encoding, Options, products::products, taobao::taobao_orders_to};
use zhanggui_store::scratch::Scratch;

use crate::import::orders::OrderImport;
use crate::{Actor, App};

#[derive(Debug, Clone, Serialize)]
pub struct ImportBench {
    pub trades: usize,
    pub lines: usize,
    pub file_mb: f64,
    pub generate_s: f64,
    /// Reading and parsing both files (no database).
    pub read_s: f64,
    /// Writing the trades (after reading).
    pub write_s: f64,
    pub total_s: f64,
    pub trades_per_s: f64,
    /// sqlite3 `.import` of both files into bare tables; `None` when sqlite3 is not installed.
    pub floor_s: Option<f64>,
    pub ratio_to_floor: Option<f64>,
    /// Peak resident memory of this process (VmHWM), MiB.
    pub peak_rss_mib: Option<f64>,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportBenchError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Store(#[from] zhanggui_store::StoreError),
    #[error(transparent)]
    Import(#[from] crate::import::ImportError),
    #[error("{0}")]
    File(String),
}

/// Peak resident memory (VmHWM) of this process (`None`) or of process `pid`, in MiB; `None` where
/// the system does not say.
pub fn peak_rss_mib(pid: Option<u32>) -> Option<f64> {
    let path = pid.map_or_else(|| "/proc/self/status".to_string(), |p| format!("/proc/{p}/status"));
    let status = std::fs::read_to_string(path).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn floor(dir: &Path, orders: &Path, lines: &Path) -> Option<f64> {
    let db = dir.join("floor.db");
    let script = format!(".mode csv\n.import '{}' orders\n.import '{}' lines\n", orders.display(), lines.display());
    let started = Instant::now();
    let out = std::process::Command::new("sqlite3")
        .arg(&db)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            if let Some(stdin) = child.stdin.as_mut() {
                stdin.write_all(script.as_bytes())?;
            }
            child.wait()
        });
    match out {
        Ok(status) if status.success() => Some(started.elapsed().as_secs_f64()),
        _ => None,
    }
}

/// Runs the benchmark with `trades` generated trades, in a temporary folder it removes afterwards,
/// or in `keep`, where the generated files and the imported database (`zhanggui.db`) stay to be
/// looked at.
pub async fn run(trades: usize, keep: Option<&Path>) -> Result<ImportBench, ImportBenchError> {
    if let Some(dir) = keep {
        let at = |path: &Path| {
            let path = path.display().to_string();
            move |e: std::io::Error| ImportBenchError::File(format!("{path}: {e}"))
        };
        std::fs::create_dir_all(dir).map_err(at(dir))?;
        let db = dir.join("zhanggui.db");
        for path in [db.clone(), dir.join("zhanggui.db-wal"), dir.join("zhanggui.db-shm"), dir.join("floor.db")] {
            if path.exists() {
                std::fs::remove_file(&path).map_err(at(&path))?;
            }
        }
        return run_in(dir, trades, Some(&db)).await;
    }
    let dir: PathBuf = std::env::temp_dir().join(format!("zhanggui-import-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let result = run_in(&dir, trades, None).await;
    let _ = std::fs::remove_dir_all(&dir);
    result
}

async fn run_in(dir: &Path, trades: usize, keep_db: Option<&Path>) -> Result<ImportBench, ImportBenchError> {
    let opts = Options::plain().with_many_lines();
    let orders_path = dir.join("ExportOrderList.csv");
    let lines_path = dir.join("ExportOrderDetailList.csv");
    let started = Instant::now();
    let mut rng = ChaCha8Rng::seed_from_u64(1_000_000);
    let summary = taobao_orders_to(
        &mut rng,
        trades,
        Encoding::Utf8,
        &opts,
        BufWriter::new(std::fs::File::create(&orders_path)?),
        BufWriter::new(std::fs::File::create(&lines_path)?),
    )?;
    let generate_s = started.elapsed().as_secs_f64();
    let file_mb = (std::fs::metadata(&orders_path)?.len() + std::fs::metadata(&lines_path)?.len()) as f64 / 1e6;
    let floor_s = floor(dir, &orders_path, &lines_path);

    let (scratch, url) = match keep_db {
        Some(db) => (None, db.display().to_string()),
        None => {
            let scratch = Scratch::sqlite();
            let url = scratch.url.clone();
            (Some(scratch), url)
        }
    };
    let app = App::open(&url).await?;
    let company_id = app.create_company("bench", "压测公司", "Asia/Shanghai").await?;
    let wh = app.create_warehouse(company_id, "HZ", "杭州主仓").await?;
    app.create_shop(company_id, Platform::Taobao, "压测店", Some(wh), Default::default()).await?;
    let actor = Actor { company_id, user: "bench".into() };
    let catalog = products(&mut ChaCha8Rng::seed_from_u64(1), &opts);
    let sheet = zhanggui_formats::read_sheet_bytes("products.csv", &catalog.bytes)
        .map_err(|e| ImportBenchError::File(e.to_string()))?;
    let (records, errors) =
        zhanggui_formats::products::read_products(&sheet).map_err(|e| ImportBenchError::File(e.to_string()))?;
    app.import_products(&actor, "products.csv", records, &errors, true, &|_| {}).await?;

    // The files are read row by row into a staging database, then imported a batch at a time:
    // "read" is until both are staged, "write" the import from there.
    let started = Instant::now();
    let read_done = std::sync::Mutex::new(None);
    let on_read = |_: &crate::import::staged::StagedFiles| {
        if let Ok(mut done) = read_done.lock() {
            *done = Some(started.elapsed().as_secs_f64());
        }
    };
    let opts = OrderImport { shop: "压测店".into(), file: "ExportOrderList.csv".into(), stock_from: None };
    let (imported, staged) =
        app.import_taobao_files(&actor, &opts, &orders_path, Some(&lines_path), &on_read, &|_| {}).await?;
    let n_lines = staged.lines;
    let read_s = read_done.lock().ok().and_then(|d| *d).unwrap_or(0.0);
    let write_s = started.elapsed().as_secs_f64() - read_s;
    let total_s = started.elapsed().as_secs_f64();
    app.db.close().await;
    if let Some(scratch) = scratch {
        scratch.drop_now().await?;
    }
    if imported.inserted != summary.trades {
        return Err(ImportBenchError::File(format!(
            "imported {} trades of {} generated",
            imported.inserted, summary.trades
        )));
    }
    Ok(ImportBench {
        trades: imported.inserted,
        lines: n_lines,
        file_mb,
        generate_s,
        read_s,
        write_s,
        total_s,
        trades_per_s: imported.inserted as f64 / total_s,
        floor_s,
        ratio_to_floor: floor_s.map(|f| total_s / f),
        peak_rss_mib: peak_rss_mib(None),
    })
}
