"""A small OpenAI-compatible chat-completions server on loopback, for tests and bench/summaries.py.

It answers ``POST /v1/chat/completions`` in the real API's response shape (recorded in
tests/fixtures/openai/chat-completion.json, see tests/fixtures/PROVENANCE.tsv), with ``usage``
counted as about one token per 4 UTF-8 bytes (times ``token_ratio``), and errors in the API's
error shape. By default it writes a summary holding every field the request asks for (from the
JSON schema, or from the system message in JSON-object mode); scripted behaviours replace the
next answers one by one:

    with FakeOpenAI() as fake:
        fake.push(("status", 429, {"Retry-After": "1"}), ("content", "not json"))
        ...  # point OPENAI_BASE_URL at fake.base_url
        fake.requests  # every request: {"path", "headers" (lower-case names), "body"}

Behaviours: ("ok",), ("content", text), ("status", code[, headers]), ("sleep", seconds),
("raw", code, body_bytes), ("refusal",), ("length",), ("no_usage",).
"""

from __future__ import annotations

import json
import math
import re
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

SHAPE = json.loads((Path(__file__).parent / "fixtures" / "openai" / "chat-completion.json").read_text(encoding="utf-8"))

_ERRORS = {
    400: ("invalid_request_error", "invalid_request", "Bad request."),
    401: ("invalid_request_error", "invalid_api_key", "Incorrect API key provided."),
    404: ("invalid_request_error", "model_not_found", "The model does not exist or you do not have access to it."),
    429: ("requests", "rate_limit_exceeded", "Rate limit reached for requests. Please try again later."),
    500: ("server_error", None, "The server had an error while processing your request."),
    503: ("server_error", None, "The engine is currently overloaded, please try again later."),
}


def tokens(text: str, ratio: float = 1.0) -> int:
    return math.ceil(len(text.encode("utf-8")) / 4 * ratio)


def requested_fields(body: dict) -> list[str]:
    fmt = body.get("response_format") or {}
    if fmt.get("type") == "json_schema":
        return list(fmt["json_schema"]["schema"]["required"])
    system = next((m["content"] for m in body.get("messages", []) if m.get("role") == "system"), "")
    tail = system.rsplit("string fields:", 1)[-1]
    return re.findall(r'"(\w+)" \(', tail)


def default_answer(body: dict) -> str:
    messages = body.get("messages", [])
    system = next((m["content"] for m in messages if m.get("role") == "system"), "")
    user = next((m["content"] for m in messages if m.get("role") == "user"), "")
    language = (re.search(r"Write every field in (.+?)\. ", system) or [None, "?"])[1]
    title = (re.search(r"Title: (.*)", user) or [None, "?"])[1][:60]
    return json.dumps({f: f"{f.upper()} in {language}: {title}" for f in requested_fields(body)}, ensure_ascii=False)


class FakeOpenAI:
    def __init__(self, *, token_ratio: float = 1.0, model: str | None = None) -> None:
        self.token_ratio = token_ratio
        self.model = model
        self.requests: list[dict] = []
        self.script: deque = deque()
        self.answer = default_answer  # body -> content of an "ok" answer
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- control
    def push(self, *behaviours) -> None:
        self.script.extend(behaviours)

    @property
    def base_url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    @property
    def calls(self) -> int:
        return len(self.requests)

    def start(self) -> "FakeOpenAI":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # quiet
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = {}
                with fake._lock:
                    fake.requests.append({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()},
                                          "body": body})
                    behaviour = fake.script.popleft() if fake.script else ("ok",)
                if not self.path.rstrip("/").endswith("/chat/completions"):
                    return self._error(404)
                fake._answer(self, body, behaviour)

            def _send(self, code: int, payload: bytes, headers: dict | None = None) -> None:
                try:
                    self.send_response(code)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    for k, v in (headers or {}).items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test)

            def _error(self, code: int, headers: dict | None = None) -> None:
                kind, err_code, message = _ERRORS.get(code, ("server_error", None, f"HTTP {code}"))
                body = {"error": {"message": message, "type": kind, "param": None, "code": err_code}}
                self._send(code, json.dumps(body).encode(), headers)

        self._handler_cls = Handler
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> "FakeOpenAI":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- answers
    def completion(self, body: dict, content: str | None, *, finish: str = "stop", refusal: str | None = None,
                   usage: bool = True) -> dict:
        out = json.loads(json.dumps(SHAPE))
        out["id"] = f"chatcmpl-fake{len(self.requests):06d}"
        out["created"] = int(time.time())
        out["model"] = self.model or body.get("model", "")
        choice = out["choices"][0]
        choice["finish_reason"] = finish
        choice["message"]["content"] = content
        choice["message"]["refusal"] = refusal
        prompt = sum(tokens(m.get("content") or "", self.token_ratio) + 4 for m in body.get("messages", [])) + 3
        completion = tokens(content or refusal or "", self.token_ratio)
        limit = body.get("max_completion_tokens") or body.get("max_tokens")
        if limit is not None:
            completion = min(completion, int(limit))
        if usage:
            out["usage"].update(prompt_tokens=prompt, completion_tokens=completion, total_tokens=prompt + completion)
        else:
            del out["usage"]
        return out

    def _answer(self, handler, body: dict, behaviour: tuple) -> None:
        kind, *args = behaviour
        if kind == "status":
            return handler._error(args[0], args[1] if len(args) > 1 else None)
        if kind == "raw":
            return handler._send(args[0], args[1])
        if kind == "sleep":
            time.sleep(args[0])
            kind = "ok"
        if kind == "ok":
            payload = self.completion(body, self.answer(body))
        elif kind == "content":
            payload = self.completion(body, args[0])
        elif kind == "refusal":
            payload = self.completion(body, None, refusal="I'm sorry, I can't help with that.")
        elif kind == "length":
            payload = self.completion(body, '{"tldr": "cut sho', finish="length")
        elif kind == "no_usage":
            payload = self.completion(body, self.answer(body), usage=False)
        else:
            raise ValueError(f"unknown behaviour {behaviour!r}")
        handler._send(200, json.dumps(payload, ensure_ascii=False).encode("utf-8"))
