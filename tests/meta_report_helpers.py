"""A student as the reminder and Conversions API tests need one: a Messenger customer of the
simulator (optionally brought by an ad some days ago), their conversation with the window where
the test wants it, and a booked seat in a round starting in a given number of days."""

import itertools
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import httpx

from models.base import utcnow
from models.booking import book
from models.commerce import Product
from models.conversation_rules import record_referral
from models.customer_rules import find_or_create_customer
from models.db import session_scope
from models.enums import Channel, PaymentKind, ProductKind
from models.inbox import Conversation
from models.order_rules import record_payment
from models.rounds import CourseRound
from models.settings import get_settings

BKK = ZoneInfo("Asia/Bangkok")
AD = "120210000000000001"  # one of the simulator's ads
PRICE = Decimal("24900.00")
_sku = itertools.count(1)


@dataclass(frozen=True)
class Student:
    psid: str
    customer_id: int
    conversation_id: int
    order_id: int
    round_id: int


def daytime_today() -> datetime:
    """10:00 today in Bangkok: when the scheduler selects reminders."""
    return datetime.combine(datetime.now(BKK).date(), time(10), tzinfo=BKK)


def new_student(simulator: str, *, wrote_hours_ago: float = 1, starts_in_days: int = 3, paid: Decimal | None = Decimal("10000"),
                ad_days_ago: float | None = None, locale: str | None = None) -> Student:
    psid = httpx.post(f"{simulator}/_sim/customers", json={"name": "มะลิ ใจงาม"}).json()["psid"]
    page_id = get_settings().page_id
    now = utcnow()
    with session_scope() as s:
        customer, _ = find_or_create_customer(s, Channel.FACEBOOK, page_id, psid)
        customer.first_name, customer.display_name, customer.locale = "มะลิ", "มะลิ ใจงาม", locale
        conversation = Conversation(customer_id=customer.id, page_id=page_id, last_inbound_at=now - timedelta(hours=wrote_hours_ago))
        s.add_all([customer, conversation])
        s.flush()
        if ad_days_ago is not None:
            record_referral(s, customer, conversation, {"source": "ADS", "ad_id": AD, "type": "OPEN_THREAD"}, now - timedelta(days=ad_days_ago))
        product = Product(sku=f"SUSHI-T{next(_sku)}-{psid[-5:]}", kind=ProductKind.COURSE, name="Professional Sushi", name_th="ซูชิมืออาชีพ", price=PRICE)
        s.add(product)
        s.flush()
        start: date = daytime_today().date() + timedelta(days=starts_in_days)
        rnd = CourseRound(product_id=product.id, starts_on=start, ends_on=start + timedelta(days=4), daily_start=time(9, 30), daily_end=time(16, 0), capacity=12)
        s.add(rnd)
        s.flush()
        order = book(s, customer.id, product.id, [rnd.id])
        if paid:
            record_payment(s, order.id, PaymentKind.DEPOSIT, paid, "transfer")
        return Student(psid, customer.id, conversation.id, order.id, rnd.id)


def sent_to(simulator: str, psid: str) -> list[dict]:
    """Every Send API body the simulator accepted for this customer."""
    return [x["body"] for x in httpx.get(f"{simulator}/_sim/sent").json()["sent"] if x["body"].get("recipient", {}).get("id") == psid]


def events_for(simulator: str, psid: str) -> list[dict]:
    """Every event the simulated dataset received for this customer."""
    return [e["event"] for e in httpx.get(f"{simulator}/_sim/events").json()["events"]
            if e["event"]["user_data"]["page_scoped_user_id"] == psid]
