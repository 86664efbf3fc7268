//! The settings (设置) the manager changes: shops (platform, default warehouse, stock rules), warehouses
//! (name, whether their stock is for sale), the thresholds of the alerts and the replenishment table
//! (预警阈值, company-wide with per-shop overrides) and the company's time zone. Each change is one
//! transaction with its line in the audit log, values before and after; only the manager (店长) may
//! make them.
//!
//! The reports read the thresholds through [`load_thresholds`]: a report of one shop uses that shop's
//! values, a company report the company's, and the shipping and after-sales alerts of a company report
//! the values of each trade's shop.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use zhanggui_domain::{Platform, ThresholdError, ThresholdKey, Thresholds};
use zhanggui_store::settings::{ShopFields, ThresholdRow, WarehouseTotals};
use zhanggui_store::{Shop, StoreError, Tx, Warehouse};

use crate::users::{Permission, User, audit_in};
use crate::{Actor, App, ErrorKind, Lang, UserFacing, clock};

/// The longest shop or warehouse name accepted.
pub const MAX_NAME: usize = 40;
/// The longest warehouse code accepted.
pub const MAX_CODE: usize = 20;

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("only the shop manager may change settings")]
    Forbidden,
    #[error("{field}: {reason}")]
    Invalid { field: &'static str, reason: String, reason_zh: String },
    #[error("{field}: {value} is already used by another {what}")]
    Duplicate { field: &'static str, value: String, what: &'static str, what_zh: &'static str },
    #[error("{what} {key} not found")]
    NotFound { what: &'static str, what_zh: &'static str, key: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl SettingsError {
    fn invalid(field: &'static str, reason: impl Into<String>, reason_zh: impl Into<String>) -> SettingsError {
        SettingsError::Invalid { field, reason: reason.into(), reason_zh: reason_zh.into() }
    }

    /// The form field to correct, if the input was at fault.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            SettingsError::Invalid { field, .. } | SettingsError::Duplicate { field, .. } => Some(field),
            _ => None,
        }
    }
}

impl From<ThresholdError> for SettingsError {
    fn from(e: ThresholdError) -> Self {
        SettingsError::Invalid { field: e.key().code(), reason: e.to_string(), reason_zh: e.message_zh() }
    }
}

impl UserFacing for SettingsError {
    fn code(&self) -> &'static str {
        match self {
            SettingsError::Forbidden => "forbidden",
            SettingsError::Invalid { .. } => "invalid_input",
            SettingsError::Duplicate { .. } => "duplicate",
            SettingsError::NotFound { .. } => "not_found",
            SettingsError::Store(_) => "internal",
        }
    }

    fn kind(&self) -> ErrorKind {
        match self {
            SettingsError::NotFound { .. } => ErrorKind::NotFound,
            SettingsError::Store(_) => ErrorKind::Internal,
            _ => ErrorKind::BadInput,
        }
    }

    fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (_, Lang::En) => self.to_string(),
            (SettingsError::Forbidden, Lang::Zh) => "只有店长可以修改设置".into(),
            (SettingsError::Invalid { reason_zh, .. }, Lang::Zh) => reason_zh.clone(),
            (SettingsError::Duplicate { value, what_zh, .. }, Lang::Zh) => format!("{value} 已被另一个{what_zh}使用"),
            (SettingsError::NotFound { what_zh, key, .. }, Lang::Zh) => format!("找不到{what_zh} {key}"),
            (SettingsError::Store(e), Lang::Zh) => format!("系统错误：{e}"),
        }
    }
}

fn require(by: &User) -> Result<(), SettingsError> {
    if by.may(Permission::ManageSettings) { Ok(()) } else { Err(SettingsError::Forbidden) }
}

// ---------------------------------------------------------------------------------------------------------
// Thresholds
// ---------------------------------------------------------------------------------------------------------

/// One shop's thresholds: what it overrides and the values its reports use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShopThresholds {
    pub shop_id: i64,
    pub shop: String,
    /// The values this shop sets itself, by code.
    pub overrides: BTreeMap<&'static str, i64>,
    /// The company's values with the overrides in place.
    pub effective: Thresholds,
}

/// The thresholds of a company and its shops.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ThresholdBook {
    /// The company's values (the defaults where it sets none).
    pub company: Thresholds,
    /// The values of the seeds and DOMAIN.md.
    pub defaults: Thresholds,
    pub shops: Vec<ShopThresholds>,
}

impl ThresholdBook {
    /// The values a report of this shop uses (the company's for 0 or a shop not listed).
    pub fn for_shop(&self, shop_id: i64) -> &Thresholds {
        self.shops.iter().find(|s| s.shop_id == shop_id).map_or(&self.company, |s| &s.effective)
    }

    /// What a shop sets itself.
    pub fn overrides_of(&self, shop_id: i64) -> Option<&BTreeMap<&'static str, i64>> {
        self.shops.iter().find(|s| s.shop_id == shop_id).map(|s| &s.overrides)
    }
}

/// The stored values of one level (company or shop) that are known thresholds within their ranges;
/// anything else stored (a threshold since dropped, a value out of range) is left out.
fn stored_values(rows: &[ThresholdRow], shop_id: i64) -> Vec<(ThresholdKey, i64)> {
    rows.iter()
        .filter(|r| r.shop_id == shop_id)
        .filter_map(|r| {
            let key = r.threshold.parse::<ThresholdKey>().ok()?;
            let (min, max) = key.range();
            (min..=max).contains(&r.value).then_some((key, r.value))
        })
        .collect()
}

fn build_book(rows: &[ThresholdRow], shops: &[Shop]) -> ThresholdBook {
    let defaults = Thresholds::default();
    let company = defaults.overlaid(&stored_values(rows, 0)).unwrap_or(defaults);
    let shops = shops
        .iter()
        .map(|s| {
            let own = stored_values(rows, s.id);
            ShopThresholds {
                shop_id: s.id,
                shop: s.name.clone(),
                overrides: own.iter().map(|(k, v)| (k.code(), *v)).collect(),
                effective: company.overlaid(&own).unwrap_or(company),
            }
        })
        .collect();
    ThresholdBook { company, defaults, shops }
}

/// The thresholds of a company and its shops, as the reports use them.
pub async fn load_thresholds(tx: &mut Tx, company_id: i64) -> Result<ThresholdBook, StoreError> {
    let rows = tx.alert_thresholds(company_id).await?;
    let shops = tx.shops(company_id).await?;
    Ok(build_book(&rows, &shops))
}

/// A threshold as typed in a form: blank means "not set" (the company's default, or for a shop the
/// company's value); otherwise a whole number in the threshold's range.
pub fn parse_threshold(key: ThresholdKey, text: &str) -> Result<Option<i64>, SettingsError> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let (min, max) = key.range();
    match t.parse::<i64>() {
        Ok(v) if (min..=max).contains(&v) => Ok(Some(v)),
        Ok(v) => Err(ThresholdError::OutOfRange { key, value: v, min, max }.into()),
        Err(_) => Err(SettingsError::invalid(
            key.code(),
            format!("{} takes a whole number of {}, not {t:?}", key.label_en(), key.unit_en()),
            format!("{}：要填整数（{}），“{t}”不是", key.label_zh(), key.unit_zh()),
        )),
    }
}

// ---------------------------------------------------------------------------------------------------------
// Shops and warehouses
// ---------------------------------------------------------------------------------------------------------

/// A shop as the settings form or the API gives it; every field is checked by the use case.
#[derive(Debug, Clone, Default)]
pub struct ShopChange {
    pub name: String,
    /// A platform code (taobao, tmall, jd, pdd, douyin, other) or its Chinese name.
    pub platform: String,
    /// A warehouse id or code; empty for none.
    pub default_warehouse: String,
    pub allow_oversell: bool,
    pub reserve_unpaid: bool,
    /// A time in the company's zone ("2024-06-01 08:00" or a date); empty for none.
    pub inventory_start: String,
}

/// A warehouse with what it holds and the shops that ship from it.
#[derive(Debug, Clone, Serialize)]
pub struct WarehouseSetting {
    #[serde(flatten)]
    pub warehouse: Warehouse,
    pub on_hand: i64,
    pub reserved: i64,
    /// Shops whose default warehouse it is.
    pub default_of: Vec<String>,
}

/// The company's own settings.
#[derive(Debug, Clone, Serialize)]
pub struct CompanySettings {
    pub code: String,
    pub name: String,
    /// The IANA name of its time zone (Asia/Shanghai).
    pub time_zone: String,
}

/// A name trimmed, if it has 1 to [`MAX_NAME`] characters.
fn good_name(text: &str) -> Option<String> {
    let name = text.trim();
    (1..=MAX_NAME).contains(&name.chars().count()).then(|| name.to_string())
}

fn bad_warehouse_name() -> SettingsError {
    SettingsError::invalid(
        "name",
        format!("the warehouse name takes 1 to {MAX_NAME} characters"),
        format!("仓库名称：要填 1 到 {MAX_NAME} 个字"),
    )
}

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

/// A shop as the audit log records it.
fn shop_text(s: &ShopFields<'_>, warehouses: &[Warehouse], tz: Tz) -> String {
    let wh = s
        .default_warehouse_id
        .and_then(|id| warehouses.iter().find(|w| w.id == id))
        .map_or_else(|| "-".to_string(), |w| w.code.clone());
    let start = s.inventory_start_at.map_or_else(|| "-".to_string(), |t| clock::format_local(t, tz));
    format!(
        "name={} platform={} default_warehouse={wh} allow_oversell={} reserve_unpaid={} inventory_start={start}",
        s.name,
        s.platform.code(),
        yes_no(s.allow_oversell),
        yes_no(s.reserve_unpaid),
    )
}

fn fields_of(s: &Shop) -> ShopFields<'_> {
    ShopFields {
        name: &s.name,
        platform: s.platform,
        default_warehouse_id: s.default_warehouse_id,
        allow_oversell: s.allow_oversell,
        reserve_unpaid: s.reserve_unpaid,
        inventory_start_at: s.inventory_start_at,
    }
}

/// The checked fields of a shop change (the name is returned apart, trimmed).
struct CheckedShop {
    name: String,
    platform: Platform,
    default_warehouse_id: Option<i64>,
    inventory_start_at: Option<DateTime<Utc>>,
}

fn check_shop(c: &ShopChange, warehouses: &[Warehouse], tz: Tz) -> Result<CheckedShop, SettingsError> {
    let name = good_name(&c.name).ok_or_else(|| {
        SettingsError::invalid(
            "name",
            format!("the shop name takes 1 to {MAX_NAME} characters"),
            format!("店铺名称：要填 1 到 {MAX_NAME} 个字"),
        )
    })?;
    let platform = c.platform.parse::<Platform>().map_err(|_| {
        SettingsError::invalid(
            "platform",
            format!("unknown platform {:?} (taobao, tmall, jd, pdd, douyin or other)", c.platform.trim()),
            format!("平台：不认识“{}”，请选淘宝、天猫、京东、拼多多、抖音或其他", c.platform.trim()),
        )
    })?;
    let wh = c.default_warehouse.trim();
    let default_warehouse_id = if wh.is_empty() {
        None
    } else {
        let found = warehouses.iter().find(|w| w.code == wh || w.id.to_string() == wh).ok_or_else(|| {
            SettingsError::invalid(
                "default_warehouse",
                format!("no warehouse {wh}"),
                format!("默认发货仓：找不到仓库 {wh}"),
            )
        })?;
        if !found.sellable {
            return Err(SettingsError::invalid(
                "default_warehouse",
                format!("{} holds goods that cannot be sold; a shop ships from a sellable warehouse", found.name),
                format!("默认发货仓：{} 放的是不可售的货，店铺要从可售的仓库发货", found.name),
            ));
        }
        Some(found.id)
    };
    let start = c.inventory_start.trim();
    let inventory_start_at = if start.is_empty() {
        None
    } else {
        Some(clock::parse_local(start, tz).ok_or_else(|| {
            SettingsError::invalid(
                "inventory_start",
                format!("cannot read the time {start:?}; write it as 2024-06-01 08:00 or 2024-06-01"),
                format!("库存起始时间：看不懂“{start}”，请写成 2024-06-01 08:00 或 2024-06-01"),
            )
        })?)
    };
    Ok(CheckedShop { name, platform, default_warehouse_id, inventory_start_at })
}

impl App {
    /// The thresholds of the actor's company and its shops.
    pub async fn threshold_book(&self, actor: &Actor) -> Result<ThresholdBook, SettingsError> {
        let mut tx = self.db.begin_read().await?;
        let book = load_thresholds(&mut tx, actor.company_id).await?;
        tx.commit().await?;
        Ok(book)
    }

    /// Sets thresholds of the company (`shop` None) or of one shop. Each change names a threshold
    /// and its new value; `None` removes the value set (the company goes back to the default, a shop
    /// to the company's value). The company's values are stored only where they differ from the
    /// defaults. The result must hold together for the company and every shop, or nothing changes.
    /// Returns how many thresholds changed.
    pub async fn set_thresholds(
        &self,
        by: &User,
        shop: Option<i64>,
        changes: &[(ThresholdKey, Option<i64>)],
    ) -> Result<usize, SettingsError> {
        require(by)?;
        for (key, value) in changes {
            if let Some(v) = value {
                Thresholds::default().set(*key, *v)?;
            }
        }
        let now = Utc::now();
        let company_id = by.company_id;
        let mut tx = self.db.begin().await?;
        let rows = tx.alert_thresholds(company_id).await?;
        let shops = tx.shops(company_id).await?;
        let level = shop.unwrap_or(0);
        let target = match shop {
            None => tx.company(company_id).await?.map_or_else(|| company_id.to_string(), |c| c.name),
            Some(id) => match shops.iter().find(|s| s.id == id) {
                Some(s) => s.name.clone(),
                None => {
                    tx.rollback().await?;
                    return Err(SettingsError::NotFound { what: "shop", what_zh: "店铺", key: id.to_string() });
                }
            },
        };
        let before = build_book(&rows, &shops);
        let defaults = Thresholds::default();
        // The stored values of the level, after the changes.
        let mut stored: BTreeMap<ThresholdKey, i64> = stored_values(&rows, level).into_iter().collect();
        for (key, value) in changes {
            let value = match (shop, value) {
                (None, Some(v)) if *v == defaults.get(*key) => None,
                (_, v) => *v,
            };
            match value {
                Some(v) => stored.insert(*key, v),
                None => stored.remove(key),
            };
        }
        let mut new_rows: Vec<ThresholdRow> = rows.iter().filter(|r| r.shop_id != level).cloned().collect();
        new_rows.extend(stored.iter().map(|(k, v)| ThresholdRow {
            shop_id: level,
            threshold: k.code().into(),
            value: *v,
        }));
        let after = build_book(&new_rows, &shops);
        if let Err(e) = after.company.check() {
            tx.rollback().await?;
            return Err(e.into());
        }
        for s in &after.shops {
            if let Err(e) = s.effective.check() {
                tx.rollback().await?;
                let e = SettingsError::from(e);
                return Err(match (shop, e) {
                    (None, SettingsError::Invalid { field, reason, reason_zh }) => SettingsError::Invalid {
                        field,
                        reason: format!("{reason} (for the shop {}, which sets some thresholds itself)", s.shop),
                        reason_zh: format!("{reason_zh}（店铺 {} 自己设了部分阈值，合起来不成立）", s.shop),
                    },
                    (_, e) => e,
                });
            }
        }
        // What changed at this level, for the store and the audit log.
        let old_stored: BTreeMap<ThresholdKey, i64> = stored_values(&rows, level).into_iter().collect();
        let shown = |book: &ThresholdBook, stored: &BTreeMap<ThresholdKey, i64>, k: ThresholdKey| match stored.get(&k) {
            Some(v) => v.to_string(),
            None if shop.is_none() => format!("default({})", book.company.get(k)),
            None => format!("company({})", book.company.get(k)),
        };
        let (mut was, mut now_is) = (Vec::new(), Vec::new());
        let mut changed = 0;
        for key in ThresholdKey::ALL {
            let (old, new) = (old_stored.get(&key), stored.get(&key));
            if old == new {
                continue;
            }
            match new {
                Some(v) => tx.set_alert_threshold(company_id, level, key.code(), *v, now).await?,
                None => tx.clear_alert_threshold(company_id, level, key.code()).await?,
            }
            was.push(format!("{key}={}", shown(&before, &old_stored, key)));
            now_is.push(format!("{key}={}", shown(&after, &stored, key)));
            changed += 1;
        }
        if changed == 0 {
            tx.rollback().await?;
            return Ok(0);
        }
        audit_in(&mut tx, &by.actor(), "settings.thresholds", &target, &was.join(" "), &now_is.join(" "), now).await?;
        tx.commit().await?;
        Ok(changed)
    }

    // ----------------------------------------------------------------- time zone

    /// The company's code, name and time zone.
    pub async fn company_settings(&self, actor: &Actor) -> Result<CompanySettings, SettingsError> {
        let mut tx = self.db.begin_read().await?;
        let company = tx.company(actor.company_id).await?;
        tx.commit().await?;
        let c = company.ok_or_else(|| SettingsError::NotFound {
            what: "company",
            what_zh: "公司",
            key: actor.company_id.to_string(),
        })?;
        Ok(CompanySettings { code: c.code, name: c.name, time_zone: c.time_zone })
    }

    /// Sets the company's time zone (an IANA name such as Asia/Shanghai): the days of its reports,
    /// list filters and exports. The sales summaries are kept by day, so they are recomputed in the
    /// new zone in the same transaction. Returns the zone.
    pub async fn set_time_zone(&self, by: &User, name: &str) -> Result<Tz, SettingsError> {
        require(by)?;
        let name = name.trim();
        let tz = name.parse::<Tz>().map_err(|_| {
            SettingsError::invalid(
                "time_zone",
                format!("{name:?} is not a time zone name such as Asia/Shanghai (IANA)"),
                format!("时区：“{name}”不是有效的时区名称，请填 IANA 名称，例如 Asia/Shanghai"),
            )
        })?;
        let now = Utc::now();
        let mut tx = self.db.begin().await?;
        let Some(company) = tx.company(by.company_id).await? else {
            tx.rollback().await?;
            return Err(SettingsError::NotFound { what: "company", what_zh: "公司", key: by.company_id.to_string() });
        };
        if company.time_zone == tz.name() {
            tx.rollback().await?;
            return Ok(tz);
        }
        tx.set_company_time_zone(company.id, tz.name()).await?;
        tx.rebuild_summaries(company.id).await?;
        let (before, after) = (format!("time_zone={}", company.time_zone), format!("time_zone={}", tz.name()));
        audit_in(&mut tx, &by.actor(), "settings.time_zone", &company.code, &before, &after, now).await?;
        tx.commit().await?;
        Ok(tz)
    }

    // ----------------------------------------------------------------- shops

    /// Adds a shop; returns its id.
    pub async fn add_shop(&self, by: &User, change: &ShopChange) -> Result<i64, SettingsError> {
        require(by)?;
        let now = Utc::now();
        let mut tx = self.db.begin().await?;
        let warehouses = tx.warehouses(by.company_id).await?;
        let tz = tx.company_zone(by.company_id).await?;
        let c = match check_shop(change, &warehouses, tz) {
            Ok(c) => c,
            Err(e) => {
                tx.rollback().await?;
                return Err(e);
            }
        };
        if tx.shop_id_by_name(by.company_id, &c.name).await?.is_some() {
            tx.rollback().await?;
            return Err(SettingsError::Duplicate { field: "name", value: c.name, what: "shop", what_zh: "店铺" });
        }
        let id = tx
            .insert_shop(
                by.company_id,
                c.platform,
                &c.name,
                c.default_warehouse_id,
                change.allow_oversell,
                change.reserve_unpaid,
                now,
            )
            .await?;
        if c.inventory_start_at.is_some() {
            tx.set_shop_stock_rules(id, change.allow_oversell, change.reserve_unpaid, c.inventory_start_at).await?;
        }
        let fields = ShopFields {
            name: &c.name,
            platform: c.platform,
            default_warehouse_id: c.default_warehouse_id,
            allow_oversell: change.allow_oversell,
            reserve_unpaid: change.reserve_unpaid,
            inventory_start_at: c.inventory_start_at,
        };
        let after = shop_text(&fields, &warehouses, tz);
        audit_in(&mut tx, &by.actor(), "settings.shop_add", &c.name, "", &after, now).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Changes a shop: its name, platform (only while it has no trades: its buyers and imports
    /// depend on it), default warehouse and stock rules. Returns whether anything changed.
    pub async fn update_shop(&self, by: &User, shop_id: i64, change: &ShopChange) -> Result<bool, SettingsError> {
        require(by)?;
        let now = Utc::now();
        let mut tx = self.db.begin().await?;
        let result = update_shop_in(&mut tx, by, shop_id, change, now).await;
        match result {
            Ok(true) => {
                tx.commit().await?;
                Ok(true)
            }
            Ok(false) => {
                tx.rollback().await?;
                Ok(false)
            }
            Err(e) => {
                tx.rollback().await?;
                Err(e)
            }
        }
    }

    // ----------------------------------------------------------------- warehouses

    /// The company's warehouses with the units they hold and the shops shipping from them.
    pub async fn warehouse_settings(&self, actor: &Actor) -> Result<Vec<WarehouseSetting>, SettingsError> {
        let mut tx = self.db.begin_read().await?;
        let warehouses = tx.warehouses(actor.company_id).await?;
        let totals: BTreeMap<i64, WarehouseTotals> = tx.warehouse_totals(actor.company_id).await?.into_iter().collect();
        let shops = tx.shops(actor.company_id).await?;
        tx.commit().await?;
        Ok(warehouses
            .into_iter()
            .map(|w| {
                let t = totals.get(&w.id).copied().unwrap_or_default();
                let default_of =
                    shops.iter().filter(|s| s.default_warehouse_id == Some(w.id)).map(|s| s.name.clone()).collect();
                WarehouseSetting { warehouse: w, on_hand: t.on_hand, reserved: t.reserved, default_of }
            })
            .collect())
    }

    /// Adds a warehouse (every SKU gets an empty balance in it); returns its id.
    pub async fn add_warehouse(&self, by: &User, code: &str, name: &str, sellable: bool) -> Result<i64, SettingsError> {
        require(by)?;
        let code = code.trim();
        if code.is_empty() || code.chars().count() > MAX_CODE || code.chars().any(char::is_whitespace) {
            return Err(SettingsError::invalid(
                "code",
                format!("the warehouse code takes 1 to {MAX_CODE} characters without spaces"),
                format!("仓库编码：要填 1 到 {MAX_CODE} 个字符，不能有空格"),
            ));
        }
        let name = good_name(name).ok_or_else(bad_warehouse_name)?;
        let now = Utc::now();
        let mut tx = self.db.begin().await?;
        let existing = tx.warehouses(by.company_id).await?;
        let duplicate = if existing.iter().any(|w| w.code.eq_ignore_ascii_case(code)) {
            Some(SettingsError::Duplicate { field: "code", value: code.into(), what: "warehouse", what_zh: "仓库" })
        } else if existing.iter().any(|w| w.name == name) {
            Some(SettingsError::Duplicate { field: "name", value: name.clone(), what: "warehouse", what_zh: "仓库" })
        } else {
            None
        };
        if let Some(e) = duplicate {
            tx.rollback().await?;
            return Err(e);
        }
        let id = tx.insert_warehouse(by.company_id, code, &name).await?;
        if !sellable {
            tx.update_warehouse(id, &name, false).await?;
        }
        let after = format!("code={code} name={name} sellable={}", yes_no(sellable));
        audit_in(&mut tx, &by.actor(), "settings.warehouse_add", code, "", &after, now).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Renames a warehouse and sets whether its stock is for sale. Whether it is for sale changes only
    /// while it holds nothing (move its stock out first) and never for a shop's default warehouse.
    /// Returns whether anything changed.
    pub async fn update_warehouse(
        &self,
        by: &User,
        warehouse_id: i64,
        name: &str,
        sellable: bool,
    ) -> Result<bool, SettingsError> {
        require(by)?;
        let name = good_name(name).ok_or_else(bad_warehouse_name)?;
        let now = Utc::now();
        let mut tx = self.db.begin().await?;
        let result = update_warehouse_in(&mut tx, by, warehouse_id, &name, sellable, now).await;
        match result {
            Ok(true) => {
                tx.commit().await?;
                Ok(true)
            }
            Ok(false) => {
                tx.rollback().await?;
                Ok(false)
            }
            Err(e) => {
                tx.rollback().await?;
                Err(e)
            }
        }
    }
}

async fn update_shop_in(
    tx: &mut Tx,
    by: &User,
    shop_id: i64,
    change: &ShopChange,
    now: DateTime<Utc>,
) -> Result<bool, SettingsError> {
    let not_found = || SettingsError::NotFound { what: "shop", what_zh: "店铺", key: shop_id.to_string() };
    let old = tx.shop(shop_id).await?.filter(|s| s.company_id == by.company_id).ok_or_else(not_found)?;
    let warehouses = tx.warehouses(by.company_id).await?;
    let tz = old.time_zone;
    let c = check_shop(change, &warehouses, tz)?;
    if c.name != old.name && tx.shop_id_by_name(by.company_id, &c.name).await?.is_some_and(|id| id != shop_id) {
        return Err(SettingsError::Duplicate { field: "name", value: c.name, what: "shop", what_zh: "店铺" });
    }
    if c.platform != old.platform && tx.shop_has_trades(shop_id).await? {
        return Err(SettingsError::invalid(
            "platform",
            format!("{} has trades already; its platform can no longer change", old.name),
            format!("平台：{} 已经有订单，不能再改平台（买家和导入都按平台区分）", old.name),
        ));
    }
    let new = ShopFields {
        name: &c.name,
        platform: c.platform,
        default_warehouse_id: c.default_warehouse_id,
        allow_oversell: change.allow_oversell,
        reserve_unpaid: change.reserve_unpaid,
        inventory_start_at: c.inventory_start_at,
    };
    let (before, after) = (shop_text(&fields_of(&old), &warehouses, tz), shop_text(&new, &warehouses, tz));
    if before == after {
        return Ok(false);
    }
    tx.update_shop(shop_id, &new).await?;
    audit_in(tx, &by.actor(), "settings.shop", &old.name, &before, &after, now).await?;
    Ok(true)
}

async fn update_warehouse_in(
    tx: &mut Tx,
    by: &User,
    warehouse_id: i64,
    name: &str,
    sellable: bool,
    now: DateTime<Utc>,
) -> Result<bool, SettingsError> {
    let all = tx.warehouses(by.company_id).await?;
    let Some(old) = all.iter().find(|w| w.id == warehouse_id) else {
        return Err(SettingsError::NotFound { what: "warehouse", what_zh: "仓库", key: warehouse_id.to_string() });
    };
    if old.name == name && old.sellable == sellable {
        return Ok(false);
    }
    if all.iter().any(|w| w.id != warehouse_id && w.name == name) {
        return Err(SettingsError::Duplicate {
            field: "name", value: name.into(), what: "warehouse", what_zh: "仓库"
        });
    }
    if old.sellable != sellable {
        let totals = tx.warehouse_totals(by.company_id).await?;
        let t = totals.iter().find(|(id, _)| *id == warehouse_id).map(|(_, t)| *t).unwrap_or_default();
        if t.on_hand != 0 || t.reserved != 0 || t.open_reservations != 0 {
            return Err(SettingsError::invalid(
                "sellable",
                format!(
                    "{} holds {} units ({} reserved); move its stock out before changing whether it is for sale",
                    old.name, t.on_hand, t.reserved
                ),
                format!(
                    "可售：{} 还有 {} 件库存（占用 {} 件），先把库存调拨出去，才能改可售/不可售",
                    old.name, t.on_hand, t.reserved
                ),
            ));
        }
        if !sellable {
            let shops: Vec<String> = tx
                .shops(by.company_id)
                .await?
                .into_iter()
                .filter(|s| s.default_warehouse_id == Some(warehouse_id))
                .map(|s| s.name)
                .collect();
            if !shops.is_empty() {
                return Err(SettingsError::invalid(
                    "sellable",
                    format!(
                        "{} is the default warehouse of {}; choose another one for them first",
                        old.name,
                        shops.join(", ")
                    ),
                    format!("可售：{} 是 {} 的默认发货仓，先给这些店铺换一个默认发货仓", old.name, shops.join("、")),
                ));
            }
        }
    }
    tx.update_warehouse(warehouse_id, name, sellable).await?;
    if old.sellable != sellable {
        // Returns received into it now count (or no longer count) in the cost of goods shipped.
        tx.rebuild_goods_cost(by.company_id).await?;
    }
    let before = format!("name={} sellable={}", old.name, yes_no(old.sellable));
    let after = format!("name={name} sellable={}", yes_no(sellable));
    audit_in(tx, &by.actor(), "settings.warehouse", &old.code, &before, &after, now).await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_thresholds() {
        assert_eq!(parse_threshold(ThresholdKey::AlertDaysHot, " 20 ").ok(), Some(Some(20)));
        assert_eq!(parse_threshold(ThresholdKey::AlertDaysHot, "").ok(), Some(None));
        let e = parse_threshold(ThresholdKey::AlertDaysHot, "二十");
        assert!(matches!(&e, Err(SettingsError::Invalid { field: "alert_days_hot", .. })), "{e:?}");
        let e = parse_threshold(ThresholdKey::ShipSlaHours, "0");
        assert!(e.is_err_and(|e| e.message(Lang::Zh).contains("要在 1 到 720 小时之间")));
    }

    #[test]
    fn shops_override_the_company() {
        let rows = vec![
            ThresholdRow { shop_id: 0, threshold: "alert_days_hot".into(), value: 20 },
            ThresholdRow { shop_id: 7, threshold: "ship_sla_hours".into(), value: 48 },
            ThresholdRow { shop_id: 7, threshold: "no_such_threshold".into(), value: 1 },
            ThresholdRow { shop_id: 7, threshold: "fall_days".into(), value: 99 },
        ];
        let shop = |id: i64, name: &str| Shop {
            id,
            company_id: 1,
            platform: Platform::Taobao,
            name: name.into(),
            allow_oversell: false,
            reserve_unpaid: false,
            inventory_start_at: None,
            default_warehouse_id: None,
            time_zone: chrono_tz::Asia::Shanghai,
        };
        let book = build_book(&rows, &[shop(7, "暖阳女装淘宝店"), shop(8, "暖阳官方旗舰店")]);
        assert_eq!(book.company.get(ThresholdKey::AlertDaysHot), 20);
        assert_eq!(book.for_shop(7).get(ThresholdKey::AlertDaysHot), 20, "inherited from the company");
        assert_eq!(book.for_shop(7).get(ThresholdKey::ShipSlaHours), 48);
        assert_eq!(book.for_shop(7).get(ThresholdKey::FallDays), 3, "an out-of-range value is ignored");
        assert_eq!(book.for_shop(8).get(ThresholdKey::ShipSlaHours), 24);
        assert_eq!(book.for_shop(0), &book.company);
        assert_eq!(book.overrides_of(7).map(BTreeMap::len), Some(1));
    }
}
