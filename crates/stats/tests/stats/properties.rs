//! Property tests: invariance under permuting subjects, raters or units, bounds, agreement with
//! naive (all-pairs, normal-equations, two-pass) versions, and no panics on any input.

use proptest::prelude::*;
use sellerq_stats::correlation::{pearson, ranks, spearman};
use sellerq_stats::descriptive::{mean, quantiles, variance};
use sellerq_stats::dist::{FisherSnedecor, StandardNormal, StudentsT};
use sellerq_stats::krippendorff::{Coincidences, Level};
use sellerq_stats::raters::{Rating, rater_effects};
use sellerq_stats::regression::{cross_validated_r2, hierarchical, ols};
use sellerq_stats::reliability::{cronbach_alpha, icc, raters_needed, spearman_brown};
use sellerq_stats::resample::bootstrap_percentile;

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * (1.0 + b.abs())
}

/// A permutation of 0..n derived from a seed (Fisher–Yates with a tiny LCG).
fn permutation(n: usize, seed: u64) -> Vec<usize> {
    let mut p: Vec<usize> = (0..n).collect();
    let mut s = seed | 1;
    for i in (1..n).rev() {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        p.swap(i, (s >> 33) as usize % (i + 1));
    }
    p
}

/// Rows × width matrix with rows, then columns, reordered.
fn permute_matrix(data: &[f64], width: usize, rows: &[usize], cols: &[usize]) -> Vec<f64> {
    let mut out = Vec::with_capacity(data.len());
    for &r in rows {
        for &c in cols {
            out.push(data[r * width + c]);
        }
    }
    out
}

fn matrix(max_rows: usize, max_cols: usize) -> impl Strategy<Value = (usize, Vec<f64>)> {
    (2..=max_cols, 2..=max_rows).prop_flat_map(|(k, n)| {
        (
            Just(k),
            prop::collection::vec((1u8..=7).prop_map(f64::from), n * k),
        )
    })
}

/// Naive Krippendorff's alpha: every ordered pair of values within a unit, every ordered pair
/// of pairable values overall.
fn naive_krippendorff(units: &[Vec<f64>], level: Level) -> Option<f64> {
    let pairable: Vec<&Vec<f64>> = units.iter().filter(|u| u.len() >= 2).collect();
    let all: Vec<f64> = pairable.iter().flat_map(|u| u.iter().copied()).collect();
    let n = all.len() as f64;
    let mut distinct = all.clone();
    distinct.sort_by(f64::total_cmp);
    distinct.dedup();
    let count = |v: f64| all.iter().filter(|&&w| w == v).count() as f64;
    let delta = |a: f64, b: f64| -> f64 {
        match level {
            Level::Nominal => f64::from(u8::from(a != b)),
            Level::Interval => (a - b).powi(2),
            Level::Ratio => {
                if a + b == 0.0 {
                    0.0
                } else {
                    ((a - b) / (a + b)).powi(2)
                }
            }
            Level::Ordinal => {
                let (lo, hi) = if a < b { (a, b) } else { (b, a) };
                let between: f64 = distinct
                    .iter()
                    .filter(|&&g| g >= lo && g <= hi)
                    .map(|&g| count(g))
                    .sum();
                (between - (count(a) + count(b)) / 2.0).powi(2)
            }
        }
    };
    let mut observed = 0.0;
    for u in &pairable {
        let m = u.len() as f64;
        for (i, &a) in u.iter().enumerate() {
            for (j, &b) in u.iter().enumerate() {
                if i != j {
                    observed += delta(a, b) / (m - 1.0);
                }
            }
        }
    }
    let mut expected = 0.0;
    for (i, &a) in all.iter().enumerate() {
        for (j, &b) in all.iter().enumerate() {
            if i != j {
                expected += delta(a, b);
            }
        }
    }
    (expected > 0.0).then(|| 1.0 - (n - 1.0) * observed / expected)
}

fn units_strategy() -> impl Strategy<Value = Vec<Vec<f64>>> {
    prop::collection::vec(
        prop::collection::vec((1u8..=5).prop_map(f64::from), 0..6),
        1..12,
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn krippendorff_alpha_agrees_with_all_pairs_on_small_inputs(units in units_strategy()) {
        let mut builder = sellerq_stats::krippendorff::CoincidenceBuilder::new();
        for u in &units {
            builder.push_unit(u).unwrap();
        }
        let coincidences = builder.finish();
        for level in [Level::Nominal, Level::Ordinal, Level::Interval, Level::Ratio] {
            let naive = naive_krippendorff(&units, level);
            let fast = coincidences.as_ref().ok().and_then(|c| c.alpha(level).ok());
            match (fast, naive) {
                (Some(f), Some(n)) => prop_assert!(close(f, n, 1e-12), "{level:?}: {f} vs {n}"),
                (None, None) => {}
                other => prop_assert!(false, "{level:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn krippendorff_alpha_is_invariant_under_permuting_units_and_coders(
        (k, data) in matrix(15, 5), seed in any::<u64>(), holes in any::<u64>()
    ) {
        // Knock out some values so that missing data are exercised.
        let with_missing: Vec<Option<f64>> = data.iter().enumerate()
            .map(|(i, &v)| ((holes >> (i % 64)) & 3 != 0).then_some(v)).collect();
        let n = data.len() / k;
        let rows = permutation(n, seed);
        let cols = permutation(k, seed.rotate_left(17));
        let mut permuted = Vec::with_capacity(with_missing.len());
        for &r in &rows {
            for &c in &cols {
                permuted.push(with_missing[r * k + c]);
            }
        }
        let a = Coincidences::from_matrix(&with_missing, k);
        let b = Coincidences::from_matrix(&permuted, k);
        for level in [Level::Nominal, Level::Ordinal, Level::Interval, Level::Ratio] {
            let x = a.as_ref().ok().and_then(|c| c.alpha(level).ok());
            let y = b.as_ref().ok().and_then(|c| c.alpha(level).ok());
            match (x, y) {
                (Some(x), Some(y)) => {
                    prop_assert!(close(x, y, 1e-12));
                    prop_assert!(x <= 1.0 + 1e-12);
                }
                (None, None) => {}
                other => prop_assert!(false, "{other:?}"),
            }
        }
    }

    #[test]
    fn icc_is_invariant_under_permuting_subjects_and_raters_and_bounded(
        (k, data) in matrix(12, 5), seed in any::<u64>()
    ) {
        let n = data.len() / k;
        let rows = permutation(n, seed);
        let cols = permutation(k, seed ^ 0x5555);
        let permuted = permute_matrix(&data, k, &rows, &cols);
        match (icc(&data, k), icc(&permuted, k)) {
            (Ok(a), Ok(b)) => {
                let pairs = [(a.icc1, b.icc1), (a.icc2, b.icc2), (a.icc3, b.icc3),
                             (a.icc1k, b.icc1k), (a.icc2k, b.icc2k), (a.icc3k, b.icc3k)];
                for (i, (x, y)) in pairs.into_iter().enumerate() {
                    prop_assert!(close(x.icc, y.icc, 1e-9));
                    prop_assert!(close(x.p, y.p, 1e-9));
                    prop_assert!((0.0..=1.0).contains(&x.p));
                    // ICC(2,·)'s denominator holds MSJ − MSE and can turn negative on
                    // pathological data (pingouin gives e.g. 6.0 for [[1, 4], [2, 1]]); the
                    // one-way and consistency forms are bounded by 1 and inside their intervals.
                    if i != 1 && i != 4 {
                        prop_assert!(x.icc <= 1.0 + 1e-12);
                        prop_assert!(x.ci_low <= x.icc + 1e-12 && x.icc <= x.ci_high + 1e-12);
                    }
                }
                // Alpha over the raters is ICC(3,k).
                let alpha = cronbach_alpha(&data, k).unwrap().alpha;
                prop_assert!(close(alpha, a.icc3k.icc, 1e-9));
            }
            (Err(_), Err(_)) => {}
            other => prop_assert!(false, "{other:?}"),
        }
    }

    #[test]
    fn cronbach_alpha_is_at_most_one_and_invariant_under_permutations(
        (k, data) in matrix(20, 6), seed in any::<u64>()
    ) {
        let n = data.len() / k;
        let permuted = permute_matrix(&data, k, &permutation(n, seed), &permutation(k, !seed));
        match (cronbach_alpha(&data, k), cronbach_alpha(&permuted, k)) {
            (Ok(a), Ok(b)) => {
                prop_assert!(a.alpha <= 1.0 + 1e-12);
                prop_assert!(close(a.alpha, b.alpha, 1e-9));
                prop_assert!(a.ci_low <= a.alpha && a.alpha <= a.ci_high);
            }
            (Err(_), Err(_)) => {}
            other => prop_assert!(false, "{other:?}"),
        }
    }

    #[test]
    fn correlations_are_bounded_symmetric_and_agree_with_the_naive_formula(
        pairs in prop::collection::vec((-1e3f64..1e3, -1e3f64..1e3), 4..60), seed in any::<u64>()
    ) {
        let x: Vec<f64> = pairs.iter().map(|p| p.0).collect();
        let y: Vec<f64> = pairs.iter().map(|p| p.1).collect();
        if let Ok(c) = pearson(&x, &y) {
            prop_assert!((-1.0..=1.0).contains(&c.r));
            prop_assert!(c.ci_low <= c.r && c.r <= c.ci_high);
            prop_assert!((0.0..=1.0).contains(&c.p));
            prop_assert!(close(pearson(&y, &x).unwrap().r, c.r, 1e-12));
            let perm = permutation(x.len(), seed);
            let px: Vec<f64> = perm.iter().map(|&i| x[i]).collect();
            let py: Vec<f64> = perm.iter().map(|&i| y[i]).collect();
            prop_assert!(close(pearson(&px, &py).unwrap().r, c.r, 1e-12));
            // Naive two-pass formula.
            let n = x.len() as f64;
            let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
            let sxy: f64 = x.iter().zip(&y).map(|(a, b)| (a - mx) * (b - my)).sum();
            let sxx: f64 = x.iter().map(|a| (a - mx).powi(2)).sum();
            let syy: f64 = y.iter().map(|b| (b - my).powi(2)).sum();
            prop_assert!(close(c.r, sxy / (sxx * syy).sqrt(), 1e-9));
            // Spearman is Pearson of the ranks and ignores monotone transforms.
            let s = spearman(&x, &y).unwrap();
            let r = pearson(&ranks(&x).unwrap(), &ranks(&y).unwrap()).unwrap();
            prop_assert!(close(s.r, r.r, 1e-12));
            let ex: Vec<f64> = x.iter().map(|v| (v / 100.0).exp()).collect();
            prop_assert!(close(spearman(&ex, &y).unwrap().r, s.r, 1e-12));
        }
    }

    #[test]
    fn ols_agrees_with_the_normal_equations_and_its_residuals_are_orthogonal(
        rows in prop::collection::vec((-10f64..10.0, -10f64..10.0, -10f64..10.0), 8..40)
    ) {
        let x1: Vec<f64> = rows.iter().map(|r| r.0).collect();
        let x2: Vec<f64> = rows.iter().map(|r| r.1).collect();
        let y: Vec<f64> = rows.iter().map(|r| 1.0 + 0.5 * r.0 - r.1 + r.2).collect();
        let Ok(fit) = ols(&y, &[&x1, &x2]) else { return Ok(()); };
        // Normal equations (fine for these well-scaled data), solved by Cramer's rule.
        let n = y.len() as f64;
        let s = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(u, v)| u * v).sum::<f64>();
        let ones = vec![1.0; y.len()];
        let cols = [&ones[..], &x1[..], &x2[..]];
        let m: Vec<Vec<f64>> = cols.iter().map(|a| cols.iter().map(|b| s(a, b)).collect()).collect();
        let rhs: Vec<f64> = cols.iter().map(|a| s(a, &y)).collect();
        let det3 = |m: &[Vec<f64>]| {
            m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
                - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
                + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
        };
        let d = det3(&m);
        prop_assume!(d.abs() > 1e-6 * n.powi(3));
        for j in 0..3 {
            let mut mj = m.clone();
            for i in 0..3 {
                mj[i][j] = rhs[i];
            }
            prop_assert!(close(fit.coefficients[j].estimate, det3(&mj) / d, 1e-7));
        }
        let resid: Vec<f64> = (0..y.len()).map(|i| y[i] - fit.predict(&[x1[i], x2[i]]).unwrap()).collect();
        for col in cols {
            prop_assert!(s(col, &resid).abs() <= 1e-8 * (1.0 + s(col, col).sqrt() * s(&resid, &resid).sqrt()));
        }
        prop_assert!((0.0..=1.0).contains(&fit.r2));
    }

    #[test]
    fn leniency_agrees_with_a_naive_pairwise_computation_and_ignores_input_order(
        raw in prop::collection::vec((0usize..6, 0usize..8, 0usize..3, 1u8..=5), 1..80),
        seed in any::<u64>()
    ) {
        // One rating per (rater, subject, quality), as FORMATS.md guarantees.
        let mut seen = std::collections::HashSet::new();
        let ratings: Vec<Rating> = raw.iter()
            .filter(|r| seen.insert((r.0, r.1, r.2)))
            .map(|&(rater, subject, quality, score)| Rating { rater, subject, quality, score: f64::from(score) })
            .collect();
        let effects = rater_effects(&ratings).unwrap();
        for e in &effects.raters {
            let mut devs = Vec::new();
            for r in ratings.iter().filter(|r| r.rater == e.rater) {
                let others: Vec<f64> = ratings.iter()
                    .filter(|o| o.subject == r.subject && o.quality == r.quality && o.rater != r.rater)
                    .map(|o| o.score).collect();
                if !others.is_empty() {
                    devs.push(r.score - others.iter().sum::<f64>() / others.len() as f64);
                }
            }
            prop_assert_eq!(e.n, devs.len());
            match e.leniency {
                Some(l) => prop_assert!(close(l, devs.iter().sum::<f64>() / devs.len() as f64, 1e-12)),
                None => prop_assert!(devs.is_empty()),
            }
        }
        let perm = permutation(ratings.len(), seed);
        let shuffled: Vec<Rating> = perm.iter().map(|&i| ratings[i]).collect();
        let again = rater_effects(&shuffled).unwrap();
        for (a, b) in effects.raters.iter().zip(&again.raters) {
            prop_assert_eq!(a.n, b.n);
            match (a.leniency, b.leniency) {
                (Some(x), Some(y)) => prop_assert!(close(x, y, 1e-12)),
                (x, y) => prop_assert_eq!(x, y),
            }
            match (a.halo_index, b.halo_index) {
                (Some(x), Some(y)) => prop_assert!(close(x, y, 1e-12)),
                (x, y) => prop_assert_eq!(x, y),
            }
        }
    }

    #[test]
    fn variance_and_quantiles_agree_with_naive_versions(
        xs in prop::collection::vec(-1e6f64..1e6, 2..100), p in 0.0f64..=1.0
    ) {
        let n = xs.len() as f64;
        let m = xs.iter().sum::<f64>() / n;
        let naive = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0);
        prop_assert!(close(variance(&xs).unwrap(), naive, 1e-9));
        // The naive mean itself carries n·ε·max|x| of rounding when the values cancel.
        let scale = xs.iter().fold(0.0f64, |a, x| a.max(x.abs()));
        prop_assert!((mean(&xs).unwrap() - m).abs() <= 1e-13 * scale * n);
        let q = quantiles(&xs, &[0.0, p, 1.0]).unwrap();
        prop_assert!(q[0] <= q[1] && q[1] <= q[2]);
        let mut sorted = xs.clone();
        sorted.sort_by(f64::total_cmp);
        prop_assert_eq!(q[0], sorted[0]);
        prop_assert_eq!(q[2], sorted[sorted.len() - 1]);
    }

    #[test]
    fn distribution_tails_sum_to_one_and_quantiles_invert_them(
        x in -30f64..30.0, df in 0.5f64..1e6, d2 in 0.5f64..1e6, p in 1e-12f64..0.999_999
    ) {
        let t = StudentsT::new(df).unwrap();
        prop_assert!(close(t.cdf(x) + t.sf(x), 1.0, 1e-14));
        let q = t.quantile(p).unwrap();
        prop_assert!(close(t.cdf(q), p, 1e-11));
        let f = FisherSnedecor::new(df, d2).unwrap();
        let fx = x.abs();
        prop_assert!(close(f.cdf(fx) + f.sf(fx), 1.0, 1e-14));
        let q = f.quantile(p).unwrap();
        prop_assert!(close(f.cdf(q), p, 1e-10), "F({df}, {d2}) quantile {p} -> {q}: cdf {}", f.cdf(q));
        prop_assert!(close(StandardNormal.cdf(x) + StandardNormal.sf(x), 1.0, 1e-15));
        prop_assert!(close(StandardNormal.cdf(StandardNormal.quantile(p).unwrap()), p, 1e-13));
    }

    #[test]
    fn no_function_panics_on_degenerate_input(
        xs in prop::collection::vec(prop_oneof![Just(0.0), Just(1.0), Just(f64::NAN), -1e300f64..1e300], 0..12),
        k in 0usize..5, level in 0.0f64..1.5
    ) {
        let ys: Vec<f64> = xs.iter().rev().copied().collect();
        let _ = mean(&xs);
        let _ = variance(&xs);
        let _ = quantiles(&xs, &[level]);
        let _ = pearson(&xs, &ys);
        let _ = spearman(&xs, &ys);
        let _ = ols(&xs, &[&ys]);
        let _ = hierarchical(&xs, &[], &[&ys]);
        let _ = cross_validated_r2(&xs, &[&ys], k, 1);
        let _ = cronbach_alpha(&xs, k);
        let _ = icc(&xs, k);
        let opts: Vec<Option<f64>> = xs.iter().map(|&v| Some(v)).collect();
        let _ = Coincidences::from_matrix(&opts, k).and_then(|c| c.alpha(Level::Ordinal));
        let _ = bootstrap_percentile(xs.len(), 10, level, 3, |idx| idx.first().map(|&i| xs[i]));
        let _ = spearman_brown(level, k as f64);
        let _ = raters_needed(level, 0.7);
        let ratings: Vec<Rating> = xs.iter().enumerate()
            .map(|(i, &score)| Rating { rater: i % 3, subject: i % 2, quality: k, score }).collect();
        let _ = rater_effects(&ratings);
        let _ = StudentsT::new(level).map(|t| t.quantile(level));
        let _ = FisherSnedecor::new(level, 1.0).map(|f| f.quantile(level));
    }
}

#[test]
fn degenerate_data_give_reasons_not_nan() {
    use sellerq_stats::StatsError;
    assert!(matches!(
        pearson(&[1.0; 5], &[1.0, 2.0, 3.0, 4.0, 5.0]),
        Err(StatsError::ZeroVariance(_))
    ));
    assert!(matches!(
        pearson(&[1.0, 2.0], &[1.0, 2.0]),
        Err(StatsError::TooFew { .. })
    ));
    assert!(matches!(
        icc(&[3.0; 12], 3),
        Err(StatsError::ZeroVariance(_))
    ));
    assert!(matches!(
        cronbach_alpha(&[2.0; 8], 2),
        Err(StatsError::ZeroVariance(_))
    ));
    let x = [1.0, 2.0, 3.0, 4.0, 5.0];
    let twice: Vec<f64> = x.iter().map(|v| 2.0 * v).collect();
    assert!(matches!(
        ols(&[1.0, 3.0, 2.0, 5.0, 4.0], &[&x, &twice]),
        Err(StatsError::Collinear { predictor: 1 })
    ));
    assert!(matches!(
        Coincidences::from_matrix(&[Some(1.0), None, Some(2.0), None], 2),
        Err(StatsError::TooFew { .. })
    ));
    let same = Coincidences::from_matrix(&[Some(1.0), Some(1.0), Some(1.0), Some(1.0)], 2).unwrap();
    assert!(matches!(
        same.alpha(Level::Interval),
        Err(StatsError::ZeroVariance(_))
    ));
    assert!(rater_effects(&[]).unwrap().raters.is_empty());
}

#[test]
fn krippendorff_alpha_with_more_distinct_values_than_the_dense_limit_agrees_with_all_pairs() {
    // 1,200 units of three continuous values: far more than DENSE_LIMIT distinct values, so
    // the coincidences accumulate in the sparse map.
    let mut rng = sellerq_stats::rng::Xoshiro256StarStar::seed_from_u64(9);
    let units: Vec<Vec<f64>> = (0..1200)
        .map(|_| {
            let truth = rng.next_f64() * 10.0;
            (0..3)
                .map(|_| ((truth + rng.next_f64()) * 100.0).round() / 100.0)
                .collect()
        })
        .collect();
    let mut builder = sellerq_stats::krippendorff::CoincidenceBuilder::new();
    for u in &units {
        builder.push_unit(u).unwrap();
    }
    let c = builder.finish().unwrap();
    assert!(c.values().len() > sellerq_stats::krippendorff::DENSE_LIMIT);
    for level in [Level::Nominal, Level::Interval, Level::Ratio] {
        let fast = c.alpha(level).unwrap();
        let naive = naive_krippendorff(&units, level).unwrap();
        assert!(close(fast, naive, 1e-10), "{level:?}: {fast} vs {naive}");
    }
}

#[test]
fn leniency_interval_is_the_mean_deviation_plus_minus_t_sd_over_root_n() {
    let r = |rater, subject, quality, score| Rating {
        rater,
        subject,
        quality,
        score,
    };
    // Rater 0 deviates by +1.5, −0.5 and +1.0 from the others' means.
    let ratings = [
        r(0, 0, 0, 5.0),
        r(1, 0, 0, 3.0),
        r(2, 0, 0, 4.0),
        r(0, 1, 0, 2.0),
        r(1, 1, 0, 3.0),
        r(2, 1, 0, 2.0),
        r(0, 2, 0, 4.0),
        r(1, 2, 0, 3.0),
        r(3, 3, 0, 4.0), // alone on its subject: not counted
    ];
    let effects = rater_effects(&ratings).unwrap();
    let e = effects.raters[0];
    assert_eq!((e.n_ratings, e.n), (3, 3));
    // Reference: numpy mean/std(ddof=1) and scipy.stats.t.ppf(0.975, 2) = 4.302652729749462.
    crate::assert_close(e.leniency.unwrap(), 0.6666666666666666, 1e-15, "leniency");
    crate::assert_close(e.sd.unwrap(), 1.0408329997330663, 1e-14, "sd");
    crate::assert_close(e.ci_low.unwrap(), -1.9189058396044647, 1e-13, "ci_low");
    crate::assert_close(e.ci_high.unwrap(), 3.2522391729377977, 1e-13, "ci_high");
    assert_eq!((effects.raters[3].n, effects.raters[3].leniency), (0, None));
}

#[test]
fn halo_index_compares_a_raters_spread_across_qualities_with_the_average_rater() {
    let r = |rater, quality, score| Rating {
        rater,
        subject: 0,
        quality,
        score,
    };
    // Rater 0 gives 3, 3, 3 (SD 0: pure halo); rater 1 gives 1, 3, 5 (SD 2).
    let ratings = [
        r(0, 0, 3.0),
        r(0, 1, 3.0),
        r(0, 2, 3.0),
        r(1, 0, 1.0),
        r(1, 1, 3.0),
        r(1, 2, 5.0),
    ];
    let effects = rater_effects(&ratings).unwrap();
    assert_eq!(effects.mean_within_subject_sd, Some(1.0));
    assert_eq!(effects.raters[0].halo_index, Some(0.0));
    assert_eq!(effects.raters[1].halo_index, Some(2.0));
    assert_eq!(effects.raters[1].n_subjects_multi, 1);
}
