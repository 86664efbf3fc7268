//! Many rows per statement, for loading exports and history: multi-row `INSERT ... VALUES` built
//! from a row template, chunked under both backends' limits on bind parameters.

use crate::batch::{Value, positional, shift_placeholders};
use crate::{StoreError, Tx};

/// Binds per statement: under SQLite's 32,766 and PostgreSQL's 65,535.
const MAX_BINDS: usize = 30_000;

/// Rows to insert with one template: `head` is `INSERT INTO t (a, b, c) VALUES`, `row` is the text of
/// one row with its own placeholders `$1..$width` (it may hold sub-queries, e.g. a trade id looked up
/// by its order number), and `tail` follows the last row (`ON CONFLICT ...`, `RETURNING ...`).
#[derive(Debug, Clone)]
pub struct RowInsert<'a> {
    pub head: &'a str,
    pub row: &'a str,
    pub width: usize,
    pub tail: &'a str,
}

impl RowInsert<'_> {
    fn sql(&self, rows: usize) -> String {
        let mut sql = String::with_capacity(self.head.len() + rows * (self.row.len() + 8) + self.tail.len());
        sql.push_str(self.head);
        for i in 0..rows {
            sql.push_str(if i == 0 { " " } else { ", " });
            sql.push_str(&shift_placeholders(self.row, i * self.width));
        }
        sql.push(' ');
        sql.push_str(self.tail);
        sql
    }

    fn rows_per_statement(&self) -> usize {
        (MAX_BINDS / self.width.max(1)).max(1)
    }
}

impl Tx {
    /// Inserts every row; returns the rows changed.
    pub async fn insert_rows(&mut self, ins: &RowInsert<'_>, rows: &[Vec<Value>]) -> Result<u64, StoreError> {
        let mut n = 0;
        let full = ins.rows_per_statement();
        for chunk in rows.chunks(full) {
            let sql = ins.sql(chunk.len());
            let args: Vec<&Value> = chunk.iter().flatten().collect();
            // Only the full-size statement is worth keeping prepared: the last, shorter chunk has
            // a text of its own each time, and a kept statement of thousands of binds is large.
            let keep = chunk.len() == full;
            n += match self {
                Tx::Sqlite(t) => {
                    let (sql, args) = positional(&sql, &args);
                    crate::bind_values!(sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(keep), args)
                        .execute(&mut **t)
                        .await?
                        .rows_affected()
                }
                Tx::Postgres(t) => crate::bind_values!(sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(keep), args)
                    .execute(&mut **t)
                    .await?
                    .rows_affected(),
            };
        }
        Ok(n)
    }

    /// Inserts every row with `tail` = `RETURNING id, <text key>`; returns (id, key) per inserted row.
    pub async fn insert_rows_returning(
        &mut self,
        ins: &RowInsert<'_>,
        rows: &[Vec<Value>],
    ) -> Result<Vec<(i64, String)>, StoreError> {
        use sqlx::Row as _;
        let mut out = Vec::with_capacity(rows.len());
        let full = ins.rows_per_statement();
        for chunk in rows.chunks(full) {
            let sql = ins.sql(chunk.len());
            let args = chunk.iter().flatten();
            let keep = chunk.len() == full;
            match self {
                Tx::Sqlite(t) => {
                    let refs: Vec<&Value> = args.collect();
                    let (sql, args) = positional(&sql, &refs);
                    for r in crate::bind_values!(sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(keep), args)
                        .fetch_all(&mut **t)
                        .await?
                    {
                        out.push((r.try_get(0)?, r.try_get(1)?));
                    }
                }
                Tx::Postgres(t) => {
                    for r in crate::bind_values!(sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(keep), args)
                        .fetch_all(&mut **t)
                        .await?
                    {
                        out.push((r.try_get(0)?, r.try_get(1)?));
                    }
                }
            }
        }
        Ok(out)
    }

    /// Adds signed deltas to (sku, warehouse) balances: `on_hand` or `reserved`, one statement per
    /// chunk whatever the number of SKUs.
    pub async fn add_to_balances(
        &mut self,
        column: BalanceColumn,
        deltas: &[(i64, i64, i64)],
    ) -> Result<(), StoreError> {
        let col = match column {
            BalanceColumn::OnHand => "on_hand",
            BalanceColumn::Reserved => "reserved",
        };
        for chunk in deltas.chunks(MAX_BINDS / 3) {
            let mut values = String::new();
            let mut args: Vec<Value> = Vec::with_capacity(chunk.len() * 3);
            for (i, (sku, wh, d)) in chunk.iter().enumerate() {
                if i > 0 {
                    values.push_str(", ");
                }
                let base = i * 3;
                values.push_str(&format!(
                    "(CAST(${} AS BIGINT), CAST(${} AS BIGINT), CAST(${} AS BIGINT))",
                    base + 1,
                    base + 2,
                    base + 3
                ));
                args.extend([Value::from(*sku), Value::from(*wh), Value::from(*d)]);
            }
            let sql = format!(
                "WITH d (sku_id, warehouse_id, delta) AS (VALUES {values}) \
                 UPDATE stock_balance SET {col} = {col} + \
                    (SELECT COALESCE(SUM(d.delta), 0) FROM d WHERE d.sku_id = stock_balance.sku_id AND d.warehouse_id = stock_balance.warehouse_id) \
                 WHERE EXISTS (SELECT 1 FROM d WHERE d.sku_id = stock_balance.sku_id AND d.warehouse_id = stock_balance.warehouse_id)"
            );
            match self {
                Tx::Sqlite(t) => {
                    let refs: Vec<&Value> = args.iter().collect();
                    let (sql, args) = positional(&sql, &refs);
                    crate::bind_values!(sqlx::query(sqlx::AssertSqlSafe(sql)), args).execute(&mut **t).await?;
                }
                Tx::Postgres(t) => {
                    crate::bind_values!(sqlx::query(sqlx::AssertSqlSafe(sql)), args.iter()).execute(&mut **t).await?;
                }
            }
        }
        Ok(())
    }
}

/// Which figure of a balance to change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BalanceColumn {
    OnHand,
    Reserved,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_numbered_in_turn() {
        let ins = RowInsert { head: "INSERT INTO t (a, b) VALUES", row: "($1, $2)", width: 2, tail: "RETURNING id" };
        assert_eq!(ins.sql(3), "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4), ($5, $6) RETURNING id");
        let wide = RowInsert { head: "", row: "", width: 40, tail: "" };
        assert_eq!(wide.rows_per_statement(), 750);
    }
}
