//! Process metrics, read from `/proc` at scrape time (Linux only; elsewhere nothing is
//! written). The exporter crate has no process collector, so this reads:
//! - `/proc/self/status` `VmRSS` (kB) -> `process_resident_memory_bytes`;
//! - `/proc/self/stat` fields 14 and 15 (utime, stime, in clock ticks) ->
//!   `process_cpu_seconds_total`, and field 22 (start time in ticks since boot) plus
//!   `btime` from `/proc/stat` -> `process_start_time_seconds`. Ticks are `USER_HZ`, which
//!   Linux fixes at 100 for everything it reports through `/proc`;
//! - the entries of `/proc/self/fd` -> `process_open_fds`.

use super::names::{
    PROCESS_CPU_SECONDS_TOTAL, PROCESS_OPEN_FDS, PROCESS_RESIDENT_MEMORY_BYTES,
    PROCESS_START_TIME_SECONDS,
};
use super::scrape::write_family;

/// Clock ticks per second in `/proc` (Linux's `USER_HZ`).
const USER_HZ: f64 = 100.0;

/// The values read, each `None` when unreadable.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Sample {
    /// Resident memory, bytes.
    pub resident_memory_bytes: Option<f64>,
    /// User + system CPU, seconds.
    pub cpu_seconds: Option<f64>,
    /// Open file descriptors.
    pub open_fds: Option<f64>,
    /// Start time, Unix seconds.
    pub start_time_seconds: Option<f64>,
}

/// Reads the current sample.
pub fn sample() -> Sample {
    let status = std::fs::read_to_string("/proc/self/status").ok();
    let stat = std::fs::read_to_string("/proc/self/stat").ok();
    let boot = std::fs::read_to_string("/proc/stat").ok();
    let fields = stat.as_deref().map(stat_fields).unwrap_or_default();
    let field = |n: usize| fields.get(n).and_then(|f| f.parse::<f64>().ok());
    let btime = boot.as_deref().and_then(|b| {
        b.lines()
            .find_map(|l| l.strip_prefix("btime "))
            .and_then(|v| v.trim().parse::<f64>().ok())
    });
    Sample {
        resident_memory_bytes: status.as_deref().and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
                .map(|kb| kb * 1024.0)
        }),
        cpu_seconds: field(14).zip(field(15)).map(|(u, s)| (u + s) / USER_HZ),
        open_fds: std::fs::read_dir("/proc/self/fd")
            .ok()
            .map(|d| d.count() as f64),
        start_time_seconds: field(22).zip(btime).map(|(t, b)| b + t / USER_HZ),
    }
}

/// `/proc/self/stat` split into fields numbered from 1 as in `proc(5)` (index 0 is
/// empty); the command name in parentheses may hold spaces, so split after it.
fn stat_fields(stat: &str) -> Vec<String> {
    let Some((head, rest)) = stat.rsplit_once(')') else {
        return Vec::new();
    };
    let pid = head.split_whitespace().next().unwrap_or_default();
    let mut fields = vec![String::new(), pid.to_owned(), "comm".to_owned()];
    fields.extend(rest.split_whitespace().map(str::to_owned));
    fields
}

/// Appends the process metrics that could be read to `out`.
pub fn render(out: &mut String) {
    let s = sample();
    let rows = [
        (
            PROCESS_RESIDENT_MEMORY_BYTES,
            "gauge",
            "Resident memory size in bytes.",
            s.resident_memory_bytes,
        ),
        (
            PROCESS_CPU_SECONDS_TOTAL,
            "counter",
            "Total user and system CPU time spent in seconds.",
            s.cpu_seconds,
        ),
        (
            PROCESS_OPEN_FDS,
            "gauge",
            "Number of open file descriptors.",
            s.open_fds,
        ),
        (
            PROCESS_START_TIME_SECONDS,
            "gauge",
            "Start time of the process since unix epoch in seconds.",
            s.start_time_seconds,
        ),
    ];
    for (name, kind, help, value) in rows {
        if let Some(v) = value {
            write_family(out, name, kind, help, &[(Vec::new(), v)]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_fields_survive_spaces_in_the_command_name() {
        let f = stat_fields("42 (a b) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 99");
        assert_eq!(f[1], "42");
        assert_eq!(f[3], "S");
        assert_eq!(f[22], "99");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn reads_every_process_value_on_linux() {
        let s = sample();
        assert!(s.resident_memory_bytes.unwrap() > 0.0);
        assert!(s.cpu_seconds.unwrap() >= 0.0);
        assert!(s.open_fds.unwrap() >= 3.0);
        assert!(s.start_time_seconds.unwrap() > 1.5e9);
    }
}
