//! The outcome stories of the store contract (issue 5): metrics, outcomes per seller, period and
//! metric, the all-or-nothing outcomes import, renames and deletions of people, organisation
//! isolation and the data version.

use sellerq_domain::outcome::{DEFAULT_METRIC, Metric, OutcomeInput};
use sellerq_store::{Actor, OutcomeFilter, OutcomeRecord, Store, StoreError};

use super::{assert_conflict, assert_invalid, org_with_admin, person, pid};
use crate::Backend;

// --- helpers ---------------------------------------------------------------------------------

fn outcome(subject: &str, period: &str, metric: &str, value: f64) -> OutcomeInput {
    OutcomeInput {
        subject: pid(subject),
        period: period.to_owned(),
        metric: metric.to_owned(),
        value,
    }
}

fn metric(key: &str, label: &str, unit: &str, higher_is_better: bool) -> Metric {
    Metric {
        key: key.to_owned(),
        label: label.to_owned(),
        unit: unit.to_owned(),
        higher_is_better,
    }
}

/// (subject, period, metric, value) of each record, for short assertions.
fn rows(records: &[OutcomeRecord]) -> Vec<(&str, &str, &str, f64)> {
    records
        .iter()
        .map(|r| {
            (
                r.subject.as_str(),
                r.period.as_str(),
                r.metric.as_str(),
                r.value,
            )
        })
        .collect()
}

async fn all(s: &dyn Store, org: i64) -> Vec<OutcomeRecord> {
    s.outcomes(org, &OutcomeFilter::default()).await.unwrap()
}

/// An organisation with people p-1, p-2, p-3.
async fn org_with_sellers(s: &dyn Store, name: &str, admin: &str) -> (i64, Actor) {
    let (org, a) = org_with_admin(s, name, admin).await;
    for (id, n) in [("p-1", "Pat One"), ("p-2", "Pam Two"), ("p-3", "Pia Three")] {
        s.create_person(org, &person(id, n), &a).await.unwrap();
    }
    (org, a)
}

fn lines(rows: &[OutcomeInput]) -> Vec<(u64, OutcomeInput)> {
    rows.iter()
        .enumerate()
        .map(|(i, o)| (i as u64 + 2, o.clone()))
        .collect()
}

// --- the stories -----------------------------------------------------------------------------

pub async fn every_organisation_has_quota_attainment_from_its_creation(b: &Backend) {
    let s = &*b.store;
    let (org, _) = org_with_admin(s, "Acme", "admin@acme.test").await;

    let metrics = s.metrics(org).await.unwrap();

    assert_eq!(metrics, vec![Metric::quota_attainment()]);
    assert_eq!(metrics[0].key, DEFAULT_METRIC);
    assert_eq!(metrics[0].unit, "ratio");
    assert!(metrics[0].higher_is_better);
}

pub async fn metrics_are_created_updated_and_deleted_only_while_unused(b: &Backend) {
    let s = &*b.store;
    let (org, a) = org_with_sellers(s, "Acme", "admin@acme.test").await;

    let created = s
        .save_metric(org, &metric("win_rate", " Win rate ", "ratio", true), &a)
        .await
        .unwrap();
    assert_eq!(created.label, "Win rate", "label trimmed");
    s.save_metric(org, &metric("bookings", "Bookings", "EUR", true), &a)
        .await
        .unwrap();
    s.save_metric(org, &metric("win_rate", "Win rate (deals)", "", false), &a)
        .await
        .unwrap();
    let keys: Vec<String> = s
        .metrics(org)
        .await
        .unwrap()
        .into_iter()
        .map(|m| format!("{}:{}:{}", m.key, m.label, m.higher_is_better))
        .collect();
    assert_eq!(
        keys,
        [
            "bookings:Bookings:true",
            "quota_attainment:Quota attainment:true",
            "win_rate:Win rate (deals):false"
        ],
        "by key, the update replaced label and direction"
    );

    assert_invalid(
        s.save_metric(org, &metric("Win Rate", "x", "", true), &a)
            .await,
        "key",
    );
    assert_invalid(
        s.save_metric(org, &metric("x", "", "", true), &a).await,
        "label",
    );
    assert_invalid(
        s.save_metric(org, &metric("x", "X", &"u".repeat(21), true), &a)
            .await,
        "unit",
    );

    s.set_outcome(org, &outcome("p-1", "2026-Q1", "bookings", 1000.0), &a)
        .await
        .unwrap();
    assert_conflict(s.delete_metric(org, "bookings", &a).await, "metric");
    assert_conflict(s.delete_metric(org, DEFAULT_METRIC, &a).await, "metric");
    assert!(matches!(
        s.delete_metric(org, "nothing_here", &a).await,
        Err(StoreError::NotFound("metric"))
    ));
    s.delete_metric(org, "win_rate", &a).await.unwrap();
    s.delete_outcome(org, &pid("p-1"), "2026-Q1", "bookings", &a)
        .await
        .unwrap();
    s.delete_metric(org, "bookings", &a).await.unwrap();
    assert_eq!(
        s.metrics(org).await.unwrap(),
        vec![Metric::quota_attainment()]
    );

    let log = s.audit_log(org, 20).await.unwrap();
    assert!(
        log.iter()
            .any(|e| e.entity == "metric" && e.action == "delete" && e.entity_id == "win_rate")
    );
    assert!(
        log.iter()
            .any(|e| e.entity == "metric" && e.action == "update" && e.before.is_some())
    );
}

pub async fn an_outcome_is_set_replaced_and_deleted(b: &Backend) {
    let s = &*b.store;
    let (org, a) = org_with_sellers(s, "Acme", "admin@acme.test").await;

    let saved = s
        .set_outcome(org, &outcome("p-1", "2026-Q1", DEFAULT_METRIC, 0.9), &a)
        .await
        .unwrap();
    assert_eq!(saved.value, 0.9);
    s.set_outcome(org, &outcome("p-1", "2026-Q1", DEFAULT_METRIC, 1.1), &a)
        .await
        .unwrap();
    assert_eq!(
        rows(&all(s, org).await),
        [("p-1", "2026-Q1", DEFAULT_METRIC, 1.1)],
        "the second value replaced the first"
    );
    let log = s.audit_log(org, 2).await.unwrap();
    assert_eq!(log[0].entity, "outcome");
    assert_eq!(log[0].action, "update");
    assert!(log[0].before.as_deref().unwrap_or("").contains("0.9"));

    s.delete_outcome(org, &pid("p-1"), "2026-Q1", DEFAULT_METRIC, &a)
        .await
        .unwrap();
    assert!(all(s, org).await.is_empty());
    assert!(matches!(
        s.delete_outcome(org, &pid("p-1"), "2026-Q1", DEFAULT_METRIC, &a)
            .await,
        Err(StoreError::NotFound("outcome"))
    ));
}

pub async fn set_outcome_names_the_field_it_refuses(b: &Backend) {
    let s = &*b.store;
    let (org, a) = org_with_sellers(s, "Acme", "admin@acme.test").await;

    for (input, field) in [
        (outcome("nobody", "2026-Q1", DEFAULT_METRIC, 1.0), "subject"),
        (outcome("p-1", "2026-Q1", "bookings", 1.0), "metric"),
        (outcome("p-1", "2026-Q5", DEFAULT_METRIC, 1.0), "period"),
        (outcome("p-1", "2026-Q1", DEFAULT_METRIC, f64::NAN), "value"),
        (
            outcome("p-1", "2026-Q1", DEFAULT_METRIC, f64::INFINITY),
            "value",
        ),
    ] {
        assert_invalid(s.set_outcome(org, &input, &a).await, field);
    }
    assert!(all(s, org).await.is_empty());
}

pub async fn outcomes_come_back_by_subject_metric_and_period_and_filter(b: &Backend) {
    let s = &*b.store;
    let (org, a) = org_with_sellers(s, "Acme", "admin@acme.test").await;
    s.save_metric(org, &metric("bookings", "Bookings", "EUR", true), &a)
        .await
        .unwrap();
    for o in [
        outcome("p-2", "2026-Q2", DEFAULT_METRIC, 0.5),
        outcome("p-1", "2026-Q2", DEFAULT_METRIC, 0.7),
        outcome("p-1", "2026-Q1", "bookings", 100.0),
        outcome("p-1", "2026-Q1", DEFAULT_METRIC, 0.6),
        outcome("p-2", "2026-Q1", DEFAULT_METRIC, 0.4),
    ] {
        s.set_outcome(org, &o, &a).await.unwrap();
    }

    assert_eq!(
        rows(&all(s, org).await),
        [
            ("p-1", "2026-Q1", "bookings", 100.0),
            ("p-1", "2026-Q1", DEFAULT_METRIC, 0.6),
            ("p-1", "2026-Q2", DEFAULT_METRIC, 0.7),
            ("p-2", "2026-Q1", DEFAULT_METRIC, 0.4),
            ("p-2", "2026-Q2", DEFAULT_METRIC, 0.5),
        ]
    );
    let of_p1 = s
        .outcomes(
            org,
            &OutcomeFilter {
                subject: Some(pid("p-1")),
                metric: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(of_p1.len(), 3);
    let attainment = s
        .outcomes(
            org,
            &OutcomeFilter {
                subject: None,
                metric: Some(DEFAULT_METRIC.to_owned()),
            },
        )
        .await
        .unwrap();
    assert_eq!(
        rows(&attainment)
            .iter()
            .map(|r| (r.0, r.1))
            .collect::<Vec<_>>(),
        [
            ("p-1", "2026-Q1"),
            ("p-1", "2026-Q2"),
            ("p-2", "2026-Q1"),
            ("p-2", "2026-Q2")
        ]
    );
    let both = s
        .outcomes(
            org,
            &OutcomeFilter {
                subject: Some(pid("p-2")),
                metric: Some(DEFAULT_METRIC.to_owned()),
            },
        )
        .await
        .unwrap();
    assert_eq!(both.len(), 2);
}

pub async fn an_outcomes_import_writes_every_row_and_creates_unknown_metrics(b: &Backend) {
    let s = &*b.store;
    let (org, a) = org_with_sellers(s, "Acme", "admin@acme.test").await;
    s.set_outcome(org, &outcome("p-1", "2026-Q1", DEFAULT_METRIC, 0.1), &a)
        .await
        .unwrap();
    let before = s.data_version(org).await.unwrap();

    let summary = s
        .import_outcomes(
            org,
            &lines(&[
                outcome("p-1", "2026-Q1", DEFAULT_METRIC, 0.9),
                outcome("p-1", "2026-Q2", DEFAULT_METRIC, 1.2),
                outcome("p-2", "2026-Q1", "win_rate", 0.25),
                outcome("p-3", "2026", "win_rate", 0.3),
            ]),
            &a,
        )
        .await
        .unwrap();

    assert_eq!(
        (summary.created, summary.updated, summary.metrics_created),
        (3, 1, 1)
    );
    assert_eq!(all(s, org).await.len(), 4);
    assert_eq!(all(s, org).await[0].value, 0.9, "the stored value replaced");
    let win = s
        .metrics(org)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.key == "win_rate")
        .unwrap();
    assert_eq!(win, Metric::named("win_rate"));
    let log = s.audit_log(org, 1).await.unwrap();
    assert_eq!(
        (log[0].action.as_str(), log[0].entity.as_str()),
        ("import", "outcomes")
    );
    assert!(s.data_version(org).await.unwrap() > before);

    // The same file again: every row replaces itself.
    let again = s
        .import_outcomes(
            org,
            &lines(&[outcome("p-1", "2026-Q2", DEFAULT_METRIC, 1.2)]),
            &a,
        )
        .await
        .unwrap();
    assert_eq!(
        (again.created, again.updated, again.metrics_created),
        (0, 1, 0)
    );
}

pub async fn an_outcomes_import_with_one_bad_row_writes_nothing(b: &Backend) {
    let s = &*b.store;
    let (org, a) = org_with_sellers(s, "Acme", "admin@acme.test").await;
    let version = s.data_version(org).await.unwrap();

    let r = s
        .import_outcomes(
            org,
            &lines(&[
                outcome("p-1", "2026-Q1", DEFAULT_METRIC, 0.9),
                outcome("p-2", "2026-Q1", "new_metric", 0.9),
                outcome("ghost", "2026-Q1", DEFAULT_METRIC, 0.9),
            ]),
            &a,
        )
        .await;

    let Err(StoreError::Rejected(problems)) = r else {
        panic!("expected Rejected, got {r:?}");
    };
    assert_eq!(problems.total(), 1);
    assert_eq!(problems.shown()[0].line, 4);
    assert_eq!(problems.shown()[0].column, "subject");
    assert!(all(s, org).await.is_empty(), "nothing written");
    assert_eq!(s.metrics(org).await.unwrap().len(), 1, "no metric created");
    assert_eq!(s.data_version(org).await.unwrap(), version, "no audit row");
}

pub async fn an_outcomes_import_names_every_bad_line_and_column(b: &Backend) {
    let s = &*b.store;
    let (org, a) = org_with_sellers(s, "Acme", "admin@acme.test").await;

    let r = s
        .import_outcomes(
            org,
            &[
                (2, outcome("p-1", "2026-Q1", DEFAULT_METRIC, 0.9)),
                (3, outcome("ghost", "2026-Q1", DEFAULT_METRIC, 0.9)),
                (4, outcome("p-2", "2026-Q9", DEFAULT_METRIC, 0.9)),
                (5, outcome("p-1", "2026-Q1", DEFAULT_METRIC, 1.0)),
                (6, outcome("p-3", "2026-Q1", DEFAULT_METRIC, f64::NAN)),
            ],
            &a,
        )
        .await;

    let Err(StoreError::Rejected(mut problems)) = r else {
        panic!("expected Rejected, got {r:?}");
    };
    problems.set_source("outcomes.csv");
    let text = problems.to_string();
    assert_eq!(problems.total(), 4, "{text}");
    assert!(
        text.contains("outcomes.csv:3: subject: no person with id ghost"),
        "{text}"
    );
    assert!(text.contains("outcomes.csv:4: period: "), "{text}");
    assert!(
        text.contains("outcomes.csv:5: metric: appears twice") && text.contains("first on line 2"),
        "{text}"
    );
    assert!(text.contains("outcomes.csv:6: value: "), "{text}");
    assert!(all(s, org).await.is_empty());
}

pub async fn renaming_a_person_carries_their_outcomes_along(b: &Backend) {
    let s = &*b.store;
    let (org, a) = org_with_sellers(s, "Acme", "admin@acme.test").await;
    s.set_outcome(org, &outcome("p-1", "2026-Q1", DEFAULT_METRIC, 0.8), &a)
        .await
        .unwrap();

    s.update_person(org, &pid("p-1"), &person("p-100", "Pat One"), &a)
        .await
        .unwrap();

    assert_eq!(
        rows(&all(s, org).await),
        [("p-100", "2026-Q1", DEFAULT_METRIC, 0.8)]
    );
}

pub async fn deleting_a_person_deletes_their_outcomes(b: &Backend) {
    let s = &*b.store;
    let (org, a) = org_with_sellers(s, "Acme", "admin@acme.test").await;
    s.set_outcome(org, &outcome("p-1", "2026-Q1", DEFAULT_METRIC, 0.8), &a)
        .await
        .unwrap();
    s.set_outcome(org, &outcome("p-2", "2026-Q1", DEFAULT_METRIC, 0.7), &a)
        .await
        .unwrap();

    s.delete_person(org, &pid("p-1"), &a).await.unwrap();

    assert_eq!(
        rows(&all(s, org).await),
        [("p-2", "2026-Q1", DEFAULT_METRIC, 0.7)]
    );
    let log = s.audit_log(org, 1).await.unwrap();
    assert!(
        log[0]
            .after
            .as_deref()
            .unwrap_or("")
            .contains("\"outcomes_deleted\":1"),
        "{:?}",
        log[0].after
    );
}

pub async fn no_outcome_crosses_organisations(b: &Backend) {
    let s = &*b.store;
    let (acme, a) = org_with_sellers(s, "Acme", "admin@acme.test").await;
    let (globex, g) = org_with_admin(s, "Globex", "admin@globex.test").await;
    s.create_person(globex, &person("g-1", "Gil Globex"), &g)
        .await
        .unwrap();
    s.save_metric(acme, &metric("bookings", "Bookings", "EUR", true), &a)
        .await
        .unwrap();
    s.set_outcome(acme, &outcome("p-1", "2026-Q1", DEFAULT_METRIC, 0.8), &a)
        .await
        .unwrap();

    // Globex cannot record for Acme's people, nor use Acme's metrics.
    assert_invalid(
        s.set_outcome(globex, &outcome("p-1", "2026-Q1", DEFAULT_METRIC, 1.0), &g)
            .await,
        "subject",
    );
    assert_invalid(
        s.set_outcome(globex, &outcome("g-1", "2026-Q1", "bookings", 1.0), &g)
            .await,
        "metric",
    );
    let r = s
        .import_outcomes(
            globex,
            &lines(&[outcome("p-1", "2026-Q1", DEFAULT_METRIC, 1.0)]),
            &g,
        )
        .await;
    assert!(matches!(r, Err(StoreError::Rejected(_))));
    assert!(matches!(
        s.delete_outcome(globex, &pid("p-1"), "2026-Q1", DEFAULT_METRIC, &g)
            .await,
        Err(StoreError::NotFound("outcome"))
    ));
    assert!(matches!(
        s.delete_metric(globex, "bookings", &g).await,
        Err(StoreError::NotFound("metric"))
    ));

    assert!(all(s, globex).await.is_empty());
    assert_eq!(
        s.metrics(globex).await.unwrap(),
        vec![Metric::quota_attainment()]
    );
    assert_eq!(all(s, acme).await.len(), 1);
    // A same-named person in Globex does not see Acme's value either.
    s.create_person(globex, &person("p-1", "Other Pat"), &g)
        .await
        .unwrap();
    let of_globex_p1 = s
        .outcomes(
            globex,
            &OutcomeFilter {
                subject: Some(pid("p-1")),
                metric: None,
            },
        )
        .await
        .unwrap();
    assert!(of_globex_p1.is_empty());
}

pub async fn the_data_version_grows_with_every_write(b: &Backend) {
    let s = &*b.store;
    let (acme, a) = org_with_sellers(s, "Acme", "admin@acme.test").await;
    let (globex, _) = org_with_admin(s, "Globex", "admin@globex.test").await;

    let v0 = s.data_version(acme).await.unwrap();
    assert!(v0 > 0, "creating the organisation is a write");
    let g0 = s.data_version(globex).await.unwrap();

    s.set_outcome(acme, &outcome("p-1", "2026-Q1", DEFAULT_METRIC, 0.8), &a)
        .await
        .unwrap();
    let v1 = s.data_version(acme).await.unwrap();
    assert!(v1 > v0);
    s.create_person(acme, &person("p-9", "New One"), &a)
        .await
        .unwrap();
    let v2 = s.data_version(acme).await.unwrap();
    assert!(v2 > v1);

    // Reads change nothing; another organisation's writes change nothing here.
    all(s, acme).await;
    assert_eq!(s.data_version(acme).await.unwrap(), v2);
    assert_eq!(s.data_version(globex).await.unwrap(), g0);
    assert_eq!(s.data_version(424_242).await.unwrap(), 0, "unknown org: 0");

    // All of them at once: the same numbers, by organisation id.
    let all_versions = s.data_versions().await.unwrap();
    let mut want = vec![(acme, v2), (globex, g0)];
    want.sort();
    assert_eq!(all_versions, want);
}

/// Doubles that are hard to carry through text exactly: sums that do not round to one decimal,
/// thirds, the subnormal minimum, the maximum, 17 significant digits, and magnitudes beyond
/// 1e-30..1e30 that SQLite's own conversion gets wrong in the last place.
pub const AWKWARD_VALUES: [f64; 13] = [
    0.1 + 0.2,
    1.0 / 3.0,
    2.0 / 3.0,
    1e-300,
    5e-324,
    f64::MAX,
    -123_456_789.123_456_79,
    0.955,
    1.0,
    12_345_678_901_234_567.0,
    std::f64::consts::PI,
    4.425_160_402_714_337_5e284,
    -7.123_456_789_012_345e-250,
];

pub async fn outcome_values_come_back_bit_for_bit_whatever_the_filter(b: &Backend) {
    let s = &*b.store;
    let (org, a) = org_with_sellers(s, "Acme", "admin@acme.test").await;
    let values = AWKWARD_VALUES;
    let rows: Vec<OutcomeInput> = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let period = format!("{}-{:02}", 2026 + i / 12, i % 12 + 1);
            outcome("p-1", &period, DEFAULT_METRIC, *v)
        })
        .collect();
    s.import_outcomes(org, &lines(&rows), &a).await.unwrap();

    for filter in [
        OutcomeFilter::default(),
        OutcomeFilter {
            subject: Some(pid("p-1")),
            metric: None,
        },
        OutcomeFilter {
            subject: None,
            metric: Some(DEFAULT_METRIC.to_owned()),
        },
        OutcomeFilter {
            subject: Some(pid("p-1")),
            metric: Some(DEFAULT_METRIC.to_owned()),
        },
    ] {
        let got = s.outcomes(org, &filter).await.unwrap();
        let bits: Vec<u64> = got.iter().map(|r| r.value.to_bits()).collect();
        let want: Vec<u64> = values.iter().map(|v| v.to_bits()).collect();
        assert_eq!(bits, want, "{filter:?}");
    }
}
