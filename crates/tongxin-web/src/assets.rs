//! Static files (`static/`), embedded in the binary and served under `/static/` with
//! their content hash as the ETag.

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use rust_embed::RustEmbed;

use crate::App;

#[derive(RustEmbed)]
#[folder = "static/"]
struct Assets;

pub fn routes() -> Router<App> {
    Router::new().route("/static/{*path}", get(asset))
}

async fn asset(Path(path): Path<String>, headers: HeaderMap) -> Response {
    let Some(file) = Assets::get(&path) else {
        return (StatusCode::NOT_FOUND, "no such file").into_response();
    };
    let etag = format!("\"{}\"", file.metadata.sha256_hash().iter().map(|b| format!("{b:02x}")).collect::<String>());
    let cache = [(header::ETAG, etag.clone()), (header::CACHE_CONTROL, "public, max-age=3600".to_owned())];
    if headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(etag.as_str()) {
        return (StatusCode::NOT_MODIFIED, cache).into_response();
    }
    let mime = file.metadata.mimetype().to_owned();
    (cache, [(header::CONTENT_TYPE, mime)], file.data.into_owned()).into_response()
}
