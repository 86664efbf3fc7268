//! Order exports (Taobao/Tmall with or without the line report, Pinduoduo, JD) into trades.
//!
//! - A trade not seen before is written in the state the export reports, with its lines, customer
//!   and history.
//! - A trade already imported is moved along the state machine to the reported status (pay, ship,
//!   confirm, close as live orders do) and its amounts, address, memo, refund and shipping fields are
//!   refreshed; a status that would go backwards is rejected.
//! - Stock: only trades paid at or after the shop's inventory start touch stock (the start is set by
//!   `--stock-from`, by importing opening stock, or else by the first order import, so history loaded
//!   into a new shop never moves stock). Such trades reserve while they wait to ship and write
//!   sale_shipment moves once shipped. A payment the platform already took is never refused for
//!   missing stock: the trade is reserved anyway and flagged oversold (超卖).

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use zhanggui_domain::{Money, MoveKind, TradeEvent, TradeStatus};
use zhanggui_formats::{LineRecord, OrderRecord, RowError};
use zhanggui_store::imports::TradeFields;
use zhanggui_store::trade_write::{CustomerKey, TradeHistory, TradeWrite};
use zhanggui_store::trades::TradeChange;
use zhanggui_store::{NewLine, NewMove, NewTrade, Shop, SkuInfo, Trade, Tx, WriteTx};

use super::{ImportError, ImportSummary, Reject, utc};
use crate::trading::{self, ShipInput, TradeError, plan_reservations, tracks_stock};
use crate::{Actor, App, clock};

/// Trades read, put together and written at a time.
pub const BATCH: usize = 5_000;

/// Batches an import writes before it commits (20,000 trades by default). Several batches share a
/// transaction: an index page that many trades touch (a SKU's lines, a day's summary) is then
/// written to the log once per commit instead of once per batch, while the memory the import holds
/// stays that of one batch. Other writers wait for the commit, a few seconds at most.
pub const BATCHES_PER_COMMIT: usize = 4;

/// How to import an order export.
#[derive(Debug, Clone)]
pub struct OrderImport {
    pub shop: String,
    /// The file name, for messages.
    pub file: String,
    /// Set the shop's inventory start (trades paid before it never touch stock).
    pub stock_from: Option<DateTime<Utc>>,
}

const NOT_GIVEN: &str = "（导出未提供）";

/// An order import under way: the shop, its time zone and warehouse, and the summary so far.
pub(crate) struct OrderImportRun {
    shop: Shop,
    tz: Tz,
    warehouse: Option<i64>,
    pub(crate) summary: ImportSummary,
    started: Instant,
    pub(crate) done: usize,
    /// The transaction the batches are written in, until it holds `per_commit` trades.
    open: Option<WriteTx>,
    uncommitted: usize,
    per_commit: usize,
}

impl OrderImportRun {
    /// Commits what is written and sums up the import.
    pub(crate) async fn finish(mut self) -> Result<ImportSummary, ImportError> {
        if let Some(tx) = self.open.take() {
            tx.commit().await?;
        }
        self.summary.rejected = self.summary.rejects.len();
        self.summary.rejects.sort_by_key(|r| r.line);
        self.summary.seconds = self.started.elapsed().as_secs_f64();
        Ok(self.summary)
    }

    /// Refuses a row whose order number an earlier row of the file already has.
    pub(crate) fn duplicate(&mut self, file: &str, line: usize, tid: &str, first: usize) {
        self.summary.rejects.push(Reject {
            file: file.to_string(),
            line,
            column: None,
            reason: format!("订单编号 {tid} 重复（第 {first} 行已有） / duplicate order number"),
        });
    }
}

impl App {
    /// Imports trades read from an export. `read_errors` are the rows the reader already refused;
    /// they are reported with the rest. `progress(records done)` is called after each batch.
    pub async fn import_orders(
        &self,
        actor: &Actor,
        opts: &OrderImport,
        records: Vec<OrderRecord>,
        read_errors: &[RowError],
        progress: &(dyn Fn(usize) + Sync),
    ) -> Result<ImportSummary, ImportError> {
        let mut run = self.begin_order_import(actor, opts, read_errors, BATCH).await?;
        run.summary.records = records.len();
        // One record per order number: a second row for the same trade in one file is refused.
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut unique = Vec::with_capacity(records.len());
        for r in records {
            match seen.get(&r.tid) {
                Some(first) => run.duplicate(&opts.file, r.line, &r.tid, *first),
                None => {
                    seen.insert(r.tid.clone(), r.line);
                    unique.push(r);
                }
            }
        }
        for batch in unique.chunks(BATCH) {
            self.import_order_batch(actor, opts, &mut run, batch).await?;
            progress(run.done);
        }
        run.finish().await
    }

    /// Finds the shop and sets its inventory start (the first import of a shop starts it now).
    /// `batch` is the trades written at a time.
    pub(crate) async fn begin_order_import(
        &self,
        actor: &Actor,
        opts: &OrderImport,
        read_errors: &[RowError],
        batch: usize,
    ) -> Result<OrderImportRun, ImportError> {
        let started = Instant::now();
        let mut summary = ImportSummary {
            kind: "orders".into(),
            file: opts.file.clone(),
            rejects: read_errors.iter().map(Reject::from).collect(),
            ..Default::default()
        };
        let (shop, tz) = {
            let mut tx = self.db.begin().await?;
            let company = tx.companies().await?.into_iter().find(|c| c.id == actor.company_id);
            let tz = clock::zone(company.map(|c| c.time_zone).as_deref().unwrap_or("Asia/Shanghai"));
            let shops = tx.shops(actor.company_id).await?;
            let Some(shop) = shops.into_iter().find(|s| s.name == opts.shop || s.id.to_string() == opts.shop) else {
                return Err(ImportError::UnknownShop(opts.shop.clone()));
            };
            let start = match (opts.stock_from, shop.inventory_start_at) {
                (Some(at), _) => Some(at),
                (None, None) => Some(Utc::now()),
                (None, Some(_)) => None,
            };
            if let Some(at) = start {
                tx.set_inventory_start(shop.id, at).await?;
                summary.inventory_start_set = Some(at);
            }
            tx.commit().await?;
            let mut tx = self.db.begin_read().await?;
            let shop = tx.shop(shop.id).await?.ok_or_else(|| ImportError::UnknownShop(opts.shop.clone()))?;
            tx.commit().await?;
            (shop, tz)
        };
        let warehouse = match shop.default_warehouse_id {
            Some(w) => Some(w),
            None => {
                let mut tx = self.db.begin_read().await?;
                let w = tx.warehouses(actor.company_id).await?.first().map(|w| w.id);
                tx.commit().await?;
                w
            }
        };
        Ok(OrderImportRun {
            shop,
            tz,
            warehouse,
            summary,
            started,
            done: 0,
            open: None,
            uncommitted: 0,
            per_commit: batch * BATCHES_PER_COMMIT,
        })
    }

    /// Imports one batch of distinct trades into the run's transaction, and commits once that holds
    /// [`BATCHES_PER_COMMIT`] batches' worth of trades. If the batch fails, the trades written since the last commit
    /// are undone with it.
    pub(crate) async fn import_order_batch(
        &self,
        actor: &Actor,
        opts: &OrderImport,
        run: &mut OrderImportRun,
        batch: &[OrderRecord],
    ) -> Result<(), ImportError> {
        let mut tx = match run.open.take() {
            Some(tx) => tx,
            None => self.db.begin().await?,
        };
        let ctx = Batch { actor, shop: &run.shop, warehouse: run.warehouse, tz: run.tz, file: &opts.file };
        ctx.run(&mut tx, batch, &mut run.summary).await?;
        run.done += batch.len();
        run.uncommitted += batch.len();
        if run.uncommitted >= run.per_commit {
            tx.commit().await?;
            run.uncommitted = 0;
        } else {
            run.open = Some(tx);
        }
        Ok(())
    }
}

struct Batch<'a> {
    actor: &'a Actor,
    shop: &'a Shop,
    /// Where imported shipments leave from: the shop's default warehouse, else the first one.
    warehouse: Option<i64>,
    tz: Tz,
    file: &'a str,
}

struct Prepared {
    new: NewTrade,
    status: TradeStatus,
    region: zhanggui_domain::Region,
    moves: Vec<NewMove>,
    /// Waits to ship and counts in stock: reserve after writing.
    reserve: bool,
    paid: Option<DateTime<Utc>>,
    unmatched: usize,
    /// After-sales cases from the lines' refund fields, by line index.
    refunds: Vec<(usize, zhanggui_store::NewRefund)>,
}

enum Outcome {
    Inserted,
    Updated,
    Unchanged,
}

impl Batch<'_> {
    async fn run(&self, tx: &mut Tx, records: &[OrderRecord], summary: &mut ImportSummary) -> Result<(), ImportError> {
        let tids: Vec<&str> = records.iter().map(|r| r.tid.as_str()).collect();
        // Which trades are known (a light query), then the known ones in full.
        let known: Vec<String> = tx.trade_ids_by_tids(self.shop.id, &tids).await?.into_iter().map(|(_, t)| t).collect();
        let known: Vec<&str> = known.iter().map(String::as_str).collect();
        let existing: HashMap<String, Trade> = tx
            .trades_by_tids(self.actor.company_id, self.shop.id, &known)
            .await?
            .into_iter()
            .map(|t| (t.tid.clone(), t))
            .collect();
        let codes: HashSet<&str> = records
            .iter()
            .flat_map(|r| r.lines.iter())
            .map(|l| l.outer_sku_id.as_str())
            .filter(|c| !c.is_empty())
            .collect();
        let codes: Vec<&str> = codes.into_iter().collect();
        let skus: HashMap<String, SkuInfo> =
            tx.resolve_codes(self.actor.company_id, &codes).await?.into_iter().collect();
        let mut nicks: HashSet<&str> = HashSet::new();
        let mut fresh: Vec<Prepared> = Vec::new();
        for r in records {
            let outcome = match existing.get(&r.tid) {
                None => {
                    if let Some(dup) = repeated_oid(r) {
                        summary.rejects.push(Reject {
                            file: self.file.to_string(),
                            line: dup.line,
                            column: Some("子订单编号".into()),
                            reason: format!("订单 {} 的子订单编号 {} 重复 / repeated line id", r.tid, dup.oid),
                        });
                        continue;
                    }
                    let p = self.prepare(r, &skus);
                    summary.unmatched_lines += p.unmatched;
                    fresh.push(p);
                    Outcome::Inserted
                }
                Some(t) => {
                    tx.savepoint().await?;
                    match self.update(tx, t, r).await {
                        Ok(o) => {
                            tx.release_savepoint().await?;
                            o
                        }
                        Err(TradeError::Store(e)) => return Err(e.into()),
                        Err(e) => {
                            tx.rollback_to_savepoint().await?;
                            summary.rejects.push(Reject {
                                file: self.file.to_string(),
                                line: r.line,
                                column: Some("订单状态".into()),
                                reason: e.to_string(),
                            });
                            continue;
                        }
                    }
                }
            };
            match outcome {
                // A new trade adds itself to its buyer's figures as it is written.
                Outcome::Inserted => summary.inserted += 1,
                Outcome::Updated => {
                    summary.updated += 1;
                    if !r.buyer_nick.is_empty() {
                        nicks.insert(r.buyer_nick.as_str());
                    }
                }
                Outcome::Unchanged => summary.unchanged += 1,
            }
        }
        self.write_new(tx, &fresh).await?;
        let nicks: Vec<&str> = nicks.into_iter().collect();
        tx.refresh_customers(self.actor.company_id, self.shop.platform.buyer_account_system(), &nicks).await?;
        Ok(())
    }

    fn fields(&self, r: &OrderRecord) -> TradeFields {
        let region = r.region.clone().unwrap_or_default();
        TradeFields {
            goods_amount: r.goods_amount,
            postage: r.postage,
            discount: discount(r),
            total_amount: r.total_amount,
            amount_paid: if r.paid_at.is_some() || r.status.is_paid() { r.amount_paid } else { Money::ZERO },
            refund_amount: r.refund_amount,
            receiver_name: r.receiver_name.clone(),
            receiver_phone: r.receiver_phone.clone(),
            receiver_address: r.receiver_address.clone(),
            province: region.province,
            city: region.city,
            district: region.district,
            buyer_message: r.buyer_message.clone(),
            seller_memo: r.seller_memo.clone(),
            carrier: r.carrier.clone(),
            tracking_no: r.tracking_no.clone(),
            close_reason: r.close_reason.clone(),
        }
    }

    /// A trade seen for the first time, ready to write.
    fn prepare(&self, r: &OrderRecord, skus: &HashMap<String, SkuInfo>) -> Prepared {
        let tz = self.tz;
        let created = utc(r.created_at, tz);
        let paid = r.paid_at.map(|t| utc(t, tz));
        let shipped = r.shipped_at.map(|t| utc(t, tz)).or_else(|| {
            matches!(r.status, TradeStatus::WaitBuyerConfirmGoods | TradeStatus::TradeFinished)
                .then_some(paid)
                .flatten()
        });
        let finished = match r.status {
            TradeStatus::TradeFinished => r.finished_at.map(|t| utc(t, tz)).or(shipped).or(paid),
            _ => None,
        };
        let closed = matches!(r.status, TradeStatus::TradeClosed | TradeStatus::TradeClosedByTaobao)
            .then(|| r.finished_at.map(|t| utc(t, tz)).or(shipped).or(paid).unwrap_or(created));
        let fields = self.fields(r);
        let lines = lines_of(r, &fields, skus, shipped, tz);
        let unmatched = lines.iter().filter(|l| l.sku_id.is_none()).count();
        let mut new = NewTrade {
            company_id: self.actor.company_id,
            shop_id: self.shop.id,
            tid: r.tid.clone(),
            customer_id: None,
            buyer_nick: r.buyer_nick.clone(),
            receiver_name: fields.receiver_name.clone(),
            receiver_phone: fields.receiver_phone.clone(),
            receiver_address: fields.receiver_address.clone(),
            province: fields.province.clone(),
            city: fields.city.clone(),
            district: fields.district.clone(),
            goods_amount: fields.goods_amount,
            postage: fields.postage,
            discount: fields.discount,
            total_amount: fields.total_amount,
            amount_paid: fields.amount_paid,
            created_at: created,
            buyer_message: fields.buyer_message.clone(),
            seller_memo: fields.seller_memo.clone(),
            paid_at: paid,
            shipped_at: shipped,
            finished_at: finished,
            closed_at: closed,
            ship_by_at: paid.map(|t| t + trading::SHIP_WITHIN),
            close_reason: fields.close_reason.clone(),
            carrier: fields.carrier.clone(),
            tracking_no: fields.tracking_no.clone(),
            refund_amount: fields.refund_amount,
            flag: 0,
            urgent: false,
            lines,
        };
        let stock = paid.is_some_and(|p| self.shop.inventory_start_at.is_some() && tracks_stock(self.shop, p));
        let mut moves = Vec::new();
        if stock && let Some(wh) = self.warehouse {
            for l in &new.lines {
                let (Some(sku_id), Some(ship_at)) = (l.sku_id, l.shipped_at) else { continue };
                // Shipped at the SKU's moving-average cost (the cost of goods behind 毛利).
                let unit_cost = skus.get(&l.outer_sku_id).map_or(Money::ZERO, |s| s.cost);
                moves.push(NewMove {
                    company_id: self.actor.company_id,
                    sku_id,
                    warehouse_id: wh,
                    qty: -l.qty,
                    kind: MoveKind::SaleShipment,
                    ref_type: "trade",
                    ref_id: None,
                    unit_cost,
                    note: r.tid.clone(),
                    user_name: self.actor.user.clone(),
                    at: ship_at,
                });
            }
        }
        let reserve = stock && r.status.awaits_shipping() && new.lines.iter().any(|l| l.shipped_at.is_none());
        let refunds = super::export_cases::for_new_trade(self.shop.id, r, &new);
        // What the cases paid back, where the export's refund amounts say less (Pinduoduo has none).
        for (i, case) in refunds.iter().filter(|(_, c)| c.status == zhanggui_domain::RefundStatus::Success) {
            if zhanggui_domain::after_sales::pays_money(case.kind)
                && let Some(l) = new.lines.get_mut(*i)
            {
                l.refund_amount = l.refund_amount.max(case.amount);
            }
        }
        let paid_back: Money = new.lines.iter().map(|l| l.refund_amount).sum();
        new.refund_amount = new.refund_amount.max(paid_back.min(new.amount_paid));
        Prepared {
            new,
            status: r.status,
            region: r.region.clone().unwrap_or_default(),
            moves,
            reserve,
            paid,
            unmatched,
            refunds,
        }
    }

    /// Writes the batch's new trades together; those waiting to ship (and counted in stock) reserve.
    async fn write_new(&self, tx: &mut Tx, fresh: &[Prepared]) -> Result<(), ImportError> {
        let now = Utc::now();
        let system = self.shop.platform.buyer_account_system();
        let histories: Vec<TradeHistory<'_>> = fresh
            .iter()
            .map(|p| TradeHistory {
                trade: &p.new,
                status: p.status,
                customer: (!p.new.buyer_nick.is_empty()).then(|| CustomerKey {
                    account_system: system,
                    nick: &p.new.buyer_nick,
                    region: &p.region,
                }),
                moves: p.moves.clone(),
                refunds: p.refunds.clone(),
                events: vec![("import", "", p.status.code(), now)],
                user: &self.actor.user,
                at: now,
                time_zone: self.tz,
            })
            .collect();
        let ids = tx.insert_trades_bulk(&histories).await?;
        let mut rules = self.shop.clone();
        rules.allow_oversell = true;
        for (p, trade_id) in fresh.iter().zip(ids) {
            if !p.reserve {
                continue;
            }
            let stored = tx.trade_lines(trade_id).await?;
            let reserve = plan_reservations(tx, &rules, &stored).await.map_err(|e| match e {
                TradeError::Store(s) => ImportError::Store(s),
                other => ImportError::File(other.to_string()),
            })?;
            let oversold = reserve.iter().any(|x| !x.guarded);
            let mut write = TradeWrite {
                company_id: self.actor.company_id,
                trade_id,
                reserve,
                change: TradeChange { oversold: oversold.then_some(true), ..Default::default() },
                at: p.paid.unwrap_or(now),
                ..Default::default()
            };
            tx.savepoint().await?;
            if tx.apply_trade_write(&write).await? {
                tx.release_savepoint().await?;
            } else {
                // A concurrent payment took the stock after it was read: the platform has sold it
                // anyway, so reserve without the guard and flag the trade.
                tx.rollback_to_savepoint().await?;
                for r in &mut write.reserve {
                    r.guarded = false;
                }
                write.change.oversold = Some(true);
                tx.apply_trade_write(&write).await?;
            }
        }
        Ok(())
    }

    /// Records a status the platform reports when no stock moves with it.
    async fn status_only(
        &self,
        tx: &mut Tx,
        t: &Trade,
        to: TradeStatus,
        event: &'static str,
        at: DateTime<Utc>,
    ) -> Result<(), TradeError> {
        let from = tx.trade_for_update(self.actor.company_id, t.id).await?.map(|x| x.status).unwrap_or(t.status);
        let write = TradeWrite {
            company_id: self.actor.company_id,
            trade_id: t.id,
            change: TradeChange { status: Some(to), ..Default::default() },
            event: Some(zhanggui_store::trade_write::EventRow {
                event,
                from: from.code(),
                to: to.code(),
                note: "导出".into(),
                user: self.actor.user.clone(),
            }),
            at,
            ..Default::default()
        };
        if tx.apply_trade_write(&write).await? { Ok(()) } else { Err(TradeError::Conflict) }
    }

    /// Brings a known trade up to the export: its status along the state machine, then its fields.
    async fn update(&self, tx: &mut Tx, t: &Trade, r: &OrderRecord) -> Result<Outcome, TradeError> {
        let tz = self.tz;
        let now = Utc::now();
        let mut changed = false;
        if t.status != r.status {
            let Some(path) = t.status.path_to(r.status) else {
                return Err(TradeError::Invalid {
                    field: "status",
                    reason: format!(
                        "订单 {} 已是「{}」，不能变回「{}」 / cannot go back from {} to {}",
                        t.tid,
                        t.status.label_zh(),
                        r.status.label_zh(),
                        t.status,
                        r.status
                    ),
                });
            };
            for event in path {
                let actor = self.actor;
                match event {
                    TradeEvent::Pay => {
                        let at = r.paid_at.map(|x| utc(x, tz)).unwrap_or(now);
                        trading::pay_with(tx, actor, t.id, at.max(t.created_at), true).await?;
                    }
                    TradeEvent::ShipAll => {
                        let at = r.shipped_at.map(|x| utc(x, tz)).unwrap_or(now);
                        let ship = ShipInput {
                            carrier: non_empty(&r.carrier),
                            tracking_no: non_empty(&r.tracking_no),
                            line_ids: None,
                        };
                        trading::ship_in(tx, actor, t.id, &ship, at).await?;
                    }
                    TradeEvent::ShipPart => {
                        // Ship the lines the export marks as shipped; when it names none, record
                        // the status alone.
                        let stored = tx.trade_lines(t.id).await?;
                        let shipped: Vec<i64> = r
                            .lines
                            .iter()
                            .filter(|l| l.shipped_at.is_some())
                            .filter_map(|l| stored.iter().find(|s| s.oid == l.oid && s.shipped_at.is_none()))
                            .map(|s| s.id)
                            .collect();
                        let at = r.shipped_at.map(|x| utc(x, tz)).unwrap_or(now);
                        if shipped.is_empty()
                            || shipped.len() == stored.iter().filter(|s| s.shipped_at.is_none()).count()
                        {
                            self.status_only(tx, t, TradeStatus::SellerConsignedPart, "ship", at).await?;
                        } else {
                            let ship = ShipInput {
                                carrier: non_empty(&r.carrier),
                                tracking_no: non_empty(&r.tracking_no),
                                line_ids: Some(shipped),
                            };
                            trading::ship_in(tx, actor, t.id, &ship, at).await?;
                        }
                    }
                    TradeEvent::ConfirmReceipt => {
                        let at = r.finished_at.map(|x| utc(x, tz)).unwrap_or(now);
                        trading::confirm_in(tx, actor, t.id, at).await?;
                    }
                    TradeEvent::Close => {
                        let reason = if r.close_reason.is_empty() {
                            "导出显示交易关闭"
                        } else {
                            r.close_reason.as_str()
                        };
                        trading::close_in(tx, actor, t.id, reason, now).await?;
                    }
                    TradeEvent::ForbidConsign | TradeEvent::AllowConsign => {
                        // The platform locks or unlocks shipping (group buy forming): a status
                        // change with no effect on stock.
                        let from =
                            tx.trade_for_update(actor.company_id, t.id).await?.map(|x| x.status).unwrap_or(t.status);
                        let to = from.apply(event)?;
                        self.status_only(
                            tx,
                            t,
                            to,
                            if event == TradeEvent::ForbidConsign { "forbid" } else { "allow" },
                            now,
                        )
                        .await?;
                    }
                }
            }
            changed = true;
        }
        let fields = self.fields(r);
        // The trade as the transitions left it (they may have set carrier or close reason).
        let t = &match changed {
            true => tx.trade(self.actor.company_id, t.id).await?.unwrap_or_else(|| t.clone()),
            false => t.clone(),
        };
        let current = TradeFields {
            goods_amount: t.goods_amount,
            postage: t.postage,
            discount: t.discount,
            total_amount: t.total_amount,
            amount_paid: t.amount_paid,
            refund_amount: t.refund_amount,
            receiver_name: t.receiver_name.clone(),
            receiver_phone: t.receiver_phone.clone(),
            receiver_address: t.receiver_address.clone(),
            province: t.province.clone(),
            city: t.city.clone(),
            district: t.district.clone(),
            buyer_message: t.buyer_message.clone(),
            seller_memo: t.seller_memo.clone(),
            carrier: t.carrier.clone(),
            tracking_no: t.tracking_no.clone(),
            close_reason: t.close_reason.clone(),
        };
        // Transitions may have filled carrier and close reason; the export's values win when given.
        let mut target = fields;
        if target.carrier.is_empty() {
            target.carrier = current.carrier.clone();
        }
        if target.tracking_no.is_empty() {
            target.tracking_no = current.tracking_no.clone();
        }
        if target.close_reason.is_empty() {
            target.close_reason = current.close_reason.clone();
        }
        // Money paid back is never taken back: an export that says less (or nothing) keeps what the
        // cases recorded.
        target.refund_amount = target.refund_amount.max(current.refund_amount);
        if changed || target != current {
            tx.update_trade_fields(t, &target, now).await?;
            changed = true;
        }
        changed |= super::export_cases::sync_known_trade(tx, self.shop.id, t, r, now).await?;
        Ok(if changed { Outcome::Updated } else { Outcome::Unchanged })
    }
}

/// The first line of a trade whose 子订单编号 repeats an earlier line's.
fn repeated_oid(r: &OrderRecord) -> Option<&LineRecord> {
    let mut seen = HashSet::new();
    r.lines.iter().find(|l| !seen.insert(l.oid.as_str()))
}

fn non_empty(s: &str) -> String {
    if s.trim().is_empty() { NOT_GIVEN.to_string() } else { s.trim().to_string() }
}

/// Discounts on the trade: Pinduoduo exports them; elsewhere what the buyer did not pay of goods and
/// postage.
fn discount(r: &OrderRecord) -> Money {
    let given = r.shop_discount + r.platform_discount;
    if !given.is_zero() {
        return given;
    }
    if r.amount_paid.is_zero() {
        return Money::ZERO;
    }
    let gap = r.goods_amount + r.postage - r.amount_paid;
    if gap.is_negative() { Money::ZERO } else { gap }
}

/// The trade's lines: from the line report when there is one; otherwise one line per title where the
/// titles and the total quantity allow it, else one line carrying all titles and the total quantity.
fn lines_of(
    r: &OrderRecord,
    fields: &TradeFields,
    skus: &HashMap<String, SkuInfo>,
    shipped: Option<DateTime<Utc>>,
    tz: Tz,
) -> Vec<NewLine> {
    let payable = fields.goods_amount - fields.discount.min(fields.goods_amount);
    let given: Vec<LineRecord> = if r.lines.is_empty() { lines_from_titles(r) } else { r.lines.clone() };
    let weights: Vec<i64> = given.iter().map(|l| (l.price * l.qty).fen().max(0)).collect();
    let shares = payable.allocate(&weights);
    given
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let sku = skus.get(&l.outer_sku_id);
            NewLine {
                oid: l.oid.clone(),
                sku_id: sku.map(|s| s.id),
                outer_sku_id: l.outer_sku_id.clone(),
                title: if l.title.is_empty() {
                    sku.map(|s| s.title.clone()).unwrap_or_default()
                } else {
                    l.title.clone()
                },
                properties: l.properties.clone(),
                price: l.price,
                qty: l.qty,
                amount_paid: if l.amount_paid.is_zero() {
                    shares.get(i).copied().unwrap_or_default()
                } else {
                    l.amount_paid
                },
                refund_amount: l.refund_amount,
                refund_status: l.refund_status.clone(),
                // A part-shipped trade ships only the lines the export marks as shipped.
                shipped_at: if r.status == TradeStatus::SellerConsignedPart {
                    l.shipped_at.map(|t| utc(t, tz))
                } else {
                    shipped
                },
            }
        })
        .collect()
}

fn lines_from_titles(r: &OrderRecord) -> Vec<LineRecord> {
    let titles: Vec<&str> =
        r.item_titles.split(['，', ',', ';', '；']).map(str::trim).filter(|t| !t.is_empty()).collect();
    let qty = r.item_count.max(1);
    let base = LineRecord {
        line: r.line,
        oid: String::new(),
        tid: r.tid.clone(),
        title: String::new(),
        price: Money::ZERO,
        qty,
        outer_sku_id: String::new(),
        outer_id: String::new(),
        properties: String::new(),
        amount_paid: Money::ZERO,
        refund_status: String::new(),
        refund_amount: Money::ZERO,
        status_text: r.status_text.clone(),
        item_id: String::new(),
        shipped_at: r.shipped_at,
        carrier: r.carrier.clone(),
        tracking_no: r.tracking_no.clone(),
    };
    if titles.len() > 1 && titles.len() as i64 == qty {
        let prices = r.goods_amount.allocate(&vec![1; titles.len()]);
        return titles
            .iter()
            .enumerate()
            .map(|(i, t)| LineRecord {
                oid: format!("{}-{}", r.tid, i + 1),
                title: (*t).to_string(),
                price: prices[i],
                qty: 1,
                ..base.clone()
            })
            .collect();
    }
    let unit = if qty > 0 { Money::from_fen(r.goods_amount.fen() / qty) } else { r.goods_amount };
    vec![LineRecord {
        oid: format!("{}-1", r.tid),
        title: if titles.is_empty() { r.item_titles.clone() } else { titles.join("，") },
        price: unit,
        ..base
    }]
}
