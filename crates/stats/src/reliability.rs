//! Reliability: Cronbach's alpha (with alpha-if-item-dropped), the six intraclass correlations
//! of Shrout & Fleiss (1979) with their F tests and 95 % intervals exactly as pingouin 0.7
//! (`intraclass_corr`) reports them, and the Spearman–Brown prophecy formula.
//!
//! Matrices are row-major slices: one row per subject, `width` values per row, complete (the
//! caller removes incomplete rows, as FORMATS.md prescribes).

use crate::dist::FisherSnedecor;
use crate::{Result, StatsError, check_finite, filled, is_positive};

fn check_matrix(data: &[f64], width: usize, min_rows: usize, min_width: usize) -> Result<usize> {
    if width < min_width {
        return Err(StatsError::TooFew {
            needed: min_width,
            got: width,
        });
    }
    if !data.len().is_multiple_of(width) {
        return Err(StatsError::LengthMismatch {
            expected: data.len() - data.len() % width,
            got: data.len(),
        });
    }
    let n = data.len() / width;
    if n < min_rows {
        return Err(StatsError::TooFew {
            needed: min_rows,
            got: n,
        });
    }
    check_finite(data)?;
    Ok(n)
}

/// Column means of a row-major matrix, with a correction pass.
fn column_means(data: &[f64], n: usize, k: usize) -> Vec<f64> {
    let mut means = vec![0.0; k];
    for row in data.chunks_exact(k) {
        for (m, v) in means.iter_mut().zip(row) {
            *m += v;
        }
    }
    for m in means.iter_mut() {
        *m /= n as f64;
    }
    let mut corr = vec![0.0; k];
    for row in data.chunks_exact(k) {
        for ((c, v), m) in corr.iter_mut().zip(row).zip(&means) {
            *c += v - m;
        }
    }
    for (m, c) in means.iter_mut().zip(corr) {
        *m += c / n as f64;
    }
    means
}

/// Cronbach's alpha of a subjects × items matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct CronbachAlpha {
    /// Subjects (rows) used.
    pub n_subjects: usize,
    /// Items (columns).
    pub n_items: usize,
    /// `k/(k − 1) · (1 − Σ item variances / variance of the total)`.
    pub alpha: f64,
    /// Feldt's 95 % interval, as pingouin: `1 − (1 − α)·F⁻¹(0.975; n − 1, (n − 1)(k − 1))`.
    pub ci_low: f64,
    /// Upper end: `1 − (1 − α)·F⁻¹(0.025; n − 1, (n − 1)(k − 1))`.
    pub ci_high: f64,
    /// Alpha of the remaining items when item j is left out; `None` when fewer than two items
    /// would remain or they have no total variance.
    pub alpha_if_dropped: Vec<Option<f64>>,
}

/// Cronbach's alpha of complete rows (`rows.len() = n_subjects × n_items`), from the item
/// covariance matrix (two-pass, so large means do not cost precision).
///
/// ```
/// // Shrout & Fleiss (1979): alpha over the four judges equals their ICC(3,k) = .91.
/// let sf = [9.0, 2.0, 5.0, 8.0, 6.0, 1.0, 3.0, 2.0, 8.0, 4.0, 6.0, 8.0,
///           7.0, 1.0, 2.0, 6.0, 10.0, 5.0, 6.0, 9.0, 6.0, 2.0, 4.0, 7.0];
/// let a = sellerq_stats::reliability::cronbach_alpha(&sf, 4).unwrap();
/// assert_eq!((a.alpha * 100.0).round(), 91.0);
/// ```
pub fn cronbach_alpha(rows: &[f64], n_items: usize) -> Result<CronbachAlpha> {
    let k = n_items;
    let n = check_matrix(rows, k, 2, 2)?;
    let means = column_means(rows, n, k);
    // Item covariance matrix (upper triangle), denominator n − 1.
    let mut cov = filled(k.saturating_mul(k), 0.0)?;
    let mut dev = vec![0.0; k];
    for row in rows.chunks_exact(k) {
        for ((d, v), m) in dev.iter_mut().zip(row).zip(&means) {
            *d = v - m;
        }
        for i in 0..k {
            let di = dev[i];
            for j in i..k {
                cov[i * k + j] += di * dev[j];
            }
        }
    }
    let scale = 1.0 / (n - 1) as f64;
    for i in 0..k {
        for j in i..k {
            cov[i * k + j] *= scale;
            cov[j * k + i] = cov[i * k + j];
        }
    }
    let trace: f64 = (0..k).map(|i| cov[i * k + i]).sum();
    // The variance of the total score, from the totals themselves: summing the covariance
    // matrix instead cancels to rounding noise when the items offset each other exactly.
    let totals: Vec<f64> = rows.chunks_exact(k).map(|r| r.iter().sum()).collect();
    let total_mean = crate::descriptive::mean_unchecked(&totals);
    let total = crate::descriptive::sum_sq_dev(&totals, total_mean) * scale;
    if !is_positive(total - 1e-13 * trace) {
        return Err(StatsError::ZeroVariance("the total score does not vary"));
    }
    let alpha = k as f64 / (k - 1) as f64 * (1.0 - trace / total);
    let alpha_if_dropped = (0..k)
        .map(|j| {
            if k < 3 {
                return None;
            }
            let row_sum: f64 = (0..k).map(|i| cov[j * k + i]).sum();
            let tr = trace - cov[j * k + j];
            let tot = total - 2.0 * row_sum + cov[j * k + j];
            (tot > 1e-13 * tr).then(|| (k - 1) as f64 / (k - 2) as f64 * (1.0 - tr / tot))
        })
        .collect();
    let f = FisherSnedecor::new((n - 1) as f64, ((n - 1) * (k - 1)) as f64)?;
    let ci_low = 1.0 - (1.0 - alpha) * f.inverse_sf(0.025)?;
    let ci_high = 1.0 - (1.0 - alpha) * f.inverse_sf(0.975)?;
    Ok(CronbachAlpha {
        n_subjects: n,
        n_items: k,
        alpha,
        ci_low,
        ci_high,
        alpha_if_dropped,
    })
}

/// One intraclass correlation form with its F test and 95 % interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IccForm {
    /// The coefficient.
    pub icc: f64,
    /// The F statistic (MSB/MSW for ICC1, MSB/MSE for ICC2 and ICC3).
    pub f: f64,
    /// Numerator df, n − 1.
    pub df1: usize,
    /// Denominator df: n(k − 1) for ICC1, (n − 1)(k − 1) for ICC2 and ICC3.
    pub df2: usize,
    /// `P(F(df1, df2) > f)`.
    pub p: f64,
    /// Lower end of the 95 % interval.
    pub ci_low: f64,
    /// Upper end of the 95 % interval.
    pub ci_high: f64,
}

/// All six Shrout & Fleiss (1979) intraclass correlations of one n × k matrix, with the mean
/// squares of the two-way ANOVA they come from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Icc {
    /// Subjects (rows).
    pub n_subjects: usize,
    /// Rater slots (columns).
    pub n_raters: usize,
    /// ICC(1,1): one-way random, single rater. pingouin's `ICC1`.
    pub icc1: IccForm,
    /// ICC(2,1) = ICC(A,1): two-way random, absolute agreement, single rater. `ICC2`.
    pub icc2: IccForm,
    /// ICC(3,1) = ICC(C,1): two-way mixed, consistency, single rater. `ICC3`.
    pub icc3: IccForm,
    /// ICC(1,k): one-way random, mean of k raters. `ICC1k`.
    pub icc1k: IccForm,
    /// ICC(2,k) = ICC(A,k). `ICC2k`.
    pub icc2k: IccForm,
    /// ICC(3,k) = ICC(C,k), equal to Cronbach's alpha over the raters. `ICC3k`.
    pub icc3k: IccForm,
    /// Between-subjects mean square, SS_subjects/(n − 1).
    pub ms_subjects: f64,
    /// Between-raters mean square, SS_raters/(k − 1).
    pub ms_raters: f64,
    /// Residual mean square, SS_residual/((n − 1)(k − 1)).
    pub ms_error: f64,
    /// Within-subjects mean square, (SS_raters + SS_residual)/(n(k − 1)).
    pub ms_within: f64,
}

/// The mean squares of the two-way ANOVA (subjects × rater slots, one rating per cell) that
/// every ICC comes from, after the checks they share.
struct Anova {
    n: usize,
    k: usize,
    msb: f64,
    msj: f64,
    mse: f64,
    msw: f64,
}

fn anova(rows: &[f64], n_raters: usize) -> Result<Anova> {
    let k = n_raters;
    let n = check_matrix(rows, k, 2, 2)?;
    let (nf, kf) = (n as f64, k as f64);
    let col_means = column_means(rows, n, k);
    let row_means: Vec<f64> = rows
        .chunks_exact(k)
        .map(crate::descriptive::mean_unchecked)
        .collect();
    let grand = crate::descriptive::mean_unchecked(&row_means);
    let ss_rows = kf * row_means.iter().map(|m| (m - grand).powi(2)).sum::<f64>();
    let ss_cols = nf * col_means.iter().map(|m| (m - grand).powi(2)).sum::<f64>();
    let mut ss_err = 0.0;
    for (row, rm) in rows.chunks_exact(k).zip(&row_means) {
        for (v, cm) in row.iter().zip(&col_means) {
            let e = v - rm - cm + grand;
            ss_err += e * e;
        }
    }
    let msb = ss_rows / (n - 1) as f64;
    let msj = ss_cols / (k - 1) as f64;
    let mse = ss_err / ((n - 1) * (k - 1)) as f64;
    let msw = (ss_cols + ss_err) / (n * (k - 1)) as f64;
    if !is_positive(msb) {
        return Err(StatsError::ZeroVariance(
            "the subjects' mean ratings do not differ",
        ));
    }
    if !is_positive(mse) || !is_positive(msw) {
        return Err(StatsError::ZeroVariance(
            "the ratings have no error variance (F is infinite)",
        ));
    }
    Ok(Anova {
        n,
        k,
        msb,
        msj,
        mse,
        msw,
    })
}

/// The six Shrout & Fleiss coefficients alone, without F tests or intervals: what
/// [`icc_coefficients`] returns.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IccCoefficients {
    /// Subjects (rows).
    pub n_subjects: usize,
    /// Rater slots (columns).
    pub n_raters: usize,
    /// ICC(1,1), `(MSB − MSW) / (MSB + (k − 1) MSW)`.
    pub icc1: f64,
    /// ICC(2,1), `(MSB − MSE) / (MSB + (k − 1) MSE + k (MSJ − MSE) / n)`; `None` when that
    /// denominator is zero (the quotient is not a number).
    pub icc2: Option<f64>,
    /// ICC(3,1), `(MSB − MSE) / (MSB + (k − 1) MSE)`.
    pub icc3: f64,
    /// ICC(1,k), `(MSB − MSW) / MSB`.
    pub icc1k: f64,
    /// ICC(2,k), `(MSB − MSE) / (MSB + (MSJ − MSE) / n)`; `None` when that denominator is zero.
    pub icc2k: Option<f64>,
    /// ICC(3,k), `(MSB − MSE) / MSB`.
    pub icc3k: f64,
    /// Between-subjects mean square.
    pub ms_subjects: f64,
    /// Between-raters mean square.
    pub ms_raters: f64,
    /// Residual mean square.
    pub ms_error: f64,
    /// Within-subjects mean square.
    pub ms_within: f64,
}

/// The six Shrout & Fleiss (1979) coefficients of a complete subjects × rater-slots matrix
/// (`rows.len() = n × n_raters`, n ≥ 2, k ≥ 2), from the same two-way ANOVA as [`icc`] and
/// equal to its coefficients to the last bit — but without F tests and intervals, so that it
/// also answers where [`icc`] fails with [`StatsError::Degenerate`] because an interval is
/// undefined (pingouin then still reports the coefficients). ICC(2,1) and ICC(2,k) are kept
/// even when their denominators nearly vanish (pingouin's values); only an exactly zero
/// denominator makes them `None`.
///
/// Fails like [`icc`] when the matrix is malformed, the subjects do not differ or the ratings
/// have no error variance ([`StatsError::ZeroVariance`]).
///
/// ```
/// use sellerq_stats::reliability::icc_coefficients;
/// // Shrout & Fleiss (1979), table 2: 6 targets × 4 judges.
/// let sf = [9.0, 2.0, 5.0, 8.0, 6.0, 1.0, 3.0, 2.0, 8.0, 4.0, 6.0, 8.0,
///           7.0, 1.0, 2.0, 6.0, 10.0, 5.0, 6.0, 9.0, 6.0, 2.0, 4.0, 7.0];
/// let c = icc_coefficients(&sf, 4).unwrap();
/// assert_eq!(format!("{:.2} {:.2}", c.icc1, c.icc3k), "0.17 0.91");
/// ```
pub fn icc_coefficients(rows: &[f64], n_raters: usize) -> Result<IccCoefficients> {
    let a = anova(rows, n_raters)?;
    Ok(coefficients(&a))
}

fn coefficients(a: &Anova) -> IccCoefficients {
    let (nf, kf) = (a.n as f64, a.k as f64);
    let (msb, msj, mse, msw) = (a.msb, a.msj, a.mse, a.msw);
    let ratio = |num: f64, den: f64| (den != 0.0).then(|| num / den).filter(|v| v.is_finite());
    IccCoefficients {
        n_subjects: a.n,
        n_raters: a.k,
        icc1: (msb - msw) / (msb + (kf - 1.0) * msw),
        icc2: ratio(msb - mse, msb + (kf - 1.0) * mse + kf * (msj - mse) / nf),
        icc3: (msb - mse) / (msb + (kf - 1.0) * mse),
        icc1k: (msb - msw) / msb,
        icc2k: ratio(msb - mse, msb + (msj - mse) / nf),
        icc3k: (msb - mse) / msb,
        ms_subjects: msb,
        ms_raters: msj,
        ms_error: mse,
        ms_within: msw,
    }
}

/// The six Shrout & Fleiss intraclass correlations of a complete subjects × rater-slots matrix
/// (`rows.len() = n × n_raters`, n ≥ 2, k ≥ 2), with F tests and the 95 % intervals computed
/// exactly as pingouin 0.7 does (for ICC2 and ICC2k, Satterthwaite's approximate df as in
/// McGraw & Wong 1996).
///
/// Fails with [`StatsError::ZeroVariance`] when the subjects do not differ or the ratings have
/// no error variance (F undefined), and [`StatsError::Degenerate`] if an interval is undefined
/// ([`icc_coefficients`] still gives the coefficients then).
pub fn icc(rows: &[f64], n_raters: usize) -> Result<Icc> {
    let a = anova(rows, n_raters)?;
    let (n, k) = (a.n, a.k);
    let (nf, kf) = (n as f64, k as f64);
    let (msb, msj, mse, msw) = (a.msb, a.msj, a.mse, a.msw);
    let df1 = n - 1;
    let df_within = n * (k - 1);
    let df_err = (n - 1) * (k - 1);

    // ICC(2,·) divide by terms holding MSJ − MSE, which vanish on pathological data (raters
    // agreeing less than chance); treat a denominator at rounding level as undefined rather than
    // report ±1e16.
    let scale = msb + (kf - 1.0) * mse + kf * (msj + mse) / nf;
    let den2 = msb + (kf - 1.0) * mse + kf * (msj - mse) / nf;
    let den2k = msb + (msj - mse) / nf;
    if den2.abs() <= 1e-10 * scale || den2k.abs() <= 1e-10 * scale {
        return Err(StatsError::Degenerate(
            "ICC(2,1) or ICC(2,k) is undefined: its denominator vanishes",
        ));
    }

    let c = coefficients(&a);
    let (icc1, icc3, icc1k, icc3k) = (c.icc1, c.icc3, c.icc1k, c.icc3k);
    let icc2 = (msb - mse) / den2;
    let icc2k = (msb - mse) / den2k;

    let f1 = msb / msw;
    let f3 = msb / mse;
    let dist1 = FisherSnedecor::new(df1 as f64, df_within as f64)?;
    let dist3 = FisherSnedecor::new(df1 as f64, df_err as f64)?;
    let p1 = dist1.sf(f1);
    let p3 = dist3.sf(f3);

    // Intervals, following pingouin's code line by line.
    let upper = |d1: f64, d2: f64| -> Result<f64> { FisherSnedecor::new(d1, d2)?.quantile(0.975) };
    let f1l = f1 / upper(df1 as f64, df_within as f64)?;
    let f1u = f1 * upper(df_within as f64, df1 as f64)?;
    let l1 = (f1l - 1.0) / (f1l + (kf - 1.0));
    let u1 = (f1u - 1.0) / (f1u + (kf - 1.0));
    let f3l = f3 / upper(df1 as f64, df_err as f64)?;
    let f3u = f3 * upper(df_err as f64, df1 as f64)?;
    let l3 = (f3l - 1.0) / (f3l + (kf - 1.0));
    let u3 = (f3u - 1.0) / (f3u + (kf - 1.0));
    let fj = msj / mse;
    let vn = df_err as f64 * (kf * icc2 * fj + nf * (1.0 + (kf - 1.0) * icc2) - kf * icc2).powi(2);
    let vd = df1 as f64 * kf * kf * icc2 * icc2 * fj * fj
        + (nf * (1.0 + (kf - 1.0) * icc2) - kf * icc2).powi(2);
    let v = vn / vd;
    if !(v > 0.0 && v.is_finite()) {
        return Err(StatsError::Degenerate(
            "the ICC(2,1) interval's approximate df is not positive",
        ));
    }
    let f2u = upper(df1 as f64, v)?;
    let f2l = upper(v, df1 as f64)?;
    // Denominators that can cancel on pathological data: at rounding level the interval is
    // undefined (pingouin would print ±1e16 or ±inf, depending on the order of the rows).
    let c = kf * nf - kf - nf;
    let checked = |den: f64, scale: f64| -> Result<f64> {
        if den.abs() > 1e-10 * scale {
            Ok(den)
        } else {
            Err(StatsError::Degenerate(
                "the ICC(2,·) interval is undefined for these data",
            ))
        }
    };
    let den_l2 = checked(
        f2u * (kf * msj + c * mse) + nf * msb,
        f2u * (kf * msj + c.abs() * mse) + nf * msb,
    )?;
    let den_u2 = checked(
        kf * msj + c * mse + nf * f2l * msb,
        kf * msj + c.abs() * mse + nf * f2l * msb,
    )?;
    let l2 = nf * (msb - f2u * mse) / den_l2;
    let u2 = nf * (f2l * msb - mse) / den_u2;
    let den_l2k = checked(1.0 + l2 * (kf - 1.0), 1.0 + l2.abs() * (kf - 1.0))?;
    let den_u2k = checked(1.0 + u2 * (kf - 1.0), 1.0 + u2.abs() * (kf - 1.0))?;

    let form = |icc: f64, f: f64, df2: usize, p: f64, lo: f64, hi: f64| IccForm {
        icc,
        f,
        df1,
        df2,
        p,
        ci_low: lo,
        ci_high: hi,
    };
    let result = Icc {
        n_subjects: n,
        n_raters: k,
        icc1: form(icc1, f1, df_within, p1, l1, u1),
        icc2: form(icc2, f3, df_err, p3, l2, u2),
        icc3: form(icc3, f3, df_err, p3, l3, u3),
        icc1k: form(icc1k, f1, df_within, p1, 1.0 - 1.0 / f1l, 1.0 - 1.0 / f1u),
        icc2k: form(icc2k, f3, df_err, p3, l2 * kf / den_l2k, u2 * kf / den_u2k),
        icc3k: form(icc3k, f3, df_err, p3, 1.0 - 1.0 / f3l, 1.0 - 1.0 / f3u),
        ms_subjects: msb,
        ms_raters: msj,
        ms_error: mse,
        ms_within: msw,
    };
    let all_finite = [
        result.icc1,
        result.icc2,
        result.icc3,
        result.icc1k,
        result.icc2k,
        result.icc3k,
    ]
    .iter()
    .all(|f| {
        [f.icc, f.f, f.p, f.ci_low, f.ci_high]
            .iter()
            .all(|v| v.is_finite())
    });
    if all_finite {
        Ok(result)
    } else {
        Err(StatsError::Degenerate(
            "an ICC interval is undefined for these data",
        ))
    }
}

/// Spearman–Brown: the reliability of the mean of `k` raters (k may be fractional) from the
/// single-rater reliability `r1`, `k r1 / (1 + (k − 1) r1)`.
///
/// `None` unless `r1` is in (−1/(k − 1), 1] (where the formula is a reliability) and k > 0.
///
/// ```
/// let r4 = sellerq_stats::reliability::spearman_brown(0.5, 4.0).unwrap();
/// assert!((r4 - 0.8).abs() < 1e-15);
/// ```
pub fn spearman_brown(r1: f64, k: f64) -> Option<f64> {
    if !(k > 0.0 && k.is_finite() && r1 <= 1.0) {
        return None;
    }
    let denominator = 1.0 + (k - 1.0) * r1;
    if !is_positive(denominator) {
        return None;
    }
    Some(k * r1 / denominator)
}

/// Spearman–Brown solved for k: how many raters' mean reaches `target` when one rater has
/// reliability `r1`, `target (1 − r1) / (r1 (1 − target))` — fractional; round up to plan.
///
/// `None` unless 0 < r1 ≤ 1 and 0 < target < 1 (a rater with no reliability never gets there).
///
/// ```
/// let k = sellerq_stats::reliability::raters_needed(0.3, 0.7).unwrap();
/// assert_eq!(k.ceil(), 6.0);
/// ```
pub fn raters_needed(r1: f64, target: f64) -> Option<f64> {
    if !(r1 > 0.0 && r1 <= 1.0 && target > 0.0 && target < 1.0) {
        return None;
    }
    Some(target * (1.0 - r1) / (r1 * (1.0 - target)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Shrout & Fleiss (1979), table 2: 6 targets × 4 judges.
    const SHROUT_FLEISS: [f64; 24] = [
        9.0, 2.0, 5.0, 8.0, 6.0, 1.0, 3.0, 2.0, 8.0, 4.0, 6.0, 8.0, 7.0, 1.0, 2.0, 6.0, 10.0, 5.0,
        6.0, 9.0, 6.0, 2.0, 4.0, 7.0,
    ];

    fn six(c: &IccCoefficients) -> [f64; 6] {
        [
            c.icc1,
            c.icc2.unwrap_or(f64::NAN),
            c.icc3,
            c.icc1k,
            c.icc2k.unwrap_or(f64::NAN),
            c.icc3k,
        ]
    }

    fn six_of_icc(i: &Icc) -> [f64; 6] {
        [
            i.icc1.icc,
            i.icc2.icc,
            i.icc3.icc,
            i.icc1k.icc,
            i.icc2k.icc,
            i.icc3k.icc,
        ]
    }

    /// The textbook two-way ANOVA with plain sums, and the Shrout & Fleiss formulas.
    fn naive(rows: &[f64], k: usize) -> [f64; 6] {
        let n = rows.len() / k;
        let (nf, kf) = (n as f64, k as f64);
        let row_means: Vec<f64> = rows
            .chunks_exact(k)
            .map(|r| r.iter().sum::<f64>() / kf)
            .collect();
        let col_means: Vec<f64> = (0..k)
            .map(|j| rows.chunks_exact(k).map(|r| r[j]).sum::<f64>() / nf)
            .collect();
        let grand = rows.iter().sum::<f64>() / (nf * kf);
        let ss_rows = kf * row_means.iter().map(|m| (m - grand).powi(2)).sum::<f64>();
        let ss_cols = nf * col_means.iter().map(|m| (m - grand).powi(2)).sum::<f64>();
        let ss_total: f64 = rows.iter().map(|v| (v - grand).powi(2)).sum();
        let ss_err = ss_total - ss_rows - ss_cols;
        let msb = ss_rows / (nf - 1.0);
        let msj = ss_cols / (kf - 1.0);
        let mse = ss_err / ((nf - 1.0) * (kf - 1.0));
        let msw = (ss_cols + ss_err) / (nf * (kf - 1.0));
        [
            (msb - msw) / (msb + (kf - 1.0) * msw),
            (msb - mse) / (msb + (kf - 1.0) * mse + kf * (msj - mse) / nf),
            (msb - mse) / (msb + (kf - 1.0) * mse),
            (msb - msw) / msb,
            (msb - mse) / (msb + (msj - mse) / nf),
            (msb - mse) / msb,
        ]
    }

    #[test]
    fn coefficients_are_those_of_icc_to_the_last_bit() {
        let c = icc_coefficients(&SHROUT_FLEISS, 4).unwrap();
        let full = icc(&SHROUT_FLEISS, 4).unwrap();
        assert_eq!(six(&c), six_of_icc(&full));
        assert_eq!(
            (c.ms_subjects, c.ms_raters, c.ms_error, c.ms_within),
            (
                full.ms_subjects,
                full.ms_raters,
                full.ms_error,
                full.ms_within
            )
        );
        // The published table: .17 .29 .71 .44 .62 .91.
        let shown: Vec<String> = six(&c).iter().map(|v| format!("{v:.2}")).collect();
        assert_eq!(shown, ["0.17", "0.29", "0.71", "0.44", "0.62", "0.91"]);
    }

    #[test]
    fn coefficients_match_the_pingouin_fixture() {
        let fixture: serde_json::Value =
            serde_json::from_str(include_str!("../tests/fixtures/reliability.json")).unwrap();
        let num = |v: &serde_json::Value| v.as_f64().unwrap();
        for (i, set) in fixture["icc"].as_array().unwrap().iter().enumerate() {
            let k = set["n_raters"].as_u64().unwrap() as usize;
            let rows: Vec<f64> = set["rows"].as_array().unwrap().iter().map(num).collect();
            let c = icc_coefficients(&rows, k).unwrap();
            let names = [
                "ICC(1,1)", "ICC(A,1)", "ICC(C,1)", "ICC(1,k)", "ICC(A,k)", "ICC(C,k)",
            ];
            for (name, got) in names.iter().zip(six(&c)) {
                let expected = num(&set["forms"][name]["icc"]);
                assert!(
                    (got - expected).abs() <= 1e-9 * expected.abs() + 1e-14,
                    "set {i} {name}: {got} vs pingouin {expected}"
                );
            }
            assert_eq!(six(&c), six_of_icc(&icc(&rows, k).unwrap()), "set {i}");
        }
    }

    #[test]
    fn coefficients_agree_with_the_naive_anova() {
        let mut state = 3u64;
        let mut next = move || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) % 1000
        };
        for _ in 0..300 {
            let k = 2 + (next() % 5) as usize;
            let n = 2 + (next() % 30) as usize;
            let rows: Vec<f64> = (0..n * k).map(|_| (next() % 7) as f64 + 1.0).collect();
            let Ok(c) = icc_coefficients(&rows, k) else {
                continue;
            };
            for (got, want) in six(&c).iter().zip(naive(&rows, k)) {
                if want.abs() < 1e6 {
                    assert!(
                        (got - want).abs() <= 1e-10 * (1.0 + want.abs()),
                        "{got} vs {want} for {rows:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn coefficients_exist_where_the_intervals_do_not() {
        // Two subjects rated in opposite directions: the ICC(2,·) interval is undefined, the
        // coefficients are not (by hand: MSB = 0.25, MSJ = MSE = MSW = 2.25).
        let rows = [1.0, 4.0, 2.0, 2.0];
        assert!(matches!(icc(&rows, 2), Err(StatsError::Degenerate(_))));
        let c = icc_coefficients(&rows, 2).unwrap();
        assert_eq!(six(&c), [-0.8, -0.8, -0.8, -8.0, -8.0, -8.0]);
        assert_eq!(
            (c.ms_subjects, c.ms_raters, c.ms_error, c.ms_within),
            (0.25, 2.25, 2.25, 2.25)
        );
        // ICC(2,k)'s denominator nearly vanishes: icc refuses, the coefficient is kept as
        // pingouin reports it (huge, but a number).
        let rows = [4.0, 2.0, 5.0, 4.0, 2.0, 5.0];
        assert!(matches!(icc(&rows, 2), Err(StatsError::Degenerate(_))));
        let c = icc_coefficients(&rows, 2).unwrap();
        assert!(c.icc2k.is_some_and(|v| v < -1e15));
        assert!((c.icc1 + 1.0 / 3.0).abs() < 1e-15);
    }

    #[test]
    fn coefficients_fail_like_icc_without_variance() {
        let same = [3.0, 3.0, 3.0, 3.0, 3.0, 3.0];
        assert!(matches!(
            icc_coefficients(&same, 2),
            Err(StatsError::ZeroVariance(_))
        ));
        // Rows differ but raters agree perfectly: no error variance.
        let perfect = [1.0, 1.0, 2.0, 2.0, 3.0, 3.0];
        assert!(matches!(
            icc_coefficients(&perfect, 2),
            Err(StatsError::ZeroVariance(_))
        ));
        assert!(matches!(
            icc_coefficients(&[1.0, 2.0, 3.0], 2),
            Err(StatsError::LengthMismatch { .. })
        ));
        assert!(icc_coefficients(&[1.0, 2.0], 2).is_err());
    }
}
