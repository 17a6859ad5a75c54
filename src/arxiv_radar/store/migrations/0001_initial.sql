-- Papers are stored once, under their versionless id. Dates are ISO 8601 UTC strings.
CREATE TABLE papers (
    id               TEXT PRIMARY KEY,
    version          INTEGER NOT NULL,
    title            TEXT NOT NULL,
    abstract         TEXT NOT NULL DEFAULT '',
    authors          TEXT NOT NULL DEFAULT '[]',   -- JSON: [[name, [affiliation, ...]], ...]
    authors_text     TEXT NOT NULL DEFAULT '',     -- names joined by ", " (full-text index)
    authors_complete INTEGER NOT NULL DEFAULT 1,   -- 0 when only the first author is known (legacy import)
    categories       TEXT NOT NULL DEFAULT '',     -- space separated, primary first
    primary_category TEXT NOT NULL DEFAULT '',
    published        TEXT NOT NULL,                -- first version's submission
    updated          TEXT,                         -- latest version's submission
    comment          TEXT,
    journal_ref      TEXT,
    doi              TEXT,
    report_no        TEXT,
    license          TEXT,
    origin           TEXT NOT NULL DEFAULT 'arxiv', -- arxiv | legacy | snapshot: how good the record is
    first_seen       TEXT NOT NULL,                -- the run day that first stored it
    changed          TEXT NOT NULL                 -- the run day that last changed it
);
CREATE INDEX papers_published ON papers (published);

CREATE TABLE versions (
    paper_id  TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    number    INTEGER NOT NULL,
    submitted TEXT,
    size      TEXT,
    PRIMARY KEY (paper_id, number)
) WITHOUT ROWID;

-- A paper matching several topics is stored once and listed under each.
CREATE TABLE matches (
    topic      TEXT NOT NULL,
    paper_id   TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    explain    TEXT,
    matched_on TEXT NOT NULL,
    PRIMARY KEY (topic, paper_id)
) WITHOUT ROWID;
CREATE INDEX matches_paper ON matches (paper_id);

-- "new" once per paper, "updated" once per replacement version: feeds and digests read these.
CREATE TABLE events (
    seq      INTEGER PRIMARY KEY,
    paper_id TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    kind     TEXT NOT NULL CHECK (kind IN ('new', 'updated')),
    version  INTEGER NOT NULL,
    day      TEXT NOT NULL,
    UNIQUE (paper_id, kind, version)
);

-- One row per (paper, link source): what that source said and when to ask again.
CREATE TABLE links (
    paper_id    TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    source      TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('found', 'none', 'unknown')),
    url         TEXT,
    kind        TEXT NOT NULL DEFAULT 'code',      -- code | project
    stars       INTEGER,
    project_url TEXT,
    checked_at  TEXT,
    attempts    INTEGER NOT NULL DEFAULT 0,
    next_check  TEXT,                              -- day on which "none"/"unknown" is asked again
    detail      TEXT,                              -- last error, for reports
    PRIMARY KEY (paper_id, source)
) WITHOUT ROWID;

CREATE TABLE runs (
    id       INTEGER PRIMARY KEY,
    command  TEXT NOT NULL,
    day      TEXT NOT NULL,
    started  TEXT NOT NULL,
    finished TEXT,
    status   TEXT NOT NULL DEFAULT 'running',     -- running | ok | partial | failed
    report   TEXT
);

-- Small named values: watermarks, last digest, and the like.
CREATE TABLE state (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- Full-text index over the papers table, kept in step by triggers.
CREATE VIRTUAL TABLE papers_fts USING fts5 (
    title, abstract, authors_text, comment,
    content = 'papers', content_rowid = 'rowid',
    tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE TRIGGER papers_ai AFTER INSERT ON papers BEGIN
    INSERT INTO papers_fts (rowid, title, abstract, authors_text, comment)
    VALUES (new.rowid, new.title, new.abstract, new.authors_text, new.comment);
END;
CREATE TRIGGER papers_ad AFTER DELETE ON papers BEGIN
    INSERT INTO papers_fts (papers_fts, rowid, title, abstract, authors_text, comment)
    VALUES ('delete', old.rowid, old.title, old.abstract, old.authors_text, old.comment);
END;
CREATE TRIGGER papers_au AFTER UPDATE OF title, abstract, authors_text, comment ON papers BEGIN
    INSERT INTO papers_fts (papers_fts, rowid, title, abstract, authors_text, comment)
    VALUES ('delete', old.rowid, old.title, old.abstract, old.authors_text, old.comment);
    INSERT INTO papers_fts (rowid, title, abstract, authors_text, comment)
    VALUES (new.rowid, new.title, new.abstract, new.authors_text, new.comment);
END;
