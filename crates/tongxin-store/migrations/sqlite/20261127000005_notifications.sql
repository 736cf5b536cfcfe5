-- Notifications: one row per recipient, written in the same transaction as the step that
-- causes it (an outbox), delivered by a background worker on any node. A row is claimed
-- for a while before delivery, so two nodes never send it at once; a failed delivery is
-- retried later, and given up after a few tries. The text carries no personal data; a
-- phone number is unsealed only at delivery.
CREATE TABLE notifications (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id         BIGINT REFERENCES cases (id),
    kind            TEXT NOT NULL,
    -- staff: users.id; resident: resident_accounts.id; contact: the case whose sealed
    -- reporter contact (a caller's phone) receives it
    recipient_kind  TEXT NOT NULL CHECK (recipient_kind IN ('staff', 'resident', 'contact')),
    recipient_id    BIGINT NOT NULL,
    text            TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    claimed_until   BIGINT NOT NULL DEFAULT 0,
    last_error      TEXT NOT NULL DEFAULT '',
    -- the channels (sinks) that already carried it, so a retry does not repeat them
    delivered       TEXT NOT NULL DEFAULT '',
    sent_at         BIGINT,
    read_at         BIGINT
);
CREATE INDEX notifications_due ON notifications (status, next_attempt_at);
CREATE INDEX notifications_recipient ON notifications (recipient_kind, recipient_id, id);

-- Reporters of duplicates merged into a case: they hear of its progress too.
CREATE TABLE case_followers (
    case_id        BIGINT NOT NULL REFERENCES cases (id),
    recipient_kind TEXT NOT NULL CHECK (recipient_kind IN ('staff', 'resident', 'contact')),
    recipient_id   BIGINT NOT NULL,
    from_case      BIGINT NOT NULL REFERENCES cases (id),
    PRIMARY KEY (case_id, recipient_kind, recipient_id)
);

-- A duplicate merged into another case points at it.
ALTER TABLE cases ADD COLUMN merged_into BIGINT REFERENCES cases (id);
