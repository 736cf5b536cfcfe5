-- The community registry (社区云): households, residents, charging sheds, e-bikes, pledges.
-- Every record carries the region it belongs to (the building's grid or block), so
-- scoping is a prefix match. Personal values are sealed (AES-GCM); a keyed HMAC index
-- finds exact values and catches duplicates; the last four digits and the masked form
-- serve search and display.

ALTER TABLE buildings ADD COLUMN units INTEGER NOT NULL DEFAULT 1;
ALTER TABLE buildings ADD COLUMN year_built INTEGER;
ALTER TABLE buildings ADD COLUMN lift_stage TEXT;
ALTER TABLE buildings ADD COLUMN contact_name TEXT NOT NULL DEFAULT '';
ALTER TABLE buildings ADD COLUMN contact_phone_sealed BLOB;
ALTER TABLE buildings ADD COLUMN contact_phone_masked TEXT NOT NULL DEFAULT '';

CREATE TABLE households (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    building_id  BIGINT NOT NULL REFERENCES buildings (id),
    region_code  TEXT NOT NULL REFERENCES regions (code),
    unit         TEXT NOT NULL DEFAULT '',
    room         TEXT NOT NULL,
    registration TEXT NOT NULL CHECK (registration IN ('local', 'separated', 'migrant')),
    notes        TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    UNIQUE (building_id, unit, room)
);
CREATE INDEX households_region ON households (region_code);

CREATE TABLE residents (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    household_id  BIGINT NOT NULL REFERENCES households (id),
    region_code   TEXT NOT NULL REFERENCES regions (code),
    name          TEXT NOT NULL CHECK (length(trim(name)) > 0),
    gender        TEXT NOT NULL CHECK (gender IN ('male', 'female')),
    birth_date    TEXT NOT NULL,
    id_sealed     BLOB,
    id_index      TEXT UNIQUE,
    id_last4      TEXT NOT NULL DEFAULT '',
    id_masked     TEXT NOT NULL DEFAULT '',
    phone_sealed  BLOB,
    phone_index   TEXT,
    phone_last4   TEXT NOT NULL DEFAULT '',
    phone_masked  TEXT NOT NULL DEFAULT '',
    role          TEXT NOT NULL,
    tags          TEXT NOT NULL DEFAULT '',
    moved_in      TEXT,
    moved_out     TEXT,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX residents_household ON residents (household_id);
CREATE INDEX residents_region ON residents (region_code);
CREATE INDEX residents_name ON residents (name);
CREATE INDEX residents_phone_last4 ON residents (phone_last4);
CREATE INDEX residents_id_last4 ON residents (id_last4);
CREATE INDEX residents_phone_index ON residents (phone_index);

CREATE TABLE charging_sheds (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT NOT NULL UNIQUE,
    region_code TEXT NOT NULL REFERENCES regions (code),
    lat         DOUBLE PRECISION NOT NULL,
    lng         DOUBLE PRECISION NOT NULL,
    capacity    INTEGER NOT NULL CHECK (capacity > 0),
    facilities  TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL CHECK (status IN ('planned', 'building', 'in_use', 'closed')),
    opened_on   TEXT,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX charging_sheds_region ON charging_sheds (region_code);

CREATE TABLE ebikes (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_id      BIGINT NOT NULL REFERENCES residents (id),
    household_id  BIGINT NOT NULL REFERENCES households (id),
    region_code   TEXT NOT NULL REFERENCES regions (code),
    plate         TEXT NOT NULL UNIQUE,
    brand         TEXT NOT NULL DEFAULT '',
    battery       TEXT NOT NULL CHECK (battery IN ('lead_acid', 'lithium')),
    registered_on TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('active', 'scrapped', 'moved_away')),
    shed_id       BIGINT REFERENCES charging_sheds (id),
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX ebikes_region ON ebikes (region_code);
CREATE INDEX ebikes_owner ON ebikes (owner_id);

CREATE TABLE pledges (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    resident_id  BIGINT NOT NULL REFERENCES residents (id),
    region_code  TEXT NOT NULL REFERENCES regions (code),
    signed_on    TEXT NOT NULL,
    collected_by TEXT NOT NULL DEFAULT '',
    channel      TEXT NOT NULL CHECK (channel IN ('paper', 'online')),
    created_at   BIGINT NOT NULL
);
CREATE INDEX pledges_region ON pledges (region_code);
CREATE INDEX pledges_resident ON pledges (resident_id);
