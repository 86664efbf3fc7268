//! 工作台: the manager's morning page.

use axum::response::{IntoResponse, Redirect, Response};

use crate::Web;
use crate::auth::Authed;

pub async fn page(_web: Web, a: Authed) -> Response {
    Redirect::to(crate::pages::first_page_for(a.user())).into_response()
}
