"""From the store to files on disk: writes every configured output from the views (views.py).

No network here: everything is re-renderable from the database.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..fsutil import atomic_write_text
from ..render.escape import liquid_safe
from ..ops.report import written_lines
from ..store import Store
from .feeds import write_feeds
from .views import build_views, render_options, summary_key_for

log = logging.getLogger(__name__)

__all__ = ["publish", "PublishResult", "GITHUB_README_LIMIT"]

# GitHub stops displaying a README after its first 512 KB.
GITHUB_README_LIMIT = 512 * 1024


@dataclass
class PublishResult:
    written: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    site_index: Path | None = None
    warnings: list[str] = field(default_factory=list)

    def note(self, path: Path, changed: bool) -> None:
        (self.written if changed else self.unchanged).append(path)


def publish(config, store: Store, day: date, *, style: str | None = None, full: bool = False) -> PublishResult:
    """Write README/JSON/Pages/WeChat outputs for every configured topic, as the config asks.

    The site rebuilds only its parts whose papers changed; ``full`` rebuilds them all."""
    from .. import render

    opts = render_options(config, day, style)
    views = build_views(store, list(config.topics), style=opts.style, summary_key=summary_key_for(config))
    result = PublishResult()

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
