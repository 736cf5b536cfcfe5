//! The safety pledge from a resident's phone, behind `GET /api/v1/me/pledge` (the text, and
//! the e-bike owners in the registry who share the signed-in phone) and `POST
//! /api/v1/me/pledge` (sign for one of them, once: channel online, collected by 线上). Only
//! residents signed in with a one-time code; staff get a 404.

use serde::{Deserialize, Serialize};
use tongxin_core::access::ActorKind;
use tongxin_core::registry::safety::PLEDGE_TEXT;
use tongxin_store::registry::pledge_online::{ONLINE_COLLECTOR, PledgeOwner};
use utoipa::ToSchema;

use super::today;
use crate::caller::Who;
use crate::{App, Error};

#[derive(Debug, Serialize, ToSchema)]
pub struct PledgeOwnerView {
    pub resident_id: i64,
    pub name: String,
    pub address: String,
    /// Active e-bikes they own.
    pub ebikes: i64,
    /// When they signed, if they have (on paper or online).
    pub signed_on: Option<String>,
}

impl From<&PledgeOwner> for PledgeOwnerView {
    fn from(o: &PledgeOwner) -> Self {
        Self {
            resident_id: o.resident_id,
            name: o.name.clone(),
            address: o.address.clone(),
            ebikes: o.ebikes,
            signed_on: o.signed_on.map(|d| d.to_string()),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MyPledge {
    /// The pledge's text (Chinese).
    pub text: String,
    /// Registry residents with this phone who own an active e-bike; empty when none.
    pub owners: Vec<PledgeOwnerView>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct SignRequest {
    /// One of `owners[].resident_id`.
    pub resident_id: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SignedPledge {
    pub id: i64,
    pub resident_id: i64,
    pub signed_on: String,
    /// online
    pub channel: String,
    /// 线上
    pub collected_by: String,
}

/// The resident account signed in, or the 404 anyone else gets.
pub fn account(who: &Who) -> Result<i64, Error> {
    if who.actor.kind == ActorKind::Resident {
        Ok(who.actor.id)
    } else {
        Err(Error::not_found("the pledge is signed by a resident signed in with their phone"))
    }
}

pub async fn my_pledge(app: &App, who: &Who) -> Result<MyPledge, Error> {
    let owners = app.store.pledge_owners(account(who)?).await?;
    Ok(MyPledge { text: PLEDGE_TEXT.to_owned(), owners: owners.iter().map(PledgeOwnerView::from).collect() })
}

pub async fn sign(app: &App, who: &Who, resident_id: i64) -> Result<SignedPledge, Error> {
    let account = account(who)?;
    let signed_on = today();
    let id = app.store.sign_pledge_online(&who.caller(), account, resident_id, signed_on).await?;
    Ok(SignedPledge {
        id,
        resident_id,
        signed_on: signed_on.to_string(),
        channel: "online".into(),
        collected_by: ONLINE_COLLECTOR.into(),
    })
}
