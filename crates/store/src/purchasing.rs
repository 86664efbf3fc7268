//! Purchase orders and their receipts (the workflows come with the purchasing issue).

use chrono::{DateTime, Utc};

use crate::{StoreError, Tx, to_ts};

#[derive(Debug, Clone)]
pub struct NewPurchaseOrder {
    pub company_id: i64,
    pub code: String,
    pub supplier_id: i64,
    pub warehouse_id: i64,
    pub status: &'static str,
    pub ordered_at: Option<DateTime<Utc>>,
    pub expected_at: Option<DateTime<Utc>>,
    pub note: String,
}

/// Purchase order statuses.
pub mod po_status {
    pub const DRAFT: &str = "draft";
    pub const ORDERED: &str = "ordered";
    pub const PARTIALLY_RECEIVED: &str = "partially_received";
    pub const RECEIVED: &str = "received";
    pub const CANCELLED: &str = "cancelled";
}

impl Tx {
    pub async fn insert_purchase_order(&mut self, po: &NewPurchaseOrder, at: DateTime<Utc>) -> Result<i64, StoreError> {
        Ok(fetch_scalar!(
            self,
            i64,
            "INSERT INTO purchase_order (company_id, code, supplier_id, warehouse_id, status, ordered_at, expected_at, note, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            po.company_id,
            &po.code,
            po.supplier_id,
            po.warehouse_id,
            po.status,
            po.ordered_at.map(to_ts),
            po.expected_at.map(to_ts),
            &po.note,
            to_ts(at)
        )?)
    }

    pub async fn insert_purchase_order_line(
        &mut self,
        company_id: i64,
        po_id: i64,
        sku_id: i64,
        qty_ordered: i64,
        unit_cost: i64,
        expected_at: Option<DateTime<Utc>>,
    ) -> Result<i64, StoreError> {
        Ok(fetch_scalar!(
            self,
            i64,
            "INSERT INTO purchase_order_line (company_id, purchase_order_id, sku_id, qty_ordered, unit_cost, expected_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            company_id,
            po_id,
            sku_id,
            qty_ordered,
            unit_cost,
            expected_at.map(to_ts)
        )?)
    }

    pub async fn add_received(&mut self, po_line_id: i64, qty: i64) -> Result<(), StoreError> {
        exec!(self, "UPDATE purchase_order_line SET qty_received = qty_received + $1 WHERE id = $2", qty, po_line_id)?;
        Ok(())
    }

    pub async fn set_purchase_order_status(&mut self, po_id: i64, status: &str) -> Result<(), StoreError> {
        exec!(self, "UPDATE purchase_order SET status = $1 WHERE id = $2", status, po_id)?;
        Ok(())
    }

    /// in_transit per SKU = ordered − received on open purchase orders.
    pub async fn in_transit(&mut self, company_id: i64) -> Result<Vec<(i64, i64)>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT l.sku_id, CAST(SUM(l.qty_ordered - l.qty_received) AS BIGINT) AS qty \
             FROM purchase_order_line l JOIN purchase_order o ON o.id = l.purchase_order_id \
             WHERE o.company_id = $1 AND o.status IN ('ordered', 'partially_received') \
               AND l.qty_ordered > l.qty_received \
             GROUP BY l.sku_id",
            [company_id],
            |r| Ok((r.try_get(0)?, r.try_get(1)?))
        )?)
    }
}
