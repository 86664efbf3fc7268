//! `zhanggui stock ...`: stock per SKU and warehouse, its ledger, adjustments and transfers.

use chrono::Utc;
use clap::Subcommand;
use comfy_table::Cell;
use zhanggui_app::store::ledger::StockFilter;

use crate::output::{num, print, table};
use crate::{Ctx, Failure, Format};

#[derive(Subcommand, Debug)]
pub enum StockCommand {
    /// Stock per SKU and warehouse: on hand, reserved, available (库存列表).
    List {
        /// Part of a SKU code (商家编码) or title.
        #[arg(long)]
        search: Option<String>,
        /// Only this warehouse (code).
        #[arg(long)]
        warehouse: Option<String>,
        /// Only lines with at most this many available (e.g. --low 5).
        #[arg(long)]
        low: Option<i64>,
        #[arg(long, default_value_t = 50)]
        limit: i64,
        #[arg(long, default_value_t = 1)]
        page: i64,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// One SKU: stock in every warehouse and its latest ledger moves (库存流水).
    Show {
        /// SKU code (商家编码).
        sku: String,
        #[arg(long, default_value_t = 20)]
        moves: i64,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Adjust stock by a signed quantity with a reason (库存调整).
    Adjust {
        sku: String,
        /// Signed: +5 adds, -3 removes.
        #[arg(allow_negative_numbers = true)]
        qty: i64,
        #[arg(long)]
        reason: String,
        #[arg(long)]
        warehouse: Option<String>,
    },
    /// Move stock between warehouses (调拨).
    Transfer {
        sku: String,
        qty: i64,
        #[arg(long)]
        from: String,
        #[arg(long)]
        to: String,
    },
    /// Check that every balance equals the sum of its ledger moves and open reservations (对账).
    Check,
}

pub async fn run(ctx: &Ctx, cmd: &StockCommand) -> Result<(), Failure> {
    let lang = ctx.lang;
    let err = |e: zhanggui_app::stock::StockError| Failure::from_error(&e, lang);
    match cmd {
        StockCommand::List { search, warehouse, low, limit, page, format } => {
            let warehouse_id = match warehouse {
                None => None,
                Some(code) => {
                    let mut tx = ctx.app.db.begin_read().await.map_err(|e| Failure::store(&e, lang))?;
                    let all = tx.warehouses(ctx.actor.company_id).await.map_err(|e| Failure::store(&e, lang))?;
                    let found = all.iter().find(|w| w.code == *code || w.name == *code).map(|w| w.id);
                    Some(found.ok_or_else(|| {
                        Failure::bad_input(format!("{}{code}", lang.pick("找不到仓库 ", "unknown warehouse ")))
                    })?)
                }
            };
            if *limit <= 0 || *page <= 0 {
                return Err(Failure::bad_input(
                    lang.pick("--limit 和 --page 必须大于 0", "--limit and --page must be positive"),
                ));
            }
            let filter = StockFilter {
                company_id: ctx.actor.company_id,
                search: search.clone(),
                warehouse_id,
                sku_id: None,
                max_available: *low,
                limit: *limit,
                offset: (page - 1) * limit,
            };
            let lines = ctx.app.stock_list(&filter).await.map_err(err)?;
            print(*format, &lines, || {
                let mut t = table(&[
                    lang.pick("商家编码", "SKU code"),
                    lang.pick("商品", "product"),
                    lang.pick("属性", "properties"),
                    lang.pick("仓库", "warehouse"),
                    lang.pick("实物库存", "on hand"),
                    lang.pick("占用", "reserved"),
                    lang.pick("可用库存", "available"),
                ]);
                for l in &lines {
                    t.add_row(vec![
                        Cell::new(&l.outer_sku_id),
                        Cell::new(truncate(&l.title, 24)),
                        Cell::new(&l.properties),
                        Cell::new(&l.warehouse_code),
                        num(l.on_hand),
                        num(l.reserved),
                        num(l.available),
                    ]);
                }
                t
            })
        }
        StockCommand::Show { sku, moves, format } => {
            let s = ctx.app.stock_show(&ctx.actor, sku, *moves).await.map_err(err)?;
            if *format == Format::Json {
                return print(*format, &s, || table(&[]));
            }
            println!("{} {} {}", s.sku.outer_sku_id, s.sku.title, s.sku.properties);
            print(*format, &s.warehouses, || {
                let mut t = table(&[
                    lang.pick("仓库", "warehouse"),
                    lang.pick("实物库存", "on hand"),
                    lang.pick("占用", "reserved"),
                    lang.pick("可用库存", "available"),
                ]);
                for w in &s.warehouses {
                    t.add_row(vec![Cell::new(&w.warehouse_code), num(w.on_hand), num(w.reserved), num(w.available)]);
                }
                t
            })?;
            print(*format, &s.moves, || {
                let mut t = table(&[
                    lang.pick("时间", "time"),
                    lang.pick("仓库", "warehouse"),
                    lang.pick("类型", "kind"),
                    lang.pick("数量", "qty"),
                    lang.pick("单据", "reference"),
                    lang.pick("操作人", "user"),
                ]);
                for m in &s.moves {
                    t.add_row(vec![
                        Cell::new(zhanggui_app::clock::format_local(m.created_at, ctx.time_zone)),
                        Cell::new(&m.warehouse_code),
                        Cell::new(lang.pick(m.kind.label_zh(), m.kind.label_en())),
                        num(format!("{:+}", m.qty)),
                        Cell::new(&m.note),
                        Cell::new(&m.user_name),
                    ]);
                }
                t
            })
        }
        StockCommand::Adjust { sku, qty, reason, warehouse } => {
            let available = ctx
                .app
                .adjust_stock(&ctx.actor, sku, warehouse.as_deref(), *qty, reason, Utc::now())
                .await
                .map_err(err)?;
            println!(
                "{}",
                match lang {
                    zhanggui_app::Lang::Zh => format!("已调整 {sku} {qty:+}，可用库存现为 {available}"),
                    zhanggui_app::Lang::En => format!("Adjusted {sku} by {qty:+}; available is now {available}"),
                }
            );
            Ok(())
        }
        StockCommand::Transfer { sku, qty, from, to } => {
            ctx.app.transfer_stock(&ctx.actor, sku, from, to, *qty, Utc::now()).await.map_err(err)?;
            println!(
                "{}",
                match lang {
                    zhanggui_app::Lang::Zh => format!("已从 {from} 调拨 {qty} 件 {sku} 到 {to}"),
                    zhanggui_app::Lang::En => format!("Moved {qty} × {sku} from {from} to {to}"),
                }
            );
            Ok(())
        }
        StockCommand::Check => {
            let mut tx = ctx.app.db.begin_read().await.map_err(|e| Failure::store(&e, lang))?;
            let bad = tx.ledger_mismatches(ctx.actor.company_id).await.map_err(|e| Failure::store(&e, lang))?;
            tx.commit().await.map_err(|e| Failure::store(&e, lang))?;
            if bad.is_empty() {
                println!(
                    "{}",
                    lang.pick("账实相符：每个库存余额都等于流水合计。", "All balances equal the sum of their moves.")
                );
                Ok(())
            } else {
                for m in &bad {
                    eprintln!(
                        "sku {} warehouse {}: on_hand {} vs moves {}, reserved {} vs reservations {}",
                        m.sku_id, m.warehouse_id, m.on_hand, m.moves_sum, m.reserved, m.reservations_sum
                    );
                }
                Err(Failure::internal(format!(
                    "{}{}",
                    bad.len(),
                    lang.pick(" 个库存余额与流水不符", " balances disagree with the ledger")
                )))
            }
        }
    }
}

pub fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max { s.to_string() } else { format!("{}…", s.chars().take(max).collect::<String>()) }
}
