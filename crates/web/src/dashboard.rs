//! 工作台: the manager's morning page (seed 000): yesterday's and the month's figures with their changes,
//! 30-day trends, the best sellers with their days of cover, the alerts and the late arrivals. The
//! figures are those of `zhanggui report daily` for the same date and shop.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use zhanggui_app::domain::{ArrivalState, MetricValue};
use zhanggui_app::reports::Figures;
use zhanggui_app::reports::dashboard::{Dashboard, TREND_DAYS};
use zhanggui_app::users::Permission;
use zhanggui_app::{Lang, UserFacing};

use crate::Web;
use crate::auth::Authed;
use crate::chart::{self, Bar, Point};
use crate::pages::{Chrome, Opt, encode, error_page, query_string};
use crate::reports::{AlertGroupView, ReportQuery, alert_groups, parse_day, shop_opts};

/// The cards, in order: (key, 中文, English).
const CARDS: [(&str, &str, &str); 10] = [
    ("amount_paid", "支付金额", "Amount paid"),
    ("orders_paid", "付款笔数", "Orders paid"),
    ("paying_buyers", "支付买家数", "Paying buyers"),
    ("uv", "访客数", "Visitors"),
    ("conversion_rate", "支付转化率", "Conversion rate"),
    ("aov", "客单价", "Spend per buyer"),
    ("orders_created", "收订笔数", "Orders created"),
    ("payment_rate", "付款率", "Payment rate"),
    ("refund_amount", "成功退款金额", "Refund amount"),
    ("refund_rate", "退款率", "Refund rate"),
];

/// The definition of a figure (DOMAIN.md §7), for its ⓘ.
fn definition(key: &str, lang: Lang) -> &'static str {
    match key {
        "amount_paid" => lang.pick(
            "按付款时间统计的订单金额，含邮费，不扣之后的退款",
            "trades paid in the period by payment time, postage included, later refunds not deducted",
        ),
        "orders_paid" => lang.pick("付款时间在当期的订单数", "trades paid in the period"),
        "paying_buyers" => lang.pick("当期付款的不同买家数", "distinct buyers who paid"),
        "uv" => lang.pick(
            "生意参谋店铺流量中的访客数；只有单店单日可得，多天或多店不能去重",
            "distinct visitors from the shop traffic export; one shop and one day only",
        ),
        "conversion_rate" => lang.pick("支付买家数 ÷ 访客数", "paying buyers / visitors"),
        "aov" => lang.pick("支付金额 ÷ 支付买家数（按买家，不按订单）", "amount paid / paying buyers (per buyer)"),
        "orders_created" => lang.pick("当期创建的订单数（任何状态）", "trades created in the period (any status)"),
        "payment_rate" => lang.pick("付款笔数 ÷ 收订笔数（昨日付款/昨日收订）", "orders paid / orders created"),
        "refund_amount" => lang.pick("当期退款成功的金额", "refunds that succeeded in the period"),
        "refund_rate" => lang.pick("成功退款金额 ÷ 支付金额", "refund amount / amount paid"),
        _ => "",
    }
}

fn value(f: &Figures, key: &str) -> MetricValue {
    match key {
        "amount_paid" => f.amount_paid,
        "orders_paid" => f.orders_paid,
        "paying_buyers" => f.paying_buyers,
        "uv" => f.uv,
        "conversion_rate" => f.conversion_rate,
        "aov" => f.aov,
        "orders_created" => f.orders_created,
        "payment_rate" => f.payment_rate,
        "refund_amount" => f.refund_amount,
        "refund_rate" => f.refund_rate,
        _ => MetricValue::Unavailable,
    }
}

/// A figure as an exact fraction (money in fen).
fn fraction(v: MetricValue) -> Option<(i128, i128)> {
    match v {
        MetricValue::Count(c) => Some((i128::from(c), 1)),
        MetricValue::Money(m) => Some((i128::from(m.fen()), 1)),
        MetricValue::Rate(r) | MetricValue::Multiple(r) | MetricValue::Seconds(r) => {
            r.is_defined().then(|| (i128::from(r.numerator()), i128::from(r.denominator())))
        }
        MetricValue::Unavailable => None,
    }
}

/// The change of `now` against `before` as "+12.4%" / "−3.1%" with ↑/↓ (a rise is red, a fall green, as
/// in 生意参谋), and its class; "—" when there is nothing to compare with.
pub fn change(now: MetricValue, before: MetricValue) -> (String, &'static str) {
    let (Some((a, b)), Some((c, d))) = (fraction(now), fraction(before)) else {
        return ("—".into(), "");
    };
    let den = c * b;
    if den == 0 || b == 0 || d == 0 {
        return ("—".into(), "");
    }
    let num = (a * d - c * b) * 1000;
    // Rounded half away from zero, in tenths of a percent.
    let (q, r) = (num / den, num % den);
    let tenths = if 2 * r.abs() >= den.abs() { q + num.signum() * den.signum() } else { q };
    match tenths.signum() {
        0 => ("0.0%".into(), ""),
        1 => (format!("↑ +{}.{}%", tenths / 10, tenths % 10), "up"),
        _ => (format!("↓ −{}.{}%", -tenths / 10, -tenths % 10), "down"),
    }
}

/// Large sums on cards: 12.35万 / 1.20亿 (the exact value is on hover); below 1万 as is.
pub fn short_money(v: MetricValue, lang: Lang) -> String {
    match v {
        MetricValue::Money(m) if lang == Lang::Zh && m.fen().abs() >= 1_000_000 => {
            let fen = i128::from(m.fen());
            let (unit, scale) = if fen.abs() >= 10_000_000_000 { ("亿", 100_000_000i128) } else { ("万", 10_000) };
            // Hundredths of the unit, rounded half up.
            let hundredths = (fen.abs() + scale / 2) / scale;
            let sign = if fen < 0 { "-" } else { "" };
            format!("¥{sign}{}.{:02}{unit}", hundredths / 100, hundredths % 100)
        }
        other => other.to_string(),
    }
}

pub struct ChangeView {
    pub label: String,
    pub text: String,
    pub class: &'static str,
}

pub struct CardView {
    pub id: String,
    pub label: &'static str,
    pub hint: &'static str,
    pub value: String,
    pub exact: String,
    pub changes: Vec<ChangeView>,
    /// The rows behind the figure, where a list shows exactly them.
    pub rows: String,
}

fn cards(
    prefix: &str,
    f: &Figures,
    against: &[(String, Option<&Figures>)],
    created_rows: &str,
    lang: Lang,
) -> Vec<CardView> {
    CARDS
        .iter()
        .map(|(key, zh, en)| {
            let v = value(f, key);
            CardView {
                id: format!("{prefix}-{key}"),
                rows: if *key == "orders_created" { created_rows.to_string() } else { String::new() },
                label: lang.pick(zh, en),
                hint: definition(key, lang),
                value: short_money(v, lang),
                exact: v.to_string(),
                changes: against
                    .iter()
                    .map(|(label, other)| {
                        let (text, class) = match other {
                            Some(o) => change(v, value(o, key)),
                            None => ("—".into(), ""),
                        };
                        ChangeView { label: label.clone(), text, class }
                    })
                    .collect(),
            }
        })
        .collect()
}

pub struct BestSellerView {
    pub code: String,
    pub code_q: String,
    pub title: String,
    pub properties: String,
    pub units_7d: i64,
    pub available: i64,
    pub avg: String,
    pub cover: String,
    pub short: bool,
    pub in_transit: i64,
    pub next_arrival: String,
}

pub struct ArrivalView {
    pub po: String,
    pub po_q: String,
    pub supplier: String,
    pub warehouse: String,
    pub code: String,
    pub code_q: String,
    pub title: String,
    pub remaining: i64,
    pub expected: String,
}

pub struct ShopRow {
    pub name: String,
    pub link: String,
    pub cells: Vec<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    c: Chrome,
    shops: Vec<Opt>,
    filter_error: String,
    date: String,
    month_from: String,
    previous_month: String,
    basis: String,
    day_cards: Vec<CardView>,
    month_cards: Vec<CardView>,
    shop_headers: Vec<&'static str>,
    shop_rows: Vec<ShopRow>,
    charts: Vec<String>,
    best: Vec<BestSellerView>,
    best_chart: String,
    alert_count: usize,
    alert_groups: Vec<AlertGroupView>,
    alerts_link: String,
    not_checked: Vec<String>,
    late: Vec<ArrivalView>,
    late_error: String,
    daily_link: String,
}

/// A money value in yuan for drawing.
fn plot(v: MetricValue) -> Option<f64> {
    match v {
        MetricValue::Count(c) => Some(c as f64),
        MetricValue::Money(m) => Some(m.fen() as f64 / 100.0),
        MetricValue::Rate(r) => r.value().map(|x| x * 100.0),
        MetricValue::Multiple(r) | MetricValue::Seconds(r) => r.value(),
        MetricValue::Unavailable => None,
    }
}

fn money_tick(v: f64, lang: Lang) -> String {
    if lang == Lang::Zh && v >= 10_000.0 {
        format!("{:.1}万", v / 10_000.0)
    } else if v >= 10_000.0 {
        format!("{:.0}k", v / 1000.0)
    } else {
        format!("{v:.0}")
    }
}

fn trend_charts(d: &Dashboard, several_shops: bool, lang: Lang) -> Vec<String> {
    let days = &d.days;
    let start = days.len().saturating_sub(TREND_DAYS as usize);
    let series = |key: &str| -> (Vec<Point>, Vec<Point>) {
        let point = |i: usize| {
            let f = &days[i];
            let v = value(&f.figures, key);
            Point { label: f.date.clone(), value: plot(v), text: v.to_string() }
        };
        let now: Vec<Point> = (start..days.len()).map(point).collect();
        let before: Vec<Point> = (start..days.len()).filter_map(|i| i.checked_sub(7)).map(point).collect();
        (now, before)
    };
    let legend = (lang.pick("每日", "each day"), lang.pick("上周同日", "same day last week"));
    let mut out = Vec::new();
    for (key, zh, en) in [
        ("amount_paid", "支付金额（元）", "Amount paid (¥)"),
        ("uv", "访客数", "Visitors"),
        ("conversion_rate", "支付转化率（%）", "Conversion rate (%)"),
        ("aov", "客单价（元）", "Spend per buyer (¥)"),
    ] {
        let (now, before) = series(key);
        let title = lang.pick(zh, en);
        let missing = match key {
            "uv" | "conversion_rate" if several_shops => lang.pick(
                "多个店铺的访客数无法去重，请选一个店铺",
                "visitors of several shops cannot be added up; pick a shop",
            ),
            "uv" | "conversion_rate" => {
                lang.pick("未导入生意参谋店铺流量", "no shop traffic imported (import shop-traffic)")
            }
            _ => lang.pick("当期没有付款", "nothing was paid"),
        };
        let tick: Box<dyn Fn(f64) -> String> = match key {
            "amount_paid" | "aov" => Box::new(move |v| money_tick(v, lang)),
            "conversion_rate" => Box::new(|v| format!("{v:.1}%")),
            _ => Box::new(|v| format!("{v:.0}")),
        };
        out.push(format!(
            "<figure class=\"chart\"><figcaption>{}</figcaption>{}</figure>",
            chart::escape(title),
            chart::line_chart(&format!("chart-{key}"), title, &now, &before, legend, &*tick, missing)
        ));
    }
    out
}

pub async fn page(web: Web, a: Authed, q: ReportQuery) -> Response {
    if !a.user().may(Permission::ViewDashboard) {
        return Redirect::to(crate::pages::first_page_for(a.user())).into_response();
    }
    let lang = a.lang;
    let actor = a.user().actor();
    let now = Utc::now();
    let (date, filter_error) = match parse_day(&q.date, lang) {
        Ok(d) => (d, String::new()),
        Err(e) => (None, e),
    };
    let d = match web.app.dashboard(&actor, q.shop(), date, now).await {
        Ok(d) => d,
        Err(e) => return error_page(lang, &e),
    };
    let r = &d.daily;
    // The orders list filters by creation day: exactly the trades behind 收订笔数.
    let shop_id =
        d.shops.iter().find(|s| Some(&s.name) == r.shop.as_ref()).map(|s| s.id.to_string()).unwrap_or_default();
    let may_orders = a.user().may(Permission::ViewOrders);
    let created = |from: &str| {
        if may_orders {
            format!("/orders{}", query_string(&[("shop", &shop_id), ("from", from), ("to", &r.date)]))
        } else {
            String::new()
        }
    };
    let day_cards = cards(
        "day",
        &r.day,
        &[
            (lang.pick("较前一日", "vs the day before").to_string(), d.days_before(1)),
            (lang.pick("较上周同日", "vs the same day last week").to_string(), d.days_before(7)),
        ],
        &created(&r.date),
        lang,
    );
    let month_cards = cards(
        "month",
        &r.month_to_date,
        &[(lang.pick("较上月同期", "vs the same days last month").to_string(), Some(&d.previous_month_to_date))],
        &created(&r.month_from),
        lang,
    );
    let shop_keys = ["amount_paid", "orders_paid", "paying_buyers", "uv", "conversion_rate", "aov", "refund_amount"];
    let shop_headers =
        shop_keys.iter().filter_map(|k| CARDS.iter().find(|c| c.0 == *k)).map(|c| lang.pick(c.1, c.2)).collect();
    let shop_rows = r
        .shops
        .iter()
        .map(|s| ShopRow {
            name: s.shop.name.clone(),
            link: format!("/{}", query_string(&[("shop", &s.shop.id.to_string()), ("date", &r.date)])),
            cells: shop_keys.iter().map(|k| value(&s.figures, k).to_string()).collect(),
        })
        .collect();
    let best = r
        .best_sellers
        .iter()
        .map(|b| BestSellerView {
            code: b.sku_code.clone(),
            code_q: encode(&b.sku_code),
            title: b.title.clone(),
            properties: b.properties.clone(),
            units_7d: b.units_7d,
            available: b.available,
            avg: b.avg_daily_sales.to_string(),
            cover: b.days_of_cover.to_string(),
            short: b.days_of_cover.is_below(7),
            in_transit: b.in_transit,
            next_arrival: b.next_arrival.clone().unwrap_or_else(|| "—".into()),
        })
        .collect();
    let bars: Vec<Bar> = r
        .best_sellers
        .iter()
        .map(|b| Bar {
            label: format!("{} {}", b.sku_code, b.title),
            value: b.units_7d as f64,
            text: b.units_7d.to_string(),
        })
        .collect();
    let best_chart = chart::bar_chart("chart-best", lang.pick("近7天付款件数", "Units paid, last 7 days"), &bars);
    let (late, late_error) = match web.app.expected_arrivals(&actor, now).await {
        Ok(rows) => (
            rows.into_iter()
                .filter(|x| x.state == ArrivalState::Late)
                .map(|x| ArrivalView {
                    po: x.row.purchase_order_code.clone(),
                    po_q: encode(&x.row.purchase_order_code),
                    supplier: x.row.supplier_name.clone(),
                    warehouse: x.row.warehouse_code.clone(),
                    code_q: encode(&x.row.outer_sku_id),
                    code: x.row.outer_sku_id.clone(),
                    title: format!("{} {}", x.row.title, x.row.properties).trim().to_string(),
                    remaining: x.remaining,
                    expected: x.expected_day.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default(),
                })
                .collect(),
            String::new(),
        ),
        Err(e) => (Vec::new(), e.message(lang)),
    };
    let scope_q = |extra: &[(&str, &str)]| {
        let mut pairs = vec![("shop", q.shop.as_str())];
        pairs.extend_from_slice(extra);
        query_string(&pairs)
    };
    let all_shops = d.shops.clone();
    let page = DashboardPage {
        c: Chrome::new(&a, &web, "home", &format!("/{}", scope_q(&[("date", &q.date)]))),
        shops: shop_opts(&all_shops, q.shop.trim(), lang),
        filter_error,
        date: r.date.clone(),
        month_from: r.month_from.clone(),
        previous_month: format!("{}~{}", d.previous_month_from, d.previous_month_to),
        basis: r.basis.to_string(),
        day_cards,
        month_cards,
        shop_headers,
        shop_rows,
        charts: trend_charts(&d, d.daily.shop.is_none() && d.shops.len() > 1, lang),
        best,
        best_chart,
        alert_count: r.alerts.len(),
        alert_groups: alert_groups(&r.alerts, lang, may_orders, 5),
        alerts_link: format!("/reports/alerts{}", scope_q(&[("date", &r.date)])),
        not_checked: r.alerts_not_checked.iter().map(|s| s.to_string()).collect(),
        late,
        late_error,
        daily_link: format!("/reports/daily{}", scope_q(&[("date", &r.date)])),
    };
    (StatusCode::OK, page).into_response()
}

pub async fn home(State(web): State<Web>, a: Authed, Query(q): Query<ReportQuery>) -> Response {
    page(web, a, q).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use zhanggui_app::domain::{Money, Ratio};

    #[test]
    fn changes_read_as_in_sycm() {
        let m = |f| MetricValue::Money(Money::from_fen(f));
        assert_eq!(change(m(11240), m(10000)), ("↑ +12.4%".to_string(), "up"));
        assert_eq!(change(m(9690), m(10000)), ("↓ −3.1%".to_string(), "down"));
        assert_eq!(change(m(100), m(0)).0, "—");
        assert_eq!(change(MetricValue::Unavailable, m(5)).0, "—");
        // Rates compare as rates: 3% against 2% is a rise of half.
        let r = |n, d| MetricValue::Rate(Ratio::new(n, d));
        assert_eq!(change(r(3, 100), r(2, 100)).0, "↑ +50.0%");
        assert_eq!(change(MetricValue::Count(7), MetricValue::Count(7)).0, "0.0%");
    }

    #[test]
    fn large_sums_are_shortened_in_chinese_only() {
        let m = |f| MetricValue::Money(Money::from_fen(f));
        assert_eq!(short_money(m(12_345_678), Lang::Zh), "¥12.35万");
        assert_eq!(short_money(m(12_000_000_000), Lang::Zh), "¥1.20亿");
        assert_eq!(short_money(m(999_999), Lang::Zh), "¥9,999.99");
        assert_eq!(short_money(m(12_345_678), Lang::En), "¥123,456.78");
    }
}
