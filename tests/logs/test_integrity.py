"""The integrity check: each rule finds its anomaly on hand-made records (and nothing on clean
demo data); findings are kept once, resolved when gone; a new serious one opens an incident whose
post-mortem file appears only after the commit."""

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import select

from logs.integrity import RULES, incidents_dir, run_check
from models.commerce import Order, OrderItem, Payment, Product
from models.customer_rules import find_or_create_customer
from models.customers import AdReferral, Customer
from models.db import session_scope
from models.marketing import Ad, AdAccount, AdInsightDaily, AdSet, Campaign
from models.ops import Incident, IntegrityFinding
from vschool.demo import load_demo_data

pytestmark = pytest.mark.usefixtures("db")


def _counts(report) -> dict[str, int]:
    return {r["rule"]: r["count"] for r in report.rules}


def test_clean_demo_data_has_no_findings() -> None:
    with session_scope() as s:
        load_demo_data(s, customers=20, days=3)
    with session_scope() as s:
        report = run_check(s)
        assert report.total == 0, [r for r in report.rules if r["count"]]


def _anomalies() -> None:
    from datetime import UTC, date, datetime

    now = datetime(2026, 11, 20, 5, tzinfo=UTC)
    with session_scope() as s:
        for row in (AdAccount(id="act_1", name="V"), Campaign(id="c1", ad_account_id="act_1", name="C"), AdSet(id="s1", campaign_id="c1", name="S"),
                    Ad(id="a1", ad_set_id="s1", campaign_id="c1", name="A")):
            s.add(row)
            s.flush()
        s.add(AdInsightDaily(ad_id="a-gone", day=date(2026, 11, 19), spend=Decimal("812.50")))
        one, _ = find_or_create_customer(s, "facebook", "PAGE1", "7600000000000001")
        two, _ = find_or_create_customer(s, "facebook", "PAGE1", "7600000000000002")
        one.phone = two.phone = "0812345678"
        one.first_ad_id, two.lead_stage = "a1", "enrolled"
        s.add(AdReferral(customer_id=one.id, source="ADS", ad_id="a-unknown", occurred_at=now))
        product = Product(sku="P1", name="Sushi", price=Decimal("1000"))
        s.add(product)
        s.flush()
        order = Order(order_number="VS-X-1", customer_id=one.id, total=Decimal("1000"), status="paid", attributed_ad_id="a9")
        s.add(order)
        s.flush()
        s.add(OrderItem(order_id=order.id, product_id=product.id, quantity=2, unit_price=Decimal("1000"), line_total=Decimal("2000")))
        for _ in range(2):  # the same slip twice: 1,200 received on a 1,000 order
            s.add(Payment(order_id=order.id, kind="payment", amount=Decimal("600"), reference="SLIP-7", paid_at=now))
        s.add(Payment(order_id=order.id, kind="refund", amount=Decimal("1500"), paid_at=now))


def test_each_rule_finds_its_anomaly_once_and_serious_ones_open_an_incident() -> None:
    _anomalies()
    with session_scope() as s:
        report = run_check(s)
        incident_id = report.incident_id
        assert incident_id is not None
        path = s.get(Incident, incident_id).postmortem_path
        assert not os.path.exists(path)  # not before the commit
    counts = _counts(report)
    assert {rule.name for rule in RULES} == set(counts)
    for rule in RULES:
        expected = 0 if rule.name == "order_status_disagrees_with_money" else 1
        assert counts[rule.name] == expected, rule.name
    text = Path(path).read_text(encoding="utf-8")
    assert "spend_without_ad" in text and "payment_counted_twice" in text and "## Cause" in text
    assert f"INC-{incident_id:04d}" in (incidents_dir() / "index.md").read_text()

    with session_scope() as s:  # again: nothing new, no second incident
        again = run_check(s)
        assert (again.new_findings, again.incident_id) == (0, None)
        assert len(s.exec(select(IntegrityFinding)).all()) == report.new_findings

    with session_scope() as s:  # the duplicate is merged away: its finding is resolved
        for customer in s.exec(select(Customer).where(Customer.phone == "0812345678").order_by(Customer.id)).all()[1:]:
            customer.phone = None
    with session_scope() as s:
        assert run_check(s).resolved_findings == 1


def test_vschool_integrity_json_reports_and_exits_2_when_something_is_found() -> None:
    _anomalies()
    done = subprocess.run([sys.executable, "-m", "vschool.cli", "integrity", "--json"], capture_output=True, text=True, env=os.environ.copy(),
                          timeout=120)
    assert done.returncode == 2, done.stderr
    report = json.loads(done.stdout)
    assert report["ok"] is False and report["findings"] == 9 and report["incident_id"]
