//! After-sales (售后) flows on every backend: return and refund with a damaged unit, refunds before
//! shipping that release stock and close the trade, exchanges that ship a replacement, disputes, and
//! refusals that change nothing. The summaries stay exact throughout.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod reports_check;

use chrono::Duration;
use common::*;
use zhanggui_app::after_sales::{AfterSalesError, ApplyInput, DisputeStep, Parcel, Step};
use zhanggui_app::store::after_sales::RefundFilter;
use zhanggui_app::trading::ShipInput;
use zhanggui_app::{App, Lang, UserFacing};
use zhanggui_domain::{
    AlertCode, DisputeOutcome, DisputeStage, Money, Party, RefundKind, RefundStatus, ReturnCheck, Severity, TradeStatus,
};

const TZ: chrono_tz::Tz = chrono_tz::Asia::Shanghai;
const DAY: i64 = 24 * 60;

fn ship_all(tracking: &str) -> ShipInput {
    ShipInput { carrier: "中通快递".into(), tracking_no: tracking.into(), line_ids: None }
}

fn parcel(tracking: &str) -> Parcel {
    Parcel { carrier: "顺丰速运".into(), tracking_no: tracking.into() }
}

fn apply(trade: &str, line: &str, kind: RefundKind, minutes: i64) -> ApplyInput {
    ApplyInput {
        trade: trade.into(),
        line: line.into(),
        kind: Some(kind),
        reason: "尺码偏小，穿着不合适".into(),
        at: at(minutes),
        ..Default::default()
    }
}

async fn step(app: &App, fx: &Fixture, no: &str, s: Step, minutes: i64) -> Result<RefundStatus, AfterSalesError> {
    app.after_sales_step(&fx.actor, no, &s, at(minutes)).await
}

async fn status(app: &App, fx: &Fixture, key: &str) -> RefundStatus {
    app.after_sales_case(&fx.actor, key, at(0)).await.expect("case").view.case.status
}

async fn trade_status(app: &App, fx: &Fixture, id: i64) -> TradeStatus {
    app.trade_detail(&fx.actor, id).await.expect("trade").trade.status
}

/// A paid trade of the given lines, shipped at `ship_at` minutes when given.
async fn paid_trade(app: &App, fx: &Fixture, tid: &str, lines: &[(&str, i64)], ship_at: Option<i64>) -> i64 {
    let id = app.create_trade(&fx.actor, &fx.trade(fx.taobao, tid, "小鱼儿爱吃鱼", lines)).await.expect("create");
    app.pay_trade(&fx.actor, id, at(1)).await.expect("pay");
    if let Some(m) = ship_at {
        app.ship_trade(&fx.actor, id, &ship_all(&format!("7531{tid}")), at(m)).await.expect("ship");
    }
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn return_with_a_damaged_unit_then_the_last_line_closes_the_trade() {
    on_every_backend("after_sales_return", |cx| async move {
        let app = &cx.app;
        let fx = build_shop(app).await;
        let id = paid_trade(app, &fx, "4102938475610001", &[(TEE_BLACK_M, 2), (JEANS_BLUE_27, 1)], Some(60)).await;
        let lines = app.trade_detail(&fx.actor, id).await.expect("detail").lines;
        let before = fx.stock(app, TEE_BLACK_M, "HZ").await;

        let no = app
            .apply_after_sales(&fx.actor, &apply("4102938475610001", TEE_BLACK_M, RefundKind::ReturnAndRefund, 2 * DAY))
            .await
            .expect("apply");
        let case = app.after_sales_case(&fx.actor, &no, at(2 * DAY)).await.expect("case").view;
        assert_eq!(case.case.status, RefundStatus::WaitSellerAgree);
        assert_eq!(case.case.amount, lines[0].amount_paid, "all the line paid, by default");
        assert_eq!(case.case.qty, 2);
        let due = case.due.expect("due");
        assert_eq!((due.party, due.by), (Party::Seller, at(2 * DAY) + Duration::days(15)));
        assert_eq!(case.seconds_left, Some(15 * 24 * 3600));

        assert_eq!(
            step(app, &fx, &no, Step::Agree { note: "请寄回，勿用到付".into(), replacement: None }, 3 * DAY)
                .await
                .unwrap(),
            RefundStatus::WaitBuyerReturnGoods
        );
        assert_eq!(
            step(app, &fx, &no, Step::ReturnShipped { parcel: parcel("SF1402938475") }, 3 * DAY).await.unwrap(),
            RefundStatus::WaitSellerConfirmGoods
        );
        // Nothing enters stock before the goods are received and checked.
        assert_eq!(fx.stock(app, TEE_BLACK_M, "HZ").await, before);
        let check = ReturnCheck { good: 1, damaged: 1 };
        let received =
            Step::ReceiveReturn {
                check, warehouse: String::new(), replacement: None, note: "一件领口开线".into()
            };
        assert_eq!(step(app, &fx, &no, received, 3 * DAY).await.unwrap(), RefundStatus::Success);

        // One good unit back to sell in the shop's warehouse; the damaged one in the defective location.
        assert_eq!(fx.stock(app, TEE_BLACK_M, "HZ").await, (before.0 + 1, before.1, before.2 + 1));
        let defective = fx.stock_lines(app).await;
        let defective: Vec<_> = defective
            .iter()
            .filter(|l| l.sku_id == fx.sku(TEE_BLACK_M).id && l.warehouse_code == "DEFECTIVE")
            .collect();
        assert_eq!(defective.len(), 1);
        assert_eq!(defective[0].on_hand, 1);
        let detail = app.trade_detail(&fx.actor, id).await.expect("detail");
        assert_eq!(detail.lines[0].refund_amount, lines[0].amount_paid);
        assert_eq!(detail.trade.refund_amount, lines[0].amount_paid);
        assert_eq!(detail.trade.status, TradeStatus::WaitBuyerConfirmGoods, "the jeans are not refunded");
        let history = app.after_sales_case(&fx.actor, &no, at(3 * DAY)).await.expect("case");
        let events: Vec<&str> = history.events.iter().map(|e| e.event.as_str()).collect();
        assert_eq!(events, ["apply", "agree", "return_shipped", "receive_return"]);
        assert!(history.view.due.is_none());

        // The weekly report's returns analysis counts the request, its reason, SKU and customer.
        let week = app
            .weekly_report(&fx.actor, None, Some(zhanggui_app::clock::local_day(at(2 * DAY), TZ)), at(9 * DAY))
            .await
            .expect("weekly");
        let r = &week.returns;
        assert_eq!((r.requests, r.units, r.quality_requests), (1, 2, 0));
        assert_eq!(
            (r.by_reason[0].reason.as_str(), r.by_reason[0].returns, r.by_reason[0].quality),
            ("尺码偏小，穿着不合适", 1, false)
        );
        assert_eq!((r.by_sku[0].sku_code.as_str(), r.by_sku[0].units, r.by_sku[0].damaged_units), (TEE_BLACK_M, 2, 1));
        let c = &r.by_customer[0];
        assert_eq!((c.buyer_nick.as_str(), c.trades_shipped, c.trades_returned_or_exchanged), ("小鱼儿爱吃鱼", 1, 1));
        assert_eq!(c.return_ratio, zhanggui_domain::MetricValue::Rate(zhanggui_domain::Ratio::new(1, 1)));
        let tables = zhanggui_app::reports::tables::weekly_tables(&week, Lang::Zh);
        assert!(tables.iter().any(|t| t.title == "退换货原因" && t.rows.len() == 1));

        // The defective unit is never sold: a trade for more than the sellable stock is refused.
        let sellable: i64 = fx.stock(app, TEE_BLACK_M, "HZ").await.2 + fx.stock(app, TEE_BLACK_M, "GZ").await.2;
        let big = app
            .create_trade(&fx.actor, &fx.trade(fx.taobao, "4102938475610009", "大客户", &[(TEE_BLACK_M, sellable + 1)]))
            .await
            .expect("create");
        let err = app.pay_trade(&fx.actor, big, at(5)).await.expect_err("the defective unit is not for sale");
        assert_eq!(err.code(), "out_of_stock");

        // Refunding the jeans too (已发货仅退款) refunds every line: the trade closes.
        let no2 = app
            .apply_after_sales(&fx.actor, &apply("4102938475610001", JEANS_BLUE_27, RefundKind::RefundShipped, 4 * DAY))
            .await
            .expect("apply");
        app.after_sales_step(&fx.actor, &no2, &Step::Agree { note: String::new(), replacement: None }, at(4 * DAY))
            .await
            .expect("agree");
        assert_eq!(status(app, &fx, &no2).await, RefundStatus::Success);
        assert_eq!(trade_status(app, &fx, id).await, TradeStatus::TradeClosed);
        reports_check::assert_summaries_exact(app, fx.company_id, TZ).await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refunds_before_shipping_release_stock_and_are_not_shipped() {
    on_every_backend("after_sales_unshipped", |cx| async move {
        let app = &cx.app;
        let fx = build_shop(app).await;
        let id = paid_trade(app, &fx, "4102938475620001", &[(TEE_WHITE_L, 1), (JEANS_BLUE_27, 1)], None).await;
        assert_eq!(fx.stock(app, TEE_WHITE_L, "HZ").await, (10, 1, 9));
        let no = app
            .apply_after_sales(&fx.actor, &apply("4102938475620001", TEE_WHITE_L, RefundKind::RefundUnshipped, DAY + 5))
            .await
            .expect("apply");
        // Unanswered for more than 48 h, it is a critical alert; a day before, not yet a warning.
        let actor = &fx.actor;
        let alerts = |day| async move {
            let date = zhanggui_app::clock::local_day(at(day), TZ);
            app.alerts_report(actor, None, Some(date), at(9 * DAY)).await.expect("alerts").alerts
        };
        let late = alerts(4 * DAY).await;
        assert!(
            late.iter().any(|a| a.code == AlertCode::RefundDeadline
                && a.severity == Severity::Critical
                && a.subject.contains(&no)),
            "{late:#?}"
        );
        assert!(!alerts(DAY).await.iter().any(|a| a.subject.contains(&no)));
        app.after_sales_step(&fx.actor, &no, &Step::Agree { note: String::new(), replacement: None }, at(DAY + 30))
            .await
            .expect("agree");
        assert_eq!(fx.stock(app, TEE_WHITE_L, "HZ").await, (10, 0, 10), "the reservation is given back");
        assert_eq!(trade_status(app, &fx, id).await, TradeStatus::WaitSellerSendGoods, "the jeans still ship");
        app.ship_trade(&fx.actor, id, &ship_all("75310001"), at(DAY + 60)).await.expect("ship the rest");
        assert_eq!(trade_status(app, &fx, id).await, TradeStatus::WaitBuyerConfirmGoods);
        assert_eq!(fx.stock(app, TEE_WHITE_L, "HZ").await, (10, 0, 10), "the refunded line did not ship");
        let d = app.trade_detail(&fx.actor, id).await.expect("detail");
        assert_eq!(d.lines[0].shipped_at, None);

        // A one-line trade refunded before shipping closes and gives its stock back.
        let one = paid_trade(app, &fx, "4102938475620002", &[(TEE_BLACK_M, 2)], None).await;
        let reserved = fx.stock(app, TEE_BLACK_M, "HZ").await;
        let no = app
            .apply_after_sales(&fx.actor, &apply("4102938475620002", "", RefundKind::RefundUnshipped, DAY + 5))
            .await
            .expect("apply");
        app.after_sales_step(&fx.actor, &no, &Step::Agree { note: String::new(), replacement: None }, at(DAY + 10))
            .await
            .expect("agree");
        assert_eq!(trade_status(app, &fx, one).await, TradeStatus::TradeClosed);
        assert_eq!(fx.stock(app, TEE_BLACK_M, "HZ").await, (reserved.0, reserved.1 - 2, reserved.2 + 2));
        reports_check::assert_summaries_exact(app, fx.company_id, TZ).await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_requests_and_steps_change_nothing() {
    on_every_backend("after_sales_refusals", |cx| async move {
        let app = &cx.app;
        let fx = build_shop(app).await;
        let id = paid_trade(app, &fx, "4102938475630001", &[(TEE_BLACK_M, 1), (TEE_WHITE_L, 1)], Some(60)).await;
        let before = snapshot(app, fx.company_id, &[id]).await;
        let cases = |app: &App| {
            let f = RefundFilter { company_id: fx.company_id, ..Default::default() };
            let app = app.clone();
            async move { app.after_sales_cases(&f, at(0)).await.expect("cases").len() }
        };
        let refused: Vec<(ApplyInput, &str)> = vec![
            (apply("4102938475630001", TEE_BLACK_M, RefundKind::ReturnAndRefund, 60 * 20), "24"),
            (apply("4102938475630001", TEE_BLACK_M, RefundKind::RefundUnshipped, 2 * DAY), "refund after shipping"),
            (apply("4102938475630001", "", RefundKind::ReturnAndRefund, 2 * DAY), "several lines"),
            (apply("4102938475639999", TEE_BLACK_M, RefundKind::ReturnAndRefund, 2 * DAY), "4102938475639999"),
            (
                ApplyInput {
                    amount: Some(Money::from_fen(9_999_900)),
                    ..apply("4102938475630001", TEE_BLACK_M, RefundKind::RefundShipped, 2 * DAY)
                },
                "",
            ),
            (
                ApplyInput {
                    amount: Some(Money::from_fen(100)),
                    ..apply("4102938475630001", TEE_BLACK_M, RefundKind::Exchange, 2 * DAY)
                },
                "",
            ),
            (ApplyInput { qty: Some(2), ..apply("4102938475630001", TEE_BLACK_M, RefundKind::Exchange, 2 * DAY) }, "1"),
        ];
        for (input, says) in refused {
            let err = app.apply_after_sales(&fx.actor, &input).await.expect_err("refused");
            assert!(err.message(Lang::En).contains(says), "{}", err.message(Lang::En));
            assert_ne!(err.message(Lang::Zh), err.message(Lang::En), "said in Chinese too");
        }
        let err = app
            .apply_after_sales(
                &fx.actor,
                &ApplyInput {
                    amount: Some(Money::from_fen(9_999_900)),
                    ..apply("4102938475630001", TEE_BLACK_M, RefundKind::RefundShipped, 2 * DAY)
                },
            )
            .await
            .expect_err("too much");
        assert!(matches!(err, AfterSalesError::Amount(_)));
        assert_eq!(err.code(), "refund_amount");
        assert!(err.message(Lang::Zh).contains("超过"), "{}", err.message(Lang::Zh));
        assert_eq!(snapshot(app, fx.company_id, &[id]).await, before);
        assert_eq!(cases(app).await, 0);

        // One open case per line; steps out of order are refused and change nothing.
        let no = app
            .apply_after_sales(&fx.actor, &apply("4102938475630001", TEE_BLACK_M, RefundKind::ReturnAndRefund, 2 * DAY))
            .await
            .expect("apply");
        let again = app
            .apply_after_sales(&fx.actor, &apply("4102938475630001", TEE_BLACK_M, RefundKind::RefundShipped, 2 * DAY))
            .await
            .expect_err("one open case per line");
        assert!(again.message(Lang::En).contains(&no));
        let before = snapshot(app, fx.company_id, &[id]).await;
        let out_of_order = [
            Step::ReturnShipped { parcel: parcel("SF1") },
            Step::ReceiveReturn {
                check: ReturnCheck { good: 1, damaged: 0 },
                warehouse: String::new(),
                replacement: None,
                note: String::new(),
            },
            Step::Reapply { amount: None, reason: String::new() },
            Step::Refuse { note: String::new() },
        ];
        for step in &out_of_order {
            let err = app.after_sales_step(&fx.actor, &no, step, at(2 * DAY + 5)).await.expect_err("refused");
            assert!(matches!(err.code(), "illegal_transition" | "invalid_input"), "{err:?}");
        }
        assert_eq!(status(app, &fx, &no).await, RefundStatus::WaitSellerAgree);
        let events = app.after_sales_case(&fx.actor, &no, at(0)).await.expect("case").events;
        assert_eq!(events.len(), 1);
        // Receiving more than was sold is refused.
        step(app, &fx, &no, Step::Agree { note: String::new(), replacement: None }, 3 * DAY).await.expect("agree");
        step(app, &fx, &no, Step::ReturnShipped { parcel: parcel("YT88001") }, 3 * DAY).await.expect("returned");
        let too_many = Step::ReceiveReturn {
            check: ReturnCheck { good: 2, damaged: 0 },
            warehouse: String::new(),
            replacement: None,
            note: String::new(),
        };
        let err = step(app, &fx, &no, too_many, 3 * DAY).await.expect_err("more than sold");
        assert!(err.message(Lang::Zh).contains("收到 2 件"), "{}", err.message(Lang::Zh));
        assert_eq!(snapshot(app, fx.company_id, &[id]).await, before);
        step(app, &fx, &no, Step::Cancel { note: "买家撤销".into() }, 3 * DAY).await.expect("cancel");
        assert_eq!(status(app, &fx, &no).await, RefundStatus::Closed);
        assert_eq!(snapshot(app, fx.company_id, &[id]).await, before, "a cancelled case leaves trade and stock alone");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_exchange_ships_its_replacement_when_the_return_arrives() {
    on_every_backend("after_sales_exchange", |cx| async move {
        let app = &cx.app;
        let fx = build_shop(app).await;
        paid_trade(app, &fx, "4102938475640001", &[(TEE_WHITE_L, 1)], Some(60)).await;
        let no = app
            .apply_after_sales(
                &fx.actor,
                &ApplyInput {
                    reason: "领口开线，做工问题".into(),
                    ..apply("4102938475640001", "", RefundKind::Exchange, 2 * DAY)
                },
            )
            .await
            .expect("apply");
        step(app, &fx, &no, Step::Agree { note: String::new(), replacement: None }, 3 * DAY).await.expect("agree");
        step(app, &fx, &no, Step::ReturnShipped { parcel: parcel("SF77001") }, 3 * DAY).await.expect("returned");
        let before = fx.stock(app, TEE_WHITE_L, "HZ").await;
        let check = ReturnCheck { good: 1, damaged: 0 };
        let nothing_sent =
            Step::ReceiveReturn { check, warehouse: String::new(), replacement: None, note: String::new() };
        let err = step(app, &fx, &no, nothing_sent, 3 * DAY).await.expect_err("the replacement parcel is needed");
        assert_eq!(err.code(), "invalid_input");
        assert_eq!(fx.stock(app, TEE_WHITE_L, "HZ").await, before);
        let done = Step::ReceiveReturn {
            check,
            warehouse: "HZ".into(),
            replacement: Some(parcel("SF77002")),
            note: String::new(),
        };
        assert_eq!(step(app, &fx, &no, done, 3 * DAY).await.expect("received"), RefundStatus::Success);
        // One unit back, one unit out: on hand unchanged; two moves on the ledger.
        assert_eq!(fx.stock(app, TEE_WHITE_L, "HZ").await, before);
        let moves = app.stock_show(&fx.actor, TEE_WHITE_L, 10).await.expect("show").moves;
        let kinds: Vec<(String, i64)> = moves.iter().take(2).map(|m| (m.kind.code().to_string(), m.qty)).collect();
        assert!(
            kinds.contains(&("return_receipt".into(), 1)) && kinds.contains(&("sale_shipment".into(), -1)),
            "{kinds:?}"
        );
        let case = app.after_sales_case(&fx.actor, &no, at(0)).await.expect("case").view.case;
        assert_eq!((case.replacement_tracking_no.as_str(), case.received_good), ("SF77002", 1));
        assert_eq!(case.amount, Money::ZERO);

        let week = app
            .weekly_report(&fx.actor, None, Some(zhanggui_app::clock::local_day(at(2 * DAY), TZ)), at(9 * DAY))
            .await
            .expect("weekly");
        assert_eq!((week.returns.quality_requests, week.returns.by_sku[0].quality_requests), (1, 1));
        assert_eq!(week.returns.by_reason[0].exchanges, 1);

        // A reship with no stock to send is refused and changes nothing.
        paid_trade(app, &fx, "4102938475640002", &[(JEANS_BLUE_27, 3)], Some(60)).await;
        let no = app
            .apply_after_sales(&fx.actor, &apply("4102938475640002", "", RefundKind::Reship, 2 * DAY))
            .await
            .expect("apply");
        let err = app
            .after_sales_step(
                &fx.actor,
                &no,
                &Step::Agree { note: String::new(), replacement: Some(parcel("SF9")) },
                at(3 * DAY),
            )
            .await
            .expect_err("no jeans left");
        assert_eq!(err.code(), "out_of_stock");
        assert_eq!(status(app, &fx, &no).await, RefundStatus::WaitSellerAgree);
        reports_check::assert_summaries_exact(app, fx.company_id, TZ).await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disputes_move_through_stages_and_their_ruling_moves_the_case() {
    on_every_backend("after_sales_dispute", |cx| async move {
        let app = &cx.app;
        let fx = build_shop(app).await;
        let id = paid_trade(app, &fx, "4102938475650001", &[(TEE_BLACK_M, 1), (TEE_WHITE_L, 1)], Some(60)).await;
        let no = app
            .apply_after_sales(&fx.actor, &apply("4102938475650001", TEE_BLACK_M, RefundKind::RefundShipped, 2 * DAY))
            .await
            .expect("apply");
        let err = app
            .dispute_step(&fx.actor, &no, &DisputeStep::Open { reason: "买家称未收到货".into() }, at(2 * DAY))
            .await
            .expect_err("only a refused case");
        assert_eq!(err.code(), "invalid_input");
        app.after_sales_step(&fx.actor, &no, &Step::Refuse { note: "物流显示已签收".into() }, at(2 * DAY + 10))
            .await
            .expect("refuse");
        let case = app.after_sales_case(&fx.actor, &no, at(2 * DAY + 10)).await.expect("case").view;
        assert_eq!(case.due.map(|d| d.party), Some(Party::Buyer));
        app.dispute_step(&fx.actor, &no, &DisputeStep::Open { reason: "买家申请平台介入".into() }, at(3 * DAY))
            .await
            .expect("open");
        let note = DisputeStep::Note { note: "上传签收底单截图".into(), stage: Some(DisputeStage::Evidence) };
        app.dispute_step(&fx.actor, &no, &note, at(3 * DAY + 60)).await.expect("evidence");
        let back = DisputeStep::Note { note: String::new(), stage: Some(DisputeStage::Opened) };
        assert!(app.dispute_step(&fx.actor, &no, &back, at(3 * DAY + 70)).await.is_err(), "stages only move forward");
        let case = app.after_sales_case(&fx.actor, &no, at(3 * DAY + 60)).await.expect("case").view;
        let d = case.case.dispute.clone().expect("dispute");
        assert_eq!(d.stage, DisputeStage::Evidence);
        assert!(d.evidence.contains("签收底单"));
        assert_eq!(case.due.map(|d| d.party), Some(Party::Platform));
        let err = app
            .after_sales_step(&fx.actor, &no, &Step::Reapply { amount: None, reason: String::new() }, at(3 * DAY + 61))
            .await
            .expect_err("with the platform");
        assert_eq!(err.code(), "invalid_input");
        let ruling =
            DisputeStep::Decide {
                outcome: DisputeOutcome::Buyer, note: "平台判定退款".into(), replacement: None
            };
        assert_eq!(
            app.dispute_step(&fx.actor, &no, &ruling, at(5 * DAY)).await.expect("ruling"),
            RefundStatus::Success
        );
        let detail = app.trade_detail(&fx.actor, id).await.expect("trade");
        assert_eq!(detail.trade.refund_amount, detail.lines[0].amount_paid);
        let case = app.after_sales_case(&fx.actor, &no, at(5 * DAY)).await.expect("case").view.case;
        assert_eq!(case.dispute.and_then(|d| d.outcome), Some(DisputeOutcome::Buyer));

        // Ruled for the seller: the case closes and no money moves.
        let no = app
            .apply_after_sales(&fx.actor, &apply("4102938475650001", TEE_WHITE_L, RefundKind::RefundShipped, 2 * DAY))
            .await
            .expect("apply");
        app.after_sales_step(&fx.actor, &no, &Step::Refuse { note: "商品无质量问题".into() }, at(2 * DAY + 5))
            .await
            .expect("refuse");
        app.dispute_step(&fx.actor, &no, &DisputeStep::Open { reason: "介入".into() }, at(3 * DAY))
            .await
            .expect("open");
        let ruling = DisputeStep::Decide { outcome: DisputeOutcome::Seller, note: String::new(), replacement: None };
        assert_eq!(app.dispute_step(&fx.actor, &no, &ruling, at(4 * DAY)).await.expect("ruling"), RefundStatus::Closed);
        let detail = app.trade_detail(&fx.actor, id).await.expect("trade");
        assert_eq!(detail.lines[1].refund_amount, Money::ZERO);
        assert_eq!(detail.trade.status, TradeStatus::WaitBuyerConfirmGoods);
        reports_check::assert_summaries_exact(app, fx.company_id, TZ).await;
    })
    .await;
}
