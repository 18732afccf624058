use std::io::{self, Write};
use std::process::ExitCode;

use acikkapi::cli::{self, Cli, CliError, Io};
use clap::Parser;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let stdin = io::stdin();
    let mut stdin = stdin.lock();
    let stdout = io::stdout();
    let mut stdout = io::BufWriter::new(stdout.lock());
    let stderr = io::stderr();
    let mut stderr = stderr.lock();
    let result = cli::run(
        cli,
        &mut Io {
            stdin: &mut stdin,
            stdout: &mut stdout,
            stderr: &mut stderr,
        },
    );
    let flushed = stdout.flush();
    match (result, flushed) {
        (Ok(code), Ok(())) => ExitCode::from(u8::try_from(code).unwrap_or(2)),
        (Ok(_), Err(e)) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        (Ok(_), Err(e)) => {
            let _ = writeln!(stderr, "acikkapi: {e}");
            ExitCode::from(2)
        }
        // A closed pipe (`acikkapi report … | head`) is the reader's choice, not an error.
        (Err(CliError::Io(e)), _) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        // Every error through the redaction net: no identifier, no terminal escape. Journal
        // errors keep their digits (byte offsets); the one that carries decoded input
        // (`JournalPayload`) masks it itself.
        (Err(CliError::Core(e)), _) if e.is_journal() => {
            let _ = writeln!(
                stderr,
                "acikkapi: {}",
                acikkapi::core::redact::printable(&e.to_string())
            );
            ExitCode::from(2)
        }
        (Err(e), _) => {
            let _ = writeln!(
                stderr,
                "acikkapi: {}",
                acikkapi::core::redact::message(&e.to_string())
            );
            ExitCode::from(2)
        }
    }
}
