"""Meta webhook bodies → one `WebhookEvent` per messaging event, each with a dedupe key.

Plain functions over JSON, shared by the webhook (which stores events) and the actors (which
apply them). Accepts Meta's envelope (`{"object", "entry": [{"messaging"|"standby"|"changes"}]}`),
the single unwrapped event (`{"messaging": {...}}`, as Chatwoot's fixtures have it) and a bare
event; timestamps as epoch milliseconds (numbers or strings) or ISO-8601 strings.
Anything it cannot read becomes an `unknown` event keyed by its content hash: kept, never lost.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

PAGE_INBOX_APP_ID = "26390203743090"  # echoes with this app id were typed in Meta's Page inbox

KINDS = ("message", "echo", "postback", "referral", "reaction", "delivery", "read", "unknown")


@dataclass(frozen=True)
class WebhookEvent:
    dedupe_key: str
    kind: str
    page_id: str | None
    sender_id: str | None
    event_time: datetime | None
    standby: bool
    channel: str  # facebook | instagram
    payload: dict[str, Any]  # the messaging event exactly as received


def parse_time(value: Any) -> datetime | None:
    """Epoch ms (int, float or digit string), epoch s, or ISO-8601 → aware UTC datetime."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip()
        if text.lstrip("-").isdigit():
            value = int(text)
        else:
            try:
                parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
            except ValueError:
                return None
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    if isinstance(value, int | float):
        seconds = value / 1000 if abs(value) > 10**11 else value
        try:
            return datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    return None


def split_webhook(body: Any) -> list[WebhookEvent]:
    """Every event in a webhook body, in the order received (apply them by `event_time`).
    Never raises: what it cannot read comes back as `unknown` events."""
    if not isinstance(body, dict):
        return [_unknown(body, None, "facebook")]
    if isinstance(body.get("entry"), list):
        entries = body["entry"]
        channel = "instagram" if body.get("object") == "instagram" else "facebook"
        return [event for entry in entries for event in _entry_events(entry, channel)]
    if isinstance(body.get("messaging"), dict):
        return [_event(body["messaging"], None, "facebook", standby=False)]
    if isinstance(body.get("standby"), dict):
        return [_event(body["standby"], None, "facebook", standby=True)]
    if "sender" in body or "recipient" in body:
        return [_event(body, None, "facebook", standby=False)]
    return [_unknown(body, None, "facebook")]  # kept and logged: maybe a kind we learn later


def _entry_events(entry: Any, channel: str) -> list[WebhookEvent]:
    if not isinstance(entry, dict):
        return [_unknown(entry, None, channel)]
    page_id = _str(entry.get("id"))
    events: list[WebhookEvent] = []
    for key, standby in (("messaging", False), ("standby", True)):
        items = entry.get(key) or []
        for item in items if isinstance(items, list) else [items]:
            events.append(_event(item, page_id, channel, standby))
    for change in entry.get("changes") or []:
        events.append(_unknown({"change": change}, page_id, channel))
    if not events:
        events.append(_unknown(entry, page_id, channel))
    return events


def _event(item: Any, page_id: str | None, channel: str, standby: bool) -> WebhookEvent:
    if not isinstance(item, dict):
        return _unknown(item, page_id, channel)
    sender = _str((item.get("sender") or {}).get("id")) if isinstance(item.get("sender"), dict) else None
    recipient = _str((item.get("recipient") or {}).get("id")) if isinstance(item.get("recipient"), dict) else None
    when = parse_time(item.get("timestamp"))
    kind, key = _kind_and_key(item, sender)
    page_id = page_id or (sender if kind == "echo" else recipient)  # an echo's sender is the Page
    if key is None:
        return _unknown(item, page_id, channel, kind_hint=kind)
    return WebhookEvent(key, kind, page_id, sender, when, standby, channel, item)


def _kind_and_key(item: dict[str, Any], sender: str | None) -> tuple[str, str | None]:
    stamp = _str(item.get("timestamp")) or ""
    if isinstance(item.get("message"), dict):
        message = item["message"]
        mid = _str(message.get("mid"))
        if message.get("is_echo"):
            return "echo", f"echo:{mid}" if mid else None
        return "message", f"mid:{mid}" if mid else None
    if isinstance(item.get("postback"), dict):
        postback = item["postback"]
        mid = _str(postback.get("mid"))
        return "postback", f"postback:{mid}" if mid else f"postback:{sender}:{stamp}:{_str(postback.get('payload'))}"
    if isinstance(item.get("reaction"), dict):
        r = item["reaction"]
        return "reaction", f"reaction:{sender}:{_str(r.get('mid'))}:{_str(r.get('action'))}:{_str(r.get('reaction'))}:{stamp}"
    if isinstance(item.get("delivery"), dict):
        return "delivery", f"delivery:{sender}:{_str(item['delivery'].get('watermark'))}"
    if isinstance(item.get("read"), dict):
        read = item["read"]
        return "read", f"read:{sender}:{_str(read.get('watermark')) or _str(read.get('mid'))}"
    if isinstance(item.get("referral"), dict):
        ref = item["referral"]
        return "referral", f"referral:{sender}:{stamp}:{_str(ref.get('ad_id')) or _str(ref.get('ref'))}"
    return "unknown", None


def _unknown(item: Any, page_id: str | None, channel: str, kind_hint: str = "unknown") -> WebhookEvent:
    canonical = json.dumps(item, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    payload = item if isinstance(item, dict) else {"value": item}
    return WebhookEvent(f"sha256:{digest}", "unknown", page_id, None, None, False, channel, {**payload, "_kind_hint": kind_hint})


def _str(value: Any) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    return str(value)
