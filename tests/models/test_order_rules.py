"""Orders and money: prices from the catalog, attribution to the first ad, status and lead
stage following the money, and refusals (overpaying, over-refunding, cancelling paid orders)."""

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest

from models.commerce import Order, Product
from models.customer_rules import find_or_create_customer
from models.customers import Customer
from models.db import session_scope
from models.enums import PaymentKind
from models.order_rules import (
    OrderRefused,
    balance,
    cancel_order,
    create_order,
    customer_orders,
    parse_amount,
    record_payment,
)

pytestmark = pytest.mark.usefixtures("db")


def _customer_and_products() -> tuple[int, int, int]:
    with session_scope() as s:
        customer, _ = find_or_create_customer(s, "facebook", "PAGE1", "7500000000000001")
        customer.first_ad_id, customer.lead_stage = "120210000000000002", "qualified"
        ramen = Product(sku="CRS-RAMEN-3D", name="Ramen Masterclass", name_th="ราเมง 3 วัน", price=Decimal("24500"))
        knife = Product(sku="EQ-KNIFE", kind="equipment", name="Yanagiba knife", price=Decimal("3200.50"))
        s.add_all([ramen, knife])
        s.flush()
        return customer.id, ramen.id, knife.id


def test_an_order_takes_catalog_prices_and_the_first_ad_and_follows_its_money() -> None:
    customer_id, ramen, knife = _customer_and_products()
    with session_scope() as s:
        order = create_order(s, customer_id, [(ramen, 1), (knife, 2)])
        assert order.total == Decimal("30901.00") and order.attributed_ad_id == "120210000000000002"
        assert order.order_number.startswith("VS-") and order.status == "pending"
        order_id = order.id
    with session_scope() as s:
        record_payment(s, order_id, PaymentKind.DEPOSIT, Decimal("5000"), "promptpay")
        assert customer_orders(s, customer_id)[0]["status"] == "deposit_paid"
    with session_scope() as s:
        assert s.get(Customer, customer_id).lead_stage == "deposit"
        with pytest.raises(OrderRefused, match="25,901.00 still to pay"):
            record_payment(s, order_id, PaymentKind.PAYMENT, Decimal("30000"), "transfer")
    with session_scope() as s:
        record_payment(s, order_id, PaymentKind.PAYMENT, Decimal("25901"), "transfer", "KBank 0042")
    with session_scope() as s:
        row = customer_orders(s, customer_id)[0]
        assert (row["status"], row["paid"], row["outstanding"], row["can_pay"]) == ("paid", "฿30,901.00", "฿0.00", "")
        assert s.get(Customer, customer_id).lead_stage == "enrolled"
        with pytest.raises(OrderRefused, match="refund it instead"):
            cancel_order(s, order_id)
    with session_scope() as s, pytest.raises(OrderRefused, match="at most what the school kept"):
        record_payment(s, order_id, PaymentKind.REFUND, Decimal("40000"), "transfer")
    with session_scope() as s:
        record_payment(s, order_id, PaymentKind.REFUND, Decimal("30901"), "transfer")
    with session_scope() as s:
        order = s.get(Order, order_id)
        assert order.status == "refunded" and balance(s, order).paid == 0
        assert s.get(Customer, customer_id).lead_stage == "enrolled"  # the stage never moves back on its own


def test_two_staff_paying_the_same_balance_at_once_cannot_overpay() -> None:
    customer_id, ramen, _ = _customer_and_products()
    with session_scope() as s:
        order_id = create_order(s, customer_id, [(ramen, 1)]).id

    def pay() -> str:
        try:
            with session_scope() as s:
                record_payment(s, order_id, PaymentKind.PAYMENT, Decimal("24500"), "transfer")
            return "ok"
        except OrderRefused:
            return "refused"

    with ThreadPoolExecutor(2) as pool:
        outcomes = sorted(pool.map(lambda _: pay(), range(2)))
    assert outcomes == ["ok", "refused"]


def test_bad_input_is_refused_with_a_reason() -> None:
    customer_id, ramen, _ = _customer_and_products()
    assert parse_amount("฿5,000.50") == Decimal("5000.50") and parse_amount("5000 บาท") == Decimal("5000")
    for bad in ("", "abc", "-5", "0", "1.005", "NaN", "Infinity"):
        with pytest.raises(OrderRefused):
            parse_amount(bad)
    with session_scope() as s:
        with pytest.raises(OrderRefused, match="at least one"):
            create_order(s, customer_id, [])
        with pytest.raises(OrderRefused, match="between 1 and"):
            create_order(s, customer_id, [(ramen, 0)])
        with pytest.raises(OrderRefused, match="no longer in the catalog"):
            create_order(s, customer_id, [(999999, 1)])
        order_id = create_order(s, customer_id, [(ramen, 1)]).id
    with session_scope() as s:
        with pytest.raises(OrderRefused, match="method"):
            record_payment(s, order_id, PaymentKind.PAYMENT, Decimal("100"), "bitcoin")
        assert cancel_order(s, order_id).status == "cancelled"
    with session_scope() as s, pytest.raises(OrderRefused, match="cancelled"):
        record_payment(s, order_id, PaymentKind.PAYMENT, Decimal("100"), "cash")
