//! Reading the legacy .xls format (calamine) from a small committed file (see tests/data/README.md).

use std::path::Path;

use zhanggui_domain::{Money, TradeStatus};
use zhanggui_formats::{SheetFormat, read_sheet, taobao::read_taobao_orders};

#[test]
fn reads_a_small_xls_order_report() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/taobao_small.xls");
    let sheet = read_sheet(&path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(sheet.format, SheetFormat::Xls);
    assert_eq!(sheet.skipped, 2, "the empty row 2 and the 总计 footer");
    // Cells as a person sees them: a 12-digit number without ".0" or exponent, a date cell as text.
    let second = &sheet.rows[3];
    assert_eq!(second.line, 5);
    assert_eq!(second.cells[0], "298765432101");
    assert_eq!(sheet.rows[2].cells[4], "2024-11-11 20:31:05");
    assert_eq!(sheet.rows[2].cells[2], "1234.5");

    let (orders, errors) = read_taobao_orders(&sheet).unwrap_or_else(|e| panic!("{e}"));
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(orders.len(), 2);
    let a = &orders[0];
    assert_eq!((a.line, a.tid.as_str(), a.buyer_nick.as_str()), (4, "2287654321098765432", "小王同学"));
    assert_eq!(a.amount_paid, Money::from_fen(123_450));
    assert_eq!(a.status, TradeStatus::WaitSellerSendGoods);
    assert_eq!(a.created_at.to_string(), "2024-11-11 20:31:05");
    assert_eq!(a.item_count, 2);
    assert_eq!(a.region.as_ref().map(|r| r.district.as_str()), Some("西湖区"));
    let b = &orders[1];
    assert_eq!(b.tid, "298765432101");
    assert_eq!(b.status, TradeStatus::TradeClosedByTaobao);
    assert_eq!(b.created_at.to_string(), "2024-11-11 21:00:00");
    assert_eq!(b.paid_at, None);
}
