//! `spawn_app()`: a real sellerq server on `127.0.0.1:0` over a fresh SQLite file, seeded with
//! two organisations, and clients that act like a browser (cookies, CSRF fields, no automatic
//! redirects) or like an API script (a bearer token).
//!
//! The seed (`seed`) is the story every test can rely on:
//!
//! | organisation | teams                                   | people (id: team, manager)                       |
//! |--------------|-----------------------------------------|--------------------------------------------------|
//! | Acme Sales   | East (managed by p-mia), East Inbound   | p-mia Mia Manager: East — e-mail manager@acme.test |
//! |              | (sub-team of East), West                | p-sam Sam Seller: East, p-mia — seller@acme.test   |
//! |              |                                         | p-eve Eve Inbound: East Inbound, p-mia            |
//! |              |                                         | p-wes Wes West: West; p-wendy Wendy West: West    |
//! |              |                                         | p-nora Nora Noteam: no team                       |
//! | Globex       | North                                   | g-gina Gina North: North; g-gus Gus North: North  |
//!
//! Users: one per role in Acme (`admin@acme.test`, `leader@…`, `manager@…` assigned East,
//! `coach@…` assigned West, `seller@…`, `interviewer@…`), the coach is also a coach in Globex
//! (a coach serves several organisations), and `admin@globex.test` is Globex's admin.
//! Passwords: [`password_of`].

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex};

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use sellerq::config::Config;
use sellerq::security;
use sellerq::web::{AppState, router};
use sellerq_domain::{Email, OrgName, PersonId, PersonInput, Role, TeamInput};
use sellerq_store::sqlite::SqliteStore;
use sellerq_store::{Actor, Scope, Store};
use serde_json::Value;

/// Ids of the seeded people.
pub mod person {
    pub const MANAGER: &str = "p-mia";
    pub const SELLER: &str = "p-sam";
    pub const EAST_INBOUND: &str = "p-eve";
    pub const WEST: &str = "p-wes";
    pub const WEST_2: &str = "p-wendy";
    pub const NO_TEAM: &str = "p-nora";
    /// A person of the other organisation.
    pub const OTHER_ORG: &str = "g-gina";
    pub const OTHER_ORG_2: &str = "g-gus";
}

/// The first organisation's name.
pub const ORG: &str = "Acme Sales";
/// The second organisation's name.
pub const OTHER_ORG: &str = "Globex";
/// The other organisation's admin.
pub const OTHER_ORG_ADMIN: &str = "admin@globex.test";

/// The seeded user of a role in the first organisation.
pub fn email_of(role: Role) -> String {
    format!("{}@acme.test", role.as_str())
}

/// The password of every seeded user of a role (the other organisation's admin uses the
/// admin's).
pub fn password_of(role: Role) -> String {
    format!("{}-pass-phrase-1", role.as_str())
}

/// Argon2 is slow in a debug build: each password is hashed once per test process.
pub fn password_hash(password: &str) -> String {
    static CACHE: LazyLock<Mutex<HashMap<String, String>>> = LazyLock::new(Default::default);
    if let Some(h) = CACHE
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(password)
    {
        return h.clone();
    }
    let hash = security::hash_password(password).expect("argon2 hashes a password");
    CACHE
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(password.to_owned(), hash.clone());
    hash
}

/// The seeded teams' ids.
#[derive(Debug, Clone, Copy)]
pub struct Teams {
    pub east: i64,
    pub east_inbound: i64,
    pub west: i64,
    /// The other organisation's team.
    pub north: i64,
}

/// A running server and its database.
#[derive(Debug)]
pub struct TestApp {
    /// `http://127.0.0.1:PORT`
    pub address: String,
    pub store: Arc<dyn Store>,
    /// Acme Sales.
    pub org_id: i64,
    /// Globex.
    pub other_org_id: i64,
    pub teams: Teams,
    /// The seeded users' ids by role (first organisation).
    pub users: HashMap<Role, i64>,
    /// The other organisation's admin.
    pub other_org_admin: i64,
    db_path: PathBuf,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let mut p = self.db_path.clone().into_os_string();
            p.push(suffix);
            let _ = std::fs::remove_file(p);
        }
    }
}

/// A fresh server with the default configuration and the seed.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// A fresh server whose configuration `configure` adjusts, with the seed.
pub async fn spawn_app_with(configure: impl FnOnce(&mut Config)) -> TestApp {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let db_path = std::env::temp_dir().join(format!(
        "sellerq-web-test-{}-{}-{}.db",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default()
    ));
    let store: Arc<dyn Store> = Arc::new(
        SqliteStore::open(&db_path)
            .await
            .expect("the test database opens"),
    );
    let mut config = Config::new(db_path.clone());
    configure(&mut config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free port on 127.0.0.1");
    let address = format!("http://{}", listener.local_addr().expect("a bound address"));
    let app = router(AppState::new(store.clone(), config));
    tokio::spawn(async move {
        let _ = axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await;
    });
    seed(store, address, db_path).await
}

fn system() -> Actor {
    Actor::system("test")
}

fn team_input(name: &str, parent_id: Option<i64>, manager: Option<&str>) -> TeamInput {
    TeamInput::parse(name, parent_id, manager, "").expect("a valid seed team")
}

/// A person with only the fields the seed needs.
pub fn person_input(
    id: &str,
    name: &str,
    team: Option<&str>,
    manager: Option<&str>,
) -> PersonInput {
    PersonInput {
        id: PersonId::parse(id).expect("a valid seed id"),
        name: name.to_owned(),
        email: None,
        team: team.map(str::to_owned),
        manager: manager.map(|m| PersonId::parse(m).expect("a valid seed manager")),
        hire_date: None,
        years_experience: None,
        quota_track_record: None,
        tenure_years: None,
        vip_connections: None,
        domain_expertise: None,
    }
}

fn email(s: &str) -> Email {
    Email::parse(s).expect("a valid seed e-mail")
}

/// Two organisations as the module documentation describes.
async fn seed(store: Arc<dyn Store>, address: String, db_path: PathBuf) -> TestApp {
    let s = store.as_ref();
    let actor = system();
    let org = s
        .create_organisation(&OrgName::parse(ORG).expect("org name"), &actor)
        .await
        .expect("seed: organisation");
    let other = s
        .create_organisation(&OrgName::parse(OTHER_ORG).expect("org name"), &actor)
        .await
        .expect("seed: other organisation");

    let east = s
        .create_team(org.id, &team_input("East", None, None), &actor)
        .await
        .expect("East");
    let east_inbound = s
        .create_team(
            org.id,
            &team_input("East Inbound", Some(east.id), None),
            &actor,
        )
        .await
        .expect("East Inbound");
    let west = s
        .create_team(org.id, &team_input("West", None, None), &actor)
        .await
        .expect("West");
    let north = s
        .create_team(other.id, &team_input("North", None, None), &actor)
        .await
        .expect("North");

    let mut mia = person_input(person::MANAGER, "Mia Manager", Some("East"), None);
    mia.email = Some(email("manager@acme.test"));
    mia.years_experience = Some(12.0);
    let mut sam = person_input(
        person::SELLER,
        "Sam Seller",
        Some("East"),
        Some(person::MANAGER),
    );
    sam.email = Some(email("seller@acme.test"));
    sam.hire_date = sellerq_domain::person::parse_date("2022-03-01").ok();
    sam.years_experience = Some(4.5);
    sam.quota_track_record = Some(0.92);
    sam.tenure_years = Some(2.0);
    sam.vip_connections = Some(6.0);
    sam.domain_expertise = Some(3.0);
    let people = [
        mia,
        sam,
        person_input(
            person::EAST_INBOUND,
            "Eve Inbound",
            Some("East Inbound"),
            Some(person::MANAGER),
        ),
        person_input(person::WEST, "Wes West", Some("West"), None),
        person_input(person::WEST_2, "Wendy West", Some("West"), None),
        person_input(person::NO_TEAM, "Nora Noteam", None, None),
    ];
    for p in &people {
        s.create_person(org.id, p, &actor)
            .await
            .expect("seed person");
    }
    s.update_team(
        org.id,
        east.id,
        &team_input("East", None, Some(person::MANAGER)),
        &actor,
    )
    .await
    .expect("East's manager");
    for p in [
        person_input(person::OTHER_ORG, "Gina North", Some("North"), None),
        person_input(person::OTHER_ORG_2, "Gus North", Some("North"), None),
    ] {
        s.create_person(other.id, &p, &actor)
            .await
            .expect("seed person (other org)");
    }

    let mut users = HashMap::new();
    for role in Role::ALL {
        let user = s
            .create_user(
                &email(&email_of(role)),
                &format!("Test {}", role.label()),
                &password_hash(&password_of(role)),
            )
            .await
            .expect("seed user");
        let teams = match role {
            Role::Manager => vec![east.id],
            Role::Coach => vec![west.id],
            _ => vec![],
        };
        s.set_membership(org.id, user.id, role, &teams, &actor)
            .await
            .expect("membership");
        users.insert(role, user.id);
    }
    s.set_membership(other.id, users[&Role::Coach], Role::Coach, &[], &actor)
        .await
        .expect("the coach also coaches in the other organisation");
    let other_admin = s
        .create_user(
            &email(OTHER_ORG_ADMIN),
            "Globex Admin",
            &password_hash(&password_of(Role::Admin)),
        )
        .await
        .expect("other org admin");
    s.set_membership(other.id, other_admin.id, Role::Admin, &[], &actor)
        .await
        .expect("other org admin membership");

    TestApp {
        address,
        store,
        org_id: org.id,
        other_org_id: other.id,
        teams: Teams {
            east: east.id,
            east_inbound: east_inbound.id,
            west: west.id,
            north: north.id,
        },
        users,
        other_org_admin: other_admin.id,
        db_path,
    }
}

/// A response, read whole.
#[derive(Debug)]
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub text: String,
}

impl TestResponse {
    async fn read(resp: reqwest::Result<reqwest::Response>) -> Self {
        let resp = resp.expect("the test server answers");
        let status = resp.status();
        let headers = resp.headers().clone();
        let text = resp.text().await.unwrap_or_default();
        Self {
            status,
            headers,
            text,
        }
    }

    /// The body as JSON (`Null` when it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or(Value::Null)
    }

    /// A header's value as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The `Location` of a redirect.
    pub fn location(&self) -> Option<&str> {
        self.header("location")
    }

    /// True for a redirect to the sign-in page.
    pub fn is_redirect_to_login(&self) -> bool {
        self.status.is_redirection() && self.location().is_some_and(|l| l.starts_with("/login"))
    }

    /// Every `Set-Cookie` value.
    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect()
    }

    /// `{"error": {"field": …}}` of an API error.
    pub fn error_field(&self) -> Option<String> {
        self.json()["error"]["field"].as_str().map(str::to_owned)
    }

    /// `{"error": {"code": …}}` of an API error.
    pub fn error_code(&self) -> Option<String> {
        self.json()["error"]["code"].as_str().map(str::to_owned)
    }
}

/// The value of the first `<input … name="NAME" value="…">` in an HTML page (attribute order
/// `name` then `value`, as sellerq's templates write them), unescaped.
pub fn hidden_field(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\"");
    let at = html.find(&marker)?;
    let tag_end = html[at..].find('>')? + at;
    let tag = &html[at..tag_end];
    let value = tag.split("value=\"").nth(1)?.split('"').next()?;
    Some(
        value
            .replace("&#x2b;", "+")
            .replace("&#43;", "+")
            .replace("&amp;", "&"),
    )
}

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a reqwest client")
}

/// A browser: a cookie jar, no automatic redirects, and the session's CSRF token once signed in.
#[derive(Debug, Clone)]
pub struct TestClient {
    pub client: reqwest::Client,
    pub address: String,
    /// The session's CSRF token (scraped from a page after signing in).
    pub csrf: Option<String>,
}

impl TestClient {
    /// A visitor with an empty cookie jar.
    pub fn anonymous(app: &TestApp) -> Self {
        Self {
            client: browser(),
            address: app.address.clone(),
            csrf: None,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> TestResponse {
        TestResponse::read(self.client.get(self.url(path)).send().await).await
    }

    /// Posts a form with the session's CSRF token added.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> TestResponse {
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        if let Some(csrf) = &self.csrf {
            all.push(("csrf", csrf));
        }
        self.post_form_without_csrf(path, &all).await
    }

    /// Posts a form exactly as given (no CSRF token unless `fields` holds one).
    pub async fn post_form_without_csrf(
        &self,
        path: &str,
        fields: &[(&str, &str)],
    ) -> TestResponse {
        let body = serde_urlencoded::to_string(fields).expect("form fields encode");
        TestResponse::read(
            self.client
                .post(self.url(path))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body)
                .send()
                .await,
        )
        .await
    }

    /// GET with the session cookie, expecting JSON.
    pub async fn get_json(&self, path: &str) -> TestResponse {
        TestResponse::read(
            self.client
                .get(self.url(path))
                .header("accept", "application/json")
                .send()
                .await,
        )
        .await
    }

    /// A JSON request with the session cookie and the session's CSRF header.
    pub async fn send_json(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> TestResponse {
        let mut req = self.client.request(method, self.url(path));
        if let Some(csrf) = &self.csrf {
            req = req.header("x-csrf-token", csrf);
        }
        if let Some(body) = body {
            req = req.json(body);
        }
        TestResponse::read(req.send().await).await
    }

    /// Signs in on the login form; returns the login POST's response. On success the client
    /// carries the session and its CSRF token.
    pub async fn login(&mut self, email: &str, password: &str) -> TestResponse {
        let form = self.get("/login").await;
        let token = hidden_field(&form.text, "csrf").unwrap_or_default();
        let resp = self
            .post_form_without_csrf(
                "/login",
                &[("csrf", &token), ("email", email), ("password", password)],
            )
            .await;
        if resp.status.is_redirection() {
            self.refresh_csrf().await;
        }
        resp
    }

    /// Reads the session's CSRF token from the dashboard's sign-out form.
    pub async fn refresh_csrf(&mut self) {
        let page = self.get("/").await;
        self.csrf = hidden_field(&page.text, "csrf");
    }
}

/// An API script with a bearer token.
#[derive(Debug, Clone)]
pub struct ApiClient {
    pub client: reqwest::Client,
    pub address: String,
    pub token: String,
}

impl ApiClient {
    /// A request to `/api/v1{path}`.
    pub async fn send(&self, method: Method, path: &str, body: Option<&Value>) -> TestResponse {
        let mut req = self
            .client
            .request(method, format!("{}/api/v1{path}", self.address))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            req = req.json(body);
        }
        TestResponse::read(req.send().await).await
    }

    pub async fn get(&self, path: &str) -> TestResponse {
        self.send(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> TestResponse {
        self.send(Method::POST, path, Some(body)).await
    }

    pub async fn put(&self, path: &str, body: &Value) -> TestResponse {
        self.send(Method::PUT, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> TestResponse {
        self.send(Method::DELETE, path, None).await
    }

    /// A raw body with a content type (for malformed JSON).
    pub async fn send_raw(&self, method: Method, path: &str, body: &str) -> TestResponse {
        TestResponse::read(
            self.client
                .request(method, format!("{}/api/v1{path}", self.address))
                .bearer_auth(&self.token)
                .header("content-type", "application/json")
                .body(body.to_owned())
                .send()
                .await,
        )
        .await
    }
}

impl TestApp {
    /// The seeded user of `role` in the first organisation.
    pub fn user_id(&self, role: Role) -> i64 {
        self.users[&role]
    }

    /// A browser signed in as the seeded user of `role` (panics if signing in fails).
    pub async fn login_as(&self, role: Role) -> TestClient {
        let mut client = TestClient::anonymous(self);
        let resp = client.login(&email_of(role), &password_of(role)).await;
        assert!(
            resp.status.is_redirection(),
            "signing in as {role} should redirect, got {}: {}",
            resp.status,
            resp.text
        );
        assert!(
            client.csrf.is_some(),
            "the signed-in dashboard of {role} should carry a CSRF token"
        );
        client
    }

    /// A new API token of the seeded user of `role` in the first organisation.
    pub async fn api_token_for(&self, role: Role) -> String {
        self.token_for(self.user_id(role), self.org_id).await
    }

    /// A new API token of any user in any organisation.
    pub async fn token_for(&self, user_id: i64, org_id: i64) -> String {
        let token = security::new_token();
        self.store
            .create_api_token(
                org_id,
                user_id,
                &security::token_hash(&token),
                "test",
                &system(),
            )
            .await
            .expect("an API token is stored");
        token
    }

    /// An API client with a bearer token of `role`.
    pub async fn api(&self, role: Role) -> ApiClient {
        ApiClient {
            client: reqwest::Client::new(),
            address: self.address.clone(),
            token: self.api_token_for(role).await,
        }
    }

    /// An API client whose token is given (possibly invalid).
    pub fn api_with_token(&self, token: &str) -> ApiClient {
        ApiClient {
            client: reqwest::Client::new(),
            address: self.address.clone(),
            token: token.into(),
        }
    }

    /// A person of the first organisation, straight from the store.
    pub async fn person(&self, id: &str) -> Option<sellerq_domain::Person> {
        let id = PersonId::parse(id).ok()?;
        self.store
            .person(self.org_id, &id)
            .await
            .expect("store reads a person")
    }

    /// A team of the first organisation by name, straight from the store.
    pub async fn team_named(&self, name: &str) -> Option<sellerq_domain::Team> {
        self.store
            .team_by_name(self.org_id, name)
            .await
            .expect("store reads a team")
    }

    /// Every person and team of both organisations, as one comparable value: what a denied
    /// write must leave exactly as it was.
    pub async fn snapshot(&self) -> Value {
        let mut out = serde_json::Map::new();
        for org in [self.org_id, self.other_org_id] {
            let filter = sellerq_store::PeopleFilter {
                scope: Scope::Organisation,
                search: None,
                team_id: None,
            };
            let people = self
                .store
                .list_people(org, &filter)
                .await
                .expect("store lists people");
            let teams = self
                .store
                .list_teams(org, &Scope::Organisation)
                .await
                .expect("store lists teams");
            out.insert(
                org.to_string(),
                serde_json::json!({
                    "people": serde_json::to_value(&people).unwrap_or_default(),
                    "teams": serde_json::to_value(&teams).unwrap_or_default(),
                }),
            );
        }
        Value::Object(out)
    }

    /// Creates a person in an organisation directly in the store; returns the id.
    pub async fn add_person_to(&self, org_id: i64, id: &str, team: Option<&str>) -> String {
        let input = person_input(id, &format!("Person {id}"), team, None);
        self.store
            .create_person(org_id, &input, &system())
            .await
            .expect("store creates a person");
        id.to_owned()
    }

    /// Creates a team in an organisation directly in the store; returns its id.
    pub async fn add_team_to(&self, org_id: i64, name: &str, parent_id: Option<i64>) -> i64 {
        self.store
            .create_team(org_id, &team_input(name, parent_id, None), &system())
            .await
            .expect("store creates a team")
            .id
    }
}

/// A multipart upload of a CSV file to `/imports` by hand (the test client has no multipart
/// feature); `csrf` is the form token to send, if any.
pub async fn upload_csv(
    client: &TestClient,
    kind: &str,
    file_name: &str,
    csv: &str,
    csrf: Option<&str>,
) -> TestResponse {
    let boundary = "sellerq-test-boundary-7d1";
    let mut body = String::new();
    let mut part = |name: &str, file: Option<&str>, value: &str| {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\""
        ));
        if let Some(f) = file {
            body.push_str(&format!("; filename=\"{f}\"\r\nContent-Type: text/csv"));
        }
        body.push_str(&format!("\r\n\r\n{value}\r\n"));
    };
    if let Some(t) = csrf {
        part("csrf", None, t);
    }
    part("kind", None, kind);
    part("file", Some(file_name), csv);
    part("pasted", None, "");
    body.push_str(&format!("--{boundary}--\r\n"));
    let resp = client
        .client
        .post(format!("{}/imports", client.address))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .expect("the server answers");
    let status = resp.status();
    let headers = resp.headers().clone();
    TestResponse {
        status,
        headers,
        text: resp.text().await.unwrap_or_default(),
    }
}
