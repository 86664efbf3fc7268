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
use zhanggui_store::trades::TradeChange;
use zhanggui_store::{NewLine, NewMove, NewTrade, OrderLine, Shop, StoreError, Trade, TradeEventRow, TradeFilter, Tx};

use crate::{Actor, App, ErrorKind, Lang, UserFacing};

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
            TradeError::Store(_) => "internal",
        }
    }

    fn kind(&self) -> ErrorKind {
        match self {
            TradeError::NotFound(_) | TradeError::ShopNotFound(_) => ErrorKind::NotFound,
            TradeError::Store(_) => ErrorKind::Internal,
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
            (TradeError::Store(e), Lang::Zh) => format!("系统错误：{e}"),
        }
    }
}

fn invalid(field: &'static str, reason: impl Into<String>) -> TradeError {
    TradeError::Invalid { field, reason: reason.into() }
}

/// Retries a use case when concurrent writers conflicted (a PostgreSQL deadlock or serialisation
/// failure, a SQLite busy timeout). Each attempt is a fresh transaction, so nothing is applied twice.
pub(crate) async fn with_retry<T, F, Fut>(mut attempt: F) -> Result<T, TradeError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, TradeError>>,
{
    let mut tries = 0;
    loop {
        match attempt().await {
            Err(TradeError::Store(e)) if e.is_retryable() && tries < 20 => {
                tries += 1;
                tokio::time::sleep(std::time::Duration::from_millis(2 * tries)).await;
            }
            other => return other,
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
        if found.is_empty() {
            if let Ok(id) = key.parse::<i64>() {
                if let Some(t) = tx.trade(actor.company_id, id).await? {
                    found.push(t);
                }
            }
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

/// Does stock move for a trade of this shop paid (or created) at `at`?
fn tracks_stock(shop: &Shop, at: DateTime<Utc>) -> bool {
    shop.inventory_start_at.is_none_or(|start| at >= start)
}

async fn load_shop(tx: &mut Tx, actor: &Actor, shop_id: i64) -> Result<Shop, TradeError> {
    match tx.shop(shop_id).await? {
        Some(s) if s.company_id == actor.company_id => Ok(s),
        _ => Err(TradeError::ShopNotFound(shop_id)),
    }
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
    let shop = load_shop(tx, actor, input.shop_id).await?;
    if tx.trade_exists(shop.id, tid).await? {
        return Err(TradeError::Duplicate { tid: tid.to_string() });
    }
    let goods: Money = input.lines.iter().map(|l| l.price * l.qty).sum();
    if input.discount > goods {
        return Err(invalid("discount", format!("discount {} exceeds the goods amount {}", input.discount, goods)));
    }
    let payable_goods = goods - input.discount;
    let weights: Vec<i64> = input.lines.iter().map(|l| (l.price * l.qty).fen()).collect();
    let line_paid = payable_goods.allocate(&weights);

    let region = parse_address(&input.receiver_address).unwrap_or_default();
    let customer_id = if input.buyer_nick.trim().is_empty() {
        None
    } else {
        let system = shop.platform.buyer_account_system();
        Some(tx.upsert_customer(actor.company_id, system, input.buyer_nick.trim(), &region, input.created_at).await?)
    };

    let mut lines = Vec::with_capacity(input.lines.len());
    for (i, l) in input.lines.iter().enumerate() {
        let sku = if l.outer_sku_id.trim().is_empty() {
            None
        } else {
            tx.sku_by_code(actor.company_id, l.outer_sku_id.trim()).await?
        };
        lines.push(NewLine {
            oid: if l.oid.trim().is_empty() { format!("{tid}-{}", i + 1) } else { l.oid.trim().to_string() },
            sku_id: sku.as_ref().map(|s| s.id),
            outer_sku_id: l.outer_sku_id.trim().to_string(),
            title: if l.title.is_empty() {
                sku.as_ref().map(|s| s.title.clone()).unwrap_or_default()
            } else {
                l.title.clone()
            },
            properties: if l.properties.is_empty() {
                sku.as_ref().map(|s| s.properties.clone()).unwrap_or_default()
            } else {
                l.properties.clone()
            },
            price: l.price,
            qty: l.qty,
            amount_paid: line_paid.get(i).copied().unwrap_or_default(),
            ..Default::default()
        });
    }
    let new = NewTrade {
        company_id: actor.company_id,
        shop_id: shop.id,
        tid: tid.to_string(),
        customer_id,
        buyer_nick: input.buyer_nick.trim().to_string(),
        receiver_name: input.receiver_name.clone(),
        receiver_phone: input.receiver_phone.clone(),
        receiver_address: input.receiver_address.clone(),
        province: region.province,
        city: region.city,
        district: region.district,
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
    let (trade_id, line_ids) = tx.insert_trade(&new, status, input.created_at).await?;
    if shop.reserve_unpaid && tracks_stock(&shop, input.created_at) {
        let wanted: Vec<Wanted> = new
            .lines
            .iter()
            .zip(&line_ids)
            .filter_map(|(l, id)| {
                l.sku_id.map(|sku| Wanted { line_id: *id, sku_id: sku, qty: l.qty, code: &l.outer_sku_id })
            })
            .collect();
        let oversold = reserve(tx, actor, &shop, trade_id, wanted, input.created_at).await?;
        if oversold {
            tx.update_trade(trade_id, &TradeChange { oversold: Some(true), ..Default::default() }, input.created_at)
                .await?;
        }
    }
    tx.insert_trade_event(actor.company_id, trade_id, "create", "", status.code(), "", &actor.user, input.created_at)
        .await?;
    Ok(trade_id)
}

struct Wanted<'a> {
    line_id: i64,
    sku_id: i64,
    qty: i64,
    code: &'a str,
}

/// Reserves every wanted line, SKUs in id order (so concurrent payers lock rows in the same order and
/// cannot deadlock). Each line goes to the shop's default warehouse if it has enough, else to the
/// first warehouse that does. Returns whether any line was oversold.
async fn reserve(
    tx: &mut Tx,
    actor: &Actor,
    shop: &Shop,
    trade_id: i64,
    mut wanted: Vec<Wanted<'_>>,
    at: DateTime<Utc>,
) -> Result<bool, TradeError> {
    wanted.sort_by_key(|w| (w.sku_id, w.line_id));
    let mut oversold = false;
    for w in wanted {
        let balances = tx.sku_balances(w.sku_id, shop.default_warehouse_id).await?;
        let mut placed = None;
        for (warehouse_id, on_hand, reserved) in &balances {
            if on_hand - reserved >= w.qty && tx.try_reserve(w.sku_id, *warehouse_id, w.qty, false).await? {
                placed = Some(*warehouse_id);
                break;
            }
        }
        if placed.is_none() {
            // Re-read: the figures above may have changed under a concurrent writer.
            let best = tx.sku_balances(w.sku_id, shop.default_warehouse_id).await?;
            let available = best.iter().map(|(_, h, r)| h - r).max().unwrap_or(0);
            match decide_reservation(available, w.qty, shop.allow_oversell) {
                ReserveDecision::Refuse { available } => {
                    return Err(TradeError::OutOfStock { sku: w.code.to_string(), wanted: w.qty, available });
                }
                ReserveDecision::Reserve | ReserveDecision::ReserveOversold => {
                    let target = shop.default_warehouse_id.or_else(|| best.first().map(|b| b.0));
                    let Some(warehouse_id) = target else {
                        return Err(invalid("warehouse", "the company has no warehouse to reserve stock in"));
                    };
                    if !shop.allow_oversell {
                        return Err(TradeError::OutOfStock { sku: w.code.to_string(), wanted: w.qty, available });
                    }
                    tx.try_reserve(w.sku_id, warehouse_id, w.qty, true).await?;
                    placed = Some(warehouse_id);
                    oversold = true;
                }
            }
        }
        if let Some(warehouse_id) = placed {
            tx.insert_reservation(actor.company_id, trade_id, w.line_id, w.sku_id, warehouse_id, w.qty, at).await?;
        }
    }
    Ok(oversold)
}

/// The buyer pays (付款): reserves stock unless already reserved, counts the payment for the customer.
pub async fn pay_in(tx: &mut Tx, actor: &Actor, trade_id: i64, at: DateTime<Utc>) -> Result<(), TradeError> {
    let trade = load_trade(tx, actor, trade_id).await?;
    let next = trade.status.apply(TradeEvent::Pay)?;
    if at < trade.created_at {
        return Err(invalid("paid_at", "a trade cannot be paid before it was created"));
    }
    let shop = load_shop(tx, actor, trade.shop_id).await?;
    let mut oversold = None;
    if tracks_stock(&shop, at) && !(shop.reserve_unpaid && tracks_stock(&shop, trade.created_at)) {
        let lines = tx.trade_lines(trade_id).await?;
        let wanted: Vec<Wanted> = lines
            .iter()
            .filter_map(|l| {
                l.sku_id.map(|sku| Wanted { line_id: l.id, sku_id: sku, qty: l.qty, code: &l.outer_sku_id })
            })
            .collect();
        if reserve(tx, actor, &shop, trade_id, wanted, at).await? {
            oversold = Some(true);
        }
    }
    let change = TradeChange {
        status: Some(next),
        paid_at: Some(at),
        ship_by_at: Some(at + SHIP_WITHIN),
        oversold,
        ..Default::default()
    };
    tx.update_trade(trade_id, &change, at).await?;
    if let Some(customer_id) = trade.customer_id {
        tx.record_customer_payment(customer_id, at, trade.amount_paid).await?;
    }
    tx.insert_trade_event(actor.company_id, trade_id, "pay", trade.status.code(), next.code(), "", &actor.user, at)
        .await?;
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
    let trade = load_trade(tx, actor, trade_id).await?;
    let lines = tx.trade_lines(trade_id).await?;
    let unshipped: Vec<&OrderLine> = lines.iter().filter(|l| l.shipped_at.is_none()).collect();
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
                    Some(_) => {}
                }
            }
            ids.clone()
        }
    };
    let all = unshipped.iter().all(|l| chosen.contains(&l.id));
    let event = if all { TradeEvent::ShipAll } else { TradeEvent::ShipPart };
    let next = trade.status.apply(event)?;
    for res in tx.open_reservations(trade_id).await? {
        if !chosen.contains(&res.order_line_id) {
            continue;
        }
        let m = NewMove {
            company_id: actor.company_id,
            sku_id: res.sku_id,
            warehouse_id: res.warehouse_id,
            qty: -res.qty,
            kind: MoveKind::SaleShipment,
            ref_type: "trade",
            ref_id: Some(trade_id),
            unit_cost: Money::ZERO,
            note: trade.tid.clone(),
            user_name: actor.user.clone(),
            at,
        };
        tx.ship_reservation(&m, &res).await?;
    }
    tx.mark_lines_shipped(trade_id, if all { None } else { Some(&chosen) }, at).await?;
    let change = TradeChange {
        status: Some(next),
        shipped_at: Some(at),
        carrier: Some(carrier.to_string()),
        tracking_no: Some(tracking.to_string()),
        ..Default::default()
    };
    tx.update_trade(trade_id, &change, at).await?;
    let note = format!("{carrier} {tracking}");
    tx.insert_trade_event(actor.company_id, trade_id, "ship", trade.status.code(), next.code(), &note, &actor.user, at)
        .await?;
    Ok(())
}

/// The buyer confirms receipt (确认收货): the trade is finished.
pub async fn confirm_in(tx: &mut Tx, actor: &Actor, trade_id: i64, at: DateTime<Utc>) -> Result<(), TradeError> {
    let trade = load_trade(tx, actor, trade_id).await?;
    let next = trade.status.apply(TradeEvent::ConfirmReceipt)?;
    tx.update_trade(trade_id, &TradeChange { status: Some(next), finished_at: Some(at), ..Default::default() }, at)
        .await?;
    tx.insert_trade_event(actor.company_id, trade_id, "confirm", trade.status.code(), next.code(), "", &actor.user, at)
        .await?;
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
    for res in tx.open_reservations(trade_id).await? {
        tx.end_reservation(&res, false, at).await?;
    }
    let change = TradeChange {
        status: Some(next),
        closed_at: Some(at),
        close_reason: Some(reason.trim().to_string()),
        ..Default::default()
    };
    tx.update_trade(trade_id, &change, at).await?;
    tx.insert_trade_event(
        actor.company_id,
        trade_id,
        "close",
        trade.status.code(),
        next.code(),
        reason,
        &actor.user,
        at,
    )
    .await?;
    Ok(())
}
