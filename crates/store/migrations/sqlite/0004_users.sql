-- People who log in to the web back office, their sessions and API tokens, failed logins (for
-- throttling) and the audit log of every change made through it. Times are UTC seconds.

CREATE TABLE app_user (
    id INTEGER PRIMARY KEY,
    company_id BIGINT NOT NULL REFERENCES company(id),
    login TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL DEFAULT '',
    -- manager (店长), operations (运营), service (客服), warehouse (仓库), purchasing (采购), finance (财务)
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at BIGINT NOT NULL
);

-- A logged-in browser. The cookie carries the token; only its SHA-256 is stored.
CREATE TABLE user_session (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id BIGINT NOT NULL REFERENCES app_user(id),
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX user_session_user ON user_session (user_id);

-- A bearer token for the JSON API, issued by the manager for one user.
CREATE TABLE api_token (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id BIGINT NOT NULL REFERENCES app_user(id),
    name TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);

CREATE TABLE login_failure (
    id INTEGER PRIMARY KEY,
    login TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX login_failure_login ON login_failure (login, at);

-- Who changed what, when, with the values before and after (JSON text).
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    company_id BIGINT NOT NULL REFERENCES company(id),
    user_name TEXT NOT NULL,
    at BIGINT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    before_value TEXT NOT NULL DEFAULT '',
    after_value TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_company ON audit_log (company_id, id);

-- The web lists: trades of one buyer, customers by last purchase.
CREATE INDEX trade_company_buyer ON trade (company_id, buyer_nick, created_at);
CREATE INDEX customer_company_last_paid ON customer (company_id, last_paid_at);
