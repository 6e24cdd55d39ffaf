"""The AI reply actor over the demo knowledge base and the real Send API client (simulator):
autonomy levels, one task and one send per inbound message, the 24-hour window, staff takeover."""

from datetime import timedelta

import httpx
import pytest
import sqlalchemy as sa
from sqlmodel import select

from actors.ai import _act, answer_customer_message
from actors.outbound import send_message
from knowledge.answer import prepare, respond
from knowledge.ingest import ingest_paths
from models import Conversation, Message, OutboundSend
from models.ai_drafts import ai_panel, dismiss_handoff, earlier_waiting, send_draft
from models.ai_rules import set_global_level
from models.base import utcnow
from models.conversation_rules import add_message
from models.customer_rules import find_or_create_customer
from models.db import session_scope
from models.enums import DeliveryStatus, Direction, Role, SenderKind
from models.inbox_queries import set_status, thread
from models.ops import AiTask
from models.reply_rules import ReplyRefused, queue_staff_reply
from models.settings import get_settings
from tests.conftest import ROOT
from vschool.demo import load_catalog
from vschool.staff import create_staff

pytestmark = pytest.mark.usefixtures("db")

PRICE_QUESTION = "เรียนทำซูชิ 5 วัน ค่าเรียนเท่าไหร่คะ"  # the demo knowledge base says 24,900 บาท
UNANSWERABLE = "อยากซื้อแฟรนไชส์ร้านซูชิของโรงเรียน"


@pytest.fixture
def chat(simulator: str):
    """A simulator customer in an open conversation, the demo knowledge base, and an agent."""
    psid = httpx.post(f"{simulator}/_sim/customers", json={"name": "มานี มีนา"}).json()["psid"]
    with session_scope() as s:
        ingest_paths(s, [ROOT / "knowledge" / "school"])
        load_catalog(s)  # the price is a fact of record: sure enough for L3 to send alone
        agent = create_staff(s, None, "nok@vschool.test", "Nok", Role.AGENT, "agent-password-1")
        customer, _ = find_or_create_customer(s, "facebook", get_settings().page_id, psid)
        conversation = Conversation(customer_id=customer.id, page_id=get_settings().page_id)
        s.add(conversation)
        s.flush()
    return simulator, psid, agent, conversation.id


def _customer_writes(conversation_id: int, text: str, ago: timedelta = timedelta(0)) -> int:
    when = utcnow() - ago
    with session_scope() as s:
        conversation = s.get(Conversation, conversation_id)
        conversation.last_inbound_at = when
        return add_message(
            s, conversation_id=conversation_id, direction=Direction.INBOUND, sender_kind=SenderKind.CUSTOMER,
            mid=f"m_test_{when.timestamp()}", text=text, status=DeliveryStatus.SENT, sent_at=when,
        )


def _set_level(level: int) -> None:
    with session_scope() as s:
        set_global_level(s, level, None)


def _tasks() -> list[AiTask]:
    with session_scope() as s:
        return s.exec(select(AiTask).order_by(AiTask.id)).all()


def _ai_messages(conversation_id: int) -> list[Message]:
    with session_scope() as s:
        return s.exec(select(Message).where(Message.conversation_id == conversation_id, Message.direction == Direction.OUTBOUND)).all()


def _sent(simulator: str, psid: str) -> list[dict]:
    return [x["body"] for x in httpx.get(f"{simulator}/_sim/sent").json()["sent"] if x["body"]["recipient"]["id"] == psid]


def test_at_l2_a_question_gets_one_grounded_draft_with_sources_and_nothing_is_sent(chat) -> None:
    _, _, _, conversation_id = chat
    message_id = _customer_writes(conversation_id, PRICE_QUESTION)
    answer_customer_message.fn(message_id)
    answer_customer_message.fn(message_id)  # redelivered: still one task
    (task,) = _tasks()
    assert (task.outcome, task.draft_status, task.autonomy_level, task.language) == ("draft", "open", 2, "th")
    assert "24,900 บาท" in task.answer and task.sources[0]["source"] == "catalog:CRS-SUSHI-5D"  # a fact of record
    assert "24,900" in task.prompt and task.model and task.latency_ms is not None
    assert _ai_messages(conversation_id) == []
    with session_scope() as s:
        panel = ai_panel(s, conversation_id)
    assert panel["kind"] == "draft" and "24,900" in panel["text"] and panel["sources"][0]["title"]


def test_at_l3_a_confident_answer_is_sent_once_and_marked_as_the_ais(chat) -> None:
    simulator, psid, _, conversation_id = chat
    _set_level(3)
    message_id = _customer_writes(conversation_id, PRICE_QUESTION)
    answer_customer_message.fn(message_id)
    answer_customer_message.fn(message_id)
    (task,) = _tasks()
    (reply,) = _ai_messages(conversation_id)
    assert task.outcome == "reply" and task.reply_message_id == reply.id and reply.sender_kind == SenderKind.AI
    send_message.fn(reply.id)
    send_message.fn(reply.id)
    (body,) = _sent(simulator, psid)
    assert "24,900 บาท" in body["message"]["text"] and body["metadata"] == f"vschool:message:{reply.id}"
    with session_scope() as s:
        assert thread(s, conversation_id)[-1]["who"] == "AI"
        assert not s.get(Conversation, conversation_id).ai_paused  # the AI's own reply is not a takeover


def test_a_second_run_that_answered_the_same_message_leaves_no_trace(chat) -> None:
    _, _, _, conversation_id = chat
    _set_level(3)
    message_id = _customer_writes(conversation_id, PRICE_QUESTION)
    with session_scope() as s:
        reply = respond(prepare(s, PRICE_QUESTION))
    reply_id, body = _act(message_id, conversation_id, reply)  # the first run: reply and attempt on record
    assert body["metadata"] == f"vschool:message:{reply_id}"
    assert _act(message_id, conversation_id, reply) is None  # the second: its reply and attempt roll back
    assert len(_tasks()) == 1 and [m.id for m in _ai_messages(conversation_id)] == [reply_id]
    with session_scope() as s:
        assert [o.message_id for o in s.exec(select(OutboundSend)).all()] == [reply_id]


def test_outside_the_24_hour_window_the_ai_never_sends_by_itself(chat) -> None:
    _, _, _, conversation_id = chat
    _set_level(3)
    message_id = _customer_writes(conversation_id, PRICE_QUESTION, ago=timedelta(hours=30))
    answer_customer_message.fn(message_id)
    (task,) = _tasks()
    assert task.outcome == "draft" and "24-hour" in task.reason
    assert task.reason_sentence == {"key": "ai_outside_window", "values": {}}  # shown in Thai to Thai staff
    assert _ai_messages(conversation_id) == []


def test_an_unanswerable_question_is_handed_off_with_the_reason_even_at_l3(chat) -> None:
    _, _, _, conversation_id = chat
    _set_level(3)
    answer_customer_message.fn(_customer_writes(conversation_id, UNANSWERABLE))
    (task,) = _tasks()
    assert task.outcome == "handoff" and task.draft_status is None and "แฟรนไชส์" in task.reason
    assert _ai_messages(conversation_id) == []
    with session_scope() as s:
        panel, for_thai_staff = ai_panel(s, conversation_id), ai_panel(s, conversation_id, "th")
    assert panel["kind"] == "handoff" and panel["reason"].startswith("No document covers “แฟรนไชส์”")
    assert for_thai_staff["reason"].startswith("ไม่มีเอกสารที่พูดถึง") and "แฟรนไชส์" in for_thai_staff["reason"]


def test_a_staff_reply_pauses_the_ai_until_the_conversation_is_resolved(chat) -> None:
    _, _, agent, conversation_id = chat
    _set_level(3)
    _customer_writes(conversation_id, "ขอคุยกับเจ้าหน้าที่ค่ะ")
    with session_scope() as s:
        queue_staff_reply(s, agent, conversation_id, "สวัสดีค่ะ แอดมินนกค่ะ")
    answer_customer_message.fn(_customer_writes(conversation_id, PRICE_QUESTION))
    assert _tasks() == []  # a person is answering: the AI stays out
    with session_scope() as s:
        set_status(s, conversation_id, "resolved")
        set_status(s, conversation_id, "open")
    answer_customer_message.fn(_customer_writes(conversation_id, PRICE_QUESTION))
    assert [t.outcome for t in _tasks()] == ["reply"]


def test_a_draft_sent_with_one_click_keeps_the_ai_on_and_cannot_be_sent_twice(chat) -> None:
    _, _, agent, conversation_id = chat
    first = _customer_writes(conversation_id, PRICE_QUESTION)
    answer_customer_message.fn(first)
    (task,) = _tasks()
    with session_scope() as s:
        message = send_draft(s, agent, task.id)
        assert (message.sender_kind, message.staff_user_id, message.status) == (SenderKind.AI, agent.id, DeliveryStatus.PENDING)
        assert "24,900" in message.text
    with session_scope() as s, pytest.raises(ReplyRefused, match="no longer open"):
        send_draft(s, agent, task.id)
    with session_scope() as s:
        assert not s.get(Conversation, conversation_id).ai_paused
        assert s.get(AiTask, task.id).draft_status == "sent"
        assert thread(s, conversation_id)[-1]["who"] == "AI · Nok"
    # The customer writes again: a new draft, and the AI is still answering.
    answer_customer_message.fn(_customer_writes(conversation_id, "จ่ายผ่านพร้อมเพย์ได้ไหมคะ"))
    assert [t.draft_status for t in _tasks()] == ["sent", "open"]


def test_an_edited_draft_is_sent_as_the_staff_members_words(chat) -> None:
    _, _, agent, conversation_id = chat
    answer_customer_message.fn(_customer_writes(conversation_id, PRICE_QUESTION))
    (task,) = _tasks()
    with session_scope() as s:
        message = send_draft(s, agent, task.id, "ค่าเรียน 24,900 บาทค่ะ รวมวัตถุดิบทั้งหมดค่ะ")
        assert message.sender_kind == SenderKind.STAFF and message.text.startswith("ค่าเรียน")


def test_each_customer_message_keeps_its_draft_until_a_person_answers(chat) -> None:
    _, _, agent, conversation_id = chat
    answer_customer_message.fn(_customer_writes(conversation_id, PRICE_QUESTION, ago=timedelta(minutes=2)))
    answer_customer_message.fn(_customer_writes(conversation_id, "จ่ายผ่านพร้อมเพย์ได้ไหมคะ"))
    assert [t.draft_status for t in _tasks()] == ["open", "open"]  # two questions, two answers waiting
    first, second = _tasks()
    with session_scope() as s:
        assert ai_panel(s, conversation_id)["task_id"] == str(second.id)
        (earlier,) = earlier_waiting(s, conversation_id)
        assert earlier["task_id"] == str(first.id) and earlier["question"] == PRICE_QUESTION
        with pytest.raises(ReplyRefused):  # a draft id from another conversation is not this one's
            send_draft(s, agent, first.id, conversation_id=conversation_id + 1)
    with session_scope() as s:
        send_draft(s, agent, first.id, conversation_id=conversation_id)
    with session_scope() as s:
        assert earlier_waiting(s, conversation_id) == []  # sent; the newest draft is still open
        queue_staff_reply(s, agent, conversation_id, "ได้ค่ะ")
    assert [t.draft_status for t in _tasks()] == ["sent", "superseded"]  # a person answered: none left to send twice


def test_the_newest_100_tasks_are_kept_and_those_tied_to_an_incident_forever() -> None:
    from actors.housekeeping import prune_ai_tasks
    from models.ops import Incident

    with session_scope() as s:
        incident = Incident(kind="ai", title="A wrong price was sent")
        s.add(incident)
        s.flush()
        s.add(AiTask(prompt="p", model="offline-responder-v1", outcome="reply", incident_id=incident.id))
        s.add_all(AiTask(prompt="p", model="offline-responder-v1", outcome="handoff") for _ in range(120))
    prune_ai_tasks.fn()
    tasks = _tasks()
    assert len(tasks) == 101 and tasks[0].incident_id is not None and tasks[1].id == 22


def test_messages_that_never_reached_the_ai_are_relayed_once_a_minute_has_passed(chat) -> None:
    from actors.ai import answer_customer_message, unanswered_messages

    _, _, agent, conversation_id = chat
    stale = _customer_writes(conversation_id, PRICE_QUESTION, ago=timedelta(minutes=3))
    with session_scope() as s:  # stored 2 minutes ago while Redis was away: no task
        s.execute(sa.update(Message).where(Message.id == stale).values(created_at=utcnow() - timedelta(minutes=2)))
        s.get(Conversation, conversation_id).last_message_at = utcnow() - timedelta(minutes=3)
    with session_scope() as s:
        assert unanswered_messages(s) == [stale]
    fresh = _customer_writes(conversation_id, "ขอบคุณค่ะ")  # a newer one, just stored: its own actor is on the way
    with session_scope() as s:
        assert unanswered_messages(s) == []  # the older one is superseded; the new one is too fresh
        s.execute(sa.update(Message).where(Message.id == fresh).values(created_at=utcnow() - timedelta(minutes=2)))
    with session_scope() as s:
        assert unanswered_messages(s) == [fresh]
    answer_customer_message.fn(fresh)
    with session_scope() as s:
        assert unanswered_messages(s) == []  # answered (a task exists)


def test_the_task_buffer_never_drops_a_draft_still_open_in_the_inbox() -> None:
    from actors.housekeeping import prune_ai_tasks

    with session_scope() as s:
        s.add(AiTask(prompt="p", model="offline-responder-v1", outcome="draft", draft_status="open"))
        s.add_all(AiTask(prompt="p", model="offline-responder-v1", outcome="handoff") for _ in range(110))
    prune_ai_tasks.fn()
    tasks = _tasks()
    assert len(tasks) == 101 and tasks[0].draft_status == "open"


def test_a_person_answering_closes_the_ais_open_draft(chat) -> None:
    _, _, agent, conversation_id = chat
    answer_customer_message.fn(_customer_writes(conversation_id, PRICE_QUESTION))
    assert [t.draft_status for t in _tasks()] == ["open"]
    with session_scope() as s:
        queue_staff_reply(s, agent, conversation_id, "ค่าเรียน 24,900 บาทค่ะ")
    assert [t.draft_status for t in _tasks()] == ["superseded"]  # no stale draft left to send twice
    with session_scope() as s:
        assert ai_panel(s, conversation_id).get("kind") != "draft"


def test_sending_an_earlier_questions_draft_leaves_the_newest_hand_off_in_view(chat) -> None:
    _, _, agent, conversation_id = chat
    answer_customer_message.fn(_customer_writes(conversation_id, PRICE_QUESTION, ago=timedelta(minutes=2)))
    answer_customer_message.fn(_customer_writes(conversation_id, "มีลิฟต์สำหรับรถเข็นไหมคะ"))
    draft, handoff = _tasks()
    assert (draft.draft_status, handoff.outcome) == ("open", "handoff")
    with session_scope() as s:
        send_draft(s, agent, draft.id, conversation_id=conversation_id)  # the price, answered
    with session_scope() as s:
        assert ai_panel(s, conversation_id)["kind"] == "handoff"  # the lift question still waits for a person
        queue_staff_reply(s, agent, conversation_id, "ขออภัยค่ะ ยังไม่มีลิฟต์ค่ะ")
    with session_scope() as s:
        assert ai_panel(s, conversation_id) == {}  # a person answered it


def test_an_earlier_hand_off_waits_beside_newer_drafts_until_a_person_answers(chat) -> None:
    _, _, agent, conversation_id = chat
    answer_customer_message.fn(_customer_writes(conversation_id, UNANSWERABLE, ago=timedelta(minutes=3)))
    answer_customer_message.fn(_customer_writes(conversation_id, PRICE_QUESTION))
    handoff, draft = _tasks()
    with session_scope() as s:  # the away message is the school's, not a person's answer
        add_message(s, conversation_id=conversation_id, direction=Direction.OUTBOUND, sender_kind=SenderKind.SYSTEM,
                    text="ขณะนี้อยู่นอกเวลาทำการ", status=DeliveryStatus.SENT, sent_at=utcnow())
    with session_scope() as s:
        assert ai_panel(s, conversation_id)["kind"] == "draft"  # the newest message's card
        (waiting,) = earlier_waiting(s, conversation_id, "th")
        assert (waiting["task_id"], waiting["kind"], waiting["question"]) == (str(handoff.id), "handoff", UNANSWERABLE)
        assert waiting["reason"].startswith("ไม่มีเอกสารที่พูดถึง") and waiting["text"] == ""
        send_draft(s, agent, draft.id, conversation_id=conversation_id)
    with session_scope() as s:
        assert [w["kind"] for w in earlier_waiting(s, conversation_id)] == ["handoff"]  # the price answers only its own question
        queue_staff_reply(s, agent, conversation_id, "เดี๋ยวแอดมินส่งรายละเอียดแฟรนไชส์ให้นะคะ")
    with session_scope() as s:
        assert earlier_waiting(s, conversation_id) == []  # a person answered


def test_a_hand_off_that_needs_no_reply_is_set_aside_by_staff_and_leaves_card_and_fold(chat) -> None:
    _, _, _, conversation_id = chat
    answer_customer_message.fn(_customer_writes(conversation_id, UNANSWERABLE, ago=timedelta(minutes=3)))
    answer_customer_message.fn(_customer_writes(conversation_id, "อยากซื้อแฟรนไชส์สาขาเชียงใหม่ด้วยค่ะ"))
    earlier, newest = _tasks()
    with session_scope() as s:
        assert ai_panel(s, conversation_id)["kind"] == "handoff"
        assert [w["task_id"] for w in earlier_waiting(s, conversation_id)] == [str(earlier.id)]
        with pytest.raises(ReplyRefused) as refused:  # a task id of another conversation is refused
            dismiss_handoff(s, newest.id, conversation_id + 1)
        assert refused.value.key == "error_handoff_gone"
    with session_scope() as s:
        dismiss_handoff(s, earlier.id, conversation_id)
    with session_scope() as s:
        assert earlier_waiting(s, conversation_id) == []
        assert ai_panel(s, conversation_id)["kind"] == "handoff"  # the newest still waits
        dismiss_handoff(s, newest.id, conversation_id)
    with session_scope() as s:
        assert ai_panel(s, conversation_id) == {}
        with pytest.raises(ReplyRefused):  # twice: gone
            dismiss_handoff(s, newest.id, conversation_id)
