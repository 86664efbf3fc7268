//! Who may log in and what each role may do (DOMAIN.md §1), sessions, API tokens, login throttling
//! and the audit log.
//!
//! Passwords are hashed with argon2id. Session and API tokens are 32 random bytes shown to the
//! client once; only their SHA-256 is stored, so a copy of the database opens no session.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use sha2::Digest;
use zhanggui_store::users::{ApiTokenRow, AuditRow, NewAudit, UserRow};
use zhanggui_store::{StoreError, Tx};

use crate::{Actor, App, ErrorKind, Lang, UserFacing};

/// How long a login lasts without logging in again.
pub const SESSION_LENGTH: Duration = Duration::hours(12);
/// Failed logins of one name within [`THROTTLE_WINDOW`] after which logins are refused for a while.
pub const THROTTLE_AFTER: i64 = 5;
pub const THROTTLE_WINDOW: Duration = Duration::minutes(15);
/// The shortest password accepted.
pub const MIN_PASSWORD: usize = 8;
/// The login name of the manager made on first start.
pub const FIRST_ADMIN: &str = "admin";

/// The roles of DOMAIN.md §1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// 店长: everything, including users and the audit log.
    Manager,
    /// 运营: products, prices, reports, orders.
    Operations,
    /// 客服: orders, buyer messages, customers; no costs or margins.
    Service,
    /// 仓库/物流: shipping and stock; no finance.
    Warehouse,
    /// 采购: suppliers, stock, replenishment.
    Purchasing,
    /// 财务: money, costs, reports.
    Finance,
}

/// Things a role may or may not do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    ViewDashboard,
    ViewOrders,
    ShipOrders,
    CloseOrders,
    EditOrderNotes,
    ViewStock,
    ChangeStock,
    /// Cost prices and margins.
    ViewCosts,
    ViewCustomers,
    ManageUsers,
    ReadAudit,
    /// Shops, warehouses, alert thresholds and the time zone.
    ManageSettings,
}

impl Role {
    pub const ALL: [Role; 6] =
        [Role::Manager, Role::Operations, Role::Service, Role::Warehouse, Role::Purchasing, Role::Finance];

    pub fn code(self) -> &'static str {
        match self {
            Role::Manager => "manager",
            Role::Operations => "operations",
            Role::Service => "service",
            Role::Warehouse => "warehouse",
            Role::Purchasing => "purchasing",
            Role::Finance => "finance",
        }
    }

    pub fn parse(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code.trim())
    }

    pub fn name(self, lang: Lang) -> &'static str {
        match self {
            Role::Manager => lang.pick("店长", "Shop manager"),
            Role::Operations => lang.pick("运营", "Operations"),
            Role::Service => lang.pick("客服", "Customer service"),
            Role::Warehouse => lang.pick("仓库/物流", "Warehouse"),
            Role::Purchasing => lang.pick("采购", "Purchasing"),
            Role::Finance => lang.pick("财务", "Finance"),
        }
    }

    /// What a shop would expect: customer service sees no costs or margins, the warehouse no
    /// finance, only the manager manages users and settings and reads the audit log.
    pub fn may(self, p: Permission) -> bool {
        use Permission::*;
        use Role::*;
        match p {
            ViewDashboard => matches!(self, Manager | Operations | Finance | Purchasing),
            ViewOrders => matches!(self, Manager | Operations | Service | Warehouse | Finance),
            ShipOrders => matches!(self, Manager | Warehouse),
            CloseOrders => matches!(self, Manager | Service),
            EditOrderNotes => matches!(self, Manager | Operations | Service | Warehouse),
            ViewStock => true,
            ChangeStock => matches!(self, Manager | Warehouse),
            ViewCosts => matches!(self, Manager | Operations | Purchasing | Finance),
            ViewCustomers => matches!(self, Manager | Operations | Service | Finance),
            ManageUsers | ReadAudit | ManageSettings => matches!(self, Manager),
        }
    }
}

/// A logged-in user.
#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub id: i64,
    pub company_id: i64,
    pub login: String,
    pub display_name: String,
    pub role: Role,
}

impl User {
    fn from_row(r: UserRow) -> Result<User, AuthError> {
        let role =
            Role::parse(&r.role).ok_or_else(|| AuthError::Store(StoreError::Corrupt(format!("role {}", r.role))))?;
        Ok(User { id: r.id, company_id: r.company_id, login: r.login, display_name: r.display_name, role })
    }

    /// The actor the use cases record: the company and the login name.
    pub fn actor(&self) -> Actor {
        Actor { company_id: self.company_id, user: self.login.clone() }
    }

    pub fn may(&self, p: Permission) -> bool {
        self.role.may(p)
    }

    /// Refuses with [`AuthError::Forbidden`] unless the role allows `p`.
    pub fn require(&self, p: Permission) -> Result<(), AuthError> {
        if self.may(p) { Ok(()) } else { Err(AuthError::Forbidden) }
    }
}

/// A session found by its cookie: the user and the token every form must carry.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    pub user: User,
    pub csrf_token: String,
}

/// A new login: the token for the cookie and the form token.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token: String,
    pub csrf_token: String,
    pub user: User,
}

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("wrong login name or password")]
    BadCredentials,
    #[error("too many failed logins; try again in {minutes} minutes")]
    Throttled { minutes: i64 },
    #[error("please log in")]
    Unauthenticated,
    #[error("your role is not allowed to do this")]
    Forbidden,
    #[error("{field}: {reason}")]
    Invalid { field: &'static str, reason: String },
    #[error("login name {0} is taken")]
    Duplicate(String),
    #[error("user or token {0} not found")]
    NotFound(i64),
    #[error("password hashing failed: {0}")]
    Hashing(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl UserFacing for AuthError {
    fn code(&self) -> &'static str {
        match self {
            AuthError::BadCredentials => "bad_credentials",
            AuthError::Throttled { .. } => "too_many_attempts",
            AuthError::Unauthenticated => "unauthenticated",
            AuthError::Forbidden => "forbidden",
            AuthError::Invalid { .. } => "invalid_input",
            AuthError::Duplicate(_) => "duplicate",
            AuthError::NotFound(_) => "not_found",
            AuthError::Hashing(_) | AuthError::Store(_) => "internal",
        }
    }

    fn kind(&self) -> ErrorKind {
        match self {
            AuthError::NotFound(_) => ErrorKind::NotFound,
            AuthError::Hashing(_) | AuthError::Store(_) => ErrorKind::Internal,
            _ => ErrorKind::BadInput,
        }
    }

    fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (_, Lang::En) => self.to_string(),
            (AuthError::BadCredentials, Lang::Zh) => "用户名或密码不对".into(),
            (AuthError::Throttled { minutes }, Lang::Zh) => format!("登录失败次数太多，请 {minutes} 分钟后再试"),
            (AuthError::Unauthenticated, Lang::Zh) => "请先登录".into(),
            (AuthError::Forbidden, Lang::Zh) => "你的岗位没有这个权限".into(),
            (AuthError::Invalid { field, reason }, Lang::Zh) => format!("{field}：{reason}"),
            (AuthError::Duplicate(l), Lang::Zh) => format!("用户名 {l} 已被使用"),
            (AuthError::NotFound(id), Lang::Zh) => format!("找不到用户或令牌 {id}"),
            (AuthError::Hashing(e), Lang::Zh) => format!("系统错误：{e}"),
            (AuthError::Store(e), Lang::Zh) => format!("系统错误：{e}"),
        }
    }
}

/// `n` random bytes as lowercase hex.
pub fn random_hex(n: usize) -> Result<String, AuthError> {
    let mut buf = vec![0u8; n];
    getrandom::fill(&mut buf).map_err(|e| AuthError::Hashing(e.to_string()))?;
    Ok(hex(&buf))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// How a token is stored: its SHA-256, hex.
pub fn token_hash(token: &str) -> String {
    hex(&sha2::Sha256::digest(token.as_bytes()))
}

/// A password people can type: 16 letters and digits without look-alikes (0/O, 1/l/I).
pub fn generate_password() -> Result<String, AuthError> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut buf = [0u8; 16];
    getrandom::fill(&mut buf).map_err(|e| AuthError::Hashing(e.to_string()))?;
    Ok(buf.iter().map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()])).collect())
}

async fn hash_password(password: &str) -> Result<String, AuthError> {
    use argon2::password_hash::PasswordHasher;
    let password = password.to_string();
    tokio::task::spawn_blocking(move || {
        argon2::Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| AuthError::Hashing(e.to_string()))
    })
    .await
    .map_err(|e| AuthError::Hashing(e.to_string()))?
}

async fn verify_password(password: &str, hash: &str) -> Result<bool, AuthError> {
    use argon2::password_hash::PasswordVerifier;
    use argon2::password_hash::phc::PasswordHash;
    let password = password.to_string();
    let hash = hash.to_string();
    tokio::task::spawn_blocking(move || {
        let Ok(parsed) = PasswordHash::new(&hash) else { return false };
        argon2::Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok()
    })
    .await
    .map_err(|e| AuthError::Hashing(e.to_string()))
}

fn check_password(password: &str) -> Result<(), AuthError> {
    if password.chars().count() < MIN_PASSWORD {
        return Err(AuthError::Invalid {
            field: "password",
            reason: format!("at least {MIN_PASSWORD} characters / 至少 {MIN_PASSWORD} 个字符"),
        });
    }
    Ok(())
}

/// Writes an audit line inside `tx`.
pub async fn audit_in(
    tx: &mut Tx,
    actor: &Actor,
    action: &str,
    target: &str,
    before: &str,
    after: &str,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    tx.insert_audit(&NewAudit {
        company_id: actor.company_id,
        user_name: &actor.user,
        at,
        action,
        target,
        before_value: before,
        after_value: after,
    })
    .await
}

impl App {
    /// On first start (no user at all) creates the manager `admin` of the company with `password`,
    /// or a generated one. Returns the login name and password to print once, or `None` when users
    /// exist already.
    pub async fn first_start(
        &self,
        company_id: i64,
        password: Option<&str>,
    ) -> Result<Option<(String, String)>, AuthError> {
        let mut tx = self.db.begin_read().await?;
        let existing = tx.count_users().await?;
        tx.commit().await?;
        if existing > 0 {
            return Ok(None);
        }
        let password = match password.map(str::trim).filter(|p| !p.is_empty()) {
            Some(p) => p.to_string(),
            None => generate_password()?,
        };
        check_password(&password)?;
        let hash = hash_password(&password).await?;
        let now = Utc::now();
        let mut tx = self.db.begin().await?;
        if tx.count_users().await? > 0 {
            tx.rollback().await?;
            return Ok(None);
        }
        tx.insert_user(company_id, FIRST_ADMIN, "店长", Role::Manager.code(), &hash, now).await?;
        let actor = Actor { company_id, user: "zhanggui serve".into() };
        audit_in(&mut tx, &actor, "user.create", FIRST_ADMIN, "", "role=manager", now).await?;
        tx.commit().await?;
        Ok(Some((FIRST_ADMIN.to_string(), password)))
    }

    /// Checks a login name and password; refuses for a while after repeated failures.
    pub async fn login(&self, login: &str, password: &str, now: DateTime<Utc>) -> Result<NewSession, AuthError> {
        let login = login.trim();
        let mut tx = self.db.begin_read().await?;
        let failures = tx.login_failures_since(login, now - THROTTLE_WINDOW).await?;
        let row = tx.user_by_login(login).await?;
        tx.commit().await?;
        if failures >= THROTTLE_AFTER {
            return Err(AuthError::Throttled { minutes: THROTTLE_WINDOW.num_minutes() });
        }
        let ok = match &row {
            Some(r) if r.active => verify_password(password, &r.password_hash).await?,
            _ => false,
        };
        let mut tx = self.db.begin().await?;
        let Some(row) = row.filter(|_| ok) else {
            tx.record_login_failure(login, now).await?;
            tx.commit().await?;
            return Err(AuthError::BadCredentials);
        };
        let token = random_hex(32)?;
        let csrf_token = random_hex(32)?;
        tx.clear_login_failures(login).await?;
        tx.insert_session(&token_hash(&token), row.id, &csrf_token, now, now + SESSION_LENGTH).await?;
        tx.commit().await?;
        Ok(NewSession { token, csrf_token, user: User::from_row(row)? })
    }

    /// The session of a cookie token, if it is valid.
    pub async fn session(&self, token: &str, now: DateTime<Utc>) -> Result<Option<SessionInfo>, AuthError> {
        let mut tx = self.db.begin_read().await?;
        let found = tx.session_user(&token_hash(token), now).await?;
        tx.commit().await?;
        match found {
            Some((row, csrf_token)) => Ok(Some(SessionInfo { user: User::from_row(row)?, csrf_token })),
            None => Ok(None),
        }
    }

    pub async fn logout(&self, token: &str) -> Result<(), AuthError> {
        let mut tx = self.db.begin().await?;
        tx.delete_session(&token_hash(token)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The user of an API bearer token, if it is valid.
    pub async fn api_user(&self, token: &str) -> Result<Option<User>, AuthError> {
        let mut tx = self.db.begin_read().await?;
        let found = tx.api_token_user(&token_hash(token)).await?;
        tx.commit().await?;
        found.map(User::from_row).transpose()
    }

    pub async fn users(&self, by: &User) -> Result<Vec<UserRow>, AuthError> {
        by.require(Permission::ManageUsers)?;
        let mut tx = self.db.begin_read().await?;
        let users = tx.users(by.company_id).await?;
        tx.commit().await?;
        Ok(users)
    }

    pub async fn api_tokens(&self, by: &User) -> Result<Vec<ApiTokenRow>, AuthError> {
        by.require(Permission::ManageUsers)?;
        let mut tx = self.db.begin_read().await?;
        let tokens = tx.api_tokens(by.company_id).await?;
        tx.commit().await?;
        Ok(tokens)
    }

    /// Creates a user of the manager's company.
    pub async fn create_user(
        &self,
        by: &User,
        login: &str,
        display_name: &str,
        role: Role,
        password: &str,
    ) -> Result<i64, AuthError> {
        by.require(Permission::ManageUsers)?;
        let login = login.trim();
        if login.is_empty() || login.chars().count() > 64 || login.chars().any(char::is_whitespace) {
            return Err(AuthError::Invalid {
                field: "login",
                reason: "1 to 64 characters without spaces / 1 到 64 个字符，不能有空格".into(),
            });
        }
        check_password(password)?;
        let hash = hash_password(password).await?;
        let now = Utc::now();
        let mut tx = self.db.begin().await?;
        if tx.user_by_login(login).await?.is_some() {
            tx.rollback().await?;
            return Err(AuthError::Duplicate(login.to_string()));
        }
        let id = tx.insert_user(by.company_id, login, display_name.trim(), role.code(), &hash, now).await?;
        let after = format!("role={} name={}", role.code(), display_name.trim());
        audit_in(&mut tx, &by.actor(), "user.create", login, "", &after, now).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Changes a user's name, role and whether they may log in; ends their sessions when they may not.
    pub async fn update_user(
        &self,
        by: &User,
        user_id: i64,
        display_name: &str,
        role: Role,
        active: bool,
    ) -> Result<(), AuthError> {
        by.require(Permission::ManageUsers)?;
        if user_id == by.id && (!active || role != Role::Manager) {
            return Err(AuthError::Invalid {
                field: "role",
                reason: "you cannot demote or lock yourself out / 不能降低或停用自己的账号".into(),
            });
        }
        let now = Utc::now();
        let mut tx = self.db.begin().await?;
        let Some(old) = tx.user(by.company_id, user_id).await? else {
            tx.rollback().await?;
            return Err(AuthError::NotFound(user_id));
        };
        tx.update_user(user_id, display_name.trim(), role.code(), active).await?;
        if !active || old.role != role.code() {
            tx.delete_user_sessions(user_id, now).await?;
        }
        let before = format!("role={} name={} active={}", old.role, old.display_name, old.active);
        let after = format!("role={} name={} active={}", role.code(), display_name.trim(), active);
        audit_in(&mut tx, &by.actor(), "user.update", &old.login, &before, &after, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sets a new password for a user (the manager for anyone, everybody for themselves).
    pub async fn set_password(&self, by: &User, user_id: i64, password: &str) -> Result<(), AuthError> {
        if user_id != by.id {
            by.require(Permission::ManageUsers)?;
        }
        check_password(password)?;
        let hash = hash_password(password).await?;
        let now = Utc::now();
        let mut tx = self.db.begin().await?;
        let Some(old) = tx.user(by.company_id, user_id).await? else {
            tx.rollback().await?;
            return Err(AuthError::NotFound(user_id));
        };
        tx.set_user_password(user_id, &hash).await?;
        tx.delete_user_sessions(user_id, now).await?;
        audit_in(&mut tx, &by.actor(), "user.password", &old.login, "", "", now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Issues an API bearer token for a user of the company; the token is returned once.
    pub async fn issue_api_token(&self, by: &User, user_id: i64, name: &str) -> Result<String, AuthError> {
        by.require(Permission::ManageUsers)?;
        let token = format!("zg_{}", random_hex(32)?);
        let now = Utc::now();
        let mut tx = self.db.begin().await?;
        let Some(user) = tx.user(by.company_id, user_id).await? else {
            tx.rollback().await?;
            return Err(AuthError::NotFound(user_id));
        };
        let id = tx.insert_api_token(&token_hash(&token), user_id, name.trim(), now).await?;
        let after = format!("token {id} for {} ({})", user.login, name.trim());
        audit_in(&mut tx, &by.actor(), "token.issue", &user.login, "", &after, now).await?;
        tx.commit().await?;
        Ok(token)
    }

    pub async fn revoke_api_token(&self, by: &User, token_id: i64) -> Result<(), AuthError> {
        by.require(Permission::ManageUsers)?;
        let now = Utc::now();
        let mut tx = self.db.begin().await?;
        if !tx.revoke_api_token(by.company_id, token_id, now).await? {
            tx.rollback().await?;
            return Err(AuthError::NotFound(token_id));
        }
        audit_in(&mut tx, &by.actor(), "token.revoke", &token_id.to_string(), "active", "revoked", now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Adds a line to the audit log in a transaction of its own (for changes made by use cases that
    /// do not write one themselves).
    pub async fn record_audit(
        &self,
        actor: &Actor,
        action: &str,
        target: &str,
        before: &str,
        after: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.db.begin().await?;
        audit_in(&mut tx, actor, action, target, before, after, Utc::now()).await?;
        tx.commit().await
    }

    /// The audit log, newest first (the manager only).
    pub async fn audit_log(&self, by: &User, before_id: i64, limit: i64) -> Result<Vec<AuditRow>, AuthError> {
        by.require(Permission::ReadAudit)?;
        let mut tx = self.db.begin_read().await?;
        let rows = tx.audit_entries(by.company_id, before_id, limit).await?;
        tx.commit().await?;
        Ok(rows)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn roles_match_what_a_shop_expects() {
        assert!(Role::Manager.may(Permission::ManageUsers));
        assert!(!Role::Operations.may(Permission::ManageUsers));
        assert!(Role::Manager.may(Permission::ManageSettings));
        assert!(Role::ALL.iter().filter(|r| r.may(Permission::ManageSettings)).count() == 1);
        assert!(!Role::Service.may(Permission::ViewCosts));
        assert!(!Role::Warehouse.may(Permission::ViewDashboard));
        assert!(Role::Warehouse.may(Permission::ShipOrders));
        assert!(!Role::Service.may(Permission::ChangeStock));
        for r in Role::ALL {
            assert_eq!(Role::parse(r.code()), Some(r));
        }
    }

    #[test]
    fn tokens_and_passwords() {
        let a = random_hex(32).unwrap();
        assert_eq!(a.len(), 64);
        assert_ne!(a, random_hex(32).unwrap());
        assert_eq!(token_hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(generate_password().unwrap().len(), 16);
    }
}
