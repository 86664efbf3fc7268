//! Traffic and advertising exports: 生意参谋 item ranking (per item and day), a shop's daily traffic
//! sheet, and 直通车/万相台 plan or item reports. Each row replaces the figures of its (shop, day,
//! item) or (shop, day, channel, plan, item), so importing a file twice changes nothing and a
//! corrected export overwrites the earlier figures.

use std::collections::HashMap;
use std::time::Instant;

use zhanggui_formats::{AdDailyRecord, ItemTrafficRecord, RowError, ShopTrafficRecord};
use zhanggui_store::Shop;
use zhanggui_store::traffic::{AdRow, TrafficRow};

use super::{ImportError, ImportSummary, Reject};
use crate::{Actor, App};

impl App {
    pub(crate) async fn shop_named(&self, actor: &Actor, name: &str) -> Result<Shop, ImportError> {
        let mut tx = self.db.begin_read().await?;
        let shops = tx.shops(actor.company_id).await?;
        tx.commit().await?;
        shops
            .into_iter()
            .find(|s| s.name == name || s.id.to_string() == name)
            .ok_or_else(|| ImportError::UnknownShop(name.to_string()))
    }

    /// 生意参谋 item ranking rows into per-item daily traffic and conversion figures.
    pub async fn import_item_traffic(
        &self,
        actor: &Actor,
        shop: &str,
        file: &str,
        records: &[ItemTrafficRecord],
        read_errors: &[RowError],
    ) -> Result<ImportSummary, ImportError> {
        let started = Instant::now();
        let shop = self.shop_named(actor, shop).await?;
        let mut tx = self.db.begin().await?;
        let listings: HashMap<String, i64> = tx.listings(shop.id).await?.into_iter().collect();
        let rows: Vec<TrafficRow> = records
            .iter()
            .map(|r| TrafficRow {
                company_id: actor.company_id,
                shop_id: shop.id,
                day: r.day.format("%Y-%m-%d").to_string(),
                item_id: r.item_id.clone(),
                product_id: listings.get(&r.item_id).copied(),
                pv: r.pv,
                uv: r.uv,
                add_cart_buyers: r.add_cart_buyers,
                favorite_buyers: r.favorite_buyers,
                order_buyers: r.order_buyers,
                paid_buyers: r.paid_buyers,
                paid_units: r.paid_units,
                paid_amount: r.paid_amount.fen(),
                search_uv: r.search_uv.unwrap_or(0),
            })
            .collect();
        let changed = tx.upsert_traffic_rows(&rows).await? as usize;
        tx.commit().await?;
        Ok(summary("sycm-items", file, records.len(), changed, read_errors, started))
    }

    /// A shop's daily PV and UV (and add-to-cart and favourite buyers when the sheet has them).
    pub async fn import_shop_traffic(
        &self,
        actor: &Actor,
        shop: &str,
        file: &str,
        records: &[ShopTrafficRecord],
        read_errors: &[RowError],
    ) -> Result<ImportSummary, ImportError> {
        let started = Instant::now();
        let shop = self.shop_named(actor, shop).await?;
        let rows: Vec<TrafficRow> = records
            .iter()
            .map(|r| TrafficRow {
                company_id: actor.company_id,
                shop_id: shop.id,
                day: r.day.format("%Y-%m-%d").to_string(),
                pv: r.pv,
                uv: r.uv,
                add_cart_buyers: r.add_cart_buyers.unwrap_or(0),
                favorite_buyers: r.favorite_buyers.unwrap_or(0),
                paid_buyers: r.paying_buyers.unwrap_or(0),
                paid_amount: r.amount_paid.map(|m| m.fen()).unwrap_or(0),
                ..Default::default()
            })
            .collect();
        let mut tx = self.db.begin().await?;
        let changed = tx.upsert_traffic_rows(&rows).await? as usize;
        tx.commit().await?;
        Ok(summary("shop-traffic", file, records.len(), changed, read_errors, started))
    }

    /// 直通车/万相台 plan or item report rows into daily ad spend. `channel` names the tool.
    pub async fn import_ads(
        &self,
        actor: &Actor,
        shop: &str,
        channel: &str,
        file: &str,
        records: &[AdDailyRecord],
        read_errors: &[RowError],
    ) -> Result<ImportSummary, ImportError> {
        let started = Instant::now();
        let shop = self.shop_named(actor, shop).await?;
        let rows: Vec<AdRow> = records
            .iter()
            .map(|r| AdRow {
                company_id: actor.company_id,
                shop_id: shop.id,
                day: r.day.format("%Y-%m-%d").to_string(),
                channel: channel.to_string(),
                plan_id: r.plan_id.clone(),
                plan_name: r.plan_name.clone(),
                item_id: r.item_id.clone(),
                spend: r.spend.fen(),
                impressions: r.impressions,
                clicks: r.clicks,
                direct_gmv: r.direct_gmv.fen(),
                indirect_gmv: r.indirect_gmv.fen(),
                total_gmv: r.total_gmv.fen(),
                favorites_carts: r.favorites_carts,
            })
            .collect();
        let mut tx = self.db.begin().await?;
        let changed = tx.upsert_ad_rows(&rows).await? as usize;
        tx.commit().await?;
        Ok(summary("ads", file, records.len(), changed, read_errors, started))
    }
}

/// Rows either new or changed count as written; the rest were already there as they are.
fn summary(
    kind: &str,
    file: &str,
    records: usize,
    changed: usize,
    read_errors: &[RowError],
    started: Instant,
) -> ImportSummary {
    let rejects: Vec<Reject> = read_errors.iter().map(Reject::from).collect();
    ImportSummary {
        kind: kind.into(),
        file: file.into(),
        records,
        inserted: changed.min(records),
        unchanged: records.saturating_sub(changed),
        rejected: rejects.len(),
        rejects,
        seconds: started.elapsed().as_secs_f64(),
        ..Default::default()
    }
}
