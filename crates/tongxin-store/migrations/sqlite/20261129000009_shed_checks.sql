-- Charging-shed inspections (充电棚检查): who checked which shed on which day, whether it
-- passed, and what they found. The e-bike safety view counts the sheds checked in a year.

CREATE TABLE shed_checks (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    shed_id     BIGINT NOT NULL REFERENCES charging_sheds (id),
    checked_on  TEXT NOT NULL,
    checked_by  TEXT NOT NULL CHECK (length(trim(checked_by)) > 0),
    ok          INTEGER NOT NULL CHECK (ok IN (0, 1)),
    findings    TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL
);
CREATE INDEX shed_checks_shed ON shed_checks (shed_id, checked_on);
CREATE INDEX shed_checks_day ON shed_checks (checked_on);

-- What the safety view groups and filters on.
CREATE INDEX ebikes_status_region ON ebikes (status, region_code);
CREATE INDEX ebikes_household ON ebikes (household_id);
CREATE INDEX charging_sheds_opened ON charging_sheds (opened_on);
CREATE INDEX pledges_signed ON pledges (signed_on);
CREATE INDEX cases_category_closed ON cases (category_code, closed_at);

-- A resident signs the safety pledge online once (paper pledges may be collected again).
CREATE UNIQUE INDEX pledges_online_once ON pledges (resident_id) WHERE channel = 'online';
