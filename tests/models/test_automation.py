"""Automation rules, run by the worker's inbound path (the event applied as the worker does):
conditions on Thai text without spaces, triggers, order, idempotent actions visible on the
conversation, and a rule's own actions never triggering rules."""

from datetime import time

import pytest
from sqlmodel import select

from models import (
    AutomationRun,
    CannedResponse,
    Conversation,
    ConversationActivity,
    ConversationLabel,
    Label,
    Message,
    OpeningPeriod,
)
from models.automation import normalised, save_rule
from models.automation_run import run_rules
from models.base import utcnow
from models.db import session_scope
from models.enums import DeliveryStatus, Direction, SenderKind
from models.refusals import Refused
from models.report_facts import school_open
from tests.messenger_helpers import envelope, ingest, text_event
from tests.team_helpers import add_person

pytestmark = pytest.mark.usefixtures("db")
PAGE = "1111111111"


def _write(psid: str, mid: str, text: str) -> int:
    ingest(envelope(text_event(psid, mid, text, int(utcnow().timestamp() * 1000), PAGE), PAGE))
    with session_scope() as s:
        return s.exec(select(Message.id).where(Message.mid == mid)).one()


def _rule(**form: str) -> int:
    with session_scope() as s:
        return save_rule(s, {"trigger": "message_received", **form}).id


def _setup() -> int:
    with session_scope() as s:
        s.add(Label(name="Corporate"))
        s.add(CannedResponse(short_code="tax", content="ส่งข้อมูลใบกำกับภาษีได้เลยค่ะ เจ้าหน้าที่จะออกให้ภายใน 1 วันทำการ"))
        for weekday in range(7):  # always open: the hours condition is tested on its own below
            s.add(OpeningPeriod(weekday=weekday, opens=time(0, 0), closes=time(23, 59)))
        return add_person(s, "Ploy")


def test_thai_phrase_is_found_without_spaces_and_the_actions_run_once_each() -> None:
    ploy = _setup()
    assert normalised("ขอ ใบกำกับ\u200bภาษี ด้วยค่ะ") == "ขอใบกำกับภาษีด้วยค่ะ"
    _rule(name="Tax invoice", text_contains="ใบกำกับ ภาษี", label="Corporate", canned="tax", assign_staff_id=str(ploy), ai_level="1")
    message_id = _write("psid-tax", "m_tax_1", "รบกวนขอใบกำกับภาษีในนามบริษัทค่ะ")
    with session_scope() as s:
        conversation = s.exec(select(Conversation)).one()
        assert (conversation.assignee_id, conversation.autonomy_level) == (ploy, 1)
        assert len(s.exec(select(ConversationLabel)).all()) == 1
        (reply,) = s.exec(select(Message).where(Message.direction == Direction.OUTBOUND)).all()
        assert (reply.sender_kind, reply.status, reply.text.startswith("ส่งข้อมูลใบกำกับภาษี")) == (SenderKind.SYSTEM, DeliveryStatus.PENDING, True)
        (run,) = s.exec(select(AutomationRun)).all()
        assert run.done == [f"assign:{ploy}", "label:Corporate", "ai_level:1", "reply:/tax"]
        rule_lines = s.exec(select(ConversationActivity).where(ConversationActivity.kind == "rule")).all()
        assert [line.detail["rule"] for line in rule_lines] == ["Tax invoice"]  # visible on the conversation
    with session_scope() as s:  # the worker runs it again (a redelivered message): nothing more
        assert run_rules(s, message_id).ran == []
    with session_scope() as s:
        assert len(s.exec(select(Message).where(Message.direction == Direction.OUTBOUND)).all()) == 1
        assert len(s.exec(select(AutomationRun)).all()) == 1
    _write("psid-tax", "m_tax_2", "สวัสดีค่ะ")  # does not match: no run
    with session_scope() as s:
        assert len(s.exec(select(AutomationRun)).all()) == 1


def test_a_rules_own_reply_never_triggers_rules_even_when_it_matches() -> None:
    """The canned reply contains the very phrase the rule looks for; neither the reply, nor its
    echo from Messenger, nor a reply typed in Meta's Page inbox is a trigger."""
    _setup()
    _rule(name="Loop bait", text_contains="ใบกำกับภาษี", canned="tax")
    _write("psid-loop", "m_loop_1", "ขอใบกำกับภาษีค่ะ")
    with session_scope() as s:
        reply = s.exec(select(Message).where(Message.direction == Direction.OUTBOUND)).one()
        assert run_rules(s, reply.id).ran == []  # an outbound message is never a trigger
    echo = {"sender": {"id": PAGE}, "recipient": {"id": "psid-loop"}, "timestamp": int(utcnow().timestamp() * 1000),
            "message": {"is_echo": True, "app_id": 26390203743090, "mid": "m_page_inbox_1", "text": "ใบกำกับภาษีส่งแล้วค่ะ"}}
    ingest(envelope(echo, PAGE))
    with session_scope() as s:
        assert len(s.exec(select(AutomationRun)).all()) == 1
        assert len(s.exec(select(Message).where(Message.sender_kind == SenderKind.SYSTEM)).all()) == 1


def test_created_rules_run_on_the_first_message_only_in_order_and_conditions_filter() -> None:
    ploy = _setup()
    with session_scope() as s:
        nok = add_person(s, "Nok")
    _rule(name="First comes", trigger="conversation_created", assign_staff_id=str(ploy))
    _rule(name="Then this", trigger="conversation_created", assign_staff_id=str(nok))
    _rule(name="Only qualified", stage="qualified", label="Corporate")
    _rule(name="Only from the diploma ad", source="120210000000000777", label="Corporate")
    with session_scope() as s:  # the hours the messages below are not sent in, whatever the time of this run
        other_hours = "within" if not school_open(s, utcnow()) else "outside"
    _rule(name="Only at other hours", hours=other_hours, label="Corporate")
    _write("psid-new", "m_new_1", "สวัสดีค่ะ")
    _write("psid-new", "m_new_2", "สนใจคอร์สค่ะ")
    with session_scope() as s:
        runs = s.exec(select(AutomationRun).order_by(AutomationRun.id)).all()
        assert [r.trigger_key.split(":")[0] for r in runs] == ["conversation", "conversation"]
        assert s.exec(select(Conversation.assignee_id)).one() == nok  # later rules run after earlier ones
        assert s.exec(select(ConversationLabel)).all() == []


def test_a_rule_without_actions_or_with_unknown_choices_is_refused() -> None:
    _setup()
    with session_scope() as s, pytest.raises(Refused, match="at least one action"):
        save_rule(s, {"name": "Nothing", "trigger": "message_received", "text_contains": "x"})
    with session_scope() as s, pytest.raises(Refused, match="not one of the choices"):
        save_rule(s, {"name": "Bad", "trigger": "sometimes", "label": "Corporate"})
