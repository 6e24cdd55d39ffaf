"""Periodic actors the scheduler sends."""

import dramatiq
import sqlalchemy as sa
from sqlmodel import col, select, update

from actors.push import announce
from models.base import utcnow
from models.db import session_scope
from models.enums import ConversationStatus, DraftStatus
from models.inbox import Conversation
from models.ops import AiTask

AI_TASKS_KEPT = 100


@dramatiq.actor(queue_name="interactive", max_retries=3)
def wake_snoozed_conversations() -> None:
    """Reopen conversations whose snooze has run out.

    Writes: conversation.status/snoozed_until. Announces `conversation` for each and `overview`.
    Safe to run twice: a woken conversation is no longer snoozed, so the second run finds none.
    """
    with session_scope() as session:
        woken = session.execute(
            update(Conversation)
            .where(Conversation.status == ConversationStatus.SNOOZED, Conversation.snoozed_until <= utcnow())
            .values(status=ConversationStatus.OPEN, snoozed_until=None, updated_at=utcnow())
            .returning(Conversation.id)
        ).all()
    for (conversation_id,) in woken:
        announce("conversation", conversation_id)
    if woken:
        announce("overview")


@dramatiq.actor(queue_name="bulk", max_retries=3)
def prune_ai_tasks() -> None:
    """Keep the newest 100 AI tasks, every task tied to an incident (seed 000's task buffer) and
    every draft still open in the inbox.

    Safe to run twice: deleting what is already gone deletes nothing.
    """
    with session_scope() as session:
        keep = select(AiTask.id).order_by(col(AiTask.id).desc()).limit(AI_TASKS_KEPT)
        session.execute(
            sa.delete(AiTask).where(
                AiTask.incident_id.is_(None),
                AiTask.draft_status.is_distinct_from(DraftStatus.OPEN.value),  # a draft still beside a composer stays
                col(AiTask.id).not_in(keep.scalar_subquery()),
            )
        )
