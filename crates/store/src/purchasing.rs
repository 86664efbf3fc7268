//! Suppliers, purchase orders, their lines and receipts, and the expected arrivals they make.

use chrono::{DateTime, Utc};
use serde::Serialize;
use zhanggui_domain::{Money, PurchaseStatus};

use crate::{StoreError, Tx, from_ts, to_ts};

/// A supplier (供应商) with the terms replenishment uses.
#[derive(Debug, Clone, Serialize)]
pub struct SupplierRow {
    pub id: i64,
    pub name: String,
    pub contact: String,
    pub phone: String,
    pub lead_time_days: i64,
    pub pack_size: i64,
}

/// A purchase order with its totals.
#[derive(Debug, Clone, Serialize)]
pub struct PurchaseOrderRow {
    pub id: i64,
    pub code: String,
    pub supplier_id: i64,
    pub supplier_name: String,
    pub warehouse_id: i64,
    pub warehouse_code: String,
    pub status: PurchaseStatus,
    pub ordered_at: Option<DateTime<Utc>>,
    pub expected_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub note: String,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    pub qty_ordered: i64,
    pub qty_received: i64,
    /// Σ ordered × unit cost.
    pub amount: Money,
    /// Lines of which fewer arrived than were ordered (短收).
    pub lines_short: i64,
}

impl PurchaseOrderRow {
    /// Closed short (结案): ended as received although some line did not arrive in full.
    pub fn closed_short(&self) -> bool {
        self.status == PurchaseStatus::Received && self.lines_short > 0
    }
}

/// One line of a purchase order.
#[derive(Debug, Clone, Serialize)]
pub struct PurchaseLineRow {
    pub id: i64,
    pub sku_id: i64,
    pub outer_sku_id: String,
    pub title: String,
    pub properties: String,
    pub qty_ordered: i64,
    pub qty_received: i64,
    pub unit_cost: Money,
    pub expected_at: Option<DateTime<Utc>>,
}

/// One arrival booked against a purchase order line (到货入库记录).
#[derive(Debug, Clone, Serialize)]
pub struct ReceiptRow {
    pub id: i64,
    pub purchase_order_line_id: i64,
    pub outer_sku_id: String,
    pub qty: i64,
    pub unit_cost: Money,
    pub note: String,
    pub user_name: String,
    pub received_at: DateTime<Utc>,
}

/// What is still to arrive on an open purchase order line (到货信息跟踪).
#[derive(Debug, Clone, Serialize)]
pub struct ArrivalRow {
    pub purchase_order_id: i64,
    pub purchase_order_code: String,
    pub supplier_name: String,
    pub warehouse_code: String,
    pub line_id: i64,
    pub outer_sku_id: String,
    pub title: String,
    pub properties: String,
    pub qty_ordered: i64,
    pub qty_received: i64,
    /// The line's expected arrival, else the order's.
    pub expected_at: Option<DateTime<Utc>>,
}

/// A SKU with its product and the product's supplier, for choosing what to buy from whom.
#[derive(Debug, Clone, Serialize)]
pub struct SkuSupplierRow {
    pub sku_id: i64,
    pub outer_sku_id: String,
    /// 款号: the product's merchant code.
    pub product_code: String,
    pub title: String,
    pub properties: String,
    /// The current (moving-average) cost.
    pub cost: Money,
    pub supplier_id: Option<i64>,
    pub supplier_name: Option<String>,
}

/// A change of a purchase order in the audit log: who did what when.
#[derive(Debug, Clone, Serialize)]
pub struct PurchaseAuditRow {
    pub action: String,
    pub user_name: String,
    pub at: DateTime<Utc>,
}

/// A receipt to write: the move is written separately (it carries the stock).
#[derive(Debug, Clone)]
pub struct NewReceipt {
    pub company_id: i64,
    pub purchase_order_id: i64,
    pub purchase_order_line_id: i64,
    pub sku_id: i64,
    pub warehouse_id: i64,
    pub qty: i64,
    pub unit_cost: Money,
    pub stock_move_id: i64,
    pub note: String,
    pub user_name: String,
    pub at: DateTime<Utc>,
}

const PO_COLUMNS: &str = "o.id, o.code, o.supplier_id, s.name AS supplier_name, o.warehouse_id, w.code AS warehouse_code, \
    o.status, o.ordered_at, o.expected_at, o.closed_at, o.note, o.created_at, o.created_by, \
    CAST(COALESCE((SELECT SUM(l.qty_ordered) FROM purchase_order_line l WHERE l.purchase_order_id = o.id), 0) AS BIGINT) AS qty_ordered, \
    CAST(COALESCE((SELECT SUM(l.qty_received) FROM purchase_order_line l WHERE l.purchase_order_id = o.id), 0) AS BIGINT) AS qty_received, \
    CAST(COALESCE((SELECT SUM(l.qty_ordered * l.unit_cost) FROM purchase_order_line l WHERE l.purchase_order_id = o.id), 0) AS BIGINT) AS amount, \
    CAST((SELECT COUNT(*) FROM purchase_order_line l WHERE l.purchase_order_id = o.id AND l.qty_received < l.qty_ordered) AS BIGINT) AS lines_short";

macro_rules! po_row {
    ($r:ident) => {{
        let status: String = $r.try_get("status")?;
        let opt_ts = |v: Option<i64>| v.map(from_ts);
        Ok::<PurchaseOrderRow, sqlx::Error>(PurchaseOrderRow {
            id: $r.try_get("id")?,
            code: $r.try_get("code")?,
            supplier_id: $r.try_get("supplier_id")?,
            supplier_name: $r.try_get("supplier_name")?,
            warehouse_id: $r.try_get("warehouse_id")?,
            warehouse_code: $r.try_get("warehouse_code")?,
            status: status.parse::<PurchaseStatus>().map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
            ordered_at: opt_ts($r.try_get("ordered_at")?),
            expected_at: opt_ts($r.try_get("expected_at")?),
            closed_at: opt_ts($r.try_get("closed_at")?),
            note: $r.try_get("note")?,
            created_at: from_ts($r.try_get("created_at")?),
            created_by: $r.try_get("created_by")?,
            qty_ordered: $r.try_get("qty_ordered")?,
            qty_received: $r.try_get("qty_received")?,
            amount: Money::from_fen($r.try_get("amount")?),
            lines_short: $r.try_get("lines_short")?,
        })
    }};
}

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
    /// Each SKU's supplier (through its product): `(sku_id, supplier name)`; SKUs of products with
    /// no supplier are left out.
    pub async fn sku_suppliers(&mut self, company_id: i64) -> Result<Vec<(i64, String)>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT s.id, sup.name FROM sku s JOIN product p ON p.id = s.product_id \
             JOIN supplier sup ON sup.id = p.supplier_id WHERE s.company_id = $1 ORDER BY s.id",
            [company_id],
            |r| Ok((r.try_get::<i64, _>(0)?, r.try_get::<String, _>(1)?))
        )?)
    }

    /// Makes `supplier_id` the supplier of the product with this 款号 (商家编码 of the product);
    /// returns whether there was such a product.
    pub async fn set_product_supplier(
        &mut self,
        company_id: i64,
        outer_id: &str,
        supplier_id: i64,
    ) -> Result<bool, StoreError> {
        let changed = exec!(
            self,
            "UPDATE product SET supplier_id = $1 WHERE company_id = $2 AND outer_id = $3",
            supplier_id,
            company_id,
            outer_id
        )?;
        Ok(changed > 0)
    }

    /// Every SKU of the company with its product and the product's supplier, by 款号 and code.
    pub async fn skus_with_suppliers(&mut self, company_id: i64) -> Result<Vec<SkuSupplierRow>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT k.id, k.outer_sku_id, p.outer_id, p.title, k.properties, k.cost, p.supplier_id, sup.name AS supplier_name \
             FROM sku k JOIN product p ON p.id = k.product_id LEFT JOIN supplier sup ON sup.id = p.supplier_id \
             WHERE k.company_id = $1 ORDER BY p.outer_id, k.outer_sku_id",
            [company_id],
            |r| Ok(SkuSupplierRow {
                sku_id: r.try_get("id")?,
                outer_sku_id: r.try_get("outer_sku_id")?,
                product_code: r.try_get("outer_id")?,
                title: r.try_get("title")?,
                properties: r.try_get("properties")?,
                cost: Money::from_fen(r.try_get("cost")?),
                supplier_id: r.try_get("supplier_id")?,
                supplier_name: r.try_get("supplier_name")?,
            })
        )?)
    }

    /// The audit lines of one purchase order (by its code), oldest first.
    pub async fn purchase_audit(&mut self, company_id: i64, code: &str) -> Result<Vec<PurchaseAuditRow>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT action, user_name, at FROM audit_log \
             WHERE company_id = $1 AND target = $2 AND action LIKE 'purchase.%' ORDER BY id",
            [company_id, code],
            |r| Ok(PurchaseAuditRow {
                action: r.try_get("action")?,
                user_name: r.try_get("user_name")?,
                at: from_ts(r.try_get("at")?),
            })
        )?)
    }

    pub async fn suppliers(&mut self, company_id: i64) -> Result<Vec<SupplierRow>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT id, name, contact, phone, lead_time_days, pack_size FROM supplier WHERE company_id = $1 ORDER BY name",
            [company_id],
            |r| Ok(SupplierRow {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                contact: r.try_get("contact")?,
                phone: r.try_get("phone")?,
                lead_time_days: r.try_get("lead_time_days")?,
                pack_size: r.try_get("pack_size")?,
            })
        )?)
    }

    /// Purchase orders, newest first, optionally of one status and one supplier.
    pub async fn purchase_orders(
        &mut self,
        company_id: i64,
        status: Option<PurchaseStatus>,
        supplier_id: Option<i64>,
    ) -> Result<Vec<PurchaseOrderRow>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {PO_COLUMNS} FROM purchase_order o JOIN supplier s ON s.id = o.supplier_id \
             JOIN warehouse w ON w.id = o.warehouse_id \
             WHERE o.company_id = $1 AND ($2 = '' OR o.status = $2) AND ($3 = 0 OR o.supplier_id = $3) \
             ORDER BY o.created_at DESC, o.id DESC"
        ));
        let status = status.map(PurchaseStatus::code).unwrap_or("");
        Ok(fetch_all!(self, sql, [company_id, status, supplier_id.unwrap_or(0)], |r| po_row!(r))?)
    }

    /// One purchase order by id or code; locked for the rest of the transaction on PostgreSQL.
    pub async fn purchase_order_for_update(
        &mut self,
        company_id: i64,
        key: &str,
    ) -> Result<Option<PurchaseOrderRow>, StoreError> {
        let lock = if matches!(self, Tx::Postgres(_)) { " FOR UPDATE OF o" } else { "" };
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {PO_COLUMNS} FROM purchase_order o JOIN supplier s ON s.id = o.supplier_id \
             JOIN warehouse w ON w.id = o.warehouse_id \
             WHERE o.company_id = $1 AND (o.code = $2 OR CAST(o.id AS TEXT) = $2){lock}"
        ));
        Ok(fetch_optional!(self, sql, [company_id, key.trim()], |r| po_row!(r))?)
    }

    pub async fn purchase_lines(&mut self, po_id: i64) -> Result<Vec<PurchaseLineRow>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT l.id, l.sku_id, k.outer_sku_id, p.title, k.properties, l.qty_ordered, l.qty_received, l.unit_cost, \
                    l.expected_at \
             FROM purchase_order_line l JOIN sku k ON k.id = l.sku_id JOIN product p ON p.id = k.product_id \
             WHERE l.purchase_order_id = $1 ORDER BY l.id",
            [po_id],
            |r| Ok(PurchaseLineRow {
                id: r.try_get("id")?,
                sku_id: r.try_get("sku_id")?,
                outer_sku_id: r.try_get("outer_sku_id")?,
                title: r.try_get("title")?,
                properties: r.try_get("properties")?,
                qty_ordered: r.try_get("qty_ordered")?,
                qty_received: r.try_get("qty_received")?,
                unit_cost: Money::from_fen(r.try_get("unit_cost")?),
                expected_at: r.try_get::<Option<i64>, _>("expected_at")?.map(from_ts),
            })
        )?)
    }

    pub async fn purchase_receipts(&mut self, po_id: i64) -> Result<Vec<ReceiptRow>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT r.id, r.purchase_order_line_id, k.outer_sku_id, r.qty, r.unit_cost, r.note, r.user_name, r.received_at \
             FROM purchase_receipt r JOIN sku k ON k.id = r.sku_id WHERE r.purchase_order_id = $1 ORDER BY r.id",
            [po_id],
            |r| Ok(ReceiptRow {
                id: r.try_get("id")?,
                purchase_order_line_id: r.try_get("purchase_order_line_id")?,
                outer_sku_id: r.try_get("outer_sku_id")?,
                qty: r.try_get("qty")?,
                unit_cost: Money::from_fen(r.try_get("unit_cost")?),
                note: r.try_get("note")?,
                user_name: r.try_get("user_name")?,
                received_at: from_ts(r.try_get("received_at")?),
            })
        )?)
    }

    pub async fn insert_receipt(&mut self, r: &NewReceipt) -> Result<i64, StoreError> {
        Ok(fetch_scalar!(
            self,
            i64,
            "INSERT INTO purchase_receipt (company_id, purchase_order_id, purchase_order_line_id, sku_id, warehouse_id, qty, \
                unit_cost, stock_move_id, note, user_name, received_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
            r.company_id,
            r.purchase_order_id,
            r.purchase_order_line_id,
            r.sku_id,
            r.warehouse_id,
            r.qty,
            r.unit_cost.fen(),
            r.stock_move_id,
            &r.note,
            &r.user_name,
            to_ts(r.at)
        )?)
    }

    /// Moves an order from one status to the next; false when it is no longer in `from` (a
    /// concurrent change).
    pub async fn set_purchase_status(
        &mut self,
        po_id: i64,
        from: PurchaseStatus,
        to: PurchaseStatus,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let ordered = (to == PurchaseStatus::Ordered).then(|| to_ts(at));
        let closed = matches!(to, PurchaseStatus::Received | PurchaseStatus::Cancelled).then(|| to_ts(at));
        let n = exec!(
            self,
            "UPDATE purchase_order SET status = $1, ordered_at = COALESCE($2, ordered_at), closed_at = COALESCE($3, closed_at) \
             WHERE id = $4 AND status = $5",
            to.code(),
            ordered,
            closed,
            po_id,
            from.code()
        )?;
        Ok(n == 1)
    }

    pub async fn set_purchase_created_by(&mut self, po_id: i64, user: &str) -> Result<(), StoreError> {
        exec!(self, "UPDATE purchase_order SET created_by = $1 WHERE id = $2", user, po_id)?;
        Ok(())
    }

    /// How many purchase orders have a code starting with `prefix` (for numbering the next one).
    pub async fn count_purchase_codes(&mut self, company_id: i64, prefix: &str) -> Result<i64, StoreError> {
        Ok(fetch_scalar!(
            self,
            i64,
            "SELECT COUNT(*) FROM purchase_order WHERE company_id = $1 AND code LIKE $2",
            company_id,
            format!("{prefix}%")
        )?)
    }

    /// Units on hand of a SKU across every warehouse.
    pub async fn sku_on_hand(&mut self, sku_id: i64) -> Result<i64, StoreError> {
        Ok(fetch_scalar!(
            self,
            i64,
            "SELECT CAST(COALESCE(SUM(on_hand), 0) AS BIGINT) FROM stock_balance WHERE sku_id = $1",
            sku_id
        )?)
    }

    /// What a receipt needs to update a SKU's moving-average cost: its on hand over every warehouse and
    /// its cost now. On PostgreSQL the SKU row stays locked until the transaction ends, so receipts
    /// of one SKU at the same time take turns and none of their averages is lost (SQLite has one
    /// writer at a time already).
    pub async fn sku_cost_for_receipt(&mut self, sku_id: i64) -> Result<(i64, Money), StoreError> {
        let lock = if matches!(self, Tx::Postgres(_)) { " FOR UPDATE" } else { "" };
        let sql = sqlx::AssertSqlSafe(format!("SELECT cost FROM sku WHERE id = $1{lock}"));
        let cost = fetch_scalar!(self, i64, sql, sku_id)?;
        Ok((self.sku_on_hand(sku_id).await?, Money::from_fen(cost)))
    }

    pub async fn set_sku_cost(&mut self, sku_id: i64, cost: Money) -> Result<(), StoreError> {
        exec!(self, "UPDATE sku SET cost = $1 WHERE id = $2", cost.fen(), sku_id)?;
        Ok(())
    }

    /// Lines of open purchase orders that have not fully arrived, earliest expected first.
    pub async fn expected_arrivals(&mut self, company_id: i64) -> Result<Vec<ArrivalRow>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT o.id AS po_id, o.code, s.name AS supplier_name, w.code AS warehouse_code, l.id AS line_id, \
                    k.outer_sku_id, p.title, k.properties, l.qty_ordered, l.qty_received, \
                    COALESCE(l.expected_at, o.expected_at) AS expected_at \
             FROM purchase_order o JOIN purchase_order_line l ON l.purchase_order_id = o.id \
             JOIN supplier s ON s.id = o.supplier_id JOIN warehouse w ON w.id = o.warehouse_id \
             JOIN sku k ON k.id = l.sku_id JOIN product p ON p.id = k.product_id \
             WHERE o.company_id = $1 AND o.status IN ('ordered', 'partially_received') AND l.qty_received < l.qty_ordered \
             ORDER BY CASE WHEN COALESCE(l.expected_at, o.expected_at) IS NULL THEN 1 ELSE 0 END, \
                COALESCE(l.expected_at, o.expected_at), o.id, l.id",
            [company_id],
            |r| Ok(ArrivalRow {
                purchase_order_id: r.try_get("po_id")?,
                purchase_order_code: r.try_get("code")?,
                supplier_name: r.try_get("supplier_name")?,
                warehouse_code: r.try_get("warehouse_code")?,
                line_id: r.try_get("line_id")?,
                outer_sku_id: r.try_get("outer_sku_id")?,
                title: r.try_get("title")?,
                properties: r.try_get("properties")?,
                qty_ordered: r.try_get("qty_ordered")?,
                qty_received: r.try_get("qty_received")?,
                expected_at: r.try_get::<Option<i64>, _>("expected_at")?.map(from_ts),
            })
        )?)
    }

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
