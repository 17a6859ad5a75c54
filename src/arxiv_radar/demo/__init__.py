"""`arxiv-radar demo`: the daily job on a bundled sample, through a local mirror, no network.

The sample holds the papers of the seed README (two topics, ForgeryDetection and MLLM) and some
papers that match neither, so the run exercises harvesting, local matching and rendering.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path

import yaml

__all__ = ["DemoResult", "run_demo", "DEMO_DAY", "corpus_path"]

# The seed README's own date.
DEMO_DAY = date(2025, 3, 2)
# Written into the demo's folder: a later demo may reuse that folder, never a user's project.
MARKER = ".arxiv-radar-demo"


@dataclass
class DemoResult:
    papers: int
    topics: list[str]
    files: list[Path] = field(default_factory=list)
    site_index: Path | None = None


def corpus_path() -> Path:
    return Path(str(resources.files(__package__).joinpath("corpus.jsonl")))


def demo_config(out_dir: Path):
    from ..config import config_from_dict

    data = yaml.safe_load(resources.files(__package__).joinpath("config.yaml").read_text(encoding="utf-8"))
    data.update(
        {
            "database": "arxiv-radar.sqlite",
            # The sample spans the two weeks before the seed's date.
            "lookback_days": 21,
            # Loopback only: the client keeps its 3 s floor for arXiv hosts regardless.
            "request_interval": 0.0,
            "publish_gitpage": True,
            # Feeds and site beside the README, not under docs/: the config names the seed's
            # repository (for its badge block), and outputs under docs/ would link to that
            # repository's Pages site, which is not this demo.
            "feeds_dir": "feeds",
            "site_dir": "site",
            # Offline: code links come from the papers' own abstracts and comments only.
            "enrich": {"huggingface": False},
        }
    )
    return config_from_dict(data, base_dir=out_dir, source_name="<demo config>")


def run_demo(out_dir: Path) -> DemoResult:
    from .. import pipeline
    from ..errors import ConfigError
    from ..mirror import start_mirror

    out_dir = Path(out_dir)
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / MARKER).exists():
        # The demo writes a README, a store and a site: never over someone's own project.
        raise ConfigError(f"{out_dir}: not empty and not an earlier demo's folder; "
                          "give --out a new or empty folder")
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / MARKER).write_text("made by `arxiv-radar demo`; it may write here again\n", encoding="utf-8")
    # The mirror's request log is for people watching a served mirror, not for the demo.
    logging.getLogger("arxiv_radar.mirror").setLevel(logging.WARNING)
    # The sample is a fixed fortnight of 2025 with no holiday in it: the run's log lines (plan,
    # harvest) are for operators, the demo prints its own summary.
    logging.getLogger("arxiv_radar.pipeline").setLevel(logging.ERROR)
    config = demo_config(out_dir)
    with start_mirror([corpus_path()]) as server:
        report = pipeline.run(config, day=DEMO_DAY, api_url=server.api_url)
    files = [config.path_of("md_readme_path"), config.path_of("json_readme_path")]
    if config.publish_gitpage:
        files.append(config.path_of("md_gitpage_path"))
    files += sorted(config.feeds_dir.glob("*.xml"))
    site_index = config.site_dir / "index.html"
    total = sum(t["total"] for t in report.per_topic.values())
    return DemoResult(papers=total, topics=list(config.topics), files=[f for f in files if f.exists()],
                      site_index=site_index if site_index.exists() else None)
