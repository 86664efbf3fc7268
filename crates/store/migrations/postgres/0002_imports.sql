-- Imports: merchant codes mapped by hand to SKUs, and daily ad spend.

-- An export's 商家编码 that is not a SKU code, mapped to the SKU it means (zhanggui skus map).
CREATE TABLE sku_alias (
    company_id BIGINT NOT NULL REFERENCES company(id),
    code TEXT NOT NULL,
    sku_id BIGINT NOT NULL REFERENCES sku(id),
    PRIMARY KEY (company_id, code)
);

CREATE INDEX order_line_unmatched ON order_line (company_id, outer_sku_id) WHERE sku_id IS NULL;

-- Daily ad spend per plan (and item when the report is per item): 直通车 / 万相台.
CREATE TABLE ad_daily (
    id BIGSERIAL PRIMARY KEY,
    company_id BIGINT NOT NULL REFERENCES company(id),
    shop_id BIGINT NOT NULL REFERENCES shop(id),
    day TEXT NOT NULL,
    channel TEXT NOT NULL DEFAULT '',
    plan_id TEXT NOT NULL DEFAULT '',
    plan_name TEXT NOT NULL DEFAULT '',
    item_id TEXT NOT NULL DEFAULT '',
    spend BIGINT NOT NULL DEFAULT 0,
    impressions BIGINT NOT NULL DEFAULT 0,
    clicks BIGINT NOT NULL DEFAULT 0,
    direct_gmv BIGINT NOT NULL DEFAULT 0,
    indirect_gmv BIGINT NOT NULL DEFAULT 0,
    total_gmv BIGINT NOT NULL DEFAULT 0,
    favorites_carts BIGINT NOT NULL DEFAULT 0,
    UNIQUE (shop_id, day, channel, plan_id, item_id)
);

-- Item traffic from 生意参谋 carries the item's own conversion figures.
ALTER TABLE traffic_daily ADD COLUMN order_buyers BIGINT NOT NULL DEFAULT 0;
ALTER TABLE traffic_daily ADD COLUMN paid_buyers BIGINT NOT NULL DEFAULT 0;
ALTER TABLE traffic_daily ADD COLUMN paid_units BIGINT NOT NULL DEFAULT 0;
ALTER TABLE traffic_daily ADD COLUMN paid_amount BIGINT NOT NULL DEFAULT 0;
ALTER TABLE traffic_daily ADD COLUMN search_uv BIGINT NOT NULL DEFAULT 0;
