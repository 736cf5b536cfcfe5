//! The blob store: a directory by default; an S3-compatible bucket when
//! `TONGXIN_TEST_S3_ENDPOINT` names one (CI starts a local S3 server; see `.ci/run`).

use tongxin_store::blobs::{BlobConfig, Blobs, S3Config};

async fn round_trip(blobs: &Blobs) {
    blobs.check().await.unwrap();
    let key = format!("cases/2026/11/{}.jpg", tongxin_core::access::token::random_hex(8));
    assert_eq!(blobs.get(&key).await.unwrap(), None);
    blobs.put(&key, vec![0xFF, 0xD8, 0xFF, 1, 2, 3]).await.unwrap();
    assert_eq!(blobs.get(&key).await.unwrap().as_deref(), Some([0xFF, 0xD8, 0xFF, 1, 2, 3].as_slice()));
    blobs.put(&key, vec![9]).await.unwrap();
    assert_eq!(blobs.get(&key).await.unwrap(), Some(vec![9]), "a put replaces");
    blobs.delete(&key).await.unwrap();
    assert_eq!(blobs.get(&key).await.unwrap(), None);
    blobs.delete(&key).await.unwrap();
}

#[tokio::test]
async fn a_directory_keeps_blobs() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("photos");
    let blobs = Blobs::open(&BlobConfig::Directory(root.clone())).unwrap();
    round_trip(&blobs).await;
    blobs.put("cases/x.jpg", vec![1]).await.unwrap();
    assert_eq!(std::fs::read(root.join("cases/x.jpg")).unwrap(), [1]);
    assert!(format!("{blobs:?}").contains("directory"));
}

#[tokio::test]
async fn an_s3_bucket_keeps_blobs() {
    let Ok(endpoint) = std::env::var("TONGXIN_TEST_S3_ENDPOINT") else {
        eprintln!("TONGXIN_TEST_S3_ENDPOINT is not set: skipping the S3 test");
        return;
    };
    let config = S3Config {
        bucket: std::env::var("TONGXIN_TEST_S3_BUCKET").unwrap_or_else(|_| "tongxin-test".into()),
        endpoint: Some(endpoint),
        region: "us-east-1".into(),
        access_key_id: "testing".into(),
        secret_access_key: "testing-secret".into(),
    };
    let blobs = Blobs::open(&BlobConfig::S3(config)).unwrap();
    round_trip(&blobs).await;
    assert!(!format!("{blobs:?}").contains("testing-secret"), "the secret is never printed");
}
