//! Every format round-trips through its fixture writer: what the reader gives equals what the
//! generator put in (records with line numbers, and the bad rows with their line and column).

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use zhanggui_formats::fixtures::{
    Encoding, ExpectedError, Fixture, Options, Output, Quirks, ads::ad_report, jd::jd_orders, pdd::pdd_orders,
    products::products, sycm::sycm_file_name, sycm::sycm_items, taobao::taobao_orders, taobao::taobao_status_update,
    traffic::shop_traffic,
};
use zhanggui_formats::{
    RowError, SheetFormat, TextEncoding, ads::read_ad_report, jd::read_jd_orders, pdd::read_pdd_orders,
    products::read_products, read_sheet_bytes, sycm::read_sycm_items, taobao, traffic::read_shop_traffic,
};

fn outputs() -> Vec<Output> {
    vec![Output::Csv(Encoding::Utf8), Output::Csv(Encoding::Utf8Bom), Output::Csv(Encoding::Gbk), Output::Xlsx]
}

fn option_sets() -> Vec<Options> {
    let mut out = Vec::new();
    for output in outputs() {
        let base = Options { output, ..Options::plain() };
        out.push(base.with_quirks(Quirks::all()));
        out.push(base.with_quirks(Quirks { newer_headers: true, ..Quirks::all() }));
        out.push(base.with_quirks(Quirks::none()));
    }
    out
}

fn got(errors: &[RowError]) -> Vec<ExpectedError> {
    errors.iter().map(|e| ExpectedError { line: e.line, column: e.column.clone() }).collect()
}

fn expected_format(opts: &Options) -> SheetFormat {
    match opts.output {
        Output::Csv(Encoding::Utf8) => SheetFormat::Csv(TextEncoding::Utf8),
        Output::Csv(Encoding::Utf8Bom) => SheetFormat::Csv(TextEncoding::Utf8Bom),
        Output::Csv(Encoding::Gbk) => SheetFormat::Csv(TextEncoding::Gb18030),
        Output::Xlsx => SheetFormat::Xlsx,
    }
}

fn first_diff<T: PartialEq + std::fmt::Debug>(got: &[T], want: &[T]) -> String {
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        if g != w {
            return format!("record {i} differs:\n got  {g:?}\n want {w:?}");
        }
    }
    format!("lengths differ: got {}, want {}", got.len(), want.len())
}

#[test]
fn taobao_orders_and_lines_round_trip() {
    for (k, opts) in option_sets().into_iter().enumerate() {
        let mut rng = ChaCha8Rng::seed_from_u64(100 + k as u64);
        let files = taobao_orders(&mut rng, 80, &opts);
        let orders_sheet = read_sheet_bytes(&opts.file_name("ExportOrderList"), &files.orders)
            .unwrap_or_else(|e| panic!("{opts:?}: {e}"));
        assert_eq!(orders_sheet.format, expected_format(&opts));
        let lines_sheet = read_sheet_bytes(&opts.file_name("ExportOrderDetailList"), &files.lines)
            .unwrap_or_else(|e| panic!("{opts:?}: {e}"));
        let (orders, order_errors) = taobao::read_taobao_orders(&orders_sheet).unwrap_or_else(|e| panic!("{e}"));
        let (lines, line_errors) = taobao::read_taobao_lines(&lines_sheet).unwrap_or_else(|e| panic!("{e}"));
        let (joined, join_errors) = taobao::join_lines(orders, lines, &lines_sheet.name);
        assert!(joined == files.truth.orders, "{opts:?}: {}", first_diff(&joined, &files.truth.orders));
        assert_eq!(got(&order_errors), files.truth.order_errors, "{opts:?}: {order_errors:?}");
        assert_eq!(got(&line_errors), files.truth.line_errors, "{opts:?}");
        assert_eq!(got(&join_errors), files.truth.join_errors, "{opts:?}");
        assert_eq!(orders_sheet.skipped + lines_sheet.skipped, files.truth.footer_rows);
        if opts.quirks.broken_rows {
            assert_eq!(order_errors.len(), 3);
            assert!(order_errors.iter().all(|e| !e.raw.is_empty() && !e.reason.is_empty()));
        }
    }
}

#[test]
fn taobao_status_update_moves_trades_forward() {
    use zhanggui_domain::TradeStatus as S;
    let opts = Options::csv(Encoding::Gbk);
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let first = taobao_orders(&mut rng, 120, &opts);
    let later = taobao_status_update(&mut rng, &first.truth, &opts);
    let sheet = read_sheet_bytes("later.csv", &later.orders).unwrap_or_else(|e| panic!("{e}"));
    let lines_sheet = read_sheet_bytes("later_lines.csv", &later.lines).unwrap_or_else(|e| panic!("{e}"));
    let (orders, _) = taobao::read_taobao_orders(&sheet).unwrap_or_else(|e| panic!("{e}"));
    let (lines, _) = taobao::read_taobao_lines(&lines_sheet).unwrap_or_else(|e| panic!("{e}"));
    let (joined, _) = taobao::join_lines(orders, lines, "later_lines.csv");
    assert!(joined == later.truth.orders, "{}", first_diff(&joined, &later.truth.orders));
    assert_eq!(joined.len(), first.truth.orders.len());
    let mut moved = 0;
    for (before, after) in first.truth.orders.iter().zip(&joined) {
        assert_eq!(before.tid, after.tid);
        assert_eq!(before.created_at, after.created_at);
        let path = before.status.path_to(after.status);
        assert!(path.is_some(), "{:?} -> {:?} is not a forward move", before.status, after.status);
        if before.status != after.status {
            moved += 1;
        }
        if before.paid_at.is_some() {
            assert_eq!(before.paid_at, after.paid_at);
        }
        if after.status == S::TradeFinished {
            assert!(after.finished_at.is_some() && after.seller_received.is_some());
        }
        if after.status == S::TradeClosed && before.status != S::TradeClosed {
            assert_eq!(after.refund_amount, after.lines.iter().map(|l| l.refund_amount).sum());
        }
    }
    assert!(moved > 40, "only {moved} trades moved");
}

fn check<T: PartialEq + std::fmt::Debug>(
    what: &str,
    opts: &Options,
    fixture: &Fixture<T>,
    read: impl Fn(&zhanggui_formats::Sheet) -> Result<(Vec<T>, Vec<RowError>), zhanggui_formats::FileError>,
    name: &str,
) {
    let sheet = read_sheet_bytes(name, &fixture.bytes).unwrap_or_else(|e| panic!("{what} {opts:?}: {e}"));
    assert_eq!(sheet.format, expected_format(opts), "{what}");
    let (records, errors) = read(&sheet).unwrap_or_else(|e| panic!("{what} {opts:?}: {e}"));
    assert!(records == fixture.records, "{what} {opts:?}: {}", first_diff(&records, &fixture.records));
    assert_eq!(got(&errors), fixture.errors, "{what} {opts:?}: {errors:?}");
    assert!(sheet.skipped >= fixture.footer_rows, "{what}");
    if opts.quirks.broken_rows {
        assert!(!fixture.errors.is_empty(), "{what}: no broken rows written");
    }
}

#[test]
fn pdd_round_trips() {
    for (k, opts) in option_sets().into_iter().enumerate() {
        let mut rng = ChaCha8Rng::seed_from_u64(200 + k as u64);
        let f = pdd_orders(&mut rng, 60, &opts);
        check("pdd", &opts, &f, read_pdd_orders, &opts.file_name("pdd_orders"));
        assert!(f.records.iter().all(|o| o.buyer_nick.is_empty() && o.paid_at.is_some()));
    }
}

#[test]
fn jd_round_trips() {
    for (k, opts) in option_sets().into_iter().enumerate() {
        let mut rng = ChaCha8Rng::seed_from_u64(300 + k as u64);
        let f = jd_orders(&mut rng, 60, &opts);
        check("jd", &opts, &f, read_jd_orders, &opts.file_name("jd_orders"));
        for o in &f.records {
            assert_eq!(o.lines.iter().map(|l| l.amount_paid).sum::<zhanggui_domain::Money>(), o.amount_paid);
        }
    }
}

#[test]
fn products_round_trip() {
    for (k, opts) in option_sets().into_iter().enumerate() {
        let mut rng = ChaCha8Rng::seed_from_u64(400 + k as u64);
        let f = products(&mut rng, &opts);
        check("products", &opts, &f, read_products, &opts.file_name("products"));
    }
}

#[test]
fn sycm_round_trips_with_title_rows() {
    for (k, opts) in option_sets().into_iter().enumerate() {
        let mut rng = ChaCha8Rng::seed_from_u64(500 + k as u64);
        let f = sycm_items(&mut rng, 3, 10, &opts);
        let first = chrono::NaiveDate::from_ymd_opt(2024, 11, 1).unwrap_or_default();
        let name = sycm_file_name(first, 3, &opts);
        check("sycm", &opts, &f, read_sycm_items, &name);
        let sheet = read_sheet_bytes(&name, &f.bytes).unwrap_or_else(|e| panic!("{e}"));
        let header = sheet.header_row(&["统计日期", "商品ID", "商品名称"]).unwrap_or(usize::MAX);
        assert_eq!(sheet.rows[header].line, 5, "{opts:?}");
    }
}

#[test]
fn shop_traffic_round_trips() {
    for (k, opts) in option_sets().into_iter().enumerate() {
        let mut rng = ChaCha8Rng::seed_from_u64(600 + k as u64);
        let f = shop_traffic(&mut rng, 30, &opts);
        check("traffic", &opts, &f, read_shop_traffic, &opts.file_name("traffic"));
    }
}

#[test]
fn ad_reports_round_trip() {
    for (k, opts) in option_sets().into_iter().enumerate() {
        let mut rng = ChaCha8Rng::seed_from_u64(700 + k as u64);
        let f = ad_report(&mut rng, 7, 4, &opts);
        check("ads", &opts, &f, read_ad_report, &opts.file_name("ads"));
    }
}

#[test]
fn fixtures_are_deterministic() {
    let opts = Options::csv(Encoding::Utf8);
    let a = taobao_orders(&mut ChaCha8Rng::seed_from_u64(1), 30, &opts);
    let b = taobao_orders(&mut ChaCha8Rng::seed_from_u64(1), 30, &opts);
    assert_eq!(a.orders, b.orders);
    assert_eq!(a.lines, b.lines);
    let c = taobao_orders(&mut ChaCha8Rng::seed_from_u64(2), 30, &opts);
    assert_ne!(a.orders, c.orders);
}

#[test]
fn refund_exports_round_trip() {
    use chrono::NaiveDate;
    use zhanggui_domain::Money;
    use zhanggui_formats::fixtures::refunds::{RefundSeed, refund_export};
    let paid_at = NaiveDate::from_ymd_opt(2024, 11, 11).and_then(|d| d.and_hms_opt(0, 12, 31)).unwrap_or_default();
    let seeds: Vec<RefundSeed> = (0..40)
        .map(|i| RefundSeed {
            tid: format!("41029384756{:08}", 1000 + i),
            oid: format!("41029384756{:08}", 5000 + i),
            sku_code: format!("ZG24A{:04}-01{:02}", 100 + i, i % 5),
            title: "2024冬季新款加厚羽绒服女中长款，连帽\"面包服\"".into(),
            paid: Money::from_fen(29_900 + i64::from(i) * 1_000),
            paid_at,
            shipped: i % 4 != 0,
            buyer: format!("tb{}7788", 1000 + i),
        })
        .collect();
    for (k, opts) in option_sets().into_iter().enumerate() {
        let mut rng = ChaCha8Rng::seed_from_u64(800 + k as u64);
        let f = refund_export(&mut rng, &seeds, &opts);
        check("refunds", &opts, &f, zhanggui_formats::refunds::read_refunds, &opts.file_name("refunds"));
    }
}
