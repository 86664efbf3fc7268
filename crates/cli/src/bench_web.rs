//! `zhanggui bench web`: the web back office over a generated company (`report_bench::load`: two
//! shops, `skus` SKUs, `trades` trades over `days` days) in a scratch SQLite file, served by a real
//! `zhanggui serve` child process on a free loopback port. Measured:
//! - the time to answer the dashboard (`/`) and the first page of the order list (`/orders`), logged
//!   in, one request at a time on loopback (the server's time plus a loopback round trip): the first
//!   request on the just-started server, which computes the dashboard, and the median and best of
//!   the next ones, which are served the page kept since (`reports::dashboard_cache`) as no data
//!   changes meanwhile;
//! - with `wrk` installed, requests per second and the 99th percentile latency of each page under
//!   `connections` concurrent connections for `seconds` seconds;
//! - the server's peak resident memory (VmHWM of the child process).
//!
//! The floor, in the same run, is the login page: a page that reads nothing from the database.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::Utc;
use serde::Serialize;
use zhanggui_app::App;
use zhanggui_app::store::scratch::Scratch;

/// One page's figures.
#[derive(Debug, Clone, Serialize)]
pub struct PageFigures {
    pub path: String,
    /// The first request on the just-started server, milliseconds: nothing is kept yet (the
    /// dashboard is computed, see `reports::dashboard_cache`).
    pub first_ms: f64,
    /// Median and best of the sequential requests, milliseconds.
    pub median_ms: f64,
    pub best_ms: f64,
    /// Under load from wrk (absent when wrk is not installed).
    pub requests_per_s: Option<f64>,
    pub p99_ms: Option<f64>,
    /// median / the login page's median.
    pub ratio_to_floor: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct WebBench {
    pub trades: usize,
    pub skus: usize,
    pub days: u32,
    pub load_s: f64,
    pub connections: usize,
    pub seconds: u64,
    pub pages: Vec<PageFigures>,
    /// Peak resident memory of the server process, MiB.
    pub server_peak_rss_mib: Option<f64>,
    /// Why the load figures are missing, when they are.
    pub note: String,
}

/// Kills the server when the bench ends, however it ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

const SEQUENTIAL: usize = 15;
const PASSWORD: &str = "bench-manager-pass";

pub async fn run(
    trades: usize,
    skus: usize,
    days: u32,
    connections: usize,
    seconds: u64,
    keep: Option<&std::path::Path>,
) -> Result<WebBench, String> {
    if let Some(path) = keep {
        let url = format!("sqlite://{}", path.display());
        return run_on(&url, trades, skus.max(10), days.max(31), connections.max(1), seconds.max(1)).await;
    }
    let scratch = Scratch::sqlite();
    let result = run_on(&scratch.url, trades, skus.max(10), days.max(31), connections.max(1), seconds.max(1)).await;
    scratch.drop_now().await.map_err(|e| e.to_string())?;
    result
}

async fn run_on(
    url: &str,
    trades: usize,
    skus: usize,
    days: u32,
    connections: usize,
    seconds: u64,
) -> Result<WebBench, String> {
    let app = App::open(url).await.map_err(|e| e.to_string())?;
    let started = Instant::now();
    let kept = zhanggui_app::report_bench::existing(&app).await.map_err(|e| e.to_string())?;
    let (actor, (trades, skus, days)) = match kept {
        Some((actor, _)) => {
            let size = zhanggui_app::report_bench::size(&app, actor.company_id).await.map_err(|e| e.to_string())?;
            (actor, size)
        }
        None => {
            let actor = zhanggui_app::report_bench::load(&app, trades, skus, days, Utc::now())
                .await
                .map_err(|e| e.to_string())?;
            (actor, (trades, skus, days))
        }
    };
    let load_s = started.elapsed().as_secs_f64();
    app.first_start(actor.company_id, Some(PASSWORD)).await.map_err(|e| e.to_string())?;
    let session = app.login("admin", PASSWORD, Utc::now()).await.map_err(|e| e.to_string())?;
    app.db.close().await;

    let port =
        std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map_err(|e| e.to_string())?.port();
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let child = Command::new(exe)
        .args(["--database", url, "serve", "--listen", &format!("127.0.0.1:{port}")])
        .env_remove("DATABASE_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start the server: {e}"))?;
    let server = Server(child);
    let addr = format!("127.0.0.1:{port}");
    wait_until_listening(&addr)?;
    let cookie = format!("zg_session={}", session.token);

    let floor = sequential(&addr, "/login", None)?;
    let mut pages = Vec::new();
    let wrk = wrk_installed();
    let mut note = String::new();
    if !wrk {
        note = "wrk is not installed (apt-get install wrk): no figures under load".into();
    }
    for path in ["/", "/orders"] {
        let times = sequential(&addr, path, Some(&cookie))?;
        let (requests_per_s, p99_ms) = match wrk {
            true => load(&addr, path, &cookie, connections, seconds)?,
            false => (None, None),
        };
        pages.push(PageFigures {
            path: path.into(),
            first_ms: times.2,
            median_ms: times.0,
            best_ms: times.1,
            requests_per_s,
            p99_ms,
            ratio_to_floor: times.0 / floor.0.max(1e-6),
        });
    }
    pages.push(PageFigures {
        path: "/login".into(),
        first_ms: floor.2,
        median_ms: floor.0,
        best_ms: floor.1,
        requests_per_s: None,
        p99_ms: None,
        ratio_to_floor: 1.0,
    });
    let server_peak_rss_mib = zhanggui_app::import_bench::peak_rss_mib(Some(server.0.id()));
    drop(server);
    Ok(WebBench { trades, skus, days, load_s, connections, seconds, pages, server_peak_rss_mib, note })
}

fn wait_until_listening(addr: &str) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if TcpStream::connect(addr).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err(format!("the server did not listen on {addr} within 60 s"))
}

/// One GET; the status code and the time to the last byte.
fn get(addr: &str, path: &str, cookie: Option<&str>) -> Result<(u16, Duration), String> {
    let started = Instant::now();
    let mut s = TcpStream::connect(addr).map_err(|e| e.to_string())?;
    let cookie = cookie.map(|c| format!("Cookie: {c}\r\n")).unwrap_or_default();
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n{cookie}Connection: close\r\n\r\n");
    s.write_all(request.as_bytes()).map_err(|e| e.to_string())?;
    let mut body = Vec::new();
    s.read_to_end(&mut body).map_err(|e| e.to_string())?;
    let elapsed = started.elapsed();
    let head = String::from_utf8_lossy(&body[..body.len().min(32)]).to_string();
    let status = head.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    Ok((status, elapsed))
}

/// Median and best of [`SEQUENTIAL`] requests after two warm-ups, and the first request, in
/// milliseconds; a page that does not answer 200 is an error (a login that did not take, a broken
/// page).
fn sequential(addr: &str, path: &str, cookie: Option<&str>) -> Result<(f64, f64, f64), String> {
    let mut times = Vec::with_capacity(SEQUENTIAL);
    let mut first = 0.0;
    for i in 0..SEQUENTIAL + 2 {
        let (status, took) = get(addr, path, cookie)?;
        if status != 200 {
            return Err(format!("{path} answered {status}"));
        }
        if i == 0 {
            first = took.as_secs_f64() * 1e3;
        }
        if i >= 2 {
            times.push(took.as_secs_f64() * 1e3);
        }
    }
    times.sort_by(f64::total_cmp);
    Ok((times[times.len() / 2], times[0], first))
}

fn wrk_installed() -> bool {
    Command::new("wrk").arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok()
}

/// Requests per second and p99 latency (ms) from wrk.
fn load(
    addr: &str,
    path: &str,
    cookie: &str,
    connections: usize,
    seconds: u64,
) -> Result<(Option<f64>, Option<f64>), String> {
    let out = Command::new("wrk")
        .args([
            "-t2",
            &format!("-c{connections}"),
            &format!("-d{seconds}s"),
            "--latency",
            // A slow page is measured, not dropped: wrk's own timeout is 2 s.
            "--timeout",
            "60s",
            "-H",
            &format!("Cookie: {cookie}"),
            &format!("http://{addr}{path}"),
        ])
        .output()
        .map_err(|e| format!("wrk: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    if text.contains("Non-2xx") {
        return Err(format!("{path} answered errors under load:\n{text}"));
    }
    Ok((wrk_requests_per_s(&text), wrk_p99_ms(&text)))
}

fn wrk_requests_per_s(text: &str) -> Option<f64> {
    let line = text.lines().find(|l| l.trim_start().starts_with("Requests/sec:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// `None` also when wrk recorded no latency (no request finished in time: it prints zeros).
fn wrk_p99_ms(text: &str) -> Option<f64> {
    let line = text.lines().find(|l| l.trim_start().starts_with("99%"))?;
    duration_ms(line.split_whitespace().nth(1)?).filter(|ms| *ms > 0.0)
}

/// wrk's durations: "812.00us", "35.21ms", "1.20s", "2.00m".
fn duration_ms(text: &str) -> Option<f64> {
    let split = text.find(|c: char| c.is_ascii_alphabetic())?;
    let (n, unit) = text.split_at(split);
    let n: f64 = n.parse().ok()?;
    match unit {
        "us" => Some(n / 1e3),
        "ms" => Some(n),
        "s" => Some(n * 1e3),
        "m" => Some(n * 60e3),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_wrk_output() {
        let out = "Running 10s test @ http://127.0.0.1:1/\n  2 threads and 8 connections\n  Latency Distribution\n     50%   10.21ms\n     75%   12.00ms\n     90%   15.50ms\n     99%    1.20s\n  1234 requests in 10.00s, 5.00MB read\nRequests/sec:    123.45\nTransfer/sec:    512.00KB\n";
        assert_eq!(wrk_requests_per_s(out), Some(123.45));
        assert_eq!(wrk_p99_ms(out), Some(1200.0));
        assert_eq!(duration_ms("812.00us"), Some(0.812));
        assert_eq!(duration_ms("35.21ms"), Some(35.21));
        assert_eq!(duration_ms("2.00m"), Some(120_000.0));
        assert_eq!(duration_ms("fast"), None);
        let none_finished = "  Latency Distribution\n     50%    0.00us\n     99%    0.00us\n  8 requests in 10.00s\nRequests/sec:      0.80\n";
        assert_eq!(wrk_p99_ms(none_finished), None);
    }
}
