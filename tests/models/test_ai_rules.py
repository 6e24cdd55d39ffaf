"""The AI's guardrails and autonomy levels as plain functions: prices and dates only from the
sources or the catalog, the customer's language, and who decides what gets sent."""

from datetime import timedelta
from decimal import Decimal

import pytest

from models import Conversation
from models.ai_rules import (
    ANSWER_THRESHOLD,
    AUTO_SEND_THRESHOLD,
    Verdict,
    check_answer,
    dates_in,
    decide,
    detect_language,
    effective_level,
    global_level,
    prices_in,
    set_conversation_level,
    set_global_level,
    ungrounded,
)
from models.base import utcnow
from models.customer_rules import find_or_create_customer
from models.db import session_scope

SOURCE_TH = "คอร์สซูชิพื้นฐาน เรียน 3 วัน ราคา 12,900 บาท รอบถัดไปเริ่มวันที่ 5 ธันวาคม"
SOURCE_EN = "The Sushi Basics course costs ฿12,900. The next intake starts on 5 December."


def test_prices_are_read_in_every_notation() -> None:
    assert prices_in("ราคา 12,900 บาท") == {Decimal("12900.00")}
    assert prices_in("only ฿12,900!") == prices_in("THB 12900") == prices_in("12900 baht") == prices_in("12,900.-") == {Decimal("12900.00")}
    assert prices_in("call 081-234-5678 at 10:00, 3 days, 30%") == set()


def test_dates_are_read_in_thai_and_english_with_ranges() -> None:
    assert dates_in("เริ่ม 5 ธ.ค. 2569") == dates_in("starts December 5th") == dates_in("on 2026-12-05") == {(12, 5)}
    assert dates_in("5–7 December") == {(12, 5), (12, 7)}
    assert dates_in("14/02/2026 หรือ 14 กุมภาพันธ์") == {(2, 14)}
    assert dates_in("May I ask about the course?") == set()


def test_an_answer_with_a_price_or_date_the_sources_do_not_state_is_handed_off() -> None:
    assert ungrounded("คอร์สซูชิราคา 12,900 บาท เริ่ม 5 ธ.ค.", [SOURCE_TH]) == []
    assert ungrounded("Sushi is 12,900 baht from December 5", [SOURCE_TH]) == []  # same facts, other notation
    assert ungrounded("ราคา 9,900 บาท เริ่ม 6 ธันวาคม", [SOURCE_TH]) == ["฿9,900", "6 Dec"]
    verdict = check_answer("ราคาพิเศษ 9,900 บาทค่ะ", "th", 0.9, [SOURCE_TH])
    assert not verdict.ok and "฿9,900" in verdict.reason
    # A catalog price grounds an answer too (the catalog is the truth for prices).
    assert check_answer("ชุดมีดญี่ปุ่นราคา 4,500 บาทค่ะ", "th", 0.9, [SOURCE_TH], {Decimal("4500.00")}).ok


def test_thai_and_english_are_told_apart_and_the_answer_must_match_the_customer() -> None:
    assert detect_language("คอร์ส Sushi ราคาเท่าไหร่คะ") == "th"
    assert detect_language("How much is the ramen course?") == "en"
    assert detect_language("👍", default="th") == "th"
    assert check_answer("The course costs ฿12,900.", "en", 0.9, [SOURCE_EN]).ok
    wrong = check_answer("The course costs ฿12,900.", "th", 0.9, [SOURCE_EN])
    assert not wrong.ok and "Thai" in wrong.reason


def test_low_confidence_hands_off_with_the_reason() -> None:
    verdict = check_answer("The course costs ฿12,900.", "en", ANSWER_THRESHOLD - 0.01, [SOURCE_EN])
    assert not verdict.ok and "confidence" in verdict.reason


def test_what_each_autonomy_level_does_with_an_answer() -> None:
    good, bad = Verdict(True), Verdict(False, "not in the sources")
    sure, unsure = AUTO_SEND_THRESHOLD, (ANSWER_THRESHOLD + AUTO_SEND_THRESHOLD) / 2
    assert decide(1, good, sure, "open") == ("suggestion", "")
    assert decide(2, good, sure, "open") == ("draft", "")
    assert decide(3, good, sure, "open") == ("reply", "")
    assert decide(3, good, unsure, "open")[0] == "draft"
    # a price or date read from a document is never sent alone, however sure (facts of record are)
    outcome, reason = decide(3, good, sure, "open", figures_of_record=False)
    assert outcome == "draft" and reason.key == "ai_figures_from_document"
    assert decide(3, bad, sure, "open") == ("handoff", "not in the sources")
    # Outside the 24-hour window the AI never sends by itself, however sure it is.
    for state in ("human_agent", "closed"):
        outcome, reason = decide(3, good, 1.0, state)
        assert outcome == "draft" and "24-hour" in reason


@pytest.mark.usefixtures("db")
def test_the_conversation_level_wins_over_the_global_one_and_can_be_cleared() -> None:
    with session_scope() as s:
        customer, _ = find_or_create_customer(s, "facebook", "100000000000001", "24000000000000001")
        conversation = Conversation(customer_id=customer.id, page_id="100000000000001", last_inbound_at=utcnow() - timedelta(minutes=5))
        s.add(conversation)
        s.flush()
        conversation_id = conversation.id
        assert global_level(s) == 2 and effective_level(s, conversation) == 2  # the default: drafts
    with session_scope() as s:
        assert set_global_level(s, 3, None) == 2
    with session_scope() as s:
        conversation = s.get(Conversation, conversation_id)
        assert effective_level(s, conversation) == 3
        set_conversation_level(s, conversation_id, 1)
    with session_scope() as s:
        assert effective_level(s, s.get(Conversation, conversation_id)) == 1
        set_conversation_level(s, conversation_id, None)
    with session_scope() as s:
        assert effective_level(s, s.get(Conversation, conversation_id)) == 3
        with pytest.raises(ValueError, match="1, 2 or 3"):
            set_global_level(s, 5, None)
