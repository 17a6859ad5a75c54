"""The ``seed`` style (default): the look our users know, with its defects fixed.

Layout: ``## Updated on YYYY.MM.DD``, the usage line, a ``<details>`` table of contents, one
``## Topic`` table per topic, back-to-top links, the badge reference block.

- Rows are sorted by the paper's first-publication date, newest first, ties by id descending
  (with ``sort: relevance``, the README's rows by the reader's score instead; see rank/).
- "et.al." only when there is more than one author, or the author list is incomplete
  (papers imported from cv-arxiv-daily).
- Code cell: ``**[link](URL)**`` when a link is known, ``null`` when we looked and found none
  (``code_status == "none"``), ``?`` when nobody has looked yet (``"unknown"``).
- Every cell goes through :func:`escape.md_cell`; anchors are GitHub's own heading slugs.
- README size budget: when the README would pass ``readme_max_bytes`` (UTF-8), each topic keeps
  its newest papers (one date cutoff for all topics) and the rest go to monthly archive pages
  ``{archive_link_prefix}/YYYY-MM.md`` (month of the first-publication date), linked from an
  "Archive" section and from an "Older papers" line under each cut topic. Every entry appears
  exactly once across the README and the archives.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from dataclasses import dataclass

from .common import badge_block, dotted_date
from .escape import collapse, html_text, md_cell, md_heading, md_url
from .slug import Slugger, github_slug
from .view import Entry, RenderedReadme, RenderOptions, TopicView

__all__ = ["UNKNOWN_CODE", "render_gitpage", "render_readme", "seed_row", "tldr_cell"]

UNKNOWN_CODE = "?"  # code cell of a paper nobody has looked for code for yet


def _usage(link: str | None) -> str:
    # A heading then a blank line when there is no page to point at.
    return f"> Usage instructions: [here]({link})\n\n" if link else "\n"


def _table_header(show_abstract: bool, web: bool = False, show_tldr: bool = False) -> str:
    if web:
        if show_tldr:
            names = ["Publish Date", "Title", "Authors", "PDF", "Code", "TL;DR"] + (["Abstract"] if show_abstract else [])
            rules = [":---------", ":-----------------------", ":---------", ":------", ":------", ":------"]
            rules += [":------"] if show_abstract else []
            return "| " + " | ".join(names) + " |\n|" + "|".join(rules) + "|\n"
        if show_abstract:
            return ("| Publish Date | Title | Authors | PDF | Code | Abstract |\n"
                    "|:---------|:-----------------------|:---------|:------|:------|:------|\n")
        return ("| Publish Date | Title | Authors | PDF | Code |\n"
                "|:---------|:-----------------------|:---------|:------|:------|\n")
    if show_tldr:
        names = ["Publish Date", "Title", "Authors", "PDF", "Code", "TL;DR"] + (["Abstract"] if show_abstract else [])
        return "|" + "|".join(names) + "|\n|" + "|".join(["---"] * len(names)) + "|\n"
    if show_abstract:
        return "|Publish Date|Title|Authors|PDF|Code|Abstract|\n|---|---|---|---|---|---|\n"
    return "|Publish Date|Title|Authors|PDF|Code|\n|---|---|---|---|---|\n"


def tldr_cell(entry: Entry) -> str:
    """The TL;DR cell: model output escaped like a title, and no Liquid tag either (index.md is
    rendered by Jekyll): braces become HTML entities, which GitHub and Jekyll show as braces."""
    if entry.summary is None or not entry.summary.tldr:
        return ""
    return md_cell(entry.summary.tldr).replace("{", "&#123;").replace("}", "&#125;")


def _authors_cell(entry: Entry) -> str:
    first = md_cell(entry.paper.first_author)
    if not first:
        return ""
    if len(entry.paper.authors) > 1 or not entry.authors_complete:
        return f"{first} et.al."
    return first


def _code_cell(entry: Entry) -> str:
    url = md_url(entry.code_url)
    if url:
        return f"**[link]({url})**"
    return "null" if entry.code_status == "none" else UNKNOWN_CODE


def seed_row(entry: Entry, show_abstract: bool = False, day: str | None = None, show_tldr: bool = False) -> str:
    """One table row, newline included. ``day``: the ISO date, when the caller has it."""
    p = entry.paper
    title = md_cell(p.title)
    pdf_url = md_url(p.abs_url) or ""
    cells = [
        f"**{day or p.published.date().isoformat()}**",
        f"**{title}**" if title else "",
        _authors_cell(entry),
        f"[{md_cell(p.id)}]({pdf_url})",
        _code_cell(entry),
    ]
    if show_tldr:
        cells.append(tldr_cell(entry))
    if show_abstract:
        abstract = md_cell(p.abstract)
        cells.append(f"**{abstract}**" if abstract else "")
    return "|" + "|".join(cells) + "|\n"


@dataclass(slots=True)
class _Row:
    key: tuple[str, str]  # (ISO date, id): sorts like (date, id)
    month: str
    text: str
    size: int  # UTF-8 bytes
    score: float | None = None  # the reader's relevance score (rank/), for `sort: relevance`


@dataclass
class _Topic:
    name: str  # collapsed display name
    rows: list[_Row]  # newest first


def _prepare(topics: Sequence[TopicView], show_abstract: bool, show_tldr: bool = False) -> list[_Topic]:
    built: dict[int, _Row] = {}  # one row per Entry object, however many topics share it
    out = []
    for t in topics:
        latest: dict[str, Entry] = {}
        for e in t.entries:  # the same paper twice under one topic: the later entry wins
            latest[e.paper.id] = e
        rows = []
        for e in latest.values():
            r = built.get(id(e))
            if r is None:
                day = e.paper.published.date().isoformat()
                text = seed_row(e, show_abstract, day, show_tldr)
                r = built[id(e)] = _Row((day, e.paper.id), day[:7], text, len(text.encode("utf-8")), e.score)
            rows.append(r)
        rows.sort(key=lambda r: r.key, reverse=True)
        out.append(_Topic(collapse(t.name), rows))
    return out


def _in_order(rows: list[_Row], sort: str) -> list[_Row]:
    """The README's rows: newest first, or with ``sort: relevance`` the scored ones best first
    (the rest after them, newest first). Which rows stay in the README is still decided by
    date, so the archive keeps whole months."""
    if sort != "relevance":
        return rows
    return sorted(rows, key=lambda r: (r.score is None, -(r.score or 0.0)))  # stable: date within ties


def _archive_path(opts: RenderOptions, month: str) -> str:
    return f"{opts.archive_link_prefix.rstrip('/')}/{month}.md"


def _archive_line(opts: RenderOptions, month: str, count: int) -> str:
    noun = "paper" if count == 1 else "papers"
    return f"- [{month}]({_archive_path(opts, month)}): {count} {noun}\n"


def _older_line(opts: RenderOptions, month: str, anchor: str, archive_anchor: str) -> str:
    return (f"Older papers: [{month}]({_archive_path(opts, month)}#{anchor}) "
            f"and earlier months in the [archive](#{archive_anchor}).\n\n")


def _readme_text(
    prepared: list[_Topic],
    kept: list[int],
    opts: RenderOptions,
    older: dict[int, tuple[str, str]],
    months: list[tuple[str, int]],
) -> str:
    """kept[i]: how many of topic i's rows stay; older[i]: (newest archived month, anchor)."""
    slugger = Slugger()
    header = f"Updated on {dotted_date(opts.date)}"
    top = slugger.slug(header)
    slugs = [slugger.slug(t.name) for t in prepared]
    archive_anchor = slugger.slug("Archive")
    out = [f"## {header}\n", _usage(opts.usage_link)]
    if opts.links:
        out.append("> " + " · ".join(f"[{md_cell(label)}]({url})" for label, url in opts.links) + "\n\n")
    out.append("<details>\n  <summary>Table of Contents</summary>\n  <ol>\n")
    for t, s in zip(prepared, slugs):
        out.append(f"    <li><a href=#{s}>{html_text(t.name)}</a></li>\n")
    if months:
        out.append(f"    <li><a href=#{archive_anchor}>Archive</a></li>\n")
    out.append("  </ol>\n</details>\n\n")
    b2t = f"<p align=right>(<a href=#{top}>back to top</a>)</p>\n\n"
    table_header = _table_header(opts.show_abstract, show_tldr=opts.show_tldr)
    for i, t in enumerate(prepared):
        out.append(f"## {md_heading(t.name)}\n\n")
        n = kept[i]
        if n:
            out.append(table_header)
            out.extend(r.text for r in _in_order(t.rows[:n], opts.sort))
            out.append("\n")
        elif not t.rows:
            out.append("No papers yet.\n\n")
        if i in older:
            month, anchor = older[i]
            out.append(_older_line(opts, month, anchor, archive_anchor))
        out.append(b2t)
    if months:
        out.append("## Archive\n\n")
        out.extend(_archive_line(opts, m, c) for m, c in months)
        out.append("\n")
        out.append(b2t)
    out.append(badge_block(opts))
    return "".join(out)


def _archive_pages(
    prepared: list[_Topic], kept: list[int], opts: RenderOptions
) -> tuple[dict[str, str], dict[int, tuple[str, str]], list[tuple[str, int]]]:
    """Pages for every row beyond ``kept``; also each cut topic's newest archived month and its
    anchor there, and (month, count) newest first."""
    by_month: dict[str, list[tuple[int, list[str]]]] = {}
    for i, t in enumerate(prepared):
        per_month: dict[str, list[str]] = {}
        for r in t.rows[kept[i]:]:  # newest first, so each month's rows stay sorted
            per_month.setdefault(r.month, []).append(r.text)
        for m, rows in per_month.items():
            by_month.setdefault(m, []).append((i, rows))
    prefix = opts.archive_link_prefix.rstrip("/")
    back = None if "://" in prefix or prefix.startswith("/") else posixpath.relpath("README.md", prefix)
    pages: dict[str, str] = {}
    older: dict[int, tuple[str, str]] = {}
    months: list[tuple[str, int]] = []
    table_header = _table_header(opts.show_abstract, show_tldr=opts.show_tldr)
    for m in sorted(by_month, reverse=True):
        slugger = Slugger()
        title = f"Papers of {m}"
        slugger.slug(title)
        out = [f"# {title}\n"]
        if back:
            out.append(f"> Newer papers are in the [README]({back}).\n")
        out.append("\n")
        count = 0
        for i, rows in by_month[m]:
            anchor = slugger.slug(prepared[i].name)
            older.setdefault(i, (m, anchor))  # months go newest first
            out.append(f"## {md_heading(prepared[i].name)}\n\n")
            out.append(table_header)
            out.extend(rows)
            out.append("\n")
            count += len(rows)
        pages[_archive_path(opts, m)] = "".join(out)
        months.append((m, count))
    return pages, older, months


def render_readme(topics: Sequence[TopicView], opts: RenderOptions) -> RenderedReadme:
    prepared = _prepare(topics, opts.show_abstract, opts.show_tldr)
    budget = opts.readme_max_bytes
    nothing = [0] * len(prepared)
    # Rows that join a table that had none also bring its header and closing blank line.
    header_cost = len(_table_header(opts.show_abstract, show_tldr=opts.show_tldr).encode("utf-8")) + 1
    full_size = len(_readme_text(prepared, nothing, opts, {}, []).encode("utf-8")) + sum(
        header_cost + sum(r.size for r in t.rows) for t in prepared if t.rows
    )
    if full_size <= budget:
        return RenderedReadme(_readme_text(prepared, [len(t.rows) for t in prepared], opts, {}, []))

    # Room left for rows once everything else is in: the page without rows, plus the most the
    # archive links can take (every month archived, every topic cut).
    month_counts: dict[str, int] = {}
    for t in prepared:
        for r in t.rows:
            month_counts[r.month] = month_counts.get(r.month, 0) + 1
    worst_months = sorted(month_counts.items(), reverse=True)
    worst_older = {
        i: ("0000-00", github_slug(t.name) + "-9999") for i, t in enumerate(prepared) if t.rows
    }
    fixed = len(_readme_text(prepared, nothing, opts, worst_older, worst_months).encode("utf-8"))
    room = budget - fixed

    # One cutoff for all topics: walk every row newest first and stop at the first that does
    # not fit, so each topic keeps a prefix of its own (identically sorted) list.
    order = sorted(
        ((r.key, i, j) for i, t in enumerate(prepared) for j, r in enumerate(t.rows)),
        reverse=True,
    )
    kept = [0] * len(prepared)
    for _key, i, j in order:
        cost = prepared[i].rows[j].size + (header_cost if kept[i] == 0 else 0)
        if cost > room or j != kept[i]:
            break
        room -= cost
        kept[i] += 1

    pages, older, months = _archive_pages(prepared, kept, opts)
    text = _readme_text(prepared, kept, opts, older, months)
    return RenderedReadme(text, pages)


def render_gitpage(topics: Sequence[TopicView], opts: RenderOptions) -> str:
    """docs/index.md in the seed look: Jekyll front matter, every paper (no size budget)."""
    prepared = _prepare(topics, opts.show_abstract, opts.show_tldr)
    out = ["---\nlayout: default\n---\n\n", f"## Updated on {dotted_date(opts.date)}\n", _usage(opts.gitpage_usage_link)]
    if opts.page_links:
        out.append("> " + " · ".join(f"[{md_cell(label)}]({url})" for label, url in opts.page_links) + "\n\n")
    header = _table_header(opts.show_abstract, web=True, show_tldr=opts.show_tldr)
    for t in prepared:
        out.append(f"## {md_heading(t.name)}\n\n")
        if t.rows:
            out.append(header)
            out.extend(r.text for r in t.rows)
            out.append("\n")
        else:
            out.append("No papers yet.\n\n")
    out.append(badge_block(opts))
    return "".join(out)
