-- 0003 outcomes: the organisation's outcome metrics, and later results per seller, per period,
-- per metric (outcomes.csv of FORMATS.md) — what the validity report checks the indicators
-- against.
--
-- Every organisation has the metric `quota_attainment` (unit `ratio`: 1.0 = 100 %, higher is
-- better) from its creation: this migration adds it for the organisations that exist, and the
-- store adds it when it creates one.

CREATE TABLE metrics (
    org_id            INTEGER NOT NULL REFERENCES organisations (id),
    key               TEXT    NOT NULL
                      CHECK (length(key) BETWEEN 1 AND 40 AND key NOT GLOB '*[^a-z0-9_]*'
                             AND substr(key, 1, 1) BETWEEN 'a' AND 'z'),
    label             TEXT    NOT NULL CHECK (length(label) BETWEEN 1 AND 80),
    unit              TEXT    NOT NULL DEFAULT '' CHECK (length(unit) <= 20),
    higher_is_better  INTEGER NOT NULL DEFAULT 1 CHECK (higher_is_better IN (0, 1)),
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    PRIMARY KEY (org_id, key)
);

INSERT INTO metrics (org_id, key, label, unit, higher_is_better, created_at, updated_at)
    SELECT id, 'quota_attainment', 'Quota attainment', 'ratio', 1,
           CAST(strftime('%s', 'now') AS INTEGER), CAST(strftime('%s', 'now') AS INTEGER)
    FROM organisations;

-- One value of one metric for one seller in one period. WITHOUT ROWID: the primary key is the
-- table, so reading an organisation's outcomes in (subject, metric, period) order — what the
-- reports and the export ask for — is one ordered range scan with no lookups. Deleting a
-- person deletes their outcomes (the store does it, and says so in the log); a rename moves
-- them (the subject reference is deferred, like ratings', so the id and its references move
-- inside one transaction).
CREATE TABLE outcomes (
    org_id      INTEGER NOT NULL,
    subject     TEXT    NOT NULL,
    metric      TEXT    NOT NULL,
    period      TEXT    NOT NULL
                CHECK (period GLOB '[0-9][0-9][0-9][0-9]'
                       OR period GLOB '[0-9][0-9][0-9][0-9]-Q[1-4]'
                       OR period GLOB '[0-9][0-9][0-9][0-9]-H[12]'
                       OR period GLOB '[0-9][0-9][0-9][0-9]-0[1-9]'
                       OR period GLOB '[0-9][0-9][0-9][0-9]-1[0-2]'),
    value       REAL    NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (org_id, subject, metric, period),
    FOREIGN KEY (org_id, subject) REFERENCES people (org_id, id) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (org_id, metric) REFERENCES metrics (org_id, key)
) WITHOUT ROWID;
-- One metric across the organisation (the validity report, `export outcomes --metric`), in
-- subject order, and the child side of the foreign key to metrics. It carries the value too
-- (a covering index), so that read never goes back to the table.
CREATE INDEX outcomes_metric ON outcomes (org_id, metric, subject, period, value);
