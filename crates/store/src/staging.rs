//! A scratch SQLite database an import stages a big export in, so that memory does not grow with
//! the file: the line report is written here row by row (each record as JSON, with its line number
//! and order number), then the order report is read a batch of trades at a time and each batch
//! takes its lines from here. The order numbers met so far are kept here too: a repeated order
//! number is found with them, and so are lines whose trade is not in the order report. The file
//! lives in the system's temporary folder and is removed when the import ends.

use crate::batch::{Value, marks};
use crate::bulk::RowInsert;
use crate::{StoreError, Tx};

/// Which staged report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Staged {
    Lines,
}

impl Staged {
    pub fn name(self) -> &'static str {
        match self {
            Staged::Lines => "the line report",
        }
    }

    fn insert(self) -> RowInsert<'static> {
        RowInsert {
            head: match self {
                Staged::Lines => "INSERT INTO staged_line (line, tid, body) VALUES",
            },
            row: "($1, $2, $3)",
            width: 3,
            tail: "",
        }
    }
}

impl Tx {
    /// The staging tables; the lines' index is built once they are all loaded.
    pub async fn create_staging(&mut self) -> Result<(), StoreError> {
        exec!(self, "CREATE TABLE staged_line (line BIGINT PRIMARY KEY, tid TEXT NOT NULL, body TEXT NOT NULL)")?;
        exec!(self, "CREATE TABLE staged_seen (tid TEXT PRIMARY KEY, line BIGINT NOT NULL)")?;
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

    /// Indexes the staged lines by order number. Building the index sorts every staged line: the
    /// sort spills to a file on disk past the page cache's size, instead of to memory (where the
    /// scratch file keeps its other temporary tables, small ones that queries build on the way),
    /// so the import's memory does not grow with the line report.
    pub async fn index_staging(&mut self) -> Result<(), StoreError> {
        let on_sqlite = matches!(self, Tx::Sqlite(_));
        if on_sqlite {
            exec!(self, "PRAGMA temp_store = FILE")?;
        }
        exec!(self, "CREATE INDEX staged_line_tid ON staged_line (tid, line)")?;
        if on_sqlite {
            exec!(self, "PRAGMA temp_store = MEMORY")?;
        }
        Ok(())
    }

    /// How many trades the staged lines belong to.
    pub async fn staged_line_trades(&mut self) -> Result<i64, StoreError> {
        Ok(fetch_scalar!(self, i64, "SELECT COUNT(*) FROM (SELECT DISTINCT tid FROM staged_line) AS t")?)
    }

    /// Records the order numbers of a batch of the order report, `(tid, line)`, each met for the
    /// first time in the batch; returns those an earlier batch already had, with the line where.
    pub async fn stage_seen(&mut self, rows: &[(&str, i64)]) -> Result<Vec<(String, i64)>, StoreError> {
        let mut earlier = Vec::new();
        for chunk in rows.chunks(IN_CHUNK) {
            let tids: Vec<&str> = chunk.iter().map(|(t, _)| *t).collect();
            let sql = format!("SELECT tid, line FROM staged_seen WHERE tid IN ({})", marks(1, tids.len()));
            let a: Vec<Value> = tids.iter().map(|t| Value::from(*t)).collect();
            earlier.extend(self.fetch_text_int(&sql, &a).await?);
        }
        let known: std::collections::HashSet<&str> = earlier.iter().map(|(t, _)| t.as_str()).collect();
        let fresh: Vec<Vec<Value>> = rows
            .iter()
            .filter(|(t, _)| !known.contains(t))
            .map(|(t, line)| vec![Value::from(*t), Value::from(*line)])
            .collect();
        self.insert_rows(
            &RowInsert { head: "INSERT INTO staged_seen (tid, line) VALUES", row: "($1, $2)", width: 2, tail: "" },
            &fresh,
        )
        .await?;
        Ok(earlier)
    }

    /// The staged lines of the given order numbers, in file order, as `(tid, JSON)`.
    pub async fn staged_lines_of(&mut self, tids: &[&str]) -> Result<Vec<(i64, String, String)>, StoreError> {
        use sqlx::Row as _;
        let mut out = Vec::new();
        for chunk in tids.chunks(IN_CHUNK) {
            let sql = format!("SELECT line, tid, body FROM staged_line WHERE tid IN ({})", marks(1, chunk.len()));
            let a: Vec<Value> = chunk.iter().map(|t| Value::from(*t)).collect();
            let refs: Vec<&Value> = a.iter().collect();
            let (sql, args) = crate::batch::positional(&sql, &refs);
            let rows = match self {
                Tx::Sqlite(t) => crate::bind_values!(sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(false), args)
                    .fetch_all(&mut **t)
                    .await?
                    .into_iter()
                    .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
                    .collect::<Result<Vec<(i64, String, String)>, sqlx::Error>>()?,
                Tx::Postgres(_) => return Err(StoreError::Corrupt("staging is SQLite only".into())),
            };
            out.extend(rows);
        }
        out.sort_by_key(|r| r.0);
        Ok(out)
    }

    /// Lines whose order number is not in the order report: `(line, JSON)`.
    pub async fn staged_orphan_lines(&mut self) -> Result<Vec<(i64, String)>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT l.line, l.body FROM staged_line l \
             WHERE NOT EXISTS (SELECT 1 FROM staged_seen o WHERE o.tid = l.tid) ORDER BY l.line",
            [],
            |r| Ok((r.try_get(0)?, r.try_get(1)?))
        )?)
    }

    async fn fetch_text_int(&mut self, sql: &str, a: &[Value]) -> Result<Vec<(String, i64)>, StoreError> {
        use sqlx::Row as _;
        let refs: Vec<&Value> = a.iter().collect();
        let (sql, args) = crate::batch::positional(sql, &refs);
        match self {
            Tx::Sqlite(t) => Ok(crate::bind_values!(sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(false), args)
                .fetch_all(&mut **t)
                .await?
                .into_iter()
                .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
                .collect::<Result<Vec<_>, sqlx::Error>>()?),
            Tx::Postgres(_) => Err(StoreError::Corrupt("staging is SQLite only".into())),
        }
    }
}

/// Order numbers per `IN (...)` list.
const IN_CHUNK: usize = 2_000;
