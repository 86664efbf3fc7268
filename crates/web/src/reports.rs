//! 报表: the daily, weekly, monthly, customers, replenishment and alerts reports with date and shop
//! pickers, shown as the same tables `zhanggui report` prints and downloadable as the same xlsx.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Duration, NaiveDate, Utc};
use serde::Deserialize;
use zhanggui_app::domain::{Alert, AlertGroup};
use zhanggui_app::formats::report::{ReportCell, ReportTable, xlsx_bytes};
use zhanggui_app::reports::dashboard::{AlertTarget, alert_target};
use zhanggui_app::reports::monthly::parse_month;
use zhanggui_app::reports::tables;
use zhanggui_app::reports::{ReportError, ShopRef};
use zhanggui_app::users::Permission;
use zhanggui_app::{Lang, UserFacing};

use crate::Web;
use crate::auth::Authed;
use crate::pages::{Chrome, Opt, encode, error_page, query_string, require};

/// The reports, in the order of their tabs: (path segment, 中文, English).
pub const KINDS: [(&str, &str, &str); 6] = [
    ("daily", "日报", "Daily"),
    ("weekly", "周报", "Weekly"),
    ("monthly", "月报", "Monthly"),
    ("customers", "客户", "Customers"),
    ("replenishment", "补货需求表", "Replenishment"),
    ("alerts", "预警", "Alerts"),
];

#[derive(Deserialize, Default, Clone)]
pub struct ReportQuery {
    #[serde(default)]
    pub shop: String,
    /// The day (daily, replenishment, alerts) or any day of the week (weekly).
    #[serde(default)]
    pub date: String,
    /// YYYY-MM (monthly).
    #[serde(default)]
    pub month: String,
    /// The period of the customers report.
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
}

impl ReportQuery {
    fn pairs(&self) -> String {
        query_string(&[
            ("shop", &self.shop),
            ("date", &self.date),
            ("month", &self.month),
            ("from", &self.from),
            ("to", &self.to),
        ])
    }

    pub fn shop(&self) -> Option<&str> {
        Some(self.shop.trim()).filter(|s| !s.is_empty())
    }
}

/// A date field: empty is "not given"; anything else must be YYYY-MM-DD.
pub fn parse_day(text: &str, lang: Lang) -> Result<Option<NaiveDate>, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| format!("{}{t}", lang.pick("日期应写成 YYYY-MM-DD：", "a date is YYYY-MM-DD: ")))
}

/// The shop switcher: 全部店铺 and each shop, by id.
pub fn shop_opts(shops: &[ShopRef], chosen: &str, lang: Lang) -> Vec<Opt> {
    let mut out = vec![Opt {
        value: String::new(),
        label: lang.pick("全部店铺", "All shops").into(),
        selected: chosen.is_empty(),
    }];
    out.extend(shops.iter().map(|s| Opt {
        value: s.id.to_string(),
        label: format!("{}（{}）", s.name, lang.pick(s.platform.label_zh(), s.platform.label_en())),
        selected: chosen == s.id.to_string() || chosen == s.name,
    }));
    out
}

/// Where an alert's work is done, as a link the user may follow; empty when there is none.
pub fn alert_link(a: &Alert, may_orders: bool) -> String {
    // A case's alert names it: "售后 {refund_no}（订单 {tid}）"; its page is where it is done.
    if a.code == zhanggui_app::domain::AlertCode::RefundDeadline
        && may_orders
        && let Some(no) = a.subject.strip_prefix("售后 ").and_then(|r| r.split('（').next()).map(str::trim)
        && !no.is_empty()
    {
        return format!("/after-sales/{}", encode(no));
    }
    match alert_target(a) {
        Some(AlertTarget::Sku(code)) => format!("/stock/sku?code={}", encode(&code)),
        Some(AlertTarget::Trade(tid)) if may_orders => format!("/orders/tid/{}", encode(&tid)),
        _ => String::new(),
    }
}

/// An alert as lists show it.
pub struct AlertView {
    pub critical: bool,
    pub severity: &'static str,
    pub message: String,
    pub link: String,
}

/// Alerts of one kind of work (补货, 发货, 售后, 评价, 销售), with the list where it is done.
pub struct AlertGroupView {
    pub label: &'static str,
    pub count: usize,
    pub critical: usize,
    pub list_link: &'static str,
    pub alerts: Vec<AlertView>,
}

/// Groups alerts by what to do (UI.md "Status and alerts"), keeping at most `per_group` of each.
pub fn alert_groups(alerts: &[Alert], lang: Lang, may_orders: bool, per_group: usize) -> Vec<AlertGroupView> {
    let mut groups: Vec<AlertGroupView> = Vec::new();
    for a in alerts {
        let g = a.group();
        let label = lang.pick(g.label_zh(), g.label_en());
        let index = match groups.iter().position(|v| v.label == label) {
            Some(i) => i,
            None => {
                let list_link = match g {
                    AlertGroup::Replenish => "/reports/replenishment",
                    AlertGroup::Ship if may_orders => "/orders?overdue=1",
                    AlertGroup::AfterSales if may_orders => "/after-sales",
                    AlertGroup::Sales => "/stock",
                    _ => "",
                };
                groups.push(AlertGroupView { label, count: 0, critical: 0, list_link, alerts: Vec::new() });
                groups.len() - 1
            }
        };
        let v = &mut groups[index];
        v.count += 1;
        let critical = a.severity == zhanggui_app::domain::Severity::Critical;
        if critical {
            v.critical += 1;
        }
        if v.alerts.len() < per_group {
            v.alerts.push(AlertView {
                critical,
                severity: lang.pick(a.severity.label_zh(), a.severity.label_en()),
                message: match lang {
                    Lang::Zh => a.message_zh.clone(),
                    Lang::En => a.message_en.clone(),
                },
                link: alert_link(a, may_orders),
            });
        }
    }
    groups
}

/// A cell of a shown table.
pub struct CellView {
    pub text: String,
    pub num: bool,
    pub link: String,
}

pub struct TableView {
    pub title: String,
    pub headers: Vec<(String, bool)>,
    pub rows: Vec<Vec<CellView>>,
}

/// A report table as HTML shows it: figures right-aligned, "—" for what is unavailable, SKU codes
/// linked to their SKU page; `row_links` (one per row, e.g. of the alerts) link the last column.
fn table_view(t: &ReportTable, row_links: Option<Vec<String>>) -> TableView {
    // SKU tables have a properties column; item (款) tables, whose codes are products, have none.
    let has_properties = t.headers.iter().any(|h| h == "属性" || h == "properties");
    let sku_col = t.headers.iter().position(|h| h == "商家编码" || h == "SKU code").filter(|_| has_properties);
    let num_col = |i: usize| {
        t.rows
            .iter()
            .any(|r| matches!(r.get(i), Some(ReportCell::Int(_) | ReportCell::Decimal(..) | ReportCell::Rate(_))))
    };
    let nums: Vec<bool> = (0..t.headers.len()).map(num_col).collect();
    let rows = t
        .rows
        .iter()
        .enumerate()
        .map(|(ri, row)| {
            let last = row.len().saturating_sub(1);
            row.iter()
                .enumerate()
                .map(|(i, cell)| {
                    let text = cell.display();
                    let link = if Some(i) == sku_col && !text.is_empty() {
                        format!("/stock/sku?code={}", encode(&text))
                    } else if i == last {
                        row_links.as_ref().and_then(|l| l.get(ri)).cloned().unwrap_or_default()
                    } else {
                        String::new()
                    };
                    CellView { text, num: nums.get(i).copied().unwrap_or(false), link }
                })
                .collect()
        })
        .collect();
    TableView { title: t.title.clone(), headers: t.headers.iter().cloned().zip(nums.iter().copied()).collect(), rows }
}

pub struct Tab {
    pub href: String,
    pub label: &'static str,
    pub on: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "report.html")]
struct ReportPage {
    c: Chrome,
    kind: &'static str,
    title: &'static str,
    tabs: Vec<Tab>,
    q: ReportQuery,
    shops: Vec<Opt>,
    filter_error: String,
    basis: String,
    notes: Vec<String>,
    xlsx_link: String,
    tables: Vec<TableView>,
}

/// A built report: its tables, the alerts behind the alerts table (for links), and notes.
struct Built {
    tables: Vec<ReportTable>,
    alerts: Vec<Alert>,
    basis: String,
    notes: Vec<String>,
    /// The date the report is of, for the file name.
    when: String,
}

async fn build(web: &Web, a: &Authed, kind: &str, q: &ReportQuery) -> Result<Result<Built, ReportError>, String> {
    let lang = a.lang;
    let actor = a.user().actor();
    let now = Utc::now();
    let shop = q.shop();
    let app = &web.app;
    let date = parse_day(&q.date, lang)?;
    let no_alerts = Vec::new();
    Ok(match kind {
        "daily" => app.daily_report(&actor, shop, date, now).await.map(|r| Built {
            tables: tables::daily_tables(&r, lang),
            alerts: r.alerts.clone(),
            basis: r.basis.to_string(),
            notes: r.alerts_not_checked.iter().map(|s| s.to_string()).collect(),
            when: r.date.clone(),
        }),
        "weekly" => app.weekly_report(&actor, shop, date, now).await.map(|r| Built {
            tables: tables::weekly_tables(&r, lang),
            alerts: no_alerts,
            basis: r.basis.to_string(),
            notes: Vec::new(),
            when: r.week_from.clone(),
        }),
        "monthly" => {
            let month = match q.month.trim() {
                "" => match app.report_scope(&actor, shop).await {
                    Ok(s) => s.yesterday(now),
                    Err(e) => return Ok(Err(e)),
                },
                m => parse_month(m)
                    .ok_or_else(|| format!("{}{m}", lang.pick("月份应写成 YYYY-MM：", "a month is YYYY-MM: ")))?,
            };
            app.monthly_report(&actor, shop, month).await.map(|r| Built {
                tables: tables::monthly_tables(&r, lang),
                alerts: no_alerts,
                basis: r.basis.to_string(),
                notes: Vec::new(),
                when: r.month.clone(),
            })
        }
        "customers" => {
            let to = match parse_day(&q.to, lang)? {
                Some(d) => d,
                None => match app.report_scope(&actor, shop).await {
                    Ok(s) => s.yesterday(now),
                    Err(e) => return Ok(Err(e)),
                },
            };
            let from = parse_day(&q.from, lang)?.unwrap_or(to - Duration::days(29));
            app.customers_report(&actor, shop, from, to).await.map(|r| Built {
                tables: tables::customers_tables(&r, lang),
                alerts: no_alerts,
                basis: String::new(),
                notes: Vec::new(),
                when: format!("{}_{}", r.from, r.to),
            })
        }
        "replenishment" => app.replenishment_report(&actor, shop, date, now).await.map(|r| Built {
            tables: tables::replenishment_tables(&r, lang),
            alerts: no_alerts,
            basis: r.basis.to_string(),
            notes: Vec::new(),
            when: r.date.clone(),
        }),
        _ => app.alerts_report(&actor, shop, date, now).await.map(|r| Built {
            tables: tables::alerts_tables(&r, lang),
            alerts: r.alerts.clone(),
            basis: String::new(),
            notes: r.not_checked.iter().map(|s| s.to_string()).collect(),
            when: r.date.clone(),
        }),
    })
}

fn kind_of(kind: &str) -> Option<(&'static str, &'static str, &'static str)> {
    KINDS.iter().copied().find(|(k, _, _)| *k == kind)
}

pub async fn index() -> Response {
    Redirect::to("/reports/daily").into_response()
}

pub async fn page(
    State(web): State<Web>,
    a: Authed,
    Path(kind): Path<String>,
    Query(q): Query<ReportQuery>,
) -> Response {
    if let Err(r) = require(&a, Permission::ViewDashboard) {
        return r;
    }
    let Some((kind, zh, en)) = kind_of(&kind) else {
        return crate::pages::not_found(axum::http::HeaderMap::new()).await;
    };
    let lang = a.lang;
    let all = match web.app.report_scope(&a.user().actor(), None).await {
        Ok(s) => s.shops,
        Err(e) => return error_page(lang, &e),
    };
    let (built, filter_error, status) = match build(&web, &a, kind, &q).await {
        Ok(Ok(b)) => (Some(b), String::new(), StatusCode::OK),
        Ok(Err(e)) => (None, e.message(lang), crate::auth::http_status(&e)),
        Err(message) => (None, message, StatusCode::UNPROCESSABLE_ENTITY),
    };
    // The pickers show the period the report is of, and the links (xlsx, tabs) keep it.
    let mut q = q;
    if let Some(b) = &built {
        match kind {
            "monthly" => q.month = b.when.clone(),
            "customers" => {
                if let Some((from, to)) = b.when.split_once('_') {
                    (q.from, q.to) = (from.to_string(), to.to_string());
                }
            }
            _ => {
                if q.date.trim().is_empty() {
                    q.date = b.when.clone();
                }
            }
        }
    }
    let may_orders = a.user().may(Permission::ViewOrders);
    let (tables, basis, notes) = match built {
        Some(b) => {
            let links: Vec<String> = b.alerts.iter().map(|x| alert_link(x, may_orders)).collect();
            let last = b.tables.len().saturating_sub(1);
            let views = b
                .tables
                .iter()
                .enumerate()
                .map(|(i, t)| {
                    // The alerts table is the last of the daily and alerts reports, in the alerts' order.
                    let row_links =
                        (i == last && !b.alerts.is_empty() && t.rows.len() == links.len()).then(|| links.clone());
                    table_view(t, row_links)
                })
                .collect();
            (views, b.basis, b.notes)
        }
        None => (Vec::new(), String::new(), Vec::new()),
    };
    let query = q.pairs();
    let page = ReportPage {
        c: Chrome::new(&a, &web, "reports", &format!("/reports/{kind}{query}")),
        kind,
        title: lang.pick(zh, en),
        tabs: KINDS
            .iter()
            .map(|(k, zh, en)| Tab {
                href: format!("/reports/{k}{}", query_string(&[("shop", &q.shop)])),
                label: lang.pick(zh, en),
                on: *k == kind,
            })
            .collect(),
        shops: shop_opts(&all, q.shop.trim(), lang),
        filter_error,
        basis,
        notes,
        xlsx_link: format!("/reports/{kind}/xlsx{query}"),
        tables,
        q,
    };
    (status, page).into_response()
}

/// The report as the xlsx `zhanggui report … --format xlsx` writes: one sheet per table.
pub async fn xlsx(
    State(web): State<Web>,
    a: Authed,
    Path(kind): Path<String>,
    Query(q): Query<ReportQuery>,
) -> Response {
    if let Err(r) = require(&a, Permission::ViewDashboard) {
        return r;
    }
    let Some((kind, _, _)) = kind_of(&kind) else {
        return crate::pages::not_found(axum::http::HeaderMap::new()).await;
    };
    let built = match build(&web, &a, kind, &q).await {
        Ok(Ok(b)) => b,
        Ok(Err(e)) => return error_page(a.lang, &e),
        Err(message) => return error_page(a.lang, &ReportError::Invalid(message)),
    };
    match xlsx_bytes(&built.tables) {
        Ok(bytes) => {
            let name = format!("zhanggui-{kind}-{}.xlsx", built.when);
            (
                [
                    (CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string()),
                    (CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
                ],
                bytes,
            )
                .into_response()
        }
        Err(e) => {
            tracing::error!("xlsx: {e}");
            (StatusCode::INTERNAL_SERVER_ERROR, a.lang.pick("无法生成 Excel 文件", "cannot write the workbook"))
                .into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zhanggui_app::domain::{AlertCode, Severity};

    #[test]
    fn an_after_sales_alert_opens_its_case() {
        let a = Alert {
            code: AlertCode::RefundDeadline,
            severity: Severity::Critical,
            subject: "售后 SH2401180001-7-1（订单 2401180001）".into(),
            message_zh: String::new(),
            message_en: String::new(),
        };
        assert_eq!(alert_link(&a, true), "/after-sales/SH2401180001-7-1");
        assert_eq!(alert_link(&a, false), "");
        let groups = alert_groups(&[a], Lang::Zh, true, 5);
        assert_eq!(groups[0].list_link, "/after-sales");
    }
}
