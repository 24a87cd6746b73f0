//! The team, people and model pages through a real server: lists, filters, forms that keep
//! their values and name each bad field, the redirect after a save, scope (404 outside it),
//! and the spectrum chart.

use reqwest::StatusCode;
use sellerq_domain::Role;

use crate::helpers::{TestApp, TestClient, TestResponse, person, spawn_app};

/// The people.csv columns a person form posts, with `overrides` applied.
fn person_form<'a>(overrides: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut fields: Vec<(&str, &str)> = [
        "id",
        "name",
        "email",
        "team",
        "manager",
        "hire_date",
        "years_experience",
        "quota_track_record",
        "tenure_years",
        "vip_connections",
        "domain_expertise",
    ]
    .into_iter()
    .map(|k| (k, ""))
    .collect();
    for (k, v) in overrides {
        match fields.iter_mut().find(|(name, _)| name == k) {
            Some(slot) => slot.1 = v,
            None => fields.push((k, v)),
        }
    }
    fields
}

/// Sam Seller's current record as form fields, with `overrides` applied.
fn sam_form<'a>(overrides: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut all = vec![
        ("id", person::SELLER),
        ("name", "Sam Seller"),
        ("email", "seller@acme.test"),
        ("team", "East"),
        ("manager", person::MANAGER),
        ("hire_date", "2022-03-01"),
        ("years_experience", "4.5"),
        ("quota_track_record", "0.92"),
        ("tenure_years", "2"),
        ("vip_connections", "6"),
        ("domain_expertise", "3"),
    ];
    all.extend_from_slice(overrides);
    person_form(&all)
}

/// The `<input>` or `<select>` tag whose `id` is `id`.
fn control<'a>(html: &'a str, id: &str) -> Option<&'a str> {
    let at = html
        .find(&format!("<input id=\"{id}\""))
        .or_else(|| html.find(&format!("<select id=\"{id}\"")))?;
    let end = html[at..].find('>')? + at;
    Some(&html[at..=end])
}

/// The `data-key`s of the spectrum chart's marks, in document order.
fn mark_keys(html: &str) -> Vec<String> {
    html.split("<circle class=\"quality-mark")
        .skip(1)
        .filter_map(|m| {
            m.split("data-key=\"")
                .nth(1)?
                .split('"')
                .next()
                .map(str::to_owned)
        })
        .collect()
}

fn assert_status(resp: &TestResponse, status: StatusCode, what: &str) {
    assert_eq!(resp.status, status, "{what}: {}", resp.text);
}

async fn admin(app: &TestApp) -> TestClient {
    app.login_as(Role::Admin).await
}

// --- teams -------------------------------------------------------------------------------

#[tokio::test]
async fn the_team_list_shows_parent_manager_and_head_count() {
    let app = spawn_app().await;
    let admin = admin(&app).await;

    let page = admin.get("/teams").await;

    assert_status(&page, StatusCode::OK, "GET /teams");
    for text in [
        "East Inbound",
        "West",
        "Mia Manager",
        "href=\"/teams/new\"",
        "3 teams",
    ] {
        assert!(page.text.contains(text), "the team list shows {text:?}");
    }
    assert!(
        page.text
            .contains(&format!("href=\"/teams/{}\"", app.teams.east))
    );
    assert!(
        page.text.contains("<td class=\"num\">2</td>"),
        "East has two people"
    );
}

#[tokio::test]
async fn a_manager_lists_only_their_teams_and_cannot_create_one() {
    let app = spawn_app().await;
    let manager = app.login_as(Role::Manager).await;

    let page = manager.get("/teams").await;
    let form = manager.get("/teams/new").await;

    assert_status(&page, StatusCode::OK, "GET /teams as manager");
    assert!(page.text.contains("East Inbound"));
    assert!(!page.text.contains(">West<"), "West is not the manager's");
    assert!(
        !page.text.contains("href=\"/teams/new\""),
        "no New team button for a manager"
    );
    assert_status(&form, StatusCode::FORBIDDEN, "GET /teams/new as manager");
}

#[tokio::test]
async fn a_team_page_shows_its_sub_teams_members_and_a_link_to_its_people() {
    let app = spawn_app().await;
    let manager = app.login_as(Role::Manager).await;

    let page = manager.get(&format!("/teams/{}", app.teams.east)).await;

    assert_status(&page, StatusCode::OK, "GET /teams/east");
    assert!(
        page.text
            .contains(&format!("href=\"/teams/{}\"", app.teams.east_inbound))
    );
    assert!(
        page.text.contains("href=\"/people/p-sam\""),
        "Sam is a member"
    );
    assert!(
        page.text.contains("92 %"),
        "Sam's quota track record, as a percentage"
    );
    assert!(
        page.text
            .contains(&format!("href=\"/people?team={}\"", app.teams.east))
    );
    assert!(
        !page.text.contains("/delete"),
        "a manager does not manage teams"
    );
}

#[tokio::test]
async fn an_admin_creates_edits_and_deletes_a_team() {
    let app = spawn_app().await;
    let admin = admin(&app).await;
    let east = app.teams.east.to_string();

    // Create.
    let created = admin
        .post_form(
            "/teams",
            &[
                ("name", "East Enterprise"),
                ("parent_id", &east),
                ("manager", person::MANAGER),
                ("description", "Accounts over 5,000 seats."),
            ],
        )
        .await;
    assert_status(&created, StatusCode::SEE_OTHER, "POST /teams");
    let team = app
        .team_named("East Enterprise")
        .await
        .expect("the team was created");
    assert_eq!(team.parent_id, Some(app.teams.east));
    assert_eq!(
        team.manager.as_ref().map(|m| m.as_str()),
        Some(person::MANAGER)
    );
    let href = format!("/teams/{}", team.id);
    assert_eq!(created.location(), Some(format!("{href}?saved=1").as_str()));
    let shown = admin.get(&format!("{href}?saved=1")).await;
    assert!(shown.text.contains("Saved.") && shown.text.contains("Accounts over 5,000 seats."));

    // Edit: the form starts with the stored values.
    let form = admin.get(&format!("{href}/edit")).await;
    assert_status(&form, StatusCode::OK, "GET edit");
    assert!(control(&form.text, "name").is_some_and(|t| t.contains("value=\"East Enterprise\"")));
    assert!(
        form.text
            .contains(&format!("<option value=\"{east}\" selected>East</option>"))
    );
    let updated = admin
        .post_form(
            &href,
            &[
                ("name", "Enterprise"),
                ("parent_id", ""),
                ("manager", ""),
                ("description", ""),
            ],
        )
        .await;
    assert_status(&updated, StatusCode::SEE_OTHER, "POST /teams/{id}");
    let team = app.team_named("Enterprise").await.expect("renamed");
    assert_eq!((team.parent_id, team.manager), (None, None));

    // Delete.
    let deleted = admin.post_form(&format!("{href}/delete"), &[]).await;
    assert_status(&deleted, StatusCode::SEE_OTHER, "POST delete");
    assert_eq!(deleted.location(), Some("/teams?deleted=1"));
    assert!(app.team_named("Enterprise").await.is_none());
    assert_status(
        &admin.get(&href).await,
        StatusCode::NOT_FOUND,
        "the deleted team",
    );
}

#[tokio::test]
async fn a_team_form_with_problems_comes_back_with_each_message_and_the_values_entered() {
    let app = spawn_app().await;
    let admin = admin(&app).await;

    let taken = admin
        .post_form(
            "/teams",
            &[
                ("name", "West"),
                ("parent_id", ""),
                ("manager", ""),
                ("description", "Keep me"),
            ],
        )
        .await;
    let blank = admin
        .post_form(
            "/teams",
            &[
                ("name", "  "),
                ("parent_id", "nope"),
                ("manager", ""),
                ("description", ""),
            ],
        )
        .await;

    assert_status(&taken, StatusCode::UNPROCESSABLE_ENTITY, "a taken name");
    assert!(taken.text.contains("<p class=\"error\" id=\"name-error\">"));
    assert!(taken.text.contains("already exists"));
    let name = control(&taken.text, "name").unwrap_or_default();
    assert!(name.contains("value=\"West\"") && name.contains("aria-invalid=\"true\""));
    assert!(
        name.contains("name-error"),
        "aria-describedby points at the message: {name}"
    );
    assert!(
        taken.text.contains(">Keep me</textarea>"),
        "the description is kept"
    );
    assert_status(&blank, StatusCode::UNPROCESSABLE_ENTITY, "a blank name");
    assert!(
        blank.text.contains("id=\"name-error\"") && blank.text.contains("id=\"parent_id-error\"")
    );
    assert!(app.team_named("").await.is_none());
}

#[tokio::test]
async fn a_team_that_still_has_people_is_not_deleted_and_the_page_says_why() {
    let app = spawn_app().await;
    let admin = admin(&app).await;

    let resp = admin
        .post_form(&format!("/teams/{}/delete", app.teams.west), &[])
        .await;

    assert_status(&resp, StatusCode::CONFLICT, "deleting West");
    assert!(resp.text.contains("role=\"alert\"") && resp.text.contains("move them first"));
    assert!(app.team_named("West").await.is_some());
}

#[tokio::test]
async fn teams_out_of_scope_of_another_organisation_or_malformed_are_not_found() {
    let app = spawn_app().await;
    let manager = app.login_as(Role::Manager).await;
    let admin = admin(&app).await;

    for (client, path) in [
        (&manager, format!("/teams/{}", app.teams.west)),
        (&admin, format!("/teams/{}", app.teams.north)),
        (&admin, "/teams/not-a-number".to_owned()),
        (&admin, "/teams/99999999999999999999999".to_owned()),
    ] {
        assert_status(&client.get(&path).await, StatusCode::NOT_FOUND, &path);
    }
}

// --- people ------------------------------------------------------------------------------

#[tokio::test]
async fn the_people_list_searches_names_ids_and_e_mails() {
    let app = spawn_app().await;
    let admin = admin(&app).await;

    let all = admin.get("/people").await;
    let by_name = admin.get("/people?q=WES&team=").await;
    let by_mail = admin.get("/people?q=seller%40acme").await;
    let nobody = admin.get("/people?q=zzz").await;

    assert_status(&all, StatusCode::OK, "GET /people");
    assert!(
        all.text.contains("6 people."),
        "every seeded person of Acme"
    );
    assert!(
        !all.text.contains("Gina North"),
        "nothing of the other organisation"
    );
    assert!(by_name.text.contains("Wes West") && !by_name.text.contains("Sam Seller"));
    assert!(
        by_name.text.contains("value=\"WES\""),
        "the search box keeps the query"
    );
    assert!(by_mail.text.contains("Sam Seller") && by_mail.text.contains("1 person matches"));
    assert!(nobody.text.contains("Nobody matches"));
}

#[tokio::test]
async fn the_team_filter_shows_only_that_team() {
    let app = spawn_app().await;
    let admin = admin(&app).await;
    let west = app.teams.west;

    let page = admin.get(&format!("/people?team={west}")).await;
    let garbage = admin.get("/people?team=abc").await;

    assert_status(&page, StatusCode::OK, "team filter");
    assert!(page.text.contains("Wes West") && page.text.contains("Wendy West"));
    assert!(!page.text.contains("Sam Seller"));
    assert!(page.text.contains("2 people match your filter"));
    assert!(
        page.text
            .contains(&format!("<option value=\"{west}\" selected>West</option>"))
    );
    assert_status(&garbage, StatusCode::OK, "an unreadable filter is ignored");
}

#[tokio::test]
async fn the_people_table_links_each_name_and_right_aligns_the_indicators() {
    let app = spawn_app().await;
    let admin = admin(&app).await;

    let page = admin.get("/people?q=sam").await;

    assert!(
        page.text
            .contains("<a href=\"/people/p-sam\">Sam Seller</a>")
    );
    assert!(page.text.contains("<td class=\"num\">92 %</td>"));
    assert!(page.text.contains("<td class=\"num\">4.5</td>"));
    assert!(
        page.text.contains("href=\"/people/p-mia\">Mia Manager</a>"),
        "the manager links"
    );
}

#[tokio::test]
async fn a_person_page_shows_the_record_indicators_with_help_and_reports() {
    let app = spawn_app().await;
    let admin = admin(&app).await;

    let mia = admin.get(&format!("/people/{}", person::MANAGER)).await;
    let sam = admin.get(&format!("/people/{}", person::SELLER)).await;

    assert_status(&sam, StatusCode::OK, "GET /people/p-sam");
    assert!(
        sam.text.contains("Total years in sales."),
        "each indicator explains itself"
    );
    assert!(
        sam.text
            .contains(&format!("href=\"/teams/{}\"", app.teams.east))
    );
    assert!(sam.text.contains("href=\"/people/p-mia\">Mia Manager</a>"));
    assert!(sam.text.contains("/people/p-sam/edit") && sam.text.contains("/people/p-sam/delete"));
    assert!(
        mia.text.contains("href=\"/people/p-sam\">Sam Seller</a>"),
        "Mia's reports"
    );
    assert!(mia.text.contains("href=\"/people/p-eve\">Eve Inbound</a>"));
}

#[tokio::test]
async fn an_invalid_edit_comes_back_422_with_the_message_and_a_valid_one_is_saved() {
    let app = spawn_app().await;
    let manager = app.login_as(Role::Manager).await;
    let path = format!("/people/{}", person::SELLER);

    let form = manager.get(&format!("{path}/edit")).await;
    assert_status(&form, StatusCode::OK, "GET edit");
    let tenure = control(&form.text, "tenure_years").unwrap_or_default();
    assert!(
        tenure.contains("value=\"2\"") && tenure.contains("inputmode=\"decimal\""),
        "{tenure}"
    );

    let bad = manager
        .post_form(
            &path,
            &sam_form(&[("tenure_years", "-3"), ("name", "Sam S.")]),
        )
        .await;

    assert_status(&bad, StatusCode::UNPROCESSABLE_ENTITY, "tenure -3");
    assert!(
        bad.text
            .contains("<p class=\"error\" id=\"tenure_years-error\">must be at least 0</p>")
    );
    let input = control(&bad.text, "tenure_years").unwrap_or_default();
    assert!(
        input.contains("value=\"-3\""),
        "the entered value is kept: {input}"
    );
    assert!(input.contains("aria-invalid=\"true\""));
    assert!(input.contains("aria-describedby=\"tenure_years-hint tenure_years-error\""));
    assert!(control(&bad.text, "name").is_some_and(|t| t.contains("value=\"Sam S.\"")));
    assert!(
        bad.text.contains("href=\"#tenure_years\""),
        "the summary links to the input"
    );
    assert_eq!(
        app.person(person::SELLER)
            .await
            .and_then(|p| p.tenure_years),
        Some(2.0)
    );

    let good = manager
        .post_form(&path, &sam_form(&[("tenure_years", "3.5")]))
        .await;

    assert_status(&good, StatusCode::SEE_OTHER, "tenure 3.5");
    assert_eq!(good.location(), Some("/people/p-sam?saved=1"));
    assert_eq!(
        app.person(person::SELLER)
            .await
            .and_then(|p| p.tenure_years),
        Some(3.5)
    );
    let shown = manager.get("/people/p-sam?saved=1").await;
    assert!(shown.text.contains("Saved.") && shown.text.contains("3.5"));
}

#[tokio::test]
async fn every_bad_field_of_a_new_person_is_named_and_a_taken_id_is_refused() {
    let app = spawn_app().await;
    let admin = admin(&app).await;

    let bad = admin
        .post_form(
            "/people",
            &person_form(&[
                ("id", "p-new"),
                ("name", "New Person"),
                ("email", "not-an-address"),
                ("hire_date", "2024-13-01"),
                ("domain_expertise", "7"),
                ("years_experience", "ten"),
            ]),
        )
        .await;
    let taken = admin
        .post_form(
            "/people",
            &person_form(&[("id", person::WEST), ("name", "Someone Else")]),
        )
        .await;

    assert_status(&bad, StatusCode::UNPROCESSABLE_ENTITY, "bad fields");
    for field in ["email", "hire_date", "domain_expertise", "years_experience"] {
        assert!(
            bad.text.contains(&format!("id=\"{field}-error\"")),
            "{field} has its message"
        );
    }
    assert!(control(&bad.text, "years_experience").is_some_and(|t| t.contains("value=\"ten\"")));
    assert!(app.person("p-new").await.is_none(), "nothing was written");
    assert_status(&taken, StatusCode::UNPROCESSABLE_ENTITY, "a taken id");
    assert!(taken.text.contains("id=\"id-error\""));
    assert_eq!(
        app.person(person::WEST).await.map(|p| p.name).as_deref(),
        Some("Wes West")
    );
}

#[tokio::test]
async fn an_admin_adds_a_person_whose_id_needs_escaping_and_then_deletes_them() {
    let app = spawn_app().await;
    let admin = admin(&app).await;

    let created = admin
        .post_form(
            "/people",
            &person_form(&[
                ("id", "ana ruiz@x.co"),
                ("name", "<b>Ana</b> Ruiz"),
                ("team", "West"),
            ]),
        )
        .await;

    assert_status(&created, StatusCode::SEE_OTHER, "POST /people");
    assert_eq!(
        created.location(),
        Some("/people/ana%20ruiz%40x.co?saved=1")
    );
    let page = admin.get("/people/ana%20ruiz%40x.co").await;
    assert_status(&page, StatusCode::OK, "the new person's page");
    assert!(
        page.text.contains("Ana") && !page.text.contains("<b>Ana"),
        "the name is escaped"
    );
    let list = admin.get(&format!("/people?team={}", app.teams.west)).await;
    assert!(list.text.contains("href=\"/people/ana%20ruiz%40x.co\""));

    let deleted = admin
        .post_form("/people/ana%20ruiz%40x.co/delete", &[])
        .await;

    assert_status(&deleted, StatusCode::SEE_OTHER, "delete");
    assert_eq!(deleted.location(), Some("/people?deleted=1"));
    assert!(app.person("ana ruiz@x.co").await.is_none());
}

#[tokio::test]
async fn a_person_whose_id_is_new_has_a_page_apart_from_the_new_person_form() {
    let app = spawn_app().await;
    let admin = admin(&app).await;

    let created = admin
        .post_form(
            "/people",
            &person_form(&[("id", "new"), ("name", "Nova Newman"), ("team", "West")]),
        )
        .await;

    assert_status(&created, StatusCode::SEE_OTHER, "POST /people");
    assert_eq!(created.location(), Some("/people/%6Eew?saved=1"));
    let page = admin.get("/people/%6Eew").await;
    assert_status(&page, StatusCode::OK, "the person's page");
    assert!(page.text.contains("Nova Newman"), "{}", page.text);
    let list = admin.get(&format!("/people?team={}", app.teams.west)).await;
    assert!(list.text.contains("href=\"/people/%6Eew\""));
    // The form is still where it was.
    let form = admin.get("/people/new").await;
    assert_status(&form, StatusCode::OK, "the new person form");
    assert!(form.text.contains("<h1>Add a person</h1>"), "{}", form.text);
    let edit = admin.get("/people/%6Eew/edit").await;
    assert_status(&edit, StatusCode::OK, "the person's edit form");
    assert!(edit.text.contains("Nova Newman"));
}

#[tokio::test]
async fn a_manager_places_people_only_in_their_own_teams() {
    let app = spawn_app().await;
    let manager = app.login_as(Role::Manager).await;

    let form = manager.get("/people/new").await;
    let elsewhere = manager
        .post_form(
            "/people",
            &person_form(&[("id", "p-x"), ("name", "X"), ("team", "West")]),
        )
        .await;
    let own = manager
        .post_form(
            "/people",
            &person_form(&[("id", "p-y"), ("name", "Y"), ("team", "East Inbound")]),
        )
        .await;
    let moved = manager
        .post_form("/people/p-sam", &sam_form(&[("team", "West")]))
        .await;

    assert_status(&form, StatusCode::OK, "GET /people/new as manager");
    assert!(
        !form.text.contains(">West</option>"),
        "only the manager's teams are offered"
    );
    assert_status(&elsewhere, StatusCode::UNPROCESSABLE_ENTITY, "into West");
    assert!(elsewhere.text.contains("id=\"team-error\""));
    assert!(app.person("p-x").await.is_none());
    assert_status(&own, StatusCode::SEE_OTHER, "into East Inbound");
    assert_status(
        &moved,
        StatusCode::UNPROCESSABLE_ENTITY,
        "moving Sam to West",
    );
    assert_eq!(
        app.person(person::SELLER)
            .await
            .and_then(|p| p.team)
            .as_deref(),
        Some("East")
    );
}

#[tokio::test]
async fn a_manager_cannot_open_or_edit_a_person_of_another_team() {
    let app = spawn_app().await;
    let manager = app.login_as(Role::Manager).await;
    let path = format!("/people/{}", person::WEST);

    let page = manager.get(&path).await;
    let edit = manager.get(&format!("{path}/edit")).await;
    let post = manager
        .post_form(
            &path,
            &person_form(&[("id", person::WEST), ("name", "Hijacked")]),
        )
        .await;
    let other_org = manager.get(&format!("/people/{}", person::OTHER_ORG)).await;
    let list = manager.get("/people").await;

    for (resp, what) in [
        (&page, "page"),
        (&edit, "edit"),
        (&post, "post"),
        (&other_org, "other org"),
    ] {
        assert_status(resp, StatusCode::NOT_FOUND, what);
    }
    assert_eq!(
        app.person(person::WEST).await.map(|p| p.name).as_deref(),
        Some("Wes West")
    );
    assert!(!list.text.contains("Wes West"));
}

#[tokio::test]
async fn a_seller_can_open_only_their_own_record() {
    let app = spawn_app().await;
    let seller = app.login_as(Role::Seller).await;

    let own = seller.get(&format!("/people/{}", person::SELLER)).await;
    let colleague = seller.get(&format!("/people/{}", person::MANAGER)).await;
    let list = seller.get("/people").await;
    let edit = seller
        .get(&format!("/people/{}/edit", person::SELLER))
        .await;

    assert_status(&own, StatusCode::OK, "own record");
    assert!(
        own.text.contains("Sam Seller") && !own.text.contains("/edit\""),
        "no Edit button"
    );
    assert!(
        own.text.contains("Mia Manager") && !own.text.contains("href=\"/people/p-mia\""),
        "the seller's manager is named, but their record is not the seller's to open"
    );
    assert_status(&colleague, StatusCode::NOT_FOUND, "a colleague");
    assert_status(&list, StatusCode::FORBIDDEN, "the list");
    assert_status(&edit, StatusCode::FORBIDDEN, "editing");
}

// --- the model ---------------------------------------------------------------------------

#[tokio::test]
async fn the_model_page_draws_the_spectrum_with_eight_marks_in_order() {
    let app = spawn_app().await;
    let interviewer = app.login_as(Role::Interviewer).await;

    let page = interviewer.get("/model").await;

    assert_status(&page, StatusCode::OK, "GET /model");
    assert!(page.text.contains("<svg ") && page.text.contains("data-chart=\"spectrum\""));
    assert!(
        page.text.contains("role=\"img\"")
            && page.text.contains("aria-labelledby=\"spectrum-title")
    );
    assert_eq!(
        mark_keys(&page.text),
        [
            "belief",
            "humility",
            "ownership",
            "perseverance",
            "trust_building",
            "process_mastery",
            "value_crafting",
            "storytelling"
        ]
    );
    assert_eq!(
        page.text.matches("class=\"quality-mark mindset\"").count(),
        4
    );
    assert_eq!(
        page.text
            .matches("class=\"quality-mark behaviour\"")
            .count(),
        4
    );
    assert_eq!(
        page.text.matches("data-from=\"storytelling\"").count(),
        5,
        "five arcs"
    );
    assert!(
        page.text.contains("<details class=\"numbers\">"),
        "the chart's numbers"
    );
    assert_eq!(page.text.matches("class=\"card quality side-").count(), 8);
    assert!(page.text.contains("id=\"trust_building\""));
    assert!(page.text.contains("Exemplary"), "the scale's level names");
    assert!(
        !page.text.contains("Model versions"),
        "only admins see the versions"
    );
}

#[tokio::test]
async fn an_admin_also_sees_the_model_versions() {
    let app = spawn_app().await;
    let admin = admin(&app).await;

    let page = admin.get("/model").await;

    assert_status(&page, StatusCode::OK, "GET /model as admin");
    assert!(page.text.contains("Model versions") && page.text.contains("current"));
}
