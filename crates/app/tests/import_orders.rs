//! Importing Taobao order exports with their line reports, on every backend: the imported figures are
//! the figures the fixture generator put in; the same file twice changes nothing; a later export
//! moves trades along the state machine without duplicating anything; stock moves only for trades
//! paid after the inventory start.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::{HashMap, HashSet};

use chrono::{TimeZone, Utc};
use common::on_every_backend;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use zhanggui_app::import::orders::OrderImport;
use zhanggui_app::{Actor, App};
use zhanggui_domain::{Money, Platform, TradeStatus};
use zhanggui_formats::fixtures::taobao::{TaobaoFiles, taobao_orders, taobao_status_update};
use zhanggui_formats::fixtures::{Encoding, Options, products::products};
use zhanggui_formats::{OrderRecord, RowError, read_sheet_bytes};
use zhanggui_store::TradeFilter;
use zhanggui_store::browse::TradePageFilter;

const SHOP: &str = "潮衣坊淘宝店";

async fn company(app: &App) -> Actor {
    let company_id = app.create_company("import", "杭州潮衣坊服饰有限公司", "Asia/Shanghai").await.unwrap();
    let hz = app.create_warehouse(company_id, "HZ", "杭州主仓").await.unwrap();
    app.create_warehouse(company_id, "GZ", "广州仓").await.unwrap();
    app.create_warehouse(company_id, "CD", "成都仓").await.unwrap();
    app.create_shop(company_id, Platform::Taobao, SHOP, Some(hz), Default::default()).await.unwrap();
    Actor { company_id, user: "导入测试".into() }
}

/// The orders of a fixture as the readers give them (orders joined with lines), and their row errors.
fn read(files: &TaobaoFiles, ext: &str) -> (Vec<OrderRecord>, Vec<RowError>) {
    let orders = read_sheet_bytes(&format!("订单报表.{ext}"), &files.orders).unwrap();
    let lines = read_sheet_bytes(&format!("宝贝报表.{ext}"), &files.lines).unwrap();
    let (records, mut errors) = zhanggui_formats::taobao::read_taobao_orders(&orders).unwrap();
    let (line_records, line_errors) = zhanggui_formats::taobao::read_taobao_lines(&lines).unwrap();
    errors.extend(line_errors);
    let (joined, join_errors) = zhanggui_formats::taobao::join_lines(records, line_records, &lines.name);
    errors.extend(join_errors);
    (joined, errors)
}

/// Every buyer's paid trades, spend and first and last payment are what their trades say.
async fn assert_customer_figures(app: &App, trades: &[zhanggui_store::Trade]) {
    let mut by_customer: HashMap<i64, Vec<&zhanggui_store::Trade>> = HashMap::new();
    for t in trades {
        if let Some(c) = t.customer_id {
            by_customer.entry(c).or_default().push(t);
        }
    }
    let repeat = by_customer.values().filter(|v| v.iter().filter(|t| t.paid_at.is_some()).count() > 1).count();
    assert!(repeat > 0, "some buyer pays more than once");
    for (id, theirs) in by_customer {
        let mut tx = app.db.begin_read().await.unwrap();
        let c = tx.customer(id).await.unwrap().unwrap();
        tx.commit().await.unwrap();
        // The lists filtered by buyer nick and by customer give exactly the buyer's trades, newest first.
        let mut expected: Vec<&zhanggui_store::Trade> = theirs.clone();
        expected.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
        let expected: Vec<i64> = expected.iter().map(|t| t.id).collect();
        let company_id = theirs[0].company_id;
        let by_nick =
            TradeFilter { company_id, buyer: Some(format!(" {} ", c.nick)), limit: 1000, ..Default::default() };
        let listed: Vec<i64> = app.list_trades(&by_nick).await.unwrap().iter().map(|t| t.id).collect();
        assert_eq!(listed, expected, "trades listed for buyer {}", c.nick);
        let actor = Actor { company_id, user: "导入测试".into() };
        for page in [
            TradePageFilter { buyer: Some(c.nick.clone()), limit: 500, ..Default::default() },
            TradePageFilter { customer_id: Some(id), limit: 500, ..Default::default() },
        ] {
            let paged: Vec<i64> = app.trade_page(&actor, &page).await.unwrap().iter().map(|t| t.id).collect();
            assert_eq!(paged, expected, "trade page for buyer {}", c.nick);
        }
        let paid: Vec<&zhanggui_store::Trade> = theirs.into_iter().filter(|t| t.paid_at.is_some()).collect();
        let spend: Money = paid.iter().map(|t| t.amount_paid).sum();
        let first = paid.iter().filter_map(|t| t.paid_at).min();
        let last = paid.iter().filter_map(|t| t.paid_at).max();
        assert_eq!(
            (c.paid_trades, c.spend, c.first_paid_at, c.last_paid_at),
            (paid.len() as i64, spend, first, last),
            "{}",
            c.nick
        );
    }
}

async fn all_trades(app: &App, actor: &Actor) -> Vec<zhanggui_store::Trade> {
    let filter = TradeFilter { company_id: actor.company_id, limit: 1_000_000, ..Default::default() };
    app.list_trades(&filter).await.unwrap()
}

async fn import(
    app: &App,
    actor: &Actor,
    files: &TaobaoFiles,
    stock_from: Option<chrono::DateTime<Utc>>,
) -> zhanggui_app::import::ImportSummary {
    let (records, errors) = read(files, "csv");
    let opts = OrderImport { shop: SHOP.into(), file: "订单报表.csv".into(), stock_from };
    app.import_orders(actor, &opts, records, &errors, &|_| {}).await.unwrap()
}

async fn import_products(app: &App, actor: &Actor) -> usize {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let fixture = products(&mut rng, &Options::csv(Encoding::Gbk));
    let sheet = read_sheet_bytes("商品.csv", &fixture.bytes).unwrap();
    let (records, errors) = zhanggui_formats::products::read_products(&sheet).unwrap();
    let n = records.len();
    let summary = app.import_products(actor, &sheet.name, records, &errors, true, &|_| {}).await.unwrap();
    assert_eq!(summary.inserted, n, "every good product row creates its SKU");
    assert_eq!(summary.rejected, fixture.errors.len(), "{:?}", summary.rejects);
    n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn taobao_export_imports_exactly_once_and_updates_later() {
    on_every_backend("taobao_import", |cx| async move {
        let app = &cx.app;
        let actor = company(app).await;
        import_products(app, &actor).await;
        let mut rng = ChaCha8Rng::seed_from_u64(2024);
        let opts = Options::csv(Encoding::Gbk);
        let files = taobao_orders(&mut rng, 80, &opts);
        let truth = &files.truth;
        let expected_rejects = truth.order_errors.len() + truth.line_errors.len() + truth.join_errors.len();

        let first = import(app, &actor, &files, None).await;
        assert_eq!(first.inserted, truth.orders.len(), "rejects: {:?}", first.rejects);
        assert_eq!(first.updated + first.unchanged, 0);
        assert_eq!(first.rejected, expected_rejects, "{:?}", first.rejects);
        for r in &first.rejects {
            assert!(r.line > 1, "a reject names its line: {r:?}");
            assert!(!r.reason.is_empty());
        }

        // Every trade as the generator wrote it.
        let trades = all_trades(app, &actor).await;
        assert_eq!(trades.len(), truth.orders.len());
        let by_tid: HashMap<&str, &zhanggui_store::Trade> = trades.iter().map(|t| (t.tid.as_str(), t)).collect();
        let mut expected_paid = Money::ZERO;
        for o in &truth.orders {
            let t = by_tid.get(o.tid.as_str()).unwrap_or_else(|| panic!("trade {} missing", o.tid));
            assert_eq!(t.status, o.status, "status of {}", o.tid);
            assert_eq!(t.goods_amount, o.goods_amount, "goods of {}", o.tid);
            assert_eq!(t.postage, o.postage, "postage of {}", o.tid);
            if o.status.is_paid() {
                assert_eq!(t.amount_paid, o.amount_paid, "amount paid of {}", o.tid);
                expected_paid += o.amount_paid;
            }
            assert_eq!(t.buyer_nick, o.buyer_nick);
            assert_eq!(t.paid_at.is_some(), o.paid_at.is_some(), "paid time of {}", o.tid);
            let detail = app.trade_detail(&actor, t.id).await.unwrap();
            let want_lines = if o.lines.is_empty() { 1 } else { o.lines.len() };
            assert_eq!(detail.lines.len(), want_lines, "lines of {}", o.tid);
            if !o.lines.is_empty() {
                let units: i64 = detail.lines.iter().map(|l| l.qty).sum();
                assert_eq!(units, o.lines.iter().map(|l| l.qty).sum::<i64>(), "units of {}", o.tid);
                let paid: Money = detail.lines.iter().map(|l| l.amount_paid).sum();
                assert!(paid <= t.goods_amount, "lines never hold more than the goods of {}", o.tid);
            }
            if let Some(region) = &o.region {
                assert_eq!(t.province, region.province, "province of {}", o.tid);
            }
        }
        let paid_total: Money = trades.iter().filter(|t| t.paid_at.is_some()).map(|t| t.amount_paid).sum();
        assert_eq!(paid_total, expected_paid);

        // Customers: one per buyer, with their paid trades and spend.
        let nicks: HashSet<&str> =
            truth.orders.iter().map(|o| o.buyer_nick.as_str()).filter(|n| !n.is_empty()).collect();
        let mut spend: HashMap<&str, (i64, Money)> = HashMap::new();
        for o in truth.orders.iter().filter(|o| o.paid_at.is_some() && !o.buyer_nick.is_empty()) {
            let e = spend.entry(o.buyer_nick.as_str()).or_insert((0, Money::ZERO));
            e.0 += 1;
            e.1 += o.amount_paid;
        }
        for t in trades.iter().filter(|t| t.customer_id.is_some()) {
            let mut tx = app.db.begin_read().await.unwrap();
            let c = tx.customer(t.customer_id.unwrap()).await.unwrap().unwrap();
            tx.commit().await.unwrap();
            assert!(nicks.contains(c.nick.as_str()));
            let (n, s) = spend.get(c.nick.as_str()).copied().unwrap_or((0, Money::ZERO));
            assert_eq!((c.paid_trades, c.spend), (n, s), "customer {}", c.nick);
            let paid: Vec<_> =
                trades.iter().filter(|x| x.customer_id == t.customer_id).filter_map(|x| x.paid_at).collect();
            assert_eq!((c.first_paid_at, c.last_paid_at), (paid.iter().min().copied(), paid.iter().max().copied()));
        }

        // The same file again changes nothing.
        let again = import(app, &actor, &files, None).await;
        assert_eq!((again.inserted, again.updated), (0, 0), "{again:?}");
        assert_eq!(again.unchanged, truth.orders.len());
        assert_eq!(all_trades(app, &actor).await.len(), truth.orders.len());

        // A later export moves the same trades on.
        let later = taobao_status_update(&mut rng, truth, &opts);
        let update = import(app, &actor, &later, None).await;
        assert_eq!(update.inserted, 0, "a later export of the same trades adds none: {update:?}");
        assert!(update.updated > 0);
        let after = all_trades(app, &actor).await;
        assert_eq!(after.len(), truth.orders.len());
        let now: HashMap<&str, TradeStatus> = after.iter().map(|t| (t.tid.as_str(), t.status)).collect();
        for o in &later.truth.orders {
            assert_eq!(now.get(o.tid.as_str()).copied(), Some(o.status), "status of {} after the update", o.tid);
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_trades_paid_after_the_inventory_start_move_stock() {
    on_every_backend("import_stock", |cx| async move {
        let app = &cx.app;
        let actor = company(app).await;
        import_products(app, &actor).await;
        let before = app
            .stock_list(&zhanggui_store::ledger::StockFilter { company_id: actor.company_id, ..Default::default() })
            .await
            .unwrap();
        let on_hand_before: i64 = before.iter().map(|l| l.on_hand).sum();
        let mut rng = ChaCha8Rng::seed_from_u64(77);
        let files = taobao_orders(&mut rng, 60, &Options::csv(Encoding::Utf8Bom));
        let truth = &files.truth;
        // The fixture's trades are from November 2024: start counting stock before them.
        let start = Utc.with_ymd_and_hms(2024, 10, 1, 0, 0, 0).unwrap();
        let summary = import(app, &actor, &files, Some(start)).await;
        assert_eq!(summary.inserted, truth.orders.len());
        let codes: HashSet<String> = before.iter().map(|l| l.outer_sku_id.clone()).collect();
        let shipped_units: i64 = truth
            .orders
            .iter()
            .filter(|o| {
                o.paid_at.is_some()
                    && (o.shipped_at.is_some()
                        || matches!(o.status, TradeStatus::WaitBuyerConfirmGoods | TradeStatus::TradeFinished))
            })
            .flat_map(|o| o.lines.iter())
            .filter(|l| codes.contains(&l.outer_sku_id))
            .map(|l| l.qty)
            .sum();
        let waiting_units: i64 = truth
            .orders
            .iter()
            .filter(|o| o.shipped_at.is_none() && o.status.awaits_shipping())
            .flat_map(|o| o.lines.iter())
            .filter(|l| codes.contains(&l.outer_sku_id))
            .map(|l| l.qty)
            .sum();
        assert!(shipped_units > 0, "the fixture ships matched goods");
        let after = app
            .stock_list(&zhanggui_store::ledger::StockFilter { company_id: actor.company_id, ..Default::default() })
            .await
            .unwrap();
        assert_eq!(after.iter().map(|l| l.on_hand).sum::<i64>(), on_hand_before - shipped_units);
        assert_eq!(after.iter().map(|l| l.reserved).sum::<i64>(), waiting_units);

        // A second shop whose inventory starts now: its history never touches stock.
        let company = actor.company_id;
        let hz = {
            let mut tx = app.db.begin_read().await.unwrap();
            let w = tx.warehouses(company).await.unwrap();
            tx.commit().await.unwrap();
            w[0].id
        };
        app.create_shop(company, Platform::Tmall, "潮衣坊旗舰店", Some(hz), Default::default()).await.unwrap();
        let (records, errors) = read(&files, "csv");
        let opts = OrderImport { shop: "潮衣坊旗舰店".into(), file: "订单报表.csv".into(), stock_from: None };
        let s = app.import_orders(&actor, &opts, records, &errors, &|_| {}).await.unwrap();
        assert_eq!(s.inserted, truth.orders.len());
        assert!(s.inventory_start_set.is_some());
        let untouched = app
            .stock_list(&zhanggui_store::ledger::StockFilter { company_id: actor.company_id, ..Default::default() })
            .await
            .unwrap();
        assert_eq!(untouched.iter().map(|l| l.on_hand).sum::<i64>(), on_hand_before - shipped_units);
    })
    .await;
}

/// The row-by-row path (`import_taobao_files`, which stages the line report in a scratch database
/// and reads the order report a batch at a time)
/// imports exactly what the in-memory path does: the same trades, rejects with the same lines,
/// and nothing twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staged_files_import_the_same_as_records_in_memory() {
    on_every_backend("taobao_import_staged", |cx| async move {
        let app = &cx.app;
        let actor = company(app).await;
        import_products(app, &actor).await;
        let mut rng = ChaCha8Rng::seed_from_u64(2024);
        let files = taobao_orders(&mut rng, 400, &Options::csv(Encoding::Utf8Bom));
        let truth = &files.truth;
        let dir = std::env::temp_dir().join(format!("zhanggui-staged-{}-{}", std::process::id(), cx.url.len()));
        std::fs::create_dir_all(&dir).unwrap();
        let orders_path = dir.join("ExportOrderList202411.csv");
        let lines_path = dir.join("ExportOrderDetailList202411.csv");
        // A second copy of the first trade's row (same 订单编号) at the end of the order report.
        let mut orders_bytes = files.orders.clone();
        let (records, _) = read(&files, "csv");
        let first_tid = records.iter().map(|r| r.tid.clone()).next().unwrap();
        let text = String::from_utf8_lossy(&files.orders).into_owned();
        let dup_row = text.lines().find(|l| l.contains(&first_tid)).unwrap().to_string();
        let dup_bytes = format!("{dup_row}\n").into_bytes();
        if !orders_bytes.ends_with(b"\n") {
            orders_bytes.extend_from_slice(b"\n");
        }
        orders_bytes.extend_from_slice(&dup_bytes);
        let dup_line = text.lines().count() + 1;
        std::fs::write(&orders_path, &orders_bytes).unwrap();
        std::fs::write(&lines_path, &files.lines).unwrap();

        let opts = OrderImport { shop: SHOP.into(), file: "ExportOrderList202411.csv".into(), stock_from: None };
        // What the line report holds when it has been read: its lines and the trades they name.
        let line_sheet = read_sheet_bytes("宝贝报表.csv", &files.lines).unwrap();
        let (line_records, _) = zhanggui_formats::taobao::read_taobao_lines(&line_sheet).unwrap();
        let line_trades = line_records.iter().map(|l| l.tid.as_str()).collect::<HashSet<_>>().len();
        let read_counts = std::sync::Mutex::new((0, 0));
        let on_read =
            |f: &zhanggui_app::import::staged::StagedFiles| *read_counts.lock().unwrap() = (f.trades_expected, f.lines);
        // Seven trades a batch: the repeated row is met batches after the first.
        let (summary, staged) = app
            .import_taobao_files_by(&actor, &opts, &orders_path, Some(&lines_path), 7, &on_read, &|_| {})
            .await
            .unwrap();
        let expected_rejects = truth.order_errors.len() + truth.line_errors.len() + truth.join_errors.len() + 1;
        assert_eq!(summary.inserted, truth.orders.len(), "{:?}", summary.rejects);
        assert_eq!(summary.rejected, expected_rejects, "{:?}", summary.rejects);
        assert!(
            summary.rejects.iter().any(|r| r.line == dup_line && r.reason.contains(&first_tid)),
            "{:?}",
            summary.rejects
        );
        assert_eq!(*read_counts.lock().unwrap(), (line_trades, staged.lines));
        assert_eq!(staged.lines, line_records.len());
        assert_eq!(staged.orders, truth.orders.len() + 1);

        let trades = all_trades(app, &actor).await;
        assert_eq!(trades.len(), truth.orders.len());
        let by_tid: HashMap<&str, &zhanggui_store::Trade> = trades.iter().map(|t| (t.tid.as_str(), t)).collect();
        for o in &truth.orders {
            let t = by_tid.get(o.tid.as_str()).unwrap_or_else(|| panic!("trade {} missing", o.tid));
            assert_eq!((t.status, t.goods_amount, t.postage), (o.status, o.goods_amount, o.postage), "{}", o.tid);
            let detail = app.trade_detail(&actor, t.id).await.unwrap();
            let want_lines = if o.lines.is_empty() { 1 } else { o.lines.len() };
            assert_eq!(detail.lines.len(), want_lines, "lines of {}", o.tid);
            if !o.lines.is_empty() {
                let units: i64 = detail.lines.iter().map(|l| l.qty).sum();
                assert_eq!(units, o.lines.iter().map(|l| l.qty).sum::<i64>(), "units of {}", o.tid);
            }
        }
        // Each buyer's figures add up over batches: their paid trades, spend, first and last payment.
        assert_customer_figures(app, &trades).await;

        // Again: nothing new, and the scratch database is gone.
        let (again, _) =
            app.import_taobao_files(&actor, &opts, &orders_path, Some(&lines_path), &|_| {}, &|_| {}).await.unwrap();
        assert_eq!((again.inserted, again.updated, again.unchanged), (0, 0, truth.orders.len()));
        // In one batch, the repeated row is refused all the same.
        assert!(
            again.rejects.iter().any(|r| r.line == dup_line && r.reason.contains(&first_tid)),
            "{:?}",
            again.rejects
        );
        assert_eq!(again.rejected, expected_rejects);
        let leftovers = std::fs::read_dir(std::env::temp_dir())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| {
                e.file_name().to_string_lossy().starts_with(&format!("zhanggui-import-{}-", std::process::id()))
            })
            .count();
        assert_eq!(leftovers, 0, "scratch databases are removed");
        std::fs::remove_dir_all(&dir).ok();
    })
    .await;
}
