//! Writes sample fixture files to a folder, to look at them: `cargo run -p zhanggui-formats --example dump_fixtures -- /tmp/fx`.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use zhanggui_formats::fixtures::{
    Encoding, Options, ads::ad_report, jd::jd_orders, pdd::pdd_orders, products::products, sycm::sycm_items,
    taobao::taobao_orders, traffic::shop_traffic,
};

fn main() -> std::io::Result<()> {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| ".".into()));
    std::fs::create_dir_all(&dir)?;
    for opts in [Options::csv(Encoding::Utf8), Options::xlsx()] {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let t = taobao_orders(&mut rng, 30, &opts);
        std::fs::write(dir.join(opts.file_name("taobao_orders")), &t.orders)?;
        std::fs::write(dir.join(opts.file_name("taobao_lines")), &t.lines)?;
        std::fs::write(dir.join(opts.file_name("pdd")), pdd_orders(&mut rng, 20, &opts).bytes)?;
        std::fs::write(dir.join(opts.file_name("jd")), jd_orders(&mut rng, 20, &opts).bytes)?;
        std::fs::write(dir.join(opts.file_name("products")), products(&mut rng, &opts).bytes)?;
        std::fs::write(dir.join(opts.file_name("sycm")), sycm_items(&mut rng, 2, 5, &opts).bytes)?;
        std::fs::write(dir.join(opts.file_name("traffic")), shop_traffic(&mut rng, 7, &opts).bytes)?;
        std::fs::write(dir.join(opts.file_name("ads")), ad_report(&mut rng, 3, 2, &opts).bytes)?;
    }
    Ok(())
}
