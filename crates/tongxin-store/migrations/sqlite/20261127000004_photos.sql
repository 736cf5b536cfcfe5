-- Photos of cases. The files live in the blob store (a directory or an S3 bucket) under
-- keys the server made; a row says which case and which step of its timeline they belong
-- to. Only re-encoded images are kept: no EXIF, no GPS.
CREATE TABLE case_photos (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id      BIGINT NOT NULL REFERENCES cases (id),
    event_id     BIGINT REFERENCES case_events (id),
    object_key   TEXT NOT NULL UNIQUE,
    thumb_key    TEXT NOT NULL UNIQUE,
    content_type TEXT NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png')),
    width        BIGINT NOT NULL,
    height       BIGINT NOT NULL,
    bytes        BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    actor_name   TEXT NOT NULL
);
CREATE INDEX case_photos_case ON case_photos (case_id, id);
