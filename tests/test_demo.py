"""`arxiv-radar demo` reproduces the seed README's structure, offline, with correct UTF-8."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from arxiv_radar.cli import main

ROW = re.compile(r"^\|\*\*(\d{4}-\d{2}-\d{2})\*\*\|.*\|\[([^\]]+)\]\(http://arxiv\.org/abs/[^)]+\)\|")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    result = CliRunner().invoke(main, ["demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert str(out / "README.md") in result.output
    assert "Open the site: file://" in result.output and "/site/index.html" in result.output
    return out


@pytest.fixture(scope="module")
def seed_text(fixtures: Path) -> str:
    """The project's seed README (tests/fixtures/seed/README.md), the structure the demo copies."""
    return (fixtures / "seed" / "README.md").read_text(encoding="utf-8")


def rows_by_topic(text):
    topics, current = {}, None
    for line in text.splitlines():
        if line.startswith("## ") and not line.startswith("## Updated"):
            current = line[3:]
            topics[current] = []
        elif current and (m := ROW.match(line)):
            topics[current].append((m.group(2), m.group(1)))
    return topics


def test_demo_writes_readme_pages_and_json(demo):
    for rel in ("README.md", "docs/index.md", "docs/cv-arxiv-daily.json"):
        assert (demo / rel).is_file()
    assert (demo / "docs" / "index.md").read_text(encoding="utf-8").startswith("---\nlayout: default\n---\n")


def test_demo_readme_has_the_seed_structure_line_for_line(demo, seed_text):
    ours = (demo / "README.md").read_text(encoding="utf-8").splitlines()
    seed = seed_text.splitlines()
    # Every line that is not a paper row is the seed's, in the seed's order, but for the usage
    # line: it points at docs/README.md, which the demo folder does not have, so it is left out.
    # Our one addition: a line linking the feeds, under the heading. The demo's feeds and site
    # are not under docs/, so nothing links to the Pages site of the repository its config
    # names (the seed's), and the local site is not linked (GitHub would show its source).
    assert ours[1:4] == ["", "> [RSS feed](feeds/all.rss.xml) · [Atom feed](feeds/all.atom.xml)", ""]
    assert not any("github.io" in line for line in ours)
    assert not any("Usage instructions" in line for line in ours)
    ours = ours[:1] + ours[3:]
    seed = [line for line in seed if not line.startswith("> Usage instructions:")]
    assert [l for l in ours if not l.startswith("|**")] == [l for l in seed if not l.startswith("|**")]


def test_demo_lists_every_seed_paper_newest_first_under_its_topic(demo, seed_text):
    ours = rows_by_topic((demo / "README.md").read_text(encoding="utf-8"))
    seed = rows_by_topic(seed_text)
    assert list(ours) == list(seed) == ["ForgeryDetection", "MLLM"]
    for topic, rows in seed.items():
        ids = [pid for pid, _ in ours[topic]]
        assert {pid for pid, _ in rows} <= set(ids)
        dates = [d for _, d in ours[topic]]
        assert dates == sorted(dates, reverse=True)


def test_demo_text_is_correct_utf8(demo):
    text = (demo / "README.md").read_text(encoding="utf-8")
    assert "Danae Sánchez Villegas et.al." in text
    assert "Ã" not in text


def test_demo_twice_is_byte_identical(demo):
    before = {p: p.read_bytes() for p in demo.rglob("*") if p.suffix in (".md", ".json")}
    result = CliRunner().invoke(main, ["demo", "--out", str(demo)])
    assert result.exit_code == 0
    assert {p: p.read_bytes() for p in before} == before


def test_demo_refuses_a_folder_that_is_not_its_own(tmp_path):
    project = tmp_path / "my-radar"
    project.mkdir()
    (project / "README.md").write_text("my own papers\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["demo", "--out", str(project)])
    assert result.exit_code == 2
    assert "not empty and not an earlier demo's folder" in result.output
    assert (project / "README.md").read_text(encoding="utf-8") == "my own papers\n"
    assert sorted(p.name for p in project.iterdir()) == ["README.md"]


def test_explain_names_the_field_that_matched_for_a_seed_paper(demo):
    from importlib import resources

    config = demo / "config.yaml"
    config.write_text(resources.files("arxiv_radar.demo").joinpath("config.yaml").read_text(encoding="utf-8"),
                      encoding="utf-8")
    result = CliRunner().invoke(main, ["explain", "2502.15176", "-c", str(config)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("2502.15176v1  Methods and Trends in Detecting Generated Images")
    assert lines[1] == "ForgeryDetection: matches"
    assert "  matched abs:Deepfake: stem 'deepfak' found in the abstract (abs)" in lines
    assert "MLLM: does not match" in lines


def test_a_reader_that_goes_away_is_no_error(tmp_path):
    # `arxiv-radar demo | head -1`: the reader is gone before the demo prints its lines.
    import os
    import subprocess
    import sys
    from pathlib import Path

    exe = str(Path(sys.executable).parent / "arxiv-radar")
    read_end, write_end = os.pipe()
    proc = subprocess.Popen([exe, "-q", "demo", "--out", str(tmp_path / "d")], stdout=write_end,
                            stderr=subprocess.PIPE)
    os.close(write_end)
    os.close(read_end)
    err = proc.stderr.read().decode("utf-8")
    assert proc.wait(timeout=60) == 0, err
    assert "error" not in err and "Traceback" not in err
