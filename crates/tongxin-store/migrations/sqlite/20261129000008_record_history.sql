-- A record's history is its audit entries: find them by object without scanning the log.
CREATE INDEX audit_log_object ON audit_log (object_kind, object_id, seq);
