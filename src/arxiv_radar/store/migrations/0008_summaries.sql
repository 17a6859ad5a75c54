-- AI summaries (summarize/): one row per paper version, model, language and prompt.
-- A paper is never summarised twice for the same key; a new version or a changed prompt makes a
-- new row and the old ones stay. `fields` is a JSON object {field name: text}, already
-- validated and capped; it is untrusted text all the same and every renderer escapes it.
CREATE TABLE summaries (
    paper_id      TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    version       INTEGER NOT NULL,
    model         TEXT NOT NULL,
    language      TEXT NOT NULL,
    prompt_hash   TEXT NOT NULL,
    fields        TEXT NOT NULL,                  -- JSON {"tldr": "...", "method": "...", ...}
    prompt_tokens     INTEGER,                    -- as the endpoint reported them
    completion_tokens INTEGER,
    created       TEXT NOT NULL,                  -- UTC, 2026-03-05T12:00:00Z
    PRIMARY KEY (paper_id, version, model, language, prompt_hash)
) WITHOUT ROWID;

-- Failed attempts per summary key, so a failure is retried at the next run (a paper that keeps
-- failing goes after fresh ones, and is given up after the configured number of attempts).
-- The row goes once the summary is made.
CREATE TABLE summary_attempts (
    paper_id    TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    version     INTEGER NOT NULL,
    model       TEXT NOT NULL,
    language    TEXT NOT NULL,
    prompt_hash TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT,                             -- short, redacted: for reports
    last_tried  TEXT NOT NULL,
    PRIMARY KEY (paper_id, version, model, language, prompt_hash)
) WITHOUT ROWID;
