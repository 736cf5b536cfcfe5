//! The development inbox: sends nothing, keeps each message in the database for the
//! `/dev/sms` page. `tongxin demo` uses it; `serve` never does, because whoever reads the
//! page (or the table) can sign in as any resident. The log names only the masked number
//! and the kind of message.

use tongxin_core::pii::PhoneNumber;
use tongxin_store::Store;

use super::{SmsError, SmsFuture, SmsMessage, SmsSender};

pub struct DevInbox {
    pub store: Store,
}

impl SmsSender for DevInbox {
    fn name(&self) -> &'static str {
        "dev-inbox"
    }

    fn carries(&self, _: &str) -> bool {
        true
    }

    fn send<'a>(&'a self, to: &'a PhoneNumber, message: &'a SmsMessage) -> SmsFuture<'a> {
        Box::pin(async move {
            self.store
                .push_sms(&to.masked(), &message.text)
                .await
                .map_err(|e| SmsError::Unavailable(format!("the development inbox: {e}")))?;
            tracing::info!(to = %to.masked(), kind = %message.kind, "SMS kept in the development inbox (not sent)");
            Ok(())
        })
    }
}
