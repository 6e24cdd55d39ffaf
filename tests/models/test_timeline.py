"""A customer's timeline: every kind of event, newest first, paged by keyset without gaps or
repeats; the facts beside it (money received, refunds subtracted; the ad that brought them)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from models import Conversation, Message
from models.commerce import Order, OrderItem, Payment, Product
from models.customer_queries import customer_by_standard_id, customer_facts, find_customers
from models.customer_rules import find_or_create_customer
from models.customers import AdReferral, Note
from models.db import session_scope
from models.marketing import Ad, AdAccount, AdSet, Campaign
from models.timeline import timeline

pytestmark = pytest.mark.usefixtures("db")
T0 = datetime(2026, 11, 1, 3, 0, tzinfo=UTC)


def _story() -> str:
    """A customer who came from an ad, chatted, ordered, paid a deposit and the rest, got 1,000
    back, and came again from a second ad; returns their standard id."""
    with session_scope() as s:
        for row in (AdAccount(id="act_1", name="V School"), Campaign(id="c1", ad_account_id="act_1", name="ซูชิ พฤศจิกายน"),
                    AdSet(id="s1", campaign_id="c1", name="Bangkok 25-45")):
            s.add(row)
            s.flush()
        s.add(Ad(id="a1", ad_set_id="s1", campaign_id="c1", name="Sushi 5 days video"))
        customer, _ = find_or_create_customer(s, "facebook", "100000000000001", "2390000000009999")
        customer.first_ad_id = "a1"
        conversation = Conversation(customer_id=customer.id, page_id="100000000000001", source_ad_id="a1")
        s.add(conversation)
        s.flush()
        s.add(AdReferral(customer_id=customer.id, conversation_id=conversation.id, source="ADS", ad_id="a1", occurred_at=T0))
        for n in range(7):
            s.add(Message(conversation_id=conversation.id, direction="inbound" if n % 2 == 0 else "outbound",
                          sender_kind="customer" if n % 2 == 0 else "staff", text=f"ข้อความที่ {n}", mid=f"m_t_{n}",
                          sent_at=T0 + timedelta(minutes=n + 1)))
        product = Product(sku="SUSHI-5D", name="Sushi 5 days", price=Decimal("39000"))
        s.add(product)
        s.flush()
        order = Order(order_number="VS-0001", customer_id=customer.id, total=Decimal("39000"), attributed_ad_id="a1", status="paid",
                      created_at=T0 + timedelta(hours=1))
        s.add(order)
        s.flush()
        s.add(OrderItem(order_id=order.id, product_id=product.id, unit_price=Decimal("39000"), line_total=Decimal("39000")))
        s.add(Payment(order_id=order.id, kind="deposit", amount=Decimal("5000"), paid_at=T0 + timedelta(hours=2)))
        s.add(Payment(order_id=order.id, kind="payment", amount=Decimal("34000"), paid_at=T0 + timedelta(days=1)))
        s.add(Payment(order_id=order.id, kind="refund", amount=Decimal("1000"), paid_at=T0 + timedelta(days=2)))
        s.add(Note(customer_id=customer.id, conversation_id=conversation.id, body="แพ้กุ้ง — allergic to shrimp", created_at=T0 + timedelta(days=3)))
        s.add(AdReferral(customer_id=customer.id, source="ADS", ad_id="a2", context={"ad_title": "Ramen"}, occurred_at=T0 + timedelta(days=4)))
        return customer.standard_id


def test_every_kind_appears_newest_first_and_pages_join_without_gaps() -> None:
    standard_id = _story()
    with session_scope() as s:
        customer = customer_by_standard_id(s, standard_id)
        everything, cursor = timeline(s, customer.id, limit=100)
        assert cursor is None and len(everything) == 7 + 2 + 1 + 3 + 1
        assert [e.at for e in everything] == sorted((e.at for e in everything), reverse=True)
        assert {e.kind for e in everything} == {"message", "referral", "order", "payment", "note"}
        assert everything[0].kind == "referral" and everything[0].text == "Ramen"  # the later referral stays on the timeline
        first_referral = everything[-1]
        assert (first_referral.text, first_referral.extra) == ("Sushi 5 days video", "ซูชิ พฤศจิกายน")
        order = next(e for e in everything if e.kind == "order")
        assert (order.text, order.amount, order.ref) == ("Sushi 5 days", Decimal("39000.00"), "VS-0001")

        pages, cursor = [], None
        while True:
            page, cursor = timeline(s, customer.id, before=cursor, limit=4)
            pages.append(page)
            if cursor is None:
                break
        assert [len(p) for p in pages] == [4, 4, 4, 2]
        assert [e.cursor for p in pages for e in p] == [e.cursor for e in everything]


def test_facts_subtract_refunds_and_name_the_ad_that_brought_the_customer() -> None:
    standard_id = _story()
    with session_scope() as s:
        customer = customer_by_standard_id(s, standard_id)
        facts = customer_facts(s, customer)
        assert facts.paid == Decimal("38000")
        assert (facts.orders, facts.conversations) == (1, 1) and facts.open_conversation_id is not None
        assert (facts.first_ad_id, facts.first_ad_name, facts.first_campaign_name) == ("a1", "Sushi 5 days video", "ซูชิ พฤศจิกายน")
        assert facts.first_referred_at == T0
        assert customer_by_standard_id(s, "TVS-CUS-FB-26-9999") is None


def test_customers_are_found_by_thai_name_id_or_phone_and_filtered_by_stage() -> None:
    standard_id = _story()
    with session_scope() as s:
        customer = customer_by_standard_id(s, standard_id)
        customer.display_name, customer.phone, customer.lead_stage = "สมหญิง ใจดี", "081-234-5678", "enrolled"
    with session_scope() as s:
        assert [r["standard_id"] for r in find_customers(s, 0, "ใจดี")[0]] == [standard_id]
        assert find_customers(s, 0, "5678")[1] == 1 and find_customers(s, 0, standard_id[-4:])[1] == 1
        assert find_customers(s, 0, "5678", by_contact=False)[1] == 0  # marketing cannot find whose a phone is
        assert find_customers(s, 0, "ใจดี", by_contact=False)[1] == 1
        assert find_customers(s, 0, "", "enrolled")[0][0]["source_ad"] == "Sushi 5 days video"
        assert find_customers(s, 0, "", "lost")[1] == 0
        assert find_customers(s, 0, "100%_")[1] == 0  # LIKE wildcards are taken literally
