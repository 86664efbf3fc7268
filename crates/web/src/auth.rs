//! Who is asking: the session cookie for pages, the bearer token for the API, the language cookie,
//! and the CSRF check of forms.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use zhanggui_app::users::{SessionInfo, User};
use zhanggui_app::{Lang, UserFacing};

use crate::Web;

pub const SESSION_COOKIE: &str = "zg_session";
pub const LANG_COOKIE: &str = "zg_lang";
/// The token of the login form, set before anyone is logged in (double-submit).
pub const LOGIN_CSRF_COOKIE: &str = "zg_login_csrf";

/// The value of a cookie of the request.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// The page language: the remembered switch, else Chinese.
pub fn lang_of(headers: &HeaderMap) -> Lang {
    match cookie(headers, LANG_COOKIE).as_deref() {
        Some("en") => Lang::En,
        _ => Lang::Zh,
    }
}

/// Was the request made over TLS (directly or through a proxy that says so)?
pub fn is_tls(headers: &HeaderMap) -> bool {
    headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()).is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

/// A `Set-Cookie` value: HttpOnly and SameSite=Strict always, Secure over TLS.
pub fn set_cookie(name: &str, value: &str, max_age_secs: i64, http_only: bool, secure: bool) -> HeaderValue {
    let mut c = format!("{name}={value}; Path=/; Max-Age={max_age_secs}; SameSite=Strict");
    if http_only {
        c.push_str("; HttpOnly");
    }
    if secure {
        c.push_str("; Secure");
    }
    HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static("invalid=1"))
}

/// Compares two tokens in time that does not depend on where they differ.
pub fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len() && !a.is_empty() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A logged-in person on a page.
pub struct Authed {
    pub session: SessionInfo,
    pub lang: Lang,
}

impl Authed {
    pub fn user(&self) -> &User {
        &self.session.user
    }

    /// The form carried this session's token.
    pub fn csrf_ok(&self, token: &str) -> bool {
        same_token(&self.session.csrf_token, token)
    }
}

fn login_redirect(parts: &Parts) -> Response {
    let next = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let next: String = next
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"/-_.".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    Redirect::to(&format!("/login?next={next}")).into_response()
}

impl<S: Send + Sync> FromRequestParts<S> for Authed
where
    Web: FromRef<S>,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let web = Web::from_ref(state);
        let lang = lang_of(&parts.headers);
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(login_redirect(parts));
        };
        match web.app.session(&token, Utc::now()).await {
            Ok(Some(session)) => Ok(Authed { session, lang }),
            Ok(None) => Err(login_redirect(parts)),
            Err(e) => Err(crate::pages::error_page(lang, &e)),
        }
    }
}

/// A program calling the API with a bearer token.
pub struct ApiUser {
    pub user: User,
    pub lang: Lang,
}

impl<S: Send + Sync> FromRequestParts<S> for ApiUser
where
    Web: FromRef<S>,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let web = Web::from_ref(state);
        let lang = match parts.headers.get("accept-language").and_then(|v| v.to_str().ok()) {
            Some(v) => Lang::from_setting(v),
            None => Lang::Zh,
        };
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        let Some(token) = token else {
            return Err(crate::api::error_response(&zhanggui_app::users::AuthError::Unauthenticated, lang));
        };
        match web.app.api_user(token).await {
            Ok(Some(user)) => Ok(ApiUser { user, lang }),
            Ok(None) => Err(crate::api::error_response(&zhanggui_app::users::AuthError::Unauthenticated, lang)),
            Err(e) => Err(crate::api::error_response(&e, lang)),
        }
    }
}

/// The HTTP status of a use-case error, by its stable code and kind.
pub fn http_status(e: &dyn UserFacing) -> axum::http::StatusCode {
    use axum::http::StatusCode;
    match e.code() {
        "unauthenticated" | "bad_credentials" => StatusCode::UNAUTHORIZED,
        "forbidden" => StatusCode::FORBIDDEN,
        "too_many_attempts" => StatusCode::TOO_MANY_REQUESTS,
        "duplicate" | "conflict" | "illegal_transition" | "out_of_stock" => StatusCode::CONFLICT,
        _ => match e.kind() {
            zhanggui_app::ErrorKind::NotFound => StatusCode::NOT_FOUND,
            zhanggui_app::ErrorKind::BadInput => StatusCode::UNPROCESSABLE_ENTITY,
            zhanggui_app::ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_and_tokens() {
        let mut h = HeaderMap::new();
        h.insert(COOKIE, HeaderValue::from_static("a=1; zg_lang=en; zg_session=abc"));
        assert_eq!(cookie(&h, "zg_session").as_deref(), Some("abc"));
        assert_eq!(lang_of(&h), Lang::En);
        assert!(same_token("abc", "abc"));
        assert!(!same_token("abc", "abd"));
        assert!(!same_token("", ""));
        let c = set_cookie("zg_session", "x", 60, true, false);
        assert_eq!(c.to_str().unwrap_or(""), "zg_session=x; Path=/; Max-Age=60; SameSite=Strict; HttpOnly");
    }
}
