//! Bounded reading: every file or standard input a command reads goes through here, so that no
//! input (`/dev/zero`, a 2 GB file, one endless line) is held in memory before it is refused.
//!
//! * A whole input ([`read_input`], [`read_text`]) is read with `Read::take(limit + 1)`: at most
//!   one byte more than the limit is ever read, and an input over it is
//!   [`CliError::InputTooLarge`].
//! * A line-oriented input ([`LineReader`]) is read one line at a time, each line at most
//!   [`MAX_LINE_BYTES`]; a longer one is [`CliError::LineTooLong`], named by its number.
//! * A leading UTF-8 byte order mark (written by some Windows editors) is dropped; text that is
//!   not UTF-8 is a [`CliError::Usage`] naming the input.
//!
//! The errors name the input and the limit, never the content.

use std::io::{BufRead, Read};
use std::path::Path;

use acikkapi_core::bounded::{Bounded, read_at_most};

use super::{CliError, Io};

/// Largest whole input (an application, a routing request, an organisation or policy file), in
/// bytes: 8 MiB, about 60 times the largest file the project ships (İstanbul's organisation,
/// 135 KB) and 1,600 times the longest application text.
pub const MAX_INPUT_BYTES: u64 = 8 << 20;

/// Longest line of a line-oriented input (a JSON Lines record, a `calendar add` line), in bytes:
/// 1 MiB, thousands of times a real record (a few hundred bytes).
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// The UTF-8 byte order mark.
const BOM: &str = "\u{feff}";

/// How an input is named in messages: its path, or "standart girdi" for `-`.
pub fn input_name(path: &Path) -> String {
    if path.as_os_str() == "-" {
        "standart girdi".to_string()
    } else {
        path.display().to_string()
    }
}

/// Reads a whole input file as UTF-8 text, at most [`MAX_INPUT_BYTES`]; `-` reads standard input.
pub fn read_input(path: &Path, io: &mut Io<'_>) -> Result<String, CliError> {
    read_text(path, io, MAX_INPUT_BYTES)
}

/// Reads a whole input file (or standard input for `-`) as UTF-8 text of at most `limit` bytes,
/// without its byte order mark.
pub fn read_text(path: &Path, io: &mut Io<'_>, limit: u64) -> Result<String, CliError> {
    let name = input_name(path);
    let bytes = if path.as_os_str() == "-" {
        read_bounded(&mut *io.stdin, limit, &name)?
    } else {
        let mut file = std::fs::File::open(path)
            .map_err(|e| CliError::Usage(format!("{name}: okunamadı: {e}")))?;
        read_bounded(&mut file, limit, &name)?
    };
    utf8_text(bytes, &name)
}

/// Reads a whole file (never standard input: for options that name a file) as UTF-8 text of at
/// most [`MAX_INPUT_BYTES`], without its byte order mark.
pub fn read_file(path: &Path) -> Result<String, CliError> {
    let name = path.display().to_string();
    let mut file = std::fs::File::open(path)
        .map_err(|e| CliError::Usage(format!("{name}: okunamadı: {e}")))?;
    utf8_text(read_bounded(&mut file, MAX_INPUT_BYTES, &name)?, &name)
}

/// The bytes as UTF-8 text without a leading byte order mark.
fn utf8_text(bytes: Vec<u8>, name: &str) -> Result<String, CliError> {
    let text = String::from_utf8(bytes)
        .map_err(|e| CliError::Usage(format!("{name}: UTF-8 metin değil: {e}")))?;
    Ok(match text.strip_prefix(BOM) {
        Some(rest) => rest.to_string(),
        None => text,
    })
}

/// At most `limit` bytes of `reader`; [`CliError::InputTooLarge`] when there are more.
fn read_bounded(reader: &mut dyn Read, limit: u64, name: &str) -> Result<Vec<u8>, CliError> {
    match read_at_most(reader, limit)
        .map_err(|e| CliError::Usage(format!("{name}: okunamadı: {e}")))?
    {
        Bounded::Whole(bytes) => Ok(bytes),
        Bounded::TooLarge => Err(CliError::InputTooLarge {
            input: name.to_string(),
            limit,
        }),
    }
}

/// Reads a text input line by line, each line at most [`MAX_LINE_BYTES`] (or the limit given),
/// without ever holding more than one line. The first line loses its byte order mark.
pub struct LineReader<'a> {
    inner: &'a mut dyn BufRead,
    name: String,
    limit: usize,
    number: usize,
    bytes: Vec<u8>,
}

impl<'a> LineReader<'a> {
    /// A reader of `inner`, named `name` in messages, with lines of at most [`MAX_LINE_BYTES`].
    pub fn new(inner: &'a mut dyn BufRead, name: &str) -> LineReader<'a> {
        LineReader::with_limit(inner, name, MAX_LINE_BYTES)
    }

    /// A reader with lines of at most `limit` bytes.
    pub fn with_limit(inner: &'a mut dyn BufRead, name: &str, limit: usize) -> LineReader<'a> {
        LineReader {
            inner,
            name: name.to_string(),
            limit,
            number: 0,
            bytes: Vec::new(),
        }
    }

    /// The next line, with its 1-based number, without its line break (`\n` or `\r\n`), or `None`
    /// at the end of the input.
    /// A line over the limit is [`CliError::LineTooLong`]: reading stops there, at most one byte
    /// past the limit having been read.
    pub fn next_line(&mut self) -> Result<Option<(usize, &str)>, CliError> {
        self.bytes.clear();
        let mut got = false;
        loop {
            let available = self
                .inner
                .fill_buf()
                .map_err(|e| CliError::Usage(format!("{}: okunamadı: {e}", self.name)))?;
            if available.is_empty() {
                break;
            }
            let (take, newline) = match available.iter().position(|&b| b == b'\n') {
                Some(i) => (i + 1, true),
                None => (available.len(), false),
            };
            // One byte of room past the limit for the `\r` of a `\r\n`, checked at the end.
            if self.bytes.len() + take - usize::from(newline) > self.limit + 1 {
                return Err(self.too_long());
            }
            self.bytes.extend_from_slice(&available[..take]);
            self.inner.consume(take);
            got = true;
            if newline {
                break;
            }
        }
        if !got {
            return Ok(None);
        }
        if self.bytes.last() == Some(&b'\n') {
            self.bytes.pop();
            if self.bytes.last() == Some(&b'\r') {
                self.bytes.pop();
            }
        }
        if self.bytes.len() > self.limit {
            return Err(self.too_long());
        }
        self.number += 1;
        let text = std::str::from_utf8(&self.bytes).map_err(|e| {
            CliError::Usage(format!(
                "{}: satır {}: UTF-8 metin değil: {e}",
                self.name, self.number
            ))
        })?;
        let text = if self.number == 1 {
            text.strip_prefix(BOM).unwrap_or(text)
        } else {
            text
        };
        Ok(Some((self.number, text)))
    }

    fn too_long(&self) -> CliError {
        CliError::LineTooLong {
            input: self.name.clone(),
            line: self.number + 1,
            limit: self.limit,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &[u8], limit: usize) -> Result<Vec<String>, String> {
        let mut input = text;
        let mut r = LineReader::with_limit(&mut input, "t", limit);
        let mut out = Vec::new();
        loop {
            match r.next_line() {
                Ok(Some((_, l))) => out.push(l.to_string()),
                Ok(None) => return Ok(out),
                Err(e) => return Err(e.to_string()),
            }
        }
    }

    #[test]
    fn lines_up_to_the_limit_are_read_and_longer_ones_refused() {
        assert_eq!(lines(b"ab\ncd\r\n\nef", 2).unwrap(), ["ab", "cd", "", "ef"]);
        assert_eq!(
            lines(b"\xef\xbb\xbfab\n\xef\xbb\xbfcd", 10).unwrap()[0],
            "ab"
        );
        assert_eq!(lines(b"", 2).unwrap(), Vec::<String>::new());
        let err = lines(b"ab\nabc\n", 2).unwrap_err();
        assert!(err.contains("satır 2"), "{err}");
        assert!(lines(b"abc", 2).is_err());
    }

    #[test]
    fn an_endless_line_stops_right_after_the_limit() {
        let mut zeros = std::io::BufReader::new(std::io::repeat(0));
        let mut r = LineReader::with_limit(&mut zeros, "zero", 1000);
        assert!(matches!(
            r.next_line(),
            Err(CliError::LineTooLong { line: 1, .. })
        ));
        let mut taken = Vec::new();
        let big = read_bounded(&mut std::io::repeat(0).take(5000), 4096, "z");
        assert!(matches!(
            big,
            Err(CliError::InputTooLarge { limit: 4096, .. })
        ));
        taken.extend(read_bounded(&mut &b"abc"[..], 3, "z").unwrap());
        assert_eq!(taken, b"abc");
    }
}
