//! The seller profile page (`/people/{id}/profile?cycle=NAME`) and the loading it shares with
//! `GET /api/v1/people/{id}/profile`.
//!
//! Who may look: the seller themself, the managers and coaches whose scope holds the seller,
//! leaders and admins — the same reach as the person's record, so a person out of scope is a
//! 404 and a role without any reach (interviewer) a 403. What they see comes only from
//! [`Store::subject_ratings`](sellerq_store::Store::subject_ratings), which carries roles and
//! scores but never rater identities, aggregated by the domain's
//! [`profile`](sellerq_domain::assessment::profile) under the organisation's anonymity rule: peer
//! scores count only when enough peers scored a quality. Evidence notes (without rater names)
//! are for the subject's manager, coach, leaders and admins — never for the seller, and never
//! for a subject reading their own profile in another role.

use std::sync::Arc;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use sellerq_domain::assessment::{BlindSpotKind, OrgSettings, Profile, RaterRole, profile};
use sellerq_domain::model::{Model, QualityKey};
use sellerq_domain::role::Reach;
use sellerq_domain::{Person, PersonId, Role};
use sellerq_store::{Cycle, EvidenceNote, Scope};
use serde::Deserialize;

use super::url_segment;
use crate::web::AppState;
use crate::web::charts::{
    self, ChartScale, QualityLabel, QualityPoint, TrendPoint, TrendSeries, fmt_gap, fmt_score,
};
use crate::web::error::AppError;
use crate::web::layout::{Layout, Section};
use crate::web::session::Viewer;

/// The profile route.
pub fn router() -> Router<AppState> {
    Router::new().route("/people/{id}/profile", get(show))
}

/// `?cycle=NAME`; empty or absent = the latest cycle with ratings. The profile and team-view
/// pages also read `adjusted=1`: show the leniency-adjusted scores beside the raw ones.
#[derive(Debug, Deserialize, Default)]
pub struct CycleQuery {
    #[serde(default)]
    pub cycle: String,
    #[serde(default)]
    pub adjusted: String,
}

impl CycleQuery {
    /// Is the leniency-adjusted switch on (`1`, `on` or `true`)?
    pub fn adjusted(&self) -> bool {
        matches!(self.adjusted.as_str(), "1" | "on" | "true")
    }
}

/// Everything a profile shows, loaded once for the page and the API.
#[derive(Debug)]
pub(crate) struct ProfileData {
    /// The seller.
    pub subject: Person,
    /// The cycles in which the seller has ratings, by name.
    pub cycles: Vec<String>,
    /// The cycle shown (`None` when the seller has no ratings yet and none was asked for).
    pub cycle: Option<Cycle>,
    /// The cycle's model (the current one when there is no cycle).
    pub model: Arc<Model>,
    /// The organisation's thresholds.
    pub settings: OrgSettings,
    /// The profile in the cycle shown.
    pub profile: Profile,
    /// The profiles of every cycle up to the one shown, oldest first.
    pub history: Vec<(String, Profile)>,
    /// Evidence notes, when the viewer may read them.
    pub evidence: Option<Vec<EvidenceNote>>,
}

/// Who is asking, as both the page's and the API's viewer describe it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Asker<'a> {
    pub org_id: i64,
    pub role: Role,
    pub scope: &'a Scope,
}

impl Asker<'_> {
    /// The viewer's own person, if the scope knows it.
    fn own_person(&self) -> Option<&PersonId> {
        match self.scope {
            Scope::Person(me) => me.as_ref(),
            Scope::Teams { reports_of, .. } => reports_of.as_ref(),
            Scope::Organisation | Scope::Nothing => None,
        }
    }

    /// Evidence notes are for the people who coach the subject, never for the subject.
    fn reads_evidence(&self, subject: &Person) -> bool {
        matches!(
            self.role,
            Role::Admin | Role::Leader | Role::Manager | Role::Coach
        ) && self.scope.sees_person(subject)
            && self.own_person() != Some(&subject.id)
    }
}

/// Loads the profile of person `raw_id` in cycle `cycle` (empty: the latest with ratings).
/// 403 for a role that sees no people, 404 for a person or cycle that does not exist or is out
/// of the viewer's scope.
pub(crate) async fn load(
    state: &AppState,
    asker: Asker<'_>,
    raw_id: &str,
    cycle: &str,
) -> Result<ProfileData, AppError> {
    if asker.role.reach() == Reach::Nothing {
        return Err(AppError::Forbidden);
    }
    let id = PersonId::parse(raw_id).map_err(|_| AppError::NotFound)?;
    let subject = state
        .store
        .person(asker.org_id, &id)
        .await?
        .filter(|p| asker.scope.sees_person(p))
        .ok_or(AppError::NotFound)?;
    let settings = state.store.org_settings(asker.org_id).await?;
    let all = state
        .store
        .subject_ratings(asker.org_id, &subject.id)
        .await?;
    let cycles: Vec<String> = all
        .iter()
        .map(|c| c.cycle.name.as_str().to_owned())
        .collect();

    let wanted = cycle.trim();
    let chosen: Option<Cycle> = if wanted.is_empty() {
        all.last().map(|c| c.cycle.clone())
    } else {
        match all.iter().find(|c| c.cycle.name.as_str() == wanted) {
            Some(c) => Some(c.cycle.clone()),
            None => Some(
                state
                    .store
                    .cycle_by_name(asker.org_id, wanted)
                    .await?
                    .ok_or(AppError::NotFound)?,
            ),
        }
    };

    let mut history = Vec::with_capacity(all.len());
    let mut shown = None;
    // The cycles of a history mostly share one model version: ask the store once per version.
    let mut models: Vec<(i64, Arc<Model>)> = Vec::new();
    for c in &all {
        if chosen
            .as_ref()
            .is_some_and(|ch| c.cycle.name.as_str() > ch.name.as_str())
        {
            break;
        }
        let version = c.cycle.model_version_id;
        let model = match models.iter().find(|(v, _)| *v == version) {
            Some((_, m)) => Arc::clone(m),
            None => {
                let m = state.store.model(asker.org_id, version).await?;
                models.push((version, Arc::clone(&m)));
                m
            }
        };
        let p = profile(&model, &c.ratings, &settings);
        if chosen.as_ref().is_some_and(|ch| ch.id == c.cycle.id) {
            shown = Some((model, p.clone()));
        }
        history.push((c.cycle.name.as_str().to_owned(), p));
    }
    let (model, profile) = match (shown, &chosen) {
        (Some(s), _) => s,
        (None, Some(c)) => {
            let model = state.store.model(asker.org_id, c.model_version_id).await?;
            let p = profile(&model, &[], &settings);
            (model, p)
        }
        (None, None) => {
            let model = crate::web::current_model(state, asker.org_id).await?;
            let p = profile(&model, &[], &settings);
            (model, p)
        }
    };

    let evidence = match &chosen {
        Some(c) if asker.reads_evidence(&subject) => {
            let mut notes = state
                .store
                .evidence_notes(asker.org_id, c.id, &subject.id)
                .await?;
            let position = |k: &QualityKey| {
                model
                    .qualities
                    .iter()
                    .find(|q| &q.key == k)
                    .map_or(u8::MAX, |q| q.position)
            };
            notes.sort_by_key(|n| position(&n.quality));
            Some(notes)
        }
        Some(_) => None,
        None => asker.reads_evidence(&subject).then(Vec::new),
    };

    Ok(ProfileData {
        subject,
        cycles,
        cycle: chosen,
        model,
        settings,
        profile,
        history,
        evidence,
    })
}

impl ProfileData {
    /// The display name of a quality of the cycle's model (the key when unknown).
    pub fn quality_name(&self, key: &QualityKey) -> String {
        self.model
            .qualities
            .iter()
            .find(|q| &q.key == key)
            .map_or_else(|| key.as_str().to_owned(), |q| q.name.clone())
    }

    /// The chart points of the profile, in spectrum order.
    fn points(&self) -> Vec<QualityPoint> {
        let labels = QualityLabel::from_model(&self.model);
        labels
            .into_iter()
            .map(|l| {
                let q = self.profile.quality(&l.key);
                QualityPoint::new(l, q.and_then(|q| q.score), q.and_then(|q| q.self_score))
            })
            .collect()
    }

    /// One trend series per quality of the cycle's model, across the history.
    fn trend_series(&self) -> Vec<TrendSeries> {
        QualityLabel::from_model(&self.model)
            .into_iter()
            .map(|l| {
                let points = self
                    .history
                    .iter()
                    .map(|(cycle, p)| {
                        let q = p.quality(&l.key);
                        TrendPoint {
                            cycle: cycle.clone(),
                            score: q.and_then(|q| q.score),
                            self_score: q.and_then(|q| q.self_score),
                        }
                    })
                    .collect();
                TrendSeries { quality: l, points }
            })
            .collect()
    }
}

// --- the page ----------------------------------------------------------------------------

/// One row of the gap table.
#[derive(Debug)]
struct GapRow {
    key: String,
    name: String,
    side: &'static str,
    score: String,
    self_score: String,
    gap: String,
    counts: String,
    /// `Some("Self higher" | "Self lower")` for a blind spot.
    blind: Option<&'static str>,
    withheld: bool,
    not_observed: u32,
    /// The leniency-adjusted score, when the switch is on.
    adjusted: String,
}

/// The suggested growth focus with the model's activities for it.
#[derive(Debug)]
struct Focus {
    name: String,
    score: String,
    activities: Vec<String>,
}

/// One evidence note as the page shows it.
#[derive(Debug)]
struct NoteLine {
    quality: String,
    role: &'static str,
    score: String,
    text: String,
}

/// A cycle in the picker.
#[derive(Debug)]
struct CycleChoice {
    name: String,
    selected: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "profile.html")]
struct ProfilePage {
    layout: Layout,
    name: String,
    person_href: String,
    href: String,
    own: bool,
    cycle: Option<String>,
    cycle_open: bool,
    choices: Vec<CycleChoice>,
    has_scores: bool,
    radar: String,
    spectrum: String,
    profile_numbers: String,
    trend: String,
    trend_numbers: String,
    trend_cycles: usize,
    rows: Vec<GapRow>,
    blind_sentence: Option<String>,
    humility_note: String,
    strengths: Vec<String>,
    focus: Option<Focus>,
    mindset_index: String,
    behaviour_index: String,
    self_mindset_index: String,
    self_behaviour_index: String,
    threshold: u32,
    blind_threshold: String,
    withheld_any: bool,
    evidence: Option<Vec<NoteLine>>,
    adjusted_on: bool,
}

/// GET /people/{id}/profile?cycle=NAME
async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
    Query(query): Query<CycleQuery>,
) -> Result<ProfilePage, AppError> {
    let asker = Asker {
        org_id: viewer.org.id,
        role: viewer.role,
        scope: &viewer.scope,
    };
    let data = load(&state, asker, &raw, &query.cycle).await?;
    let mut page = page(&viewer, &data);
    if let (true, Some(cycle)) = (query.adjusted(), &data.cycle) {
        let scores =
            crate::evidence::adjusted_for(&state, viewer.org.id, cycle, &[&data.subject.id])
                .await?;
        let mine = scores.get(data.subject.id.as_str());
        for (i, row) in page.rows.iter_mut().enumerate() {
            row.adjusted = fmt_score(mine.and_then(|s| s.get(i).copied().flatten()));
        }
        page.adjusted_on = true;
    }
    Ok(page)
}

fn page(viewer: &Viewer, data: &ProfileData) -> ProfilePage {
    let scale = ChartScale::from_model(&data.model.scale);
    let points = data.points();
    let threshold = data.settings.blind_spot_threshold;
    let series = data.trend_series();
    let own = asker_is_subject(viewer, &data.subject);
    let p = &data.profile;

    let rows: Vec<GapRow> = QualityLabel::from_model(&data.model)
        .into_iter()
        .map(|l| {
            let q = p.quality(&l.key);
            let blind = p
                .blind_spots
                .iter()
                .find(|b| b.key.as_str() == l.key)
                .map(|b| match b.kind {
                    BlindSpotKind::Overrated => "Self higher",
                    BlindSpotKind::Underrated => "Self lower",
                });
            let counts = q.map_or_else(String::new, |q| {
                let n = q.n_by_role;
                let mut parts = Vec::new();
                if n.manager > 0 {
                    parts.push(format!("manager {}", n.manager));
                }
                if n.peer > 0 {
                    parts.push(format!("peers {}", n.peer));
                }
                if n.coach > 0 {
                    parts.push(format!("coach {}", n.coach));
                }
                if parts.is_empty() {
                    "—".to_owned()
                } else {
                    parts.join(", ")
                }
            });
            GapRow {
                side: charts_side(l.side),
                score: fmt_score(q.and_then(|q| q.score)),
                self_score: fmt_score(q.and_then(|q| q.self_score)),
                gap: fmt_gap(q.and_then(|q| q.gap)),
                counts,
                blind,
                withheld: q.is_some_and(|q| q.peers_withheld),
                not_observed: q.map_or(0, |q| q.not_observed),
                adjusted: String::new(),
                key: l.key,
                name: l.name,
            }
        })
        .collect();

    let humility = data
        .model
        .qualities
        .iter()
        .find(|q| q.key.as_str() == "humility")
        .map_or_else(|| "Humility".to_owned(), |q| q.name.clone());
    let blind_sentence = (!p.blind_spots.is_empty()).then(|| {
        let over: Vec<String> = p
            .blind_spots
            .iter()
            .filter(|b| b.kind == BlindSpotKind::Overrated)
            .map(|b| data.quality_name(&b.key))
            .collect();
        let under: Vec<String> = p
            .blind_spots
            .iter()
            .filter(|b| b.kind == BlindSpotKind::Underrated)
            .map(|b| data.quality_name(&b.key))
            .collect();
        let mut s = Vec::new();
        if !over.is_empty() {
            s.push(format!(
                "Rated higher by self than by others: {}.",
                list(&over)
            ));
        }
        if !under.is_empty() {
            s.push(format!(
                "Rated lower by self than by others (a strength not yet seen from the inside): {}.",
                list(&under)
            ));
        }
        s.join(" ")
    });
    let humility_note = if p.blind_spots.is_empty() {
        format!(
            "Self-knowledge is part of {humility}: no self score differs from the others' by {} \
             or more, so self-view and others' view agree.",
            charts_num(threshold)
        )
    } else {
        format!(
            "Self-knowledge is part of {humility}: {} blind spot{} (a self–other gap of {} or \
             more) {} worth a conversation about how the seller sees their own work.",
            p.blind_spots.len(),
            if p.blind_spots.len() == 1 { "" } else { "s" },
            charts_num(threshold),
            if p.blind_spots.len() == 1 {
                "is"
            } else {
                "are"
            },
        )
    };

    let focus = p.growth_focus.as_ref().map(|k| {
        let q = data.model.qualities.iter().find(|q| &q.key == k);
        Focus {
            name: data.quality_name(k),
            score: fmt_score(p.quality(k.as_str()).and_then(|q| q.score)),
            activities: q.map(|q| q.coaching_activities.clone()).unwrap_or_default(),
        }
    });

    let cycle_name = data.cycle.as_ref().map(|c| c.name.as_str().to_owned());
    let mut choices: Vec<CycleChoice> = data
        .cycles
        .iter()
        .map(|c| CycleChoice {
            name: c.clone(),
            selected: cycle_name.as_deref() == Some(c.as_str()),
        })
        .collect();
    if let Some(c) = &cycle_name
        && !data.cycles.contains(c)
    {
        choices.push(CycleChoice {
            name: c.clone(),
            selected: true,
        });
    }
    choices.reverse();

    let numbers = charts::profile_numbers(&points, threshold);
    let person_href = format!("/people/{}", url_segment(data.subject.id.as_str()));
    let section = if own && viewer.role == Role::Seller {
        Section::Profile
    } else {
        Section::People
    };
    ProfilePage {
        layout: Layout::new(viewer, format!("{} — profile", data.subject.name), section),
        name: data.subject.name.clone(),
        href: format!("{person_href}/profile"),
        person_href,
        own,
        cycle_open: data
            .cycle
            .as_ref()
            .is_some_and(|c| c.status.as_str() != "closed"),
        cycle: cycle_name,
        choices,
        has_scores: !p.is_empty(),
        radar: charts::radar(&points, &scale, "profile-radar"),
        spectrum: charts::profile_spectrum(&points, &scale, threshold, "profile-spectrum"),
        profile_numbers: numbers.details_html("The charts in numbers"),
        trend: charts::trend_grid(&series, &scale, "trend"),
        trend_numbers: charts::trend_numbers(&series).details_html("The trends in numbers"),
        trend_cycles: data.history.len(),
        withheld_any: rows.iter().any(|r| r.withheld),
        rows,
        blind_sentence,
        humility_note,
        strengths: p.strengths.iter().map(|k| data.quality_name(k)).collect(),
        focus,
        mindset_index: fmt_score(p.mindset_index),
        behaviour_index: fmt_score(p.behaviour_index),
        self_mindset_index: fmt_score(p.self_mindset_index),
        self_behaviour_index: fmt_score(p.self_behaviour_index),
        threshold: data.settings.anonymity_threshold,
        blind_threshold: charts_num(threshold),
        evidence: data.evidence.as_ref().map(|notes| {
            notes
                .iter()
                .map(|n| {
                    // A peer's score where peers are withheld would undo the anonymity rule.
                    let withheld = n.role == RaterRole::Peer
                        && p.quality(n.quality.as_str())
                            .is_some_and(|q| q.peers_withheld);
                    NoteLine {
                        quality: data.quality_name(&n.quality),
                        role: n.role.label(),
                        score: match n.score {
                            _ if withheld => "withheld".to_owned(),
                            Some(s) => s.to_string(),
                            None => "not observed".to_owned(),
                        },
                        text: n.evidence.clone(),
                    }
                })
                .collect()
        }),
        adjusted_on: false,
    }
}

/// Is the viewer the subject of the profile?
fn asker_is_subject(viewer: &Viewer, subject: &Person) -> bool {
    Asker {
        org_id: viewer.org.id,
        role: viewer.role,
        scope: &viewer.scope,
    }
    .own_person()
        == Some(&subject.id)
}

fn charts_side(side: sellerq_domain::model::Side) -> &'static str {
    crate::web::svg::side_class(side)
}

/// A threshold as people write it (`1`, `0.5`).
fn charts_num(v: f64) -> String {
    crate::web::svg::num(v)
}

/// `a`, `a and b`, `a, b and c`.
pub(crate) fn list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::list;

    #[test]
    fn lists_read_as_sentences() {
        assert_eq!(list(&[]), "");
        assert_eq!(list(&["Belief".into()]), "Belief");
        assert_eq!(
            list(&["Belief".into(), "Humility".into(), "Ownership".into()]),
            "Belief, Humility and Ownership"
        );
    }
}
