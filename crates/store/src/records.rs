//! Plain rows read from and written to the store.

use chrono::{DateTime, Utc};
use serde::Serialize;
use zhanggui_domain::{Money, MoveKind, Platform, TradeStatus};

#[derive(Debug, Clone, Serialize)]
pub struct Company {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub time_zone: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Shop {
    pub id: i64,
    pub company_id: i64,
    pub platform: Platform,
    pub name: String,
    /// The shop accepts payments beyond available stock and flags such trades 超卖.
    pub allow_oversell: bool,
    /// Unpaid trades reserve stock too (otherwise only paid ones do).
    pub reserve_unpaid: bool,
    /// Trades paid before this time never touch stock (they were shipped before zhanggui kept stock).
    pub inventory_start_at: Option<DateTime<Utc>>,
    pub default_warehouse_id: Option<i64>,
    /// The company's time zone: the one that decides which day a time of this shop falls on.
    #[serde(skip)]
    pub time_zone: chrono_tz::Tz,
}

#[derive(Debug, Clone, Serialize)]
pub struct Warehouse {
    pub id: i64,
    pub company_id: i64,
    pub code: String,
    pub name: String,
    /// False for a location of goods that cannot be sold (次品仓): never reserved, not available.
    pub sellable: bool,
}

#[derive(Debug, Clone)]
pub struct NewSupplier {
    pub name: String,
    pub contact: String,
    pub phone: String,
    pub lead_time_days: i64,
    pub pack_size: i64,
}

#[derive(Debug, Clone)]
pub struct NewProduct {
    pub outer_id: String,
    pub title: String,
    pub category: String,
    pub cost: Money,
    pub price: Money,
    pub listed_at: Option<DateTime<Utc>>,
    pub supplier_id: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct NewSku {
    pub product_id: i64,
    pub outer_sku_id: String,
    pub properties: String,
    pub barcode: String,
    pub cost: Money,
    pub price: Money,
    pub weight_g: i64,
}

/// A SKU with its product's title, as lists show it.
#[derive(Debug, Clone, Serialize)]
pub struct SkuInfo {
    pub id: i64,
    pub product_id: i64,
    pub outer_sku_id: String,
    pub outer_id: String,
    pub title: String,
    pub properties: String,
    pub cost: Money,
    pub price: Money,
}

/// Stock of one SKU in one warehouse.
#[derive(Debug, Clone, Serialize)]
pub struct StockLine {
    pub sku_id: i64,
    pub outer_sku_id: String,
    pub title: String,
    pub properties: String,
    pub warehouse_id: i64,
    pub warehouse_code: String,
    pub on_hand: i64,
    pub reserved: i64,
    pub available: i64,
}

/// A row to append to the stock ledger.
#[derive(Debug, Clone)]
pub struct NewMove {
    pub company_id: i64,
    pub sku_id: i64,
    pub warehouse_id: i64,
    pub qty: i64,
    pub kind: MoveKind,
    pub ref_type: &'static str,
    pub ref_id: Option<i64>,
    pub unit_cost: Money,
    pub note: String,
    pub user_name: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StockMoveRow {
    pub id: i64,
    pub sku_id: i64,
    pub warehouse_id: i64,
    pub warehouse_code: String,
    pub qty: i64,
    pub kind: MoveKind,
    pub ref_type: String,
    pub ref_id: Option<i64>,
    pub unit_cost: Money,
    pub note: String,
    pub user_name: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Reservation {
    pub id: i64,
    pub trade_id: i64,
    pub order_line_id: i64,
    pub sku_id: i64,
    pub warehouse_id: i64,
    pub qty: i64,
}

#[derive(Debug, Clone, Default)]
pub struct NewTrade {
    pub company_id: i64,
    pub shop_id: i64,
    pub tid: String,
    pub customer_id: Option<i64>,
    pub buyer_nick: String,
    pub receiver_name: String,
    pub receiver_phone: String,
    pub receiver_address: String,
    pub province: String,
    pub city: String,
    pub district: String,
    pub goods_amount: Money,
    pub postage: Money,
    pub discount: Money,
    pub total_amount: Money,
    pub amount_paid: Money,
    pub created_at: DateTime<Utc>,
    pub buyer_message: String,
    pub seller_memo: String,
    /// Set when a trade is written in a later state at once (history loaded in bulk).
    pub paid_at: Option<DateTime<Utc>>,
    pub shipped_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub ship_by_at: Option<DateTime<Utc>>,
    pub close_reason: String,
    pub carrier: String,
    pub tracking_no: String,
    pub refund_amount: Money,
    pub flag: i64,
    pub urgent: bool,
    pub lines: Vec<NewLine>,
}

#[derive(Debug, Clone, Default)]
pub struct NewLine {
    pub oid: String,
    pub sku_id: Option<i64>,
    pub outer_sku_id: String,
    pub title: String,
    pub properties: String,
    pub price: Money,
    pub qty: i64,
    pub amount_paid: Money,
    pub refund_amount: Money,
    pub refund_status: String,
    pub shipped_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
pub struct NewRefund {
    pub company_id: i64,
    pub trade_id: i64,
    pub order_line_id: Option<i64>,
    pub refund_no: String,
    pub kind: zhanggui_domain::RefundKind,
    pub status: zhanggui_domain::RefundStatus,
    pub reason: String,
    pub amount: Money,
    pub created_at: DateTime<Utc>,
    pub deadline_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Trade {
    pub id: i64,
    pub company_id: i64,
    pub shop_id: i64,
    pub shop_name: String,
    pub tid: String,
    pub status: TradeStatus,
    pub customer_id: Option<i64>,
    pub buyer_nick: String,
    pub receiver_name: String,
    pub receiver_phone: String,
    pub receiver_address: String,
    pub province: String,
    pub city: String,
    pub district: String,
    pub goods_amount: Money,
    pub postage: Money,
    pub discount: Money,
    pub total_amount: Money,
    pub amount_paid: Money,
    pub refund_amount: Money,
    pub item_count: i64,
    pub created_at: DateTime<Utc>,
    pub paid_at: Option<DateTime<Utc>>,
    pub shipped_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub close_reason: String,
    pub buyer_message: String,
    pub seller_memo: String,
    pub flag: i64,
    pub carrier: String,
    pub tracking_no: String,
    pub urgent: bool,
    pub oversold: bool,
    pub ship_by_at: Option<DateTime<Utc>>,
    /// The company's time zone: the one that decides which day the trade's times fall on.
    #[serde(skip)]
    pub time_zone: chrono_tz::Tz,
}

#[derive(Debug, Clone, Serialize)]
pub struct OrderLine {
    pub id: i64,
    pub trade_id: i64,
    pub oid: String,
    pub sku_id: Option<i64>,
    pub outer_sku_id: String,
    pub title: String,
    pub properties: String,
    pub price: Money,
    pub qty: i64,
    pub amount_paid: Money,
    pub refund_amount: Money,
    pub refund_status: String,
    pub shipped_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TradeEventRow {
    pub event: String,
    pub from_status: String,
    pub to_status: String,
    pub note: String,
    pub user_name: String,
    pub at: DateTime<Utc>,
}

/// Which trades a list shows.
#[derive(Debug, Clone, Default)]
pub struct TradeFilter {
    pub company_id: i64,
    pub shop_id: Option<i64>,
    pub status: Option<TradeStatus>,
    pub created_from: Option<DateTime<Utc>>,
    pub created_to: Option<DateTime<Utc>>,
    pub buyer: Option<String>,
    /// Paid, not shipped, and paid before this time (overdue to ship).
    pub paid_before_unshipped: Option<DateTime<Utc>>,
    pub limit: i64,
    pub offset: i64,
}
