-- Distinct buyers (下单买家数, 支付买家数) kept as counters, so that a day, a week or a month to date
-- is read from a few summary rows instead of counted over the period's trades. One row per company
-- day for each shop and for the whole company (shop_id 0: a buyer of two shops is one buyer there).
-- See store::buyer_counts for what each counter holds and how a period is read from them.
CREATE TABLE sales_buyers_daily (
    company_id BIGINT NOT NULL REFERENCES company(id),
    -- The shop, or 0 for every shop of the company.
    shop_id BIGINT NOT NULL,
    day TEXT NOT NULL,
    -- Buyers with a trade created that day; of them, those with no earlier trade created in the same
    -- week (Monday to Sunday) and in the same month; trades created that day that name no buyer.
    buyers_created BIGINT NOT NULL DEFAULT 0,
    buyers_created_new_in_week BIGINT NOT NULL DEFAULT 0,
    buyers_created_new_in_month BIGINT NOT NULL DEFAULT 0,
    created_without_buyer BIGINT NOT NULL DEFAULT 0,
    -- The same for trades paid that day.
    paying_buyers BIGINT NOT NULL DEFAULT 0,
    paying_buyers_new_in_week BIGINT NOT NULL DEFAULT 0,
    paying_buyers_new_in_month BIGINT NOT NULL DEFAULT 0,
    paid_without_buyer BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (company_id, shop_id, day)
);

-- Keeping the counters reads a buyer's other trades around the changed one, by time.
DROP INDEX trade_customer;
CREATE INDEX trade_customer_created ON trade (customer_id, created_at);
CREATE INDEX trade_customer_paid ON trade (customer_id, paid_at);

-- Companies whose summaries must be rebuilt from the raw rows when the database is next opened (the
-- counters above start empty for the trades already written).
CREATE TABLE summary_rebuild_due (
    company_id BIGINT PRIMARY KEY REFERENCES company(id)
);
INSERT INTO summary_rebuild_due (company_id) SELECT id FROM company;

-- Per-SKU sums over a window of days (best sellers, days of cover, the replenishment table) read from
-- this index alone, without a lookup per row.
DROP INDEX sales_sku_daily_company;
CREATE INDEX sales_sku_daily_company ON sales_sku_daily (company_id, day, sku_id, units_paid, amount_paid);

-- Paid trades not shipped as of a moment (the 24-hour alert), in three disjoint parts each read from
-- its own small index: still neither shipped nor closed; shipped since; closed since without shipping.
CREATE INDEX trade_not_shipped ON trade (company_id, paid_at) WHERE shipped_at IS NULL AND closed_at IS NULL;
CREATE INDEX trade_company_shipped ON trade (company_id, shipped_at) WHERE shipped_at IS NOT NULL;
CREATE INDEX trade_closed_not_shipped ON trade (company_id, closed_at) WHERE shipped_at IS NULL AND closed_at IS NOT NULL;
