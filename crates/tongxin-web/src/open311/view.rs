//! How a case reads as a service request: its service's name, the agency responsible (the
//! department, or the operations centre until one has it), the status and notes, and the
//! extensions when asked for.

use std::collections::HashMap;

use tongxin_app::labels::status_key;
use tongxin_core::cases::lifecycle::Status;
use tongxin_core::pii::mask_numbers_in;
use tongxin_core::time::Timestamp;
use tongxin_store::cases::CaseRecord;

use super::services::notice;
use super::{Leaf, Node, Problem};
use crate::App;
use crate::i18n::Lang;
use crate::pages::cases::timeline::step_key;
use crate::params::Params;

/// What a request needs besides the case: names, and whether to add the extensions.
pub struct View {
    services: HashMap<String, (String, String)>,
    departments: HashMap<String, String>,
    /// Each subdistrict's code and the name of its operations centre, which answers for a
    /// case until a department has it.
    centres: Vec<(String, String)>,
    extensions: bool,
}

impl View {
    pub async fn new(app: &App, params: &Params) -> Result<Self, Problem> {
        let services = app
            .store
            .categories()
            .await?
            .into_iter()
            .map(|c| (c.code.to_string(), (c.name.clone(), notice(&c))))
            .collect();
        let departments = app.store.departments().await?.into_iter().collect();
        let extensions = params.get("extensions") == Some("true");
        let centres = super::jurisdictions(app)
            .await?
            .into_iter()
            .map(|j| {
                let centre = match &app.config.open311.agency {
                    Some(agency) => agency.replace("{subdistrict}", &j.name),
                    None => format!("{}城市运行管理中心", j.name),
                };
                (j.id, centre)
            })
            .collect();
        Ok(Self { services, departments, centres, extensions })
    }

    /// Who answers for the case: the department that has it, else the operations centre
    /// of its subdistrict, where it waits in the queue. Never empty: clients show it as
    /// "who is handling my report".
    fn agency(&self, case: &CaseRecord) -> String {
        if let Some(d) = &case.department {
            return self.departments.get(d).cloned().unwrap_or_else(|| d.clone());
        }
        let region = case.region.as_str();
        self.centres
            .iter()
            .find(|(code, _)| region.starts_with(code.as_str()))
            .or(self.centres.first())
            .map(|(_, centre)| centre.clone())
            .unwrap_or_else(|| "城市运行管理中心".to_owned())
    }

    /// Why the case stands where it does, in words for the public.
    async fn status_notes(
        &self,
        app: &App,
        case: &CaseRecord,
        events: &[tongxin_store::cases::Event],
    ) -> Result<String, Problem> {
        let department =
            case.department.as_ref().map(|d| self.departments.get(d).cloned().unwrap_or_else(|| d.clone()));
        let last = |action: &str| events.iter().rev().find(|e| e.action == action);
        let said = |action: &str| {
            last(action)
                .map(|e| e.data["reason"].as_str().map_or_else(|| e.note.clone(), str::to_owned))
                .filter(|t| !t.is_empty())
        };
        Ok(mask_numbers_in(&match case.state.status {
            Status::Reported | Status::Verified => "已收到，正在核实。".to_owned(),
            Status::Registered => "已立案，等待派遣。".to_owned(),
            Status::Dispatched => format!("已派遣至{}。", department.unwrap_or_default()),
            Status::Handling => format!("{}正在处置。", department.unwrap_or_default()),
            Status::Deferred => {
                format!("已挂账：{}", said("approve_deferral").or_else(|| said("request_deferral")).unwrap_or_default())
            }
            Status::Handled => "已处置，等待网格员核查。".to_owned(),
            Status::Checked => "已核查通过，等待结案。".to_owned(),
            Status::Closed => match said("close") {
                Some(note) => format!("已结案：{note}"),
                None => "已结案。".to_owned(),
            },
            Status::Rejected => match case.merged_into {
                Some(into) => {
                    let number = app.store.case(into).await?.map(|c| c.number).unwrap_or_default();
                    format!("与 {number} 反映的是同一问题，已并入该案件一并处理。")
                }
                None => format!("不予立案：{}", said("reject").unwrap_or_default()),
            },
        }))
    }

    pub async fn request(
        &self,
        app: &App,
        case: &CaseRecord,
        events: &[tongxin_store::cases::Event],
    ) -> Result<Node, Problem> {
        let (name, notice) = self.services.get(case.category.as_str()).cloned().unwrap_or_default();
        let closed = !case.state.status.is_open();
        let expected = matches!(case.state.status, Status::Dispatched | Status::Handling)
            .then_some(case.step_due_at)
            .flatten()
            .map(Timestamp::to_shanghai_rfc3339);
        let updated = if closed { case.closed_at.unwrap_or(case.updated_at) } else { case.updated_at };
        let coordinate = |v: Option<f64>| v.map_or(Leaf::Text(None), Leaf::Number);
        let mut fields = vec![
            Node::text("service_request_id", case.number.clone()),
            Node::text("status", if closed { "closed" } else { "open" }),
            Node::text("status_notes", self.status_notes(app, case, events).await?),
            Node::text("service_name", name),
            Node::text("service_code", case.category.to_string()),
            Node::text("description", mask_numbers_in(&case.description)),
            Node::text("agency_responsible", self.agency(case)),
            Node::text("service_notice", notice),
            Node::text("requested_datetime", case.created_at.to_shanghai_rfc3339()),
            Node::text("updated_datetime", updated.to_shanghai_rfc3339()),
            Node::maybe("expected_datetime", expected),
            Node::text("address", mask_numbers_in(&case.address)),
            Node::maybe("address_id", case.building_id.map(|b| b.to_string())),
            Node::maybe("zipcode", None),
            Node::Leaf("lat", coordinate(case.location.map(|p| p.lat()))),
            Node::Leaf("long", coordinate(case.location.map(|p| p.lng()))),
            Node::maybe("media_url", case.media_url.clone()),
        ];
        if self.extensions {
            let zh = Lang::ZhCn.catalog();
            fields.push(Node::Object(
                "extended_attributes",
                vec![
                    Node::text("detailed_status", case.state.status.as_str()),
                    Node::text("detailed_status_name", zh.get(status_key(case.state.status))),
                    Node::text("channel", case.source.as_str()),
                ],
            ));
            let notes = events
                .iter()
                .map(|e| {
                    let label = zh.get(step_key(&e.action));
                    let text = if e.note.is_empty() { label.to_owned() } else { format!("{label}：{}", e.note) };
                    Node::Object(
                        "note",
                        vec![
                            Node::text("datetime", e.at.to_shanghai_rfc3339()),
                            Node::text("description", mask_numbers_in(&text)),
                            Node::text("type", e.action.clone()),
                        ],
                    )
                })
                .collect();
            fields.push(Node::List("notes", notes));
        }
        Ok(Node::Object("request", fields))
    }
}
