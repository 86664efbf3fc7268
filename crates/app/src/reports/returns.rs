//! Returns analysis (退换货分析) for the weekly report: the return and exchange requests made in the
//! period by reason and by SKU (quality returns apart: `is_quality_reason`), and the customers who
//! asked, with their return ratio (退换货比例 = trades with a return or exchange / trades shipped,
//! DOMAIN.md §7) over all their trades up to the period's end, highest first.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use zhanggui_domain::after_sales::is_quality_reason;
use zhanggui_domain::{MetricValue, Ratio, RefundKind};
use zhanggui_store::{StoreError, Tx};

use super::Scope;

#[derive(Debug, Clone, Default, Serialize)]
pub struct ReturnsAnalysis {
    pub requests: i64,
    pub units: i64,
    pub quality_requests: i64,
    pub by_reason: Vec<ReasonReturns>,
    pub by_sku: Vec<SkuReturns>,
    pub by_customer: Vec<CustomerReturns>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReasonReturns {
    /// As the buyer gave it ('' when none was given).
    pub reason: String,
    pub quality: bool,
    pub returns: i64,
    pub exchanges: i64,
    pub units: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct SkuReturns {
    pub sku_code: String,
    pub title: String,
    pub properties: String,
    pub requests: i64,
    pub units: i64,
    /// Requests whose reason is about quality (质量退货).
    pub quality_requests: i64,
    /// Units received damaged (验货破损).
    pub damaged_units: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct CustomerReturns {
    pub buyer_nick: String,
    /// Requests made in the period.
    pub requests: i64,
    pub trades_shipped: i64,
    pub trades_returned_or_exchanged: i64,
    pub return_ratio: MetricValue,
}

/// The analysis of the requests made in `[from, to)`.
pub async fn analyse(
    tx: &mut Tx,
    scope: &Scope,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<ReturnsAnalysis, StoreError> {
    let requests = tx.return_requests(scope.company_id, scope.shop_id(), from, to).await?;
    let mut out = ReturnsAnalysis::default();
    let mut reasons: BTreeMap<String, ReasonReturns> = BTreeMap::new();
    let mut skus: BTreeMap<String, SkuReturns> = BTreeMap::new();
    let mut customers: BTreeMap<i64, (String, i64)> = BTreeMap::new();
    for r in &requests {
        let quality = is_quality_reason(&r.reason);
        out.requests += 1;
        out.units += r.qty;
        out.quality_requests += i64::from(quality);
        let reason = reasons.entry(r.reason.trim().to_string()).or_insert_with(|| ReasonReturns {
            reason: r.reason.trim().to_string(),
            quality,
            returns: 0,
            exchanges: 0,
            units: 0,
        });
        reason.returns += i64::from(r.kind == RefundKind::ReturnAndRefund);
        reason.exchanges += i64::from(r.kind == RefundKind::Exchange);
        reason.units += r.qty;
        let sku = skus.entry(r.outer_sku_id.clone()).or_insert_with(|| SkuReturns {
            sku_code: r.outer_sku_id.clone(),
            title: r.title.clone(),
            properties: r.properties.clone(),
            requests: 0,
            units: 0,
            quality_requests: 0,
            damaged_units: 0,
        });
        sku.requests += 1;
        sku.units += r.qty;
        sku.quality_requests += i64::from(quality);
        sku.damaged_units += r.received_damaged;
        if let Some(c) = r.customer_id {
            customers.entry(c).or_insert_with(|| (r.buyer_nick.clone(), 0)).1 += 1;
        }
    }
    out.by_reason = reasons.into_values().collect();
    out.by_reason
        .sort_by(|a, b| (b.returns + b.exchanges).cmp(&(a.returns + a.exchanges)).then(a.reason.cmp(&b.reason)));
    out.by_sku = skus.into_values().collect();
    out.by_sku.sort_by(|a, b| {
        b.quality_requests.cmp(&a.quality_requests).then(b.requests.cmp(&a.requests)).then(a.sku_code.cmp(&b.sku_code))
    });
    let ids: Vec<i64> = customers.keys().copied().collect();
    let counts = tx.customer_return_counts(scope.company_id, &ids, to).await?;
    for (id, shipped, returned) in counts {
        let Some((nick, asked)) = customers.get(&id) else { continue };
        let ratio = Ratio::new(returned, shipped);
        out.by_customer.push(CustomerReturns {
            buyer_nick: nick.clone(),
            requests: *asked,
            trades_shipped: shipped,
            trades_returned_or_exchanged: returned,
            return_ratio: if ratio.is_defined() { MetricValue::Rate(ratio) } else { MetricValue::Unavailable },
        });
    }
    out.by_customer.sort_by(|a, b| {
        let ratio = |c: &CustomerReturns| match c.return_ratio {
            MetricValue::Rate(r) => r,
            _ => Ratio::new(0, 1),
        };
        ratio(b)
            .compare(ratio(a))
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(b.requests.cmp(&a.requests))
            .then(a.buyer_nick.cmp(&b.buyer_nick))
    });
    Ok(out)
}
