"""The project's one Google Gemini client factory (google-genai), for embeddings and generation.

Timeouts and retries follow REFERENCE.md: the SDK retries nothing unless `retry_options` is set;
with it, 408/429/5xx are retried with exponential back-off and jitter, then surface as
`google.genai.errors.ClientError` (4xx, e.g. 429 RESOURCE_EXHAUSTED) or `ServerError` (5xx).
`GEMINI_BASE_URL` points the real SDK at another endpoint (the tests' fake Gemini server).
"""

from google import genai
from google.genai import types

from models.settings import Settings, get_settings

TIMEOUT_MS = 30_000
ATTEMPTS = 3  # the original request and two retries


class GeminiNotConfigured(RuntimeError):
    """No GEMINI_API_KEY: the offline embedder and responder are used instead."""


def gemini_client(
    settings: Settings | None = None,
    *,
    timeout_ms: int = TIMEOUT_MS,
    attempts: int = ATTEMPTS,
    initial_delay_s: float = 1.0,
    max_delay_s: float = 8.0,
) -> genai.Client:
    """A google-genai client with the installation's key, base URL, timeout and retries."""
    settings = settings or get_settings()
    if settings.gemini_api_key is None:
        raise GeminiNotConfigured("GEMINI_API_KEY is not set")
    http_options = types.HttpOptions(
        base_url=settings.gemini_base_url or None,
        timeout=timeout_ms,
        retry_options=types.HttpRetryOptions(
            attempts=attempts,
            initial_delay=initial_delay_s,
            max_delay=max_delay_s,
            http_status_codes=[408, 429, 500, 502, 503, 504],
        ),
    )
    return genai.Client(api_key=settings.gemini_api_key.get_secret_value(), http_options=http_options)
