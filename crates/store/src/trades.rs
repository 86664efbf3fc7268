//! Trades (主订单), their lines (子订单) and their history.

use chrono::{DateTime, Utc};
use zhanggui_domain::{Money, TradeStatus};

use zhanggui_domain::Platform;

use crate::{OrderLine, Reservation, Shop, StoreError, Trade, TradeEventRow, TradeFilter, Tx, from_ts, to_ts};

/// A SKU's balance in one warehouse: `(sku_id, warehouse_id, on_hand, reserved)`.
pub type Balance = (i64, i64, i64, i64);

/// Lines of a trade and the stock balances of their SKUs, as `(sku_id, warehouse_id, on_hand, reserved)`.
#[derive(Debug, Clone, Default)]
pub struct LinesAndBalances {
    pub lines: Vec<OrderLine>,
    pub balances: Vec<Balance>,
}

impl LinesAndBalances {
    /// Folds rows of (line, its SKU's balance in one warehouse) into the lines and the balances.
    fn collect(rows: Vec<(OrderLine, Option<Balance>)>) -> LinesAndBalances {
        let mut out = LinesAndBalances::default();
        for (line, balance) in rows {
            if out.lines.last().is_none_or(|l: &OrderLine| l.id != line.id) {
                out.lines.push(line);
            }
            if let Some(b) = balance {
                out.balances.push(b);
            }
        }
        out.balances.sort_unstable();
        out.balances.dedup();
        out
    }
}

/// Folds rows of (line, one of its open reservations) into the lines and the reservations (by id).
fn collect_lines_and_reservations(rows: Vec<(OrderLine, Option<Reservation>)>) -> (Vec<OrderLine>, Vec<Reservation>) {
    let mut lines: Vec<OrderLine> = Vec::new();
    let mut reservations = Vec::new();
    for (line, reservation) in rows {
        if lines.last().is_none_or(|l| l.id != line.id) {
            lines.push(line);
        }
        reservations.extend(reservation);
    }
    reservations.sort_by_key(|r| r.id);
    (lines, reservations)
}

/// The shop's stock rules, read with a trade (`shop s` joined to `trade t`).
const SHOP_RULE_COLUMNS: &str = "s.platform AS shop_platform, s.allow_oversell AS shop_allow_oversell, \
    s.reserve_unpaid AS shop_reserve_unpaid, s.inventory_start_at AS shop_inventory_start_at, \
    s.default_warehouse_id AS shop_default_warehouse_id";

/// A trade's unshipped lines that hold no open reservation, each with its SKU's balance in every
/// sellable warehouse (after `SELECT`; bind `$1` = trade id).
const LINES_TO_RESERVE: &str = "l.id, l.trade_id, l.oid, l.sku_id, l.outer_sku_id, l.title, l.properties, l.price, \
    l.qty, l.amount_paid, l.refund_amount, l.refund_status, l.shipped_at, \
    b.warehouse_id AS b_warehouse_id, b.on_hand AS b_on_hand, b.reserved AS b_reserved \
    FROM order_line l LEFT JOIN stock_balance b ON b.sku_id = l.sku_id \
       AND b.warehouse_id IN (SELECT w.id FROM warehouse w WHERE w.sellable) \
    WHERE l.trade_id = $1 AND l.shipped_at IS NULL AND NOT EXISTS \
       (SELECT 1 FROM reservation r WHERE r.trade_id = l.trade_id AND r.status = 'open' AND r.order_line_id = l.id) \
    ORDER BY l.id, b.warehouse_id";

/// Every line of a trade, each with its open reservations (after `SELECT`; bind `$1` = trade id).
const LINES_WITH_OPEN_RESERVATIONS: &str = "l.id, l.trade_id, l.oid, l.sku_id, l.outer_sku_id, l.title, \
    l.properties, l.price, l.qty, l.amount_paid, l.refund_amount, l.refund_status, l.shipped_at, \
    r.id AS r_id, r.sku_id AS r_sku_id, r.warehouse_id AS r_warehouse_id, r.qty AS r_qty \
    FROM order_line l LEFT JOIN reservation r \
       ON r.trade_id = l.trade_id AND r.order_line_id = l.id AND r.status = 'open' \
    WHERE l.trade_id = $1 ORDER BY l.id, r.id";

pub(crate) const TRADE_COLUMNS: &str = "t.id, t.company_id, t.shop_id, s.name AS shop_name, t.tid, t.status, t.customer_id, \
    t.buyer_nick, t.receiver_name, t.receiver_phone, t.receiver_address, t.province, t.city, t.district, \
    t.goods_amount, t.postage, t.discount, t.total_amount, t.amount_paid, t.refund_amount, t.item_count, \
    t.created_at, t.paid_at, t.shipped_at, t.finished_at, t.closed_at, t.close_reason, t.buyer_message, \
    t.seller_memo, t.flag, t.carrier, t.tracking_no, t.urgent, t.oversold, t.ship_by_at, \
    (SELECT c.time_zone FROM company c WHERE c.id = t.company_id) AS time_zone";

macro_rules! trade_row {
    ($r:ident) => {{
        let status: String = $r.try_get("status")?;
        let opt_ts = |v: Option<i64>| v.map(from_ts);
        Ok(Trade {
            id: $r.try_get("id")?,
            company_id: $r.try_get("company_id")?,
            shop_id: $r.try_get("shop_id")?,
            shop_name: $r.try_get("shop_name")?,
            tid: $r.try_get("tid")?,
            status: status.parse::<TradeStatus>().map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
            customer_id: $r.try_get("customer_id")?,
            buyer_nick: $r.try_get("buyer_nick")?,
            receiver_name: $r.try_get("receiver_name")?,
            receiver_phone: $r.try_get("receiver_phone")?,
            receiver_address: $r.try_get("receiver_address")?,
            province: $r.try_get("province")?,
            city: $r.try_get("city")?,
            district: $r.try_get("district")?,
            goods_amount: Money::from_fen($r.try_get("goods_amount")?),
            postage: Money::from_fen($r.try_get("postage")?),
            discount: Money::from_fen($r.try_get("discount")?),
            total_amount: Money::from_fen($r.try_get("total_amount")?),
            amount_paid: Money::from_fen($r.try_get("amount_paid")?),
            refund_amount: Money::from_fen($r.try_get("refund_amount")?),
            item_count: $r.try_get("item_count")?,
            created_at: from_ts($r.try_get("created_at")?),
            paid_at: opt_ts($r.try_get("paid_at")?),
            shipped_at: opt_ts($r.try_get("shipped_at")?),
            finished_at: opt_ts($r.try_get("finished_at")?),
            closed_at: opt_ts($r.try_get("closed_at")?),
            close_reason: $r.try_get("close_reason")?,
            buyer_message: $r.try_get("buyer_message")?,
            seller_memo: $r.try_get("seller_memo")?,
            flag: $r.try_get("flag")?,
            carrier: $r.try_get("carrier")?,
            tracking_no: $r.try_get("tracking_no")?,
            urgent: $r.try_get("urgent")?,
            oversold: $r.try_get("oversold")?,
            ship_by_at: opt_ts($r.try_get("ship_by_at")?),
            time_zone: $crate::summaries::zone(&$r.try_get::<String, _>("time_zone")?),
        })
    }};
}

macro_rules! line_row {
    ($r:ident) => {
        Ok(OrderLine {
            id: $r.try_get("id")?,
            trade_id: $r.try_get("trade_id")?,
            oid: $r.try_get("oid")?,
            sku_id: $r.try_get("sku_id")?,
            outer_sku_id: $r.try_get("outer_sku_id")?,
            title: $r.try_get("title")?,
            properties: $r.try_get("properties")?,
            price: Money::from_fen($r.try_get("price")?),
            qty: $r.try_get("qty")?,
            amount_paid: Money::from_fen($r.try_get("amount_paid")?),
            refund_amount: Money::from_fen($r.try_get("refund_amount")?),
            refund_status: $r.try_get("refund_status")?,
            shipped_at: $r.try_get::<Option<i64>, _>("shipped_at")?.map(from_ts),
        })
    };
}

/// A trade with its shop's stock rules ([`SHOP_RULE_COLUMNS`]); evaluates to
/// `Result<(Trade, Shop), sqlx::Error>`.
macro_rules! trade_with_shop_row {
    ($r:ident) => {
        (|| -> Result<(Trade, Shop), sqlx::Error> {
            let trade: Trade = (|| -> Result<Trade, sqlx::Error> { trade_row!($r) })()?;
            let platform: String = $r.try_get("shop_platform")?;
            let shop = Shop {
                id: trade.shop_id,
                company_id: trade.company_id,
                platform: platform.parse::<Platform>().unwrap_or(Platform::Other),
                name: trade.shop_name.clone(),
                allow_oversell: $r.try_get("shop_allow_oversell")?,
                reserve_unpaid: $r.try_get("shop_reserve_unpaid")?,
                inventory_start_at: $r.try_get::<Option<i64>, _>("shop_inventory_start_at")?.map(from_ts),
                default_warehouse_id: $r.try_get("shop_default_warehouse_id")?,
                time_zone: trade.time_zone,
            };
            Ok((trade, shop))
        })()
    };
}

/// A row of [`LINES_TO_RESERVE`]; evaluates to `Result<(OrderLine, Option<balance>), sqlx::Error>`.
macro_rules! line_balance_row {
    ($r:ident) => {
        (|| -> Result<(OrderLine, Option<Balance>), sqlx::Error> {
            let line: OrderLine = (|| -> Result<OrderLine, sqlx::Error> { line_row!($r) })()?;
            let balance = match (line.sku_id, $r.try_get::<Option<i64>, _>("b_warehouse_id")?) {
                (Some(sku), Some(w)) => Some((sku, w, $r.try_get("b_on_hand")?, $r.try_get("b_reserved")?)),
                _ => None,
            };
            Ok((line, balance))
        })()
    };
}

/// A row of [`LINES_WITH_OPEN_RESERVATIONS`]; evaluates to
/// `Result<(OrderLine, Option<Reservation>), sqlx::Error>`.
macro_rules! line_reservation_row {
    ($r:ident) => {
        (|| -> Result<(OrderLine, Option<Reservation>), sqlx::Error> {
            let line: OrderLine = (|| -> Result<OrderLine, sqlx::Error> { line_row!($r) })()?;
            let reservation = match $r.try_get::<Option<i64>, _>("r_id")? {
                Some(id) => Some(Reservation {
                    id,
                    trade_id: line.trade_id,
                    order_line_id: line.id,
                    sku_id: $r.try_get("r_sku_id")?,
                    warehouse_id: $r.try_get("r_warehouse_id")?,
                    qty: $r.try_get("r_qty")?,
                }),
                None => None,
            };
            Ok((line, reservation))
        })()
    };
}

/// The fields a transition changes on a trade.
#[derive(Debug, Clone, Default)]
pub struct TradeChange {
    pub status: Option<TradeStatus>,
    pub paid_at: Option<DateTime<Utc>>,
    pub shipped_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub ship_by_at: Option<DateTime<Utc>>,
    pub close_reason: Option<String>,
    pub carrier: Option<String>,
    pub tracking_no: Option<String>,
    pub oversold: Option<bool>,
    pub customer_id: Option<i64>,
}

impl Tx {
    /// Trades by an assembled query (identifiers and placeholders only) and its binds.
    pub(crate) async fn fetch_trades_dyn(
        &mut self,
        sql: String,
        a: &[crate::batch::Value],
    ) -> Result<Vec<Trade>, StoreError> {
        let rows = match self {
            Tx::Sqlite(t) => {
                let refs: Vec<&crate::batch::Value> = a.iter().collect();
                let (sql, args) = crate::batch::positional(&sql, &refs);
                crate::bind_values!(sqlx::query(sqlx::AssertSqlSafe(sql)), args)
                    .fetch_all(&mut **t)
                    .await?
                    .iter()
                    .map(|r| {
                        use sqlx::Row as _;
                        trade_row!(r)
                    })
                    .collect::<Result<Vec<_>, sqlx::Error>>()?
            }
            Tx::Postgres(t) => crate::bind_values!(sqlx::query(sqlx::AssertSqlSafe(sql)), a.iter())
                .fetch_all(&mut **t)
                .await?
                .iter()
                .map(|r| {
                    use sqlx::Row as _;
                    trade_row!(r)
                })
                .collect::<Result<Vec<_>, sqlx::Error>>()?,
        };
        Ok(rows)
    }

    pub async fn trade(&mut self, company_id: i64, trade_id: i64) -> Result<Option<Trade>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {TRADE_COLUMNS} FROM trade t JOIN shop s ON s.id = t.shop_id WHERE t.id = $1 AND t.company_id = $2"
        ));
        Ok(fetch_optional!(self, sql, [trade_id, company_id], |r| trade_row!(r))?)
    }

    /// Finds a trade by the platform's order number; with several shops the same number may exist
    /// more than once, so all matches are returned.
    pub async fn trades_by_tid(&mut self, company_id: i64, tid: &str) -> Result<Vec<Trade>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {TRADE_COLUMNS} FROM trade t JOIN shop s ON s.id = t.shop_id WHERE t.company_id = $1 AND t.tid = $2"
        ));
        Ok(fetch_all!(self, sql, [company_id, tid], |r| trade_row!(r))?)
    }

    /// Reads a trade and locks its row for the rest of the transaction, so two transitions of the same
    /// trade cannot interleave (PostgreSQL row lock; SQLite's writer lock already serialises).
    pub async fn trade_for_update(&mut self, company_id: i64, trade_id: i64) -> Result<Option<Trade>, StoreError> {
        let lock = if matches!(self, Tx::Postgres(_)) { " FOR UPDATE OF t" } else { "" };
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {TRADE_COLUMNS} FROM trade t JOIN shop s ON s.id = t.shop_id WHERE t.id = $1 AND t.company_id = $2{lock}"
        ));
        Ok(fetch_optional!(self, sql, [trade_id, company_id], |r| trade_row!(r))?)
    }

    /// [`Tx::trade_for_update`] together with its shop's stock rules, in one query.
    pub async fn trade_with_shop_for_update(
        &mut self,
        company_id: i64,
        trade_id: i64,
    ) -> Result<Option<(Trade, Shop)>, StoreError> {
        let lock = if matches!(self, Tx::Postgres(_)) { " FOR UPDATE OF t" } else { "" };
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {TRADE_COLUMNS}, {SHOP_RULE_COLUMNS} \
             FROM trade t JOIN shop s ON s.id = t.shop_id WHERE t.id = $1 AND t.company_id = $2{lock}"
        ));
        Ok(fetch_optional!(self, sql, [trade_id, company_id], |r| trade_with_shop_row!(r))?)
    }

    /// [`Tx::lines_to_reserve`] and the stock balances of their SKUs in every warehouse
    /// (`(sku_id, warehouse_id, on_hand, reserved)`, by SKU and warehouse), in one query.
    pub async fn lines_to_reserve_with_balances(&mut self, trade_id: i64) -> Result<LinesAndBalances, StoreError> {
        let rows = fetch_all!(
            self,
            sqlx::AssertSqlSafe(format!("SELECT {LINES_TO_RESERVE}")),
            [trade_id],
            |r| line_balance_row!(r)
        )?;
        Ok(LinesAndBalances::collect(rows))
    }

    /// All lines of a trade and its open reservations (by id), in one query.
    pub async fn lines_with_open_reservations(
        &mut self,
        trade_id: i64,
    ) -> Result<(Vec<OrderLine>, Vec<Reservation>), StoreError> {
        let rows = fetch_all!(
            self,
            sqlx::AssertSqlSafe(format!("SELECT {LINES_WITH_OPEN_RESERVATIONS}")),
            [trade_id],
            |r| line_reservation_row!(r)
        )?;
        Ok(collect_lines_and_reservations(rows))
    }

    /// What paying needs, read together: the trade (locked on PostgreSQL) with its shop's stock
    /// rules, and [`Tx::lines_to_reserve_with_balances`]. One round trip on SQLite (two statements
    /// sent together); on PostgreSQL the trade is locked first, then the lines are read.
    pub async fn trade_to_pay(
        &mut self,
        company_id: i64,
        trade_id: i64,
    ) -> Result<Option<(Trade, Shop, LinesAndBalances)>, StoreError> {
        use sqlx::Row as _;
        let Tx::Sqlite(t) = self else {
            let Some((trade, shop)) = self.trade_with_shop_for_update(company_id, trade_id).await? else {
                return Ok(None);
            };
            let lines = self.lines_to_reserve_with_balances(trade_id).await?;
            return Ok(Some((trade, shop, lines)));
        };
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT 1 AS part, {TRADE_COLUMNS}, {SHOP_RULE_COLUMNS} \
             FROM trade t JOIN shop s ON s.id = t.shop_id WHERE t.id = $1 AND t.company_id = $2;\n\
             SELECT 2 AS part, {LINES_TO_RESERVE}"
        ));
        let mut found = None;
        let mut rows = Vec::new();
        for r in sqlx::query(sql).bind(trade_id).bind(company_id).fetch_all(&mut **t).await? {
            if r.try_get::<i64, _>("part")? == 1 {
                found = Some(trade_with_shop_row!(r)?);
            } else {
                rows.push(line_balance_row!(r)?);
            }
        }
        Ok(found.map(|(trade, shop)| (trade, shop, LinesAndBalances::collect(rows))))
    }

    /// What shipping needs, read together: the trade (locked on PostgreSQL) and
    /// [`Tx::lines_with_open_reservations`]; one round trip on SQLite.
    pub async fn trade_to_ship(
        &mut self,
        company_id: i64,
        trade_id: i64,
    ) -> Result<Option<(Trade, Vec<OrderLine>, Vec<Reservation>)>, StoreError> {
        use sqlx::Row as _;
        let Tx::Sqlite(t) = self else {
            let Some(trade) = self.trade_for_update(company_id, trade_id).await? else {
                return Ok(None);
            };
            let (lines, reservations) = self.lines_with_open_reservations(trade_id).await?;
            return Ok(Some((trade, lines, reservations)));
        };
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT 1 AS part, {TRADE_COLUMNS} FROM trade t JOIN shop s ON s.id = t.shop_id \
             WHERE t.id = $1 AND t.company_id = $2;\n\
             SELECT 2 AS part, {LINES_WITH_OPEN_RESERVATIONS}"
        ));
        let mut found = None;
        let mut rows = Vec::new();
        for r in sqlx::query(sql).bind(trade_id).bind(company_id).fetch_all(&mut **t).await? {
            if r.try_get::<i64, _>("part")? == 1 {
                found = Some((|| -> Result<Trade, sqlx::Error> { trade_row!(r) })()?);
            } else {
                rows.push(line_reservation_row!(r)?);
            }
        }
        Ok(found.map(|trade| {
            let (lines, reservations) = collect_lines_and_reservations(rows);
            (trade, lines, reservations)
        }))
    }

    pub async fn trade_lines(&mut self, trade_id: i64) -> Result<Vec<OrderLine>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT id, trade_id, oid, sku_id, outer_sku_id, title, properties, price, qty, amount_paid, refund_amount, \
                    refund_status, shipped_at FROM order_line WHERE trade_id = $1 ORDER BY id",
            [trade_id],
            |r| line_row!(r)
        )?)
    }

    /// The lines of a trade that still need stock reserved: not shipped and holding no open
    /// reservation (one may be held from before payment).
    pub async fn lines_to_reserve(&mut self, trade_id: i64) -> Result<Vec<OrderLine>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT l.id, l.trade_id, l.oid, l.sku_id, l.outer_sku_id, l.title, l.properties, l.price, l.qty, \
                    l.amount_paid, l.refund_amount, l.refund_status, l.shipped_at \
             FROM order_line l WHERE l.trade_id = $1 AND l.shipped_at IS NULL AND NOT EXISTS \
                (SELECT 1 FROM reservation r WHERE r.trade_id = l.trade_id AND r.status = 'open' AND r.order_line_id = l.id) \
             ORDER BY l.id",
            [trade_id],
            |r| line_row!(r)
        )?)
    }

    pub async fn trade_events(&mut self, trade_id: i64) -> Result<Vec<TradeEventRow>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT event, from_status, to_status, note, user_name, at FROM trade_event WHERE trade_id = $1 ORDER BY id",
            [trade_id],
            |r| Ok(TradeEventRow {
                event: r.try_get("event")?,
                from_status: r.try_get("from_status")?,
                to_status: r.try_get("to_status")?,
                note: r.try_get("note")?,
                user_name: r.try_get("user_name")?,
                at: from_ts(r.try_get("at")?),
            })
        )?)
    }

    /// Trades matching a filter, newest first. Every condition is a bind; nothing from the filter is
    /// pasted into the SQL.
    pub async fn list_trades(&mut self, f: &TradeFilter) -> Result<Vec<Trade>, StoreError> {
        let buyer = f.buyer.as_deref().map(str::trim).unwrap_or("");
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {TRADE_COLUMNS} FROM trade t JOIN shop s ON s.id = t.shop_id \
             WHERE t.company_id = $1 \
               AND ($2 = 0 OR t.shop_id = $2) \
               AND ($3 = '' OR t.status = $3) \
               AND ($4 = FALSE OR t.created_at >= $5) \
               AND ($6 = FALSE OR t.created_at < $7) \
               AND {} \
               AND ($9 = FALSE OR (t.status = 'WAIT_SELLER_SEND_GOODS' AND t.paid_at < $10)) \
             ORDER BY t.created_at DESC, t.id DESC LIMIT $11 OFFSET $12",
            by_buyer(buyer, "$8")
        ));
        Ok(fetch_all!(
            self,
            sql,
            [
                f.company_id,
                f.shop_id.unwrap_or(0),
                f.status.map(|s| s.code()).unwrap_or(""),
                f.created_from.is_some(),
                f.created_from.map(to_ts).unwrap_or(0),
                f.created_to.is_some(),
                f.created_to.map(to_ts).unwrap_or(0),
                buyer,
                f.paid_before_unshipped.is_some(),
                f.paid_before_unshipped.map(to_ts).unwrap_or(0),
                if f.limit > 0 { f.limit } else { 50 },
                f.offset
            ],
            |r| trade_row!(r)
        )?)
    }

    /// Writes a refund (售后) row with what it adds to the sales summaries (a success on its day, a
    /// return or exchange request), in one batch after one read of the trade's shop and time zone.
    pub async fn insert_refund(&mut self, r: &crate::NewRefund) -> Result<i64, StoreError> {
        let found = fetch_optional!(
            &mut *self,
            "SELECT t.shop_id, (SELECT c.time_zone FROM company c WHERE c.id = t.company_id), \
                (SELECT MIN(x.created_at) FROM refund x WHERE x.trade_id = t.id AND x.kind IN ('return_and_refund', 'exchange')) \
             FROM trade t WHERE t.id = $1",
            [r.trade_id],
            |row| Ok((row.try_get::<i64, _>(0)?, row.try_get::<String, _>(1)?, row.try_get::<Option<i64>, _>(2)?))
        )?;
        let Some((shop_id, zone, earliest_return)) = found else {
            return Err(StoreError::Corrupt(format!("refund {} names no trade", r.refund_no)));
        };
        let tz = crate::summaries::zone(&zone);
        let mut b = crate::batch::Batch::new();
        let mut summary = crate::summaries::SummaryDelta::new(r.company_id);
        // The trade counts among returns once, on its earliest request: a request older than the
        // ones already stored (an export read out of order) moves that count to its own day.
        let earliest_return = earliest_return.map(from_ts);
        let first = match earliest_return {
            None => true,
            Some(e) if crate::summaries::is_return(r.kind) && r.created_at < e => {
                summary.trade_return_uncounted(shop_id, e, tz);
                true
            }
            Some(_) => false,
        };
        summary.refund(shop_id, r, first, tz);
        summary.push(&mut b);
        let mut a = crate::args![r.company_id, r.trade_id, r.order_line_id];
        a.extend(crate::trade_write::refund_values(r));
        b.push(
            "INSERT INTO refund (company_id, trade_id, order_line_id, refund_no, kind, status, reason, amount, created_at, \
                deadline_at, finished_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
            a,
        );
        let ids = self.run_batch_returning(&b).await?;
        ids.first().copied().ok_or_else(|| StoreError::Corrupt(format!("refund {} was not created", r.refund_no)))
    }

    /// Marks or unmarks a trade as urgent (加急).
    pub async fn set_trade_urgent(&mut self, trade_id: i64, urgent: bool) -> Result<(), StoreError> {
        exec!(self, "UPDATE trade SET urgent = $1 WHERE id = $2", urgent, trade_id)?;
        Ok(())
    }
}

/// The condition on a trade list's buyer nick (bound as `param`, the company being `$1`): the trades of the company's
/// customers of that nick (every trade naming a buyer has its customer), read through the customer
/// index; with no buyer given, a condition that holds and still names the parameter, since
/// PostgreSQL refuses a bound parameter that the statement does not use.
pub(crate) fn by_buyer(buyer: &str, param: &str) -> String {
    if buyer.is_empty() {
        format!("{param} = ''")
    } else {
        format!("t.customer_id IN (SELECT c.id FROM customer c WHERE c.company_id = $1 AND c.nick = {param})")
    }
}
