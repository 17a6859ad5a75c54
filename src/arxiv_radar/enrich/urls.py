"""Finding code repositories and project pages in free text (abstracts, arXiv comments).

Local and pure: no network. A repository URL is cut back to its root
(``https://github.com/Clin0212/HydraLoRA/blob/main/x/README.md`` -> ``https://github.com/Clin0212/HydraLoRA``);
``*.github.io`` pages are project pages, not code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

__all__ = ["FoundLinks", "extract_links", "classify_url", "normalize_repo_url"]


@dataclass(frozen=True)
class FoundLinks:
    """What one text names: the repository to show, a project page, and every repository seen."""

    code: str | None = None
    project: str | None = None
    all_code: tuple[str, ...] = ()


# LaTeX escapes authors put inside \url{} / \href{}{} (and that arXiv keeps in abstracts).
_LATEX_ESCAPES = (
    ("\\_", "_"), ("\\#", "#"), ("\\%", "%"), ("\\&", "&"), ("\\~", "~"),
    ("{\\textasciitilde}", "~"), ("\\textasciitilde{}", "~"), ("\\textasciitilde", "~"),
    ("\\slash", "/"),
)

_HOSTS = r"github\.com|gitlab\.com|bitbucket\.org|codeberg\.org|huggingface\.co|hf\.co|gist\.github\.com|raw\.githubusercontent\.com"
# A candidate starts at a scheme or at a bare host name that is not the tail of a longer name
# (so "notgithub.com" is not GitHub). The path stops at white space, quotes, brackets, braces,
# backslashes and angle brackets: the characters that close LaTeX arguments and prose.
_CANDIDATE = re.compile(
    rf"(?<![\w.@/-])(?:https?://)?(?:www\.)?"
    rf"(?P<host>{_HOSTS}|[A-Za-z0-9](?:[A-Za-z0-9-]{{0,38}})\.github\.io)"
    rf"(?![\w-])(?P<path>/[^\s<>\"'{{}}()\[\]\\|^`]*)?",
    re.IGNORECASE,
)

_TRAILING = ".,;:!?*'\"`"

# First path segments on github.com that are site pages, not owners.
_GITHUB_RESERVED = frozenset(
    "about apps blog collections contact customer-stories enterprise events explore features "
    "login marketplace new notifications orgs organizations pricing pulls search security "
    "settings site sponsors topics trending issues join readme".split()
)
# First path segments on huggingface.co that are not a model owner.
_HF_RESERVED = frozenset(
    "api blog chat collections docs join learn login models organizations papers posts pricing "
    "privacy search settings tasks terms-of-service welcome".split()
)
# GitLab separates project paths from pages with "/-/"; older links use these words directly.
_GITLAB_STOP = frozenset("- blob tree raw commits commit issues merge_requests wikis releases tags archive".split())

_SEGMENT = re.compile(r"^[A-Za-z0-9_.-]+$")
_SEGMENT_PREFIX = re.compile(r"[A-Za-z0-9_.-]+")
_GITHUB_OWNER = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$")


def _clean_text(text: str) -> str:
    for escaped, plain in _LATEX_ESCAPES:
        text = text.replace(escaped, plain)
    return text


def _segments(path: str) -> list[str]:
    path = path.split("?", 1)[0].split("#", 1)[0]
    return [unquote(s) for s in path.split("/") if s]


def _repo_name(name: str) -> str | None:
    # The name is the leading run of allowed characters: prose glued to the URL ("repo。",
    # "repo’s") is cut off, then sentence punctuation and a ".git" suffix.
    m = _SEGMENT_PREFIX.match(name)
    name = m.group(0).rstrip(_TRAILING) if m else ""
    if name.lower().endswith(".git"):
        name = name[:-4]
    name = name.rstrip(_TRAILING)
    return name if name and name not in (".", "..") and _SEGMENT.match(name) else None


def _github(segs: list[str]) -> str | None:
    if len(segs) < 2 or segs[0].lower() in _GITHUB_RESERVED or not _GITHUB_OWNER.match(segs[0]):
        return None
    repo = _repo_name(segs[1])
    return f"https://github.com/{segs[0]}/{repo}" if repo else None


def _gitlab(segs: list[str]) -> str | None:
    # Groups nest (gitlab.com/group/subgroup/project), so the project is every segment up to
    # the first "/-/" (or an old-style page word such as "blob").
    kept: list[str] = []
    for s in segs:
        if s.lower() in _GITLAB_STOP:
            break
        kept.append(s)
    if len(kept) < 2:
        return None
    last = _repo_name(kept[-1])
    if not last or not all(_SEGMENT.match(s) for s in kept[:-1]):
        return None
    return "https://gitlab.com/" + "/".join(kept[:-1] + [last])


def _two_level(host: str, segs: list[str]) -> str | None:
    if len(segs) < 2 or not _SEGMENT.match(segs[0]):
        return None
    repo = _repo_name(segs[1])
    return f"https://{host}/{segs[0]}/{repo}" if repo else None


def _huggingface(segs: list[str]) -> str | None:
    if segs and segs[0].lower() in ("datasets", "spaces"):
        kind = segs[0].lower()
        rest = _two_level("huggingface.co", segs[1:])
        return rest.replace("huggingface.co/", f"huggingface.co/{kind}/", 1) if rest else None
    # A model is owner/name; a single segment is usually a user page, so it is not taken.
    if not segs or segs[0].lower() in _HF_RESERVED:
        return None
    return _two_level("huggingface.co", segs)


def _repo_from(host: str, path: str) -> str | None:
    segs = _segments(path)
    if host == "github.com":
        return _github(segs)
    if host == "raw.githubusercontent.com":
        return _github(segs)
    if host == "gist.github.com":
        if len(segs) >= 2 and _SEGMENT.match(segs[0]) and re.fullmatch(r"[0-9a-fA-F]{6,}", segs[1].rstrip(_TRAILING)):
            return f"https://gist.github.com/{segs[0]}/{segs[1].rstrip(_TRAILING)}"
        return None
    if host == "gitlab.com":
        return _gitlab(segs)
    if host in ("bitbucket.org", "codeberg.org"):
        return _two_level(host, segs)
    if host in ("huggingface.co", "hf.co"):
        return _huggingface(segs)
    return None


def _project_page(host: str, path: str) -> str:
    path = (path or "").split("#", 1)[0].split("?", 1)[0].rstrip(_TRAILING)
    if path == "/":
        path = ""
    return f"https://{host}{path}"


def classify_url(url: str) -> tuple[str, str] | None:
    """("code", repository root) or ("project", page) for one URL, or None if it is neither."""
    m = _CANDIDATE.match(_clean_text(url.strip()))
    if not m:
        return None
    return _classify_match(m)


def _classify_match(m: re.Match) -> tuple[str, str] | None:
    host = m.group("host").lower()
    path = m.group("path") or ""
    if host.endswith(".github.io"):
        return ("project", _project_page(host, path))
    repo = _repo_from(host, path)
    return ("code", repo) if repo else None


def normalize_repo_url(url: str) -> str | None:
    """The repository root for a URL on a known code host, or None."""
    found = classify_url(url)
    return found[1] if found and found[0] == "code" else None


def _is_git_host(url: str) -> bool:
    return not url.startswith("https://huggingface.co/")


def extract_links(text: str | None) -> FoundLinks:
    """Every repository and the first project page named in ``text``.

    The repository to show is the first one on a git host (GitHub, GitLab, Bitbucket, Codeberg,
    gists) and only otherwise the first Hugging Face model, dataset or space: an abstract that
    says "code at github.com/a/b, weights at huggingface.co/a/b" links the code.
    """
    if not text:
        return FoundLinks()
    code: list[str] = []
    project: str | None = None
    for m in _CANDIDATE.finditer(_clean_text(text)):
        found = _classify_match(m)
        if not found:
            continue
        kind, url = found
        if kind == "project":
            project = project or url
        elif url not in code:
            code.append(url)
    shown = next((u for u in code if _is_git_host(u)), code[0] if code else None)
    return FoundLinks(shown, project, tuple(code))
