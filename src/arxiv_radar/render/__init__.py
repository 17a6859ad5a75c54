"""Rendering: view model in, Markdown/JSON text out. Never imports sources/ or the store."""

from .escape import md_cell
from .legacy import LegacyRow, entry_from_legacy, parse_legacy_row, read_legacy_json
from .markdown import STYLES, render_gitpage, render_json, render_readme, render_wechat
from .slug import Slugger, github_slug
from .view import Entry, RenderedReadme, RenderOptions, TopicView

__all__ = [
    "STYLES",
    "Entry",
    "LegacyRow",
    "RenderOptions",
    "RenderedReadme",
    "Slugger",
    "TopicView",
    "entry_from_legacy",
    "github_slug",
    "md_cell",
    "parse_legacy_row",
    "read_legacy_json",
    "render_gitpage",
    "render_json",
    "render_readme",
    "render_wechat",
]
