//! A scratch SQLite database an import stages a big export in, so that memory does not grow with
//! the file: the order report and the line report are written here row by row (each record as
//! JSON, with its line number and order number), then read back a batch of trades at a time with
//! their lines. Duplicate order numbers and lines without a trade are found with SQL. The file
//! lives in the system's temporary folder and is removed when the import ends.

use crate::batch::Value;
use crate::bulk::RowInsert;
use crate::{StoreError, Tx};

/// Which staged report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Staged {
    Orders,
    Lines,
}

impl Staged {
    pub fn name(self) -> &'static str {
        match self {
            Staged::Orders => "the order report",
            Staged::Lines => "the line report",
        }
    }

    fn insert(self) -> RowInsert<'static> {
        RowInsert {
            head: match self {
                Staged::Orders => "INSERT INTO staged_order (line, tid, body) VALUES",
                Staged::Lines => "INSERT INTO staged_line (line, tid, body) VALUES",
            },
            row: "($1, $2, $3)",
            width: 3,
            tail: "",
        }
    }
}

impl Tx {
    /// The staging tables, without indexes (they are built once everything is loaded).
    pub async fn create_staging(&mut self) -> Result<(), StoreError> {
        exec!(self, "CREATE TABLE staged_order (line BIGINT PRIMARY KEY, tid TEXT NOT NULL, body TEXT NOT NULL)")?;
        exec!(self, "CREATE TABLE staged_line (line BIGINT PRIMARY KEY, tid TEXT NOT NULL, body TEXT NOT NULL)")?;
        Ok(())
    }

    /// Stages records: `(line, order number, JSON)`.
    pub async fn stage(&mut self, which: Staged, rows: &[(i64, String, String)]) -> Result<(), StoreError> {
        let values: Vec<Vec<Value>> = rows
            .iter()
            .map(|(line, tid, body)| vec![Value::from(*line), Value::from(tid.as_str()), Value::from(body.as_str())])
            .collect();
        self.insert_rows(&which.insert(), &values).await?;
        Ok(())
    }

    /// Indexes the staged reports by order number; then marks the first row of every order number.
    pub async fn index_staging(&mut self) -> Result<(), StoreError> {
        exec!(self, "CREATE INDEX staged_order_tid ON staged_order (tid, line)")?;
        exec!(self, "CREATE INDEX staged_line_tid ON staged_line (tid, line)")?;
        // Declared, not `CREATE TABLE AS`: a column without a declared type has no affinity, and
        // SQLite would then not use its index to compare it with `staged_order.line`.
        exec!(self, "CREATE TABLE staged_first (line BIGINT PRIMARY KEY)")?;
        exec!(self, "INSERT INTO staged_first (line) SELECT MIN(line) FROM staged_order GROUP BY tid")?;
        Ok(())
    }

    /// Rows of the order report whose order number an earlier row already has: `(line, tid, first line)`.
    pub async fn staged_duplicates(&mut self) -> Result<Vec<(i64, String, i64)>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT o.line, o.tid, (SELECT MIN(x.line) FROM staged_order x WHERE x.tid = o.tid) AS first_line \
             FROM staged_order o WHERE NOT EXISTS (SELECT 1 FROM staged_first f WHERE f.line = o.line) ORDER BY o.line",
            [],
            |r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?))
        )?)
    }

    /// Lines whose order number is not in the order report: `(line, JSON)`.
    pub async fn staged_orphan_lines(&mut self) -> Result<Vec<(i64, String)>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT l.line, l.body FROM staged_line l \
             WHERE NOT EXISTS (SELECT 1 FROM staged_order o WHERE o.tid = l.tid) ORDER BY l.line",
            [],
            |r| Ok((r.try_get(0)?, r.try_get(1)?))
        )?)
    }

    /// The next `limit` orders after file line `after` (first rows of their order number only), as
    /// `(line, JSON)`.
    pub async fn staged_orders_after(&mut self, after: i64, limit: i64) -> Result<Vec<(i64, String)>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT o.line, o.body FROM staged_first f JOIN staged_order o ON o.line = f.line \
             WHERE f.line > $1 ORDER BY f.line LIMIT $2",
            [after, limit],
            |r| Ok((r.try_get(0)?, r.try_get(1)?))
        )?)
    }

    /// The staged lines of the orders between two file lines of the order report (inclusive), in
    /// file order, as `(tid, JSON)`.
    pub async fn staged_lines_of_orders(&mut self, from: i64, to: i64) -> Result<Vec<(String, String)>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT l.tid, l.body FROM staged_first f JOIN staged_order o ON o.line = f.line \
             JOIN staged_line l ON l.tid = o.tid WHERE f.line BETWEEN $1 AND $2 ORDER BY l.line",
            [from, to],
            |r| Ok((r.try_get(0)?, r.try_get(1)?))
        )?)
    }
}
