-- Cases: departments, the category catalog, dispatch rules, the cases and their timeline,
-- and calendar overrides for years published after the build.

CREATE TABLE departments (
    code TEXT PRIMARY KEY NOT NULL CHECK (length(code) BETWEEN 2 AND 32),
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE user_departments (
    user_id         BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    department_code TEXT NOT NULL REFERENCES departments (code),
    PRIMARY KEY (user_id, department_code)
);

-- Classes (3-character codes) and subclasses (5); only subclasses carry the rest.
CREATE TABLE categories (
    code             TEXT PRIMARY KEY NOT NULL CHECK (length(code) IN (3, 5)),
    parent_code      TEXT REFERENCES categories (code),
    name             TEXT NOT NULL,
    department_code  TEXT REFERENCES departments (code),
    priority         INTEGER NOT NULL DEFAULT 3 CHECK (priority BETWEEN 1 AND 3),
    -- each limit: 'W' (working hours) or 'N' (natural hours), and the hours
    register_kind    TEXT NOT NULL DEFAULT 'W' CHECK (register_kind IN ('W', 'N')),
    register_hours   INTEGER NOT NULL DEFAULT 2 CHECK (register_hours > 0),
    dispatch_kind    TEXT NOT NULL DEFAULT 'W' CHECK (dispatch_kind IN ('W', 'N')),
    dispatch_hours   INTEGER NOT NULL DEFAULT 2 CHECK (dispatch_hours > 0),
    handle_kind      TEXT NOT NULL DEFAULT 'W' CHECK (handle_kind IN ('W', 'N')),
    handle_hours     INTEGER NOT NULL DEFAULT 24 CHECK (handle_hours > 0),
    entry_criteria   TEXT NOT NULL DEFAULT '',
    closing_criteria TEXT NOT NULL DEFAULT '',
    -- JSON list of attribute definitions
    attributes       TEXT NOT NULL DEFAULT '[]',
    keywords         TEXT NOT NULL DEFAULT '',
    active           INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
);

CREATE TABLE dispatch_rules (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    category_code   TEXT NOT NULL REFERENCES categories (code),
    region_code     TEXT NOT NULL REFERENCES regions (code),
    department_code TEXT NOT NULL REFERENCES departments (code),
    UNIQUE (category_code, region_code, department_code)
);

CREATE TABLE cases (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    number           TEXT NOT NULL UNIQUE,
    source           TEXT NOT NULL,
    category_code    TEXT NOT NULL REFERENCES categories (code),
    status           TEXT NOT NULL,
    pending          TEXT,
    evaluated        INTEGER NOT NULL DEFAULT 0 CHECK (evaluated IN (0, 1)),
    rating           INTEGER CHECK (rating BETWEEN 1 AND 5),
    description      TEXT NOT NULL,
    attributes       TEXT NOT NULL DEFAULT '{}',
    lat              DOUBLE PRECISION,
    lng              DOUBLE PRECISION,
    -- the deepest region holding the point, and the grid when there is one
    region_code      TEXT NOT NULL REFERENCES regions (code),
    grid_code        TEXT REFERENCES regions (code),
    address          TEXT NOT NULL DEFAULT '',
    building_id      BIGINT REFERENCES buildings (id),
    reporter_user    BIGINT REFERENCES users (id),
    reporter_resident BIGINT REFERENCES resident_accounts (id),
    -- contact details given with the report, sealed
    reporter_sealed  BLOB,
    external_ref     TEXT,
    department_code  TEXT REFERENCES departments (code),
    duplicate_of     BIGINT REFERENCES cases (id),
    rework_count     INTEGER NOT NULL DEFAULT 0,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    -- the step under way: when it started, its limit, when it is due
    step_started_at  BIGINT NOT NULL,
    step_limit_kind  TEXT NOT NULL CHECK (step_limit_kind IN ('W', 'N', '-')),
    step_limit_hours INTEGER NOT NULL,
    step_due_at      BIGINT,
    overdue_notified INTEGER NOT NULL DEFAULT 0 CHECK (overdue_notified IN (0, 1)),
    closed_at        BIGINT,
    UNIQUE (source, external_ref)
);
CREATE INDEX cases_status ON cases (status);
CREATE INDEX cases_region ON cases (region_code);
CREATE INDEX cases_department ON cases (department_code);
CREATE INDEX cases_category_created ON cases (category_code, created_at);
CREATE INDEX cases_due ON cases (step_due_at);

CREATE TABLE case_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id     BIGINT NOT NULL REFERENCES cases (id),
    at          BIGINT NOT NULL,
    actor_kind  TEXT NOT NULL,
    actor_id    BIGINT NOT NULL,
    actor_name  TEXT NOT NULL,
    action      TEXT NOT NULL,
    from_status TEXT,
    to_status   TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    data        TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX case_events_case ON case_events (case_id, id);

-- Holidays and make-up working days added after the build (years the shipped data lacks).
CREATE TABLE calendar_days (
    day     TEXT PRIMARY KEY NOT NULL,
    working INTEGER NOT NULL CHECK (working IN (0, 1)),
    name    TEXT NOT NULL
);
