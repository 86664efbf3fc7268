-- The cost of goods shipped in a period (毛利 = 净销售额 − 已发货商品成本): shipments and returns
-- received, read by kind and time.
CREATE INDEX stock_move_company_kind_time ON stock_move (company_id, kind, created_at);
