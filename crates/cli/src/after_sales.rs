//! `zhanggui after-sales ...`: refunds, returns, exchanges, reships and disputes (售后).

use chrono::Utc;
use clap::{Args, Subcommand, ValueEnum};
use comfy_table::{Cell, Color};
use zhanggui_app::after_sales::{AfterSalesError, ApplyInput, CaseDetail, CaseView, DisputeStep, Parcel, Step};
use zhanggui_app::clock::format_local;
use zhanggui_app::store::after_sales::RefundFilter;
use zhanggui_domain::{DisputeOutcome, DisputeStage, Money, RefundKind, RefundStatus, ReturnCheck};

use crate::orders::when;
use crate::output::{num, print, table};
use crate::{Ctx, Failure, Format};

#[derive(Subcommand, Debug)]
pub enum AfterSalesCommand {
    /// Record a buyer's request on one line of a trade (申请售后).
    Apply {
        /// The trade: platform order number (订单编号) or id.
        trade: String,
        /// The line: line id, 子订单编号 or 商家编码; may be left out when the trade has one line.
        #[arg(long, default_value = "")]
        line: String,
        #[arg(long, value_enum)]
        kind: KindArg,
        /// Money asked back, in yuan; all that is left of what the line paid by default.
        #[arg(long)]
        amount: Option<String>,
        /// Units concerned; the whole line by default.
        #[arg(long)]
        qty: Option<i64>,
        #[arg(long, default_value = "")]
        reason: String,
        /// The platform's refund number (退款编号); generated when left out.
        #[arg(long, default_value = "")]
        refund_no: String,
        /// When the buyer asked (YYYY-MM-DD HH:MM:SS, shop time); now by default.
        #[arg(long)]
        at: Option<String>,
    },
    /// Cases with who must act and by when; open ones by deadline (售后列表).
    List {
        /// One shop (name or id); every shop by default.
        #[arg(long)]
        shop: Option<String>,
        /// Also finished and closed cases.
        #[arg(long)]
        all: bool,
        #[arg(long, value_enum)]
        kind: Option<KindArg>,
        /// Trade number, refund number or buyer.
        #[arg(long, default_value = "")]
        search: String,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// One case with its history (售后详情).
    Show {
        key: String,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Agree (同意): refunds at once, or asks for the goods back; a reship needs the parcel sent.
    Agree {
        key: String,
        #[arg(long, default_value = "")]
        note: String,
        #[command(flatten)]
        parcel: ParcelArgs,
        #[arg(long)]
        at: Option<String>,
    },
    /// Refuse the request or the returned goods, with the reason for the buyer (拒绝).
    Refuse {
        key: String,
        #[arg(long)]
        reason: String,
        #[arg(long)]
        at: Option<String>,
    },
    /// The buyer changed a refused request and asks again (修改申请).
    Reapply {
        key: String,
        #[arg(long)]
        amount: Option<String>,
        #[arg(long, default_value = "")]
        reason: String,
        #[arg(long)]
        at: Option<String>,
    },
    /// The buyer sent the goods back (买家退货).
    Returned {
        key: String,
        #[command(flatten)]
        parcel: ParcelArgs,
        #[arg(long)]
        at: Option<String>,
    },
    /// Receive and check returned goods (确认收货/验货): good units into stock, damaged into 次品仓; an
    /// exchange needs the replacement parcel.
    Receive {
        key: String,
        #[arg(long, default_value_t = 0)]
        good: i64,
        #[arg(long, default_value_t = 0)]
        damaged: i64,
        /// Warehouse for the good units; the shop's default by default.
        #[arg(long, default_value = "")]
        warehouse: String,
        #[command(flatten)]
        parcel: ParcelArgs,
        #[arg(long, default_value = "")]
        note: String,
        #[arg(long)]
        at: Option<String>,
    },
    /// The buyer withdrew the request (撤销).
    Cancel {
        key: String,
        #[arg(long, default_value = "")]
        note: String,
        #[arg(long)]
        at: Option<String>,
    },
    /// Disputes with the platform on refused cases (纠纷).
    #[command(subcommand)]
    Dispute(DisputeCommand),
}

#[derive(Subcommand, Debug)]
pub enum DisputeCommand {
    /// The buyer asked the platform to step in (申请介入).
    Open {
        key: String,
        #[arg(long, default_value = "")]
        reason: String,
        #[arg(long)]
        at: Option<String>,
    },
    /// Add an evidence note and/or move to a later stage (举证).
    Note {
        key: String,
        #[arg(long, default_value = "")]
        note: String,
        #[arg(long, value_enum)]
        stage: Option<StageArg>,
        #[arg(long)]
        at: Option<String>,
    },
    /// Record the platform's ruling (判定).
    Decide {
        key: String,
        #[arg(long = "for", value_enum)]
        outcome: OutcomeArg,
        #[arg(long, default_value = "")]
        note: String,
        #[command(flatten)]
        parcel: ParcelArgs,
        #[arg(long)]
        at: Option<String>,
    },
}

/// A parcel: the replacement sent, or the buyer's return.
#[derive(Args, Debug, Clone, Default)]
pub struct ParcelArgs {
    /// Carrier (物流公司).
    #[arg(long, default_value = "")]
    carrier: String,
    /// Tracking number (运单号).
    #[arg(long, default_value = "")]
    tracking: String,
}

impl ParcelArgs {
    fn parcel(&self) -> Option<Parcel> {
        (!self.carrier.trim().is_empty() || !self.tracking.trim().is_empty())
            .then(|| Parcel { carrier: self.carrier.clone(), tracking_no: self.tracking.clone() })
    }
}

#[derive(ValueEnum, Debug, Clone, Copy)]
pub enum KindArg {
    /// 未发货仅退款
    RefundUnshipped,
    /// 已发货仅退款
    RefundShipped,
    /// 退货退款
    Return,
    /// 换货
    Exchange,
    /// 补寄
    Reship,
}

impl KindArg {
    fn kind(self) -> RefundKind {
        match self {
            KindArg::RefundUnshipped => RefundKind::RefundUnshipped,
            KindArg::RefundShipped => RefundKind::RefundShipped,
            KindArg::Return => RefundKind::ReturnAndRefund,
            KindArg::Exchange => RefundKind::Exchange,
            KindArg::Reship => RefundKind::Reship,
        }
    }
}

#[derive(ValueEnum, Debug, Clone, Copy)]
pub enum StageArg {
    Evidence,
    Reviewing,
}

#[derive(ValueEnum, Debug, Clone, Copy)]
pub enum OutcomeArg {
    Buyer,
    Seller,
}

fn money(ctx: &Ctx, text: &Option<String>) -> Result<Option<Money>, Failure> {
    match text {
        None => Ok(None),
        Some(t) => {
            t.trim().parse::<Money>().map(Some).map_err(|e| {
                Failure::bad_input(format!("{}{t}: {e}", ctx.lang.pick("金额格式不对：", "not an amount: ")))
            })
        }
    }
}

pub async fn run(ctx: &Ctx, cmd: &AfterSalesCommand) -> Result<(), Failure> {
    let lang = ctx.lang;
    let err = |e: AfterSalesError| Failure::from_error(&e, lang);
    let step = |key: &str, s: Step, at: &Option<String>| {
        let key = key.to_string();
        let at = when(ctx, at);
        async move {
            let status = ctx.app.after_sales_step(&ctx.actor, &key, &s, at?).await.map_err(err)?;
            println!("{key} → {}", status_label(ctx, status));
            Ok::<(), Failure>(())
        }
    };
    match cmd {
        AfterSalesCommand::Apply { trade, line, kind, amount, qty, reason, refund_no, at } => {
            let input = ApplyInput {
                trade: trade.clone(),
                line: line.clone(),
                kind: Some(kind.kind()),
                amount: money(ctx, amount)?,
                qty: *qty,
                reason: reason.clone(),
                refund_no: refund_no.clone(),
                at: when(ctx, at)?,
            };
            let no = ctx.app.apply_after_sales(&ctx.actor, &input).await.map_err(err)?;
            let d = ctx.app.after_sales_case(&ctx.actor, &no, Utc::now()).await.map_err(err)?;
            println!("{} {no} · {}", lang.pick("已登记售后", "recorded"), due_text(ctx, &d.view));
            Ok(())
        }
        AfterSalesCommand::List { shop, all, kind, search, format } => {
            let shop_id = match shop {
                Some(name) => ctx
                    .app
                    .report_scope(&ctx.actor, Some(name))
                    .await
                    .map_err(|e| Failure::from_error(&e, lang))?
                    .shop_id(),
                None => 0,
            };
            let filter = RefundFilter {
                company_id: ctx.actor.company_id,
                shop_id,
                open_only: !*all,
                kind: kind.map(KindArg::kind),
                search: search.clone(),
                limit: 500,
                ..Default::default()
            };
            let rows = ctx.app.after_sales_cases(&filter, Utc::now()).await.map_err(err)?;
            print(*format, &rows, || {
                let mut t = table(&[
                    lang.pick("退款编号", "refund no"),
                    lang.pick("订单编号", "trade"),
                    lang.pick("买家", "buyer"),
                    lang.pick("商品", "item"),
                    lang.pick("类型", "kind"),
                    lang.pick("状态", "status"),
                    lang.pick("金额", "amount"),
                    lang.pick("件数", "units"),
                    lang.pick("待处理", "due"),
                ]);
                for v in &rows {
                    let c = &v.case;
                    let due = Cell::new(due_text(ctx, v));
                    let due = match v.seconds_left {
                        Some(s) if s < 0 => due.fg(Color::Red),
                        Some(s) if s < 24 * 3600 => due.fg(Color::Yellow),
                        _ => due,
                    };
                    t.add_row(vec![
                        Cell::new(&c.refund_no),
                        Cell::new(&c.tid),
                        Cell::new(&c.buyer_nick),
                        Cell::new(format!("{} {}", c.line_title, c.line_properties)),
                        Cell::new(kind_label(ctx, c.kind)),
                        Cell::new(status_label(ctx, c.status)),
                        num(c.amount),
                        num(c.qty),
                        due,
                    ]);
                }
                t
            })
        }
        AfterSalesCommand::Show { key, format } => {
            let d = ctx.app.after_sales_case(&ctx.actor, key, Utc::now()).await.map_err(err)?;
            show(ctx, &d, *format)
        }
        AfterSalesCommand::Agree { key, note, parcel, at } => {
            step(key, Step::Agree { note: note.clone(), replacement: parcel.parcel() }, at).await
        }
        AfterSalesCommand::Refuse { key, reason, at } => step(key, Step::Refuse { note: reason.clone() }, at).await,
        AfterSalesCommand::Reapply { key, amount, reason, at } => {
            step(key, Step::Reapply { amount: money(ctx, amount)?, reason: reason.clone() }, at).await
        }
        AfterSalesCommand::Returned { key, parcel, at } => {
            step(key, Step::ReturnShipped { parcel: parcel.parcel().unwrap_or_default() }, at).await
        }
        AfterSalesCommand::Receive { key, good, damaged, warehouse, parcel, note, at } => {
            let s = Step::ReceiveReturn {
                check: ReturnCheck { good: *good, damaged: *damaged },
                warehouse: warehouse.clone(),
                replacement: parcel.parcel(),
                note: note.clone(),
            };
            step(key, s, at).await
        }
        AfterSalesCommand::Cancel { key, note, at } => step(key, Step::Cancel { note: note.clone() }, at).await,
        AfterSalesCommand::Dispute(d) => {
            let (key, s, at) = match d {
                DisputeCommand::Open { key, reason, at } => (key, DisputeStep::Open { reason: reason.clone() }, at),
                DisputeCommand::Note { key, note, stage, at } => {
                    let stage = stage.map(|s| match s {
                        StageArg::Evidence => DisputeStage::Evidence,
                        StageArg::Reviewing => DisputeStage::Reviewing,
                    });
                    (key, DisputeStep::Note { note: note.clone(), stage }, at)
                }
                DisputeCommand::Decide { key, outcome, note, parcel, at } => {
                    let outcome = match outcome {
                        OutcomeArg::Buyer => DisputeOutcome::Buyer,
                        OutcomeArg::Seller => DisputeOutcome::Seller,
                    };
                    (key, DisputeStep::Decide { outcome, note: note.clone(), replacement: parcel.parcel() }, at)
                }
            };
            let status = ctx.app.dispute_step(&ctx.actor, key, &s, when(ctx, at)?).await.map_err(err)?;
            println!("{key} → {}", status_label(ctx, status));
            Ok(())
        }
    }
}

fn event_label(ctx: &Ctx, code: &str) -> String {
    let zh = match code {
        "apply" => "申请售后",
        "dispute_open" => "申请平台介入",
        other => match other.parse::<zhanggui_domain::RefundEvent>() {
            Ok(e) => e.label_zh(),
            Err(_) => other,
        },
    };
    ctx.lang.pick(zh, code).to_string()
}

fn kind_label(ctx: &Ctx, k: RefundKind) -> &'static str {
    ctx.lang.pick(k.label_zh(), k.code())
}

fn status_label(ctx: &Ctx, s: RefundStatus) -> &'static str {
    ctx.lang.pick(s.label_zh(), s.code())
}

/// "卖家 处理售后申请 · 剩 2 天 3 小时" / "seller: answer the request · 2 d 3 h left".
fn due_text(ctx: &Ctx, v: &CaseView) -> String {
    let lang = ctx.lang;
    let Some(due) = &v.due else {
        return lang.pick("已结束", "done").to_string();
    };
    let who =
        format!("{} {}", lang.pick(due.party.label_zh(), due.party.label_en()), lang.pick(due.what_zh, due.what_en));
    let Some(left) = v.seconds_left else {
        return who;
    };
    let (d, h, m) = (left.abs() / 86_400, left.abs() % 86_400 / 3600, left.abs() % 3600 / 60);
    let zh = matches!(lang, zhanggui_app::Lang::Zh);
    let span = match (d, h, zh) {
        (0, 0, true) => format!("{m} 分钟"),
        (0, 0, false) => format!("{m} min"),
        (0, _, true) => format!("{h} 小时 {m} 分"),
        (0, _, false) => format!("{h} h {m} min"),
        (_, _, true) => format!("{d} 天 {h} 小时"),
        (_, _, false) => format!("{d} d {h} h"),
    };
    if left < 0 {
        format!("{who} · {}{span}", lang.pick("已超时 ", "overdue by "))
    } else {
        format!("{who} · {}{span}{}", lang.pick("剩 ", ""), lang.pick("", " left"))
    }
}

fn show(ctx: &Ctx, d: &CaseDetail, format: Format) -> Result<(), Failure> {
    let lang = ctx.lang;
    if format == Format::Json {
        return print(format, d, || table(&[]));
    }
    let c = &d.view.case;
    let tz = ctx.time_zone;
    let mut t = table(&[lang.pick("项目", "field"), lang.pick("内容", "value")]);
    let mut row = |k: &str, v: String| {
        t.add_row(vec![Cell::new(k), Cell::new(v)]);
    };
    row(lang.pick("退款编号", "refund no"), c.refund_no.clone());
    row(lang.pick("订单", "trade"), format!("{} · {} · {}", c.tid, c.shop_name, c.buyer_nick));
    row(lang.pick("商品", "item"), format!("{} {} ({})", c.line_title, c.line_properties, c.outer_sku_id));
    row(lang.pick("类型", "kind"), kind_label(ctx, c.kind).to_string());
    row(lang.pick("状态", "status"), status_label(ctx, c.status).to_string());
    row(lang.pick("待处理", "due"), due_text(ctx, &d.view));
    row(lang.pick("金额", "amount"), format!("{} / {} {}", c.amount, lang.pick("实付", "paid"), c.line_paid));
    row(lang.pick("件数", "units"), c.qty.to_string());
    row(lang.pick("原因", "reason"), c.reason.clone());
    row(lang.pick("申请时间", "asked"), format_local(c.created_at, tz));
    if !c.seller_note.is_empty() {
        row(lang.pick("卖家说明", "seller note"), c.seller_note.clone());
    }
    if !c.return_tracking_no.is_empty() {
        row(lang.pick("退货物流", "return parcel"), format!("{} {}", c.return_carrier, c.return_tracking_no));
    }
    if c.received_good + c.received_damaged > 0 {
        row(
            lang.pick("验货", "received"),
            format!(
                "{} {} · {} {}",
                lang.pick("完好", "good"),
                c.received_good,
                lang.pick("破损", "damaged"),
                c.received_damaged
            ),
        );
    }
    if !c.replacement_tracking_no.is_empty() {
        row(
            lang.pick("换货/补寄物流", "replacement"),
            format!("{} {}", c.replacement_carrier, c.replacement_tracking_no),
        );
    }
    if let Some(dispute) = &c.dispute {
        let outcome = dispute.outcome.map(|o| o.label_zh()).unwrap_or("");
        row(lang.pick("纠纷", "dispute"), format!("{} {outcome}", dispute.stage.label_zh()));
        if !dispute.evidence.is_empty() {
            row(lang.pick("举证", "evidence"), dispute.evidence.clone());
        }
    }
    println!("{t}");
    let mut h = table(&[
        lang.pick("时间", "time"),
        lang.pick("操作", "step"),
        lang.pick("状态", "status"),
        lang.pick("操作人", "by"),
        lang.pick("备注", "note"),
    ]);
    for e in &d.events {
        h.add_row(vec![
            Cell::new(format_local(e.at, tz)),
            Cell::new(event_label(ctx, &e.event)),
            Cell::new(format!("{} → {}", e.from_status, e.to_status)),
            Cell::new(&e.user_name),
            Cell::new(&e.note),
        ]);
    }
    println!("{h}");
    Ok(())
}
