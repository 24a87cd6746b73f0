//! How fast the store imports and reads outcomes at the size issue 5 names: 10,000 sellers ×
//! 8 quarters × 3 metrics (240,000 outcomes).
//!
//!     cargo run --release -p sellerq-store --example outcomes_speed
//!
//! Prints the import time, then the p50 of reading every outcome, one metric's outcomes and
//! one seller's outcomes, and of `data_version`. On a two-core machine busy with builds:
//! import 1.3 s, every outcome 0.40 s, one metric 0.19 s, one seller 0.1 ms, data version
//! 0.03 ms.

use std::time::{Duration, Instant};

use sellerq_domain::outcome::OutcomeInput;
use sellerq_domain::{OrgName, PersonId, PersonInput};
use sellerq_store::sqlite::SqliteStore;
use sellerq_store::{Actor, OutcomeFilter, Store};

const SELLERS: usize = 10_000;
const PERIODS: [&str; 8] = [
    "2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4",
];
const METRICS: [&str; 3] = ["quota_attainment", "bookings", "win_rate"];

fn p50(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

#[tokio::main]
async fn main() {
    let path = std::env::temp_dir().join(format!("sellerq-outcomes-{}.db", std::process::id()));
    let store = SqliteStore::open(&path).await.unwrap();
    let actor = Actor::system("bench");
    let org = store
        .create_organisation(&OrgName::parse("Bench").unwrap(), &actor)
        .await
        .unwrap()
        .id;
    let people: Vec<PersonInput> = (0..SELLERS)
        .map(|i| PersonInput {
            id: PersonId::parse(&format!("p-{i:05}")).unwrap(),
            name: format!("Seller {i}"),
            email: None,
            team: None,
            manager: None,
            hire_date: None,
            years_experience: None,
            quota_track_record: None,
            tenure_years: None,
            vip_connections: None,
            domain_expertise: None,
        })
        .collect();
    store.import_people(org, &people, &actor).await.unwrap();
    let mut rows = Vec::with_capacity(SELLERS * PERIODS.len() * METRICS.len());
    let mut line = 1u64;
    for p in &people {
        for period in PERIODS {
            for metric in METRICS {
                line += 1;
                rows.push((
                    line,
                    OutcomeInput {
                        subject: p.id.clone(),
                        period: period.to_owned(),
                        metric: metric.to_owned(),
                        value: (line % 97) as f64 / 50.0,
                    },
                ));
            }
        }
    }
    let t = Instant::now();
    let summary = store.import_outcomes(org, &rows, &actor).await.unwrap();
    println!(
        "import of {} outcomes: {:?} ({summary:?})",
        rows.len(),
        t.elapsed()
    );

    // Read as a server would after the import has settled: written back from the WAL.
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(store.pool())
        .await
        .unwrap();
    let time = async |filter: OutcomeFilter, label: &str| {
        let mut runs = Vec::new();
        let mut n = 0;
        for _ in 0..9 {
            let t = Instant::now();
            n = store.outcomes(org, &filter).await.unwrap().len();
            runs.push(t.elapsed());
        }
        println!("{label}: {n} rows, p50 {:?}", p50(runs));
    };
    time(OutcomeFilter::default(), "every outcome").await;
    time(
        OutcomeFilter {
            subject: None,
            metric: Some("quota_attainment".into()),
        },
        "one metric",
    )
    .await;
    time(
        OutcomeFilter {
            subject: Some(PersonId::parse("p-05000").unwrap()),
            metric: None,
        },
        "one seller",
    )
    .await;
    let mut runs = Vec::new();
    for _ in 0..99 {
        let t = Instant::now();
        store.data_version(org).await.unwrap();
        runs.push(t.elapsed());
    }
    println!("data_version: p50 {:?}", p50(runs));
    drop(store);
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.clone().into_os_string();
        p.push(suffix);
        let _ = std::fs::remove_file(p);
    }
}
