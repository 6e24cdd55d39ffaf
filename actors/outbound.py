"""Outbound Messenger actors: send a stored reply, send a sender action, fetch a profile.

Every Send API call goes through one client (`actors.meta.graph`) and one Redis-backed rate
limiter shared by all workers. A reply's `outbound_send` row (unique key `message:{id}`) makes a
retried actor send once: a previous attempt whose outcome is unknown (the worker died mid-call)
is settled by the echo Meta sends back with our `metadata` before anything is sent again.
"""

from datetime import timedelta

import dramatiq
import redis
import sqlalchemy as sa
from dramatiq.rate_limits import WindowRateLimiter
from dramatiq.rate_limits.backends import RedisBackend
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import select

from actors.broker import NAMESPACE, redis_url, warm_at_boot
from actors.meta.graph import GraphError, graph
from actors.push import announce, announce_all
from logs.jsonl import log_error
from models.base import utcnow
from models.customers import ChannelIdentity, Customer
from models.db import session_scope
from models.enums import DeliveryStatus, SenderKind, SendStatus
from models.inbox import Conversation, Message, OutboundSend
from models.reply_rules import window

SENDS_PER_SECOND = 200  # below Meta's Send API ceiling for one Page
ECHO_GRACE = timedelta(seconds=15)  # how long an unsettled attempt waits for its echo
UNHEALTHY_KEY = f"{NAMESPACE}:channel-unhealthy"

_limiter = WindowRateLimiter(RedisBackend(url=redis_url()), "send-api", limit=SENDS_PER_SECOND, window=1)

FRIENDLY = {
    "window": "Messenger refused: the reply window has closed. Wait for the customer to write again.",
    "unavailable": "Messenger refused: this person is not receiving messages from the Page right now.",
    "token": "Messenger refused the Page token. An admin must reconnect the Facebook Page.",
    "invalid": "Messenger refused this message as invalid.",
    "unreachable": "Not sent: this customer can no longer be reached on Messenger (their Messenger id was removed).",
}


def _recipient(session, conversation: Conversation) -> str:
    return session.exec(
        select(ChannelIdentity.external_id).where(
            ChannelIdentity.customer_id == conversation.customer_id, ChannelIdentity.page_id == conversation.page_id
        )
    ).one()


@dramatiq.actor(queue_name="interactive", max_retries=8, min_backoff=500, max_backoff=60_000)
def send_message(message_id: int) -> None:
    """Deliver a pending outbound message through the Send API.

    Reads: message, conversation, channel_identity. Writes: outbound_send, message (mid,
    status, error). Announces `message`/`conversation`. Safe to run twice: the outbound_send row
    is unique per message and a settled send is never repeated.
    """
    with session_scope() as session:
        body = record_attempt(session, message_id)
    if body is not None:  # committed: an attempt is on record before the call
        call_send_api(message_id, body)


def call_send_api(message_id: int, body: dict) -> None:
    """Make the call `record_attempt` put on record, and settle it: sent (with Meta's message
    id), failed (with the reason staff will read), or retried later."""
    key = send_key(message_id)
    try:
        with _limiter.acquire():
            result = graph().send(body)
    except GraphError as exc:
        _settle_failure(message_id, key, exc)
        return
    meta_id = result.get("message_id")
    with session_scope() as session:  # two plain UPDATEs: this runs for every reply
        session.execute(_SETTLE_SEND, {"key": key, "meta_id": meta_id, "now": utcnow()})
        conversation_id = session.execute(_SETTLE_MESSAGE, {"message_id": message_id, "meta_id": meta_id}).scalar_one()
    announce_all(("message", conversation_id), ("conversation", conversation_id))


# The reply path's statements, built once (building one costs more CPU than running it).
_SETTLE_SEND = (
    sa.update(OutboundSend)
    .where(OutboundSend.idempotency_key == sa.bindparam("key"))
    .values(status=SendStatus.SENT.value, meta_message_id=sa.bindparam("meta_id"), sent_at=sa.bindparam("now"))
)
_SETTLE_MESSAGE = (
    sa.update(Message)
    .where(Message.id == sa.bindparam("message_id"))
    .values(
        mid=sa.func.coalesce(Message.mid, sa.bindparam("meta_id", type_=sa.String)),  # an echo may have told us first
        status=sa.case((Message.status == DeliveryStatus.PENDING.value, DeliveryStatus.SENT.value), else_=Message.status),
        error=None,
    )
    .returning(Message.conversation_id)
)
_TO_SEND = (
    select(Message, Conversation, ChannelIdentity.external_id)
    .join(Conversation, Conversation.id == Message.conversation_id)
    .outerjoin(ChannelIdentity, sa.and_(ChannelIdentity.customer_id == Conversation.customer_id, ChannelIdentity.page_id == Conversation.page_id))
    .where(Message.id == sa.bindparam("message_id"))
)
_FIRST_ATTEMPT = insert(OutboundSend).on_conflict_do_nothing(index_elements=["idempotency_key"]).returning(OutboundSend.id)


def send_key(message_id: int) -> str:
    return f"message:{message_id}"


def record_attempt(session, message_id: int) -> dict | None:
    """Put an attempt to send this message on record (in the caller's transaction) and return
    its Send API body, or None when there is nothing to send. The first attempt is one INSERT; a
    later one locks the row and settles what the earlier attempt left open: a worker that died
    mid-call is settled by the echo Meta sent back, if any, before anything is sent again."""
    key = send_key(message_id)
    found = session.exec(_TO_SEND, params={"message_id": message_id}).first()
    if found is None:
        return None
    message, conversation, recipient = found
    if message.status != DeliveryStatus.PENDING and message.mid:
        return None
    if recipient is None:  # the customer's Messenger identity is gone (erased on request)
        message.status, message.error = DeliveryStatus.FAILED, FRIENDLY["unreachable"]
        return None
    body = _request(message, conversation, recipient)
    if body.get("tag") and message.sender_kind != SenderKind.STAFF:  # HUMAN_AGENT is for a person's reply only
        message.status, message.error = DeliveryStatus.FAILED, FRIENDLY["window"]
        return None
    attempt = dict(request=body, messaging_type=body["messaging_type"], tag=body.get("tag"), attempts=1, sent_at=utcnow())
    first = session.execute(
        _FIRST_ATTEMPT, dict(idempotency_key=key, conversation_id=conversation.id, message_id=message.id, recipient_id=recipient, **attempt)
    ).scalar()
    if first is not None:
        return body
    send = session.exec(select(OutboundSend).where(OutboundSend.idempotency_key == key).with_for_update()).one()
    if send.status != SendStatus.QUEUED:
        return None
    if send.attempts and message.mid:  # the earlier attempt got through: its echo told us
        send.status, send.meta_message_id, send.sent_at = SendStatus.SENT, message.mid, utcnow()
        message.status = DeliveryStatus.SENT
        return None
    if send.sent_at and utcnow() - send.sent_at < ECHO_GRACE:
        raise dramatiq.Retry(delay=3000)  # outcome unknown: give the echo time to arrive
    body = _request(message, conversation, send.recipient_id)
    send.request, send.messaging_type, send.tag = body, body["messaging_type"], body.get("tag")
    send.attempts += 1
    send.sent_at = utcnow()  # when this attempt started (settled after the call)
    session.add(send)
    return body


def _request(message: Message, conversation: Conversation, recipient: str) -> dict:
    """The Send API body: inside the 24-hour window a RESPONSE, after it the HUMAN_AGENT tag."""
    current = window(conversation)
    body = {
        "recipient": {"id": recipient},
        "messaging_type": current.messaging_type or "RESPONSE",
        "message": _content(message),
        "metadata": f"vschool:message:{message.id}",
    }
    if current.tag:
        body["tag"] = current.tag
    if message.reply_to_mid:
        body["reply_to"] = {"mid": message.reply_to_mid}
    return body


@warm_at_boot
def open_graph_client() -> None:
    """The Graph client's TLS context takes a moment to build; not on the first customer's time."""
    graph()


def deliver_now(message_id: int, body: dict | None = None) -> None:
    """Send a reply from the worker that just wrote it (one queue hop less for the customer);
    `body` when its attempt is already on record (`record_attempt` in the writer's transaction).
    Whatever cannot finish here — Meta asks to retry, the process hiccups — goes to the
    `send_message` actor with its retries; a second run never sends twice."""
    try:
        if body is None:
            send_message.fn(message_id)
        else:
            call_send_api(message_id, body)
    except dramatiq.Retry as retry:
        send_message.send_with_options(args=(message_id,), delay=retry.delay)
    except Exception as exc:
        log_error("send_api", "sending inline failed; queued for the send actor", message_id=message_id, error=repr(exc)[:300])
        send_message.send(message_id)


def _content(message: Message) -> dict:
    """Text (with its quick replies, if any), or the first attachment by URL (Messenger sends
    one attachment per message)."""
    for attachment in message.attachments:
        if attachment.get("type") == "quick_replies":
            return {"text": message.text, "quick_replies": attachment.get("quick_replies") or []}
        url = (attachment.get("payload") or {}).get("url")
        if url:
            kind = attachment.get("type") if attachment.get("type") in ("image", "audio", "video", "file") else "file"
            return {"attachment": {"type": kind, "payload": {"url": url, "is_reusable": True}}}
    return {"text": message.text}


def _settle_failure(message_id: int, key: str, exc: GraphError) -> None:
    if exc.kind == "retry":
        with session_scope() as session:
            send = session.exec(select(OutboundSend).where(OutboundSend.idempotency_key == key)).one()
            send.error_code, send.error_message = exc.code, exc.message[:2000]
            if not exc.maybe_delivered:  # Meta answered (or was never reached): no echo to wait for
                send.sent_at = None
        log_error("send_api", "temporary Send API error; retrying", code=exc.code, subcode=exc.subcode, maybe_delivered=exc.maybe_delivered)
        # A call that may have got through is retried only after its echo had time to arrive.
        delay_s = ECHO_GRACE.total_seconds() if exc.maybe_delivered else exc.retry_after_s or 2
        raise dramatiq.Retry(delay=int(delay_s * 1000)) from exc
    if exc.kind == "token":
        redis.Redis.from_url(redis_url()).set(UNHEALTHY_KEY, f"Send API token error {exc.code}: {exc.message}"[:300])
    with session_scope() as session:
        send = session.exec(select(OutboundSend).where(OutboundSend.idempotency_key == key)).one()
        message = session.get(Message, message_id)
        send.status, send.error_code, send.error_subcode, send.error_message = SendStatus.FAILED, exc.code, exc.subcode, exc.message[:2000]
        message.status, message.error = DeliveryStatus.FAILED, FRIENDLY.get(exc.kind, FRIENDLY["invalid"])
        conversation_id = message.conversation_id
    log_error("send_api", "Send API refused a message", kind=exc.kind, code=exc.code, subcode=exc.subcode, message_id=message_id)
    announce("message", conversation_id)


@dramatiq.actor(queue_name="interactive", max_retries=2, min_backoff=500)
def send_sender_action(conversation_id: int, action: str) -> None:
    """`typing_on`, `typing_off` or `mark_seen` to the customer. Harmless to repeat."""
    if action not in ("typing_on", "typing_off", "mark_seen"):
        raise ValueError(f"not a sender action: {action}")
    with session_scope() as session:
        conversation = session.get(Conversation, conversation_id)
        if conversation is None:
            return
        recipient = _recipient(session, conversation)
    try:
        with _limiter.acquire():
            graph().send({"recipient": {"id": recipient}, "sender_action": action})
    except GraphError as exc:
        if exc.kind == "retry":
            raise
        log_error("send_api", "sender action refused", action=action, code=exc.code)


@dramatiq.actor(queue_name="bulk", max_retries=6, min_backoff=2_000, max_backoff=600_000, priority=50)  # after the replies
def fetch_customer_profile(customer_id: int) -> None:
    """Fetch name and picture from the Graph API. Until it arrives the inbox shows the
    PSID-based fallback name (never "John Doe"); `{}` or error 2018218 (no access) leave the
    fallback, and the daily refresh tries again. Safe to run twice: it overwrites the same
    fields with the same values."""
    with session_scope() as session:
        psid = session.exec(select(ChannelIdentity.external_id).where(ChannelIdentity.customer_id == customer_id)).first()
    if psid is None:
        return
    try:
        profile = graph().profile(psid)
    except GraphError as exc:
        if exc.kind == "retry":
            raise
        log_error("graph", "profile unavailable; keeping the fallback name", customer_id=customer_id, code=exc.code, subcode=exc.subcode)
        return
    first, last = profile.get("first_name"), profile.get("last_name")
    with session_scope() as session:
        customer = session.get(Customer, customer_id)
        customer.profile_fetched_at = utcnow()
        if first or last:
            customer.first_name, customer.last_name = first, last
            customer.display_name = " ".join(p for p in (first, last) if p)
        if profile.get("profile_pic"):
            customer.profile_pic_url = profile["profile_pic"]
        session.add(customer)
    announce_all(("customer", customer_id), ("conversation", ""))


@dramatiq.actor(queue_name="interactive", max_retries=3)
def relay_pending_replies() -> None:
    """Send replies stored as pending whose `send_message` never ran (Redis was away when staff
    pressed Send, or the message was dropped). Only replies pending for over a minute; safe to
    run twice: `send_message` sends each reply once."""
    cutoff = utcnow() - timedelta(seconds=60)
    with session_scope() as session:
        ids = session.exec(
            select(Message.id)
            # reminders (system messages) are retried by their own actor with their own request
            .where(Message.status == DeliveryStatus.PENDING, Message.mid.is_(None), Message.sent_at < cutoff,
                   Message.sender_kind != SenderKind.SYSTEM)
            .limit(500)
        ).all()
    for message_id in ids:
        send_message.send(message_id)


@dramatiq.actor(queue_name="bulk", max_retries=1)
def refresh_stale_profiles() -> None:
    """Daily: re-fetch profiles older than a week or never fetched (Meta's picture URLs
    expire; a profile that was unavailable may be available now). Safe to run twice: it only
    enqueues idempotent fetches."""
    cutoff = utcnow() - timedelta(days=7)
    with session_scope() as session:
        ids = session.exec(
            select(Customer.id)
            .where(sa.or_(Customer.profile_fetched_at.is_(None), Customer.profile_fetched_at < cutoff), Customer.erased_at.is_(None))
            .limit(5000)
        ).all()
    for customer_id in ids:
        fetch_customer_profile.send(customer_id)
