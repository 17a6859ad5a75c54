"""The renderers' view of the store: one TopicView per topic, and the render options from the config.

Both the file writers (files.py) and the feeds (feeds.py) start from here.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from ..bulk.legacy_rows import LegacyRow, paper_from_legacy
from ..render.view import Entry, PaperSummary, RenderOptions, TopicView
from ..store import Store
from ..store.legacy import LegacyRecord, legacy_rows
from ..store.summaries import SummaryKey, latest_summaries

__all__ = ["build_views", "entry_from_legacy", "paper_summaries", "render_options", "summary_key_for"]


def summary_key_for(config) -> SummaryKey | None:
    """Which summaries the outputs show: None when `summaries:` is off (then none are shown)."""
    if getattr(config, "summaries", None) is None:
        return None
    from ..summarize import summary_key

    return summary_key(config.summaries)


def paper_summaries(store: Store, ids, key: SummaryKey | None) -> dict[str, PaperSummary]:
    """paper id -> the AI summary the outputs show (nothing when ``key`` is None)."""
    if key is None:
        return {}
    return {pid: PaperSummary.of(s.fields, s.model, s.language)
            for pid, s in latest_summaries(store.conn, ids, key).items()}


def entry_from_legacy(row: LegacyRow) -> Entry:
    """A view Entry for a row imported from cv-arxiv-daily, with the code link that row showed."""
    return Entry(
        paper=paper_from_legacy(row),
        code_url=row.code_url,
        code_status="found" if row.code_url else "none",
        authors_complete=False,
    )


def build_views(store: Store, topic_names: list[str], *, style: str = "seed",
                summary_key: SummaryKey | None = None) -> list[TopicView]:
    """One TopicView per topic from the store; entries carry their AI summary when
    ``summary_key`` is given (see summary_key_for).

    In the cv-arxiv-daily style, rows imported from a cv-arxiv-daily database are shown as that
    tool wrote them (per topic, in its order), so its files come out byte for byte.
    """
    views = []
    for name in topic_names:
        ids = store.matched_ids(name)
        papers = store.get_papers(ids)
        links = store.link_summaries(ids)
        complete = store.authors_complete(ids)
        summaries = paper_summaries(store, ids, summary_key)
        legacy = legacy_rows(store.conn, name) if style == "cv-arxiv-daily" else {}
        scores = store.scores_for(name)
        entries = []
        for pid in ids:
            if pid not in papers:
                continue
            link = links[pid]
            if pid in legacy:
                entry = entry_from_legacy(_legacy_row(legacy[pid]))
                # A link our enrichment found since is shown; the old rows' own links stay as they were.
                if entry.code_url is None and link.status == "found" and link.source != "legacy":
                    entry = Entry(entry.paper, link.url, "found", False)
                entries.append(entry)
                continue
            scored = scores.get(pid)
            entries.append(Entry(
                paper=papers[pid],
                code_url=link.url,
                code_status=link.status,
                authors_complete=complete.get(pid, True),
                summary=summaries.get(pid),
                score=scored.score if scored else None,
                why=scored.why if scored else None,
            ))
        if legacy:
            # cv-arxiv-daily keeps rows in the order it first wrote them; later papers follow.
            order = {pid: rec.position for pid, rec in legacy.items()}
            entries.sort(key=lambda e: (order.get(e.paper.id, len(order)),))
        views.append(TopicView(name=name, entries=tuple(entries)))
    return views


def _legacy_row(rec: LegacyRecord) -> LegacyRow:
    return LegacyRow(rec.day, rec.title, rec.first_author, rec.paper_id, rec.version, rec.code_url)


def _relative(path: Path, start: Path) -> str:
    return os.path.relpath(path, start).replace(os.sep, "/")


def _pages_url(config, path: Path) -> str | None:
    """``path``'s address on the repository's GitHub Pages, which serves the docs/ folder
    (cv-arxiv-daily's layout, and what `init`'s workflow deploys); None when unknown."""
    from ..render.digest import site_url_for

    pages = site_url_for(config.user_name, config.repo_name)
    docs = config.config_dir / "docs"
    if not pages or not path.is_relative_to(docs):
        return None
    rel = _relative(path, docs)
    return pages + ("" if rel == "." else rel)


def _links(config, from_dir: Path) -> tuple[tuple[str, str], ...]:
    """Feeds and the searchable site, for a Markdown page in ``from_dir``.

    On GitHub Pages (user_name and repo_name set) both are absolute Pages URLs, which a feed
    reader and a browser can use. Without them a feed is linked as the committed file beside
    the page, and the site not at all: GitHub shows an HTML file's source, not the site, so
    a link to it would lead nowhere useful.
    """
    links = []
    if config.publish_feeds:
        from ..render.feeds import feed_paths

        rss, atom = feed_paths(list(config.topics))[None]
        for label, name in (("RSS feed", rss), ("Atom feed", atom)):
            path = config.feeds_dir / name
            links.append((label, _pages_url(config, path) or _relative(path, from_dir)))
    if config.publish_site:
        site = _pages_url(config, config.site_dir)
        if site:
            links.append(("Search all papers", site.rstrip("/") + "/"))
    return tuple(links)


def render_options(config, day: date, style: str | None = None) -> RenderOptions:
    readme_dir = config.path_of("md_readme_path").parent
    prefix = _relative(config.path_of("archive_dir"), readme_dir)
    return RenderOptions(
        date=day,
        style=style or config.style,
        show_abstract=config.show_abstract,
        # The TL;DR column needs summaries: without `summaries:` the tables stay as they were.
        show_tldr=bool(config.show_tldr and getattr(config, "summaries", None) is not None),
        show_badge=config.show_badge,
        user_name=config.user_name,
        repo_name=config.repo_name,
        readme_max_bytes=config.readme_max_bytes,
        archive_link_prefix=prefix,
        links=_links(config, readme_dir),
        page_links=_links(config, config.path_of("md_gitpage_path").parent),
        sort=getattr(config, "sort", "date"),
        usage_link=_usage_link(config, readme_dir),
        gitpage_usage_link=_usage_link(config, config.path_of("md_gitpage_path").parent),
    )


def _usage_link(config, page_dir: Path) -> str | None:
    """The seed look's "Usage instructions" line points at docs/README.md#usage (cv-arxiv-daily's
    layout) only when that page exists in the user's repository; otherwise the line is left out."""
    usage = config.config_dir / "docs" / "README.md"
    return f"./{_relative(usage, page_dir)}#usage" if usage.is_file() else None


