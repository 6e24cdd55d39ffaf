"""PDPA: a customer's full export, consent, and erasure that removes every personal trace —
profile, messages, notes, raw webhook bodies, send requests, AI prompts — while the books
(orders, payments, attribution) stay whole."""

import json
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlmodel import select

from models import Conversation, InboundEvent, Message
from models.commerce import Order, Payment
from models.customer_queries import customer_by_standard_id
from models.customers import ChannelIdentity, Customer, Note
from models.db import session_scope
from models.inbox import OutboundSend
from models.ops import AiTask
from models.pdpa import erase_customer, export_customer, record_consent
from tests.messenger_helpers import ingest, shape

pytestmark = pytest.mark.usefixtures("db")


def _customer_with_history() -> str:
    ingest(shape("messenger_webhook_message_text_quick_reply"))  # a real webhook: customer, conversation, message, raw event
    with session_scope() as s:
        customer = s.exec(select(Customer)).one()
        customer.display_name, customer.phone, customer.email, customer.tags = "สมศรี มีสุข", "0891112222", "somsri@example.com", ["VIP"]
        conversation = s.exec(select(Conversation)).one()
        s.add(Note(customer_id=customer.id, conversation_id=conversation.id, body="แพ้ถั่ว"))
        s.add(OutboundSend(idempotency_key="k1", conversation_id=conversation.id, recipient_id="x", request={"message": {"text": "สวัสดีค่ะคุณสมศรี"}}))
        s.add(AiTask(conversation_id=conversation.id, prompt="Customer สมศรี asks…", answer="ราคา 24,900 บาท", model="m", outcome="draft"))
        order = Order(order_number="VS-P-1", customer_id=customer.id, total=Decimal("24900"), status="paid", attributed_ad_id="120210000000000001")
        s.add(order)
        s.flush()
        s.add(Payment(order_id=order.id, kind="payment", amount=Decimal("24900"), reference="slip", paid_at=order.created_at))
        return customer.standard_id


def test_the_export_holds_everything_about_them_and_is_json() -> None:
    standard_id = _customer_with_history()
    with session_scope() as s:
        customer = customer_by_standard_id(s, standard_id)
        record_consent(s, customer)
        data = export_customer(s, customer)
    text = json.dumps(data, ensure_ascii=False)
    assert data["customer"]["standard_id"] == standard_id and data["customer"]["consent_at"]
    assert len(data["identities"]) == 1 and data["conversations"][0]["messages"][0]["text"]
    assert data["notes"][0]["body"] == "แพ้ถั่ว" and data["orders"][0]["payments"][0]["amount"] == "24900.00"
    assert "somsri@example.com" in text


def test_erasure_removes_every_personal_trace_and_keeps_the_books() -> None:
    standard_id = _customer_with_history()
    with session_scope() as s:
        customer = customer_by_standard_id(s, standard_id)
        original_text = s.exec(select(Message.text)).one()
        cleared = erase_customer(s, customer)
        assert cleared == {"messages": 1, "notes": 1, "identities": 1}
    with session_scope() as s:
        assert customer_by_standard_id(s, standard_id) is None  # gone from every list and search
        customer = s.exec(select(Customer).where(Customer.standard_id == standard_id)).one()
        assert (customer.display_name, customer.phone, customer.email, customer.tags) == (None, None, None, [])
        assert customer.erased_at is not None
        assert s.exec(select(Message.text)).one() is None and not s.exec(select(Note)).all() and not s.exec(select(ChannelIdentity)).all()
        everything = json.dumps([e.payload for e in s.exec(select(InboundEvent))] + [o.request for o in s.exec(select(OutboundSend))]
                                + [t.prompt + (t.answer or "") for t in s.exec(select(AiTask))], ensure_ascii=False)
        assert original_text not in everything and "สมศรี" not in everything
        assert s.execute(sa.select(sa.func.sum(Payment.amount))).scalar_one() == Decimal("24900")  # the books stay whole
        assert s.exec(select(Order.attributed_ad_id)).one() == "120210000000000001"
