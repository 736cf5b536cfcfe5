//! Imports running or finished on this node, started from the page or the API, with their
//! progress, for whoever started them to follow.

use std::sync::{Arc, Mutex};

use super::{Options, Outcome, Progress, run};
use crate::App;
use crate::caller::Who;

/// Imports running or finished on this node, for the page and the API to follow.
#[derive(Default)]
pub struct Jobs(Mutex<Vec<Arc<Job>>>);

/// One import started from the page or the API.
pub struct Job {
    pub id: String,
    /// Who started it (only they may follow it).
    pub owner: String,
    pub options: Options,
    pub started: tongxin_core::time::Timestamp,
    pub progress: Progress,
    pub result: Mutex<Option<Result<Outcome, String>>>,
}

/// Finished imports kept to be looked at.
const KEPT: usize = 50;

impl Jobs {
    /// Starts an import in the background; the job to follow.
    pub fn start(&self, app: &App, who: &Who, bytes: Vec<u8>, options: Options) -> Arc<Job> {
        let job = Arc::new(Job {
            id: uuid::Uuid::new_v4().simple().to_string(),
            owner: owner(who),
            options,
            started: tongxin_core::time::Timestamp::now(),
            progress: Progress::default(),
            result: Mutex::new(None),
        });
        {
            let mut jobs = self.0.lock().expect("jobs lock");
            jobs.push(job.clone());
            let excess = jobs.len().saturating_sub(KEPT);
            jobs.drain(..excess);
        }
        let (app, who, running) = (app.clone(), who.clone(), job.clone());
        tokio::spawn(async move {
            let result = run(&app, &who, Arc::new(bytes), &running.options, &running.progress).await;
            let result = match result {
                Ok(outcome) => Ok(outcome),
                Err(Ok(problem)) => Err(problem.0),
                Err(Err(e)) => {
                    if e.is_fault() {
                        tracing::error!(error = %e, "an import failed");
                    }
                    Err(if e.is_fault() {
                        "导入时发生系统错误，没有导入任何数据；请稍后重试".into()
                    } else {
                        e.to_string()
                    })
                }
            };
            running.progress.set(3, 0);
            *running.result.lock().expect("job lock") = Some(result);
        });
        job
    }

    /// `who`'s job `id`.
    pub fn get(&self, who: &Who, id: &str) -> Option<Arc<Job>> {
        let owner = owner(who);
        self.0.lock().expect("jobs lock").iter().find(|j| j.id == id && j.owner == owner).cloned()
    }
}

fn owner(who: &Who) -> String {
    format!("{}:{}", who.actor.kind.as_str(), who.actor.id)
}
