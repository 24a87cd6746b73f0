//! "My assessments": the sheets a user is asked to fill in, the rating form, and peer
//! nominations by the person assessed.
//!
//! A user rates as their own person of the organisation (the person with their e-mail); a user
//! without one has nothing to rate. A sheet is reachable only by its rater, and only while
//! their assignment is approved: anyone else's sheet answers 404, exactly like one that does
//! not exist, so nobody learns who rates whom. A self-assessment is the seller's sheet with
//! themselves as subject.
//!
//! The form shows the qualities in spectrum order, each as a `<fieldset>` of native radio
//! buttons whose labels carry the level, its name and its anchor text, plus "Not observed" and
//! an evidence note. "Save draft" keeps an incomplete sheet; "Submit" checks it with
//! [`check_sheet`] (every quality answered, evidence at either end of the scale) and makes it
//! final: a submitted sheet is read only. A sheet of a cycle that is not open is read only too.

use std::collections::HashMap;
use std::sync::Arc;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use sellerq_domain::assessment::{
    AssignmentStatus, CycleStatus, RaterRole, SheetEntry, check_sheet, parse_score,
};
use sellerq_domain::model::{Model, QualityKey};
use sellerq_domain::person::format_date;
use sellerq_domain::{Email, FieldErrors, PersonId};
use sellerq_store::{Assignment, Cycle, NewAssignment, RatingSheet, SheetInput, SheetState, Store};
use serde::Deserialize;

use super::cycles::{cycle_id, own_person, today};
use super::people::{ErrorLine, NoticeQuery};
use super::url_segment;
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::forms::CsrfForm;
use crate::web::layout::{Layout, Section};
use crate::web::session::Viewer;

/// The assessment routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/assessments", get(list))
        .route("/assessments/nominations", post(nominate))
        .route("/assessments/{cycle}/{subject}", get(show).post(save))
}

// --- shared with the API ------------------------------------------------------------------

/// A rater's sheet with what it needs: the cycle, its model, the assignment, the answers.
#[derive(Debug, Clone)]
pub(crate) struct SheetContext {
    pub cycle: Cycle,
    pub model: Arc<Model>,
    pub rater: PersonId,
    pub assignment: Assignment,
    pub sheet: Option<RatingSheet>,
}

impl SheetContext {
    /// Submitted, or in a cycle that takes no sheets: nothing may change.
    pub fn read_only(&self) -> bool {
        self.state() == SheetState::Submitted || self.cycle.status != CycleStatus::Open
    }

    pub fn state(&self) -> SheetState {
        self.sheet
            .as_ref()
            .map_or(SheetState::NotStarted, |s| s.state)
    }
}

/// The caller's own sheet for `subject` in cycle `raw_cycle`: 404 unless the caller is an
/// approved rater of that subject in that cycle of their organisation.
pub(crate) async fn sheet_context(
    store: &dyn Store,
    org_id: i64,
    email: &Email,
    raw_cycle: &str,
    raw_subject: &str,
) -> Result<SheetContext, AppError> {
    let rater = own_person(store, org_id, email)
        .await?
        .ok_or(AppError::NotFound)?;
    let cycle = store
        .cycle(org_id, cycle_id(raw_cycle)?)
        .await?
        .ok_or(AppError::NotFound)?;
    let subject = PersonId::parse(raw_subject).map_err(|_| AppError::NotFound)?;
    let assignment = store
        .assignments(org_id, cycle.id, Some(&subject))
        .await?
        .into_iter()
        .find(|a| a.rater == rater && a.status == AssignmentStatus::Approved)
        .ok_or(AppError::NotFound)?;
    let model = store.model(org_id, cycle.model_version_id).await?;
    let sheet = store
        .rating_sheet(org_id, cycle.id, &subject, &rater)
        .await?;
    Ok(SheetContext {
        cycle,
        model,
        rater,
        assignment,
        sheet,
    })
}

/// Why a sheet cannot change now (409), or `Ok`.
pub(crate) fn check_writable(ctx: &SheetContext) -> Result<(), AppError> {
    if ctx.state() == SheetState::Submitted {
        return Err(AppError::Conflict {
            field: "state".into(),
            message: "this sheet is submitted: it is final".into(),
        });
    }
    if ctx.cycle.status != CycleStatus::Open {
        return Err(AppError::Conflict {
            field: "status".into(),
            message: format!(
                "cycle {} is {}: it takes no ratings now",
                ctx.cycle.name, ctx.cycle.status
            ),
        });
    }
    Ok(())
}

/// Saves checked entries: every field problem first (all of them, from [`check_sheet`]), then
/// the store's own rules.
pub(crate) async fn save_entries(
    store: &dyn Store,
    org_id: i64,
    ctx: &SheetContext,
    entries: Vec<SheetEntry>,
    submit: bool,
    actor: &sellerq_store::Actor,
) -> Result<RatingSheet, AppError> {
    check_writable(ctx)?;
    check_sheet(&ctx.model, &entries, submit)?;
    let input = SheetInput {
        cycle_id: ctx.cycle.id,
        subject: ctx.assignment.subject.clone(),
        rater: ctx.rater.clone(),
        entries,
    };
    Ok(store.save_sheet(org_id, &input, submit, actor).await?)
}

/// The model's qualities in spectrum order.
pub(crate) fn spectrum(model: &Model) -> Vec<&sellerq_domain::model::Quality> {
    let mut qs: Vec<_> = model.qualities.iter().collect();
    qs.sort_by_key(|q| q.position);
    qs
}

// --- my assessments ----------------------------------------------------------------------

#[derive(Debug)]
struct SheetRow {
    href: String,
    subject: String,
    is_self: bool,
    cycle: String,
    role: &'static str,
    due: String,
    overdue: bool,
    state: SheetState,
    answered: u32,
    qualities: u32,
}

/// A cycle where the viewer may nominate peers to rate them.
#[derive(Debug)]
struct Nominations {
    cycle_id: i64,
    cycle: String,
    pending: Vec<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "assess_list.html")]
struct ListPage {
    layout: Layout,
    has_person: bool,
    rows: Vec<SheetRow>,
    nominations: Vec<Nominations>,
    error: Option<String>,
}

async fn list_page(
    state: &AppState,
    viewer: &Viewer,
    notice: Option<String>,
    error: Option<String>,
) -> Result<ListPage, AppError> {
    let org = viewer.org.id;
    let store = state.store.as_ref();
    let me = own_person(store, org, &viewer.user.email).await?;
    let mut rows = Vec::new();
    let mut nominations = Vec::new();
    if let Some(me) = &me {
        for a in store.my_assessments(org, me, today()).await? {
            rows.push(SheetRow {
                href: format!(
                    "/assessments/{}/{}",
                    a.cycle_id,
                    url_segment(a.subject.as_str())
                ),
                is_self: a.role == RaterRole::SelfRating,
                subject: a.subject_name,
                cycle: a.cycle.to_string(),
                role: a.role.label(),
                due: a.due_date.map(format_date).unwrap_or_default(),
                overdue: a.overdue,
                state: a.state,
                answered: a.answered,
                qualities: a.qualities,
            });
        }
        for c in store.cycles(org).await? {
            if c.status == CycleStatus::Closed || !c.rater_roles.contains(RaterRole::Peer) {
                continue;
            }
            let mine = store.assignments(org, c.id, Some(me)).await?;
            let participant = store
                .participants(org, c.id)
                .await?
                .iter()
                .any(|p| &p.subject == me);
            if !participant {
                continue;
            }
            nominations.push(Nominations {
                cycle_id: c.id,
                cycle: c.name.to_string(),
                pending: mine
                    .iter()
                    .filter(|a| a.status == AssignmentStatus::Nominated)
                    .map(|a| a.rater_name.clone())
                    .collect(),
            });
        }
    }
    Ok(ListPage {
        layout: Layout::new(viewer, "My assessments", Section::Assessments).with_notice(notice),
        has_person: me.is_some(),
        rows,
        nominations,
        error,
    })
}

/// GET /assessments
async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(query): Query<NoticeQuery>,
) -> Result<ListPage, AppError> {
    list_page(&state, &viewer, query.notice(), None).await
}

#[derive(Debug, Deserialize)]
pub struct NominateForm {
    #[serde(default)]
    cycle: String,
    #[serde(default)]
    peer: String,
}

/// The caller (as a participant of cycle `raw_cycle`) nominates the colleague `raw_peer` (a
/// person id or e-mail) to rate them as a peer; the assignment waits for the manager.
/// Someone already asked to rate them (by the manager, or nominated before) gets the same
/// answer as a new nomination: the seller must not learn who rates them.
pub(crate) async fn nominate_peer(
    store: &dyn Store,
    org: i64,
    email: &Email,
    raw_cycle: &str,
    raw_peer: &str,
    actor: &sellerq_store::Actor,
) -> Result<(), AppError> {
    let me = own_person(store, org, email)
        .await?
        .ok_or(AppError::NotFound)?;
    let cycle = store
        .cycle(org, cycle_id(raw_cycle)?)
        .await?
        .ok_or(AppError::NotFound)?;
    let participant = store
        .participants(org, cycle.id)
        .await?
        .iter()
        .any(|p| p.subject == me);
    if !participant {
        return Err(AppError::NotFound);
    }
    if cycle.status == CycleStatus::Closed || !cycle.rater_roles.contains(RaterRole::Peer) {
        return Err(AppError::Conflict {
            field: "cycle".into(),
            message: format!("cycle {} takes no peer nominations", cycle.name),
        });
    }
    let raw = raw_peer.trim();
    let peer = if raw.contains('@') {
        match Email::parse(raw) {
            Ok(e) => store.person_by_email(org, &e).await?.map(|p| p.id),
            Err(_) => None,
        }
    } else {
        PersonId::parse(raw).ok()
    };
    let rater = match peer {
        Some(rater) if rater == me => {
            return Err(AppError::invalid(
                "peer",
                "nominate a colleague: your own view is your self-assessment",
            ));
        }
        None => {
            return Err(AppError::invalid(
                "peer",
                format!("{raw:?} is not a colleague's id or e-mail in this organisation"),
            ));
        }
        Some(rater) => rater,
    };
    let done = store
        .assign_rater(
            org,
            cycle.id,
            &NewAssignment {
                subject: me,
                rater,
                role: RaterRole::Peer,
                status: AssignmentStatus::Nominated,
            },
            actor,
        )
        .await;
    match done {
        Ok(_) | Err(sellerq_store::StoreError::Conflict { .. }) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// POST /assessments/nominations — the person assessed proposes a peer; their manager (or
/// whoever runs the cycle) approves or declines on the cycle's page.
async fn nominate(
    State(state): State<AppState>,
    viewer: Viewer,
    CsrfForm(form): CsrfForm<NominateForm>,
) -> Result<Response, AppError> {
    let done = nominate_peer(
        state.store.as_ref(),
        viewer.org.id,
        &viewer.user.email,
        &form.cycle,
        &form.peer,
        &viewer.actor(),
    )
    .await;
    match done {
        Ok(()) => Ok(Redirect::to("/assessments?saved=1").into_response()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict { .. })) => {
            let status = e.status();
            let page = list_page(&state, &viewer, None, Some(e.message())).await?;
            Ok((status, page).into_response())
        }
        Err(e) => Err(e),
    }
}

// --- the rating form ----------------------------------------------------------------------

#[derive(Debug)]
struct LevelChoice {
    value: u8,
    name: String,
    anchor: String,
    checked: bool,
}

#[derive(Debug)]
struct QualityBlock {
    key: String,
    name: String,
    definition: String,
    side: &'static str,
    levels: Vec<LevelChoice>,
    not_observed: bool,
    /// The level chosen, for the read-only view.
    chosen: Option<String>,
    evidence: String,
    score_error: Option<String>,
    evidence_error: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "assess_sheet.html")]
struct SheetPage {
    layout: Layout,
    action: String,
    subject_name: String,
    is_self: bool,
    cycle: String,
    role: &'static str,
    due: String,
    state: SheetState,
    read_only: bool,
    closed_reason: Option<String>,
    qualities: Vec<QualityBlock>,
    summary: Vec<ErrorLine>,
}

/// What a form holds for one quality: the raw radio value and the note.
type Answers = HashMap<String, (Option<String>, String)>;

fn answers_of(sheet: Option<&RatingSheet>) -> Answers {
    sheet
        .map(|s| {
            s.entries
                .iter()
                .map(|e| {
                    let v = e
                        .score
                        .map_or_else(|| "na".to_owned(), |s| s.value().to_string());
                    (e.quality.as_str().to_owned(), (Some(v), e.evidence.clone()))
                })
                .collect()
        })
        .unwrap_or_default()
}

fn sheet_page(
    viewer: &Viewer,
    ctx: &SheetContext,
    answers: &Answers,
    errors: &FieldErrors,
) -> SheetPage {
    let model = &ctx.model;
    let qualities: Vec<QualityBlock> = spectrum(model)
        .into_iter()
        .map(|q| {
            let key = q.key.as_str().to_owned();
            let (raw, evidence) = answers.get(&key).cloned().unwrap_or_default();
            let levels: Vec<LevelChoice> = model
                .scale
                .values()
                .map(|v| LevelChoice {
                    value: v,
                    name: model.scale.level_name(v).unwrap_or_default().to_owned(),
                    anchor: q.anchor(v).unwrap_or_default().to_owned(),
                    checked: raw.as_deref() == Some(v.to_string().as_str()),
                })
                .collect();
            let chosen = match raw.as_deref() {
                Some("na") => Some("Not observed".to_owned()),
                Some(_) => levels
                    .iter()
                    .find(|l| l.checked)
                    .map(|l| format!("{} — {}", l.value, l.name)),
                None => None,
            };
            QualityBlock {
                name: q.name.clone(),
                definition: q.definition.clone(),
                side: q.side.as_str(),
                not_observed: raw.as_deref() == Some("na"),
                chosen,
                levels,
                evidence,
                score_error: errors.get(&format!("score.{key}")).map(str::to_owned),
                evidence_error: errors.get(&format!("evidence.{key}")).map(str::to_owned),
                key,
            }
        })
        .collect();
    let names: HashMap<String, String> = qualities
        .iter()
        .map(|q| (q.key.clone(), q.name.clone()))
        .collect();
    let summary = errors
        .0
        .iter()
        .map(|e| {
            let (kind, key) = e.field.split_once('.').unwrap_or(("", e.field.as_str()));
            match names.get(key) {
                Some(name) if kind == "evidence" => ErrorLine {
                    href: Some(format!("#evidence-{key}")),
                    text: format!("{name}, evidence: {}", e.message),
                },
                Some(name) => ErrorLine {
                    href: Some(format!("#q-{key}")),
                    text: format!("{name}: {}", e.message),
                },
                None => ErrorLine {
                    href: None,
                    text: e.to_string(),
                },
            }
        })
        .collect();
    let a = &ctx.assignment;
    let closed_reason = match (ctx.state(), ctx.cycle.status) {
        (SheetState::Submitted, _) => Some("You submitted this sheet: it is final.".to_owned()),
        (_, CycleStatus::Open) => None,
        (_, CycleStatus::Draft) => Some("This cycle has not opened yet.".to_owned()),
        (_, CycleStatus::Closed) => {
            Some("This cycle is closed: it takes no more ratings.".to_owned())
        }
    };
    SheetPage {
        layout: Layout::new(
            viewer,
            format!("{} · {}", a.subject_name, ctx.cycle.name),
            Section::Assessments,
        ),
        action: format!(
            "/assessments/{}/{}",
            ctx.cycle.id,
            url_segment(a.subject.as_str())
        ),
        subject_name: a.subject_name.clone(),
        is_self: a.role == RaterRole::SelfRating,
        cycle: ctx.cycle.name.to_string(),
        role: a.role.label(),
        due: ctx.cycle.due_date.map(format_date).unwrap_or_default(),
        state: ctx.state(),
        read_only: ctx.read_only(),
        closed_reason,
        qualities,
        summary,
    }
}

/// GET /assessments/{cycle}/{subject}
async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((raw_cycle, raw_subject)): Path<(String, String)>,
    Query(query): Query<NoticeQuery>,
) -> Result<SheetPage, AppError> {
    let ctx = sheet_context(
        state.store.as_ref(),
        viewer.org.id,
        &viewer.user.email,
        &raw_cycle,
        &raw_subject,
    )
    .await?;
    let mut page = sheet_page(
        &viewer,
        &ctx,
        &answers_of(ctx.sheet.as_ref()),
        &FieldErrors::default(),
    );
    page.layout = page.layout.with_notice(query.notice());
    Ok(page)
}

/// Reads the form: each quality's radio (`score.<key>`: a level, or `na` for "not
/// observed") and note (`evidence.<key>`). Unanswered qualities are left out (a draft may be
/// incomplete); a note without an answer is kept on the page but not saved.
fn read_form(
    model: &Model,
    form: &HashMap<String, String>,
) -> (Answers, Vec<SheetEntry>, FieldErrors) {
    let mut answers = Answers::new();
    let mut entries = Vec::new();
    let mut errs = FieldErrors::default();
    for q in spectrum(model) {
        let key = q.key.as_str();
        let raw = form
            .get(&format!("score.{key}"))
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty());
        let evidence = form
            .get(&format!("evidence.{key}"))
            .map(|s| s.trim().to_owned())
            .unwrap_or_default();
        answers.insert(key.to_owned(), (raw.clone(), evidence.clone()));
        let score = match raw.as_deref() {
            None => continue,
            Some("na") => None,
            Some(v) => match parse_score(v, &model.scale) {
                Ok(s) => s,
                Err(m) => {
                    errs.push(&format!("score.{key}"), m);
                    continue;
                }
            },
        };
        entries.push(SheetEntry {
            quality: q.key.clone(),
            score,
            evidence,
        });
    }
    (answers, entries, errs)
}

/// POST /assessments/{cycle}/{subject} — `action=draft` keeps it, `action=submit` makes it
/// final.
async fn save(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((raw_cycle, raw_subject)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let store = state.store.as_ref();
    let ctx = sheet_context(
        store,
        viewer.org.id,
        &viewer.user.email,
        &raw_cycle,
        &raw_subject,
    )
    .await?;
    check_writable(&ctx)?;
    let submit = form.get("action").map(String::as_str) == Some("submit");
    let (answers, entries, mut errs) = read_form(&ctx.model, &form);
    let result = if errs.is_empty() {
        save_entries(store, viewer.org.id, &ctx, entries, submit, &viewer.actor()).await
    } else {
        if let Err(more) = check_sheet(&ctx.model, &entries, submit) {
            errs.0.extend(more.0);
        }
        Err(AppError::Invalid(errs))
    };
    match result {
        Ok(_) if submit => Ok(Redirect::to("/assessments?saved=1").into_response()),
        Ok(_) => Ok(Redirect::to(&format!(
            "/assessments/{}/{}?saved=1",
            ctx.cycle.id,
            url_segment(ctx.assignment.subject.as_str())
        ))
        .into_response()),
        Err(AppError::Invalid(errs)) => {
            let page = sheet_page(&viewer, &ctx, &answers, &errs);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e),
    }
}

/// Parses a quality key of the API's body.
pub(crate) fn quality_key(raw: &str) -> Result<QualityKey, String> {
    QualityKey::parse(raw).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use sellerq_domain::default_model;

    fn form(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn the_form_reads_levels_not_observed_and_leaves_out_unanswered_qualities() {
        let model = default_model();
        let (answers, entries, errs) = read_form(
            model,
            &form(&[
                ("score.belief", "4"),
                ("evidence.belief", "  saw it  "),
                ("score.humility", "na"),
                ("evidence.ownership", "a note without a level"),
            ]),
        );
        assert!(errs.is_empty());
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].score.map(|s| s.value()), Some(4));
        assert_eq!(entries[0].evidence, "saw it");
        assert_eq!(entries[1].score, None, "not observed");
        assert_eq!(
            answers.get("ownership").map(|a| a.1.as_str()),
            Some("a note without a level"),
            "kept for the page"
        );
    }

    #[test]
    fn a_level_off_the_scale_is_named_on_its_quality() {
        let (_, entries, errs) = read_form(default_model(), &form(&[("score.belief", "9")]));
        assert!(entries.is_empty());
        assert!(
            errs.get("score.belief")
                .is_some_and(|m| m.contains("scale"))
        );
    }
}
