"""One chat-completions request through the ``openai`` client, and what can go wrong with it.

The endpoint follows the OpenAI client's conventions: the base URL and key come from the
environment (``OPENAI_BASE_URL``, ``OPENAI_API_KEY``, or the variables the config names), so
OpenAI, DeepSeek, vLLM, Ollama or a local server all work. Every request has a timeout and is
one request: a failure says whether the same request may work again (timeouts, 408/409/429/5xx)
and what Retry-After asked for, and the stage retries it within the token budget. The key never appears in a message we make: error texts are ours, plus at most a short
cleaned line of the server's, with the key cut out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import ConfigError
from ..net import JSON_MAX_BYTES, BodyTooLarge, CorruptBody, DeadlineExceeded
from .answer import clean_field
from .prompt import Prompt

__all__ = ["CallFailed", "Reply", "call", "make_client", "DEFAULT_BASE_URL"]

DEFAULT_BASE_URL = "https://api.openai.com/v1"
_DETAIL_CHARS = 160


class CallFailed(Exception):
    """A request that gave no usable answer. ``stop``: later requests this run would fail too
    (bad key, unknown model, rate limit outlasting the retries), so the stage stops."""

    def __init__(self, reason: str, *, stop: bool = False, charged: bool = False,
                 usage: tuple[int, int] | None = None, retryable: bool = False,
                 wait: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.stop = stop
        self.charged = charged  # the request may have cost tokens that were not reported
        self.usage = usage  # (prompt, completion) when the endpoint reported them
        self.retryable = retryable  # the same request may work in a moment (timeout, 429, 5xx)
        self.wait = wait  # seconds the server asked for (Retry-After), if it said


@dataclass(frozen=True)
class Reply:
    content: str | None
    usage: tuple[int, int] | None  # (prompt_tokens, completion_tokens) as reported


def make_client(cfg, env: Mapping[str, str]):
    """An ``openai.OpenAI`` client for the configured endpoint; ConfigError when none can work."""
    try:
        import openai
    except ImportError:
        raise ConfigError("summaries need the openai package: pip install 'arxiv-radar[ai]'") from None
    base_url = (env.get(cfg.base_url_env) or "").strip() or None
    key = (env.get(cfg.api_key_env) or "").strip()
    if not key:
        if base_url is None:
            raise ConfigError(f"summaries: set {cfg.api_key_env} (and {cfg.base_url_env} for an endpoint "
                              "other than OpenAI's) in the environment")
        key = "unused"  # local servers (Ollama, vLLM, llama.cpp) take any key
    import httpx

    from ..net.bounded import BoundedTransport

    # The client reads bodies whole and inflates them unbounded; this transport reads them
    # under a cap and an overall deadline first (a chat completion is a few KB).
    bounded = httpx.Client(transport=BoundedTransport(limit=JSON_MAX_BYTES, deadline_seconds=2 * cfg.timeout))
    return openai.OpenAI(
        api_key=key,
        base_url=base_url or DEFAULT_BASE_URL,
        timeout=cfg.timeout,
        # Retries are the stage's (summarize/stage.py): each one must pass the token budget
        # and be charged, which the client's own retries would not be.
        max_retries=0,
        http_client=bounded,
        # The client would read OPENAI_ORG_ID / OPENAI_PROJECT_ID itself; nothing else from the env.
    )


def _detail(exc: Exception, secret: str) -> str:
    """A short line of what the server said (its error message), without the key."""
    body: Any = getattr(exc, "body", None)
    text = ""
    if isinstance(body, Mapping):
        err = body.get("error", body)
        text = str(err.get("message", "")) if isinstance(err, Mapping) else str(err)
    elif isinstance(body, str):
        text = body
    if secret and len(secret) >= 4:
        text = text.replace(secret, "***")
    text = clean_field(text, _DETAIL_CHARS)
    return f": {text}" if text else ""


def call(client, cfg, prompt: Prompt, max_completion: int) -> Reply:
    """Ask for one summary; returns the raw answer text and usage, or raises CallFailed."""
    import openai

    kwargs: dict[str, Any] = {
        "model": cfg.model,
        "messages": [dict(m) for m in prompt.messages],
        cfg.token_limit_parameter: max_completion,
    }
    if cfg.structured_output == "json_schema":
        kwargs["response_format"] = {
            "type": "json_schema",
            "json_schema": {"name": "paper_summary", "strict": True, "schema": prompt.schema},
        }
    else:
        kwargs["response_format"] = {"type": "json_object"}
    secret = getattr(client, "api_key", "") or ""
    try:
        response = client.chat.completions.create(**kwargs)
    except openai.APITimeoutError:
        raise CallFailed(f"timed out ({cfg.timeout:g} s)", charged=True, retryable=True) from None
    except (BodyTooLarge, DeadlineExceeded, CorruptBody) as exc:
        raise _bounded_failure(exc, cfg) from None
    except openai.APIConnectionError as exc:
        # Depending on the client's version, the transport's own errors may come wrapped.
        if isinstance(exc.__cause__, (BodyTooLarge, DeadlineExceeded, CorruptBody)):
            raise _bounded_failure(exc.__cause__, cfg) from None
        raise CallFailed("could not connect to the endpoint", charged=True, retryable=True) from None
    except openai.RateLimitError as exc:
        raise CallFailed(f"rate limited (HTTP 429){_detail(exc, secret)}", stop=True, retryable=True,
                         wait=_retry_after(exc)) from None
    except (openai.AuthenticationError, openai.PermissionDeniedError) as exc:
        raise CallFailed(f"the endpoint refused the key (HTTP {exc.status_code}); check {cfg.api_key_env}",
                         stop=True) from None
    except openai.NotFoundError as exc:
        raise CallFailed(f"model {cfg.model!r} or the endpoint was not found (HTTP 404){_detail(exc, secret)}",
                         stop=True) from None
    except openai.APIStatusError as exc:
        again = exc.status_code >= 500 or exc.status_code in (408, 409)
        raise CallFailed(f"HTTP {exc.status_code}{_detail(exc, secret)}", retryable=again,
                         wait=_retry_after(exc) if again else None) from None
    except openai.APIResponseValidationError:
        raise CallFailed("malformed response from the endpoint", charged=True) from None
    except openai.OpenAIError as exc:
        raise CallFailed(f"request failed ({type(exc).__name__})", charged=True) from None
    except (ValueError, TypeError, KeyError, AttributeError):
        # The client parses the body itself: a 200 that is not JSON ends up here.
        raise CallFailed("malformed response from the endpoint (not JSON)", charged=True) from None
    return _reply(response)


def _bounded_failure(exc: Exception, cfg) -> CallFailed:
    """What net/bounded.py refused to read, as a failure of this paper's request."""
    if isinstance(exc, BodyTooLarge):
        return CallFailed(f"the endpoint's answer was larger than {JSON_MAX_BYTES:,} bytes", charged=True)
    if isinstance(exc, DeadlineExceeded):
        return CallFailed(f"no complete answer within {2 * cfg.timeout:g} s", charged=True, retryable=True)
    return CallFailed("the endpoint's answer could not be decoded", charged=True, retryable=True)


def _retry_after(exc: Any) -> float | None:
    from ..sources.http import parse_retry_after

    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    return parse_retry_after(headers.get("retry-after")) if headers is not None else None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _reply(response: Any) -> Reply:
    """The answer text and usage of a chat completion, read defensively (the client does not
    validate the body: a broken server's shape must not raise anything but CallFailed)."""
    usage = None
    try:
        u = response.usage
        # A prompt of 0 tokens is no count at all (some proxies send zeros): charged as unreported.
        if u is not None and _int(u.prompt_tokens) and _int(u.completion_tokens) is not None:
            usage = (u.prompt_tokens, u.completion_tokens)
    except AttributeError:
        usage = None
    try:
        choice = response.choices[0]
        message = choice.message
        content = message.content
        refusal = getattr(message, "refusal", None)
        finish = getattr(choice, "finish_reason", None)
    except (AttributeError, IndexError, TypeError, KeyError):
        raise CallFailed("malformed response from the endpoint (no choices)", usage=usage, charged=usage is None) from None
    if refusal:
        raise CallFailed("the model refused", usage=usage, charged=usage is None)
    if finish == "length":
        raise CallFailed("the answer was cut off at max_output_tokens", usage=usage, charged=usage is None)
    if finish == "content_filter":
        raise CallFailed("the endpoint's content filter stopped the answer", usage=usage, charged=usage is None)
    if content is not None and not isinstance(content, str):
        raise CallFailed("malformed response from the endpoint (content is not text)", usage=usage,
                         charged=usage is None)
    return Reply(content, usage)

