//! CPU time of one statistics report over 1 million synthetic records, read from
//! `/proc/self/stat` (Linux), next to the wall-clock time. On a shared machine the wall clock
//! includes waiting for a core; the CPU time is what the report itself costs on one core.
//!
//! `cargo run --profile bench --example stats_cpu_time [N] [RUNS]`

use std::error::Error;
use std::time::Instant;

use acikkapi::core::stats::{self, ReportOptions};

/// User + system CPU seconds of this process so far.
fn cpu_seconds() -> Result<f64, Box<dyn Error>> {
    let stat = std::fs::read_to_string("/proc/self/stat")?;
    // Fields after the command name (which is in parentheses and may contain spaces).
    let rest = stat
        .rsplit(')')
        .next()
        .ok_or("unexpected /proc/self/stat")?;
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 =
        f.get(11).ok_or("utime")?.parse::<f64>()? + f.get(12).ok_or("stime")?.parse::<f64>()?;
    // The kernel reports clock ticks; USER_HZ is 100 on Linux.
    Ok(ticks / 100.0)
}

fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().map_or(Ok(1_000_000), |s| s.parse())?;
    let runs: usize = args.next().map_or(Ok(8), |s| s.parse())?;
    let records = stats::synth::records(n, 2026);
    println!("records,run,cpu_s,wall_s");
    for run in 1..=runs {
        let (c0, w0) = (cpu_seconds()?, Instant::now());
        let report = stats::report(&records, &ReportOptions::default());
        let (cpu, wall) = (cpu_seconds()? - c0, w0.elapsed().as_secs_f64());
        std::hint::black_box(report);
        println!("{n},{run},{cpu:.2},{wall:.3}");
    }
    Ok(())
}
