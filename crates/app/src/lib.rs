//! Use cases of zhanggui. Each one runs inside exactly one store transaction: it either happens
//! completely or changes nothing. The web and CLI layers call only these.

pub mod after_sales;
pub mod browse;
pub mod clock;
pub mod demo;
mod error;
pub mod exports;
pub mod import;
pub mod import_bench;
pub mod lang;
pub mod ledger_bench;
pub mod purchasing;
pub mod report_bench;
pub mod reports;
pub mod settings;
pub mod setup;
pub mod stock;
pub mod stocktake;
pub mod summary;
pub mod trading;
pub mod users;

pub use error::{ErrorKind, UserFacing};
pub use lang::Lang;
pub use zhanggui_domain as domain;
pub use zhanggui_formats as formats;
pub use zhanggui_store as store;

use zhanggui_store::{Company, Db, StoreError};

/// The application: a handle on the database. Cheap to clone.
#[derive(Debug, Clone)]
pub struct App {
    pub db: Db,
    /// Morning pages computed since the data last changed (`reports::dashboard_cache`).
    dashboards: std::sync::Arc<reports::dashboard_cache::DashboardCache>,
}

/// Who acts, for which company.
#[derive(Debug, Clone)]
pub struct Actor {
    pub company_id: i64,
    /// Recorded in the ledger and trade history.
    pub user: String,
}

impl App {
    pub async fn open(url: &str) -> Result<App, StoreError> {
        Ok(App { db: Db::connect(url).await?, dashboards: Default::default() })
    }

    /// The company the user means: by code, or the only/first one.
    pub async fn company(&self, code: Option<&str>) -> Result<Option<Company>, StoreError> {
        let mut tx = self.db.begin_read().await?;
        let found = match code {
            Some(c) => tx.company_by_code(c).await?,
            None => tx.companies().await?.into_iter().next(),
        };
        tx.commit().await?;
        Ok(found)
    }
}
