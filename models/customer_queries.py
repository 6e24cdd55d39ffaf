"""Finding customers and the facts on their page: who they are, what they paid, which ad brought
them. Plain queries shared by the Customers pages (and, later, the REST API)."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session, col, select

from models.commerce import Order, Payment
from models.customers import AdReferral, Customer
from models.enums import PaymentKind
from models.inbox import Conversation
from models.listings import PAGE_SIZE, like_pattern
from models.marketing import Ad, Campaign


def find_customers(session: Session, page: int, search: str = "", stage: str = "", by_contact: bool = True) -> tuple[list[dict], int]:
    """One page of customers, newest first: by name, standard id, phone or e-mail (Thai too),
    optionally of one lead stage. `by_contact=False` (a role without contact data) matches names
    and ids only, so a search cannot tell whose a phone number is."""
    q = sa.select(Customer).where(Customer.erased_at.is_(None))
    if stage:
        q = q.where(Customer.lead_stage == stage)
    if search:
        q = q.where(col(Customer.search_text).ilike(like_pattern(search)))  # the trigram index
        if not by_contact:
            q = q.where(sa.or_(col(Customer.display_name).ilike(like_pattern(search)), col(Customer.standard_id).ilike(like_pattern(search))))
    total = session.execute(sa.select(sa.func.count()).select_from(q.subquery())).scalar_one()
    found = session.execute(
        q.add_columns(Ad.name).outerjoin(Ad, Ad.id == Customer.first_ad_id).order_by(col(Customer.id).desc())
        .offset(page * PAGE_SIZE).limit(PAGE_SIZE)
    ).all()
    rows = [
        {"standard_id": c.standard_id, "name": c.display_name or "", "stage": c.lead_stage, "tags": ", ".join(c.tags),
         "source_ad": ad_name or c.first_ad_id or "", "created_at": c.created_at.isoformat()}
        for c, ad_name in found
    ]
    return rows, total


def customer_by_standard_id(session: Session, standard_id: str) -> Customer | None:
    return session.exec(select(Customer).where(Customer.standard_id == standard_id, Customer.erased_at.is_(None))).first()


@dataclass(frozen=True)
class CustomerFacts:
    paid: Decimal  # deposits and payments received, refunds subtracted
    orders: int
    conversations: int
    open_conversation_id: int | None
    first_ad_id: str
    first_ad_name: str
    first_campaign_name: str
    first_referred_at: datetime | None


def customer_facts(session: Session, customer: Customer) -> CustomerFacts:
    signed = sa.case((Payment.kind == PaymentKind.REFUND, -Payment.amount), else_=Payment.amount)
    paid = session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(signed), 0)).join(Order, Order.id == Payment.order_id).where(Order.customer_id == customer.id)
    ).scalar_one()
    orders = session.execute(sa.select(sa.func.count()).select_from(Order).where(Order.customer_id == customer.id)).scalar_one()
    conversations = session.execute(
        sa.select(sa.func.count(), sa.func.max(sa.case((Conversation.status != "resolved", Conversation.id))))
        .where(Conversation.customer_id == customer.id)
    ).one()
    ad_name = campaign_name = ""
    referred_at = None
    if customer.first_ad_id:
        named = session.execute(
            sa.select(Ad.name, Campaign.name).join(Campaign, Campaign.id == Ad.campaign_id).where(Ad.id == customer.first_ad_id)
        ).first()
        first = session.exec(
            select(AdReferral).where(AdReferral.customer_id == customer.id, AdReferral.ad_id == customer.first_ad_id)
            .order_by(AdReferral.occurred_at, AdReferral.id).limit(1)
        ).first()
        ad_name, campaign_name = named if named else (((first.context or {}).get("ad_title") or "") if first else "", "")
        referred_at = first.occurred_at if first else None
    return CustomerFacts(
        paid=Decimal(paid), orders=orders, conversations=conversations[0], open_conversation_id=conversations[1],
        first_ad_id=customer.first_ad_id or "", first_ad_name=ad_name, first_campaign_name=campaign_name, first_referred_at=referred_at,
    )
