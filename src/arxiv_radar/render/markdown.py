"""Markdown outputs: README (+ archive pages), docs/index.md, docs/wechat.md, the JSON database.

Pure functions over the view model (render.view); the caller writes the files with
fsutil.atomic_write_text. Two styles for README and index.md: "seed" (default, render.seed)
and "cv-arxiv-daily" (byte-for-byte compatibility, render.cvdaily). wechat.md and the JSON
database exist only in cv-arxiv-daily's formats, so the style does not change them.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..errors import ConfigError
from . import cvdaily, seed
from .view import RenderedReadme, RenderOptions, TopicView

__all__ = ["STYLES", "render_gitpage", "render_json", "render_readme", "render_wechat"]

STYLES = ("seed", "cv-arxiv-daily")


def _check_style(opts: RenderOptions) -> None:
    if opts.style not in STYLES:
        raise ConfigError(f"unknown output style {opts.style!r}; choose one of: {', '.join(STYLES)}")


def render_readme(topics: Sequence[TopicView], opts: RenderOptions) -> RenderedReadme:
    """README.md text and, in the seed style, archive pages beyond the size budget."""
    _check_style(opts)
    if opts.style == "cv-arxiv-daily":
        return RenderedReadme(cvdaily.render_readme(topics, opts))  # no budget: compatibility
    return seed.render_readme(topics, opts)


def render_gitpage(topics: Sequence[TopicView], opts: RenderOptions) -> str:
    """docs/index.md (Jekyll front matter, spaced table header)."""
    _check_style(opts)
    if opts.style == "cv-arxiv-daily":
        return cvdaily.render_gitpage(topics, opts)
    return seed.render_gitpage(topics, opts)


def render_json(topics: Sequence[TopicView], opts: RenderOptions, *, wechat: bool = False) -> str:
    """cv-arxiv-daily's JSON database ({topic: {id: row}}); ``wechat=True`` for the bullet rows."""
    return cvdaily.render_json(topics, opts, wechat=wechat)


def render_wechat(topics: Sequence[TopicView], opts: RenderOptions) -> str:
    """docs/wechat.md as cv-arxiv-daily writes it."""
    return cvdaily.render_wechat(topics, opts)
