//! The JSON API under `/api/v1`: the same use cases as the pages, for programs holding a bearer
//! token the manager issued. Errors are `{"error": {"code": "...", "message": "..."}}` with a stable
//! code; `/api/v1/openapi.json` describes every route (a test checks the two agree).

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

pub fn router() -> Router<Web> {
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

fn param(name: &str, location: &str, description: &str, schema: &str) -> Value {
    json!({"name": name, "in": location, "required": location == "path", "description": description, "schema": {"type": schema}})
}

fn op(summary: &str, params: Vec<Value>, body: Option<Value>) -> Value {
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
    json!({
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
            "/api/v1/customers/{id}": {"get": op("A customer and their trades", vec![id()], None)}
        }
    })
}
