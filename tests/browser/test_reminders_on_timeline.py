"""Staff see each reminder and each report to Meta on the customer's timeline, in Thai: a
reminder that could not be sent says why (ADR 016)."""

import os
from datetime import date, time, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from models.base import utcnow
from models.booking import book
from models.commerce import Product
from models.customer_rules import find_or_create_customer
from models.db import session_scope
from models.enums import Channel, ProductKind, Role
from models.meta_reports import ConversionEvent, Reminder
from models.rounds import CourseRound
from tests.browser.conftest import add_staff, sign_in
from vschool.i18n import LABELS

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("db")]


def _student() -> str:
    with session_scope() as s:
        customer, _ = find_or_create_customer(s, Channel.FACEBOOK, "PAGE1", "7300000000000077")
        customer.display_name = "มะลิ ใจงาม"
        product = Product(sku="SUSHI-TL", kind=ProductKind.COURSE, name="Professional Sushi", price=Decimal("24900"))
        s.add_all([customer, product])
        s.flush()
        start = date.today() + timedelta(days=3)
        rnd = CourseRound(product_id=product.id, starts_on=start, ends_on=start + timedelta(days=4), daily_start=time(9, 30), daily_end=time(16))
        s.add(rnd)
        s.flush()
        order = book(s, customer.id, product.id, [rnd.id])
        s.add(Reminder(order_id=order.id, customer_id=customer.id, kind="class_starts", subject=str(rnd.id), starts_on=start,
                       status="not_sent", reason="reminder_template_not_approved"))
        s.add(ConversionEvent(key=f"Purchase:order:{order.id}", event_id="e" * 32, event_name="Purchase", customer_id=customer.id,
                              order_id=order.id, ad_id="120210000000000001", page_id="PAGE1", psid="7300000000000077",
                              value=Decimal("24900"), currency="THB", event_time=utcnow(), status="sent", next_try_at=utcnow(), sent_at=utcnow()))
        return customer.standard_id


def test_a_reminder_not_sent_says_why_and_a_report_to_meta_shows(new_page, app) -> None:
    add_staff("ploy@vschool.test", Role.AGENT)
    standard_id = _student()
    page: Page = new_page()
    sign_in(page, app, "ploy@vschool.test")
    page.goto(f"{app.frontend_url}/customers/{standard_id}")
    reminder = page.locator(".timeline-reminder")
    expect(reminder).to_contain_text(LABELS["reminder_kind_class_starts"][1])
    expect(reminder).to_contain_text(LABELS["reminder_status_not_sent"][1])
    expect(reminder.locator(".reminder-reason")).to_have_text(LABELS["reminder_template_not_approved"][1])
    report = page.locator(".timeline-report")
    expect(report).to_contain_text(LABELS["timeline_report"][1])
    expect(report).to_contain_text(LABELS["meta_event_Purchase"][1])
    expect(report).to_contain_text("฿24,900")
    folder = Path(os.environ.get("VSCHOOL_SCREENSHOTS", "/tmp/vschool-screens"))
    folder.mkdir(parents=True, exist_ok=True)
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        reminder.scroll_into_view_if_needed()
        assert page.evaluate("document.documentElement.scrollWidth") <= width  # nothing scrolls sideways
        page.screenshot(path=str(folder / f"customer-reminders-{width}-th.png"), full_page=True)
