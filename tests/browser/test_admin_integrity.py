"""Admin → Integrity in the browser: a clean state says so; after money that doesn't add up,
"Check now" lists the finding, opens an incident, and an admin closes it."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from models.commerce import Order, Payment
from models.customer_rules import find_or_create_customer
from models.db import session_scope
from models.enums import Channel, Role
from tests.browser.conftest import add_staff, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("db")]


def test_an_admin_sees_findings_and_closes_the_incident(new_page, app) -> None:
    add_staff("boss@vschool.test", Role.ADMIN)
    page: Page = new_page()
    sign_in(page, app, "boss@vschool.test")
    page.click("#nav-integrity")
    expect(page.locator("#no-findings")).to_be_visible()

    with session_scope() as s:  # 6,000 received on a 5,000 order
        customer, _ = find_or_create_customer(s, Channel.FACEBOOK, "PAGE1", "7700000000000001")
        order = Order(order_number="VS-26-09999", customer_id=customer.id, total=Decimal("5000"), status="paid")
        s.add(order)
        s.flush()
        s.add(Payment(order_id=order.id, kind="payment", amount=Decimal("6000"), paid_at=datetime.now(UTC)))
    page.click("#integrity-check-now")
    expect(page.locator("#integrity-message")).to_contain_text("เปิดเหตุการณ์")  # an incident opened, said in Thai
    expect(page.locator(".finding-row")).to_contain_text("received_more_than_total")
    expect(page.locator(".finding-row")).to_contain_text("VS-26-09999")
    incident = page.locator(".incident-row").first
    expect(incident).to_contain_text("open")
    incident.get_by_role("button").click()
    expect(incident).to_contain_text("resolved")
