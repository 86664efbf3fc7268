//! `zhanggui stocktake ...`: count sessions per warehouse (盘点).

use std::path::PathBuf;

use chrono::Utc;
use clap::Subcommand;
use comfy_table::Cell;
use zhanggui_app::stocktake::{CountInput, StocktakeDetail, StocktakeError};
use zhanggui_app::{Lang, clock};
use zhanggui_formats::count_sheet::{CountSheetRow, write_count_sheet};

use crate::output::{num, print, table};
use crate::{Ctx, Failure, Format};

#[derive(Subcommand, Debug)]
pub enum StocktakeCommand {
    /// Start counting a warehouse; on hand is snapshotted now (开始盘点).
    Start {
        /// Warehouse code; the first warehouse by default.
        #[arg(long)]
        warehouse: Option<String>,
        /// Count only SKUs whose code, title or barcode contains this.
        #[arg(long, default_value = "")]
        search: String,
    },
    /// Write the count sheet to fill in on the shelves (导出盘点表), CSV.
    Sheet {
        code: String,
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Enter counted quantities: SKU:QTY ... (SKU by 商家编码 or 条码) (录入实盘数量).
    Count {
        code: String,
        #[arg(required = true)]
        counts: Vec<String>,
    },
    /// Enter the counts of a filled-in count sheet (CSV, XLS or XLSX) (导入盘点表).
    Import { code: String, file: PathBuf },
    /// Review a session: book vs counted, differences and their value (盘点差异).
    Show {
        code: String,
        /// Only lines that differ.
        #[arg(long)]
        differences: bool,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Post the differences to stock as stocktake moves (过账).
    Post {
        code: String,
        #[arg(long)]
        reason: String,
    },
    /// Abandon a session without touching stock (作废).
    Cancel {
        code: String,
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// Count sessions (盘点单列表).
    List {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

pub async fn run(ctx: &Ctx, cmd: &StocktakeCommand) -> Result<(), Failure> {
    let lang = ctx.lang;
    let err = |e: StocktakeError| Failure::from_error(&e, lang);
    match cmd {
        StocktakeCommand::Start { warehouse, search } => {
            let d = ctx.app.start_stocktake(&ctx.actor, warehouse.as_deref(), search, Utc::now()).await.map_err(err)?;
            println!(
                "{} {} · {} · {} {}",
                lang.pick("已开始盘点", "started"),
                d.stocktake.code,
                d.stocktake.warehouse_code,
                d.lines.len(),
                lang.pick("个SKU", "SKUs")
            );
            Ok(())
        }
        StocktakeCommand::Sheet { code, output } => {
            let d = ctx.app.stocktake_detail(&ctx.actor, code).await.map_err(err)?;
            let file =
                std::fs::File::create(output).map_err(|e| Failure::bad_input(format!("{}: {e}", output.display())))?;
            let rows = d.lines.iter().map(|l| CountSheetRow {
                outer_sku_id: &l.line.outer_sku_id,
                title: &l.line.title,
                properties: &l.line.properties,
                barcode: &l.line.barcode,
                counted: l.line.counted,
            });
            write_count_sheet(std::io::BufWriter::new(file), rows)
                .map_err(|e| Failure::internal(format!("{}: {e}", output.display())))?;
            println!(
                "{} {} ({} {})",
                lang.pick("已导出盘点表", "wrote the count sheet"),
                output.display(),
                d.lines.len(),
                lang.pick("行", "rows")
            );
            Ok(())
        }
        StocktakeCommand::Count { code, counts } => {
            let mut inputs = Vec::with_capacity(counts.len());
            for c in counts {
                let parsed = c.rsplit_once(':').and_then(|(sku, q)| q.trim().parse::<i64>().ok().map(|q| (sku, q)));
                let Some((sku, counted)) = parsed else {
                    return Err(Failure::bad_input(format!(
                        "{}{c}",
                        lang.pick("应为 商家编码:数量，而不是 ", "expected SKU:QTY, not ")
                    )));
                };
                inputs.push(CountInput { source: String::new(), sku: sku.trim().to_string(), counted });
            }
            let d = ctx.app.record_counts(&ctx.actor, code, &inputs, Utc::now()).await.map_err(err)?;
            println!(
                "{} {} {}/{}",
                lang.pick("已录入", "recorded"),
                d.stocktake.code,
                d.summary.counted,
                d.summary.lines
            );
            Ok(())
        }
        StocktakeCommand::Import { code, file } => {
            let bytes = std::fs::read(file).map_err(|e| Failure::bad_input(format!("{}: {e}", file.display())))?;
            let name =
                file.file_name().map_or_else(|| file.display().to_string(), |n| n.to_string_lossy().into_owned());
            let (d, taken) = match ctx.app.record_count_sheet(&ctx.actor, code, &name, &bytes, Utc::now()).await {
                Ok(r) => r,
                Err(StocktakeError::BadSheet { file, rows }) => {
                    for r in &rows {
                        let column = if r.column.is_empty() { String::new() } else { format!(" [{}]", r.column) };
                        match lang {
                            Lang::Zh => eprintln!("{file} 第 {} 行{column}：{}", r.line, r.reason_zh),
                            Lang::En => eprintln!("{file} line {}{column}: {}", r.line, r.reason_en),
                        }
                    }
                    return Err(Failure::bad_input(format!(
                        "{} {}{}",
                        rows.len(),
                        lang.pick("行有误，未录入任何数量：", "bad row(s); nothing was recorded: "),
                        file
                    )));
                }
                Err(e) => return Err(err(e)),
            };
            println!(
                "{} {} {} {} · {}/{}",
                lang.pick("已导入", "imported"),
                taken,
                lang.pick("条 →", "counts →"),
                d.stocktake.code,
                d.summary.counted,
                d.summary.lines
            );
            Ok(())
        }
        StocktakeCommand::Show { code, differences, format } => {
            let d = ctx.app.stocktake_detail(&ctx.actor, code).await.map_err(err)?;
            show(ctx, &d, *differences, *format)
        }
        StocktakeCommand::Post { code, reason } => {
            let d = ctx.app.post_stocktake(&ctx.actor, code, reason, Utc::now()).await.map_err(err)?;
            println!(
                "{} {} · {} {} ({}) · {} {} ({})",
                lang.pick("已过账", "posted"),
                d.stocktake.code,
                lang.pick("盘盈", "surplus"),
                d.summary.surplus_units,
                d.summary.surplus_value,
                lang.pick("盘亏", "shortage"),
                d.summary.shortage_units,
                d.summary.shortage_value
            );
            Ok(())
        }
        StocktakeCommand::Cancel { code, reason } => {
            ctx.app.cancel_stocktake(&ctx.actor, code, reason, Utc::now()).await.map_err(err)?;
            println!("{}{code}", lang.pick("已作废 ", "cancelled "));
            Ok(())
        }
        StocktakeCommand::List { format } => {
            let rows = ctx.app.stocktakes(&ctx.actor).await.map_err(err)?;
            print(*format, &rows, || {
                let mut t = table(&[
                    lang.pick("盘点单号", "stocktake"),
                    lang.pick("仓库", "warehouse"),
                    lang.pick("状态", "status"),
                    lang.pick("范围", "scope"),
                    lang.pick("SKU数", "SKUs"),
                    lang.pick("已盘", "counted"),
                    lang.pick("开始时间", "started"),
                    lang.pick("原因", "reason"),
                ]);
                for s in &rows {
                    t.add_row(vec![
                        Cell::new(&s.code),
                        Cell::new(&s.warehouse_code),
                        Cell::new(lang.pick(s.status.label_zh(), s.status.label_en())),
                        Cell::new(if s.scope.is_empty() { lang.pick("全部", "all") } else { s.scope.as_str() }),
                        num(s.lines),
                        num(s.counted),
                        Cell::new(clock::format_local(s.created_at, ctx.time_zone)),
                        Cell::new(&s.reason),
                    ]);
                }
                t
            })
        }
    }
}

fn show(ctx: &Ctx, d: &StocktakeDetail, differences: bool, format: Format) -> Result<(), Failure> {
    let lang = ctx.lang;
    if format == Format::Json {
        return print(format, d, || table(&[]));
    }
    let s = &d.stocktake;
    println!(
        "{} · {} · {} · {} {}/{}",
        s.code,
        s.warehouse_code,
        lang.pick(s.status.label_zh(), s.status.label_en()),
        lang.pick("已盘", "counted"),
        d.summary.counted,
        d.summary.lines
    );
    let lines: Vec<_> = d.lines.iter().filter(|l| !differences || l.delta != 0).collect();
    print(format, &lines, || {
        let mut t = table(&[
            lang.pick("商家编码", "SKU code"),
            lang.pick("商品", "product"),
            lang.pick("属性", "properties"),
            lang.pick("账面数量", "book"),
            lang.pick("实盘数量", "counted"),
            lang.pick("差异", "difference"),
            lang.pick("差异金额", "value"),
            lang.pick("结果", "result"),
        ]);
        for l in &lines {
            t.add_row(vec![
                Cell::new(&l.line.outer_sku_id),
                Cell::new(&l.line.title),
                Cell::new(&l.line.properties),
                num(l.line.snapshot_on_hand),
                num(l.line.counted.map(|c| c.to_string()).unwrap_or_default()),
                num(format!("{:+}", l.delta)),
                num(l.value),
                Cell::new(lang.pick(l.result.label_zh(), l.result.label_en())),
            ]);
        }
        t
    })?;
    println!(
        "{} {} ({}) · {} {} ({}) · {} {}",
        lang.pick("盘盈", "surplus"),
        d.summary.surplus_units,
        d.summary.surplus_value,
        lang.pick("盘亏", "shortage"),
        d.summary.shortage_units,
        d.summary.shortage_value,
        lang.pick("净额", "net"),
        d.summary.net_value()
    );
    Ok(())
}
