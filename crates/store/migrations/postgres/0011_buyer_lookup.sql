-- A trade list filtered by buyer finds the buyer's trades through their customer records
-- (trade_customer_created), so the index on the nick itself is not read by any query: dropping it
-- saves every new trade an insert at a random place in it.
DROP INDEX trade_company_buyer;
