//! The one error type of the statistics layer: every function that can fail says why.

use std::fmt;

/// Shorthand for results of this crate.
pub type Result<T> = std::result::Result<T, StatsError>;

/// Why a figure could not be computed.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum StatsError {
    /// Fewer observations (subjects, units, raters, …) than the statistic needs.
    TooFew {
        /// The minimum the statistic needs.
        needed: usize,
        /// What was given.
        got: usize,
    },
    /// Two inputs that must match in length (or a matrix whose length is not a multiple of its
    /// row width) do not.
    LengthMismatch {
        /// The length required.
        expected: usize,
        /// The length given.
        got: usize,
    },
    /// An input value is NaN or infinite.
    NonFinite,
    /// Something that must vary does not (a constant variable, identical ratings, …).
    ZeroVariance(&'static str),
    /// A predictor is constant or (numerically) a linear combination of the ones before it.
    Collinear {
        /// Index of the offending predictor in the list given.
        predictor: usize,
    },
    /// An argument lies outside its domain.
    InvalidArgument(&'static str),
    /// The data are degenerate in a way that makes the figure undefined.
    Degenerate(&'static str),
}

impl fmt::Display for StatsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooFew { needed, got } => {
                write!(
                    f,
                    "too few observations: {got} given, at least {needed} needed"
                )
            }
            Self::LengthMismatch { expected, got } => {
                write!(f, "length mismatch: expected {expected}, got {got}")
            }
            Self::NonFinite => f.write_str("input contains NaN or infinite values"),
            Self::ZeroVariance(what) => write!(f, "no variance: {what}"),
            Self::Collinear { predictor } => write!(
                f,
                "predictor {predictor} is constant or a linear combination of earlier predictors"
            ),
            Self::InvalidArgument(what) => write!(f, "invalid argument: {what}"),
            Self::Degenerate(what) => write!(f, "degenerate data: {what}"),
        }
    }
}

impl std::error::Error for StatsError {}
