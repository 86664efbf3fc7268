//! What the manager changes in the settings: shops, warehouses, the thresholds of alerts and the
//! replenishment table, and the company's time zone.

use chrono::{DateTime, Utc};
use zhanggui_domain::Platform;

use crate::{Company, StoreError, Tx, to_ts};

/// One stored threshold: the company's own (`shop_id` 0) or a shop's override.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThresholdRow {
    pub shop_id: i64,
    pub threshold: String,
    pub value: i64,
}

/// What a warehouse holds: units on hand and reserved over every SKU.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WarehouseTotals {
    pub on_hand: i64,
    pub reserved: i64,
    /// Reservations still open in it.
    pub open_reservations: i64,
}

/// A shop's editable fields.
#[derive(Debug, Clone)]
pub struct ShopFields<'a> {
    pub name: &'a str,
    pub platform: Platform,
    pub default_warehouse_id: Option<i64>,
    pub allow_oversell: bool,
    pub reserve_unpaid: bool,
    pub inventory_start_at: Option<DateTime<Utc>>,
}

impl Tx {
    /// A company by id.
    pub async fn company(&mut self, company_id: i64) -> Result<Option<Company>, StoreError> {
        Ok(fetch_optional!(self, "SELECT id, code, name, time_zone FROM company WHERE id = $1", [company_id], |r| Ok(
            Company {
                id: r.try_get("id")?,
                code: r.try_get("code")?,
                name: r.try_get("name")?,
                time_zone: r.try_get("time_zone")?,
            }
        ))?)
    }

    pub async fn set_company_time_zone(&mut self, company_id: i64, time_zone: &str) -> Result<(), StoreError> {
        exec!(self, "UPDATE company SET time_zone = $1 WHERE id = $2", time_zone, company_id)?;
        Ok(())
    }

    /// Every stored threshold of the company and its shops.
    pub async fn alert_thresholds(&mut self, company_id: i64) -> Result<Vec<ThresholdRow>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT shop_id, threshold, value FROM alert_threshold WHERE company_id = $1 ORDER BY shop_id, threshold",
            [company_id],
            |r| Ok(ThresholdRow {
                shop_id: r.try_get("shop_id")?,
                threshold: r.try_get("threshold")?,
                value: r.try_get("value")?,
            })
        )?)
    }

    /// Stores a threshold of the company (`shop_id` 0) or of one shop, replacing what was there.
    pub async fn set_alert_threshold(
        &mut self,
        company_id: i64,
        shop_id: i64,
        threshold: &str,
        value: i64,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        exec!(
            self,
            "INSERT INTO alert_threshold (company_id, shop_id, threshold, value, updated_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (company_id, shop_id, threshold) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            company_id,
            shop_id,
            threshold,
            value,
            to_ts(at)
        )?;
        Ok(())
    }

    /// Removes a stored threshold: the company's goes back to the default, a shop's to the company's.
    pub async fn clear_alert_threshold(
        &mut self,
        company_id: i64,
        shop_id: i64,
        threshold: &str,
    ) -> Result<(), StoreError> {
        exec!(
            self,
            "DELETE FROM alert_threshold WHERE company_id = $1 AND shop_id = $2 AND threshold = $3",
            company_id,
            shop_id,
            threshold
        )?;
        Ok(())
    }

    /// A shop of the company by its name.
    pub async fn shop_id_by_name(&mut self, company_id: i64, name: &str) -> Result<Option<i64>, StoreError> {
        Ok(fetch_optional!(self, "SELECT id FROM shop WHERE company_id = $1 AND name = $2", [company_id, name], |r| r
            .try_get::<i64, _>(0))?)
    }

    pub async fn update_shop(&mut self, shop_id: i64, f: &ShopFields<'_>) -> Result<(), StoreError> {
        exec!(
            self,
            "UPDATE shop SET name = $1, platform = $2, default_warehouse_id = $3, allow_oversell = $4, \
                    reserve_unpaid = $5, inventory_start_at = $6 WHERE id = $7",
            f.name,
            f.platform.code(),
            f.default_warehouse_id,
            f.allow_oversell,
            f.reserve_unpaid,
            f.inventory_start_at.map(to_ts),
            shop_id
        )?;
        Ok(())
    }

    /// Does the shop have any trade?
    pub async fn shop_has_trades(&mut self, shop_id: i64) -> Result<bool, StoreError> {
        let found = fetch_optional!(self, "SELECT id FROM trade WHERE shop_id = $1 LIMIT 1", [shop_id], |r| r
            .try_get::<i64, _>(0))?;
        Ok(found.is_some())
    }

    pub async fn update_warehouse(&mut self, warehouse_id: i64, name: &str, sellable: bool) -> Result<(), StoreError> {
        exec!(self, "UPDATE warehouse SET name = $1, sellable = $2 WHERE id = $3", name, sellable, warehouse_id)?;
        Ok(())
    }

    /// Units on hand and reserved in each warehouse of the company, by warehouse id (every warehouse, with zeros).
    pub async fn warehouse_totals(&mut self, company_id: i64) -> Result<Vec<(i64, WarehouseTotals)>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT w.id, \
                    (SELECT CAST(COALESCE(SUM(b.on_hand), 0) AS BIGINT) FROM stock_balance b WHERE b.warehouse_id = w.id), \
                    (SELECT CAST(COALESCE(SUM(b.reserved), 0) AS BIGINT) FROM stock_balance b WHERE b.warehouse_id = w.id), \
                    (SELECT COUNT(*) FROM reservation r WHERE r.warehouse_id = w.id AND r.status = 'open') \
             FROM warehouse w WHERE w.company_id = $1 ORDER BY w.id",
            [company_id],
            |r| Ok((
                r.try_get::<i64, _>(0)?,
                WarehouseTotals {
                    on_hand: r.try_get::<i64, _>(1)?,
                    reserved: r.try_get::<i64, _>(2)?,
                    open_reservations: r.try_get::<i64, _>(3)?,
                }
            ))
        )?)
    }
}
