"""AI summaries in the outputs: where they show, that hostile model output cannot break any
output, that nothing changes (and no request is made) without `summaries:`, and the CLI."""

from __future__ import annotations

import email
import email.policy
import json
import re
import xml.etree.ElementTree as ET
from datetime import date, datetime, timezone
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from markdown_it import MarkdownIt

from arxiv_radar import pipeline
from arxiv_radar.cli import main
from arxiv_radar.config import config_from_dict
from arxiv_radar.deliver.stage import build_digest
from arxiv_radar.deliver.webhooks import discord_payload, json_payload, slack_payload
from arxiv_radar.model import Author, Paper
from arxiv_radar.publish.export import write_export
from arxiv_radar.publish.files import publish
from arxiv_radar.publish.views import summary_key_for
from arxiv_radar.render.email import build_email
from arxiv_radar.store import Store
from arxiv_radar.store import deliveries
from arxiv_radar.store.summaries import save_summary
from arxiv_radar.summarize import summarize, summary_key

from fake_openai import FakeOpenAI

DAY = date(2026, 3, 5)
HOSTILE = ("Cells | split <script>alert(1)</script> [click](javascript:alert(1)) ![x](https://t.example/p.png)\n"
           "| new | row | {% raw %} {{ site.github }} @everyone <@123> *bold* `code` &amp;")


def paper(i: int) -> Paper:
    return Paper(id=f"2603.{i:05d}", title=f"Radar paper {i}", abstract=f"We study radar problem {i}.",
                 authors=(Author("Jane Doe"), Author("Richard Roe")), categories=("cs.CV",), primary_category="cs.CV",
                 published=datetime(2026, 3, 1 + i, 12, tzinfo=timezone.utc))


def config_for(tmp_path, summaries: dict | None = None, **extra):
    data = {"keywords": {"Radar": {"filters": ["radar"]}}, "publish_gitpage": True, "show_abstract": True,
            "user_name": "someone", "repo_name": "radar", **extra}
    if summaries is not None:
        data["summaries"] = {"model": "gpt-test", "max_retries": 0, "timeout": 5, **summaries}
    return config_from_dict(data, base_dir=tmp_path)


def seeded(tmp_path, n: int = 3) -> Store:
    store = Store.open(tmp_path / "arxiv-radar.sqlite")
    papers = [paper(i) for i in range(1, n + 1)]
    store.upsert_papers(papers, DAY)
    store.add_matches("Radar", [(p.id, None) for p in papers], DAY)
    return store


def outputs(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and not p.name.endswith((".sqlite", ".sqlite-wal", ".sqlite-shm")) and "pagefind" not in p.parts}


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def tags(html: str) -> list[tuple[str, dict]]:
    parser = Tags()
    parser.feed(html)
    return parser.tags


@pytest.fixture
def fake():
    with FakeOpenAI() as server:
        yield server


# --------------------------------------------------------------------------- hostile output


@pytest.fixture
def hostile_site(tmp_path, fake):
    """A store where one paper's summary is hostile model output that went through the stage,
    and another's was written to the store unvalidated (an older tool, a hand edit)."""
    fake.answer = lambda body: json.dumps({"tldr": HOSTILE, "method": HOSTILE})
    config = config_for(tmp_path, {"fields": ["tldr", "method"]}, show_tldr=True)
    store = seeded(tmp_path)
    env = {"OPENAI_BASE_URL": fake.base_url, "OPENAI_API_KEY": "sk-test-0000000000"}
    report = summarize(store, config, day=DAY, env=env)
    assert report.summarised == 3
    raw = {"tldr": HOSTILE, "method": HOSTILE}
    with store.transaction():
        store.conn.execute("DELETE FROM summaries WHERE paper_id = '2603.00002'")
        save_summary(store.conn, "2603.00002", 1, summary_key(config.summaries), raw, 1, 1)
    yield config, store
    store.close()


def test_hostile_summaries_cannot_break_the_readme_or_index_md(hostile_site, tmp_path):
    config, store = hostile_site
    publish(config, store, DAY)
    md = MarkdownIt("commonmark").enable("table")
    for name in ("README.md", "docs/index.md"):
        text = (tmp_path / name).read_text(encoding="utf-8")
        assert "TL;DR" in text
        rows = [line for line in text.splitlines() if line.startswith("|") and "2603." in line]
        assert len(rows) == 3  # one line per paper: no newline got in
        html = md.render(text)
        trs = re.findall(r"<tr>(.*?)</tr>", html, re.S)
        assert len(trs) == 4  # header + 3 papers: no row was added
        assert all(tr.count("<td") == 7 for tr in trs[1:])  # date, title, authors, pdf, code, tl;dr, abstract
        found = tags(html)
        assert not [t for t in found if t[0] in ("script", "img")]
        hrefs = [a.get("href", "") for tag, a in found if tag == "a"]
        assert all(h.startswith(("http://arxiv.org/abs/", "#", "./docs", "docs/", "../", "https://someone", "feeds", "site", "docs"))
                   for h in hrefs), hrefs
        assert not any("javascript" in h or "t.example" in h for h in hrefs)
        # Jekyll renders index.md through Liquid: no tag or output from a summary survives.
        for row in rows:
            assert "{%" not in row and "{{" not in row


def test_hostile_summaries_are_escaped_on_the_site_and_in_feeds(hostile_site, tmp_path):
    config, store = hostile_site
    publish(config, store, DAY)
    page = (tmp_path / "docs" / "site" / "topics").rglob("index.html")
    html = next(page).read_text(encoding="utf-8")
    assert html.count('class="tldr"') == 3 and html.count('class="notes"') == 3
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert not [a for tag, a in tags(html) if tag == "a" and "javascript" in a.get("href", "")]
    assert not [t for t in tags(html) if t[0] == "img"]
    for feed in (tmp_path / "docs" / "feeds").glob("*.xml"):
        root = ET.fromstring(feed.read_bytes())  # still well-formed XML
        bodies = [el.text or "" for el in root.iter() if el.tag.split("}")[-1] in ("description", "content", "summary")]
        joined = "\n".join(bodies)
        assert "TL;DR:" in joined
        found = [t for body in bodies for t in tags(body)]
        assert {t for t, _ in found} <= {"p", "b", "a"}
        assert all(a["href"].startswith("https://arxiv.org/") for t, a in found if t == "a")


def test_hostile_summaries_are_escaped_in_email_and_webhooks(hostile_site):
    config, store = hostile_site
    pending = deliveries.pending(store.conn, "email", ["Radar"])
    digest = build_digest(store, ["Radar"], pending, DAY, None, summary_key_for(config))
    assert all(item.entry.summary is not None for item in digest.items)
    built = build_email(digest, sender="radar@example.org", to=["me@example.org"])
    msg = email.message_from_bytes(built.message.as_bytes(), policy=email.policy.default)
    plain = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert html.count("<strong>TL;DR:</strong>") == 3 and "<script>" not in html
    assert not [t for t in tags(html) if t[0] in ("script", "img")]
    assert not [a for tag, a in tags(html) if tag == "a" and "javascript" in a.get("href", "")]
    # In the text part each TL;DR sits under its title, wrapped, with no line of its own starting a list.
    block = plain.split("* Radar paper 2\n", 1)[1].split("\n  Jane Doe", 1)[0]
    assert block.startswith("  TL;DR: Cells | split <script>") and all(line.startswith("  ") for line in block.splitlines())

    slack = slack_payload(digest)
    text = "\n".join(b["text"]["text"] for b in slack["blocks"] if b["type"] == "section")
    assert text.count("_TL;DR:_") == 3
    assert "<script>" not in text and "&lt;script&gt;" in text
    # Slack links are <url|text>: the only ones are ours.
    assert {m.split("|")[0] for m in re.findall(r"<([^>]*)>", text)} == {f"https://arxiv.org/abs/2603.0000{i}" for i in (1, 2, 3)}
    discord = discord_payload(digest)
    desc = discord["embeds"][0]["description"]
    assert desc.count("*TL;DR:*") == 3 and "\\]\\(javascript" in desc
    assert not re.search(r"(?<!\\)\]\(javascript", desc)  # no Markdown link but ours
    assert "@\u200beveryone" in desc and discord["allowed_mentions"] == {"parse": []}
    assert len(desc.splitlines()) == 6  # a title line and a TL;DR line per paper
    body = json_payload(digest)
    assert all(set(p["summary"]["fields"]) == {"tldr", "method"} for p in body["papers"])
    assert all("\n" not in p["summary"]["fields"]["tldr"] for p in body["papers"])


def test_the_export_has_a_summary_object_valid_against_the_schema(hostile_site):
    import io

    from test_export import _check
    from importlib import resources

    config, store = hostile_site
    schema = json.loads(resources.files("arxiv_radar.publish").joinpath("export_schema.json").read_text(encoding="utf-8"))
    out = io.StringIO()
    write_export(store, out, "json", ["Radar"], summary_key=summary_key_for(config))
    doc = json.loads(out.getvalue())
    _check(doc, schema, schema)
    summaries = {p["id"]: p["summary"] for p in doc["papers"]}
    assert all(s["model"] == "gpt-test" and s["language"] == "English" for s in summaries.values())
    assert set(summaries["2603.00001"]["fields"]) == {"tldr", "method"}
    # What the stage stored is clean; the unvalidated row is exported as stored, JSON-escaped.
    assert "\n" not in summaries["2603.00001"]["fields"]["tldr"]
    assert summaries["2603.00002"]["fields"]["tldr"] == HOSTILE


# --------------------------------------------------------------------------- off = as before


def test_without_summaries_no_request_is_made_and_outputs_are_byte_identical(tmp_path, fake, monkeypatch):
    """Two stores, the same papers; one also holds summaries (made under another config).
    Rendered with a config without `summaries:`, both give the same bytes; the pipeline makes
    no request although an endpoint is configured in the environment."""
    monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-0000000000")
    plain_dir, with_dir = tmp_path / "plain", tmp_path / "with"
    for root in (plain_dir, with_dir):
        root.mkdir()
        with seeded(root) as store:
            if root is with_dir:
                on = config_for(root, {"fields": ["tldr", "method"]}, show_tldr=True)
                assert summarize(store, on, day=DAY).summarised == 3
            off = config_for(root, show_tldr=True)  # show_tldr alone changes nothing
            publish(off, store, DAY)
            out = __import__("io").StringIO()
            write_export(store, out, "json", ["Radar"])
            if root is plain_dir:
                assert '"summary"' not in out.getvalue()
    assert fake.calls == 3  # only the summarize call above
    plain, with_ = outputs(plain_dir), outputs(with_dir)
    assert plain == with_ and "README.md" in plain and any("site" in k for k in plain)
    assert b"TL;DR" not in b"".join(plain.values())


def test_a_pipeline_run_without_summaries_makes_no_request(tmp_path, fake, monkeypatch):
    from arxiv_radar.demo import corpus_path
    from arxiv_radar.mirror import start_mirror

    monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-0000000000")
    config = demo_config(tmp_path, summaries=None)
    with start_mirror([corpus_path()]) as server:
        report = pipeline.run(config, day=date(2025, 3, 2), api_url=server.api_url)
    assert report.status == "ok" and fake.calls == 0
    assert "summaries" not in report.as_dict()


# --------------------------------------------------------------------------- end to end


def demo_config(out_dir: Path, summaries: dict | None, **extra):
    from importlib import resources

    data = yaml.safe_load(resources.files("arxiv_radar.demo").joinpath("config.yaml").read_text(encoding="utf-8"))
    data.update({"database": "arxiv-radar.sqlite", "lookback_days": 21, "request_interval": 0.0,
                 "enrich": {"huggingface": False}, "publish_site": False, **extra})
    if summaries is not None:
        data["summaries"] = summaries
    return config_from_dict(data, base_dir=out_dir)


def test_the_daily_run_summarises_once_and_shows_the_tldr(tmp_path, fake, monkeypatch):
    from arxiv_radar.demo import corpus_path
    from arxiv_radar.mirror import start_mirror

    monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-0000000000")
    config = demo_config(tmp_path, {"model": "gpt-test", "language": "Deutsch", "max_papers_per_run": 100},
                         show_tldr=True)
    with start_mirror([corpus_path()]) as server:
        first = pipeline.run(config, day=date(2025, 3, 2), api_url=server.api_url)
        calls = fake.calls
        second = pipeline.run(config, day=date(2025, 3, 2), api_url=server.api_url)
    assert first.status == second.status == "ok"
    done = first.summaries
    assert done["summarised"] == calls > 0 and done["left"] == 0 and done["calls"] == calls
    assert second.summaries["calls"] == 0 and fake.calls == calls
    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert "|Publish Date|Title|Authors|PDF|Code|TL;DR|Abstract|" in readme
    assert readme.count("TLDR in Deutsch:") == calls
    from arxiv_radar.ops.report import report_lines

    lines = report_lines(first)
    assert any(line.startswith(f"summaries: {calls} summarised, 0 failed, 0 left for the next run; {calls} calls")
               for line in lines)


def test_the_summarize_command(tmp_path, fake):
    cfg = tmp_path / "config.yaml"
    cfg.write_text("keywords:\n  Radar:\n    filters: [radar]\nsummaries:\n  model: gpt-test\n  max_retries: 0\n",
                   encoding="utf-8")
    with seeded(tmp_path):
        pass
    env = {"OPENAI_BASE_URL": fake.base_url, "OPENAI_API_KEY": "sk-test-0000000000"}
    runner = CliRunner()
    report_path = tmp_path / "report.json"
    result = runner.invoke(main, ["summarize", "-c", str(cfg), "--report", str(report_path)], env=env)
    assert result.exit_code == 0, result.output
    assert "summaries: 3 summarised, 0 failed, 0 left for the next run; 3 calls" in result.output
    assert json.loads(report_path.read_text())["summarised"] == 3
    again = runner.invoke(main, ["summarize", "-c", str(cfg)], env=env)
    assert again.exit_code == 0 and "0 calls" in again.output and fake.calls == 3
    with Store.open(tmp_path / "arxiv-radar.sqlite") as store:
        runs = [tuple(r) for r in store.conn.execute("SELECT command, status FROM runs")]
    assert runs == [("summarize", "ok"), ("summarize", "ok")]


def test_the_summarize_command_needs_the_section_and_a_key(tmp_path):
    cfg = tmp_path / "config.yaml"
    cfg.write_text("keywords:\n  Radar:\n    filters: [radar]\n", encoding="utf-8")
    with seeded(tmp_path):
        pass
    runner = CliRunner()
    off = runner.invoke(main, ["summarize", "-c", str(cfg)], env={"OPENAI_API_KEY": ""})
    assert off.exit_code == 2 and "no `summaries:` section" in off.output
    cfg.write_text("keywords:\n  Radar:\n    filters: [radar]\nsummaries:\n  model: m\n", encoding="utf-8")
    nokey = runner.invoke(main, ["summarize", "-c", str(cfg)], env={"OPENAI_API_KEY": "", "OPENAI_BASE_URL": ""})
    assert nokey.exit_code == 2 and "set OPENAI_API_KEY" in nokey.output and "Traceback" not in nokey.output


def test_config_errors_name_the_key(tmp_path):
    from arxiv_radar.config import load_config
    from arxiv_radar.errors import ConfigError

    cfg = tmp_path / "config.yaml"
    cfg.write_text("keywords:\n  Radar:\n    filters: [radar]\nsummaries:\n  model: m\n  fields: [tldr, abstract]\n",
                   encoding="utf-8")
    with pytest.raises(ConfigError, match=r"config.yaml:6: summaries.fields"):
        load_config(cfg)
    cfg.write_text("keywords:\n  Radar:\n    filters: [radar]\nsummaries:\n  model: m\n  api_key_env: sk-abc123\n",
                   encoding="utf-8")
    with pytest.raises(ConfigError, match="name the variable, not its value") as err:
        load_config(cfg)
    assert "sk-abc123" not in str(err.value)  # it may be the key itself


def test_doctor_checks_the_summaries_endpoint_without_calling_it(tmp_path, fake):
    from arxiv_radar.ops.doctor import doctor

    cfg = tmp_path / "config.yaml"
    cfg.write_text("keywords:\n  Radar:\n    filters: [radar]\nsummaries:\n  model: gpt-test\n", encoding="utf-8")
    missing = doctor(cfg, offline=True, env={})
    assert [c.message for c in missing.checks if c.area == "summaries"] == [
        "OPENAI_API_KEY is not set (nor OPENAI_BASE_URL): no summary can be made"]
    assert missing.exit_code == 1
    fine = doctor(cfg, offline=True, env={"OPENAI_BASE_URL": fake.base_url, "OPENAI_API_KEY": "sk-test-0000000000"})
    (check,) = [c for c in fine.checks if c.area == "summaries"]
    assert check.status == "ok" and "sk-test" not in check.message and fake.calls == 0


def test_show_tldr_in_place_of_the_abstract(tmp_path, fake):
    config = config_for(tmp_path, {}, show_tldr=True, show_abstract=False)
    with seeded(tmp_path) as store:
        summarize(store, config, day=DAY, env={"OPENAI_BASE_URL": fake.base_url, "OPENAI_API_KEY": "sk-test-0000"})
        publish(config, store, DAY)
    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    index = (tmp_path / "docs" / "index.md").read_text(encoding="utf-8")
    assert "|Publish Date|Title|Authors|PDF|Code|TL;DR|\n|---|---|---|---|---|---|\n" in readme
    assert "| Publish Date | Title | Authors | PDF | Code | TL;DR |\n" in index
    assert readme.count("|TLDR in English: Radar paper") == 3
