"""The AI reply actor: every inbound customer text gets a grounded answer (or a hand-off),
acted on at the conversation's autonomy level (L1 suggest, L2 draft, L3 auto-send)."""

import dramatiq
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col, select

from actors.broker import warm_at_boot
from actors.outbound import deliver_now, record_attempt
from actors.push import announce_all
from knowledge.answer import Asker, Reply, prepare, respond
from logs.jsonl import log_error
from models.ai_drafts import queue_ai_reply
from models.ai_rules import Verdict, decide, effective_level, states_figures
from models.customers import Customer
from models.db import session_scope
from models.enums import AiOutcome, ConversationStatus, Direction, DraftStatus, SenderKind
from models.inbox import Conversation, Message
from models.ops import AiTask
from models.refusals import Sentence
from models.reply_rules import window
from models.report_facts import record_ai_outcome
from models.settings import get_settings

HISTORY = 10
RECORD_PREFIXES = ("catalog:", "school_fact:", "round:")  # sources that are the school's record, not a document


@warm_at_boot
def load_thai_dictionary() -> None:
    """PyThaiNLP builds its word trie on first use (~2.5 s here); pay it before the first customer."""
    from knowledge.chunk import thai_words

    thai_words("สวัสดีค่ะ สนใจคอร์สทำซูชิ ราคาเท่าไหร่คะ")


@warm_at_boot
def load_knowledge() -> None:
    """The first search loads the knowledge base's vectors into this process (and the answer's
    queries get compiled); pay it before the first customer. Not with Gemini: that would be an
    embedding call per worker boot."""
    if get_settings().gemini_api_key is None:
        with session_scope() as session:
            prepare(session, "สวัสดีค่ะ สนใจคอร์สทำซูชิ ราคาเท่าไหร่คะ")


WHO = {SenderKind.CUSTOMER: "Customer", SenderKind.AI: "V School (AI)", SenderKind.STAFF: "V School staff"}


# The answer's statements, built once (building one costs more CPU than running it).
_QUESTION = (
    select(Message, Conversation, Customer, AiTask.id)
    .join(Conversation, col(Conversation.id) == Message.conversation_id)
    .join(Customer, col(Customer.id) == Conversation.customer_id)
    .outerjoin(AiTask, col(AiTask.message_id) == Message.id)
    .where(Message.id == sa.bindparam("message_id"))
)
_NEWER_QUESTION = (
    select(Message.id)
    .where(
        Message.conversation_id == sa.bindparam("conversation_id"),
        Message.direction == Direction.INBOUND,
        Message.sent_at > sa.bindparam("sent_at"),
        Message.text.is_not(None),
    )
    .limit(1)
)
_EARLIER = (
    select(Message)
    .where(Message.conversation_id == sa.bindparam("conversation_id"), Message.id != sa.bindparam("message_id"), Message.sent_at <= sa.bindparam("sent_at"))
    .order_by(col(Message.sent_at).desc())
    .limit(HISTORY)
)
_NEW_TASK = insert(AiTask).on_conflict_do_nothing(index_elements=["message_id"]).returning(AiTask.id)


def _asker(session, customer: Customer, message: Message) -> Asker:
    earlier = session.exec(_EARLIER, params={"conversation_id": message.conversation_id, "message_id": message.id, "sent_at": message.sent_at}).all()
    history = tuple((WHO.get(m.sender_kind, "V School"), m.text) for m in reversed(earlier) if m.text)
    name = (customer.first_name or "") if customer.profile_fetched_at else ""
    return Asker(name=name, history=history)


@dramatiq.actor(queue_name="interactive", max_retries=3, min_backoff=1_000)
def answer_customer_message(message_id: int) -> None:
    """Answer one inbound customer text message from the knowledge base.

    Reads: message, conversation, customer, knowledge chunks, catalog. Writes: ai_task (one per
    inbound message: prompt, sources, answer, model, latency, outcome), and at L3 an outbound
    message the send actor delivers. Announces `conversation`/`message` so drafts appear live.
    Skips paused conversations (a person is answering) and messages the customer has already
    followed with another (that one is answered with this one in its context). Safe to run
    twice: the task is unique per message and written in the same transaction as the reply.
    """
    with session_scope() as session:
        found = session.exec(_QUESTION, params={"message_id": message_id}).first()
        if found is None:
            return
        message, conversation, customer, task_id = found
        if task_id is not None or message.direction != Direction.INBOUND or message.sender_kind != SenderKind.CUSTOMER:
            return
        if not (message.text or "").strip():
            return  # a sticker or a photo: nothing to answer from documents
        if conversation.ai_paused or conversation.status == ConversationStatus.RESOLVED:
            return
        newer = session.exec(_NEWER_QUESTION, params={"conversation_id": conversation.id, "sent_at": message.sent_at}).first()
        if newer is not None:
            return
        prepared = prepare(session, message.text, _asker(session, customer, message))
        conversation_id = conversation.id
    reply = respond(prepared)  # no connection held while the model thinks
    acted = _act(message_id, conversation_id, reply)
    if acted is None:
        return
    announce_all(("conversation", conversation_id), ("message", conversation_id))
    reply_id, body = acted
    if reply_id is not None:
        deliver_now(reply_id, body)


def answer_soon(message_id: int) -> None:
    """Called by the worker that just stored a customer message. The offline responder takes
    milliseconds, so it answers right here — one queue hop less for the customer; Gemini may take
    seconds, so that goes to its own actor. Any failure here leaves the job to the actor, whose
    run is idempotent (one task per message)."""
    if get_settings().gemini_api_key is not None:
        answer_customer_message.send(message_id)
        return
    try:
        answer_customer_message.fn(message_id)
    except Exception as exc:
        log_error("ai", "answering inline failed; queued for the reply actor", message_id=message_id, error=repr(exc)[:300])
        answer_customer_message.send(message_id)


def _act(message_id: int, conversation_id: int, reply: Reply) -> tuple[int | None, dict | None] | None:
    """Record the task and carry out what the autonomy level allows, in one transaction: at L3
    the reply is stored with its first send attempt on record. Returns the reply's id and Send
    API body (None, None when there is nothing to send), or None when another run got here first."""
    with session_scope() as session:
        conversation = session.get(Conversation, conversation_id, with_for_update=True)
        level = effective_level(session, conversation)
        if conversation.ai_paused:
            outcome, reason = AiOutcome.HANDOFF.value, Sentence("ai_person_took_over")
        elif reply.failed:
            outcome, reason = AiOutcome.ERROR.value, reply.reason
        else:
            verdict = Verdict(reply.action == "reply", reply.reason)
            of_record = not states_figures(reply.text) or all(
                str(src.get("source", "")).startswith(RECORD_PREFIXES) for src in reply.sources
            )
            outcome, reason = decide(level, verdict, reply.confidence, window(conversation).state, of_record)
        reply_id = body = None
        if outcome == AiOutcome.REPLY:
            reply_id = queue_ai_reply(session, conversation, reply.text).id
            body = record_attempt(session, reply_id)
        task_id = session.execute(
            _NEW_TASK,
            dict(
                conversation_id=conversation_id,
                message_id=message_id,
                prompt=reply.prompt,
                sources=reply.sources,
                answer=reply.text or reply.extra.get("rejected_text"),
                model=reply.model,
                confidence=reply.confidence,
                latency_ms=reply.latency_ms,
                outcome=outcome,
                reason=reason[:500] or None,
                reason_sentence=reason.as_record() if isinstance(reason, Sentence) else None,
                autonomy_level=level,
                language=reply.language,
                draft_status=DraftStatus.OPEN.value if outcome in (AiOutcome.DRAFT, AiOutcome.SUGGESTION) else None,
                reply_message_id=reply_id,
            ),
        ).scalar()
        if task_id is None:
            session.rollback()  # the reply (if any) goes with it
            return None
        fact = {AiOutcome.REPLY: "auto_sent", AiOutcome.HANDOFF: "handed_off", AiOutcome.ERROR: "handed_off"}.get(AiOutcome(outcome))
        if fact:
            record_ai_outcome(session, task_id, conversation_id, fact)
    if reply.failed:
        log_error("gemini", "the reply model failed; handed off to a person", message_id=message_id, reason=reply.reason)
    return reply_id, body


RELAY_AFTER_S, RELAY_WITHIN_S = 60, 15 * 60
_UNANSWERED = sa.text(
    """
    SELECT m.id FROM conversation c
    JOIN message m ON m.conversation_id = c.id AND m.sent_at > now() - make_interval(secs => :within)
    WHERE c.status IN ('open', 'pending', 'snoozed') AND c.last_message_at > now() - make_interval(secs => :within)
      AND NOT c.ai_paused
      AND m.direction = 'inbound' AND m.sender_kind = 'customer' AND coalesce(m.text, '') <> ''
      AND m.created_at < now() - make_interval(secs => :after)
      AND NOT EXISTS (SELECT 1 FROM ai_task t WHERE t.message_id = m.id)
      AND NOT EXISTS (SELECT 1 FROM message n WHERE n.conversation_id = m.conversation_id AND n.direction = 'inbound'
                      AND n.sent_at > m.sent_at AND n.text IS NOT NULL)
    ORDER BY m.id LIMIT 100
    """
)


@dramatiq.actor(queue_name="interactive", max_retries=3)
def relay_unanswered_messages() -> None:
    """The AI's outbox relay: a customer message stored while Redis was away never reached the
    reply actor; pick up the newest unanswered one of each recent conversation (stored over a
    minute ago, written in the last 15 minutes — later than that a person should look).
    Safe to run twice: the reply actor runs once per message."""
    with session_scope() as session:
        ids = unanswered_messages(session)
    for message_id in ids:
        answer_customer_message.send(message_id)


def unanswered_messages(session) -> list[int]:
    return list(session.execute(_UNANSWERED, {"after": RELAY_AFTER_S, "within": RELAY_WITHIN_S}).scalars())
