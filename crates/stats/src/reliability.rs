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

/// The six Shrout & Fleiss intraclass correlations of a complete subjects × rater-slots matrix
/// (`rows.len() = n × n_raters`, n ≥ 2, k ≥ 2), with F tests and the 95 % intervals computed
/// exactly as pingouin 0.7 does (for ICC2 and ICC2k, Satterthwaite's approximate df as in
/// McGraw & Wong 1996).
///
/// Fails with [`StatsError::ZeroVariance`] when the subjects do not differ or the ratings have
/// no error variance (F undefined), and [`StatsError::Degenerate`] if an interval is undefined.
pub fn icc(rows: &[f64], n_raters: usize) -> Result<Icc> {
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
    let df1 = n - 1;
    let df_within = n * (k - 1);
    let df_err = (n - 1) * (k - 1);
    let msb = ss_rows / df1 as f64;
    let msj = ss_cols / (k - 1) as f64;
    let mse = ss_err / df_err as f64;
    let msw = (ss_cols + ss_err) / df_within as f64;
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

    let icc1 = (msb - msw) / (msb + (kf - 1.0) * msw);
    let icc2 = (msb - mse) / den2;
    let icc3 = (msb - mse) / (msb + (kf - 1.0) * mse);
    let icc1k = (msb - msw) / msb;
    let icc2k = (msb - mse) / den2k;
    let icc3k = (msb - mse) / msb;

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
