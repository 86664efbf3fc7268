//! The manager's reports (DOMAIN.md §2, §6, §7; seed 000): daily (日报), weekly (周报), monthly (月报),
//! customers (客户), the replenishment table (补货需求表) and alerts (预警), for one shop or the whole
//! company and for any past date. Each report is one read transaction over the sales summaries
//! (`store::summaries`), so its cost follows the days it covers, not the history.
//!
//! Figures follow DOMAIN.md §7 and are computed by `zhanggui_domain::metrics` (aggregate numerators and
//! denominators, then divide). Money is on the platform's basis: 支付金额 by payment time with postage,
//! later refunds not deducted; 成功退款金额 counts refunds on the day they succeeded.
//!
//! Distinct counts: 下单买家数 and 支付买家数 are distinct over the whole period and scope (a buyer of
//! two days or two shops is one buyer): read from the buyer counters (`store::buyer_counts`) for a
//! day, a week from Monday or a month to date, counted over the period's trades otherwise; they are
//! unavailable when some trade of the period names no buyer (a platform export without buyer ids). 访客数 comes from the
//! platform's traffic export, which gives one shop's distinct visitors of one day: it is shown for one
//! shop and one day only, and unavailable ("—") for longer periods or several shops, where the visitors
//! of different days or shops cannot be de-duplicated.

pub mod alerts;
pub mod customers;
pub mod daily;
pub mod dashboard;
pub(crate) mod dashboard_cache;
pub mod monthly;
pub mod replenishment;
pub mod returns;
pub mod tables;
pub mod weekly;

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use zhanggui_domain::{MetricKey, MetricValue, Money, Platform, SalesFigures};
use zhanggui_store::reports::{DistinctBuyers, TradeTime};
use zhanggui_store::summaries::{ShopDay, day_start};
use zhanggui_store::{StoreError, Tx};

use crate::{Actor, App, ErrorKind, Lang, UserFacing};

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("shop {0} not found")]
    UnknownShop(String),
    #[error("company {0} not found")]
    UnknownCompany(i64),
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl UserFacing for ReportError {
    fn code(&self) -> &'static str {
        match self {
            ReportError::UnknownShop(_) | ReportError::UnknownCompany(_) => "not_found",
            ReportError::Invalid(_) => "invalid_input",
            ReportError::Store(_) => "internal",
        }
    }

    fn kind(&self) -> ErrorKind {
        match self {
            ReportError::UnknownShop(_) | ReportError::UnknownCompany(_) => ErrorKind::NotFound,
            ReportError::Invalid(_) => ErrorKind::BadInput,
            ReportError::Store(_) => ErrorKind::Internal,
        }
    }

    fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (_, Lang::En) => self.to_string(),
            (ReportError::UnknownShop(s), Lang::Zh) => format!("找不到店铺 {s}"),
            (ReportError::UnknownCompany(c), Lang::Zh) => format!("找不到公司 {c}"),
            (ReportError::Invalid(m), Lang::Zh) => m.clone(),
            (ReportError::Store(e), Lang::Zh) => format!("系统错误：{e}"),
        }
    }
}

/// Where a report reads its sales from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Source {
    /// The summaries per (shop, day) and (shop, SKU, day): what reports use.
    #[default]
    Summaries,
    /// The trades, lines and refunds themselves: the same report without the summaries, to measure
    /// what they save (`zhanggui bench report`) and to cross-check them.
    Raw,
}

/// What a report covers: a company, and one of its shops or all of them.
#[derive(Debug, Clone)]
pub struct Scope {
    pub source: Source,
    pub company_id: i64,
    pub company: String,
    pub tz: Tz,
    /// The one shop reported on; `None` for the whole company.
    pub shop: Option<ShopRef>,
    /// The shops the report covers.
    pub shops: Vec<ShopRef>,
    /// The alert and replenishment thresholds of the company and its shops (预警阈值).
    pub thresholds: crate::settings::ThresholdBook,
}

#[derive(Debug, Clone, Serialize)]
pub struct ShopRef {
    pub id: i64,
    pub name: String,
    pub platform: Platform,
    /// The shop's inventory start: shipments before it moved no stock and carry no cost.
    #[serde(skip)]
    pub stock_from: Option<chrono::DateTime<chrono::Utc>>,
}

impl Scope {
    /// The shop filter of the store's report queries: 0 for every shop.
    pub fn shop_id(&self) -> i64 {
        self.shop.as_ref().map_or(0, |s| s.id)
    }

    pub fn shop_name(&self) -> Option<String> {
        self.shop.as_ref().map(|s| s.name.clone())
    }

    /// The thresholds of the report: the shop's for one shop, else the company's.
    pub fn limits(&self) -> &zhanggui_domain::Thresholds {
        self.thresholds.for_shop(self.shop_id())
    }

    /// The same company narrowed to one of its shops.
    pub fn narrowed(&self, shop: &ShopRef) -> Scope {
        Scope { shop: Some(shop.clone()), shops: vec![shop.clone()], ..self.clone() }
    }

    /// The company day a moment falls on.
    pub fn day_of(&self, t: DateTime<Utc>) -> NaiveDate {
        t.with_timezone(&self.tz).date_naive()
    }

    /// The first instant of a company day.
    pub fn start(&self, day: NaiveDate) -> DateTime<Utc> {
        day_start(day, self.tz)
    }

    /// Yesterday, in the company's time zone (the day a morning report is about).
    pub fn yesterday(&self, now: DateTime<Utc>) -> NaiveDate {
        self.day_of(now) - Duration::days(1)
    }
}

/// A day as stored and shown: 'YYYY-MM-DD'.
pub fn day_text(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// The first day of the month of `d`.
pub fn month_start(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

/// The last day of the month of `d`.
pub fn month_end(d: NaiveDate) -> NaiveDate {
    let first = month_start(d);
    let next = if first.month() == 12 {
        NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
    };
    next.map_or(d, |n| n - Duration::days(1))
}

impl App {
    /// The scope of a report: the actor's company, and the shop named (by name or id) if any.
    pub async fn report_scope(&self, actor: &Actor, shop: Option<&str>) -> Result<Scope, ReportError> {
        let mut tx = self.db.begin_read().await?;
        let company = tx.companies().await?.into_iter().find(|c| c.id == actor.company_id);
        let shops = tx.shops(actor.company_id).await?;
        let thresholds = crate::settings::load_thresholds(&mut tx, actor.company_id).await?;
        tx.commit().await?;
        let Some(company) = company else {
            return Err(ReportError::UnknownCompany(actor.company_id));
        };
        let all: Vec<ShopRef> = shops
            .iter()
            .map(|s| ShopRef { id: s.id, name: s.name.clone(), platform: s.platform, stock_from: s.inventory_start_at })
            .collect();
        let chosen = match shop.map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(name) => Some(
                all.iter()
                    .find(|s| s.name == name || s.id.to_string() == name)
                    .cloned()
                    .ok_or_else(|| ReportError::UnknownShop(name.to_string()))?,
            ),
        };
        Ok(Scope {
            source: Source::Summaries,
            company_id: company.id,
            company: company.name,
            tz: zhanggui_store::summaries::zone(&company.time_zone),
            shops: chosen.clone().map_or(all, |s| vec![s]),
            shop: chosen,
            thresholds,
        })
    }
}

/// The figures of a period (DOMAIN.md §7 keys), as the daily, weekly and monthly reports show them.
/// Counts are numbers, money decimal strings ("1234.50"), rates four-decimal fractions ("0.1234"),
/// unavailable figures `null`.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Figures {
    pub pv: MetricValue,
    pub uv: MetricValue,
    pub orders_created: MetricValue,
    pub amount_created: MetricValue,
    pub buyers_created: MetricValue,
    pub orders_paid: MetricValue,
    pub amount_paid: MetricValue,
    pub paying_buyers: MetricValue,
    pub payment_rate: MetricValue,
    pub conversion_rate: MetricValue,
    pub order_conversion_rate: MetricValue,
    pub aov: MetricValue,
    /// Refunds that succeeded in the period (count).
    pub refunds: i64,
    pub refund_amount: MetricValue,
    pub refund_rate: MetricValue,
    pub net_sales: MetricValue,
    /// 毛利 = net_sales − cost of goods shipped in the period (at the moving-average cost they left
    /// at, less goods returned into stock) − postage paid by the shop (not recorded: counted 0).
    pub gross_margin: MetricValue,
    /// Return-and-refund (退货退款) requests made in the period.
    pub returns: i64,
    /// Exchange (换货) requests made in the period.
    pub exchanges: i64,
    /// Trades shipped in the period.
    pub trades_shipped: i64,
    /// Trades whose first return or exchange request was made in the period.
    pub trades_returned_or_exchanged: i64,
    /// 退换货比例: trades_returned_or_exchanged / trades_shipped.
    pub return_ratio: MetricValue,
    /// Units on the trades paid in the period.
    pub units_paid: i64,
    #[serde(skip)]
    pub sales: SalesFigures,
}

/// The keys of [`Figures`] in order, with the shop's words, for tables and files.
pub const FIGURE_ROWS: &[(&str, &str, &str)] = &[
    ("pv", "浏览量", "Page views"),
    ("uv", "访客数", "Visitors"),
    ("orders_created", "收订笔数", "Orders created"),
    ("amount_created", "收订金额", "Amount ordered"),
    ("buyers_created", "下单买家数", "Ordering buyers"),
    ("orders_paid", "付款笔数", "Orders paid"),
    ("amount_paid", "支付金额", "Amount paid"),
    ("paying_buyers", "支付买家数", "Paying buyers"),
    ("payment_rate", "付款率", "Payment rate"),
    ("conversion_rate", "支付转化率", "Conversion rate"),
    ("order_conversion_rate", "下单转化率", "Order conversion rate"),
    ("aov", "客单价", "Spend per buyer (AOV)"),
    ("refunds", "成功退款笔数", "Refunds succeeded"),
    ("refund_amount", "成功退款金额", "Refund amount"),
    ("refund_rate", "退款率", "Refund rate"),
    ("net_sales", "净销售额", "Net sales"),
    ("gross_margin", "毛利（未扣运费）", "Gross margin (before shipping costs)"),
    ("returns", "退货申请", "Return requests"),
    ("exchanges", "换货申请", "Exchange requests"),
    ("trades_shipped", "发货笔数", "Trades shipped"),
    ("trades_returned_or_exchanged", "退换货订单", "Trades returned or exchanged"),
    ("return_ratio", "退换货比例", "Return/exchange ratio"),
    ("units_paid", "付款件数", "Units paid"),
];

impl Figures {
    /// Builds the figures from the period's counters and distinct counts.
    pub fn new(sales: SalesFigures, counters: &ShopDay) -> Figures {
        let m = |k: MetricKey| sales.metric(k).unwrap_or(MetricValue::Unavailable);
        Figures {
            pv: m(MetricKey::Pv),
            uv: m(MetricKey::Uv),
            orders_created: m(MetricKey::OrdersCreated),
            amount_created: m(MetricKey::AmountCreated),
            buyers_created: m(MetricKey::BuyersCreated),
            orders_paid: m(MetricKey::OrdersPaid),
            amount_paid: m(MetricKey::AmountPaid),
            paying_buyers: m(MetricKey::PayingBuyers),
            payment_rate: m(MetricKey::PaymentRate),
            conversion_rate: m(MetricKey::ConversionRate),
            order_conversion_rate: m(MetricKey::OrderConversionRate),
            aov: m(MetricKey::Aov),
            refunds: sales.refunds,
            refund_amount: m(MetricKey::RefundAmount),
            refund_rate: m(MetricKey::RefundRate),
            net_sales: m(MetricKey::NetSales),
            gross_margin: m(MetricKey::GrossMargin),
            returns: counters.return_requests,
            exchanges: counters.exchange_requests,
            trades_shipped: sales.trades_shipped,
            trades_returned_or_exchanged: sales.trades_returned_or_exchanged,
            return_ratio: m(MetricKey::ReturnRatio),
            units_paid: sales.units_paid,
            sales,
        }
    }

    /// The value of a row of [`FIGURE_ROWS`] as shown in a table ("—" when unavailable).
    pub fn display(&self, key: &str) -> String {
        let v = match key {
            "pv" => self.pv,
            "uv" => self.uv,
            "orders_created" => self.orders_created,
            "amount_created" => self.amount_created,
            "buyers_created" => self.buyers_created,
            "orders_paid" => self.orders_paid,
            "amount_paid" => self.amount_paid,
            "paying_buyers" => self.paying_buyers,
            "payment_rate" => self.payment_rate,
            "conversion_rate" => self.conversion_rate,
            "order_conversion_rate" => self.order_conversion_rate,
            "aov" => self.aov,
            "refunds" => MetricValue::Count(self.refunds),
            "refund_amount" => self.refund_amount,
            "refund_rate" => self.refund_rate,
            "net_sales" => self.net_sales,
            "gross_margin" => self.gross_margin,
            "returns" => MetricValue::Count(self.returns),
            "exchanges" => MetricValue::Count(self.exchanges),
            "trades_shipped" => MetricValue::Count(self.trades_shipped),
            "trades_returned_or_exchanged" => MetricValue::Count(self.trades_returned_or_exchanged),
            "return_ratio" => self.return_ratio,
            "units_paid" => MetricValue::Count(self.units_paid),
            _ => MetricValue::Unavailable,
        };
        v.to_string()
    }
}

/// The figures of the company days `from ..= to` in scope: counters from the summaries, distinct
/// buyers from the period's trades, traffic from the shop traffic rows.
pub(crate) async fn period_figures(
    tx: &mut Tx,
    scope: &Scope,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Figures, StoreError> {
    period_figures_with(tx, scope, from, to, Costs::Read).await
}

/// Whether [`period_figures_with`] reads the cost of goods shipped (for 毛利).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Costs {
    Read,
    /// Not needed (the dashboard's trend days): 毛利 is left unavailable.
    Skip,
}

/// [`period_figures`], reading the cost of goods shipped only when asked.
pub(crate) async fn period_figures_with(
    tx: &mut Tx,
    scope: &Scope,
    from: NaiveDate,
    to: NaiveDate,
    costs: Costs,
) -> Result<Figures, StoreError> {
    let (f, t) = (day_text(from), day_text(to));
    let c = counters(tx, scope, from, to).await?;
    let traffic = tx.shop_traffic(scope.company_id, scope.shop_id(), &f, &t).await?;
    let (created, paid) = distinct_buyers(tx, scope, from, to).await?;
    let cost = match costs {
        Costs::Read => Some(goods_cost(tx, scope, from, to, &c).await?),
        Costs::Skip => None,
    };
    Ok(assemble(scope, from, to, &c, &traffic, created, paid, cost))
}

/// The cost of goods shipped on the company days `from ..= to` in scope (behind 毛利): from the
/// summaries, what the shipments carried (`c`, the period's counters) and the units that left
/// without a cost at their SKUs' costs now; or from the stock moves themselves.
async fn goods_cost(
    tx: &mut Tx,
    scope: &Scope,
    from: NaiveDate,
    to: NaiveDate,
    c: &ShopDay,
) -> Result<Money, StoreError> {
    match scope.source {
        Source::Summaries => {
            let uncosted =
                tx.uncosted_shipments_value(scope.company_id, scope.shop_id(), &day_text(from), &day_text(to)).await?;
            Ok(Money::from_fen(c.cost_shipped + uncosted))
        }
        Source::Raw => {
            let (start, end) = (scope.start(from), scope.start(to + Duration::days(1)));
            tx.cost_of_goods_shipped(scope.company_id, scope.shop_id(), start, end).await
        }
    }
}

/// The figures of each company day `from ..= to` in scope, without 毛利 (as the trend charts and the
/// days of a week show them): from the summaries in three reads for the whole run of days, or day by
/// day from the raw rows.
pub(crate) async fn day_figures(
    tx: &mut Tx,
    scope: &Scope,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(NaiveDate, Figures)>, StoreError> {
    let mut out = Vec::new();
    if scope.source == Source::Raw {
        let mut d = from;
        while d <= to {
            out.push((d, period_figures_with(tx, scope, d, d, Costs::Skip).await?));
            d += Duration::days(1);
        }
        return Ok(out);
    }
    let (f, t) = (day_text(from), day_text(to));
    let mut counters: BTreeMap<String, ShopDay> = BTreeMap::new();
    for (_, day, row) in tx.shop_days(scope.company_id, scope.shop_id(), &f, &t).await? {
        counters.entry(day).or_default().add(&row);
    }
    let mut traffic: BTreeMap<String, Vec<(i64, String, i64, i64)>> = BTreeMap::new();
    for row in tx.shop_traffic(scope.company_id, scope.shop_id(), &f, &t).await? {
        traffic.entry(row.1.clone()).or_default().push(row);
    }
    let mut buyers: BTreeMap<String, zhanggui_store::buyer_counts::BuyerDay> = BTreeMap::new();
    for (day, row) in tx.buyer_days(scope.company_id, scope.shop_id(), &f, &t).await? {
        buyers.insert(day, row);
    }
    let mut d = from;
    while d <= to {
        let key = day_text(d);
        let c = counters.get(&key).copied().unwrap_or_default();
        let row = buyers.get(&key).map(|b| vec![(key.clone(), *b)]).unwrap_or_default();
        let created = zhanggui_store::buyer_counts::buyers_over(&row, 0, TradeTime::Created);
        let paid = zhanggui_store::buyer_counts::buyers_over(&row, 0, TradeTime::Paid);
        let day_traffic = traffic.get(&key).map(Vec::as_slice).unwrap_or_default();
        out.push((d, assemble(scope, d, d, &c, day_traffic, created, paid, None)));
        d += Duration::days(1);
    }
    Ok(out)
}

/// The figures of days `from ..= to` from their counters, traffic rows, distinct buyers and (when
/// read) the cost of goods shipped; 毛利 is unavailable without the cost.
#[allow(clippy::too_many_arguments)]
fn assemble(
    scope: &Scope,
    from: NaiveDate,
    to: NaiveDate,
    c: &ShopDay,
    traffic: &[(i64, String, i64, i64)],
    created: DistinctBuyers,
    paid: DistinctBuyers,
    cost: Option<Money>,
) -> Figures {
    let days = (to - from).num_days() + 1;
    let complete = days > 0 && traffic.len() as i64 == days * scope.shops.len() as i64;
    let pv = complete.then(|| traffic.iter().map(|r| r.2).sum::<i64>());
    let uv = (complete && days == 1 && scope.shops.len() == 1).then(|| traffic.iter().map(|r| r.3).sum::<i64>());
    let known = |d: DistinctBuyers| (d.trades_without_buyer == 0).then_some(d.buyers);
    let sales = SalesFigures {
        pv,
        uv,
        orders_created: c.orders_created,
        amount_created: Money::from_fen(c.amount_created),
        buyers_created: known(created),
        orders_paid: c.orders_paid,
        amount_paid: Money::from_fen(c.amount_paid),
        paying_buyers: known(paid),
        units_paid: c.units_paid,
        refunds: c.refunds,
        refund_amount: Money::from_fen(c.refund_amount),
        trades_shipped: c.trades_shipped,
        trades_returned_or_exchanged: c.trades_returned_or_exchanged,
        cost_of_goods_shipped: cost.unwrap_or(Money::ZERO),
        ..SalesFigures::default()
    };
    let mut figures = Figures::new(sales, c);
    // Shipments before a shop's inventory start moved no stock and carry no cost: no margin to show.
    let start = scope.start(from);
    if cost.is_none() || scope.shops.iter().any(|s| s.stock_from.is_some_and(|t| t > start)) {
        figures.gross_margin = MetricValue::Unavailable;
    }
    figures
}

/// The distinct buyers of trades created and of trades paid on the company days `from ..= to` in
/// scope: from the buyer counters for a day, a week from Monday or a month to date, else (or from the
/// raw rows) counted over the period's trades.
pub(crate) async fn distinct_buyers(
    tx: &mut Tx,
    scope: &Scope,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<(DistinctBuyers, DistinctBuyers), StoreError> {
    use zhanggui_store::buyer_counts::{buyers_over, span_counter};
    if scope.source == Source::Summaries
        && let Some(counter) = span_counter(from, to)
    {
        let rows = tx.buyer_days(scope.company_id, scope.shop_id(), &day_text(from), &day_text(to)).await?;
        return Ok((buyers_over(&rows, counter, TradeTime::Created), buyers_over(&rows, counter, TradeTime::Paid)));
    }
    let (start, end) = (scope.start(from), scope.start(to + Duration::days(1)));
    let created = tx.distinct_buyers(scope.company_id, scope.shop_id(), TradeTime::Created, start, end).await?;
    let paid = tx.distinct_buyers(scope.company_id, scope.shop_id(), TradeTime::Paid, start, end).await?;
    Ok((created, paid))
}

/// The additive counters of the company days `from ..= to` in scope.
pub(crate) async fn counters(
    tx: &mut Tx,
    scope: &Scope,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<ShopDay, StoreError> {
    match scope.source {
        Source::Summaries => {
            let mut c = ShopDay::default();
            for (_, _, row) in tx.shop_days(scope.company_id, scope.shop_id(), &day_text(from), &day_text(to)).await? {
                c.add(&row);
            }
            Ok(c)
        }
        Source::Raw => {
            let (start, end) = (scope.start(from), scope.start(to + Duration::days(1)));
            tx.raw_shop_totals(scope.company_id, scope.shop_id(), start, end).await
        }
    }
}

/// Units and amount per SKU over `from ..= to` in scope.
pub(crate) async fn sku_sales(
    tx: &mut Tx,
    scope: &Scope,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<BTreeMap<i64, (i64, Money)>, StoreError> {
    Ok(sku_units(tx, scope, scope.shop_id(), from, to)
        .await?
        .into_iter()
        .map(|(sku, units, amount)| (sku, (units, Money::from_fen(amount))))
        .collect())
}

/// (sku, units, amount in fen) over `from ..= to` for the company's shop `shop_id` (0: all shops).
pub(crate) async fn sku_units(
    tx: &mut Tx,
    scope: &Scope,
    shop_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(i64, i64, i64)>, StoreError> {
    match scope.source {
        Source::Summaries => tx.sku_sales(scope.company_id, shop_id, &day_text(from), &day_text(to)).await,
        Source::Raw => {
            let (start, end) = (scope.start(from), scope.start(to + Duration::days(1)));
            tx.raw_sku_sales(scope.company_id, shop_id, start, end).await
        }
    }
}

/// Per day and SKU over `from ..= to` in scope, for the SKUs `skus` only: (day, sku, counters);
/// shops are added together.
pub(crate) async fn sku_days(
    tx: &mut Tx,
    scope: &Scope,
    from: NaiveDate,
    to: NaiveDate,
    skus: &[i64],
) -> Result<Vec<(String, i64, zhanggui_store::summaries::SkuDay)>, StoreError> {
    match scope.source {
        Source::Summaries => {
            tx.sku_days_of(scope.company_id, scope.shop_id(), &day_text(from), &day_text(to), skus).await
        }
        Source::Raw => {
            let mut out = Vec::new();
            let mut d = from;
            while d <= to {
                for (sku, units, amount) in sku_units(tx, scope, scope.shop_id(), d, d).await? {
                    if skus.contains(&sku) {
                        let f =
                            zhanggui_store::summaries::SkuDay { units_paid: units, amount_paid: amount, lines_paid: 0 };
                        out.push((day_text(d), sku, f));
                    }
                }
                d += Duration::days(1);
            }
            Ok(out)
        }
    }
}

/// Units paid per SKU over the 7, 14 and 30 days ending `to`, for the company's shop `shop_id` (0: all
/// shops): sku → [units 7, units 14, units 30].
pub(crate) async fn sku_units_windows(
    tx: &mut Tx,
    scope: &Scope,
    shop_id: i64,
    to: NaiveDate,
) -> Result<BTreeMap<i64, [i64; 3]>, StoreError> {
    let start = |days: i64| to - Duration::days(days - 1);
    let mut out: BTreeMap<i64, [i64; 3]> = BTreeMap::new();
    match scope.source {
        Source::Summaries => {
            let starts = [day_text(start(7)), day_text(start(14)), day_text(start(30))];
            let rows = tx
                .sku_units_windows(scope.company_id, shop_id, [&starts[0], &starts[1], &starts[2]], &day_text(to))
                .await?;
            for (sku, u7, u14, u30) in rows {
                out.insert(sku, [u7, u14, u30]);
            }
        }
        Source::Raw => {
            for (i, days) in [7, 14, 30].into_iter().enumerate() {
                for (sku, units, _) in sku_units(tx, scope, shop_id, start(days), to).await? {
                    out.entry(sku).or_default()[i] = units;
                }
            }
        }
    }
    Ok(out)
}

/// A date as the reports show it, in the company's time zone.
pub(crate) fn local_date(scope: &Scope, t: Option<DateTime<Utc>>) -> Option<String> {
    t.map(|t| day_text(scope.day_of(t)))
}
