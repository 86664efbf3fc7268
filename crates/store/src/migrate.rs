//! Versioned SQL migrations, one folder per backend, embedded in the binary and applied on start.

use crate::{Db, StoreError, Tx};

struct Migration {
    version: i64,
    name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "foundation",
        sqlite: include_str!("../migrations/sqlite/0001_foundation.sql"),
        postgres: include_str!("../migrations/postgres/0001_foundation.sql"),
    },
    Migration {
        version: 2,
        name: "imports",
        sqlite: include_str!("../migrations/sqlite/0002_imports.sql"),
        postgres: include_str!("../migrations/postgres/0002_imports.sql"),
    },
    Migration {
        version: 3,
        name: "summaries",
        sqlite: include_str!("../migrations/sqlite/0003_summaries.sql"),
        postgres: include_str!("../migrations/postgres/0003_summaries.sql"),
    },
    Migration {
        version: 4,
        name: "users",
        sqlite: include_str!("../migrations/sqlite/0004_users.sql"),
        postgres: include_str!("../migrations/postgres/0004_users.sql"),
    },
    Migration {
        version: 5,
        name: "purchasing",
        sqlite: include_str!("../migrations/sqlite/0005_purchasing.sql"),
        postgres: include_str!("../migrations/postgres/0005_purchasing.sql"),
    },
    Migration {
        version: 6,
        name: "stocktake",
        sqlite: include_str!("../migrations/sqlite/0006_stocktake.sql"),
        postgres: include_str!("../migrations/postgres/0006_stocktake.sql"),
    },
    Migration {
        version: 7,
        name: "after_sales",
        sqlite: include_str!("../migrations/sqlite/0007_after_sales.sql"),
        postgres: include_str!("../migrations/postgres/0007_after_sales.sql"),
    },
    Migration {
        version: 8,
        name: "settings",
        sqlite: include_str!("../migrations/sqlite/0008_settings.sql"),
        postgres: include_str!("../migrations/postgres/0008_settings.sql"),
    },
    Migration {
        version: 9,
        name: "cost_of_goods",
        sqlite: include_str!("../migrations/sqlite/0009_cost_of_goods.sql"),
        postgres: include_str!("../migrations/postgres/0009_cost_of_goods.sql"),
    },
    Migration {
        version: 10,
        name: "report_reads",
        sqlite: include_str!("../migrations/sqlite/0010_report_reads.sql"),
        postgres: include_str!("../migrations/postgres/0010_report_reads.sql"),
    },
    Migration {
        version: 11,
        name: "buyer_lookup",
        sqlite: include_str!("../migrations/sqlite/0011_buyer_lookup.sql"),
        postgres: include_str!("../migrations/postgres/0011_buyer_lookup.sql"),
    },
    Migration {
        version: 12,
        name: "buyer_days",
        sqlite: include_str!("../migrations/sqlite/0012_buyer_days.sql"),
        postgres: include_str!("../migrations/postgres/0012_buyer_days.sql"),
    },
    Migration {
        version: 13,
        name: "goods_cost",
        sqlite: include_str!("../migrations/sqlite/0013_goods_cost.sql"),
        postgres: include_str!("../migrations/postgres/0013_goods_cost.sql"),
    },
];

impl Db {
    /// Applies every migration not applied yet, each in its own transaction.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        if let Tx::Postgres(t) = &mut *tx {
            // Two processes starting at once must not both migrate.
            sqlx::query("SELECT pg_advisory_xact_lock(7218201)").execute(&mut **t).await?;
        }
        exec!(
            &mut *tx,
            "CREATE TABLE IF NOT EXISTS schema_migration (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)"
        )?;
        let applied: Vec<i64> =
            fetch_all!(&mut *tx, "SELECT version FROM schema_migration", [], |r| r.try_get::<i64, _>(0))?;
        for m in MIGRATIONS {
            if applied.contains(&m.version) {
                continue;
            }
            let err = |source| StoreError::Migration { version: m.version, name: m.name, source };
            match &mut *tx {
                Tx::Sqlite(t) => sqlx::raw_sql(m.sqlite).execute(&mut **t).await.map(|_| ()).map_err(err)?,
                Tx::Postgres(t) => sqlx::raw_sql(m.postgres).execute(&mut **t).await.map(|_| ()).map_err(err)?,
            };
            exec!(
                &mut *tx,
                "INSERT INTO schema_migration (version, name, applied_at) VALUES ($1, $2, $3)",
                m.version,
                m.name,
                chrono::Utc::now().timestamp()
            )?;
        }
        // Summaries a migration changed are rebuilt from the raw rows before anyone reads them.
        let due: Vec<i64> =
            fetch_all!(&mut *tx, "SELECT company_id FROM summary_rebuild_due ORDER BY company_id", [], |r| r
                .try_get::<i64, _>(0))?;
        for company_id in due {
            tx.rebuild_summaries(company_id).await?;
        }
        tx.commit().await
    }
}
