//! `zhanggui demo`: fill the database with the demo shop.

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use zhanggui_app::demo::{DemoOptions, DemoSummary};
use zhanggui_app::{App, Lang};

use crate::output::{num, print, table};
use crate::{Cli, Failure, Format};

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Seed of the generator: the same seed gives the same shop.
    #[arg(long, default_value_t = 20241111)]
    pub seed: u64,
    /// Days of trading history, ending yesterday.
    #[arg(long, default_value_t = 120)]
    pub days: u32,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

pub async fn run(cli: &Cli, args: &DemoArgs, lang: Lang) -> Result<(), Failure> {
    let app = App::open(&cli.database).await.map_err(|e| Failure::store(&e, lang))?;
    let bar = if args.format == Format::Table { ProgressBar::new(u64::from(args.days)) } else { ProgressBar::hidden() };
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} {per_sec} ETA {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message(lang.pick("生成演示数据（天）", "generating days"));
    let opts = DemoOptions { seed: args.seed, days: args.days, ..Default::default() };
    let progress = |done: u32, _total: u32| bar.set_position(u64::from(done));
    let summary = app.demo(&opts, &progress).await;
    bar.finish_and_clear();
    let summary = summary.map_err(|e| match e {
        zhanggui_app::demo::DemoError::Days(_) => Failure::bad_input(e.to_string()),
        other => Failure::internal(other.to_string()),
    })?;
    if args.format == Format::Table {
        if summary.created {
            println!("{}", lang.pick("演示店铺已生成：", "The demo shop is ready:"));
        } else {
            println!(
                "{}",
                lang.pick("演示店铺已存在，未重复生成：", "The demo shop already exists; nothing was added:")
            );
        }
    }
    print(args.format, &summary, || render(&summary, lang))
}

fn render(s: &DemoSummary, lang: Lang) -> comfy_table::Table {
    let mut t = table(&[lang.pick("项目", "what"), lang.pick("数量", "count")]);
    let rows: [(&str, &str, i64); 11] = [
        ("店铺", "shops", s.shops),
        ("仓库", "warehouses", s.warehouses),
        ("商品", "products", s.products),
        ("SKU", "SKUs", s.skus),
        ("订单", "trades", s.trades),
        ("子订单", "order lines", s.order_lines),
        ("客户", "customers", s.customers),
        ("库存流水", "stock moves", s.stock_moves),
        ("售后单", "refunds", s.refunds),
        ("采购单", "purchase orders", s.purchase_orders),
        ("流量记录", "traffic rows", s.traffic_rows),
    ];
    for (zh, en, n) in rows {
        t.add_row(vec![comfy_table::Cell::new(lang.pick(zh, en)), num(n)]);
    }
    t.add_row(vec![comfy_table::Cell::new(lang.pick("用时（秒）", "seconds")), num(format!("{:.1}", s.seconds))]);
    t
}
