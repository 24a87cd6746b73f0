//! Assessment cycles (issue 3): who may see and run which cycle, pages and API, participants
//! and raters, completion and its reminder CSV.
//!
//! The cycle routes have a matrix of their own (the shared one in `permissions.rs` has no
//! cycle targets): each route × role × a cycle in the caller's scope (assessing p-sam, of
//! East), a cycle outside it (assessing p-wes, of West) and a cycle of the other organisation.

use std::fmt::Write as _;

use reqwest::{Method, StatusCode};
use sellerq_domain::assessment::{CycleInput, CycleName, CycleStatus, RaterRoles};
use sellerq_domain::{PersonId, Role};
use sellerq_store::{Actor, Cycle, ParticipantRef};
use serde_json::{Value, json};

use crate::helpers::{TestApp, person, spawn_app};

fn system() -> Actor {
    Actor::system("test")
}

/// A cycle in `org` with `people` as participants, in `status`, collecting `roles`.
pub async fn cycle_with(
    app: &TestApp,
    org: i64,
    name: &str,
    roles: &str,
    people: &[&str],
    status: CycleStatus,
) -> Cycle {
    let mut input = CycleInput::named(CycleName::parse(name).expect("a cycle name"));
    input.rater_roles = RaterRoles::parse(roles).expect("rater roles");
    let c = app
        .store
        .create_cycle(org, &input, &system())
        .await
        .expect("store creates a cycle");
    let who: Vec<ParticipantRef> = people
        .iter()
        .map(|p| ParticipantRef::Person(PersonId::parse(p).expect("a person id")))
        .collect();
    if !who.is_empty() {
        app.store
            .add_participants(org, c.id, &who, &system())
            .await
            .expect("store adds participants");
    }
    if status != CycleStatus::Draft {
        app.store
            .set_cycle_status(org, c.id, CycleStatus::Open, &system())
            .await
            .expect("store opens the cycle");
    }
    if status == CycleStatus::Closed {
        app.store
            .set_cycle_status(org, c.id, CycleStatus::Closed, &system())
            .await
            .expect("store closes the cycle");
    }
    c
}

/// Who may do what to a cycle. Cells: (cycle of p-sam / cycle of p-wes / other organisation's
/// cycle), `Y` allowed, `n` denied (403 or 404).
const CYCLE_MATRIX: &str = "
# method path                                   admin leader manager coach seller interviewer
GET    /cycles/{c}                              YYn   YYn    Ynn     nnn   nnn    nnn
GET    /cycles/{c}/edit                         YYn   YYn    Ynn     nnn   nnn    nnn
POST   /cycles/{c}                              YYn   YYn    Ynn     nnn   nnn    nnn
POST   /cycles/{c}/status                       YYn   YYn    Ynn     nnn   nnn    nnn
POST   /cycles/{c}/delete                       YYn   YYn    Ynn     nnn   nnn    nnn
POST   /cycles/{c}/participants                 YYn   YYn    Ynn     nnn   nnn    nnn
POST   /cycles/{c}/raters                       YYn   YYn    Ynn     nnn   nnn    nnn
GET    /cycles/{c}/completion                   YYn   YYn    Ynn     nnn   nnn    nnn
GET    /cycles/{c}/completion/outstanding.csv   YYn   YYn    Ynn     nnn   nnn    nnn
GET    /api/v1/cycles/{c}                       YYn   YYn    Ynn     nnn   nnn    nnn
PUT    /api/v1/cycles/{c}                       YYn   YYn    Ynn     nnn   nnn    nnn
DELETE /api/v1/cycles/{c}                       YYn   YYn    Ynn     nnn   nnn    nnn
POST   /api/v1/cycles/{c}/status                YYn   YYn    Ynn     nnn   nnn    nnn
GET    /api/v1/cycles/{c}/participants          YYn   YYn    Ynn     nnn   nnn    nnn
POST   /api/v1/cycles/{c}/participants          YYn   YYn    Ynn     nnn   nnn    nnn
GET    /api/v1/cycles/{c}/raters                YYn   YYn    Ynn     nnn   nnn    nnn
POST   /api/v1/cycles/{c}/raters                YYn   YYn    Ynn     nnn   nnn    nnn
GET    /api/v1/cycles/{c}/completion            YYn   YYn    Ynn     nnn   nnn    nnn
";

const COLUMNS: [Role; 6] = [
    Role::Admin,
    Role::Leader,
    Role::Manager,
    Role::Coach,
    Role::Seller,
    Role::Interviewer,
];

/// The form or body an allowed call needs to succeed, for the cycle `c` whose participant is
/// `subject` (`other` names another person of the same organisation and team).
fn request_for(
    method: &Method,
    path: &str,
    subject: &str,
    other: &str,
    n: usize,
) -> (Vec<(String, String)>, Option<Value>) {
    let p = path.trim_start_matches("/api/v1");
    let form = |pairs: &[(&str, &str)]| {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect::<Vec<_>>()
    };
    let name = format!("Matrix {n} renamed");
    if path.starts_with("/api/") {
        let body = match (method.as_str(), p) {
            ("PUT", "/cycles/{c}") => {
                Some(json!({"name": name, "rater_roles": ["self", "manager", "peer"]}))
            }
            ("POST", "/cycles/{c}/status") => Some(json!({"status": "open"})),
            ("POST", "/cycles/{c}/participants") => Some(json!({"people": [other]})),
            ("POST", "/cycles/{c}/raters") => {
                Some(json!({"subject": subject, "rater": other, "role": "peer"}))
            }
            _ => None,
        };
        return (vec![], body);
    }
    let fields = match p {
        "/cycles/{c}" if *method == Method::POST => form(&[
            ("name", &name),
            ("due_date", ""),
            ("role_self", "on"),
            ("role_manager", "on"),
        ]),
        "/cycles/{c}/status" => form(&[("status", "open")]),
        "/cycles/{c}/participants" => form(&[("person", other)]),
        "/cycles/{c}/raters" => form(&[("subject", subject), ("rater", other), ("role", "peer")]),
        _ => vec![],
    };
    (fields, None)
}

#[tokio::test]
async fn every_role_gets_exactly_the_cycle_access_product_md_gives() {
    // Arrange
    let app = spawn_app().await;
    let mut pages = Vec::new();
    let mut apis = Vec::new();
    for role in COLUMNS {
        pages.push(app.login_as(role).await);
        apis.push(app.api(role).await);
    }
    let mut wrong = Vec::new();
    let mut n = 0;

    for line in CYCLE_MATRIX
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let cols: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(cols.len(), 2 + COLUMNS.len(), "row {line:?}");
        let method = Method::from_bytes(cols[0].as_bytes()).expect("a method");
        let path = cols[1];
        for (r, role) in COLUMNS.into_iter().enumerate() {
            for (slot, want) in cols[2 + r].chars().enumerate() {
                n += 1;
                // A fresh draft cycle per cell, so allowed writes never disturb other cells.
                let (org, subject, other) = match slot {
                    0 => (app.org_id, person::SELLER, person::EAST_INBOUND),
                    1 => (app.org_id, person::WEST, person::WEST_2),
                    _ => (app.other_org_id, person::OTHER_ORG, person::OTHER_ORG_2),
                };
                let c = cycle_with(
                    &app,
                    org,
                    &format!("M-{n}"),
                    "self,manager,peer,coach",
                    &[subject],
                    CycleStatus::Draft,
                )
                .await;
                let url = path.replace("{c}", &c.id.to_string());
                let (form, body) = request_for(&method, path, subject, other, n);
                let resp = if path.starts_with("/api/") {
                    apis[r]
                        .send(
                            method.clone(),
                            url.trim_start_matches("/api/v1"),
                            body.as_ref(),
                        )
                        .await
                } else if method == Method::GET {
                    pages[r].get(&url).await
                } else {
                    let f: Vec<(&str, &str)> =
                        form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                    pages[r].post_form(&url, &f).await
                };
                let allowed = resp.status.is_success()
                    || (resp.status.is_redirection() && !resp.is_redirect_to_login());
                let denied = matches!(resp.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND);
                let ok = if want == 'Y' { allowed } else { denied };
                if !ok {
                    let mut msg = String::new();
                    let _ = write!(
                        msg,
                        "{method} {path} as {role}, cycle {}: expected {}, got {} — {}",
                        ["in scope", "out of scope", "other organisation"][slot],
                        if want == 'Y' { "allowed" } else { "denied" },
                        resp.status,
                        resp.text.chars().take(200).collect::<String>()
                    );
                    wrong.push(msg);
                }
            }
        }
    }

    assert!(
        wrong.is_empty(),
        "{} cells wrong:\n  {}",
        wrong.len(),
        wrong.join("\n  ")
    );
}

#[tokio::test]
async fn a_manager_lists_only_the_cycles_that_include_their_people() {
    // Arrange
    let app = spawn_app().await;
    let east = cycle_with(
        &app,
        app.org_id,
        "2026-H1",
        "self,manager",
        &[person::SELLER],
        CycleStatus::Open,
    )
    .await;
    cycle_with(
        &app,
        app.org_id,
        "West only",
        "self,manager",
        &[person::WEST],
        CycleStatus::Open,
    )
    .await;
    let mixed = cycle_with(
        &app,
        app.org_id,
        "Everyone",
        "self,manager",
        &[person::SELLER, person::WEST],
        CycleStatus::Open,
    )
    .await;
    let manager = app.api(Role::Manager).await;

    // Act
    let list = manager.get("/cycles").await;
    let parts = manager
        .get(&format!("/cycles/{}/participants", mixed.id))
        .await;
    let edit = manager
        .put(
            &format!("/cycles/{}", mixed.id),
            &json!({"name": "Renamed"}),
        )
        .await;

    // Assert
    let names: Vec<String> = list
        .json()
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|c| c["name"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(names, ["2026-H1", "Everyone"], "{}", list.text);
    let list_json = list.json();
    let own = list_json
        .as_array()
        .and_then(|a| a.iter().find(|c| c["id"] == east.id))
        .cloned()
        .unwrap_or_default();
    assert_eq!(own["manage"], true);
    let subjects: Vec<String> = parts
        .json()
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|p| p["subject"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        subjects,
        [person::SELLER],
        "only their own people: {}",
        parts.text
    );
    assert_eq!(
        edit.status,
        StatusCode::FORBIDDEN,
        "a cycle with other teams' people is not theirs to edit"
    );
}

#[tokio::test]
async fn a_manager_creates_a_cycle_for_their_team_and_cannot_add_other_teams() {
    // Arrange
    let app = spawn_app().await;
    let manager = app.login_as(Role::Manager).await;

    // Act
    let created = manager
        .post_form(
            "/cycles",
            &[
                ("name", "East 2026"),
                ("model_version_id", ""),
                ("due_date", "2026-06-30"),
                ("role_self", "on"),
                ("role_manager", "on"),
                ("role_peer", "on"),
            ],
        )
        .await;
    let location = created.location().unwrap_or_default().to_owned();
    let href = location.split('?').next().unwrap_or_default().to_owned();
    let ours = manager
        .post_form(
            &format!("{href}/participants"),
            &[("team", &app.teams.east.to_string())],
        )
        .await;
    let theirs = manager
        .post_form(&format!("{href}/participants"), &[("person", person::WEST)])
        .await;
    let page = manager.get(&href).await;

    // Assert
    assert!(
        created.status.is_redirection(),
        "{} {}",
        created.status,
        created.text
    );
    assert!(
        ours.status.is_redirection(),
        "{} {}",
        ours.status,
        ours.text
    );
    assert_eq!(
        theirs.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        theirs.text
    );
    assert!(
        page.text.contains("Sam Seller") && page.text.contains("Eve Inbound"),
        "East and East Inbound were added"
    );
    assert!(!page.text.contains("Wes West</a>"), "West was refused");
}

#[tokio::test]
async fn the_cycle_form_refuses_no_rater_roles_and_keeps_the_values() {
    let app = spawn_app().await;
    let admin = app.login_as(Role::Admin).await;

    let resp = admin
        .post_form(
            "/cycles",
            &[("name", "2026-H2"), ("due_date", "2026-12-31")],
        )
        .await;

    assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        resp.text.contains("rater_roles-error"),
        "the message sits beside the checkboxes"
    );
    assert!(resp.text.contains("value=\"2026-H2\""), "the name is kept");
}

#[tokio::test]
async fn opening_a_cycle_locks_its_model_version_and_a_draft_can_be_deleted() {
    // Arrange
    let app = spawn_app().await;
    let admin = app.login_as(Role::Admin).await;
    let open = cycle_with(
        &app,
        app.org_id,
        "Open one",
        "self",
        &[person::SELLER],
        CycleStatus::Open,
    )
    .await;
    let draft = cycle_with(
        &app,
        app.org_id,
        "Draft one",
        "self",
        &[],
        CycleStatus::Draft,
    )
    .await;

    // Act
    let edit = admin.get(&format!("/cycles/{}/edit", open.id)).await;
    let delete_open = admin
        .post_form(&format!("/cycles/{}/delete", open.id), &[])
        .await;
    let delete_draft = admin
        .post_form(&format!("/cycles/{}/delete", draft.id), &[])
        .await;
    let close = admin
        .post_form(
            &format!("/cycles/{}/status", open.id),
            &[("status", "closed")],
        )
        .await;

    // Assert
    assert!(
        edit.text.contains("Locked"),
        "the model version shows as locked"
    );
    assert!(
        !edit.text.contains("name=\"model_version_id\""),
        "no model version select once open"
    );
    assert_eq!(
        delete_open.status,
        StatusCode::CONFLICT,
        "only drafts are deleted"
    );
    assert!(
        delete_draft.status.is_redirection(),
        "{}",
        delete_draft.text
    );
    assert!(
        app.store
            .cycle(app.org_id, draft.id)
            .await
            .expect("store")
            .is_none()
    );
    assert!(close.status.is_redirection());
    let closed = app
        .store
        .cycle(app.org_id, open.id)
        .await
        .expect("store")
        .expect("cycle");
    assert_eq!(closed.status, CycleStatus::Closed);
}

#[tokio::test]
async fn the_api_deletes_a_draft_cycle_and_refuses_an_opened_one_with_409() {
    // Arrange
    let app = spawn_app().await;
    let admin = app.api(Role::Admin).await;
    let draft = cycle_with(
        &app,
        app.org_id,
        "Draft one",
        "self,manager",
        &[person::SELLER],
        CycleStatus::Draft,
    )
    .await;
    let open = cycle_with(
        &app,
        app.org_id,
        "Open one",
        "self",
        &[person::SELLER],
        CycleStatus::Open,
    )
    .await;
    let closed = cycle_with(
        &app,
        app.org_id,
        "Closed one",
        "self",
        &[person::SELLER],
        CycleStatus::Closed,
    )
    .await;

    // Act
    let deleted = admin.delete(&format!("/cycles/{}", draft.id)).await;
    let again = admin.delete(&format!("/cycles/{}", draft.id)).await;
    let refused_open = admin.delete(&format!("/cycles/{}", open.id)).await;
    let refused_closed = admin.delete(&format!("/cycles/{}", closed.id)).await;
    let not_a_number = admin.delete("/cycles/abc").await;

    // Assert
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.text);
    assert!(deleted.text.is_empty(), "204 has no body: {}", deleted.text);
    assert!(
        app.store
            .cycle(app.org_id, draft.id)
            .await
            .expect("store")
            .is_none(),
        "the draft is gone"
    );
    assert_eq!(again.status, StatusCode::NOT_FOUND, "{}", again.text);
    for resp in [&refused_open, &refused_closed] {
        assert_eq!(resp.status, StatusCode::CONFLICT, "{}", resp.text);
        assert_eq!(
            resp.error_code().as_deref(),
            Some("conflict"),
            "{}",
            resp.text
        );
        assert_eq!(
            resp.error_field().as_deref(),
            Some("status"),
            "{}",
            resp.text
        );
        assert!(
            resp.json()["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("close it instead")),
            "{}",
            resp.text
        );
    }
    for c in [&open, &closed] {
        assert!(
            app.store
                .cycle(app.org_id, c.id)
                .await
                .expect("store")
                .is_some(),
            "a refused delete keeps {}",
            c.name
        );
    }
    assert_eq!(not_a_number.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn deleting_a_cycle_through_the_api_needs_every_participant_and_the_organisation() {
    // Arrange: a draft of another organisation, a draft of West only (out of the manager's
    // scope), one of East and West together (the manager sees it but does not run it), and one
    // of the manager's own seller.
    let app = spawn_app().await;
    let manager = app.api(Role::Manager).await;
    let theirs = cycle_with(
        &app,
        app.other_org_id,
        "Theirs",
        "self",
        &[person::OTHER_ORG],
        CycleStatus::Draft,
    )
    .await;
    let west = cycle_with(
        &app,
        app.org_id,
        "West only",
        "self",
        &[person::WEST],
        CycleStatus::Draft,
    )
    .await;
    let mixed = cycle_with(
        &app,
        app.org_id,
        "East and West",
        "self",
        &[person::SELLER, person::WEST],
        CycleStatus::Draft,
    )
    .await;
    let own = cycle_with(
        &app,
        app.org_id,
        "East only",
        "self",
        &[person::SELLER],
        CycleStatus::Draft,
    )
    .await;

    // Act
    let by_admin = app
        .api(Role::Admin)
        .await
        .delete(&format!("/cycles/{}", theirs.id))
        .await;
    let by_seller = app
        .api(Role::Seller)
        .await
        .delete(&format!("/cycles/{}", own.id))
        .await;
    let out_of_scope = manager.delete(&format!("/cycles/{}", west.id)).await;
    let not_all_theirs = manager.delete(&format!("/cycles/{}", mixed.id)).await;
    let own_deleted = manager.delete(&format!("/cycles/{}", own.id)).await;

    // Assert
    assert_eq!(by_admin.status, StatusCode::NOT_FOUND, "{}", by_admin.text);
    assert_eq!(by_admin.error_code().as_deref(), Some("not_found"));
    assert_eq!(
        by_seller.status,
        StatusCode::FORBIDDEN,
        "{}",
        by_seller.text
    );
    assert_eq!(out_of_scope.status, StatusCode::NOT_FOUND);
    assert_eq!(not_all_theirs.status, StatusCode::FORBIDDEN);
    assert_eq!(
        own_deleted.status,
        StatusCode::NO_CONTENT,
        "{}",
        own_deleted.text
    );
    for (org, c, kept) in [
        (app.other_org_id, &theirs, true),
        (app.org_id, &west, true),
        (app.org_id, &mixed, true),
        (app.org_id, &own, false),
    ] {
        assert_eq!(
            app.store.cycle(org, c.id).await.expect("store").is_some(),
            kept,
            "{}",
            c.name
        );
    }
}

#[tokio::test]
async fn the_openapi_document_describes_deleting_a_cycle() {
    let app = spawn_app().await;
    let doc = app.api(Role::Admin).await.get("/openapi.json").await;

    assert_eq!(doc.status, StatusCode::OK);
    let op = &doc.json()["paths"]["/cycles/{id}"]["delete"];
    assert_eq!(op["operationId"], "delete_cycle", "{op}");
    for status in ["204", "401", "403", "404", "409"] {
        assert!(op["responses"][status].is_object(), "{status} in {op}");
    }
}

#[tokio::test]
async fn the_api_creates_cycles_and_refuses_unknown_fields() {
    let app = spawn_app().await;
    let leader = app.api(Role::Leader).await;

    let ok = leader
        .post(
            "/cycles",
            &json!({"name": "2027-H1", "due_date": "2027-06-30", "rater_roles": ["self", "peer"]}),
        )
        .await;
    let unknown = leader
        .post("/cycles", &json!({"name": "2027-H2", "colour": "red"}))
        .await;
    let seller = app
        .api(Role::Seller)
        .await
        .post("/cycles", &json!({"name": "Mine"}))
        .await;

    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.text);
    assert_eq!(ok.json()["status"], "draft");
    assert_eq!(ok.json()["rater_roles"], json!(["self", "peer"]));
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(unknown.error_field().as_deref(), Some("colour"));
    assert_eq!(seller.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn no_cycle_of_another_organisation_is_reachable() {
    let app = spawn_app().await;
    let ours = cycle_with(
        &app,
        app.org_id,
        "2026-H1",
        "self",
        &[person::SELLER],
        CycleStatus::Open,
    )
    .await;
    let token = app.token_for(app.other_org_admin, app.other_org_id).await;
    let theirs = app.api_with_token(&token);

    let one = theirs.get(&format!("/cycles/{}", ours.id)).await;
    let completion = theirs.get(&format!("/cycles/{}/completion", ours.id)).await;
    let list = theirs.get("/cycles").await;

    assert_eq!(one.status, StatusCode::NOT_FOUND);
    assert_eq!(completion.status, StatusCode::NOT_FOUND);
    assert_eq!(list.json(), json!([]), "{}", list.text);
}

#[tokio::test]
async fn a_manager_sees_completion_of_their_own_people_only() {
    // Arrange: Sam (East: self + manager sheets) and Wes (West: a self sheet)
    let app = spawn_app().await;
    let c = cycle_with(
        &app,
        app.org_id,
        "Everyone",
        "self,manager",
        &[person::SELLER, person::WEST],
        CycleStatus::Open,
    )
    .await;
    let manager = app.api(Role::Manager).await;
    let admin = app.api(Role::Admin).await;

    // Act
    let theirs = manager.get(&format!("/cycles/{}/completion", c.id)).await;
    let all = admin.get(&format!("/cycles/{}/completion", c.id)).await;

    // Assert
    assert_eq!(all.json()["totals"]["assigned"], 3, "{}", all.text);
    assert_eq!(theirs.json()["totals"]["assigned"], 2, "{}", theirs.text);
    let subjects: Vec<String> = theirs.json()["subjects"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(subjects, [person::SELLER]);
    assert!(
        !theirs.text.contains(person::WEST),
        "nothing about West's people"
    );
}
