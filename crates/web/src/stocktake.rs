//! Stocktakes (盘点) in the browser and the API: the list of count sessions, starting one in a
//! warehouse, the blind count sheet, counts typed in or read from a filled-in sheet, the review of
//! the differences with their value, posting them with a reason and cancelling. Every change is
//! written to the audit log with the session before and after.
//!
//! Who may: the app has no stocktake permission yet, so the rule is kept here (`may`). The
//! warehouse and the manager count, post and cancel; finance and purchasing look (finance checks
//! what the differences are worth); customer service and operations see nothing of it. Values at
//! cost (单位成本, 盘盈/盘亏金额) are shown only to roles that see costs, so the warehouse counts and
//! posts quantities without seeing what they are worth.
//!
//! The count is blind: the count sheet and the entry form give no book quantity, and a line shows
//! its book quantity and difference only once it has been counted (or the session is closed).

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::multipart::MultipartRejection;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use chrono::Utc;
use serde::Deserialize;
use serde_json::{Value, json};
use zhanggui_app::domain::{CountResult, Money, StocktakeStatus};
use zhanggui_app::formats::count_sheet::{CountSheetRow, write_count_sheet};
use zhanggui_app::formats::report::{ReportCell, ReportTable, xlsx_bytes};
use zhanggui_app::stocktake::{CountInput, CountLine, SheetProblem, StocktakeDetail, StocktakeError};
use zhanggui_app::store::stocktake::StocktakeRow;
use zhanggui_app::users::{AuthError, Permission, Role, User};
use zhanggui_app::{Actor, App, Lang, UserFacing};

use crate::Web;
use crate::auth::{self, ApiUser, Authed};
use crate::pages::{Chrome, Opt, PAGE, encode, error_page, query_string};
use crate::view;

// ---------------------------------------------------------------- who may act

/// What a person does with stocktakes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Act {
    /// See the sessions, their counts and differences.
    View,
    /// Start a session, enter counts, post or cancel it.
    Count,
}

pub fn may(u: &User, act: Act) -> bool {
    match act {
        Act::View => matches!(u.role, Role::Manager | Role::Warehouse | Role::Purchasing | Role::Finance),
        Act::Count => matches!(u.role, Role::Manager | Role::Warehouse),
    }
}

/// Unit costs and the value of differences.
pub fn sees_values(u: &User) -> bool {
    may(u, Act::View) && u.may(Permission::ViewCosts)
}

fn allowed(a: &Authed, act: Act) -> Result<(), Response> {
    if may(a.user(), act) { Ok(()) } else { Err(crate::pages::forbidden(a.lang)) }
}

// ---------------------------------------------------------------- the actions (pages and API)

fn counted_text(d: &StocktakeDetail) -> String {
    format!("counted={}/{}", d.summary.counted, d.summary.lines)
}

fn totals_text(d: &StocktakeDetail) -> String {
    let s = &d.summary;
    format!(
        "surplus=+{} ({}) shortage=-{} ({})",
        s.surplus_units,
        s.surplus_value.to_plain(),
        s.shortage_units,
        s.shortage_value.to_plain()
    )
}

/// The counts of some SKUs as `CODE=qty` ("—" when not counted), at most 50 of them.
fn counts_text(d: &StocktakeDetail, skus: &[String]) -> String {
    const AT_MOST: usize = 50;
    let mut parts: Vec<String> = skus
        .iter()
        .take(AT_MOST)
        .map(|code| {
            let counted = d
                .lines
                .iter()
                .find(|l| &l.line.outer_sku_id == code)
                .and_then(|l| l.line.counted)
                .map_or_else(|| "—".to_string(), |c| c.to_string());
            format!("{code}={counted}")
        })
        .collect();
    if skus.len() > AT_MOST {
        parts.push(format!("… +{}", skus.len() - AT_MOST));
    }
    parts.join(" ")
}

/// Starts a count session; returns it.
pub async fn start(
    app: &App,
    actor: &Actor,
    warehouse: Option<&str>,
    search: &str,
) -> Result<StocktakeDetail, StocktakeError> {
    let d = app.start_stocktake(actor, warehouse, search, Utc::now()).await?;
    let s = &d.stocktake;
    let scope = if s.scope.is_empty() { "all" } else { s.scope.as_str() };
    let after = format!("status=counting warehouse={} scope={scope} skus={}", s.warehouse_code, d.summary.lines);
    app.record_audit(actor, "stocktake.start", &s.code, "", &after).await?;
    Ok(d)
}

/// Records typed counts; returns the session after them.
pub async fn count(
    app: &App,
    actor: &Actor,
    code: &str,
    inputs: &[CountInput],
) -> Result<StocktakeDetail, StocktakeError> {
    let before = app.stocktake_detail(actor, code).await?;
    let after = app.record_counts(actor, code, inputs, Utc::now()).await?;
    let mut touched: Vec<String> = Vec::new();
    for i in inputs {
        let key = i.sku.trim();
        let found = after
            .lines
            .iter()
            .find(|l| l.line.outer_sku_id == key)
            .or_else(|| after.lines.iter().find(|l| !l.line.barcode.is_empty() && l.line.barcode == key));
        if let Some(l) = found
            && !touched.contains(&l.line.outer_sku_id)
        {
            touched.push(l.line.outer_sku_id.clone());
        }
    }
    let target = &after.stocktake.code;
    let (was, now) = (counts_text(&before, &touched), counts_text(&after, &touched));
    app.record_audit(actor, "stocktake.count", target, &was, &now).await?;
    Ok(after)
}

/// Records the counts of a filled-in count sheet; returns the session and how many were taken.
pub async fn import(
    app: &App,
    actor: &Actor,
    code: &str,
    file: &str,
    bytes: &[u8],
) -> Result<(StocktakeDetail, usize), StocktakeError> {
    let before = app.stocktake_detail(actor, code).await?;
    let (after, taken) = app.record_count_sheet(actor, code, file, bytes, Utc::now()).await?;
    let now = format!("file={file} counts={taken} {}", counted_text(&after));
    app.record_audit(actor, "stocktake.import", &after.stocktake.code, &counted_text(&before), &now).await?;
    Ok((after, taken))
}

/// Posts the differences as stocktake moves; returns the session posted.
pub async fn post(app: &App, actor: &Actor, code: &str, reason: &str) -> Result<StocktakeDetail, StocktakeError> {
    let before = app.stocktake_detail(actor, code).await?;
    let after = app.post_stocktake(actor, code, reason, Utc::now()).await?;
    let was = format!("status={} {}", before.stocktake.status.code(), counted_text(&before));
    let now = format!("status=posted {} reason={}", totals_text(&after), reason.trim());
    app.record_audit(actor, "stocktake.post", &after.stocktake.code, &was, &now).await?;
    Ok(after)
}

/// Abandons a session without touching stock; returns it.
pub async fn cancel(app: &App, actor: &Actor, code: &str, reason: &str) -> Result<StocktakeDetail, StocktakeError> {
    let before = app.stocktake_detail(actor, code).await?;
    app.cancel_stocktake(actor, code, reason, Utc::now()).await?;
    let after = app.stocktake_detail(actor, code).await?;
    let was = format!("status={} {}", before.stocktake.status.code(), counted_text(&before));
    let now = format!("status=cancelled reason={}", reason.trim());
    app.record_audit(actor, "stocktake.cancel", &after.stocktake.code, &was, &now).await?;
    Ok(after)
}

/// How the audit log names the stocktake actions.
pub fn audit_label(action: &str) -> Option<(&'static str, &'static str)> {
    Some(match action {
        "stocktake.start" => ("开始盘点", "stocktake started"),
        "stocktake.count" => ("录入实盘数量", "counts entered"),
        "stocktake.import" => ("导入盘点表", "count sheet imported"),
        "stocktake.post" => ("盘点过账", "stocktake posted"),
        "stocktake.cancel" => ("作废盘点", "stocktake cancelled"),
        _ => return None,
    })
}

// ---------------------------------------------------------------- how things are shown

pub fn status_label(s: StocktakeStatus, lang: Lang) -> &'static str {
    lang.pick(
        s.label_zh(),
        match s {
            StocktakeStatus::Counting => "Counting",
            StocktakeStatus::Posted => "Posted",
            StocktakeStatus::Cancelled => "Cancelled",
        },
    )
}

pub fn status_class(s: StocktakeStatus) -> &'static str {
    match s {
        StocktakeStatus::Counting => "tag-wait",
        StocktakeStatus::Posted => "tag-done",
        StocktakeStatus::Cancelled => "tag-closed",
    }
}

fn result_label(r: CountResult, lang: Lang) -> &'static str {
    lang.pick(
        r.label_zh(),
        match r {
            CountResult::NotCounted => "Not counted",
            CountResult::Match => "Match",
            CountResult::Surplus => "Surplus",
            CountResult::Shortage => "Shortage",
        },
    )
}

fn result_class(r: CountResult) -> &'static str {
    match r {
        CountResult::NotCounted => "",
        CountResult::Match => "tag-done",
        CountResult::Surplus => "tag-wait",
        CountResult::Shortage => "tag-warn",
    }
}

/// "+¥65.00" / "-¥65.00" / "¥0.00".
fn signed_money(m: Money) -> String {
    if m > Money::ZERO { format!("+{}", view::money(m)) } else { view::money(m) }
}

fn scope_text(s: &StocktakeRow, lang: Lang) -> String {
    if s.scope.is_empty() { lang.pick("全部商品", "Every SKU").to_string() } else { s.scope.clone() }
}

/// "HZ 杭州仓": a warehouse by its code and name.
fn warehouse_label(code: &str, warehouses: &[zhanggui_app::store::Warehouse]) -> String {
    match warehouses.iter().find(|w| w.code == code) {
        Some(w) => format!("{} {}", w.code, w.name),
        None => code.to_string(),
    }
}

fn opt(value: impl Into<String>, label: impl Into<String>, selected: bool) -> Opt {
    Opt { value: value.into(), label: label.into(), selected }
}

/// A file name for Content-Disposition: an ASCII fallback and the UTF-8 name.
fn attachment(ascii: &str, name: &str) -> String {
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{}", encode(name))
}

// ---------------------------------------------------------------- the list

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    pub status: String,
    /// Warehouse code.
    #[serde(default)]
    pub warehouse: String,
    #[serde(default)]
    pub page: String,
}

/// The highest page number taken (a larger one shows this page, past the last row).
const MAX_PAGE: i64 = 1_000_000;

/// The sessions the filters select, newest first; the message names what was not understood.
fn filtered(rows: Vec<StocktakeRow>, q: &ListQuery, lang: Lang) -> (Vec<StocktakeRow>, i64, String) {
    let mut problems = Vec::new();
    let status = match q.status.trim() {
        "" => None,
        s => match StocktakeStatus::parse(s) {
            Some(st) => Some(st),
            None => {
                problems.push(lang.pick("状态", "status"));
                None
            }
        },
    };
    let page = match q.page.trim() {
        "" => 1,
        p => match p.parse::<i64>() {
            Ok(n) if n >= 1 => n.min(MAX_PAGE),
            _ => {
                problems.push(lang.pick("页码", "page"));
                1
            }
        },
    };
    let warehouse = q.warehouse.trim();
    let rows = rows
        .into_iter()
        .filter(|r| status.is_none_or(|s| r.status == s))
        .filter(|r| warehouse.is_empty() || r.warehouse_code == warehouse)
        .collect();
    let message = if problems.is_empty() {
        String::new()
    } else {
        format!(
            "{}{}",
            lang.pick("看不懂这些筛选条件，已忽略：", "These filters were not understood and are ignored: "),
            problems.join(", ")
        )
    };
    (rows, page, message)
}

pub struct SessionRow {
    pub code: String,
    pub code_q: String,
    pub warehouse: String,
    pub scope: String,
    pub status: String,
    pub status_class: &'static str,
    pub lines: i64,
    pub counted: i64,
    pub started: String,
    pub started_by: String,
    pub closed: String,
    pub closed_by: String,
    pub reason: String,
}

fn session_row(s: &StocktakeRow, zone: chrono_tz::Tz, lang: Lang) -> SessionRow {
    SessionRow {
        code: s.code.clone(),
        code_q: encode(&s.code),
        warehouse: s.warehouse_code.clone(),
        scope: scope_text(s, lang),
        status: status_label(s.status, lang).into(),
        status_class: status_class(s.status),
        lines: s.lines,
        counted: s.counted,
        started: view::time(s.created_at, zone),
        started_by: s.created_by.clone(),
        closed: view::opt_time(s.closed_at, zone),
        closed_by: s.closed_by.clone(),
        reason: s.reason.clone(),
    }
}

fn list_link(q: &ListQuery, page: i64) -> String {
    let p = if page > 1 { page.to_string() } else { String::new() };
    format!("/stocktakes{}", query_string(&[("status", &q.status), ("warehouse", &q.warehouse), ("page", &p)]))
}

#[derive(Template, WebTemplate)]
#[template(path = "stocktakes.html")]
struct ListPage {
    c: Chrome,
    statuses: Vec<Opt>,
    warehouse_filter: Vec<Opt>,
    warehouse_start: Vec<Opt>,
    filter_error: String,
    rows: Vec<SessionRow>,
    prev_link: String,
    next_link: String,
    export_link: String,
    can_count: bool,
    form_search: String,
}

/// What the list says above its content, and the start form as typed.
#[derive(Default)]
struct ListMessages {
    notice: String,
    error: String,
    warehouse: String,
    search: String,
    status: Option<StatusCode>,
}

async fn render_list(web: &Web, a: &Authed, q: &ListQuery, m: ListMessages) -> Response {
    let lang = a.lang;
    let actor = a.user().actor();
    let all = match web.app.stocktakes(&actor).await {
        Ok(r) => r,
        Err(e) => return error_page(lang, &e),
    };
    let warehouses = match web.app.warehouses(&actor).await {
        Ok(w) => w,
        Err(e) => return error_page(lang, &e),
    };
    let (rows, page, filter_error) = filtered(all, q, lang);
    let start = usize::try_from((page - 1) * PAGE).unwrap_or(usize::MAX);
    let more = rows.len() > start.saturating_add(PAGE as usize);
    let shown: Vec<SessionRow> = rows
        .iter()
        .skip(start)
        .take(PAGE as usize)
        .map(|s| SessionRow {
            warehouse: warehouse_label(&s.warehouse_code, &warehouses),
            ..session_row(s, web.zone, lang)
        })
        .collect();
    let mut statuses = vec![opt("", lang.pick("全部状态", "All statuses"), q.status.trim().is_empty())];
    statuses.extend(
        StocktakeStatus::ALL.iter().map(|s| opt(s.code(), status_label(*s, lang), q.status.trim() == s.code())),
    );
    let label = |w: &zhanggui_app::store::Warehouse| {
        if w.sellable {
            format!("{} {}", w.code, w.name)
        } else {
            format!("{} {}{}", w.code, w.name, lang.pick("（次品）", " (defective)"))
        }
    };
    let mut warehouse_filter = vec![opt("", lang.pick("全部仓库", "All warehouses"), q.warehouse.trim().is_empty())];
    warehouse_filter.extend(warehouses.iter().map(|w| opt(w.code.clone(), label(w), q.warehouse.trim() == w.code)));
    let warehouse_start =
        warehouses.iter().map(|w| opt(w.code.clone(), label(w), m.warehouse.trim() == w.code)).collect();
    let mut c = Chrome::new(a, web, "stock", &list_link(q, page));
    c.notice = m.notice;
    c.error = m.error;
    let page_view = ListPage {
        c,
        statuses,
        warehouse_filter,
        warehouse_start,
        filter_error,
        rows: shown,
        prev_link: if page > 1 { list_link(q, page - 1) } else { String::new() },
        next_link: if more { list_link(q, page + 1) } else { String::new() },
        export_link: list_link(q, 1).replacen("/stocktakes", "/stocktakes/xlsx", 1),
        can_count: may(a.user(), Act::Count),
        form_search: m.search,
    };
    (m.status.unwrap_or(StatusCode::OK), page_view).into_response()
}

pub async fn list(State(web): State<Web>, a: Authed, Query(q): Query<ListQuery>) -> Response {
    if let Err(r) = allowed(&a, Act::View) {
        return r;
    }
    render_list(&web, &a, &q, ListMessages::default()).await
}

#[derive(Deserialize)]
pub struct StartForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    warehouse: String,
    #[serde(default)]
    search: String,
}

pub async fn start_submit(State(web): State<Web>, a: Authed, Form(f): Form<StartForm>) -> Response {
    if let Err(r) = crate::pages::check_csrf(&a, &f.csrf).and_then(|()| allowed(&a, Act::Count)) {
        return r;
    }
    let warehouse = Some(f.warehouse.trim()).filter(|w| !w.is_empty());
    match start(&web.app, &a.user().actor(), warehouse, &f.search).await {
        Ok(d) => Redirect::to(&format!("/stocktakes/{}?ok=started", encode(&d.stocktake.code))).into_response(),
        Err(e) => {
            let m = ListMessages {
                error: e.message(a.lang),
                warehouse: f.warehouse,
                search: f.search,
                status: Some(auth::http_status(&e)),
                ..Default::default()
            };
            render_list(&web, &a, &ListQuery::default(), m).await
        }
    }
}

/// Rows an export holds at most.
const EXPORT_AT_MOST: usize = 100_000;

fn xlsx_response(table: ReportTable, ascii: &str, name: &str) -> Response {
    match xlsx_bytes(&[table]) {
        Ok(bytes) => (
            [
                (CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string()),
                (CONTENT_DISPOSITION, attachment(ascii, name)),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => {
            tracing::error!("xlsx: {e}");
            (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response()
        }
    }
}

/// 导出 Excel: every session the list's filters select (all pages).
pub async fn list_xlsx(State(web): State<Web>, a: Authed, Query(q): Query<ListQuery>) -> Response {
    if let Err(r) = allowed(&a, Act::View) {
        return r;
    }
    let lang = a.lang;
    let all = match web.app.stocktakes(&a.user().actor()).await {
        Ok(r) => r,
        Err(e) => return error_page(lang, &e),
    };
    let (rows, _, _) = filtered(all, &q, lang);
    let headers = [
        ("盘点单号", "Stocktake"),
        ("仓库", "Warehouse"),
        ("范围", "Scope"),
        ("状态", "Status"),
        ("SKU数", "SKUs"),
        ("已盘", "Counted"),
        ("开始时间", "Started"),
        ("开始人", "Started by"),
        ("结束时间", "Closed"),
        ("结束人", "Closed by"),
        ("原因", "Reason"),
    ];
    let text = ReportCell::Text;
    let rows = rows
        .iter()
        .take(EXPORT_AT_MOST)
        .map(|s| {
            let r = session_row(s, web.zone, lang);
            vec![
                text(r.code),
                text(r.warehouse),
                text(r.scope),
                text(r.status),
                ReportCell::Int(r.lines),
                ReportCell::Int(r.counted),
                text(r.started),
                text(r.started_by),
                text(r.closed),
                text(r.closed_by),
                text(r.reason),
            ]
        })
        .collect();
    let table = ReportTable {
        title: lang.pick("盘点单", "Stocktakes").into(),
        headers: headers.iter().map(|(zh, en)| lang.pick(zh, en).to_string()).collect(),
        rows,
    };
    let day = Utc::now().with_timezone(&web.zone).format("%Y-%m-%d").to_string();
    xlsx_response(table, &format!("zhanggui-stocktakes-{day}.xlsx"), &format!("盘点单-{day}.xlsx"))
}

// ---------------------------------------------------------------- one session

/// Lines shown at once on a session's page.
const LINES_PAGE: usize = 100;

#[derive(Deserialize, Default, Clone)]
pub struct SessionQuery {
    /// Part of the SKU code, title, properties or barcode.
    #[serde(default)]
    pub q: String,
    /// "", "uncounted", "counted" or "diff".
    #[serde(default)]
    pub show: String,
    #[serde(default)]
    pub page: String,
    #[serde(default)]
    pub ok: String,
    /// How many counts the change that led here took.
    #[serde(default)]
    pub n: String,
}

fn session_link(code: &str, q: &SessionQuery, page: usize) -> String {
    let p = if page > 1 { page.to_string() } else { String::new() };
    format!("/stocktakes/{}{}", encode(code), query_string(&[("q", &q.q), ("show", &q.show), ("page", &p)]))
}

fn page_of(q: &SessionQuery) -> usize {
    q.page.trim().parse::<usize>().ok().filter(|p| *p >= 1).unwrap_or(1).min(MAX_PAGE as usize)
}

/// The lines the session page's filters select.
fn select_lines<'a>(d: &'a StocktakeDetail, q: &SessionQuery) -> Vec<&'a CountLine> {
    let needle = q.q.trim().to_lowercase();
    d.lines
        .iter()
        .filter(|l| match q.show.trim() {
            "uncounted" => l.result == CountResult::NotCounted,
            "counted" => l.result != CountResult::NotCounted,
            "diff" => matches!(l.result, CountResult::Surplus | CountResult::Shortage),
            _ => true,
        })
        .filter(|l| {
            needle.is_empty()
                || [&l.line.outer_sku_id, &l.line.title, &l.line.properties, &l.line.barcode]
                    .iter()
                    .any(|t| t.to_lowercase().contains(&needle))
        })
        .collect()
}

pub struct LineRow {
    pub id: i64,
    pub code: String,
    pub code_q: String,
    pub title: String,
    pub properties: String,
    pub barcode: String,
    /// The book quantity when the count started; "—" while the line is not counted (blind count).
    pub book: String,
    /// What the entry field holds: the typed text after a refusal, else the recorded count.
    pub typed: String,
    /// The recorded count ("" when none), sent back with the form to see what changed.
    pub was: String,
    pub counted: String,
    pub delta: String,
    pub unit_cost: String,
    pub value: String,
    pub result: String,
    pub result_class: &'static str,
    /// Why the typed count was refused.
    pub error: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "stocktake.html")]
struct SessionPage {
    c: Chrome,
    code: String,
    code_q: String,
    warehouse: String,
    scope: String,
    status: String,
    status_class: &'static str,
    started: String,
    started_by: String,
    closed: String,
    closed_by: String,
    reason: String,
    open: bool,
    posted: bool,
    can_count: bool,
    can_values: bool,
    lines: usize,
    counted: usize,
    uncounted: usize,
    matched: usize,
    surplus_units: i64,
    shortage_units: i64,
    surplus_value: String,
    shortage_value: String,
    net_value: String,
    net_units: String,
    q: SessionQuery,
    shows: Vec<Opt>,
    rows: Vec<LineRow>,
    selected: usize,
    first_shown: usize,
    last_shown: usize,
    prev_link: String,
    next_link: String,
    sheet_link: String,
    export_link: String,
    bad_file: String,
    bad_rows: Vec<BadRow>,
    post_reason: String,
    cancel_reason: String,
    confirm_post: String,
    confirm_cancel: String,
}

/// A refused row of an uploaded sheet, as the page lists it.
pub struct BadRow {
    pub line: usize,
    pub column: String,
    pub reason: String,
}

/// What the session page says above its content, and what was typed before a refusal.
#[derive(Default)]
struct SessionMessages {
    notice: String,
    error: String,
    /// Typed counts by line id.
    typed: HashMap<i64, String>,
    /// Why a typed count was refused, by line id.
    line_errors: HashMap<i64, String>,
    bad_file: String,
    bad_rows: Vec<SheetProblem>,
    post_reason: String,
    cancel_reason: String,
    status: Option<StatusCode>,
}

fn confirm_post_text(d: &StocktakeDetail, values: bool, lang: Lang) -> String {
    let s = &d.summary;
    let uncounted = s.lines - s.counted;
    let moves = d.lines.iter().filter(|l| l.delta != 0).count();
    match lang {
        Lang::Zh => {
            let (sv, hv) = if values {
                (format!("（{}）", view::money(s.surplus_value)), format!("（{}）", view::money(s.shortage_value)))
            } else {
                (String::new(), String::new())
            };
            format!(
                "确定过账？将为 {moves} 个有差异的SKU写入盘点流水：盘盈 {} 件{sv}，盘亏 {} 件{hv}；未盘的 {uncounted} 个SKU不调整。过账后不能撤回。",
                s.surplus_units, s.shortage_units
            )
        }
        Lang::En => {
            let (sv, hv) = if values {
                (format!(" ({})", view::money(s.surplus_value)), format!(" ({})", view::money(s.shortage_value)))
            } else {
                (String::new(), String::new())
            };
            format!(
                "Post this stocktake? {moves} SKU(s) with a difference get a stocktake move: surplus {} unit(s){sv}, shortage {} unit(s){hv}; the {uncounted} SKU(s) not counted stay as they are. Posting cannot be undone.",
                s.surplus_units, s.shortage_units
            )
        }
    }
}

async fn render_session(web: &Web, a: &Authed, code: &str, q: &SessionQuery, m: SessionMessages) -> Response {
    let lang = a.lang;
    let d = match web.app.stocktake_detail(&a.user().actor(), code).await {
        Ok(d) => d,
        Err(e) => return error_page(lang, &e),
    };
    let warehouses = match web.app.warehouses(&a.user().actor()).await {
        Ok(w) => w,
        Err(e) => return error_page(lang, &e),
    };
    let s = &d.stocktake;
    let open = s.status.is_open();
    let can_count = open && may(a.user(), Act::Count);
    let can_values = sees_values(a.user());
    let selected = select_lines(&d, q);
    let page = page_of(q);
    let start = (page - 1).saturating_mul(LINES_PAGE);
    let more = selected.len() > start.saturating_add(LINES_PAGE);
    let rows: Vec<LineRow> = selected
        .iter()
        .skip(start)
        .take(LINES_PAGE)
        .map(|l| {
            let counted = l.line.counted.is_some();
            let show_book = d.shows_book(l);
            let was = l.line.counted.map(|c| c.to_string()).unwrap_or_default();
            LineRow {
                id: l.line.id,
                code: l.line.outer_sku_id.clone(),
                code_q: encode(&l.line.outer_sku_id),
                title: l.line.title.clone(),
                properties: l.line.properties.clone(),
                barcode: l.line.barcode.clone(),
                book: if show_book { l.line.snapshot_on_hand.to_string() } else { "—".into() },
                typed: m.typed.get(&l.line.id).cloned().unwrap_or_else(|| was.clone()),
                counted: if counted { was.clone() } else { "—".into() },
                was,
                delta: if counted { format!("{:+}", l.delta) } else { String::new() },
                unit_cost: if can_values { view::money(l.line.unit_cost) } else { String::new() },
                value: if can_values && counted { signed_money(l.value) } else { String::new() },
                result: result_label(l.result, lang).into(),
                result_class: result_class(l.result),
                error: m.line_errors.get(&l.line.id).cloned().unwrap_or_default(),
            }
        })
        .collect();
    let shows = [
        ("", "全部", "All"),
        ("uncounted", "未盘", "Not counted"),
        ("counted", "已盘", "Counted"),
        ("diff", "有差异（盘盈/盘亏）", "With a difference"),
    ]
    .iter()
    .map(|(v, zh, en)| opt(*v, lang.pick(zh, en), q.show.trim() == *v))
    .collect();
    let sum = &d.summary;
    let mut c = Chrome::new(a, web, "stock", &session_link(&s.code, q, page));
    c.notice = m.notice;
    c.error = m.error;
    let page_view = SessionPage {
        c,
        code: s.code.clone(),
        code_q: encode(&s.code),
        warehouse: warehouse_label(&s.warehouse_code, &warehouses),
        scope: scope_text(s, lang),
        status: status_label(s.status, lang).into(),
        status_class: status_class(s.status),
        started: view::time(s.created_at, web.zone),
        started_by: s.created_by.clone(),
        closed: view::opt_time(s.closed_at, web.zone),
        closed_by: s.closed_by.clone(),
        reason: s.reason.clone(),
        open,
        posted: s.status == StocktakeStatus::Posted,
        can_count,
        can_values,
        lines: sum.lines,
        counted: sum.counted,
        uncounted: sum.lines - sum.counted,
        matched: sum.matched,
        surplus_units: sum.surplus_units,
        shortage_units: sum.shortage_units,
        surplus_value: view::money(sum.surplus_value),
        shortage_value: view::money(sum.shortage_value),
        net_value: signed_money(sum.net_value()),
        net_units: match sum.surplus_units - sum.shortage_units {
            0 => "0".into(),
            n => format!("{n:+}"),
        },
        shows,
        selected: selected.len(),
        first_shown: if rows.is_empty() { 0 } else { start + 1 },
        last_shown: start + rows.len(),
        rows,
        prev_link: if page > 1 { session_link(&s.code, q, page - 1) } else { String::new() },
        next_link: if more { session_link(&s.code, q, page + 1) } else { String::new() },
        sheet_link: format!("/stocktakes/{}/sheet", encode(&s.code)),
        export_link: format!("/stocktakes/{}/xlsx{}", encode(&s.code), query_string(&[("q", &q.q), ("show", &q.show)])),
        bad_file: m.bad_file,
        bad_rows: m
            .bad_rows
            .iter()
            .map(|p| BadRow { line: p.line, column: p.column.clone(), reason: p.reason(lang).to_string() })
            .collect(),
        post_reason: m.post_reason,
        cancel_reason: m.cancel_reason,
        confirm_post: confirm_post_text(&d, can_values, lang),
        confirm_cancel: lang
            .pick(
                "确定作废这张盘点单？录入的数量不再使用，库存不变。",
                "Cancel this stocktake? The counts entered are dropped and stock stays as it is.",
            )
            .into(),
        q: q.clone(),
    };
    (m.status.unwrap_or(StatusCode::OK), page_view).into_response()
}

fn done_text(q: &SessionQuery, lang: Lang) -> String {
    let n = q.n.trim().parse::<usize>().unwrap_or(0);
    match (q.ok.as_str(), lang) {
        ("started", _) => lang
            .pick(
                "已开始盘点，账面数量已按此刻的库存记下。下载盘点表去货架清点，或直接在下面录入实盘数量。",
                "Counting has started; the book quantities are those of this moment. Download the count sheet for the shelves, or enter the counts below.",
            )
            .into(),
        ("counted", Lang::Zh) => format!("已保存 {n} 个SKU的实盘数量。"),
        ("counted", Lang::En) => format!("Saved the counts of {n} SKU(s)."),
        ("imported", Lang::Zh) => format!("盘点表已导入：录入 {n} 个SKU的实盘数量。"),
        ("imported", Lang::En) => format!("Count sheet imported: {n} SKU count(s) entered."),
        ("posted", _) => lang
            .pick(
                "已过账：盘点差异已写入库存流水，盘点期间的销售不受影响。",
                "Posted: the differences are written to the stock ledger; sales made during the count stay as they are.",
            )
            .into(),
        ("cancelled", _) => lang.pick("盘点单已作废，库存未改变。", "The stocktake is cancelled; stock is unchanged.").into(),
        _ => String::new(),
    }
}

pub async fn session(
    State(web): State<Web>,
    a: Authed,
    Path(code): Path<String>,
    Query(q): Query<SessionQuery>,
) -> Response {
    if let Err(r) = allowed(&a, Act::View) {
        return r;
    }
    let m = SessionMessages { notice: done_text(&q, a.lang), ..Default::default() };
    render_session(&web, &a, &code, &q, m).await
}

/// The blind count sheet (盘点表) to fill in on the shelves: CSV without book quantities; counts
/// already entered are filled in.
pub async fn sheet(State(web): State<Web>, a: Authed, Path(code): Path<String>) -> Response {
    if let Err(r) = allowed(&a, Act::View) {
        return r;
    }
    let d = match web.app.stocktake_detail(&a.user().actor(), &code).await {
        Ok(d) => d,
        Err(e) => return error_page(a.lang, &e),
    };
    let rows = d.lines.iter().map(|l| CountSheetRow {
        outer_sku_id: &l.line.outer_sku_id,
        title: &l.line.title,
        properties: &l.line.properties,
        barcode: &l.line.barcode,
        counted: l.line.counted,
    });
    let mut bytes = Vec::new();
    if let Err(e) = write_count_sheet(&mut bytes, rows) {
        tracing::error!("count sheet: {e}");
        return (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response();
    }
    let s = &d.stocktake;
    (
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                CONTENT_DISPOSITION,
                attachment(
                    &format!("stocktake-{}.csv", s.code),
                    &format!("盘点表-{}-{}.csv", s.code, s.warehouse_code),
                ),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// 导出 Excel: the lines the page's filters select with their differences (and values, for those
/// who see costs).
pub async fn session_xlsx(
    State(web): State<Web>,
    a: Authed,
    Path(code): Path<String>,
    Query(q): Query<SessionQuery>,
) -> Response {
    if let Err(r) = allowed(&a, Act::View) {
        return r;
    }
    let lang = a.lang;
    let d = match web.app.stocktake_detail(&a.user().actor(), &code).await {
        Ok(d) => d,
        Err(e) => return error_page(lang, &e),
    };
    let values = sees_values(a.user());
    let mut headers = vec![
        ("商家编码", "SKU code"),
        ("宝贝", "Item"),
        ("规格", "Properties"),
        ("条码", "Barcode"),
        ("账面数量", "Book"),
        ("实盘数量", "Counted"),
        ("差异", "Difference"),
        ("结果", "Result"),
    ];
    if values {
        headers.extend([("成本价", "Unit cost"), ("差异金额", "Value")]);
    }
    let text = ReportCell::Text;
    let rows = select_lines(&d, &q)
        .iter()
        .map(|l| {
            let counted = l.line.counted.is_some();
            let mut row = vec![
                text(l.line.outer_sku_id.clone()),
                text(l.line.title.clone()),
                text(l.line.properties.clone()),
                text(l.line.barcode.clone()),
                if d.shows_book(l) { ReportCell::Int(l.line.snapshot_on_hand) } else { ReportCell::Empty },
                l.line.counted.map_or(ReportCell::Empty, ReportCell::Int),
                if counted { ReportCell::Int(l.delta) } else { ReportCell::Empty },
                text(result_label(l.result, lang).into()),
            ];
            if values {
                row.push(ReportCell::Decimal(l.line.unit_cost.to_plain(), 2));
                row.push(if counted { ReportCell::Decimal(l.value.to_plain(), 2) } else { ReportCell::Empty });
            }
            row
        })
        .collect();
    let s = &d.stocktake;
    let table = ReportTable {
        title: format!("{}{}", lang.pick("盘点差异 ", "Stocktake "), s.code),
        headers: headers.iter().map(|(zh, en)| lang.pick(zh, en).to_string()).collect(),
        rows,
    };
    xlsx_response(table, &format!("stocktake-{}.xlsx", s.code), &format!("盘点差异-{}.xlsx", s.code))
}

/// Reads the entry form: the typed counts that differ from those recorded, or why some cannot be
/// taken (by line id). Returns the inputs, the typed texts and the refusals.
fn typed_counts(
    d: &StocktakeDetail,
    fields: &[(String, String)],
    lang: Lang,
) -> (Vec<CountInput>, HashMap<i64, String>, HashMap<i64, String>) {
    let mut typed: HashMap<i64, String> = HashMap::new();
    let mut was: HashMap<i64, String> = HashMap::new();
    for (k, v) in fields {
        if let Some(id) = k.strip_prefix("n").and_then(|id| id.parse::<i64>().ok()) {
            typed.insert(id, v.clone());
        } else if let Some(id) = k.strip_prefix("was").and_then(|id| id.parse::<i64>().ok()) {
            was.insert(id, v.clone());
        }
    }
    let mut inputs = Vec::new();
    let mut errors = HashMap::new();
    for l in &d.lines {
        let Some(text) = typed.get(&l.line.id) else { continue };
        let (text, before) = (text.trim(), was.get(&l.line.id).map(|w| w.trim()).unwrap_or(""));
        if text == before {
            continue;
        }
        if text.is_empty() {
            errors.insert(
                l.line.id,
                lang.pick(
                    "已录入的数量不能清空，请填实际清点到的数量（没有就填 0）",
                    "A count cannot be cleared; enter what is on the shelf (0 if nothing)",
                )
                .into(),
            );
            continue;
        }
        match text.parse::<i64>() {
            Ok(n) if n >= 0 => inputs.push(CountInput {
                source: l.line.outer_sku_id.clone(),
                sku: l.line.outer_sku_id.clone(),
                counted: n,
            }),
            Ok(_) => {
                errors.insert(l.line.id, lang.pick("实盘数量不能为负数", "A count cannot be negative").into());
            }
            Err(_) => {
                errors.insert(
                    l.line.id,
                    lang.pick("实盘数量要填整数（0 或以上）", "A count is a whole number, 0 or more").into(),
                );
            }
        }
    }
    (inputs, typed, errors)
}

/// The entry form of a session's page: `n<line id>` the typed count, `was<line id>` the count it
/// showed, plus the page's filters to come back to.
pub async fn counts_submit(
    State(web): State<Web>,
    a: Authed,
    Path(code): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let field = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
    if let Err(r) = crate::pages::check_csrf(&a, &field("csrf")).and_then(|()| allowed(&a, Act::Count)) {
        return r;
    }
    let lang = a.lang;
    let q = SessionQuery { q: field("q"), show: field("show"), page: field("page"), ..Default::default() };
    let actor = a.user().actor();
    let d = match web.app.stocktake_detail(&actor, &code).await {
        Ok(d) => d,
        Err(e) => return error_page(lang, &e),
    };
    let (inputs, typed, line_errors) = typed_counts(&d, &fields, lang);
    if !line_errors.is_empty() {
        let error = match lang {
            Lang::Zh => format!("{} 行的实盘数量有误，全部未保存，请按提示改正后再保存。", line_errors.len()),
            Lang::En => format!(
                "{} count(s) are wrong; nothing was saved. Correct them as shown and save again.",
                line_errors.len()
            ),
        };
        let m = SessionMessages {
            error,
            typed,
            line_errors,
            status: Some(StatusCode::UNPROCESSABLE_ENTITY),
            ..Default::default()
        };
        return render_session(&web, &a, &code, &q, m).await;
    }
    if inputs.is_empty() {
        let m = SessionMessages {
            error: lang
                .pick(
                    "没有新的实盘数量：请在「实盘数量」一栏填写后再保存。",
                    "No new counts: fill in the Counted column, then save.",
                )
                .into(),
            status: Some(StatusCode::UNPROCESSABLE_ENTITY),
            ..Default::default()
        };
        return render_session(&web, &a, &code, &q, m).await;
    }
    match count(&web.app, &actor, &code, &inputs).await {
        Ok(after) => {
            let back = session_link(&after.stocktake.code, &q, page_of(&q));
            let sep = if back.contains('?') { '&' } else { '?' };
            Redirect::to(&format!("{back}{sep}ok=counted&n={}", inputs.len())).into_response()
        }
        Err(e) => {
            let mut line_errors = HashMap::new();
            if let StocktakeError::BadCounts(bad) = &e {
                for b in bad {
                    if let Some(l) = d.lines.iter().find(|l| l.line.outer_sku_id == b.source) {
                        line_errors.insert(l.line.id, lang.pick(&b.reason_zh, &b.reason_en).to_string());
                    }
                }
            }
            let m = SessionMessages {
                error: e.message(lang),
                typed,
                line_errors,
                status: Some(auth::http_status(&e)),
                ..Default::default()
            };
            render_session(&web, &a, &code, &q, m).await
        }
    }
}

/// The largest count sheet taken.
pub const UPLOAD_AT_MOST: usize = 10 * 1024 * 1024;

/// A filled-in count sheet (multipart: `csrf` and `file`).
pub async fn upload(
    State(web): State<Web>,
    a: Authed,
    Path(code): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let lang = a.lang;
    let unreadable = |status: StatusCode| {
        let m = if status == StatusCode::PAYLOAD_TOO_LARGE {
            lang.pick("文件太大：盘点表最大 10 MB。", "The file is too large: a count sheet is at most 10 MB.")
        } else {
            lang.pick(
                "上传没有完成，请重新选择文件上传。",
                "The upload did not come through; choose the file and upload again.",
            )
        };
        (status, m.to_string())
    };
    let mut mp = match multipart {
        Ok(mp) => mp,
        Err(e) => {
            // Not a file upload at all: nothing is read, so nothing can change.
            if let Err(r) = allowed(&a, Act::Count) {
                return r;
            }
            let (status, message) = unreadable(e.status());
            let m = SessionMessages { error: message, status: Some(status), ..Default::default() };
            return render_session(&web, &a, &code, &SessionQuery::default(), m).await;
        }
    };
    let mut csrf = String::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    let mut failure: Option<StatusCode> = None;
    loop {
        match mp.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or_default().to_string();
                let file_name = field.file_name().unwrap_or_default().to_string();
                match name.as_str() {
                    "csrf" => match field.text().await {
                        Ok(t) => csrf = t,
                        Err(e) => {
                            failure = Some(e.status());
                            break;
                        }
                    },
                    "file" => match field.bytes().await {
                        Ok(b) => file = Some((file_name, b.to_vec())),
                        Err(e) => {
                            failure = Some(e.status());
                            break;
                        }
                    },
                    _ => {}
                }
            }
            Ok(None) => break,
            Err(e) => {
                failure = Some(e.status());
                break;
            }
        }
    }
    if let Err(r) = crate::pages::check_csrf(&a, &csrf).and_then(|()| allowed(&a, Act::Count)) {
        return r;
    }
    let q = SessionQuery::default();
    if let Some(status) = failure {
        let (status, message) = unreadable(status);
        let m = SessionMessages { error: message, status: Some(status), ..Default::default() };
        return render_session(&web, &a, &code, &q, m).await;
    }
    let Some((name, bytes)) = file.filter(|(n, b)| !n.is_empty() || !b.is_empty()) else {
        let m = SessionMessages {
            error: lang.pick("请选择要导入的盘点表文件。", "Choose the count sheet file to import.").into(),
            status: Some(StatusCode::UNPROCESSABLE_ENTITY),
            ..Default::default()
        };
        return render_session(&web, &a, &code, &q, m).await;
    };
    let name = if name.trim().is_empty() { lang.pick("盘点表", "count sheet").to_string() } else { name };
    match import(&web.app, &a.user().actor(), &code, &name, &bytes).await {
        Ok((d, taken)) => {
            Redirect::to(&format!("/stocktakes/{}?ok=imported&n={taken}", encode(&d.stocktake.code))).into_response()
        }
        Err(e) => {
            let status = Some(auth::http_status(&e));
            let m = match e {
                StocktakeError::BadSheet { file, rows } => SessionMessages {
                    error: match lang {
                        Lang::Zh => {
                            format!("{file}：{} 行有误，整张表都未录入。改正下面列出的行后重新导入。", rows.len())
                        }
                        Lang::En => format!(
                            "{file}: {} bad row(s); nothing of the sheet was recorded. Correct the rows listed below and import it again.",
                            rows.len()
                        ),
                    },
                    bad_file: file,
                    bad_rows: rows,
                    status,
                    ..Default::default()
                },
                other => SessionMessages { error: other.message(lang), status, ..Default::default() },
            };
            render_session(&web, &a, &code, &q, m).await
        }
    }
}

#[derive(Deserialize)]
pub struct ReasonForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reason: String,
}

pub async fn post_submit(
    State(web): State<Web>,
    a: Authed,
    Path(code): Path<String>,
    Form(f): Form<ReasonForm>,
) -> Response {
    if let Err(r) = crate::pages::check_csrf(&a, &f.csrf).and_then(|()| allowed(&a, Act::Count)) {
        return r;
    }
    match post(&web.app, &a.user().actor(), &code, &f.reason).await {
        Ok(d) => Redirect::to(&format!("/stocktakes/{}?ok=posted", encode(&d.stocktake.code))).into_response(),
        Err(e) => {
            let m = SessionMessages {
                error: e.message(a.lang),
                post_reason: f.reason,
                status: Some(auth::http_status(&e)),
                ..Default::default()
            };
            render_session(&web, &a, &code, &SessionQuery::default(), m).await
        }
    }
}

pub async fn cancel_submit(
    State(web): State<Web>,
    a: Authed,
    Path(code): Path<String>,
    Form(f): Form<ReasonForm>,
) -> Response {
    if let Err(r) = crate::pages::check_csrf(&a, &f.csrf).and_then(|()| allowed(&a, Act::Count)) {
        return r;
    }
    match cancel(&web.app, &a.user().actor(), &code, &f.reason).await {
        Ok(d) => Redirect::to(&format!("/stocktakes/{}?ok=cancelled", encode(&d.stocktake.code))).into_response(),
        Err(e) => {
            let m = SessionMessages {
                error: e.message(a.lang),
                cancel_reason: f.reason,
                status: Some(auth::http_status(&e)),
                ..Default::default()
            };
            render_session(&web, &a, &code, &SessionQuery::default(), m).await
        }
    }
}

// ---------------------------------------------------------------- the API

fn api_allowed(u: &ApiUser, act: Act) -> Result<(), Response> {
    if may(&u.user, act) { Ok(()) } else { Err(crate::api::error_response(&AuthError::Forbidden, u.lang)) }
}

/// A session as JSON; unit costs and values left out for those who do not see costs. The count is
/// blind as on the page: a line's book quantity (`snapshot_on_hand`) is null until it is counted
/// or the session is closed.
fn detail_json(d: &StocktakeDetail, values: bool) -> Value {
    let mut v = json!(d);
    if let Some(lines) = v.get_mut("lines").and_then(Value::as_array_mut) {
        for (l, line) in lines.iter_mut().zip(&d.lines) {
            if !d.shows_book(line)
                && let Some(o) = l.as_object_mut()
            {
                o.insert("snapshot_on_hand".into(), Value::Null);
            }
        }
    }
    if !values {
        if let Some(lines) = v.get_mut("lines").and_then(Value::as_array_mut) {
            for l in lines.iter_mut().filter_map(Value::as_object_mut) {
                l.remove("unit_cost");
                l.remove("value");
            }
        }
        if let Some(s) = v.get_mut("summary").and_then(Value::as_object_mut) {
            s.remove("surplus_value");
            s.remove("shortage_value");
        }
    }
    v
}

pub async fn api_list(State(web): State<Web>, u: ApiUser, Query(q): Query<ListQuery>) -> Response {
    if let Err(r) = api_allowed(&u, Act::View) {
        return r;
    }
    match web.app.stocktakes(&u.user.actor()).await {
        Ok(all) => {
            let (rows, _, problems) = filtered(all, &q, u.lang);
            if !problems.is_empty() {
                return crate::api::invalid(u.lang, problems);
            }
            Json(json!({"items": rows})).into_response()
        }
        Err(e) => crate::api::error_response(&e, u.lang),
    }
}

pub async fn api_get(State(web): State<Web>, u: ApiUser, Path(code): Path<String>) -> Response {
    if let Err(r) = api_allowed(&u, Act::View) {
        return r;
    }
    match web.app.stocktake_detail(&u.user.actor(), &code).await {
        Ok(d) => Json(detail_json(&d, sees_values(&u.user))).into_response(),
        Err(e) => crate::api::error_response(&e, u.lang),
    }
}

#[derive(Deserialize, Default)]
pub struct StartBody {
    #[serde(default)]
    warehouse: Option<String>,
    #[serde(default)]
    search: String,
}

pub async fn api_start(State(web): State<Web>, u: ApiUser, body: Result<Json<StartBody>, JsonRejection>) -> Response {
    let b = match body {
        Ok(Json(b)) => b,
        Err(e) => return crate::api::bad_body(e, u.lang),
    };
    if let Err(r) = api_allowed(&u, Act::Count) {
        return r;
    }
    let warehouse = b.warehouse.as_deref().map(str::trim).filter(|w| !w.is_empty());
    match start(&web.app, &u.user.actor(), warehouse, &b.search).await {
        Ok(d) => (StatusCode::CREATED, Json(detail_json(&d, sees_values(&u.user)))).into_response(),
        Err(e) => crate::api::error_response(&e, u.lang),
    }
}

#[derive(Deserialize)]
pub struct CountBody {
    /// 商家编码 or barcode.
    sku: String,
    counted: i64,
}

#[derive(Deserialize, Default)]
pub struct CountsBody {
    #[serde(default)]
    counts: Vec<CountBody>,
}

pub async fn api_counts(
    State(web): State<Web>,
    u: ApiUser,
    Path(code): Path<String>,
    body: Result<Json<CountsBody>, JsonRejection>,
) -> Response {
    let b = match body {
        Ok(Json(b)) => b,
        Err(e) => return crate::api::bad_body(e, u.lang),
    };
    if let Err(r) = api_allowed(&u, Act::Count) {
        return r;
    }
    let inputs: Vec<CountInput> = b
        .counts
        .into_iter()
        .map(|c| CountInput { source: String::new(), sku: c.sku.trim().to_string(), counted: c.counted })
        .collect();
    match count(&web.app, &u.user.actor(), &code, &inputs).await {
        Ok(d) => Json(detail_json(&d, sees_values(&u.user))).into_response(),
        Err(e) => crate::api::error_response(&e, u.lang),
    }
}

#[derive(Deserialize, Default)]
pub struct ReasonBody {
    #[serde(default)]
    reason: String,
}

pub async fn api_post(
    State(web): State<Web>,
    u: ApiUser,
    Path(code): Path<String>,
    body: Result<Json<ReasonBody>, JsonRejection>,
) -> Response {
    let b = match body {
        Ok(Json(b)) => b,
        Err(e) => return crate::api::bad_body(e, u.lang),
    };
    if let Err(r) = api_allowed(&u, Act::Count) {
        return r;
    }
    match post(&web.app, &u.user.actor(), &code, &b.reason).await {
        Ok(d) => Json(detail_json(&d, sees_values(&u.user))).into_response(),
        Err(e) => crate::api::error_response(&e, u.lang),
    }
}

pub async fn api_cancel(
    State(web): State<Web>,
    u: ApiUser,
    Path(code): Path<String>,
    body: Result<Json<ReasonBody>, JsonRejection>,
) -> Response {
    let b = match body {
        Ok(Json(b)) => b,
        Err(e) => return crate::api::bad_body(e, u.lang),
    };
    if let Err(r) = api_allowed(&u, Act::Count) {
        return r;
    }
    match cancel(&web.app, &u.user.actor(), &code, &b.reason).await {
        Ok(d) => Json(detail_json(&d, sees_values(&u.user))).into_response(),
        Err(e) => crate::api::error_response(&e, u.lang),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_that_count_and_see_values() {
        let user = |role| User { id: 1, company_id: 1, login: "x".into(), display_name: String::new(), role };
        let who = |act| Role::ALL.into_iter().filter(|r| may(&user(*r), act)).collect::<Vec<_>>();
        assert_eq!(who(Act::Count), [Role::Manager, Role::Warehouse]);
        assert_eq!(who(Act::View), [Role::Manager, Role::Warehouse, Role::Purchasing, Role::Finance]);
        assert!(!may(&user(Role::Service), Act::View), "customer service sees nothing of stocktakes");
        assert!(sees_values(&user(Role::Finance)) && sees_values(&user(Role::Manager)));
        assert!(!sees_values(&user(Role::Warehouse)), "the warehouse counts without seeing costs");
        assert!(!sees_values(&user(Role::Operations)), "no stocktakes, so no values either");
    }

    #[test]
    fn list_filters() {
        let q = ListQuery { status: "posted".into(), page: "x".into(), ..Default::default() };
        let (rows, page, problems) = filtered(Vec::new(), &q, Lang::Zh);
        assert!(rows.is_empty() && page == 1 && problems.contains("页码"));
        let q = ListQuery { status: "已过账".into(), ..Default::default() };
        assert!(filtered(Vec::new(), &q, Lang::Zh).2.is_empty(), "the Chinese status is understood too");
    }
}
