//! The demo organisation that `sellerq serve --demo` creates, so that a newcomer sees a working
//! app at once.
//!
//! Larkmoor Software is a fictional B2B software company (e-mail addresses use the reserved
//! `.example` domains of RFC 2606): a VP of Sales, five teams with their managers, sixty-eight
//! sellers, and one login per role, all sharing [`DEMO_PASSWORD`]. (Sixty-eight, not a round
//! forty: with fewer sellers the validity report's intervals are too wide for its story to
//! show.)
//!
//! The people are built to carry the model's story once ratings (issue 3) and outcomes
//! (issue 5) join them. Each seller has an [`Archetype`] that decides their résumé facts (the
//! five trailing indicators) and a hidden profile of true quality levels that those facts
//! barely reflect: some spotless résumés hide weak qualities ("great résumé, can't sell"), and
//! some newcomers without a résumé are the future stars ([`Story`]). A few sellers are marked
//! as coached, so later cycles can show them growing.
//!
//! `serve --demo` also adds four half-year cycles of multi-rater ratings drawn from those hidden
//! levels ([`ratings`]): lenient and strict raters, sellers who over-rate themselves, coached
//! sellers who grow, a few "not observed" answers, evidence notes on the extreme scores, and an
//! open last cycle with sheets still to do. They are added in one bulk import, once: a demo
//! organisation that already has cycles is left alone.
//!
//! Last come seven quarters of sales results ([`outcomes`]): quota attainment, win rate and
//! bookings, which follow each seller's true qualities as of the cycle before far more than
//! their résumé facts, with noise, a Q4 push, and gaps where sellers joined later. They too are
//! imported once; the validity report of the demo shows the story in its figures.
//!
//! Everything is drawn from a tiny seeded generator ([`SplitMix64`]) with one stream per
//! person id, using only additions and multiplications (no `ln`/`cos`), so every installation on
//! every machine gets exactly the same demo, and adding a person later does not reshuffle the
//! others.

pub mod outcomes;
pub mod ratings;

use std::collections::HashSet;
use std::fmt;

use anyhow::Context as _;
use sellerq_domain::assessment::{AssignmentStatus, CycleInput, CycleName, CycleStatus, RaterRole};
use sellerq_domain::formats::RowProblems;
use sellerq_domain::formats::ratings::RatingsBatch;
use sellerq_domain::{
    Email, OrgName, OutcomeInput, PersonId, PersonInput, QualityKey, Role, TeamInput,
};
use sellerq_store::{
    Actor, ImportOptions, NewAssignment, Org, OutcomeFilter, ParticipantRef, Store,
};
use time::macros::date;
use time::{Date, Duration, Month};

/// The demo organisation's name; `ensure_demo` finds an existing demo by it.
pub const DEMO_ORG_NAME: &str = "Larkmoor Software";

/// The password of every demo login. A published demo credential, not a secret.
pub const DEMO_PASSWORD: &str = "demo-sellerq";

/// The e-mail domain of Larkmoor's staff (RFC 2606 reserves `.example`).
const DOMAIN: &str = "larkmoor.example";

/// The seed of every random draw in the demo. Changing it changes the whole demo.
const SEED: u64 = 0x5e11_e40d_e302_6001;

/// The day the demo's résumé facts are "as of": years in the company are counted to it, so the
/// data do not drift with the calendar.
pub const AS_OF: Date = date!(2026 - 10 - 01);

/// The quality keys of the default model in spectrum order, the order of
/// [`SellerTraits::qualities`].
pub const QUALITY_KEYS: [&str; 8] = [
    "belief",
    "humility",
    "ownership",
    "perseverance",
    "trust_building",
    "process_mastery",
    "value_crafting",
    "storytelling",
];

/// What `ensure_demo` tells the person starting the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoInfo {
    /// The demo organisation's name.
    pub org_name: String,
    /// The password every demo login uses.
    pub password: String,
    /// One login per role, in [`Role::ALL`] order.
    pub logins: Vec<DemoLogin>,
}

/// One demo login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoLogin {
    /// The role this login has in the demo organisation.
    pub role: Role,
    /// The e-mail to sign in with.
    pub email: String,
    /// The user's name.
    pub name: String,
    /// What this login is for, e.g. "manages Enterprise East".
    pub note: String,
}

impl fmt::Display for DemoInfo {
    /// The login table `serve --demo` prints.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Demo organisation: {}", self.org_name)?;
        writeln!(f, "Every demo login uses the password: {}", self.password)?;
        let width = self.logins.iter().map(|l| l.email.len()).max().unwrap_or(0);
        for l in &self.logins {
            writeln!(
                f,
                "  {:<12} {:<width$}  {} ({})",
                l.role.as_str(),
                l.email,
                l.name,
                l.note
            )?;
        }
        Ok(())
    }
}

/// How a seller came to Larkmoor: it decides their résumé facts (trailing indicators), not how
/// good they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Archetype {
    /// Long in sales and long at Larkmoor: a spotless résumé earned here.
    Veteran,
    /// Hired recently, at a premium, for a spotless résumé earned elsewhere.
    ProvenHire,
    /// Mid-career, solid numbers, nothing remarkable on paper.
    Steady,
    /// Early in a sales career: little résumé to judge.
    Newcomer,
    /// Came to sales from another career (engineering, consulting, clinical work): deep domain
    /// knowledge and a long stint elsewhere, a short sales record.
    CareerChanger,
}

/// Where a seller's true qualities sit against what their résumé suggests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Story {
    /// Qualities about where the archetype suggests, with the usual spread.
    Typical,
    /// Strong qualities behind a thin or ordinary résumé: the people résumé screens miss.
    HiddenStar,
    /// A strong résumé with weak qualities (weakest in humility and ownership): "great
    /// résumé, can't sell".
    ResumeOnly,
}

/// What the demo knows about a seller beyond people.csv, for the ratings and outcomes later
/// issues generate. None of it is stored.
#[derive(Debug, Clone, PartialEq)]
pub struct SellerTraits {
    /// How they came to Larkmoor.
    pub archetype: Archetype,
    /// How their qualities compare with their résumé.
    pub story: Story,
    /// Worked with the coach: later cycles should show them growing.
    pub coached: bool,
    /// The seller's true level of each quality on the 1–5 scale, in [`QUALITY_KEYS`] order:
    /// what a perfect rater would see. Ratings are drawn around it (with rater leniency and
    /// noise) and outcomes follow it, far more than they follow the trailing indicators.
    pub qualities: [f64; 8],
}

impl SellerTraits {
    /// The mean of the eight true quality levels.
    pub fn overall(&self) -> f64 {
        self.qualities.iter().sum::<f64>() / self.qualities.len() as f64
    }
}

/// A person of the demo organisation.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoPerson {
    /// The people.csv row.
    pub input: PersonInput,
    /// Set for sellers; `None` for the VP and the team managers.
    pub seller: Option<SellerTraits>,
}

/// A team of the demo organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoTeam {
    /// The team's name.
    pub name: &'static str,
    /// What the team covers.
    pub description: &'static str,
    /// The person who manages it.
    pub manager: PersonId,
}

/// A demo user account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoUser {
    /// The role in the demo organisation.
    pub role: Role,
    /// The sign-in address (the same as their person's, when they are one).
    pub email: Email,
    /// Their name.
    pub name: &'static str,
    /// What the login is for.
    pub note: String,
    /// Teams assigned to them, by name (managers and coaches).
    pub teams: Vec<&'static str>,
}

/// Everything the demo creates, computed without a database.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoPlan {
    /// The teams, in creation order.
    pub teams: Vec<DemoTeam>,
    /// The VP, the managers, then the sellers.
    pub people: Vec<DemoPerson>,
    /// One user per role, in [`Role::ALL`] order.
    pub users: Vec<DemoUser>,
}

impl DemoPlan {
    /// What `ensure_demo` reports.
    pub fn info(&self) -> DemoInfo {
        DemoInfo {
            org_name: DEMO_ORG_NAME.to_owned(),
            password: DEMO_PASSWORD.to_owned(),
            logins: self
                .users
                .iter()
                .map(|u| DemoLogin {
                    role: u.role,
                    email: u.email.to_string(),
                    name: u.name.to_owned(),
                    note: u.note.clone(),
                })
                .collect(),
        }
    }

    /// The sellers and their traits.
    pub fn sellers(&self) -> impl Iterator<Item = (&PersonInput, &SellerTraits)> {
        self.people
            .iter()
            .filter_map(|p| p.seller.as_ref().map(|s| (&p.input, s)))
    }
}

/// Creates the demo organisation if it does not exist yet, and says how to sign in to it.
///
/// When the organisation already exists with all its demo users, nothing is written. When an
/// earlier start was interrupted half-way (the organisation exists but a user is missing),
/// the missing teams, people, users and memberships are added; nothing existing is changed.
pub async fn ensure_demo(store: &dyn Store) -> anyhow::Result<DemoInfo> {
    let plan = plan();
    let info = plan.info();
    let actor = Actor::system("demo");

    let org = match store.organisation_by_name(DEMO_ORG_NAME).await? {
        Some(org) if is_complete(store, &org, &plan).await? => {
            ensure_ratings(store, &org, &plan, &actor).await?;
            ensure_outcomes(store, &org, &plan, &actor).await?;
            return Ok(info);
        }
        Some(org) => {
            tracing::warn!(org = %org.name, "the demo organisation is incomplete; adding what is missing");
            org
        }
        None => {
            let name = OrgName::parse(DEMO_ORG_NAME).map_err(anyhow::Error::msg)?;
            store
                .create_organisation(&name, &actor)
                .await
                .context("cannot create the demo organisation")?
        }
    };

    // Teams first (without managers: the managers are people, who come next).
    let mut team_ids = Vec::with_capacity(plan.teams.len());
    for t in &plan.teams {
        let team = match store.team_by_name(org.id, t.name).await? {
            Some(team) => team,
            None => {
                let input = TeamInput {
                    name: t.name.to_owned(),
                    parent_id: None,
                    manager: None,
                    description: t.description.to_owned(),
                };
                store.create_team(org.id, &input, &actor).await?
            }
        };
        team_ids.push((t.name, team.id));
    }

    // People in one all-or-nothing import (only those not there yet).
    let mut missing = Vec::new();
    for p in &plan.people {
        if store.person(org.id, &p.input.id).await?.is_none() {
            missing.push(p.input.clone());
        }
    }
    if !missing.is_empty() {
        store
            .import_people(org.id, &missing, &actor)
            .await
            .context("cannot create the demo people")?;
    }

    // Now the teams get their managers.
    for (t, &(_, id)) in plan.teams.iter().zip(&team_ids) {
        let Some(team) = store.team(org.id, id).await? else {
            continue;
        };
        if team.manager.is_none() {
            let input = TeamInput {
                name: team.name,
                parent_id: team.parent_id,
                manager: Some(t.manager.clone()),
                description: team.description,
            };
            store.update_team(org.id, id, &input, &actor).await?;
        }
    }

    // Users and their roles; argon2 is slow on purpose, so hash the one password once.
    let mut hash: Option<String> = None;
    for u in &plan.users {
        let user = match store.user_by_email(&u.email).await? {
            Some((user, _)) => user,
            None => {
                let phc = match &hash {
                    Some(h) => h.clone(),
                    None => {
                        let h = tokio::task::spawn_blocking(|| {
                            crate::security::hash_password(DEMO_PASSWORD)
                        })
                        .await??;
                        hash.insert(h).clone()
                    }
                };
                store.create_user(&u.email, u.name, &phc).await?
            }
        };
        if store.membership(user.id, org.id).await?.is_none() {
            let teams: Vec<i64> = u
                .teams
                .iter()
                .filter_map(|name| team_ids.iter().find(|(n, _)| n == name).map(|&(_, id)| id))
                .collect();
            store
                .set_membership(org.id, user.id, u.role, &teams, &actor)
                .await?;
        }
    }

    ensure_ratings(store, &org, &plan, &actor).await?;
    ensure_outcomes(store, &org, &plan, &actor).await?;
    tracing::info!(org = %org.name, people = plan.people.len(), "demo organisation ready");
    Ok(info)
}

/// Adds the demo's four cycles of ratings ([`ratings::generate`]) when the organisation has no
/// cycle yet: one bulk import, then due dates, the past cycles closed, and the open cycle's
/// participants and peer assignments (so its completion shows the sheets still to do).
async fn ensure_ratings(
    store: &dyn Store,
    org: &Org,
    plan: &DemoPlan,
    actor: &Actor,
) -> anyhow::Result<()> {
    if !store.cycles(org.id).await?.is_empty() {
        return Ok(());
    }
    let generated = ratings::generate(plan);
    let cycles = ratings::CYCLES
        .iter()
        .map(|c| CycleName::parse(c))
        .collect::<Result<Vec<_>, _>>()
        .map_err(anyhow::Error::msg)?;
    let keys = QUALITY_KEYS
        .iter()
        .map(|k| QualityKey::parse(k))
        .collect::<Result<Vec<_>, _>>()?;
    let mut batch = RatingsBatch::new();
    let mut problems = RowProblems::new("demo ratings");
    for (i, r) in generated.ratings.iter().enumerate() {
        batch.push(
            i as u64 + 2,
            &cycles[r.cycle],
            &r.subject,
            &r.rater,
            r.role,
            &keys[r.quality],
            r.score,
            &r.evidence,
            &mut problems,
        );
    }
    anyhow::ensure!(
        problems.is_empty(),
        "the demo ratings are invalid: {problems}"
    );
    store
        .import_ratings(org.id, &batch, ImportOptions::default(), actor, &|_| {})
        .await
        .context("cannot import the demo ratings")?;

    let last = cycles.len() - 1;
    for (i, name) in cycles.iter().enumerate() {
        let cycle = store
            .cycle_by_name(org.id, name.as_str())
            .await?
            .with_context(|| format!("the demo cycle {name} was not created"))?;
        let (y, m, d) = ratings::DUE_DATES[i];
        let mut input = CycleInput::named(name.clone());
        input.due_date = Some(Date::from_calendar_date(y, Month::try_from(m)?, d)?);
        store.update_cycle(org.id, cycle.id, &input, actor).await?;
        if i < last {
            store
                .set_cycle_status(org.id, cycle.id, CycleStatus::Closed, actor)
                .await?;
            continue;
        }
        let mut teams = Vec::new();
        for t in &plan.teams {
            if let Some(team) = store.team_by_name(org.id, t.name).await? {
                teams.push(ParticipantRef::Team(team.id));
            }
        }
        store
            .add_participants(org.id, cycle.id, &teams, actor)
            .await?;
        for (subject, rater) in &generated.open_peers {
            let assignment = NewAssignment {
                subject: subject.clone(),
                rater: rater.clone(),
                role: RaterRole::Peer,
                status: AssignmentStatus::Approved,
            };
            store
                .assign_rater(org.id, cycle.id, &assignment, actor)
                .await?;
        }
    }
    Ok(())
}

/// Adds the demo's metrics and quarterly outcomes ([`outcomes::generate`]) when the
/// organisation has no outcome yet, in one all-or-nothing import. Sellers the database does
/// not hold (a demo database made by an older version, with fewer sellers) are skipped.
async fn ensure_outcomes(
    store: &dyn Store,
    org: &Org,
    plan: &DemoPlan,
    actor: &Actor,
) -> anyhow::Result<()> {
    if !store
        .outcomes(org.id, &OutcomeFilter::default())
        .await?
        .is_empty()
    {
        return Ok(());
    }
    for metric in outcomes::metrics() {
        store
            .save_metric(org.id, &metric, actor)
            .await
            .with_context(|| format!("cannot create the demo metric {}", metric.key))?;
    }
    let mut known = HashSet::new();
    for (p, _) in plan.sellers() {
        if store.person(org.id, &p.id).await?.is_some() {
            known.insert(p.id.clone());
        }
    }
    let rows: Vec<(u64, OutcomeInput)> = outcomes::generate(plan)
        .into_iter()
        .filter(|o| known.contains(&o.subject))
        .enumerate()
        .map(|(i, o)| {
            let input = OutcomeInput {
                subject: o.subject,
                period: outcomes::PERIODS[o.period].to_owned(),
                metric: outcomes::METRIC_KEYS[o.metric].to_owned(),
                value: o.value,
            };
            (i as u64 + 2, input)
        })
        .collect();
    store
        .import_outcomes(org.id, &rows, actor)
        .await
        .context("cannot import the demo outcomes")?;
    Ok(())
}

/// True when every demo user already belongs to the demo organisation.
async fn is_complete(store: &dyn Store, org: &Org, plan: &DemoPlan) -> anyhow::Result<bool> {
    for u in &plan.users {
        let Some((user, _)) = store.user_by_email(&u.email).await? else {
            return Ok(false);
        };
        if store.membership(user.id, org.id).await?.is_none() {
            return Ok(false);
        }
    }
    Ok(true)
}

// --- the plan ------------------------------------------------------------------------------

const EAST: &str = "Enterprise East";
const WEST: &str = "Enterprise West";
const STRATEGIC: &str = "Strategic Accounts";
const MID_MARKET: &str = "Mid-Market";
const EMEA: &str = "EMEA Enterprise";

/// One seller of the cast: name, team, archetype, story, coached, and the people.csv cells
/// deliberately left empty (real HR exports have gaps).
type SellerRow = (
    &'static str,
    &'static str,
    Archetype,
    Story,
    bool,
    &'static [&'static str],
);

/// The sixty-eight sellers. Ids follow in this order from `LM-1005` (to `LM-1072`); the two
/// teams added last have managers with later ids.
#[rustfmt::skip]
const SELLERS: [SellerRow; 68] = {
    use Archetype::*;
    use Story::*;
    [
        // Enterprise East (manager Elena Marchetti)
        ("Amara Nwosu",        EAST, Newcomer,      HiddenStar, false, &[]),
        ("Liam O'Connor",      EAST, Veteran,       Typical,    false, &[]),
        ("Mei Chen",           EAST, Steady,        Typical,    false, &[]),
        ("Carlos Mendoza",     EAST, ProvenHire,    ResumeOnly, false, &[]),
        ("Fatima Al-Sayed",    EAST, CareerChanger, HiddenStar, false, &[]),
        ("Noah Goldberg",      EAST, Veteran,       Typical,    false, &[]),
        ("Ingrid Johansson",   EAST, Steady,        Typical,    false, &[]),
        ("Tyrone Jackson",     EAST, Newcomer,      Typical,    false, &[]),
        ("Ananya Iyer",        EAST, Steady,        Typical,    false, &[]),
        ("Mateo Rossi",        EAST, ProvenHire,    Typical,    false, &[]),
        ("Hannah Schmidt",     EAST, Veteran,       ResumeOnly, false, &[]),
        ("Kwame Mensah",       EAST, Steady,        Typical,    false, &[]),
        ("Yuki Sato",          EAST, Newcomer,      Typical,    false, &["quota_track_record"]),
        ("Olivia Brennan",     EAST, Steady,        Typical,    false, &[]),
        // Enterprise West (manager Rahul Mehta)
        ("Diego Hernández",    WEST, Veteran,       Typical,    false, &[]),
        ("Aisha Bello",        WEST, Newcomer,      HiddenStar, true,  &[]),
        ("Ethan Park",         WEST, ProvenHire,    ResumeOnly, true,  &[]),
        ("Lucía Fernández",    WEST, Steady,        Typical,    false, &[]),
        ("Samuel Adeyemi",     WEST, Steady,        Typical,    true,  &[]),
        ("Chloé Martin",       WEST, Newcomer,      Typical,    false, &[]),
        ("Arjun Nair",         WEST, CareerChanger, Typical,    false, &[]),
        ("Emma Kowalski",      WEST, Veteran,       Typical,    false, &[]),
        ("Jamal Washington",   WEST, Steady,        Typical,    true,  &[]),
        ("Ji-woo Kim",         WEST, Newcomer,      Typical,    false, &["email", "quota_track_record"]),
        ("Tomás Novák",        WEST, Steady,        Typical,    false, &["vip_connections"]),
        ("Nadia Petrova",      WEST, Veteran,       Typical,    false, &[]),
        ("Ben Carter",         WEST, ProvenHire,    Typical,    false, &[]),
        // Strategic Accounts (manager Grace Liu)
        ("Victoria Ashworth",  STRATEGIC, ProvenHire,    ResumeOnly, true,  &[]),
        ("Oluwaseun Adebayo",  STRATEGIC, Steady,        HiddenStar, false, &[]),
        ("Isabel Costa",       STRATEGIC, Veteran,       Typical,    false, &[]),
        ("Henrik Nielsen",     STRATEGIC, Veteran,       ResumeOnly, false, &[]),
        ("Layla Haddad",       STRATEGIC, Newcomer,      Typical,    true,  &[]),
        ("Patrick Doyle",      STRATEGIC, Veteran,       Typical,    false, &["hire_date"]),
        ("Zara Ahmed",         STRATEGIC, Steady,        Typical,    true,  &[]),
        ("Wei Zhang",          STRATEGIC, CareerChanger, Typical,    false, &["quota_track_record"]),
        ("Gabriel Silva",      STRATEGIC, Steady,        Typical,    false, &[]),
        ("Rebecca Stein",      STRATEGIC, ProvenHire,    Typical,    false, &[]),
        ("Andrés Castillo",    STRATEGIC, Newcomer,      HiddenStar, false, &[]),
        ("Leilani Kahale",     STRATEGIC, Steady,        Typical,    false, &[]),
        ("Sean Gallagher",     STRATEGIC, Veteran,       Typical,    false, &[]),
        // Mid-Market (manager Marcus Whitfield): where most careers at Larkmoor start
        ("Priya Raman",        MID_MARKET, Newcomer,      HiddenStar, false, &[]),
        ("Jake Morrison",      MID_MARKET, Steady,        Typical,    false, &[]),
        ("Sofía Ramírez",      MID_MARKET, Newcomer,      Typical,    false, &[]),
        ("Daniel Cohen",       MID_MARKET, ProvenHire,    ResumeOnly, false, &[]),
        ("Keisha Robinson",    MID_MARKET, Steady,        Typical,    false, &[]),
        ("Lukas Becker",       MID_MARKET, Newcomer,      Typical,    false, &[]),
        ("Nia Okafor",         MID_MARKET, Newcomer,      Typical,    false, &[]),
        ("Ryan Mitchell",      MID_MARKET, Veteran,       Typical,    false, &[]),
        ("Min-jun Lee",        MID_MARKET, Newcomer,      Typical,    false, &[]),
        ("Aaliyah Brooks",     MID_MARKET, CareerChanger, HiddenStar, false, &[]),
        ("Connor Walsh",       MID_MARKET, Steady,        Typical,    false, &["hire_date"]),
        ("Hana Yoshida",       MID_MARKET, Newcomer,      Typical,    false, &[]),
        ("Marco Bianchi",      MID_MARKET, Steady,        Typical,    false, &[]),
        ("Megan Thompson",     MID_MARKET, Newcomer,      Typical,    false, &[]),
        ("Ravi Subramanian",   MID_MARKET, Steady,        Typical,    false, &[]),
        // EMEA Enterprise (manager Sophie Laurent)
        ("Lars Eriksson",      EMEA, Veteran,       Typical,    false, &[]),
        ("Amélie Dubois",      EMEA, Steady,        Typical,    false, &[]),
        ("Giulia Romano",      EMEA, ProvenHire,    Typical,    false, &[]),
        ("Thabo Nkosi",        EMEA, Newcomer,      HiddenStar, false, &[]),
        ("Oliver Hughes",      EMEA, Veteran,       ResumeOnly, false, &[]),
        ("Katarzyna Nowak",    EMEA, Steady,        Typical,    false, &[]),
        ("Youssef Benali",     EMEA, CareerChanger, Typical,    false, &[]),
        ("Freya Andersen",     EMEA, Steady,        Typical,    false, &[]),
        ("Pieter de Vries",    EMEA, Veteran,       Typical,    false, &[]),
        ("Elif Demir",         EMEA, Newcomer,      Typical,    false, &[]),
        ("Sebastian Weber",    EMEA, ProvenHire,    Typical,    false, &[]),
        ("Zainab Mahmoud",     EMEA, Steady,        HiddenStar, false, &[]),
        ("Miguel Santos",      EMEA, Steady,        Typical,    false, &[]),
    ]
};

/// The seller whose account is the demo seller login (in Enterprise East, so the demo manager
/// sees them too).
const DEMO_SELLER: &str = "Amara Nwosu";

/// Builds the whole demo, deterministically.
pub fn plan() -> DemoPlan {
    let vp = leader_or_manager(
        "LM-1001",
        "Daniel Okonkwo",
        None,
        date!(2019 - 02 - 04),
        21.5,
        9.0,
    );
    let east = leader_or_manager(
        "LM-1002",
        "Elena Marchetti",
        Some(&vp),
        date!(2016 - 04 - 11),
        15.0,
        10.5,
    );
    let west = leader_or_manager(
        "LM-1003",
        "Rahul Mehta",
        Some(&vp),
        date!(2020 - 09 - 01),
        12.5,
        6.0,
    );
    let strategic = leader_or_manager(
        "LM-1004",
        "Grace Liu",
        Some(&vp),
        date!(2018 - 01 - 15),
        17.0,
        8.5,
    );
    let mid_market = leader_or_manager(
        "LM-1073",
        "Marcus Whitfield",
        Some(&vp),
        date!(2021 - 03 - 01),
        11.0,
        5.5,
    );
    let emea = leader_or_manager(
        "LM-1074",
        "Sophie Laurent",
        Some(&vp),
        date!(2022 - 09 - 05),
        14.5,
        7.0,
    );

    let teams = vec![
        DemoTeam {
            name: EAST,
            description: "New business and expansion with enterprise accounts in the eastern \
                          US and Canada.",
            manager: east.id.clone(),
        },
        DemoTeam {
            name: WEST,
            description: "New business and expansion with enterprise accounts in the western \
                          US.",
            manager: west.id.clone(),
        },
        DemoTeam {
            name: STRATEGIC,
            description: "Larkmoor's thirty largest customers: renewals, multi-year expansions \
                          and executive relationships.",
            manager: strategic.id.clone(),
        },
        DemoTeam {
            name: MID_MARKET,
            description: "New business with mid-sized companies across North America: shorter \
                          cycles, more deals, and where most sales careers at Larkmoor start.",
            manager: mid_market.id.clone(),
        },
        DemoTeam {
            name: EMEA,
            description: "Enterprise accounts in Europe, the Middle East and Africa, run from \
                          London and Berlin.",
            manager: emea.id.clone(),
        },
    ];

    let mut people = vec![
        DemoPerson {
            input: vp.clone(),
            seller: None,
        },
        DemoPerson {
            input: east.clone(),
            seller: None,
        },
        DemoPerson {
            input: west.clone(),
            seller: None,
        },
        DemoPerson {
            input: strategic.clone(),
            seller: None,
        },
        DemoPerson {
            input: mid_market.clone(),
            seller: None,
        },
        DemoPerson {
            input: emea.clone(),
            seller: None,
        },
    ];
    for (i, row) in SELLERS.iter().enumerate() {
        let id = person_id(&format!("LM-{}", 1005 + i));
        let manager = teams
            .iter()
            .find(|t| t.name == row.1)
            .map(|t| t.manager.clone());
        people.push(seller(id, manager, row));
    }

    let person_email = |name: &str| -> Email {
        people
            .iter()
            .find(|p| p.input.name == name)
            .and_then(|p| p.input.email.clone())
            .unwrap_or_else(|| email(name, DOMAIN))
    };
    let east_size = SELLERS.iter().filter(|s| s.1 == EAST).count();
    let users = vec![
        DemoUser {
            role: Role::Admin,
            email: email("Sofia Lindgren", DOMAIN),
            name: "Sofia Lindgren",
            note: "sales operations: everything in the organisation, the model, users and imports"
                .into(),
            teams: vec![],
        },
        DemoUser {
            role: Role::Leader,
            email: person_email(&vp.name),
            name: "Daniel Okonkwo",
            note: "VP of Sales: every team and seller".into(),
            teams: vec![],
        },
        DemoUser {
            role: Role::Manager,
            email: person_email(&east.name),
            name: "Elena Marchetti",
            note: format!("manages {EAST} ({east_size} sellers)"),
            teams: vec![EAST],
        },
        DemoUser {
            role: Role::Coach,
            email: email("Jordan Blake", "northstar-coaching.example"),
            name: "Jordan Blake",
            note: format!("external coach assigned to {WEST} and {STRATEGIC}"),
            teams: vec![WEST, STRATEGIC],
        },
        DemoUser {
            role: Role::Seller,
            email: person_email(DEMO_SELLER),
            name: DEMO_SELLER,
            note: format!("account executive in {EAST}: sees only their own record"),
            teams: vec![],
        },
        DemoUser {
            role: Role::Interviewer,
            email: email("Kenji Watanabe", DOMAIN),
            name: "Kenji Watanabe",
            note: "solutions engineer on the hiring panel: sees only the candidates assigned"
                .into(),
            teams: vec![],
        },
    ];

    DemoPlan {
        teams,
        people,
        users,
    }
}

/// The VP or a team manager: a person with a hire date and a sales career, but no seller
/// traits (the demo rates sellers only).
fn leader_or_manager(
    id: &str,
    name: &str,
    reports_to: Option<&PersonInput>,
    hired: Date,
    years_experience: f64,
    tenure_years: f64,
) -> PersonInput {
    PersonInput {
        id: person_id(id),
        name: name.to_owned(),
        email: Some(email(name, DOMAIN)),
        team: None,
        manager: reports_to.map(|p| p.id.clone()),
        hire_date: Some(hired),
        years_experience: Some(years_experience),
        quota_track_record: None,
        tenure_years: Some(tenure_years),
        vip_connections: None,
        domain_expertise: None,
    }
}

/// Draws one seller: résumé facts from the archetype, true qualities from the story.
fn seller(id: PersonId, manager: Option<PersonId>, row: &SellerRow) -> DemoPerson {
    let &(name, team, archetype, story, coached, missing) = row;
    let mut rng = SplitMix64::new(SEED ^ fnv1a(id.as_str().as_bytes()));

    // The hidden general strength: the archetype shifts it only a little, the story a lot.
    let g = match story {
        Story::HiddenStar => 1.3 + 0.25 * rng.normal(),
        Story::ResumeOnly => -1.2 + 0.25 * rng.normal(),
        Story::Typical => {
            let shift = match archetype {
                Archetype::Veteran => 0.35,
                Archetype::ProvenHire => 0.3,
                Archetype::Steady => 0.05,
                Archetype::CareerChanger => 0.0,
                Archetype::Newcomer => -0.3,
            };
            (shift + 0.7 * rng.normal()).clamp(-1.2, 1.2)
        }
    };
    // Some lean to the mindset side, some to the behaviour side.
    let tilt = 0.35 * rng.normal();
    let mut qualities = [0.0; 8];
    for (k, q) in qualities.iter_mut().enumerate() {
        let side = if k < 4 { 0.5 } else { -0.5 };
        let mut level = 3.15 + 0.8 * g + 0.45 * rng.normal() + side * tilt;
        if story == Story::ResumeOnly && matches!(QUALITY_KEYS[k], "humility" | "ownership") {
            level -= 0.4;
        }
        *q = round_to(level.clamp(1.0, 5.0), 2);
    }

    // Résumé facts from the archetype; quota track record leans on g only slightly.
    let (hired, years_experience, tenure_years, quota, vip, domain) = match archetype {
        Archetype::Veteran => {
            let hired = rng.date(date!(2012 - 01 - 01), date!(2019 - 12 - 31));
            let since = years_between(hired, AS_OF);
            let quota = 1.12 + 0.07 * rng.normal() + 0.09 * g;
            let vip = 24.0 + 7.0 * rng.normal() + 3.0 * g;
            let domain = if rng.uniform() < 0.55 { 4.0 } else { 5.0 };
            (
                hired,
                since + rng.range(3.0, 9.0),
                since,
                quota,
                vip.clamp(12.0, 45.0),
                domain,
            )
        }
        Archetype::ProvenHire => {
            let hired = rng.date(date!(2024 - 02 - 01), date!(2025 - 10 - 31));
            let quota = 1.2 + 0.06 * rng.normal() + 0.09 * g;
            // Their longest stint at one company was at the previous employer.
            let tenure = rng.range(5.0, 9.0);
            let vip = (30.0 + 8.0 * rng.normal() + 3.0 * g).clamp(18.0, 50.0);
            let domain = if rng.uniform() < 0.3 { 4.0 } else { 5.0 };
            (hired, rng.range(9.0, 17.0), tenure, quota, vip, domain)
        }
        Archetype::Steady => {
            let hired = rng.date(date!(2018 - 01 - 01), date!(2023 - 12 - 31));
            let since = years_between(hired, AS_OF);
            let quota = 0.98 + 0.09 * rng.normal() + 0.09 * g;
            let tenure = since.max(rng.range(2.0, 4.5));
            let vip = (11.0 + 4.0 * rng.normal() + 2.0 * g).clamp(3.0, 20.0);
            let domain = [2.0, 3.0, 3.0, 4.0][rng.below(4)];
            (
                hired,
                since + rng.range(1.5, 5.0),
                tenure,
                quota,
                vip,
                domain,
            )
        }
        Archetype::Newcomer => {
            let hired = rng.date(date!(2024 - 03 - 01), date!(2026 - 06 - 30));
            let since = years_between(hired, AS_OF);
            let quota = 0.82 + 0.1 * rng.normal() + 0.09 * g;
            let tenure = since.max(rng.range(0.5, 1.5));
            let vip = rng.range(0.0, 5.0);
            let domain = [1.0, 2.0, 2.0, 3.0][rng.below(4)];
            (
                hired,
                since + rng.range(0.0, 1.5),
                tenure,
                quota,
                vip,
                domain,
            )
        }
        Archetype::CareerChanger => {
            let hired = rng.date(date!(2022 - 06 - 01), date!(2025 - 06 - 30));
            let since = years_between(hired, AS_OF);
            let quota = 0.9 + 0.08 * rng.normal() + 0.09 * g;
            // Years at one company in their earlier career.
            let tenure = rng.range(5.0, 10.0);
            let vip = (4.0 + 3.0 * rng.normal()).clamp(1.0, 12.0);
            (hired, since + rng.range(0.0, 1.0), tenure, quota, vip, 5.0)
        }
    };

    let keep = |field: &str| !missing.contains(&field);
    let input = PersonInput {
        email: keep("email").then(|| email(name, DOMAIN)),
        id,
        name: name.to_owned(),
        team: Some(team.to_owned()),
        manager,
        hire_date: keep("hire_date").then_some(hired),
        years_experience: keep("years_experience").then_some(round_to(years_experience, 1)),
        quota_track_record: keep("quota_track_record")
            .then_some(round_to(quota.clamp(0.6, 1.4), 2)),
        tenure_years: keep("tenure_years").then_some(round_to(tenure_years, 1)),
        vip_connections: keep("vip_connections").then_some(vip.round()),
        domain_expertise: keep("domain_expertise").then_some(domain),
    };
    DemoPerson {
        input,
        seller: Some(SellerTraits {
            archetype,
            story,
            coached,
            qualities,
        }),
    }
}

fn person_id(s: &str) -> PersonId {
    PersonId::parse(s).expect("demo person ids are valid")
}

/// `first.last@domain`, lower case, accents dropped, apostrophes and spaces removed.
fn email(name: &str, domain: &str) -> Email {
    let mut local = String::new();
    for c in name.chars() {
        match c {
            ' ' => local.push('.'),
            '\'' => {}
            'á' | 'à' | 'â' | 'ä' | 'å' => local.push('a'),
            'é' | 'è' | 'ê' | 'ë' => local.push('e'),
            'í' | 'ì' | 'î' | 'ï' => local.push('i'),
            'ó' | 'ò' | 'ô' | 'ö' | 'ø' => local.push('o'),
            'ú' | 'ù' | 'û' | 'ü' => local.push('u'),
            'ñ' => local.push('n'),
            'č' => local.push('c'),
            'ř' => local.push('r'),
            c => local.extend(c.to_lowercase()),
        }
    }
    Email::parse(&format!("{local}@{domain}")).expect("demo e-mail addresses are valid")
}

/// Whole years (with a fraction) from `from` to `to`.
fn years_between(from: Date, to: Date) -> f64 {
    f64::from(to.to_julian_day() - from.to_julian_day()) / 365.25
}

fn round_to(x: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (x * f).round() / f
}

/// FNV-1a, to give every person id its own random stream.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Steele, Lea and Flood's SplitMix64: tiny, fast, and the same on every platform. The demo
/// needs repeatable draws, not cryptographic ones, so this stands in for the `rand` crate.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator whose stream depends only on `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`, with 53 random bits.
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in `[lo, hi)`.
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.uniform()
    }

    /// Uniform in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        ((self.uniform() * n as f64) as usize).min(n.saturating_sub(1))
    }

    /// Approximately standard normal: the sum of twelve uniforms minus six (Irwin–Hall), which
    /// uses no transcendental functions, so it is bit-identical on every platform. Bounded
    /// to ±6, which suits demo data.
    pub fn normal(&mut self) -> f64 {
        (0..12).map(|_| self.uniform()).sum::<f64>() - 6.0
    }

    /// A day uniformly between `from` and `to`, both included.
    pub fn date(&mut self, from: Date, to: Date) -> Date {
        let days = (to.to_julian_day() - from.to_julian_day()).max(0) as usize + 1;
        from + Duration::days(self.below(days) as i64)
    }
}

/// A fresh database in its own temporary folder with the demo organisation, for tests; the
/// caller removes the folder (the second value) when done.
#[cfg(test)]
pub(crate) async fn demo_store(
    tag: &str,
) -> (sellerq_store::sqlite::SqliteStore, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!(
        "sellerq-{tag}-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos()
    ));
    let store = sellerq_store::sqlite::SqliteStore::open(&dir.join("demo.db"))
        .await
        .expect("a database in a temporary folder");
    ensure_demo(&store).await.expect("the demo organisation");
    (store, dir)
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use sellerq_domain::person::format_date;

    use super::*;

    fn csv_line(p: &PersonInput) -> String {
        let num = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
        [
            p.id.to_string(),
            p.name.clone(),
            p.email
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            p.team.clone().unwrap_or_default(),
            p.manager
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            p.hire_date.map(format_date).unwrap_or_default(),
            num(p.years_experience),
            num(p.quota_track_record),
            num(p.tenure_years),
            num(p.vip_connections),
            num(p.domain_expertise),
        ]
        .join(",")
    }

    fn pearson(xs: &[f64], ys: &[f64]) -> f64 {
        let n = xs.len() as f64;
        let (mx, my) = (xs.iter().sum::<f64>() / n, ys.iter().sum::<f64>() / n);
        let sxy: f64 = xs.iter().zip(ys).map(|(x, y)| (x - mx) * (y - my)).sum();
        let sxx: f64 = xs.iter().map(|x| (x - mx).powi(2)).sum();
        let syy: f64 = ys.iter().map(|y| (y - my).powi(2)).sum();
        sxy / (sxx * syy).sqrt()
    }

    #[test]
    fn splitmix64_matches_the_reference_sequence() {
        // First outputs of the reference C implementation seeded with 0.
        let mut r = SplitMix64::new(0);
        assert_eq!(r.next_u64(), 0xe220_a839_7b1d_cdaf);
        assert_eq!(r.next_u64(), 0x6e78_9e6a_a1b9_65f4);
    }

    #[test]
    fn the_plan_is_the_same_every_time() {
        assert_eq!(plan(), plan());
    }

    #[test]
    fn the_demo_is_pinned_so_that_its_story_does_not_drift() {
        // If this fails after an intended change to the demo, update the expected rows: later
        // demo data (ratings, outcomes) and screenshots rely on these people.
        let plan = plan();
        let row = |name: &str| {
            csv_line(
                &plan
                    .people
                    .iter()
                    .find(|p| p.input.name == name)
                    .unwrap()
                    .input,
            )
        };
        assert_eq!(
            row("Amara Nwosu"),
            "LM-1005,Amara Nwosu,amara.nwosu@larkmoor.example,Enterprise East,LM-1002,\
             2025-05-15,2.8,0.94,1.4,2,2"
        );
        assert_eq!(
            row("Victoria Ashworth"),
            "LM-1032,Victoria Ashworth,victoria.ashworth@larkmoor.example,Strategic Accounts,\
             LM-1004,2024-06-07,13.4,1.07,5.3,36,5"
        );
    }

    #[test]
    fn the_organisation_has_five_managed_teams_and_sixty_eight_sellers() {
        let plan = plan();
        assert_eq!(plan.teams.len(), 5);
        assert_eq!(plan.sellers().count(), 68);
        for t in &plan.teams {
            let manager = plan.people.iter().find(|p| p.input.id == t.manager);
            let manager = manager.unwrap_or_else(|| panic!("{} has no manager person", t.name));
            assert!(
                manager.input.email.is_some(),
                "{}'s manager needs an e-mail",
                t.name
            );
            assert!(
                manager.seller.is_none(),
                "{}'s manager is not a seller",
                t.name
            );
            let size = plan
                .sellers()
                .filter(|(p, _)| p.team.as_deref() == Some(t.name))
                .count();
            assert!((12..=15).contains(&size), "{} has {size} sellers", t.name);
            for (p, _) in plan
                .sellers()
                .filter(|(p, _)| p.team.as_deref() == Some(t.name))
            {
                assert_eq!(
                    p.manager.as_ref(),
                    Some(&t.manager),
                    "{} reports to their manager",
                    p.name
                );
            }
        }
    }

    #[test]
    fn every_person_is_valid_and_unique() {
        let plan = plan();
        let mut ids = HashSet::new();
        let mut emails = HashSet::new();
        let mut names = HashSet::new();
        for p in &plan.people {
            let p = &p.input;
            p.check()
                .unwrap_or_else(|e| panic!("{} is invalid: {e}", p.name));
            assert!(ids.insert(p.id.clone()), "duplicate id {}", p.id);
            assert!(names.insert(p.name.clone()), "duplicate name {}", p.name);
            if let Some(e) = &p.email {
                assert!(emails.insert(e.clone()), "duplicate e-mail {e}");
                assert!(
                    e.as_str().ends_with(".example"),
                    "{e} is not a reserved domain"
                );
                assert!(e.as_str().is_ascii(), "{e} is not ASCII");
            }
        }
        for u in &plan.users {
            assert!(
                u.email.as_str().ends_with(".example"),
                "{} is not a reserved domain",
                u.email
            );
        }
    }

    #[test]
    fn the_trailing_indicators_are_plausible_with_a_few_gaps() {
        let plan = plan();
        let mut missing = 0;
        let mut years = HashSet::new();
        for (p, _) in plan.sellers() {
            for v in [
                p.years_experience,
                p.quota_track_record,
                p.tenure_years,
                p.vip_connections,
                p.domain_expertise,
            ] {
                missing += usize::from(v.is_none());
            }
            missing += usize::from(p.hire_date.is_none());
            if let Some(q) = p.quota_track_record {
                assert!(
                    (0.6..=1.4).contains(&q),
                    "{}: quota track record {q}",
                    p.name
                );
            }
            if let Some(d) = p.domain_expertise {
                assert!(
                    d.fract() == 0.0 && (1.0..=5.0).contains(&d),
                    "{}: domain {d}",
                    p.name
                );
            }
            if let Some(v) = p.vip_connections {
                assert!(v.fract() == 0.0 && v >= 0.0, "{}: vip {v}", p.name);
            }
            if let (Some(h), Some(y)) = (p.hire_date, p.years_experience) {
                assert!(h <= AS_OF, "{} is hired in the future", p.name);
                assert!(
                    y + 0.05 >= years_between(h, AS_OF),
                    "{} sold longer here than at all",
                    p.name
                );
                years.insert(h.year());
            }
        }
        assert!((3..=8).contains(&missing), "{missing} missing values");
        assert!(
            years.len() >= 10,
            "hire years {years:?} should spread over a decade"
        );
    }

    #[test]
    fn the_qualities_differ_from_what_the_resumes_suggest() {
        let plan = plan();
        let mean = |story: Story| {
            let v: Vec<f64> = plan
                .sellers()
                .filter(|(_, s)| s.story == story)
                .map(|(_, s)| s.overall())
                .collect();
            v.iter().sum::<f64>() / v.len() as f64
        };
        assert!(mean(Story::HiddenStar) > mean(Story::ResumeOnly) + 1.0);
        // The résumé facts barely predict the qualities.
        for key in [
            "years_experience",
            "quota_track_record",
            "tenure_years",
            "vip_connections",
            "domain_expertise",
        ] {
            let (xs, ys): (Vec<f64>, Vec<f64>) = plan
                .sellers()
                .filter_map(|(p, s)| {
                    let v = match key {
                        "years_experience" => p.years_experience,
                        "quota_track_record" => p.quota_track_record,
                        "tenure_years" => p.tenure_years,
                        "vip_connections" => p.vip_connections,
                        _ => p.domain_expertise,
                    };
                    v.map(|v| (v, s.overall()))
                })
                .unzip();
            let r = pearson(&xs, &ys);
            assert!(
                (-0.3..0.35).contains(&r),
                "{key} correlates {r:.2} with the true qualities"
            );
        }
        for (p, s) in plan.sellers() {
            assert!(
                s.qualities.iter().all(|q| (1.0..=5.0).contains(q)),
                "{}",
                p.name
            );
        }
        let coached: Vec<_> = plan.sellers().filter(|(_, s)| s.coached).collect();
        assert!(coached.len() >= 5);
        assert!(
            coached.iter().all(|(p, _)| p.team.as_deref() != Some(EAST)),
            "coached sellers belong to the coach's teams"
        );
    }

    #[test]
    fn there_is_one_login_per_role_wired_to_the_right_people() {
        let plan = plan();
        let info = plan.info();
        let roles: Vec<Role> = info.logins.iter().map(|l| l.role).collect();
        assert_eq!(roles, Role::ALL);
        assert!(info.password.len() >= 10);

        let login = |role: Role| info.logins.iter().find(|l| l.role == role).unwrap();
        let person = |email: &str| {
            plan.people
                .iter()
                .find(|p| p.input.email.as_ref().map(Email::as_str) == Some(email))
        };
        let manager = person(&login(Role::Manager).email).expect("the manager login is a person");
        let east = plan.teams.iter().find(|t| t.name == EAST).unwrap();
        assert_eq!(manager.input.id, east.manager);
        assert!(
            login(Role::Manager)
                .note
                .contains("manages Enterprise East")
        );

        let seller = person(&login(Role::Seller).email).expect("the seller login is a person");
        assert!(seller.seller.is_some());
        assert_eq!(
            seller.input.team.as_deref(),
            Some(EAST),
            "the demo manager sees the demo seller"
        );

        let coach = plan.users.iter().find(|u| u.role == Role::Coach).unwrap();
        assert!((1..=2).contains(&coach.teams.len()));
        assert!(
            person(coach.email.as_str()).is_none(),
            "the coach is external"
        );
    }

    #[test]
    fn the_seller_traits_follow_the_model_s_spectrum_order() {
        let keys: Vec<&str> = sellerq_domain::model::default_model()
            .keys()
            .map(|k| k.as_str())
            .collect();
        assert_eq!(keys, QUALITY_KEYS);
    }

    #[test]
    fn the_browser_tests_know_the_demo_logins() {
        // e2e/lib/demo.mjs repeats the logins the journeys sign in with.
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../e2e/lib/demo.mjs");
        let js = std::fs::read_to_string(path).expect("e2e/lib/demo.mjs exists");
        let info = plan().info();
        assert!(
            js.contains(&format!("'{}'", info.password)),
            "{path} has the password"
        );
        for l in &info.logins {
            assert!(
                js.contains(&format!("'{}'", l.email)),
                "{path} has {}",
                l.email
            );
        }
    }

    #[test]
    fn the_login_table_names_every_role() {
        let text = plan().info().to_string();
        for r in Role::ALL {
            assert!(text.contains(r.as_str()), "{text}");
        }
        assert!(text.contains(DEMO_PASSWORD));
    }
}
