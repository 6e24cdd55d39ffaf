"""The marketing panel in Chromium: the hand-checked totals for a custom Bangkok range, the
drill-down, live updates when new insight rows land and the cache is rebuilt, the empty state,
roles, and Sync now."""

import re
from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from actors.cache import refresh_marketing_cache
from cache.snapshots import invalidate, snapshot_path
from models.db import session_scope
from models.enums import Role
from tests.browser.conftest import add_staff, sign_in
from tests.marketing_helpers import A2, daily, hand_checked

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("db")]


@pytest.fixture(autouse=True)
def no_snapshots() -> None:
    """Snapshots are derived from the tables the `db` fixture empties: start without any."""
    invalidate(snapshot_path("analytics"))
    invalidate(snapshot_path("campaigns"))


def _open_range(page: Page, since: str, until: str) -> None:
    page.click("#nav-marketing")
    expect(page.locator("#range-presets")).to_be_visible()
    page.get_by_role("radio", name="กำหนดเอง").click()
    page.fill("#range-since", since)
    page.fill("#range-until", until)
    page.click("#range-apply")
    expect(page.locator("#range-shown")).to_have_text(f"{since} → {until}")


def test_totals_for_a_range_drill_down_and_live_update(new_page, app) -> None:
    add_staff("fon@vschool.test", Role.MARKETING)
    with session_scope() as s:
        hand_checked(s)
    page: Page = new_page()
    sign_in(page, app, "fon@vschool.test")
    _open_range(page, "2026-03-01", "2026-03-02")

    # The hand-checked figures (tests/models/test_marketing_figures.py), in Thai baht.
    expect(page.locator("#kpi-spend")).to_have_text("฿2,000")
    expect(page.locator("#kpi-revenue")).to_have_text("฿31,800")
    expect(page.locator("#kpi-roas")).to_have_text("15.90×")
    expect(page.locator("#kpi-meta-purchase-roas")).to_have_text("2.00×")
    expect(page.locator("#kpi-cac")).to_have_text("฿1,000")
    expect(page.locator("#kpi-cpl")).to_have_text("฿666.67")
    expect(page.locator("#kpi-leads")).to_have_text("3")
    expect(page.locator("#kpi-enrolled")).to_have_text("2")
    expect(page.locator("#kpi-conversion")).to_have_text("66.67%")
    expect(page.locator("#kpi-aov")).to_have_text("฿17,400")  # the orders' worth, not the deposits paid so far
    page.click("#help-roas")  # what each ROAS counts, one tap away
    expect(page.locator(".figure-definition[data-state=open]")).to_contain_text("เงินที่โรงเรียนได้รับจริง")
    page.keyboard.press("Escape")
    page.click("#help-meta-purchase-roas")
    expect(page.locator(".figure-definition[data-state=open]")).to_contain_text("พิกเซลของ Meta")
    page.keyboard.press("Escape")

    # Drill-down: campaigns by spend; open one to see its ad set, then its ads; sort by revenue.
    expect(page.locator(".campaign-row")).to_have_count(2)
    expect(page.locator(".campaign-row").first).to_contain_text("คอร์สซูชิ — มีนาคม")
    page.locator(".campaign-row").first.locator(".drill-toggle").click()
    expect(page.locator(".adset-row")).to_have_count(1)
    page.locator(".adset-row .drill-toggle").click()
    expect(page.locator(".ad-row")).to_have_count(2)
    expect(page.locator(".ad-row").first.locator(".col-revenue")).to_have_text("฿31,800")
    expect(page.locator(".ad-row").nth(1).locator(".col-cpl")).to_have_text("—")  # no leads: nothing to divide by
    page.click("#sort-revenue")  # already descending by spend → revenue descending
    page.click("#sort-revenue")  # → ascending: the ramen campaign (no revenue) first
    expect(page.locator(".campaign-row").first).to_contain_text("Ramen retargeting")
    expect(page.locator(".heat-cell")).to_have_count(7 * 24)

    # New insight rows land (as a sync writes them), the cache actor runs: the open panel follows.
    with session_scope() as s:
        daily(s, A2, date(2026, 3, 2), "1000.00", 1_000, 10)
    refresh_marketing_cache.send()
    expect(page.locator("#kpi-spend")).to_have_text("฿3,000", timeout=30_000)
    expect(page.locator("#kpi-roas")).to_have_text("10.60×")
    assert Decimal("31800") / Decimal("3000") == Decimal("10.6")


def test_empty_state_roles_and_sync_now(new_page, app) -> None:
    add_staff("fon@vschool.test", Role.MARKETING)
    add_staff("nok@vschool.test", Role.AGENT)
    page: Page = new_page()
    sign_in(page, app, "fon@vschool.test")
    page.click("#nav-marketing")
    expect(page.locator("#empty-state")).to_contain_text("ซิงก์ตอนนี้")  # “press Sync now”
    expect(page.locator("#empty-state")).to_contain_text("vschool sync ads")
    expect(page.locator("#last-sync")).to_contain_text("ยังไม่เคยซิงก์")
    page.click("#sync-now")  # a run against the simulator: queued or running, then how it ended, then the figures
    expect(page.locator("#sync-queued, #sync-running, #last-sync:has-text('ซิงก์ล่าสุดเสร็จเมื่อ')").first).to_be_visible()
    expect(page.locator("#last-sync")).to_contain_text("ซิงก์ล่าสุดเสร็จเมื่อ", timeout=120_000)
    expect(page.locator("#last-sync")).to_contain_text(re.compile(r"\d{4} \d\d:\d\d · [\d,]+ แถว · (< 1|[\d,]+) s"))
    expect(page.locator("#sync-queued")).to_have_count(0)
    expect(page.locator("#empty-state")).to_have_count(0, timeout=120_000)

    agent: Page = new_page()
    sign_in(agent, app, "nok@vschool.test")
    agent.goto(f"{app.frontend_url}/marketing")
    expect(agent.locator("#page-error")).to_contain_text("การตลาด")  # only admins and marketing
    expect(agent.locator("#kpis")).to_have_count(0)


def test_each_hour_label_of_the_heat_map_stands_over_its_own_hour(new_page, app) -> None:
    add_staff("fon@vschool.test", Role.MARKETING)
    with session_scope() as s:
        hand_checked(s)
    page: Page = new_page()
    sign_in(page, app, "fon@vschool.test")
    _open_range(page, "2026-03-01", "2026-03-02")
    cells = page.locator(".heat-cell")
    expect(cells).to_have_count(7 * 24)
    for hour in (0, 1, 13, 23):
        label = page.locator(".heat-hour").nth(hour)
        cell = cells.nth(hour)  # Monday's row, that hour
        expect(label).to_have_text(f"{hour:02d}")
        assert f"{hour:02d}:00" in cell.get_attribute("title")
        label_box, cell_box = label.bounding_box(), cell.bounding_box()
        assert abs((label_box["x"] + label_box["width"] / 2) - (cell_box["x"] + cell_box["width"] / 2)) < 2
