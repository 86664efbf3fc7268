//! `zhanggui report <kind>`: the manager's reports (日报, 周报, 月报, 客户, 补货需求表, 预警) for one shop or
//! the whole company, as tables on the terminal, JSON, CSV or XLSX.

use std::io::Write;
use std::path::PathBuf;

use chrono::{NaiveDate, Utc};
use clap::{Args, Subcommand, ValueEnum};
use serde::Serialize;
use zhanggui_app::Lang;
use zhanggui_app::reports::monthly::parse_month;
use zhanggui_app::reports::tables::{
    alerts_tables, customers_tables, daily_tables, monthly_tables, replenishment_tables, weekly_tables,
};
use zhanggui_formats::report::{ReportTable, write_csv, xlsx_bytes};

use crate::output::table;
use crate::{Ctx, Failure};

#[derive(Subcommand, Debug)]
pub enum ReportCommand {
    /// 日报: the day and the month to date, best sellers, top items, new items, alerts.
    Daily {
        /// The day (YYYY-MM-DD, company time zone); yesterday by default.
        #[arg(long)]
        date: Option<String>,
        #[command(flatten)]
        out: OutputArgs,
    },
    /// 周报: each day of the week, the week, members per tier, the replenishment table.
    Weekly {
        /// Any day of the week (Monday to Sunday); the week of yesterday by default.
        #[arg(long)]
        week_of: Option<String>,
        #[command(flatten)]
        out: OutputArgs,
    },
    /// 月报: the month against the previous month and the same month last year; customers by province,
    /// new and returning, repeat rate.
    Monthly {
        /// YYYY-MM; the month of yesterday by default.
        #[arg(long)]
        month: Option<String>,
        #[command(flatten)]
        out: OutputArgs,
    },
    /// 客户: customers, repeat customers, repeat rate (and the platform's 30-day form), by province and
    /// by number of paid trades.
    Customers {
        /// First day (YYYY-MM-DD); 30 days before --to by default.
        #[arg(long)]
        from: Option<String>,
        /// Last day (YYYY-MM-DD); yesterday by default.
        #[arg(long)]
        to: Option<String>,
        #[command(flatten)]
        out: OutputArgs,
    },
    /// 补货需求表: per SKU available, in transit, average daily sales, days of cover, suggested quantity.
    Replenishment {
        /// The last day of the sales windows; yesterday by default.
        #[arg(long)]
        date: Option<String>,
        #[command(flatten)]
        out: OutputArgs,
    },
    /// 预警: falling best sellers, stock below its class's level, trades not shipped in 24 h, refunds
    /// near their deadline.
    Alerts {
        /// The day, as of its end; yesterday by default.
        #[arg(long)]
        date: Option<String>,
        #[command(flatten)]
        out: OutputArgs,
    },
}

#[derive(Args, Debug)]
pub struct OutputArgs {
    /// One shop (name or id); the whole company by default.
    #[arg(long)]
    shop: Option<String>,
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    format: ReportFormat,
    /// Write to this file instead of the terminal (required for xlsx).
    #[arg(short = 'o', long = "output")]
    output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Table,
    Json,
    Csv,
    Xlsx,
}

pub async fn run(ctx: &Ctx, cmd: &ReportCommand) -> Result<(), Failure> {
    let lang = ctx.lang;
    let now = Utc::now();
    let app = &ctx.app;
    let actor = &ctx.actor;
    let fail = |e: zhanggui_app::reports::ReportError| Failure::from_error(&e, lang);
    match cmd {
        ReportCommand::Daily { date, out } => {
            let date = parse_day(date.as_deref(), lang)?;
            let r = app.daily_report(actor, out.shop.as_deref(), date, now).await.map_err(fail)?;
            emit(out, &r, daily_tables(&r, lang), lang)
        }
        ReportCommand::Weekly { week_of, out } => {
            let d = parse_day(week_of.as_deref(), lang)?;
            let r = app.weekly_report(actor, out.shop.as_deref(), d, now).await.map_err(fail)?;
            emit(out, &r, weekly_tables(&r, lang), lang)
        }
        ReportCommand::Monthly { month, out } => {
            let month = match month {
                Some(m) => parse_month(m).ok_or_else(|| {
                    Failure::bad_input(format!("{}{m}", lang.pick("月份应写成 YYYY-MM：", "a month is YYYY-MM: ")))
                })?,
                None => {
                    let scope = app.report_scope(actor, out.shop.as_deref()).await.map_err(fail)?;
                    scope.yesterday(now)
                }
            };
            let r = app.monthly_report(actor, out.shop.as_deref(), month).await.map_err(fail)?;
            emit(out, &r, monthly_tables(&r, lang), lang)
        }
        ReportCommand::Customers { from, to, out } => {
            let scope = app.report_scope(actor, out.shop.as_deref()).await.map_err(fail)?;
            let to = parse_day(to.as_deref(), lang)?.unwrap_or_else(|| scope.yesterday(now));
            let from = parse_day(from.as_deref(), lang)?.unwrap_or(to - chrono::Duration::days(29));
            let r = app.customers_report(actor, out.shop.as_deref(), from, to).await.map_err(fail)?;
            emit(out, &r, customers_tables(&r, lang), lang)
        }
        ReportCommand::Replenishment { date, out } => {
            let date = parse_day(date.as_deref(), lang)?;
            let r = app.replenishment_report(actor, out.shop.as_deref(), date, now).await.map_err(fail)?;
            emit(out, &r, replenishment_tables(&r, lang), lang)
        }
        ReportCommand::Alerts { date, out } => {
            let date = parse_day(date.as_deref(), lang)?;
            let r = app.alerts_report(actor, out.shop.as_deref(), date, now).await.map_err(fail)?;
            emit(out, &r, alerts_tables(&r, lang), lang)
        }
    }
}

fn parse_day(text: Option<&str>, lang: Lang) -> Result<Option<NaiveDate>, Failure> {
    match text {
        None => Ok(None),
        Some(t) => NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d").map(Some).map_err(|_| {
            Failure::bad_input(format!("{}{t}", lang.pick("日期应写成 YYYY-MM-DD：", "a date is YYYY-MM-DD: ")))
        }),
    }
}

/// Writes the report in the format asked, to the file or the terminal.
fn emit<T: Serialize>(out: &OutputArgs, report: &T, tables: Vec<ReportTable>, lang: Lang) -> Result<(), Failure> {
    let io = |e: std::io::Error| Failure::internal(e.to_string());
    let bytes: Vec<u8> = match out.format {
        ReportFormat::Json => {
            let mut text = serde_json::to_string_pretty(report).map_err(|e| Failure::internal(e.to_string()))?;
            text.push('\n');
            text.into_bytes()
        }
        ReportFormat::Csv => {
            let mut buf = Vec::new();
            write_csv(&tables, &mut buf).map_err(|e| Failure::internal(e.to_string()))?;
            buf
        }
        ReportFormat::Xlsx => {
            if out.output.is_none() {
                return Err(Failure::bad_input(
                    lang.pick("xlsx 需要用 -o 指定输出文件", "xlsx needs an output file: -o FILE"),
                ));
            }
            xlsx_bytes(&tables).map_err(|e| Failure::internal(e.to_string()))?
        }
        ReportFormat::Table => {
            let mut text = String::new();
            for t in &tables {
                text.push_str(&t.title);
                text.push('\n');
                if t.rows.is_empty() {
                    text.push_str(lang.pick("（无）", "(none)"));
                    text.push('\n');
                } else {
                    let mut shown = table(&t.headers.iter().map(String::as_str).collect::<Vec<_>>());
                    for row in &t.rows {
                        shown.add_row(row.iter().map(|c| c.display()).collect::<Vec<_>>());
                    }
                    text.push_str(&shown.to_string());
                    text.push('\n');
                }
                text.push('\n');
            }
            text.into_bytes()
        }
    };
    match &out.output {
        Some(path) => std::fs::write(path, bytes).map_err(io),
        // Output piped into `head` and closed early is not a failure.
        None => match std::io::stdout().write_all(&bytes) {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            other => other.map_err(io),
        },
    }
}
