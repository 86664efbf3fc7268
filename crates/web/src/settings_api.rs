//! The settings under `/api/v1/settings`: shops, warehouses, alert thresholds and the time zone. Anyone
//! with a token reads them; only the manager's token changes them (403 `forbidden` otherwise), through
//! the same use cases as the pages, each change in the audit log.

use std::collections::BTreeMap;

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use zhanggui_app::domain::{ThresholdKey, Thresholds};
use zhanggui_app::settings::{SettingsError, ShopChange};
use zhanggui_app::store::Shop;

use crate::api::{bad_body, error_response, op, param};
use crate::auth::ApiUser;
use crate::{LiveZone, Served, Web};

pub(crate) fn router() -> Router<Served> {
    Router::new()
        .route("/settings/shops", get(shops).post(shop_add))
        .route("/settings/shops/{id}", put(shop_update))
        .route("/settings/warehouses", get(warehouses).post(warehouse_add))
        .route("/settings/warehouses/{id}", put(warehouse_update))
        .route("/settings/thresholds", get(thresholds).put(thresholds_company))
        .route("/settings/thresholds/shops/{id}", put(thresholds_shop))
        .route("/settings/time-zone", get(time_zone).put(time_zone_set))
}

fn shop_json(s: &Shop, zone: chrono_tz::Tz) -> Value {
    json!({
        "id": s.id,
        "name": s.name,
        "platform": s.platform,
        "default_warehouse_id": s.default_warehouse_id,
        "allow_oversell": s.allow_oversell,
        "reserve_unpaid": s.reserve_unpaid,
        "inventory_start_at": s.inventory_start_at,
        "inventory_start": s.inventory_start_at.map(|t| zhanggui_app::clock::format_local(t, zone)),
    })
}

async fn shops(State(web): State<Web>, u: ApiUser) -> Response {
    match web.app.shops(&u.user.actor()).await {
        Ok(list) => {
            Json(json!({"items": list.iter().map(|s| shop_json(s, web.zone)).collect::<Vec<_>>()})).into_response()
        }
        Err(e) => error_response(&e, u.lang),
    }
}

async fn one_shop(web: &Web, u: &ApiUser, id: i64, status: StatusCode) -> Response {
    match web.app.shops(&u.user.actor()).await {
        Ok(list) => match list.iter().find(|s| s.id == id) {
            Some(s) => (status, Json(shop_json(s, web.zone))).into_response(),
            None => {
                error_response(&SettingsError::NotFound { what: "shop", what_zh: "店铺", key: id.to_string() }, u.lang)
            }
        },
        Err(e) => error_response(&e, u.lang),
    }
}

#[derive(Deserialize)]
struct ShopBody {
    name: String,
    platform: String,
    #[serde(default)]
    default_warehouse: Option<Value>,
    #[serde(default)]
    allow_oversell: bool,
    #[serde(default)]
    reserve_unpaid: bool,
    #[serde(default)]
    inventory_start: Option<String>,
}

impl ShopBody {
    fn change(self) -> ShopChange {
        ShopChange {
            name: self.name,
            platform: self.platform,
            default_warehouse: match self.default_warehouse {
                None | Some(Value::Null) => String::new(),
                Some(Value::String(s)) => s,
                Some(other) => other.to_string(),
            },
            allow_oversell: self.allow_oversell,
            reserve_unpaid: self.reserve_unpaid,
            inventory_start: self.inventory_start.unwrap_or_default(),
        }
    }
}

async fn shop_add(State(web): State<Web>, u: ApiUser, body: Result<Json<ShopBody>, JsonRejection>) -> Response {
    let b = match body {
        Ok(Json(b)) => b,
        Err(e) => return bad_body(e, u.lang),
    };
    match web.app.add_shop(&u.user, &b.change()).await {
        Ok(id) => one_shop(&web, &u, id, StatusCode::CREATED).await,
        Err(e) => error_response(&e, u.lang),
    }
}

async fn shop_update(
    State(web): State<Web>,
    u: ApiUser,
    Path(id): Path<i64>,
    body: Result<Json<ShopBody>, JsonRejection>,
) -> Response {
    let b = match body {
        Ok(Json(b)) => b,
        Err(e) => return bad_body(e, u.lang),
    };
    match web.app.update_shop(&u.user, id, &b.change()).await {
        Ok(_) => one_shop(&web, &u, id, StatusCode::OK).await,
        Err(e) => error_response(&e, u.lang),
    }
}

async fn warehouses(State(web): State<Web>, u: ApiUser) -> Response {
    match web.app.warehouse_settings(&u.user.actor()).await {
        Ok(list) => Json(json!({"items": list})).into_response(),
        Err(e) => error_response(&e, u.lang),
    }
}

async fn one_warehouse(web: &Web, u: &ApiUser, id: i64, status: StatusCode) -> Response {
    match web.app.warehouse_settings(&u.user.actor()).await {
        Ok(list) => match list.iter().find(|w| w.warehouse.id == id) {
            Some(w) => (status, Json(json!(w))).into_response(),
            None => {
                let e = SettingsError::NotFound { what: "warehouse", what_zh: "仓库", key: id.to_string() };
                error_response(&e, u.lang)
            }
        },
        Err(e) => error_response(&e, u.lang),
    }
}

#[derive(Deserialize)]
struct NewWarehouseBody {
    code: String,
    name: String,
    #[serde(default = "yes")]
    sellable: bool,
}

fn yes() -> bool {
    true
}

async fn warehouse_add(
    State(web): State<Web>,
    u: ApiUser,
    body: Result<Json<NewWarehouseBody>, JsonRejection>,
) -> Response {
    let b = match body {
        Ok(Json(b)) => b,
        Err(e) => return bad_body(e, u.lang),
    };
    match web.app.add_warehouse(&u.user, &b.code, &b.name, b.sellable).await {
        Ok(id) => one_warehouse(&web, &u, id, StatusCode::CREATED).await,
        Err(e) => error_response(&e, u.lang),
    }
}

#[derive(Deserialize)]
struct WarehouseBody {
    name: String,
    sellable: bool,
}

async fn warehouse_update(
    State(web): State<Web>,
    u: ApiUser,
    Path(id): Path<i64>,
    body: Result<Json<WarehouseBody>, JsonRejection>,
) -> Response {
    let b = match body {
        Ok(Json(b)) => b,
        Err(e) => return bad_body(e, u.lang),
    };
    match web.app.update_warehouse(&u.user, id, &b.name, b.sellable).await {
        Ok(_) => one_warehouse(&web, &u, id, StatusCode::OK).await,
        Err(e) => error_response(&e, u.lang),
    }
}

/// Each threshold: its code, names, unit, range, default and group.
fn threshold_keys() -> Vec<Value> {
    ThresholdKey::ALL
        .iter()
        .map(|k| {
            let (min, max) = k.range();
            json!({
                "code": k.code(), "group": k.group(), "label_zh": k.label_zh(), "label_en": k.label_en(),
                "unit": k.unit_en(), "min": min, "max": max, "default": k.default_value()
            })
        })
        .collect()
}

async fn thresholds(State(web): State<Web>, u: ApiUser) -> Response {
    match web.app.threshold_book(&u.user.actor()).await {
        Ok(book) => Json(json!({
            "company": book.company,
            "defaults": book.defaults,
            "shops": book.shops,
            "thresholds": threshold_keys(),
        }))
        .into_response(),
        Err(e) => error_response(&e, u.lang),
    }
}

/// The changes of a body `{"code": value or null, ...}`; an unknown code or a value that is not a
/// whole number is refused with the code as the field.
fn threshold_changes(body: &BTreeMap<String, Value>) -> Result<Vec<(ThresholdKey, Option<i64>)>, SettingsError> {
    let mut out = Vec::new();
    for (code, value) in body {
        let Ok(key) = code.parse::<ThresholdKey>() else {
            let codes: Vec<&str> = ThresholdKey::ALL.iter().map(|k| k.code()).collect();
            return Err(SettingsError::Invalid {
                field: "thresholds",
                reason: format!("unknown threshold {code:?}; the thresholds are {}", codes.join(", ")),
                reason_zh: format!("没有叫 {code} 的阈值，可以设置的有：{}", codes.join("、")),
            });
        };
        let v = match value {
            Value::Null => None,
            Value::Number(n) if n.as_i64().is_some() => n.as_i64(),
            Value::String(s) => zhanggui_app::settings::parse_threshold(key, s)?,
            other => {
                return Err(SettingsError::Invalid {
                    field: key.code(),
                    reason: format!("{} takes a whole number or null, not {other}", key.code()),
                    reason_zh: format!("{}：要填整数或 null，不能是 {other}", key.label_zh()),
                });
            }
        };
        out.push((key, v));
    }
    Ok(out)
}

async fn set_thresholds(
    web: &Web,
    u: &ApiUser,
    shop: Option<i64>,
    body: Result<Json<BTreeMap<String, Value>>, JsonRejection>,
) -> Response {
    let b = match body {
        Ok(Json(b)) => b,
        Err(e) => return bad_body(e, u.lang),
    };
    let result = match threshold_changes(&b) {
        Ok(changes) => web.app.set_thresholds(&u.user, shop, &changes).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(changed) => match web.app.threshold_book(&u.user.actor()).await {
            Ok(book) => {
                let values: &Thresholds = book.for_shop(shop.unwrap_or(0));
                let own = shop.and_then(|id| book.overrides_of(id).cloned());
                Json(json!({"changed": changed, "values": values, "overrides": own})).into_response()
            }
            Err(e) => error_response(&e, u.lang),
        },
        Err(e) => error_response(&e, u.lang),
    }
}

async fn thresholds_company(
    State(web): State<Web>,
    u: ApiUser,
    body: Result<Json<BTreeMap<String, Value>>, JsonRejection>,
) -> Response {
    set_thresholds(&web, &u, None, body).await
}

async fn thresholds_shop(
    State(web): State<Web>,
    u: ApiUser,
    Path(id): Path<i64>,
    body: Result<Json<BTreeMap<String, Value>>, JsonRejection>,
) -> Response {
    set_thresholds(&web, &u, Some(id), body).await
}

async fn time_zone(State(web): State<Web>, u: ApiUser) -> Response {
    match web.app.company_settings(&u.user.actor()).await {
        Ok(c) => Json(json!({"time_zone": c.time_zone})).into_response(),
        Err(e) => error_response(&e, u.lang),
    }
}

#[derive(Deserialize)]
struct TimeZoneBody {
    time_zone: String,
}

async fn time_zone_set(
    State(web): State<Web>,
    State(live): State<LiveZone>,
    u: ApiUser,
    body: Result<Json<TimeZoneBody>, JsonRejection>,
) -> Response {
    let b = match body {
        Ok(Json(b)) => b,
        Err(e) => return bad_body(e, u.lang),
    };
    match web.app.set_time_zone(&u.user, &b.time_zone).await {
        Ok(tz) => {
            live.set(tz);
            Json(json!({"time_zone": tz.name()})).into_response()
        }
        Err(e) => error_response(&e, u.lang),
    }
}

/// The OpenAPI entries of these routes.
pub(crate) fn paths() -> Vec<(&'static str, Value)> {
    let id = || param("id", "path", "zhanggui's id", "integer");
    let shop_body = json!({"type": "object", "properties": {
        "name": {"type": "string"},
        "platform": {"type": "string", "enum": ["taobao", "tmall", "jd", "pdd", "douyin", "other"]},
        "default_warehouse": {"type": ["string", "integer", "null"], "description": "warehouse code or id; null for none (a sellable warehouse)"},
        "allow_oversell": {"type": "boolean", "description": "trades may be paid beyond the stock available (flagged 超卖)"},
        "reserve_unpaid": {"type": "boolean", "description": "unpaid trades reserve stock"},
        "inventory_start": {"type": ["string", "null"], "description": "trades paid before this time never touch stock; YYYY-MM-DD HH:MM in the company's time zone"}
    }, "required": ["name", "platform"]});
    let thresholds_body = json!({"type": "object", "description": "threshold codes (see GET) with a whole number, or null to remove the value set; thresholds not named stay as they are", "additionalProperties": {"type": ["integer", "null"]}});
    vec![
        (
            "/api/v1/settings/shops",
            json!({
                "get": op("The shops with their platform, default warehouse and stock rules", vec![], None),
                "post": crate::api::created(op("Add a shop (the manager only); 201 with the shop", vec![], Some(shop_body.clone())))
            }),
        ),
        (
            "/api/v1/settings/shops/{id}",
            json!({"put": op("Change a shop's name, platform (only while it has no trades), default warehouse and stock rules (the manager only)", vec![id()], Some(shop_body))}),
        ),
        (
            "/api/v1/settings/warehouses",
            json!({
                "get": op("The warehouses, whether their stock is for sale, what they hold and the shops shipping from them", vec![], None),
                "post": crate::api::created(op("Add a warehouse (the manager only); 201 with it", vec![], Some(json!({"type": "object", "properties": {"code": {"type": "string"}, "name": {"type": "string"}, "sellable": {"type": "boolean", "default": true}}, "required": ["code", "name"]}))))
            }),
        ),
        (
            "/api/v1/settings/warehouses/{id}",
            json!({"put": op("Rename a warehouse and set whether its stock is for sale (only while it holds nothing; the manager only)", vec![id()], Some(json!({"type": "object", "properties": {"name": {"type": "string"}, "sellable": {"type": "boolean"}}, "required": ["name", "sellable"]})))}),
        ),
        (
            "/api/v1/settings/thresholds",
            json!({
                "get": op("The alert and replenishment thresholds (预警阈值): the company's, the defaults, each shop's own and in use, and what each threshold is", vec![], None),
                "put": op("Set thresholds of the company (the manager only); returns the values in use", vec![], Some(thresholds_body.clone()))
            }),
        ),
        (
            "/api/v1/settings/thresholds/shops/{id}",
            json!({"put": op("Set thresholds of one shop, null for the company's value (the manager only); returns the shop's values in use", vec![id()], Some(thresholds_body))}),
        ),
        (
            "/api/v1/settings/time-zone",
            json!({
                "get": op("The company's time zone (IANA name)", vec![], None),
                "put": op("Set the company's time zone, an IANA name such as Asia/Shanghai (the manager only); the report summaries are recomputed in it", vec![], Some(json!({"type": "object", "properties": {"time_zone": {"type": "string"}}, "required": ["time_zone"]})))
            }),
        ),
    ]
}
