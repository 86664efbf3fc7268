//! 导出 Excel of the orders, stock and customers lists: every row the list's filters select (all pages,
//! whatever page was shown), one sheet, the columns a shop expects. Cost columns are there only for
//! roles that may see costs; the use cases leave them out for the others.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use zhanggui_app::Lang;
use zhanggui_app::browse::FLAGS;
use zhanggui_app::domain::{Money, Platform};
use zhanggui_app::exports::EXPORT_AT_MOST;
use zhanggui_app::formats::report::{ReportCell, ReportTable, xlsx_bytes};
use zhanggui_app::users::Permission;

use crate::Web;
use crate::auth::Authed;
use crate::pages::{
    CustomerQuery, OrderQuery, StockQuery, customer_filter, error_page, require, stock_filter, trade_filter,
};
use crate::view;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The workbook as a download named `zhanggui-<what>-<today>.xlsx`.
pub(crate) fn xlsx_download(web: &Web, lang: Lang, what: &str, table: ReportTable) -> Response {
    match xlsx_bytes(&[table]) {
        Ok(bytes) => {
            let name = format!("zhanggui-{what}-{}.xlsx", Utc::now().with_timezone(&web.zone).format("%Y-%m-%d"));
            (
                [(CONTENT_TYPE, XLSX.to_string()), (CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\""))],
                bytes,
            )
                .into_response()
        }
        Err(e) => {
            tracing::error!("xlsx: {e}");
            (StatusCode::INTERNAL_SERVER_ERROR, lang.pick("无法生成 Excel 文件", "cannot write the workbook"))
                .into_response()
        }
    }
}

fn text(s: impl Into<String>) -> ReportCell {
    ReportCell::Text(s.into())
}

fn money(m: Money) -> ReportCell {
    ReportCell::Decimal(m.to_plain(), 2)
}

fn opt_time(t: Option<chrono::DateTime<Utc>>, zone: chrono_tz::Tz) -> ReportCell {
    t.map_or(ReportCell::Empty, |t| text(view::time(t, zone)))
}

fn headers(lang: Lang, names: &[(&str, &str)]) -> Vec<String> {
    names.iter().map(|(zh, en)| lang.pick(zh, en).to_string()).collect()
}

/// The last row of a file that stops at [`EXPORT_AT_MOST`] rows.
fn truncated_row(lang: Lang) -> Vec<ReportCell> {
    vec![text(match lang {
        Lang::Zh => format!("只导出了前 {EXPORT_AT_MOST} 行，请缩小筛选范围后分批导出"),
        Lang::En => {
            format!("Only the first {EXPORT_AT_MOST} rows were exported; narrow the filters and export in parts")
        }
    })]
}

pub async fn orders_xlsx(State(web): State<Web>, a: Authed, Query(q): Query<OrderQuery>) -> Response {
    if let Err(r) = require(&a, Permission::ViewOrders) {
        return r;
    }
    let lang = a.lang;
    let (filter, _) = trade_filter(&q, web.zone, lang);
    let export = match web.app.export_trades(a.user(), &filter).await {
        Ok(e) => e,
        Err(e) => return error_page(lang, &zhanggui_app::trading::TradeError::Store(e)),
    };
    let mut names = vec![
        ("订单编号", "Order no."),
        ("店铺", "Shop"),
        ("买家", "Buyer"),
        ("订单状态", "Status"),
        ("件数", "Units"),
        ("商品金额", "Goods"),
        ("运费", "Postage"),
        ("优惠", "Discount"),
        ("实付金额", "Paid"),
        ("退款金额", "Refunded"),
    ];
    if export.with_costs {
        names.push(("商品成本（按当前成本价）", "Cost of goods (current cost prices)"));
    }
    names.extend([
        ("下单时间", "Created"),
        ("付款时间", "Paid at"),
        ("发货时间", "Shipped at"),
        ("完成时间", "Finished at"),
        ("物流公司", "Carrier"),
        ("运单号", "Tracking no."),
        ("收货人", "Receiver"),
        ("省", "Province"),
        ("市", "City"),
        ("区", "District"),
        ("买家留言", "Buyer message"),
        ("卖家备注", "Seller memo"),
        ("旗帜", "Flag"),
        ("加急", "Urgent"),
        ("超卖", "Oversold"),
    ]);
    let zone = web.zone;
    let yes = |b: bool| if b { text(lang.pick("是", "yes")) } else { ReportCell::Empty };
    let mut rows: Vec<Vec<ReportCell>> = export
        .rows
        .iter()
        .map(|r| {
            let t = &r.trade;
            let mut row = vec![
                text(t.tid.clone()),
                text(t.shop_name.clone()),
                text(t.buyer_nick.clone()),
                text(view::status(t.status, lang)),
                ReportCell::Int(t.item_count),
                money(t.goods_amount),
                money(t.postage),
                money(t.discount),
                money(t.amount_paid),
                money(t.refund_amount),
            ];
            if let Some(cost) = r.goods_cost.filter(|_| export.with_costs) {
                row.push(money(cost));
            }
            row.extend([
                text(view::time(t.created_at, zone)),
                opt_time(t.paid_at, zone),
                opt_time(t.shipped_at, zone),
                opt_time(t.finished_at, zone),
                text(t.carrier.clone()),
                text(t.tracking_no.clone()),
                text(t.receiver_name.clone()),
                text(t.province.clone()),
                text(t.city.clone()),
                text(t.district.clone()),
                text(t.buyer_message.clone()),
                text(t.seller_memo.clone()),
                match FLAGS.iter().find(|f| f.0 == t.flag && f.0 != 0) {
                    Some(f) => text(lang.pick(f.1, f.2)),
                    None => ReportCell::Empty,
                },
                yes(t.urgent),
                yes(t.oversold),
            ]);
            row
        })
        .collect();
    if export.truncated {
        rows.push(truncated_row(lang));
    }
    let table = ReportTable { title: lang.pick("订单", "Orders").into(), headers: headers(lang, &names), rows };
    xlsx_download(&web, lang, "orders", table)
}

pub async fn stock_xlsx(State(web): State<Web>, a: Authed, Query(q): Query<StockQuery>) -> Response {
    let lang = a.lang;
    let (filter, _, _) = stock_filter(&q, lang);
    let export = match web.app.export_stock(a.user(), &filter).await {
        Ok(e) => e,
        Err(e) => return error_page(lang, &zhanggui_app::stock::StockError::Store(e)),
    };
    let mut names = vec![
        ("商家编码", "SKU code"),
        ("宝贝", "Item"),
        ("规格", "Properties"),
        ("仓库", "Warehouse"),
        ("可售", "For sale"),
        ("实物库存", "On hand"),
        ("占用", "Reserved"),
        ("可用库存", "Available"),
        ("售价", "Price"),
    ];
    if export.with_costs {
        names.extend([("成本价", "Cost price"), ("库存成本金额", "Stock at cost")]);
    }
    let mut rows: Vec<Vec<ReportCell>> = export
        .rows
        .iter()
        .map(|r| {
            let l = &r.line;
            let mut row = vec![
                text(l.outer_sku_id.clone()),
                text(l.title.clone()),
                text(l.properties.clone()),
                text(format!("{} {}", l.warehouse_code, r.warehouse_name)),
                text(if r.sellable { lang.pick("是", "yes") } else { lang.pick("否（次品）", "no (defective)") }),
                ReportCell::Int(l.on_hand),
                ReportCell::Int(l.reserved),
                if r.sellable { ReportCell::Int(l.available) } else { ReportCell::Empty },
                money(r.price),
            ];
            if let Some(cost) = r.cost.filter(|_| export.with_costs) {
                row.extend([money(cost), money(cost * l.on_hand)]);
            }
            row
        })
        .collect();
    if export.truncated {
        rows.push(truncated_row(lang));
    }
    let table = ReportTable { title: lang.pick("库存", "Stock").into(), headers: headers(lang, &names), rows };
    xlsx_download(&web, lang, "stock", table)
}

pub async fn customers_xlsx(State(web): State<Web>, a: Authed, Query(q): Query<CustomerQuery>) -> Response {
    if let Err(r) = require(&a, Permission::ViewCustomers) {
        return r;
    }
    let lang = a.lang;
    let export = match web.app.export_customers(a.user(), &customer_filter(&q)).await {
        Ok(e) => e,
        Err(e) => return error_page(lang, &zhanggui_app::trading::TradeError::Store(e)),
    };
    let names = [
        ("买家", "Buyer"),
        ("平台", "Platform"),
        ("省", "Province"),
        ("市", "City"),
        ("区", "District"),
        ("会员等级", "Tier"),
        ("付款订单数", "Paid trades"),
        ("累计消费", "Spend"),
        ("首次购买", "First purchase"),
        ("最近购买", "Last purchase"),
        ("黑名单", "Blacklisted"),
        ("备注", "Note"),
    ];
    let zone = web.zone;
    let mut rows: Vec<Vec<ReportCell>> = export
        .rows
        .iter()
        .map(|c| {
            vec![
                text(c.nick.clone()),
                // Taobao and Tmall buyers share one account system.
                text(match c.account_system.parse::<Platform>() {
                    Ok(Platform::Taobao) => lang.pick("淘宝/天猫", "Taobao/Tmall").to_string(),
                    Ok(p) => lang.pick(p.label_zh(), p.label_en()).to_string(),
                    Err(_) => c.account_system.clone(),
                }),
                text(c.province.clone()),
                text(c.city.clone()),
                text(c.district.clone()),
                text(c.tier.clone()),
                ReportCell::Int(c.paid_trades),
                money(c.spend),
                opt_time(c.first_paid_at, zone),
                opt_time(c.last_paid_at, zone),
                if c.blacklisted { text(lang.pick("是", "yes")) } else { ReportCell::Empty },
                text(c.note.clone()),
            ]
        })
        .collect();
    if export.truncated {
        rows.push(truncated_row(lang));
    }
    let table = ReportTable { title: lang.pick("客户", "Customers").into(), headers: headers(lang, &names), rows };
    xlsx_download(&web, lang, "customers", table)
}
