-- Sales summaries the reports read, so that their cost does not grow with history. Each row holds the
-- additive counters of one (shop, day) or one (shop, SKU, day); day is 'YYYY-MM-DD' in the company's
-- time zone, money is fen. Every write that changes a trade, its lines or its refunds adds its share
-- in the same transaction (store::summaries); `zhanggui rebuild-summaries` recomputes them from the
-- raw rows. Distinct counts (buyers) are not kept here: they are counted from trade rows over the
-- period with the covering indexes below.

CREATE TABLE sales_shop_daily (
    company_id BIGINT NOT NULL REFERENCES company(id),
    shop_id BIGINT NOT NULL REFERENCES shop(id),
    day TEXT NOT NULL,
    -- 收订: trades created that day (any status) and their amount (total − discount, postage included).
    orders_created BIGINT NOT NULL DEFAULT 0,
    amount_created BIGINT NOT NULL DEFAULT 0,
    -- 付款: trades paid that day, their amount paid (postage included) and units.
    orders_paid BIGINT NOT NULL DEFAULT 0,
    amount_paid BIGINT NOT NULL DEFAULT 0,
    units_paid BIGINT NOT NULL DEFAULT 0,
    -- Trades whose (latest) shipment left that day.
    trades_shipped BIGINT NOT NULL DEFAULT 0,
    -- Refunds that succeeded that day and their amount.
    refunds BIGINT NOT NULL DEFAULT 0,
    refund_amount BIGINT NOT NULL DEFAULT 0,
    -- Return-and-refund and exchange requests made that day (one per refund row).
    return_requests BIGINT NOT NULL DEFAULT 0,
    exchange_requests BIGINT NOT NULL DEFAULT 0,
    -- Trades whose first return or exchange request was made that day.
    trades_returned_or_exchanged BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (shop_id, day)
);
CREATE INDEX sales_shop_daily_company ON sales_shop_daily (company_id, day);

CREATE TABLE sales_sku_daily (
    company_id BIGINT NOT NULL REFERENCES company(id),
    shop_id BIGINT NOT NULL REFERENCES shop(id),
    sku_id BIGINT NOT NULL REFERENCES sku(id),
    day TEXT NOT NULL,
    -- Units, amount and lines of the SKU on trades paid that day.
    units_paid BIGINT NOT NULL DEFAULT 0,
    amount_paid BIGINT NOT NULL DEFAULT 0,
    lines_paid BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (shop_id, day, sku_id)
);
CREATE INDEX sales_sku_daily_company ON sales_sku_daily (company_id, day, sku_id);

-- Distinct buyers over a period are counted from the trades of that period alone: these indexes cover
-- the count (no table lookups), so its cost follows the period's trades, not the history.
DROP INDEX trade_company_created;
DROP INDEX trade_company_paid;
CREATE INDEX trade_company_created ON trade (company_id, created_at, shop_id, customer_id);
CREATE INDEX trade_company_paid ON trade (company_id, paid_at, shop_id, customer_id);
