//! What the back office lists and the trade notes people set by hand: trades and customers paged by
//! key, a customer with their trades, the shops and warehouses to filter by, and the seller memo,
//! flag and urgent mark of a trade (each change written to the audit log in the same transaction).

use chrono::Utc;
use serde::Serialize;
use zhanggui_store::browse::{CustomerPageFilter, CustomerRow, TradePageFilter};
use zhanggui_store::{Shop, Trade, Warehouse};

use crate::trading::TradeError;
use crate::users::audit_in;
use crate::{Actor, App};

/// The flag colours of the platforms' seller centre (旗帜), 0 = none.
pub const FLAGS: [(i64, &str, &str); 6] = [
    (0, "无", "none"),
    (1, "红旗", "red"),
    (2, "黄旗", "yellow"),
    (3, "绿旗", "green"),
    (4, "蓝旗", "blue"),
    (5, "紫旗", "purple"),
];

/// A customer and their latest trades.
#[derive(Debug, Clone, Serialize)]
pub struct CustomerDetail {
    pub customer: CustomerRow,
    pub trades: Vec<Trade>,
}

impl App {
    /// One page of trades; the filter's company is the actor's.
    pub async fn trade_page(&self, actor: &Actor, filter: &TradePageFilter) -> Result<Vec<Trade>, TradeError> {
        let mut f = filter.clone();
        f.company_id = actor.company_id;
        f.limit = f.limit.clamp(1, 500);
        let mut tx = self.db.begin_read().await?;
        let trades = tx.trade_page(&f).await?;
        tx.commit().await?;
        Ok(trades)
    }

    pub async fn customer_page(
        &self,
        actor: &Actor,
        filter: &CustomerPageFilter,
    ) -> Result<Vec<CustomerRow>, TradeError> {
        let mut f = filter.clone();
        f.company_id = actor.company_id;
        f.limit = f.limit.clamp(1, 500);
        let mut tx = self.db.begin_read().await?;
        let rows = tx.customer_page(&f).await?;
        tx.commit().await?;
        Ok(rows)
    }

    /// A customer with their latest `trades` trades.
    pub async fn customer_detail(
        &self,
        actor: &Actor,
        customer_id: i64,
        trades: i64,
    ) -> Result<CustomerDetail, TradeError> {
        let mut tx = self.db.begin_read().await?;
        let customer = tx
            .customer_of(actor.company_id, customer_id)
            .await?
            .ok_or_else(|| TradeError::NotFound(format!("customer {customer_id}")))?;
        let f = TradePageFilter {
            company_id: actor.company_id,
            customer_id: Some(customer_id),
            limit: trades.clamp(1, 500),
            ..Default::default()
        };
        let trades = tx.trade_page(&f).await?;
        tx.commit().await?;
        Ok(CustomerDetail { customer, trades })
    }

    pub async fn shops(&self, actor: &Actor) -> Result<Vec<Shop>, TradeError> {
        let mut tx = self.db.begin_read().await?;
        let shops = tx.shops(actor.company_id).await?;
        tx.commit().await?;
        Ok(shops)
    }

    pub async fn warehouses(&self, actor: &Actor) -> Result<Vec<Warehouse>, TradeError> {
        let mut tx = self.db.begin_read().await?;
        let all = tx.warehouses(actor.company_id).await?;
        tx.commit().await?;
        Ok(all)
    }

    /// Sets the seller memo (卖家备注) and flag (旗帜) of a trade; returns the memo and flag it had
    /// before, so the change can be undone (撤销).
    pub async fn set_trade_memo(
        &self,
        actor: &Actor,
        trade_id: i64,
        memo: &str,
        flag: i64,
    ) -> Result<(String, i64), TradeError> {
        if !FLAGS.iter().any(|f| f.0 == flag) {
            return Err(TradeError::Invalid { field: "flag", reason: format!("unknown flag {flag}") });
        }
        let memo = memo.trim();
        if memo.chars().count() > 500 {
            return Err(TradeError::Invalid { field: "memo", reason: "at most 500 characters".into() });
        }
        let mut tx = self.db.begin().await?;
        let trade = tx
            .trade_for_update(actor.company_id, trade_id)
            .await?
            .ok_or_else(|| TradeError::NotFound(trade_id.to_string()))?;
        tx.set_trade_memo(trade_id, memo, flag).await?;
        let before = format!("memo={} flag={}", trade.seller_memo, trade.flag);
        let after = format!("memo={memo} flag={flag}");
        audit_in(&mut tx, actor, "trade.memo", &trade.tid, &before, &after, Utc::now()).await?;
        tx.commit().await?;
        Ok((trade.seller_memo, trade.flag))
    }

    /// Marks a trade urgent (加急) or not.
    pub async fn set_trade_urgent(&self, actor: &Actor, trade_id: i64, urgent: bool) -> Result<(), TradeError> {
        let mut tx = self.db.begin().await?;
        let trade = tx
            .trade_for_update(actor.company_id, trade_id)
            .await?
            .ok_or_else(|| TradeError::NotFound(trade_id.to_string()))?;
        tx.set_trade_urgent(trade_id, urgent).await?;
        let (before, after) = (format!("urgent={}", trade.urgent), format!("urgent={urgent}"));
        audit_in(&mut tx, actor, "trade.urgent", &trade.tid, &before, &after, Utc::now()).await?;
        tx.commit().await?;
        Ok(())
    }
}
