"""GitHub Pages the way GitHub does it now: `init --pages artifact` (the default) builds the site
in the workflow and deploys it with deploy-pages; `branch` commits it under docs/; `none` is off.
Pages links appear only where Pages serves them."""

from __future__ import annotations

import datetime
import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from arxiv_radar.cli import main
from arxiv_radar.config import load_config
from arxiv_radar.ops.scaffold import WORKFLOW_PATH, InitRefused, init_project
from arxiv_radar.publish.views import render_options
from arxiv_radar.render import render_gitpage

DAY = datetime.date(2025, 3, 2)


def _workflow(directory: Path) -> dict:
    data = yaml.safe_load((directory / WORKFLOW_PATH).read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))
    return data


def _uses(job: dict) -> list[str]:
    return [s["uses"].split("@")[0] for s in job["steps"] if "uses" in s]


def test_default_pages_are_built_and_deployed_by_the_workflow(tmp_path):
    init_project(tmp_path)
    wf = _workflow(tmp_path)
    run = wf["jobs"]["run"]
    assert _uses(run) == ["actions/checkout", "actions/setup-python", "actions/configure-pages",
                          "actions/jekyll-build-pages", "actions/upload-pages-artifact"]
    steps = {s.get("id"): s for s in run["steps"]}
    assert steps["jekyll"]["with"] == {"source": "./docs", "destination": "./_site"}
    assert steps["pages"]["continue-on-error"] is True  # Pages still off: the papers job stays green
    assert steps["upload"]["with"]["path"] == "./_site"
    # The artifact is uploaded before the partial-harvest step fails the job, and deployed even then.
    ids = [s.get("id") for s in run["steps"]]
    assert ids.index("commit") < ids.index("upload") < ids.index("partial")
    assert run["outputs"]["pages"] == "${{ steps.upload.outcome }}"
    assert wf["permissions"]["pages"] == "read"

    deploy = wf["jobs"]["deploy-pages"]
    assert deploy["needs"] == "run"
    assert deploy["if"] == "${{ !cancelled() && needs.run.outputs.pages == 'success' }}"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"] == {"name": "github-pages", "url": "${{ steps.deployment.outputs.page_url }}"}
    (step,) = deploy["steps"]
    assert step["uses"].startswith("actions/deploy-pages@") and step["id"] == "deployment"

    # The site is never committed; the front page (docs/index.md) is written.
    assert "docs/site/" in (tmp_path / ".gitignore").read_text(encoding="utf-8").splitlines()
    config = load_config(tmp_path / "config.yaml", env={})
    assert config.publish_site and config.publish_gitpage
    text = (tmp_path / WORKFLOW_PATH).read_text(encoding="utf-8")
    assert "Source: GitHub Actions" in text


def test_pages_from_a_branch_keep_the_site_committed(tmp_path):
    init_project(tmp_path, pages="branch")
    wf = _workflow(tmp_path)
    assert set(wf["jobs"]) == {"run"}
    assert "actions/upload-pages-artifact" not in _uses(wf["jobs"]["run"])
    assert "pages" not in wf["permissions"]
    assert "docs/site/" not in (tmp_path / ".gitignore").read_text(encoding="utf-8")
    config = load_config(tmp_path / "config.yaml", env={})
    assert config.publish_site and config.publish_gitpage


def test_no_pages(tmp_path):
    result = CliRunner().invoke(main, ["init", str(tmp_path), "--pages", "none", "--repo", "alice/papers"])
    assert result.exit_code == 0, result.output
    assert "Pages:" not in result.output
    wf = _workflow(tmp_path)
    assert set(wf["jobs"]) == {"run"} and "pages" not in wf["permissions"]
    config = load_config(tmp_path / "config.yaml", env={})
    assert not config.publish_site and not config.publish_gitpage
    # No Pages, so no Pages address to link to: the names that would make those links are left out.
    assert config.user_name is None and config.repo_name is None
    assert all(not url.startswith("https://") for _, url in render_options(config, DAY).links)
    assert not [label for label, _ in render_options(config, DAY).links if label == "Search all papers"]


def test_init_says_how_to_switch_pages_on(tmp_path):
    result = CliRunner().invoke(main, ["init", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "Settings -> Pages -> Build and deployment -> Source: GitHub Actions" in result.output
    bad = CliRunner().invoke(main, ["init", str(tmp_path / "x"), "--pages", "gh-pages"])
    assert bad.exit_code == 2 and "--pages" in bad.output


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.mark.parametrize("remote", ["https://github.com/alice/papers.git", "git@github.com:alice/papers.git",
                                    "https://github.com/alice/papers"])
def test_init_reads_the_repository_from_the_origin_remote(tmp_path, remote):
    _git(tmp_path, "init", "--quiet")
    _git(tmp_path, "remote", "add", "origin", remote)
    init_project(tmp_path)
    config = load_config(tmp_path / "config.yaml", env={})
    assert (config.user_name, config.repo_name) == ("alice", "papers")


def test_a_repository_that_is_not_on_github_gives_no_names(tmp_path):
    _git(tmp_path, "init", "--quiet")
    _git(tmp_path, "remote", "add", "origin", "https://gitlab.com/alice/papers.git")
    init_project(tmp_path)
    config = load_config(tmp_path / "config.yaml", env={})
    assert config.user_name is None and config.repo_name is None
    with pytest.raises(InitRefused, match="OWNER/NAME"):
        init_project(tmp_path / "other", repository="alice/papers\nevil: 1")


def test_links_go_to_the_pages_site_only_when_it_has_an_address(tmp_path):
    # No repository known: feeds as the committed files beside each page, no site link at all.
    init_project(tmp_path / "anon")
    config = load_config(tmp_path / "anon" / "config.yaml", env={})
    opts = render_options(config, DAY)
    assert opts.links == (("RSS feed", "docs/feeds/all.rss.xml"), ("Atom feed", "docs/feeds/all.atom.xml"))
    assert opts.page_links == (("RSS feed", "feeds/all.rss.xml"), ("Atom feed", "feeds/all.atom.xml"))

    # Known: the same addresses from README.md and docs/index.md, all on Pages.
    init_project(tmp_path / "named", repository="alice/papers")
    config = load_config(tmp_path / "named" / "config.yaml", env={})
    opts = render_options(config, DAY)
    pages = "https://alice.github.io/papers/"
    expected = (("RSS feed", f"{pages}feeds/all.rss.xml"), ("Atom feed", f"{pages}feeds/all.atom.xml"),
                ("Search all papers", f"{pages}site/"))
    assert opts.links == expected and opts.page_links == expected
    front = render_gitpage([], opts)
    assert f"[Search all papers]({pages}site/)" in front
