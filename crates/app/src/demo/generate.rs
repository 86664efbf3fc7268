//! Generates the demo shop: a company selling apparel and accessories through a Taobao shop and a
//! Tmall shop that share two warehouses, with 120 days of trades ending yesterday, purchasing,
//! refunds and traffic. Deterministic for a seed (the time of the run only decides which of the
//! latest trades are still open).
//!
//! History that has fully happened (finished or closed trades) is written in its final state at
//! once; trades still open at the time of the run go through the real trade use cases, so they hold
//! reservations and wait to ship exactly as live orders do.

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use zhanggui_domain::{Money, MoveKind, Platform, RefundKind, RefundStatus, TradeStatus, region::parse_address};
use zhanggui_store::catalog::Table;
use zhanggui_store::purchasing::{NewPurchaseOrder, po_status};
use zhanggui_store::trade_write::{CustomerKey, TradeHistory};
use zhanggui_store::traffic::TrafficRow;
use zhanggui_store::{NewLine, NewMove, NewProduct, NewRefund, NewSku, NewSupplier, NewTrade, StoreError, Tx};

use super::data::{self, Address, CatalogProduct};
use crate::trading::{self, LineInput, ShipInput, TradeError, TradeInput};
use crate::{Actor, App};

pub const DEMO_COMPANY_CODE: &str = "demo";

#[derive(Debug, Clone)]
pub struct DemoOptions {
    pub seed: u64,
    /// Days of trading history, ending yesterday.
    pub days: u32,
    /// The moment the demo is made: events after it have not happened yet.
    pub now: DateTime<Utc>,
}

impl Default for DemoOptions {
    fn default() -> Self {
        DemoOptions { seed: 20241111, days: 120, now: Utc::now() }
    }
}

/// What the demo holds.
#[derive(Debug, Clone, Serialize)]
pub struct DemoSummary {
    pub company: String,
    /// False when the demo company already existed and nothing was written.
    pub created: bool,
    pub shops: i64,
    pub warehouses: i64,
    pub products: i64,
    pub skus: i64,
    pub trades: i64,
    pub order_lines: i64,
    pub customers: i64,
    pub stock_moves: i64,
    pub refunds: i64,
    pub purchase_orders: i64,
    pub traffic_rows: i64,
    pub seconds: f64,
}

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Trade(#[from] TradeError),
    #[error("the number of days must be between 7 and 1000, not {0}")]
    Days(u32),
}

const TZ: Tz = chrono_tz::Asia::Shanghai;
const USER: &str = "demo";
const CARRIERS: [(&str, &str, usize); 6] = [
    ("中通快递", "78", 12),
    ("圆通速递", "YT", 13),
    ("韵达快递", "43", 13),
    ("申通快递", "77", 12),
    ("极兔速递", "JT", 13),
    ("顺丰速运", "SF", 13),
];
const BUYER_MESSAGES: [&str; 8] = [
    "请尽快发货，谢谢！",
    "能发顺丰吗？补邮费也可以",
    "送人的，不要放发票和价格单",
    "麻烦帮忙检查一下有没有线头",
    "周末家里没人，请放快递柜",
    "尺码按平时穿的拍的，合适吗？",
    "急用，明天能发出吗",
    "包装好一点，谢谢老板",
];
const SELLER_MEMOS: [&str; 5] =
    ["老客户，送袜子一双", "已和买家确认改尺码", "加急，优先发", "买家要求顺丰，已补邮费", "地址已核对"];
const UNSHIPPED_REFUND_REASONS: [&str; 4] = ["不想要了", "拍错了/多拍了", "地址填写错误", "协商一致退款"];
const RETURN_REASONS: [&str; 5] = ["尺码不合适", "颜色与图片不符", "质量问题", "不喜欢/效果不好", "做工瑕疵"];

struct ShopSetup {
    id: i64,
    platform: Platform,
    default_wh: i64,
    tid_base: u64,
}

struct SkuSetup {
    id: i64,
    code: String,
    product: usize,
    price: Money,
    cost: Money,
    title: String,
    properties: String,
    /// Share of the product's sales.
    share: f64,
}

struct ProductSetup {
    id: i64,
    supplier: usize,
    skus: Vec<usize>,
    popularity: f64,
    item_ids: Vec<String>,
    listed: NaiveDate,
}

struct SupplierSetup {
    id: i64,
    lead_days: i64,
    pack: i64,
}

/// An order the buyer places, with its whole future decided up front.
struct Plan {
    shop: usize,
    created: DateTime<Utc>,
    buyer: usize,
    lines: Vec<(usize, i64)>,
    discount: Money,
    postage: Money,
    paid: Option<DateTime<Utc>>,
    unpaid_close: Option<DateTime<Utc>>,
    ship: Option<DateTime<Utc>>,
    confirm: Option<DateTime<Utc>>,
    refund: Option<RefundPlan>,
    message: String,
    memo: String,
    urgent: bool,
    carrier: usize,
}

struct RefundPlan {
    kind: RefundKind,
    requested: DateTime<Utc>,
    returned: Option<DateTime<Utc>>,
    done: DateTime<Utc>,
    reason: &'static str,
}

struct Buyer {
    nick: String,
    name: String,
    phone: String,
    address: Address,
}

/// Stock as the generator sees it, kept equal to the store's balances.
#[derive(Default)]
struct Mirror {
    available: HashMap<(usize, i64), i64>,
    /// Units sold per (sku, warehouse) per day index, for replenishment.
    sold: HashMap<(usize, i64), BTreeMap<i64, i64>>,
    in_transit: HashMap<(usize, i64), i64>,
}

impl Mirror {
    fn avail(&self, sku: usize, wh: i64) -> i64 {
        self.available.get(&(sku, wh)).copied().unwrap_or(0)
    }
    fn add(&mut self, sku: usize, wh: i64, qty: i64) {
        *self.available.entry((sku, wh)).or_insert(0) += qty;
    }
    fn sold_since(&self, sku: usize, wh: i64, from_day: i64) -> i64 {
        self.sold.get(&(sku, wh)).map(|m| m.range(from_day..).map(|(_, q)| *q).sum()).unwrap_or(0)
    }
}

fn local(day: NaiveDate, hour: u32, minute: u32, second: u32) -> DateTime<Utc> {
    let naive = day.and_hms_opt(hour.min(23), minute.min(59), second.min(59)).unwrap_or_default();
    TZ.from_local_datetime(&naive).single().map(|t| t.with_timezone(&Utc)).unwrap_or_else(|| naive.and_utc())
}

fn pick_weighted(rng: &mut ChaCha8Rng, cumulative: &[f64]) -> usize {
    let total = cumulative.last().copied().unwrap_or(1.0);
    let x = rng.random::<f64>() * total;
    cumulative.partition_point(|c| *c < x).min(cumulative.len().saturating_sub(1))
}

fn cumulative(weights: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut acc = 0.0;
    weights
        .map(|w| {
            acc += w;
            acc
        })
        .collect()
}

fn round_up_pack(qty: i64, pack: i64) -> i64 {
    if qty <= 0 {
        0
    } else {
        qty.div_euclid(pack.max(1)) * pack.max(1) + if qty % pack.max(1) == 0 { 0 } else { pack.max(1) }
    }
}

impl App {
    /// Fills the database with the demo shop, unless it is already there (then nothing changes).
    /// `progress(done, total)` is called after each simulated day.
    pub async fn demo(
        &self,
        opts: &DemoOptions,
        progress: &(dyn Fn(u32, u32) + Sync),
    ) -> Result<DemoSummary, DemoError> {
        if !(7..=1000).contains(&opts.days) {
            return Err(DemoError::Days(opts.days));
        }
        let started = Instant::now();
        if let Some(company) = self.company(Some(DEMO_COMPANY_CODE)).await? {
            return self.summary(company.id, &company.code, false, started).await;
        }
        let mut generator = Generator::new(opts);
        let mut tx = self.db.begin().await?;
        let company_id = generator.setup(&mut tx).await?;
        tx.commit().await?;
        let actor = Actor { company_id, user: USER.into() };
        for day_index in -1..i64::from(opts.days) {
            let mut tx = self.db.begin().await?;
            generator.simulate_day(&mut tx, &actor, day_index).await?;
            tx.commit().await?;
            if day_index >= 0 {
                progress(u32::try_from(day_index + 1).unwrap_or(0), opts.days);
            }
        }
        self.summary(company_id, DEMO_COMPANY_CODE, true, started).await
    }

    async fn summary(
        &self,
        company_id: i64,
        code: &str,
        created: bool,
        started: Instant,
    ) -> Result<DemoSummary, DemoError> {
        let mut tx = self.db.begin_read().await?;
        let s = DemoSummary {
            company: code.to_string(),
            created,
            shops: tx.count_rows(Table::Shop, company_id).await?,
            warehouses: tx.count_rows(Table::Warehouse, company_id).await?,
            products: tx.count_rows(Table::Product, company_id).await?,
            skus: tx.count_rows(Table::Sku, company_id).await?,
            trades: tx.count_rows(Table::Trade, company_id).await?,
            order_lines: tx.count_rows(Table::OrderLine, company_id).await?,
            customers: tx.count_rows(Table::Customer, company_id).await?,
            stock_moves: tx.count_rows(Table::StockMove, company_id).await?,
            refunds: tx.count_rows(Table::Refund, company_id).await?,
            purchase_orders: tx.count_rows(Table::PurchaseOrder, company_id).await?,
            traffic_rows: tx.count_rows(Table::TrafficDaily, company_id).await?,
            seconds: started.elapsed().as_secs_f64(),
        };
        tx.commit().await?;
        Ok(s)
    }
}

struct Generator {
    rng: ChaCha8Rng,
    now: DateTime<Utc>,
    first_day: NaiveDate,
    days: i64,
    peak_day: i64,
    company_id: i64,
    warehouses: Vec<i64>,
    shops: Vec<ShopSetup>,
    suppliers: Vec<SupplierSetup>,
    products: Vec<ProductSetup>,
    skus: Vec<SkuSetup>,
    product_cdf: Vec<f64>,
    buyers: Vec<Buyer>,
    mirror: Mirror,
    /// Open purchase order lines: (po id, po line id, sku, warehouse, qty, arrival day index).
    open_po_lines: Vec<(i64, i64, usize, i64, i64, i64)>,
    po_counter: u64,
    trade_counter: u64,
    refund_counter: u64,
    tracking_counter: u64,
}

impl Generator {
    fn new(opts: &DemoOptions) -> Generator {
        let today = opts.now.with_timezone(&TZ).date_naive();
        let days = i64::from(opts.days);
        let first_day = today - Duration::days(days);
        // The Double-11 peak when the period holds a 11 November, else three quarters in.
        let peak_day = (0..days)
            .rev()
            .find(|i| {
                let d = first_day + Duration::days(*i);
                d.month() == 11 && d.day() == 11
            })
            .unwrap_or(days * 3 / 4);
        Generator {
            rng: ChaCha8Rng::seed_from_u64(opts.seed),
            now: opts.now,
            first_day,
            days,
            peak_day,
            company_id: 0,
            warehouses: Vec::new(),
            shops: Vec::new(),
            suppliers: Vec::new(),
            products: Vec::new(),
            skus: Vec::new(),
            product_cdf: Vec::new(),
            buyers: Vec::new(),
            mirror: Mirror::default(),
            open_po_lines: Vec::new(),
            po_counter: 0,
            trade_counter: 0,
            refund_counter: 0,
            tracking_counter: 0,
        }
    }

    fn day(&self, index: i64) -> NaiveDate {
        self.first_day + Duration::days(index)
    }

    async fn setup(&mut self, tx: &mut Tx) -> Result<i64, DemoError> {
        let at = local(self.first_day - Duration::days(200), 9, 0, 0);
        let company_id = tx.insert_company(DEMO_COMPANY_CODE, "杭州潮衣坊服饰有限公司", "Asia/Shanghai", at).await?;
        self.company_id = company_id;
        let hz = tx.insert_warehouse(company_id, "HZ", "杭州余杭主仓").await?;
        let gz = tx.insert_warehouse(company_id, "GZ", "广州白云分仓").await?;
        self.warehouses = vec![hz, gz];
        let taobao = tx.insert_shop(company_id, Platform::Taobao, "潮衣坊淘宝店", Some(hz), false, false, at).await?;
        let tmall = tx.insert_shop(company_id, Platform::Tmall, "潮衣坊旗舰店", Some(gz), false, false, at).await?;
        self.shops = vec![
            ShopSetup { id: taobao, platform: Platform::Taobao, default_wh: hz, tid_base: 3_905_000_000_000_000_000 },
            ShopSetup { id: tmall, platform: Platform::Tmall, default_wh: gz, tid_base: 2_416_000_000_000_000_000 },
        ];
        let suppliers = [
            ("广州白马服装厂", "陈经理", 7, 10),
            ("杭州四季青织造", "王姐", 5, 10),
            ("东莞虎门制衣", "李总", 10, 20),
            ("温州鞋业有限公司", "周经理", 12, 6),
            ("义乌饰品配件城", "吴老板", 6, 20),
            ("白沟箱包工贸", "赵经理", 9, 5),
        ];
        for (name, contact, lead, pack) in suppliers {
            let phone = data::masked_phone(&mut self.rng);
            let s = NewSupplier {
                name: name.into(),
                contact: contact.into(),
                phone,
                lead_time_days: lead,
                pack_size: pack,
            };
            let id = tx.insert_supplier(company_id, &s).await?;
            self.suppliers.push(SupplierSetup { id, lead_days: lead, pack });
        }
        let catalog: Vec<CatalogProduct> = data::catalog(&mut self.rng, 150);
        let mut item_seq: u64 = 687_300_000_000;
        for (i, p) in catalog.iter().enumerate() {
            let supplier = supplier_for(&p.category);
            // Most products were listed long ago; a few are new this fortnight.
            let listed = if i % 17 == 5 {
                self.day(self.days - 1 - (i as i64 % 13))
            } else {
                self.first_day - Duration::days(30 + (i as i64 * 37) % 300)
            };
            let np = NewProduct {
                outer_id: p.outer_id.clone(),
                title: p.title.clone(),
                category: p.category.clone(),
                cost: Money::from_fen(p.cost_fen),
                price: Money::from_fen(p.price_fen),
                listed_at: Some(local(listed, 10, 0, 0)),
                supplier_id: Some(self.suppliers[supplier].id),
            };
            let product_id = tx.insert_product(company_id, &np, at).await?;
            let mut item_ids = Vec::new();
            for shop in &self.shops {
                item_seq += 1 + self.rng.random_range(0..90_000u64);
                let item_id = item_seq.to_string();
                tx.insert_listing(company_id, shop.id, product_id, &item_id).await?;
                item_ids.push(item_id);
            }
            let mut sku_ids = Vec::new();
            let sizes = p.sizes.len();
            for (ci, color) in p.colors.iter().enumerate() {
                for (si, size) in p.sizes.iter().enumerate() {
                    let code = format!("{}-{:02}{:02}", p.outer_id, ci + 1, si + 1);
                    let properties = if sizes == 1 && size == "均码" {
                        format!("颜色分类:{color}")
                    } else {
                        format!("颜色分类:{color};尺码:{size}")
                    };
                    // Middle sizes sell best; the first colour best of all.
                    let mid = (sizes as f64 - 1.0) / 2.0;
                    let size_w = 1.0 / (1.0 + (si as f64 - mid).abs() * 0.6);
                    let color_w = 1.0 / (1.0 + ci as f64 * 0.5);
                    let ns = NewSku {
                        product_id,
                        outer_sku_id: code.clone(),
                        properties: properties.clone(),
                        barcode: format!("69{:011}", 3_000_000_000u64 + self.skus.len() as u64 * 7 + 1),
                        cost: Money::from_fen(p.cost_fen),
                        price: Money::from_fen(p.price_fen),
                        weight_g: p.weight_g,
                    };
                    let id = tx.insert_sku(company_id, &ns).await?;
                    sku_ids.push(self.skus.len());
                    self.skus.push(SkuSetup {
                        id,
                        code,
                        product: i,
                        price: Money::from_fen(p.price_fen),
                        cost: Money::from_fen(p.cost_fen),
                        title: p.title.clone(),
                        properties,
                        share: size_w * color_w,
                    });
                }
            }
            let total: f64 = sku_ids.iter().map(|s| self.skus[*s].share).sum();
            for s in &sku_ids {
                self.skus[*s].share /= total;
            }
            self.products.push(ProductSetup {
                id: product_id,
                supplier,
                skus: sku_ids,
                popularity: p.popularity,
                item_ids,
                listed,
            });
        }
        self.product_cdf = cumulative(self.products.iter().map(|p| p.popularity));
        Ok(company_id)
    }

    /// Expected units per day of one SKU on a normal day, over both shops.
    fn expected_daily_units(&self, sku: usize) -> f64 {
        let s = &self.skus[sku];
        520.0 * 1.35 * 1.12 * self.products[s.product].popularity * s.share
    }

    fn trades_on(&mut self, index: i64) -> usize {
        let d = self.day(index);
        let offset = index - self.peak_day;
        let factor = match offset {
            0 => 8.5,
            -1 => 1.9,
            1 => 1.7,
            -11..=-8 => 1.6,
            2..=3 => 1.2,
            _ => 1.0,
        };
        let weekday = match d.weekday() {
            Weekday::Mon => 0.95,
            Weekday::Tue | Weekday::Wed => 0.92,
            Weekday::Thu => 0.97,
            Weekday::Fri => 1.05,
            Weekday::Sat => 1.22,
            Weekday::Sun => 1.18,
        };
        let trend = 1.0 + 0.25 * index as f64 / self.days as f64;
        let noise = self.rng.random_range(0.88..1.12);
        let normal = (430.0 * weekday * trend * noise).clamp(300.0, 800.0);
        (normal * factor).round() as usize
    }

    fn created_time(&mut self, day: NaiveDate, peak: bool) -> DateTime<Utc> {
        const HOURS: [f64; 24] = [
            2.0, 1.0, 0.5, 0.3, 0.2, 0.3, 0.8, 1.5, 3.0, 4.5, 5.5, 5.0, 4.0, 4.5, 5.0, 5.0, 4.5, 4.0, 4.5, 5.5, 6.5,
            7.0, 6.0, 4.0,
        ];
        let hour = if peak && self.rng.random_bool(0.3) {
            0
        } else {
            let cdf = cumulative(HOURS.iter().copied());
            pick_weighted(&mut self.rng, &cdf) as u32
        };
        local(day, hour, self.rng.random_range(0..60), self.rng.random_range(0..60))
    }

    fn buyer(&mut self) -> usize {
        if !self.buyers.is_empty() && self.rng.random_bool(0.24) {
            // Loyal buyers come back more often: favour the earlier ones a little.
            let n = self.buyers.len();
            let x: f64 = self.rng.random::<f64>();
            return ((x * x) * n as f64) as usize % n;
        }
        let b = Buyer {
            nick: format!("{}{}", data::buyer_nick(&mut self.rng), if self.rng.random_bool(0.5) { "" } else { "_" })
                .trim_end_matches('_')
                .to_string(),
            name: data::receiver_name(&mut self.rng),
            phone: data::masked_phone(&mut self.rng),
            address: data::address(&mut self.rng),
        };
        self.buyers.push(b);
        self.buyers.len() - 1
    }

    fn plan(&mut self, index: i64) -> Plan {
        let day = self.day(index);
        let peak = index == self.peak_day;
        let shop = if self.rng.random_bool(0.58) { 0 } else { 1 };
        let created = self.created_time(day, peak);
        let buyer = self.buyer();
        let n_lines = match self.rng.random_range(0..100) {
            0..70 => 1,
            70..92 => 2,
            _ => 3,
        };
        let mut lines: Vec<(usize, i64)> = Vec::new();
        for _ in 0..n_lines {
            let p = pick_weighted(&mut self.rng, &self.product_cdf);
            if self.products[p].listed > day {
                continue;
            }
            let cdf = cumulative(self.products[p].skus.iter().map(|s| self.skus[*s].share));
            let sku = self.products[p].skus[pick_weighted(&mut self.rng, &cdf)];
            if lines.iter().any(|(s, _)| *s == sku) {
                continue;
            }
            let qty = match self.rng.random_range(0..100) {
                0..88 => 1,
                88..98 => 2,
                _ => 3,
            };
            lines.push((sku, qty));
        }
        let goods: Money = lines.iter().map(|(s, q)| self.skus[*s].price * *q).sum();
        let discount = if peak {
            Money::from_yuan(50) * (goods.fen() / 30_000)
        } else if goods >= Money::from_yuan(199) && self.rng.random_bool(0.2) {
            Money::from_yuan(20)
        } else if goods >= Money::from_yuan(99) && self.rng.random_bool(0.25) {
            Money::from_yuan(10)
        } else if goods >= Money::from_yuan(49) && self.rng.random_bool(0.12) {
            Money::from_yuan(5)
        } else {
            Money::ZERO
        };
        let postage =
            if goods < Money::from_yuan(59) && self.rng.random_bool(0.35) { Money::from_yuan(6) } else { Money::ZERO };
        let mut plan = Plan {
            shop,
            created,
            buyer,
            lines,
            discount,
            postage,
            paid: None,
            unpaid_close: None,
            ship: None,
            confirm: None,
            refund: None,
            message: String::new(),
            memo: String::new(),
            urgent: false,
            carrier: pick_weighted(&mut self.rng, &[30.0, 52.0, 72.0, 84.0, 94.0, 100.0]),
        };
        if self.rng.random_bool(0.03) {
            plan.unpaid_close = Some(created + Duration::minutes(self.rng.random_range(30..72 * 60)));
            return plan;
        }
        let paid = created + Duration::seconds(self.rng.random_range(5..(if peak { 600 } else { 1800 })));
        plan.paid = Some(paid);
        if self.rng.random_bool(0.06) {
            plan.message = BUYER_MESSAGES[self.rng.random_range(0..BUYER_MESSAGES.len())].into();
        }
        if self.rng.random_bool(0.03) {
            plan.memo = SELLER_MEMOS[self.rng.random_range(0..SELLER_MEMOS.len())].into();
        }
        plan.urgent = self.rng.random_bool(0.015);
        // The warehouse ships paid orders the same afternoon or the next day; a few slip past 24 h,
        // many on the peak day.
        let paid_local = paid.with_timezone(&TZ);
        let late = self.rng.random_bool(if peak { 0.45 } else { 0.06 });
        let ship_day = if paid_local.time().format("%H").to_string().parse::<u32>().unwrap_or(0) < 15 {
            paid_local.date_naive()
        } else {
            paid_local.date_naive() + Duration::days(1)
        } + Duration::days(if late { self.rng.random_range(1..3) } else { 0 });
        let mut ship = local(ship_day, self.rng.random_range(15..20), self.rng.random_range(0..60), 0);
        if ship <= paid {
            ship = paid + Duration::hours(2);
        }
        if self.rng.random_bool(0.05) {
            if self.rng.random_bool(0.4) {
                let requested = paid + Duration::minutes(self.rng.random_range(10..600));
                if requested < ship {
                    let done = requested + Duration::minutes(self.rng.random_range(5..240));
                    let reason = UNSHIPPED_REFUND_REASONS[self.rng.random_range(0..UNSHIPPED_REFUND_REASONS.len())];
                    plan.refund =
                        Some(RefundPlan { kind: RefundKind::RefundUnshipped, requested, returned: None, done, reason });
                    return plan;
                }
            } else {
                let requested = ship + Duration::hours(self.rng.random_range(60..150));
                let returned = requested + Duration::hours(self.rng.random_range(48..120));
                let done = returned + Duration::hours(self.rng.random_range(2..48));
                let reason = RETURN_REASONS[self.rng.random_range(0..RETURN_REASONS.len())];
                plan.ship = Some(ship);
                plan.refund = Some(RefundPlan {
                    kind: RefundKind::ReturnAndRefund,
                    requested,
                    returned: Some(returned),
                    done,
                    reason,
                });
                return plan;
            }
        }
        plan.ship = Some(ship);
        plan.confirm = Some(ship + Duration::hours(self.rng.random_range(60..240)));
        plan
    }

    fn tracking(&mut self, carrier: usize) -> String {
        self.tracking_counter += 1;
        let (_, prefix, digits) = CARRIERS[carrier];
        let n = 7_310_000_000_000u64 + self.tracking_counter * 7_919 + self.rng.random_range(0..7_919u64);
        let s = n.to_string();
        format!("{prefix}{}", &s[s.len().saturating_sub(digits)..])
    }

    fn next_tid(&mut self, shop: usize) -> String {
        self.trade_counter += 1;
        let base = self.shops[shop].tid_base;
        (base + self.trade_counter * 1_000_003 + self.rng.random_range(0..999_983u64)).to_string()
    }

    /// The warehouse that can ship every line: the shop's default one first.
    fn pick_warehouse(&self, shop: usize, lines: &[(usize, i64)]) -> Option<i64> {
        let default = self.shops[shop].default_wh;
        let order = std::iter::once(default).chain(self.warehouses.iter().copied().filter(|w| *w != default));
        order.into_iter().find(|wh| lines.iter().all(|(s, q)| self.mirror.avail(*s, *wh) >= *q))
    }

    async fn simulate_day(&mut self, tx: &mut Tx, actor: &Actor, index: i64) -> Result<(), DemoError> {
        let day = self.day(index);
        if index == -1 {
            self.opening_stock(tx, day).await?;
            return Ok(());
        }
        self.receive_arrivals(tx, index).await?;
        if day.weekday() == Weekday::Thu || index == 0 {
            self.replenish(tx, index).await?;
        }
        let n = self.trades_on(index);
        let mut paying: Vec<usize> = vec![0; self.shops.len()];
        let mut units_by_product: HashMap<usize, i64> = HashMap::new();
        let mut plans: Vec<Plan> = (0..n).map(|_| self.plan(index)).collect();
        plans.sort_by_key(|p| p.created);
        for plan in plans {
            if plan.lines.is_empty() {
                continue;
            }
            let Some(wh) = self.pick_warehouse(plan.shop, &plan.lines) else {
                continue; // sold out: the platform would not have let the buyer order
            };
            if plan.paid.is_some() {
                paying[plan.shop] += 1;
                for (s, q) in &plan.lines {
                    *units_by_product.entry(self.skus[*s].product).or_insert(0) += q;
                }
            }
            if self.is_history(&plan) {
                self.write_history(tx, &plan, wh, index).await?;
            } else {
                self.run_live(tx, actor, &plan).await?;
            }
        }
        self.traffic(tx, index, &paying, &units_by_product).await?;
        Ok(())
    }

    /// Has everything about this trade happened before now?
    fn is_history(&self, p: &Plan) -> bool {
        let end = p
            .unpaid_close
            .or_else(|| p.refund.as_ref().map(|r| r.done))
            .or(p.confirm)
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
        end <= self.now
    }

    fn trade_input(&self, p: &Plan, tid: &str) -> TradeInput {
        let b = &self.buyers[p.buyer];
        TradeInput {
            shop_id: self.shops[p.shop].id,
            tid: tid.to_string(),
            buyer_nick: b.nick.clone(),
            receiver_name: b.name.clone(),
            receiver_phone: b.phone.clone(),
            receiver_address: b.address.export_text(),
            postage: p.postage,
            discount: p.discount,
            created_at: p.created,
            buyer_message: p.message.clone(),
            seller_memo: p.memo.clone(),
            lines: p
                .lines
                .iter()
                .enumerate()
                .map(|(i, (s, q))| LineInput {
                    oid: if p.lines.len() == 1 { tid.to_string() } else { format!("{tid}{}", i + 1) },
                    outer_sku_id: self.skus[*s].code.clone(),
                    title: self.skus[*s].title.clone(),
                    properties: self.skus[*s].properties.clone(),
                    price: self.skus[*s].price,
                    qty: *q,
                })
                .collect(),
        }
    }

    /// A trade still open now: through the real use cases, up to what has happened.
    async fn run_live(&mut self, tx: &mut Tx, actor: &Actor, p: &Plan) -> Result<(), DemoError> {
        let tid = self.next_tid(p.shop);
        let input = self.trade_input(p, &tid);
        let trade_id = trading::create_in(tx, actor, &input).await?;
        if p.urgent {
            exec_urgent(tx, trade_id).await?;
        }
        if let Some(close) = p.unpaid_close.filter(|t| *t <= self.now) {
            trading::close_in(tx, actor, trade_id, "买家未付款，超时关闭", close).await?;
            return Ok(());
        }
        let Some(paid) = p.paid.filter(|t| *t <= self.now) else { return Ok(()) };
        trading::pay_in(tx, actor, trade_id, paid).await?;
        if let Some(r) = p.refund.as_ref().filter(|r| r.kind == RefundKind::RefundUnshipped && r.requested <= self.now)
        {
            self.open_refund(tx, trade_id, p, r).await?;
        } else if let Some(ship) = p.ship.filter(|t| *t <= self.now) {
            let tracking = self.tracking(p.carrier);
            let input = ShipInput { carrier: CARRIERS[p.carrier].0.into(), tracking_no: tracking, line_ids: None };
            trading::ship_in(tx, actor, trade_id, &input, ship).await?;
            if let Some(r) = p.refund.as_ref().filter(|r| r.requested <= self.now) {
                self.open_refund(tx, trade_id, p, r).await?;
            }
        }
        for (s, _) in &p.lines {
            self.refresh_mirror(tx, *s).await?;
        }
        Ok(())
    }

    /// A refund asked for and not finished yet.
    async fn open_refund(&mut self, tx: &mut Tx, trade_id: i64, p: &Plan, r: &RefundPlan) -> Result<(), DemoError> {
        let lines = tx.trade_lines(trade_id).await?;
        let status = match (r.kind, r.returned) {
            (RefundKind::ReturnAndRefund, Some(ret)) if ret <= self.now => RefundStatus::WaitSellerConfirmGoods,
            (RefundKind::ReturnAndRefund, _) if r.requested + Duration::hours(20) <= self.now => {
                RefundStatus::WaitBuyerReturnGoods
            }
            _ => RefundStatus::WaitSellerAgree,
        };
        let deadline = match status {
            RefundStatus::WaitSellerAgree => r.requested + Duration::hours(if p.ship.is_some() { 48 } else { 24 }),
            RefundStatus::WaitBuyerReturnGoods => r.requested + Duration::days(7),
            _ => r.returned.unwrap_or(r.requested) + Duration::days(10),
        };
        for l in &lines {
            self.refund_counter += 1;
            let refund = NewRefund {
                company_id: self.company_id,
                trade_id,
                order_line_id: Some(l.id),
                refund_no: format!("{}", 188_000_000_000_000u64 + self.refund_counter * 37),
                kind: r.kind,
                status,
                reason: r.reason.into(),
                amount: l.amount_paid,
                created_at: r.requested,
                deadline_at: Some(deadline),
                finished_at: None,
            };
            tx.insert_refund(&refund).await?;
        }
        Ok(())
    }

    async fn refresh_mirror(&mut self, tx: &mut Tx, sku: usize) -> Result<(), DemoError> {
        for (wh, on_hand, reserved) in tx.sku_balances(self.skus[sku].id, None).await? {
            self.mirror.available.insert((sku, wh), on_hand - reserved);
        }
        Ok(())
    }

    /// A trade whose story is over: written in its final state, with its moves and history, in one
    /// batch.
    async fn write_history(&mut self, tx: &mut Tx, p: &Plan, wh: i64, index: i64) -> Result<(), DemoError> {
        let tid = self.next_tid(p.shop);
        let input = self.trade_input(p, &tid);
        let tracking = if p.ship.is_some() { self.tracking(p.carrier) } else { String::new() };
        let shop = &self.shops[p.shop];
        let b = &self.buyers[p.buyer];
        let region = parse_address(&b.address.export_text()).unwrap_or_default();
        let goods: Money = input.lines.iter().map(|l| l.price * l.qty).sum();
        let weights: Vec<i64> = input.lines.iter().map(|l| (l.price * l.qty).fen()).collect();
        let line_paid = (goods - p.discount).allocate(&weights);
        let amount_paid = goods - p.discount + p.postage;
        let (status, closed_at, close_reason) = match (&p.unpaid_close, &p.refund) {
            (Some(t), _) => (TradeStatus::TradeClosedByTaobao, Some(*t), "买家未付款，超时关闭".to_string()),
            (None, Some(r)) => (TradeStatus::TradeClosed, Some(r.done), format!("退款成功：{}", r.reason)),
            (None, None) => (TradeStatus::TradeFinished, None, String::new()),
        };
        let refunded = p.refund.is_some();
        let shipped_at = p.ship;
        let refund_total = match (refunded, shipped_at.is_some()) {
            (false, _) => Money::ZERO,
            (true, true) => goods - p.discount,
            (true, false) => amount_paid,
        };
        let new = NewTrade {
            company_id: self.company_id,
            shop_id: shop.id,
            tid: tid.clone(),
            customer_id: None,
            buyer_nick: b.nick.clone(),
            receiver_name: b.name.clone(),
            receiver_phone: b.phone.clone(),
            receiver_address: input.receiver_address.clone(),
            province: region.province.clone(),
            city: region.city.clone(),
            district: region.district.clone(),
            goods_amount: goods,
            postage: p.postage,
            discount: p.discount,
            total_amount: goods + p.postage,
            amount_paid: if p.paid.is_some() { amount_paid } else { Money::ZERO },
            created_at: p.created,
            buyer_message: p.message.clone(),
            seller_memo: p.memo.clone(),
            paid_at: p.paid,
            shipped_at,
            finished_at: p.confirm.filter(|_| !refunded),
            closed_at,
            ship_by_at: p.paid.map(|t| t + trading::SHIP_WITHIN),
            close_reason,
            carrier: if shipped_at.is_some() { CARRIERS[p.carrier].0.into() } else { String::new() },
            tracking_no: tracking,
            refund_amount: refund_total,
            flag: if p.memo.is_empty() { 0 } else { 1 },
            urgent: p.urgent,
            lines: input
                .lines
                .iter()
                .enumerate()
                .map(|(i, l)| {
                    let paid = line_paid.get(i).copied().unwrap_or_default();
                    NewLine {
                        oid: l.oid.clone(),
                        sku_id: Some(self.skus[p.lines[i].0].id),
                        outer_sku_id: l.outer_sku_id.clone(),
                        title: l.title.clone(),
                        properties: l.properties.clone(),
                        price: l.price,
                        qty: l.qty,
                        amount_paid: paid,
                        refund_amount: if refunded { paid } else { Money::ZERO },
                        refund_status: if refunded { RefundStatus::Success.code().into() } else { String::new() },
                        shipped_at,
                    }
                })
                .collect(),
        };
        let mut events: Vec<(&'static str, &'static str, &'static str, DateTime<Utc>)> =
            vec![("create", "", TradeStatus::WaitBuyerPay.code(), p.created)];
        let mut moves = Vec::new();
        let mut refunds = Vec::new();
        let move_row = |sku: &SkuSetup, qty: i64, kind: MoveKind, at: DateTime<Utc>, note: String| NewMove {
            company_id: self.company_id,
            sku_id: sku.id,
            warehouse_id: wh,
            qty,
            kind,
            // Written with the trade's history, so the trade is what they refer to (returns too).
            ref_type: "trade",
            ref_id: None,
            unit_cost: sku.cost,
            note,
            user_name: USER.into(),
            at,
        };
        if let Some(paid) = p.paid {
            events.push(("pay", "WAIT_BUYER_PAY", "WAIT_SELLER_SEND_GOODS", paid));
        }
        if let Some(ship) = shipped_at {
            events.push(("ship", "WAIT_SELLER_SEND_GOODS", "WAIT_BUYER_CONFIRM_GOODS", ship));
            for (s, q) in &p.lines {
                moves.push(move_row(&self.skus[*s], -q, MoveKind::SaleShipment, ship, tid.clone()));
            }
        }
        if let Some(r) = &p.refund {
            let from = if shipped_at.is_some() { "WAIT_BUYER_CONFIRM_GOODS" } else { "WAIT_SELLER_SEND_GOODS" };
            events.push(("close", from, "TRADE_CLOSED", r.done));
            for (i, line) in new.lines.iter().enumerate() {
                self.refund_counter += 1;
                refunds.push((
                    i,
                    NewRefund {
                        company_id: self.company_id,
                        trade_id: 0,
                        order_line_id: None,
                        refund_no: format!("{}", 188_000_000_000_000u64 + self.refund_counter * 37),
                        kind: r.kind,
                        status: RefundStatus::Success,
                        reason: r.reason.into(),
                        amount: line.refund_amount
                            + if i == 0 && shipped_at.is_none() { p.postage } else { Money::ZERO },
                        created_at: r.requested,
                        deadline_at: None,
                        finished_at: Some(r.done),
                    },
                ));
                if let Some(returned) = r.returned {
                    let (s, q) = p.lines[i];
                    moves.push(move_row(
                        &self.skus[s],
                        q,
                        MoveKind::ReturnReceipt,
                        returned,
                        format!("{tid} {}", r.reason),
                    ));
                }
            }
        } else if let Some(close) = p.unpaid_close {
            events.push(("close", "WAIT_BUYER_PAY", "TRADE_CLOSED_BY_TAOBAO", close));
        } else if let Some(confirm) = p.confirm {
            events.push(("confirm", "WAIT_BUYER_CONFIRM_GOODS", "TRADE_FINISHED", confirm));
        }
        for m in &moves {
            let k = self.skus.iter().position(|s| s.id == m.sku_id).unwrap_or(0);
            self.mirror.add(k, wh, m.qty);
        }
        if let Some(paid) = p.paid {
            let paid_day = (paid.with_timezone(&TZ).date_naive() - self.first_day).num_days();
            for (s, q) in &p.lines {
                *self.mirror.sold.entry((*s, wh)).or_default().entry(paid_day.max(index)).or_insert(0) += q;
            }
        }
        let history = TradeHistory {
            trade: &new,
            status,
            customer: Some(CustomerKey {
                account_system: shop.platform.buyer_account_system(),
                nick: &b.nick,
                region: &region,
            }),
            moves,
            refunds,
            events,
            user: USER,
            at: closed_at.or(new.finished_at).unwrap_or(p.created),
            time_zone: TZ,
        };
        tx.insert_trade_history(&history).await?;
        Ok(())
    }

    async fn opening_stock(&mut self, tx: &mut Tx, day: NaiveDate) -> Result<(), DemoError> {
        let at = local(day, 9, 30, 0);
        for (si, sup) in self.suppliers.iter().enumerate() {
            let mut lines = Vec::new();
            for (k, s) in self.skus.iter().enumerate() {
                if self.products[s.product].supplier != si {
                    continue;
                }
                let daily = self.expected_daily_units(k);
                for (w, wh) in self.warehouses.iter().enumerate() {
                    let share = if w == 0 { 0.6 } else { 0.4 };
                    let qty = round_up_pack((daily * share * 40.0).ceil() as i64 + 3, sup.pack);
                    lines.push((k, *wh, qty));
                }
            }
            self.po_counter += 1;
            for wh in self.warehouses.clone() {
                let po = NewPurchaseOrder {
                    company_id: self.company_id,
                    code: format!("PO{}{:04}", day.format("%Y%m%d"), self.po_counter * 10 + wh as u64 % 10),
                    supplier_id: sup.id,
                    warehouse_id: wh,
                    status: po_status::RECEIVED,
                    ordered_at: Some(at - Duration::days(sup.lead_days)),
                    expected_at: Some(at),
                    note: "期初备货".into(),
                };
                let po_id = tx.insert_purchase_order(&po, at).await?;
                for (k, _, qty) in lines.iter().filter(|l| l.1 == wh) {
                    let s = &self.skus[*k];
                    let line_id = tx
                        .insert_purchase_order_line(self.company_id, po_id, s.id, *qty, s.cost.fen(), Some(at))
                        .await?;
                    tx.add_received(line_id, *qty).await?;
                    let m = NewMove {
                        company_id: self.company_id,
                        sku_id: s.id,
                        warehouse_id: wh,
                        qty: *qty,
                        kind: MoveKind::PurchaseReceipt,
                        ref_type: "purchase_order",
                        ref_id: Some(po_id),
                        unit_cost: s.cost,
                        note: po.code.clone(),
                        user_name: USER.into(),
                        at,
                    };
                    tx.append_move(&m).await?;
                    self.mirror.add(*k, wh, *qty);
                }
            }
        }
        Ok(())
    }

    /// Every Thursday purchasing orders what the replenishment rule asks for (DOMAIN.md §6), per
    /// supplier and warehouse, looking ahead to the peak. The three best sellers are left short in the
    /// last fortnight, as happens when a buyer waits too long.
    async fn replenish(&mut self, tx: &mut Tx, index: i64) -> Result<(), DemoError> {
        let day = self.day(index);
        let at = local(day, 11, 0, 0);
        let mut best: Vec<usize> = (0..self.products.len()).collect();
        best.sort_by(|a, b| self.products[*b].popularity.total_cmp(&self.products[*a].popularity));
        let starved: Vec<usize> = if index >= self.days - 15 { best[..3].to_vec() } else { Vec::new() };
        for si in 0..self.suppliers.len() {
            let (lead, pack, supplier_id) =
                (self.suppliers[si].lead_days, self.suppliers[si].pack, self.suppliers[si].id);
            for wh in self.warehouses.clone() {
                let mut lines = Vec::new();
                for k in 0..self.skus.len() {
                    let product = self.skus[k].product;
                    if self.products[product].supplier != si || starved.contains(&product) {
                        continue;
                    }
                    let sold14 = self.mirror.sold_since(k, wh, index - 14);
                    let avg = if index >= 14 {
                        sold14 as f64 / 14.0
                    } else {
                        self.expected_daily_units(k) * if wh == self.warehouses[0] { 0.6 } else { 0.4 }
                    };
                    let horizon = (lead + 21) as f64;
                    let arrival = index + lead;
                    let peak_extra = if (arrival..arrival + 21).contains(&self.peak_day) { avg * 10.0 } else { 0.0 };
                    let want = (horizon * avg + peak_extra + 2.0).ceil() as i64;
                    let have = self.mirror.avail(k, wh) + self.mirror.in_transit.get(&(k, wh)).copied().unwrap_or(0);
                    let need = round_up_pack(want - have, pack);
                    if need > 0 {
                        lines.push((k, need));
                    }
                }
                if lines.is_empty() {
                    continue;
                }
                self.po_counter += 1;
                let expected = day + Duration::days(lead);
                let po = NewPurchaseOrder {
                    company_id: self.company_id,
                    code: format!("PO{}{:04}", day.format("%Y%m%d"), self.po_counter),
                    supplier_id,
                    warehouse_id: wh,
                    status: po_status::ORDERED,
                    ordered_at: Some(at),
                    expected_at: Some(local(expected, 10, 0, 0)),
                    note: "周四补货".into(),
                };
                let po_id = tx.insert_purchase_order(&po, at).await?;
                // Arrivals come on time or a little late.
                let arrival = index + lead + self.rng.random_range(0..3);
                for (k, qty) in lines {
                    let s = &self.skus[k];
                    let line_id = tx
                        .insert_purchase_order_line(
                            self.company_id,
                            po_id,
                            s.id,
                            qty,
                            s.cost.fen(),
                            Some(local(expected, 10, 0, 0)),
                        )
                        .await?;
                    *self.mirror.in_transit.entry((k, wh)).or_insert(0) += qty;
                    self.open_po_lines.push((po_id, line_id, k, wh, qty, arrival));
                }
            }
        }
        Ok(())
    }

    async fn receive_arrivals(&mut self, tx: &mut Tx, index: i64) -> Result<(), DemoError> {
        let at = local(self.day(index), 10, 30, 0);
        if at > self.now {
            return Ok(());
        }
        let (due, later): (Vec<_>, Vec<_>) = self.open_po_lines.drain(..).partition(|l| l.5 <= index);
        self.open_po_lines = later;
        let mut touched: Vec<(i64, bool)> = Vec::new();
        for (po_id, line_id, k, wh, qty, _) in due {
            // Suppliers sometimes deliver a few short.
            let received = if qty >= 20 && self.rng.random_bool(0.1) { qty - qty / 20 } else { qty };
            tx.add_received(line_id, received).await?;
            let s = &self.skus[k];
            let m = NewMove {
                company_id: self.company_id,
                sku_id: s.id,
                warehouse_id: wh,
                qty: received,
                kind: MoveKind::PurchaseReceipt,
                ref_type: "purchase_order",
                ref_id: Some(po_id),
                unit_cost: s.cost,
                note: String::new(),
                user_name: USER.into(),
                at,
            };
            tx.append_move(&m).await?;
            self.mirror.add(k, wh, received);
            if let Some(t) = self.mirror.in_transit.get_mut(&(k, wh)) {
                *t -= qty;
            }
            match touched.iter_mut().find(|t| t.0 == po_id) {
                Some(t) => t.1 |= received < qty,
                None => touched.push((po_id, received < qty)),
            }
        }
        for (po_id, short) in touched {
            let status = if short { po_status::PARTIALLY_RECEIVED } else { po_status::RECEIVED };
            tx.set_purchase_order_status(po_id, status).await?;
        }
        Ok(())
    }

    /// Shop and item traffic consistent with the day's paying buyers (conversion about 3 %).
    async fn traffic(
        &mut self,
        tx: &mut Tx,
        index: i64,
        paying: &[usize],
        units_by_product: &HashMap<usize, i64>,
    ) -> Result<(), DemoError> {
        let day = self.day(index).format("%Y-%m-%d").to_string();
        let peak = index == self.peak_day;
        let mut rows = Vec::new();
        for (si, shop) in self.shops.iter().enumerate() {
            let conversion = if peak { self.rng.random_range(0.07..0.09) } else { self.rng.random_range(0.026..0.038) };
            let uv = ((paying[si] as f64) / conversion).round() as i64;
            let pv = (uv as f64 * self.rng.random_range(3.1..4.4)).round() as i64;
            rows.push(TrafficRow {
                company_id: self.company_id,
                shop_id: shop.id,
                day: day.clone(),
                pv,
                uv,
                add_cart_buyers: (uv as f64 * 0.09).round() as i64,
                favorite_buyers: (uv as f64 * 0.045).round() as i64,
                ..Default::default()
            });
            let total_units: i64 = units_by_product.values().sum::<i64>().max(1);
            for (pi, p) in self.products.iter().enumerate() {
                if p.listed > self.day(index) {
                    continue;
                }
                let sold = units_by_product.get(&pi).copied().unwrap_or(0);
                let share = 0.7 * sold as f64 / total_units as f64 + 0.3 * p.popularity;
                let item_uv = (uv as f64 * 1.35 * share * self.rng.random_range(0.8..1.2)).round() as i64;
                if item_uv == 0 {
                    continue;
                }
                // Both shops' sales split by the shops' shares of paying buyers.
                let shop_share = paying[si] as f64 / paying.iter().sum::<usize>().max(1) as f64;
                let units = (sold as f64 * shop_share).round() as i64;
                let buyers = ((units as f64) / 1.12).round() as i64;
                let price = p.skus.first().map(|s| self.skus[*s].price.fen()).unwrap_or(0);
                rows.push(TrafficRow {
                    company_id: self.company_id,
                    shop_id: shop.id,
                    day: day.clone(),
                    item_id: p.item_ids[si].clone(),
                    product_id: Some(p.id),
                    pv: (item_uv as f64 * self.rng.random_range(1.3..1.9)).round() as i64,
                    uv: item_uv.max(buyers),
                    add_cart_buyers: (item_uv as f64 * 0.08).round() as i64,
                    favorite_buyers: (item_uv as f64 * 0.05).round() as i64,
                    order_buyers: buyers + (buyers as f64 * 0.04).round() as i64,
                    paid_buyers: buyers,
                    paid_units: units,
                    paid_amount: units * price,
                    search_uv: (item_uv as f64 * 0.42).round() as i64,
                });
            }
        }
        tx.upsert_traffic_rows(&rows).await?;
        Ok(())
    }
}

async fn exec_urgent(tx: &mut Tx, trade_id: i64) -> Result<(), StoreError> {
    tx.set_trade_urgent(trade_id, true).await
}

fn supplier_for(category: &str) -> usize {
    if category.contains("鞋") {
        3
    } else if category.starts_with("配件") {
        4
    } else if category.starts_with("箱包") {
        5
    } else if category.starts_with("男装") {
        2
    } else if category.contains("卫衣") || category.contains("针织") || category.contains("羽绒") {
        1
    } else {
        0
    }
}
