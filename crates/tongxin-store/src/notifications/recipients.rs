//! Who hears of a case: its reporters and followers, its department's staff, or the staff
//! of a role whose regions hold it.

use sqlx::Row;

use tongxin_core::cases::notify::Audience;

use super::Recipient;
use crate::{StoreError, Tx, row_bool};

/// Who in `audience` hears of the case `case_id` (`row` holds its reporter, department and
/// region), before the one who acted is left out.
pub(super) async fn recipients(
    tx: &mut Tx,
    case_id: i64,
    row: &sqlx::any::AnyRow,
    audience: &Audience,
) -> Result<Vec<Recipient>, StoreError> {
    Ok(match audience {
        Audience::Reporters => {
            let mut found = Vec::new();
            // Staff who found the problem themselves follow it; an operator who typed
            // in a caller's report does not (the caller is told instead).
            let found_it = matches!(row.try_get::<String, _>("source")?.as_str(), "patrol" | "campaign");
            if let Some(id) = row.try_get::<Option<i64>, _>("reporter_user")?.filter(|_| found_it) {
                found.push(Recipient::Staff(id));
            }
            if let Some(id) = row.try_get::<Option<i64>, _>("reporter_resident")? {
                found.push(Recipient::Resident(id));
            }
            if row_bool(row, "has_contact")? {
                found.push(Recipient::Contact(case_id));
            }
            let followers = sqlx::query(
                "SELECT recipient_kind, recipient_id FROM case_followers WHERE case_id = $1 \
                 ORDER BY recipient_kind, recipient_id",
            )
            .bind(case_id)
            .fetch_all(&mut **tx)
            .await?;
            for f in &followers {
                found.push(Recipient::from_parts(
                    &f.try_get::<String, _>("recipient_kind")?,
                    f.try_get("recipient_id")?,
                )?);
            }
            found
        }
        Audience::Department => match row.try_get::<Option<String>, _>("department_code")? {
            Some(department) => {
                let staff = sqlx::query(
                    "SELECT u.id FROM users u JOIN user_departments d ON d.user_id = u.id \
                     WHERE d.department_code = $1 AND u.disabled = $2 ORDER BY u.id",
                )
                .bind(department)
                .bind(false)
                .fetch_all(&mut **tx)
                .await?;
                staff.iter().map(|r| Ok(Recipient::Staff(r.try_get("id")?))).collect::<Result<_, StoreError>>()?
            }
            None => Vec::new(),
        },
        Audience::ShiftLeads | Audience::Dispatchers | Audience::GridWorkers => {
            let leads = sqlx::query(
                "SELECT u.id FROM users u JOIN user_roles r ON r.user_id = u.id AND r.role = $3 \
                 WHERE u.disabled = $1 AND EXISTS (SELECT 1 FROM user_regions g WHERE g.user_id = u.id \
                   AND substr($2, 1, length(g.region_code)) = g.region_code) ORDER BY u.id",
            )
            .bind(false)
            .bind(row.try_get::<String, _>("region_code")?)
            .bind(audience.role().unwrap_or_default())
            .fetch_all(&mut **tx)
            .await?;
            leads.iter().map(|r| Ok(Recipient::Staff(r.try_get("id")?))).collect::<Result<_, StoreError>>()?
        }
    })
}
