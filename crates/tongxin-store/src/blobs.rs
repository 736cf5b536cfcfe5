//! [`Blobs`]: where uploaded files (case photos) live — a directory under the data
//! directory by default, or an S3-compatible bucket (AWS S3, MinIO, Aliyun OSS, Tencent
//! COS …) when one is configured. Both go through the `object_store` crate. Keys are made
//! by the server, never taken from a file name; the database keeps the key with the row.

use std::path::PathBuf;
use std::sync::Arc;

use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};

use crate::StoreError;

/// Where blobs go.
#[derive(Clone, PartialEq, Eq)]
pub enum BlobConfig {
    /// Files under this directory (created when missing).
    Directory(PathBuf),
    /// An S3-compatible bucket.
    S3(S3Config),
}

#[derive(Clone, PartialEq, Eq)]
pub struct S3Config {
    pub bucket: String,
    /// The service's URL, for anything but AWS itself (`http://127.0.0.1:9000` for MinIO).
    pub endpoint: Option<String>,
    pub region: String,
    pub access_key_id: String,
    pub secret_access_key: String,
}

impl std::fmt::Debug for BlobConfig {
    /// Never prints the secret key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BlobConfig::Directory(dir) => write!(f, "directory {}", dir.display()),
            BlobConfig::S3(s3) => {
                write!(f, "s3 bucket {} at {}", s3.bucket, s3.endpoint.as_deref().unwrap_or("AWS"))
            }
        }
    }
}

/// A handle on the blob store; cheap to clone.
#[derive(Clone)]
pub struct Blobs {
    inner: Arc<dyn ObjectStore>,
    describe: String,
}

impl std::fmt::Debug for Blobs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe)
    }
}

/// Chooses rustls's ring provider for every TLS connection the process makes (S3,
/// webhooks). Call it before building any HTTP client; calling it again does nothing.
pub fn install_tls() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

fn blob_error(e: object_store::Error) -> StoreError {
    StoreError::Blob(e.to_string())
}

impl Blobs {
    pub fn open(config: &BlobConfig) -> Result<Blobs, StoreError> {
        let describe = format!("{config:?}");
        let inner: Arc<dyn ObjectStore> = match config {
            BlobConfig::Directory(dir) => {
                std::fs::create_dir_all(dir)
                    .map_err(|e| StoreError::Blob(format!("cannot create {}: {e}", dir.display())))?;
                Arc::new(LocalFileSystem::new_with_prefix(dir).map_err(blob_error)?)
            }
            BlobConfig::S3(s3) => {
                install_tls();
                let mut builder = AmazonS3Builder::new()
                    .with_bucket_name(&s3.bucket)
                    .with_region(&s3.region)
                    .with_access_key_id(&s3.access_key_id)
                    .with_secret_access_key(&s3.secret_access_key);
                if let Some(endpoint) = &s3.endpoint {
                    builder = builder
                        .with_endpoint(endpoint)
                        .with_allow_http(endpoint.starts_with("http://"))
                        .with_virtual_hosted_style_request(false);
                }
                Arc::new(builder.build().map_err(blob_error)?)
            }
        };
        Ok(Blobs { inner, describe })
    }

    /// Writes `bytes` under `key`.
    pub async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), StoreError> {
        self.inner.put(&Path::from(key), PutPayload::from(bytes)).await.map_err(blob_error)?;
        Ok(())
    }

    /// The bytes under `key`, or `None` when there are none.
    pub async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        match self.inner.get(&Path::from(key)).await {
            Ok(found) => Ok(Some(found.bytes().await.map_err(blob_error)?.to_vec())),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(blob_error(e)),
        }
    }

    /// Removes `key`; a missing key is not an error.
    pub async fn delete(&self, key: &str) -> Result<(), StoreError> {
        match self.inner.delete(&Path::from(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(blob_error(e)),
        }
    }

    /// Whether the store answers: writes, reads back and removes a small probe.
    pub async fn check(&self) -> Result<(), StoreError> {
        let key = format!("probe/{}", tongxin_core::access::token::random_hex(8));
        self.put(&key, b"tongxin".to_vec()).await?;
        let read = self.get(&key).await?;
        self.delete(&key).await?;
        match read.as_deref() {
            Some(b"tongxin") => Ok(()),
            _ => Err(StoreError::Blob(format!("{self:?} did not give back what was written"))),
        }
    }
}
