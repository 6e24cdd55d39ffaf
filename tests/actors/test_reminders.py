"""Reminders Meta accepts (ADR 016), through the real Graph client and the Meta simulator:
selection by date and rule, once per order and kind; a message inside the 24-hour window, an
approved utility template outside it, never a template Meta has not approved; and no retired
message tag ever leaves the CRM."""

from datetime import time, timedelta
from decimal import Decimal

import httpx
import pytest
import sqlalchemy as sa
from sqlmodel import select

from actors.outbound import send_message
from actors.reminders import send_reminder, sync_message_templates
from models.base import utcnow
from models.catalog_rules import save_round
from models.db import session_scope
from models.enums import DeliveryStatus, Direction, Role, SenderKind
from models.inbox import Message, OutboundSend
from models.meta_reports import MessageTemplate, Reminder, TemplateStatus
from models.reminder_rules import TEMPLATES, select_due
from models.reply_rules import queue_staff_reply
from models.rounds import CourseRound
from models.seat_rules import transfer_seats
from models.timeline import timeline
from tests.meta_report_helpers import daytime_today, new_student, sent_to
from vschool.simulator.business import RETIRED_TAGS
from vschool.staff import create_staff

pytestmark = pytest.mark.usefixtures("db")


@pytest.fixture
def templates(simulator: str) -> str:
    """The Page's utility templates created on the simulator and synced (all approved)."""
    httpx.post(f"{simulator}/_sim/templates", json={"new_status": "APPROVED"}).raise_for_status()
    for kind, language in TEMPLATES:
        httpx.post(f"{simulator}/_sim/templates", json={"name": f"vschool_{kind}_{language}", "language": language, "status": "APPROVED"})
    sync_message_templates.fn()
    return simulator


def _reminders(order_id: int) -> dict[str, Reminder]:
    with session_scope() as s:
        return {r.kind: r for r in s.exec(select(Reminder).where(Reminder.order_id == order_id))}


def test_selection_by_date_and_rule_once_per_order_and_kind(simulator: str) -> None:
    soon = new_student(simulator, starts_in_days=3)  # owes ฿14,900: both reminders
    paid_up = new_student(simulator, starts_in_days=3, paid=Decimal("24900"))  # nothing owed: only "class starts"
    next_week = new_student(simulator, starts_in_days=6)  # balance due only (class reminder comes at 3 days)
    later = new_student(simulator, starts_in_days=10)  # nothing yet
    unpaid_hold = new_student(simulator, starts_in_days=3, paid=None)  # a held seat: balance due, no class reminder
    with session_scope() as s:
        first = select_due(s, daytime_today())
    with session_scope() as s:
        again = select_due(s, daytime_today())
        at_night = select_due(s, daytime_today().replace(hour=23))
    assert len(first) == 5 and again == [] and at_night == []
    assert set(_reminders(soon.order_id)) == {"class_starts", "balance_due"}
    assert set(_reminders(paid_up.order_id)) == {"class_starts"}
    assert set(_reminders(next_week.order_id)) == {"balance_due"}
    assert _reminders(later.order_id) == {}
    assert set(_reminders(unpaid_hold.order_id)) == {"balance_due"}


def test_inside_the_window_a_normal_message_on_the_timeline(templates: str) -> None:
    student = new_student(templates, wrote_hours_ago=2)
    with session_scope() as s:
        select_due(s, daytime_today())
    reminder = _reminders(student.order_id)["class_starts"]
    send_reminder.fn(reminder.id)
    send_reminder.fn(reminder.id)  # a re-delivered message sends nothing more
    bodies = [b for b in sent_to(templates, student.psid) if "class" in str(b) or "คลาส" in str(b)]
    assert len(bodies) == 1
    assert bodies[0]["messaging_type"] == "UPDATE" and "tag" not in bodies[0]
    assert "คลาสซูชิมืออาชีพ" in bodies[0]["message"]["text"] and "09:30" in bodies[0]["message"]["text"]
    reminder = _reminders(student.order_id)["class_starts"]
    assert reminder.status == "sent" and reminder.messaging_type == "UPDATE"
    with session_scope() as s:
        entries, _ = timeline(s, student.customer_id)
        message = s.get(Message, reminder.message_id)
    assert message.direction == Direction.OUTBOUND and message.sender_kind == SenderKind.SYSTEM and message.status != DeliveryStatus.FAILED
    assert {("reminder", "sent"), ("message", "outbound")} <= {(e.kind, e.subtype) for e in entries}


def test_outside_the_window_an_approved_utility_template(templates: str) -> None:
    student = new_student(templates, wrote_hours_ago=30, locale="en_US")
    with session_scope() as s:
        select_due(s, daytime_today())
    reminder = _reminders(student.order_id)["balance_due"]
    send_reminder.fn(reminder.id)
    [body] = [b for b in sent_to(templates, student.psid) if "template" in b.get("message", {})]
    assert body["messaging_type"] == "UTILITY" and "tag" not in body
    template = body["message"]["template"]
    assert template["name"] == "vschool_balance_due_en" and template["language"] == {"code": "en"}
    values = [p["text"] for p in template["components"][0]["parameters"]]
    assert values[1] == "฿14,900.00" and values[0] == "มะลิ"
    assert _reminders(student.order_id)["balance_due"].status == "sent"


def test_a_template_meta_has_not_approved_is_never_used(templates: str) -> None:
    for language in ("th", "en"):
        httpx.post(f"{templates}/_sim/templates", json={"name": f"vschool_class_starts_{language}", "language": language, "status": "REJECTED"})
    try:
        sync_message_templates.fn()
        with session_scope() as s:
            states = {t.language: t.status for t in s.exec(select(MessageTemplate).where(MessageTemplate.name.like("vschool_class_starts_%")))}
        assert states == {"th": TemplateStatus.REJECTED, "en": TemplateStatus.REJECTED}
        student = new_student(templates, wrote_hours_ago=50)
        with session_scope() as s:
            select_due(s, daytime_today())
        reminder = _reminders(student.order_id)["class_starts"]
        send_reminder.fn(reminder.id)
        assert not any("vschool_class_starts" in str(b) for b in sent_to(templates, student.psid))
        reminder = _reminders(student.order_id)["class_starts"]
        assert reminder.status == "not_sent" and reminder.reason == "reminder_template_not_approved" and reminder.message_id is None
        with session_scope() as s:
            entries, _ = timeline(s, student.customer_id)
        assert ("reminder", "not_sent", "reminder_template_not_approved") in {(e.kind, e.subtype, e.extra) for e in entries}
    finally:
        for language in ("th", "en"):
            httpx.post(f"{templates}/_sim/templates", json={"name": f"vschool_class_starts_{language}", "language": language, "status": "APPROVED"})


def test_a_moved_seat_tells_the_customer_once(templates: str) -> None:
    student = new_student(templates, wrote_hours_ago=1, starts_in_days=20)
    with session_scope() as s:
        old = s.get(CourseRound, student.round_id)
        later = CourseRound(product_id=old.product_id, starts_on=old.starts_on + timedelta(days=14), ends_on=old.ends_on + timedelta(days=14),
                          daily_start=time(9, 30), daily_end=time(16, 0), capacity=12)
        s.add(later)
        s.flush()
        transfer_seats(s, student.order_id, old.id, later.id)
        later_id = later.id
    moved = _reminders(student.order_id)["round_moved"]
    assert moved.subject == str(later_id)
    send_reminder.fn(moved.id)
    [body] = [b for b in sent_to(templates, student.psid)]
    assert body["messaging_type"] == "UPDATE" and "ย้ายไปรอบวันที่" in body["message"]["text"]


def test_no_retired_tag_is_ever_sent_and_human_agent_only_for_a_person(templates: str) -> None:
    """Scan every Send API request the CRM recorded and the simulator received."""
    inside, outside = new_student(templates, wrote_hours_ago=1), new_student(templates, wrote_hours_ago=40)
    with session_scope() as s:
        ids = select_due(s, daytime_today())
        agent = create_staff(s, None, "nok@vschool.test", "Nok", Role.AGENT, "agent-password-1")
        staff_reply = queue_staff_reply(s, agent, outside.conversation_id, "ขอบคุณค่ะ ทีมงานจะโทรหาค่ะ").id
        system = Message(conversation_id=outside.conversation_id, direction=Direction.OUTBOUND, sender_kind=SenderKind.AI,
                         text="An AI reply after 24 hours", status=DeliveryStatus.PENDING, sent_at=utcnow())
        s.add(system)
        s.flush()
        ai_reply = system.id
    for reminder_id in ids:
        send_reminder.fn(reminder_id)
    send_message.fn(staff_reply)
    send_message.fn(ai_reply)
    with session_scope() as s:
        recorded = s.execute(sa.select(OutboundSend.request, Message.sender_kind).join(Message, Message.id == OutboundSend.message_id)).all()
        ai = s.get(Message, ai_reply)
    received = sent_to(templates, inside.psid) + sent_to(templates, outside.psid)
    assert recorded and received
    for body in [r for r, _ in recorded] + received:
        assert body.get("tag") not in RETIRED_TAGS
    assert all(sender == SenderKind.STAFF for body, sender in recorded if body.get("tag") == "HUMAN_AGENT")
    assert [b.get("tag") for b in received if b.get("tag")] == ["HUMAN_AGENT"]  # the person's reply, nothing else
    assert ai.status == DeliveryStatus.FAILED  # an AI reply after 24 hours is refused, never tagged


def test_staff_moving_or_cancelling_a_round_tells_each_booked_customer_once(templates: str) -> None:
    student = new_student(templates, wrote_hours_ago=1, starts_in_days=20)
    with session_scope() as s:
        rnd = s.get(CourseRound, student.round_id)
        form = {"course_id": str(rnd.product_id), "starts_on": (rnd.starts_on + timedelta(days=7)).isoformat(),
                "ends_on": (rnd.ends_on + timedelta(days=7)).isoformat(), "daily_start": "09:30", "daily_end": "16:00",
                "capacity": "12", "status": "open"}
    with session_scope() as s:
        save_round(s, student.round_id, form)
    with session_scope() as s:
        save_round(s, student.round_id, form)  # saved again unchanged: nothing new
    with session_scope() as s:
        save_round(s, student.round_id, {**form, "status": "cancelled"})
    reminders = _reminders(student.order_id)
    assert set(reminders) == {"round_moved", "round_cancelled"}
    assert reminders["round_moved"].starts_on == rnd.starts_on + timedelta(days=7)
    for reminder in reminders.values():
        send_reminder.fn(reminder.id)
    texts = [b["message"]["text"] for b in sent_to(templates, student.psid)]
    assert len(texts) == 2 and any("ถูกยกเลิก" in t for t in texts) and any("ย้ายไปรอบวันที่" in t for t in texts)
