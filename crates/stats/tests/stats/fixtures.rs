//! Agreement with the Python reference libraries on generated data. The JSON files under
//! `tests/fixtures/` are written by `make_fixtures.py` (pingouin, statsmodels, scipy,
//! krippendorff); nothing here runs Python.

use sellerq_stats::correlation::{pearson, spearman};
use sellerq_stats::descriptive::{mean, quantiles, sd, variance};
use sellerq_stats::dist::{FisherSnedecor, StandardNormal, StudentsT};
use sellerq_stats::krippendorff::{Coincidences, Level};
use sellerq_stats::regression::{cross_validated_r2, hierarchical, ols};
use sellerq_stats::reliability::{IccForm, cronbach_alpha, icc};
use sellerq_stats::resample::{bootstrap_percentile, kfold_assignments};
use sellerq_stats::rng::{SplitMix64, Xoshiro256StarStar};
use serde_json::Value;

use crate::assert_close;

/// Figures must agree with the references to this relative error.
const TOL: f64 = 1e-9;
/// The distribution functions must agree with 50-digit mpmath values to this relative error
/// (and with scipy to [`TOL`]: scipy itself is off by up to ~2e-12 at large df).
const DIST_TOL: f64 = 1e-12;

fn load(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn nums(v: &Value) -> Vec<f64> {
    v.as_array().expect("array").iter().map(num).collect()
}

fn columns(v: &Value) -> Vec<Vec<f64>> {
    v.as_array().expect("array").iter().map(nums).collect()
}

fn slices(cols: &[Vec<f64>]) -> Vec<&[f64]> {
    cols.iter().map(Vec::as_slice).collect()
}

#[test]
fn distributions_match_scipy_and_50_digit_values_including_far_tails() {
    let fixture = load("distributions.json");
    let cases = fixture["cases"].as_array().unwrap();
    assert!(cases.len() > 300);
    for case in cases {
        let kind = case["kind"].as_str().unwrap();
        let params = nums(&case["params"]);
        let what = format!("{kind} {params:?} {case}");
        match kind {
            "normal" | "t" | "f" => {
                let x = num(&case["x"]);
                let (cdf, sf) = match kind {
                    "normal" => (StandardNormal.cdf(x), StandardNormal.sf(x)),
                    "t" => {
                        let d = StudentsT::new(params[0]).unwrap();
                        (d.cdf(x), d.sf(x))
                    }
                    _ => {
                        let d = FisherSnedecor::new(params[0], params[1]).unwrap();
                        (d.cdf(x), d.sf(x))
                    }
                };
                assert_close(cdf, num(&case["cdf_mp"]), DIST_TOL, &format!("cdf {what}"));
                assert_close(sf, num(&case["sf_mp"]), DIST_TOL, &format!("sf {what}"));
                assert_close(cdf, num(&case["cdf"]), TOL, &format!("scipy cdf {what}"));
                assert_close(sf, num(&case["sf"]), TOL, &format!("scipy sf {what}"));
            }
            _ => {
                let p = num(&case["p"]);
                let q = match kind {
                    "normal_ppf" => StandardNormal.quantile(p),
                    "t_ppf" => StudentsT::new(params[0]).unwrap().quantile(p),
                    _ => FisherSnedecor::new(params[0], params[1])
                        .unwrap()
                        .quantile(p),
                }
                .unwrap();
                assert_close(
                    q,
                    num(&case["value_mp"]),
                    DIST_TOL,
                    &format!("quantile {what}"),
                );
                assert_close(
                    q,
                    num(&case["value"]),
                    TOL,
                    &format!("scipy quantile {what}"),
                );
            }
        }
    }
}

#[test]
fn pearson_and_spearman_match_scipy() {
    let fixture = load("correlation.json");
    for (i, set) in fixture["sets"].as_array().unwrap().iter().enumerate() {
        let (x, y) = (nums(&set["x"]), nums(&set["y"]));
        let p = pearson(&x, &y).unwrap();
        let e = &set["pearson"];
        assert_close(p.r, num(&e["r"]), TOL, &format!("set {i} r"));
        assert_close(p.p, num(&e["p"]), TOL, &format!("set {i} p"));
        assert_close(p.ci_low, num(&e["ci_low"]), TOL, &format!("set {i} ci_low"));
        assert_close(
            p.ci_high,
            num(&e["ci_high"]),
            TOL,
            &format!("set {i} ci_high"),
        );
        let s = spearman(&x, &y).unwrap();
        assert_close(
            s.r,
            num(&set["spearman"]["rho"]),
            TOL,
            &format!("set {i} rho"),
        );
        assert_close(
            s.p,
            num(&set["spearman"]["p"]),
            TOL,
            &format!("set {i} rho p"),
        );
    }
}

#[test]
fn ols_matches_statsmodels() {
    let fixture = load("regression.json");
    for (i, fit) in fixture["ols"].as_array().unwrap().iter().enumerate() {
        let y = nums(&fit["y"]);
        let x = columns(&fit["x"]);
        let result = ols(&y, &slices(&x)).unwrap();
        let (params, bse) = (nums(&fit["params"]), nums(&fit["bse"]));
        let (tvalues, pvalues) = (nums(&fit["tvalues"]), nums(&fit["pvalues"]));
        for (j, c) in result.coefficients.iter().enumerate() {
            assert_close(c.estimate, params[j], TOL, &format!("fit {i} coef {j}"));
            assert_close(c.se, bse[j], TOL, &format!("fit {i} se {j}"));
            assert_close(c.t, tvalues[j], TOL, &format!("fit {i} t {j}"));
            assert_close(c.p, pvalues[j], TOL, &format!("fit {i} p {j}"));
        }
        assert_close(
            result.r2,
            num(&fit["rsquared"]),
            TOL,
            &format!("fit {i} r2"),
        );
        assert_close(
            result.adj_r2,
            num(&fit["rsquared_adj"]),
            TOL,
            &format!("fit {i} adj r2"),
        );
        assert_close(result.ssr, num(&fit["ssr"]), TOL, &format!("fit {i} ssr"));
        assert_eq!(result.df_resid as u64, fit["df_resid"].as_u64().unwrap());
    }
}

#[test]
fn hierarchical_f_change_matches_statsmodels_compare_f_test() {
    let fixture = load("regression.json");
    for (i, h) in fixture["hierarchical"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        let y = nums(&h["y"]);
        let (base, added) = (columns(&h["base"]), columns(&h["added"]));
        let result = hierarchical(&y, &slices(&base), &slices(&added)).unwrap();
        if !base.is_empty() {
            assert_close(
                result.r2_step1,
                num(&h["r2_step1"]),
                TOL,
                &format!("set {i} r2 step 1"),
            );
        } else {
            assert_eq!(result.r2_step1, 0.0);
        }
        assert_close(
            result.r2_step2,
            num(&h["r2_step2"]),
            TOL,
            &format!("set {i} r2 step 2"),
        );
        assert_close(
            result.f_change,
            num(&h["f_change"]),
            TOL,
            &format!("set {i} F"),
        );
        assert_close(
            result.p_change,
            num(&h["p_change"]),
            TOL,
            &format!("set {i} p"),
        );
        assert_eq!(result.df1 as u64, h["df1"].as_u64().unwrap());
        assert_eq!(result.df2 as u64, h["df2"].as_u64().unwrap());
    }
}

#[test]
fn cross_validated_r2_matches_statsmodels_on_the_same_seeded_folds() {
    let fixture = load("regression.json");
    let cv = &fixture["cross_validated_r2"];
    let y = nums(&cv["y"]);
    let x = columns(&cv["x"]);
    let k = cv["k"].as_u64().unwrap() as usize;
    let seed = cv["seed"].as_u64().unwrap();
    let result = cross_validated_r2(&y, &slices(&x), k, seed).unwrap();
    let folds: Vec<usize> = nums(&cv["folds"]).iter().map(|&f| f as usize).collect();
    assert_eq!(
        result.folds, folds,
        "folds as the documented Python reimplementation draws them"
    );
    assert_close(result.press, num(&cv["press"]), TOL, "PRESS");
    assert_close(result.r2, num(&cv["r2"]), TOL, "R² cv");
}

#[test]
fn cronbach_alpha_matches_pingouin() {
    let fixture = load("reliability.json");
    for (i, set) in fixture["cronbach"].as_array().unwrap().iter().enumerate() {
        let k = set["n_items"].as_u64().unwrap() as usize;
        let result = cronbach_alpha(&nums(&set["rows"]), k).unwrap();
        assert_close(
            result.alpha,
            num(&set["alpha"]),
            TOL,
            &format!("set {i} alpha"),
        );
        assert_close(
            result.ci_low,
            num(&set["ci_low"]),
            TOL,
            &format!("set {i} ci_low"),
        );
        assert_close(
            result.ci_high,
            num(&set["ci_high"]),
            TOL,
            &format!("set {i} ci_high"),
        );
        for (j, expected) in nums(&set["alpha_if_dropped"]).into_iter().enumerate() {
            let got = result.alpha_if_dropped[j].unwrap();
            assert_close(
                got,
                expected,
                TOL,
                &format!("set {i} alpha without item {j}"),
            );
        }
    }
}

#[test]
fn all_six_icc_forms_match_pingouin_with_f_p_and_intervals() {
    let fixture = load("reliability.json");
    for (i, set) in fixture["icc"].as_array().unwrap().iter().enumerate() {
        let k = set["n_raters"].as_u64().unwrap() as usize;
        let result = icc(&nums(&set["rows"]), k).unwrap();
        let forms: [(&str, IccForm); 6] = [
            ("ICC(1,1)", result.icc1),
            ("ICC(A,1)", result.icc2),
            ("ICC(C,1)", result.icc3),
            ("ICC(1,k)", result.icc1k),
            ("ICC(A,k)", result.icc2k),
            ("ICC(C,k)", result.icc3k),
        ];
        for (name, form) in forms {
            let e = &set["forms"][name];
            let what = format!("set {i} {name}");
            assert_close(form.icc, num(&e["icc"]), TOL, &format!("{what} icc"));
            assert_close(form.f, num(&e["f"]), TOL, &format!("{what} F"));
            assert_eq!(form.df1 as u64, e["df1"].as_u64().unwrap(), "{what} df1");
            assert_eq!(form.df2 as u64, e["df2"].as_u64().unwrap(), "{what} df2");
            assert_close(form.p, num(&e["p"]), TOL, &format!("{what} p"));
            assert_close(
                form.ci_low,
                num(&e["ci_low"]),
                TOL,
                &format!("{what} ci_low"),
            );
            assert_close(
                form.ci_high,
                num(&e["ci_high"]),
                TOL,
                &format!("{what} ci_high"),
            );
        }
    }
}

#[test]
fn krippendorff_alpha_matches_the_krippendorff_package_at_all_levels() {
    let fixture = load("krippendorff.json");
    for (i, set) in fixture["sets"].as_array().unwrap().iter().enumerate() {
        let coders = set["n_coders"].as_u64().unwrap() as usize;
        let data: Vec<Option<f64>> = set["units"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|row| row.as_array().unwrap().iter().map(Value::as_f64))
            .collect();
        let c = Coincidences::from_matrix(&data, coders).unwrap();
        for (level, key) in [
            (Level::Nominal, "nominal"),
            (Level::Ordinal, "ordinal"),
            (Level::Interval, "interval"),
            (Level::Ratio, "ratio"),
        ] {
            let expected = num(&set["alpha"][key]);
            assert_close(
                c.alpha(level).unwrap(),
                expected,
                TOL,
                &format!("set {i} {key}"),
            );
        }
    }
}

#[test]
fn generator_folds_and_bootstrap_match_the_python_reimplementation() {
    let fixture = load("resample.json");
    let mut g = Xoshiro256StarStar::seed_from_u64(42);
    for v in fixture["xoshiro_seed_42"].as_array().unwrap() {
        assert_eq!(g.next_u64().to_string(), v.as_str().unwrap());
    }
    let mut s = SplitMix64::new(0);
    for v in fixture["splitmix_seed_0"].as_array().unwrap() {
        assert_eq!(s.next_u64().to_string(), v.as_str().unwrap());
    }
    let f = &fixture["folds"];
    let folds = kfold_assignments(
        f["n"].as_u64().unwrap() as usize,
        f["k"].as_u64().unwrap() as usize,
        f["seed"].as_u64().unwrap(),
    )
    .unwrap();
    let expected: Vec<usize> = nums(&f["folds"]).iter().map(|&v| v as usize).collect();
    assert_eq!(folds, expected);

    let b = &fixture["bootstrap_mean"];
    let x = nums(&b["x"]);
    let ci = bootstrap_percentile(
        x.len(),
        b["replicates"].as_u64().unwrap() as usize,
        num(&b["level"]),
        b["seed"].as_u64().unwrap(),
        |idx| Some(idx.iter().map(|&i| x[i]).sum::<f64>() / idx.len() as f64),
    )
    .unwrap();
    assert_close(ci.low, num(&b["low"]), TOL, "bootstrap low");
    assert_close(ci.high, num(&b["high"]), TOL, "bootstrap high");
}

#[test]
fn descriptive_statistics_match_numpy_even_with_a_large_offset() {
    let fixture = load("resample.json");
    for (i, d) in fixture["descriptive"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        let x = nums(&d["x"]);
        assert_close(
            mean(&x).unwrap(),
            num(&d["mean"]),
            1e-15,
            &format!("set {i} mean"),
        );
        assert_close(
            variance(&x).unwrap(),
            num(&d["var"]),
            TOL,
            &format!("set {i} var"),
        );
        assert_close(sd(&x).unwrap(), num(&d["sd"]), TOL, &format!("set {i} sd"));
        let q = quantiles(&x, &nums(&d["ps"])).unwrap();
        for (j, e) in nums(&d["quantiles"]).into_iter().enumerate() {
            assert_eq!(q[j], e, "set {i} quantile {j}: numpy's type 7, bit for bit");
        }
    }
}
