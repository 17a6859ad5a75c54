-- What a reader keeps in the reading room (`arxiv-radar serve`): tags (folders), notes, read marks.
-- Papers are named by their versionless id, like feedback: a tag outlives a paper's re-import.
CREATE TABLE tags (
    id      INTEGER PRIMARY KEY,
    name    TEXT NOT NULL UNIQUE,                 -- as the reader typed it, trimmed, at most 100 characters
    created TEXT NOT NULL
);

CREATE TABLE paper_tags (
    tag_id   INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    paper_id TEXT NOT NULL,
    added    TEXT NOT NULL,
    PRIMARY KEY (tag_id, paper_id)
) WITHOUT ROWID;
CREATE INDEX paper_tags_paper ON paper_tags (paper_id);

-- One note per paper (plain text, at most 20,000 characters); an empty note deletes the row.
CREATE TABLE notes (
    paper_id TEXT PRIMARY KEY,
    text     TEXT NOT NULL,
    updated  TEXT NOT NULL
) WITHOUT ROWID;

-- A paper the reader has marked read; unmarking deletes the row.
CREATE TABLE reads (
    paper_id TEXT PRIMARY KEY,
    read_at  TEXT NOT NULL
) WITHOUT ROWID;
