//! The changes pages and API share: each calls its use case, then writes the audit line with what
//! the record was before and after.

use chrono::Utc;
use zhanggui_app::stock::StockError;
use zhanggui_app::trading::{ShipInput, TradeError};
use zhanggui_app::{Actor, App};

fn invalid(field: &'static str, zh: &str, en: &str) -> TradeError {
    TradeError::Invalid { field, reason: format!("{zh} / {en}") }
}

pub async fn ship(app: &App, actor: &Actor, id: i64, carrier: &str, tracking_no: &str) -> Result<(), TradeError> {
    let (carrier, tracking_no) = (carrier.trim(), tracking_no.trim());
    if carrier.is_empty() {
        return Err(invalid("carrier", "请填写快递公司", "name the carrier"));
    }
    if tracking_no.is_empty() {
        return Err(invalid("tracking_no", "请填写运单号", "give the tracking number"));
    }
    let before = app.trade_detail(actor, id).await?.trade;
    let ship = ShipInput { carrier: carrier.into(), tracking_no: tracking_no.into(), line_ids: None };
    app.ship_trade(actor, id, &ship, Utc::now()).await?;
    let after = app.trade_detail(actor, id).await?.trade;
    app.record_audit(
        actor,
        "trade.ship",
        &before.tid,
        &format!("status={}", before.status.code()),
        &format!("status={} carrier={} tracking_no={}", after.status.code(), after.carrier, after.tracking_no),
    )
    .await?;
    Ok(())
}

pub async fn close(app: &App, actor: &Actor, id: i64, reason: &str) -> Result<(), TradeError> {
    if reason.trim().is_empty() {
        return Err(invalid("reason", "请写明关闭原因", "say why the order is closed"));
    }
    let before = app.trade_detail(actor, id).await?.trade;
    app.close_trade(actor, id, reason, Utc::now()).await?;
    app.record_audit(
        actor,
        "trade.close",
        &before.tid,
        &format!("status={}", before.status.code()),
        &format!("status=closed reason={}", reason.trim()),
    )
    .await?;
    Ok(())
}

async fn on_hand(app: &App, actor: &Actor, code: &str) -> Result<String, StockError> {
    let s = app.stock_show(actor, code, 0).await?;
    Ok(s.warehouses
        .iter()
        .map(|w| format!("{}:{}/{}", w.warehouse_code, w.on_hand, w.reserved))
        .collect::<Vec<_>>()
        .join(" "))
}

/// Adjusts stock; returns what is available afterwards in that warehouse.
pub async fn adjust(
    app: &App,
    actor: &Actor,
    code: &str,
    warehouse: Option<&str>,
    qty: i64,
    reason: &str,
) -> Result<i64, StockError> {
    let before = on_hand(app, actor, code).await?;
    let available = app.adjust_stock(actor, code, warehouse, qty, reason, Utc::now()).await?;
    let after = on_hand(app, actor, code).await?;
    let what = format!("{} ({qty:+}, {})", code.trim(), reason.trim());
    app.record_audit(actor, "stock.adjust", &what, &before, &after).await?;
    Ok(available)
}

pub async fn transfer(app: &App, actor: &Actor, code: &str, from: &str, to: &str, qty: i64) -> Result<(), StockError> {
    let before = on_hand(app, actor, code).await?;
    app.transfer_stock(actor, code, from, to, qty, Utc::now()).await?;
    let after = on_hand(app, actor, code).await?;
    let what = format!("{} ({qty} {} → {})", code.trim(), from.trim(), to.trim());
    app.record_audit(actor, "stock.transfer", &what, &before, &after).await?;
    Ok(())
}
