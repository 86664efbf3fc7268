//! Pure, seeded generators for the demo shop: an apparel & accessories catalogue,
//! buyer identities and receiver addresses that read like real Taobao/Tmall exports.
//!
//! Every function is a deterministic function of the `ChaCha8Rng` state it is given:
//! the same seed always yields the same shop. Word pools are space-separated strings.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// One product (SPU) of an apparel & accessories shop, with its SKU axes.
#[derive(Debug, Clone, PartialEq)]
pub struct CatalogProduct {
    /// Merchant code 商家编码, `ZG` + 2-digit year + season (S spring, M summer,
    /// A autumn, W winter) + serial, e.g. "ZG24W0137"; unique across one catalogue.
    pub outer_id: String,
    /// Taobao-style title, 20-40 characters.
    pub title: String,
    /// 类目, e.g. "女装/卫衣".
    pub category: String,
    /// 颜色分类 values, distinct.
    pub colors: Vec<String>,
    /// 尺码 values, distinct, in size order.
    pub sizes: Vec<String>,
    /// Purchase cost in fen, 35%-55% of `price_fen`, a multiple of 50.
    pub cost_fen: i64,
    /// List price in fen, 38.00 to 599.00 yuan, ending in 9.00, 9.90 or 8.00.
    pub price_fen: i64,
    /// Shipping weight of one unit in grams (shoes include the box).
    pub weight_g: i64,
    /// Relative sales weight, Zipf-like; normalised so the catalogue sums to 1.0.
    pub popularity: f64,
}

struct Category {
    name: &'static str,
    share: u32,
    /// Seasons as characters of "春夏秋冬"; repeats weight the draw.
    seasons: &'static str,
    /// List price range in yuan.
    price: (u32, u32),
    weight: (i64, i64),
    /// (size ladder, shortest run, longest run): a contiguous run of the ladder is offered.
    sizes: (&'static str, usize, usize),
    /// (fewest, most) colours offered.
    colors: (usize, usize),
    color_pool: &'static str,
    nouns: &'static str,
    audience: &'static str,
    materials: &'static str,
    fits: &'static str,
    details: &'static str,
    tails: &'static str,
}

const W_LETTERS: &str = "XS S M L XL 2XL";
const M_LETTERS: &str = "M L XL 2XL 3XL 4XL";
const ONE_SIZE: &str = "均码";

#[rustfmt::skip]
const CATEGORIES: &[Category] = &[
    Category { name: "女装/T恤", share: 9, seasons: "夏夏春", price: (39, 129), weight: (140, 260),
        sizes: (W_LETTERS, 3, 4), colors: (1, 2),
        color_pool: "黑色 白色 米白色 杏色 浅灰色 雾霾蓝 粉色 奶黄色 牛油果绿 香芋紫",
        nouns: "短袖T恤 T恤 短袖上衣", audience: "女 女士 女生 女款",
        materials: "纯棉 新疆棉 莫代尔 冰丝 精梳棉", fits: "宽松 修身 显瘦 短款 oversize 直筒",
        details: "圆领 字母印花 刺绣 纯色 落肩 重磅 条纹", tails: "上衣 打底衫 体恤 学生 小个子 减龄" },
    Category { name: "女装/卫衣", share: 8, seasons: "秋秋冬春", price: (79, 259), weight: (380, 720),
        sizes: (W_LETTERS, 3, 4), colors: (1, 2),
        color_pool: "黑色 白色 米白色 灰色 燕麦色 雾霾蓝 奶茶色 焦糖色 墨绿色 酒红色 粉色",
        nouns: "卫衣 套头卫衣 卫衣外套", audience: "女 女士 女生 女款",
        materials: "纯棉 重磅棉 华夫格 摇粒绒", fits: "宽松 oversize 显瘦 短款 落肩",
        details: "连帽 加厚 加绒 半拉链 字母印花 刺绣 拼色 抽绳", tails: "上衣 学生 小个子 慵懒风 减龄 开学" },
    Category { name: "女装/连衣裙", share: 7, seasons: "夏夏春秋", price: (89, 329), weight: (180, 420),
        sizes: ("S M L XL", 3, 4), colors: (1, 2),
        color_pool: "黑色 白色 碎花 杏色 蓝色 绿色 粉色 红色 紫色 香槟色",
        nouns: "连衣裙 长裙 中长裙 裙子", audience: "女 女士 女生",
        materials: "雪纺 棉麻 针织 缎面 天丝", fits: "收腰 显瘦 宽松 A字 中长款 长款 小个子",
        details: "碎花 方领 V领 泡泡袖 吊带 茶歇 赫本风 开叉 系带", tails: "气质 温柔风 仙女 度假 显瘦 淑女" },
    Category { name: "女装/针织衫", share: 6, seasons: "秋秋冬春", price: (89, 269), weight: (280, 560),
        sizes: ("S M L XL", 2, 4), colors: (1, 2),
        color_pool: "米白色 燕麦色 黑色 灰色 驼色 焦糖色 酒红色 雾霾蓝 奶白色 浅粉色",
        nouns: "针织衫 毛衣 针织开衫 打底衫", audience: "女 女士 女生",
        materials: "羊毛 羊绒 马海毛 羊毛混纺 棉线", fits: "宽松 修身 显瘦 短款 慵懒",
        details: "高领 半高领 麻花 镂空 小香风 套头 撞色", tails: "上衣 内搭 打底 温柔风 气质 外穿" },
    Category { name: "女装/牛仔裤", share: 5, seasons: "春秋夏冬", price: (79, 229), weight: (420, 720),
        sizes: (W_LETTERS, 3, 4), colors: (1, 2),
        color_pool: "浅蓝色 深蓝色 黑色 烟灰色 复古蓝 白色",
        nouns: "牛仔裤 牛仔长裤", audience: "女 女士 女生",
        materials: "弹力 纯棉 天丝 加绒", fits: "显瘦 宽松 修身 小个子 垂感",
        details: "阔腿 直筒 微喇 高腰 破洞 九分 拖地 烟管", tails: "裤子 长裤 显高 梨形身材 妈妈裤" },
    Category { name: "女装/羽绒服", share: 4, seasons: "冬冬秋", price: (299, 599), weight: (600, 1200),
        sizes: (W_LETTERS, 3, 4), colors: (1, 2),
        color_pool: "黑色 白色 米白色 奶茶色 杏色 雾霾蓝 燕麦色 焦糖色 粉色 墨绿色",
        nouns: "羽绒服 羽绒服外套 面包服", audience: "女 女士 女款",
        materials: "白鸭绒 90白鸭绒 白鹅绒 鸭绒", fits: "短款 中长款 长款 宽松 收腰",
        details: "连帽 大毛领 立领 加厚 轻薄 防风", tails: "外套 保暖 小个子 面包服 防寒" },
    Category { name: "男装/T恤", share: 7, seasons: "夏夏春", price: (39, 139), weight: (160, 280),
        sizes: (M_LETTERS, 3, 5), colors: (1, 2),
        color_pool: "黑色 白色 灰色 藏青色 军绿色 卡其色 杏色 雾霾蓝 酒红色",
        nouns: "短袖T恤 T恤 短袖 polo衫", audience: "男 男士 男生 男款",
        materials: "纯棉 冰丝 重磅纯棉 新疆长绒棉", fits: "宽松 修身 oversize 落肩",
        details: "圆领 半袖 印花 纯色 刺绣 字母 五分袖", tails: "上衣 体恤衫 潮牌 青少年 打底衫 痞帅" },
    Category { name: "男装/卫衣", share: 5, seasons: "秋秋冬春", price: (89, 269), weight: (420, 780),
        sizes: (M_LETTERS, 3, 4), colors: (1, 2),
        color_pool: "黑色 灰色 藏青色 卡其色 军绿色 白色 燕麦色 深灰色 咖啡色",
        nouns: "卫衣 套头卫衣 卫衣外套", audience: "男 男士 男生 男款",
        materials: "纯棉 重磅棉 华夫格 摇粒绒", fits: "宽松 oversize 落肩 修身",
        details: "连帽 加绒 加厚 半拉链 印花 刺绣 拼接", tails: "上衣 潮牌 青少年 痞帅 学生" },
    Category { name: "男装/夹克", share: 4, seasons: "春秋秋", price: (159, 459), weight: (500, 950),
        sizes: (M_LETTERS, 3, 5), colors: (1, 2),
        color_pool: "黑色 卡其色 军绿色 藏青色 深灰色 咖啡色 燕麦色",
        nouns: "夹克 夹克外套 工装夹克 飞行员夹克", audience: "男 男士 男生",
        materials: "纯棉 灯芯绒 尼龙 牛仔 仿麂皮", fits: "宽松 修身 oversize 短款",
        details: "立领 连帽 工装 机能风 多口袋 防风 翻领", tails: "外套 上衣 潮牌 痞帅 休闲" },
    Category { name: "男装/休闲裤", share: 5, seasons: "春夏秋冬", price: (79, 229), weight: (380, 650),
        sizes: (M_LETTERS, 3, 5), colors: (1, 2),
        color_pool: "黑色 卡其色 灰色 深灰色 军绿色 藏青色 杏色",
        nouns: "休闲裤 长裤 工装裤 运动裤 束脚裤", audience: "男 男士 男生",
        materials: "纯棉 冰丝 弹力 速干 加绒", fits: "宽松 修身 垂感 直筒",
        details: "束脚 九分 阔腿 多口袋 松紧腰 抽绳", tails: "裤子 潮牌 青少年 运动 痞帅" },
    Category { name: "童装/套装", share: 3, seasons: "春夏秋冬", price: (59, 169), weight: (250, 520),
        sizes: ("90cm 100cm 110cm 120cm 130cm 140cm 150cm 160cm", 4, 5), colors: (1, 2),
        color_pool: "粉色 蓝色 黄色 白色 灰色 卡其色 绿色",
        nouns: "套装 两件套 运动套装 卫衣套装", audience: "儿童 男童 女童 中大童 宝宝",
        materials: "纯棉 加绒 莫代尔 华夫格", fits: "宽松 洋气 休闲 运动风",
        details: "卡通 印花 连帽 撞色 拼接", tails: "童装 外出服 小童 网红 宝宝衣服" },
    Category { name: "女鞋/运动鞋", share: 6, seasons: "春秋夏冬", price: (129, 399), weight: (650, 1000),
        sizes: ("35 36 37 38 39 40", 5, 6), colors: (1, 2),
        color_pool: "白色 米白色 黑色 白粉 白绿 白蓝 灰色 奶茶色",
        nouns: "运动鞋 老爹鞋 板鞋 小白鞋 跑步鞋 德训鞋", audience: "女 女鞋 女款 女生",
        materials: "真皮 头层牛皮 网面 帆布 反毛皮", fits: "厚底 增高 软底 轻便 透气",
        details: "低帮 高帮 系带 防滑 内增高 阿甘", tails: "休闲鞋 鞋子 学生 舒适 透气" },
    Category { name: "女鞋/单鞋", share: 4, seasons: "春秋夏", price: (99, 299), weight: (500, 850),
        sizes: ("34 35 36 37 38 39 40", 5, 6), colors: (1, 2),
        color_pool: "黑色 米白色 杏色 棕色 银色 红色 酒红色",
        nouns: "单鞋 乐福鞋 玛丽珍鞋 小皮鞋 浅口鞋 高跟鞋", audience: "女 女鞋 女士",
        materials: "真皮 羊皮 头层牛皮 漆皮 软皮", fits: "平底 粗跟 尖头 方头 软底",
        details: "浅口 一脚蹬 复古 中跟 蝴蝶结 链条", tails: "鞋子 通勤 舒适 不累脚 温柔风 女鞋" },
    Category { name: "男鞋/休闲鞋", share: 5, seasons: "春秋夏冬", price: (139, 459), weight: (750, 1150),
        sizes: ("38 39 40 41 42 43 44", 5, 6), colors: (1, 2),
        color_pool: "黑色 白色 灰色 卡其色 黑白 米白色 棕色",
        nouns: "休闲鞋 板鞋 运动鞋 皮鞋 工装鞋 马丁靴", audience: "男 男鞋 男士 男生",
        materials: "真皮 头层牛皮 网面 帆布 磨砂皮", fits: "厚底 增高 软底 轻便 透气",
        details: "低帮 高帮 系带 防滑 耐磨", tails: "鞋子 潮鞋 青少年 舒适 耐穿" },
    Category { name: "配件/围巾", share: 4, seasons: "秋冬冬", price: (39, 159), weight: (120, 350),
        sizes: (ONE_SIZE, 1, 1), colors: (3, 5),
        color_pool: "燕麦色 驼色 米白色 黑色 灰色 酒红色 格子红 格子灰 雾霾蓝 焦糖色 墨绿色",
        nouns: "围巾 披肩 围脖", audience: "女 女士 男 男女 情侣",
        materials: "羊毛 羊绒 仿羊绒 针织 毛线", fits: "加厚 保暖 长款",
        details: "格子 纯色 流苏 双面 英伦", tails: "送女友 礼盒装 围巾披肩 两用" },
    Category { name: "配件/帽子", share: 4, seasons: "春夏秋冬", price: (39, 129), weight: (80, 200),
        sizes: (ONE_SIZE, 1, 1), colors: (3, 5),
        color_pool: "黑色 白色 米白色 卡其色 灰色 粉色 藏青色 咖啡色",
        nouns: "棒球帽 渔夫帽 鸭舌帽 毛线帽 贝雷帽 针织帽", audience: "女 男 男女 情侣 女士",
        materials: "纯棉 羊毛 针织 灯芯绒 棉麻", fits: "大头围 显脸小 软顶",
        details: "字母刺绣 纯色 复古 遮阳 防晒", tails: "帽子 潮牌 出游 显脸小" },
    Category { name: "配件/袜子", share: 3, seasons: "春夏秋冬", price: (39, 69), weight: (120, 280),
        sizes: (ONE_SIZE, 1, 1), colors: (2, 4),
        color_pool: "黑色 白色 灰色 混色 黑白灰 彩色 卡其色",
        nouns: "袜子 中筒袜 短袜 船袜 长筒袜 棉袜", audience: "女 男 男士 女士 男女",
        materials: "纯棉 精梳棉 莫代尔 竹纤维 羊毛", fits: "吸汗 防臭 透气 加厚 薄款",
        details: "5双装 10双装 6双装 纯色 条纹 字母", tails: "日系 学生 袜子 堆堆袜" },
    Category { name: "配件/腰带", share: 3, seasons: "春夏秋冬", price: (49, 199), weight: (150, 320),
        sizes: ("105cm 110cm 115cm 120cm 125cm", 1, 3), colors: (1, 2),
        color_pool: "黑色 棕色 咖啡色 黑色金扣 黑色银扣",
        nouns: "皮带 腰带", audience: "男 男士 女 女士 学生",
        materials: "真皮 头层牛皮 牛皮 帆布", fits: "简约 商务 休闲 复古",
        details: "针扣 自动扣 平滑扣 细款 宽版 无孔", tails: "裤腰带 礼盒装 送男友 年轻人 潮" },
    Category { name: "箱包/双肩包", share: 5, seasons: "春夏秋冬", price: (89, 359), weight: (550, 1000),
        sizes: (ONE_SIZE, 1, 1), colors: (2, 4),
        color_pool: "黑色 灰色 卡其色 藏青色 米白色 粉色 军绿色 深蓝色",
        nouns: "双肩包 背包 书包 电脑包 旅行背包", audience: "女 男 男女 学生 大学生 中学生",
        materials: "牛津布 尼龙 帆布 防水面料 PU皮", fits: "大容量 轻便 防水 减负 多功能",
        details: "15.6寸 14寸 USB充电 拼色 通勤 防盗", tails: "书包 背包 简约 旅行 高中生" },
    Category { name: "箱包/单肩包", share: 6, seasons: "春夏秋冬", price: (99, 399), weight: (300, 700),
        sizes: (ONE_SIZE, 1, 1), colors: (2, 4),
        color_pool: "黑色 白色 米白色 杏色 卡其色 棕色 酒红色 焦糖色 绿色",
        nouns: "单肩包 斜挎包 托特包 腋下包 手提包 水桶包", audience: "女 女士 女生",
        materials: "真皮 头层牛皮 PU 帆布 尼龙 羊皮", fits: "大容量 小众 通勤 迷你",
        details: "链条 斜挎 宽肩带 编织 软皮 百搭款", tails: "包包 女包 洋气 网红 约会" },
];

const STYLES: &str = "韩版 日系 复古 简约 法式 美式 国潮 港风 学院风 通勤 休闲 街头 小众设计感 欧美 原创";
const GENERIC_TAILS: &str = "ins潮 百搭 高级感 爆款 时尚 网红同款 潮流 ins风";

/// `n` products with colors × sizes giving on average about 5.3 SKUs per product
/// (so 150 products give ~800 SKUs). Deterministic for a given rng state.
pub fn catalog(rng: &mut ChaCha8Rng, n: usize) -> Vec<CatalogProduct> {
    let mut serial: u64 = rng.random_range(1..=60);
    let mut products = Vec::with_capacity(n);
    for _ in 0..n {
        let cat = &CATEGORIES[weighted(rng, CATEGORIES.iter().map(|c| c.share))];
        let season = pick_char(rng, cat.seasons);
        let year = [23u32, 24, 24, 25, 25, 25][rng.random_range(0..6)];
        serial += rng.random_range(1..=5);
        let code = match season {
            '春' => 'S',
            '夏' => 'M',
            '秋' => 'A',
            _ => 'W',
        };
        let title = title(rng, cat, year, season);
        let color_count = rng_count(rng, cat.colors);
        let colors = pick_distinct(rng, cat.color_pool, color_count);
        let (ladder, shortest, longest) = cat.sizes;
        let ladder: Vec<&str> = ladder.split_whitespace().collect();
        let run = rng_count(rng, (shortest, longest)).clamp(1, ladder.len());
        let start = rng.random_range(0..=ladder.len() - run);
        let price_fen = list_price(rng, cat.price);
        let ratio: f64 = rng.random_range(0.35..0.55);
        let cost_fen = ((price_fen as f64 * ratio / 50.0).round() as i64 * 50).clamp(50, price_fen - 100);
        let weight_g = rng.random_range(cat.weight.0..=cat.weight.1) / 10 * 10;
        products.push(CatalogProduct {
            outer_id: format!("ZG{year:02}{code}{serial:04}"),
            title,
            category: cat.name.to_string(),
            colors: colors.into_iter().map(str::to_string).collect(),
            sizes: ladder[start..start + run].iter().map(|s| s.to_string()).collect(),
            cost_fen,
            price_fen,
            weight_g,
            popularity: 0.0,
        });
    }
    // Zipf-like sales weights, assigned to a random permutation of the catalogue.
    let mut ranks: Vec<usize> = (0..products.len()).collect();
    shuffle(rng, &mut ranks);
    let mut total = 0.0;
    for (product, rank) in products.iter_mut().zip(ranks) {
        let jitter: f64 = rng.random_range(0.8..1.25);
        product.popularity = jitter / ((rank + 1) as f64).powf(1.07);
        total += product.popularity;
    }
    for product in &mut products {
        product.popularity /= total;
    }
    products
}

/// Builds a 20-40 character title: prefix, style, fit, details, material, noun,
/// audience, then tail words until a random target length is reached.
fn title(rng: &mut ChaCha8Rng, cat: &Category, year: u32, season: char) -> String {
    let season_word = pick_word(
        rng,
        match season {
            '春' => "春季 春装 春秋",
            '夏' => "夏季 夏天 夏装 春夏",
            '秋' => "秋季 秋装 早秋 秋冬",
            _ => "冬季 冬装 冬天 秋冬",
        },
    );
    let prefix = match rng.random_range(0..10) {
        0..=5 => format!("20{year}{season_word}新款"),
        6..=7 => format!("{season_word}新款"),
        8 => format!("20{year}新款"),
        _ => "新款".to_string(),
    };
    // (word, may be dropped if the title runs long)
    let mut parts: Vec<(&str, bool)> = vec![(prefix.as_str(), false)];
    parts.push((pick_word(rng, STYLES), true));
    if rng.random_bool(0.8) {
        parts.push((pick_word(rng, cat.fits), true));
    }
    let detail_count = rng.random_range(1..=2);
    for detail in pick_distinct(rng, cat.details, detail_count) {
        parts.push((detail, true));
    }
    if rng.random_bool(0.6) {
        parts.push((pick_word(rng, cat.materials), true));
    }
    parts.push((pick_word(rng, cat.nouns), false));
    if rng.random_bool(0.85) {
        parts.push((pick_word(rng, cat.audience), true));
    }
    let mut words: Vec<&str> = Vec::new();
    for &(word, droppable) in &parts {
        let overlaps = |w: &&str| w.contains(word) || word.contains(*w);
        if !droppable {
            words.retain(|w| !overlaps(w));
            words.push(word);
        } else if !words.iter().any(overlaps) {
            words.push(word);
        }
    }
    while char_len(&words) > 40 {
        let Some(i) = parts.iter().rposition(|(_, droppable)| *droppable) else { break };
        let (dropped, _) = parts.remove(i);
        words.retain(|w| *w != dropped);
    }
    let target = rng.random_range(24..=34);
    // Category tails mixed with two generic ones; the other generic ones only as filler.
    let mut generic = pick_distinct(rng, GENERIC_TAILS, usize::MAX);
    let mut tails = pick_distinct(rng, cat.tails, usize::MAX);
    tails.extend(generic.drain(..2.min(generic.len())));
    shuffle(rng, &mut tails);
    tails.extend(generic);
    for tail in tails {
        let len = char_len(&words);
        if len >= target {
            break;
        }
        let repeats =
            words.iter().any(|w| w.contains(tail) || tail.contains(w) || (w.contains("ins") && tail.contains("ins")));
        if len + tail.chars().count() <= 40 && !repeats {
            words.push(tail);
        }
    }
    words.concat()
}

fn char_len(words: &[&str]) -> usize {
    words.iter().map(|w| w.chars().count()).sum()
}

/// A realistic Taobao price in fen: log-uniform over the range in yuan, snapped to X9.00,
/// X9.90 (cheap items) or X8.00.
fn list_price(rng: &mut ChaCha8Rng, (lo, hi): (u32, u32)) -> i64 {
    let (lo, hi) = (f64::from(lo).ln(), f64::from(hi).ln());
    let base = (lo + rng.random::<f64>() * (hi - lo)).exp();
    let tens = ((base / 10.0).floor() as i64 * 10).max(30);
    let ending = match rng.random_range(0..10) {
        0..=5 => 900,
        6..=7 if tens < 100 => 990,
        6..=7 => 900,
        _ => 800,
    };
    (tens * 100 + ending).clamp(3800, 59900)
}

// ---------------------------------------------------------------------------
// People

/// Surnames, most frequent first (picked with a bias towards the front).
const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蔡蒋余于杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤";
const COMPOUND_SURNAMES: &str = "欧阳 司马 上官 诸葛 慕容 东方 皇甫 令狐";
const FEMALE_CHARS: &str =
    "丽娟敏静婷雪芳燕艳玲霞慧琳颖倩欣悦怡佳晶萍洁红梅兰琴璐瑶雯妍婉可馨彤诗梦雨思涵晓文月蕾菲佩蓉莉薇丹秀";
const MALE_CHARS: &str =
    "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林阳博文峰振亮成志国建东晨轩睿泽子一嘉翔宏";
const NICK_BASES: &str = "小鱼儿 快乐的胖子 猫咪爱吃鱼 阳光男孩 风吹过的夏天 一只小可爱 木子李 晴天 甜甜圈 小太阳 橘子汽水 柠檬不酸 微笑的鱼 南风知我意 奶茶续命 吃货小分队 追风少年 温柔的猫 草莓味的你 大白兔 小熊饼干 暖暖 半夏 浅笑 栀子花开 小确幸 喵了个咪 懒羊羊 云朵 努力的小胖 秋天的风 宝宝巴士 月亮不睡我不睡 糖果屋";
const EN_NAMES: &str = "jessica amy sunny lucy lily cindy vivian grace tony kevin jack eric alice emma coco kiki angel vicky nancy helen judy mike david leo ken ivy zoe nina";
const PINYIN_SURNAMES: &str = "wang li zhang liu chen yang huang zhao wu zhou xu sun ma zhu hu guo lin he gao luo zheng liang xie song tang han feng deng cao";
const PINYIN_GIVEN: &str = "xiaoming lili jing yan tingting wei jie lei xin yu hao yi fang na min jun ting xiaoyu mengmeng jiajia yiyi haoran zixuan yuxuan shuang qian";
const PHONE_PREFIXES: &str = "130 131 132 133 134 135 136 137 138 139 150 151 152 153 155 156 157 158 159 166 173 175 176 177 178 180 181 182 183 185 186 187 188 189 191 195 198 199";

/// A plausible Taobao buyer nick (会员名), e.g. "小鱼儿8821", "tb_3827163", "王**", "jessica_lin", "快乐的胖子123". Unique-ish: include digits often.
pub fn buyer_nick(rng: &mut ChaCha8Rng) -> String {
    match rng.random_range(0..100) {
        0..=21 if rng.random_bool(0.5) => format!("tb{}", rng.random_range(100_000_000u64..10_000_000_000)),
        0..=21 => format!("tb_{}", rng.random_range(1_000_000u64..1_000_000_000)),
        22..=46 => {
            let base = pick_word(rng, NICK_BASES);
            match rng.random_range(0..10) {
                0..=5 => format!("{base}{}", nick_digits(rng)),
                6..=7 => base.to_string(),
                _ => format!("{base}_{}", nick_digits(rng)),
            }
        }
        47..=58 if rng.random_bool(0.5) => format!("{}**", pick_surname(rng)),
        47..=58 => {
            let inner = if rng.random_bool(0.5) { pick_word(rng, NICK_BASES) } else { pick_word(rng, EN_NAMES) };
            let first = inner.chars().next().unwrap_or('小');
            format!("{first}***{}", inner.chars().last().unwrap_or('8'))
        }
        59..=79 => {
            let name = pick_word(rng, EN_NAMES);
            let surname = pick_word(rng, PINYIN_SURNAMES);
            match rng.random_range(0..4) {
                0 => format!("{name}_{surname}"),
                1 => format!("{name}{}", nick_digits(rng)),
                2 => format!("{name}_{surname}{}", rng.random_range(10..100)),
                _ => format!("{name}{surname}{}", nick_digits(rng)),
            }
        }
        _ => {
            let given = pick_word(rng, PINYIN_GIVEN);
            let surname = pick_word(rng, PINYIN_SURNAMES);
            match rng.random_range(0..3) {
                0 => format!("{given}{}", nick_digits(rng)),
                1 => format!("{surname}{given}{}", nick_digits(rng)),
                _ => format!("{surname}_{given}{}", rng.random_range(1..100)),
            }
        }
    }
}

/// Digits as people put them in nicks: short numbers, birth years or birthdays.
fn nick_digits(rng: &mut ChaCha8Rng) -> String {
    match rng.random_range(0..4) {
        0 => rng.random_range(10..100).to_string(),
        1 => rng.random_range(100..10_000).to_string(),
        2 => rng.random_range(1975..2008).to_string(),
        _ => format!("{:02}{:02}", rng.random_range(1..=12), rng.random_range(1..=28)),
    }
}

fn pick_surname(rng: &mut ChaCha8Rng) -> String {
    if rng.random_bool(0.015) {
        pick_word(rng, COMPOUND_SURNAMES).to_string()
    } else {
        let n = SURNAMES.chars().count();
        let u: f64 = rng.random();
        let i = ((u * u * n as f64) as usize).min(n - 1);
        SURNAMES.chars().nth(i).unwrap_or('王').to_string()
    }
}

/// A receiver's Chinese name (收货人姓名), e.g. "张丽", "欧阳明轩".
pub fn receiver_name(rng: &mut ChaCha8Rng) -> String {
    let mut name = pick_surname(rng);
    let pool = if rng.random_bool(0.55) { FEMALE_CHARS } else { MALE_CHARS };
    let given_len = if rng.random_bool(0.7) { 2 } else { 1 };
    for _ in 0..given_len {
        name.push(pick_char(rng, pool));
    }
    name
}

/// A masked mobile number as platforms export it, e.g. "138****5621".
pub fn masked_phone(rng: &mut ChaCha8Rng) -> String {
    format!("{}****{:04}", pick_word(rng, PHONE_PREFIXES), rng.random_range(0..10_000))
}

// ---------------------------------------------------------------------------
// Addresses

/// A receiver address; see [`address`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    pub province: String,
    pub city: String,
    pub district: String,
    pub detail: String,
}

impl Address {
    /// As Taobao's 收货地址 column writes it: "浙江省 杭州市 西湖区 文三路478号..." (single spaces between the first three parts).
    pub fn export_text(&self) -> String {
        format!("{} {} {} {}", self.province, self.city, self.district, self.detail)
    }
}

/// (province, relative online-shopping volume, cities with their districts). The first
/// city of a province is its busiest; municipalities have one city named like the province.
/// (city, space-separated districts).
type City = (&'static str, &'static str);

#[rustfmt::skip]
const PROVINCES: &[(&str, u32, &[City])] = &[
    ("广东省", 150, &[("广州市", "天河区 越秀区 海珠区 白云区"), ("深圳市", "南山区 福田区 宝安区 龙岗区"),
        ("东莞市", "南城街道 东城街道 长安镇 虎门镇"), ("佛山市", "禅城区 南海区 顺德区"),
        ("珠海市", "香洲区 斗门区 金湾区"), ("汕头市", "金平区 龙湖区 潮阳区"), ("惠州市", "惠城区 惠阳区 博罗县")]),
    ("浙江省", 110, &[("杭州市", "西湖区 拱墅区 滨江区 余杭区"), ("宁波市", "海曙区 鄞州区 江北区 北仑区"),
        ("温州市", "鹿城区 瓯海区 龙湾区 乐清市"), ("金华市", "婺城区 义乌市 东阳市"),
        ("绍兴市", "越城区 柯桥区 诸暨市"), ("嘉兴市", "南湖区 秀洲区 桐乡市")]),
    ("江苏省", 100, &[("苏州市", "姑苏区 吴中区 相城区 昆山市"), ("南京市", "玄武区 鼓楼区 秦淮区 江宁区"),
        ("无锡市", "梁溪区 滨湖区 新吴区"), ("常州市", "天宁区 钟楼区 武进区"),
        ("南通市", "崇川区 通州区 海门区"), ("徐州市", "云龙区 鼓楼区 泉山区")]),
    ("上海市", 70, &[("上海市", "浦东新区 闵行区 徐汇区 静安区 黄浦区 长宁区 普陀区 杨浦区 宝山区 松江区")]),
    ("北京市", 60, &[("北京市", "朝阳区 海淀区 东城区 西城区 丰台区 通州区 昌平区 大兴区")]),
    ("山东省", 55, &[("济南市", "历下区 市中区 槐荫区 历城区"), ("青岛市", "市南区 市北区 崂山区 黄岛区"),
        ("烟台市", "芝罘区 莱山区 福山区"), ("潍坊市", "奎文区 潍城区 寿光市"), ("临沂市", "兰山区 罗庄区 河东区")]),
    ("福建省", 45, &[("厦门市", "思明区 湖里区 集美区"), ("福州市", "鼓楼区 台江区 仓山区 晋安区"),
        ("泉州市", "丰泽区 鲤城区 晋江市 石狮市"), ("莆田市", "城厢区 荔城区 涵江区")]),
    ("河南省", 40, &[("郑州市", "金水区 中原区 二七区 管城回族区"), ("洛阳市", "西工区 老城区 洛龙区"),
        ("开封市", "龙亭区 鼓楼区 禹王台区"), ("南阳市", "宛城区 卧龙区")]),
    ("四川省", 40, &[("成都市", "武侯区 锦江区 青羊区 成华区"), ("绵阳市", "涪城区 游仙区"),
        ("德阳市", "旌阳区 广汉市"), ("南充市", "顺庆区 高坪区")]),
    ("湖北省", 35, &[("武汉市", "武昌区 洪山区 江汉区 江岸区"), ("宜昌市", "西陵区 伍家岗区"),
        ("襄阳市", "襄城区 樊城区"), ("荆州市", "沙市区 荆州区")]),
    ("湖南省", 30, &[("长沙市", "岳麓区 芙蓉区 天心区 开福区"), ("株洲市", "天元区 芦淞区"),
        ("湘潭市", "岳塘区 雨湖区"), ("衡阳市", "蒸湘区 雁峰区 石鼓区")]),
    ("安徽省", 30, &[("合肥市", "蜀山区 包河区 庐阳区 瑶海区"), ("芜湖市", "镜湖区 鸠江区"),
        ("蚌埠市", "蚌山区 龙子湖区"), ("安庆市", "迎江区 大观区")]),
    ("河北省", 30, &[("石家庄市", "长安区 桥西区 新华区 裕华区"), ("保定市", "竞秀区 莲池区"),
        ("唐山市", "路北区 路南区"), ("廊坊市", "广阳区 安次区 三河市")]),
    ("重庆市", 20, &[("重庆市", "渝中区 江北区 渝北区 南岸区 沙坪坝区 九龙坡区 万州区")]),
    ("辽宁省", 20, &[("沈阳市", "和平区 沈河区 皇姑区 铁西区"), ("大连市", "中山区 西岗区 沙河口区 甘井子区"),
        ("鞍山市", "铁东区 铁西区")]),
    ("陕西省", 18, &[("西安市", "雁塔区 碑林区 未央区 莲湖区"), ("咸阳市", "秦都区 渭城区"), ("宝鸡市", "渭滨区 金台区")]),
    ("江西省", 18, &[("南昌市", "东湖区 西湖区 青山湖区 红谷滩区"), ("赣州市", "章贡区 南康区"), ("九江市", "浔阳区 濂溪区")]),
    ("广西壮族自治区", 18, &[("南宁市", "青秀区 兴宁区 西乡塘区"), ("柳州市", "城中区 鱼峰区"),
        ("桂林市", "秀峰区 七星区 象山区")]),
    ("天津市", 15, &[("天津市", "和平区 南开区 河西区 河东区 滨海新区 西青区")]),
    ("云南省", 15, &[("昆明市", "五华区 盘龙区 官渡区 西山区"), ("曲靖市", "麒麟区 沾益区"), ("玉溪市", "红塔区 江川区")]),
    ("山西省", 12, &[("太原市", "小店区 迎泽区 杏花岭区"), ("大同市", "平城区 云冈区"), ("运城市", "盐湖区 永济市")]),
    ("黑龙江省", 10, &[("哈尔滨市", "南岗区 道里区 香坊区"), ("齐齐哈尔市", "龙沙区 建华区"), ("大庆市", "萨尔图区 让胡路区")]),
    ("贵州省", 10, &[("贵阳市", "云岩区 南明区 观山湖区"), ("遵义市", "红花岗区 汇川区"), ("六盘水市", "钟山区 水城区")]),
    ("吉林省", 8, &[("长春市", "朝阳区 南关区 宽城区"), ("吉林市", "船营区 昌邑区"), ("四平市", "铁西区 铁东区")]),
    ("内蒙古自治区", 8, &[("呼和浩特市", "新城区 回民区 赛罕区"), ("包头市", "昆都仑区 青山区"),
        ("鄂尔多斯市", "东胜区 康巴什区")]),
    ("新疆维吾尔自治区", 6, &[("乌鲁木齐市", "天山区 沙依巴克区 新市区"), ("克拉玛依市", "克拉玛依区 独山子区"),
        ("昌吉回族自治州", "昌吉市 阜康市")]),
    ("甘肃省", 6, &[("兰州市", "城关区 七里河区 安宁区"), ("天水市", "秦州区 麦积区"), ("酒泉市", "肃州区 敦煌市")]),
    ("海南省", 6, &[("海口市", "龙华区 美兰区 秀英区"), ("三亚市", "吉阳区 天涯区"), ("儋州市", "那大镇 白马井镇")]),
    ("宁夏回族自治区", 3, &[("银川市", "兴庆区 金凤区 西夏区"), ("石嘴山市", "大武口区 惠农区"), ("吴忠市", "利通区 青铜峡市")]),
    ("青海省", 2, &[("西宁市", "城东区 城中区 城西区 城北区"), ("海东市", "乐都区 平安区"),
        ("海西蒙古族藏族自治州", "格尔木市 德令哈市")]),
    ("西藏自治区", 1, &[("拉萨市", "城关区 堆龙德庆区"), ("日喀则市", "桑珠孜区 江孜县"), ("林芝市", "巴宜区 工布江达县")]),
];

/// Relative weight of a province's cities by position; cities past the end weigh 1.
const CITY_WEIGHTS: [u32; 4] = [6, 3, 2, 2];
const STREETS: &str = "人民路 中山路 解放路 建设路 和平路 新华路 文化路 长江路 黄河路 学府路 科技路 青年路 胜利路 北京路 南京路 东风路 朝阳路 光明路 幸福路 滨江路 世纪大道 工业大道 迎宾大道 花园路 友谊路 健康路 红旗路 五一路 人民南路 中山北路 建设东路 金桥路 望江路 湖滨路 府前街 文昌路 育才路 文三路";
const ESTATES: &str = "阳光花园 锦绣华庭 翠苑小区 金色家园 万科城 碧桂园 绿地世纪城 保利花园 恒大名都 东方名苑 幸福家园 华府小区 名仕豪庭 中央公园 城市花园 紫金苑 桂花园 新村小区 金地名郡 龙湖春江郦城";
const TOWERS: &str =
    "华星时代广场 万达广场 国际金融中心 创业大厦 软件园 世纪商务中心 银泰中心 财富广场 时代大厦 新城国际";

/// A receiver address: one of all 31 mainland provinces (full official names), weighted by online-shopping
/// volume (广东省 heaviest, 西藏自治区 lightest), then a real city (municipalities: city = "北京市" etc.) and a
/// real district, and a street detail like "文三路478号华星时代广场A座1203" or "中山路128号阳光花园3栋2单元502".
pub fn address(rng: &mut ChaCha8Rng) -> Address {
    let &(province, _, cities) = &PROVINCES[weighted(rng, PROVINCES.iter().map(|p| p.1))];
    let city_weights = (0..cities.len()).map(|i| CITY_WEIGHTS.get(i).copied().unwrap_or(1));
    let &(city, districts) = &cities[weighted(rng, city_weights)];
    let district = pick_word(rng, districts);
    let street = pick_word(rng, STREETS);
    let number = if rng.random_bool(0.7) { rng.random_range(1..=300) } else { rng.random_range(300..=999) };
    let top_floor = rng.random_range(6..=33);
    let floor = rng.random_range(1..=top_floor);
    let room = rng.random_range(1..=4);
    let buildings = rng.random_range(3..=30);
    let building = rng.random_range(1..=buildings);
    let detail = match rng.random_range(0..10) {
        0..=5 => {
            let estate = pick_word(rng, ESTATES);
            let unit = rng.random_range(1..=4);
            format!("{street}{number}号{estate}{building}栋{unit}单元{floor}{room:02}")
        }
        6..=7 => {
            let tower = pick_word(rng, TOWERS);
            let wing = pick_char(rng, "ABCD");
            format!("{street}{number}号{tower}{wing}座{floor}{room:02}")
        }
        8 => format!("{street}{number}号{}{building}幢{floor}{room:02}室", pick_word(rng, ESTATES)),
        _ => format!("{street}{number}号{}北门菜鸟驿站", pick_word(rng, ESTATES)),
    };
    Address { province: province.to_string(), city: city.to_string(), district: district.to_string(), detail }
}

// ---------------------------------------------------------------------------
// Helpers

/// Index drawn with the given relative weights (0 if they are all zero).
fn weighted(rng: &mut ChaCha8Rng, weights: impl Iterator<Item = u32> + Clone) -> usize {
    let total: u32 = weights.clone().sum();
    if total == 0 {
        return 0;
    }
    let mut x = rng.random_range(0..total);
    for (i, w) in weights.enumerate() {
        if x < w {
            return i;
        }
        x -= w;
    }
    0
}

fn rng_count(rng: &mut ChaCha8Rng, (lo, hi): (usize, usize)) -> usize {
    rng.random_range(lo..=hi.max(lo))
}

/// One word of a space-separated pool ("" for an empty pool).
fn pick_word(rng: &mut ChaCha8Rng, pool: &'static str) -> &'static str {
    let n = pool.split_whitespace().count();
    if n == 0 {
        return "";
    }
    let i = rng.random_range(0..n);
    pool.split_whitespace().nth(i).unwrap_or("")
}

/// Up to `k` distinct words of a space-separated pool, in random order.
fn pick_distinct(rng: &mut ChaCha8Rng, pool: &'static str, k: usize) -> Vec<&'static str> {
    let mut words: Vec<&'static str> = pool.split_whitespace().collect();
    shuffle(rng, &mut words);
    words.truncate(k);
    words
}

fn pick_char(rng: &mut ChaCha8Rng, pool: &str) -> char {
    let n = pool.chars().count().max(1);
    pool.chars().nth(rng.random_range(0..n)).unwrap_or(' ')
}

/// Fisher-Yates, kept local so the output never depends on rand's `seq` internals.
fn shuffle<T>(rng: &mut ChaCha8Rng, items: &mut [T]) {
    for i in (1..items.len()).rev() {
        items.swap(i, rng.random_range(0..=i));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use std::collections::{BTreeMap, HashSet};

    fn rng(seed: u64) -> ChaCha8Rng {
        ChaCha8Rng::seed_from_u64(seed)
    }

    fn sku_count(products: &[CatalogProduct]) -> usize {
        products.iter().map(|p| p.colors.len() * p.sizes.len()).sum()
    }

    #[test]
    fn same_seed_same_output() {
        let (mut a, mut b) = (rng(7), rng(7));
        assert_eq!(catalog(&mut a, 150), catalog(&mut b, 150));
        for _ in 0..500 {
            assert_eq!(buyer_nick(&mut a), buyer_nick(&mut b));
            assert_eq!(receiver_name(&mut a), receiver_name(&mut b));
            assert_eq!(masked_phone(&mut a), masked_phone(&mut b));
            assert_eq!(address(&mut a), address(&mut b));
        }
        assert_ne!(catalog(&mut rng(1), 20), catalog(&mut rng(2), 20));
    }

    #[test]
    fn catalogue_of_150_has_about_800_skus_and_unique_codes() {
        for seed in 0..10 {
            let products = catalog(&mut rng(seed), 150);
            assert_eq!(products.len(), 150);
            let skus = sku_count(&products);
            assert!((700..=900).contains(&skus), "seed {seed}: {skus} SKUs");
            let ids: HashSet<&str> = products.iter().map(|p| p.outer_id.as_str()).collect();
            assert_eq!(ids.len(), 150);
        }
        let big = catalog(&mut rng(99), 3000);
        let mean = sku_count(&big) as f64 / 3000.0;
        assert!((5.0..=5.6).contains(&mean), "mean {mean}");
        let ids: HashSet<&str> = big.iter().map(|p| p.outer_id.as_str()).collect();
        assert_eq!(ids.len(), 3000);
    }

    #[test]
    fn products_are_realistic() {
        let products = catalog(&mut rng(3), 2000);
        let categories: HashSet<&str> = products.iter().map(|p| p.category.as_str()).collect();
        assert_eq!(categories.len(), CATEGORIES.len());
        for p in &products {
            assert!((3800..=59900).contains(&p.price_fen), "{p:?}");
            assert!(matches!(p.price_fen % 1000, 900 | 990 | 800), "{p:?}");
            assert!(p.cost_fen > 0 && p.cost_fen < p.price_fen, "{p:?}");
            let ratio = p.cost_fen as f64 / p.price_fen as f64;
            assert!((0.33..=0.57).contains(&ratio), "{p:?}");
            assert!((80..=1200).contains(&p.weight_g), "{p:?}");
            assert!(p.popularity > 0.0);
            let len = p.title.chars().count();
            assert!((20..=40).contains(&len), "{len}: {}", p.title);
            assert!(!p.colors.is_empty() && !p.sizes.is_empty());
            assert_eq!(p.colors.iter().collect::<HashSet<_>>().len(), p.colors.len());
            assert_eq!(p.sizes.iter().collect::<HashSet<_>>().len(), p.sizes.len());
            assert!(p.outer_id.starts_with("ZG") && p.outer_id.len() >= 9, "{}", p.outer_id);
        }
        let median_price = {
            let mut prices: Vec<i64> = products.iter().map(|p| p.price_fen).collect();
            prices.sort_unstable();
            prices[prices.len() / 2]
        };
        assert!((5900..=25900).contains(&median_price), "{median_price}");
    }

    #[test]
    fn popularity_is_normalised_and_skewed() {
        let products = catalog(&mut rng(11), 150);
        let total: f64 = products.iter().map(|p| p.popularity).sum();
        assert!((total - 1.0).abs() < 1e-9);
        let mut pops: Vec<f64> = products.iter().map(|p| p.popularity).collect();
        pops.sort_by(|a, b| b.total_cmp(a));
        let top10: f64 = pops[..10].iter().sum();
        assert!(top10 > 0.35, "top 10 share {top10}");
        assert!(pops[0] > 20.0 * pops[75]);
        assert!(catalog(&mut rng(0), 0).is_empty());
    }

    #[test]
    fn all_31_provinces_are_reachable() {
        let names: HashSet<&str> = PROVINCES.iter().map(|p| p.0).collect();
        assert_eq!(names.len(), 31);
        for &(province, _, cities) in PROVINCES {
            let municipality = cities.len() == 1;
            assert!(municipality || cities.len() >= 3, "{province}");
            for &(city, districts) in cities {
                let n = districts.split_whitespace().count();
                assert!(if municipality { n >= 4 && city == province } else { (2..=4).contains(&n) }, "{city}");
            }
        }
        let mut r = rng(5);
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for _ in 0..200_000 {
            *counts.entry(address(&mut r).province).or_default() += 1;
        }
        assert_eq!(counts.len(), 31);
        assert!(counts["广东省"] > 20 * counts["西藏自治区"]);
        assert!(counts["浙江省"] > counts["青海省"]);
    }

    #[test]
    fn export_text_starts_with_province_city_district() {
        let mut r = rng(8);
        for _ in 0..1000 {
            let a = address(&mut r);
            let text = a.export_text();
            let parts: Vec<&str> = text.split(' ').collect();
            assert_eq!(parts.len(), 4, "{text}");
            assert_eq!((parts[0], parts[1], parts[2], parts[3]), (&*a.province, &*a.city, &*a.district, &*a.detail));
            assert!(a.detail.contains('号'), "{text}");
        }
    }

    #[test]
    fn people_look_plausible() {
        let mut r = rng(21);
        let mut nicks = HashSet::new();
        for _ in 0..2000 {
            let phone = masked_phone(&mut r);
            assert_eq!(phone.len(), 11);
            assert_eq!(&phone[3..7], "****");
            assert!(phone[..3].chars().chain(phone[7..].chars()).all(|c| c.is_ascii_digit()));
            let name = receiver_name(&mut r);
            assert!((2..=4).contains(&name.chars().count()), "{name}");
            let nick = buyer_nick(&mut r);
            assert!(!nick.is_empty() && !nick.contains(' '), "{nick}");
            nicks.insert(nick);
        }
        assert!(nicks.len() > 1700, "only {} distinct nicks", nicks.len());
    }
}
