"""A customer's page in the browser: opened from the list, showing who they are, what they paid
and the ad that brought them, their story newest first with older pages on demand, and live
when they write again."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from models import Conversation, Message
from models.commerce import Order, Payment
from models.customer_rules import find_or_create_customer
from models.customers import AdReferral
from models.db import session_scope
from models.enums import Channel, Role
from tests.browser.conftest import add_staff, sign_in, wait_hydrated
from vschool.i18n import LABELS

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("db")]
T0 = datetime(2026, 10, 1, 2, 0, tzinfo=UTC)


def _customer_with_a_long_story() -> tuple[str, int]:
    with session_scope() as s:
        customer, _ = find_or_create_customer(s, Channel.FACEBOOK, "PAGE1", "7300000000000001")
        customer.display_name, customer.lead_stage, customer.first_ad_id = "มาลี ศรีสุข", "enrolled", "120210000000000001"
        conversation = Conversation(customer_id=customer.id, page_id="PAGE1")
        s.add(conversation)
        s.flush()
        s.add(AdReferral(customer_id=customer.id, conversation_id=conversation.id, source="ADS", ad_id="120210000000000001",
                         context={"ad_title": "คอร์สซูชิมืออาชีพ 5 วัน"}, occurred_at=T0))
        for n in range(60):
            s.add(Message(conversation_id=conversation.id, direction="inbound", sender_kind="customer", mid=f"m_page_{n}",
                          text=f"คำถามข้อ {n}", sent_at=T0 + timedelta(minutes=n + 1)))
        order = Order(order_number="VS-2026-0042", customer_id=customer.id, total=Decimal("39000"), status="paid",
                      created_at=T0 + timedelta(days=2))
        s.add(order)
        s.flush()
        s.add(Payment(order_id=order.id, kind="payment", amount=Decimal("39000"), paid_at=T0 + timedelta(days=2, hours=1)))
        s.add(Payment(order_id=order.id, kind="refund", amount=Decimal("4000"), paid_at=T0 + timedelta(days=3)))
        return customer.standard_id, conversation.id


def test_the_customer_page_tells_the_whole_story_and_stays_live(new_page, app) -> None:
    add_staff("ploy@vschool.test", Role.AGENT)
    standard_id, conversation_id = _customer_with_a_long_story()
    page: Page = new_page()
    sign_in(page, app, "ploy@vschool.test")
    page.click("#nav-customers")
    page.fill("#workspace-search", "ศรีสุข")
    expect(page.locator(".listing-row")).to_have_count(1)
    # A Thai staff member reads the lead stages in Thai; the stage filter still sends the English value.
    expect(page.locator(".listing-row")).to_contain_text("ลงเรียนแล้ว")
    expect(page.locator(".listing-row")).not_to_contain_text("enrolled")
    expect(page.locator("#stage-filter")).to_have_text("ทุกสถานะ")
    page.click("#stage-filter")
    page.get_by_role("option", name="ไม่สำเร็จ").click()
    expect(page.locator("#empty-state")).to_be_visible()
    page.click("#stage-filter")
    page.get_by_role("option", name="ลงเรียนแล้ว").click()
    expect(page.locator(".listing-row")).to_have_count(1)
    page.locator(".customer-link").click()

    expect(page.locator("#customer-name")).to_have_text("มาลี ศรีสุข")
    expect(page.locator("#customer-standard-id")).to_have_text(standard_id)
    expect(page.locator("#customer-stage")).to_have_text("ลงเรียนแล้ว")
    expect(page.locator("#customer-paid")).to_have_text("฿35,000.00")  # refunds subtracted
    expect(page.locator("#customer-source-ad")).to_have_text("คอร์สซูชิมืออาชีพ 5 วัน")
    entries = page.locator(".timeline-entry")
    expect(entries).to_have_count(50)  # one page
    expect(entries.first).to_contain_text("-฿4,000.00")  # the refund is the newest event

    page.click("#load-older")
    expect(entries).to_have_count(64)  # 60 messages + referral + order + 2 payments
    expect(entries.last).to_contain_text("คอร์สซูชิมืออาชีพ 5 วัน")
    expect(page.locator("#timeline-start")).to_be_visible()

    with session_scope() as s:  # they write again: the page follows without a reload
        s.add(Message(conversation_id=conversation_id, direction="inbound", sender_kind="customer", mid="m_page_new",
                      text="ขอเลขบัญชีอีกครั้งค่ะ", sent_at=datetime.now(UTC)))
    from actors.push import announce

    announce("message", conversation_id)
    expect(entries.first).to_contain_text("ขอเลขบัญชีอีกครั้งค่ะ", timeout=10_000)
    expect(entries.first.locator(".timeline-icon-message-circle")).to_have_count(1)  # its own icon, not the row's before
    expect(entries.nth(1).locator(".timeline-icon-banknote")).to_have_count(1)

    page.get_by_role("button", name="Open the conversation").or_(page.get_by_role("button", name="เปิดบทสนทนา")).click()
    expect(page.locator("#thread-name")).to_have_text("มาลี ศรีสุข")  # the inbox opens on that conversation
    page.click("#panel-customer-link")
    expect(page.locator("#customer-standard-id")).to_have_text(standard_id)

    page.goto(f"{app.frontend_url}/customers/TVS-CUS-FB-99-0000")
    wait_hydrated(page)  # a reload of a live tab: its state comes back over a new connection first
    expect(page.locator("#customer-missing")).to_be_visible(timeout=15_000)


def test_an_agent_records_an_order_and_its_deposit_and_the_page_follows(new_page, app) -> None:
    from models.commerce import Product

    add_staff("mint@vschool.test", Role.AGENT)
    with session_scope() as s:
        customer, _ = find_or_create_customer(s, Channel.FACEBOOK, "PAGE1", "7300000000000002")
        customer.display_name = "ก้อย"
        s.add(Product(sku="CRS-WAGASHI-2D", name="Wagashi 2 days", name_th="ขนมญี่ปุ่น 2 วัน", price=Decimal("16900")))
        standard_id = customer.standard_id
    page: Page = new_page()
    sign_in(page, app, "mint@vschool.test")
    page.goto(f"{app.frontend_url}/customers/{standard_id}")
    expect(page.locator("#no-orders")).to_be_visible()

    page.fill("#order-quantity", "2")
    page.click("#order-add-line")
    expect(page.locator(".order-line")).to_contain_text("Wagashi 2 days")
    page.click("#order-create")
    expect(page.locator(".order-row")).to_have_count(1)
    expect(page.locator(".order-row")).to_contain_text("฿33,800.00")

    page.locator(".pay-order").click()
    page.fill("#pay-amount", "50,000")  # more than is owed: refused with the reason, nothing recorded
    page.click("#pay-submit")
    expect(page.locator("#order-error")).to_have_text("ยอดนี้เกินยอดค้างชำระของคำสั่งซื้อนี้ (฿33,800.00)")  # in her language
    page.locator(".pay-order").click()
    page.click("#pay-kind")  # the kinds and methods are offered in her language
    page.get_by_role("option", name="มัดจำ").click()
    page.click("#pay-method")
    page.get_by_role("option", name="พร้อมเพย์").click()
    page.fill("#pay-amount", "5,000")
    page.fill("#pay-reference", "สลิป PromptPay 0042")
    page.click("#pay-submit")
    expect(page.locator("#order-notice")).to_have_text("บันทึกเงินมัดจำ ฿5,000.00 แล้ว")
    expect(page.locator(".order-row")).to_contain_text("ชำระบางส่วน")  # the order's status, in Thai
    expect(page.locator("#customer-paid")).to_have_text("฿5,000.00")
    expect(page.locator("#customer-stage")).to_have_text("ชำระมัดจำแล้ว")  # the stage followed the deposit, in Thai
    expect(page.locator(".timeline-payment").first).to_contain_text("฿5,000.00")
    expect(page.locator(".timeline-payment").first).to_contain_text("มัดจำ")
    expect(page.locator(".timeline-payment").first).to_contain_text("พร้อมเพย์")
    with session_scope() as s:
        assert s.exec(select(Payment.kind, Payment.method)).one() == ("deposit", "promptpay")
    page.click("#nav-orders")
    expect(page.locator(".listing-row")).to_contain_text("ชำระบางส่วน")  # the orders list too


def test_an_admin_exports_then_erases_a_customer_on_request(new_page, app) -> None:
    import json

    add_staff("admin@vschool.test", Role.ADMIN)
    standard_id, _ = _customer_with_a_long_story()
    page: Page = new_page()
    sign_in(page, app, "admin@vschool.test")
    page.goto(f"{app.frontend_url}/customers/{standard_id}")
    page.click("#privacy-consent")
    expect(page.locator("#customer-consent")).not_to_contain_text("—")
    with page.expect_download() as download:
        page.click("#privacy-export")
    data = json.loads(open(download.value.path(), encoding="utf-8").read())  # noqa: SIM115
    assert data["customer"]["display_name"] == "มาลี ศรีสุข" and len(data["conversations"][0]["messages"]) == 60

    page.click("#privacy-erase-start")  # a dialog first: what goes, what stays, the id typed to confirm
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text(LABELS["erase_kept"][1])
    page.fill("#privacy-confirm", "C-0000")
    expect(page.locator("#privacy-erase")).to_be_disabled()
    page.click("#privacy-erase-cancel")  # changed their mind: nothing erased
    expect(dialog).to_have_count(0)
    expect(page.locator("#customer-name")).to_have_text("มาลี ศรีสุข")
    page.click("#privacy-erase-start")
    expect(page.locator("#privacy-confirm")).to_have_value("")
    page.fill("#privacy-confirm", standard_id)
    page.click("#privacy-erase")
    notice = page.locator("#privacy-erased")  # afterwards it says what happened, where staff are
    expect(notice).to_contain_text(f"ลบข้อมูลส่วนบุคคลของ {standard_id} แล้ว")
    expect(notice).to_contain_text("ข้อความ 60 ข้อความ")
    expect(page.locator("#customer-missing")).to_be_visible(timeout=15_000)  # nobody left to show
    page.click("#nav-customers")
    page.fill("#workspace-search", "ศรีสุข")
    expect(page.locator("#empty-state")).to_be_visible()
