//! Garbage never panics: random bytes, truncated files, empty files and header-only files give a
//! `FileError` or row errors, through `read_sheet_bytes` and every record reader.

use proptest::prelude::*;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use zhanggui_formats::fixtures::{Encoding, Options, Quirks, jd::jd_orders, taobao::taobao_orders};
use zhanggui_formats::{FileError, Sheet, read_sheet_bytes};

/// Runs every reader over a sheet; returns how many records they produced in all.
fn read_everything(sheet: &Sheet) -> usize {
    let mut n = 0;
    if let Ok((r, _)) = zhanggui_formats::taobao::read_taobao_orders(sheet) {
        n += r.len();
    }
    if let Ok((r, _)) = zhanggui_formats::taobao::read_taobao_lines(sheet) {
        n += r.len();
    }
    if let Ok((r, _)) = zhanggui_formats::pdd::read_pdd_orders(sheet) {
        n += r.len();
    }
    if let Ok((r, _)) = zhanggui_formats::jd::read_jd_orders(sheet) {
        n += r.len();
    }
    if let Ok((r, _)) = zhanggui_formats::products::read_products(sheet) {
        n += r.len();
    }
    if let Ok((r, _)) = zhanggui_formats::sycm::read_sycm_items(sheet) {
        n += r.len();
    }
    if let Ok((r, _)) = zhanggui_formats::traffic::read_shop_traffic(sheet) {
        n += r.len();
    }
    if let Ok((r, _)) = zhanggui_formats::ads::read_ad_report(sheet) {
        n += r.len();
    }
    if let Ok((r, _)) = zhanggui_formats::refunds::read_refunds(sheet) {
        n += r.len();
    }
    n
}

fn read_any(name: &str, bytes: &[u8]) {
    if let Ok(sheet) = read_sheet_bytes(name, bytes) {
        read_everything(&sheet);
    }
}

#[test]
fn empty_and_blank_files_are_errors() {
    for bytes in [&b""[..], b"\n", b"\r\n\r\n", b",,,\n,,\n", b"\xEF\xBB\xBF", b"\xEF\xBB\xBF\n"] {
        assert!(matches!(read_sheet_bytes("x.csv", bytes), Err(FileError::Empty { .. })), "{bytes:?}");
    }
}

#[test]
fn header_only_gives_no_records_and_no_errors() {
    let header = "订单编号,买家会员名,买家实际支付金额,订单状态,订单创建时间,订单付款时间\n";
    let sheet = read_sheet_bytes("x.csv", header.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    let (orders, errors) = zhanggui_formats::taobao::read_taobao_orders(&sheet).unwrap_or_else(|e| panic!("{e}"));
    assert!(orders.is_empty() && errors.is_empty());
    // A header with a 总计 footer only.
    let sheet = read_sheet_bytes("x.csv", format!("{header}总计,,1.00\n").as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(sheet.skipped, 1);
    let (orders, errors) = zhanggui_formats::taobao::read_taobao_orders(&sheet).unwrap_or_else(|e| panic!("{e}"));
    assert!(orders.is_empty() && errors.is_empty());
}

#[test]
fn a_file_of_another_kind_is_a_file_error() {
    let opts = Options::plain();
    let jd = jd_orders(&mut ChaCha8Rng::seed_from_u64(1), 5, &opts);
    let sheet = read_sheet_bytes("jd.csv", &jd.bytes).unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(zhanggui_formats::ads::read_ad_report(&sheet), Err(FileError::NoHeader { .. })));
    assert!(matches!(
        zhanggui_formats::taobao::read_taobao_orders(&sheet),
        Err(FileError::MissingColumns { .. } | FileError::NoHeader { .. })
    ));
}

#[test]
fn truncated_fixtures_never_panic() {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    for opts in [Options::csv(Encoding::Gbk), Options::csv(Encoding::Utf8Bom), Options::xlsx()] {
        let files = taobao_orders(&mut rng, 15, &opts);
        let name = opts.file_name("orders");
        let len = files.orders.len();
        for cut in (0..len).step_by((len / 97).max(1)) {
            read_any(&name, &files.orders[..cut]);
        }
        // A truncated CSV still gives the rows before the cut, with their line numbers.
        if let zhanggui_formats::fixtures::Output::Csv(_) = opts.output {
            let half = &files.orders[..len / 2];
            let sheet = read_sheet_bytes(&name, half).unwrap_or_else(|e| panic!("{e}"));
            let (orders, _) = zhanggui_formats::taobao::read_taobao_orders(&sheet).unwrap_or_else(|e| panic!("{e}"));
            for (got, want) in orders.iter().zip(&files.truth.orders) {
                if got.tid == want.tid {
                    assert_eq!(got.line, want.line);
                }
            }
        }
    }
}

#[test]
fn corrupted_xlsx_bytes_never_panic() {
    let opts = Options::xlsx().with_quirks(Quirks::none());
    let files = taobao_orders(&mut ChaCha8Rng::seed_from_u64(4), 5, &opts);
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    for _ in 0..200 {
        let mut bytes = files.orders.clone();
        for _ in 0..rand::Rng::random_range(&mut rng, 1..20) {
            let i = rand::Rng::random_range(&mut rng, 0..bytes.len());
            bytes[i] = rand::Rng::random(&mut rng);
        }
        read_any("orders.xlsx", &bytes);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        read_any("x.csv", &bytes);
    }

    #[test]
    fn random_bytes_after_spreadsheet_magic_never_panic(
        ole in any::<bool>(),
        bytes in proptest::collection::vec(any::<u8>(), 0..4096),
    ) {
        let mut data = if ole { vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] } else { b"PK\x03\x04".to_vec() };
        data.extend_from_slice(&bytes);
        let result = read_sheet_bytes("x.xls", &data);
        prop_assert!(result.is_err() || result.is_ok());
        if let Ok(sheet) = result {
            read_everything(&sheet);
        }
    }

    #[test]
    fn random_text_rows_never_panic(
        rows in proptest::collection::vec(
            proptest::collection::vec(
                prop_oneof![
                    Just("订单编号".to_string()), Just("订单状态".to_string()), Just("买家实际支付金额".to_string()),
                    Just("订单创建时间".to_string()), Just("订单号".to_string()), Just("日期".to_string()),
                    Just("花费".to_string()), Just("商家编码".to_string()), Just("总计".to_string()),
                    Just("=\"".to_string()), Just("-".to_string()), Just("1,234.50".to_string()),
                    Just("交易关闭".to_string()), Just("2024-11-11 20:31:05".to_string()), Just("45607.5".to_string()),
                    "\\PC{0,12}",
                ],
                0..10,
            ),
            0..12,
        ),
    ) {
        let text: String = rows
            .iter()
            .map(|r| r.iter().map(|c| c.replace(['"', ','], "")).collect::<Vec<_>>().join(","))
            .collect::<Vec<_>>()
            .join("\n");
        read_any("x.csv", text.as_bytes());
    }

    #[test]
    fn cell_parsers_never_panic(text in "\\PC{0,40}") {
        let _ = zhanggui_formats::cell::parse_money(&text);
        let _ = zhanggui_formats::cell::parse_int(&text);
        let _ = zhanggui_formats::cell::parse_percent(&text);
        let _ = zhanggui_formats::cell::parse_scaled(&text, 4);
        let _ = zhanggui_formats::cell::parse_local_time(&text);
        let _ = zhanggui_formats::cell::parse_status(&text, true);
        let _ = zhanggui_formats::cell::normalize_properties(&text);
        let _ = zhanggui_formats::header::header_key(&text);
        let _ = zhanggui_formats::pdd::date_from_order_id(&text);
        let _ = zhanggui_formats::sycm::dates_in(&text);
    }

    #[test]
    fn numeric_texts_parse_exactly(fen in -10_000_000_000i64..10_000_000_000) {
        let m = zhanggui_domain::Money::from_fen(fen);
        prop_assert_eq!(zhanggui_formats::cell::parse_money(&m.to_display()), Ok(Some(m)));
        prop_assert_eq!(zhanggui_formats::cell::parse_money(&format!("=\"{m}\"")), Ok(Some(m)));
        prop_assert_eq!(zhanggui_formats::cell::parse_scaled(&m.to_string(), 2), Ok(Some(fen)));
        let pct = format!("{}.{:02}%", fen / 100, (fen % 100).abs());
        if fen >= 0 {
            prop_assert_eq!(zhanggui_formats::cell::parse_percent(&pct), Ok(Some(fen)));
        }
    }
}
