//! `zhanggui orders ...`: list and show trades, and move them through the trade state machine.

use chrono::{DateTime, Duration, Utc};
use clap::Subcommand;
use comfy_table::Cell;
use zhanggui_app::Lang;
use zhanggui_app::clock::{format_local, parse_local};
use zhanggui_app::store::TradeFilter;
use zhanggui_app::trading::{ShipInput, TradeError};
use zhanggui_domain::TradeStatus;

use crate::output::{num, print, table};
use crate::stock::truncate;
use crate::{Ctx, Failure, Format};

#[derive(Subcommand, Debug)]
pub enum OrdersCommand {
    /// Trades, newest first, with filters (订单列表).
    List {
        /// Shop name.
        #[arg(long)]
        shop: Option<String>,
        /// Status code (WAIT_SELLER_SEND_GOODS) or text (等待卖家发货).
        #[arg(long)]
        status: Option<String>,
        /// Created on or after this day (YYYY-MM-DD, shop time).
        #[arg(long)]
        from: Option<String>,
        /// Created before the end of this day.
        #[arg(long)]
        to: Option<String>,
        /// Buyer nick (买家会员名).
        #[arg(long)]
        buyer: Option<String>,
        /// Only paid trades not shipped within 24 h (超时未发货).
        #[arg(long)]
        overdue: bool,
        #[arg(long, default_value_t = 20)]
        limit: i64,
        #[arg(long, default_value_t = 1)]
        page: i64,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// One trade with its lines and history (订单详情).
    Show {
        /// Order number (订单编号) or zhanggui's trade id.
        order: String,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Record the buyer's payment (付款); reserves stock.
    Pay {
        order: String,
        /// Payment time in shop time (default now).
        #[arg(long)]
        at: Option<String>,
    },
    /// Ship (发货): writes the stock moves.
    Ship {
        order: String,
        /// Carrier (物流公司), e.g. 中通快递.
        #[arg(long)]
        carrier: String,
        /// Tracking number (运单号).
        #[arg(long)]
        tracking: String,
        /// Ship only these line ids (comma separated); all remaining lines by default.
        #[arg(long, value_delimiter = ',')]
        lines: Option<Vec<i64>>,
        #[arg(long)]
        at: Option<String>,
    },
    /// The buyer confirmed receipt (确认收货).
    Confirm {
        order: String,
        #[arg(long)]
        at: Option<String>,
    },
    /// Close the trade (关闭订单); releases reserved stock.
    Close {
        order: String,
        #[arg(long, default_value = "")]
        reason: String,
        #[arg(long)]
        at: Option<String>,
    },
}

pub(crate) fn when(ctx: &Ctx, at: &Option<String>) -> Result<DateTime<Utc>, Failure> {
    match at {
        None => Ok(Utc::now()),
        Some(text) => parse_local(text, ctx.time_zone).ok_or_else(|| {
            Failure::bad_input(format!(
                "{}{text}",
                ctx.lang.pick("时间格式不对（应为 YYYY-MM-DD HH:MM:SS）：", "not a time (use YYYY-MM-DD HH:MM:SS): ")
            ))
        }),
    }
}

fn status_text(s: TradeStatus, lang: Lang) -> &'static str {
    lang.pick(s.label_zh(), s.label_en())
}

pub async fn run(ctx: &Ctx, cmd: &OrdersCommand) -> Result<(), Failure> {
    let lang = ctx.lang;
    let err = |e: TradeError| Failure::from_error(&e, lang);
    match cmd {
        OrdersCommand::List { shop, status, from, to, buyer, overdue, limit, page, format } => {
            if *limit <= 0 || *page <= 0 {
                return Err(Failure::bad_input(
                    lang.pick("--limit 和 --page 必须大于 0", "--limit and --page must be positive"),
                ));
            }
            let shop_id = match shop {
                None => None,
                Some(name) => {
                    let mut tx = ctx.app.db.begin_read().await.map_err(|e| Failure::store(&e, lang))?;
                    let shops = tx.shops(ctx.actor.company_id).await.map_err(|e| Failure::store(&e, lang))?;
                    let found = shops.iter().find(|s| s.name == *name).map(|s| s.id);
                    Some(found.ok_or_else(|| {
                        Failure::bad_input(format!("{}{name}", lang.pick("找不到店铺 ", "unknown shop ")))
                    })?)
                }
            };
            let status = match status {
                None => None,
                Some(s) => Some(s.parse::<TradeStatus>().map_err(|_| {
                    Failure::bad_input(format!("{}{s}", lang.pick("未知的订单状态：", "unknown trade status: ")))
                })?),
            };
            let day = |text: &Option<String>, end: bool| -> Result<Option<DateTime<Utc>>, Failure> {
                match text {
                    None => Ok(None),
                    Some(t) => parse_local(t, ctx.time_zone)
                        .map(|d| Some(if end { d + Duration::days(1) } else { d }))
                        .ok_or_else(|| {
                            Failure::bad_input(format!("{}{t}", lang.pick("日期格式不对：", "not a date: ")))
                        }),
                }
            };
            let filter = TradeFilter {
                company_id: ctx.actor.company_id,
                shop_id,
                status,
                created_from: day(from, false)?,
                created_to: day(to, true)?,
                buyer: buyer.clone(),
                paid_before_unshipped: overdue.then(|| Utc::now() - zhanggui_app::trading::SHIP_WITHIN),
                limit: *limit,
                offset: (page - 1) * limit,
            };
            let trades = ctx.app.list_trades(&filter).await.map_err(err)?;
            print(*format, &trades, || {
                let mut t = table(&[
                    lang.pick("订单编号", "order"),
                    lang.pick("店铺", "shop"),
                    lang.pick("买家", "buyer"),
                    lang.pick("状态", "status"),
                    lang.pick("件数", "items"),
                    lang.pick("实付金额", "paid"),
                    lang.pick("下单时间", "created"),
                    lang.pick("收货地区", "region"),
                ]);
                for tr in &trades {
                    let mut status = status_text(tr.status, lang).to_string();
                    if tr.urgent {
                        status.push_str(lang.pick(" 【加急】", " [urgent]"));
                    }
                    if tr.oversold {
                        status.push_str(lang.pick(" 【超卖】", " [oversold]"));
                    }
                    t.add_row(vec![
                        Cell::new(&tr.tid),
                        Cell::new(&tr.shop_name),
                        Cell::new(&tr.buyer_nick),
                        Cell::new(status),
                        num(tr.item_count),
                        num(tr.amount_paid.to_display()),
                        Cell::new(format_local(tr.created_at, ctx.time_zone)),
                        Cell::new(format!("{} {}", tr.province, tr.city)),
                    ]);
                }
                t
            })
        }
        OrdersCommand::Show { order, format } => {
            let trade = ctx.app.find_trade(&ctx.actor, order).await.map_err(err)?;
            let detail = ctx.app.trade_detail(&ctx.actor, trade.id).await.map_err(err)?;
            if *format == Format::Json {
                return print(*format, &detail, || table(&[]));
            }
            let t = &detail.trade;
            let tz = ctx.time_zone;
            let opt = |v: Option<DateTime<Utc>>| v.map(|x| format_local(x, tz)).unwrap_or_else(|| "—".into());
            let mut head = table(&[lang.pick("字段", "field"), lang.pick("内容", "value")]);
            let rows: Vec<(&str, &str, String)> = vec![
                ("订单编号", "order", format!("{} (id {})", t.tid, t.id)),
                ("店铺", "shop", t.shop_name.clone()),
                ("状态", "status", status_text(t.status, lang).to_string()),
                ("买家", "buyer", t.buyer_nick.clone()),
                ("收货人", "receiver", format!("{} {}", t.receiver_name, t.receiver_phone)),
                ("收货地址", "address", t.receiver_address.clone()),
                ("商品金额", "goods", t.goods_amount.to_display()),
                ("运费", "postage", t.postage.to_display()),
                ("优惠", "discount", t.discount.to_display()),
                ("实付金额", "paid", t.amount_paid.to_display()),
                ("退款金额", "refunded", t.refund_amount.to_display()),
                ("下单时间", "created", format_local(t.created_at, tz)),
                ("付款时间", "paid at", opt(t.paid_at)),
                ("最晚发货", "ship by", opt(t.ship_by_at)),
                ("发货时间", "shipped at", opt(t.shipped_at)),
                ("物流", "carrier", format!("{} {}", t.carrier, t.tracking_no)),
                ("成交时间", "finished at", opt(t.finished_at)),
                ("关闭时间", "closed at", opt(t.closed_at)),
                ("买家留言", "buyer message", t.buyer_message.clone()),
                ("卖家备注", "seller memo", t.seller_memo.clone()),
            ];
            for (zh, en, v) in rows {
                head.add_row(vec![Cell::new(lang.pick(zh, en)), Cell::new(v)]);
            }
            if t.oversold {
                head.add_row(vec![Cell::new(lang.pick("超卖", "oversold")), Cell::new(lang.pick("是", "yes"))]);
            }
            println!("{head}");
            let mut lines = table(&[
                "id",
                lang.pick("商家编码", "SKU code"),
                lang.pick("商品", "title"),
                lang.pick("属性", "properties"),
                lang.pick("单价", "price"),
                lang.pick("数量", "qty"),
                lang.pick("实付", "paid"),
                lang.pick("发货", "shipped"),
            ]);
            for l in &detail.lines {
                let code = if l.sku_id.is_some() {
                    l.outer_sku_id.clone()
                } else {
                    format!("{} {}", l.outer_sku_id, lang.pick("（未匹配商品）", "(unmatched)"))
                };
                lines.add_row(vec![
                    num(l.id),
                    Cell::new(code),
                    Cell::new(truncate(&l.title, 20)),
                    Cell::new(&l.properties),
                    num(l.price.to_display()),
                    num(l.qty),
                    num(l.amount_paid.to_display()),
                    Cell::new(l.shipped_at.map(|x| format_local(x, tz)).unwrap_or_else(|| "—".into())),
                ]);
            }
            println!("{lines}");
            let mut history = table(&[
                lang.pick("时间", "time"),
                lang.pick("操作", "event"),
                lang.pick("状态", "status"),
                lang.pick("说明", "note"),
                lang.pick("操作人", "user"),
            ]);
            for e in &detail.events {
                let to = e
                    .to_status
                    .parse::<TradeStatus>()
                    .map(|s| status_text(s, lang).to_string())
                    .unwrap_or(e.to_status.clone());
                history.add_row(vec![
                    Cell::new(format_local(e.at, tz)),
                    Cell::new(zhanggui_app::trading::event_label(&e.event, lang)),
                    Cell::new(to),
                    Cell::new(&e.note),
                    Cell::new(&e.user_name),
                ]);
            }
            println!("{history}");
            Ok(())
        }
        OrdersCommand::Pay { order, at } => {
            let at = when(ctx, at)?;
            let trade = ctx.app.find_trade(&ctx.actor, order).await.map_err(err)?;
            ctx.app.pay_trade(&ctx.actor, trade.id, at).await.map_err(err)?;
            done(ctx, &trade.tid, TradeStatus::WaitSellerSendGoods);
            Ok(())
        }
        OrdersCommand::Ship { order, carrier, tracking, lines, at } => {
            let at = when(ctx, at)?;
            let trade = ctx.app.find_trade(&ctx.actor, order).await.map_err(err)?;
            let input = ShipInput { carrier: carrier.clone(), tracking_no: tracking.clone(), line_ids: lines.clone() };
            ctx.app.ship_trade(&ctx.actor, trade.id, &input, at).await.map_err(err)?;
            let after = ctx.app.find_trade(&ctx.actor, &trade.id.to_string()).await.map_err(err)?;
            done(ctx, &trade.tid, after.status);
            Ok(())
        }
        OrdersCommand::Confirm { order, at } => {
            let at = when(ctx, at)?;
            let trade = ctx.app.find_trade(&ctx.actor, order).await.map_err(err)?;
            ctx.app.confirm_receipt(&ctx.actor, trade.id, at).await.map_err(err)?;
            done(ctx, &trade.tid, TradeStatus::TradeFinished);
            Ok(())
        }
        OrdersCommand::Close { order, reason, at } => {
            let at = when(ctx, at)?;
            let trade = ctx.app.find_trade(&ctx.actor, order).await.map_err(err)?;
            ctx.app.close_trade(&ctx.actor, trade.id, reason, at).await.map_err(err)?;
            let after = ctx.app.find_trade(&ctx.actor, &trade.id.to_string()).await.map_err(err)?;
            done(ctx, &trade.tid, after.status);
            Ok(())
        }
    }
}

fn done(ctx: &Ctx, tid: &str, status: TradeStatus) {
    match ctx.lang {
        Lang::Zh => println!("订单 {tid} 现在是「{}」", status.label_zh()),
        Lang::En => println!("Order {tid} is now {}", status.label_en()),
    }
}
