//! The JSON API under `/api/v1`: the same use cases as the pages, for programs holding a bearer
//! token the manager issued. Errors are `{"error": {"code": "...", "message": "..."}}` with a stable
//! code; `/api/v1/openapi.json` describes every route (a test checks the two agree).

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use zhanggui_app::users::{AuthError, Permission, User};
use zhanggui_app::{Lang, UserFacing};

use crate::Web;
use crate::auth::{ApiUser, http_status};
use crate::pages::{CustomerQuery, OrderQuery, StockQuery, customer_filter, stock_filter, trade_filter};

pub(crate) fn router() -> Router<crate::Served> {
    Router::new()
        .route("/openapi.json", get(openapi_json))
        .route("/me", get(me))
        .route("/orders", get(orders))
        .route("/orders/{id}", get(order))
        .route("/orders/{id}/ship", post(ship))
        .route("/orders/{id}/close", post(close))
        .route("/orders/{id}/memo", post(memo))
        .route("/stock", get(stock))
        .route("/stock/{code}", get(sku))
        .route("/stock/{code}/adjust", post(adjust))
        .route("/stock/{code}/transfer", post(transfer))
        .route("/customers", get(customers))
        .route("/customers/{id}", get(customer))
        .route("/after-sales", get(after_sales_list).post(after_sales_apply))
        .route("/after-sales/{key}", get(after_sales_case))
        .route("/after-sales/{key}/steps", post(after_sales_step))
        .route("/after-sales/{key}/dispute", post(after_sales_dispute))
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

fn invalid(lang: Lang, message: String) -> Response {
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
    let dispute_body = json!({"type": "object", "properties": {
        "step": {"type": "string", "enum": ["open", "note", "decide"]},
        "reason": {"type": "string"}, "note": {"type": "string"},
        "stage": {"type": "string", "enum": ["evidence", "reviewing"]},
        "outcome": {"type": "string", "enum": ["buyer", "seller"]},
        "replacement": parcel
    }, "required": ["step"]});
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
            "/api/v1/orders/{id}/ship": {"post": op("Ship a paid trade", vec![id()], Some(json!({"type": "object", "properties": {"carrier": {"type": "string"}, "tracking_no": {"type": "string"}}, "required": ["carrier", "tracking_no"]})))},
            "/api/v1/orders/{id}/close": {"post": op("Close an open trade, releasing its reserved stock", vec![id()], Some(json!({"type": "object", "properties": {"reason": {"type": "string"}}, "required": ["reason"]})))},
            "/api/v1/orders/{id}/memo": {"post": op("Set the seller memo and flag (0-5); returns the previous ones", vec![id()], Some(json!({"type": "object", "properties": {"memo": {"type": "string"}, "flag": {"type": "integer"}}})))},
            "/api/v1/stock": {"get": op("Stock per SKU and warehouse", vec![param("search", "query", "part of the SKU code or title", "string"), param("warehouse", "query", "warehouse id", "integer"), param("low", "query", "available at most", "integer"), param("page", "query", "page number from 1", "integer")], None)},
            "/api/v1/stock/{code}": {"get": op("A SKU's stock in every warehouse and its ledger", vec![code()], None)},
            "/api/v1/stock/{code}/adjust": {"post": op("Adjust stock with a reason", vec![code()], Some(json!({"type": "object", "properties": {"warehouse": {"type": "string"}, "qty": {"type": "integer"}, "reason": {"type": "string"}}, "required": ["qty", "reason"]})))},
            "/api/v1/stock/{code}/transfer": {"post": op("Transfer between warehouses", vec![code()], Some(json!({"type": "object", "properties": {"from": {"type": "string"}, "to": {"type": "string"}, "qty": {"type": "integer"}}, "required": ["from", "to", "qty"]})))},
            "/api/v1/customers": {"get": op("Customers, latest purchase first", vec![param("search", "query", "part of the nick", "string"), param("province", "query", "province", "string"), param("after", "query", "the `next` value of the previous page", "string")], None)},
            "/api/v1/customers/{id}": {"get": op("A customer and their trades", vec![id()], None)},
            "/api/v1/after-sales": {
                "get": op("After-sales cases (售后) with who must act and by when: open ones by deadline (the default), or every case newest first with open=0; 50 a page", case_filters, None),
                "post": created(op("Record a buyer's request on one line (申请售后); 201 with the case", vec![], Some(apply_body)))
            },
            "/api/v1/after-sales/{key}": {"get": op("A case with its line, amounts, parcels, dispute and history", vec![key()], None)},
            "/api/v1/after-sales/{key}/steps": {"post": op("Take a step on a case; `step` names it and the other fields are those it takes: agree {note, replacement (a reship)}, refuse {note}, reapply {amount, reason}, return_shipped {carrier, tracking_no}, receive_return {good, damaged, warehouse, replacement (an exchange), note}, cancel {note}. Returns the case after it.", vec![key()], Some(step_body))},
            "/api/v1/after-sales/{key}/dispute": {"post": op("A dispute step (纠纷): open {reason} on a refused case, note {note, stage: evidence|reviewing}, decide {outcome: buyer|seller, note, replacement (a reship ruled for the buyer)}. Returns the case after it.", vec![key()], Some(dispute_body))}
        }
    });
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, ops) in crate::settings_api::paths() {
            paths.insert(path.to_string(), ops);
        }
    }
    doc
}
