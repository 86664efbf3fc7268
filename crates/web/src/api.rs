//! The JSON API under `/api/v1`: the same use cases as the pages, for programs holding a bearer
//! token the manager issued. Errors are `{"error": {"code": "...", "message": "..."}}` with a stable
//! code; `/api/v1/openapi.json` describes every route (a test checks the two agree).

use axum::extract::DefaultBodyLimit;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use zhanggui_app::domain::{MAX_QTY, MAX_UNIT_COST};
use zhanggui_app::users::{AuthError, Permission, User};
use zhanggui_app::{Lang, UserFacing};

use crate::auth::{ApiUser, http_status};
use crate::pages::{CustomerQuery, OrderQuery, StockQuery, customer_filter, stock_filter, trade_filter};
use crate::{Web, stocktake};

pub(crate) fn router() -> Router<crate::Served> {
    Router::new()
        .route("/openapi.json", get(openapi_json))
        .route("/me", get(me))
        .route("/orders", get(orders))
        .route("/orders/ship-bulk", post(crate::ship_bulk::api_submit))
        .route("/orders/{id}", get(order))
        .route("/orders/{id}/ship", post(ship))
        .route("/orders/{id}/close", post(close))
        .route("/orders/{id}/memo", post(memo))
        .route("/stock", get(stock))
        .route("/stock/{code}", get(sku))
        .route("/stock/{code}/adjust", post(adjust))
        .route("/stock/{code}/transfer", post(transfer))
        .route("/imports", post(crate::imports::api_import).layer(DefaultBodyLimit::max(crate::upload::MAX_UPLOAD)))
        .route("/imports/{token}/rejects/{n}", get(crate::imports::api_rejects))
        .route("/skus/unmatched", get(crate::imports::api_unmatched))
        .route("/skus/map", post(crate::imports::api_map))
        .route("/customers", get(customers))
        .route("/customers/{id}", get(customer))
        .route("/after-sales", get(after_sales_list).post(after_sales_apply))
        .route("/after-sales/{key}", get(after_sales_case))
        .route("/after-sales/{key}/steps", post(after_sales_step))
        .route("/after-sales/{key}/dispute", post(after_sales_dispute))
        .route("/stocktakes", get(stocktake::api_list).post(stocktake::api_start))
        .route("/stocktakes/{code}", get(stocktake::api_get))
        .route("/stocktakes/{code}/counts", post(stocktake::api_counts))
        .route("/stocktakes/{code}/post", post(stocktake::api_post))
        .route("/stocktakes/{code}/cancel", post(stocktake::api_cancel))
        .route("/suppliers", get(suppliers).post(supplier_add))
        .route("/suppliers/{key}", get(supplier))
        .route("/suppliers/{key}/products", post(supplier_products))
        .route("/purchase-orders", get(purchase_orders).post(purchase_create))
        .route("/purchase-orders/from-replenishment", post(purchase_from_replenishment))
        .route("/purchase-orders/{key}", get(purchase_order))
        .route("/purchase-orders/{key}/place", post(purchase_place))
        .route("/purchase-orders/{key}/cancel", post(purchase_cancel))
        .route("/purchase-orders/{key}/close", post(purchase_close))
        .route("/purchase-orders/{key}/receive", post(purchase_receive))
        .route("/arrivals", get(arrivals))
        .merge(crate::settings_api::router())
        .fallback(no_route)
}

/// The error body every failure has.
pub fn error_response(e: &dyn UserFacing, lang: Lang) -> Response {
    (http_status(e), Json(json!({"error": {"code": e.code(), "message": e.message(lang)}}))).into_response()
}

fn plain_error(status: StatusCode, code: &str, message: String) -> Response {
    (status, Json(json!({"error": {"code": code, "message": message}}))).into_response()
}

async fn no_route(method: Method, uri: Uri) -> Response {
    plain_error(StatusCode::NOT_FOUND, "no_such_route", format!("no API route {method} {}", uri.path()))
}

fn require(u: &ApiUser, p: Permission) -> Result<(), Response> {
    if u.user.may(p) { Ok(()) } else { Err(error_response(&AuthError::Forbidden, u.lang)) }
}

pub(crate) fn invalid(lang: Lang, message: String) -> Response {
    if message.is_empty() {
        plain_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_input",
            lang.pick("参数有误", "invalid parameters").into(),
        )
    } else {
        plain_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", message)
    }
}

async fn openapi_json() -> Json<Value> {
    Json(openapi())
}

async fn me(u: ApiUser) -> Json<User> {
    Json(u.user)
}

async fn orders(State(web): State<Web>, u: ApiUser, Query(q): Query<OrderQuery>) -> Response {
    if let Err(r) = require(&u, Permission::ViewOrders) {
        return r;
    }
    let (mut filter, problems) = trade_filter(&q, web.zone, u.lang);
    if !problems.is_empty() {
        return invalid(u.lang, problems);
    }
    filter.limit = crate::pages::PAGE;
    match web.app.trade_page(&u.user.actor(), &filter).await {
        Ok(trades) => {
            let next = match trades.last() {
                Some(t) if trades.len() as i64 == filter.limit => {
                    Some(format!("{}_{}", t.created_at.timestamp(), t.id))
                }
                _ => None,
            };
            Json(json!({"items": trades, "next": next})).into_response()
        }
        Err(e) => error_response(&e, u.lang),
    }
}

async fn order(State(web): State<Web>, u: ApiUser, Path(id): Path<i64>) -> Response {
    if let Err(r) = require(&u, Permission::ViewOrders) {
        return r;
    }
    match web.app.trade_detail(&u.user.actor(), id).await {
        Ok(d) => Json(d).into_response(),
        Err(e) => error_response(&e, u.lang),
    }
}

#[derive(Deserialize)]
struct ShipBody {
    #[serde(default)]
    carrier: String,
    #[serde(default)]
    tracking_no: String,
}

async fn ship(State(web): State<Web>, u: ApiUser, Path(id): Path<i64>, Json(b): Json<ShipBody>) -> Response {
    if let Err(r) = require(&u, Permission::ShipOrders) {
        return r;
    }
    let actor = u.user.actor();
    match crate::actions::ship(&web.app, &actor, id, &b.carrier, &b.tracking_no).await {
        Ok(()) => order(State(web), u, Path(id)).await,
        Err(e) => error_response(&e, u.lang),
    }
}

#[derive(Deserialize)]
struct CloseBody {
    #[serde(default)]
    reason: String,
}

async fn close(State(web): State<Web>, u: ApiUser, Path(id): Path<i64>, Json(b): Json<CloseBody>) -> Response {
    if let Err(r) = require(&u, Permission::CloseOrders) {
        return r;
    }
    match crate::actions::close(&web.app, &u.user.actor(), id, &b.reason).await {
        Ok(()) => order(State(web), u, Path(id)).await,
        Err(e) => error_response(&e, u.lang),
    }
}

#[derive(Deserialize)]
struct MemoBody {
    #[serde(default)]
    memo: String,
    #[serde(default)]
    flag: i64,
}

async fn memo(State(web): State<Web>, u: ApiUser, Path(id): Path<i64>, Json(b): Json<MemoBody>) -> Response {
    if let Err(r) = require(&u, Permission::EditOrderNotes) {
        return r;
    }
    match web.app.set_trade_memo(&u.user.actor(), id, &b.memo, b.flag).await {
        Ok((memo, flag)) => Json(json!({"previous": {"memo": memo, "flag": flag}})).into_response(),
        Err(e) => error_response(&e, u.lang),
    }
}

async fn stock(State(web): State<Web>, u: ApiUser, Query(q): Query<StockQuery>) -> Response {
    if let Err(r) = require(&u, Permission::ViewStock) {
        return r;
    }
    let (mut filter, page, problems) = stock_filter(&q, u.lang);
    if !problems.is_empty() {
        return invalid(u.lang, problems);
    }
    filter.company_id = u.user.company_id;
    match web.app.stock_list(&filter).await {
        Ok(lines) => {
            let next = (lines.len() as i64 == filter.limit).then_some(page + 1);
            Json(json!({"items": lines, "next_page": next})).into_response()
        }
        Err(e) => error_response(&e, u.lang),
    }
}

async fn sku(State(web): State<Web>, u: ApiUser, Path(code): Path<String>) -> Response {
    if let Err(r) = require(&u, Permission::ViewStock) {
        return r;
    }
    match web.app.stock_show(&u.user.actor(), &code, 200).await {
        Ok(mut s) => {
            if !u.user.may(Permission::ViewCosts) {
                s.sku.cost = Default::default();
                for m in &mut s.moves {
                    m.unit_cost = Default::default();
                }
                let mut v = json!(s);
                if let Some(sku) = v.get_mut("sku").and_then(Value::as_object_mut) {
                    sku.remove("cost");
                }
                if let Some(moves) = v.get_mut("moves").and_then(Value::as_array_mut) {
                    for m in moves.iter_mut().filter_map(Value::as_object_mut) {
                        m.remove("unit_cost");
                    }
                }
                return Json(v).into_response();
            }
            Json(s).into_response()
        }
        Err(e) => error_response(&e, u.lang),
    }
}

#[derive(Deserialize)]
struct AdjustBody {
    #[serde(default)]
    warehouse: Option<String>,
    qty: i64,
    #[serde(default)]
    reason: String,
}

async fn adjust(State(web): State<Web>, u: ApiUser, Path(code): Path<String>, Json(b): Json<AdjustBody>) -> Response {
    if let Err(r) = require(&u, Permission::ChangeStock) {
        return r;
    }
    match crate::actions::adjust(&web.app, &u.user.actor(), &code, b.warehouse.as_deref(), b.qty, &b.reason).await {
        Ok(available) => Json(json!({"available": available})).into_response(),
        Err(e) => error_response(&e, u.lang),
    }
}

#[derive(Deserialize)]
struct TransferBody {
    from: String,
    to: String,
    qty: i64,
}

async fn transfer(
    State(web): State<Web>,
    u: ApiUser,
    Path(code): Path<String>,
    Json(b): Json<TransferBody>,
) -> Response {
    if let Err(r) = require(&u, Permission::ChangeStock) {
        return r;
    }
    match crate::actions::transfer(&web.app, &u.user.actor(), &code, &b.from, &b.to, b.qty).await {
        Ok(()) => sku(State(web), u, Path(code)).await,
        Err(e) => error_response(&e, u.lang),
    }
}

async fn customers(State(web): State<Web>, u: ApiUser, Query(q): Query<CustomerQuery>) -> Response {
    if let Err(r) = require(&u, Permission::ViewCustomers) {
        return r;
    }
    let filter = customer_filter(&q);
    match web.app.customer_page(&u.user.actor(), &filter).await {
        Ok(rows) => {
            let next = match rows.last() {
                Some(c) if rows.len() as i64 == filter.limit => {
                    Some(format!("{}_{}", c.last_paid_at.map(|t| t.timestamp()).unwrap_or(0), c.id))
                }
                _ => None,
            };
            Json(json!({"items": rows, "next": next})).into_response()
        }
        Err(e) => error_response(&e, u.lang),
    }
}

async fn customer(State(web): State<Web>, u: ApiUser, Path(id): Path<i64>) -> Response {
    if let Err(r) = require(&u, Permission::ViewCustomers) {
        return r;
    }
    match web.app.customer_detail(&u.user.actor(), id, 100).await {
        Ok(d) => Json(d).into_response(),
        Err(e) => error_response(&e, u.lang),
    }
}

// ---------------------------------------------------------------- after-sales

use crate::after_sales::{self as cases, Act, ApplyForm, CaseQuery, StepForm};

/// A body that is not the JSON the route takes: refused as invalid input, like the rest.
pub(crate) fn bad_body(e: JsonRejection, lang: Lang) -> Response {
    let prefix = lang.pick("请求内容不是有效的 JSON：", "the body is not the JSON this route takes: ");
    plain_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", format!("{prefix}{}", e.body_text()))
}

fn require_act(u: &ApiUser, act: Act) -> Result<(), Response> {
    if cases::may(&u.user, act) { Ok(()) } else { Err(error_response(&AuthError::Forbidden, u.lang)) }
}

/// Money and counts may come as JSON strings or numbers.
fn text_of(v: &Option<Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

async fn after_sales_list(State(web): State<Web>, u: ApiUser, Query(q): Query<CaseQuery>) -> Response {
    if let Err(r) = require(&u, Permission::ViewOrders) {
        return r;
    }
    let (filter, page, problems) = cases::case_filter(&q, u.user.company_id, u.lang);
    if !problems.is_empty() {
        return invalid(u.lang, problems);
    }
    match cases::list(&web.app, filter, page).await {
        Ok((items, more)) => Json(json!({"items": items, "next_page": more.then_some(page + 1)})).into_response(),
        Err(e) => error_response(&e, u.lang),
    }
}

async fn after_sales_case(State(web): State<Web>, u: ApiUser, Path(key): Path<String>) -> Response {
    if let Err(r) = require(&u, Permission::ViewOrders) {
        return r;
    }
    match web.app.after_sales_case(&u.user.actor(), &key, chrono::Utc::now()).await {
        Ok(d) => Json(d).into_response(),
        Err(e) => error_response(&e, u.lang),
    }
}

#[derive(Deserialize, Default)]
struct ApplyBody {
    #[serde(default)]
    trade: Option<Value>,
    #[serde(default)]
    line: Option<Value>,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    amount: Option<Value>,
    #[serde(default)]
    qty: Option<Value>,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    refund_no: String,
}

async fn after_sales_apply(
    State(web): State<Web>,
    u: ApiUser,
    body: Result<Json<ApplyBody>, JsonRejection>,
) -> Response {
    let b = match body {
        Ok(Json(b)) => b,
        Err(e) => return bad_body(e, u.lang),
    };
    if let Err(r) = require_act(&u, Act::Handle) {
        return r;
    }
    let form = ApplyForm {
        csrf: String::new(),
        trade: text_of(&b.trade),
        line: text_of(&b.line),
        kind: b.kind,
        amount: text_of(&b.amount),
        qty: text_of(&b.qty),
        reason: b.reason,
        refund_no: b.refund_no,
    };
    let actor = u.user.actor();
    let result = match cases::apply_input(&form) {
        Ok(input) => cases::apply(&web.app, &actor, &input).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(no) => match web.app.after_sales_case(&actor, &no, chrono::Utc::now()).await {
            Ok(d) => (StatusCode::CREATED, Json(d)).into_response(),
            Err(e) => error_response(&e, u.lang),
        },
        Err(e) => error_response(&e, u.lang),
    }
}

#[derive(Deserialize, Default)]
struct ParcelBody {
    #[serde(default)]
    carrier: String,
    #[serde(default)]
    tracking_no: String,
}

#[derive(Deserialize, Default)]
struct StepBody {
    #[serde(default)]
    step: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    amount: Option<Value>,
    #[serde(default)]
    carrier: String,
    #[serde(default)]
    tracking_no: String,
    #[serde(default)]
    replacement: Option<ParcelBody>,
    #[serde(default)]
    good: Option<Value>,
    #[serde(default)]
    damaged: Option<Value>,
    #[serde(default)]
    warehouse: String,
    #[serde(default)]
    stage: String,
    #[serde(default)]
    outcome: String,
}

impl StepBody {
    fn form(self) -> StepForm {
        let replacement = self.replacement.unwrap_or_default();
        StepForm {
            csrf: String::new(),
            step: self.step,
            note: self.note,
            reason: self.reason,
            amount: text_of(&self.amount),
            carrier: self.carrier,
            tracking_no: self.tracking_no,
            replacement_carrier: replacement.carrier,
            replacement_tracking_no: replacement.tracking_no,
            good: text_of(&self.good),
            damaged: text_of(&self.damaged),
            warehouse: self.warehouse,
            stage: self.stage,
            outcome: self.outcome,
        }
    }
}

async fn after_sales_step(
    State(web): State<Web>,
    u: ApiUser,
    Path(key): Path<String>,
    body: Result<Json<StepBody>, JsonRejection>,
) -> Response {
    let f = match body {
        Ok(Json(b)) => b.form(),
        Err(e) => return bad_body(e, u.lang),
    };
    if let Err(r) = require(&u, Permission::ViewOrders).and_then(|()| require_act(&u, cases::act_of(f.step.trim()))) {
        return r;
    }
    let actor = u.user.actor();
    let result = match cases::parse_step(&f) {
        Ok(s) => cases::step(&web.app, &actor, &key, &s).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(k) => after_sales_case(State(web), u, Path(k.refund_no)).await,
        Err(e) => error_response(&e, u.lang),
    }
}

async fn after_sales_dispute(
    State(web): State<Web>,
    u: ApiUser,
    Path(key): Path<String>,
    body: Result<Json<StepBody>, JsonRejection>,
) -> Response {
    let f = match body {
        Ok(Json(b)) => b.form(),
        Err(e) => return bad_body(e, u.lang),
    };
    if let Err(r) = require_act(&u, Act::Handle) {
        return r;
    }
    let actor = u.user.actor();
    let result = match cases::parse_dispute(&f) {
        Ok(s) => cases::dispute(&web.app, &actor, &key, &s).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(k) => after_sales_case(State(web), u, Path(k.refund_no)).await,
        Err(e) => error_response(&e, u.lang),
    }
}

// ---------------------------------------------------------------- purchasing

use crate::purchasing::{self as buying, FieldErrors, Move, OrderForm, PurchaseQuery, SupplierForm};

fn require_buying(u: &ApiUser, act: buying::Act) -> Result<(), Response> {
    if buying::may(&u.user, act) { Ok(()) } else { Err(error_response(&AuthError::Forbidden, u.lang)) }
}

/// Refused input: which field and why, every one of them.
fn field_errors(errors: &FieldErrors, lang: Lang) -> Response {
    let body = json!({"error": {"code": "invalid_input", "message": errors.summary(lang), "fields": errors.as_json()}});
    (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response()
}

/// Takes out cost prices and amounts for roles that do not see costs.
fn without_costs(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for key in ["amount", "unit_cost", "cost"] {
                map.remove(key);
            }
            map.values_mut().for_each(without_costs);
        }
        Value::Array(items) => items.iter_mut().for_each(without_costs),
        _ => {}
    }
}

fn costed(u: &ApiUser, mut v: Value) -> Value {
    if !buying::sees_costs(&u.user) {
        without_costs(&mut v);
    }
    v
}

async fn suppliers(State(web): State<Web>, u: ApiUser) -> Response {
    if let Err(r) = require_buying(&u, buying::Act::View) {
        return r;
    }
    match web.app.suppliers(&u.user.actor()).await {
        Ok(rows) => Json(json!({"items": rows})).into_response(),
        Err(e) => error_response(&e, u.lang),
    }
}

async fn supplier(State(web): State<Web>, u: ApiUser, Path(key): Path<String>) -> Response {
    if let Err(r) = require_buying(&u, buying::Act::View) {
        return r;
    }
    let actor = u.user.actor();
    let key = key.trim();
    let found = match web.app.suppliers(&actor).await {
        Ok(rows) => rows.into_iter().find(|s| s.name == key || s.id.to_string() == key),
        Err(e) => return error_response(&e, u.lang),
    };
    let Some(s) = found else {
        return error_response(&zhanggui_app::purchasing::PurchaseError::UnknownSupplier(key.to_string()), u.lang);
    };
    let skus = match web.app.skus_with_suppliers(&actor).await {
        Ok(rows) => rows.into_iter().filter(|k| k.supplier_id == Some(s.id)).collect::<Vec<_>>(),
        Err(e) => return error_response(&e, u.lang),
    };
    let mut products: Vec<Value> = Vec::new();
    for k in &skus {
        match products.iter_mut().find(|p| p["code"] == k.product_code.as_str()) {
            Some(p) => {
                if let Some(list) = p["skus"].as_array_mut() {
                    list.push(json!(k.outer_sku_id));
                }
            }
            None => products.push(json!({"code": k.product_code, "title": k.title, "skus": [k.outer_sku_id]})),
        }
    }
    let orders = match web.app.purchase_orders(&actor, None, Some(&s.name)).await {
        Ok(rows) => rows,
        Err(e) => return error_response(&e, u.lang),
    };
    let body = json!({"supplier": s, "products": products, "purchase_orders": orders});
    Json(costed(&u, body)).into_response()
}

#[derive(Deserialize, Default)]
struct SupplierBody {
    #[serde(default)]
    name: String,
    #[serde(default)]
    contact: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    lead_time_days: Option<Value>,
    #[serde(default)]
    pack_size: Option<Value>,
}

async fn supplier_add(State(web): State<Web>, u: ApiUser, body: Result<Json<SupplierBody>, JsonRejection>) -> Response {
    let b = match body {
        Ok(Json(b)) => b,
        Err(e) => return bad_body(e, u.lang),
    };
    if let Err(r) = require_buying(&u, buying::Act::Manage) {
        return r;
    }
    let form = SupplierForm {
        csrf: String::new(),
        name: b.name,
        contact: b.contact,
        phone: b.phone,
        lead_time_days: text_of(&b.lead_time_days),
        pack_size: text_of(&b.pack_size),
    };
    let input = match buying::supplier_input(&form, u.lang) {
        Ok(i) => i,
        Err(errors) => return field_errors(&errors, u.lang),
    };
    match buying::add_supplier(&web.app, &u.user.actor(), &input).await {
        Ok(_) => {
            let name = input.name.clone();
            match web.app.suppliers(&u.user.actor()).await {
                Ok(rows) => {
                    (StatusCode::CREATED, Json(json!(rows.into_iter().find(|s| s.name == name)))).into_response()
                }
                Err(e) => error_response(&e, u.lang),
            }
        }
        Err(e) => error_response(&e, u.lang),
    }
}

#[derive(Deserialize, Default)]
struct ProductsBody {
    #[serde(default)]
    products: Vec<String>,
}

async fn supplier_products(
    State(web): State<Web>,
    u: ApiUser,
    Path(key): Path<String>,
    body: Result<Json<ProductsBody>, JsonRejection>,
) -> Response {
    let b = match body {
        Ok(Json(b)) => b,
        Err(e) => return bad_body(e, u.lang),
    };
    if let Err(r) = require_buying(&u, buying::Act::Manage) {
        return r;
    }
    let actor = u.user.actor();
    let name = match web.app.suppliers(&actor).await {
        Ok(rows) => rows
            .into_iter()
            .find(|s| s.name == key.trim() || s.id.to_string() == key.trim())
            .map(|s| s.name)
            .unwrap_or_else(|| key.trim().to_string()),
        Err(e) => return error_response(&e, u.lang),
    };
    match buying::assign(&web.app, &actor, &name, &b.products).await {
        Ok(_) => supplier(State(web), u, Path(name)).await,
        Err(e) => error_response(&e, u.lang),
    }
}

async fn purchase_orders(State(web): State<Web>, u: ApiUser, Query(q): Query<PurchaseQuery>) -> Response {
    if let Err(r) = require_buying(&u, buying::Act::View) {
        return r;
    }
    let (rows, problems) =
        match buying::filtered_orders(&web.app, &u.user.actor(), &q, buying::today(&web), u.lang).await {
            Ok(r) => r,
            Err(e) => return error_response(&e, u.lang),
        };
    if !problems.is_empty() {
        return invalid(u.lang, problems);
    }
    let page = q.page.trim().parse::<i64>().ok().filter(|p| *p >= 1).unwrap_or(1).min(1_000_000);
    let start = usize::try_from((page - 1) * crate::pages::PAGE).unwrap_or(usize::MAX);
    let per_page = crate::pages::PAGE as usize;
    let more = rows.len() > start.saturating_add(per_page);
    let items: Vec<Value> = rows
        .iter()
        .skip(start)
        .take(per_page)
        .map(|(o, late)| {
            let mut v = json!(o);
            if let Some(obj) = v.as_object_mut() {
                obj.insert("late_days".into(), json!(late));
                obj.insert("closed_short".into(), json!(o.closed_short()));
            }
            v
        })
        .collect();
    Json(costed(&u, json!({"items": items, "next_page": more.then_some(page + 1)}))).into_response()
}

async fn purchase_order(State(web): State<Web>, u: ApiUser, Path(key): Path<String>) -> Response {
    purchase_order_status(&web, &u, &key, StatusCode::OK).await
}

async fn purchase_order_status(web: &Web, u: &ApiUser, key: &str, status: StatusCode) -> Response {
    if let Err(r) = require_buying(u, buying::Act::View) {
        return r;
    }
    let actor = u.user.actor();
    let (d, history) = match web.app.purchase_detail_with_history(&actor, key).await {
        Ok(x) => x,
        Err(e) => return error_response(&e, u.lang),
    };
    let late = match web.app.expected_arrivals(&actor, chrono::Utc::now()).await {
        Ok(a) => buying::late_orders(&a, buying::today(web)).get(&d.order.id).copied(),
        Err(e) => return error_response(&e, u.lang),
    };
    let mut v = json!(d);
    if let Some(obj) = v.as_object_mut() {
        obj.insert("history".into(), json!(history));
        obj.insert("late_days".into(), json!(late));
        obj.insert("closed_short".into(), json!(d.order.closed_short()));
    }
    (status, Json(costed(u, v))).into_response()
}

#[derive(Deserialize, Default)]
struct LineBody {
    #[serde(default)]
    sku: String,
    #[serde(default)]
    qty: Option<Value>,
    #[serde(default)]
    unit_cost: Option<Value>,
}

#[derive(Deserialize, Default)]
struct CreateBody {
    #[serde(default)]
    supplier: String,
    #[serde(default)]
    warehouse: String,
    #[serde(default)]
    expected: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    lines: Vec<LineBody>,
    #[serde(default)]
    place: bool,
}

async fn purchase_create(
    State(web): State<Web>,
    u: ApiUser,
    body: Result<Json<CreateBody>, JsonRejection>,
) -> Response {
    let b = match body {
        Ok(Json(b)) => b,
        Err(e) => return bad_body(e, u.lang),
    };
    if let Err(r) = require_buying(&u, buying::Act::Manage) {
        return r;
    }
    let form = OrderForm {
        supplier: b.supplier,
        warehouse: b.warehouse,
        expected: b.expected,
        note: b.note,
        lines: b
            .lines
            .iter()
            .map(|l| buying::LineForm { sku: l.sku.clone(), qty: text_of(&l.qty), cost: text_of(&l.unit_cost) })
            .collect(),
        ..Default::default()
    };
    let input = match buying::order_input(&form, buying::today(&web), u.lang) {
        Ok(i) => i,
        Err(errors) => return field_errors(&errors, u.lang),
    };
    let actor = u.user.actor();
    let po = match buying::create(&web.app, &actor, &input).await {
        Ok(po) => po,
        Err(e) => return error_response(&e, u.lang),
    };
    if b.place
        && let Err(e) = buying::move_order(&web.app, &actor, &po.code, Move::Place).await
    {
        return error_response(&e, u.lang);
    }
    purchase_order_status(&web, &u, &po.code, StatusCode::CREATED).await
}

async fn purchase_move(web: Web, u: ApiUser, key: String, m: Move) -> Response {
    if let Err(r) = require_buying(&u, buying::Act::Manage) {
        return r;
    }
    match buying::move_order(&web.app, &u.user.actor(), &key, m).await {
        Ok(o) => purchase_order_status(&web, &u, &o.code, StatusCode::OK).await,
        Err(e) => error_response(&e, u.lang),
    }
}

async fn purchase_place(State(web): State<Web>, u: ApiUser, Path(key): Path<String>) -> Response {
    purchase_move(web, u, key, Move::Place).await
}

async fn purchase_cancel(State(web): State<Web>, u: ApiUser, Path(key): Path<String>) -> Response {
    purchase_move(web, u, key, Move::Cancel).await
}

async fn purchase_close(State(web): State<Web>, u: ApiUser, Path(key): Path<String>) -> Response {
    purchase_move(web, u, key, Move::Close).await
}

#[derive(Deserialize, Default)]
struct ReceiptLineBody {
    #[serde(default)]
    sku: String,
    #[serde(default)]
    qty: Option<Value>,
}

#[derive(Deserialize, Default)]
struct ReceiveBody {
    #[serde(default)]
    lines: Vec<ReceiptLineBody>,
    #[serde(default)]
    note: String,
}

async fn purchase_receive(
    State(web): State<Web>,
    u: ApiUser,
    Path(key): Path<String>,
    body: Result<Json<ReceiveBody>, JsonRejection>,
) -> Response {
    let b = match body {
        Ok(Json(b)) => b,
        Err(e) => return bad_body(e, u.lang),
    };
    if let Err(r) = require_buying(&u, buying::Act::Receive) {
        return r;
    }
    let mut errors = FieldErrors::default();
    let mut receipts = Vec::new();
    for (i, l) in b.lines.iter().enumerate() {
        if l.sku.trim().is_empty() {
            errors.push(format!("lines[{i}].sku"), u.lang.pick("请填写商家编码", "give the SKU code"));
        }
        match text_of(&l.qty).trim().parse::<i64>() {
            Ok(qty) => receipts.push(zhanggui_app::purchasing::ReceiptInput {
                sku: l.sku.trim().to_string(),
                qty,
                note: b.note.trim().to_string(),
            }),
            Err(_) => errors.push(
                format!("lines[{i}].qty"),
                u.lang.pick("数量要写整数，比如 10", "the quantity must be a whole number such as 10"),
            ),
        }
    }
    if !errors.is_empty() {
        return field_errors(&errors, u.lang);
    }
    match buying::receive(&web.app, &u.user.actor(), &key, &receipts).await {
        Ok(d) => purchase_order_status(&web, &u, &d.order.code, StatusCode::OK).await,
        Err(e) => error_response(&e, u.lang),
    }
}

#[derive(Deserialize, Default)]
struct ReplenishBody {
    #[serde(default)]
    skus: Vec<String>,
    #[serde(default)]
    date: String,
    #[serde(default)]
    warehouse: String,
}

async fn purchase_from_replenishment(
    State(web): State<Web>,
    u: ApiUser,
    body: Result<Json<ReplenishBody>, JsonRejection>,
) -> Response {
    let b = match body {
        Ok(Json(b)) => b,
        Err(e) => return bad_body(e, u.lang),
    };
    if let Err(r) = require_buying(&u, buying::Act::Manage) {
        return r;
    }
    let date = match crate::reports::parse_day(&b.date, u.lang) {
        Ok(d) => d,
        Err(message) => return invalid(u.lang, message),
    };
    let warehouse = Some(b.warehouse.trim()).filter(|w| !w.is_empty());
    match buying::from_replenishment(&web.app, &u.user.actor(), &b.skus, date, warehouse).await {
        Ok(made) => {
            let status = if made.orders.is_empty() { StatusCode::OK } else { StatusCode::CREATED };
            (status, Json(json!(made))).into_response()
        }
        Err(e) => error_response(&e, u.lang),
    }
}

async fn arrivals(State(web): State<Web>, u: ApiUser) -> Response {
    if let Err(r) = require_buying(&u, buying::Act::Arrivals) {
        return r;
    }
    match web.app.expected_arrivals(&u.user.actor(), chrono::Utc::now()).await {
        Ok(items) => Json(json!({"items": items})).into_response(),
        Err(e) => error_response(&e, u.lang),
    }
}

pub(crate) fn param(name: &str, location: &str, description: &str, schema: &str) -> Value {
    json!({"name": name, "in": location, "required": location == "path", "description": description, "schema": {"type": schema}})
}

pub(crate) fn op(summary: &str, params: Vec<Value>, body: Option<Value>) -> Value {
    let mut o = json!({
        "summary": summary,
        "parameters": params,
        "security": [{"bearer": []}],
        "responses": {
            "200": {"description": "OK", "content": {"application/json": {}}},
            "default": {"description": "An error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        }
    });
    if let (Some(b), Some(obj)) = (body, o.as_object_mut()) {
        obj.insert("requestBody".into(), json!({"required": true, "content": {"application/json": {"schema": b}}}));
    }
    o
}

/// An operation that answers 201 with what it made.
pub(crate) fn created(mut o: Value) -> Value {
    if let Some(responses) = o.get_mut("responses").and_then(Value::as_object_mut) {
        responses.remove("200");
        responses.insert("201".into(), json!({"description": "Created", "content": {"application/json": {}}}));
    }
    o
}

/// An operation whose body is a multipart/form-data upload.
fn upload_op(summary: &str, schema: Value) -> Value {
    let mut o = op(summary, vec![], None);
    if let Some(obj) = o.as_object_mut() {
        obj.insert(
            "requestBody".into(),
            json!({"required": true, "content": {"multipart/form-data": {"schema": schema}}}),
        );
    }
    o
}

/// An operation answering a CSV file.
fn csv_op(summary: &str, params: Vec<Value>) -> Value {
    let mut o = op(summary, params, None);
    if let Some(ok) = o.pointer_mut("/responses/200") {
        *ok = json!({"description": "CSV (UTF-8 with BOM)", "content": {"text/csv": {}}});
    }
    o
}

/// The OpenAPI 3.1 description of the API.
pub fn openapi() -> Value {
    let order_filters = vec![
        param("shop", "query", "shop id", "integer"),
        param("status", "query", "trade status code, e.g. WAIT_SELLER_SEND_GOODS", "string"),
        param("from", "query", "created on or after this day (YYYY-MM-DD, the company's time zone)", "string"),
        param("to", "query", "created on or before this day (YYYY-MM-DD)", "string"),
        param("buyer", "query", "buyer nick, exactly", "string"),
        param("sku", "query", "merchant SKU code of a line, exactly", "string"),
        param("urgent", "query", "non-empty: urgent trades only", "string"),
        param("overdue", "query", "non-empty: paid more than 24 hours ago and not shipped", "string"),
        param("after", "query", "the `next` value of the previous page", "string"),
    ];
    let id = || param("id", "path", "zhanggui's id", "integer");
    let code = || param("code", "path", "merchant SKU code (商家编码)", "string");
    let key = || param("key", "path", "the case's refund number (退款编号) or id", "string");
    let case_filters = vec![
        param("shop", "query", "shop id", "integer"),
        param(
            "status",
            "query",
            "case status code, e.g. WAIT_SELLER_AGREE (lists every case in it, open or not)",
            "string",
        ),
        param("kind", "query", "refund_unshipped, refund_shipped, return_and_refund, exchange or reship", "string"),
        param("open", "query", "0: every case, newest first; otherwise (the default) open cases by deadline", "string"),
        param("search", "query", "part of the trade number, refund number or buyer nick", "string"),
        param("page", "query", "page number from 1", "integer"),
    ];
    let parcel = json!({"type": "object", "properties": {"carrier": {"type": "string"}, "tracking_no": {"type": "string"}}, "required": ["carrier", "tracking_no"]});
    let money = json!({"type": ["string", "number"], "description": "yuan, e.g. \"59.90\""});
    let apply_body = json!({"type": "object", "properties": {
        "trade": {"type": ["string", "integer"], "description": "the trade's number (tid) or id"},
        "line": {"type": ["string", "integer"], "description": "the line's id, oid or SKU code; may be left out when the trade has one line"},
        "kind": {"type": "string", "enum": ["refund_unshipped", "refund_shipped", "return_and_refund", "exchange", "reship"]},
        "amount": money.clone(),
        "qty": {"type": "integer", "description": "units; by default the whole line"},
        "reason": {"type": "string"},
        "refund_no": {"type": "string", "description": "the platform's refund number; generated when left out"}
    }, "required": ["trade", "kind", "reason"]});
    let step_body = json!({"type": "object", "properties": {
        "step": {"type": "string", "enum": ["agree", "refuse", "reapply", "return_shipped", "receive_return", "cancel"]},
        "note": {"type": "string"}, "reason": {"type": "string"}, "amount": money,
        "carrier": {"type": "string"}, "tracking_no": {"type": "string"}, "replacement": parcel.clone(),
        "good": {"type": "integer"}, "damaged": {"type": "integer"},
        "warehouse": {"type": "string", "description": "warehouse code for the good units; the shop's when left out"}
    }, "required": ["step"]});
    let stocktake = || param("code", "path", "the stocktake's number (盘点单号), e.g. PD20240118-001", "string");
    let start_body = json!({"type": "object", "properties": {
        "warehouse": {"type": "string", "description": "warehouse code or name; the first warehouse when left out"},
        "search": {"type": "string", "description": "count only SKUs whose code, title or barcode contains this; every SKU when empty"}
    }});
    let counts_body = json!({"type": "object", "properties": {
        "counts": {"type": "array", "items": {"type": "object", "properties": {
            "sku": {"type": "string", "description": "merchant SKU code (商家编码) or barcode"},
            "counted": {"type": "integer", "minimum": 0, "maximum": MAX_QTY}
        }, "required": ["sku", "counted"]}}
    }, "required": ["counts"]});
    let reason_body = |required: bool| {
        let mut b = json!({"type": "object", "properties": {"reason": {"type": "string"}}});
        if let (true, Some(o)) = (required, b.as_object_mut()) {
            o.insert("required".into(), json!(["reason"]));
        }
        b
    };
    let po_key = || param("key", "path", "the purchase order's number (采购单号, e.g. PO20260301-001) or id", "string");
    let supplier_key = || param("key", "path", "the supplier's name or id", "string");
    let po_filters = vec![
        param(
            "status",
            "query",
            "draft, ordered, partially_received, received, cancelled, or open (ordered and partially received)",
            "string",
        ),
        param("supplier", "query", "the supplier's name", "string"),
        param("late", "query", "non-empty: only orders with a line expected before today and not arrived", "string"),
        param("codes", "query", "order numbers separated by commas", "string"),
        param("page", "query", "page number from 1", "integer"),
    ];
    let supplier_body = json!({"type": "object", "properties": {
        "name": {"type": "string"}, "contact": {"type": "string"}, "phone": {"type": "string"},
        "lead_time_days": {"type": "integer", "description": "days from ordering to arrival (采购周期); 7 when left out"},
        "pack_size": {"type": "integer", "description": "units per case (箱规); 1 when left out"}
    }, "required": ["name"]});
    let create_body = json!({"type": "object", "properties": {
        "supplier": {"type": "string", "description": "the supplier's name"},
        "warehouse": {"type": "string", "description": "warehouse code; the first warehouse when left out"},
        "expected": {"type": "string", "description": "expected arrival, YYYY-MM-DD, today or later"},
        "note": {"type": "string"},
        "lines": {"type": "array", "items": {"type": "object", "properties": {
            "sku": {"type": "string", "description": "merchant SKU code (商家编码), once per order"},
            "qty": {"type": "integer", "minimum": 1, "maximum": MAX_QTY},
            "unit_cost": {"type": ["string", "number"], "description": format!("yuan, at most {}; the SKU's current cost when left out", MAX_UNIT_COST.to_plain())}
        }, "required": ["sku", "qty"]}},
        "place": {"type": "boolean", "description": "place it with the supplier at once (下单)"}
    }, "required": ["supplier", "lines"]});
    let receive_body = json!({"type": "object", "properties": {
        "lines": {"type": "array", "items": {"type": "object", "properties": {"sku": {"type": "string"}, "qty": {"type": "integer", "minimum": 1, "maximum": MAX_QTY}}, "required": ["sku", "qty"]}},
        "note": {"type": "string", "description": "required when more arrive than are still due (超收)"}
    }, "required": ["lines"]});
    let replenish_body = json!({"type": "object", "properties": {
        "skus": {"type": "array", "items": {"type": "string"}, "description": "SKU codes of the table; every SKU with a suggestion when left out"},
        "date": {"type": "string", "description": "the table's day, YYYY-MM-DD; yesterday when left out"},
        "warehouse": {"type": "string", "description": "warehouse code to receive into; the first warehouse when left out"}
    }});
    let dispute_body = json!({"type": "object", "properties": {
        "step": {"type": "string", "enum": ["open", "note", "decide"]},
        "reason": {"type": "string"}, "note": {"type": "string"},
        "stage": {"type": "string", "enum": ["evidence", "reviewing"]},
        "outcome": {"type": "string", "enum": ["buyer", "seller"]},
        "replacement": parcel
    }, "required": ["step"]});
    let import_body = json!({"type": "object", "properties": {
        "kind": {"type": "string", "enum": ["taobao-orders", "pdd-orders", "jd-orders", "products", "sycm-items", "shop-traffic", "ads", "refunds"]},
        "shop": {"type": "string", "description": "the shop's name or id (every kind but products)"},
        "file": {"type": "string", "format": "binary", "description": "the export: csv (UTF-8 or GBK), xls or xlsx"},
        "lines": {"type": "string", "format": "binary", "description": "taobao-orders only: the line report (宝贝报表)"},
        "stock_from": {"type": "string", "description": "order exports only: the inventory start, YYYY-MM-DD"},
        "channel": {"type": "string", "description": "ads only: 直通车 (the default), 万相台, ..."}
    }, "required": ["kind", "file"]});
    let bulk_body = json!({"type": "object", "properties": {
        "carrier": {"type": "string", "description": "the carrier of lines that name none"},
        "lines": {"type": "array", "items": {"type": "object", "properties": {
            "order": {"type": ["string", "integer"], "description": "the order number (订单编号) or zhanggui's id"},
            "carrier": {"type": "string"}, "tracking_no": {"type": "string"}
        }, "required": ["order", "tracking_no"]}},
        "text": {"type": "string", "description": "or the lines as pasted: 订单编号, 快递公司 (may be left out), 运单号 per line, separated by tabs, commas or spaces"}
    }});
    let mut doc = json!({
        "openapi": "3.1.0",
        "info": {"title": "zhanggui API", "version": "1", "description": "The back office's use cases as JSON. Errors: {\"error\": {\"code\", \"message\"}}; send Accept-Language: en for English messages."},
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {"Error": {"type": "object", "properties": {"error": {"type": "object", "properties": {"code": {"type": "string"}, "message": {"type": "string"}}, "required": ["code", "message"]}}}}
        },
        "paths": {
            "/api/v1/openapi.json": {"get": {"summary": "This document", "security": [], "responses": {"200": {"description": "OK"}}}},
            "/api/v1/me": {"get": op("The token's user and role", vec![], None)},
            "/api/v1/orders": {"get": op("Trades, newest first, 50 a page", order_filters, None)},
            "/api/v1/orders/{id}": {"get": op("A trade with its lines and history", vec![id()], None)},
            "/api/v1/orders/ship-bulk": {"post": op(&format!("Ship many trades (批量发货), each in its own transaction, at most {} lines; refused lines (unknown order, already shipped, closed, out of stock) are listed with the reason and the others ship. Returns {{shipped, refused, results: [{{line, order, carrier, tracking_no, shipped, trade_id, code, message}}]}}.", crate::ship_bulk::MAX_LINES), vec![], Some(bulk_body))},
            "/api/v1/orders/{id}/ship": {"post": op("Ship a paid trade", vec![id()], Some(json!({"type": "object", "properties": {"carrier": {"type": "string"}, "tracking_no": {"type": "string"}}, "required": ["carrier", "tracking_no"]})))},
            "/api/v1/orders/{id}/close": {"post": op("Close an open trade, releasing its reserved stock", vec![id()], Some(json!({"type": "object", "properties": {"reason": {"type": "string"}}, "required": ["reason"]})))},
            "/api/v1/orders/{id}/memo": {"post": op("Set the seller memo and flag (0-5); returns the previous ones", vec![id()], Some(json!({"type": "object", "properties": {"memo": {"type": "string"}, "flag": {"type": "integer"}}})))},
            "/api/v1/stock": {"get": op("Stock per SKU and warehouse", vec![param("search", "query", "part of the SKU code or title", "string"), param("warehouse", "query", "warehouse id", "integer"), param("low", "query", "available at most", "integer"), param("page", "query", "page number from 1", "integer")], None)},
            "/api/v1/stock/{code}": {"get": op("A SKU's stock in every warehouse and its ledger", vec![code()], None)},
            "/api/v1/stock/{code}/adjust": {"post": op("Adjust stock with a reason", vec![code()], Some(json!({"type": "object", "properties": {"warehouse": {"type": "string"}, "qty": {"type": "integer", "description": format!("units added (+) or removed (−), at most {MAX_QTY} either way")}, "reason": {"type": "string"}}, "required": ["qty", "reason"]})))},
            "/api/v1/stock/{code}/transfer": {"post": op("Transfer between warehouses", vec![code()], Some(json!({"type": "object", "properties": {"from": {"type": "string"}, "to": {"type": "string"}, "qty": {"type": "integer", "minimum": 1, "maximum": MAX_QTY}}, "required": ["from", "to", "qty"]})))},
            "/api/v1/imports": {"post": upload_op("Import a platform export (multipart/form-data), as `zhanggui import` does: returns the summary (records, inserted, updated, unchanged, rejected, unmatched_lines, costs_ignored), every rejected row (file, line, column, reason) and `rejects_files`, the URLs of the rejected rows as CSV in each file's own columns. Importing the same file again changes nothing. A product sheet changes only what it gives: a missing column or an empty cell keeps the stored value; its cost and price columns are taken only from roles that see costs (for the warehouse they are left out and `costs_ignored` counts the rows).", import_body)},
            "/api/v1/imports/{token}/rejects/{n}": {"get": csv_op("The rejected rows of the `n`th file of an import, in the file's own columns with the reason last (kept 12 hours, for the user who imported)", vec![param("token", "path", "from the import's rejects_files URL", "string"), param("n", "path", "the file's number, from 0", "integer")])},
            "/api/v1/skus/unmatched": {"get": op("Merchant codes of imported lines that match no SKU (未匹配商品), most units first", vec![], None)},
            "/api/v1/skus/map": {"post": op("Map an export's merchant code to a SKU: its lines are linked now and in later imports, which changes sales figures, so only roles that import orders (manager, operations) may. Returns the lines linked.", vec![], Some(json!({"type": "object", "properties": {"code": {"type": "string"}, "sku": {"type": "string", "description": "the SKU's merchant code (商家编码)"}}, "required": ["code", "sku"]})))},
            "/api/v1/customers": {"get": op("Customers, latest purchase first", vec![param("search", "query", "part of the nick", "string"), param("province", "query", "province", "string"), param("after", "query", "the `next` value of the previous page", "string")], None)},
            "/api/v1/customers/{id}": {"get": op("A customer and their trades", vec![id()], None)},
            "/api/v1/after-sales": {
                "get": op("After-sales cases (售后) with who must act and by when: open ones by deadline (the default), or every case newest first with open=0; 50 a page", case_filters, None),
                "post": created(op("Record a buyer's request on one line (申请售后); 201 with the case", vec![], Some(apply_body)))
            },
            "/api/v1/after-sales/{key}": {"get": op("A case with its line, amounts, parcels, dispute and history", vec![key()], None)},
            "/api/v1/after-sales/{key}/steps": {"post": op("Take a step on a case; `step` names it and the other fields are those it takes: agree {note, replacement (a reship)}, refuse {note}, reapply {amount, reason}, return_shipped {carrier, tracking_no}, receive_return {good, damaged, warehouse, replacement (an exchange), note}, cancel {note}. Returns the case after it.", vec![key()], Some(step_body))},
            "/api/v1/stocktakes": {
                "get": op("Stocktakes (盘点单), newest first; warehouse, manager, purchasing and finance", vec![param("status", "query", "counting, posted or cancelled", "string"), param("warehouse", "query", "warehouse code", "string")], None),
                "post": created(op("Start counting a warehouse (开始盘点): on hand is snapshotted now; 201 with the session. Warehouse and manager only", vec![], Some(start_body)))
            },
            "/api/v1/stocktakes/{code}": {"get": op("A stocktake with its lines (book and counted quantities, differences) and totals of 盘盈 and 盘亏; unit costs and values only for roles that see costs. The count is blind: a line's book quantity `snapshot_on_hand` is null until it is counted or the session is closed", vec![stocktake()], None)},
            "/api/v1/stocktakes/{code}/counts": {"post": op(&format!("Record counted quantities, 0 to {MAX_QTY} each (a later count of a SKU replaces the earlier one). All or nothing: if one is refused none is recorded and the message lists every refusal. Returns the session"), vec![stocktake()], Some(counts_body))},
            "/api/v1/stocktakes/{code}/post": {"post": op("Post the differences (过账) as stocktake moves of counted − book with the reason; SKUs not counted and sales made during the count stay as they are. Returns the session", vec![stocktake()], Some(reason_body(true)))},
            "/api/v1/stocktakes/{code}/cancel": {"post": op("Cancel a stocktake (作废) without touching stock. Returns the session", vec![stocktake()], Some(reason_body(false)))},
            "/api/v1/after-sales/{key}/dispute": {"post": op("A dispute step (纠纷): open {reason} on a refused case, note {note, stage: evidence|reviewing}, decide {outcome: buyer|seller, note, replacement (a reship ruled for the buyer)}. Returns the case after it.", vec![key()], Some(dispute_body))},
            "/api/v1/suppliers": {
                "get": op("Suppliers (供应商) with their lead time and pack size", vec![], None),
                "post": created(op("Add a supplier; 201 with it", vec![], Some(supplier_body)))
            },
            "/api/v1/suppliers/{key}": {"get": op("A supplier with the products it supplies and its purchase orders", vec![supplier_key()], None)},
            "/api/v1/suppliers/{key}/products": {"post": op("Make the supplier the supplier of these products (款号), all or none; returns the supplier", vec![supplier_key()], Some(json!({"type": "object", "properties": {"products": {"type": "array", "items": {"type": "string"}}}, "required": ["products"]})))},
            "/api/v1/purchase-orders": {
                "get": op("Purchase orders (采购单), newest first, 50 a page, each with late_days (days the latest-due late line is over, or null) and closed_short; amounts only for roles that see costs", po_filters, None),
                "post": created(op("Draft a purchase order (草稿), or place it at once with place: true; 201 with the order. A refused field is named in error.fields", vec![], Some(create_body)))
            },
            "/api/v1/purchase-orders/from-replenishment": {"post": created(op("Draft purchase orders from the replenishment table (补货需求表), one per supplier, at the suggested quantities; 201 with the orders and the SKUs left out (no supplier, nothing to order), 200 when none was made", vec![], Some(replenish_body)))},
            "/api/v1/purchase-orders/{key}": {"get": op("A purchase order with its lines (ordered, received, variance short/over), receipts and history", vec![po_key()], None)},
            "/api/v1/purchase-orders/{key}/place": {"post": op("Place a draft with the supplier (下单): its quantities count as in transit", vec![po_key()], None)},
            "/api/v1/purchase-orders/{key}/cancel": {"post": op("Cancel an order before anything arrived (取消)", vec![po_key()], None)},
            "/api/v1/purchase-orders/{key}/close": {"post": op("Close a partly received order short (结案): what did not arrive stops being in transit", vec![po_key()], None)},
            "/api/v1/purchase-orders/{key}/receive": {"post": op("Book goods that arrived (到货入库) into the order's warehouse at the order's cost, updating the moving-average cost; returns the order", vec![po_key()], Some(receive_body))},
            "/api/v1/arrivals": {"get": op("What is still to arrive on placed orders (到货信息跟踪), late first, then by expected day", vec![], None)}
        }
    });
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, ops) in crate::settings_api::paths() {
            paths.insert(path.to_string(), ops);
        }
    }
    doc
}
