//! After-sales (售后) in the browser: the list of cases with who must act and by when, a case's page
//! with exactly the steps its status allows, and the request (申请售后) from the trade page. The API
//! calls the same actions (`apply`, `step`, `dispute`), which write the audit log with the case
//! before and after.
//!
//! Who may act: the app has no after-sales permission yet, so the rule is kept here (`may`): every
//! role that sees orders sees the cases; customer service and the manager handle them (record a
//! request, agree, refuse, withdraw, disputes); the warehouse also records the buyer's parcel and
//! receives and checks returned goods, as customer service and the manager may.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use serde::Deserialize;
use zhanggui_app::after_sales::{AfterSalesError, ApplyInput, CaseView, DisputeStep, Parcel, Step};
use zhanggui_app::domain::{DisputeOutcome, DisputeStage, Money, Party, RefundKind, RefundStatus, ReturnCheck};
use zhanggui_app::formats::report::{ReportCell, ReportTable, xlsx_bytes};
use zhanggui_app::store::after_sales::{RefundCase, RefundFilter};
use zhanggui_app::users::{Permission, Role, User};
use zhanggui_app::{Actor, App, Lang, UserFacing};

use crate::Web;
use crate::auth::{self, Authed};
use crate::pages::{Chrome, Opt, PAGE, encode, error_page, query_string, require};
use crate::view;

// ---------------------------------------------------------------- who may act

/// What a person does on a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Act {
    /// Record a request, agree, refuse, change, withdraw, disputes.
    Handle,
    /// Record the buyer's return parcel, receive and check the goods.
    Goods,
}

pub fn may(u: &User, act: Act) -> bool {
    match act {
        Act::Handle => matches!(u.role, Role::Manager | Role::Service),
        Act::Goods => matches!(u.role, Role::Manager | Role::Service | Role::Warehouse),
    }
}

/// The act a step (by its code) needs.
pub fn act_of(step: &str) -> Act {
    match step {
        "return_shipped" | "receive_return" => Act::Goods,
        _ => Act::Handle,
    }
}

// ---------------------------------------------------------------- the actions (pages and API)

fn target(c: &RefundCase) -> String {
    format!("{} ({} {})", c.refund_no, c.tid, c.outer_sku_id)
}

/// The case as the audit log records it.
fn describe(c: &RefundCase) -> String {
    let mut s = format!("status={} kind={} amount={} qty={}", c.status.code(), c.kind.code(), c.amount, c.qty);
    if !c.return_tracking_no.is_empty() {
        s.push_str(&format!(" return={} {}", c.return_carrier, c.return_tracking_no));
    }
    if c.received_good + c.received_damaged > 0 {
        s.push_str(&format!(" received_good={} received_damaged={}", c.received_good, c.received_damaged));
    }
    if !c.replacement_tracking_no.is_empty() {
        s.push_str(&format!(" replacement={} {}", c.replacement_carrier, c.replacement_tracking_no));
    }
    if let Some(d) = &c.dispute {
        s.push_str(&format!(" dispute={}", d.stage.code()));
        if let Some(o) = d.outcome {
            s.push_str(&format!(" outcome={}", o.code()));
        }
    }
    s
}

/// Records a buyer's request; returns the refund number.
pub async fn apply(app: &App, actor: &Actor, input: &ApplyInput) -> Result<String, AfterSalesError> {
    let no = app.apply_after_sales(actor, input).await?;
    let case = app.after_sales_case(actor, &no, Utc::now()).await?.view.case;
    app.record_audit(actor, "after_sales.apply", &target(&case), "", &describe(&case)).await?;
    Ok(no)
}

fn step_code(s: &Step) -> &'static str {
    match s {
        Step::Agree { .. } => "agree",
        Step::Refuse { .. } => "refuse",
        Step::Reapply { .. } => "reapply",
        Step::ReturnShipped { .. } => "return_shipped",
        Step::ReceiveReturn { .. } => "receive_return",
        Step::Cancel { .. } => "cancel",
    }
}

fn dispute_code(s: &DisputeStep) -> &'static str {
    match s {
        DisputeStep::Open { .. } => "dispute_open",
        DisputeStep::Note { .. } => "dispute_note",
        DisputeStep::Decide { .. } => "dispute_decide",
    }
}

/// Takes a step on a case; returns the case after it.
pub async fn step(app: &App, actor: &Actor, key: &str, s: &Step) -> Result<RefundCase, AfterSalesError> {
    let now = Utc::now();
    let before = app.after_sales_case(actor, key, now).await?.view.case;
    app.after_sales_step(actor, key, s, now).await?;
    let after = app.after_sales_case(actor, key, now).await?.view.case;
    let action = format!("after_sales.{}", step_code(s));
    app.record_audit(actor, &action, &target(&after), &describe(&before), &describe(&after)).await?;
    Ok(after)
}

/// A dispute step on a case; returns the case after it.
pub async fn dispute(app: &App, actor: &Actor, key: &str, s: &DisputeStep) -> Result<RefundCase, AfterSalesError> {
    let now = Utc::now();
    let before = app.after_sales_case(actor, key, now).await?.view.case;
    app.dispute_step(actor, key, s, now).await?;
    let after = app.after_sales_case(actor, key, now).await?.view.case;
    let action = format!("after_sales.{}", dispute_code(s));
    app.record_audit(actor, &action, &target(&after), &describe(&before), &describe(&after)).await?;
    Ok(after)
}

// ---------------------------------------------------------------- what people type

fn invalid(field: &'static str, zh: &str, en: &str) -> AfterSalesError {
    AfterSalesError::Invalid { field, reason: en.to_string(), reason_zh: zh.to_string() }
}

fn opt_money(text: &str) -> Result<Option<Money>, AfterSalesError> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    Money::parse(t)
        .map(Some)
        .map_err(|_| invalid("amount", "退款金额要写成金额，比如 59.90", "the amount must be money such as 59.90"))
}

fn opt_count(field: &'static str, text: &str) -> Result<Option<i64>, AfterSalesError> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    t.parse::<i64>().map(Some).map_err(|_| invalid(field, "件数要写整数", "the number of units must be a whole number"))
}

fn parcel(carrier: &str, tracking_no: &str) -> Option<Parcel> {
    if carrier.trim().is_empty() && tracking_no.trim().is_empty() {
        None
    } else {
        Some(Parcel { carrier: carrier.trim().into(), tracking_no: tracking_no.trim().into() })
    }
}

/// A request as typed on the trade page (or sent to the API).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ApplyForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub trade: String,
    #[serde(default)]
    pub line: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub amount: String,
    #[serde(default)]
    pub qty: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub refund_no: String,
}

pub fn apply_input(f: &ApplyForm) -> Result<ApplyInput, AfterSalesError> {
    let kind = match f.kind.trim() {
        "" => None,
        k => Some(k.parse::<RefundKind>().map_err(|_| invalid("kind", "看不懂售后类型", "unknown kind of request"))?),
    };
    if f.reason.trim().is_empty() {
        return Err(invalid("reason", "请填写买家的申请原因", "give the buyer's reason"));
    }
    Ok(ApplyInput {
        trade: f.trade.trim().into(),
        line: f.line.trim().into(),
        kind,
        amount: opt_money(&f.amount)?,
        qty: opt_count("qty", &f.qty)?,
        reason: f.reason.trim().into(),
        refund_no: f.refund_no.trim().into(),
        at: Utc::now(),
    })
}

/// A step as typed on the case page (or sent to the API): `step` names it, the other fields are
/// those the step takes.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct StepForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub step: String,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub amount: String,
    #[serde(default)]
    pub carrier: String,
    #[serde(default)]
    pub tracking_no: String,
    #[serde(default)]
    pub replacement_carrier: String,
    #[serde(default)]
    pub replacement_tracking_no: String,
    #[serde(default)]
    pub good: String,
    #[serde(default)]
    pub damaged: String,
    #[serde(default)]
    pub warehouse: String,
    #[serde(default)]
    pub stage: String,
    #[serde(default)]
    pub outcome: String,
}

impl StepForm {
    /// What was typed into `field` of the form of `step`, to show it again after a refusal.
    pub fn get(&self, step: &str, field: &str) -> &str {
        if self.step != step {
            return "";
        }
        match field {
            "note" => &self.note,
            "reason" => &self.reason,
            "amount" => &self.amount,
            "carrier" => &self.carrier,
            "tracking_no" => &self.tracking_no,
            "replacement_carrier" => &self.replacement_carrier,
            "replacement_tracking_no" => &self.replacement_tracking_no,
            "good" => &self.good,
            "damaged" => &self.damaged,
            _ => "",
        }
    }
}

pub fn parse_step(f: &StepForm) -> Result<Step, AfterSalesError> {
    let note = f.note.trim().to_string();
    Ok(match f.step.trim() {
        "agree" => Step::Agree { note, replacement: parcel(&f.replacement_carrier, &f.replacement_tracking_no) },
        "refuse" => Step::Refuse { note },
        "reapply" => Step::Reapply { amount: opt_money(&f.amount)?, reason: f.reason.trim().into() },
        "return_shipped" => Step::ReturnShipped {
            parcel: Parcel { carrier: f.carrier.trim().into(), tracking_no: f.tracking_no.trim().into() },
        },
        "receive_return" => Step::ReceiveReturn {
            check: ReturnCheck {
                good: opt_count("good", &f.good)?.unwrap_or(0),
                damaged: opt_count("damaged", &f.damaged)?.unwrap_or(0),
            },
            warehouse: f.warehouse.trim().into(),
            replacement: parcel(&f.replacement_carrier, &f.replacement_tracking_no),
            note,
        },
        "cancel" => Step::Cancel { note },
        _ => {
            return Err(invalid(
                "step",
                "请选择操作：agree、refuse、reapply、return_shipped、receive_return 或 cancel",
                "name the step: agree, refuse, reapply, return_shipped, receive_return or cancel",
            ));
        }
    })
}

pub fn parse_dispute(f: &StepForm) -> Result<DisputeStep, AfterSalesError> {
    Ok(match f.step.trim() {
        "open" => {
            if f.reason.trim().is_empty() {
                return Err(invalid("reason", "请填写申请介入的原因", "say why the platform was asked"));
            }
            DisputeStep::Open { reason: f.reason.trim().into() }
        }
        "note" => {
            let stage = match f.stage.trim() {
                "" => None,
                s => Some(
                    s.parse::<DisputeStage>()
                        .map_err(|_| invalid("stage", "看不懂纠纷阶段", "unknown dispute stage"))?,
                ),
            };
            DisputeStep::Note { note: f.note.trim().into(), stage }
        }
        "decide" => {
            let outcome = f.outcome.trim().parse::<DisputeOutcome>().map_err(|_| {
                invalid("outcome", "请选择判定结果：支持买家或支持卖家", "choose the ruling: buyer or seller")
            })?;
            DisputeStep::Decide {
                outcome,
                note: f.note.trim().into(),
                replacement: parcel(&f.replacement_carrier, &f.replacement_tracking_no),
            }
        }
        _ => {
            return Err(invalid(
                "step",
                "请选择纠纷操作：open、note 或 decide",
                "name the dispute step: open, note or decide",
            ));
        }
    })
}

// ---------------------------------------------------------------- the list

#[derive(Deserialize, Default)]
pub struct CaseQuery {
    #[serde(default)]
    pub shop: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub kind: String,
    /// "0": every case; anything else (the default): open cases only, by deadline.
    #[serde(default)]
    pub open: String,
    /// A trade number, refund number or buyer nick.
    #[serde(default)]
    pub search: String,
    #[serde(default)]
    pub page: String,
}

/// The filter of a list; the message names what was not understood. Open cases only unless
/// `open=0` or a status is chosen.
pub fn case_filter(q: &CaseQuery, company_id: i64, lang: Lang) -> (RefundFilter, i64, String) {
    let mut problems = Vec::new();
    let mut f = RefundFilter { company_id, search: q.search.trim().to_string(), ..Default::default() };
    if !q.shop.trim().is_empty() {
        match q.shop.trim().parse::<i64>() {
            Ok(id) => f.shop_id = id,
            Err(_) => problems.push(lang.pick("店铺", "shop")),
        }
    }
    if !q.status.trim().is_empty() {
        match q.status.parse::<RefundStatus>() {
            Ok(s) => f.status = Some(s),
            Err(_) => problems.push(lang.pick("售后状态", "status")),
        }
    }
    if !q.kind.trim().is_empty() {
        match q.kind.parse::<RefundKind>() {
            Ok(k) => f.kind = Some(k),
            Err(_) => problems.push(lang.pick("售后类型", "kind")),
        }
    }
    if !matches!(q.open.trim(), "" | "0" | "1") {
        problems.push(lang.pick("范围", "open"));
    }
    f.open_only = q.open.trim() != "0" && f.status.is_none();
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

/// The last page number taken (beyond, pages are empty anyway).
const MAX_PAGE: i64 = 1_000_000;

/// Open cases at most listed (and sorted by deadline) at once.
const OPEN_AT_MOST: i64 = 5000;

/// Open cases by deadline: the most urgent first, those waiting for the platform last.
fn by_deadline(cases: &mut [CaseView]) {
    cases.sort_by_key(|v| {
        let timed = v.due.as_ref().filter(|d| d.party != Party::Platform).map(|d| d.by);
        (timed.is_none(), timed, v.case.id)
    });
}

/// One page of cases: open ones by deadline (the most urgent first, those with the platform
/// last), others newest first. Also says whether a next page exists.
pub async fn list(app: &App, mut f: RefundFilter, page: i64) -> Result<(Vec<CaseView>, bool), AfterSalesError> {
    let now = Utc::now();
    if f.open_only {
        f.limit = OPEN_AT_MOST;
        f.offset = 0;
        let mut all = app.after_sales_cases(&f, now).await?;
        by_deadline(&mut all);
        let start = usize::try_from((page - 1) * PAGE).unwrap_or(usize::MAX);
        let more = all.len() > start + PAGE as usize;
        Ok((all.into_iter().skip(start).take(PAGE as usize).collect(), more))
    } else {
        f.limit = PAGE + 1;
        f.offset = (page - 1) * PAGE;
        let mut rows = app.after_sales_cases(&f, now).await?;
        let more = rows.len() as i64 > PAGE;
        rows.truncate(PAGE as usize);
        Ok((rows, more))
    }
}

/// A case as a row of a list.
pub struct CaseRow {
    pub key_q: String,
    pub refund_no: String,
    pub trade_id: i64,
    pub tid: String,
    pub buyer: String,
    pub title: String,
    pub properties: String,
    pub kind: String,
    pub status: String,
    pub status_class: &'static str,
    pub amount: String,
    pub qty: i64,
    pub party: String,
    pub what: String,
    pub countdown: String,
    pub over: bool,
    pub soon: bool,
    pub dispute: String,
}

/// Who must act and the time left: (party, what, countdown, over, under 24 h).
fn due_of(v: &CaseView, lang: Lang) -> (String, String, String, bool, bool) {
    let Some(d) = &v.due else {
        return (String::new(), String::new(), String::new(), false, false);
    };
    let (countdown, over, soon) = match v.seconds_left {
        Some(s) => {
            let (text, over) = view::countdown(s, lang);
            (text, over, !over && s < 24 * 3600)
        }
        None => (lang.pick("等待平台", "with the platform").to_string(), false, false),
    };
    (view::party(d.party, lang).into(), lang.pick(d.what_zh, d.what_en).into(), countdown, over, soon)
}

pub fn case_row(v: &CaseView, lang: Lang) -> CaseRow {
    let c = &v.case;
    let (party, what, countdown, over, soon) = due_of(v, lang);
    CaseRow {
        key_q: encode(&c.refund_no),
        refund_no: c.refund_no.clone(),
        trade_id: c.trade_id,
        tid: c.tid.clone(),
        buyer: c.buyer_nick.clone(),
        title: c.line_title.clone(),
        properties: c.line_properties.clone(),
        kind: view::refund_kind(c.kind, lang).into(),
        status: view::refund_status(c.status, lang).into(),
        status_class: view::refund_status_class(c.status),
        amount: view::money(c.amount),
        qty: c.qty,
        party,
        what,
        countdown,
        over,
        soon,
        dispute: c
            .dispute
            .as_ref()
            .map(|d| match d.outcome {
                Some(o) => format!(
                    "{}{}{}{}",
                    view::dispute_stage(d.stage, lang),
                    lang.pick("（", " ("),
                    view::dispute_outcome(o, lang),
                    lang.pick("）", ")")
                ),
                None => view::dispute_stage(d.stage, lang).to_string(),
            })
            .unwrap_or_default(),
    }
}

fn opt(value: impl Into<String>, label: impl Into<String>, selected: bool) -> Opt {
    Opt { value: value.into(), label: label.into(), selected }
}

fn cases_link(q: &CaseQuery, page: i64) -> String {
    let p = if page > 1 { page.to_string() } else { String::new() };
    format!(
        "/after-sales{}",
        query_string(&[
            ("shop", &q.shop),
            ("status", &q.status),
            ("kind", &q.kind),
            ("open", &q.open),
            ("search", &q.search),
            ("page", &p),
        ])
    )
}

#[derive(Template, WebTemplate)]
#[template(path = "after_sales.html")]
struct ListPage {
    c: Chrome,
    q: CaseQuery,
    shops: Vec<Opt>,
    statuses: Vec<Opt>,
    kinds: Vec<Opt>,
    scopes: Vec<Opt>,
    by_deadline: bool,
    filter_error: String,
    rows: Vec<CaseRow>,
    total_amount: String,
    total_qty: i64,
    prev_link: String,
    next_link: String,
    export_link: String,
}

pub async fn cases(State(web): State<Web>, a: Authed, Query(q): Query<CaseQuery>) -> Response {
    if let Err(r) = require(&a, Permission::ViewOrders) {
        return r;
    }
    let lang = a.lang;
    let actor = a.user().actor();
    let (filter, page, filter_error) = case_filter(&q, actor.company_id, lang);
    let by_deadline = filter.open_only;
    let (views, more) = match list(&web.app, filter, page).await {
        Ok(r) => r,
        Err(e) => return error_page(lang, &e),
    };
    let shops = match web.app.shops(&actor).await {
        Ok(s) => s,
        Err(e) => return error_page(lang, &e),
    };
    let mut shop_opts = vec![opt("", lang.pick("全部店铺", "All shops"), q.shop.trim().is_empty())];
    shop_opts.extend(shops.iter().map(|s| opt(s.id.to_string(), s.name.clone(), q.shop.trim() == s.id.to_string())));
    let mut statuses = vec![opt("", lang.pick("全部状态", "All statuses"), q.status.trim().is_empty())];
    statuses.extend(
        RefundStatus::ALL.iter().map(|s| opt(s.code(), view::refund_status(*s, lang), q.status.trim() == s.code())),
    );
    let mut kinds = vec![opt("", lang.pick("全部类型", "All kinds"), q.kind.trim().is_empty())];
    kinds.extend(RefundKind::ALL.iter().map(|k| opt(k.code(), view::refund_kind(*k, lang), q.kind.trim() == k.code())));
    let scopes = vec![
        opt("1", lang.pick("进行中（按处理时限）", "Open (by deadline)"), q.open.trim() != "0"),
        opt("0", lang.pick("全部（含已完结）", "All (incl. finished)"), q.open.trim() == "0"),
    ];
    let total_amount = view::money(views.iter().map(|v| v.case.amount).sum::<Money>());
    let total_qty = views.iter().map(|v| v.case.qty).sum();
    let rows = views.iter().map(|v| case_row(v, lang)).collect();
    let page_view = ListPage {
        c: Chrome::new(&a, &web, "after_sales", &cases_link(&q, page)),
        prev_link: if page > 1 { cases_link(&q, page - 1) } else { String::new() },
        next_link: if more { cases_link(&q, page + 1) } else { String::new() },
        export_link: cases_link(&q, 1).replacen("/after-sales", "/after-sales/xlsx", 1),
        q,
        shops: shop_opts,
        statuses,
        kinds,
        scopes,
        by_deadline,
        filter_error,
        rows,
        total_amount,
        total_qty,
    };
    page_view.into_response()
}

/// Rows an export holds at most.
const EXPORT_AT_MOST: i64 = 100_000;

/// 导出 Excel: every case the list's filters select (all pages), with what the list shows and the
/// parcels and checks.
pub async fn cases_xlsx(State(web): State<Web>, a: Authed, Query(q): Query<CaseQuery>) -> Response {
    if let Err(r) = require(&a, Permission::ViewOrders) {
        return r;
    }
    let lang = a.lang;
    let (mut filter, _, _) = case_filter(&q, a.user().company_id, lang);
    filter.limit = EXPORT_AT_MOST;
    let mut views = match web.app.after_sales_cases(&filter, Utc::now()).await {
        Ok(v) => v,
        Err(e) => return error_page(lang, &e),
    };
    if filter.open_only {
        by_deadline(&mut views);
    }
    let headers = [
        ("退款编号", "Refund no."),
        ("订单编号", "Order no."),
        ("店铺", "Shop"),
        ("买家", "Buyer"),
        ("宝贝", "Item"),
        ("规格", "Properties"),
        ("商家编码", "SKU code"),
        ("售后类型", "Kind"),
        ("状态", "Status"),
        ("退款金额", "Amount"),
        ("数量", "Qty"),
        ("申请原因", "Reason"),
        ("申请时间", "Requested"),
        ("待处理", "Who must act"),
        ("处理时限", "Due by"),
        ("剩余/超时", "Left / over"),
        ("纠纷", "Dispute"),
        ("退货物流", "Return parcel"),
        ("完好", "Good"),
        ("破损", "Damaged"),
        ("换货/补寄物流", "Replacement parcel"),
        ("完结时间", "Finished"),
    ];
    let text = ReportCell::Text;
    let rows = views
        .iter()
        .map(|v| {
            let c = &v.case;
            let r = case_row(v, lang);
            let parcel = |carrier: &str, no: &str| {
                if no.is_empty() { ReportCell::Empty } else { text(format!("{carrier} {no}")) }
            };
            vec![
                text(c.refund_no.clone()),
                text(c.tid.clone()),
                text(c.shop_name.clone()),
                text(c.buyer_nick.clone()),
                text(c.line_title.clone()),
                text(c.line_properties.clone()),
                text(c.outer_sku_id.clone()),
                text(r.kind),
                text(r.status),
                ReportCell::Decimal(c.amount.to_plain(), 2),
                ReportCell::Int(c.qty),
                text(c.reason.clone()),
                text(view::time(c.created_at, web.zone)),
                if r.party.is_empty() {
                    ReportCell::Empty
                } else {
                    text(format!("{}{}{}", r.party, lang.pick("：", ": "), r.what))
                },
                match &v.due {
                    Some(d) if d.party != Party::Platform => text(view::time(d.by, web.zone)),
                    _ => ReportCell::Empty,
                },
                text(r.countdown),
                text(r.dispute),
                parcel(&c.return_carrier, &c.return_tracking_no),
                ReportCell::Int(c.received_good),
                ReportCell::Int(c.received_damaged),
                parcel(&c.replacement_carrier, &c.replacement_tracking_no),
                text(view::opt_time(c.finished_at, web.zone)),
            ]
        })
        .collect();
    let table = ReportTable {
        title: lang.pick("售后", "After-sales").into(),
        headers: headers.iter().map(|(zh, en)| lang.pick(zh, en).to_string()).collect(),
        rows,
    };
    match xlsx_bytes(&[table]) {
        Ok(bytes) => {
            let name = format!("zhanggui-after-sales-{}.xlsx", Utc::now().with_timezone(&web.zone).format("%Y-%m-%d"));
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
            (StatusCode::INTERNAL_SERVER_ERROR, lang.pick("无法生成 Excel 文件", "cannot write the workbook"))
                .into_response()
        }
    }
}

// ---------------------------------------------------------------- one case

pub struct EventView {
    pub at: String,
    pub event: String,
    pub from: String,
    pub to: String,
    pub note: String,
    pub user: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "after_sale.html")]
struct CasePage {
    c: Chrome,
    k: RefundCase,
    key_q: String,
    sku_q: String,
    kind: String,
    status: String,
    status_class: &'static str,
    amount: String,
    line_paid: String,
    line_refunded: String,
    created: String,
    finished: String,
    platform_deadline: String,
    party: String,
    what: String,
    countdown: String,
    over: bool,
    soon: bool,
    received: bool,
    dispute_stage: String,
    dispute_outcome: String,
    dispute_opened: String,
    dispute_decided: String,
    evidence: Vec<String>,
    can_view_trade: bool,
    can_agree: bool,
    can_refuse: bool,
    can_reapply: bool,
    can_return: bool,
    can_receive: bool,
    can_cancel: bool,
    can_open_dispute: bool,
    can_dispute: bool,
    agree_ships: bool,
    agree_pays: bool,
    receive_ships: bool,
    receive_pays: bool,
    decide_ships: bool,
    in_dispute: bool,
    warehouses: Vec<Opt>,
    stages: Vec<Opt>,
    f: StepForm,
    events: Vec<EventView>,
}

#[derive(Default)]
struct CaseMessages {
    notice: String,
    error: String,
    typed: StepForm,
    status: Option<StatusCode>,
}

async fn render_case(web: &Web, a: &Authed, key: &str, m: CaseMessages) -> Response {
    let lang = a.lang;
    let actor = a.user().actor();
    let zone = web.zone;
    let detail = match web.app.after_sales_case(&actor, key, Utc::now()).await {
        Ok(d) => d,
        Err(e) => return error_page(lang, &e),
    };
    let warehouses = match web.app.warehouses(&actor).await {
        Ok(w) => w,
        Err(e) => return error_page(lang, &e),
    };
    let v = &detail.view;
    let k = v.case.clone();
    let (party, what, countdown, over, soon) = due_of(v, lang);
    let handle = may(a.user(), Act::Handle);
    let goods = may(a.user(), Act::Goods);
    let in_dispute = k.dispute.as_ref().is_some_and(|d| d.stage != DisputeStage::Decided);
    let pays = zhanggui_app::domain::after_sales::pays_money(k.kind);
    let typed_warehouse = if m.typed.step == "receive_return" { m.typed.warehouse.clone() } else { String::new() };
    let mut wh = vec![opt("", lang.pick("店铺默认仓", "The shop's warehouse"), typed_warehouse.is_empty())];
    wh.extend(
        warehouses
            .iter()
            .filter(|w| w.sellable)
            .map(|w| opt(w.code.clone(), format!("{} {}", w.code, w.name), typed_warehouse == w.code)),
    );
    let current = k.dispute.as_ref().map(|d| d.stage).unwrap_or(DisputeStage::Opened);
    let typed_stage = if m.typed.step == "dispute_note" { m.typed.stage.clone() } else { String::new() };
    let mut stages = vec![opt("", lang.pick("阶段不变", "Stage unchanged"), typed_stage.is_empty())];
    stages.extend(
        DisputeStage::ALL
            .iter()
            .filter(|s| **s != DisputeStage::Decided && current.can_move_to(**s))
            .map(|s| opt(s.code(), view::dispute_stage(*s, lang), typed_stage == s.code())),
    );
    let d = k.dispute.as_ref();
    let events = detail
        .events
        .iter()
        .map(|e| EventView {
            at: view::time(e.at, zone),
            event: view::refund_event(&e.event, lang),
            from: view::refund_status_code_label(&e.from_status, lang),
            to: view::refund_status_code_label(&e.to_status, lang),
            note: e.note.clone(),
            user: e.user_name.clone(),
        })
        .collect();
    let mut c = Chrome::new(a, web, "after_sales", &format!("/after-sales/{}", encode(&k.refund_no)));
    c.notice = m.notice;
    c.error = m.error;
    let page = CasePage {
        c,
        key_q: encode(&k.refund_no),
        sku_q: encode(&k.outer_sku_id),
        kind: view::refund_kind(k.kind, lang).into(),
        status: view::refund_status(k.status, lang).into(),
        status_class: view::refund_status_class(k.status),
        amount: view::money(k.amount),
        line_paid: view::money(k.line_paid),
        line_refunded: view::money(k.line_refunded),
        created: view::time(k.created_at, zone),
        finished: view::opt_time(k.finished_at, zone),
        platform_deadline: k.deadline_at.map(|t| view::time(t, zone)).unwrap_or_default(),
        party,
        what,
        countdown,
        over,
        soon,
        received: k.received_good + k.received_damaged > 0,
        dispute_stage: d.map(|d| view::dispute_stage(d.stage, lang).to_string()).unwrap_or_default(),
        dispute_outcome: d
            .and_then(|d| d.outcome)
            .map(|o| view::dispute_outcome(o, lang).to_string())
            .unwrap_or_default(),
        dispute_opened: d.map(|d| format!("{} {}", view::time(d.opened_at, zone), d.opened_by)).unwrap_or_default(),
        dispute_decided: d.and_then(|d| d.decided_at).map(|t| view::time(t, zone)).unwrap_or_default(),
        evidence: d.map(|d| d.evidence.lines().map(str::to_string).collect()).unwrap_or_default(),
        can_view_trade: a.user().may(Permission::ViewOrders),
        can_agree: handle && !in_dispute && k.status == RefundStatus::WaitSellerAgree,
        can_refuse: handle
            && !in_dispute
            && matches!(k.status, RefundStatus::WaitSellerAgree | RefundStatus::WaitSellerConfirmGoods),
        can_reapply: handle && !in_dispute && k.status == RefundStatus::SellerRefuseBuyer,
        can_return: goods && k.status == RefundStatus::WaitBuyerReturnGoods,
        can_receive: goods && k.status == RefundStatus::WaitSellerConfirmGoods,
        can_cancel: handle && k.status.is_open(),
        can_open_dispute: handle && k.status == RefundStatus::SellerRefuseBuyer && k.dispute.is_none(),
        can_dispute: handle && in_dispute,
        agree_ships: k.kind == RefundKind::Reship,
        agree_pays: pays && !k.kind.involves_return(),
        receive_ships: k.kind == RefundKind::Exchange,
        receive_pays: pays,
        decide_ships: k.kind == RefundKind::Reship,
        in_dispute,
        warehouses: wh,
        stages,
        f: m.typed,
        events,
        k,
    };
    (m.status.unwrap_or(StatusCode::OK), page).into_response()
}

#[derive(Deserialize, Default)]
pub struct CaseQueryOk {
    #[serde(default)]
    ok: String,
}

/// What a step did, said after it.
fn done_text(code: &str, k: &RefundCase, lang: Lang) -> String {
    let amount = view::money(k.amount);
    match (code, k.status) {
        (_, RefundStatus::Success) if zhanggui_app::domain::after_sales::pays_money(k.kind) => match lang {
            Lang::Zh => format!("退款成功：{amount} 已退给买家。"),
            Lang::En => format!("Refunded: {amount} goes back to the buyer."),
        },
        (_, RefundStatus::Success) => {
            lang.pick("售后完成，商品已发给买家。", "Done: the goods are sent to the buyer.").into()
        }
        ("applied", _) => lang.pick("售后申请已登记。", "The request is recorded.").into(),
        ("agree", RefundStatus::WaitBuyerReturnGoods) | ("dispute_decide", RefundStatus::WaitBuyerReturnGoods) => {
            lang.pick("已同意，等待买家寄回商品。", "Agreed: waiting for the buyer to send the goods back.").into()
        }
        ("refuse", _) => lang.pick("已拒绝，拒绝理由已记录。", "Refused; the reason is recorded.").into(),
        ("reapply", _) => lang.pick("买家的修改申请已登记。", "The changed request is recorded.").into(),
        ("return_shipped", _) => lang
            .pick("退货物流已登记，等待收货验货。", "The return parcel is recorded; check the goods when they arrive.")
            .into(),
        ("cancel", _) => lang.pick("售后已撤销。", "The request is withdrawn.").into(),
        ("dispute_open", _) => lang.pick("已记录申请平台介入。", "The dispute is recorded.").into(),
        ("dispute_note", _) => lang.pick("举证说明已保存。", "The evidence note is saved.").into(),
        ("dispute_decide", RefundStatus::Closed) => {
            lang.pick("平台判定支持卖家，售后已关闭。", "Ruled for the seller; the case is closed.").into()
        }
        _ => String::new(),
    }
}

pub async fn case(
    State(web): State<Web>,
    a: Authed,
    Path(key): Path<String>,
    Query(q): Query<CaseQueryOk>,
) -> Response {
    if let Err(r) = require(&a, Permission::ViewOrders) {
        return r;
    }
    let notice = if q.ok.is_empty() {
        String::new()
    } else {
        match web.app.after_sales_case(&a.user().actor(), &key, Utc::now()).await {
            Ok(d) => done_text(&q.ok, &d.view.case, a.lang),
            Err(e) => return error_page(a.lang, &e),
        }
    };
    render_case(&web, &a, &key, CaseMessages { notice, ..Default::default() }).await
}

pub async fn case_step(
    State(web): State<Web>,
    a: Authed,
    Path(key): Path<String>,
    Form(f): Form<StepForm>,
) -> Response {
    if let Err(r) = crate::pages::check_csrf(&a, &f.csrf) {
        return r;
    }
    if !may(a.user(), act_of(f.step.trim())) {
        return crate::pages::forbidden(a.lang);
    }
    let result = match parse_step(&f) {
        Ok(s) => step(&web.app, &a.user().actor(), &key, &s).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(k) => Redirect::to(&format!("/after-sales/{}?ok={}", encode(&k.refund_no), f.step.trim())).into_response(),
        Err(e) => {
            let m = CaseMessages {
                error: e.message(a.lang),
                status: Some(auth::http_status(&e)),
                typed: f,
                ..Default::default()
            };
            render_case(&web, &a, &key, m).await
        }
    }
}

pub async fn case_dispute(
    State(web): State<Web>,
    a: Authed,
    Path(key): Path<String>,
    Form(f): Form<StepForm>,
) -> Response {
    if let Err(r) = crate::pages::check_csrf(&a, &f.csrf) {
        return r;
    }
    if !may(a.user(), Act::Handle) {
        return crate::pages::forbidden(a.lang);
    }
    let result = match parse_dispute(&f) {
        Ok(s) => dispute(&web.app, &a.user().actor(), &key, &s).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(k) => {
            let ok = format!("dispute_{}", f.step.trim());
            Redirect::to(&format!("/after-sales/{}?ok={ok}", encode(&k.refund_no))).into_response()
        }
        Err(e) => {
            let mut typed = f;
            typed.step = format!("dispute_{}", typed.step.trim());
            let m = CaseMessages {
                error: e.message(a.lang),
                status: Some(auth::http_status(&e)),
                typed,
                ..Default::default()
            };
            render_case(&web, &a, &key, m).await
        }
    }
}

// ---------------------------------------------------------------- from the trade page

/// The request form of the trade page, posted for one line.
pub async fn trade_apply(
    State(web): State<Web>,
    a: Authed,
    Path(id): Path<i64>,
    Form(mut f): Form<ApplyForm>,
) -> Response {
    if let Err(r) = crate::pages::check_csrf(&a, &f.csrf) {
        return r;
    }
    if !may(a.user(), Act::Handle) {
        return crate::pages::forbidden(a.lang);
    }
    f.trade = id.to_string();
    let result = match apply_input(&f) {
        Ok(input) => apply(&web.app, &a.user().actor(), &input).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(no) => Redirect::to(&format!("/after-sales/{}?ok=applied", encode(&no))).into_response(),
        Err(e) => {
            let m = crate::pages::TradeMessages {
                error: e.message(a.lang),
                status: Some(auth::http_status(&e)),
                apply: Some(f),
                ..Default::default()
            };
            crate::pages::render_trade(&web, &a, id, m).await
        }
    }
}

/// The cases of one trade, oldest first.
pub async fn trade_cases(app: &App, actor: &Actor, trade_id: i64, tid: &str) -> Result<Vec<CaseView>, AfterSalesError> {
    let f = RefundFilter { company_id: actor.company_id, search: tid.to_string(), limit: 1000, ..Default::default() };
    let mut all: Vec<CaseView> =
        app.after_sales_cases(&f, Utc::now()).await?.into_iter().filter(|v| v.case.trade_id == trade_id).collect();
    all.sort_by_key(|v| (v.case.created_at, v.case.id));
    Ok(all)
}

/// The kinds a buyer may ask for on a line: before shipping only a refund; after, the others.
pub fn kinds_for(shipped: bool, selected: &str, lang: Lang) -> Vec<Opt> {
    let kinds: &[RefundKind] = if shipped {
        &[RefundKind::ReturnAndRefund, RefundKind::RefundShipped, RefundKind::Exchange, RefundKind::Reship]
    } else {
        &[RefundKind::RefundUnshipped]
    };
    kinds.iter().map(|k| opt(k.code(), view::refund_kind(*k, lang), selected == k.code())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_become_steps() {
        let f =
            StepForm { step: "receive_return".into(), good: "1".into(), damaged: " 1 ".into(), ..Default::default() };
        match parse_step(&f) {
            Ok(Step::ReceiveReturn { check, replacement: None, .. }) => assert_eq!((check.good, check.damaged), (1, 1)),
            other => panic!("{other:?}"),
        }
        let f = StepForm { step: "reapply".into(), amount: "12.5".into(), ..Default::default() };
        assert!(matches!(parse_step(&f), Ok(Step::Reapply { amount: Some(m), .. }) if m == Money::from_fen(1250)));
        let f = StepForm { step: "reapply".into(), amount: "十块".into(), ..Default::default() };
        assert!(parse_step(&f).is_err());
        let f = StepForm { step: "explode".into(), ..Default::default() };
        assert_eq!(parse_step(&f).map_err(|e| e.code()).err(), Some("invalid_input"));
        let f = StepForm { step: "decide".into(), outcome: "buyer".into(), ..Default::default() };
        assert!(matches!(parse_dispute(&f), Ok(DisputeStep::Decide { outcome: DisputeOutcome::Buyer, .. })));
        let f = StepForm { step: "agree".into(), note: "好的".into(), ..Default::default() };
        assert_eq!((f.get("agree", "note"), f.get("refuse", "note")), ("好的", ""));
        assert_eq!(act_of("receive_return"), Act::Goods);
        assert_eq!(act_of("agree"), Act::Handle);
    }

    #[test]
    fn filters_default_to_open_cases() {
        let (f, page, problems) = case_filter(&CaseQuery::default(), 1, Lang::Zh);
        assert!(f.open_only && page == 1 && problems.is_empty());
        let q = CaseQuery { open: "0".into(), kind: "exchange".into(), ..Default::default() };
        let (f, _, _) = case_filter(&q, 1, Lang::Zh);
        assert!(!f.open_only && f.kind == Some(RefundKind::Exchange));
        let q = CaseQuery { status: "SUCCESS".into(), ..Default::default() };
        assert!(!case_filter(&q, 1, Lang::Zh).0.open_only, "a chosen status lists every case in it");
        let q = CaseQuery { status: "x' OR 1=1".into(), page: "-1".into(), ..Default::default() };
        assert!(case_filter(&q, 1, Lang::Zh).2.contains("看不懂"));
    }
}
