"""The static site: an index, pages per topic and month, and a search index, all relative links.

Layout of ``site_dir`` (everything below is ours; other files there are left alone)::

    index.html                      topics, newest papers, the search form
    topics/<slug>/index.html        a topic's newest papers and its months
    topics/<slug>/<YYYY-MM>.html    a topic's papers of one month; -2.html, ... when a month is long
    assets/site.css, assets/site.js
    search/manifest.json            the parts the search reads (site_search.py has the format)
    search/<part>/...               one part's search files
    search/state.json               what each part was built from, and its files' digests

Parts: papers are split by date into parts whose size does not grow with the site: one per
year, except the newest year (and any year over ``YEAR_MAX`` papers), which is split by month.
A part's month pages and search files depend on that part's papers only (and on the topics,
templates and format), so a run rebuilds only the parts whose papers changed (new, updated,
new code link, anything the view entry carries) and leaves every other file byte for byte.
``search/state.json`` records each part's input digest and the sha256 of each file it wrote;
a part whose files are missing or damaged on disk is rebuilt, and ``full=True`` rebuilds all.

Without JavaScript (or from ``file://``, where module imports are refused) the listings still
work: topic pages list the newest papers and link every month.

Output is deterministic for the same views and options: no wall clock, stable sort orders; two
builds from the same views give byte-identical folders.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from urllib.parse import quote

import jinja2
from markupsafe import escape

from .. import __version__
from ..fsutil import atomic_write_bytes, atomic_write_text
from .digest import clean_text, safe_url
from .feeds import feed_paths, feed_slugs
from .latex import latex_to_text
from .site_search import CHUNK, FORMAT, Doc, index_part, shard_count
from .view import Entry, RenderOptions, TopicView

log = logging.getLogger(__name__)

__all__ = ["PAGE_SIZE", "SiteResult", "build_site"]

# Papers per month page. A real arXiv paper takes at most about 4 KB of HTML (1,920-character
# abstract, MAX_AUTHORS authors); a hostile or broken record can take ten times that, so pages
# are also cut by their estimated size: no page passes 1 MB, the index page stays small.
PAGE_SIZE = 200
PAGE_BUDGET = 700_000  # bytes of paper HTML on a month, For you or topic page
INDEX_BUDGET = 150_000  # the same on the index page (under 300 KB with everything it loads)
MAX_AUTHORS = 50
# Newest papers (all topics) shown on the index page, and on a topic's first page.
INDEX_NEWEST = 30
TOPIC_NEWEST = 50
# A year with more papers than this is split by month like the newest year.
YEAR_MAX = 50_000
_STATIC = ("site.css", "site.js")
_TEMPLATES = ("_paper.html.j2", "base.html.j2", "month.html.j2")
# The modules that shape a part's pages and search files (cleaning, LaTeX, escaping, layout).
_CODE = ("site.py", "site_search.py", "digest.py", "latex.py", "escape.py", "view.py")
_STATE = "search/state.json"
_MANIFEST = "search/manifest.json"


@dataclass
class SiteResult:
    """What :func:`build_site` did. Paths are absolute; ``index`` is the page to open."""

    index: Path
    written: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)
    pages: int = 0  # HTML pages of the site (index + topic and month pages)
    papers: int = 0  # distinct papers (a paper in two topics counts once)
    searchable: bool = False  # a search index was built
    parts_built: list[str] = field(default_factory=list)  # parts rebuilt this time
    parts_kept: list[str] = field(default_factory=list)  # parts whose files were up to date
    timings: dict[str, float] = field(default_factory=dict)  # seconds: collect, parts (index: of which
    # the search index), pages (index and topic pages), sweep

    def note(self, path: Path, changed: bool) -> None:
        (self.written if changed else self.unchanged).append(path)


# --------------------------------------------------------------------------- view rows


@dataclass(frozen=True)
class _Row:
    """One paper as every template shows it: plain text, already cleaned; escaping is Jinja's."""

    id: str
    anchor: str
    title: str
    authors: str
    abstract: str
    date: str
    abs_url: str
    pdf_url: str
    code_url: str | None
    categories: str
    topics: tuple[tuple[str, str], ...]  # (slug, name), in config order
    tldr: str = ""  # the AI summary's TL;DR, when there is one
    notes: tuple[tuple[str, str], ...] = ()  # its other fields: (label, text), shown folded


def _authors(entry: Entry) -> str:
    names = [clean_text(a.name) for a in entry.paper.authors if clean_text(a.name)]
    # Collaboration papers list thousands of authors: a page of them would pass 1 MB.
    if len(names) > MAX_AUTHORS:
        return ", ".join(names[:MAX_AUTHORS]) + " et al."
    text = ", ".join(names)
    if names and not entry.authors_complete:
        text += " et al."
    return text


def _row(entry: Entry, topics: tuple[tuple[str, str], ...]) -> _Row:
    p = entry.paper
    pid = p.id
    quoted = quote(pid, safe="/.")
    return _Row(
        id=pid,
        anchor="p-" + "".join(c if c.isalnum() or c in ".-" else "-" for c in pid),
        # LaTeX text macros read as text (\textbf{Vi}sual -> Visual); math stays as written.
        title=latex_to_text(clean_text(p.title)) or pid,
        authors=_authors(entry),
        abstract=latex_to_text(clean_text(p.abstract)),
        date=p.published.date().isoformat(),
        abs_url=f"https://arxiv.org/abs/{quoted}",
        pdf_url=f"https://arxiv.org/pdf/{quoted}",
        code_url=safe_url(entry.code_url),
        categories=" ".join(clean_text(c) for c in p.categories),
        topics=topics,
        tldr=clean_text(entry.summary.tldr) if entry.summary else "",
        notes=tuple((label, clean_text(text)) for label, text in entry.summary.notes) if entry.summary else (),
    )


def _weight(row: _Row) -> int:
    """The HTML bytes a paper takes in a listing, estimated from above: its escaped texts
    (escaping can make "<" four bytes) plus the fixed markup, links and code URL."""
    texts = [row.title, row.authors, row.abstract, row.tldr, row.categories, *(t for pair in row.notes for t in pair)]
    return 900 + len(row.code_url or "") + sum(len(escape(t).encode("utf-8")) for t in texts)


def _paginate(rows: list[_Row], page_size: int, budget: int) -> list[list[_Row]]:
    """Pages of at most ``page_size`` papers and about ``budget`` bytes (at least one paper)."""
    pages: list[list[_Row]] = []
    size = 0
    for row in rows:
        weight = _weight(row)
        if not pages or len(pages[-1]) >= page_size or (size + weight > budget and pages[-1]):
            pages.append([])
            size = 0
        pages[-1].append(row)
        size += weight
    return pages or [[]]


def _shown(paper: "_Paper") -> str:
    """What a part's pages and search files show of a paper, as text for its digest: the
    entry without the reader's score (scores move every run; only the For you pages, which
    are rebuilt every run, show them)."""
    e = paper.entry
    return repr((e.paper, e.code_url, e.code_status, e.authors_complete, e.summary, paper.topics))


@dataclass
class _Paper:
    """A paper before rendering: its entry (the one with a code link, if any topic has one),
    its topics, and its date. Text is cleaned only when the paper's part is built, so a run
    that rebuilds one part holds one part's cleaned text in memory."""

    entry: Entry
    topics: list[tuple[str, str]]
    date: str


def _collect(views: Sequence[TopicView], slugs: dict[str, str]) -> dict[str, _Paper]:
    """Paper id -> paper, one per paper, carrying every topic it appears in."""
    papers: dict[str, _Paper] = {}
    for view in views:
        pair = (slugs[view.name], view.name)
        for entry in view.entries:
            pid = entry.paper.id
            known = papers.get(pid)
            if known is None:
                papers[pid] = _Paper(entry, [pair], entry.paper.published.date().isoformat())
                continue
            # A code link found under any topic counts for the paper.
            if known.entry.code_url is None and entry.code_url:
                known.entry = entry
            if pair not in known.topics:
                known.topics.append(pair)
    return papers


def _newest_first(rows: list[_Row]) -> list[_Row]:
    return sorted(rows, key=lambda r: (r.date, r.id), reverse=True)


def _parts(papers: dict[str, _Paper]) -> dict[str, list[str]]:
    """Part name -> paper ids in part order (date, then id). A part is a year ("2023"), or a
    month ("2024-03") in the newest year and in years too big for one part."""
    years = Counter(p.date[:4] for p in papers.values())
    newest = max(years, default="")
    by_part: dict[str, list[str]] = {}
    for pid, paper in papers.items():
        year = paper.date[:4]
        name = year if year < newest and years[year] <= YEAR_MAX else paper.date[:7]
        by_part.setdefault(name, []).append(pid)
    for ids in by_part.values():
        ids.sort(key=lambda pid: (papers[pid].date, pid))
    return dict(sorted(by_part.items()))


# --------------------------------------------------------------------------- templates


def _environment() -> jinja2.Environment:
    # Templates ship in the package; loaded from the package so a zip install works too.
    return jinja2.Environment(
        loader=jinja2.PackageLoader("arxiv_radar.render", "templates/site"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _static(name: str) -> bytes:
    return resources.files("arxiv_radar.render").joinpath("static", name).read_bytes()


def _template_digest() -> str:
    """The templates and code a part's files come from: a new version of either (even under
    the same version number) rebuilds every part once."""
    h = hashlib.sha256(f"{__version__} {FORMAT}\n".encode())
    package = resources.files("arxiv_radar.render")
    for name in _TEMPLATES:
        h.update(package.joinpath("templates", "site", name).read_bytes())
    for name in _CODE:
        h.update(package.joinpath(name).read_bytes())
    return h.hexdigest()


def _month_page(slug: str, month: str, page: int) -> str:
    return f"topics/{slug}/{month}.html" if page == 1 else f"topics/{slug}/{month}-{page}.html"


def _month_name(month: str) -> str:
    import calendar

    year, mon = month.split("-")
    return f"{calendar.month_name[int(mon)]} {year}"


# --------------------------------------------------------------------------- writing


class _Writer:
    """Writes files under the site folder, leaving identical ones untouched (same mtime, no
    git churn), and records what it did. Part files are written with a rename but without an
    fsync each (thousands of fsyncs cost minutes on a busy disk): the state file, written
    last and durably, lists their digests, and the next run rebuilds a part whose file on
    disk does not match."""

    def __init__(self, site_dir: Path, result: SiteResult) -> None:
        self.site_dir = site_dir
        self.result = result
        self.ours: set[Path] = set()
        self.made: set[Path] = set()

    def put(self, rel: str, data: bytes) -> str:
        """Write ``data`` at ``rel``; return its sha256 (hex)."""
        path = self.site_dir / rel
        self.ours.add(path)
        try:
            same = path.read_bytes() == data
        except OSError:
            same = False
        if same:
            self.result.unchanged.append(path)
        else:
            if path.parent not in self.made:
                path.parent.mkdir(parents=True, exist_ok=True)
                self.made.add(path.parent)
            tmp = path.with_name(f".{path.name}.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, path)
            self.result.written.append(path)
        return hashlib.sha256(data).hexdigest()

    def durable(self, rel: str, data: bytes) -> None:
        path = self.site_dir / rel
        self.ours.add(path)
        self.result.note(path, atomic_write_bytes(path, data))


def _load_state(site_dir: Path) -> dict:
    try:
        state = json.loads((site_dir / _STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) and state.get("format") == FORMAT else {}


def _intact(site_dir: Path, files: dict) -> bool:
    """Every file a part wrote is on disk with the bytes it had."""
    if not isinstance(files, dict) or not files:
        return False
    for rel, digest in files.items():
        try:
            if hashlib.sha256((site_dir / rel).read_bytes()).hexdigest() != digest:
                return False
        except OSError:
            return False
    return True


# --------------------------------------------------------------------------- For you pages


def _why_line(why: dict | None) -> str:
    """The "why" of a score as one plain line (escaping is Jinja's)."""
    if not why:
        return ""
    parts = []
    if why.get("feedback"):
        parts.append(clean_text(str(why["feedback"])).capitalize())
    library = [clean_text(str(x.get("title", ""))) for x in why.get("library", []) if isinstance(x, dict)]
    library = [t for t in library if t]
    if library:
        parts.append("Close to your " + "; ".join(f"“{t}”" for t in library))
    terms = [clean_text(str(t)) for t in why.get("terms", [])]
    if terms:
        parts.append("Terms: " + ", ".join(t for t in terms if t))
    return ". ".join(parts)


def _for_you(view: TopicView, row, page_size: int) -> list[dict]:
    """A topic's scored papers, best first (ties newest first), with score and why."""
    best: dict[str, Entry] = {}
    for entry in view.entries:
        if entry.score is not None:
            best.setdefault(entry.paper.id, entry)
    ordered = sorted(best.values(), key=lambda e: (-e.score, -e.paper.published.timestamp(), e.paper.id))
    shown = _paginate([row(e.paper.id) for e in ordered[:page_size]], page_size, PAGE_BUDGET)[0]
    return [{"p": r, "score": f"{e.score:.2f}", "why": _why_line(e.why)} for r, e in zip(shown, ordered)]


# --------------------------------------------------------------------------- the build


def build_site(
    views: Sequence[TopicView],
    opts: RenderOptions,
    site_dir: Path,
    *,
    feeds_rel: str | None = None,
    page_size: int = PAGE_SIZE,
    search: bool = True,
    full: bool = False,
) -> SiteResult:
    """Write the site for ``views`` into ``site_dir``; return what was written.

    ``feeds_rel``: the feeds folder as a relative URL from ``site_dir`` (e.g. ``"../feeds"``);
    topic pages then link their Atom feed. ``search=False`` skips the search index (the
    listings still work; the search form stays hidden). ``full=True`` rebuilds every part,
    even those whose recorded state says they are up to date.
    """
    if page_size < 1:
        raise ValueError("page_size must be at least 1")
    site_dir = Path(site_dir)
    started = time.perf_counter()
    names = [v.name for v in views]
    slugs = feed_slugs(names)
    feeds = feed_paths(names) if feeds_rel is not None else {}
    feeds_prefix = (feeds_rel or "").rstrip("/")
    papers = _collect(views, slugs)
    for paper in papers.values():
        paper.topics = [pair for pair in ((slugs[n], n) for n in names) if pair in paper.topics]
    search = search and bool(papers)
    env = _environment()
    result = SiteResult(index=site_dir / "index.html", papers=len(papers))
    out = _Writer(site_dir, result)

    # Per topic: paper count, months with their counts, newest date.
    months_of: dict[str, Counter] = {slugs[n]: Counter() for n in names}
    for paper in papers.values():
        for slug, _ in paper.topics:
            months_of[slug][paper.date[:7]] += 1
    topics = []
    for name in names:
        slug = slugs[name]
        months = months_of[slug]
        topics.append(
            {
                "name": clean_text(name) or slug,
                "slug": slug,
                "count": sum(months.values()),
                "newest": max((p.date for p in papers.values() if (slug, name) in p.topics), default=""),
                "feed": f"{feeds_prefix}/{feeds[name][1]}" if feeds else None,
            }
        )
    parts = _parts(papers)
    result.timings["collect"] = time.perf_counter() - started

    # What every part's pages also show (the topic menu, search form, feed links): part of
    # every part's input digest, so changing it rebuilds all parts.
    menu = [{"name": t["name"], "slug": t["slug"], "feed": t["feed"]} for t in topics]
    context = hashlib.sha256(
        json.dumps([_template_digest(), search, page_size, menu], sort_keys=True).encode()
    ).hexdigest()
    state = {} if full else _load_state(site_dir)
    old_parts = state.get("parts", {}) if state.get("context") == context else {}
    new_state: dict = {"format": FORMAT, "context": context, "parts": {}}
    manifest_parts = []
    total_words = 0
    month_tpl = env.get_template("month.html.j2")

    started = time.perf_counter()
    for part, ids in parts.items():
        # The context is in every part's digest: the digest names the part's files' contents
        # (site.js asks for them with it, so a browser never mixes old and new files).
        digest = hashlib.sha256(f"{context} {part}".encode())
        for pid in ids:
            digest.update(_shown(papers[pid]).encode("utf-8", "surrogatepass"))
        digest = digest.hexdigest()
        old = old_parts.get(part)
        if isinstance(old, dict) and old.get("input") == digest and _intact(site_dir, old.get("files")):
            result.parts_kept.append(part)
            new_state["parts"][part] = old
            for rel in old["files"]:
                out.ours.add(site_dir / rel)
                result.unchanged.append(site_dir / rel)
                result.pages += rel.endswith(".html")
            words = int(old.get("words", 0))
        else:
            result.parts_built.append(part)
            files, words = _build_part(part, ids, papers, menu, month_tpl, page_size, search, out)
            new_state["parts"][part] = {"input": digest, "files": files, "words": words}
        total_words += words
        if search:
            manifest_parts.append(
                {
                    "name": part,
                    "docs": len(ids),
                    "shards": shard_count(len(ids)),
                    "from": papers[ids[0]].date,
                    "to": papers[ids[-1]].date,
                    "v": digest[:12],
                }
            )
    result.timings["parts"] = time.perf_counter() - started

    started = time.perf_counter()
    _landing_pages(env, views, papers, topics, months_of, opts, feeds, feeds_prefix, search, page_size, out, result)
    for name in _STATIC:
        out.durable(f"assets/{name}", _static(name))
    if search:
        manifest = {
            "format": FORMAT,
            "docs": len(papers),
            "avglen": round(total_words / max(1, len(papers)), 2),
            "chunk": CHUNK,
            "topics": [[t["slug"], t["name"]] for t in topics],
            # Newest first: a date-sorted search fills its first screen from the first parts.
            "parts": sorted(manifest_parts, key=lambda p: p["name"], reverse=True),
        }
        out.durable(_MANIFEST, json.dumps(manifest, ensure_ascii=False, sort_keys=True, indent=0).encode("utf-8"))
    result.searchable = search
    result.timings["pages"] = time.perf_counter() - started

    started = time.perf_counter()
    _sweep(site_dir, out.ours | {site_dir / _STATE}, result)
    # The state goes last and durably: it vouches for the files written above.
    out.durable(_STATE, json.dumps(new_state, sort_keys=True, indent=0).encode("utf-8"))
    result.timings["sweep"] = time.perf_counter() - started
    return result


def _build_part(part, ids, papers, menu, month_tpl, page_size, search, out) -> tuple[dict, int]:
    """Render a part's month pages and search files; return {file: sha256} and its word count."""
    rows = [_row(papers[pid].entry, tuple(papers[pid].topics)) for pid in ids]
    files: dict[str, str] = {}
    # Month pages: per topic and month, newest first, ``page_size`` per page.
    groups: dict[tuple[str, str], list[_Row]] = {}
    for row in rows:
        for slug, _ in row.topics:
            groups.setdefault((slug, row.date[:7]), []).append(row)
    by_slug = {t["slug"]: t for t in menu}
    for (slug, month), listed in sorted(groups.items()):
        listed.reverse()  # part order is oldest first
        topic = by_slug[slug]
        pages = _paginate(listed, page_size, PAGE_BUDGET)
        page_count = len(pages)
        for page, chunk in enumerate(pages, start=1):

            def link(n: int, slug: str = slug, month: str = month) -> str:
                return os.path.basename(_month_page(slug, month, n))

            html = month_tpl.render(
                root="../../",
                title=f"{topic['name']}, {_month_name(month)} · arXiv radar",
                topics=menu,
                current=topic,
                searchable=search,
                feed=f"../../{topic['feed']}" if topic["feed"] else None,
                month=_month_name(month),
                month_count=len(listed),
                papers=chunk,
                page=page,
                page_count=page_count,
                first_rank=1 + sum(len(p) for p in pages[: page - 1]),
                prev_href=link(page - 1) if page > 1 else None,
                next_href=link(page + 1) if page < page_count else None,
                page_links=[(n, link(n)) for n in range(1, page_count + 1)],
            )
            rel = _month_page(slug, month, page)
            files[rel] = out.put(rel, html.encode("utf-8"))
            out.result.pages += 1
    words = 0
    if search:
        docs = [
            Doc(r.id, r.title, r.authors, r.abstract, r.date, r.code_url, tuple(s for s, _ in r.topics)) for r in rows
        ]
        started = time.perf_counter()
        index = index_part(docs, [t["slug"] for t in menu])
        words = index.words
        for name, data in sorted(index.files.items()):
            rel = f"search/{part}/{name}"
            files[rel] = out.put(rel, data)
        timings = out.result.timings
        timings["index"] = timings.get("index", 0.0) + time.perf_counter() - started
    return files, words


def _landing_pages(env, views, papers, topics, months_of, opts, feeds, feeds_prefix, search, page_size, out, result) -> None:
    """index.html and each topic's first page: they show counts and the newest papers, so
    they change with any new paper; they are few and small."""
    common = {"date": opts.date.isoformat(), "topics": topics, "searchable": search, "total": len(papers)}
    newest_ids = sorted(papers, key=lambda pid: (papers[pid].date, pid), reverse=True)
    rows_cache: dict[str, _Row] = {}

    def row(pid: str) -> _Row:
        if pid not in rows_cache:
            rows_cache[pid] = _row(papers[pid].entry, tuple(papers[pid].topics))
        return rows_cache[pid]

    html = env.get_template("index.html.j2").render(
        **common,
        root="",
        title="arXiv radar",
        current=None,
        feed=f"{feeds_prefix}/{feeds[None][1]}" if feeds else None,
        newest=_paginate([row(pid) for pid in newest_ids[:INDEX_NEWEST]], INDEX_NEWEST, INDEX_BUDGET)[0],
    )
    out.durable("index.html", html.encode("utf-8"))
    result.pages += 1
    topic_tpl = env.get_template("topic.html.j2")
    for_you_tpl = env.get_template("for_you.html.j2")
    for view, topic in zip(views, topics):
        slug = topic["slug"]
        # Only topics ranked by a library or likes (rank/) have a "For you" page.
        ranked = _for_you(view, row, page_size)
        topic = {**topic, "for_you": bool(ranked)}
        newest = []
        for pid in newest_ids:
            if len(newest) == TOPIC_NEWEST:
                break
            if any(s == slug for s, _ in papers[pid].topics):
                newest.append(row(pid))
        months = sorted(months_of[slug].items(), reverse=True)
        html = topic_tpl.render(
            **common,
            root="../../",
            title=f"{topic['name']} · arXiv radar",
            current=topic,
            feed=f"../../{topic['feed']}" if topic["feed"] else None,
            papers=_paginate(newest, TOPIC_NEWEST, PAGE_BUDGET)[0],
            months=[(_month_name(m), os.path.basename(_month_page(slug, m, 1)), n) for m, n in months],
        )
        out.durable(f"topics/{slug}/index.html", html.encode("utf-8"))
        result.pages += 1
        if ranked:
            html = for_you_tpl.render(
                **common, root="../../", title=f"{topic['name']} for you · arXiv radar", current=topic,
                feed=f"../../{topic['feed']}" if topic["feed"] else None, ranked=ranked,
            )
            out.durable(f"topics/{slug}/for-you.html", html.encode("utf-8"))
            result.pages += 1


# The kinds of file the site writes under topics/ and search/: pages in a topic's folder, the
# manifest and state, JSON in a part's folder (named for a year or month), a killed run's
# temporaries. The sweep removes only these, so a file someone else put there is never lost.
_OURS = {
    "topics": re.compile(r"[^/]+/[^/]+\.html|(?:.*/)?\.[^/]+\.tmp"),
    "search": re.compile(r"(?:manifest|state)\.json|\d{4}(?:-\d{2})?/[^/]+\.json|(?:.*/)?\.[^/]+\.tmp"),
}


def _sweep(site_dir: Path, ours: set[Path], result: SiteResult) -> None:
    """Files of ours that this build did not produce go: pages of removed topics or months,
    parts merged into a year, leftovers of a killed run, the Pagefind bundle of older versions.
    Only files of the kinds the site writes (``_OURS``) are removed; any other file is kept."""
    old_bundle = site_dir / "pagefind"
    if (old_bundle / "arxiv-radar-source.sha256").is_file():
        shutil.rmtree(old_bundle)
        result.removed.append(old_bundle)
    for folder, kinds in _OURS.items():
        top = site_dir / folder
        if not top.is_dir() or top.is_symlink():
            continue
        for path in sorted(top.rglob("*"), reverse=True):
            if path.is_symlink():
                continue
            if path.is_file():
                rel = path.relative_to(top).as_posix()
                if path not in ours and kinds.fullmatch(rel):
                    path.unlink()
                    result.removed.append(path)
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
