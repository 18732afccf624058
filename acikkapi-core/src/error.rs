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

    // --- taxonomy ------------------------------------------------------------------------------
    /// A code that does not have the required form.
    #[error("geçersiz {what} kodu: {code:?}")]
    InvalidCode {
        /// Which kind of code (`"category"`, `"heading"`, `"institution type"`).
        what: &'static str,
        /// The code as given.
        code: String,
    },
    /// No category with that code in the taxonomy.
    #[error("bilinmeyen kategori: {code:?}")]
    UnknownCategory {
        /// The code as given.
        code: String,
    },
    /// A taxonomy file with one or more problems; all of them are listed.
    #[error("invalid taxonomy ({} problems):\n{}", problems.len(), problems.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n"))]
    InvalidTaxonomy {
        /// Every problem found.
        problems: Vec<Error>,
    },
    /// A data file declares a schema version this code does not read.
    #[error("unsupported schema version {found} (this version reads {supported})")]
    UnsupportedSchema {
        /// The file's schema.
        found: u32,
        /// The schema this code reads.
        supported: u32,
    },
    /// The same code defined twice.
    #[error("duplicate {what} code {code}")]
    DuplicateCode {
        /// Which kind of code.
        what: &'static str,
        /// The code.
        code: String,
    },
    /// A category under a heading that is not defined.
    #[error("category {category} is under unknown heading {heading}")]
    UnknownHeading {
        /// The category.
        category: String,
        /// The heading it names.
        heading: String,
    },
    /// A category whose code prefix is not its heading.
    #[error("category {category} must start with its heading {heading}.")]
    CategoryHeadingMismatch {
        /// The category.
        category: String,
        /// The heading it names.
        heading: String,
    },
    /// A category handled by an institution type that is not defined.
    #[error("category {category} names unknown institution type {institution}")]
    UnknownInstitutionType {
        /// The category.
        category: String,
        /// The institution type it names.
        institution: String,
    },
    /// A district-level category whose institution has no district units.
    #[error(
        "category {category} is district-level but institution type {institution} has no district unit (district_name_tr)"
    )]
    NoDistrictUnit {
        /// The category.
        category: String,
        /// The institution type.
        institution: String,
    },
    /// A category without any usable keyword.
    #[error("category {category} has no keywords")]
    NoKeywords {
        /// The category.
        category: String,
    },
    /// A heading without its catch-all `HEADING.DIGER` category.
    #[error("heading {heading} has no {heading}.DIGER (Diğer) category")]
    MissingOtherCategory {
        /// The heading.
        heading: String,
    },

    // --- stats ---------------------------------------------------------------------------------
    /// A number that is not written the Turkish way (`46.605`).
    #[error("geçersiz sayı: {0:?} (örnek: 46.605)")]
    InvalidNumber(String),
    /// A report dimension that does not exist.
    #[error(
        "bilinmeyen kırılım: {0:?} (heading, category, province, district, channel, kind, institution, unit, week, month, age, gender)"
    )]
    UnknownDimension(String),
    /// An output format that does not exist.
    #[error("bilinmeyen çıktı biçimi: {0:?} (table, csv, json, html)")]
    UnknownFormat(String),
    /// A line of a records file that is not a valid record.
    #[error("kayıt dosyası, satır {line}: {message}")]
    InvalidRecord {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

/// `Result` with the crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
