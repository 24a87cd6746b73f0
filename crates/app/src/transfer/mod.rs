//! Files in and out: the FORMATS.md CSVs read into the store and written from it.
//!
//! Shared by `sellerq import …` / `sellerq export …` and the web upload page: every function
//! takes an `impl Read` (or `impl Write`) and the name to show in messages, so a path, standard
//! input and an uploaded file are treated alike.
//!
//! An import is whole-file-or-nothing and reports *every* bad row as `file:line: column:
//! problem` (the first 100, then a count): [`csv::read_rows`] checks the header and each row's
//! own cells, then the store checks the rows against the organisation (in a check-only pass
//! when the reader already found problems, so one report has them all). Nothing is written
//! unless the whole file is good.
//!
//! - [`ratings`]: ratings.csv in ([`ratings::read`] then [`ratings::import`]) and out
//!   ([`ratings::export`]).
//! - [`people`]: people.csv in ([`people::read`] then [`people::import`]) and out
//!   ([`people::export`]).
//! - [`outcomes`]: outcomes.csv in ([`outcomes::read`] then [`outcomes::import`]) and out
//!   ([`outcomes::export`]).
//! - [`reminders`]: a cycle's outstanding raters as CSV, for reminder e-mails.
//! - [`Progress`]: an indicatif bar on standard error for large files, silent when standard
//!   error is not a terminal.

pub mod csv;
pub mod outcomes;
pub mod people;
pub mod ratings;
pub mod reminders;

use std::io::Read;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use sellerq_domain::formats::RowProblems;
use sellerq_store::StoreError;

/// Why an import or export did not happen.
#[derive(Debug, thiserror::Error)]
pub enum TransferError {
    /// Bad rows (or a bad header): nothing was written.
    #[error("{} — nothing was imported:\n{problems}", count(.problems))]
    Rejected {
        /// Every problem, by line.
        problems: RowProblems,
    },
    /// The file could not be read or written.
    #[error("{source_name}: {error}")]
    Io {
        /// The file's name as shown.
        source_name: String,
        /// What the system said.
        error: std::io::Error,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn count(p: &RowProblems) -> String {
    match p.total() {
        1 => format!("{}: 1 problem", p.source()),
        n => format!("{}: {n} problems", p.source()),
    }
}

impl TransferError {
    /// Bad rows from `problems` (named after `source`).
    pub fn rejected(mut problems: RowProblems, source: &str) -> Self {
        problems.set_source(source);
        Self::Rejected { problems }
    }

    fn io(source: &str, error: std::io::Error) -> Self {
        Self::Io {
            source_name: source.to_owned(),
            error,
        }
    }
}

/// Files smaller than this get no progress bar (it would only flash).
const BAR_MIN_BYTES: u64 = 1 << 20;

/// Progress of one import or export on standard error: a bar per phase for large inputs,
/// nothing when standard error is not a terminal (indicatif checks) or the input is small.
#[derive(Debug, Clone)]
pub struct Progress {
    bar: ProgressBar,
}

impl Progress {
    /// No output at all (tests, the web).
    pub fn hidden() -> Self {
        Self {
            bar: ProgressBar::hidden(),
        }
    }

    /// A bar for reading `bytes` bytes (hidden below 1 MiB or off a terminal).
    pub fn reading(bytes: Option<u64>, what: &str) -> Self {
        match bytes {
            Some(n) if n >= BAR_MIN_BYTES => {
                let bar = ProgressBar::with_draw_target(Some(n), ProgressDrawTarget::stderr());
                bar.set_style(
                    ProgressStyle::with_template(
                        "{msg:>9} [{bar:40}] {bytes}/{total_bytes} ({eta})",
                    )
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
                );
                bar.set_message(what.to_owned());
                Self { bar }
            }
            _ => Self::hidden(),
        }
    }

    /// Switches the bar to counting `rows` rows written (if it is shown at all).
    pub fn writing(&self, rows: u64) {
        if self.bar.is_hidden() {
            return;
        }
        self.bar.set_length(rows);
        self.bar.set_position(0);
        self.bar.set_style(
            ProgressStyle::with_template(
                "{msg:>9} [{bar:40}] {human_pos}/{human_len} rows ({eta})",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        self.bar.set_message("writing");
    }

    /// Sets the position (bytes read or rows written).
    pub fn set(&self, n: u64) {
        self.bar.set_position(n);
    }

    /// Adds to the position.
    pub fn add(&self, n: u64) {
        self.bar.inc(n);
    }

    /// Removes the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// A reader that reports the bytes it has read to a [`Progress`].
#[derive(Debug)]
pub struct Counted<'p, R> {
    inner: R,
    progress: &'p Progress,
}

impl<'p, R: Read> Counted<'p, R> {
    /// Wraps `inner`.
    pub fn new(inner: R, progress: &'p Progress) -> Self {
        Self { inner, progress }
    }
}

impl<R: Read> Read for Counted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.progress.add(n as u64);
        Ok(n)
    }
}
