//! `zhanggui`: the command line of zhanggui (掌柜).
//!
//! Exit codes: 0 success, 2 bad input (a wrong argument, an unknown order, a refused transition,
//! missing stock), 1 internal failure.

mod affinity;
mod after_sales;
mod bench;
mod bench_web;
mod demo;
mod import;
mod orders;
mod output;
mod purchase;
mod rebuild;
mod report;
mod samples;
mod serve;
mod stock;
mod stocktake;

use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use zhanggui_app::{Actor, App, ErrorKind, Lang, UserFacing};

/// Imports and reports build and drop many small strings and rows (a trade's fields, a query's
/// arguments); mimalloc serves those from per-thread pages, where the C library's allocator spends
/// about a fifth of an import's time merging and splitting its free chunks.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser, Debug)]
#[command(name = "zhanggui", version, about = "掌柜 zhanggui: the back office for online shops / 网店后台")]
pub struct Cli {
    /// Database: sqlite://FILE (default zhanggui.db) or postgres://USER@HOST/DB.
    #[arg(long, global = true, env = "DATABASE_URL", default_value = "sqlite://zhanggui.db")]
    pub database: String,
    /// Language of messages and tables: zh or en (default from LANG, else zh).
    #[arg(long, global = true)]
    pub lang: Option<String>,
    /// The company to work on (its code); the first one by default.
    #[arg(long, global = true)]
    pub company: Option<String>,
    /// Let SQLite work move between CPU cores. By default a command on SQLite keeps its threads on
    /// one core under batch scheduling, which makes each database round trip several times cheaper.
    #[arg(long, global = true, env = "ZHANGGUI_ALL_CORES", value_parser = clap::builder::BoolishValueParser::new())]
    pub all_cores: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Fill the database with the demo shop (生成演示店铺).
    Demo(demo::DemoArgs),
    /// Stock: list, show, adjust, transfer, check (库存).
    #[command(subcommand)]
    Stock(stock::StockCommand),
    /// Orders: list, show, pay, ship, confirm, close (订单).
    #[command(subcommand)]
    Orders(orders::OrdersCommand),
    /// Import the platforms' export files (导入).
    #[command(subcommand)]
    Import(import::ImportCommand),
    /// After-sales: refunds, returns, exchanges, reships and disputes, with their deadlines (售后).
    #[command(subcommand, name = "after-sales")]
    AfterSales(after_sales::AfterSalesCommand),
    /// Stocktakes: count a warehouse, review differences, post them (盘点).
    #[command(subcommand)]
    Stocktake(stocktake::StocktakeCommand),
    /// Purchasing: suppliers, purchase orders, receipts, expected arrivals (采购).
    #[command(subcommand)]
    Purchase(purchase::PurchaseCommand),
    /// Merchant codes: unmatched ones and mappings (商品编码).
    #[command(subcommand)]
    Skus(import::SkusCommand),
    /// Write realistic sample export files of every kind the importers read (示例导出文件).
    Samples(samples::SamplesArgs),
    /// Benchmarks that print measured figures (性能测试).
    #[command(subcommand)]
    Bench(bench::BenchCommand),
    /// The manager's reports: daily, weekly, monthly, customers, replenishment, alerts (报表).
    #[command(subcommand)]
    Report(report::ReportCommand),
    /// Recompute the sales summaries the reports read from the raw trades and refunds (重建汇总).
    RebuildSummaries(rebuild::RebuildArgs),
    /// The web back office: pages for people and a JSON API (网页后台).
    Serve(serve::ServeArgs),
}

/// How listings are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    #[default]
    Table,
    Json,
}

/// A failure with the exit code it deserves and a message in the user's language.
pub struct Failure {
    pub code: u8,
    pub message: String,
}

impl Failure {
    pub fn bad_input(message: impl Into<String>) -> Failure {
        Failure { code: 2, message: message.into() }
    }

    pub fn internal(message: impl Into<String>) -> Failure {
        Failure { code: 1, message: message.into() }
    }

    pub fn from_error<E: UserFacing>(e: &E, lang: Lang) -> Failure {
        let code = match e.kind() {
            ErrorKind::BadInput | ErrorKind::NotFound => 2,
            ErrorKind::Internal => 1,
        };
        Failure { code, message: e.message(lang) }
    }

    pub fn store(e: &zhanggui_app::store::StoreError, lang: Lang) -> Failure {
        Failure::internal(format!("{}{e}", lang.pick("数据库错误：", "database error: ")))
    }
}

/// What every command gets: the app, the language, the acting user and company.
pub struct Ctx {
    pub app: App,
    pub lang: Lang,
    pub actor: Actor,
    pub time_zone: chrono_tz::Tz,
}

impl Ctx {
    async fn open(cli: &Cli, lang: Lang) -> Result<Ctx, Failure> {
        let app = App::open(&cli.database).await.map_err(|e| Failure::store(&e, lang))?;
        let company = app.company(cli.company.as_deref()).await.map_err(|e| Failure::store(&e, lang))?;
        let Some(company) = company else {
            return Err(Failure::bad_input(match (&cli.company, lang) {
                (Some(c), Lang::Zh) => format!("找不到公司 {c}"),
                (Some(c), Lang::En) => format!("no company with code {c}"),
                (None, Lang::Zh) => "数据库里还没有公司。先运行 `zhanggui demo` 生成演示店铺。".into(),
                (None, Lang::En) => "The database holds no company yet. Run `zhanggui demo` first.".into(),
            }));
        };
        let user = std::env::var("USER").unwrap_or_else(|_| "cli".into());
        Ok(Ctx {
            app,
            lang,
            actor: Actor { company_id: company.id, user },
            time_zone: zhanggui_app::clock::zone(&company.time_zone),
        })
    }
}

fn main() -> ExitCode {
    // Output piped into `head` and closed early is not an error worth a panic report.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info.payload().downcast_ref::<String>().map(String::as_str).unwrap_or("");
        if message.starts_with("failed printing to stdout") {
            std::process::exit(0);
        }
        default_hook(info);
    }));
    let cli = Cli::parse();
    let lang = match &cli.lang {
        Some(l) => Lang::from_setting(l),
        None => Lang::from_setting(&std::env::var("LANG").unwrap_or_default()),
    };
    // The server answers many requests at once on every core; commands work one step at a time.
    let serving = matches!(cli.command, Command::Serve(_));
    let mut pinned = None;
    if !serving && affinity::is_sqlite(&cli.database) && !cli.all_cores {
        pinned = affinity::stay_on_current_core();
        affinity::batch_scheduling();
    }
    let mut builder = if serving {
        tokio::runtime::Builder::new_multi_thread()
    } else {
        tokio::runtime::Builder::new_current_thread()
    };
    // The runtime's own threads are its blocking pool, which reads and parses files (an order report
    // beside its import): they leave the core the database work is pinned to.
    if let Some(p) = pinned {
        builder.on_thread_start(move || {
            p.leave_pinned_core();
        });
    }
    let runtime = match builder.enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(run(cli, lang)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("{}{}", lang.pick("错误：", "error: "), f.message);
            ExitCode::from(f.code)
        }
    }
}

async fn run(cli: Cli, lang: Lang) -> Result<(), Failure> {
    match &cli.command {
        Command::Demo(args) => demo::run(&cli, args, lang).await,
        Command::Bench(cmd) => bench::run(&cli, cmd, lang).await,
        Command::Samples(args) => samples::run(args, lang),
        Command::RebuildSummaries(args) => rebuild::run(&cli, args, lang).await,
        Command::Serve(args) => serve::run(&cli, args, lang).await,
        Command::Stock(cmd) => {
            let ctx = Ctx::open(&cli, lang).await?;
            stock::run(&ctx, cmd).await
        }
        Command::Import(cmd) => {
            let ctx = Ctx::open(&cli, lang).await?;
            import::run(&ctx, cmd).await
        }
        Command::Skus(cmd) => {
            let ctx = Ctx::open(&cli, lang).await?;
            import::run_skus(&ctx, cmd).await
        }
        Command::AfterSales(cmd) => {
            let ctx = Ctx::open(&cli, lang).await?;
            after_sales::run(&ctx, cmd).await
        }
        Command::Stocktake(cmd) => {
            let ctx = Ctx::open(&cli, lang).await?;
            stocktake::run(&ctx, cmd).await
        }
        Command::Purchase(cmd) => {
            let ctx = Ctx::open(&cli, lang).await?;
            purchase::run(&ctx, cmd).await
        }
        Command::Report(cmd) => {
            let ctx = Ctx::open(&cli, lang).await?;
            report::run(&ctx, cmd).await
        }
        Command::Orders(cmd) => {
            let ctx = Ctx::open(&cli, lang).await?;
            orders::run(&ctx, cmd).await
        }
    }
}
