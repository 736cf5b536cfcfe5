//! The HTTP client for calls the server makes to other systems (the notification webhook,
//! SMS gateways): TLS set up, a 10 s limit, and no redirects followed, so a gateway cannot
//! send a request, with its keys and a phone number, somewhere else.

use std::time::Duration;

pub fn client() -> Result<reqwest::Client, String> {
    tongxin_store::blobs::install_tls();
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| e.to_string())
}
