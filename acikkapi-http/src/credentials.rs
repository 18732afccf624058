//! Kimlik bilgileri: the API keys of channels and integrators, stored only hashed.
//!
//! # The file
//! `credentials.json` in the data directory: `{"schema":1,"keys":[…],"users":[]}`. Each key is
//! `{"id","channel","label","sha256","created_at"}`; `users` is for the accounts with passwords
//! that come next (each with an argon2id PHC string in place of `sha256`), kept in the same file
//! so one atomic write covers a change of both. The file is replaced atomically: written to
//! `.credentials.json.tmp`, synced, renamed over, the directory synced; a crash leaves the old
//! file or the new one, never half of one. On Unix the file is made readable by its owner only.
//!
//! # Why SHA-256 and not argon2 for API keys
//! A key is `ak_<id>_<secret>`: `id` is 8 random bytes in hex (the lookup handle, not secret) and
//! `secret` 32 random bytes from the operating system (`getrandom`) in hex — 256 bits of entropy.
//! A slow, salted hash exists to make guessing a *low-entropy* secret (a password) expensive; no
//! amount of stretching changes the cost of guessing 256 random bits, which is out of reach
//! already. A fast hash lets every request be checked without spending ~50 ms of CPU on argon2,
//! which on a busy service would itself be a denial-of-service lever. Only the SHA-256 of the
//! secret is stored; the comparison is constant-time. Passwords (next session) will use argon2id.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use acikkapi_core::application::Channel;

/// The file name in the data directory.
pub const CREDENTIALS_FILE: &str = "credentials.json";

/// What reading or changing the credentials can fail with.
#[derive(Debug, thiserror::Error)]
pub enum CredentialError {
    /// Reading or writing the file failed.
    #[error("kimlik bilgileri dosyası {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// The file is not a credentials file of a known schema.
    #[error("kimlik bilgileri dosyası {path} okunamadı: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The operating system's random source failed.
    #[error("rastgele sayı üretilemedi: {0}")]
    Random(String),
}

/// One API key as stored: never the secret, only its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoredKey {
    /// The key's public handle (16 hex digits).
    pub id: String,
    /// The channel the key submits as.
    pub channel: Channel,
    /// A note for the operator (`"mobil uygulama"`), never shown to callers.
    #[serde(default)]
    pub label: String,
    /// SHA-256 of the secret, hex.
    pub sha256: String,
    /// When it was made.
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CredentialFile {
    schema: u32,
    #[serde(default)]
    keys: Vec<StoredKey>,
    /// Accounts with passwords: kept as read until the accounts module knows them.
    #[serde(default)]
    users: Vec<serde_json::Value>,
}

/// Who a valid API key is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyHolder {
    /// The key's id.
    pub id: String,
    /// The channel it submits as.
    pub channel: Channel,
}

/// A new key: the full text to give to the integrator once, and what was stored.
#[derive(Debug, Clone)]
pub struct IssuedKey {
    /// `ak_<id>_<secret>`: shown once, never stored.
    pub key: String,
    /// The stored record.
    pub stored: StoredKey,
}

/// The credentials of a data directory, loaded once at start (a key added while the service runs
/// is seen after a restart).
#[derive(Debug, Clone, Default)]
pub struct CredentialStore {
    by_id: BTreeMap<String, StoredKey>,
}

fn sha256_hex(data: &[u8]) -> String {
    let digest = Sha256::digest(data);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn random_hex(bytes: usize) -> Result<String, CredentialError> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(|e| CredentialError::Random(e.to_string()))?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

/// Constant-time equality of two byte strings of the same length (different lengths: `false`,
/// which tells only the length, and every stored hash has the same one).
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn read_file(path: &Path) -> Result<CredentialFile, CredentialError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(CredentialFile {
                schema: 1,
                ..CredentialFile::default()
            });
        }
        Err(source) => {
            return Err(CredentialError::Io {
                path: path.to_owned(),
                source,
            });
        }
    };
    let file: CredentialFile =
        serde_json::from_str(&text).map_err(|e| CredentialError::Invalid {
            path: path.to_owned(),
            message: e.to_string(),
        })?;
    if file.schema != 1 {
        return Err(CredentialError::Invalid {
            path: path.to_owned(),
            message: format!("bilinmeyen şema {}", file.schema),
        });
    }
    Ok(file)
}

/// Writes `bytes` to `path` atomically (temporary file, sync, rename, directory sync).
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), CredentialError> {
    let io = |source| CredentialError::Io {
        path: path.to_owned(),
        source,
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp"));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let result = (|| {
        let mut f = options.open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)?;
        std::fs::File::open(dir)?.sync_all()
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(io)
}

impl CredentialStore {
    /// Loads the credentials of `dir` (none yet: an empty store).
    pub fn load(dir: &Path) -> Result<CredentialStore, CredentialError> {
        let file = read_file(&dir.join(CREDENTIALS_FILE))?;
        Ok(CredentialStore {
            by_id: file.keys.into_iter().map(|k| (k.id.clone(), k)).collect(),
        })
    }

    /// Makes a key for `channel`, stores its hash in `dir`'s credentials file (atomically) and
    /// returns the key text, to be shown once.
    pub fn add_key(
        dir: &Path,
        channel: Channel,
        label: &str,
        now: DateTime<Utc>,
    ) -> Result<IssuedKey, CredentialError> {
        let path = dir.join(CREDENTIALS_FILE);
        let mut file = read_file(&path)?;
        let id = random_hex(8)?;
        let secret = random_hex(32)?;
        let stored = StoredKey {
            id: id.clone(),
            channel,
            label: label.to_owned(),
            sha256: sha256_hex(secret.as_bytes()),
            created_at: now,
        };
        file.keys.push(stored.clone());
        let mut bytes = serde_json::to_vec_pretty(&file).map_err(|e| CredentialError::Invalid {
            path: path.clone(),
            message: e.to_string(),
        })?;
        bytes.push(b'\n');
        write_atomic(&path, &bytes)?;
        Ok(IssuedKey {
            key: format!("ak_{id}_{secret}"),
            stored,
        })
    }

    /// How many keys are stored.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// Whether no key is stored.
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    /// Who `key` is, or `None` for a malformed, unknown or wrong key (one answer for all three).
    pub fn verify(&self, key: &str) -> Option<KeyHolder> {
        let rest = key.strip_prefix("ak_")?;
        let (id, secret) = rest.split_once('_')?;
        let stored = self.by_id.get(id)?;
        let hash = sha256_hex(secret.as_bytes());
        same(hash.as_bytes(), stored.sha256.as_bytes()).then(|| KeyHolder {
            id: stored.id.clone(),
            channel: stored.channel,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_verifies_and_nothing_else_does() {
        let dir = std::env::temp_dir().join(format!("acikkapi-cred-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let _ = std::fs::remove_file(dir.join(CREDENTIALS_FILE));
        let now = Utc::now();
        let a = CredentialStore::add_key(&dir, Channel::Web, "site", now).unwrap();
        let b = CredentialStore::add_key(&dir, Channel::Mobil, "", now).unwrap();
        let text = std::fs::read_to_string(dir.join(CREDENTIALS_FILE)).unwrap();
        let secret_a = a.key.rsplit('_').next().unwrap();
        assert!(!text.contains(secret_a), "the secret is not stored");
        assert!(text.contains(&a.stored.sha256));
        let store = CredentialStore::load(&dir).unwrap();
        assert_eq!(store.len(), 2);
        assert_eq!(store.verify(&a.key).unwrap().channel, Channel::Web);
        assert_eq!(store.verify(&b.key).unwrap().channel, Channel::Mobil);
        // Another key's secret under a's id, a changed secret, garbage: all refused.
        let secret_b = b.key.rsplit('_').next().unwrap();
        assert_eq!(
            store.verify(&format!("ak_{}_{secret_b}", a.stored.id)),
            None
        );
        let mut flipped = a.key.clone();
        let last = flipped.pop().unwrap();
        flipped.push(if last == '0' { '1' } else { '0' });
        assert_eq!(store.verify(&flipped), None);
        for bad in ["", "ak_", "ak__", "nope", &a.stored.id] {
            assert_eq!(store.verify(bad), None, "{bad}");
        }
        assert!(!dir.join(format!(".{CREDENTIALS_FILE}.tmp")).exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_broken_file_is_an_error_not_an_empty_store() {
        let dir = std::env::temp_dir().join(format!("acikkapi-cred-bad-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(CREDENTIALS_FILE), "{\"schema\":1,\"keys\":[").unwrap();
        assert!(matches!(
            CredentialStore::load(&dir),
            Err(CredentialError::Invalid { .. })
        ));
        std::fs::write(dir.join(CREDENTIALS_FILE), "{\"schema\":9}").unwrap();
        assert!(CredentialStore::load(&dir).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
