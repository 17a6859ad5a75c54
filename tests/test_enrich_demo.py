"""The demo corpus: every paper whose abstract or comment names a repository gets its link."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest

from arxiv_radar.demo import corpus_path
from arxiv_radar.enrich import EnrichSettings, enrich, format_source_table, source_table
from arxiv_radar.store import Store

DEMO_DAY = date(2025, 3, 2)
# An independent, deliberately simple notion of "names a repository".
_NAMES_REPO = re.compile(r"(github\.com|gitlab\.com|bitbucket\.org|codeberg\.org)/[\w.-]+/[\w.-]+", re.I)


def _load():
    from arxiv_radar.sources.bulk import parse_bulk_line

    lines = corpus_path().read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()], [parse_bulk_line(line) for line in lines if line.strip()]


@pytest.fixture
def demo_store(tmp_path):
    records, papers = _load()
    with Store.open(tmp_path / "demo.sqlite") as store:
        store.upsert_papers(papers, DEMO_DAY, origin="snapshot")
        yield store, records


def test_demo_corpus_links_from_abstracts_and_comments(demo_store):
    store, records = demo_store
    ids = [r["id"] for r in records]
    # Offline: only the text sources, which always run.
    report = enrich(store, day=DEMO_DAY, paper_ids=ids, settings=EnrichSettings(huggingface=False))

    links = store.link_summaries(ids)
    named = {r["id"] for r in records if _NAMES_REPO.search((r.get("abstract") or "") + " " + (r.get("comments") or ""))}
    assert named, "the demo corpus should name some repositories"
    for pid in named:
        assert links[pid].status == "found", pid
    for pid in set(ids) - named:
        assert links[pid].status == "none", pid

    assert (links["2502.19716"].url, links["2502.19716"].source) == (
        "https://github.com/zju-pi/Awesome-Diffusion-generated-Image-Detection", "abstract")
    assert (links["2502.19917"].url, links["2502.19917"].source) == ("https://github.com/HITsz-TMG/ViSA", "abstract")
    assert report.requests == {} and report.failures == 0

    table = source_table(store, ids)
    assert table["abstract"]["shown"] + table["comment"]["shown"] == len(named)
    print("\n" + format_source_table(table))
