//! The permission matrix: every page and API route × every role × a target in the caller's
//! scope, outside it, and in another organisation — each cell allowed or denied as PRODUCT.md
//! says, and a denied write leaves the data exactly as it was.
//!
//! PRODUCT.md's roles, as the table encodes them:
//! - admin and leader see and edit everything in their organisation (teams too); only they
//!   manage teams and delete people;
//! - a manager sees and edits the people of their teams (East and its sub-team East Inbound,
//!   and people they line-manage), views those teams, but does not manage teams;
//! - a coach reads the people and teams assigned to them (West), edits nothing;
//! - a seller reads only their own record (p-sam), sees no teams and no lists;
//! - an interviewer sees nothing of people and teams (candidates come with recruiting);
//! - everyone reads the model, changes their own password, and may switch only to an
//!   organisation they belong to (the coach also coaches Globex);
//! - nothing of another organisation is ever reachable.
//!
//! The analytics API (organisation-wide reports) answers 422 on an organisation without
//! ratings, so its roles are checked where there are ratings: `analytics.rs`.

use std::fmt::Write as _;

use reqwest::{Method, StatusCode};
use sellerq_domain::Role;
use serde_json::{Value, json};

use crate::helpers::{ApiClient, TestApp, TestClient, TestResponse, person, spawn_app};

/// Who may do what. Columns are roles; a cell is one letter for a route without a target, or
/// three for (target in the caller's scope / outside their scope / in another organisation):
/// `Y` allowed, `n` denied (403, 404 or a refused reference), `-` no such target for this role
/// (admins and leaders have no out-of-scope rows).
///
/// For a create (`POST /people`, `POST /teams`) the "target" is what the body refers to: a team
/// in or out of scope, and a manager or parent team of the other organisation. For
/// `POST /org/switch` it is the caller's own organisation, or the other one.
const MATRIX: &str = "
# method path                          admin leader manager coach seller interviewer
GET    /                               Y     Y      Y       Y     Y      Y
GET    /people                         Y     Y      Y       Y     n      n
GET    /people/new                     Y     Y      Y       n     n      n
POST   /people                         Y-n   Y-n    Ynn     nnn   nnn    nnn
GET    /people/{person}                Y-n   Y-n    Ynn     Ynn   Ynn    nnn
GET    /people/{person}/edit           Y-n   Y-n    Ynn     nnn   nnn    nnn
POST   /people/{person}                Y-n   Y-n    Ynn     nnn   nnn    nnn
POST   /people/{person}/delete         Y-n   Y-n    nnn     nnn   nnn    nnn
GET    /teams                          Y     Y      Y       Y     n      n
GET    /teams/new                      Y     Y      n       n     n      n
POST   /teams                          Y-n   Y-n    nnn     nnn   nnn    nnn
GET    /teams/{team}                   Y-n   Y-n    Ynn     Ynn   nnn    nnn
GET    /teams/{team}/edit              Y-n   Y-n    nnn     nnn   nnn    nnn
POST   /teams/{team}                   Y-n   Y-n    nnn     nnn   nnn    nnn
POST   /teams/{team}/delete            Y-n   Y-n    nnn     nnn   nnn    nnn
GET    /people/{person}/profile        Y-n   Y-n    Ynn     Ynn   Ynn    nnn
GET    /teams/{team}/view              Y-n   Y-n    Ynn     Ynn   nnn    nnn
GET    /team-view                      Y     Y      n       n     n      n
GET    /analytics/validity             Y     Y      n       n     n      n
GET    /analytics/reliability          Y     Y      n       Y     n      n
GET    /cycles                         Y     Y      Y       n     n      n
GET    /cycles/new                     Y     Y      Y       n     n      n
GET    /assessments                    Y     Y      Y       Y     Y      Y
GET    /imports                        Y     n      n       n     n      n
GET    /model                          Y     Y      Y       Y     Y      Y
GET    /account/password               Y     Y      Y       Y     Y      Y
POST   /org/switch                     Y-n   Y-n    Y-n     Y-Y   Y-n    Y-n
GET    /api/v1/model                   Y     Y      Y       Y     Y      Y
GET    /api/v1/people                  Y     Y      Y       Y     n      n
POST   /api/v1/people                  Y-n   Y-n    Ynn     nnn   nnn    nnn
GET    /api/v1/people/{person}         Y-n   Y-n    Ynn     Ynn   Ynn    nnn
PUT    /api/v1/people/{person}         Y-n   Y-n    Ynn     nnn   nnn    nnn
DELETE /api/v1/people/{person}         Y-n   Y-n    nnn     nnn   nnn    nnn
GET    /api/v1/cycles                  Y     Y      Y       n     n      n
GET    /api/v1/assessments             Y     Y      Y       Y     Y      Y
GET    /api/v1/teams                   Y     Y      Y       Y     n      n
POST   /api/v1/teams                   Y-n   Y-n    nnn     nnn   nnn    nnn
GET    /api/v1/teams/{team}            Y-n   Y-n    Ynn     Ynn   nnn    nnn
PUT    /api/v1/teams/{team}            Y-n   Y-n    nnn     nnn   nnn    nnn
DELETE /api/v1/teams/{team}            Y-n   Y-n    nnn     nnn   nnn    nnn
GET    /api/v1/people/{person}/profile Y-n   Y-n    Ynn     Ynn   Ynn    nnn
GET    /api/v1/teams/{team}/view       Y-n   Y-n    Ynn     Ynn   nnn    nnn
GET    /api/v1/team-view               Y     Y      n       n     n      n
POST   /people/{person}/outcomes       Y-n   Y-n    Ynn     nnn   nnn    nnn
GET    /settings/metrics               Y     n      n       n     n      n
GET    /api/v1/metrics                 Y     Y      Y       Y     Y      Y
GET    /api/v1/people/{person}/outcomes Y-n  Y-n    Ynn     Ynn   Ynn    nnn
PUT    /api/v1/people/{person}/outcomes Y-n  Y-n    Ynn     nnn   nnn    nnn
";

/// The roles in the table's column order.
const COLUMNS: [Role; 6] = [
    Role::Admin,
    Role::Leader,
    Role::Manager,
    Role::Coach,
    Role::Seller,
    Role::Interviewer,
];

/// One row of [`MATRIX`].
#[derive(Debug, Clone)]
pub struct Row {
    pub method: Method,
    pub path: &'static str,
    /// Per role (in [`COLUMNS`] order): per target, `Some(allowed)` or `None` (no such target).
    cells: Vec<Vec<Option<bool>>>,
}

impl Row {
    /// An API route (bearer token) rather than a page (session cookie).
    pub fn is_api(&self) -> bool {
        self.path.starts_with("/api/")
    }

    fn target(&self) -> Target {
        let p = self.path.trim_start_matches("/api/v1");
        if p.contains("{person}") {
            Target::Person
        } else if p.contains("{team}") {
            Target::Team
        } else if self.method == Method::POST && p == "/people" {
            Target::NewPerson
        } else if self.method == Method::POST && p == "/teams" {
            Target::NewTeam
        } else if p == "/org/switch" {
            Target::Org
        } else {
            Target::Nothing
        }
    }
}

/// The table, parsed.
pub fn rows() -> Vec<Row> {
    MATRIX
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|line| {
            let cols: Vec<&'static str> = line.split_whitespace().collect();
            assert_eq!(
                cols.len(),
                2 + COLUMNS.len(),
                "matrix row {line:?} needs a cell per role"
            );
            let method = Method::from_bytes(cols[0].as_bytes()).expect("an HTTP method");
            let cells = cols[2..]
                .iter()
                .map(|cell| {
                    cell.chars()
                        .map(|c| match c {
                            'Y' => Some(true),
                            'n' => Some(false),
                            '-' => None,
                            other => panic!("matrix row {line:?}: unknown cell letter {other:?}"),
                        })
                        .collect()
                })
                .collect();
            Row {
                method,
                path: cols[1],
                cells,
            }
        })
        .collect()
}

/// What a route's path or body refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Nothing,
    Person,
    Team,
    NewPerson,
    NewTeam,
    Org,
}

/// Which of the three targets a cell is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    InScope,
    OutOfScope,
    OtherOrg,
}

impl Slot {
    const ALL: [Slot; 3] = [Slot::InScope, Slot::OutOfScope, Slot::OtherOrg];

    fn label(self) -> &'static str {
        match self {
            Slot::InScope => "in scope",
            Slot::OutOfScope => "out of scope",
            Slot::OtherOrg => "other organisation",
        }
    }
}

/// The team (by name) in the first organisation that is in or out of a role's scope.
fn scoped_team(role: Role, slot: Slot) -> &'static str {
    match (role, slot) {
        (Role::Manager, Slot::InScope) => "East Inbound",
        (Role::Coach, Slot::OutOfScope) | (Role::Seller | Role::Interviewer, Slot::InScope) => {
            "East"
        }
        _ => "West",
    }
}

fn team_id_named(app: &TestApp, name: &str) -> i64 {
    match name {
        "East" => app.teams.east,
        "East Inbound" => app.teams.east_inbound,
        _ => app.teams.west,
    }
}

/// A concrete request for one cell.
struct Case {
    path: String,
    form: Vec<(String, String)>,
    json: Option<Value>,
    what: String,
}

fn person_form(id: &str, name: &str, team: &str, manager: &str) -> Vec<(String, String)> {
    [
        ("id", id),
        ("name", name),
        ("email", ""),
        ("team", team),
        ("manager", manager),
        ("hire_date", ""),
        ("years_experience", ""),
        ("quota_track_record", ""),
        ("tenure_years", ""),
        ("vip_connections", ""),
        ("domain_expertise", ""),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect()
}

fn team_form(name: &str, parent_id: Option<i64>) -> Vec<(String, String)> {
    vec![
        ("name".into(), name.into()),
        (
            "parent_id".into(),
            parent_id.map(|p| p.to_string()).unwrap_or_default(),
        ),
        ("manager".into(), String::new()),
        ("description".into(), String::new()),
    ]
}

/// Builds the request of one cell, creating a throwaway target so that allowed writes
/// (deletes, renames) never disturb the other cells.
async fn case(app: &TestApp, row: &Row, role: Role, slot: Slot, n: usize) -> Case {
    let other = slot == Slot::OtherOrg;
    let org = if other { app.other_org_id } else { app.org_id };
    let team_name = if other {
        "North"
    } else {
        scoped_team(role, slot)
    };
    let api = row.is_api();
    match row.target() {
        Target::Nothing => Case {
            path: row.path.into(),
            form: vec![],
            json: None,
            what: String::new(),
        },
        Target::Person => {
            let id = if role == Role::Seller && slot == Slot::InScope {
                person::SELLER.to_owned()
            } else {
                app.add_person_to(org, &format!("mx-{n}"), Some(team_name))
                    .await
            };
            let path = row.path.replace("{person}", &id);
            let name = format!("Renamed {n}");
            if path.ends_with("/outcomes") {
                // An outcome of the person: the same body for the page form and the API.
                let outcome = [("period", "2026-Q1"), ("metric", "quota_attainment")];
                let mut form: Vec<(String, String)> = outcome
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                    .collect();
                form.push(("value".into(), "1.05".into()));
                form.push(("action".into(), "save".into()));
                return Case {
                    path,
                    form,
                    json: (row.method == Method::PUT).then(|| {
                        json!({"period": "2026-Q1", "metric": "quota_attainment", "value": 1.05})
                    }),
                    what: format!("an outcome of person {id} ({team_name})"),
                };
            }
            Case {
                path,
                form: person_form(&id, &name, team_name, ""),
                json: (row.method == Method::PUT).then(|| json!({"name": name, "team": team_name})),
                what: format!("person {id} ({team_name})"),
            }
        }
        Target::Team => {
            let parent = if other {
                app.teams.north
            } else {
                team_id_named(app, team_name)
            };
            let name = format!("Matrix Team {n}");
            let id = app.add_team_to(org, &name, Some(parent)).await;
            let renamed = format!("Matrix Team {n} renamed");
            Case {
                path: row.path.replace("{team}", &id.to_string()),
                form: team_form(&renamed, Some(parent)),
                json: (row.method == Method::PUT)
                    .then(|| json!({"name": renamed, "parent_id": parent})),
                what: format!("team {id} under {team_name}"),
            }
        }
        Target::NewPerson => {
            // The other organisation's case: a person of ours managed by one of theirs.
            let team = scoped_team(role, if other { Slot::InScope } else { slot });
            let manager = if other { person::OTHER_ORG } else { "" };
            let id = format!("mx-new-{n}");
            let name = format!("New Person {n}");
            let mut body = json!({"id": id, "name": name, "team": team});
            if other {
                body["manager"] = json!(manager);
            }
            Case {
                path: row.path.into(),
                form: person_form(&id, &name, team, manager),
                json: api.then_some(body),
                what: format!(
                    "new person in {team}{}",
                    if other { ", managed by g-gina" } else { "" }
                ),
            }
        }
        Target::NewTeam => {
            let parent = if other {
                app.teams.north
            } else {
                team_id_named(app, team_name)
            };
            let name = format!("Matrix New Team {n}");
            Case {
                path: row.path.into(),
                form: team_form(&name, Some(parent)),
                json: api.then(|| json!({"name": name, "parent_id": parent})),
                what: format!("new team under {team_name}"),
            }
        }
        Target::Org => {
            let id = if other { app.other_org_id } else { app.org_id };
            Case {
                path: row.path.into(),
                form: vec![("org_id".into(), id.to_string())],
                json: None,
                what: format!(
                    "organisation {}",
                    if other { "Globex" } else { "Acme Sales" }
                ),
            }
        }
    }
}

/// What came back, in the matrix's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Allowed,
    Denied,
    /// Neither: a 5xx, a 400, a redirect to sign in, a 405 …
    Unexpected,
}

fn outcome(resp: &TestResponse) -> Outcome {
    let s = resp.status;
    if s.is_success() || (s.is_redirection() && !resp.is_redirect_to_login()) {
        Outcome::Allowed
    } else if matches!(
        s,
        StatusCode::FORBIDDEN | StatusCode::NOT_FOUND | StatusCode::UNPROCESSABLE_ENTITY
    ) {
        Outcome::Denied
    } else {
        Outcome::Unexpected
    }
}

/// A short description of a response: an HTML page's title, or the start of the body.
fn gist(resp: &TestResponse) -> String {
    let title = resp
        .text
        .split_once("<title>")
        .and_then(|(_, rest)| rest.split_once("</title>"))
        .map(|(t, _)| t.trim().to_owned());
    title.unwrap_or_else(|| {
        resp.text
            .chars()
            .take(160)
            .collect::<String>()
            .replace('\n', " ")
    })
}

async fn send(page: &TestClient, api: &ApiClient, row: &Row, c: &Case) -> TestResponse {
    if row.is_api() {
        api.send(
            row.method.clone(),
            c.path.trim_start_matches("/api/v1"),
            c.json.as_ref(),
        )
        .await
    } else if row.method == Method::GET {
        page.get(&c.path).await
    } else {
        let fields: Vec<(&str, &str)> = c
            .form
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        page.post_form(&c.path, &fields).await
    }
}

#[tokio::test]
async fn every_role_gets_exactly_the_access_product_md_gives_on_every_route() {
    // Arrange
    let app = spawn_app().await;
    let rows = rows();
    let mut pages = Vec::new();
    let mut apis = Vec::new();
    for role in COLUMNS {
        pages.push(app.login_as(role).await);
        apis.push(app.api(role).await);
    }
    let mut mismatches = Vec::new();
    let mut missing_routes = Vec::new();
    let mut checked = 0;
    let mut n = 0;

    // Act and assert, cell by cell
    for row in &rows {
        let mut answered = false;
        for (r, role) in COLUMNS.into_iter().enumerate() {
            let slots: &[Slot] = if row.target() == Target::Nothing {
                &[Slot::InScope]
            } else {
                &Slot::ALL
            };
            for (slot, expected) in slots.iter().zip(&row.cells[r]) {
                let Some(expected) = *expected else { continue };
                n += 1;
                let c = case(&app, row, role, *slot, n).await;
                let write = row.method != Method::GET;
                let before = if write {
                    Some(app.snapshot().await)
                } else {
                    None
                };
                let resp = send(&pages[r], &apis[r], row, &c).await;
                let got = outcome(&resp);
                checked += 1;
                if !matches!(
                    resp.status,
                    StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED
                ) {
                    answered = true;
                }
                let cell = format!(
                    "{} {} as {role}, target {}{}",
                    row.method,
                    row.path,
                    slot.label(),
                    if c.what.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", c.what)
                    }
                );
                let want = if expected {
                    Outcome::Allowed
                } else {
                    Outcome::Denied
                };
                if got != want {
                    mismatches.push(format!(
                        "{cell}: expected {want:?}, got {} {:?} — {}",
                        resp.status,
                        got,
                        gist(&resp)
                    ));
                }
                if let Some(before) = before
                    && got != Outcome::Allowed
                    && app.snapshot().await != before
                {
                    mismatches.push(format!(
                        "{cell}: denied ({}) but the data changed",
                        resp.status
                    ));
                }
                if row.target() == Target::Org && got == Outcome::Allowed && *slot == Slot::OtherOrg
                {
                    // Back to the first organisation for the remaining cells.
                    let back = app.org_id.to_string();
                    pages[r]
                        .post_form("/org/switch", &[("org_id", &back)])
                        .await;
                }
            }
        }
        if !answered {
            missing_routes.push(format!("{} {}", row.method, row.path));
        }
    }

    // Assert
    let mut report = String::new();
    if !missing_routes.is_empty() {
        let _ = writeln!(
            report,
            "routes that answered 404/405 to every role and target (not implemented yet?):\n  {}",
            missing_routes.join("\n  ")
        );
    }
    if !mismatches.is_empty() {
        let _ = writeln!(
            report,
            "{} of {checked} permission cells are wrong:\n  {}",
            mismatches.len(),
            mismatches.join("\n  ")
        );
    }
    assert!(report.is_empty(), "{report}");
}

#[tokio::test]
async fn a_manager_lists_only_the_people_of_their_teams() {
    // Arrange
    let app = spawn_app().await;
    let manager = app.api(Role::Manager).await;

    // Act
    let resp = manager.get("/people").await;

    // Assert
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text);
    let mut ids: Vec<String> = resp
        .json()
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|p| p["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    ids.sort();
    assert_eq!(ids, [person::EAST_INBOUND, person::MANAGER, person::SELLER]);
}

#[tokio::test]
async fn a_coach_lists_only_the_teams_assigned_to_them() {
    let app = spawn_app().await;
    let coach = app.api(Role::Coach).await;

    let resp = coach.get("/teams").await;

    let names: Vec<String> = resp
        .json()
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|t| t["name"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(names, ["West"], "{}", resp.text);
}

#[tokio::test]
async fn the_people_page_of_a_coach_shows_only_their_teams_people() {
    let app = spawn_app().await;
    let coach = app.login_as(Role::Coach).await;

    let page = coach.get("/people").await;

    assert_eq!(page.status, StatusCode::OK, "GET /people as coach");
    for shown in ["Wes West", "Wendy West"] {
        assert!(
            page.text.contains(shown),
            "{shown} belongs to the coach's team West"
        );
    }
    for hidden in ["Sam Seller", "Eve Inbound", "Nora Noteam", "Gina North"] {
        assert!(
            !page.text.contains(hidden),
            "{hidden} is outside the coach's scope"
        );
    }
}

#[tokio::test]
async fn a_seller_sees_their_own_record_and_nobody_elses() {
    let app = spawn_app().await;
    let seller = app.api(Role::Seller).await;

    let own = seller.get(&format!("/people/{}", person::SELLER)).await;
    let colleague = seller
        .get(&format!("/people/{}", person::EAST_INBOUND))
        .await;
    let list = seller.get("/people").await;

    assert_eq!(own.status, StatusCode::OK, "{}", own.text);
    assert_eq!(own.json()["name"], "Sam Seller");
    assert_eq!(
        colleague.status,
        StatusCode::NOT_FOUND,
        "a colleague's record is not theirs"
    );
    assert_eq!(
        list.status,
        StatusCode::FORBIDDEN,
        "sellers do not list people"
    );
}

#[tokio::test]
async fn another_organisations_admin_sees_nothing_of_ours() {
    // Arrange: Globex's admin, with a token for Globex
    let app = spawn_app().await;
    let token = app.token_for(app.other_org_admin, app.other_org_id).await;
    let theirs = app.api_with_token(&token);

    // Act
    let people = theirs.get("/people").await;
    let teams = theirs.get("/teams").await;
    let ours = theirs.get(&format!("/people/{}", person::SELLER)).await;
    let our_team = theirs.get(&format!("/teams/{}", app.teams.east)).await;

    // Assert
    let ids: Vec<String> = people
        .json()
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|p| p["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        ids,
        [person::OTHER_ORG, person::OTHER_ORG_2],
        "{}",
        people.text
    );
    assert_eq!(teams.json().as_array().map(Vec::len), Some(1), "only North");
    assert_eq!(ours.status, StatusCode::NOT_FOUND);
    assert_eq!(our_team.status, StatusCode::NOT_FOUND);
}
