//! From submitted ratings to the figures people see: the seller profile, the team statistics
//! and the trend across cycles.
//!
//! The definitions are FORMATS.md's, plus the anonymity rule, stated precisely here because
//! every page, the API and the tests must agree on them to the last digit:
//!
//! - **Quality score** of a subject on a quality: the mean of the scores that the subject's
//!   manager, peers and coach gave it in the cycle ([`RaterRole::counts_in_score`]). Self ratings
//!   are reported beside it, never mixed in; interviewer ratings (hiring scorecards) are left out.
//!   "Not observed" ratings carry no score and count nowhere but in
//!   [`QualityProfile::not_observed`].
//! - **Anonymity**: the peer scores of a quality count only when at least
//!   [`OrgSettings::anonymity_threshold`] peers scored *that quality*. Below it the peer scores
//!   are left out of that quality's score and its counts ([`RoleCounts::peer`] is 0) and
//!   [`QualityProfile::peers_withheld`] is set, so a page can say "fewer than 3 peers". Counting
//!   per quality matters: a peer's "not observed" on one quality can leave two peer scores there,
//!   and two scores beside a known manager score would give a peer away. A threshold of 1 turns
//!   the rule off and gives exactly the numbers of `sellerq analyze`.
//! - **Self score**: the mean of the self scores (there is at most one per cycle).
//! - **Gap**: self score − quality score, when both exist. Positive: the seller rates
//!   themselves higher than others do.
//! - **Mindset index** / **behaviour index**: the mean of the quality scores of the qualities
//!   on that side of the spectrum that have a score (qualities without one are left out; no
//!   score on the side at all gives `None`). The self indexes are the same over self scores.
//! - **Blind spot**: a quality whose |gap| is at least [`OrgSettings::blind_spot_threshold`]
//!   (a tolerance of 1e-9 absorbs floating-point error in the means).
//! - **Growth focus**: the quality with the lowest score; ties go to the most negative gap
//!   (where the seller already sees the weakness most clearly), a quality without a self score
//!   after those with one, then spectrum order. **Strengths**: the two highest scores among the
//!   other qualities (never the growth focus), ties in spectrum order.
//! - **Team statistics** per quality, over the subjects that have a score: the mean, the sample
//!   standard deviation (n − 1; `None` below two subjects), and the distribution of the scores
//!   rounded to the nearest scale level (halves round up: 2.5 → 3). The **weakest** quality has
//!   the lowest mean, the **most uneven** the largest SD; ties in spectrum order.
//!
//! - **Leniency-adjusted score** ([`adjusted_scores`]): each counted score minus its rater's
//!   leniency (FORMATS.md), averaged as the quality score is. The caller pairs each rating
//!   with a leniency; rater identities never reach this module, which is how a profile cannot
//!   leak who gave what.

use serde::Serialize;

use super::{OrgSettings, RaterRole};
use crate::model::{Model, QualityKey, Side};

/// Floating-point slack when comparing a gap with the blind-spot threshold.
const EPSILON: f64 = 1e-9;

/// One submitted rating as aggregation sees it: which quality, from which perspective, and the
/// score (`None` = not observed). No rater identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RatingValue {
    /// The quality rated.
    pub quality: QualityKey,
    /// The rater's role.
    pub role: RaterRole,
    /// The score, or `None` for "not observed".
    pub score: Option<u8>,
}

/// How many scores of each role went into a quality's figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct RoleCounts {
    /// Self scores.
    #[serde(rename = "self")]
    pub self_rating: u32,
    /// Manager scores.
    pub manager: u32,
    /// Peer scores counted (0 when withheld by the anonymity rule).
    pub peer: u32,
    /// Coach scores.
    pub coach: u32,
}

/// One quality of a seller's profile.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QualityProfile {
    /// The quality.
    pub key: QualityKey,
    /// Its side of the spectrum.
    pub side: Side,
    /// The others' score (manager, peers, coach).
    pub score: Option<f64>,
    /// The self score.
    #[serde(rename = "self")]
    pub self_score: Option<f64>,
    /// Self − others.
    pub gap: Option<f64>,
    /// Scores per role that went into `score` and `self`.
    pub n_by_role: RoleCounts,
    /// True when some peers scored the quality but fewer than the anonymity threshold, so
    /// their scores were left out.
    pub peers_withheld: bool,
    /// "Not observed" answers (all roles).
    pub not_observed: u32,
}

/// Which way a blind spot points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BlindSpotKind {
    /// The seller rates themselves higher than others do (gap ≥ threshold).
    Overrated,
    /// The seller rates themselves lower than others do: a hidden strength (gap ≤ −threshold).
    Underrated,
}

/// A quality whose self–other gap reaches the blind-spot threshold.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BlindSpot {
    /// The quality.
    pub key: QualityKey,
    /// Self − others.
    pub gap: f64,
    /// Over- or under-rated.
    pub kind: BlindSpotKind,
}

/// A seller's profile in one cycle.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Profile {
    /// Every quality of the model, in spectrum order.
    pub qualities: Vec<QualityProfile>,
    /// Mean quality score on the mindset side.
    pub mindset_index: Option<f64>,
    /// Mean quality score on the behaviour side.
    pub behaviour_index: Option<f64>,
    /// Mean self score on the mindset side.
    pub self_mindset_index: Option<f64>,
    /// Mean self score on the behaviour side.
    pub self_behaviour_index: Option<f64>,
    /// Qualities whose |gap| reaches the threshold, in spectrum order.
    pub blind_spots: Vec<BlindSpot>,
    /// Up to two highest-scoring qualities (never the growth focus), best first.
    pub strengths: Vec<QualityKey>,
    /// The suggested growth focus.
    pub growth_focus: Option<QualityKey>,
}

impl Profile {
    /// The figures of one quality.
    pub fn quality(&self, key: &str) -> Option<&QualityProfile> {
        self.qualities.iter().find(|q| q.key.as_str() == key)
    }

    /// True when no quality has a score or a self score.
    pub fn is_empty(&self) -> bool {
        self.qualities
            .iter()
            .all(|q| q.score.is_none() && q.self_score.is_none())
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct Tally {
    sum: u32,
    n: u32,
}

impl Tally {
    fn add(&mut self, score: u8) {
        self.sum += u32::from(score);
        self.n += 1;
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct Cell {
    selves: Tally,
    manager: Tally,
    peer: Tally,
    coach: Tally,
    not_observed: u32,
}

fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (sum, n) = values.fold((0.0, 0u32), |(s, n), v| (s + v, n + 1));
    (n > 0).then(|| sum / f64::from(n))
}

/// Computes a subject's profile in one cycle from its submitted ratings (any order), on the
/// cycle's `model`. Ratings of qualities the model does not have are ignored.
///
/// ```
/// use sellerq_domain::assessment::{profile, OrgSettings, RaterRole, RatingValue};
/// use sellerq_domain::default_model;
///
/// let r = |role, score| RatingValue { quality: "belief".parse().unwrap(), role, score: Some(score) };
/// let p = profile(default_model(), &[r(RaterRole::SelfRating, 5), r(RaterRole::Manager, 3)],
///                 &OrgSettings::default());
/// let belief = p.quality("belief").unwrap();
/// assert_eq!((belief.score, belief.self_score, belief.gap), (Some(3.0), Some(5.0), Some(2.0)));
/// assert_eq!(p.mindset_index, Some(3.0));
/// ```
pub fn profile(model: &Model, ratings: &[RatingValue], settings: &OrgSettings) -> Profile {
    let mut cells = vec![Cell::default(); model.qualities.len()];
    for r in ratings {
        let Some(i) = model.qualities.iter().position(|q| q.key == r.quality) else {
            continue;
        };
        let cell = &mut cells[i];
        let Some(score) = r.score else {
            cell.not_observed += 1;
            continue;
        };
        match r.role {
            RaterRole::SelfRating => cell.selves.add(score),
            RaterRole::Manager => cell.manager.add(score),
            RaterRole::Peer => cell.peer.add(score),
            RaterRole::Coach => cell.coach.add(score),
            RaterRole::Interviewer => {}
        }
    }

    let qualities: Vec<QualityProfile> = model
        .qualities
        .iter()
        .zip(&cells)
        .map(|(q, c)| {
            let peers_count = settings.peers_count(c.peer.n);
            let peer = if peers_count {
                c.peer
            } else {
                Tally::default()
            };
            let others_n = c.manager.n + peer.n + c.coach.n;
            let others_sum = c.manager.sum + peer.sum + c.coach.sum;
            let score = (others_n > 0).then(|| f64::from(others_sum) / f64::from(others_n));
            let self_score =
                (c.selves.n > 0).then(|| f64::from(c.selves.sum) / f64::from(c.selves.n));
            let gap = match (self_score, score) {
                (Some(s), Some(o)) => Some(s - o),
                _ => None,
            };
            QualityProfile {
                key: q.key.clone(),
                side: q.side,
                score,
                self_score,
                gap,
                n_by_role: RoleCounts {
                    self_rating: c.selves.n,
                    manager: c.manager.n,
                    peer: peer.n,
                    coach: c.coach.n,
                },
                peers_withheld: c.peer.n > 0 && !peers_count,
                not_observed: c.not_observed,
            }
        })
        .collect();

    let side_mean = |side: Side, pick: fn(&QualityProfile) -> Option<f64>| {
        mean(qualities.iter().filter(|q| q.side == side).filter_map(pick))
    };
    let blind_spots = qualities
        .iter()
        .filter_map(|q| {
            let gap = q.gap?;
            (gap.abs() >= settings.blind_spot_threshold - EPSILON).then(|| BlindSpot {
                key: q.key.clone(),
                gap,
                kind: if gap > 0.0 {
                    BlindSpotKind::Overrated
                } else {
                    BlindSpotKind::Underrated
                },
            })
        })
        .collect();

    let scored: Vec<(usize, &QualityProfile, f64)> = qualities
        .iter()
        .enumerate()
        .filter_map(|(i, q)| q.score.map(|s| (i, q, s)))
        .collect();
    let growth = scored
        .iter()
        .min_by(|a, b| {
            a.2.total_cmp(&b.2)
                .then_with(|| match (a.1.gap, b.1.gap) {
                    (Some(x), Some(y)) => x.total_cmp(&y),
                    (Some(_), None) => std::cmp::Ordering::Less,
                    (None, Some(_)) => std::cmp::Ordering::Greater,
                    (None, None) => std::cmp::Ordering::Equal,
                })
                .then_with(|| a.0.cmp(&b.0))
        })
        .map(|(i, ..)| *i);
    let mut strengths: Vec<&(usize, &QualityProfile, f64)> =
        scored.iter().filter(|(i, ..)| Some(*i) != growth).collect();
    strengths.sort_by(|a, b| b.2.total_cmp(&a.2).then_with(|| a.0.cmp(&b.0)));

    Profile {
        mindset_index: side_mean(Side::Mindset, |q| q.score),
        behaviour_index: side_mean(Side::Behaviour, |q| q.score),
        self_mindset_index: side_mean(Side::Mindset, |q| q.self_score),
        self_behaviour_index: side_mean(Side::Behaviour, |q| q.self_score),
        blind_spots,
        strengths: strengths.iter().take(2).map(|s| s.1.key.clone()).collect(),
        growth_focus: growth.map(|i| qualities[i].key.clone()),
        qualities,
    }
}

/// Leniency-adjusted quality scores of one subject in one cycle, one per quality of `model`
/// (spectrum order): every score that counts in [`QualityProfile::score`] minus its rater's
/// leniency, averaged exactly as the raw score is — the same roles, the same anonymity rule
/// (peers count only when at least the threshold of them scored the quality). A rater whose
/// leniency is unknown (`None`: nobody else rated their subjects) is taken as they are. Self
/// scores are never adjusted, so they are not returned. Each rating comes with its rater's
/// leniency only, never the rater, so nothing here can say who gave what.
///
/// ```
/// use sellerq_domain::assessment::{adjusted_scores, OrgSettings, RaterRole, RatingValue};
/// use sellerq_domain::default_model;
///
/// let r = |role, score| RatingValue { quality: "belief".parse().unwrap(), role, score: Some(score) };
/// // A manager half a point lenient and a coach half a point severe: 4 − 0.5 and 2 + 0.5.
/// let adjusted = adjusted_scores(default_model(),
///     &[(r(RaterRole::Manager, 4), Some(0.5)), (r(RaterRole::Coach, 2), Some(-0.5))],
///     &OrgSettings::default());
/// assert_eq!(adjusted[0], Some(3.0));
/// ```
pub fn adjusted_scores(
    model: &Model,
    ratings: &[(RatingValue, Option<f64>)],
    settings: &OrgSettings,
) -> Vec<Option<f64>> {
    // Per quality: (sum, n) of adjusted manager+coach scores, and of adjusted peer scores.
    let mut fixed = vec![(0.0_f64, 0_u32); model.qualities.len()];
    let mut peers = vec![(0.0_f64, 0_u32); model.qualities.len()];
    for (r, leniency) in ratings {
        let Some(score) = r.score else { continue };
        let Some(i) = model.qualities.iter().position(|q| q.key == r.quality) else {
            continue;
        };
        let value = f64::from(score) - leniency.unwrap_or(0.0);
        let slot = match r.role {
            RaterRole::Manager | RaterRole::Coach => &mut fixed[i],
            RaterRole::Peer => &mut peers[i],
            RaterRole::SelfRating | RaterRole::Interviewer => continue,
        };
        slot.0 += value;
        slot.1 += 1;
    }
    fixed
        .iter()
        .zip(&peers)
        .map(|(&(sum, n), &(peer_sum, peer_n))| {
            let (sum, n) = if settings.peers_count(peer_n) {
                (sum + peer_sum, n + peer_n)
            } else {
                (sum, n)
            };
            (n > 0).then(|| sum / f64::from(n))
        })
        .collect()
}

/// How many subjects' scores round to one scale level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LevelCount {
    /// The scale level.
    pub level: u8,
    /// Subjects whose score rounds to it.
    pub count: u32,
}

/// One quality across a team.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TeamQuality {
    /// The quality.
    pub key: QualityKey,
    /// Its side of the spectrum.
    pub side: Side,
    /// Subjects with a score.
    pub n_subjects: u32,
    /// Mean of their scores.
    pub mean: Option<f64>,
    /// Sample standard deviation (n − 1) of their scores.
    pub sd: Option<f64>,
    /// One entry per scale level, ascending.
    pub distribution: Vec<LevelCount>,
}

/// A team's statistics in one cycle.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TeamStats {
    /// Subjects considered (with or without scores).
    pub n_subjects: u32,
    /// Every quality of the model, in spectrum order.
    pub qualities: Vec<TeamQuality>,
    /// Mean of the subjects' mindset indexes.
    pub mindset_index: Option<f64>,
    /// Mean of the subjects' behaviour indexes.
    pub behaviour_index: Option<f64>,
    /// The quality with the lowest mean.
    pub weakest: Option<QualityKey>,
    /// The quality with the largest SD.
    pub most_uneven: Option<QualityKey>,
}

impl TeamStats {
    /// The figures of one quality.
    pub fn quality(&self, key: &str) -> Option<&TeamQuality> {
        self.qualities.iter().find(|q| q.key.as_str() == key)
    }
}

/// Team statistics over subjects' profiles, all computed on `model` (the cycle's).
///
/// ```
/// use sellerq_domain::assessment::{profile, team_stats, OrgSettings, RaterRole, RatingValue};
/// use sellerq_domain::default_model;
///
/// let m = default_model();
/// let one = |score| profile(m, &[RatingValue { quality: "belief".parse().unwrap(),
///     role: RaterRole::Manager, score: Some(score) }], &OrgSettings::default());
/// let team = team_stats(m, &[one(2), one(4)]);
/// let belief = team.quality("belief").unwrap();
/// assert_eq!((belief.mean, belief.sd), (Some(3.0), Some(2f64.sqrt())));
/// ```
pub fn team_stats<'a>(model: &Model, profiles: impl IntoIterator<Item = &'a Profile>) -> TeamStats {
    let profiles: Vec<&Profile> = profiles.into_iter().collect();
    let levels: Vec<u8> = model.scale.values().collect();
    let qualities: Vec<TeamQuality> = model
        .qualities
        .iter()
        .map(|q| {
            let xs: Vec<f64> = profiles
                .iter()
                .filter_map(|p| p.quality(q.key.as_str()).and_then(|qp| qp.score))
                .collect();
            let m = mean(xs.iter().copied());
            let sd = m.filter(|_| xs.len() >= 2).map(|m| {
                let ss: f64 = xs.iter().map(|x| (x - m) * (x - m)).sum();
                (ss / (xs.len() - 1) as f64).sqrt()
            });
            let mut distribution: Vec<LevelCount> = levels
                .iter()
                .map(|&level| LevelCount { level, count: 0 })
                .collect();
            for x in &xs {
                let rounded = (x + 0.5).floor();
                let level = rounded.clamp(f64::from(model.scale.min), f64::from(model.scale.max));
                if let Some(c) = distribution
                    .iter_mut()
                    .find(|c| f64::from(c.level) == level)
                {
                    c.count += 1;
                }
            }
            TeamQuality {
                key: q.key.clone(),
                side: q.side,
                n_subjects: u32::try_from(xs.len()).unwrap_or(u32::MAX),
                mean: m,
                sd,
                distribution,
            }
        })
        .collect();
    let pick = |f: fn(&TeamQuality) -> Option<f64>, lowest: bool| {
        qualities
            .iter()
            .filter_map(|q| f(q).map(|v| (q, v)))
            .reduce(|best, next| {
                let better = if lowest {
                    next.1 < best.1
                } else {
                    next.1 > best.1
                };
                if better { next } else { best }
            })
            .map(|(q, _)| q.key.clone())
    };
    TeamStats {
        n_subjects: u32::try_from(profiles.len()).unwrap_or(u32::MAX),
        mindset_index: mean(profiles.iter().filter_map(|p| p.mindset_index)),
        behaviour_index: mean(profiles.iter().filter_map(|p| p.behaviour_index)),
        weakest: pick(|q| q.mean, true),
        most_uneven: pick(|q| q.sd, false),
        qualities,
    }
}

/// One quality's line across cycles.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrendSeries {
    /// The quality.
    pub key: QualityKey,
    /// The others' score per cycle (`None` where there is none).
    pub scores: Vec<Option<f64>>,
    /// The self score per cycle.
    pub self_scores: Vec<Option<f64>>,
}

/// A seller's figures across cycles, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trend {
    /// The cycles' names, in the order given.
    pub cycles: Vec<String>,
    /// One series per quality: the qualities of the last cycle's model in spectrum order, then
    /// any that only older cycles had.
    pub series: Vec<TrendSeries>,
    /// The mindset index per cycle.
    pub mindset_index: Vec<Option<f64>>,
    /// The behaviour index per cycle.
    pub behaviour_index: Vec<Option<f64>>,
}

/// Lines up profiles of successive cycles (pass them oldest first), matching qualities by key
/// so that a quality renamed in a later model version keeps its line.
pub fn trend<'a>(cycles: impl IntoIterator<Item = (&'a str, &'a Profile)>) -> Trend {
    let points: Vec<(&str, &Profile)> = cycles.into_iter().collect();
    let mut keys: Vec<QualityKey> = Vec::new();
    for (_, p) in points.iter().rev() {
        for q in &p.qualities {
            if !keys.contains(&q.key) {
                keys.push(q.key.clone());
            }
        }
    }
    let series = keys
        .into_iter()
        .map(|key| {
            let at = |f: fn(&QualityProfile) -> Option<f64>| {
                points
                    .iter()
                    .map(|(_, p)| p.quality(key.as_str()).and_then(f))
                    .collect()
            };
            TrendSeries {
                scores: at(|q| q.score),
                self_scores: at(|q| q.self_score),
                key,
            }
        })
        .collect();
    Trend {
        cycles: points.iter().map(|(c, _)| (*c).to_owned()).collect(),
        series,
        mindset_index: points.iter().map(|(_, p)| p.mindset_index).collect(),
        behaviour_index: points.iter().map(|(_, p)| p.behaviour_index).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::default_model;
    use RaterRole::{Coach, Interviewer, Manager, Peer, SelfRating};

    fn r(quality: &str, role: RaterRole, score: Option<u8>) -> RatingValue {
        RatingValue {
            quality: QualityKey::parse(quality).unwrap(),
            role,
            score,
        }
    }

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-12)
    }

    /// The hand-computed case: every rule of the module in one seller.
    fn pat() -> Vec<RatingValue> {
        vec![
            // belief: others (3 + 2 + 3 + 4 + 5) / 5 = 3.4; self 4; gap 0.6
            r("belief", SelfRating, Some(4)),
            r("belief", Manager, Some(3)),
            r("belief", Peer, Some(2)),
            r("belief", Peer, Some(3)),
            r("belief", Peer, Some(4)),
            r("belief", Coach, Some(5)),
            r("belief", Interviewer, Some(1)),
            // humility: two peers only → withheld; others = manager 2; self 5; gap 3
            r("humility", SelfRating, Some(5)),
            r("humility", Manager, Some(2)),
            r("humility", Peer, Some(2)),
            r("humility", Peer, Some(3)),
            r("humility", Peer, None),
            // ownership: (4 + 4 + 4 + 5) / 4 = 4.25; self 2; gap −2.25
            r("ownership", SelfRating, Some(2)),
            r("ownership", Manager, Some(4)),
            r("ownership", Peer, Some(4)),
            r("ownership", Peer, Some(4)),
            r("ownership", Peer, Some(5)),
            // perseverance: manager did not observe; peers 3, 3, 3; no self
            r("perseverance", Manager, None),
            r("perseverance", Peer, Some(3)),
            r("perseverance", Peer, Some(3)),
            r("perseverance", Peer, Some(3)),
            // trust_building: 3 and 3, gap 0
            r("trust_building", SelfRating, Some(3)),
            r("trust_building", Manager, Some(3)),
            // process_mastery: nothing at all
            // value_crafting: (2 + 2) / 2 = 2; self 3; gap exactly 1
            r("value_crafting", SelfRating, Some(3)),
            r("value_crafting", Manager, Some(2)),
            r("value_crafting", Coach, Some(2)),
            // storytelling: 2; self 1; gap −1
            r("storytelling", SelfRating, Some(1)),
            r("storytelling", Manager, Some(2)),
            // a quality the model does not have is ignored
            r("charisma", Manager, Some(5)),
        ]
    }

    #[test]
    fn a_profile_matches_the_hand_computed_scores_gaps_and_counts() {
        let p = profile(default_model(), &pat(), &OrgSettings::default());
        let q = |k| p.quality(k).unwrap();

        assert!(close(q("belief").score, 3.4));
        assert_eq!(q("belief").self_score, Some(4.0));
        assert!(close(q("belief").gap, 0.6));
        assert_eq!(
            q("belief").n_by_role,
            RoleCounts {
                self_rating: 1,
                manager: 1,
                peer: 3,
                coach: 1
            }
        );
        assert!(close(q("ownership").score, 4.25));
        assert!(close(q("ownership").gap, -2.25));
        assert_eq!(q("perseverance").score, Some(3.0));
        assert_eq!(q("perseverance").gap, None);
        assert_eq!(q("perseverance").not_observed, 1);
        assert_eq!(q("trust_building").gap, Some(0.0));
        assert_eq!(q("process_mastery").score, None);
        assert_eq!(q("process_mastery").n_by_role, RoleCounts::default());
        assert_eq!(q("value_crafting").gap, Some(1.0));
        assert_eq!(q("storytelling").gap, Some(-1.0));
    }

    #[test]
    fn with_no_leniency_the_adjusted_scores_are_the_raw_scores() {
        let settings = OrgSettings::default();
        let raw = profile(default_model(), &pat(), &settings);
        let paired: Vec<_> = pat().into_iter().map(|r| (r, None)).collect();
        let adjusted = adjusted_scores(default_model(), &paired, &settings);
        let scores: Vec<Option<f64>> = raw.qualities.iter().map(|q| q.score).collect();
        assert_eq!(adjusted, scores);
    }

    #[test]
    fn adjusted_scores_subtract_each_raters_leniency_and_keep_the_anonymity_rule() {
        let leniency = |r: &RatingValue| match r.role {
            Manager => Some(0.5),
            Peer => Some(-0.25),
            Coach => Some(1.0),
            SelfRating | Interviewer => Some(9.0),
        };
        let paired: Vec<_> = pat()
            .into_iter()
            .map(|r| {
                let l = leniency(&r);
                (r, l)
            })
            .collect();
        let a = adjusted_scores(default_model(), &paired, &OrgSettings::default());
        // belief: (3 − 0.5) + (2 + 3 + 4 + 3 × 0.25) + (5 − 1) = 16.25 over 5
        assert!(close(a[0], 16.25 / 5.0));
        // humility: two peers are withheld, the manager's 2 − 0.5 alone
        assert!(close(a[1], 1.5));
        // perseverance: the three peers, 3.25 each
        assert!(close(a[3], 3.25));
        // process_mastery: nothing to adjust
        assert_eq!(a[5], None);
    }

    #[test]
    fn fewer_peers_than_the_threshold_are_left_out_of_that_quality_only() {
        let p = profile(default_model(), &pat(), &OrgSettings::default());
        let humility = p.quality("humility").unwrap();
        assert_eq!(humility.score, Some(2.0), "the manager's score alone");
        assert_eq!(humility.n_by_role.peer, 0);
        assert!(humility.peers_withheld);
        assert_eq!(humility.not_observed, 1, "the third peer did not observe");
        assert!(!p.quality("belief").unwrap().peers_withheld);
        assert!(
            !p.quality("storytelling").unwrap().peers_withheld,
            "no peers at all"
        );
    }

    #[test]
    fn a_threshold_of_one_counts_every_peer_as_formats_md_defines() {
        let open = OrgSettings {
            anonymity_threshold: 1,
            ..OrgSettings::default()
        };
        let p = profile(default_model(), &pat(), &open);
        let humility = p.quality("humility").unwrap();
        assert!(close(humility.score, 7.0 / 3.0));
        assert_eq!(humility.n_by_role.peer, 2);
        assert!(!humility.peers_withheld);
    }

    #[test]
    fn the_indexes_are_the_means_of_each_sides_scores() {
        let p = profile(default_model(), &pat(), &OrgSettings::default());
        // mindset: 3.4, 2, 4.25, 3; behaviour: 3, (none), 2, 2
        assert!(close(p.mindset_index, (3.4 + 2.0 + 4.25 + 3.0) / 4.0));
        assert!(close(p.behaviour_index, 7.0 / 3.0));
        // self: mindset 4, 5, 2 (perseverance has none); behaviour 3, 3, 1
        assert!(close(p.self_mindset_index, 11.0 / 3.0));
        assert!(close(p.self_behaviour_index, 7.0 / 3.0));
    }

    #[test]
    fn blind_spots_reach_the_threshold_in_either_direction() {
        let p = profile(default_model(), &pat(), &OrgSettings::default());
        let spots: Vec<(&str, BlindSpotKind)> = p
            .blind_spots
            .iter()
            .map(|b| (b.key.as_str(), b.kind))
            .collect();
        assert_eq!(
            spots,
            [
                ("humility", BlindSpotKind::Overrated),
                ("ownership", BlindSpotKind::Underrated),
                ("value_crafting", BlindSpotKind::Overrated),
                ("storytelling", BlindSpotKind::Underrated),
            ]
        );
        let strict = OrgSettings {
            blind_spot_threshold: 2.5,
            ..OrgSettings::default()
        };
        let p = profile(default_model(), &pat(), &strict);
        assert_eq!(p.blind_spots.len(), 1);
        assert_eq!(p.blind_spots[0].key.as_str(), "humility");
    }

    #[test]
    fn the_growth_focus_is_the_lowest_score_with_ties_going_to_the_most_negative_gap() {
        // humility, value_crafting and storytelling all score 2; their gaps are 3, 1 and −1.
        let p = profile(default_model(), &pat(), &OrgSettings::default());
        assert_eq!(
            p.growth_focus.as_ref().map(QualityKey::as_str),
            Some("storytelling")
        );
    }

    #[test]
    fn the_strengths_are_the_two_highest_scores() {
        let p = profile(default_model(), &pat(), &OrgSettings::default());
        let s: Vec<&str> = p.strengths.iter().map(QualityKey::as_str).collect();
        assert_eq!(s, ["ownership", "belief"]);
    }

    #[test]
    fn with_equal_scores_the_growth_focus_and_strengths_never_coincide() {
        let ratings: Vec<RatingValue> = default_model()
            .keys()
            .map(|k| r(k.as_str(), Manager, Some(3)))
            .collect();
        let p = profile(default_model(), &ratings, &OrgSettings::default());
        assert_eq!(
            p.growth_focus.as_ref().map(QualityKey::as_str),
            Some("belief")
        );
        let s: Vec<&str> = p.strengths.iter().map(QualityKey::as_str).collect();
        assert_eq!(s, ["humility", "ownership"]);
    }

    #[test]
    fn a_quality_without_a_self_score_loses_the_growth_focus_tie_to_one_with_a_gap() {
        let ratings = vec![
            r("belief", Manager, Some(2)),
            r("humility", Manager, Some(2)),
            r("humility", SelfRating, Some(4)),
        ];
        let p = profile(default_model(), &ratings, &OrgSettings::default());
        assert_eq!(
            p.growth_focus.as_ref().map(QualityKey::as_str),
            Some("humility")
        );
    }

    #[test]
    fn no_ratings_give_an_empty_profile() {
        let p = profile(default_model(), &[], &OrgSettings::default());
        assert!(p.is_empty());
        assert_eq!(p.qualities.len(), 8);
        assert_eq!((p.mindset_index, p.growth_focus.clone()), (None, None));
        assert!(p.strengths.is_empty() && p.blind_spots.is_empty());
    }

    #[test]
    fn the_profile_serializes_with_the_api_field_names() {
        let p = profile(default_model(), &pat(), &OrgSettings::default());
        let json = serde_json::to_value(&p).unwrap();
        let belief = &json["qualities"][0];
        assert_eq!(belief["key"], "belief");
        assert_eq!(belief["self"], 4.0);
        assert_eq!(belief["n_by_role"]["self"], 1);
        assert_eq!(belief["n_by_role"]["peer"], 3);
        assert!(json["mindset_index"].is_number());
        assert_eq!(json["blind_spots"][0]["kind"], "overrated");
        assert_eq!(json["qualities"][5]["score"], serde_json::Value::Null);
    }

    /// Four subjects rated by their manager (and D also by a coach).
    fn team() -> Vec<Profile> {
        let m = default_model();
        let s = OrgSettings::default();
        vec![
            profile(
                m,
                &[
                    r("belief", Manager, Some(2)),
                    r("humility", Manager, Some(1)),
                    r("ownership", Manager, Some(5)),
                ],
                &s,
            ),
            profile(
                m,
                &[
                    r("belief", Manager, Some(4)),
                    r("humility", Manager, Some(1)),
                    r("ownership", Manager, Some(1)),
                ],
                &s,
            ),
            profile(
                m,
                &[
                    r("belief", Manager, Some(3)),
                    r("humility", Manager, Some(1)),
                ],
                &s,
            ),
            profile(
                m,
                &[
                    r("belief", Manager, Some(2)),
                    r("belief", Coach, Some(3)),
                    r("humility", Manager, Some(1)),
                ],
                &s,
            ),
        ]
    }

    #[test]
    fn team_statistics_match_the_hand_computed_mean_sd_and_distribution() {
        let t = team_stats(default_model(), &team());
        assert_eq!(t.n_subjects, 4);
        let belief = t.quality("belief").unwrap();
        // 2, 4, 3, 2.5: mean 2.875; squares of deviations .765625 + 1.265625 + .015625 + .140625
        assert_eq!(belief.n_subjects, 4);
        assert!(close(belief.mean, 2.875));
        assert!(close(belief.sd, (2.1875f64 / 3.0).sqrt()));
        let counts: Vec<u32> = belief.distribution.iter().map(|c| c.count).collect();
        assert_eq!(counts, [0, 1, 2, 1, 0], "2.5 rounds up to 3");
        let ownership = t.quality("ownership").unwrap();
        assert_eq!((ownership.n_subjects, ownership.mean), (2, Some(3.0)));
        assert!(close(ownership.sd, 8f64.sqrt()));
        let none = t.quality("storytelling").unwrap();
        assert_eq!((none.n_subjects, none.mean, none.sd), (0, None, None));
    }

    #[test]
    fn the_weakest_quality_has_the_lowest_mean_and_the_most_uneven_the_largest_sd() {
        let t = team_stats(default_model(), &team());
        assert_eq!(t.weakest.as_ref().map(QualityKey::as_str), Some("humility"));
        assert_eq!(
            t.most_uneven.as_ref().map(QualityKey::as_str),
            Some("ownership")
        );
        // mindset indexes: (2+1+5)/3, (4+1+1)/3, (3+1)/2, (2.5+1)/2
        let expected = (8.0 / 3.0 + 2.0 + 2.0 + 1.75) / 4.0;
        assert!(close(t.mindset_index, expected));
        assert_eq!(t.behaviour_index, None);
    }

    #[test]
    fn one_subject_has_a_mean_but_no_sd() {
        let t = team_stats(default_model(), &team()[..1]);
        let belief = t.quality("belief").unwrap();
        assert_eq!((belief.mean, belief.sd), (Some(2.0), None));
        assert_eq!(t.most_uneven, None);
    }

    #[test]
    fn a_trend_lines_up_each_quality_across_cycles() {
        let m = default_model();
        let s = OrgSettings::default();
        let h1 = profile(
            m,
            &[
                r("belief", Manager, Some(2)),
                r("belief", SelfRating, Some(4)),
            ],
            &s,
        );
        let h2 = profile(
            m,
            &[
                r("belief", Manager, Some(3)),
                r("humility", Manager, Some(4)),
            ],
            &s,
        );
        let t = trend([("2025-H2", &h1), ("2026-H1", &h2)]);
        assert_eq!(t.cycles, ["2025-H2", "2026-H1"]);
        assert_eq!(t.series.len(), 8);
        assert_eq!(t.series[0].key.as_str(), "belief");
        assert_eq!(t.series[0].scores, [Some(2.0), Some(3.0)]);
        assert_eq!(t.series[0].self_scores, [Some(4.0), None]);
        assert_eq!(t.series[1].scores, [None, Some(4.0)]);
        assert_eq!(t.mindset_index, [Some(2.0), Some(3.5)]);
    }
}
