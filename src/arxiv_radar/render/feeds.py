"""RSS 2.0 and Atom feeds, per topic and for all topics, with ``feedgenerator``.

Pure: view model in, ``{relative path: text}`` out. Entry ids are the versionless abstract URL
(``http://arxiv.org/abs/2502.19917``), so an updated paper replaces its entry in a reader instead
of appearing twice; its title says " (updated vN)" and its updated date is the new version's.
No wall clock: the feed date is the date the outputs show (the run day when something in them
changed, else the day they last changed: publish.files.shown_day; or the newest entry, if later),
so the same store and day give byte-identical files.
"""

from __future__ import annotations

import datetime
import hashlib
import html
import unicodedata
import uuid
from collections.abc import Mapping, Sequence

import feedgenerator

from .digest import PaperEvent, clean_text, entry_date, is_updated, safe_url, site_url_for
from .slug import github_slug
from .view import Entry, RenderOptions, TopicView

__all__ = ["MAX_ENTRIES", "ALL_SLUG", "feed_slugs", "feed_paths", "render_feeds"]

# A reader polls the newest entries; 200 keeps each file small (about 0.5 MB at most).
MAX_ENTRIES = 200
ALL_SLUG = "all"
_SLUG_MAX = 80
_DC = "http://purl.org/dc/elements/1.1/"


# --------------------------------------------------------------------------- file names


def _ascii_slug(name: str) -> str:
    """GitHub's heading slug folded to ASCII (é -> e); a hash keeps names of other scripts apart."""
    slug = github_slug(clean_text(name))
    folded = unicodedata.normalize("NFKD", slug)
    kept = "".join(c for c in folded if c.isascii() and (c.isalnum() or c in "-_"))
    lost = any(not c.isascii() and unicodedata.category(c)[0] != "M" for c in folded)
    kept = kept[:_SLUG_MAX].strip("-_")
    if lost or not kept:
        digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]
        kept = f"{kept}-{digest}" if kept else f"topic-{digest}"
    return kept


def feed_slugs(topic_names: Sequence[str]) -> dict[str, str]:
    """Topic name -> file slug (ASCII, unique, never "all"), stable for a given topic order."""
    seen = {ALL_SLUG}
    out: dict[str, str] = {}
    for name in topic_names:
        base = slug = _ascii_slug(name)
        n = 0
        while slug in seen:
            n += 1
            slug = f"{base}-{n}"
        seen.add(slug)
        out[name] = slug
    return out


def feed_paths(topic_names: Sequence[str]) -> dict[str | None, tuple[str, str]]:
    """Topic (None: all topics) -> (RSS path, Atom path), relative to the feeds folder."""
    out: dict[str | None, tuple[str, str]] = {None: (f"{ALL_SLUG}.rss.xml", f"{ALL_SLUG}.atom.xml")}
    for name, slug in feed_slugs(topic_names).items():
        out[name] = (f"{slug}.rss.xml", f"{slug}.atom.xml")
    return out


# --------------------------------------------------------------------------- feed classes


class _Deterministic:
    """Feed date from the outputs' date instead of feedgenerator's now()."""

    run_day: datetime.datetime

    def latest_post_date(self) -> datetime.datetime:  # feedgenerator hook
        dates = [self.run_day]
        for item in self.items:  # type: ignore[attr-defined]
            dates += [d for d in (item.get("updateddate"), item.get("pubdate")) if d]
        return max(dates)


class _Rss(_Deterministic, feedgenerator.Rss201rev2Feed):
    def rss_attributes(self) -> dict[str, str]:
        return {**super().rss_attributes(), "xmlns:dc": _DC}

    def add_item_elements(self, handler, item) -> None:
        # RSS has no "updated": the date readers sort by is the date the entry last changed.
        super().add_item_elements(handler, {**item, "pubdate": item["updateddate"]})
        # RSS has one <author> (an e-mail address); Dublin Core carries every author by name.
        for name in item["authors"]:
            handler.addQuickElement("dc:creator", name)


class _Atom(_Deterministic, feedgenerator.Atom1Feed):
    def add_item_elements(self, handler, item) -> None:
        super().add_item_elements(handler, item)
        for name in item["authors"]:
            handler.startElement("author", {})
            handler.addQuickElement("name", name)
            handler.endElement("author")
        if item["code_url"]:
            handler.addQuickElement(
                "link", "", {"rel": "related", "href": item["code_url"], "title": "Code", "type": "text/html"}
            )


# --------------------------------------------------------------------------- entries


def _authors(entry: Entry) -> list[str]:
    names = [n for n in (clean_text(a.name) for a in entry.paper.authors) if n]
    if not entry.authors_complete and names:
        return [names[0]]  # a cv-arxiv-daily import knows only the first author
    return names


def _summary(entry: Entry, topics: Sequence[str], code_url: str | None) -> str:
    """The entry's HTML: AI TL;DR, abstract, authors, categories, topics, code link. Every value escaped."""
    p = entry.paper
    esc = lambda s: html.escape(clean_text(s), quote=True)  # noqa: E731
    names = _authors(entry)
    authors = ", ".join(esc(n) for n in names)
    if not entry.authors_complete and names:
        authors += " et al."
    parts = []
    if entry.summary is not None and entry.summary.tldr:
        parts.append(f"<p><b>TL;DR:</b> {esc(entry.summary.tldr)}</p>")
    if p.abstract:
        parts.append(f"<p>{esc(p.abstract)}</p>")
    if authors:
        parts.append(f"<p><b>Authors:</b> {authors}</p>")
    if p.categories:
        parts.append(f"<p><b>Categories:</b> {', '.join(esc(c) for c in p.categories)}</p>")
    if topics:
        parts.append(f"<p><b>Topics:</b> {', '.join(esc(t) for t in topics)}</p>")
    if code_url:
        u = html.escape(code_url, quote=True)
        parts.append(f'<p><b>Code:</b> <a href="{u}">{u}</a></p>')
    pid = html.escape(p.id, quote=True)
    parts.append(
        f'<p><a href="https://arxiv.org/abs/{pid}">arXiv:{pid}</a> · '
        f'<a href="https://arxiv.org/pdf/{pid}">PDF</a></p>'
    )
    return "\n".join(parts)


def _item(entry: Entry, event: PaperEvent | None, topics: Sequence[str]) -> dict:
    p = entry.paper
    title = clean_text(p.title) or p.id
    updated = is_updated(event)
    if updated:
        title += f" (updated v{event.version})"  # type: ignore[union-attr]
    code_url = safe_url(entry.code_url)
    return dict(
        title=title,
        link=p.abs_url,
        description=_summary(entry, topics, code_url),
        unique_id=p.abs_url,  # versionless: stable across versions
        unique_id_is_permalink=True,
        pubdate=p.published,
        updateddate=entry_date(entry, event),
        categories=[c for c in (clean_text(c) for c in p.categories) if c],
        authors=_authors(entry),
        code_url=code_url,
    )


def _sorted(rows: list[tuple[Entry, PaperEvent | None, list[str]]]) -> list:
    # Newest first by the date the entry last changed; id breaks ties so output is stable.
    rows.sort(key=lambda r: r[0].paper.id, reverse=True)
    rows.sort(key=lambda r: entry_date(r[0], r[1]), reverse=True)
    return rows


# --------------------------------------------------------------------------- feeds


def _feed_texts(
    title: str,
    description: str,
    feed_id: str,
    link: str,
    urls: tuple[str | None, str | None],
    rows: list[tuple[Entry, PaperEvent | None, list[str]]],
    day: datetime.date,
    max_entries: int,
) -> tuple[str, str]:
    run_day = datetime.datetime.combine(day, datetime.time(), tzinfo=datetime.timezone.utc)
    texts = []
    for cls, url in ((_Rss, urls[0]), (_Atom, urls[1])):
        feed = cls(
            title=title,
            link=link,
            description=description,
            language="en",
            author_name="arxiv-radar",
            feed_url=url,
            feed_guid=feed_id,
        )
        feed.run_day = run_day
        for entry, event, topics in rows[:max_entries]:
            feed.add_item(**_item(entry, event, topics))
        texts.append(feed.writeString("utf-8") + "\n")
    return texts[0], texts[1]


def render_feeds(
    views: Sequence[TopicView],
    opts: RenderOptions,
    events: Mapping[str, PaperEvent],
    *,
    site_url: str | None = None,
    max_entries: int = MAX_ENTRIES,
) -> dict[str, str]:
    """RSS and Atom text per topic and for all topics, keyed by path relative to the feeds folder.

    ``events``: each paper's latest event (papers without one, e.g. imported, count as new).
    ``site_url``: where the feeds are published (default: the repository's GitHub Pages); used
    for the feeds' own links and ids. Without one, ids are name-based UUID URNs.
    """
    site = safe_url(site_url) or site_url_for(opts.user_name, opts.repo_name)
    if site and not site.endswith("/"):
        site += "/"
    link = site or "https://arxiv.org/"
    names = [v.name for v in views]
    paths = feed_paths(names)
    topics_of: dict[str, list[str]] = {}
    entries: dict[str, Entry] = {}
    for view in views:
        for entry in view.entries:
            entries.setdefault(entry.paper.id, entry)
            topics_of.setdefault(entry.paper.id, []).append(clean_text(view.name))

    out: dict[str, str] = {}

    def emit(topic: str | None, title: str, rows: list) -> None:
        rss_path, atom_path = paths[topic]
        urls = (f"{site}feeds/{rss_path}", f"{site}feeds/{atom_path}") if site else (None, None)
        feed_id = urls[1] or uuid.uuid5(uuid.NAMESPACE_URL, f"arxiv-radar:feed:{topic}").urn
        desc = f"New and updated arXiv papers: {title}"
        out[rss_path], out[atom_path] = _feed_texts(
            f"arxiv-radar: {title}", desc, feed_id, link, urls, _sorted(rows), opts.date, max_entries
        )

    for view in views:
        rows = [(e, events.get(e.paper.id), topics_of[e.paper.id]) for e in _dedup(view.entries)]
        emit(view.name, clean_text(view.name) or "(unnamed topic)", rows)
    emit(None, "all topics", [(e, events.get(pid), topics_of[pid]) for pid, e in entries.items()])
    return out


def _dedup(entries: Sequence[Entry]) -> list[Entry]:
    seen: dict[str, Entry] = {}
    for e in entries:
        seen.setdefault(e.paper.id, e)
    return list(seen.values())
