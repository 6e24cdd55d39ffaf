"""The Knowledge page in the browser: empty state, an admin uploads a Markdown file, it is
listed with its chunks and provider, and a Thai question finds it with a score."""

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from knowledge.watch import knowledge_folder
from models import AuditEntry
from models.db import session_scope
from models.enums import Role
from tests.browser.conftest import add_staff, sign_in
from vschool.i18n import LABELS

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("db")]

DOC = "# คอร์สทาโกะยากิ\n\n## ราคา\nคอร์สทาโกะยากิครึ่งวัน ราคา 2,500 บาท รวมวัตถุดิบ\n\n## Price\nThe half-day takoyaki class costs 2,500 THB.\n"


def test_admin_uploads_a_document_and_finds_it(new_page, app) -> None:
    add_staff("kb-admin@vschool.test", Role.ADMIN)
    page: Page = new_page()
    sign_in(page, app, "kb-admin@vschool.test")
    page.goto(f"{app.frontend_url}/knowledge")
    expect(page.locator("#kb-empty")).to_be_visible()

    page.locator("#kb-upload input[type=file]").set_input_files(
        files=[{"name": "takoyaki.md", "mimeType": "text/markdown", "buffer": DOC.encode()}]
    )
    page.click("#kb-upload-submit")
    expect(page.locator("#kb-message")).to_contain_text("เพิ่ม 1 ไฟล์")  # in the admin's Thai
    row = page.locator(".kb-document")
    expect(row).to_have_count(1)
    expect(row.locator(".kb-name")).to_have_text("uploads/takoyaki.md")  # the file's name, never the server's path
    expect(row).to_contain_text(LABELS["kb_search_offline"][1])  # what searches it, in words staff know
    expect(page.locator("body")).not_to_contain_text("offline-hash")  # no internal model name

    page.fill("#kb-query", "ทาโกะยากิราคาเท่าไหร่")
    page.press("#kb-query", "Enter")
    hits = page.locator(".kb-hit")
    expect(hits.first).to_contain_text("2,500 บาท")
    expect(hits.first.locator(".kb-hit-name")).to_have_text("uploads/takoyaki.md")


def test_agents_search_but_cannot_upload(new_page, app) -> None:
    add_staff("kb-agent@vschool.test", Role.AGENT)
    page: Page = new_page()
    sign_in(page, app, "kb-agent@vschool.test")
    page.goto(f"{app.frontend_url}/knowledge")
    expect(page.locator("#kb-empty")).to_be_visible()
    expect(page.locator("#kb-upload-submit")).to_have_count(0)
    page.fill("#kb-query", "parking")
    page.press("#kb-query", "Enter")
    expect(page.locator("#kb-no-hits")).to_be_visible()


def test_the_page_follows_the_watcher_without_a_reload(new_page, app, tmp_path) -> None:
    import os
    import subprocess
    import sys

    add_staff("kb-watch@vschool.test", Role.AGENT)
    page: Page = new_page()
    sign_in(page, app, "kb-watch@vschool.test")
    page.goto(f"{app.frontend_url}/knowledge")
    expect(page.locator("#kb-empty")).to_be_visible()
    watcher = subprocess.Popen([sys.executable, "-m", "vschool.cli", "kb", "watch", str(tmp_path)], env=os.environ.copy(),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        (tmp_path / "takoyaki.md").write_text(DOC, encoding="utf-8")  # a file dropped into the knowledge folder
        expect(page.locator(".kb-document")).to_contain_text("takoyaki.md", timeout=30_000)
    finally:
        watcher.terminate()
        watcher.wait(timeout=20)


def test_a_file_the_knowledge_base_refuses_is_explained_and_not_kept(new_page, app) -> None:
    import os

    add_staff("kb-admin@vschool.test", Role.ADMIN)
    page: Page = new_page()
    sign_in(page, app, "kb-admin@vschool.test")
    page.goto(f"{app.frontend_url}/knowledge")
    page.locator("#kb-upload input[type=file]").set_input_files(
        files=[{"name": "brochure.pdf", "mimeType": "application/pdf", "buffer": os.urandom(4096)}]
    )
    page.click("#kb-upload-submit")
    expect(page.locator("#kb-error")).to_contain_text("brochure.pdf")
    assert not (knowledge_folder() / "uploads" / "brochure.pdf").exists()  # it would fail every re-index
    expect(page.locator(".kb-document")).to_have_count(0)


def test_a_document_is_previewed_and_an_admin_deletes_it_after_confirming(new_page, app) -> None:
    add_staff("kb-admin@vschool.test", Role.ADMIN)
    page: Page = new_page()
    sign_in(page, app, "kb-admin@vschool.test")
    page.goto(f"{app.frontend_url}/knowledge")
    page.locator("#kb-upload input[type=file]").set_input_files(
        files=[{"name": "takoyaki.md", "mimeType": "text/markdown", "buffer": DOC.encode()}]
    )
    page.click("#kb-upload-submit")
    row = page.locator(".kb-document")
    expect(row).to_have_count(1)
    page.set_viewport_size({"width": 390, "height": 800})  # on a phone the actions stay in view
    expect(row.locator(".kb-preview")).to_be_in_viewport()
    expect(row.locator(".kb-delete")).to_be_in_viewport()
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    row.locator(".kb-preview").click()
    preview = page.locator("#kb-preview")
    expect(preview).to_contain_text("uploads/takoyaki.md")
    expect(preview.locator(".kb-preview-chunk").first).to_contain_text("คอร์สทาโกะยากิ")
    expect(preview).to_contain_text("2,500 THB")
    page.click("#kb-preview-close")
    expect(preview).to_have_count(0)

    row.locator(".kb-delete").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("uploads/takoyaki.md")
    dialog.get_by_role("button", name=LABELS["cancel"][1]).click()  # changed their mind: nothing happens
    expect(row).to_have_count(1)
    row.locator(".kb-delete").click()
    page.click("#kb-delete-confirm")
    expect(page.locator("#kb-message")).to_contain_text("ลบ uploads/takoyaki.md")
    expect(page.locator(".kb-document")).to_have_count(0)
    assert not (knowledge_folder() / "uploads" / "takoyaki.md").exists()
    with session_scope() as s:
        assert s.exec(select(AuditEntry).where(AuditEntry.action == "knowledge.delete")).one().detail["name"] == "uploads/takoyaki.md"


def test_an_agent_previews_but_cannot_delete(new_page, app) -> None:
    from knowledge.embed import OfflineEmbedder
    from knowledge.ingest import ingest_paths

    folder = knowledge_folder() / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "takoyaki.md").write_text(DOC, encoding="utf-8")
    with session_scope() as s:
        ingest_paths(s, [folder / "takoyaki.md"], OfflineEmbedder())
    add_staff("kb-agent@vschool.test", Role.AGENT)
    page: Page = new_page()
    sign_in(page, app, "kb-agent@vschool.test")
    page.goto(f"{app.frontend_url}/knowledge")
    page.locator(".kb-document .kb-preview").click()
    expect(page.locator("#kb-preview")).to_contain_text("2,500 บาท")
    expect(page.locator(".kb-delete")).to_have_count(0)
    (folder / "takoyaki.md").unlink()  # the knowledge folder outlives the test's tables
