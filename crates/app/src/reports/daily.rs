//! 日报, the morning report (seed 000 "每日查看并掌握以下的数据", DOMAIN.md §2 daily): the day's and the
//! month-to-date figures (收订, 付款, 付款率, 转化率, 退款, 退换货), the ~10 best sellers with their stock
//! and average daily sales, the top 20 items (款) by sales, new items with their sales, and the alerts.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;
use zhanggui_domain::{Alert, AvgDailySales, DaysOfCover, Money};
use zhanggui_store::reports::ReportSku;

use super::alerts::{self, NOT_CHECKED};
use super::{
    Figures, ReportError, Scope, ShopRef, Source, day_text, local_date, month_start, period_figures, replenishment,
};
use crate::{Actor, App};

/// How many items the top-sales list shows (seed 000: 前二十款).
pub const TOP_ITEMS: usize = 20;
/// An item is new for this many days after it was listed (上新).
pub const NEW_ITEM_DAYS: i64 = 14;

#[derive(Debug, Clone, Serialize)]
pub struct DailyReport {
    pub kind: &'static str,
    pub company: String,
    pub shop: Option<String>,
    pub date: String,
    pub month_from: String,
    pub basis: &'static str,
    pub day: Figures,
    pub month_to_date: Figures,
    /// The day's figures of each shop (company reports only).
    pub shops: Vec<ShopFigures>,
    pub best_sellers: Vec<BestSeller>,
    pub top_items: Vec<TopItem>,
    pub new_items: Vec<NewItem>,
    pub alerts: Vec<Alert>,
    pub alerts_not_checked: Vec<&'static str>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ShopFigures {
    pub shop: ShopRef,
    pub figures: Figures,
}

/// A best seller (热卖单品): units paid in the 7 days ending on the date, with its stock.
#[derive(Debug, Clone, Serialize)]
pub struct BestSeller {
    pub sku_code: String,
    pub title: String,
    pub properties: String,
    pub units_7d: i64,
    pub available: i64,
    pub avg_daily_sales: AvgDailySales,
    pub days_of_cover: DaysOfCover,
    pub in_transit: i64,
    pub next_arrival: Option<String>,
}

/// An item (款, a product) by its sales of the day, with the month to date.
#[derive(Debug, Clone, Serialize)]
pub struct TopItem {
    pub item_code: String,
    pub title: String,
    pub units: i64,
    pub amount_paid: Money,
    pub units_month: i64,
    pub amount_paid_month: Money,
}

/// An item listed in the last 14 days, with its sales since it was listed.
#[derive(Debug, Clone, Serialize)]
pub struct NewItem {
    pub item_code: String,
    pub title: String,
    pub listed: String,
    pub units: i64,
    pub amount_paid: Money,
}

pub(crate) const BASIS: &str = "平台口径：支付金额按付款时间计、含邮费、不扣之后的退款；成功退款金额按退款成功日计；\
    访客数只在单店单日时可得；毛利 = 净销售额 − 当期发货商品成本（发货时的移动加权平均成本，完好退回的冲回），未扣运费，\
    期间内有店铺还没开始记库存（库存起始时间之前）时为“—” / platform basis: amount paid by payment time, postage \
    included, refunds not deducted; gross margin = net sales − cost of goods shipped, before shipping costs";

/// Sums SKU sales per product: product id → (units, amount).
fn by_product(sales: &BTreeMap<i64, (i64, Money)>, skus: &BTreeMap<i64, &ReportSku>) -> BTreeMap<i64, (i64, Money)> {
    let mut out: BTreeMap<i64, (i64, Money)> = BTreeMap::new();
    for (sku, (units, amount)) in sales {
        if let Some(s) = skus.get(sku) {
            let e = out.entry(s.product_id).or_insert((0, Money::ZERO));
            e.0 += units;
            e.1 += *amount;
        }
    }
    out
}

/// The day's top items (款) by amount paid, then units, then product id, of those with units paid:
/// (product, (units, amount)). From the summaries the database sums and ranks them; from the raw
/// rows they are summed here from the day's sales per SKU.
async fn top_products(
    tx: &mut zhanggui_store::Tx,
    scope: &Scope,
    date: NaiveDate,
    skus: &BTreeMap<i64, &ReportSku>,
) -> Result<Vec<(i64, (i64, Money))>, zhanggui_store::StoreError> {
    if scope.source == Source::Summaries {
        let day = day_text(date);
        let limit = i64::try_from(TOP_ITEMS).unwrap_or(i64::MAX);
        let top = tx.top_products(scope.company_id, scope.shop_id(), &day, &day, limit).await?;
        return Ok(top.into_iter().map(|(p, units, amount)| (p, (units, Money::from_fen(amount)))).collect());
    }
    let today = by_product(&super::sku_sales(tx, scope, date, date).await?, skus);
    let mut ranked: Vec<(i64, (i64, Money))> = today.into_iter().filter(|(_, v)| v.0 > 0).collect();
    ranked.sort_by(|a, b| b.1.1.cmp(&a.1.1).then(b.1.0.cmp(&a.1.0)).then(a.0.cmp(&b.0)));
    ranked.truncate(TOP_ITEMS);
    Ok(ranked)
}

impl App {
    /// The daily report of `date` (default yesterday) for a shop or the company.
    pub async fn daily_report(
        &self,
        actor: &Actor,
        shop: Option<&str>,
        date: Option<NaiveDate>,
        now: DateTime<Utc>,
    ) -> Result<DailyReport, ReportError> {
        let scope = self.report_scope(actor, shop).await?;
        self.daily_report_in(&scope, date, now).await
    }

    /// The daily report over a scope already resolved (and the source it names).
    pub async fn daily_report_in(
        &self,
        scope: &Scope,
        date: Option<NaiveDate>,
        now: DateTime<Utc>,
    ) -> Result<DailyReport, ReportError> {
        let scope = scope.clone();
        let date = date.unwrap_or_else(|| scope.yesterday(now));
        let month_from = month_start(date);
        let mut tx = self.db.begin_read().await?;
        let day = period_figures(&mut tx, &scope, date, date).await?;
        let month_to_date = period_figures(&mut tx, &scope, month_from, date).await?;
        let mut shops = Vec::new();
        if scope.shop.is_none() && scope.shops.len() > 1 {
            for s in &scope.shops {
                let figures = period_figures(&mut tx, &scope.narrowed(s), date, date).await?;
                shops.push(ShopFigures { shop: s.clone(), figures });
            }
        }
        // The company's SKUs and stock, and the week's sales per SKU, read once for the best sellers,
        // the stock plan and the alerts.
        let book = replenishment::SkuBook::read(&mut tx, scope.company_id).await?;
        let week = super::sku_sales(&mut tx, &scope, date - Duration::days(6), date).await?;
        let all_skus = &book.skus;
        let skus: BTreeMap<i64, &ReportSku> = all_skus.iter().map(|s| (s.sku_id, s)).collect();
        // Best sellers with the company's stock of them (shared by the shops).
        let mut best_sellers = Vec::new();
        for (sku_id, units) in alerts::best_of(&week) {
            let Some(s) = skus.get(&sku_id) else { continue };
            let st = book.stock.get(&sku_id).copied().unwrap_or_default();
            let available = st.on_hand - st.reserved;
            let avg = AvgDailySales::new(units, 7);
            best_sellers.push(BestSeller {
                sku_code: s.outer_sku_id.clone(),
                title: s.title.clone(),
                properties: s.properties.clone(),
                units_7d: units,
                available,
                avg_daily_sales: avg,
                days_of_cover: avg.days_of_cover(available),
                in_transit: st.in_transit,
                next_arrival: local_date(&scope, st.next_arrival),
            });
        }
        // Top items of the day, with their month to date.
        let products: BTreeMap<i64, &ReportSku> = all_skus.iter().map(|s| (s.product_id, s)).collect();
        let ranked = top_products(&mut tx, &scope, date, &skus).await?;
        // The month to date of those items alone.
        let top_skus: Vec<i64> =
            all_skus.iter().filter(|s| ranked.iter().any(|(p, _)| *p == s.product_id)).map(|s| s.sku_id).collect();
        let mut month: BTreeMap<i64, (i64, Money)> = BTreeMap::new();
        for (_, sku, f) in super::sku_days(&mut tx, &scope, month_from, date, &top_skus).await? {
            if let Some(s) = skus.get(&sku) {
                let e = month.entry(s.product_id).or_insert((0, Money::ZERO));
                e.0 += f.units_paid;
                e.1 += Money::from_fen(f.amount_paid);
            }
        }
        let top_items = ranked
            .into_iter()
            .filter_map(|(product, (units, amount))| {
                let p = products.get(&product)?;
                let (units_month, amount_paid_month) = month.get(&product).copied().unwrap_or((0, Money::ZERO));
                Some(TopItem {
                    item_code: p.outer_id.clone(),
                    title: p.title.clone(),
                    units,
                    amount_paid: amount,
                    units_month,
                    amount_paid_month,
                })
            })
            .collect();
        // New items: listed in the NEW_ITEM_DAYS days ending on the date, with their sales from the
        // day they were listed.
        let first_new = date - Duration::days(NEW_ITEM_DAYS - 1);
        let mut fresh: Vec<(i64, NaiveDate, &ReportSku)> = products
            .iter()
            .filter_map(|(id, p)| {
                let listed = scope.day_of(p.listed_at?);
                (listed >= first_new && listed <= date).then_some((*id, listed, *p))
            })
            .collect();
        fresh.sort_by(|a, b| b.1.cmp(&a.1).then(a.2.outer_id.cmp(&b.2.outer_id)));
        let mut new_items = Vec::new();
        if !fresh.is_empty() {
            let listed: BTreeMap<i64, String> = fresh.iter().map(|(id, d, _)| (*id, day_text(*d))).collect();
            let mut since: BTreeMap<i64, (i64, Money)> = BTreeMap::new();
            let new_skus: Vec<i64> =
                all_skus.iter().filter(|s| listed.contains_key(&s.product_id)).map(|s| s.sku_id).collect();
            for (day, sku, f) in super::sku_days(&mut tx, &scope, first_new, date, &new_skus).await? {
                let Some(product) = skus.get(&sku).map(|s| s.product_id) else { continue };
                if listed.get(&product).is_some_and(|from| day >= *from) {
                    let e = since.entry(product).or_insert((0, Money::ZERO));
                    e.0 += f.units_paid;
                    e.1 += Money::from_fen(f.amount_paid);
                }
            }
            for (id, day, p) in fresh {
                let (units, amount_paid) = since.get(&id).copied().unwrap_or((0, Money::ZERO));
                new_items.push(NewItem {
                    item_code: p.outer_id.clone(),
                    title: p.title.clone(),
                    listed: day_text(day),
                    units,
                    amount_paid,
                });
            }
        }
        let (_, alerts) = alerts::alerts_of_date(&mut tx, &scope, date, now, &book, &week).await?;
        tx.commit().await?;
        Ok(DailyReport {
            kind: "daily",
            company: scope.company.clone(),
            shop: scope.shop_name(),
            date: day_text(date),
            month_from: day_text(month_from),
            basis: BASIS,
            day,
            month_to_date,
            shops,
            best_sellers,
            top_items,
            new_items,
            alerts,
            alerts_not_checked: NOT_CHECKED.to_vec(),
        })
    }
}
