//! Published reference values, each with its source.

use sellerq_stats::krippendorff::{Coincidences, Level};
use sellerq_stats::regression::ols;
use sellerq_stats::reliability::{cronbach_alpha, icc};
use sellerq_stats::rng::SplitMix64;

use crate::{assert_close, assert_prints_as};

/// Shrout, P. E. & Fleiss, J. L. (1979). Intraclass correlations: uses in assessing rater
/// reliability. Psychological Bulletin 86(2), 420–428, Table 2: six targets rated by four
/// judges (rows: targets, columns: judges).
const SHROUT_FLEISS: [f64; 24] = [
    9.0, 2.0, 5.0, 8.0, //
    6.0, 1.0, 3.0, 2.0, //
    8.0, 4.0, 6.0, 8.0, //
    7.0, 1.0, 2.0, 6.0, //
    10.0, 5.0, 6.0, 9.0, //
    6.0, 2.0, 4.0, 7.0,
];

#[test]
fn icc_matches_shrout_fleiss_table_4() {
    let result = icc(&SHROUT_FLEISS, 4).unwrap();
    // Published (Table 4), two decimals.
    let forms = [
        (result.icc1, ".17", "ICC(1,1)"),
        (result.icc2, ".29", "ICC(2,1)"),
        (result.icc3, ".71", "ICC(3,1)"),
        (result.icc1k, ".44", "ICC(1,4)"),
        (result.icc2k, ".62", "ICC(2,4)"),
        (result.icc3k, ".91", "ICC(3,4)"),
    ];
    for (form, printed, name) in forms {
        assert_prints_as(form.icc, 2, printed, name);
    }
    // Full precision, as pingouin 0.7 intraclass_corr computes them on the same data.
    let exact = [
        (
            result.icc1,
            0.1657417684054755,
            1.7946784922394683,
            18,
            0.16476880834463953,
            -0.13293232487475096,
            0.722560062328121,
        ),
        (
            result.icc2,
            0.28976377952755916,
            11.027247956403299,
            15,
            0.000134566516484335,
            0.018786513374712058,
            0.7610843696489527,
        ),
        (
            result.icc3,
            0.7148407148407154,
            11.027247956403299,
            15,
            0.000134566516484335,
            0.34246476503392614,
            0.9458582599553597,
        ),
        (
            result.icc1k,
            0.44279713367926876,
            1.7946784922394683,
            18,
            0.16476880834463953,
            -0.8844421552381196,
            0.9124154203407755,
        ),
        (
            result.icc2k,
            0.6200505475989893,
            11.027247956403299,
            15,
            0.000134566516484335,
            0.07113681530250353,
            0.9272320401677219,
        ),
        (
            result.icc3k,
            0.9093155423770697,
            11.027247956403299,
            15,
            0.000134566516484335,
            0.6756747138163055,
            0.9858916781690623,
        ),
    ];
    for (i, (form, value, f, df2, p, lo, hi)) in exact.into_iter().enumerate() {
        assert_close(form.icc, value, 1e-12, &format!("form {i} icc"));
        assert_close(form.f, f, 1e-12, &format!("form {i} F"));
        assert_eq!((form.df1, form.df2), (5, df2), "form {i} df");
        assert_close(form.p, p, 1e-12, &format!("form {i} p"));
        assert_close(form.ci_low, lo, 1e-12, &format!("form {i} ci_low"));
        assert_close(form.ci_high, hi, 1e-12, &format!("form {i} ci_high"));
    }
}

/// Krippendorff, K. (2011). Computing Krippendorff's Alpha-Reliability. University of
/// Pennsylvania, ScholarlyCommons, Departmental Papers (ASC) 43: the reliability data of
/// section C, four observers × twelve units with missing values (also the example of R's
/// `irr::kripp.alpha` and of the `krippendorff` PyPI package). Rows: units, columns: observers.
fn krippendorff_2011() -> Vec<Option<f64>> {
    let m = None;
    let s = Some;
    vec![
        s(1.0),
        s(1.0),
        m,
        s(1.0), //
        s(2.0),
        s(2.0),
        s(3.0),
        s(2.0), //
        s(3.0),
        s(3.0),
        s(3.0),
        s(3.0), //
        s(3.0),
        s(3.0),
        s(3.0),
        s(3.0), //
        s(2.0),
        s(2.0),
        s(2.0),
        s(2.0), //
        s(1.0),
        s(2.0),
        s(3.0),
        s(4.0), //
        s(4.0),
        s(4.0),
        s(4.0),
        s(4.0), //
        s(1.0),
        s(1.0),
        s(2.0),
        s(1.0), //
        s(2.0),
        s(2.0),
        s(2.0),
        s(2.0), //
        m,
        s(5.0),
        s(5.0),
        s(5.0), //
        m,
        m,
        s(1.0),
        s(1.0), //
        m,
        m,
        s(3.0),
        m,
    ]
}

#[test]
fn krippendorff_alpha_matches_krippendorff_2011_at_all_four_levels() {
    let c = Coincidences::from_matrix(&krippendorff_2011(), 4).unwrap();
    // Published values (three decimals), then the krippendorff 0.9 package at full precision.
    let levels = [
        (Level::Nominal, ".743", 0.743421052631579),
        (Level::Ordinal, ".815", 0.8153875037548814),
        (Level::Interval, ".849", 0.8491071428571428),
        (Level::Ratio, ".797", 0.7974027747116121),
    ];
    for (level, printed, exact) in levels {
        let alpha = c.alpha(level).unwrap();
        assert_prints_as(alpha, 3, printed, &format!("{level:?}"));
        assert_close(alpha, exact, 1e-13, &format!("{level:?}"));
    }
    // The paper's coincidence matrix: n = 40 pairable values; first row 7, 4/3, 1/3, 1/3, 0.
    assert_eq!(c.n_pairable(), 40.0);
    assert_eq!(c.margins(), &[9.0, 13.0, 10.0, 5.0, 3.0]);
    let first_row = [7.0, 4.0 / 3.0, 1.0 / 3.0, 1.0 / 3.0, 0.0];
    for (k, o) in first_row.into_iter().enumerate() {
        assert_close(c.get(0, k), o, 1e-14, &format!("o_1{}", k + 1));
    }
}

#[test]
fn cronbach_alpha_matches_a_published_worked_example() {
    // "Survey reliability", thinkdeeply.cc/posts/survey-reliability (CC BY 4.0): four Likert
    // items answered by ten people; the post computes alpha = 0.674 by hand and with R.
    let data = [
        3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 4.0, 3.0, 3.0, 3.0, 3.0, 1.0, 5.0, 4.0, 4.0, 5.0, 2.0, 1.0,
        4.0, 4.0, 4.0, 4.0, 4.0, 5.0, 3.0, 2.0, 3.0, 3.0, 3.0, 4.0, 3.0, 3.0, 4.0, 2.0, 2.0, 3.0,
        3.0, 3.0, 2.0, 3.0,
    ];
    let a = cronbach_alpha(&data, 4).unwrap();
    assert_prints_as(a.alpha, 3, "0.674", "alpha");
    assert_close(a.alpha, 0.6737266767523954, 1e-13, "alpha as pingouin");
}

#[test]
fn cronbach_alpha_over_judges_equals_the_published_icc_3k() {
    // Alpha over raters is ICC(3,k) (McGraw & Wong 1996): Shrout & Fleiss publish .91.
    let a = cronbach_alpha(&SHROUT_FLEISS, 4).unwrap();
    assert_prints_as(a.alpha, 2, ".91", "alpha");
    assert_close(
        a.alpha,
        icc(&SHROUT_FLEISS, 4).unwrap().icc3k.icc,
        1e-13,
        "alpha = ICC(3,k)",
    );
}

/// NIST Statistical Reference Datasets, linear regression, "Longley" (higher difficulty):
/// Longley, J. W. (1967), JASA 62, 819–841; data and certified values from
/// https://www.itl.nist.gov/div898/strd/lls/data/Longley.shtml. Columns: y, x1..x6.
const LONGLEY: [[f64; 7]; 16] = [
    [60323.0, 83.0, 234289.0, 2356.0, 1590.0, 107608.0, 1947.0],
    [61122.0, 88.5, 259426.0, 2325.0, 1456.0, 108632.0, 1948.0],
    [60171.0, 88.2, 258054.0, 3682.0, 1616.0, 109773.0, 1949.0],
    [61187.0, 89.5, 284599.0, 3351.0, 1650.0, 110929.0, 1950.0],
    [63221.0, 96.2, 328975.0, 2099.0, 3099.0, 112075.0, 1951.0],
    [63639.0, 98.1, 346999.0, 1932.0, 3594.0, 113270.0, 1952.0],
    [64989.0, 99.0, 365385.0, 1870.0, 3547.0, 115094.0, 1953.0],
    [63761.0, 100.0, 363112.0, 3578.0, 3350.0, 116219.0, 1954.0],
    [66019.0, 101.2, 397469.0, 2904.0, 3048.0, 117388.0, 1955.0],
    [67857.0, 104.6, 419180.0, 2822.0, 2857.0, 118734.0, 1956.0],
    [68169.0, 108.4, 442769.0, 2936.0, 2798.0, 120445.0, 1957.0],
    [66513.0, 110.8, 444546.0, 4681.0, 2637.0, 121950.0, 1958.0],
    [68655.0, 112.6, 482704.0, 3813.0, 2552.0, 123366.0, 1959.0],
    [69564.0, 114.2, 502601.0, 3931.0, 2514.0, 125368.0, 1960.0],
    [69331.0, 115.7, 518173.0, 4806.0, 2572.0, 127852.0, 1961.0],
    [70551.0, 116.9, 554894.0, 4007.0, 2827.0, 130081.0, 1962.0],
];

#[test]
fn ols_matches_nist_longley_certified_values() {
    let y: Vec<f64> = LONGLEY.iter().map(|r| r[0]).collect();
    let columns: Vec<Vec<f64>> = (1..7)
        .map(|j| LONGLEY.iter().map(|r| r[j]).collect())
        .collect();
    let predictors: Vec<&[f64]> = columns.iter().map(Vec::as_slice).collect();
    let fit = ols(&y, &predictors).unwrap();
    let certified = [
        (-3482258.63459582, 890420.383607373),
        (15.0618722713733, 84.9149257747669),
        (-0.358191792925910e-01, 0.334910077722432e-01),
        (-2.02022980381683, 0.488399681651699),
        (-1.03322686717359, 0.214274163161675),
        (-0.511041056535807e-01, 0.226073200069370),
        (1829.15146461355, 455.478499142212),
    ];
    for (j, (c, (b, se))) in fit.coefficients.iter().zip(certified).enumerate() {
        assert_close(c.estimate, b, 1e-9, &format!("beta({j})"));
        assert_close(c.se, se, 1e-9, &format!("sd of beta({j})"));
    }
    assert_close(
        fit.sigma,
        304.854073561965,
        1e-9,
        "residual standard deviation",
    );
    assert_close(fit.r2, 0.995479004577296, 1e-12, "R-squared");
    assert_close(fit.ssr, 836424.055505915, 1e-9, "residual sum of squares");
    assert_eq!(fit.df_resid, 9);
}

#[test]
fn splitmix64_reproduces_the_reference_implementation() {
    // First outputs of splitmix64.c (Vigna, prng.di.unimi.it) from state 0.
    let mut g = SplitMix64::new(0);
    let expected = [
        0xE220A8397B1DCDAF,
        0x6E789E6AA1B965F4,
        0x06C45D188009454F,
        0xF88BB8A8724C81EC,
    ];
    for e in expected {
        assert_eq!(g.next_u64(), e);
    }
}
