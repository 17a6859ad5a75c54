-- A third kind of event: "backfilled", for papers a backfill adds. Feeds, digests and webhooks
-- announce "new" and "updated" papers only, so a backfill of last year does not arrive as news
-- (unless `backfill --notify`, which records "new"). SQLite cannot change a CHECK constraint in
-- place: the table is rebuilt with its rows and their seq numbers (the delivery log's
-- watermarks point at those).
CREATE TABLE events_new (
    seq      INTEGER PRIMARY KEY,
    paper_id TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    kind     TEXT NOT NULL CHECK (kind IN ('new', 'updated', 'backfilled')),
    version  INTEGER NOT NULL,
    day      TEXT NOT NULL,
    UNIQUE (paper_id, kind, version)
);
INSERT INTO events_new (seq, paper_id, kind, version, day) SELECT seq, paper_id, kind, version, day FROM events;
DROP TABLE events;
ALTER TABLE events_new RENAME TO events;
