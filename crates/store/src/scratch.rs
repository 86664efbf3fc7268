//! Throw-away databases for tests and benchmarks: a fresh SQLite file, or a fresh PostgreSQL
//! database created on the server named by an admin URL and dropped afterwards.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use sqlx::Connection;

use crate::{Db, StoreError};

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A database that exists only as long as its owner wants.
#[derive(Debug)]
pub struct Scratch {
    pub url: String,
    cleanup: Cleanup,
}

#[derive(Debug)]
enum Cleanup {
    File(PathBuf),
    Postgres { admin_url: String, name: String },
}

fn unique_name(prefix: &str) -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    format!("{prefix}_{}_{}_{}", std::process::id(), nanos % 1_000_000_000, n)
}

/// Replaces the database name (the path) of a PostgreSQL URL.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let host_end = base[scheme_end..].find('/').map(|i| i + scheme_end).unwrap_or(base.len());
    let mut out = format!("{}/{}", &base[..host_end], name);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

impl Scratch {
    /// A new empty SQLite database in the system's temporary directory.
    pub fn sqlite() -> Scratch {
        let path = std::env::temp_dir().join(format!("{}.db", unique_name("zhanggui")));
        Scratch { url: format!("sqlite://{}", path.display()), cleanup: Cleanup::File(path) }
    }

    /// A new empty database on the PostgreSQL server of `admin_url`.
    pub async fn postgres(admin_url: &str) -> Result<Scratch, StoreError> {
        let name = unique_name("zhanggui");
        let mut conn = sqlx::PgConnection::connect(admin_url)
            .await
            .map_err(|source| StoreError::Connect { url: admin_url.to_string(), source })?;
        let sql = sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"));
        sqlx::query(sql).execute(&mut conn).await?;
        conn.close().await?;
        Ok(Scratch {
            url: with_database(admin_url, &name),
            cleanup: Cleanup::Postgres { admin_url: admin_url.into(), name },
        })
    }

    /// Opens (and migrates) the scratch database.
    pub async fn connect(&self) -> Result<Db, StoreError> {
        Db::connect(&self.url).await
    }

    /// Removes the database. Close every pool on it first.
    pub async fn drop_now(self) -> Result<(), StoreError> {
        match &self.cleanup {
            Cleanup::File(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let mut p = path.clone().into_os_string();
                    p.push(suffix);
                    let _ = std::fs::remove_file(PathBuf::from(p));
                }
            }
            Cleanup::Postgres { admin_url, name } => {
                let mut conn = sqlx::PgConnection::connect(admin_url)
                    .await
                    .map_err(|source| StoreError::Connect { url: admin_url.clone(), source })?;
                let sql = sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
                sqlx::query(sql).execute(&mut conn).await?;
                conn.close().await?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn database_name_is_replaced() {
        assert_eq!(
            super::with_database("postgres://postgres@127.0.0.1:5432/test", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(super::with_database("postgres://u@h/db?sslmode=disable", "x"), "postgres://u@h/x?sslmode=disable");
        assert_eq!(super::with_database("postgres://u@h", "x"), "postgres://u@h/x");
    }
}
