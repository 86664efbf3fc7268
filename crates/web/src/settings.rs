//! The settings pages (设置) besides users and the audit log: shops and their stock rules, warehouses,
//! the alert thresholds (预警阈值) the reports use, and the company's time zone. Everyone sees them;
//! only the manager (店长) changes them, each change going to the audit log through the use cases.
//! A refused form comes back as typed, with the reason next to the field.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use serde::Deserialize;
use std::collections::HashMap;
use zhanggui_app::domain::{Platform, ThresholdGroup, ThresholdKey, Thresholds};
use zhanggui_app::settings::{SettingsError, ShopChange, ThresholdBook, parse_threshold};
use zhanggui_app::store::{Shop, Warehouse};
use zhanggui_app::users::Permission;
use zhanggui_app::{Lang, UserFacing};

use crate::auth::{self, Authed};
use crate::pages::{Chrome, Opt, csrf_refused, error_page, require};
use crate::{LiveZone, Web};

fn opt(value: impl Into<String>, label: impl Into<String>, selected: bool) -> Opt {
    Opt { value: value.into(), label: label.into(), selected }
}

fn check_csrf(a: &Authed, token: &str) -> Result<(), Response> {
    if a.csrf_ok(token) { Ok(()) } else { Err(csrf_refused(a.lang)) }
}

/// A refused change: the message and the field it is about, for the form.
#[derive(Default)]
struct Refusal {
    error: String,
    field: String,
    status: Option<StatusCode>,
}

impl Refusal {
    fn of(e: &SettingsError, lang: Lang) -> Refusal {
        Refusal {
            error: e.message(lang),
            field: e.field().unwrap_or_default().to_string(),
            status: Some(auth::http_status(e)),
        }
    }
}

fn yes_no(b: bool, lang: Lang) -> &'static str {
    if b { lang.pick("是", "yes") } else { lang.pick("否", "no") }
}

pub async fn index() -> Redirect {
    Redirect::to("/settings/shops")
}

// ---------------------------------------------------------------- shops

pub struct ShopRow {
    pub id: i64,
    pub name: String,
    pub platform: String,
    pub warehouse: String,
    pub allow_oversell: String,
    pub reserve_unpaid: String,
    pub inventory_start: String,
}

/// The shop form as shown: values as typed or stored.
pub struct ShopForm {
    pub name: String,
    pub platforms: Vec<Opt>,
    pub warehouses: Vec<Opt>,
    pub allow_oversell: bool,
    pub reserve_unpaid: bool,
    pub inventory_start: String,
    pub error: String,
    pub field: String,
}

fn shop_form(change: &ShopChange, warehouses: &[Warehouse], lang: Lang, refusal: &Refusal) -> ShopForm {
    let platform = change.platform.parse::<Platform>().ok();
    let mut wh = vec![opt("", lang.pick("（不指定）", "(none)"), change.default_warehouse.trim().is_empty())];
    wh.extend(warehouses.iter().map(|w| {
        let chosen = change.default_warehouse.trim() == w.code || change.default_warehouse.trim() == w.id.to_string();
        let label = if w.sellable {
            format!("{} {}", w.code, w.name)
        } else {
            format!("{} {}{}", w.code, w.name, lang.pick("（不可售）", " (not for sale)"))
        };
        opt(w.code.clone(), label, chosen)
    }));
    ShopForm {
        name: change.name.clone(),
        platforms: Platform::ALL
            .iter()
            .map(|p| opt(p.code(), lang.pick(p.label_zh(), p.label_en()), Some(*p) == platform))
            .collect(),
        warehouses: wh,
        allow_oversell: change.allow_oversell,
        reserve_unpaid: change.reserve_unpaid,
        inventory_start: change.inventory_start.clone(),
        error: refusal.error.clone(),
        field: refusal.field.clone(),
    }
}

fn change_of(s: &Shop, warehouses: &[Warehouse], zone: chrono_tz::Tz) -> ShopChange {
    ShopChange {
        name: s.name.clone(),
        platform: s.platform.code().into(),
        default_warehouse: s
            .default_warehouse_id
            .and_then(|id| warehouses.iter().find(|w| w.id == id))
            .map(|w| w.code.clone())
            .unwrap_or_default(),
        allow_oversell: s.allow_oversell,
        reserve_unpaid: s.reserve_unpaid,
        inventory_start: s.inventory_start_at.map(|t| local_minutes(t, zone)).unwrap_or_default(),
    }
}

/// "2024-06-01 08:00" in the zone; with the seconds when there are any, so that saving the form
/// unchanged keeps the time to the second.
fn local_minutes(t: chrono::DateTime<Utc>, zone: chrono_tz::Tz) -> String {
    use chrono::Timelike as _;
    let local = t.with_timezone(&zone);
    if local.second() == 0 { local.format("%Y-%m-%d %H:%M") } else { local.format("%Y-%m-%d %H:%M:%S") }.to_string()
}

#[derive(Template, WebTemplate)]
#[template(path = "settings_shops.html")]
struct ShopsPage {
    c: Chrome,
    tab: &'static str,
    can_change: bool,
    rows: Vec<ShopRow>,
    form: ShopForm,
}

#[derive(Deserialize, Default)]
pub struct Done {
    #[serde(default)]
    ok: String,
}

fn done_text(code: &str, lang: Lang) -> String {
    match code {
        "shop_added" => lang.pick("店铺已新增。", "Shop added."),
        "shop_saved" => lang.pick("店铺设置已保存。", "Shop settings saved."),
        "unchanged" => lang.pick("没有修改任何内容。", "Nothing was changed."),
        "warehouse_added" => {
            lang.pick("仓库已新增，所有商品在新仓库的库存为 0。", "Warehouse added; every SKU starts at 0 in it.")
        }
        "warehouse_saved" => lang.pick("仓库已保存。", "Warehouse saved."),
        "thresholds" => lang
            .pick("预警阈值已保存，报表和预警按新的阈值计算。", "Thresholds saved; reports and alerts use them now."),
        "time_zone" => lang.pick(
            "时区已修改，报表汇总已按新时区重算。",
            "Time zone changed; the report summaries were recomputed in it.",
        ),
        _ => "",
    }
    .to_string()
}

async fn render_shops(web: &Web, a: &Authed, notice: String, typed: Option<ShopChange>, refusal: Refusal) -> Response {
    let lang = a.lang;
    let actor = a.user().actor();
    let (shops, warehouses) = match (web.app.shops(&actor).await, web.app.warehouses(&actor).await) {
        (Ok(s), Ok(w)) => (s, w),
        (Err(e), _) => return error_page(lang, &e),
        (_, Err(e)) => return error_page(lang, &e),
    };
    let rows = shops
        .iter()
        .map(|s| ShopRow {
            id: s.id,
            name: s.name.clone(),
            platform: lang.pick(s.platform.label_zh(), s.platform.label_en()).to_string(),
            warehouse: s
                .default_warehouse_id
                .and_then(|id| warehouses.iter().find(|w| w.id == id))
                .map(|w| format!("{} {}", w.code, w.name))
                .unwrap_or_else(|| "—".into()),
            allow_oversell: yes_no(s.allow_oversell, lang).into(),
            reserve_unpaid: yes_no(s.reserve_unpaid, lang).into(),
            inventory_start: s.inventory_start_at.map(|t| local_minutes(t, web.zone)).unwrap_or_else(|| "—".into()),
        })
        .collect();
    let typed = typed.unwrap_or_else(|| ShopChange {
        platform: Platform::Taobao.code().into(),
        default_warehouse: warehouses.iter().find(|w| w.sellable).map(|w| w.code.clone()).unwrap_or_default(),
        ..Default::default()
    });
    let mut c = Chrome::new(a, web, "settings", "/settings/shops");
    c.notice = notice;
    let status = refusal.status.unwrap_or(StatusCode::OK);
    let page = ShopsPage {
        c,
        tab: "shops",
        can_change: a.user().may(Permission::ManageSettings),
        rows,
        form: shop_form(&typed, &warehouses, lang, &refusal),
    };
    (status, page).into_response()
}

pub async fn shops(State(web): State<Web>, a: Authed, Query(q): Query<Done>) -> Response {
    render_shops(&web, &a, done_text(&q.ok, a.lang), None, Refusal::default()).await
}

#[derive(Deserialize, Default)]
pub struct ShopFormInput {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    platform: String,
    #[serde(default)]
    default_warehouse: String,
    #[serde(default)]
    allow_oversell: String,
    #[serde(default)]
    reserve_unpaid: String,
    #[serde(default)]
    inventory_start: String,
}

impl ShopFormInput {
    fn change(&self) -> ShopChange {
        ShopChange {
            name: self.name.clone(),
            platform: self.platform.clone(),
            default_warehouse: self.default_warehouse.clone(),
            allow_oversell: self.allow_oversell == "1",
            reserve_unpaid: self.reserve_unpaid == "1",
            inventory_start: self.inventory_start.clone(),
        }
    }
}

pub async fn shop_add(State(web): State<Web>, a: Authed, Form(f): Form<ShopFormInput>) -> Response {
    if let Err(r) = check_csrf(&a, &f.csrf).and_then(|()| require(&a, Permission::ManageSettings)) {
        return r;
    }
    let change = f.change();
    match web.app.add_shop(a.user(), &change).await {
        Ok(_) => Redirect::to("/settings/shops?ok=shop_added").into_response(),
        Err(e) => render_shops(&web, &a, String::new(), Some(change), Refusal::of(&e, a.lang)).await,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "settings_shop.html")]
struct ShopPage {
    c: Chrome,
    tab: &'static str,
    id: i64,
    title: String,
    can_change: bool,
    form: ShopForm,
}

async fn render_shop(web: &Web, a: &Authed, id: i64, typed: Option<ShopChange>, refusal: Refusal) -> Response {
    let lang = a.lang;
    let actor = a.user().actor();
    let (shops, warehouses) = match (web.app.shops(&actor).await, web.app.warehouses(&actor).await) {
        (Ok(s), Ok(w)) => (s, w),
        (Err(e), _) => return error_page(lang, &e),
        (_, Err(e)) => return error_page(lang, &e),
    };
    let Some(shop) = shops.iter().find(|s| s.id == id) else {
        let e = SettingsError::NotFound { what: "shop", what_zh: "店铺", key: id.to_string() };
        return error_page(lang, &e);
    };
    let change = typed.unwrap_or_else(|| change_of(shop, &warehouses, web.zone));
    let mut c = Chrome::new(a, web, "settings", &format!("/settings/shops/{id}"));
    c.error = if refusal.field.is_empty() { refusal.error.clone() } else { String::new() };
    let page = ShopPage {
        c,
        tab: "shops",
        id,
        title: shop.name.clone(),
        can_change: a.user().may(Permission::ManageSettings),
        form: shop_form(&change, &warehouses, lang, &refusal),
    };
    (refusal.status.unwrap_or(StatusCode::OK), page).into_response()
}

pub async fn shop(State(web): State<Web>, a: Authed, Path(id): Path<i64>) -> Response {
    render_shop(&web, &a, id, None, Refusal::default()).await
}

pub async fn shop_update(
    State(web): State<Web>,
    a: Authed,
    Path(id): Path<i64>,
    Form(f): Form<ShopFormInput>,
) -> Response {
    if let Err(r) = check_csrf(&a, &f.csrf).and_then(|()| require(&a, Permission::ManageSettings)) {
        return r;
    }
    let change = f.change();
    match web.app.update_shop(a.user(), id, &change).await {
        Ok(true) => Redirect::to("/settings/shops?ok=shop_saved").into_response(),
        Ok(false) => Redirect::to("/settings/shops?ok=unchanged").into_response(),
        Err(e) if e.field().is_none() => error_page(a.lang, &e),
        Err(e) => render_shop(&web, &a, id, Some(change), Refusal::of(&e, a.lang)).await,
    }
}

// ---------------------------------------------------------------- warehouses

pub struct WarehouseRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub sellable: bool,
    pub on_hand: i64,
    pub reserved: i64,
    pub default_of: String,
    /// The refusal of this row's form, if it was the one sent.
    pub error: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "settings_warehouses.html")]
struct WarehousesPage {
    c: Chrome,
    tab: &'static str,
    can_change: bool,
    rows: Vec<WarehouseRow>,
    new_code: String,
    new_name: String,
    new_sellable: bool,
    new_error: String,
    new_field: String,
}

/// What was sent and refused: the new warehouse form, or one row's.
#[derive(Default)]
struct WarehouseTyped {
    row: Option<(i64, String, bool)>,
    new: Option<(String, String, bool)>,
}

async fn render_warehouses(web: &Web, a: &Authed, notice: String, typed: WarehouseTyped, refusal: Refusal) -> Response {
    let lang = a.lang;
    let list = match web.app.warehouse_settings(&a.user().actor()).await {
        Ok(l) => l,
        Err(e) => return error_page(lang, &e),
    };
    let rows = list
        .iter()
        .map(|w| {
            let sent = typed.row.as_ref().filter(|r| r.0 == w.warehouse.id);
            WarehouseRow {
                id: w.warehouse.id,
                code: w.warehouse.code.clone(),
                name: sent.map_or_else(|| w.warehouse.name.clone(), |r| r.1.clone()),
                sellable: sent.map_or(w.warehouse.sellable, |r| r.2),
                on_hand: w.on_hand,
                reserved: w.reserved,
                default_of: if w.default_of.is_empty() {
                    "—".into()
                } else {
                    w.default_of.join(lang.pick("、", ", "))
                },
                error: if sent.is_some() { refusal.error.clone() } else { String::new() },
            }
        })
        .collect();
    let (new_code, new_name, new_sellable) = typed.new.clone().unwrap_or((String::new(), String::new(), true));
    let mut c = Chrome::new(a, web, "settings", "/settings/warehouses");
    c.notice = notice;
    let page = WarehousesPage {
        c,
        tab: "warehouses",
        can_change: a.user().may(Permission::ManageSettings),
        rows,
        new_code,
        new_name,
        new_sellable,
        new_error: if typed.new.is_some() { refusal.error.clone() } else { String::new() },
        new_field: if typed.new.is_some() { refusal.field.clone() } else { String::new() },
    };
    (refusal.status.unwrap_or(StatusCode::OK), page).into_response()
}

pub async fn warehouses(State(web): State<Web>, a: Authed, Query(q): Query<Done>) -> Response {
    render_warehouses(&web, &a, done_text(&q.ok, a.lang), WarehouseTyped::default(), Refusal::default()).await
}

#[derive(Deserialize, Default)]
pub struct WarehouseForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    sellable: String,
}

pub async fn warehouse_add(State(web): State<Web>, a: Authed, Form(f): Form<WarehouseForm>) -> Response {
    if let Err(r) = check_csrf(&a, &f.csrf).and_then(|()| require(&a, Permission::ManageSettings)) {
        return r;
    }
    let sellable = f.sellable == "1";
    match web.app.add_warehouse(a.user(), &f.code, &f.name, sellable).await {
        Ok(_) => Redirect::to("/settings/warehouses?ok=warehouse_added").into_response(),
        Err(e) => {
            let typed = WarehouseTyped { new: Some((f.code, f.name, sellable)), row: None };
            render_warehouses(&web, &a, String::new(), typed, Refusal::of(&e, a.lang)).await
        }
    }
}

pub async fn warehouse_update(
    State(web): State<Web>,
    a: Authed,
    Path(id): Path<i64>,
    Form(f): Form<WarehouseForm>,
) -> Response {
    if let Err(r) = check_csrf(&a, &f.csrf).and_then(|()| require(&a, Permission::ManageSettings)) {
        return r;
    }
    let sellable = f.sellable == "1";
    match web.app.update_warehouse(a.user(), id, &f.name, sellable).await {
        Ok(true) => Redirect::to("/settings/warehouses?ok=warehouse_saved").into_response(),
        Ok(false) => Redirect::to("/settings/warehouses?ok=unchanged").into_response(),
        Err(e) if e.field().is_none() => error_page(a.lang, &e),
        Err(e) => {
            let typed = WarehouseTyped { row: Some((id, f.name, sellable)), new: None };
            render_warehouses(&web, &a, String::new(), typed, Refusal::of(&e, a.lang)).await
        }
    }
}

// ---------------------------------------------------------------- thresholds

pub struct ThresholdRow {
    pub code: &'static str,
    pub label: &'static str,
    pub unit: &'static str,
    /// The value in the input: typed, or stored at this level.
    pub value: String,
    /// What applies when the input is left blank (the default, or the company's value).
    pub fallback: i64,
    /// The value the reports use now.
    pub effective: i64,
    pub min: i64,
    pub max: i64,
    pub error: String,
}

pub struct ThresholdSection {
    pub title: &'static str,
    pub rows: Vec<ThresholdRow>,
}

#[derive(Template, WebTemplate)]
#[template(path = "settings_thresholds.html")]
struct ThresholdsPage {
    c: Chrome,
    tab: &'static str,
    can_change: bool,
    /// 0 for the company, else the shop's id.
    shop: i64,
    shop_name: String,
    levels: Vec<Opt>,
    sections: Vec<ThresholdSection>,
}

#[derive(Deserialize, Default)]
pub struct ThresholdQuery {
    #[serde(default)]
    shop: String,
    #[serde(default)]
    ok: String,
}

fn level_of(text: &str) -> i64 {
    text.trim().parse::<i64>().unwrap_or(0)
}

async fn render_thresholds(
    web: &Web,
    a: &Authed,
    shop: i64,
    notice: String,
    typed: Option<HashMap<String, String>>,
    refusal: Refusal,
) -> Response {
    let lang = a.lang;
    let book: ThresholdBook = match web.app.threshold_book(&a.user().actor()).await {
        Ok(b) => b,
        Err(e) => return error_page(lang, &e),
    };
    let shop_entry = book.shops.iter().find(|s| s.shop_id == shop);
    if shop != 0 && shop_entry.is_none() {
        return error_page(lang, &SettingsError::NotFound { what: "shop", what_zh: "店铺", key: shop.to_string() });
    }
    let effective: &Thresholds = book.for_shop(shop);
    let stored = |k: ThresholdKey| -> Option<i64> {
        match shop_entry {
            Some(s) => s.overrides.get(k.code()).copied(),
            None => (book.company.get(k) != book.defaults.get(k)).then(|| book.company.get(k)),
        }
    };
    let sections = ThresholdGroup::ALL
        .iter()
        .map(|g| ThresholdSection {
            title: lang.pick(g.label_zh(), g.label_en()),
            rows: ThresholdKey::ALL
                .iter()
                .filter(|k| k.group() == *g)
                .map(|k| {
                    let (min, max) = k.range();
                    let value = match &typed {
                        Some(t) => t.get(k.code()).cloned().unwrap_or_default(),
                        None => match (shop, stored(*k)) {
                            (_, Some(v)) => v.to_string(),
                            (0, None) => book.company.get(*k).to_string(),
                            (_, None) => String::new(),
                        },
                    };
                    ThresholdRow {
                        code: k.code(),
                        label: lang.pick(k.label_zh(), k.label_en()),
                        unit: lang.pick(k.unit_zh(), k.unit_en()),
                        value,
                        fallback: if shop == 0 { book.defaults.get(*k) } else { book.company.get(*k) },
                        effective: effective.get(*k),
                        min,
                        max,
                        error: if refusal.field == k.code() { refusal.error.clone() } else { String::new() },
                    }
                })
                .collect(),
        })
        .collect();
    let mut levels = vec![opt("0", lang.pick("公司（全部店铺）", "Company (all shops)"), shop == 0)];
    levels.extend(book.shops.iter().map(|s| opt(s.shop_id.to_string(), s.shop.clone(), s.shop_id == shop)));
    let here = if shop == 0 { "/settings/thresholds".to_string() } else { format!("/settings/thresholds?shop={shop}") };
    let mut c = Chrome::new(a, web, "settings", &here);
    c.notice = notice;
    c.error = if refusal.field.is_empty() || !ThresholdKey::ALL.iter().any(|k| k.code() == refusal.field) {
        refusal.error.clone()
    } else {
        String::new()
    };
    let page = ThresholdsPage {
        c,
        tab: "thresholds",
        can_change: a.user().may(Permission::ManageSettings),
        shop,
        shop_name: shop_entry.map(|s| s.shop.clone()).unwrap_or_default(),
        levels,
        sections,
    };
    (refusal.status.unwrap_or(StatusCode::OK), page).into_response()
}

pub async fn thresholds(State(web): State<Web>, a: Authed, Query(q): Query<ThresholdQuery>) -> Response {
    let notice = done_text(&q.ok, a.lang);
    render_thresholds(&web, &a, level_of(&q.shop), notice, None, Refusal::default()).await
}

pub async fn thresholds_save(State(web): State<Web>, a: Authed, Form(f): Form<HashMap<String, String>>) -> Response {
    let csrf = f.get("csrf").map(String::as_str).unwrap_or("");
    if let Err(r) = check_csrf(&a, csrf).and_then(|()| require(&a, Permission::ManageSettings)) {
        return r;
    }
    let shop = level_of(f.get("shop").map(String::as_str).unwrap_or(""));
    let mut changes = Vec::new();
    let mut refused = None;
    for key in ThresholdKey::ALL {
        let Some(text) = f.get(key.code()) else { continue };
        match parse_threshold(key, text) {
            Ok(v) => changes.push((key, v)),
            Err(e) => {
                refused = Some(e);
                break;
            }
        }
    }
    let result = match refused {
        Some(e) => Err(e),
        None => web.app.set_thresholds(a.user(), (shop != 0).then_some(shop), &changes).await,
    };
    let back = if shop == 0 { String::new() } else { format!("shop={shop}&") };
    match result {
        Ok(0) => Redirect::to(&format!("/settings/thresholds?{back}ok=unchanged")).into_response(),
        Ok(_) => Redirect::to(&format!("/settings/thresholds?{back}ok=thresholds")).into_response(),
        Err(e) if e.field().is_none() => error_page(a.lang, &e),
        Err(e) => render_thresholds(&web, &a, shop, String::new(), Some(f), Refusal::of(&e, a.lang)).await,
    }
}

// ---------------------------------------------------------------- time zone

/// Zones offered in the form; any IANA name is accepted.
const ZONES: [&str; 12] = [
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Taipei",
    "Asia/Macau",
    "Asia/Singapore",
    "Asia/Kuala_Lumpur",
    "Asia/Tokyo",
    "Asia/Seoul",
    "Europe/London",
    "Europe/Berlin",
    "America/Los_Angeles",
    "America/New_York",
];

#[derive(Template, WebTemplate)]
#[template(path = "settings_time_zone.html")]
struct TimeZonePage {
    c: Chrome,
    tab: &'static str,
    can_change: bool,
    company: String,
    current: String,
    local_now: String,
    typed: String,
    zones: Vec<&'static str>,
    field_error: String,
}

async fn render_time_zone(web: &Web, a: &Authed, notice: String, typed: Option<String>, refusal: Refusal) -> Response {
    let lang = a.lang;
    let company = match web.app.company_settings(&a.user().actor()).await {
        Ok(c) => c,
        Err(e) => return error_page(lang, &e),
    };
    let zone = zhanggui_app::clock::zone(&company.time_zone);
    let mut c = Chrome::new(a, web, "settings", "/settings/time-zone");
    c.notice = notice;
    let page = TimeZonePage {
        c,
        tab: "time_zone",
        can_change: a.user().may(Permission::ManageSettings),
        company: company.name,
        local_now: Utc::now().with_timezone(&zone).format("%Y-%m-%d %H:%M").to_string(),
        typed: typed.unwrap_or_else(|| company.time_zone.clone()),
        current: company.time_zone,
        zones: ZONES.to_vec(),
        field_error: refusal.error,
    };
    (refusal.status.unwrap_or(StatusCode::OK), page).into_response()
}

pub async fn time_zone(State(web): State<Web>, a: Authed, Query(q): Query<Done>) -> Response {
    render_time_zone(&web, &a, done_text(&q.ok, a.lang), None, Refusal::default()).await
}

#[derive(Deserialize, Default)]
pub struct TimeZoneForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    time_zone: String,
}

pub async fn time_zone_save(
    State(web): State<Web>,
    State(live): State<LiveZone>,
    a: Authed,
    Form(f): Form<TimeZoneForm>,
) -> Response {
    if let Err(r) = check_csrf(&a, &f.csrf).and_then(|()| require(&a, Permission::ManageSettings)) {
        return r;
    }
    match web.app.set_time_zone(a.user(), &f.time_zone).await {
        Ok(tz) => {
            live.set(tz);
            Redirect::to("/settings/time-zone?ok=time_zone").into_response()
        }
        Err(e) if e.field().is_none() => error_page(a.lang, &e),
        Err(e) => render_time_zone(&web, &a, String::new(), Some(f.time_zone), Refusal::of(&e, a.lang)).await,
    }
}
