//! The pages: login, orders, trade, stock, SKU, customers, users and the audit log.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::header::{CONTENT_TYPE, LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use serde::Deserialize;
use zhanggui_app::browse::FLAGS;
use zhanggui_app::domain::{Money, TradeStatus};
use zhanggui_app::store::browse::{CustomerPageFilter, TradePageFilter};
use zhanggui_app::store::ledger::StockFilter;
use zhanggui_app::users::{AuthError, Permission, Role, User};
use zhanggui_app::{Lang, UserFacing};

use crate::Web;
use crate::auth::{self, Authed, LANG_COOKIE, LOGIN_CSRF_COOKIE, SESSION_COOKIE};
use crate::view;

/// Rows per page of the lists.
pub const PAGE: i64 = 50;

/// What every page around its content shows.
pub struct Chrome {
    pub lang: Lang,
    pub login: String,
    pub role: String,
    pub csrf: String,
    pub nav: &'static str,
    pub notice: String,
    pub error: String,
    /// This page's path and query, encoded, for the language switch to come back to.
    pub here: String,
    pub today: String,
    pub can_dashboard: bool,
    pub can_reports: bool,
    pub can_orders: bool,
    pub can_after_sales: bool,
    pub can_customers: bool,
    pub can_users: bool,
    pub can_notes: bool,
    pub can_costs: bool,
    pub can_change_stock: bool,
    pub can_import: bool,
    pub can_ship: bool,
    pub can_stocktakes: bool,
    /// Sees suppliers and purchase orders (采购单).
    pub can_purchasing: bool,
    /// Drafts, places, cancels and closes purchase orders.
    pub can_purchase: bool,
}

impl Chrome {
    pub fn new(a: &Authed, web: &Web, nav: &'static str, here: &str) -> Chrome {
        let u = a.user();
        Chrome {
            lang: a.lang,
            login: if u.display_name.is_empty() { u.login.clone() } else { format!("{} {}", u.login, u.display_name) },
            role: u.role.name(a.lang).to_string(),
            csrf: a.session.csrf_token.clone(),
            nav,
            notice: String::new(),
            error: String::new(),
            here: encode(here),
            today: Utc::now().with_timezone(&web.zone).format("%Y-%m-%d").to_string(),
            can_dashboard: u.may(Permission::ViewDashboard),
            can_reports: u.may(Permission::ViewDashboard),
            can_orders: u.may(Permission::ViewOrders),
            can_after_sales: u.may(Permission::ViewOrders),
            can_customers: u.may(Permission::ViewCustomers),
            can_users: u.may(Permission::ManageUsers),
            can_notes: u.may(Permission::EditOrderNotes),
            can_costs: u.may(Permission::ViewCosts),
            can_change_stock: u.may(Permission::ChangeStock),
            can_import: crate::imports::may_import_any(u),
            can_ship: u.may(Permission::ShipOrders),
            can_stocktakes: crate::stocktake::may(u, crate::stocktake::Act::View),
            can_purchasing: crate::purchasing::may(u, crate::purchasing::Act::View),
            can_purchase: crate::purchasing::may(u, crate::purchasing::Act::Manage),
        }
    }

    pub fn t<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        self.lang.pick(zh, en)
    }

    pub fn is_en(&self) -> bool {
        self.lang == Lang::En
    }

    pub fn html_lang(&self) -> &'static str {
        if self.is_en() { "en" } else { "zh-CN" }
    }
}

/// An option of a select.
pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

fn opt(value: impl Into<String>, label: impl Into<String>, selected: bool) -> Opt {
    Opt { value: value.into(), label: label.into(), selected }
}

/// Percent-encodes a query value.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `?a=1&b=2` of the non-empty pairs.
pub fn query_string(pairs: &[(&str, &str)]) -> String {
    let parts: Vec<String> =
        pairs.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| format!("{k}={}", encode(v))).collect();
    if parts.is_empty() { String::new() } else { format!("?{}", parts.join("&")) }
}

#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
struct ErrorPage {
    en: bool,
    title: String,
    message: String,
}

/// A page saying what went wrong, with the status the error deserves.
pub fn error_page(lang: Lang, e: &dyn UserFacing) -> Response {
    let status = auth::http_status(e);
    let title = match status {
        StatusCode::FORBIDDEN => lang.pick("没有权限", "Not allowed"),
        StatusCode::NOT_FOUND => lang.pick("找不到", "Not found"),
        s if s.is_server_error() => lang.pick("系统错误", "System error"),
        _ => lang.pick("操作未完成", "Not done"),
    };
    let page = ErrorPage { en: lang == Lang::En, title: title.into(), message: e.message(lang) };
    (status, page).into_response()
}

pub(crate) fn forbidden(lang: Lang) -> Response {
    error_page(lang, &AuthError::Forbidden)
}

/// The refusal of a form without this session's token.
pub(crate) fn csrf_refused(lang: Lang) -> Response {
    let page = ErrorPage {
        en: lang == Lang::En,
        title: lang.pick("表单已失效", "Form expired").into(),
        message: lang
            .pick("这个表单不是从本系统的页面提交的，或者已经过期。请刷新页面后再试。", "This form did not come from a page of this back office, or it has expired. Reload the page and try again.")
            .into(),
    };
    (StatusCode::FORBIDDEN, page).into_response()
}

pub fn require(a: &Authed, p: Permission) -> Result<(), Response> {
    if a.user().may(p) { Ok(()) } else { Err(forbidden(a.lang)) }
}

pub(crate) fn check_csrf(a: &Authed, token: &str) -> Result<(), Response> {
    if a.csrf_ok(token) { Ok(()) } else { Err(csrf_refused(a.lang)) }
}

pub async fn not_found(headers: HeaderMap) -> Response {
    let lang = auth::lang_of(&headers);
    let page = ErrorPage {
        en: lang == Lang::En,
        title: lang.pick("找不到", "Not found").into(),
        message: lang.pick("没有这个页面。", "There is no such page.").into(),
    };
    (StatusCode::NOT_FOUND, page).into_response()
}

pub async fn stylesheet() -> Response {
    ([(CONTENT_TYPE, "text/css; charset=utf-8")], include_str!("../templates/app.css")).into_response()
}

// ---------------------------------------------------------------- login

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
struct LoginPage {
    en: bool,
    error: String,
    csrf: String,
    next: String,
    login: String,
}

#[derive(Deserialize, Default)]
pub struct LoginQuery {
    #[serde(default)]
    next: String,
}

/// Only paths of this site are followed after login.
fn safe_next(next: &str) -> String {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') { next.to_string() } else { "/".into() }
}

fn login_form(lang: Lang, headers: &HeaderMap, next: &str, login: &str, error: String, status: StatusCode) -> Response {
    let token = auth::cookie(headers, LOGIN_CSRF_COOKIE)
        .filter(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()))
        .or_else(|| zhanggui_app::users::random_hex(32).ok())
        .unwrap_or_default();
    let page =
        LoginPage { en: lang == Lang::En, error, csrf: token.clone(), next: safe_next(next), login: login.into() };
    let cookie = auth::set_cookie(LOGIN_CSRF_COOKIE, &token, 3600, true, auth::is_tls(headers));
    (status, [(SET_COOKIE, cookie)], page).into_response()
}

pub async fn login_page(headers: HeaderMap, Query(q): Query<LoginQuery>) -> Response {
    login_form(auth::lang_of(&headers), &headers, &q.next, "", String::new(), StatusCode::OK)
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    next: String,
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
}

pub async fn login_submit(State(web): State<Web>, headers: HeaderMap, Form(f): Form<LoginForm>) -> Response {
    let lang = auth::lang_of(&headers);
    let expected = auth::cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    if !auth::same_token(&expected, &f.csrf) {
        return csrf_refused(lang);
    }
    match web.app.login(&f.login, &f.password, Utc::now()).await {
        Ok(s) => {
            let secure = auth::is_tls(&headers);
            let max_age = zhanggui_app::users::SESSION_LENGTH.num_seconds();
            let mut r = Redirect::to(&safe_next(&f.next)).into_response();
            r.headers_mut().append(SET_COOKIE, auth::set_cookie(SESSION_COOKIE, &s.token, max_age, true, secure));
            r.headers_mut().append(SET_COOKIE, auth::set_cookie(LOGIN_CSRF_COOKIE, "", 0, true, secure));
            r
        }
        Err(e) => {
            let status = auth::http_status(&e);
            login_form(lang, &headers, &f.next, &f.login, e.message(lang), status)
        }
    }
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

pub async fn logout(State(web): State<Web>, a: Authed, headers: HeaderMap, Form(f): Form<CsrfOnly>) -> Response {
    if let Err(r) = check_csrf(&a, &f.csrf) {
        return r;
    }
    if let Some(token) = auth::cookie(&headers, SESSION_COOKIE)
        && let Err(e) = web.app.logout(&token).await
    {
        return error_page(a.lang, &e);
    }
    let mut r = Redirect::to("/login").into_response();
    r.headers_mut().append(SET_COOKIE, auth::set_cookie(SESSION_COOKIE, "", 0, true, auth::is_tls(&headers)));
    r
}

pub async fn switch_lang(Path(code): Path<String>, headers: HeaderMap, Query(q): Query<LoginQuery>) -> Response {
    let value = if code == "en" { "en" } else { "zh" };
    let next = safe_next(&q.next);
    let cookie = auth::set_cookie(LANG_COOKIE, value, 365 * 24 * 3600, false, auth::is_tls(&headers));
    (StatusCode::SEE_OTHER, [(LOCATION, next.as_str())], [(SET_COOKIE, cookie)]).into_response()
}

// ---------------------------------------------------------------- orders

#[derive(Deserialize, Default)]
pub struct OrderQuery {
    #[serde(default)]
    pub shop: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub buyer: String,
    #[serde(default)]
    pub sku: String,
    #[serde(default)]
    pub urgent: String,
    #[serde(default)]
    pub overdue: String,
    /// The last row of the previous page: `created_at-seconds_id`.
    #[serde(default)]
    pub after: String,
}

/// Turns list parameters into a filter; the message says which one was not understood.
pub fn trade_filter(q: &OrderQuery, zone: chrono_tz::Tz, lang: Lang) -> (TradePageFilter, String) {
    let mut problems = Vec::new();
    let mut f = TradePageFilter { limit: PAGE, ..Default::default() };
    if !q.shop.trim().is_empty() {
        match q.shop.trim().parse::<i64>() {
            Ok(id) => f.shop_id = Some(id),
            Err(_) => problems.push(lang.pick("店铺", "shop")),
        }
    }
    if !q.status.trim().is_empty() {
        match q.status.parse::<TradeStatus>() {
            Ok(s) => f.status = Some(s),
            Err(_) => problems.push(lang.pick("订单状态", "status")),
        }
    }
    let day = |text: &str, name: &'static str, problems: &mut Vec<&'static str>| {
        let t = text.trim();
        if t.is_empty() {
            return None;
        }
        match chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                problems.push(name);
                None
            }
        }
    };
    f.created_from =
        day(&q.from, lang.pick("开始日期", "from"), &mut problems).map(|d| zhanggui_app::clock::day_start(d, zone));
    f.created_to = day(&q.to, lang.pick("结束日期", "to"), &mut problems)
        .and_then(|d| d.succ_opt())
        .map(|d| zhanggui_app::clock::day_start(d, zone));
    f.buyer = Some(q.buyer.trim().to_string()).filter(|b| !b.is_empty());
    f.sku = Some(q.sku.trim().to_string()).filter(|s| !s.is_empty());
    f.urgent_only = !q.urgent.is_empty();
    if !q.overdue.is_empty() {
        f.paid_before_unshipped = Some(Utc::now() - zhanggui_app::trading::SHIP_WITHIN);
    }
    if !q.after.is_empty() {
        let parsed =
            q.after.split_once('_').and_then(|(t, id)| Some((t.parse::<i64>().ok()?, id.parse::<i64>().ok()?)));
        match parsed.and_then(|(t, id)| Some((chrono::DateTime::from_timestamp(t, 0)?, id))) {
            Some(after) => f.after = Some(after),
            None => problems.push(lang.pick("页码", "page")),
        }
    }
    let message = if problems.is_empty() {
        String::new()
    } else {
        format!(
            "{}{}",
            lang.pick("看不懂这些筛选条件，已忽略：", "These filters were not understood and are ignored: "),
            problems.join(", ")
        )
    };
    (f, message)
}

pub struct OrderRow {
    pub id: i64,
    pub tid: String,
    pub shop: String,
    pub buyer: String,
    pub status: String,
    pub status_class: &'static str,
    pub units: i64,
    pub amount: String,
    pub created: String,
    pub paid: String,
    pub countdown: String,
    pub overdue: bool,
    pub urgent: bool,
    pub flag: i64,
}

fn order_row(t: &zhanggui_app::store::Trade, zone: chrono_tz::Tz, lang: Lang) -> OrderRow {
    let (countdown, overdue) = view::ship_countdown(t.status, t.paid_at, t.ship_by_at, Utc::now(), lang);
    OrderRow {
        id: t.id,
        tid: t.tid.clone(),
        shop: t.shop_name.clone(),
        buyer: t.buyer_nick.clone(),
        status: view::status(t.status, lang).into(),
        status_class: view::status_class(t.status),
        units: t.item_count,
        amount: view::money(t.amount_paid),
        created: view::time(t.created_at, zone),
        paid: view::opt_time(t.paid_at, zone),
        countdown,
        overdue,
        urgent: t.urgent,
        flag: t.flag,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "orders.html")]
struct OrdersPage {
    c: Chrome,
    q: OrderQuery,
    shops: Vec<Opt>,
    statuses: Vec<Opt>,
    urgent: bool,
    overdue: bool,
    filter_error: String,
    rows: Vec<OrderRow>,
    total_units: i64,
    total_amount: String,
    next_link: String,
    first_link: String,
    /// 导出 Excel of every trade the filters select.
    export_link: String,
}

fn order_link(q: &OrderQuery, after: &str) -> String {
    format!(
        "/orders{}",
        query_string(&[
            ("shop", &q.shop),
            ("status", &q.status),
            ("from", &q.from),
            ("to", &q.to),
            ("buyer", &q.buyer),
            ("sku", &q.sku),
            ("urgent", &q.urgent),
            ("overdue", &q.overdue),
            ("after", after),
        ])
    )
}

pub async fn orders(State(web): State<Web>, a: Authed, Query(q): Query<OrderQuery>) -> Response {
    if let Err(r) = require(&a, Permission::ViewOrders) {
        return r;
    }
    let lang = a.lang;
    let actor = a.user().actor();
    let (filter, filter_error) = trade_filter(&q, web.zone, lang);
    let trades = match web.app.trade_page(&actor, &filter).await {
        Ok(t) => t,
        Err(e) => return error_page(lang, &e),
    };
    let shops = match web.app.shops(&actor).await {
        Ok(s) => s,
        Err(e) => return error_page(lang, &e),
    };
    let mut shop_opts = vec![opt("", lang.pick("全部店铺", "All shops"), q.shop.is_empty())];
    shop_opts.extend(shops.iter().map(|s| opt(s.id.to_string(), s.name.clone(), q.shop.trim() == s.id.to_string())));
    let mut statuses = vec![opt("", lang.pick("全部状态", "All statuses"), q.status.is_empty())];
    statuses
        .extend(TradeStatus::ALL.iter().map(|s| opt(s.code(), view::status(*s, lang), q.status.trim() == s.code())));
    let next_link = match trades.last() {
        Some(t) if trades.len() as i64 == PAGE => order_link(&q, &format!("{}_{}", t.created_at.timestamp(), t.id)),
        _ => String::new(),
    };
    let first_link = if q.after.is_empty() { String::new() } else { order_link(&q, "") };
    let total_units = trades.iter().map(|t| t.item_count).sum();
    let total_amount = view::money(trades.iter().map(|t| t.amount_paid).sum::<Money>());
    let rows = trades.iter().map(|t| order_row(t, web.zone, lang)).collect();
    let here = order_link(&q, &q.after);
    let export_link = order_link(&q, "").replacen("/orders", "/orders/xlsx", 1);
    let page = OrdersPage {
        c: Chrome::new(&a, &web, "orders", &here),
        urgent: !q.urgent.is_empty(),
        overdue: !q.overdue.is_empty(),
        q,
        shops: shop_opts,
        statuses,
        filter_error,
        rows,
        total_units,
        total_amount,
        next_link,
        first_link,
        export_link,
    };
    page.into_response()
}

// ---------------------------------------------------------------- one trade

pub struct LineView {
    pub id: i64,
    pub oid: String,
    pub code: String,
    pub code_q: String,
    pub matched: bool,
    pub title: String,
    pub properties: String,
    pub price: String,
    pub qty: i64,
    pub paid: String,
    pub refunded: String,
    /// What is left to refund (paid less refunded): what a request asks by default.
    pub left: String,
    pub shipped: String,
    /// The line's open after-sales case, if any (its refund number).
    pub open_case: String,
    pub open_case_q: String,
    /// A request (申请售后) can be recorded on it now.
    pub can_apply: bool,
    pub kinds: Vec<Opt>,
    /// What was typed in its request form before a refusal.
    pub typed_amount: String,
    pub typed_qty: String,
    pub typed_reason: String,
}

pub struct EventView {
    pub at: String,
    pub event: String,
    pub from: String,
    pub to: String,
    pub note: String,
    pub user: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "trade.html")]
struct TradePage {
    c: Chrome,
    t: zhanggui_app::store::Trade,
    status: String,
    status_class: &'static str,
    countdown: String,
    overdue: bool,
    goods: String,
    postage: String,
    discount: String,
    amount_paid: String,
    refund: String,
    created: String,
    paid: String,
    shipped: String,
    flag_name: String,
    flags: Vec<Opt>,
    lines: Vec<LineView>,
    events: Vec<EventView>,
    cases: Vec<crate::after_sales::CaseRow>,
    can_apply: bool,
    /// Why no request can be recorded yet (paid less than 24 hours ago).
    apply_hint: String,
    can_ship: bool,
    can_close: bool,
    form_carrier: String,
    form_tracking: String,
    undo_memo: String,
    undo_flag: i64,
}

/// What the trade page says above its content.
#[derive(Default)]
pub(crate) struct TradeMessages {
    pub notice: String,
    pub error: String,
    pub carrier: String,
    pub tracking: String,
    pub undo: Option<(String, i64)>,
    pub status: Option<StatusCode>,
    /// The request form of a line as typed, after a refusal.
    pub apply: Option<crate::after_sales::ApplyForm>,
}

pub(crate) async fn render_trade(web: &Web, a: &Authed, id: i64, m: TradeMessages) -> Response {
    let lang = a.lang;
    let detail = match web.app.trade_detail(&a.user().actor(), id).await {
        Ok(d) => d,
        Err(e) => return error_page(lang, &e),
    };
    let zone = web.zone;
    let t = detail.trade;
    let cases = match crate::after_sales::trade_cases(&web.app, &a.user().actor(), t.id, &t.tid).await {
        Ok(c) => c,
        Err(e) => return error_page(lang, &e),
    };
    let may_apply = crate::after_sales::may(a.user(), crate::after_sales::Act::Handle)
        && t.paid_at.is_some()
        && !matches!(t.status, TradeStatus::TradeClosed | TradeStatus::TradeClosedByTaobao);
    // DOMAIN.md §5: a buyer may apply 24 hours after paying at the earliest.
    let applies_from = t.paid_at.map(|p| p + chrono::Duration::hours(24));
    let too_early = applies_from.is_some_and(|from| from > Utc::now());
    let can_apply = may_apply && !too_early;
    let apply_hint = match applies_from {
        Some(from) if may_apply && too_early => format!(
            "{}{}{}",
            lang.pick(
                "付款 24 小时后买家才能申请售后：",
                "A buyer may ask for after-sales 24 hours after paying: from "
            ),
            view::time(from, zone),
            lang.pick(" 起可登记。", ".")
        ),
        _ => String::new(),
    };
    let typed = m.apply.unwrap_or_default();
    let (countdown, overdue) = view::ship_countdown(t.status, t.paid_at, t.ship_by_at, Utc::now(), lang);
    let flag_name = FLAGS.iter().find(|f| f.0 == t.flag).map(|f| lang.pick(f.1, f.2)).unwrap_or("—").to_string();
    let flags = FLAGS.iter().map(|f| opt(f.0.to_string(), lang.pick(f.1, f.2), f.0 == t.flag)).collect();
    let lines = detail
        .lines
        .iter()
        .map(|l| {
            let open_case = cases
                .iter()
                .find(|v| v.case.order_line_id == Some(l.id) && v.case.status.is_open())
                .map(|v| v.case.refund_no.clone())
                .unwrap_or_default();
            let mine = typed.line == l.id.to_string();
            LineView {
                id: l.id,
                oid: l.oid.clone(),
                code: l.outer_sku_id.clone(),
                code_q: encode(&l.outer_sku_id),
                matched: l.sku_id.is_some(),
                title: l.title.clone(),
                properties: l.properties.clone(),
                price: view::money(l.price),
                qty: l.qty,
                paid: view::money(l.amount_paid),
                refunded: if l.refund_amount > Money::ZERO { view::money(l.refund_amount) } else { String::new() },
                left: view::money((l.amount_paid - l.refund_amount).max(Money::ZERO)),
                shipped: view::opt_time(l.shipped_at, zone),
                open_case_q: encode(&open_case),
                can_apply: can_apply
                    && open_case.is_empty()
                    && (l.refund_amount < l.amount_paid || l.amount_paid == Money::ZERO),
                open_case,
                kinds: crate::after_sales::kinds_for(
                    l.shipped_at.is_some(),
                    if mine { typed.kind.trim() } else { "" },
                    lang,
                ),
                typed_amount: if mine { typed.amount.clone() } else { String::new() },
                typed_qty: if mine { typed.qty.clone() } else { String::new() },
                typed_reason: if mine { typed.reason.clone() } else { String::new() },
            }
        })
        .collect();
    let events = detail
        .events
        .iter()
        .map(|e| EventView {
            at: view::time(e.at, zone),
            event: view::event(&e.event, lang),
            from: view::status_code_label(&e.from_status, lang),
            to: view::status_code_label(&e.to_status, lang),
            note: e.note.clone(),
            user: e.user_name.clone(),
        })
        .collect();
    let mut c = Chrome::new(a, web, "orders", &format!("/orders/{id}"));
    c.notice = m.notice;
    c.error = m.error;
    let (undo_memo, undo_flag) = m.undo.unwrap_or((String::new(), -1));
    let page = TradePage {
        c,
        status: view::status(t.status, lang).into(),
        status_class: view::status_class(t.status),
        countdown,
        overdue,
        goods: view::money(t.goods_amount),
        postage: view::money(t.postage),
        discount: view::money(t.discount),
        amount_paid: view::money(t.amount_paid),
        refund: view::money(t.refund_amount),
        created: view::time(t.created_at, zone),
        paid: view::opt_time(t.paid_at, zone),
        shipped: view::opt_time(t.shipped_at, zone),
        flag_name,
        flags,
        lines,
        events,
        cases: cases.iter().map(|v| crate::after_sales::case_row(v, lang)).collect(),
        can_apply,
        apply_hint,
        can_ship: a.user().may(Permission::ShipOrders) && t.status.awaits_shipping(),
        can_close: a.user().may(Permission::CloseOrders) && t.status.is_open(),
        form_carrier: m.carrier,
        form_tracking: m.tracking,
        undo_memo,
        undo_flag,
        t,
    };
    (m.status.unwrap_or(StatusCode::OK), page).into_response()
}

#[derive(Deserialize, Default)]
pub struct TradeQuery {
    #[serde(default)]
    ok: String,
    #[serde(default)]
    prev_memo: Option<String>,
    #[serde(default)]
    prev_flag: Option<i64>,
}

fn done_text(code: &str, lang: Lang) -> String {
    match code {
        "shipped" => lang.pick("已发货。", "Shipped."),
        "closed" => lang.pick("订单已关闭，占用的库存已释放。", "The order is closed; its reserved stock is released."),
        "memo" => lang.pick("备注已保存。", "Memo saved."),
        "urgent" => lang.pick("加急标记已更新。", "Urgent mark updated."),
        _ => "",
    }
    .to_string()
}

pub async fn trade(State(web): State<Web>, a: Authed, Path(id): Path<i64>, Query(q): Query<TradeQuery>) -> Response {
    if let Err(r) = require(&a, Permission::ViewOrders) {
        return r;
    }
    let undo = match (q.ok.as_str(), q.prev_memo, q.prev_flag) {
        ("memo", Some(m), Some(f)) => Some((m, f)),
        _ => None,
    };
    let m = TradeMessages { notice: done_text(&q.ok, a.lang), undo, ..Default::default() };
    render_trade(&web, &a, id, m).await
}

#[derive(Deserialize)]
pub struct ShipForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    carrier: String,
    #[serde(default)]
    tracking_no: String,
}

pub async fn trade_ship(State(web): State<Web>, a: Authed, Path(id): Path<i64>, Form(f): Form<ShipForm>) -> Response {
    if let Err(r) = check_csrf(&a, &f.csrf).and_then(|()| require(&a, Permission::ShipOrders)) {
        return r;
    }
    let actor = a.user().actor();
    let result = crate::actions::ship(&web.app, &actor, id, &f.carrier, &f.tracking_no).await;
    match result {
        Ok(()) => Redirect::to(&format!("/orders/{id}?ok=shipped")).into_response(),
        Err(e) => {
            let m = TradeMessages {
                error: e.message(a.lang),
                carrier: f.carrier,
                tracking: f.tracking_no,
                status: Some(auth::http_status(&e)),
                ..Default::default()
            };
            render_trade(&web, &a, id, m).await
        }
    }
}

#[derive(Deserialize)]
pub struct CloseForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reason: String,
}

pub async fn trade_close(State(web): State<Web>, a: Authed, Path(id): Path<i64>, Form(f): Form<CloseForm>) -> Response {
    if let Err(r) = check_csrf(&a, &f.csrf).and_then(|()| require(&a, Permission::CloseOrders)) {
        return r;
    }
    match crate::actions::close(&web.app, &a.user().actor(), id, &f.reason).await {
        Ok(()) => Redirect::to(&format!("/orders/{id}?ok=closed")).into_response(),
        Err(e) => {
            let m =
                TradeMessages { error: e.message(a.lang), status: Some(auth::http_status(&e)), ..Default::default() };
            render_trade(&web, &a, id, m).await
        }
    }
}

#[derive(Deserialize)]
pub struct MemoForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    memo: String,
    #[serde(default)]
    flag: String,
}

pub async fn trade_memo(State(web): State<Web>, a: Authed, Path(id): Path<i64>, Form(f): Form<MemoForm>) -> Response {
    if let Err(r) = check_csrf(&a, &f.csrf).and_then(|()| require(&a, Permission::EditOrderNotes)) {
        return r;
    }
    let flag = f.flag.trim().parse::<i64>().unwrap_or(-1);
    match web.app.set_trade_memo(&a.user().actor(), id, &f.memo, flag).await {
        Ok((prev_memo, prev_flag)) => {
            let q = query_string(&[("ok", "memo"), ("prev_memo", &prev_memo), ("prev_flag", &prev_flag.to_string())]);
            let q = if prev_memo.is_empty() { format!("{q}&prev_memo=") } else { q };
            Redirect::to(&format!("/orders/{id}{q}")).into_response()
        }
        Err(e) => {
            let m =
                TradeMessages { error: e.message(a.lang), status: Some(auth::http_status(&e)), ..Default::default() };
            render_trade(&web, &a, id, m).await
        }
    }
}

#[derive(Deserialize)]
pub struct UrgentForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    urgent: String,
}

pub async fn trade_urgent(
    State(web): State<Web>,
    a: Authed,
    Path(id): Path<i64>,
    Form(f): Form<UrgentForm>,
) -> Response {
    if let Err(r) = check_csrf(&a, &f.csrf).and_then(|()| require(&a, Permission::EditOrderNotes)) {
        return r;
    }
    match web.app.set_trade_urgent(&a.user().actor(), id, f.urgent == "1").await {
        Ok(()) => Redirect::to(&format!("/orders/{id}?ok=urgent")).into_response(),
        Err(e) => error_page(a.lang, &e),
    }
}

// ---------------------------------------------------------------- stock

#[derive(Deserialize, Default)]
pub struct StockQuery {
    #[serde(default)]
    pub search: String,
    #[serde(default)]
    pub warehouse: String,
    #[serde(default)]
    pub low: String,
    #[serde(default)]
    pub page: String,
}

pub struct StockRow {
    pub code: String,
    pub code_q: String,
    pub title: String,
    pub properties: String,
    pub warehouse: String,
    /// False in the defective location (次品仓): nothing there is available or counted in the totals.
    pub sellable: bool,
    pub on_hand: i64,
    pub reserved: i64,
    pub available: i64,
    /// The SKU's figures of the replenishment table (company-wide): 在途, 7天日均销量, 可售天数, 分类.
    pub in_transit: i64,
    pub avg_daily_sales: String,
    pub days_of_cover: String,
    pub class: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "stock.html")]
struct StockPage {
    c: Chrome,
    q: StockQuery,
    warehouses: Vec<Opt>,
    filter_error: String,
    rows: Vec<StockRow>,
    total_on_hand: i64,
    total_reserved: i64,
    total_available: i64,
    prev_link: String,
    next_link: String,
    /// 导出 Excel of every line the filters select.
    export_link: String,
}

/// Turns stock list parameters into a filter (the company is set by the caller).
pub fn stock_filter(q: &StockQuery, lang: Lang) -> (StockFilter, i64, String) {
    let mut problems = Vec::new();
    let mut f = StockFilter { limit: PAGE, ..Default::default() };
    f.search = Some(q.search.trim().to_string()).filter(|s| !s.is_empty());
    if !q.warehouse.trim().is_empty() {
        match q.warehouse.trim().parse::<i64>() {
            Ok(id) => f.warehouse_id = Some(id),
            Err(_) => problems.push(lang.pick("仓库", "warehouse")),
        }
    }
    if !q.low.trim().is_empty() {
        match q.low.trim().parse::<i64>() {
            Ok(n) => f.max_available = Some(n),
            Err(_) => problems.push(lang.pick("可用库存", "available")),
        }
    }
    let page = q.page.trim().parse::<i64>().ok().filter(|p| *p >= 1).unwrap_or(1);
    f.offset = (page - 1) * PAGE;
    let message = if problems.is_empty() {
        String::new()
    } else {
        format!(
            "{}{}",
            lang.pick("看不懂这些筛选条件，已忽略：", "These filters were not understood and are ignored: "),
            problems.join(", ")
        )
    };
    (f, page, message)
}

fn stock_link(q: &StockQuery, page: i64) -> String {
    let p = if page > 1 { page.to_string() } else { String::new() };
    format!(
        "/stock{}",
        query_string(&[("search", &q.search), ("warehouse", &q.warehouse), ("low", &q.low), ("page", &p)])
    )
}

pub async fn stock(State(web): State<Web>, a: Authed, Query(q): Query<StockQuery>) -> Response {
    let lang = a.lang;
    let actor = a.user().actor();
    let (mut filter, page, filter_error) = stock_filter(&q, lang);
    filter.company_id = actor.company_id;
    let lines = match web.app.stock_list(&filter).await {
        Ok(l) => l,
        Err(e) => return error_page(lang, &e),
    };
    let warehouses = match web.app.warehouses(&actor).await {
        Ok(w) => w,
        Err(e) => return error_page(lang, &e),
    };
    let mut wh = vec![opt("", lang.pick("全部仓库", "All warehouses"), q.warehouse.is_empty())];
    wh.extend(
        warehouses
            .iter()
            .map(|w| opt(w.id.to_string(), format!("{} {}", w.code, w.name), q.warehouse.trim() == w.id.to_string())),
    );
    let sku_ids: Vec<i64> = {
        let mut ids: Vec<i64> = lines.iter().map(|l| l.sku_id).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    };
    let outlook = match web.app.sku_outlook(&actor, &sku_ids, chrono::Utc::now()).await {
        Ok(o) => o,
        Err(e) => return error_page(lang, &e),
    };
    let rows: Vec<StockRow> = lines
        .iter()
        .map(|l| {
            let o = outlook.get(&l.sku_id);
            StockRow {
                code: l.outer_sku_id.clone(),
                code_q: encode(&l.outer_sku_id),
                title: l.title.clone(),
                properties: l.properties.clone(),
                warehouse: l.warehouse_code.clone(),
                sellable: warehouses.iter().find(|w| w.id == l.warehouse_id).is_none_or(|w| w.sellable),
                on_hand: l.on_hand,
                reserved: l.reserved,
                available: l.available,
                in_transit: o.map_or(0, |o| o.in_transit),
                avg_daily_sales: o.map(|o| o.avg_daily_sales_7d.to_string()).unwrap_or_default(),
                days_of_cover: o.map(|o| o.days_of_cover.to_string()).unwrap_or_default(),
                class: o.map(|o| lang.pick(o.class.label_zh(), o.class.label_en()).to_string()).unwrap_or_default(),
            }
        })
        .collect();
    let page_view = StockPage {
        c: Chrome::new(&a, &web, "stock", &stock_link(&q, page)),
        total_on_hand: rows.iter().filter(|r| r.sellable).map(|r| r.on_hand).sum(),
        total_reserved: rows.iter().map(|r| r.reserved).sum(),
        total_available: rows.iter().filter(|r| r.sellable).map(|r| r.available).sum(),
        prev_link: if page > 1 { stock_link(&q, page - 1) } else { String::new() },
        next_link: if rows.len() as i64 == PAGE { stock_link(&q, page + 1) } else { String::new() },
        export_link: stock_link(&q, 1).replacen("/stock", "/stock/xlsx", 1),
        q,
        warehouses: wh,
        filter_error,
        rows,
    };
    page_view.into_response()
}

pub struct WarehouseRow {
    pub warehouse: String,
    /// False for the defective location (次品仓): its units are never available.
    pub sellable: bool,
    pub on_hand: i64,
    pub reserved: i64,
    pub available: i64,
}

pub struct MoveView {
    pub at: String,
    pub warehouse: String,
    pub kind: String,
    pub qty: String,
    pub reference: String,
    /// The page of the document behind the move (a trade, a purchase order), when the user may see it.
    pub ref_link: String,
    pub note: String,
    pub user: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "sku.html")]
struct SkuPage {
    c: Chrome,
    code: String,
    title: String,
    properties: String,
    on_hand: i64,
    reserved: i64,
    available: i64,
    defective: i64,
    price: String,
    cost: String,
    by_warehouse: Vec<WarehouseRow>,
    warehouse_opts: Vec<Opt>,
    moves: Vec<MoveView>,
}

#[derive(Deserialize, Default)]
pub struct SkuQuery {
    #[serde(default)]
    code: String,
    #[serde(default)]
    ok: String,
}

async fn render_sku(web: &Web, a: &Authed, code: &str, notice: String, error: String, status: StatusCode) -> Response {
    let lang = a.lang;
    let actor = a.user().actor();
    let s = match web.app.stock_show(&actor, code, 200).await {
        Ok(s) => s,
        Err(e) => return error_page(lang, &e),
    };
    let warehouses = match web.app.warehouses(&actor).await {
        Ok(w) => w,
        Err(e) => return error_page(lang, &e),
    };
    // Stocktake moves name their count session by its number (盘点单号).
    let stocktakes: std::collections::HashMap<i64, String> = if s.moves.iter().any(|m| m.ref_type == "stocktake") {
        match web.app.stocktakes(&actor).await {
            Ok(rows) => rows.into_iter().map(|r| (r.id, r.code)).collect(),
            Err(e) => return error_page(lang, &e),
        }
    } else {
        Default::default()
    };
    let moves = s
        .moves
        .iter()
        .map(|m| {
            let stocktake = m.ref_id.and_then(|id| stocktakes.get(&id)).filter(|_| m.ref_type == "stocktake");
            let ref_link = match (m.ref_type.as_str(), m.ref_id, stocktake) {
                ("trade", Some(id), _) if a.user().may(Permission::ViewOrders) => format!("/orders/{id}"),
                ("purchase_order", Some(id), _) if crate::purchasing::may(a.user(), crate::purchasing::Act::View) => {
                    format!("/purchasing/orders/{id}")
                }
                ("stocktake", _, Some(code)) if crate::stocktake::may(a.user(), crate::stocktake::Act::View) => {
                    format!("/stocktakes/{}", encode(code))
                }
                _ => String::new(),
            };
            MoveView {
                at: view::time(m.created_at, web.zone),
                warehouse: m.warehouse_code.clone(),
                kind: view::move_kind(m.kind, lang).into(),
                qty: format!("{:+}", m.qty),
                reference: {
                    let kind = match m.ref_type.as_str() {
                        "trade" => lang.pick("订单", "order"),
                        "purchase_order" => lang.pick("采购单", "purchase order"),
                        other => other,
                    };
                    match (m.ref_id, stocktake) {
                        (_, Some(code)) => format!("{}{code}", lang.pick("盘点单 ", "stocktake ")),
                        (Some(id), None) => format!("{kind} {id}"),
                        (None, None) => kind.to_string(),
                    }
                },
                ref_link,
                note: m.note.clone(),
                user: m.user_name.clone(),
            }
        })
        .collect();
    let mut c = Chrome::new(a, web, "stock", &format!("/stock/sku?code={}", encode(&s.sku.outer_sku_id)));
    c.notice = notice;
    c.error = error;
    let sellable = |id: i64| warehouses.iter().find(|w| w.id == id).is_none_or(|w| w.sellable);
    let page = SkuPage {
        c,
        code: s.sku.outer_sku_id.clone(),
        title: s.sku.title.clone(),
        properties: s.sku.properties.clone(),
        on_hand: s.warehouses.iter().filter(|w| sellable(w.warehouse_id)).map(|w| w.on_hand).sum(),
        reserved: s.warehouses.iter().map(|w| w.reserved).sum(),
        available: s.warehouses.iter().filter(|w| sellable(w.warehouse_id)).map(|w| w.available).sum(),
        defective: s.warehouses.iter().filter(|w| !sellable(w.warehouse_id)).map(|w| w.on_hand).sum(),
        price: view::money(s.sku.price),
        cost: if a.user().may(Permission::ViewCosts) { view::money(s.sku.cost) } else { String::new() },
        by_warehouse: s
            .warehouses
            .iter()
            .map(|w| WarehouseRow {
                warehouse: w.warehouse_code.clone(),
                sellable: sellable(w.warehouse_id),
                on_hand: w.on_hand,
                reserved: w.reserved,
                available: w.available,
            })
            .collect(),
        warehouse_opts: warehouses
            .iter()
            .map(|w| opt(w.code.clone(), format!("{} {}", w.code, w.name), false))
            .collect(),
        moves,
    };
    (status, page).into_response()
}

pub async fn sku(State(web): State<Web>, a: Authed, Query(q): Query<SkuQuery>) -> Response {
    let notice = match q.ok.as_str() {
        "adjusted" => a.lang.pick("库存已调整，已记入库存流水。", "Stock adjusted and written to the ledger."),
        "transferred" => a.lang.pick("已调拨，已记入库存流水。", "Transferred and written to the ledger."),
        _ => "",
    };
    render_sku(&web, &a, &q.code, notice.into(), String::new(), StatusCode::OK).await
}

#[derive(Deserialize)]
pub struct AdjustForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    warehouse: String,
    #[serde(default)]
    qty: String,
    #[serde(default)]
    reason: String,
}

fn bad_qty(lang: Lang) -> String {
    lang.pick("数量要写整数，比如 +5 或 -3", "The quantity must be a whole number such as +5 or -3").into()
}

pub async fn stock_adjust(State(web): State<Web>, a: Authed, Form(f): Form<AdjustForm>) -> Response {
    if let Err(r) = check_csrf(&a, &f.csrf).and_then(|()| require(&a, Permission::ChangeStock)) {
        return r;
    }
    let Ok(qty) = f.qty.trim().trim_start_matches('+').parse::<i64>() else {
        return render_sku(&web, &a, &f.code, String::new(), bad_qty(a.lang), StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let warehouse = Some(f.warehouse.as_str()).filter(|w| !w.trim().is_empty());
    match crate::actions::adjust(&web.app, &a.user().actor(), &f.code, warehouse, qty, &f.reason).await {
        Ok(_) => Redirect::to(&format!("/stock/sku?code={}&ok=adjusted", encode(f.code.trim()))).into_response(),
        Err(e) => render_sku(&web, &a, &f.code, String::new(), e.message(a.lang), auth::http_status(&e)).await,
    }
}

#[derive(Deserialize)]
pub struct TransferForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    qty: String,
}

pub async fn stock_transfer(State(web): State<Web>, a: Authed, Form(f): Form<TransferForm>) -> Response {
    if let Err(r) = check_csrf(&a, &f.csrf).and_then(|()| require(&a, Permission::ChangeStock)) {
        return r;
    }
    let Ok(qty) = f.qty.trim().parse::<i64>() else {
        return render_sku(&web, &a, &f.code, String::new(), bad_qty(a.lang), StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    match crate::actions::transfer(&web.app, &a.user().actor(), &f.code, &f.from, &f.to, qty).await {
        Ok(()) => Redirect::to(&format!("/stock/sku?code={}&ok=transferred", encode(f.code.trim()))).into_response(),
        Err(e) => render_sku(&web, &a, &f.code, String::new(), e.message(a.lang), auth::http_status(&e)).await,
    }
}

// ---------------------------------------------------------------- customers

#[derive(Deserialize, Default)]
pub struct CustomerQuery {
    #[serde(default)]
    pub search: String,
    #[serde(default)]
    pub province: String,
    /// The last row of the previous page: `last_paid_seconds_id`.
    #[serde(default)]
    pub after: String,
}

pub fn customer_filter(q: &CustomerQuery) -> CustomerPageFilter {
    CustomerPageFilter {
        search: Some(q.search.trim().to_string()).filter(|s| !s.is_empty()),
        province: Some(q.province.trim().to_string()).filter(|s| !s.is_empty()),
        after: q.after.split_once('_').and_then(|(t, id)| Some((t.parse::<i64>().ok()?, id.parse::<i64>().ok()?))),
        limit: PAGE,
        ..Default::default()
    }
}

pub struct CustomerView {
    pub id: i64,
    pub nick: String,
    pub region: String,
    pub tier: String,
    pub paid_trades: i64,
    pub spend: String,
    pub last: String,
    pub blacklisted: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "customers.html")]
struct CustomersPage {
    c: Chrome,
    q: CustomerQuery,
    rows: Vec<CustomerView>,
    next_link: String,
    first_link: String,
    /// 导出 Excel of every customer the filters select.
    export_link: String,
}

fn customer_link(q: &CustomerQuery, after: &str) -> String {
    format!("/customers{}", query_string(&[("search", &q.search), ("province", &q.province), ("after", after)]))
}

fn region(p: &str, c: &str, d: &str) -> String {
    [p, c, d].iter().filter(|s| !s.is_empty()).copied().collect::<Vec<_>>().join(" ")
}

pub async fn customers(State(web): State<Web>, a: Authed, Query(q): Query<CustomerQuery>) -> Response {
    if let Err(r) = require(&a, Permission::ViewCustomers) {
        return r;
    }
    let rows = match web.app.customer_page(&a.user().actor(), &customer_filter(&q)).await {
        Ok(r) => r,
        Err(e) => return error_page(a.lang, &e),
    };
    let next_link = match rows.last() {
        Some(c) if rows.len() as i64 == PAGE => {
            customer_link(&q, &format!("{}_{}", c.last_paid_at.map(|t| t.timestamp()).unwrap_or(0), c.id))
        }
        _ => String::new(),
    };
    let views = rows
        .iter()
        .map(|c| CustomerView {
            id: c.id,
            nick: c.nick.clone(),
            region: region(&c.province, &c.city, &c.district),
            tier: if c.tier.is_empty() { "—".into() } else { c.tier.clone() },
            paid_trades: c.paid_trades,
            spend: view::money(c.spend),
            last: view::opt_time(c.last_paid_at, web.zone),
            blacklisted: c.blacklisted,
        })
        .collect();
    let page = CustomersPage {
        c: Chrome::new(&a, &web, "customers", &customer_link(&q, &q.after)),
        first_link: if q.after.is_empty() { String::new() } else { customer_link(&q, "") },
        export_link: customer_link(&q, "").replacen("/customers", "/customers/xlsx", 1),
        q,
        rows: views,
        next_link,
    };
    page.into_response()
}

#[derive(Template, WebTemplate)]
#[template(path = "customer.html")]
struct CustomerPage {
    c: Chrome,
    nick: String,
    region: String,
    tier: String,
    paid_trades: i64,
    spend: String,
    first: String,
    last: String,
    note: String,
    rows: Vec<OrderRow>,
}

pub async fn customer(State(web): State<Web>, a: Authed, Path(id): Path<i64>) -> Response {
    if let Err(r) = require(&a, Permission::ViewCustomers) {
        return r;
    }
    let d = match web.app.customer_detail(&a.user().actor(), id, 100).await {
        Ok(d) => d,
        Err(e) => return error_page(a.lang, &e),
    };
    let c = &d.customer;
    let page = CustomerPage {
        c: Chrome::new(&a, &web, "customers", &format!("/customers/{id}")),
        nick: c.nick.clone(),
        region: region(&c.province, &c.city, &c.district),
        tier: if c.tier.is_empty() { "—".into() } else { c.tier.clone() },
        paid_trades: c.paid_trades,
        spend: view::money(c.spend),
        first: view::opt_time(c.first_paid_at, web.zone),
        last: view::opt_time(c.last_paid_at, web.zone),
        note: c.note.clone(),
        rows: d.trades.iter().map(|t| order_row(t, web.zone, a.lang)).collect(),
    };
    page.into_response()
}

// ---------------------------------------------------------------- users and audit

pub struct UserView {
    pub id: i64,
    pub login: String,
    pub name: String,
    pub role: String,
    pub active: bool,
    pub roles: Vec<Opt>,
}

pub struct TokenView {
    pub id: i64,
    pub user: String,
    pub name: String,
    pub created: String,
    pub revoked: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "users.html")]
struct UsersPage {
    c: Chrome,
    rows: Vec<UserView>,
    tokens: Vec<TokenView>,
    roles: Vec<Opt>,
    new_token: String,
    form_login: String,
    form_name: String,
}

fn role_opts(lang: Lang, selected: Option<Role>) -> Vec<Opt> {
    Role::ALL.iter().map(|r| opt(r.code(), r.name(lang), Some(*r) == selected)).collect()
}

#[derive(Default)]
struct UsersMessages {
    notice: String,
    error: String,
    new_token: String,
    form_login: String,
    form_name: String,
    status: Option<StatusCode>,
}

async fn render_users(web: &Web, a: &Authed, m: UsersMessages) -> Response {
    let lang = a.lang;
    let users = match web.app.users(a.user()).await {
        Ok(u) => u,
        Err(e) => return error_page(lang, &e),
    };
    let tokens = match web.app.api_tokens(a.user()).await {
        Ok(t) => t,
        Err(e) => return error_page(lang, &e),
    };
    let rows = users
        .iter()
        .map(|u| {
            let role = Role::parse(&u.role);
            UserView {
                id: u.id,
                login: u.login.clone(),
                name: u.display_name.clone(),
                role: role.map(|r| r.name(lang).to_string()).unwrap_or_else(|| u.role.clone()),
                active: u.active,
                roles: role_opts(lang, role),
            }
        })
        .collect();
    let tokens = tokens
        .iter()
        .map(|t| TokenView {
            id: t.id,
            user: users.iter().find(|u| u.id == t.user_id).map(|u| u.login.clone()).unwrap_or_default(),
            name: t.name.clone(),
            created: view::time(t.created_at, web.zone),
            revoked: t.revoked_at.map(|r| view::time(r, web.zone)).unwrap_or_default(),
        })
        .collect();
    let mut c = Chrome::new(a, web, "settings", "/settings/users");
    c.notice = m.notice;
    c.error = m.error;
    let page = UsersPage {
        c,
        rows,
        tokens,
        roles: role_opts(lang, Some(Role::Service)),
        new_token: m.new_token,
        form_login: m.form_login,
        form_name: m.form_name,
    };
    (m.status.unwrap_or(StatusCode::OK), page).into_response()
}

#[derive(Deserialize, Default)]
pub struct UsersQuery {
    #[serde(default)]
    ok: String,
}

pub async fn users(State(web): State<Web>, a: Authed, Query(q): Query<UsersQuery>) -> Response {
    if let Err(r) = require(&a, Permission::ManageUsers) {
        return r;
    }
    let notice = match q.ok.as_str() {
        "created" => a.lang.pick("用户已新增。", "User added."),
        "updated" => a.lang.pick("用户已修改。", "User changed."),
        "password" => a.lang.pick("密码已重设，该用户需要重新登录。", "Password set; the user logs in again."),
        "revoked" => a.lang.pick("令牌已吊销。", "Token revoked."),
        _ => "",
    };
    render_users(&web, &a, UsersMessages { notice: notice.into(), ..Default::default() }).await
}

#[derive(Deserialize)]
pub struct NewUserForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    login: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    password: String,
}

pub async fn user_create(State(web): State<Web>, a: Authed, Form(f): Form<NewUserForm>) -> Response {
    if let Err(r) = check_csrf(&a, &f.csrf).and_then(|()| require(&a, Permission::ManageUsers)) {
        return r;
    }
    let result = match Role::parse(&f.role) {
        Some(role) => web.app.create_user(a.user(), &f.login, &f.display_name, role, &f.password).await,
        None => Err(AuthError::Invalid { field: "role", reason: format!("unknown role {}", f.role) }),
    };
    match result {
        Ok(_) => Redirect::to("/settings/users?ok=created").into_response(),
        Err(e) => {
            let m = UsersMessages {
                error: e.message(a.lang),
                form_login: f.login,
                form_name: f.display_name,
                status: Some(auth::http_status(&e)),
                ..Default::default()
            };
            render_users(&web, &a, m).await
        }
    }
}

#[derive(Deserialize)]
pub struct UpdateUserForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    active: String,
}

pub async fn user_update(
    State(web): State<Web>,
    a: Authed,
    Path(id): Path<i64>,
    Form(f): Form<UpdateUserForm>,
) -> Response {
    if let Err(r) = check_csrf(&a, &f.csrf).and_then(|()| require(&a, Permission::ManageUsers)) {
        return r;
    }
    let result = match Role::parse(&f.role) {
        Some(role) => web.app.update_user(a.user(), id, &f.display_name, role, f.active == "1").await,
        None => Err(AuthError::Invalid { field: "role", reason: format!("unknown role {}", f.role) }),
    };
    match result {
        Ok(()) => Redirect::to("/settings/users?ok=updated").into_response(),
        Err(e) => {
            let m =
                UsersMessages { error: e.message(a.lang), status: Some(auth::http_status(&e)), ..Default::default() };
            render_users(&web, &a, m).await
        }
    }
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    password: String,
}

pub async fn user_password(
    State(web): State<Web>,
    a: Authed,
    Path(id): Path<i64>,
    Form(f): Form<PasswordForm>,
) -> Response {
    if let Err(r) = check_csrf(&a, &f.csrf).and_then(|()| require(&a, Permission::ManageUsers)) {
        return r;
    }
    match web.app.set_password(a.user(), id, &f.password).await {
        Ok(()) if id == a.user().id => Redirect::to("/login").into_response(),
        Ok(()) => Redirect::to("/settings/users?ok=password").into_response(),
        Err(e) => {
            let m =
                UsersMessages { error: e.message(a.lang), status: Some(auth::http_status(&e)), ..Default::default() };
            render_users(&web, &a, m).await
        }
    }
}

#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
}

pub async fn token_issue(State(web): State<Web>, a: Authed, Path(id): Path<i64>, Form(f): Form<TokenForm>) -> Response {
    if let Err(r) = check_csrf(&a, &f.csrf).and_then(|()| require(&a, Permission::ManageUsers)) {
        return r;
    }
    match web.app.issue_api_token(a.user(), id, &f.name).await {
        Ok(token) => {
            let notice = a.lang.pick("令牌已发放。", "Token issued.").to_string();
            render_users(&web, &a, UsersMessages { notice, new_token: token, ..Default::default() }).await
        }
        Err(e) => {
            let m =
                UsersMessages { error: e.message(a.lang), status: Some(auth::http_status(&e)), ..Default::default() };
            render_users(&web, &a, m).await
        }
    }
}

pub async fn token_revoke(State(web): State<Web>, a: Authed, Path(id): Path<i64>, Form(f): Form<CsrfOnly>) -> Response {
    if let Err(r) = check_csrf(&a, &f.csrf).and_then(|()| require(&a, Permission::ManageUsers)) {
        return r;
    }
    match web.app.revoke_api_token(a.user(), id).await {
        Ok(()) => Redirect::to("/settings/users?ok=revoked").into_response(),
        Err(e) => error_page(a.lang, &e),
    }
}

pub struct AuditView {
    pub at: String,
    pub user: String,
    pub action: String,
    pub target: String,
    pub before: String,
    pub after: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "audit.html")]
struct AuditPage {
    c: Chrome,
    rows: Vec<AuditView>,
    next_link: String,
}

#[derive(Deserialize, Default)]
pub struct AuditQuery {
    #[serde(default)]
    before: String,
}

fn audit_action(action: &str, lang: Lang) -> String {
    if let Some(label) = crate::imports::audit_label(action, lang) {
        return label;
    }
    let (zh, en) = match action {
        "user.create" => ("新增用户", "user added"),
        "user.update" => ("修改用户", "user changed"),
        "user.password" => ("重设密码", "password set"),
        "token.issue" => ("发放令牌", "token issued"),
        "token.revoke" => ("吊销令牌", "token revoked"),
        "trade.ship" => ("发货", "shipped"),
        "trade.close" => ("关闭订单", "order closed"),
        "trade.memo" => ("修改备注", "memo changed"),
        "trade.urgent" => ("加急标记", "urgent mark"),
        "stock.adjust" => ("库存调整", "stock adjusted"),
        "stock.transfer" => ("仓库调拨", "stock transferred"),
        "after_sales.dispute_note" => ("售后：纠纷举证", "after-sales: dispute evidence"),
        "after_sales.dispute_decide" => ("售后：纠纷判定", "after-sales: dispute ruling"),
        other if other.starts_with("stocktake.") => crate::stocktake::audit_label(other).unwrap_or((other, other)),
        "settings.shop_add" => ("新增店铺", "shop added"),
        "settings.shop" => ("修改店铺", "shop changed"),
        "settings.warehouse_add" => ("新增仓库", "warehouse added"),
        "settings.warehouse" => ("修改仓库", "warehouse changed"),
        "settings.thresholds" => ("修改预警阈值", "alert thresholds changed"),
        "settings.time_zone" => ("修改时区", "time zone changed"),
        other => match other.strip_prefix("after_sales.") {
            Some(event) => {
                return format!("{}{}", lang.pick("售后：", "after-sales: "), view::refund_event(event, lang));
            }
            None => match crate::purchasing::audit_label(other, lang) {
                Some(label) => return label,
                None => (other, other),
            },
        },
    };
    lang.pick(zh, en).to_string()
}

pub async fn audit(State(web): State<Web>, a: Authed, Query(q): Query<AuditQuery>) -> Response {
    let before = q.before.trim().parse::<i64>().unwrap_or(0);
    let rows = match web.app.audit_log(a.user(), before, 100).await {
        Ok(r) => r,
        Err(e) => return error_page(a.lang, &e),
    };
    let next_link = match rows.last() {
        Some(r) if rows.len() == 100 => format!("/settings/audit?before={}", r.id),
        _ => String::new(),
    };
    let page = AuditPage {
        c: Chrome::new(&a, &web, "settings", "/settings/audit"),
        rows: rows
            .iter()
            .map(|r| AuditView {
                at: view::time(r.at, web.zone),
                user: r.user_name.clone(),
                action: audit_action(&r.action, a.lang),
                target: r.target.clone(),
                before: r.before_value.clone(),
                after: r.after_value.clone(),
            })
            .collect(),
        next_link,
    };
    page.into_response()
}

/// Where a user lands whose role has no dashboard: the orders, else the stock.
pub fn first_page_for(u: &User) -> &'static str {
    if u.may(Permission::ViewDashboard) {
        "/"
    } else if u.may(Permission::ViewOrders) {
        "/orders"
    } else {
        "/stock"
    }
}

/// A trade by its platform order number (alerts name trades so): its page (the first shop's, should
/// two shops have the same number).
pub async fn trade_by_tid(State(web): State<Web>, a: Authed, Path(tid): Path<String>) -> Response {
    if let Err(r) = require(&a, Permission::ViewOrders) {
        return r;
    }
    match web.app.trade_ids_by_tid(&a.user().actor(), &tid).await {
        Ok(ids) => match ids.first() {
            Some(id) => Redirect::to(&format!("/orders/{id}")).into_response(),
            None => error_page(a.lang, &zhanggui_app::trading::TradeError::NotFound(tid.trim().to_string())),
        },
        Err(e) => error_page(a.lang, &e),
    }
}
