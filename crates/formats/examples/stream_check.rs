//! Writes a large Taobao fixture to disk and streams it back, to check time and memory:
//! `cargo run --release -p zhanggui-formats --example stream_check -- 1000000 /tmp/big`
//! (run it under `/usr/bin/time -v` to see the peak memory; a third argument `read` only reads).

use std::time::Instant;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use zhanggui_formats::fixtures::{Encoding, Options, taobao::taobao_orders_to};
use zhanggui_formats::taobao::TaobaoOrderParser;
use zhanggui_formats::{RowParser, open_rows};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let dir = std::path::PathBuf::from(std::env::args().nth(2).unwrap_or_else(|| "/tmp".into()));
    std::fs::create_dir_all(&dir)?;
    let (orders_path, lines_path) = (dir.join("orders.csv"), dir.join("lines.csv"));
    let read_only = std::env::args().nth(3).as_deref() == Some("read");
    let started = Instant::now();
    if !read_only {
        let summary = {
            let orders = std::io::BufWriter::new(std::fs::File::create(&orders_path)?);
            let lines = std::io::BufWriter::new(std::fs::File::create(&lines_path)?);
            let opts = Options::csv(Encoding::Gbk);
            taobao_orders_to(&mut ChaCha8Rng::seed_from_u64(1), n, Encoding::Gbk, &opts, orders, lines)?
        };
        println!("wrote {summary:?} in {:?} ({} bytes)", started.elapsed(), std::fs::metadata(&orders_path)?.len());
    }
    let started = Instant::now();
    let (header, rows) = open_rows(&orders_path)?.with_header("orders.csv", TaobaoOrderParser::WANTED)?;
    let parser = TaobaoOrderParser::from_header("orders.csv", &header)?;
    let (mut good, mut bad, mut paid) = (0usize, 0usize, zhanggui_domain::Money::ZERO);
    for row in rows {
        match parser.parse("orders.csv", &row?) {
            Ok(o) => {
                good += 1;
                paid += o.amount_paid;
            }
            Err(_) => bad += 1,
        }
    }
    println!("read {good} trades ({bad} bad rows), paid {paid}, in {:?}", started.elapsed());
    Ok(())
}
