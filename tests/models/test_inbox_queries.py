import pytest
from sqlmodel import select

from models import Conversation, Label
from models.customer_rules import find_or_create_customer
from models.db import session_scope
from models.inbox_queries import (
    ListFilter,
    canned_responses,
    list_conversations,
    panel,
    toggle_label,
)
from vschool.demo import load_demo_data

pytestmark = pytest.mark.usefixtures("db")


def test_labels_toggle_filter_and_show_on_the_panel() -> None:
    with session_scope() as s:
        load_demo_data(s, customers=6, days=3)
        conversation = s.exec(select(Conversation).order_by(Conversation.id)).first()
        assert toggle_label(s, conversation.id, "VIP") is True
    with session_scope() as s:
        rows, total = list_conversations(s, 0, ListFilter(status="open", label="VIP"))
        assert total == 1 and rows[0]["id"] == str(conversation.id)
        assert "VIP" in panel(s, conversation.id)["labels"]
        assert toggle_label(s, conversation.id, "VIP") is False
    with session_scope() as s:
        assert list_conversations(s, 0, ListFilter(status="open", label="VIP"))[1] == 0
        with pytest.raises(ValueError, match="no label"):
            toggle_label(s, conversation.id, "ไม่มีป้ายนี้")
        assert [c["code"] for c in canned_responses(s)] == ["deposit", "location", "price", "schedule", "thanks"]
        assert s.exec(select(Label)).first() is not None


def test_list_search_finds_thai_message_text_and_pages() -> None:
    with session_scope() as s:
        load_demo_data(s, customers=40, days=3)
    with session_scope() as s:
        rows, total = list_conversations(s, 0, ListFilter(status="open", search="ราเมง"))
        assert total >= 1 and all(r["id"] for r in rows)
        page0, total_open = list_conversations(s, 0, ListFilter(status="open"))
        assert len(page0) == min(30, total_open)
        customer, _ = find_or_create_customer(s, "facebook", "100000000000001", "2390000000000001")
        assert customer.standard_id.startswith("TVS-CUS-FB-")


def test_snooze_until_tomorrow_morning_counts_school_hours() -> None:
    from datetime import UTC, datetime

    from models.inbox_queries import hours_until_tomorrow_morning

    assert hours_until_tomorrow_morning(datetime(2026, 11, 21, 13, 0, tzinfo=UTC)) == 13  # 20:00 in Bangkok
    assert hours_until_tomorrow_morning(datetime(2026, 11, 21, 23, 30, tzinfo=UTC)) == 26  # 06:30 → 09:00 next day


def test_the_side_panel_sums_the_customers_orders_with_refunds_subtracted() -> None:
    from decimal import Decimal

    from models.commerce import Order, Payment

    with session_scope() as s:
        customer, _ = find_or_create_customer(s, "facebook", "100000000000001", "2390000000000077")
        conversation = Conversation(customer_id=customer.id, page_id="100000000000001")
        s.add(conversation)
        s.flush()
        assert panel(s, conversation.id)["orders"] == ""
        for number, total in (("VS-T-1", "24900"), ("VS-T-2", "5000")):
            order = Order(order_number=number, customer_id=customer.id, total=Decimal(total), status="paid")
            s.add(order)
            s.flush()
            s.add(Payment(order_id=order.id, kind="payment", amount=Decimal(total), paid_at=customer.created_at))
        s.add(Payment(order_id=order.id, kind="refund", amount=Decimal("1000"), paid_at=customer.created_at))
        s.flush()
        assert panel(s, conversation.id)["orders"] == "2 orders · ฿28,900.00 paid"
