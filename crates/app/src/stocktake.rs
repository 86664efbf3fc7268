//! Stocktake use cases (盘点, DOMAIN.md §6): start a count session in a warehouse, enter or import
//! the counted quantities, review the differences with their value, and post them as stocktake
//! moves with a reason — or cancel. See `zhanggui_domain::stocktake` for why posting writes
//! counted − snapshot and so never undoes a sale made during the count.

use chrono::{DateTime, Utc};
use serde::Serialize;
use zhanggui_domain::{CountDifference, CountResult, CountSummary, MAX_QTY, MoveKind, StocktakeStatus};
use zhanggui_formats::count_sheet::CountSheetParser;
use zhanggui_formats::{FileError, RowError};
use zhanggui_store::stocktake::{StocktakeLineRow, StocktakeRow};
use zhanggui_store::{NewMove, StoreError, Tx};

use crate::trading::{Retryable, with_retry};
use crate::{Actor, App, ErrorKind, Lang, UserFacing, clock};

#[derive(Debug, thiserror::Error)]
pub enum StocktakeError {
    #[error("unknown warehouse {0}")]
    UnknownWarehouse(String),
    #[error("no stocktake {0}")]
    NotFound(String),
    #[error("stocktake {code} is {} and can no longer change", status.label_en())]
    Closed { code: String, status: StocktakeStatus },
    #[error("no SKU matches {0:?}; nothing to count")]
    Empty(String),
    /// Counts that could not be taken, each with where it came from and why; none was recorded.
    #[error("{} count(s) refused: {}", .0.len(), .0.iter().map(|b| format!("{}: {}", b.source, b.reason_en)).collect::<Vec<_>>().join("; "))]
    BadCounts(Vec<BadCount>),
    /// A count sheet with rows that cannot be taken, each with its line, column and why; nothing
    /// of the sheet was recorded.
    #[error("{file}: {} bad row(s), nothing was recorded: {}", rows.len(), rows.iter().map(|r| r.to_string()).collect::<Vec<_>>().join("; "))]
    BadSheet { file: String, rows: Vec<SheetProblem> },
    /// A file that is not a count sheet at all (unreadable, empty, no 实盘数量 column).
    #[error("{en}")]
    BadFile { zh: String, en: String },
    #[error("{field}: {reason}")]
    Invalid { field: &'static str, reason: String, reason_zh: String },
    #[error("the stocktake changed while this step ran; try again")]
    Conflict,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A count that was refused.
#[derive(Debug, Clone, Serialize)]
pub struct BadCount {
    /// Where the count came from ("count.csv line 7", or the SKU as typed).
    pub source: String,
    pub reason_zh: String,
    pub reason_en: String,
}

/// A row of a count sheet that was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SheetProblem {
    /// The line (CSV) or row (spreadsheet) number, from 1.
    pub line: usize,
    /// The column as the sheet names it; empty when the whole row is wrong.
    pub column: String,
    pub reason_zh: String,
    pub reason_en: String,
}

impl SheetProblem {
    pub fn reason(&self, lang: Lang) -> &str {
        lang.pick(&self.reason_zh, &self.reason_en)
    }
}

impl std::fmt::Display for SheetProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.column.is_empty() {
            write!(f, "line {}: {}", self.line, self.reason_en)
        } else {
            write!(f, "line {}, column {}: {}", self.line, self.column, self.reason_en)
        }
    }
}

/// A row the count sheet reader refused, with its reason in Chinese too.
fn sheet_problem(e: &RowError) -> SheetProblem {
    let reason_zh = if e.reason.starts_with("no 商家编码 or 条码") {
        "没有商家编码或条码，不知道盘的是哪个SKU".to_string()
    } else if let Some(rest) = e.reason.strip_prefix("a count cannot be negative") {
        format!("实盘数量不能为负数{}", rest.trim().replace('(', "（").replace(')', "）"))
    } else if let Some(rest) = e.reason.strip_prefix("not a whole number: ") {
        format!("实盘数量要填整数（0 或以上），不能是「{}」", rest.trim_matches('"'))
    } else if let Some(rest) = e.reason.strip_prefix("number too large: ") {
        format!("数字太大：「{}」", rest.trim_matches('"'))
    } else {
        e.reason.clone()
    };
    SheetProblem { line: e.line, column: e.column.clone().unwrap_or_default(), reason_zh, reason_en: e.reason.clone() }
}

/// A file that cannot be read as a count sheet, said in both languages.
fn bad_file(e: &FileError) -> StocktakeError {
    let zh = match e {
        FileError::Io { file, source } => format!("{file}：无法读取文件（{source}）"),
        FileError::Empty { file } => format!("{file}：文件是空的"),
        FileError::Unreadable { file, .. } => {
            format!("{file}：不是能读取的表格文件，请上传 CSV、XLS 或 XLSX 格式的盘点表")
        }
        FileError::NoHeader { file, .. } => {
            format!("{file}：前 10 行里找不到表头（需要 商家编码 或 条码，以及 实盘数量 列），请用导出的盘点表填写")
        }
        FileError::MissingColumns { file, line, missing } => {
            format!("{file}：第 {line} 行的表头缺少 {missing} 列")
        }
    };
    StocktakeError::BadFile { zh, en: e.to_string() }
}

impl Retryable for StocktakeError {
    fn retryable(&self) -> bool {
        match self {
            StocktakeError::Store(e) => e.is_retryable(),
            StocktakeError::Conflict => true,
            _ => false,
        }
    }
}

impl UserFacing for StocktakeError {
    fn code(&self) -> &'static str {
        match self {
            StocktakeError::UnknownWarehouse(_) | StocktakeError::NotFound(_) => "not_found",
            StocktakeError::Closed { .. } => "illegal_transition",
            StocktakeError::Empty(_)
            | StocktakeError::BadCounts(_)
            | StocktakeError::BadSheet { .. }
            | StocktakeError::Invalid { .. } => "invalid_input",
            StocktakeError::BadFile { .. } => "bad_file",
            StocktakeError::Conflict => "conflict",
            StocktakeError::Store(_) => "internal",
        }
    }

    fn kind(&self) -> ErrorKind {
        match self {
            StocktakeError::UnknownWarehouse(_) | StocktakeError::NotFound(_) => ErrorKind::NotFound,
            StocktakeError::Store(_) | StocktakeError::Conflict => ErrorKind::Internal,
            _ => ErrorKind::BadInput,
        }
    }

    fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (_, Lang::En) => self.to_string(),
            (StocktakeError::UnknownWarehouse(w), Lang::Zh) => format!("找不到仓库 {w}"),
            (StocktakeError::NotFound(c), Lang::Zh) => format!("找不到盘点单 {c}"),
            (StocktakeError::Closed { code, status }, Lang::Zh) => {
                format!("盘点单 {code} {}，不能再修改", status.label_zh())
            }
            (StocktakeError::Empty(s), Lang::Zh) => format!("没有符合「{s}」的商品，无需盘点"),
            (StocktakeError::BadCounts(bad), Lang::Zh) => format!(
                "{} 条盘点数量未录入（全部未保存）：{}",
                bad.len(),
                bad.iter().map(|b| format!("{}：{}", b.source, b.reason_zh)).collect::<Vec<_>>().join("；")
            ),
            (StocktakeError::BadSheet { file, rows }, Lang::Zh) => format!(
                "{file}：{} 行有误，整张表都未录入：{}",
                rows.len(),
                rows.iter()
                    .map(|r| if r.column.is_empty() {
                        format!("第 {} 行 {}", r.line, r.reason_zh)
                    } else {
                        format!("第 {} 行「{}」列 {}", r.line, r.column, r.reason_zh)
                    })
                    .collect::<Vec<_>>()
                    .join("；")
            ),
            (StocktakeError::BadFile { zh, .. }, Lang::Zh) => zh.clone(),
            (StocktakeError::Invalid { reason_zh, .. }, Lang::Zh) => reason_zh.clone(),
            (StocktakeError::Conflict, Lang::Zh) => "盘点单刚被其他操作修改，请重试".to_string(),
            (StocktakeError::Store(e), Lang::Zh) => format!("系统错误：{e}"),
        }
    }
}

/// A count to record: the SKU by 商家编码 or barcode, and what was found.
#[derive(Debug, Clone)]
pub struct CountInput {
    /// Where it came from, for errors ("盘点表.csv line 7"); the SKU as typed when empty.
    pub source: String,
    pub sku: String,
    pub counted: i64,
}

/// One line of a session under review.
#[derive(Debug, Clone, Serialize)]
pub struct CountLine {
    #[serde(flatten)]
    pub line: StocktakeLineRow,
    pub delta: i64,
    pub value: zhanggui_domain::Money,
    pub result: CountResult,
}

/// A session with its lines and totals.
#[derive(Debug, Clone, Serialize)]
pub struct StocktakeDetail {
    pub stocktake: StocktakeRow,
    pub lines: Vec<CountLine>,
    pub summary: CountSummary,
}

impl StocktakeDetail {
    /// Whether a line's book quantity (snapshot_on_hand) may be shown to those counting: the count
    /// is blind, so only once the line is counted or the session is closed.
    pub fn shows_book(&self, line: &CountLine) -> bool {
        line.line.counted.is_some() || !self.stocktake.status.is_open()
    }
}

/// The line of a session a count names: by 商家编码, else by a barcode only one of its SKUs has.
fn find_line<'a>(lines: &'a [StocktakeLineRow], key: &str) -> Option<&'a StocktakeLineRow> {
    lines.iter().find(|l| l.outer_sku_id == key).or_else(|| {
        let mut by_barcode = lines.iter().filter(|l| !l.barcode.is_empty() && l.barcode == key);
        match (by_barcode.next(), by_barcode.next()) {
            (Some(l), None) => Some(l),
            _ => None,
        }
    })
}

fn difference(l: &StocktakeLineRow) -> CountDifference {
    CountDifference { snapshot: l.snapshot_on_hand, counted: l.counted, unit_cost: l.unit_cost }
}

async fn load(tx: &mut Tx, actor: &Actor, code: &str) -> Result<StocktakeRow, StocktakeError> {
    tx.stocktake_for_update(actor.company_id, code)
        .await?
        .ok_or_else(|| StocktakeError::NotFound(code.trim().to_string()))
}

async fn load_open(tx: &mut Tx, actor: &Actor, code: &str) -> Result<StocktakeRow, StocktakeError> {
    let s = load(tx, actor, code).await?;
    if !s.status.is_open() {
        return Err(StocktakeError::Closed { code: s.code, status: s.status });
    }
    Ok(s)
}

async fn detail_in(tx: &mut Tx, actor: &Actor, code: &str) -> Result<StocktakeDetail, StocktakeError> {
    let stocktake = load(tx, actor, code).await?;
    let lines: Vec<CountLine> = tx
        .stocktake_lines(stocktake.id)
        .await?
        .into_iter()
        .map(|line| {
            let d = difference(&line);
            CountLine { delta: d.delta(), value: d.value(), result: d.kind(), line }
        })
        .collect();
    let diffs: Vec<CountDifference> = lines.iter().map(|l| difference(&l.line)).collect();
    Ok(StocktakeDetail { stocktake, summary: CountSummary::of(&diffs), lines })
}

impl App {
    /// Starts counting a warehouse (all SKUs, or those whose code, title or barcode contains
    /// `search`): on hand is snapshotted now. Numbered `PD<day>-<n>`.
    pub async fn start_stocktake(
        &self,
        actor: &Actor,
        warehouse: Option<&str>,
        search: &str,
        at: DateTime<Utc>,
    ) -> Result<StocktakeDetail, StocktakeError> {
        with_retry(|| async {
            let mut tx = self.db.begin().await?;
            let warehouses = tx.warehouses(actor.company_id).await?;
            let wh = match warehouse {
                Some(w) => warehouses.iter().find(|x| x.code == w.trim() || x.name == w.trim()),
                None => warehouses.first(),
            }
            .ok_or_else(|| StocktakeError::UnknownWarehouse(warehouse.unwrap_or_default().to_string()))?;
            let tz = tx.company_zone(actor.company_id).await?;
            let prefix = format!("PD{}", clock::local_day(at, tz).format("%Y%m%d"));
            let n = tx.count_stocktake_codes(actor.company_id, &prefix).await?;
            let code = format!("{prefix}-{:03}", n + 1);
            tx.insert_stocktake(actor.company_id, &code, wh.id, search, &actor.user, at).await?;
            let detail = detail_in(&mut tx, actor, &code).await?;
            if detail.lines.is_empty() {
                return Err(StocktakeError::Empty(search.trim().to_string()));
            }
            tx.commit().await?;
            Ok(detail)
        })
        .await
    }

    /// Records counted quantities (a later count of the same SKU replaces the earlier one). All or
    /// nothing: if any count is refused, none is recorded and every refusal is listed.
    pub async fn record_counts(
        &self,
        actor: &Actor,
        code: &str,
        counts: &[CountInput],
        at: DateTime<Utc>,
    ) -> Result<StocktakeDetail, StocktakeError> {
        if counts.is_empty() {
            return Err(StocktakeError::Invalid {
                field: "counts",
                reason: "no counted quantities were given".into(),
                reason_zh: "没有录入任何盘点数量".into(),
            });
        }
        with_retry(|| async {
            let mut tx = self.db.begin().await?;
            let session = load_open(&mut tx, actor, code).await?;
            let lines = tx.stocktake_lines(session.id).await?;
            let mut bad = Vec::new();
            let mut good = Vec::with_capacity(counts.len());
            for c in counts {
                let key = c.sku.trim();
                let source = if c.source.is_empty() { key.to_string() } else { c.source.clone() };
                let found = find_line(&lines, key);
                match found {
                    _ if c.counted < 0 => bad.push(BadCount {
                        source,
                        reason_zh: format!("{key} 的实盘数量 {} 不能为负数", c.counted),
                        reason_en: format!("{key}: a count cannot be negative ({})", c.counted),
                    }),
                    _ if c.counted > MAX_QTY => bad.push(BadCount {
                        source,
                        reason_zh: format!("{key} 的实盘数量 {} 超过上限 {MAX_QTY}，请检查", c.counted),
                        reason_en: format!("{key}: a count of {} is over the limit of {MAX_QTY}", c.counted),
                    }),
                    None => bad.push(BadCount {
                        source,
                        reason_zh: format!("{key} 不在盘点单 {} 的范围内（商家编码或条码不对）", session.code),
                        reason_en: format!("{key} is not part of stocktake {} (unknown code or barcode)", session.code),
                    }),
                    Some(l) => good.push((l.sku_id, c.counted)),
                }
            }
            if !bad.is_empty() {
                return Err(StocktakeError::BadCounts(bad));
            }
            for (sku_id, counted) in good {
                if !tx.set_count(session.id, sku_id, counted, &actor.user, at).await? {
                    return Err(StocktakeError::Conflict);
                }
            }
            let detail = detail_in(&mut tx, actor, code).await?;
            tx.commit().await?;
            Ok(detail)
        })
        .await
    }

    /// Records the counts of a filled-in count sheet (CSV, XLS or XLSX, as bytes; `file` names it
    /// in errors). All or nothing: a row that cannot be read, names no SKU of the session or names
    /// one a second time refuses the whole sheet, and every such row is listed with its line,
    /// column and why. Rows with an empty 实盘数量 were not counted and are skipped. Returns the
    /// session and how many counts were taken.
    pub async fn record_count_sheet(
        &self,
        actor: &Actor,
        code: &str,
        file: &str,
        bytes: &[u8],
        at: DateTime<Utc>,
    ) -> Result<(StocktakeDetail, usize), StocktakeError> {
        let session = self.stocktake_detail(actor, code).await?;
        if !session.stocktake.status.is_open() {
            return Err(StocktakeError::Closed { code: session.stocktake.code, status: session.stocktake.status });
        }
        let sheet = zhanggui_formats::read_sheet_bytes(file, bytes).map_err(|e| bad_file(&e))?;
        let (records, errors) = zhanggui_formats::read_records::<CountSheetParser>(&sheet).map_err(|e| bad_file(&e))?;
        let lines: Vec<StocktakeLineRow> = session.lines.into_iter().map(|l| l.line).collect();
        let mut problems: Vec<SheetProblem> = errors.iter().map(sheet_problem).collect();
        let mut seen: Vec<(i64, usize)> = Vec::new();
        let mut inputs = Vec::new();
        for r in &records {
            let Some(counted) = r.counted else { continue };
            if counted > MAX_QTY {
                problems.push(SheetProblem {
                    line: r.line,
                    column: "实盘数量".into(),
                    reason_zh: format!("实盘数量 {counted} 超过上限 {MAX_QTY}，请检查"),
                    reason_en: format!("a count of {counted} is over the limit of {MAX_QTY}"),
                });
                continue;
            }
            let (key, column) =
                if r.outer_sku_id.is_empty() { (&r.barcode, "条码") } else { (&r.outer_sku_id, "商家编码") };
            match find_line(&lines, key) {
                None => problems.push(SheetProblem {
                    line: r.line,
                    column: column.into(),
                    reason_zh: format!("{key} 不在盘点单 {} 的范围内（商家编码或条码不对）", session.stocktake.code),
                    reason_en: format!(
                        "{key} is not part of stocktake {} (unknown code or barcode)",
                        session.stocktake.code
                    ),
                }),
                Some(l) => match seen.iter().find(|(id, _)| *id == l.sku_id) {
                    Some((_, first)) => problems.push(SheetProblem {
                        line: r.line,
                        column: column.into(),
                        reason_zh: format!(
                            "{} 在第 {first} 行已经填过；同一个SKU只填一行（多个货位请加总）",
                            l.outer_sku_id
                        ),
                        reason_en: format!(
                            "{} is already counted on line {first}; give each SKU one row (add up its shelves)",
                            l.outer_sku_id
                        ),
                    }),
                    None => {
                        seen.push((l.sku_id, r.line));
                        inputs.push(CountInput {
                            source: format!("{} line {}", sheet.name, r.line),
                            sku: l.outer_sku_id.clone(),
                            counted,
                        });
                    }
                },
            }
        }
        if !problems.is_empty() {
            problems.sort_by_key(|p| p.line);
            return Err(StocktakeError::BadSheet { file: sheet.name, rows: problems });
        }
        if inputs.is_empty() {
            return Err(StocktakeError::Invalid {
                field: "file",
                reason: format!("{}: no counted quantities were filled in (column 实盘数量)", sheet.name),
                reason_zh: format!("{}：实盘数量一列没有填写任何数量", sheet.name),
            });
        }
        let detail = self.record_counts(actor, code, &inputs, at).await?;
        Ok((detail, inputs.len()))
    }

    pub async fn stocktake_detail(&self, actor: &Actor, code: &str) -> Result<StocktakeDetail, StocktakeError> {
        let mut tx = self.db.begin_read().await?;
        let d = detail_in(&mut tx, actor, code).await?;
        tx.commit().await?;
        Ok(d)
    }

    pub async fn stocktakes(&self, actor: &Actor) -> Result<Vec<StocktakeRow>, StocktakeError> {
        let mut tx = self.db.begin_read().await?;
        let rows = tx.stocktakes(actor.company_id).await?;
        tx.commit().await?;
        Ok(rows)
    }

    /// Posts the differences (过账): one stocktake move of counted − snapshot per counted SKU that
    /// differs, at the SKU's cost when the count started, with the reason. Uncounted SKUs are left
    /// as they are.
    pub async fn post_stocktake(
        &self,
        actor: &Actor,
        code: &str,
        reason: &str,
        at: DateTime<Utc>,
    ) -> Result<StocktakeDetail, StocktakeError> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(StocktakeError::Invalid {
                field: "reason",
                reason: "say why stock is being corrected (e.g. monthly count)".into(),
                reason_zh: "请填写盘点原因（如：月度盘点）".into(),
            });
        }
        with_retry(|| async {
            let mut tx = self.db.begin().await?;
            let session = load_open(&mut tx, actor, code).await?;
            let lines = tx.stocktake_lines(session.id).await?;
            if lines.iter().all(|l| l.counted.is_none()) {
                return Err(StocktakeError::Invalid {
                    field: "counts",
                    reason: format!("nothing in {} has been counted yet", session.code),
                    reason_zh: format!("盘点单 {} 还没有录入任何实盘数量", session.code),
                });
            }
            for l in &lines {
                let d = difference(l);
                if d.delta() == 0 {
                    continue;
                }
                let move_id = tx
                    .append_move(&NewMove {
                        company_id: actor.company_id,
                        sku_id: l.sku_id,
                        warehouse_id: session.warehouse_id,
                        qty: d.delta(),
                        kind: MoveKind::Stocktake,
                        ref_type: "stocktake",
                        ref_id: Some(session.id),
                        unit_cost: l.unit_cost,
                        note: format!("{} {reason}", session.code),
                        user_name: actor.user.clone(),
                        at,
                    })
                    .await?;
                tx.set_stocktake_line_move(l.id, move_id).await?;
            }
            if !tx.close_stocktake(session.id, StocktakeStatus::Posted, reason, &actor.user, at).await? {
                return Err(StocktakeError::Conflict);
            }
            let detail = detail_in(&mut tx, actor, code).await?;
            tx.commit().await?;
            Ok(detail)
        })
        .await
    }

    /// Abandons a count session (作废); stock is not touched.
    pub async fn cancel_stocktake(
        &self,
        actor: &Actor,
        code: &str,
        reason: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StocktakeError> {
        with_retry(|| async {
            let mut tx = self.db.begin().await?;
            let session = load_open(&mut tx, actor, code).await?;
            if !tx.close_stocktake(session.id, StocktakeStatus::Cancelled, reason.trim(), &actor.user, at).await? {
                return Err(StocktakeError::Conflict);
            }
            tx.commit().await?;
            Ok(())
        })
        .await
    }
}
