"""The rank stage end to end on the demo's real papers: scores, feedback, reuse, the CLI, where
scores show (digest, webhooks, README, site), and byte-identical outputs without a library."""

from __future__ import annotations

import json
from datetime import date
from importlib import resources
from pathlib import Path

import pytest
from click.testing import CliRunner

from arxiv_radar import pipeline
from arxiv_radar.cli import main
from arxiv_radar.config import load_config
from arxiv_radar.deliver.stage import build_digest
from arxiv_radar.deliver.webhooks import json_payload
from arxiv_radar.query.match import match_papers
from arxiv_radar.rank import rank
from arxiv_radar.sources.bulk import parse_bulk_line
from arxiv_radar.store import Store
from arxiv_radar.store import deliveries

DAY = date(2025, 2, 28)
# Audio deepfake papers: the reader of this library cares about speech, not images.
LIBRARY = "2502.14726\n2502.20225\n"


def demo_papers():
    text = resources.files("arxiv_radar.demo").joinpath("corpus.jsonl").read_text(encoding="utf-8")
    return [parse_bulk_line(line) for line in text.splitlines() if line.strip()]


def make_project(tmp_path: Path, *, library: str | None = LIBRARY, extra: str = "") -> Path:
    demo = resources.files("arxiv_radar.demo").joinpath("config.yaml").read_text(encoding="utf-8")
    site = "" if "publish_site" in extra else "publish_site: false\n"
    text = demo + "\n" + site + "publish_feeds: false\n" + extra
    if library is not None:
        (tmp_path / "lib.txt").write_text(library, encoding="utf-8")
        text += "\nlibrary: lib.txt\n"
    cfg = tmp_path / "config.yaml"
    cfg.write_text(text, encoding="utf-8")
    config = load_config(cfg)
    with Store.open(config.path_of("database")) as store:
        papers = demo_papers()
        store.upsert_papers(papers, DAY)
        match_papers(store, config.topics, papers, DAY)
    return cfg


def ranked_ids(store: Store, topic: str) -> list[str]:
    scores = store.scores_for(topic)
    return sorted(scores, key=lambda pid: (-scores[pid].score, pid))


def test_scores_follow_the_library_and_say_why(tmp_path):
    config = load_config(make_project(tmp_path))
    with Store.open(config.path_of("database")) as store:
        report = rank(store, config)
        t = report.topics["ForgeryDetection"]
        assert (t.library, t.scored, t.reused) == (2, t.candidates, 0) and t.candidates == 10
        order = ranked_ids(store, "ForgeryDetection")
        scores = store.scores_for("ForgeryDetection")
        # The two library papers are themselves matches: first, and said so.
        assert set(order[:2]) == {"2502.14726", "2502.20225"}
        assert scores[order[0]].why["feedback"] == "in your library"
        # Next, the papers about audio deepfakes rather than images.
        others = [p for p in order if scores[p].why.get("feedback") is None]
        assert all(0 <= scores[p].score <= 1 for p in order)
        top = scores[others[0]]
        assert top.why["library"] and top.why["library"][0]["id"] in {"2502.14726", "2502.20225"}
        assert top.why["terms"] and top.method in ("svm", "svm+embed")
        # Every matched paper is scored, MLLM too (the library is global).
        assert len(store.scores_for("MLLM")) == report.topics["MLLM"].candidates


def test_scores_are_reproducible_run_to_run(tmp_path):
    results = []
    for name in ("a", "b"):
        folder = tmp_path / name
        folder.mkdir()
        config = load_config(make_project(folder))
        with Store.open(config.path_of("database")) as store:
            rank(store, config)
            rank(store, config, force=True)
            results.append({pid: (s.score, s.why, s.inputs) for pid, s in store.scores_for("MLLM").items()})
    assert results[0] == results[1] and results[0]


def test_scores_are_kept_until_library_feedback_or_method_change(tmp_path):
    config = load_config(make_project(tmp_path))
    with Store.open(config.path_of("database")) as store:
        rank(store, config)
        again = rank(store, config).topics["ForgeryDetection"]
        assert (again.scored, again.reused) == (0, 10)
        store.set_feedback(["2502.10920"], 1)
        liked = rank(store, config).topics["ForgeryDetection"]
        assert (liked.scored, liked.reused) == (10, 0)


def test_likes_and_dislikes_change_the_order(tmp_path):
    config = load_config(make_project(tmp_path))
    with Store.open(config.path_of("database")) as store:
        rank(store, config)
        before = store.scores_for("ForgeryDetection")
        order = ranked_ids(store, "ForgeryDetection")
        last, first_other = order[-1], order[2]
        store.set_feedback([last], 1, topic="ForgeryDetection")
        store.set_feedback([first_other], -1)
        rank(store, config)
        after = store.scores_for("ForgeryDetection")
        new_order = ranked_ids(store, "ForgeryDetection")
        # Liked: at the top with the library papers (all 1.0); it was last.
        assert new_order.index(last) < 3 and after[last].score == 1.0 and after[last].why["feedback"] == "liked"
        assert new_order[-1] == first_other and after[first_other].score == 0.0
        # The classifier learnt from them: papers nobody rated moved too.
        untouched = set(order) - {last, first_other, "2502.14726", "2502.20225"}
        assert any(abs(after[p].score - before[p].score) > 1e-3 for p in untouched)
        # The like was for this topic only: MLLM does not count it.
        assert store.feedback("MLLM").get(last) is None

        store.clear_feedback([last], topic="ForgeryDetection")
        store.clear_feedback([first_other])
        rank(store, config)
        assert {p: s.score for p, s in store.scores_for("ForgeryDetection").items()} == \
            {p: s.score for p, s in before.items()}


def test_likes_alone_rank_and_no_library_no_likes_means_no_scores(tmp_path):
    config = load_config(make_project(tmp_path, library=None))
    with Store.open(config.path_of("database")) as store:
        report = rank(store, config)
        assert report.topics["MLLM"].note.startswith("no library and no likes")
        assert store.scores_for("MLLM") == {}
        store.set_feedback(["2502.20035"], 1)
        rank(store, config)
        assert ranked_ids(store, "MLLM")[0] == "2502.20035"
        store.clear_feedback(["2502.20035"])
        rank(store, config)
        assert store.conn.execute("SELECT count(*) FROM scores").fetchone()[0] == 0


def test_a_topic_library_overrides_the_global_one(tmp_path):
    (tmp_path / "mllm.txt").write_text("2502.20035\n", encoding="utf-8")
    cfg = make_project(tmp_path)
    text = cfg.read_text(encoding="utf-8").replace(
        '"Multi-Modal LLM"]', '"Multi-Modal LLM"]\n        library: [mllm.txt]')
    cfg.write_text(text, encoding="utf-8")
    config = load_config(cfg)
    with Store.open(config.path_of("database")) as store:
        report = rank(store, config)
        assert report.topics["MLLM"].library == 1 and report.topics["ForgeryDetection"].library == 2
        assert ranked_ids(store, "MLLM")[0] == "2502.20035"


# --------------------------------------------------------------------------- the CLI


def test_rank_json_and_feedback_commands(tmp_path, monkeypatch):
    cfg = make_project(tmp_path)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    result = runner.invoke(main, ["rank", "-c", str(cfg), "--offline", "--json", "--limit", "5"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert len(rows) == 5
    assert all({"id", "topic", "score", "why"} <= set(r) for r in rows)
    assert [r["score"] for r in rows] == sorted((r["score"] for r in rows), reverse=True)

    result = runner.invoke(main, ["rank", "-c", str(cfg), "--offline", "--json", "--topic", "MLLM",
                                  "--since", "2025-02-26", "--until", "2025-02-27", "--limit", "100"])
    rows = json.loads(result.stdout)
    assert rows and {r["topic"] for r in rows} == {"MLLM"}
    assert all("2025-02-26" <= r["published"] <= "2025-02-27" for r in rows)

    target = rows[-1]["id"]
    result = runner.invoke(main, ["like", f"https://arxiv.org/abs/{target}v1", "-c", str(cfg), "--topic", "MLLM"])
    assert result.exit_code == 0 and "liked 1 paper for MLLM" in result.output
    result = runner.invoke(main, ["rank", "-c", str(cfg), "--offline", "--json", "--topic", "MLLM", "--limit", "1"])
    assert json.loads(result.stdout)[0]["id"] == target
    assert "0 reused" in result.stderr and "kept" not in result.stderr  # the like rescored all
    result = runner.invoke(main, ["rank", "-c", str(cfg), "--offline", "--json", "--topic", "MLLM", "--limit", "1"])
    assert "MLLM: 0 scored," in result.stderr and " reused (" in result.stderr
    result = runner.invoke(main, ["rank", "-c", str(cfg), "--offline", "--topic", "MLLM", "--limit", "1"])
    assert result.exit_code == 0 and target in result.output and "liked" in result.output
    result = runner.invoke(main, ["unlike", target, "-c", str(cfg), "--topic", "MLLM"])
    assert "forgot 1" in result.output

    bad = runner.invoke(main, ["like", "not-an-id", "-c", str(cfg)])
    assert bad.exit_code == 2 and "'not-an-id' is not an arXiv id" in bad.output
    bad = runner.invoke(main, ["rank", "-c", str(cfg), "--topic", "Nope"])
    assert bad.exit_code == 2 and "no topic 'Nope'" in bad.output
    bad = runner.invoke(main, ["dislike", "2502.20035", "-c", str(cfg), "--topic", "Nope"])
    assert bad.exit_code == 2
    nowhere = tmp_path / "typo" / "radar.sqlite"
    bad = runner.invoke(main, ["like", "2502.20035", "--db", str(nowhere)])
    assert bad.exit_code == 2 and "no such database" in bad.output and not nowhere.exists()


def test_rank_text_never_rounds_a_score_up_past_a_cut_and_clips_titles_at_words():
    from arxiv_radar.rank.listing import clip, score_text, why_text

    assert score_text(0.2999) == "0.299"  # under min_score: 0.3, so it must not read 0.300
    assert score_text(0.3) == "0.300" and score_text(0.29) == "0.290" and score_text(1.0) == "1.000"
    title = "Personalized Federated Fine-Tuning of Multimodal Models with Collaborative Low-Rank Adapters"
    cut = clip(title)
    assert cut.endswith("Collaborative…") and len(cut) <= 81 and "  " not in cut
    assert clip("Short title") == "Short title"
    why = why_text({"library": [{"title": title}, {"title": "AsymLoRA"}]})
    assert why == f"close to: {cut} | AsymLoRA"


# --------------------------------------------------------------------------- where scores show


def _digest(store: Store, config, **kw):
    topics = list(config.topics)
    pending = deliveries.pending(store.conn, "test", topics)
    return build_digest(store, topics, pending, DAY, None, **kw)


def test_digest_and_webhooks_order_by_score_with_top_and_min_score(tmp_path):
    config = load_config(make_project(tmp_path))
    with Store.open(config.path_of("database")) as store:
        plain = _digest(store, config)
        rank(store, config)
        ranked = _digest(store, config)
        for topic, items in ranked.groups():
            scores = [i.score for i in items]
            assert scores == sorted(scores, reverse=True), topic
        assert [i.entry.paper.id for _, items in ranked.groups() for i in items] != \
            [i.entry.paper.id for _, items in plain.groups() for i in items]
        payload = json_payload(ranked)
        assert [p["score"] for p in payload["papers"][:3]] == sorted((p["score"] for p in payload["papers"]), reverse=True)[:3]
        assert "why" in payload["papers"][0]
        assert all("score" not in p for p in json_payload(plain)["papers"])

        top = _digest(store, config, top=2)
        assert [len(items) for _, items in top.groups()] == [2, 2]
        assert top.held_back == len(ranked.items) - 4
        best = {t: items[:2] for t, items in ranked.groups()}
        assert {t: [i.entry.paper.id for i in items] for t, items in top.groups()} == \
            {t: [i.entry.paper.id for i in v] for t, v in best.items()}
        cut = sorted(i.score for i in ranked.items)[len(ranked.items) // 2]
        high = _digest(store, config, min_score=cut)
        assert high.items and all(i.score >= cut for i in high.items)
        assert len(high.items) < len(ranked.items)


def _outputs(folder: Path) -> dict[str, bytes]:
    skip = {"arxiv-radar.sqlite", "config.yaml", "lib.txt"}
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name not in skip and not p.name.startswith("arxiv-radar.sqlite")}


def test_without_library_outputs_are_byte_identical_to_no_ranking_at_all(tmp_path, monkeypatch):
    """No library, no likes: render writes exactly what it wrote before ranking existed (the
    rank stage switched off), and removing a library brings those bytes back."""
    extra = "publish_site: true\npublish_gitpage: true\nsort: relevance\n"
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    cfg_a = make_project(a, library=None, extra=extra)
    cfg_b = make_project(b, library=None, extra=extra)

    pipeline.render(load_config(cfg_a), day=DAY)
    with_stage = _outputs(a)
    monkeypatch.setattr(pipeline, "_rank", lambda *args, **kw: {})
    pipeline.render(load_config(cfg_b), day=DAY)
    assert _outputs(b) == with_stage  # the site's search index included: it is byte-deterministic
    monkeypatch.undo()

    # A library ranks (the README order and the site change) ...
    (a / "lib.txt").write_text(LIBRARY, encoding="utf-8")
    cfg_a.write_text(cfg_a.read_text(encoding="utf-8") + "library: lib.txt\n", encoding="utf-8")
    pipeline.render(load_config(cfg_a), day=DAY)
    ranked = _outputs(a)
    assert ranked["README.md"] != with_stage["README.md"]
    assert any(k.endswith("for-you.html") for k in ranked)
    # ... and taking it away restores every byte (the For you pages go away too).
    cfg_a.write_text(cfg_a.read_text(encoding="utf-8").replace("library: lib.txt\n", ""), encoding="utf-8")
    pipeline.render(load_config(cfg_a), day=DAY)
    assert _outputs(a) == with_stage


def test_readme_sort_relevance_and_site_for_you(tmp_path):
    cfg = make_project(tmp_path, extra="publish_site: true\nsort: relevance\n")
    config = load_config(cfg)
    pipeline.render(config, day=DAY)
    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    with Store.open(config.path_of("database")) as store:
        order = ranked_ids(store, "ForgeryDetection")
        scores = store.scores_for("ForgeryDetection")
    section = readme.split("## ForgeryDetection", 1)[1].split("## MLLM", 1)[0]
    in_readme = sorted(order, key=section.index)
    shown = [scores[pid].score for pid in in_readme]
    assert shown == sorted(shown, reverse=True) and len(set(shown)) > 2

    page = (tmp_path / "docs" / "site" / "topics" / "forgerydetection" / "for-you.html").read_text(encoding="utf-8")
    assert page.index(order[0]) < page.index(order[3]) < page.index(order[-1])
    assert 'data-score="1.00"' in page and "why</summary>" in page and "Close to your" in page
    index = (tmp_path / "docs" / "site" / "topics" / "forgerydetection" / "index.html").read_text(encoding="utf-8")
    assert 'href="for-you.html"' in index

    # The default (date) keeps the README newest first even with scores.
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("sort: relevance", "sort: date"), encoding="utf-8")
    pipeline.render(load_config(cfg), day=DAY)
    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    section = readme.split("## ForgeryDetection", 1)[1].split("## MLLM", 1)[0]
    dates = [line.split("|")[1] for line in section.splitlines() if line.startswith("|**")]
    assert dates == sorted(dates, reverse=True)


def test_the_daily_run_ranks_between_match_and_render(tmp_path):
    """A run through the mirror: the library's papers are fetched politely, matches scored, the
    report says so, and the digest webhook (JSON) lists papers by score."""
    from pytest_httpserver import HTTPServer

    from arxiv_radar.config import config_from_dict
    from arxiv_radar.demo import DEMO_DAY, corpus_path
    from arxiv_radar.mirror import start_mirror
    from arxiv_radar.ops.report import report_lines
    import yaml

    # Not in the sample: the mirror does not know it, so it stays unresolved (reported).
    (tmp_path / "lib.txt").write_text(LIBRARY + "2101.00001\n", encoding="utf-8")
    data = yaml.safe_load(resources.files("arxiv_radar.demo").joinpath("config.yaml").read_text(encoding="utf-8"))
    with HTTPServer(host="127.0.0.1") as hook:
        hook.expect_request("/hook", method="POST").respond_with_data("ok")
        data.update({"lookback_days": 21, "request_interval": 0.0, "enrich": {"huggingface": False},
                     "publish_site": False, "library": "lib.txt", "rank": {"top": 3},
                     "webhooks": [{"url": hook.url_for("/hook"), "format": "json"}]})
        config = config_from_dict(data, base_dir=tmp_path)
        with start_mirror([corpus_path()]) as server:
            report = pipeline.run(config, day=DEMO_DAY, api_url=server.api_url)
        body = json.loads(hook.log[0][0].get_data())
    ranking = report.as_dict()["ranking"]
    assert ranking["topics"]["ForgeryDetection"]["scored"] == 10
    assert any("2101.00001" in p for p in ranking["problems"])
    lines = report_lines(report)
    assert any(l.startswith("ranking ForgeryDetection: 10 scored") for l in lines)
    assert any("library entry not used" in l and "2101.00001" in l for l in lines)
    # rank.top = 3 per topic, best first within each topic.
    assert len(body["papers"]) == 6 and all("score" in p for p in body["papers"])
    for topic in ("ForgeryDetection", "MLLM"):
        scores = [p["score"] for p in body["papers"] if p["topics"][0] == topic]
        assert scores == sorted(scores, reverse=True) and len(scores) == 3


def test_a_liked_paper_the_store_lacks_is_fetched_and_counts(tmp_path):
    from arxiv_radar.model import Author, Paper

    config = load_config(make_project(tmp_path, library=None))
    asked = []

    def fetch(ids):
        asked.append(list(ids))
        return [Paper(id="2503.00001", title="Detecting audio deepfakes with prosody",
                      abstract="Speech deepfake detection from pitch and rhythm.", authors=(Author("A. Person"),),
                      categories=("cs.SD",), primary_category="cs.SD")]

    with Store.open(config.path_of("database")) as store:
        store.set_feedback(["2503.00001"], 1)
        report = rank(store, config, fetch=fetch, day=DAY)
        assert asked == [["2503.00001"]] and report.fetched == ["2503.00001"]
        assert report.topics["ForgeryDetection"].likes == 1
        assert len(store.scores_for("ForgeryDetection")) == 10
        # Stored quietly: no "new" event, so no feed or digest lists it.
        assert store.conn.execute("SELECT count(*) FROM events WHERE paper_id = '2503.00001'").fetchone()[0] == 0
        rank(store, config, fetch=fetch, day=DAY)
        assert len(asked) == 1  # stored now: not asked again
