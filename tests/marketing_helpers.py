"""A small ad account with hand-checked figures (see tests/models/test_marketing_figures.py for
the arithmetic), written straight into the tables the ad sync fills."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from models.commerce import Order, Payment
from models.conversation_rules import record_referral
from models.customer_rules import find_or_create_customer
from models.enums import Channel, ConversationStatus, PaymentKind
from models.inbox import Conversation
from models.marketing import Ad, AdAccount, AdInsightDaily, AdInsightHourly, AdSet, Campaign

BKK = ZoneInfo("Asia/Bangkok")
PAGE = "PAGE1"
A1, A2, A3 = "9100000000001", "9100000000002", "9100000000003"


def bkk(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=BKK)


def ad_account(session: Session) -> None:
    session.add(AdAccount(id="act_91", name="V School"))
    session.flush()
    session.add_all([Campaign(id="9100000000100", ad_account_id="act_91", name="คอร์สซูชิ — มีนาคม"),
                     Campaign(id="9100000000200", ad_account_id="act_91", name="Ramen retargeting")])
    session.flush()
    session.add_all([AdSet(id="9100000000010", campaign_id="9100000000100", name="กรุงเทพฯ 25-45"),
                     AdSet(id="9100000000020", campaign_id="9100000000200", name="Visitors 30d")])
    session.flush()
    session.add_all([Ad(id=A1, ad_set_id="9100000000010", campaign_id="9100000000100", name="ซูชิ วิดีโอ"),
                     Ad(id=A2, ad_set_id="9100000000010", campaign_id="9100000000100", name="ซูชิ ภาพนิ่ง"),
                     Ad(id=A3, ad_set_id="9100000000020", campaign_id="9100000000200", name="Ramen carousel")])
    session.flush()


def daily(session: Session, ad_id: str, day: date, spend: str, impressions: int = 0, clicks: int = 0, leads: int = 0, roas: str | None = None) -> None:
    session.add(AdInsightDaily(ad_id=ad_id, day=day, spend=Decimal(spend), impressions=impressions, clicks=clicks, leads=leads,
                               purchase_roas=Decimal(roas) if roas else None))


def hourly(session: Session, ad_id: str, day: date, hour: int, spend: str, leads: int = 0) -> None:
    session.add(AdInsightHourly(ad_id=ad_id, day=day, hour=hour, spend=Decimal(spend), leads=leads))


def arrives(session: Session, psid: str, ad_id: str | None, when: datetime, *, new_conversation: bool = False):
    """A customer writes (from an ad when `ad_id`): customer, conversation and referral."""
    customer, _ = find_or_create_customer(session, Channel.FACEBOOK, PAGE, psid, when)
    if new_conversation:
        for old in session.exec(select(Conversation).where(Conversation.customer_id == customer.id)):
            old.status = ConversationStatus.RESOLVED
            session.add(old)
    conversation = None if new_conversation else session.exec(select(Conversation).where(Conversation.customer_id == customer.id)).first()
    if conversation is None:
        conversation = Conversation(customer_id=customer.id, page_id=PAGE, created_at=when, updated_at=when)
        session.add(conversation)
        session.flush()
    if ad_id:
        record_referral(session, customer, conversation, {"source": "ADS", "ad_id": ad_id}, when)
    session.flush()
    return customer


def order(session: Session, customer, number: str, total: str, payments: list[tuple[str, str, datetime]]) -> Order:
    o = Order(order_number=number, customer_id=customer.id, total=Decimal(total), attributed_ad_id=customer.first_ad_id)
    session.add(o)
    session.flush()
    for kind, amount, when in payments:
        session.add(Payment(order_id=o.id, kind=PaymentKind(kind), amount=Decimal(amount), paid_at=when))
    session.flush()
    return o


def hand_checked(session: Session) -> None:
    """Range 2026-03-01..2026-03-02 (Bangkok). Expected figures in test_marketing_figures."""
    ad_account(session)
    daily(session, A1, date(2026, 3, 1), "1000.00", 10_000, 200, 10, "2.0")
    daily(session, A1, date(2026, 3, 2), "500.00", 5_000, 50, 5)
    daily(session, A2, date(2026, 3, 1), "300.00", 3_000, 0, 0)
    daily(session, A3, date(2026, 2, 28), "999.00", 9_000, 90, 9)  # the day before the range
    daily(session, A3, date(2026, 3, 2), "200.00", 0, 0, 0)
    hourly(session, A1, date(2026, 3, 1), 10, "100.00", 2)
    hourly(session, A2, date(2026, 3, 1), 10, "20.00", 0)
    hourly(session, A1, date(2026, 3, 2), 23, "50.00", 1)
    # K1: from A1, later from A3 in a new conversation; pays a deposit and the balance → A1.
    k1 = arrives(session, "9200000000000001", A1, bkk(2026, 3, 1, 10))
    arrives(session, "9200000000000001", A3, bkk(2026, 3, 2, 8), new_conversation=True)
    order(session, k1, "VS-T-1", "24900", [("deposit", "5000", bkk(2026, 3, 1, 12)), ("payment", "19900", bkk(2026, 3, 2, 9))])
    # K2: from A1 at 23:30 Bangkok (16:30 UTC, still 1 March); pays 9,900, 3,000 refunded.
    k2 = arrives(session, "9200000000000002", A1, bkk(2026, 3, 1, 23, 30))
    order(session, k2, "VS-T-2", "9900", [("payment", "9900", bkk(2026, 3, 2, 23, 59)), ("refund", "3000", bkk(2026, 3, 2, 23, 59))])
    # K3: from A2 one minute before the range; pays at 00:00 on 1 March; refunded in full.
    k3 = arrives(session, "9200000000000003", A2, bkk(2026, 2, 28, 23, 59))
    order(session, k3, "VS-T-3", "18900", [("payment", "18900", bkk(2026, 3, 1, 0)), ("refund", "18900", bkk(2026, 3, 2, 15))])
    # K4: from A3 at 00:00 on 3 March: after the range.
    arrives(session, "9200000000000004", A3, bkk(2026, 3, 3, 0))
    # K5: no ad; pays: not attributed to any ad.
    k5 = arrives(session, "9200000000000005", None, bkk(2026, 3, 1, 9))
    order(session, k5, "VS-T-5", "5000", [("payment", "5000", bkk(2026, 3, 1, 11))])
