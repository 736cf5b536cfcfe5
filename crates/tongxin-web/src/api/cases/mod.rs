//! Cases over JSON: file one (every source goes through [`intake::file`]), list and read
//! them within the caller's reach, move them along the lifecycle, and the catalog a
//! reporting form needs.
//!
//! Who sees a case: staff with `cases.read` in its region, a department's staff when it is
//! dispatched to them, the resident who reported it, an API key within its regions. Who
//! may act: the action's permission in the case's region; a department's own steps only on
//! cases dispatched to it; the evaluation to the reporter (or staff recording it for them).

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use crate::App;
use crate::uploads::MAX_UPLOAD_BYTES;

pub use tongxin_app::cases::*;

pub mod act;
pub mod batch;
pub mod catalog;
pub mod export;
pub mod intake;
pub mod merge;
pub mod photos;
pub mod place;
pub mod read;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/cases", get(read::list).post(intake::create).layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES)))
        .route("/cases/export", get(export::export))
        .route("/cases/import", post(batch::handler).layer(DefaultBodyLimit::max(batch::MAX_FILE_BYTES + 1)))
        .route("/cases/{id}", get(read::one))
        .route("/cases/{id}/actions/{action}", post(act::act).layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES)))
        .route("/cases/{id}/photos", get(photos::list).post(photos::add).layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES)))
        .route("/cases/{id}/photos/{photo}", get(photos::image))
        .route("/cases/{id}/merge", post(merge::handler))
        .route("/cases/{id}/place", post(place::handler))
        .route("/categories", get(catalog::categories))
        .route("/departments", get(catalog::departments))
}
