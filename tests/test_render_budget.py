"""The README size budget (seed style): newest papers stay, the rest go to monthly archives."""

from __future__ import annotations

import datetime
import re
import time
from collections import Counter
from datetime import timezone

from arxiv_radar.model import Author, Paper
from arxiv_radar.render import Entry, RenderOptions, TopicView, render_readme

from test_render_helpers import entry

ROW_ID = re.compile(r"^\|\*\*(\d{4}-\d{2}-\d{2})\*\*\|.*?\|\[([^\]]+)\]\(")


def placement(result, topic_names):
    """(page, topic, id, date) for every row, topics read from the ## headings."""
    out = []
    pages = {"README.md": result.text, **result.archives}
    for page, text in pages.items():
        topic = None
        for line in text.splitlines():
            if line.startswith("## ") and line[3:] in topic_names:
                topic = line[3:]
            m = ROW_ID.match(line)
            if m:
                out.append((page, topic, m.group(2), m.group(1)))
    return out


def make_topics(n_topics: int, per_topic: int, abstract: str = "") -> list[TopicView]:
    base = datetime.datetime(2015, 1, 1, tzinfo=timezone.utc)
    topics = []
    for t in range(n_topics):
        es = []
        for k in range(per_topic):
            n = t * per_topic + k
            when = base + datetime.timedelta(days=(n * 7919) % 3650)  # scattered over ten years
            p = Paper(id=f"{when:%y%m}.{n:05d}", title=f"Paper {n}: Sánchez on $x^2$ & more",
                      abstract=abstract, authors=(Author("Ann Author"), Author("B")), published=when)
            es.append(Entry(p, code_url="https://github.com/x/y" if n % 3 == 0 else None,
                            code_status="found" if n % 3 == 0 else "none"))
        topics.append(TopicView(f"Topic {t}", tuple(es)))
    return topics


def test_small_budget_splits_into_monthly_archives():
    es_a = tuple(entry(f"24{m:02d}.{i:05d}", day=f"2024-{m:02d}-{i + 1:02d}") for m in range(1, 7) for i in range(5))
    es_b = tuple(entry(f"24{m:02d}.{i + 50:05d}", day=f"2024-{m:02d}-{i + 10:02d}") for m in (1, 6) for i in range(3))
    topics = [TopicView("Alpha", es_a), TopicView("Beta", es_b)]
    opts = RenderOptions(date=datetime.date(2024, 7, 1), readme_max_bytes=4000, user_name="u", repo_name="r")
    out = render_readme(topics, opts)
    assert len(out.text.encode("utf-8")) <= 4000
    assert out.archives  # something had to move
    rows = placement(out, {"Alpha", "Beta"})
    # Every entry exactly once, under its own topic.
    assert Counter((t, i) for _, t, i, _ in rows) == Counter(
        [("Alpha", e.paper.id) for e in es_a] + [("Beta", e.paper.id) for e in es_b])
    # Archive pages are named for the month of every row they hold; README keeps the newest.
    for page, _t, _i, day in rows:
        if page != "README.md":
            assert page == f"docs/archive/{day[:7]}.md"
    readme_days = [d for p, _, _, d in rows if p == "README.md"]
    archived_days = [d for p, _, _, d in rows if p != "README.md"]
    assert min(readme_days) >= max(archived_days)
    # Each archive page: a title line, then ## Topic only for topics with papers that month.
    jan = out.archives["docs/archive/2024-01.md"]
    assert jan.startswith("# Papers of 2024-01\n> Newer papers are in the [README](../../README.md).\n\n## Alpha\n\n"
                          "|Publish Date|Title|Authors|PDF|Code|\n|---|---|---|---|---|\n")
    assert "## Beta\n" in jan
    for page, text in out.archives.items():
        if "## Beta" not in text:
            assert not any(p == page and t == "Beta" for p, t, _, _ in rows)
    # The README links every archive page, and each cut topic says where its older papers are.
    for page in out.archives:
        assert f"]({page})" in out.text
    assert "<li><a href=#archive>Archive</a></li>" in out.text and "\n## Archive\n" in out.text
    assert re.search(r"Older papers: \[2024-\d\d\]\(docs/archive/2024-\d\d\.md#alpha\)", out.text)
    assert out.text.endswith("[issues-url]: https://github.com/u/r/issues\n\n")


def test_under_budget_means_no_archive():
    out = render_readme([TopicView("T", (entry("2501.00001"),))],
                        RenderOptions(date=datetime.date(2025, 1, 2)))
    assert out.archives == {} and "Archive" not in out.text and "Older papers" not in out.text


def test_archive_prefix_is_configurable():
    es = tuple(entry(f"2401.{i:05d}", day=f"2024-01-{i + 1:02d}") for i in range(20))
    out = render_readme([TopicView("T", es)], RenderOptions(date=datetime.date(2024, 2, 1), readme_max_bytes=1500,
                                                            archive_link_prefix="archive/"))
    assert list(out.archives) == ["archive/2024-01.md"]
    assert "](../README.md)" in out.archives["archive/2024-01.md"]


def test_hundred_thousand_entries():
    topics = make_topics(10, 10_000)
    opts = RenderOptions(date=datetime.date(2025, 1, 1), user_name="u", repo_name="r")
    start = time.perf_counter()
    out = render_readme(topics, opts)
    elapsed = time.perf_counter() - start
    print(f"\n100,000 entries: README {len(out.text.encode('utf-8')):,} bytes, "
          f"{len(out.archives)} archive pages, rendered in {elapsed:.2f} s")
    assert len(out.text.encode("utf-8")) <= opts.readme_max_bytes
    rows = placement(out, {t.name for t in topics})
    assert len(rows) == 100_000
    assert Counter((t, i) for _, t, i, _ in rows) == Counter((t.name, e.paper.id) for t in topics for e in t.entries)


def test_budget_boundary_is_exact():
    topics = [TopicView("A", (entry("2501.00001", title="Sánchez"), entry("2501.00002"))),
              TopicView("B", (entry("2501.00003"),))]
    size = len(render_readme(topics, RenderOptions(date=datetime.date(2025, 1, 1))).text.encode("utf-8"))
    at = render_readme(topics, RenderOptions(date=datetime.date(2025, 1, 1), readme_max_bytes=size))
    below = render_readme(topics, RenderOptions(date=datetime.date(2025, 1, 1), readme_max_bytes=size - 1))
    assert at.archives == {} and below.archives
    assert len(below.text.encode("utf-8")) <= size - 1


def test_budget_too_small_for_anything_archives_everything():
    es = tuple(entry(f"2401.{i:05d}", day=f"2024-01-{i + 1:02d}") for i in range(5))
    out = render_readme([TopicView("T", es)], RenderOptions(date=datetime.date(2024, 2, 1), readme_max_bytes=10))
    assert "|**" not in out.text  # no row fits; the page still says where they went
    assert "](docs/archive/2024-01.md)" in out.text
    assert len(placement(out, {"T"})) == 5
