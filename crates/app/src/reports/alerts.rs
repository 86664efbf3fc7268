//! Alerts of a day (预警, DOMAIN.md §2): best sellers falling three days in a row (warning) and not
//! recovered within a week (critical); SKUs below their class's alert level (补货); paid trades not
//! shipped within 24 h (超时未发货); refunds waiting for the seller near their deadline (售后). The rules
//! are those of `zhanggui_domain::alerts`; this module only gathers their inputs. The numbers above
//! are the defaults: the company sets its own thresholds, and a shop may override them (预警阈值,
//! `settings`).
//!
//! The alerts are as of the end of the date asked (or now, if that is earlier): trades paid and not yet shipped
//! at that moment, looking back 30 days. Refunds are those waiting for the seller now, since a
//! refund's earlier statuses are not kept. Reviews (差评) and daily targets are not recorded yet, so
//! their rules have nothing to look at; the report says so.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;
use zhanggui_domain::alerts::{ShipState, best_seller_alert, refund_alert, ship_alert, ship_alert_bounds, sort_alerts};
use zhanggui_domain::{Alert, AlertSettings, Money, RefundKind, RefundStatus, TradeStatus};
use zhanggui_store::reports::ReportSku;
use zhanggui_store::{StoreError, Tx};

use super::replenishment::{self, sku_subject};
use super::{ReportError, Scope, day_text};
use crate::{Actor, App};

/// How many best sellers the falling-sales rule watches (seed 000: 十款左右热卖单品).
pub const BEST_SELLERS: usize = 10;

/// How far back unshipped trades are looked for.
pub const UNSHIPPED_LOOKBACK_DAYS: i64 = 30;

#[derive(Debug, Clone, Serialize)]
pub struct AlertsReport {
    pub kind: &'static str,
    pub company: String,
    pub shop: Option<String>,
    pub date: String,
    /// The moment the alerts are evaluated at (the end of the date, or now).
    pub as_of: DateTime<Utc>,
    pub alerts: Vec<Alert>,
    /// Rules that had nothing to look at, and why.
    pub not_checked: Vec<&'static str>,
}

pub(crate) const NOT_CHECKED: [&str; 2] = [
    "review_unreplied: 未记录评价 / no reviews are recorded",
    "sales_below_target: 未设置日销售目标 / no daily targets are set",
];

/// The best sellers among a week's sales per SKU (units, amount): SKU ids by units, most first.
pub(crate) fn best_of(week: &BTreeMap<i64, (i64, Money)>) -> Vec<(i64, i64)> {
    let mut ranked: Vec<(i64, i64, i64)> = week.iter().map(|(s, (u, a))| (*s, *u, a.fen())).collect();
    ranked.retain(|r| r.1 > 0);
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(b.2.cmp(&a.2)).then(a.0.cmp(&b.0)));
    ranked.into_iter().take(BEST_SELLERS).map(|r| (r.0, r.1)).collect()
}

/// Every alert of `date` in scope, critical first. `best` are the best sellers of the week ending
/// the date, `skus` the company's SKUs, `stock` the stock alerts of the replenishment table.
pub(crate) async fn alerts(
    tx: &mut Tx,
    scope: &Scope,
    date: NaiveDate,
    now: DateTime<Utc>,
    best: &[(i64, i64)],
    skus: &[ReportSku],
    stock: Vec<Alert>,
) -> Result<(DateTime<Utc>, Vec<Alert>), StoreError> {
    let settings = scope.limits().alert_settings();
    // Shipping and after-sales deadlines are the shop's: each trade's own shop decides them.
    let of_shop = |shop_id: i64| -> AlertSettings { scope.thresholds.for_shop(shop_id).alert_settings() };
    let asof = scope.start(date + Duration::days(1)).min(now);
    let mut out = Vec::new();
    // Best sellers falling: daily units over 1 + fall + recovery days ending on the date.
    let span = (1 + settings.fall_days + settings.recovery_days) as i64;
    let first = date - Duration::days(span - 1);
    let mut series: BTreeMap<i64, Vec<i64>> = best.iter().map(|(s, _)| (*s, vec![0; span as usize])).collect();
    let watched: Vec<i64> = series.keys().copied().collect();
    for (day, sku, f) in super::sku_days(tx, scope, first, date, &watched).await? {
        if let (Some(v), Ok(d)) = (series.get_mut(&sku), NaiveDate::parse_from_str(&day, "%Y-%m-%d")) {
            let i = (d - first).num_days();
            if let Some(slot) = usize::try_from(i).ok().and_then(|i| v.get_mut(i)) {
                *slot += f.units_paid;
            }
        }
    }
    let names: BTreeMap<i64, String> = skus
        .iter()
        .filter(|s| series.contains_key(&s.sku_id))
        .map(|s| (s.sku_id, sku_subject(&s.outer_sku_id, &s.title, &s.properties)))
        .collect();
    for (sku, units) in &series {
        let subject = names.get(sku).cloned().unwrap_or_else(|| sku.to_string());
        out.extend(best_seller_alert(&subject, units, &settings));
    }
    // Stock below the class's alert level.
    out.extend(stock);
    // Paid and not shipped within the shop's time (24 h by default), as of then.
    // Only the trades that can alert by then are read: paid long enough ago, or due by a platform
    // ship-by time soon enough, under the settings of whichever shop alerts soonest.
    let since = asof - Duration::days(UNSHIPPED_LOOKBACK_DAYS);
    let (paid_by, ship_by_by) = scope
        .shops
        .iter()
        .map(|s| ship_alert_bounds(asof, &of_shop(s.id)))
        .fold((since, since), |(paid, by), (p, b)| (paid.max(p), by.max(b)));
    for t in tx.unshipped_at(scope.company_id, scope.shop_id(), since, asof, paid_by, ship_by_by).await? {
        let status = match t.status.parse::<TradeStatus>() {
            Ok(TradeStatus::PaidForbidConsign) => TradeStatus::PaidForbidConsign,
            _ => TradeStatus::WaitSellerSendGoods,
        };
        let state = ShipState { status, paid_at: t.paid_at, shipped_at: None, platform_ship_by: None };
        out.extend(ship_alert(&format!("订单 {}", t.tid), &state, asof, &of_shop(t.shop_id)));
    }
    // Refunds waiting for the seller near (or past) their deadline.
    // The platform's deadline where an export gave one, else the default rules of DOMAIN.md §5
    // counted from the case's last change.
    let rules = zhanggui_domain::AfterSalesDeadlines::default();
    for r in tx.open_refunds(scope.company_id, scope.shop_id(), asof).await? {
        let (Ok(status), Ok(kind)) = (r.status.parse::<RefundStatus>(), r.kind.parse::<RefundKind>()) else { continue };
        let platform = r.deadline_at.filter(|_| status == RefundStatus::WaitSellerAgree);
        let Some(deadline) = platform.or_else(|| rules.due(kind, status, r.status_since, false).map(|d| d.by)) else {
            continue;
        };
        let subject = format!("售后 {}（订单 {}）", r.refund_no, r.tid);
        out.extend(refund_alert(&subject, status, deadline, asof, &of_shop(r.shop_id)));
    }
    sort_alerts(&mut out);
    Ok((asof, out))
}

/// Every alert of `date` in scope, from the company's SKUs and stock and the scope's sales per SKU
/// over the 7 days ending the date.
pub(crate) async fn alerts_of_date(
    tx: &mut Tx,
    scope: &Scope,
    date: NaiveDate,
    now: DateTime<Utc>,
    book: &replenishment::SkuBook,
    week: &BTreeMap<i64, (i64, Money)>,
) -> Result<(DateTime<Utc>, Vec<Alert>), StoreError> {
    // The stock plan is the company's (stock is shared by the shops).
    let company_week: BTreeMap<i64, i64> = match scope.shop_id() {
        0 => week.iter().map(|(s, (u, _))| (*s, *u)).collect(),
        _ => super::sku_units(tx, scope, 0, date - Duration::days(6), date)
            .await?
            .into_iter()
            .map(|(s, u, _)| (s, u))
            .collect(),
    };
    let stock = replenishment::stock_alerts_of(tx, scope, date, book, &company_week).await?;
    alerts(tx, scope, date, now, &best_of(week), &book.skus, stock).await
}

impl App {
    /// The alerts of `date` (default yesterday, the last complete day), as of the end of that day.
    pub async fn alerts_report(
        &self,
        actor: &Actor,
        shop: Option<&str>,
        date: Option<NaiveDate>,
        now: DateTime<Utc>,
    ) -> Result<AlertsReport, ReportError> {
        let scope = self.report_scope(actor, shop).await?;
        let date = date.unwrap_or_else(|| scope.yesterday(now));
        let mut tx = self.db.begin_read().await?;
        let book = replenishment::SkuBook::read(&mut tx, scope.company_id).await?;
        let week = super::sku_sales(&mut tx, &scope, date - Duration::days(6), date).await?;
        let (as_of, alerts) = alerts_of_date(&mut tx, &scope, date, now, &book, &week).await?;
        tx.commit().await?;
        Ok(AlertsReport {
            kind: "alerts",
            company: scope.company.clone(),
            shop: scope.shop_name(),
            date: day_text(date),
            as_of,
            alerts,
            not_checked: NOT_CHECKED.to_vec(),
        })
    }
}
