"""Escaping for text that goes into Markdown tables, headings, HTML and link targets.

The guarantee of :func:`md_cell`: whatever the text, the cell splits exactly where the table
means it to (GFM splits rows on ``|`` not preceded by an escaping backslash), and no HTML tag
from the text reaches the page. ``$...$`` math is left alone so it stays readable.
"""

from __future__ import annotations

import re

__all__ = ["collapse", "compat_text", "html_text", "liquid_safe", "md_cell", "md_heading", "md_url"]

# Whitespace, C0/C1 control characters and Unicode line/paragraph separators become one space:
# a newline inside a table row ends the row.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")

# A backslash is doubled only when it would otherwise escape something (ASCII punctuation,
# including our own "\|") or the cell's closing pipe (end of text). Before a letter it is
# literal in CommonMark, so LaTeX such as $\times$ is kept as written.
_CELL_SPECIAL = re.compile(r"[\\|*<>&\[\]]")
_BACKSLASH = re.compile(r"\\(?=[!-/:-@\[-`{-~]|\Z)")

_HEADING_SPECIAL = re.compile(r"\\(?=[!-/:-@\[-`{-~]|\Z)|[*_`\[\]#<>&]")
_HEADING_MAP = {"\\": "\\\\", "*": "\\*", "_": "\\_", "`": "\\`", "[": "\\[", "]": "\\]",
                "#": "\\#", "<": "&lt;", ">": "&gt;", "&": "&amp;"}

_HTML_MAP = {"<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;"}
_HTML_SPECIAL = re.compile(r'[<>&"]')

# In cv-arxiv-daily compatibility rows only what would break the table or open a tag changes,
# so ordinary rows stay byte-identical to cv-arxiv-daily's.
_COMPAT_SPECIAL = re.compile(r"\\(?=\||\Z)|\||<(?=[A-Za-z/!?])")
_COMPAT_MAP = {"\\": "\\\\", "|": "\\|", "<": "&lt;"}

_URL_OK = re.compile(r"^https?://[^\s]+$", re.IGNORECASE)
_URL_BAD_CHAR = re.compile(r"[\x00-\x20\x7f-\x9f|()<>\"'`\\\[\]*]")


def collapse(text: str) -> str:
    """Runs of whitespace and control characters -> one space; trimmed."""
    # isprintable() is False at the first control or non-space whitespace character, and
    # much cheaper than a regex scan; str.split() knows every Unicode whitespace (newlines,
    # U+2028, ...). Both run in C.
    if text.isprintable():
        if "  " in text or text[:1] == " " or text[-1:] == " ":
            return " ".join(text.split())
        return text
    text = " ".join(text.split())
    if not text.isprintable() and _CONTROL.search(text):
        text = " ".join(_CONTROL.sub(" ", text).split())
    return text


def md_cell(text: str) -> str:
    """Text for one GFM table cell (seed style)."""
    text = collapse(text)
    if not _CELL_SPECIAL.search(text):
        return text
    if "\\" in text:  # decided on the original next character, before we add any backslash
        text = _BACKSLASH.sub(r"\\\\", text)
    # "&" first so the entities we write are not escaped again. Plain replaces run in C.
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        .replace("|", "\\|").replace("*", "\\*")
        # No link or image can be made from a title: "[x](url)" and "![](tracker)" stay text.
        .replace("[", "\\[").replace("]", "\\]")
    )


def md_heading(text: str) -> str:
    """Text for a ``## heading`` whose rendered text is ``collapse(text)``."""
    text = collapse(text)
    return _HEADING_SPECIAL.sub(lambda m: _HEADING_MAP[m.group()], text)


def html_text(text: str) -> str:
    """Text inside an HTML block (the table of contents)."""
    text = collapse(text)
    return _HTML_SPECIAL.sub(lambda m: _HTML_MAP[m.group()], text)


def compat_text(text: str) -> str:
    """A cell for cv-arxiv-daily rows: as cv-arxiv-daily writes it, minus table breakers."""
    text = collapse(text)
    if not _COMPAT_SPECIAL.search(text):
        return text
    return _COMPAT_SPECIAL.sub(lambda m: _COMPAT_MAP[m.group()], text)


_LIQUID_OPEN = re.compile(r"\{(?=[{%])")


def liquid_safe(markdown: str) -> str:
    """A whole Markdown document that Jekyll's Liquid pass leaves as it is.

    GitHub Pages runs every Markdown file through Liquid before Markdown; a paper title holding
    ``{{ ... }}`` or ``{% ... %}`` would be evaluated (or break the build). Liquid only opens on
    ``{{`` and ``{%``, so each ``{`` followed by ``{`` or ``%`` becomes ``&#123;``, which
    Markdown and HTML show as ``{``. Applied to the finished document, so text meeting text
    across a cell boundary is covered too; a document without such pairs is unchanged.
    """
    if "{" not in markdown:
        return markdown
    return _LIQUID_OPEN.sub("&#123;", markdown)


def md_url(url: str | None) -> str | None:
    """An http(s) URL safe inside ``[text](url)``; None for anything else (javascript:, junk)."""
    if not url:
        return None
    url = url.strip()
    if not _URL_OK.match(url):
        return None
    if not _URL_BAD_CHAR.search(url):
        return url
    return _URL_BAD_CHAR.sub(lambda m: "%{:02X}".format(ord(m.group())), url)
