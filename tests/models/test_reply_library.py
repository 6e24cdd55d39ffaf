"""Labels and canned replies as admins manage them: created, edited and deleted in Thai and
English, refused with a reason, every change audited with the admin and the target."""

import pytest
from sqlmodel import select

from models import AuditEntry, Conversation, Label
from models.db import session_scope
from models.enums import Role
from models.inbox_queries import canned_responses, conversation_labels, toggle_label
from models.refusals import Refused
from models.reply_library import (
    canned_rows,
    delete_canned,
    delete_label,
    label_rows,
    save_canned,
    save_label,
)
from models.reply_rules import MAX_TEXT
from models.staff import StaffUser
from vschool.demo import load_demo_data
from vschool.staff import create_staff

pytestmark = pytest.mark.usefixtures("db")


def _admin() -> int:
    with session_scope() as s:
        return create_staff(
            s, None, "boss@vschool.test", "Boss", Role.ADMIN, "wagashi-and-ramen-2026"
        ).id


def _refusal(fn, *args) -> str:
    with session_scope() as s, pytest.raises(Refused) as caught:
        fn(s, *args)
    return caught.value.key


def test_a_label_is_created_renamed_and_deleted_in_thai_and_audited() -> None:
    admin_id = _admin()
    with session_scope() as s:
        load_demo_data(s, customers=3, days=1)
        admin = s.get(StaffUser, admin_id)
        label_id = save_label(s, admin, "  ลูกค้า   ประจำ ", "green").id
    with session_scope() as s:
        conversation = s.exec(select(Conversation)).first()
        assert toggle_label(s, conversation.id, "ลูกค้า ประจำ") is True  # spaces folded to one
        row = next(r for r in label_rows(s) if r["id"] == str(label_id))
        assert row == {"id": str(label_id), "name": "ลูกค้า ประจำ", "color": "green", "used": "1"}
        save_label(s, s.get(StaffUser, admin_id), "Regular", "blue", label_id)
    with session_scope() as s:
        assert conversation_labels(s, conversation.id) == ["Regular"]  # renamed where it is applied
        assert delete_label(s, s.get(StaffUser, admin_id), label_id) == "Regular"
    with session_scope() as s:
        assert conversation_labels(s, conversation.id) == []
        assert s.get(Label, label_id) is None
        entries = s.exec(
            select(AuditEntry).where(AuditEntry.target_type == "label").order_by(AuditEntry.id)
        ).all()
    assert [(e.action, e.actor_id, e.target_id) for e in entries] == [
        ("label.create", admin_id, str(label_id)),
        ("label.update", admin_id, str(label_id)),
        ("label.delete", admin_id, str(label_id)),
    ]
    assert entries[1].detail["old"] == "ลูกค้า ประจำ" and entries[2].detail == {
        "name": "Regular",
        "conversations": 1,
    }


def test_a_label_is_refused_without_a_name_with_a_taken_one_or_an_unknown_colour() -> None:
    with session_scope() as s:
        save_label(s, None, "VIP", "amber")
    assert _refusal(save_label, None, "   ", "gray") == "error_label_name"
    assert (
        _refusal(save_label, None, "vip", "gray") == "error_label_taken"
    )  # the same name in other letters' case
    assert _refusal(save_label, None, "x" * 61, "gray") == "error_label_name_long"
    assert _refusal(save_label, None, "New", "#ff0000") == "error_label_color"
    assert _refusal(save_label, None, "New", "gray", 99999) == "error_label_gone"
    assert _refusal(delete_label, None, 99999) == "error_label_gone"


def test_a_canned_reply_is_created_edited_deleted_and_audited() -> None:
    admin_id = _admin()
    with session_scope() as s:
        canned_id = save_canned(
            s, s.get(StaffUser, admin_id), "/ราคา", "คอร์สราเมง 3 วัน ราคา 18,900 บาทค่ะ"
        ).id
    with session_scope() as s:
        assert canned_rows(s) == [
            {"id": str(canned_id), "code": "ราคา", "content": "คอร์สราเมง 3 วัน ราคา 18,900 บาทค่ะ"}
        ]
        assert canned_responses(s) == [
            {"code": "ราคา", "content": "คอร์สราเมง 3 วัน ราคา 18,900 บาทค่ะ"}
        ]  # what the composer offers
        save_canned(s, s.get(StaffUser, admin_id), "price_th", "ราคา 19,900 บาท", canned_id)
    with session_scope() as s:
        assert canned_responses(s) == [{"code": "price_th", "content": "ราคา 19,900 บาท"}]
        assert delete_canned(s, s.get(StaffUser, admin_id), canned_id) == "price_th"
    with session_scope() as s:
        assert canned_rows(s) == []
        actions = [
            (e.action, e.detail.get("code"))
            for e in s.exec(select(AuditEntry).order_by(AuditEntry.id))
            if e.target_type == "canned_response"
        ]
    assert actions == [
        ("canned.create", "ราคา"),
        ("canned.update", "price_th"),
        ("canned.delete", "price_th"),
    ]


def test_a_canned_reply_is_refused_with_a_bad_code_no_text_or_too_much() -> None:
    with session_scope() as s:
        save_canned(s, None, "thanks", "ขอบคุณค่ะ")
    assert _refusal(save_canned, None, "/", "text") == "error_canned_code"
    assert _refusal(save_canned, None, "two words", "text") == "error_canned_code_form"
    assert _refusal(save_canned, None, "THANKS", "text") == "error_canned_taken"
    assert _refusal(save_canned, None, "new", "  ") == "error_canned_content"
    assert _refusal(save_canned, None, "new", "ก" * (MAX_TEXT + 1)) == "error_too_long"
    assert _refusal(save_canned, None, "new", "text", 99999) == "error_canned_gone"
    assert _refusal(delete_canned, None, 99999) == "error_canned_gone"
