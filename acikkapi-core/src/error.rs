//! The crate's one error type.
//!
//! Every fallible function in `acikkapi-core` returns [`Result<T>`](Result). Variants name the problem
//! and carry the data needed to fix it. Messages are in Turkish where a citizen or an officer reads
//! them (validation), in English where an integrator does (I/O, data files).
//!
//! Messages that carry text decoded from input (a JSON parser's message about a journal record,
//! a records file, an event history) show it through [`crate::redact`]: a TC Kimlik No or a phone
//! number that reached the parser is masked there, whoever built the error.

mod rejection;

pub(crate) use rejection::PAST_DATE_YEAR;
pub use rejection::{Field, Problem, Rejection};

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
    /// An application's event history that cannot be projected to a statistics record.
    #[error(
        "başvuru {instance}: istatistik kaydı çıkarılamadı: {}",
        crate::redact::message(message)
    )]
    Projection {
        /// The tracking number (workflow instance).
        instance: String,
        /// What is wrong.
        message: String,
    },
    /// A journal file that does not hold the application workflow (e.g. the SMS outbox's).
    #[error("{path}: başvuru süreci günlüğü değil (ilk kayıt: {found:?})")]
    NotApplicationJournal {
        /// The file.
        path: std::path::PathBuf,
        /// The workflow its first record names (`"?"` when it names none).
        found: String,
    },
    /// A line of a records file that is not a valid record.
    #[error("kayıt dosyası, satır {line}: {}", crate::redact::serde_text(message))]
    InvalidRecord {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },

    // --- workflow ------------------------------------------------------------------------------
    /// A command that the workflow does not allow in the instance's current state.
    #[error("geçersiz işlem: {workflow} süreci {state:?} durumundayken {command:?} yapılamaz")]
    InvalidTransition {
        /// The workflow's name.
        workflow: &'static str,
        /// The state the instance is in (`"none"` when it does not exist).
        state: String,
        /// The command that was refused.
        command: String,
    },
    /// Optimistic concurrency: the instance changed since the caller read it.
    #[error("sürüm çakışması: {instance} için beklenen sürüm {expected}, güncel sürüm {actual}")]
    Conflict {
        /// The instance.
        instance: String,
        /// The version the command expected.
        expected: u64,
        /// The instance's version now.
        actual: u64,
    },
    /// No workflow instance with that id (or tracking number).
    #[error("kayıt bulunamadı: {0}")]
    UnknownInstance(String),
    /// The actor's role or unit may not do this, or may not see this instance.
    #[error("yetkisiz işlem: {role} rolü {action} yapamaz")]
    Forbidden {
        /// The role (Turkish name).
        role: String,
        /// What was attempted.
        action: String,
    },
    /// A business rule refused the command (e.g. the 2020 circular on Açık Kapı staff).
    #[error("kural ihlali: {rule}")]
    GuardFailed {
        /// The rule, in Turkish.
        rule: String,
    },
    /// A command id used again for a different instance.
    #[error("komut numarası {command} başka bir kayıtta ({instance}) kullanılmış")]
    CommandIdReused {
        /// The command id.
        command: String,
        /// The instance it was first used on.
        instance: String,
    },
    /// A journal record that cannot be read or does not fit the history before it.
    #[error(
        "corrupt workflow history at record {seq}: {}",
        crate::redact::serde_text(message)
    )]
    CorruptHistory {
        /// Sequence number of the record.
        seq: u64,
        /// What is wrong.
        message: String,
    },
    /// The event log or the snapshot store failed.
    #[error("workflow storage: {message}")]
    WorkflowStorage {
        /// What failed.
        message: String,
    },
    // --- org ---------------------------------------------------------------------------------------
    /// A unit id that does not have the form `PP.PART[.PART…]` (`PP` = two-digit plate or `TR`,
    /// parts `[A-Z0-9_]+`), or an officer id of the wrong form.
    #[error("geçersiz {what} kimliği: {id:?}")]
    InvalidOrgId {
        /// `"unit"` or `"officer"`.
        what: &'static str,
        /// The id as given.
        id: String,
    },
    /// An organisation file with one or more problems; all of them are listed.
    #[error("invalid organisation {file} ({} problems):\n{}", problems.len(), problems.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n"))]
    InvalidOrganisation {
        /// Which file (or `"generated"`).
        file: String,
        /// Every problem found.
        problems: Vec<Error>,
    },
    /// The same unit or officer id defined twice.
    #[error("duplicate {what} id {id}")]
    DuplicateOrgId {
        /// `"unit"` or `"officer"`.
        what: &'static str,
        /// The id.
        id: String,
    },
    /// A unit refers (as parent, escalation target…) to a unit that is not defined.
    #[error("unit {unit}: {field} refers to unknown unit {target}")]
    UnknownUnitRef {
        /// The referring unit.
        unit: String,
        /// Which field (`parent`, `escalates_to`, `district`…).
        field: &'static str,
        /// The unknown id.
        target: String,
    },
    /// A unit refers to an officer that is not defined (or does not have the required role).
    #[error(
        "unit {unit}: {field} refers to unknown officer {officer} (or one without role {role})"
    )]
    UnknownOfficerRef {
        /// The referring unit.
        unit: String,
        /// Which field.
        field: &'static str,
        /// The officer id.
        officer: String,
        /// The role the officer must have.
        role: String,
    },
    /// Escalation edges that form a cycle; the cycle is named unit by unit.
    #[error("{edge} cycle: {}", cycle.join(" → "))]
    OrgCycle {
        /// `"escalation"` or `"parent"`.
        edge: &'static str,
        /// The units of the cycle, the first repeated at the end.
        cycle: Vec<String>,
    },
    /// An escalation chain that stops before reaching the valilik.
    #[error("unit {unit}: escalation chain ends at {end}, not at the valilik")]
    EscalationDeadEnd {
        /// The unit whose chain it is.
        unit: String,
        /// Where the chain stops.
        end: String,
    },
    /// A unit that handles applications but has no authorised officer (yetkili).
    #[error("unit {unit} handles applications but has no authorised officer (yetkili)")]
    NoOfficer {
        /// The unit.
        unit: String,
    },
    /// A unit that handles applications but has no substitute officer (yedek).
    #[error("unit {unit} has no substitute officer (yedek)")]
    NoSubstitute {
        /// The unit.
        unit: String,
    },
    /// A unit without an officer its kind requires (the head of an institution, the vali, the kaymakam…).
    #[error("unit {unit} has no officer with role {role}")]
    MissingRole {
        /// The unit.
        unit: String,
        /// The missing role (`head`, `vali`, `vali_yardimcisi`, `kaymakam`).
        role: String,
    },
    /// An organisation without a unit it must have (valilik, Açık Kapı şube, OHAL bureau…).
    #[error("organisation of province {plate} has no {what}")]
    MissingUnit {
        /// Province plate.
        plate: u8,
        /// What is missing.
        what: String,
    },
    /// A unit placed in a district the province does not have.
    #[error("unit {unit}: unknown district {district:?}")]
    OrgUnknownDistrict {
        /// The unit.
        unit: String,
        /// The district as written.
        district: String,
    },
    /// A unit that handles an institution type the taxonomy does not define.
    #[error("unit {unit}: unknown institution type {institution}")]
    OrgUnknownInstitutionType {
        /// The unit.
        unit: String,
        /// The type as written.
        institution: String,
    },
    /// A unit whose id or placement does not fit its kind or province.
    #[error("unit {unit}: {message}")]
    BadUnit {
        /// The unit.
        unit: String,
        /// What is wrong.
        message: String,
    },
    /// A routing request for another province than the router's.
    #[error("bu yönlendirici {expected} plakalı il içindir; başvuru {found} plakalı ile ait")]
    ProvinceMismatch {
        /// The router's province.
        expected: u8,
        /// The request's province.
        found: u8,
    },
    /// No unit with that id in the organisation.
    #[error("bilinmeyen birim: {0}")]
    UnknownUnit(String),
    // --- calendar ------------------------------------------------------------------------------
    /// A date outside the years the calendar supports.
    #[error("date {date} is outside the supported calendar years {}–{}", supported.start(), supported.end())]
    DateOutOfRange {
        /// The date asked for.
        date: chrono::NaiveDate,
        /// The supported Gregorian years.
        supported: std::ops::RangeInclusive<i32>,
    },
    /// A year outside the years the calendar supports.
    #[error("year {year} is outside the supported calendar years {}–{}", supported.start(), supported.end())]
    YearOutOfRange {
        /// The year asked for.
        year: i32,
        /// The supported Gregorian years.
        supported: std::ops::RangeInclusive<i32>,
    },
    /// A Hijri month outside what the astronomical computation accepts.
    #[error("Hijri month {year}/{month} is outside the computable range {}–{} AH (months 1–12)", supported.start(), supported.end())]
    HijriOutOfRange {
        /// Hijri year.
        year: i32,
        /// Hijri month.
        month: u32,
        /// The computable Hijri years.
        supported: std::ops::RangeInclusive<i32>,
    },
    /// Business-day arithmetic left the supported years (e.g. adding a huge count).
    #[error("business-day count {n} from {date} leaves the supported calendar years {}–{}", supported.start(), supported.end())]
    BusinessDaysOutOfRange {
        /// The start date.
        date: chrono::NaiveDate,
        /// The count asked for.
        n: i64,
        /// The supported Gregorian years.
        supported: std::ops::RangeInclusive<i32>,
    },
    /// A local time that does not exist or is ambiguous in the İstanbul time zone.
    #[error("invalid local time {0} in Europe/Istanbul")]
    InvalidLocalTime(chrono::NaiveDateTime),
    // --- journal -------------------------------------------------------------------------------
    /// Reading, writing or syncing a journal or snapshot file failed.
    #[error("journal {path}: I/O error: {source}")]
    JournalIo {
        /// The file.
        path: std::path::PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The journal holds damaged data that is not a torn tail (valid records follow a bad one), or
    /// a snapshot file is damaged. Nothing was truncated.
    #[error("journal {path}: corrupt at byte offset {offset}: {reason}")]
    JournalCorrupt {
        /// The file.
        path: std::path::PathBuf,
        /// Byte offset of the first bad record (or of the bad field in a snapshot).
        offset: u64,
        /// What is wrong.
        reason: String,
    },
    /// The file is not a journal (or snapshot) of a format this code reads: wrong magic, unknown version.
    #[error("journal {path}: not a journal of a supported format: {reason}")]
    JournalFormat {
        /// The file.
        path: std::path::PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// Another writer holds the journal: another process, or another writable `FileJournal` on the
    /// same file in this one. Opening it too would let both cut each other's unfinished tail.
    #[error("journal {path}: in use by another writer (the file is locked)")]
    JournalLocked {
        /// The file.
        path: std::path::PathBuf,
    },
    /// A store on a server (e.g. the PostgreSQL journal of `acikkapi-postgres`) could not be
    /// reached or failed. `retryable` says whether the same call may succeed later unchanged
    /// (connection lost or refused, timeout, server shutting down, serialization failure); when
    /// false, retrying does not help (wrong schema, permission denied, bad configuration). Nothing
    /// the failed call would have written is visible unless the store says so.
    #[error("store unavailable ({}): {message}", if *retryable { "retryable" } else { "not retryable" })]
    StoreUnavailable {
        /// The same call may succeed later.
        retryable: bool,
        /// What failed (no credentials).
        message: String,
    },
    /// A conditional append expected another last sequence number: someone appended in between.
    #[error("journal: concurrency conflict: expected last sequence {expected}, found {actual}")]
    ConcurrencyConflict {
        /// The last sequence number the caller expected.
        expected: u64,
        /// The journal's actual last sequence number.
        actual: u64,
    },
    /// The journal cannot take writes: opened read-only, or an earlier write or fsync failed
    /// (after a failed fsync the state of the file is unknown; reopen to recover).
    #[error("journal {path}: not writable: {reason}")]
    JournalUnwritable {
        /// The file (empty for in-memory journals).
        path: std::path::PathBuf,
        /// Why.
        reason: String,
    },
    /// A record or snapshot is too large for the format, or a snapshot claims a sequence the
    /// journal does not have yet.
    #[error("journal: invalid request: {0}")]
    JournalInvalid(String),
    /// A snapshot file that was not made from this journal's records: its position or record
    /// digest does not match the journal, it covers records the journal does not have, or it is
    /// of format 1, which carries no binding. The journal still holds every record, so the engine
    /// replays them all instead of using it.
    #[error("journal snapshot {path} (sequence {seq}) does not match its journal: {reason}")]
    SnapshotMismatch {
        /// The snapshot file.
        path: std::path::PathBuf,
        /// The last record the snapshot claims to cover.
        seq: u64,
        /// What does not match.
        reason: String,
    },
    /// A typed event could not be encoded to, or decoded from, its JSON payload.
    #[error(
        "journal: JSON payload of record {seq}: {}",
        crate::redact::serde_error(source)
    )]
    JournalPayload {
        /// The record's sequence number (0 when encoding a new record).
        seq: u64,
        /// serde_json's error.
        source: serde_json::Error,
    },

    // --- notify --------------------------------------------------------------------------------
    /// A delivery failed for a reason that may go away (gateway down, timeout, rate limit): retry later.
    #[error("bildirim gönderilemedi (geçici hata, yeniden denenecek): {reason}")]
    NotifyTransient {
        /// The gateway's message.
        reason: String,
    },
    /// A delivery failed for good (invalid number, blocked recipient, rejected content): do not retry.
    #[error("bildirim gönderilemedi (kalıcı hata): {reason}")]
    NotifyPermanent {
        /// The gateway's message.
        reason: String,
    },
    /// A message template uses a placeholder for which no value was given.
    #[error("şablon {template}: {{{placeholder}}} için değer verilmedi")]
    MissingPlaceholder {
        /// The template's name.
        template: String,
        /// The placeholder's name.
        placeholder: String,
    },
    /// A message template is malformed (unclosed `{`, empty placeholder name…).
    #[error("şablon {template}: {reason}")]
    TemplateSyntax {
        /// The template's name.
        template: String,
        /// What is wrong.
        reason: String,
    },

    // --- identifiers ---------------------------------------------------------------------------
    /// A TC Kimlik No that does not parse.
    #[error(transparent)]
    Tckn(#[from] TcknError),
    /// A phone number that is not a Turkish mobile number.
    #[error(transparent)]
    Phone(#[from] PhoneError),
    /// A tracking number that does not parse or whose check digit is wrong.
    #[error(transparent)]
    TrackingNumber(#[from] TrackingNumberError),
    // --- validation ----------------------------------------------------------------------------
    /// An application input with incomplete, false or erroneous data: *işleme alınmaz*
    /// (not processed). Every problem is listed, one per line.
    #[error("başvuru işleme alınamaz (eksik, yanlış veya hatalı bilgi):\n{0}")]
    Rejected(#[from] Rejection),
    // --- sim -----------------------------------------------------------------------------------
    /// A simulation policy or model file that does not parse or has an impossible value.
    #[error("geçersiz simülasyon {what}: {message}")]
    InvalidSimulation {
        /// `"policy"`, `"model"` or `"options"`.
        what: &'static str,
        /// What is wrong.
        message: String,
    },
}

impl Error {
    /// Whether the error concerns the journal (storage): I/O, corruption, format, a journal that
    /// cannot take writes or is locked by another writer, an invalid request or payload, a store
    /// server that cannot be reached. Bindings map these to one exception class; an integrator may
    /// retry ([`is_retryable`](Error::is_retryable)) or alert on them.
    pub fn is_journal(&self) -> bool {
        matches!(
            self,
            Error::JournalIo { .. }
                | Error::JournalCorrupt { .. }
                | Error::JournalFormat { .. }
                | Error::JournalUnwritable { .. }
                | Error::JournalLocked { .. }
                | Error::JournalInvalid(_)
                | Error::JournalPayload { .. }
                | Error::SnapshotMismatch { .. }
                | Error::StoreUnavailable { .. }
        )
    }

    /// Whether the same call may succeed later unchanged: a store that could not be reached or
    /// timed out ([`Error::StoreUnavailable`] with `retryable`). A
    /// [`ConcurrencyConflict`](Error::ConcurrencyConflict) is not: the caller must read the new
    /// records and decide again.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            Error::StoreUnavailable {
                retryable: true,
                ..
            }
        )
    }
}

/// `Result` with the crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

// --- identifiers -------------------------------------------------------------------------------
// The identifier errors are small enums of their own (cloneable, comparable, serializable) so that a
// validation `Problem` can carry them; they convert into `Error` with `?`. The offending input is
// always carried *masked* (see `crate::ids::mask_input`): errors end up in logs.

/// Why a string is not a valid T.C. Kimlik No (or Yabancı Kimlik No).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize)]
#[serde(tag = "error", rename_all = "snake_case")]
#[non_exhaustive]
pub enum TcknError {
    /// Not exactly 11 digits.
    #[error("T.C. Kimlik No 11 haneli olmalı ({len} hane girildi: {input})")]
    WrongLength {
        /// The input, masked.
        input: String,
        /// Number of characters given (after trimming).
        len: usize,
    },
    /// Contains something other than the digits 0–9.
    #[error("T.C. Kimlik No yalnızca rakamlardan oluşmalı ({input})")]
    NotDigits {
        /// The input, masked.
        input: String,
    },
    /// Starts with 0.
    #[error("T.C. Kimlik No 0 ile başlayamaz ({input})")]
    LeadingZero {
        /// The input, masked.
        input: String,
    },
    /// The 10th or 11th digit does not match the checksum: a typo or an invented number.
    #[error("T.C. Kimlik No geçersiz: kontrol haneleri tutmuyor ({input})")]
    Checksum {
        /// The input, masked.
        input: String,
    },
}

/// Why a string is not a Turkish mobile phone number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize)]
#[serde(tag = "error", rename_all = "snake_case")]
#[non_exhaustive]
pub enum PhoneError {
    /// Nothing but spaces and separators.
    #[error("Telefon numarası boş")]
    Empty,
    /// A character other than digits, spaces, `-`, `.`, `(`, `)` or a leading `+`.
    #[error("Telefon numarasında geçersiz karakter var ({input})")]
    InvalidCharacter {
        /// The input, masked.
        input: String,
    },
    /// An international number with a country code other than +90.
    #[error("Telefon numarası Türkiye numarası (+90) olmalı ({input})")]
    NotTurkish {
        /// The input, masked.
        input: String,
    },
    /// A Turkish number that is not a mobile number (landlines start with 2, 3 or 4).
    #[error("Telefon numarası bir cep telefonu numarası (5xx) olmalı ({input})")]
    NotMobile {
        /// The input, masked.
        input: String,
    },
    /// A 10-digit `5xx` number outside the ranges allocated to mobile networks (512 pagers, 592
    /// satellite personal numbers, unallocated blocks): an SMS cannot reach it. The ranges are
    /// libphonenumber's (see [`PhoneNumber`](crate::ids::PhoneNumber)).
    #[error(
        "Telefon numarası SMS alabilen bir cep telefonu numarası değil: 0{prefix} {} ({input})",
        .range.description_tr()
    )]
    NoSms {
        /// The first three digits of the national number (`512`): the range, not the subscriber.
        prefix: String,
        /// What the range is.
        range: NonMobileRange,
        /// The input, masked.
        input: String,
    },
    /// Too few or too many digits for `05xx xxx xx xx`.
    #[error("Telefon numarası 05xx xxx xx xx biçiminde 11 haneli olmalı ({input})")]
    WrongLength {
        /// The input, masked.
        input: String,
    },
}

/// What a `5xx` number that is not a mobile number is, by the numbering plan
/// ([`PhoneError::NoSms`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NonMobileRange {
    /// Çağrı cihazı: the 512 pager range.
    Pager,
    /// Kişisel numara: 592, satellite (GMPCS) personal numbers.
    PersonalNumber,
    /// A block allocated to no mobile network.
    Unallocated,
}

impl NonMobileRange {
    /// The Turkish phrase used in [`PhoneError::NoSms`]'s message, after the range (`0512 …`).
    pub fn description_tr(self) -> &'static str {
        match self {
            NonMobileRange::Pager => "çağrı cihazı (pager) numaralarına ayrılmış",
            NonMobileRange::PersonalNumber => "uydu telefonu kişisel numaralarına (GMPCS) ayrılmış",
            NonMobileRange::Unallocated => {
                "ile başlayan bu numara bir mobil operatöre tahsis edilmiş bir aralıkta değil"
            }
        }
    }
}

/// Why a string is not a valid tracking number (`AK-20-2026-0001234-7`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize)]
#[serde(tag = "error", rename_all = "snake_case")]
#[non_exhaustive]
pub enum TrackingNumberError {
    /// Not of the form `AK-PP-YYYY-SSSSSSS-C`.
    #[error("Başvuru takip numarası AK-PP-YYYY-SSSSSSS-C biçiminde olmalı ({input:?})")]
    Format {
        /// The input as given (not personal data).
        input: String,
    },
    /// The check digit does not match: a digit was misread, mistyped or two digits were swapped.
    #[error("Başvuru takip numarası hatalı: kontrol hanesi tutmuyor ({input:?})")]
    CheckDigit {
        /// The input as given.
        input: String,
    },
    /// The province plate is not 01–81.
    #[error("Başvuru takip numarasındaki il plakası geçersiz: {plate:02} (01–81 olmalı)")]
    Plate {
        /// The plate given.
        plate: u8,
    },
    /// The year is not 2000–9999.
    #[error("Başvuru takip numarasındaki yıl geçersiz: {year}")]
    Year {
        /// The year given.
        year: u16,
    },
    /// The sequence number is not 1–9 999 999.
    #[error("Başvuru takip numarasındaki sıra numarası geçersiz: {seq}")]
    Sequence {
        /// The sequence number given.
        seq: u32,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A JSON parser error that quotes a TCKN sent as a number.
    fn parser_error() -> serde_json::Error {
        match serde_json::from_str::<String>("10000000146") {
            Err(e) => e,
            Ok(s) => panic!("parsed {s}"),
        }
    }

    #[test]
    fn parser_messages_in_errors_are_masked() {
        let raw = parser_error().to_string();
        assert!(raw.contains("10000000146"), "{raw}");
        for e in [
            Error::JournalPayload {
                seq: 7,
                source: parser_error(),
            },
            Error::CorruptHistory {
                seq: 7,
                message: raw.clone(),
            },
            Error::InvalidRecord {
                line: 7,
                message: raw.clone(),
            },
            Error::Projection {
                instance: "AK-20-2026-0000007-3".into(),
                message: "telefon 0532 123 45 67".into(),
            },
        ] {
            let shown = e.to_string();
            assert!(shown.contains('7'), "{shown}");
            assert!(
                !shown.contains("0000001") && !shown.contains("123 45"),
                "{shown}"
            );
        }
    }
}
