//! The workbench's script and style sheet, embedded in the binary (pages work without a
//! network) and served from the same origin, as the Content-Security-Policy allows.

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

/// The script of every workbench page: live updates, the form's evaluation and export.
pub const SCRIPT: &str = "/assets/workbench.js";

/// The workbench's own style, after the page skeleton's and the report's.
pub const STYLE: &str = include_str!("../assets/workbench.css");

/// `GET /assets/NAME`.
pub async fn asset(Path(name): Path<String>) -> Response {
    match name.as_str() {
        "workbench.js" => (
            [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
            include_str!("../assets/workbench.js"),
        )
            .into_response(),
        _ => crate::plain(StatusCode::NOT_FOUND, "no such asset"),
    }
}
