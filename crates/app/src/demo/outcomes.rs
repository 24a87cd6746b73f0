//! The demo's sales results: quarterly outcomes of every demo seller, drawn from the hidden
//! true levels of [`super::plan`] so that the validity report has a story to tell.
//!
//! The story the outcomes tell:
//! - three metrics: `quota_attainment` (1.0 = 100 %), `win_rate` (the share of a quarter's
//!   closed opportunities that were won) and `bookings` (US dollars), for the seven closed
//!   quarters [`PERIODS`] (2025-Q1 … 2026-Q3; the demo's "now" is the fourth quarter of 2026,
//!   whose cycle is still open);
//! - a quarter's results follow the seller's true qualities **as of the cycle before** (the
//!   first half of 2025 follows the levels half a year before the first cycle): process
//!   mastery, value crafting, storytelling, trust and ownership weigh most for attainment, the
//!   customer-facing behaviours (value crafting, storytelling, trust) most for the win rate;
//!   coached sellers' results grow with their qualities;
//! - the résumé facts barely matter: a small carry-over of the quota track record and of VIP
//!   connections, and nothing for years, tenure or domain depth beyond what they share with
//!   the qualities by chance;
//! - realistic noise: a persistent territory effect per seller, lumpy quarters, a Q4 push and a
//!   slow Q1, a win rate counted from a handful of deals (fewest in Strategic Accounts), and
//!   bookings that scale with the size of the quota (largest in Strategic Accounts, so
//!   bookings favour the big-territory veterans more than attainment does);
//! - gaps: a seller's results start with the first full quarter after their hire date (a
//!   ramp quarter or two below par follows), and one seller was on parental leave
//!   ([`LEAVES`]).
//!
//! What the validity report then shows (the tests below hold it to this): in the default view
//! of `sellerq analyze` — the last cycle by name, the open 2026-H2, and every quarter — the
//! qualities correlate about 0.3–0.6 with mean attainment and the résumé facts about −0.1–0.25;
//! the résumé facts together explain about a quarter of the variance (the quota track record
//! leans a little on true strength), the qualities add ΔR² ≈ 0.3 (p ≈ 0.001, n = 63). The
//! same holds in the latest closed cycle (2026-H1, every sheet in), and more weakly but still
//! clearly for the strict reading, 2026-H1 against the one quarter after it (2026-Q3). The win
//! rate tells the same story with other leaders (trust, value crafting, storytelling) and
//! slightly negative résumé facts; bookings a weaker one, with the résumé facts looking better
//! than they are because the long résumés hold the big territories.
//!
//! Like the rest of the demo, everything is drawn from [`SplitMix64`] with one stream per
//! seller, and every seller draws the same numbers whatever their gaps, so the outcomes are the
//! same on every machine.

use sellerq_domain::PersonId;
use sellerq_domain::outcome::{Metric, RATIO_UNIT};
use time::{Date, Month};

use super::ratings::{CYCLES, Trajectory};
use super::{DemoPlan, SEED, SplitMix64, fnv1a, round_to};

/// The quarters with outcomes, oldest first: quarter `k` lies in half-year `k / 2` of
/// [`CYCLES`].
pub const PERIODS: [&str; 7] = [
    "2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3",
];

/// The first day of each of [`PERIODS`], as `(year, month)`.
const PERIOD_STARTS: [(i32, u8); 7] = [
    (2025, 1),
    (2025, 4),
    (2025, 7),
    (2025, 10),
    (2026, 1),
    (2026, 4),
    (2026, 7),
];

/// The metrics' keys, the order of [`metrics`] and of [`DemoOutcome::metric`].
pub const METRIC_KEYS: [&str; 3] = ["quota_attainment", "win_rate", "bookings"];

/// Sellers away for whole quarters (by name): no quota, no outcome.
pub const LEAVES: [(&str, &[&str]); 1] = [("Ingrid Johansson", &["2025-Q4", "2026-Q1"])];

/// The metrics the demo organisation defines, in [`METRIC_KEYS`] order.
pub fn metrics() -> Vec<Metric> {
    vec![
        Metric::quota_attainment(),
        Metric {
            key: METRIC_KEYS[1].to_owned(),
            label: "Win rate".to_owned(),
            unit: RATIO_UNIT.to_owned(),
            higher_is_better: true,
        },
        Metric {
            key: METRIC_KEYS[2].to_owned(),
            label: "Bookings".to_owned(),
            unit: "USD".to_owned(),
            higher_is_better: true,
        },
    ]
}

/// One generated outcome, in outcomes.csv terms.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoOutcome {
    pub subject: PersonId,
    /// Index into [`PERIODS`].
    pub period: usize,
    /// Index into [`METRIC_KEYS`].
    pub metric: usize,
    pub value: f64,
}

/// How much each quality (in [`super::QUALITY_KEYS`] order) drives attainment: pipeline and
/// deal craft most, the mindset qualities through them.
const ATTAINMENT_WEIGHTS: [f64; 8] = [0.08, 0.06, 0.14, 0.12, 0.13, 0.17, 0.15, 0.15];

/// How much each quality drives the win rate: the customer-facing behaviours.
const WIN_WEIGHTS: [f64; 8] = [0.07, 0.10, 0.07, 0.04, 0.20, 0.06, 0.23, 0.23];

/// Attainment's seasonality per quarter of the year: a slow start, the Q4 push.
const SEASON: [f64; 4] = [-0.08, 0.0, -0.03, 0.13];

/// Deals closed in a quarter, won or lost, by team (a typical seller).
fn deals_per_quarter(team: Option<&str>) -> f64 {
    match team {
        Some(super::STRATEGIC) => 4.0,
        Some(super::MID_MARKET) => 14.0,
        Some(super::EMEA) => 7.0,
        _ => 9.0,
    }
}

/// A quarter's quota in US dollars, by team and archetype.
fn quarterly_quota(team: Option<&str>, archetype: super::Archetype) -> f64 {
    use super::Archetype::*;
    let base = match team {
        Some(super::STRATEGIC) => 400_000.0,
        Some(super::MID_MARKET) => 200_000.0,
        Some(super::EMEA) => 280_000.0,
        _ => 300_000.0,
    };
    let seniority = match archetype {
        Veteran | ProvenHire => 1.05,
        Steady | CareerChanger => 1.0,
        Newcomer => 0.9,
    };
    base * seniority
}

/// The index of the first of [`PERIODS`] a seller hired on `hired` has results in: the first
/// full quarter after the hire date (a seller without a hire date has been there all along).
pub fn first_period(hired: Option<Date>) -> usize {
    let Some(hired) = hired else {
        return 0;
    };
    PERIOD_STARTS
        .iter()
        .position(|&(y, m)| {
            Month::try_from(m)
                .and_then(|m| Date::from_calendar_date(y, m, 1))
                .is_ok_and(|start| start >= hired)
        })
        .unwrap_or(PERIODS.len())
}

/// True when `name` was on leave in period `k`.
fn on_leave(name: &str, k: usize) -> bool {
    LEAVES
        .iter()
        .any(|(n, periods)| *n == name && periods.contains(&PERIODS[k]))
}

/// Builds every demo seller's outcomes, deterministically, by seller then period then metric.
pub fn generate(plan: &DemoPlan) -> Vec<DemoOutcome> {
    let last = CYCLES.len() - 1;
    let mut out = Vec::new();
    for (p, traits) in plan.sellers() {
        let mut rng = SplitMix64::new(SEED ^ fnv1a(b"outcomes") ^ fnv1a(p.id.as_str().as_bytes()));
        let path = Trajectory::of(&p.id, traits);
        let team = p.team.as_deref();
        // Lasting traits of the seller's territory and book, not of the seller.
        let territory = 0.11 * rng.normal();
        let win_edge = 0.05 * rng.normal();
        let quota = quarterly_quota(team, traits.archetype) * (1.0 + 0.1 * rng.normal());
        // The résumé's small carry-over: an established book and senior contacts.
        let carry = 0.05 * (p.quota_track_record.unwrap_or(1.0) - 1.0)
            + 0.001 * (p.vip_connections.unwrap_or(10.0) - 10.0);
        let first = first_period(p.hire_date);
        for k in 0..PERIODS.len() {
            // Drawn for every quarter, so gaps do not shift the stream.
            let lumpy = rng.normal();
            let deals_noise = rng.normal();
            let coin: [f64; 24] = std::array::from_fn(|_| rng.uniform());
            if k < first || on_leave(&p.name, k) {
                continue;
            }
            // The levels as of the cycle before this quarter's half-year.
            let behind = (last + 1 - k / 2) as f64;
            let drive = |weights: &[f64; 8]| -> f64 {
                weights
                    .iter()
                    .enumerate()
                    .map(|(q, w)| w * (path.level(traits, q, behind) - 3.15))
                    .sum()
            };
            let ramp = match k - first {
                0 if first > 0 => -0.12,
                1 if first > 0 => -0.05,
                _ => 0.0,
            };
            let attainment = (1.0
                + 0.21 * drive(&ATTAINMENT_WEIGHTS)
                + SEASON[k % 4]
                + territory
                + carry
                + ramp
                + 0.17 * lumpy)
                .max(0.05);
            let attainment = round_to(attainment, 3);

            let deals = (deals_per_quarter(team) * (1.0 + 0.08 * drive(&ATTAINMENT_WEIGHTS))
                + 1.5 * deals_noise)
                .round()
                .clamp(2.0, coin.len() as f64) as usize;
            let p_win = (0.27 + 0.07 * drive(&WIN_WEIGHTS) + win_edge).clamp(0.04, 0.8);
            let wins = coin[..deals].iter().filter(|&&u| u < p_win).count();
            let win_rate = round_to(wins as f64 / deals as f64, 4);

            let bookings = (attainment * quota / 100.0).round() * 100.0;

            for (metric, value) in [attainment, win_rate, bookings].into_iter().enumerate() {
                out.push(DemoOutcome {
                    subject: p.id.clone(),
                    period: k,
                    metric,
                    value,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use sellerq_domain::model::default_model;

    use super::*;
    use crate::analyze::dataset::PersonRow;
    use crate::analyze::report::Kind;
    use crate::analyze::{
        Dataset, OutcomesTable, PeopleTable, RaterRole, RatingsTable, Report, compute,
    };
    use crate::demo::{QUALITY_KEYS, plan, ratings};

    /// The demo as `sellerq analyze` would read it from the organisation's exports.
    fn dataset() -> Dataset {
        let plan = plan();
        let model = default_model();
        let mut people = PeopleTable::new("people.csv");
        for (i, p) in plan.people.iter().enumerate() {
            people.count_row();
            people.push(
                i as u64 + 2,
                PersonRow {
                    id: p.input.id.clone(),
                    manager: p.input.manager.clone(),
                    trailing: p.input.trailing_values(),
                },
            );
        }
        let mut table = RatingsTable::new("ratings.csv", model);
        for (i, r) in ratings::generate(&plan).ratings.iter().enumerate() {
            table.count_row();
            let role = RaterRole::parse(r.role.as_str()).expect("a ratings.csv role");
            table.push(
                i as u64 + 2,
                CYCLES[r.cycle],
                r.subject.as_str(),
                r.rater.as_str(),
                role,
                QUALITY_KEYS[r.quality],
                r.score,
            );
        }
        let mut outcomes = OutcomesTable::new("outcomes.csv");
        for (i, o) in generate(&plan).iter().enumerate() {
            outcomes.count_row();
            outcomes.push(
                i as u64 + 2,
                o.subject.as_str(),
                PERIODS[o.period],
                METRIC_KEYS[o.metric],
                o.value,
            );
        }
        Dataset::assemble(model, people, table, outcomes).expect("the demo data are valid")
    }

    fn report(ds: &Dataset, cycle: Option<&str>, metric: &str, periods: &[&str]) -> Report {
        let opts = crate::analyze::Options {
            cycle: cycle.map(str::to_owned),
            metric: metric.to_owned(),
            periods: periods.iter().map(|p| (*p).to_owned()).collect(),
        };
        compute(ds, &opts).expect("the demo can be analysed")
    }

    /// The mean r of the indicators of one kind.
    fn mean_r(r: &Report, kind: Kind) -> f64 {
        let rs: Vec<f64> = r
            .validity
            .indicators
            .iter()
            .filter(|i| i.kind == kind)
            .map(|i| i.r.expect("every indicator has an r"))
            .collect();
        rs.iter().sum::<f64>() / rs.len() as f64
    }

    /// The story, as the validity report shows it: the qualities add clearly and significantly
    /// to what the résumé facts predict, and each quality on average predicts far better.
    /// Bookings scale with the territory, and the big territories go to the long résumés: there
    /// the résumé facts look better than they are, and the gap is smaller.
    fn assert_the_story(r: &Report, min_delta: f64) {
        let min_gap = if r.input.metric == "bookings" {
            0.1
        } else {
            0.2
        };
        let v = &r.validity;
        let h = &v.hierarchical;
        let what = format!("{} {} {:?}", r.input.cycle, r.input.metric, r.input.periods);
        assert!(v.n >= 60, "{what}: n = {}", v.n);
        assert!(v.omitted.is_empty(), "{what}: omitted {:?}", v.omitted);
        let delta = h.delta_r2.expect("ΔR²");
        let p = h.p_change.expect("p of the change");
        assert!(delta > min_delta, "{what}: ΔR² {delta}");
        assert!(p < 0.05, "{what}: p {p}");
        let (lead, trail) = (mean_r(r, Kind::Leading), mean_r(r, Kind::Trailing));
        assert!(
            lead > trail + min_gap,
            "{what}: leading {lead} vs trailing {trail}"
        );
        for i in v.indicators.iter().filter(|i| i.kind == Kind::Trailing) {
            let ri = i.r.unwrap_or_default();
            assert!(ri.abs() < 0.45, "{what}: {} r {ri}", i.name);
        }
    }

    fn rs(r: &Report) -> Vec<f64> {
        r.validity
            .indicators
            .iter()
            .map(|i| i.r.unwrap_or_default())
            .collect()
    }

    #[test]
    fn the_outcomes_are_the_same_every_time() {
        let plan = plan();
        let out = generate(&plan);
        assert_eq!(out, generate(&plan));
        // If this fails after an intended change to the demo, update the pins: the demo's
        // validity figures (and the report's story) rest on these numbers.
        let value = |name: &str, period: &str, metric: &str| {
            let (p, _) = plan.sellers().find(|(p, _)| p.name == name).unwrap();
            out.iter()
                .find(|o| {
                    o.subject == p.id
                        && PERIODS[o.period] == period
                        && METRIC_KEYS[o.metric] == metric
                })
                .map(|o| o.value)
        };
        let q = "quota_attainment";
        assert_eq!(
            value("Amara Nwosu", "2025-Q2", q),
            None,
            "hired in May 2025"
        );
        assert_eq!(value("Amara Nwosu", "2025-Q3", q), Some(1.123));
        assert_eq!(value("Amara Nwosu", "2026-Q3", "win_rate"), Some(0.5455));
        assert_eq!(
            value("Victoria Ashworth", "2025-Q4", "bookings"),
            Some(419_000.0)
        );
        assert_eq!(value("Victoria Ashworth", "2026-Q3", q), Some(0.707));
        assert_eq!(
            value("Priya Raman", "2026-Q1", q),
            None,
            "hired in March 2026"
        );
        assert_eq!(value("Priya Raman", "2026-Q2", q), Some(0.832));
        assert_eq!(value("Ingrid Johansson", "2025-Q4", q), None, "on leave");
        assert_eq!(out.len(), 1254);
    }

    #[test]
    fn every_seller_has_every_metric_from_their_first_full_quarter_except_on_leave() {
        let plan = plan();
        let out = generate(&plan);
        let mut late = 0;
        for (p, _) in plan.sellers() {
            let first = first_period(p.hire_date);
            late += usize::from(first > 0);
            for (k, period) in PERIODS.iter().enumerate() {
                let expected = k >= first && !on_leave(&p.name, k);
                for (m, metric) in METRIC_KEYS.iter().enumerate() {
                    let n = out
                        .iter()
                        .filter(|o| o.subject == p.id && o.period == k && o.metric == m)
                        .count();
                    assert_eq!(n, usize::from(expected), "{} {period} {metric}", p.name);
                }
            }
            assert!(
                out.iter().any(|o| o.subject == p.id),
                "{} has no outcome",
                p.name
            );
            if let Some(h) = p.hire_date {
                let (y, m) = PERIOD_STARTS[first.min(PERIODS.len() - 1)];
                assert!(
                    first == 0 || (y, m) > (h.year(), u8::from(h.month())) || h.day() == 1,
                    "{}: results start in {} after a hire on {h}",
                    p.name,
                    PERIODS[first]
                );
            }
        }
        assert!(
            (8..=25).contains(&late),
            "{late} sellers start after 2025-Q1"
        );
        for (name, periods) in LEAVES {
            let (p, _) = plan.sellers().find(|(p, _)| p.name == name).unwrap();
            assert!(periods.iter().all(|q| PERIODS.contains(q)));
            assert_eq!(first_period(p.hire_date), 0, "{name} was there all along");
        }
        // Hired on the first day of a quarter: that quarter counts; later in it: the next.
        assert_eq!(first_period(None), 0);
        assert_eq!(first_period(Some(time::macros::date!(2019 - 03 - 02))), 0);
        assert_eq!(first_period(Some(time::macros::date!(2025 - 04 - 01))), 1);
        assert_eq!(first_period(Some(time::macros::date!(2025 - 04 - 02))), 2);
        assert_eq!(first_period(Some(time::macros::date!(2026 - 09 - 30))), 7);
    }

    #[test]
    fn the_values_are_plausible_with_a_q4_push_and_coached_growth() {
        let plan = plan();
        let out = generate(&plan);
        let of = |m: usize| out.iter().filter(move |o| o.metric == m);
        assert!(of(0).all(|o| (0.05..=2.5).contains(&o.value)));
        assert!(of(1).all(|o| (0.0..=1.0).contains(&o.value)));
        assert!(of(2).all(|o| o.value > 0.0 && o.value % 100.0 == 0.0));
        let mean = |v: Vec<f64>| v.iter().sum::<f64>() / v.len() as f64;
        let attainment = mean(of(0).map(|o| o.value).collect());
        assert!(
            (0.85..1.05).contains(&attainment),
            "mean attainment {attainment}"
        );
        let win = mean(of(1).map(|o| o.value).collect());
        assert!((0.2..0.35).contains(&win), "mean win rate {win}");
        let quarter = |k: usize| mean(of(0).filter(|o| o.period == k).map(|o| o.value).collect());
        for k in [0, 1, 2, 4, 5, 6] {
            assert!(
                quarter(3) > quarter(k) + 0.08,
                "no Q4 push over {}",
                PERIODS[k]
            );
        }
        // Coached sellers' results grow with their qualities; the others' stay level.
        let growth = |coached: bool| {
            let rows = |ks: &[usize]| {
                mean(
                    of(0)
                        .filter(|o| {
                            ks.contains(&o.period)
                                && plan
                                    .sellers()
                                    .any(|(p, t)| p.id == o.subject && t.coached == coached)
                        })
                        .map(|o| o.value)
                        .collect(),
                )
            };
            rows(&[4, 5, 6]) - rows(&[0, 1, 2])
        };
        assert!(growth(true) > 0.15, "coached growth {}", growth(true));
        assert!(
            growth(false).abs() < 0.08,
            "uncoached growth {}",
            growth(false)
        );
    }

    #[test]
    fn the_default_view_tells_the_story_for_every_metric() {
        // What `sellerq analyze` shows by default: the cycle whose name sorts last (the open
        // 2026-H2) and every period.
        let ds = dataset();
        for metric in METRIC_KEYS {
            let r = report(&ds, None, metric, &[]);
            assert_eq!(r.input.cycle, CYCLES[CYCLES.len() - 1]);
            assert_eq!(r.input.periods, PERIODS);
            let min_delta = if metric == "bookings" { 0.10 } else { 0.2 };
            assert_the_story(&r, min_delta);
        }
        let r = report(&ds, None, METRIC_KEYS[0], &[]);
        let best = r
            .validity
            .indicators
            .iter()
            .filter_map(|i| i.r)
            .fold(f64::MIN, f64::max);
        assert!(
            (0.45..0.7).contains(&best),
            "the strongest quality's r is {best}"
        );
    }

    #[test]
    fn the_latest_closed_cycle_predicts_the_quarters_after_it() {
        // The view the validity page should open on: the last closed cycle (2026-H1, every
        // sheet in), every period; and the strict reading: only the quarter after it.
        let ds = dataset();
        for metric in METRIC_KEYS {
            assert_the_story(&report(&ds, Some("2026-H1"), metric, &[]), 0.1);
        }
        assert_the_story(
            &report(&ds, Some("2026-H1"), METRIC_KEYS[0], &["2026-Q3"]),
            0.1,
        );
        assert_the_story(
            &report(
                &ds,
                Some("2025-H2"),
                METRIC_KEYS[0],
                &["2026-Q1", "2026-Q2", "2026-Q3"],
            ),
            0.1,
        );
    }

    #[test]
    fn switching_the_metric_changes_the_figures() {
        let ds = dataset();
        for cycle in [None, Some("2026-H1")] {
            let att = report(&ds, cycle, METRIC_KEYS[0], &[]);
            for metric in &METRIC_KEYS[1..] {
                let other = report(&ds, cycle, metric, &[]);
                let largest = rs(&att)
                    .iter()
                    .zip(rs(&other))
                    .map(|(a, b)| (a - b).abs())
                    .fold(0.0, f64::max);
                assert!(largest > 0.1, "{metric} moves no r by more than {largest}");
                let (a, b) = (&att.validity.hierarchical, &other.validity.hierarchical);
                let moved = [
                    (a.r2_trailing, b.r2_trailing),
                    (a.r2_full, b.r2_full),
                    (a.delta_r2, b.delta_r2),
                ]
                .iter()
                .map(|(x, y)| (x.unwrap() - y.unwrap()).abs())
                .fold(0.0, f64::max);
                assert!(moved > 0.03, "{metric} moves no R² by more than {moved}");
            }
        }
    }

    #[tokio::test]
    async fn ensure_demo_stores_the_outcomes_once() {
        use sellerq_store::{OutcomeFilter, Store};
        let (store, dir) = crate::demo::demo_store("demo-outcomes").await;
        let org = store
            .organisation_by_name(crate::demo::DEMO_ORG_NAME)
            .await
            .unwrap()
            .unwrap();
        let read = || async {
            let mut rows: Vec<(String, String, String, f64)> = store
                .outcomes(org.id, &OutcomeFilter::default())
                .await
                .unwrap()
                .into_iter()
                .map(|o| (o.subject.to_string(), o.period, o.metric, o.value))
                .collect();
            rows.sort_by(|a, b| a.partial_cmp(b).unwrap());
            rows
        };
        let stored = read().await;
        let mut expected: Vec<(String, String, String, f64)> = generate(&plan())
            .into_iter()
            .map(|o| {
                (
                    o.subject.to_string(),
                    PERIODS[o.period].to_owned(),
                    METRIC_KEYS[o.metric].to_owned(),
                    o.value,
                )
            })
            .collect();
        expected.sort_by(|a, b| a.partial_cmp(b).unwrap());
        assert_eq!(stored, expected);
        let mut keys: Vec<String> = store
            .metrics(org.id)
            .await
            .unwrap()
            .into_iter()
            .map(|m| m.key)
            .collect();
        keys.sort();
        let mut want: Vec<String> = METRIC_KEYS.iter().map(|k| (*k).to_owned()).collect();
        want.sort();
        assert_eq!(keys, want);

        // A second start of the same database adds nothing and fails on nothing.
        crate::demo::ensure_demo(&store).await.unwrap();
        assert_eq!(read().await, expected);
        drop(store);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
