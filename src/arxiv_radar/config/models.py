"""The configuration models: one schema for the native form and cv-arxiv-daily's ``config.yaml``.

One schema covers both: cv-arxiv-daily's keys (``keywords``, ``max_results``, ``publish_*``,
``json_*_path``, ``md_*_path``, ...) and ours (``topics``, ``query``, ``categories``, ``exclude``,
``source``, ``enrich``, ``email``, ...) may be mixed in one file.

Validation errors are turned into ``FILE:LINE: key.path: what is wrong`` by ``load.py``.

Paths: every path key (``database``, ``*_path``, ``*_dir``) is an absolute :class:`~pathlib.Path`
on the validated model, resolved against the folder holding the config file (``config_dir``);
``Config.path_of(name)`` returns the same thing by key name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from ..errors import QuerySyntaxError

__all__ = ["Config", "Topic", "RankConfig", "EnrichConfig", "EmailConfig", "WebhookConfig", "SummariesConfig",
           "SUMMARY_FIELDS", "PATH_KEYS", "ENV_OVERRIDES", "MIN_DAY", "MAX_DAY", "path_clash",
           "db_flag_clash"]

# Environment variables that override a URL key (env beats the file: a test or a mirror can
# redirect a run without editing the user's config).
ENV_OVERRIDES: dict[str, str] = {
    "api_url": "ARXIV_RADAR_API_URL",
    "oai_url": "ARXIV_RADAR_OAI_URL",
    "rss_url": "ARXIV_RADAR_RSS_URL",
    "hf_url": "ARXIV_RADAR_HF_URL",
}

# Keys whose value is a filesystem path, resolved against the config file's folder.
PATH_KEYS: tuple[str, ...] = (
    "json_readme_path",
    "json_gitpage_path",
    "json_wechat_path",
    "md_readme_path",
    "md_gitpage_path",
    "md_wechat_path",
    "database",
    "archive_dir",
    "feeds_dir",
    "site_dir",
    "templates_dir",
)

# The days a run or a flag may name: arXiv's first announcement to well past any real use
# (date arithmetic near year 9999 overflows).
MIN_DAY = date(1991, 8, 1)
MAX_DAY = date(2199, 12, 31)

_CATEGORY_RE = re.compile(r"^[a-z][a-z-]*(\.([A-Za-z][A-Za-z-]*|\*))?$")


# --------------------------------------------------------------------------- field helpers


def _check_url(value: str) -> str:
    value = value.strip()
    if not re.match(r"^https?://[^/\s]+", value):
        raise ValueError(f"not an http(s) URL: {value!r}")
    # Trailing slashes would double up when paths are appended (rss_url + '/cs.CV').
    return value.rstrip("/")


def _check_webhook_url(value: str) -> str:
    """A URL httpx can POST to: http(s), a host, a numeric port in range, no spaces."""
    from urllib.parse import urlsplit

    value = value.strip()
    if any(ord(c) < 0x21 or ord(c) == 0x7F for c in value):
        raise ValueError("not a usable URL: it holds spaces or control characters")
    try:
        parts = urlsplit(value)
        port = parts.port  # raises for a port that is not a number in 0..65535
    except ValueError as exc:
        # The message names the problem (bad port, bracket), never the URL: it holds the token.
        raise ValueError(f"not a usable URL ({exc})") from None
    if parts.scheme not in ("http", "https"):
        raise ValueError("not a usable URL: the scheme must be http or https")
    if not parts.hostname:
        raise ValueError("not a usable URL: no host")
    if port == 0:
        raise ValueError("not a usable URL: port 0")
    try:
        import httpx

        httpx.URL(value)
    except Exception as exc:  # httpx.InvalidURL and friends
        raise ValueError(f"not a usable URL ({type(exc).__name__})") from None
    return value.rstrip("/")


# A plain address: no display name, no spaces, no characters that could end a header line.
_ADDRESS_RE = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{}|~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"
)


def _check_address(value: str) -> str:
    value = value.strip()
    if len(value) > 254 or not _ADDRESS_RE.match(value) or ".." in value.split("@")[0]:
        raise ValueError(f"not an e-mail address: {value[:80]!r}")
    return value


def _from_env(info: ValidationInfo, key: str, var: str) -> str | None:
    """The value of environment variable ``var`` (named by ``key``), or None when unset."""
    env = (info.context or {}).get("env")
    if env is None:
        import os

        env = os.environ
    value = env.get(var)
    return value if value and value.strip() else None


def _check_phrases(values: list[str]) -> list[str]:
    cleaned = [v.strip() for v in values]
    if any(not v for v in cleaned):
        raise ValueError("phrases must not be empty")
    return cleaned


class _Strict(BaseModel):
    """Base of every config model: unknown keys are errors, not silently ignored."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


# --------------------------------------------------------------------------- models


class Topic(_Strict):
    """One topic: papers matching it are listed under its name."""

    filters: list[str] | None = Field(
        default=None,
        min_length=1,
        description="cv-arxiv-daily style: a list of phrases; a paper matches if any phrase does.",
    )
    query: str | None = Field(
        default=None,
        min_length=1,
        description=(
            "A query in arXiv's search syntax (ti:, abs:, au:, cat:, AND, OR, ANDNOT, "
            "parentheses, quotes). Give either this or filters."
        ),
    )
    categories: list[str] = Field(
        default_factory=list,
        description="Restrict the topic to these arXiv categories (any of them), e.g. [cs.CV, cs.RO].",
    )
    exclude: list[str] = Field(
        default_factory=list,
        description="Phrases that drop a paper from the topic even when it matches.",
    )
    library: list[Path] | None = Field(
        default=None,
        description=(
            "This topic's own library files (replacing the global `library`); [] ranks this "
            "topic by likes only."
        ),
    )

    @field_validator("library", mode="before")
    @classmethod
    def _one_or_many_files(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    _name: str = PrivateAttr(default="")
    _ast: Any = PrivateAttr(default=None)

    @field_validator("filters", "exclude")
    @classmethod
    def _phrases(cls, values: list[str] | None) -> list[str] | None:
        return _check_phrases(values) if values is not None else values

    @field_validator("categories")
    @classmethod
    def _known_category_shape(cls, values: list[str]) -> list[str]:
        for value in values:
            if not _CATEGORY_RE.match(value):
                raise ValueError(f"not an arXiv category: {value!r} (expected e.g. cs.CV)")
        return values

    @field_validator("query")
    @classmethod
    def _query_parses(cls, value: str | None) -> str | None:
        if value is None:
            return value
        parse = _query_parser()
        if parse is None:
            return value
        try:
            parse(value)
        except QuerySyntaxError as exc:
            reason = str(exc)
            if exc.position is not None and "position" not in reason:
                reason += f" (position {exc.position})"
            # PydanticCustomError keeps this inside the one-pass error list.
            raise PydanticCustomError(
                "query_syntax", "query does not parse: {reason}", {"reason": reason}
            ) from None
        return value

    @model_validator(mode="after")
    def _filters_or_query(self) -> Topic:
        if self.filters is None and self.query is None:
            raise ValueError("a topic needs 'filters' (a list of phrases) or 'query'")
        if self.filters is not None and self.query is not None:
            raise ValueError("give either 'filters' or 'query', not both")
        return self

    @property
    def name(self) -> str:
        """The topic's name (its key in ``topics:``)."""
        return self._name

    @property
    def ast(self) -> Any:
        """The topic as one query AST: query (or filters), minus exclusions, within categories."""
        if self._ast is None:
            self._ast = _topic_ast(self)
        return self._ast


def _query_parser() -> Any:
    """``arxiv_radar.query.parse``, or None while that package is not importable."""
    try:
        from arxiv_radar.query import parse
    except ImportError:
        return None
    # A half-built package exposes the `parse` submodule instead of the function.
    return parse if callable(parse) else None


def _topic_ast(topic: Topic) -> Any:
    from arxiv_radar import query as q

    if topic.query is not None:
        node = q.parse(topic.query)
    else:
        node = q.from_filters(topic.filters or [])
    if topic.exclude:
        node = q.with_exclusions(node, topic.exclude)
    if topic.categories:
        from arxiv_radar.query.nodes import And

        # Parsed rather than built, so `cs.*` gets the parser's wildcard handling.
        within = q.parse(" OR ".join(f"cat:{c}" for c in topic.categories))
        node = And((node, within))
    return node


class EnrichConfig(_Strict):
    """What to look up about papers after harvesting."""

    huggingface: bool = Field(
        default=True, description="Ask the Hugging Face papers API for code repositories and stars."
    )
    paperswithcode: bool = Field(
        default=False, description="Use Papers with Code data (the site shut down in 2025)."
    )
    github_stars: bool = Field(default=False, description="Look up GitHub star counts of code links.")
    time_budget: float = Field(
        default=60, ge=0, le=86_400, description="Seconds enrichment may take per run before it stops (at most a day)."
    )


class RankConfig(_Strict):
    """How matched papers are ranked for you (only when there is a library or a like)."""

    method: Literal["auto", "svm", "embed"] = Field(
        default="auto",
        description=(
            "auto (the best installed: svm with embeddings when the [embed] extra is installed, "
            "else svm), svm (TF-IDF and a linear classifier) or embed (similarity of sentence "
            "embeddings; needs the [embed] extra)."
        ),
    )
    top: int | None = Field(
        default=None, ge=1,
        description="Digests and webhooks list at most this many papers per topic, best first.",
    )
    min_score: float | None = Field(
        default=None, ge=0, le=1,
        description="Digests and webhooks leave out scored papers below this score (0 to 1).",
    )


class EmailConfig(_Strict):
    """A digest sent by e-mail after each run."""

    to: list[str] = Field(
        default_factory=list,
        description="Recipient addresses (one or a list). Or give `to_env`.",
    )
    to_env: str | None = Field(
        default=None,
        description="Name of an environment variable holding the recipients (comma-separated), e.g. a GitHub secret.",
    )
    sender: str = Field(alias="from", description="The From: address.")
    smtp_host: str | None = Field(
        default=None, min_length=1, description="SMTP server host name. Or give `smtp_host_env`."
    )
    smtp_host_env: str | None = Field(
        default=None,
        description="Name of an environment variable holding the SMTP host (the user and password always come from ARXIV_RADAR_SMTP_USER / ARXIV_RADAR_SMTP_PASSWORD).",
    )
    smtp_port: int = Field(default=587, ge=1, le=65535, description="SMTP server port.")
    security: Literal["none", "starttls", "ssl"] = Field(
        default="starttls", description="Connection security: none, starttls or ssl."
    )

    @field_validator("to", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator("to")
    @classmethod
    def _addresses(cls, values: list[str]) -> list[str]:
        return [_check_address(v) for v in values]

    @field_validator("sender")
    @classmethod
    def _sender(cls, value: str) -> str:
        return _check_address(value)

    @field_validator("smtp_host")
    @classmethod
    def _host(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^[A-Za-z0-9._-]+$|^\[[0-9A-Fa-f:.]+\]$", value.strip()):
            raise ValueError(f"not a host name: {value[:80]!r}")
        return value.strip() if value is not None else None

    _missing_env: list[str] = PrivateAttr(default_factory=list)

    @property
    def missing_env(self) -> list[str]:
        """``key: VARIABLE`` for each ``*_env`` key whose variable is not set: the digest is
        not sent (and reported as failed) until it is; other commands work meanwhile."""
        return self._missing_env

    @model_validator(mode="after")
    def _env_values(self, info: ValidationInfo) -> EmailConfig:
        if not self.to and not self.to_env:
            raise ValueError("give `to` (one or more addresses) or `to_env`")
        if not self.smtp_host and not self.smtp_host_env:
            raise ValueError("give `smtp_host` or `smtp_host_env`")
        if self.to_env:
            to = self._checked_env(info, "to_env", self.to_env, "holds something that is not an e-mail address",
                                   lambda raw: [_check_address(v) for v in raw.split(",") if v.strip()])
            self.to = self.to if to is None else to
        if self.smtp_host_env:
            host = self._checked_env(info, "smtp_host_env", self.smtp_host_env, "is not a host name", self._host)
            self.smtp_host = self.smtp_host if host is None else host
        return self

    def _checked_env(self, info: ValidationInfo, key: str, var: str, wrong: str, check):
        """``check(value of $var)``; None (and noted as missing) when the variable is unset."""
        raw = _from_env(info, key, var)
        if raw is None:
            self._missing_env.append(f"{key}: {var}")
            return None
        try:
            return check(raw)
        except ValueError:
            raise ValueError(f"{key}: ${var} {wrong}") from None


class WebhookConfig(_Strict):
    """A URL notified after each run."""

    url: str | None = Field(
        default=None,
        description="The webhook URL (http or https). It holds a secret token: prefer `url_env` and never commit it.",
    )
    url_env: str | None = Field(
        default=None,
        description="Name of an environment variable holding the URL (e.g. a GitHub secret passed by the workflow).",
    )
    format: Literal["json", "slack", "discord"] = Field(
        default="json", description="Payload shape: json, slack or discord."
    )

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return _check_webhook_url(value) if value is not None else None

    @model_validator(mode="after")
    def _url_or_env(self, info: ValidationInfo) -> WebhookConfig:
        if (self.url is None) == (self.url_env is None):
            raise ValueError("give either `url` or `url_env` (the name of an environment variable)")
        if self.url_env is not None:
            value = _from_env(info, "url_env", self.url_env)
            if value is None:
                return self  # url stays None: reported at load (a warning) and at delivery
            try:
                self.url = _check_webhook_url(value)
            except ValueError as exc:
                raise ValueError(f"url_env: ${self.url_env}: {exc}") from None
        return self


# The structured notes a summary may hold, in the order they are shown.
SUMMARY_FIELDS: tuple[str, ...] = ("tldr", "motivation", "method", "result", "conclusion")
_ENV_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class SummariesConfig(_Strict):
    """AI summaries of matched papers from an OpenAI-compatible endpoint (off when absent).

    The endpoint and key come from the environment only (``OPENAI_BASE_URL``,
    ``OPENAI_API_KEY``, or the variables named here), never from this file.
    """

    model: str = Field(min_length=1, max_length=200, description="The model name the endpoint knows, e.g. gpt-4o-mini, deepseek-chat, llama3.1.")
    language: str = Field(
        default="English", min_length=1, max_length=40,
        description="The language summaries are written in, e.g. English, Chinese, Deutsch.",
    )
    fields: list[Literal["tldr", "motivation", "method", "result", "conclusion"]] = Field(
        default_factory=lambda: ["tldr"], min_length=1,
        description="What each summary holds: tldr, motivation, method, result, conclusion. The TL;DR is shown under the title.",
    )
    max_papers_per_run: int = Field(default=20, ge=0, description="Papers summarised per run at most; the rest wait for the next run.")
    max_tokens_per_run: int = Field(
        default=100_000, ge=0,
        description="Hard cap on prompt + completion tokens per run: no request is made that could cross it.",
    )
    which: Literal["top", "all"] = Field(
        default="top",
        description="top: each topic's highest ranked papers first (newest first where there is no ranking); all: every matched paper, newest first.",
    )
    max_output_tokens: int = Field(default=600, ge=16, le=32_000, description="Completion tokens one summary may take at most.")
    base_url_env: str = Field(default="OPENAI_BASE_URL", description="Environment variable holding the endpoint's base URL (unset: OpenAI's).")
    api_key_env: str = Field(default="OPENAI_API_KEY", description="Environment variable holding the API key (never put the key in this file).")
    structured_output: Literal["json_schema", "json_object"] = Field(
        default="json_schema",
        description="How the JSON answer is asked for: json_schema (OpenAI, vLLM, Ollama) or json_object (e.g. DeepSeek).",
    )
    token_limit_parameter: Literal["max_completion_tokens", "max_tokens"] = Field(
        default="max_completion_tokens",
        description="The request parameter that caps the completion: max_completion_tokens (OpenAI) or max_tokens (older servers, DeepSeek).",
    )
    timeout: float = Field(default=60, gt=0, le=600, description="Seconds one request may take.")
    max_retries: int = Field(default=2, ge=0, le=5, description="Retries of one request (timeouts, 429 and 5xx, honouring Retry-After up to 2 minutes); each retry must fit the token budget and is charged like a request.")
    max_attempts: int = Field(default=5, ge=1, description="Runs a failing paper is tried in before it is left with its abstract.")
    time_budget: float = Field(default=300, gt=0, description="Seconds the summaries may take per run before the rest wait for the next run.")

    @field_validator("language")
    @classmethod
    def _language(cls, value: str) -> str:
        value = " ".join(value.split())
        if not value or not value.isprintable():
            raise ValueError("language must be a short name such as English or Chinese")
        return value

    @field_validator("fields")
    @classmethod
    def _unique_fields(cls, values: list[str]) -> list[str]:
        # Shown in the fixed order above, whatever order the file lists them in.
        return [f for f in SUMMARY_FIELDS if f in values]

    @field_validator("base_url_env", "api_key_env")
    @classmethod
    def _env_name(cls, value: str) -> str:
        if not _ENV_NAME_RE.match(value):
            # The value is not repeated: it may be the key itself, pasted in the wrong place.
            raise ValueError("not an environment variable name (name the variable, not its value)")
        return value


def _path_field(default: str | None, description: str) -> Any:
    return Field(default=Path(default) if default is not None else None, description=description)


class Config(_Strict):
    """The whole configuration. Path attributes are absolute, resolved against ``config_dir``."""

    # --- topics (native `topics:`, cv-arxiv-daily `keywords:`)
    topics: dict[str, Topic] = Field(
        validation_alias=AliasChoices("topics", "keywords"),
        min_length=1,
        description="Topics by name, in file order. `keywords` (cv-arxiv-daily) is accepted too.",
    )

    # --- cv-arxiv-daily keys
    max_results: int = Field(
        default=100, ge=1, le=2000,
        description=(
            "cv-arxiv-daily's papers per topic per run. arxiv-radar keeps every paper of a run's window "
            "and asks arXiv for large pages (1,000 results), so this limits neither; it is accepted so "
            "that a cv-arxiv-daily config works unchanged."
        ),
    )
    publish_readme: bool = Field(default=True, description="Write the README Markdown table.")
    publish_gitpage: bool = Field(default=False, description="Write the GitHub Pages Markdown.")
    publish_wechat: bool = Field(default=False, description="Write the WeChat-style Markdown.")
    publish_feeds: bool = Field(default=True, description="Write RSS and Atom feeds per topic and for all topics into `feeds_dir`.")
    publish_site: bool = Field(
        default=True,
        description="Build the searchable static site into `site_dir` (topic pages by month and a search index in parts: any static host such as GitHub Pages serves it; search needs http, not file://).",
    )
    json_readme_path: Path = _path_field(
        "docs/cv-arxiv-daily.json", "JSON data behind the README (cv-arxiv-daily format)."
    )
    json_gitpage_path: Path = _path_field(
        "docs/cv-arxiv-daily-web.json", "JSON data behind the GitHub Pages Markdown."
    )
    json_wechat_path: Path = _path_field(
        "docs/cv-arxiv-daily-wechat.json", "JSON data behind the WeChat Markdown."
    )
    md_readme_path: Path = _path_field("README.md", "The README written with the paper tables.")
    md_gitpage_path: Path = _path_field("docs/index.md", "The GitHub Pages Markdown.")
    md_wechat_path: Path = _path_field("docs/wechat.md", "The WeChat-style Markdown.")
    user_name: str | None = Field(default=None, description="GitHub user owning the repository.")
    repo_name: str | None = Field(default=None, description="GitHub repository name.")
    show_badge: bool | None = Field(
        default=None,
        description="Show GitHub badges; default: shown when user_name and repo_name are given.",
    )
    show_authors: bool = Field(default=True, description="Show the authors column.")
    show_links: bool = Field(default=True, description="Show PDF and code links.")
    base_url: str | None = Field(
        default=None,
        description="Obsolete (Papers with Code API, shut down in 2025): accepted with a warning, ignored.",
    )

    # --- native keys
    show_abstract: bool = Field(default=False, description="Show each paper's abstract.")
    show_tldr: bool = Field(
        default=False,
        description="Show each paper's AI TL;DR in the README and index.md tables (seed style; needs `summaries:`), beside the abstract or in its place.",
    )
    database: Path = _path_field("arxiv-radar.sqlite", "The SQLite database file.")
    lookback_days: int = Field(
        default=7, ge=1, le=3660,
        description=("Days to look back on a first run, and on the first run of a topic added later, renamed "
                     "or whose query or categories changed (at most 3660; use `backfill` for more)."),
    )
    overlap_announcements: int = Field(
        default=1, ge=0, le=10,
        description=(
            "Announcements re-read before each run's window, to catch papers arXiv announced late "
            "(held in moderation); the store keeps each paper once. 0 turns it off."
        ),
    )
    source: Literal["auto", "api", "oai", "rss"] = Field(
        default="auto", description="Where papers come from: auto, api, oai or rss."
    )
    holidays: list[date] = Field(
        default_factory=list,
        description=(
            "Extra arXiv holidays (YYYY-MM-DD): days without an announcement or submission cut-off. "
            "The 2026 list and arXiv's published 2025 dates are built in; add other years' from arXiv's "
            "availability page (a year without a list takes 25 Dec and 1 Jan as holidays)."
        ),
    )
    api_url: str = Field(
        default="https://export.arxiv.org/api/query",
        description="arXiv API endpoint (env ARXIV_RADAR_API_URL overrides).",
    )
    oai_url: str = Field(
        default="https://oaipmh.arxiv.org/oai",
        description="arXiv OAI-PMH endpoint (env ARXIV_RADAR_OAI_URL overrides).",
    )
    rss_url: str = Field(
        default="https://rss.arxiv.org/rss",
        description="arXiv RSS base URL (env ARXIV_RADAR_RSS_URL overrides).",
    )
    hf_url: str = Field(
        default="https://huggingface.co",
        description="Hugging Face base URL (env ARXIV_RADAR_HF_URL overrides).",
    )
    request_interval: float = Field(
        default=3.0,
        ge=0,
        le=600,
        description="Seconds between requests to one host (arXiv hosts: never below 3; at most 600).",
    )
    max_response_mb: int = Field(
        default=64, ge=1, le=1024,
        description="Largest arXiv response body read, in MB once decompressed (a 2,000-entry API page is a few MB); a larger one fails that request.",
    )
    request_deadline: float = Field(
        default=300, ge=1, le=3600,
        description="Seconds one arXiv request may take in all, however steadily the server drips its answer (the read timeout is per read).",
    )
    contact_email: str | None = Field(
        default=None, description="Contact address put in the User-Agent, as arXiv asks."
    )
    style: Literal["seed", "cv-arxiv-daily"] = Field(
        default="seed", description="Markdown style: seed or cv-arxiv-daily."
    )
    readme_max_bytes: int = Field(
        default=400_000,
        ge=1,
        le=100_000_000,
        description="README size cap (GitHub renders 512 KB); older papers go to the archive.",
    )
    archive_dir: Path = _path_field("docs/archive", "Folder of monthly archive pages; nothing else (the store, the config, a library file, another output) may be inside it.")
    feeds_dir: Path = _path_field("docs/feeds", "Folder of RSS/Atom feeds; nothing else (the store, the config, a library file, another output) may be inside it.")
    site_dir: Path = _path_field("docs/site", "Folder of the static HTML site; nothing else (the store, the config, a library file, another output) may be inside it.")
    templates_dir: Path | None = _path_field(
        None, "Folder of Jinja2 templates overriding the shipped ones."
    )
    enrich: EnrichConfig = Field(
        default_factory=EnrichConfig, description="Enrichment after harvesting."
    )
    email: EmailConfig | None = Field(default=None, description="E-mail digest; none when absent.")
    webhooks: list[WebhookConfig] = Field(
        default_factory=list, description="Webhooks notified after each run."
    )
    summaries: SummariesConfig | None = Field(
        default=None, description="AI summaries from an OpenAI-compatible endpoint; off when absent."
    )
    library: list[Path] = Field(
        default_factory=list,
        description=(
            "Files listing what you read, to rank papers by: BibTeX (Zotero, JabRef, Google "
            "Scholar), CSL-JSON (Zotero), or text with one arXiv id or URL per line."
        ),
    )
    rank: RankConfig = Field(default_factory=RankConfig, description="Ranking by your library and likes.")
    sort: Literal["date", "relevance"] = Field(
        default="date",
        description="Order of the README tables: date (newest first) or relevance (your scores, best first).",
    )

    _config_path: Path | None = PrivateAttr(default=None)
    _config_dir: Path = PrivateAttr(default_factory=Path.cwd)
    _warnings: list[str] = PrivateAttr(default_factory=list)

    @field_validator("library", mode="before")
    @classmethod
    def _library_files(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator("api_url", "oai_url", "rss_url", "hf_url")
    @classmethod
    def _urls(cls, value: str) -> str:
        return _check_url(value)

    @field_validator("holidays")
    @classmethod
    def _holiday_years(cls, values: list[date]) -> list[date]:
        for value in values:
            if not MIN_DAY <= value <= MAX_DAY:
                raise ValueError(f"{value} is outside {MIN_DAY} .. {MAX_DAY}")
        return values

    @field_validator(*PATH_KEYS)
    @classmethod
    def _non_empty_path(cls, value: Path | None) -> Path | None:
        if value is not None and str(value) in ("", "."):
            raise ValueError("path must not be empty")
        return value

    @field_validator("topics", mode="before")
    @classmethod
    def _topic_names_as_text(cls, value: Any) -> Any:
        # A topic called 2024 or 3D is a name, not a number; YAML would make the first an int.
        if isinstance(value, Mapping):
            return {(k if isinstance(k, str) else str(k)): v for k, v in value.items()}
        return value

    @field_validator("topics")
    @classmethod
    def _topic_names(cls, value: dict[str, Topic]) -> dict[str, Topic]:
        for name, topic in value.items():
            if not name.strip():
                raise ValueError("a topic name must not be empty")
            topic._name = name
        return value

    @model_validator(mode="after")
    def _resolve(self, info: ValidationInfo) -> Config:
        context = info.context or {}
        base = Path(context.get("base_dir") or Path.cwd()).expanduser().resolve()
        self._config_dir = base
        self._config_path = context.get("config_path")
        for key in PATH_KEYS:
            value = getattr(self, key)
            if value is not None:
                # object.__setattr__: no re-validation, and the model is not frozen anyway.
                object.__setattr__(self, key, (base / Path(value).expanduser()).resolve())
        for files in [self.library] + [t.library for t in self.topics.values() if t.library]:
            files[:] = [(base / Path(f).expanduser()).resolve() for f in files]
        if self.show_badge is None:
            self.show_badge = bool(self.user_name and self.repo_name)
        clash = path_clash(self)
        if clash:
            raise PydanticCustomError("path_clash", "{message}", {"keys": list(clash[0]), "message": clash[1]})
        return self

    # --- read-only facts about where the config came from
    @property
    def config_path(self) -> Path | None:
        """The file this config was read from (None when built in code)."""
        return self._config_path

    @property
    def config_dir(self) -> Path:
        """The folder relative paths are resolved against."""
        return self._config_dir

    @property
    def warnings(self) -> list[str]:
        """Non-fatal problems (obsolete keys), each ``FILE:LINE: key: message``."""
        return self._warnings

    def path_of(self, key: str) -> Path | None:
        """The resolved absolute path of a path key, e.g. ``path_of('md_readme_path')``."""
        if key not in PATH_KEYS:
            raise KeyError(f"{key!r} is not a path key (one of {', '.join(PATH_KEYS)})")
        return getattr(self, key)


# --------------------------------------------------------------------------- path clashes

_OUTPUT_FILES = {
    "publish_readme": ("md_readme_path", "json_readme_path"),
    "publish_gitpage": ("md_gitpage_path", "json_gitpage_path"),
    "publish_wechat": ("md_wechat_path", "json_wechat_path"),
}
_OUTPUT_DIRS = {"publish_readme": "archive_dir", "publish_feeds": "feeds_dir", "publish_site": "site_dir"}


def _named_paths(config: Config) -> list[tuple[str, Path]]:
    """(key, resolved path) for the config file, the store and its side files,
    the library files, and every output the config publishes (files, then folders)."""
    from ..ops.lock import lock_path_for

    db = config.database
    found: list[tuple[str, Path]] = []
    if config.config_path is not None:
        found.append(("the config file", Path(config.config_path).expanduser().resolve()))
    found.append(("database", db))
    found.append(("database's lock file", lock_path_for(db).resolve()))
    for suffix in ("-wal", "-shm", "-journal"):
        found.append((f"database's {suffix} file", db.with_name(db.name + suffix)))
    seen: set[Path] = set()
    for where, files in [("library", config.library)] + [
        (f"topics.{name}.library", topic.library) for name, topic in config.topics.items() if topic.library
    ]:
        for i, path in enumerate(files):
            if path not in seen:  # a file listed twice is one input, not a clash
                seen.add(path)
                found.append((f"{where}[{i}]", path))
    for flag, keys in _OUTPUT_FILES.items():
        if getattr(config, flag):
            found += [(key, getattr(config, key)) for key in keys]
    return found


def _output_dirs(config: Config) -> list[tuple[str, Path]]:
    """The output folders the config publishes: each belongs to its stage (the site build
    removes its own stale files from site_dir), so nothing else may live inside one."""
    return [(key, getattr(config, key)) for flag, key in _OUTPUT_DIRS.items() if getattr(config, flag)]


def path_clash(config: Config) -> tuple[tuple[str, str], str] | None:
    """The first pair of paths that would overwrite each other, as (both keys, a message
    naming them): two of them are the same file, an output lies inside the store's path, or
    the store, the config, a library file or another output lies inside an output folder."""
    named = _named_paths(config)
    folders = _output_dirs(config)
    db = config.database
    every = named + folders
    for i, (key_a, a) in enumerate(every):
        for key_b, b in every[i + 1:]:
            if a == b:
                return (key_b, key_a), (f"{key_b} and {key_a} are the same file ({a}); "
                               "give them different paths")
    for key, path in every:
        if path != db and path.is_relative_to(db):
            return (key, "database"), (f"{key} ({path}) is inside the store's path (database: {db}); "
                         "give them different paths")
    for folder_key, folder in folders:
        for key, path in every:
            if key != folder_key and path != folder and path.is_relative_to(folder):
                return (key, folder_key), (f"{key} ({path}) is inside {folder_key} ({folder}), a folder "
                                           f"only that output may use; move one out of the other")
    return None


def db_flag_clash(config: Config, db_path: str | Path) -> str | None:
    """What is wrong with ``--db db_path`` for this config (the same rules as `database`)."""
    copy = config.model_copy(update={"database": Path(db_path).expanduser().resolve()})
    clash = path_clash(copy)
    if clash is None:
        return None
    message = clash[1].replace("database", "--db")
    return message if message.startswith("--db") else "--db: " + message
