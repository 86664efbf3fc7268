//! Platform-neutral records read from export files. Every record carries the 1-based line (CSV) or
//! row number (spreadsheet) it came from. Texts are cleaned ([`crate::cell::clean_text`]); an empty
//! text means the export had none. Rates are integers in parts per 10,000 (`3.27%` → 327).

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use zhanggui_domain::{Money, Region, TradeStatus};

/// A trade (主订单) with its lines (子订单).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderRecord {
    pub line: usize,
    /// The platform's trade id (订单编号 / 订单号).
    pub tid: String,
    pub status: TradeStatus,
    /// The status text as exported (订单状态).
    pub status_text: String,
    /// 买家会员名; empty when the platform exports none (Pinduoduo).
    pub buyer_nick: String,
    pub receiver_name: String,
    pub receiver_phone: String,
    /// 修改后的收货地址 when filled, else 收货地址; for Pinduoduo 省 市 区 详细地址 joined by spaces,
    /// for JD 客户地址.
    pub receiver_address: String,
    /// Province, city and district from `receiver_address` (masked parts empty); `None` when it names
    /// no province.
    pub region: Option<Region>,
    /// 买家应付货款 / 商品总价(元) / JD Σ 京东价 × 订购数量.
    pub goods_amount: Money,
    /// 买家应付邮费 / 邮费(元) / 运费金额.
    pub postage: Money,
    /// 总金额 (Taobao); goods + postage elsewhere (JD: 订单金额, plus 运费金额 when not included).
    pub total_amount: Money,
    /// What the buyer paid, postage included: 买家实际支付金额 / 用户实付金额(元) / JD 应付金额.
    pub amount_paid: Money,
    /// 店铺优惠折扣(元) (Pinduoduo); zero where the export has no such column.
    pub shop_discount: Money,
    /// 平台优惠折扣(元) (Pinduoduo); zero where the export has no such column.
    pub platform_discount: Money,
    /// 确认收货打款金额 (Taobao), 商家实收金额(元) (Pinduoduo), 结算金额 (JD).
    pub seller_received: Option<Money>,
    pub created_at: NaiveDateTime,
    /// `None` = not paid.
    pub paid_at: Option<NaiveDateTime>,
    pub shipped_at: Option<NaiveDateTime>,
    /// 确认收货时间 / 订单完成时间.
    pub finished_at: Option<NaiveDateTime>,
    pub buyer_message: String,
    pub seller_memo: String,
    pub carrier: String,
    pub tracking_no: String,
    pub close_reason: String,
    pub refund_amount: Money,
    /// 宝贝标题 (all titles of the trade as the order report lists them).
    pub item_titles: String,
    /// 宝贝总数量 / 商品数量(件) / Σ 订购数量.
    pub item_count: i64,
    pub shop_name: String,
    pub lines: Vec<LineRecord>,
}

/// A trade line (子订单).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineRecord {
    pub line: usize,
    /// 子订单编号; where the export has none: Taobao `{tid}-{n}` (n-th line of the trade in the file),
    /// Pinduoduo the trade id, JD `{tid}-{商品ID}` (`-2`, `-3`… for repeats).
    pub oid: String,
    pub tid: String,
    pub title: String,
    pub price: Money,
    pub qty: i64,
    /// 商家编码 at SKU level (Taobao 商家编码, Pinduoduo 商家编码-规格维度).
    pub outer_sku_id: String,
    /// Product-level merchant code when known (Taobao 外部系统编号, Pinduoduo 商家编码-商品维度).
    pub outer_id: String,
    /// Sale properties, normalised ("颜色分类:黑色;尺码:M").
    pub properties: String,
    pub amount_paid: Money,
    pub refund_status: String,
    pub refund_amount: Money,
    pub status_text: String,
    pub item_id: String,
    pub shipped_at: Option<NaiveDateTime>,
    pub carrier: String,
    pub tracking_no: String,
}

/// A row that could not be read: where, which column, why, and the row as it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub file: String,
    pub line: usize,
    /// The column (as named in the file) whose cell is wrong, when one is.
    pub column: Option<String>,
    pub reason: String,
    pub raw: Vec<String>,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.column {
            Some(c) => write!(f, "{} line {}, column {}: {}", self.file, self.line, c, self.reason),
            None => write!(f, "{} line {}: {}", self.file, self.line, self.reason),
        }
    }
}

/// A product/SKU row of a product sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductRecord {
    pub line: usize,
    /// Product-level code (商品编码/货号); empty when the sheet has none.
    pub outer_id: String,
    /// SKU-level 商家编码: the join key with every platform export.
    pub outer_sku_id: String,
    pub title: String,
    /// "颜色:黑色;尺码:M", from 颜色/尺码 columns or a 商品属性/销售属性 text.
    pub properties: String,
    pub cost: Option<Money>,
    pub price: Option<Money>,
    pub barcode: String,
    pub stock: Option<i64>,
    pub warehouse: String,
    pub category: String,
}

/// One item and day of a 生意参谋 item ranking export (商品_全部). Counts whose column the export
/// lacks are 0 for the first group and `None` for the `Option` fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemTrafficRecord {
    pub line: usize,
    pub day: NaiveDate,
    pub item_id: String,
    pub title: String,
    /// 商品状态 (当前在线 / 已下架 …).
    pub item_status: String,
    /// 商品访客数.
    pub uv: i64,
    /// 商品浏览量.
    pub pv: i64,
    /// 商品加购人数.
    pub add_cart_buyers: i64,
    /// 商品收藏人数.
    pub favorite_buyers: i64,
    /// 下单买家数.
    pub order_buyers: i64,
    /// 支付买家数.
    pub paid_buyers: i64,
    /// 支付件数.
    pub paid_units: i64,
    /// 支付金额.
    pub paid_amount: Money,
    /// 平均停留时长 in milliseconds.
    pub avg_stay_ms: Option<i64>,
    /// 商品详情页跳出率, parts per 10,000.
    pub bounce_rate: Option<i64>,
    /// 商品加购件数.
    pub add_cart_units: Option<i64>,
    /// 下单件数.
    pub order_units: Option<i64>,
    /// 下单金额.
    pub order_amount: Option<Money>,
    /// 下单转化率, parts per 10,000.
    pub order_conversion_rate: Option<i64>,
    /// 商品支付转化率, parts per 10,000.
    pub paid_conversion_rate: Option<i64>,
    /// 支付新买家数.
    pub new_paid_buyers: Option<i64>,
    /// 支付老买家数.
    pub returning_paid_buyers: Option<i64>,
    /// 成功退款金额.
    pub refund_amount: Option<Money>,
    /// 搜索引导访客数.
    pub search_uv: Option<i64>,
    /// 搜索引导支付买家数.
    pub search_paid_buyers: Option<i64>,
}

/// One day of a shop's traffic sheet. Optional columns (DOMAIN.md §7 names) are `None` when absent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShopTrafficRecord {
    pub line: usize,
    pub day: NaiveDate,
    /// 浏览量 / PV.
    pub pv: i64,
    /// 访客数 / UV.
    pub uv: i64,
    /// 收订笔数 / 下单笔数.
    pub orders_created: Option<i64>,
    /// 收订金额 / 下单金额.
    pub amount_created: Option<Money>,
    /// 下单买家数.
    pub buyers_created: Option<i64>,
    /// 付款笔数 / 支付笔数 / 支付订单数.
    pub orders_paid: Option<i64>,
    /// 支付金额.
    pub amount_paid: Option<Money>,
    /// 支付买家数.
    pub paying_buyers: Option<i64>,
    /// 支付转化率, parts per 10,000.
    pub conversion_rate: Option<i64>,
    /// 客单价.
    pub aov: Option<Money>,
    /// 成功退款金额.
    pub refund_amount: Option<Money>,
    /// 加购人数.
    pub add_cart_buyers: Option<i64>,
    /// 收藏人数.
    pub favorite_buyers: Option<i64>,
}

/// One row of a 直通车/万相台 plan or item report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdDailyRecord {
    pub line: usize,
    pub day: NaiveDate,
    pub plan_id: String,
    pub plan_name: String,
    /// 主体ID / 商品ID / 宝贝ID; empty in a plan report.
    pub item_id: String,
    /// 花费.
    pub spend: Money,
    /// 展现量.
    pub impressions: i64,
    /// 点击量.
    pub clicks: i64,
    /// 直接成交金额.
    pub direct_gmv: Money,
    /// 间接成交金额.
    pub indirect_gmv: Money,
    /// 总成交金额 (direct + indirect when the column is absent).
    pub total_gmv: Money,
    /// 收藏加购数.
    pub favorites_carts: i64,
    /// 点击率 as exported, parts per 10,000.
    pub ctr: Option<i64>,
    /// 平均点击花费 as exported.
    pub cpc: Option<Money>,
    /// 投入产出比 as exported, parts per 10,000 (3.52 → 35,200).
    pub roi: Option<i64>,
}
