//! `zhanggui purchase ...`: suppliers, purchase orders, receipts and expected arrivals (采购).

use chrono::{NaiveDate, Utc};
use clap::Subcommand;
use comfy_table::Cell;
use zhanggui_app::clock;
use zhanggui_app::purchasing::{
    PurchaseDetail, PurchaseError, PurchaseLineInput, PurchaseOrderInput, ReceiptInput, SupplierInput,
};
use zhanggui_domain::{Money, PurchaseStatus};

use crate::output::{num, print, table};
use crate::{Ctx, Failure, Format};

#[derive(Subcommand, Debug)]
pub enum PurchaseCommand {
    /// Suppliers with their lead time and pack size (供应商).
    Suppliers {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Add a supplier (新增供应商).
    AddSupplier {
        name: String,
        #[arg(long, default_value = "")]
        contact: String,
        #[arg(long, default_value = "")]
        phone: String,
        /// Days from ordering to arrival (采购周期).
        #[arg(long, default_value_t = 7)]
        lead_time: i64,
        /// Sold in multiples of this (箱规).
        #[arg(long, default_value_t = 1)]
        pack_size: i64,
    },
    /// Draft a purchase order (新建采购单): lines as SKU:QTY or SKU:QTY@COST.
    Create {
        #[arg(long)]
        supplier: String,
        /// Warehouse code; the first warehouse by default.
        #[arg(long)]
        warehouse: Option<String>,
        /// Expected arrival, YYYY-MM-DD (预计到货).
        #[arg(long)]
        expected: Option<String>,
        #[arg(long, default_value = "")]
        note: String,
        /// SKU:QTY or SKU:QTY@COST, e.g. JN2403-BLU-27:20@70.00
        #[arg(required = true)]
        lines: Vec<String>,
        /// Place it with the supplier at once.
        #[arg(long)]
        place: bool,
    },
    /// Place a draft with the supplier (下单).
    Place { order: String },
    /// Book goods that arrived (到货入库): SKU:QTY ...
    Receive {
        order: String,
        #[arg(required = true)]
        lines: Vec<String>,
        /// Why quantities differ; required when more arrive than were ordered (超收).
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Cancel an order before anything arrived (取消).
    Cancel { order: String },
    /// Close a partly received order; the rest will not come (结案).
    Close { order: String },
    /// Purchase orders (采购单列表).
    List {
        /// draft, ordered, partially_received, received, cancelled (or 草稿, 已下单 ...).
        #[arg(long)]
        status: Option<String>,
        #[arg(long)]
        supplier: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// One purchase order with its lines and receipts (采购单详情).
    Show {
        order: String,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// What is still to arrive, late first (到货信息跟踪).
    Arrivals {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Make a supplier the supplier of products (by 款号), for lead times, pack sizes and orders.
    Assign {
        #[arg(long)]
        supplier: String,
        #[arg(required = true)]
        products: Vec<String>,
    },
    /// Draft purchase orders from the replenishment table (补货需求表 → 采购单), one per supplier: the
    /// SKUs named, or every SKU with a suggestion.
    FromReplenishment {
        /// SKU codes (商家编码); every SKU the table suggests ordering when none is given.
        skus: Vec<String>,
        /// The table's day, YYYY-MM-DD; yesterday by default.
        #[arg(long)]
        date: Option<String>,
        /// Warehouse code to receive into; the first warehouse by default.
        #[arg(long)]
        warehouse: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Write a purchase order as the sheet for the supplier (导出采购单): .xlsx or .csv by the file name.
    Export {
        order: String,
        #[arg(short, long)]
        output: std::path::PathBuf,
    },
}

/// "SKU:QTY" or "SKU:QTY@COST".
fn parse_line(text: &str, lang: zhanggui_app::Lang) -> Result<(String, i64, Option<Money>), Failure> {
    let bad = || {
        Failure::bad_input(format!(
            "{}{text}",
            lang.pick(
                "明细格式应为 商家编码:数量 或 商家编码:数量@单价，而不是 ",
                "expected SKU:QTY or SKU:QTY@COST, not "
            )
        ))
    };
    let (sku, rest) = text.rsplit_once(':').ok_or_else(bad)?;
    let (qty, cost) = match rest.split_once('@') {
        Some((q, c)) => (q, Some(Money::parse(c.trim()).map_err(|_| bad())?)),
        None => (rest, None),
    };
    let qty = qty.trim().parse::<i64>().map_err(|_| bad())?;
    if sku.trim().is_empty() {
        return Err(bad());
    }
    Ok((sku.trim().to_string(), qty, cost))
}

fn parse_day(text: &str, lang: zhanggui_app::Lang) -> Result<NaiveDate, Failure> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
        Failure::bad_input(format!("{}{text}", lang.pick("日期格式应为 YYYY-MM-DD：", "expected a date YYYY-MM-DD: ")))
    })
}

pub async fn run(ctx: &Ctx, cmd: &PurchaseCommand) -> Result<(), Failure> {
    let lang = ctx.lang;
    let err = |e: PurchaseError| Failure::from_error(&e, lang);
    let status_label = |s: PurchaseStatus| lang.pick(s.label_zh(), s.label_en()).to_string();
    let local = |t: Option<chrono::DateTime<Utc>>| {
        t.map(|t| clock::local_day(t, ctx.time_zone).to_string()).unwrap_or_default()
    };
    match cmd {
        PurchaseCommand::Suppliers { format } => {
            let rows = ctx.app.suppliers(&ctx.actor).await.map_err(err)?;
            print(*format, &rows, || {
                let mut t = table(&[
                    lang.pick("供应商", "supplier"),
                    lang.pick("联系人", "contact"),
                    lang.pick("电话", "phone"),
                    lang.pick("采购周期(天)", "lead time (days)"),
                    lang.pick("箱规", "pack size"),
                ]);
                for s in &rows {
                    t.add_row(vec![
                        Cell::new(&s.name),
                        Cell::new(&s.contact),
                        Cell::new(&s.phone),
                        num(s.lead_time_days),
                        num(s.pack_size),
                    ]);
                }
                t
            })
        }
        PurchaseCommand::AddSupplier { name, contact, phone, lead_time, pack_size } => {
            let input = SupplierInput {
                name: name.clone(),
                contact: contact.clone(),
                phone: phone.clone(),
                lead_time_days: *lead_time,
                pack_size: *pack_size,
            };
            ctx.app.add_supplier(&ctx.actor, &input).await.map_err(err)?;
            println!("{}{name}", lang.pick("已新增供应商 ", "added supplier "));
            Ok(())
        }
        PurchaseCommand::Create { supplier, warehouse, expected, note, lines, place } => {
            let mut parsed = Vec::with_capacity(lines.len());
            for l in lines {
                let (sku, qty, unit_cost) = parse_line(l, lang)?;
                parsed.push(PurchaseLineInput { sku, qty, unit_cost, expected: None });
            }
            let input = PurchaseOrderInput {
                supplier: supplier.clone(),
                warehouse: warehouse.clone(),
                expected: expected.as_deref().map(|d| parse_day(d, lang)).transpose()?,
                note: note.clone(),
                lines: parsed,
            };
            let now = Utc::now();
            let po = ctx.app.create_purchase_order(&ctx.actor, &input, now).await.map_err(err)?;
            if *place {
                ctx.app.place_purchase_order(&ctx.actor, &po.code, now).await.map_err(err)?;
            }
            println!(
                "{} {} ({} {}, {} {})",
                lang.pick(if *place { "已下单" } else { "已建草稿" }, if *place { "placed" } else { "drafted" }),
                po.code,
                po.qty_ordered,
                lang.pick("件", "units"),
                lang.pick("金额", "amount"),
                po.amount
            );
            Ok(())
        }
        PurchaseCommand::Place { order } => {
            ctx.app.place_purchase_order(&ctx.actor, order, Utc::now()).await.map_err(err)?;
            println!("{}{order}", lang.pick("已下单 ", "placed "));
            Ok(())
        }
        PurchaseCommand::Cancel { order } => {
            ctx.app.cancel_purchase_order(&ctx.actor, order, Utc::now()).await.map_err(err)?;
            println!("{}{order}", lang.pick("已取消 ", "cancelled "));
            Ok(())
        }
        PurchaseCommand::Close { order } => {
            ctx.app.close_purchase_order_short(&ctx.actor, order, Utc::now()).await.map_err(err)?;
            println!("{}{order}", lang.pick("已结案 ", "closed "));
            Ok(())
        }
        PurchaseCommand::Receive { order, lines, note } => {
            let mut receipts = Vec::with_capacity(lines.len());
            for l in lines {
                let (sku, qty, _) = parse_line(l, lang)?;
                receipts.push(ReceiptInput { sku, qty, note: note.clone() });
            }
            let detail = ctx.app.receive_purchase_order(&ctx.actor, order, &receipts, Utc::now()).await.map_err(err)?;
            println!(
                "{} {} → {}",
                lang.pick("已入库", "received"),
                detail.order.code,
                status_label(detail.order.status)
            );
            show(ctx, &detail, Format::Table)
        }
        PurchaseCommand::List { status, supplier, format } => {
            let status = match status {
                Some(s) => Some(s.parse::<PurchaseStatus>().map_err(|e| Failure::bad_input(e.to_string()))?),
                None => None,
            };
            let rows = ctx.app.purchase_orders(&ctx.actor, status, supplier.as_deref()).await.map_err(err)?;
            print(*format, &rows, || {
                let mut t = table(&[
                    lang.pick("采购单号", "order"),
                    lang.pick("供应商", "supplier"),
                    lang.pick("仓库", "warehouse"),
                    lang.pick("状态", "status"),
                    lang.pick("预计到货", "expected"),
                    lang.pick("采购数量", "ordered"),
                    lang.pick("已到货", "received"),
                    lang.pick("采购金额", "amount"),
                ]);
                for o in &rows {
                    t.add_row(vec![
                        Cell::new(&o.code),
                        Cell::new(&o.supplier_name),
                        Cell::new(&o.warehouse_code),
                        Cell::new(status_label(o.status)),
                        Cell::new(local(o.expected_at)),
                        num(o.qty_ordered),
                        num(o.qty_received),
                        num(o.amount),
                    ]);
                }
                t
            })
        }
        PurchaseCommand::Show { order, format } => {
            let detail = ctx.app.purchase_detail(&ctx.actor, order).await.map_err(err)?;
            show(ctx, &detail, *format)
        }
        PurchaseCommand::Assign { supplier, products } => {
            let n = ctx.app.assign_supplier(&ctx.actor, supplier, products).await.map_err(err)?;
            println!(
                "{} {n} {}{supplier}",
                lang.pick("已设置", "assigned"),
                lang.pick("个商品的供应商为 ", "products to ")
            );
            Ok(())
        }
        PurchaseCommand::FromReplenishment { skus, date, warehouse, format } => {
            let date = date.as_deref().map(|d| parse_day(d, lang)).transpose()?;
            let made = ctx
                .app
                .purchase_orders_from_replenishment(&ctx.actor, skus, date, warehouse.as_deref(), Utc::now())
                .await
                .map_err(err)?;
            if *format == Format::Json {
                return print(*format, &made, || table(&[]));
            }
            for o in &made.orders {
                println!(
                    "{} {} · {} · {} {} · {}",
                    lang.pick("已新建采购单（草稿）", "drafted"),
                    o.code,
                    o.supplier_name,
                    o.qty_ordered,
                    lang.pick("件", "units"),
                    o.amount
                );
            }
            if made.orders.is_empty() {
                println!("{}", lang.pick("没有需要下单的商品", "nothing to order"));
            }
            for s in &made.skipped {
                println!("{} {}: {}", lang.pick("跳过", "skipped"), s.sku, lang.pick(&s.why_zh, &s.why_en));
            }
            Ok(())
        }
        PurchaseCommand::Export { order, output } => {
            let tables = ctx.app.purchase_order_sheet(&ctx.actor, order).await.map_err(err)?;
            let is_csv = output.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"));
            let bytes = if is_csv {
                let mut buf = Vec::new();
                zhanggui_formats::report::write_csv(&tables, &mut buf).map_err(|e| Failure::internal(e.to_string()))?;
                buf
            } else {
                zhanggui_formats::report::xlsx_bytes(&tables).map_err(|e| Failure::internal(e.to_string()))?
            };
            std::fs::write(output, bytes).map_err(|e| Failure::bad_input(format!("{}: {e}", output.display())))?;
            println!("{} {}", lang.pick("已导出", "wrote"), output.display());
            Ok(())
        }
        PurchaseCommand::Arrivals { format } => {
            let rows = ctx.app.expected_arrivals(&ctx.actor, Utc::now()).await.map_err(err)?;
            print(*format, &rows, || {
                let mut t = table(&[
                    lang.pick("状态", "state"),
                    lang.pick("预计到货", "expected"),
                    lang.pick("采购单号", "order"),
                    lang.pick("供应商", "supplier"),
                    lang.pick("商家编码", "SKU code"),
                    lang.pick("商品", "product"),
                    lang.pick("属性", "properties"),
                    lang.pick("待到数量", "to arrive"),
                ]);
                for a in &rows {
                    t.add_row(vec![
                        Cell::new(lang.pick(a.state.label_zh(), a.state.label_en())),
                        Cell::new(a.expected_day.map(|d| d.to_string()).unwrap_or_default()),
                        Cell::new(&a.row.purchase_order_code),
                        Cell::new(&a.row.supplier_name),
                        Cell::new(&a.row.outer_sku_id),
                        Cell::new(&a.row.title),
                        Cell::new(&a.row.properties),
                        num(a.remaining),
                    ]);
                }
                t
            })
        }
    }
}

fn show(ctx: &Ctx, d: &PurchaseDetail, format: Format) -> Result<(), Failure> {
    let lang = ctx.lang;
    if format == Format::Json {
        return print(format, d, || table(&[]));
    }
    let o = &d.order;
    println!(
        "{} {} · {} · {} · {}",
        o.code,
        lang.pick(o.status.label_zh(), o.status.label_en()),
        o.supplier_name,
        o.warehouse_code,
        o.note
    );
    print(format, &d.lines, || {
        let mut t = table(&[
            lang.pick("商家编码", "SKU code"),
            lang.pick("商品", "product"),
            lang.pick("属性", "properties"),
            lang.pick("采购数量", "ordered"),
            lang.pick("已到货", "received"),
            lang.pick("单价", "unit cost"),
            lang.pick("差异", "variance"),
        ]);
        for l in &d.lines {
            let variance = match lang {
                zhanggui_app::Lang::Zh => l.variance.label_zh(),
                zhanggui_app::Lang::En => format!("{:?}", l.variance).to_lowercase(),
            };
            t.add_row(vec![
                Cell::new(&l.line.outer_sku_id),
                Cell::new(&l.line.title),
                Cell::new(&l.line.properties),
                num(l.line.qty_ordered),
                num(l.line.qty_received),
                num(l.line.unit_cost),
                Cell::new(variance),
            ]);
        }
        t
    })?;
    if !d.receipts.is_empty() {
        print(format, &d.receipts, || {
            let mut t = table(&[
                lang.pick("入库时间", "received at"),
                lang.pick("商家编码", "SKU code"),
                lang.pick("数量", "qty"),
                lang.pick("单价", "unit cost"),
                lang.pick("经办人", "by"),
                lang.pick("说明", "note"),
            ]);
            for r in &d.receipts {
                t.add_row(vec![
                    Cell::new(clock::format_local(r.received_at, ctx.time_zone)),
                    Cell::new(&r.outer_sku_id),
                    num(r.qty),
                    num(r.unit_cost),
                    Cell::new(&r.user_name),
                    Cell::new(&r.note),
                ]);
            }
            t
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use zhanggui_app::Lang;

    #[test]
    fn lines_parse_with_and_without_cost() {
        assert_eq!(parse_line("JN2403-BLU-27:20", Lang::Zh).ok(), Some(("JN2403-BLU-27".to_string(), 20, None)));
        assert_eq!(
            parse_line("JN2403-BLU-27:20@70.00", Lang::Zh).ok(),
            Some(("JN2403-BLU-27".to_string(), 20, Some(Money::from_fen(7000))))
        );
        assert!(parse_line("JN2403-BLU-27", Lang::Zh).is_err());
        assert!(parse_line(":5", Lang::Zh).is_err());
        assert!(parse_line("X:abc", Lang::En).is_err());
        assert!(parse_line("X:1@free", Lang::En).is_err());
    }
}
