//! Daily traffic (PV, UV) per shop or per listed item, and daily ad spend.

use crate::batch::Value;
use crate::bulk::RowInsert;
use crate::{StoreError, Tx, args};

#[derive(Debug, Clone, Default)]
pub struct TrafficRow {
    pub company_id: i64,
    pub shop_id: i64,
    /// 'YYYY-MM-DD' in the shop's time zone.
    pub day: String,
    /// The platform's item id; empty for the whole shop.
    pub item_id: String,
    pub product_id: Option<i64>,
    pub pv: i64,
    pub uv: i64,
    pub add_cart_buyers: i64,
    pub favorite_buyers: i64,
    pub order_buyers: i64,
    pub paid_buyers: i64,
    pub paid_units: i64,
    pub paid_amount: i64,
    pub search_uv: i64,
}

/// One plan (and item) and day of an ad report.
#[derive(Debug, Clone, Default)]
pub struct AdRow {
    pub company_id: i64,
    pub shop_id: i64,
    pub day: String,
    pub channel: String,
    pub plan_id: String,
    pub plan_name: String,
    pub item_id: String,
    pub spend: i64,
    pub impressions: i64,
    pub clicks: i64,
    pub direct_gmv: i64,
    pub indirect_gmv: i64,
    pub total_gmv: i64,
    pub favorites_carts: i64,
}

impl Tx {
    /// Inserts or replaces the figures of one (shop, day, item).
    pub async fn upsert_traffic(&mut self, t: &TrafficRow) -> Result<(), StoreError> {
        self.upsert_traffic_rows(std::slice::from_ref(t)).await.map(|_| ())
    }

    /// Inserts or replaces many (shop, day, item) rows; returns how many rows were new or changed.
    pub async fn upsert_traffic_rows(&mut self, rows: &[TrafficRow]) -> Result<u64, StoreError> {
        let values: Vec<Vec<Value>> = rows
            .iter()
            .map(|t| {
                args![
                    t.company_id,
                    t.shop_id,
                    &t.day,
                    &t.item_id,
                    t.product_id,
                    t.pv,
                    t.uv,
                    t.add_cart_buyers,
                    t.favorite_buyers,
                    t.order_buyers,
                    t.paid_buyers,
                    t.paid_units,
                    t.paid_amount,
                    t.search_uv
                ]
            })
            .collect();
        // One row per key per statement (an upsert may not touch a row twice).
        let mut n = 0;
        for chunk in dedup_chunks(&values, |v| (v[1].clone(), v[2].clone(), v[3].clone())) {
            n += self
                .insert_rows(
                    &RowInsert {
                        head: "INSERT INTO traffic_daily (company_id, shop_id, day, item_id, product_id, pv, uv, \
                            add_cart_buyers, favorite_buyers, order_buyers, paid_buyers, paid_units, paid_amount, search_uv) VALUES",
                        row: "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
                        width: 14,
                        tail: "ON CONFLICT (shop_id, day, item_id) DO UPDATE SET product_id = excluded.product_id, \
                            pv = excluded.pv, uv = excluded.uv, add_cart_buyers = excluded.add_cart_buyers, \
                            favorite_buyers = excluded.favorite_buyers, order_buyers = excluded.order_buyers, \
                            paid_buyers = excluded.paid_buyers, paid_units = excluded.paid_units, \
                            paid_amount = excluded.paid_amount, search_uv = excluded.search_uv \
                            WHERE traffic_daily.pv <> excluded.pv OR traffic_daily.uv <> excluded.uv \
                            OR traffic_daily.add_cart_buyers <> excluded.add_cart_buyers \
                            OR traffic_daily.favorite_buyers <> excluded.favorite_buyers \
                            OR traffic_daily.order_buyers <> excluded.order_buyers \
                            OR traffic_daily.paid_buyers <> excluded.paid_buyers \
                            OR traffic_daily.paid_units <> excluded.paid_units \
                            OR traffic_daily.paid_amount <> excluded.paid_amount \
                            OR traffic_daily.search_uv <> excluded.search_uv \
                            OR COALESCE(traffic_daily.product_id, 0) <> COALESCE(excluded.product_id, 0)",
                    },
                    &chunk,
                )
                .await?;
        }
        Ok(n)
    }

    /// Inserts or replaces ad rows; returns how many rows were new or changed.
    pub async fn upsert_ad_rows(&mut self, rows: &[AdRow]) -> Result<u64, StoreError> {
        let values: Vec<Vec<Value>> = rows
            .iter()
            .map(|a| {
                args![
                    a.company_id,
                    a.shop_id,
                    &a.day,
                    &a.channel,
                    &a.plan_id,
                    &a.plan_name,
                    &a.item_id,
                    a.spend,
                    a.impressions,
                    a.clicks,
                    a.direct_gmv,
                    a.indirect_gmv,
                    a.total_gmv,
                    a.favorites_carts
                ]
            })
            .collect();
        let mut n = 0;
        for chunk in dedup_chunks(&values, |v| (v[1].clone(), v[2].clone(), v[3].clone(), v[4].clone(), v[6].clone())) {
            n += self
                .insert_rows(
                    &RowInsert {
                        head: "INSERT INTO ad_daily (company_id, shop_id, day, channel, plan_id, plan_name, item_id, spend, \
                            impressions, clicks, direct_gmv, indirect_gmv, total_gmv, favorites_carts) VALUES",
                        row: "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
                        width: 14,
                        tail: "ON CONFLICT (shop_id, day, channel, plan_id, item_id) DO UPDATE SET plan_name = excluded.plan_name, \
                            spend = excluded.spend, impressions = excluded.impressions, clicks = excluded.clicks, \
                            direct_gmv = excluded.direct_gmv, indirect_gmv = excluded.indirect_gmv, \
                            total_gmv = excluded.total_gmv, favorites_carts = excluded.favorites_carts \
                            WHERE ad_daily.spend <> excluded.spend OR ad_daily.impressions <> excluded.impressions \
                            OR ad_daily.clicks <> excluded.clicks OR ad_daily.direct_gmv <> excluded.direct_gmv \
                            OR ad_daily.indirect_gmv <> excluded.indirect_gmv OR ad_daily.total_gmv <> excluded.total_gmv \
                            OR ad_daily.favorites_carts <> excluded.favorites_carts OR ad_daily.plan_name <> excluded.plan_name",
                    },
                    &chunk,
                )
                .await?;
        }
        Ok(n)
    }

    /// (item id, product id) of a shop's listings.
    pub async fn listings(&mut self, shop_id: i64) -> Result<Vec<(String, i64)>, StoreError> {
        Ok(fetch_all!(self, "SELECT item_id, product_id FROM listing WHERE shop_id = $1", [shop_id], |r| Ok((
            r.try_get(0)?,
            r.try_get(1)?
        )))?)
    }
}

/// Splits rows so no chunk holds the same key twice: each row goes to the chunk after the last one
/// holding its key, so a later row of a file is written after (and wins over) an earlier one.
fn dedup_chunks<K: std::hash::Hash + Eq>(rows: &[Vec<Value>], key: impl Fn(&Vec<Value>) -> K) -> Vec<Vec<Vec<Value>>> {
    let mut chunks: Vec<Vec<Vec<Value>>> = Vec::new();
    let mut last: std::collections::HashMap<K, usize> = std::collections::HashMap::new();
    for row in rows {
        let slot = last.get(&key(row)).map_or(0, |i| i + 1);
        if slot == chunks.len() {
            chunks.push(Vec::new());
        }
        chunks[slot].push(row.clone());
        last.insert(key(row), slot);
    }
    chunks
}
