//! Test harness shared by the integration tests of zhanggui-app.
//!
//! * [`backends`]: the backends every storage test runs on: always SQLite, plus PostgreSQL when
//!   `DATABASE_URL` names a server (a fresh database is created on it per test and dropped after).
//! * [`on_every_backend`]: runs a test body once per backend on its own scratch database, checks the
//!   books afterwards, and always closes the pool and drops the database, even when the body panics.
//! * [`build_shop`]: a small, realistic shop (杭州暖阳服饰) with two warehouses, a Taobao and a Tmall
//!   shop, four SKUs and opening stock.
//! * Read helpers ([`Fixture::stock`], [`snapshot`], [`assert_books_balance`]) for the checks.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::future::Future;
use std::time::Instant;

use chrono::{DateTime, Duration, TimeZone, Utc};
use zhanggui_app::setup::{SkuSpec, StockRules};
use zhanggui_app::store::ledger::StockFilter;
use zhanggui_app::store::scratch::Scratch;
use zhanggui_app::store::{Backend, StockLine};
use zhanggui_app::trading::{LineInput, TradeInput};
use zhanggui_app::{Actor, App};
use zhanggui_domain::{Money, Platform};

/// Where a test database lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Sqlite,
    /// The admin URL of a PostgreSQL server; each test creates its own database on it.
    Postgres(String),
}

impl Target {
    pub fn name(&self) -> &'static str {
        match self {
            Target::Sqlite => "sqlite",
            Target::Postgres(_) => "postgres",
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Target::Sqlite => Backend::Sqlite,
            Target::Postgres(_) => Backend::Postgres,
        }
    }
}

/// The backends to run on: SQLite always, PostgreSQL too when `DATABASE_URL` is set.
pub fn backends() -> Vec<Target> {
    let mut out = vec![Target::Sqlite];
    if let Ok(url) = std::env::var("DATABASE_URL") {
        let url = url.trim().to_string();
        if !url.is_empty() {
            out.push(Target::Postgres(url));
        }
    }
    out
}

/// A scratch database and the application opened on it.
pub struct TestDb {
    pub target: Target,
    pub app: App,
    scratch: Scratch,
}

impl TestDb {
    /// Creates a fresh, empty, migrated database on `target`.
    pub async fn create(target: &Target) -> TestDb {
        let scratch = match target {
            Target::Sqlite => Scratch::sqlite(),
            Target::Postgres(url) => Scratch::postgres(url).await.expect("create a scratch PostgreSQL database"),
        };
        let app = App::open(&scratch.url).await.expect("open and migrate the scratch database");
        TestDb { target: target.clone(), app, scratch }
    }

    pub fn url(&self) -> &str {
        &self.scratch.url
    }

    /// Closes the pool, then drops the database (removes the SQLite file).
    pub async fn drop_now(self) {
        self.app.db.close().await;
        self.scratch.drop_now().await.expect("drop the scratch database");
    }
}

/// What a test body gets: the application on a fresh database, that database's URL and its backend.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub app: App,
    pub url: String,
    pub backend: Backend,
}

/// Runs `body` once per backend, each time on a database of its own. After the body the books of every
/// company are checked ([`assert_books_balance`]). The pool is closed and the database dropped whatever
/// happens; a panic in the body is re-raised afterwards with the backend's name printed first.
pub async fn on_every_backend<F, Fut>(test: &str, body: F)
where
    F: Fn(Ctx) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let mut failures = Vec::new();
    for target in backends() {
        let started = Instant::now();
        let db = TestDb::create(&target).await;
        let app = db.app.clone();
        let run = body(Ctx { app: app.clone(), url: db.url().to_string(), backend: target.backend() });
        let outcome = tokio::spawn(async move {
            run.await;
            let companies = {
                let mut tx = app.db.begin_read().await.expect("begin");
                let c = tx.companies().await.expect("companies");
                tx.commit().await.expect("commit");
                c
            };
            for c in companies {
                assert_books_balance(&app, c.id).await;
            }
        })
        .await;
        db.drop_now().await;
        eprintln!("{test} [{}]: {:.2} s", target.name(), started.elapsed().as_secs_f64());
        if let Err(e) = outcome {
            eprintln!("{test} FAILED on {}", target.name());
            failures.push((target.name(), e));
        }
    }
    // Every backend ran; now report the first failure (the others were printed as they happened).
    if let Some((name, e)) = failures.into_iter().next() {
        match e.try_into_panic() {
            Ok(p) => std::panic::resume_unwind(p),
            Err(e) => panic!("{test} on {name}: task failed: {e}"),
        }
    }
}

/// The stock ledger agrees with its cached balances: on_hand = Σ moves and reserved = Σ open
/// reservations for every (sku, warehouse), and no move lies outside a balance row.
pub async fn assert_books_balance(app: &App, company_id: i64) {
    let mut tx = app.db.begin_read().await.expect("begin");
    let mismatches = tx.ledger_mismatches(company_id).await.expect("ledger_mismatches");
    let orphans = tx.orphan_moves(company_id).await.expect("orphan_moves");
    tx.commit().await.expect("commit");
    assert!(mismatches.is_empty(), "ledger mismatches in company {company_id}: {mismatches:#?}");
    assert_eq!(orphans, 0, "stock moves without a balance row in company {company_id}");
}

/// 2024-06-18 20:00:00 Asia/Shanghai (the 618 evening rush), the time every test trade starts from.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 6, 18, 12, 0, 0).single().expect("valid time")
}

/// `t0` plus some minutes.
pub fn at(minutes: i64) -> DateTime<Utc> {
    t0() + Duration::minutes(minutes)
}

pub fn yuan(text: &str) -> Money {
    Money::parse(text).expect("a money literal")
}

/// One SKU of the fixture.
#[derive(Debug, Clone)]
pub struct FixtureSku {
    pub id: i64,
    pub code: &'static str,
    pub title: &'static str,
    pub price: Money,
}

/// The shop every test works on.
#[derive(Debug, Clone)]
pub struct Fixture {
    pub company_id: i64,
    pub actor: Actor,
    /// 杭州主仓, the Taobao shop's default warehouse.
    pub hz: i64,
    /// 广州仓.
    pub gz: i64,
    /// 暖阳女装淘宝店 (Taobao, default warehouse HZ).
    pub taobao: i64,
    /// 暖阳官方旗舰店 (Tmall, default warehouse HZ).
    pub tmall: i64,
    pub skus: Vec<FixtureSku>,
}

/// Merchant SKU codes (商家编码) of the fixture.
pub const TEE_BLACK_M: &str = "TS2401-BLK-M";
pub const TEE_WHITE_L: &str = "TS2401-WHT-L";
pub const JEANS_BLUE_27: &str = "JN2403-BLU-27";
pub const CUP_PINK_500: &str = "BW2405-PNK-500";

/// Opening stock of the fixture: (SKU code, warehouse code, units).
pub const OPENING_STOCK: [(&str, &str, i64); 5] = [
    (TEE_BLACK_M, "HZ", 20),
    (TEE_BLACK_M, "GZ", 5),
    (TEE_WHITE_L, "HZ", 10),
    (JEANS_BLUE_27, "HZ", 3),
    (JEANS_BLUE_27, "GZ", 2),
];

/// Builds the company 杭州暖阳服饰有限公司 with its warehouses, shops, catalogue and the opening stock
/// of [`OPENING_STOCK`] (the insulated cup starts at zero). `code` makes the company unique when one
/// database holds several.
pub async fn build_shop_named(app: &App, code: &str) -> Fixture {
    build_shop_with_stock(app, code, &OPENING_STOCK).await
}

/// As [`build_shop_named`], with the opening stock given as (SKU code, warehouse code, units); zero
/// units are skipped.
pub async fn build_shop_with_stock(app: &App, code: &str, opening: &[(&str, &str, i64)]) -> Fixture {
    let company_id = app.create_company(code, "杭州暖阳服饰有限公司", "Asia/Shanghai").await.expect("company");
    let actor = Actor { company_id, user: "仓管-王芳".into() };
    let hz = app.create_warehouse(company_id, "HZ", "杭州主仓").await.expect("warehouse HZ");
    let gz = app.create_warehouse(company_id, "GZ", "广州仓").await.expect("warehouse GZ");
    let taobao = app
        .create_shop(company_id, Platform::Taobao, "暖阳女装淘宝店", Some(hz), StockRules::default())
        .await
        .expect("taobao shop");
    let tmall = app
        .create_shop(company_id, Platform::Tmall, "暖阳官方旗舰店", Some(hz), StockRules::default())
        .await
        .expect("tmall shop");

    let spec = |code: &str, props: &str, price: &str, cost: &str| SkuSpec {
        outer_sku_id: code.into(),
        properties: props.into(),
        price: yuan(price),
        cost: yuan(cost),
    };
    let tee_title = "纯棉圆领短袖T恤女 2024夏季新款 宽松显瘦百搭上衣";
    let tee = app
        .create_product(
            company_id,
            "TS2401",
            tee_title,
            "女装/T恤",
            &[
                spec(TEE_BLACK_M, "颜色分类:黑色;尺码:M", "79.00", "32.50"),
                spec(TEE_WHITE_L, "颜色分类:白色;尺码:L", "79.00", "32.50"),
            ],
        )
        .await
        .expect("tee");
    let jeans_title = "高腰阔腿牛仔裤女 垂感显瘦直筒拖地长裤";
    let jeans = app
        .create_product(
            company_id,
            "JN2403",
            jeans_title,
            "女装/牛仔裤",
            &[spec(JEANS_BLUE_27, "颜色分类:浅蓝色;尺码:27", "159.00", "68.00")],
        )
        .await
        .expect("jeans");
    let cup_title = "316不锈钢保温杯女士 大容量便携 500ml";
    let cup = app
        .create_product(
            company_id,
            "BW2405",
            cup_title,
            "餐饮具/保温杯",
            &[spec(CUP_PINK_500, "颜色分类:樱花粉;容量:500ml", "89.90", "35.00")],
        )
        .await
        .expect("cup");
    let skus = vec![
        FixtureSku { id: tee[0], code: TEE_BLACK_M, title: tee_title, price: yuan("79.00") },
        FixtureSku { id: tee[1], code: TEE_WHITE_L, title: tee_title, price: yuan("79.00") },
        FixtureSku { id: jeans[0], code: JEANS_BLUE_27, title: jeans_title, price: yuan("159.00") },
        FixtureSku { id: cup[0], code: CUP_PINK_500, title: cup_title, price: yuan("89.90") },
    ];
    let fx = Fixture { company_id, actor, hz, gz, taobao, tmall, skus };
    for (code, wh, qty) in opening.iter().copied().filter(|o| o.2 > 0) {
        let cost = if code == JEANS_BLUE_27 { "68.00" } else { "32.50" };
        app.receive_stock(&fx.actor, code, Some(wh), qty, yuan(cost), t0() - Duration::days(3))
            .await
            .expect("opening stock");
    }
    fx
}

pub async fn build_shop(app: &App) -> Fixture {
    build_shop_named(app, "nuanyang").await
}

/// Stock of one SKU in one warehouse: (on_hand, reserved, available).
pub type Stock = (i64, i64, i64);

impl Fixture {
    pub fn sku(&self, code: &str) -> &FixtureSku {
        self.skus.iter().find(|s| s.code == code).unwrap_or_else(|| panic!("no SKU {code} in the fixture"))
    }

    pub fn warehouse(&self, code: &str) -> i64 {
        match code {
            "HZ" => self.hz,
            "GZ" => self.gz,
            other => panic!("no warehouse {other} in the fixture"),
        }
    }

    /// (on_hand, reserved, available) of a SKU in a warehouse ("HZ" or "GZ").
    pub async fn stock(&self, app: &App, code: &str, wh: &str) -> Stock {
        let filter = StockFilter {
            company_id: self.company_id,
            sku_id: Some(self.sku(code).id),
            warehouse_id: Some(self.warehouse(wh)),
            ..Default::default()
        };
        let lines = app.stock_list(&filter).await.expect("stock_list");
        assert_eq!(lines.len(), 1, "one stock line for {code} in {wh}: {lines:?}");
        let l = &lines[0];
        assert_eq!(l.available, l.on_hand - l.reserved, "available = on_hand - reserved");
        (l.on_hand, l.reserved, l.available)
    }

    /// Every stock line of the company.
    pub async fn stock_lines(&self, app: &App) -> Vec<StockLine> {
        let filter = StockFilter { company_id: self.company_id, ..Default::default() };
        let mut lines = app.stock_list(&filter).await.expect("stock_list");
        lines.sort_by_key(|l| (l.sku_id, l.warehouse_id));
        lines
    }

    /// A Taobao-style trade of buyer `buyer` for `lines` (SKU code, quantity) at the SKUs' prices,
    /// free shipping, no discount, created at `t0`.
    pub fn trade(&self, shop_id: i64, tid: &str, buyer: &str, lines: &[(&str, i64)]) -> TradeInput {
        TradeInput {
            shop_id,
            tid: tid.into(),
            buyer_nick: buyer.into(),
            receiver_name: "张晓梅".into(),
            receiver_phone: "138****5678".into(),
            receiver_address: "浙江省 杭州市 西湖区 文三路478号华星时代广场A座1203室".into(),
            postage: Money::ZERO,
            discount: Money::ZERO,
            created_at: t0(),
            buyer_message: "麻烦尽快发货，谢谢！".into(),
            seller_memo: String::new(),
            lines: lines
                .iter()
                .enumerate()
                .map(|(i, (code, qty))| {
                    let known = self.skus.iter().find(|s| s.code == *code);
                    LineInput {
                        oid: format!("{tid}{:02}", i + 1),
                        outer_sku_id: (*code).into(),
                        title: known.map(|s| s.title.to_string()).unwrap_or_default(),
                        properties: String::new(),
                        price: known.map(|s| s.price).unwrap_or(yuan("49.00")),
                        qty: *qty,
                    }
                })
                .collect(),
        }
    }
}

/// Everything a refused operation must leave as it was: the trades given (row, lines, history, open
/// reservations), every stock line and every move of every SKU of the company, the customers of those
/// trades, and the row counts of the company's trades, lines, moves and customers.
pub async fn snapshot(app: &App, company_id: i64, trade_ids: &[i64]) -> String {
    use std::fmt::Write as _;
    use zhanggui_app::store::catalog::Table;

    let mut out = String::new();
    let mut tx = app.db.begin_read().await.expect("begin");
    for id in trade_ids {
        let trade = tx.trade(company_id, *id).await.expect("trade");
        writeln!(out, "trade {id}: {trade:?}").ok();
        writeln!(out, "  lines: {:?}", tx.trade_lines(*id).await.expect("lines")).ok();
        writeln!(out, "  events: {:?}", tx.trade_events(*id).await.expect("events")).ok();
        writeln!(out, "  reservations: {:?}", tx.open_reservations(*id).await.expect("reservations")).ok();
        if let Some(cid) = trade.and_then(|t| t.customer_id) {
            writeln!(out, "  customer: {:?}", tx.customer(cid).await.expect("customer")).ok();
        }
    }
    let filter = StockFilter { company_id, ..Default::default() };
    let mut lines = tx.stock_lines(&filter).await.expect("stock lines");
    lines.sort_by_key(|l| (l.sku_id, l.warehouse_id));
    writeln!(out, "stock: {lines:?}").ok();
    for sku in tx.skus(company_id).await.expect("skus") {
        writeln!(out, "moves of {}: {:?}", sku.outer_sku_id, tx.sku_moves(sku.id, 100_000).await.expect("moves")).ok();
    }
    for table in [Table::Trade, Table::OrderLine, Table::StockMove, Table::Customer] {
        writeln!(out, "{table:?}: {}", tx.count_rows(table, company_id).await.expect("count")).ok();
    }
    tx.commit().await.expect("commit");
    out
}

/// Opens `n` connections of the pool at once (and gives them back), so that a race that follows is
/// not serialised by connections being established one by one.
pub async fn warm_pool(app: &App, n: usize) {
    let mut open = Vec::with_capacity(n);
    for _ in 0..n {
        open.push(app.db.begin_read());
    }
    let mut held = Vec::with_capacity(n);
    for tx in futures_join(open).await {
        held.push(tx.expect("begin"));
    }
    for tx in held {
        tx.commit().await.expect("commit");
    }
}

/// Awaits all futures concurrently (a tiny join_all on tokio tasks' terms, without extra crates).
async fn futures_join<F: Future>(futs: Vec<F>) -> Vec<F::Output> {
    let mut futs: Vec<std::pin::Pin<Box<F>>> = futs.into_iter().map(Box::pin).collect();
    let mut out: Vec<Option<F::Output>> = futs.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (f, slot) in futs.iter_mut().zip(out.iter_mut()) {
            if slot.is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => *slot = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending { std::task::Poll::Pending } else { std::task::Poll::Ready(()) }
    })
    .await;
    out.into_iter().map(|o| o.expect("every future finished")).collect()
}
