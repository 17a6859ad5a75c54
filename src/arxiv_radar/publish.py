"""From the store to files on disk: builds the renderers' view and writes every configured output.

No network here: everything is re-renderable from the database.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from .fsutil import atomic_write_text
from .render.view import Entry, RenderOptions, TopicView
from .store import Store

log = logging.getLogger(__name__)

__all__ = ["build_views", "publish", "PublishResult"]


@dataclass
class PublishResult:
    written: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)

    def note(self, path: Path, changed: bool) -> None:
        (self.written if changed else self.unchanged).append(path)


def build_views(store: Store, topic_names: list[str]) -> list[TopicView]:
    views = []
    for name in topic_names:
        ids = store.matched_ids(name)
        papers = store.get_papers(ids)
        links = store.link_summaries(ids)
        complete = store.authors_complete(ids)
        entries = tuple(
            Entry(
                paper=papers[pid],
                code_url=links[pid].url,
                code_status=links[pid].status,
                authors_complete=complete.get(pid, True),
            )
            for pid in ids
            if pid in papers
        )
        views.append(TopicView(name=name, entries=entries))
    return views


def render_options(config, day: date, style: str | None = None) -> RenderOptions:
    readme_dir = config.path_of("md_readme_path").parent
    archive_dir = config.path_of("archive_dir")
    try:
        prefix = archive_dir.relative_to(readme_dir).as_posix()
    except ValueError:
        prefix = archive_dir.as_posix()
    return RenderOptions(
        date=day,
        style=style or config.style,
        show_abstract=config.show_abstract,
        show_badge=config.show_badge,
        user_name=config.user_name,
        repo_name=config.repo_name,
        readme_max_bytes=config.readme_max_bytes,
        archive_link_prefix=prefix,
    )


def publish(config, store: Store, day: date, *, style: str | None = None) -> PublishResult:
    """Write README/JSON/Pages/WeChat outputs for every configured topic, as the config asks."""
    from . import render

    views = build_views(store, list(config.topics))
    opts = render_options(config, day, style)
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
    for path in result.written:
        log.info("wrote %s", path)
    return result
