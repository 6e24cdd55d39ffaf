"""AI drafts and AI replies as the inbox sees them: the draft beside the composer, the hand-off
banner, sending or discarding a draft, and the AI's own replies. A draft lives on its `AiTask`
row (`draft_status`); the reply it becomes is an outbound message the send actor delivers."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from models.ai_rules import effective_level, global_level
from models.base import utcnow
from models.customers import Customer
from models.enums import AiOutcome, DeliveryStatus, Direction, DraftStatus, SenderKind
from models.inbox import Conversation, Message
from models.inbox_queries import local
from models.ops import AiTask
from models.refusals import Sentence, from_record
from models.reply_rules import MAX_TEXT, ReplyRefused, window
from models.report_facts import record_ai_outcome, record_human_reply
from models.sla import end_wait
from models.staff import StaffUser

TASKS_SHOWN = 100


def queue_ai_reply(
    session: Session, conversation: Conversation, text: str, now: datetime | None = None, approved_by: StaffUser | None = None, edited: bool = False
) -> Message:
    """Store the AI's answer as a pending outbound message (the send actor delivers it). Unlike
    a staff reply it does not pause the AI: sending an AI draft is not a takeover. An edited
    draft is the staff member's words and is shown as theirs."""
    now = now or utcnow()
    text = text.strip()
    if not text:
        raise ReplyRefused("error_draft_empty")
    if len(text) > MAX_TEXT:
        raise ReplyRefused("error_draft_too_long", limit=MAX_TEXT)
    state = window(conversation, now).state
    if state == "closed" or (approved_by is None and state != "open"):
        raise ReplyRefused("error_window_closed" if state == "closed" else "error_only_a_person")
    message = Message(
        conversation_id=conversation.id,
        direction=Direction.OUTBOUND,
        sender_kind=SenderKind.STAFF if edited else SenderKind.AI,
        staff_user_id=approved_by.id if approved_by else None,
        text=text,
        status=DeliveryStatus.PENDING,
        sent_at=now,
    )
    session.add(message)
    if approved_by is not None:  # a person sent it: their reply, for the reports
        conversation.unread_count = 0
        record_human_reply(session, conversation.id, approved_by.id, now)
        end_wait(session, conversation.id, now, approved_by.id)  # a person sent it: the response-time clock stops
    conversation.last_message_at = max(conversation.last_message_at or now, now)
    conversation.updated_at = now
    session.add(conversation)
    session.flush()
    return message


def _open_draft(session: Session, task_id: int, conversation_id: int | None) -> AiTask:
    """The open draft, when it belongs to the conversation staff have open (a draft id from
    another conversation is refused like a gone one)."""
    task = session.get(AiTask, task_id, with_for_update=True)
    if task is None or task.draft_status != DraftStatus.OPEN or conversation_id not in (None, task.conversation_id):
        raise ReplyRefused("error_draft_gone")
    return task


def send_draft(
    session: Session, staff: StaffUser, task_id: int, text: str | None = None, conversation_id: int | None = None
) -> Message:
    """Send an AI draft as it is (one click) or as edited in the composer."""
    task = _open_draft(session, task_id, conversation_id)
    conversation = session.get(Conversation, task.conversation_id, with_for_update=True)
    if conversation is None:
        raise ReplyRefused("error_conversation_gone")
    final = (text if text is not None else task.answer or "").strip()
    edited = final != (task.answer or "").strip()
    message = queue_ai_reply(session, conversation, final, approved_by=staff, edited=edited)
    task.draft_status, task.reply_message_id = DraftStatus.SENT, message.id
    session.add(task)
    record_ai_outcome(session, task.id, conversation.id, "draft_edited" if edited else "draft_sent", message.sent_at)
    return message


def discard_draft(session: Session, task_id: int, conversation_id: int | None = None) -> None:
    task = _open_draft(session, task_id, conversation_id)
    task.draft_status = DraftStatus.DISCARDED
    session.add(task)


def dismiss_handoff(session: Session, task_id: int, conversation_id: int | None = None) -> None:
    """Staff say a handed-off message needs no reply ("thanks!", a sticker): it leaves the card
    and the fold. One that a person has answered since, or of another conversation, is gone."""
    task = session.get(AiTask, task_id, with_for_update=True)
    if (
        task is None
        or task.outcome not in HANDED_OFF
        or task.draft_status is not None
        or conversation_id not in (None, task.conversation_id)
    ):
        raise ReplyRefused("error_handoff_gone")
    task.draft_status = DraftStatus.DISCARDED
    session.add(task)


def _sources(task: AiTask) -> list[dict[str, str]]:
    return [
        {
            "title": str(s.get("title") or s.get("source") or ""),
            "source": str(s.get("source") or ""),
            "snippet": str(s.get("text") or "")[:240],
            "score": f"{float(s.get('score') or 0):.2f}",
        }
        for s in task.sources
    ]


def _reason(task: AiTask, language: str) -> str:
    """Why the AI did not answer by itself, in the staff member's language when it is one of
    our sentences (the model's own words and older tasks: as recorded)."""
    said = from_record(task.reason_sentence, task.reason or "")
    return said.in_language(language) if isinstance(said, Sentence) else said


def _details(task: AiTask, language: str) -> str:
    """The figures behind a hand-off (confidence, what was asked, the closest source), for a
    fold under the reason — not the reason itself — in the staff member's language."""
    values = (task.reason_sentence or {}).get("values") or {}
    details = values.get("details")
    if not isinstance(details, dict):  # older tasks kept it as one English line
        return str(details or "")
    asked = ", ".join(
        str(label[1] if language == "th" else label[0]) for label in details.get("asked") or () if len(label) == 2
    ) or Sentence("ai_asked_nothing_known").in_language(language)
    return Sentence(
        "ai_figures",
        confidence=details.get("confidence", ""),
        threshold=details.get("threshold", ""),
        asked=asked,
        closest=details.get("closest", "-"),
    ).in_language(language)


def ai_panel(session: Session, conversation_id: int, language: str = "en") -> dict:
    """What the inbox shows beside the composer: the open draft (with its sources and
    confidence), or the reason the AI handed this conversation to a person. Empty when the
    AI has nothing to say (or a person has answered since)."""
    task = session.exec(
        select(AiTask).where(AiTask.conversation_id == conversation_id).order_by(col(AiTask.id).desc()).limit(1)
    ).first()
    if task is None:
        return {}
    base = {
        "task_id": str(task.id),
        "outcome": task.outcome,
        "confidence": f"{task.confidence:.2f}" if task.confidence is not None else "",
        "reason": _reason(task, language),
        "details": _details(task, language),
        "model": task.model,
        "level": str(task.autonomy_level or ""),
        "when": local(task.created_at, language),
    }
    if task.draft_status == DraftStatus.OPEN:
        return {**base, "kind": "draft", "text": task.answer or "", "sources": _sources(task)}
    if task.outcome in HANDED_OFF and task.draft_status is None and not session.exec(
        select(sa.literal(1)).where(person_wrote_since(conversation_id, task.created_at, drafts=False))
    ).first():
        return {**base, "kind": "handoff", "text": "", "sources": _sources(task)}
    return {}


EARLIER_SHOWN = 5
HANDED_OFF = (AiOutcome.HANDOFF, AiOutcome.ERROR)


def person_wrote_since(
    conversation_id: int, since: sa.ColumnElement[datetime] | datetime, drafts: bool = True
) -> sa.ColumnElement[bool]:
    """A person has written to the customer since `since`: staff here (their own words, or an AI
    draft they sent — unless `drafts` is false, when a sent draft answers its own question only)
    or in Meta's Page inbox. The away message, reminders and the AI's own replies are nobody's."""
    conditions = [
        Message.conversation_id == conversation_id,
        Message.direction == Direction.OUTBOUND,
        sa.or_(
            col(Message.sender_kind).in_((SenderKind.STAFF, SenderKind.PAGE_INBOX)),
            col(Message.staff_user_id).is_not(None),
        ),
        Message.created_at >= since,  # stored since: a Page inbox echo carries Meta's earlier time
    ]
    if not drafts:
        ai_replies = select(AiTask.reply_message_id).where(
            AiTask.conversation_id == conversation_id, col(AiTask.reply_message_id).is_not(None)
        )
        conditions.append(col(Message.id).not_in(ai_replies))
    return sa.exists().where(*conditions)


def earlier_waiting(session: Session, conversation_id: int, language: str = "en") -> list[dict[str, str]]:
    """The customer's earlier messages the AI still waits on staff for, newest first: drafts still
    open (each answers its own question, so a newer message does not close them — a person's
    reply does, `supersede_drafts`) and hand-offs no person has answered since, with their reason.
    The newest task is `ai_panel`'s, not listed here."""
    newest = sa.select(sa.func.max(AiTask.id)).where(AiTask.conversation_id == conversation_id).scalar_subquery()
    waiting = sa.or_(
        AiTask.draft_status == DraftStatus.OPEN,
        sa.and_(
            col(AiTask.outcome).in_(HANDED_OFF),
            col(AiTask.draft_status).is_(None),
            ~person_wrote_since(conversation_id, col(AiTask.created_at), drafts=False),
        ),
    )
    tasks = session.exec(
        select(AiTask)
        .where(AiTask.conversation_id == conversation_id, AiTask.id != newest, waiting)
        .order_by(col(AiTask.id).desc())
        .limit(EARLIER_SHOWN)
    ).all()
    asked = dict(
        session.execute(
            sa.select(Message.id, Message.text).where(col(Message.id).in_([t.message_id for t in tasks if t.message_id]))
        ).all()
    )
    return [
        {
            "task_id": str(task.id),
            "kind": "draft" if task.draft_status == DraftStatus.OPEN else "handoff",
            "question": asked.get(task.message_id) or "",
            "text": (task.answer or "") if task.draft_status == DraftStatus.OPEN else "",
            "reason": _reason(task, language) if task.outcome in HANDED_OFF else "",
            "confidence": f"{task.confidence:.2f}" if task.confidence is not None else "",
            "when": local(task.created_at, language),
        }
        for task in tasks
    ]


def autonomy_of(session: Session, conversation_id: int) -> dict[str, str]:
    """The conversation's own level ("" = follows the global one) and the level in force."""
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        return {}
    return {
        "own": str(conversation.autonomy_level or ""),
        "effective": str(effective_level(session, conversation)),
        "global": str(global_level(session)),
        "paused": "1" if conversation.ai_paused else "",
    }


def _customers_of(session: Session, conversation_ids: set[int]) -> dict[int, dict[str, str]]:
    """Each conversation's customer as staff know them: their name (or their standard id when
    they have none, or were erased) and their standard id, for a link to their page."""
    if not conversation_ids:
        return {}
    rows = session.execute(
        sa.select(Conversation.id, Customer.display_name, Customer.standard_id)
        .join(Customer, Customer.id == Conversation.customer_id)
        .where(col(Conversation.id).in_(conversation_ids))
    ).all()
    return {cid: {"customer": name or standard_id, "standard_id": standard_id} for cid, name, standard_id in rows}


def recent_tasks(session: Session, limit: int = TASKS_SHOWN, language: str = "en") -> list[dict[str, str]]:
    """The admin page's list: the newest AI tasks, everything they recorded."""
    tasks = session.exec(select(AiTask).order_by(col(AiTask.id).desc()).limit(limit)).all()
    customers = _customers_of(session, {t.conversation_id for t in tasks if t.conversation_id})
    return [
        {
            "id": str(t.id),
            "when": local(t.created_at, language),
            "conversation_id": str(t.conversation_id or ""),
            **customers.get(t.conversation_id, {"customer": "", "standard_id": ""}),
            "prompt": t.prompt,
            "sources": " · ".join(f"{s.get('title') or s.get('source')} ({float(s.get('score') or 0):.2f})" for s in t.sources),
            "answer": t.answer or "",
            "model": t.model,
            "latency_ms": str(t.latency_ms if t.latency_ms is not None else ""),
            "confidence": f"{t.confidence:.2f}" if t.confidence is not None else "",
            "outcome": t.outcome,
            "draft_status": t.draft_status or "",
            "reason": _reason(t, language),
            "level": str(t.autonomy_level or ""),
        }
        for t in tasks
    ]
