"""`GET|POST /webhooks/messenger`: Meta's webhook.

GET answers the verification handshake (403 unless the verify token matches). POST checks
`X-Hub-Signature-256` first, on the raw bytes in constant time — it is cheap — and only posts that
fail it meet the per-address refusal limiter (`abuse.py`; behind a proxy listed in
VSCHOOL_TRUSTED_PROXIES the address comes from X-Forwarded-For): a header that cannot be a signature is
refused before the body is read, a body over 1 MiB is refused (413) while it is read, a wrong
signature is 403; an address that collected too many refusals gets 429 instead. Nothing of a
refused post is stored.

A correctly signed post is Meta's and is never refused: its events are stored before the 200 — in
PostgreSQL, or in the fsync'd journal when the database is down. A signed body that is not JSON,
or that the database refuses, is set aside whole in the journal's `rejected.jsonl` for a person
and logged, and still answered 200 (a 4xx or 5xx would make Meta resend it, then disable the
webhook). It never waits on the AI or on Meta. Odd or non-ASCII headers and handshake
parameters are a 4xx, never a 500.
"""

import hashlib
import hmac
import json
import re

import psycopg
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from logs.jsonl import log_error
from models.settings import get_settings
from vschool.api.abuse import webhook_refusals
from vschool.api.inbound_store import UNAVAILABLE, inbound_store
from vschool.auth import client_address

MAX_BODY = 1024 * 1024
_SIGNATURE = re.compile(r"sha256=([0-9a-fA-F]{64})")
_DIGITS = re.compile(r"[0-9]{1,20}")


def _digest(header: str | None) -> str | None:
    """The hex digest a signature header carries (lowercase), or None when it cannot be one."""
    match = _SIGNATURE.fullmatch(header.strip()) if header else None
    return match.group(1).lower() if match else None


def signature_ok(secret: bytes, raw: bytes, header: str | None) -> bool:
    digest = _digest(header)
    if digest is None:
        return False
    expected = hmac.new(secret, raw, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, digest)  # both ASCII hex: compare_digest refuses other text


def _same(given: str, expected: str) -> bool:
    """Constant-time equality of any two strings (compare_digest raises on non-ASCII `str`)."""
    return hmac.compare_digest(given.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass"))


def _not_json(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON")


async def verify(request: Request) -> Response:
    params = request.query_params
    token = get_settings().meta_verify_token
    if (
        params.get("hub.mode") == "subscribe"
        and token is not None
        and _same(params.get("hub.verify_token", ""), token.get_secret_value())
    ):
        return PlainTextResponse(params.get("hub.challenge", ""))
    return PlainTextResponse("Verification failed: the verify token does not match.", status_code=403)


def _refuse(address: str, message: str, status: int) -> Response:
    """A post that failed the signature: 429 once its address has collected too many refusals."""
    if webhook_refusals.blocked(address):
        retry = webhook_refusals.retry_after_s(address)
        return PlainTextResponse(
            f"Too many refused requests from this address; try again in {retry} s.", status_code=429, headers={"Retry-After": str(retry)}
        )
    webhook_refusals.refused(address)
    return PlainTextResponse(message, status_code=status)


async def _body(request: Request) -> bytes | None:
    """The raw body, or None as soon as it grows past MAX_BODY (the rest is never buffered)."""
    length = request.headers.get("content-length", "")
    if _DIGITS.fullmatch(length) and int(length) > MAX_BODY:
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _address(request: Request) -> str:
    """Who sent a refused post: the peer, or the client behind a trusted proxy (VSCHOOL_TRUSTED_PROXIES)."""
    return client_address(request.client.host if request.client else "", request.headers.get("x-forwarded-for", ""))


async def receive(request: Request) -> Response:
    secret = get_settings().meta_app_secret
    header = request.headers.get("x-hub-signature-256")
    if secret is None or _digest(header) is None:
        return _refuse(_address(request), "Invalid signature.", 403)
    raw = await _body(request)
    if raw is None:
        return _refuse(_address(request), "Body too large.", 413)
    if not signature_ok(secret.get_secret_value().encode(), raw, header):
        return _refuse(_address(request), "Invalid signature.", 403)
    return await _store(raw)


async def _store(raw: bytes) -> Response:
    """Meta's signed body: stored, journaled for replay, or set aside — and 200 in every case."""
    store = inbound_store()
    try:
        body = json.loads(raw, parse_constant=_not_json)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        store.journal(raw, name="rejected.jsonl")  # kept for a person to look at; never retried blindly
        log_error("webhook", "a signed webhook body is not JSON: set aside", error=str(exc)[:200], size=len(raw))
        return PlainTextResponse("EVENT_RECEIVED")
    try:
        await store.store_body(body)
    except UNAVAILABLE as exc:
        store.journal(raw)
        log_error("webhook", "database unavailable: event journaled for replay", error=repr(exc)[:300])
    except psycopg.Error as exc:
        store.journal(raw, name="rejected.jsonl")
        log_error("webhook", "the database refused a webhook body: set aside", error=repr(exc)[:500])
    except RecursionError:
        store.journal(raw, name="rejected.jsonl")
        log_error("webhook", "a webhook body nested too deeply to store: set aside", size=len(raw))
    except Exception as exc:  # the last net: never a 500 to Meta, never a lost event
        store.journal(raw)
        log_error("webhook", "unexpected error storing a webhook body: journaled for replay", error=repr(exc)[:500])
    return PlainTextResponse("EVENT_RECEIVED")
