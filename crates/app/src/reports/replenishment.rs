//! The replenishment table (补货需求表, DOMAIN.md §2 weekly on Thursday, §6): per SKU the available
//! and in-transit stock, average daily sales over 7, 14 and 30 days, days of cover, the supplier's lead
//! time and the suggested quantity, most urgent first.
//!
//! Stock is shared by the shops (warehouses are the company's), so the table always plans with the
//! company's sales and stock; for one shop it lists the SKUs that shop sold in the last 30 days. Sales
//! windows end on the report's date; stock (available, in transit, next arrival) is as it stands when
//! the report runs, since only current balances are kept.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use zhanggui_domain::{
    AvgDailySales, DaysOfCover, ReplenishmentLine, ReplenishmentPolicy, SkuClass, alerts::stock_alert,
};
use zhanggui_store::reports::ReportSku;
use zhanggui_store::{StoreError, Tx};

use super::{ReportError, Scope, day_text, local_date};
use crate::{Actor, App};

/// One SKU's line of the table.
#[derive(Debug, Clone, Serialize)]
pub struct ReplenishmentRow {
    pub sku_code: String,
    pub title: String,
    pub properties: String,
    /// 热销 / 常销 / 滞销 (hot / regular / slow) by 7-day average daily sales.
    pub class: SkuClass,
    pub available: i64,
    pub in_transit: i64,
    /// The next expected arrival (到货) of an open purchase order, as a company date.
    pub next_arrival: Option<String>,
    pub avg_daily_sales_7d: AvgDailySales,
    pub avg_daily_sales_14d: AvgDailySales,
    pub avg_daily_sales_30d: AvgDailySales,
    /// 可售天数 = available / 7-day average daily sales (null: nothing sells).
    pub days_of_cover: DaysOfCover,
    pub lead_time_days: u32,
    pub pack_size: u32,
    /// 建议补货数量, rounded up to the pack size.
    pub suggested_qty: i64,
    pub alert_level_days: u32,
    pub below_alert_level: bool,
    #[serde(skip)]
    pub line: ReplenishmentLine,
    #[serde(skip)]
    pub sku_id: i64,
}

/// The replenishment table report.
#[derive(Debug, Clone, Serialize)]
pub struct ReplenishmentReport {
    pub kind: &'static str,
    pub company: String,
    pub shop: Option<String>,
    /// The last day of the sales windows.
    pub date: String,
    /// The policy behind the suggestions: cover target days beyond the lead time, safety stock.
    pub cover_target_days: u32,
    pub safety_stock: i64,
    pub basis: &'static str,
    pub lines: Vec<ReplenishmentRow>,
}

pub(crate) const BASIS: &str = "日均销量 = 窗口内付款件数 ÷ 天数（全公司，库存共享）；可售天数 = 可用库存 ÷ 7天日均销量；\
    补货需求 = max(0, ceil((采购周期 + 目标天数) × 日均销量 + 安全库存 − 可用库存 − 在途)) 按整箱向上取整；库存为当前库存";

/// What plans are made from: the company's SKUs and their stock, read once per report.
pub(crate) struct SkuBook {
    pub skus: Vec<ReportSku>,
    pub stock: BTreeMap<i64, zhanggui_store::reports::SkuStock>,
}

impl SkuBook {
    pub(crate) async fn read(tx: &mut Tx, company_id: i64) -> Result<SkuBook, StoreError> {
        let (skus, stock) = tx
            .report_book(company_id)
            .await?
            .into_iter()
            .map(|(sku, stock)| {
                let id = sku.sku_id;
                (sku, (id, stock))
            })
            .unzip();
        Ok(SkuBook { skus, stock })
    }
}

/// A SKU's plan: its stock, its supplier's terms and the replenishment line of its 7-day sales.
struct Planned<'a> {
    sku: &'a ReportSku,
    stock: zhanggui_store::reports::SkuStock,
    available: i64,
    policy: ReplenishmentPolicy,
    avg7: AvgDailySales,
    line: ReplenishmentLine,
}

/// The plans of the SKUs `listed` keeps, from the company's units paid in the 7 days ending the
/// date, most urgent first.
fn plan<'a>(
    scope: &Scope,
    book: &'a SkuBook,
    units_7d: impl Fn(i64) -> i64,
    listed: impl Fn(&ReportSku) -> bool,
) -> Vec<Planned<'a>> {
    let policy = scope.limits().replenishment_policy();
    let classes = scope.limits().class_policy();
    let mut out: Vec<Planned<'a>> = book
        .skus
        .iter()
        .filter(|s| listed(s))
        .map(|s| {
            let stock = book.stock.get(&s.sku_id).copied().unwrap_or_default();
            let available = stock.on_hand - stock.reserved;
            let sku_policy = ReplenishmentPolicy {
                lead_time_days: s.lead_time_days.and_then(|d| u32::try_from(d).ok()).unwrap_or(policy.lead_time_days),
                pack_size: s.pack_size.and_then(|p| u32::try_from(p).ok()).unwrap_or(policy.pack_size),
                ..policy
            };
            let avg7 = AvgDailySales::new(units_7d(s.sku_id), 7);
            let line = ReplenishmentLine::plan(avg7, available, stock.in_transit, &sku_policy, &classes);
            Planned { sku: s, stock, available, policy: sku_policy, avg7, line }
        })
        .collect();
    out.sort_by(|a, b| a.line.urgency_cmp(&b.line).then_with(|| a.sku.outer_sku_id.cmp(&b.sku.outer_sku_id)));
    out
}

/// The replenishment lines of the company as of `date`, most urgent first; with a shop in scope only
/// the SKUs that shop sold in the 30 days ending `date`.
pub(crate) async fn lines(tx: &mut Tx, scope: &Scope, date: NaiveDate) -> Result<Vec<ReplenishmentRow>, StoreError> {
    let sold = super::sku_units_windows(tx, scope, 0, date).await?;
    let shop_sold: Option<BTreeMap<i64, [i64; 3]>> = match scope.shop_id() {
        0 => None,
        shop => Some(super::sku_units_windows(tx, scope, shop, date).await?),
    };
    let book = SkuBook::read(tx, scope.company_id).await?;
    let units = |sku: i64, i: usize| sold.get(&sku).map_or(0, |u| u[i]);
    let listed = |s: &ReportSku| match &shop_sold {
        Some(m) => m.get(&s.sku_id).is_some_and(|u| u[2] > 0),
        None => s.on_shelf || units(s.sku_id, 2) > 0,
    };
    Ok(plan(scope, &book, |sku| units(sku, 0), listed)
        .into_iter()
        .map(|p| ReplenishmentRow {
            sku_code: p.sku.outer_sku_id.clone(),
            title: p.sku.title.clone(),
            properties: p.sku.properties.clone(),
            class: p.line.class,
            available: p.available,
            in_transit: p.stock.in_transit,
            next_arrival: local_date(scope, p.stock.next_arrival),
            avg_daily_sales_7d: p.avg7,
            avg_daily_sales_14d: AvgDailySales::new(units(p.sku.sku_id, 1), 14),
            avg_daily_sales_30d: AvgDailySales::new(units(p.sku.sku_id, 2), 30),
            days_of_cover: p.line.days_of_cover,
            lead_time_days: p.policy.lead_time_days,
            pack_size: p.policy.pack_size,
            suggested_qty: p.line.need,
            alert_level_days: p.line.alert_level_days,
            below_alert_level: p.line.below_alert_level,
            line: p.line,
            sku_id: p.sku.sku_id,
        })
        .collect())
}

/// The stock alerts (DOMAIN.md §2: below the alert level of the SKU's class) of the replenishment
/// table as of `date` (the lines [`lines`] lists), from the
/// company's 7-day units alone: the 30-day sales that decide which SKUs the table lists are read only
/// where they matter (SKUs off the shelf, or one shop's SKUs).
pub(crate) async fn stock_alerts_of(
    tx: &mut Tx,
    scope: &Scope,
    date: NaiveDate,
    book: &SkuBook,
    company_units_7d: &BTreeMap<i64, i64>,
) -> Result<Vec<zhanggui_domain::Alert>, StoreError> {
    let from30 = date - chrono::Duration::days(29);
    let sold_30d: BTreeMap<i64, i64> = match scope.shop_id() {
        0 => {
            let off_shelf: Vec<i64> = book.skus.iter().filter(|s| !s.on_shelf).map(|s| s.sku_id).collect();
            let mut m = BTreeMap::new();
            if !off_shelf.is_empty() {
                for (_, sku, f) in super::sku_days(tx, scope, from30, date, &off_shelf).await? {
                    *m.entry(sku).or_default() += f.units_paid;
                }
            }
            m
        }
        shop => super::sku_units(tx, scope, shop, from30, date).await?.into_iter().map(|(s, u, _)| (s, u)).collect(),
    };
    let listed = |s: &ReportSku| {
        let sold = sold_30d.get(&s.sku_id).is_some_and(|u| *u > 0);
        if scope.shop_id() == 0 { s.on_shelf || sold } else { sold }
    };
    let units = |sku: i64| company_units_7d.get(&sku).copied().unwrap_or(0);
    Ok(plan(scope, book, units, listed)
        .iter()
        .filter_map(|p| stock_alert(&sku_subject(&p.sku.outer_sku_id, &p.sku.title, &p.sku.properties), &p.line))
        .collect())
}

/// The subject of a SKU in alerts and lists: code, title and properties.
pub(crate) fn sku_subject(code: &str, title: &str, properties: &str) -> String {
    if properties.is_empty() { format!("{code} {title}") } else { format!("{code} {title} {properties}") }
}

/// Orders lines as the table does (exposed for checks): urgency, then SKU code.
pub fn table_order(a: &ReplenishmentRow, b: &ReplenishmentRow) -> Ordering {
    a.line.urgency_cmp(&b.line).then_with(|| a.sku_code.cmp(&b.sku_code))
}

impl App {
    /// 补货需求表 as of `date` (default yesterday).
    pub async fn replenishment_report(
        &self,
        actor: &Actor,
        shop: Option<&str>,
        date: Option<NaiveDate>,
        now: DateTime<Utc>,
    ) -> Result<ReplenishmentReport, ReportError> {
        let scope = self.report_scope(actor, shop).await?;
        self.replenishment_report_in(&scope, date.unwrap_or_else(|| scope.yesterday(now))).await
    }

    /// 补货需求表 over a scope already resolved (and the source it names), as of `date`.
    pub async fn replenishment_report_in(
        &self,
        scope: &Scope,
        date: NaiveDate,
    ) -> Result<ReplenishmentReport, ReportError> {
        let scope = scope.clone();
        let mut tx = self.db.begin_read().await?;
        let lines = lines(&mut tx, &scope, date).await?;
        tx.commit().await?;
        let policy = scope.limits().replenishment_policy();
        Ok(ReplenishmentReport {
            kind: "replenishment",
            company: scope.company.clone(),
            shop: scope.shop_name(),
            date: day_text(date),
            cover_target_days: policy.cover_target_days,
            safety_stock: policy.safety_stock,
            basis: BASIS,
            lines,
        })
    }
}

/// What the stock list shows of a SKU beside its balances: the replenishment table's figures
/// (company-wide, as of yesterday): in transit, 7-day average daily sales, days of cover, class.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct SkuOutlook {
    pub in_transit: i64,
    pub avg_daily_sales_7d: AvgDailySales,
    pub days_of_cover: DaysOfCover,
    pub class: SkuClass,
}

impl App {
    /// [`SkuOutlook`] of the given SKUs (those of a page of the stock list), read for them alone.
    pub async fn sku_outlook(
        &self,
        actor: &Actor,
        sku_ids: &[i64],
        now: DateTime<Utc>,
    ) -> Result<BTreeMap<i64, SkuOutlook>, ReportError> {
        let scope = self.report_scope(actor, None).await?;
        let date = scope.yesterday(now);
        let policy = scope.limits().replenishment_policy();
        let classes = scope.limits().class_policy();
        let mut tx = self.db.begin_read().await?;
        let mut units: BTreeMap<i64, i64> = BTreeMap::new();
        for (_, sku, f) in super::sku_days(&mut tx, &scope, date - chrono::Duration::days(6), date, sku_ids).await? {
            *units.entry(sku).or_default() += f.units_paid;
        }
        let stock: BTreeMap<i64, zhanggui_store::reports::SkuStock> =
            tx.sku_stock_in(scope.company_id, sku_ids).await?.into_iter().collect();
        tx.commit().await?;
        Ok(sku_ids
            .iter()
            .map(|id| {
                let st = stock.get(id).copied().unwrap_or_default();
                let avg7 = AvgDailySales::new(units.get(id).copied().unwrap_or(0), 7);
                let line = ReplenishmentLine::plan(avg7, st.on_hand - st.reserved, st.in_transit, &policy, &classes);
                let outlook = SkuOutlook {
                    in_transit: st.in_transit,
                    avg_daily_sales_7d: avg7,
                    days_of_cover: line.days_of_cover,
                    class: line.class,
                };
                (*id, outlook)
            })
            .collect())
    }
}
