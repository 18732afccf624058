//! The crate's one error type.
//!
//! Every fallible function in `acikkapi-core` returns [`Result<T>`](Result). Variants name the problem
//! and carry the data needed to fix it. Messages are in Turkish where a citizen or an officer reads
//! them (validation), in English where an integrator does (I/O, data files).

/// Everything that can go wrong in `acikkapi-core`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    // --- geography -----------------------------------------------------------------------------
    /// A province plate outside 1..=81, or not a number.
    #[error("geçersiz il plaka kodu: {0:?} (01–81 olmalı)")]
    InvalidPlate(String),
    /// No province with that plate or name.
    #[error("bilinmeyen il: {0:?}")]
    UnknownProvince(String),
    /// No district with that name in the province.
    #[error("bilinmeyen ilçe: {district:?} ({plate} plakalı ilde böyle bir ilçe yok)")]
    UnknownDistrict {
        /// Province plate.
        plate: u8,
        /// The district name as given.
        district: String,
    },
    /// A bundled or user-supplied data file could not be parsed.
    #[error("data file {file}: line {line}: {message}")]
    DataFile {
        /// Which file.
        file: String,
        /// 1-based line number (0 when unknown).
        line: usize,
        /// What is wrong.
        message: String,
    },
}

/// `Result` with the crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
