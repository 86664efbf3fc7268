//! `zhanggui bench ...`: measured figures, printed.

use clap::Subcommand;
use zhanggui_app::Lang;
use zhanggui_app::ledger_bench::{self, LedgerBench};
use zhanggui_app::store::Backend;

use crate::output::{num, print, table};
use crate::{Cli, Failure, Format};

#[derive(Subcommand, Debug)]
pub enum BenchCommand {
    /// Trades per second through create → pay → ship (two lines, stock checked and moved), one
    /// writer and several, against bare inserts of the same rows. Runs on a fresh scratch database:
    /// SQLite always; PostgreSQL too when --postgres (or DATABASE_URL) names a server.
    Ledger {
        #[arg(long, default_value_t = 5000)]
        trades: usize,
        #[arg(long, default_value_t = 8)]
        writers: usize,
        /// PostgreSQL server to create the scratch database on (admin URL).
        #[arg(long)]
        postgres: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// A generated Taobao order report with its line report (about 2.5 lines a trade, no broken
    /// rows) imported into a fresh SQLite database, against sqlite3's `.import` of the same files.
    Import {
        #[arg(long, default_value_t = 1_000_000)]
        trades: usize,
        /// Write the generated files and the imported database (zhanggui.db) into this folder and
        /// leave them there.
        #[arg(long)]
        keep: Option<std::path::PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// The daily report and the replenishment table read from the sales summaries against the same
    /// reports computed from the raw trades, on a generated company in a fresh SQLite database.
    Report {
        #[arg(long, default_value_t = 200_000)]
        trades: usize,
        #[arg(long, default_value_t = 10_000)]
        skus: usize,
        /// Days of history the trades are spread over, ending yesterday.
        #[arg(long, default_value_t = 365)]
        days: u32,
        /// Keep the generated company in this SQLite file, or reuse the one an earlier run left there.
        #[arg(long)]
        keep: Option<std::path::PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// The dashboard and the first page of the order list served by `zhanggui serve` over a
    /// generated company (as `bench report` makes it): time per request one at a time, and with
    /// `wrk` installed requests/s and p99 under concurrent connections; the server's peak memory.
    Web {
        #[arg(long, default_value_t = 200_000)]
        trades: usize,
        #[arg(long, default_value_t = 2_000)]
        skus: usize,
        #[arg(long, default_value_t = 120)]
        days: u32,
        /// Concurrent connections of the load (wrk -c).
        #[arg(long, default_value_t = 8)]
        connections: usize,
        /// Seconds of load per page.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Keep the generated company in this SQLite file, or serve the one `bench report --keep` or an
        /// earlier run left there.
        #[arg(long)]
        keep: Option<std::path::PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

pub async fn run(cli: &Cli, cmd: &BenchCommand, lang: Lang) -> Result<(), Failure> {
    match cmd {
        BenchCommand::Web { trades, skus, days, connections, seconds, keep, format } => {
            let r = crate::bench_web::run(*trades, *skus, *days, *connections, *seconds, keep.as_deref())
                .await
                .map_err(Failure::internal)?;
            print(*format, &r, || {
                let mut t = table(&[
                    lang.pick("页面", "page"),
                    lang.pick("首次请求", "first request"),
                    lang.pick("逐个请求 中位数", "one at a time, median"),
                    lang.pick("最快", "best"),
                    lang.pick("与登录页之比", "ratio to the login page"),
                    lang.pick("并发 请求/秒", "under load, requests/s"),
                    lang.pick("并发 p99", "under load, p99"),
                ]);
                let opt = |v: Option<f64>, unit: &str| v.map(|x| format!("{x:.1}{unit}")).unwrap_or_else(|| "—".into());
                for p in &r.pages {
                    t.add_row(vec![
                        comfy_table::Cell::new(&p.path),
                        num(format!("{:.1} ms", p.first_ms)),
                        num(format!("{:.1} ms", p.median_ms)),
                        num(format!("{:.1} ms", p.best_ms)),
                        num(format!("{:.1}×", p.ratio_to_floor)),
                        num(opt(p.requests_per_s, "")),
                        num(opt(p.p99_ms, " ms")),
                    ]);
                }
                t
            })?;
            let rss = r.server_peak_rss_mib.map(|m| format!("{m:.0} MiB")).unwrap_or_else(|| "—".into());
            if matches!(format, Format::Table) {
                println!(
                    "{}",
                    match lang {
                        Lang::Zh => format!(
                            "{} 笔订单，{} 个 SKU，{} 天（生成 {:.1} 秒）；并发 {} 个连接，每页 {} 秒；服务器内存峰值 {rss}。{}",
                            r.trades, r.skus, r.days, r.load_s, r.connections, r.seconds, r.note
                        ),
                        Lang::En => format!(
                            "{} trades, {} SKUs, {} days (generated in {:.1} s); {} connections, {} s per page; server peak memory {rss}. {}",
                            r.trades, r.skus, r.days, r.load_s, r.connections, r.seconds, r.note
                        ),
                    }
                );
            }
            Ok(())
        }
        BenchCommand::Report { trades, skus, days, keep, format } => {
            let r = zhanggui_app::report_bench::run(*trades, *skus, *days, keep.as_deref())
                .await
                .map_err(|e| Failure::internal(e.to_string()))?;
            print(*format, &r, || {
                let mut t = table(&[lang.pick("项目", "what"), lang.pick("数值", "value")]);
                let rows: Vec<(&str, &str, String)> = vec![
                    ("订单数", "trades", r.trades.to_string()),
                    ("SKU 数", "SKUs", r.skus.to_string()),
                    ("天数", "days", r.days.to_string()),
                    ("生成数据", "load", format!("{:.1} s", r.load_s)),
                    (
                        "日报（汇总表，首次）",
                        "daily report (summaries, first run)",
                        format!("{:.1} ms", r.daily_summaries_first_ms),
                    ),
                    ("日报（汇总表）", "daily report (summaries)", format!("{:.1} ms", r.daily_summaries_ms)),
                    ("日报（原始表）", "daily report (raw tables)", format!("{:.1} ms", r.daily_raw_ms)),
                    ("日报 原始/汇总", "daily raw / summaries", format!("{:.1}×", r.daily_ratio)),
                    (
                        "补货需求表（汇总表，首次）",
                        "replenishment (summaries, first run)",
                        format!("{:.1} ms", r.replenishment_summaries_first_ms),
                    ),
                    (
                        "补货需求表（汇总表）",
                        "replenishment (summaries)",
                        format!("{:.1} ms", r.replenishment_summaries_ms),
                    ),
                    ("补货需求表（原始表）", "replenishment (raw tables)", format!("{:.1} ms", r.replenishment_raw_ms)),
                    ("补货 原始/汇总", "replenishment raw / summaries", format!("{:.1}×", r.replenishment_ratio)),
                    ("补货表行数", "replenishment lines", r.replenishment_lines.to_string()),
                    ("两种算法结果一致", "same answers", r.same_answers.to_string()),
                ];
                for (zh, en, v) in rows {
                    t.add_row(vec![comfy_table::Cell::new(lang.pick(zh, en)), num(v)]);
                }
                t
            })
        }
        BenchCommand::Import { trades, keep, format } => {
            let r = zhanggui_app::import_bench::run(*trades, keep.as_deref())
                .await
                .map_err(|e| Failure::internal(e.to_string()))?;
            print(*format, &r, || {
                let mut t = table(&[lang.pick("项目", "what"), lang.pick("数值", "value")]);
                let opt = |v: Option<f64>, unit: &str| v.map(|x| format!("{x:.1}{unit}")).unwrap_or_else(|| "—".into());
                let rows: Vec<(&str, &str, String)> = vec![
                    ("订单数", "trades", r.trades.to_string()),
                    ("子订单数", "lines", r.lines.to_string()),
                    ("文件大小", "file size", format!("{:.0} MB", r.file_mb)),
                    ("读取解析", "read and parse", format!("{:.1} s", r.read_s)),
                    ("写入数据库", "write", format!("{:.1} s", r.write_s)),
                    ("合计", "total", format!("{:.1} s", r.total_s)),
                    ("笔/秒", "trades/s", format!("{:.0}", r.trades_per_s)),
                    ("sqlite3 .import 底线", "sqlite3 .import floor", opt(r.floor_s, " s")),
                    ("与底线之比", "ratio to floor", opt(r.ratio_to_floor, "×")),
                    ("峰值内存", "peak memory", opt(r.peak_rss_mib, " MiB")),
                ];
                for (zh, en, v) in rows {
                    t.add_row(vec![comfy_table::Cell::new(lang.pick(zh, en)), num(v)]);
                }
                t
            })
        }
        BenchCommand::Ledger { trades, writers, postgres, format } => {
            let pg = postgres.clone().or_else(|| cli.database.starts_with("postgres").then(|| cli.database.clone()));
            let mut results: Vec<LedgerBench> = Vec::new();
            let fail = |e: ledger_bench::BenchError| Failure::internal(e.to_string());
            results.push(ledger_bench::run(Backend::Sqlite, None, *trades, *writers).await.map_err(fail)?);
            if let Some(url) = pg {
                results.push(ledger_bench::run(Backend::Postgres, Some(&url), *trades, *writers).await.map_err(fail)?);
            }
            print(*format, &results, || {
                let mut t = table(&[
                    lang.pick("数据库", "backend"),
                    lang.pick("订单数", "trades"),
                    lang.pick("单写入 笔/秒", "1 writer trades/s"),
                    lang.pick("并发写入 笔/秒", "N writers trades/s"),
                    lang.pick("并发数", "writers"),
                    lang.pick("每单一个事务 笔/秒", "1 tx per trade trades/s"),
                    lang.pick("裸插入 笔/秒", "bare inserts trades/s"),
                    lang.pick("裸插入/单写入", "floor / 1 writer"),
                    lang.pick("裸插入/并发", "floor / N writers"),
                ]);
                for r in &results {
                    t.add_row(vec![
                        comfy_table::Cell::new(&r.backend),
                        num(r.trades),
                        num(format!("{:.0}", r.single_writer_trades_per_s)),
                        num(format!("{:.0}", r.concurrent_trades_per_s)),
                        num(r.concurrent_writers),
                        num(format!("{:.0}", r.one_transaction_trades_per_s)),
                        num(format!("{:.0}", r.floor_trades_per_s)),
                        num(format!("{:.1}×", r.single_writer_ratio_to_floor)),
                        num(format!("{:.1}×", r.concurrent_ratio_to_floor)),
                    ]);
                }
                t
            })
        }
    }
}
