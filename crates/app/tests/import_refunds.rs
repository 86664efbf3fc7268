//! The after-sales export (退款管理 → 导出) on every backend: cases land on their trades and lines,
//! importing twice changes nothing, a later export moves them on, bad rows are listed and the rest
//! kept, and the summaries stay exact.
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
use zhanggui_domain::{Money, Platform, RefundStatus};
use zhanggui_formats::fixtures::refunds::{RefundSeed, refund_export};
use zhanggui_formats::fixtures::taobao::taobao_orders;
use zhanggui_formats::fixtures::{Encoding, Options};
use zhanggui_formats::read_sheet_bytes;
use zhanggui_store::TradeFilter;

const SHOP: &str = "潮衣坊淘宝店";
const TZ: chrono_tz::Tz = chrono_tz::Asia::Shanghai;

async fn company(app: &App) -> Actor {
    let company_id = app.create_company("refunds", "杭州潮衣坊服饰有限公司", "Asia/Shanghai").await.unwrap();
    let hz = app.create_warehouse(company_id, "HZ", "杭州主仓").await.unwrap();
    app.create_shop(company_id, Platform::Taobao, SHOP, Some(hz), Default::default()).await.unwrap();
    Actor { company_id, user: "导入测试".into() }
}

/// Imports a Taobao order fixture and returns, for every paid line, what a refund export says about it.
async fn orders(app: &App, actor: &Actor) -> Vec<RefundSeed> {
    let mut rng = ChaCha8Rng::seed_from_u64(31);
    let files = taobao_orders(&mut rng, 60, &Options::csv(Encoding::Utf8Bom));
    let orders = read_sheet_bytes("订单报表.csv", &files.orders).unwrap();
    let lines = read_sheet_bytes("宝贝报表.csv", &files.lines).unwrap();
    let (records, _) = zhanggui_formats::taobao::read_taobao_orders(&orders).unwrap();
    let (line_records, _) = zhanggui_formats::taobao::read_taobao_lines(&lines).unwrap();
    let (joined, errors) = zhanggui_formats::taobao::join_lines(records, line_records, &lines.name);
    let opts = OrderImport { shop: SHOP.into(), file: "订单报表.csv".into(), stock_from: None };
    app.import_orders(actor, &opts, joined, &errors, &|_| {}).await.unwrap();
    let trades = app
        .list_trades(&TradeFilter { company_id: actor.company_id, limit: 10_000, ..Default::default() })
        .await
        .unwrap();
    let mut seeds = Vec::new();
    for t in trades.iter().filter(|t| t.paid_at.is_some() && t.refund_amount == Money::ZERO) {
        let d = app.trade_detail(actor, t.id).await.unwrap();
        // Lines whose order export reported a refund already have a case (see import_export_cases.rs).
        let quiet =
            |l: &&zhanggui_app::store::OrderLine| l.refund_status.is_empty() || l.refund_status == "没有申请退款";
        for l in d.lines.iter().filter(|l| l.amount_paid > Money::ZERO).filter(quiet) {
            seeds.push(RefundSeed {
                tid: t.tid.clone(),
                oid: l.oid.clone(),
                sku_code: l.outer_sku_id.clone(),
                title: l.title.clone(),
                paid: l.amount_paid,
                paid_at: t.paid_at.unwrap().with_timezone(&TZ).naive_local(),
                shipped: l.shipped_at.is_some(),
                buyer: t.buyer_nick.clone(),
            });
        }
    }
    seeds.truncate(24);
    seeds
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refund_exports_import_once_and_move_cases_on() {
    on_every_backend("refund_import", |cx| async move {
        let app = &cx.app;
        let actor = company(app).await;
        let mut seeds = orders(app, &actor).await;
        assert!(seeds.len() >= 12, "enough paid lines: {}", seeds.len());
        // A case for a trade this shop never had.
        let mut stranger = seeds[0].clone();
        stranger.tid = "9999000011112222".into();
        seeds.push(stranger);
        let mut rng = ChaCha8Rng::seed_from_u64(77);
        let fixture = refund_export(&mut rng, &seeds, &Options::csv(Encoding::Gbk));
        let sheet = read_sheet_bytes("退款导出.csv", &fixture.bytes).unwrap();
        let (records, errors) = zhanggui_formats::refunds::read_refunds(&sheet).unwrap();
        assert_eq!(records.len(), seeds.len());
        assert_eq!(errors.len(), fixture.errors.len());

        let refunded = |app: &App| {
            let app = app.clone();
            let actor = actor.clone();
            async move {
                app.list_trades(&TradeFilter { company_id: actor.company_id, limit: 10_000, ..Default::default() })
                    .await
                    .unwrap()
                    .iter()
                    .map(|t| t.refund_amount)
                    .sum::<Money>()
            }
        };
        let before = refunded(app).await;
        let first = app.import_refunds(&actor, SHOP, &sheet.name, &records, &errors, &|_| {}).await.unwrap();
        assert_eq!(first.inserted, seeds.len() - 1, "{:?}", first.rejects);
        assert_eq!(first.rejected, errors.len() + 1, "the bad rows and the unknown trade");
        assert!(first.rejects.iter().any(|r| r.reason.contains("9999000011112222")), "{:?}", first.rejects);
        let all = RefundFilter { company_id: actor.company_id, limit: 1000, ..Default::default() };
        let from_orders = |c: &zhanggui_app::after_sales::CaseView| c.case.refund_no.starts_with("订单导出-");
        let cases: Vec<_> = app
            .after_sales_cases(&all, chrono::Utc::now())
            .await
            .unwrap()
            .into_iter()
            .filter(|c| !from_orders(c))
            .collect();
        assert_eq!(cases.len(), seeds.len() - 1);
        for r in records.iter().filter(|r| r.tid != "9999000011112222") {
            let c = cases.iter().find(|c| c.case.refund_no == r.refund_no).expect("imported");
            assert_eq!(
                (c.case.tid.as_str(), c.case.status, c.case.kind, c.case.amount),
                (r.tid.as_str(), r.status, r.kind, r.amount)
            );
            assert_eq!(c.case.outer_sku_id, r.sku_code);
        }
        reports_check::assert_summaries_exact(app, actor.company_id, TZ).await;
        let paid_back: Money = records
            .iter()
            .filter(|r| r.status == RefundStatus::Success && r.tid != "9999000011112222")
            .map(|r| r.amount)
            .sum();
        assert_eq!(refunded(app).await, before + paid_back, "trades carry what their successful cases paid back");

        // The same file again changes nothing.
        let again = app.import_refunds(&actor, SHOP, &sheet.name, &records, &errors, &|_| {}).await.unwrap();
        assert_eq!((again.inserted, again.updated, again.unchanged), (0, 0, seeds.len() - 1));
        assert_eq!(refunded(app).await, before + paid_back);

        // A later export: open cases succeeded.
        let later: Vec<_> = records
            .iter()
            .filter(|r| r.status.is_open() && r.tid != "9999000011112222")
            .map(|r| {
                let mut r = r.clone();
                r.status = RefundStatus::Success;
                r.finished_at = Some(r.applied_at + Duration::days(3));
                r.deadline_at = None;
                r
            })
            .collect();
        assert!(!later.is_empty());
        let moved = app.import_refunds(&actor, SHOP, "退款导出2.csv", &later, &[], &|_| {}).await.unwrap();
        assert_eq!((moved.inserted, moved.updated), (0, later.len()));
        let paid_back = paid_back
            + later.iter().filter(|r| r.kind != zhanggui_domain::RefundKind::Exchange).map(|r| r.amount).sum::<Money>();
        assert_eq!(refunded(app).await, before + paid_back);
        let events = app.after_sales_case(&actor, &later[0].refund_no, chrono::Utc::now()).await.unwrap().events;
        assert_eq!(events.len(), 2, "imported, then moved on by the later export");
        reports_check::assert_summaries_exact(app, actor.company_id, TZ).await;
    })
    .await;
}
