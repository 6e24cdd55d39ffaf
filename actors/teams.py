"""Team actors: what follows a customer's message (the out-of-hours reply, handing a new
conversation to a team member) and the round-robin's periodic pass.

Both are idempotent: the out-of-hours reply is claimed once per conversation per closed stretch
(`out_of_hours_reply`'s key), and the round-robin only moves a conversation nobody holds, or
one its auto-assignee left unanswered past the team's offer time.
"""

import dramatiq

from actors.outbound import deliver_now
from actors.push import announce_all
from models.assignment import auto_assign, waiting_for_offer
from models.base import utcnow
from models.db import session_scope
from models.inbox import Conversation
from models.out_of_hours import queue_out_of_hours_reply


@dramatiq.actor(queue_name="bulk", max_retries=5)
def after_customer_wrote(conversation_id: int, message_id: int) -> None:
    """A customer message was stored: send the out-of-hours reply if the school is closed (once
    per closed stretch, only inside the 24-hour window), and offer the conversation to the
    team's next available member if nobody holds it.

    Writes: message, out_of_hours_reply, conversation (assignee), conversation_activity.
    Announces `conversation`/`message`."""
    with session_scope() as session:
        reply_id = queue_out_of_hours_reply(session, conversation_id, message_id)
    if reply_id is not None:
        deliver_now(reply_id)
    with session_scope() as session:
        conversation = session.get(Conversation, conversation_id)
        chosen = auto_assign(session, conversation_id) if conversation and conversation.assignee_id is None else None
    if reply_id is not None or chosen is not None:
        announce_all(("conversation", conversation_id), ("message", conversation_id), ("overview", ""))


@dramatiq.actor(queue_name="bulk", max_retries=1)
def hand_out_waiting() -> None:
    """The round-robin's pass (every 15 s): offer each conversation nobody holds to its team's
    next available member, and move one its auto-assignee left unanswered past the team's
    `offer_minutes` to the next member. Each conversation in its own short transaction."""
    now = utcnow()
    with session_scope() as session:
        ids = waiting_for_offer(session, now)
    moved = []
    for conversation_id in ids:
        with session_scope() as session:
            current = session.get(Conversation, conversation_id)
            exclude = {current.assignee_id} if current and current.assignee_id else set()
            if auto_assign(session, conversation_id, now, exclude) is not None:
                moved.append(conversation_id)
    if moved:
        announce_all(*[("conversation", cid) for cid in moved], ("overview", ""))
