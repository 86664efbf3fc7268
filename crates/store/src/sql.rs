//! Macros that run one query text on whichever backend a [`crate::Tx`] holds.
//!
//! Each expands to a `match` with one arm per backend, so binds and row decoding are type-checked for
//! both drivers; a query is written once.

/// Executes a statement; evaluates to `Result<u64, sqlx::Error>` (rows affected).
macro_rules! exec {
    ($tx:expr, $sql:expr $(, $arg:expr)* $(,)?) => {
        match $tx {
            $crate::Tx::Sqlite(t) => sqlx::query($sql)$(.bind($arg))*.execute(&mut **t).await.map(|r| r.rows_affected()),
            $crate::Tx::Postgres(t) => sqlx::query($sql)$(.bind($arg))*.execute(&mut **t).await.map(|r| r.rows_affected()),
        }
    };
}

/// Fetches all rows and maps each with `|row| expr` (where `expr` is a `Result<T, sqlx::Error>`);
/// evaluates to `Result<Vec<T>, sqlx::Error>`.
macro_rules! fetch_all {
    ($tx:expr, $sql:expr, [$($arg:expr),* $(,)?], |$row:ident| $body:expr) => {
        match $tx {
            $crate::Tx::Sqlite(t) => {
                match sqlx::query($sql)$(.bind($arg))*.fetch_all(&mut **t).await {
                    Ok(rows) => rows.iter().map(|$row| { #[allow(unused_imports)] use sqlx::Row as _; $body }).collect::<Result<Vec<_>, sqlx::Error>>(),
                    Err(e) => Err(e),
                }
            }
            $crate::Tx::Postgres(t) => {
                match sqlx::query($sql)$(.bind($arg))*.fetch_all(&mut **t).await {
                    Ok(rows) => rows.iter().map(|$row| { #[allow(unused_imports)] use sqlx::Row as _; $body }).collect::<Result<Vec<_>, sqlx::Error>>(),
                    Err(e) => Err(e),
                }
            }
        }
    };
}

/// Fetches at most one row; evaluates to `Result<Option<T>, sqlx::Error>`.
macro_rules! fetch_optional {
    ($tx:expr, $sql:expr, [$($arg:expr),* $(,)?], |$row:ident| $body:expr) => {
        match $tx {
            $crate::Tx::Sqlite(t) => {
                match sqlx::query($sql)$(.bind($arg))*.fetch_optional(&mut **t).await {
                    Ok(Some(r)) => { let $row = &r; #[allow(unused_imports)] use sqlx::Row as _; ($body).map(Some) }
                    Ok(None) => Ok(None),
                    Err(e) => Err(e),
                }
            }
            $crate::Tx::Postgres(t) => {
                match sqlx::query($sql)$(.bind($arg))*.fetch_optional(&mut **t).await {
                    Ok(Some(r)) => { let $row = &r; #[allow(unused_imports)] use sqlx::Row as _; ($body).map(Some) }
                    Ok(None) => Ok(None),
                    Err(e) => Err(e),
                }
            }
        }
    };
}

/// Fetches one scalar of type `$ty` from the first column of exactly one row.
macro_rules! fetch_scalar {
    ($tx:expr, $ty:ty, $sql:expr $(, $arg:expr)* $(,)?) => {
        match $tx {
            $crate::Tx::Sqlite(t) => sqlx::query_scalar::<_, $ty>($sql)$(.bind($arg))*.fetch_one(&mut **t).await,
            $crate::Tx::Postgres(t) => sqlx::query_scalar::<_, $ty>($sql)$(.bind($arg))*.fetch_one(&mut **t).await,
        }
    };
}
