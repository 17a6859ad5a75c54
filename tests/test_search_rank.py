"""search(): ranking on the FTS index alone gives the order the joined BM25 query gave, and the
reading room's filters (until, has code, saved, unread, offset) keep exactly what they say."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone

import pytest

from arxiv_radar.bulk.search import search
from arxiv_radar.model import Author, Paper
from arxiv_radar.query import matches, parse
from arxiv_radar.store import Store
from arxiv_radar.store import reading
from arxiv_radar.store.codec import row_paper

WORDS = "alpha beta gamma delta omega sigma kappa lambda theta zeta".split()


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Store:
    rng = random.Random(5)
    start = datetime(2025, 1, 1, tzinfo=timezone.utc)
    papers = []
    for i in range(400):
        title = " ".join(rng.choices(WORDS, k=rng.randint(2, 6)))
        abstract = " ".join(rng.choices(WORDS + ["filler"] * 20, k=rng.randint(10, 60)))
        papers.append(Paper(id=f"2501.{i:05d}", title=title, abstract=abstract, authors=(Author("A Person"),),
                            categories=("cs.LG",), primary_category="cs.LG", published=start + timedelta(hours=7 * i)))
    s = Store.open(tmp_path_factory.mktemp("rank") / "r.sqlite")
    s.upsert_papers(papers, date(2025, 6, 1))
    with s.transaction():
        for p in papers[::10]:
            s.conn.execute("INSERT INTO links (paper_id, source, status, url) VALUES (?, 'abstract', 'found', 'https://github.com/x/y')", (p.id,))
        reading.add_tag(s.conn, papers[3].id, "saved")
        reading.mark_read(s.conn, papers[4].id)
    yield s
    s.close()


def _naive(store: Store, query: str, limit: int) -> list[str]:
    """The pre-fix ranking: BM25 over the papers joined in, confirmed by the evaluator."""
    node = parse(query)
    rows = store.conn.execute(
        "SELECT p.* FROM papers_fts f JOIN papers p ON p.rowid = f.rowid WHERE papers_fts MATCH ? "
        "ORDER BY bm25(papers_fts, 4.0, 1.0, 2.0, 0.5), p.rowid", (f'{{title abstract authors_text comment}} : "{query.split(":")[-1]}"',)).fetchall()
    out = [r["id"] for r in rows if matches(node, row_paper(r))]
    return out[:limit]


@pytest.mark.parametrize("word", ["alpha", "zeta", "omega"])
def test_ranked_order_is_the_joined_queries_order(store: Store, word: str) -> None:
    got = [p.id for p in search(store, f"all:{word}", limit=150)]
    assert got == _naive(store, f"all:{word}", 150)
    assert len(got) == 150  # past the first ranked page


def test_offset_pages_through_the_same_order(store: Store) -> None:
    whole = [p.id for p in search(store, "alpha", limit=90)]
    pages = [p.id for p in search(store, "alpha", limit=30, offset=0)] + \
        [p.id for p in search(store, "alpha", limit=30, offset=30)] + [p.id for p in search(store, "alpha", limit=30, offset=60)]
    assert pages == whole


def test_filters(store: Store) -> None:
    until = search(store, "beta", limit=500, order="date", until=date(2025, 1, 20))
    assert until and all(p.published < datetime(2025, 1, 21, tzinfo=timezone.utc) for p in until)
    since_until = search(store, "beta", limit=500, since=date(2025, 1, 10), until=date(2025, 1, 20))
    assert {p.id for p in since_until} == {p.id for p in until if p.published >= datetime(2025, 1, 10, tzinfo=timezone.utc)}
    code = search(store, "filler", limit=500, has_code=True)
    assert code and all(int(p.id.split(".")[1]) % 10 == 0 for p in code)
    assert [p.id for p in search(store, "filler OR alpha OR beta OR gamma", limit=500, saved=True)] == ["2501.00003"]
    unread = {p.id for p in search(store, "filler", limit=500, unread=True)}
    everything = {p.id for p in search(store, "filler", limit=500)}
    assert everything - unread == ({"2501.00004"} & everything)


@pytest.mark.parametrize("query", ["all:filler", "alpha OR beta", "ti:gamma", "ti:zeta OR abs:kappa"])
def test_date_walk_for_many_candidates_keeps_the_same_results(store: Store, query: str, monkeypatch) -> None:
    from arxiv_radar.bulk import search as module

    reference = [p.id for p in search(store, query, limit=120, order="date")]
    monkeypatch.setattr(module, "_FEW", 10)  # every plan above counts as "many": the walk runs
    walks = []
    real_walk = module._walk_by_date
    monkeypatch.setattr(module, "_walk_by_date", lambda *a: (walks.append(1), real_walk(*a))[1])
    walked = [p.id for p in search(store, query, limit=120, order="date")]
    assert walks and walked == reference and len(walked) >= 40
    filtered = [p.id for p in search(store, query, limit=50, order="date", has_code=True, until=date(2025, 2, 20))]
    monkeypatch.setattr(module, "_FEW", 5000)
    assert filtered == [p.id for p in search(store, query, limit=50, order="date", has_code=True, until=date(2025, 2, 20))]
