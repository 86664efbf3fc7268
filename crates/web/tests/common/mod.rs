//! A real server on a free port over a fresh SQLite database holding a small shop: one warehouse
//! pair, a Taobao shop, one SKU with stock, and a paid trade whose buyer left a `<script>` message.
//! Users of several roles exist with known passwords.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod browser;
pub mod http;

#[allow(unused_imports)]
pub use http::*;

use chrono::Utc;
use zhanggui_app::domain::{Money, Platform};
use zhanggui_app::setup::{SkuSpec, StockRules};
use zhanggui_app::store::scratch::Scratch;
use zhanggui_app::trading::{LineInput, ShipInput, TradeInput};
use zhanggui_app::users::{Role, User};
use zhanggui_app::{Actor, App};
use zhanggui_web::Web;

pub const ADMIN_PASSWORD: &str = "manager-pass-1";
pub const PASSWORD: &str = "staff-pass-123";
pub const SKU: &str = "TS2401-BLK-M";
pub const EVIL_MESSAGE: &str = "<script>alert('x')</script>请尽快发货";

pub struct Server {
    pub base: String,
    pub app: App,
    pub scratch: Option<Scratch>,
    pub trade_id: i64,
    pub tid: String,
    pub manager: User,
    pub company_id: i64,
}

impl Server {
    pub async fn start() -> Server {
        let scratch = Scratch::sqlite();
        let app = App::open(&scratch.url).await.expect("open");
        let company_id = app.create_company("test", "杭州暖阳服饰", "Asia/Shanghai").await.expect("company");
        let hz = app.create_warehouse(company_id, "HZ", "杭州仓").await.expect("warehouse");
        app.create_warehouse(company_id, "GZ", "广州仓").await.expect("warehouse");
        let shop = app
            .create_shop(company_id, Platform::Taobao, "暖阳旗舰店", Some(hz), StockRules::default())
            .await
            .expect("shop");
        let spec = SkuSpec {
            outer_sku_id: SKU.into(),
            properties: "颜色分类:黑色;尺码:M".into(),
            price: Money::from_fen(9900),
            cost: Money::from_fen(3500),
        };
        app.create_product(company_id, "TS2401", "纯棉短袖T恤", "T恤", &[spec]).await.expect("product");
        let actor = Actor { company_id, user: "setup".into() };
        let now = Utc::now();
        app.adjust_stock(&actor, SKU, Some("HZ"), 20, "期初库存", now).await.expect("stock");
        // Created about two hours ago and paid one hour ago, but never before the company's midnight:
        // the day reports of yesterday that tests check must not take it in just after midnight.
        let tz = zhanggui_app::clock::zone("Asia/Shanghai");
        let midnight = zhanggui_app::clock::day_start(now.with_timezone(&tz).date_naive(), tz);
        let created = (now - chrono::Duration::hours(2)).max(midnight);
        let paid = (now - chrono::Duration::hours(1)).max(created + (now - created) / 2);
        let input = TradeInput {
            shop_id: shop,
            tid: "2401180001".into(),
            buyer_nick: "tb_buyer_01".into(),
            receiver_name: "王小明".into(),
            receiver_phone: "138****0000".into(),
            receiver_address: "浙江省 杭州市 西湖区 文三路 1 号".into(),
            created_at: created,
            buyer_message: EVIL_MESSAGE.into(),
            lines: vec![LineInput {
                outer_sku_id: SKU.into(),
                price: Money::from_fen(9900),
                qty: 2,
                ..Default::default()
            }],
            ..Default::default()
        };
        let trade_id = app.create_trade(&actor, &input).await.expect("trade");
        app.pay_trade(&actor, trade_id, paid).await.expect("pay");

        app.first_start(company_id, Some(ADMIN_PASSWORD)).await.expect("first start").expect("admin created");
        let session = app.login("admin", ADMIN_PASSWORD, Utc::now()).await.expect("admin login");
        let manager = session.user;
        for (login, role) in [("kefu", Role::Service), ("cangku", Role::Warehouse), ("yunying", Role::Operations)] {
            app.create_user(&manager, login, login, role, PASSWORD).await.expect("user");
        }

        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let web = Web { app: app.clone(), zone: zhanggui_app::clock::zone("Asia/Shanghai") };
        tokio::spawn(zhanggui_web::serve(listener, web));
        Server {
            base: format!("http://{addr}"),
            app,
            scratch: Some(scratch),
            trade_id,
            tid: input.tid,
            manager,
            company_id,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn stop(mut self) {
        self.app.db.close().await;
        if let Some(s) = self.scratch.take() {
            s.drop_now().await.expect("drop");
        }
    }

    /// A trade of `qty` units of the SKU paid three days ago and shipped two days ago (old enough
    /// for the buyer to ask for after-sales); returns its id.
    pub async fn shipped_trade(&self, tid: &str, qty: i64) -> i64 {
        let actor = Actor { company_id: self.company_id, user: "setup".into() };
        let shop = self.app.shops(&actor).await.expect("shops")[0].id;
        let now = Utc::now();
        let input = TradeInput {
            shop_id: shop,
            tid: tid.into(),
            buyer_nick: "tb_buyer_02".into(),
            receiver_name: "李小红".into(),
            created_at: now - chrono::Duration::days(3) - chrono::Duration::minutes(5),
            lines: vec![LineInput {
                outer_sku_id: SKU.into(),
                title: "纯棉短袖T恤".into(),
                properties: "颜色分类:黑色;尺码:M".into(),
                price: Money::from_fen(9900),
                qty,
                ..Default::default()
            }],
            ..Default::default()
        };
        let id = self.app.create_trade(&actor, &input).await.expect("trade");
        self.app.pay_trade(&actor, id, now - chrono::Duration::days(3)).await.expect("pay");
        let ship = ShipInput { carrier: "中通快递".into(), tracking_no: format!("7800{tid}"), line_ids: None };
        self.app.ship_trade(&actor, id, &ship, now - chrono::Duration::days(2)).await.expect("ship");
        id
    }

    /// An API token for a user, issued by the manager.
    pub async fn token_for(&self, login: &str) -> String {
        let users = self.app.users(&self.manager).await.expect("users");
        let id = users.iter().find(|u| u.login == login).expect("user").id;
        self.app.issue_api_token(&self.manager, id, "test").await.expect("token")
    }
}
