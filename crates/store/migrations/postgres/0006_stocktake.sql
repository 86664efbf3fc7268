-- Stocktakes (盘点): a count session per warehouse with the on-hand snapshot it started from and
-- what was counted per SKU.
CREATE TABLE stocktake (
    id BIGSERIAL PRIMARY KEY,
    company_id BIGINT NOT NULL REFERENCES company(id),
    code TEXT NOT NULL,
    warehouse_id BIGINT NOT NULL REFERENCES warehouse(id),
    status TEXT NOT NULL,
    scope TEXT NOT NULL DEFAULT '',
    reason TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    closed_by TEXT NOT NULL DEFAULT '',
    closed_at BIGINT,
    UNIQUE (company_id, code)
);
CREATE TABLE stocktake_line (
    id BIGSERIAL PRIMARY KEY,
    company_id BIGINT NOT NULL REFERENCES company(id),
    stocktake_id BIGINT NOT NULL REFERENCES stocktake(id),
    sku_id BIGINT NOT NULL REFERENCES sku(id),
    snapshot_on_hand BIGINT NOT NULL,
    counted BIGINT CHECK (counted IS NULL OR counted >= 0),
    unit_cost BIGINT NOT NULL,
    counted_by TEXT NOT NULL DEFAULT '',
    counted_at BIGINT,
    stock_move_id BIGINT REFERENCES stock_move(id),
    UNIQUE (stocktake_id, sku_id)
);
