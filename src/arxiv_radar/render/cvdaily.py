"""The ``cv-arxiv-daily`` style: byte for byte what cv-arxiv-daily's ``json_to_md`` writes.

What it does, and we copy:
- rows ``|**<updated date>**|**<title>**|<first author> et.al.|[<id>](http://arxiv.org/abs/<id>)|<code>|``
  with ``<code>`` = ``**[link](<url>)**`` or ``null``; "et.al." whatever the author count;
- per topic, rows sorted by the versionless id as a string, descending;
- each row passed through its ``pretty_math``: the span from the first to the last ``$`` gets
  its inside stripped and one space added on each side unless a space or ``*`` is already there;
- topics without papers are left out (table of contents included); TOC anchors are the topic
  lowercased with spaces -> "-"; back-to-top anchor "#updated-on-YYYYMMDD";
- README: header, usage line, TOC, tables, back-to-top links, badge block.
  docs/index.md: Jekyll front matter, spaced table header, no TOC, no back-to-top.
  docs/wechat.md: "> Updated on" instead of a heading, bullets instead of a table.
Where we differ on purpose: a ``|`` in a title is escaped and a ``<`` opening a tag becomes
``&lt;`` (cv-arxiv-daily breaks the table or lets the tag through); non-http(s) code URLs are
dropped; the badge block names the configured repository (cv-arxiv-daily hard-codes its own)
and is left out when no repository is configured.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence

from .common import badge_block, dotted_date, updated_date
from .escape import collapse, compat_text, md_url
from .view import Entry, RenderOptions, TopicView

__all__ = [
    "compat_row",
    "compat_wechat_row",
    "pretty_math",
    "render_gitpage",
    "render_json",
    "render_readme",
    "render_wechat",
]

_MATH = re.compile(r"\$.*\$")  # greedy on purpose: cv-arxiv-daily's span is first $ .. last $


def pretty_math(s: str) -> str:
    m = _MATH.search(s)
    if m is None:
        return s
    start, end = m.span()
    before = s[start - 1] if start > 0 else " "
    after = s[end] if end < len(s) else " "
    lead = "" if before in " *" else " "
    trail = "" if after in " *" else " "
    return f"{s[:start]}{lead}${m.group()[1:-1].strip()}${trail}{s[end:]}"


def _code(entry: Entry) -> str | None:
    return md_url(entry.code_url)


def compat_row(entry: Entry, escape: bool = True) -> str:
    """A table row. ``escape=False`` gives the raw row cv-arxiv-daily keeps in its JSON."""
    p = entry.paper
    text = compat_text if escape else collapse
    code = _code(entry)
    code_cell = f"**[link]({code})**" if code else "null"
    return (
        f"|**{updated_date(entry).isoformat()}**|**{text(p.title)}**|"
        f"{text(p.first_author)} et.al.|[{p.id}]({p.abs_url})|{code_cell}|\n"
    )


def compat_wechat_row(entry: Entry, escape: bool = True) -> str:
    p = entry.paper
    text = compat_text if escape else collapse
    url = p.abs_url
    row = (
        f"- {updated_date(entry).isoformat()}, **{text(p.title)}**, "
        f"{text(p.first_author)} et.al., Paper: [{url}]({url})"
    )
    code = _code(entry)
    if code:
        row += f", Code: **[{code}]({code})**"
    return row + "\n"


def _rows_by_id(topic: TopicView, make_row: Callable[[Entry], str]) -> dict[str, str]:
    """id -> row in first-seen order, a later entry for the same id replacing the row
    (what cv-arxiv-daily's dict.update does)."""
    rows: dict[str, str] = {}
    for e in topic.entries:
        rows[e.paper.id] = make_row(e)
    return rows


def _json_to_md(
    topics: Sequence[TopicView],
    opts: RenderOptions,
    make_row: Callable[[Entry], str],
    *,
    to_web: bool = False,
    use_title: bool = True,
    use_tc: bool = True,
    use_b2t: bool = True,
) -> str:
    day = dotted_date(opts.date)
    out: list[str] = []
    if use_title and to_web:
        out.append("---\nlayout: default\n---\n\n")
    out.append(("## Updated on " if use_title else "> Updated on ") + day + "\n")
    out.append("> Usage instructions: [here](./docs/README.md#usage)\n\n")
    shown = [(t, _rows_by_id(t, make_row)) for t in topics]
    shown = [(t, rows) for t, rows in shown if rows]
    if use_tc:
        out.append("<details>\n  <summary>Table of Contents</summary>\n  <ol>\n")
        for t, _ in shown:
            name = compat_text(t.name)
            out.append(f"    <li><a href=#{name.replace(' ', '-').lower()}>{name}</a></li>\n")
        out.append("  </ol>\n</details>\n\n")
    top = ("#Updated on " + day).replace(" ", "-").replace(".", "").lower()
    for t, rows in shown:
        out.append(f"## {compat_text(t.name)}\n\n")
        if use_title:
            if to_web:
                out.append("| Publish Date | Title | Authors | PDF | Code |\n")
                out.append("|:---------|:-----------------------|:---------|:------|:------|\n")
            else:
                out.append("|Publish Date|Title|Authors|PDF|Code|\n|---|---|---|---|---|\n")
        for key in sorted(rows, reverse=True):
            out.append(pretty_math(rows[key]))
        out.append("\n")
        if use_b2t:
            out.append(f"<p align=right>(<a href={top}>back to top</a>)</p>\n\n")
    out.append(badge_block(opts))
    return "".join(out)


def render_readme(topics: Sequence[TopicView], opts: RenderOptions) -> str:
    return _json_to_md(topics, opts, compat_row)


def render_gitpage(topics: Sequence[TopicView], opts: RenderOptions) -> str:
    return _json_to_md(topics, opts, compat_row, to_web=True, use_tc=False, use_b2t=False)


def render_wechat(topics: Sequence[TopicView], opts: RenderOptions) -> str:
    return _json_to_md(topics, opts, compat_wechat_row, use_title=False)


def render_json(topics: Sequence[TopicView], opts: RenderOptions, *, wechat: bool = False) -> str:
    """cv-arxiv-daily's JSON database: {topic: {id: row}}, ``json.dump`` defaults (one line,
    ", "/": " separators, non-ASCII as \\u escapes). Rows are raw like cv-arxiv-daily's (no
    Markdown escaping, no math spacing: that happens when Markdown is written), so
    read_legacy_json gives back the same titles; in the order the entries are given
    (cv-arxiv-daily's dict keeps insertion order; pass first-seen order)."""
    row = compat_wechat_row if wechat else compat_row

    def make_row(e: Entry) -> str:
        return row(e, escape=False)

    return json.dumps({t.name: _rows_by_id(t, make_row) for t in topics})
