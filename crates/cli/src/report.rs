//! `zhanggui report <kind>`: the manager's reports (日报, 周报, 月报, 客户, 补货需求表, 预警) for one shop or
//! the whole company, as tables on the terminal, JSON, CSV or XLSX.

use std::io::Write;
use std::path::PathBuf;

use chrono::{NaiveDate, Utc};
use clap::{Args, Subcommand, ValueEnum};
use serde::Serialize;
use zhanggui_app::Lang;
use zhanggui_app::reports::customers::CustomersReport;
use zhanggui_app::reports::daily::DailyReport;
use zhanggui_app::reports::monthly::{MonthlyReport, ProvinceRow, parse_month};
use zhanggui_app::reports::replenishment::ReplenishmentRow;
use zhanggui_app::reports::weekly::WeeklyReport;
use zhanggui_app::reports::{FIGURE_ROWS, Figures};
use zhanggui_domain::{Alert, MetricValue, Money, Ratio};
use zhanggui_formats::report::{ReportCell, ReportTable, write_csv, xlsx_bytes};

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
            let t = replenishment_table(
                &format!("{} {}", lang.pick("补货需求表", "Replenishment"), r.date),
                &r.lines,
                lang,
            );
            emit(out, &r, vec![t], lang)
        }
        ReportCommand::Alerts { date, out } => {
            let date = parse_day(date.as_deref(), lang)?;
            let r = app.alerts_report(actor, out.shop.as_deref(), date, now).await.map_err(fail)?;
            emit(
                out,
                &r,
                vec![alerts_table(&format!("{} {}", lang.pick("预警", "Alerts"), r.date), &r.alerts, lang)],
                lang,
            )
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

fn text(s: impl Into<String>) -> ReportCell {
    ReportCell::Text(s.into())
}

fn money(m: Money) -> ReportCell {
    ReportCell::Decimal(m.to_string(), 2)
}

fn rate(r: Ratio) -> ReportCell {
    ReportCell::Rate(r.to_plain().unwrap_or_default())
}

fn metric(v: MetricValue) -> ReportCell {
    match v {
        MetricValue::Count(c) => ReportCell::Int(c),
        MetricValue::Money(m) => money(m),
        MetricValue::Rate(r) => rate(r),
        MetricValue::Multiple(r) | MetricValue::Seconds(r) => {
            ReportCell::Decimal(r.to_decimal(2).unwrap_or_default(), 2)
        }
        MetricValue::Unavailable => ReportCell::Decimal(String::new(), 0),
    }
}

fn figure(f: &Figures, key: &str) -> ReportCell {
    let v = match key {
        "pv" => f.pv,
        "uv" => f.uv,
        "orders_created" => f.orders_created,
        "amount_created" => f.amount_created,
        "buyers_created" => f.buyers_created,
        "orders_paid" => f.orders_paid,
        "amount_paid" => f.amount_paid,
        "paying_buyers" => f.paying_buyers,
        "payment_rate" => f.payment_rate,
        "conversion_rate" => f.conversion_rate,
        "order_conversion_rate" => f.order_conversion_rate,
        "aov" => f.aov,
        "refunds" => MetricValue::Count(f.refunds),
        "refund_amount" => f.refund_amount,
        "refund_rate" => f.refund_rate,
        "net_sales" => f.net_sales,
        "returns" => MetricValue::Count(f.returns),
        "exchanges" => MetricValue::Count(f.exchanges),
        "trades_shipped" => MetricValue::Count(f.trades_shipped),
        "trades_returned_or_exchanged" => MetricValue::Count(f.trades_returned_or_exchanged),
        "return_ratio" => f.return_ratio,
        "units_paid" => MetricValue::Count(f.units_paid),
        _ => MetricValue::Unavailable,
    };
    metric(v)
}

/// One row per figure (指标), one column per period or shop.
fn figures_table(title: String, columns: &[(String, &Figures)], lang: Lang) -> ReportTable {
    let mut headers = vec![lang.pick("指标", "figure").to_string(), "key".to_string()];
    headers.extend(columns.iter().map(|(h, _)| h.clone()));
    let rows = FIGURE_ROWS
        .iter()
        .map(|(key, zh, en)| {
            let mut row = vec![text(lang.pick(zh, en)), text(*key)];
            row.extend(columns.iter().map(|(_, f)| figure(f, key)));
            row
        })
        .collect();
    ReportTable { title, headers, rows }
}

fn headers(cols: &[(&str, &str)], lang: Lang) -> Vec<String> {
    cols.iter().map(|(zh, en)| lang.pick(zh, en).to_string()).collect()
}

fn scope_title(kind_zh: &str, kind_en: &str, shop: &Option<String>, company: &str, when: &str, lang: Lang) -> String {
    let who = shop.clone().unwrap_or_else(|| format!("{company}{}", lang.pick("（全部店铺）", " (all shops)")));
    format!("{} {who} {when}", lang.pick(kind_zh, kind_en))
}

fn daily_tables(r: &DailyReport, lang: Lang) -> Vec<ReportTable> {
    let mut columns = vec![
        (format!("{} {}", lang.pick("当日", "day"), r.date), &r.day),
        (format!("{} {}~", lang.pick("本月累计", "month to date"), r.month_from), &r.month_to_date),
    ];
    for s in &r.shops {
        columns.push((s.shop.name.clone(), &s.figures));
    }
    let mut out =
        vec![figures_table(scope_title("日报", "Daily report", &r.shop, &r.company, &r.date, lang), &columns, lang)];
    out.push(ReportTable {
        title: lang.pick("热卖单品（近7天付款件数）", "Best sellers (units paid, last 7 days)").to_string(),
        headers: headers(
            &[
                ("商家编码", "SKU code"),
                ("宝贝", "item"),
                ("属性", "properties"),
                ("7天件数", "units 7d"),
                ("可用库存", "available"),
                ("日均销量", "avg daily sales"),
                ("可售天数", "days of cover"),
                ("在途", "in transit"),
                ("预计到货", "next arrival"),
            ],
            lang,
        ),
        rows: r
            .best_sellers
            .iter()
            .map(|b| {
                vec![
                    text(&b.sku_code),
                    text(&b.title),
                    text(&b.properties),
                    ReportCell::Int(b.units_7d),
                    ReportCell::Int(b.available),
                    ReportCell::Decimal(b.avg_daily_sales.to_string(), 2),
                    text(b.days_of_cover.to_string()),
                    ReportCell::Int(b.in_transit),
                    text(b.next_arrival.clone().unwrap_or_default()),
                ]
            })
            .collect(),
    });
    out.push(ReportTable {
        title: lang.pick("前二十款（当日支付金额）", "Top 20 items (amount paid that day)").to_string(),
        headers: headers(
            &[
                ("商家编码", "item code"),
                ("宝贝", "item"),
                ("件数", "units"),
                ("支付金额", "amount paid"),
                ("本月件数", "units this month"),
                ("本月支付金额", "amount this month"),
            ],
            lang,
        ),
        rows: r
            .top_items
            .iter()
            .map(|t| {
                vec![
                    text(&t.item_code),
                    text(&t.title),
                    ReportCell::Int(t.units),
                    money(t.amount_paid),
                    ReportCell::Int(t.units_month),
                    money(t.amount_paid_month),
                ]
            })
            .collect(),
    });
    out.push(ReportTable {
        title: lang.pick("新品（近14天上新）", "New items (listed in the last 14 days)").to_string(),
        headers: headers(
            &[
                ("商家编码", "item code"),
                ("宝贝", "item"),
                ("上新日期", "listed"),
                ("件数", "units"),
                ("支付金额", "amount paid"),
            ],
            lang,
        ),
        rows: r
            .new_items
            .iter()
            .map(|n| {
                vec![
                    text(&n.item_code),
                    text(&n.title),
                    text(&n.listed),
                    ReportCell::Int(n.units),
                    money(n.amount_paid),
                ]
            })
            .collect(),
    });
    out.push(alerts_table(lang.pick("预警", "Alerts"), &r.alerts, lang));
    out
}

fn weekly_tables(r: &WeeklyReport, lang: Lang) -> Vec<ReportTable> {
    let when = format!("{}~{}", r.week_from, r.week_to);
    let mut columns: Vec<(String, &Figures)> = r.days.iter().map(|d| (d.date.clone(), &d.figures)).collect();
    columns.push((lang.pick("本周", "week").to_string(), &r.week));
    let mut out =
        vec![figures_table(scope_title("周报", "Weekly report", &r.shop, &r.company, &when, lang), &columns, lang)];
    out.push(ReportTable {
        title: lang.pick("会员等级", "Members per tier").to_string(),
        headers: headers(&[("等级", "tier"), ("人数", "members")], lang),
        rows: r
            .members_by_tier
            .iter()
            .map(|t| {
                let tier =
                    if t.tier.is_empty() { lang.pick("未分级", "no tier").to_string() } else { t.tier.clone() };
                vec![text(tier), ReportCell::Int(t.members)]
            })
            .collect(),
    });
    out.push(replenishment_table(
        &format!("{} {}", lang.pick("补货需求表", "Replenishment"), r.replenishment_date),
        &r.replenishment,
        lang,
    ));
    out
}

fn province_table(title: &str, rows: &[ProvinceRow], lang: Lang) -> ReportTable {
    ReportTable {
        title: title.to_string(),
        headers: headers(
            &[("省份", "province"), ("客户数", "customers"), ("付款笔数", "orders paid"), ("支付金额", "amount paid")],
            lang,
        ),
        rows: rows
            .iter()
            .map(|p| {
                let name =
                    if p.province.is_empty() { lang.pick("未知", "unknown").to_string() } else { p.province.clone() };
                vec![text(name), ReportCell::Int(p.customers), ReportCell::Int(p.orders_paid), money(p.amount_paid)]
            })
            .collect(),
    }
}

fn monthly_tables(r: &MonthlyReport, lang: Lang) -> Vec<ReportTable> {
    let columns = vec![
        (r.month.clone(), &r.figures),
        (format!("{} {}", lang.pick("上月", "previous month"), r.previous_month), &r.previous),
        (format!("{} {}", lang.pick("去年同月", "same month last year"), r.last_year_month), &r.last_year),
    ];
    let mut out =
        vec![figures_table(scope_title("月报", "Monthly report", &r.shop, &r.company, &r.month, lang), &columns, lang)];
    out.push(ReportTable {
        title: lang.pick("客户", "Customers").to_string(),
        headers: headers(&[("项目", "what"), ("数值", "value")], lang),
        rows: vec![
            vec![text(lang.pick("付款客户", "paying customers")), ReportCell::Int(r.customers)],
            vec![text(lang.pick("新客户", "new customers")), ReportCell::Int(r.new_customers)],
            vec![text(lang.pick("老客户", "returning customers")), ReportCell::Int(r.returning_customers)],
            vec![text(lang.pick("复购率", "repeat rate")), rate(r.repeat_rate)],
        ],
    });
    out.push(province_table(lang.pick("客户地域", "Customers by province"), &r.by_province, lang));
    out
}

fn customers_tables(r: &CustomersReport, lang: Lang) -> Vec<ReportTable> {
    let when = format!("{}~{}", r.from, r.to);
    vec![
        ReportTable {
            title: scope_title("客户", "Customers", &r.shop, &r.company, &when, lang),
            headers: headers(&[("项目", "what"), ("数值", "value")], lang),
            rows: vec![
                vec![text(lang.pick("付款客户", "paying customers")), ReportCell::Int(r.customers)],
                vec![text(lang.pick("复购客户", "repeat customers")), ReportCell::Int(r.repeat_customers)],
                vec![text(lang.pick("复购率", "repeat rate")), rate(r.repeat_rate)],
                vec![text(lang.pick("平台30天复购率", "platform 30-day repeat rate")), rate(r.platform_repeat_rate)],
            ],
        },
        province_table(lang.pick("客户地域", "Customers by province"), &r.by_province, lang),
        ReportTable {
            title: lang.pick("按付款笔数", "By paid trades").to_string(),
            headers: headers(&[("付款笔数", "paid trades"), ("客户数", "customers")], lang),
            rows: r.by_paid_trades.iter().map(|b| vec![text(&b.paid_trades), ReportCell::Int(b.customers)]).collect(),
        },
    ]
}

fn replenishment_table(title: &str, lines: &[ReplenishmentRow], lang: Lang) -> ReportTable {
    ReportTable {
        title: title.to_string(),
        headers: headers(
            &[
                ("商家编码", "SKU code"),
                ("宝贝", "item"),
                ("属性", "properties"),
                ("分类", "class"),
                ("可用库存", "available"),
                ("在途", "in transit"),
                ("预计到货", "next arrival"),
                ("7天日均", "avg 7d"),
                ("14天日均", "avg 14d"),
                ("30天日均", "avg 30d"),
                ("可售天数", "days of cover"),
                ("采购周期", "lead time"),
                ("整箱", "pack"),
                ("建议补货", "suggested qty"),
                ("低于预警", "below alert"),
            ],
            lang,
        ),
        rows: lines
            .iter()
            .map(|l| {
                vec![
                    text(&l.sku_code),
                    text(&l.title),
                    text(&l.properties),
                    text(lang.pick(l.class.label_zh(), l.class.code())),
                    ReportCell::Int(l.available),
                    ReportCell::Int(l.in_transit),
                    text(l.next_arrival.clone().unwrap_or_default()),
                    ReportCell::Decimal(l.avg_daily_sales_7d.to_string(), 2),
                    ReportCell::Decimal(l.avg_daily_sales_14d.to_string(), 2),
                    ReportCell::Decimal(l.avg_daily_sales_30d.to_string(), 2),
                    text(l.days_of_cover.to_string()),
                    ReportCell::Int(i64::from(l.lead_time_days)),
                    ReportCell::Int(i64::from(l.pack_size)),
                    ReportCell::Int(l.suggested_qty),
                    text(if l.below_alert_level { lang.pick("是", "yes") } else { "" }),
                ]
            })
            .collect(),
    }
}

fn alerts_table(title: &str, alerts: &[Alert], lang: Lang) -> ReportTable {
    ReportTable {
        title: title.to_string(),
        headers: headers(&[("级别", "severity"), ("类别", "group"), ("预警", "alert")], lang),
        rows: alerts
            .iter()
            .map(|a| {
                vec![
                    text(lang.pick(a.severity.label_zh(), a.severity.label_en())),
                    text(lang.pick(a.group().label_zh(), a.group().label_en())),
                    text(match lang {
                        Lang::Zh => a.message_zh.clone(),
                        Lang::En => a.message_en.clone(),
                    }),
                ]
            })
            .collect(),
    }
}
