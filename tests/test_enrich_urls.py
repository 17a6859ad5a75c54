"""Repository and project-page URLs found in abstracts and comments."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arxiv_radar.enrich.urls import classify_url, extract_links, normalize_repo_url


@pytest.mark.parametrize(
    "text, code",
    [
        # The issue's own example, with the sentence's full stop.
        ("Code: https://github.com/Clin0212/HydraLoRA/blob/main/x/README.md.", "https://github.com/Clin0212/HydraLoRA"),
        # The demo corpus writes \href with its arguments the wrong way round.
        (r"\href{Code}{https://github.com/Clin0212/HydraLoRA/blob/main/MLLM-HydraLoRA/README.md}.",
         "https://github.com/Clin0212/HydraLoRA"),
        (r"\href{https://github.com/a-b/c_d}{code}", "https://github.com/a-b/c_d"),
        (r"available at \url{https://github.com/foo/bar\_baz}.", "https://github.com/foo/bar_baz"),
        ("(see https://github.com/foo/bar).", "https://github.com/foo/bar"),
        ("[https://github.com/foo/bar]", "https://github.com/foo/bar"),
        ("at https://github.com/foo/bar, and", "https://github.com/foo/bar"),
        ("at https://github.com/foo/bar; and", "https://github.com/foo/bar"),
        ("https://github.com/HITsz-TMG/ViSA.", "https://github.com/HITsz-TMG/ViSA"),
        ("<https://github.com/foo/bar>", "https://github.com/foo/bar"),
        ('"https://github.com/foo/bar"', "https://github.com/foo/bar"),
        ("https://github.com/o/r/tree/main/sub/dir", "https://github.com/o/r"),
        ("https://github.com/o/r/blob/main/x.py#L10", "https://github.com/o/r"),
        ("https://github.com/o/r?tab=readme", "https://github.com/o/r"),
        ("https://github.com/o/r/", "https://github.com/o/r"),
        ("github.com/Foo/Bar.git, then", "https://github.com/Foo/Bar"),
        ("https://github.com/o/r.git.", "https://github.com/o/r"),
        ("https://github.com/o/r.js", "https://github.com/o/r.js"),
        # http and www are normalized, the case of owner and name is kept.
        ("http://www.GitHub.com/MixedCase/RepoName", "https://github.com/MixedCase/RepoName"),
        ("code: github.com/a/b", "https://github.com/a/b"),
        ("https://github.com/a/b。", "https://github.com/a/b"),
        ("https://raw.githubusercontent.com/o/r/main/f.py", "https://github.com/o/r"),
        ("https://gitlab.com/grp/proj", "https://gitlab.com/grp/proj"),
        ("https://gitlab.com/grp/sub/proj/-/blob/main/x", "https://gitlab.com/grp/sub/proj"),
        ("https://gitlab.com/grp/sub/deeper/proj/-/tree/dev", "https://gitlab.com/grp/sub/deeper/proj"),
        ("https://gitlab.com/grp/proj.git", "https://gitlab.com/grp/proj"),
        ("https://bitbucket.org/o/r/src/master/", "https://bitbucket.org/o/r"),
        ("https://codeberg.org/o/r/src/branch/main", "https://codeberg.org/o/r"),
        ("https://huggingface.co/spaces/x/y-z.", "https://huggingface.co/spaces/x/y-z"),
        ("https://huggingface.co/datasets/org/ds/tree/main", "https://huggingface.co/datasets/org/ds"),
        ("https://huggingface.co/org/model/blob/main/config.json", "https://huggingface.co/org/model"),
        ("https://hf.co/org/model", "https://huggingface.co/org/model"),
        ("https://gist.github.com/user/0123abcd", "https://gist.github.com/user/0123abcd"),
    ],
)
def test_repository_urls_are_cut_to_their_root(text, code):
    assert extract_links(text).code == code


@pytest.mark.parametrize(
    "text",
    [
        "https://github.com/foo",  # a user, not a repository
        "https://github.com/orgs/foo/people",
        "https://github.com/topics/llm",
        "https://huggingface.co/papers/2502.19917",
        "https://huggingface.co/docs/transformers",
        "https://huggingface.co/collections/openbmb/minicpm4-6841ab29d180257e940baa9b",
        "https://huggingface.co/someone",
        "notgithub.com/a/b",
        "https://example.org/github.com/a/b",
        "mail me at user@github.com/x/y",
        "We release our code soon.",
        "",
    ],
)
def test_not_a_repository(text):
    assert extract_links(text).code is None


def test_github_io_is_a_project_page_not_code():
    found = extract_links("Project page: https://q-rz.github.io/p/saffron. Code: github.com/q-rz/saffron")
    assert found.project == "https://q-rz.github.io/p/saffron"
    assert found.code == "https://github.com/q-rz/saffron"
    only_page = extract_links("See https://Vchitect.github.io/TACA/ for videos.")
    assert only_page.code is None and only_page.project == "https://vchitect.github.io/TACA/"
    assert classify_url("zju-omniai.github.io") == ("project", "https://zju-omniai.github.io")


def test_git_host_preferred_over_hugging_face_and_all_are_kept_in_order():
    found = extract_links("Weights: huggingface.co/o/m. Code: https://gitlab.com/g/p and https://github.com/a/b")
    assert found.code == "https://gitlab.com/g/p"
    assert found.all_code == ("https://huggingface.co/o/m", "https://gitlab.com/g/p", "https://github.com/a/b")
    assert extract_links("Demo: https://huggingface.co/spaces/a/b").code == "https://huggingface.co/spaces/a/b"


def test_duplicates_collapse():
    found = extract_links("https://github.com/a/b and https://github.com/a/b/tree/x and http://github.com/a/b")
    assert found.all_code == ("https://github.com/a/b",)


def test_url_wrapped_in_latex_and_line_breaks():
    text = "Our code is available at\n  \\url{https://github.com/zju-pi/Awesome-Diffusion-generated-Image-Detection}.\n"
    assert extract_links(text).code == "https://github.com/zju-pi/Awesome-Diffusion-generated-Image-Detection"


def test_normalize_repo_url():
    assert normalize_repo_url("https://github.com/manycore-research/SpatialLM/") == "https://github.com/manycore-research/SpatialLM"
    assert normalize_repo_url("https://pro-assist.github.io/") is None
    assert normalize_repo_url("https://example.org/x") is None


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300))
def test_arbitrary_text_never_crashes_and_only_yields_https_roots(text):
    found = extract_links("x https://github.com/" + text)
    for url in found.all_code:
        assert url.startswith("https://") and " " not in url and "<" not in url and "|" not in url
    if found.project:
        assert found.project.startswith("https://") and "<" not in found.project
