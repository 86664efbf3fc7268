//! The storage and use-case suite: every test runs unchanged on every backend of `common::backends()`
//! (SQLite always, PostgreSQL when DATABASE_URL is set), each on a database of its own. After every test
//! the harness checks that the stock ledger balances (`ledger_mismatches` empty, no orphan moves).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::Duration;
use common::*;
use zhanggui_app::stock::StockError;
use zhanggui_app::store::ledger::StockFilter;
use zhanggui_app::trading::{ShipInput, TradeError};
use zhanggui_app::{App, Lang, UserFacing};
use zhanggui_domain::{Money, MoveKind, TradeEvent, TradeStatus};

/// (tid, lines as (SKU code, quantity), discount, postage).
type AmountCase<'a> = (&'a str, &'a [(&'a str, i64)], &'a str, &'a str);

/// A trade, the status it is in, and the actions refused there with the event each one is.
type Refusals<'a> = (i64, TradeStatus, &'a [(Action, TradeEvent)]);

fn ship_all(carrier: &str, tracking: &str) -> ShipInput {
    ShipInput { carrier: carrier.into(), tracking_no: tracking.into(), line_ids: None }
}

fn ship_lines(carrier: &str, tracking: &str, lines: &[i64]) -> ShipInput {
    ShipInput { carrier: carrier.into(), tracking_no: tracking.into(), line_ids: Some(lines.to_vec()) }
}

/// The error must be an illegal transition from `from` by `event`, with the stable code and a Chinese
/// message naming the current status.
#[track_caller]
fn assert_illegal(result: Result<(), TradeError>, from: TradeStatus, event: TradeEvent) {
    match result {
        Err(TradeError::Illegal(e)) => {
            assert_eq!((e.from, e.event), (from, event), "illegal transition reported");
            let err = TradeError::Illegal(e);
            assert_eq!(err.code(), "illegal_transition");
            assert!(err.message(Lang::Zh).contains(from.label_zh()), "{}", err.message(Lang::Zh));
        }
        other => panic!("expected an illegal {event:?} from {from:?}, got {other:?}"),
    }
}

async fn status(app: &App, fx: &Fixture, trade_id: i64) -> TradeStatus {
    app.trade_detail(&fx.actor, trade_id).await.expect("trade_detail").trade.status
}

async fn open_reservations(app: &App, trade_id: i64) -> Vec<(i64, i64, i64)> {
    let mut tx = app.db.begin_read().await.expect("begin");
    let r = tx.open_reservations(trade_id).await.expect("open_reservations");
    tx.commit().await.expect("commit");
    r.into_iter().map(|r| (r.sku_id, r.warehouse_id, r.qty)).collect()
}

/// The reads a transition sends together (one round trip on SQLite) give what the separate queries
/// give, including for a trade of another company (nothing).
async fn assert_combined_reads_match(app: &App, fx: &Fixture, trade_id: i64) {
    let mut tx = app.db.begin().await.expect("begin");
    let shown = |v: &dyn std::fmt::Debug| format!("{v:?}");
    let to_pay = tx.trade_to_pay(fx.company_id, trade_id).await.expect("to pay");
    let trade_shop = tx.trade_with_shop_for_update(fx.company_id, trade_id).await.expect("trade");
    let lines = tx.lines_to_reserve_with_balances(trade_id).await.expect("lines");
    let (t, shop) = trade_shop.expect("trade exists");
    assert_eq!(shown(&to_pay), shown(&Some((t.clone(), shop, lines))));
    let to_ship = tx.trade_to_ship(fx.company_id, trade_id).await.expect("to ship");
    let (lines, reservations) = tx.lines_with_open_reservations(trade_id).await.expect("lines");
    assert_eq!(shown(&to_ship), shown(&Some((t, lines, reservations))));
    assert!(tx.trade_to_pay(fx.company_id + 1000, trade_id).await.expect("other company").is_none());
    assert!(tx.trade_to_ship(fx.company_id + 1000, trade_id).await.expect("other company").is_none());
    let codes = [TEE_BLACK_M, "NO-SUCH-CODE", JEANS_BLUE_27];
    let (shop, skus) = tx.shop_and_skus(fx.taobao, fx.company_id, &codes).await.expect("shop and skus");
    assert_eq!(shown(&shop), shown(&tx.shop(fx.taobao).await.expect("shop")));
    assert_eq!(shown(&skus), shown(&tx.skus_by_codes(fx.company_id, &codes).await.expect("skus")));
    let (shop, skus) = tx.shop_and_skus(fx.taobao, fx.company_id, &[]).await.expect("no codes");
    assert!(shop.is_some() && skus.is_empty());
    tx.rollback().await.expect("rollback");
}

async fn move_count(app: &App, company_id: i64) -> i64 {
    let mut tx = app.db.begin_read().await.expect("begin");
    let n = tx.count_rows(zhanggui_app::store::catalog::Table::StockMove, company_id).await.expect("count");
    tx.commit().await.expect("commit");
    n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrations_are_idempotent() {
    on_every_backend("migrations_are_idempotent", |cx| async move {
        let fx = build_shop(&cx.app).await;
        let before = snapshot(&cx.app, fx.company_id, &[]).await;
        // Opening the same database again (one after the other, then two at once) migrates nothing and
        // loses nothing.
        let again = App::open(&cx.url).await.expect("second connect");
        let (a, b) = tokio::join!(App::open(&cx.url), App::open(&cx.url));
        let (a, b) = (a.expect("third connect"), b.expect("fourth connect"));
        for app in [&again, &a, &b] {
            app.db.migrate().await.expect("migrate once more");
            assert_eq!(snapshot(app, fx.company_id, &[]).await, before);
            let company = app.company(Some("nuanyang")).await.expect("company").expect("company still there");
            assert_eq!(company.name, "杭州暖阳服饰有限公司");
        }
        // The schema still works after the repeated migrations.
        let input = fx.trade(fx.taobao, "3928475610293847001", "tb_小鹿乱撞", &[(TEE_BLACK_M, 1)]);
        let id = b.create_trade(&fx.actor, &input).await.expect("create after re-migration");
        a.pay_trade(&fx.actor, id, at(2)).await.expect("pay after re-migration");
        assert_eq!(fx.stock(&again, TEE_BLACK_M, "HZ").await, (20, 1, 19));
        for app in [again, a, b] {
            app.db.close().await;
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_pay_ship_confirm_moves_status_money_and_stock() {
    on_every_backend("create_pay_ship_confirm", |cx| async move {
        let app = &cx.app;
        let fx = build_shop(app).await;
        let moves_at_start = move_count(app, fx.company_id).await;
        let mut input =
            fx.trade(fx.taobao, "3928475610293847561", "tb_小鹿乱撞", &[(TEE_BLACK_M, 2), (JEANS_BLUE_27, 1)]);
        input.postage = yuan("8.00");
        input.discount = yuan("10.00"); // 店铺优惠券 满300减10
        let id = app.create_trade(&fx.actor, &input).await.expect("create");

        // Created (收订): money as the platform computes it, nothing reserved.
        let d = app.trade_detail(&fx.actor, id).await.expect("detail");
        assert_eq!(d.trade.status, TradeStatus::WaitBuyerPay);
        assert_eq!(d.trade.tid, "3928475610293847561");
        assert_eq!(d.trade.goods_amount, yuan("317.00"));
        assert_eq!(d.trade.discount, yuan("10.00"));
        assert_eq!(d.trade.postage, yuan("8.00"));
        assert_eq!(d.trade.total_amount, yuan("325.00"));
        assert_eq!(d.trade.amount_paid, d.trade.goods_amount - d.trade.discount + d.trade.postage);
        assert_eq!(d.trade.amount_paid, yuan("315.00"));
        assert_eq!(d.trade.item_count, 3);
        assert_eq!(d.trade.paid_at, None);
        let line_paid: Money = d.lines.iter().map(|l| l.amount_paid).sum();
        assert_eq!(line_paid, d.trade.goods_amount - d.trade.discount, "lines' amount_paid sum to goods − discount");
        for l in &d.lines {
            assert!(l.amount_paid <= l.price * l.qty && !l.amount_paid.is_negative(), "{l:?}");
            assert!(l.sku_id.is_some(), "known SKU matched: {l:?}");
            assert_eq!(l.shipped_at, None);
        }
        assert_eq!(d.lines[0].outer_sku_id, TEE_BLACK_M);
        assert_eq!(d.lines[0].title, fx.sku(TEE_BLACK_M).title);
        assert_eq!(fx.stock(app, TEE_BLACK_M, "HZ").await, (20, 0, 20));
        assert_eq!(fx.stock(app, JEANS_BLUE_27, "HZ").await, (3, 0, 3));
        assert!(open_reservations(app, id).await.is_empty());

        // Paid (付款): reserved in the shop's default warehouse, ship-by 24 h later, no move yet.
        app.pay_trade(&fx.actor, id, at(3)).await.expect("pay");
        let d = app.trade_detail(&fx.actor, id).await.expect("detail");
        assert_eq!(d.trade.status, TradeStatus::WaitSellerSendGoods);
        assert_eq!(d.trade.paid_at, Some(at(3)));
        assert_eq!(d.trade.ship_by_at, Some(at(3) + Duration::hours(24)));
        assert!(!d.trade.oversold);
        assert_eq!(fx.stock(app, TEE_BLACK_M, "HZ").await, (20, 2, 18));
        assert_eq!(fx.stock(app, JEANS_BLUE_27, "HZ").await, (3, 1, 2));
        assert_eq!(fx.stock(app, TEE_BLACK_M, "GZ").await, (5, 0, 5));
        assert_eq!(fx.stock(app, JEANS_BLUE_27, "GZ").await, (2, 0, 2));
        let mut res = open_reservations(app, id).await;
        res.sort();
        let mut want = vec![(fx.sku(TEE_BLACK_M).id, fx.hz, 2), (fx.sku(JEANS_BLUE_27).id, fx.hz, 1)];
        want.sort();
        assert_eq!(res, want);
        assert_eq!(move_count(app, fx.company_id).await, moves_at_start, "paying writes no stock move");

        // Shipped (发货): one sale_shipment per line, reservations consumed.
        app.ship_trade(&fx.actor, id, &ship_all("中通快递", "78451236985214"), at(90)).await.expect("ship");
        let d = app.trade_detail(&fx.actor, id).await.expect("detail");
        assert_eq!(d.trade.status, TradeStatus::WaitBuyerConfirmGoods);
        assert_eq!(d.trade.shipped_at, Some(at(90)));
        assert_eq!(d.trade.carrier, "中通快递");
        assert_eq!(d.trade.tracking_no, "78451236985214");
        assert!(d.lines.iter().all(|l| l.shipped_at == Some(at(90))), "{:?}", d.lines);
        assert_eq!(fx.stock(app, TEE_BLACK_M, "HZ").await, (18, 0, 18));
        assert_eq!(fx.stock(app, JEANS_BLUE_27, "HZ").await, (2, 0, 2));
        assert_eq!(fx.stock(app, TEE_BLACK_M, "GZ").await, (5, 0, 5));
        assert!(open_reservations(app, id).await.is_empty());
        assert_eq!(move_count(app, fx.company_id).await, moves_at_start + 2);
        for (code, qty) in [(TEE_BLACK_M, -2), (JEANS_BLUE_27, -1)] {
            let shown = app.stock_show(&fx.actor, code, 1).await.expect("stock_show");
            let m = &shown.moves[0];
            assert_eq!(m.kind, MoveKind::SaleShipment, "{m:?}");
            assert_eq!((m.qty, m.warehouse_id, m.ref_type.as_str(), m.ref_id), (qty, fx.hz, "trade", Some(id)));
            assert_eq!(m.created_at, at(90));
            assert_eq!(m.user_name, fx.actor.user);
        }

        // Finished (交易成功): no stock effect.
        app.confirm_receipt(&fx.actor, id, at(60 * 24 * 3)).await.expect("confirm");
        let d = app.trade_detail(&fx.actor, id).await.expect("detail");
        assert_eq!(d.trade.status, TradeStatus::TradeFinished);
        assert_eq!(d.trade.finished_at, Some(at(60 * 24 * 3)));
        assert_eq!(fx.stock(app, TEE_BLACK_M, "HZ").await, (18, 0, 18));
        let history: Vec<(&str, &str, &str)> =
            d.events.iter().map(|e| (e.event.as_str(), e.from_status.as_str(), e.to_status.as_str())).collect();
        assert_eq!(
            history,
            vec![
                ("create", "", "WAIT_BUYER_PAY"),
                ("pay", "WAIT_BUYER_PAY", "WAIT_SELLER_SEND_GOODS"),
                ("ship", "WAIT_SELLER_SEND_GOODS", "WAIT_BUYER_CONFIRM_GOODS"),
                ("confirm", "WAIT_BUYER_CONFIRM_GOODS", "TRADE_FINISHED"),
            ]
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn line_amounts_always_add_up_to_goods_less_discount() {
    on_every_backend("line_amounts_add_up", |cx| async move {
        let app = &cx.app;
        let fx = build_shop(app).await;
        // Discounts that do not split evenly over the lines: the parts must still add up to the fen.
        let cases: [AmountCase; 4] = [
            ("3928475610293840001", &[(TEE_BLACK_M, 1), (TEE_WHITE_L, 1), (JEANS_BLUE_27, 1)], "5.00", "0.00"),
            ("3928475610293840002", &[(TEE_BLACK_M, 3), (JEANS_BLUE_27, 1)], "33.33", "12.00"),
            ("3928475610293840003", &[(CUP_PINK_500, 1), (TEE_WHITE_L, 2)], "0.01", "6.00"),
            ("3928475610293840004", &[(JEANS_BLUE_27, 1)], "159.00", "0.00"),
        ];
        for (tid, lines, discount, postage) in cases {
            let mut input = fx.trade(fx.tmall, tid, "江南小雨0817", lines);
            input.discount = yuan(discount);
            input.postage = yuan(postage);
            let id = app.create_trade(&fx.actor, &input).await.expect("create");
            let d = app.trade_detail(&fx.actor, id).await.expect("detail");
            let goods: Money = lines.iter().map(|(c, q)| fx.sku(c).price * *q).sum();
            assert_eq!(d.trade.goods_amount, goods, "{tid}");
            assert_eq!(d.trade.amount_paid, goods - yuan(discount) + yuan(postage), "{tid}");
            let parts: Money = d.lines.iter().map(|l| l.amount_paid).sum();
            assert_eq!(parts, goods - yuan(discount), "{tid}: {:?}", d.lines);
            for l in &d.lines {
                assert!(!l.amount_paid.is_negative() && l.amount_paid <= l.price * l.qty, "{tid}: {l:?}");
            }
        }
        // A discount larger than the goods is refused and creates nothing.
        let before = snapshot(app, fx.company_id, &[]).await;
        let mut input = fx.trade(fx.tmall, "3928475610293840005", "江南小雨0817", &[(TEE_BLACK_M, 1)]);
        input.discount = yuan("80.00");
        let err = app.create_trade(&fx.actor, &input).await.expect_err("discount above goods");
        assert!(matches!(err, TradeError::Invalid { .. }), "{err:?}");
        assert_eq!(snapshot(app, fx.company_id, &[]).await, before);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_before_and_after_payment() {
    on_every_backend("closing", |cx| async move {
        let app = &cx.app;
        let fx = build_shop(app).await;
        let moves_at_start = move_count(app, fx.company_id).await;

        // Cancelled before payment: TRADE_CLOSED_BY_TAOBAO, stock never touched.
        let unpaid = fx.trade(fx.taobao, "3928475610293841001", "tb_小鹿乱撞", &[(TEE_WHITE_L, 2)]);
        let unpaid = app.create_trade(&fx.actor, &unpaid).await.expect("create");
        app.close_trade(&fx.actor, unpaid, "买家不想买了", at(30)).await.expect("close unpaid");
        let d = app.trade_detail(&fx.actor, unpaid).await.expect("detail");
        assert_eq!(d.trade.status, TradeStatus::TradeClosedByTaobao);
        assert_eq!(d.trade.closed_at, Some(at(30)));
        assert_eq!(d.trade.close_reason, "买家不想买了");
        assert_eq!(d.trade.paid_at, None);
        assert_eq!(fx.stock(app, TEE_WHITE_L, "HZ").await, (10, 0, 10));

        // Refunded in full after payment: TRADE_CLOSED, the reservation goes back to available.
        let paid = fx.trade(fx.taobao, "3928475610293841002", "tb_小鹿乱撞", &[(TEE_WHITE_L, 3), (JEANS_BLUE_27, 2)]);
        let paid = app.create_trade(&fx.actor, &paid).await.expect("create");
        app.pay_trade(&fx.actor, paid, at(5)).await.expect("pay");
        assert_eq!(fx.stock(app, TEE_WHITE_L, "HZ").await, (10, 3, 7));
        assert_eq!(fx.stock(app, JEANS_BLUE_27, "HZ").await, (3, 2, 1));
        app.close_trade(&fx.actor, paid, "买家申请全额退款（未发货仅退款）", at(50)).await.expect("close paid");
        let d = app.trade_detail(&fx.actor, paid).await.expect("detail");
        assert_eq!(d.trade.status, TradeStatus::TradeClosed);
        assert_eq!(d.trade.closed_at, Some(at(50)));
        assert_eq!(d.trade.paid_at, Some(at(5)));
        assert_eq!(fx.stock(app, TEE_WHITE_L, "HZ").await, (10, 0, 10));
        assert_eq!(fx.stock(app, JEANS_BLUE_27, "HZ").await, (3, 0, 3));
        assert!(open_reservations(app, paid).await.is_empty());
        assert_eq!(move_count(app, fx.company_id).await, moves_at_start, "closing writes no stock move");

        // The released units can be sold again: the last 3 jeans go to the next buyer.
        let next = fx.trade(fx.taobao, "3928475610293841003", "爱吃草莓的猫", &[(JEANS_BLUE_27, 3)]);
        let next = app.create_trade(&fx.actor, &next).await.expect("create");
        app.pay_trade(&fx.actor, next, at(60)).await.expect("pay with released stock");
        assert_eq!(fx.stock(app, JEANS_BLUE_27, "HZ").await, (3, 3, 0));
    })
    .await;
}

#[derive(Debug, Clone, Copy)]
enum Action {
    Pay,
    ShipAll,
    ShipFirstLine,
    Confirm,
    Close,
}

async fn act(app: &App, fx: &Fixture, id: i64, action: Action) -> Result<(), TradeError> {
    match action {
        Action::Pay => app.pay_trade(&fx.actor, id, at(600)).await,
        Action::ShipAll => app.ship_trade(&fx.actor, id, &ship_all("顺丰速运", "SF1402837465921"), at(600)).await,
        Action::ShipFirstLine => {
            let d = app.trade_detail(&fx.actor, id).await.expect("detail");
            let first = d.lines.iter().find(|l| l.shipped_at.is_none()).expect("an unshipped line").id;
            app.ship_trade(&fx.actor, id, &ship_lines("顺丰速运", "SF1402837465922", &[first]), at(600)).await
        }
        Action::Confirm => app.confirm_receipt(&fx.actor, id, at(600)).await,
        Action::Close => app.close_trade(&fx.actor, id, "测试关闭", at(600)).await,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn illegal_transitions_are_refused_and_change_nothing() {
    on_every_backend("illegal_transitions", |cx| async move {
        let app = &cx.app;
        let fx = build_shop(app).await;
        let two_lines = [(TEE_BLACK_M, 1), (JEANS_BLUE_27, 1)];
        let mut trades = Vec::new();
        let mut n = 0;
        let mut new_trade = |lines: &[(&str, i64)]| {
            n += 1;
            fx.trade(fx.taobao, &format!("39284756102938420{n:02}"), "tb_小鹿乱撞", lines)
        };
        // One trade in every status the use cases can reach; paid ones hold reservations.
        let unpaid = app.create_trade(&fx.actor, &new_trade(&two_lines)).await.expect("create");
        trades.push(unpaid);
        let paid = app.create_trade(&fx.actor, &new_trade(&two_lines)).await.expect("create");
        app.pay_trade(&fx.actor, paid, at(1)).await.expect("pay");
        trades.push(paid);
        let part = app.create_trade(&fx.actor, &new_trade(&two_lines)).await.expect("create");
        app.pay_trade(&fx.actor, part, at(1)).await.expect("pay");
        act(app, &fx, part, Action::ShipFirstLine).await.expect("ship part");
        trades.push(part);
        let shipped = app.create_trade(&fx.actor, &new_trade(&two_lines)).await.expect("create");
        app.pay_trade(&fx.actor, shipped, at(1)).await.expect("pay");
        app.ship_trade(&fx.actor, shipped, &ship_all("韵达快递", "4312876509871"), at(2)).await.expect("ship");
        trades.push(shipped);
        let finished = app.create_trade(&fx.actor, &new_trade(&[(TEE_WHITE_L, 1)])).await.expect("create");
        app.pay_trade(&fx.actor, finished, at(1)).await.expect("pay");
        app.ship_trade(&fx.actor, finished, &ship_all("韵达快递", "4312876509872"), at(2)).await.expect("ship");
        app.confirm_receipt(&fx.actor, finished, at(3)).await.expect("confirm");
        trades.push(finished);
        let refunded = app.create_trade(&fx.actor, &new_trade(&two_lines)).await.expect("create");
        app.pay_trade(&fx.actor, refunded, at(1)).await.expect("pay");
        app.close_trade(&fx.actor, refunded, "全额退款", at(2)).await.expect("close");
        trades.push(refunded);
        let cancelled = app.create_trade(&fx.actor, &new_trade(&two_lines)).await.expect("create");
        app.close_trade(&fx.actor, cancelled, "超时未付款", at(2)).await.expect("close");
        trades.push(cancelled);

        use Action as A;
        use TradeEvent as E;
        use TradeStatus as S;
        let refusals: [Refusals; 7] = [
            (
                unpaid,
                S::WaitBuyerPay,
                &[(A::ShipAll, E::ShipAll), (A::ShipFirstLine, E::ShipPart), (A::Confirm, E::ConfirmReceipt)],
            ),
            (paid, S::WaitSellerSendGoods, &[(A::Pay, E::Pay), (A::Confirm, E::ConfirmReceipt)]),
            (part, S::SellerConsignedPart, &[(A::Pay, E::Pay), (A::Confirm, E::ConfirmReceipt)]),
            (shipped, S::WaitBuyerConfirmGoods, &[(A::Pay, E::Pay), (A::ShipAll, E::ShipAll)]),
            (
                finished,
                S::TradeFinished,
                &[(A::Pay, E::Pay), (A::ShipAll, E::ShipAll), (A::Confirm, E::ConfirmReceipt), (A::Close, E::Close)],
            ),
            (
                refunded,
                S::TradeClosed,
                &[
                    (A::Pay, E::Pay),
                    (A::ShipAll, E::ShipAll),
                    (A::ShipFirstLine, E::ShipPart),
                    (A::Confirm, E::ConfirmReceipt),
                    (A::Close, E::Close),
                ],
            ),
            (
                cancelled,
                S::TradeClosedByTaobao,
                &[
                    (A::Pay, E::Pay),
                    (A::ShipAll, E::ShipAll),
                    (A::ShipFirstLine, E::ShipPart),
                    (A::Confirm, E::ConfirmReceipt),
                    (A::Close, E::Close),
                ],
            ),
        ];
        let mut tried = 0;
        for (id, from, actions) in refusals {
            assert_eq!(status(app, &fx, id).await, from, "setup of trade {id}");
            for (action, event) in actions {
                let before = snapshot(app, fx.company_id, &trades).await;
                assert_illegal(act(app, &fx, id, *action).await, from, *event);
                assert_eq!(
                    snapshot(app, fx.company_id, &trades).await,
                    before,
                    "{action:?} on {from:?} changed something"
                );
                tried += 1;
            }
        }
        assert_eq!(tried, 23);
        // The open trades still hold exactly their reservations.
        assert_eq!(fx.stock(app, TEE_BLACK_M, "HZ").await, (18, 1, 17));
        assert_eq!(fx.stock(app, JEANS_BLUE_27, "HZ").await, (2, 2, 0));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partial_shipping_then_the_rest() {
    on_every_backend("partial_shipping", |cx| async move {
        let app = &cx.app;
        let fx = build_shop(app).await;
        let input = fx.trade(fx.taobao, "3928475610293843001", "爱吃草莓的猫", &[(TEE_BLACK_M, 1), (JEANS_BLUE_27, 2)]);
        let id = app.create_trade(&fx.actor, &input).await.expect("create");
        app.pay_trade(&fx.actor, id, at(1)).await.expect("pay");
        let lines = app.trade_detail(&fx.actor, id).await.expect("detail").lines;
        let tee_line = lines[0].id;
        assert_eq!(lines[1].outer_sku_id, JEANS_BLUE_27);

        // The T-shirt leaves first (the jeans wait for a restock in the real world).
        app.ship_trade(&fx.actor, id, &ship_lines("圆通速递", "YT7512398746512", &[tee_line]), at(30))
            .await
            .expect("ship part");
        let d = app.trade_detail(&fx.actor, id).await.expect("detail");
        assert_eq!(d.trade.status, TradeStatus::SellerConsignedPart);
        assert_eq!(d.lines[0].shipped_at, Some(at(30)));
        assert_eq!(d.lines[1].shipped_at, None);
        assert_eq!(fx.stock(app, TEE_BLACK_M, "HZ").await, (19, 0, 19));
        assert_eq!(fx.stock(app, JEANS_BLUE_27, "HZ").await, (3, 2, 1));
        assert_eq!(open_reservations(app, id).await, vec![(fx.sku(JEANS_BLUE_27).id, fx.hz, 2)]);
        assert_combined_reads_match(app, &fx, id).await;

        // Shipping the shipped line again is refused and changes nothing.
        let before = snapshot(app, fx.company_id, &[id]).await;
        let err = app
            .ship_trade(&fx.actor, id, &ship_lines("圆通速递", "YT7512398746513", &[tee_line]), at(40))
            .await
            .expect_err("line already shipped");
        assert!(matches!(err, TradeError::Invalid { .. } | TradeError::Illegal(_)), "{err:?}");
        assert_eq!(snapshot(app, fx.company_id, &[id]).await, before);

        // Then the rest.
        app.ship_trade(&fx.actor, id, &ship_all("圆通速递", "YT7512398746514"), at(60 * 26)).await.expect("ship rest");
        let d = app.trade_detail(&fx.actor, id).await.expect("detail");
        assert_eq!(d.trade.status, TradeStatus::WaitBuyerConfirmGoods);
        assert_eq!(d.lines[0].shipped_at, Some(at(30)), "the first line keeps its own shipping time");
        assert_eq!(d.lines[1].shipped_at, Some(at(60 * 26)));
        assert_eq!(fx.stock(app, JEANS_BLUE_27, "HZ").await, (1, 0, 1));
        assert!(open_reservations(app, id).await.is_empty());
        let shown = app.stock_show(&fx.actor, JEANS_BLUE_27, 1).await.expect("show");
        assert_eq!((shown.moves[0].kind, shown.moves[0].qty), (MoveKind::SaleShipment, -2));

        // Naming every remaining line explicitly is a full shipment too.
        let input = fx.trade(fx.taobao, "3928475610293843002", "爱吃草莓的猫", &[(TEE_BLACK_M, 1), (TEE_WHITE_L, 1)]);
        let id2 = app.create_trade(&fx.actor, &input).await.expect("create");
        app.pay_trade(&fx.actor, id2, at(1)).await.expect("pay");
        let ids: Vec<i64> =
            app.trade_detail(&fx.actor, id2).await.expect("detail").lines.iter().map(|l| l.id).collect();
        app.ship_trade(&fx.actor, id2, &ship_lines("圆通速递", "YT7512398746515", &ids), at(20)).await.expect("ship");
        assert_eq!(status(app, &fx, id2).await, TradeStatus::WaitBuyerConfirmGoods);
    })
    .await;
}

/// A big 618 basket: many lines, the same SKU on several of them, an unknown code among them. Every
/// line is reserved, shipped and moved exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_big_basket_of_many_lines() {
    on_every_backend("big_basket", |cx| async move {
        let app = &cx.app;
        let fx = build_shop(app).await;
        app.receive_stock(&fx.actor, TEE_WHITE_L, Some("GZ"), 30, yuan("32.50"), at(-5)).await.expect("receive");
        let mut lines: Vec<(&str, i64)> = Vec::new();
        for i in 0..24 {
            lines.push(match i % 4 {
                0 => (TEE_BLACK_M, 1),
                1 => (TEE_WHITE_L, 2),
                2 => (JEANS_BLUE_27, if i < 12 { 1 } else { 0 }),
                _ => ("ZP2406-KEYCHAIN", 1),
            });
        }
        lines.retain(|l| l.1 > 0);
        let mut input = fx.trade(fx.taobao, "3928475610293852001", "星河滚烫ya", &lines);
        input.discount = yuan("66.60");
        input.postage = yuan("0.00");
        input.buyer_message = "618囤货，麻烦分开包装；$1 ; DROP TABLE trade; --".into();
        let id = app.create_trade(&fx.actor, &input).await.expect("create");
        let d = app.trade_detail(&fx.actor, id).await.expect("detail");
        assert_eq!(d.lines.len(), lines.len());
        assert_eq!(d.trade.buyer_message, input.buyer_message);
        assert_eq!(d.trade.item_count, lines.iter().map(|l| l.1).sum::<i64>());
        let parts: Money = d.lines.iter().map(|l| l.amount_paid).sum();
        assert_eq!(parts, d.trade.goods_amount - yuan("66.60"));

        app.pay_trade(&fx.actor, id, at(2)).await.expect("pay");
        let reserved: i64 = open_reservations(app, id).await.iter().map(|r| r.2).sum();
        assert_eq!(reserved, 6 + 12 + 3, "6 black tees, 12 white tees, 3 jeans");
        let tee_w = fx.stock(app, TEE_WHITE_L, "HZ").await.1 + fx.stock(app, TEE_WHITE_L, "GZ").await.1;
        assert_eq!(tee_w, 12);

        // Ship half the lines, then the rest.
        let first: Vec<i64> = d.lines.iter().take(9).map(|l| l.id).collect();
        app.ship_trade(&fx.actor, id, &ship_lines("顺丰速运", "SF1402837465001", &first), at(30)).await.expect("part");
        assert_eq!(status(app, &fx, id).await, TradeStatus::SellerConsignedPart);
        app.ship_trade(&fx.actor, id, &ship_all("顺丰速运", "SF1402837465002"), at(90)).await.expect("rest");
        assert_eq!(status(app, &fx, id).await, TradeStatus::WaitBuyerConfirmGoods);
        assert_eq!(fx.stock(app, TEE_BLACK_M, "HZ").await, (14, 0, 14));
        let w = (fx.stock(app, TEE_WHITE_L, "HZ").await, fx.stock(app, TEE_WHITE_L, "GZ").await);
        assert_eq!((w.0.0 + w.1.0, w.0.1 + w.1.1), (40 - 12, 0));
        assert_eq!(fx.stock(app, JEANS_BLUE_27, "HZ").await, (0, 0, 0));
        let shipped: i64 = app
            .stock_show(&fx.actor, TEE_WHITE_L, 100)
            .await
            .expect("show")
            .moves
            .iter()
            .filter(|m| m.kind == MoveKind::SaleShipment && m.ref_id == Some(id))
            .map(|m| m.qty)
            .sum();
        assert_eq!(shipped, -12);
    })
    .await;
}

/// A line named twice in one shipment (`zhanggui orders ship --lines 7,7`) ships once, and is not
/// mistaken for a conflict with a concurrent writer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_line_named_twice_ships_once() {
    on_every_backend("line_named_twice", |cx| async move {
        let app = &cx.app;
        let fx = build_shop(app).await;
        let input = fx.trade(fx.taobao, "3928475610293843101", "爱吃草莓的猫", &[(TEE_BLACK_M, 1), (JEANS_BLUE_27, 1)]);
        let id = app.create_trade(&fx.actor, &input).await.expect("create");
        app.pay_trade(&fx.actor, id, at(1)).await.expect("pay");
        let tee_line = app.trade_detail(&fx.actor, id).await.expect("detail").lines[0].id;
        let before = snapshot(app, fx.company_id, &[id]).await;
        let r = app
            .ship_trade(&fx.actor, id, &ship_lines("圆通速递", "YT7512398746601", &[tee_line, tee_line]), at(30))
            .await;
        match r {
            Ok(()) => {
                assert_eq!(status(app, &fx, id).await, TradeStatus::SellerConsignedPart);
                assert_eq!(fx.stock(app, TEE_BLACK_M, "HZ").await, (19, 0, 19), "shipped once");
            }
            Err(TradeError::Invalid { .. }) => assert_eq!(snapshot(app, fx.company_id, &[id]).await, before),
            Err(other) => panic!("naming a line twice must ship it once or be refused as invalid, got {other:?}"),
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn out_of_stock_on_pay_changes_nothing() {
    on_every_backend("out_of_stock_on_pay", |cx| async move {
        let app = &cx.app;
        let fx = build_shop(app).await;
        // The cup has no stock at all; the T-shirt line could be reserved but must not be.
        let input = fx.trade(fx.taobao, "3928475610293844001", "tb_小鹿乱撞", &[(TEE_BLACK_M, 1), (CUP_PINK_500, 1)]);
        let id = app.create_trade(&fx.actor, &input).await.expect("create");
        let before = snapshot(app, fx.company_id, &[id]).await;
        let err = app.pay_trade(&fx.actor, id, at(2)).await.expect_err("no cups");
        match &err {
            TradeError::OutOfStock { sku, wanted, available } => {
                assert_eq!((sku.as_str(), *wanted, *available), (CUP_PINK_500, 1, 0));
            }
            other => panic!("expected OutOfStock, got {other:?}"),
        }
        assert_eq!(err.code(), "out_of_stock");
        assert!(err.message(Lang::Zh).contains("库存不足"), "{}", err.message(Lang::Zh));
        assert_eq!(snapshot(app, fx.company_id, &[id]).await, before);
        let d = app.trade_detail(&fx.actor, id).await.expect("detail");
        assert_eq!(d.trade.status, TradeStatus::WaitBuyerPay);
        assert_eq!(d.trade.paid_at, None);
        assert!(open_reservations(app, id).await.is_empty());
        assert_eq!(fx.stock(app, TEE_BLACK_M, "HZ").await, (20, 0, 20));
        // The customer was not counted as paying.
        let mut tx = app.db.begin_read().await.expect("begin");
        let c = tx.customer(d.trade.customer_id.expect("customer")).await.expect("customer").expect("row");
        tx.commit().await.expect("commit");
        assert_eq!((c.paid_trades, c.spend), (0, Money::ZERO));

        // More than any warehouse has of the jeans (HZ 3, GZ 2): refused too.
        let input = fx.trade(fx.taobao, "3928475610293844002", "tb_小鹿乱撞", &[(JEANS_BLUE_27, 6)]);
        let id2 = app.create_trade(&fx.actor, &input).await.expect("create");
        let before = snapshot(app, fx.company_id, &[id, id2]).await;
        let err = app.pay_trade(&fx.actor, id2, at(3)).await.expect_err("not enough jeans");
        assert!(matches!(err, TradeError::OutOfStock { wanted: 6, .. }), "{err:?}");
        assert_eq!(snapshot(app, fx.company_id, &[id, id2]).await, before);

        // After a receipt the same trade pays.
        app.receive_stock(&fx.actor, CUP_PINK_500, Some("HZ"), 12, yuan("35.00"), at(10)).await.expect("receive");
        app.pay_trade(&fx.actor, id, at(11)).await.expect("pay after restock");
        assert_eq!(fx.stock(app, CUP_PINK_500, "HZ").await, (12, 1, 11));
        assert_eq!(fx.stock(app, TEE_BLACK_M, "HZ").await, (20, 1, 19));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversell_shop_pays_beyond_stock_and_flags_the_trade() {
    on_every_backend("oversell", |cx| async move {
        let app = &cx.app;
        let fx = build_shop(app).await;
        let rules = zhanggui_app::setup::StockRules { allow_oversell: true, ..Default::default() };
        app.set_stock_rules(fx.taobao, rules).await.expect("rules");

        // Enough stock: an ordinary sale, not flagged.
        let ok = fx.trade(fx.taobao, "3928475610293845001", "tb_小鹿乱撞", &[(JEANS_BLUE_27, 1)]);
        let ok = app.create_trade(&fx.actor, &ok).await.expect("create");
        app.pay_trade(&fx.actor, ok, at(1)).await.expect("pay");
        assert!(!app.trade_detail(&fx.actor, ok).await.expect("detail").trade.oversold);

        // Beyond stock (HZ has 2 left, GZ 2): accepted and flagged 超卖.
        let over = fx.trade(fx.taobao, "3928475610293845002", "爱吃草莓的猫", &[(JEANS_BLUE_27, 4)]);
        let over = app.create_trade(&fx.actor, &over).await.expect("create");
        app.pay_trade(&fx.actor, over, at(2)).await.expect("oversold pay");
        let d = app.trade_detail(&fx.actor, over).await.expect("detail");
        assert_eq!(d.trade.status, TradeStatus::WaitSellerSendGoods);
        assert!(d.trade.oversold, "trade flagged oversold");
        let hz = fx.stock(app, JEANS_BLUE_27, "HZ").await;
        let gz = fx.stock(app, JEANS_BLUE_27, "GZ").await;
        assert_eq!(hz.0 + gz.0, 5, "on_hand untouched by paying");
        assert_eq!(hz.1 + gz.1, 5, "both trades reserved");
        assert_eq!(hz.2 + gz.2, 0);
        assert!(hz.2 < 0 || gz.2 < 0, "one warehouse is oversold: {hz:?} {gz:?}");

        // A shop that does not allow overselling shares the warehouses and is refused.
        let strict = fx.trade(fx.tmall, "3928475610293845003", "江南小雨0817", &[(JEANS_BLUE_27, 3)]);
        let strict = app.create_trade(&fx.actor, &strict).await.expect("create");
        let before = snapshot(app, fx.company_id, &[ok, over, strict]).await;
        let err = app.pay_trade(&fx.actor, strict, at(3)).await.expect_err("strict shop refuses");
        assert!(matches!(err, TradeError::OutOfStock { .. }), "{err:?}");
        assert_eq!(snapshot(app, fx.company_id, &[ok, over, strict]).await, before);

        // Closing the oversold trade gives the units back.
        app.close_trade(&fx.actor, over, "缺货，与买家协商退款", at(20)).await.expect("close");
        let hz = fx.stock(app, JEANS_BLUE_27, "HZ").await;
        let gz = fx.stock(app, JEANS_BLUE_27, "GZ").await;
        assert_eq!((hz.1 + gz.1, hz.2 + gz.2), (1, 4));
        assert!(hz.2 >= 0 && gz.2 >= 0);
    })
    .await;
}

/// A positive stock adjustment (盘盈) is accepted while the warehouse is oversold: goods that are
/// physically there can always be recorded; only moves that take stock away are guarded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn positive_adjustment_is_accepted_while_oversold() {
    on_every_backend("positive_adjustment_while_oversold", |cx| async move {
        let app = &cx.app;
        let fx = build_shop(app).await;
        let rules = zhanggui_app::setup::StockRules { allow_oversell: true, ..Default::default() };
        app.set_stock_rules(fx.taobao, rules).await.expect("rules");
        let over = fx.trade(fx.taobao, "3928475610293845101", "爱吃草莓的猫", &[(CUP_PINK_500, 3)]);
        let over = app.create_trade(&fx.actor, &over).await.expect("create");
        app.pay_trade(&fx.actor, over, at(1)).await.expect("oversold pay");
        assert_eq!(fx.stock(app, CUP_PINK_500, "HZ").await, (0, 3, -3));
        // The stocktake finds 2 cups on a shelf: available goes from −3 to −1, closer to the truth.
        let result = app.adjust_stock(&fx.actor, CUP_PINK_500, Some("HZ"), 2, "盘点盘盈：货架发现2个", at(5)).await;
        assert!(result.is_ok(), "adding found stock must be accepted, got {result:?}");
        assert_eq!(fx.stock(app, CUP_PINK_500, "HZ").await, (2, 3, -1));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reserve_unpaid_shop_reserves_at_creation_and_releases_on_close() {
    on_every_backend("reserve_unpaid", |cx| async move {
        let app = &cx.app;
        let fx = build_shop(app).await;
        let rules = zhanggui_app::setup::StockRules { reserve_unpaid: true, ..Default::default() };
        app.set_stock_rules(fx.taobao, rules).await.expect("rules");

        let a = fx.trade(fx.taobao, "3928475610293846001", "tb_小鹿乱撞", &[(TEE_WHITE_L, 2)]);
        let a = app.create_trade(&fx.actor, &a).await.expect("create");
        assert_eq!(status(app, &fx, a).await, TradeStatus::WaitBuyerPay);
        assert_eq!(fx.stock(app, TEE_WHITE_L, "HZ").await, (10, 2, 8), "reserved at creation");
        assert_eq!(open_reservations(app, a).await, vec![(fx.sku(TEE_WHITE_L).id, fx.hz, 2)]);

        // Paying does not reserve a second time.
        app.pay_trade(&fx.actor, a, at(4)).await.expect("pay");
        assert_eq!(fx.stock(app, TEE_WHITE_L, "HZ").await, (10, 2, 8));
        assert_eq!(open_reservations(app, a).await.len(), 1);

        // An unpaid trade that is cancelled releases its units.
        let b = fx.trade(fx.taobao, "3928475610293846002", "爱吃草莓的猫", &[(TEE_WHITE_L, 5)]);
        let b = app.create_trade(&fx.actor, &b).await.expect("create");
        assert_eq!(fx.stock(app, TEE_WHITE_L, "HZ").await, (10, 7, 3));
        app.close_trade(&fx.actor, b, "买家超时未付款", at(30)).await.expect("close");
        assert_eq!(status(app, &fx, b).await, TradeStatus::TradeClosedByTaobao);
        assert_eq!(fx.stock(app, TEE_WHITE_L, "HZ").await, (10, 2, 8));
        assert!(open_reservations(app, b).await.is_empty());

        // Shipping the paid one consumes the reservation made at creation.
        app.ship_trade(&fx.actor, a, &ship_all("申通快递", "773201948576123"), at(60)).await.expect("ship");
        assert_eq!(fx.stock(app, TEE_WHITE_L, "HZ").await, (8, 0, 8));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trades_paid_before_inventory_start_do_not_touch_stock() {
    on_every_backend("inventory_start", |cx| async move {
        let app = &cx.app;
        let fx = build_shop(app).await;
        let start = t0() + Duration::days(30);
        let rules = zhanggui_app::setup::StockRules { inventory_start_at: Some(start), ..Default::default() };
        app.set_stock_rules(fx.taobao, rules).await.expect("rules");
        let before_stock = fx.stock_lines(app).await;
        let moves = move_count(app, fx.company_id).await;

        // Even a SKU without stock pays: these goods left before zhanggui kept the stock.
        let input = fx.trade(fx.taobao, "3928475610293847001", "tb_小鹿乱撞", &[(TEE_BLACK_M, 2), (CUP_PINK_500, 1)]);
        let id = app.create_trade(&fx.actor, &input).await.expect("create");
        app.pay_trade(&fx.actor, id, at(5)).await.expect("pay");
        let d = app.trade_detail(&fx.actor, id).await.expect("detail");
        assert_eq!(d.trade.status, TradeStatus::WaitSellerSendGoods);
        assert!(!d.trade.oversold);
        assert!(open_reservations(app, id).await.is_empty());
        assert_eq!(format!("{:?}", fx.stock_lines(app).await), format!("{before_stock:?}"));
        app.ship_trade(&fx.actor, id, &ship_all("中通快递", "78451236985299"), at(50)).await.expect("ship");
        assert_eq!(status(app, &fx, id).await, TradeStatus::WaitBuyerConfirmGoods);
        assert_eq!(format!("{:?}", fx.stock_lines(app).await), format!("{before_stock:?}"));
        assert_eq!(move_count(app, fx.company_id).await, moves);

        // The Tmall shop has no start date: its trades do reserve.
        let input = fx.trade(fx.tmall, "3928475610293847002", "tb_小鹿乱撞", &[(TEE_BLACK_M, 2)]);
        let id = app.create_trade(&fx.actor, &input).await.expect("create");
        app.pay_trade(&fx.actor, id, at(5)).await.expect("pay");
        assert_eq!(fx.stock(app, TEE_BLACK_M, "HZ").await, (20, 2, 18));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicate_tid_in_the_same_shop_is_refused() {
    on_every_backend("duplicate_tid", |cx| async move {
        let app = &cx.app;
        let fx = build_shop(app).await;
        let tid = "3928475610293848001";
        let first = app
            .create_trade(&fx.actor, &fx.trade(fx.taobao, tid, "tb_小鹿乱撞", &[(TEE_BLACK_M, 1)]))
            .await
            .expect("create");
        app.pay_trade(&fx.actor, first, at(1)).await.expect("pay");
        let before = snapshot(app, fx.company_id, &[first]).await;
        for again in [tid.to_string(), format!(" {tid} ")] {
            let input = fx.trade(fx.taobao, &again, "爱吃草莓的猫", &[(TEE_WHITE_L, 3)]);
            let err = app.create_trade(&fx.actor, &input).await.expect_err("duplicate");
            assert!(matches!(&err, TradeError::Duplicate { tid: t } if t == tid), "{err:?}");
            assert_eq!(err.code(), "duplicate");
            assert!(err.message(Lang::Zh).contains("已存在"), "{}", err.message(Lang::Zh));
            assert_eq!(snapshot(app, fx.company_id, &[first]).await, before);
        }
        // The same number in another shop is another trade.
        let other = app
            .create_trade(&fx.actor, &fx.trade(fx.tmall, tid, "爱吃草莓的猫", &[(TEE_WHITE_L, 1)]))
            .await
            .expect("same tid in the Tmall shop");
        assert_ne!(other, first);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_customer_across_taobao_and_tmall() {
    on_every_backend("customers", |cx| async move {
        let app = &cx.app;
        let fx = build_shop(app).await;
        let nick = "江南小雨0817";
        let mut a = fx.trade(fx.taobao, "3928475610293849001", nick, &[(TEE_BLACK_M, 2)]);
        a.receiver_address = "浙江省 杭州市 西湖区 文三路478号".into();
        a.postage = yuan("6.00");
        a.discount = yuan("5.00");
        let a = app.create_trade(&fx.actor, &a).await.expect("create");
        let mut b = fx.trade(fx.tmall, "2718093846157200451", nick, &[(JEANS_BLUE_27, 1)]);
        b.receiver_address = "浙江省 杭州市 西湖区 文三路478号".into();
        let b = app.create_trade(&fx.actor, &b).await.expect("create");
        // A third trade of the same buyer is cancelled unpaid: it is not a purchase.
        let c = app
            .create_trade(&fx.actor, &fx.trade(fx.tmall, "2718093846157200452", nick, &[(TEE_WHITE_L, 1)]))
            .await
            .expect("create");
        app.close_trade(&fx.actor, c, "超时未付款", at(60)).await.expect("close");
        // Another buyer is another customer.
        let d = app
            .create_trade(&fx.actor, &fx.trade(fx.taobao, "3928475610293849002", "爱吃草莓的猫", &[(TEE_WHITE_L, 1)]))
            .await
            .expect("create");
        app.pay_trade(&fx.actor, d, at(7)).await.expect("pay");

        // Paid out of order: the Tmall trade (later payment) is recorded first.
        let late = at(60 * 24 * 2);
        let early = at(10);
        app.pay_trade(&fx.actor, b, late).await.expect("pay tmall");
        app.pay_trade(&fx.actor, a, early).await.expect("pay taobao");

        let ta = app.trade_detail(&fx.actor, a).await.expect("detail").trade;
        let tb = app.trade_detail(&fx.actor, b).await.expect("detail").trade;
        let td = app.trade_detail(&fx.actor, d).await.expect("detail").trade;
        assert_eq!((ta.province.as_str(), ta.city.as_str(), ta.district.as_str()), ("浙江省", "杭州市", "西湖区"));
        let id = ta.customer_id.expect("customer of the Taobao trade");
        assert_eq!(tb.customer_id, Some(id), "Taobao and Tmall buyers share one account");
        assert_ne!(td.customer_id, Some(id));
        let mut tx = app.db.begin_read().await.expect("begin");
        let cust = tx.customer(id).await.expect("customer").expect("row");
        tx.commit().await.expect("commit");
        assert_eq!(cust.nick, nick);
        assert_eq!(cust.paid_trades, 2);
        assert_eq!(cust.spend, ta.amount_paid + tb.amount_paid);
        assert_eq!(cust.spend, yuan("158.00") - yuan("5.00") + yuan("6.00") + yuan("159.00"));
        assert_eq!(cust.first_paid_at, Some(early));
        assert_eq!(cust.last_paid_at, Some(late));
        assert_eq!(
            (cust.province.as_str(), cust.city.as_str(), cust.district.as_str()),
            ("浙江省", "杭州市", "西湖区")
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_sku_lines_are_kept_and_do_not_touch_stock() {
    on_every_backend("unknown_sku", |cx| async move {
        let app = &cx.app;
        let fx = build_shop(app).await;
        let mut input =
            fx.trade(fx.taobao, "3928475610293850001", "tb_小鹿乱撞", &[(TEE_BLACK_M, 1), ("BG2406-RED", 1)]);
        input.lines[1].title = "真皮斜挎包女 小方包 2024新款".into();
        input.lines[1].properties = "颜色分类:酒红色".into();
        input.lines[1].price = yuan("199.00");
        let id = app.create_trade(&fx.actor, &input).await.expect("create");
        let d = app.trade_detail(&fx.actor, id).await.expect("detail");
        let bag = &d.lines[1];
        assert_eq!(bag.sku_id, None, "unmatched line (未匹配商品)");
        assert_eq!(bag.outer_sku_id, "BG2406-RED");
        assert_eq!(bag.title, "真皮斜挎包女 小方包 2024新款");
        assert_eq!(bag.price, yuan("199.00"));
        assert_eq!(d.trade.goods_amount, yuan("278.00"));

        let stock_before = fx.stock_lines(app).await;
        app.pay_trade(&fx.actor, id, at(2)).await.expect("pay");
        assert_eq!(open_reservations(app, id).await, vec![(fx.sku(TEE_BLACK_M).id, fx.hz, 1)]);
        app.ship_trade(&fx.actor, id, &ship_all("京东快递", "JDVC21874563102"), at(40)).await.expect("ship");
        assert_eq!(status(app, &fx, id).await, TradeStatus::WaitBuyerConfirmGoods);
        let stock_after = fx.stock_lines(app).await;
        assert_eq!(stock_after.len(), stock_before.len(), "no stock line for an unknown SKU");
        for (b, a) in stock_before.iter().zip(&stock_after) {
            let expected =
                if b.sku_id == fx.sku(TEE_BLACK_M).id && b.warehouse_id == fx.hz { b.on_hand - 1 } else { b.on_hand };
            assert_eq!((a.sku_id, a.on_hand, a.reserved), (b.sku_id, expected, 0), "{a:?}");
        }

        // A trade of unknown goods only pays and ships without any stock effect.
        let input = fx.trade(fx.taobao, "3928475610293850002", "tb_小鹿乱撞", &[("GIFT-KEYCHAIN", 2)]);
        let only = app.create_trade(&fx.actor, &input).await.expect("create");
        let before = fx.stock_lines(app).await;
        let moves = move_count(app, fx.company_id).await;
        app.pay_trade(&fx.actor, only, at(3)).await.expect("pay");
        app.ship_trade(&fx.actor, only, &ship_all("京东快递", "JDVC21874563103"), at(41)).await.expect("ship");
        assert_eq!(format!("{:?}", fx.stock_lines(app).await), format!("{before:?}"));
        assert_eq!(move_count(app, fx.company_id).await, moves);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stock_adjust_transfer_and_refusals() {
    on_every_backend("stock_adjust_transfer", |cx| async move {
        let app = &cx.app;
        let fx = build_shop(app).await;

        // Adjustment with a reason (库存调整).
        let available =
            app.adjust_stock(&fx.actor, TEE_BLACK_M, Some("HZ"), -2, "盘点盘亏：破损2件", at(1)).await.expect("adjust");
        assert_eq!(available, 18);
        assert_eq!(fx.stock(app, TEE_BLACK_M, "HZ").await, (18, 0, 18));
        let m = &app.stock_show(&fx.actor, TEE_BLACK_M, 1).await.expect("show").moves[0];
        assert_eq!(
            (m.kind, m.qty, m.warehouse_id, m.note.as_str()),
            (MoveKind::Adjustment, -2, fx.hz, "盘点盘亏：破损2件")
        );
        assert_eq!(m.user_name, fx.actor.user);
        app.adjust_stock(&fx.actor, TEE_WHITE_L, Some("GZ"), 4, "盘点盘盈", at(2)).await.expect("adjust up");
        assert_eq!(fx.stock(app, TEE_WHITE_L, "GZ").await, (4, 0, 4));

        // A reason is required, and the quantity cannot be zero.
        let before = snapshot(app, fx.company_id, &[]).await;
        let err = app.adjust_stock(&fx.actor, TEE_BLACK_M, Some("HZ"), -1, "  ", at(3)).await.expect_err("no reason");
        assert!(matches!(err, StockError::Invalid { field: "reason", .. }), "{err:?}");
        let err = app.adjust_stock(&fx.actor, TEE_BLACK_M, Some("HZ"), 0, "盘点", at(3)).await.expect_err("zero");
        assert!(matches!(err, StockError::Invalid { field: "qty", .. }), "{err:?}");
        assert_eq!(snapshot(app, fx.company_id, &[]).await, before);

        // Transfer (调拨) HZ → GZ.
        app.transfer_stock(&fx.actor, TEE_BLACK_M, "HZ", "GZ", 5, at(4)).await.expect("transfer");
        assert_eq!(fx.stock(app, TEE_BLACK_M, "HZ").await, (13, 0, 13));
        assert_eq!(fx.stock(app, TEE_BLACK_M, "GZ").await, (10, 0, 10));
        let moves = app.stock_show(&fx.actor, TEE_BLACK_M, 2).await.expect("show").moves;
        let mut pair: Vec<(MoveKind, i64, i64)> = moves.iter().map(|m| (m.kind, m.qty, m.warehouse_id)).collect();
        pair.sort_by_key(|p| p.1);
        assert_eq!(pair, vec![(MoveKind::TransferOut, -5, fx.hz), (MoveKind::TransferIn, 5, fx.gz)]);
        let err = app.transfer_stock(&fx.actor, TEE_BLACK_M, "HZ", "杭州主仓", 1, at(4)).await.expect_err("same");
        assert!(matches!(err, StockError::Invalid { .. }), "{err:?}");

        // Reserved units cannot be adjusted or transferred away.
        let input = fx.trade(fx.taobao, "3928475610293851001", "tb_小鹿乱撞", &[(JEANS_BLUE_27, 3)]);
        let id = app.create_trade(&fx.actor, &input).await.expect("create");
        app.pay_trade(&fx.actor, id, at(5)).await.expect("pay");
        assert_eq!(fx.stock(app, JEANS_BLUE_27, "HZ").await, (3, 3, 0));
        let before = snapshot(app, fx.company_id, &[id]).await;
        let refused = [
            app.adjust_stock(&fx.actor, JEANS_BLUE_27, Some("HZ"), -1, "盘点盘亏", at(6)).await.map(|_| ()),
            app.transfer_stock(&fx.actor, JEANS_BLUE_27, "HZ", "GZ", 1, at(6)).await,
            app.adjust_stock(&fx.actor, JEANS_BLUE_27, Some("GZ"), -3, "报损", at(6)).await.map(|_| ()),
        ];
        for r in refused {
            // The exact error variant is checked in `stock_refusals_say_why`.
            assert!(r.is_err(), "refused: {r:?}");
            assert_eq!(snapshot(app, fx.company_id, &[id]).await, before);
        }
        // Down to exactly zero is fine.
        assert_eq!(
            app.adjust_stock(&fx.actor, JEANS_BLUE_27, Some("GZ"), -2, "报损", at(7)).await.expect("to zero"),
            0
        );
        app.transfer_stock(&fx.actor, TEE_BLACK_M, "GZ", "HZ", 10, at(8)).await.expect("transfer everything back");
        assert_eq!(fx.stock(app, TEE_BLACK_M, "GZ").await, (0, 0, 0));
        assert_eq!(fx.stock(app, TEE_BLACK_M, "HZ").await, (23, 0, 23));
    })
    .await;
}

/// A refused stock change says why, with the variant, stable code and Chinese message of its cause.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stock_refusals_say_why() {
    on_every_backend("stock_refusals_say_why", |cx| async move {
        let app = &cx.app;
        let fx = build_shop(app).await;
        let input = fx.trade(fx.taobao, "3928475610293851101", "tb_小鹿乱撞", &[(JEANS_BLUE_27, 3)]);
        let id = app.create_trade(&fx.actor, &input).await.expect("create");
        app.pay_trade(&fx.actor, id, at(5)).await.expect("pay");
        assert_eq!(fx.stock(app, JEANS_BLUE_27, "HZ").await, (3, 3, 0));
        let before = snapshot(app, fx.company_id, &[id]).await;

        let err = app
            .adjust_stock(&fx.actor, JEANS_BLUE_27, Some("HZ"), -1, "盘点盘亏", at(6))
            .await
            .expect_err("would go negative");
        assert_eq!(snapshot(app, fx.company_id, &[id]).await, before);
        match &err {
            StockError::WouldGoNegative { sku, warehouse, available_after } => {
                assert_eq!((sku.as_str(), warehouse.as_str(), *available_after), (JEANS_BLUE_27, "HZ", -1));
            }
            other => panic!("expected StockError::WouldGoNegative, got {other:?}"),
        }
        assert_eq!(err.code(), "out_of_stock");
        assert!(err.message(Lang::Zh).contains("库存不足"), "{}", err.message(Lang::Zh));

        let err = app.transfer_stock(&fx.actor, JEANS_BLUE_27, "HZ", "GZ", 1, at(6)).await.expect_err("transfer");
        assert!(matches!(err, StockError::WouldGoNegative { available_after: -1, .. }), "{err:?}");
        let err =
            app.adjust_stock(&fx.actor, JEANS_BLUE_27, Some("GZ"), -3, "报损", at(6)).await.expect_err("GZ has 2");
        assert!(matches!(err, StockError::WouldGoNegative { available_after: -1, .. }), "{err:?}");
        assert_eq!(snapshot(app, fx.company_id, &[id]).await, before);

        // Unknown SKU codes and warehouses are "not found", naming what was asked for.
        let err = app.adjust_stock(&fx.actor, "XX0000", Some("HZ"), 1, "盘盈", at(9)).await.expect_err("unknown sku");
        assert!(matches!(err, StockError::UnknownSku(ref c) if c == "XX0000"), "{err:?}");
        assert_eq!(err.code(), "not_found");
        let err = app.transfer_stock(&fx.actor, TEE_BLACK_M, "HZ", "SH", 1, at(9)).await.expect_err("unknown wh");
        assert!(matches!(err, StockError::UnknownWarehouse(ref w) if w == "SH"), "{err:?}");
        let err =
            app.receive_stock(&fx.actor, "XX0000", Some("HZ"), 5, yuan("10.00"), at(9)).await.expect_err("unknown sku");
        assert!(matches!(err, StockError::UnknownSku(_)), "{err:?}");
        assert_eq!(snapshot(app, fx.company_id, &[id]).await, before);
    })
    .await;
}

/// The stock search must find the same lines on every backend. Merchant codes are typed by hand in the
/// warehouse, often in lower case.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stock_search_finds_the_same_lines_on_every_backend() {
    on_every_backend("stock_search", |cx| async move {
        let app = &cx.app;
        let fx = build_shop(app).await;
        let search = |text: &'static str| {
            let app = app.clone();
            let company_id = fx.company_id;
            async move {
                let f = StockFilter { company_id, search: Some(text.into()), ..Default::default() };
                let mut found: Vec<(String, String)> = app
                    .stock_list(&f)
                    .await
                    .expect("stock_list")
                    .into_iter()
                    .map(|l| (l.outer_sku_id, l.warehouse_code))
                    .collect();
                found.sort();
                found
            }
        };
        let pair = |c: &str, w: &str| (c.to_string(), w.to_string());
        assert_eq!(search("牛仔裤").await, vec![pair(JEANS_BLUE_27, "GZ"), pair(JEANS_BLUE_27, "HZ")]);
        assert_eq!(search("TS2401-BLK").await, vec![pair(TEE_BLACK_M, "GZ"), pair(TEE_BLACK_M, "HZ")]);
        assert_eq!(search("不存在的商品").await, vec![]);
        let f = StockFilter { company_id: fx.company_id, max_available: Some(0), ..Default::default() };
        let mut empty: Vec<(String, String)> =
            app.stock_list(&f).await.expect("list").into_iter().map(|l| (l.outer_sku_id, l.warehouse_code)).collect();
        empty.sort();
        assert_eq!(empty, vec![pair(CUP_PINK_500, "GZ"), pair(CUP_PINK_500, "HZ"), pair(TEE_WHITE_L, "GZ")]);
        let lower = search("ts2401-blk").await;
        assert_eq!(
            lower,
            vec![pair(TEE_BLACK_M, "GZ"), pair(TEE_BLACK_M, "HZ")],
            "a lower-case code finds the SKU on {:?} as on the other backend",
            cx.backend
        );
    })
    .await;
}
