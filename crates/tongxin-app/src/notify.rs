//! Delivering notifications from the outbox through pluggable [`Sink`]s.
//!
//! Every node runs [`notify_loop`]; each pass claims due notifications (a lease keeps other
//! nodes off them) and hands each to every sink that carries its kind of recipient:
//!
//! - [`LogSink`]: a structured log line, for every notice (no personal data).
//! - [`SmsSink`]: a text message to a resident or a caller, through the [`SmsSender`]
//!   gateway; the phone is unsealed here, for the send, and never logged.
//! - [`WebhookSink`]: a signed JSON POST to one URL (an IM bridge, 政务微信, a city
//!   platform) for every notice. The body names the recipient by kind and id only.
//!
//! A notice is sent when every sink that carries it has; a failure is retried later by the
//! outbox, skipping the sinks that already carried it. Staff and residents also read their
//! notices in the app (`/notifications`), which needs no sink.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use tokio::sync::watch;
use tongxin_core::access::token::hmac_sha256_hex;
use tongxin_core::pii::PhoneNumber;
use tongxin_core::time::Timestamp;
use tongxin_store::StoreError;
use tongxin_store::notifications::{Notification, Outgoing, Recipient};

use crate::App;
use crate::sms::{SmsMessage, SmsSender};

/// A delivery under way: done, or why not.
pub type SendFuture<'a> = Pin<Box<dyn Future<Output = Result<(), String>> + Send + 'a>>;

/// Notices claimed per pass, and how long a claim keeps other nodes off them.
const BATCH: i64 = 50;
const LEASE_MS: i64 = 120_000;

/// One notice, ready for a sink.
pub struct Delivery<'a> {
    pub notification: &'a Notification,
    /// A resident's or a caller's phone, when there is one.
    pub phone: Option<PhoneNumber>,
}

/// A channel notices go out through.
pub trait Sink: Send + Sync {
    /// A short stable name, recorded with each notice the sink carried.
    fn name(&self) -> &'static str;
    /// Whether this sink carries `delivery`.
    fn carries(&self, delivery: &Delivery<'_>) -> bool;
    fn deliver<'a>(&'a self, delivery: &'a Delivery<'a>) -> SendFuture<'a>;
}

/// Writes each notice to the log.
pub struct LogSink;

impl Sink for LogSink {
    fn name(&self) -> &'static str {
        "log"
    }

    fn carries(&self, _: &Delivery<'_>) -> bool {
        true
    }

    fn deliver<'a>(&'a self, d: &'a Delivery<'a>) -> SendFuture<'a> {
        Box::pin(async move {
            let n = d.notification;
            tracing::info!(
                notification = n.id,
                case = %n.case_number,
                kind = %n.kind,
                recipient = %format!("{}:{}", n.recipient.kind(), n.recipient.id()),
                "notification"
            );
            Ok(())
        })
    }
}

/// Texts residents and callers, on mobile numbers, the kinds of notice the gateway can
/// carry (a template gateway needs a template for each).
pub struct SmsSink(pub Arc<dyn SmsSender>);

impl Sink for SmsSink {
    fn name(&self) -> &'static str {
        "sms"
    }

    fn carries(&self, d: &Delivery<'_>) -> bool {
        matches!(d.notification.recipient, Recipient::Resident(_) | Recipient::Contact(_) | Recipient::Person(_))
            && d.phone.as_ref().is_some_and(PhoneNumber::is_mobile)
            && self.0.carries(&d.notification.kind)
    }

    fn deliver<'a>(&'a self, d: &'a Delivery<'a>) -> SendFuture<'a> {
        Box::pin(async move {
            match &d.phone {
                Some(phone) => self.0.send(phone, &SmsMessage::notice(d.notification)).await.map_err(|e| e.to_string()),
                None => Err("no phone".into()),
            }
        })
    }
}

/// Where the webhook posts, and the secret it signs with.
#[derive(Clone)]
pub struct WebhookConfig {
    pub url: String,
    pub secret: String,
}

impl std::fmt::Debug for WebhookConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "WebhookConfig({})", self.url)
    }
}

/// Posts each notice as JSON, signed: `X-Tongxin-Signature: sha256=HEX`, the HMAC-SHA256
/// of `TIMESTAMP.BODY` under the shared secret, with `X-Tongxin-Timestamp` (Unix seconds)
/// and `X-Tongxin-Delivery` (the notice's id, the same on every retry).
pub struct WebhookSink {
    config: WebhookConfig,
    client: reqwest::Client,
}

impl WebhookSink {
    pub fn new(config: WebhookConfig) -> Result<Self, String> {
        let client = crate::outbound::client()?;
        Ok(Self { config, client })
    }

    /// The body of a notice.
    pub fn body(n: &Notification) -> String {
        json!({
            "id": n.id,
            "kind": n.kind,
            "case": { "id": n.case_id, "number": n.case_number },
            "recipient": n.recipient,
            "text": n.text,
            "created_at": n.created_at.to_shanghai_rfc3339(),
        })
        .to_string()
    }
}

impl Sink for WebhookSink {
    fn name(&self) -> &'static str {
        "webhook"
    }

    fn carries(&self, _: &Delivery<'_>) -> bool {
        true
    }

    fn deliver<'a>(&'a self, d: &'a Delivery<'a>) -> SendFuture<'a> {
        Box::pin(async move {
            let body = Self::body(d.notification);
            let timestamp = Timestamp::now().millis() / 1000;
            let signature = hmac_sha256_hex(self.config.secret.as_bytes(), format!("{timestamp}.{body}").as_bytes());
            let response = self
                .client
                .post(&self.config.url)
                .header("content-type", "application/json")
                .header("x-tongxin-delivery", d.notification.id.to_string())
                .header("x-tongxin-timestamp", timestamp.to_string())
                .header("x-tongxin-signature", format!("sha256={signature}"))
                .body(body)
                .send()
                .await
                .map_err(|e| format!("webhook: {}", e.without_url()))?;
            if response.status().is_success() { Ok(()) } else { Err(format!("webhook answered {}", response.status())) }
        })
    }
}

/// The sinks a server delivers through.
pub fn sinks(sms: Arc<dyn SmsSender>, webhook: Option<WebhookConfig>) -> Result<Vec<Box<dyn Sink>>, String> {
    let mut sinks: Vec<Box<dyn Sink>> = vec![Box::new(LogSink), Box::new(SmsSink(sms))];
    if let Some(config) = webhook {
        sinks.push(Box::new(WebhookSink::new(config)?));
    }
    Ok(sinks)
}

/// The phone a notice may be texted to: the resident's, or the one given with the report.
fn phone(app: &App, out: &Outgoing) -> Option<PhoneNumber> {
    let sealed = out.phone_sealed.as_ref()?;
    let text = match out.notification.recipient {
        Recipient::Resident(_) | Recipient::Person(_) => app.pii.open("phone", sealed).ok()?,
        Recipient::Contact(_) => {
            let contact: serde_json::Value = serde_json::from_str(&app.pii.open("case_reporter", sealed).ok()?).ok()?;
            contact["phone"].as_str()?.to_owned()
        }
        Recipient::Staff(_) => return None,
    };
    PhoneNumber::parse(&text).ok()
}

/// Delivers the notices due now; returns how many were claimed.
pub async fn deliver_due(app: &App) -> Result<usize, StoreError> {
    let claimed = app.store.claim_notifications(Timestamp::now(), BATCH, LEASE_MS).await?;
    for out in &claimed {
        let delivery = Delivery { notification: &out.notification, phone: phone(app, out) };
        let mut delivered = out.notification.delivered.clone();
        let mut errors = Vec::new();
        for sink in app.sinks.iter() {
            if delivered.iter().any(|d| d == sink.name()) || !sink.carries(&delivery) {
                continue;
            }
            match sink.deliver(&delivery).await {
                Ok(()) => delivered.push(sink.name().to_owned()),
                Err(e) => errors.push(format!("{}: {e}", sink.name())),
            }
        }
        let outcome = if errors.is_empty() { Ok(()) } else { Err(errors.join("; ")) };
        if let Err(e) = &outcome {
            tracing::warn!(notification = out.notification.id, error = %e, "a notification was not delivered; it will be tried again");
        }
        app.store.finish_notification(out.notification.id, outcome, &delivered, Timestamp::now()).await?;
    }
    Ok(claimed.len())
}

/// Delivers due notices every `interval` until `stop` turns true.
pub async fn notify_loop(app: App, interval: Duration, mut stop: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(interval) => {
                if let Err(e) = deliver_due(&app).await {
                    tracing::warn!(error = %e, "could not deliver notifications");
                }
            }
            _ = stop.changed() => return,
        }
    }
}
