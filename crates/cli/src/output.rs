//! Command output on stdout, with write errors returned rather than panicking.
//!
//! `println!` panics when stdout fails: `reelcast runs list | head -1` closes the pipe
//! after one line and the next line would end the process with a panic message. Every
//! command prints through [`outln!`] instead, which returns an error the command passes
//! up with `?`. `main` ends quietly with exit code 0 when the reader has gone
//! ([`OutputError::Closed`]): the reader took what it wanted. Any other write error (a
//! full disk behind `> file`) is reported as an error with exit code 2. The crate denies
//! `clippy::print_stdout`, so a new `println!` does not pass clippy.

use std::fmt;
use std::io::{self, Write};

/// Writes one line to stdout: `outln!()` or `outln!("format {}", args)`, as `println!`.
/// Evaluates to `Result<(), OutputError>`.
macro_rules! outln {
    () => {
        $crate::output::write_line(format_args!(""))
    };
    ($($arg:tt)*) => {
        $crate::output::write_line(format_args!($($arg)*))
    };
}
pub(crate) use outln;

/// Writes text to stdout without a line end, as `print!`. Evaluates to
/// `Result<(), OutputError>`.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::output::write(format_args!($($arg)*))
    };
}
pub(crate) use out;

/// Stdout could not be written.
#[derive(Debug)]
pub(crate) enum OutputError {
    /// The reader closed the pipe (`| head`): there is nobody left to tell.
    Closed,
    /// Any other write error, such as a full disk.
    Failed(io::Error),
}

impl fmt::Display for OutputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OutputError::Closed => f.write_str("standard output was closed by its reader"),
            OutputError::Failed(e) => write!(f, "writing to standard output failed: {e}"),
        }
    }
}

impl std::error::Error for OutputError {}

impl From<io::Error> for OutputError {
    fn from(e: io::Error) -> Self {
        if e.kind() == io::ErrorKind::BrokenPipe {
            OutputError::Closed
        } else {
            OutputError::Failed(e)
        }
    }
}

/// Whether `e` ends a command because stdout's reader went away (see the module doc).
pub(crate) fn is_closed_stdout(e: &anyhow::Error) -> bool {
    e.chain()
        .any(|cause| matches!(cause.downcast_ref(), Some(OutputError::Closed)))
}

/// Writes `args` and a line end to stdout; `outln!` calls it.
pub(crate) fn write_line(args: fmt::Arguments<'_>) -> Result<(), OutputError> {
    let mut stdout = io::stdout().lock();
    stdout.write_fmt(args)?;
    stdout.write_all(b"\n")?;
    Ok(())
}

/// Writes `args` to stdout and flushes it; `out!` calls it.
pub(crate) fn write(args: fmt::Arguments<'_>) -> Result<(), OutputError> {
    let mut stdout = io::stdout().lock();
    stdout.write_fmt(args)?;
    stdout.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_broken_pipe_is_a_closed_stdout_and_other_errors_are_failures() {
        let closed = OutputError::from(io::Error::from(io::ErrorKind::BrokenPipe));
        assert!(matches!(closed, OutputError::Closed));
        let wrapped = anyhow::Error::new(closed).context("printing the runs");
        assert!(is_closed_stdout(&wrapped));

        let full = OutputError::from(io::Error::from(io::ErrorKind::StorageFull));
        assert!(matches!(full, OutputError::Failed(_)));
        assert_eq!(
            format!("{:#}", anyhow::Error::new(full)),
            "writing to standard output failed: no storage space"
        );
        assert!(!is_closed_stdout(&anyhow::Error::new(OutputError::from(
            io::Error::from(io::ErrorKind::StorageFull)
        ))));
        assert!(!is_closed_stdout(&anyhow::anyhow!("some other error")));
    }
}
