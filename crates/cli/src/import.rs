//! `zhanggui import ...`: load the platforms' export files; `zhanggui skus ...`: merchant codes.

use std::path::{Path, PathBuf};

use clap::Subcommand;
use comfy_table::Cell;
use indicatif::{ProgressBar, ProgressStyle};
use zhanggui_app::Lang;
use zhanggui_app::import::orders::OrderImport;
use zhanggui_app::import::staged::StagedFiles;
use zhanggui_app::import::{ImportError, ImportSummary, rejects_csv};
use zhanggui_formats::{OrderRecord, RowError, Sheet};

use crate::output::{num, print, table};
use crate::{Ctx, Failure, Format};

#[derive(Subcommand, Debug)]
pub enum ImportCommand {
    /// Taobao/Tmall order report (订单报表), optionally with the line report (宝贝报表).
    TaobaoOrders {
        orders: PathBuf,
        #[arg(long)]
        lines: Option<PathBuf>,
        #[command(flatten)]
        common: OrderArgs,
    },
    /// Pinduoduo order export.
    PddOrders {
        file: PathBuf,
        #[command(flatten)]
        common: OrderArgs,
    },
    /// JD order export (one row per line).
    JdOrders {
        file: PathBuf,
        #[command(flatten)]
        common: OrderArgs,
    },
    /// 生意参谋 item ranking export (商品_全部): per-item daily traffic and conversion.
    SycmItems {
        file: PathBuf,
        #[command(flatten)]
        common: SheetArgs,
    },
    /// The after-sales export (退款管理 → 导出) into after-sales cases; import the orders first.
    Refunds {
        file: PathBuf,
        #[command(flatten)]
        common: SheetArgs,
    },
    /// A shop's daily PV/UV sheet (生意参谋 or hand-made).
    ShopTraffic {
        file: PathBuf,
        #[command(flatten)]
        common: SheetArgs,
    },
    /// 直通车/万相台 plan or item report into daily ad spend.
    Ads {
        file: PathBuf,
        /// Which ad tool the report comes from.
        #[arg(long, default_value = "直通车")]
        channel: String,
        #[command(flatten)]
        common: SheetArgs,
    },
    /// Product/SKU sheet: creates the catalogue and sets opening stock.
    Products {
        file: PathBuf,
        /// Write the rejected rows here, in the file's own columns, to fix and import again.
        #[arg(long)]
        rejects: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

#[derive(clap::Args, Debug)]
pub struct OrderArgs {
    /// The shop the export comes from (its name).
    #[arg(long)]
    shop: String,
    /// Inventory start (YYYY-MM-DD): trades paid before it never touch stock.
    #[arg(long)]
    stock_from: Option<String>,
    /// Write the rejected rows here, in the file's own columns, to fix and import again.
    #[arg(long)]
    rejects: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

#[derive(clap::Args, Debug)]
pub struct SheetArgs {
    /// The shop the export belongs to (its name).
    #[arg(long)]
    shop: String,
    /// Write the rejected rows here, in the file's own columns, to fix and import again.
    #[arg(long)]
    rejects: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

#[derive(Subcommand, Debug)]
pub enum SkusCommand {
    /// Merchant codes of imported lines that match no SKU (未匹配商品).
    Unmatched {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Map an export's merchant code to a SKU; its lines are linked now and in later imports.
    Map {
        code: String,
        /// The SKU's own code (商家编码).
        sku: String,
    },
}

fn read(path: &Path, lang: Lang) -> Result<Sheet, Failure> {
    zhanggui_formats::read_sheet(path).map_err(|e| {
        Failure::bad_input(format!("{}{}: {e}", lang.pick("无法读取文件 ", "cannot read "), path.display()))
    })
}

fn file_error(e: zhanggui_formats::FileError, lang: Lang) -> Failure {
    Failure::bad_input(format!("{}{e}", lang.pick("文件格式不对：", "bad file: ")))
}

fn bar(format: Format, total: usize) -> ProgressBar {
    if format == Format::Json || total < 2_000 {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total as u64);
    bar.set_style(
        ProgressStyle::with_template("[{bar:40}] {pos}/{len} {per_sec} ETA {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar
}

/// The line breaks in a CSV file: about its rows (a quoted cell may hold a break of its own); 0
/// for a spreadsheet, whose bytes say nothing of its rows.
fn line_breaks(path: &Path) -> usize {
    use std::io::Read as _;
    let csv = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv") || e.eq_ignore_ascii_case("txt"));
    if !csv {
        return 0;
    }
    let Ok(mut file) = std::fs::File::open(path) else { return 0 };
    let mut buf = vec![0u8; 1 << 20];
    let mut n = 0;
    while let Ok(read) = file.read(&mut buf) {
        if read == 0 {
            break;
        }
        n += buf[..read].iter().filter(|b| **b == b'\n').count();
    }
    n
}

fn first_line<T>(items: &[T], line: impl Fn(&T) -> usize, errors: &[RowError]) -> usize {
    items.iter().map(line).chain(errors.iter().map(|e| e.line)).min().unwrap_or(usize::MAX)
}

pub async fn run(ctx: &Ctx, cmd: &ImportCommand) -> Result<(), Failure> {
    let lang = ctx.lang;
    let fail = |e: ImportError| Failure::from_error(&e, lang);
    match cmd {
        ImportCommand::TaobaoOrders { orders, lines, common } => {
            import_taobao(ctx, common, orders, lines.as_deref()).await.map_err(fail)?
        }
        ImportCommand::PddOrders { file, common } | ImportCommand::JdOrders { file, common } => {
            let sheet = read(file, lang)?;
            let (records, errors) = if matches!(cmd, ImportCommand::PddOrders { .. }) {
                zhanggui_formats::pdd::read_pdd_orders(&sheet)
            } else {
                zhanggui_formats::jd::read_jd_orders(&sheet)
            }
            .map_err(|e| file_error(e, lang))?;
            let first = first_line(&records, |r| r.line, &errors);
            import_orders(ctx, common, records, errors, vec![(file.clone(), sheet.name.clone(), first)])
                .await
                .map_err(fail)?
        }
        ImportCommand::SycmItems { file, common } => {
            let sheet = read(file, lang)?;
            let (records, errors) = zhanggui_formats::sycm::read_sycm_items(&sheet).map_err(|e| file_error(e, lang))?;
            let first = first_line(&records, |r| r.line, &errors);
            let s = ctx
                .app
                .import_item_traffic(&ctx.actor, &common.shop, &sheet.name, &records, &errors)
                .await
                .map_err(fail)?;
            finish(ctx, &s, common.rejects.as_deref(), &[(file.clone(), sheet.name.clone(), first)], common.format)?
        }
        ImportCommand::Refunds { file, common } => {
            let sheet = read(file, lang)?;
            let (records, errors) = zhanggui_formats::refunds::read_refunds(&sheet).map_err(|e| file_error(e, lang))?;
            let first = first_line(&records, |r| r.line, &errors);
            let progress = bar(common.format, records.len());
            let tick = |n: usize| progress.set_position(n as u64);
            let s = ctx
                .app
                .import_refunds(&ctx.actor, &common.shop, &sheet.name, &records, &errors, &tick)
                .await
                .map_err(fail)?;
            progress.finish_and_clear();
            finish(ctx, &s, common.rejects.as_deref(), &[(file.clone(), sheet.name.clone(), first)], common.format)?
        }
        ImportCommand::ShopTraffic { file, common } => {
            let sheet = read(file, lang)?;
            let (records, errors) =
                zhanggui_formats::traffic::read_shop_traffic(&sheet).map_err(|e| file_error(e, lang))?;
            let first = first_line(&records, |r| r.line, &errors);
            let s = ctx
                .app
                .import_shop_traffic(&ctx.actor, &common.shop, &sheet.name, &records, &errors)
                .await
                .map_err(fail)?;
            finish(ctx, &s, common.rejects.as_deref(), &[(file.clone(), sheet.name.clone(), first)], common.format)?
        }
        ImportCommand::Ads { file, channel, common } => {
            let sheet = read(file, lang)?;
            let (records, errors) = zhanggui_formats::ads::read_ad_report(&sheet).map_err(|e| file_error(e, lang))?;
            let first = first_line(&records, |r| r.line, &errors);
            let s = ctx
                .app
                .import_ads(&ctx.actor, &common.shop, channel, &sheet.name, &records, &errors)
                .await
                .map_err(fail)?;
            finish(ctx, &s, common.rejects.as_deref(), &[(file.clone(), sheet.name.clone(), first)], common.format)?
        }
        ImportCommand::Products { file, rejects, format } => {
            let sheet = read(file, lang)?;
            let (records, errors) =
                zhanggui_formats::products::read_products(&sheet).map_err(|e| file_error(e, lang))?;
            let first = first_line(&records, |r| r.line, &errors);
            let progress = bar(*format, records.len());
            let tick = |n: usize| progress.set_position(n as u64);
            let summary =
                ctx.app.import_products(&ctx.actor, &sheet.name, records, &errors, true, &tick).await.map_err(fail)?;
            progress.finish_and_clear();
            finish(ctx, &summary, rejects.as_deref(), &[(file.clone(), sheet.name.clone(), first)], *format)?
        }
    }
    Ok(())
}

/// A Taobao order report (and line report): read row by row into a staging database so memory
/// does not grow with the files, then imported a batch of trades at a time.
async fn import_taobao(ctx: &Ctx, args: &OrderArgs, orders: &Path, lines: Option<&Path>) -> Result<(), ImportError> {
    let opts = order_import(ctx, args, orders)?;
    // The length of the bar: the trades the line report names once it is read; without one, the
    // rows of the order report as its line breaks count them.
    let progress = bar(args.format, usize::MAX);
    let on_read = |files: &StagedFiles| {
        let expected = if files.trades_expected > 0 { files.trades_expected } else { line_breaks(orders) };
        progress.set_length(expected.max(1) as u64);
    };
    let tick = |n: usize| {
        if progress.length().is_some_and(|len| n as u64 > len) {
            progress.set_length(n as u64);
        }
        progress.set_position(n as u64)
    };
    let (summary, files) = ctx.app.import_taobao_files(&ctx.actor, &opts, orders, lines, &on_read, &tick).await?;
    progress.finish_and_clear();
    let name = |p: &Path| p.file_name().map_or_else(|| p.display().to_string(), |n| n.to_string_lossy().into_owned());
    let first = |n: usize| if n == 0 { usize::MAX } else { n };
    let mut sources = vec![(orders.to_path_buf(), name(orders), first(files.first_order_line))];
    if let Some(path) = lines {
        sources.push((path.to_path_buf(), name(path), first(files.first_line_line)));
    }
    finish(ctx, &summary, args.rejects.as_deref(), &sources, args.format).map_err(|f| ImportError::File(f.message))
}

fn order_import(ctx: &Ctx, args: &OrderArgs, file: &Path) -> Result<OrderImport, ImportError> {
    let lang = ctx.lang;
    let stock_from = match &args.stock_from {
        None => None,
        Some(d) => Some(zhanggui_app::clock::parse_local(d, ctx.time_zone).ok_or_else(|| {
            ImportError::File(format!("--stock-from {d}: {}", lang.pick("日期格式应为 YYYY-MM-DD", "use YYYY-MM-DD")))
        })?),
    };
    let file = file.file_name().map_or_else(|| file.display().to_string(), |n| n.to_string_lossy().into_owned());
    Ok(OrderImport { shop: args.shop.clone(), file, stock_from })
}

async fn import_orders(
    ctx: &Ctx,
    args: &OrderArgs,
    records: Vec<OrderRecord>,
    errors: Vec<RowError>,
    sources: Vec<(PathBuf, String, usize)>,
) -> Result<(), ImportError> {
    let lang = ctx.lang;
    let stock_from = match &args.stock_from {
        None => None,
        Some(d) => Some(zhanggui_app::clock::parse_local(d, ctx.time_zone).ok_or_else(|| {
            ImportError::File(format!("--stock-from {d}: {}", lang.pick("日期格式应为 YYYY-MM-DD", "use YYYY-MM-DD")))
        })?),
    };
    let opts = OrderImport {
        shop: args.shop.clone(),
        file: sources.first().map(|s| s.1.clone()).unwrap_or_default(),
        stock_from,
    };
    let progress = bar(args.format, records.len());
    let tick = |n: usize| progress.set_position(n as u64);
    let summary = ctx.app.import_orders(&ctx.actor, &opts, records, &errors, &tick).await?;
    progress.finish_and_clear();
    finish(ctx, &summary, args.rejects.as_deref(), &sources, args.format).map_err(|f| ImportError::File(f.message))
}

fn finish(
    ctx: &Ctx,
    s: &ImportSummary,
    rejects: Option<&Path>,
    sources: &[(PathBuf, String, usize)],
    format: Format,
) -> Result<(), Failure> {
    let lang = ctx.lang;
    if let Some(path) = rejects {
        for (i, (source, _, first)) in sources.iter().enumerate() {
            // The rejected rows are copied from the file as it is, read again only now.
            let sheet = read(source, lang)?;
            let (sheet, first) = (&sheet, first);
            let target = if i == 0 { path.to_path_buf() } else { path.with_extension(format!("{}.csv", i + 1)) };
            std::fs::write(&target, rejects_csv(sheet, *first, &s.rejects)).map_err(|e| {
                Failure::internal(format!("{}{}: {e}", lang.pick("无法写入 ", "cannot write "), target.display()))
            })?;
        }
    }
    if format == Format::Json {
        return print(format, s, || table(&[]));
    }
    for r in &s.rejects {
        let column =
            r.column.as_deref().map(|c| format!("，{}「{c}」", lang.pick("列", "column "))).unwrap_or_default();
        eprintln!("{} {}{} {}{column}: {}", r.file, lang.pick("第", "line "), r.line, lang.pick("行", ""), r.reason);
    }
    match lang {
        Lang::Zh => println!(
            "{}：新增 {}，更新 {}，未变 {}，拒绝 {}{}（{:.1} 秒）",
            s.file,
            s.inserted,
            s.updated,
            s.unchanged,
            s.rejected,
            if s.unmatched_lines > 0 {
                format!("，未匹配商品的子订单 {}", s.unmatched_lines)
            } else {
                String::new()
            },
            s.seconds
        ),
        Lang::En => println!(
            "{}: inserted {}, updated {}, unchanged {}, rejected {}{} ({:.1} s)",
            s.file,
            s.inserted,
            s.updated,
            s.unchanged,
            s.rejected,
            if s.unmatched_lines > 0 { format!(", unmatched lines {}", s.unmatched_lines) } else { String::new() },
            s.seconds
        ),
    }
    Ok(())
}

pub async fn run_skus(ctx: &Ctx, cmd: &SkusCommand) -> Result<(), Failure> {
    let lang = ctx.lang;
    let fail = |e: ImportError| Failure::from_error(&e, lang);
    match cmd {
        SkusCommand::Unmatched { format } => {
            let codes = ctx.app.unmatched_codes(&ctx.actor).await.map_err(fail)?;
            print(*format, &codes, || {
                let mut t = table(&[
                    lang.pick("商家编码", "code"),
                    lang.pick("商品", "title"),
                    lang.pick("子订单", "lines"),
                    lang.pick("件数", "units"),
                ]);
                for c in &codes {
                    t.add_row(vec![Cell::new(&c.code), Cell::new(&c.title), num(c.lines), num(c.units)]);
                }
                t
            })
        }
        SkusCommand::Map { code, sku } => {
            let n = ctx.app.map_code(&ctx.actor, code, sku).await.map_err(fail)?;
            match lang {
                Lang::Zh => println!("已把 {code} 对应到 {sku}，关联了 {n} 条子订单"),
                Lang::En => println!("Mapped {code} to {sku}; linked {n} lines"),
            }
            Ok(())
        }
    }
}
