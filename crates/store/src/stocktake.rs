//! Stocktakes (盘点): count sessions, their snapshot lines and the counts entered against them.

use chrono::{DateTime, Utc};
use serde::Serialize;
use zhanggui_domain::{Money, StocktakeStatus};

use crate::{StoreError, Tx, from_ts, to_ts};

/// A count session.
#[derive(Debug, Clone, Serialize)]
pub struct StocktakeRow {
    pub id: i64,
    pub code: String,
    pub warehouse_id: i64,
    pub warehouse_code: String,
    pub status: StocktakeStatus,
    /// What was counted: empty for every SKU, else the search the session was started with.
    pub scope: String,
    pub reason: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub closed_by: String,
    pub closed_at: Option<DateTime<Utc>>,
    pub lines: i64,
    pub counted: i64,
}

/// One SKU of a count session.
#[derive(Debug, Clone, Serialize)]
pub struct StocktakeLineRow {
    pub id: i64,
    pub sku_id: i64,
    pub outer_sku_id: String,
    pub title: String,
    pub properties: String,
    pub barcode: String,
    pub snapshot_on_hand: i64,
    pub counted: Option<i64>,
    pub unit_cost: Money,
    pub counted_by: String,
}

const STOCKTAKE_COLUMNS: &str = "t.id, t.code, t.warehouse_id, w.code AS warehouse_code, t.status, t.scope, t.reason, \
    t.created_by, t.created_at, t.closed_by, t.closed_at, \
    (SELECT COUNT(*) FROM stocktake_line l WHERE l.stocktake_id = t.id) AS line_count, \
    (SELECT COUNT(*) FROM stocktake_line l WHERE l.stocktake_id = t.id AND l.counted IS NOT NULL) AS counted_count";

macro_rules! stocktake_row {
    ($r:ident) => {{
        let status: String = $r.try_get("status")?;
        Ok::<StocktakeRow, sqlx::Error>(StocktakeRow {
            id: $r.try_get("id")?,
            code: $r.try_get("code")?,
            warehouse_id: $r.try_get("warehouse_id")?,
            warehouse_code: $r.try_get("warehouse_code")?,
            status: StocktakeStatus::parse(&status)
                .ok_or_else(|| sqlx::Error::Decode(format!("unknown stocktake status {status:?}").into()))?,
            scope: $r.try_get("scope")?,
            reason: $r.try_get("reason")?,
            created_by: $r.try_get("created_by")?,
            created_at: from_ts($r.try_get("created_at")?),
            closed_by: $r.try_get("closed_by")?,
            closed_at: $r.try_get::<Option<i64>, _>("closed_at")?.map(from_ts),
            lines: $r.try_get("line_count")?,
            counted: $r.try_get("counted_count")?,
        })
    }};
}

impl Tx {
    /// Starts a count session: one line per SKU of the company matching `search` (code, title or
    /// barcode; every SKU when empty), with its on hand in the warehouse now and its cost.
    pub async fn insert_stocktake(
        &mut self,
        company_id: i64,
        code: &str,
        warehouse_id: i64,
        search: &str,
        user: &str,
        at: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let id = fetch_scalar!(
            self,
            i64,
            "INSERT INTO stocktake (company_id, code, warehouse_id, status, scope, created_by, created_at) \
             VALUES ($1, $2, $3, 'counting', $4, $5, $6) RETURNING id",
            company_id,
            code,
            warehouse_id,
            search.trim(),
            user,
            to_ts(at)
        )?;
        let pattern = format!("%{}%", search.trim().to_lowercase());
        exec!(
            self,
            "INSERT INTO stocktake_line (company_id, stocktake_id, sku_id, snapshot_on_hand, unit_cost) \
             SELECT k.company_id, $1, k.id, COALESCE(b.on_hand, 0), k.cost \
             FROM sku k JOIN product p ON p.id = k.product_id \
             LEFT JOIN stock_balance b ON b.sku_id = k.id AND b.warehouse_id = $2 \
             WHERE k.company_id = $3 AND ($4 = '%%' OR LOWER(k.outer_sku_id) LIKE $4 OR LOWER(p.title) LIKE $4 \
                OR LOWER(k.barcode) LIKE $4) \
             ORDER BY k.outer_sku_id",
            id,
            warehouse_id,
            company_id,
            pattern
        )?;
        Ok(id)
    }

    pub async fn stocktakes(&mut self, company_id: i64) -> Result<Vec<StocktakeRow>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {STOCKTAKE_COLUMNS} FROM stocktake t JOIN warehouse w ON w.id = t.warehouse_id \
             WHERE t.company_id = $1 ORDER BY t.created_at DESC, t.id DESC"
        ));
        Ok(fetch_all!(self, sql, [company_id], |r| stocktake_row!(r))?)
    }

    /// A session by code; locked for the rest of the transaction on PostgreSQL.
    pub async fn stocktake_for_update(
        &mut self,
        company_id: i64,
        code: &str,
    ) -> Result<Option<StocktakeRow>, StoreError> {
        let lock = if matches!(self, Tx::Postgres(_)) { " FOR UPDATE OF t" } else { "" };
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {STOCKTAKE_COLUMNS} FROM stocktake t JOIN warehouse w ON w.id = t.warehouse_id \
             WHERE t.company_id = $1 AND t.code = $2{lock}"
        ));
        Ok(fetch_optional!(self, sql, [company_id, code.trim()], |r| stocktake_row!(r))?)
    }

    pub async fn stocktake_lines(&mut self, stocktake_id: i64) -> Result<Vec<StocktakeLineRow>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT l.id, l.sku_id, k.outer_sku_id, p.title, k.properties, k.barcode, l.snapshot_on_hand, l.counted, \
                    l.unit_cost, l.counted_by \
             FROM stocktake_line l JOIN sku k ON k.id = l.sku_id JOIN product p ON p.id = k.product_id \
             WHERE l.stocktake_id = $1 ORDER BY k.outer_sku_id",
            [stocktake_id],
            |r| Ok(StocktakeLineRow {
                id: r.try_get("id")?,
                sku_id: r.try_get("sku_id")?,
                outer_sku_id: r.try_get("outer_sku_id")?,
                title: r.try_get("title")?,
                properties: r.try_get("properties")?,
                barcode: r.try_get("barcode")?,
                snapshot_on_hand: r.try_get("snapshot_on_hand")?,
                counted: r.try_get("counted")?,
                unit_cost: Money::from_fen(r.try_get("unit_cost")?),
                counted_by: r.try_get("counted_by")?,
            })
        )?)
    }

    /// Records a counted quantity (replacing an earlier one); false when the SKU is not part of
    /// the session.
    pub async fn set_count(
        &mut self,
        stocktake_id: i64,
        sku_id: i64,
        counted: i64,
        user: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let n = exec!(
            self,
            "UPDATE stocktake_line SET counted = $1, counted_by = $2, counted_at = $3 WHERE stocktake_id = $4 AND sku_id = $5",
            counted,
            user,
            to_ts(at),
            stocktake_id,
            sku_id
        )?;
        Ok(n == 1)
    }

    pub async fn set_stocktake_line_move(&mut self, line_id: i64, move_id: i64) -> Result<(), StoreError> {
        exec!(self, "UPDATE stocktake_line SET stock_move_id = $1 WHERE id = $2", move_id, line_id)?;
        Ok(())
    }

    /// Ends a session; false when it was no longer counting (a concurrent post or cancel).
    pub async fn close_stocktake(
        &mut self,
        stocktake_id: i64,
        status: StocktakeStatus,
        reason: &str,
        user: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let n = exec!(
            self,
            "UPDATE stocktake SET status = $1, reason = $2, closed_by = $3, closed_at = $4 \
             WHERE id = $5 AND status = 'counting'",
            status.code(),
            reason,
            user,
            to_ts(at),
            stocktake_id
        )?;
        Ok(n == 1)
    }

    pub async fn count_stocktake_codes(&mut self, company_id: i64, prefix: &str) -> Result<i64, StoreError> {
        Ok(fetch_scalar!(
            self,
            i64,
            "SELECT COUNT(*) FROM stocktake WHERE company_id = $1 AND code LIKE $2",
            company_id,
            format!("{prefix}%")
        )?)
    }
}
