-- Accounts, sessions, API keys, resident accounts and the audit log.
-- Personal fields are sealed (AES-256-GCM) in *_sealed columns; *_index columns hold the
-- HMAC blind index used for exact-match search.

CREATE TABLE users (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    username            TEXT NOT NULL UNIQUE CHECK (length(username) BETWEEN 2 AND 64),
    display_name        TEXT NOT NULL,
    password_hash       TEXT NOT NULL,
    disabled            INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    failed_logins       INTEGER NOT NULL DEFAULT 0,
    locked_until        BIGINT,
    totp_sealed         BLOB,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL
);

CREATE TABLE user_roles (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role    TEXT NOT NULL,
    PRIMARY KEY (user_id, role)
);

CREATE TABLE user_regions (
    user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    region_code TEXT NOT NULL REFERENCES regions (code),
    PRIMARY KEY (user_id, region_code)
);

CREATE TABLE resident_accounts (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    phone_sealed  BLOB NOT NULL,
    phone_index   TEXT NOT NULL UNIQUE,
    phone_masked  TEXT NOT NULL,
    display_name  TEXT NOT NULL DEFAULT '',
    region_code   TEXT REFERENCES regions (code),
    disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at    BIGINT NOT NULL,
    last_login_at BIGINT
);
CREATE INDEX resident_accounts_region ON resident_accounts (region_code);

CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY NOT NULL,
    user_id      BIGINT REFERENCES users (id) ON DELETE CASCADE,
    resident_id  BIGINT REFERENCES resident_accounts (id) ON DELETE CASCADE,
    csrf_token   TEXT NOT NULL,
    ip           TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    CHECK ((user_id IS NULL) <> (resident_id IS NULL))
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_resident ON sessions (resident_id);

-- One-time login codes for residents, by phone blind index; the code itself is hashed.
CREATE TABLE otp_codes (
    phone_index TEXT PRIMARY KEY NOT NULL,
    code_hash   TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    sent_at     BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);

-- What the development SMS sink "sent", shown on the dev inbox page.
CREATE TABLE sms_outbox (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    phone_masked TEXT NOT NULL,
    body         TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);

CREATE TABLE api_keys (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT NOT NULL UNIQUE CHECK (length(trim(name)) > 0),
    prefix       TEXT NOT NULL UNIQUE,
    secret_hash  TEXT NOT NULL,
    scopes       TEXT NOT NULL,
    -- comma-separated region codes; NULL means every region
    regions      TEXT,
    created_by   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at   BIGINT
);

-- Append-only. Each entry's hash covers its fields and the previous entry's hash.
CREATE TABLE audit_log (
    seq         BIGINT PRIMARY KEY NOT NULL,
    at          BIGINT NOT NULL,
    actor_kind  TEXT NOT NULL,
    actor_id    BIGINT NOT NULL,
    actor_name  TEXT NOT NULL,
    ip          TEXT NOT NULL,
    action      TEXT NOT NULL,
    object_kind TEXT NOT NULL,
    object_id   TEXT NOT NULL,
    outcome     TEXT NOT NULL CHECK (outcome IN ('ok', 'denied', 'failed')),
    detail      TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_actor ON audit_log (actor_name);

-- Where the chain starts once old entries have been purged after the retention period.
CREATE TABLE audit_anchor (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_anchor (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- The database itself refuses edits, and deletions inside the 180-day minimum retention.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit entries are append-only');
END;
CREATE TRIGGER audit_log_keep_180_days BEFORE DELETE ON audit_log
WHEN old.at > (CAST(strftime('%s', 'now') AS INTEGER) - 180 * 86400) * 1000
BEGIN
    SELECT RAISE(ABORT, 'audit entries are kept at least 180 days');
END;
