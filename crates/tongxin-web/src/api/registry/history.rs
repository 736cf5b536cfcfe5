//! A record's history (变更记录): its registry audit entries, newest first, each with the
//! fields that changed and their before and after values (personal values masked).

use axum::Json;
use axum::extract::{Path, State};

use super::edit::building_in_reach;
use crate::auth::ApiCaller;
use crate::params::id_param;
use crate::{ApiError, App};

pub use tongxin_app::registry::history::*;

/// A record's history: who changed which fields when, before and after (personal values
/// masked), newest first.
#[utoipa::path(get, path = "/api/v1/registry/{kind}/{id}/history", tag = "registry",
    params(("kind" = String, Path, description = "residents, households, buildings, ebikes or sheds"), ("id" = i64, Path)),
    responses((status = 200, body = [HistoryEntry]), (status = 403), (status = 404)))]
pub async fn record_history(
    State(app): State<App>,
    who: ApiCaller,
    Path((kind, raw_id)): Path<(String, String)>,
) -> Result<Json<Vec<HistoryEntry>>, ApiError> {
    let kind = history_kind(&kind)?;
    let id = id_param(&raw_id)?;
    match kind {
        "resident" => {
            super::one_resident(&app, &who, id).await?;
        }
        "household" => {
            super::household_detail(&app, &who, id).await?;
        }
        "ebike" => {
            super::ebikes::one_ebike(&app, &who, id).await?;
        }
        "shed" => {
            super::ebikes::one_shed(&app, &who, id).await?;
        }
        _ => {
            building_in_reach(&app, &who, id, false).await?;
        }
    }
    Ok(Json(history(&app, kind, id).await?))
}
