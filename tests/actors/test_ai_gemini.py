"""The Gemini path of the reply pipeline: the real google-genai SDK against a small fake Gemini
server speaking the `generateContent` wire format (REFERENCE.md), incl. 429 and 5xx handling."""

import json

import pytest
from sqlmodel import select

from actors.ai import _act
from knowledge.answer import Asker, prepare, respond
from knowledge.ingest import ingest_paths
from models import Conversation
from models.base import utcnow
from models.conversation_rules import add_message
from models.customer_rules import find_or_create_customer
from models.db import session_scope
from models.enums import DeliveryStatus, Direction, SenderKind
from models.ops import AiTask
from models.settings import get_settings
from tests.conftest import ROOT
from tests.fake_gemini import FakeGemini, fake_gemini_fixture  # noqa: F401
from vschool.demo import load_catalog, load_school_facts

pytestmark = pytest.mark.usefixtures("db")


@pytest.fixture
def gemini(fake_gemini: FakeGemini) -> FakeGemini:
    return fake_gemini


@pytest.fixture
def settings(gemini: FakeGemini):
    with session_scope() as s:
        ingest_paths(s, [ROOT / "knowledge" / "school"])  # embedded offline: search stays offline
    return gemini.settings()


def _ask(question: str, settings, name: str = "Mali"):
    with session_scope() as s:
        prepared = prepare(s, question, Asker(name=name, history=(("Customer", "สวัสดีค่ะ"),)))
    return respond(prepared, settings)


GOOD = json.dumps({"action": "reply", "text": "ค่าเรียนคอร์สซูชิ 5 วัน 24,900 บาทค่ะ รวมวัตถุดิบทั้งหมด", "confidence": 0.9, "sources": [1]}, ensure_ascii=False)


def test_the_sdk_sends_a_grounded_prompt_and_the_answer_comes_back_with_its_sources(gemini: FakeGemini, settings) -> None:
    gemini.answer_next(GOOD)
    reply = _ask("เรียนทำซูชิ 5 วัน ค่าเรียนเท่าไหร่คะ", settings)
    assert (reply.action, reply.model, reply.confidence) == ("reply", "gemini-2.5-flash", 0.9)
    assert "24,900 บาท" in reply.text and reply.sources[0]["source"].endswith("sushi.md")
    (call,) = gemini.requests
    assert (call["version"], call["model"], call["action"]) == ("v1", "gemini-2.5-flash", "generateContent")
    assert call["headers"]["x-goog-api-key"] == gemini.api_key
    body = call["body"]
    prompt = body["contents"][0]["parts"][0]["text"]
    assert "Mali" in prompt and "สวัสดีค่ะ" in prompt and "24,900" in prompt  # customer, history, retrieved chunk
    assert "Thai" in body["systemInstruction"]["parts"][0]["text"]
    assert body["generationConfig"]["responseMimeType"] == "application/json"


def test_a_price_the_sources_do_not_state_is_handed_off(gemini: FakeGemini, settings) -> None:
    gemini.answer_next(json.dumps({"action": "reply", "text": "ลดเหลือ 19,900 บาทค่ะ", "confidence": 0.95, "sources": [1]}, ensure_ascii=False))
    reply = _ask("เรียนทำซูชิ 5 วัน ค่าเรียนเท่าไหร่คะ", settings)
    assert reply.action == "handoff" and "฿19,900" in reply.reason and reply.text == ""


def test_an_english_answer_to_a_thai_customer_is_handed_off(gemini: FakeGemini, settings) -> None:
    gemini.answer_next(json.dumps({"action": "reply", "text": "The fee is 24,900 THB.", "confidence": 0.9}))
    reply = _ask("เรียนทำซูชิ 5 วัน ค่าเรียนเท่าไหร่คะ", settings)
    assert reply.action == "handoff" and "Thai" in reply.reason


def test_429_then_success_is_retried_by_the_sdk(gemini: FakeGemini, settings) -> None:
    gemini.fail_next(429)
    gemini.fail_next(503)
    gemini.answer_next(GOOD)
    reply = _ask("เรียนทำซูชิ 5 วัน ค่าเรียนเท่าไหร่คะ", settings)
    assert reply.action == "reply" and len(gemini.requests) == 3


def test_persistent_5xx_is_recorded_as_an_error_task_and_handed_to_a_person(gemini: FakeGemini, settings) -> None:
    gemini.fail_next(500, 3)
    reply = _ask("เรียนทำซูชิ 5 วัน ค่าเรียนเท่าไหร่คะ", settings)
    assert reply.failed and reply.action == "handoff" and "500" in reply.reason and len(gemini.requests) == 3
    with session_scope() as s:
        customer, _ = find_or_create_customer(s, "facebook", "100000000000001", "24000000000000009")
        conversation = Conversation(customer_id=customer.id, page_id="100000000000001", last_inbound_at=utcnow())
        s.add(conversation)
        s.flush()
        message_id = add_message(s, conversation_id=conversation.id, direction=Direction.INBOUND, sender_kind=SenderKind.CUSTOMER,
                                 mid="m_gemini_down", text="เรียนทำซูชิ 5 วัน ค่าเรียนเท่าไหร่คะ", status=DeliveryStatus.SENT, sent_at=utcnow())
        conversation_id = conversation.id
    assert _act(message_id, conversation_id, reply) == (None, None)  # nothing to send
    with session_scope() as s:
        task = s.exec(select(AiTask)).one()
        assert task.outcome == "error" and "Gemini did not answer (500" in task.reason and task.model == "gemini-2.5-flash"


def test_429_exhausting_the_retries_is_handled(gemini: FakeGemini, settings) -> None:
    gemini.fail_next(429, 3)
    reply = _ask("How much does the five-day sushi class cost?", settings)  # answered, not raised
    assert reply.failed and reply.action == "handoff" and "429 RESOURCE_EXHAUSTED" in reply.reason and len(gemini.requests) == 3


def test_embeddings_failing_after_the_retries_hand_the_customer_to_a_person(gemini: FakeGemini, settings, monkeypatch) -> None:
    for name, value in gemini.env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    try:
        gemini.fail_next(503, 3, action="batchEmbedContents")
        reply = _ask("เรียนทำซูชิ 5 วัน ค่าเรียนเท่าไหร่คะ", get_settings())  # answered, not raised
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert reply.failed and reply.action == "handoff" and "could not embed the question (503" in reply.reason
    assert [c["action"] for c in gemini.requests] == ["batchEmbedContents"] * 3  # the model was never asked


def test_the_model_is_asked_for_structured_output_with_the_record_in_the_prompt(gemini: FakeGemini, settings) -> None:
    with session_scope() as s:
        load_catalog(s)
        load_school_facts(s)
    gemini.answer_next(GOOD)
    reply = _ask("คอร์สซูชิ 5 วัน ราคาเท่าไหร่คะ", settings)
    assert reply.action == "reply" and reply.extra["facts_used"] == []
    body = gemini.calls("generateContent")[0]["body"]
    schema = body["generationConfig"]["responseSchema"]
    assert {"action", "text", "confidence", "sources", "facts_used"} <= set(schema["properties"])
    prompt = body["contents"][0]["parts"][0]["text"]
    assert "CRS-SUSHI-5D" in prompt and "฿24,900.00" in prompt and "school fact address" in prompt


def test_a_scripted_model_stating_the_package_price_for_the_course_is_caught(gemini: FakeGemini, settings) -> None:
    """The package's ฿39,900 is a real catalog price and the cited source (the packages page,
    which names the sushi course) states it — but it is not this course's price of record: the
    answer never reaches the customer."""
    with session_scope() as s:
        load_catalog(s)
    wrong = {"action": "reply", "text": "คอร์สซูชิ 5 วัน ราคา 39,900 บาทค่ะ", "confidence": 0.97, "sources": [1], "facts_used": ["39,900 บาท"]}
    gemini.answer_next(json.dumps(wrong, ensure_ascii=False))
    reply = _ask("คอร์สซูชิ 5 วัน ราคาเท่าไหร่คะ", settings)
    assert reply.action == "handoff" and reply.text == "" and "฿39,900" in reply.reason
    assert reply.extra["rejected_text"] == wrong["text"]
    assert reply.reason.key == "ai_not_its_price" and "฿24,900" in reply.reason
    assert reply.reason.in_language("th").startswith("คำตอบระบุ ฿39,900")
