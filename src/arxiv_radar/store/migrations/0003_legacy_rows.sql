-- Rows imported from a cv-arxiv-daily JSON database, kept as they were per topic, so that the
-- cv-arxiv-daily style can reproduce that tool's files byte for byte (its rows for one paper may
-- differ between topics: each was written when that topic last fetched it).
CREATE TABLE legacy_rows (
    topic        TEXT NOT NULL,
    paper_id     TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    key          TEXT NOT NULL,       -- the JSON key cv-arxiv-daily used
    position     INTEGER NOT NULL,    -- order within the topic in the JSON file
    day          TEXT NOT NULL,       -- the row's date (cv-arxiv-daily wrote the updated date)
    title        TEXT NOT NULL,
    first_author TEXT NOT NULL,
    version      INTEGER,
    code_url     TEXT,
    PRIMARY KEY (topic, paper_id)
) WITHOUT ROWID;
