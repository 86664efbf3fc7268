//! Pinduoduo and JD order exports, 生意参谋 item traffic, shop traffic and ad reports, and mapping
//! unmatched merchant codes, on every backend: figures as generated, and importing twice changes
//! nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::on_every_backend;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use zhanggui_app::import::orders::OrderImport;
use zhanggui_app::{Actor, App};
use zhanggui_domain::{Money, Platform};
use zhanggui_formats::fixtures::{Encoding, Options};
use zhanggui_formats::read_sheet_bytes;
use zhanggui_store::TradeFilter;

async fn company(app: &App, platform: Platform, shop: &str) -> Actor {
    let company_id = app.create_company("more", "杭州潮衣坊服饰有限公司", "Asia/Shanghai").await.unwrap();
    let hz = app.create_warehouse(company_id, "HZ", "杭州主仓").await.unwrap();
    app.create_shop(company_id, platform, shop, Some(hz), Default::default()).await.unwrap();
    Actor { company_id, user: "导入测试".into() }
}

async fn trades(app: &App, actor: &Actor) -> Vec<zhanggui_store::Trade> {
    app.list_trades(&TradeFilter { company_id: actor.company_id, limit: 100_000, ..Default::default() }).await.unwrap()
}

async fn scalar(app: &App, sql: &'static str, company_id: i64) -> i64 {
    let mut tx = app.db.begin_read().await.unwrap();
    let n = match &mut tx {
        zhanggui_store::Tx::Sqlite(t) => {
            sqlx::query_scalar::<_, i64>(sql).bind(company_id).fetch_one(&mut **t).await.unwrap()
        }
        zhanggui_store::Tx::Postgres(t) => {
            sqlx::query_scalar::<_, i64>(sql).bind(company_id).fetch_one(&mut **t).await.unwrap()
        }
    };
    tx.commit().await.unwrap();
    n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pdd_and_jd_exports_import_once() {
    on_every_backend("pdd_jd_import", |cx| async move {
        let app = &cx.app;
        let actor = company(app, Platform::Pdd, "潮衣坊拼多多店").await;
        let company_id = actor.company_id;
        let hz = {
            let mut tx = app.db.begin_read().await.unwrap();
            let w = tx.warehouses(company_id).await.unwrap();
            tx.commit().await.unwrap();
            w[0].id
        };
        app.create_shop(company_id, Platform::Jd, "潮衣坊京东店", Some(hz), Default::default()).await.unwrap();
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        for (kind, shop) in [("pdd", "潮衣坊拼多多店"), ("jd", "潮衣坊京东店")] {
            let opts = Options::csv(Encoding::Gbk);
            let fixture = if kind == "pdd" {
                zhanggui_formats::fixtures::pdd::pdd_orders(&mut rng, 40, &opts)
            } else {
                zhanggui_formats::fixtures::jd::jd_orders(&mut rng, 40, &opts)
            };
            let sheet = read_sheet_bytes(&format!("{kind}.csv"), &fixture.bytes).unwrap();
            let (records, errors) = if kind == "pdd" {
                zhanggui_formats::pdd::read_pdd_orders(&sheet).unwrap()
            } else {
                zhanggui_formats::jd::read_jd_orders(&sheet).unwrap()
            };
            let n = records.len();
            let expected_paid: Money = records.iter().filter(|r| r.paid_at.is_some()).map(|r| r.amount_paid).sum();
            let opts = OrderImport { shop: shop.into(), file: sheet.name.clone(), stock_from: None };
            let first = app.import_orders(&actor, &opts, records.clone(), &errors, &|_| {}).await.unwrap();
            assert_eq!(first.inserted, fixture.records.len(), "{kind}: {:?}", first.rejects);
            assert_eq!(first.rejected, fixture.errors.len(), "{kind}: {:?}", first.rejects);
            let again = app.import_orders(&actor, &opts, records, &errors, &|_| {}).await.unwrap();
            assert_eq!((again.inserted, again.updated, again.unchanged), (0, 0, n), "{kind}");
            let all = trades(app, &actor).await;
            let shop_trades: Vec<_> = all.iter().filter(|t| t.shop_name == shop).collect();
            assert_eq!(shop_trades.len(), n, "{kind}");
            let paid: Money = shop_trades.iter().filter(|t| t.paid_at.is_some()).map(|t| t.amount_paid).sum();
            assert_eq!(paid, expected_paid, "{kind}");
        }
        // Pinduoduo exports no buyer: no customer is invented for its trades.
        let pdd_customers =
            scalar(app, "SELECT COUNT(*) FROM customer WHERE company_id = $1 AND account_system = 'pdd'", company_id)
                .await;
        assert_eq!(pdd_customers, 0);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn traffic_and_ads_replace_their_days() {
    on_every_backend("traffic_ads", |cx| async move {
        let app = &cx.app;
        let actor = company(app, Platform::Taobao, "潮衣坊淘宝店").await;
        let mut rng = ChaCha8Rng::seed_from_u64(9);

        let sycm = zhanggui_formats::fixtures::sycm::sycm_items(&mut rng, 7, 12, &Options::xlsx());
        let sheet = read_sheet_bytes("生意参谋.xlsx", &sycm.bytes).unwrap();
        let (items, errors) = zhanggui_formats::sycm::read_sycm_items(&sheet).unwrap();
        let s = app.import_item_traffic(&actor, "潮衣坊淘宝店", &sheet.name, &items, &errors).await.unwrap();
        assert_eq!(s.inserted, items.len());
        assert_eq!(s.rejected, sycm.errors.len());
        let again = app.import_item_traffic(&actor, "潮衣坊淘宝店", &sheet.name, &items, &errors).await.unwrap();
        assert_eq!((again.inserted, again.unchanged), (0, items.len()));
        let uv: i64 = items.iter().map(|r| r.uv).sum();
        let stored = scalar(
            app,
            "SELECT COALESCE(CAST(SUM(uv) AS BIGINT), 0) FROM traffic_daily WHERE company_id = $1 AND item_id <> ''",
            actor.company_id,
        )
        .await;
        assert_eq!(stored, uv);

        let traffic = zhanggui_formats::fixtures::traffic::shop_traffic(&mut rng, 30, &Options::csv(Encoding::Gbk));
        let sheet = read_sheet_bytes("店铺流量.csv", &traffic.bytes).unwrap();
        let (days, errors) = zhanggui_formats::traffic::read_shop_traffic(&sheet).unwrap();
        let s = app.import_shop_traffic(&actor, "潮衣坊淘宝店", &sheet.name, &days, &errors).await.unwrap();
        assert_eq!(s.rejected, traffic.errors.len());
        let pv: i64 = {
            let mut last = std::collections::BTreeMap::new();
            for d in &days {
                last.insert(d.day, d.pv);
            }
            last.values().sum()
        };
        let stored = scalar(
            app,
            "SELECT COALESCE(CAST(SUM(pv) AS BIGINT), 0) FROM traffic_daily WHERE company_id = $1 AND item_id = ''",
            actor.company_id,
        )
        .await;
        assert_eq!(stored, pv, "one row per day, the later line of the file winning");

        let ads = zhanggui_formats::fixtures::ads::ad_report(&mut rng, 14, 4, &Options::csv(Encoding::Utf8Bom));
        let sheet = read_sheet_bytes("直通车.csv", &ads.bytes).unwrap();
        let (rows, errors) = zhanggui_formats::ads::read_ad_report(&sheet).unwrap();
        let s = app.import_ads(&actor, "潮衣坊淘宝店", "直通车", &sheet.name, &rows, &errors).await.unwrap();
        assert_eq!(s.rejected, ads.errors.len());
        let again = app.import_ads(&actor, "潮衣坊淘宝店", "直通车", &sheet.name, &rows, &errors).await.unwrap();
        assert_eq!(again.inserted, 0);
        let spend: Money = rows.iter().map(|r| r.spend).sum();
        let stored = scalar(
            app,
            "SELECT COALESCE(CAST(SUM(spend) AS BIGINT), 0) FROM ad_daily WHERE company_id = $1",
            actor.company_id,
        )
        .await;
        assert_eq!(stored, spend.fen());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unmatched_codes_are_listed_until_mapped() {
    on_every_backend("skus_map", |cx| async move {
        let app = &cx.app;
        let actor = company(app, Platform::Taobao, "潮衣坊淘宝店").await;
        let sku = app
            .create_product(
                actor.company_id,
                "TS2401",
                "纯棉圆领短袖T恤女 2024夏季新款",
                "女装/T恤",
                &[zhanggui_app::setup::SkuSpec {
                    outer_sku_id: "TS2401-BLK-M".into(),
                    properties: "颜色分类:黑色;尺码:M".into(),
                    price: Money::from_fen(7_900),
                    cost: Money::from_fen(3_200),
                }],
            )
            .await
            .unwrap();
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let files = zhanggui_formats::fixtures::taobao::taobao_orders(&mut rng, 30, &Options::plain());
        let orders = read_sheet_bytes("订单.csv", &files.orders).unwrap();
        let lines = read_sheet_bytes("宝贝.csv", &files.lines).unwrap();
        let (records, _) = zhanggui_formats::taobao::read_taobao_orders(&orders).unwrap();
        let (line_records, _) = zhanggui_formats::taobao::read_taobao_lines(&lines).unwrap();
        let (joined, _) = zhanggui_formats::taobao::join_lines(records, line_records, "宝贝.csv");
        let opts = OrderImport { shop: "潮衣坊淘宝店".into(), file: "订单.csv".into(), stock_from: None };
        let s = app.import_orders(&actor, &opts, joined, &[], &|_| {}).await.unwrap();
        assert!(s.unmatched_lines > 0);
        let mut tx = app.db.begin().await.unwrap();
        let before = tx.unmatched_codes(actor.company_id).await.unwrap();
        let code = before[0].code.clone();
        let linked = tx.map_code(actor.company_id, &code, sku[0]).await.unwrap();
        let after = tx.unmatched_codes(actor.company_id).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(linked as i64, before[0].lines);
        assert_eq!(after.len(), before.len() - 1);
        assert!(after.iter().all(|c| c.code != code));
        // Later imports resolve the mapped code too.
        let mut tx = app.db.begin_read().await.unwrap();
        let resolved = tx.resolve_codes(actor.company_id, &[code.as_str()]).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(resolved.len(), 1);
        assert_eq!(resolved[0].1.id, sku[0]);
    })
    .await;
}
