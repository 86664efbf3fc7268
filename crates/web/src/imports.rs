//! 导入 in the browser and the API: upload a platform export, choose its kind and shop, and the same
//! import use cases as `zhanggui import ...` run on it; the summary (新增 / 更新 / 未变 / 拒绝) and every
//! rejected row (file, line, column, why) are shown, and the rejected rows download as CSV in the
//! file's own columns with the reason last, to fix and import again. The merchant codes that match
//! no SKU (未匹配商品) are listed with a form to map each to a SKU.
//!
//! Uploads are streamed to a scratch folder that is always removed (`upload`). What an import did
//! is kept in memory for a while (at most [`KEEP`] results, [`KEEP_FOR`]) so that its page can be
//! reloaded and its rejected rows downloaded by the person who ran it.
//!
//! Who may import: the manager and operations import orders, traffic, ads and after-sales exports;
//! the warehouse may also import the product sheet (its opening stock), whose cost and price
//! columns are then left out (the warehouse does not see costs); customer service, purchasing and
//! finance import nothing. Mapping merchant codes to SKUs re-links order lines, so it changes sales
//! figures: only those who import orders map them.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Json, Redirect, Response};
use serde::Deserialize;
use serde_json::json;
use zhanggui_app::import::files::{FileImport, FileKind, rejects_csv_file};
use zhanggui_app::import::{ImportError, ImportSummary};
use zhanggui_app::trading::TradeError;
use zhanggui_app::users::{AuthError, Permission, Role, User};
use zhanggui_app::{App, Lang, UserFacing};

use crate::Web;
use crate::auth::{self, ApiUser, Authed};
use crate::pages::{Chrome, Opt, csrf_refused, encode, error_page};
use crate::upload::{self, Upload};

// ---------------------------------------------------------------- who may import

pub fn may_import(u: &User, kind: FileKind) -> bool {
    match kind {
        FileKind::Products => matches!(u.role, Role::Manager | Role::Operations | Role::Warehouse),
        _ => matches!(u.role, Role::Manager | Role::Operations),
    }
}

/// May import at least one kind of file (sees the 导入 page and the unmatched merchant codes).
pub fn may_import_any(u: &User) -> bool {
    FileKind::ALL.iter().any(|k| may_import(u, *k))
}

/// May map a merchant code to a SKU: that re-links order lines and so changes sales figures, which
/// only those who import orders may do.
pub fn may_map_codes(u: &User) -> bool {
    FileKind::ALL.iter().any(|k| k.is_orders() && may_import(u, *k))
}

// ---------------------------------------------------------------- results kept for a while

/// Results kept at most.
pub const KEEP: usize = 64;
/// Bytes of rejected rows kept at most (the oldest results go first).
const KEEP_BYTES: usize = 64 * 1024 * 1024;
/// How long a result stays (a working day, as a login).
pub const KEEP_FOR: Duration = Duration::from_secs(12 * 3600);

/// The rejected rows of one file, as CSV.
struct RejectsFile {
    name: String,
    rows: usize,
    csv: Vec<u8>,
}

struct Stored {
    token: String,
    user_id: i64,
    at: Instant,
    kind: FileKind,
    shop: String,
    summary: ImportSummary,
    files: Vec<RejectsFile>,
}

static RESULTS: Mutex<VecDeque<Stored>> = Mutex::new(VecDeque::new());

fn keep(s: Stored) {
    let mut all = RESULTS.lock().unwrap_or_else(|e| e.into_inner());
    all.push_back(s);
    while all.front().is_some_and(|f| f.at.elapsed() > KEEP_FOR) {
        all.pop_front();
    }
    while all.len() > KEEP
        || (all.len() > 1 && all.iter().flat_map(|s| s.files.iter()).map(|f| f.csv.len()).sum::<usize>() > KEEP_BYTES)
    {
        all.pop_front();
    }
}

/// Reads a kept result of this user.
fn with_result<T>(token: &str, user: &User, f: impl FnOnce(&Stored) -> T) -> Option<T> {
    let all = RESULTS.lock().unwrap_or_else(|e| e.into_inner());
    all.iter().find(|s| auth::same_token(&s.token, token) && s.user_id == user.id && s.at.elapsed() <= KEEP_FOR).map(f)
}

// ---------------------------------------------------------------- the import (pages and API)

fn invalid(field: &'static str, zh: &str, en: &str) -> ImportError {
    ImportError::Invalid { field, zh: zh.into(), en: en.into() }
}

/// The kind of an upload, from its `kind` field.
pub fn kind_of(up: &Upload) -> Result<FileKind, ImportError> {
    match up.field("kind").trim() {
        "" => Err(invalid("kind", "请选择要导入的文件类型", "choose what kind of file this is")),
        k => FileKind::parse(k).ok_or_else(|| {
            ImportError::Invalid {
                field: "kind",
                zh: format!("看不懂文件类型「{k}」"),
                en: format!("unknown kind of file {k}; use one of taobao-orders, pdd-orders, jd-orders, products, sycm-items, shop-traffic, ads, refunds"),
            }
        }),
    }
}

/// The import an upload asks for, by `user`: a product sheet's cost and price columns are taken only
/// from those who see costs.
pub fn request_of(up: &Upload, kind: FileKind, zone: chrono_tz::Tz, user: &User) -> Result<FileImport, ImportError> {
    let stock_from = match up.field("stock_from").trim() {
        "" => None,
        _ if !kind.is_orders() => None,
        d => Some(zhanggui_app::clock::parse_local(d, zone).ok_or_else(|| ImportError::Invalid {
            field: "stock_from",
            zh: format!("库存起始日期「{d}」看不懂，请写成 YYYY-MM-DD"),
            en: format!("inventory start {d}: use YYYY-MM-DD"),
        })?),
    };
    if kind.needs_shop() && up.field("shop").trim().is_empty() {
        return Err(invalid("shop", "请选择文件所属的店铺", "choose the shop the file comes from"));
    }
    Ok(FileImport {
        kind,
        shop: if kind.needs_shop() { up.field("shop").trim().to_string() } else { String::new() },
        stock_from,
        channel: up.field("channel").trim().to_string(),
        with_costs: user.may(Permission::ViewCosts),
    })
}

/// What an import did, kept under `token`.
pub struct Done {
    pub token: String,
    pub summary: ImportSummary,
    /// Each file with rejected rows: its rejects file name and how many rows.
    pub files: Vec<(String, usize)>,
}

fn rejects_name(file: &str, lang: Lang) -> String {
    let stem = file.rsplit_once('.').map_or(file, |(s, _)| s);
    format!("{stem}{}.csv", lang.pick("-被拒绝的行", "-rejected"))
}

/// Runs the import of an upload for `user` (whose right to import `opts.kind` is checked by the
/// caller), copies out the rejected rows while the files are still there, writes the audit line and
/// keeps the result.
pub async fn run(app: &App, user: &User, up: &Upload, opts: &FileImport, lang: Lang) -> Result<Done, ImportError> {
    let Some(file) = up.file("file") else {
        return Err(invalid("file", "请选择要上传的文件", "choose the file to upload"));
    };
    let lines = up.file("lines");
    if lines.is_some() && opts.kind != FileKind::TaobaoOrders {
        return Err(invalid(
            "lines",
            "只有淘宝/天猫订单报表可以同时上传宝贝报表",
            "only a Taobao/Tmall order report comes with a line report",
        ));
    }
    let actor = user.actor();
    let shop = if opts.kind.needs_shop() {
        let shops = app.shops(&actor).await.map_err(|e| match e {
            TradeError::Store(s) => ImportError::Store(s),
            other => ImportError::File(other.to_string()),
        })?;
        match shops.into_iter().find(|s| s.id.to_string() == opts.shop || s.name == opts.shop) {
            Some(s) => s.name,
            None => return Err(ImportError::UnknownShop(opts.shop.clone())),
        }
    } else {
        String::new()
    };
    let (summary, sources) = app.import_file(&actor, opts, &file.path, lines.map(|l| l.path.as_path())).await?;
    let mut files = Vec::new();
    for source in sources {
        let rows = summary.rejects.iter().filter(|r| r.file == source.name).count();
        if rows == 0 {
            continue;
        }
        let rejects = summary.rejects.clone();
        let name = rejects_name(&source.name, lang);
        let csv = tokio::task::spawn_blocking(move || rejects_csv_file(&source, &rejects))
            .await
            .map_err(|e| ImportError::File(e.to_string()))??;
        files.push(RejectsFile { name, rows, csv });
    }
    let target = if shop.is_empty() { summary.file.clone() } else { format!("{} ({shop})", summary.file) };
    let mut after = format!(
        "inserted={} updated={} unchanged={} rejected={}",
        summary.inserted, summary.updated, summary.unchanged, summary.rejected
    );
    if summary.unmatched_lines > 0 {
        after.push_str(&format!(" unmatched_lines={}", summary.unmatched_lines));
    }
    if summary.costs_ignored > 0 {
        after.push_str(&format!(" costs_ignored={}", summary.costs_ignored));
    }
    app.record_audit(&actor, &format!("import.{}", opts.kind.code()), &target, "", &after).await?;
    let token = zhanggui_app::users::random_hex(16).map_err(|e| ImportError::File(e.to_string()))?;
    let listed = files.iter().map(|f| (f.name.clone(), f.rows)).collect();
    keep(Stored {
        token: token.clone(),
        user_id: user.id,
        at: Instant::now(),
        kind: opts.kind,
        shop,
        summary: summary.clone(),
        files,
    });
    Ok(Done { token, summary, files: listed })
}

/// The rejected rows of a kept result's `n`th file, as a CSV download.
fn rejects_download(token: &str, n: usize, user: &User) -> Option<Response> {
    with_result(token, user, |s| {
        s.files.get(n).map(|f| {
            let ascii: String =
                f.name.chars().map(|c| if c.is_ascii_alphanumeric() || "-_.".contains(c) { c } else { '_' }).collect();
            (
                [
                    (CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                    (
                        CONTENT_DISPOSITION,
                        format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{}", encode(&f.name)),
                    ),
                ],
                f.csv.clone(),
            )
                .into_response()
        })
    })
    .flatten()
}

/// The audit log's words for the actions of this area.
pub fn audit_label(action: &str, lang: Lang) -> Option<String> {
    if action == "sku.map" {
        return Some(lang.pick("对应商品编码", "merchant code mapped").to_string());
    }
    let kind = FileKind::parse(action.strip_prefix("import.")?)?;
    Some(format!("{}{}", lang.pick("导入：", "import: "), kind.label(lang)))
}

// ---------------------------------------------------------------- the page

pub struct RejectView {
    pub file: String,
    pub line: usize,
    pub column: String,
    pub reason: String,
}

pub struct DownloadView {
    pub url: String,
    pub name: String,
    pub rows: usize,
}

pub struct ResultView {
    pub kind: String,
    pub file: String,
    pub shop: String,
    pub records: usize,
    pub inserted: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub rejected: usize,
    pub unmatched_lines: usize,
    /// Rows whose cost and price were left out (the importer does not see costs).
    pub costs_ignored: usize,
    pub seconds: String,
    pub inventory_start: String,
    pub rejects: Vec<RejectView>,
    /// Rejected rows not listed on the page (they are in the download).
    pub more: usize,
    pub downloads: Vec<DownloadView>,
}

/// Rejected rows listed on the page at most.
const LISTED: usize = 2000;

pub struct UnmatchedView {
    pub code: String,
    pub title: String,
    pub lines: i64,
    pub units: i64,
    pub typed: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "imports.html")]
struct ImportsPage {
    c: Chrome,
    kinds: Vec<Opt>,
    shops: Vec<Opt>,
    channels: Vec<Opt>,
    stock_from: String,
    result: Option<ResultView>,
    unmatched: Vec<UnmatchedView>,
    skus: Vec<Opt>,
    /// May map the unmatched codes to SKUs (else they are only listed).
    can_map: bool,
}

/// What was chosen in the form, to show it again.
#[derive(Default, Clone)]
struct Typed {
    kind: String,
    shop: String,
    channel: String,
    stock_from: String,
    /// The merchant code whose mapping failed and the SKU typed for it.
    map: Option<(String, String)>,
}

#[derive(Default)]
struct Messages {
    notice: String,
    error: String,
    status: Option<StatusCode>,
    typed: Typed,
    result: Option<ResultView>,
}

fn opt(value: impl Into<String>, label: impl Into<String>, selected: bool) -> Opt {
    Opt { value: value.into(), label: label.into(), selected }
}

/// The ad tools a report may come from.
const CHANNELS: [(&str, &str); 3] = [("直通车", "直通车"), ("万相台", "万相台"), ("引力魔方", "引力魔方")];

fn result_view(s: &Stored, zone: chrono_tz::Tz, lang: Lang) -> ResultView {
    let m = &s.summary;
    ResultView {
        kind: s.kind.label(lang).into(),
        file: m.file.clone(),
        shop: s.shop.clone(),
        records: m.records,
        inserted: m.inserted,
        updated: m.updated,
        unchanged: m.unchanged,
        rejected: m.rejected,
        unmatched_lines: m.unmatched_lines,
        costs_ignored: m.costs_ignored,
        seconds: format!("{:.1}", m.seconds),
        inventory_start: m.inventory_start_set.map(|t| crate::view::time(t, zone)).unwrap_or_default(),
        rejects: {
            // The first file's rows first, each file's by line.
            let mut sorted: Vec<_> = m.rejects.iter().collect();
            sorted.sort_by_key(|r| (r.file != m.file, r.file.clone(), r.line));
            sorted
        }
        .into_iter()
        .take(LISTED)
        .map(|r| RejectView {
            file: r.file.clone(),
            line: r.line,
            column: r.column.clone().unwrap_or_default(),
            reason: r.reason.clone(),
        })
        .collect(),
        more: m.rejects.len().saturating_sub(LISTED),
        downloads: s
            .files
            .iter()
            .enumerate()
            .map(|(i, f)| DownloadView {
                url: format!("/imports/{}/rejects/{i}", s.token),
                name: f.name.clone(),
                rows: f.rows,
            })
            .collect(),
    }
}

async fn render(web: &Web, a: &Authed, m: Messages) -> Response {
    let lang = a.lang;
    let actor = a.user().actor();
    let shops = match web.app.shops(&actor).await {
        Ok(s) => s,
        Err(e) => return error_page(lang, &e),
    };
    let unmatched = match web.app.unmatched_codes(&actor).await {
        Ok(u) => u,
        Err(e) => return error_page(lang, &e),
    };
    let can_map = may_map_codes(a.user());
    let skus = if unmatched.is_empty() || !can_map {
        Vec::new()
    } else {
        match web.app.sku_choices(&actor).await {
            Ok(s) => s.into_iter().map(|(code, label)| opt(code, label, false)).collect(),
            Err(e) => return error_page(lang, &e),
        }
    };
    let t = &m.typed;
    let kinds = FileKind::ALL
        .iter()
        .filter(|k| may_import(a.user(), **k))
        .map(|k| opt(k.code(), k.label(lang), t.kind == k.code()))
        .collect();
    let only_shop = shops.len() == 1;
    let mut shop_opts = vec![opt("", lang.pick("请选择店铺", "Choose the shop"), t.shop.is_empty() && !only_shop)];
    shop_opts
        .extend(shops.iter().map(|s| opt(s.id.to_string(), s.name.clone(), t.shop == s.id.to_string() || only_shop)));
    let channels = CHANNELS.iter().map(|(v, l)| opt(*v, *l, t.channel == *v)).collect();
    let unmatched = unmatched
        .into_iter()
        .map(|u| UnmatchedView {
            typed: match &t.map {
                Some((code, sku)) if *code == u.code => sku.clone(),
                _ => String::new(),
            },
            code: u.code,
            title: u.title,
            lines: u.lines,
            units: u.units,
        })
        .collect();
    let mut c = Chrome::new(a, web, "imports", "/imports");
    c.notice = m.notice;
    c.error = m.error;
    let page = ImportsPage {
        c,
        kinds,
        shops: shop_opts,
        channels,
        stock_from: t.stock_from.clone(),
        result: m.result,
        unmatched,
        skus,
        can_map,
    };
    (m.status.unwrap_or(StatusCode::OK), page).into_response()
}

#[derive(Deserialize, Default)]
pub struct ImportsQuery {
    #[serde(default)]
    result: String,
    #[serde(default)]
    ok: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    sku: String,
    #[serde(default)]
    n: String,
}

pub async fn page(State(web): State<Web>, a: Authed, Query(q): Query<ImportsQuery>) -> Response {
    if !may_import_any(a.user()) {
        return crate::pages::forbidden(a.lang);
    }
    let lang = a.lang;
    let mut m = Messages::default();
    if !q.result.is_empty() {
        match with_result(&q.result, a.user(), |s| result_view(s, web.zone, lang)) {
            Some(r) => {
                m.notice = match lang {
                    Lang::Zh => format!("{} 导入完成。", r.file),
                    Lang::En => format!("{} is imported.", r.file),
                };
                m.result = Some(r);
            }
            None => {
                m.error = lang
                    .pick(
                        "这次导入的结果已经不在了（只保留 12 小时，服务重启后也会清空）。导入本身已经完成，可以在审计日志里查看；需要被拒绝的行就再导入一次同一个文件，已导入的不会重复。",
                        "This import's result is gone (kept 12 hours, and not across a restart). The import itself is done and is in the audit log; to get its rejected rows, import the same file again: nothing is duplicated.",
                    )
                    .into();
            }
        }
    }
    if q.ok == "mapped" {
        m.notice = match lang {
            Lang::Zh => format!("已把 {} 对应到 {}，关联了 {} 条子订单。", q.code, q.sku, q.n),
            Lang::En => format!("{} now stands for {}; {} lines linked.", q.code, q.sku, q.n),
        };
    }
    render(&web, &a, m).await
}

fn typed_of(up: &Upload) -> Typed {
    Typed {
        kind: up.field("kind").trim().into(),
        shop: up.field("shop").trim().into(),
        channel: up.field("channel").trim().into(),
        stock_from: up.field("stock_from").trim().into(),
        map: None,
    }
}

pub async fn submit(State(web): State<Web>, a: Authed, multipart: Result<Multipart, MultipartRejection>) -> Response {
    let lang = a.lang;
    if !may_import_any(a.user()) {
        return crate::pages::forbidden(lang);
    }
    let refused = |e: &dyn UserFacing| Messages {
        error: e.message(lang),
        status: Some(auth::http_status(e)),
        ..Default::default()
    };
    let multipart = match multipart {
        Ok(m) => m,
        Err(e) => {
            let e = upload::UploadError::Broken(e.body_text());
            return render(&web, &a, refused(&e)).await;
        }
    };
    let up = match upload::receive(multipart, Some(&a.session.csrf_token), upload::MAX_UPLOAD).await {
        Ok(up) => up,
        Err(upload::UploadError::Csrf) => return csrf_refused(lang),
        Err(e) => return render(&web, &a, refused(&e)).await,
    };
    let typed = typed_of(&up);
    let kind = match kind_of(&up) {
        Ok(k) => k,
        Err(e) => return render(&web, &a, Messages { typed, ..refused(&e) }).await,
    };
    if !may_import(a.user(), kind) {
        return crate::pages::forbidden(lang);
    }
    let result = match request_of(&up, kind, web.zone, a.user()) {
        Ok(opts) => run(&web.app, a.user(), &up, &opts, lang).await,
        Err(e) => Err(e),
    };
    drop(up);
    match result {
        Ok(done) => Redirect::to(&format!("/imports?result={}", done.token)).into_response(),
        Err(e) => render(&web, &a, Messages { typed, ..refused(&e) }).await,
    }
}

pub async fn rejects(State(_web): State<Web>, a: Authed, Path((token, n)): Path<(String, usize)>) -> Response {
    if !may_import_any(a.user()) {
        return crate::pages::forbidden(a.lang);
    }
    rejects_download(&token, n, a.user()).unwrap_or_else(|| gone(a.lang))
}

fn expired() -> ImportError {
    ImportError::Invalid {
        field: "result",
        zh: "这次导入的结果已经不在了（只保留 12 小时），请再导入一次同一个文件，已导入的不会重复。".into(),
        en: "this import's result is gone (kept 12 hours); import the same file again: nothing is duplicated".into(),
    }
}

fn not_found(mut r: Response) -> Response {
    *r.status_mut() = StatusCode::NOT_FOUND;
    r
}

fn gone(lang: Lang) -> Response {
    not_found(error_page(lang, &expired()))
}

#[derive(Deserialize)]
pub struct MapForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    sku: String,
}

/// Maps a merchant code to a SKU and writes the audit line; returns the lines linked.
pub async fn map(app: &App, user: &User, code: &str, sku: &str) -> Result<u64, ImportError> {
    let actor = user.actor();
    let n = app.map_code(&actor, code, sku).await?;
    app.record_audit(&actor, "sku.map", code.trim(), "", &format!("sku={} lines={n}", sku.trim())).await?;
    Ok(n)
}

pub async fn map_submit(State(web): State<Web>, a: Authed, Form(f): Form<MapForm>) -> Response {
    if !a.csrf_ok(&f.csrf) {
        return csrf_refused(a.lang);
    }
    if !may_map_codes(a.user()) {
        return crate::pages::forbidden(a.lang);
    }
    match map(&web.app, a.user(), &f.code, &f.sku).await {
        Ok(n) => Redirect::to(&format!(
            "/imports?ok=mapped&code={}&sku={}&n={n}",
            encode(f.code.trim()),
            encode(f.sku.trim())
        ))
        .into_response(),
        Err(e) => {
            let m = Messages {
                error: e.message(a.lang),
                status: Some(auth::http_status(&e)),
                typed: Typed { map: Some((f.code.trim().into(), f.sku)), ..Default::default() },
                ..Default::default()
            };
            render(&web, &a, m).await
        }
    }
}

// ---------------------------------------------------------------- the API

fn api_refused(e: &dyn UserFacing, lang: Lang) -> Response {
    crate::api::error_response(e, lang)
}

pub async fn api_import(
    State(web): State<Web>,
    u: ApiUser,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    if !may_import_any(&u.user) {
        return api_refused(&AuthError::Forbidden, u.lang);
    }
    let multipart = match multipart {
        Ok(m) => m,
        Err(e) => {
            let message = match u.lang {
                Lang::Zh => format!("请用 multipart/form-data 上传文件（file 字段）：{}", e.body_text()),
                Lang::En => format!("send the file as multipart/form-data (field file): {}", e.body_text()),
            };
            return (
                StatusCode::UNPROCESSABLE_ENTITY,
                Json(json!({"error": {"code": "invalid_input", "message": message}})),
            )
                .into_response();
        }
    };
    let up = match upload::receive(multipart, None, upload::MAX_UPLOAD).await {
        Ok(up) => up,
        Err(e) => return api_refused(&e, u.lang),
    };
    let kind = match kind_of(&up) {
        Ok(k) => k,
        Err(e) => return api_refused(&e, u.lang),
    };
    if !may_import(&u.user, kind) {
        return api_refused(&AuthError::Forbidden, u.lang);
    }
    let result = match request_of(&up, kind, web.zone, &u.user) {
        Ok(opts) => run(&web.app, &u.user, &up, &opts, u.lang).await,
        Err(e) => Err(e),
    };
    drop(up);
    match result {
        Ok(done) => {
            let mut body = json!(done.summary);
            if let Some(o) = body.as_object_mut() {
                let files: Vec<_> = done
                    .files
                    .iter()
                    .enumerate()
                    .map(|(i, (name, rows))| {
                        json!({"file": name, "rows": rows, "url": format!("/api/v1/imports/{}/rejects/{i}", done.token)})
                    })
                    .collect();
                o.insert("rejects_files".into(), json!(files));
            }
            Json(body).into_response()
        }
        Err(e) => api_refused(&e, u.lang),
    }
}

pub async fn api_rejects(State(_web): State<Web>, u: ApiUser, Path((token, n)): Path<(String, usize)>) -> Response {
    if !may_import_any(&u.user) {
        return api_refused(&AuthError::Forbidden, u.lang);
    }
    rejects_download(&token, n, &u.user).unwrap_or_else(|| {
        let message = expired().message(u.lang);
        (StatusCode::NOT_FOUND, Json(json!({"error": {"code": "not_found", "message": message}}))).into_response()
    })
}

pub async fn api_unmatched(State(web): State<Web>, u: ApiUser) -> Response {
    if !may_import_any(&u.user) {
        return api_refused(&AuthError::Forbidden, u.lang);
    }
    match web.app.unmatched_codes(&u.user.actor()).await {
        Ok(items) => Json(json!({"items": items})).into_response(),
        Err(e) => api_refused(&e, u.lang),
    }
}

#[derive(Deserialize, Default)]
pub struct MapBody {
    #[serde(default)]
    code: String,
    #[serde(default)]
    sku: String,
}

pub async fn api_map(
    State(web): State<Web>,
    u: ApiUser,
    body: Result<Json<MapBody>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let b = match body {
        Ok(Json(b)) => b,
        Err(e) => return crate::api::bad_body(e, u.lang),
    };
    if !may_map_codes(&u.user) {
        return api_refused(&AuthError::Forbidden, u.lang);
    }
    match map(&web.app, &u.user, &b.code, &b.sku).await {
        Ok(n) => Json(json!({"code": b.code.trim(), "sku": b.sku.trim(), "lines_linked": n})).into_response(),
        Err(e) => api_refused(&e, u.lang),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(role: Role) -> User {
        User { id: 1, company_id: 1, login: "x".into(), display_name: String::new(), role }
    }

    #[test]
    fn who_may_import_what() {
        assert!(may_import(&user(Role::Manager), FileKind::TaobaoOrders));
        assert!(may_import(&user(Role::Operations), FileKind::Ads));
        assert!(!may_import(&user(Role::Warehouse), FileKind::TaobaoOrders));
        assert!(may_import(&user(Role::Warehouse), FileKind::Products));
        assert!(!may_import_any(&user(Role::Service)));
        assert!(!may_import_any(&user(Role::Finance)));
        assert!(may_map_codes(&user(Role::Manager)) && may_map_codes(&user(Role::Operations)));
        assert!(!may_map_codes(&user(Role::Warehouse)), "the warehouse imports products, not orders");
    }

    #[test]
    fn audit_words() {
        assert_eq!(audit_label("import.taobao-orders", Lang::Zh).as_deref(), Some("导入：淘宝/天猫订单报表"));
        assert_eq!(audit_label("sku.map", Lang::En).as_deref(), Some("merchant code mapped"));
        assert_eq!(audit_label("trade.ship", Lang::Zh), None);
        assert_eq!(rejects_name("ExportOrderList.csv", Lang::Zh), "ExportOrderList-被拒绝的行.csv");
    }

    #[test]
    fn results_are_kept_for_their_user_only() {
        let token = "a".repeat(32);
        keep(Stored {
            token: token.clone(),
            user_id: 41,
            at: Instant::now(),
            kind: FileKind::Ads,
            shop: "暖阳旗舰店".into(),
            summary: ImportSummary::default(),
            files: vec![RejectsFile { name: "x.csv".into(), rows: 1, csv: b"a,b\r\n".to_vec() }],
        });
        let mut owner = user(Role::Manager);
        owner.id = 41;
        assert!(rejects_download(&token, 0, &owner).is_some());
        assert!(rejects_download(&token, 1, &owner).is_none());
        assert!(rejects_download(&token, 0, &user(Role::Manager)).is_none(), "another user");
        assert!(rejects_download(&"b".repeat(32), 0, &owner).is_none());
    }
}
