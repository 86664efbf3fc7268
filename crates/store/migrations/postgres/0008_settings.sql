-- Settings the manager changes in the back office: the thresholds of the alerts and the
-- replenishment table (预警阈值). A row with shop_id 0 holds the company's own value; a row with a
-- shop's id overrides it for that shop's reports. A threshold without a row has its default.

CREATE TABLE alert_threshold (
    id BIGSERIAL PRIMARY KEY,
    company_id BIGINT NOT NULL REFERENCES company(id),
    shop_id BIGINT NOT NULL DEFAULT 0,
    threshold TEXT NOT NULL,
    value BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (company_id, shop_id, threshold)
);
