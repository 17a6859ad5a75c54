from datetime import date, datetime, timezone

import pytest

from arxiv_radar.errors import StoreError
from arxiv_radar.model import Author, Paper, Version
from arxiv_radar.store import LATEST_VERSION, Store


def utc(*a):
    return datetime(*a, tzinfo=timezone.utc)


def paper(pid="2502.19917", version=1, **kw):
    base = dict(
        id=pid,
        title="Picking the Cream of the Crop",
        abstract="We study MLLMs. Code: https://github.com/HITsz-TMG/ViSA",
        authors=(Author("Zhenyu Liu", ("HIT",)), Author("Danae Sánchez Villegas")),
        categories=("cs.CV", "cs.CL"),
        primary_category="cs.CV",
        published=utc(2025, 2, 27, 10, 0),
        updated=utc(2025, 2, 27, 10, 0),
        version=version,
        comment="15 pages, 7 figures",
    )
    base.update(kw)
    return Paper(**base)


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "s.sqlite") as s:
        yield s


def test_new_store_is_migrated_to_latest(store):
    assert store.schema_version == LATEST_VERSION >= 1


def test_round_trip_keeps_every_field(store):
    p = paper()
    store.upsert_papers([p], date(2025, 3, 2))
    got = store.get_papers([p.id])[p.id]
    assert got.title == p.title and got.abstract == p.abstract
    assert got.authors == p.authors
    assert got.categories == ("cs.CV", "cs.CL") and got.primary_category == "cs.CV"
    assert got.published == p.published and got.comment == p.comment
    assert got.versions == (Version(1, p.published),)


def test_same_paper_twice_is_stored_once(store):
    r1 = store.upsert_papers([paper()], date(2025, 3, 2))
    r2 = store.upsert_papers([paper()], date(2025, 3, 2))
    assert r1.new == ["2502.19917"] and r2.new == [] and r2.unchanged == 1
    assert store.paper_count() == 1
    assert store.conn.execute("select count(*) from events").fetchone()[0] == 1


def test_replacement_is_an_update_that_keeps_first_publication_date(store):
    store.upsert_papers([paper()], date(2025, 3, 2))
    v2 = paper(version=2, updated=utc(2025, 3, 10), published=utc(2025, 2, 27, 10, 0),
               versions=(Version(1, utc(2025, 2, 27, 10, 0)), Version(2, utc(2025, 3, 10))))
    r = store.upsert_papers([v2], date(2025, 3, 11))
    assert r.new == [] and r.updated == [("2502.19917", 2)]
    got = store.get_papers(["2502.19917"])["2502.19917"]
    assert got.version == 2 and got.published == utc(2025, 2, 27, 10, 0)
    assert [v.number for v in got.versions] == [1, 2]
    kinds = store.conn.execute("select kind, version from events order by seq").fetchall()
    assert [tuple(k) for k in kinds] == [("new", 1), ("updated", 2)]
    # Seeing v1 again later (an older cached answer) changes nothing.
    r = store.upsert_papers([paper()], date(2025, 3, 12))
    assert r.updated == [] and store.get_papers(["2502.19917"])["2502.19917"].version == 2


def test_legacy_row_is_superseded_by_a_harvested_record(store):
    legacy = Paper(id="2502.19917", title="Picking the Cream of the Crop", authors=(Author("Zhenyu Liu"),),
                   published=utc(2025, 3, 1))
    store.upsert_papers([legacy], date(2025, 3, 1), origin="legacy", authors_complete=False)
    assert store.authors_complete(["2502.19917"]) == {"2502.19917": False}
    store.upsert_papers([paper()], date(2025, 3, 2))
    got = store.get_papers(["2502.19917"])["2502.19917"]
    assert len(got.authors) == 2 and got.published == utc(2025, 2, 27, 10, 0)
    assert store.authors_complete(["2502.19917"]) == {"2502.19917": True}
    # ...and a legacy row never overwrites a harvested one.
    store.upsert_papers([legacy], date(2025, 3, 3), origin="legacy", authors_complete=False)
    assert len(store.get_papers(["2502.19917"])["2502.19917"].authors) == 2


def test_full_text_index_follows_writes(store):
    store.upsert_papers([paper()], date(2025, 3, 2))
    q = "select count(*) from papers_fts where papers_fts match ?"
    assert store.conn.execute(q, ("mllm",)).fetchone()[0] == 1  # porter: MLLMs -> mllm
    assert store.conn.execute(q, ("sanchez",)).fetchone()[0] == 1  # diacritics folded
    store.upsert_papers([paper(version=2, abstract="Nothing here.")], date(2025, 3, 3))
    assert store.conn.execute(q, ("mllm",)).fetchone()[0] == 0


def test_matches_are_stored_once_per_topic(store):
    store.upsert_papers([paper()], date(2025, 3, 2))
    assert store.add_matches("MLLM", [("2502.19917", "abs:MLLM")], date(2025, 3, 2)) == 1
    assert store.add_matches("MLLM", [("2502.19917", "abs:MLLM")], date(2025, 3, 3)) == 0
    store.add_matches("Data", [("2502.19917", None)], date(2025, 3, 2))
    assert store.matched_ids("MLLM") == ["2502.19917"]
    assert store.topics_of(["2502.19917"]) == {"2502.19917": ["Data", "MLLM"]}


def test_link_summary_rules(store):
    store.upsert_papers([paper(), paper("2502.20225"), paper("2502.19716")], date(2025, 3, 2))
    ids = ["2502.19917", "2502.20225", "2502.19716"]
    assert {s.status for s in store.link_summaries(ids).values()} == {"unknown"}
    store.record_link("2502.19917", "abstract", "found", url="https://github.com/HITsz-TMG/ViSA")
    store.record_link("2502.19917", "huggingface", "unknown", detail="HTTP 500")
    store.record_link("2502.20225", "abstract", "none")
    store.record_link("2502.20225", "huggingface", "none")
    store.record_link("2502.19716", "abstract", "none")
    store.record_link("2502.19716", "huggingface", "unknown")
    s = store.link_summaries(ids)
    assert (s["2502.19917"].status, s["2502.19917"].url, s["2502.19917"].source) == (
        "found", "https://github.com/HITsz-TMG/ViSA", "abstract")
    assert s["2502.20225"].status == "none"
    assert s["2502.19716"].status == "unknown"


def test_failed_transaction_leaves_nothing(store):
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.upsert_papers([paper()], date(2025, 3, 2))
            raise RuntimeError("killed")
    assert store.paper_count() == 0


def test_store_from_a_newer_version_is_refused(tmp_path):
    path = tmp_path / "s.sqlite"
    Store.open(path).close()
    import sqlite3

    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError, match="newer"):
        Store.open(path)


def test_garbage_file_is_a_store_error(tmp_path):
    path = tmp_path / "s.sqlite"
    path.write_bytes(b"not a database at all" * 100)
    with pytest.raises(StoreError):
        Store.open(path)


def test_first_seen_replacement_of_an_older_paper_is_an_update(store):
    old = paper("2501.00042", version=2, published=utc(2025, 1, 3), updated=utc(2025, 3, 1),
                versions=(Version(1, utc(2025, 1, 3)), Version(2, utc(2025, 3, 1))))
    fresh = paper("2502.00001", published=utc(2025, 2, 28), updated=utc(2025, 2, 28))
    r = store.upsert_papers([old, fresh], date(2025, 3, 2), new_since=utc(2025, 2, 27))
    assert r.new == ["2502.00001"] and r.updated == [("2501.00042", 2)]
    kinds = dict(store.conn.execute("select paper_id, kind from events").fetchall())
    assert kinds == {"2501.00042": "updated", "2502.00001": "new"}


def test_an_older_version_never_replaces_newer_content(store):
    v2 = paper(version=2, title="Second title", updated=utc(2025, 3, 10),
               versions=(Version(1, utc(2025, 2, 27, 10, 0)), Version(2, utc(2025, 3, 10))))
    store.upsert_papers([v2], date(2025, 3, 11))
    store.upsert_papers([paper(title="First title")], date(2025, 3, 12))
    got = store.get_papers(["2502.19917"])["2502.19917"]
    assert (got.version, got.title, got.updated) == (2, "Second title", utc(2025, 3, 10))


def test_outputs_are_readable_by_others(tmp_path):
    import os
    import stat

    from arxiv_radar.fsutil import atomic_write_text

    from arxiv_radar import fsutil

    atomic_write_text(tmp_path / "README.md", "x")
    assert stat.S_IMODE((tmp_path / "README.md").stat().st_mode) == 0o666 & ~fsutil._UMASK
    os.chmod(tmp_path / "README.md", 0o640)
    atomic_write_text(tmp_path / "README.md", "y")  # a replaced file keeps its mode
    assert stat.S_IMODE((tmp_path / "README.md").stat().st_mode) == 0o640
