//! The audit log's chain, its guards and its verification, on both backends.

use serde_json::json;
use tongxin_store::audit::{AuditEntry, AuditFilter, Caller, Outcome};
use tongxin_store::testing::TestDb;
use tongxin_store::{Backend, backend_tests};

async fn append(db: &TestDb, n: usize) {
    for i in 0..n {
        let entry = AuditEntry::ok("test.write", "thing", i).with_detail(json!({ "after": { "n": i } }));
        db.store.audit(&Caller::system("test"), entry).await.unwrap();
    }
}

/// Removes the database's own guards, as someone with direct access could.
async fn drop_guards(db: &TestDb) {
    let statements: &[&str] = match db.backend() {
        Backend::Sqlite => &["DROP TRIGGER audit_log_no_update", "DROP TRIGGER audit_log_keep_180_days"],
        Backend::Postgres => &["DROP TRIGGER audit_log_guard ON audit_log"],
    };
    for sql in statements {
        db.store.execute_raw(sql).await.unwrap();
    }
}

async fn a_fresh_chain_verifies(db: TestDb) {
    append(&db, 5).await;
    let v = db.store.verify_audit().await.unwrap();
    assert_eq!((v.checked, v.first_break), (5, None));
    let (entries, total) = db.store.audit_entries(&AuditFilter { limit: 2, ..Default::default() }).await.unwrap();
    assert_eq!(total, 5);
    assert_eq!(entries.iter().map(|e| e.seq).collect::<Vec<_>>(), [5, 4], "newest first");
    assert_eq!(
        entries[1].prev_hash,
        db.store.audit_entries(&AuditFilter { limit: 1, offset: 2, ..Default::default() }).await.unwrap().0[0].hash
    );
}

async fn concurrent_appends_keep_one_chain(db: TestDb) {
    let mut tasks = Vec::new();
    for i in 0..16 {
        let store = db.store.clone();
        tasks.push(tokio::spawn(async move {
            store.audit(&Caller::system("test"), AuditEntry::ok("test.concurrent", "thing", i)).await.unwrap()
        }));
    }
    let mut seqs = Vec::new();
    for t in tasks {
        seqs.push(t.await.unwrap());
    }
    seqs.sort();
    assert_eq!(seqs, (1..=16).collect::<Vec<i64>>());
    assert_eq!(db.store.verify_audit().await.unwrap().first_break, None);
}

async fn the_database_refuses_edits_and_early_deletes(db: TestDb) {
    append(&db, 2).await;
    assert!(db.store.execute_raw("UPDATE audit_log SET detail = '{}' WHERE seq = 1").await.is_err());
    assert!(db.store.execute_raw("DELETE FROM audit_log WHERE seq = 1").await.is_err());
    assert_eq!(db.store.verify_audit().await.unwrap().checked, 2);
}

async fn verify_names_an_edited_entry(db: TestDb) {
    append(&db, 5).await;
    drop_guards(&db).await;
    db.store.execute_raw("UPDATE audit_log SET detail = '{\"after\":{\"n\":99}}' WHERE seq = 3").await.unwrap();
    let v = db.store.verify_audit().await.unwrap();
    let b = v.first_break.expect("a break");
    assert_eq!(b.seq, 3);
    assert_eq!(b.reason, "entry 3 was edited after it was written");
    assert_eq!(v.checked, 2);
}

async fn verify_names_a_deleted_entry(db: TestDb) {
    append(&db, 5).await;
    drop_guards(&db).await;
    db.store.execute_raw("DELETE FROM audit_log WHERE seq = 2").await.unwrap();
    let b = db.store.verify_audit().await.unwrap().first_break.unwrap();
    assert_eq!((b.seq, b.reason.as_str()), (3, "entry 2 is missing (deleted)"));
}

async fn verify_names_a_reordered_entry(db: TestDb) {
    append(&db, 4).await;
    drop_guards(&db).await;
    // Swap entries 2 and 3 wholesale, renumbering them.
    for sql in [
        "UPDATE audit_log SET seq = 100 WHERE seq = 2",
        "UPDATE audit_log SET seq = 2 WHERE seq = 3",
        "UPDATE audit_log SET seq = 3 WHERE seq = 100",
    ] {
        db.store.execute_raw(sql).await.unwrap();
    }
    let b = db.store.verify_audit().await.unwrap().first_break.unwrap();
    assert_eq!(b.seq, 2);
    assert!(b.reason.contains("does not follow"), "{}", b.reason);
}

async fn purging_keeps_the_rest_verifiable(db: TestDb) {
    append(&db, 4).await;
    // Nothing is older than 180 days, and the database would refuse it anyway.
    assert_eq!(db.store.purge_audit(0).await.unwrap(), 0);
    assert!(db.store.purge_audit(i64::MAX).await.is_err(), "the database keeps 180 days");
    assert_eq!(db.store.verify_audit().await.unwrap().checked, 4);
    // Pretend the first two are a year old (which the guard would not allow).
    drop_guards(&db).await;
    db.store.execute_raw("UPDATE audit_log SET at = 1000 WHERE seq <= 2").await.unwrap();
    assert_eq!(db.store.purge_audit(2000).await.unwrap(), 2);
    let v = db.store.verify_audit().await.unwrap();
    assert_eq!((v.checked, v.first_break), (2, None));
    append(&db, 1).await;
    assert_eq!(db.store.verify_audit().await.unwrap().checked, 3);
}

async fn filters_by_actor_action_and_outcome(db: TestDb) {
    append(&db, 2).await;
    let denied = AuditEntry::ok("auth.login", "user", "x").with_outcome(Outcome::Failed);
    db.store.audit(&Caller::system("someone"), denied).await.unwrap();
    let find = |f: AuditFilter| {
        let store = db.store.clone();
        async move { store.audit_entries(&AuditFilter { limit: 50, ..f }).await.unwrap().1 }
    };
    assert_eq!(find(AuditFilter { actor: Some("someone".into()), ..Default::default() }).await, 1);
    assert_eq!(find(AuditFilter { action: Some("test.".into()), ..Default::default() }).await, 2);
    assert_eq!(find(AuditFilter { outcome: Some(Outcome::Failed), ..Default::default() }).await, 1);
}

backend_tests!(
    a_fresh_chain_verifies,
    concurrent_appends_keep_one_chain,
    the_database_refuses_edits_and_early_deletes,
    verify_names_an_edited_entry,
    verify_names_a_deleted_entry,
    verify_names_a_reordered_entry,
    purging_keeps_the_rest_verifiable,
    filters_by_actor_action_and_outcome,
);
