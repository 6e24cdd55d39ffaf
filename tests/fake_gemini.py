"""A small fake Gemini API for tests: the real google-genai SDK talks to it over HTTP.

It speaks the wire format the installed SDK uses (google-genai 3.x, Gemini Developer API,
default version `v1`; `v1beta` is accepted too):

- `POST /{v1|v1beta}/models/{model}:batchEmbedContents` — `{"requests": [{"content": {"parts":
  [{"text"}]}, "taskType", "outputDimensionality"}]}` → `{"embeddings": [{"values": [...]}]}`.
  Vectors are hashed character trigrams of the text (so similar texts are near, and search over
  them is meaningful), `outputDimensionality` long (3072 when absent), deliberately not unit
  length (truncated Gemini vectors are not).
- `POST …:embedContent` — one `content` → `{"embedding": {"values": [...]}}`.
- `POST …:generateContent` — answers with the next scripted answer (`answer_next`), else by
  default with the text of the first `<source …>…</source>` element in the prompt (system
  instruction and contents), else the first double-quoted passage (“…” or "…"), else "OK".
  The response has `candidates[0].content.parts[0].text`, `finishReason: STOP`, `usageMetadata`.
- Every request needs the `x-goog-api-key` header with the fixture's key (else 400
  INVALID_ARGUMENT "API key not valid", as Google answers).
- Scripting: `fail_next(status, n=1, action=None)` makes the next n calls (of one action, or any)
  answer Google's error JSON (`{"error": {"code", "message", "status"}}`: 429
  RESOURCE_EXHAUSTED, 500 INTERNAL, 503 UNAVAILABLE, …); `delay_next(seconds, n=1)` holds the
  next n answers (timeouts); `requests` records every call (`action`, `model`, `version`,
  `headers`, `body`).

Use: `from tests.fake_gemini import FakeGemini, fake_gemini_fixture  # noqa: F401` in a test
module, then ask for the `fake_gemini` fixture. `fake_gemini.settings()` is a Settings copy pointing at it;
`fake_gemini.env` holds GEMINI_API_KEY/GEMINI_BASE_URL for subprocesses (or monkeypatch.setenv
them and `get_settings.cache_clear()`).
"""

import asyncio
import hashlib
import re
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    502: "UNAVAILABLE",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}
MESSAGES = {
    429: "Resource has been exhausted (e.g. check quota).",
    500: "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting",
    503: "The model is overloaded. Please try again later.",
}
_SOURCE = re.compile(r"<source\b[^>]*>(.*?)</source>", re.S)
_QUOTED = re.compile(r"“([^”]+)”|\"([^\"]+)\"")


@dataclass
class _Failure:
    status: int
    action: str | None


@dataclass
class FakeGemini:
    api_key: str = "fake-gemini-key"
    url: str = ""
    requests: list[dict[str, Any]] = field(default_factory=list)
    _failures: deque = field(default_factory=deque)
    _answers: deque = field(default_factory=deque)
    _delays: deque = field(default_factory=deque)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # --- scripting -------------------------------------------------------------------------
    def fail_next(self, status: int, n: int = 1, action: str | None = None) -> None:
        """The next `n` calls (of `action`, e.g. "generateContent", or of any) fail with `status`."""
        with self._lock:
            self._failures.extend(_Failure(status, action) for _ in range(n))

    def answer_next(self, text: str) -> None:
        """The next generateContent call answers `text` (queue: call again for later ones)."""
        with self._lock:
            self._answers.append(text)

    def delay_next(self, seconds: float, n: int = 1) -> None:
        with self._lock:
            self._delays.extend([seconds] * n)

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self._failures.clear()
            self._answers.clear()
            self._delays.clear()

    def calls(self, action: str) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["action"] == action]

    @property
    def env(self) -> dict[str, str]:
        return {"GEMINI_API_KEY": self.api_key, "GEMINI_BASE_URL": self.url}

    def settings(self):
        from pydantic import SecretStr

        from models.settings import get_settings

        return get_settings().model_copy(update={"gemini_api_key": SecretStr(self.api_key), "gemini_base_url": self.url})

    # --- serving ----------------------------------------------------------------------------
    def _take_failure(self, action: str) -> _Failure | None:
        with self._lock:
            for failure in list(self._failures):
                if failure.action in (None, action):
                    self._failures.remove(failure)
                    return failure
        return None

    def build_app(self):
        from starlette.applications import Starlette
        from starlette.requests import Request
        from starlette.responses import JSONResponse
        from starlette.routing import Route

        async def endpoint(request: Request) -> JSONResponse:
            version = request.path_params["version"]
            model, _, action = request.path_params["rest"].partition(":")
            try:
                body = await request.json()
            except ValueError:
                body = None
            self.requests.append(
                {"version": version, "model": model, "action": action, "headers": dict(request.headers), "body": body}
            )
            with self._lock:
                delay = self._delays.popleft() if self._delays else 0.0
            if delay:
                await asyncio.sleep(delay)
            if request.headers.get("x-goog-api-key") != self.api_key:
                return _error(400, "API key not valid. Please pass a valid API key.")
            failure = self._take_failure(action)
            if failure:
                return _error(failure.status, MESSAGES.get(failure.status, "Scripted failure"))
            if version not in ("v1", "v1beta") or body is None:
                return _error(400, "Invalid JSON payload received.")
            if action == "batchEmbedContents":
                out = [_embedding(r) for r in body.get("requests", [])]
                return JSONResponse({"embeddings": [{"values": v} for v in out]})
            if action == "embedContent":
                return JSONResponse({"embedding": {"values": _embedding(body)}})
            if action == "generateContent":
                with self._lock:
                    text = self._answers.popleft() if self._answers else None
                return JSONResponse(_generated(text if text is not None else default_answer(body), model))
            return _error(404, f"models/{model} is not found or does not support {action}")

        return Starlette(routes=[Route("/{version}/models/{rest}", endpoint, methods=["POST"])])


def _error(status: int, message: str):
    from starlette.responses import JSONResponse

    return JSONResponse({"error": {"code": status, "message": message, "status": STATUS_NAMES.get(status, "UNKNOWN")}}, status_code=status)


def _texts(content: dict | None) -> list[str]:
    return [p.get("text", "") for p in (content or {}).get("parts", []) if isinstance(p, dict)]


def _embedding(request: dict) -> list[float]:
    """Hashed character trigrams (with a different hash than the offline embedder's)."""
    dim = int(request.get("outputDimensionality") or 3072)
    text = " ".join(_texts(request.get("content"))).lower()
    values = [0.0] * dim
    for i in range(max(0, len(text) - 2)):
        digest = hashlib.md5(text[i : i + 3].encode()).digest()
        values[int.from_bytes(digest[:4], "little") % dim] += 1.0 if digest[4] & 1 else -1.0
    return [round(v * 0.37, 6) for v in values]


def default_answer(body: dict) -> str:
    """The first <source>…</source> text of the prompt, else its first quoted passage, else OK."""
    texts = _texts(body.get("systemInstruction"))
    for content in body.get("contents", []):
        texts.extend(_texts(content))
    prompt = "\n".join(texts)
    if match := _SOURCE.search(prompt):
        return match.group(1).strip()
    if match := _QUOTED.search(prompt):
        return (match.group(1) or match.group(2)).strip()
    return "OK"


def _generated(text: str, model: str) -> dict:
    return {
        "candidates": [{"content": {"role": "model", "parts": [{"text": text}]}, "finishReason": "STOP", "index": 0}],
        "usageMetadata": {"promptTokenCount": 12, "candidatesTokenCount": max(1, len(text) // 4), "totalTokenCount": 12 + max(1, len(text) // 4)},
        "modelVersion": model,
        "responseId": f"fake-{time.monotonic_ns()}",
    }


_shared: FakeGemini | None = None
_shared_lock = threading.Lock()


def start_fake_gemini() -> FakeGemini:
    """The process's fake Gemini server (started once, on a free port; a daemon thread)."""
    global _shared
    with _shared_lock:
        if _shared is not None:
            return _shared
        import uvicorn

        from vschool.harness import free_port

        fake = FakeGemini()
        port = free_port()
        config = uvicorn.Config(fake.build_app(), host="127.0.0.1", port=port, log_level="warning", lifespan="off")
        server = uvicorn.Server(config)
        threading.Thread(target=server.run, name="fake-gemini", daemon=True).start()
        deadline = time.monotonic() + 15
        while not server.started:
            if time.monotonic() > deadline:
                raise TimeoutError("the fake Gemini server did not start")
            time.sleep(0.02)
        fake.url = f"http://127.0.0.1:{port}"
        _shared = fake
        return fake


@pytest.fixture(name="fake_gemini")
def fake_gemini_fixture() -> Iterator[FakeGemini]:
    """The fake Gemini server, with no requests recorded and nothing scripted."""
    fake = start_fake_gemini()
    fake.reset()
    yield fake
    fake.reset()
