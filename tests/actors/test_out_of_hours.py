"""The out-of-hours reply through the real send path to the Meta simulator: once per
conversation per closed stretch, in the customer's language, never outside the 24-hour window,
never after a person has answered; and a staff reply while the school is closed is not held up
behind it (a real worker, Meta slow to answer)."""

from collections.abc import Iterator
from datetime import time, timedelta

import httpx
import pytest
from sqlmodel import select

from actors.outbound import send_message
from actors.teams import after_customer_wrote
from models import Conversation, Message, OutboundSend, OutOfHoursReply
from models.base import utcnow
from models.conversation_rules import add_message
from models.customer_rules import find_or_create_customer
from models.db import session_scope
from models.enums import Direction, Role, SenderKind, SendStatus
from models.hours import Closure, OpeningPeriod
from models.reply_rules import queue_staff_reply
from models.settings import get_settings
from models.sla import forget_calendar
from models.when import in_bangkok
from tests.conftest import wait_until
from vschool.staff import create_staff

pytestmark = pytest.mark.usefixtures("db")


@pytest.fixture
def closed_now(db: None) -> Iterator[None]:
    """Open every day 00:00–23:59 except two closures: one around now, one a day ago."""
    now = utcnow()
    with session_scope() as s:
        s.add_all(OpeningPeriod(weekday=d, opens=time(0), closes=time(23, 59)) for d in range(7))
        s.add(Closure(starts_at=now - timedelta(hours=3), ends_at=now + timedelta(hours=3), note="staff outing"))
        s.add(Closure(starts_at=now - timedelta(hours=30), ends_at=now - timedelta(hours=26), note="power cut"))
    forget_calendar()
    yield
    forget_calendar()


def _conversation(simulator: str, name: str, last_inbound_hours_ago: float = 0.5) -> tuple[str, int]:
    psid = httpx.post(f"{simulator}/_sim/customers", json={"name": name}).json()["psid"]
    with session_scope() as s:
        customer, _ = find_or_create_customer(s, "facebook", get_settings().page_id, psid)
        conversation = Conversation(customer_id=customer.id, page_id=get_settings().page_id,
                                    last_inbound_at=utcnow() - timedelta(hours=last_inbound_hours_ago))
        s.add(conversation)
        s.flush()
        return psid, conversation.id


def _wrote(conversation_id: int, text: str, hours_ago: float) -> int:
    with session_scope() as s:
        message_id = add_message(s, conversation_id=conversation_id, direction=Direction.INBOUND, sender_kind=SenderKind.CUSTOMER,
                                 mid=f"m-{conversation_id}-{hours_ago}", text=text, sent_at=utcnow() - timedelta(hours=hours_ago))
    after_customer_wrote.fn(conversation_id, message_id)
    return message_id


def _sent_to(simulator: str, psid: str) -> list[str]:
    return [x["body"]["message"]["text"] for x in httpx.get(f"{simulator}/_sim/sent").json()["sent"] if x["body"]["recipient"]["id"] == psid]


@pytest.mark.usefixtures("closed_now")
def test_one_reply_per_closed_stretch_in_the_customers_language(simulator: str) -> None:
    psid, conversation_id = _conversation(simulator, "สมหญิง รักเรียน")
    _wrote(conversation_id, "สวัสดีค่ะ คอร์สซูชิเปิดรับสมัครไหมคะ", hours_ago=1)
    _wrote(conversation_id, "ขอราคาด้วยค่ะ", hours_ago=0.5)  # the same stretch: no second reply
    texts = _sent_to(simulator, psid)
    assert len(texts) == 1 and "นอกเวลาทำการ" in texts[0]
    with session_scope() as s:  # it names when the school opens again: the end of the closure
        reopens = in_bangkok(max(c.ends_at for c in s.exec(select(Closure))))
    assert f"เวลา {reopens:%H:%M} น." in texts[0]

    _wrote(conversation_id, "hello?", hours_ago=28)  # an earlier closed stretch (yesterday's power cut): its own reply
    assert len(_sent_to(simulator, psid)) == 2
    with session_scope() as s:
        assert len(s.exec(select(OutOfHoursReply)).all()) == 2
        replies = s.exec(select(Message).where(Message.conversation_id == conversation_id, Message.direction == Direction.OUTBOUND)).all()
        assert {m.sender_kind for m in replies} == {SenderKind.SYSTEM}

    english_psid, english = _conversation(simulator, "Jane Doe")
    _wrote(english, "Hi, do you have a sushi course in January?", hours_ago=0.2)
    assert "closed right now" in _sent_to(simulator, english_psid)[0]


@pytest.mark.usefixtures("closed_now")
def test_nothing_is_sent_outside_the_24_hour_window(simulator: str) -> None:
    psid, conversation_id = _conversation(simulator, "ลูกค้าเก่า", last_inbound_hours_ago=25)
    _wrote(conversation_id, "ยังเปิดอยู่ไหมคะ", hours_ago=25)
    assert _sent_to(simulator, psid) == []
    with session_scope() as s:
        assert s.exec(select(OutOfHoursReply)).first() is None


def _customer_wrote(conversation_id: int, text: str) -> int:
    with session_scope() as s:
        return add_message(s, conversation_id=conversation_id, direction=Direction.INBOUND, sender_kind=SenderKind.CUSTOMER,
                           mid=f"m-{conversation_id}-now", text=text, sent_at=utcnow())


def _staff_replies(conversation_id: int, text: str) -> int:
    with session_scope() as s:
        nok = create_staff(s, None, f"nok{conversation_id}@vschool.test", "Nok", Role.AGENT, "agent-password-1")
        return queue_staff_reply(s, nok, conversation_id, text).id


def _send_status(sender: SenderKind) -> SendStatus | None:
    with session_scope() as s:
        return s.exec(select(OutboundSend.status).join(Message, Message.id == OutboundSend.message_id)
                      .where(Message.sender_kind == sender)).first()


@pytest.mark.usefixtures("closed_now")
def test_a_staff_reply_out_of_hours_is_not_held_behind_the_automatic_reply(simulator: str, worker) -> None:
    """Meta is slow to answer the out-of-hours reply; the staff reply written meanwhile goes out
    on its own (the customers' pool), not after it."""
    psid, conversation_id = _conversation(simulator, "วิชัย ทดสอบ")
    message_id = _customer_wrote(conversation_id, "มีคอร์สเสาร์อาทิตย์ไหมครับ")
    httpx.post(f"{simulator}/_sim/fail", json={"delay_ms": 8000}).raise_for_status()  # the next send is answered late (under the 10 s timeout)
    after_customer_wrote.send(conversation_id, message_id)
    wait_until(lambda: _send_status(SenderKind.SYSTEM) == SendStatus.QUEUED, timeout_s=60)  # in flight at Meta

    send_message.send(_staff_replies(conversation_id, "มีค่ะ รอบเสาร์อาทิตย์เริ่ม 6 ธันวาคมค่ะ"))
    wait_until(lambda: _send_status(SenderKind.STAFF) == SendStatus.SENT, timeout_s=60)
    assert _send_status(SenderKind.SYSTEM) == SendStatus.QUEUED  # the automatic reply is still waiting for Meta
    wait_until(lambda: _send_status(SenderKind.SYSTEM) == SendStatus.SENT, timeout_s=60)
    assert len(_sent_to(simulator, psid)) == 2


@pytest.mark.usefixtures("closed_now")
def test_no_out_of_hours_reply_once_a_person_has_answered(simulator: str, worker) -> None:
    """The background job comes after a staff reply (a busy or restarting worker's background
    pool): "we will answer when we open" would contradict the answer the customer already has."""
    psid, conversation_id = _conversation(simulator, "สมศรี ทดสอบ")
    message_id = _customer_wrote(conversation_id, "ขอราคาคอร์สซูชิค่ะ")
    send_message.send(_staff_replies(conversation_id, "คอร์สซูชิ 24,900 บาทค่ะ"))
    wait_until(lambda: _send_status(SenderKind.STAFF) == SendStatus.SENT, timeout_s=60)
    after_customer_wrote.fn(conversation_id, message_id)  # the background job, after the answer
    assert _sent_to(simulator, psid) == ["คอร์สซูชิ 24,900 บาทค่ะ"]
    with session_scope() as s:
        assert s.exec(select(OutOfHoursReply)).first() is None
        assert {m.sender_kind for m in s.exec(select(Message).where(Message.direction == Direction.OUTBOUND))} == {SenderKind.STAFF}
