//! The browser side of the end-to-end tests: chromedriver driving Debian's headless chromium, with
//! screenshots under target/screenshots/ and small helpers to wait for and read elements.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub use fantoccini::{Client, ClientBuilder, Locator};

pub struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn installed(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

pub fn screenshots_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot folder");
    dir
}

pub async fn browser() -> Option<(Driver, Client)> {
    start(None).await
}

/// A browser that saves downloads into `dir` without asking.
pub async fn browser_saving_downloads_to(dir: &Path) -> Option<(Driver, Client)> {
    start(Some(dir)).await
}

async fn start(downloads: Option<&Path>) -> Option<(Driver, Client)> {
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
    let mut options = serde_json::json!({
        "binary": "/usr/bin/chromium",
        "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-dev-shm-usage", "--window-size=1366,900", "--lang=zh-CN"]
    });
    if let Some(dir) = downloads {
        options["prefs"] = serde_json::json!({
            "download.default_directory": dir.to_string_lossy(),
            "download.prompt_for_download": false,
            "download.directory_upgrade": true,
            "safebrowsing.enabled": false
        });
    }
    let mut caps = serde_json::Map::new();
    caps.insert("goog:chromeOptions".into(), options);
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

pub async fn shot(c: &Client, name: &str) {
    let png = c.screenshot().await.expect("screenshot");
    std::fs::write(screenshots_dir().join(format!("{name}.png")), png).expect("write screenshot");
}

/// Types `text` into the field with this id, replacing what it held.
pub async fn fill(c: &Client, id: &str, text: &str) {
    let field = c.find(Locator::Id(id)).await.expect(id);
    field.clear().await.expect("clear");
    field.send_keys(text).await.expect("type");
}

pub async fn click(c: &Client, id: &str) {
    c.find(Locator::Id(id)).await.expect(id).click().await.expect("click");
}

/// Waits for the page that a click opened: until `css` is on it. A look that the browser aborts
/// because the page is navigating away ("aborted by navigation") is tried again, as is one that
/// finds nothing yet; only twenty seconds without the element fail.
pub async fn wait_for(c: &Client, css: &str) {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let error = match c.find(Locator::Css(css)).await {
            Ok(_) => return,
            Err(e) => e,
        };
        if std::time::Instant::now() > deadline {
            panic!("{css}: {error:?}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The text of the element `css` selects, looked for again while the page is still navigating.
pub async fn text_of(c: &Client, css: &str) -> String {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let error = match c.find(Locator::Css(css)).await {
            Ok(found) => match found.text().await {
                Ok(text) => return text,
                Err(e) => e,
            },
            Err(e) => e,
        };
        if std::time::Instant::now() > deadline {
            panic!("{css}: {error:?}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Clicks what submits a form and waits for the page it leads to: the page that was showing is
/// marked first, so its own elements (an earlier #notice) are never taken for the new page's.
pub async fn submit(c: &Client, what: Locator<'_>) {
    c.execute("window.__zgOldPage = true;", vec![]).await.expect("mark the page");
    c.find(what).await.expect("the button").click().await.expect("click");
    for _ in 0..400 {
        let fresh =
            c.execute("return window.__zgOldPage === undefined && document.readyState === 'complete';", vec![]).await;
        if matches!(fresh, Ok(serde_json::Value::Bool(true))) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no new page after the click");
}
