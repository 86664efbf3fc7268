//! Multipart uploads: each file part is streamed to a scratch folder of its own (never held whole in
//! memory) under the name it had on the user's computer, so messages and rejected rows name it as
//! the user knows it. The folder is removed when the upload is dropped, whatever happened; folders
//! of a process that was killed mid-upload are removed by the next upload.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use axum::extract::Multipart;
use axum::extract::multipart::MultipartError;
use tokio::io::AsyncWriteExt;
use zhanggui_app::{ErrorKind, Lang, UserFacing};

/// The largest import taken (all its files together); other forms take less (their route's
/// `DefaultBodyLimit`, given to [`receive`] so the message names it).
pub const MAX_UPLOAD: usize = 512 * 1024 * 1024;
/// The longest text field taken (a pasted list of shipments).
pub const MAX_TEXT: usize = 2 * 1024 * 1024;

const PREFIX: &str = "zhanggui-upload-";

#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    #[error("the upload is larger than {} MB", .0 / 1024 / 1024)]
    TooLarge(usize),
    #[error("the field {0} is longer than {max} KB", max = MAX_TEXT / 1024)]
    TextTooLong(String),
    #[error("the upload could not be read: {0}")]
    Broken(String),
    #[error("the upload could not be stored: {0}")]
    Disk(String),
    /// The form did not carry the session's token before its first file (or at all).
    #[error("the form has expired; reload the page")]
    Csrf,
}

impl UserFacing for UploadError {
    fn code(&self) -> &'static str {
        match self {
            UploadError::TooLarge(_) => "too_large",
            UploadError::TextTooLong(_) | UploadError::Broken(_) => "invalid_input",
            UploadError::Csrf => "forbidden",
            UploadError::Disk(_) => "internal",
        }
    }

    fn kind(&self) -> ErrorKind {
        match self {
            UploadError::Disk(_) => ErrorKind::Internal,
            _ => ErrorKind::BadInput,
        }
    }

    fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (_, Lang::En) => self.to_string(),
            (UploadError::TooLarge(max), Lang::Zh) => format!("上传的文件太大，最多 {} MB", max / 1024 / 1024),
            (UploadError::TextTooLong(f), Lang::Zh) => format!("{f} 太长，最多 {} KB", MAX_TEXT / 1024),
            (UploadError::Broken(e), Lang::Zh) => format!("上传没有完成，请重新选择文件再试：{e}"),
            (UploadError::Disk(e), Lang::Zh) => format!("系统错误，上传的文件无法保存：{e}"),
            (UploadError::Csrf, Lang::Zh) => "表单已失效，请刷新页面后再试".into(),
        }
    }
}

fn broken(e: MultipartError, max: usize) -> UploadError {
    if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        UploadError::TooLarge(max)
    } else {
        UploadError::Broken(e.body_text())
    }
}

/// A file of an upload, on disk.
#[derive(Debug)]
pub struct UploadedFile {
    /// In a folder of its own, under the name it had on the user's computer (cleaned).
    pub path: PathBuf,
    pub bytes: u64,
}

/// The fields and files of one upload; its scratch folder goes when this is dropped.
#[derive(Debug)]
pub struct Upload {
    dir: PathBuf,
    pub fields: HashMap<String, String>,
    pub files: HashMap<String, UploadedFile>,
}

impl Drop for Upload {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Upload {
    /// A text field, or "" when it was not sent.
    pub fn field(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", String::as_str)
    }

    /// A file field that holds a file (an empty file input sends nothing usable).
    pub fn file(&self, name: &str) -> Option<&UploadedFile> {
        self.files.get(name).filter(|f| f.bytes > 0)
    }
}

/// The longest file name kept, in bytes: file systems allow 255 bytes (not characters), and a
/// Chinese character takes three.
const NAME_BYTES: usize = 200;

/// The last part of a browser's file name, without control characters or leading dots, at most
/// [`NAME_BYTES`] long: a longer name is cut at a character boundary before its extension, which
/// is kept (the kind of file is read from it).
pub fn clean_name(original: &str, fallback: &str) -> String {
    let base = original.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base.chars().filter(|c| !c.is_control()).collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim();
    let cleaned = shorten(cleaned, NAME_BYTES);
    if cleaned.is_empty() { fallback.to_string() } else { cleaned }
}

/// `name` cut to at most `max` bytes on a character boundary, keeping a short extension.
fn shorten(name: &str, max: usize) -> String {
    if name.len() <= max {
        return name.to_string();
    }
    let (stem, ext) = match name.rfind('.') {
        Some(dot) if dot > 0 && name.len() - dot <= 16 => name.split_at(dot),
        _ => (name, ""),
    };
    let mut end = max.saturating_sub(ext.len()).min(stem.len());
    while !stem.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{ext}", stem[..end].trim_end())
}

/// Removes the upload folders of processes that are gone (only where `/proc` tells).
fn remove_stale(dir: &Path) {
    let proc_root = Path::new("/proc");
    if !proc_root.join("self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        let Some(rest) = name.strip_prefix(PREFIX) else { continue };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<u32>().ok()) else { continue };
        if pid != std::process::id() && !proc_root.join(pid.to_string()).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// A fresh scratch folder for one upload.
fn scratch_dir() -> Result<PathBuf, UploadError> {
    let temp = std::env::temp_dir();
    remove_stale(&temp);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    let random = zhanggui_app::users::random_hex(6).map_err(|e| UploadError::Disk(e.to_string()))?;
    let dir = temp.join(format!("{PREFIX}{}-{nanos}-{random}", std::process::id()));
    std::fs::create_dir(&dir).map_err(|e| UploadError::Disk(e.to_string()))?;
    Ok(dir)
}

/// Reads a whole upload: text fields into memory (each at most [`MAX_TEXT`]), files to disk. With
/// `csrf`, a form of a page: its `csrf` field must carry that token and come before any file (as a
/// browser sends the hidden field at the top of the form), so a forged upload stops before any of
/// it is stored. `max` is the route's body limit, for the message when the upload goes over it.
pub async fn receive(mut multipart: Multipart, csrf: Option<&str>, max: usize) -> Result<Upload, UploadError> {
    let broken = |e: MultipartError| broken(e, max);
    let mut upload = Upload { dir: scratch_dir()?, fields: HashMap::new(), files: HashMap::new() };
    let mut n = 0;
    let mut trusted = csrf.is_none();
    while let Some(mut field) = multipart.next_field().await.map_err(broken)? {
        let name = field.name().unwrap_or("").to_string();
        if let Some(original) = field.file_name().map(str::to_string) {
            if !trusted {
                return Err(UploadError::Csrf);
            }
            n += 1;
            let folder = upload.dir.join(n.to_string());
            std::fs::create_dir(&folder).map_err(|e| UploadError::Disk(e.to_string()))?;
            let clean = clean_name(&original, "upload.csv");
            let path = folder.join(&clean);
            let mut out = tokio::fs::File::create(&path).await.map_err(|e| UploadError::Disk(e.to_string()))?;
            let mut bytes = 0u64;
            while let Some(chunk) = field.chunk().await.map_err(broken)? {
                bytes += chunk.len() as u64;
                out.write_all(&chunk).await.map_err(|e| UploadError::Disk(e.to_string()))?;
            }
            out.flush().await.map_err(|e| UploadError::Disk(e.to_string()))?;
            upload.files.insert(name, UploadedFile { path, bytes });
        } else {
            let mut text = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(broken)? {
                if text.len() + chunk.len() > MAX_TEXT {
                    return Err(UploadError::TextTooLong(name));
                }
                text.extend_from_slice(&chunk);
            }
            let text = String::from_utf8_lossy(&text).into_owned();
            if name == "csrf"
                && let Some(expected) = csrf
            {
                trusted = crate::auth::same_token(expected, &text);
                if !trusted {
                    return Err(UploadError::Csrf);
                }
            }
            upload.fields.insert(name, text);
        }
    }
    if !trusted {
        return Err(UploadError::Csrf);
    }
    Ok(upload)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn names_are_cleaned() {
        assert_eq!(clean_name("C:\\Users\\店长\\ExportOrderList.csv", "x"), "ExportOrderList.csv");
        assert_eq!(clean_name("../../etc/passwd", "x"), "passwd");
        assert_eq!(clean_name("..", "upload.csv"), "upload.csv");
        assert_eq!(clean_name("订单\u{0}报表.xlsx", "x"), "订单报表.xlsx");
        assert_eq!(clean_name("", "upload.csv"), "upload.csv");
    }

    #[test]
    fn long_names_fit_the_file_system() {
        // 100 Chinese characters are 300 bytes: more than a Linux file name may have.
        let long = format!("{}.xlsx", "杭州暖阳服饰双十一大促全店商品库存盘点".repeat(6));
        assert!(long.len() > 255);
        let name = clean_name(&long, "x");
        assert!(name.len() <= NAME_BYTES, "{} bytes", name.len());
        assert!(name.ends_with(".xlsx") && name.starts_with("杭州暖阳服饰"), "{name}");
        // Cut on a character boundary whatever the limit.
        for max in 10..40 {
            let s = shorten("商品资料导出表格商品资料导出表格.csv", max);
            assert!(s.len() <= max && s.ends_with(".csv"), "{max}: {s}");
        }
        // A name without an extension is cut too; short names are untouched.
        assert!(clean_name(&"库".repeat(200), "x").len() <= NAME_BYTES);
        assert_eq!(clean_name("商品资料.csv", "x"), "商品资料.csv");
        // The name really can be created.
        let dir = std::env::temp_dir().join(format!("zhanggui-name-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(&name), b"x").unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
