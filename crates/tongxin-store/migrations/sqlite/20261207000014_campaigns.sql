-- Campaigns (专项行动): a checklist carried to every target of a kind in some regions over
-- a period. Each target is a visit task, assigned to the grid worker of its grid; each
-- visit is stored once, by the id its client made; a failing answer files a case, linked
-- back through campaign_findings.

CREATE TABLE campaigns (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT NOT NULL CHECK (length(trim(name)) > 0),
    template     TEXT NOT NULL DEFAULT '',
    target_kind  TEXT NOT NULL CHECK (target_kind IN ('building', 'household', 'shed', 'grid')),
    target_filter TEXT NOT NULL DEFAULT '',
    starts_on    TEXT NOT NULL,
    ends_on      TEXT NOT NULL,
    regions      TEXT NOT NULL,
    checklist    TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    CHECK (ends_on >= starts_on)
);

CREATE TABLE campaign_tasks (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id  BIGINT NOT NULL REFERENCES campaigns (id),
    target_id    BIGINT NOT NULL,
    target_code  TEXT NOT NULL DEFAULT '',
    label        TEXT NOT NULL,
    grid_code    TEXT NOT NULL REFERENCES regions (code),
    building_id  BIGINT REFERENCES buildings (id),
    floor        INTEGER NOT NULL DEFAULT 0,
    assignee     BIGINT REFERENCES users (id),
    status       TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'visited', 'nobody_home')),
    visits       INTEGER NOT NULL DEFAULT 0,
    visited_at   BIGINT,
    UNIQUE (campaign_id, target_id, target_code)
);
CREATE INDEX campaign_tasks_assignee ON campaign_tasks (assignee, status);
CREATE INDEX campaign_tasks_grid ON campaign_tasks (campaign_id, grid_code);

CREATE TABLE campaign_visits (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id      BIGINT NOT NULL REFERENCES campaign_tasks (id),
    client_id    TEXT NOT NULL UNIQUE,
    outcome      TEXT NOT NULL CHECK (outcome IN ('visited', 'nobody_home')),
    answers      TEXT NOT NULL,
    photos       INTEGER NOT NULL DEFAULT 0,
    pledges      INTEGER NOT NULL DEFAULT 0,
    actor_kind   TEXT NOT NULL,
    actor_id     BIGINT NOT NULL,
    actor_name   TEXT NOT NULL,
    visited_at   BIGINT NOT NULL
);
CREATE INDEX campaign_visits_task ON campaign_visits (task_id);

CREATE TABLE campaign_findings (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    visit_id     BIGINT NOT NULL REFERENCES campaign_visits (id),
    task_id      BIGINT NOT NULL REFERENCES campaign_tasks (id),
    campaign_id  BIGINT NOT NULL REFERENCES campaigns (id),
    item         TEXT NOT NULL,
    case_id      BIGINT NOT NULL REFERENCES cases (id)
);
CREATE INDEX campaign_findings_campaign ON campaign_findings (campaign_id);
CREATE UNIQUE INDEX campaign_findings_case ON campaign_findings (case_id);
