//! Assessment cycles: the list, create and edit forms, a cycle's page with its participants
//! and raters, the status actions (open, close, reopen), deleting a draft, and completion
//! (with the CSV of outstanding raters for reminders).
//!
//! Who may do what (shared with the API through [`cycle_view`]):
//! - admins and leaders run every cycle of the organisation;
//! - a manager sees the cycles that include at least one person of their scope (and cycles
//!   without participants yet, so that a draft they just created stays reachable). Within a
//!   cycle they see, add, remove and choose raters for their own people only. They may edit,
//!   open, close and delete a cycle only when *all* its participants are theirs — a cycle that
//!   also assesses other teams belongs to whoever runs it for the organisation;
//! - coaches, sellers and interviewers have no cycle pages (403): they fill in their sheets
//!   under "My assessments".
//!
//! A cycle the viewer may not see answers 404, like one that does not exist. Raters are people
//! of the organisation (the store's rule): an external coach's ratings come in through a
//! ratings.csv upload, where raters need not be people.

use std::collections::{BTreeMap, HashSet};

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use sellerq_domain::assessment::{
    AssignmentStatus, CycleInput, CycleStatus, RaterRole, RaterRoles,
};
use sellerq_domain::person::format_date;
use sellerq_domain::{FieldErrors, PersonId, Role};
use sellerq_store::{
    Assignment, Completion, CompletionCounts, Cycle, NewAssignment, ParticipantRef, PeopleFilter,
    RaterCompletion, Scope, SheetState, Store, SubjectCompletion,
};
use serde::Deserialize;

use super::people::{
    Choice, ErrorLine, FormField, Kind, NoticeQuery, attach_errors, form_errors, person_href,
};
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::forms::CsrfForm;
use crate::web::layout::{Layout, Section};
use crate::web::session::Viewer;

/// The cycle routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/cycles", get(list).post(create))
        .route("/cycles/new", get(new_form))
        .route("/cycles/{id}", get(show).post(update))
        .route("/cycles/{id}/edit", get(edit_form))
        .route("/cycles/{id}/status", post(set_status))
        .route("/cycles/{id}/delete", post(delete))
        .route("/cycles/{id}/participants", post(add_participants))
        .route("/cycles/{id}/participants/remove", post(remove_participant))
        .route("/cycles/{id}/raters", post(assign_rater))
        .route("/cycles/{id}/raters/status", post(decide_rater))
        .route("/cycles/{id}/raters/remove", post(remove_rater))
        .route("/cycles/{id}/completion", get(completion))
        .route(
            "/cycles/{id}/completion/outstanding.csv",
            get(outstanding_csv),
        )
}

// --- access, shared with the API ----------------------------------------------------------

/// May the role run cycles at all (within its scope)?
pub(crate) fn runs_cycles(role: Role) -> bool {
    matches!(role, Role::Admin | Role::Leader | Role::Manager)
}

/// The people a scope sees, by id; `None` for the whole organisation.
pub(crate) async fn people_seen(
    store: &dyn Store,
    org_id: i64,
    scope: &Scope,
) -> Result<Option<HashSet<String>>, AppError> {
    if *scope == Scope::Organisation {
        return Ok(None);
    }
    let people = store
        .list_people(
            org_id,
            &PeopleFilter {
                scope: scope.clone(),
                search: None,
                team_id: None,
            },
        )
        .await?;
    Ok(Some(
        people
            .into_iter()
            .map(|p| p.id.as_str().to_owned())
            .collect(),
    ))
}

/// A cycle as one viewer may use it.
#[derive(Debug, Clone)]
pub(crate) struct CycleView {
    pub cycle: Cycle,
    /// May edit, change the status of and delete the cycle.
    pub manage: bool,
    /// The people the viewer sees (`None`: everyone).
    pub seen: Option<HashSet<String>>,
    /// Participants outside the viewer's scope (shown as a count only).
    pub hidden_participants: usize,
}

impl CycleView {
    /// Does the viewer see this person?
    pub fn sees(&self, id: &str) -> bool {
        self.seen.as_ref().is_none_or(|s| s.contains(id))
    }
}

/// Parses a cycle id from a path; malformed ids name nothing.
pub(crate) fn cycle_id(raw: &str) -> Result<i64, AppError> {
    raw.parse::<i64>().map_err(|_| AppError::NotFound)
}

/// The cycle `id` as the viewer may use it: 403 for roles without cycles, 404 when unknown,
/// of another organisation, or (for a manager) with participants none of whom are theirs.
pub(crate) async fn cycle_view(
    store: &dyn Store,
    org_id: i64,
    role: Role,
    scope: &Scope,
    id: i64,
) -> Result<CycleView, AppError> {
    if !runs_cycles(role) {
        return Err(AppError::Forbidden);
    }
    let cycle = store.cycle(org_id, id).await?.ok_or(AppError::NotFound)?;
    let seen = people_seen(store, org_id, scope).await?;
    let (manage, hidden) = match &seen {
        None => (true, 0),
        Some(seen) => {
            let parts = store.participants(org_id, id).await?;
            let mine = parts
                .iter()
                .filter(|p| seen.contains(p.subject.as_str()))
                .count();
            if !parts.is_empty() && mine == 0 {
                return Err(AppError::NotFound);
            }
            (mine == parts.len(), parts.len() - mine)
        }
    };
    Ok(CycleView {
        cycle,
        manage,
        seen,
        hidden_participants: hidden,
    })
}

/// The cycles the viewer sees, by name, with whether they may manage each.
pub(crate) async fn visible_cycles(
    store: &dyn Store,
    org_id: i64,
    role: Role,
    scope: &Scope,
) -> Result<Vec<(Cycle, usize, bool)>, AppError> {
    if !runs_cycles(role) {
        return Err(AppError::Forbidden);
    }
    let seen = people_seen(store, org_id, scope).await?;
    let mut out = Vec::new();
    for c in store.cycles(org_id).await? {
        let parts = store.participants(org_id, c.id).await?;
        let mine = parts
            .iter()
            .filter(|p| seen.as_ref().is_none_or(|s| s.contains(p.subject.as_str())))
            .count();
        if !parts.is_empty() && mine == 0 {
            continue;
        }
        out.push((c, mine, mine == parts.len()));
    }
    Ok(out)
}

/// Completion restricted to the subjects the viewer sees (recounted from the assignments when
/// the viewer sees only some of the cycle's participants).
pub(crate) async fn scoped_completion(
    store: &dyn Store,
    org_id: i64,
    view: &CycleView,
    today: time::Date,
) -> Result<Completion, AppError> {
    let full = store.completion(org_id, view.cycle.id, today).await?;
    if view.seen.is_none() || view.hidden_participants == 0 {
        return Ok(full);
    }
    let emails: BTreeMap<String, Option<sellerq_domain::Email>> = full
        .raters
        .iter()
        .map(|r| (r.rater.as_str().to_owned(), r.email.clone()))
        .collect();
    let assignments = store.assignments(org_id, view.cycle.id, None).await?;
    let mut raters: BTreeMap<(String, String), RaterCompletion> = BTreeMap::new();
    let mut subjects: BTreeMap<(String, String), SubjectCompletion> = BTreeMap::new();
    let mut totals = CompletionCounts::default();
    for a in assignments
        .iter()
        .filter(|a| a.status == AssignmentStatus::Approved && view.sees(a.subject.as_str()))
    {
        let r = raters
            .entry((a.rater_name.clone(), a.rater.as_str().to_owned()))
            .or_insert_with(|| RaterCompletion {
                rater: a.rater.clone(),
                name: a.rater_name.clone(),
                email: emails.get(a.rater.as_str()).cloned().flatten(),
                counts: CompletionCounts::default(),
            });
        count(&mut r.counts, a.state, full.past_due);
        let s = subjects
            .entry((a.subject_name.clone(), a.subject.as_str().to_owned()))
            .or_insert_with(|| SubjectCompletion {
                subject: a.subject.clone(),
                name: a.subject_name.clone(),
                counts: CompletionCounts::default(),
            });
        count(&mut s.counts, a.state, full.past_due);
        count(&mut totals, a.state, full.past_due);
    }
    Ok(Completion {
        totals,
        raters: raters.into_values().collect(),
        subjects: subjects.into_values().collect(),
        ..full
    })
}

fn count(c: &mut CompletionCounts, state: SheetState, past_due: bool) {
    c.assigned += 1;
    if state == SheetState::Submitted {
        c.submitted += 1;
        return;
    }
    if past_due {
        c.overdue += 1;
    } else {
        c.outstanding += 1;
    }
    if state == SheetState::Draft {
        c.in_draft += 1;
    }
}

/// Checks what a viewer adds to a cycle: people they see, teams they see.
pub(crate) fn check_participants(
    view: &CycleView,
    scope: &Scope,
    who: &[ParticipantRef],
) -> Result<(), AppError> {
    for w in who {
        let ok = match w {
            ParticipantRef::Person(p) => view.sees(p.as_str()),
            ParticipantRef::Team(t) => scope.sees_team(*t),
        };
        if !ok {
            return Err(AppError::invalid(
                "participants",
                "choose people and teams you look after",
            ));
        }
    }
    Ok(())
}

/// Today (UTC), for due dates.
pub(crate) fn today() -> time::Date {
    time::OffsetDateTime::now_utc().date()
}

/// The viewer's own person in the organisation (same e-mail): who they are as a rater.
pub(crate) async fn own_person(
    store: &dyn Store,
    org_id: i64,
    email: &sellerq_domain::Email,
) -> Result<Option<PersonId>, AppError> {
    Ok(store.person_by_email(org_id, email).await?.map(|p| p.id))
}

async fn view_of(state: &AppState, viewer: &Viewer, raw: &str) -> Result<CycleView, AppError> {
    cycle_view(
        state.store.as_ref(),
        viewer.org.id,
        viewer.role,
        &viewer.scope,
        cycle_id(raw)?,
    )
    .await
}

fn date_text(d: Option<time::Date>) -> String {
    d.map(format_date).unwrap_or_default()
}

fn roles_text(r: RaterRoles) -> String {
    r.roles()
        .map(RaterRole::label)
        .collect::<Vec<_>>()
        .join(", ")
}

// --- the list ---------------------------------------------------------------------------

#[derive(Debug)]
struct CycleRow {
    href: String,
    name: String,
    status: &'static str,
    due: String,
    roles: String,
    participants: usize,
}

#[derive(Template, WebTemplate)]
#[template(path = "cycles_list.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<CycleRow>,
}

/// GET /cycles
async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(query): Query<NoticeQuery>,
) -> Result<ListPage, AppError> {
    let cycles = visible_cycles(
        state.store.as_ref(),
        viewer.org.id,
        viewer.role,
        &viewer.scope,
    )
    .await?;
    let rows = cycles
        .into_iter()
        .rev()
        .map(|(c, n, _)| CycleRow {
            href: format!("/cycles/{}", c.id),
            name: c.name.to_string(),
            status: c.status.as_str(),
            due: date_text(c.due_date),
            roles: roles_text(c.rater_roles),
            participants: n,
        })
        .collect();
    Ok(ListPage {
        layout: Layout::new(&viewer, "Cycles", Section::Cycles).with_notice(query.notice()),
        rows,
    })
}

// --- create and edit --------------------------------------------------------------------

/// The cycle form's fields. Rater roles are one checkbox each (`role_self=on`, …): a
/// urlencoded form cannot repeat a key into a list here.
#[derive(Debug, Default, Deserialize)]
pub struct CycleForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    model_version_id: String,
    #[serde(default)]
    due_date: String,
    role_self: Option<String>,
    role_manager: Option<String>,
    role_peer: Option<String>,
    role_coach: Option<String>,
}

impl CycleForm {
    fn of(c: &Cycle) -> Self {
        let on = |r| c.rater_roles.contains(r).then(|| "on".to_owned());
        Self {
            name: c.name.to_string(),
            model_version_id: c.model_version_id.to_string(),
            due_date: date_text(c.due_date),
            role_self: on(RaterRole::SelfRating),
            role_manager: on(RaterRole::Manager),
            role_peer: on(RaterRole::Peer),
            role_coach: on(RaterRole::Coach),
        }
    }

    fn roles(&self) -> Vec<&'static str> {
        [
            (&self.role_self, "self"),
            (&self.role_manager, "manager"),
            (&self.role_peer, "peer"),
            (&self.role_coach, "coach"),
        ]
        .into_iter()
        .filter(|(v, _)| v.is_some())
        .map(|(_, r)| r)
        .collect()
    }

    fn input(&self, frozen: bool) -> Result<CycleInput, FieldErrors> {
        let mut errs = FieldErrors::default();
        let version = if frozen {
            None
        } else {
            match self.model_version_id.trim() {
                "" => None,
                s => s
                    .parse::<i64>()
                    .map_err(|_| errs.push("model_version_id", "choose a model version"))
                    .ok(),
            }
        };
        let input = CycleInput::parse(&self.name, version, &self.due_date, &self.roles());
        match input {
            Ok(i) if errs.is_empty() => Ok(i),
            Ok(_) => Err(errs),
            Err(more) => {
                errs.0.extend(more.0);
                Err(errs)
            }
        }
    }
}

/// One rater-role checkbox.
#[derive(Debug)]
struct RoleBox {
    name: &'static str,
    label: &'static str,
    checked: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "cycles_form.html")]
struct FormPage {
    layout: Layout,
    heading: String,
    action: String,
    cancel: String,
    submit: &'static str,
    fields: Vec<FormField>,
    roles: Vec<RoleBox>,
    roles_error: Option<String>,
    /// The model version's label when it can no longer change.
    locked_version: Option<String>,
    summary: Vec<ErrorLine>,
}

struct FormSpec {
    heading: String,
    action: String,
    cancel: String,
    submit: &'static str,
    /// The cycle being edited, when its model version is frozen.
    frozen: Option<i64>,
}

async fn form_page(
    state: &AppState,
    viewer: &Viewer,
    spec: FormSpec,
    form: &CycleForm,
    errors: &FieldErrors,
) -> Result<FormPage, AppError> {
    let versions = state.store.model_versions(viewer.org.id).await?;
    let current = if form.model_version_id.is_empty() {
        versions
            .last()
            .map(|v| v.id.to_string())
            .unwrap_or_default()
    } else {
        form.model_version_id.clone()
    };
    let locked_version = spec.frozen.map(|id| {
        versions
            .iter()
            .find(|v| v.id == id)
            .map_or_else(|| id.to_string(), |v| v.label.clone())
    });
    let mut fields = vec![
        FormField::new("name", "Name", Kind::Text, &form.name)
            .required()
            .hint("For example 2026-H1. Unique in the organisation; ratings.csv uses it."),
        FormField::new("due_date", "Due date", Kind::Date, &form.due_date)
            .hint("Sheets not submitted by then count as overdue."),
    ];
    if locked_version.is_none() {
        fields.insert(
            1,
            FormField::new("model_version_id", "Model version", Kind::Select, &current)
                .hint("Frozen once the cycle opens.")
                .options(
                    versions
                        .iter()
                        .rev()
                        .map(|v| Choice::new(v.id.to_string(), v.label.clone(), &current))
                        .collect(),
                ),
        );
    }
    let mut summary = attach_errors(&mut fields, errors);
    let roles_error = errors.get("rater_roles").map(str::to_owned);
    for line in &mut summary {
        if line.href.is_none() && roles_error.is_some() && line.text.starts_with("rater_roles") {
            line.href = Some("#role_self".into());
        }
    }
    let roles = [
        ("role_self", "Self", &form.role_self),
        ("role_manager", "Manager", &form.role_manager),
        ("role_peer", "Peers", &form.role_peer),
        ("role_coach", "Coach", &form.role_coach),
    ]
    .into_iter()
    .map(|(name, label, v)| RoleBox {
        name,
        label,
        checked: v.is_some(),
    })
    .collect();
    Ok(FormPage {
        layout: Layout::new(viewer, spec.heading.clone(), Section::Cycles),
        heading: spec.heading,
        action: spec.action,
        cancel: spec.cancel,
        submit: spec.submit,
        fields,
        roles,
        roles_error,
        locked_version,
        summary,
    })
}

fn new_spec() -> FormSpec {
    FormSpec {
        heading: "New cycle".into(),
        action: "/cycles".into(),
        cancel: "/cycles".into(),
        submit: "Create cycle",
        frozen: None,
    }
}

fn edit_spec(c: &Cycle, frozen: bool) -> FormSpec {
    FormSpec {
        heading: format!("Edit {}", c.name),
        action: format!("/cycles/{}", c.id),
        cancel: format!("/cycles/{}", c.id),
        submit: "Save",
        frozen: frozen.then_some(c.model_version_id),
    }
}

/// GET /cycles/new
async fn new_form(State(state): State<AppState>, viewer: Viewer) -> Result<FormPage, AppError> {
    viewer.require(runs_cycles(viewer.role))?;
    let form = CycleForm {
        role_self: Some("on".into()),
        role_manager: Some("on".into()),
        role_peer: Some("on".into()),
        role_coach: Some("on".into()),
        ..CycleForm::default()
    };
    form_page(&state, &viewer, new_spec(), &form, &FieldErrors::default()).await
}

fn invalid_page(page: FormPage) -> Response {
    (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
}

/// POST /cycles
async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    CsrfForm(form): CsrfForm<CycleForm>,
) -> Result<Response, AppError> {
    viewer.require(runs_cycles(viewer.role))?;
    let errors = match form.input(false) {
        Ok(input) => match state
            .store
            .create_cycle(viewer.org.id, &input, &viewer.actor())
            .await
        {
            Ok(c) => return Ok(Redirect::to(&format!("/cycles/{}?saved=1", c.id)).into_response()),
            Err(e) => form_errors(e.into())?,
        },
        Err(errs) => errs,
    };
    let page = form_page(&state, &viewer, new_spec(), &form, &errors).await?;
    Ok(invalid_page(page))
}

fn frozen(c: &Cycle) -> bool {
    c.status.freezes_model_version()
}

fn managed(view: &CycleView) -> Result<(), AppError> {
    if view.manage {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// GET /cycles/{id}/edit
async fn edit_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
) -> Result<FormPage, AppError> {
    let view = view_of(&state, &viewer, &raw).await?;
    managed(&view)?;
    let c = &view.cycle;
    form_page(
        &state,
        &viewer,
        edit_spec(c, frozen(c)),
        &CycleForm::of(c),
        &FieldErrors::default(),
    )
    .await
}

/// POST /cycles/{id}
async fn update(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
    CsrfForm(form): CsrfForm<CycleForm>,
) -> Result<Response, AppError> {
    let view = view_of(&state, &viewer, &raw).await?;
    managed(&view)?;
    let c = &view.cycle;
    let is_frozen = frozen(c);
    let errors = match form.input(is_frozen) {
        Ok(input) => match state
            .store
            .update_cycle(viewer.org.id, c.id, &input, &viewer.actor())
            .await
        {
            Ok(c) => return Ok(Redirect::to(&format!("/cycles/{}?saved=1", c.id)).into_response()),
            Err(e) => form_errors(e.into())?,
        },
        Err(errs) => errs,
    };
    let page = form_page(&state, &viewer, edit_spec(c, is_frozen), &form, &errors).await?;
    Ok(invalid_page(page))
}

// --- a cycle's page ----------------------------------------------------------------------

#[derive(Debug)]
struct RaterLine {
    rater: String,
    rater_name: String,
    role: &'static str,
    status: &'static str,
    nominated: bool,
    declined: bool,
    state: &'static str,
    answered: u32,
}

#[derive(Debug)]
struct SubjectBlock {
    subject: String,
    name: String,
    href: String,
    team: String,
    raters: Vec<RaterLine>,
}

#[derive(Debug)]
struct Action {
    status: &'static str,
    label: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "cycles_show.html")]
struct ShowPage {
    layout: Layout,
    cycle: Cycle,
    href: String,
    status: &'static str,
    model_label: String,
    due: String,
    roles: String,
    manage: bool,
    can_edit: bool,
    can_delete: bool,
    /// Participants and raters may still change.
    can_staff: bool,
    actions: Vec<Action>,
    subjects: Vec<SubjectBlock>,
    hidden_participants: usize,
    people_choices: Vec<Choice>,
    team_choices: Vec<Choice>,
    subject_choices: Vec<Choice>,
    role_choices: Vec<Choice>,
    rater_options: Vec<Choice>,
    error: Option<String>,
}

fn sheet_state_label(s: SheetState) -> &'static str {
    match s {
        SheetState::NotStarted => "not started",
        SheetState::Draft => "draft",
        SheetState::Submitted => "submitted",
    }
}

async fn show_page(
    state: &AppState,
    viewer: &Viewer,
    view: CycleView,
    notice: Option<String>,
    error: Option<String>,
) -> Result<ShowPage, AppError> {
    let org = viewer.org.id;
    let c = &view.cycle;
    let parts = state.store.participants(org, c.id).await?;
    let assignments = state.store.assignments(org, c.id, None).await?;
    let subjects: Vec<SubjectBlock> = parts
        .iter()
        .filter(|p| view.sees(p.subject.as_str()))
        .map(|p| SubjectBlock {
            subject: p.subject.as_str().to_owned(),
            name: p.name.clone(),
            href: person_href(&p.subject),
            team: p.team.clone().unwrap_or_default(),
            raters: assignments
                .iter()
                .filter(|a| a.subject == p.subject)
                .map(|a: &Assignment| RaterLine {
                    rater: a.rater.as_str().to_owned(),
                    rater_name: a.rater_name.clone(),
                    role: a.role.label(),
                    status: a.status.as_str(),
                    nominated: a.status == AssignmentStatus::Nominated,
                    declined: a.status == AssignmentStatus::Declined,
                    state: sheet_state_label(a.state),
                    answered: a.answered,
                })
                .collect(),
        })
        .collect();
    let in_cycle: HashSet<&str> = parts.iter().map(|p| p.subject.as_str()).collect();
    let everyone = state
        .store
        .list_people(
            org,
            &PeopleFilter {
                scope: viewer.scope.clone(),
                search: None,
                team_id: None,
            },
        )
        .await?;
    let people_choices = everyone
        .iter()
        .filter(|p| !in_cycle.contains(p.id.as_str()))
        .map(|p| Choice::new(p.id.as_str(), format!("{} ({})", p.name, p.id), ""))
        .collect();
    let team_choices = state
        .store
        .list_teams(org, &viewer.scope)
        .await?
        .into_iter()
        .map(|t| Choice::new(t.team.id.to_string(), t.team.name, ""))
        .collect();
    let subject_choices = subjects
        .iter()
        .map(|s| Choice::new(s.subject.clone(), format!("{} ({})", s.name, s.subject), ""))
        .collect();
    let role_choices = c
        .rater_roles
        .roles()
        .filter(|r| *r != RaterRole::SelfRating)
        .map(|r| Choice::new(r.as_str(), r.label(), "peer"))
        .collect();
    let rater_options = everyone
        .iter()
        .map(|p| Choice::new(p.id.as_str(), p.name.clone(), ""))
        .collect();
    let model_label = state
        .store
        .model_versions(org)
        .await?
        .into_iter()
        .find(|v| v.id == c.model_version_id)
        .map_or_else(|| c.model_version_id.to_string(), |v| v.label);
    let actions = if view.manage {
        match c.status {
            CycleStatus::Draft => vec![Action {
                status: "open",
                label: "Open the cycle",
            }],
            CycleStatus::Open => vec![Action {
                status: "closed",
                label: "Close the cycle",
            }],
            CycleStatus::Closed => vec![Action {
                status: "open",
                label: "Reopen the cycle",
            }],
        }
    } else {
        vec![]
    };
    Ok(ShowPage {
        layout: Layout::new(viewer, c.name.to_string(), Section::Cycles).with_notice(notice),
        href: format!("/cycles/{}", c.id),
        status: c.status.as_str(),
        model_label,
        due: date_text(c.due_date),
        roles: roles_text(c.rater_roles),
        manage: view.manage,
        can_edit: view.manage && c.status != CycleStatus::Closed,
        can_delete: view.manage && c.status == CycleStatus::Draft,
        can_staff: c.status != CycleStatus::Closed,
        actions,
        subjects,
        hidden_participants: view.hidden_participants,
        people_choices,
        team_choices,
        subject_choices,
        role_choices,
        rater_options,
        error,
        cycle: view.cycle,
    })
}

/// GET /cycles/{id}
async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
    Query(query): Query<NoticeQuery>,
) -> Result<ShowPage, AppError> {
    let view = view_of(&state, &viewer, &raw).await?;
    show_page(&state, &viewer, view, query.notice(), None).await
}

/// After a refused action on the cycle page: the page again, with the reason.
async fn refused(
    state: &AppState,
    viewer: &Viewer,
    raw: &str,
    e: AppError,
) -> Result<Response, AppError> {
    let status = match &e {
        AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::Conflict { .. } => StatusCode::CONFLICT,
        _ => return Err(e),
    };
    let view = view_of(state, viewer, raw).await?;
    let page = show_page(state, viewer, view, None, Some(e.message())).await?;
    Ok((status, page).into_response())
}

fn back(id: i64) -> Response {
    Redirect::to(&format!("/cycles/{id}?saved=1")).into_response()
}

#[derive(Debug, Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    status: String,
}

/// POST /cycles/{id}/status — open, close, reopen.
async fn set_status(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
    CsrfForm(form): CsrfForm<StatusForm>,
) -> Result<Response, AppError> {
    let view = view_of(&state, &viewer, &raw).await?;
    managed(&view)?;
    let done = match form.status.parse::<CycleStatus>() {
        Ok(s) => state
            .store
            .set_cycle_status(viewer.org.id, view.cycle.id, s, &viewer.actor())
            .await
            .map_err(AppError::from),
        Err(m) => Err(AppError::invalid("status", m)),
    };
    match done {
        Ok(c) => Ok(back(c.id)),
        Err(e) => refused(&state, &viewer, &raw, e).await,
    }
}

/// POST /cycles/{id}/delete — only a draft without ratings.
async fn delete(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, AppError> {
    let view = view_of(&state, &viewer, &raw).await?;
    managed(&view)?;
    match state
        .store
        .delete_cycle(viewer.org.id, view.cycle.id, &viewer.actor())
        .await
    {
        Ok(()) => Ok(Redirect::to("/cycles?deleted=1").into_response()),
        Err(e) => refused(&state, &viewer, &raw, e.into()).await,
    }
}

/// A form with nothing but its CSRF token.
#[derive(Debug, Deserialize)]
pub struct NoFields {}

#[derive(Debug, Deserialize)]
pub struct ParticipantsForm {
    #[serde(default)]
    person: String,
    #[serde(default)]
    team: String,
}

/// POST /cycles/{id}/participants — a person or a whole team.
async fn add_participants(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
    CsrfForm(form): CsrfForm<ParticipantsForm>,
) -> Result<Response, AppError> {
    let view = view_of(&state, &viewer, &raw).await?;
    let mut who = Vec::new();
    if !form.person.trim().is_empty() {
        match PersonId::parse(&form.person) {
            Ok(p) => who.push(ParticipantRef::Person(p)),
            Err(m) => return refused(&state, &viewer, &raw, AppError::invalid("person", m)).await,
        }
    }
    if !form.team.trim().is_empty() {
        match form.team.trim().parse::<i64>() {
            Ok(t) => who.push(ParticipantRef::Team(t)),
            Err(_) => {
                return refused(
                    &state,
                    &viewer,
                    &raw,
                    AppError::invalid("team", "choose a team"),
                )
                .await;
            }
        }
    }
    if who.is_empty() {
        let e = AppError::invalid("participants", "choose a person or a team to add");
        return refused(&state, &viewer, &raw, e).await;
    }
    if let Err(e) = check_participants(&view, &viewer.scope, &who) {
        return refused(&state, &viewer, &raw, e).await;
    }
    match state
        .store
        .add_participants(viewer.org.id, view.cycle.id, &who, &viewer.actor())
        .await
    {
        Ok(_) => Ok(back(view.cycle.id)),
        Err(e) => refused(&state, &viewer, &raw, e.into()).await,
    }
}

#[derive(Debug, Deserialize)]
pub struct SubjectForm {
    #[serde(default)]
    subject: String,
}

/// The subject named by a form, when the viewer sees them; else a 404.
fn seen_subject(view: &CycleView, raw: &str) -> Result<PersonId, AppError> {
    PersonId::parse(raw)
        .ok()
        .filter(|p| view.sees(p.as_str()))
        .ok_or(AppError::NotFound)
}

/// POST /cycles/{id}/participants/remove
async fn remove_participant(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
    CsrfForm(form): CsrfForm<SubjectForm>,
) -> Result<Response, AppError> {
    let view = view_of(&state, &viewer, &raw).await?;
    let subject = seen_subject(&view, &form.subject)?;
    match state
        .store
        .remove_participant(viewer.org.id, view.cycle.id, &subject, &viewer.actor())
        .await
    {
        Ok(()) => Ok(back(view.cycle.id)),
        Err(e) => refused(&state, &viewer, &raw, e.into()).await,
    }
}

#[derive(Debug, Deserialize)]
pub struct RaterForm {
    #[serde(default)]
    subject: String,
    #[serde(default)]
    rater: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    status: String,
}

/// POST /cycles/{id}/raters — the manager's choice of a peer or coach (approved at once).
async fn assign_rater(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
    CsrfForm(form): CsrfForm<RaterForm>,
) -> Result<Response, AppError> {
    let view = view_of(&state, &viewer, &raw).await?;
    let subject = seen_subject(&view, &form.subject)?;
    let parsed = (|| {
        let rater = PersonId::parse(&form.rater).map_err(|m| AppError::invalid("rater", m))?;
        let role = form
            .role
            .parse::<RaterRole>()
            .map_err(|m| AppError::invalid("role", m))?;
        Ok::<_, AppError>(NewAssignment {
            subject,
            rater,
            role,
            status: AssignmentStatus::Approved,
        })
    })();
    let done = match parsed {
        Ok(a) => state
            .store
            .assign_rater(viewer.org.id, view.cycle.id, &a, &viewer.actor())
            .await
            .map_err(AppError::from),
        Err(e) => Err(e),
    };
    match done {
        Ok(_) => Ok(back(view.cycle.id)),
        Err(e) => refused(&state, &viewer, &raw, e).await,
    }
}

/// POST /cycles/{id}/raters/status — approve or decline a nominated peer.
async fn decide_rater(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
    CsrfForm(form): CsrfForm<RaterForm>,
) -> Result<Response, AppError> {
    let view = view_of(&state, &viewer, &raw).await?;
    let subject = seen_subject(&view, &form.subject)?;
    let rater = PersonId::parse(&form.rater).map_err(|_| AppError::NotFound)?;
    let done = match form.status.parse::<AssignmentStatus>() {
        Ok(s) => state
            .store
            .set_assignment_status(
                viewer.org.id,
                view.cycle.id,
                &subject,
                &rater,
                s,
                &viewer.actor(),
            )
            .await
            .map_err(AppError::from),
        Err(m) => Err(AppError::invalid("status", m)),
    };
    match done {
        Ok(_) => Ok(back(view.cycle.id)),
        Err(e) => refused(&state, &viewer, &raw, e).await,
    }
}

/// POST /cycles/{id}/raters/remove
async fn remove_rater(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
    CsrfForm(form): CsrfForm<RaterForm>,
) -> Result<Response, AppError> {
    let view = view_of(&state, &viewer, &raw).await?;
    let subject = seen_subject(&view, &form.subject)?;
    let rater = PersonId::parse(&form.rater).map_err(|_| AppError::NotFound)?;
    match state
        .store
        .remove_assignment(
            viewer.org.id,
            view.cycle.id,
            &subject,
            &rater,
            &viewer.actor(),
        )
        .await
    {
        Ok(()) => Ok(back(view.cycle.id)),
        Err(e) => refused(&state, &viewer, &raw, e.into()).await,
    }
}

// --- completion ------------------------------------------------------------------------

#[derive(Debug)]
struct CountRow {
    name: String,
    id: String,
    counts: CompletionCounts,
    /// Submitted share, 0–100 (for the bar).
    percent: u32,
}

fn percent(c: &CompletionCounts) -> u32 {
    (c.submitted * 100).checked_div(c.assigned).unwrap_or(0)
}

#[derive(Template, WebTemplate)]
#[template(path = "cycles_completion.html")]
struct CompletionPage {
    layout: Layout,
    cycle: Cycle,
    href: String,
    due: String,
    past_due: bool,
    totals: CompletionCounts,
    total_percent: u32,
    raters: Vec<CountRow>,
    subjects: Vec<CountRow>,
}

impl CompletionPage {
    /// The progress bar's CSS class for a share, to the nearest 10 % (a full bar only when
    /// everything is in; no inline styles under CSP).
    fn bar_class(&self, percent: &u32) -> String {
        let step = if *percent >= 100 {
            100
        } else {
            ((percent + 5) / 10 * 10).min(90)
        };
        format!("bar-{step}")
    }
}

/// GET /cycles/{id}/completion
async fn completion(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
) -> Result<CompletionPage, AppError> {
    let view = view_of(&state, &viewer, &raw).await?;
    let c = scoped_completion(state.store.as_ref(), viewer.org.id, &view, today()).await?;
    let raters = c
        .raters
        .iter()
        .map(|r| CountRow {
            name: r.name.clone(),
            id: r.rater.as_str().to_owned(),
            counts: r.counts,
            percent: percent(&r.counts),
        })
        .collect();
    let subjects = c
        .subjects
        .iter()
        .map(|s| CountRow {
            name: s.name.clone(),
            id: s.subject.as_str().to_owned(),
            counts: s.counts,
            percent: percent(&s.counts),
        })
        .collect();
    Ok(CompletionPage {
        layout: Layout::new(
            &viewer,
            format!("Completion of {}", view.cycle.name),
            Section::Cycles,
        ),
        href: format!("/cycles/{}", view.cycle.id),
        due: date_text(c.due_date),
        past_due: c.past_due,
        totals: c.totals,
        total_percent: percent(&c.totals),
        raters,
        subjects,
        cycle: view.cycle,
    })
}

/// GET /cycles/{id}/completion/outstanding.csv — raters with sheets still to submit.
async fn outstanding_csv(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
) -> Result<Response, AppError> {
    let view = view_of(&state, &viewer, &raw).await?;
    let c = scoped_completion(state.store.as_ref(), viewer.org.id, &view, today()).await?;
    let mut body = Vec::new();
    crate::transfer::reminders::write_outstanding(&c, &mut body)
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok(crate::web::csv_download(
        &format!("outstanding-{}", view.cycle.name.as_str()),
        body,
    ))
}
