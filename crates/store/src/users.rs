//! People who log in, their sessions and API tokens, failed logins and the audit log.
//!
//! Session and API tokens are stored only as hashes (the caller hashes them); password hashes are
//! argon2 PHC strings made by the caller.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::{StoreError, Tx, from_ts, to_ts};

/// A user as stored.
#[derive(Debug, Clone, Serialize)]
pub struct UserRow {
    pub id: i64,
    pub company_id: i64,
    pub login: String,
    pub display_name: String,
    pub role: String,
    #[serde(skip)]
    pub password_hash: String,
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

/// An API token as listed (never the token itself).
#[derive(Debug, Clone, Serialize)]
pub struct ApiTokenRow {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// One line of the audit log.
#[derive(Debug, Clone, Serialize)]
pub struct AuditRow {
    pub id: i64,
    pub company_id: i64,
    pub user_name: String,
    pub at: DateTime<Utc>,
    pub action: String,
    pub target: String,
    pub before_value: String,
    pub after_value: String,
}

/// A line to add to the audit log.
#[derive(Debug, Clone, Default)]
pub struct NewAudit<'a> {
    pub company_id: i64,
    pub user_name: &'a str,
    pub at: DateTime<Utc>,
    pub action: &'a str,
    pub target: &'a str,
    pub before_value: &'a str,
    pub after_value: &'a str,
}

const USER_COLUMNS: &str =
    "u.id, u.company_id, u.login, u.display_name, u.role, u.password_hash, u.active, u.created_at";

macro_rules! user_row {
    ($r:ident) => {
        Ok(UserRow {
            id: $r.try_get("id")?,
            company_id: $r.try_get("company_id")?,
            login: $r.try_get("login")?,
            display_name: $r.try_get("display_name")?,
            role: $r.try_get("role")?,
            password_hash: $r.try_get("password_hash")?,
            active: $r.try_get("active")?,
            created_at: from_ts($r.try_get("created_at")?),
        })
    };
}

impl Tx {
    pub async fn insert_user(
        &mut self,
        company_id: i64,
        login: &str,
        display_name: &str,
        role: &str,
        password_hash: &str,
        at: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        Ok(fetch_scalar!(
            self,
            i64,
            "INSERT INTO app_user (company_id, login, display_name, role, password_hash, active, created_at) \
             VALUES ($1, $2, $3, $4, $5, TRUE, $6) RETURNING id",
            company_id,
            login,
            display_name,
            role,
            password_hash,
            to_ts(at)
        )?)
    }

    pub async fn user_by_login(&mut self, login: &str) -> Result<Option<UserRow>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!("SELECT {USER_COLUMNS} FROM app_user u WHERE u.login = $1"));
        Ok(fetch_optional!(self, sql, [login], |r| user_row!(r))?)
    }

    pub async fn user(&mut self, company_id: i64, user_id: i64) -> Result<Option<UserRow>, StoreError> {
        let sql =
            sqlx::AssertSqlSafe(format!("SELECT {USER_COLUMNS} FROM app_user u WHERE u.id = $1 AND u.company_id = $2"));
        Ok(fetch_optional!(self, sql, [user_id, company_id], |r| user_row!(r))?)
    }

    pub async fn users(&mut self, company_id: i64) -> Result<Vec<UserRow>, StoreError> {
        let sql =
            sqlx::AssertSqlSafe(format!("SELECT {USER_COLUMNS} FROM app_user u WHERE u.company_id = $1 ORDER BY u.id"));
        Ok(fetch_all!(self, sql, [company_id], |r| user_row!(r))?)
    }

    /// How many users exist at all (the first start creates the manager when there are none).
    pub async fn count_users(&mut self) -> Result<i64, StoreError> {
        Ok(fetch_scalar!(self, i64, "SELECT COUNT(*) FROM app_user")?)
    }

    pub async fn update_user(
        &mut self,
        user_id: i64,
        display_name: &str,
        role: &str,
        active: bool,
    ) -> Result<(), StoreError> {
        exec!(
            self,
            "UPDATE app_user SET display_name = $1, role = $2, active = $3 WHERE id = $4",
            display_name,
            role,
            active,
            user_id
        )?;
        Ok(())
    }

    pub async fn set_user_password(&mut self, user_id: i64, password_hash: &str) -> Result<(), StoreError> {
        exec!(self, "UPDATE app_user SET password_hash = $1 WHERE id = $2", password_hash, user_id)?;
        Ok(())
    }

    pub async fn insert_session(
        &mut self,
        token_hash: &str,
        user_id: i64,
        csrf_token: &str,
        at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        exec!(
            self,
            "INSERT INTO user_session (token_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
            token_hash,
            user_id,
            csrf_token,
            to_ts(at),
            to_ts(expires_at)
        )?;
        Ok(())
    }

    /// The active user of an unexpired session, with the session's CSRF token.
    pub async fn session_user(
        &mut self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(UserRow, String)>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS}, s.csrf_token FROM user_session s JOIN app_user u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.active = TRUE"
        ));
        Ok(fetch_optional!(self, sql, [token_hash, to_ts(now)], |r| {
            let user: UserRow = (|| -> Result<UserRow, sqlx::Error> { user_row!(r) })()?;
            Ok::<_, sqlx::Error>((user, r.try_get::<String, _>("csrf_token")?))
        })?)
    }

    pub async fn delete_session(&mut self, token_hash: &str) -> Result<(), StoreError> {
        exec!(self, "DELETE FROM user_session WHERE token_hash = $1", token_hash)?;
        Ok(())
    }

    /// Ends every session of a user (after a password change or deactivation) and expired ones.
    pub async fn delete_user_sessions(&mut self, user_id: i64, now: DateTime<Utc>) -> Result<(), StoreError> {
        exec!(self, "DELETE FROM user_session WHERE user_id = $1 OR expires_at <= $2", user_id, to_ts(now))?;
        Ok(())
    }

    pub async fn insert_api_token(
        &mut self,
        token_hash: &str,
        user_id: i64,
        name: &str,
        at: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        Ok(fetch_scalar!(
            self,
            i64,
            "INSERT INTO api_token (token_hash, user_id, name, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
            token_hash,
            user_id,
            name,
            to_ts(at)
        )?)
    }

    /// The active user of a token that is not revoked.
    pub async fn api_token_user(&mut self, token_hash: &str) -> Result<Option<UserRow>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM api_token t JOIN app_user u ON u.id = t.user_id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.active = TRUE"
        ));
        Ok(fetch_optional!(self, sql, [token_hash], |r| user_row!(r))?)
    }

    pub async fn api_tokens(&mut self, company_id: i64) -> Result<Vec<ApiTokenRow>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT t.id, t.user_id, t.name, t.created_at, t.revoked_at FROM api_token t \
             JOIN app_user u ON u.id = t.user_id WHERE u.company_id = $1 ORDER BY t.id",
            [company_id],
            |r| Ok(ApiTokenRow {
                id: r.try_get("id")?,
                user_id: r.try_get("user_id")?,
                name: r.try_get("name")?,
                created_at: from_ts(r.try_get("created_at")?),
                revoked_at: r.try_get::<Option<i64>, _>("revoked_at")?.map(from_ts),
            })
        )?)
    }

    /// Revokes a token of the company; false when there is no such token.
    pub async fn revoke_api_token(
        &mut self,
        company_id: i64,
        token_id: i64,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let n = exec!(
            self,
            "UPDATE api_token SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL \
               AND user_id IN (SELECT id FROM app_user WHERE company_id = $3)",
            to_ts(at),
            token_id,
            company_id
        )?;
        Ok(n > 0)
    }

    pub async fn record_login_failure(&mut self, login: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
        exec!(self, "INSERT INTO login_failure (login, at) VALUES ($1, $2)", login, to_ts(at))?;
        Ok(())
    }

    pub async fn login_failures_since(&mut self, login: &str, since: DateTime<Utc>) -> Result<i64, StoreError> {
        Ok(fetch_scalar!(
            self,
            i64,
            "SELECT COUNT(*) FROM login_failure WHERE login = $1 AND at >= $2",
            login,
            to_ts(since)
        )?)
    }

    pub async fn clear_login_failures(&mut self, login: &str) -> Result<(), StoreError> {
        exec!(self, "DELETE FROM login_failure WHERE login = $1", login)?;
        Ok(())
    }

    pub async fn insert_audit(&mut self, a: &NewAudit<'_>) -> Result<(), StoreError> {
        exec!(
            self,
            "INSERT INTO audit_log (company_id, user_name, at, action, target, before_value, after_value) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            a.company_id,
            a.user_name,
            to_ts(a.at),
            a.action,
            a.target,
            a.before_value,
            a.after_value
        )?;
        Ok(())
    }

    /// The audit log, newest first, from before `before_id` (keyset paging; 0 = from the newest).
    pub async fn audit_entries(
        &mut self,
        company_id: i64,
        before_id: i64,
        limit: i64,
    ) -> Result<Vec<AuditRow>, StoreError> {
        Ok(fetch_all!(
            self,
            "SELECT id, company_id, user_name, at, action, target, before_value, after_value FROM audit_log \
             WHERE company_id = $1 AND ($2 = 0 OR id < $2) ORDER BY id DESC LIMIT $3",
            [company_id, before_id, limit],
            |r| Ok(AuditRow {
                id: r.try_get("id")?,
                company_id: r.try_get("company_id")?,
                user_name: r.try_get("user_name")?,
                at: from_ts(r.try_get("at")?),
                action: r.try_get("action")?,
                target: r.try_get("target")?,
                before_value: r.try_get("before_value")?,
                after_value: r.try_get("after_value")?,
            })
        )?)
    }
}
