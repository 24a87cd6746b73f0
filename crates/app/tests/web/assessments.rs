//! Rating sheets (issue 3): "my assessments", the anchored rating form with drafts and
//! submit, the evidence rule, who may open which sheet, peer nominations, completion counts,
//! the reminder CSV and the ratings upload page.

use reqwest::StatusCode;
use sellerq_domain::assessment::{AssignmentStatus, CycleStatus, RaterRole};
use sellerq_domain::{PersonId, Role, default_model};
use serde_json::json;

use crate::cycles::cycle_with;
use crate::helpers::{TestApp, TestClient, TestResponse, person, spawn_app, upload_csv};

/// The default model's quality keys, in spectrum order.
fn keys() -> Vec<String> {
    default_model()
        .keys()
        .map(|k| k.as_str().to_owned())
        .collect()
}

/// A whole sheet at `score` with a note everywhere, plus `action`.
fn full_form(score: &str, action: &str) -> Vec<(String, String)> {
    let mut f: Vec<(String, String)> = keys()
        .into_iter()
        .flat_map(|k| {
            [
                (format!("score.{k}"), score.to_owned()),
                (format!("evidence.{k}"), format!("Seen in the {k} review")),
            ]
        })
        .collect();
    f.push(("action".into(), action.into()));
    f
}

async fn post(client: &TestClient, path: &str, form: &[(String, String)]) -> TestResponse {
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    client.post_form(path, &pairs).await
}

fn sheet_url(cycle: i64, subject: &str) -> String {
    format!("/assessments/{cycle}/{subject}")
}

async fn open_cycle(app: &TestApp, roles: &str, people: &[&str]) -> i64 {
    cycle_with(app, app.org_id, "2026-H1", roles, people, CycleStatus::Open)
        .await
        .id
}

#[tokio::test]
async fn a_seller_finds_their_self_assessment_with_anchored_levels() {
    // Arrange
    let app = spawn_app().await;
    let c = open_cycle(&app, "self,manager", &[person::SELLER]).await;
    let seller = app.login_as(Role::Seller).await;

    // Act
    let list = seller.get("/assessments").await;
    let form = seller.get(&sheet_url(c, person::SELLER)).await;

    // Assert
    assert_eq!(list.status, StatusCode::OK);
    assert!(
        list.text.contains("Yourself (self-assessment)"),
        "{}",
        list.text
    );
    assert!(list.text.contains("0/8"), "progress n/8");
    assert_eq!(form.status, StatusCode::OK, "{}", form.text);
    let model = default_model();
    let first = model
        .qualities
        .iter()
        .min_by_key(|q| q.position)
        .expect("a quality");
    assert!(
        form.text
            .contains(&format!("<legend>{}</legend>", first.name))
    );
    let anchor = first.anchor(5).expect("an anchor for level 5");
    let plain: String = anchor
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == ' ')
        .collect();
    assert!(
        plain.len() > 10 && form.text.contains(&plain),
        "the anchor text is visible beside its radio: {plain:?}"
    );
    assert!(form.text.contains("Not observed"));
    assert!(
        form.text.contains("name=\"action\" value=\"draft\"")
            && form.text.contains("name=\"action\" value=\"submit\"")
    );
    let positions: Vec<usize> = model
        .qualities
        .iter()
        .map(|q| {
            form.text
                .find(&format!("<legend>{}</legend>", q.name))
                .expect("every quality")
        })
        .collect();
    let mut in_spectrum: Vec<(u8, usize)> = model
        .qualities
        .iter()
        .map(|q| q.position)
        .zip(positions)
        .collect();
    in_spectrum.sort();
    assert!(
        in_spectrum.windows(2).all(|w| w[0].1 < w[1].1),
        "qualities in spectrum order"
    );
}

#[tokio::test]
async fn a_draft_is_kept_then_submitted_and_then_read_only() {
    // Arrange
    let app = spawn_app().await;
    let c = open_cycle(&app, "self,manager", &[person::SELLER]).await;
    let seller = app.login_as(Role::Seller).await;
    let url = sheet_url(c, person::SELLER);
    let k = keys();

    // Act: a partial draft
    let draft = post(
        &seller,
        &url,
        &[
            (format!("score.{}", k[0]), "3".into()),
            (
                format!("evidence.{}", k[0]),
                "Keeps going after a lost deal".into(),
            ),
            (format!("score.{}", k[1]), "na".into()),
            ("action".into(), "draft".into()),
        ],
    )
    .await;
    let reopened = seller.get(&url).await;
    let submitted = post(&seller, &url, &full_form("4", "submit")).await;
    let after = seller.get(&url).await;
    let again = post(&seller, &url, &full_form("2", "draft")).await;
    let list = seller.get("/assessments").await;

    // Assert
    assert!(
        draft.status.is_redirection(),
        "{} {}",
        draft.status,
        draft.text
    );
    assert!(
        reopened.text.contains(&format!(
            "id=\"score-{}-3\" name=\"score.{}\" value=\"3\" checked",
            k[0], k[0]
        )),
        "the draft's level is chosen again"
    );
    assert!(
        reopened.text.contains(&format!(
            "id=\"score-{}-na\" name=\"score.{}\" value=\"na\" checked",
            k[1], k[1]
        )),
        "not observed is kept"
    );
    assert!(reopened.text.contains("Keeps going after a lost deal"));
    assert!(
        submitted.status.is_redirection(),
        "{} {}",
        submitted.status,
        submitted.text
    );
    assert!(
        after.text.contains("it is final"),
        "a submitted sheet says so"
    );
    assert!(
        !after.text.contains("type=\"radio\""),
        "a submitted sheet is read only"
    );
    assert_eq!(
        again.status,
        StatusCode::CONFLICT,
        "a submitted sheet refuses changes"
    );
    assert!(list.text.contains("submitted") && list.text.contains("8/8"));
}

#[tokio::test]
async fn evidence_is_required_at_either_end_of_the_scale_and_values_are_kept() {
    // Arrange
    let app = spawn_app().await;
    let c = open_cycle(&app, "self,manager", &[person::SELLER]).await;
    let seller = app.login_as(Role::Seller).await;
    let url = sheet_url(c, person::SELLER);
    let k = keys();
    let mut form = full_form("3", "submit");
    for (name, value) in &mut form {
        if *name == format!("score.{}", k[2]) {
            *value = "5".into();
        }
        if *name == format!("evidence.{}", k[2]) {
            value.clear();
        }
    }

    // Act
    let resp = post(&seller, &url, &form).await;
    let draft = post(&seller, &url, &{
        let mut f = form.clone();
        f.retain(|(n, _)| n != "action");
        f.push(("action".into(), "draft".into()));
        f
    })
    .await;

    // Assert
    assert_eq!(
        resp.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        resp.text
    );
    assert!(
        resp.text
            .contains(&format!("id=\"evidence-{}-error\"", k[2])),
        "the message sits beside the evidence field"
    );
    assert!(
        resp.text.contains(&format!(
            "id=\"score-{}-5\" name=\"score.{}\" value=\"5\" checked",
            k[2], k[2]
        )),
        "the chosen level is kept"
    );
    assert!(
        resp.text.contains(&format!("Seen in the {} review", k[0])),
        "other notes are kept"
    );
    assert!(
        draft.status.is_redirection(),
        "a draft may leave the note for later: {}",
        draft.text
    );
    let sheet = app
        .store
        .rating_sheet(
            app.org_id,
            c,
            &PersonId::parse(person::SELLER).unwrap(),
            &PersonId::parse(person::SELLER).unwrap(),
        )
        .await
        .expect("store")
        .expect("sheet");
    assert_eq!(sheet.state.as_str(), "draft");
}

#[tokio::test]
async fn a_closed_cycle_refuses_a_sheet_save() {
    // Arrange
    let app = spawn_app().await;
    let c = open_cycle(&app, "self,manager", &[person::SELLER]).await;
    let seller = app.login_as(Role::Seller).await;
    let api = app.api(Role::Seller).await;
    app.store
        .set_cycle_status(
            app.org_id,
            c,
            CycleStatus::Closed,
            &sellerq_store::Actor::system("test"),
        )
        .await
        .expect("closes");

    // Act
    let page = post(
        &seller,
        &sheet_url(c, person::SELLER),
        &full_form("3", "draft"),
    )
    .await;
    let via_api = api
        .put(&sheet_url(c, person::SELLER), &json!({"submit": false, "ratings": [{"quality": keys()[0], "score": 3, "evidence": ""}]}))
        .await;
    let view = seller.get(&sheet_url(c, person::SELLER)).await;

    // Assert
    assert_eq!(page.status, StatusCode::CONFLICT, "{}", page.text);
    assert_eq!(via_api.status, StatusCode::CONFLICT, "{}", via_api.text);
    assert!(
        view.text.contains("closed"),
        "the sheet says why it is read only"
    );
    assert!(!view.text.contains("type=\"radio\""));
}

#[tokio::test]
async fn nobody_opens_a_sheet_that_is_not_theirs_and_a_seller_never_sees_others_ratings() {
    // Arrange: the manager drafts a note on Sam; Eve is rated by the manager too
    let app = spawn_app().await;
    let c = open_cycle(
        &app,
        "self,manager",
        &[person::SELLER, person::EAST_INBOUND],
    )
    .await;
    let manager = app.login_as(Role::Manager).await;
    let secret = "MANAGER-ONLY-NOTE-7";
    let saved = post(
        &manager,
        &sheet_url(c, person::SELLER),
        &[
            (format!("score.{}", keys()[0]), "2".into()),
            (format!("evidence.{}", keys()[0]), secret.into()),
            ("action".into(), "draft".into()),
        ],
    )
    .await;
    let seller = app.login_as(Role::Seller).await;
    let seller_api = app.api(Role::Seller).await;
    let coach = app.login_as(Role::Coach).await;

    // Act
    let own = seller.get(&sheet_url(c, person::SELLER)).await;
    let colleague = seller.get(&sheet_url(c, person::EAST_INBOUND)).await;
    let colleague_api = seller_api.get(&sheet_url(c, person::EAST_INBOUND)).await;
    let write_colleague = post(
        &seller,
        &sheet_url(c, person::EAST_INBOUND),
        &full_form("1", "draft"),
    )
    .await;
    let not_a_rater = coach.get(&sheet_url(c, person::SELLER)).await;
    let cycles = seller.get(&format!("/cycles/{c}")).await;

    // Assert
    assert!(saved.status.is_redirection(), "{}", saved.text);
    assert_eq!(own.status, StatusCode::OK, "their own self-assessment");
    assert!(
        !own.text.contains(secret),
        "the manager's note never shows on the seller's sheet"
    );
    assert!(!own.text.contains("Mia Manager</"), "no rater named");
    assert_eq!(colleague.status, StatusCode::NOT_FOUND);
    assert_eq!(colleague_api.status, StatusCode::NOT_FOUND);
    assert_eq!(write_colleague.status, StatusCode::NOT_FOUND);
    assert_eq!(not_a_rater.status, StatusCode::NOT_FOUND);
    assert_eq!(
        cycles.status,
        StatusCode::FORBIDDEN,
        "sellers see no cycle pages"
    );
}

#[tokio::test]
async fn the_api_saves_a_draft_then_submits_and_names_every_bad_field() {
    // Arrange
    let app = spawn_app().await;
    let c = open_cycle(&app, "self,manager", &[person::SELLER]).await;
    let api = app.api(Role::Seller).await;
    let url = sheet_url(c, person::SELLER);
    let k = keys();

    // Act
    let mine = api.get("/assessments").await;
    let draft = api
        .put(
            &url,
            &json!({"ratings": [{"quality": k[0], "score": 5, "evidence": ""}]}),
        )
        .await;
    let bad = api
        .put(&url, &json!({"submit": true, "ratings": [{"quality": k[0], "score": 5, "evidence": ""}, {"quality": "charisma", "score": 3}]}))
        .await;
    let unknown = api.put(&url, &json!({"ratings": [], "final": true})).await;
    let all: Vec<_> = k
        .iter()
        .map(|q| json!({"quality": q, "score": null, "evidence": ""}))
        .collect();
    let submit = api
        .put(&url, &json!({"submit": true, "ratings": all}))
        .await;

    // Assert
    assert_eq!(mine.json()[0]["role"], "self", "{}", mine.text);
    assert_eq!(draft.status, StatusCode::OK, "{}", draft.text);
    assert_eq!(draft.json()["state"], "draft");
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> = bad.json()["error"]["fields"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|f| f["field"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    for want in [
        format!("evidence.{}", k[0]),
        "score.charisma".into(),
        format!("score.{}", k[1]),
    ] {
        assert!(fields.contains(&want), "{want} is named: {}", bad.text);
    }
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(unknown.error_field().as_deref(), Some("final"));
    assert_eq!(submit.status, StatusCode::OK, "{}", submit.text);
    assert_eq!(submit.json()["state"], "submitted");
    assert_eq!(submit.json()["read_only"], true);
}

#[tokio::test]
async fn a_manager_approves_a_peer_the_seller_nominated() {
    // Arrange
    let app = spawn_app().await;
    let c = open_cycle(&app, "self,manager,peer", &[person::SELLER]).await;
    let seller = app.login_as(Role::Seller).await;
    let manager = app.login_as(Role::Manager).await;

    // Act
    let nominated = seller
        .post_form(
            "/assessments/nominations",
            &[("cycle", &c.to_string()), ("peer", person::EAST_INBOUND)],
        )
        .await;
    let via_api = app
        .api(Role::Seller)
        .await
        .post(
            "/assessments/nominations",
            &json!({"cycle_id": c, "peer": "wes@nowhere.test"}),
        )
        .await;
    let already_a_rater = seller
        .post_form(
            "/assessments/nominations",
            &[("cycle", &c.to_string()), ("peer", person::MANAGER)],
        )
        .await;
    let pending = seller.get("/assessments").await;
    let cycle_page = manager.get(&format!("/cycles/{c}")).await;
    let approved = manager
        .post_form(
            &format!("/cycles/{c}/raters/status"),
            &[
                ("subject", person::SELLER),
                ("rater", person::EAST_INBOUND),
                ("status", "approved"),
            ],
        )
        .await;
    let after = seller.get("/assessments").await;

    // Assert
    assert!(
        nominated.status.is_redirection(),
        "{} {}",
        nominated.status,
        nominated.text
    );
    assert_eq!(
        via_api.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "an unknown colleague: {}",
        via_api.text
    );
    assert_eq!(
        already_a_rater.status, nominated.status,
        "nominating someone who already rates them answers like any nomination"
    );
    assert!(
        pending.text.contains("Waiting for a decision: Eve Inbound"),
        "{}",
        pending.text
    );
    assert!(cycle_page.text.contains("nominated") && cycle_page.text.contains("Approve"));
    assert!(approved.status.is_redirection(), "{}", approved.text);
    let assignments = app
        .store
        .assignments(
            app.org_id,
            c,
            Some(&PersonId::parse(person::SELLER).unwrap()),
        )
        .await
        .expect("store");
    let peer = assignments
        .iter()
        .find(|a| a.role == RaterRole::Peer)
        .expect("the peer assignment");
    assert_eq!(peer.status, AssignmentStatus::Approved);
    assert!(
        !after.text.contains("Eve Inbound"),
        "once decided, the seller no longer sees who rates them"
    );
}

#[tokio::test]
async fn completion_counts_submitted_outstanding_and_overdue_sheets() {
    // Arrange: two subjects × (self + manager) = 4 sheets; Sam submits his
    let app = spawn_app().await;
    let c = open_cycle(
        &app,
        "self,manager",
        &[person::SELLER, person::EAST_INBOUND],
    )
    .await;
    let seller = app.login_as(Role::Seller).await;
    let done = post(
        &seller,
        &sheet_url(c, person::SELLER),
        &full_form("3", "submit"),
    )
    .await;
    assert!(done.status.is_redirection(), "{}", done.text);
    let admin = app.api(Role::Admin).await;

    // Act
    let before_due = admin.get(&format!("/cycles/{c}/completion")).await;
    let put = admin
        .put(&format!("/cycles/{c}"), &json!({"name": "2026-H1", "due_date": "2020-01-31", "rater_roles": ["self", "manager"]}))
        .await;
    let past_due = admin.get(&format!("/cycles/{c}/completion")).await;
    let page = app
        .login_as(Role::Admin)
        .await
        .get(&format!("/cycles/{c}/completion"))
        .await;

    // Assert
    let t = &before_due.json()["totals"];
    assert_eq!(
        (
            t["assigned"].as_u64(),
            t["submitted"].as_u64(),
            t["outstanding"].as_u64(),
            t["overdue"].as_u64()
        ),
        (Some(4), Some(1), Some(3), Some(0)),
        "{}",
        before_due.text
    );
    assert_eq!(put.status, StatusCode::OK, "{}", put.text);
    let t = &past_due.json()["totals"];
    assert_eq!(
        (t["outstanding"].as_u64(), t["overdue"].as_u64()),
        (Some(0), Some(3))
    );
    let mia = past_due.json()["raters"]
        .as_array()
        .and_then(|a| a.iter().find(|r| r["id"] == person::MANAGER).cloned())
        .expect("the manager rates both");
    assert_eq!(mia["counts"]["overdue"], 2);
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text.contains("Per rater")
            && page.text.contains("Per subject")
            && page.text.contains("class=\"progress\"")
    );
}

#[tokio::test]
async fn the_outstanding_csv_lists_the_raters_still_to_submit() {
    let app = spawn_app().await;
    let c = open_cycle(&app, "self,manager", &[person::SELLER]).await;
    let seller = app.login_as(Role::Seller).await;
    post(
        &seller,
        &sheet_url(c, person::SELLER),
        &full_form("3", "submit"),
    )
    .await;
    let manager = app.login_as(Role::Manager).await;

    let csv = manager
        .get(&format!("/cycles/{c}/completion/outstanding.csv"))
        .await;

    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.header("content-type")
            .unwrap_or_default()
            .starts_with("text/csv")
    );
    let lines: Vec<&str> = csv.text.lines().collect();
    assert_eq!(
        lines[0],
        "rater,name,email,outstanding,overdue,in_draft,due_date"
    );
    assert_eq!(
        lines[1..],
        ["p-mia,Mia Manager,manager@acme.test,1,0,0,"],
        "only the manager still owes a sheet"
    );
}

#[tokio::test]
async fn an_upload_with_one_bad_row_writes_nothing_and_lists_the_row() {
    // Arrange
    let app = spawn_app().await;
    let admin = app.login_as(Role::Admin).await;
    let csrf = admin.csrf.clone().expect("a session token");
    let file = "cycle,subject,rater,role,quality,score,evidence\n\
                2026-H1,p-sam,p-mia,manager,belief,4,\n\
                2026-H1,p-sam,p-mia,manager,humility,9,\n\
                2026-H1,p-sam,p-mia,manager,ownership,3,\n";

    // Act
    let bad = upload_csv(&admin, "ratings", "q1-ratings.csv", file, Some(&csrf)).await;
    let cycle_after_bad = app
        .store
        .cycle_by_name(app.org_id, "2026-H1")
        .await
        .expect("store");
    let good = upload_csv(
        &admin,
        "ratings",
        "q1-ratings.csv",
        &file.replace(",9,", ",5,"),
        Some(&csrf),
    )
    .await;
    let forged = upload_csv(&admin, "ratings", "x.csv", file, None).await;
    let leader = app.login_as(Role::Leader).await;
    let leader_csrf = leader.csrf.clone().expect("a session token");
    let by_leader = upload_csv(
        &leader,
        "people",
        "people.csv",
        "id,name\np-new,New Person\n",
        Some(&leader_csrf),
    )
    .await;

    // Assert
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.text);
    assert!(
        bad.text.contains("q1-ratings.csv:3: score:"),
        "the row is listed as file:line: column: problem: {}",
        bad.text
    );
    assert!(bad.text.contains("nothing was imported"));
    assert!(
        cycle_after_bad.is_none(),
        "nothing written, not even the cycle"
    );
    assert_eq!(good.status, StatusCode::OK, "{}", good.text);
    assert!(good.text.contains("3 ratings imported"), "{}", good.text);
    assert_eq!(
        forged.status,
        StatusCode::FORBIDDEN,
        "no CSRF token, no import"
    );
    assert_eq!(
        by_leader.status,
        StatusCode::FORBIDDEN,
        "imports are the admin's"
    );
    assert!(app.person("p-new").await.is_none());
}

#[tokio::test]
async fn a_people_upload_reports_its_summary() {
    let app = spawn_app().await;
    let admin = app.login_as(Role::Admin).await;
    let csrf = admin.csrf.clone().expect("a session token");

    let resp = upload_csv(
        &admin,
        "people",
        "people.csv",
        "id,name,team\np-new,New Person,Central\n",
        Some(&csrf),
    )
    .await;

    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text);
    assert!(
        resp.text
            .contains("1 people created, 0 updated, 1 teams created"),
        "{}",
        resp.text
    );
    assert!(app.person("p-new").await.is_some());
}
