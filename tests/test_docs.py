"""The README tells the truth: its commands are the ones CI runs, and every command is documented."""

from __future__ import annotations

import re
from pathlib import Path

from arxiv_radar.cli import main

REPO = Path(__file__).resolve().parent.parent


def readme_commands() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```sh\n(.*?)\n```", text, re.S)


def test_readme_opens_with_demo_then_test_command():
    first, second = readme_commands()[:2]
    assert first.endswith("arxiv-radar demo") and "pip install ." in first
    assert "pip install -e '.[test]'" in second and second.endswith("python -m pytest")


def test_ci_runs_the_readme_test_command_verbatim():
    test_command = readme_commands()[1]
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert test_command in ci.splitlines()


def test_every_command_is_in_the_readme():
    text = (REPO / "README.md").read_text(encoding="utf-8")
    names = list(main.commands)
    assert names
    for name in names:
        assert f"arxiv-radar {name}" in text, f"README does not mention `arxiv-radar {name}`"
