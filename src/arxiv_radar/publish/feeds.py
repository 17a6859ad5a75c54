"""Write the RSS/Atom feeds from the store (called by publish; no network)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path

from ..fsutil import atomic_write_text
from ..render.digest import PaperEvent
from ..render.feeds import render_feeds
from ..render.view import TopicView
from ..store import Store
from ..store.events import latest_events
from .views import build_views, render_options, summary_key_for

log = logging.getLogger(__name__)

__all__ = ["feed_events", "write_feeds"]


def feed_events(store: Store, paper_ids) -> dict[str, PaperEvent]:
    """Each paper's latest new/updated/backfilled event, as the renderers want it."""
    return {
        pid: PaperEvent(ev.kind, ev.version, date.fromisoformat(ev.day))
        for pid, ev in latest_events(store.conn, paper_ids).items()
    }


def write_feeds(
    config,
    store: Store,
    day: date,
    *,
    views: Sequence[TopicView] | None = None,
    site_url: str | None = None,
) -> list[Path]:
    """Render every feed into ``config.feeds_dir``; returns the files whose content changed.

    Files are written atomically and left untouched when identical, so a re-run of the same
    day changes nothing. ``views`` may be passed when the caller has built them already.
    """
    if views is None:
        views = build_views(store, list(config.topics), summary_key=summary_key_for(config))
    ids = {e.paper.id for v in views for e in v.entries}
    events = feed_events(store, ids)
    # A feed announces news: papers a backfill added (without --notify) are on the pages, not here.
    views = [replace(v, entries=tuple(e for e in v.entries
                                      if getattr(events.get(e.paper.id), "kind", None) != "backfilled"))
             for v in views]
    texts = render_feeds(views, render_options(config, day), events, site_url=site_url)
    feeds_dir = config.path_of("feeds_dir")
    written = []
    for rel, text in sorted(texts.items()):
        path = feeds_dir / rel
        if atomic_write_text(path, text):
            written.append(path)
    # A topic taken out of the config takes its feeds along: a feed left behind would look
    # alive to its subscribers and never change. Only our own file names are touched.
    if feeds_dir.is_dir():
        for path in sorted(feeds_dir.iterdir()):
            if path.name.endswith((".rss.xml", ".atom.xml")) and path.name not in texts and path.is_file():
                path.unlink()
                log.info("removed %s: its topic is no longer in the config", path)
    return written
