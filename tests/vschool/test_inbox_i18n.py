"""The staff member's language everywhere: every label has both languages with the same
placeholders, the rules' refusals reach Thai staff in Thai, and AI sources never show the
server's absolute paths."""

import re
from pathlib import Path

import pytest

from knowledge.watch import DEMO_FOLDER, knowledge_folder
from models.ai_drafts import queue_ai_reply
from models.order_rules import MAX_QUANTITY, OrderRefused, parse_amount
from models.refusals import SENTENCES, Refused
from models.reply_rules import MAX_TEXT, queue_staff_reply
from tests.conftest import ROOT
from vschool import auth
from vschool.i18n import LABELS, refusal, text
from vschool.pages.inbox import sources_shown

PLACEHOLDER = re.compile(r"\{(\w+?)(?:_th)?\}")  # {what} in English may be {what_th} in Thai: the value in Thai
RAISED_KEY = re.compile(r"\b(?:\w*Refused|NotAllowed|StaffError|Sentence)\(\s*\"(\w+)\"")


def test_every_label_has_english_and_thai_with_the_same_placeholders() -> None:
    assert PLACEHOLDER.findall("{what} {what_th} {about}") == ["what", "what", "about"]
    for key, (english, thai) in LABELS.items():
        assert english and thai, key
        assert set(PLACEHOLDER.findall(english)) == set(PLACEHOLDER.findall(thai)), key


def test_every_refusal_the_code_raises_has_its_sentences() -> None:
    raised = {key for folder in ("models", "vschool", "knowledge", "actors") for path in (ROOT / folder).rglob("*.py")
              for key in RAISED_KEY.findall(Path(path).read_text())}
    assert len(raised) > 40  # the pattern still finds the rules' refusals and the AI's reasons
    assert raised <= SENTENCES.keys(), raised - SENTENCES.keys()


def _refusal(call) -> Refused:
    with pytest.raises(Refused) as caught:
        call()
    return caught.value


@pytest.mark.parametrize(
    ("call", "key", "values"),
    [
        (lambda: queue_staff_reply(None, None, 1, "  "), "error_type_reply", {}),
        (lambda: queue_staff_reply(None, None, 1, "x" * (MAX_TEXT + 1)), "error_too_long", {"limit": MAX_TEXT}),
        (lambda: queue_ai_reply(None, None, ""), "error_draft_empty", {}),
        (lambda: queue_ai_reply(None, None, "x" * (MAX_TEXT + 1)), "error_draft_too_long", {"limit": MAX_TEXT}),
        (lambda: parse_amount("ห้าพัน"), "error_not_an_amount", {"text": "ห้าพัน"}),
        (lambda: parse_amount("5000.555"), "error_amount_satang", {}),
        (lambda: auth.require_role(None), "error_sign_in_again", {}),
    ],
)
def test_the_rules_refusals_reach_thai_staff_in_thai(call, key: str, values: dict) -> None:
    refused = _refusal(call)
    assert refusal(refused, "th") == text(key, "th").format(**values)
    assert refusal(refused, "en") == str(refused) == text(key, "en").format(**values)  # logs read English


def test_a_refusal_without_a_sentence_is_shown_as_it_is() -> None:
    assert refusal(ValueError("Something new went wrong."), "th") == "Something new went wrong."
    assert OrderRefused("error_quantity", limit=MAX_QUANTITY).in_language("th") == f"จำนวนต้องอยู่ระหว่าง 1 ถึง {MAX_QUANTITY}"


def test_ai_sources_are_shown_relative_to_the_knowledge_folder() -> None:
    shown = sources_shown(
        [
            {"title": "Sushi course", "source": str(knowledge_folder().resolve() / "courses" / "sushi.md"), "snippet": "…", "score": "0.80"},
            {"title": str(DEMO_FOLDER / "faq.md"), "source": str(DEMO_FOLDER / "faq.md"), "snippet": "…", "score": "0.70"},
            {"title": "Elsewhere", "source": "/srv/other/place/price-list.pdf", "snippet": "…", "score": "0.60"},
        ]
    )
    assert [(s["title"], s["source"]) for s in shown] == [
        ("Sushi course", "courses/sushi.md"),
        ("faq.md", ""),  # no title of its own: named by its relative path, once
        ("Elsewhere", "price-list.pdf"),  # outside the knowledge folder: the file name only
    ]
    assert shown[0]["score"] == "0.80"


def test_every_lead_stage_has_a_label() -> None:
    from models.enums import LeadStage

    assert {f"stage_{s.value}" for s in LeadStage} <= LABELS.keys()
