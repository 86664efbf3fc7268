//! What every use-case error tells its caller: a stable code for programs, a message for people in
//! their language, and whether the input was at fault (exit code 2, HTTP 4xx) or the system (1, 5xx).

use crate::Lang;

/// The broad kind of failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The request was wrong or not allowed now; nothing changed.
    BadInput,
    /// Something the request names does not exist.
    NotFound,
    /// The system failed (database unreachable, disk full ...).
    Internal,
}

pub trait UserFacing: std::error::Error {
    /// A stable code such as `out_of_stock`, for programs and the UI.
    fn code(&self) -> &'static str;
    fn kind(&self) -> ErrorKind;
    fn message(&self, lang: Lang) -> String;
}
