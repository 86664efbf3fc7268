//! The stock ledger (DOMAIN.md §6): append-only moves, the cached balance per (sku, warehouse) kept in
//! the same transaction, and reservations.
//!
//! The no-oversell guard is a single conditional `UPDATE ... WHERE on_hand - reserved >= qty`, which
//! both SQLite (one writer at a time) and PostgreSQL (row lock, condition re-checked after the lock)
//! evaluate atomically: the last unit goes to exactly one order.

use zhanggui_domain::{Money, MoveKind};

use crate::{NewMove, Reservation, StockLine, StockMoveRow, StoreError, Tx, from_ts};

/// A (sku, warehouse) whose cached figures disagree with the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    pub sku_id: i64,
    pub warehouse_id: i64,
    pub on_hand: i64,
    pub moves_sum: i64,
    pub reserved: i64,
    pub reservations_sum: i64,
}

/// Which stock lines to list.
#[derive(Debug, Clone, Default)]
pub struct StockFilter {
    pub company_id: i64,
    /// Substring of the SKU code or title.
    pub search: Option<String>,
    pub warehouse_id: Option<i64>,
    pub sku_id: Option<i64>,
    /// Only lines with available ≤ this.
    pub max_available: Option<i64>,
    pub limit: i64,
    pub offset: i64,
}

impl Tx {
    /// Appends a move to the ledger and applies it to the balance. Checks the sign of the kind.
    pub async fn append_move(&mut self, m: &NewMove) -> Result<i64, StoreError> {
        m.kind.check(m.qty).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let id = self.insert_move_row(m).await?;
        let updated = exec!(
            self,
            "UPDATE stock_balance SET on_hand = on_hand + $1 WHERE sku_id = $2 AND warehouse_id = $3",
            m.qty,
            m.sku_id,
            m.warehouse_id
        )?;
        if updated == 0 {
            exec!(
                self,
                "INSERT INTO stock_balance (company_id, sku_id, warehouse_id, on_hand, reserved) VALUES ($1, $2, $3, $4, 0)",
                m.company_id,
                m.sku_id,
                m.warehouse_id,
                m.qty
            )?;
        }
        Ok(id)
    }

    /// Appends a move that takes stock away only if available (on_hand − reserved) stays at or above
    /// zero after it; returns `false`, having written nothing, when it would not. Moves that add stock
    /// are always written (goods that are there can always be recorded, even in an oversold shop).
    pub async fn append_move_guarded(&mut self, m: &NewMove) -> Result<bool, StoreError> {
        m.kind.check(m.qty).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        if m.qty > 0 {
            self.append_move(m).await?;
            return Ok(true);
        }
        let updated = exec!(
            self,
            "UPDATE stock_balance SET on_hand = on_hand + $1 \
             WHERE sku_id = $2 AND warehouse_id = $3 AND on_hand + $1 - reserved >= 0",
            m.qty,
            m.sku_id,
            m.warehouse_id
        )?;
        if updated == 0 {
            return Ok(false);
        }
        self.insert_move_row(m).await?;
        Ok(true)
    }

    async fn insert_move_row(&mut self, m: &NewMove) -> Result<i64, StoreError> {
        let mut b = crate::batch::Batch::new();
        let (sql, values) = crate::trade_write::move_insert(m, None);
        b.push(format!("{sql} RETURNING id"), values);
        let ids = self.run_batch_returning(&b).await?;
        ids.first().copied().ok_or_else(|| StoreError::Corrupt("stock move was not written".into()))
    }

    /// The moving-average unit cost of each SKU of `company_id` asked for (0 when it has none), in one
    /// query: what a sale shipment leaving now takes out of the cost of goods.
    pub async fn sku_costs(
        &mut self,
        company_id: i64,
        sku_ids: &[i64],
    ) -> Result<std::collections::HashMap<i64, Money>, StoreError> {
        use sqlx::Row as _;
        let mut out = std::collections::HashMap::new();
        if sku_ids.is_empty() {
            return Ok(out);
        }
        let sql = format!(
            "SELECT id, cost FROM sku WHERE company_id = $1 AND id IN ({})",
            crate::batch::marks(2, sku_ids.len())
        );
        let rows: Vec<(i64, i64)> = match self {
            Tx::Sqlite(t) => {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(false).bind(company_id);
                for id in sku_ids {
                    q = q.bind(*id);
                }
                let rows = q.fetch_all(&mut **t).await?;
                rows.iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).collect::<Result<_, sqlx::Error>>()?
            }
            Tx::Postgres(t) => {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(false).bind(company_id);
                for id in sku_ids {
                    q = q.bind(*id);
                }
                let rows = q.fetch_all(&mut **t).await?;
                rows.iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).collect::<Result<_, sqlx::Error>>()?
            }
        };
        out.extend(rows.into_iter().map(|(id, cost)| (id, Money::from_fen(cost))));
        Ok(out)
    }

    /// (sku_id, warehouse_id, on_hand, reserved) of several SKUs in every sellable warehouse, in one
    /// query.
    pub async fn balances_of(&mut self, sku_ids: &[i64]) -> Result<Vec<(i64, i64, i64, i64)>, StoreError> {
        if sku_ids.is_empty() {
            return Ok(Vec::new());
        }
        let marks: Vec<String> = (0..sku_ids.len()).map(|i| format!("${}", i + 1)).collect();
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT sku_id, warehouse_id, on_hand, reserved FROM stock_balance WHERE sku_id IN ({}) \
               AND warehouse_id IN (SELECT w.id FROM warehouse w WHERE w.sellable) \
             ORDER BY sku_id, warehouse_id",
            marks.join(", ")
        ));
        let rows = match self {
            Tx::Sqlite(t) => {
                let mut q = sqlx::query(sql);
                for id in sku_ids {
                    q = q.bind(*id);
                }
                q.fetch_all(&mut **t)
                    .await?
                    .iter()
                    .map(|r| {
                        use sqlx::Row as _;
                        Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?))
                    })
                    .collect::<Result<Vec<_>, sqlx::Error>>()?
            }
            Tx::Postgres(t) => {
                let mut q = sqlx::query(sql);
                for id in sku_ids {
                    q = q.bind(*id);
                }
                q.fetch_all(&mut **t)
                    .await?
                    .iter()
                    .map(|r| {
                        use sqlx::Row as _;
                        Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?))
                    })
                    .collect::<Result<Vec<_>, sqlx::Error>>()?
            }
        };
        Ok(rows)
    }

    /// (warehouse_id, on_hand, reserved) of one SKU in every warehouse, `first` first.
    pub async fn sku_balances(&mut self, sku_id: i64, first: Option<i64>) -> Result<Vec<(i64, i64, i64)>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT warehouse_id, on_hand, reserved FROM stock_balance WHERE sku_id = $1 \
             ORDER BY CASE WHEN warehouse_id = $2 THEN 0 ELSE 1 END, warehouse_id",
            [sku_id, first.unwrap_or(0)],
            |r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?))
        )?)
    }

    pub async fn open_reservations(&mut self, trade_id: i64) -> Result<Vec<Reservation>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT id, trade_id, order_line_id, sku_id, warehouse_id, qty FROM reservation \
             WHERE trade_id = $1 AND status = 'open' ORDER BY id",
            [trade_id],
            |r| Ok(Reservation {
                id: r.try_get("id")?,
                trade_id: r.try_get("trade_id")?,
                order_line_id: r.try_get("order_line_id")?,
                sku_id: r.try_get("sku_id")?,
                warehouse_id: r.try_get("warehouse_id")?,
                qty: r.try_get("qty")?,
            })
        )?)
    }

    pub async fn stock_lines(&mut self, f: &StockFilter) -> Result<Vec<StockLine>, StoreError> {
        let search = f.search.as_deref().map(|s| format!("%{}%", s.trim())).unwrap_or_default();
        Ok(fetch_all!(
            self,
            "SELECT b.sku_id, s.outer_sku_id, p.title, s.properties, b.warehouse_id, w.code AS warehouse_code, \
                    b.on_hand, b.reserved \
             FROM stock_balance b JOIN sku s ON s.id = b.sku_id JOIN product p ON p.id = s.product_id \
             JOIN warehouse w ON w.id = b.warehouse_id \
             WHERE b.company_id = $1 \
               AND ($2 = '' OR LOWER(s.outer_sku_id) LIKE LOWER($2) OR LOWER(p.title) LIKE LOWER($2)) \
               AND ($3 = 0 OR b.warehouse_id = $3) \
               AND ($4 = 0 OR b.sku_id = $4) \
               AND ($5 = FALSE OR b.on_hand - b.reserved <= $6) \
             ORDER BY s.outer_sku_id, w.code LIMIT $7 OFFSET $8",
            [
                f.company_id,
                &search,
                f.warehouse_id.unwrap_or(0),
                f.sku_id.unwrap_or(0),
                f.max_available.is_some(),
                f.max_available.unwrap_or(0),
                if f.limit > 0 { f.limit } else { i64::MAX },
                f.offset
            ],
            |r| {
                let on_hand: i64 = r.try_get("on_hand")?;
                let reserved: i64 = r.try_get("reserved")?;
                Ok(StockLine {
                    sku_id: r.try_get("sku_id")?,
                    outer_sku_id: r.try_get("outer_sku_id")?,
                    title: r.try_get("title")?,
                    properties: r.try_get("properties")?,
                    warehouse_id: r.try_get("warehouse_id")?,
                    warehouse_code: r.try_get("warehouse_code")?,
                    on_hand,
                    reserved,
                    available: on_hand - reserved,
                })
            }
        )?)
    }

    /// The ledger of one SKU, newest first.
    pub async fn sku_moves(&mut self, sku_id: i64, limit: i64) -> Result<Vec<StockMoveRow>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT m.id, m.sku_id, m.warehouse_id, w.code AS warehouse_code, m.qty, m.kind, m.ref_type, m.ref_id, \
                    m.unit_cost, m.note, m.user_name, m.created_at \
             FROM stock_move m JOIN warehouse w ON w.id = m.warehouse_id \
             WHERE m.sku_id = $1 ORDER BY m.id DESC LIMIT $2",
            [sku_id, limit],
            |r| {
                let kind: String = r.try_get("kind")?;
                Ok(StockMoveRow {
                    id: r.try_get("id")?,
                    sku_id: r.try_get("sku_id")?,
                    warehouse_id: r.try_get("warehouse_id")?,
                    warehouse_code: r.try_get("warehouse_code")?,
                    qty: r.try_get("qty")?,
                    kind: kind.parse::<MoveKind>().map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
                    ref_type: r.try_get("ref_type")?,
                    ref_id: r.try_get("ref_id")?,
                    unit_cost: Money::from_fen(r.try_get("unit_cost")?),
                    note: r.try_get("note")?,
                    user_name: r.try_get("user_name")?,
                    created_at: from_ts(r.try_get("created_at")?),
                })
            }
        )?)
    }

    /// Every (sku, warehouse) where the cached balance differs from the ledger or the open
    /// reservations. Empty when the books are right.
    pub async fn ledger_mismatches(&mut self, company_id: i64) -> Result<Vec<Mismatch>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT b.sku_id, b.warehouse_id, b.on_hand, b.reserved, \
                    COALESCE(m.total, 0) AS moves_sum, COALESCE(r.total, 0) AS reservations_sum \
             FROM stock_balance b \
             LEFT JOIN (SELECT sku_id, warehouse_id, CAST(SUM(qty) AS BIGINT) AS total FROM stock_move \
                        WHERE company_id = $1 GROUP BY sku_id, warehouse_id) m \
                    ON m.sku_id = b.sku_id AND m.warehouse_id = b.warehouse_id \
             LEFT JOIN (SELECT sku_id, warehouse_id, CAST(SUM(qty) AS BIGINT) AS total FROM reservation \
                        WHERE company_id = $1 AND status = 'open' GROUP BY sku_id, warehouse_id) r \
                    ON r.sku_id = b.sku_id AND r.warehouse_id = b.warehouse_id \
             WHERE b.company_id = $1 \
               AND (b.on_hand <> COALESCE(m.total, 0) OR b.reserved <> COALESCE(r.total, 0)) \
             ORDER BY b.sku_id, b.warehouse_id",
            [company_id],
            |r| Ok(Mismatch {
                sku_id: r.try_get("sku_id")?,
                warehouse_id: r.try_get("warehouse_id")?,
                on_hand: r.try_get("on_hand")?,
                moves_sum: r.try_get("moves_sum")?,
                reserved: r.try_get("reserved")?,
                reservations_sum: r.try_get("reservations_sum")?,
            })
        )?)
    }

    /// Moves not yet in any balance row (a move on a (sku, warehouse) with no balance would be a bug).
    pub async fn orphan_moves(&mut self, company_id: i64) -> Result<i64, StoreError> {
        Ok(fetch_scalar!(
            self,
            i64,
            "SELECT COUNT(*) FROM stock_move m WHERE m.company_id = $1 AND NOT EXISTS \
             (SELECT 1 FROM stock_balance b WHERE b.sku_id = m.sku_id AND b.warehouse_id = m.warehouse_id)",
            company_id
        )?)
    }
}
