//! After-sales cases from the refund fields of order exports (宝贝报表 退款状态 / 退款金额), on every
//! backend: each line that reports a refund gets one case; importing twice changes nothing; a later
//! export moves the cases on and never opens a second one; the after-sales export takes a case over
//! with its refund number and real times; the summaries stay exact throughout.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod reports_check;

use chrono::Duration;
use common::on_every_backend;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use zhanggui_app::import::orders::OrderImport;
use zhanggui_app::store::after_sales::RefundFilter;
use zhanggui_app::{Actor, App};
use zhanggui_domain::{Money, Platform, RefundKind, RefundStatus};
use zhanggui_formats::fixtures::taobao::{taobao_orders, taobao_status_update};
use zhanggui_formats::fixtures::{Encoding, Options};
use zhanggui_formats::refunds::{RefundRecord, parse_refund_status};
use zhanggui_formats::{OrderRecord, read_sheet_bytes};

const SHOP: &str = "潮衣坊天猫店";
const TZ: chrono_tz::Tz = chrono_tz::Asia::Shanghai;

async fn company(app: &App) -> (Actor, i64) {
    let company_id = app.create_company("cases", "杭州潮衣坊服饰有限公司", "Asia/Shanghai").await.unwrap();
    let hz = app.create_warehouse(company_id, "HZ", "杭州主仓").await.unwrap();
    let shop = app.create_shop(company_id, Platform::Tmall, SHOP, Some(hz), Default::default()).await.unwrap();
    (Actor { company_id, user: "导入测试".into() }, shop)
}

fn joined(files: &zhanggui_formats::fixtures::taobao::TaobaoFiles) -> Vec<OrderRecord> {
    let orders = read_sheet_bytes("订单报表.csv", &files.orders).unwrap();
    let lines = read_sheet_bytes("宝贝报表.csv", &files.lines).unwrap();
    let (records, _) = zhanggui_formats::taobao::read_taobao_orders(&orders).unwrap();
    let (line_records, _) = zhanggui_formats::taobao::read_taobao_lines(&lines).unwrap();
    zhanggui_formats::taobao::join_lines(records, line_records, &lines.name).0
}

async fn import(app: &App, actor: &Actor, records: Vec<OrderRecord>) -> zhanggui_app::import::ImportSummary {
    let opts = OrderImport { shop: SHOP.into(), file: "订单报表.csv".into(), stock_from: None };
    app.import_orders(actor, &opts, records, &[], &|_| {}).await.unwrap()
}

async fn all_cases(app: &App, actor: &Actor) -> Vec<zhanggui_app::store::after_sales::RefundCase> {
    let all = RefundFilter { company_id: actor.company_id, limit: 10_000, ..Default::default() };
    app.after_sales_cases(&all, chrono::Utc::now()).await.unwrap().into_iter().map(|c| c.case).collect()
}

/// What the sales summaries hold as 成功退款 over every day.
async fn summed_refunds(app: &App, actor: &Actor) -> (i64, Money) {
    let mut tx = app.db.begin_read().await.unwrap();
    let days = tx.all_shop_days(actor.company_id).await.unwrap();
    tx.commit().await.unwrap();
    (days.iter().map(|d| d.2.refunds).sum(), Money::from_fen(days.iter().map(|d| d.2.refund_amount).sum()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn order_exports_open_and_move_cases_that_the_after_sales_export_takes_over() {
    on_every_backend("export_cases", |cx| async move {
        let app = &cx.app;
        let (actor, shop) = company(app).await;
        let mut rng = ChaCha8Rng::seed_from_u64(2026);
        let files = taobao_orders(&mut rng, 300, &Options::csv(Encoding::Gbk));
        let records = joined(&files);
        let reported: Vec<(String, String, RefundStatus, Money)> = records
            .iter()
            .flat_map(|r| r.lines.iter())
            .filter_map(|l| {
                parse_refund_status(&l.refund_status).map(|s| (l.tid.clone(), l.oid.clone(), s, l.refund_amount))
            })
            .collect();
        assert!(reported.iter().any(|r| r.2 == RefundStatus::Success), "the fixture has paid-back lines");
        assert!(reported.iter().any(|r| r.2 == RefundStatus::WaitSellerAgree), "and open requests");

        let first = import(app, &actor, records.clone()).await;
        assert_eq!(first.rejected, 0, "{:?}", first.rejects);
        let cases = all_cases(app, &actor).await;
        assert_eq!(cases.len(), reported.len(), "one case per line that reports a refund");
        for (tid, oid, status, amount) in &reported {
            let key = format!("订单导出-{shop}-{oid}");
            let c = cases.iter().find(|c| c.refund_no == key).unwrap_or_else(|| panic!("no case {key}"));
            assert_eq!((&c.tid, c.status), (tid, *status));
            let want = if amount.is_zero() { c.line_paid } else { *amount };
            assert_eq!(c.amount, want, "{key}");
            let kind = if c.line_shipped { RefundKind::RefundShipped } else { RefundKind::RefundUnshipped };
            assert_eq!(c.kind, kind, "{key}");
            assert!(c.reason.starts_with("订单导出"), "{}", c.reason);
        }
        let succeeded: Money = cases.iter().filter(|c| c.status == RefundStatus::Success).map(|c| c.amount).sum();
        assert_eq!(summed_refunds(app, &actor).await.1, succeeded, "成功退款 counts the exports' refunds");
        reports_check::assert_summaries_exact(app, actor.company_id, TZ).await;

        let again = import(app, &actor, records.clone()).await;
        assert_eq!((again.inserted, again.updated, again.unchanged), (0, 0, records.len()), "nothing changes");
        assert_eq!(all_cases(app, &actor).await.len(), cases.len());

        // An export that shows an open request became a return: the case becomes 退货退款 and the
        // day counts a return request; an older file afterwards takes nothing back.
        let open = cases.iter().find(|c| c.status == RefundStatus::WaitSellerAgree).expect("an open request");
        let mut turned = records.iter().find(|r| r.tid == open.tid).unwrap().clone();
        let oid = open.refund_no.rsplit('-').next().unwrap().to_string();
        for l in turned.lines.iter_mut().filter(|l| l.oid == oid) {
            l.refund_status = "卖家已经同意退款，等待买家退货".into();
        }
        let returns_before = app.db.begin_read().await.unwrap().all_shop_days(actor.company_id).await.unwrap();
        let returns_before: i64 = returns_before.iter().map(|d| d.2.return_requests).sum();
        let moved_on = import(app, &actor, vec![turned]).await;
        assert_eq!(moved_on.updated, 1, "{:?}", moved_on.rejects);
        let c = all_cases(app, &actor).await.into_iter().find(|c| c.id == open.id).unwrap();
        assert_eq!((c.kind, c.status), (RefundKind::ReturnAndRefund, RefundStatus::WaitBuyerReturnGoods));
        let returns_after = app.db.begin_read().await.unwrap().all_shop_days(actor.company_id).await.unwrap();
        assert_eq!(returns_after.iter().map(|d| d.2.return_requests).sum::<i64>(), returns_before + 1);
        reports_check::assert_summaries_exact(app, actor.company_id, TZ).await;
        let older = records.iter().find(|r| r.tid == open.tid).unwrap().clone();
        assert_eq!(import(app, &actor, vec![older]).await.unchanged, 1, "an older file takes nothing back");
        let c = all_cases(app, &actor).await.into_iter().find(|c| c.id == open.id).unwrap();
        assert_eq!(c.status, RefundStatus::WaitBuyerReturnGoods);
        let cases = all_cases(app, &actor).await;

        // A later export: open requests are closed as the trades ship, or paid back as they close.
        let update = taobao_status_update(&mut rng, &files.truth, &Options::csv(Encoding::Utf8));
        let later = joined(&update);
        let summary = import(app, &actor, later.clone()).await;
        assert_eq!(summary.rejected, 0, "{:?}", summary.rejects);
        let moved = all_cases(app, &actor).await;
        for l in later.iter().flat_map(|r| r.lines.iter()) {
            let Some(status) = parse_refund_status(&l.refund_status) else { continue };
            let key = format!("订单导出-{shop}-{}", l.oid);
            let found: Vec<_> =
                moved.iter().filter(|c| c.tid == l.tid && c.refund_no.ends_with(&format!("-{}", l.oid))).collect();
            assert_eq!(found.len(), 1, "one case for {key}");
            let was = cases.iter().find(|c| c.refund_no == key).map(|c| c.status);
            // A finished case never reopens; an open one follows the export.
            match was {
                Some(s) if !s.is_open() => assert_eq!(found[0].status, s, "{key}"),
                _ => assert_eq!(found[0].status, status, "{key}"),
            }
            if found[0].status.is_open() {
                assert!(found[0].finished_at.is_none());
            } else {
                assert!(found[0].finished_at.is_some(), "{key}");
            }
        }
        let succeeded: Money = moved.iter().filter(|c| c.status == RefundStatus::Success).map(|c| c.amount).sum();
        assert_eq!(summed_refunds(app, &actor).await.1, succeeded);
        reports_check::assert_summaries_exact(app, actor.company_id, TZ).await;
        let once_more = import(app, &actor, later.clone()).await;
        assert_eq!(once_more.unchanged, later.len(), "the later export twice changes nothing the second time");

        // The after-sales export names two of those lines: a paid-back one becomes a return with its own
        // refund number and dates, an open one is refused by the seller.
        let done = moved.iter().find(|c| c.status == RefundStatus::Success).expect("a paid-back case");
        let before = summed_refunds(app, &actor).await;
        let applied = done.created_at.with_timezone(&TZ).naive_local() - Duration::days(3);
        let record =
            |c: &zhanggui_app::store::after_sales::RefundCase, no: &str, kind, status, finished| RefundRecord {
                line: 2,
                tid: c.tid.clone(),
                oid: c.refund_no.rsplit('-').next().unwrap().to_string(),
                refund_no: no.into(),
                sku_code: c.outer_sku_id.clone(),
                title: c.line_title.clone(),
                kind,
                status,
                amount: c.amount,
                paid: Some(c.line_paid),
                applied_at: applied,
                deadline_at: None,
                finished_at: finished,
                return_carrier: "顺丰速运".into(),
                return_tracking_no: "SF1402938475".into(),
                reason: "尺码不合适".into(),
                note: "买家寄回，已验货".into(),
                intervention: String::new(),
                buyer: String::new(),
            };
        let mut rows = vec![record(
            done,
            "203948576610293847",
            RefundKind::ReturnAndRefund,
            RefundStatus::Success,
            Some(applied + Duration::days(2)),
        )];
        if let Some(open) = moved.iter().find(|c| c.status == RefundStatus::WaitSellerAgree) {
            rows.push(record(
                open,
                "203948576610293848",
                RefundKind::RefundUnshipped,
                RefundStatus::SellerRefuseBuyer,
                None,
            ));
        }
        let taken = app.import_refunds(&actor, SHOP, "退款导出.csv", &rows, &[], &|_| {}).await.unwrap();
        assert_eq!((taken.inserted, taken.updated, taken.rejected), (0, rows.len(), 0), "{:?}", taken.rejects);
        let after = all_cases(app, &actor).await;
        assert_eq!(after.len(), moved.len(), "taken over, not added");
        let c = after.iter().find(|c| c.refund_no == "203948576610293847").expect("renamed");
        assert_eq!(
            (c.id, c.kind, c.status, c.amount),
            (done.id, RefundKind::ReturnAndRefund, RefundStatus::Success, done.amount)
        );
        assert_eq!(c.created_at.with_timezone(&TZ).naive_local(), applied);
        assert_eq!(c.return_tracking_no, "SF1402938475");
        assert_eq!(summed_refunds(app, &actor).await, before, "the refund moved to its real day, counted once");
        reports_check::assert_summaries_exact(app, actor.company_id, TZ).await;
        let twice = app.import_refunds(&actor, SHOP, "退款导出.csv", &rows, &[], &|_| {}).await.unwrap();
        assert_eq!(twice.unchanged, rows.len(), "{:?}", twice.rejects);

        // The order export that named the line before no longer touches a case the after-sales export owns.
        let third = import(app, &actor, later.clone()).await;
        assert_eq!(third.unchanged, later.len());
        assert_eq!(all_cases(app, &actor).await.len(), after.len());
    })
    .await;
}
