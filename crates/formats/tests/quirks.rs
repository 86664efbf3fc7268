//! The fixtures really contain the quirks of DOMAIN.md §12 (so the round-trip tests exercise them).

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use zhanggui_formats::fixtures::{Encoding, Options, Quirks, sycm::sycm_items, taobao::taobao_orders};

fn decode_gbk(bytes: &[u8]) -> String {
    let (text, _, _) = encoding_rs::GBK.decode(bytes);
    text.into_owned()
}

#[test]
fn taobao_csv_has_every_quirk() {
    let files = taobao_orders(&mut ChaCha8Rng::seed_from_u64(21), 200, &Options::csv(Encoding::Gbk));
    assert!(std::str::from_utf8(&files.orders).is_err(), "GBK, not UTF-8");
    assert!(files.orders.windows(2).any(|w| w == b"\r\n"), "CRLF line ends");
    let orders = decode_gbk(&files.orders);
    let lines = decode_gbk(&files.lines);
    let header = orders.lines().next().unwrap_or("");
    for (what, found) in [
        ("trailing space in a header", header.contains(" ,") || header.contains("\u{3000},")),
        ("=\"…\" order number", orders.contains(",=\"") || orders.starts_with("=\"")),
        ("tab before an order number", orders.contains(",\t") || lines.contains(",\t")),
        (
            "full-width comma status",
            orders.contains("买家已付款，等待卖家发货") || orders.contains("卖家已发货，等待买家确认"),
        ),
        (
            "half-width comma status",
            orders.contains("\"买家已付款,等待卖家发货\"") || orders.contains("\"卖家已发货,等待买家确认\""),
        ),
        ("- for empty", orders.contains(",-,")),
        ("thousands separator", orders.contains(",\"1,") || orders.contains(",\"2,") || orders.contains(",\"3,")),
        ("￥ amount", orders.contains("￥")),
        ("masked address", orders.contains("**** ****")),
        ("masked phone", orders.contains("****")),
        ("总计 or 合计 footer", orders.contains("\r\n总计,") || orders.contains("\r\n合计,")),
        (
            "multi-line cell",
            orders.contains("\n到了打电话") || orders.contains("\n不要放价格单") || orders.contains("\n单元号"),
        ),
        ("quoted quote", orders.contains("\"\"急用\"\"")),
        ("time without seconds", orders.contains("2024/11/") || orders.contains(":00,")),
        ("full-width property separators", lines.contains("颜色分类：")),
    ] {
        assert!(found, "missing quirk: {what}");
    }
    assert!(files.truth.orders.iter().any(|o| o.lines.len() > 1), "multi-line trades");
    // Some trades have a 修改后的收货地址 that differs from 收货地址 (the reader must prefer it).
    let sheet = zhanggui_formats::read_sheet_bytes("o.csv", &files.orders).unwrap_or_else(|e| panic!("{e}"));
    let h = zhanggui_formats::Header::from_row(&sheet.rows[0]);
    let (orig, modified) = (h.find("收货地址").unwrap_or(0), h.find("修改后的收货地址").unwrap_or(0));
    let changed = sheet.rows[1..]
        .iter()
        .filter(|r| {
            let m = zhanggui_formats::cell::clean_text(r.get(modified));
            !m.is_empty() && m != zhanggui_formats::cell::clean_text(r.get(orig))
        })
        .count();
    assert!(changed > 0, "no modified address");
    assert_eq!(files.truth.order_errors.len(), 3, "bad money, bad date, missing order number");
    assert_eq!(files.truth.line_errors.len(), 1);
    assert_eq!(files.truth.join_errors.len(), 1);
    use zhanggui_domain::TradeStatus as S;
    for st in [
        S::WaitBuyerPay,
        S::WaitSellerSendGoods,
        S::WaitBuyerConfirmGoods,
        S::TradeFinished,
        S::TradeClosed,
        S::TradeClosedByTaobao,
    ] {
        assert!(files.truth.orders.iter().any(|o| o.status == st), "no trade in {st:?}");
    }
}

#[test]
fn utf8_bom_and_plain_outputs() {
    let bom = taobao_orders(&mut ChaCha8Rng::seed_from_u64(22), 5, &Options::csv(Encoding::Utf8Bom));
    assert!(bom.orders.starts_with(&[0xEF, 0xBB, 0xBF]));
    let plain = taobao_orders(&mut ChaCha8Rng::seed_from_u64(22), 5, &Options::plain());
    let text = String::from_utf8(plain.orders).unwrap_or_default();
    assert!(!text.contains("=\"") && !text.contains(",-,") && !text.contains("￥"));
}

#[test]
fn sycm_has_four_title_rows() {
    let f =
        sycm_items(&mut ChaCha8Rng::seed_from_u64(23), 1, 3, &Options::csv(Encoding::Utf8).with_quirks(Quirks::none()));
    let text = String::from_utf8(f.bytes).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("【生意参谋平台】商品_全部_"));
    assert!(lines[4].starts_with("统计日期,商品ID"));
    assert!(text.contains('%'));
}
