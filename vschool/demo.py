"""`vschool demo-data`: a realistic first screen for every page, in Thai and English.

Deterministic and safe to run again: customers come from fixed demo PSIDs, messages from fixed
mids, products and labels by their unique names, so a second run adds nothing twice. Each later
capability adds its part here.
"""

import random
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session, select

from models.automation import AutomationRule, save_rule
from models.base import utcnow
from models.business_hours import Calendar, is_open, load_calendar, open_intervals
from models.commerce import Order, OrderItem, Payment, Product
from models.conversation_rules import add_message, current_conversation, record_referral
from models.csat import CsatSurvey
from models.customer_rules import find_or_create_customer
from models.enums import (
    Channel,
    ConversationStatus,
    DeliveryStatus,
    Direction,
    LeadStage,
    OrderStatus,
    PaymentKind,
    SenderKind,
)
from models.inbox import CannedResponse, Conversation, Label
from models.ops import AppSetting
from models.report_facts import record_human_reply, record_resolved
from models.school_facts import SchoolFact
from models.settings import SIMULATOR_AD_ACCOUNT_ID, get_settings
from vschool.demo_rounds import load_demo_rounds

DEMO_MARK = "demo_data_loaded_at"
AD_DAYS = 30  # at least this many days of ad figures, so the 30-day marketing view is full
REPLY_ROOM = timedelta(minutes=45)  # a demo question leaves this much of its open stretch for the reply

PRODUCTS = [
    ("CRS-SUSHI-5D", "course", "Professional Sushi (5 days)", "คอร์สซูชิมืออาชีพ 5 วัน", "24900"),
    ("CRS-RAMEN-3D", "course", "Ramen Masterclass (3 days)", "คอร์สราเมงต้นตำรับ 3 วัน", "18900"),
    ("CRS-WAGASHI-2D", "course", "Wagashi: Japanese Sweets (2 days)", "คอร์สขนมญี่ปุ่นวากาชิ 2 วัน", "9900"),
    ("CRS-KAISEKI-1D", "course", "Kaiseki Essentials (1 day)", "คอร์สไคเซกิเบื้องต้น 1 วัน", "7900"),
    ("CRS-DIPLOMA-12W", "course", "Diploma in Japanese Cuisine (12 weeks)", "หลักสูตรประกาศนียบัตรอาหารญี่ปุ่น 12 สัปดาห์", "189000"),
    ("PKG-SUSHI-RAMEN", "package", "Sushi + Ramen package", "แพ็กเกจซูชิ + ราเมง", "39900"),
    ("EQP-YANAGIBA-270", "equipment", "Yanagiba knife 270 mm", "มีดยานางิบะ 270 มม.", "6500"),
    ("EQP-MAKISU", "equipment", "Bamboo rolling mat (makisu)", "เสื่อม้วนซูชิ (มากิสุ)", "250"),
    ("MNU-OMAKASE", "menu", "Student omakase tasting", "โอมากาเสะฝีมือนักเรียน", "1200"),
]
# The school facts staff keep (Admin → AI replies): (key, English, Thai)
SCHOOL_FACTS = [
    ("address", "V School, 3rd floor, Sakura Building, 88 Sukhumvit Soi 39 (Soi Phrom Phong), Khlong Tan Nuea, Watthana, Bangkok 10110.",
     "V School (วี สคูล) เลขที่ 88 อาคารซากุระ ชั้น 3 ซอยสุขุมวิท 39 (ซอยพร้อมพงษ์) แขวงคลองตันเหนือ เขตวัฒนา กรุงเทพฯ 10110"),
    ("time", "The office is open Tuesday to Sunday, 09:00–18:00, closed on Mondays (except when a sushi class is running).",
     "สำนักงานเปิดวันอังคาร–อาทิตย์ 09:00–18:00 น. ปิดวันจันทร์ (ยกเว้นวันที่มีคลาสซูชิ)"),
    ("contact", "Phone 02-258-3939, LINE @vschoolbkk, e-mail hello@vschool.co.th.", "โทร 02-258-3939 LINE: @vschoolbkk อีเมล hello@vschool.co.th"),
    ("payment", "PromptPay, bank transfer to Kasikornbank, Visa or Mastercard, or cash at the front desk.",
     "พร้อมเพย์ โอนเข้าบัญชีธนาคารกสิกรไทย บัตรเครดิต/เดบิต Visa หรือ Mastercard หรือเงินสดที่เคาน์เตอร์"),
    ("deposit", "A seat is reserved with a deposit of 5,000 THB per person per course; the balance is due at least 7 days before the class.",
     "จองที่นั่งด้วยมัดจำ 5,000 บาทต่อท่านต่อคอร์ส ชำระส่วนที่เหลืออย่างน้อย 7 วันก่อนเริ่มเรียน"),
]
LABELS = [("สนใจซูชิ", "tomato"), ("สนใจราเมง", "amber"), ("ขอส่วนลด", "purple"), ("VIP", "gold"), ("จ่ายมัดจำแล้ว", "green")]
CANNED = [
    ("price", "คอร์สซูชิมืออาชีพ 5 วัน ราคา 24,900 บาท คอร์สราเมง 3 วัน ราคา 18,900 บาท รวมวัตถุดิบและอุปกรณ์ระหว่างเรียนค่ะ"),
    ("schedule", "รอบถัดไปของคอร์สซูชิเริ่มวันจันทร์แรกของเดือนค่ะ เรียน 09:30–16:30 น. รับไม่เกิน 12 ท่านต่อรอบค่ะ"),
    ("location", "V School อยู่ซอยสุขุมวิท 39 เดินจาก BTS พร้อมพงษ์ประมาณ 5 นาทีค่ะ มีที่จอดรถให้ค่ะ"),
    ("deposit", "จองที่นั่งด้วยมัดจำ 5,000 บาท โอนผ่าน PromptPay แล้วส่งสลิปในแชทนี้ได้เลยค่ะ"),
    ("thanks", "ขอบคุณที่สนใจ V School ค่ะ หากมีคำถามเพิ่มเติม ทักมาได้ตลอดนะคะ 🙏"),
]
FIRST = ["สมชาย", "สมหญิง", "ปิยะนุช", "ธนพล", "วราภรณ์", "ณัฐวุฒิ", "กมลชนก", "อารีรัตน์", "Kenji", "Emily", "พิมพ์ชนก", "ศุภชัย", "Ploy", "Anan", "มาลี", "ชยพล"]
LAST = ["ใจดี", "ศรีสุข", "วงศ์ทอง", "Tanaka", "Smith", "รุ่งเรือง", "แก้วมณี", "บุญมา", "สายสุวรรณ", "Chen"]
QUESTIONS = [
    "สวัสดีค่ะ คอร์สซูชิราคาเท่าไหร่คะ",
    "อยากทราบรอบเรียนราเมงเดือนหน้าครับ",
    "Hi, do you teach in English? Interested in the diploma.",
    "มีคอร์สขนมญี่ปุ่นสำหรับมือใหม่ไหมคะ",
    "เรียนจบแล้วได้ใบประกาศไหมครับ",
    "ผ่อนชำระได้ไหมคะ",
    "Is parking available at the school?",
    "ขอที่อยู่โรงเรียนหน่อยค่ะ",
]
ADS = [("120210000000000001", "คอร์สซูชิมืออาชีพ 5 วัน — เปิดรับสมัครแล้ว"), ("120210000000000002", "Ramen Masterclass: ราเมงต้นตำรับ 3 วัน")]


def load_school_facts(session: Session) -> None:
    """The demo school's facts, unless staff have written their own."""
    for key, english, thai in SCHOOL_FACTS:
        session.execute(insert(SchoolFact).values(key=key, value_en=english, value_th=thai).on_conflict_do_nothing(index_elements=["key"]))


def load_catalog(session: Session) -> None:
    """The demo school's catalog (a product already there is left as it is)."""
    for sku, kind, name, name_th, price in PRODUCTS:
        session.execute(insert(Product).values(sku=sku, kind=kind, name=name, name_th=name_th, price=Decimal(price)).on_conflict_do_nothing(index_elements=["sku"]))


def load_demo_data(session: Session, customers: int = 40, days: int = 14) -> dict[str, int]:
    rng = random.Random(2026)
    now = utcnow()
    page_id = get_settings().page_id
    load_catalog(session)
    load_school_facts(session)
    for name, color in LABELS:
        session.execute(insert(Label).values(name=name, color=color).on_conflict_do_nothing(index_elements=["name"]))
    for code, content in CANNED:
        session.execute(insert(CannedResponse).values(short_code=code, content=content).on_conflict_do_nothing(index_elements=["short_code"]))
    products = {p.sku: p for p in session.exec(select(Product))}
    made = 0
    local = now.astimezone(ZoneInfo(get_settings().timezone))
    minutes_today = local.hour * 60 + local.minute
    cal = load_calendar(session)
    for n in range(customers):
        when, answerable = _in_hours(rng, now, days, cal), True
        if n % 8 == 1 and minutes_today > 60:  # some wrote today, so the Overview's "messages today" is alive
            since = now - timedelta(minutes=min(minutes_today, 300))
            # inside today's hours if the school opened today; else (a holiday) still unanswered
            when = _in_hours(rng, now, 0, cal, since=since) or now - timedelta(minutes=rng.randrange(45, min(minutes_today, 300)))
            answerable = is_open(when, cal)
        customer, created = find_or_create_customer(session, Channel.FACEBOOK, page_id, f"2390000000{n:07d}", when)
        made += created
        customer.display_name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        customer.first_name, _, customer.last_name = customer.display_name.partition(" ")
        conversation = session.exec(select(Conversation).where(Conversation.customer_id == customer.id)).first() or current_conversation(
            session, customer, page_id, Channel.FACEBOOK, when
        )
        if n % 3 == 0 and created:
            ad_id, title = ADS[n % 2]
            record_referral(session, customer, conversation, {"source": "ADS", "ad_id": ad_id, "ads_context_data": {"ad_title": title}}, when)
        question = QUESTIONS[n % len(QUESTIONS)]
        inserted = add_message(session, conversation_id=conversation.id, direction=Direction.INBOUND, sender_kind=SenderKind.CUSTOMER,
                               mid=f"m_demo_{n}_in", text=question, attachments=[], reactions={}, status=DeliveryStatus.SENT, sent_at=when)
        last = when
        if n % 4 != 3 and answerable:  # most were answered
            last = when + timedelta(minutes=rng.randrange(2, 40))
            add_message(session, conversation_id=conversation.id, direction=Direction.OUTBOUND, sender_kind=SenderKind.STAFF,
                        mid=f"m_demo_{n}_out", text=CANNED[n % len(CANNED)][1], attachments=[], reactions={},
                        status=DeliveryStatus.READ if n % 2 else DeliveryStatus.DELIVERED, sent_at=last)
        conversation.last_inbound_at = when
        conversation.last_message_at = last
        conversation.unread_count = 1 if inserted and last == when else 0
        conversation.status = ConversationStatus.RESOLVED if n % 5 == 4 else ConversationStatus.OPEN
        _report_facts(session, conversation, n, when, last if last != when else None)
        customer.lead_stage = [LeadStage.NEW, LeadStage.CONTACTED, LeadStage.QUALIFIED, LeadStage.DEPOSIT, LeadStage.ENROLLED][n % 5]
        session.add_all([customer, conversation])
        if customer.lead_stage in (LeadStage.DEPOSIT, LeadStage.ENROLLED):
            _order(session, customer, products, n, when, customer.lead_stage == LeadStage.ENROLLED)
    rounds = load_demo_rounds(session, now)
    _automation_rule(session)
    ad_rows = _ad_account(session, max(days, AD_DAYS))
    session.execute(
        insert(AppSetting).values(key=DEMO_MARK, value=now.isoformat()).on_conflict_do_update(index_elements=["key"], set_={"value": now.isoformat()})
    )
    return {"customers_created": made, "products": len(products), "ad_insight_rows": ad_rows, "rounds_created": rounds}


def _in_hours(rng: random.Random, now: datetime, days: float, cal: Calendar, since: datetime | None = None) -> datetime | None:
    """A moment in the last `days` days (or since `since`) when the school was open, with
    `REPLY_ROOM` of the same open stretch after it: the demo's reply, 2 to 40 minutes later,
    then falls inside hours too, as the reports count it. Without any such moment (a calendar
    closed all that time), a moment in the range as it comes."""
    start = since or now - timedelta(days=days)
    spans = [(a, b - REPLY_ROOM) for a, b in open_intervals(start, now - REPLY_ROOM, cal) if b - REPLY_ROOM > a]
    if not spans:
        return None if since else now - timedelta(days=rng.uniform(0, days), minutes=rng.randrange(0, 600))
    a, b = rng.choices(spans, weights=[(b - a).total_seconds() for a, b in spans])[0]
    return a + (b - a) * rng.random()


def _ad_account(session: Session, days: int) -> int:
    """The simulator's ad account (3 campaigns, their ad sets and ads) with `days` days of daily
    and hourly figures up to this hour, straight from its generator (no HTTP) through the ad
    sync's own conversion and store functions; then the hour totals of those days."""
    from actors.meta.marketing import DAILY_FIELDS, HOURLY_FIELDS, daily_row, hourly_row
    from models.ad_store import (
        driver_connection,
        store_account,
        store_ad_sets,
        store_ads,
        store_campaigns,
        store_daily,
        store_hourly,
    )
    from models.marketing_rollups import roll_up_hours
    from vschool.simulator import marketing as sim

    pg = driver_connection(session)
    acc, names, today = sim.account(), sim.ad_names(0), sim.today_in_bangkok()
    span = [today - timedelta(days=n) for n in range(days - 1, -1, -1)]
    daily_fields, hourly_fields = tuple(DAILY_FIELDS.split(",")), tuple(HOURLY_FIELDS.split(","))
    daily, hourly = [], []
    for ad, day, figures in sim.iter_account_figures(span, today=today):
        daily.extend(daily_row(r) for r in sim.insight_rows(ad, day, figures, False, daily_fields, names[ad.id]))
        hourly.extend(hourly_row(r) for r in sim.insight_rows(ad, day, figures, True, hourly_fields, names[ad.id]))
    with_figures = {row[0] for row in daily}
    baht = lambda satang: Decimal(satang) / 100 if satang else None  # noqa: E731
    store_account(pg, SIMULATOR_AD_ACCOUNT_ID, sim.ACCOUNT_NAME)
    store_campaigns(pg, [(c.id, SIMULATOR_AD_ACCOUNT_ID, c.name, c.status, c.objective, baht(c.daily_budget), baht(c.lifetime_budget),
                          today - timedelta(days=c.start_ago)) for c in acc.campaigns])
    store_ad_sets(pg, [(s.id, s.campaign_id, s.name, s.status, baht(s.daily_budget), None) for s in acc.ad_sets])
    # as a sync leaves them: the listed ads, and archived ones that have figures in the range
    store_ads(pg, [(a.id, a.ad_set_id, a.campaign_id, a.name, a.status) for a in acc.ads if a.listed or a.id in with_figures])
    store_daily(pg, daily)
    store_hourly(pg, hourly)
    roll_up_hours(session, span[0], span[-1])
    return len(daily) + len(hourly)


def _report_facts(session: Session, conversation: Conversation, n: int, when, answered) -> None:
    """The reports' facts as the product writes them when things happen (issue 16b): the first
    reply, the resolution and, for some resolved conversations, a satisfaction answer."""
    if answered is not None:
        record_human_reply(session, conversation.id, None, answered)
    if conversation.status == ConversationStatus.RESOLVED:
        done = (answered or when) + timedelta(minutes=30 + n * 7)
        record_resolved(session, conversation.id, None, done)
        session.execute(insert(CsatSurvey).values(conversation_id=conversation.id, language="th", asked_at=done, score=3 + n % 3,
                                                  answered_at=done + timedelta(minutes=5)).on_conflict_do_nothing(index_elements=["conversation_id"]))


def _automation_rule(session: Session) -> None:
    """One example rule: a message asking for a discount gets the label for it."""
    if not session.exec(select(AutomationRule.id).limit(1)).first():
        save_rule(session, {"name": "ขอส่วนลด → ติดป้าย", "trigger": "message_received", "text_contains": "ส่วนลด", "label": "ขอส่วนลด"})


def _order(session: Session, customer, products: dict, n: int, when, paid_in_full: bool) -> None:
    number = f"VS-DEMO-{n:04d}"
    if session.exec(select(Order.id).where(Order.order_number == number)).first():
        return
    product = products["CRS-SUSHI-5D" if n % 2 else "CRS-RAMEN-3D"]
    order = Order(order_number=number, customer_id=customer.id, total=product.price, attributed_ad_id=customer.first_ad_id,
                  status=OrderStatus.PAID if paid_in_full else OrderStatus.DEPOSIT_PAID, created_at=when, updated_at=when)
    session.add(order)
    session.flush()
    session.add(OrderItem(order_id=order.id, product_id=product.id, quantity=1, unit_price=product.price, line_total=product.price))
    session.add(Payment(order_id=order.id, kind=PaymentKind.DEPOSIT, amount=Decimal("5000"), method="promptpay", paid_at=when + timedelta(hours=2)))
    if paid_in_full:
        session.add(Payment(order_id=order.id, kind=PaymentKind.PAYMENT, amount=product.price - Decimal("5000"), method="transfer", paid_at=when + timedelta(days=1)))


def demo_loaded(session: Session) -> bool:
    return session.get(AppSetting, DEMO_MARK) is not None
