"""The inbox speaks the staff member's language: every label has both languages with the same
placeholders, the rules' refusals reach Thai staff in Thai, and AI sources never show the
server's absolute paths."""

import re

import pytest

from knowledge.watch import DEMO_FOLDER, knowledge_folder
from models.ai_drafts import queue_ai_reply
from models.reply_rules import MAX_TEXT, ReplyRefused, queue_staff_reply
from vschool import auth
from vschool.i18n import LABELS, text
from vschool.pages.inbox import refusal_text, sources_shown

PLACEHOLDER = re.compile(r"\{(\w+)\}")


def test_every_label_has_english_and_thai_with_the_same_placeholders() -> None:
    for key, (english, thai) in LABELS.items():
        assert english and thai, key
        assert set(PLACEHOLDER.findall(english)) == set(PLACEHOLDER.findall(thai)), key


def _refusal(call) -> str:  # noqa: ANN001
    with pytest.raises(ReplyRefused) as caught:
        call()
    return str(caught.value)


@pytest.mark.parametrize(
    ("call", "key"),
    [
        (lambda: queue_staff_reply(None, None, 1, "  "), "error_type_reply"),
        (lambda: queue_staff_reply(None, None, 1, "x" * (MAX_TEXT + 1)), "error_too_long"),
        (lambda: queue_ai_reply(None, None, ""), "error_draft_empty"),
        (lambda: queue_ai_reply(None, None, "x" * (MAX_TEXT + 1)), "error_draft_too_long"),
    ],
)
def test_the_rules_refusals_reach_thai_staff_in_thai(call, key: str) -> None:  # noqa: ANN001
    message = _refusal(call)
    assert refusal_text(message, "th") == text(key, "th").format(limit=MAX_TEXT)
    assert refusal_text(message, "en") == message  # English staff read the rule's own words


def test_role_refusals_and_unknown_wordings() -> None:
    with pytest.raises(auth.NotAllowed) as caught:
        auth.require_role(None)
    assert refusal_text(str(caught.value), "th") == text("error_sign_in_again", "th")
    assert refusal_text("There is no label called 'VIP'.", "th") == "ไม่มีป้ายกำกับชื่อ VIP"
    assert refusal_text("Something new went wrong.", "th") == "Something new went wrong."  # shown as it is


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
