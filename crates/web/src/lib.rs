//! The web back office of zhanggui (掌柜): server-rendered pages for people and a JSON API for
//! programs, both calling only the use cases of `zhanggui-app`.
//!
//! Pages need a login (a session cookie, HttpOnly and SameSite=Strict); every form that changes data
//! carries the session's CSRF token. The API under `/api/v1` takes bearer tokens the manager issues.

// Handlers refuse with a ready response (a page or a JSON error) as their `Err`.
#![allow(clippy::result_large_err)]
// The OpenAPI document is one `json!` literal; its nesting passes the default macro depth.
#![recursion_limit = "512"]

mod actions;
mod after_sales;
mod api;
mod auth;
mod chart;
mod dashboard;
mod exports;
mod imports;
mod pages;
mod purchasing;
mod reports;
mod settings;
mod settings_api;
mod ship_bulk;
mod stocktake;
mod upload;
mod view;

use std::net::SocketAddr;
use std::sync::{Arc, RwLock};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::extract::FromRef;
use axum::routing::{get, post};
use zhanggui_app::App;

pub use api::openapi;

/// What every handler gets.
#[derive(Clone)]
pub struct Web {
    pub app: App,
    /// The time zone the company's days are in (filters by date use it): the one given at start
    /// until the manager changes it in the settings, then the new one.
    pub zone: chrono_tz::Tz,
}

/// The company's time zone as the server uses it now, shared by every request.
#[derive(Clone)]
pub(crate) struct LiveZone(Arc<RwLock<chrono_tz::Tz>>);

impl LiveZone {
    fn new(zone: chrono_tz::Tz) -> LiveZone {
        LiveZone(Arc::new(RwLock::new(zone)))
    }

    pub(crate) fn get(&self) -> chrono_tz::Tz {
        match self.0.read() {
            Ok(z) => *z,
            Err(poisoned) => *poisoned.into_inner(),
        }
    }

    /// From now on requests see `zone`.
    pub(crate) fn set(&self, zone: chrono_tz::Tz) {
        match self.0.write() {
            Ok(mut z) => *z = zone,
            Err(poisoned) => *poisoned.into_inner() = zone,
        }
    }
}

/// The state the router holds; handlers take [`Web`] (with the zone of the moment) or the
/// [`LiveZone`] itself.
#[derive(Clone)]
pub(crate) struct Served {
    app: App,
    zone: LiveZone,
}

impl FromRef<Served> for Web {
    fn from_ref(s: &Served) -> Web {
        Web { app: s.app.clone(), zone: s.zone.get() }
    }
}

impl FromRef<Served> for LiveZone {
    fn from_ref(s: &Served) -> LiveZone {
        s.zone.clone()
    }
}

/// All pages and the API.
pub fn router(web: Web) -> Router {
    let served = Served { zone: LiveZone::new(web.zone), app: web.app };
    Router::new()
        .route("/", get(dashboard::home))
        .route("/login", get(pages::login_page).post(pages::login_submit))
        .route("/logout", post(pages::logout))
        .route("/lang/{code}", get(pages::switch_lang))
        .route("/static/app.css", get(pages::stylesheet))
        .route("/orders", get(pages::orders))
        .route("/orders/xlsx", get(exports::orders_xlsx))
        .route("/orders/tid/{tid}", get(pages::trade_by_tid))
        .route(
            "/orders/ship-bulk",
            get(ship_bulk::page).post(ship_bulk::submit).layer(DefaultBodyLimit::max(ship_bulk::UPLOAD_AT_MOST)),
        )
        .route("/orders/{id}", get(pages::trade))
        .route("/orders/{id}/ship", post(pages::trade_ship))
        .route("/orders/{id}/close", post(pages::trade_close))
        .route("/orders/{id}/memo", post(pages::trade_memo))
        .route("/orders/{id}/urgent", post(pages::trade_urgent))
        .route("/orders/{id}/after-sales", post(after_sales::trade_apply))
        .route("/after-sales", get(after_sales::cases))
        .route("/after-sales/xlsx", get(after_sales::cases_xlsx))
        .route("/after-sales/{key}", get(after_sales::case))
        .route("/after-sales/{key}/step", post(after_sales::case_step))
        .route("/after-sales/{key}/dispute", post(after_sales::case_dispute))
        .route("/stock", get(pages::stock))
        .route("/stock/xlsx", get(exports::stock_xlsx))
        .route("/stock/sku", get(pages::sku))
        .route("/stock/adjust", post(pages::stock_adjust))
        .route("/stock/transfer", post(pages::stock_transfer))
        .route("/stocktakes", get(stocktake::list).post(stocktake::start_submit))
        .route("/stocktakes/xlsx", get(stocktake::list_xlsx))
        .route("/stocktakes/{code}", get(stocktake::session))
        .route("/stocktakes/{code}/sheet", get(stocktake::sheet))
        .route("/stocktakes/{code}/xlsx", get(stocktake::session_xlsx))
        .route("/stocktakes/{code}/counts", post(stocktake::counts_submit))
        .route(
            "/stocktakes/{code}/upload",
            post(stocktake::upload).layer(DefaultBodyLimit::max(stocktake::UPLOAD_AT_MOST)),
        )
        .route("/stocktakes/{code}/post", post(stocktake::post_submit))
        .route("/stocktakes/{code}/cancel", post(stocktake::cancel_submit))
        .route("/purchasing", get(purchasing::index))
        .route("/purchasing/orders", get(purchasing::orders).post(purchasing::create_order))
        .route("/purchasing/orders/xlsx", get(purchasing::orders_xlsx))
        .route("/purchasing/orders/new", get(purchasing::new_order))
        .route("/purchasing/orders/{key}", get(purchasing::order))
        .route("/purchasing/orders/{key}/place", post(purchasing::place))
        .route("/purchasing/orders/{key}/cancel", post(purchasing::cancel))
        .route("/purchasing/orders/{key}/close", post(purchasing::close))
        .route("/purchasing/orders/{key}/receive", post(purchasing::receive_form))
        .route("/purchasing/orders/{key}/xlsx", get(purchasing::sheet_xlsx))
        .route("/purchasing/orders/{key}/csv", get(purchasing::sheet_csv))
        .route("/purchasing/arrivals", get(purchasing::arrivals))
        .route("/purchasing/suppliers", get(purchasing::suppliers).post(purchasing::supplier_create))
        .route("/purchasing/suppliers/assign", post(purchasing::supplier_assign))
        .route("/purchasing/replenishment", get(purchasing::replenish).post(purchasing::replenish_create))
        .route("/customers", get(pages::customers))
        .route("/customers/xlsx", get(exports::customers_xlsx))
        .route("/customers/{id}", get(pages::customer))
        .route("/reports", get(reports::index))
        .route("/reports/{kind}", get(reports::page))
        .route("/reports/{kind}/xlsx", get(reports::xlsx))
        .route("/imports", get(imports::page).post(imports::submit).layer(DefaultBodyLimit::max(upload::MAX_UPLOAD)))
        .route("/imports/{token}/rejects/{n}", get(imports::rejects))
        .route("/imports/skus/map", post(imports::map_submit))
        .route("/settings/users", get(pages::users).post(pages::user_create))
        .route("/settings/users/{id}", post(pages::user_update))
        .route("/settings/users/{id}/password", post(pages::user_password))
        .route("/settings/users/{id}/tokens", post(pages::token_issue))
        .route("/settings/tokens/{id}/revoke", post(pages::token_revoke))
        .route("/settings/audit", get(pages::audit))
        .route("/settings", get(settings::index))
        .route("/settings/shops", get(settings::shops).post(settings::shop_add))
        .route("/settings/shops/{id}", get(settings::shop).post(settings::shop_update))
        .route("/settings/warehouses", get(settings::warehouses).post(settings::warehouse_add))
        .route("/settings/warehouses/{id}", post(settings::warehouse_update))
        .route("/settings/thresholds", get(settings::thresholds).post(settings::thresholds_save))
        .route("/settings/time-zone", get(settings::time_zone).post(settings::time_zone_save))
        .nest("/api/v1", api::router())
        .fallback(pages::not_found)
        .with_state(served)
}

/// Serves until the process ends.
pub async fn serve(listener: tokio::net::TcpListener, web: Web) -> std::io::Result<()> {
    axum::serve(listener, router(web).into_make_service_with_connect_info::<SocketAddr>()).await
}
