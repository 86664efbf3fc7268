//! Several statements sent together. On SQLite they travel as one command to the connection's
//! thread (one round trip instead of one per statement, which is most of the cost of a small write);
//! on PostgreSQL they run one after the other in the same transaction. Either way they are part of
//! the caller's transaction: a batch that fails leaves the transaction to be rolled back.
//!
//! The SQLite path relies on sqlx 0.9 running every statement of a multi-statement query with `$n`
//! binds numbered across the whole text; the version is pinned in Cargo.toml.

use crate::{StoreError, Tx};

/// A bind value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Value {
    Int(Option<i64>),
    Text(Option<String>),
    Bool(Option<bool>),
}

impl From<i64> for Value {
    fn from(v: i64) -> Value {
        Value::Int(Some(v))
    }
}
impl From<Option<i64>> for Value {
    fn from(v: Option<i64>) -> Value {
        Value::Int(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Value {
        Value::Text(Some(v.to_string()))
    }
}
impl From<&String> for Value {
    fn from(v: &String) -> Value {
        Value::Text(Some(v.clone()))
    }
}
impl From<String> for Value {
    fn from(v: String) -> Value {
        Value::Text(Some(v))
    }
}
impl From<Option<&str>> for Value {
    fn from(v: Option<&str>) -> Value {
        Value::Text(v.map(str::to_string))
    }
}
impl From<bool> for Value {
    fn from(v: bool) -> Value {
        Value::Bool(Some(v))
    }
}
impl From<Option<bool>> for Value {
    fn from(v: Option<bool>) -> Value {
        Value::Bool(v)
    }
}

/// Builds a list of bind values: `args![a, b, c]`.
#[macro_export]
macro_rules! args {
    ($($v:expr),* $(,)?) => { vec![$($crate::batch::Value::from($v)),*] };
}

/// Statements to run together; each numbers its own placeholders from `$1`.
#[derive(Debug, Default, Clone)]
pub struct Batch {
    parts: Vec<(String, Vec<Value>)>,
}

/// What a batch did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct BatchResult {
    /// Rows changed by all statements together.
    pub rows_affected: u64,
    /// The first column of every row the statements returned (RETURNING id, a final SELECT).
    pub ids: Vec<i64>,
}

impl Batch {
    pub fn new() -> Batch {
        Batch::default()
    }

    pub fn push(&mut self, sql: impl Into<String>, args: Vec<Value>) -> &mut Batch {
        self.parts.push((sql.into(), args));
        self
    }

    pub fn is_empty(&self) -> bool {
        self.parts.is_empty()
    }

    pub fn len(&self) -> usize {
        self.parts.len()
    }

    /// One SQL text for all parts in SQLite's positional form (see [`positional`]), with the values
    /// bound in the order of the `?`s; each part's `$n` refers to its own values.
    fn positional(&self) -> (String, Vec<&Value>) {
        let mut sql = String::with_capacity(self.parts.iter().map(|(t, _)| t.len() + 2).sum());
        let mut bound = Vec::with_capacity(self.parts.iter().map(|(_, a)| a.len()).sum());
        for (text, part_args) in &self.parts {
            if !sql.is_empty() {
                sql.push_str(";\n");
            }
            push_positional(&mut sql, &mut bound, text, |k| part_args.get(k));
        }
        (sql, bound)
    }
}

/// SQLite looks a named parameter (`$n`) up in a list, once per use when preparing and once per
/// bind, which costs time in the square of the number of parameters: a multi-row insert with
/// thousands of binds spends nearly all its time there. Anonymous `?` parameters are numbered by
/// position at no such cost, so statements with many binds go to SQLite in this form: every `$n` is
/// replaced by `?` and its value is bound at that position (repeated where `$n` repeats).
pub(crate) fn positional<'v>(sql: &str, args: &[&'v Value]) -> (String, Vec<&'v Value>) {
    let mut out = String::with_capacity(sql.len());
    let mut bound = Vec::with_capacity(args.len());
    push_positional(&mut out, &mut bound, sql, |k| args.get(k).copied());
    (out, bound)
}

/// Appends `sql` to `out` with every `$n` turned into `?`, and `arg(n - 1)` (NULL when there is
/// none) to `bound` for each.
fn push_positional<'v>(
    out: &mut String,
    bound: &mut Vec<&'v Value>,
    sql: &str,
    arg: impl Fn(usize) -> Option<&'v Value>,
) {
    let bytes = sql.as_bytes();
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'$' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
            out.push_str(&sql[copied..i]);
            let mut n = 0usize;
            i += 1;
            while let Some(d) = bytes.get(i).filter(|d| d.is_ascii_digit()) {
                n = n * 10 + usize::from(d - b'0');
                i += 1;
            }
            out.push('?');
            bound.push(n.checked_sub(1).and_then(&arg).unwrap_or(&NULL));
            copied = i;
        } else {
            i += 1;
        }
    }
    out.push_str(&sql[copied..]);
}

/// Placeholders `$from, $from+1, ...`, `n` of them, for an `IN (...)` list.
pub(crate) fn marks(from: usize, n: usize) -> String {
    (0..n).map(|i| format!("${}", from + i)).collect::<Vec<_>>().join(", ")
}

static NULL: Value = Value::Int(None);

/// Adds `offset` to every `$n` placeholder of `sql` (the statements here hold no string literal
/// with a `$` in it).
pub(crate) fn shift_placeholders(sql: &str, offset: usize) -> String {
    if offset == 0 {
        return sql.to_string();
    }
    let mut out = String::with_capacity(sql.len() + 8);
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(|d| d.is_ascii_digit()) {
            let mut n = 0usize;
            while let Some(d) = chars.peek().and_then(|d| d.to_digit(10)) {
                n = n * 10 + d as usize;
                chars.next();
            }
            out.push('$');
            out.push_str(&(n + offset).to_string());
        } else {
            out.push(c);
        }
    }
    out
}

#[macro_export]
#[doc(hidden)]
macro_rules! bind_values {
    ($q:expr, $args:expr) => {{
        let mut q = $q;
        for v in $args {
            q = match v {
                $crate::batch::Value::Int(x) => q.bind(*x),
                $crate::batch::Value::Text(x) => q.bind(x.clone()),
                $crate::batch::Value::Bool(x) => q.bind(*x),
            };
        }
        q
    }};
}

impl Tx {
    /// Runs every statement of the batch, in order; returns the rows they changed together.
    pub async fn run_batch(&mut self, batch: &Batch) -> Result<u64, StoreError> {
        if batch.is_empty() {
            return Ok(0);
        }
        match self {
            Tx::Sqlite(t) => {
                let (sql, args) = batch.positional();
                let q = bind_values!(sqlx::query(sqlx::AssertSqlSafe(sql)), args);
                Ok(q.execute(&mut **t).await?.rows_affected())
            }
            Tx::Postgres(t) => {
                let mut n = 0;
                for (sql, args) in &batch.parts {
                    let q = bind_values!(sqlx::query(sqlx::AssertSqlSafe(sql.clone())), args.iter());
                    n += q.execute(&mut **t).await?.rows_affected();
                }
                Ok(n)
            }
        }
    }

    /// Runs every statement of the batch, in order; returns the first column of every row they
    /// returned (a `RETURNING id`, a final `SELECT`).
    pub async fn run_batch_returning(&mut self, batch: &Batch) -> Result<Vec<i64>, StoreError> {
        use sqlx::Row;
        if batch.is_empty() {
            return Ok(Vec::new());
        }
        let mut ids = Vec::new();
        match self {
            Tx::Sqlite(t) => {
                let (sql, args) = batch.positional();
                let q = bind_values!(sqlx::query(sqlx::AssertSqlSafe(sql)), args);
                for row in q.fetch_all(&mut **t).await? {
                    ids.push(row.try_get::<i64, _>(0)?);
                }
            }
            Tx::Postgres(t) => {
                for (sql, args) in &batch.parts {
                    let q = bind_values!(sqlx::query(sqlx::AssertSqlSafe(sql.clone())), args.iter());
                    for row in q.fetch_all(&mut **t).await? {
                        ids.push(row.try_get::<i64, _>(0)?);
                    }
                }
            }
        }
        Ok(ids)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_shift_past_earlier_parts() {
        assert_eq!(shift_placeholders("UPDATE t SET a = $1 WHERE id = $2", 3), "UPDATE t SET a = $4 WHERE id = $5");
        assert_eq!(shift_placeholders("SELECT $10, $1", 5), "SELECT $15, $6");
        assert_eq!(shift_placeholders("SELECT '$' || $1", 0), "SELECT '$' || $1");
        let mut b = Batch::new();
        b.push("INSERT INTO x VALUES ($1, $2)", args![1i64, "a"]);
        b.push("UPDATE y SET v = $1", args![true]);
        b.push("SELECT $2, $1, 'é$'", args![5i64, "c"]);
        let (sql, args) = b.positional();
        assert_eq!(sql, "INSERT INTO x VALUES (?, ?);\nUPDATE y SET v = ?;\nSELECT ?, ?, 'é$'");
        assert_eq!(
            args,
            vec![&Value::from(1i64), &Value::from("a"), &Value::from(true), &Value::from("c"), &Value::from(5i64)]
        );
        let one = Value::from(1i64);
        let two = Value::from("b");
        let (sql, bound) = positional("SELECT $2, $1, $2", &[&one, &two]);
        assert_eq!(sql, "SELECT ?, ?, ?");
        assert_eq!(bound, vec![&two, &one, &two]);
    }
}
