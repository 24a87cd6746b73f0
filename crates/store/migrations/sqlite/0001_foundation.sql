-- 0001 foundation: organisations, accounts, teams, people, model versions, cycles, ratings,
-- sessions, API tokens and the audit log.
--
-- Append-only: once released, this file never changes (sqlx stores its checksum); later
-- changes come as 0002_…, 0003_… . Timestamps are unix seconds (INTEGER); dates are ISO text.
--
-- Organisation data carries `org_id` on every row, and references between organisation rows
-- are composite foreign keys `(org_id, …)`, so that the database itself refuses a team,
-- manager or rating that points into another organisation.
--
-- References to a person's id (a manager, a team's manager, a rating's subject) are
-- DEFERRABLE INITIALLY DEFERRED: an import may name a manager that a later row creates, and a
-- rename moves a person's id and every reference to it inside one transaction; the check runs
-- at COMMIT.

CREATE TABLE organisations (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL
);

-- One account per e-mail across the installation (a coach may serve several organisations).
CREATE TABLE users (
    id             INTEGER PRIMARY KEY,
    email          TEXT    NOT NULL UNIQUE,   -- lower-cased by the domain's Email type
    name           TEXT    NOT NULL,
    password_hash  TEXT    NOT NULL,          -- argon2 PHC string, never the password
    created_at     INTEGER NOT NULL
);

CREATE TABLE memberships (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    org_id      INTEGER NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    role        TEXT    NOT NULL
                CHECK (role IN ('admin', 'leader', 'manager', 'coach', 'seller', 'interviewer')),
    created_at  INTEGER NOT NULL,
    UNIQUE (user_id, org_id)
);
CREATE INDEX memberships_org ON memberships (org_id);

CREATE TABLE teams (
    id           INTEGER PRIMARY KEY,
    org_id       INTEGER NOT NULL REFERENCES organisations (id),
    name         TEXT    NOT NULL,
    parent_id    INTEGER,
    manager      TEXT,                         -- a person id of the same organisation
    description  TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    UNIQUE (org_id, name),
    -- The target of the composite foreign keys below (id alone is already unique).
    UNIQUE (org_id, id),
    CHECK (parent_id IS NULL OR parent_id <> id),
    -- The parent is in the same organisation; longer cycles are refused in code.
    FOREIGN KEY (org_id, parent_id) REFERENCES teams (org_id, id),
    FOREIGN KEY (org_id, manager) REFERENCES people (org_id, id) DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX teams_parent ON teams (org_id, parent_id);
CREATE INDEX teams_manager ON teams (org_id, manager);

-- The teams a manager or coach is assigned to (their sub-teams follow in code).
CREATE TABLE membership_teams (
    membership_id  INTEGER NOT NULL REFERENCES memberships (id) ON DELETE CASCADE,
    team_id        INTEGER NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    PRIMARY KEY (membership_id, team_id)
);
CREATE INDEX membership_teams_team ON membership_teams (team_id);

-- The columns of people.csv (FORMATS.md), keyed by the organisation's own id for the person.
CREATE TABLE people (
    org_id              INTEGER NOT NULL REFERENCES organisations (id),
    id                  TEXT    NOT NULL,
    name                TEXT    NOT NULL,
    email               TEXT,
    team_id             INTEGER,
    manager             TEXT,
    hire_date           TEXT
                        CHECK (hire_date IS NULL
                               OR hire_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    -- The five trailing indicators, with the ranges of FORMATS.md.
    years_experience    REAL CHECK (years_experience IS NULL OR years_experience >= 0),
    quota_track_record  REAL CHECK (quota_track_record IS NULL OR quota_track_record >= 0),
    tenure_years        REAL CHECK (tenure_years IS NULL OR tenure_years >= 0),
    vip_connections     REAL CHECK (vip_connections IS NULL OR vip_connections >= 0),
    domain_expertise    REAL CHECK (domain_expertise IS NULL OR domain_expertise BETWEEN 1 AND 5),
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL,
    PRIMARY KEY (org_id, id),
    -- NULLs are distinct, so any number of people may have no e-mail.
    UNIQUE (org_id, email),
    CHECK (manager IS NULL OR manager <> id),
    FOREIGN KEY (org_id, team_id) REFERENCES teams (org_id, id),
    FOREIGN KEY (org_id, manager) REFERENCES people (org_id, id) DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX people_team ON people (org_id, team_id);
CREATE INDEX people_manager ON people (org_id, manager);
CREATE INDEX people_name ON people (org_id, name, id);

-- The model as the organisation uses it: the TOML text exactly as loaded. The newest is current.
CREATE TABLE model_versions (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL REFERENCES organisations (id),
    label       TEXT    NOT NULL,
    toml        TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    UNIQUE (org_id, label),
    UNIQUE (org_id, id)
);

-- Assessment cycles (issue 3 adds participants, rater roles, due dates and status).
CREATE TABLE cycles (
    id                INTEGER PRIMARY KEY,
    org_id            INTEGER NOT NULL REFERENCES organisations (id),
    name              TEXT    NOT NULL,
    model_version_id  INTEGER NOT NULL,
    created_at        INTEGER NOT NULL,
    UNIQUE (org_id, name),
    UNIQUE (org_id, id),
    FOREIGN KEY (org_id, model_version_id) REFERENCES model_versions (org_id, id)
);
CREATE INDEX cycles_model_version ON cycles (model_version_id);

-- One quality score by one rater for one subject in one cycle (ratings.csv).
CREATE TABLE ratings (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL,
    cycle_id    INTEGER NOT NULL,
    subject     TEXT    NOT NULL,
    rater       TEXT    NOT NULL,              -- a person id, or an external rater's id
    role        TEXT    NOT NULL
                CHECK (role IN ('self', 'manager', 'peer', 'coach', 'interviewer')),
    quality     TEXT    NOT NULL,
    score       INTEGER,                       -- NULL = not observed
    evidence    TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    UNIQUE (cycle_id, subject, rater, quality),
    CHECK (role <> 'self' OR rater = subject),
    FOREIGN KEY (org_id, cycle_id) REFERENCES cycles (org_id, id),
    FOREIGN KEY (org_id, subject) REFERENCES people (org_id, id) DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX ratings_subject ON ratings (org_id, subject);
CREATE INDEX ratings_rater ON ratings (org_id, rater);

-- An assessment keeps the model version it was made with: once a rating uses a version, the
-- version never changes. The store checks this first (StoreError::Immutable); these triggers
-- are the defence in depth against any other writer, raw SQL included.
CREATE TRIGGER model_versions_in_use_no_update
BEFORE UPDATE ON model_versions
WHEN EXISTS (SELECT 1 FROM cycles c JOIN ratings r ON r.cycle_id = c.id
             WHERE c.model_version_id = OLD.id)
BEGIN
    SELECT RAISE(ABORT, 'model version is in use by ratings and cannot change');
END;

CREATE TRIGGER model_versions_in_use_no_delete
BEFORE DELETE ON model_versions
WHEN EXISTS (SELECT 1 FROM cycles c JOIN ratings r ON r.cycle_id = c.id
             WHERE c.model_version_id = OLD.id)
BEGIN
    SELECT RAISE(ABORT, 'model version is in use by ratings and cannot change');
END;

-- Moving a rated cycle to another model version would change the version its ratings use.
CREATE TRIGGER cycles_rated_keep_model_version
BEFORE UPDATE OF model_version_id ON cycles
WHEN NEW.model_version_id IS NOT OLD.model_version_id
     AND EXISTS (SELECT 1 FROM ratings WHERE cycle_id = OLD.id)
BEGIN
    SELECT RAISE(ABORT, 'model version is in use by ratings and cannot change');
END;

-- Web sessions: only the SHA-256 of the cookie's token is stored.
CREATE TABLE sessions (
    token_hash  TEXT    PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    org_id      INTEGER REFERENCES organisations (id) ON DELETE SET NULL,
    csrf_token  TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- API tokens for `Authorization: Bearer`; only their SHA-256 is stored.
CREATE TABLE api_tokens (
    id            INTEGER PRIMARY KEY,
    token_hash    TEXT    NOT NULL UNIQUE,
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    org_id        INTEGER NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    label         TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    last_used_at  INTEGER
);

-- Every write: who, what, when, and short JSON summaries of the row before and after.
-- `org_id` is NULL for installation-wide changes (a new user, a password change).
CREATE TABLE audit_log (
    id             INTEGER PRIMARY KEY,
    org_id         INTEGER REFERENCES organisations (id),
    at             INTEGER NOT NULL,
    actor_user_id  INTEGER REFERENCES users (id) ON DELETE SET NULL,
    actor          TEXT    NOT NULL,
    action         TEXT    NOT NULL,
    entity         TEXT    NOT NULL,
    entity_id      TEXT    NOT NULL,
    before_json    TEXT    CHECK (before_json IS NULL OR json_valid(before_json)),
    after_json     TEXT    CHECK (after_json IS NULL OR json_valid(after_json))
);
CREATE INDEX audit_log_org ON audit_log (org_id, id);
