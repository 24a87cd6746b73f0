//! The demo's assessment history: four half-year cycles of multi-rater ratings drawn from the
//! hidden true levels of [`super::plan`].
//!
//! The story the ratings tell:
//! - every seller is rated by themself, their manager and three or four teammates (so peer
//!   scores clear the default anonymity threshold of three), coached sellers also by the
//!   external coach (an outside rater, not a person of the organisation);
//! - raters differ in leniency: Enterprise East's manager is generous, Enterprise West's is
//!   strict, peers vary, the coach is exacting — each score is the true level plus the rater's
//!   leniency plus noise, rounded to the scale;
//! - "résumé only" sellers over-rate themselves, most on Humility and Ownership (blind spots),
//!   hidden stars under-rate themselves, everyone else a little generous;
//! - coached sellers start lower and grow cycle by cycle, and their self-view converges;
//! - peers now and then answer "not observed" (more often on Process Mastery and Value
//!   Crafting, which peers see less of), and every score at an end of the scale carries an
//!   evidence note in plain, varied sentences;
//! - the last cycle is still open: a few sheets are outstanding (including the demo seller's
//!   own self-assessment and two of the demo manager's), so "my assessments" and completion
//!   have something to show.

use sellerq_domain::assessment::RaterRole;
use sellerq_domain::{PersonId, Role};

use super::{DemoPlan, SEED, SellerTraits, SplitMix64, Story, fnv1a};

/// The demo's cycles, oldest first; the last stays open.
pub const CYCLES: [&str; 4] = ["2025-H1", "2025-H2", "2026-H1", "2026-H2"];

/// The due dates of [`CYCLES`], as `(year, month, day)`.
pub const DUE_DATES: [(i32, u8, u8); 4] =
    [(2025, 6, 27), (2025, 12, 12), (2026, 6, 26), (2026, 12, 11)];

/// The demo seller's peers in the open cycle (by name): their sheets, like the demo seller's
/// own and the demo manager's sheet of her, are still to do, so a browser journey can fill
/// them in (e2e/assessment-journey.test.mjs).
pub const DEMO_SELLER_OPEN_PEERS: [&str; 3] = ["Mei Chen", "Kwame Mensah", "Olivia Brennan"];

/// The external coach's rater id in ratings.csv (the coach is not a person of Larkmoor).
pub const COACH_RATER: &str = "ext-jordan-blake";

/// One generated rating, in ratings.csv terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoRating {
    /// Index into [`CYCLES`].
    pub cycle: usize,
    pub subject: PersonId,
    pub rater: PersonId,
    pub role: RaterRole,
    /// Index into [`super::QUALITY_KEYS`].
    pub quality: usize,
    /// `None` = not observed.
    pub score: Option<u8>,
    pub evidence: String,
}

/// A sheet of the open cycle left for later: (subject, rater).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outstanding {
    pub subject: PersonId,
    pub rater: PersonId,
    pub role: RaterRole,
}

/// Everything the demo's assessment history holds.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DemoRatings {
    /// Submitted ratings, by cycle, subject, rater, quality.
    pub ratings: Vec<DemoRating>,
    /// The peer assignments of the open cycle (submitted or not), for its completion view.
    pub open_peers: Vec<(PersonId, PersonId)>,
    /// The open cycle's sheets not yet submitted.
    pub outstanding: Vec<Outstanding>,
}

/// A rater's lasting tendency, added to every score they give: positive is lenient.
fn leniency(rater: &str, role: RaterRole) -> f64 {
    match rater {
        "LM-1002" => 0.35,  // Elena Marchetti, Enterprise East: generous
        "LM-1003" => -0.35, // Rahul Mehta, Enterprise West: strict
        "LM-1004" => 0.05,  // Grace Liu, Strategic Accounts: well calibrated
        COACH_RATER => -0.15,
        _ => {
            let mut r = SplitMix64::new(SEED ^ fnv1a(b"leniency") ^ fnv1a(rater.as_bytes()));
            let spread = if role == RaterRole::Peer { 0.3 } else { 0.2 };
            r.normal() * spread
        }
    }
}

/// How a seller's true levels move across the cycles: coached sellers grow (most on their two
/// weakest qualities, the coach's focus), everyone else drifts a little.
#[derive(Debug, Clone, PartialEq)]
pub struct Trajectory {
    /// The two weakest qualities: what the coach works on.
    focus: [usize; 2],
    /// Per quality, the small change per cycle of an uncoached seller.
    drift: [f64; 8],
}

impl Trajectory {
    /// Draws the trajectory from the seller's ratings stream (its first eight draws).
    fn draw(traits: &SellerTraits, rng: &mut SplitMix64) -> Self {
        let mut order: Vec<usize> = (0..8).collect();
        order.sort_by(|&a, &b| traits.qualities[a].total_cmp(&traits.qualities[b]));
        let focus = [order[0], order[1]];
        let drift: [f64; 8] = std::array::from_fn(|_| rng.normal() * 0.06);
        Self { focus, drift }
    }

    /// The trajectory [`generate`] gives `subject`.
    pub fn of(subject: &PersonId, traits: &SellerTraits) -> Self {
        Self::draw(traits, &mut ratings_rng(subject))
    }

    /// The true level of quality `q` (in [`super::QUALITY_KEYS`] order) `behind` cycles before
    /// the last one (0 = the open cycle, 3 = the first; 4 = half a year before the first).
    /// [`SellerTraits::qualities`] is the level in the last cycle.
    pub fn level(&self, traits: &SellerTraits, q: usize, behind: f64) -> f64 {
        let base = traits.qualities[q];
        if traits.coached {
            let g = if self.focus.contains(&q) { 0.38 } else { 0.18 };
            base - g * behind
        } else {
            base - self.drift[q] * behind
        }
    }
}

/// The random stream of one subject's ratings.
fn ratings_rng(subject: &PersonId) -> SplitMix64 {
    SplitMix64::new(SEED ^ fnv1a(b"ratings") ^ fnv1a(subject.as_str().as_bytes()))
}

fn to_scale(x: f64) -> u8 {
    // Values are clamped to 1..=5 first, so the cast is exact.
    (x.clamp(1.0, 5.0) + 0.5).floor() as u8
}

/// Builds the four cycles' ratings, deterministically.
pub fn generate(plan: &DemoPlan) -> DemoRatings {
    let sellers: Vec<_> = plan.sellers().collect();
    let demo_seller = plan
        .users
        .iter()
        .find(|u| u.role == Role::Seller)
        .and_then(|u| {
            sellers
                .iter()
                .find(|(p, _)| p.email.as_ref() == Some(&u.email))
        })
        .map(|(p, _)| p.id.clone());
    let mut out = DemoRatings::default();
    let last = CYCLES.len() - 1;
    for (subject, traits) in &sellers {
        let mut rng = ratings_rng(&subject.id);
        let team: Vec<&PersonId> = sellers
            .iter()
            .filter(|(p, _)| p.team == subject.team && p.id != subject.id)
            .map(|(p, _)| &p.id)
            .collect();
        let path = Trajectory::draw(traits, &mut rng);
        for (c, _) in CYCLES.iter().enumerate() {
            let behind = (last - c) as f64;
            let level = |q: usize| path.level(traits, q, behind);
            // Self: résumé-only sellers see themselves far above what others see (most on
            // humility and ownership), hidden stars below; coaching narrows the gap.
            let self_bias = |q: usize| -> f64 {
                let b = match traits.story {
                    Story::ResumeOnly if q == 1 || q == 2 => 1.55,
                    Story::ResumeOnly => 0.85,
                    Story::HiddenStar => -0.45,
                    Story::Typical => 0.2,
                };
                if traits.coached {
                    b * (0.45 + 0.55 * behind / last as f64)
                } else {
                    b
                }
            };
            // Raters: self, manager, three or four peers (a different draw each cycle), coach.
            let mut raters: Vec<(PersonId, RaterRole)> =
                vec![(subject.id.clone(), RaterRole::SelfRating)];
            if let Some(m) = &subject.manager {
                raters.push((m.clone(), RaterRole::Manager));
            }
            let n_peers = if rng.uniform() < 0.35 { 3 } else { 4 };
            let mut pool = team.clone();
            for _ in 0..n_peers.min(pool.len()) {
                let i = rng.below(pool.len());
                raters.push((pool.swap_remove(i).clone(), RaterRole::Peer));
            }
            let journey = c == last && Some(&subject.id) == demo_seller.as_ref();
            if journey {
                raters.retain(|(_, role)| *role != RaterRole::Peer);
                for name in DEMO_SELLER_OPEN_PEERS {
                    if let Some((p, _)) = sellers.iter().find(|(p, _)| p.name == name) {
                        raters.push((p.id.clone(), RaterRole::Peer));
                    }
                }
            }
            if traits.coached {
                raters.push((
                    PersonId::parse(COACH_RATER).expect("a valid rater id"),
                    RaterRole::Coach,
                ));
            }
            for (rater, role) in raters {
                let pending = journey
                    || c == last
                        && match role {
                            RaterRole::Peer => rng.uniform() < 0.12,
                            RaterRole::Manager => {
                                // Two more of the demo manager's sheets are still to do.
                                rater.as_str() == "LM-1002"
                                    && matches!(subject.id.as_str(), "LM-1006" | "LM-1007")
                            }
                            _ => false,
                        };
                if c == last && role == RaterRole::Peer {
                    out.open_peers.push((subject.id.clone(), rater.clone()));
                }
                if pending {
                    out.outstanding.push(Outstanding {
                        subject: subject.id.clone(),
                        rater,
                        role,
                    });
                    continue;
                }
                let lenient = leniency(rater.as_str(), role);
                for q in 0..8 {
                    let unseen = match role {
                        RaterRole::Peer if q == 5 || q == 6 => 0.12,
                        RaterRole::Peer => 0.035,
                        RaterRole::Coach if q == 3 => 0.2,
                        _ => 0.0,
                    };
                    let score = if rng.uniform() < unseen {
                        None
                    } else if role == RaterRole::SelfRating {
                        Some(to_scale(level(q) + self_bias(q) + rng.normal() * 0.35))
                    } else {
                        Some(to_scale(level(q) + lenient + rng.normal() * 0.45))
                    };
                    let evidence = match score {
                        Some(s @ (1 | 5)) => note(&mut rng, q, s == 5, role),
                        _ => String::new(),
                    };
                    out.ratings.push(DemoRating {
                        cycle: c,
                        subject: subject.id.clone(),
                        rater: rater.clone(),
                        role,
                        quality: q,
                        score,
                        evidence,
                    });
                }
            }
        }
    }
    out
}

/// An evidence note for a score at an end of the scale, in the rater's voice.
fn note(rng: &mut SplitMix64, q: usize, high: bool, role: RaterRole) -> String {
    if role == RaterRole::SelfRating {
        let (hi, lo) = SELF_NOTES[q];
        return (if high { hi } else { lo }).to_owned();
    }
    let pool = if high { HIGH_NOTES[q] } else { LOW_NOTES[q] };
    let line = pool[rng.below(pool.len())];
    match role {
        RaterRole::Manager if rng.uniform() < 0.5 => {
            format!("From our pipeline reviews: {}", lower_first(line))
        }
        RaterRole::Coach if rng.uniform() < 0.5 => {
            format!("Seen in our coaching sessions: {}", lower_first(line))
        }
        RaterRole::Peer if rng.uniform() < 0.4 => format!(
            "Working alongside them on shared accounts: {}",
            lower_first(line)
        ),
        _ => line.to_owned(),
    }
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Notes for a top score, per quality in [`super::QUALITY_KEYS`] order.
const HIGH_NOTES: [&[&str]; 8] = [
    // belief
    &[
        "Turned down a quick discount deal at Meridian Health because the product was not the right fit yet, and said so to the customer.",
        "Talks about what Larkmoor does for customers with conviction that has nothing to do with commission; buyers repeat it back in calls.",
        "Defended the roadmap to a sceptical CIO with facts, not slogans, and the customer came back for a second workshop.",
    ],
    // humility
    &[
        "Asked the solutions team for help on the security review two weeks before it was due, instead of the night before.",
        "Opened the quarterly review by listing the two deals they misjudged and what they would do differently.",
        "Changed the discovery approach after a peer's feedback, and thanked them for it in the team meeting.",
    ],
    // ownership
    &[
        "When implementation slipped at Corvane, took the escalation personally, ran the recovery calls and kept the renewal.",
        "Took the blame with the customer for a pricing error that was finance's, then fixed the process internally.",
        "Chased the legal redlines across three departments without being asked; the contract closed a week early.",
    ],
    // perseverance
    &[
        "Kept the Halvorsen deal alive through two reorganisations and a new buying committee, without losing composure.",
        "After losing the champion in month four, rebuilt the relationship map and closed the deal the next quarter.",
        "Stayed calm and steady on the call when the customer's budget was frozen, and agreed a phased start that held.",
    ],
    // trust_building
    &[
        "Customers forward internal emails to them: a sign of the trust built by telling them early when something slips.",
        "Every follow-up promised in the executive briefing arrived on the day it was promised.",
        "Told a prospect plainly which feature was six months out; the prospect bought anyway and said the honesty decided it.",
    ],
    // process_mastery
    &[
        "Always knows the next step and the date on every opportunity; the forecast calls take five minutes.",
        "Mapped the customer's procurement steps in the first meeting and had security and legal lined up in parallel.",
        "Adapted the usual sequence for a public-sector tender without missing a single mandatory step.",
    ],
    // value_crafting
    &[
        "Built the business case with the customer's finance team, and found a saving in their support costs they had not seen.",
        "Reframed the renewal around the hours saved in month-end close, which grew the deal by a third.",
        "Sent the product team a clear write-up of the value the customer actually realised, now used in two other accounts.",
    ],
    // storytelling
    &[
        "The before-and-after story of the Tidewater rollout, with the numbers, had the whole executive room nodding.",
        "Explains a complex integration in three plain sentences that a CFO can repeat to the board.",
        "Told the customer's own story back to them with the cost of standing still; the champion used the slides internally.",
    ],
];

/// Notes for a bottom score, per quality in [`super::QUALITY_KEYS`] order.
const LOW_NOTES: [&[&str]; 8] = [
    // belief
    &[
        "Talks mainly about the accelerator and quota relief; in two customer calls the pitch sounded like it was for them, not the buyer.",
        "Told a prospect that the product 'probably does most of it' rather than checking what it really does.",
        "Spoke dismissively about the company's direction in front of a customer.",
    ],
    // humility
    &[
        "Went into the technical review alone despite two offers of help, and the customer asked for someone who knew the product.",
        "Dismissed the deal-desk's concerns about the discount; the deal had to be reworked after signature.",
        "In the win-loss review, every lost deal was put down to price or product; no lesson of their own.",
    ],
    // ownership
    &[
        "When the onboarding slipped, told the customer it was the implementation team's problem and stepped back.",
        "Left the renewal paperwork to the customer success manager and was surprised by the churn notice.",
        "Missed follow-ups are explained by someone else's delay every time they come up.",
    ],
    // perseverance
    &[
        "Dropped the Ostrava opportunity after the first objection on price, without trying another angle.",
        "Visibly rattled when the customer changed the timeline; the call ended without a next step.",
        "Moved three stalled deals to 'closed lost' in one week instead of working the blockers.",
    ],
    // trust_building
    &[
        "Promised a custom integration the product team had not agreed to; the customer escalated when it did not come.",
        "Two customers mentioned they had to chase for answers that were promised 'by Friday'.",
        "Kept a known delivery risk from the customer until the week before go-live.",
    ],
    // process_mastery
    &[
        "Half the opportunities have no next step in the CRM, and close dates move every week.",
        "Discovered the customer's security review in the final week; the deal slipped a quarter.",
        "Skipped qualification on two large opportunities that turned out to have no budget.",
    ],
    // value_crafting
    &[
        "Led with the feature list in the discovery call and never asked what the customer was trying to fix.",
        "The proposal had no numbers the customer's finance team could check; they asked for a discount instead.",
        "Could not say what value the customer got from the first year when asked at the renewal meeting.",
    ],
    // storytelling
    &[
        "The demo was forty slides of features with no thread a buyer could follow or retell.",
        "When the CFO asked why now, the answer was a product description, not the customer's story.",
        "Quoted metrics without context; the customer could not connect them to their own situation.",
    ],
];

/// First-person notes for self ratings at an end of the scale: (top, bottom).
const SELF_NOTES: [(&str, &str); 8] = [
    (
        "I believe in what we sell and I tell customers when we are not the right fit.",
        "Honestly, this half I was selling for the number more than for the customer.",
    ),
    (
        "I ask for help early and I know where my gaps are.",
        "I tend to go it alone for too long before I ask anyone.",
    ),
    (
        "I own every deal end to end, including the parts that belong to other teams.",
        "I let a few handovers drop and waited for others to pick them up.",
    ),
    (
        "I kept going through two reorganisations at my biggest account without losing momentum.",
        "I gave up on a couple of deals sooner than I should have.",
    ),
    (
        "Customers trust me because I keep every promise and tell them bad news early.",
        "I overpromised on timelines more than once this half.",
    ),
    (
        "My pipeline is always up to date and I know the next step on every deal.",
        "My CRM hygiene slipped and I lost track of next steps.",
    ),
    (
        "I build the business case with the customer's numbers, not ours.",
        "I still lead with features more than with the customer's value.",
    ),
    (
        "I can tell the customer's story with the numbers in a way their executives repeat.",
        "My presentations are too long and lose the thread.",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::plan;

    fn mean(xs: impl Iterator<Item = f64>) -> f64 {
        let v: Vec<f64> = xs.collect();
        v.iter().sum::<f64>() / v.len() as f64
    }

    #[test]
    fn the_browser_journey_knows_the_demo_sellers_open_cycle_peers() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../e2e/assessment-journey.test.mjs"
        );
        let js = std::fs::read_to_string(path).expect("e2e/assessment-journey.test.mjs exists");
        let plan = plan();
        for name in DEMO_SELLER_OPEN_PEERS {
            let (p, _) = plan
                .sellers()
                .find(|(p, _)| p.name == name)
                .expect("the peer is a demo seller");
            let email = p
                .email
                .as_ref()
                .expect("the peer has an e-mail")
                .to_string();
            for needle in [name, p.id.as_str(), email.as_str()] {
                assert!(js.contains(&format!("'{needle}'")), "{path} has {needle}");
            }
        }
        assert!(js.contains(&format!("'{}'", CYCLES[CYCLES.len() - 1])));
    }

    #[test]
    fn the_ratings_are_the_same_every_time() {
        assert_eq!(generate(&plan()), generate(&plan()));
    }

    #[test]
    fn every_seller_has_self_manager_and_at_least_three_peers_each_cycle() {
        let plan = plan();
        let r = generate(&plan);
        for (p, _) in plan.sellers() {
            for (c, name) in CYCLES.iter().enumerate().take(CYCLES.len() - 1) {
                let of = |role| {
                    let mut raters: Vec<&PersonId> = r
                        .ratings
                        .iter()
                        .filter(|x| x.cycle == c && x.subject == p.id && x.role == role)
                        .map(|x| &x.rater)
                        .collect();
                    raters.dedup();
                    raters.len()
                };
                assert_eq!(of(RaterRole::SelfRating), 1, "{} in {name}", p.id);
                assert_eq!(of(RaterRole::Manager), 1, "{} in {name}", p.id);
                assert!(of(RaterRole::Peer) >= 3, "{} in {name}", p.id);
            }
        }
        assert!(
            r.ratings
                .iter()
                .all(|x| x.role != RaterRole::SelfRating || x.rater == x.subject)
        );
        assert!(!r.outstanding.is_empty(), "the open cycle has sheets to do");
        assert!(
            r.outstanding
                .iter()
                .any(|o| o.role == RaterRole::SelfRating)
        );
    }

    #[test]
    fn resume_only_sellers_over_rate_their_humility() {
        let plan = plan();
        let r = generate(&plan);
        let gap = |story: Story| {
            mean(
                plan.sellers()
                    .filter(|(_, t)| t.story == story && !t.coached)
                    .map(|(p, _)| {
                        let of = |self_: bool| {
                            mean(
                                r.ratings
                                    .iter()
                                    .filter(|x| {
                                        x.subject == p.id
                                            && x.quality == 1
                                            && x.cycle == 2
                                            && (x.role == RaterRole::SelfRating) == self_
                                    })
                                    .filter_map(|x| x.score.map(f64::from)),
                            )
                        };
                        of(true) - of(false)
                    }),
            )
        };
        assert!(
            gap(Story::ResumeOnly) >= 1.0,
            "résumé-only gap {}",
            gap(Story::ResumeOnly)
        );
        assert!(
            gap(Story::Typical) < 0.8,
            "typical gap {}",
            gap(Story::Typical)
        );
    }

    #[test]
    fn coached_sellers_grow_across_the_cycles() {
        let plan = plan();
        let r = generate(&plan);
        let others = |coached: bool, c: usize| {
            mean(
                r.ratings
                    .iter()
                    .filter(|x| {
                        x.cycle == c
                            && x.role != RaterRole::SelfRating
                            && plan
                                .sellers()
                                .any(|(p, t)| p.id == x.subject && t.coached == coached)
                    })
                    .filter_map(|x| x.score.map(f64::from)),
            )
        };
        let growth = others(true, 3) - others(true, 0);
        let others_growth = others(false, 3) - others(false, 0);
        assert!(growth > 0.5, "coached growth {growth}");
        assert!(
            others_growth.abs() < 0.25,
            "uncoached drift {others_growth}"
        );
    }

    #[test]
    fn extreme_scores_carry_evidence_and_some_are_not_observed() {
        let r = generate(&plan());
        assert!(
            r.ratings
                .iter()
                .all(|x| matches!(x.score, Some(1 | 5)) == !x.evidence.is_empty())
        );
        let unseen = r.ratings.iter().filter(|x| x.score.is_none()).count();
        assert!(
            unseen > 20 && unseen < r.ratings.len() / 20,
            "{unseen} not observed"
        );
        assert!(
            r.ratings
                .iter()
                .all(|x| !x.evidence.to_lowercase().contains("lorem"))
        );
    }
}
