//! `zhanggui samples DIR`: writes realistic export files of every kind the importers read (with the
//! quirks of real exports: GBK, ="..." order numbers, "-" for empty, 总计 rows, a few broken rows), to
//! try the importers on or to show a new shop what its files should look like.

use std::path::{Path, PathBuf};

use clap::Args;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use zhanggui_app::Lang;
use zhanggui_domain::Money;
use zhanggui_formats::fixtures::refunds::RefundSeed;
use zhanggui_formats::fixtures::{Encoding, Options};

use crate::Failure;

#[derive(Args, Debug)]
pub struct SamplesArgs {
    /// Folder to write into (created if missing).
    pub dir: PathBuf,
    /// Trades in the order exports.
    #[arg(long, default_value_t = 200)]
    pub trades: usize,
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
}

fn write(dir: &Path, name: &str, bytes: &[u8], lang: Lang) -> Result<(), Failure> {
    let path = dir.join(name);
    std::fs::write(&path, bytes).map_err(|e| {
        Failure::internal(format!("{}{}: {e}", lang.pick("无法写入 ", "cannot write "), path.display()))
    })?;
    println!("{}", path.display());
    Ok(())
}

pub fn run(args: &SamplesArgs, lang: Lang) -> Result<(), Failure> {
    std::fs::create_dir_all(&args.dir).map_err(|e| Failure::internal(format!("{}: {e}", args.dir.display())))?;
    let mut rng = ChaCha8Rng::seed_from_u64(args.seed);
    let gbk = Options::csv(Encoding::Gbk);
    let products = zhanggui_formats::fixtures::products::products(&mut rng, &gbk);
    write(&args.dir, "商品资料.csv", &products.bytes, lang)?;
    let taobao = zhanggui_formats::fixtures::taobao::taobao_orders(&mut rng, args.trades, &gbk);
    write(&args.dir, "ExportOrderList.csv", &taobao.orders, lang)?;
    write(&args.dir, "ExportOrderDetailList.csv", &taobao.lines, lang)?;
    let seeds: Vec<RefundSeed> = taobao
        .truth
        .orders
        .iter()
        .filter(|o| o.refund_amount == Money::ZERO)
        .filter_map(|o| o.paid_at.map(|paid_at| (o, paid_at)))
        .flat_map(|(o, paid_at)| {
            o.lines.iter().filter(|l| l.amount_paid > Money::ZERO).map(move |l| RefundSeed {
                tid: o.tid.clone(),
                oid: l.oid.clone(),
                sku_code: l.outer_sku_id.clone(),
                title: l.title.clone(),
                paid: l.amount_paid,
                paid_at,
                shipped: l.shipped_at.is_some() || o.shipped_at.is_some(),
                buyer: o.buyer_nick.clone(),
            })
        })
        .step_by(6)
        .collect();
    let refunds = zhanggui_formats::fixtures::refunds::refund_export(&mut rng, &seeds, &gbk);
    write(&args.dir, "退款导出.csv", &refunds.bytes, lang)?;
    let later = zhanggui_formats::fixtures::taobao::taobao_status_update(&mut rng, &taobao.truth, &gbk);
    write(&args.dir, "ExportOrderList-later.csv", &later.orders, lang)?;
    write(&args.dir, "ExportOrderDetailList-later.csv", &later.lines, lang)?;
    let xlsx = zhanggui_formats::fixtures::taobao::taobao_orders(&mut rng, args.trades.min(500), &Options::xlsx());
    write(&args.dir, "订单报表.xlsx", &xlsx.orders, lang)?;
    write(&args.dir, "宝贝报表.xlsx", &xlsx.lines, lang)?;
    let pdd = zhanggui_formats::fixtures::pdd::pdd_orders(&mut rng, args.trades, &gbk);
    write(&args.dir, "拼多多订单.csv", &pdd.bytes, lang)?;
    let jd = zhanggui_formats::fixtures::jd::jd_orders(&mut rng, args.trades, &gbk);
    write(&args.dir, "京东订单.csv", &jd.bytes, lang)?;
    let first_day = chrono::NaiveDate::from_ymd_opt(2024, 11, 1).unwrap_or_default();
    let sycm = zhanggui_formats::fixtures::sycm::sycm_items(&mut rng, 7, 20, &Options::xlsx());
    let sycm_name = zhanggui_formats::fixtures::sycm::sycm_file_name(first_day, 7, &Options::xlsx());
    write(&args.dir, &sycm_name, &sycm.bytes, lang)?;
    let traffic = zhanggui_formats::fixtures::traffic::shop_traffic(&mut rng, 30, &gbk);
    write(&args.dir, "店铺流量.csv", &traffic.bytes, lang)?;
    let ads = zhanggui_formats::fixtures::ads::ad_report(&mut rng, 14, 4, &gbk);
    write(&args.dir, "直通车计划报表.csv", &ads.bytes, lang)?;
    Ok(())
}
