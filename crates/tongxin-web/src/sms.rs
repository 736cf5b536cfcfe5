//! Sending SMS. [`SmsSender`] is the seam where a real gateway (阿里云短信, 腾讯云短信, an
//! operator's SMPP link) plugs in. The default, [`DevSink`], sends nothing: it logs the
//! message against the masked number and, when the development inbox is on, keeps it for
//! the `/dev/sms` page.

use std::future::Future;
use std::pin::Pin;

use tongxin_core::pii::PhoneNumber;
use tongxin_store::Store;

pub type SendFuture<'a> = Pin<Box<dyn Future<Output = Result<(), String>> + Send + 'a>>;

pub trait SmsSender: Send + Sync {
    fn send<'a>(&'a self, to: &'a PhoneNumber, text: &'a str) -> SendFuture<'a>;
}

pub struct DevSink {
    pub store: Store,
    /// Keep messages for the development inbox page.
    pub keep: bool,
}

impl SmsSender for DevSink {
    fn send<'a>(&'a self, to: &'a PhoneNumber, text: &'a str) -> SendFuture<'a> {
        Box::pin(async move {
            tracing::info!(to = %to.masked(), text, "SMS (development sink: not sent)");
            if self.keep {
                self.store.push_sms(&to.masked(), text).await.map_err(|e| e.to_string())?;
            }
            Ok(())
        })
    }
}
