//! `/api/v1/people`: list (with search and team filter), create, get, replace and delete
//! people. A person's JSON uses exactly the column names of people.csv; `{id}` in the path is
//! the person's own id (people.csv `id`), percent-encoded.
//!
//! Who may do what is the pages' rule: admins, leaders, managers and coaches list the people
//! in their scope; a seller may read only their own record; an interviewer none. Admins,
//! leaders and managers create and edit (a manager only with the teams and people they look
//! after: anything else is a 422 naming `team` or `manager`, as on the form); admins and
//! leaders delete.

use axum::Json;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use sellerq_domain::person::{format_date, parse_date};
use sellerq_domain::role::Reach;
use sellerq_domain::{Email, FieldErrors, Person, PersonId, PersonInput};
use sellerq_store::{PeopleFilter, Scope};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiJson, ApiViewer, ErrorBody, path_param};
use crate::web::AppState;
use crate::web::error::{ApiError, AppError};
use crate::web::pages::url_segment;

/// A person, with the columns of people.csv. Missing values are `null`.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct PersonJson {
    /// The organisation's own id for the person.
    #[schema(example = "p-0042")]
    pub id: String,
    #[schema(example = "Ana Ruiz")]
    pub name: String,
    #[schema(required = true, example = "ana.ruiz@example.com")]
    pub email: Option<String>,
    /// The team's name.
    #[schema(required = true, example = "East")]
    pub team: Option<String>,
    /// The line manager's person id.
    #[schema(required = true)]
    pub manager: Option<String>,
    /// ISO date `YYYY-MM-DD`.
    #[schema(required = true, format = Date, example = "2023-04-01")]
    pub hire_date: Option<String>,
    /// Trailing indicator: total years in sales (≥ 0).
    #[schema(required = true, minimum = 0.0, maximum = 70.0)]
    pub years_experience: Option<f64>,
    /// Trailing indicator: mean share of quota reached in past periods, 1.0 = 100 % (≥ 0).
    #[schema(required = true, minimum = 0.0)]
    pub quota_track_record: Option<f64>,
    /// Trailing indicator: years at a single company (≥ 0).
    #[schema(required = true, minimum = 0.0, maximum = 70.0)]
    pub tenure_years: Option<f64>,
    /// Trailing indicator: count of senior relationships in the territory (≥ 0).
    #[schema(required = true, minimum = 0.0)]
    pub vip_connections: Option<f64>,
    /// Trailing indicator: depth in one industry or domain, 1–5.
    #[schema(required = true, minimum = 1.0, maximum = 5.0)]
    pub domain_expertise: Option<f64>,
}

impl From<&Person> for PersonJson {
    fn from(p: &Person) -> Self {
        Self {
            id: p.id.as_str().to_owned(),
            name: p.name.clone(),
            email: p.email.as_ref().map(|e| e.as_str().to_owned()),
            team: p.team.clone(),
            manager: p.manager.as_ref().map(|m| m.as_str().to_owned()),
            hire_date: p.hire_date.map(format_date),
            years_experience: p.years_experience,
            quota_track_record: p.quota_track_record,
            tenure_years: p.tenure_years,
            vip_connections: p.vip_connections,
            domain_expertise: p.domain_expertise,
        }
    }
}

/// A person to create, or the full new state of one to replace (absent fields become empty).
/// Unknown fields are refused, naming them.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonBody {
    /// Required when creating. When replacing, defaults to the id in the path; a different
    /// value renames the person (references to them follow).
    #[serde(default)]
    #[schema(example = "p-0042", min_length = 1, max_length = 64)]
    pub id: Option<String>,
    /// Required.
    #[schema(example = "Ana Ruiz", min_length = 1, max_length = 100)]
    pub name: String,
    #[serde(default)]
    pub email: Option<String>,
    /// A team name; a name the organisation does not know creates the team.
    #[serde(default)]
    pub team: Option<String>,
    /// The line manager's person id (a person of the organisation).
    #[serde(default)]
    pub manager: Option<String>,
    /// ISO date `YYYY-MM-DD`.
    #[serde(default)]
    #[schema(format = Date, example = "2023-04-01")]
    pub hire_date: Option<String>,
    #[serde(default)]
    #[schema(minimum = 0.0, maximum = 70.0)]
    pub years_experience: Option<f64>,
    #[serde(default)]
    #[schema(minimum = 0.0)]
    pub quota_track_record: Option<f64>,
    #[serde(default)]
    #[schema(minimum = 0.0, maximum = 70.0)]
    pub tenure_years: Option<f64>,
    #[serde(default)]
    #[schema(minimum = 0.0)]
    pub vip_connections: Option<f64>,
    #[serde(default)]
    #[schema(minimum = 1.0, maximum = 5.0)]
    pub domain_expertise: Option<f64>,
}

/// A present, non-blank text field.
fn text(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl PersonBody {
    /// Checks every field, collecting every problem; `path_id` is the id being replaced.
    fn into_input(self, path_id: Option<&PersonId>) -> Result<PersonInput, AppError> {
        let mut errs = FieldErrors::default();
        let id = match (text(&self.id), path_id) {
            (Some(raw), _) => PersonId::parse(raw).map_err(|m| errs.push("id", m)).ok(),
            (None, Some(current)) => Some(current.clone()),
            (None, None) => {
                errs.push("id", "is required");
                None
            }
        };
        let name = sellerq_domain::ids::check_name(&self.name)
            .map_err(|m| errs.push("name", m))
            .ok();
        let email =
            text(&self.email).and_then(|s| Email::parse(s).map_err(|m| errs.push("email", m)).ok());
        let team = text(&self.team).and_then(|s| {
            sellerq_domain::ids::check_name(s)
                .map_err(|m| errs.push("team", m))
                .ok()
        });
        let manager = text(&self.manager)
            .and_then(|s| PersonId::parse(s).map_err(|m| errs.push("manager", m)).ok());
        let hire_date = text(&self.hire_date)
            .and_then(|s| parse_date(s).map_err(|m| errs.push("hire_date", m)).ok());
        let (Some(id), Some(name)) = (id, name) else {
            return Err(AppError::Invalid(errs));
        };
        let input = PersonInput {
            id,
            name,
            email,
            team,
            manager,
            hire_date,
            years_experience: self.years_experience,
            quota_track_record: self.quota_track_record,
            tenure_years: self.tenure_years,
            vip_connections: self.vip_connections,
            domain_expertise: self.domain_expertise,
        };
        if let Err(more) = input.check() {
            errs.0.extend(more.0);
        }
        errs.into_result(input).map_err(AppError::Invalid)
    }
}

/// Filters of `GET /people`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeopleQuery {
    /// Matches the id, name or e-mail, case-insensitively.
    pub q: Option<String>,
    /// Only people of this team (its id; sub-teams not included).
    pub team: Option<String>,
}

/// A person id from the path; one that could never be valid names nobody.
fn person_id(raw: &str) -> Result<PersonId, ApiError> {
    PersonId::parse(raw).map_err(|_| ApiError(AppError::NotFound))
}

/// The person, if the viewer may see them.
async fn visible(state: &AppState, viewer: &ApiViewer, id: &PersonId) -> Result<Person, ApiError> {
    state
        .store
        .person(viewer.org.id, id)
        .await?
        .filter(|p| viewer.scope.sees_person(p))
        .ok_or_else(|| AppError::NotFound.into())
}

/// A manager (the editing role with a team scope) may place people only in the teams they
/// look after and under people they see; an unchanged value is always allowed (a report may
/// sit in another team). The people form applies the same rule with the same messages.
async fn check_reach(
    state: &AppState,
    viewer: &ApiViewer,
    input: &PersonInput,
    current: Option<&Person>,
) -> Result<(), ApiError> {
    let Scope::Teams {
        team_ids,
        reports_of,
    } = &viewer.scope
    else {
        return Ok(());
    };
    let mut errs = FieldErrors::default();
    if current.is_none_or(|c| c.team != input.team) {
        let ours = match &input.team {
            None => false,
            Some(name) => state
                .store
                .team_by_name(viewer.org.id, name)
                .await?
                .is_some_and(|t| team_ids.contains(&t.id)),
        };
        if !ours {
            errs.push("team", "choose one of the teams you look after");
        }
    }
    if let Some(manager) = input
        .manager
        .as_ref()
        .filter(|_| current.is_none_or(|c| c.manager != input.manager))
    {
        let ours = reports_of.as_ref() == Some(manager)
            || state
                .store
                .person(viewer.org.id, manager)
                .await?
                .is_some_and(|p| viewer.scope.sees_person(&p));
        if !ours {
            errs.push("manager", "choose one of the people you look after");
        }
    }
    errs.into_result(())
        .map_err(|e| AppError::Invalid(e).into())
}

/// The people the caller may see, ordered by name.
#[utoipa::path(
    get,
    path = "/people",
    tag = "people",
    operation_id = "list_people",
    params(PeopleQuery),
    responses(
        (status = 200, description = "The people within the caller's scope that match.", body = [PersonJson]),
        (status = 400, description = "The query cannot be read.", body = ErrorBody),
        (status = 401, description = "No valid bearer token.", body = ErrorBody),
        (status = 403, description = "The role does not list people (seller, interviewer).", body = ErrorBody),
        (status = 422, description = "`team` is not a team id.", body = ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    viewer: ApiViewer,
    query: Result<Query<PeopleQuery>, QueryRejection>,
) -> Result<Json<Vec<PersonJson>>, ApiError> {
    viewer.require(viewer.role.can_list_people())?;
    let Query(query) = query.map_err(|e| AppError::BadRequest {
        field: None,
        message: e.body_text(),
    })?;
    let team_id = match text(&query.team) {
        None => None,
        Some(raw) => Some(
            raw.parse::<i64>()
                .map_err(|_| AppError::invalid("team", format!("{raw:?} is not a team id")))?,
        ),
    };
    let filter = PeopleFilter {
        scope: viewer.scope.clone(),
        search: text(&query.q).map(str::to_owned),
        team_id,
    };
    let people = state.store.list_people(viewer.org.id, &filter).await?;
    Ok(Json(people.iter().map(PersonJson::from).collect()))
}

/// Creates a person.
#[utoipa::path(
    post,
    path = "/people",
    tag = "people",
    operation_id = "create_person",
    request_body = PersonBody,
    responses(
        (status = 201, description = "Created.", body = PersonJson,
            headers(("Location" = String, description = "The new person's URL."))),
        (status = 400, description = "The body is not JSON.", body = ErrorBody),
        (status = 401, description = "No valid bearer token.", body = ErrorBody),
        (status = 403, description = "The role does not edit people.", body = ErrorBody),
        (status = 409, description = "The id or the e-mail is taken.", body = ErrorBody),
        (status = 422, description = "A field is invalid or unknown, or (for a manager) names a team or person they do not look after; `field` names it.", body = ErrorBody),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    viewer: ApiViewer,
    ApiJson(body): ApiJson<PersonBody>,
) -> Result<Response, ApiError> {
    viewer.require(viewer.role.can_edit_people())?;
    let input = body.into_input(None)?;
    check_reach(&state, &viewer, &input, None).await?;
    let person = state
        .store
        .create_person(viewer.org.id, &input, &viewer.actor())
        .await?;
    let location = format!("/api/v1/people/{}", url_segment(person.id.as_str()));
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(PersonJson::from(&person)),
    )
        .into_response())
}

/// One person.
#[utoipa::path(
    get,
    path = "/people/{id}",
    tag = "people",
    operation_id = "get_person",
    params(("id" = String, Path, description = "The person's own id (people.csv `id`).")),
    responses(
        (status = 200, description = "The person.", body = PersonJson),
        (status = 401, description = "No valid bearer token.", body = ErrorBody),
        (status = 403, description = "The role sees no people (interviewer).", body = ErrorBody),
        (status = 404, description = "No such person within the caller's scope (a seller sees only themselves).", body = ErrorBody),
    )
)]
pub async fn show(
    State(state): State<AppState>,
    viewer: ApiViewer,
    path: Result<Path<String>, PathRejection>,
) -> Result<Json<PersonJson>, ApiError> {
    viewer.require(viewer.role.reach() != Reach::Nothing)?;
    let id = person_id(&path_param(path)?)?;
    let person = visible(&state, &viewer, &id).await?;
    Ok(Json(PersonJson::from(&person)))
}

/// Replaces a person's fields.
#[utoipa::path(
    put,
    path = "/people/{id}",
    tag = "people",
    operation_id = "update_person",
    params(("id" = String, Path, description = "The person's own id (people.csv `id`).")),
    request_body = PersonBody,
    responses(
        (status = 200, description = "The person as saved.", body = PersonJson),
        (status = 400, description = "The body is not JSON.", body = ErrorBody),
        (status = 401, description = "No valid bearer token.", body = ErrorBody),
        (status = 403, description = "The role does not edit people.", body = ErrorBody),
        (status = 404, description = "No such person within the caller's scope.", body = ErrorBody),
        (status = 409, description = "The new id or the e-mail is taken.", body = ErrorBody),
        (status = 422, description = "A field is invalid or unknown, or (for a manager) names a team or person they do not look after; `field` names it.", body = ErrorBody),
    )
)]
pub async fn update(
    State(state): State<AppState>,
    viewer: ApiViewer,
    path: Result<Path<String>, PathRejection>,
    ApiJson(body): ApiJson<PersonBody>,
) -> Result<Json<PersonJson>, ApiError> {
    viewer.require(viewer.role.can_edit_people())?;
    let id = person_id(&path_param(path)?)?;
    let current = visible(&state, &viewer, &id).await?;
    let input = body.into_input(Some(&id))?;
    check_reach(&state, &viewer, &input, Some(&current)).await?;
    let person = state
        .store
        .update_person(viewer.org.id, &id, &input, &viewer.actor())
        .await?;
    Ok(Json(PersonJson::from(&person)))
}

/// Deletes a person.
#[utoipa::path(
    delete,
    path = "/people/{id}",
    tag = "people",
    operation_id = "delete_person",
    params(("id" = String, Path, description = "The person's own id (people.csv `id`).")),
    responses(
        (status = 204, description = "Deleted."),
        (status = 401, description = "No valid bearer token.", body = ErrorBody),
        (status = 403, description = "The role does not delete people.", body = ErrorBody),
        (status = 404, description = "No such person.", body = ErrorBody),
        (status = 409, description = "Ratings still name the person.", body = ErrorBody),
    )
)]
pub async fn delete(
    State(state): State<AppState>,
    viewer: ApiViewer,
    path: Result<Path<String>, PathRejection>,
) -> Result<StatusCode, ApiError> {
    viewer.require(viewer.role.can_delete_people())?;
    let id = person_id(&path_param(path)?)?;
    visible(&state, &viewer, &id).await?;
    state
        .store
        .delete_person(viewer.org.id, &id, &viewer.actor())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(json: serde_json::Value) -> PersonBody {
        match serde_json::from_value(json) {
            Ok(b) => b,
            Err(e) => panic!("test body does not deserialize: {e}"),
        }
    }

    #[test]
    fn every_bad_field_is_named() {
        let b = body(serde_json::json!({
            "id": "p 1/2", "name": " ", "email": "nope", "hire_date": "2024-13-01",
            "domain_expertise": 9.0
        }));
        let Err(AppError::Invalid(errs)) = b.into_input(None) else {
            panic!("expected field errors");
        };
        for f in ["id", "name", "email", "hire_date"] {
            assert!(errs.get(f).is_some(), "{f} should be named in {errs}");
        }
    }

    #[test]
    fn range_rules_come_from_the_domain() {
        let b = body(serde_json::json!({"id": "p-1", "name": "Ana", "domain_expertise": 9.0}));
        let Err(AppError::Invalid(errs)) = b.into_input(None) else {
            panic!("expected field errors");
        };
        assert_eq!(
            errs.get("domain_expertise"),
            Some("must be between 1 and 5")
        );
    }

    #[test]
    fn a_replacement_keeps_the_path_id_unless_the_body_renames() {
        let current = PersonId::parse("p-1").ok();
        let kept = body(serde_json::json!({"name": "Ana"})).into_input(current.as_ref());
        assert_eq!(
            kept.ok().map(|p| p.id.as_str().to_owned()).as_deref(),
            Some("p-1")
        );
        let renamed =
            body(serde_json::json!({"id": "p-2", "name": "Ana"})).into_input(current.as_ref());
        assert_eq!(
            renamed.ok().map(|p| p.id.as_str().to_owned()).as_deref(),
            Some("p-2")
        );
        assert!(
            body(serde_json::json!({"name": "Ana"}))
                .into_input(None)
                .is_err()
        );
    }

    #[test]
    fn blank_optional_text_means_missing() {
        let p = body(serde_json::json!({"id": "p-1", "name": "Ana", "email": " ", "team": ""}))
            .into_input(None);
        let p = p.ok();
        assert_eq!(p.as_ref().and_then(|p| p.email.clone()), None);
        assert_eq!(p.and_then(|p| p.team), None);
    }
}
