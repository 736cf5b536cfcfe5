-- The grid geography: the region tree and the buildings on it.
-- Times are BIGINT milliseconds since the Unix epoch (UTC); booleans are INTEGER 0/1.

CREATE TABLE regions (
    code        TEXT PRIMARY KEY NOT NULL CHECK (length(code) IN (6, 9, 12, 15, 18)),
    parent_code TEXT REFERENCES regions (code),
    level       TEXT NOT NULL CHECK (level IN ('district', 'subdistrict', 'community', 'grid', 'block')),
    name        TEXT NOT NULL CHECK (length(trim(name)) > 0),
    -- GeoJSON Polygon or MultiPolygon in WGS-84, required from community level down
    geometry    TEXT,
    updated_at  BIGINT NOT NULL,
    CHECK (geometry IS NOT NULL OR level IN ('district', 'subdistrict'))
);
CREATE INDEX regions_parent ON regions (parent_code);
CREATE INDEX regions_level ON regions (level);

CREATE TABLE buildings (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    grid_code    TEXT NOT NULL REFERENCES regions (code),
    block_code   TEXT REFERENCES regions (code),
    name         TEXT NOT NULL,
    address      TEXT NOT NULL CHECK (length(trim(address)) > 0),
    lat          DOUBLE PRECISION NOT NULL CHECK (lat BETWEEN -90 AND 90),
    lng          DOUBLE PRECISION NOT NULL CHECK (lng BETWEEN -180 AND 180),
    floors       INTEGER NOT NULL CHECK (floors BETWEEN 1 AND 200),
    has_elevator INTEGER NOT NULL CHECK (has_elevator IN (0, 1)),
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX buildings_grid ON buildings (grid_code);
CREATE UNIQUE INDEX buildings_address ON buildings (address);

-- Bumped in the same transaction as any change to regions, so every node can tell
-- when its in-memory locator is stale.
CREATE TABLE geo_revision (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    revision BIGINT NOT NULL
);
INSERT INTO geo_revision (id, revision) VALUES (1, 0);
