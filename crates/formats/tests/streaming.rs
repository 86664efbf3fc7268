//! Streaming CSV from disk: `open_rows` + `RowStream::with_header` + a `RowParser`, row by row, gives
//! what `read_sheet` + the reader give; the encoding decision looks at the whole file.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use zhanggui_domain::Money;
use zhanggui_formats::fixtures::{Encoding, Options, taobao::taobao_orders, taobao::taobao_orders_to};
use zhanggui_formats::taobao::{TaobaoOrderParser, read_taobao_orders};
use zhanggui_formats::{RowParser, SheetFormat, TextEncoding, open_rows, read_sheet};

fn temp_path(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("zhanggui-formats-test-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    dir.join(name)
}

#[test]
fn streamed_rows_match_the_whole_sheet() {
    let opts = Options::csv(Encoding::Gbk);
    let files = taobao_orders(&mut ChaCha8Rng::seed_from_u64(11), 150, &opts);
    let path = temp_path("orders_gbk.csv");
    std::fs::write(&path, &files.orders).unwrap_or_else(|e| panic!("{e}"));

    let sheet = read_sheet(&path).unwrap_or_else(|e| panic!("{e}"));
    let (whole, whole_errors) = read_taobao_orders(&sheet).unwrap_or_else(|e| panic!("{e}"));

    let stream = open_rows(&path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(stream.format(), SheetFormat::Csv(TextEncoding::Gb18030));
    let (header, rows) =
        stream.with_header("orders_gbk.csv", TaobaoOrderParser::WANTED).unwrap_or_else(|e| panic!("{e}"));
    let parser = TaobaoOrderParser::from_header("orders_gbk.csv", &header).unwrap_or_else(|e| panic!("{e}"));
    let mut streamed = Vec::new();
    let mut errors = Vec::new();
    for row in rows {
        let row = row.unwrap_or_else(|e| panic!("{e}"));
        match parser.parse("orders_gbk.csv", &row) {
            Ok(r) => streamed.push(r),
            Err(e) => errors.push(e),
        }
    }
    assert_eq!(streamed, whole);
    assert_eq!(errors, whole_errors);
    let _ = std::fs::remove_file(&path);
}

#[test]
fn gbk_after_a_long_ascii_start_is_still_gbk() {
    // The first 64 KiB are plain ASCII (valid UTF-8); Chinese text only comes later. Reading from
    // disk checks the whole file before deciding.
    let mut text = String::from("tid,note\n");
    for i in 0..5000 {
        text.push_str(&format!("{i:019},ascii only row\n"));
    }
    text.push_str("99,交易关闭\n");
    let (gbk, _, _) = encoding_rs::GBK.encode(&text);
    assert!(gbk.len() > 64 * 1024);
    let path = temp_path("late_gbk.csv");
    std::fs::write(&path, &gbk).unwrap_or_else(|e| panic!("{e}"));
    let sheet = read_sheet(&path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(sheet.format, SheetFormat::Csv(TextEncoding::Gb18030));
    let last = sheet.rows.last().cloned().unwrap_or_default();
    assert_eq!(last.cells, vec!["99", "交易关闭"]);
    assert_eq!(last.line, 5002);
    let _ = std::fs::remove_file(&path);
}

#[test]
fn a_large_streamed_fixture_reads_back_to_its_totals() {
    let opts = Options::csv(Encoding::Utf8Bom);
    let orders_path = temp_path("big_orders.csv");
    let lines_path = temp_path("big_lines.csv");
    let summary = {
        let orders = std::io::BufWriter::new(std::fs::File::create(&orders_path).unwrap_or_else(|e| panic!("{e}")));
        let lines = std::io::BufWriter::new(std::fs::File::create(&lines_path).unwrap_or_else(|e| panic!("{e}")));
        let mut rng = ChaCha8Rng::seed_from_u64(12);
        taobao_orders_to(&mut rng, 3000, Encoding::Utf8Bom, &opts, orders, lines).unwrap_or_else(|e| panic!("{e}"))
    };
    let stream = open_rows(&orders_path).unwrap_or_else(|e| panic!("{e}"));
    let (header, rows) =
        stream.with_header("big_orders.csv", TaobaoOrderParser::WANTED).unwrap_or_else(|e| panic!("{e}"));
    let parser = TaobaoOrderParser::from_header("big_orders.csv", &header).unwrap_or_else(|e| panic!("{e}"));
    let (mut trades, mut paid, mut amount, mut bad) = (0, 0, Money::ZERO, 0);
    let mut rows = rows;
    let mut previous: Option<(chrono::NaiveDateTime, String)> = None;
    for row in rows.by_ref() {
        match parser.parse("big_orders.csv", &row.unwrap_or_else(|e| panic!("{e}"))) {
            Ok(o) => {
                // Newest first, as the seller centre lists them, with order numbers rising with time.
                if let Some((at, tid)) = &previous {
                    assert!(o.created_at <= *at, "{} after {at}", o.created_at);
                    assert!(o.tid.len() == tid.len() && o.tid < *tid, "{} after {tid}", o.tid);
                }
                previous = Some((o.created_at, o.tid.clone()));
                trades += 1;
                if o.paid_at.is_some() {
                    paid += 1;
                }
                amount += o.amount_paid;
            }
            Err(_) => bad += 1,
        }
    }
    assert_eq!(rows.skipped(), 1, "the 总计 footer");
    assert_eq!(trades, summary.trades);
    assert_eq!(paid, summary.paid_trades);
    assert_eq!(amount, summary.amount_paid);
    assert_eq!(bad, 3);
    let lines = read_sheet(&lines_path).unwrap_or_else(|e| panic!("{e}"));
    let (lines, line_errors) = zhanggui_formats::taobao::read_taobao_lines(&lines).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(lines.len() + line_errors.len(), summary.lines + 2);
    let _ = std::fs::remove_file(&orders_path);
    let _ = std::fs::remove_file(&lines_path);
}
