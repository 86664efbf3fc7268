-- zhanggui schema, PostgreSQL flavour. Times are UTC seconds since 1970-01-01 (BIGINT); days are 'YYYY-MM-DD'
-- in the shop's time zone; money is integer fen (分). Every table holding shop data carries company_id.

CREATE TABLE company (
    id BIGSERIAL PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    time_zone TEXT NOT NULL DEFAULT 'Asia/Shanghai',
    created_at BIGINT NOT NULL
);

CREATE TABLE warehouse (
    id BIGSERIAL PRIMARY KEY,
    company_id BIGINT NOT NULL REFERENCES company(id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    UNIQUE (company_id, code)
);

CREATE TABLE shop (
    id BIGSERIAL PRIMARY KEY,
    company_id BIGINT NOT NULL REFERENCES company(id),
    platform TEXT NOT NULL,
    name TEXT NOT NULL,
    allow_oversell BOOLEAN NOT NULL DEFAULT FALSE,
    reserve_unpaid BOOLEAN NOT NULL DEFAULT FALSE,
    inventory_start_at BIGINT,
    default_warehouse_id BIGINT REFERENCES warehouse(id),
    created_at BIGINT NOT NULL,
    UNIQUE (company_id, name)
);

CREATE TABLE supplier (
    id BIGSERIAL PRIMARY KEY,
    company_id BIGINT NOT NULL REFERENCES company(id),
    name TEXT NOT NULL,
    contact TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    lead_time_days BIGINT NOT NULL DEFAULT 7,
    pack_size BIGINT NOT NULL DEFAULT 1,
    UNIQUE (company_id, name)
);

CREATE TABLE product (
    id BIGSERIAL PRIMARY KEY,
    company_id BIGINT NOT NULL REFERENCES company(id),
    outer_id TEXT NOT NULL,
    title TEXT NOT NULL,
    category TEXT NOT NULL DEFAULT '',
    on_shelf BOOLEAN NOT NULL DEFAULT TRUE,
    listed_at BIGINT,
    cost BIGINT NOT NULL DEFAULT 0,
    price BIGINT NOT NULL DEFAULT 0,
    supplier_id BIGINT REFERENCES supplier(id),
    created_at BIGINT NOT NULL,
    UNIQUE (company_id, outer_id)
);

CREATE TABLE sku (
    id BIGSERIAL PRIMARY KEY,
    company_id BIGINT NOT NULL REFERENCES company(id),
    product_id BIGINT NOT NULL REFERENCES product(id),
    outer_sku_id TEXT NOT NULL,
    properties TEXT NOT NULL DEFAULT '',
    barcode TEXT NOT NULL DEFAULT '',
    cost BIGINT NOT NULL DEFAULT 0,
    price BIGINT NOT NULL DEFAULT 0,
    weight_g BIGINT NOT NULL DEFAULT 0,
    UNIQUE (company_id, outer_sku_id)
);
CREATE INDEX sku_product ON sku (product_id);

-- A shop's listing of a product: the platform's item id (商品ID) for it.
CREATE TABLE listing (
    id BIGSERIAL PRIMARY KEY,
    company_id BIGINT NOT NULL REFERENCES company(id),
    shop_id BIGINT NOT NULL REFERENCES shop(id),
    product_id BIGINT NOT NULL REFERENCES product(id),
    item_id TEXT NOT NULL,
    UNIQUE (shop_id, item_id),
    UNIQUE (shop_id, product_id)
);

-- The cached balance per (sku, warehouse); always equal to the sum of stock_move.qty.
CREATE TABLE stock_balance (
    company_id BIGINT NOT NULL REFERENCES company(id),
    sku_id BIGINT NOT NULL REFERENCES sku(id),
    warehouse_id BIGINT NOT NULL REFERENCES warehouse(id),
    on_hand BIGINT NOT NULL DEFAULT 0,
    reserved BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (sku_id, warehouse_id)
);

-- The stock ledger: append-only.
CREATE TABLE stock_move (
    id BIGSERIAL PRIMARY KEY,
    company_id BIGINT NOT NULL REFERENCES company(id),
    sku_id BIGINT NOT NULL REFERENCES sku(id),
    warehouse_id BIGINT NOT NULL REFERENCES warehouse(id),
    qty BIGINT NOT NULL,
    kind TEXT NOT NULL,
    ref_type TEXT NOT NULL DEFAULT '',
    ref_id BIGINT,
    unit_cost BIGINT NOT NULL DEFAULT 0,
    note TEXT NOT NULL DEFAULT '',
    user_name TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE INDEX stock_move_sku ON stock_move (sku_id, warehouse_id, id);
CREATE INDEX stock_move_ref ON stock_move (ref_type, ref_id);

CREATE TABLE customer (
    id BIGSERIAL PRIMARY KEY,
    company_id BIGINT NOT NULL REFERENCES company(id),
    account_system TEXT NOT NULL,
    nick TEXT NOT NULL,
    province TEXT NOT NULL DEFAULT '',
    city TEXT NOT NULL DEFAULT '',
    district TEXT NOT NULL DEFAULT '',
    first_paid_at BIGINT,
    last_paid_at BIGINT,
    paid_trades BIGINT NOT NULL DEFAULT 0,
    spend BIGINT NOT NULL DEFAULT 0,
    tier TEXT NOT NULL DEFAULT '',
    blacklisted BOOLEAN NOT NULL DEFAULT FALSE,
    note TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    UNIQUE (company_id, account_system, nick)
);

CREATE TABLE trade (
    id BIGSERIAL PRIMARY KEY,
    company_id BIGINT NOT NULL REFERENCES company(id),
    shop_id BIGINT NOT NULL REFERENCES shop(id),
    tid TEXT NOT NULL,
    status TEXT NOT NULL,
    customer_id BIGINT REFERENCES customer(id),
    buyer_nick TEXT NOT NULL DEFAULT '',
    receiver_name TEXT NOT NULL DEFAULT '',
    receiver_phone TEXT NOT NULL DEFAULT '',
    receiver_address TEXT NOT NULL DEFAULT '',
    province TEXT NOT NULL DEFAULT '',
    city TEXT NOT NULL DEFAULT '',
    district TEXT NOT NULL DEFAULT '',
    goods_amount BIGINT NOT NULL DEFAULT 0,
    postage BIGINT NOT NULL DEFAULT 0,
    discount BIGINT NOT NULL DEFAULT 0,
    total_amount BIGINT NOT NULL DEFAULT 0,
    amount_paid BIGINT NOT NULL DEFAULT 0,
    refund_amount BIGINT NOT NULL DEFAULT 0,
    item_count BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    paid_at BIGINT,
    shipped_at BIGINT,
    finished_at BIGINT,
    closed_at BIGINT,
    close_reason TEXT NOT NULL DEFAULT '',
    buyer_message TEXT NOT NULL DEFAULT '',
    seller_memo TEXT NOT NULL DEFAULT '',
    flag BIGINT NOT NULL DEFAULT 0,
    carrier TEXT NOT NULL DEFAULT '',
    tracking_no TEXT NOT NULL DEFAULT '',
    urgent BOOLEAN NOT NULL DEFAULT FALSE,
    oversold BOOLEAN NOT NULL DEFAULT FALSE,
    ship_by_at BIGINT,
    updated_at BIGINT NOT NULL,
    UNIQUE (shop_id, tid)
);
CREATE INDEX trade_company_created ON trade (company_id, created_at);
CREATE INDEX trade_company_paid ON trade (company_id, paid_at);
CREATE INDEX trade_company_status ON trade (company_id, status, paid_at);
CREATE INDEX trade_customer ON trade (customer_id);

CREATE TABLE order_line (
    id BIGSERIAL PRIMARY KEY,
    company_id BIGINT NOT NULL REFERENCES company(id),
    trade_id BIGINT NOT NULL REFERENCES trade(id),
    oid TEXT NOT NULL,
    sku_id BIGINT REFERENCES sku(id),
    outer_sku_id TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL DEFAULT '',
    properties TEXT NOT NULL DEFAULT '',
    price BIGINT NOT NULL DEFAULT 0,
    qty BIGINT NOT NULL,
    amount_paid BIGINT NOT NULL DEFAULT 0,
    refund_amount BIGINT NOT NULL DEFAULT 0,
    refund_status TEXT NOT NULL DEFAULT '',
    shipped_at BIGINT,
    UNIQUE (trade_id, oid)
);
CREATE INDEX order_line_sku ON order_line (sku_id);

CREATE TABLE reservation (
    id BIGSERIAL PRIMARY KEY,
    company_id BIGINT NOT NULL REFERENCES company(id),
    trade_id BIGINT NOT NULL REFERENCES trade(id),
    order_line_id BIGINT NOT NULL REFERENCES order_line(id),
    sku_id BIGINT NOT NULL REFERENCES sku(id),
    warehouse_id BIGINT NOT NULL REFERENCES warehouse(id),
    qty BIGINT NOT NULL,
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    closed_at BIGINT
);
CREATE INDEX reservation_trade ON reservation (trade_id, status);
CREATE INDEX reservation_sku_open ON reservation (sku_id, warehouse_id) WHERE status = 'open';

-- The history of a trade: every transition and change, who and when.
CREATE TABLE trade_event (
    id BIGSERIAL PRIMARY KEY,
    company_id BIGINT NOT NULL REFERENCES company(id),
    trade_id BIGINT NOT NULL REFERENCES trade(id),
    event TEXT NOT NULL,
    from_status TEXT NOT NULL,
    to_status TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    user_name TEXT NOT NULL DEFAULT '',
    at BIGINT NOT NULL
);
CREATE INDEX trade_event_trade ON trade_event (trade_id, id);

CREATE TABLE refund (
    id BIGSERIAL PRIMARY KEY,
    company_id BIGINT NOT NULL REFERENCES company(id),
    trade_id BIGINT NOT NULL REFERENCES trade(id),
    order_line_id BIGINT REFERENCES order_line(id),
    refund_no TEXT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    amount BIGINT NOT NULL DEFAULT 0,
    return_carrier TEXT NOT NULL DEFAULT '',
    return_tracking_no TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    deadline_at BIGINT,
    finished_at BIGINT,
    note TEXT NOT NULL DEFAULT '',
    UNIQUE (company_id, refund_no)
);
CREATE INDEX refund_trade ON refund (trade_id);
CREATE INDEX refund_company_finished ON refund (company_id, status, finished_at);

CREATE TABLE purchase_order (
    id BIGSERIAL PRIMARY KEY,
    company_id BIGINT NOT NULL REFERENCES company(id),
    code TEXT NOT NULL,
    supplier_id BIGINT NOT NULL REFERENCES supplier(id),
    warehouse_id BIGINT NOT NULL REFERENCES warehouse(id),
    status TEXT NOT NULL,
    ordered_at BIGINT,
    expected_at BIGINT,
    note TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    UNIQUE (company_id, code)
);

CREATE TABLE purchase_order_line (
    id BIGSERIAL PRIMARY KEY,
    company_id BIGINT NOT NULL REFERENCES company(id),
    purchase_order_id BIGINT NOT NULL REFERENCES purchase_order(id),
    sku_id BIGINT NOT NULL REFERENCES sku(id),
    qty_ordered BIGINT NOT NULL,
    qty_received BIGINT NOT NULL DEFAULT 0,
    unit_cost BIGINT NOT NULL DEFAULT 0,
    expected_at BIGINT
);
CREATE INDEX purchase_order_line_sku ON purchase_order_line (sku_id);
CREATE INDEX purchase_order_line_po ON purchase_order_line (purchase_order_id);

-- Daily traffic per shop (item_id = '') or per listed item.
CREATE TABLE traffic_daily (
    id BIGSERIAL PRIMARY KEY,
    company_id BIGINT NOT NULL REFERENCES company(id),
    shop_id BIGINT NOT NULL REFERENCES shop(id),
    day TEXT NOT NULL,
    item_id TEXT NOT NULL DEFAULT '',
    product_id BIGINT REFERENCES product(id),
    pv BIGINT NOT NULL DEFAULT 0,
    uv BIGINT NOT NULL DEFAULT 0,
    add_cart_buyers BIGINT NOT NULL DEFAULT 0,
    favorite_buyers BIGINT NOT NULL DEFAULT 0,
    UNIQUE (shop_id, day, item_id)
);

CREATE FUNCTION stock_move_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'stock_move is append-only';
END;
$$;
CREATE TRIGGER stock_move_append_only BEFORE UPDATE OR DELETE ON stock_move
FOR EACH ROW EXECUTE FUNCTION stock_move_append_only();
