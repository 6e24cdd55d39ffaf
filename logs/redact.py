"""No secret in a log line: one redaction, installed once per process by `install()`.

Every log record of the process, ours or a library's (httpx prints each request URL, and Graph
URLs carry `?access_token=…`), is scrubbed when it is created — message, arguments, exception
text and stack — whatever handler or format writes it later. The JSON-lines files
(`logs/jsonl.py`) pass through the same `redact()`.

What is masked (the name stays, so a line still says what was there):
- URL and form parameters `access_token=`, `appsecret_proof=`, `key=` (Gemini), `api_key=`,
  `client_secret=`, `fb_exchange_token=`, `input_token=`;
- `"access_token": "…"`-style fields, `Authorization: Bearer …`/`Basic …`, `x-goog-api-key`;
- REST API tokens (`vst_…`) and the password of a URL (`postgresql://user:***@host`);
- the configured secrets themselves wherever they appear: META_PAGE_ACCESS_TOKEN,
  META_MARKETING_ACCESS_TOKEN, META_APP_SECRET, META_VERIFY_TOKEN, GEMINI_API_KEY,
  VSCHOOL_SECRET_KEY (values of at least 8 characters: a shorter one would mask ordinary words).
"""

import logging
import re
import traceback
from typing import Any

from models.settings import get_settings

MASK = "***"
MIN_SECRET_LENGTH = 8
SECRET_SETTINGS = (
    "meta_page_access_token",
    "meta_marketing_access_token",
    "meta_app_secret",
    "meta_verify_token",
    "gemini_api_key",
    "secret_key",
)
_PARAMETER_NAMES = "access_token|appsecret_proof|key|api_key|client_secret|fb_exchange_token|input_token"
_PATTERNS = (
    (re.compile(rf"(?<![\w-])((?:{_PARAMETER_NAMES})=)[^&\s\"'#\\<>]+", re.IGNORECASE), rf"\g<1>{MASK}"),
    (
        re.compile(rf"([\"'](?:{_PARAMETER_NAMES}|secret|password|token)[\"']\s*:\s*[\"'])[^\"'\\]+", re.IGNORECASE),
        rf"\g<1>{MASK}",
    ),
    (re.compile(r"\b(bearer|basic)\s+[\w.~+/=-]{8,}", re.IGNORECASE), rf"\g<1> {MASK}"),
    (re.compile(r"(x-goog-api-key[\"']?\s*[:=]\s*[\"']?)[^\s\"',}]+", re.IGNORECASE), rf"\g<1>{MASK}"),
    (re.compile(r"\bvst_[\w-]+"), f"vst_{MASK}"),
    (re.compile(r"(\b[a-z][a-z0-9+.-]*://[^:/\s@]+:)[^@\s/]+@", re.IGNORECASE), rf"\g<1>{MASK}@"),
)
_configured: re.Pattern[str] | None = None  # the configured secrets' values, longest first
_configured_read = False
_installed = False


def redact(text: str) -> str:
    """`text` with every secret it shows masked."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    configured = _configured_secrets()
    if configured is not None:
        text = configured.sub(MASK, text)
    return text


def redact_value(value: Any) -> Any:
    """A JSON-able value (strings, lists, dicts) with every string in it redacted."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {key: redact_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [redact_value(item) for item in value]
    return value


def _redacted_argument(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if value is None or isinstance(value, bool | int | float):
        return value
    text = str(value)
    masked = redact(text)
    return value if masked == text else masked


class RedactSecrets(logging.Filter):
    """Masks secrets in a record in place; never drops one."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, dict):
            record.args = {key: _redacted_argument(value) for key, value in record.args.items()}
        elif record.args:
            record.args = tuple(_redacted_argument(value) for value in record.args)
        try:
            message = record.getMessage()
        except Exception:  # arguments that do not fit the format: keep them, as text
            message = f"{record.msg} {record.args!r}"
            record.msg, record.args = message, None
        masked = redact(message)
        if masked != message:  # something only the whole line shows (a repr, a split secret)
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            # Formatters print `exc_text` when it is set; nothing re-renders the exception.
            record.exc_text = redact("".join(traceback.format_exception(*record.exc_info)).rstrip("\n"))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


_filter = RedactSecrets()


def _configured_pattern() -> re.Pattern[str] | None:
    settings = get_settings()
    secrets = (getattr(settings, name) for name in SECRET_SETTINGS)
    values = {secret.get_secret_value() for secret in secrets if secret is not None}
    longest_first = sorted((v for v in values if len(v) >= MIN_SECRET_LENGTH), key=len, reverse=True)
    return re.compile("|".join(map(re.escape, longest_first))) if longest_first else None


def _configured_secrets() -> re.Pattern[str] | None:
    global _configured, _configured_read
    if not _configured_read:
        _configured, _configured_read = _configured_pattern(), True
    return _configured


def install() -> None:
    """Scrub every log record this process creates from now on (any logger, any handler), and
    mask the configured secrets' values. Safe to call again (it re-reads the settings)."""
    global _configured, _configured_read, _installed
    _configured, _configured_read = _configured_pattern(), True
    if _installed:
        return
    make_record = logging.getLogRecordFactory()

    def scrubbed_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        _filter.filter(record)
        return record

    logging.setLogRecordFactory(scrubbed_record)
    _installed = True
