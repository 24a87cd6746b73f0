//! Team pages: the list, a team's page with its sub-teams and members, and the create,
//! edit and delete forms.
//!
//! Admins and leaders see and manage every team; managers and coaches see the teams in their
//! scope, read only. A team outside the scope answers 404 like one that does not exist. The
//! store refuses to delete a team that still has people or sub-teams; the page then says why.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use sellerq_domain::{FieldErrors, TRAILING_INDICATORS, Team, TeamInput, TrailingIndicator};
use sellerq_store::{PeopleFilter, StoreError, TeamSummary};
use serde::Deserialize;

use super::people::{
    Choice, ErrorLine, FormField, Kind, Link, NoticeQuery, PersonRow, attach_errors, form_errors,
    manager_links, person_href, person_link, person_rows, team_visible, visible_names,
};
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::forms::CsrfForm;
use crate::web::layout::{Layout, Section};
use crate::web::session::Viewer;

/// The team routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/teams", get(list).post(create))
        .route("/teams/new", get(new_form))
        .route("/teams/{id}", get(show).post(update))
        .route("/teams/{id}/edit", get(edit_form))
        .route("/teams/{id}/delete", post(delete))
}

/// The team with this id in the viewer's scope; 404 when unknown, malformed or out of scope.
async fn visible_team(state: &AppState, viewer: &Viewer, raw: &str) -> Result<Team, AppError> {
    let id = raw.parse::<i64>().map_err(|_| AppError::NotFound)?;
    if !viewer.scope.sees_team(id) {
        return Err(AppError::NotFound);
    }
    state
        .store
        .team(viewer.org.id, id)
        .await?
        .ok_or(AppError::NotFound)
}

// --- the list ------------------------------------------------------------------------

/// One row of the team list.
#[derive(Debug)]
struct TeamRow {
    href: String,
    name: String,
    parent: Option<Link>,
    manager: Option<Link>,
    people: i64,
}

/// `visible` maps the people the viewer may open to their names (see [`visible_names`]).
fn team_rows(
    viewer: &Viewer,
    teams: &[TeamSummary],
    visible: &HashMap<String, String>,
) -> Vec<TeamRow> {
    teams
        .iter()
        .map(|t| TeamRow {
            href: format!("/teams/{}", t.team.id),
            name: t.team.name.clone(),
            parent: t.parent_name.as_ref().map(|name| Link {
                text: name.clone(),
                href: t
                    .team
                    .parent_id
                    .filter(|id| team_visible(viewer, *id))
                    .map(|id| format!("/teams/{id}")),
            }),
            manager: t.manager_name.as_ref().map(|name| Link {
                text: name.clone(),
                href: t
                    .team
                    .manager
                    .as_ref()
                    .filter(|m| visible.contains_key(m.as_str()))
                    .map(person_href),
            }),
            people: t.people,
        })
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "teams_list.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<TeamRow>,
    total_people: i64,
    can_manage: bool,
}

/// GET /teams
async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(query): Query<NoticeQuery>,
) -> Result<ListPage, AppError> {
    viewer.require(viewer.role.can_view_teams())?;
    let teams = state.store.list_teams(viewer.org.id, &viewer.scope).await?;
    let (_, visible) = visible_names(&state, &viewer).await?;
    Ok(ListPage {
        layout: Layout::new(&viewer, "Teams", Section::Teams).with_notice(query.notice()),
        total_people: teams.iter().map(|t| t.people).sum(),
        rows: team_rows(&viewer, &teams, &visible),
        can_manage: viewer.role.can_manage_teams(),
    })
}

// --- a team's page ---------------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "teams_show.html")]
struct ShowPage {
    layout: Layout,
    team: Team,
    href: String,
    parent: Option<Link>,
    manager: Option<Link>,
    head_count: usize,
    subteams: Vec<TeamRow>,
    members: Vec<PersonRow>,
    indicators: &'static [TrailingIndicator],
    people_href: String,
    can_manage: bool,
    can_add_people: bool,
    error: Option<String>,
}

async fn show_page(
    state: &AppState,
    viewer: &Viewer,
    team: Team,
    notice: Option<String>,
    error: Option<String>,
) -> Result<ShowPage, AppError> {
    let org = viewer.org.id;
    let all = state.store.list_teams(org, &viewer.scope).await?;
    let subteams: Vec<TeamSummary> = all
        .iter()
        .filter(|t| t.team.parent_id == Some(team.id))
        .cloned()
        .collect();
    let parent = match team.parent_id {
        None => None,
        Some(pid) => state.store.team(org, pid).await?.map(|p| Link {
            text: p.name,
            href: team_visible(viewer, pid).then(|| format!("/teams/{pid}")),
        }),
    };
    let filter = PeopleFilter {
        scope: viewer.scope.clone(),
        search: None,
        team_id: Some(team.id),
    };
    let members = state.store.list_people(org, &filter).await?;
    let (_, names) = visible_names(state, viewer).await?;
    let manager = match &team.manager {
        None => None,
        Some(m) => Some(person_link(state, viewer, &names, m).await?),
    };
    let managers = manager_links(state, viewer, &members, &names).await?;
    Ok(ShowPage {
        layout: Layout::new(viewer, team.name.clone(), Section::Teams).with_notice(notice),
        href: format!("/teams/{}", team.id),
        parent,
        manager,
        head_count: members.len(),
        subteams: team_rows(viewer, &subteams, &names),
        members: person_rows(viewer, &members, &managers),
        indicators: &TRAILING_INDICATORS,
        people_href: format!("/people?team={}", team.id),
        can_manage: viewer.role.can_manage_teams(),
        can_add_people: viewer.role.can_edit_people(),
        error,
        team,
    })
}

/// GET /teams/{id}
async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
    Query(query): Query<NoticeQuery>,
) -> Result<ShowPage, AppError> {
    viewer.require(viewer.role.can_view_teams())?;
    let team = visible_team(&state, &viewer, &raw).await?;
    show_page(&state, &viewer, team, query.notice(), None).await
}

/// POST /teams/{id}/delete
async fn delete(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
    CsrfForm(_): CsrfForm<serde::de::IgnoredAny>,
) -> Result<Response, AppError> {
    viewer.require(viewer.role.can_manage_teams())?;
    let team = visible_team(&state, &viewer, &raw).await?;
    match state
        .store
        .delete_team(viewer.org.id, team.id, &viewer.actor())
        .await
    {
        Ok(()) => Ok(Redirect::to("/teams?deleted=1").into_response()),
        Err(StoreError::Conflict { message, .. }) => {
            let page = show_page(&state, &viewer, team, None, Some(message)).await?;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

// --- create and edit ---------------------------------------------------------------------

/// The form body.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TeamForm {
    name: String,
    parent_id: String,
    manager: String,
    description: String,
}

impl TeamForm {
    fn of(t: &Team) -> Self {
        Self {
            name: t.name.clone(),
            parent_id: t.parent_id.map(|p| p.to_string()).unwrap_or_default(),
            manager: t
                .manager
                .as_ref()
                .map(|m| m.as_str().to_owned())
                .unwrap_or_default(),
            description: t.description.clone(),
        }
    }

    /// Checks the form; every problem is named by its field.
    fn parse(&self) -> Result<TeamInput, FieldErrors> {
        let mut errs = FieldErrors::default();
        let parent = match self.parent_id.trim() {
            "" => None,
            s => s
                .parse::<i64>()
                .map_err(|_| errs.push("parent_id", "is not a team"))
                .ok(),
        };
        match TeamInput::parse(&self.name, parent, Some(&self.manager), &self.description) {
            Ok(input) => errs.into_result(input),
            Err(more) => {
                errs.0.extend(more.0);
                Err(errs)
            }
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "teams_form.html")]
struct FormPage {
    layout: Layout,
    heading: String,
    action: String,
    submit: &'static str,
    cancel: String,
    fields: Vec<FormField>,
    summary: Vec<ErrorLine>,
}

struct FormSpec {
    heading: String,
    action: String,
    submit: &'static str,
    cancel: String,
    editing: Option<i64>,
}

fn new_spec() -> FormSpec {
    FormSpec {
        heading: "New team".into(),
        action: "/teams".into(),
        submit: "Create team",
        cancel: "/teams".into(),
        editing: None,
    }
}

fn edit_spec(team: &Team) -> FormSpec {
    let href = format!("/teams/{}", team.id);
    FormSpec {
        heading: format!("Edit {}", team.name),
        action: href.clone(),
        submit: "Save changes",
        cancel: href,
        editing: Some(team.id),
    }
}

async fn form_page(
    state: &AppState,
    viewer: &Viewer,
    spec: FormSpec,
    form: &TeamForm,
    errors: &FieldErrors,
) -> Result<FormPage, AppError> {
    let parent = form.parent_id.trim();
    let mut parents = vec![Choice::new("", "— None (a top-level team) —", parent)];
    parents.extend(
        state
            .store
            .list_teams(viewer.org.id, &viewer.scope)
            .await?
            .into_iter()
            .filter(|t| Some(t.team.id) != spec.editing)
            .map(|t| Choice::new(t.team.id.to_string(), t.team.name, parent)),
    );
    if !parent.is_empty() && !parents.iter().any(|c| c.selected) {
        parents.push(Choice::new(parent, parent, parent));
    }
    let manager = form.manager.trim();
    let (everyone, _) = visible_names(state, viewer).await?;
    let mut managers = vec![Choice::new("", "— None —", manager)];
    managers.extend(
        everyone
            .iter()
            .map(|p| Choice::new(p.id.as_str(), format!("{} ({})", p.name, p.id), manager)),
    );
    if !manager.is_empty() && !managers.iter().any(|c| c.selected) {
        managers.push(Choice::new(manager, manager, manager));
    }
    let mut fields = vec![
        FormField::new("name", "Name", Kind::Text, &form.name)
            .required()
            .autocomplete("off"),
        FormField::new("parent_id", "Parent team", Kind::Select, parent)
            .options(parents)
            .hint("Nest this team inside another one, or leave it at the top."),
        FormField::new("manager", "Manager", Kind::Select, manager)
            .options(managers)
            .hint("The person who manages the team."),
        FormField::new(
            "description",
            "Description",
            Kind::TextArea,
            &form.description,
        )
        .hint("Optional: territory, segment, what the team sells."),
    ];
    let summary = attach_errors(&mut fields, errors);
    Ok(FormPage {
        layout: Layout::new(viewer, spec.heading.clone(), Section::Teams),
        heading: spec.heading,
        action: spec.action,
        submit: spec.submit,
        cancel: spec.cancel,
        fields,
        summary,
    })
}

/// GET /teams/new
async fn new_form(State(state): State<AppState>, viewer: Viewer) -> Result<FormPage, AppError> {
    viewer.require(viewer.role.can_manage_teams())?;
    form_page(
        &state,
        &viewer,
        new_spec(),
        &TeamForm::default(),
        &FieldErrors::default(),
    )
    .await
}

/// POST /teams
async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    CsrfForm(form): CsrfForm<TeamForm>,
) -> Result<Response, AppError> {
    viewer.require(viewer.role.can_manage_teams())?;
    let errs = match form.parse() {
        Ok(input) => match state
            .store
            .create_team(viewer.org.id, &input, &viewer.actor())
            .await
        {
            Ok(team) => {
                return Ok(Redirect::to(&format!("/teams/{}?saved=1", team.id)).into_response());
            }
            Err(e) => form_errors(e.into())?,
        },
        Err(errs) => errs,
    };
    let page = form_page(&state, &viewer, new_spec(), &form, &errs).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// GET /teams/{id}/edit
async fn edit_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
) -> Result<FormPage, AppError> {
    viewer.require(viewer.role.can_manage_teams())?;
    let team = visible_team(&state, &viewer, &raw).await?;
    form_page(
        &state,
        &viewer,
        edit_spec(&team),
        &TeamForm::of(&team),
        &FieldErrors::default(),
    )
    .await
}

/// POST /teams/{id}
async fn update(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
    CsrfForm(form): CsrfForm<TeamForm>,
) -> Result<Response, AppError> {
    viewer.require(viewer.role.can_manage_teams())?;
    let team = visible_team(&state, &viewer, &raw).await?;
    let errs = match form.parse() {
        Ok(input) => {
            match state
                .store
                .update_team(viewer.org.id, team.id, &input, &viewer.actor())
                .await
            {
                Ok(team) => {
                    return Ok(Redirect::to(&format!("/teams/{}?saved=1", team.id)).into_response());
                }
                Err(e) => form_errors(e.into())?,
            }
        }
        Err(errs) => errs,
    };
    let page = form_page(&state, &viewer, edit_spec(&team), &form, &errs).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_team_form_names_each_bad_field() {
        let form = TeamForm {
            name: " ".into(),
            parent_id: "x".into(),
            manager: "a/b".into(),
            description: String::new(),
        };
        let errs = form.parse().unwrap_err();
        for f in ["name", "parent_id", "manager"] {
            assert!(errs.get(f).is_some(), "{f} in {errs}");
        }
    }

    #[test]
    fn an_empty_parent_and_manager_mean_none() {
        let form = TeamForm {
            name: "West".into(),
            ..Default::default()
        };
        let input = form.parse().unwrap();
        assert_eq!((input.parent_id, input.manager), (None, None));
    }
}
