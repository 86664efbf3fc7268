//! 批量发货: a list of 订单编号 + 快递公司 + 运单号, pasted (from Excel or the courier's system) or
//! uploaded as csv/xlsx, each shipped through the same ship action as the trade page, each line in
//! its own transaction: a refused line (unknown order, already shipped, closed, out of stock) is
//! listed with the reason and the others are kept. The carrier may be left out of the lines; the
//! one chosen in the form is used then.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::multipart::MultipartRejection;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json, Response};
use serde::{Deserialize, Serialize};
use serde_json::json;
use zhanggui_app::formats::cell::clean_text;
use zhanggui_app::formats::header::Header;
use zhanggui_app::formats::{Sheet, SheetRow};
use zhanggui_app::users::{AuthError, Permission};
use zhanggui_app::{Actor, App, Lang, UserFacing};

use crate::Web;
use crate::auth::{self, ApiUser, Authed};
use crate::pages::{Chrome, Opt, csrf_refused, require};
use crate::upload;

/// Lines shipped in one go at most.
pub const MAX_LINES: usize = 2000;

/// The largest bulk-shipping form taken (a file of 2,000 lines is far smaller).
pub const UPLOAD_AT_MOST: usize = 10 * 1024 * 1024;

/// The carriers offered as the default (any other name may be typed in a line).
pub const CARRIERS: [&str; 10] = [
    "中通快递",
    "圆通速递",
    "韵达快递",
    "申通快递",
    "顺丰速运",
    "极兔速递",
    "邮政快递包裹",
    "京东快递",
    "EMS",
    "德邦快递",
];

/// One line to ship.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ShipLine {
    /// The line of the pasted text or the row of the file.
    pub line: usize,
    /// From the uploaded file (else pasted).
    pub from_file: bool,
    pub order: String,
    pub carrier: String,
    pub tracking_no: String,
}

/// What happened to one line.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub line: usize,
    pub from_file: bool,
    pub order: String,
    pub carrier: String,
    pub tracking_no: String,
    pub shipped: bool,
    /// zhanggui's id of the trade, when found.
    pub trade_id: Option<i64>,
    /// The error code when refused.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub code: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub message: String,
}

impl Outcome {
    fn refused(l: &ShipLine, code: &str, message: String) -> Outcome {
        Outcome {
            line: l.line,
            from_file: l.from_file,
            order: l.order.clone(),
            carrier: l.carrier.clone(),
            tracking_no: l.tracking_no.clone(),
            shipped: false,
            trade_id: None,
            code: code.into(),
            message,
        }
    }
}

/// A line that could not be read (shown with the others, as refused).
fn unreadable(line: usize, text: &str, zh: &str, en: &str, lang: Lang) -> Outcome {
    let l = ShipLine { line, order: text.chars().take(60).collect(), ..Default::default() };
    Outcome::refused(&l, "invalid_input", lang.pick(zh, en).to_string())
}

/// Looks like a tracking number: letters and digits (at least one digit), six or more.
fn tracking_like(s: &str) -> bool {
    s.len() >= 6 && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') && s.chars().any(|c| c.is_ascii_digit())
}

/// Is this the header of a list (订单编号, 快递公司, 运单号 or their aliases)?
fn is_header(cells: &[String]) -> bool {
    let row = SheetRow { line: 0, cells: cells.to_vec() };
    Header::from_row(&row).score(&["订单编号", "物流公司", "物流单号"]) >= 2
}

/// One line's cells into a line to ship, or why not.
fn from_cells(line: usize, cells: &[String], default_carrier: &str, lang: Lang) -> Result<ShipLine, Outcome> {
    let cells: Vec<String> = cells.iter().map(|c| clean_text(c)).filter(|c| !c.is_empty()).collect();
    let joined = cells.join(" ");
    let (order, carrier, tracking_no) = match cells.as_slice() {
        [order, tracking] => (order.clone(), default_carrier.trim().to_string(), tracking.clone()),
        [order, a, b] => {
            if tracking_like(a) && !tracking_like(b) {
                (order.clone(), b.clone(), a.clone())
            } else {
                (order.clone(), a.clone(), b.clone())
            }
        }
        [_] => {
            return Err(unreadable(
                line,
                &joined,
                "缺少运单号：每行写 订单编号、快递公司（可省略）、运单号",
                "no tracking number: write order number, carrier (may be left out) and tracking number",
                lang,
            ));
        }
        _ => {
            return Err(unreadable(
                line,
                &joined,
                "这一行看不懂：每行写 订单编号、快递公司（可省略）、运单号，用 Tab、逗号或空格隔开",
                "this line is not understood: write order number, carrier (may be left out) and tracking number, separated by tabs, commas or spaces",
                lang,
            ));
        }
    };
    if carrier.is_empty() {
        let l = ShipLine { line, order, carrier, tracking_no, ..Default::default() };
        return Err(Outcome::refused(
            &l,
            "invalid_input",
            lang.pick("没有写快递公司，也没有选默认快递公司", "no carrier in the line and no default carrier chosen")
                .into(),
        ));
    }
    Ok(ShipLine { line, order, carrier, tracking_no, ..Default::default() })
}

/// The cells of a pasted line: split at tabs (Excel), else commas (half or full width), else spaces.
fn split_line(text: &str) -> Vec<String> {
    let parts: Vec<&str> = if text.contains('\t') {
        text.split('\t').collect()
    } else if text.contains([',', '，']) {
        text.split([',', '，']).collect()
    } else {
        text.split_whitespace().collect()
    };
    parts.into_iter().map(str::to_string).collect()
}

/// The lines of a pasted list; a header line is skipped.
pub fn parse_text(text: &str, default_carrier: &str, lang: Lang) -> (Vec<ShipLine>, Vec<Outcome>) {
    let mut good = Vec::new();
    let mut bad = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let cells = split_line(raw);
        if cells.iter().all(|c| clean_text(c).is_empty()) || is_header(&cells) {
            continue;
        }
        match from_cells(i + 1, &cells, default_carrier, lang) {
            Ok(l) => good.push(l),
            Err(o) => bad.push(o),
        }
    }
    (good, bad)
}

/// The lines of a sheet: by its header (订单编号, 快递公司, 运单号 and their aliases) when it has one,
/// else each row as a pasted line.
pub fn parse_sheet(sheet: &Sheet, default_carrier: &str, lang: Lang) -> (Vec<ShipLine>, Vec<Outcome>) {
    let mut good = Vec::new();
    let mut bad = Vec::new();
    let wanted = ["订单编号", "物流公司", "物流单号"];
    let header = sheet
        .header_row(&wanted)
        .and_then(|i| sheet.rows.get(i).map(|r| (i, Header::from_row(r))))
        .filter(|(_, h)| h.find("订单编号").is_some() && h.find("物流单号").is_some());
    match header {
        Some((i, h)) => {
            let order = h.col(&["订单编号"]);
            let carrier = h.col(&["物流公司"]);
            let tracking = h.col(&["物流单号"]);
            for row in sheet.rows.iter().skip(i + 1) {
                let get =
                    |c: &zhanggui_app::formats::header::Col| c.idx.map(|i| clean_text(row.get(i))).unwrap_or_default();
                let (o, c, t) = (get(&order), get(&carrier), get(&tracking));
                if o.is_empty() && t.is_empty() {
                    continue;
                }
                let carrier = if c.is_empty() { default_carrier.trim().to_string() } else { c };
                if o.is_empty() || t.is_empty() || carrier.is_empty() {
                    let l = ShipLine {
                        line: row.line,
                        from_file: true,
                        order: o.clone(),
                        carrier: carrier.clone(),
                        tracking_no: t.clone(),
                    };
                    let (zh, en) = if o.is_empty() {
                        ("缺少订单编号", "no order number")
                    } else if t.is_empty() {
                        ("缺少运单号", "no tracking number")
                    } else {
                        ("没有写快递公司，也没有选默认快递公司", "no carrier in the row and no default carrier chosen")
                    };
                    bad.push(Outcome::refused(&l, "invalid_input", lang.pick(zh, en).into()));
                    continue;
                }
                good.push(ShipLine { line: row.line, from_file: true, order: o, carrier, tracking_no: t });
            }
        }
        None => {
            for row in &sheet.rows {
                if is_header(&row.cells) {
                    continue;
                }
                match from_cells(row.line, &row.cells, default_carrier, lang) {
                    Ok(l) => good.push(ShipLine { from_file: true, ..l }),
                    Err(o) => bad.push(Outcome { from_file: true, ..o }),
                }
            }
        }
    }
    (good, bad)
}

/// Ships each line in turn, each in its own transaction (with its audit line); refusals are kept
/// with the reason. The results are in line order.
pub async fn ship_all(
    app: &App,
    actor: &Actor,
    lines: &[ShipLine],
    mut refused: Vec<Outcome>,
    lang: Lang,
) -> Vec<Outcome> {
    let mut out = Vec::with_capacity(lines.len() + refused.len());
    for l in lines {
        let trade = match app.find_trade(actor, &l.order).await {
            Ok(t) => t,
            Err(e) => {
                out.push(Outcome::refused(l, e.code(), e.message(lang)));
                continue;
            }
        };
        match crate::actions::ship(app, actor, trade.id, &l.carrier, &l.tracking_no).await {
            Ok(()) => out.push(Outcome {
                line: l.line,
                from_file: l.from_file,
                order: trade.tid.clone(),
                carrier: l.carrier.clone(),
                tracking_no: l.tracking_no.clone(),
                shipped: true,
                trade_id: Some(trade.id),
                code: String::new(),
                message: String::new(),
            }),
            Err(e) => {
                let mut o = Outcome::refused(l, e.code(), e.message(lang));
                o.trade_id = Some(trade.id);
                out.push(o);
            }
        }
    }
    out.append(&mut refused);
    out.sort_by_key(|o| (o.from_file, o.line));
    out
}

fn too_many(n: usize, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("一次最多发货 {MAX_LINES} 行，这次有 {n} 行，请分几次提交。什么都没有发货。"),
        Lang::En => {
            format!("at most {MAX_LINES} lines at once; this list has {n}. Send it in parts. Nothing was shipped.")
        }
    }
}

// ---------------------------------------------------------------- the page

#[derive(Template, WebTemplate)]
#[template(path = "ship_bulk.html")]
struct BulkPage {
    c: Chrome,
    carriers: Vec<Opt>,
    text: String,
    results: Vec<Outcome>,
    shipped: usize,
    refused: usize,
    done: bool,
}

fn carrier_opts(selected: &str, lang: Lang) -> Vec<Opt> {
    let mut v = vec![Opt {
        value: String::new(),
        label: lang.pick("（每行自己写）", "(given in each line)").into(),
        selected: selected.is_empty(),
    }];
    v.extend(CARRIERS.iter().map(|c| Opt { value: (*c).into(), label: (*c).into(), selected: selected == *c }));
    if !selected.is_empty() && !CARRIERS.contains(&selected) {
        v.push(Opt { value: selected.into(), label: selected.into(), selected: true });
    }
    v
}

fn page_of(web: &Web, a: &Authed, carrier: &str, text: String, results: Option<Vec<Outcome>>) -> BulkPage {
    let done = results.is_some();
    let results = results.unwrap_or_default();
    let shipped = results.iter().filter(|r| r.shipped).count();
    BulkPage {
        c: Chrome::new(a, web, "orders", "/orders/ship-bulk"),
        carriers: carrier_opts(carrier, a.lang),
        text,
        refused: results.len() - shipped,
        shipped,
        results,
        done,
    }
}

pub async fn page(State(web): State<Web>, a: Authed) -> Response {
    if let Err(r) = require(&a, Permission::ShipOrders) {
        return r;
    }
    page_of(&web, &a, "中通快递", String::new(), None).into_response()
}

pub async fn submit(State(web): State<Web>, a: Authed, multipart: Result<Multipart, MultipartRejection>) -> Response {
    if let Err(r) = require(&a, Permission::ShipOrders) {
        return r;
    }
    let lang = a.lang;
    let fail = |web: &Web, a: &Authed, carrier: &str, text: String, e: &dyn UserFacing| {
        let mut p = page_of(web, a, carrier, text, None);
        p.c.error = e.message(lang);
        (auth::http_status(e), p).into_response()
    };
    let multipart = match multipart {
        Ok(m) => m,
        Err(e) => return fail(&web, &a, "", String::new(), &upload::UploadError::Broken(e.body_text())),
    };
    let up = match upload::receive(multipart, Some(&a.session.csrf_token), UPLOAD_AT_MOST).await {
        Ok(up) => up,
        Err(upload::UploadError::Csrf) => return csrf_refused(lang),
        Err(e) => return fail(&web, &a, "", String::new(), &e),
    };
    let carrier = up.field("carrier").trim().to_string();
    let text = up.field("lines").to_string();
    let (mut lines, mut bad) = parse_text(&text, &carrier, lang);
    if let Some(file) = up.file("file") {
        let path = file.path.clone();
        let sheet = tokio::task::spawn_blocking(move || zhanggui_app::formats::read_sheet(&path)).await;
        match sheet {
            Ok(Ok(sheet)) => {
                let (more, more_bad) = parse_sheet(&sheet, &carrier, lang);
                lines.extend(more);
                bad.extend(more_bad);
            }
            Ok(Err(e)) => {
                let e = zhanggui_app::import::ImportError::File(e.to_string());
                return fail(&web, &a, &carrier, text, &e);
            }
            Err(e) => {
                let e = zhanggui_app::import::ImportError::File(e.to_string());
                return fail(&web, &a, &carrier, text, &e);
            }
        }
    }
    drop(up);
    if lines.is_empty() && bad.is_empty() {
        let mut p = page_of(&web, &a, &carrier, text, None);
        p.c.error = lang
            .pick(
                "没有要发货的订单：请粘贴 订单编号、快递公司、运单号，或者上传文件。",
                "Nothing to ship: paste order numbers, carriers and tracking numbers, or upload a file.",
            )
            .into();
        return (StatusCode::UNPROCESSABLE_ENTITY, p).into_response();
    }
    let n = lines.len() + bad.len();
    if n > MAX_LINES {
        let mut p = page_of(&web, &a, &carrier, text, None);
        p.c.error = too_many(n, lang);
        return (StatusCode::UNPROCESSABLE_ENTITY, p).into_response();
    }
    let results = ship_all(&web.app, &a.user().actor(), &lines, bad, lang).await;
    // What is left to fix goes back into the box: the refused pasted lines.
    let refused_lines: std::collections::HashSet<usize> =
        results.iter().filter(|r| !r.shipped && !r.from_file).map(|r| r.line).collect();
    let left: Vec<&str> =
        text.lines().enumerate().filter(|(i, _)| refused_lines.contains(&(i + 1))).map(|(_, l)| l).collect();
    let shipped = results.iter().filter(|r| r.shipped).count();
    let mut p = page_of(&web, &a, &carrier, left.join("\n"), Some(results));
    p.c.notice = match lang {
        Lang::Zh => format!("已发货 {shipped} 单，未发货 {} 单。", p.refused),
        Lang::En => format!("{shipped} shipped, {} refused.", p.refused),
    };
    p.into_response()
}

// ---------------------------------------------------------------- the API

#[derive(Deserialize, Default)]
pub struct BulkBody {
    /// The carrier of lines that name none.
    #[serde(default)]
    carrier: String,
    #[serde(default)]
    lines: Vec<BulkLine>,
    /// Or the lines as pasted text (订单编号, 快递公司, 运单号 per line).
    #[serde(default)]
    text: String,
}

#[derive(Deserialize, Default)]
pub struct BulkLine {
    #[serde(default)]
    order: serde_json::Value,
    #[serde(default)]
    carrier: String,
    #[serde(default)]
    tracking_no: String,
}

fn text_of(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.trim().to_string(),
        other => other.to_string(),
    }
}

pub async fn api_submit(State(web): State<Web>, u: ApiUser, body: Result<Json<BulkBody>, JsonRejection>) -> Response {
    let b = match body {
        Ok(Json(b)) => b,
        Err(e) => return crate::api::bad_body(e, u.lang),
    };
    if !u.user.may(Permission::ShipOrders) {
        return crate::api::error_response(&AuthError::Forbidden, u.lang);
    }
    let lang = u.lang;
    let (mut lines, mut bad) = parse_text(&b.text, &b.carrier, lang);
    let offset = b.text.lines().count();
    for (i, l) in b.lines.iter().enumerate() {
        let line = offset + i + 1;
        let carrier = if l.carrier.trim().is_empty() { b.carrier.trim() } else { l.carrier.trim() };
        let s = ShipLine {
            line,
            from_file: false,
            order: text_of(&l.order),
            carrier: carrier.into(),
            tracking_no: l.tracking_no.trim().into(),
        };
        let missing = if s.order.is_empty() {
            Some(("缺少订单编号", "no order number"))
        } else if s.tracking_no.is_empty() {
            Some(("缺少运单号", "no tracking number"))
        } else if s.carrier.is_empty() {
            Some(("没有写快递公司，也没有默认快递公司", "no carrier in the line and no default carrier"))
        } else {
            None
        };
        match missing {
            Some((zh, en)) => bad.push(Outcome::refused(&s, "invalid_input", lang.pick(zh, en).into())),
            None => lines.push(s),
        }
    }
    let n = lines.len() + bad.len();
    if n == 0 || n > MAX_LINES {
        let message = if n == 0 {
            lang.pick("没有要发货的订单", "nothing to ship: give lines or text").to_string()
        } else {
            too_many(n, lang)
        };
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({"error": {"code": "invalid_input", "message": message}})),
        )
            .into_response();
    }
    let results = ship_all(&web.app, &u.user.actor(), &lines, bad, lang).await;
    let shipped = results.iter().filter(|r| r.shipped).count();
    Json(json!({"shipped": shipped, "refused": results.len() - shipped, "results": results})).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pasted_lines() {
        let text = "订单编号\t快递公司\t运单号\n2401180001\t中通快递\t78000012345\n\n2401180002,YT88000001\n=\"2401180003\" 顺丰速运 SF1400000001\n2401180004 SF1400000002 顺丰速运\n2401180005\n";
        let (good, bad) = parse_text(text, "圆通速递", Lang::Zh);
        assert_eq!(
            good,
            vec![
                ShipLine {
                    line: 2,
                    order: "2401180001".into(),
                    carrier: "中通快递".into(),
                    tracking_no: "78000012345".into(),
                    ..Default::default()
                },
                ShipLine {
                    line: 4,
                    order: "2401180002".into(),
                    carrier: "圆通速递".into(),
                    tracking_no: "YT88000001".into(),
                    ..Default::default()
                },
                ShipLine {
                    line: 5,
                    order: "2401180003".into(),
                    carrier: "顺丰速运".into(),
                    tracking_no: "SF1400000001".into(),
                    ..Default::default()
                },
                ShipLine {
                    line: 6,
                    order: "2401180004".into(),
                    carrier: "顺丰速运".into(),
                    tracking_no: "SF1400000002".into(),
                    ..Default::default()
                },
            ]
        );
        assert_eq!(bad.len(), 1);
        assert_eq!((bad[0].line, bad[0].message.contains("缺少运单号")), (7, true));
        let (good, bad) = parse_text("2401180002 YT88000001", "", Lang::En);
        assert!(good.is_empty() && bad[0].message.contains("no carrier"));
    }

    #[test]
    fn sheets_by_header_or_position() {
        let row =
            |line: usize, cells: &[&str]| SheetRow { line, cells: cells.iter().map(|c| (*c).to_string()).collect() };
        let sheet = Sheet {
            name: "发货.csv".into(),
            format: zhanggui_app::formats::SheetFormat::Xlsx,
            rows: vec![
                row(1, &["运单号", "订单号", "备注"]),
                row(2, &["78000012345", "2401180001", "易碎"]),
                row(3, &["", "2401180002", ""]),
            ],
            skipped: 0,
        };
        let (good, bad) = parse_sheet(&sheet, "中通快递", Lang::Zh);
        assert_eq!(
            good,
            vec![ShipLine {
                line: 2,
                from_file: true,
                order: "2401180001".into(),
                carrier: "中通快递".into(),
                tracking_no: "78000012345".into()
            }]
        );
        assert_eq!((bad.len(), bad[0].line), (1, 3));
        let sheet = Sheet { rows: vec![row(1, &["2401180001", "韵达快递", "4310000000001"])], ..sheet };
        let (good, _) = parse_sheet(&sheet, "", Lang::Zh);
        assert_eq!(good[0].carrier, "韵达快递");
    }
}
