"""Paginated, searchable lists of the school's records, as plain rows of display strings.

Each work area's first screen (Inbox, Customers, Marketing, Catalog, Orders, Knowledge) reads
one of these; later pages grow richer views on the same queries. No list ever loads more than
one page of rows.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session, col

from models.commerce import Order, Product
from models.customers import Customer
from models.knowledge import KnowledgeChunk, KnowledgeDocument
from models.marketing import Ad, AdInsightDaily, Campaign

PAGE_SIZE = 25


@dataclass(frozen=True)
class Listing:
    rows: list[list[str]]  # display strings, in the order of COLUMNS[area]
    total: int


def _when(value: datetime | None) -> str:
    """ISO 8601; the page shows it in the reader's language (models/when.py)."""
    return value.isoformat() if value else ""


def baht(value: Decimal | None) -> str:
    """฿1,234.50; money going out reads -฿1,000.00."""
    if value is None:
        return ""
    return f"{'-' if value < 0 else ''}฿{abs(value):,.2f}"


def like_pattern(search: str) -> str:
    """A LIKE pattern matching `search` anywhere, with %, _ and \\ taken literally."""
    return "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _page(session: Session, query: sa.Select, page: int) -> tuple[list, int]:
    total = session.execute(sa.select(sa.func.count()).select_from(query.order_by(None).subquery())).scalar_one()
    rows = session.execute(query.offset(page * PAGE_SIZE).limit(PAGE_SIZE)).all()
    return rows, total


def customers(session: Session, page: int, search: str) -> Listing:
    q = sa.select(Customer.standard_id, Customer.display_name, Customer.lead_stage, Customer.created_at).where(
        Customer.erased_at.is_(None)
    ).order_by(col(Customer.id).desc())
    if search:
        q = q.where(sa.or_(Customer.display_name.ilike(like_pattern(search)), Customer.standard_id.ilike(like_pattern(search)), Customer.phone.ilike(like_pattern(search))))
    rows, total = _page(session, q, page)
    return Listing([[s, n or "", st, _when(c)] for s, n, st, c in rows], total)


def campaigns(session: Session, page: int, search: str) -> Listing:
    spend = (
        sa.select(Ad.campaign_id, sa.func.sum(AdInsightDaily.spend).label("spend"), sa.func.sum(AdInsightDaily.leads).label("leads"))
        .join(Ad, Ad.id == AdInsightDaily.ad_id)
        .group_by(Ad.campaign_id)
        .subquery()
    )
    q = (
        sa.select(Campaign.name, Campaign.status, spend.c.spend, spend.c.leads)
        .outerjoin(spend, spend.c.campaign_id == Campaign.id)
        .order_by(Campaign.name)
    )
    if search:
        q = q.where(Campaign.name.ilike(like_pattern(search)))
    rows, total = _page(session, q, page)
    return Listing([[n, s, baht(sp or Decimal(0)), str(ld or 0)] for n, s, sp, ld in rows], total)


def products(session: Session, page: int, search: str) -> Listing:
    q = sa.select(Product.sku, Product.name, Product.name_th, Product.kind, Product.price).where(Product.is_active.is_(True)).order_by(Product.kind, Product.name)
    if search:
        q = q.where(sa.or_(Product.name.ilike(like_pattern(search)), Product.name_th.ilike(like_pattern(search)), Product.sku.ilike(like_pattern(search))))
    rows, total = _page(session, q, page)
    return Listing([[s, n, t or "", k, baht(p)] for s, n, t, k, p in rows], total)


def orders(session: Session, page: int, search: str) -> Listing:
    q = (
        sa.select(Order.order_number, Customer.display_name, Order.status, Order.total, Order.created_at)
        .join(Customer, Customer.id == Order.customer_id)
        .order_by(col(Order.id).desc())
    )
    if search:
        q = q.where(sa.or_(Order.order_number.ilike(like_pattern(search)), Customer.display_name.ilike(like_pattern(search))))
    rows, total = _page(session, q, page)
    return Listing([[o, c or "", s, baht(t), _when(at)] for o, c, s, t, at in rows], total)


def documents(session: Session, page: int, search: str) -> Listing:
    chunks = sa.select(sa.func.count()).where(KnowledgeChunk.document_id == KnowledgeDocument.id).scalar_subquery()
    q = sa.select(KnowledgeDocument.source, KnowledgeDocument.title, chunks, KnowledgeDocument.indexed_at).order_by(KnowledgeDocument.source)
    if search:
        q = q.where(sa.or_(KnowledgeDocument.source.ilike(like_pattern(search)), KnowledgeDocument.title.ilike(like_pattern(search))))
    rows, total = _page(session, q, page)
    return Listing([[s, t or "", str(n), _when(at)] for s, t, n, at in rows], total)


LISTINGS: dict[str, Callable[[Session, int, str], Listing]] = {
    "customers": customers,
    "marketing": campaigns,
    "catalog": products,
    "orders": orders,
    "knowledge": documents,
}

# Column label keys (see vschool.i18n) per work area, in the order of each Listing's rows.
COLUMNS: dict[str, list[str]] = {
    "customers": ["customer_id", "name", "lead_stage", "since"],
    "marketing": ["campaign", "status", "spend", "leads"],
    "catalog": ["sku", "name", "name_th", "kind", "price"],
    "orders": ["order", "customer", "status", "total", "created"],
    "knowledge": ["source", "title", "chunks", "indexed"],
}
