//! After-sales (售后) use cases, DOMAIN.md §5: a buyer's request on one order line (refund before or
//! after shipping, return and refund, exchange, reship) recorded by staff, every step checked by the
//! domain, each in one transaction.
//!
//! - Money: a case never asks more than its line paid less what other cases took or ask; when a case
//!   that pays money succeeds, the line's and the trade's refund amounts grow and the day's 成功退款
//!   summary counts it. A trade whose paid lines are all refunded closes (TRADE_CLOSED) and gives back
//!   any stock still reserved; a refund before shipping gives back that line's reservation at once.
//! - Goods: returned goods enter stock only when received and checked, good units into a sellable
//!   warehouse, damaged ones into the defective location (次品仓, never reserved or available), as
//!   return_receipt moves. An exchange ships its replacement when the return is received; a reship
//!   ships one when the seller agrees (sale_shipment moves, refused when stock is short).
//! - Deadlines: each open case says who must act and by when (`AfterSalesDeadlines`).
//! - Disputes: a refused case can be taken to the platform (纠纷); its stages, evidence notes and
//!   ruling are kept, and the ruling moves the case.

use chrono::{DateTime, Utc};
use serde::Serialize;
use zhanggui_domain::after_sales::{
    AmountError, Due, ReturnCheckError, UnknownAfterSalesValue, check_amount, next_status, pays_money,
};
use zhanggui_domain::{
    AfterSalesDeadlines, DisputeOutcome, DisputeStage, IllegalRefundTransition, IllegalTransition, Money, MoveKind,
    RefundEvent, RefundKind, RefundStatus, ReturnCheck, TradeEvent, TradeStatus,
};
use zhanggui_store::after_sales::{CaseWrite, NewCase, RefundCase, RefundEventRow, RefundFilter};
use zhanggui_store::summaries::SummaryDelta;
use zhanggui_store::trade_write::{EventRow, TradeWrite};
use zhanggui_store::trades::TradeChange;
use zhanggui_store::{NewMove, OrderLine, StoreError, Trade, Tx};

use crate::trading::{Retryable, with_retry};
use crate::{Actor, App, ErrorKind, Lang, UserFacing};

#[derive(Debug, thiserror::Error)]
pub enum AfterSalesError {
    #[error("after-sales case {0} not found")]
    NotFound(String),
    #[error("trade {0} not found")]
    TradeNotFound(String),
    #[error(transparent)]
    Illegal(#[from] IllegalRefundTransition),
    #[error(transparent)]
    Amount(#[from] AmountError),
    #[error(transparent)]
    ReturnCheck(#[from] ReturnCheckError),
    #[error("{field}: {reason}")]
    Invalid { field: &'static str, reason: String, reason_zh: String },
    #[error("out of stock: {sku} needs {wanted} for the replacement, only {available} available")]
    OutOfStock { sku: String, wanted: i64, available: i64 },
    #[error("the case changed while this step ran; try again")]
    Conflict,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<IllegalTransition> for AfterSalesError {
    fn from(e: IllegalTransition) -> Self {
        AfterSalesError::Invalid { field: "trade", reason: e.to_string(), reason_zh: e.message_zh() }
    }
}

impl From<UnknownAfterSalesValue> for AfterSalesError {
    fn from(e: UnknownAfterSalesValue) -> Self {
        AfterSalesError::Invalid { field: "value", reason: e.to_string(), reason_zh: format!("无法识别：{}", e.0) }
    }
}

impl Retryable for AfterSalesError {
    fn retryable(&self) -> bool {
        match self {
            AfterSalesError::Store(e) => e.is_retryable(),
            AfterSalesError::Conflict => true,
            _ => false,
        }
    }
}

impl UserFacing for AfterSalesError {
    fn code(&self) -> &'static str {
        match self {
            AfterSalesError::NotFound(_) | AfterSalesError::TradeNotFound(_) => "not_found",
            AfterSalesError::Illegal(_) => "illegal_transition",
            AfterSalesError::Amount(_) => "refund_amount",
            AfterSalesError::ReturnCheck(_) | AfterSalesError::Invalid { .. } => "invalid_input",
            AfterSalesError::OutOfStock { .. } => "out_of_stock",
            AfterSalesError::Conflict => "conflict",
            AfterSalesError::Store(_) => "internal",
        }
    }

    fn kind(&self) -> ErrorKind {
        match self {
            AfterSalesError::NotFound(_) | AfterSalesError::TradeNotFound(_) => ErrorKind::NotFound,
            AfterSalesError::Store(_) | AfterSalesError::Conflict => ErrorKind::Internal,
            _ => ErrorKind::BadInput,
        }
    }

    fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (_, Lang::En) => self.to_string(),
            (AfterSalesError::NotFound(k), Lang::Zh) => format!("找不到售后单 {k}"),
            (AfterSalesError::TradeNotFound(k), Lang::Zh) => format!("找不到订单 {k}"),
            (AfterSalesError::Illegal(e), Lang::Zh) => e.message_zh(),
            (AfterSalesError::Amount(AmountError::Negative), Lang::Zh) => "退款金额不能为负数".into(),
            (AfterSalesError::Amount(AmountError::NotMoney), Lang::Zh) => "换货、补寄不退款，金额必须为 0".into(),
            (AfterSalesError::Amount(AmountError::AboveLinePaid { asked, left, paid }), Lang::Zh) => {
                format!("退款金额 {asked} 超过该商品可退金额 {left}（实付 {paid}，已退或申请中的金额已扣除）")
            }
            (AfterSalesError::ReturnCheck(ReturnCheckError::Negative), Lang::Zh) => "收货数量不能为负数".into(),
            (AfterSalesError::ReturnCheck(ReturnCheckError::Nothing), Lang::Zh) => {
                "没有填写收到的数量：请填写完好和破损的件数".into()
            }
            (AfterSalesError::ReturnCheck(ReturnCheckError::TooMany { received, expected }), Lang::Zh) => {
                format!("收到 {received} 件，但该售后只涉及 {expected} 件")
            }
            (AfterSalesError::Invalid { reason_zh, .. }, Lang::Zh) => reason_zh.clone(),
            (AfterSalesError::OutOfStock { sku, wanted, available }, Lang::Zh) => {
                format!("库存不足：{sku} 换货/补寄需要 {wanted} 件，可用库存只有 {available} 件")
            }
            (AfterSalesError::Conflict, Lang::Zh) => "售后单刚被其他操作修改，请重试".into(),
            (AfterSalesError::Store(e), Lang::Zh) => format!("系统错误：{e}"),
        }
    }
}

fn invalid(field: &'static str, reason: impl Into<String>, reason_zh: impl Into<String>) -> AfterSalesError {
    AfterSalesError::Invalid { field, reason: reason.into(), reason_zh: reason_zh.into() }
}

/// A buyer's request, as staff record it.
#[derive(Debug, Clone, Default)]
pub struct ApplyInput {
    /// The trade: its platform number (tid) or id.
    pub trade: String,
    /// The line: its id, its oid or its SKU code; may be empty when the trade has one line.
    pub line: String,
    pub kind: Option<RefundKind>,
    /// Money asked back; by default all that is left of what the line paid (0 for exchanges and
    /// reships).
    pub amount: Option<Money>,
    /// Units concerned; by default the whole line.
    pub qty: Option<i64>,
    pub reason: String,
    /// The platform's refund number (退款编号); generated when empty.
    pub refund_no: String,
    pub at: DateTime<Utc>,
}

/// A shipment of goods to the buyer (the replacement of an exchange or a reship) or back (a return).
#[derive(Debug, Clone, Default)]
pub struct Parcel {
    pub carrier: String,
    pub tracking_no: String,
}

impl Parcel {
    fn checked(&self, what: &'static str) -> Result<(String, String), AfterSalesError> {
        let carrier = self.carrier.trim();
        let tracking = self.tracking_no.trim();
        if carrier.is_empty() || tracking.is_empty() {
            return Err(invalid(what, "the carrier and tracking number are required", "请填写物流公司和运单号"));
        }
        Ok((carrier.to_string(), tracking.to_string()))
    }
}

/// A step on a case.
#[derive(Debug, Clone)]
pub enum Step {
    /// 同意: for a reship, with the parcel sent.
    Agree { note: String, replacement: Option<Parcel> },
    /// 拒绝, with the reason given to the buyer (required).
    Refuse { note: String },
    /// 修改申请: the buyer asks again, optionally with a new amount.
    Reapply { amount: Option<Money>, reason: String },
    /// 买家退货.
    ReturnShipped { parcel: Parcel },
    /// 确认收货 (验货): good units into `warehouse` (code; the shop's default when empty), damaged ones
    /// into the defective location; for an exchange, with the replacement sent.
    ReceiveReturn { check: ReturnCheck, warehouse: String, replacement: Option<Parcel>, note: String },
    /// 撤销.
    Cancel { note: String },
}

/// A dispute step.
#[derive(Debug, Clone)]
pub enum DisputeStep {
    /// 申请平台介入 on a refused case.
    Open { reason: String },
    /// An evidence note, optionally moving the dispute to a later stage (举证中, 平台处理中).
    Note { note: String, stage: Option<DisputeStage> },
    /// The platform's ruling; a reship ruled for the buyer is completed with the parcel sent.
    Decide { outcome: DisputeOutcome, note: String, replacement: Option<Parcel> },
}

/// A case as the list and the case page show it.
#[derive(Debug, Clone, Serialize)]
pub struct CaseView {
    #[serde(flatten)]
    pub case: RefundCase,
    /// What is due, from whom, by when (None once the case is over).
    pub due: Option<Due>,
    /// Seconds left until `due.by` (negative when overdue).
    pub seconds_left: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CaseDetail {
    #[serde(flatten)]
    pub view: CaseView,
    pub events: Vec<RefundEventRow>,
}

/// Who must act on a case and by when, at `now`: the platform's own deadline when an export gave
/// one, else the default rules counted from the last change.
pub fn case_view(case: RefundCase, rules: &AfterSalesDeadlines, now: DateTime<Utc>) -> CaseView {
    let in_dispute = case.dispute.as_ref().is_some_and(|d| d.stage != DisputeStage::Decided);
    let mut due = rules.due(case.kind, case.status, case.status_since, in_dispute);
    if let (Some(d), Some(platform)) = (due.as_mut(), case.deadline_at)
        && case.status == RefundStatus::WaitSellerAgree
        && d.party == zhanggui_domain::Party::Seller
    {
        d.by = platform;
    }
    let seconds_left =
        due.as_ref().filter(|d| d.party != zhanggui_domain::Party::Platform).map(|d| (d.by - now).num_seconds());
    CaseView { case, due, seconds_left }
}

/// Runs one step in its own write transaction, retried on a write conflict.
macro_rules! in_tx {
    ($app:expr, |$tx:ident| $step:expr) => {
        with_retry(|| async {
            let mut tx = $app.db.begin().await?;
            let $tx = &mut tx;
            let out = $step.await?;
            tx.commit().await?;
            Ok(out)
        })
        .await
    };
}

impl App {
    /// Records a buyer's request (申请售后) on one line; returns the case's refund number.
    pub async fn apply_after_sales(&self, actor: &Actor, input: &ApplyInput) -> Result<String, AfterSalesError> {
        in_tx!(self, |tx| apply_in(tx, actor, input))
    }

    /// Takes a step on a case (by id or refund number); returns the case after it.
    pub async fn after_sales_step(
        &self,
        actor: &Actor,
        key: &str,
        step: &Step,
        at: DateTime<Utc>,
    ) -> Result<RefundStatus, AfterSalesError> {
        in_tx!(self, |tx| step_in(tx, actor, key, step, at))
    }

    /// A dispute step on a case.
    pub async fn dispute_step(
        &self,
        actor: &Actor,
        key: &str,
        step: &DisputeStep,
        at: DateTime<Utc>,
    ) -> Result<RefundStatus, AfterSalesError> {
        in_tx!(self, |tx| dispute_in(tx, actor, key, step, at))
    }

    /// Cases with what is due on each, at `now`.
    pub async fn after_sales_cases(
        &self,
        filter: &RefundFilter,
        now: DateTime<Utc>,
    ) -> Result<Vec<CaseView>, AfterSalesError> {
        let mut tx = self.db.begin_read().await?;
        let cases = tx.refund_cases(filter).await?;
        tx.commit().await?;
        let rules = AfterSalesDeadlines::default();
        Ok(cases.into_iter().map(|c| case_view(c, &rules, now)).collect())
    }

    /// One case with its history.
    pub async fn after_sales_case(
        &self,
        actor: &Actor,
        key: &str,
        now: DateTime<Utc>,
    ) -> Result<CaseDetail, AfterSalesError> {
        let mut tx = self.db.begin_read().await?;
        let case = tx.refund_case(actor.company_id, key).await?.ok_or_else(|| AfterSalesError::NotFound(key.into()))?;
        let events = tx.refund_events(case.id).await?;
        tx.commit().await?;
        Ok(CaseDetail { view: case_view(case, &AfterSalesDeadlines::default(), now), events })
    }
}

async fn find_trade(tx: &mut Tx, actor: &Actor, key: &str) -> Result<Trade, AfterSalesError> {
    let key = key.trim();
    let mut found = tx.trades_by_tid(actor.company_id, key).await?;
    if found.len() == 1 {
        return Ok(found.remove(0));
    }
    if found.len() > 1 {
        return Err(invalid(
            "trade",
            format!("{key} names trades in several shops; give the trade's id"),
            format!("多个店铺都有订单 {key}，请用订单 id"),
        ));
    }
    if let Ok(id) = key.parse::<i64>()
        && let Some(t) = tx.trade(actor.company_id, id).await?
    {
        return Ok(t);
    }
    Err(AfterSalesError::TradeNotFound(key.to_string()))
}

fn find_line<'a>(lines: &'a [OrderLine], key: &str) -> Result<&'a OrderLine, AfterSalesError> {
    let key = key.trim();
    if key.is_empty() {
        return match lines {
            [one] => Ok(one),
            _ => Err(invalid(
                "line",
                "the trade has several lines; say which one (line id, sub-order number or SKU code)",
                "该订单有多个商品，请指明是哪一个（子订单编号或商家编码）",
            )),
        };
    }
    let by_id = key.parse::<i64>().ok();
    let matches: Vec<&OrderLine> =
        lines.iter().filter(|l| Some(l.id) == by_id || l.oid == key || l.outer_sku_id == key).collect();
    match matches.as_slice() {
        [one] => Ok(one),
        [] => Err(invalid("line", format!("the trade has no line {key}"), format!("该订单没有商品 {key}"))),
        _ => Err(invalid(
            "line",
            format!("{key} names several lines of the trade; give the line id"),
            format!("{key} 对应订单里的多个商品，请用子订单 id"),
        )),
    }
}

/// Is every paid line of the trade refunded in full?
fn all_refunded(lines: &[OrderLine]) -> bool {
    let paid: Vec<&OrderLine> = lines.iter().filter(|l| l.amount_paid > Money::ZERO).collect();
    !paid.is_empty() && paid.iter().all(|l| l.refund_amount >= l.amount_paid)
}

pub async fn apply_in(tx: &mut Tx, actor: &Actor, input: &ApplyInput) -> Result<String, AfterSalesError> {
    let kind = input.kind.ok_or_else(|| invalid("kind", "choose the kind of request", "请选择售后类型"))?;
    let trade = find_trade(tx, actor, &input.trade).await?;
    let paid_at = trade.paid_at.ok_or_else(|| {
        invalid(
            "trade",
            format!("trade {} was never paid", trade.tid),
            format!("订单 {} 未付款，不能申请售后", trade.tid),
        )
    })?;
    if matches!(trade.status, TradeStatus::TradeClosed | TradeStatus::TradeClosedByTaobao) {
        return Err(invalid("trade", format!("trade {} is closed", trade.tid), format!("订单 {} 已关闭", trade.tid)));
    }
    if input.at < paid_at + chrono::Duration::hours(24) {
        return Err(invalid(
            "at",
            format!("a buyer may ask for after-sales 24 hours after paying at the earliest (paid {paid_at})"),
            format!(
                "买家付款 24 小时后才能申请售后（付款时间 {}）",
                paid_at.with_timezone(&trade.time_zone).format("%Y-%m-%d %H:%M")
            ),
        ));
    }
    let lines = tx.trade_lines(trade.id).await?;
    let line = find_line(&lines, &input.line)?;
    let shipped = line.shipped_at.is_some();
    match (kind, shipped) {
        (RefundKind::RefundUnshipped, true) => {
            return Err(invalid(
                "kind",
                "the line has shipped; choose refund after shipping or return and refund",
                "该商品已发货，请选择「已发货仅退款」或「退货退款」",
            ));
        }
        (RefundKind::RefundUnshipped, false) => {}
        (_, false) => {
            return Err(invalid(
                "kind",
                "the line has not shipped; only a refund before shipping applies",
                "该商品还没发货，只能申请「未发货仅退款」",
            ));
        }
        _ => {}
    }
    if let Some(open) = tx.open_cases_on_line(line.id).await?.first() {
        return Err(invalid(
            "line",
            format!("the line already has an open case, {open}"),
            format!("该商品已有处理中的售后 {open}"),
        ));
    }
    let qty = input.qty.unwrap_or(line.qty);
    if qty < 1 || qty > line.qty {
        return Err(invalid(
            "qty",
            format!("the line has {} units; ask for 1 to {}", line.qty, line.qty),
            format!("该商品共 {} 件，售后件数应为 1 到 {}", line.qty, line.qty),
        ));
    }
    if kind == RefundKind::RefundUnshipped && qty != line.qty {
        return Err(invalid(
            "qty",
            "a refund before shipping covers the whole line",
            "未发货仅退款须退整个商品的全部件数",
        ));
    }
    let committed = tx.line_refund_committed(line.id, 0).await?;
    let amount = match input.amount {
        Some(a) => a,
        None if pays_money(kind) => (line.amount_paid - committed).max(Money::ZERO),
        None => Money::ZERO,
    };
    check_amount(kind, amount, line.amount_paid, committed)?;
    if pays_money(kind) && amount == Money::ZERO {
        return Err(invalid("amount", "nothing is left to refund on this line", "该商品已没有可退金额"));
    }
    let refund_no = match input.refund_no.trim() {
        "" => {
            let same_trade = RefundFilter {
                company_id: actor.company_id,
                search: trade.tid.clone(),
                limit: 1000,
                ..Default::default()
            };
            let n = tx.refund_cases(&same_trade).await?.len();
            format!("SH{}-{}-{}", trade.tid, line.id, n + 1)
        }
        given => given.to_string(),
    };
    let case = NewCase {
        company_id: actor.company_id,
        trade_id: trade.id,
        order_line_id: line.id,
        refund_no: refund_no.clone(),
        kind,
        reason: input.reason.trim().to_string(),
        amount,
        qty,
        user: actor.user.clone(),
        at: input.at,
    };
    match tx.insert_case(&case).await {
        Ok(_) => Ok(refund_no),
        Err(e) if e.is_unique_violation() => {
            Err(invalid("refund_no", format!("{refund_no} is already used"), format!("退款编号 {refund_no} 已存在")))
        }
        Err(e) => Err(e.into()),
    }
}

async fn load_case(tx: &mut Tx, actor: &Actor, key: &str) -> Result<RefundCase, AfterSalesError> {
    tx.refund_case(actor.company_id, key).await?.ok_or_else(|| AfterSalesError::NotFound(key.trim().to_string()))
}

pub async fn step_in(
    tx: &mut Tx,
    actor: &Actor,
    key: &str,
    step: &Step,
    at: DateTime<Utc>,
) -> Result<RefundStatus, AfterSalesError> {
    let case = load_case(tx, actor, key).await?;
    if at < case.status_since {
        return Err(invalid(
            "at",
            "a step cannot happen before the case's last change",
            "操作时间不能早于售后单的上一次变更",
        ));
    }
    let (event, note) = match step {
        Step::Agree { note, .. } => (RefundEvent::Agree, note.trim().to_string()),
        Step::Refuse { note } => {
            if note.trim().is_empty() {
                return Err(invalid("note", "give the buyer the reason for refusing", "请填写给买家的拒绝理由"));
            }
            (RefundEvent::Refuse, note.trim().to_string())
        }
        Step::Reapply { reason, .. } => (RefundEvent::Reapply, reason.trim().to_string()),
        Step::ReturnShipped { parcel } => {
            let (c, t) = parcel.checked("return")?;
            (RefundEvent::ReturnShipped, format!("{c} {t}"))
        }
        Step::ReceiveReturn { check, note, .. } => {
            (RefundEvent::ReceiveReturn, format!("完好 {} 件，破损 {} 件 {}", check.good, check.damaged, note.trim()))
        }
        Step::Cancel { note } => (RefundEvent::Cancel, note.trim().to_string()),
    };
    let next = next_status(case.kind, case.status, event)?;
    if case.dispute.as_ref().is_some_and(|d| d.stage != DisputeStage::Decided) && event != RefundEvent::Cancel {
        return Err(invalid(
            "dispute",
            "the case is with the platform; record the ruling first",
            "纠纷处理中（平台介入），请先登记平台判定结果",
        ));
    }
    let mut w = CaseWrite {
        refund_id: case.id,
        company_id: actor.company_id,
        from: Some(case.status),
        to: Some(next),
        event: event.code(),
        note,
        user: actor.user.clone(),
        at,
        ..Default::default()
    };
    match step {
        Step::Refuse { note } => w.seller_note = Some(note.trim().to_string()),
        Step::Agree { note, .. } if !note.trim().is_empty() => w.seller_note = Some(note.trim().to_string()),
        Step::Reapply { amount: Some(a), .. } => {
            let line_id = case
                .order_line_id
                .ok_or_else(|| invalid("line", "the case names no line", "该售后单没有对应的商品"))?;
            let committed = tx.line_refund_committed(line_id, case.id).await?;
            check_amount(case.kind, *a, case.line_paid, committed)?;
            tx.set_refund_amount(case.id, *a).await?;
        }
        Step::ReturnShipped { parcel } => w.return_shipment = Some(parcel.checked("return")?),
        _ => {}
    }
    let mut amount = case.amount;
    if let Step::Reapply { amount: Some(a), .. } = step {
        amount = *a;
    }
    if let Step::ReceiveReturn { check, warehouse, .. } = step {
        check.check(case.qty)?;
        receive_goods(tx, actor, &case, check, warehouse, at).await?;
        w.received = Some((check.good, check.damaged));
    }
    if next == RefundStatus::Success {
        succeed(tx, actor, &case, amount, step, &mut w, at).await?;
    }
    if !tx.apply_case_write(&w).await? {
        return Err(AfterSalesError::Conflict);
    }
    if next == RefundStatus::Success && pays_money(case.kind) {
        settle_trade(tx, actor, &case, at).await?;
    }
    Ok(next)
}

/// What succeeding writes besides the case: money back, or the replacement shipped.
async fn succeed(
    tx: &mut Tx,
    actor: &Actor,
    case: &RefundCase,
    amount: Money,
    step: &Step,
    w: &mut CaseWrite,
    at: DateTime<Utc>,
) -> Result<(), AfterSalesError> {
    if pays_money(case.kind) {
        let line_id =
            case.order_line_id.ok_or_else(|| invalid("line", "the case names no line", "该售后单没有对应的商品"))?;
        if amount > Money::ZERO {
            let zone = tx.company_zone(actor.company_id).await?;
            w.paid_back = Some((case.trade_id, line_id, amount));
            w.shop = Some((case.shop_id, zone));
        }
        return Ok(());
    }
    // An exchange or a reship sends goods: the replacement parcel is required.
    let parcel = match step {
        Step::Agree { replacement, .. } | Step::ReceiveReturn { replacement, .. } => replacement.clone(),
        _ => None,
    };
    let Some(parcel) = parcel else {
        return Err(invalid(
            "replacement",
            "give the carrier and tracking number of the parcel sent to the buyer",
            "请填写寄给买家的换货/补寄包裹的物流公司和运单号",
        ));
    };
    w.replacement = Some(parcel.checked("replacement")?);
    if let Some(sku_id) = case.sku_id {
        ship_replacement(tx, actor, case, sku_id, at).await?;
    }
    Ok(())
}

/// A sale_shipment of the case's units from the shop's sellable stock (default warehouse first).
async fn ship_replacement(
    tx: &mut Tx,
    actor: &Actor,
    case: &RefundCase,
    sku_id: i64,
    at: DateTime<Utc>,
) -> Result<(), AfterSalesError> {
    let shop = tx
        .shop(case.shop_id)
        .await?
        .ok_or_else(|| invalid("shop", "the case's shop is gone", "找不到该售后单的店铺"))?;
    let balances = tx.balances_of(&[sku_id]).await?;
    let mut order: Vec<(i64, i64)> =
        balances.iter().map(|(_, w, on_hand, reserved)| (*w, on_hand - reserved)).collect();
    order.sort_by_key(|(w, _)| (Some(*w) != shop.default_warehouse_id, *w));
    let best = order.iter().map(|(_, a)| *a).max().unwrap_or(0);
    // The replacement leaves at the SKU's moving-average cost of the moment, like any shipment.
    let unit_cost = tx.sku_costs(actor.company_id, &[sku_id]).await?.get(&sku_id).copied().unwrap_or(Money::ZERO);
    for (warehouse_id, available) in order {
        if available < case.qty {
            continue;
        }
        let m = NewMove {
            company_id: actor.company_id,
            sku_id,
            warehouse_id,
            qty: -case.qty,
            kind: MoveKind::SaleShipment,
            ref_type: "refund",
            ref_id: Some(case.id),
            unit_cost,
            note: format!("{} {}", case.refund_no, case.tid),
            user_name: actor.user.clone(),
            at,
        };
        if tx.append_move_guarded(&m).await? {
            let mut cost = SummaryDelta::new(actor.company_id);
            cost.goods_shipped(case.shop_id, sku_id, case.qty, unit_cost, at, tx.company_zone(actor.company_id).await?);
            tx.add_to_summaries(&cost).await?;
            return Ok(());
        }
    }
    Err(AfterSalesError::OutOfStock { sku: case.outer_sku_id.clone(), wanted: case.qty, available: best.max(0) })
}

/// Returned goods into stock: good units into the chosen (or the shop's default) sellable
/// warehouse, damaged ones into the defective location, at the SKU's cost.
async fn receive_goods(
    tx: &mut Tx,
    actor: &Actor,
    case: &RefundCase,
    check: &ReturnCheck,
    warehouse: &str,
    at: DateTime<Utc>,
) -> Result<(), AfterSalesError> {
    let Some(sku_id) = case.sku_id else {
        // A line that maps to no SKU (未匹配商品) records what came back without touching stock.
        return Ok(());
    };
    let warehouses = tx.warehouses(actor.company_id).await?;
    let good_to = if warehouse.trim().is_empty() {
        let shop = tx
            .shop(case.shop_id)
            .await?
            .ok_or_else(|| invalid("shop", "the case's shop is gone", "找不到该售后单的店铺"))?;
        shop.default_warehouse_id
            .or_else(|| warehouses.iter().find(|w| w.sellable).map(|w| w.id))
            .ok_or_else(|| invalid("warehouse", "the company has no warehouse", "还没有仓库"))?
    } else {
        let w =
            warehouses.iter().find(|w| w.code == warehouse.trim() || w.name == warehouse.trim()).ok_or_else(|| {
                invalid(
                    "warehouse",
                    format!("no warehouse {}", warehouse.trim()),
                    format!("找不到仓库 {}", warehouse.trim()),
                )
            })?;
        if !w.sellable {
            return Err(invalid(
                "warehouse",
                format!("{} holds defective goods; choose a sellable warehouse", w.name),
                format!("{} 是次品仓，完好商品请入可售仓库", w.name),
            ));
        }
        w.id
    };
    // Goods come back at the cost they left at, so a full return takes back exactly what its
    // shipment counted in the cost of goods (the SKU's cost now when the shipment carried none).
    let shipped_at_cost = match case.sku_id {
        Some(sku_id) => tx.shipped_unit_cost(case.trade_id, sku_id).await?,
        None => None,
    };
    let cost = match shipped_at_cost {
        Some(c) => c,
        None => tx
            .skus_by_codes(actor.company_id, &[case.outer_sku_id.as_str()])
            .await?
            .first()
            .map(|s| s.cost)
            .unwrap_or(Money::ZERO),
    };
    let mut moves = Vec::new();
    if check.good > 0 {
        moves.push((good_to, check.good, "完好"));
    }
    if check.damaged > 0 {
        moves.push((tx.defective_warehouse(actor.company_id).await?, check.damaged, "破损"));
    }
    // Good units back in a sellable warehouse come off the cost of goods shipped on the day they arrive.
    let sellable = |id: i64| warehouses.iter().any(|w| w.id == id && w.sellable);
    if check.good > 0 && sellable(good_to) {
        let mut returned = SummaryDelta::new(actor.company_id);
        returned.goods_returned(case.shop_id, check.good, cost, at, tx.company_zone(actor.company_id).await?);
        tx.add_to_summaries(&returned).await?;
    }
    for (warehouse_id, qty, state) in moves {
        tx.append_move(&NewMove {
            company_id: actor.company_id,
            sku_id,
            warehouse_id,
            qty,
            kind: MoveKind::ReturnReceipt,
            ref_type: "refund",
            ref_id: Some(case.id),
            unit_cost: cost,
            note: format!("{} {} {state}", case.refund_no, case.tid),
            user_name: actor.user.clone(),
            at,
        })
        .await?;
    }
    Ok(())
}

/// After money went back on a line: a line refunded before shipping gives back its reservation and
/// will not ship; a trade whose paid lines are all refunded closes; a partly shipped trade whose
/// other lines were all refunded counts as shipped.
async fn settle_trade(tx: &mut Tx, actor: &Actor, case: &RefundCase, at: DateTime<Utc>) -> Result<(), AfterSalesError> {
    let trade = tx
        .trade_for_update(actor.company_id, case.trade_id)
        .await?
        .ok_or_else(|| AfterSalesError::TradeNotFound(case.tid.clone()))?;
    let lines = tx.trade_lines(trade.id).await?;
    let reservations = tx.open_reservations(trade.id).await?;
    let mut write = TradeWrite { company_id: actor.company_id, trade_id: trade.id, at, ..Default::default() };
    let refunded_unshipped: Vec<i64> = lines
        .iter()
        .filter(|l| l.shipped_at.is_none() && l.amount_paid > Money::ZERO && l.refund_amount >= l.amount_paid)
        .map(|l| l.id)
        .collect();
    let closing = all_refunded(&lines) && trade.status.apply(TradeEvent::Close).is_ok();
    write.release =
        reservations.into_iter().filter(|r| closing || refunded_unshipped.contains(&r.order_line_id)).collect();
    if closing {
        let next = trade.status.apply(TradeEvent::Close)?;
        write.change = TradeChange {
            status: Some(next),
            closed_at: Some(at),
            close_reason: Some("全部退款".into()),
            ..Default::default()
        };
        write.event = Some(EventRow {
            event: "close",
            from: trade.status.code(),
            to: next.code(),
            note: format!("全部退款（{}）", case.refund_no),
            user: actor.user.clone(),
        });
    } else if trade.status == TradeStatus::SellerConsignedPart
        && lines.iter().all(|l| l.shipped_at.is_some() || refunded_unshipped.contains(&l.id))
    {
        let next = trade.status.apply(TradeEvent::ShipAll)?;
        write.change = TradeChange { status: Some(next), ..Default::default() };
        write.event = Some(EventRow {
            event: "ship",
            from: trade.status.code(),
            to: next.code(),
            note: format!("其余商品已退款（{}）", case.refund_no),
            user: actor.user.clone(),
        });
    } else if write.release.is_empty() {
        return Ok(());
    }
    if !tx.apply_trade_write(&write).await? {
        return Err(AfterSalesError::Conflict);
    }
    Ok(())
}

pub async fn dispute_in(
    tx: &mut Tx,
    actor: &Actor,
    key: &str,
    step: &DisputeStep,
    at: DateTime<Utc>,
) -> Result<RefundStatus, AfterSalesError> {
    let case = load_case(tx, actor, key).await?;
    let stamp = |note: &str| format!("[{} {}] {}", at.format("%Y-%m-%d %H:%M"), actor.user, note.trim());
    match step {
        DisputeStep::Open { reason } => {
            if case.status != RefundStatus::SellerRefuseBuyer {
                return Err(invalid(
                    "dispute",
                    "only a refused case can be taken to the platform",
                    "只有卖家拒绝的售后才能申请平台介入",
                ));
            }
            if case.dispute.is_some() {
                return Err(invalid("dispute", "the case already has a dispute", "该售后已有纠纷"));
            }
            tx.insert_dispute(actor.company_id, case.id, reason.trim(), &actor.user, at).await?;
            let w = CaseWrite {
                refund_id: case.id,
                company_id: actor.company_id,
                from: Some(case.status),
                to: Some(case.status),
                event: "dispute_open",
                note: reason.trim().to_string(),
                user: actor.user.clone(),
                at,
                ..Default::default()
            };
            if !tx.apply_case_write(&w).await? {
                return Err(AfterSalesError::Conflict);
            }
            Ok(case.status)
        }
        DisputeStep::Note { note, stage } => {
            let d =
                case.dispute.as_ref().ok_or_else(|| invalid("dispute", "the case has no dispute", "该售后没有纠纷"))?;
            if d.stage == DisputeStage::Decided {
                return Err(invalid("dispute", "the dispute is decided", "纠纷已判定"));
            }
            let to = match stage {
                Some(s) if *s == DisputeStage::Decided => {
                    return Err(invalid(
                        "stage",
                        "record the ruling to decide a dispute",
                        "请登记平台判定结果来结束纠纷",
                    ));
                }
                Some(s) if !d.stage.can_move_to(*s) && *s != d.stage => {
                    return Err(invalid(
                        "stage",
                        format!("a dispute at {} cannot go back to {}", d.stage.code(), s.code()),
                        format!("纠纷已到「{}」，不能回到「{}」", d.stage.label_zh(), s.label_zh()),
                    ));
                }
                Some(s) => *s,
                None => d.stage,
            };
            if note.trim().is_empty() && to == d.stage {
                return Err(invalid("note", "write the evidence note", "请填写举证说明"));
            }
            let evidence = if note.trim().is_empty() {
                d.evidence.clone()
            } else if d.evidence.is_empty() {
                stamp(note)
            } else {
                format!("{}\n{}", d.evidence, stamp(note))
            };
            if !tx.update_dispute(d.id, d.stage, to, &evidence, None, at).await? {
                return Err(AfterSalesError::Conflict);
            }
            Ok(case.status)
        }
        DisputeStep::Decide { outcome, note, replacement } => {
            let d =
                case.dispute.as_ref().ok_or_else(|| invalid("dispute", "the case has no dispute", "该售后没有纠纷"))?;
            if d.stage == DisputeStage::Decided {
                return Err(invalid("dispute", "the dispute is already decided", "纠纷已判定"));
            }
            let event = outcome.event();
            let next = next_status(case.kind, case.status, event)?;
            let evidence = if note.trim().is_empty() {
                d.evidence.clone()
            } else if d.evidence.is_empty() {
                stamp(note)
            } else {
                format!("{}\n{}", d.evidence, stamp(note))
            };
            if !tx.update_dispute(d.id, d.stage, DisputeStage::Decided, &evidence, Some(*outcome), at).await? {
                return Err(AfterSalesError::Conflict);
            }
            let mut w = CaseWrite {
                refund_id: case.id,
                company_id: actor.company_id,
                from: Some(case.status),
                to: Some(next),
                event: event.code(),
                note: note.trim().to_string(),
                user: actor.user.clone(),
                at,
                ..Default::default()
            };
            if next == RefundStatus::Success {
                let agreed = Step::Agree { note: String::new(), replacement: replacement.clone() };
                succeed(tx, actor, &case, case.amount, &agreed, &mut w, at).await?;
            }
            if !tx.apply_case_write(&w).await? {
                return Err(AfterSalesError::Conflict);
            }
            if next == RefundStatus::Success {
                settle_trade(tx, actor, &case, at).await?;
            }
            Ok(next)
        }
    }
}
