"""From the store to files on disk: writes every configured output from the views (views.py).

No network here: everything is re-renderable from the database.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from ..fsutil import atomic_write_text
from ..render.escape import liquid_safe
from ..render.view import RenderOptions, TopicView
from ..ops.report import written_lines
from ..store import Store
from .feeds import write_feeds
from .views import build_views, render_options, summary_key_for

log = logging.getLogger(__name__)

__all__ = ["publish", "PublishResult", "GITHUB_README_LIMIT", "shown_day"]

# GitHub stops displaying a README after its first 512 KB.
GITHUB_README_LIMIT = 512 * 1024
# Store state: the date the outputs show ("Updated on", the feeds' build date, the site's) and a
# fingerprint of everything else they show, so a run that changed nothing keeps that date.
SHOWN_DAY = "outputs_day"
SHOWN_FINGERPRINT = "outputs_fingerprint"


@dataclass
class PublishResult:
    written: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    site_index: Path | None = None
    warnings: list[str] = field(default_factory=list)
    day: date | None = None  # the date the outputs show (see shown_day)

    def note(self, path: Path, changed: bool) -> None:
        (self.written if changed else self.unchanged).append(path)


def _fingerprint(views: Sequence[TopicView], opts: RenderOptions) -> str:
    """What the outputs show, apart from their date: the views (papers, links, summaries,
    scores) and the options. Streamed entry by entry, so a large store is not one big string."""
    h = hashlib.sha256(repr(replace(opts, date=date.min)).encode("utf-8"))
    for view in views:
        h.update(b"\0topic\0" + view.name.encode("utf-8"))
        for entry in view.entries:
            h.update(repr(entry).encode("utf-8"))
    return h.hexdigest()


def shown_day(store: Store, day: date, fingerprint: str, *, pinned: bool) -> tuple[date, str | None]:
    """The date the outputs show, and a note when it is not ``day``.

    A run changes the outputs only when what they show changed: if the views are as at the
    last publish, the date stays the one shown then, so a daily job with nothing new leaves
    every file (README header, feeds' build date) as it was and commits nothing. A ``pinned``
    day (an explicit --date) is shown even then. Never an older date than the outputs show
    already: a run for a past day would otherwise turn "Updated on" back.
    """
    raw = store.get_state(SHOWN_DAY)
    before = date.fromisoformat(raw) if raw else None
    note = None
    if before is not None and before > day:
        shown = before
        note = (f"the outputs already show {before.isoformat()}, later than {day.isoformat()}: "
                "they keep that date")
    elif before is not None and not pinned and store.get_state(SHOWN_FINGERPRINT) == fingerprint:
        shown = before
    else:
        shown = day
    store.set_states({SHOWN_DAY: shown.isoformat(), SHOWN_FINGERPRINT: fingerprint})
    return shown, note


def publish(config, store: Store, day: date, *, style: str | None = None, full: bool = False,
            pinned: bool = True) -> PublishResult:
    """Write README/JSON/Pages/WeChat outputs for every configured topic, as the config asks.

    The date they show is ``day`` when something in them changed (or ``pinned``: an explicit
    --date), else the date they showed before (see shown_day). The site rebuilds only its
    parts whose papers changed; ``full`` rebuilds them all."""
    from .. import render

    opts = render_options(config, day, style)
    views = build_views(store, list(config.topics), style=opts.style, summary_key=summary_key_for(config))
    result = PublishResult()
    day, note = shown_day(store, day, _fingerprint(views, opts), pinned=pinned)
    opts = replace(opts, date=day)
    result.day = day
    if note:
        result.warnings.append(note)
        log.warning("%s", note)

    def write(key_or_path, text: str) -> None:
        path = config.path_of(key_or_path) if isinstance(key_or_path, str) else key_or_path
        if path.suffix.lower() == ".md":
            # GitHub Pages passes Markdown through Liquid: no paper may open a tag.
            text = liquid_safe(text)
        result.note(path, atomic_write_text(path, text))

    if config.publish_readme:
        readme = render.render_readme(views, opts)
        write("md_readme_path", readme.text)
        size = len(readme.text.encode("utf-8"))
        if size > GITHUB_README_LIMIT:
            # The seed look archives older papers to stay under its budget; the cv-arxiv-daily
            # look keeps every row, as that tool did, so it can outgrow what GitHub shows.
            result.warnings.append(
                f"{config.path_of('md_readme_path')} is {size / 1024:,.0f} KB, over the 512 KB GitHub displays; "
                "the seed style (`style: seed`) moves older papers to archive pages")
            log.warning("%s", result.warnings[-1])
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
        from ..render.site import build_site

        feeds_rel = os.path.relpath(config.feeds_dir, config.site_dir).replace(os.sep, "/")
        site = build_site(views, opts, config.site_dir, feeds_rel=feeds_rel if config.publish_feeds else None,
                          full=full)
        result.written += site.written
        result.unchanged += site.unchanged
        result.site_index = site.index
    for line in written_lines([str(p) for p in result.written]):
        log.debug("%s", line)
    return result
