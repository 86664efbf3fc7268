-- 毛利's cost of goods shipped kept per (shop, day), so a month's 毛利 reads a month of summary rows
-- instead of every stock move of the month. cost_shipped (fen) is what the sale shipments of the day
-- took out at the unit cost they left at, less returned goods received back into a sellable warehouse
-- at theirs; the shop is the trade's (or the after-sales case's trade's).
ALTER TABLE sales_shop_daily ADD COLUMN cost_shipped BIGINT NOT NULL DEFAULT 0;

-- Units shipped without a cost (the SKU had none when they left) count at the SKU's cost when the
-- report is read, so entering a cost later values them: they are kept apart, per (shop, day, SKU).
CREATE TABLE uncosted_shipment_daily (
    company_id BIGINT NOT NULL REFERENCES company(id),
    shop_id BIGINT NOT NULL REFERENCES shop(id),
    day TEXT NOT NULL,
    sku_id BIGINT NOT NULL REFERENCES sku(id),
    units BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (shop_id, day, sku_id)
) WITHOUT ROWID;
CREATE INDEX uncosted_shipment_daily_company ON uncosted_shipment_daily (company_id, day, sku_id, units);

-- The new counters start empty for the moves already written.
INSERT INTO summary_rebuild_due (company_id) SELECT id FROM company
    WHERE id NOT IN (SELECT company_id FROM summary_rebuild_due);
