-- What the reader says about a paper, and what the ranking stage concluded from it.
-- feedback: +1 like, -1 dislike, per topic ('' = every topic); `unlike` deletes the row.
-- Written by `arxiv-radar like/dislike` and by the reading room (serve/); read by rank/.
CREATE TABLE feedback (
    paper_id TEXT NOT NULL,                         -- versionless id; the paper may not be stored yet
    topic    TEXT NOT NULL DEFAULT '',
    value    INTEGER NOT NULL CHECK (value IN (-1, 1)),
    source   TEXT NOT NULL DEFAULT 'cli',           -- cli | serve
    created  TEXT NOT NULL,
    PRIMARY KEY (paper_id, topic)
) WITHOUT ROWID;

-- One relevance score per (topic, paper), with the method that made it and a short "why" (JSON).
-- `inputs` is a hash of what the score depends on (library, feedback, method, model version),
-- so scores are recomputed only when one of those changes.
CREATE TABLE scores (
    topic         TEXT NOT NULL,
    paper_id      TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    score         REAL NOT NULL,
    why           TEXT NOT NULL DEFAULT '{}',
    method        TEXT NOT NULL,
    model_version TEXT NOT NULL DEFAULT '',
    inputs        TEXT NOT NULL DEFAULT '',
    computed      TEXT NOT NULL,
    PRIMARY KEY (topic, paper_id)
) WITHOUT ROWID;
CREATE INDEX scores_rank ON scores (topic, score DESC);
