//! People pages: the list with search and team filter, a person's record, and the create,
//! edit and delete forms.
//!
//! Who sees whom is the viewer's [`Scope`]: admins and leaders the whole organisation,
//! managers and coaches their teams, a seller only their own record. A person outside the
//! scope answers 404 exactly like one that does not exist. Form inputs carry the people.csv
//! column names and go through [`PersonInput::from_text`], so the web form, the API and the
//! importer give the same messages. A manager may only place people in their own teams and
//! under managers they can see.
//!
//! A person's page also shows their outcomes (periods × metrics, each value in its metric's
//! unit) and, for those who record outcomes (admins, leaders, managers within their scope),
//! a small form to add, replace or delete one (`POST /people/{id}/outcomes`, CSRF-checked,
//! per-field messages on a 422 like the person form).
//!
//! The form helpers here ([`FormField`], [`Choice`], [`form_errors`]) are shared with the
//! team and settings pages.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use sellerq_domain::outcome::{
    DEFAULT_METRIC, Metric, OutcomeInput, OutcomeText, can_record_outcomes, check_metric_key,
    check_period,
};
use sellerq_domain::person::PersonText;
use sellerq_domain::{
    FieldError, FieldErrors, Person, PersonId, PersonInput, Role, TRAILING_INDICATORS,
    TrailingIndicator,
};
use sellerq_store::{OutcomeFilter, OutcomeRecord, PeopleFilter, Scope, StoreError};
use serde::Deserialize;

use super::url_segment;
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::forms::CsrfForm;
use crate::web::layout::{Layout, Section};
use crate::web::session::Viewer;

/// The people routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/people", get(list).post(create))
        .route("/people/new", get(new_form))
        .route("/people/{id}", get(show).post(update))
        .route("/people/{id}/edit", get(edit_form))
        .route("/people/{id}/delete", post(delete))
        .route("/people/{id}/outcomes", post(save_outcome))
}

// --- shared form and table helpers -----------------------------------------------------

/// One `<option>` of a `<select>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

impl Choice {
    pub fn new(value: impl Into<String>, label: impl Into<String>, current: &str) -> Self {
        let value = value.into();
        let selected = value == current;
        Self {
            value,
            label: label.into(),
            selected,
        }
    }
}

/// How an input is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Text,
    Email,
    Date,
    /// A text input with `inputmode="decimal"`: the server's validation speaks, not the
    /// browser's number widget.
    Decimal,
    Select,
    TextArea,
}

/// One labelled input of a form, with its value and its message.
#[derive(Debug, Clone)]
pub(super) struct FormField {
    pub name: &'static str,
    pub label: &'static str,
    pub kind: Kind,
    pub value: String,
    pub hint: Option<String>,
    pub error: Option<String>,
    pub required: bool,
    pub autocomplete: Option<&'static str>,
    pub options: Vec<Choice>,
}

impl FormField {
    pub fn new(name: &'static str, label: &'static str, kind: Kind, value: &str) -> Self {
        Self {
            name,
            label,
            kind,
            value: value.to_owned(),
            hint: None,
            error: None,
            required: false,
            autocomplete: None,
            options: Vec::new(),
        }
    }

    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn autocomplete(mut self, token: &'static str) -> Self {
        self.autocomplete = Some(token);
        self
    }

    pub fn options(mut self, options: Vec<Choice>) -> Self {
        self.options = options;
        self
    }

    /// The `type` of an `<input>`.
    pub fn input_type(&self) -> &'static str {
        match self.kind {
            Kind::Email => "email",
            Kind::Date => "date",
            _ => "text",
        }
    }

    pub fn is_select(&self) -> bool {
        self.kind == Kind::Select
    }

    pub fn is_textarea(&self) -> bool {
        self.kind == Kind::TextArea
    }

    pub fn is_decimal(&self) -> bool {
        self.kind == Kind::Decimal
    }

    /// The ids `aria-describedby` names: the hint, then the error.
    pub fn described_by(&self) -> String {
        let mut ids = Vec::new();
        if self.hint.is_some() {
            ids.push(format!("{}-hint", self.name));
        }
        if self.error.is_some() {
            ids.push(format!("{}-error", self.name));
        }
        ids.join(" ")
    }
}

/// One line of a form's error summary: a link to the input, or plain text when the problem
/// is not about one of the form's inputs.
#[derive(Debug, Clone)]
pub(super) struct ErrorLine {
    pub href: Option<String>,
    pub text: String,
}

/// Puts each field's first message beside its input and returns the summary lines.
pub(super) fn attach_errors(fields: &mut [FormField], errors: &FieldErrors) -> Vec<ErrorLine> {
    for f in fields.iter_mut() {
        f.error = errors.get(f.name).map(str::to_owned);
    }
    errors
        .0
        .iter()
        .map(|e| match fields.iter().find(|f| f.name == e.field) {
            Some(f) => ErrorLine {
                href: Some(format!("#{}", f.name)),
                text: format!("{}: {}", f.label, e.message),
            },
            None => ErrorLine {
                href: None,
                text: e.to_string(),
            },
        })
        .collect()
}

/// The per-field messages of a rejected write (validation, or the store's uniqueness and
/// reference rules), or the error itself when it is not about the input.
pub(super) fn form_errors(e: AppError) -> Result<FieldErrors, AppError> {
    match e {
        AppError::Invalid(errs) => Ok(errs),
        AppError::Conflict { field, message } => Ok(FieldError::new(field, message).into()),
        other => Err(other),
    }
}

/// A link, or plain text when the viewer may not follow it.
#[derive(Debug, Clone)]
pub(super) struct Link {
    pub text: String,
    pub href: Option<String>,
}

/// A trailing indicator's value for tables: quota as a percentage, the rest as numbers.
pub(super) fn fmt_indicator(key: &str, v: Option<f64>) -> String {
    match v {
        None => "—".into(),
        Some(v) if key == "quota_track_record" => format!("{:.0} %", v * 100.0),
        Some(v) if v.fract() == 0.0 => format!("{v:.0}"),
        Some(v) => format!("{v:.1}"),
    }
}

/// A number as an input's value (exactly as stored, `.` decimal point).
fn input_number(v: Option<f64>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// The `href` of a person's page.
pub(super) fn person_href(id: &PersonId) -> String {
    format!("/people/{}", url_segment(id.as_str()))
}

/// One row of a people table.
#[derive(Debug, Clone)]
pub(super) struct PersonRow {
    pub href: String,
    pub name: String,
    pub id: String,
    pub team: Option<Link>,
    pub manager: Option<Link>,
    pub hire_date: String,
    pub trailing: Vec<String>,
}

/// Table rows for `people`; `managers` comes from [`manager_links`].
pub(super) fn person_rows(
    viewer: &Viewer,
    people: &[Person],
    managers: &HashMap<String, Link>,
) -> Vec<PersonRow> {
    people
        .iter()
        .map(|p| PersonRow {
            href: person_href(&p.id),
            name: p.name.clone(),
            id: p.id.as_str().to_owned(),
            team: p.team.as_ref().map(|t| Link {
                text: t.clone(),
                href: p
                    .team_id
                    .filter(|id| team_visible(viewer, *id))
                    .map(|id| format!("/teams/{id}")),
            }),
            manager: p.manager.as_ref().map(|m| {
                managers.get(m.as_str()).cloned().unwrap_or_else(|| Link {
                    text: m.as_str().to_owned(),
                    href: None,
                })
            }),
            hire_date: p.hire_date_text(),
            trailing: TRAILING_INDICATORS
                .iter()
                .map(|ind| fmt_indicator(ind.key, p.trailing(ind.key)))
                .collect(),
        })
        .collect()
}

/// May the viewer open the team's page?
pub(super) fn team_visible(viewer: &Viewer, team_id: i64) -> bool {
    viewer.role.can_view_teams() && viewer.scope.sees_team(team_id)
}

/// Everyone the viewer sees, by id, with their names.
pub(super) async fn visible_names(
    state: &AppState,
    viewer: &Viewer,
) -> Result<(Vec<Person>, HashMap<String, String>), AppError> {
    let everyone = state
        .store
        .list_people(
            viewer.org.id,
            &PeopleFilter {
                scope: viewer.scope.clone(),
                search: None,
                team_id: None,
            },
        )
        .await?;
    let names = everyone
        .iter()
        .map(|p| (p.id.as_str().to_owned(), p.name.clone()))
        .collect();
    Ok((everyone, names))
}

/// A person named on a page: a link when the viewer may open their record, else the name
/// alone (a report's manager may sit outside the viewer's scope), else the bare id.
pub(super) async fn person_link(
    state: &AppState,
    viewer: &Viewer,
    visible: &HashMap<String, String>,
    id: &PersonId,
) -> Result<Link, AppError> {
    if let Some(name) = visible.get(id.as_str()) {
        return Ok(Link {
            text: name.clone(),
            href: Some(person_href(id)),
        });
    }
    Ok(match state.store.person(viewer.org.id, id).await? {
        Some(p) => Link {
            text: p.name,
            href: None,
        },
        None => Link {
            text: id.as_str().to_owned(),
            href: None,
        },
    })
}

/// The managers of `people`, by id, as [`person_link`]s (each looked up once).
pub(super) async fn manager_links(
    state: &AppState,
    viewer: &Viewer,
    people: &[Person],
    visible: &HashMap<String, String>,
) -> Result<HashMap<String, Link>, AppError> {
    let mut out = HashMap::new();
    for m in people.iter().filter_map(|p| p.manager.as_ref()) {
        if !out.contains_key(m.as_str()) {
            let link = person_link(state, viewer, visible, m).await?;
            out.insert(m.as_str().to_owned(), link);
        }
    }
    Ok(out)
}

/// The person with this id in the viewer's scope; 404 when unknown *or* out of scope.
async fn visible_person(state: &AppState, viewer: &Viewer, raw: &str) -> Result<Person, AppError> {
    let id = PersonId::parse(raw).map_err(|_| AppError::NotFound)?;
    state
        .store
        .person(viewer.org.id, &id)
        .await?
        .filter(|p| viewer.scope.sees_person(p))
        .ok_or(AppError::NotFound)
}

#[derive(Debug, Deserialize, Default)]
pub struct NoticeQuery {
    saved: Option<String>,
    deleted: Option<String>,
    outcome_saved: Option<String>,
    outcome_deleted: Option<String>,
}

impl NoticeQuery {
    pub(super) fn notice(&self) -> Option<String> {
        if self.deleted.is_some() {
            Some("Deleted.".into())
        } else if self.outcome_saved.is_some() {
            Some("Outcome saved.".into())
        } else if self.outcome_deleted.is_some() {
            Some("Outcome deleted.".into())
        } else {
            self.saved.as_ref().map(|_| "Saved.".into())
        }
    }
}

// --- the list ------------------------------------------------------------------------

#[derive(Debug, Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    team: String,
    saved: Option<String>,
    deleted: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "people_list.html")]
struct ListPage {
    layout: Layout,
    q: String,
    teams: Vec<Choice>,
    rows: Vec<PersonRow>,
    indicators: &'static [TrailingIndicator],
    filtered: bool,
    can_create: bool,
}

/// GET /people?q=&team=
async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(query): Query<ListQuery>,
) -> Result<ListPage, AppError> {
    viewer.require(viewer.role.can_list_people())?;
    let search = Some(query.q.trim().to_owned()).filter(|s| !s.is_empty());
    // An unreadable team filter is no filter, not an error page.
    let team_id = query.team.trim().parse::<i64>().ok();
    let teams = state.store.list_teams(viewer.org.id, &viewer.scope).await?;
    let (everyone, names) = visible_names(&state, &viewer).await?;
    let people = if search.is_none() && team_id.is_none() {
        everyone
    } else {
        let filter = PeopleFilter {
            scope: viewer.scope.clone(),
            search,
            team_id,
        };
        state.store.list_people(viewer.org.id, &filter).await?
    };
    let managers = manager_links(&state, &viewer, &people, &names).await?;
    let team_value = team_id.map(|id| id.to_string()).unwrap_or_default();
    let mut choices = vec![Choice::new("", "All teams", &team_value)];
    choices.extend(
        teams
            .iter()
            .map(|t| Choice::new(t.team.id.to_string(), &t.team.name, &team_value)),
    );
    let notice = NoticeQuery {
        saved: query.saved,
        deleted: query.deleted,
        ..NoticeQuery::default()
    }
    .notice();
    Ok(ListPage {
        layout: Layout::new(&viewer, "People", Section::People).with_notice(notice),
        q: query.q.trim().to_owned(),
        teams: choices,
        rows: person_rows(&viewer, &people, &managers),
        indicators: &TRAILING_INDICATORS,
        filtered: !query.q.trim().is_empty() || team_id.is_some(),
        can_create: viewer.role.can_edit_people(),
    })
}

// --- a person's record -----------------------------------------------------------------

/// A trailing indicator on a person's page.
#[derive(Debug)]
struct IndicatorLine {
    label: &'static str,
    help: &'static str,
    value: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "people_show.html")]
struct ShowPage {
    layout: Layout,
    person: Person,
    href: String,
    email: String,
    hire_date: String,
    team: Option<Link>,
    manager: Option<Link>,
    indicators: Vec<IndicatorLine>,
    reports: Option<Vec<Link>>,
    can_edit: bool,
    can_delete: bool,
    error: Option<String>,
    outcomes: OutcomesSection,
}

async fn show_page(
    state: &AppState,
    viewer: &Viewer,
    person: Person,
    notice: Option<String>,
    error: Option<String>,
) -> Result<ShowPage, AppError> {
    show_page_with(state, viewer, person, notice, error, None).await
}

async fn show_page_with(
    state: &AppState,
    viewer: &Viewer,
    person: Person,
    notice: Option<String>,
    error: Option<String>,
    outcome_form: Option<(&OutcomeForm, &FieldErrors)>,
) -> Result<ShowPage, AppError> {
    let outcomes = outcomes_section(state, viewer, &person, outcome_form).await?;
    let manager = match &person.manager {
        None => None,
        Some(m) => Some(match state.store.person(viewer.org.id, m).await? {
            Some(mp) if viewer.scope.sees_person(&mp) => Link {
                text: mp.name,
                href: Some(person_href(m)),
            },
            // The line manager's name belongs to the record even when their own record is
            // out of the viewer's scope (a seller's manager): named, not linked.
            Some(mp) => Link {
                text: mp.name,
                href: None,
            },
            None => Link {
                text: m.as_str().to_owned(),
                href: None,
            },
        }),
    };
    let reports = if viewer.role.can_list_people() {
        let (everyone, _) = visible_names(state, viewer).await?;
        Some(
            everyone
                .into_iter()
                .filter(|p| p.manager.as_ref() == Some(&person.id))
                .map(|p| Link {
                    href: Some(person_href(&p.id)),
                    text: p.name,
                })
                .collect(),
        )
    } else {
        None
    };
    let section = if matches!(&viewer.scope, Scope::Person(Some(me)) if *me == person.id) {
        Section::Profile
    } else {
        Section::People
    };
    Ok(ShowPage {
        layout: Layout::new(viewer, person.name.clone(), section).with_notice(notice),
        href: person_href(&person.id),
        email: person
            .email
            .as_ref()
            .map(|e| e.to_string())
            .unwrap_or_default(),
        hire_date: person.hire_date_text(),
        team: person.team.as_ref().map(|t| Link {
            text: t.clone(),
            href: person
                .team_id
                .filter(|id| team_visible(viewer, *id))
                .map(|id| format!("/teams/{id}")),
        }),
        manager,
        indicators: TRAILING_INDICATORS
            .iter()
            .map(|ind| IndicatorLine {
                label: ind.label,
                help: ind.help,
                value: fmt_indicator(ind.key, person.trailing(ind.key)),
            })
            .collect(),
        reports,
        can_edit: viewer.role.can_edit_people(),
        can_delete: viewer.role.can_delete_people(),
        error,
        outcomes,
        person,
    })
}

/// GET /people/{id}
async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
    Query(query): Query<NoticeQuery>,
) -> Result<ShowPage, AppError> {
    viewer.require(viewer.role.can_list_people() || viewer.role == Role::Seller)?;
    let person = visible_person(&state, &viewer, &raw).await?;
    show_page(&state, &viewer, person, query.notice(), None).await
}

/// POST /people/{id}/delete
async fn delete(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
    CsrfForm(_): CsrfForm<serde::de::IgnoredAny>,
) -> Result<Response, AppError> {
    viewer.require(viewer.role.can_delete_people())?;
    let person = visible_person(&state, &viewer, &raw).await?;
    match state
        .store
        .delete_person(viewer.org.id, &person.id, &viewer.actor())
        .await
    {
        Ok(()) => Ok(Redirect::to("/people?deleted=1").into_response()),
        Err(StoreError::Conflict { message, .. }) => {
            let page = show_page(&state, &viewer, person, None, Some(message)).await?;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

// --- outcomes on a person's page -----------------------------------------------------------

/// A metric as a column of the outcomes table.
#[derive(Debug)]
struct MetricHead {
    label: String,
    /// The unit as shown (`%` for a ratio), empty when none.
    unit: String,
}

/// One period's values, one cell per [`MetricHead`] (`—` when none).
#[derive(Debug)]
struct PeriodRow {
    period: String,
    cells: Vec<String>,
}

/// The add / replace / delete form of the outcomes section.
#[derive(Debug)]
struct OutcomeFormView {
    action: String,
    fields: Vec<FormField>,
    summary: Vec<ErrorLine>,
}

/// The outcomes section of a person's page.
#[derive(Debug)]
struct OutcomesSection {
    heads: Vec<MetricHead>,
    rows: Vec<PeriodRow>,
    /// For those who may record outcomes.
    form: Option<OutcomeFormView>,
}

/// The outcome form's body. `action` is `save` (add or replace) or `delete`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct OutcomeForm {
    period: String,
    metric: String,
    value: String,
    action: String,
}

/// The table of `records` (one person's): the metrics that hold a value, in the
/// organisation's order, against the periods, oldest first.
fn outcome_table(
    metrics: &[Metric],
    records: &[OutcomeRecord],
) -> (Vec<MetricHead>, Vec<PeriodRow>) {
    let used: Vec<&Metric> = metrics
        .iter()
        .filter(|m| records.iter().any(|r| r.metric == m.key))
        .collect();
    let mut periods: Vec<&str> = records.iter().map(|r| r.period.as_str()).collect();
    periods.sort_unstable();
    periods.dedup();
    let heads = used
        .iter()
        .map(|m| MetricHead {
            label: m.label.clone(),
            unit: if m.is_ratio() {
                "%".to_owned()
            } else {
                m.unit.clone()
            },
        })
        .collect();
    let rows = periods
        .iter()
        .map(|period| PeriodRow {
            period: (*period).to_owned(),
            cells: used
                .iter()
                .map(|m| {
                    records
                        .iter()
                        .find(|r| r.period == *period && r.metric == m.key)
                        .map_or_else(|| "—".to_owned(), |r| m.format_value(r.value))
                })
                .collect(),
        })
        .collect();
    (heads, rows)
}

async fn outcomes_section(
    state: &AppState,
    viewer: &Viewer,
    person: &Person,
    form: Option<(&OutcomeForm, &FieldErrors)>,
) -> Result<OutcomesSection, AppError> {
    let metrics = state.store.metrics(viewer.org.id).await?;
    let records = state
        .store
        .outcomes(
            viewer.org.id,
            &OutcomeFilter {
                subject: Some(person.id.clone()),
                metric: None,
            },
        )
        .await?;
    let (heads, rows) = outcome_table(&metrics, &records);
    let form = if can_record_outcomes(viewer.role) {
        let (empty, no_errors) = (OutcomeForm::default(), FieldErrors::default());
        let (values, errors) = form.unwrap_or((&empty, &no_errors));
        let metric = match values.metric.trim() {
            "" => DEFAULT_METRIC,
            m => m,
        };
        let mut options: Vec<Choice> = metrics
            .iter()
            .map(|m| {
                let label = if m.unit.is_empty() {
                    m.label.clone()
                } else {
                    format!("{} ({})", m.label, m.unit)
                };
                Choice::new(m.key.clone(), label, metric)
            })
            .collect();
        if !options.iter().any(|c| c.selected) {
            options.push(Choice::new(metric, metric, metric));
        }
        let mut fields = vec![
            FormField::new("period", "Period", Kind::Text, &values.period)
                .required()
                .autocomplete("off")
                .hint("YYYY-Qn, YYYY-Hn, YYYY-MM or YYYY, e.g. 2026-Q3."),
            FormField::new("metric", "Metric", Kind::Select, metric)
                .required()
                .options(options),
            FormField::new("value", "Value", Kind::Decimal, &values.value).hint(
                "Use . as the decimal point. A ratio is 1.0 for 100 %: 0.95 is 95 %. \
                 Not needed to delete.",
            ),
        ];
        let summary = attach_errors(&mut fields, errors);
        Some(OutcomeFormView {
            action: format!("{}/outcomes", person_href(&person.id)),
            fields,
            summary,
        })
    } else {
        None
    };
    Ok(OutcomesSection { heads, rows, form })
}

/// POST /people/{id}/outcomes — records (`action=save`) or deletes (`action=delete`) one
/// outcome of the person.
async fn save_outcome(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
    CsrfForm(form): CsrfForm<OutcomeForm>,
) -> Result<Response, AppError> {
    viewer.require(can_record_outcomes(viewer.role))?;
    let person = visible_person(&state, &viewer, &raw).await?;
    let href = person_href(&person.id);
    let errs =
        if form.action == "delete" {
            let (period, metric) = (form.period.trim(), form.metric.trim());
            let mut errs = FieldErrors::default();
            if period.is_empty() {
                errs.push("period", "is required");
            } else if let Err(m) = check_period(period) {
                errs.push("period", m);
            }
            if let Err(m) = check_metric_key(metric) {
                errs.push("metric", m);
            }
            if errs.is_empty() {
                match state
                    .store
                    .delete_outcome(viewer.org.id, &person.id, period, metric, &viewer.actor())
                    .await
                {
                    Ok(()) => {
                        return Ok(Redirect::to(&format!("{href}?outcome_deleted=1#outcomes"))
                            .into_response());
                    }
                    Err(StoreError::NotFound(_)) => {
                        errs.push(
                            "period",
                            format!("no {metric} outcome is recorded for {period}"),
                        );
                    }
                    Err(e) => errs = form_errors(e.into())?,
                }
            }
            errs
        } else {
            let parsed = OutcomeInput::from_text(&OutcomeText {
                subject: person.id.as_str(),
                period: &form.period,
                metric: &form.metric,
                value: &form.value,
            });
            match parsed {
                Ok(input) => match state
                    .store
                    .set_outcome(viewer.org.id, &input, &viewer.actor())
                    .await
                {
                    Ok(_) => {
                        return Ok(Redirect::to(&format!("{href}?outcome_saved=1#outcomes"))
                            .into_response());
                    }
                    Err(e) => form_errors(e.into())?,
                },
                Err(errs) => errs,
            }
        };
    let page = show_page_with(&state, &viewer, person, None, None, Some((&form, &errs))).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

// --- create and edit ---------------------------------------------------------------------

/// The form body: one field per people.csv column.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PersonForm {
    id: String,
    name: String,
    email: String,
    team: String,
    manager: String,
    hire_date: String,
    years_experience: String,
    quota_track_record: String,
    tenure_years: String,
    vip_connections: String,
    domain_expertise: String,
}

impl PersonForm {
    fn text(&self) -> PersonText<'_> {
        PersonText {
            id: &self.id,
            name: &self.name,
            email: &self.email,
            team: &self.team,
            manager: &self.manager,
            hire_date: &self.hire_date,
            years_experience: &self.years_experience,
            quota_track_record: &self.quota_track_record,
            tenure_years: &self.tenure_years,
            vip_connections: &self.vip_connections,
            domain_expertise: &self.domain_expertise,
        }
    }

    fn of(p: &Person) -> Self {
        Self {
            id: p.id.as_str().to_owned(),
            name: p.name.clone(),
            email: p.email.as_ref().map(|e| e.to_string()).unwrap_or_default(),
            team: p.team.clone().unwrap_or_default(),
            manager: p
                .manager
                .as_ref()
                .map(|m| m.as_str().to_owned())
                .unwrap_or_default(),
            hire_date: p.hire_date_text(),
            years_experience: input_number(p.years_experience),
            quota_track_record: input_number(p.quota_track_record),
            tenure_years: input_number(p.tenure_years),
            vip_connections: input_number(p.vip_connections),
            domain_expertise: input_number(p.domain_expertise),
        }
    }

    fn trailing(&self, key: &str) -> &str {
        match key {
            "years_experience" => &self.years_experience,
            "quota_track_record" => &self.quota_track_record,
            "tenure_years" => &self.tenure_years,
            "vip_connections" => &self.vip_connections,
            "domain_expertise" => &self.domain_expertise,
            _ => "",
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "people_form.html")]
struct FormPage {
    layout: Layout,
    heading: String,
    action: String,
    submit: &'static str,
    cancel: String,
    fields: Vec<FormField>,
    trailing: Vec<FormField>,
    summary: Vec<ErrorLine>,
}

/// The team and manager choices the viewer may pick for a person.
async fn choices(
    state: &AppState,
    viewer: &Viewer,
    form: &PersonForm,
    editing: Option<&Person>,
) -> Result<(Vec<Choice>, Vec<Choice>), AppError> {
    let team = form.team.trim();
    let mut teams = Vec::new();
    if viewer.scope == Scope::Organisation || team.is_empty() {
        teams.push(Choice::new("", "— No team —", team));
    }
    for t in state.store.list_teams(viewer.org.id, &viewer.scope).await? {
        teams.push(Choice::new(t.team.name.clone(), t.team.name, team));
    }
    if !team.is_empty() && !teams.iter().any(|c| c.selected) {
        teams.push(Choice::new(team, team, team));
    }

    let manager = form.manager.trim();
    let (mut everyone, _) = visible_names(state, viewer).await?;
    if let Scope::Teams {
        reports_of: Some(me),
        ..
    } = &viewer.scope
        && !everyone.iter().any(|p| &p.id == me)
        && let Some(own) = state.store.person(viewer.org.id, me).await?
    {
        everyone.push(own);
        everyone.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.id.cmp(&b.id)));
    }
    let mut managers = vec![Choice::new("", "— None —", manager)];
    managers.extend(
        everyone
            .iter()
            .filter(|p| editing.is_none_or(|e| e.id != p.id))
            .map(|p| Choice::new(p.id.as_str(), format!("{} ({})", p.name, p.id), manager)),
    );
    if !manager.is_empty() && !managers.iter().any(|c| c.selected) {
        // The current manager may sit outside the viewer's scope: keep them, by name.
        let current = editing
            .and_then(|e| e.manager.as_ref())
            .filter(|m| m.as_str() == manager);
        let label = match current {
            Some(m) => match state.store.person(viewer.org.id, m).await? {
                Some(p) => format!("{} ({})", p.name, p.id),
                None => manager.to_owned(),
            },
            None => manager.to_owned(),
        };
        managers.push(Choice::new(manager, label, manager));
    }
    Ok((teams, managers))
}

/// A manager or coach may place people only in their own teams and under people they see;
/// an unchanged value is always allowed (a report may sit in another team).
async fn check_reach(
    state: &AppState,
    viewer: &Viewer,
    form: &PersonForm,
    current: Option<&Person>,
    errs: &mut FieldErrors,
) -> Result<(), AppError> {
    let Scope::Teams {
        team_ids,
        reports_of,
    } = &viewer.scope
    else {
        return Ok(());
    };
    let team = form.team.trim();
    let unchanged_team = current.is_some_and(|c| c.team.as_deref().unwrap_or("") == team);
    if !unchanged_team && errs.get("team").is_none() {
        let ok = !team.is_empty()
            && state
                .store
                .team_by_name(viewer.org.id, team)
                .await?
                .is_some_and(|t| team_ids.contains(&t.id));
        if !ok {
            errs.push("team", "choose one of the teams you look after");
        }
    }
    let manager = form.manager.trim();
    let unchanged_manager =
        current.is_some_and(|c| c.manager.as_ref().map(PersonId::as_str).unwrap_or("") == manager);
    if !manager.is_empty() && !unchanged_manager && errs.get("manager").is_none() {
        let ok = match PersonId::parse(manager) {
            Err(_) => true, // the parser already reported it
            Ok(id) if reports_of.as_ref() == Some(&id) => true,
            Ok(id) => state
                .store
                .person(viewer.org.id, &id)
                .await?
                .is_some_and(|p| viewer.scope.sees_person(&p)),
        };
        if !ok {
            errs.push("manager", "choose one of the people you look after");
        }
    }
    Ok(())
}

struct FormSpec<'a> {
    heading: String,
    action: String,
    submit: &'static str,
    cancel: String,
    editing: Option<&'a Person>,
}

async fn form_page(
    state: &AppState,
    viewer: &Viewer,
    spec: FormSpec<'_>,
    form: &PersonForm,
    errors: &FieldErrors,
) -> Result<FormPage, AppError> {
    let (teams, managers) = choices(state, viewer, form, spec.editing).await?;
    let mut fields = vec![
        FormField::new("id", "Id", Kind::Text, &form.id)
            .required()
            .hint("Your organisation's own id: employee number, e-mail, … (case-sensitive)."),
        FormField::new("name", "Name", Kind::Text, &form.name)
            .required()
            .autocomplete("off"),
        FormField::new("email", "E-mail", Kind::Email, &form.email)
            .autocomplete("off")
            .hint("Optional. A user with this address signs in as this person."),
        FormField::new("team", "Team", Kind::Select, &form.team).options(teams),
        FormField::new("manager", "Manager", Kind::Select, &form.manager)
            .options(managers)
            .hint("The person's line manager."),
        FormField::new("hire_date", "Hire date", Kind::Date, &form.hire_date)
            .hint("Year-month-day, for example 2024-03-01."),
    ];
    fields.extend(TRAILING_INDICATORS.iter().map(|ind| {
        FormField::new(ind.key, ind.label, Kind::Decimal, form.trailing(ind.key)).hint(ind.help)
    }));
    let mut summary = attach_errors(&mut fields, errors);
    // The summary reads in the order of the form, problems with no input of their own last.
    let order = |line: &ErrorLine| {
        line.href
            .as_deref()
            .and_then(|h| {
                fields
                    .iter()
                    .position(|f| h.strip_prefix('#') == Some(f.name))
            })
            .unwrap_or(usize::MAX)
    };
    summary.sort_by_key(order);
    let trailing = fields.split_off(fields.len() - TRAILING_INDICATORS.len());
    Ok(FormPage {
        layout: Layout::new(viewer, spec.heading.clone(), Section::People),
        heading: spec.heading,
        action: spec.action,
        submit: spec.submit,
        cancel: spec.cancel,
        fields,
        trailing,
        summary,
    })
}

#[derive(Debug, Deserialize, Default)]
pub struct NewQuery {
    #[serde(default)]
    team: String,
}

/// GET /people/new?team=ID
async fn new_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(query): Query<NewQuery>,
) -> Result<FormPage, AppError> {
    viewer.require(viewer.role.can_edit_people())?;
    let teams = state.store.list_teams(viewer.org.id, &viewer.scope).await?;
    let wanted = query.team.trim().parse::<i64>().ok();
    let team = teams
        .iter()
        .find(|t| Some(t.team.id) == wanted)
        .or(match viewer.scope {
            // A manager's people belong in one of their teams: start with the first.
            Scope::Teams { .. } => teams.first(),
            _ => None,
        })
        .map(|t| t.team.name.clone())
        .unwrap_or_default();
    let form = PersonForm {
        team,
        ..Default::default()
    };
    let spec = FormSpec {
        heading: "Add a person".into(),
        action: "/people".into(),
        submit: "Add person",
        cancel: "/people".into(),
        editing: None,
    };
    form_page(&state, &viewer, spec, &form, &FieldErrors::default()).await
}

/// POST /people
async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    CsrfForm(form): CsrfForm<PersonForm>,
) -> Result<Response, AppError> {
    viewer.require(viewer.role.can_edit_people())?;
    let parsed = PersonInput::from_text(&form.text());
    let mut errs = parsed.as_ref().err().cloned().unwrap_or_default();
    check_reach(&state, &viewer, &form, None, &mut errs).await?;
    if let (Ok(input), true) = (&parsed, errs.is_empty()) {
        match state
            .store
            .create_person(viewer.org.id, input, &viewer.actor())
            .await
        {
            Ok(p) => {
                return Ok(Redirect::to(&format!("{}?saved=1", person_href(&p.id))).into_response());
            }
            Err(e) => errs = form_errors(e.into())?,
        }
    }
    let spec = FormSpec {
        heading: "Add a person".into(),
        action: "/people".into(),
        submit: "Add person",
        cancel: "/people".into(),
        editing: None,
    };
    let page = form_page(&state, &viewer, spec, &form, &errs).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

fn edit_spec(person: &Person) -> FormSpec<'_> {
    let href = person_href(&person.id);
    FormSpec {
        heading: format!("Edit {}", person.name),
        action: href.clone(),
        submit: "Save changes",
        cancel: href,
        editing: Some(person),
    }
}

/// GET /people/{id}/edit
async fn edit_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
) -> Result<FormPage, AppError> {
    viewer.require(viewer.role.can_edit_people())?;
    let person = visible_person(&state, &viewer, &raw).await?;
    let form = PersonForm::of(&person);
    form_page(
        &state,
        &viewer,
        edit_spec(&person),
        &form,
        &FieldErrors::default(),
    )
    .await
}

/// POST /people/{id}
async fn update(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
    CsrfForm(form): CsrfForm<PersonForm>,
) -> Result<Response, AppError> {
    viewer.require(viewer.role.can_edit_people())?;
    let person = visible_person(&state, &viewer, &raw).await?;
    let parsed = PersonInput::from_text(&form.text());
    let mut errs = parsed.as_ref().err().cloned().unwrap_or_default();
    check_reach(&state, &viewer, &form, Some(&person), &mut errs).await?;
    if let (Ok(input), true) = (&parsed, errs.is_empty()) {
        match state
            .store
            .update_person(viewer.org.id, &person.id, input, &viewer.actor())
            .await
        {
            Ok(p) => {
                return Ok(Redirect::to(&format!("{}?saved=1", person_href(&p.id))).into_response());
            }
            Err(e) => errs = form_errors(e.into())?,
        }
    }
    let page = form_page(&state, &viewer, edit_spec(&person), &form, &errs).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indicators_read_as_people_expect() {
        assert_eq!(fmt_indicator("quota_track_record", Some(0.955)), "96 %");
        assert_eq!(fmt_indicator("years_experience", Some(12.0)), "12");
        assert_eq!(fmt_indicator("tenure_years", Some(2.25)), "2.2");
        assert_eq!(fmt_indicator("vip_connections", None), "—");
    }

    #[test]
    fn errors_sit_beside_their_inputs_and_in_the_summary() {
        let mut fields = vec![
            FormField::new("name", "Name", Kind::Text, ""),
            FormField::new("tenure_years", "Tenure", Kind::Decimal, "-3").hint("Years."),
        ];
        let mut errors = FieldErrors::default();
        errors.push("tenure_years", "must be at least 0");
        errors.push("person", "still rated");
        let summary = attach_errors(&mut fields, &errors);
        assert_eq!(fields[1].error.as_deref(), Some("must be at least 0"));
        assert_eq!(
            fields[1].described_by(),
            "tenure_years-hint tenure_years-error"
        );
        assert_eq!(fields[0].described_by(), "");
        assert_eq!(summary[0].href.as_deref(), Some("#tenure_years"));
        assert_eq!(summary[0].text, "Tenure: must be at least 0");
        assert_eq!(summary[1].href, None);
    }

    #[test]
    fn the_outcomes_table_has_a_column_per_metric_used_and_a_row_per_period() {
        let rec = |period: &str, metric: &str, value: f64| OutcomeRecord {
            subject: PersonId::parse("p-1").unwrap(),
            period: period.into(),
            metric: metric.into(),
            value,
        };
        let mut bookings = Metric::named("bookings");
        bookings.label = "Bookings".into();
        bookings.unit = "EUR".into();
        let metrics = vec![
            bookings,
            Metric::quota_attainment(),
            Metric::named("win_rate"),
        ];
        let (heads, rows) = outcome_table(
            &metrics,
            &[
                rec("2026-Q2", DEFAULT_METRIC, 1.05),
                rec("2026-Q1", "bookings", 120000.0),
                rec("2026-Q1", DEFAULT_METRIC, 0.9),
            ],
        );
        let labels: Vec<(&str, &str)> = heads
            .iter()
            .map(|h| (h.label.as_str(), h.unit.as_str()))
            .collect();
        assert_eq!(labels, [("Bookings", "EUR"), ("Quota attainment", "%")]);
        assert_eq!(rows[0].period, "2026-Q1");
        assert_eq!(rows[0].cells, ["120000 EUR", "90 %"]);
        assert_eq!(rows[1].cells, ["—", "105 %"]);
    }

    #[test]
    fn store_conflicts_become_field_messages() {
        let errs = form_errors(AppError::Conflict {
            field: "id".into(),
            message: "taken".into(),
        });
        assert_eq!(
            errs.ok()
                .and_then(|e| e.get("id").map(str::to_owned))
                .as_deref(),
            Some("taken")
        );
        assert!(form_errors(AppError::NotFound).is_err());
    }
}
