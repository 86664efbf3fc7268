//! Stocktake use cases (盘点, DOMAIN.md §6): start a count session in a warehouse, enter or import
//! the counted quantities, review the differences with their value, and post them as stocktake
//! moves with a reason — or cancel. See `zhanggui_domain::stocktake` for why posting writes
//! counted − snapshot and so never undoes a sale made during the count.

use chrono::{DateTime, Utc};
use serde::Serialize;
use zhanggui_domain::{CountDifference, CountResult, CountSummary, MoveKind, StocktakeStatus};
use zhanggui_store::stocktake::{StocktakeLineRow, StocktakeRow};
use zhanggui_store::{NewMove, StoreError, Tx};

use crate::trading::{Retryable, with_retry};
use crate::{Actor, App, ErrorKind, Lang, UserFacing, clock};

#[derive(Debug, thiserror::Error)]
pub enum StocktakeError {
    #[error("unknown warehouse {0}")]
    UnknownWarehouse(String),
    #[error("no stocktake {0}")]
    NotFound(String),
    #[error("stocktake {code} is {} and can no longer change", status.label_en())]
    Closed { code: String, status: StocktakeStatus },
    #[error("no SKU matches {0:?}; nothing to count")]
    Empty(String),
    /// Counts that could not be taken, each with where it came from and why; none was recorded.
    #[error("{} count(s) refused: {}", .0.len(), .0.iter().map(|b| format!("{}: {}", b.source, b.reason_en)).collect::<Vec<_>>().join("; "))]
    BadCounts(Vec<BadCount>),
    #[error("{field}: {reason}")]
    Invalid { field: &'static str, reason: String, reason_zh: String },
    #[error("the stocktake changed while this step ran; try again")]
    Conflict,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A count that was refused.
#[derive(Debug, Clone, Serialize)]
pub struct BadCount {
    /// Where the count came from ("count.csv line 7", or the SKU as typed).
    pub source: String,
    pub reason_zh: String,
    pub reason_en: String,
}

impl Retryable for StocktakeError {
    fn retryable(&self) -> bool {
        match self {
            StocktakeError::Store(e) => e.is_retryable(),
            StocktakeError::Conflict => true,
            _ => false,
        }
    }
}

impl UserFacing for StocktakeError {
    fn code(&self) -> &'static str {
        match self {
            StocktakeError::UnknownWarehouse(_) | StocktakeError::NotFound(_) => "not_found",
            StocktakeError::Closed { .. } => "illegal_transition",
            StocktakeError::Empty(_) | StocktakeError::BadCounts(_) | StocktakeError::Invalid { .. } => "invalid_input",
            StocktakeError::Conflict => "conflict",
            StocktakeError::Store(_) => "internal",
        }
    }

    fn kind(&self) -> ErrorKind {
        match self {
            StocktakeError::UnknownWarehouse(_) | StocktakeError::NotFound(_) => ErrorKind::NotFound,
            StocktakeError::Store(_) | StocktakeError::Conflict => ErrorKind::Internal,
            _ => ErrorKind::BadInput,
        }
    }

    fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (_, Lang::En) => self.to_string(),
            (StocktakeError::UnknownWarehouse(w), Lang::Zh) => format!("找不到仓库 {w}"),
            (StocktakeError::NotFound(c), Lang::Zh) => format!("找不到盘点单 {c}"),
            (StocktakeError::Closed { code, status }, Lang::Zh) => {
                format!("盘点单 {code} {}，不能再修改", status.label_zh())
            }
            (StocktakeError::Empty(s), Lang::Zh) => format!("没有符合「{s}」的商品，无需盘点"),
            (StocktakeError::BadCounts(bad), Lang::Zh) => format!(
                "{} 条盘点数量未录入（全部未保存）：{}",
                bad.len(),
                bad.iter().map(|b| format!("{}：{}", b.source, b.reason_zh)).collect::<Vec<_>>().join("；")
            ),
            (StocktakeError::Invalid { reason_zh, .. }, Lang::Zh) => reason_zh.clone(),
            (StocktakeError::Conflict, Lang::Zh) => "盘点单刚被其他操作修改，请重试".to_string(),
            (StocktakeError::Store(e), Lang::Zh) => format!("系统错误：{e}"),
        }
    }
}

/// A count to record: the SKU by 商家编码 or barcode, and what was found.
#[derive(Debug, Clone)]
pub struct CountInput {
    /// Where it came from, for errors ("盘点表.csv line 7"); the SKU as typed when empty.
    pub source: String,
    pub sku: String,
    pub counted: i64,
}

/// One line of a session under review.
#[derive(Debug, Clone, Serialize)]
pub struct CountLine {
    #[serde(flatten)]
    pub line: StocktakeLineRow,
    pub delta: i64,
    pub value: zhanggui_domain::Money,
    pub result: CountResult,
}

/// A session with its lines and totals.
#[derive(Debug, Clone, Serialize)]
pub struct StocktakeDetail {
    pub stocktake: StocktakeRow,
    pub lines: Vec<CountLine>,
    pub summary: CountSummary,
}

fn difference(l: &StocktakeLineRow) -> CountDifference {
    CountDifference { snapshot: l.snapshot_on_hand, counted: l.counted, unit_cost: l.unit_cost }
}

async fn load(tx: &mut Tx, actor: &Actor, code: &str) -> Result<StocktakeRow, StocktakeError> {
    tx.stocktake_for_update(actor.company_id, code)
        .await?
        .ok_or_else(|| StocktakeError::NotFound(code.trim().to_string()))
}

async fn load_open(tx: &mut Tx, actor: &Actor, code: &str) -> Result<StocktakeRow, StocktakeError> {
    let s = load(tx, actor, code).await?;
    if !s.status.is_open() {
        return Err(StocktakeError::Closed { code: s.code, status: s.status });
    }
    Ok(s)
}

async fn detail_in(tx: &mut Tx, actor: &Actor, code: &str) -> Result<StocktakeDetail, StocktakeError> {
    let stocktake = load(tx, actor, code).await?;
    let lines: Vec<CountLine> = tx
        .stocktake_lines(stocktake.id)
        .await?
        .into_iter()
        .map(|line| {
            let d = difference(&line);
            CountLine { delta: d.delta(), value: d.value(), result: d.kind(), line }
        })
        .collect();
    let diffs: Vec<CountDifference> = lines.iter().map(|l| difference(&l.line)).collect();
    Ok(StocktakeDetail { stocktake, summary: CountSummary::of(&diffs), lines })
}

impl App {
    /// Starts counting a warehouse (all SKUs, or those whose code, title or barcode contains
    /// `search`): on hand is snapshotted now. Numbered `PD<day>-<n>`.
    pub async fn start_stocktake(
        &self,
        actor: &Actor,
        warehouse: Option<&str>,
        search: &str,
        at: DateTime<Utc>,
    ) -> Result<StocktakeDetail, StocktakeError> {
        with_retry(|| async {
            let mut tx = self.db.begin().await?;
            let warehouses = tx.warehouses(actor.company_id).await?;
            let wh = match warehouse {
                Some(w) => warehouses.iter().find(|x| x.code == w.trim() || x.name == w.trim()),
                None => warehouses.first(),
            }
            .ok_or_else(|| StocktakeError::UnknownWarehouse(warehouse.unwrap_or_default().to_string()))?;
            let tz = tx.company_zone(actor.company_id).await?;
            let prefix = format!("PD{}", clock::local_day(at, tz).format("%Y%m%d"));
            let n = tx.count_stocktake_codes(actor.company_id, &prefix).await?;
            let code = format!("{prefix}-{:03}", n + 1);
            tx.insert_stocktake(actor.company_id, &code, wh.id, search, &actor.user, at).await?;
            let detail = detail_in(&mut tx, actor, &code).await?;
            if detail.lines.is_empty() {
                return Err(StocktakeError::Empty(search.trim().to_string()));
            }
            tx.commit().await?;
            Ok(detail)
        })
        .await
    }

    /// Records counted quantities (a later count of the same SKU replaces the earlier one). All or
    /// nothing: if any count is refused, none is recorded and every refusal is listed.
    pub async fn record_counts(
        &self,
        actor: &Actor,
        code: &str,
        counts: &[CountInput],
        at: DateTime<Utc>,
    ) -> Result<StocktakeDetail, StocktakeError> {
        if counts.is_empty() {
            return Err(StocktakeError::Invalid {
                field: "counts",
                reason: "no counted quantities were given".into(),
                reason_zh: "没有录入任何盘点数量".into(),
            });
        }
        with_retry(|| async {
            let mut tx = self.db.begin().await?;
            let session = load_open(&mut tx, actor, code).await?;
            let lines = tx.stocktake_lines(session.id).await?;
            let mut bad = Vec::new();
            let mut good = Vec::with_capacity(counts.len());
            for c in counts {
                let key = c.sku.trim();
                let source = if c.source.is_empty() { key.to_string() } else { c.source.clone() };
                let found = lines.iter().find(|l| l.outer_sku_id == key).or_else(|| {
                    let mut by_barcode = lines.iter().filter(|l| !l.barcode.is_empty() && l.barcode == key);
                    match (by_barcode.next(), by_barcode.next()) {
                        (Some(l), None) => Some(l),
                        _ => None,
                    }
                });
                match found {
                    _ if c.counted < 0 => bad.push(BadCount {
                        source,
                        reason_zh: format!("{key} 的实盘数量 {} 不能为负数", c.counted),
                        reason_en: format!("{key}: a count cannot be negative ({})", c.counted),
                    }),
                    None => bad.push(BadCount {
                        source,
                        reason_zh: format!("{key} 不在盘点单 {} 的范围内（商家编码或条码不对）", session.code),
                        reason_en: format!("{key} is not part of stocktake {} (unknown code or barcode)", session.code),
                    }),
                    Some(l) => good.push((l.sku_id, c.counted)),
                }
            }
            if !bad.is_empty() {
                return Err(StocktakeError::BadCounts(bad));
            }
            for (sku_id, counted) in good {
                if !tx.set_count(session.id, sku_id, counted, &actor.user, at).await? {
                    return Err(StocktakeError::Conflict);
                }
            }
            let detail = detail_in(&mut tx, actor, code).await?;
            tx.commit().await?;
            Ok(detail)
        })
        .await
    }

    pub async fn stocktake_detail(&self, actor: &Actor, code: &str) -> Result<StocktakeDetail, StocktakeError> {
        let mut tx = self.db.begin_read().await?;
        let d = detail_in(&mut tx, actor, code).await?;
        tx.commit().await?;
        Ok(d)
    }

    pub async fn stocktakes(&self, actor: &Actor) -> Result<Vec<StocktakeRow>, StocktakeError> {
        let mut tx = self.db.begin_read().await?;
        let rows = tx.stocktakes(actor.company_id).await?;
        tx.commit().await?;
        Ok(rows)
    }

    /// Posts the differences (过账): one stocktake move of counted − snapshot per counted SKU that
    /// differs, at the SKU's cost when the count started, with the reason. Uncounted SKUs are left
    /// as they are.
    pub async fn post_stocktake(
        &self,
        actor: &Actor,
        code: &str,
        reason: &str,
        at: DateTime<Utc>,
    ) -> Result<StocktakeDetail, StocktakeError> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(StocktakeError::Invalid {
                field: "reason",
                reason: "say why stock is being corrected (e.g. monthly count)".into(),
                reason_zh: "请填写盘点原因（如：月度盘点）".into(),
            });
        }
        with_retry(|| async {
            let mut tx = self.db.begin().await?;
            let session = load_open(&mut tx, actor, code).await?;
            let lines = tx.stocktake_lines(session.id).await?;
            if lines.iter().all(|l| l.counted.is_none()) {
                return Err(StocktakeError::Invalid {
                    field: "counts",
                    reason: format!("nothing in {} has been counted yet", session.code),
                    reason_zh: format!("盘点单 {} 还没有录入任何实盘数量", session.code),
                });
            }
            for l in &lines {
                let d = difference(l);
                if d.delta() == 0 {
                    continue;
                }
                let move_id = tx
                    .append_move(&NewMove {
                        company_id: actor.company_id,
                        sku_id: l.sku_id,
                        warehouse_id: session.warehouse_id,
                        qty: d.delta(),
                        kind: MoveKind::Stocktake,
                        ref_type: "stocktake",
                        ref_id: Some(session.id),
                        unit_cost: l.unit_cost,
                        note: format!("{} {reason}", session.code),
                        user_name: actor.user.clone(),
                        at,
                    })
                    .await?;
                tx.set_stocktake_line_move(l.id, move_id).await?;
            }
            if !tx.close_stocktake(session.id, StocktakeStatus::Posted, reason, &actor.user, at).await? {
                return Err(StocktakeError::Conflict);
            }
            let detail = detail_in(&mut tx, actor, code).await?;
            tx.commit().await?;
            Ok(detail)
        })
        .await
    }

    /// Abandons a count session (作废); stock is not touched.
    pub async fn cancel_stocktake(
        &self,
        actor: &Actor,
        code: &str,
        reason: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StocktakeError> {
        with_retry(|| async {
            let mut tx = self.db.begin().await?;
            let session = load_open(&mut tx, actor, code).await?;
            if !tx.close_stocktake(session.id, StocktakeStatus::Cancelled, reason.trim(), &actor.user, at).await? {
                return Err(StocktakeError::Conflict);
            }
            tx.commit().await?;
            Ok(())
        })
        .await
    }
}
