//! The reports as titled tables of cells, in the page's language: what `zhanggui report` prints and
//! writes (CSV, XLSX) and what the web's report pages show and download, so both give the same figures.

use zhanggui_domain::{Alert, MetricValue, Money, Ratio};
use zhanggui_formats::report::{ReportCell, ReportTable};

use super::alerts::AlertsReport;
use super::customers::CustomersReport;
use super::daily::DailyReport;
use super::monthly::{MonthlyReport, ProvinceRow};
use super::replenishment::{ReplenishmentReport, ReplenishmentRow};
use super::weekly::WeeklyReport;
use super::{FIGURE_ROWS, Figures};
use crate::Lang;

fn text(s: impl Into<String>) -> ReportCell {
    ReportCell::Text(s.into())
}

fn money(m: Money) -> ReportCell {
    ReportCell::Decimal(m.to_string(), 2)
}

fn rate(r: Ratio) -> ReportCell {
    ReportCell::Rate(r.to_plain().unwrap_or_default())
}

pub fn metric(v: MetricValue) -> ReportCell {
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

pub fn figure(f: &Figures, key: &str) -> ReportCell {
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

pub fn daily_tables(r: &DailyReport, lang: Lang) -> Vec<ReportTable> {
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

pub fn weekly_tables(r: &WeeklyReport, lang: Lang) -> Vec<ReportTable> {
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
    let ra = &r.returns;
    out.push(ReportTable {
        title: lang.pick("退换货原因", "Returns by reason").to_string(),
        headers: headers(
            &[
                ("原因", "reason"),
                ("质量问题", "quality"),
                ("退货", "returns"),
                ("换货", "exchanges"),
                ("件数", "units"),
            ],
            lang,
        ),
        rows: ra
            .by_reason
            .iter()
            .map(|x| {
                let reason = if x.reason.is_empty() {
                    lang.pick("未填写", "not given").to_string()
                } else {
                    x.reason.clone()
                };
                let quality = if x.quality { lang.pick("是", "yes") } else { "" };
                vec![
                    text(reason),
                    text(quality),
                    ReportCell::Int(x.returns),
                    ReportCell::Int(x.exchanges),
                    ReportCell::Int(x.units),
                ]
            })
            .collect(),
    });
    out.push(ReportTable {
        title: lang.pick("退换货商品（质量退货在前）", "Returns by SKU (quality first)").to_string(),
        headers: headers(
            &[
                ("商家编码", "SKU"),
                ("商品", "item"),
                ("属性", "properties"),
                ("申请数", "requests"),
                ("件数", "units"),
                ("质量问题", "quality"),
                ("验货破损件数", "damaged units"),
            ],
            lang,
        ),
        rows: ra
            .by_sku
            .iter()
            .map(|x| {
                vec![
                    text(x.sku_code.clone()),
                    text(x.title.clone()),
                    text(x.properties.clone()),
                    ReportCell::Int(x.requests),
                    ReportCell::Int(x.units),
                    ReportCell::Int(x.quality_requests),
                    ReportCell::Int(x.damaged_units),
                ]
            })
            .collect(),
    });
    out.push(ReportTable {
        title: lang.pick("客户退换货比例", "Return ratio per customer").to_string(),
        headers: headers(
            &[
                ("买家", "buyer"),
                ("本周申请", "requests this week"),
                ("已发货订单", "trades shipped"),
                ("退换货订单", "trades returned or exchanged"),
                ("退换货比例", "return ratio"),
            ],
            lang,
        ),
        rows: ra
            .by_customer
            .iter()
            .map(|x| {
                vec![
                    text(x.buyer_nick.clone()),
                    ReportCell::Int(x.requests),
                    ReportCell::Int(x.trades_shipped),
                    ReportCell::Int(x.trades_returned_or_exchanged),
                    metric(x.return_ratio),
                ]
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

pub fn monthly_tables(r: &MonthlyReport, lang: Lang) -> Vec<ReportTable> {
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

pub fn customers_tables(r: &CustomersReport, lang: Lang) -> Vec<ReportTable> {
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

pub fn replenishment_table(title: &str, lines: &[ReplenishmentRow], lang: Lang) -> ReportTable {
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

pub fn alerts_table(title: &str, alerts: &[Alert], lang: Lang) -> ReportTable {
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

/// The replenishment report as its one table.
pub fn replenishment_tables(r: &ReplenishmentReport, lang: Lang) -> Vec<ReportTable> {
    vec![replenishment_table(&format!("{} {}", lang.pick("补货需求表", "Replenishment"), r.date), &r.lines, lang)]
}

/// The alerts report as its one table.
pub fn alerts_tables(r: &AlertsReport, lang: Lang) -> Vec<ReportTable> {
    vec![alerts_table(&format!("{} {}", lang.pick("预警", "Alerts"), r.date), &r.alerts, lang)]
}
