"""Config validation that keeps outputs off the config and the store, webhook URLs and
addresses that cannot crash a run, secrets from the environment, numbers and days in range."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from arxiv_radar.cli import main
from arxiv_radar.config import load_config

TOPICS = "topics:\n  A:\n    filters: [radar]\n"


def cli(tmp_path: Path, extra: str, *args: str, env: dict | None = None):
    cfg = tmp_path / "config.yaml"
    cfg.write_text(TOPICS + extra + "\n", encoding="utf-8")
    command = list(args) or ["render"]
    return CliRunner().invoke(main, [*command, "-c", str(cfg)], env=env, catch_exceptions=False)


@pytest.mark.parametrize("extra, keys", [
    ("md_readme_path: config.yaml", ("md_readme_path", "the config file")),
    ("json_readme_path: arxiv-radar.sqlite.lock", ("json_readme_path", "database's lock file")),
    ("md_readme_path: arxiv-radar.sqlite-wal", ("md_readme_path", "database's -wal file")),
    ("database: docs/index.md\npublish_gitpage: true", ("md_gitpage_path", "database")),
    ("database: README.md", ("md_readme_path", "database")),
    ("md_gitpage_path: README.md\npublish_gitpage: true", ("md_gitpage_path", "md_readme_path")),
    ("site_dir: arxiv-radar.sqlite/site", ("site_dir", "the store's path")),
], ids=["config", "lock", "wal", "store-gitpage", "store-readme", "two-outputs", "inside-store"])
def test_an_output_aimed_at_the_config_store_or_lock_is_exit_2_naming_both_keys(tmp_path, extra, keys):
    before = "topics:\n"
    result = cli(tmp_path, extra)
    assert result.exit_code == 2, result.output
    line = result.output.strip()
    assert line.startswith("arxiv-radar: error: ") and "\n" not in line
    for key in keys:
        assert key in line
    # Nothing was written or created.
    assert (tmp_path / "config.yaml").read_text(encoding="utf-8").startswith(before)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.yaml"]
    doctor = cli(tmp_path, extra, "doctor", "--offline")
    assert doctor.exit_code == 2 and all(key in doctor.output for key in keys)


@pytest.mark.parametrize("extra, keys", [
    ("site_dir: docs\ndatabase: docs/search/store.sqlite", ("database", "site_dir")),
    ("site_dir: docs\nmd_readme_path: docs/index.html", ("md_readme_path", "site_dir")),
    ("feeds_dir: docs/site/feeds", ("feeds_dir", "site_dir")),
    ("feeds_dir: feeds\nlibrary: [feeds/mine.bib]", ("library[0]", "feeds_dir")),
    ("    library: pages/a.bib\narchive_dir: pages", ("topics.A.library[0]", "archive_dir")),
    ("publish_gitpage: true\nsite_dir: docs", ("json_readme_path", "site_dir")),
], ids=["store-in-site", "readme-in-site", "feeds-in-site", "library-in-feeds", "topic-library-in-archive",
        "defaults-in-site"])
def test_the_store_config_library_or_an_output_inside_an_output_folder_is_exit_2(tmp_path, extra, keys):
    """An output folder belongs to its output (the site build cleans its own stale files
    there): the store, the config, a library file or another output inside one is refused."""
    result = cli(tmp_path, extra)
    assert result.exit_code == 2, result.output
    line = result.output.strip()
    assert line.startswith(f"arxiv-radar: error: {tmp_path / 'config.yaml'}:") and "\n" not in line
    assert f"{keys[0]} (" in line and f"is inside {keys[1]} (" in line
    doctor = CliRunner().invoke(main, ["doctor", "--offline", "-c", str(tmp_path / "config.yaml")])
    assert doctor.exit_code == 2 and keys[0] in doctor.output and keys[1] in doctor.output


def test_the_config_file_inside_an_output_folder_is_exit_2(tmp_path):
    result = cli(tmp_path, f"archive_dir: ../{tmp_path.name}")
    assert result.exit_code == 2, result.output
    assert "the config file (" in result.output and "is inside archive_dir (" in result.output


def test_render_never_deletes_a_store_placed_in_the_sites_search_folder(tmp_path):
    """The reviewer's case: `site_dir: docs` with the store in docs/search/ was deleted by the
    site build's clean-up. Now the config is refused, the store untouched, and --db aimed
    there is refused the same way."""
    store = tmp_path / "docs" / "search" / "store.sqlite"
    store.parent.mkdir(parents=True)
    store.write_bytes(b"SQLite format 3\x00 mine")
    result = cli(tmp_path, "site_dir: docs\ndatabase: docs/search/store.sqlite")
    assert result.exit_code == 2 and "database (" in result.output and "site_dir" in result.output
    flag = cli(tmp_path, "site_dir: docs\nmd_readme_path: README.md\njson_readme_path: out.json\n"
                         "archive_dir: archive\nfeeds_dir: feeds", "render", "--db", str(store))
    assert flag.exit_code == 2 and "--db (" in flag.output and "is inside site_dir" in flag.output
    assert store.read_bytes() == b"SQLite format 3\x00 mine"


@pytest.mark.parametrize("command", [["run", "--api-url", "http://127.0.0.1:9/api"], ["render"], ["rank"],
                                     ["links"], ["backfill", "--from", "2026-01-01", "--to", "2026-01-02"]])
def test_db_flag_into_an_output_folder_is_refused_before_any_lock_or_folder_is_made(tmp_path, command):
    result = cli(tmp_path, "", *command, "--db", str(tmp_path / "docs" / "site" / "x.sqlite"))
    assert result.exit_code == 2, result.output
    assert "--db (" in result.output and "is inside site_dir (" in result.output
    assert "--db: --db" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.yaml"]


def test_the_default_layout_with_every_output_on_is_valid(tmp_path):
    cfg = tmp_path / "config.yaml"
    cfg.write_text(TOPICS + "    library: docs/mine.bib\npublish_gitpage: true\npublish_wechat: true\n"
                   "publish_site: true\npublish_feeds: true\nlibrary: [refs.bib, refs.bib]\n", encoding="utf-8")
    config = load_config(cfg)
    assert config.site_dir == tmp_path / "docs" / "site" and config.feeds_dir == tmp_path / "docs" / "feeds"


def test_run_refuses_the_clash_before_touching_anything(tmp_path):
    result = cli(tmp_path, "md_readme_path: config.yaml", "run")
    assert result.exit_code == 2
    assert "md_readme_path and the config file are the same file" in result.output


@pytest.mark.parametrize("url, why", [
    ("https://hooks.example.org:99999/services/T0/B0/SECRETTOKEN123", "Port out of range"),
    ("https://hooks.example.org:abc/services/SECRETTOKEN123", "Port could not be cast"),
    ("http://[hooks.example.org/services/SECRETTOKEN123", "Invalid IPv6 URL"),
    ("ftp://hooks.example.org/services/SECRETTOKEN123", "scheme must be http or https"),
    ("https://hooks.example.org/ser vices/SECRETTOKEN123", "spaces or control characters"),
    ("https:///services/SECRETTOKEN123", "no host"),
])
def test_a_bad_webhook_url_is_exit_2_at_load_naming_the_key_not_the_token(tmp_path, url, why):
    result = cli(tmp_path, f"webhooks:\n  - url: '{url}'\n    format: slack", "run")
    assert result.exit_code == 2, result.output
    assert "webhooks[0].url: not a usable URL" in result.output and why in result.output
    assert "SECRETTOKEN123" not in result.output
    assert "Traceback" not in result.output


def test_a_webhook_url_from_the_environment(tmp_path):
    extra = "webhooks:\n  - url_env: MY_HOOK\n    format: slack"
    cfg = tmp_path / "config.yaml"
    cfg.write_text(TOPICS + extra + "\n", encoding="utf-8")
    config = load_config(cfg, env={"MY_HOOK": "https://hooks.example.org/services/T/B/x"})
    assert config.webhooks[0].url == "https://hooks.example.org/services/T/B/x"
    # Unset: every other command works; doctor warns; the delivery reports it (tests below).
    missing = cli(tmp_path, extra, "doctor", "--offline", env={"MY_HOOK": ""})
    assert missing.exit_code == 0, missing.output
    assert "[warn] config" in missing.output
    assert "webhooks[0].url_env: environment variable MY_HOOK is not set" in missing.output
    bad = cli(tmp_path, extra, "render", env={"MY_HOOK": "https://h:70000/SECRETTOKEN123"})
    assert bad.exit_code == 2 and "$MY_HOOK" in bad.output and "SECRETTOKEN123" not in bad.output
    both = cli(tmp_path, "webhooks:\n  - url_env: X\n    url: https://h/x", "render")
    assert both.exit_code == 2 and "either `url` or `url_env`" in both.output


@pytest.mark.parametrize("field, value", [
    ("to", "'me@example.org\\nBcc: all@example.org'"),
    ("to", "'Me <me@example.org>'"),
    ("to", "'me@exa mple.org'"),
    ("from", "'radar@'"),
    ("from", "'radar@example..org'"),
])
def test_a_bad_address_is_exit_2_naming_the_key(tmp_path, field, value):
    email = {"to": "me@example.org", "from": "radar@example.org"}
    email[field] = value
    extra = f"email:\n  to: {email['to']}\n  from: {email['from']}\n  smtp_host: localhost"
    result = cli(tmp_path, extra, "run")
    assert result.exit_code == 2, result.output
    assert f"email.{field}: not an e-mail address" in result.output


def test_smtp_host_and_recipients_from_the_environment(tmp_path):
    cfg = tmp_path / "config.yaml"
    cfg.write_text(TOPICS + "email:\n  to_env: TO\n  from: r@example.org\n  smtp_host_env: HOST\n",
                   encoding="utf-8")
    config = load_config(cfg, env={"TO": "a@example.org, b@example.org", "HOST": "smtp.example.org"})
    assert config.email.to == ["a@example.org", "b@example.org"]
    assert config.email.smtp_host == "smtp.example.org"
    result = cli(tmp_path, "email:\n  to_env: TO\n  from: r@example.org\n  smtp_host_env: HOST",
                 "doctor", "--offline", env={"TO": "a@example.org", "HOST": ""})
    assert result.exit_code == 0 and "email.smtp_host_env: environment variable HOST is not set" in result.output
    bad = cli(tmp_path, "email:\n  to_env: TO\n  from: r@example.org\n  smtp_host_env: HOST",
              "render", env={"TO": "a@example.org, nobody", "HOST": "h"})
    assert bad.exit_code == 2 and "$TO holds something that is not an e-mail address" in bad.output


def test_a_channel_whose_secret_is_unset_is_reported_and_owed(tmp_path, httpserver):
    from _delivery_support import DAY1, make_config, seeded_store
    from arxiv_radar.deliver.stage import deliver

    httpserver.expect_request("/ok", method="POST").respond_with_data("ok")
    config = make_config(tmp_path, webhooks=[{"url_env": "UNSET_HOOK"}, {"url": httpserver.url_for("/ok")}],
                         email={"to_env": "UNSET_TO", "from": "r@example.org", "smtp_host": "127.0.0.1"})
    assert len(config.warnings) == 2
    store = seeded_store(tmp_path)
    try:
        report = deliver(store, config, DAY1, env={}, sleep=lambda s: None, webhook_backoff=0)
    finally:
        store.close()
    assert [(c.target, c.status) for c in report.channels][:2] == [("e-mail", "failed"), ("webhooks[0]", "failed")]
    assert "UNSET_TO is not set" in report.channels[0].message
    assert "UNSET_HOOK is not set" in report.channels[1].message
    assert report.channels[2].status == "sent"


@pytest.mark.parametrize("extra, message", [
    ("lookback_days: 100000000", "lookback_days: Input should be less than or equal to 3660"),
    ("request_interval: 1e308", "request_interval: Input should be less than or equal to 600"),
    ("request_interval: .inf", "request_interval: Input should be"),
    ("holidays: [0001-01-01]", "holidays: 0001-01-01 is outside 1991-08-01 .. 2199-12-31"),
    ("enrich: {time_budget: 1e300}", "enrich.time_budget: Input should be less than or equal to 86400"),
    ("max_response_mb: 0", "max_response_mb: Input should be greater than or equal to 1"),
])
def test_numbers_and_days_in_the_config_are_range_checked(tmp_path, extra, message):
    result = cli(tmp_path, extra, "run")
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("args", [
    ["run", "--date", "9999-12-31"],
    ["render", "--date", "0001-01-01"],
    ["backfill", "--from", "0001-01-01", "--to", "2026-01-02"],
    ["backfill", "--from", "2026-01-01", "--to", "9999-12-31"],
])
def test_days_on_the_command_line_are_range_checked(tmp_path, args):
    result = cli(tmp_path, "", *args)
    assert result.exit_code == 2, result.output
    assert "is outside 1991-08-01 .. 2199-12-31" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("flag_target", ["config.yaml", "README.md", "docs/cv-arxiv-daily.json"])
def test_db_flag_aimed_at_the_config_or_an_output_is_exit_2(tmp_path, flag_target):
    (tmp_path / "README.md").write_text("mine\n", encoding="utf-8")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "cv-arxiv-daily.json").write_text("{}", encoding="utf-8")
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    target = str(tmp_path / flag_target)
    for command in (["run", "--api-url", "http://127.0.0.1:9/api"], ["render"], ["doctor", "--offline"]):
        result = cli(tmp_path, "", *command, "--db", target)
        assert result.exit_code == 2, (command, result.output)
        assert "--db" in result.output and "same file" in result.output
        assert "Traceback" not in result.output
    after = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    after.pop(tmp_path / "config.yaml")
    before.pop(tmp_path / "config.yaml", None)
    assert after == before
