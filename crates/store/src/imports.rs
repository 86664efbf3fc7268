//! What importing exports needs from the store: finding trades by order number in bulk, resolving
//! merchant codes (with hand-made mappings), refreshing customers' figures, unmatched codes.

use chrono::{DateTime, Utc};
use serde::Serialize;
use zhanggui_domain::Money;

use crate::batch::Value;
use crate::batch::marks;
use crate::{SkuInfo, StoreError, Trade, Tx, args, to_ts};

/// Binds per IN list: well under both backends' limits.
const IN_CHUNK: usize = 500;

/// An export's merchant code that matches no SKU yet (未匹配商品).
#[derive(Debug, Clone, Serialize)]
pub struct UnmatchedCode {
    pub code: String,
    pub title: String,
    pub lines: i64,
    pub units: i64,
}

/// The fields an export may change on a trade besides its status.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TradeFields {
    pub goods_amount: Money,
    pub postage: Money,
    pub discount: Money,
    pub total_amount: Money,
    pub amount_paid: Money,
    pub refund_amount: Money,
    pub receiver_name: String,
    pub receiver_phone: String,
    pub receiver_address: String,
    pub province: String,
    pub city: String,
    pub district: String,
    pub buyer_message: String,
    pub seller_memo: String,
    pub carrier: String,
    pub tracking_no: String,
    pub close_reason: String,
}

impl Tx {
    /// The trades of a shop with these order numbers.
    pub async fn trades_by_tids(
        &mut self,
        company_id: i64,
        shop_id: i64,
        tids: &[&str],
    ) -> Result<Vec<Trade>, StoreError> {
        let mut out = Vec::with_capacity(tids.len());
        for chunk in tids.chunks(IN_CHUNK) {
            let mut found = Vec::new();
            for tid in chunk {
                found.push(*tid);
            }
            let sql = format!(
                "SELECT {} FROM trade t JOIN shop s ON s.id = t.shop_id WHERE t.company_id = $1 AND t.shop_id = $2 AND t.tid IN ({})",
                crate::trades::TRADE_COLUMNS,
                marks(3, chunk.len())
            );
            let mut a = args![company_id, shop_id];
            a.extend(chunk.iter().map(|t| Value::from(*t)));
            out.extend(self.fetch_trades_dyn(sql, &a).await?);
        }
        Ok(out)
    }

    /// (id, tid) of a shop's trades with these order numbers.
    pub async fn trade_ids_by_tids(&mut self, shop_id: i64, tids: &[&str]) -> Result<Vec<(i64, String)>, StoreError> {
        let mut out = Vec::with_capacity(tids.len());
        for chunk in tids.chunks(IN_CHUNK) {
            let sql = format!("SELECT id, tid FROM trade WHERE shop_id = $1 AND tid IN ({})", marks(2, chunk.len()));
            let mut a = args![shop_id];
            a.extend(chunk.iter().map(|t| Value::from(*t)));
            out.extend(self.fetch_id_text(sql, &a).await?);
        }
        Ok(out)
    }

    /// Runs a query whose rows are (BIGINT, TEXT). Its text holds a list of varying length, so it is
    /// not kept prepared (one cached statement per length would pile up over a long import).
    async fn fetch_id_text(&mut self, sql: String, a: &[Value]) -> Result<Vec<(i64, String)>, StoreError> {
        use sqlx::Row as _;
        let refs: Vec<&Value> = a.iter().collect();
        let mut out = Vec::new();
        match self {
            Tx::Sqlite(t) => {
                let (sql, args) = crate::batch::positional(&sql, &refs);
                let q = sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(false);
                for r in crate::bind_values!(q, args).fetch_all(&mut **t).await? {
                    out.push((r.try_get(0)?, r.try_get(1)?));
                }
            }
            Tx::Postgres(t) => {
                let q = sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(false);
                for r in crate::bind_values!(q, refs).fetch_all(&mut **t).await? {
                    out.push((r.try_get(0)?, r.try_get(1)?));
                }
            }
        }
        Ok(out)
    }

    /// SKUs by merchant code, directly or through a hand-made mapping (sku_alias), keyed by the code
    /// as asked.
    pub async fn resolve_codes(
        &mut self,
        company_id: i64,
        codes: &[&str],
    ) -> Result<Vec<(String, SkuInfo)>, StoreError> {
        let mut out: Vec<(String, SkuInfo)> = Vec::new();
        let mut found: std::collections::HashSet<String> = std::collections::HashSet::new();
        for chunk in codes.chunks(IN_CHUNK) {
            for s in self.skus_by_codes(company_id, chunk).await? {
                found.insert(s.outer_sku_id.clone());
                out.push((s.outer_sku_id.clone(), s));
            }
            let missing: Vec<&str> = chunk.iter().copied().filter(|c| !found.contains(*c)).collect();
            if missing.is_empty() {
                continue;
            }
            let sql = format!(
                "SELECT a.code, s.id, s.product_id, s.outer_sku_id, p.outer_id, p.title, s.properties, s.cost, s.price \
                 FROM sku_alias a JOIN sku s ON s.id = a.sku_id JOIN product p ON p.id = s.product_id \
                 WHERE a.company_id = $1 AND a.code IN ({})",
                marks(2, missing.len())
            );
            let mut a = args![company_id];
            a.extend(missing.iter().map(|c| Value::from(*c)));
            macro_rules! alias_rows {
                ($t:expr) => {{
                    use sqlx::Row as _;
                    let rows = crate::bind_values!(sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(false), a.iter())
                        .fetch_all(&mut **$t)
                        .await?;
                    for r in rows {
                        out.push((
                            r.try_get("code")?,
                            SkuInfo {
                                id: r.try_get("id")?,
                                product_id: r.try_get("product_id")?,
                                outer_sku_id: r.try_get("outer_sku_id")?,
                                outer_id: r.try_get("outer_id")?,
                                title: r.try_get("title")?,
                                properties: r.try_get("properties")?,
                                cost: Money::from_fen(r.try_get("cost")?),
                                price: Money::from_fen(r.try_get("price")?),
                            },
                        ));
                    }
                }};
            }
            match self {
                Tx::Sqlite(t) => alias_rows!(t),
                Tx::Postgres(t) => alias_rows!(t),
            }
        }
        Ok(out)
    }

    /// (id, nick) of the customers with these nicks.
    pub async fn customer_ids(
        &mut self,
        company_id: i64,
        account_system: &str,
        nicks: &[&str],
    ) -> Result<Vec<(i64, String)>, StoreError> {
        let mut out = Vec::with_capacity(nicks.len());
        for chunk in nicks.chunks(IN_CHUNK) {
            let sql = format!(
                "SELECT id, nick FROM customer WHERE company_id = $1 AND account_system = $2 AND nick IN ({})",
                marks(3, chunk.len())
            );
            let mut a = args![company_id, account_system];
            a.extend(chunk.iter().map(|n| Value::from(*n)));
            out.extend(self.fetch_id_text(sql, &a).await?);
        }
        Ok(out)
    }

    /// Recomputes paid trades, spend and first/last payment of these customers from their trades
    /// (platform basis: by payment, refunds not netted).
    pub async fn refresh_customers(
        &mut self,
        company_id: i64,
        account_system: &str,
        nicks: &[&str],
    ) -> Result<(), StoreError> {
        for chunk in nicks.chunks(IN_CHUNK) {
            let sql = format!(
                "UPDATE customer SET \
                    paid_trades = (SELECT COUNT(*) FROM trade t WHERE t.customer_id = customer.id AND t.paid_at IS NOT NULL), \
                    spend = (SELECT COALESCE(CAST(SUM(t.amount_paid) AS BIGINT), 0) FROM trade t \
                             WHERE t.customer_id = customer.id AND t.paid_at IS NOT NULL), \
                    first_paid_at = (SELECT MIN(t.paid_at) FROM trade t WHERE t.customer_id = customer.id), \
                    last_paid_at = (SELECT MAX(t.paid_at) FROM trade t WHERE t.customer_id = customer.id) \
                 WHERE company_id = $1 AND account_system = $2 AND nick IN ({})",
                marks(3, chunk.len())
            );
            let mut a = args![company_id, account_system];
            a.extend(chunk.iter().map(|n| Value::from(*n)));
            self.exec_dyn(sql, &a).await?;
        }
        Ok(())
    }

    /// Writes the fields an export changed on `current` (the trade as stored now); `at` is the update
    /// time. A changed amount moves the sales summaries by the difference (收订 on the day the trade
    /// was created, 付款 on the day it was paid), in the same batch.
    pub async fn update_trade_fields(
        &mut self,
        current: &Trade,
        f: &TradeFields,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        use crate::summaries::{ShopDay, SummaryDelta, amount_created};
        let a = args![
            f.goods_amount.fen(),
            f.postage.fen(),
            f.discount.fen(),
            f.total_amount.fen(),
            f.amount_paid.fen(),
            f.refund_amount.fen(),
            &f.receiver_name,
            &f.receiver_phone,
            &f.receiver_address,
            &f.province,
            &f.city,
            &f.district,
            &f.buyer_message,
            &f.seller_memo,
            &f.carrier,
            &f.tracking_no,
            &f.close_reason,
            to_ts(at),
            current.id
        ];
        let mut b = crate::batch::Batch::new();
        b.push(
            "UPDATE trade SET goods_amount = $1, postage = $2, discount = $3, total_amount = $4, amount_paid = $5, \
                refund_amount = $6, receiver_name = $7, receiver_phone = $8, receiver_address = $9, province = $10, \
                city = $11, district = $12, buyer_message = $13, seller_memo = $14, carrier = $15, tracking_no = $16, \
                close_reason = $17, updated_at = $18 WHERE id = $19",
            a,
        );
        let tz = current.time_zone;
        let mut summary = SummaryDelta::new(current.company_id);
        let created =
            amount_created(f.total_amount, f.discount) - amount_created(current.total_amount, current.discount);
        summary.shop(
            current.shop_id,
            current.created_at,
            tz,
            ShopDay { amount_created: created.fen(), ..ShopDay::default() },
        );
        if let Some(paid_at) = current.paid_at {
            let paid = f.amount_paid - current.amount_paid;
            summary.shop(current.shop_id, paid_at, tz, ShopDay { amount_paid: paid.fen(), ..ShopDay::default() });
        }
        summary.push(&mut b);
        self.run_batch(&b).await?;
        Ok(())
    }

    /// Maps an export's merchant code to a SKU and links the lines that carried it; returns how many
    /// lines were linked. The paid ones now count for the SKU in the sales summaries.
    pub async fn map_code(&mut self, company_id: i64, code: &str, sku_id: i64) -> Result<u64, StoreError> {
        use crate::summaries::{PaidLine, SkuDay, SummaryDelta};
        exec!(
            &mut *self,
            "INSERT INTO sku_alias (company_id, code, sku_id) VALUES ($1, $2, $3) \
             ON CONFLICT (company_id, code) DO UPDATE SET sku_id = excluded.sku_id",
            company_id,
            code,
            sku_id
        )?;
        let paid: Vec<(i64, i64, i64, i64)> = fetch_all!(
            &mut *self,
            "SELECT t.shop_id, t.paid_at, l.qty, l.amount_paid FROM order_line l JOIN trade t ON t.id = l.trade_id \
             WHERE l.company_id = $1 AND l.outer_sku_id = $2 AND l.sku_id IS NULL AND t.paid_at IS NOT NULL",
            [company_id, code],
            |r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?))
        )?;
        let tz = self.company_zone(company_id).await?;
        let mut summary = SummaryDelta::new(company_id);
        for (shop_id, paid_at, qty, amount) in paid {
            let l = PaidLine { sku_id: Some(sku_id), qty, amount_paid: Money::from_fen(amount) };
            let change = SkuDay { units_paid: l.qty, amount_paid: l.amount_paid.fen(), lines_paid: 1 };
            summary.sku(shop_id, sku_id, crate::from_ts(paid_at), tz, change);
        }
        let linked = exec!(
            &mut *self,
            "UPDATE order_line SET sku_id = $1 WHERE company_id = $2 AND outer_sku_id = $3 AND sku_id IS NULL",
            sku_id,
            company_id,
            code
        )?;
        self.add_to_summaries(&summary).await?;
        Ok(linked)
    }

    /// Merchant codes on lines that match no SKU, most sold first.
    pub async fn unmatched_codes(&mut self, company_id: i64) -> Result<Vec<UnmatchedCode>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT outer_sku_id AS code, MAX(title) AS title, COUNT(*) AS lines, COALESCE(CAST(SUM(qty) AS BIGINT), 0) AS units \
             FROM order_line WHERE company_id = $1 AND sku_id IS NULL GROUP BY outer_sku_id ORDER BY units DESC, code",
            [company_id],
            |r| Ok(UnmatchedCode {
                code: r.try_get("code")?,
                title: r.try_get("title")?,
                lines: r.try_get("lines")?,
                units: r.try_get("units")?,
            })
        )?)
    }

    pub async fn set_inventory_start(&mut self, shop_id: i64, at: DateTime<Utc>) -> Result<(), StoreError> {
        exec!(self, "UPDATE shop SET inventory_start_at = $1 WHERE id = $2", to_ts(at), shop_id)?;
        Ok(())
    }

    /// Runs a statement whose text holds a list of varying length (not kept prepared).
    async fn exec_dyn(&mut self, sql: String, a: &[Value]) -> Result<u64, StoreError> {
        Ok(match self {
            Tx::Sqlite(t) => {
                let refs: Vec<&Value> = a.iter().collect();
                let (sql, args) = crate::batch::positional(&sql, &refs);
                crate::bind_values!(sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(false), args)
                    .execute(&mut **t)
                    .await?
                    .rows_affected()
            }
            Tx::Postgres(t) => crate::bind_values!(sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(false), a.iter())
                .execute(&mut **t)
                .await?
                .rows_affected(),
        })
    }
}
