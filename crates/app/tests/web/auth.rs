//! Signing in and out, sessions, CSRF, login limiting, passwords, switching organisation, and
//! what an anonymous visitor or an API call without a token gets.

use reqwest::{Method, StatusCode};
use sellerq_domain::Role;

use crate::helpers::{
    OTHER_ORG, TestApp, TestClient, TestResponse, email_of, hidden_field, password_of, spawn_app,
    spawn_app_with,
};
use crate::permissions::rows;

/// The sign-in error message shown on the login page.
fn login_error(resp: &TestResponse) -> Option<String> {
    let start = resp.text.find("id=\"login-error\">")? + "id=\"login-error\">".len();
    let end = resp.text[start..].find('<')? + start;
    Some(resp.text[start..end].to_owned())
}

async fn sign_in(app: &TestApp, email: &str, password: &str) -> (TestClient, TestResponse) {
    let mut client = TestClient::anonymous(app);
    let resp = client.login(email, password).await;
    (client, resp)
}

#[tokio::test]
async fn the_right_password_starts_a_session_on_the_dashboard() {
    let app = spawn_app().await;

    let (client, resp) = sign_in(&app, &email_of(Role::Admin), &password_of(Role::Admin)).await;

    assert_eq!(resp.status, StatusCode::SEE_OTHER, "{}", resp.text);
    assert_eq!(resp.location(), Some("/"));
    let dashboard = client.get("/").await;
    assert_eq!(dashboard.status, StatusCode::OK);
    assert!(
        dashboard.text.contains("Acme Sales"),
        "the dashboard names the organisation"
    );
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_account_get_the_same_answer() {
    let app = spawn_app().await;

    let (_, wrong_password) = sign_in(&app, &email_of(Role::Admin), "not-the-password").await;
    let (_, unknown_account) = sign_in(&app, "nobody@acme.test", "not-the-password").await;

    assert_eq!(wrong_password.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown_account.status, wrong_password.status);
    let message = login_error(&wrong_password);
    assert!(message.is_some(), "the login page shows an error");
    assert_eq!(
        login_error(&unknown_account),
        message,
        "no account enumeration"
    );
    for resp in [&wrong_password, &unknown_account] {
        assert!(
            !resp
                .set_cookies()
                .iter()
                .any(|c| c.starts_with("sellerq_session=")),
            "a failed sign-in sets no session cookie"
        );
    }
}

#[tokio::test]
async fn signing_out_ends_the_session() {
    let app = spawn_app().await;
    let client = app.login_as(Role::Manager).await;

    let resp = client.post_form("/logout", &[]).await;

    assert!(
        resp.is_redirect_to_login(),
        "sign-out goes to the login page: {}",
        resp.status
    );
    assert!(
        client.get("/").await.is_redirect_to_login(),
        "the session is over"
    );
}

#[tokio::test]
async fn a_signed_out_session_token_cannot_be_replayed() {
    let app = spawn_app().await;
    let (client, resp) = sign_in(&app, &email_of(Role::Leader), &password_of(Role::Leader)).await;
    let token = resp
        .set_cookies()
        .iter()
        .find_map(|c| {
            c.strip_prefix("sellerq_session=")
                .map(|v| v.split(';').next().unwrap_or("").to_owned())
        })
        .expect("a session cookie");

    client.post_form("/logout", &[]).await;
    let replay = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
        .get(format!("{}/", app.address))
        .header("cookie", format!("sellerq_session={token}"))
        .send()
        .await
        .expect("the server answers");

    assert!(
        replay.status().is_redirection(),
        "the old token no longer signs in"
    );
}

#[tokio::test]
async fn the_session_cookie_is_http_only_and_same_site_lax() {
    let app = spawn_app().await;

    let (_, resp) = sign_in(&app, &email_of(Role::Coach), &password_of(Role::Coach)).await;

    let cookie = resp
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("sellerq_session="))
        .expect("a session cookie is set");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(
        !cookie.contains("Secure"),
        "plain HTTP by default: {cookie}"
    );
}

#[tokio::test]
async fn with_https_cookies_the_session_cookie_is_secure() {
    let app = spawn_app_with(|c| c.https_cookies = true).await;

    let (_, resp) = sign_in(&app, &email_of(Role::Coach), &password_of(Role::Coach)).await;

    let cookie = resp
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("sellerq_session="))
        .expect("a session cookie is set");
    assert!(
        cookie.contains("Secure") && cookie.contains("HttpOnly"),
        "{cookie}"
    );
}

#[tokio::test]
async fn a_form_post_without_the_csrf_token_is_refused_and_writes_nothing() {
    // Arrange
    let app = spawn_app().await;
    let admin = app.login_as(Role::Admin).await;
    let before = app.snapshot().await;

    // Act
    let team = admin
        .post_form_without_csrf(
            "/teams",
            &[
                ("name", "Sneaky"),
                ("parent_id", ""),
                ("manager", ""),
                ("description", ""),
            ],
        )
        .await;
    let person = admin
        .post_form_without_csrf("/people", &[("id", "sneaky"), ("name", "Sneaky Person")])
        .await;
    let forged = admin
        .post_form_without_csrf(
            "/people",
            &[
                ("csrf", "forged-token"),
                ("id", "sneaky"),
                ("name", "Sneaky Person"),
            ],
        )
        .await;

    // Assert
    for (what, resp) in [
        ("team", &team),
        ("person", &person),
        ("forged token", &forged),
    ] {
        assert_eq!(resp.status, StatusCode::FORBIDDEN, "{what}: {}", resp.text);
    }
    assert_eq!(app.snapshot().await, before, "nothing was written");
}

#[tokio::test]
async fn a_password_change_without_the_csrf_token_is_refused() {
    let app = spawn_app().await;
    let seller = app.login_as(Role::Seller).await;
    let new = "a-brand-new-password";

    let resp = seller
        .post_form_without_csrf(
            "/account/password",
            &[
                ("current", &password_of(Role::Seller)),
                ("new", new),
                ("confirm", new),
            ],
        )
        .await;

    assert_eq!(resp.status, StatusCode::FORBIDDEN);
    let (_, again) = sign_in(&app, &email_of(Role::Seller), &password_of(Role::Seller)).await;
    assert!(
        again.status.is_redirection(),
        "the old password still works"
    );
}

#[tokio::test]
async fn signing_in_without_the_login_csrf_cookie_is_refused() {
    let app = spawn_app().await;
    let form = TestClient::anonymous(&app).get("/login").await;
    let token = hidden_field(&form.text, "csrf").expect("the login form has a CSRF field");
    let cookieless = TestClient::anonymous(&app);

    let resp = cookieless
        .post_form_without_csrf(
            "/login",
            &[
                ("csrf", &token),
                ("email", &email_of(Role::Admin)),
                ("password", &password_of(Role::Admin)),
            ],
        )
        .await;

    assert_eq!(resp.status, StatusCode::FORBIDDEN);
    assert!(
        resp.set_cookies()
            .iter()
            .all(|c| !c.starts_with("sellerq_session="))
    );
}

#[tokio::test]
async fn signing_in_with_a_mismatched_login_csrf_field_is_refused() {
    let app = spawn_app().await;
    let client = TestClient::anonymous(&app);
    client.get("/login").await;

    let resp = client
        .post_form_without_csrf(
            "/login",
            &[
                ("csrf", "not-the-cookie"),
                ("email", &email_of(Role::Admin)),
                ("password", &password_of(Role::Admin)),
            ],
        )
        .await;

    assert_eq!(resp.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_sixth_attempt_on_an_account_is_refused_even_with_the_right_password() {
    // Arrange: five failures (the default allowance per account)
    let app = spawn_app().await;
    let email = email_of(Role::Leader);
    for attempt in 1..=5 {
        let (_, resp) = sign_in(&app, &email, "wrong-password").await;
        assert_eq!(resp.status, StatusCode::UNAUTHORIZED, "attempt {attempt}");
    }

    // Act
    let (_, sixth) = sign_in(&app, &email, &password_of(Role::Leader)).await;

    // Assert
    assert_eq!(
        sixth.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        sixth.text
    );
    let retry: u64 = sixth
        .header("retry-after")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    assert!(retry > 0, "Retry-After names the wait in seconds");
    let (_, other_account) = sign_in(&app, &email_of(Role::Coach), &password_of(Role::Coach)).await;
    assert!(
        other_account.status.is_redirection(),
        "other accounts are not locked"
    );
}

#[tokio::test]
async fn failed_sign_ins_are_limited_per_client_address_across_accounts() {
    // Arrange: an address allowance of three failures, spent on three different accounts
    let app = spawn_app_with(|c| c.login_attempts_per_address = 3).await;
    for who in ["a@acme.test", "b@acme.test", "c@acme.test"] {
        let (_, resp) = sign_in(&app, who, "guess-guess-guess").await;
        assert_eq!(resp.status, StatusCode::UNAUTHORIZED, "{who}");
    }

    // Act
    let (_, next) = sign_in(&app, &email_of(Role::Admin), &password_of(Role::Admin)).await;

    // Assert
    assert_eq!(next.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(next.header("retry-after").is_some());
}

#[tokio::test]
async fn a_password_change_needs_the_current_password() {
    let app = spawn_app().await;
    let coach = app.login_as(Role::Coach).await;
    let new = "a-brand-new-password";

    let resp = coach
        .post_form(
            "/account/password",
            &[
                ("current", "not-my-password"),
                ("new", new),
                ("confirm", new),
            ],
        )
        .await;

    assert_eq!(resp.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        resp.text.contains("is not your current password"),
        "the field's message is shown"
    );
    let (_, old) = sign_in(&app, &email_of(Role::Coach), &password_of(Role::Coach)).await;
    assert!(old.status.is_redirection(), "the password is unchanged");
}

#[tokio::test]
async fn a_password_change_ends_the_users_other_sessions() {
    // Arrange: the same user signed in twice
    let app = spawn_app().await;
    let here = app.login_as(Role::Manager).await;
    let elsewhere = app.login_as(Role::Manager).await;
    let new = "a-brand-new-password";

    // Act
    let resp = here
        .post_form(
            "/account/password",
            &[
                ("current", &password_of(Role::Manager)),
                ("new", new),
                ("confirm", new),
            ],
        )
        .await;

    // Assert
    assert!(
        resp.status.is_redirection(),
        "{}: {}",
        resp.status,
        resp.text
    );
    assert_eq!(
        here.get("/").await.status,
        StatusCode::OK,
        "this session goes on"
    );
    assert!(
        elsewhere.get("/").await.is_redirect_to_login(),
        "the other session ended"
    );
    let (_, old) = sign_in(&app, &email_of(Role::Manager), &password_of(Role::Manager)).await;
    assert_eq!(
        old.status,
        StatusCode::UNAUTHORIZED,
        "the old password is gone"
    );
    let (_, fresh) = sign_in(&app, &email_of(Role::Manager), new).await;
    assert!(fresh.status.is_redirection(), "the new password works");
}

#[tokio::test]
async fn a_user_switches_only_to_organisations_they_belong_to() {
    // Arrange: the coach serves both organisations; the admin only the first
    let app = spawn_app().await;
    let coach = app.login_as(Role::Coach).await;
    let admin = app.login_as(Role::Admin).await;
    let other = app.other_org_id.to_string();

    // Act
    let coach_switch = coach.post_form("/org/switch", &[("org_id", &other)]).await;
    let admin_switch = admin.post_form("/org/switch", &[("org_id", &other)]).await;
    let nowhere = coach
        .post_form("/org/switch", &[("org_id", "999999")])
        .await;

    // Assert
    assert!(
        coach_switch.status.is_redirection(),
        "{}",
        coach_switch.status
    );
    let page = coach.get("/").await;
    assert!(
        page.text.contains(OTHER_ORG),
        "the coach now works in Globex"
    );
    assert_eq!(admin_switch.status, StatusCode::FORBIDDEN);
    assert!(
        !admin.get("/").await.text.contains(OTHER_ORG),
        "the admin stays in Acme Sales"
    );
    assert_eq!(nowhere.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn every_page_route_sends_an_anonymous_visitor_to_sign_in() {
    let app = spawn_app().await;
    let visitor = TestClient::anonymous(&app);
    let mut wrong = Vec::new();

    for row in rows().iter().filter(|r| !r.is_api()) {
        let path = row
            .path
            .replace("{person}", "p-sam")
            .replace("{team}", &app.teams.east.to_string());
        let resp = if row.method == Method::GET {
            visitor.get(&path).await
        } else {
            visitor
                .post_form_without_csrf(&path, &[("name", "x"), ("org_id", "1")])
                .await
        };
        if !resp.is_redirect_to_login() {
            wrong.push(format!(
                "{} {path}: {} {:?}",
                row.method,
                resp.status,
                resp.location()
            ));
        }
    }

    assert!(
        wrong.is_empty(),
        "not redirected to /login:\n  {}",
        wrong.join("\n  ")
    );
}

#[tokio::test]
async fn the_api_without_a_valid_token_answers_401_in_json() {
    let app = spawn_app().await;
    let visitor = TestClient::anonymous(&app);
    let bad_token = app.api_with_token("not-a-token");
    let mut wrong = Vec::new();

    for row in rows().iter().filter(|r| r.is_api()) {
        let path = row
            .path
            .replace("{person}", "p-sam")
            .replace("{team}", &app.teams.east.to_string());
        let body = serde_json::json!({"name": "x"});
        let anonymous = visitor
            .send_json(row.method.clone(), &path, Some(&body))
            .await;
        let invalid = bad_token
            .send(
                row.method.clone(),
                path.trim_start_matches("/api/v1"),
                Some(&body),
            )
            .await;
        for (who, resp) in [("no token", anonymous), ("invalid token", invalid)] {
            let ok = resp.status == StatusCode::UNAUTHORIZED
                && resp.error_code().as_deref() == Some("unauthenticated")
                && resp.header("www-authenticate") == Some("Bearer");
            if !ok {
                wrong.push(format!(
                    "{} {path} ({who}): {} {}",
                    row.method, resp.status, resp.text
                ));
            }
        }
    }

    assert!(
        wrong.is_empty(),
        "expected 401 JSON:\n  {}",
        wrong.join("\n  ")
    );
}

#[tokio::test]
async fn the_api_accepts_the_session_cookie_but_writes_need_the_csrf_header() {
    let app = spawn_app().await;
    let mut admin = app.login_as(Role::Admin).await;
    let body = serde_json::json!({"name": "Cookie Team"});

    let read = admin.get_json("/api/v1/teams").await;
    let csrf = admin.csrf.take();
    let without_header = admin
        .send_json(Method::POST, "/api/v1/teams", Some(&body))
        .await;
    admin.csrf = csrf;
    let with_header = admin
        .send_json(Method::POST, "/api/v1/teams", Some(&body))
        .await;

    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(without_header.status, StatusCode::FORBIDDEN);
    assert_eq!(without_header.error_code().as_deref(), Some("csrf"));
    assert_eq!(
        with_header.status,
        StatusCode::CREATED,
        "{}",
        with_header.text
    );
}
