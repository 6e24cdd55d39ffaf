"""The real app in Debian's Chromium, driven by Playwright."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from models.db import session_scope
from models.enums import Role
from vschool.harness import CHROMIUM, CHROMIUM_ARGS, RunningApp, start_app
from vschool.staff import create_staff

PASSWORD = "wagashi-and-ramen-2026"


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: run the tests with scripts/test.sh, which installs it.")
    running = start_app(tmp_path_factory.mktemp("app-logs"), simulator=True)
    yield running
    running.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def new_page(browser: Browser, app: RunningApp) -> Iterator:
    contexts = []

    def make() -> Page:
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(30_000)
        return page

    yield make
    for context in contexts:
        context.close()


def add_staff(email: str, role: Role) -> None:
    with session_scope() as s:
        create_staff(s, None, email, email.split("@")[0].title(), role, PASSWORD)


def wait_hydrated(page: Page) -> None:
    """Wait until the tab is connected and has its state (before that, typing may be lost)."""
    page.wait_for_selector("#app-shell[data-hydrated=true]")


def sign_in(page: Page, app: RunningApp, email: str) -> None:
    page.goto(f"{app.frontend_url}/login")
    page.wait_for_selector("#login-submit:enabled")
    page.fill("#login-email", email)
    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")
    wait_hydrated(page)


def customer_phone(page: Page, app: RunningApp, name: str) -> Page:
    """The simulator's customer phone, as a new customer of this name."""
    page.goto(f"{app.simulator_url}/phone")
    page.select_option("#customer-select", "__new__")
    page.fill("#new-customer-name", name)
    page.click("#new-customer-create")
    expect(page.locator("#customer-select")).to_contain_text(name)
    return page
