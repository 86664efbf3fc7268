-- The buyer counters (sales_buyers_daily) read a buyer's trades of the weeks and months around a
-- change and count them by day. With the shop in the index, that is read from the index alone,
-- without visiting each trade's row.
DROP INDEX trade_customer_created;
DROP INDEX trade_customer_paid;
CREATE INDEX trade_customer_created ON trade (customer_id, created_at, shop_id);
CREATE INDEX trade_customer_paid ON trade (customer_id, paid_at, shop_id);
