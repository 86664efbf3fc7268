-- Purchasing workflows: receipts against purchase order lines, and who closed an order when.
CREATE TABLE purchase_receipt (
    id BIGSERIAL PRIMARY KEY,
    company_id BIGINT NOT NULL REFERENCES company(id),
    purchase_order_id BIGINT NOT NULL REFERENCES purchase_order(id),
    purchase_order_line_id BIGINT NOT NULL REFERENCES purchase_order_line(id),
    sku_id BIGINT NOT NULL REFERENCES sku(id),
    warehouse_id BIGINT NOT NULL REFERENCES warehouse(id),
    qty BIGINT NOT NULL CHECK (qty > 0),
    unit_cost BIGINT NOT NULL,
    stock_move_id BIGINT NOT NULL REFERENCES stock_move(id),
    note TEXT NOT NULL DEFAULT '',
    user_name TEXT NOT NULL DEFAULT '',
    received_at BIGINT NOT NULL
);
CREATE INDEX purchase_receipt_po ON purchase_receipt (purchase_order_id, id);
CREATE INDEX purchase_order_company_status ON purchase_order (company_id, status, expected_at);
ALTER TABLE purchase_order ADD COLUMN closed_at BIGINT;
ALTER TABLE purchase_order ADD COLUMN created_by TEXT NOT NULL DEFAULT '';
