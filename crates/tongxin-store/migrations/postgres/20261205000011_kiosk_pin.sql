-- Kiosk PINs (终端口令): the second factor of a kiosk sign-in with an ID number, which
-- alone gives away the birth date. Only an argon2id hash is kept.
CREATE TABLE kiosk_pins (
    resident_id BIGINT PRIMARY KEY REFERENCES residents (id),
    pin_hash    TEXT NOT NULL,
    set_at      BIGINT NOT NULL
);

-- Failed kiosk sign-ins, counted in the database so that every node sees them. A subject
-- is 'id:' and the blind index of the ID number typed (never the number itself), or
-- 'kiosk:' and the kiosk's API key id. At the limit the subject is locked until
-- locked_until and its count starts again.
CREATE TABLE kiosk_throttle (
    subject      TEXT PRIMARY KEY,
    failures     BIGINT NOT NULL,
    window_start BIGINT NOT NULL,
    locked_until BIGINT
);
