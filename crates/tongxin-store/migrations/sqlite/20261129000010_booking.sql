-- One door for services (一网通办 / 智慧养老): the catalogue (categories, services and their
-- eligibility rules), the sites that host them with their opening hours and closures, the
-- weekly timetables, the slots laid out from them, and bookings. A slot's `booked` counts
-- the bookings holding a seat; it only moves by a conditional update, and the CHECK below
-- is the last guard against overbooking.

ALTER TABLE residents ADD COLUMN care_level INTEGER CHECK (care_level BETWEEN 0 AND 6);

CREATE TABLE service_categories (
    code     TEXT PRIMARY KEY,
    name     TEXT NOT NULL,
    name_en  TEXT NOT NULL,
    position INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE services (
    code                  TEXT PRIMARY KEY,
    category_code         TEXT NOT NULL REFERENCES service_categories (code),
    name                  TEXT NOT NULL,
    name_en               TEXT NOT NULL,
    description           TEXT NOT NULL DEFAULT '',
    provider              TEXT NOT NULL DEFAULT '',
    home_visit            INTEGER NOT NULL DEFAULT 0,
    minutes               INTEGER NOT NULL CHECK (minutes > 0),
    min_age               INTEGER,
    registered_only       INTEGER NOT NULL DEFAULT 0,
    tags_any              TEXT NOT NULL DEFAULT '',
    care_level_min        INTEGER,
    per_day               INTEGER,
    per_month             INTEGER,
    price_fen             INTEGER NOT NULL DEFAULT 0 CHECK (price_fen >= 0),
    subsidy_fen           INTEGER NOT NULL DEFAULT 0 CHECK (subsidy_fen >= 0),
    cancel_cutoff_minutes INTEGER NOT NULL DEFAULT 0 CHECK (cancel_cutoff_minutes >= 0),
    documents             TEXT NOT NULL DEFAULT '',
    active                INTEGER NOT NULL DEFAULT 1,
    position              INTEGER NOT NULL DEFAULT 0,
    updated_at            BIGINT NOT NULL
);
CREATE INDEX services_category ON services (category_code, position);

CREATE TABLE sites (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    code        TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL CHECK (kind IN ('elder_centre', 'care_home', 'day_care', 'canteen', 'health_centre')),
    name        TEXT NOT NULL,
    name_en     TEXT NOT NULL DEFAULT '',
    region_code TEXT NOT NULL REFERENCES regions (code),
    address     TEXT NOT NULL DEFAULT '',
    -- opening hours, Monday first: seven "08:00-17:00" or "" joined with ';'
    hours       TEXT NOT NULL,
    updated_at  BIGINT NOT NULL
);

CREATE TABLE site_closures (
    site_id BIGINT NOT NULL REFERENCES sites (id),
    day     TEXT NOT NULL,
    reason  TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (site_id, day)
);

-- Which sites give which service (none: a home visit).
CREATE TABLE site_services (
    site_id      BIGINT NOT NULL REFERENCES sites (id),
    service_code TEXT NOT NULL REFERENCES services (code),
    PRIMARY KEY (site_id, service_code)
);

CREATE TABLE timetables (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    service_code TEXT NOT NULL REFERENCES services (code),
    weekday      INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    start_time   TEXT NOT NULL,
    capacity     INTEGER NOT NULL CHECK (capacity > 0),
    UNIQUE (service_code, weekday, start_time)
);

CREATE TABLE slots (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    service_code TEXT NOT NULL REFERENCES services (code),
    -- NULL for a home visit: the provider's staff capacity in that window
    site_id      BIGINT REFERENCES sites (id),
    starts_at    BIGINT NOT NULL,
    ends_at      BIGINT NOT NULL,
    capacity     INTEGER NOT NULL CHECK (capacity >= 0),
    booked       INTEGER NOT NULL DEFAULT 0,
    blocked      INTEGER NOT NULL DEFAULT 0,
    updated_at   BIGINT NOT NULL,
    CHECK (booked >= 0 AND booked <= capacity),
    CHECK (ends_at > starts_at)
);
CREATE UNIQUE INDEX slots_once ON slots (service_code, COALESCE(site_id, 0), starts_at);
CREATE INDEX slots_starts ON slots (starts_at);

CREATE TABLE bookings (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    slot_id         BIGINT NOT NULL REFERENCES slots (id),
    service_code    TEXT NOT NULL REFERENCES services (code),
    resident_id     BIGINT NOT NULL REFERENCES residents (id),
    region_code     TEXT NOT NULL REFERENCES regions (code),
    -- the slot's day in Shanghai (YYYY-MM-DD), for the per-day and per-month limits
    day             TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('confirmed', 'waitlisted', 'cancelled', 'checked_in', 'no_show')),
    channel         TEXT NOT NULL CHECK (channel IN ('app', 'operator', 'kiosk', 'api', 'staff')),
    actor_kind      TEXT NOT NULL,
    actor_id        BIGINT NOT NULL,
    actor_name      TEXT NOT NULL DEFAULT '',
    idempotency_key TEXT,
    -- when the day-before reminder was queued
    reminded_at     BIGINT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE UNIQUE INDEX bookings_idempotency ON bookings (actor_kind, actor_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
-- One live booking per resident per slot.
CREATE UNIQUE INDEX bookings_once ON bookings (slot_id, resident_id)
    WHERE status IN ('confirmed', 'waitlisted', 'checked_in');
CREATE INDEX bookings_resident ON bookings (resident_id, service_code, day);
CREATE INDEX bookings_slot ON bookings (slot_id, status, id);

-- Family members an elder lets book for them (代为预约): the family member signs in with
-- this phone and may book, see and cancel the elder's bookings.
CREATE TABLE booking_proxies (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    resident_id BIGINT NOT NULL REFERENCES residents (id),
    phone_index TEXT NOT NULL,
    -- the family member's phone, masked, for the elder's page
    phone_masked TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    UNIQUE (resident_id, phone_index)
);
CREATE INDEX booking_proxies_phone ON booking_proxies (phone_index);

-- Kiosks (自助终端): an API key with the kiosk scope, bound to the site it stands at.
CREATE TABLE kiosks (
    api_key_id BIGINT PRIMARY KEY REFERENCES api_keys (id),
    site_id    BIGINT NOT NULL REFERENCES sites (id),
    created_at BIGINT NOT NULL
);

-- A resident signed in at a kiosk: the token's hash, ended after 60 idle seconds.
CREATE TABLE kiosk_sessions (
    token_hash  TEXT PRIMARY KEY,
    api_key_id  BIGINT NOT NULL REFERENCES api_keys (id),
    resident_id BIGINT NOT NULL REFERENCES residents (id),
    created_at  BIGINT NOT NULL,
    last_seen   BIGINT NOT NULL
);

-- One-time sign-in codes a resident's phone shows as a QR code for a kiosk to scan.
CREATE TABLE kiosk_codes (
    code_hash   TEXT PRIMARY KEY,
    resident_id BIGINT NOT NULL REFERENCES residents (id),
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT
);

-- Booking notices go to a registry resident (by the phone in their record): recipient
-- kind 'person'. SQLite changes a CHECK by rebuilding the table.
CREATE TABLE notifications_new (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id         BIGINT REFERENCES cases (id),
    kind            TEXT NOT NULL,
    -- staff: users.id; resident: resident_accounts.id; contact: the case whose sealed
    -- reporter contact (a caller's phone) receives it; person: residents.id
    recipient_kind  TEXT NOT NULL CHECK (recipient_kind IN ('staff', 'resident', 'contact', 'person')),
    recipient_id    BIGINT NOT NULL,
    text            TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    claimed_until   BIGINT NOT NULL DEFAULT 0,
    last_error      TEXT NOT NULL DEFAULT '',
    delivered       TEXT NOT NULL DEFAULT '',
    sent_at         BIGINT,
    read_at         BIGINT
);
INSERT INTO notifications_new SELECT id, case_id, kind, recipient_kind, recipient_id, text, created_at, status,
    attempts, next_attempt_at, claimed_until, last_error, delivered, sent_at, read_at FROM notifications;
DROP TABLE notifications;
ALTER TABLE notifications_new RENAME TO notifications;
CREATE INDEX notifications_due ON notifications (status, next_attempt_at);
CREATE INDEX notifications_recipient ON notifications (recipient_kind, recipient_id, id);
