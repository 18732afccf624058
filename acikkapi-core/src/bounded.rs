//! Reading an input whole, but never more than a limit: the one primitive behind the CLI's input
//! files and the rule scripts, so an endless input (`/dev/zero`, a pipe) or a huge file ends one
//! byte past the limit instead of being held in memory first.

use std::io::Read;

/// What [`read_at_most`] found.
#[derive(Debug, PartialEq, Eq)]
pub enum Bounded {
    /// The whole input, at most the limit.
    Whole(Vec<u8>),
    /// More than the limit; reading stopped one byte past it.
    TooLarge,
}

/// Reads `reader` to its end if it holds at most `limit` bytes, else stops after `limit + 1`.
pub fn read_at_most(reader: &mut dyn Read, limit: u64) -> std::io::Result<Bounded> {
    let mut bytes = Vec::new();
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        Ok(Bounded::TooLarge)
    } else {
        Ok(Bounded::Whole(bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_endless_reader_stops_one_byte_past_the_limit() {
        let mut zero = std::io::repeat(0);
        assert_eq!(read_at_most(&mut zero, 4096).unwrap(), Bounded::TooLarge);
        let mut counted = std::io::repeat(0).take(10_000);
        read_at_most(&mut counted, 4096).unwrap();
        assert_eq!(counted.limit(), 10_000 - 4097);
    }

    #[test]
    fn an_input_at_the_limit_is_read_whole() {
        let mut exact: &[u8] = &[7; 4096];
        assert_eq!(
            read_at_most(&mut exact, 4096).unwrap(),
            Bounded::Whole(vec![7; 4096])
        );
        let mut empty: &[u8] = &[];
        assert_eq!(
            read_at_most(&mut empty, 0).unwrap(),
            Bounded::Whole(Vec::new())
        );
    }
}
