//! Setting a company up: the company, its warehouses, shops and catalogue.

use chrono::{DateTime, Utc};
use zhanggui_domain::{Money, Platform};
use zhanggui_store::{NewProduct, NewSku, StoreError};

use crate::App;

/// A SKU to create with its product.
#[derive(Debug, Clone)]
pub struct SkuSpec {
    pub outer_sku_id: String,
    pub properties: String,
    pub price: Money,
    pub cost: Money,
}

/// A shop's stock rules.
#[derive(Debug, Clone, Copy, Default)]
pub struct StockRules {
    pub allow_oversell: bool,
    pub reserve_unpaid: bool,
    pub inventory_start_at: Option<DateTime<Utc>>,
}

impl App {
    pub async fn create_company(&self, code: &str, name: &str, time_zone: &str) -> Result<i64, StoreError> {
        let mut tx = self.db.begin().await?;
        let id = tx.insert_company(code, name, time_zone, Utc::now()).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn create_warehouse(&self, company_id: i64, code: &str, name: &str) -> Result<i64, StoreError> {
        let mut tx = self.db.begin().await?;
        let id = tx.insert_warehouse(company_id, code, name).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn create_shop(
        &self,
        company_id: i64,
        platform: Platform,
        name: &str,
        default_warehouse_id: Option<i64>,
        rules: StockRules,
    ) -> Result<i64, StoreError> {
        let mut tx = self.db.begin().await?;
        let id = tx
            .insert_shop(
                company_id,
                platform,
                name,
                default_warehouse_id,
                rules.allow_oversell,
                rules.reserve_unpaid,
                Utc::now(),
            )
            .await?;
        if rules.inventory_start_at.is_some() {
            tx.set_shop_stock_rules(id, rules.allow_oversell, rules.reserve_unpaid, rules.inventory_start_at).await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    pub async fn set_stock_rules(&self, shop_id: i64, rules: StockRules) -> Result<(), StoreError> {
        let mut tx = self.db.begin().await?;
        tx.set_shop_stock_rules(shop_id, rules.allow_oversell, rules.reserve_unpaid, rules.inventory_start_at).await?;
        tx.commit().await
    }

    /// Creates a product and its SKUs; returns the SKU ids in order.
    pub async fn create_product(
        &self,
        company_id: i64,
        outer_id: &str,
        title: &str,
        category: &str,
        skus: &[SkuSpec],
    ) -> Result<Vec<i64>, StoreError> {
        let mut tx = self.db.begin().await?;
        let price = skus.first().map(|s| s.price).unwrap_or_default();
        let cost = skus.first().map(|s| s.cost).unwrap_or_default();
        let p = NewProduct {
            outer_id: outer_id.into(),
            title: title.into(),
            category: category.into(),
            cost,
            price,
            listed_at: Some(Utc::now()),
            supplier_id: None,
        };
        let product_id = tx.insert_product(company_id, &p, Utc::now()).await?;
        let mut ids = Vec::with_capacity(skus.len());
        for s in skus {
            let ns = NewSku {
                product_id,
                outer_sku_id: s.outer_sku_id.clone(),
                properties: s.properties.clone(),
                barcode: String::new(),
                cost: s.cost,
                price: s.price,
                weight_g: 0,
            };
            ids.push(tx.insert_sku(company_id, &ns).await?);
        }
        tx.commit().await?;
        Ok(ids)
    }
}
