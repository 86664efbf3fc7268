//! The after-sales export (退款管理 → 导出) into after-sales cases. Each case is matched to its trade
//! (which must have been imported) and line (子订单编号, else 商家编码, else the title, else the
//! trade's only line) and keyed by its refund number, so importing the file twice changes nothing and
//! a later export moves the cases on. Each row is its own transaction: a bad row is listed and the
//! others are kept.
//!
//! A case that succeeds counts in the day's 成功退款 summary (once, on its finishing day) and raises
//! its line's and trade's refund amounts to what the cases paid back. A refused case the export shows
//! with the platform's customer service stepping in (客服介入) gets a dispute. A case an order export
//! recorded from the line's refund fields (`export_cases`) is taken over by the row that names its
//! line: it gets the refund number, kind and times of the after-sales export, and the summaries move
//! with it.

use std::time::Instant;

use zhanggui_domain::after_sales::{check_amount, pays_money};
use zhanggui_domain::{DisputeStage, RefundStatus};
use zhanggui_formats::RowError;
use zhanggui_formats::refunds::RefundRecord;
use zhanggui_store::{NewRefund, OrderLine, StoreError, Tx};

use super::{ImportError, ImportSummary, Reject, utc};
use crate::trading::with_retry;
use crate::{Actor, App};

/// What one row did.
enum Outcome {
    Inserted,
    Updated,
    Unchanged,
    Rejected(String, &'static str),
}

impl App {
    /// Imports the cases of an after-sales export of `shop`.
    pub async fn import_refunds(
        &self,
        actor: &Actor,
        shop: &str,
        file: &str,
        records: &[RefundRecord],
        read_errors: &[RowError],
        progress: &(dyn Fn(usize) + Sync),
    ) -> Result<ImportSummary, ImportError> {
        let started = Instant::now();
        let shop = self.shop_named(actor, shop).await?;
        let mut summary = ImportSummary {
            kind: "refunds".into(),
            file: file.into(),
            records: records.len(),
            rejects: read_errors.iter().map(Reject::from).collect(),
            ..Default::default()
        };
        for (i, r) in records.iter().enumerate() {
            let outcome = with_retry(|| async {
                let mut tx = self.db.begin().await?;
                let out = import_one(&mut tx, actor, shop.id, r).await?;
                match out {
                    Outcome::Rejected(..) | Outcome::Unchanged => tx.rollback().await?,
                    _ => tx.commit().await?,
                }
                Ok::<_, RetryStore>(out)
            })
            .await
            .map_err(|e| ImportError::Store(e.0))?;
            match outcome {
                Outcome::Inserted => summary.inserted += 1,
                Outcome::Updated => summary.updated += 1,
                Outcome::Unchanged => summary.unchanged += 1,
                Outcome::Rejected(reason, column) => summary.rejects.push(Reject {
                    file: file.into(),
                    line: r.line,
                    column: Some(column.to_string()),
                    reason,
                }),
            }
            progress(i + 1);
        }
        summary.rejects.sort_by_key(|r| r.line);
        summary.rejected = summary.rejects.len();
        summary.seconds = started.elapsed().as_secs_f64();
        Ok(summary)
    }
}

/// A store error, retried when the store says a fresh attempt may succeed.
struct RetryStore(StoreError);

impl From<StoreError> for RetryStore {
    fn from(e: StoreError) -> Self {
        RetryStore(e)
    }
}

impl crate::trading::Retryable for RetryStore {
    fn retryable(&self) -> bool {
        self.0.is_retryable()
    }
}

fn find_line<'a>(lines: &'a [OrderLine], r: &RefundRecord) -> Option<&'a OrderLine> {
    let by = |f: &dyn Fn(&OrderLine) -> bool| {
        let found: Vec<&OrderLine> = lines.iter().filter(|l| f(l)).collect();
        if found.len() == 1 { found.first().copied() } else { None }
    };
    (!r.oid.is_empty())
        .then(|| by(&|l| l.oid == r.oid))
        .flatten()
        .or_else(|| (!r.sku_code.is_empty()).then(|| by(&|l| l.outer_sku_id == r.sku_code)).flatten())
        .or_else(|| (!r.title.is_empty()).then(|| by(&|l| l.title == r.title)).flatten())
        .or_else(|| if lines.len() == 1 { lines.first() } else { None })
}

async fn import_one(tx: &mut Tx, actor: &Actor, shop_id: i64, r: &RefundRecord) -> Result<Outcome, StoreError> {
    let tz = tx.company_zone(actor.company_id).await?;
    let Some(trade) = tx.trades_by_tid(actor.company_id, &r.tid).await?.into_iter().find(|t| t.shop_id == shop_id)
    else {
        return Ok(Outcome::Rejected(
            format!(
                "订单 {} 不在本店铺，请先导入订单报表 / trade {} is not in this shop; import its orders first",
                r.tid, r.tid
            ),
            "订单编号",
        ));
    };
    let lines = tx.trade_lines(trade.id).await?;
    let Some(line) = find_line(&lines, r) else {
        return Ok(Outcome::Rejected(
            format!("订单 {} 里找不到这个商品 / no line of trade {} matches", r.tid, r.tid),
            "子订单编号",
        ));
    };
    let applied = utc(r.applied_at, tz);
    let deadline = r.deadline_at.map(|t| utc(t, tz));
    let finished = r.finished_at.map(|t| utc(t, tz)).or_else(|| (!r.status.is_open()).then_some(applied));
    let existing = tx.refund_case(actor.company_id, &r.refund_no).await?;
    // A case an order export recorded from the line's refund fields, which this row names.
    let adopted = match existing {
        Some(_) => None,
        None => tx
            .refund_case(actor.company_id, &super::export_cases::case_key(shop_id, &line.oid))
            .await?
            .filter(|c| c.order_line_id == Some(line.id)),
    };
    let except = existing.as_ref().or(adopted.as_ref()).map_or(0, |c| c.id);
    let committed = tx.line_refund_committed(line.id, except).await?;
    if r.status != RefundStatus::Closed && check_amount(r.kind, r.amount, line.amount_paid, committed).is_err() {
        return Ok(Outcome::Rejected(
            format!(
                "退款金额 {} 超过该商品可退金额（实付 {}）/ refund {} is more than the line paid ({})",
                r.amount, line.amount_paid, r.amount, line.amount_paid
            ),
            "买家退款金额",
        ));
    }
    let parcel = (r.return_carrier.as_str(), r.return_tracking_no.as_str());
    let newly_succeeded;
    let outcome = match existing {
        Some(c) if c.trade_id != trade.id => {
            return Ok(Outcome::Rejected(
                format!(
                    "退款编号 {} 已用于订单 {} / refund {} belongs to trade {}",
                    r.refund_no, c.tid, r.refund_no, c.tid
                ),
                "退款编号",
            ));
        }
        Some(c) => {
            let at = finished.unwrap_or(applied).max(c.status_since);
            if !tx.update_case_from_export(&c, r.status, r.amount, deadline, finished, parcel, at).await? {
                return Ok(Outcome::Unchanged);
            }
            newly_succeeded = r.status == RefundStatus::Success && c.status != RefundStatus::Success;
            if newly_succeeded && pays_money(r.kind) {
                let mut d = zhanggui_store::summaries::SummaryDelta::new(actor.company_id);
                d.refund_succeeded(shop_id, r.amount, finished.unwrap_or(applied), tz);
                let mut b = zhanggui_store::batch::Batch::new();
                d.push(&mut b);
                tx.run_batch(&b).await?;
            }
            Outcome::Updated
        }
        None => {
            let case = NewRefund {
                company_id: actor.company_id,
                trade_id: trade.id,
                order_line_id: Some(line.id),
                refund_no: r.refund_no.clone(),
                kind: r.kind,
                status: r.status,
                reason: r.reason.clone(),
                amount: r.amount,
                created_at: applied,
                deadline_at: deadline,
                finished_at: finished,
            };
            newly_succeeded = r.status == RefundStatus::Success;
            match adopted {
                Some(c) => {
                    let event = format!("售后导出：退款编号 {}（原 {}）", r.refund_no, c.refund_no);
                    tx.adopt_case(&c, &case, parcel, &r.note, &event, finished.unwrap_or(applied), tz).await?;
                    Outcome::Updated
                }
                None => {
                    let id = tx.insert_refund(&case).await?;
                    let since = finished.unwrap_or(applied);
                    tx.set_imported_case_details(id, since, parcel, &r.note).await?;
                    Outcome::Inserted
                }
            }
        }
    };
    if newly_succeeded && pays_money(r.kind) {
        tx.sync_refund_amounts(trade.id, line.id).await?;
    }
    let intervening = r.intervention.contains("介入中") || r.intervention.contains("已介入");
    if intervening && r.status == RefundStatus::SellerRefuseBuyer {
        let case = tx.refund_case(actor.company_id, &r.refund_no).await?;
        if let Some(case) = case.filter(|c| c.dispute.is_none()) {
            let d = tx.insert_dispute(actor.company_id, case.id, &r.intervention, "import", applied).await?;
            tx.update_dispute(d, DisputeStage::Opened, DisputeStage::Reviewing, "", None, applied).await?;
        }
    }
    Ok(outcome)
}
