//! `zhanggui rebuild-summaries`: recompute the sales summaries the reports read from the raw rows.

use clap::Args;
use zhanggui_app::{App, Lang};

use crate::output::{num, print, table};
use crate::{Cli, Failure, Format};

#[derive(Args, Debug)]
pub struct RebuildArgs {
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

pub async fn run(cli: &Cli, args: &RebuildArgs, lang: Lang) -> Result<(), Failure> {
    let app = App::open(&cli.database).await.map_err(|e| Failure::store(&e, lang))?;
    let out = app.rebuild_summaries().await.map_err(|e| Failure::store(&e, lang))?;
    print(args.format, &out, || {
        let mut t = table(&[lang.pick("项目", "what"), lang.pick("数值", "value")]);
        let rows = [
            ("公司", "companies", out.companies.to_string()),
            ("店铺日汇总", "shop days", out.shop_days.to_string()),
            ("SKU日汇总", "SKU days", out.sku_days.to_string()),
            ("用时（秒）", "seconds", format!("{:.2}", out.seconds)),
        ];
        for (zh, en, v) in rows {
            t.add_row(vec![comfy_table::Cell::new(lang.pick(zh, en)), num(v)]);
        }
        t
    })
}
