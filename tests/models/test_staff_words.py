"""Words staff read instead of codes: the timeline names who answered, the audit trail reads as
sentences in the reader's language with their target, and the AI admin page names the customer."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from logs.audit import record as audit
from models import Conversation, Message
from models.ai_drafts import recent_tasks
from models.commerce import Order
from models.customer_rules import find_or_create_customer
from models.customers import Customer
from models.db import session_scope
from models.enums import Role
from models.ops import AiTask
from models.staff import StaffUser
from models.timeline import message_author, timeline
from vschool.audit_words import audit_rows, baht
from vschool.staff import create_staff

pytestmark = pytest.mark.usefixtures("db")
T0 = datetime(2026, 11, 1, 3, 0, tzinfo=UTC)


def _nok() -> int:
    with session_scope() as s:
        return create_staff(s, None, "nok@vschool.test", "Nok", Role.ADMIN, "wagashi-and-ramen-2026").id


def _conversation(s, name: str = "มาลี ศรีสุข") -> Conversation:
    customer, _ = find_or_create_customer(s, "facebook", "100000000000001", "2390000000001234")
    customer.display_name = name
    conversation = Conversation(customer_id=customer.id, page_id="100000000000001")
    s.add(conversation)
    s.flush()
    return conversation


def test_the_timeline_names_the_staff_member_who_answered() -> None:
    nok_id = _nok()
    with session_scope() as s:
        conversation = _conversation(s)
        rows = [("staff", nok_id, []), ("ai", None, []), ("staff", None, [{"type": "image"}, {"type": "file"}])]
        for n, (kind, staff_id, attachments) in enumerate(rows):
            s.add(Message(conversation_id=conversation.id, direction="outbound", sender_kind=kind, staff_user_id=staff_id,
                          text=f"ตอบ {n}", attachments=attachments, mid=f"m_w_{n}", sent_at=T0 + timedelta(minutes=n)))
        customer_id = conversation.customer_id
    with session_scope() as s:
        entries, _ = timeline(s, customer_id)
    assert [message_author(e.extra) for e in entries] == [("staff", 2), ("ai", 0), ("Nok", 0)]  # newest first


def test_audit_entries_read_as_sentences_in_the_readers_language_with_their_target() -> None:
    nok_id = _nok()
    with session_scope() as s:
        nok = s.get(StaffUser, nok_id)
        conversation = _conversation(s)
        order = Order(order_number="VS-0012", customer_id=conversation.customer_id, total=Decimal("24900"))
        s.add(order)
        s.flush()
        audit(s, nok, "payment.refund", "order", order.id, amount="2000.00", method="cash")
        audit(s, nok, "pdpa.erase", "customer", "C-0001", messages=3, notes=1, identities=1)
        audit(s, None, "staff.create", "staff_user", 7, email="mint@vschool.test", role="marketing")
        audit(s, nok, "something.new", "thing", 5)
    with session_scope() as s:
        english = [row["what"] for row in audit_rows(s, "en")]
        thai = [row["what"] for row in audit_rows(s, "th")]
    assert english[:4] == [
        "Nok: something.new thing 5",  # an action without a sentence yet: still names who and what
        "The system added mint@vschool.test as Marketing",
        "Nok erased the personal data of customer C-0001 (3 messages, 1 notes)",
        "Nok refunded ฿2,000 (Cash) on order VS-0012",
    ]
    assert thai[1:4] == [
        "ระบบ เพิ่มพนักงาน mint@vschool.test ในบทบาทการตลาด",
        "Nok ลบข้อมูลส่วนบุคคลของลูกค้า C-0001 (ข้อความ 3 ข้อความ บันทึก 1 รายการ)",
        "Nok คืนเงิน ฿2,000 (เงินสด) ของคำสั่งซื้อ VS-0012",
    ]
    assert (baht("2000.50"), baht("24900")) == ("฿2,000.50", "฿24,900")


def test_the_ai_admin_list_names_the_customer_not_a_number() -> None:
    with session_scope() as s:
        conversation = _conversation(s)
        s.add(AiTask(conversation_id=conversation.id, prompt="p", model="offline", outcome="draft"))
        s.add(AiTask(conversation_id=None, prompt="p", model="offline", outcome="handoff"))
        standard_id = s.get(Customer, conversation.customer_id).standard_id
    with session_scope() as s:
        tasks = recent_tasks(s)
    assert [(t["customer"], t["standard_id"]) for t in tasks] == [("", ""), ("มาลี ศรีสุข", standard_id)]
