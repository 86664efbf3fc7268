//! After-sales cases from the refund fields of order exports: the line report's 退款状态 and 退款金额
//! (Taobao/Tmall 宝贝报表) and Pinduoduo's 售后状态.
//!
//! An order export carries no refund number and no refund times, so such a case is keyed by its
//! line (`订单导出-{shop}-{子订单编号}`) and its times are estimates:
//! - a trade seen for the first time dates it at the latest time the export gives for the trade
//!   (finished, closed, shipped, paid, created);
//! - a trade imported before dates it at this import (the refund happened since the last export).
//!
//! The kind is 退货退款 when the status belongs to a return (waiting for the buyer's parcel or for the
//! seller's check), else 未发货仅退款 or 已发货仅退款 by whether the line had shipped; a request that a
//! later export shows as a return becomes one. Later order exports move the case forward only (an
//! older file imported late changes nothing); it never reopens once finished, so a second request on
//! the same line is known only from the after-sales export. When the after-sales export names the
//! case, it takes it over with its refund number, kind and real times (`import_refunds`), and the
//! summaries move with it.
//!
//! A line that already has a case from the after-sales export or from staff gets none from an order
//! export: those are the better record. A refund above what the line can still give back (a refund
//! that includes postage, say) is recorded at what the line can give back, with a note.

use chrono::{DateTime, Utc};
use zhanggui_domain::after_sales::pays_money;
use zhanggui_domain::{Money, RefundKind, RefundStatus};
use zhanggui_formats::OrderRecord;
use zhanggui_formats::refunds::parse_refund_status;
use zhanggui_store::{NewRefund, NewTrade, StoreError, Trade, Tx};

/// The statuses that belong to a return: the buyer sends the goods back, the seller checks them.
fn is_return_status(s: RefundStatus) -> bool {
    matches!(s, RefundStatus::WaitBuyerReturnGoods | RefundStatus::WaitSellerConfirmGoods)
}

/// The refund number given to a case known only from an order export.
pub(crate) fn case_key(shop_id: i64, oid: &str) -> String {
    format!("订单导出-{shop_id}-{oid}")
}

fn kind_of(status: RefundStatus, shipped: bool) -> RefundKind {
    match status {
        RefundStatus::WaitBuyerReturnGoods | RefundStatus::WaitSellerConfirmGoods => RefundKind::ReturnAndRefund,
        _ if shipped => RefundKind::RefundShipped,
        _ => RefundKind::RefundUnshipped,
    }
}

/// The amount to record: what the export says (the whole line when it says nothing), at most
/// `refundable`; with a note when it had to be cut.
fn amount_of(asked: Money, refundable: Money) -> (Money, String) {
    let refundable = if refundable.is_negative() { Money::ZERO } else { refundable };
    if asked.is_zero() {
        return (refundable, String::new());
    }
    if asked > refundable {
        let note = format!("订单导出的退款金额 {asked} 超过该商品可退金额 {refundable}，按可退金额登记");
        return (refundable, note);
    }
    (asked, String::new())
}

#[allow(clippy::too_many_arguments)]
fn case(
    company_id: i64,
    shop_id: i64,
    oid: &str,
    text: &str,
    status: RefundStatus,
    shipped: bool,
    amount: Money,
    at: DateTime<Utc>,
) -> NewRefund {
    NewRefund {
        company_id,
        trade_id: 0,
        order_line_id: None,
        refund_no: case_key(shop_id, oid),
        kind: kind_of(status, shipped),
        status,
        reason: format!("订单导出：{}", text.trim()),
        amount,
        created_at: at,
        deadline_at: None,
        finished_at: (!status.is_open()).then_some(at),
    }
}

/// The cases of a trade seen for the first time, by line index, for its history: `new` is the
/// trade as it will be written, its lines made from `r`'s line records in their order.
pub(crate) fn for_new_trade(shop_id: i64, r: &OrderRecord, new: &NewTrade) -> Vec<(usize, NewRefund)> {
    if r.lines.is_empty() {
        return Vec::new();
    }
    let at = [new.finished_at, new.closed_at, new.shipped_at, new.paid_at]
        .into_iter()
        .flatten()
        .chain(new.lines.iter().filter_map(|l| l.shipped_at))
        .max()
        .unwrap_or(new.created_at);
    let mut out = Vec::new();
    for (i, (rec, line)) in r.lines.iter().zip(&new.lines).enumerate() {
        let Some(status) = parse_refund_status(&rec.refund_status) else { continue };
        let (amount, cut) = amount_of(rec.refund_amount, line.amount_paid);
        let shipped = line.shipped_at.is_some();
        let mut c = case(new.company_id, shop_id, &line.oid, &rec.refund_status, status, shipped, amount, at);
        // A trade written in bulk has no case note yet: say what was cut where the reason is shown.
        if !cut.is_empty() {
            c.reason = format!("{}（{cut}）", c.reason);
        }
        out.push((i, c));
    }
    out
}

/// Brings the cases of a trade imported before up to a later export's refund fields; true when any
/// case was opened or moved on.
pub(crate) async fn sync_known_trade(
    tx: &mut Tx,
    shop_id: i64,
    t: &Trade,
    r: &OrderRecord,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    if r.lines.iter().all(|l| parse_refund_status(&l.refund_status).is_none()) {
        return Ok(false);
    }
    let tz = t.time_zone;
    let stored = tx.trade_lines(t.id).await?;
    let at =
        [t.finished_at, t.closed_at, t.shipped_at, t.paid_at].into_iter().flatten().max().map_or(now, |x| x.max(now));
    let mut changed = false;
    for rec in &r.lines {
        let Some(status) = parse_refund_status(&rec.refund_status) else { continue };
        let Some(line) = stored.iter().find(|l| l.oid == rec.oid) else { continue };
        let key = case_key(shop_id, &line.oid);
        let cases = tx.cases_on_line(line.id).await?;
        if cases.iter().any(|k| *k != key) {
            continue;
        }
        let existing = match cases.is_empty() {
            true => None,
            false => tx.refund_case(t.company_id, &key).await?,
        };
        let except = existing.as_ref().map_or(0, |c| c.id);
        let committed = tx.line_refund_committed(line.id, except).await?;
        let (amount, note) = amount_of(rec.refund_amount, line.amount_paid - committed);
        match existing {
            Some(c) => {
                let new_amount = c.status == status && c.amount != amount && status.is_open();
                if !(c.status.may_become(status) || new_amount) {
                    continue;
                }
                // The case as the export now has it; a request that turned out to be a return becomes one.
                let kind = if is_return_status(status) && !is_return_status(c.status) {
                    RefundKind::ReturnAndRefund
                } else {
                    c.kind
                };
                let now_case = NewRefund {
                    company_id: t.company_id,
                    trade_id: t.id,
                    order_line_id: Some(line.id),
                    refund_no: key.clone(),
                    kind,
                    status,
                    reason: c.reason.clone(),
                    amount,
                    created_at: c.created_at,
                    deadline_at: c.deadline_at,
                    finished_at: if status.is_open() { None } else { Some(at) },
                };
                let since = if c.status == status { c.status_since } else { at };
                tx.adopt_case(&c, &now_case, ("", ""), &note, "订单导出", since, tz).await?;
                if status == RefundStatus::Success && pays_money(kind) {
                    tx.sync_refund_amounts(t.id, line.id).await?;
                }
                changed = true;
            }
            None => {
                let mut new = case(
                    t.company_id,
                    shop_id,
                    &line.oid,
                    &rec.refund_status,
                    status,
                    line.shipped_at.is_some(),
                    amount,
                    at,
                );
                new.trade_id = t.id;
                new.order_line_id = Some(line.id);
                let id = tx.insert_refund(&new).await?;
                tx.set_imported_case_details(id, at, ("", ""), &note).await?;
                if status == RefundStatus::Success && pays_money(new.kind) {
                    tx.sync_refund_amounts(t.id, line.id).await?;
                }
                changed = true;
            }
        }
    }
    Ok(changed)
}
