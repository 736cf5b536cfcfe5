//! Merging (behind `POST /cases/{id}/merge` and the case page): the dispatcher merges a
//! duplicate, not yet registered, into the case it repeats. Its reporters then hear of that
//! case's progress.

use serde::Deserialize;
use tongxin_core::access::Permission;
use utoipa::ToSchema;

use super::{Reach, visible};
use crate::caller::Who;
use crate::{App, Error};

#[derive(Debug, Deserialize, ToSchema)]
pub struct MergeRequest {
    /// The case this one repeats.
    pub into: i64,
    #[serde(default)]
    pub note: String,
}

/// Merges case `id` into `into`, for `who`; both must be visible and in the caller's regions.
pub async fn merge(app: &App, who: &Who, id: i64, into: i64, note: &str) -> Result<(), Error> {
    who.require(app, Permission::CasesDispatch).await?;
    let reach = Reach::of(app, who).await?;
    let duplicate = visible(app, who, &reach, id).await?;
    let target = visible(app, who, &reach, into).await.map_err(|e| match e {
        Error::NotFound { .. } => Error::invalid("into", format!("there is no case {into} you can see")),
        other => other,
    })?;
    for case in [&duplicate, &target] {
        if !who.actor.covers(&case.region) {
            let denied = Error::Forbidden { permission: Permission::CasesDispatch };
            return Err(who.out_of_scope(app, "case", &case.id.to_string(), denied).await);
        }
    }
    if note.chars().count() > 2000 {
        return Err(Error::invalid("note", "a note has at most 2000 characters"));
    }
    app.store.merge_case(&who.caller(), id, into, note).await?;
    Ok(())
}
