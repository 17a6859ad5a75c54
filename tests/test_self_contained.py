"""The project needs nothing outside its clone: every recorded fixture is in tests/fixtures with
its source, and no test, benchmark, script or module reaches for a sibling directory."""

from __future__ import annotations

import csv
import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"
# A sibling "shared" folder named by a relative path, parents[2] / "shared", REPO.parent / "shared": any way of naming the workspace
# the project was first written in.
OUTSIDE = re.compile(r"""\.\./shared|parents\[2\]\s*/\s*["']shared|\.parent\s*/\s*["']shared|/work/shared""")


def test_every_fixture_file_has_a_provenance_row_and_every_row_a_file():
    with open(FIXTURES / "PROVENANCE.tsv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    listed = {row["file"] for row in rows}
    present = {p.relative_to(FIXTURES).as_posix() for p in FIXTURES.rglob("*") if p.is_file()}
    assert present - {"PROVENANCE.tsv"} == listed
    assert all(row["source repository"] for row in rows)


def test_nothing_reads_outside_the_clone():
    offenders = []
    for folder in ("src", "tests", "bench", ".ci", ".github", "docs"):
        for path in sorted((REPO / folder).rglob("*")):
            if not path.is_file() or path == Path(__file__) or FIXTURES in path.parents or ".venv" in path.parts \
                    or any(part.endswith(".egg-info") for part in path.parts):  # pip's copies, not ours
                continue
            if path.suffix not in {".py", ".sh", ".yml", ".yaml", ".md", ".toml", ".j2", ""}:
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            offenders += [f"{path.relative_to(REPO)}:{n}" for n, line in enumerate(text.splitlines(), 1)
                          if OUTSIDE.search(line)]
    assert offenders == []
