//! 工作台 and 报表 over HTTP: the dashboard shows the figures of the daily report for the same date and
//! shop, its alerts lead to where the work is done, each report page renders and downloads as xlsx, and
//! roles without the dashboard land on their own first page.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use common::*;
use zhanggui_app::domain::Money;
use zhanggui_app::reports::FIGURE_ROWS;
use zhanggui_app::trading::{LineInput, TradeInput};
use zhanggui_app::{Actor, App};

fn zone() -> chrono_tz::Tz {
    zhanggui_app::clock::zone("Asia/Shanghai")
}

fn at(day: NaiveDate, hour: i64) -> DateTime<Utc> {
    zhanggui_app::clock::day_start(day, zone()) + Duration::hours(hour)
}

/// A paid trade of `qty` units created an hour before it was paid.
async fn paid_trade(app: &App, actor: &Actor, shop_id: i64, tid: &str, buyer: &str, qty: i64, paid: DateTime<Utc>) {
    let input = TradeInput {
        shop_id,
        tid: tid.into(),
        buyer_nick: buyer.into(),
        receiver_name: "李四".into(),
        receiver_address: "广东省 广州市 天河区 体育西路 2 号".into(),
        created_at: paid - Duration::hours(1),
        lines: vec![LineInput { outer_sku_id: SKU.into(), price: Money::from_fen(9900), qty, ..Default::default() }],
        ..Default::default()
    };
    let id = app.create_trade(actor, &input).await.expect("trade");
    app.pay_trade(actor, id, paid).await.expect("pay");
}

/// The `data-exact` of the element with this id.
fn exact(html: &str, id: &str) -> String {
    let marker = format!("id=\"{id}\" data-exact=\"");
    let start = html.find(&marker).unwrap_or_else(|| panic!("no {id} on the page")) + marker.len();
    html[start..].split('"').next().unwrap_or("").to_string()
}

async fn get(s: &Server, cookie: &str, path: &str) -> reqwest::Response {
    client().get(s.url(path)).header("cookie", cookie).send().await.unwrap()
}

#[tokio::test]
async fn the_dashboard_shows_the_daily_report_s_figures() {
    let s = Server::start().await;
    let actor = Actor { company_id: s.company_id, user: "setup".into() };
    let shop = s.app.shops(&actor).await.unwrap()[0].id;
    let today = Utc::now().with_timezone(&zone()).date_naive();
    let yesterday = today - Duration::days(1);
    // Yesterday: two buyers, three trades; the day before one; a week before one; and a trade paid two
    // days ago that is still not shipped (an alert).
    paid_trade(&s.app, &actor, shop, "Y1", "buyer_a", 1, at(yesterday, 10)).await;
    paid_trade(&s.app, &actor, shop, "Y2", "buyer_a", 2, at(yesterday, 15)).await;
    paid_trade(&s.app, &actor, shop, "Y3", "buyer_b", 1, at(yesterday, 20)).await;
    paid_trade(&s.app, &actor, shop, "D1", "buyer_c", 1, at(yesterday - Duration::days(1), 9)).await;
    paid_trade(&s.app, &actor, shop, "W1", "buyer_d", 3, at(yesterday - Duration::days(7), 11)).await;
    paid_trade(&s.app, &actor, shop, "LATE1", "buyer_e", 1, at(yesterday - Duration::days(2), 8)).await;

    let b = login(&s, "admin", ADMIN_PASSWORD).await;
    for (query, shop_arg) in [("".to_string(), None), (format!("?shop={shop}"), Some(shop.to_string()))] {
        let r = get(&s, &b.cookie, &format!("/{query}")).await;
        assert_eq!(r.status(), 200);
        let html = r.text().await.unwrap();
        let report = s.app.daily_report(&s.manager.actor(), shop_arg.as_deref(), None, Utc::now()).await.unwrap();
        assert_eq!(report.date, yesterday.format("%Y-%m-%d").to_string());
        for key in [
            "amount_paid",
            "orders_paid",
            "paying_buyers",
            "uv",
            "conversion_rate",
            "aov",
            "orders_created",
            "payment_rate",
            "refund_amount",
            "refund_rate",
        ] {
            assert!(FIGURE_ROWS.iter().any(|r| r.0 == key));
            assert_eq!(exact(&html, &format!("day-{key}")), report.day.display(key), "day {key}");
            assert_eq!(exact(&html, &format!("month-{key}")), report.month_to_date.display(key), "month {key}");
        }
        assert_eq!(report.day.display("amount_paid"), "¥396.00");
        assert_eq!(report.day.display("paying_buyers"), "2");
        // Against the day before (one trade of ¥99) and the same day last week (¥297).
        assert!(html.contains("较前一日 <span class=\"up\">↑ +300.0%</span>"), "{html}");
        assert!(html.contains("较上周同日 <span class=\"up\">↑ +33.3%</span>"));
        // The best seller with its days of cover, and the charts drawn on the server.
        let best = &report.best_sellers[0];
        assert_eq!(best.sku_code, SKU);
        assert!(html.contains(&format!("<td class=\"num\">{}</td>", best.days_of_cover)));
        for chart in ["chart-amount_paid", "chart-uv", "chart-conversion_rate", "chart-aov", "chart-best"] {
            assert!(html.contains(&format!("<svg id=\"{chart}\"")), "{chart}");
        }
        // The overdue trade is an alert that leads to the trade.
        assert!(report.alerts.iter().any(|a| a.subject == "订单 LATE1"));
        assert!(html.contains("href=\"/orders/tid/LATE1\""));
    }
    // 收订笔数 links to exactly the trades created that day.
    let link = format!("/orders?from={yesterday}&#38;to={yesterday}");
    let html = get(&s, &b.cookie, "/").await.text().await.unwrap();
    assert!(html.contains(&format!("href=\"{link}\"")), "{html}");
    let html = get(&s, &b.cookie, &link.replace("&#38;", "&")).await.text().await.unwrap();
    for tid in ["Y1", "Y2", "Y3"] {
        assert!(html.contains(&format!(">{tid}<")), "{tid}");
    }
    assert!(!html.contains(">D1<") && !html.contains(">W1<"));
    let r = get(&s, &b.cookie, "/orders/tid/LATE1").await;
    assert_eq!(r.status(), 303);
    let to = r.headers().get("location").unwrap().to_str().unwrap().to_string();
    let html = get(&s, &b.cookie, &to).await.text().await.unwrap();
    assert!(html.contains("LATE1") && html.contains("buyer_e"));
    // An earlier date shows that date's figures.
    let before = yesterday - Duration::days(1);
    let html = get(&s, &b.cookie, &format!("/?date={before}")).await.text().await.unwrap();
    let report = s.app.daily_report(&s.manager.actor(), None, Some(before), Utc::now()).await.unwrap();
    assert_eq!(exact(&html, "day-amount_paid"), "¥99.00");
    assert_eq!(exact(&html, "day-amount_paid"), report.day.display("amount_paid"));
    // A date that is not one is said to be so.
    let html = get(&s, &b.cookie, "/?date=2024-13-40%27").await.text().await.unwrap();
    assert!(html.contains("日期应写成 YYYY-MM-DD"));
    s.stop().await;
}

#[tokio::test]
async fn the_dashboard_link_follows_the_role() {
    let s = Server::start().await;
    let admin = login(&s, "admin", ADMIN_PASSWORD).await;
    let html = get(&s, &admin.cookie, "/").await.text().await.unwrap();
    assert!(html.contains("href=\"/\" class=\"on\" id=\"nav-home\""), "the manager's 工作台 is this page");
    assert!(html.contains("id=\"nav-reports\""));
    let yunying = login(&s, "yunying", PASSWORD).await;
    assert_eq!(get(&s, &yunying.cookie, "/").await.status(), 200, "operations reads the dashboard");
    for (login_name, lands) in [("kefu", "/orders"), ("cangku", "/orders")] {
        let b = login(&s, login_name, PASSWORD).await;
        let r = get(&s, &b.cookie, "/").await;
        assert_eq!(r.status(), 303, "{login_name}");
        assert_eq!(r.headers().get("location").unwrap(), lands);
        let html = get(&s, &b.cookie, lands).await.text().await.unwrap();
        assert!(!html.contains("id=\"nav-home\"") && !html.contains("id=\"nav-reports\""), "{login_name}");
        assert_eq!(get(&s, &b.cookie, "/reports/daily").await.status(), 403, "{login_name}");
        assert_eq!(get(&s, &b.cookie, "/reports/daily/xlsx").await.status(), 403, "{login_name}");
    }
    s.stop().await;
}

#[tokio::test]
async fn every_report_renders_and_downloads_as_xlsx() {
    let s = Server::start().await;
    let b = login(&s, "admin", ADMIN_PASSWORD).await;
    let yesterday = Utc::now().with_timezone(&zone()).date_naive() - Duration::days(1);
    let month = yesterday.format("%Y-%m").to_string();
    let kinds = [
        ("daily", format!("?date={yesterday}"), "日报"),
        ("weekly", format!("?date={yesterday}"), "周报"),
        ("monthly", format!("?month={month}"), "月报"),
        ("customers", format!("?from={}&to={yesterday}", yesterday - Duration::days(29)), "付款客户"),
        ("replenishment", format!("?date={yesterday}"), "补货需求表"),
        ("alerts", format!("?date={yesterday}&shop=暖阳旗舰店"), "预警"),
    ];
    for (kind, query, title) in &kinds {
        let r = get(&s, &b.cookie, &format!("/reports/{kind}{query}")).await;
        assert_eq!(r.status(), 200, "{kind}");
        let html = r.text().await.unwrap();
        assert!(html.contains(title), "{kind}");
        assert!(html.contains("id=\"nav-reports\""));
        let r = get(&s, &b.cookie, &format!("/reports/{kind}/xlsx{query}")).await;
        assert_eq!(r.status(), 200, "{kind}");
        let ct = r.headers().get("content-type").unwrap().to_str().unwrap().to_string();
        assert!(ct.contains("spreadsheetml"), "{ct}");
        let cd = r.headers().get("content-disposition").unwrap().to_str().unwrap().to_string();
        assert!(cd.contains(&format!("zhanggui-{kind}-")) && cd.ends_with(".xlsx\""), "{cd}");
        let bytes = r.bytes().await.unwrap();
        assert!(bytes.starts_with(b"PK"), "{kind}: an xlsx is a zip");
    }
    // The daily report page shows the same figures as the report.
    let html = get(&s, &b.cookie, &format!("/reports/daily?date={yesterday}")).await.text().await.unwrap();
    let r = s.app.daily_report(&s.manager.actor(), None, Some(yesterday), Utc::now()).await.unwrap();
    assert!(html.contains(&format!("<td class=\"num\">{}</td>", r.day.display("orders_created"))));
    // Without a date the picker and the download name the day the report is of.
    let html = get(&s, &b.cookie, "/reports/daily").await.text().await.unwrap();
    assert!(html.contains(&format!("value=\"{yesterday}\" id=\"f-date\"")));
    assert!(html.contains(&format!("href=\"/reports/daily/xlsx?date={yesterday}\"")));
    // The SKU in the replenishment table links to its page.
    let html = get(&s, &b.cookie, &format!("/reports/replenishment?date={yesterday}")).await.text().await.unwrap();
    assert!(html.contains(&format!("href=\"/stock/sku?code={SKU}\"")));
    // Bad input is named, not a crash.
    let r = get(&s, &b.cookie, "/reports/monthly?month=2024-13").await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("月份应写成 YYYY-MM"));
    let r = get(&s, &b.cookie, "/reports/daily?shop=%27%20OR%201%3D1--").await;
    assert_eq!(r.status(), 404);
    assert_eq!(get(&s, &b.cookie, "/reports/nonsense").await.status(), 404);
    let r = get(&s, &b.cookie, "/reports").await;
    assert_eq!(r.headers().get("location").unwrap(), "/reports/daily");
    s.stop().await;
}
