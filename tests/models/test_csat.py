"""Satisfaction (CSAT): asked once per resolved conversation, in the customer's language, with
Messenger quick replies, only inside the 24-hour window; the tap and the comment land on the
resolved conversation. Through the real Send API client to the Meta simulator."""

from datetime import timedelta

import httpx
import pytest
from sqlmodel import select

from actors.outbound import send_message
from models import Conversation, CsatSurvey, Message
from models.base import utcnow
from models.csat import payload
from models.db import session_scope
from models.enums import ConversationStatus, Role, SenderKind
from models.inbox_queries import set_status
from models.reply_rules import queue_staff_reply
from models.settings import get_settings
from tests.messenger_helpers import envelope, ingest, text_event
from vschool.staff import create_staff

pytestmark = pytest.mark.usefixtures("db")


def _customer_writes(simulator: str, text: str, ms_ago: int = 0) -> tuple[str, int]:
    psid = httpx.post(f"{simulator}/_sim/customers", json={"name": "มาลี ศรีสุข"}).json()["psid"]
    now_ms = int(utcnow().timestamp() * 1000) - ms_ago
    ingest(envelope(text_event(psid, f"m_csat_{psid}", text, now_ms, get_settings().page_id), get_settings().page_id))
    with session_scope() as s:
        return psid, s.exec(select(Conversation.id)).all()[-1]


def _tap(psid: str, value: str, mid: str, text: str = "4 🙂") -> None:
    event = text_event(psid, mid, text, int(utcnow().timestamp() * 1000), get_settings().page_id)
    event["message"]["quick_reply"] = {"payload": value}
    ingest(envelope(event, get_settings().page_id))


def _sent(simulator: str, psid: str) -> list[dict]:
    return [x["body"] for x in httpx.get(f"{simulator}/_sim/sent").json()["sent"] if x["body"]["recipient"]["id"] == psid]


def test_resolving_asks_once_in_thai_with_quick_replies_and_the_answer_lands_on_the_conversation(simulator: str) -> None:
    psid, conversation_id = _customer_writes(simulator, "สอบถามคอร์สซูชิค่ะ")
    with session_scope() as s:
        agent = create_staff(s, None, "nok@vschool.test", "Nok", Role.AGENT, "agent-password-1")
        queue_staff_reply(s, agent, conversation_id, "ได้เลยค่ะ")
    with session_scope() as s:
        question_id = set_status(s, conversation_id, "resolved", by_id=agent.id)
    assert question_id is not None
    send_message.fn(question_id)
    (body,) = [b for b in _sent(simulator, psid) if "quick_replies" in b.get("message", {})]
    assert body["messaging_type"] == "RESPONSE" and "ความพึงพอใจ" in body["message"]["text"]
    assert [q["payload"] for q in body["message"]["quick_replies"]] == [payload(conversation_id, n) for n in range(1, 6)]
    thread = httpx.get(f"{simulator}/_sim/customers/{psid}/thread", params={"wait": 0}).json()["events"]
    assert [len(e.get("quick_replies") or []) for e in thread if e["kind"] == "page"][-1] == 5  # the phone shows them

    with session_scope() as s:  # reopened and resolved again: not asked a second time
        assert set_status(s, conversation_id, "open") is None
    with session_scope() as s:
        assert set_status(s, conversation_id, "resolved", by_id=agent.id) is None

    _tap(psid, payload(conversation_id, 4), "m_tap_1")
    _tap(psid, payload(conversation_id, 1), "m_tap_2", "1 😞")  # a second tap: the first score stands
    event = text_event(psid, "m_comment", "ครูใจดีมากค่ะ", int(utcnow().timestamp() * 1000), get_settings().page_id)
    ingest(envelope(event, get_settings().page_id))
    with session_scope() as s:
        (survey,) = s.exec(select(CsatSurvey)).all()
        assert (survey.conversation_id, survey.score, survey.comment, survey.agent_id, survey.language) == (
            conversation_id, 4, "ครูใจดีมากค่ะ", agent.id, "th")
        assert s.exec(select(Conversation.id)).all() == [conversation_id]  # no new conversation for the answer
        assert s.get(Conversation, conversation_id).status == ConversationStatus.RESOLVED
        texts = [m.text for m in s.exec(select(Message).where(Message.conversation_id == conversation_id).order_by(Message.id))]
        assert "4 🙂" in texts and "ครูใจดีมากค่ะ" in texts
        thanks = s.exec(select(Message).where(Message.sender_kind == SenderKind.SYSTEM, Message.text.contains("ขอบคุณสำหรับคะแนน"))).all()
        assert len(thanks) == 1  # thanked once, for the first score


def test_outside_the_24_hour_window_nothing_is_sent_and_nothing_recorded(simulator: str) -> None:
    psid, conversation_id = _customer_writes(simulator, "How much is the ramen class?", ms_ago=25 * 3600 * 1000)
    with session_scope() as s:
        assert set_status(s, conversation_id, "resolved") is None
    with session_scope() as s:
        assert s.exec(select(CsatSurvey)).all() == []
        assert not s.exec(select(Message).where(Message.sender_kind == SenderKind.SYSTEM)).all()
    assert not [b for b in _sent(simulator, psid) if "quick_replies" in b.get("message", {})]


def test_english_customers_are_asked_in_english(simulator: str) -> None:
    _, conversation_id = _customer_writes(simulator, "How much is the ramen class?", ms_ago=int(timedelta(hours=2).total_seconds() * 1000))
    with session_scope() as s:
        question_id = set_status(s, conversation_id, "resolved")
    with session_scope() as s:
        assert s.get(Message, question_id).text.startswith("Thank you for contacting V School")
