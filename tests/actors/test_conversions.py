"""Back to Meta (ADR 016): Conversions API events for business messaging, written with the change
that causes them and received by the (simulated) Page dataset exactly once — across re-delivered
messages, a worker restart and a failing dataset endpoint."""

import subprocess
import sys
from datetime import timedelta
from decimal import Decimal

import httpx
import pytest
import sqlalchemy as sa
from sqlmodel import select

from actors.conversions import relay_conversion_events, send_conversion_event
from models.base import utcnow
from models.customers import Customer
from models.db import session_scope
from models.enums import PaymentKind
from models.lead_rules import set_lead_stage
from models.marketing_figures import panel_figures
from models.meta_reports import ConversionEvent
from models.order_rules import cancel_order, record_payment
from models.settings import get_settings
from models.timeline import timeline
from tests.conftest import ROOT, _wait_for_heartbeats, wait_until
from tests.meta_report_helpers import AD, PRICE, events_for, new_student

pytestmark = pytest.mark.usefixtures("db")


def _rows(customer_id: int) -> list[ConversionEvent]:
    with session_scope() as s:
        return list(s.exec(select(ConversionEvent).where(ConversionEvent.customer_id == customer_id).order_by(ConversionEvent.id)))


def _start_worker() -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "vschool.cli", "worker", "--processes", "1", "--threads", "2"], cwd=ROOT, start_new_session=True)
    _wait_for_heartbeats(proc)
    return proc


def test_one_purchase_per_order_when_the_deposit_rule_is_met(simulator: str) -> None:
    student = new_student(simulator, paid=Decimal("5000"), ad_days_ago=3)  # below the 30 % deposit rule
    assert _rows(student.customer_id) == []
    with session_scope() as s:
        record_payment(s, student.order_id, PaymentKind.PAYMENT, Decimal("5000"), "transfer")  # ฿10,000 kept: the seat is taken
    with session_scope() as s:
        record_payment(s, student.order_id, PaymentKind.PAYMENT, Decimal("14900"), "transfer")  # paid in full: no second Purchase
    [row] = _rows(student.customer_id)
    assert (row.event_name, row.key, row.value, row.currency, row.ad_id, row.psid) == (
        "Purchase", f"Purchase:order:{student.order_id}", PRICE, "THB", AD, student.psid)


def test_no_event_without_an_ad_within_the_attribution_window(simulator: str) -> None:
    long_ago = new_student(simulator, ad_days_ago=get_settings().attribution_days + 2)
    organic = new_student(simulator)
    assert _rows(long_ago.customer_id) == [] and _rows(organic.customer_id) == []
    with session_scope() as s:
        set_lead_stage(s, s.get(Customer, organic.customer_id), "qualified")
    assert _rows(organic.customer_id) == []


def test_exactly_once_across_redelivery_and_a_worker_restart(simulator: str) -> None:
    student = new_student(simulator, ad_days_ago=2)
    with session_scope() as s:
        set_lead_stage(s, s.get(Customer, student.customer_id), "qualified")
        set_lead_stage(s, s.get(Customer, student.customer_id), "contacted")
    with session_scope() as s:
        set_lead_stage(s, s.get(Customer, student.customer_id), "qualified")  # qualified again: reported once ever
    rows = _rows(student.customer_id)
    assert sorted(r.event_name for r in rows) == ["Purchase", "QualifiedLead"]
    worker = _start_worker()
    try:
        for _ in range(3):  # the relay and duplicate messages for the same rows, all at once
            relay_conversion_events.send()
            for row in rows:
                send_conversion_event.send(row.id)
        wait_until(lambda: all(r.status == "sent" for r in _rows(student.customer_id)), timeout_s=30)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    worker = _start_worker()  # a new worker: the messages it finds, and the relay, send nothing again
    try:
        relay_conversion_events.send()
        for row in rows:
            send_conversion_event.send(row.id)
        sentinel = new_student(simulator, ad_days_ago=1)  # queued after the duplicates: once it is sent, they have run
        [last] = _rows(sentinel.customer_id)
        send_conversion_event.send(last.id)
        wait_until(lambda: _rows(sentinel.customer_id)[0].status == "sent", timeout_s=30)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    events = events_for(simulator, student.psid)
    assert sorted(e["event_name"] for e in events) == ["Purchase", "QualifiedLead"]
    purchase = next(e for e in events if e["event_name"] == "Purchase")
    assert purchase["action_source"] == "business_messaging" and purchase["messaging_channel"] == "messenger"
    assert purchase["user_data"] == {"page_id": get_settings().page_id, "page_scoped_user_id": student.psid}
    assert purchase["custom_data"] == {"currency": "THB", "value": 24900.0}
    assert purchase["event_id"] == next(r.event_id for r in rows if r.event_name == "Purchase")


def test_a_failing_dataset_is_retried_until_it_takes_the_event_once(simulator: str) -> None:
    student = new_student(simulator, ad_days_ago=1)
    [row] = _rows(student.customer_id)
    httpx.post(f"{simulator}/_sim/events/fail", json={"code": 2, "http_status": 503, "times": 2}).raise_for_status()
    send_conversion_event.fn(row.id)
    [row] = _rows(student.customer_id)
    assert row.status == "queued" and row.attempts == 1 and row.next_try_at > utcnow() and row.error
    relay_conversion_events.fn()  # not due yet: nothing is sent
    for _ in range(2):
        with session_scope() as s:
            s.execute(sa.update(ConversionEvent).where(ConversionEvent.id == row.id).values(next_try_at=utcnow() - timedelta(seconds=1)))
        send_conversion_event.fn(row.id)
    [row] = _rows(student.customer_id)
    assert row.status == "sent" and row.attempts == 3
    send_conversion_event.fn(row.id)
    assert len(events_for(simulator, student.psid)) == 1


def test_refund_then_cancel_reports_one_cancellation_and_the_panel_counts_reports(simulator: str) -> None:
    student = new_student(simulator, ad_days_ago=1)
    [purchase] = _rows(student.customer_id)
    send_conversion_event.fn(purchase.id)
    with session_scope() as s:
        record_payment(s, student.order_id, PaymentKind.REFUND, Decimal("10000"), "transfer")
    with session_scope() as s:
        cancel_order(s, student.order_id)
    rows = _rows(student.customer_id)
    assert [r.event_name for r in rows] == ["Purchase", "OrderCanceled"]
    send_conversion_event.fn(rows[1].id)
    assert [e["event_name"] for e in events_for(simulator, student.psid)] == ["Purchase", "OrderCanceled"]
    with session_scope() as s:
        entries, _ = timeline(s, student.customer_id)
        today = utcnow().date()
        figures = panel_figures(s, today - timedelta(days=1), today + timedelta(days=1))
    assert [(e.subtype, e.text) for e in entries if e.kind == "report"] == [("sent", "OrderCanceled"), ("sent", "Purchase")]
    ad_rows = [a for c in figures["campaigns"] for st in c["ad_sets"] for a in st["ads"] if a["id"] == AD]
    assert ad_rows and ad_rows[0]["reported_purchases"] == 1


def test_a_refusal_is_kept_with_meta_s_reason(simulator: str) -> None:
    student = new_student(simulator, ad_days_ago=1)
    [row] = _rows(student.customer_id)
    httpx.post(f"{simulator}/_sim/events/fail", json={"code": 100, "http_status": 400, "message": "(#100) Invalid parameter"}).raise_for_status()
    send_conversion_event.fn(row.id)
    [row] = _rows(student.customer_id)
    assert row.status == "failed" and "Invalid parameter" in row.error
    with session_scope() as s:
        entries, _ = timeline(s, student.customer_id)
    assert any(e.kind == "report" and e.subtype == "failed" and "Invalid parameter" in e.text for e in entries)
