"""config.py: both config forms load, defaults hold, and every mistake names file, key path and line."""

from __future__ import annotations

import os
import textwrap
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from arxiv_radar.config import (
    ENV_OVERRIDES,
    PATH_KEYS,
    Config,
    config_from_dict,
    load_config,
)
from arxiv_radar.errors import ConfigError

NO_ENV: dict[str, str] = {}


def write(tmp_path: Path, text: str, name: str = "config.yaml") -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def error_of(path: Path, env: dict[str, str] | None = None) -> str:
    with pytest.raises(ConfigError) as info:
        load_config(path, env=NO_ENV if env is None else env)
    assert info.value.exit_code == 2
    return str(info.value)


def query_api():
    from arxiv_radar.query import from_filters, parse, with_exclusions

    return parse, from_filters, with_exclusions


# --------------------------------------------------------------------------- cv-arxiv-daily


def test_cv_arxiv_daily_config_loads_unchanged(fixtures):
    folder = fixtures / "cv-arxiv-daily" / "2025-03-01"
    config = load_config(folder / "config.yaml", env=NO_ENV)

    assert list(config.topics) == [
        "SLAM",
        "SFM",
        "Visual Localization",
        "Keypoint Detection",
        "Image Matching",
        "NeRF",
    ]
    assert config.topics["SLAM"].filters == ["SLAM", "Visual Odometry"]
    assert config.topics["Visual Localization"].filters[-1] == "image retrieval"
    assert config.topics["NeRF"].name == "NeRF"
    assert config.max_results == 10
    assert (config.publish_readme, config.publish_gitpage, config.publish_wechat) == (
        True,
        True,
        False,
    )
    assert (config.user_name, config.repo_name) == ("Vincentqyw", "cv-arxiv-daily")
    assert config.show_badge is True and config.show_authors is True and config.show_links is True
    folder = folder.resolve()
    assert config.json_readme_path == folder / "docs" / "cv-arxiv-daily.json"
    assert config.json_gitpage_path == folder / "docs" / "cv-arxiv-daily-web.json"
    assert config.json_wechat_path == folder / "docs" / "cv-arxiv-daily-wechat.json"
    assert config.md_readme_path == folder / "README.md"
    assert config.md_gitpage_path == folder / "docs" / "index.md"
    assert config.md_wechat_path == folder / "docs" / "wechat.md"
    assert config.config_dir == folder
    assert config.config_path == folder / "config.yaml"
    # base_url (Papers with Code) is obsolete: a warning with file and line, not an error.
    assert len(config.warnings) == 1
    assert config.warnings[0].startswith(f"{folder / 'config.yaml'}:2: base_url:")
    assert "Papers with Code" in config.warnings[0]


# --------------------------------------------------------------------------- defaults


def test_defaults(tmp_path):
    config = load_config(write(tmp_path, "topics: {A: {filters: [x]}}\n"), env=NO_ENV)
    base = tmp_path.resolve()
    assert config.max_results == 100
    assert config.publish_readme is True
    assert config.publish_gitpage is False and config.publish_wechat is False
    assert config.json_readme_path == base / "docs/cv-arxiv-daily.json"
    assert config.json_gitpage_path == base / "docs/cv-arxiv-daily-web.json"
    assert config.json_wechat_path == base / "docs/cv-arxiv-daily-wechat.json"
    assert config.md_readme_path == base / "README.md"
    assert config.md_gitpage_path == base / "docs/index.md"
    assert config.md_wechat_path == base / "docs/wechat.md"
    assert config.user_name is None and config.repo_name is None
    assert config.show_badge is False
    assert config.show_abstract is False
    assert config.database == base / "arxiv-radar.sqlite"
    assert config.lookback_days == 7
    assert config.source == "auto"
    assert config.api_url == "https://export.arxiv.org/api/query"
    assert config.oai_url == "https://oaipmh.arxiv.org/oai"
    assert config.rss_url == "https://rss.arxiv.org/rss"
    assert config.hf_url == "https://huggingface.co"
    assert config.request_interval == 3.0
    assert config.contact_email is None
    assert config.style == "seed"
    assert config.readme_max_bytes == 400_000
    assert config.archive_dir == base / "docs/archive"
    assert config.feeds_dir == base / "docs/feeds"
    assert config.site_dir == base / "docs/site"
    assert config.templates_dir is None
    assert (config.enrich.huggingface, config.enrich.paperswithcode) == (True, False)
    assert (config.enrich.github_stars, config.enrich.time_budget) == (False, 60)
    assert config.email is None
    assert config.webhooks == []
    assert config.warnings == []
    topic = config.topics["A"]
    assert (topic.query, topic.categories, topic.exclude) == (None, [], [])


@pytest.mark.parametrize(
    ("extra", "shown"),
    [
        ("user_name: u\nrepo_name: r\n", True),
        ("user_name: u\nrepo_name: r\nshow_badge: false\n", False),
        ("user_name: u\n", False),
        ("show_badge: 'False'\n", False),
    ],
)
def test_show_badge_default_follows_repository(tmp_path, extra, shown):
    config = load_config(write(tmp_path, "keywords: {A: {filters: [x]}}\n" + extra), env=NO_ENV)
    assert config.show_badge is shown


def test_yaml_booleans_and_quoted_values(tmp_path):
    path = write(
        tmp_path,
        """
        keywords: {"A": {filters: ["x"]}}
        publish_readme: False
        publish_gitpage: "True"
        publish_wechat: yes
        max_results: "25"
        """,
    )
    config = load_config(path, env=NO_ENV)
    assert (config.publish_readme, config.publish_gitpage, config.publish_wechat) == (
        False,
        True,
        True,
    )
    assert config.max_results == 25


# --------------------------------------------------------------------------- native form


def test_native_form(tmp_path):
    path = write(
        tmp_path,
        """
        topics:
          Zeta:
            query: 'ti:"neural radiance" OR abs:nerf'
            categories: [cs.CV, cs.GR]
            exclude: [survey]
          Alpha:
            filters: [SLAM]
          "2024": {filters: [year]}
        source: oai
        style: cv-arxiv-daily
        show_abstract: true
        lookback_days: 3
        request_interval: 5
        contact_email: me@example.org
        readme_max_bytes: 100000
        templates_dir: my-templates
        enrich: {huggingface: false, github_stars: true, time_budget: 12.5}
        email:
          to: [a@example.org, b@example.org]
          from: radar@example.org
          smtp_host: smtp.example.org
          smtp_port: 465
          security: ssl
        webhooks:
          - url: https://hooks.slack.com/services/x/
            format: slack
          - url: http://127.0.0.1:9/hook
        """,
    )
    config = load_config(path, env=NO_ENV)
    # YAML order, not alphabetical; a numeric-looking name stays a name.
    assert list(config.topics) == ["Zeta", "Alpha", "2024"]
    zeta = config.topics["Zeta"]
    assert zeta.query == 'ti:"neural radiance" OR abs:nerf'
    assert zeta.filters is None
    assert zeta.categories == ["cs.CV", "cs.GR"]
    assert zeta.exclude == ["survey"]
    assert (config.source, config.style, config.show_abstract) == ("oai", "cv-arxiv-daily", True)
    assert (config.lookback_days, config.request_interval) == (3, 5.0)
    assert config.contact_email == "me@example.org"
    assert config.readme_max_bytes == 100000
    assert config.templates_dir == tmp_path.resolve() / "my-templates"
    assert config.enrich.huggingface is False and config.enrich.github_stars is True
    assert config.enrich.time_budget == 12.5
    assert config.email is not None
    assert config.email.to == ["a@example.org", "b@example.org"]
    assert config.email.sender == "radar@example.org"
    assert (config.email.smtp_port, config.email.security) == (465, "ssl")
    assert [(w.url, w.format) for w in config.webhooks] == [
        ("https://hooks.slack.com/services/x", "slack"),
        ("http://127.0.0.1:9/hook", "json"),
    ]


def test_email_single_recipient_and_defaults(tmp_path):
    path = write(
        tmp_path,
        """
        topics: {A: {filters: [x]}}
        email: {to: me@example.org, from: radar@example.org, smtp_host: localhost}
        """,
    )
    email = load_config(path, env=NO_ENV).email
    assert email is not None
    assert email.to == ["me@example.org"]
    assert (email.smtp_port, email.security) == (587, "starttls")


def test_mixed_forms(tmp_path):
    path = write(
        tmp_path,
        """
        keywords:
          SLAM: {filters: ["SLAM"]}
          Radiance: {query: "abs:nerf", categories: [cs.CV]}
        publish_gitpage: True
        md_readme_path: 'out/README.md'
        source: rss
        webhooks: [{url: "https://example.org/h", format: discord}]
        """,
    )
    config = load_config(path, env=NO_ENV)
    assert list(config.topics) == ["SLAM", "Radiance"]
    assert config.topics["Radiance"].categories == ["cs.CV"]
    assert config.publish_gitpage is True and config.source == "rss"
    assert config.md_readme_path == tmp_path.resolve() / "out" / "README.md"
    assert config.webhooks[0].format == "discord"


def test_topic_ast_combines_query_exclusions_and_categories(tmp_path):
    parse, from_filters, with_exclusions = query_api()
    from arxiv_radar.query.nodes import And

    path = write(
        tmp_path,
        """
        topics:
          Plain: {filters: [SLAM, Visual Odometry]}
          Query: {query: "ti:nerf"}
          Full:
            filters: [NeRF]
            exclude: [survey]
            categories: [cs.CV, cs.GR]
        """,
    )
    topics = load_config(path, env=NO_ENV).topics
    assert topics["Plain"].ast == from_filters(["SLAM", "Visual Odometry"])
    assert topics["Query"].ast == parse("ti:nerf")
    assert topics["Full"].ast == And(
        (with_exclusions(from_filters(["NeRF"]), ["survey"]), parse("cat:cs.CV OR cat:cs.GR"))
    )


# --------------------------------------------------------------------------- paths and env


def test_paths_resolve_against_config_folder_not_cwd(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    path = write(
        tmp_path,
        f"""
        topics: {{A: {{filters: [x]}}}}
        md_readme_path: ../out/README.md
        database: {tmp_path / 'abs.sqlite'}
        feeds_dir: ~/feeds
        json_readme_path: './docs/data.json'
        """,
        name="project/conf/config.yaml",
    )
    config = load_config(path, env=NO_ENV)
    root = tmp_path.resolve()
    assert config.config_dir == root / "project" / "conf"
    assert config.md_readme_path == root / "project" / "out" / "README.md"
    assert config.database == root / "abs.sqlite"
    assert config.feeds_dir == home.resolve() / "feeds"
    assert config.json_readme_path == root / "project" / "conf" / "docs" / "data.json"
    assert config.site_dir == root / "project" / "conf" / "docs" / "site"
    for key in PATH_KEYS:
        value = config.path_of(key)
        assert value is None or (value.is_absolute() and value == getattr(config, key))
    with pytest.raises(KeyError):
        config.path_of("api_url")


def test_relative_config_path_names_file_as_given(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "topics: {A: {filters: [x]}}\nmax_results: many\n")
    message = error_of(Path("config.yaml"))
    assert message.startswith("config.yaml:2: max_results:")
    config_ok = write(tmp_path, "topics: {A: {filters: [x]}}\n", name="ok.yaml")
    assert load_config("ok.yaml", env=NO_ENV).config_path == config_ok.resolve()


def test_env_overrides_urls(tmp_path, monkeypatch):
    path = write(tmp_path, "topics: {A: {filters: [x]}}\napi_url: https://example.org/api\n")
    env = {var: f"http://127.0.0.1:8080/{key}/" for key, var in ENV_OVERRIDES.items()}
    config = load_config(path, env=env)
    assert config.api_url == "http://127.0.0.1:8080/api_url"
    assert config.oai_url == "http://127.0.0.1:8080/oai_url"
    assert config.rss_url == "http://127.0.0.1:8080/rss_url"
    assert config.hf_url == "http://127.0.0.1:8080/hf_url"
    # Default env is the process environment.
    monkeypatch.setenv("ARXIV_RADAR_API_URL", "http://localhost:1/api")
    for var in ("ARXIV_RADAR_OAI_URL", "ARXIV_RADAR_RSS_URL", "ARXIV_RADAR_HF_URL"):
        monkeypatch.delenv(var, raising=False)
    config = load_config(path)
    assert config.api_url == "http://localhost:1/api"
    assert config.rss_url == "https://rss.arxiv.org/rss"


def test_bad_env_override_names_variable(tmp_path):
    path = write(tmp_path, "topics: {A: {filters: [x]}}\n")
    message = error_of(path, env={"ARXIV_RADAR_OAI_URL": "oaipmh.arxiv.org"})
    assert message.startswith(f"{path}: $ARXIV_RADAR_OAI_URL: not an http(s) URL")


def test_config_from_dict(tmp_path):
    config = config_from_dict(
        {"topics": {"Demo": {"query": "cat:cs.CV"}}, "database": "demo.sqlite", "source": "api"},
        base_dir=tmp_path,
        env=NO_ENV,
    )
    assert config.database == tmp_path.resolve() / "demo.sqlite"
    assert config.config_path is None and config.config_dir == tmp_path.resolve()
    assert list(config.topics) == ["Demo"]
    config = config_from_dict({"keywords": {"K": {"filters": ["k"]}}}, base_dir=tmp_path, env=NO_ENV)
    assert list(config.topics) == ["K"]
    with pytest.raises(ConfigError) as info:
        config_from_dict(
            {"topics": {"Demo": {"filter": ["x"]}}, "source": "ftp"},
            base_dir=tmp_path,
            source_name="demo",
            env=NO_ENV,
        )
    lines = str(info.value).splitlines()
    assert "demo: topics.Demo.filter: unknown key (did you mean 'filters'?)" in lines
    assert any(line.startswith("demo: source: Input should be 'auto'") for line in lines)


# --------------------------------------------------------------------------- errors


def test_unknown_keys_suggest_nearest(tmp_path):
    path = write(
        tmp_path,
        """
        # comment line
        keywords:
          "SLAM":
            filter: ["SLAM"]
        publish_gitpages: true
        enrich: {hugingface: true}
        zzz_unrelated: 1
        """,
    )
    lines = error_of(path).splitlines()
    assert f"{path}:4: keywords.SLAM.filter: unknown key (did you mean 'filters'?)" in lines
    assert f"{path}:5: publish_gitpages: unknown key (did you mean 'publish_gitpage'?)" in lines
    assert f"{path}:6: enrich.hugingface: unknown key (did you mean 'huggingface'?)" in lines
    assert f"{path}:7: zzz_unrelated: unknown key" in lines


def test_wrong_types_name_key_path_and_line(tmp_path):
    path = write(
        tmp_path,
        """
        topics:
          A:
            filters:
              - SLAM
              - [nested]
            categories: "cs.CV bad"
        max_results: ten
        source: arxiv
        email:
          to: [someone]
          smtp_host: h
        webhooks:
          - url: ftp://example.org
          - format: json
        """,
    )
    lines = error_of(path).splitlines()
    # One pass: every problem in one message, sorted by line.
    assert lines == sorted(lines, key=lambda l: int(l.split(":")[1]))
    text = "\n".join(lines)
    assert f"{path}:5: topics.A.filters[1]: Input should be a valid string" in text
    assert f"{path}:6: topics.A.categories: Input should be a valid list" in text
    assert f"{path}:7: max_results: Input should be a valid integer" in text and "'ten'" in text
    assert f"{path}:8: source: Input should be 'auto', 'api', 'oai' or 'rss' (got 'arxiv')" in text
    assert f"{path}:9: email.from: required key missing" in text
    assert f"{path}:10: email.to: not an e-mail address: 'someone'" in text
    # The URL is not echoed: a webhook URL holds its secret token.
    assert f"{path}:13: webhooks[0].url: not a usable URL: the scheme must be http or https" in text
    assert "example.org" not in text.split("webhooks[0]")[1]
    assert f"{path}:14: webhooks[1]: give either `url` or `url_env`" in text


def test_out_of_range_values(tmp_path):
    path = write(
        tmp_path,
        """
        topics: {A: {filters: [x], categories: [cs.CV, "not a cat"]}}
        max_results: 0
        lookback_days: -1
        email: {to: a@b.c, from: r@b.c, smtp_host: h, smtp_port: 70000}
        """,
    )
    text = error_of(path)
    assert f"{path}:1: topics.A.categories: not an arXiv category: 'not a cat'" in text
    assert f"{path}:2: max_results: Input should be greater than or equal to 1" in text
    assert f"{path}:3: lookback_days:" in text
    assert f"{path}:4: email.smtp_port: Input should be less than or equal to 65535" in text


@pytest.mark.parametrize(
    "text",
    ["", "# only a comment\n", "max_results: 5\n"],
)
def test_missing_topics(tmp_path, text):
    path = write(tmp_path, text)
    message = error_of(path)
    assert message.startswith(f"{path}: topics: required")
    assert "keywords" in message


def test_empty_topics_and_empty_phrases(tmp_path):
    assert f"{tmp_path / 'a.yaml'}:1: topics: " in error_of(write(tmp_path, "topics: {}\n", "a.yaml"))
    message = error_of(write(tmp_path, "keywords:\n  A: {filters: []}\n  B: {filters: ['  ']}\n"))
    assert ":2: keywords.A.filters: List should have at least 1 item" in message
    assert ":3: keywords.B.filters: phrases must not be empty" in message


def test_topic_needs_filters_or_query(tmp_path):
    path = write(
        tmp_path,
        """
        keywords:
          Fine: {filters: [x]}
          Empty:
            categories: [cs.CV]
          Both: {filters: [x], query: "ti:x"}
        """,
    )
    lines = error_of(path).splitlines()
    assert lines == [
        f"{path}:3: keywords.Empty: a topic needs 'filters' (a list of phrases) or 'query'",
        f"{path}:5: keywords.Both: give either 'filters' or 'query', not both",
    ]


def test_topics_and_keywords_together(tmp_path):
    path = write(tmp_path, "topics: {A: {filters: [x]}}\nmax_results: 3\nkeywords: {B: {filters: [y]}}\n")
    message = error_of(path)
    assert message.startswith(f"{path}:3: keywords: give either 'topics' or 'keywords', not both")
    assert "line 1" in message


def test_duplicate_keys_report_both_lines(tmp_path):
    path = write(
        tmp_path,
        """
        keywords:
          SLAM: {filters: [a]}
          SFM: {filters: [b]}
          SLAM: {filters: [c]}
        max_results: 5
        max_results: 6
        """,
    )
    lines = error_of(path).splitlines()
    assert lines == [
        f"{path}:4: keywords.SLAM: duplicate key (first at line 2)",
        f"{path}:6: max_results: duplicate key (first at line 5)",
    ]


def test_yaml_syntax_error_names_line(tmp_path):
    path = write(tmp_path, "topics:\n  A: {filters: [x]}\nmax_results: [1, 2\nsource: api\n")
    message = error_of(path)
    assert message.startswith(f"{path}:4: YAML syntax error:")
    path = write(tmp_path, "topics:\n  A:\n    filters: [x]\n   bad_indent: 1\n", name="indent.yaml")
    assert error_of(path).startswith(f"{path}:4: YAML syntax error:")


def test_top_level_must_be_mapping(tmp_path):
    path = write(tmp_path, "- a\n- b\n")
    assert error_of(path) == f"{path}:1: the file must be a mapping of keys, not list"


def test_unreadable_files(tmp_path):
    missing = tmp_path / "nope.yaml"
    assert error_of(missing).startswith(f"{missing}: cannot read:")
    assert error_of(tmp_path).startswith(f"{tmp_path}: cannot read:")
    binary = tmp_path / "latin1.yaml"
    binary.write_bytes("topics: {Caf\xe9: {filters: [x]}}\n".encode("latin-1"))
    assert error_of(binary).startswith(f"{binary}: not UTF-8 text")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_unreadable_permissions(tmp_path):
    path = write(tmp_path, "topics: {A: {filters: [x]}}\n")
    path.chmod(0)
    try:
        assert "cannot read: Permission denied" in error_of(path)
    finally:
        path.chmod(0o600)


def test_utf8_with_bom_and_non_ascii_names(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_bytes("\ufefftopics:\n  Caf\u00e9 \u8996\u899a: {filters: [na\u00efve]}\n".encode("utf-8"))
    config = load_config(path, env=NO_ENV)
    assert list(config.topics) == ["Caf\u00e9 \u8996\u899a"]
    assert config.topics["Caf\u00e9 \u8996\u899a"].filters == ["na\u00efve"]


def test_query_syntax_error_names_topic_and_line(tmp_path):
    query_api()
    path = write(
        tmp_path,
        """
        topics:
          Good: {query: "ti:nerf"}
          Bad:
            query: 'ti:(nerf'
          AlsoBad: {query: "ti:x AND", exclude: [x]}
        """,
    )
    lines = error_of(path).splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"{path}:4: topics.Bad.query: query does not parse")
    assert lines[1].startswith(f"{path}:5: topics.AlsoBad.query: query does not parse")


def test_hostile_names_stay_on_one_line(tmp_path):
    path = write(tmp_path, 'topics:\n  "evil\\nname.x": {}\n  "<script>": {filter: [x]}\n')
    lines = error_of(path).splitlines()
    assert len(lines) == 2
    assert lines[0] == f"{path}:2: topics.'evil\\nname.x': a topic needs 'filters' (a list of phrases) or 'query'"
    assert lines[1].startswith(f"{path}:3: topics.<script>.filter: unknown key")


def test_alias_bomb_is_fast(tmp_path):
    # A billion-laughs document: the line map must not expand aliases.
    levels = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 12):
        refs = ", ".join([f"*a{i - 1}"] * 9)
        levels.append(f"a{i}: &a{i} [{refs}]")
    text = "\n".join(levels) + "\ntopics: {A: {filters: *a11}}\n"
    path = write(tmp_path, text)
    start = time.perf_counter()
    message = error_of(path)
    assert time.perf_counter() - start < 2
    assert f"{path}:1: a0: unknown key" in message
    assert "topics.A.filters[0]: Input should be a valid string" in message


def test_recursive_alias_is_an_error_not_a_crash(tmp_path):
    path = write(tmp_path, "topics: &t {A: {filters: [x], exclude: *t}}\n")
    assert "topics.A.exclude: Input should be a valid list" in error_of(path)


# --------------------------------------------------------------------------- schema and properties


def test_every_schema_field_has_a_description():
    schema = Config.model_json_schema()
    models = [schema, *schema.get("$defs", {}).values()]
    assert len(models) >= 5  # Config, Topic, EnrichConfig, EmailConfig, WebhookConfig
    for model in models:
        for name, prop in model["properties"].items():
            assert prop.get("description"), f"{model.get('title')}.{name} has no description"
    assert "topics" in schema["required"]
    assert "from" in schema["$defs"]["EmailConfig"]["properties"]


topic_names = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters="\ufeff\x85"),
    min_size=1,
    max_size=20,
).filter(lambda s: s.strip() == s and s.strip())


@settings(max_examples=60, deadline=None)
@given(st.lists(topic_names, min_size=1, max_size=6, unique=True))
def test_topic_names_and_order_survive_yaml(tmp_path_factory, names):
    folder = tmp_path_factory.mktemp("names")
    data = {"keywords": {name: {"filters": [f"p{i}"]} for i, name in enumerate(names)}}
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    config = load_config(path, env=NO_ENV)
    assert list(config.topics) == names
    assert [t.name for t in config.topics.values()] == names


def test_absurd_nesting_is_a_config_error(tmp_path):
    path = write(tmp_path, "topics: {A: {filters: " + "[" * 1200 + "]" * 1200 + "}}\n")
    assert error_of(path) == f"{path}: YAML nesting too deep"


def test_errors_in_a_duplicated_key_point_at_the_kept_copy(tmp_path):
    path = write(tmp_path, "topics:\n  A:\n    filters: [x]\n  A:\n    filters: [x]\n    bogus: 1\n")
    lines = error_of(path).splitlines()
    assert lines == [
        f"{path}:4: topics.A: duplicate key (first at line 2)",
        f"{path}:6: topics.A.bogus: unknown key",
    ]
