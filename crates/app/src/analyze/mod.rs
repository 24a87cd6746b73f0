//! `sellerq analyze`: reliability and validity of the ratings, from plain CSV files, with no
//! database.
//!
//! The engine is reusable (issue 5 runs it on an organisation's stored data and must get the
//! same figures):
//! - [`dataset`]: the in-memory [`Dataset`] and the tables that fill it ([`PeopleTable`],
//!   [`RatingsTable`], [`OutcomesTable`]), with every FORMATS.md rule checked;
//! - [`load`]: the CSV readers ([`load_files`], [`load_readers`]), over a zero-copy RFC 4180
//!   record reader (`records`);
//! - [`report`]: [`compute`] turns a data set and [`Options`] into a [`Report`], the JSON
//!   document of FORMATS.md;
//! - [`text`]: the sales leader's text report of a [`Report`].
//!
//! This module itself is the command-line glue: arguments, progress bar, output.

pub mod dataset;
pub mod load;
mod records;
pub mod report;
pub mod text;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use sellerq_domain::model::default_model;

pub use dataset::{
    Dataset, InputError, OutcomesTable, PeopleTable, Problem, RaterRole, RatingsTable,
};
pub use load::{InputFiles, LoadError, load_files, load_readers};
pub use report::{Options, Report, ReportError, compute};

/// Inputs above this size get a progress bar (when standard error is a terminal).
const PROGRESS_BYTES: u64 = 32 << 20;

/// Output formats of `sellerq analyze`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AnalyzeFormat {
    /// A report for a sales leader.
    Text,
    /// The JSON document of FORMATS.md.
    Json,
}

/// Options of `sellerq analyze`.
#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// people.csv: the sellers and their trailing indicators.
    #[arg(long)]
    pub people: PathBuf,
    /// ratings.csv: one quality score by one rater of one subject in one cycle.
    #[arg(long)]
    pub ratings: PathBuf,
    /// outcomes.csv: later results per subject, period and metric.
    #[arg(long)]
    pub outcomes: PathBuf,
    /// The cycle to analyse (default: the cycle whose name sorts last).
    #[arg(long)]
    pub cycle: Option<String>,
    /// The outcome metric the indicators should predict.
    #[arg(long, default_value = report::DEFAULT_METRIC)]
    pub metric: String,
    /// An outcome period to average over (repeatable; default: every period).
    #[arg(long = "period")]
    pub periods: Vec<String>,
    /// text or json (the FORMATS.md document).
    #[arg(long, value_enum, default_value_t = AnalyzeFormat::Text)]
    pub format: AnalyzeFormat,
}

/// Runs `sellerq analyze`: reads the files, computes, prints. Bad input is an error listing
/// every bad row, and nothing is printed on standard output.
pub fn run(args: AnalyzeArgs) -> anyhow::Result<()> {
    let model = default_model();
    let files = InputFiles {
        people: &args.people,
        ratings: &args.ratings,
        outcomes: &args.outcomes,
    };
    let total: u64 = [&args.people, &args.ratings, &args.outcomes]
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum();
    let bar = progress_bar(total);
    let loaded = load_files(model, files, &|bytes| bar.inc(bytes));
    bar.finish_and_clear();
    let ds = match loaded {
        Ok(ds) => ds,
        Err(LoadError::Input(e)) => {
            anyhow::bail!(
                "the input has {} problem{}; nothing was analysed:\n{e}",
                e.total,
                if e.total == 1 { "" } else { "s" }
            )
        }
        Err(e) => return Err(e.into()),
    };
    let opts = Options {
        cycle: args.cycle,
        metric: args.metric,
        periods: args.periods,
    };
    let report = compute(&ds, &opts)?;
    drop(ds);
    // Standard output is line-buffered: a buffer saves one write per line of JSON.
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    match args.format {
        AnalyzeFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &report).context("writing the report")?;
            writeln!(out)?;
        }
        AnalyzeFormat::Text => out.write_all(text::render(&report, model).as_bytes())?,
    }
    out.flush()?;
    Ok(())
}

/// A byte-count bar on standard error for large inputs; hidden when standard error is not a
/// terminal (or the input is small), so scripts and logs see nothing.
fn progress_bar(total: u64) -> ProgressBar {
    if total < PROGRESS_BYTES || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("reading {bar:40} {bytes}/{total_bytes} ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}
