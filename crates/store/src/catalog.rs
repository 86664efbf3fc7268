//! Companies, shops, warehouses, suppliers, products and SKUs.

use chrono::{DateTime, Utc};
use zhanggui_domain::{Money, Platform};

use crate::{Company, NewProduct, NewSku, NewSupplier, Shop, SkuInfo, StoreError, Tx, Warehouse, from_ts, to_ts};

macro_rules! shop_row {
    ($r:ident) => {{
        let platform: String = $r.try_get("platform")?;
        Ok(Shop {
            id: $r.try_get("id")?,
            company_id: $r.try_get("company_id")?,
            platform: platform.parse::<Platform>().unwrap_or(Platform::Other),
            name: $r.try_get("name")?,
            allow_oversell: $r.try_get("allow_oversell")?,
            reserve_unpaid: $r.try_get("reserve_unpaid")?,
            inventory_start_at: $r.try_get::<Option<i64>, _>("inventory_start_at")?.map(from_ts),
            default_warehouse_id: $r.try_get("default_warehouse_id")?,
            time_zone: crate::summaries::zone(&$r.try_get::<String, _>("time_zone")?),
        })
    }};
}

macro_rules! sku_info_row {
    ($r:ident) => {{
        use sqlx::Row as _;
        Ok::<SkuInfo, sqlx::Error>(SkuInfo {
            id: $r.try_get("id")?,
            product_id: $r.try_get("product_id")?,
            outer_sku_id: $r.try_get("outer_sku_id")?,
            outer_id: $r.try_get("outer_id")?,
            title: $r.try_get("title")?,
            properties: $r.try_get("properties")?,
            cost: Money::from_fen($r.try_get("cost")?),
            price: Money::from_fen($r.try_get("price")?),
        })
    }};
}

const SHOP_COLUMNS: &str = "id, company_id, platform, name, allow_oversell, reserve_unpaid, inventory_start_at, \
    default_warehouse_id, (SELECT c.time_zone FROM company c WHERE c.id = shop.company_id) AS time_zone";

impl Tx {
    pub async fn company_by_code(&mut self, code: &str) -> Result<Option<Company>, StoreError> {
        Ok(fetch_optional!(self, "SELECT id, code, name, time_zone FROM company WHERE code = $1", [code], |r| Ok(
            Company {
                id: r.try_get("id")?,
                code: r.try_get("code")?,
                name: r.try_get("name")?,
                time_zone: r.try_get("time_zone")?,
            }
        ))?)
    }

    pub async fn companies(&mut self) -> Result<Vec<Company>, StoreError> {
        Ok(fetch_all!(self, "SELECT id, code, name, time_zone FROM company ORDER BY id", [], |r| Ok(Company {
            id: r.try_get("id")?,
            code: r.try_get("code")?,
            name: r.try_get("name")?,
            time_zone: r.try_get("time_zone")?,
        }))?)
    }

    pub async fn insert_company(
        &mut self,
        code: &str,
        name: &str,
        time_zone: &str,
        at: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        Ok(fetch_scalar!(
            self,
            i64,
            "INSERT INTO company (code, name, time_zone, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
            code,
            name,
            time_zone,
            to_ts(at)
        )?)
    }

    pub async fn insert_warehouse(&mut self, company_id: i64, code: &str, name: &str) -> Result<i64, StoreError> {
        let id = fetch_scalar!(
            self,
            i64,
            "INSERT INTO warehouse (company_id, code, name) VALUES ($1, $2, $3) RETURNING id",
            company_id,
            code,
            name
        )?;
        // Every SKU gets a balance row in the new warehouse, so reservations are single UPDATEs.
        exec!(
            self,
            "INSERT INTO stock_balance (company_id, sku_id, warehouse_id, on_hand, reserved) \
             SELECT company_id, id, $1, 0, 0 FROM sku WHERE company_id = $2",
            id,
            company_id
        )?;
        Ok(id)
    }

    pub async fn warehouses(&mut self, company_id: i64) -> Result<Vec<Warehouse>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT id, company_id, code, name, sellable FROM warehouse WHERE company_id = $1 ORDER BY id",
            [company_id],
            |r| Ok(Warehouse {
                id: r.try_get("id")?,
                company_id: r.try_get("company_id")?,
                code: r.try_get("code")?,
                name: r.try_get("name")?,
                sellable: r.try_get("sellable")?,
            })
        )?)
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn insert_shop(
        &mut self,
        company_id: i64,
        platform: Platform,
        name: &str,
        default_warehouse_id: Option<i64>,
        allow_oversell: bool,
        reserve_unpaid: bool,
        at: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        Ok(fetch_scalar!(
            self,
            i64,
            "INSERT INTO shop (company_id, platform, name, default_warehouse_id, allow_oversell, reserve_unpaid, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            company_id,
            platform.code(),
            name,
            default_warehouse_id,
            allow_oversell,
            reserve_unpaid,
            to_ts(at)
        )?)
    }

    pub async fn shops(&mut self, company_id: i64) -> Result<Vec<Shop>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!("SELECT {SHOP_COLUMNS} FROM shop WHERE company_id = $1 ORDER BY id"));
        Ok(fetch_all!(self, sql, [company_id], |r| shop_row!(r))?)
    }

    pub async fn shop(&mut self, shop_id: i64) -> Result<Option<Shop>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!("SELECT {SHOP_COLUMNS} FROM shop WHERE id = $1"));
        Ok(fetch_optional!(self, sql, [shop_id], |r| shop_row!(r))?)
    }

    pub async fn set_shop_stock_rules(
        &mut self,
        shop_id: i64,
        allow_oversell: bool,
        reserve_unpaid: bool,
        inventory_start_at: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError> {
        exec!(
            self,
            "UPDATE shop SET allow_oversell = $1, reserve_unpaid = $2, inventory_start_at = $3 WHERE id = $4",
            allow_oversell,
            reserve_unpaid,
            inventory_start_at.map(to_ts),
            shop_id
        )?;
        Ok(())
    }

    pub async fn insert_supplier(&mut self, company_id: i64, s: &NewSupplier) -> Result<i64, StoreError> {
        Ok(fetch_scalar!(
            self,
            i64,
            "INSERT INTO supplier (company_id, name, contact, phone, lead_time_days, pack_size) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            company_id,
            &s.name,
            &s.contact,
            &s.phone,
            s.lead_time_days,
            s.pack_size
        )?)
    }

    pub async fn insert_product(
        &mut self,
        company_id: i64,
        p: &NewProduct,
        at: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        Ok(fetch_scalar!(
            self,
            i64,
            "INSERT INTO product (company_id, outer_id, title, category, cost, price, listed_at, supplier_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            company_id,
            &p.outer_id,
            &p.title,
            &p.category,
            p.cost.fen(),
            p.price.fen(),
            p.listed_at.map(to_ts),
            p.supplier_id,
            to_ts(at)
        )?)
    }

    pub async fn insert_listing(
        &mut self,
        company_id: i64,
        shop_id: i64,
        product_id: i64,
        item_id: &str,
    ) -> Result<i64, StoreError> {
        Ok(fetch_scalar!(
            self,
            i64,
            "INSERT INTO listing (company_id, shop_id, product_id, item_id) VALUES ($1, $2, $3, $4) RETURNING id",
            company_id,
            shop_id,
            product_id,
            item_id
        )?)
    }

    /// Inserts a SKU and its (empty) balance row in every warehouse of the company.
    pub async fn insert_sku(&mut self, company_id: i64, s: &NewSku) -> Result<i64, StoreError> {
        let id = fetch_scalar!(
            self,
            i64,
            "INSERT INTO sku (company_id, product_id, outer_sku_id, properties, barcode, cost, price, weight_g) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            company_id,
            s.product_id,
            &s.outer_sku_id,
            &s.properties,
            &s.barcode,
            s.cost.fen(),
            s.price.fen(),
            s.weight_g
        )?;
        exec!(
            self,
            "INSERT INTO stock_balance (company_id, sku_id, warehouse_id, on_hand, reserved) \
             SELECT company_id, $1, id, 0, 0 FROM warehouse WHERE company_id = $2",
            id,
            company_id
        )?;
        Ok(id)
    }

    pub async fn sku_by_code(&mut self, company_id: i64, outer_sku_id: &str) -> Result<Option<SkuInfo>, StoreError> {
        Ok(fetch_optional!(
            self,
            "SELECT s.id, s.product_id, s.outer_sku_id, p.outer_id, p.title, s.properties, s.cost, s.price \
             FROM sku s JOIN product p ON p.id = s.product_id WHERE s.company_id = $1 AND s.outer_sku_id = $2",
            [company_id, outer_sku_id],
            |r| Ok(SkuInfo {
                id: r.try_get("id")?,
                product_id: r.try_get("product_id")?,
                outer_sku_id: r.try_get("outer_sku_id")?,
                outer_id: r.try_get("outer_id")?,
                title: r.try_get("title")?,
                properties: r.try_get("properties")?,
                cost: Money::from_fen(r.try_get("cost")?),
                price: Money::from_fen(r.try_get("price")?),
            })
        )?)
    }

    /// The SKUs with these codes (unknown codes are simply absent), in one query.
    /// The shop and the SKUs with these codes, as creating a trade needs them: one round trip on
    /// SQLite (two statements sent together), two queries on PostgreSQL.
    pub async fn shop_and_skus(
        &mut self,
        shop_id: i64,
        company_id: i64,
        codes: &[&str],
    ) -> Result<(Option<Shop>, Vec<SkuInfo>), StoreError> {
        use sqlx::Row as _;
        let Tx::Sqlite(t) = self else {
            let shop = self.shop(shop_id).await?;
            let skus = self.skus_by_codes(company_id, codes).await?;
            return Ok((shop, skus));
        };
        let mut sql = format!("SELECT 1 AS part, {SHOP_COLUMNS} FROM shop WHERE id = $1");
        if !codes.is_empty() {
            let marks: Vec<String> = (0..codes.len()).map(|i| format!("${}", i + 3)).collect();
            sql.push_str(&format!(
                ";\nSELECT 2 AS part, s.id, s.product_id, s.outer_sku_id, p.outer_id, p.title, s.properties, s.cost, \
                    s.price FROM sku s JOIN product p ON p.id = s.product_id \
                 WHERE s.company_id = $2 AND s.outer_sku_id IN ({})",
                marks.join(", ")
            ));
        }
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(shop_id).bind(company_id);
        for c in codes {
            q = q.bind(*c);
        }
        let mut shop = None;
        let mut skus = Vec::new();
        for r in q.fetch_all(&mut **t).await? {
            if r.try_get::<i64, _>("part")? == 1 {
                shop = Some((|| -> Result<Shop, sqlx::Error> { shop_row!(r) })()?);
            } else {
                skus.push(sku_info_row!(r)?);
            }
        }
        Ok((shop, skus))
    }

    pub async fn skus_by_codes(&mut self, company_id: i64, codes: &[&str]) -> Result<Vec<SkuInfo>, StoreError> {
        if codes.is_empty() {
            return Ok(Vec::new());
        }
        let marks: Vec<String> = (0..codes.len()).map(|i| format!("${}", i + 2)).collect();
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT s.id, s.product_id, s.outer_sku_id, p.outer_id, p.title, s.properties, s.cost, s.price \
             FROM sku s JOIN product p ON p.id = s.product_id WHERE s.company_id = $1 AND s.outer_sku_id IN ({})",
            marks.join(", ")
        ));
        let rows = match self {
            Tx::Sqlite(t) => {
                let mut q = sqlx::query(sql).bind(company_id);
                for c in codes {
                    q = q.bind(*c);
                }
                q.fetch_all(&mut **t)
                    .await?
                    .iter()
                    .map(|r| sku_info_row!(r))
                    .collect::<Result<Vec<_>, sqlx::Error>>()?
            }
            Tx::Postgres(t) => {
                let mut q = sqlx::query(sql).bind(company_id);
                for c in codes {
                    q = q.bind(*c);
                }
                q.fetch_all(&mut **t)
                    .await?
                    .iter()
                    .map(|r| sku_info_row!(r))
                    .collect::<Result<Vec<_>, sqlx::Error>>()?
            }
        };
        Ok(rows)
    }

    /// The id of the product with this merchant code.
    pub async fn product_id_by_code(&mut self, company_id: i64, outer_id: &str) -> Result<Option<i64>, StoreError> {
        Ok(fetch_optional!(
            self,
            "SELECT id FROM product WHERE company_id = $1 AND outer_id = $2",
            [company_id, outer_id],
            |r| r.try_get::<i64, _>(0)
        )?)
    }

    /// Refreshes a SKU's description and prices with the values given; a `None` keeps what is
    /// stored. Returns whether anything changed.
    pub async fn update_sku(
        &mut self,
        sku_id: i64,
        properties: Option<&str>,
        barcode: Option<&str>,
        cost: Option<Money>,
        price: Option<Money>,
    ) -> Result<bool, StoreError> {
        let n = exec!(
            self,
            "UPDATE sku SET properties = COALESCE($1, properties), barcode = COALESCE($2, barcode), \
             cost = COALESCE($3, cost), price = COALESCE($4, price) \
             WHERE id = $5 AND (properties <> COALESCE($1, properties) OR barcode <> COALESCE($2, barcode) \
             OR cost <> COALESCE($3, cost) OR price <> COALESCE($4, price))",
            properties,
            barcode,
            cost.map(Money::fen),
            price.map(Money::fen),
            sku_id
        )?;
        Ok(n > 0)
    }

    pub async fn skus(&mut self, company_id: i64) -> Result<Vec<SkuInfo>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT s.id, s.product_id, s.outer_sku_id, p.outer_id, p.title, s.properties, s.cost, s.price \
             FROM sku s JOIN product p ON p.id = s.product_id WHERE s.company_id = $1 ORDER BY s.id",
            [company_id],
            |r| Ok(SkuInfo {
                id: r.try_get("id")?,
                product_id: r.try_get("product_id")?,
                outer_sku_id: r.try_get("outer_sku_id")?,
                outer_id: r.try_get("outer_id")?,
                title: r.try_get("title")?,
                properties: r.try_get("properties")?,
                cost: Money::from_fen(r.try_get("cost")?),
                price: Money::from_fen(r.try_get("price")?),
            })
        )?)
    }

    pub async fn count_rows(&mut self, table: Table, company_id: i64) -> Result<i64, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {} WHERE company_id = $1", table.name()));
        Ok(fetch_scalar!(self, i64, sql, company_id)?)
    }
}

/// Tables that can be counted (names are fixed here, never taken from input).
#[derive(Debug, Clone, Copy)]
pub enum Table {
    Shop,
    Warehouse,
    Product,
    Sku,
    Trade,
    OrderLine,
    Customer,
    StockMove,
    Refund,
    PurchaseOrder,
    TrafficDaily,
}

impl Table {
    fn name(self) -> &'static str {
        match self {
            Table::Shop => "shop",
            Table::Warehouse => "warehouse",
            Table::Product => "product",
            Table::Sku => "sku",
            Table::Trade => "trade",
            Table::OrderLine => "order_line",
            Table::Customer => "customer",
            Table::StockMove => "stock_move",
            Table::Refund => "refund",
            Table::PurchaseOrder => "purchase_order",
            Table::TrafficDaily => "traffic_daily",
        }
    }
}
