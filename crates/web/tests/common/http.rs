//! Talking to the server as a user would: a client that shows redirects, logging in, reading the
//! form token off a page, getting pages and posting forms and multipart uploads with the session's
//! cookie, and the JSON API with a user's token.

use serde_json::Value;

use super::Server;

/// An HTTP client that does not follow redirects, so tests see them.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client")
}

/// The `name=value` of a cookie a response sets.
pub fn set_cookie(r: &reqwest::Response, name: &str) -> Option<String> {
    r.headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| v.to_string())
}

/// The value of the first hidden `csrf` field of a page.
pub fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).expect("a csrf field") + marker.len();
    html[start..].split('"').next().unwrap_or("").to_string()
}

/// A logged-in browser: its cookie header and the session's form token.
pub struct Browser {
    pub cookie: String,
    pub csrf: String,
}

pub async fn login(s: &Server, login: &str, password: &str) -> Browser {
    let c = client();
    let r = c.get(s.url("/login")).send().await.expect("login page");
    let pre = set_cookie(&r, "zg_login_csrf").expect("login csrf cookie");
    let pre = pre.split(';').next().unwrap_or("").to_string();
    let html = r.text().await.expect("html");
    let token = csrf_of(&html);
    let r = c
        .post(s.url("/login"))
        .header("cookie", &pre)
        .form(&[("csrf", token.as_str()), ("login", login), ("password", password), ("next", "/stock")])
        .send()
        .await
        .expect("login");
    assert_eq!(r.status(), 303, "login of {login} should redirect");
    let session = set_cookie(&r, "zg_session").expect("session cookie");
    assert!(session.contains("HttpOnly") && session.contains("SameSite=Strict"), "{session}");
    let cookie = session.split(';').next().unwrap_or("").to_string();
    let html =
        c.get(s.url("/stock")).header("cookie", &cookie).send().await.expect("stock").text().await.expect("html");
    Browser { cookie, csrf: csrf_of(&html) }
}

/// A page as `b` sees it.
pub async fn get(s: &Server, b: &Browser, path: &str) -> reqwest::Response {
    client().get(s.url(path)).header("cookie", &b.cookie).send().await.unwrap()
}

/// The status and HTML of a page as `b` sees it.
pub async fn get_html(s: &Server, b: &Browser, path: &str) -> (u16, String) {
    let r = get(s, b, path).await;
    (r.status().as_u16(), r.text().await.unwrap())
}

/// Posts a form exactly as given: the test decides whether it carries a token.
pub async fn post(s: &Server, b: &Browser, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
    client().post(s.url(path)).header("cookie", &b.cookie).form(form).send().await.unwrap()
}

/// Posts a form with the session's token added, as the page's form would.
pub async fn post_form(s: &Server, b: &Browser, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
    let mut fields: Vec<(&str, &str)> = form.to_vec();
    fields.push(("csrf", b.csrf.as_str()));
    post(s, b, path, &fields).await
}

/// Where a redirect leads, or nothing.
pub fn location(r: &reqwest::Response) -> String {
    r.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or("").to_string()
}

/// The page a redirect leads to.
pub async fn follow(s: &Server, b: &Browser, r: reqwest::Response) -> String {
    assert_eq!(r.status(), 303, "expected a redirect");
    let to = r.headers().get("location").unwrap().to_str().unwrap().to_string();
    get(s, b, &to).await.text().await.unwrap()
}

/// A field of a multipart form: its name, the file name for a file, the content.
pub type Part<'a> = (&'a str, Option<&'a str>, &'a [u8]);

/// A multipart/form-data body: its content type and bytes.
pub fn multipart(parts: &[Part]) -> (String, Vec<u8>) {
    let boundary = "----zhanggui-test-boundary-7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (name, file, bytes) in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match file {
            Some(f) => {
                body.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\n").as_bytes(),
                );
                body.extend_from_slice(b"Content-Type: application/octet-stream\r\n\r\n");
            }
            None => {
                body.extend_from_slice(format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes())
            }
        }
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Posts a multipart form exactly as given (with or without a token) under a cookie header.
pub async fn post_multipart(s: &Server, path: &str, cookie: &str, parts: &[Part<'_>]) -> reqwest::Response {
    let (content_type, body) = multipart(parts);
    client()
        .post(s.url(path))
        .header("cookie", cookie)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

/// Uploads a multipart form with the session's token first, as the page's form would.
pub async fn upload(s: &Server, b: &Browser, path: &str, parts: &[Part<'_>]) -> reqwest::Response {
    let mut all: Vec<Part> = vec![("csrf", None, b.csrf.as_bytes())];
    all.extend_from_slice(parts);
    post_multipart(s, path, &b.cookie, &all).await
}

/// The JSON API under /api/v1 as one user, with an API token the manager issued.
pub struct Api {
    client: reqwest::Client,
    base: String,
    pub token: String,
}

impl Api {
    pub async fn of(s: &Server, login: &str) -> Api {
        Api { client: client(), base: s.url("/api/v1"), token: s.token_for(login).await }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).bearer_auth(&self.token).send().await.unwrap()
    }

    /// The JSON a GET answers.
    pub async fn get_json(&self, path: &str) -> Value {
        self.get(path).await.json().await.unwrap()
    }

    pub async fn post(&self, path: &str, body: &Value) -> reqwest::Response {
        self.client.post(self.url(path)).bearer_auth(&self.token).json(body).send().await.unwrap()
    }
}
