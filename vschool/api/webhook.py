"""`GET|POST /webhooks/messenger`: Meta's webhook.

GET answers the verification handshake. POST checks `X-Hub-Signature-256` on the raw bytes in
constant time (403, nothing stored), refuses bodies over 1 MiB (413) and malformed JSON (400,
logged), then stores every event before answering 200 — in PostgreSQL, or in the fsync'd
journal when the database is down. It never waits on the AI or on Meta.
"""

import hashlib
import hmac
import json

import psycopg
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from logs.jsonl import log_error
from models.settings import get_settings
from vschool.api.abuse import webhook_refusals
from vschool.api.inbound_store import UNAVAILABLE, inbound_store

MAX_BODY = 1024 * 1024


def signature_ok(secret: bytes, raw: bytes, header: str | None) -> bool:
    if not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(secret, raw, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header[7:].strip().lower())


def _not_json(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON")


async def verify(request: Request) -> Response:
    params = request.query_params
    token = get_settings().meta_verify_token
    if (
        params.get("hub.mode") == "subscribe"
        and token is not None
        and hmac.compare_digest(params.get("hub.verify_token", ""), token.get_secret_value())
    ):
        return PlainTextResponse(params.get("hub.challenge", ""))
    return PlainTextResponse("Verification failed: the verify token does not match.", status_code=403)


def _refuse(address: str, message: str, status: int) -> Response:
    webhook_refusals.refused(address)
    return PlainTextResponse(message, status_code=status)


async def receive(request: Request) -> Response:
    address = request.client.host if request.client else "unknown"
    if webhook_refusals.blocked(address):
        retry = webhook_refusals.retry_after_s(address)
        return PlainTextResponse(
            f"Too many refused requests from this address; try again in {retry} s.", status_code=429, headers={"Retry-After": str(retry)}
        )
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > MAX_BODY:
        return _refuse(address, "Body too large.", 413)
    raw = await request.body()
    if len(raw) > MAX_BODY:
        return _refuse(address, "Body too large.", 413)
    secret = get_settings().meta_app_secret
    if secret is None or not signature_ok(secret.get_secret_value().encode(), raw, request.headers.get("x-hub-signature-256")):
        return _refuse(address, "Invalid signature.", 403)
    try:
        body = json.loads(raw, parse_constant=_not_json)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        log_error("webhook", "malformed JSON in a signed webhook body", error=str(exc)[:200], size=len(raw))
        return PlainTextResponse("Malformed JSON.", status_code=400)  # signed: Meta's, so never limited
    store = inbound_store()
    try:
        await store.store_body(body)
    except UNAVAILABLE as exc:
        store.journal(raw)
        log_error("webhook", "database unavailable: event journaled for replay", error=repr(exc)[:300])
    except psycopg.Error as exc:
        store.journal(raw, name="rejected.jsonl")  # kept for a person to look at; never retried blindly
        log_error("webhook", "the database refused a webhook body", error=repr(exc)[:500])
    except RecursionError:
        store.journal(raw, name="rejected.jsonl")
        log_error("webhook", "a webhook body nested too deeply to store", size=len(raw))
        return PlainTextResponse("JSON nested too deeply.", status_code=400)
    except Exception as exc:  # the last net: never a 500 to Meta, never a lost event
        store.journal(raw)
        log_error("webhook", "unexpected error storing a webhook body: journaled for replay", error=repr(exc)[:500])
    return PlainTextResponse("EVENT_RECEIVED")
