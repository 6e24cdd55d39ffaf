"""Every page fits the screen it is opened on: at phone and laptop widths, in Thai and English,
the page never scrolls sideways and nothing a person taps lies outside the viewport. The
screenshots are kept (under `VSCHOOL_ARTIFACTS_DIR`, default `test-artifacts/`) for a person to
look at."""

import os
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from models.db import session_scope
from models.enums import Role
from tests.browser.conftest import add_staff, sign_in, wait_hydrated
from vschool.demo import load_demo_data

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("db")]

WIDTHS = (390, 768, 1280, 1920)
PAGES = ["/", "/inbox", "/customers", "/catalog", "/orders", "/marketing", "/knowledge", "/account", "/admin/staff", "/admin/ai",
         "/admin/labels", "/admin/canned", "/admin/hours", "/admin/teams", "/admin/integrity", "/admin/events", "/admin/import", "/export",
         "/reports", "/admin/automation"]
OUT_OF_VIEW = """() => {
  const width = window.innerWidth;
  const wide = document.documentElement.scrollWidth > width ? [`page ${document.documentElement.scrollWidth}px`] : [];
  const outside = [...document.querySelectorAll('button, a, input, textarea, [role=combobox]')]
    .filter(e => e.offsetParent !== null && !e.closest('[data-radix-popper-content-wrapper]'))
    .filter(e => { const r = e.getBoundingClientRect(); return r.width > 0 && (r.left < -1 || r.right > width + 1); })
    .map(e => `${e.tagName.toLowerCase()}#${e.id || ''}.${(e.className || '').toString().slice(0, 30)} at ${Math.round(e.getBoundingClientRect().right)}px`);
  return [...wide, ...outside];
}"""

# Latin script a Thai reader may meet in Thai mode: names of brands and figures the trade uses in
# English, units and codes. Anything else in Latin letters is a word we forgot to translate —
# unless it is the school's own data (names, messages, products: see `_data_words`).
THAI_MODE_LATIN = {"V", "School", "CRM", "Facebook", "Messenger", "Meta", "LINE", "AI", "ROAS", "CAC", "CTR", "CPC", "PDPA", "API",
                   "Gemini", "Instagram", "THB", "ID", "URL", "CSV", "XLSX", "PDF", "English", "vschool", "sync", "ads", "s",
                   "ms", "px", "OK",
                   # file formats and the tools staff open exports in; the keyboard's own key names
                   "Markdown", "JSON", "MB", "csv", "xlsx", "pdf", "md", "txt", "Excel", "Google", "Sheets", "Enter", "Esc", "Shift"}
# Raw payloads (monospace previews) are data, and a file name is a name: neither is read as words.
LATIN_WORDS = r"""() => {
  const hide = document.createElement('style');
  hide.textContent = 'code, pre, .raw-data { display: none !important; }';
  document.head.appendChild(hide);
  const text = document.body.innerText.replace(/[\w.-]+\.(jsonl|json|md|csv|xlsx|pdf|txt)\b/g, ' ');
  hide.remove();
  return text.match(/[A-Za-z][A-Za-z'’]+/g) || [];
}"""


def _data_words() -> set[str]:
    """Every Latin word the school's own records hold (what the pages show as data, not as UI)."""
    tables = {"customer": ["display_name", "standard_id", "email"], "product": ["name", "sku"], "campaign": ["name"],
              "ad_set": ["name"], "ad": ["name"], "message": ["text"], "staff_user": ["display_name", "email"],
              "knowledge_document": ["source", "title"], "label": ["name"], "canned_response": ["short_code", "content"],
              "orders": ["order_number"], "ai_task": ["prompt", "answer", "model"],
              "course_round": ["instructor", "language"]}
    words: set[str] = set()
    with session_scope() as s:
        for table, columns in tables.items():
            for column in columns:
                for (value,) in s.execute(sa.text(f"SELECT {column}::text FROM {table} WHERE {column} IS NOT NULL")):
                    words.update(re.findall(r"[A-Za-z][A-Za-z'’]+", value))
    return words


def _artifacts() -> Path:
    folder = Path(os.environ.get("VSCHOOL_ARTIFACTS_DIR", "test-artifacts")) / "screens"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.mark.parametrize("language", ["th", "en"])
def test_every_page_fits_phones_tablets_and_laptops(new_page, app, language: str) -> None:
    add_staff("boss@vschool.test", Role.ADMIN)
    with session_scope() as s:
        load_demo_data(s, customers=6, days=2)
    page: Page = new_page()
    sign_in(page, app, "boss@vschool.test")
    if language == "en":
        page.click("#toggle-language")
        expect(page.locator("#page-title")).to_have_text("Overview")
    folder, problems, untranslated = _artifacts(), [], {}
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        for path in [*PAGES, "/customers/first", "/inbox#thread", "/rounds/first"]:
            if path == "/rounds/first":  # the roster of the first upcoming round
                page.goto(f"{app.frontend_url}/catalog")
                page.locator(".round-link").first.click()
                page.wait_for_selector("#round-title")
            elif path == "/customers/first":
                page.goto(f"{app.frontend_url}/customers")
                page.locator(".customer-link").first.click()
                page.wait_for_selector("#customer-name")
            elif path == "/inbox#thread":  # the last thread stays open across pages; else open the first
                page.goto(f"{app.frontend_url}/inbox")
                wait_hydrated(page)
                if page.locator("#composer").count() == 0:
                    page.locator(".conversation-item").first.click()
                page.wait_for_selector("#composer")
            else:
                page.goto(f"{app.frontend_url}{path}")
                wait_hydrated(page)
                if path == "/inbox" and page.locator("#thread-back").is_visible():
                    page.click("#thread-back")  # one pane at a time here: the list
            page.wait_for_timeout(300)  # fonts and live data settle
            name = path.strip("/").replace("/", "-").replace("#", "-") or "overview"
            page.screenshot(path=str(folder / f"{name}-{width}-{language}.png"))
            problems += [f"{path} at {width}px: {found}" for found in page.evaluate(OUT_OF_VIEW)]
            if language == "th" and width == 1280:
                untranslated[path] = sorted(set(page.evaluate(LATIN_WORDS)))
    assert problems == [], "\n".join(problems)
    allowed = THAI_MODE_LATIN | _data_words()
    english = {path: found for path, words in untranslated.items() if (found := [w for w in words if w not in allowed])}
    assert english == {}, f"English words in Thai mode: {english}"


def test_on_a_phone_the_inbox_is_list_then_thread_then_back_with_the_composer_in_view(new_page, app) -> None:
    add_staff("nok@vschool.test", Role.AGENT)
    with session_scope() as s:
        load_demo_data(s, customers=4, days=1)
    page: Page = new_page()
    sign_in(page, app, "nok@vschool.test")
    page.set_viewport_size({"width": 390, "height": 500})  # the height left when the keyboard is open
    expect(page.locator("#nav-inbox")).to_be_hidden()  # the sidebar folds into the menu
    page.click("#phone-menu")
    page.click("#menu-inbox")
    item = page.locator(".conversation-item").first
    item.click()
    expect(page.locator(".inbox-list")).to_be_hidden()
    composer = page.locator("#composer")
    expect(composer).to_be_in_viewport()
    expect(page.locator("#send-reply")).to_be_in_viewport()
    page.click("#thread-back")
    expect(page.locator(".inbox-list")).to_be_visible()
    expect(page.locator("#composer")).to_have_count(0)
