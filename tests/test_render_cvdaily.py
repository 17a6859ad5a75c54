"""The cv-arxiv-daily style, byte for byte against the tool's real output of 2025-03-01."""

from __future__ import annotations

import datetime
import json
from collections import defaultdict
from pathlib import Path

import pytest

from arxiv_radar.render import (
    RenderOptions,
    TopicView,
    render_gitpage,
    render_json,
    render_readme,
    render_wechat,
)
from arxiv_radar.bulk.legacy_rows import read_legacy_json
from arxiv_radar.publish.views import entry_from_legacy
from arxiv_radar.render.cvdaily import pretty_math

from test_render_helpers import CONFIG_TOPICS, FIXTURE_DAY, entry, unescaped_pipes

OPTS = RenderOptions(
    date=datetime.date(2025, 3, 1),
    style="cv-arxiv-daily",
    user_name="Vincentqyw",
    repo_name="cv-arxiv-daily",
)


@pytest.fixture(scope="module")
def day(fixtures: Path) -> Path:
    return fixtures / FIXTURE_DAY


@pytest.fixture(scope="module")
def fixture_topics(day: Path) -> list[TopicView]:
    """The view model built from docs/cv-arxiv-daily.json through the legacy parser only."""
    by_topic: dict[str, list] = defaultdict(list)
    rows = 0
    for topic, _key, row in read_legacy_json(day / "docs" / "cv-arxiv-daily.json"):
        assert not isinstance(row, Exception), row
        by_topic[topic].append(entry_from_legacy(row))
        rows += 1
    assert rows == 4256
    assert len({e.paper.id for es in by_topic.values() for e in es}) == 3949
    assert list(by_topic) == CONFIG_TOPICS  # the JSON keeps the config's order
    return [TopicView(name, tuple(by_topic[name])) for name in CONFIG_TOPICS]


def test_readme_byte_for_byte(day: Path, fixture_topics):
    out = render_readme(fixture_topics, OPTS)
    assert out.archives == {}  # no budget in the compatibility style
    assert out.text.encode("utf-8") == (day / "README.md").read_bytes()


def test_gitpage_byte_for_byte(day: Path, fixture_topics):
    assert render_gitpage(fixture_topics, OPTS).encode("utf-8") == (day / "docs" / "index.md").read_bytes()


def test_json_round_trip_byte_for_byte(day: Path, fixture_topics):
    # Entries passed in file order come back in file order, with json.dump's defaults.
    raw = (day / "docs" / "cv-arxiv-daily.json").read_bytes()
    out = render_json(fixture_topics, OPTS)
    assert out.encode("utf-8") == raw
    assert "\\u00e4" in out and "ä" not in out  # cv-arxiv-daily writes \u escapes


def test_topic_order_follows_the_view_not_the_alphabet(fixture_topics):
    text = render_readme(list(reversed(fixture_topics)), OPTS).text
    heads = [line for line in text.splitlines() if line.startswith("## ") and "Updated" not in line]
    assert heads == ["## " + t for t in reversed(CONFIG_TOPICS)]


def test_rows_sorted_by_id_descending_and_date_is_updated():
    topics = [TopicView("SLAM", (
        entry("2502.00001", day="2025-02-01", updated="2025-02-20", title="Old id"),
        entry("2502.00009", day="2025-02-05", title="New id"),
    ))]
    lines = render_readme(topics, OPTS).text.splitlines()
    rows = [line for line in lines if line.startswith("|**")]
    assert rows == [
        "|**2025-02-05**|**New id**|Ann Author et.al.|[2502.00009](http://arxiv.org/abs/2502.00009)|null|",
        "|**2025-02-20**|**Old id**|Ann Author et.al.|[2502.00001](http://arxiv.org/abs/2502.00001)|null|",
    ]


def test_et_al_always_and_unknown_code_is_null():
    e = entry("2501.00001", authors=("Solo",), status="unknown")
    text = render_readme([TopicView("T", (e,))], OPTS).text
    row = next(line for line in text.splitlines() if line.startswith("|**"))
    assert row == "|**2025-02-27**|**A title**|Solo et.al.|[2501.00001](http://arxiv.org/abs/2501.00001)|null|"


@pytest.mark.parametrize(
    "title, shown",
    [
        ("C$^3$Fusion: x", "C $^3$ Fusion: x"),
        ("$D^2$SLAM: x", "$D^2$ SLAM: x"),  # after "**": no space added
        ("X 360$^{\\circ} $ Views", "X 360 $^{\\circ}$ Views"),  # inside stripped
        ("${M^2D}$NeRF", "${M^2D}$ NeRF"),
        ("Just Add $100 More", "Just Add $100 More"),  # a lone $ is left alone
        ("Plain", "Plain"),
    ],
)
def test_pretty_math_in_titles(title, shown):
    row = f"|**2025-01-01**|**{title}**|A et.al.|[1](u)|null|\n"
    assert pretty_math(row) == f"|**2025-01-01**|**{shown}**|A et.al.|[1](u)|null|\n"


def test_pretty_math_spans_first_to_last_dollar():
    # cv-arxiv-daily's regex is greedy: one span from the first to the last "$".
    assert pretty_math("|**a$x$ and $y$b**|\n") == "|**a $x$ and $y$ b**|\n"


def test_empty_topics_left_out_and_badge_follows_config():
    topics = [TopicView("Empty", ()), TopicView("Full", (entry("2501.00001"),))]
    text = render_readme(topics, RenderOptions(date=datetime.date(2025, 3, 1), style="cv-arxiv-daily",
                                               user_name="someone", repo_name="papers")).text
    assert "Empty" not in text
    assert "<li><a href=#full>Full</a></li>" in text
    assert "https://github.com/someone/papers/issues\n\n" in text
    assert "Vincentqyw" not in text
    no_badge = render_readme(topics, RenderOptions(date=datetime.date(2025, 3, 1), style="cv-arxiv-daily")).text
    assert "shields.io" not in no_badge


def test_hostile_title_does_not_break_the_compat_table():
    e = entry("2501.00001", title="A | B <script>alert(1)</script> line\nbreak")
    text = render_readme([TopicView("T", (e,))], OPTS).text
    row = next(line for line in text.splitlines() if line.startswith("|**"))
    assert unescaped_pipes(row) == 6
    assert "<script" not in text
    assert "A \\| B &lt;script>alert(1)&lt;/script> line break" in row


def test_wechat_markdown():
    topics = [TopicView("SLAM", (
        entry("2201.03814", title="With code", authors=("A. Author", "B"), day="2022-01-19",
              code="https://github.com/x/y"),
        entry("2201.00001", title="No code $x$y", authors=("C. Author",), day="2022-01-02"),
    ))]
    assert render_wechat(topics, OPTS) == (
        "> Updated on 2025.03.01\n"
        "> Usage instructions: [here](./docs/README.md#usage)\n\n"
        "<details>\n  <summary>Table of Contents</summary>\n  <ol>\n"
        "    <li><a href=#slam>SLAM</a></li>\n"
        "  </ol>\n</details>\n\n"
        "## SLAM\n\n"
        "- 2022-01-19, **With code**, A. Author et.al., Paper: [http://arxiv.org/abs/2201.03814]"
        "(http://arxiv.org/abs/2201.03814), Code: **[https://github.com/x/y](https://github.com/x/y)**\n"
        "- 2022-01-02, **No code $x$ y**, C. Author et.al., Paper: [http://arxiv.org/abs/2201.00001]"
        "(http://arxiv.org/abs/2201.00001)\n"
        "\n"
        "<p align=right>(<a href=#updated-on-20250301>back to top</a>)</p>\n\n"
        "[contributors-shield]: https://img.shields.io/github/contributors/Vincentqyw/cv-arxiv-daily.svg?style=for-the-badge\n"
        "[contributors-url]: https://github.com/Vincentqyw/cv-arxiv-daily/graphs/contributors\n"
        "[forks-shield]: https://img.shields.io/github/forks/Vincentqyw/cv-arxiv-daily.svg?style=for-the-badge\n"
        "[forks-url]: https://github.com/Vincentqyw/cv-arxiv-daily/network/members\n"
        "[stars-shield]: https://img.shields.io/github/stars/Vincentqyw/cv-arxiv-daily.svg?style=for-the-badge\n"
        "[stars-url]: https://github.com/Vincentqyw/cv-arxiv-daily/stargazers\n"
        "[issues-shield]: https://img.shields.io/github/issues/Vincentqyw/cv-arxiv-daily.svg?style=for-the-badge\n"
        "[issues-url]: https://github.com/Vincentqyw/cv-arxiv-daily/issues\n\n"
    )


def test_wechat_json_rows_parse_back():
    from arxiv_radar.bulk.legacy_rows import parse_legacy_row

    topics = [TopicView("SLAM", (entry("2201.03814", code="https://github.com/x/y", day="2022-01-19"),))]
    data = json.loads(render_json(topics, OPTS, wechat=True))
    row = data["SLAM"]["2201.03814"]
    assert row.endswith("\n") and row.startswith("- 2022-01-19, **A title**")
    parsed = parse_legacy_row(row)
    assert (parsed.arxiv_id, parsed.code_url) == ("2201.03814", "https://github.com/x/y")


def test_same_paper_twice_in_a_topic_keeps_the_later_row():
    topics = [TopicView("T", (entry("2501.00001", title="first"), entry("2501.00001", title="second")))]
    data = json.loads(render_json(topics, OPTS))
    assert list(data["T"]) == ["2501.00001"] and "**second**" in data["T"]["2501.00001"]


def test_json_keeps_raw_titles_and_reads_back(tmp_path):
    from arxiv_radar.bulk.legacy_rows import read_legacy_json

    title = "A | B: $\\|x\\|_2$ <i>norms</i>"
    topics = [TopicView("T", (entry("2301.00001", title=title, day="2023-01-02"),))]
    path = tmp_path / "db.json"
    path.write_text(render_json(topics, OPTS), encoding="utf-8")
    [(topic, key, row)] = list(read_legacy_json(path))
    assert (topic, key, row.title, row.date) == ("T", "2301.00001", title, datetime.date(2023, 1, 2))
