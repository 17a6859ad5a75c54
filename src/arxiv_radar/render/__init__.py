"""Rendering: view model in, Markdown/JSON text out. Never imports sources/ or the store."""

from .escape import md_cell
from .markdown import STYLES, render_gitpage, render_json, render_readme, render_wechat
from .slug import Slugger, github_slug
from .view import Entry, RenderedReadme, RenderOptions, TopicView

__all__ = [
    "STYLES",
    "Entry",
    "RenderOptions",
    "RenderedReadme",
    "Slugger",
    "TopicView",
    "github_slug",
    "md_cell",
    "render_gitpage",
    "render_json",
    "render_readme",
    "render_wechat",
]
