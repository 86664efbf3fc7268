//! End to end in Debian's headless chromium through chromedriver: log in, look at every main page
//! (a screenshot of each goes to target/screenshots/), ship an order and see its stock move, switch
//! the language. Skipped with a note when chromium or chromedriver is not installed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::*;
use fantoccini::{Client, ClientBuilder, Locator};

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn installed(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn screenshots_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot folder");
    dir
}

async fn browser() -> Option<(Driver, Client)> {
    if !installed("chromedriver") || !installed("chromium") {
        eprintln!("chromium or chromedriver is not installed; skipping the browser test");
        return None;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let driver = Driver(child);
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": "/usr/bin/chromium",
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-dev-shm-usage", "--window-size=1366,900", "--lang=zh-CN"]
        }),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    for _ in 0..50 {
        let built = ClientBuilder::new(connector.clone())
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await;
        if let Ok(client) = built {
            return Some((driver, client));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("chromedriver did not answer");
}

async fn shot(c: &Client, name: &str) {
    let png = c.screenshot().await.expect("screenshot");
    std::fs::write(screenshots_dir().join(format!("{name}.png")), png).expect("write screenshot");
}

/// Waits for the page that a click opened: until `css` is on it.
async fn wait_for(c: &Client, css: &str) {
    c.wait().at_most(Duration::from_secs(20)).for_element(Locator::Css(css)).await.expect(css);
}

async fn text_of(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css)).await.expect(css).text().await.expect("text")
}

#[tokio::test]
async fn a_shop_day_in_the_browser() {
    let Some((_driver, c)) = browser().await else { return };
    let s = Server::start().await;

    c.goto(&s.url("/orders")).await.unwrap();
    assert!(c.current_url().await.unwrap().path().starts_with("/login"), "a login is asked for");
    shot(&c, "login").await;
    c.find(Locator::Id("login")).await.unwrap().send_keys("admin").await.unwrap();
    c.find(Locator::Id("password")).await.unwrap().send_keys(ADMIN_PASSWORD).await.unwrap();
    c.find(Locator::Id("submit")).await.unwrap().click().await.unwrap();
    wait_for(&c, "table#orders").await;
    assert_eq!(c.current_url().await.unwrap().path(), "/orders");
    assert!(text_of(&c, "#orders").await.contains(&s.tid));
    shot(&c, "orders").await;

    c.find(Locator::LinkText(&s.tid)).await.unwrap().click().await.unwrap();
    wait_for(&c, "#buyer-message").await;
    assert!(text_of(&c, "#buyer-message").await.contains("<script>alert('x')</script>"), "shown as text");
    shot(&c, "trade").await;
    c.find(Locator::Id("carrier")).await.unwrap().send_keys("中通快递").await.unwrap();
    c.find(Locator::Id("tracking_no")).await.unwrap().send_keys("78000012345").await.unwrap();
    c.find(Locator::Id("ship")).await.unwrap().click().await.unwrap();
    wait_for(&c, "#notice").await;
    assert!(text_of(&c, "#notice").await.contains("已发货"));
    assert!(text_of(&c, "#trade-status").await.contains("已发货"));

    c.goto(&s.url(&format!("/stock/sku?code={SKU}"))).await.unwrap();
    assert_eq!(text_of(&c, "#on-hand").await, "18", "shipping two units took them off the shelf");
    assert!(text_of(&c, "#ledger").await.contains("销售出库"));
    shot(&c, "sku").await;
    c.goto(&s.url("/stock")).await.unwrap();
    shot(&c, "stock").await;
    c.goto(&s.url("/customers")).await.unwrap();
    assert!(text_of(&c, "#customers").await.contains("tb_buyer_01"));
    shot(&c, "customers").await;
    c.goto(&s.url("/settings/users")).await.unwrap();
    shot(&c, "users").await;
    c.goto(&s.url("/settings/audit")).await.unwrap();
    assert!(text_of(&c, "#audit").await.contains("发货"));
    shot(&c, "audit").await;

    c.find(Locator::Id("lang-en")).await.unwrap().click().await.unwrap();
    wait_for(&c, "#lang-zh").await;
    assert!(text_of(&c, "h1").await.contains("Audit log"));
    c.goto(&s.url("/orders")).await.unwrap();
    assert!(text_of(&c, "h1").await.contains("Orders"), "the language is remembered");
    shot(&c, "orders-en").await;

    c.close().await.unwrap();
    s.stop().await;
}
