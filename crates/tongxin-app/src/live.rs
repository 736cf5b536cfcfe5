//! In-memory state kept in step with the database: the locator and the working-time
//! calendar.
//!
//! [`LiveLocator`] holds the R-tree of region polygons. Every region change bumps a
//! revision in the database (in the change's own transaction); each node polls that
//! revision and rebuilds its locator when it moves, so a `tongxin grid import` run from
//! the command line, or on another node, reaches every server within one poll interval.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, RwLock};

use tokio::sync::watch;
use tongxin_core::cases::calendar::{Calendar, WorkingHours};
use tongxin_core::geo::Locator;
use tongxin_store::geo::RegionFilter;
use tongxin_store::{Store, StoreError};

use crate::App;

pub struct LiveLocator {
    locator: RwLock<Arc<Locator>>,
    revision: AtomicI64,
}

impl LiveLocator {
    pub async fn load(store: &Store) -> Result<Self, StoreError> {
        let revision = store.geo_revision().await?;
        let regions = store.regions(&RegionFilter::default()).await?;
        Ok(Self { locator: RwLock::new(Arc::new(Locator::build(&regions))), revision: AtomicI64::new(revision) })
    }

    /// The locator as of the last refresh. Holding the `Arc` never blocks a refresh.
    pub fn current(&self) -> Arc<Locator> {
        self.locator.read().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }

    /// Rebuilds when the database has a newer revision; returns whether it did.
    pub async fn refresh(&self, store: &Store) -> Result<bool, StoreError> {
        let revision = store.geo_revision().await?;
        if revision == self.revision.load(Ordering::Acquire) {
            return Ok(false);
        }
        let regions = store.regions(&RegionFilter::default()).await?;
        let locator = Arc::new(Locator::build(&regions));
        *self.locator.write().unwrap_or_else(|poisoned| poisoned.into_inner()) = locator;
        self.revision.store(revision, Ordering::Release);
        tracing::info!(revision, regions = regions.len(), "locator rebuilt");
        Ok(true)
    }
}

/// The working-time calendar, reloaded when administrators add days.
pub struct LiveCalendar {
    calendar: RwLock<Arc<Calendar>>,
    hours: WorkingHours,
}

impl LiveCalendar {
    pub async fn load(store: &Store, hours: WorkingHours) -> Result<Self, StoreError> {
        Ok(Self { calendar: RwLock::new(Arc::new(store.calendar(hours.clone()).await?)), hours })
    }

    pub fn current(&self) -> Arc<Calendar> {
        self.calendar.read().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }

    pub async fn reload(&self, store: &Store) -> Result<(), StoreError> {
        let fresh = Arc::new(store.calendar(self.hours.clone()).await?);
        *self.calendar.write().unwrap_or_else(|poisoned| poisoned.into_inner()) = fresh;
        Ok(())
    }
}

/// Polls for region and calendar changes until `stop` turns true.
pub async fn refresh_loop(app: App, mut stop: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(app.config.geo_refresh);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {
                match app.geo.refresh(&app.store).await {
                    Ok(true) => {
                        app.metrics.locator_regions.set(app.geo.current().len() as i64);
                    }
                    Ok(false) => {}
                    Err(e) => tracing::warn!(error = %e, "could not check for region changes"),
                }
                // Days added by `tongxin calendar add` or on another node: a few rows.
                if let Err(e) = app.calendar.reload(&app.store).await {
                    tracing::warn!(error = %e, "could not reload the calendar");
                }
            }
            _ = stop.changed() => break,
        }
    }
}

/// Marks the cases past due at `now` (each once, by one node: its timeline says so and
/// its shift leads are notified); returns how many this node marked.
pub async fn sweep_overdue_once(
    app: &App,
    now: tongxin_core::time::Timestamp,
) -> Result<usize, tongxin_store::StoreError> {
    let cases = app.store.sweep_overdue(now).await?;
    for case in &cases {
        tracing::warn!(case = %case.number, status = %case.state.status, "case overdue: the shift leads are notified");
    }
    Ok(cases.len())
}

/// Once a minute, [`sweep_overdue_once`], until `stop` turns true.
pub async fn overdue_loop(app: App, mut stop: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {
                if let Err(e) = sweep_overdue_once(&app, tongxin_core::time::Timestamp::now()).await {
                    tracing::warn!(error = %e, "could not sweep overdue cases");
                }
            }
            _ = stop.changed() => break,
        }
    }
}

/// Deletes ended sessions every few minutes and, once a day, audit entries older than the
/// retention period, until `stop` turns true.
pub async fn housekeeping_loop(app: App, mut stop: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(300));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_purge: Option<i64> = None;
    loop {
        tokio::select! {
            _ = tick.tick() => {
                let now = tongxin_core::time::Timestamp::now().millis();
                if let Err(e) = app.store.purge_sessions(now).await {
                    tracing::warn!(error = %e, "could not purge ended sessions");
                }
                if last_purge.is_none_or(|t| now - t >= 86_400_000) {
                    let days = i64::from(app.config.audit_retention_days.max(180));
                    match app.store.purge_audit(now - days * 86_400_000).await {
                        Ok(0) => {}
                        Ok(n) => tracing::info!(entries = n, days, "purged audit entries past retention"),
                        Err(e) => tracing::warn!(error = %e, "could not purge old audit entries"),
                    }
                    last_purge = Some(now);
                }
            }
            _ = stop.changed() => break,
        }
    }
}

/// The service door's routine, every five minutes until `stop` turns true: confirmed
/// bookings of ended slots become no-shows (and their waitlists close); between 09:00 and
/// 20:00 Shanghai time the day-before reminders go out; and once a day the slots of the
/// next four weeks are laid out. Every step is safe on several nodes at once.
pub async fn booking_loop(app: App, mut stop: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(300));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut laid_out: Option<chrono::NaiveDate> = None;
    loop {
        tokio::select! {
            _ = tick.tick() => {
                let now = tongxin_core::time::Timestamp::now();
                if let Err(e) = booking_once(&app, now, &mut laid_out).await {
                    tracing::warn!(error = %e, "the booking routine failed; it runs again in five minutes");
                }
            }
            _ = stop.changed() => break,
        }
    }
}

/// One pass of [`booking_loop`].
pub async fn booking_once(
    app: &App,
    now: tongxin_core::time::Timestamp,
    laid_out: &mut Option<chrono::NaiveDate>,
) -> Result<(), tongxin_store::StoreError> {
    let marked = app.store.mark_no_shows(now).await?;
    if marked > 0 {
        tracing::info!(bookings = marked, "marked no-shows");
    }
    let local = now.to_utc().with_timezone(&tongxin_core::time::SHANGHAI);
    if (9..20).contains(&chrono::Timelike::hour(&local)) {
        let queued = app.store.queue_reminders(now).await?;
        if queued > 0 {
            tracing::info!(bookings = queued, "queued the day-before reminders");
        }
    }
    let today = local.date_naive();
    if *laid_out != Some(today) {
        let caller = tongxin_store::audit::Caller::system("booking routine");
        app.store.lay_out_slots(&caller, today, today + chrono::Days::new(28)).await?;
        *laid_out = Some(today);
    }
    Ok(())
}
