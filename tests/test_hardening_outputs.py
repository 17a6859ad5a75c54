"""Outputs that cannot be turned against the user: Markdown that Jekyll's Liquid leaves alone,
fields capped, and non-site outputs rebuilt by the next render when missing or damaged."""

from __future__ import annotations

import html
from pathlib import Path

import liquid
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from arxiv_radar.cli import main
from arxiv_radar.mirror import start_mirror
from arxiv_radar.render.escape import liquid_safe
from synthetic import bulk_line, ny, write_corpus

LIQUID_TITLE = ("Radar {{ site.github.api_url }} and {% include evil.html %} with "
                "{% raw %}{{ x }}{% endraw %} then {% endraw %}{% assign n = 42 %}{{ n }} {%- comment -%} }}{")


def _run(tmp_path: Path, extra: str, titles: list[str], *, abstract: str = "An abstract.") -> CliRunner:
    lines = [bulk_line(f"2602.0000{i}", t, [ny(2026, 2, 10, 10, 0)], abstract=abstract)
             for i, t in enumerate(titles, 1)]
    corpus = write_corpus(tmp_path / "c.jsonl", lines)
    (tmp_path / "config.yaml").write_text(
        "keywords:\n  Radar:\n    filters: [radar]\nrequest_interval: 0\npublish_gitpage: true\n"
        "publish_wechat: true\npublish_site: false\nenrich: {huggingface: false}\n" + extra,
        encoding="utf-8",
    )
    with start_mirror([corpus]) as m:
        result = CliRunner().invoke(main, ["run", "-c", str(tmp_path / "config.yaml"), "--api-url", m.api_url,
                                           "--date", "2026-02-12"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


@pytest.mark.parametrize("style", ["seed", "cv-arxiv-daily"])
def test_a_title_with_liquid_tags_renders_through_liquid_to_its_literal_text(tmp_path, style):
    _run(tmp_path, f"style: {style}\n", [LIQUID_TITLE])
    for rel in ("docs/index.md", "docs/wechat.md", "README.md"):
        text = (tmp_path / rel).read_text(encoding="utf-8")
        # What Jekyll does first: Liquid over the whole file (front matter aside).
        body = text.split("---\n", 2)[2] if text.startswith("---\n") else text
        out = liquid.Template(body).render(site={"github": {"api_url": "LEAKED"}})
        assert out == body, rel  # Liquid found nothing to do
        shown = html.unescape(out)
        assert "LEAKED" not in shown and "42 " not in shown.replace("n = 42 ", "")
        assert "{{ site.github.api_url }}" in shown and "{% include evil.html %}" in shown
        assert "{% endraw %}{% assign n = 42 %}{{ n }}" in shown


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("{}%-raw endcomt|x ")), max_size=60))
def test_liquid_safe_text_never_opens_a_tag(text):
    safe = liquid_safe(text)
    assert liquid.Template(safe).render() == safe
    assert html.unescape(safe) == text


def test_text_without_liquid_pairs_is_unchanged():
    for text in ("plain", "$\\mathcal{O}(n)$ and {a}{b}", "}} %} closing only", ""):
        assert liquid_safe(text) == text


def test_a_2_mb_abstract_is_capped_in_every_output(tmp_path):
    huge = "radar " + "a" * 2_000_000
    _run(tmp_path, "show_abstract: true\npublish_feeds: true\n", ["Radar huge"], abstract=huge)
    for path in [*tmp_path.rglob("*.md"), *tmp_path.rglob("*.xml"), *tmp_path.rglob("*.json")]:
        if path.name == "c.jsonl":
            continue
        assert path.stat().st_size < 200_000, path
    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert "a" * 9_000 in readme and "a" * 10_001 not in readme


def test_missing_or_damaged_outputs_are_rewritten_by_the_next_render(tmp_path):
    _run(tmp_path, "", ["Radar one"])
    outputs = ["README.md", "docs/index.md", "docs/wechat.md", "docs/cv-arxiv-daily.json",
               "docs/cv-arxiv-daily-web.json", "docs/cv-arxiv-daily-wechat.json"]
    feeds = sorted(p.relative_to(tmp_path).as_posix() for p in (tmp_path / "docs" / "feeds").rglob("*") if p.is_file())
    assert feeds
    good = {rel: (tmp_path / rel).read_bytes() for rel in outputs + feeds}
    (tmp_path / "README.md").unlink()
    (tmp_path / "docs/index.md").write_text("damaged", encoding="utf-8")
    (tmp_path / "docs/cv-arxiv-daily.json").write_bytes(good["docs/cv-arxiv-daily.json"][:10])
    (tmp_path / feeds[0]).unlink()
    (tmp_path / feeds[-1]).write_text("<rss", encoding="utf-8")
    result = CliRunner().invoke(main, ["render", "-c", str(tmp_path / "config.yaml"), "--date", "2026-02-12"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "all outputs already up to date" not in result.output
    assert {rel: (tmp_path / rel).read_bytes() for rel in good} == good
