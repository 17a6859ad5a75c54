"""From the store to files on disk: builds the renderers' view and writes every configured output.

No network here: everything is re-renderable from the database.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from .fsutil import atomic_write_text
from .publish_feeds import write_feeds
from .report import written_lines
from .render.legacy import LegacyRow, entry_from_legacy
from .render.view import Entry, RenderOptions, TopicView
from .store import Store
from .store.legacy import LegacyRecord, legacy_rows

log = logging.getLogger(__name__)

__all__ = ["build_views", "publish", "PublishResult"]


@dataclass
class PublishResult:
    written: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    site_index: Path | None = None

    def note(self, path: Path, changed: bool) -> None:
        (self.written if changed else self.unchanged).append(path)


def build_views(store: Store, topic_names: list[str], *, style: str = "seed") -> list[TopicView]:
    """One TopicView per topic from the store.

    In the cv-arxiv-daily style, rows imported from a cv-arxiv-daily database are shown as that
    tool wrote them (per topic, in its order), so its files come out byte for byte.
    """
    views = []
    for name in topic_names:
        ids = store.matched_ids(name)
        papers = store.get_papers(ids)
        links = store.link_summaries(ids)
        complete = store.authors_complete(ids)
        legacy = legacy_rows(store.conn, name) if style == "cv-arxiv-daily" else {}
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
            entries.append(Entry(
                paper=papers[pid],
                code_url=link.url,
                code_status=link.status,
                authors_complete=complete.get(pid, True),
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


def _site_link(config, readme_dir: Path) -> str:
    """The site's address on GitHub Pages when it is published from the repository's docs/
    folder (cv-arxiv-daily's layout); otherwise its path beside the README."""
    from .render.digest import site_url_for

    pages = site_url_for(config.user_name, config.repo_name)
    docs = config.config_dir / "docs"
    if pages and config.site_dir.is_relative_to(docs):
        return pages + _relative(config.site_dir, docs) + "/"
    return _relative(config.site_dir / "index.html", readme_dir)


def render_options(config, day: date, style: str | None = None) -> RenderOptions:
    readme_dir = config.path_of("md_readme_path").parent
    prefix = _relative(config.path_of("archive_dir"), readme_dir)
    links = []
    if config.publish_feeds:
        from .render.feeds import feed_paths

        rss, atom = feed_paths(list(config.topics))[None]
        links += [("RSS feed", _relative(config.feeds_dir / rss, readme_dir)),
                  ("Atom feed", _relative(config.feeds_dir / atom, readme_dir))]
    if config.publish_site:
        links.append(("Search all papers", _site_link(config, readme_dir)))
    return RenderOptions(
        date=day,
        style=style or config.style,
        show_abstract=config.show_abstract,
        show_badge=config.show_badge,
        user_name=config.user_name,
        repo_name=config.repo_name,
        readme_max_bytes=config.readme_max_bytes,
        archive_link_prefix=prefix,
        links=tuple(links),
    )


def publish(config, store: Store, day: date, *, style: str | None = None) -> PublishResult:
    """Write README/JSON/Pages/WeChat outputs for every configured topic, as the config asks."""
    from . import render

    opts = render_options(config, day, style)
    views = build_views(store, list(config.topics), style=opts.style)
    result = PublishResult()

    def write(key_or_path, text: str) -> None:
        path = config.path_of(key_or_path) if isinstance(key_or_path, str) else key_or_path
        result.note(path, atomic_write_text(path, text))

    if config.publish_readme:
        readme = render.render_readme(views, opts)
        write("md_readme_path", readme.text)
        readme_dir = config.path_of("md_readme_path").parent
        for rel, text in sorted(readme.archives.items()):
            write(readme_dir / rel, text)
        write("json_readme_path", render.render_json(views, opts))
    if config.publish_gitpage:
        write("md_gitpage_path", render.render_gitpage(views, opts))
        write("json_gitpage_path", render.render_json(views, opts))
    if config.publish_wechat:
        write("md_wechat_path", render.render_wechat(views, opts))
        write("json_wechat_path", render.render_json(views, opts))
    # Feeds follow the README: every topic, and all topics together.
    if config.publish_feeds:
        for path in write_feeds(config, store, day, views=views):
            result.note(path, True)
    if config.publish_site:
        from .render.site import build_site

        feeds_rel = os.path.relpath(config.feeds_dir, config.site_dir).replace(os.sep, "/")
        site = build_site(views, opts, config.site_dir, feeds_rel=feeds_rel if config.publish_feeds else None)
        result.written += site.written
        result.unchanged += site.unchanged
        result.site_index = site.index
    for line in written_lines([str(p) for p in result.written]):
        log.debug("%s", line)
    return result
