"""The static site: an index, pages per topic, and a Pagefind search index, all relative links.

Layout of ``site_dir`` (everything below is ours; other files there are left alone)::

    index.html                      topics, newest papers, the search form
    topics/<slug>/index.html        a topic's newest papers; page-2.html, ... hold older ones
    assets/site.css, assets/site.js
    pagefind/                       the search bundle (pagefind.js and its index chunks)

Search at scale: every paper (stored once, whatever its topics) becomes one small HTML record
in a temporary folder, Pagefind indexes those, and only its bundle is published. Pagefind keeps
one record per page, which is what per-paper filters need (topic, has code, day); the browser
loads just the index chunks a query touches. Results link to arXiv and to topic pages, so the
record pages themselves are never published (half the files, no page nobody links to). Record
paths come from the arXiv id, so a paper's fragment keeps its name and bytes from run to run and
a daily rebuild rewrites only what changed.

Without JavaScript (or from ``file://``, where module imports are refused) the listings still
work: topic pages list papers newest first, ``page_size`` per page, with links to older pages.

Output is deterministic for the same views and options: no wall clock, stable sort orders.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import metadata, resources
from pathlib import Path
from urllib.parse import quote

import jinja2

from ..errors import ArxivRadarError
from ..fsutil import atomic_write_bytes, atomic_write_text
from .digest import clean_text, safe_url
from .feeds import feed_paths, feed_slugs
from .latex import latex_to_text
from .view import Entry, RenderOptions, TopicView

log = logging.getLogger(__name__)

__all__ = ["PAGE_SIZE", "SiteResult", "build_site", "pagefind_command"]

# Papers per listing page: about 0.5 MB of HTML with abstracts folded, fine on a phone.
PAGE_SIZE = 500
# Newest papers (all topics) shown on the index page.
INDEX_NEWEST = 30
# Pagefind writes UIs we do not use; publishing only what pagefind.js loads keeps the tree small.
_BUNDLE_SKIP = ("pagefind-ui.", "pagefind-component-ui.", "pagefind-modular-ui.", "pagefind-highlight.")
_STATIC = ("site.css", "site.js")
# Digest of the records the bundle was built from (see _build_search).
_STAMP = "arxiv-radar-source.sha256"


@dataclass
class SiteResult:
    """What :func:`build_site` did. Paths are absolute; ``index`` is the page to open."""

    index: Path
    written: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)
    pages: int = 0  # HTML pages of the site (index + topic pages)
    papers: int = 0  # distinct papers (a paper in two topics counts once)
    searchable: bool = False  # a Pagefind bundle was built
    timings: dict[str, float] = field(default_factory=dict)  # seconds: render, records, index, sync

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
    record: str  # record page path inside the Pagefind source folder
    tldr: str = ""  # the AI summary's TL;DR, when there is one
    notes: tuple[tuple[str, str], ...] = ()  # its other fields: (label, text), shown folded


def _authors(entry: Entry) -> str:
    names = [clean_text(a.name) for a in entry.paper.authors if clean_text(a.name)]
    text = ", ".join(names)
    if names and not entry.authors_complete:
        text += " et al."
    return text


def _record_path(paper_id: str) -> str:
    # Old-style ids hold a "/" (hep-th/9901001); the path must stay one file name per paper.
    safe = paper_id.replace("/", "_")
    safe = "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "_" for c in safe)
    return f"r/{safe[:4]}/{safe}.html"


def _rows(views: Sequence[TopicView], slugs: dict[str, str]) -> dict[str, _Row]:
    """Paper id -> row, one per paper, carrying every topic it appears in."""
    topics_of: dict[str, list[tuple[str, str]]] = {}
    first: dict[str, Entry] = {}
    for view in views:
        for entry in view.entries:
            pid = entry.paper.id
            first.setdefault(pid, entry)
            # A code link found under any topic counts for the paper.
            if first[pid].code_url is None and entry.code_url:
                first[pid] = entry
            pair = (slugs[view.name], view.name)
            if pair not in topics_of.setdefault(pid, []):
                topics_of[pid].append(pair)
    rows: dict[str, _Row] = {}
    for pid, entry in first.items():
        p = entry.paper
        quoted = quote(pid, safe="/.")
        rows[pid] = _Row(
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
            topics=tuple(topics_of[pid]),
            record=_record_path(pid),
            tldr=clean_text(entry.summary.tldr) if entry.summary else "",
            notes=tuple((label, clean_text(text)) for label, text in entry.summary.notes) if entry.summary else (),
        )
    return rows


def _newest_first(rows: list[_Row]) -> list[_Row]:
    return sorted(rows, key=lambda r: (r.date, r.id), reverse=True)


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


def _topic_page(slug: str, page: int) -> str:
    return f"topics/{slug}/index.html" if page == 1 else f"topics/{slug}/page-{page}.html"


# --------------------------------------------------------------------------- the build


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


def _for_you(view: TopicView, rows: dict[str, _Row], page_size: int) -> list[dict]:
    """A topic's scored papers, best first (ties newest first), with score and why."""
    best: dict[str, Entry] = {}
    for entry in view.entries:
        if entry.score is not None:
            best.setdefault(entry.paper.id, entry)
    ordered = sorted(best.values(), key=lambda e: (-e.score, -e.paper.published.timestamp(), e.paper.id))
    return [{"p": rows[e.paper.id], "score": f"{e.score:.2f}", "why": _why_line(e.why)}
            for e in ordered[:page_size]]


def build_site(
    views: Sequence[TopicView],
    opts: RenderOptions,
    site_dir: Path,
    *,
    feeds_rel: str | None = None,
    page_size: int = PAGE_SIZE,
    search: bool = True,
) -> SiteResult:
    """Write the site for ``views`` into ``site_dir``; return what was written.

    ``feeds_rel``: the feeds folder as a relative URL from ``site_dir`` (e.g. ``"../feeds"``);
    topic pages then link their Atom feed. ``search=False`` skips the Pagefind index (the
    listings still work; the search form stays hidden).
    Raises ArxivRadarError when Pagefind is missing or fails.
    """
    if page_size < 1:
        raise ValueError("page_size must be at least 1")
    site_dir = Path(site_dir)
    started = time.perf_counter()
    names = [v.name for v in views]
    slugs = feed_slugs(names)
    feeds = feed_paths(names) if feeds_rel is not None else {}
    feeds_prefix = (feeds_rel or "").rstrip("/")
    rows = _rows(views, slugs)
    # Pagefind refuses an empty site; with no paper yet there is nothing to search anyway.
    search = search and bool(rows)
    env = _environment()
    result = SiteResult(index=site_dir / "index.html", papers=len(rows))
    ours: set[Path] = set()

    def write(rel: str, text: str) -> None:
        path = site_dir / rel
        ours.add(path)
        result.note(path, atomic_write_text(path, text))

    topics = []
    per_topic: dict[str, list[_Row]] = {}
    for view in views:
        seen: set[str] = set()
        listed = []
        for entry in view.entries:
            if entry.paper.id not in seen:
                seen.add(entry.paper.id)
                listed.append(rows[entry.paper.id])
        listed = _newest_first(listed)
        per_topic[view.name] = listed
        slug = slugs[view.name]
        topics.append(
            {
                "name": clean_text(view.name) or slug,
                "slug": slug,
                "count": len(listed),
                "newest": listed[0].date if listed else "",
                "feed": f"{feeds_prefix}/{feeds[view.name][1]}" if feeds else None,
                # Only topics ranked by a library or likes (rank/) have a "For you" page.
                "for_you": _for_you(view, rows, page_size),
            }
        )

    common = {
        "date": opts.date.isoformat(),
        "topics": topics,
        "searchable": search,
        "total": len(rows),
    }
    all_feed = f"{feeds_prefix}/{feeds[None][1]}" if feeds else None
    index_html = env.get_template("index.html.j2").render(
        **common,
        root="",
        title="arXiv radar",
        current=None,
        feed=all_feed,
        newest=_newest_first(list(rows.values()))[:INDEX_NEWEST],
    )
    write("index.html", index_html)

    topic_tpl = env.get_template("topic.html.j2")
    for topic in topics:
        listed = per_topic[next(n for n in names if slugs[n] == topic["slug"])]
        page_count = max(1, -(-len(listed) // page_size))
        for page in range(1, page_count + 1):
            chunk = listed[(page - 1) * page_size : page * page_size]
            rel = _topic_page(topic["slug"], page)

            def link(n: int, slug: str = topic["slug"]) -> str:
                # Sibling pages of one topic live in the same folder.
                return os.path.basename(_topic_page(slug, n))

            html = topic_tpl.render(
                **common,
                root="../../",
                title=f"{topic['name']} · arXiv radar",
                current=topic,
                feed=f"../../{topic['feed']}" if topic["feed"] else None,
                papers=chunk,
                page=page,
                page_count=page_count,
                first_rank=(page - 1) * page_size + 1,
                prev_href=link(page - 1) if page > 1 else None,
                next_href=link(page + 1) if page < page_count else None,
                page_links=[(n, link(n)) for n in range(1, page_count + 1)],
            )
            write(rel, html)
            result.pages += 1
        if topic["for_you"]:
            html = env.get_template("for_you.html.j2").render(
                **common, root="../../", title=f"{topic['name']} for you · arXiv radar", current=topic,
                feed=f"../../{topic['feed']}" if topic["feed"] else None, ranked=topic["for_you"],
            )
            write(f"topics/{topic['slug']}/for-you.html", html)
            result.pages += 1
    result.pages += 1  # the index

    for name in _STATIC:
        path = site_dir / "assets" / name
        ours.add(path)
        result.note(path, atomic_write_bytes(path, _static(name)))

    # Topic pages of topics removed from the config, or pages beyond the last one, go away.
    topics_dir = site_dir / "topics"
    if topics_dir.is_dir():
        for path in sorted(topics_dir.rglob("*.html")):
            if path not in ours:
                path.unlink()
                result.removed.append(path)
        for folder in sorted(topics_dir.iterdir()):
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
    result.timings["render"] = time.perf_counter() - started

    if search:
        _build_search(env, rows, site_dir / "pagefind", result)
        result.searchable = True
    return result


def _build_search(env: jinja2.Environment, rows: dict[str, _Row], bundle: Path, result: SiteResult) -> None:
    started = time.perf_counter()
    record_tpl = env.get_template("record.html.j2")
    records = [(row.record, record_tpl.render(row=row)) for row in sorted(rows.values(), key=lambda r: r.record)]
    digest = hashlib.sha256(f"pagefind {_pagefind_version()}\n".encode())
    for rel, text in records:
        digest.update(f"{len(rel)}:{rel}{len(text)}:".encode() + text.encode("utf-8"))
    stamp = bundle / _STAMP
    result.timings["records"] = time.perf_counter() - started
    # Pagefind writes filter chunks in hash-map order, so two runs over the same records differ
    # in bytes (not in meaning). Same records as last time: keep the bundle as it is.
    try:
        same = stamp.read_text(encoding="utf-8").strip() == digest.hexdigest()
    except OSError:
        same = False
    if same and (bundle / "pagefind.js").is_file():
        result.timings["index"] = result.timings["sync"] = 0.0
        result.unchanged.append(stamp)
        return

    # The bundle is built next to its final place (same file system), so a first build can
    # move it in with one rename instead of one fsync per chunk. A leftover from a killed
    # run is removed first.
    fresh = bundle.parent / ".pagefind-new"
    shutil.rmtree(fresh, ignore_errors=True)
    try:
        with tempfile.TemporaryDirectory(prefix="arxiv-radar-site-") as tmp:
            source = Path(tmp) / "records"
            started = time.perf_counter()
            made: set[Path] = set()
            for rel, text in records:
                path = source / rel
                if path.parent not in made:
                    path.parent.mkdir(parents=True, exist_ok=True)
                    made.add(path.parent)
                # A scratch folder nobody reads concurrently: a plain write is enough here.
                path.write_text(text, encoding="utf-8")
            result.timings["records"] += time.perf_counter() - started

            started = time.perf_counter()
            _run_pagefind(source, fresh)
            result.timings["index"] = time.perf_counter() - started

        started = time.perf_counter()
        for path in sorted(fresh.iterdir()):
            if path.name.startswith(_BUNDLE_SKIP):
                path.unlink()
        stamp_text = digest.hexdigest() + "\n"
        if not bundle.exists():
            (fresh / _STAMP).write_text(stamp_text, encoding="utf-8")
            fresh.rename(bundle)
            result.written.extend(sorted(p for p in bundle.rglob("*") if p.is_file()))
        else:
            (fresh / _STAMP).write_text(stamp_text, encoding="utf-8")
            _sync_tree(fresh, bundle, result)
        result.timings["sync"] = time.perf_counter() - started
    finally:
        shutil.rmtree(fresh, ignore_errors=True)


def _pagefind_version() -> str:
    try:
        return metadata.version("pagefind")
    except metadata.PackageNotFoundError:
        return "unknown"


def pagefind_command() -> list[str]:
    """The command that runs Pagefind: ``python -m pagefind`` (the ``pagefind[bin]`` package)."""
    return [sys.executable, "-m", "pagefind"]


def _run_pagefind(source: Path, out: Path) -> None:
    cmd = [*pagefind_command(), "--site", str(source), "--output-path", str(out), "--silent"]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, encoding="utf-8", errors="replace")
    except OSError as exc:
        raise ArxivRadarError(f"cannot run Pagefind for the site search: {exc}") from exc
    if proc.returncode != 0 or not (out / "pagefind.js").is_file():
        detail = (proc.stderr or proc.stdout).strip().splitlines()
        hint = detail[-1] if detail else f"exit status {proc.returncode}"
        if "No module named pagefind" in (proc.stderr or ""):
            hint = "the pagefind package is not installed (pip install 'pagefind[bin]')"
        raise ArxivRadarError(f"Pagefind could not index the site: {hint}")


def _sync_tree(new: Path, dest: Path, result: SiteResult) -> None:
    """Make ``dest`` hold exactly the bundle in ``new``: changed files rewritten atomically,
    unchanged ones untouched (same mtime, no git churn), stale chunks removed."""
    keep: set[Path] = set()
    # The stamp goes last: an interrupted sync leaves no stamp claiming a complete bundle.
    for path in sorted(new.rglob("*"), key=lambda p: (p.name == _STAMP, p)):
        if not path.is_file() or path.name.startswith(_BUNDLE_SKIP):
            continue
        target = dest / path.relative_to(new)
        keep.add(target)
        result.note(target, atomic_write_bytes(target, path.read_bytes()))
    if dest.is_dir():
        for path in sorted(dest.rglob("*"), reverse=True):
            if path.is_file() and path not in keep:
                path.unlink()
                result.removed.append(path)
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()

