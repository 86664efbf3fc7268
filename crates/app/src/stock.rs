//! Stock use cases: list and show stock, adjust it with a reason, transfer between warehouses,
//! receive goods. Every change is a ledger move written with its balance in one transaction.

use chrono::{DateTime, Utc};
use serde::Serialize;
use zhanggui_domain::{MAX_QTY, MAX_UNIT_COST, Money, MoveKind};
use zhanggui_store::ledger::StockFilter;
use zhanggui_store::{NewMove, SkuInfo, StockLine, StockMoveRow, StoreError, Tx, Warehouse};

use crate::trading::with_retry;
use crate::{Actor, App, ErrorKind, Lang, UserFacing};

#[derive(Debug, thiserror::Error)]
pub enum StockError {
    #[error("unknown SKU code {0}")]
    UnknownSku(String),
    #[error("unknown warehouse {0}")]
    UnknownWarehouse(String),
    #[error("{field}: {reason}")]
    Invalid { field: &'static str, reason: String, reason_zh: String },
    #[error("not enough stock of {sku} in {warehouse}: this would leave {available_after} available")]
    WouldGoNegative { sku: String, warehouse: String, available_after: i64 },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl crate::trading::Retryable for StockError {
    fn retryable(&self) -> bool {
        matches!(self, StockError::Store(e) if e.is_retryable())
    }
}

impl UserFacing for StockError {
    fn code(&self) -> &'static str {
        match self {
            StockError::UnknownSku(_) | StockError::UnknownWarehouse(_) => "not_found",
            StockError::Invalid { .. } => "invalid_input",
            StockError::WouldGoNegative { .. } => "out_of_stock",
            StockError::Store(_) => "internal",
        }
    }

    fn kind(&self) -> ErrorKind {
        match self {
            StockError::UnknownSku(_) | StockError::UnknownWarehouse(_) => ErrorKind::NotFound,
            StockError::Store(_) => ErrorKind::Internal,
            _ => ErrorKind::BadInput,
        }
    }

    fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (_, Lang::En) => self.to_string(),
            (StockError::UnknownSku(s), Lang::Zh) => format!("找不到商家编码为 {s} 的商品（SKU）"),
            (StockError::UnknownWarehouse(w), Lang::Zh) => format!("找不到仓库 {w}"),
            (StockError::Invalid { reason_zh, .. }, Lang::Zh) => reason_zh.clone(),
            (StockError::WouldGoNegative { sku, warehouse, available_after }, Lang::Zh) => {
                format!("{sku} 在 {warehouse} 库存不足：操作后可用库存将为 {available_after}")
            }
            (StockError::Store(e), Lang::Zh) => format!("系统错误：{e}"),
        }
    }
}

/// A SKU with its stock in every warehouse and its latest moves.
#[derive(Debug, Clone, Serialize)]
pub struct SkuStock {
    pub sku: SkuInfo,
    pub warehouses: Vec<StockLine>,
    pub moves: Vec<StockMoveRow>,
}

fn invalid(field: &'static str, zh: &str, en: &str) -> StockError {
    StockError::Invalid { field, reason: en.into(), reason_zh: zh.into() }
}

async fn find_sku(tx: &mut Tx, company_id: i64, code: &str) -> Result<SkuInfo, StockError> {
    tx.sku_by_code(company_id, code.trim()).await?.ok_or_else(|| StockError::UnknownSku(code.trim().to_string()))
}

async fn find_warehouse(tx: &mut Tx, company_id: i64, code: Option<&str>) -> Result<Warehouse, StockError> {
    let all = tx.warehouses(company_id).await?;
    match code {
        Some(c) => all
            .into_iter()
            .find(|w| w.code == c.trim() || w.name == c.trim())
            .ok_or_else(|| StockError::UnknownWarehouse(c.trim().to_string())),
        None => all.into_iter().next().ok_or_else(|| StockError::UnknownWarehouse(String::new())),
    }
}

impl App {
    pub async fn stock_list(&self, filter: &StockFilter) -> Result<Vec<StockLine>, StockError> {
        let mut tx = self.db.begin_read().await?;
        let lines = tx.stock_lines(filter).await?;
        tx.commit().await?;
        Ok(lines)
    }

    pub async fn stock_show(&self, actor: &Actor, sku_code: &str, moves: i64) -> Result<SkuStock, StockError> {
        let mut tx = self.db.begin_read().await?;
        let sku = find_sku(&mut tx, actor.company_id, sku_code).await?;
        let filter = StockFilter { company_id: actor.company_id, sku_id: Some(sku.id), ..Default::default() };
        let warehouses = tx.stock_lines(&filter).await?;
        let moves = tx.sku_moves(sku.id, moves).await?;
        tx.commit().await?;
        Ok(SkuStock { sku, warehouses, moves })
    }

    /// Adjusts stock by `qty` (positive or negative) with a reason (库存调整). Refused if it would
    /// leave less available than is reserved for paid orders.
    pub async fn adjust_stock(
        &self,
        actor: &Actor,
        sku_code: &str,
        warehouse: Option<&str>,
        qty: i64,
        reason: &str,
        at: DateTime<Utc>,
    ) -> Result<i64, StockError> {
        if qty == 0 {
            return Err(invalid("qty", "调整数量不能为 0", "the adjustment must not be zero"));
        }
        if qty.unsigned_abs() > MAX_QTY.unsigned_abs() {
            return Err(invalid(
                "qty",
                &format!("调整数量 {qty:+} 超过上限：一次最多调整 {MAX_QTY} 件，请检查"),
                &format!("an adjustment of {qty:+} is over the limit of {MAX_QTY} units"),
            ));
        }
        if reason.trim().is_empty() {
            return Err(invalid("reason", "请填写调整原因", "say why stock changes (原因)"));
        }
        with_retry(|| async {
            let mut tx = self.db.begin().await?;
            let available =
                adjust_in(&mut tx, actor, sku_code, warehouse, qty, MoveKind::Adjustment, reason, at).await?;
            tx.commit().await?;
            Ok(available)
        })
        .await
    }

    /// Moves `qty` units from one warehouse to another (调拨): a transfer_out and a transfer_in.
    pub async fn transfer_stock(
        &self,
        actor: &Actor,
        sku_code: &str,
        from: &str,
        to: &str,
        qty: i64,
        at: DateTime<Utc>,
    ) -> Result<(), StockError> {
        if qty <= 0 {
            return Err(invalid("qty", "调拨数量至少为 1", "a transfer moves at least one unit"));
        }
        if qty > MAX_QTY {
            return Err(invalid(
                "qty",
                &format!("调拨数量 {qty} 超过上限：一次最多调拨 {MAX_QTY} 件，请检查"),
                &format!("a transfer of {qty} is over the limit of {MAX_QTY} units"),
            ));
        }
        with_retry(|| async {
            let mut tx = self.db.begin().await?;
            transfer_in(&mut tx, actor, sku_code, from, to, qty, at).await?;
            tx.commit().await?;
            Ok(())
        })
        .await
    }

    /// Receives goods into a warehouse at a unit cost (采购入库) outside a purchase order; the SKU's
    /// moving-average cost takes it in, as a purchase order's receipt does.
    pub async fn receive_stock(
        &self,
        actor: &Actor,
        sku_code: &str,
        warehouse: Option<&str>,
        qty: i64,
        unit_cost: Money,
        at: DateTime<Utc>,
    ) -> Result<(), StockError> {
        if qty <= 0 {
            return Err(invalid("qty", "入库数量至少为 1", "a receipt adds at least one unit"));
        }
        if qty > MAX_QTY {
            return Err(invalid(
                "qty",
                &format!("入库数量 {qty} 超过上限：一次最多 {MAX_QTY} 件，请检查"),
                &format!("a receipt of {qty} is over the limit of {MAX_QTY} units"),
            ));
        }
        if unit_cost.is_negative() || unit_cost > MAX_UNIT_COST {
            return Err(invalid(
                "unit_cost",
                &format!("入库单价 {unit_cost} 不对：应在 0 到 {} 之间", MAX_UNIT_COST.to_display()),
                &format!("unit cost {unit_cost} must be between 0 and {}", MAX_UNIT_COST.to_display()),
            ));
        }
        with_retry(|| async {
            let mut tx = self.db.begin().await?;
            let sku = find_sku(&mut tx, actor.company_id, sku_code).await?;
            let wh = find_warehouse(&mut tx, actor.company_id, warehouse).await?;
            let m = NewMove {
                company_id: actor.company_id,
                sku_id: sku.id,
                warehouse_id: wh.id,
                qty,
                kind: MoveKind::PurchaseReceipt,
                ref_type: "",
                ref_id: None,
                unit_cost,
                note: String::new(),
                user_name: actor.user.clone(),
                at,
            };
            // The SKU's moving-average cost takes the receipt in (a receipt without a cost leaves it).
            let average = match unit_cost.is_zero() {
                true => None,
                false => {
                    let (on_hand, cost) = tx.sku_cost_for_receipt(sku.id).await?;
                    Some(zhanggui_domain::purchase::moving_average_cost(on_hand, cost, qty, unit_cost))
                }
            };
            tx.append_move(&m).await?;
            if let Some(average) = average {
                tx.set_sku_cost(sku.id, average).await?;
            }
            tx.commit().await?;
            Ok(())
        })
        .await
    }
}

/// Writes an adjustment-like move (adjustment or stocktake); returns available after it.
#[allow(clippy::too_many_arguments)]
pub async fn adjust_in(
    tx: &mut Tx,
    actor: &Actor,
    sku_code: &str,
    warehouse: Option<&str>,
    qty: i64,
    kind: MoveKind,
    reason: &str,
    at: DateTime<Utc>,
) -> Result<i64, StockError> {
    let sku = find_sku(tx, actor.company_id, sku_code).await?;
    let wh = find_warehouse(tx, actor.company_id, warehouse).await?;
    let m = NewMove {
        company_id: actor.company_id,
        sku_id: sku.id,
        warehouse_id: wh.id,
        qty,
        kind,
        ref_type: "",
        ref_id: None,
        unit_cost: sku.cost,
        note: reason.trim().to_string(),
        user_name: actor.user.clone(),
        at,
    };
    if !tx.append_move_guarded(&m).await? {
        let balance = tx.sku_balances(sku.id, Some(wh.id)).await?;
        let available = balance.iter().find(|b| b.0 == wh.id).map(|b| b.1 - b.2).unwrap_or(0);
        return Err(StockError::WouldGoNegative {
            sku: sku.outer_sku_id,
            warehouse: wh.code,
            available_after: available + qty,
        });
    }
    let balance = tx.sku_balances(sku.id, Some(wh.id)).await?;
    Ok(balance.iter().find(|b| b.0 == wh.id).map(|b| b.1 - b.2).unwrap_or(0))
}

pub async fn transfer_in(
    tx: &mut Tx,
    actor: &Actor,
    sku_code: &str,
    from: &str,
    to: &str,
    qty: i64,
    at: DateTime<Utc>,
) -> Result<(), StockError> {
    let sku = find_sku(tx, actor.company_id, sku_code).await?;
    let src = find_warehouse(tx, actor.company_id, Some(from)).await?;
    let dst = find_warehouse(tx, actor.company_id, Some(to)).await?;
    if src.id == dst.id {
        return Err(invalid("to", "调出和调入是同一个仓库", "source and destination are the same warehouse"));
    }
    let mut m = NewMove {
        company_id: actor.company_id,
        sku_id: sku.id,
        warehouse_id: src.id,
        qty: -qty,
        kind: MoveKind::TransferOut,
        ref_type: "transfer",
        ref_id: None,
        unit_cost: sku.cost,
        note: format!("{} → {}", src.code, dst.code),
        user_name: actor.user.clone(),
        at,
    };
    if !tx.append_move_guarded(&m).await? {
        let balance = tx.sku_balances(sku.id, Some(src.id)).await?;
        let available = balance.iter().find(|b| b.0 == src.id).map(|b| b.1 - b.2).unwrap_or(0);
        return Err(StockError::WouldGoNegative {
            sku: sku.outer_sku_id,
            warehouse: src.code,
            available_after: available - qty,
        });
    }
    m.warehouse_id = dst.id;
    m.qty = qty;
    m.kind = MoveKind::TransferIn;
    tx.append_move(&m).await?;
    Ok(())
}
