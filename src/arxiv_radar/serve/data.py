"""What the reading room's pages and API show, read from the store as plain JSON-able dicts.

Every function takes an open connection and returns data; app.py renders it as HTML (Jinja,
autoescaped) or returns it as JSON. Nothing here writes.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime, timedelta, timezone
from typing import Iterable

from ..model import Paper
from ..publish.export import author_records, bibliographic_fields, link_sources, version_records
from ..query.text import stem, words
from ..store import papers as _papers
from ..store.codec import iso, row_paper
from ..store.feedback import feedback as _feedback
from ..store.links import link_rows, summarize
from ..store.matches import topics_of
from ..store.reading import notes_of, read_ids, tags_of
from ..store.summaries import has_summaries, latest_summaries
from .words import STOPWORDS

__all__ = [
    "card", "cards", "paper_detail", "topic_names", "topic_papers", "days", "day_papers", "similar",
    "for_you", "tag_papers", "summary_of", "store_topics_counts", "latest_published",
]

PAGE = 25
_MAX_SIMILAR_TERMS = 6
_COMMON = 2000  # a word in more papers than this is too common for "similar"


def topic_names(conn: sqlite3.Connection, configured: Iterable[str] = ()) -> list[str]:
    """The configured topics in their order, then any other topic the store has matches for."""
    known = list(configured)
    seen = set(known)
    for (name,) in conn.execute("SELECT DISTINCT topic FROM matches ORDER BY topic"):
        if name not in seen:
            known.append(name)
            seen.add(name)
    return known


def store_topics_counts(conn: sqlite3.Connection) -> dict[str, int]:
    return {r[0]: r[1] for r in conn.execute("SELECT topic, count(*) FROM matches GROUP BY topic")}


def latest_published(conn: sqlite3.Connection) -> datetime | None:
    row = conn.execute("SELECT max(published) FROM papers").fetchone()
    if not row or not row[0]:
        return None
    return datetime.fromisoformat(row[0].replace("Z", "+00:00"))


def _authors(paper: Paper, limit: int | None) -> list[str]:
    names = [a.name for a in paper.authors]
    return names if limit is None else names[:limit]


def cards(conn: sqlite3.Connection, papers: list[Paper], *, topic: str | None = None,
          scores: dict[str, float] | None = None) -> list[dict]:
    """Listing entries for ``papers`` (in that order) with what the reader said about each."""
    ids = [p.id for p in papers]
    links = link_rows(conn, ids)
    matched = topics_of(conn, ids)
    tagged = tags_of(conn, ids)
    read = read_ids(conn, ids)
    said = _feedback_of(conn, ids, topic)
    out = []
    for p in papers:
        code = summarize(links.get(p.id, []))
        out.append({
            "id": p.id,
            "version": p.version,
            "title": p.title,
            "authors": _authors(p, 8),
            "authors_total": len(p.authors),
            "published": iso(p.published),
            "date": p.published.strftime("%Y-%m-%d"),
            "categories": list(p.categories),
            "code_url": code.url,
            "code_source": code.source,
            "code_status": code.status,
            "topics": matched.get(p.id, []),
            "tags": tagged.get(p.id, []),
            "read": p.id in read,
            "feedback": said.get(p.id, 0),
            "abstract": p.abstract,
            "abs_url": f"https://arxiv.org/abs/{p.id}",
            "pdf_url": f"https://arxiv.org/pdf/{p.id}",
            **({"score": scores[p.id]} if scores and p.id in scores else {}),
        })
    return out


def card(conn: sqlite3.Connection, paper: Paper, topic: str | None = None) -> dict:
    return cards(conn, [paper], topic=topic)[0]


def _feedback_of(conn: sqlite3.Connection, ids: list[str], topic: str | None) -> dict[str, int]:
    """+1/-1 per paper: the topic's own row if any, else the global one (only for ``ids``)."""
    out: dict[str, int] = {}
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        marks = ",".join("?" * len(chunk))
        rows = conn.execute(f"SELECT paper_id, topic, value FROM feedback WHERE paper_id IN ({marks}) "
                            "AND topic IN ('', ?)", [*chunk, topic or ""]).fetchall()
        for r in sorted(rows, key=lambda r: r["topic"] != ""):  # global first, topic overrides
            out[r["paper_id"]] = r["value"]
    return out


def _load(conn: sqlite3.Connection, ids: list[str]) -> list[Paper]:
    found = _papers.get_papers(conn, ids)
    return [found[i] for i in ids if i in found]


def topic_papers(conn: sqlite3.Connection, topic: str, *, page: int = 1, per_page: int = PAGE,
                 size: int | None = None) -> tuple[list[Paper], bool]:
    """A topic's papers, newest first; (papers, whether there are more).

    ``size`` (the topic's match count, when known) picks the cheaper plan: a big topic walks
    the papers' date index and keeps its own papers (a few thousand steps to fill a page); a
    small one sorts its matches. Either way only ids are sorted, then the page's rows read.
    """
    # max(rowid) stands in for the paper count, which would cost a scan of the table.
    total = conn.execute("SELECT max(rowid) FROM papers").fetchone()[0] if size and size > 2000 else 0
    if size and size > 2000 and total and size / total > 0.002:
        sql = ("SELECT p.id FROM papers p WHERE EXISTS (SELECT 1 FROM matches m WHERE m.topic = ? "
               "AND m.paper_id = p.id) ORDER BY p.published DESC LIMIT ? OFFSET ?")
    else:
        sql = ("SELECT p.id FROM matches m JOIN papers p ON p.id = m.paper_id WHERE m.topic = ? "
               "ORDER BY p.published DESC, p.rowid DESC LIMIT ? OFFSET ?")
    ids = [r[0] for r in conn.execute(sql, (topic, per_page + 1, (page - 1) * per_page))]
    return _load(conn, ids[:per_page]), len(ids) > per_page


def days(conn: sqlite3.Connection, limit: int = 14) -> list[dict]:
    """The latest announcement days with how many new papers each brought.

    Days are those of the runs that stored the papers (events); a store filled only by a bulk
    import has none, so its days are the papers' first-publication days.
    """
    rows = conn.execute("SELECT day, count(*) FROM events WHERE kind = 'new' GROUP BY day "
                        "ORDER BY day DESC LIMIT ?", (limit,)).fetchall()
    if rows:
        return [{"day": r[0], "papers": r[1], "kind": "announced"} for r in rows]
    latest = latest_published(conn)
    if latest is None:
        return []
    start = (latest - timedelta(days=limit * 2)).strftime("%Y-%m-%dT00:00:00Z")
    rows = conn.execute("SELECT substr(published, 1, 10) AS d, count(*) FROM papers WHERE published >= ? "
                        "GROUP BY d ORDER BY d DESC LIMIT ?", (start, limit)).fetchall()
    return [{"day": r[0], "papers": r[1], "kind": "published"} for r in rows]


def day_papers(conn: sqlite3.Connection, day: date, *, limit: int = 2000) -> tuple[list[Paper], str]:
    """The papers a day brought (announced that day, else first published that day)."""
    ids = [r[0] for r in conn.execute("SELECT paper_id FROM events WHERE kind = 'new' AND day = ? "
                                      "ORDER BY seq LIMIT ?", (day.isoformat(), limit))]
    if ids:
        papers = _load(conn, ids)
        papers.sort(key=lambda p: (p.published, p.id), reverse=True)
        return papers, "announced"
    start = datetime(day.year, day.month, day.day, tzinfo=timezone.utc)
    rows = conn.execute("SELECT * FROM papers WHERE published >= ? AND published < ? "
                        "ORDER BY published DESC, id DESC LIMIT ?",
                        (iso(start), iso(start + timedelta(days=1)), limit)).fetchall()
    return [row_paper(r) for r in rows], "published"


def summary_of(conn: sqlite3.Connection, paper_id: str) -> dict | None:
    """The paper's newest AI summary (summarize/), as {"fields": {name: text}, "model", ...}, or None.

    The text came from a language model: the templates escape it like any paper text.
    """
    if not has_summaries(conn):
        return None
    found = latest_summaries(conn, [paper_id]).get(paper_id)
    if found is None or not found.fields:
        return None
    return {"fields": dict(found.fields), "model": found.model, "language": found.language,
            "version": found.version, "created": found.created}


def paper_detail(conn: sqlite3.Connection, paper_id: str) -> dict | None:
    """Everything the paper page shows, or None when the store does not have the paper."""
    found = _papers.get_papers(conn, [paper_id])
    paper = found.get(paper_id)
    if paper is None:
        return None
    out = card(conn, paper)
    rows = link_rows(conn, [paper_id]).get(paper_id, [])
    out.update({
        "authors": author_records(paper),
        "primary_category": paper.primary_category,
        "updated": iso(paper.updated),
        **bibliographic_fields(paper),
        "versions": version_records(paper),
        "code": link_sources(rows),
        "note": notes_of(conn, [paper_id]).get(paper_id, ""),
        "summary": summary_of(conn, paper_id),
        "feedback_by_topic": {r[0]: r[1] for r in conn.execute(
            "SELECT topic, value FROM feedback WHERE paper_id = ?", (paper_id,))},
    })
    return out


# --------------------------------------------------------------------------- similar papers


def _distinctive_terms(conn: sqlite3.Connection, texts: list[str], k: int) -> list[str]:
    """The ``k`` stems of ``texts`` that the fewest papers share (but more than one).

    Rare shared words say most about what a paper is on, and an OR of a few of them is a cheap
    FTS query even on a million papers. A word's paper count is read from its posting list and
    capped at ``_COMMON`` (fts5vocab would walk the whole list of a word in half the papers):
    a word past the cap is too common to tell papers apart and is not used.
    """
    counts: dict[str, int] = {}
    for text in texts:
        for w in words(text):
            if len(w) < 4 or w.isdigit() or w in STOPWORDS:
                continue
            s = stem(w)
            counts[s] = counts.get(s, 0) + 1
    docs = {}
    # The words the texts repeat most come first; stop once enough usable ones are found.
    for s in sorted(counts, key=lambda s: (-counts[s], s))[:30]:
        docs[s] = conn.execute(
            "SELECT count(*) FROM (SELECT 1 FROM papers_fts WHERE papers_fts MATCH ? LIMIT ?)",
            ('{title abstract} : "' + s.replace('"', '""') + '"', _COMMON)).fetchone()[0]
        if sum(1 < d < _COMMON for d in docs.values()) >= k:
            break
    usable = [s for s in docs if 1 < docs[s] < _COMMON]
    usable.sort(key=lambda s: (docs[s] / (1 + counts[s]), s))
    return usable[:k]


def similar_to(conn: sqlite3.Connection, papers: list[Paper], *, limit: int = 8, exclude: set[str] = frozenset()) -> list[Paper]:
    """Papers sharing the most distinctive words of ``papers`` (title and abstract), best first."""
    texts = [t for p in papers for t in (p.title, p.title, p.abstract)]  # the title counts twice
    terms = _distinctive_terms(conn, texts, _MAX_SIMILAR_TERMS + max(0, len(papers) - 1))
    if not terms:
        return []
    expr = " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)
    skip = set(exclude) | {p.id for p in papers}
    rows = conn.execute(
        "SELECT p.* FROM (SELECT rowid AS r, bm25(papers_fts, 4.0, 1.0, 0.5, 0.2) AS s FROM papers_fts "
        "WHERE papers_fts MATCH ? ORDER BY s LIMIT ?) AS top JOIN papers p ON p.rowid = top.r ORDER BY top.s",
        ("{title abstract} : (" + expr + ")", limit + len(skip))).fetchall()
    out = [row_paper(r) for r in rows if r["id"] not in skip]
    return out[:limit]


def similar(conn: sqlite3.Connection, paper_id: str, limit: int = 8) -> list[Paper]:
    found = _papers.get_papers(conn, [paper_id])
    return similar_to(conn, list(found.values()), limit=limit) if found else []


# --------------------------------------------------------------------------- for you


def scored_topics(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute("SELECT DISTINCT topic FROM scores ORDER BY topic")]


def for_you(conn: sqlite3.Connection, topic: str | None, *, page: int = 1, per_page: int = PAGE,
            hide_read: bool = False) -> dict:
    """The "For you" list: the ranking stage's scores for ``topic``, best first.

    Disliked papers are left out at once (the reader said so, whatever the scores say). Before
    the ranking stage has scored anything, papers like the ones the reader liked stand in, so
    a like changes the list right away; with neither, an empty list says what to do.
    """
    disliked = {pid for pid, v in _feedback(conn, topic).items() if v < 0}
    liked = [pid for pid, v in _feedback(conn, topic).items() if v > 0]
    topic_key = topic if topic is not None else ""
    has_scores = conn.execute("SELECT 1 FROM scores WHERE topic = ? LIMIT 1", (topic_key,)).fetchone() is not None
    extra = ""
    if hide_read:
        extra = " AND s.paper_id NOT IN (SELECT paper_id FROM reads)"
    if has_scores:
        # Through the scores_rank index, a page at a time, skipping what the reader disliked.
        rows = conn.execute(
            "SELECT s.paper_id, s.score, s.why, s.method FROM scores s WHERE s.topic = ? "
            "AND s.paper_id NOT IN (SELECT paper_id FROM feedback WHERE value < 0 AND topic IN ('', ?))"
            f"{extra} ORDER BY s.score DESC, s.paper_id LIMIT ? OFFSET ?",
            (topic_key, topic_key, per_page + 1, (page - 1) * per_page)).fetchall()
        ids = [r["paper_id"] for r in rows[:per_page]]
        found = _load(conn, ids)
        scores = {r["paper_id"]: r["score"] for r in rows}
        why = {r["paper_id"]: _why(r["why"]) for r in rows}
        items = cards(conn, found, topic=topic, scores=scores)
        for item in items:
            item["why"] = why.get(item["id"], "")
        return {"state": "scores", "method": rows[0]["method"] if rows else None, "papers": items,
                "more": len(rows) > per_page, "liked": len(liked), "disliked": len(disliked)}
    if liked:
        seeds = _load(conn, liked[-20:])
        read = set()
        if hide_read:
            read = {r[0] for r in conn.execute("SELECT paper_id FROM reads")}
        found = similar_to(conn, seeds, limit=per_page, exclude=disliked | set(liked) | read) if seeds else []
        return {"state": "liked", "method": "similar to liked papers", "papers": cards(conn, found, topic=topic),
                "more": False, "liked": len(liked), "disliked": len(disliked)}
    return {"state": "empty", "method": None, "papers": [], "more": False, "liked": 0, "disliked": len(disliked)}


def _why(text: str | None) -> str:
    """One line out of a score's "why" JSON, as `arxiv-radar rank` words it (rank/listing.py:
    not imported, it would load the ranking methods): "liked; close to: <title>; terms: a, b"."""
    try:
        why = json.loads(text or "{}")
    except ValueError:
        return ""
    if not isinstance(why, dict):
        return ""
    parts = []
    if why.get("feedback"):
        parts.append(str(why["feedback"]))
    library = why.get("library")
    if isinstance(library, list):
        titles = [str(x.get("title", x.get("id", ""))) for x in library if isinstance(x, dict)]
        if titles:
            parts.append("close to: " + " | ".join(t[:80] for t in titles[:3]))
    terms = why.get("terms")
    if isinstance(terms, list) and terms:
        parts.append("terms: " + ", ".join(str(t) for t in terms[:8]))
    return "; ".join(parts)[:300]


def tag_papers(conn: sqlite3.Connection, name: str) -> list[Paper]:
    from ..store.reading import tagged_ids

    return _load(conn, tagged_ids(conn, name))
