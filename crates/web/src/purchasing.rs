//! 采购 in the browser: suppliers and which products they supply, purchase orders from the draft
//! to the last arrival (下单, 到货入库 with short and over receipts, 取消, 结案), the order sheet for
//! the supplier, the expected arrivals (到货信息跟踪) and drafts made from the replenishment table
//! (补货需求表). The API calls the same actions, which write the audit log with the order before
//! and after.
//!
//! Who may act: the app has no purchasing permission, so the rule is kept here (`may`). The
//! manager and purchasing do everything; the warehouse receives the goods and sees the orders
//! without their costs; operations and finance see the orders; everyone sees what is due to arrive
//! (customer service answers buyers asking when an item is back). Costs are shown only to the
//! roles that see costs (`Permission::ViewCosts`).

use std::collections::{BTreeMap, HashMap, HashSet};

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use zhanggui_app::domain::{ArrivalState, MAX_QTY, MAX_UNIT_COST, Money, PurchaseStatus, ReceiptVariance};
use zhanggui_app::formats::report::{ReportCell, ReportTable, write_csv, xlsx_bytes};
use zhanggui_app::purchasing::{
    Arrival, PurchaseDetail, PurchaseError, PurchaseHistoryEntry, PurchaseLineInput, PurchaseOrderInput, ReceiptInput,
    ReplenishmentOrders, SupplierInput,
};
use zhanggui_app::store::purchasing::PurchaseOrderRow;
use zhanggui_app::users::{Permission, Role, User};
use zhanggui_app::{Actor, App, Lang, UserFacing};

use crate::Web;
use crate::auth::{self, Authed};
use crate::pages::{Chrome, Opt, PAGE, encode, error_page, query_string};
use crate::view;

// ---------------------------------------------------------------- who may act

/// What a person does in purchasing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Act {
    /// See suppliers and purchase orders.
    View,
    /// Add suppliers, assign products, draft, place, cancel and close orders.
    Manage,
    /// Book goods that arrived (到货入库).
    Receive,
    /// See what is due to arrive.
    Arrivals,
}

pub fn may(u: &User, act: Act) -> bool {
    match act {
        Act::View => {
            matches!(u.role, Role::Manager | Role::Purchasing | Role::Warehouse | Role::Operations | Role::Finance)
        }
        Act::Manage => matches!(u.role, Role::Manager | Role::Purchasing),
        Act::Receive => matches!(u.role, Role::Manager | Role::Purchasing | Role::Warehouse),
        Act::Arrivals => true,
    }
}

pub fn sees_costs(u: &User) -> bool {
    u.may(Permission::ViewCosts)
}

fn allowed(a: &Authed, act: Act) -> Result<(), Response> {
    if may(a.user(), act) { Ok(()) } else { Err(crate::pages::forbidden(a.lang)) }
}

// ---------------------------------------------------------------- the actions (pages and API)

/// The order as the audit log records it.
fn describe(o: &PurchaseOrderRow) -> String {
    format!(
        "status={} supplier={} warehouse={} ordered={} received={} amount={}",
        o.status.code(),
        o.supplier_name,
        o.warehouse_code,
        o.qty_ordered,
        o.qty_received,
        o.amount
    )
}

pub async fn add_supplier(app: &App, actor: &Actor, input: &SupplierInput) -> Result<i64, PurchaseError> {
    let id = app.add_supplier(actor, input).await?;
    let after = format!(
        "contact={} phone={} lead_time_days={} pack_size={}",
        input.contact.trim(),
        input.phone.trim(),
        input.lead_time_days,
        input.pack_size
    );
    app.record_audit(actor, "purchase.supplier_add", input.name.trim(), "", &after).await?;
    Ok(id)
}

/// Makes `supplier` the supplier of the products (款号); the audit line keeps their former ones.
pub async fn assign(app: &App, actor: &Actor, supplier: &str, products: &[String]) -> Result<usize, PurchaseError> {
    let wanted: HashSet<&str> = products.iter().map(|p| p.trim()).collect();
    let mut before: BTreeMap<String, String> = BTreeMap::new();
    for s in app.skus_with_suppliers(actor).await? {
        if wanted.contains(s.product_code.as_str()) {
            before.insert(s.product_code.clone(), s.supplier_name.clone().unwrap_or_else(|| "-".into()));
        }
    }
    let n = app.assign_supplier(actor, supplier, products).await?;
    let list = |m: &BTreeMap<String, String>| m.iter().map(|(p, s)| format!("{p}:{s}")).collect::<Vec<_>>().join(" ");
    let after: BTreeMap<String, String> = before.keys().map(|p| (p.clone(), supplier.trim().to_string())).collect();
    app.record_audit(actor, "purchase.assign", supplier.trim(), &list(&before), &list(&after)).await?;
    Ok(n)
}

pub async fn create(app: &App, actor: &Actor, input: &PurchaseOrderInput) -> Result<PurchaseOrderRow, PurchaseError> {
    let po = app.create_purchase_order(actor, input, Utc::now()).await?;
    app.record_audit(actor, "purchase.create", &po.code, "", &describe(&po)).await?;
    Ok(po)
}

/// A step that moves an order on (下单, 取消, 结案).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    Place,
    Cancel,
    Close,
}

impl Move {
    fn action(self) -> &'static str {
        match self {
            Move::Place => "purchase.place",
            Move::Cancel => "purchase.cancel",
            Move::Close => "purchase.close",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Move::Place => "place",
            Move::Cancel => "cancel",
            Move::Close => "close",
        }
    }
}

pub async fn move_order(app: &App, actor: &Actor, key: &str, m: Move) -> Result<PurchaseOrderRow, PurchaseError> {
    let before = app.purchase_detail(actor, key).await?.order;
    let now = Utc::now();
    match m {
        Move::Place => app.place_purchase_order(actor, &before.code, now).await?,
        Move::Cancel => app.cancel_purchase_order(actor, &before.code, now).await?,
        Move::Close => app.close_purchase_order_short(actor, &before.code, now).await?,
    }
    let after = app.purchase_detail(actor, &before.code).await?.order;
    app.record_audit(actor, m.action(), &after.code, &describe(&before), &describe(&after)).await?;
    Ok(after)
}

pub async fn receive(
    app: &App,
    actor: &Actor,
    key: &str,
    receipts: &[ReceiptInput],
) -> Result<PurchaseDetail, PurchaseError> {
    let before = app.purchase_detail(actor, key).await?.order;
    let detail = app.receive_purchase_order(actor, &before.code, receipts, Utc::now()).await?;
    let what: Vec<String> = receipts.iter().map(|r| format!("{}:+{}", r.sku.trim(), r.qty)).collect();
    let mut after = format!("{} {}", describe(&detail.order), what.join(" "));
    if let Some(note) = receipts.iter().map(|r| r.note.trim()).find(|n| !n.is_empty()) {
        after.push_str(&format!(" note={note}"));
    }
    app.record_audit(actor, "purchase.receive", &detail.order.code, &describe(&before), &after).await?;
    Ok(detail)
}

pub async fn from_replenishment(
    app: &App,
    actor: &Actor,
    skus: &[String],
    date: Option<NaiveDate>,
    warehouse: Option<&str>,
) -> Result<ReplenishmentOrders, PurchaseError> {
    let made = app.purchase_orders_from_replenishment(actor, skus, date, warehouse, Utc::now()).await?;
    for po in &made.orders {
        app.record_audit(actor, "purchase.create", &po.code, "", &format!("{} note={}", describe(po), po.note)).await?;
    }
    Ok(made)
}

/// The audit log's name of a purchasing action.
pub fn audit_label(action: &str, lang: Lang) -> Option<String> {
    let (zh, en) = match action {
        "purchase.supplier_add" => ("新增供应商", "supplier added"),
        "purchase.assign" => ("设置商品供应商", "products assigned to a supplier"),
        "purchase.create" => ("新建采购单", "purchase order drafted"),
        "purchase.place" => ("采购下单", "purchase order placed"),
        "purchase.cancel" => ("取消采购单", "purchase order cancelled"),
        "purchase.close" => ("采购单结案", "purchase order closed short"),
        "purchase.receive" => ("采购到货入库", "purchase receipt"),
        _ => return None,
    };
    Some(lang.pick(zh, en).to_string())
}

// ---------------------------------------------------------------- what people type

/// Messages next to the fields of a form, by field key; an empty key is about the whole form.
#[derive(Debug, Clone, Default)]
pub struct FieldErrors(pub Vec<(String, String)>);

impl FieldErrors {
    pub fn push(&mut self, key: impl Into<String>, message: impl Into<String>) {
        self.0.push((key.into(), message.into()));
    }

    pub fn get(&self, key: &str) -> &str {
        self.0.iter().find(|(k, _)| k == key).map(|(_, m)| m.as_str()).unwrap_or("")
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// One line naming every problem (the page's top message, the API's error).
    pub fn summary(&self, lang: Lang) -> String {
        self.0.iter().map(|(_, m)| m.as_str()).collect::<Vec<_>>().join(lang.pick("；", "; "))
    }

    pub fn as_json(&self) -> serde_json::Value {
        serde_json::Value::Object(
            self.0.iter().map(|(k, m)| (k.clone(), serde_json::Value::String(m.clone()))).collect(),
        )
    }
}

fn whole_number(text: &str) -> Option<i64> {
    let t = text.trim().trim_start_matches('+');
    t.parse::<i64>().ok()
}

/// One line of the new order form, as typed.
#[derive(Debug, Clone, Default)]
pub struct LineForm {
    pub sku: String,
    pub qty: String,
    pub cost: String,
}

impl LineForm {
    fn is_blank(&self) -> bool {
        self.sku.trim().is_empty() && self.qty.trim().is_empty() && self.cost.trim().is_empty()
    }
}

/// The new purchase order form (新建采购单), as typed.
#[derive(Debug, Clone, Default)]
pub struct OrderForm {
    pub csrf: String,
    pub supplier: String,
    pub warehouse: String,
    pub expected: String,
    pub note: String,
    pub lines: Vec<LineForm>,
    /// `more`: add blank lines instead of saving; `place`: save and place at once.
    pub action: String,
}

impl OrderForm {
    /// From the posted pairs: `sku_0`, `qty_0`, `cost_0`, `sku_1`, …
    pub fn from_pairs(pairs: &[(String, String)]) -> OrderForm {
        let mut f = OrderForm::default();
        let mut lines: BTreeMap<usize, LineForm> = BTreeMap::new();
        for (k, v) in pairs {
            match k.as_str() {
                "csrf" => f.csrf = v.clone(),
                "supplier" => f.supplier = v.clone(),
                "warehouse" => f.warehouse = v.clone(),
                "expected" => f.expected = v.clone(),
                "note" => f.note = v.clone(),
                "action" => f.action = v.clone(),
                _ => {
                    let Some((field, index)) = k.rsplit_once('_') else { continue };
                    let Ok(i) = index.parse::<usize>() else { continue };
                    if i >= 500 {
                        continue;
                    }
                    let line = lines.entry(i).or_default();
                    match field {
                        "sku" => line.sku = v.clone(),
                        "qty" => line.qty = v.clone(),
                        "cost" => line.cost = v.clone(),
                        _ => {}
                    }
                }
            }
        }
        f.lines = lines.into_values().filter(|l| !l.is_blank()).collect();
        f
    }
}

/// Checks the form field by field; `today` is the company's day (an expected arrival before it is
/// refused). Keys: supplier, warehouse, expected, lines, sku_N, qty_N, cost_N.
pub fn order_input(f: &OrderForm, today: NaiveDate, lang: Lang) -> Result<PurchaseOrderInput, FieldErrors> {
    let mut errors = FieldErrors::default();
    if f.supplier.trim().is_empty() {
        errors.push("supplier", lang.pick("请选择供应商", "choose the supplier"));
    }
    let expected = match f.expected.trim() {
        "" => None,
        t => match NaiveDate::parse_from_str(t, "%Y-%m-%d") {
            Ok(d) if d < today => {
                errors.push(
                    "expected",
                    lang.pick("预计到货日期不能早于今天", "the expected arrival cannot be before today"),
                );
                None
            }
            Ok(d) => Some(d),
            Err(_) => {
                errors
                    .push("expected", format!("{}{t}", lang.pick("日期应写成 YYYY-MM-DD：", "a date is YYYY-MM-DD: ")));
                None
            }
        },
    };
    let mut lines = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    for (i, l) in f.lines.iter().enumerate() {
        let sku = l.sku.trim();
        if sku.is_empty() {
            errors.push(format!("sku_{i}"), lang.pick("请填写商家编码", "give the SKU code"));
        } else if !seen.insert(sku.to_string()) {
            errors.push(
                format!("sku_{i}"),
                format!(
                    "{sku}{}",
                    lang.pick(" 重复了，同一商家编码只写一行", " is on two lines; use one line per SKU")
                ),
            );
        }
        let qty = match l.qty.trim() {
            "" => {
                errors.push(format!("qty_{i}"), lang.pick("请填写采购数量", "give the quantity"));
                None
            }
            t => match whole_number(t) {
                Some(n) if (1..=MAX_QTY).contains(&n) => Some(n),
                Some(n) if n < 1 => {
                    errors.push(format!("qty_{i}"), lang.pick("采购数量至少为 1", "order at least 1"));
                    None
                }
                Some(_) => {
                    errors.push(format!("qty_{i}"), lang.pick("采购数量太大，请检查", "that quantity is too large"));
                    None
                }
                None => {
                    errors.push(format!("qty_{i}"), lang.pick("数量要写整数，比如 20", "a whole number such as 20"));
                    None
                }
            },
        };
        let cost = match l.cost.trim() {
            "" => None,
            t => match Money::parse(t) {
                Ok(m) if m.is_negative() => {
                    errors.push(format!("cost_{i}"), lang.pick("采购单价不能为负数", "the cost cannot be negative"));
                    None
                }
                Ok(m) if m > MAX_UNIT_COST => {
                    errors.push(format!("cost_{i}"), lang.pick("采购单价太大，请检查", "that cost is too large"));
                    None
                }
                Ok(m) => Some(m),
                Err(_) => {
                    errors.push(
                        format!("cost_{i}"),
                        lang.pick("单价要写成金额，比如 35.00", "the cost must be money such as 35.00"),
                    );
                    None
                }
            },
        };
        if let Some(qty) = qty {
            lines.push(PurchaseLineInput { sku: sku.to_string(), qty, unit_cost: cost, expected: None });
        }
    }
    if f.lines.is_empty() {
        errors.push("lines", lang.pick("至少填写一行商品", "add at least one line"));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(PurchaseOrderInput {
        supplier: f.supplier.trim().to_string(),
        warehouse: Some(f.warehouse.trim().to_string()).filter(|w| !w.is_empty()),
        expected,
        note: f.note.trim().to_string(),
        lines,
    })
}

/// Puts a refusal of the use case next to the field it is about.
fn order_error(e: &PurchaseError, f: &OrderForm, lang: Lang) -> FieldErrors {
    let mut errors = FieldErrors::default();
    let line_of = |code: &str| f.lines.iter().position(|l| l.sku.trim() == code);
    match e {
        PurchaseError::UnknownSupplier(_) => errors.push("supplier", e.message(lang)),
        PurchaseError::UnknownWarehouse(_) => errors.push("warehouse", e.message(lang)),
        PurchaseError::UnknownSku(code) => match line_of(code) {
            Some(i) => errors.push(format!("sku_{i}"), e.message(lang)),
            None => errors.push("", e.message(lang)),
        },
        _ => errors.push("", e.message(lang)),
    }
    errors
}

/// The receipt form (到货入库), as typed: `qty_<line id>` and the note.
#[derive(Debug, Clone, Default)]
pub struct ReceiveForm {
    pub csrf: String,
    pub note: String,
    pub qty: HashMap<i64, String>,
}

impl ReceiveForm {
    pub fn from_pairs(pairs: &[(String, String)]) -> ReceiveForm {
        let mut f = ReceiveForm::default();
        for (k, v) in pairs {
            match k.as_str() {
                "csrf" => f.csrf = v.clone(),
                "note" => f.note = v.clone(),
                _ => {
                    if let Some(id) = k.strip_prefix("qty_").and_then(|id| id.parse::<i64>().ok()) {
                        f.qty.insert(id, v.clone());
                    }
                }
            }
        }
        f
    }
}

/// Checks a receipt against the order: whole numbers, at least one unit, and a note when more
/// arrive than are still due (超收). Keys: qty_<line id>, note, receipts.
pub fn receipts_input(d: &PurchaseDetail, f: &ReceiveForm, lang: Lang) -> Result<Vec<ReceiptInput>, FieldErrors> {
    let mut errors = FieldErrors::default();
    let mut out = Vec::new();
    let mut over = Vec::new();
    for l in &d.lines {
        let line = &l.line;
        let text = f.qty.get(&line.id).map(|s| s.trim()).unwrap_or("");
        if text.is_empty() {
            continue;
        }
        match whole_number(text) {
            Some(0) => {}
            Some(n) if (1..=MAX_QTY).contains(&n) => {
                let remaining = (line.qty_ordered - line.qty_received).max(0);
                if n > remaining {
                    over.push(format!("{} {}{}", line.outer_sku_id, lang.pick("超收 ", "over by "), n - remaining));
                }
                out.push(ReceiptInput { sku: line.outer_sku_id.clone(), qty: n, note: f.note.trim().to_string() });
            }
            Some(n) if n < 0 => errors.push(
                format!("qty_{}", line.id),
                lang.pick(
                    "到货数量不能为负数；退回供应商请做库存调整",
                    "cannot be negative; goods sent back are a stock adjustment",
                ),
            ),
            Some(_) => {
                errors.push(format!("qty_{}", line.id), lang.pick("到货数量太大，请检查", "that quantity is too large"))
            }
            None => {
                errors.push(format!("qty_{}", line.id), lang.pick("数量要写整数，比如 10", "a whole number such as 10"))
            }
        }
    }
    if !over.is_empty() && f.note.trim().is_empty() {
        errors.push(
            "note",
            format!(
                "{}{}",
                over.join(lang.pick("、", ", ")),
                lang.pick("：到货多于未到数量，超收必须填写说明", ": more than is still due arrived; say why"),
            ),
        );
    }
    if out.is_empty() && errors.is_empty() {
        errors.push("receipts", lang.pick("请填写本次到货的数量", "enter the quantities that arrived"));
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

fn receive_error(e: &PurchaseError, lang: Lang) -> FieldErrors {
    let mut errors = FieldErrors::default();
    match e {
        PurchaseError::Invalid { field: "note", .. } => errors.push("note", e.message(lang)),
        _ => errors.push("receipts", e.message(lang)),
    }
    errors
}

/// A supplier as typed on the suppliers page (or sent to the API).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SupplierForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub contact: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub lead_time_days: String,
    #[serde(default)]
    pub pack_size: String,
}

/// Keys: name, lead_time_days, pack_size.
pub fn supplier_input(f: &SupplierForm, lang: Lang) -> Result<SupplierInput, FieldErrors> {
    let mut errors = FieldErrors::default();
    if f.name.trim().is_empty() {
        errors.push("name", lang.pick("请填写供应商名称", "give the supplier's name"));
    }
    let lead = match f.lead_time_days.trim() {
        "" => 7,
        t => match whole_number(t) {
            Some(n) if (0..=365).contains(&n) => n,
            Some(_) => {
                errors.push("lead_time_days", lang.pick("采购周期应在 0 到 365 天之间", "between 0 and 365 days"));
                7
            }
            None => {
                errors.push("lead_time_days", lang.pick("采购周期要写整数天数，比如 7", "whole days such as 7"));
                7
            }
        },
    };
    let pack = match f.pack_size.trim() {
        "" => 1,
        t => match whole_number(t) {
            Some(n) if (1..=100_000).contains(&n) => n,
            Some(_) => {
                errors.push("pack_size", lang.pick("箱规至少为 1", "the pack size is at least 1"));
                1
            }
            None => {
                errors.push("pack_size", lang.pick("箱规要写整数，比如 10", "a whole number such as 10"));
                1
            }
        },
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(SupplierInput {
        name: f.name.trim().to_string(),
        contact: f.contact.trim().to_string(),
        phone: f.phone.trim().to_string(),
        lead_time_days: lead,
        pack_size: pack,
    })
}

fn supplier_error(e: &PurchaseError, lang: Lang) -> FieldErrors {
    let mut errors = FieldErrors::default();
    match e {
        PurchaseError::DuplicateSupplier(_) => errors.push("name", e.message(lang)),
        PurchaseError::Invalid { field, .. } => errors.push(*field, e.message(lang)),
        _ => errors.push("", e.message(lang)),
    }
    errors
}

// ---------------------------------------------------------------- how things are shown

fn opt(value: impl Into<String>, label: impl Into<String>, selected: bool) -> Opt {
    Opt { value: value.into(), label: label.into(), selected }
}

fn day(t: Option<DateTime<Utc>>, zone: chrono_tz::Tz) -> String {
    t.map(|t| zhanggui_app::clock::local_day(t, zone).to_string()).unwrap_or_else(|| "—".into())
}

pub fn today(web: &Web) -> NaiveDate {
    zhanggui_app::clock::local_day(Utc::now(), web.zone)
}

/// The status of an order as the shop says it, and its tag colour; an order closed short reads 已结案.
pub fn status_label(o: &PurchaseOrderRow, lang: Lang) -> (String, &'static str) {
    if o.closed_short() {
        return (lang.pick("已结案（短收）", "Closed short").into(), "tag-closed");
    }
    let class = match o.status {
        PurchaseStatus::Draft => "tag-wait",
        PurchaseStatus::Ordered => "tag-transit",
        PurchaseStatus::PartiallyReceived => "tag-ship",
        PurchaseStatus::Received => "tag-done",
        PurchaseStatus::Cancelled => "tag-closed",
    };
    let en = match o.status {
        PurchaseStatus::Draft => "Draft",
        PurchaseStatus::Ordered => "Ordered",
        PurchaseStatus::PartiallyReceived => "Partly received",
        PurchaseStatus::Received => "Received",
        PurchaseStatus::Cancelled => "Cancelled",
    };
    (lang.pick(o.status.label_zh(), en).into(), class)
}

fn arrival_label(s: ArrivalState, lang: Lang) -> &'static str {
    let en = match s {
        ArrivalState::Late => "Late",
        ArrivalState::Today => "Due today",
        ArrivalState::Upcoming => "Upcoming",
        ArrivalState::Unscheduled => "No date",
    };
    lang.pick(s.label_zh(), en)
}

/// "逾期 3 天" / "3 days late".
fn late_text(days: i64, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("逾期 {days} 天"),
        Lang::En if days == 1 => "1 day late".into(),
        Lang::En => format!("{days} days late"),
    }
}

/// For each order with something late: how many days the latest-due late line is over.
pub fn late_orders(arrivals: &[Arrival], today: NaiveDate) -> HashMap<i64, i64> {
    let mut out: HashMap<i64, i64> = HashMap::new();
    for a in arrivals.iter().filter(|a| a.state == ArrivalState::Late) {
        let days = a.expected_day.map(|d| (today - d).num_days()).unwrap_or(0);
        let e = out.entry(a.row.purchase_order_id).or_insert(0);
        *e = (*e).max(days);
    }
    out
}

fn money_or_dash(m: Money, show: bool) -> String {
    if show { view::money(m) } else { String::new() }
}

// ---------------------------------------------------------------- the order list

#[derive(Deserialize, Default, Clone)]
pub struct PurchaseQuery {
    /// A status code, or `open` (已下单 and 部分到货).
    #[serde(default)]
    pub status: String,
    /// The supplier's name.
    #[serde(default)]
    pub supplier: String,
    /// Non-empty: only orders with a late line.
    #[serde(default)]
    pub late: String,
    /// Order codes separated by commas (the orders just drafted).
    #[serde(default)]
    pub codes: String,
    #[serde(default)]
    pub page: String,
    /// What was just done (a notice).
    #[serde(default)]
    pub ok: String,
    /// SKUs the replenishment drafts left out: without a supplier, with nothing to order.
    #[serde(default)]
    pub skip_supplier: String,
    #[serde(default)]
    pub skip_none: String,
}

impl PurchaseQuery {
    fn link(&self, page: i64) -> String {
        let p = if page > 1 { page.to_string() } else { String::new() };
        format!(
            "/purchasing/orders{}",
            query_string(&[
                ("status", &self.status),
                ("supplier", &self.supplier),
                ("late", &self.late),
                ("codes", &self.codes),
                ("page", &p),
            ])
        )
    }
}

/// The orders a list's filters select, newest first, with how late each is; the message names the
/// filters not understood.
pub async fn filtered_orders(
    app: &App,
    actor: &Actor,
    q: &PurchaseQuery,
    today: NaiveDate,
    lang: Lang,
) -> Result<(Vec<(PurchaseOrderRow, Option<i64>)>, String), PurchaseError> {
    let mut problems = Vec::new();
    let status = match q.status.trim() {
        "" | "open" => None,
        s => match s.parse::<PurchaseStatus>() {
            Ok(s) => Some(s),
            Err(_) => {
                problems.push(lang.pick("状态", "status"));
                None
            }
        },
    };
    let supplier = Some(q.supplier.trim()).filter(|s| !s.is_empty());
    let rows = match app.purchase_orders(actor, status, supplier).await {
        Err(PurchaseError::UnknownSupplier(_)) => {
            problems.push(lang.pick("供应商", "supplier"));
            app.purchase_orders(actor, status, None).await?
        }
        other => other?,
    };
    let late = late_orders(&app.expected_arrivals(actor, Utc::now()).await?, today);
    let codes: HashSet<&str> = q.codes.split(',').map(str::trim).filter(|c| !c.is_empty()).collect();
    let out = rows
        .into_iter()
        .filter(|o| q.status.trim() != "open" || o.status.is_open())
        .filter(|o| codes.is_empty() || codes.contains(o.code.as_str()))
        .map(|o| {
            let l = late.get(&o.id).copied();
            (o, l)
        })
        .filter(|(_, l)| q.late.trim().is_empty() || l.is_some())
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
    Ok((out, message))
}

pub struct OrderRowView {
    pub code: String,
    pub code_q: String,
    pub supplier: String,
    pub warehouse: String,
    pub status: String,
    pub status_class: &'static str,
    pub created: String,
    pub ordered: String,
    pub expected: String,
    pub late: String,
    pub qty_ordered: i64,
    pub qty_received: i64,
    pub amount: String,
    pub note: String,
}

fn order_row_view(
    o: &PurchaseOrderRow,
    late: Option<i64>,
    costs: bool,
    zone: chrono_tz::Tz,
    lang: Lang,
) -> OrderRowView {
    let (status, status_class) = status_label(o, lang);
    OrderRowView {
        code: o.code.clone(),
        code_q: encode(&o.code),
        supplier: o.supplier_name.clone(),
        warehouse: o.warehouse_code.clone(),
        status,
        status_class,
        created: view::time(o.created_at, zone),
        ordered: day(o.ordered_at, zone),
        expected: day(o.expected_at, zone),
        late: late.map(|d| late_text(d, lang)).unwrap_or_default(),
        qty_ordered: o.qty_ordered,
        qty_received: o.qty_received,
        amount: money_or_dash(o.amount, costs),
        note: o.note.clone(),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "purchase_orders.html")]
struct OrdersPage {
    c: Chrome,
    tab: &'static str,
    q: PurchaseQuery,
    statuses: Vec<Opt>,
    suppliers: Vec<Opt>,
    filter_error: String,
    costs: bool,
    can_manage: bool,
    rows: Vec<OrderRowView>,
    total_ordered: i64,
    total_received: i64,
    total_amount: String,
    count: usize,
    late_count: usize,
    prev_link: String,
    next_link: String,
    export_link: String,
}

fn list_notice(q: &PurchaseQuery, lang: Lang) -> String {
    let mut parts = Vec::new();
    if q.ok == "drafted" {
        let n = q.codes.split(',').filter(|c| !c.trim().is_empty()).count();
        parts.push(match lang {
            Lang::Zh => format!("已按补货需求表生成 {n} 张采购单草稿（每个供应商一张），核对后逐张下单。"),
            Lang::En => format!(
                "{n} draft purchase orders made from the replenishment table, one per supplier; check and place each."
            ),
        });
    }
    if !q.skip_supplier.trim().is_empty() {
        parts.push(format!(
            "{}{}",
            lang.pick("未设置供应商，没有下单：", "Left out, their products have no supplier: "),
            q.skip_supplier.trim()
        ));
    }
    if !q.skip_none.trim().is_empty() {
        parts.push(format!(
            "{}{}",
            lang.pick("无需补货，没有下单：", "Left out, nothing to order: "),
            q.skip_none.trim()
        ));
    }
    parts.join(" ")
}

pub async fn orders(State(web): State<Web>, a: Authed, Query(q): Query<PurchaseQuery>) -> Response {
    if let Err(r) = allowed(&a, Act::View) {
        return r;
    }
    let lang = a.lang;
    let actor = a.user().actor();
    let costs = sees_costs(a.user());
    let (rows, filter_error) = match filtered_orders(&web.app, &actor, &q, today(&web), lang).await {
        Ok(r) => r,
        Err(e) => return error_page(lang, &e),
    };
    let suppliers = match web.app.suppliers(&actor).await {
        Ok(s) => s,
        Err(e) => return error_page(lang, &e),
    };
    let page = q.page.trim().parse::<i64>().ok().filter(|p| *p >= 1).unwrap_or(1).min(1_000_000);
    let start = usize::try_from((page - 1) * PAGE).unwrap_or(usize::MAX);
    let count = rows.len();
    let late_count = rows.iter().filter(|(_, l)| l.is_some()).count();
    let more = count > start.saturating_add(PAGE as usize);
    let shown: Vec<OrderRowView> = rows
        .iter()
        .skip(start)
        .take(PAGE as usize)
        .map(|(o, l)| order_row_view(o, *l, costs, web.zone, lang))
        .collect();
    let page_rows: Vec<&PurchaseOrderRow> = rows.iter().skip(start).take(PAGE as usize).map(|(o, _)| o).collect();
    let mut statuses = vec![
        opt("", lang.pick("全部状态", "All statuses"), q.status.trim().is_empty()),
        opt(
            "open",
            lang.pick("未完成（已下单、部分到货）", "Open (ordered, partly received)"),
            q.status.trim() == "open",
        ),
    ];
    statuses.extend(PurchaseStatus::ALL.iter().map(|s| {
        let sample = PurchaseOrderRow { status: *s, ..blank_order() };
        opt(s.code(), status_label(&sample, lang).0, q.status.trim() == s.code())
    }));
    let mut supplier_opts = vec![opt("", lang.pick("全部供应商", "All suppliers"), q.supplier.trim().is_empty())];
    supplier_opts.extend(suppliers.iter().map(|s| opt(s.name.clone(), s.name.clone(), q.supplier.trim() == s.name)));
    let mut c = Chrome::new(&a, &web, "purchasing", &q.link(page));
    c.notice = list_notice(&q, lang);
    let view = OrdersPage {
        c,
        tab: "orders",
        statuses,
        suppliers: supplier_opts,
        filter_error,
        costs,
        can_manage: may(a.user(), Act::Manage),
        total_ordered: page_rows.iter().map(|o| o.qty_ordered).sum(),
        total_received: page_rows.iter().map(|o| o.qty_received).sum(),
        total_amount: money_or_dash(page_rows.iter().map(|o| o.amount).sum(), costs),
        rows: shown,
        count,
        late_count,
        prev_link: if page > 1 { q.link(page - 1) } else { String::new() },
        next_link: if more { q.link(page + 1) } else { String::new() },
        export_link: q.link(1).replacen("/purchasing/orders", "/purchasing/orders/xlsx", 1),
        q,
    };
    view.into_response()
}

/// An order with nothing in it, to name a status.
fn blank_order() -> PurchaseOrderRow {
    PurchaseOrderRow {
        id: 0,
        code: String::new(),
        supplier_id: 0,
        supplier_name: String::new(),
        warehouse_id: 0,
        warehouse_code: String::new(),
        status: PurchaseStatus::Draft,
        ordered_at: None,
        expected_at: None,
        closed_at: None,
        note: String::new(),
        created_at: DateTime::<Utc>::UNIX_EPOCH,
        created_by: String::new(),
        qty_ordered: 0,
        qty_received: 0,
        amount: Money::ZERO,
        lines_short: 0,
    }
}

fn xlsx_response(tables: &[ReportTable], name: &str, lang: Lang) -> Response {
    match xlsx_bytes(tables) {
        Ok(bytes) => (
            [
                (CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string()),
                (CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => {
            tracing::error!("xlsx: {e}");
            (StatusCode::INTERNAL_SERVER_ERROR, lang.pick("无法生成 Excel 文件", "cannot write the workbook"))
                .into_response()
        }
    }
}

/// 导出 Excel: every order the list's filters select (all pages); costs only for those who see them.
pub async fn orders_xlsx(State(web): State<Web>, a: Authed, Query(q): Query<PurchaseQuery>) -> Response {
    if let Err(r) = allowed(&a, Act::View) {
        return r;
    }
    let lang = a.lang;
    let costs = sees_costs(a.user());
    let (rows, _) = match filtered_orders(&web.app, &a.user().actor(), &q, today(&web), lang).await {
        Ok(r) => r,
        Err(e) => return error_page(lang, &e),
    };
    let mut headers = vec![
        ("采购单号", "Order"),
        ("供应商", "Supplier"),
        ("收货仓库", "Warehouse"),
        ("状态", "Status"),
        ("新建时间", "Created"),
        ("下单日期", "Placed"),
        ("预计到货", "Expected"),
        ("逾期", "Late"),
        ("采购数量", "Ordered"),
        ("已到货", "Received"),
    ];
    if costs {
        headers.push(("采购金额", "Amount"));
    }
    headers.push(("备注", "Note"));
    let text = ReportCell::Text;
    let table_rows = rows
        .iter()
        .map(|(o, late)| {
            let v = order_row_view(o, *late, costs, web.zone, lang);
            let mut row = vec![
                text(v.code),
                text(v.supplier),
                text(v.warehouse),
                text(v.status),
                text(v.created),
                text(v.ordered),
                text(v.expected),
                text(v.late),
                ReportCell::Int(o.qty_ordered),
                ReportCell::Int(o.qty_received),
            ];
            if costs {
                row.push(ReportCell::Decimal(o.amount.to_plain(), 2));
            }
            row.push(text(v.note));
            row
        })
        .collect();
    let table = ReportTable {
        title: lang.pick("采购单", "Purchase orders").into(),
        headers: headers.iter().map(|(zh, en)| lang.pick(zh, en).to_string()).collect(),
        rows: table_rows,
    };
    let name = format!("zhanggui-purchase-orders-{}.xlsx", today(&web));
    xlsx_response(&[table], &name, lang)
}

// ---------------------------------------------------------------- a new order

pub struct LineRowView {
    pub i: usize,
    pub sku: String,
    pub qty: String,
    pub cost: String,
    pub sku_err: String,
    pub qty_err: String,
    pub cost_err: String,
}

pub struct SkuOpt {
    pub code: String,
    pub label: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "purchase_new.html")]
struct NewOrderPage {
    c: Chrome,
    tab: &'static str,
    f: OrderForm,
    suppliers: Vec<Opt>,
    warehouses: Vec<Opt>,
    lines: Vec<LineRowView>,
    skus: Vec<SkuOpt>,
    supplier_err: String,
    warehouse_err: String,
    expected_err: String,
    lines_err: String,
    min_day: String,
}

#[derive(Deserialize, Default)]
pub struct NewOrderQuery {
    #[serde(default)]
    supplier: String,
}

async fn render_new(web: &Web, a: &Authed, f: OrderForm, errors: FieldErrors, extra: usize) -> Response {
    let lang = a.lang;
    let actor = a.user().actor();
    let suppliers = match web.app.suppliers(&actor).await {
        Ok(s) => s,
        Err(e) => return error_page(lang, &e),
    };
    let warehouses = match web.app.warehouses(&actor).await {
        Ok(w) => w,
        Err(e) => return error_page(lang, &e),
    };
    let skus = match web.app.skus_with_suppliers(&actor).await {
        Ok(s) => s,
        Err(e) => return error_page(lang, &e),
    };
    let mut supplier_opts = vec![opt("", lang.pick("请选择供应商", "Choose a supplier"), f.supplier.trim().is_empty())];
    supplier_opts.extend(suppliers.iter().map(|s| {
        let label = match lang {
            Lang::Zh => format!("{}（采购周期 {} 天，箱规 {}）", s.name, s.lead_time_days, s.pack_size),
            Lang::En => format!("{} (lead time {} d, pack of {})", s.name, s.lead_time_days, s.pack_size),
        };
        opt(s.name.clone(), label, f.supplier.trim() == s.name)
    }));
    let warehouse_opts = warehouses
        .iter()
        .filter(|w| w.sellable)
        .enumerate()
        .map(|(i, w)| {
            let selected = if f.warehouse.trim().is_empty() { i == 0 } else { f.warehouse.trim() == w.code };
            opt(w.code.clone(), format!("{} {}", w.code, w.name), selected)
        })
        .collect();
    let count = f.lines.len() + extra.max(if f.lines.is_empty() { 5 } else { 0 });
    let lines = (0..count)
        .map(|i| {
            let l = f.lines.get(i).cloned().unwrap_or_default();
            LineRowView {
                i,
                sku: l.sku,
                qty: l.qty,
                cost: l.cost,
                sku_err: errors.get(&format!("sku_{i}")).to_string(),
                qty_err: errors.get(&format!("qty_{i}")).to_string(),
                cost_err: errors.get(&format!("cost_{i}")).to_string(),
            }
        })
        .collect();
    let sku_opts = skus
        .iter()
        .map(|s| {
            let supplier = s.supplier_name.clone().unwrap_or_default();
            SkuOpt {
                code: s.outer_sku_id.clone(),
                label: format!("{} {} · {} {} {}", s.title, s.properties, lang.pick("成本", "cost"), s.cost, supplier)
                    .trim()
                    .to_string(),
            }
        })
        .collect();
    let mut c = Chrome::new(a, web, "purchasing", "/purchasing/orders/new");
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        c.error =
            format!("{}{}", lang.pick("采购单没有保存：", "The order was not saved: "), order_summary(&errors, lang));
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = NewOrderPage {
        c,
        tab: "new",
        suppliers: supplier_opts,
        warehouses: warehouse_opts,
        lines,
        skus: sku_opts,
        supplier_err: errors.get("supplier").into(),
        warehouse_err: errors.get("warehouse").into(),
        expected_err: errors.get("expected").into(),
        lines_err: errors.get("lines").into(),
        min_day: today(web).to_string(),
        f,
    };
    (status, page).into_response()
}

/// The problems of the new order form in one line, each line's named by its number.
fn order_summary(errors: &FieldErrors, lang: Lang) -> String {
    errors
        .0
        .iter()
        .map(|(key, message)| {
            let line = key
                .rsplit_once('_')
                .filter(|(field, _)| matches!(*field, "sku" | "qty" | "cost"))
                .and_then(|(_, i)| i.parse::<usize>().ok());
            match (line, lang) {
                (Some(i), Lang::Zh) => format!("第 {} 行：{message}", i + 1),
                (Some(i), Lang::En) => format!("line {}: {message}", i + 1),
                (None, _) => message.clone(),
            }
        })
        .collect::<Vec<_>>()
        .join(lang.pick("；", "; "))
}

pub async fn new_order(State(web): State<Web>, a: Authed, Query(q): Query<NewOrderQuery>) -> Response {
    if let Err(r) = allowed(&a, Act::Manage) {
        return r;
    }
    let f = OrderForm { supplier: q.supplier, ..Default::default() };
    render_new(&web, &a, f, FieldErrors::default(), 5).await
}

pub async fn create_order(State(web): State<Web>, a: Authed, Form(pairs): Form<Vec<(String, String)>>) -> Response {
    let f = OrderForm::from_pairs(&pairs);
    if let Err(r) = crate::pages::check_csrf(&a, &f.csrf).and_then(|()| allowed(&a, Act::Manage)) {
        return r;
    }
    let lang = a.lang;
    if f.action == "more" {
        return render_new(&web, &a, f, FieldErrors::default(), 5).await;
    }
    let input = match order_input(&f, today(&web), lang) {
        Ok(i) => i,
        Err(errors) => return render_new(&web, &a, f, errors, 1).await,
    };
    let actor = a.user().actor();
    let po = match create(&web.app, &actor, &input).await {
        Ok(po) => po,
        Err(e) => {
            let errors = order_error(&e, &f, lang);
            return render_new(&web, &a, f, errors, 1).await;
        }
    };
    if f.action == "place" {
        if let Err(e) = move_order(&web.app, &actor, &po.code, Move::Place).await {
            let m = OrderMessages { error: e.message(lang), status: Some(auth::http_status(&e)), ..Default::default() };
            return render_order(&web, &a, &po.code, m).await;
        }
        return Redirect::to(&format!("/purchasing/orders/{}?ok=placed", encode(&po.code))).into_response();
    }
    Redirect::to(&format!("/purchasing/orders/{}?ok=drafted", encode(&po.code))).into_response()
}

// ---------------------------------------------------------------- one order

pub struct PoLineView {
    pub id: i64,
    pub code: String,
    pub code_q: String,
    pub title: String,
    pub properties: String,
    pub ordered: i64,
    pub received: i64,
    pub remaining: i64,
    pub short: i64,
    pub over: i64,
    pub unit_cost: String,
    pub amount: String,
    pub expected: String,
    pub typed: String,
    pub err: String,
}

pub struct ReceiptView {
    pub at: String,
    pub code: String,
    pub qty: i64,
    pub unit_cost: String,
    pub note: String,
    pub user: String,
}

pub struct HistoryView {
    pub at: String,
    pub event: String,
    pub user: String,
    pub detail: String,
}

fn history_view(e: &PurchaseHistoryEntry, zone: chrono_tz::Tz, lang: Lang) -> HistoryView {
    let detail = if e.sku.is_empty() {
        String::new()
    } else if e.note.is_empty() {
        format!("{} +{}", e.sku, e.qty)
    } else {
        format!("{} +{}{}{}", e.sku, e.qty, lang.pick("，说明：", "; note: "), e.note)
    };
    HistoryView {
        at: view::time(e.at, zone),
        event: lang.pick(e.label_zh(), e.label_en()).into(),
        user: if e.user.is_empty() { "—".into() } else { e.user.clone() },
        detail,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "purchase_order.html")]
struct OrderPage {
    c: Chrome,
    o: PurchaseOrderRow,
    key_q: String,
    status: String,
    status_class: &'static str,
    created: String,
    ordered: String,
    expected: String,
    closed: String,
    late: String,
    costs: bool,
    amount: String,
    received_amount: String,
    still_due: i64,
    lines: Vec<PoLineView>,
    receipts: Vec<ReceiptView>,
    history: Vec<HistoryView>,
    can_place: bool,
    can_cancel: bool,
    can_close: bool,
    can_receive: bool,
    can_sheet: bool,
    note: String,
    note_err: String,
    receipts_err: String,
}

#[derive(Default)]
struct OrderMessages {
    notice: String,
    error: String,
    typed: ReceiveForm,
    errors: FieldErrors,
    status: Option<StatusCode>,
}

async fn render_order(web: &Web, a: &Authed, key: &str, m: OrderMessages) -> Response {
    let lang = a.lang;
    let zone = web.zone;
    let actor = a.user().actor();
    let (d, history) = match web.app.purchase_detail_with_history(&actor, key).await {
        Ok(x) => x,
        Err(e) => return error_page(lang, &e),
    };
    let arrivals = match web.app.expected_arrivals(&actor, Utc::now()).await {
        Ok(x) => x,
        Err(e) => return error_page(lang, &e),
    };
    let costs = sees_costs(a.user());
    let o = d.order.clone();
    let late = late_orders(&arrivals, today(web)).get(&o.id).map(|n| late_text(*n, lang)).unwrap_or_default();
    let (status, status_class) = status_label(&o, lang);
    let lines: Vec<PoLineView> = d
        .lines
        .iter()
        .map(|l| {
            let line = &l.line;
            let (short, over) = match l.variance {
                ReceiptVariance::Exact => (0, 0),
                ReceiptVariance::Short(n) => (n, 0),
                ReceiptVariance::Over(n) => (0, n),
            };
            PoLineView {
                id: line.id,
                code: line.outer_sku_id.clone(),
                code_q: encode(&line.outer_sku_id),
                title: line.title.clone(),
                properties: line.properties.clone(),
                ordered: line.qty_ordered,
                received: line.qty_received,
                remaining: (line.qty_ordered - line.qty_received).max(0),
                short,
                over,
                unit_cost: money_or_dash(line.unit_cost, costs),
                amount: money_or_dash(line.unit_cost * line.qty_ordered, costs),
                expected: day(line.expected_at.or(o.expected_at), zone),
                typed: m.typed.qty.get(&line.id).cloned().unwrap_or_default(),
                err: m.errors.get(&format!("qty_{}", line.id)).to_string(),
            }
        })
        .collect();
    let receipts = d
        .receipts
        .iter()
        .map(|r| ReceiptView {
            at: view::time(r.received_at, zone),
            code: r.outer_sku_id.clone(),
            qty: r.qty,
            unit_cost: money_or_dash(r.unit_cost, costs),
            note: r.note.clone(),
            user: r.user_name.clone(),
        })
        .collect();
    let manage = may(a.user(), Act::Manage);
    let mut c = Chrome::new(a, web, "purchasing", &format!("/purchasing/orders/{}", encode(&o.code)));
    c.notice = m.notice;
    c.error = m.error;
    let page = OrderPage {
        c,
        key_q: encode(&o.code),
        status,
        status_class,
        created: format!("{}（{}）", view::time(o.created_at, zone), o.created_by),
        ordered: day(o.ordered_at, zone),
        expected: day(o.expected_at, zone),
        closed: day(o.closed_at, zone),
        late,
        costs,
        amount: money_or_dash(o.amount, costs),
        received_amount: money_or_dash(d.lines.iter().map(|l| l.line.unit_cost * l.line.qty_received).sum(), costs),
        still_due: lines.iter().map(|l| l.remaining).sum(),
        lines,
        receipts,
        history: history.iter().map(|e| history_view(e, zone, lang)).collect(),
        can_place: manage && o.status == PurchaseStatus::Draft,
        can_cancel: manage && matches!(o.status, PurchaseStatus::Draft | PurchaseStatus::Ordered),
        can_close: manage && o.status == PurchaseStatus::PartiallyReceived,
        can_receive: may(a.user(), Act::Receive) && o.status.is_open(),
        can_sheet: costs,
        note: m.typed.note.clone(),
        note_err: m.errors.get("note").into(),
        receipts_err: m.errors.get("receipts").into(),
        o,
    };
    (m.status.unwrap_or(StatusCode::OK), page).into_response()
}

#[derive(Deserialize, Default)]
pub struct OkQuery {
    #[serde(default)]
    ok: String,
}

fn done_text(code: &str, o: &PurchaseOrderRow, lang: Lang) -> String {
    match (code, lang) {
        ("drafted", Lang::Zh) => format!("采购单 {} 已保存为草稿，核对无误后点“下单”。", o.code),
        ("drafted", Lang::En) => format!("Purchase order {} saved as a draft; check it, then place it.", o.code),
        ("placed", Lang::Zh) => format!("已下单：{} 件计入在途，把采购单发给供应商吧。", o.qty_ordered),
        ("placed", Lang::En) => {
            format!("Placed: {} units are now in transit; send the sheet to the supplier.", o.qty_ordered)
        }
        ("received", Lang::Zh) if o.status == PurchaseStatus::Received => "到货已入库，全部到齐，采购单已完成。".into(),
        ("received", Lang::En) if o.status == PurchaseStatus::Received => {
            "Received into stock; everything has arrived and the order is complete.".into()
        }
        ("received", Lang::Zh) => "到货已入库，已记入库存流水并更新成本价；还有未到的商品。".into(),
        ("received", Lang::En) => {
            "Received into stock, written to the ledger and the cost updated; some goods are still due.".into()
        }
        ("cancel", Lang::Zh) => "采购单已取消，不再计入在途。".into(),
        ("cancel", Lang::En) => "The purchase order is cancelled and no longer in transit.".into(),
        ("close", Lang::Zh) => "采购单已结案：未到的部分不再计入在途。".into(),
        ("close", Lang::En) => "Closed short: what did not arrive is no longer in transit.".into(),
        _ => String::new(),
    }
}

pub async fn order(State(web): State<Web>, a: Authed, Path(key): Path<String>, Query(q): Query<OkQuery>) -> Response {
    if let Err(r) = allowed(&a, Act::View) {
        return r;
    }
    let notice = if q.ok.is_empty() {
        String::new()
    } else {
        match web.app.purchase_detail(&a.user().actor(), &key).await {
            Ok(d) => done_text(&q.ok, &d.order, a.lang),
            Err(e) => return error_page(a.lang, &e),
        }
    };
    render_order(&web, &a, &key, OrderMessages { notice, ..Default::default() }).await
}

#[derive(Deserialize, Default)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

async fn step(web: Web, a: Authed, key: String, token: &str, m: Move) -> Response {
    if let Err(r) = crate::pages::check_csrf(&a, token).and_then(|()| allowed(&a, Act::Manage)) {
        return r;
    }
    match move_order(&web.app, &a.user().actor(), &key, m).await {
        Ok(o) => {
            let ok = if m == Move::Place { "placed" } else { m.code() };
            Redirect::to(&format!("/purchasing/orders/{}?ok={ok}", encode(&o.code))).into_response()
        }
        Err(e) => {
            let m =
                OrderMessages { error: e.message(a.lang), status: Some(auth::http_status(&e)), ..Default::default() };
            render_order(&web, &a, &key, m).await
        }
    }
}

pub async fn place(State(web): State<Web>, a: Authed, Path(key): Path<String>, Form(f): Form<CsrfForm>) -> Response {
    step(web, a, key, &f.csrf, Move::Place).await
}

pub async fn cancel(State(web): State<Web>, a: Authed, Path(key): Path<String>, Form(f): Form<CsrfForm>) -> Response {
    step(web, a, key, &f.csrf, Move::Cancel).await
}

pub async fn close(State(web): State<Web>, a: Authed, Path(key): Path<String>, Form(f): Form<CsrfForm>) -> Response {
    step(web, a, key, &f.csrf, Move::Close).await
}

pub async fn receive_form(
    State(web): State<Web>,
    a: Authed,
    Path(key): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let f = ReceiveForm::from_pairs(&pairs);
    if let Err(r) = crate::pages::check_csrf(&a, &f.csrf).and_then(|()| allowed(&a, Act::Receive)) {
        return r;
    }
    let lang = a.lang;
    let actor = a.user().actor();
    let detail = match web.app.purchase_detail(&actor, &key).await {
        Ok(d) => d,
        Err(e) => return error_page(lang, &e),
    };
    let refused = |errors: FieldErrors, status: StatusCode| OrderMessages {
        error: format!("{}{}", lang.pick("没有入库：", "Nothing was received: "), errors.summary(lang)),
        errors,
        status: Some(status),
        typed: f.clone(),
        ..Default::default()
    };
    let receipts = match receipts_input(&detail, &f, lang) {
        Ok(r) => r,
        Err(errors) => return render_order(&web, &a, &key, refused(errors, StatusCode::UNPROCESSABLE_ENTITY)).await,
    };
    match receive(&web.app, &actor, &detail.order.code, &receipts).await {
        Ok(d) => Redirect::to(&format!("/purchasing/orders/{}?ok=received", encode(&d.order.code))).into_response(),
        Err(e) => {
            let status = auth::http_status(&e);
            render_order(&web, &a, &key, refused(receive_error(&e, lang), status)).await
        }
    }
}

/// The order sheet for the supplier (采购单), as the CLI's `purchase export` writes it.
async fn sheet(web: &Web, a: &Authed, key: &str, csv: bool) -> Response {
    if let Err(r) = allowed(a, Act::View) {
        return r;
    }
    if !sees_costs(a.user()) {
        return crate::pages::forbidden(a.lang);
    }
    let tables = match web.app.purchase_order_sheet(&a.user().actor(), key).await {
        Ok(t) => t,
        Err(e) => return error_page(a.lang, &e),
    };
    let code = key.trim().chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect::<String>();
    if !csv {
        return xlsx_response(&tables, &format!("{code}.xlsx"), a.lang);
    }
    let mut buf = Vec::new();
    match write_csv(&tables, &mut buf) {
        Ok(()) => (
            [
                (CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (CONTENT_DISPOSITION, format!("attachment; filename=\"{code}.csv\"")),
            ],
            buf,
        )
            .into_response(),
        Err(e) => {
            tracing::error!("csv: {e}");
            (StatusCode::INTERNAL_SERVER_ERROR, a.lang.pick("无法生成文件", "cannot write the file")).into_response()
        }
    }
}

pub async fn sheet_xlsx(State(web): State<Web>, a: Authed, Path(key): Path<String>) -> Response {
    sheet(&web, &a, &key, false).await
}

pub async fn sheet_csv(State(web): State<Web>, a: Authed, Path(key): Path<String>) -> Response {
    sheet(&web, &a, &key, true).await
}

// ---------------------------------------------------------------- arrivals

#[derive(Deserialize, Default)]
pub struct ArrivalQuery {
    #[serde(default)]
    pub supplier: String,
}

pub struct ArrivalView {
    pub state: String,
    pub state_class: &'static str,
    pub late: bool,
    pub expected: String,
    pub when: String,
    pub po: String,
    pub po_q: String,
    pub supplier: String,
    pub warehouse: String,
    pub code: String,
    pub code_q: String,
    pub title: String,
    pub properties: String,
    pub ordered: i64,
    pub received: i64,
    pub remaining: i64,
}

pub struct ArrivalCard {
    pub id: &'static str,
    pub label: String,
    pub lines: usize,
    pub units: i64,
    pub warn: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "arrivals.html")]
struct ArrivalsPage {
    c: Chrome,
    tab: &'static str,
    suppliers: Vec<Opt>,
    cards: Vec<ArrivalCard>,
    rows: Vec<ArrivalView>,
    can_orders: bool,
    can_receive: bool,
}

pub fn arrival_view(x: &Arrival, today: NaiveDate, lang: Lang) -> ArrivalView {
    let when = match (x.state, x.expected_day) {
        (ArrivalState::Late, Some(d)) => late_text((today - d).num_days(), lang),
        (ArrivalState::Upcoming, Some(d)) => match lang {
            Lang::Zh => format!("还有 {} 天", (d - today).num_days()),
            Lang::En => format!("in {} d", (d - today).num_days()),
        },
        (ArrivalState::Today, _) => lang.pick("今天", "today").into(),
        _ => String::new(),
    };
    ArrivalView {
        state: arrival_label(x.state, lang).into(),
        state_class: match x.state {
            ArrivalState::Late => "tag-warn",
            ArrivalState::Today => "tag-ship",
            ArrivalState::Upcoming => "tag-transit",
            ArrivalState::Unscheduled => "tag-closed",
        },
        late: x.state == ArrivalState::Late,
        expected: x.expected_day.map(|d| d.to_string()).unwrap_or_else(|| "—".into()),
        when,
        po: x.row.purchase_order_code.clone(),
        po_q: encode(&x.row.purchase_order_code),
        supplier: x.row.supplier_name.clone(),
        warehouse: x.row.warehouse_code.clone(),
        code: x.row.outer_sku_id.clone(),
        code_q: encode(&x.row.outer_sku_id),
        title: x.row.title.clone(),
        properties: x.row.properties.clone(),
        ordered: x.row.qty_ordered,
        received: x.row.qty_received,
        remaining: x.remaining,
    }
}

pub async fn arrivals(State(web): State<Web>, a: Authed, Query(q): Query<ArrivalQuery>) -> Response {
    if let Err(r) = allowed(&a, Act::Arrivals) {
        return r;
    }
    let lang = a.lang;
    let actor = a.user().actor();
    let all = match web.app.expected_arrivals(&actor, Utc::now()).await {
        Ok(x) => x,
        Err(e) => return error_page(lang, &e),
    };
    let mut names: Vec<String> = all.iter().map(|x| x.row.supplier_name.clone()).collect();
    names.sort();
    names.dedup();
    let chosen = q.supplier.trim();
    let rows: Vec<&Arrival> = all.iter().filter(|x| chosen.is_empty() || x.row.supplier_name == chosen).collect();
    let today = today(&web);
    let card = |id: &'static str, state: ArrivalState| {
        let of: Vec<&&Arrival> = rows.iter().filter(|x| x.state == state).collect();
        ArrivalCard {
            id,
            label: arrival_label(state, lang).into(),
            lines: of.len(),
            units: of.iter().map(|x| x.remaining).sum(),
            warn: state == ArrivalState::Late && !of.is_empty(),
        }
    };
    let cards = vec![
        card("late", ArrivalState::Late),
        card("today", ArrivalState::Today),
        card("upcoming", ArrivalState::Upcoming),
        card("unscheduled", ArrivalState::Unscheduled),
    ];
    let mut supplier_opts = vec![opt("", lang.pick("全部供应商", "All suppliers"), chosen.is_empty())];
    supplier_opts.extend(names.iter().map(|n| opt(n.clone(), n.clone(), chosen == n)));
    let here = format!("/purchasing/arrivals{}", query_string(&[("supplier", chosen)]));
    let page = ArrivalsPage {
        c: Chrome::new(&a, &web, "purchasing", &here),
        tab: "arrivals",
        suppliers: supplier_opts,
        cards,
        rows: rows.iter().map(|x| arrival_view(x, today, lang)).collect(),
        can_orders: may(a.user(), Act::View),
        can_receive: may(a.user(), Act::Receive),
    };
    page.into_response()
}

// ---------------------------------------------------------------- suppliers

#[derive(Deserialize, Default)]
pub struct SupplierQuery {
    /// Part of a 款号 or title.
    #[serde(default)]
    pub search: String,
    /// Non-empty: only products without a supplier.
    #[serde(default)]
    pub unassigned: String,
    #[serde(default)]
    pub ok: String,
}

pub struct SupplierView {
    pub name: String,
    pub name_q: String,
    pub contact: String,
    pub phone: String,
    pub lead_time_days: i64,
    pub pack_size: i64,
    pub products: usize,
    pub open_orders: usize,
}

pub struct ProductView {
    pub code: String,
    pub title: String,
    pub skus: usize,
    pub supplier: String,
    pub checked: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "suppliers.html")]
struct SuppliersPage {
    c: Chrome,
    tab: &'static str,
    q: SupplierQuery,
    can_manage: bool,
    suppliers: Vec<SupplierView>,
    supplier_opts: Vec<Opt>,
    products: Vec<ProductView>,
    products_total: usize,
    f: SupplierForm,
    name_err: String,
    lead_err: String,
    pack_err: String,
    assign_err: String,
}

#[derive(Default)]
struct SupplierMessages {
    notice: String,
    error: String,
    form: SupplierForm,
    errors: FieldErrors,
    assign_to: String,
    chosen: HashSet<String>,
    status: Option<StatusCode>,
}

/// Products shown at most on the page (narrow with the search).
const PRODUCTS_AT_MOST: usize = 500;

async fn render_suppliers(web: &Web, a: &Authed, q: SupplierQuery, m: SupplierMessages) -> Response {
    let lang = a.lang;
    let actor = a.user().actor();
    let suppliers = match web.app.suppliers(&actor).await {
        Ok(s) => s,
        Err(e) => return error_page(lang, &e),
    };
    let skus = match web.app.skus_with_suppliers(&actor).await {
        Ok(s) => s,
        Err(e) => return error_page(lang, &e),
    };
    let orders = match web.app.purchase_orders(&actor, None, None).await {
        Ok(o) => o,
        Err(e) => return error_page(lang, &e),
    };
    // Products by 款号: title, number of SKUs, supplier.
    let mut products: BTreeMap<String, ProductView> = BTreeMap::new();
    for s in &skus {
        let p = products.entry(s.product_code.clone()).or_insert_with(|| ProductView {
            code: s.product_code.clone(),
            title: s.title.clone(),
            skus: 0,
            supplier: s.supplier_name.clone().unwrap_or_default(),
            checked: m.chosen.contains(&s.product_code),
        });
        p.skus += 1;
    }
    let views = suppliers
        .iter()
        .map(|s| SupplierView {
            name: s.name.clone(),
            name_q: encode(&s.name),
            contact: s.contact.clone(),
            phone: s.phone.clone(),
            lead_time_days: s.lead_time_days,
            pack_size: s.pack_size,
            products: products.values().filter(|p| p.supplier == s.name).count(),
            open_orders: orders.iter().filter(|o| o.supplier_id == s.id && o.status.is_open()).count(),
        })
        .collect();
    let search = q.search.trim().to_lowercase();
    let listed: Vec<ProductView> = products
        .into_values()
        .filter(|p| q.unassigned.trim().is_empty() || p.supplier.is_empty())
        .filter(|p| {
            search.is_empty() || p.code.to_lowercase().contains(&search) || p.title.to_lowercase().contains(&search)
        })
        .collect();
    let products_total = listed.len();
    let mut supplier_opts = vec![opt("", lang.pick("请选择供应商", "Choose a supplier"), m.assign_to.is_empty())];
    supplier_opts.extend(suppliers.iter().map(|s| opt(s.name.clone(), s.name.clone(), m.assign_to == s.name)));
    let here =
        format!("/purchasing/suppliers{}", query_string(&[("search", &q.search), ("unassigned", &q.unassigned)]));
    let mut c = Chrome::new(a, web, "purchasing", &here);
    c.notice = m.notice;
    c.error = m.error;
    let page = SuppliersPage {
        c,
        tab: "suppliers",
        can_manage: may(a.user(), Act::Manage),
        suppliers: views,
        supplier_opts,
        products: listed.into_iter().take(PRODUCTS_AT_MOST).collect(),
        products_total,
        name_err: m.errors.get("name").into(),
        lead_err: m.errors.get("lead_time_days").into(),
        pack_err: m.errors.get("pack_size").into(),
        assign_err: m.errors.get("assign").into(),
        f: m.form,
        q,
    };
    (m.status.unwrap_or(StatusCode::OK), page).into_response()
}

pub async fn suppliers(State(web): State<Web>, a: Authed, Query(q): Query<SupplierQuery>) -> Response {
    if let Err(r) = allowed(&a, Act::View) {
        return r;
    }
    let notice = match (q.ok.split_once(':'), a.lang) {
        (Some(("added", name)), Lang::Zh) => format!("已新增供应商 {name}。"),
        (Some(("added", name)), Lang::En) => format!("Supplier {name} added."),
        (Some(("assigned", n)), Lang::Zh) => format!("已设置 {n} 个商品的供应商，补货需求表按它的采购周期和箱规计算。"),
        (Some(("assigned", n)), Lang::En) => {
            format!("{n} products assigned; the replenishment table uses the supplier's lead time and pack size.")
        }
        _ => String::new(),
    };
    render_suppliers(&web, &a, q, SupplierMessages { notice, ..Default::default() }).await
}

pub async fn supplier_create(State(web): State<Web>, a: Authed, Form(f): Form<SupplierForm>) -> Response {
    if let Err(r) = crate::pages::check_csrf(&a, &f.csrf).and_then(|()| allowed(&a, Act::Manage)) {
        return r;
    }
    let lang = a.lang;
    let result = match supplier_input(&f, lang) {
        Ok(input) => add_supplier(&web.app, &a.user().actor(), &input)
            .await
            .map_err(|e| (supplier_error(&e, lang), auth::http_status(&e))),
        Err(errors) => Err((errors, StatusCode::UNPROCESSABLE_ENTITY)),
    };
    match result {
        Ok(_) => Redirect::to(&format!("/purchasing/suppliers?ok=added:{}", encode(f.name.trim()))).into_response(),
        Err((errors, status)) => {
            let m = SupplierMessages {
                error: format!(
                    "{}{}",
                    lang.pick("供应商没有保存：", "The supplier was not saved: "),
                    errors.summary(lang)
                ),
                form: f,
                errors,
                status: Some(status),
                ..Default::default()
            };
            render_suppliers(&web, &a, SupplierQuery::default(), m).await
        }
    }
}

pub async fn supplier_assign(State(web): State<Web>, a: Authed, Form(pairs): Form<Vec<(String, String)>>) -> Response {
    let value = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
    if let Err(r) = crate::pages::check_csrf(&a, &value("csrf")).and_then(|()| allowed(&a, Act::Manage)) {
        return r;
    }
    let lang = a.lang;
    let supplier = value("supplier");
    let products: Vec<String> = pairs
        .iter()
        .filter(|(k, v)| k == "product" && !v.trim().is_empty())
        .map(|(_, v)| v.trim().to_string())
        .collect();
    let q = SupplierQuery { search: value("search"), unassigned: value("unassigned"), ok: String::new() };
    let mut errors = FieldErrors::default();
    if supplier.trim().is_empty() {
        errors.push("assign", lang.pick("请选择供应商", "choose the supplier"));
    }
    if products.is_empty() {
        errors.push("assign", lang.pick("请勾选商品", "tick the products"));
    }
    let result = if errors.is_empty() {
        assign(&web.app, &a.user().actor(), &supplier, &products).await.map_err(|e| {
            let mut errors = FieldErrors::default();
            errors.push("assign", e.message(lang));
            (errors, auth::http_status(&e))
        })
    } else {
        Err((errors, StatusCode::UNPROCESSABLE_ENTITY))
    };
    match result {
        Ok(n) => {
            let back =
                query_string(&[("search", &q.search), ("unassigned", &q.unassigned), ("ok", &format!("assigned:{n}"))]);
            Redirect::to(&format!("/purchasing/suppliers{back}")).into_response()
        }
        Err((errors, status)) => {
            let m = SupplierMessages {
                error: format!("{}{}", lang.pick("没有设置：", "Nothing was assigned: "), errors.summary(lang)),
                errors,
                assign_to: supplier.trim().to_string(),
                chosen: products.into_iter().collect(),
                status: Some(status),
                ..Default::default()
            };
            render_suppliers(&web, &a, q, m).await
        }
    }
}

// ---------------------------------------------------------------- from the replenishment table

#[derive(Deserialize, Default)]
pub struct ReplenishQuery {
    /// The table's day (YYYY-MM-DD); yesterday by default.
    #[serde(default)]
    pub date: String,
    /// Non-empty: every SKU of the table, not only those to order.
    #[serde(default)]
    pub all: String,
}

pub struct ReplenishRowView {
    pub code: String,
    pub code_q: String,
    pub title: String,
    pub properties: String,
    pub supplier: String,
    pub class: String,
    pub available: i64,
    pub in_transit: i64,
    pub next_arrival: String,
    pub avg7: String,
    pub cover: String,
    pub lead_time_days: u32,
    pub pack_size: u32,
    pub suggested: i64,
    pub below: bool,
    pub can_order: bool,
    pub checked: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "purchase_replenish.html")]
struct ReplenishPage {
    c: Chrome,
    tab: &'static str,
    q: ReplenishQuery,
    date: String,
    basis: String,
    warehouses: Vec<Opt>,
    rows: Vec<ReplenishRowView>,
    to_order: usize,
    without_supplier: usize,
}

struct ReplenishMessages {
    error: String,
    chosen: Option<HashSet<String>>,
    warehouse: String,
    status: StatusCode,
}

async fn render_replenish(web: &Web, a: &Authed, q: ReplenishQuery, m: ReplenishMessages) -> Response {
    let lang = a.lang;
    let actor = a.user().actor();
    let date = match crate::reports::parse_day(&q.date, lang) {
        Ok(d) => d,
        Err(message) => {
            let e = PurchaseError::Invalid { field: "date", reason: message.clone(), reason_zh: message };
            return error_page(lang, &e);
        }
    };
    let report = match web.app.replenishment_report(&actor, None, date, Utc::now()).await {
        Ok(r) => r,
        Err(e) => return error_page(lang, &e),
    };
    let skus = match web.app.skus_with_suppliers(&actor).await {
        Ok(s) => s,
        Err(e) => return error_page(lang, &e),
    };
    let warehouses = match web.app.warehouses(&actor).await {
        Ok(w) => w,
        Err(e) => return error_page(lang, &e),
    };
    let supplier_of: HashMap<i64, String> =
        skus.into_iter().filter_map(|s| s.supplier_name.map(|n| (s.sku_id, n))).collect();
    let rows: Vec<ReplenishRowView> = report
        .lines
        .iter()
        .filter(|r| !q.all.trim().is_empty() || r.suggested_qty > 0)
        .map(|r| {
            let supplier = supplier_of.get(&r.sku_id).cloned().unwrap_or_default();
            let can_order = r.suggested_qty > 0 && !supplier.is_empty();
            ReplenishRowView {
                code: r.sku_code.clone(),
                code_q: encode(&r.sku_code),
                title: r.title.clone(),
                properties: r.properties.clone(),
                class: lang.pick(r.class.label_zh(), r.class.label_en()).into(),
                available: r.available,
                in_transit: r.in_transit,
                next_arrival: r.next_arrival.clone().unwrap_or_else(|| "—".into()),
                avg7: r.avg_daily_sales_7d.to_string(),
                cover: r.days_of_cover.to_string(),
                lead_time_days: r.lead_time_days,
                pack_size: r.pack_size,
                suggested: r.suggested_qty,
                below: r.below_alert_level,
                checked: can_order && m.chosen.as_ref().is_none_or(|c| c.contains(&r.sku_code)),
                can_order,
                supplier,
            }
        })
        .collect();
    let warehouse_opts = warehouses
        .iter()
        .filter(|w| w.sellable)
        .enumerate()
        .map(|(i, w)| {
            let selected = if m.warehouse.is_empty() { i == 0 } else { m.warehouse == w.code };
            opt(w.code.clone(), format!("{} {}", w.code, w.name), selected)
        })
        .collect();
    let here = format!("/purchasing/replenishment{}", query_string(&[("date", &q.date), ("all", &q.all)]));
    let mut c = Chrome::new(a, web, "purchasing", &here);
    c.error = m.error;
    let page = ReplenishPage {
        c,
        tab: "replenish",
        date: report.date.clone(),
        basis: report.basis.to_string(),
        warehouses: warehouse_opts,
        to_order: rows.iter().filter(|r| r.can_order).count(),
        without_supplier: rows.iter().filter(|r| r.suggested > 0 && r.supplier.is_empty()).count(),
        rows,
        q,
    };
    (m.status, page).into_response()
}

pub async fn replenish(State(web): State<Web>, a: Authed, Query(q): Query<ReplenishQuery>) -> Response {
    if let Err(r) = allowed(&a, Act::Manage) {
        return r;
    }
    let m = ReplenishMessages { error: String::new(), chosen: None, warehouse: String::new(), status: StatusCode::OK };
    render_replenish(&web, &a, q, m).await
}

pub async fn replenish_create(State(web): State<Web>, a: Authed, Form(pairs): Form<Vec<(String, String)>>) -> Response {
    let value =
        |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim().to_string()).unwrap_or_default();
    if let Err(r) = crate::pages::check_csrf(&a, &value("csrf")).and_then(|()| allowed(&a, Act::Manage)) {
        return r;
    }
    let lang = a.lang;
    let skus: Vec<String> =
        pairs.iter().filter(|(k, v)| k == "sku" && !v.trim().is_empty()).map(|(_, v)| v.trim().to_string()).collect();
    let q = ReplenishQuery { date: value("date"), all: value("all") };
    let warehouse = value("warehouse");
    let refuse = |error: String, status: StatusCode| ReplenishMessages {
        error,
        chosen: Some(skus.iter().cloned().collect()),
        warehouse: warehouse.clone(),
        status,
    };
    if skus.is_empty() {
        let m =
            refuse(lang.pick("请勾选要下单的商品", "Tick the SKUs to order").into(), StatusCode::UNPROCESSABLE_ENTITY);
        return render_replenish(&web, &a, q, m).await;
    }
    let date = match crate::reports::parse_day(&q.date, lang) {
        Ok(d) => d,
        Err(message) => {
            let m = refuse(message, StatusCode::UNPROCESSABLE_ENTITY);
            return render_replenish(&web, &a, ReplenishQuery::default(), m).await;
        }
    };
    let wh = Some(warehouse.as_str()).filter(|w| !w.is_empty());
    match from_replenishment(&web.app, &a.user().actor(), &skus, date, wh).await {
        Ok(made) if made.orders.is_empty() => {
            let why: Vec<String> =
                made.skipped.iter().map(|s| format!("{}（{}）", s.sku, lang.pick(&s.why_zh, &s.why_en))).collect();
            let m = refuse(
                format!("{}{}", lang.pick("没有生成采购单：", "No order was drafted: "), why.join("、")),
                StatusCode::UNPROCESSABLE_ENTITY,
            );
            render_replenish(&web, &a, q, m).await
        }
        Ok(made) => {
            let skipped = |zh: &str| {
                made.skipped.iter().filter(|s| s.why_zh == zh).map(|s| s.sku.clone()).collect::<Vec<_>>().join(",")
            };
            let skip_supplier = skipped("商品未设置供应商");
            let skip_none = skipped("无需补货");
            if made.orders.len() == 1 && skip_supplier.is_empty() && skip_none.is_empty() {
                return Redirect::to(&format!("/purchasing/orders/{}?ok=drafted", encode(&made.orders[0].code)))
                    .into_response();
            }
            let codes = made.orders.iter().map(|o| o.code.clone()).collect::<Vec<_>>().join(",");
            let to = query_string(&[
                ("codes", &codes),
                ("ok", "drafted"),
                ("skip_supplier", &skip_supplier),
                ("skip_none", &skip_none),
            ]);
            Redirect::to(&format!("/purchasing/orders{to}")).into_response()
        }
        Err(e) => {
            let m = refuse(e.message(lang), auth::http_status(&e));
            render_replenish(&web, &a, q, m).await
        }
    }
}

pub async fn index(a: Authed) -> Response {
    if may(a.user(), Act::View) {
        Redirect::to("/purchasing/orders").into_response()
    } else {
        Redirect::to("/purchasing/arrivals").into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn the_new_order_form_says_which_field_is_wrong() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 10).unwrap_or_default();
        let f = OrderForm::from_pairs(&pairs(&[
            ("supplier", ""),
            ("expected", "2026-03-01"),
            ("sku_0", "TS2401-BLK-M"),
            ("qty_0", "二十"),
            ("cost_0", "35.00"),
            ("sku_1", ""),
            ("qty_1", ""),
            ("cost_1", ""),
            ("sku_2", "TS2401-BLK-M"),
            ("qty_2", "5"),
            ("cost_2", "-1"),
        ]));
        assert_eq!(f.lines.len(), 2, "blank lines are dropped");
        let errors = order_input(&f, today, Lang::Zh).err().unwrap_or_default();
        assert!(errors.get("supplier").contains("供应商"));
        assert!(errors.get("expected").contains("早于今天"));
        assert!(errors.get("qty_0").contains("整数"));
        assert!(errors.get("sku_1").contains("重复"));
        assert!(errors.get("cost_1").contains("负数"));
        assert_eq!(errors.get("cost_0"), "");
        let f = OrderForm::from_pairs(&pairs(&[
            ("supplier", "义乌市晨光服饰厂"),
            ("expected", "2026-03-20"),
            ("sku_0", " TS2401-BLK-M "),
            ("qty_0", "30"),
            ("cost_0", ""),
        ]));
        let input = order_input(&f, today, Lang::Zh).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(input.lines[0].sku, "TS2401-BLK-M");
        assert_eq!((input.lines[0].qty, input.lines[0].unit_cost), (30, None));
        let f = OrderForm::from_pairs(&pairs(&[("supplier", "x")]));
        assert!(order_input(&f, today, Lang::En).err().unwrap_or_default().get("lines").contains("at least one"));
    }

    #[test]
    fn supplier_form_checks_numbers() {
        let f = SupplierForm {
            name: "杭州织里童装厂".into(),
            lead_time_days: "x".into(),
            pack_size: "0".into(),
            ..Default::default()
        };
        let errors = supplier_input(&f, Lang::Zh).err().unwrap_or_default();
        assert!(errors.get("lead_time_days").contains("整数"));
        assert!(errors.get("pack_size").contains("至少为 1"));
        let f = SupplierForm { name: "杭州织里童装厂".into(), ..Default::default() };
        let s = supplier_input(&f, Lang::Zh).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!((s.lead_time_days, s.pack_size), (7, 1));
    }

    #[test]
    fn roles() {
        let u = |role| User { id: 1, company_id: 1, login: "x".into(), display_name: String::new(), role };
        assert!(may(&u(Role::Purchasing), Act::Manage));
        assert!(may(&u(Role::Warehouse), Act::Receive) && !may(&u(Role::Warehouse), Act::Manage));
        assert!(!sees_costs(&u(Role::Warehouse)));
        assert!(!may(&u(Role::Service), Act::View) && may(&u(Role::Service), Act::Arrivals));
        assert!(!may(&u(Role::Finance), Act::Receive) && may(&u(Role::Finance), Act::View));
    }
}
