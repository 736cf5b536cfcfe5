//! The catalog keys ([`crate::i18n`]) naming the domain's values, shared by pages, exports
//! and reports.

use tongxin_core::cases::lifecycle::Status;

/// The catalog key naming a status.
pub fn status_key(status: Status) -> &'static str {
    match status {
        Status::Reported => "status.reported",
        Status::Verified => "status.verified",
        Status::Registered => "status.registered",
        Status::Rejected => "status.rejected",
        Status::Dispatched => "status.dispatched",
        Status::Handling => "status.handling",
        Status::Handled => "status.handled",
        Status::Checked => "status.checked",
        Status::Closed => "status.closed",
        Status::Deferred => "status.deferred",
    }
}

/// The catalog key naming a source.
pub fn source_key(source: tongxin_core::cases::report::Source) -> &'static str {
    use tongxin_core::cases::report::Source::*;
    match source {
        Resident => "source.resident",
        Patrol => "source.patrol",
        Phone => "source.phone",
        Hotline => "source.hotline",
        Sensor => "source.sensor",
        Campaign => "source.campaign",
        Open311 => "source.open311",
    }
}
