//! Importing a file by its kind, as the web upload and the API do: the file is read by the reader of
//! its kind and given to that kind's import, exactly as `zhanggui import ...` does. Also the
//! rejected rows copied out of a file row by row (so a large file is never held whole for them), and
//! the merchant codes that match no SKU (未匹配商品) with their mapping to a SKU.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::Serialize;
use zhanggui_formats::{FileError, RowError, Sheet};
use zhanggui_store::imports::UnmatchedCode;

use super::orders::OrderImport;
use super::{ImportError, ImportSummary, Reject, write_csv_row};
use crate::{Actor, App, Lang};

/// The kinds of file the importers read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileKind {
    /// Taobao/Tmall order report (订单报表), with the line report (宝贝报表) when given.
    TaobaoOrders,
    PddOrders,
    JdOrders,
    /// Product/SKU sheet with opening stock.
    Products,
    /// 生意参谋 item ranking.
    SycmItems,
    /// A shop's daily PV/UV.
    ShopTraffic,
    /// 直通车/万相台 reports.
    Ads,
    /// The after-sales export (退款管理).
    Refunds,
}

impl FileKind {
    pub const ALL: [FileKind; 8] = [
        FileKind::TaobaoOrders,
        FileKind::PddOrders,
        FileKind::JdOrders,
        FileKind::Products,
        FileKind::SycmItems,
        FileKind::ShopTraffic,
        FileKind::Ads,
        FileKind::Refunds,
    ];

    /// The code used in forms, the API and the CLI's subcommand names.
    pub fn code(self) -> &'static str {
        match self {
            FileKind::TaobaoOrders => "taobao-orders",
            FileKind::PddOrders => "pdd-orders",
            FileKind::JdOrders => "jd-orders",
            FileKind::Products => "products",
            FileKind::SycmItems => "sycm-items",
            FileKind::ShopTraffic => "shop-traffic",
            FileKind::Ads => "ads",
            FileKind::Refunds => "refunds",
        }
    }

    pub fn parse(code: &str) -> Option<FileKind> {
        FileKind::ALL.into_iter().find(|k| k.code() == code.trim())
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            FileKind::TaobaoOrders => lang.pick("淘宝/天猫订单报表", "Taobao/Tmall order report"),
            FileKind::PddOrders => lang.pick("拼多多订单", "Pinduoduo orders"),
            FileKind::JdOrders => lang.pick("京东订单", "JD orders"),
            FileKind::Products => lang.pick("商品资料（含期初库存）", "Products (with opening stock)"),
            FileKind::SycmItems => lang.pick("生意参谋商品排行", "生意参谋 item ranking"),
            FileKind::ShopTraffic => lang.pick("店铺流量", "Shop traffic"),
            FileKind::Ads => lang.pick("推广报表（直通车/万相台）", "Ad report (直通车/万相台)"),
            FileKind::Refunds => lang.pick("售后/退款导出", "After-sales (refunds) export"),
        }
    }

    /// Order exports (the inventory start applies to them).
    pub fn is_orders(self) -> bool {
        matches!(self, FileKind::TaobaoOrders | FileKind::PddOrders | FileKind::JdOrders)
    }

    /// Everything but the product sheet belongs to one shop.
    pub fn needs_shop(self) -> bool {
        self != FileKind::Products
    }
}

/// How to import one upload.
#[derive(Debug, Clone)]
pub struct FileImport {
    pub kind: FileKind,
    /// The shop (name or id); ignored for products.
    pub shop: String,
    /// Orders only: trades paid before it never touch stock.
    pub stock_from: Option<DateTime<Utc>>,
    /// Ads only: which tool the report comes from (直通车 when empty).
    pub channel: String,
    /// Products only: whether the sheet's cost and price columns are taken (only from those who
    /// see costs); when not, they are left out and counted in `costs_ignored`.
    pub with_costs: bool,
}

/// A file an import read: where it is, its name in the rejects, and the line of its first data row
/// (rows above it, titles and the header, are copied into its rejects file as they are).
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: PathBuf,
    pub name: String,
    pub first_line: usize,
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned())
}

fn file_error(e: FileError) -> ImportError {
    ImportError::File(e.to_string())
}

/// Reads a whole sheet off the async threads.
async fn read_sheet(path: &Path) -> Result<Sheet, ImportError> {
    let path = path.to_path_buf();
    tokio::task::spawn_blocking(move || zhanggui_formats::read_sheet(&path))
        .await
        .map_err(|e| ImportError::File(format!("reading: {e}")))?
        .map_err(file_error)
}

fn first_line<T>(items: &[T], line: impl Fn(&T) -> usize, errors: &[RowError]) -> usize {
    items.iter().map(line).chain(errors.iter().map(|e| e.line)).min().unwrap_or(usize::MAX)
}

/// No progress is shown for uploads.
fn quiet(_: usize) {}

impl App {
    /// Imports one file of `opts.kind` (and, for a Taobao order report, its line report). Returns
    /// what it did and the files read, for [`rejects_csv_file`].
    pub async fn import_file(
        &self,
        actor: &Actor,
        opts: &FileImport,
        file: &Path,
        lines: Option<&Path>,
    ) -> Result<(ImportSummary, Vec<SourceFile>), ImportError> {
        let name = file_name(file);
        let one = |first: usize| vec![SourceFile { path: file.to_path_buf(), name: name.clone(), first_line: first }];
        if opts.kind.needs_shop() && opts.shop.trim().is_empty() {
            return Err(ImportError::Invalid {
                field: "shop",
                zh: "请选择店铺".into(),
                en: "choose the shop the file comes from".into(),
            });
        }
        let shop = opts.shop.trim();
        match opts.kind {
            FileKind::TaobaoOrders => {
                let o = OrderImport { shop: shop.to_string(), file: name.clone(), stock_from: opts.stock_from };
                let (summary, files) = self.import_taobao_files(actor, &o, file, lines, &|_| {}, &quiet).await?;
                let first = |n: usize| if n == 0 { usize::MAX } else { n };
                let mut sources = one(first(files.first_order_line));
                if let Some(path) = lines {
                    sources.push(SourceFile {
                        path: path.to_path_buf(),
                        name: file_name(path),
                        first_line: first(files.first_line_line),
                    });
                }
                Ok((summary, sources))
            }
            FileKind::PddOrders | FileKind::JdOrders => {
                let sheet = read_sheet(file).await?;
                let (records, errors) = if opts.kind == FileKind::PddOrders {
                    zhanggui_formats::pdd::read_pdd_orders(&sheet)
                } else {
                    zhanggui_formats::jd::read_jd_orders(&sheet)
                }
                .map_err(file_error)?;
                drop(sheet);
                let first = first_line(&records, |r| r.line, &errors);
                let o = OrderImport { shop: shop.to_string(), file: name.clone(), stock_from: opts.stock_from };
                let summary = self.import_orders(actor, &o, records, &errors, &quiet).await?;
                Ok((summary, one(first)))
            }
            FileKind::Products => {
                let sheet = read_sheet(file).await?;
                let (records, errors) = zhanggui_formats::products::read_products(&sheet).map_err(file_error)?;
                drop(sheet);
                let first = first_line(&records, |r| r.line, &errors);
                let summary = self.import_products(actor, &name, records, &errors, opts.with_costs, &quiet).await?;
                Ok((summary, one(first)))
            }
            FileKind::SycmItems => {
                let sheet = read_sheet(file).await?;
                let (records, errors) = zhanggui_formats::sycm::read_sycm_items(&sheet).map_err(file_error)?;
                drop(sheet);
                let first = first_line(&records, |r| r.line, &errors);
                let summary = self.import_item_traffic(actor, shop, &name, &records, &errors).await?;
                Ok((summary, one(first)))
            }
            FileKind::ShopTraffic => {
                let sheet = read_sheet(file).await?;
                let (records, errors) = zhanggui_formats::traffic::read_shop_traffic(&sheet).map_err(file_error)?;
                drop(sheet);
                let first = first_line(&records, |r| r.line, &errors);
                let summary = self.import_shop_traffic(actor, shop, &name, &records, &errors).await?;
                Ok((summary, one(first)))
            }
            FileKind::Ads => {
                let sheet = read_sheet(file).await?;
                let (records, errors) = zhanggui_formats::ads::read_ad_report(&sheet).map_err(file_error)?;
                drop(sheet);
                let first = first_line(&records, |r| r.line, &errors);
                let channel = if opts.channel.trim().is_empty() { "直通车" } else { opts.channel.trim() };
                let summary = self.import_ads(actor, shop, channel, &name, &records, &errors).await?;
                Ok((summary, one(first)))
            }
            FileKind::Refunds => {
                let sheet = read_sheet(file).await?;
                let (records, errors) = zhanggui_formats::refunds::read_refunds(&sheet).map_err(file_error)?;
                drop(sheet);
                let first = first_line(&records, |r| r.line, &errors);
                let summary = self.import_refunds(actor, shop, &name, &records, &errors, &quiet).await?;
                Ok((summary, one(first)))
            }
        }
    }

    /// The merchant codes of imported lines that match no SKU (未匹配商品), most units first.
    pub async fn unmatched_codes(&self, actor: &Actor) -> Result<Vec<UnmatchedCode>, ImportError> {
        let mut tx = self.db.begin_read().await?;
        let codes = tx.unmatched_codes(actor.company_id).await?;
        tx.commit().await?;
        Ok(codes)
    }

    /// Every SKU as (商家编码, title and properties), to choose the one a code stands for.
    pub async fn sku_choices(&self, actor: &Actor) -> Result<Vec<(String, String)>, ImportError> {
        let mut tx = self.db.begin_read().await?;
        let skus = tx.skus(actor.company_id).await?;
        tx.commit().await?;
        Ok(skus
            .into_iter()
            .map(|s| {
                let label = if s.properties.is_empty() { s.title } else { format!("{} {}", s.title, s.properties) };
                (s.outer_sku_id, label)
            })
            .collect())
    }

    /// Maps an export's merchant code to the SKU with code `sku`: its lines are linked now (and
    /// counted in that SKU's sales) and in later imports. Returns the lines linked.
    pub async fn map_code(&self, actor: &Actor, code: &str, sku: &str) -> Result<u64, ImportError> {
        let (code, sku) = (code.trim(), sku.trim());
        if code.is_empty() {
            return Err(ImportError::Invalid {
                field: "code",
                zh: "请填写导出里的商家编码".into(),
                en: "give the merchant code of the export".into(),
            });
        }
        if sku.is_empty() {
            return Err(ImportError::Invalid {
                field: "sku",
                zh: format!("请填写 {code} 对应的 SKU 商家编码"),
                en: format!("give the SKU code {code} stands for"),
            });
        }
        let mut tx = self.db.begin().await?;
        let Some(target) = tx.sku_by_code(actor.company_id, sku).await? else {
            return Err(ImportError::UnknownSku(sku.to_string()));
        };
        let n = tx.map_code(actor.company_id, code, target.id).await?;
        tx.commit().await?;
        Ok(n)
    }
}

/// The rejected rows of one file in its own columns with the reason last (see
/// [`super::rejects_csv`]), read again row by row: memory holds the rejected rows only.
pub fn rejects_csv_file(source: &SourceFile, rejects: &[Reject]) -> Result<Vec<u8>, ImportError> {
    let wanted: std::collections::HashMap<usize, &str> =
        rejects.iter().filter(|r| r.file == source.name).map(|r| (r.line, r.reason.as_str())).collect();
    let mut out = Vec::from("\u{feff}".as_bytes());
    let rows = zhanggui_formats::open_rows(&source.path).map_err(file_error)?;
    for row in rows {
        let row = row.map_err(file_error)?;
        if row.line < source.first_line {
            write_csv_row(&mut out, row.cells.iter().map(String::as_str));
        } else if let Some(reason) = wanted.get(&row.line) {
            write_csv_row(&mut out, row.cells.iter().map(String::as_str).chain(std::iter::once(*reason)));
        }
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip() {
        for k in FileKind::ALL {
            assert_eq!(FileKind::parse(k.code()), Some(k));
        }
        assert_eq!(FileKind::parse("orders"), None);
        assert!(FileKind::TaobaoOrders.is_orders() && !FileKind::Ads.is_orders());
        assert!(!FileKind::Products.needs_shop());
    }

    #[test]
    fn rejects_are_copied_row_by_row() {
        let dir = std::env::temp_dir().join(format!("zhanggui-rejects-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("流量.csv");
        std::fs::write(
            &path,
            "店铺流量\n日期,浏览量,访客数\n2024-11-01,100,40\n2024-11-02,abc,41\n2024-11-03,\"1,2\",9\n",
        )
        .unwrap();
        let source = SourceFile { path: path.clone(), name: "流量.csv".into(), first_line: 3 };
        let rejects = vec![
            Reject {
                file: "流量.csv".into(), line: 4, column: Some("浏览量".into()), reason: "不是数字".into()
            },
            Reject { file: "别的.csv".into(), line: 3, column: None, reason: "x".into() },
        ];
        let csv = String::from_utf8(rejects_csv_file(&source, &rejects).unwrap()).unwrap();
        assert_eq!(csv, "\u{feff}店铺流量\r\n日期,浏览量,访客数\r\n2024-11-02,abc,41,不是数字\r\n");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
