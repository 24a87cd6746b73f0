//! The analysis stories of the store contract (issue 5, speed): the bulk reads behind the
//! validity and reliability reports return exactly what the row-by-row reads return.

use sellerq_domain::PersonInput;
use sellerq_domain::formats::RowProblems;
use sellerq_domain::formats::ratings::RatingsBatch;
use sellerq_domain::outcome::OutcomeInput;
use sellerq_store::{Actor, ImportOptions, OutcomeFilter, RatingRecord, Store, StoreError};

use super::{everyone, managed_by, org_with_admin, person, pid};
use crate::Backend;
use crate::outcomes::AWKWARD_VALUES;

const QUALITIES: [&str; 3] = ["belief", "humility", "storytelling"];

/// `n` people `s-0000`…, each but the first managed by the one before, with awkward trailing
/// values (some missing); names with spaces and accents.
fn people(n: usize) -> Vec<PersonInput> {
    (0..n)
        .map(|i| {
            let mut p = person(&format!("s-{i:04}"), &format!("Zoë {} Ñame", n - i));
            if i > 0 {
                p = managed_by(p, &format!("s-{:04}", i - 1));
            }
            p.years_experience = (i % 7 != 0).then_some((i % 60) as f64 / 3.0);
            p.quota_track_record = Some(0.1 + 0.2 + i as f64 * 1e-9);
            p.tenure_years = (i % 5 == 0).then_some(12.345_678_901_234_567);
            p.vip_connections = Some((i % 50) as f64 + 0.1);
            // Magnitudes SQLite's text conversion does not write exactly.
            if i % 13 == 5 {
                p.vip_connections = Some(4.425_160_402_714_337_5e284 * (1.0 + i as f64));
                p.tenure_years = Some(2.345_678_901_234_568e-290 * i as f64);
            }
            p.domain_expertise = Some(1.0 + (i % 5) as f64 * 0.955);
            p
        })
        .collect()
}

/// Ratings of cycle `cycle` for every subject: self, the manager (the person before) and an
/// external peer on three qualities; every 11th score not observed.
fn ratings(cycle: &str, n: usize) -> RatingsBatch {
    let mut b = RatingsBatch::new();
    let mut problems = RowProblems::new("test");
    let mut line = 2;
    for i in 0..n {
        let subject = format!("s-{i:04}");
        let mut raters = vec![
            (subject.clone(), "self"),
            (format!("ext-{}", i % 13), "peer"),
        ];
        if i > 0 {
            raters.push((format!("s-{:04}", i - 1), "manager"));
        }
        for (rater, role) in &raters {
            for (q, quality) in QUALITIES.iter().enumerate() {
                let score = if (i + q) % 11 == 0 {
                    String::new()
                } else {
                    ((i + q) % 5 + 1).to_string()
                };
                let cells = [cycle, &subject, rater, role, quality, &score, "why"];
                assert!(b.push_cells(line, &cells, &mut problems), "{problems}");
                line += 1;
            }
        }
    }
    b
}

async fn export(s: &dyn Store, org: i64, cycle: i64) -> Vec<RatingRecord> {
    let mut out = Vec::new();
    s.export_ratings(org, Some(cycle), &mut |r: &RatingRecord| {
        out.push(r.clone());
        Ok(())
    })
    .await
    .unwrap();
    out
}

async fn import(s: &dyn Store, org: i64, b: &RatingsBatch, a: &Actor) {
    s.import_ratings(org, b, ImportOptions::default(), a, &|_| {})
        .await
        .unwrap();
}

// --- the stories -----------------------------------------------------------------------------

pub async fn the_bulk_ratings_read_equals_the_export_row_for_row(b: &Backend) {
    let s = &*b.store;
    let (org, a) = org_with_admin(s, "Acme", "admin@acme.test").await;
    // Enough people for the read to be split into subject ranges.
    let n = 2_600;
    s.import_people(org, &people(n), &a).await.unwrap();
    import(s, org, &ratings("2026-H1", n), &a).await;
    import(s, org, &ratings("2025-H2", 40), &a).await;
    let h1 = s.cycle_by_name(org, "2026-H1").await.unwrap().unwrap().id;
    let h2 = s.cycle_by_name(org, "2025-H2").await.unwrap().unwrap().id;

    for cycle in [h1, h2] {
        let bulk = s.analysis_ratings(org, cycle).await.unwrap();
        let got: Vec<(&str, &str, &str, &str, Option<i64>)> = bulk
            .ratings
            .iter()
            .map(|r| {
                (
                    bulk.ids[r.subject as usize].as_str(),
                    bulk.ids[r.rater as usize].as_str(),
                    r.role.as_str(),
                    bulk.qualities[r.quality as usize].as_str(),
                    r.score.map(i64::from),
                )
            })
            .collect();
        let exported = export(s, org, cycle).await;
        let want: Vec<(&str, &str, &str, &str, Option<i64>)> = exported
            .iter()
            .map(|r| {
                (
                    r.subject.as_str(),
                    r.rater.as_str(),
                    r.role.as_str(),
                    r.quality.as_str(),
                    r.score,
                )
            })
            .collect();
        assert_eq!(got.len(), want.len());
        assert_eq!(got, want, "same rows in the same order");
        let mut distinct = bulk.ids.clone();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), bulk.ids.len(), "each id once");
    }
}

pub async fn the_bulk_people_read_equals_the_people_list_bit_for_bit(b: &Backend) {
    let s = &*b.store;
    let (org, a) = org_with_admin(s, "Acme", "admin@acme.test").await;
    s.import_people(org, &people(300), &a).await.unwrap();

    let bulk = s.analysis_people(org).await.unwrap();

    let mut listed = s.list_people(org, &everyone()).await.unwrap();
    listed.sort_by(|x, y| x.id.cmp(&y.id));
    assert_eq!(bulk.len(), listed.len());
    for (got, want) in bulk.iter().zip(&listed) {
        assert_eq!(got.id, want.id);
        assert_eq!(got.name, want.name);
        assert_eq!(got.manager, want.manager);
        let bits = |v: [Option<f64>; 5]| v.map(|x| x.map(f64::to_bits));
        assert_eq!(
            bits(got.trailing),
            bits(sellerq_domain::TRAILING_INDICATORS.map(|t| want.trailing(t.key))),
            "{}",
            want.id
        );
    }
}

pub async fn only_cycles_with_submitted_ratings_count_as_rated_and_nothing_crosses_organisations(
    b: &Backend,
) {
    let s = &*b.store;
    let (org, a) = org_with_admin(s, "Acme", "admin@acme.test").await;
    let (other, o) = org_with_admin(s, "Other", "admin@other.test").await;
    s.import_people(org, &people(20), &a).await.unwrap();
    s.import_people(other, &people(3), &o).await.unwrap();
    import(s, org, &ratings("2026-H1", 20), &a).await;
    import(s, org, &ratings("2025-H1", 5), &a).await;
    let empty = s
        .create_cycle(
            org,
            &sellerq_domain::assessment::CycleInput::named(
                sellerq_domain::assessment::CycleName::parse("2026-H2").unwrap(),
            ),
            &a,
        )
        .await
        .unwrap();
    let h1 = s.cycle_by_name(org, "2026-H1").await.unwrap().unwrap().id;
    let early = s.cycle_by_name(org, "2025-H1").await.unwrap().unwrap().id;

    assert_eq!(s.rated_cycle_ids(org).await.unwrap(), vec![early, h1]);
    assert_eq!(s.rated_cycle_ids(other).await.unwrap(), Vec::<i64>::new());
    assert!(
        s.analysis_ratings(org, empty.id)
            .await
            .unwrap()
            .ratings
            .is_empty()
    );
    assert!(matches!(
        s.analysis_ratings(other, h1).await,
        Err(StoreError::NotFound("cycle"))
    ));
    let theirs = s.analysis_people(other).await.unwrap();
    assert_eq!(theirs.len(), 3);
    assert_eq!(theirs[0].id, pid("s-0000"));
}

pub async fn the_bulk_outcomes_read_equals_the_outcomes_list_bit_for_bit(b: &Backend) {
    let s = &*b.store;
    let (org, a) = org_with_admin(s, "Acme", "admin@acme.test").await;
    let (other, o) = org_with_admin(s, "Other", "admin@other.test").await;
    s.import_people(org, &people(60), &a).await.unwrap();
    s.import_people(other, &people(2), &o).await.unwrap();
    let awkward = AWKWARD_VALUES;
    let mut rows = Vec::new();
    for i in 0..60 {
        for (m, metric) in ["quota_attainment", "bookings"].iter().enumerate() {
            for q in 1..=4 {
                rows.push((
                    rows.len() as u64 + 2,
                    OutcomeInput {
                        subject: pid(&format!("s-{i:04}")),
                        period: format!("2026-Q{q}"),
                        metric: (*metric).to_owned(),
                        value: {
                            let v = awkward[(i + m + q) % awkward.len()];
                            if v.abs() > 1e300 {
                                v
                            } else {
                                v * (1.0 + i as f64 / 7.0)
                            }
                        },
                    },
                ));
            }
        }
    }
    s.import_outcomes(org, &rows, &a).await.unwrap();

    let bulk = s.analysis_outcomes(org).await.unwrap();

    let listed = s.outcomes(org, &OutcomeFilter::default()).await.unwrap();
    let got: Vec<(&str, &str, &str, u64)> = bulk
        .outcomes
        .iter()
        .map(|x| {
            (
                bulk.ids[x.subject as usize].as_str(),
                bulk.metrics[x.metric as usize].as_str(),
                bulk.periods[x.period as usize].as_str(),
                x.value.to_bits(),
            )
        })
        .collect();
    let want: Vec<(&str, &str, &str, u64)> = listed
        .iter()
        .map(|x| {
            (
                x.subject.as_str(),
                x.metric.as_str(),
                x.period.as_str(),
                x.value.to_bits(),
            )
        })
        .collect();
    assert_eq!(got.len(), 480);
    assert_eq!(got, want, "same rows, same order, same bits");
    assert_eq!(bulk.ids.len(), 60, "each subject once");
    let mut periods: Vec<String> = listed
        .iter()
        .filter(|x| x.metric == "bookings")
        .map(|x| x.period.clone())
        .collect();
    periods.sort();
    periods.dedup();
    assert_eq!(s.analysis_periods(org, "bookings").await.unwrap(), periods);
    assert!(s.analysis_periods(org, "nps").await.unwrap().is_empty());
    assert!(
        s.analysis_outcomes(other)
            .await
            .unwrap()
            .outcomes
            .is_empty()
    );
}
