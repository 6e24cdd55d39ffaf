"""Signed webhook bodies and Meta's reference shapes, for the Messenger tests."""

import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

from models.settings import get_settings

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
API_SHAPES = SHARED / "reference" / "api_shapes"
CHATWOOT = SHARED / "fixtures" / "chatwoot"


def shape(name: str) -> dict[str, Any]:
    return json.loads((API_SHAPES / f"{name}.json").read_text())


def chatwoot(path: str) -> dict[str, Any]:
    return json.loads((CHATWOOT / path).read_text())


def sign(raw: bytes, secret: str | None = None) -> str:
    secret = secret or get_settings().meta_app_secret.get_secret_value()
    return "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()


def signed(body: Any) -> tuple[bytes, dict[str, str]]:
    raw = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    return raw, {"X-Hub-Signature-256": sign(raw), "Content-Type": "application/json"}


def envelope(event: dict[str, Any], page_id: str = "1111111111") -> dict[str, Any]:
    return {"object": "page", "entry": [{"id": page_id, "time": event.get("timestamp", 0), "messaging": [event]}]}


def text_event(psid: str, mid: str, text: str, ts: int, page_id: str = "1111111111") -> dict[str, Any]:
    return {"sender": {"id": psid}, "recipient": {"id": page_id}, "timestamp": ts, "message": {"mid": mid, "text": text}}


def ingest(body: Any) -> list[int]:
    """Store a webhook body the way the webhook does, then apply each new event the way the
    worker does (in this process). Returns the new event ids."""
    from actors.messenger import process_inbound_event

    ids = store(body)
    for event_id in ids:
        process_inbound_event.fn(event_id)
    return ids


def store(body: Any) -> list[int]:
    """Store a webhook body the way the webhook does; return the new event ids."""
    import asyncio

    from models.messenger_events import split_webhook
    from vschool.api.inbound_store import InboundStore

    async def insert() -> list[int]:
        inbound = InboundStore()
        try:
            return await inbound.insert(split_webhook(body))
        finally:
            if inbound._pool is not None:
                await inbound._pool.close()

    return asyncio.run(insert())
