-- One row per delivery attempt of a run on one channel ("email", "webhook:<sha256 of url, 16 hex>").
-- A channel's papers "not yet delivered" are the matched papers whose events have a seq above the
-- highest upto_seq of its successful rows; a channel with no successful row gets every match.
CREATE TABLE deliveries (
    id        INTEGER PRIMARY KEY,
    channel   TEXT NOT NULL,
    day       TEXT NOT NULL,                        -- the run day
    status    TEXT NOT NULL CHECK (status IN ('ok', 'failed')),
    upto_seq  INTEGER NOT NULL DEFAULT 0,           -- the last events.seq this delivery covers
    paper_ids TEXT NOT NULL DEFAULT '[]',           -- JSON list of the papers it covered
    attempts  INTEGER NOT NULL DEFAULT 1,           -- consecutive failed runs, this one included
    detail    TEXT                                  -- error text, or what was sent
);
CREATE INDEX deliveries_channel ON deliveries (channel, status, upto_seq);
