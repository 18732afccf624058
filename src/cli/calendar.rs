//! `acikkapi calendar`: holidays, bayrams and business-day arithmetic on the Turkish calendar.
//!
//! - `holidays YEAR [--calendar legal|public] [--no-table]`: CSV `date,name,kind,source`, one row per
//!   day (two holidays on one day: names and sources joined by `; `), sorted by date. Default
//!   calendar: `legal` (the law and the bayrams; `public` adds idari izin).
//! - `add DATE N` / `add --stdin` (lines `DATE,N` → `DATE,N,RESULT`), `between A B`: legal calendar
//!   by default, half days count as business days unless `--half-days-off`.
//! - `bayrams FROM_YEAR TO_YEAR [--no-table]`: CSV `hijri_year,bayram,first_day,source`.

use acikkapi_core::calendar::{
    Calendar, CalendarKind, CalendarOptions, HalfDayPolicy, Holiday, HolidayKind,
    bayrams_between_years,
};
use chrono::NaiveDate;
use clap::{Args, Subcommand, ValueEnum};

use super::{CliError, CliResult, Io, csv_field};

/// Which calendar to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Which {
    /// Law 2429 and the bayrams.
    Legal,
    /// Legal plus idari izin (administrative leave of public servants).
    Public,
}

/// Options shared by the business-day subcommands.
#[derive(Debug, Clone, Args)]
pub struct CalendarArgs {
    /// Calendar: `legal` (default) or `public` (with idari izin).
    #[arg(long, value_enum, default_value = "legal")]
    pub calendar: Which,
    /// Half days (arife, 28 October) are not business days.
    #[arg(long)]
    pub half_days_off: bool,
    /// Ignore the Diyanet bayram table: compute every bayram astronomically.
    #[arg(long)]
    pub no_table: bool,
}

/// `acikkapi calendar` subcommands.
#[derive(Debug, Subcommand)]
pub enum CalendarCmd {
    /// List the holidays of YEAR as CSV `date,name,kind,source`.
    Holidays {
        /// Gregorian year (1981–2200).
        year: i32,
        /// Calendar options.
        #[command(flatten)]
        opts: CalendarArgs,
    },
    /// Print the N-th business day after DATE (negative N: before; 0: DATE or the next business day).
    Add {
        /// Start date (YYYY-MM-DD); omit with --stdin.
        date: Option<String>,
        /// Number of business days.
        #[arg(allow_negative_numbers = true)]
        n: Option<i64>,
        /// Read lines `DATE,N` from standard input and print `DATE,N,RESULT`.
        #[arg(long, conflicts_with_all = ["date", "n"])]
        stdin: bool,
        /// Calendar options.
        #[command(flatten)]
        opts: CalendarArgs,
    },
    /// Print the number of business days in (A, B] (negative if B is before A).
    Between {
        /// First date (YYYY-MM-DD).
        a: String,
        /// Second date (YYYY-MM-DD).
        b: String,
        /// Calendar options.
        #[command(flatten)]
        opts: CalendarArgs,
    },
    /// List the bayrams whose first day falls in FROM_YEAR..=TO_YEAR as CSV
    /// `hijri_year,bayram,first_day,source`.
    Bayrams {
        /// First Gregorian year.
        from_year: i32,
        /// Last Gregorian year.
        to_year: i32,
        /// Ignore the Diyanet table: compute every bayram astronomically.
        #[arg(long)]
        no_table: bool,
    },
}

fn calendar(opts: &CalendarArgs) -> Calendar {
    let kind = match opts.calendar {
        Which::Legal => CalendarKind::Legal,
        Which::Public => CalendarKind::PublicSector,
    };
    let half_day_policy = if opts.half_days_off {
        HalfDayPolicy::NotBusinessDay
    } else {
        HalfDayPolicy::CountsAsBusinessDay
    };
    Calendar::new(CalendarOptions {
        kind,
        half_day_policy,
        no_bayram_table: opts.no_table,
        ..Default::default()
    })
}

/// One line `DATE,N` of `calendar add --stdin` (already trimmed, not empty): the date and the
/// number of business days, or the message for the user. Public for the fuzz target
/// (`acikkapi::fuzzing::calendar_add_line`).
///
/// ```
/// use acikkapi::cli::calendar::parse_add_line;
/// let (d, n) = parse_add_line("2026-11-23, -3").unwrap();
/// assert_eq!((d.to_string(), n), ("2026-11-23".to_string(), -3));
/// assert!(parse_add_line("2026-11-23;3").is_err());
/// ```
pub fn parse_add_line(text: &str) -> Result<(NaiveDate, i64), String> {
    let Some((d, k)) = text.split_once(',') else {
        return Err(format!("beklenen TARİH,N, gelen {text:?}"));
    };
    let d = parse_date(d)?;
    let k: i64 = k
        .trim()
        .parse()
        .map_err(|_| format!("geçersiz sayı {:?}", k.trim()))?;
    Ok((d, k))
}

/// A date argument `YYYY-MM-DD` (surrounding spaces allowed), or the message for the user.
pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|e| format!("geçersiz tarih {s:?} (YYYY-AA-GG): {e}"))
}

/// One CSV row per day: names and sources joined by `; `, kind from the union of the day's off-times.
fn holiday_rows(holidays: &[Holiday]) -> Vec<String> {
    let mut rows = Vec::new();
    let mut i = 0;
    while i < holidays.len() {
        let date = holidays[i].date;
        let same: Vec<&Holiday> = holidays[i..]
            .iter()
            .take_while(|h| h.date == date)
            .collect();
        i += same.len();
        let names: Vec<&str> = same.iter().map(|h| h.name_tr.as_str()).collect();
        let mut sources: Vec<&str> = Vec::new();
        for h in &same {
            if !sources.contains(&h.source.as_str()) {
                sources.push(h.source.as_str());
            }
        }
        let (morning, afternoon) = same.iter().fold((false, false), |(m, a), h| match h.kind {
            HolidayKind::Full => (true, true),
            HolidayKind::Half => (m, true),
            HolidayKind::Morning => (true, a),
        });
        let kind = match (morning, afternoon) {
            (true, true) => HolidayKind::Full,
            (true, false) => HolidayKind::Morning,
            _ => HolidayKind::Half,
        };
        rows.push(format!(
            "{date},{},{},{}",
            csv_field(&names.join("; ")),
            kind.as_str(),
            csv_field(&sources.join("; "))
        ));
    }
    rows
}

/// Runs `acikkapi calendar …`.
pub fn run(cmd: CalendarCmd, io: &mut Io<'_>) -> CliResult {
    match cmd {
        CalendarCmd::Holidays { year, opts } => {
            let holidays = calendar(&opts).holidays(year)?;
            writeln!(io.stdout, "date,name,kind,source")?;
            for row in holiday_rows(&holidays) {
                writeln!(io.stdout, "{row}")?;
            }
        }
        CalendarCmd::Add {
            date,
            n,
            stdin,
            opts,
        } => {
            let cal = calendar(&opts);
            if stdin {
                let mut lines = super::input::LineReader::new(&mut *io.stdin, "standart girdi");
                while let Some((number, line)) = lines.next_line()? {
                    let text = line.trim();
                    if text.is_empty() {
                        continue;
                    }
                    let bad = |msg: String| {
                        CliError::Usage(format!("standart girdi satır {number}: {msg}"))
                    };
                    let (d, k) = parse_add_line(text).map_err(bad)?;
                    let r = cal
                        .add_business_days(d, k)
                        .map_err(|e| bad(e.to_string()))?;
                    writeln!(io.stdout, "{d},{k},{r}")?;
                }
            } else {
                let (Some(date), Some(n)) = (date, n) else {
                    return Err(CliError::Usage(
                        "kullanım: acikkapi calendar add TARİH N | --stdin".into(),
                    ));
                };
                let date = parse_date(&date).map_err(CliError::Usage)?;
                writeln!(io.stdout, "{}", cal.add_business_days(date, n)?)?;
            }
        }
        CalendarCmd::Between { a, b, opts } => {
            let a = parse_date(&a).map_err(CliError::Usage)?;
            let b = parse_date(&b).map_err(CliError::Usage)?;
            writeln!(
                io.stdout,
                "{}",
                calendar(&opts).business_days_between(a, b)?
            )?;
        }
        CalendarCmd::Bayrams {
            from_year,
            to_year,
            no_table,
        } => {
            let supported = acikkapi_core::calendar::SUPPORTED_YEARS;
            for y in [from_year, to_year] {
                if !supported.contains(&y) {
                    return Err(acikkapi_core::Error::YearOutOfRange { year: y, supported }.into());
                }
            }
            writeln!(io.stdout, "hijri_year,bayram,first_day,source")?;
            for b in bayrams_between_years(from_year, to_year, !no_table)? {
                writeln!(
                    io.stdout,
                    "{},{},{},{}",
                    b.hijri_year,
                    b.kind.as_str(),
                    b.first_day,
                    b.source.as_str()
                )?;
            }
        }
    }
    Ok(0)
}
