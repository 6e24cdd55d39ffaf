"""Real rows for the REST API tests: one customer with contact data, a long chat, a private note,
an order paid and partly refunded, an ad with its campaign and spend — and one token per role.
Every secret word the marketing role must never read is in `PRIVATE`."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlmodel import Session

from models import Conversation, Message
from models.commerce import Order, OrderItem, Payment, Product
from models.customer_rules import find_or_create_customer
from models.customers import Note
from models.db import session_scope
from models.enums import Role
from models.marketing import Ad, AdAccount, AdInsightDaily, AdSet, Campaign
from models.rounds import CourseRound, Seat
from vschool.api_tokens import create_token

PHONE, EMAIL = "0812345678", "piya.secret@example.com"
MESSAGE_WORD, NOTE_WORD = "ข้อความลับ", "บันทึกส่วนตัว"
PRIVATE = (PHONE, EMAIL, MESSAGE_WORD, NOTE_WORD)
AD_ID = "120200000000000001"
SINCE, UNTIL = date(2026, 10, 25), date(2026, 11, 5)


@dataclass(frozen=True)
class World:
    standard_id: str
    conversation_id: int
    timeline_cursor: str  # a `next` of the customer's first timeline page
    message_cursor: int  # a `next` of the conversation's first message page
    tokens: dict[Role, str]
    round_id: int  # a round the customer has a seat in


def _ad(s: Session) -> None:
    s.add(AdAccount(id="act_1", name="V School"))
    s.flush()
    s.add(Campaign(id="c1", ad_account_id="act_1", name="Ramen course — November"))
    s.flush()
    s.add(AdSet(id="s1", campaign_id="c1", name="Bangkok 25-45"))
    s.flush()
    s.add(Ad(id=AD_ID, ad_set_id="s1", campaign_id="c1", name="Ramen video"))
    s.flush()
    for n in range(10):
        s.add(AdInsightDaily(ad_id=AD_ID, day=SINCE + timedelta(days=n), spend=Decimal("350.50"), impressions=12_000 + n, clicks=90 + n, leads=4))


def build_world() -> World:
    t0 = datetime(2026, 11, 1, 3, tzinfo=UTC)
    with session_scope() as s:
        customer, _ = find_or_create_customer(s, "facebook", "PAGE1", "7400000000000042")
        customer.display_name, customer.phone, customer.email = "ปิยะ รุ่งเรือง", PHONE, EMAIL
        customer.first_ad_id = AD_ID
        conversation = Conversation(customer_id=customer.id, page_id="PAGE1", source_ad_id=AD_ID, created_at=t0)
        s.add(conversation)
        s.flush()
        messages = [
            Message(conversation_id=conversation.id, direction="inbound" if n % 2 else "outbound", sender_kind="customer" if n % 2 else "staff",
                    mid=f"m_world_{n}", text=f"{MESSAGE_WORD} {n}", sent_at=t0 + timedelta(minutes=n))
            for n in range(60)
        ]
        s.add_all(messages)
        s.add(Note(customer_id=customer.id, conversation_id=conversation.id, body=f"{NOTE_WORD}: {PHONE}", created_at=t0 + timedelta(hours=2)))
        product = Product(sku="RAMEN-1", kind="course", name="Ramen course", name_th="คอร์สราเมง", price=Decimal("12500"))
        s.add(product)
        order = Order(order_number="VS-WORLD-1", customer_id=customer.id, total=Decimal("12500"), status="paid",
                      attributed_ad_id=AD_ID, created_at=t0 + timedelta(hours=20))
        s.add(order)
        s.flush()
        s.add(OrderItem(order_id=order.id, product_id=product.id, quantity=1, unit_price=Decimal("12500"), line_total=Decimal("12500")))
        s.add(Payment(order_id=order.id, kind="payment", amount=Decimal("12500"), paid_at=t0 + timedelta(days=1)))
        s.add(Payment(order_id=order.id, kind="refund", amount=Decimal("2500"), paid_at=t0 + timedelta(days=2)))
        _ad(s)
        customer.dietary_needs, customer.allergies = "vegetarian", "shellfish"
        rnd = CourseRound(product_id=product.id, starts_on=date(2027, 1, 4), ends_on=date(2027, 1, 8), daily_start=time(9),
                          daily_end=time(16), capacity=12, instructor="Chef Kenji")
        s.add(rnd)
        s.flush()
        s.add(Seat(round_id=rnd.id, order_id=order.id, attendee_id=customer.id, state="taken"))
        s.flush()
        tokens = {role: create_token(s, None, role, f"{role.value} world")[1] for role in Role}
        cursor = f"{messages[10].sent_at.isoformat()}|message|{messages[10].id}"  # the cursors of pages that end there
        return World(customer.standard_id, conversation.id, cursor, messages[30].id, tokens, rnd.id)
