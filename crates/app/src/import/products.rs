//! Product/SKU sheets: create the catalogue, refresh it, and set opening stock (期初库存) with
//! stocktake moves, so on hand becomes the sheet's quantity. Importing stock starts the shops'
//! inventory: trades paid before it never touch stock.
//!
//! A sheet only changes what it gives: a column it lacks, or an empty cell, keeps the SKU's stored
//! value (a sheet of 商家编码 and 库存 sets stock and nothing else). Cost and price are taken only
//! from those who see costs; for anyone else they are left out and counted in the summary.

use std::collections::HashMap;
use std::time::Instant;

use chrono::Utc;
use zhanggui_domain::{MAX_QTY, Money, MoveKind};
use zhanggui_formats::{ProductRecord, RowError};
use zhanggui_store::{NewProduct, NewSku, Tx};

use super::{ImportError, ImportSummary, Reject};
use crate::stock::{StockError, adjust_in};
use crate::{Actor, App};

impl App {
    pub async fn import_products(
        &self,
        actor: &Actor,
        file: &str,
        records: Vec<ProductRecord>,
        read_errors: &[RowError],
        with_costs: bool,
        progress: &(dyn Fn(usize) + Sync),
    ) -> Result<ImportSummary, ImportError> {
        let started = Instant::now();
        let now = Utc::now();
        let mut summary = ImportSummary {
            kind: "products".into(),
            file: file.into(),
            records: records.len(),
            rejects: read_errors.iter().map(Reject::from).collect(),
            ..Default::default()
        };
        let mut tx = self.db.begin().await?;
        let warehouses = tx.warehouses(actor.company_id).await?;
        let mut products: HashMap<String, i64> = HashMap::new();
        let mut any_stock = false;
        for (i, r) in records.iter().enumerate() {
            let reject = |reason: String, column: &str| Reject {
                file: file.into(),
                line: r.line,
                column: Some(column.into()),
                reason,
            };
            let warehouse = if r.warehouse.is_empty() {
                warehouses.first()
            } else {
                warehouses.iter().find(|w| w.code == r.warehouse || w.name == r.warehouse)
            };
            if r.stock.is_some() && warehouse.is_none() {
                summary.rejects.push(reject(format!("找不到仓库「{}」 / unknown warehouse", r.warehouse), "仓库"));
                continue;
            }
            if r.stock.is_some_and(|q| q < 0) {
                summary
                    .rejects
                    .push(reject(format!("库存不能为负：{} / negative stock", r.stock.unwrap_or(0)), "库存"));
                continue;
            }
            if let Some(q) = r.stock.filter(|q| *q > MAX_QTY) {
                summary.rejects.push(reject(
                    format!("库存 {q} 超过上限 {MAX_QTY}，请检查 / stock {q} is over the limit of {MAX_QTY}"),
                    "库存",
                ));
                continue;
            }
            let product_code = if r.outer_id.is_empty() { r.outer_sku_id.clone() } else { r.outer_id.clone() };
            let costs_given = r.cost.is_some() || r.price.is_some();
            let (cost, price) = if with_costs { (r.cost, r.price) } else { (None, None) };
            tx.savepoint().await?;
            let result = self.product_row(&mut tx, actor, r, &product_code, cost, price, &products).await;
            let (mut changed, new_product) = match result {
                Ok(c) => c,
                Err(e) => {
                    tx.rollback_to_savepoint().await?;
                    summary.rejects.push(reject(e.to_string(), "商家编码"));
                    continue;
                }
            };
            if let (Some(qty), Some(wh)) = (r.stock, warehouse) {
                any_stock = true;
                let filter = zhanggui_store::ledger::StockFilter {
                    company_id: actor.company_id,
                    search: Some(r.outer_sku_id.clone()),
                    warehouse_id: Some(wh.id),
                    ..Default::default()
                };
                let on_hand = tx
                    .stock_lines(&filter)
                    .await?
                    .iter()
                    .find(|l| l.outer_sku_id == r.outer_sku_id)
                    .map(|l| l.on_hand)
                    .unwrap_or(0);
                if qty != on_hand {
                    match adjust_in(
                        &mut tx,
                        actor,
                        &r.outer_sku_id,
                        Some(&wh.code),
                        qty - on_hand,
                        MoveKind::Stocktake,
                        "期初库存导入",
                        now,
                    )
                    .await
                    {
                        Ok(_) => changed = changed.max(Change::Updated),
                        Err(StockError::Store(e)) => return Err(e.into()),
                        Err(e) => {
                            tx.rollback_to_savepoint().await?;
                            summary.rejects.push(reject(e.to_string(), "库存"));
                            continue;
                        }
                    }
                }
            }
            tx.release_savepoint().await?;
            if costs_given && !with_costs {
                summary.costs_ignored += 1;
            }
            // Only a product whose row was kept is remembered (a rolled-back id must not be reused).
            if let Some(id) = new_product {
                products.insert(product_code.clone(), id);
            }
            match changed {
                Change::Inserted => summary.inserted += 1,
                Change::Updated => summary.updated += 1,
                Change::Unchanged => summary.unchanged += 1,
            }
            if i % 500 == 0 {
                progress(i);
            }
        }
        if any_stock {
            for shop in tx.shops(actor.company_id).await? {
                if shop.inventory_start_at.is_none() {
                    tx.set_inventory_start(shop.id, now).await?;
                    summary.inventory_start_set = Some(now);
                }
            }
        }
        tx.commit().await?;
        progress(records.len());
        summary.rejected = summary.rejects.len();
        summary.rejects.sort_by_key(|r| r.line);
        summary.seconds = started.elapsed().as_secs_f64();
        Ok(summary)
    }

    #[allow(clippy::too_many_arguments)]
    async fn product_row(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        r: &ProductRecord,
        product_code: &str,
        cost: Option<Money>,
        price: Option<Money>,
        products: &HashMap<String, i64>,
    ) -> Result<(Change, Option<i64>), ImportError> {
        if r.outer_sku_id.is_empty() {
            return Err(ImportError::File("商家编码为空 / no merchant code".into()));
        }
        if let Some(existing) = tx.sku_by_code(actor.company_id, &r.outer_sku_id).await? {
            // What the sheet does not give (no column, or an empty cell) stays as it is.
            let properties = Some(r.properties.as_str()).filter(|t| !t.is_empty());
            let barcode = Some(r.barcode.as_str()).filter(|t| !t.is_empty());
            let changed = tx.update_sku(existing.id, properties, barcode, cost, price).await?;
            return Ok((if changed { Change::Updated } else { Change::Unchanged }, None));
        }
        let (cost, price) = (cost.unwrap_or_default(), price.unwrap_or_default());
        let product_id = match products.get(product_code) {
            Some(id) => *id,
            None => match tx.product_id_by_code(actor.company_id, product_code).await? {
                Some(id) => id,
                None => {
                    let p = NewProduct {
                        outer_id: product_code.to_string(),
                        title: r.title.clone(),
                        category: r.category.clone(),
                        cost,
                        price,
                        listed_at: Some(Utc::now()),
                        supplier_id: None,
                    };
                    tx.insert_product(actor.company_id, &p, Utc::now()).await?
                }
            },
        };
        let s = NewSku {
            product_id,
            outer_sku_id: r.outer_sku_id.clone(),
            properties: r.properties.clone(),
            barcode: r.barcode.clone(),
            cost,
            price,
            weight_g: 0,
        };
        tx.insert_sku(actor.company_id, &s).await?;
        Ok((Change::Inserted, Some(product_id)))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Change {
    Unchanged,
    Updated,
    Inserted,
}
