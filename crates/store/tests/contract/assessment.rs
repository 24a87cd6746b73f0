//! The assessment stories of the store contract (issue 3): cycles and their status, the frozen
//! model version, participants and rater assignments, sheets with drafts, completion, the
//! aggregation queries, settings, export and the bulk import.

use sellerq_domain::assessment::{
    AssignmentStatus, CycleInput, CycleName, CycleStatus, OrgSettings, RaterRole, RaterRoles,
    SheetEntry,
};
use sellerq_domain::formats::RowProblems;
use sellerq_domain::formats::ratings::RatingsBatch;
use sellerq_domain::model::{DEFAULT_MODEL_TOML, QualityKey, default_model};
use sellerq_store::{
    Actor, ImportOptions, NewAssignment, ParticipantRef, PeopleFilter, RatingRecord, Scope,
    SheetInput, SheetState, Store, StoreError,
};
use time::macros::date;

use super::{
    assert_conflict, assert_invalid, in_team, managed_by, org_with_admin, person, pid, rating,
    sales_floor, score,
};
use crate::Backend;

// --- helpers ---------------------------------------------------------------------------------

fn name(s: &str) -> CycleName {
    CycleName::parse(s).unwrap()
}

fn key(k: &str) -> QualityKey {
    QualityKey::parse(k).unwrap()
}

/// A cycle on the current model, collecting every role, due 2026-06-30.
fn cycle_input(n: &str) -> CycleInput {
    CycleInput {
        due_date: Some(date!(2026 - 06 - 30)),
        ..CycleInput::named(name(n))
    }
}

async fn open_cycle(s: &dyn Store, org: i64, n: &str, a: &Actor) -> i64 {
    let c = s.create_cycle(org, &cycle_input(n), a).await.unwrap();
    s.set_cycle_status(org, c.id, CycleStatus::Open, a)
        .await
        .unwrap();
    c.id
}

/// Every quality answered with `score` (evidence given, so extremes pass).
fn full_sheet(cycle_id: i64, subject: &str, rater: &str, v: i64) -> SheetInput {
    SheetInput {
        cycle_id,
        subject: pid(subject),
        rater: pid(rater),
        entries: default_model()
            .keys()
            .map(|k| SheetEntry {
                quality: k.clone(),
                score: Some(score(v)),
                evidence: "seen on the Acme deal".into(),
            })
            .collect(),
    }
}

fn assign(subject: &str, rater: &str, role: RaterRole, status: AssignmentStatus) -> NewAssignment {
    NewAssignment {
        subject: pid(subject),
        rater: pid(rater),
        role,
        status,
    }
}

/// A batch from ratings.csv cells (cycle, subject, rater, role, quality, score); rows are
/// numbered from line 2 as in a file.
fn batch(rows: &[[&str; 6]]) -> RatingsBatch {
    let mut b = RatingsBatch::new();
    let mut p = RowProblems::new("test");
    for (i, r) in rows.iter().enumerate() {
        let cells = [r[0], r[1], r[2], r[3], r[4], r[5], ""];
        assert!(b.push_cells(i as u64 + 2, &cells, &mut p), "{p}");
    }
    b
}

fn no_progress(_: u64) {}

async fn import(s: &dyn Store, org: i64, b: &RatingsBatch, a: &Actor) -> Result<u64, StoreError> {
    s.import_ratings(org, b, ImportOptions::default(), a, &no_progress)
        .await
        .map(|r| r.rows)
}

async fn export(s: &dyn Store, org: i64, cycle: Option<i64>) -> Vec<RatingRecord> {
    let mut out = Vec::new();
    s.export_ratings(org, cycle, &mut |r: &RatingRecord| {
        out.push(r.clone());
        Ok(())
    })
    .await
    .unwrap();
    out
}

fn everyone() -> PeopleFilter {
    PeopleFilter {
        scope: Scope::Organisation,
        search: None,
        team_id: None,
    }
}

/// Pat (p-1) managed by Mia (m-1), with peers p-2, p-3, p-4, all in team West.
async fn pat_and_peers(s: &dyn Store, org: i64, a: &Actor) {
    s.create_person(org, &in_team(person("m-1", "Mia Manager"), "West"), a)
        .await
        .unwrap();
    for (id, n) in [
        ("p-1", "Pat"),
        ("p-2", "Pia"),
        ("p-3", "Per"),
        ("p-4", "Poe"),
    ] {
        s.create_person(org, &managed_by(in_team(person(id, n), "West"), "m-1"), a)
            .await
            .unwrap();
    }
}

// --- the stories -----------------------------------------------------------------------------

pub async fn a_cycle_starts_as_a_draft_on_the_current_model_and_moves_draft_open_closed(
    b: &Backend,
) {
    let s = &*b.store;
    let (org, a) = org_with_admin(s, "Acme", "admin@acme.test").await;
    let model = s.current_model_version(org).await.unwrap();

    let c = s
        .create_cycle(org, &cycle_input("2026-H1"), &a)
        .await
        .unwrap();

    assert_eq!(c.status, CycleStatus::Draft);
    assert_eq!(c.model_version_id, model.id);
    assert_eq!(c.due_date, Some(date!(2026 - 06 - 30)));
    assert_eq!(c.rater_roles, RaterRoles::all());
    assert_conflict(
        s.create_cycle(org, &cycle_input("2026-H1"), &a).await,
        "name",
    );
    assert_invalid(
        s.set_cycle_status(org, c.id, CycleStatus::Closed, &a).await,
        "status",
    );
    let open = s
        .set_cycle_status(org, c.id, CycleStatus::Open, &a)
        .await
        .unwrap();
    assert!(open.opened_at.is_some());
    assert_invalid(
        s.set_cycle_status(org, c.id, CycleStatus::Draft, &a).await,
        "status",
    );
    let closed = s
        .set_cycle_status(org, c.id, CycleStatus::Closed, &a)
        .await
        .unwrap();
    assert_eq!(closed.status, CycleStatus::Closed);
    assert!(closed.closed_at.is_some());
    let reopened = s
        .set_cycle_status(org, c.id, CycleStatus::Open, &a)
        .await
        .unwrap();
    assert_eq!(reopened.status, CycleStatus::Open);

    let log = s.audit_log(org, 20).await.unwrap();
    let actions: Vec<&str> = log
        .iter()
        .filter(|e| e.entity == "cycle")
        .map(|e| e.action.as_str())
        .collect();
    assert_eq!(actions, ["reopen", "close", "open", "create"]);
    assert_eq!(
        s.cycle_by_name(org, "2026-H1").await.unwrap(),
        Some(reopened)
    );
}

pub async fn a_cycles_model_version_is_frozen_once_it_opens(b: &Backend) {
    let s = &*b.store;
    let (org, a) = org_with_admin(s, "Acme", "admin@acme.test").await;
    let v1 = s.current_model_version(org).await.unwrap();
    let c = s
        .create_cycle(org, &cycle_input("2026-H1"), &a)
        .await
        .unwrap();
    let v2 = s
        .add_model_version(
            org,
            "2",
            &DEFAULT_MODEL_TOML.replacen("version = \"1\"", "version = \"2\"", 1),
            &a,
        )
        .await
        .unwrap();
    let on_v2 = CycleInput {
        model_version_id: Some(v2.id),
        ..cycle_input("2026-H1")
    };
    let on_v1 = CycleInput {
        model_version_id: Some(v1.id),
        ..cycle_input("2026-H1")
    };

    // A draft may move to another version, and its version stays editable.
    assert_eq!(
        s.update_cycle(org, c.id, &on_v2, &a)
            .await
            .unwrap()
            .model_version_id,
        v2.id
    );
    assert!(!s.model_versions(org).await.unwrap()[1].in_use);
    s.set_cycle_status(org, c.id, CycleStatus::Open, &a)
        .await
        .unwrap();

    let moved = s.update_cycle(org, c.id, &on_v1, &a).await;
    assert!(matches!(moved, Err(StoreError::Immutable(_))), "{moved:?}");
    assert!(
        s.model_versions(org).await.unwrap()[1].in_use,
        "open freezes it"
    );
    let edited = s
        .update_model_version(org, v2.id, DEFAULT_MODEL_TOML, &a)
        .await;
    assert!(
        matches!(edited, Err(StoreError::Immutable(_))),
        "{edited:?}"
    );
    // The rest of an open cycle may still change.
    let later = CycleInput {
        due_date: Some(date!(2026 - 07 - 15)),
        ..cycle_input("2026-H1")
    };
    let c = s.update_cycle(org, c.id, &later, &a).await.unwrap();
    assert_eq!(c.due_date, Some(date!(2026 - 07 - 15)));
    assert_eq!(c.model_version_id, v2.id);
}

pub async fn a_closed_cycle_takes_no_ratings_of_any_kind(b: &Backend) {
    let s = &*b.store;
    let (org, a) = org_with_admin(s, "Acme", "admin@acme.test").await;
    pat_and_peers(s, org, &a).await;
    let cycle = open_cycle(s, org, "2026-H1", &a).await;
    s.add_participants(org, cycle, &[ParticipantRef::Person(pid("p-1"))], &a)
        .await
        .unwrap();
    s.set_cycle_status(org, cycle, CycleStatus::Closed, &a)
        .await
        .unwrap();

    assert_conflict(
        s.add_rating(org, &rating(cycle, "p-1", "p-2", "peer", "belief"), &a)
            .await,
        "status",
    );
    assert_conflict(
        s.save_sheet(org, &full_sheet(cycle, "p-1", "p-1", 3), false, &a)
            .await,
        "status",
    );
    assert_conflict(
        s.add_participants(org, cycle, &[ParticipantRef::Person(pid("p-2"))], &a)
            .await,
        "status",
    );
    assert_conflict(
        s.update_cycle(org, cycle, &cycle_input("2026-H1b"), &a)
            .await,
        "status",
    );
    let file = batch(&[["2026-H1", "p-1", "p-2", "peer", "belief", "4"]]);
    match import(s, org, &file, &a).await {
        Err(StoreError::Rejected(p)) => {
            assert!(
                p.to_string().contains(":2: cycle: cycle 2026-H1 is closed"),
                "{p}"
            );
        }
        other => panic!("expected a rejection, got {other:?}"),
    }
    assert!(export(s, org, None).await.is_empty());
}

pub async fn adding_a_team_adds_its_people_with_self_and_manager_raters(b: &Backend) {
    let s = &*b.store;
    let (org, a) = org_with_admin(s, "Acme", "admin@acme.test").await;
    let (west, _, _) = sales_floor(s, org, &a).await;
    let c = s
        .create_cycle(org, &cycle_input("2026-H1"), &a)
        .await
        .unwrap();

    let added = s
        .add_participants(org, c.id, &[ParticipantRef::Team(west)], &a)
        .await
        .unwrap();

    // West has Wes (reporting to m-1); its sub-team West Enterprise has Wendy, who has no
    // line manager, but sits in a team without a manager either.
    assert_eq!(added, 2);
    let people: Vec<String> = s
        .participants(org, c.id)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.subject.to_string())
        .collect();
    assert_eq!(
        people,
        ["we-1", "w-1"],
        "by name: Wendy Enterprise, Wes West"
    );
    let pairs: Vec<(String, String, RaterRole)> = s
        .assignments(org, c.id, None)
        .await
        .unwrap()
        .into_iter()
        .map(|x| (x.subject.to_string(), x.rater.to_string(), x.role))
        .collect();
    assert_eq!(
        pairs,
        [
            ("we-1".into(), "we-1".into(), RaterRole::SelfRating),
            ("w-1".into(), "w-1".into(), RaterRole::SelfRating),
            ("w-1".into(), "m-1".into(), RaterRole::Manager),
        ]
    );
    let again = s
        .add_participants(
            org,
            c.id,
            &[
                ParticipantRef::Team(west),
                ParticipantRef::Person(pid("e-2")),
            ],
            &a,
        )
        .await
        .unwrap();
    assert_eq!(again, 1, "only Ed is new");
    assert_invalid(
        s.add_participants(org, c.id, &[ParticipantRef::Person(pid("ghost"))], &a)
            .await,
        "participants",
    );
    assert_invalid(
        s.add_participants(org, c.id, &[ParticipantRef::Team(9999)], &a)
            .await,
        "participants",
    );
}

pub async fn peers_chosen_by_the_manager_are_asked_at_once_and_nominated_ones_wait(b: &Backend) {
    let s = &*b.store;
    let (org, a) = org_with_admin(s, "Acme", "admin@acme.test").await;
    pat_and_peers(s, org, &a).await;
    let cycle = open_cycle(s, org, "2026-H1", &a).await;
    s.add_participants(org, cycle, &[ParticipantRef::Person(pid("p-1"))], &a)
        .await
        .unwrap();
    let today = date!(2026 - 06 - 01);

    let chosen = s
        .assign_rater(
            org,
            cycle,
            &assign("p-1", "p-2", RaterRole::Peer, AssignmentStatus::Approved),
            &a,
        )
        .await
        .unwrap();
    let nominated = s
        .assign_rater(
            org,
            cycle,
            &assign("p-1", "p-3", RaterRole::Peer, AssignmentStatus::Nominated),
            &a,
        )
        .await
        .unwrap();

    assert_eq!(chosen.status, AssignmentStatus::Approved);
    assert_eq!(chosen.state, SheetState::NotStarted);
    assert_eq!(nominated.status, AssignmentStatus::Nominated);
    assert_eq!(
        s.my_assessments(org, &pid("p-2"), today)
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(
        s.my_assessments(org, &pid("p-3"), today)
            .await
            .unwrap()
            .is_empty()
    );
    s.set_assignment_status(
        org,
        cycle,
        &pid("p-1"),
        &pid("p-3"),
        AssignmentStatus::Approved,
        &a,
    )
    .await
    .unwrap();
    assert_eq!(
        s.my_assessments(org, &pid("p-3"), today)
            .await
            .unwrap()
            .len(),
        1
    );
    s.set_assignment_status(
        org,
        cycle,
        &pid("p-1"),
        &pid("p-3"),
        AssignmentStatus::Declined,
        &a,
    )
    .await
    .unwrap();
    assert!(
        s.my_assessments(org, &pid("p-3"), today)
            .await
            .unwrap()
            .is_empty()
    );

    assert_conflict(
        s.assign_rater(
            org,
            cycle,
            &assign("p-1", "p-2", RaterRole::Peer, AssignmentStatus::Approved),
            &a,
        )
        .await,
        "rater",
    );
    for (bad, field) in [
        (
            assign("p-1", "p-4", RaterRole::Coach, AssignmentStatus::Nominated),
            "role",
        ),
        (
            assign("p-1", "ext-9", RaterRole::Peer, AssignmentStatus::Approved),
            "rater",
        ),
        (
            assign(
                "p-1",
                "p-4",
                RaterRole::SelfRating,
                AssignmentStatus::Approved,
            ),
            "rater",
        ),
        (
            assign("p-2", "p-4", RaterRole::Peer, AssignmentStatus::Approved),
            "subject",
        ),
    ] {
        assert_invalid(s.assign_rater(org, cycle, &bad, &a).await, field);
    }
    let no_peers = s
        .create_cycle(
            org,
            &CycleInput {
                rater_roles: RaterRoles::parse("self,manager").unwrap(),
                ..cycle_input("2026-H2")
            },
            &a,
        )
        .await
        .unwrap();
    s.add_participants(org, no_peers.id, &[ParticipantRef::Person(pid("p-1"))], &a)
        .await
        .unwrap();
    assert_invalid(
        s.assign_rater(
            org,
            no_peers.id,
            &assign("p-1", "p-2", RaterRole::Peer, AssignmentStatus::Approved),
            &a,
        )
        .await,
        "role",
    );
    s.remove_assignment(org, cycle, &pid("p-1"), &pid("p-2"), &a)
        .await
        .unwrap();
    assert!(
        s.my_assessments(org, &pid("p-2"), today)
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn a_rater_keeps_drafts_and_submitting_makes_the_sheet_final(b: &Backend) {
    let s = &*b.store;
    let (org, a) = org_with_admin(s, "Acme", "admin@acme.test").await;
    pat_and_peers(s, org, &a).await;
    let cycle = open_cycle(s, org, "2026-H1", &a).await;
    s.add_participants(org, cycle, &[ParticipantRef::Person(pid("p-1"))], &a)
        .await
        .unwrap();
    let mia = Actor::system("mia");
    let mut partial = full_sheet(cycle, "p-1", "m-1", 3);
    partial.entries.truncate(3);
    partial.entries[2].score = None; // "not observed"

    let draft = s.save_sheet(org, &partial, false, &mia).await.unwrap();

    assert_eq!(draft.state, SheetState::Draft);
    assert_eq!(draft.role, RaterRole::Manager);
    assert_eq!(draft.entries.len(), 3);
    assert!(
        s.subject_ratings(org, &pid("p-1"))
            .await
            .unwrap()
            .is_empty(),
        "drafts do not count"
    );
    assert!(
        export(s, org, None).await.is_empty(),
        "nor are they exported"
    );
    let reread = s
        .rating_sheet(org, cycle, &pid("p-1"), &pid("m-1"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(reread, draft);
    // A submission must answer every quality, and explain a score at either end.
    assert_invalid(
        s.save_sheet(org, &partial, true, &mia).await,
        "score.perseverance",
    );
    let mut extreme = full_sheet(cycle, "p-1", "m-1", 3);
    extreme.entries[7].score = Some(score(5));
    extreme.entries[7].evidence = " ".into();
    assert_invalid(
        s.save_sheet(org, &extreme, true, &mia).await,
        "evidence.storytelling",
    );
    // Saving again replaces the draft.
    let fuller = s
        .save_sheet(org, &full_sheet(cycle, "p-1", "m-1", 2), false, &mia)
        .await
        .unwrap();
    assert_eq!(fuller.entries.len(), 8);

    let done = s
        .save_sheet(org, &full_sheet(cycle, "p-1", "m-1", 4), true, &mia)
        .await
        .unwrap();

    assert_eq!(done.state, SheetState::Submitted);
    assert_conflict(
        s.save_sheet(org, &full_sheet(cycle, "p-1", "m-1", 1), false, &mia)
            .await,
        "state",
    );
    let counted = s.subject_ratings(org, &pid("p-1")).await.unwrap();
    assert_eq!(counted.len(), 1);
    assert_eq!(counted[0].ratings.len(), 8);
    assert!(counted[0].ratings.iter().all(|r| r.score == Some(4)));
    let log = s.audit_log(org, 5).await.unwrap();
    assert_eq!(
        (log[0].action.as_str(), log[0].entity.as_str()),
        ("submit", "sheet")
    );
}

pub async fn sheets_need_an_open_cycle_and_an_approved_assignment(b: &Backend) {
    let s = &*b.store;
    let (org, a) = org_with_admin(s, "Acme", "admin@acme.test").await;
    pat_and_peers(s, org, &a).await;
    let draft = s
        .create_cycle(org, &cycle_input("2026-H1"), &a)
        .await
        .unwrap();
    s.add_participants(org, draft.id, &[ParticipantRef::Person(pid("p-1"))], &a)
        .await
        .unwrap();
    s.assign_rater(
        org,
        draft.id,
        &assign("p-1", "p-3", RaterRole::Peer, AssignmentStatus::Nominated),
        &a,
    )
    .await
    .unwrap();

    assert_conflict(
        s.save_sheet(org, &full_sheet(draft.id, "p-1", "p-1", 3), false, &a)
            .await,
        "status",
    );
    s.set_cycle_status(org, draft.id, CycleStatus::Open, &a)
        .await
        .unwrap();
    assert_invalid(
        s.save_sheet(org, &full_sheet(draft.id, "p-1", "p-2", 3), false, &a)
            .await,
        "rater",
    );
    assert_invalid(
        s.save_sheet(org, &full_sheet(draft.id, "p-1", "p-3", 3), false, &a)
            .await,
        "rater",
    );
    assert!(
        s.rating_sheet(org, draft.id, &pid("p-1"), &pid("p-2"))
            .await
            .unwrap()
            .is_none()
    );
    let own = s
        .save_sheet(org, &full_sheet(draft.id, "p-1", "p-1", 3), true, &a)
        .await
        .unwrap();
    assert_eq!(
        (own.role, own.state),
        (RaterRole::SelfRating, SheetState::Submitted)
    );
}

pub async fn my_assessments_lists_open_sheets_with_due_dates_and_overdue_flags(b: &Backend) {
    let s = &*b.store;
    let (org, a) = org_with_admin(s, "Acme", "admin@acme.test").await;
    pat_and_peers(s, org, &a).await;
    let h1 = open_cycle(s, org, "2026-H1", &a).await;
    let later = s
        .create_cycle(org, &cycle_input("2026-H2"), &a)
        .await
        .unwrap();
    for c in [h1, later.id] {
        s.add_participants(
            org,
            c,
            &[
                ParticipantRef::Person(pid("p-1")),
                ParticipantRef::Person(pid("p-2")),
            ],
            &a,
        )
        .await
        .unwrap();
    }
    let mut draft = full_sheet(h1, "p-2", "m-1", 3);
    draft.entries.truncate(2);
    s.save_sheet(org, &draft, false, &a).await.unwrap();
    s.save_sheet(org, &full_sheet(h1, "p-1", "m-1", 3), true, &a)
        .await
        .unwrap();

    let mine = s
        .my_assessments(org, &pid("m-1"), date!(2026 - 07 - 01))
        .await
        .unwrap();

    // Only the open cycle; Pat's sheet submitted, Pia's a draft and past due.
    let rows: Vec<(&str, &str, SheetState, u32, bool)> = mine
        .iter()
        .map(|m| {
            (
                m.cycle.as_str(),
                m.subject.as_str(),
                m.state,
                m.answered,
                m.overdue,
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("2026-H1", "p-1", SheetState::Submitted, 8, false),
            ("2026-H1", "p-2", SheetState::Draft, 2, true),
        ]
    );
    assert_eq!(mine[0].qualities, 8);
    assert_eq!(mine[0].due_date, Some(date!(2026 - 06 - 30)));
    assert_eq!(mine[0].role, RaterRole::Manager);
    let on_time = s
        .my_assessments(org, &pid("m-1"), date!(2026 - 06 - 30))
        .await
        .unwrap();
    assert!(
        on_time.iter().all(|m| !m.overdue),
        "due today is not overdue"
    );
}

pub async fn completion_counts_submitted_outstanding_and_overdue_per_rater_and_subject(
    b: &Backend,
) {
    let s = &*b.store;
    let (org, a) = org_with_admin(s, "Acme", "admin@acme.test").await;
    pat_and_peers(s, org, &a).await;
    let cycle = open_cycle(s, org, "2026-H1", &a).await;
    s.add_participants(
        org,
        cycle,
        &[
            ParticipantRef::Person(pid("p-1")),
            ParticipantRef::Person(pid("p-2")),
        ],
        &a,
    )
    .await
    .unwrap();
    s.assign_rater(
        org,
        cycle,
        &assign("p-1", "p-3", RaterRole::Peer, AssignmentStatus::Nominated),
        &a,
    )
    .await
    .unwrap();
    // Sheets: p-1 self (submitted), p-1 by m-1 (draft), p-2 self, p-2 by m-1 (not started).
    s.save_sheet(org, &full_sheet(cycle, "p-1", "p-1", 3), true, &a)
        .await
        .unwrap();
    let mut draft = full_sheet(cycle, "p-1", "m-1", 3);
    draft.entries.truncate(1);
    s.save_sheet(org, &draft, false, &a).await.unwrap();

    let before_due = s
        .completion(org, cycle, date!(2026 - 06 - 01))
        .await
        .unwrap();
    let after_due = s
        .completion(org, cycle, date!(2026 - 07 - 01))
        .await
        .unwrap();

    let t = before_due.totals;
    assert_eq!(
        (
            t.assigned,
            t.submitted,
            t.outstanding,
            t.overdue,
            t.in_draft
        ),
        (4, 1, 3, 0, 1),
        "the nominated peer is not counted"
    );
    let t = after_due.totals;
    assert_eq!((t.submitted, t.outstanding, t.overdue), (1, 0, 3));
    assert!(after_due.past_due);
    let mia = after_due
        .raters
        .iter()
        .find(|r| r.rater.as_str() == "m-1")
        .unwrap();
    assert_eq!(
        (mia.counts.assigned, mia.counts.overdue, mia.counts.in_draft),
        (2, 2, 1)
    );
    assert_eq!(mia.name, "Mia Manager");
    let pat = after_due
        .subjects
        .iter()
        .find(|x| x.subject.as_str() == "p-1")
        .unwrap();
    assert_eq!(
        (
            pat.counts.assigned,
            pat.counts.submitted,
            pat.counts.overdue
        ),
        (2, 1, 1)
    );
}

pub async fn the_store_checks_ratings_against_the_cycles_own_model(b: &Backend) {
    let s = &*b.store;
    let (org, a) = org_with_admin(s, "Acme", "admin@acme.test").await;
    pat_and_peers(s, org, &a).await;
    let small = include_str!("../../../domain/tests/model_files/small.toml");
    let v = s.add_model_version(org, "small", small, &a).await.unwrap();
    let c = s
        .create_cycle(
            org,
            &CycleInput {
                model_version_id: Some(v.id),
                ..cycle_input("2026-H1")
            },
            &a,
        )
        .await
        .unwrap();
    let mut r = rating(c.id, "p-1", "p-2", "peer", "alpha");

    r.score = Some(score(5)); // on the default 1–5 scale, not on this model's 1–3
    assert_invalid(s.add_rating(org, &r, &a).await, "score");
    r.score = Some(score(3));
    assert!(s.add_rating(org, &r, &a).await.is_ok());
    assert_invalid(
        s.add_rating(org, &rating(c.id, "p-1", "p-2", "peer", "belief"), &a)
            .await,
        "quality",
    );
    assert!(s.model(org, v.id).await.unwrap().quality("alpha").is_some());
    let file = batch(&[
        ["2026-H1", "p-1", "p-3", "peer", "alpha", "4"],
        ["2026-H1", "p-1", "p-3", "peer", "belief", "2"],
    ]);
    let Err(StoreError::Rejected(p)) = import(s, org, &file, &a).await else {
        panic!("the file should be refused");
    };
    let text = p.to_string();
    assert!(
        text.contains(":2: score: 4 is not on the scale 1–3"),
        "{text}"
    );
    assert!(
        text.contains(":3: quality: \"belief\" is not a quality of model version test-1"),
        "{text}"
    );
}

pub async fn profile_and_team_queries_return_submitted_ratings_without_raters(b: &Backend) {
    let s = &*b.store;
    let (org, a) = org_with_admin(s, "Acme", "admin@acme.test").await;
    let (west, _, east) = sales_floor(s, org, &a).await;
    let file = batch(&[
        ["2025-H2", "w-1", "m-1", "manager", "belief", "2"],
        ["2026-H1", "w-1", "m-1", "manager", "belief", "3"],
        ["2026-H1", "w-1", "w-1", "self", "belief", "5"],
        ["2026-H1", "w-1", "ext-1", "peer", "humility", ""],
        ["2026-H1", "e-1", "m-1", "manager", "belief", "4"],
        ["2026-H1", "e-2", "m-1", "manager", "belief", "1"],
    ]);
    import(s, org, &file, &a).await.unwrap();
    let h1 = s.cycle_by_name(org, "2026-H1").await.unwrap().unwrap();

    let wes = s.subject_ratings(org, &pid("w-1")).await.unwrap();
    let cycles: Vec<&str> = wes.iter().map(|c| c.cycle.name.as_str()).collect();
    assert_eq!(cycles, ["2025-H2", "2026-H1"]);
    assert_eq!(wes[1].ratings.len(), 3);
    assert!(
        wes[1]
            .ratings
            .iter()
            .any(|r| r.role == RaterRole::Peer && r.score.is_none())
    );

    let team = s
        .cycle_ratings(
            org,
            h1.id,
            &PeopleFilter {
                team_id: Some(east),
                ..everyone()
            },
        )
        .await
        .unwrap();
    let subjects: Vec<&str> = team.iter().map(|t| t.subject.as_str()).collect();
    assert_eq!(subjects, ["e-1", "e-2"]);
    let all = s.cycle_ratings(org, h1.id, &everyone()).await.unwrap();
    assert_eq!(all.len(), 3);
    let west_scope = Scope::Teams {
        team_ids: [west].into(),
        reports_of: None,
    };
    let scoped = s
        .cycle_ratings(
            org,
            h1.id,
            &PeopleFilter {
                scope: west_scope,
                search: None,
                team_id: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(scoped.len(), 1);
    assert_eq!(scoped[0].subject.as_str(), "w-1");
    let nobody = PeopleFilter {
        scope: Scope::Nothing,
        ..everyone()
    };
    assert!(
        s.cycle_ratings(org, h1.id, &nobody)
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn evidence_notes_come_without_their_raters(b: &Backend) {
    let s = &*b.store;
    let (org, a) = org_with_admin(s, "Acme", "admin@acme.test").await;
    pat_and_peers(s, org, &a).await;
    let cycle = open_cycle(s, org, "2026-H1", &a).await;
    for (rater, text) in [
        ("p-4", "b: kept every promise"),
        ("p-2", "a: told the truth"),
    ] {
        let mut r = rating(cycle, "p-1", rater, "peer", "trust_building");
        r.evidence = text.into();
        s.add_rating(org, &r, &a).await.unwrap();
    }
    let mut silent = rating(cycle, "p-1", "p-3", "peer", "trust_building");
    silent.evidence = String::new();
    s.add_rating(org, &silent, &a).await.unwrap();

    let notes = s.evidence_notes(org, cycle, &pid("p-1")).await.unwrap();

    let texts: Vec<&str> = notes.iter().map(|n| n.evidence.as_str()).collect();
    assert_eq!(
        texts,
        ["a: told the truth", "b: kept every promise"],
        "by text, not by rater"
    );
    assert!(
        notes
            .iter()
            .all(|n| n.role == RaterRole::Peer && n.quality == key("trust_building"))
    );
    let json = serde_json::to_string(&notes).unwrap();
    assert!(!json.contains("p-2") && !json.contains("p-4"), "{json}");
}

pub async fn an_import_writes_every_row_and_creates_missing_cycles_open(b: &Backend) {
    let s = &*b.store;
    let (org, a) = org_with_admin(s, "Acme", "admin@acme.test").await;
    pat_and_peers(s, org, &a).await;
    let existing = s
        .create_cycle(org, &cycle_input("2025-H2"), &a)
        .await
        .unwrap();
    let file = batch(&[
        ["2026-H1", "p-1", "p-1", "self", "belief", "4"],
        ["2026-H1", "p-1", "m-1", "manager", "belief", "3"],
        ["2026-H1", "p-1", "coach-ext", "coach", "belief", ""],
        ["2025-H2", "p-1", "m-1", "manager", "belief", "2"],
        ["2026-H1", "p-2", "m-1", "manager", "humility", "5"],
    ]);
    let mut seen = Vec::new();
    let progress = std::sync::Mutex::new(&mut seen);

    let done = s
        .import_ratings(org, &file, ImportOptions::default(), &a, &|n| {
            progress.lock().unwrap().push(n)
        })
        .await
        .unwrap();

    assert_eq!(done.rows, 5);
    assert_eq!(done.cycles_created, [name("2026-H1")]);
    assert_eq!(done.per_cycle, [(name("2025-H2"), 1), (name("2026-H1"), 4)]);
    assert_eq!(seen.last(), Some(&5));
    let created = s.cycle_by_name(org, "2026-H1").await.unwrap().unwrap();
    assert_eq!(created.status, CycleStatus::Open);
    assert_eq!(
        s.cycle(org, existing.id).await.unwrap().unwrap().status,
        CycleStatus::Draft,
        "an import does not open a draft"
    );
    assert!(s.current_model_version(org).await.unwrap().in_use);
    assert_eq!(export(s, org, None).await.len(), 5);
    assert_eq!(export(s, org, Some(created.id)).await.len(), 4);
    let log = s.audit_log(org, 3).await.unwrap();
    assert_eq!(
        (log[0].action.as_str(), log[0].entity.as_str()),
        ("import", "ratings")
    );
    assert!(log[0].after.as_deref().unwrap().contains("\"rows\":5"));
    assert_eq!(
        (log[1].action.as_str(), log[1].entity.as_str()),
        ("create", "cycle")
    );
}

pub async fn a_ratings_import_with_one_bad_row_writes_nothing(b: &Backend) {
    let s = &*b.store;
    let (org, a) = org_with_admin(s, "Acme", "admin@acme.test").await;
    pat_and_peers(s, org, &a).await;
    let good = [
        ["2026-H1", "p-1", "m-1", "manager", "belief", "3"],
        ["2026-H1", "p-2", "m-1", "manager", "belief", "3"],
    ];
    for bad in [
        ["2026-H1", "ghost", "m-1", "manager", "belief", "3"],
        ["2026-H1", "p-3", "m-1", "manager", "charisma", "3"],
        ["2026-H1", "p-3", "m-1", "manager", "belief", "6"],
        ["2026-H1", "p-1", "m-1", "manager", "belief", "4"],
    ] {
        let file = batch(&[good[0], good[1], bad]);
        let refused = import(s, org, &file, &a).await;
        let Err(StoreError::Rejected(p)) = refused else {
            panic!("{bad:?} should be refused, got {refused:?}");
        };
        assert_eq!(p.total(), 1, "{p}");
        assert_eq!(p.shown()[0].line, 4, "{p}");
        assert!(
            s.cycle_by_name(org, "2026-H1").await.unwrap().is_none(),
            "nothing written"
        );
    }
    assert!(export(s, org, None).await.is_empty());
    assert!(
        s.audit_log(org, 100)
            .await
            .unwrap()
            .iter()
            .all(|e| e.entity != "ratings" && e.entity != "cycle")
    );
}

pub async fn an_import_refuses_ratings_already_stored_and_a_check_writes_nothing(b: &Backend) {
    let s = &*b.store;
    let (org, a) = org_with_admin(s, "Acme", "admin@acme.test").await;
    pat_and_peers(s, org, &a).await;
    let first = batch(&[["2026-H1", "p-1", "m-1", "manager", "belief", "3"]]);
    import(s, org, &first, &a).await.unwrap();

    let second = batch(&[
        ["2026-H1", "p-1", "m-1", "manager", "humility", "3"],
        ["2026-H1", "p-1", "m-1", "manager", "belief", "4"],
    ]);
    let Err(StoreError::Rejected(p)) = import(s, org, &second, &a).await else {
        panic!("the stored rating should be refused");
    };
    assert!(
        p.to_string()
            .contains(":3: quality: is already stored: m-1 rated p-1 on belief in cycle 2026-H1"),
        "{p}"
    );

    let fine = batch(&[["2026-H2", "p-1", "m-1", "manager", "belief", "3"]]);
    let checked = s
        .import_ratings(
            org,
            &fine,
            ImportOptions { check_only: true },
            &a,
            &no_progress,
        )
        .await
        .unwrap();
    assert_eq!(checked.rows, 0);
    assert!(s.cycle_by_name(org, "2026-H2").await.unwrap().is_none());
    assert_eq!(export(s, org, None).await.len(), 1);
}

pub async fn export_then_import_into_a_fresh_organisation_reproduces_every_rating(b: &Backend) {
    let s = &*b.store;
    let (acme, a) = org_with_admin(s, "Acme", "admin@acme.test").await;
    let (copy, c) = org_with_admin(s, "Copy", "admin@copy.test").await;
    for org in [acme, copy] {
        pat_and_peers(s, org, &a).await;
    }
    let cycle = open_cycle(s, acme, "2026-H1", &a).await;
    s.add_participants(acme, cycle, &[ParticipantRef::Person(pid("p-1"))], &a)
        .await
        .unwrap();
    let mut sheet = full_sheet(cycle, "p-1", "p-1", 4);
    sheet.entries[0].evidence = "said \"no\", then \"yes\",\nand meant it".into();
    sheet.entries[1].score = None;
    s.save_sheet(acme, &sheet, true, &a).await.unwrap();
    let file = batch(&[
        ["2025-H2", "p-1", "m-1", "manager", "belief", "2"],
        ["2026-H1", "p-1", "ext-1", "peer", "storytelling", "5"],
    ]);
    import(s, acme, &file, &a).await.unwrap();
    let original = export(s, acme, None).await;
    assert_eq!(original.len(), 10);

    let mut again = RatingsBatch::new();
    let mut problems = RowProblems::new("export");
    for (i, r) in original.iter().enumerate() {
        let score = r.score.map(|v| v.to_string()).unwrap_or_default();
        let cells = [
            r.cycle.as_str(),
            r.subject.as_str(),
            r.rater.as_str(),
            r.role.as_str(),
            r.quality.as_str(),
            score.as_str(),
            r.evidence.as_str(),
        ];
        assert!(
            again.push_cells(i as u64 + 2, &cells, &mut problems),
            "{problems}"
        );
    }
    import(s, copy, &again, &c).await.unwrap();

    assert_eq!(export(s, copy, None).await, original);
    let copied = s.subject_ratings(copy, &pid("p-1")).await.unwrap();
    let source = s.subject_ratings(acme, &pid("p-1")).await.unwrap();
    let values = |x: &[sellerq_store::CycleRatings]| -> Vec<(String, usize)> {
        x.iter()
            .map(|c| (c.cycle.name.to_string(), c.ratings.len()))
            .collect()
    };
    assert_eq!(values(&copied), values(&source));
}

pub async fn organisation_settings_default_to_three_peers_and_one_point(b: &Backend) {
    let s = &*b.store;
    let (org, a) = org_with_admin(s, "Acme", "admin@acme.test").await;

    assert_eq!(s.org_settings(org).await.unwrap(), OrgSettings::default());
    let strict = OrgSettings {
        anonymity_threshold: 5,
        blind_spot_threshold: 0.5,
    };
    s.set_org_settings(org, &strict, &a).await.unwrap();
    assert_eq!(s.org_settings(org).await.unwrap(), strict);
    assert_invalid(
        s.set_org_settings(
            org,
            &OrgSettings {
                anonymity_threshold: 0,
                ..strict
            },
            &a,
        )
        .await,
        "anonymity_threshold",
    );
    let (other, _) = org_with_admin(s, "Other", "admin@other.test").await;
    assert_eq!(s.org_settings(other).await.unwrap(), OrgSettings::default());
    assert_eq!(s.audit_log(org, 1).await.unwrap()[0].entity, "settings");
}

pub async fn only_a_draft_cycle_without_ratings_can_be_deleted(b: &Backend) {
    let s = &*b.store;
    let (org, a) = org_with_admin(s, "Acme", "admin@acme.test").await;
    pat_and_peers(s, org, &a).await;
    let draft = s
        .create_cycle(org, &cycle_input("2026-H1"), &a)
        .await
        .unwrap();
    s.add_participants(org, draft.id, &[ParticipantRef::Person(pid("p-1"))], &a)
        .await
        .unwrap();
    let opened = open_cycle(s, org, "2026-H2", &a).await;

    s.delete_cycle(org, draft.id, &a).await.unwrap();

    assert!(s.cycle(org, draft.id).await.unwrap().is_none());
    assert_conflict(s.delete_cycle(org, opened, &a).await, "status");
    let names: Vec<String> = s
        .cycles(org)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.name.to_string())
        .collect();
    assert_eq!(names, ["2026-H2"]);
}

pub async fn renaming_or_deleting_a_person_carries_their_cycle_roles_along(b: &Backend) {
    let s = &*b.store;
    let (org, a) = org_with_admin(s, "Acme", "admin@acme.test").await;
    pat_and_peers(s, org, &a).await;
    let cycle = open_cycle(s, org, "2026-H1", &a).await;
    s.add_participants(org, cycle, &[ParticipantRef::Person(pid("p-1"))], &a)
        .await
        .unwrap();
    s.assign_rater(
        org,
        cycle,
        &assign("p-1", "p-2", RaterRole::Peer, AssignmentStatus::Approved),
        &a,
    )
    .await
    .unwrap();

    s.update_person(
        org,
        &pid("p-1"),
        &managed_by(person("pat-01", "Pat"), "m-1"),
        &a,
    )
    .await
    .unwrap();
    s.delete_person(org, &pid("p-2"), &a).await.unwrap();

    let left: Vec<(String, String)> = s
        .assignments(org, cycle, None)
        .await
        .unwrap()
        .into_iter()
        .map(|x| (x.subject.to_string(), x.rater.to_string()))
        .collect();
    assert_eq!(
        left,
        [
            ("pat-01".into(), "pat-01".into()),
            ("pat-01".into(), "m-1".into())
        ]
    );
    assert_eq!(
        s.participants(org, cycle).await.unwrap()[0]
            .subject
            .as_str(),
        "pat-01"
    );
}

pub async fn no_assessment_data_crosses_organisations(b: &Backend) {
    let s = &*b.store;
    let (acme, a) = org_with_admin(s, "Acme", "admin@acme.test").await;
    let (zeta, z) = org_with_admin(s, "Zeta", "admin@zeta.test").await;
    pat_and_peers(s, acme, &a).await;
    pat_and_peers(s, zeta, &z).await;
    let zeta_cycle = open_cycle(s, zeta, "2026-H1", &z).await;
    import(
        s,
        zeta,
        &batch(&[["2026-H1", "p-1", "m-1", "manager", "belief", "1"]]),
        &z,
    )
    .await
    .unwrap();

    assert!(s.cycle(acme, zeta_cycle).await.unwrap().is_none());
    assert!(s.cycles(acme).await.unwrap().is_empty());
    assert!(matches!(
        s.add_participants(acme, zeta_cycle, &[ParticipantRef::Person(pid("p-1"))], &a)
            .await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        s.set_cycle_status(acme, zeta_cycle, CycleStatus::Closed, &a)
            .await,
        Err(StoreError::NotFound(_))
    ));
    assert!(
        s.subject_ratings(acme, &pid("p-1"))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        s.cycle_ratings(acme, zeta_cycle, &everyone())
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        s.evidence_notes(acme, zeta_cycle, &pid("p-1"))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(export(s, acme, None).await.is_empty());
    assert!(matches!(
        s.export_ratings(acme, Some(zeta_cycle), &mut |_: &RatingRecord| Ok(()))
            .await,
        Err(StoreError::NotFound(_))
    ));
    // The same cycle name in Acme is a new cycle of Acme's own.
    import(
        s,
        acme,
        &batch(&[["2026-H1", "p-1", "m-1", "manager", "belief", "5"]]),
        &a,
    )
    .await
    .unwrap();
    assert_eq!(export(s, zeta, None).await[0].score, Some(1));
    assert_eq!(export(s, acme, None).await[0].score, Some(5));
}
