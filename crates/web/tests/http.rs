//! The real server over HTTP: login required, CSRF refused, role refusals, buyer messages shown as
//! text, SQL fragments in filters harmless, login throttling, the API and its OpenAPI document.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use serde_json::Value;

#[tokio::test]
async fn pages_and_api_need_a_login() {
    let s = Server::start().await;
    let c = client();
    for path in ["/", "/orders", &format!("/orders/{}", s.trade_id), "/stock", "/customers", "/settings/users"] {
        let r = c.get(s.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 303, "{path}");
        let to = r.headers().get("location").unwrap().to_str().unwrap();
        assert!(to.starts_with("/login"), "{path} → {to}");
    }
    let r = c.post(s.url(&format!("/orders/{}/close", s.trade_id))).form(&[("reason", "x")]).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let r = c.get(s.url("/api/v1/orders")).send().await.unwrap();
    assert_eq!(r.status(), 401);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unauthenticated");
    let r = c.get(s.url("/api/v1/orders")).bearer_auth("zg_not_a_token").send().await.unwrap();
    assert_eq!(r.status(), 401);
    // A forged session cookie opens nothing.
    let r = c.get(s.url("/orders")).header("cookie", "zg_session=0000").send().await.unwrap();
    assert_eq!(r.status(), 303);
    s.stop().await;
}

#[tokio::test]
async fn forms_without_the_session_token_are_refused() {
    let s = Server::start().await;
    let b = login(&s, "admin", ADMIN_PASSWORD).await;
    let c = client();
    let memo = s.url(&format!("/orders/{}/memo", s.trade_id));
    let r = c.post(&memo).header("cookie", &b.cookie).form(&[("memo", "无令牌"), ("flag", "1")]).send().await.unwrap();
    assert_eq!(r.status(), 403);
    let r = c
        .post(&memo)
        .header("cookie", &b.cookie)
        .form(&[("memo", "错令牌"), ("flag", "1"), ("csrf", "deadbeef")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let manager = s.manager.actor();
    assert_eq!(s.app.trade_detail(&manager, s.trade_id).await.unwrap().trade.seller_memo, "");
    // The login form needs its own token too.
    let r = c.post(s.url("/login")).form(&[("login", "admin"), ("password", ADMIN_PASSWORD)]).send().await.unwrap();
    assert_eq!(r.status(), 403);
    // With the token the change is made, recorded in the audit log and can be undone.
    let r = c
        .post(&memo)
        .header("cookie", &b.cookie)
        .form(&[("memo", "送小样"), ("flag", "2"), ("csrf", b.csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let to = r.headers().get("location").unwrap().to_str().unwrap().to_string();
    let t = s.app.trade_detail(&manager, s.trade_id).await.unwrap().trade;
    assert_eq!((t.seller_memo.as_str(), t.flag), ("送小样", 2));
    let html = c.get(s.url(&to)).header("cookie", &b.cookie).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("备注已保存") && html.contains("撤销"), "{html}");
    let log = s.app.audit_log(&s.manager, 0, 10).await.unwrap();
    assert!(log.iter().any(|a| a.action == "trade.memo" && a.after_value.contains("送小样") && a.user_name == "admin"));
    // Logging out needs the token as well; afterwards the cookie opens nothing.
    let r = c.post(s.url("/logout")).header("cookie", &b.cookie).form(&[("csrf", "")]).send().await.unwrap();
    assert_eq!(r.status(), 403);
    let r =
        c.post(s.url("/logout")).header("cookie", &b.cookie).form(&[("csrf", b.csrf.as_str())]).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let r = c.get(s.url("/orders")).header("cookie", &b.cookie).send().await.unwrap();
    assert_eq!(r.status(), 303);
    s.stop().await;
}

#[tokio::test]
async fn each_role_is_refused_what_it_may_not_do() {
    let s = Server::start().await;
    let c = client();
    let kefu = login(&s, "kefu", PASSWORD).await;
    let ship = s.url(&format!("/orders/{}/ship", s.trade_id));
    let form = [("carrier", "中通快递"), ("tracking_no", "7800001"), ("csrf", kefu.csrf.as_str())];
    let r = c.post(&ship).header("cookie", &kefu.cookie).form(&form).send().await.unwrap();
    assert_eq!(r.status(), 403, "customer service does not ship");
    let r = c.get(s.url("/settings/users")).header("cookie", &kefu.cookie).send().await.unwrap();
    assert_eq!(r.status(), 403, "only the manager manages users");
    let r = c.get(s.url("/settings/audit")).header("cookie", &kefu.cookie).send().await.unwrap();
    assert_eq!(r.status(), 403);
    let sku = c.get(s.url(&format!("/stock/sku?code={SKU}"))).header("cookie", &kefu.cookie).send().await.unwrap();
    let html = sku.text().await.unwrap();
    assert!(!html.contains("成本价") && !html.contains("¥35.00"), "customer service sees no cost");
    let adjust = [("code", SKU), ("warehouse", "HZ"), ("qty", "5"), ("reason", "盘盈"), ("csrf", kefu.csrf.as_str())];
    let r = c.post(s.url("/stock/adjust")).header("cookie", &kefu.cookie).form(&adjust).send().await.unwrap();
    assert_eq!(r.status(), 403);

    let cangku = login(&s, "cangku", PASSWORD).await;
    let r = c.get(s.url("/customers")).header("cookie", &cangku.cookie).send().await.unwrap();
    assert_eq!(r.status(), 403, "the warehouse sees no customers");
    let form = [("reason", "买家不要了"), ("csrf", cangku.csrf.as_str())];
    let r = c
        .post(s.url(&format!("/orders/{}/close", s.trade_id)))
        .header("cookie", &cangku.cookie)
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);

    let token = s.token_for("kefu").await;
    let r = c
        .post(s.url(&format!("/api/v1/stock/{SKU}/adjust")))
        .bearer_auth(&token)
        .json(&serde_json::json!({"qty": 5, "reason": "盘盈"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "forbidden");
    let r = c.get(s.url(&format!("/api/v1/stock/{SKU}"))).bearer_auth(&token).send().await.unwrap();
    let body: Value = r.json().await.unwrap();
    assert!(body["sku"].get("cost").is_none(), "no cost for customer service: {body}");

    // Nothing changed through all of this.
    let stock = s.app.stock_show(&s.manager.actor(), SKU, 10).await.unwrap();
    assert_eq!(stock.warehouses.iter().map(|w| w.on_hand).sum::<i64>(), 20);
    s.stop().await;
}

#[tokio::test]
async fn a_script_in_a_buyer_message_is_shown_as_text() {
    let s = Server::start().await;
    let b = login(&s, "admin", ADMIN_PASSWORD).await;
    let html = client()
        .get(s.url(&format!("/orders/{}", s.trade_id)))
        .header("cookie", &b.cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!html.contains("<script>alert"), "the message must not become a script");
    assert!(html.contains("&#60;script&#62;alert("), "the message is shown as text");
    assert!(html.contains("请尽快发货"));
    s.stop().await;
}

#[tokio::test]
async fn sql_fragments_in_filters_do_no_harm() {
    let s = Server::start().await;
    let b = login(&s, "admin", ADMIN_PASSWORD).await;
    let c = client();
    // Values are compared as values: nothing matches.
    let nasty = [
        "/orders?buyer=%27%20OR%20%271%27%3D%271",
        "/orders?buyer=x%27%3B%20DROP%20TABLE%20trade%3B--",
        "/orders?sku=%25",
        "/orders?sku=x%27%20OR%201%3D1--",
        "/customers?search=%27%29%3B%20DELETE%20FROM%20customer%3B--",
    ];
    for path in nasty {
        let r = c.get(s.url(path)).header("cookie", &b.cookie).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        let html = r.text().await.unwrap();
        assert!(!html.contains(&s.tid) && !html.contains("tb_buyer_01"), "{path} must not list the trade");
    }
    // Values that are not what the filter takes are named as not understood.
    let odd = [
        "/orders?status=WAIT_SELLER_SEND_GOODS%27%20OR%201%3D1--",
        "/orders?shop=1%20OR%201%3D1&from=2024-01-01%27--&after=1_1%20OR%201",
        "/stock?search=%25%27%20OR%201%3D1--&low=0%20OR%201%3D1",
    ];
    for path in odd {
        let r = c.get(s.url(path)).header("cookie", &b.cookie).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        assert!(r.text().await.unwrap().contains("看不懂这些筛选条件"), "{path}");
    }
    let html = c.get(s.url("/customers")).header("cookie", &b.cookie).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("tb_buyer_01"), "the customer is still there");
    let html = c.get(s.url("/orders")).header("cookie", &b.cookie).send().await.unwrap().text().await.unwrap();
    assert!(html.contains(&s.tid), "the trade is still there");
    let token = s.token_for("admin").await;
    let r = c.get(s.url("/api/v1/orders?buyer=%27%20OR%20%271%27%3D%271")).bearer_auth(&token).send().await.unwrap();
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["items"].as_array().map(Vec::len), Some(0));
    let r = c.get(s.url("/api/v1/orders?from=yesterday")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], "invalid_input");
    s.stop().await;
}

#[tokio::test]
async fn repeated_failed_logins_are_throttled() {
    let s = Server::start().await;
    let c = client();
    let r = c.get(s.url("/login")).send().await.unwrap();
    let pre = set_cookie(&r, "zg_login_csrf").unwrap().split(';').next().unwrap().to_string();
    let token = csrf_of(&r.text().await.unwrap());
    let attempt = |password: &'static str| {
        c.post(s.url("/login"))
            .header("cookie", &pre)
            .form(&[("csrf", token.as_str()), ("login", "kefu"), ("password", password)])
            .send()
    };
    for _ in 0..5 {
        assert_eq!(attempt("wrong-password").await.unwrap().status(), 401);
    }
    let r = attempt(PASSWORD).await.unwrap();
    assert_eq!(r.status(), 429, "even the right password waits after five failures");
    assert!(r.text().await.unwrap().contains("登录失败次数太多"));
    s.stop().await;
}

#[tokio::test]
async fn shipping_from_the_trade_page_moves_stock_and_is_audited() {
    let s = Server::start().await;
    let b = login(&s, "cangku", PASSWORD).await;
    let c = client();
    let page = format!("/orders/{}", s.trade_id);
    let form = [("carrier", "中通快递"), ("tracking_no", ""), ("csrf", b.csrf.as_str())];
    let r = c.post(s.url(&format!("{page}/ship"))).header("cookie", &b.cookie).form(&form).send().await.unwrap();
    assert_eq!(r.status(), 422, "a tracking number is needed");
    let html = r.text().await.unwrap();
    assert!(html.contains("请填写运单号") && html.contains("value=\"中通快递\""), "the form keeps what was typed");
    let form = [("carrier", "中通快递"), ("tracking_no", "78000012345"), ("csrf", b.csrf.as_str())];
    let r = c.post(s.url(&format!("{page}/ship"))).header("cookie", &b.cookie).form(&form).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let html = c.get(s.url(&format!("{page}?ok=shipped"))).header("cookie", &b.cookie).send().await.unwrap();
    let html = html.text().await.unwrap();
    assert!(html.contains("已发货") && html.contains("78000012345"));
    let stock = s.app.stock_show(&s.manager.actor(), SKU, 10).await.unwrap();
    assert_eq!(stock.warehouses.iter().map(|w| w.on_hand).sum::<i64>(), 18);
    assert_eq!(stock.warehouses.iter().map(|w| w.reserved).sum::<i64>(), 0);
    let sku = c.get(s.url(&format!("/stock/sku?code={SKU}"))).header("cookie", &b.cookie).send().await.unwrap();
    assert!(sku.text().await.unwrap().contains("销售出库"));
    let log = s.app.audit_log(&s.manager, 0, 10).await.unwrap();
    let entry = log.iter().find(|a| a.action == "trade.ship").expect("audited");
    assert_eq!(entry.user_name, "cangku");
    assert!(entry.before_value.contains("WAIT_SELLER_SEND_GOODS") && entry.after_value.contains("78000012345"));
    // Shipping again is refused and changes nothing.
    let r = c.post(s.url(&format!("{page}/ship"))).header("cookie", &b.cookie).form(&form).send().await.unwrap();
    assert_eq!(r.status(), 409, "a replay is refused by the state machine");
    s.stop().await;
}

#[tokio::test]
async fn the_openapi_document_matches_the_routes() {
    let s = Server::start().await;
    let c = client();
    let doc: Value = c.get(s.url("/api/v1/openapi.json")).send().await.unwrap().json().await.unwrap();
    let token = s.token_for("admin").await;
    let paths = doc["paths"].as_object().expect("paths");
    assert!(paths.len() >= 10);
    for (path, ops) in paths {
        for method in ops.as_object().expect("operations").keys() {
            let url = s.url(&path.replace("{id}", &s.trade_id.to_string()).replace("{code}", SKU));
            let req = match method.as_str() {
                "get" => c.get(&url),
                "post" => c.post(&url).json(&serde_json::json!({})),
                other => panic!("unexpected method {other}"),
            };
            let r = req.bearer_auth(&token).send().await.unwrap();
            let status = r.status();
            assert_ne!(status, 405, "{method} {path} is documented but not routed");
            let text = r.text().await.unwrap();
            assert!(!text.contains("no_such_route"), "{method} {path} is documented but not routed: {text}");
        }
    }
    // Routes that are not documented do not exist.
    for (method, path) in [("get", "/api/v1/users"), ("post", "/api/v1/orders"), ("get", "/api/v1/trades")] {
        let url = s.url(path);
        let r = if method == "get" { c.get(&url) } else { c.post(&url) }.bearer_auth(&token).send().await.unwrap();
        assert!(r.status() == 404 || r.status() == 405, "{method} {path}: {}", r.status());
        assert!(!paths.contains_key(path) || method == "post");
    }
    // Errors are JSON with a stable code.
    let r = c.get(s.url("/api/v1/orders/999999")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], "not_found");
    let r = c
        .post(s.url(&format!("/api/v1/orders/{}/ship", s.trade_id)))
        .bearer_auth(&token)
        .json(&serde_json::json!({"carrier": "顺丰速运", "tracking_no": "SF100"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = c
        .post(s.url(&format!("/api/v1/orders/{}/ship", s.trade_id)))
        .bearer_auth(&token)
        .header("accept-language", "en")
        .json(&serde_json::json!({"carrier": "顺丰速运", "tracking_no": "SF100"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], "illegal_transition");
    s.stop().await;
}
