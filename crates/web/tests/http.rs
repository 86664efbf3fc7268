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
    for path in
        ["/", "/orders", &format!("/orders/{}", s.trade_id), "/stock", "/customers", "/settings/users", "/after-sales"]
    {
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
    let html = get(&s, &b, &to).await.text().await.unwrap();
    assert!(html.contains("备注已保存") && html.contains("撤销"), "{html}");
    let log = s.app.audit_log(&s.manager, 0, 10).await.unwrap();
    assert!(log.iter().any(|a| a.action == "trade.memo" && a.after_value.contains("送小样") && a.user_name == "admin"));
    // Logging out needs the token as well; afterwards the cookie opens nothing.
    let r = post(&s, &b, "/logout", &[("csrf", "")]).await;
    assert_eq!(r.status(), 403);
    let r = post(&s, &b, "/logout", &[("csrf", b.csrf.as_str())]).await;
    assert_eq!(r.status(), 303);
    let r = get(&s, &b, "/orders").await;
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
    let r = get(&s, &kefu, "/settings/users").await;
    assert_eq!(r.status(), 403, "only the manager manages users");
    let r = get(&s, &kefu, "/settings/audit").await;
    assert_eq!(r.status(), 403);
    let sku = get(&s, &kefu, &format!("/stock/sku?code={SKU}")).await;
    let html = sku.text().await.unwrap();
    assert!(!html.contains("成本价") && !html.contains("¥35.00"), "customer service sees no cost");
    let adjust = [("code", SKU), ("warehouse", "HZ"), ("qty", "5"), ("reason", "盘盈"), ("csrf", kefu.csrf.as_str())];
    let r = post(&s, &kefu, "/stock/adjust", &adjust).await;
    assert_eq!(r.status(), 403);

    let cangku = login(&s, "cangku", PASSWORD).await;
    let r = get(&s, &cangku, "/customers").await;
    assert_eq!(r.status(), 403, "the warehouse sees no customers");
    let form = [("reason", "买家不要了"), ("csrf", cangku.csrf.as_str())];
    let r = post(&s, &cangku, &format!("/orders/{}/close", s.trade_id), &form).await;
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
    let html = get(&s, &b, &format!("/orders/{}", s.trade_id)).await.text().await.unwrap();
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
        "/after-sales?open=0&search=%27%20OR%20%271%27%3D%271",
    ];
    for path in nasty {
        let r = get(&s, &b, path).await;
        assert_eq!(r.status(), 200, "{path}");
        let html = r.text().await.unwrap();
        assert!(!html.contains(&s.tid) && !html.contains("tb_buyer_01"), "{path} must not list the trade");
    }
    // Values that are not what the filter takes are named as not understood.
    let odd = [
        "/orders?status=WAIT_SELLER_SEND_GOODS%27%20OR%201%3D1--",
        "/orders?shop=1%20OR%201%3D1&from=2024-01-01%27--&after=1_1%20OR%201",
        "/stock?search=%25%27%20OR%201%3D1--&low=0%20OR%201%3D1",
        "/after-sales?status=SUCCESS%27%20OR%201%3D1--&kind=x&page=1%20OR%201",
    ];
    for path in odd {
        let r = get(&s, &b, path).await;
        assert_eq!(r.status(), 200, "{path}");
        assert!(r.text().await.unwrap().contains("看不懂这些筛选条件"), "{path}");
    }
    let html = get(&s, &b, "/customers").await.text().await.unwrap();
    assert!(html.contains("tb_buyer_01"), "the customer is still there");
    let html = get(&s, &b, "/orders").await.text().await.unwrap();
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
    let page = format!("/orders/{}", s.trade_id);
    let form = [("carrier", "中通快递"), ("tracking_no", ""), ("csrf", b.csrf.as_str())];
    let r = post(&s, &b, &format!("{page}/ship"), &form).await;
    assert_eq!(r.status(), 422, "a tracking number is needed");
    let html = r.text().await.unwrap();
    assert!(html.contains("请填写运单号") && html.contains("value=\"中通快递\""), "the form keeps what was typed");
    let form = [("carrier", "中通快递"), ("tracking_no", "78000012345"), ("csrf", b.csrf.as_str())];
    let r = post(&s, &b, &format!("{page}/ship"), &form).await;
    assert_eq!(r.status(), 303);
    let html = get(&s, &b, &format!("{page}?ok=shipped")).await;
    let html = html.text().await.unwrap();
    assert!(html.contains("已发货") && html.contains("78000012345"));
    let stock = s.app.stock_show(&s.manager.actor(), SKU, 10).await.unwrap();
    assert_eq!(stock.warehouses.iter().map(|w| w.on_hand).sum::<i64>(), 18);
    assert_eq!(stock.warehouses.iter().map(|w| w.reserved).sum::<i64>(), 0);
    let sku = get(&s, &b, &format!("/stock/sku?code={SKU}")).await;
    assert!(sku.text().await.unwrap().contains("销售出库"));
    let log = s.app.audit_log(&s.manager, 0, 10).await.unwrap();
    let entry = log.iter().find(|a| a.action == "trade.ship").expect("audited");
    assert_eq!(entry.user_name, "cangku");
    assert!(entry.before_value.contains("WAIT_SELLER_SEND_GOODS") && entry.after_value.contains("78000012345"));
    // Shipping again is refused and changes nothing.
    let r = post(&s, &b, &format!("{page}/ship"), &form).await;
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
                "put" => c.put(&url).json(&serde_json::json!({})),
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

// ---------------------------------------------------------------- after-sales

/// The case of a trade (its only one, or the latest).
async fn case_no(s: &Server, tid: &str) -> String {
    let f = zhanggui_app::store::after_sales::RefundFilter {
        company_id: s.company_id,
        search: tid.into(),
        ..Default::default()
    };
    let cases = s.app.after_sales_cases(&f, chrono::Utc::now()).await.unwrap();
    cases.iter().max_by_key(|v| v.case.id).expect("a case").case.refund_no.clone()
}

async fn case_status(s: &Server, no: &str) -> String {
    let d = s.app.after_sales_case(&s.manager.actor(), no, chrono::Utc::now()).await.unwrap();
    d.view.case.status.code().to_string()
}

/// (on hand in HZ, on hand in the defective location) of the SKU.
async fn stock_split(s: &Server) -> (i64, i64) {
    let st = s.app.stock_show(&s.manager.actor(), SKU, 0).await.unwrap();
    let of = |code: &str| st.warehouses.iter().filter(|w| w.warehouse_code == code).map(|w| w.on_hand).sum::<i64>();
    (of("HZ"), of("DEFECTIVE"))
}

#[tokio::test]
async fn a_return_with_a_damaged_unit_is_refunded_and_closes_the_trade() {
    let s = Server::start().await;
    let id = s.shipped_trade("2401180101", 2).await;
    let line = s.app.trade_detail(&s.manager.actor(), id).await.unwrap().lines[0].id;
    assert_eq!(stock_split(&s).await, (18, 0));
    let kefu = login(&s, "kefu", PASSWORD).await;
    let cangku = login(&s, "cangku", PASSWORD).await;

    // Customer service records the buyer's request from the trade page.
    let (_, html) = get_html(&s, &kefu, &format!("/orders/{id}")).await;
    assert!(html.contains(&format!("id=\"apply-{line}\"")) && html.contains("退货退款"), "a request form per line");
    let apply = [("line", line.to_string()), ("kind", "return_and_refund".into()), ("reason", "尺码偏小".into())];
    let apply: Vec<(&str, &str)> = apply.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = post_form(&s, &kefu, &format!("/orders/{id}/after-sales"), &apply).await;
    assert_eq!(r.status(), 303);
    let to = r.headers().get("location").unwrap().to_str().unwrap().to_string();
    let no = case_no(&s, "2401180101").await;
    assert!(to.starts_with(&format!("/after-sales/{no}")), "{to}");
    let (_, html) = get_html(&s, &kefu, &to).await;
    assert!(html.contains("售后申请已登记") && html.contains("等待卖家同意") && html.contains("还剩"), "{html}");
    assert!(html.contains("¥198.00") && html.contains("agree-form") && html.contains("refuse-form"));
    assert!(!html.contains("receive-form"), "only the steps the status allows");

    // The list: open cases with who must act and the countdown; the trade links to its page.
    let (_, list) = get_html(&s, &kefu, "/after-sales").await;
    assert!(
        list.contains(&no) && list.contains(&format!("href=\"/orders/{id}\"")) && list.contains("卖家：处理售后申请")
    );
    let (_, none) = get_html(&s, &kefu, "/after-sales?kind=exchange").await;
    assert!(!none.contains(&no) && none.contains("没有符合条件的售后"));

    let path = format!("/after-sales/{no}/step");
    let r = post_form(&s, &kefu, &path, &[("step", "agree"), ("note", "请寄回杭州仓，勿用到付")]).await;
    assert_eq!(r.status(), 303);
    assert_eq!(case_status(&s, &no).await, "WAIT_BUYER_RETURN_GOODS");
    let r = post_form(
        &s,
        &cangku,
        &path,
        &[("step", "return_shipped"), ("carrier", "顺丰速运"), ("tracking_no", "SF1402938475")],
    )
    .await;
    assert_eq!(r.status(), 303);
    assert_eq!(stock_split(&s).await, (18, 0), "nothing enters stock before it is checked");
    let r = post_form(
        &s,
        &cangku,
        &path,
        &[("step", "receive_return"), ("good", "1"), ("damaged", "1"), ("note", "一件领口开线")],
    )
    .await;
    assert_eq!(r.status(), 303);
    let to = r.headers().get("location").unwrap().to_str().unwrap().to_string();
    let (_, html) = get_html(&s, &cangku, &to).await;
    assert!(html.contains("退款成功：¥198.00 已退给买家"), "{html}");
    assert!(html.contains("SF1402938475") && html.contains("完好 1 件，破损 1 件"));

    // Money back, the trade closed (its only line is refunded), one unit to sell and one defective.
    let d = s.app.trade_detail(&s.manager.actor(), id).await.unwrap();
    assert_eq!(d.trade.status.code(), "TRADE_CLOSED");
    assert_eq!(d.trade.refund_amount, d.lines[0].amount_paid);
    assert_eq!(stock_split(&s).await, (19, 1));
    let (_, sku) = get_html(&s, &kefu, &format!("/stock/sku?code={SKU}")).await;
    assert!(sku.contains("退货入库") && sku.contains("id=\"defective\">1<"), "{sku}");
    let (_, trade) = get_html(&s, &kefu, &format!("/orders/{id}")).await;
    assert!(trade.contains("交易关闭") && trade.contains(&no) && trade.contains("退款成功"));
    assert!(!trade.contains(&format!("id=\"apply-{line}\"")), "no request on a closed trade");
    let (_, list) = get_html(&s, &kefu, "/after-sales").await;
    assert!(!list.contains(&no), "finished cases leave the open list");
    let (_, list) = get_html(&s, &kefu, "/after-sales?open=0").await;
    assert!(list.contains(&no));
    assert!(list.contains("href=\"/after-sales/xlsx?open=0\""), "the export keeps the filters");
    let r = get(&s, &kefu, "/after-sales/xlsx?open=0").await;
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-disposition"].to_str().unwrap().contains("zhanggui-after-sales-"));
    assert!(r.bytes().await.unwrap().starts_with(b"PK"), "an xlsx workbook");
    let english = Browser { cookie: format!("{}; zg_lang=en", kefu.cookie), csrf: kefu.csrf.clone() };
    let (_, list) = get_html(&s, &english, "/after-sales?open=0").await;
    assert!(list.contains("Return and refund") && list.contains("Succeeded") && list.contains(">After-sales<"));
    let (_, page) = get_html(&s, &english, &format!("/after-sales/{no}")).await;
    assert!(page.contains("Return received") && page.contains("good 1") && page.contains("History"), "{page}");
    // A trade paid less than 24 hours ago takes no request yet, and says from when.
    let (_, fresh) = get_html(&s, &kefu, &format!("/orders/{}", s.trade_id)).await;
    assert!(fresh.contains("付款 24 小时后买家才能申请售后") && !fresh.contains("apply-forms"));

    let log = s.app.audit_log(&s.manager, 0, 20).await.unwrap();
    for (action, user) in [
        ("after_sales.apply", "kefu"),
        ("after_sales.agree", "kefu"),
        ("after_sales.return_shipped", "cangku"),
        ("after_sales.receive_return", "cangku"),
    ] {
        assert!(log.iter().any(|a| a.action == action && a.user_name == user && a.target.contains(&no)), "{action}");
    }
    let received = log.iter().find(|a| a.action == "after_sales.receive_return").unwrap();
    assert!(received.before_value.contains("WAIT_SELLER_CONFIRM_GOODS") && received.after_value.contains("SUCCESS"));
    let admin = login(&s, "admin", ADMIN_PASSWORD).await;
    let (_, audit) = get_html(&s, &admin, "/settings/audit").await;
    assert!(audit.contains("售后：确认收货"));
    s.stop().await;
}

#[tokio::test]
async fn a_refused_step_shows_the_error_and_changes_nothing() {
    let s = Server::start().await;
    let id = s.shipped_trade("2401180102", 1).await;
    let line = s.app.trade_detail(&s.manager.actor(), id).await.unwrap().lines[0].id.to_string();
    let kefu = login(&s, "kefu", PASSWORD).await;

    // Asking more than the line paid: refused on the trade page, what was typed is kept.
    let form = [("line", line.as_str()), ("kind", "refund_shipped"), ("amount", "500"), ("reason", "少发配件")];
    let r = post_form(&s, &kefu, &format!("/orders/{id}/after-sales"), &form).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("超过该商品可退金额") && html.contains("value=\"少发配件\"") && html.contains("value=\"500\"")
    );
    let cases = zhanggui_app::store::after_sales::RefundFilter { company_id: s.company_id, ..Default::default() };
    assert!(s.app.after_sales_cases(&cases, chrono::Utc::now()).await.unwrap().is_empty());

    let form = [("line", line.as_str()), ("kind", "return_and_refund"), ("reason", "不喜欢")];
    assert_eq!(post_form(&s, &kefu, &format!("/orders/{id}/after-sales"), &form).await.status(), 303);
    let no = case_no(&s, "2401180102").await;
    let before = (stock_split(&s).await, s.app.trade_detail(&s.manager.actor(), id).await.unwrap().trade.status);
    let path = format!("/after-sales/{no}/step");
    // Receiving before the seller agreed and the buyer sent anything back.
    let r = post_form(&s, &kefu, &path, &[("step", "receive_return"), ("good", "1")]).await;
    assert_eq!(r.status(), 409);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"error\"") && html.contains("不能确认收货"), "{html}");
    // Refusing without a reason; the reason field keeps its place.
    let r = post_form(&s, &kefu, &path, &[("step", "refuse"), ("note", " ")]).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("拒绝理由"));
    // In English for an English page.
    let r = client()
        .post(s.url(&path))
        .header("cookie", format!("{}; zg_lang=en", kefu.cookie))
        .form(&[
            ("step", "return_shipped"),
            ("carrier", "顺丰速运"),
            ("tracking_no", "SF1"),
            ("csrf", kefu.csrf.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    assert!(r.text().await.unwrap().contains("cannot send back the goods of a return_and_refund case"));
    // Without the session's token nothing is even tried.
    let r = post(&s, &kefu, &path, &[("step", "cancel"), ("note", "x")]).await;
    assert_eq!(r.status(), 403);

    assert_eq!(case_status(&s, &no).await, "WAIT_SELLER_AGREE");
    let d = s.app.after_sales_case(&s.manager.actor(), &no, chrono::Utc::now()).await.unwrap();
    assert_eq!(d.events.len(), 1, "only the request is in the history");
    let after = (stock_split(&s).await, s.app.trade_detail(&s.manager.actor(), id).await.unwrap().trade.status);
    assert_eq!(before, after);
    let log = s.app.audit_log(&s.manager, 0, 20).await.unwrap();
    assert_eq!(log.iter().filter(|a| a.action.starts_with("after_sales.")).count(), 1, "only the request was audited");
    s.stop().await;
}

#[tokio::test]
async fn after_sales_through_the_api() {
    let s = Server::start().await;
    let id = s.shipped_trade("2401180103", 2).await;
    let c = client();
    let token = s.token_for("kefu").await;
    let api = |p: &str| s.url(&format!("/api/v1{p}"));

    let r = c
        .post(api("/after-sales"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"trade": "2401180103", "kind": "refund_shipped", "amount": "50.00", "reason": "少发赠品"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let case: Value = r.json().await.unwrap();
    let no = case["refund_no"].as_str().unwrap().to_string();
    assert_eq!((case["status"].as_str(), case["amount"].as_str()), (Some("WAIT_SELLER_AGREE"), Some("50.00")));
    assert_eq!(case["due"]["party"], "seller");
    assert!(case["seconds_left"].as_i64().unwrap() > 4 * 24 * 3600);

    let r = c.get(api("/after-sales?search=2401180103")).bearer_auth(&token).send().await.unwrap();
    let list: Value = r.json().await.unwrap();
    assert_eq!(list["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(list["items"][0]["refund_no"], no.as_str());
    let r = c.get(api("/after-sales?kind=teleport")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], "invalid_input");

    // Errors are JSON with their stable code, in the language asked for.
    let steps = api(&format!("/after-sales/{no}/steps"));
    for (body, status, code) in [
        (serde_json::json!({"step": "refuse"}), 422, "invalid_input"),
        (serde_json::json!({"step": "explode"}), 422, "invalid_input"),
        (serde_json::json!({"step": "receive_return", "good": 1}), 409, "illegal_transition"),
    ] {
        let r = c.post(&steps).bearer_auth(&token).header("accept-language", "en").json(&body).send().await.unwrap();
        assert_eq!(r.status(), status, "{body}");
        assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], code, "{body}");
    }
    let r =
        c.post(&steps).bearer_auth(&token).header("content-type", "application/json").body("{").send().await.unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], "invalid_input");
    let r = c.get(api("/after-sales/SH-none")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], "not_found");

    // Refused, taken to the platform, ruled for the buyer: the money goes back.
    let r = c
        .post(&steps)
        .bearer_auth(&token)
        .json(&serde_json::json!({"step": "refuse", "note": "赠品已随单寄出"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "SELLER_REFUSE_BUYER");
    let dispute = api(&format!("/after-sales/{no}/dispute"));
    for body in [
        serde_json::json!({"step": "open", "reason": "买家申请平台介入"}),
        serde_json::json!({"step": "note", "note": "上传发货称重记录", "stage": "evidence"}),
    ] {
        let r = c.post(&dispute).bearer_auth(&token).json(&body).send().await.unwrap();
        assert_eq!(r.status(), 200, "{body}");
    }
    let r = c.get(api(&format!("/after-sales/{no}"))).bearer_auth(&token).send().await.unwrap();
    let d: Value = r.json().await.unwrap();
    assert_eq!(d["dispute"]["stage"], "evidence");
    assert!(d["dispute"]["evidence"].as_str().unwrap().contains("称重记录"));
    assert_eq!(d["due"]["party"], "platform");
    let events: Vec<&str> = d["events"].as_array().unwrap().iter().filter_map(|e| e["event"].as_str()).collect();
    assert_eq!(events, ["apply", "refuse", "dispute_open"]);
    let r = c
        .post(&dispute)
        .bearer_auth(&token)
        .json(&serde_json::json!({"step": "decide", "outcome": "buyer", "note": "平台判定退款"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let d: Value = r.json().await.unwrap();
    assert_eq!((d["status"].as_str(), d["dispute"]["outcome"].as_str()), (Some("SUCCESS"), Some("buyer")));
    let t = s.app.trade_detail(&s.manager.actor(), id).await.unwrap();
    assert_eq!(t.trade.refund_amount, zhanggui_app::domain::Money::from_fen(5000));
    assert_eq!(t.trade.status.code(), "WAIT_BUYER_CONFIRM_GOODS", "a partial refund leaves the trade open");
    let log = s.app.audit_log(&s.manager, 0, 20).await.unwrap();
    assert!(log.iter().any(|a| a.action == "after_sales.dispute_decide" && a.after_value.contains("outcome=buyer")));
    s.stop().await;
}

#[tokio::test]
async fn roles_that_must_not_act_on_after_sales_are_refused() {
    let s = Server::start().await;
    let id = s.shipped_trade("2401180104", 1).await;
    let line = s.app.trade_detail(&s.manager.actor(), id).await.unwrap().lines[0].id.to_string();
    let cangku = login(&s, "cangku", PASSWORD).await;
    let yunying = login(&s, "yunying", PASSWORD).await;

    // The warehouse and operations see cases but record no requests and take no decisions.
    let (_, trade) = get_html(&s, &cangku, &format!("/orders/{id}")).await;
    assert!(!trade.contains("apply-forms"), "no request form for the warehouse");
    let form = [("line", line.as_str()), ("kind", "return_and_refund"), ("reason", "不喜欢")];
    for b in [&cangku, &yunying] {
        assert_eq!(post_form(&s, b, &format!("/orders/{id}/after-sales"), &form).await.status(), 403);
    }
    let kefu = s.token_for("kefu").await;
    let r = client()
        .post(s.url("/api/v1/after-sales"))
        .bearer_auth(&kefu)
        .json(&serde_json::json!({"trade": id, "kind": "return_and_refund", "reason": "不喜欢"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let no = case_no(&s, "2401180104").await;
    let (status, page) = get_html(&s, &cangku, &format!("/after-sales/{no}")).await;
    assert_eq!(status, 200);
    assert!(!page.contains("agree-form") && !page.contains("cancel-form"), "no decisions offered to the warehouse");
    let path = format!("/after-sales/{no}/step");
    assert_eq!(post_form(&s, &cangku, &path, &[("step", "agree")]).await.status(), 403);
    assert_eq!(post_form(&s, &yunying, &path, &[("step", "cancel"), ("note", "x")]).await.status(), 403);
    assert_eq!(
        post_form(&s, &cangku, &format!("/after-sales/{no}/dispute"), &[("step", "open"), ("reason", "x")])
            .await
            .status(),
        403
    );
    let token = s.token_for("cangku").await;
    for (path, body) in [
        ("/api/v1/after-sales".to_string(), serde_json::json!({"trade": id, "kind": "exchange", "reason": "x"})),
        (format!("/api/v1/after-sales/{no}/steps"), serde_json::json!({"step": "agree"})),
    ] {
        let r = client().post(s.url(&path)).bearer_auth(&token).json(&body).send().await.unwrap();
        assert_eq!(r.status(), 403, "{path}");
        assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], "forbidden");
    }
    assert_eq!(case_status(&s, &no).await, "WAIT_SELLER_AGREE", "nothing changed");
    s.stop().await;
}

#[tokio::test]
async fn an_exchange_sends_its_replacement_when_the_return_is_received() {
    let s = Server::start().await;
    let id = s.shipped_trade("2401180105", 1).await;
    let line = s.app.trade_detail(&s.manager.actor(), id).await.unwrap().lines[0].id.to_string();
    let kefu = login(&s, "kefu", PASSWORD).await;
    let form = [("line", line.as_str()), ("kind", "exchange"), ("reason", "换大一码")];
    assert_eq!(post_form(&s, &kefu, &format!("/orders/{id}/after-sales"), &form).await.status(), 303);
    let no = case_no(&s, "2401180105").await;
    let path = format!("/after-sales/{no}/step");
    assert_eq!(post_form(&s, &kefu, &path, &[("step", "agree")]).await.status(), 303);
    let parcel = [("step", "return_shipped"), ("carrier", "圆通速递"), ("tracking_no", "YT88001")];
    assert_eq!(post_form(&s, &kefu, &path, &parcel).await.status(), 303);
    let (_, page) = get_html(&s, &kefu, &format!("/after-sales/{no}")).await;
    assert!(page.contains("name=\"replacement_tracking_no\"") && page.contains("确认收货并发出换货"));
    let before = stock_split(&s).await;
    // The replacement parcel is needed; what was typed stays in the form.
    let r = post_form(&s, &kefu, &path, &[("step", "receive_return"), ("good", "1"), ("warehouse", "HZ")]).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"error\"") && html.contains("id=\"receive-good\" inputmode=\"numeric\" value=\"1\""));
    assert_eq!(stock_split(&s).await, before);
    let done = [
        ("step", "receive_return"),
        ("good", "1"),
        ("warehouse", "HZ"),
        ("replacement_carrier", "顺丰速运"),
        ("replacement_tracking_no", "SF77002"),
    ];
    let r = post_form(&s, &kefu, &path, &done).await;
    assert_eq!(r.status(), 303);
    let to = r.headers().get("location").unwrap().to_str().unwrap().to_string();
    let (_, page) = get_html(&s, &kefu, &to).await;
    assert!(page.contains("售后完成，商品已发给买家") && page.contains("顺丰速运 SF77002"), "{page}");
    assert_eq!(stock_split(&s).await, before, "one unit back, one unit out");
    let t = s.app.trade_detail(&s.manager.actor(), id).await.unwrap().trade;
    assert_eq!((t.status.code(), t.refund_amount), ("WAIT_BUYER_CONFIRM_GOODS", zhanggui_app::domain::Money::ZERO));
    s.stop().await;
}

#[tokio::test]
async fn a_dispute_from_the_case_page() {
    let s = Server::start().await;
    let id = s.shipped_trade("2401180106", 1).await;
    let line = s.app.trade_detail(&s.manager.actor(), id).await.unwrap().lines[0].id.to_string();
    let kefu = login(&s, "kefu", PASSWORD).await;
    let form = [("line", line.as_str()), ("kind", "refund_shipped"), ("amount", "20"), ("reason", "未收到货")];
    assert_eq!(post_form(&s, &kefu, &format!("/orders/{id}/after-sales"), &form).await.status(), 303);
    let no = case_no(&s, "2401180106").await;
    let step = format!("/after-sales/{no}/step");
    let dispute = format!("/after-sales/{no}/dispute");
    assert_eq!(post_form(&s, &kefu, &step, &[("step", "refuse"), ("note", "物流显示已签收")]).await.status(), 303);
    let (_, page) = get_html(&s, &kefu, &format!("/after-sales/{no}")).await;
    assert!(page.contains("dispute-open-form") && page.contains("reapply-form") && !page.contains("agree-form"));
    assert!(page.contains("买家：修改申请或申请平台介入"));
    assert_eq!(post_form(&s, &kefu, &dispute, &[("step", "open"), ("reason", "买家申请介入")]).await.status(), 303);
    let r = post_form(&s, &kefu, &dispute, &[("step", "note"), ("note", "上传签收底单"), ("stage", "reviewing")]).await;
    assert_eq!(r.status(), 303);
    // Stages only move forward: the page says so and keeps the note.
    let r = post_form(&s, &kefu, &dispute, &[("step", "note"), ("note", "补充聊天记录"), ("stage", "evidence")]).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"error\"") && html.contains("补充聊天记录"), "{html}");
    let (_, page) = get_html(&s, &kefu, &format!("/after-sales/{no}")).await;
    assert!(page.contains("平台处理中") && page.contains("上传签收底单") && page.contains("dispute-decide-form"));
    assert!(!page.contains("reapply-form"), "with the platform nothing but a withdrawal is offered");
    let r =
        post_form(&s, &kefu, &dispute, &[("step", "decide"), ("outcome", "seller"), ("note", "平台支持卖家")]).await;
    assert_eq!(r.status(), 303);
    let to = r.headers().get("location").unwrap().to_str().unwrap().to_string();
    let (_, page) = get_html(&s, &kefu, &to).await;
    assert!(page.contains("平台判定支持卖家，售后已关闭") && page.contains("退款关闭") && page.contains("支持卖家"));
    let t = s.app.trade_detail(&s.manager.actor(), id).await.unwrap().trade;
    assert_eq!(t.refund_amount, zhanggui_app::domain::Money::ZERO);
    s.stop().await;
}

#[tokio::test]
async fn open_cases_are_listed_by_deadline() {
    let s = Server::start().await;
    s.shipped_trade("2401180107", 1).await;
    s.shipped_trade("2401180108", 1).await;
    let token = s.token_for("kefu").await;
    // A return (15 days for the seller) asked first, a refund without return (5 days) after it.
    for (tid, kind) in [("2401180107", "return_and_refund"), ("2401180108", "refund_shipped")] {
        let r = client()
            .post(s.url("/api/v1/after-sales"))
            .bearer_auth(&token)
            .json(&serde_json::json!({"trade": tid, "kind": kind, "reason": "不合适"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
    }
    let r = client().get(s.url("/api/v1/after-sales")).bearer_auth(&token).send().await.unwrap();
    let body: Value = r.json().await.unwrap();
    let order: Vec<&str> = body["items"].as_array().unwrap().iter().filter_map(|c| c["tid"].as_str()).collect();
    assert_eq!(order, ["2401180108", "2401180107"], "the nearest deadline first");
    let kefu = login(&s, "kefu", PASSWORD).await;
    let (_, html) = get_html(&s, &kefu, "/after-sales").await;
    assert!(html.find("2401180108").unwrap() < html.find("2401180107").unwrap());
    let (_, html) = get_html(&s, &kefu, "/after-sales?open=0").await;
    assert!(html.find("2401180107").unwrap() > html.find("2401180108").unwrap(), "newest first");
    s.stop().await;
}
