//! Purchasing use cases (采购): suppliers, purchase orders from draft to received, receipts that put
//! goods into stock at the line's cost and update the SKU's moving-average cost, and the list of
//! expected arrivals (到货信息跟踪). Each use case runs in one transaction.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use zhanggui_domain::{
    ArrivalState, IllegalPurchaseTransition, MAX_QTY, MAX_UNIT_COST, Money, MoveKind, PurchaseEvent, PurchaseStatus,
    ReceiptVariance, purchase::moving_average_cost,
};
use zhanggui_formats::report::{ReportCell, ReportTable};
use zhanggui_store::purchasing::{
    ArrivalRow, NewPurchaseOrder, NewReceipt, PurchaseLineRow, PurchaseOrderRow, ReceiptRow, SkuSupplierRow,
    SupplierRow,
};
use zhanggui_store::{NewMove, NewSupplier, StoreError, Tx};

use crate::reports::replenishment::ReplenishmentRow;
use crate::trading::{Retryable, with_retry};
use crate::{Actor, App, ErrorKind, Lang, UserFacing, clock};

#[derive(Debug, thiserror::Error)]
pub enum PurchaseError {
    #[error("no supplier named {0}")]
    UnknownSupplier(String),
    #[error("unknown warehouse {0}")]
    UnknownWarehouse(String),
    #[error("unknown SKU code {0}")]
    UnknownSku(String),
    #[error("no purchase order {0}")]
    NotFound(String),
    #[error("a supplier named {0} already exists")]
    DuplicateSupplier(String),
    #[error("purchase order {code}: {source}")]
    Illegal { code: String, source: IllegalPurchaseTransition },
    #[error("{field}: {reason}")]
    Invalid { field: &'static str, reason: String, reason_zh: String },
    #[error("the purchase order changed while this step ran; try again")]
    Conflict,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Retryable for PurchaseError {
    fn retryable(&self) -> bool {
        match self {
            PurchaseError::Store(e) => e.is_retryable(),
            PurchaseError::Conflict => true,
            _ => false,
        }
    }
}

impl UserFacing for PurchaseError {
    fn code(&self) -> &'static str {
        match self {
            PurchaseError::UnknownSupplier(_)
            | PurchaseError::UnknownWarehouse(_)
            | PurchaseError::UnknownSku(_)
            | PurchaseError::NotFound(_) => "not_found",
            PurchaseError::DuplicateSupplier(_) => "duplicate",
            PurchaseError::Illegal { .. } => "illegal_transition",
            PurchaseError::Invalid { .. } => "invalid_input",
            PurchaseError::Conflict => "conflict",
            PurchaseError::Store(_) => "internal",
        }
    }

    fn kind(&self) -> ErrorKind {
        match self {
            PurchaseError::UnknownSupplier(_)
            | PurchaseError::UnknownWarehouse(_)
            | PurchaseError::UnknownSku(_)
            | PurchaseError::NotFound(_) => ErrorKind::NotFound,
            PurchaseError::Store(_) | PurchaseError::Conflict => ErrorKind::Internal,
            _ => ErrorKind::BadInput,
        }
    }

    fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (_, Lang::En) => self.to_string(),
            (PurchaseError::UnknownSupplier(s), Lang::Zh) => format!("找不到供应商 {s}"),
            (PurchaseError::UnknownWarehouse(w), Lang::Zh) => format!("找不到仓库 {w}"),
            (PurchaseError::UnknownSku(s), Lang::Zh) => format!("找不到商家编码 {s}"),
            (PurchaseError::NotFound(p), Lang::Zh) => format!("找不到采购单 {p}"),
            (PurchaseError::DuplicateSupplier(s), Lang::Zh) => format!("供应商 {s} 已存在"),
            (PurchaseError::Illegal { code, source }, Lang::Zh) => format!("采购单 {code}：{}", source.message_zh()),
            (PurchaseError::Invalid { reason_zh, .. }, Lang::Zh) => reason_zh.clone(),
            (PurchaseError::Conflict, Lang::Zh) => "采购单刚被其他操作修改，请重试".to_string(),
            (PurchaseError::Store(e), Lang::Zh) => format!("系统错误：{e}"),
        }
    }
}

fn invalid(field: &'static str, zh: impl Into<String>, en: impl Into<String>) -> PurchaseError {
    PurchaseError::Invalid { field, reason: en.into(), reason_zh: zh.into() }
}

/// A supplier to add.
#[derive(Debug, Clone)]
pub struct SupplierInput {
    pub name: String,
    pub contact: String,
    pub phone: String,
    /// Days from ordering to arrival (采购周期).
    pub lead_time_days: i64,
    /// The supplier sells in multiples of this (箱规).
    pub pack_size: i64,
}

/// One line of a new purchase order.
#[derive(Debug, Clone)]
pub struct PurchaseLineInput {
    /// 商家编码 of the SKU.
    pub sku: String,
    pub qty: i64,
    /// Cost per unit; the SKU's current cost when not given.
    pub unit_cost: Option<Money>,
    /// This line's expected arrival when it differs from the order's.
    pub expected: Option<NaiveDate>,
}

/// A new purchase order (a draft until it is placed).
#[derive(Debug, Clone)]
pub struct PurchaseOrderInput {
    pub supplier: String,
    /// Warehouse code or name; the first warehouse when not given.
    pub warehouse: Option<String>,
    pub expected: Option<NaiveDate>,
    pub note: String,
    pub lines: Vec<PurchaseLineInput>,
}

/// Goods that arrived for one SKU of an order.
#[derive(Debug, Clone)]
pub struct ReceiptInput {
    pub sku: String,
    pub qty: i64,
    /// Why a quantity differs, what was wrong with the goods; required when more arrive than were
    /// ordered (超收).
    pub note: String,
}

/// A purchase order line with how its receipts compare with what was ordered.
#[derive(Debug, Clone, Serialize)]
pub struct PurchaseLine {
    #[serde(flatten)]
    pub line: PurchaseLineRow,
    pub variance: ReceiptVariance,
}

/// A purchase order with its lines and receipts.
#[derive(Debug, Clone, Serialize)]
pub struct PurchaseDetail {
    pub order: PurchaseOrderRow,
    pub lines: Vec<PurchaseLine>,
    pub receipts: Vec<ReceiptRow>,
}

/// An expected arrival with where it stands today.
#[derive(Debug, Clone, Serialize)]
pub struct Arrival {
    #[serde(flatten)]
    pub row: ArrivalRow,
    pub remaining: i64,
    pub expected_day: Option<NaiveDate>,
    pub state: ArrivalState,
}

async fn load_order(tx: &mut Tx, actor: &Actor, key: &str) -> Result<PurchaseOrderRow, PurchaseError> {
    tx.purchase_order_for_update(actor.company_id, key)
        .await?
        .ok_or_else(|| PurchaseError::NotFound(key.trim().to_string()))
}

fn illegal(order: &PurchaseOrderRow) -> impl Fn(IllegalPurchaseTransition) -> PurchaseError + '_ {
    move |source| PurchaseError::Illegal { code: order.code.clone(), source }
}

impl App {
    pub async fn add_supplier(&self, actor: &Actor, input: &SupplierInput) -> Result<i64, PurchaseError> {
        let name = input.name.trim();
        if name.is_empty() {
            return Err(invalid("name", "请填写供应商名称", "a supplier needs a name"));
        }
        if input.lead_time_days < 0 {
            return Err(invalid("lead_time_days", "采购周期不能为负数", "the lead time cannot be negative"));
        }
        if input.pack_size < 1 {
            return Err(invalid("pack_size", "箱规至少为 1", "the pack size is at least 1"));
        }
        with_retry(|| async {
            let mut tx = self.db.begin().await?;
            let new = NewSupplier {
                name: name.to_string(),
                contact: input.contact.trim().to_string(),
                phone: input.phone.trim().to_string(),
                lead_time_days: input.lead_time_days,
                pack_size: input.pack_size,
            };
            let id = match tx.insert_supplier(actor.company_id, &new).await {
                Ok(id) => id,
                Err(e) if e.is_unique_violation() => return Err(PurchaseError::DuplicateSupplier(name.to_string())),
                Err(e) => return Err(e.into()),
            };
            tx.commit().await?;
            Ok(id)
        })
        .await
    }

    pub async fn suppliers(&self, actor: &Actor) -> Result<Vec<SupplierRow>, PurchaseError> {
        let mut tx = self.db.begin_read().await?;
        let rows = tx.suppliers(actor.company_id).await?;
        tx.commit().await?;
        Ok(rows)
    }

    /// Drafts a purchase order (草稿) numbered `PO<day>-<n>` in the company's time zone.
    pub async fn create_purchase_order(
        &self,
        actor: &Actor,
        input: &PurchaseOrderInput,
        at: DateTime<Utc>,
    ) -> Result<PurchaseOrderRow, PurchaseError> {
        if input.lines.is_empty() {
            return Err(invalid("lines", "采购单至少要有一行明细", "a purchase order needs at least one line"));
        }
        for l in &input.lines {
            if l.qty <= 0 {
                return Err(invalid(
                    "qty",
                    format!("{} 的采购数量为 {}，至少为 1", l.sku.trim(), l.qty),
                    format!("{} has quantity {}; order at least 1", l.sku.trim(), l.qty),
                ));
            }
            if l.qty > MAX_QTY {
                return Err(invalid(
                    "qty",
                    format!("{} 的采购数量为 {}，一行最多 {MAX_QTY}，请检查", l.sku.trim(), l.qty),
                    format!("{} has quantity {}; a line orders at most {MAX_QTY}", l.sku.trim(), l.qty),
                ));
            }
            if l.unit_cost.is_some_and(|c| c.is_negative()) {
                return Err(invalid(
                    "unit_cost",
                    format!("{} 的采购单价不能为负数", l.sku.trim()),
                    format!("{} has a negative cost", l.sku.trim()),
                ));
            }
            if l.unit_cost.is_some_and(|c| c > MAX_UNIT_COST) {
                return Err(invalid(
                    "unit_cost",
                    format!("{} 的采购单价超过上限 {}，请检查", l.sku.trim(), MAX_UNIT_COST.to_display()),
                    format!("{} has a cost over the limit of {}", l.sku.trim(), MAX_UNIT_COST.to_display()),
                ));
            }
        }
        with_retry(|| async {
            let mut tx = self.db.begin().await?;
            let row = create_order_in(&mut tx, actor, input, at).await?;
            tx.commit().await?;
            Ok(row)
        })
        .await
    }

    /// Drafts purchase orders from the replenishment table (补货需求表) of `date`: the chosen SKUs
    /// (every SKU with a suggestion when none is chosen) at their suggested quantities, one order
    /// per supplier, expected after the supplier's lead time; all or none. SKUs with nothing to
    /// order or whose product has no supplier are listed as skipped.
    pub async fn purchase_orders_from_replenishment(
        &self,
        actor: &Actor,
        skus: &[String],
        date: Option<NaiveDate>,
        warehouse: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<ReplenishmentOrders, PurchaseError> {
        let report = self.replenishment_report(actor, None, date, now).await.map_err(|e| {
            invalid("date", format!("补货需求表无法生成：{e}"), format!("the replenishment table failed: {e}"))
        })?;
        let mut chosen = Vec::new();
        let mut skipped = Vec::new();
        if skus.is_empty() {
            chosen.extend(report.lines.iter().filter(|r| r.suggested_qty > 0));
        } else {
            for code in skus {
                let row = report
                    .lines
                    .iter()
                    .find(|r| r.sku_code == code.trim())
                    .ok_or_else(|| PurchaseError::UnknownSku(code.trim().to_string()))?;
                if row.suggested_qty > 0 {
                    chosen.push(row);
                } else {
                    skipped.push(Skipped {
                        sku: row.sku_code.clone(),
                        why_zh: "无需补货".into(),
                        why_en: "nothing to order".into(),
                    });
                }
            }
        }
        with_retry(|| async {
            let mut tx = self.db.begin().await?;
            let today = clock::local_day(now, tx.company_zone(actor.company_id).await?);
            let suppliers: std::collections::HashMap<i64, String> =
                tx.sku_suppliers(actor.company_id).await?.into_iter().collect();
            let mut groups: std::collections::BTreeMap<String, Vec<&ReplenishmentRow>> = Default::default();
            let mut no_supplier = Vec::new();
            for row in &chosen {
                match suppliers.get(&row.sku_id) {
                    Some(name) => groups.entry(name.clone()).or_default().push(row),
                    None => no_supplier.push(Skipped {
                        sku: row.sku_code.clone(),
                        why_zh: "商品未设置供应商".into(),
                        why_en: "the product has no supplier".into(),
                    }),
                }
            }
            let mut orders = Vec::new();
            for (supplier, rows) in groups {
                let lead = rows.iter().map(|r| i64::from(r.lead_time_days)).max().unwrap_or(0);
                let input = PurchaseOrderInput {
                    supplier,
                    warehouse: warehouse.map(str::to_string),
                    expected: Some(today + chrono::Duration::days(lead)),
                    note: format!("补货需求表 {}", report.date),
                    lines: rows
                        .iter()
                        .map(|r| PurchaseLineInput {
                            sku: r.sku_code.clone(),
                            qty: r.suggested_qty,
                            unit_cost: None,
                            expected: None,
                        })
                        .collect(),
                };
                orders.push(create_order_in(&mut tx, actor, &input, now).await?);
            }
            tx.commit().await?;
            let mut all_skipped = skipped.clone();
            all_skipped.extend(no_supplier);
            Ok(ReplenishmentOrders { orders, skipped: all_skipped })
        })
        .await
    }

    /// Places a draft with the supplier (下单): its quantities are now in transit.
    pub async fn place_purchase_order(&self, actor: &Actor, key: &str, at: DateTime<Utc>) -> Result<(), PurchaseError> {
        self.move_purchase_order(actor, key, PurchaseEvent::Place, at).await
    }

    /// Cancels an order before anything arrived (取消).
    pub async fn cancel_purchase_order(
        &self,
        actor: &Actor,
        key: &str,
        at: DateTime<Utc>,
    ) -> Result<(), PurchaseError> {
        self.move_purchase_order(actor, key, PurchaseEvent::Cancel, at).await
    }

    /// Closes a partly received order (结案): what did not arrive stops being in transit.
    pub async fn close_purchase_order_short(
        &self,
        actor: &Actor,
        key: &str,
        at: DateTime<Utc>,
    ) -> Result<(), PurchaseError> {
        self.move_purchase_order(actor, key, PurchaseEvent::CloseShort, at).await
    }

    async fn move_purchase_order(
        &self,
        actor: &Actor,
        key: &str,
        event: PurchaseEvent,
        at: DateTime<Utc>,
    ) -> Result<(), PurchaseError> {
        with_retry(|| async {
            let mut tx = self.db.begin().await?;
            let order = load_order(&mut tx, actor, key).await?;
            let next = order.status.apply(event).map_err(illegal(&order))?;
            if !tx.set_purchase_status(order.id, order.status, next, at).await? {
                return Err(PurchaseError::Conflict);
            }
            tx.commit().await?;
            Ok(())
        })
        .await
    }

    /// Books goods that arrived (到货入库): each receipt writes a purchase_receipt move into the
    /// order's warehouse at the line's cost, updates the SKU's moving-average cost, and counts
    /// against the line; the order becomes partially received or, when every line has arrived in
    /// full, received. Nothing is booked if any receipt is refused.
    pub async fn receive_purchase_order(
        &self,
        actor: &Actor,
        key: &str,
        receipts: &[ReceiptInput],
        at: DateTime<Utc>,
    ) -> Result<PurchaseDetail, PurchaseError> {
        if receipts.is_empty() {
            return Err(invalid("receipts", "请填写到货的商品和数量", "say what arrived"));
        }
        for r in receipts {
            if r.qty <= 0 {
                return Err(invalid(
                    "qty",
                    format!("{} 到货数量为 {}，至少为 1", r.sku.trim(), r.qty),
                    format!("{} arrived {}; a receipt is at least 1", r.sku.trim(), r.qty),
                ));
            }
            if r.qty > MAX_QTY {
                return Err(invalid(
                    "qty",
                    format!("{} 到货数量为 {}，一次最多 {MAX_QTY}，请检查", r.sku.trim(), r.qty),
                    format!("{} arrived {}; a receipt is at most {MAX_QTY}", r.sku.trim(), r.qty),
                ));
            }
        }
        with_retry(|| async {
            let mut tx = self.db.begin().await?;
            let order = load_order(&mut tx, actor, key).await?;
            // Any receipt is refused on an order that cannot receive; whether it completes is known below.
            order.status.apply(PurchaseEvent::Receive { complete: false }).map_err(illegal(&order))?;
            let mut lines = tx.purchase_lines(order.id).await?;
            for r in receipts {
                let code = r.sku.trim();
                let index = lines
                    .iter()
                    .position(|l| l.outer_sku_id == code && l.qty_received < l.qty_ordered)
                    .or_else(|| lines.iter().position(|l| l.outer_sku_id == code))
                    .ok_or_else(|| {
                        invalid(
                            "sku",
                            format!("采购单 {} 里没有 {code}", order.code),
                            format!("{code} is not on purchase order {}", order.code),
                        )
                    })?;
                let line = &mut lines[index];
                let remaining = (line.qty_ordered - line.qty_received).max(0);
                if r.qty > remaining && r.note.trim().is_empty() {
                    return Err(invalid(
                        "note",
                        format!("{code} 到货 {} 件，但只剩 {remaining} 件未到；超收需填写说明", r.qty),
                        format!("{code}: {} arrived but only {remaining} are still due; say why", r.qty),
                    ));
                }
                let (on_hand, current) = tx.sku_cost_for_receipt(line.sku_id).await?;
                let average = moving_average_cost(on_hand, current, r.qty, line.unit_cost);
                let move_id = tx
                    .append_move(&NewMove {
                        company_id: actor.company_id,
                        sku_id: line.sku_id,
                        warehouse_id: order.warehouse_id,
                        qty: r.qty,
                        kind: MoveKind::PurchaseReceipt,
                        ref_type: "purchase_order",
                        ref_id: Some(order.id),
                        unit_cost: line.unit_cost,
                        note: format!("{} {}", order.code, r.note.trim()).trim().to_string(),
                        user_name: actor.user.clone(),
                        at,
                    })
                    .await?;
                tx.insert_receipt(&NewReceipt {
                    company_id: actor.company_id,
                    purchase_order_id: order.id,
                    purchase_order_line_id: line.id,
                    sku_id: line.sku_id,
                    warehouse_id: order.warehouse_id,
                    qty: r.qty,
                    unit_cost: line.unit_cost,
                    stock_move_id: move_id,
                    note: r.note.trim().to_string(),
                    user_name: actor.user.clone(),
                    at,
                })
                .await?;
                tx.add_received(line.id, r.qty).await?;
                tx.set_sku_cost(line.sku_id, average).await?;
                line.qty_received += r.qty;
            }
            let complete = lines.iter().all(|l| l.qty_received >= l.qty_ordered);
            let event = PurchaseEvent::Receive { complete };
            let next = order.status.apply(event).map_err(illegal(&order))?;
            if next != order.status && !tx.set_purchase_status(order.id, order.status, next, at).await? {
                return Err(PurchaseError::Conflict);
            }
            let detail = detail_in(&mut tx, actor, &order.code).await?;
            tx.commit().await?;
            Ok(detail)
        })
        .await
    }

    pub async fn purchase_orders(
        &self,
        actor: &Actor,
        status: Option<PurchaseStatus>,
        supplier: Option<&str>,
    ) -> Result<Vec<PurchaseOrderRow>, PurchaseError> {
        let mut tx = self.db.begin_read().await?;
        let supplier_id = match supplier {
            Some(name) => Some(
                tx.suppliers(actor.company_id)
                    .await?
                    .into_iter()
                    .find(|s| s.name == name.trim())
                    .map(|s| s.id)
                    .ok_or_else(|| PurchaseError::UnknownSupplier(name.trim().to_string()))?,
            ),
            None => None,
        };
        let rows = tx.purchase_orders(actor.company_id, status, supplier_id).await?;
        tx.commit().await?;
        Ok(rows)
    }

    pub async fn purchase_detail(&self, actor: &Actor, key: &str) -> Result<PurchaseDetail, PurchaseError> {
        let mut tx = self.db.begin_read().await?;
        let detail = detail_in(&mut tx, actor, key).await?;
        tx.commit().await?;
        Ok(detail)
    }

    /// What is still to arrive on open purchase orders, late ones first (到货信息跟踪).
    pub async fn expected_arrivals(&self, actor: &Actor, now: DateTime<Utc>) -> Result<Vec<Arrival>, PurchaseError> {
        let mut tx = self.db.begin_read().await?;
        let tz = tx.company_zone(actor.company_id).await?;
        let rows = tx.expected_arrivals(actor.company_id).await?;
        tx.commit().await?;
        let today = clock::local_day(now, tz);
        let mut out: Vec<Arrival> = rows
            .into_iter()
            .map(|row| {
                let expected_day = row.expected_at.map(|t| clock::local_day(t, tz));
                Arrival {
                    remaining: row.qty_ordered - row.qty_received,
                    state: ArrivalState::of(expected_day, today),
                    expected_day,
                    row,
                }
            })
            .collect();
        out.sort_by_key(|a| (a.state, a.expected_day));
        Ok(out)
    }
}

async fn detail_in(tx: &mut Tx, actor: &Actor, key: &str) -> Result<PurchaseDetail, PurchaseError> {
    let order = tx
        .purchase_order_for_update(actor.company_id, key)
        .await?
        .ok_or_else(|| PurchaseError::NotFound(key.trim().to_string()))?;
    let lines = tx
        .purchase_lines(order.id)
        .await?
        .into_iter()
        .map(|line| PurchaseLine { variance: ReceiptVariance::of(line.qty_ordered, line.qty_received), line })
        .collect();
    let receipts = tx.purchase_receipts(order.id).await?;
    Ok(PurchaseDetail { order, lines, receipts })
}

/// Drafts one purchase order inside `tx` (see [`App::create_purchase_order`]).
async fn create_order_in(
    tx: &mut Tx,
    actor: &Actor,
    input: &PurchaseOrderInput,
    at: DateTime<Utc>,
) -> Result<PurchaseOrderRow, PurchaseError> {
    let tz = tx.company_zone(actor.company_id).await?;
    let supplier = tx
        .suppliers(actor.company_id)
        .await?
        .into_iter()
        .find(|s| s.name == input.supplier.trim())
        .ok_or_else(|| PurchaseError::UnknownSupplier(input.supplier.trim().to_string()))?;
    let warehouses = tx.warehouses(actor.company_id).await?;
    let warehouse = match &input.warehouse {
        Some(w) => warehouses.iter().find(|x| x.code == w.trim() || x.name == w.trim()),
        None => warehouses.first(),
    }
    .ok_or_else(|| PurchaseError::UnknownWarehouse(input.warehouse.clone().unwrap_or_default()))?;
    let prefix = format!("PO{}", clock::local_day(at, tz).format("%Y%m%d"));
    let n = tx.count_purchase_codes(actor.company_id, &prefix).await?;
    let code = format!("{prefix}-{:03}", n + 1);
    let expected_at = input.expected.map(|d| clock::day_start(d, tz));
    let po = NewPurchaseOrder {
        company_id: actor.company_id,
        code: code.clone(),
        supplier_id: supplier.id,
        warehouse_id: warehouse.id,
        status: PurchaseStatus::Draft.code(),
        ordered_at: None,
        expected_at,
        note: input.note.trim().to_string(),
    };
    let po_id = tx.insert_purchase_order(&po, at).await?;
    tx.set_purchase_created_by(po_id, &actor.user).await?;
    for l in &input.lines {
        let sku = tx
            .sku_by_code(actor.company_id, l.sku.trim())
            .await?
            .ok_or_else(|| PurchaseError::UnknownSku(l.sku.trim().to_string()))?;
        let cost = l.unit_cost.unwrap_or(sku.cost);
        let expected = l.expected.map(|d| clock::day_start(d, tz)).or(expected_at);
        tx.insert_purchase_order_line(actor.company_id, po_id, sku.id, l.qty, cost.fen(), expected).await?;
    }
    load_order(tx, actor, &code).await
}

/// A SKU the replenishment orders left out, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Skipped {
    pub sku: String,
    pub why_zh: String,
    pub why_en: String,
}

/// The orders drafted from the replenishment table.
#[derive(Debug, Clone, Serialize)]
pub struct ReplenishmentOrders {
    pub orders: Vec<PurchaseOrderRow>,
    pub skipped: Vec<Skipped>,
}

impl App {
    /// Makes `supplier` the supplier of these products (by 款号 / product 商家编码), all or none;
    /// the replenishment table then uses its lead time and pack size and orders from it.
    pub async fn assign_supplier(
        &self,
        actor: &Actor,
        supplier: &str,
        products: &[String],
    ) -> Result<usize, PurchaseError> {
        if products.is_empty() {
            return Err(invalid("products", "请列出商品款号", "name at least one product"));
        }
        with_retry(|| async {
            let mut tx = self.db.begin().await?;
            let found = tx
                .suppliers(actor.company_id)
                .await?
                .into_iter()
                .find(|s| s.name == supplier.trim())
                .ok_or_else(|| PurchaseError::UnknownSupplier(supplier.trim().to_string()))?;
            for p in products {
                if !tx.set_product_supplier(actor.company_id, p.trim(), found.id).await? {
                    return Err(invalid(
                        "products",
                        format!("找不到商品款号 {}", p.trim()),
                        format!("no product with code {}", p.trim()),
                    ));
                }
            }
            tx.commit().await?;
            Ok(products.len())
        })
        .await
    }

    /// A purchase order as the sheet sent to the supplier (采购单): the order's terms, then its
    /// lines with quantities, unit costs and amounts.
    pub async fn purchase_order_sheet(&self, actor: &Actor, key: &str) -> Result<Vec<ReportTable>, PurchaseError> {
        let mut tx = self.db.begin_read().await?;
        let tz = tx.company_zone(actor.company_id).await?;
        let d = detail_in(&mut tx, actor, key).await?;
        tx.commit().await?;
        Ok(purchase_order_tables(&d, tz))
    }
}

/// What happened to a purchase order, oldest first (its history on the order's page).
#[derive(Debug, Clone, Serialize)]
pub struct PurchaseHistoryEntry {
    pub at: DateTime<Utc>,
    /// `created`, `placed`, `received`, `cancelled`, `closed_short` (结案) or `completed` (全部到货).
    pub event: &'static str,
    /// Who did it; empty when it is not known (a step taken outside the back office's pages).
    pub user: String,
    /// For a receipt: the SKU, the quantity and the note.
    pub sku: String,
    pub qty: i64,
    pub note: String,
}

impl PurchaseHistoryEntry {
    fn new(at: DateTime<Utc>, event: &'static str, user: String) -> Self {
        PurchaseHistoryEntry { at, event, user, sku: String::new(), qty: 0, note: String::new() }
    }

    pub fn label_zh(&self) -> &'static str {
        match self.event {
            "created" => "新建草稿",
            "placed" => "下单",
            "received" => "到货入库",
            "cancelled" => "取消",
            "closed_short" => "结案（短收）",
            "completed" => "全部到货",
            _ => "",
        }
    }

    pub fn label_en(&self) -> &'static str {
        match self.event {
            "created" => "Drafted",
            "placed" => "Placed",
            "received" => "Received",
            "cancelled" => "Cancelled",
            "closed_short" => "Closed short",
            "completed" => "Fully received",
            _ => "",
        }
    }
}

/// The history of an order from its dates and receipts; who placed, cancelled or closed it comes
/// from the audit lines of the order (`purchase.place`, `purchase.cancel`, `purchase.close`).
pub fn purchase_history(
    d: &PurchaseDetail,
    audit: &[zhanggui_store::purchasing::PurchaseAuditRow],
) -> Vec<PurchaseHistoryEntry> {
    let who =
        |action: &str| audit.iter().rev().find(|a| a.action == action).map(|a| a.user_name.clone()).unwrap_or_default();
    let o = &d.order;
    let mut out = vec![PurchaseHistoryEntry::new(o.created_at, "created", o.created_by.clone())];
    if let Some(at) = o.ordered_at {
        out.push(PurchaseHistoryEntry::new(at, "placed", who("purchase.place")));
    }
    for r in &d.receipts {
        out.push(PurchaseHistoryEntry {
            sku: r.outer_sku_id.clone(),
            qty: r.qty,
            note: r.note.clone(),
            ..PurchaseHistoryEntry::new(r.received_at, "received", r.user_name.clone())
        });
    }
    if let Some(at) = o.closed_at {
        match o.status {
            PurchaseStatus::Cancelled => out.push(PurchaseHistoryEntry::new(at, "cancelled", who("purchase.cancel"))),
            PurchaseStatus::Received if o.closed_short() => {
                out.push(PurchaseHistoryEntry::new(at, "closed_short", who("purchase.close")));
            }
            PurchaseStatus::Received => {
                let by = d.receipts.last().map(|r| r.user_name.clone()).unwrap_or_default();
                out.push(PurchaseHistoryEntry::new(at, "completed", by));
            }
            _ => {}
        }
    }
    // Stable: what happened at the same second keeps the order above.
    out.sort_by_key(|e| e.at);
    out
}

impl App {
    /// Every SKU with its product (款号) and the product's supplier.
    pub async fn skus_with_suppliers(&self, actor: &Actor) -> Result<Vec<SkuSupplierRow>, PurchaseError> {
        let mut tx = self.db.begin_read().await?;
        let rows = tx.skus_with_suppliers(actor.company_id).await?;
        tx.commit().await?;
        Ok(rows)
    }

    /// A purchase order with its history (see [`purchase_history`]).
    pub async fn purchase_detail_with_history(
        &self,
        actor: &Actor,
        key: &str,
    ) -> Result<(PurchaseDetail, Vec<PurchaseHistoryEntry>), PurchaseError> {
        let mut tx = self.db.begin_read().await?;
        let detail = detail_in(&mut tx, actor, key).await?;
        let audit = tx.purchase_audit(actor.company_id, &detail.order.code).await?;
        tx.commit().await?;
        let history = purchase_history(&detail, &audit);
        Ok((detail, history))
    }
}

/// The tables of [`App::purchase_order_sheet`].
pub fn purchase_order_tables(d: &PurchaseDetail, tz: chrono_tz::Tz) -> Vec<ReportTable> {
    let text = |s: &str| ReportCell::Text(s.to_string());
    let money = |m: Money| ReportCell::Decimal(m.to_string(), 2);
    let day = |t: Option<DateTime<Utc>>| t.map(|t| clock::local_day(t, tz).to_string()).unwrap_or_default();
    let o = &d.order;
    let terms = ReportTable {
        title: format!("采购单 {}", o.code),
        headers: vec!["项目".into(), "内容".into()],
        rows: vec![
            vec![text("采购单号"), text(&o.code)],
            vec![text("供应商"), text(&o.supplier_name)],
            vec![text("收货仓库"), text(&o.warehouse_code)],
            vec![text("状态"), text(o.status.label_zh())],
            vec![text("下单日期"), text(&day(o.ordered_at))],
            vec![text("预计到货"), text(&day(o.expected_at))],
            vec![text("采购数量"), ReportCell::Int(o.qty_ordered)],
            vec![text("采购金额"), money(o.amount)],
            vec![text("备注"), text(&o.note)],
        ],
    };
    let lines = ReportTable {
        title: "采购明细".into(),
        headers: ["商家编码", "商品名称", "规格", "采购数量", "已到货", "采购单价", "金额", "预计到货"]
            .into_iter()
            .map(String::from)
            .collect(),
        rows: d
            .lines
            .iter()
            .map(|l| {
                let l = &l.line;
                vec![
                    text(&l.outer_sku_id),
                    text(&l.title),
                    text(&l.properties),
                    ReportCell::Int(l.qty_ordered),
                    ReportCell::Int(l.qty_received),
                    money(l.unit_cost),
                    money(l.unit_cost * l.qty_ordered),
                    text(&day(l.expected_at.or(o.expected_at))),
                ]
            })
            .collect(),
    };
    vec![terms, lines]
}
