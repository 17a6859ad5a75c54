"""The seed style: the seed README's structure, with its defects fixed."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from arxiv_radar.errors import ConfigError
from arxiv_radar.model import Author
from arxiv_radar.bulk.legacy_rows import parse_legacy_row
from arxiv_radar.publish.views import entry_from_legacy
from arxiv_radar.render import (
    Entry,
    RenderOptions,
    Slugger,
    TopicView,
    github_slug,
    render_gitpage,
    render_readme,
)
from arxiv_radar.render.seed import seed_row

from test_render_helpers import entry, unescaped_pipes

DAY = datetime.date(2025, 3, 2)
OPTS = RenderOptions(date=DAY, user_name="Vincentqyw", repo_name="cv-arxiv-daily")


def rows_of(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("|**")]


@pytest.fixture(scope="module")
def seed_readme(fixtures: Path) -> str:
    return (fixtures / "seed" / "README.md").read_text(encoding="utf-8")


def _seed_topics(seed_text: str) -> list[TopicView]:
    """Entries rebuilt from the seed's own rows (mojibake undone), topic by topic."""
    topics: list[tuple[str, list[Entry]]] = []
    for line in seed_text.splitlines():
        if line.startswith("## ") and not line.startswith("## Updated"):
            topics.append((line[3:], []))
        elif line.startswith("|**"):
            fixed = line.encode("latin-1", errors="ignore").decode("utf-8") if "Ã" in line else line
            row = parse_legacy_row(fixed)
            abstract = fixed.rstrip("|").rsplit("|", 1)[1].removeprefix("**").removesuffix("**")
            e = entry_from_legacy(row)
            topics[-1][1].append(Entry(e.paper.with_(abstract=abstract), e.code_url, e.code_status, False))
    return [TopicView(name, tuple(es)) for name, es in topics]


def test_structure_matches_the_seed_line_by_line(seed_readme):
    topics = _seed_topics(seed_readme)
    assert [t.name for t in topics] == ["ForgeryDetection", "MLLM"]
    ours = render_readme(topics, RenderOptions(date=DAY, show_abstract=True, user_name="Vincentqyw",
                                                repo_name="cv-arxiv-daily"))
    assert ours.archives == {}
    mine, theirs = ours.text.splitlines(), seed_readme.splitlines()
    assert len(mine) == len(theirs)
    for a, b in zip(mine, theirs):
        if b.startswith("|**"):
            assert a.startswith("|**") and unescaped_pipes(a) == unescaped_pipes(b) == 7
        else:
            assert a == b  # header, usage line, TOC, headings, table header, back-to-top, badges
    # Same rows, mojibake fixed; only our cell normalisation differs (runs of spaces collapsed,
    # "&" as "&amp;", a backslash before punctuation doubled so "2.5\\%" shows as written).
    fixed = {" ".join(r.replace("SÃ¡nchez", "Sánchez").split()) for r in rows_of(seed_readme)}
    assert {r.replace("&amp;", "&").replace("\\\\", "\\") for r in rows_of(ours.text)} == fixed
    assert ours.text.endswith(seed_readme[-200:])


def test_utf8_names_survive(tmp_path):
    e = entry("2502.19409", authors=("Danae Sánchez Villegas", "B"), title="ImageChain")
    text = render_readme([TopicView("MLLM", (e,))], OPTS).text
    assert "|Danae Sánchez Villegas et.al.|" in text
    assert "Sánchez".encode("utf-8") in text.encode("utf-8")
    assert "Ã" not in text


def test_table_header_with_and_without_abstract():
    topics = [TopicView("T", (entry("2501.00001", abstract="We do *this* & that.\nNew line."),))]
    plain = render_readme(topics, OPTS).text
    assert "|Publish Date|Title|Authors|PDF|Code|\n|---|---|---|---|---|\n" in plain
    assert "Abstract" not in plain and "this" not in plain
    with_abs = render_readme(topics, RenderOptions(date=DAY, show_abstract=True)).text
    assert "|Publish Date|Title|Authors|PDF|Code|Abstract|\n|---|---|---|---|---|---|\n" in with_abs
    assert rows_of(with_abs)[0].endswith("|**We do \\*this\\* &amp; that. New line.**|")


def test_sorted_by_first_publication_then_id():
    topics = [TopicView("T", (
        entry("2502.00001", day="2025-02-01", updated="2025-02-28"),
        entry("2502.00003", day="2025-02-10"),
        entry("2502.00002", day="2025-02-10"),
        entry("2501.09999", day="2025-02-11"),
    ))]
    ids = [r.split("|")[4] for r in rows_of(render_readme(topics, OPTS).text)]
    assert [i[1:11] for i in ids] == ["2501.09999", "2502.00003", "2502.00002", "2502.00001"]
    assert rows_of(render_readme(topics, OPTS).text)[-1].startswith("|**2025-02-01**")  # published, not updated


def test_et_al_only_for_several_or_unknown_authors():
    one = entry("2501.00001", authors=("Solo Author",))
    two = entry("2501.00002", authors=("First Author", "Second"))
    legacy = entry("2501.00003", authors=("Only Known",), complete=False)
    nobody = entry("2501.00004", authors=())
    cells = {r.split("|")[4][1:11]: r.split("|")[3] for r in rows_of(render_readme(
        [TopicView("T", (one, two, legacy, nobody))], OPTS).text)}
    assert cells == {"2501.00001": "Solo Author", "2501.00002": "First Author et.al.",
                     "2501.00003": "Only Known et.al.", "2501.00004": ""}


def test_code_cell_found_none_unknown():
    es = (
        entry("2501.00001", code="https://github.com/x/y"),
        entry("2501.00002", status="none"),
        entry("2501.00003", status="unknown"),
        entry("2501.00004", code="javascript:alert(1)", status="found"),  # not a link we print
        entry("2501.00005", code="https://github.com/x/y)<b>|", status="found"),
        entry("2501.00006", code="https://github.com/x/z", status="none"),  # a link wins
    )
    rows = rows_of(render_readme([TopicView("T", es)], OPTS).text)
    codes = {r.split("|")[4][1:11]: r.rsplit("|", 2)[1] for r in rows}
    assert codes == {
        "2501.00001": "**[link](https://github.com/x/y)**",
        "2501.00002": "null",
        "2501.00003": "?",
        "2501.00004": "?",
        "2501.00005": "**[link](https://github.com/x/y%29%3Cb%3E%7C)**",
        "2501.00006": "**[link](https://github.com/x/z)**",
    }


def test_hostile_titles_cannot_break_the_table_or_inject_html():
    titles = ["<script>alert(1)</script>", "a | b || c", "line\nbreak\r\n\ttab", "ends with \\",
              "\\|escaped", "**bold** & <img src=x onerror=y>", "x\x00y\x1bz\u2028w"]
    es = tuple(entry(f"2501.{i:05d}", title=t, authors=(t, "B"), abstract=t) for i, t in enumerate(titles))
    text = render_readme([TopicView("T", es)], RenderOptions(date=DAY, show_abstract=True)).text
    rows = rows_of(text)
    assert len(rows) == len(titles)
    assert all(unescaped_pipes(r) == 7 for r in rows)
    assert "<script" not in text and "<img" not in text
    assert "|**&lt;script&gt;alert(1)&lt;/script&gt;**|" in text
    assert "|**line break tab**|" in text


def test_math_is_left_readable():
    row = seed_row(entry("2501.00001", title="C$^3$Fusion on $SU(2)\\times R^3$"))
    assert "|**C$^3$Fusion on $SU(2)\\times R^3$**|" in row


@pytest.mark.parametrize(
    "name, slug",
    [
        ("SLAM", "slam"),
        ("Visual Localization", "visual-localization"),
        ("Vision & Language", "vision--language"),
        ("Détection 3D", "détection-3d"),
        ("C++ / CUDA (GPU)", "c--cuda-gpu"),
        ("snake_case-and-dash", "snake_case-and-dash"),
        ("Updated on 2025.03.02", "updated-on-20250302"),
        ("🚀 Rockets", "-rockets"),
        ("视觉定位", "视觉定位"),
    ],
)
def test_github_slug(name, slug):
    assert github_slug(name) == slug


def test_slugger_numbers_duplicates_like_github():
    s = Slugger()
    assert [s.slug(x) for x in ["Updated on 2025.03.02", "SLAM", "slam", "SLAM!", "slam-1", "Updated on 2025.03.02"]] == [
        "updated-on-20250302", "slam", "slam-1", "slam-2", "slam-1-1", "updated-on-20250302-1"]


def test_toc_anchors_and_headings_for_awkward_names():
    names = ["Vision & Language", "Détection 3D", "SLAM", "SLAM", "Updated on 2025.03.02", "<b>Bold</b>"]
    topics = [TopicView(n, (entry(f"2501.0000{i}"),)) for i, n in enumerate(names)]
    text = render_readme(topics, OPTS).text
    for li in [
        "<li><a href=#vision--language>Vision &amp; Language</a></li>",
        "<li><a href=#détection-3d>Détection 3D</a></li>",
        "<li><a href=#slam>SLAM</a></li>",
        "<li><a href=#slam-1>SLAM</a></li>",
        "<li><a href=#updated-on-20250302-1>Updated on 2025.03.02</a></li>",
        "<li><a href=#bboldb>&lt;b&gt;Bold&lt;/b&gt;</a></li>",
    ]:
        assert li in text
    assert "\n## Vision &amp; Language\n" in text and "\n## &lt;b&gt;Bold&lt;/b&gt;\n" in text
    assert text.startswith("## Updated on 2025.03.02\n> Usage instructions: [here](./docs/README.md#usage)\n\n")
    assert text.count("<p align=right>(<a href=#updated-on-20250302>back to top</a>)</p>") == len(names)


def test_badge_block_uses_the_configured_repository_only():
    topics = [TopicView("T", (entry("2501.00001"),))]
    text = render_readme(topics, RenderOptions(date=DAY, user_name="alice", repo_name="my-radar")).text
    assert text.endswith(
        "[issues-shield]: https://img.shields.io/github/issues/alice/my-radar.svg?style=for-the-badge\n"
        "[issues-url]: https://github.com/alice/my-radar/issues\n\n")
    assert "Vincentqyw" not in text
    for opts in (RenderOptions(date=DAY, user_name="alice"), RenderOptions(date=DAY, repo_name="r"),
                 RenderOptions(date=DAY, user_name="alice", repo_name="r", show_badge=False)):
        assert "shields.io" not in render_readme(topics, opts).text


def test_empty_topic_is_listed_with_a_note():
    text = render_readme([TopicView("Quiet", ()), TopicView("T", (entry("2501.00001"),))], OPTS).text
    assert "<li><a href=#quiet>Quiet</a></li>" in text
    assert "## Quiet\n\nNo papers yet.\n\n<p align=right>" in text


def test_gitpage_seed_style():
    topics = [TopicView("T", (entry("2501.00001", title="a|b"),))]
    text = render_gitpage(topics, OPTS)
    assert text.startswith("---\nlayout: default\n---\n\n## Updated on 2025.03.02\n")
    assert "| Publish Date | Title | Authors | PDF | Code |\n|:---------|:-----------------------|:---------|:------|:------|\n" in text
    assert "|**a\\|b**|" in text and "<details>" not in text


def test_unknown_style_is_a_config_error():
    with pytest.raises(ConfigError, match="style"):
        render_readme([], RenderOptions(date=DAY, style="fancy"))


def test_author_objects_are_read_not_repr():
    e = Entry(entry("2501.00001").paper.with_(authors=(Author("Zoë", ("MIT",)),)), None, "none")
    assert "|Zoë|" in seed_row(e)
