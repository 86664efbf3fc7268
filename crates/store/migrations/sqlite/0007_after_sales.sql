-- After-sales (售后) workflows: what each case covers and has received, its history, disputes (纠纷),
-- and warehouses that hold goods which cannot be sold (次品).

-- A warehouse whose stock is not for sale (damaged returns): never reserved, not counted as available.
ALTER TABLE warehouse ADD COLUMN sellable BOOLEAN NOT NULL DEFAULT TRUE;

-- Units the case covers (0 = the whole line), when its status last changed (its deadline counts
-- from there), what the seller answered, the replacement shipped for an exchange or a reship, and
-- what came back.
ALTER TABLE refund ADD COLUMN qty BIGINT NOT NULL DEFAULT 0;
ALTER TABLE refund ADD COLUMN status_since BIGINT;
ALTER TABLE refund ADD COLUMN seller_note TEXT NOT NULL DEFAULT '';
ALTER TABLE refund ADD COLUMN replacement_carrier TEXT NOT NULL DEFAULT '';
ALTER TABLE refund ADD COLUMN replacement_tracking_no TEXT NOT NULL DEFAULT '';
ALTER TABLE refund ADD COLUMN received_good BIGINT NOT NULL DEFAULT 0;
ALTER TABLE refund ADD COLUMN received_damaged BIGINT NOT NULL DEFAULT 0;
ALTER TABLE refund ADD COLUMN created_by TEXT NOT NULL DEFAULT '';
CREATE INDEX refund_company_created ON refund (company_id, created_at);
CREATE INDEX refund_line ON refund (order_line_id);

CREATE TABLE refund_event (
    id INTEGER PRIMARY KEY,
    company_id BIGINT NOT NULL REFERENCES company(id),
    refund_id BIGINT NOT NULL REFERENCES refund(id),
    event TEXT NOT NULL,
    from_status TEXT NOT NULL,
    to_status TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    user_name TEXT NOT NULL DEFAULT '',
    at BIGINT NOT NULL
);
CREATE INDEX refund_event_refund ON refund_event (refund_id, id);

CREATE TABLE dispute (
    id INTEGER PRIMARY KEY,
    company_id BIGINT NOT NULL REFERENCES company(id),
    refund_id BIGINT NOT NULL REFERENCES refund(id),
    stage TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    evidence TEXT NOT NULL DEFAULT '',
    outcome TEXT NOT NULL DEFAULT '',
    opened_by TEXT NOT NULL DEFAULT '',
    opened_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    decided_at BIGINT,
    UNIQUE (refund_id)
);
CREATE INDEX dispute_company_stage ON dispute (company_id, stage);
