-- 0002 assessment: cycles get a status, a due date and the rater roles they collect; cycles get
-- participants and rater assignments (peers nominated by the seller, approved by the manager);
-- ratings get a draft/submitted state; organisations get their assessment settings.
--
-- The ratings table is rebuilt (SQLite cannot drop a CHECK): 0001's `role IN (…)` check costs
-- about a microsecond per row — SQLite evaluates an IN list in a CHECK like a subquery — which
-- is a second per million imported rows; an OR chain checks the same in a tenth of that. Its
-- indexes are reshaped for the queries issue 3 needs, measured on a million rows:
--
--   * UNIQUE (cycle_id, subject, rater, quality): the one-rating rule, a cycle's ratings (team
--     view, completion, export) and a sheet's ratings. Bulk imports insert in this order, so the
--     index grows at its end instead of at random places (3x faster than random order).
--   * ratings_subject (org_id, subject): a seller's ratings across cycles (profile, trend), and
--     the child side of the foreign key to people, without which every rename or delete of a
--     person would scan all ratings.
--   * 0001's ratings_rater is dropped: only deleting or renaming a person asks "which ratings did
--     this person give?", rarely, and a scan is fine there; keeping it would cost every import a
--     second index in random order.
--
-- 0001's triggers name `ratings`, so they are dropped first and created again at the end, now
-- also freezing a model version once any cycle using it has left draft (the model version is
-- frozen when a cycle opens).

DROP TRIGGER model_versions_in_use_no_update;
DROP TRIGGER model_versions_in_use_no_delete;
DROP TRIGGER cycles_rated_keep_model_version;

-- Cycles existing before this migration may hold ratings: they become `open`. New cycles start
-- as `draft` (the store says so explicitly).
ALTER TABLE cycles ADD COLUMN status TEXT NOT NULL DEFAULT 'open'
    CHECK (status = 'draft' OR status = 'open' OR status = 'closed');
ALTER TABLE cycles ADD COLUMN due_date TEXT
    CHECK (due_date IS NULL OR due_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]');
-- A comma-separated set of self, manager, peer, coach (RaterRoles in the domain).
ALTER TABLE cycles ADD COLUMN rater_roles TEXT NOT NULL DEFAULT 'self,manager,peer,coach';
ALTER TABLE cycles ADD COLUMN opened_at INTEGER;
ALTER TABLE cycles ADD COLUMN closed_at INTEGER;

CREATE TABLE ratings_v2 (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL,
    cycle_id    INTEGER NOT NULL,
    subject     TEXT    NOT NULL,
    rater       TEXT    NOT NULL,              -- a person id, or an external rater's id
    role        TEXT    NOT NULL
                CHECK (role = 'self' OR role = 'manager' OR role = 'peer' OR role = 'coach'
                       OR role = 'interviewer'),
    quality     TEXT    NOT NULL,
    score       INTEGER CHECK (score IS NULL OR (score >= 0 AND score <= 255)),  -- NULL = not observed
    evidence    TEXT    NOT NULL DEFAULT '',
    -- A rater's sheet is saved as drafts and becomes final when submitted; only submitted
    -- ratings count anywhere (scores, exports, completion).
    state       TEXT    NOT NULL DEFAULT 'submitted'
                CHECK (state = 'draft' OR state = 'submitted'),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    UNIQUE (cycle_id, subject, rater, quality),
    CHECK (role <> 'self' OR rater = subject),
    FOREIGN KEY (org_id, cycle_id) REFERENCES cycles (org_id, id),
    FOREIGN KEY (org_id, subject) REFERENCES people (org_id, id) DEFERRABLE INITIALLY DEFERRED
);
INSERT INTO ratings_v2 (id, org_id, cycle_id, subject, rater, role, quality, score, evidence,
                        state, created_at, updated_at)
    SELECT id, org_id, cycle_id, subject, rater, role, quality, score, evidence,
           'submitted', created_at, created_at
    FROM ratings;
DROP TABLE ratings;
ALTER TABLE ratings_v2 RENAME TO ratings;
CREATE INDEX ratings_subject ON ratings (org_id, subject);

-- The people assessed in a cycle (a team added to a cycle is expanded to its people).
CREATE TABLE cycle_participants (
    org_id    INTEGER NOT NULL,
    cycle_id  INTEGER NOT NULL,
    subject   TEXT    NOT NULL,
    added_at  INTEGER NOT NULL,
    PRIMARY KEY (cycle_id, subject),
    FOREIGN KEY (org_id, cycle_id) REFERENCES cycles (org_id, id),
    FOREIGN KEY (org_id, subject) REFERENCES people (org_id, id) DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX cycle_participants_subject ON cycle_participants (org_id, subject);

-- Who is asked to rate whom in a cycle. Self and manager assignments are made when a
-- participant is added; peers are chosen by the manager (approved) or nominated by the seller
-- (nominated, then approved or declined); coaches are assigned. Raters here are people of the
-- organisation (they sign in to rate); ratings.csv may still name external raters.
CREATE TABLE cycle_raters (
    org_id      INTEGER NOT NULL,
    cycle_id    INTEGER NOT NULL,
    subject     TEXT    NOT NULL,
    rater       TEXT    NOT NULL,
    role        TEXT    NOT NULL
                CHECK (role = 'self' OR role = 'manager' OR role = 'peer' OR role = 'coach'),
    status      TEXT    NOT NULL
                CHECK (status = 'nominated' OR status = 'approved' OR status = 'declined'),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (cycle_id, subject, rater),
    CHECK (role <> 'self' OR rater = subject),
    CHECK (role = 'self' OR rater <> subject),
    FOREIGN KEY (org_id, cycle_id) REFERENCES cycles (org_id, id),
    FOREIGN KEY (org_id, subject) REFERENCES people (org_id, id) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (org_id, rater) REFERENCES people (org_id, id) DEFERRABLE INITIALLY DEFERRED
);
-- "My assessments": the sheets a person is asked to fill in.
CREATE INDEX cycle_raters_rater ON cycle_raters (org_id, rater);
CREATE INDEX cycle_raters_subject ON cycle_raters (org_id, subject);

-- Per-organisation assessment settings; an organisation without a row uses the defaults.
CREATE TABLE org_settings (
    org_id                INTEGER PRIMARY KEY REFERENCES organisations (id),
    anonymity_threshold   INTEGER NOT NULL DEFAULT 3
                          CHECK (anonymity_threshold >= 1 AND anonymity_threshold <= 20),
    blind_spot_threshold  REAL    NOT NULL DEFAULT 1.0
                          CHECK (blind_spot_threshold > 0 AND blind_spot_threshold <= 10),
    updated_at            INTEGER NOT NULL
);

-- An assessment keeps the model version it was made with. A version is *in use* once a cycle
-- using it has left draft or holds ratings; then it never changes, and no cycle moves off it.
-- The store checks first (StoreError::Immutable); these triggers refuse any other writer.
CREATE TRIGGER model_versions_in_use_no_update
BEFORE UPDATE ON model_versions
WHEN EXISTS (SELECT 1 FROM cycles c
             WHERE c.model_version_id = OLD.id
               AND (c.status <> 'draft' OR EXISTS (SELECT 1 FROM ratings r WHERE r.cycle_id = c.id)))
BEGIN
    SELECT RAISE(ABORT, 'model version is in use by ratings and cannot change');
END;

CREATE TRIGGER model_versions_in_use_no_delete
BEFORE DELETE ON model_versions
WHEN EXISTS (SELECT 1 FROM cycles c
             WHERE c.model_version_id = OLD.id
               AND (c.status <> 'draft' OR EXISTS (SELECT 1 FROM ratings r WHERE r.cycle_id = c.id)))
BEGIN
    SELECT RAISE(ABORT, 'model version is in use by ratings and cannot change');
END;

CREATE TRIGGER cycles_rated_keep_model_version
BEFORE UPDATE OF model_version_id ON cycles
WHEN NEW.model_version_id IS NOT OLD.model_version_id
     AND (OLD.status <> 'draft' OR EXISTS (SELECT 1 FROM ratings WHERE cycle_id = OLD.id))
BEGIN
    SELECT RAISE(ABORT, 'model version is in use by ratings and cannot change');
END;
