//! `/notifications`: the reader's notices, newest first; opening the page reads them.

use askama::Template;
use axum::extract::{OriginalUri, State};
use axum::response::{IntoResponse, Response};
use tongxin_app::notifications::{NotificationView, recipient};
use tongxin_core::time::Timestamp;

use crate::auth::PageCaller;
use crate::i18n::Lang;
use crate::pages::cases::short_time;
use crate::pages::{PageContext, PageError, render};
use crate::{ApiError, App};

#[derive(Template)]
#[template(path = "notifications.html")]
struct InboxPage {
    page: PageContext,
    /// Each notice, with its time as shown.
    items: Vec<(NotificationView, String)>,
    /// How many were unread, in words.
    unread: String,
}

async fn inbox(app: &App, who: &PageCaller) -> Result<(Vec<NotificationView>, i64), ApiError> {
    let me = recipient(who)?;
    let items = app.store.notifications_for(me, 100).await?.iter().map(NotificationView::from).collect();
    let unread = app.store.unread_notifications(me).await?;
    app.store.mark_notifications_read(me, Timestamp::now()).await?;
    Ok((items, unread))
}

pub async fn page(State(app): State<App>, lang: Lang, OriginalUri(uri): OriginalUri, who: PageCaller) -> Response {
    match inbox(&app, &who).await {
        Ok((items, unread)) => {
            let items = items
                .into_iter()
                .map(|n| {
                    let at = short_time(&n.created_at);
                    (n, at)
                })
                .collect();
            let unread = lang.catalog().fmt("notifications.unread", &[("n", &unread)]);
            let mut page = PageContext::new(lang, &uri, Some(&who));
            // Opening the inbox read them all: the menu counts none.
            if let Some(user) = page.user.as_mut() {
                user.unread = 0;
            }
            render(&InboxPage { page, items, unread }).into_response()
        }
        Err(e) => PageError::from_api(lang, e).into_response(),
    }
}
