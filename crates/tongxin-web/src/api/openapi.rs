//! The OpenAPI 3.1 document at `/api/v1/openapi.json`, generated from the handlers'
//! annotations so it cannot drift from the code.

use axum::Json;
use utoipa::OpenApi;

use super::{access, cases, geo, notifications, registry};

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
        access::auth::login,
        access::auth::logout,
        access::auth::me,
        access::auth::send_code,
        access::auth::resident_login,
        access::users::list,
        access::users::create,
        access::users::disable,
        access::users::enable,
        access::users::reset_password,
        access::users::remove_totp,
        access::apikeys::list,
        access::apikeys::create,
        access::apikeys::revoke,
        access::audit::list,
        access::audit::verify,
        access::residents::list,
        access::residents::one,
        access::residents::reveal,
        access::residents::export,
        cases::intake::create,
        cases::read::list,
        cases::read::one,
        cases::act::act,
        cases::photos::list,
        cases::photos::add,
        cases::photos::image,
        cases::merge::handler,
        cases::export::export,
        cases::batch::handler,
        notifications::list,
        notifications::read,
        cases::catalog::categories,
        cases::catalog::departments,
        registry::residents,
        registry::resident,
        registry::households,
        registry::household,
        registry::export::export,
        registry::export::export_households,
        registry::edit::create_household,
        registry::edit::patch_household,
        registry::edit::create_resident,
        registry::edit::patch_resident,
        registry::edit::building,
        registry::edit::patch_building,
        registry::history::record_history,
        registry::import::template,
        registry::import::create,
        registry::import::one,
        registry::import::report,
        registry::safety::view,
        registry::safety::add_check,
        registry::ebikes::sheds,
        registry::ebikes::shed,
        registry::ebikes::ebikes,
        registry::ebikes::ebike,
        registry::ebike_edit::patch,
        registry::ebike_edit::create,
        registry::ebikes::pledges,
        registry::ledger_export::sheds,
        registry::ledger_export::ebikes,
        registry::ledger_export::pledges,
        registry::pledge_online::show,
        registry::pledge_online::sign_handler,
    ),
    tags(
        (name = "geo", description = "The grid geography: regions, buildings, locate"),
        (name = "access", description = "Signing in, accounts, API keys, the audit log, resident accounts"),
        (name = "cases", description = "Cases (一网统管): intake, lists, the lifecycle, the catalog"),
        (name = "registry", description = "The community registry (社区云): residents and households, masked; charging sheds, e-bikes, pledges and the e-bike safety view"),
    ),
)]
pub struct ApiDoc;

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
