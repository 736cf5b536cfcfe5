//! The settings a node runs with, whichever door its requests come through.

use std::time::Duration;

use tongxin_core::cases::calendar::WorkingHours;
use tongxin_store::blobs::BlobConfig;

use crate::{notify, sms};

/// Settings of a node.
#[derive(Debug, Clone)]
pub struct Config {
    /// How often each node checks whether the regions changed in the database.
    pub geo_refresh: Duration,
    /// Take the client address from `X-Forwarded-For` (behind a reverse proxy).
    pub trust_proxy: bool,
    /// How phones are texted: a gateway, the development inbox at `/dev/sms` (the demo
    /// only: anyone who can read it can sign in as any resident), or not at all.
    pub sms: sms::SmsConfig,
    /// Residents may sign in with a code sent to their phone.
    pub resident_login: bool,
    /// Days the audit log is kept; at least 180.
    pub audit_retention_days: u32,
    /// The working periods of a working day, for deadlines.
    pub working_hours: WorkingHours,
    /// A new case within this distance (metres) and time (hours) of an open case of the
    /// same category is flagged as a duplicate.
    pub duplicate_radius_m: f64,
    pub duplicate_window_hours: i64,
    /// Where case photos are kept.
    pub photos: BlobConfig,
    /// Where notices are also posted, signed; none by default.
    pub webhook: Option<notify::WebhookConfig>,
    /// How often each node delivers queued notices.
    pub notify_interval: Duration,
    /// The Open311 door: its style and rate limits.
    pub open311: Open311Config,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            geo_refresh: Duration::from_secs(5),
            trust_proxy: false,
            sms: sms::SmsConfig::None,
            resident_login: true,
            audit_retention_days: 365,
            working_hours: WorkingHours::default(),
            duplicate_radius_m: 50.0,
            duplicate_window_hours: 72,
            photos: BlobConfig::Directory("data/photos".into()),
            webhook: None,
            notify_interval: Duration::from_secs(5),
            open311: Open311Config::default(),
        }
    }
}

impl Config {
    /// Whether sent SMS are kept for the `/dev/sms` page.
    pub fn dev_inbox(&self) -> bool {
        matches!(self.sms, sms::SmsConfig::DevInbox)
    }
}

/// Settings of the Open311 door.
#[derive(Debug, Clone)]
pub struct Open311Config {
    /// Answer a POST with a token (the "batch" style) instead of the request id.
    pub batch: bool,
    /// Requests a minute one client address may file.
    pub per_ip_per_minute: u32,
    /// Requests a minute one API key may file.
    pub per_key_per_minute: u32,
    /// Who to contact, in discovery.
    pub contact: Option<String>,
    /// `agency_responsible` while no department has a request: the operations centre.
    /// `{subdistrict}` stands for the subdistrict's name; by default
    /// "{subdistrict}城市运行管理中心".
    pub agency: Option<String>,
}

impl Default for Open311Config {
    fn default() -> Self {
        Self { batch: false, per_ip_per_minute: 30, per_key_per_minute: 600, contact: None, agency: None }
    }
}
