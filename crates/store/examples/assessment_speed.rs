//! How fast the store feeds the profile and the team view (issue 3's speed targets), measured
//! below the web layer: the query plus the domain's aggregation.
//!
//!     cargo run --release -p sellerq-store --example assessment_speed
//!
//! Builds a temporary database with 500 sellers rated in 20 cycles by 10 raters each on the 8
//! qualities (800,000 ratings, loaded with the bulk import), then times, over many runs:
//! - a seller's profile across 20 cycles (`subject_ratings` + `profile` per cycle + `trend`),
//!   target p50 < 5 ms for the whole page;
//! - the team heatmap of 500 sellers in one cycle (`cycle_ratings` + 500 profiles +
//!   `team_stats`), target < 50 ms.

use std::time::{Duration, Instant};

use sellerq_domain::assessment::{profile, team_stats, trend};
use sellerq_domain::formats::RowProblems;
use sellerq_domain::formats::ratings::RatingsBatch;
use sellerq_domain::{OrgName, PersonId, PersonInput};
use sellerq_store::sqlite::SqliteStore;
use sellerq_store::{Actor, ImportOptions, PeopleFilter, Scope, Store};

const SELLERS: usize = 500;
const CYCLES: usize = 20;
const QUALITIES: [&str; 8] = [
    "belief",
    "humility",
    "ownership",
    "perseverance",
    "trust_building",
    "process_mastery",
    "value_crafting",
    "storytelling",
];

fn person(id: &str, team: &str, manager: Option<&str>) -> PersonInput {
    PersonInput {
        id: PersonId::parse(id).unwrap(),
        name: format!("Person {id}"),
        email: None,
        team: Some(team.to_owned()),
        manager: manager.map(|m| PersonId::parse(m).unwrap()),
        hire_date: None,
        years_experience: None,
        quota_track_record: None,
        tenure_years: None,
        vip_connections: None,
        domain_expertise: None,
    }
}

fn p50(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

#[tokio::main]
async fn main() {
    let path = std::env::temp_dir().join(format!("sellerq-speed-{}.db", std::process::id()));
    let store = SqliteStore::open(&path).await.unwrap();
    let actor = Actor::system("bench");
    let org = store
        .create_organisation(&OrgName::parse("Speed").unwrap(), &actor)
        .await
        .unwrap()
        .id;
    let mut people = vec![person("m-0", "Sales", None)];
    for s in 0..SELLERS {
        people.push(person(&format!("p-{s:04}"), "Sales", Some("m-0")));
    }
    store.import_people(org, &people, &actor).await.unwrap();

    let mut batch = RatingsBatch::new();
    let mut problems = RowProblems::new("generated");
    let mut line = 1;
    for c in 0..CYCLES {
        let cycle = format!("{}-H{}", 2016 + c / 2, c % 2 + 1);
        for s in 0..SELLERS {
            let subject = format!("p-{s:04}");
            let mut raters = vec![(subject.clone(), "self"), ("m-0".to_owned(), "manager")];
            for k in 1..=8 {
                raters.push((format!("p-{:04}", (s + k * 37) % SELLERS), "peer"));
            }
            for (rater, role) in &raters {
                for (q, key) in QUALITIES.iter().enumerate() {
                    line += 1;
                    let score = ((s + q + c + rater.len()) % 5 + 1).to_string();
                    let cells = [cycle.as_str(), &subject, rater, role, key, &score, ""];
                    batch.push_cells(line, &cells, &mut problems);
                }
            }
        }
    }
    assert!(problems.is_empty(), "{problems}");
    let t = Instant::now();
    store
        .import_ratings(org, &batch, ImportOptions::default(), &actor, &|_| {})
        .await
        .unwrap();
    println!(
        "loaded {} ratings in {:.2} s",
        batch.len(),
        t.elapsed().as_secs_f64()
    );
    let settings = store.org_settings(org).await.unwrap();

    // A seller's profile page: every cycle's profile and the trend.
    let seller = PersonId::parse("p-0042").unwrap();
    let mut runs = Vec::new();
    for _ in 0..200 {
        let t = Instant::now();
        let cycles = store.subject_ratings(org, &seller).await.unwrap();
        let mut profiles = Vec::with_capacity(cycles.len());
        for c in &cycles {
            let model = store.model(org, c.cycle.model_version_id).await.unwrap();
            profiles.push((
                c.cycle.name.to_string(),
                profile(&model, &c.ratings, &settings),
            ));
        }
        let tr = trend(profiles.iter().map(|(n, p)| (n.as_str(), p)));
        assert_eq!(tr.cycles.len(), CYCLES);
        runs.push(t.elapsed());
    }
    println!(
        "profile of one seller, {CYCLES} cycles x 10 raters: p50 {:.2} ms (target < 5 ms)",
        p50(runs).as_secs_f64() * 1e3
    );

    // The team heatmap: 500 sellers in the latest cycle.
    let cycle = store.cycles(org).await.unwrap().pop().unwrap();
    let model = store.model(org, cycle.model_version_id).await.unwrap();
    let everyone = PeopleFilter {
        scope: Scope::Organisation,
        search: None,
        team_id: None,
    };
    let mut runs = Vec::new();
    for _ in 0..30 {
        let t = Instant::now();
        let subjects = store.cycle_ratings(org, cycle.id, &everyone).await.unwrap();
        let profiles: Vec<_> = subjects
            .iter()
            .map(|s| profile(&model, &s.ratings, &settings))
            .collect();
        let team = team_stats(&model, &profiles);
        assert_eq!(team.n_subjects as usize, SELLERS);
        runs.push(t.elapsed());
    }
    println!(
        "team heatmap of {SELLERS} sellers in one cycle: p50 {:.2} ms (target < 50 ms)",
        p50(runs).as_secs_f64() * 1e3
    );

    store.pool().close().await;
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.clone().into_os_string();
        p.push(suffix);
        let _ = std::fs::remove_file(p);
    }
}
