//! The OpenAPI 3.1 document at `/api/v1/openapi.json`, generated from the handlers'
//! annotations so it cannot drift from the code.

use axum::Json;
use utoipa::OpenApi;

use super::geo;

#[derive(OpenApi)]
#[openapi(
    info(title = "Tongxin API", description = "Tongxin (同心): the JSON API of a subdistrict platform. \
        Errors share one shape: {\"error\": {\"code\", \"message\", \"details\"}}; 4xx details name the field."),
    paths(
        geo::regions::list,
        geo::regions::one,
        geo::regions::children,
        geo::regions::feature,
        geo::regions::feature_collection,
        geo::buildings::list,
        geo::buildings::one,
        geo::locate::locate,
    ),
    tags((name = "geo", description = "The grid geography: regions, buildings, locate")),
)]
pub struct ApiDoc;

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
