-- A second full-text index over the short identifier-like fields (journal ref, report number,
-- categories, id). With it every field prefix of a topic query (jr: rn: cat: id:, and the parts
-- of all: that papers_fts does not cover) can find its candidates through an index instead of
-- a scan of the papers table (query/fts.py). Kept in step by triggers, like papers_fts.
CREATE VIRTUAL TABLE papers_meta_fts USING fts5 (
    journal_ref, report_no, categories, id,
    content = 'papers', content_rowid = 'rowid',
    tokenize = 'porter unicode61 remove_diacritics 2'
);
INSERT INTO papers_meta_fts (papers_meta_fts) VALUES ('rebuild');
CREATE TRIGGER papers_meta_ai AFTER INSERT ON papers BEGIN
    INSERT INTO papers_meta_fts (rowid, journal_ref, report_no, categories, id)
    VALUES (new.rowid, new.journal_ref, new.report_no, new.categories, new.id);
END;
CREATE TRIGGER papers_meta_ad AFTER DELETE ON papers BEGIN
    INSERT INTO papers_meta_fts (papers_meta_fts, rowid, journal_ref, report_no, categories, id)
    VALUES ('delete', old.rowid, old.journal_ref, old.report_no, old.categories, old.id);
END;
CREATE TRIGGER papers_meta_au AFTER UPDATE OF journal_ref, report_no, categories, id ON papers BEGIN
    INSERT INTO papers_meta_fts (papers_meta_fts, rowid, journal_ref, report_no, categories, id)
    VALUES ('delete', old.rowid, old.journal_ref, old.report_no, old.categories, old.id);
    INSERT INTO papers_meta_fts (rowid, journal_ref, report_no, categories, id)
    VALUES (new.rowid, new.journal_ref, new.report_no, new.categories, new.id);
END;
