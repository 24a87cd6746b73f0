//! Integration tests of sellerq-stats, built as one binary: published reference values,
//! fixtures from the Python reference libraries, and property tests.

mod fixtures;
mod properties;
mod published;

/// Asserts `|actual − expected| ≤ tol·|expected| + 1e-14`: relative, with an absolute floor of
/// 1e-14 for figures that are (nearly) zero.
#[track_caller]
pub fn assert_close(actual: f64, expected: f64, tol: f64, what: &str) {
    let err = (actual - expected).abs();
    assert!(
        err <= tol * expected.abs() + 1e-14,
        "{what}: got {actual:e}, expected {expected:e} (relative error {:e})",
        err / expected.abs()
    );
}

/// Asserts that `value` printed with `decimals` decimals reads `printed`.
#[track_caller]
pub fn assert_prints_as(value: f64, decimals: usize, printed: &str, what: &str) {
    let shown = format!("{value:.decimals$}");
    // Published tables drop the leading zero: ".17" is "0.17".
    let printed = if printed.starts_with('.') {
        format!("0{printed}")
    } else {
        printed.to_string()
    };
    assert_eq!(
        shown, printed,
        "{what}: {value} prints as {shown}, published {printed}"
    );
}
