//! An outside order number sent again (a 12345 工单编号 replayed): whether the caller is the
//! one who filed the case it names, so that a key without `cases.read` still gets its own
//! case back, and nobody else's.

use sqlx::Row;
use tongxin_core::access::Actor;

use crate::{Store, StoreError};

impl Store {
    /// Whether `actor` filed case `case_id` (its `report` step is theirs).
    pub async fn case_filed_by(&self, case_id: i64, actor: &Actor) -> Result<bool, StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM case_events \
             WHERE case_id = $1 AND action = 'report' AND actor_kind = $2 AND actor_id = $3",
        )
        .bind(case_id)
        .bind(actor.kind.as_str())
        .bind(actor.id)
        .fetch_one(self.pool())
        .await?;
        Ok(row.try_get::<i64, _>("n")? > 0)
    }
}
