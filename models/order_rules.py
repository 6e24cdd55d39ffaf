"""Orders and the money that moves on them — the rules, shared by every screen and program.

- An order is for one customer and one or more catalog products at their current prices; it is
  attributed to the ad that first brought the customer (so revenue joins the marketing figures).
- Money received is a deposit or a payment; money given back is a refund. What was received can
  never be exceeded by refunds, nor the order total by what was received.
- The order's status follows the money the school keeps (received − refunded), one function for
  every case (`status_for`): pending while nothing came in; deposit_paid while some but not all
  of the total is kept (a partial refund of a paid order brings it back here, with the refunded
  part outstanding again); paid when all of it is kept; refunded when all that came in went back;
  cancelled only while nothing is kept. Seats follow (`models.seat_rules`).
- The customer's lead stage follows too, forwards only: a deposit makes them `deposit`, a paid
  order `enrolled`.
Numbers are `VS-{YY}-{NNNNN}` from the same atomic per-year counter as customer ids.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, col, select

from models.base import utcnow
from models.commerce import Order, OrderItem, Payment, Product
from models.conversion_rules import (
    ORDER_CANCELED,
    ORDER_RETURNED,
    report_order_undone,
    report_seat_taken,
)
from models.customers import Customer
from models.enums import LeadStage, OrderStatus, PaymentKind
from models.lead_rules import set_lead_stage
from models.refusals import Refused
from models.seat_rules import deposit_due, release_order_seats, settle_seats
from models.settings import get_settings

METHODS = ("transfer", "promptpay", "card", "cash")
MAX_QUANTITY = 50
_NEXT_NUMBER = sa.text(
    """
    INSERT INTO customer_id_counter (channel_code, year, last_number) VALUES ('ORD', :year, 1)
    ON CONFLICT (channel_code, year) DO UPDATE SET last_number = customer_id_counter.last_number + 1
    RETURNING last_number
    """
).columns(last_number=sa.Integer).cte("next_number")
_DIGITS = sa.cast(_NEXT_NUMBER.c.last_number, sa.Text)
_ORDER_NUMBER = sa.select(  # :prefix + the counter's next value, at least 5 digits: VS-26-00042
    sa.bindparam("prefix", type_=sa.Text) + sa.func.lpad(_DIGITS, sa.func.greatest(5, sa.func.length(_DIGITS)), "0")
).scalar_subquery()
_ORDER_COLUMNS = ("customer_id", "status", "total", "attributed_ad_id", "created_by_id", "created_at", "updated_at")
_INSERT_ORDER = (  # built once: a booking pays for executing it, not for building it
    sa.insert(Order).values(order_number=_ORDER_NUMBER, **{c: sa.bindparam(c, type_=Order.__table__.c[c].type) for c in _ORDER_COLUMNS})
    .add_cte(_NEXT_NUMBER).returning(Order)
)
_INSERT_ITEMS = sa.insert(OrderItem.__table__)


class OrderRefused(Refused):
    """Why an order or payment cannot be recorded."""


@dataclass(frozen=True)
class Balance:
    total: Decimal
    received: Decimal  # deposits and payments
    refunded: Decimal

    @property
    def paid(self) -> Decimal:  # what the school keeps
        return self.received - self.refunded

    @property
    def outstanding(self) -> Decimal:  # a refund re-opens what it gave back
        return max(Decimal(0), self.total - self.paid)


def status_for(b: Balance) -> OrderStatus:
    """The order status its money says (a cancelled order stays cancelled; see `cancel_order`)."""
    if b.received == 0:
        return OrderStatus.PENDING
    if b.paid == 0:
        return OrderStatus.REFUNDED
    if b.paid >= b.total:
        return OrderStatus.PAID
    return OrderStatus.DEPOSIT_PAID


def parse_amount(text: str) -> Decimal:
    """'5,000' / '5000.50' / '฿5,000' → Decimal; anything else is refused with a reason."""
    cleaned = text.replace(",", "").replace("฿", "").replace("บาท", "").strip()
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise OrderRefused("error_not_an_amount", text=text) from None
    if not amount.is_finite() or amount <= 0:
        raise OrderRefused("error_amount_not_positive")
    if amount != amount.quantize(Decimal("0.01")):
        raise OrderRefused("error_amount_satang")
    return amount


def balance(session: Session, order: Order) -> Balance:
    sums = dict(session.execute(
        sa.select(Payment.kind, sa.func.sum(Payment.amount)).where(Payment.order_id == order.id).group_by(Payment.kind)
    ).all())
    received = sums.get(PaymentKind.DEPOSIT, Decimal(0)) + sums.get(PaymentKind.PAYMENT, Decimal(0))
    return Balance(order.total, received, sums.get(PaymentKind.REFUND, Decimal(0)))


@dataclass(frozen=True)
class OrderDraft:
    """An order checked and priced but not yet numbered or written (`draft_order` → `write_order`)."""

    customer: Customer
    lines: list[tuple[Product, int, Decimal]]  # product, quantity, line total

    @property
    def total(self) -> Decimal:
        return sum((line for _, _, line in self.lines), Decimal(0))


def draft_order(session: Session, customer_id: int, items: list[tuple[int, int]], known: Iterable[Product] = ()) -> OrderDraft:
    """Check the customer and `items` [(product id, quantity)] and price them at the catalog's
    prices; `known` products already loaded are not read again. Takes no lock."""
    customer = session.get(Customer, customer_id)
    if customer is None or customer.erased_at is not None:
        raise OrderRefused("error_customer_gone")
    if not items:
        raise OrderRefused("error_choose_product")
    wanted: dict[int, int] = {}
    for product_id, quantity in items:
        if not 1 <= quantity <= MAX_QUANTITY:
            raise OrderRefused("error_quantity", limit=MAX_QUANTITY)
        wanted[product_id] = wanted.get(product_id, 0) + quantity
    products = {p.id: p for p in known if p.id in wanted}
    if rest := [pid for pid in wanted if pid not in products]:
        products.update((p.id, p) for p in session.exec(select(Product).where(col(Product.id).in_(rest))))
    products = {pid: p for pid, p in products.items() if p.is_active}
    if len(products) != len(wanted):
        raise OrderRefused("error_product_gone")
    return OrderDraft(customer, [(products[pid], qty, products[pid].price * qty) for pid, qty in wanted.items()])


def write_order(session: Session, draft: OrderDraft, staff_id: int | None = None, now: datetime | None = None) -> Order:
    """Number a drafted order and write it with its items, in two statements: the order row
    takes its number from the per-year counter inside its own INSERT, then the items in one. The
    counter row stays locked until commit, so callers number as late as they can."""
    now = now or utcnow()
    year = now.astimezone(ZoneInfo(get_settings().timezone)).year % 100
    order = session.scalars(_INSERT_ORDER, {
        "year": year, "prefix": f"VS-{year:02d}-", "customer_id": draft.customer.id, "status": OrderStatus.PENDING, "total": draft.total,
        "attributed_ad_id": draft.customer.first_ad_id, "created_by_id": staff_id, "created_at": now, "updated_at": now,
    }).one()
    session.connection().execute(_INSERT_ITEMS, [
        {"order_id": order.id, "product_id": product.id, "quantity": quantity, "unit_price": product.price, "line_total": line_total}
        for product, quantity, line_total in draft.lines
    ])
    return order


def create_order(session: Session, customer_id: int, items: list[tuple[int, int]], staff_id: int | None = None,
                 now: datetime | None = None) -> Order:
    """A pending order for `items` [(product id, quantity)] at the catalog's prices."""
    return write_order(session, draft_order(session, customer_id, items), staff_id, now)


def record_payment(session: Session, order_id: int, kind: PaymentKind, amount: Decimal, method: str, reference: str = "",
                   staff_id: int | None = None, now: datetime | None = None) -> Payment:
    """Money in (deposit, payment) or out (refund) on an order; the order's status and the
    customer's lead stage follow. The order row is locked so two staff can't overpay it."""
    order = session.exec(select(Order).where(Order.id == order_id).with_for_update()).first()
    if order is None:
        raise OrderRefused("error_order_gone")
    if order.status == OrderStatus.CANCELLED:
        raise OrderRefused("error_order_cancelled")
    if order.status == OrderStatus.REFUNDED:  # its seats went back: a new booking takes new seats
        raise OrderRefused("error_order_refunded")
    if method not in METHODS:
        raise OrderRefused("error_payment_method", methods=", ".join(METHODS))
    now = now or utcnow()
    before = balance(session, order)
    if kind == PaymentKind.REFUND:
        if amount > before.paid:
            raise OrderRefused("error_refund_too_much", amount=f"{before.paid:,.2f}")
    elif amount > before.outstanding:
        raise OrderRefused("error_payment_too_much", amount=f"{before.outstanding:,.2f}")
    payment = Payment(order_id=order.id, kind=kind, amount=amount, method=method, reference=reference.strip()[:120] or None,
                      paid_at=now, recorded_by_id=staff_id)
    session.add(payment)
    session.flush()
    after = balance(session, order)
    was = order.status
    order.status, order.updated_at = status_for(after), now
    settle_seats(session, order, after.paid, now)
    customer = session.get(Customer, order.customer_id)
    if order.status == OrderStatus.PAID:
        set_lead_stage(session, customer, LeadStage.ENROLLED, by_staff=False)
    elif order.status == OrderStatus.DEPOSIT_PAID:
        set_lead_stage(session, customer, LeadStage.DEPOSIT, by_staff=False)
    session.add_all([order, customer])
    _report_to_meta(session, order, was, after.paid, now)
    return payment


def _report_to_meta(session: Session, order: Order, was: str, kept: Decimal, now: datetime) -> None:
    """The Conversions API events this payment causes (ADR 016), in the payment's transaction:
    the deposit rule met (the seat taken) is a Purchase (queued once per order, so asking again
    is harmless); all of the money given back is a return."""
    if order.status == OrderStatus.REFUNDED:
        if was != OrderStatus.REFUNDED:
            report_order_undone(session, order, ORDER_RETURNED, now)
    elif kept > 0 and kept >= deposit_due(order.total):
        report_seat_taken(session, order, now)


def cancel_order(session: Session, order_id: int) -> Order:
    """Cancel an order the school keeps no money on (refund first); its seats are freed."""
    order = session.exec(select(Order).where(Order.id == order_id).with_for_update()).first()
    if order is None:
        raise OrderRefused("error_order_gone")
    if balance(session, order).paid > 0:
        raise OrderRefused("error_cancel_paid")
    order.status, order.updated_at = OrderStatus.CANCELLED, utcnow()
    session.add(order)
    release_order_seats(session, order.id, "cancelled", order.updated_at)
    report_order_undone(session, order, ORDER_CANCELED, order.updated_at)
    return order


def customer_orders(session: Session, customer_id: int) -> list[dict[str, str]]:
    """The customer's orders, newest first, with what is paid and still owed (display strings)."""
    rows = []
    for order in session.exec(select(Order).where(Order.customer_id == customer_id).order_by(col(Order.id).desc()).limit(50)):
        b = balance(session, order)
        names = session.execute(
            sa.select(Product.name, OrderItem.quantity).join(Product, Product.id == OrderItem.product_id)
            .where(OrderItem.order_id == order.id).order_by(OrderItem.id)
        ).all()
        rows.append({
            "id": str(order.id), "number": order.order_number, "status": order.status,
            "items": ", ".join(f"{n} ×{q}" if q > 1 else n for n, q in names),
            "total": f"฿{order.total:,.2f}", "paid": f"฿{b.paid:,.2f}", "outstanding": f"฿{b.outstanding:,.2f}",
            "can_pay": "1" if b.outstanding > 0 and order.status not in (OrderStatus.CANCELLED, OrderStatus.REFUNDED) else "",
            "can_refund": "1" if b.paid > 0 else "",
            "can_cancel": "1" if b.paid == 0 and order.status != OrderStatus.CANCELLED else "",
        })
    return rows


def catalog_choices(session: Session) -> list[dict[str, str]]:
    return [
        {"id": str(p.id), "label": f"{p.name}{' · ' + p.name_th if p.name_th else ''} — ฿{p.price:,.0f}"}
        for p in session.exec(select(Product).where(Product.is_active.is_(True)).order_by(Product.kind, Product.name))
    ]
