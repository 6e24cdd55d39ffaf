"""Running the automation rules on one customer message (the worker calls `run_rules` right
after storing it, before the AI answers).

Loop protection: only a customer's own inbound message is a trigger. What rules do — assign,
label, set the AI level, send a canned reply (an automated outbound message) — is never an
inbound customer message, so a rule's actions cannot trigger rules, whatever their text.
Idempotency: every rule run is a row unique per (rule, trigger), inserted in the same
transaction as its actions; a second run of the same trigger finds the row and does nothing.
"""

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session, select

from models.activity import record_activity
from models.assignment import assign_person, assign_team
from models.automation import AutomationRule, AutomationRun, Trigger, normalised, ordered_rules
from models.customers import Customer
from models.enums import ActivityKind, DeliveryStatus, Direction, SenderKind
from models.inbox import CannedResponse, Conversation, ConversationLabel, Label, Message
from models.marketing import Ad
from models.refusals import Refused
from models.reply_rules import window
from models.report_facts import school_open


@dataclass
class RulesRan:
    """What the rules did to one conversation: the rules that ran, and replies to send."""

    conversation_id: int | None = None
    ran: list[str] = field(default_factory=list)
    to_send: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class _Context:
    message: Message
    conversation: Conversation
    customer: Customer
    campaign_id: str | None


def _matches(session: Session, rule: AutomationRule, ctx: _Context) -> bool:
    c = rule.conditions or {}
    phrase = normalised(c.get("text_contains"))
    if phrase and phrase not in normalised(ctx.message.text):
        return False
    source = c.get("source") or ""
    if source and source not in (ctx.conversation.source_ad_id, ctx.campaign_id):
        return False
    if c.get("stage") and ctx.customer.lead_stage != c["stage"]:
        return False
    hours = c.get("hours") or ""
    return not hours or school_open(session, ctx.message.sent_at) == (hours == "within")


def _canned_reply(session: Session, ctx: _Context, code: str, now: datetime) -> int | None:
    content = session.exec(select(CannedResponse.content).where(CannedResponse.short_code == code)).first()
    if not content or window(ctx.conversation, now).state != "open":
        return None
    message = Message(
        conversation_id=ctx.conversation.id,
        direction=Direction.OUTBOUND,
        sender_kind=SenderKind.SYSTEM,  # automated: never a human reply in the reports
        text=content,
        status=DeliveryStatus.PENDING,
        sent_at=now,
    )
    session.add(message)
    session.flush()
    return message.id


def _assign(session: Session, rule: AutomationRule, ctx: _Context) -> list[str]:
    """The rule's team and person, through the same functions staff use (their activity
    lines name the rule). Someone who can no longer take conversations is skipped."""
    a, by, done = rule.actions or {}, f"rule: {rule.name}", []
    try:
        if a.get("assign_team_id") and assign_team(session, ctx.conversation.id, a["assign_team_id"], None, by):
            done.append(f"team:{a['assign_team_id']}")
        if a.get("assign_staff_id") and assign_person(session, ctx.conversation.id, a["assign_staff_id"], None, by):
            done.append(f"assign:{a['assign_staff_id']}")
    except Refused as refused:
        done.append(f"skipped:{refused.key}")
    return done


def _act(session: Session, rule: AutomationRule, ctx: _Context, now: datetime, result: RulesRan) -> list[str]:
    """Carry out a rule's actions; each leaves things as they are when already so."""
    a, conversation = rule.actions or {}, ctx.conversation
    done = _assign(session, rule, ctx)
    if a.get("label"):
        label_id = session.exec(select(Label.id).where(Label.name == a["label"])).first()
        if label_id is not None:
            added = session.execute(
                insert(ConversationLabel).values(conversation_id=conversation.id, label_id=label_id).on_conflict_do_nothing()
            ).rowcount
            if added:
                done.append(f"label:{a['label']}")
    if a.get("ai_level") and conversation.autonomy_level != int(a["ai_level"]):
        conversation.autonomy_level = int(a["ai_level"])
        session.add(conversation)
        done.append(f"ai_level:{a['ai_level']}")
    if a.get("canned"):
        reply_id = _canned_reply(session, ctx, a["canned"], now)
        if reply_id is not None:
            result.to_send.append(reply_id)
            done.append(f"reply:/{a['canned']}")
    return done


def _context(session: Session, message_id: int) -> _Context | None:
    message = session.get(Message, message_id)
    if message is None or message.direction != Direction.INBOUND or message.sender_kind != SenderKind.CUSTOMER:
        return None  # the loop guard: only what a customer wrote triggers rules
    conversation = session.get(Conversation, message.conversation_id, with_for_update=True)
    customer = session.get(Customer, conversation.customer_id)
    campaign = session.exec(select(Ad.campaign_id).where(Ad.id == conversation.source_ad_id)).first() if conversation.source_ad_id else None
    return _Context(message, conversation, customer, campaign)


def _triggers(session: Session, ctx: _Context) -> dict[str, str]:
    """The triggers this message fires, with their keys: every customer message is *received*;
    the conversation's first customer message also marks it *created*."""
    keys = {Trigger.MESSAGE_RECEIVED.value: f"message:{ctx.message.id}"}
    earlier = session.exec(
        select(Message.id).where(
            Message.conversation_id == ctx.conversation.id,
            Message.direction == Direction.INBOUND,
            Message.sender_kind == SenderKind.CUSTOMER,
            Message.id < ctx.message.id,
        ).limit(1)
    ).first()
    if earlier is None:
        keys[Trigger.CONVERSATION_CREATED.value] = f"conversation:{ctx.conversation.id}"
    return keys


_NEW_RUN = insert(AutomationRun).on_conflict_do_nothing(index_elements=["rule_id", "trigger_key"]).returning(AutomationRun.id)


def run_rules(session: Session, message_id: int, now: datetime | None = None) -> RulesRan:
    """Run the enabled rules, in order, on one stored customer message (in the caller's
    transaction). Conversation-created rules run before message-received ones."""
    ctx = _context(session, message_id)
    if ctx is None:
        return RulesRan()
    now = now or ctx.message.sent_at
    result = RulesRan(conversation_id=ctx.conversation.id)
    keys = _triggers(session, ctx)
    rules = sorted(ordered_rules(session, enabled_only=True), key=lambda r: r.trigger != Trigger.CONVERSATION_CREATED)
    for rule in rules:
        key = keys.get(rule.trigger)
        if key is None or not _matches(session, rule, ctx):
            continue
        run_id = session.execute(_NEW_RUN.values(rule_id=rule.id, conversation_id=ctx.conversation.id, trigger_key=key, ran_at=now)).scalar()
        if run_id is None:
            continue  # this rule already ran on this trigger
        done = _act(session, rule, ctx, now, result)
        session.execute(sa.update(AutomationRun).where(AutomationRun.id == run_id).values(done=done))
        record_activity(session, ctx.conversation.id, ActivityKind.RULE, None, {"rule": rule.name, "did": ", ".join(done) or "—"},
                        actor_label=f"rule: {rule.name}", at=now)
        result.ran.append(rule.name)
    session.flush()
    return result


def runs_of_conversation(session: Session, conversation_id: int) -> list[dict[str, str]]:
    """Every rule run on a conversation, oldest first, for the thread."""
    rows = session.execute(
        sa.select(AutomationRun.ran_at, AutomationRule.name, AutomationRun.done)
        .join(AutomationRule, AutomationRule.id == AutomationRun.rule_id)
        .where(AutomationRun.conversation_id == conversation_id)
        .order_by(AutomationRun.ran_at, AutomationRun.id)
    ).all()
    return [{"at": at.isoformat(), "rule": name, "done": ", ".join(done)} for at, name, done in rows]
