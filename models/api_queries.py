"""The REST API's reads: plain JSON-ready rows (ISO times in UTC, money as decimal strings),
one page at a time. The screens format the same records for people; these are for programs."""

from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from models.commerce import Order, OrderItem, Payment, Product
from models.customers import Customer
from models.enums import PaymentKind
from models.inbox import Conversation, Message
from models.round_queries import order_rounds
from models.staff import StaffUser

PER_PAGE = 25


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _count(session: Session, query: sa.Select) -> int:
    return session.execute(sa.select(sa.func.count()).select_from(query.order_by(None).subquery())).scalar_one()


def conversations_page(session: Session, page: int, status: str = "") -> tuple[list[dict[str, Any]], int]:
    q = (
        sa.select(Conversation, Customer.standard_id, Customer.display_name, StaffUser.display_name)
        .join(Customer, Customer.id == Conversation.customer_id)
        .outerjoin(StaffUser, StaffUser.id == Conversation.assignee_id)
        .where(Customer.erased_at.is_(None))
    )
    if status:
        q = q.where(Conversation.status == status)
    total = _count(session, q)
    rows = session.execute(q.order_by(col(Conversation.last_message_at).desc().nulls_last(), col(Conversation.id).desc())
                           .offset(page * PER_PAGE).limit(PER_PAGE)).all()
    return [
        {"id": c.id, "customer": standard_id, "customer_name": name, "status": c.status, "assignee": assignee,
         "unread": c.unread_count, "source_ad_id": c.source_ad_id, "last_message_at": iso(c.last_message_at),
         "last_inbound_at": iso(c.last_inbound_at), "created_at": iso(c.created_at)}
        for c, standard_id, name, assignee in rows
    ], total


def conversation_exists(session: Session, conversation_id: int) -> bool:
    return session.get(Conversation, conversation_id) is not None


def messages_page(session: Session, conversation_id: int, before_id: int | None = None, limit: int = 50) -> tuple[list[dict[str, Any]], int | None]:
    """Newest first; the cursor for the next (older) page, or None at the beginning."""
    q = sa.select(Message).where(Message.conversation_id == conversation_id)
    if before_id:
        q = q.where(Message.id < before_id)
    found = list(session.execute(q.order_by(col(Message.id).desc()).limit(limit + 1)).scalars())
    rows = [
        {"id": m.id, "mid": m.mid, "direction": m.direction, "sender": m.sender_kind, "text": m.text, "attachments": m.attachments,
         "status": m.status, "reply_to_mid": m.reply_to_mid, "sent_at": iso(m.sent_at)}
        for m in found[:limit]
    ]
    return rows, (rows[-1]["id"] if len(found) > limit else None)


def orders_page(session: Session, page: int, customer: str = "") -> tuple[list[dict[str, Any]], int]:
    signed = sa.case((Payment.kind == PaymentKind.REFUND, -Payment.amount), else_=Payment.amount)
    paid = sa.select(sa.func.coalesce(sa.func.sum(signed), 0)).where(Payment.order_id == Order.id).scalar_subquery()
    q = sa.select(Order, Customer.standard_id, paid.label("paid")).join(Customer, Customer.id == Order.customer_id)
    if customer:
        q = q.where(Customer.standard_id == customer)
    total = _count(session, q)
    rows = session.execute(q.order_by(col(Order.id).desc()).offset(page * PER_PAGE).limit(PER_PAGE)).all()
    items: dict[int, list[dict[str, Any]]] = {}
    if rows:
        for item, sku in session.execute(
            sa.select(OrderItem, Product.sku).join(Product, Product.id == OrderItem.product_id)
            .where(col(OrderItem.order_id).in_([o.id for o, _, _ in rows])).order_by(OrderItem.id)
        ).all():
            items.setdefault(item.order_id, []).append(
                {"sku": sku, "quantity": item.quantity, "unit_price": money(item.unit_price), "line_total": money(item.line_total)}
            )
    rounds = order_rounds(session, [o.id for o, _, _ in rows])
    return [
        {"order_number": o.order_number, "customer": standard_id, "status": o.status, "total": money(o.total), "paid": money(paid_sum),
         "outstanding": money(max(Decimal(0), o.total - paid_sum)),
         "currency": o.currency, "attributed_ad_id": o.attributed_ad_id, "items": items.get(o.id, []), "created_at": iso(o.created_at),
         "rounds": rounds.get(o.id, []), "private_on": o.private_on.isoformat() if o.private_on else None}
        for o, standard_id, paid_sum in rows
    ], total


def products_page(session: Session, page: int, kind: str = "") -> tuple[list[dict[str, Any]], int]:
    q = sa.select(Product).where(Product.is_active.is_(True))
    if kind:
        q = q.where(Product.kind == kind)
    total = _count(session, q)
    rows = session.execute(q.order_by(Product.kind, Product.sku).offset(page * PER_PAGE).limit(PER_PAGE)).scalars()
    return [
        {"sku": p.sku, "kind": p.kind, "name": p.name, "name_th": p.name_th, "description": p.description, "price": money(p.price),
         "currency": p.currency, "picture_url": p.picture_url}
        for p in rows
    ], total
