"""The work areas' first screens: paginated, searchable (Thai too), live, with empty states."""

import pytest
from playwright.sync_api import Page, expect

from models.customer_rules import find_or_create_customer
from models.db import session_scope
from models.enums import Channel, Role
from tests.browser.conftest import add_staff, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("db")]


def _customers(n: int) -> None:
    with session_scope() as s:
        for i in range(n):
            customer, _ = find_or_create_customer(s, Channel.FACEBOOK, "PAGE1", f"72000000000{i:05d}")
            customer.display_name = "สมหญิง ใจดี" if i == 7 else f"Customer {i:02d}"
            s.add(customer)


def test_customers_are_paginated_searchable_in_thai_and_live(new_page, app) -> None:
    add_staff("nok@vschool.test", Role.AGENT)
    _customers(30)
    page: Page = new_page()
    sign_in(page, app, "nok@vschool.test")
    page.click("#nav-customers")
    expect(page.locator(".listing-row")).to_have_count(25)  # one page, never the whole table
    expect(page.locator("#listing-total")).to_contain_text("1 / 2")
    page.get_by_role("button", name="ถัดไป").click()
    expect(page.locator(".listing-row")).to_have_count(5)

    page.fill("#workspace-search", "ใจดี")  # Thai: no spaces between words
    expect(page.locator(".listing-row")).to_have_count(1)
    expect(page.locator(".listing-row")).to_contain_text("TVS-CUS-FB-")

    page.fill("#workspace-search", "ไม่มีชื่อนี้")
    expect(page.locator("#empty-state")).to_be_visible()

    page.fill("#workspace-search", "")
    with session_scope() as s:  # a worker-style write + announce: the open list follows
        find_or_create_customer(s, Channel.FACEBOOK, "PAGE1", "7299999999999999")
    from actors.push import announce

    announce("customer")
    expect(page.locator("#listing-total")).to_contain_text("31", timeout=10_000)


def test_an_empty_catalog_says_how_items_arrive(new_page, app) -> None:
    add_staff("nok@vschool.test", Role.AGENT)
    page: Page = new_page()
    sign_in(page, app, "nok@vschool.test")
    page.click("#nav-catalog")
    expect(page.locator("#empty-state")).to_contain_text("คอร์ส")
