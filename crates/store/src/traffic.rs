//! Daily traffic (PV, UV) per shop or per listed item.

use crate::{StoreError, Tx};

#[derive(Debug, Clone)]
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
}

impl Tx {
    /// Inserts or replaces the figures of one (shop, day, item).
    pub async fn upsert_traffic(&mut self, t: &TrafficRow) -> Result<(), StoreError> {
        exec!(
            self,
            "INSERT INTO traffic_daily (company_id, shop_id, day, item_id, product_id, pv, uv, add_cart_buyers, favorite_buyers) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT (shop_id, day, item_id) DO UPDATE SET product_id = excluded.product_id, pv = excluded.pv, \
                uv = excluded.uv, add_cart_buyers = excluded.add_cart_buyers, favorite_buyers = excluded.favorite_buyers",
            t.company_id,
            t.shop_id,
            &t.day,
            &t.item_id,
            t.product_id,
            t.pv,
            t.uv,
            t.add_cart_buyers,
            t.favorite_buyers
        )?;
        Ok(())
    }
}
