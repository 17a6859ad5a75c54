"""Exports of the store: structured JSON / JSONL (schema in docs/export-schema.md) and BibTeX.

Everything is read from the store and streamed in batches, so a large store is never held in
memory; the output depends only on the store's content (no wall-clock time), so exporting the
same store twice gives the same bytes.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import textwrap
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Iterable, Iterator, TextIO

from ..errors import ArxivRadarError
from ..model import Paper
from ..fsutil import atomic_writer
from ..store import Store
from ..store.codec import iso
from ..store.links import SOURCE_ORDER, link_rows, summarize
from ..store.summaries import StoredSummary, SummaryKey, has_summaries, latest_summaries

__all__ = [
    "SCHEMA_VERSION",
    "FORMATS",
    "UnknownTopicError",
    "ExportResult",
    "store_topics",
    "select_topics",
    "latest_run_day",
    "iter_records",
    "records_for_ids",
    "write_export",
    "export_to_file",
    "bibtex_entry",
    "write_json",
    "write_bibtex",
    "latex_escape",
]

SCHEMA_VERSION = 1
FORMATS = ("json", "jsonl", "bibtex")
_BATCH = 500


class UnknownTopicError(ArxivRadarError):
    """``--topic`` names a topic that is neither configured nor in the store: a usage error."""

    exit_code = 2


@dataclass(frozen=True)
class ExportResult:
    papers: int
    changed: bool = True  # False when -o named a file that already held exactly this export


# --- which topics --------------------------------------------------------------------------


def store_topics(store: Store) -> list[str]:
    """Every topic with at least one match in the store, by name."""
    return [r[0] for r in store.conn.execute("SELECT DISTINCT topic FROM matches ORDER BY topic")]


def select_topics(known: list[str], only: str | None) -> list[str]:
    """The topics to export: all known ones, or just ``only`` (which must be known)."""
    if only is None:
        return list(known)
    if only not in known:
        listed = ", ".join(known) if known else "(none)"
        raise UnknownTopicError(f"unknown topic {only!r}; known topics: {listed}")
    return [only]


def latest_run_day(store: Store) -> date | None:
    """The day of the latest `run` or `backfill` that finished (ok or partial): what the store
    stands for (docs/export-schema.md). `links`, `render` and imports bring no new papers, so
    they leave it alone."""
    row = store.conn.execute(
        "SELECT max(day) FROM runs WHERE status IN ('ok', 'partial') AND command IN ('run', 'backfill')"
    ).fetchone()
    return date.fromisoformat(row[0]) if row and row[0] else None


# --- records -------------------------------------------------------------------------------


def iter_records(store: Store, topics: list[str], *, known_topics: list[str] | None = None,
                 batch: int = _BATCH, summary_key: SummaryKey | None = None) -> Iterator[dict]:
    """The export object of every paper matched by one of ``topics``, newest first (then by id).

    A paper's ``topics`` lists every topic of ``known_topics`` (default: ``topics``) it matches,
    in that order, so a one-topic export still tells where else a paper is listed.
    """
    if not topics:
        return
    order = {name: i for i, name in enumerate(known_topics if known_topics is not None else topics)}
    # A store without summaries exports exactly as before (no `summary` key anywhere).
    with_summaries = has_summaries(store.conn)
    marks = ",".join("?" * len(topics))
    base = f"SELECT id, published, origin, authors_complete FROM papers WHERE id IN (SELECT paper_id FROM matches WHERE topic IN ({marks}))"
    # Keyset pagination on (published DESC, id ASC): each batch starts after the last one's end.
    cursor: tuple[str, str] | None = None
    while True:
        if cursor is None:
            rows = store.conn.execute(f"{base} ORDER BY published DESC, id LIMIT ?", (*topics, batch)).fetchall()
        else:
            rows = store.conn.execute(
                f"{base} AND (published < ? OR (published = ? AND id > ?)) ORDER BY published DESC, id LIMIT ?",
                (*topics, cursor[0], cursor[0], cursor[1], batch),
            ).fetchall()
        if not rows:
            return
        ids = [r["id"] for r in rows]
        papers = store.get_papers(ids)
        matched = store.topics_of(ids)
        links = link_rows(store.conn, ids)
        summaries = latest_summaries(store.conn, ids, summary_key) if with_summaries else {}
        for r in rows:
            pid = r["id"]
            yield _record(
                papers[pid],
                origin=r["origin"],
                authors_complete=bool(r["authors_complete"]),
                topics=sorted((t for t in matched.get(pid, []) if t in order), key=order.__getitem__),
                link_rows=links.get(pid, []),
                summary=summaries.get(pid),
                with_summaries=with_summaries,
            )
        cursor = (rows[-1]["published"], rows[-1]["id"])


def _summary(s: StoredSummary | None) -> dict | None:
    if s is None:
        return None
    return {"version": s.version, "model": s.model, "language": s.language, "prompt_hash": s.prompt_hash,
            "created": s.created, "fields": dict(sorted(s.fields.items())),
            "usage": {"prompt_tokens": s.prompt_tokens, "completion_tokens": s.completion_tokens}}


def records_for_ids(store: Store, ids: list[str], *, batch: int = _BATCH) -> Iterator[dict]:
    """The export object of each stored paper of ``ids``, in that order (unknown ids are skipped).

    For lists the reader made (a reading-room tag); ``topics`` lists every topic a paper matches.
    """
    with_summaries = has_summaries(store.conn)
    for i in range(0, len(ids), batch):
        chunk = ids[i : i + batch]
        papers = store.get_papers(chunk)
        marks = ",".join("?" * len(chunk))
        meta = {r["id"]: r for r in store.conn.execute(
            f"SELECT id, origin, authors_complete FROM papers WHERE id IN ({marks})", chunk)}
        matched = store.topics_of(chunk)
        links = link_rows(store.conn, chunk)
        summaries = latest_summaries(store.conn, chunk, None) if with_summaries else {}
        for pid in chunk:
            if pid not in papers:
                continue
            yield _record(papers[pid], origin=meta[pid]["origin"], authors_complete=bool(meta[pid]["authors_complete"]),
                          topics=sorted(matched.get(pid, [])), link_rows=links.get(pid, []),
                          summary=summaries.get(pid), with_summaries=with_summaries)


def _record(paper: Paper, *, origin: str, authors_complete: bool, topics: list[str],
            link_rows: list[sqlite3.Row], summary: StoredSummary | None = None,
            with_summaries: bool = False) -> dict:
    record = _record_fields(paper, origin=origin, authors_complete=authors_complete, topics=topics,
                            link_rows=link_rows)
    if with_summaries:
        record["summary"] = _summary(summary)
    return record


def author_records(paper: Paper) -> list[dict]:
    return [{"name": a.name, "affiliations": list(a.affiliations)} for a in paper.authors]


def bibliographic_fields(paper: Paper) -> dict:
    """The arXiv record's free fields, as the export schema names them."""
    return {"comment": paper.comment, "journal_ref": paper.journal_ref, "doi": paper.doi,
            "report_no": paper.report_no, "license": paper.license}


def version_records(paper: Paper) -> list[dict]:
    return [{"version": v.number, "submitted": iso(v.submitted), "size": v.size} for v in paper.versions]


def link_sources(link_rows: list[sqlite3.Row]) -> list[dict]:
    """What each code-link source said, in the order the sources are asked."""
    rank = {s: i for i, s in enumerate(SOURCE_ORDER)}
    return [
        {"source": r["source"], "status": r["status"], "kind": r["kind"], "url": r["url"],
         "stars": r["stars"], "project_url": r["project_url"], "checked_at": r["checked_at"]}
        for r in sorted(link_rows, key=lambda r: (rank.get(r["source"], len(rank)), r["source"]))
    ]


def _record_fields(paper: Paper, *, origin: str, authors_complete: bool, topics: list[str],
                   link_rows: list[sqlite3.Row]) -> dict:
    summary = summarize(link_rows)
    return {
        "id": paper.id,
        "version": paper.version,
        "title": paper.title,
        "abstract": paper.abstract,
        "authors": author_records(paper),
        "authors_complete": authors_complete,
        "categories": list(paper.categories),
        "primary_category": paper.primary_category,
        "published": iso(paper.published),
        "updated": iso(paper.updated),
        **bibliographic_fields(paper),
        "origin": origin,
        "versions": version_records(paper),
        "topics": topics,
        "code": {
            "status": summary.status,
            "url": summary.url,
            "source": summary.source,
            "stars": summary.stars,
            "project_url": summary.project_url,
            "sources": link_sources(link_rows),
        },
        "links": {"abs": f"https://arxiv.org/abs/{paper.id}", "pdf": f"https://arxiv.org/pdf/{paper.id}"},
    }


# --- JSON / JSONL --------------------------------------------------------------------------


def _dumps(obj, **kw) -> str:
    # UTF-8 as is, except the characters str.splitlines() and JavaScript treat as line breaks,
    # so a JSONL line stays one line for every reader (they only occur inside strings).
    text = json.dumps(obj, ensure_ascii=False, **kw)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").replace("\x85", "\\u0085")


def write_json(out: TextIO, records: Iterable[dict], topics: list[str], generated_for: date | None) -> int:
    """The JSON export document (schema in docs/export-schema.md) of ``records``."""
    return _write_json(out, records, topics, generated_for)


def write_bibtex(out: TextIO, records: Iterable[dict]) -> int:
    return _write_bibtex(out, records)


def _write_json(out: TextIO, records: Iterable[dict], topics: list[str], generated_for: date | None) -> int:
    out.write("{\n")
    out.write(f'  "schema_version": {SCHEMA_VERSION},\n')
    out.write(f'  "generated_for": {_dumps(generated_for.isoformat() if generated_for else None)},\n')
    out.write(f'  "topics": {_dumps(topics)},\n')
    out.write('  "papers": [')
    n = 0
    for record in records:
        out.write(",\n" if n else "\n")
        out.write(textwrap.indent(_dumps(record, indent=2), "    "))
        n += 1
    out.write("\n  ]\n}\n" if n else "]\n}\n")
    return n


def _write_jsonl(out: TextIO, records: Iterable[dict]) -> int:
    n = 0
    for record in records:
        out.write(_dumps(record, separators=(",", ":")))
        out.write("\n")
        n += 1
    return n


# --- BibTeX --------------------------------------------------------------------------------

_SPECIALS = {
    # Braces become commands, never \{ \}: BibTeX counts every brace, escaped or not, so a lone
    # "{" in a title would otherwise swallow the rest of the file.
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_SPECIAL_RE = re.compile("|".join(re.escape(c) for c in _SPECIALS))
# Inline math: $...$ with no unescaped $ inside. Kept verbatim when its braces balance.
_MATH_RE = re.compile(r"\$(?!\$)(?:[^$\\]|\\.)+?\$")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# TeX accents as arXiv titles and names spell them (Schr\"odinger, {\'e}, \c{c}): turned into
# the UTF-8 letter, since escaping their backslash would print it literally.
_ACCENTS = {"'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303", "=": "\u0304",
            ".": "\u0307", "u": "\u0306", "v": "\u030c", "H": "\u030b", "c": "\u0327", "k": "\u0328"}
_ACCENT_RE = re.compile(
    r"(?P<open>\{)?\\(?:(?P<sym>['`^\"~=.])|(?P<word>[uvHck])(?=[\s{]))\s*"
    r"(?:\{(?P<braced>[A-Za-z])\}|(?P<bare>[A-Za-z]))(?P<close>\})?"
)


def _clean(text: str) -> str:
    """Control characters and line breaks to spaces, runs of whitespace to one space."""
    return " ".join(_CONTROL_RE.sub(" ", text).split())


def _accents_to_unicode(text: str) -> str:
    def repl(m: re.Match) -> str:
        letter = m.group("braced") or m.group("bare")
        accented = unicodedata.normalize("NFC", letter + _ACCENTS[m.group("sym") or m.group("word")])
        opened, closed = m.group("open") or "", m.group("close") or ""
        # {\"o} loses its group braces; a lone brace belongs to something else and stays.
        return accented if opened and closed else opened + accented + closed

    return _ACCENT_RE.sub(repl, text)


def _balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def _escape_plain(text: str) -> str:
    return _SPECIAL_RE.sub(lambda m: _SPECIALS[m.group(0)], _accents_to_unicode(text))


def latex_escape(text: str) -> str:
    """Text for a BibTeX field: LaTeX specials escaped, $...$ math kept, braces always balanced."""
    text = _clean(text)
    out: list[str] = []
    pos = 0
    for m in _MATH_RE.finditer(text):
        math = m.group(0)
        # Math is kept only when it cannot break the entry (balanced braces) or the LaTeX run
        # (an unescaped % would comment out the rest of the line).
        if not _balanced(math) or re.search(r"(?<!\\)%", math):
            continue
        out.append(_escape_plain(text[pos : m.start()]))
        out.append(math)
        pos = m.end()
    out.append(_escape_plain(text[pos:]))
    return "".join(out)


def _verbatim(text: str) -> str:
    """A URL-like field (doi, url): no braces, backslashes or whitespace, which it never needs."""
    return re.sub(r"[{}\\\s]", "", _clean(text))


def _bib_name(name: str) -> str:
    escaped = latex_escape(name)
    # A name holding " and " or a comma would be split or reordered by BibTeX: keep it whole.
    if re.search(r"\band\b", escaped, re.IGNORECASE) or "," in escaped:
        return "{" + escaped + "}"
    return escaped


def _bib_key(paper_id: str) -> str:
    # arXiv ids are [A-Za-z0-9.-/]; old-style ones keep their "/" (bibtexparser and BibTeX accept it).
    return "arXiv:" + re.sub(r"[^A-Za-z0-9.:/_-]", "_", paper_id)


def bibtex_entry(record: dict) -> str:
    """One ``@misc`` entry for an export record (see :func:`iter_records`)."""
    fields: list[tuple[str, str]] = [("title", "{" + latex_escape(record["title"]) + "}")]
    names = [_bib_name(a["name"]) for a in record["authors"] if _clean(a["name"])]
    if names:
        if not record.get("authors_complete", True):
            names.append("others")  # a cv-arxiv-daily row knew only the first author
        fields.append(("author", " and ".join(names)))
    if record["published"]:
        fields.append(("year", record["published"][:4]))
    fields.append(("eprint", _verbatim(record["id"])))
    fields.append(("archivePrefix", "arXiv"))
    primary = re.sub(r"[^A-Za-z0-9.-]", "", record["primary_category"] or "")
    if primary:
        fields.append(("primaryClass", primary))
    fields.append(("url", _verbatim(record["links"]["abs"])))
    if record.get("doi") and _verbatim(record["doi"]):
        fields.append(("doi", _verbatim(record["doi"])))
    if record.get("journal_ref") and _clean(record["journal_ref"]):
        fields.append(("note", latex_escape(record["journal_ref"])))
    body = "".join(f"  {k} = {{{v}}},\n" for k, v in fields)
    return f"@misc{{{_bib_key(record['id'])},\n{body}}}\n"


def _write_bibtex(out: TextIO, records: Iterable[dict]) -> int:
    n = 0
    for record in records:
        if n:
            out.write("\n")
        out.write(bibtex_entry(record))
        n += 1
    return n


# --- entry points --------------------------------------------------------------------------


def write_export(store: Store, out: TextIO, fmt: str, topics: list[str], *,
                 known_topics: list[str] | None = None, generated_for: date | None = None,
                 summary_key: SummaryKey | None = None) -> int:
    """Write the export of ``topics`` in ``fmt`` to ``out``; returns how many papers it holds.

    ``generated_for`` is the day the export stands for (JSON only; default none).
    """
    records = iter_records(store, topics, known_topics=known_topics, summary_key=summary_key)
    if fmt == "json":
        return _write_json(out, records, topics, generated_for)
    if fmt == "jsonl":
        return _write_jsonl(out, records)
    if fmt == "bibtex":
        return _write_bibtex(out, records)
    raise ValueError(f"unknown export format {fmt!r} (one of {', '.join(FORMATS)})")


def export_to_file(store: Store, path: str | os.PathLike, fmt: str, topics: list[str], *,
                   known_topics: list[str] | None = None, generated_for: date | None = None,
                   summary_key: SummaryKey | None = None) -> ExportResult:
    """Stream the export into ``path`` atomically; an identical file is left untouched."""
    with atomic_writer(path) as out:
        n = write_export(store, out, fmt, topics, known_topics=known_topics, generated_for=generated_for,
                         summary_key=summary_key)
    return ExportResult(n, changed=out.changed)
