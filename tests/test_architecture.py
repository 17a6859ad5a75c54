"""The layout promises of docs/architecture.md: a small package root, no import cycle, walls kept."""

from __future__ import annotations

from pathlib import Path

import arxiv_radar
from import_graph import broken_walls, cycles, imports

ROOT = Path(arxiv_radar.__file__).parent
DOCS = Path(__file__).resolve().parents[1] / "docs" / "architecture.md"


def _fake_package(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "fakepkg"
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_the_package_root_keeps_only_the_spine():
    loose = sorted(p.name for p in ROOT.glob("*.py"))
    assert len(loose) <= 7, loose
    assert set(loose) <= {"__init__.py", "cli.py", "pipeline.py", "model.py", "errors.py",
                          "fsutil.py", "progress.py"}, loose


def test_no_import_cycle_in_the_package():
    assert cycles(imports(ROOT, "arxiv_radar")) == []


def test_no_wall_is_broken():
    assert broken_walls(imports(ROOT, "arxiv_radar"), "arxiv_radar") == []


def test_architecture_doc_lists_every_folder():
    text = DOCS.read_text(encoding="utf-8")
    folders = sorted(p.name for p in ROOT.iterdir() if p.is_dir() and (p / "__init__.py").exists())
    missing = [name for name in folders if f"`{name}/`" not in text]
    assert missing == []


def test_the_checker_finds_a_cycle_through_a_lazy_import(tmp_path):
    root = _fake_package(tmp_path, {
        "__init__.py": "",
        "publish/__init__.py": "",
        "publish/files.py": "from .feeds import write_feeds\n",
        "publish/feeds.py": "def write_feeds():\n    from .files import publish\n",
    })
    assert cycles(imports(root, "fakepkg")) == [["fakepkg.publish.feeds", "fakepkg.publish.files"]]


def test_the_checker_finds_a_broken_wall(tmp_path):
    root = _fake_package(tmp_path, {
        "__init__.py": "",
        "model.py": "from .errors import Oops\n",
        "errors.py": "class Oops(Exception): pass\n",
        "sources/__init__.py": "",
        "sources/http.py": "import fakepkg.errors\n",
        "render/__init__.py": "",
        "render/site.py": "from ..sources import http\nfrom ..model import Paper\n",
        "store/__init__.py": "",
        "store/db.py": "from fakepkg.render.site import build\n",
    })
    problems = broken_walls(imports(root, "fakepkg"), "fakepkg")
    assert problems == [
        "fakepkg.model imports fakepkg.errors: model.py imports nothing of ours",
        "fakepkg.render.site imports fakepkg.sources.http: rendering never talks to the network",
        "fakepkg.store.db imports fakepkg.render.site: the store knows no output format",
    ]


def test_a_clean_fake_package_passes(tmp_path):
    root = _fake_package(tmp_path, {
        "__init__.py": "",
        "model.py": "import json\n",
        "render/__init__.py": "from . import site\n",
        "render/site.py": "from ..model import x\n",
    })
    graph = imports(root, "fakepkg")
    assert graph["fakepkg.render.site"] == {"fakepkg.model"}
    assert cycles(graph) == [] and broken_walls(graph, "fakepkg") == []
