//! The trade use cases (DOMAIN.md §4): create, pay, ship, confirm receipt, close. Each runs in one
//! transaction; an illegal transition or missing stock is refused and changes nothing.
//!
//! Stock: paying reserves every line's SKU (or creating does, when the shop reserves unpaid trades);
//! closing releases what is reserved; shipping writes the sale_shipment moves and consumes the
//! reservations. Trades paid before the shop's inventory start never touch stock.

use std::future::Future;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use zhanggui_domain::{
    IllegalTransition, Money, MoveKind, ReserveDecision, TradeEvent, TradeStatus, decide_reservation,
    region::parse_address,
};
use zhanggui_store::trade_write::{CustomerKey, EventRow, NewReservation, TradeWrite};
use zhanggui_store::trades::TradeChange;
use zhanggui_store::{NewLine, NewMove, NewTrade, OrderLine, Shop, StoreError, Trade, TradeEventRow, TradeFilter, Tx};

use crate::{Actor, App, ErrorKind, Lang, UserFacing, summary};

/// The platform's shipping promise: a paid trade ships within 24 hours (seed 000).
pub const SHIP_WITHIN: Duration = Duration::hours(24);

/// A trade to create, as a person or an importer gives it.
#[derive(Debug, Clone, Default)]
pub struct TradeInput {
    pub shop_id: i64,
    pub tid: String,
    pub buyer_nick: String,
    pub receiver_name: String,
    pub receiver_phone: String,
    /// "省 市 区 详细地址"; the region is parsed from it.
    pub receiver_address: String,
    pub postage: Money,
    /// Discounts on the whole trade (coupons, offers), taken off the goods.
    pub discount: Money,
    pub created_at: DateTime<Utc>,
    pub buyer_message: String,
    pub seller_memo: String,
    pub lines: Vec<LineInput>,
}

#[derive(Debug, Clone, Default)]
pub struct LineInput {
    pub oid: String,
    /// 商家编码 of the SKU; unknown codes are kept and the line is unmatched (未匹配商品).
    pub outer_sku_id: String,
    pub title: String,
    pub properties: String,
    pub price: Money,
    pub qty: i64,
}

/// How to ship.
#[derive(Debug, Clone, Default)]
pub struct ShipInput {
    pub carrier: String,
    pub tracking_no: String,
    /// Ship only these lines (partial shipment); `None` ships everything left.
    pub line_ids: Option<Vec<i64>>,
}

/// A trade with its lines and history.
#[derive(Debug, Clone, Serialize)]
pub struct TradeDetail {
    pub trade: Trade,
    pub lines: Vec<OrderLine>,
    pub events: Vec<TradeEventRow>,
}

#[derive(Debug, thiserror::Error)]
pub enum TradeError {
    #[error("trade {0} not found")]
    NotFound(String),
    #[error("shop {0} not found")]
    ShopNotFound(i64),
    #[error("trade {tid} already exists in this shop")]
    Duplicate { tid: String },
    #[error(transparent)]
    Illegal(#[from] IllegalTransition),
    #[error("out of stock: {sku} needs {wanted}, only {available} available")]
    OutOfStock { sku: String, wanted: i64, available: i64 },
    #[error("{field}: {reason}")]
    Invalid { field: &'static str, reason: String },
    /// A concurrent writer changed what this step relied on; it is retried from the start.
    #[error("the trade or its stock changed while this step ran; try again")]
    Conflict,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl UserFacing for TradeError {
    fn code(&self) -> &'static str {
        match self {
            TradeError::NotFound(_) | TradeError::ShopNotFound(_) => "not_found",
            TradeError::Duplicate { .. } => "duplicate",
            TradeError::Illegal(_) => "illegal_transition",
            TradeError::OutOfStock { .. } => "out_of_stock",
            TradeError::Invalid { .. } => "invalid_input",
            TradeError::Conflict => "conflict",
            TradeError::Store(_) => "internal",
        }
    }

    fn kind(&self) -> ErrorKind {
        match self {
            TradeError::NotFound(_) | TradeError::ShopNotFound(_) => ErrorKind::NotFound,
            TradeError::Store(_) | TradeError::Conflict => ErrorKind::Internal,
            _ => ErrorKind::BadInput,
        }
    }

    fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (_, Lang::En) => self.to_string(),
            (TradeError::NotFound(t), Lang::Zh) => format!("找不到订单 {t}"),
            (TradeError::ShopNotFound(s), Lang::Zh) => format!("找不到店铺 {s}"),
            (TradeError::Duplicate { tid }, Lang::Zh) => format!("订单 {tid} 在本店铺已存在"),
            (TradeError::Illegal(e), Lang::Zh) => e.message_zh(),
            (TradeError::OutOfStock { sku, wanted, available }, Lang::Zh) => {
                format!("库存不足（缺货）：{sku} 需要 {wanted} 件，可用库存只有 {available} 件")
            }
            (TradeError::Invalid { field, reason }, Lang::Zh) => format!("{field}：{reason}"),
            (TradeError::Conflict, Lang::Zh) => "订单或库存刚被其他操作修改，请重试".to_string(),
            (TradeError::Store(e), Lang::Zh) => format!("系统错误：{e}"),
        }
    }
}

fn invalid(field: &'static str, reason: impl Into<String>) -> TradeError {
    TradeError::Invalid { field, reason: reason.into() }
}

/// Retries a use case when concurrent writers conflicted (a PostgreSQL deadlock or serialisation
/// failure, a SQLite busy timeout). Each attempt is a fresh transaction, so nothing is applied twice.
pub(crate) async fn with_retry<T, E, F, Fut>(mut attempt: F) -> Result<T, E>
where
    E: Retryable,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let mut tries = 0;
    loop {
        match attempt().await {
            Err(e) if e.retryable() && tries < 20 => {
                tries += 1;
                tokio::time::sleep(std::time::Duration::from_millis(tries)).await;
            }
            other => return other,
        }
    }
}

/// Errors that a fresh attempt of the same step may not meet again.
pub(crate) trait Retryable {
    fn retryable(&self) -> bool;
}

impl Retryable for TradeError {
    fn retryable(&self) -> bool {
        match self {
            TradeError::Store(e) => e.is_retryable(),
            TradeError::Conflict => true,
            _ => false,
        }
    }
}

/// Runs one step in its own write transaction, retried on a write conflict.
macro_rules! in_tx {
    ($app:expr, |$tx:ident| $step:expr) => {
        with_retry(|| async {
            let mut tx = $app.db.begin().await?;
            let $tx = &mut tx;
            let out = $step.await?;
            tx.commit().await?;
            Ok(out)
        })
        .await
    };
}

impl App {
    pub async fn create_trade(&self, actor: &Actor, input: &TradeInput) -> Result<i64, TradeError> {
        in_tx!(self, |tx| create_in(tx, actor, input))
    }

    pub async fn pay_trade(&self, actor: &Actor, trade_id: i64, at: DateTime<Utc>) -> Result<(), TradeError> {
        in_tx!(self, |tx| pay_in(tx, actor, trade_id, at))
    }

    pub async fn ship_trade(
        &self,
        actor: &Actor,
        trade_id: i64,
        ship: &ShipInput,
        at: DateTime<Utc>,
    ) -> Result<(), TradeError> {
        in_tx!(self, |tx| ship_in(tx, actor, trade_id, ship, at))
    }

    pub async fn confirm_receipt(&self, actor: &Actor, trade_id: i64, at: DateTime<Utc>) -> Result<(), TradeError> {
        in_tx!(self, |tx| confirm_in(tx, actor, trade_id, at))
    }

    pub async fn close_trade(
        &self,
        actor: &Actor,
        trade_id: i64,
        reason: &str,
        at: DateTime<Utc>,
    ) -> Result<(), TradeError> {
        in_tx!(self, |tx| close_in(tx, actor, trade_id, reason, at))
    }

    /// Finds a trade by the platform's order number, or by zhanggui's id if no order number matches.
    pub async fn find_trade(&self, actor: &Actor, key: &str) -> Result<Trade, TradeError> {
        let mut tx = self.db.begin_read().await?;
        let key = key.trim();
        let mut found = tx.trades_by_tid(actor.company_id, key).await?;
        if found.is_empty()
            && let Ok(id) = key.parse::<i64>()
            && let Some(t) = tx.trade(actor.company_id, id).await?
        {
            found.push(t);
        }
        tx.commit().await?;
        match found.len() {
            0 => Err(TradeError::NotFound(key.to_string())),
            1 => Ok(found.remove(0)),
            _ => Err(invalid("order", format!("{key} exists in several shops; use zhanggui's trade id"))),
        }
    }

    pub async fn trade_detail(&self, actor: &Actor, trade_id: i64) -> Result<TradeDetail, TradeError> {
        let mut tx = self.db.begin_read().await?;
        let trade = tx.trade(actor.company_id, trade_id).await?.ok_or(TradeError::NotFound(trade_id.to_string()))?;
        let lines = tx.trade_lines(trade_id).await?;
        let events = tx.trade_events(trade_id).await?;
        tx.commit().await?;
        Ok(TradeDetail { trade, lines, events })
    }

    pub async fn list_trades(&self, filter: &TradeFilter) -> Result<Vec<Trade>, TradeError> {
        let mut tx = self.db.begin_read().await?;
        let trades = tx.list_trades(filter).await?;
        tx.commit().await?;
        Ok(trades)
    }
}

/// A trade history row's event (`trade_event.event`) as the shop says it.
pub fn event_label(event: &str, lang: Lang) -> &str {
    let (zh, en) = match event {
        "create" => ("下单", "created"),
        "pay" => ("付款", "paid"),
        "ship" => ("发货", "shipped"),
        "confirm" => ("确认收货", "receipt confirmed"),
        "close" => ("关闭", "closed"),
        "import" => ("导入", "imported"),
        "forbid" => ("禁止发货", "shipping locked"),
        "allow" => ("恢复发货", "shipping unlocked"),
        other => (other, other),
    };
    lang.pick(zh, en)
}

/// Does stock move for a trade of this shop paid (or created) at `at`?
pub(crate) fn tracks_stock(shop: &Shop, at: DateTime<Utc>) -> bool {
    shop.inventory_start_at.is_none_or(|start| at >= start)
}

async fn load_trade(tx: &mut Tx, actor: &Actor, trade_id: i64) -> Result<Trade, TradeError> {
    tx.trade_for_update(actor.company_id, trade_id).await?.ok_or_else(|| TradeError::NotFound(trade_id.to_string()))
}

/// Creates a trade (收订) in status WAIT_BUYER_PAY inside `tx`.
pub async fn create_in(tx: &mut Tx, actor: &Actor, input: &TradeInput) -> Result<i64, TradeError> {
    let tid = input.tid.trim();
    if tid.is_empty() {
        return Err(invalid("tid", "an order number is required"));
    }
    if input.lines.is_empty() {
        return Err(invalid("lines", "a trade needs at least one line"));
    }
    for l in &input.lines {
        if l.qty <= 0 {
            return Err(invalid("qty", format!("line {} has quantity {}; it must be at least 1", l.oid, l.qty)));
        }
        if l.price.is_negative() {
            return Err(invalid("price", format!("line {} has a negative price", l.oid)));
        }
    }
    if input.postage.is_negative() || input.discount.is_negative() {
        return Err(invalid("amount", "postage and discount cannot be negative"));
    }
    let codes: Vec<&str> = input.lines.iter().map(|l| l.outer_sku_id.trim()).filter(|c| !c.is_empty()).collect();
    let (shop, skus) = tx.shop_and_skus(input.shop_id, actor.company_id, &codes).await?;
    let shop = match shop {
        Some(s) if s.company_id == actor.company_id => s,
        _ => return Err(TradeError::ShopNotFound(input.shop_id)),
    };
    let goods: Money = input.lines.iter().map(|l| l.price * l.qty).sum();
    if input.discount > goods {
        return Err(invalid("discount", format!("discount {} exceeds the goods amount {}", input.discount, goods)));
    }
    let payable_goods = goods - input.discount;
    let weights: Vec<i64> = input.lines.iter().map(|l| (l.price * l.qty).fen()).collect();
    let line_paid = payable_goods.allocate(&weights);

    let region = parse_address(&input.receiver_address).unwrap_or_default();
    let mut lines = Vec::with_capacity(input.lines.len());
    for (i, l) in input.lines.iter().enumerate() {
        let code = l.outer_sku_id.trim();
        let sku = skus.iter().find(|s| s.outer_sku_id == code);
        lines.push(NewLine {
            oid: if l.oid.trim().is_empty() { format!("{tid}-{}", i + 1) } else { l.oid.trim().to_string() },
            sku_id: sku.map(|s| s.id),
            outer_sku_id: code.to_string(),
            title: if l.title.is_empty() { sku.map(|s| s.title.clone()).unwrap_or_default() } else { l.title.clone() },
            properties: if l.properties.is_empty() {
                sku.map(|s| s.properties.clone()).unwrap_or_default()
            } else {
                l.properties.clone()
            },
            price: l.price,
            qty: l.qty,
            amount_paid: line_paid.get(i).copied().unwrap_or_default(),
            ..Default::default()
        });
    }
    let nick = input.buyer_nick.trim();
    let new = NewTrade {
        company_id: actor.company_id,
        shop_id: shop.id,
        tid: tid.to_string(),
        customer_id: None,
        buyer_nick: nick.to_string(),
        receiver_name: input.receiver_name.clone(),
        receiver_phone: input.receiver_phone.clone(),
        receiver_address: input.receiver_address.clone(),
        province: region.province.clone(),
        city: region.city.clone(),
        district: region.district.clone(),
        goods_amount: goods,
        postage: input.postage,
        discount: input.discount,
        total_amount: goods + input.postage,
        amount_paid: payable_goods + input.postage,
        created_at: input.created_at,
        buyer_message: input.buyer_message.clone(),
        seller_memo: input.seller_memo.clone(),
        lines,
        ..Default::default()
    };
    let status = TradeStatus::WaitBuyerPay;
    let customer = (!nick.is_empty()).then(|| CustomerKey {
        account_system: shop.platform.buyer_account_system(),
        nick,
        region: &region,
    });
    let created = tx.create_trade_batched(&new, status, customer, &actor.user, input.created_at, shop.time_zone).await;
    let trade_id = match created {
        Ok(id) => id,
        Err(e) if e.is_unique_violation() => return Err(TradeError::Duplicate { tid: tid.to_string() }),
        Err(e) => return Err(e.into()),
    };
    if shop.reserve_unpaid && tracks_stock(&shop, input.created_at) {
        let stored = tx.trade_lines(trade_id).await?;
        let reserve = plan_reservations(tx, &shop, &stored).await?;
        let oversold = reserve.iter().any(|r| !r.guarded);
        let write = TradeWrite {
            company_id: actor.company_id,
            trade_id,
            reserve,
            change: TradeChange { oversold: oversold.then_some(true), ..Default::default() },
            at: input.created_at,
            ..Default::default()
        };
        if !tx.apply_trade_write(&write).await? {
            return Err(TradeError::Conflict);
        }
    }
    Ok(trade_id)
}

/// Chooses where each line's stock is reserved, SKUs in id order (so concurrent payers lock rows in
/// the same order and cannot deadlock): the shop's default warehouse if it has enough, else the first
/// warehouse that does. Refuses with `OutOfStock` (nothing written yet) unless the shop allows
/// overselling, in which case the line is reserved unguarded in the default warehouse.
pub(crate) async fn plan_reservations(
    tx: &mut Tx,
    shop: &Shop,
    lines: &[OrderLine],
) -> Result<Vec<NewReservation>, TradeError> {
    let mut sku_ids: Vec<i64> = lines.iter().filter(|l| l.shipped_at.is_none()).filter_map(|l| l.sku_id).collect();
    sku_ids.sort_unstable();
    sku_ids.dedup();
    let balances = tx.balances_of(&sku_ids).await?;
    plan_reservations_in(shop, lines, balances)
}

/// [`plan_reservations`] over balances already read (`(sku_id, warehouse_id, on_hand, reserved)`).
pub(crate) fn plan_reservations_in(
    shop: &Shop,
    lines: &[OrderLine],
    mut balances: Vec<(i64, i64, i64, i64)>,
) -> Result<Vec<NewReservation>, TradeError> {
    let mut wanted: Vec<&OrderLine> = lines.iter().filter(|l| l.sku_id.is_some() && l.shipped_at.is_none()).collect();
    wanted.sort_by_key(|l| (l.sku_id, l.id));
    let mut out = Vec::with_capacity(wanted.len());
    for l in wanted {
        let Some(sku_id) = l.sku_id else { continue };
        let mut candidates: Vec<&mut (i64, i64, i64, i64)> = balances.iter_mut().filter(|b| b.0 == sku_id).collect();
        candidates.sort_by_key(|b| (Some(b.1) != shop.default_warehouse_id, b.1));
        let best = candidates.iter().map(|b| b.2 - b.3).max().unwrap_or(0);
        let place = candidates.iter_mut().find(|b| b.2 - b.3 >= l.qty);
        match (place, decide_reservation(best, l.qty, shop.allow_oversell)) {
            (Some(b), _) => {
                b.3 += l.qty;
                out.push(NewReservation { order_line_id: l.id, sku_id, warehouse_id: b.1, qty: l.qty, guarded: true });
            }
            (None, ReserveDecision::ReserveOversold) => {
                let Some(warehouse_id) = shop.default_warehouse_id.or_else(|| candidates.first().map(|b| b.1)) else {
                    return Err(invalid("warehouse", "the company has no warehouse to reserve stock in"));
                };
                if let Some(b) = candidates.iter_mut().find(|b| b.1 == warehouse_id) {
                    b.3 += l.qty;
                }
                out.push(NewReservation { order_line_id: l.id, sku_id, warehouse_id, qty: l.qty, guarded: false });
            }
            (None, _) => {
                return Err(TradeError::OutOfStock {
                    sku: l.outer_sku_id.clone(),
                    wanted: l.qty,
                    available: best.max(0),
                });
            }
        }
    }
    Ok(out)
}

/// The buyer pays (付款): reserves stock unless already reserved, counts the payment for the customer.
pub async fn pay_in(tx: &mut Tx, actor: &Actor, trade_id: i64, at: DateTime<Utc>) -> Result<(), TradeError> {
    pay_with(tx, actor, trade_id, at, false).await
}

/// Like [`pay_in`]; with `already_paid_on_platform` the payment is a fact reported by the platform
/// (an import), so missing stock cannot refuse it: the line is reserved anyway and the trade flagged
/// oversold (超卖).
pub async fn pay_with(
    tx: &mut Tx,
    actor: &Actor,
    trade_id: i64,
    at: DateTime<Utc>,
    already_paid_on_platform: bool,
) -> Result<(), TradeError> {
    // Lines reserved while unpaid (a shop that reserves unpaid trades) keep their reservation, so
    // only the others are read with their balances.
    let (trade, shop, found) =
        tx.trade_to_pay(actor.company_id, trade_id).await?.ok_or_else(|| TradeError::NotFound(trade_id.to_string()))?;
    let next = trade.status.apply(TradeEvent::Pay)?;
    if at < trade.created_at {
        return Err(invalid("paid_at", "a trade cannot be paid before it was created"));
    }
    let reserve = if tracks_stock(&shop, at) {
        let mut rules = shop.clone();
        rules.allow_oversell |= already_paid_on_platform;
        plan_reservations_in(&rules, &found.lines, found.balances)?
    } else {
        Vec::new()
    };
    let summary = summary::paid(tx, &trade, found.lines, at).await?;
    let oversold = reserve.iter().any(|r| !r.guarded);
    let write = TradeWrite {
        company_id: actor.company_id,
        trade_id,
        reserve,
        change: TradeChange {
            status: Some(next),
            paid_at: Some(at),
            ship_by_at: Some(at + SHIP_WITHIN),
            oversold: oversold.then_some(true),
            ..Default::default()
        },
        customer_payment: trade.customer_id.map(|c| (c, at, trade.amount_paid)),
        event: Some(EventRow {
            event: "pay",
            from: trade.status.code(),
            to: next.code(),
            note: String::new(),
            user: actor.user.clone(),
        }),
        at,
        summary,
        ..Default::default()
    };
    if !tx.apply_trade_write(&write).await? {
        return Err(TradeError::Conflict);
    }
    Ok(())
}

/// Ships (发货) all remaining lines or the chosen ones: sale_shipment moves, reservations consumed.
pub async fn ship_in(
    tx: &mut Tx,
    actor: &Actor,
    trade_id: i64,
    ship: &ShipInput,
    at: DateTime<Utc>,
) -> Result<(), TradeError> {
    let carrier = ship.carrier.trim();
    let tracking = ship.tracking_no.trim();
    if carrier.is_empty() {
        return Err(invalid("carrier", "the carrier (物流公司) is required"));
    }
    if tracking.is_empty() {
        return Err(invalid("tracking_no", "the tracking number (运单号) is required"));
    }
    let (trade, lines, reservations) = tx
        .trade_to_ship(actor.company_id, trade_id)
        .await?
        .ok_or_else(|| TradeError::NotFound(trade_id.to_string()))?;
    // A line refunded in full before shipping (未发货仅退款) is not shipped.
    let refunded = |l: &OrderLine| l.amount_paid > Money::ZERO && l.refund_amount >= l.amount_paid;
    let unshipped: Vec<&OrderLine> = lines.iter().filter(|l| l.shipped_at.is_none() && !refunded(l)).collect();
    let chosen: Vec<i64> = match &ship.line_ids {
        None => unshipped.iter().map(|l| l.id).collect(),
        Some(ids) => {
            if ids.is_empty() {
                return Err(invalid("lines", "choose at least one line to ship"));
            }
            for id in ids {
                match lines.iter().find(|l| l.id == *id) {
                    None => return Err(invalid("lines", format!("line {id} is not part of trade {}", trade.tid))),
                    Some(l) if l.shipped_at.is_some() => {
                        return Err(invalid("lines", format!("line {id} ({}) has already shipped", l.title)));
                    }
                    Some(l) if refunded(l) => {
                        return Err(invalid("lines", format!("line {id} ({}) was refunded before shipping", l.title)));
                    }
                    Some(_) => {}
                }
            }
            let mut ids = ids.clone();
            ids.sort_unstable();
            ids.dedup();
            ids
        }
    };
    let all = unshipped.iter().all(|l| chosen.contains(&l.id));
    let event = if all { TradeEvent::ShipAll } else { TradeEvent::ShipPart };
    let next = trade.status.apply(event)?;
    let reservations: Vec<_> = reservations.into_iter().filter(|r| chosen.contains(&r.order_line_id)).collect();
    // The goods leave at their SKUs' moving-average cost of the moment (the cost of goods behind 毛利).
    let mut skus: Vec<i64> = reservations.iter().map(|r| r.sku_id).collect();
    skus.sort_unstable();
    skus.dedup();
    let costs = tx.sku_costs(actor.company_id, &skus).await?;
    let mut summary = summary::shipped(&trade, at);
    let mut consume = Vec::new();
    for res in reservations {
        let unit_cost = costs.get(&res.sku_id).copied().unwrap_or(Money::ZERO);
        summary.goods_shipped(trade.shop_id, res.sku_id, res.qty, unit_cost, at, trade.time_zone);
        let m = NewMove {
            company_id: actor.company_id,
            sku_id: res.sku_id,
            warehouse_id: res.warehouse_id,
            qty: -res.qty,
            kind: MoveKind::SaleShipment,
            ref_type: "trade",
            ref_id: Some(trade_id),
            unit_cost,
            note: trade.tid.clone(),
            user_name: actor.user.clone(),
            at,
        };
        consume.push((res, m));
    }
    let write = TradeWrite {
        company_id: actor.company_id,
        trade_id,
        consume,
        ship_lines: chosen,
        change: TradeChange {
            status: Some(next),
            shipped_at: Some(at),
            carrier: Some(carrier.to_string()),
            tracking_no: Some(tracking.to_string()),
            ..Default::default()
        },
        event: Some(EventRow {
            event: "ship",
            from: trade.status.code(),
            to: next.code(),
            note: format!("{carrier} {tracking}"),
            user: actor.user.clone(),
        }),
        at,
        summary,
        ..Default::default()
    };
    if !tx.apply_trade_write(&write).await? {
        return Err(TradeError::Conflict);
    }
    Ok(())
}

/// The buyer confirms receipt (确认收货): the trade is finished.
pub async fn confirm_in(tx: &mut Tx, actor: &Actor, trade_id: i64, at: DateTime<Utc>) -> Result<(), TradeError> {
    let trade = load_trade(tx, actor, trade_id).await?;
    let next = trade.status.apply(TradeEvent::ConfirmReceipt)?;
    let write = TradeWrite {
        company_id: actor.company_id,
        trade_id,
        change: TradeChange { status: Some(next), finished_at: Some(at), ..Default::default() },
        event: Some(EventRow {
            event: "confirm",
            from: trade.status.code(),
            to: next.code(),
            note: String::new(),
            user: actor.user.clone(),
        }),
        at,
        ..Default::default()
    };
    if !tx.apply_trade_write(&write).await? {
        return Err(TradeError::Conflict);
    }
    Ok(())
}

/// Closes a trade (交易关闭): cancelled before payment, or fully refunded after. Releases reservations.
pub async fn close_in(
    tx: &mut Tx,
    actor: &Actor,
    trade_id: i64,
    reason: &str,
    at: DateTime<Utc>,
) -> Result<(), TradeError> {
    let trade = load_trade(tx, actor, trade_id).await?;
    let next = trade.status.apply(TradeEvent::Close)?;
    let release = tx.open_reservations(trade_id).await?;
    let write = TradeWrite {
        company_id: actor.company_id,
        trade_id,
        release,
        change: TradeChange {
            status: Some(next),
            closed_at: Some(at),
            close_reason: Some(reason.trim().to_string()),
            ..Default::default()
        },
        event: Some(EventRow {
            event: "close",
            from: trade.status.code(),
            to: next.code(),
            note: reason.trim().to_string(),
            user: actor.user.clone(),
        }),
        at,
        ..Default::default()
    };
    if !tx.apply_trade_write(&write).await? {
        return Err(TradeError::Conflict);
    }
    Ok(())
}
