//! What the lists export (导出 Excel): every row their filters select, over all pages, read in one
//! transaction in the lists' own order. Cost prices (成本价) are given only to roles that may see costs:
//! customer service never gets them.

use std::collections::BTreeMap;

use zhanggui_domain::Money;
use zhanggui_store::browse::{CustomerPageFilter, CustomerRow, TradePageFilter};
use zhanggui_store::ledger::StockFilter;
use zhanggui_store::{StockLine, StoreError, Trade};

use crate::App;
use crate::users::{Permission, User};

/// The most rows an export holds; a list filtered to more says the file stops there.
pub const EXPORT_AT_MOST: usize = 100_000;

/// Rows read per query while exporting.
const CHUNK: i64 = 500;

/// A trade of an export with its cost of goods (Σ units × the SKU's cost price now), when the role may
/// see costs.
#[derive(Debug, Clone)]
pub struct ExportedTrade {
    pub trade: Trade,
    pub goods_cost: Option<Money>,
}

#[derive(Debug, Clone)]
pub struct TradeExport {
    pub rows: Vec<ExportedTrade>,
    /// More trades matched than [`EXPORT_AT_MOST`].
    pub truncated: bool,
    /// The role may see costs (the cost column is there).
    pub with_costs: bool,
}

/// A stock line of an export.
#[derive(Debug, Clone)]
pub struct ExportedStock {
    pub line: StockLine,
    pub warehouse_name: String,
    /// False in a location of goods that cannot be sold (次品仓).
    pub sellable: bool,
    pub price: Money,
    /// The SKU's cost price, when the role may see costs.
    pub cost: Option<Money>,
}

#[derive(Debug, Clone)]
pub struct StockExport {
    pub rows: Vec<ExportedStock>,
    pub truncated: bool,
    pub with_costs: bool,
}

#[derive(Debug, Clone)]
pub struct CustomerExport {
    pub rows: Vec<CustomerRow>,
    pub truncated: bool,
}

impl App {
    /// Every trade the orders list's filter selects (from the first page, whatever page it was on),
    /// newest first.
    pub async fn export_trades(&self, by: &User, filter: &TradePageFilter) -> Result<TradeExport, StoreError> {
        let with_costs = by.may(Permission::ViewCosts);
        let mut f = TradePageFilter { company_id: by.company_id, after: None, limit: CHUNK, ..filter.clone() };
        let mut rows = Vec::new();
        let mut truncated = false;
        let mut tx = self.db.begin_read().await?;
        loop {
            let page = tx.trade_page(&f).await?;
            let full = page.len() as i64 == CHUNK;
            f.after = page.last().map(|t| (t.created_at, t.id));
            let costs: BTreeMap<i64, Money> = if with_costs {
                let ids: Vec<i64> = page.iter().map(|t| t.id).collect();
                tx.trade_goods_costs(by.company_id, &ids).await?.into_iter().collect()
            } else {
                BTreeMap::new()
            };
            for trade in page {
                if rows.len() == EXPORT_AT_MOST {
                    truncated = true;
                    break;
                }
                let goods_cost = with_costs.then(|| costs.get(&trade.id).copied().unwrap_or(Money::ZERO));
                rows.push(ExportedTrade { trade, goods_cost });
            }
            if !full || truncated {
                break;
            }
        }
        tx.commit().await?;
        Ok(TradeExport { rows, truncated, with_costs })
    }

    /// Every stock line the stock list's filter selects, in the list's order.
    pub async fn export_stock(&self, by: &User, filter: &StockFilter) -> Result<StockExport, StoreError> {
        let with_costs = by.may(Permission::ViewCosts);
        let f = StockFilter {
            company_id: by.company_id,
            offset: 0,
            limit: i64::try_from(EXPORT_AT_MOST + 1).unwrap_or(i64::MAX),
            ..filter.clone()
        };
        let mut tx = self.db.begin_read().await?;
        let mut lines = tx.stock_lines(&f).await?;
        let skus: BTreeMap<i64, (Money, Money)> =
            tx.skus(by.company_id).await?.into_iter().map(|s| (s.id, (s.price, s.cost))).collect();
        let warehouses = tx.warehouses(by.company_id).await?;
        tx.commit().await?;
        let truncated = lines.len() > EXPORT_AT_MOST;
        lines.truncate(EXPORT_AT_MOST);
        let rows = lines
            .into_iter()
            .map(|line| {
                let (price, cost) = skus.get(&line.sku_id).copied().unwrap_or_default();
                let wh = warehouses.iter().find(|w| w.id == line.warehouse_id);
                ExportedStock {
                    warehouse_name: wh.map(|w| w.name.clone()).unwrap_or_default(),
                    sellable: wh.is_none_or(|w| w.sellable),
                    price,
                    cost: with_costs.then_some(cost),
                    line,
                }
            })
            .collect();
        Ok(StockExport { rows, truncated, with_costs })
    }

    /// Every customer the customers list's filter selects, latest purchase first.
    pub async fn export_customers(&self, by: &User, filter: &CustomerPageFilter) -> Result<CustomerExport, StoreError> {
        let mut f = CustomerPageFilter { company_id: by.company_id, after: None, limit: CHUNK, ..filter.clone() };
        let mut rows = Vec::new();
        let mut truncated = false;
        let mut tx = self.db.begin_read().await?;
        loop {
            let page = tx.customer_page(&f).await?;
            let full = page.len() as i64 == CHUNK;
            f.after = page.last().map(|c| (c.last_paid_at.map_or(0, |t| t.timestamp()), c.id));
            for c in page {
                if rows.len() == EXPORT_AT_MOST {
                    truncated = true;
                    break;
                }
                rows.push(c);
            }
            if !full || truncated {
                break;
            }
        }
        tx.commit().await?;
        Ok(CustomerExport { rows, truncated })
    }
}
