//! Sales summaries per (shop, day) and per (shop, SKU, day): the additive counters the reports read,
//! so that a report's cost follows the days it covers, not the history.
//!
//! **Kept in step with the raw rows.** Every write that changes what a summary counts adds its share in
//! the same transaction, as statements of the batch it already sends (no extra round trip):
//! creating a trade ([`Tx::create_trade_batched`]), a transition ([`Tx::apply_trade_write`] with a
//! [`SummaryDelta`] the use case computed), history written in its final state
//! ([`Tx::insert_trade_history`], [`Tx::insert_trades_bulk`]), a refund ([`Tx::insert_refund`]), an
//! export changing a trade's amounts ([`Tx::update_trade_fields`]) and a merchant code mapped to a SKU
//! ([`Tx::map_code`]). Each counter is added with an upsert (`ON CONFLICT ... DO UPDATE SET x = x +
//! excluded.x`), the same text on SQLite and PostgreSQL. [`Tx::rebuild_summaries`] recomputes them
//! exactly from the raw rows.
//!
//! **What is counted on which day** (the company's time zone decides the day):
//! - 收订 `orders_created`, `amount_created` on the day the trade was created; the amount is
//!   `total_amount − discount` (what the buyer is asked to pay, postage included), any status.
//! - 付款 `orders_paid`, `amount_paid`, `units_paid` on the day of payment (platform basis: later
//!   refunds are not deducted); per SKU the line's units, amount and one line.
//! - `trades_shipped` on the day of the trade's shipping time (the latest shipment of a part-shipped
//!   trade, as the trade row keeps it).
//! - `refunds`, `refund_amount`: refunds that paid money back (not exchanges or reships) and
//!   succeeded, on the day they finished.
//! - `return_requests`, `exchange_requests`: return-and-refund and exchange requests (one per refund
//!   row), on the day they were made; `trades_returned_or_exchanged`: trades counted once, on the day
//!   of their first such request.
//! - `cost_shipped` (毛利's cost of goods) on the day goods move: sale shipments at the unit cost
//!   they left at, less returns received into a sellable warehouse at theirs; units shipped without
//!   a cost go to `uncosted_shipment_daily` per SKU instead, valued at the SKU's cost when read.
//!
//! **Distinct counts** (下单买家数, 支付买家数) are not additive across days or shops (DOMAIN.md §7);
//! they are kept beside these counters as buyer counters per company day (`buyer_counts`), which a
//! day, a week from Monday or a month to date is read from. Any other span is counted over the
//! period's trades through covering indexes on (company_id, created_at | paid_at, shop_id,
//! customer_id).

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use zhanggui_domain::{Money, RefundKind, RefundStatus};

use crate::batch::{Batch, Value};
use crate::bulk::RowInsert;
use crate::{NewRefund, NewTrade, StoreError, Tx, args, to_ts};

/// A company's time zone by name; Asia/Shanghai when the name is not a known zone.
pub fn zone(name: &str) -> Tz {
    name.parse::<Tz>().unwrap_or(chrono_tz::Asia::Shanghai)
}

/// The company day of a moment, as stored: 'YYYY-MM-DD'.
pub fn day_of(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).date_naive().format("%Y-%m-%d").to_string()
}

/// The first instant of a company day.
pub fn day_start(day: NaiveDate, tz: Tz) -> DateTime<Utc> {
    let naive = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    tz.from_local_datetime(&naive).earliest().map(|t| t.with_timezone(&Utc)).unwrap_or_else(|| naive.and_utc())
}

/// 收订金额 of a trade: what the buyer is asked to pay (total − discount, postage included).
pub fn amount_created(total_amount: Money, discount: Money) -> Money {
    total_amount - discount
}

/// The counters of one (shop, day); also a change to them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ShopDay {
    pub orders_created: i64,
    pub amount_created: i64,
    pub orders_paid: i64,
    pub amount_paid: i64,
    pub units_paid: i64,
    pub trades_shipped: i64,
    pub refunds: i64,
    pub refund_amount: i64,
    pub return_requests: i64,
    pub exchange_requests: i64,
    pub trades_returned_or_exchanged: i64,
    /// 已发货商品成本 (fen): sale shipments at the unit cost they left at, less goods returned into a
    /// sellable warehouse at theirs. Units that left without a cost are kept apart (`uncosted`).
    pub cost_shipped: i64,
}

impl ShopDay {
    fn values(&self) -> [i64; 12] {
        [
            self.orders_created,
            self.amount_created,
            self.orders_paid,
            self.amount_paid,
            self.units_paid,
            self.trades_shipped,
            self.refunds,
            self.refund_amount,
            self.return_requests,
            self.exchange_requests,
            self.trades_returned_or_exchanged,
            self.cost_shipped,
        ]
    }

    pub fn add(&mut self, o: &ShopDay) {
        self.orders_created += o.orders_created;
        self.amount_created += o.amount_created;
        self.orders_paid += o.orders_paid;
        self.amount_paid += o.amount_paid;
        self.units_paid += o.units_paid;
        self.trades_shipped += o.trades_shipped;
        self.refunds += o.refunds;
        self.refund_amount += o.refund_amount;
        self.return_requests += o.return_requests;
        self.exchange_requests += o.exchange_requests;
        self.trades_returned_or_exchanged += o.trades_returned_or_exchanged;
        self.cost_shipped += o.cost_shipped;
    }

    pub fn is_zero(&self) -> bool {
        self.values().iter().all(|v| *v == 0)
    }
}

/// The counters of one (shop, SKU, day); also a change to them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SkuDay {
    pub units_paid: i64,
    pub amount_paid: i64,
    pub lines_paid: i64,
}

impl SkuDay {
    pub fn add(&mut self, o: &SkuDay) {
        self.units_paid += o.units_paid;
        self.amount_paid += o.amount_paid;
        self.lines_paid += o.lines_paid;
    }

    pub fn is_zero(&self) -> bool {
        self.units_paid == 0 && self.amount_paid == 0 && self.lines_paid == 0
    }
}

/// A change to the summaries of one company: counters to add per (shop, day) and per (shop, SKU, day).
/// Keys are kept sorted, so concurrent writers touch summary rows in the same order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SummaryDelta {
    pub company_id: i64,
    pub shops: BTreeMap<(i64, String), ShopDay>,
    pub skus: BTreeMap<(i64, String, i64), SkuDay>,
    /// Units shipped without a cost per (shop, day, SKU): valued at the SKU's cost when read.
    pub uncosted: BTreeMap<(i64, String, i64), i64>,
}

/// What a paid line adds for its SKU.
#[derive(Debug, Clone, Copy)]
pub struct PaidLine {
    pub sku_id: Option<i64>,
    pub qty: i64,
    pub amount_paid: Money,
}

/// Refund kinds that send goods back and count as returns or exchanges (退换货).
pub(crate) fn is_return(kind: RefundKind) -> bool {
    matches!(kind, RefundKind::ReturnAndRefund | RefundKind::Exchange)
}

impl SummaryDelta {
    pub fn new(company_id: i64) -> SummaryDelta {
        SummaryDelta { company_id, ..Default::default() }
    }

    pub fn is_empty(&self) -> bool {
        self.shops.values().all(ShopDay::is_zero)
            && self.skus.values().all(SkuDay::is_zero)
            && self.uncosted.values().all(|u| *u == 0)
    }

    /// Adds `change` to the (shop, day) of `at`.
    pub fn shop(&mut self, shop_id: i64, at: DateTime<Utc>, tz: Tz, change: ShopDay) {
        self.shops.entry((shop_id, day_of(at, tz))).or_default().add(&change);
    }

    /// Adds `change` to the (shop, SKU, day) of `at`.
    pub fn sku(&mut self, shop_id: i64, sku_id: i64, at: DateTime<Utc>, tz: Tz, change: SkuDay) {
        self.skus.entry((shop_id, day_of(at, tz), sku_id)).or_default().add(&change);
    }

    /// Merges another change into this one.
    pub fn merge(&mut self, other: &SummaryDelta) {
        for (k, v) in &other.shops {
            self.shops.entry(k.clone()).or_default().add(v);
        }
        for (k, v) in &other.skus {
            self.skus.entry(k.clone()).or_default().add(v);
        }
        for (k, v) in &other.uncosted {
            *self.uncosted.entry(k.clone()).or_default() += v;
        }
    }

    /// `units` of a SKU left on a sale shipment at `unit_cost`; without a cost they are counted apart,
    /// to be valued at the SKU's cost when the report is read.
    pub fn goods_shipped(
        &mut self,
        shop_id: i64,
        sku_id: i64,
        units: i64,
        unit_cost: Money,
        at: DateTime<Utc>,
        tz: Tz,
    ) {
        if unit_cost.is_zero() {
            *self.uncosted.entry((shop_id, day_of(at, tz), sku_id)).or_default() += units;
        } else {
            self.shop(shop_id, at, tz, ShopDay { cost_shipped: units * unit_cost.fen(), ..ShopDay::default() });
        }
    }

    /// Returned goods received into a sellable warehouse at `unit_cost`: they come off the cost of goods
    /// shipped on the day they arrive (goods put in the defective location are not counted).
    pub fn goods_returned(&mut self, shop_id: i64, units: i64, unit_cost: Money, at: DateTime<Utc>, tz: Tz) {
        self.shop(shop_id, at, tz, ShopDay { cost_shipped: -units * unit_cost.fen(), ..ShopDay::default() });
    }

    /// What stock moves of a trade of `shop_id` count in the cost of goods: sale shipments, and
    /// return receipts into a warehouse not listed in `unsellable`.
    pub fn goods_moved(&mut self, shop_id: i64, moves: &[crate::NewMove], unsellable: &[i64], tz: Tz) {
        for m in moves {
            match m.kind {
                zhanggui_domain::MoveKind::SaleShipment => {
                    self.goods_shipped(shop_id, m.sku_id, -m.qty, m.unit_cost, m.at, tz);
                }
                zhanggui_domain::MoveKind::ReturnReceipt if !unsellable.contains(&m.warehouse_id) => {
                    self.goods_returned(shop_id, m.qty, m.unit_cost, m.at, tz);
                }
                _ => {}
            }
        }
    }

    /// A trade created (收订).
    pub fn created(&mut self, shop_id: i64, created_at: DateTime<Utc>, amount: Money, tz: Tz) {
        self.shop(
            shop_id,
            created_at,
            tz,
            ShopDay { orders_created: 1, amount_created: amount.fen(), ..ShopDay::default() },
        );
    }

    /// A trade paid (付款): the trade's amount and units for the shop, each matched line for its SKU.
    pub fn paid(&mut self, shop_id: i64, paid_at: DateTime<Utc>, amount_paid: Money, lines: &[PaidLine], tz: Tz) {
        let units: i64 = lines.iter().map(|l| l.qty).sum();
        self.shop(
            shop_id,
            paid_at,
            tz,
            ShopDay { orders_paid: 1, amount_paid: amount_paid.fen(), units_paid: units, ..ShopDay::default() },
        );
        for l in lines {
            if let Some(sku_id) = l.sku_id {
                self.sku(
                    shop_id,
                    sku_id,
                    paid_at,
                    tz,
                    SkuDay { units_paid: l.qty, amount_paid: l.amount_paid.fen(), lines_paid: 1 },
                );
            }
        }
    }

    /// A trade's shipping time set to `now` (it was `before`): counted once, on the day of the latest
    /// shipment.
    pub fn shipped(&mut self, shop_id: i64, before: Option<DateTime<Utc>>, now: DateTime<Utc>, tz: Tz) {
        if let Some(b) = before {
            self.shop(shop_id, b, tz, ShopDay { trades_shipped: -1, ..ShopDay::default() });
        }
        self.shop(shop_id, now, tz, ShopDay { trades_shipped: 1, ..ShopDay::default() });
    }

    /// A refund row written: a success counts on its finishing day; a return or exchange request on
    /// the day it was made, and the trade once if `first_return` (no earlier return or exchange).
    pub fn refund(&mut self, shop_id: i64, r: &NewRefund, first_return: bool, tz: Tz) {
        self.case_counted(shop_id, r.kind, r.status, r.amount, r.created_at, r.finished_at, 1, tz);
        if first_return && is_return(r.kind) {
            self.trade_return_counted(shop_id, r.created_at, tz);
        }
    }

    /// The trade no longer counts among returns on the day of `at` (an earlier request was found).
    pub fn trade_return_uncounted(&mut self, shop_id: i64, at: DateTime<Utc>, tz: Tz) {
        self.shop(shop_id, at, tz, ShopDay { trades_returned_or_exchanged: -1, ..ShopDay::default() });
    }

    /// The trade counts among returns on the day of `at` (its earliest return or exchange request).
    pub fn trade_return_counted(&mut self, shop_id: i64, at: DateTime<Utc>, tz: Tz) {
        self.shop(shop_id, at, tz, ShopDay { trades_returned_or_exchanged: 1, ..ShopDay::default() });
    }

    /// What one case counts by itself (`sign` 1) or no longer counts (`sign` −1): its success on its
    /// finishing day when it pays money, its return or exchange request on the day it was made. The
    /// trade's own count among returns is the caller's (it depends on the trade's other cases).
    #[allow(clippy::too_many_arguments)]
    pub fn case_counted(
        &mut self,
        shop_id: i64,
        kind: RefundKind,
        status: RefundStatus,
        amount: Money,
        created_at: DateTime<Utc>,
        finished_at: Option<DateTime<Utc>>,
        sign: i64,
        tz: Tz,
    ) {
        if status == RefundStatus::Success
            && zhanggui_domain::after_sales::pays_money(kind)
            && let Some(done) = finished_at
        {
            self.shop(
                shop_id,
                done,
                tz,
                ShopDay { refunds: sign, refund_amount: sign * amount.fen(), ..ShopDay::default() },
            );
        }
        if is_return(kind) {
            let change = ShopDay {
                return_requests: sign * i64::from(kind == RefundKind::ReturnAndRefund),
                exchange_requests: sign * i64::from(kind == RefundKind::Exchange),
                ..ShopDay::default()
            };
            self.shop(shop_id, created_at, tz, change);
        }
    }

    /// A refund that succeeded at `at` (成功退款), counted on that day.
    pub fn refund_succeeded(&mut self, shop_id: i64, amount: Money, at: DateTime<Utc>, tz: Tz) {
        self.shop(shop_id, at, tz, ShopDay { refunds: 1, refund_amount: amount.fen(), ..ShopDay::default() });
    }

    /// Everything a trade written in its final state counts: created, paid, shipped and its refunds.
    pub fn history(&mut self, t: &NewTrade, refunds: &[&NewRefund], tz: Tz) {
        self.created(t.shop_id, t.created_at, amount_created(t.total_amount, t.discount), tz);
        if let Some(paid) = t.paid_at {
            let lines: Vec<PaidLine> =
                t.lines.iter().map(|l| PaidLine { sku_id: l.sku_id, qty: l.qty, amount_paid: l.amount_paid }).collect();
            self.paid(t.shop_id, paid, t.amount_paid, &lines, tz);
        }
        if let Some(shipped) = t.shipped_at {
            self.shipped(t.shop_id, None, shipped, tz);
        }
        // The trade counts once among returns, on its earliest request.
        let first = refunds.iter().filter(|r| is_return(r.kind)).map(|r| r.created_at).min();
        let mut counted = false;
        for r in refunds {
            let is_first = !counted && is_return(r.kind) && Some(r.created_at) == first;
            counted |= is_first;
            self.refund(t.shop_id, r, is_first, tz);
        }
    }

    /// Pushes one upsert per non-zero key onto `b`; returns how many (each changes exactly one row).
    pub fn push(&self, b: &mut Batch) -> u64 {
        let mut n = 0;
        for ((shop_id, day), f) in self.shops.iter().filter(|(_, f)| !f.is_zero()) {
            b.push(SHOP_UPSERT, shop_values(self.company_id, *shop_id, day, f));
            n += 1;
        }
        for ((shop_id, day, sku_id), f) in self.skus.iter().filter(|(_, f)| !f.is_zero()) {
            b.push(SKU_UPSERT, sku_values(self.company_id, *shop_id, *sku_id, day, f));
            n += 1;
        }
        for ((shop_id, day, sku_id), units) in self.uncosted.iter().filter(|(_, u)| **u != 0) {
            b.push(UNCOSTED_UPSERT, args![self.company_id, *shop_id, day.as_str(), *sku_id, *units]);
            n += 1;
        }
        n
    }
}

const SHOP_COLUMNS: &str = "company_id, shop_id, day, orders_created, amount_created, orders_paid, amount_paid, \
    units_paid, trades_shipped, refunds, refund_amount, return_requests, exchange_requests, trades_returned_or_exchanged, \
    cost_shipped";

const SHOP_ADD: &str = "ON CONFLICT (shop_id, day) DO UPDATE SET \
    orders_created = sales_shop_daily.orders_created + excluded.orders_created, \
    amount_created = sales_shop_daily.amount_created + excluded.amount_created, \
    orders_paid = sales_shop_daily.orders_paid + excluded.orders_paid, \
    amount_paid = sales_shop_daily.amount_paid + excluded.amount_paid, \
    units_paid = sales_shop_daily.units_paid + excluded.units_paid, \
    trades_shipped = sales_shop_daily.trades_shipped + excluded.trades_shipped, \
    refunds = sales_shop_daily.refunds + excluded.refunds, \
    refund_amount = sales_shop_daily.refund_amount + excluded.refund_amount, \
    return_requests = sales_shop_daily.return_requests + excluded.return_requests, \
    exchange_requests = sales_shop_daily.exchange_requests + excluded.exchange_requests, \
    trades_returned_or_exchanged = sales_shop_daily.trades_returned_or_exchanged + excluded.trades_returned_or_exchanged, \
    cost_shipped = sales_shop_daily.cost_shipped + excluded.cost_shipped";

const SHOP_UPSERT: &str = "INSERT INTO sales_shop_daily (company_id, shop_id, day, orders_created, amount_created, orders_paid, amount_paid, \
        units_paid, trades_shipped, refunds, refund_amount, return_requests, exchange_requests, trades_returned_or_exchanged, \
        cost_shipped) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) \
     ON CONFLICT (shop_id, day) DO UPDATE SET \
        orders_created = sales_shop_daily.orders_created + excluded.orders_created, \
        amount_created = sales_shop_daily.amount_created + excluded.amount_created, \
        orders_paid = sales_shop_daily.orders_paid + excluded.orders_paid, \
        amount_paid = sales_shop_daily.amount_paid + excluded.amount_paid, \
        units_paid = sales_shop_daily.units_paid + excluded.units_paid, \
        trades_shipped = sales_shop_daily.trades_shipped + excluded.trades_shipped, \
        refunds = sales_shop_daily.refunds + excluded.refunds, \
        refund_amount = sales_shop_daily.refund_amount + excluded.refund_amount, \
        return_requests = sales_shop_daily.return_requests + excluded.return_requests, \
        exchange_requests = sales_shop_daily.exchange_requests + excluded.exchange_requests, \
        trades_returned_or_exchanged = sales_shop_daily.trades_returned_or_exchanged + excluded.trades_returned_or_exchanged, \
        cost_shipped = sales_shop_daily.cost_shipped + excluded.cost_shipped";

const UNCOSTED_ADD: &str = "ON CONFLICT (shop_id, day, sku_id) DO UPDATE SET \
    units = uncosted_shipment_daily.units + excluded.units";

const UNCOSTED_UPSERT: &str = "INSERT INTO uncosted_shipment_daily (company_id, shop_id, day, sku_id, units) \
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (shop_id, day, sku_id) DO UPDATE SET \
        units = uncosted_shipment_daily.units + excluded.units";

const SKU_COLUMNS: &str = "company_id, shop_id, sku_id, day, units_paid, amount_paid, lines_paid";

const SKU_ADD: &str = "ON CONFLICT (shop_id, day, sku_id) DO UPDATE SET \
    units_paid = sales_sku_daily.units_paid + excluded.units_paid, \
    amount_paid = sales_sku_daily.amount_paid + excluded.amount_paid, \
    lines_paid = sales_sku_daily.lines_paid + excluded.lines_paid";

const SKU_UPSERT: &str = "INSERT INTO sales_sku_daily (company_id, shop_id, sku_id, day, units_paid, amount_paid, lines_paid) \
     VALUES ($1, $2, $3, $4, $5, $6, $7) \
     ON CONFLICT (shop_id, day, sku_id) DO UPDATE SET \
        units_paid = sales_sku_daily.units_paid + excluded.units_paid, \
        amount_paid = sales_sku_daily.amount_paid + excluded.amount_paid, \
        lines_paid = sales_sku_daily.lines_paid + excluded.lines_paid";

fn shop_values(company_id: i64, shop_id: i64, day: &str, f: &ShopDay) -> Vec<Value> {
    let mut v = args![company_id, shop_id, day];
    v.extend(f.values().into_iter().map(Value::from));
    v
}

fn sku_values(company_id: i64, shop_id: i64, sku_id: i64, day: &str, f: &SkuDay) -> Vec<Value> {
    args![company_id, shop_id, sku_id, day, f.units_paid, f.amount_paid, f.lines_paid]
}

impl Tx {
    /// Adds a change to the summaries with multi-row upserts (for bulk loads; single transitions
    /// push theirs onto their own batch with [`SummaryDelta::push`]).
    pub async fn add_to_summaries(&mut self, d: &SummaryDelta) -> Result<(), StoreError> {
        let shops: Vec<Vec<Value>> = d
            .shops
            .iter()
            .filter(|(_, f)| !f.is_zero())
            .map(|((shop_id, day), f)| shop_values(d.company_id, *shop_id, day, f))
            .collect();
        let head = format!("INSERT INTO sales_shop_daily ({SHOP_COLUMNS}) VALUES");
        self.insert_rows(
            &RowInsert {
                head: &head,
                row: "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
                width: 15,
                tail: SHOP_ADD,
            },
            &shops,
        )
        .await?;
        let skus: Vec<Vec<Value>> = d
            .skus
            .iter()
            .filter(|(_, f)| !f.is_zero())
            .map(|((shop_id, day, sku_id), f)| sku_values(d.company_id, *shop_id, *sku_id, day, f))
            .collect();
        let head = format!("INSERT INTO sales_sku_daily ({SKU_COLUMNS}) VALUES");
        self.insert_rows(
            &RowInsert { head: &head, row: "($1, $2, $3, $4, $5, $6, $7)", width: 7, tail: SKU_ADD },
            &skus,
        )
        .await?;
        let uncosted: Vec<Vec<Value>> = d
            .uncosted
            .iter()
            .filter(|(_, u)| **u != 0)
            .map(|((shop_id, day, sku_id), units)| args![d.company_id, *shop_id, day.as_str(), *sku_id, *units])
            .collect();
        self.insert_rows(
            &RowInsert {
                head: "INSERT INTO uncosted_shipment_daily (company_id, shop_id, day, sku_id, units) VALUES",
                row: "($1, $2, $3, $4, $5)",
                width: 5,
                tail: UNCOSTED_ADD,
            },
            &uncosted,
        )
        .await?;
        Ok(())
    }

    /// The time zone of a company (for the rare writes that do not carry it).
    pub async fn company_zone(&mut self, company_id: i64) -> Result<Tz, StoreError> {
        let name = fetch_optional!(self, "SELECT time_zone FROM company WHERE id = $1", [company_id], |r| r
            .try_get::<String, _>(0))?;
        Ok(zone(name.as_deref().unwrap_or("")))
    }

    /// Recomputes a company's summaries from the raw rows (trades, lines, refunds), replacing what
    /// they held. Run inside the caller's transaction, so readers see either the old or the new
    /// figures. Days are found through a calendar of the company's days (first instant of each),
    /// so the SQL is the same on both backends and right in any time zone.
    pub async fn rebuild_summaries(&mut self, company_id: i64) -> Result<(), StoreError> {
        let tz = self.company_zone(company_id).await?;
        exec!(&mut *self, "DELETE FROM sales_shop_daily WHERE company_id = $1", company_id)?;
        exec!(&mut *self, "DELETE FROM sales_sku_daily WHERE company_id = $1", company_id)?;
        exec!(&mut *self, "DELETE FROM uncosted_shipment_daily WHERE company_id = $1", company_id)?;
        self.rebuild_buyer_counts(company_id, tz).await?;
        exec!(&mut *self, "DELETE FROM summary_rebuild_due WHERE company_id = $1", company_id)?;
        let bounds = fetch_optional!(
            &mut *self,
            "SELECT MIN(created_at), MAX(created_at), MIN(paid_at), MAX(paid_at), MIN(shipped_at), MAX(shipped_at) \
             FROM trade WHERE company_id = $1",
            [company_id],
            |r| {
                let mut v: Vec<Option<i64>> = Vec::new();
                for i in 0..6 {
                    v.push(r.try_get::<Option<i64>, _>(i)?);
                }
                Ok(v)
            }
        )?
        .unwrap_or_default();
        let refund_bounds = fetch_optional!(
            &mut *self,
            "SELECT MIN(created_at), MAX(created_at), MIN(finished_at), MAX(finished_at) FROM refund WHERE company_id = $1",
            [company_id],
            |r| {
                let mut v: Vec<Option<i64>> = Vec::new();
                for i in 0..4 {
                    v.push(r.try_get::<Option<i64>, _>(i)?);
                }
                Ok(v)
            }
        )?
        .unwrap_or_default();
        let move_bounds = fetch_optional!(
            &mut *self,
            "SELECT MIN(created_at), MAX(created_at) FROM stock_move \
             WHERE company_id = $1 AND kind IN ('sale_shipment', 'return_receipt')",
            [company_id],
            |r| Ok(vec![r.try_get::<Option<i64>, _>(0)?, r.try_get::<Option<i64>, _>(1)?])
        )?
        .unwrap_or_default();
        let all: Vec<i64> = bounds.into_iter().chain(refund_bounds).chain(move_bounds).flatten().collect();
        let (Some(lo), Some(hi)) = (all.iter().min(), all.iter().max()) else {
            return Ok(());
        };
        self.fill_calendar(crate::from_ts(*lo), crate::from_ts(*hi), tz).await?;
        for sql in REBUILD.iter().chain(COST_REBUILD) {
            exec!(&mut *self, *sql, company_id)?;
        }
        Ok(())
    }

    /// Recomputes the company's cost of goods shipped (`cost_shipped` and the units shipped without a
    /// cost) from its stock moves, leaving the other counters as they are: for a change that alters
    /// which moves count in it (a warehouse made sellable or not), in the caller's transaction.
    pub async fn rebuild_goods_cost(&mut self, company_id: i64) -> Result<(), StoreError> {
        let tz = self.company_zone(company_id).await?;
        exec!(&mut *self, "UPDATE sales_shop_daily SET cost_shipped = 0 WHERE company_id = $1", company_id)?;
        exec!(&mut *self, "DELETE FROM uncosted_shipment_daily WHERE company_id = $1", company_id)?;
        let bounds = fetch_optional!(
            &mut *self,
            "SELECT MIN(created_at), MAX(created_at) FROM stock_move \
             WHERE company_id = $1 AND kind IN ('sale_shipment', 'return_receipt')",
            [company_id],
            |r| Ok((r.try_get::<Option<i64>, _>(0)?, r.try_get::<Option<i64>, _>(1)?))
        )?;
        let Some((Some(lo), Some(hi))) = bounds else { return Ok(()) };
        self.fill_calendar(crate::from_ts(lo), crate::from_ts(hi), tz).await?;
        for sql in COST_REBUILD {
            exec!(&mut *self, *sql, company_id)?;
        }
        Ok(())
    }

    /// Fills the temporary calendar `zg_calendar` (day, first instant) with the company days from the
    /// day before `from` to the day after `to`.
    pub async fn fill_calendar(&mut self, from: DateTime<Utc>, to: DateTime<Utc>, tz: Tz) -> Result<(), StoreError> {
        exec!(
            &mut *self,
            "CREATE TEMPORARY TABLE IF NOT EXISTS zg_calendar (start_at BIGINT PRIMARY KEY, day TEXT NOT NULL)"
        )?;
        exec!(&mut *self, "DELETE FROM zg_calendar")?;
        let first = from.with_timezone(&tz).date_naive() - Duration::days(1);
        let last = to.with_timezone(&tz).date_naive() + Duration::days(1);
        let mut rows = Vec::new();
        let mut d = first;
        while d <= last {
            rows.push(args![to_ts(day_start(d, tz)), d.format("%Y-%m-%d").to_string()]);
            d += Duration::days(1);
        }
        self.insert_rows(
            &RowInsert { head: "INSERT INTO zg_calendar (start_at, day) VALUES", row: "($1, $2)", width: 2, tail: "" },
            &rows,
        )
        .await?;
        Ok(())
    }
}

macro_rules! shop_day {
    ($r:ident, $o:expr) => {
        ShopDay {
            orders_created: $r.try_get($o)?,
            amount_created: $r.try_get($o + 1)?,
            orders_paid: $r.try_get($o + 2)?,
            amount_paid: $r.try_get($o + 3)?,
            units_paid: $r.try_get($o + 4)?,
            trades_shipped: $r.try_get($o + 5)?,
            refunds: $r.try_get($o + 6)?,
            refund_amount: $r.try_get($o + 7)?,
            return_requests: $r.try_get($o + 8)?,
            exchange_requests: $r.try_get($o + 9)?,
            trades_returned_or_exchanged: $r.try_get($o + 10)?,
            cost_shipped: $r.try_get($o + 11)?,
        }
    };
}

impl Tx {
    /// The summary rows of (shop, day) in scope and days `from ..= to`.
    pub async fn shop_days(
        &mut self,
        company_id: i64,
        shop_id: i64,
        from: &str,
        to: &str,
    ) -> Result<Vec<(i64, String, ShopDay)>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT shop_id, day, orders_created, amount_created, orders_paid, amount_paid, units_paid, trades_shipped, \
                refunds, refund_amount, return_requests, exchange_requests, trades_returned_or_exchanged, cost_shipped \
             FROM sales_shop_daily WHERE company_id = $1 AND day >= $2 AND day <= $3 AND ($4 = 0 OR shop_id = $4) \
             ORDER BY day, shop_id",
            [company_id, from, to, shop_id],
            |r| Ok((r.try_get(0)?, r.try_get(1)?, shop_day!(r, 2usize)))
        )?)
    }

    /// Every summary row of a company (for checks against a rebuild).
    pub async fn all_shop_days(&mut self, company_id: i64) -> Result<Vec<(i64, String, ShopDay)>, StoreError> {
        self.shop_days(company_id, 0, "0000-00-00", "9999-99-99").await
    }

    /// Units shipped without a cost per (shop, day, SKU) of a company (for checks against a rebuild).
    pub async fn all_uncosted_shipments(
        &mut self,
        company_id: i64,
    ) -> Result<Vec<(i64, String, i64, i64)>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT shop_id, day, sku_id, units FROM uncosted_shipment_daily WHERE company_id = $1 \
             ORDER BY shop_id, day, sku_id",
            [company_id],
            |r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?))
        )?)
    }

    /// What the units shipped without a cost on days `from ..= to` in scope are worth at their SKUs'
    /// costs now (fen): the part of the cost of goods shipped that is not in `cost_shipped`.
    pub async fn uncosted_shipments_value(
        &mut self,
        company_id: i64,
        shop_id: i64,
        from: &str,
        to: &str,
    ) -> Result<i64, StoreError> {
        Ok(fetch_scalar!(
            self,
            i64,
            "SELECT CAST(COALESCE(SUM(u.units * s.cost), 0) AS BIGINT) FROM uncosted_shipment_daily u \
             JOIN sku s ON s.id = u.sku_id \
             WHERE u.company_id = $1 AND u.day >= $2 AND u.day <= $3 AND ($4 = 0 OR u.shop_id = $4) AND u.units <> 0",
            company_id,
            from,
            to,
            shop_id
        )?)
    }

    /// Every per-SKU summary row of a company: (shop, day, sku, counters).
    pub async fn all_sku_days(&mut self, company_id: i64) -> Result<Vec<(i64, String, i64, SkuDay)>, StoreError> {
        self.sku_days(company_id, 0, "0000-00-00", "9999-99-99").await
    }

    /// The per-SKU summary rows in scope and days `from ..= to`: (shop, day, sku, counters).
    pub async fn sku_days(
        &mut self,
        company_id: i64,
        shop_id: i64,
        from: &str,
        to: &str,
    ) -> Result<Vec<(i64, String, i64, SkuDay)>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT shop_id, day, sku_id, units_paid, amount_paid, lines_paid FROM sales_sku_daily \
             WHERE company_id = $1 AND day >= $2 AND day <= $3 AND ($4 = 0 OR shop_id = $4) \
             ORDER BY day, shop_id, sku_id",
            [company_id, from, to, shop_id],
            |r| Ok((
                r.try_get(0)?,
                r.try_get(1)?,
                r.try_get(2)?,
                SkuDay { units_paid: r.try_get(3)?, amount_paid: r.try_get(4)?, lines_paid: r.try_get(5)? }
            ))
        )?)
    }
}

/// The company day of a stored time column `$col`, through the calendar.
macro_rules! cal_day {
    ($col:literal) => {
        concat!("(SELECT c.day FROM zg_calendar c WHERE c.start_at <= ", $col, " ORDER BY c.start_at DESC LIMIT 1)")
    };
}

/// The statements that recompute the summaries of company `$1` from the raw rows, after the rows of
/// the company were deleted; each fills its own columns and adds to rows the others made.
const REBUILD: &[&str] = &[
    concat!(
        "INSERT INTO sales_shop_daily (company_id, shop_id, day, orders_created, amount_created) \
         SELECT $1, shop_id, day, COUNT(*), CAST(SUM(amount) AS BIGINT) FROM \
            (SELECT t.shop_id, ",
        cal_day!("t.created_at"),
        " AS day, t.total_amount - t.discount AS amount FROM trade t WHERE t.company_id = $1) x \
         WHERE true GROUP BY shop_id, day \
         ON CONFLICT (shop_id, day) DO UPDATE SET orders_created = excluded.orders_created, \
            amount_created = excluded.amount_created"
    ),
    concat!(
        "INSERT INTO sales_shop_daily (company_id, shop_id, day, orders_paid, amount_paid, units_paid) \
         SELECT $1, shop_id, day, COUNT(*), CAST(SUM(amount_paid) AS BIGINT), CAST(SUM(item_count) AS BIGINT) FROM \
            (SELECT t.shop_id, ",
        cal_day!("t.paid_at"),
        " AS day, t.amount_paid, t.item_count FROM trade t WHERE t.company_id = $1 AND t.paid_at IS NOT NULL) x \
         WHERE true GROUP BY shop_id, day \
         ON CONFLICT (shop_id, day) DO UPDATE SET orders_paid = excluded.orders_paid, \
            amount_paid = excluded.amount_paid, units_paid = excluded.units_paid"
    ),
    concat!(
        "INSERT INTO sales_shop_daily (company_id, shop_id, day, trades_shipped) \
         SELECT $1, shop_id, day, COUNT(*) FROM \
            (SELECT t.shop_id, ",
        cal_day!("t.shipped_at"),
        " AS day FROM trade t WHERE t.company_id = $1 AND t.shipped_at IS NOT NULL) x \
         WHERE true GROUP BY shop_id, day \
         ON CONFLICT (shop_id, day) DO UPDATE SET trades_shipped = excluded.trades_shipped"
    ),
    concat!(
        "INSERT INTO sales_shop_daily (company_id, shop_id, day, refunds, refund_amount) \
         SELECT $1, shop_id, day, COUNT(*), CAST(SUM(amount) AS BIGINT) FROM \
            (SELECT t.shop_id, ",
        cal_day!("r.finished_at"),
        " AS day, r.amount FROM refund r JOIN trade t ON t.id = r.trade_id \
             WHERE r.company_id = $1 AND r.status = 'SUCCESS' AND r.finished_at IS NOT NULL \
               AND r.kind IN ('refund_unshipped', 'refund_shipped', 'return_and_refund')) x \
         WHERE true GROUP BY shop_id, day \
         ON CONFLICT (shop_id, day) DO UPDATE SET refunds = excluded.refunds, refund_amount = excluded.refund_amount"
    ),
    concat!(
        "INSERT INTO sales_shop_daily (company_id, shop_id, day, return_requests, exchange_requests) \
         SELECT $1, shop_id, day, \
            CAST(SUM(CASE WHEN kind = 'return_and_refund' THEN 1 ELSE 0 END) AS BIGINT), \
            CAST(SUM(CASE WHEN kind = 'exchange' THEN 1 ELSE 0 END) AS BIGINT) FROM \
            (SELECT t.shop_id, r.kind, ",
        cal_day!("r.created_at"),
        " AS day FROM refund r JOIN trade t ON t.id = r.trade_id \
             WHERE r.company_id = $1 AND r.kind IN ('return_and_refund', 'exchange')) x \
         WHERE true GROUP BY shop_id, day \
         ON CONFLICT (shop_id, day) DO UPDATE SET return_requests = excluded.return_requests, \
            exchange_requests = excluded.exchange_requests"
    ),
    concat!(
        "INSERT INTO sales_shop_daily (company_id, shop_id, day, trades_returned_or_exchanged) \
         SELECT $1, shop_id, day, COUNT(*) FROM \
            (SELECT f.shop_id, ",
        cal_day!("f.first_at"),
        " AS day FROM (SELECT t.shop_id, MIN(r.created_at) AS first_at FROM refund r JOIN trade t ON t.id = r.trade_id \
                 WHERE r.company_id = $1 AND r.kind IN ('return_and_refund', 'exchange') GROUP BY t.id, t.shop_id) f) x \
         WHERE true GROUP BY shop_id, day \
         ON CONFLICT (shop_id, day) DO UPDATE SET trades_returned_or_exchanged = excluded.trades_returned_or_exchanged"
    ),
    concat!(
        "INSERT INTO sales_sku_daily (company_id, shop_id, sku_id, day, units_paid, amount_paid, lines_paid) \
         SELECT $1, shop_id, sku_id, day, CAST(SUM(qty) AS BIGINT), CAST(SUM(amount_paid) AS BIGINT), COUNT(*) FROM \
            (SELECT t.shop_id, l.sku_id, l.qty, l.amount_paid, ",
        cal_day!("t.paid_at"),
        " AS day FROM order_line l JOIN trade t ON t.id = l.trade_id \
             WHERE t.company_id = $1 AND t.paid_at IS NOT NULL AND l.sku_id IS NOT NULL) x \
         WHERE true GROUP BY shop_id, sku_id, day \
         ON CONFLICT (shop_id, day, sku_id) DO UPDATE SET units_paid = excluded.units_paid, \
            amount_paid = excluded.amount_paid, lines_paid = excluded.lines_paid"
    ),
];

/// The statements that recompute the cost of goods shipped of company `$1` from its stock moves,
/// after its `cost_shipped` were zeroed and its `uncosted_shipment_daily` rows deleted.
const COST_REBUILD: &[&str] = &[
    concat!(
        "INSERT INTO sales_shop_daily (company_id, shop_id, day, cost_shipped) \
         SELECT $1, shop_id, day, CAST(SUM(cost) AS BIGINT) FROM \
            (SELECT t.shop_id, -m.qty * m.unit_cost AS cost, ",
        cal_day!("m.created_at"),
        " AS day FROM stock_move m JOIN warehouse w ON w.id = m.warehouse_id \
             LEFT JOIN refund r ON m.ref_type = 'refund' AND r.id = m.ref_id \
             JOIN trade t ON t.id = CASE WHEN m.ref_type = 'trade' THEN m.ref_id ELSE r.trade_id END \
             WHERE m.company_id = $1 AND ((m.kind = 'sale_shipment' AND m.unit_cost <> 0) \
                OR (m.kind = 'return_receipt' AND w.sellable))) x \
         WHERE true GROUP BY shop_id, day \
         ON CONFLICT (shop_id, day) DO UPDATE SET cost_shipped = excluded.cost_shipped"
    ),
    concat!(
        "INSERT INTO uncosted_shipment_daily (company_id, shop_id, day, sku_id, units) \
         SELECT $1, shop_id, day, sku_id, CAST(SUM(units) AS BIGINT) FROM \
            (SELECT t.shop_id, m.sku_id, -m.qty AS units, ",
        cal_day!("m.created_at"),
        " AS day FROM stock_move m \
             LEFT JOIN refund r ON m.ref_type = 'refund' AND r.id = m.ref_id \
             JOIN trade t ON t.id = CASE WHEN m.ref_type = 'trade' THEN m.ref_id ELSE r.trade_id END \
             WHERE m.company_id = $1 AND m.kind = 'sale_shipment' AND m.unit_cost = 0) x \
         WHERE true GROUP BY shop_id, day, sku_id \
         ON CONFLICT (shop_id, day, sku_id) DO UPDATE SET units = excluded.units"
    ),
];
