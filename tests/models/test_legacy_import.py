"""`vschool import legacy` over the sample of the old system under tests/fixtures/legacy_school
(Thai and English, mirrors, id folders, broken files, odd ids and values): what comes in, what
is reported, ids kept and sequences continued, and a second run that writes nothing."""

import json
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import select

from models.commerce import Order, OrderItem, Payment, Product
from models.customer_rules import find_or_create_customer
from models.customers import ChannelIdentity, Customer, Note
from models.db import session_scope
from models.enums import Channel
from models.ids import allocate_customer_id
from models.pdpa import erase_customer
from models.settings import get_settings
from models.transfer.legacy import import_legacy

pytestmark = pytest.mark.usefixtures("db")
SAMPLE = Path(__file__).resolve().parent.parent / "fixtures" / "legacy_school"


def _customer(session, standard_id: str) -> Customer:
    return session.exec(select(Customer).where(Customer.standard_id == standard_id)).one()


def _problem(summary: dict, file: str, field: str | None = None) -> dict:
    found = [p for p in summary["problems"] if p["file"] == file and (field is None or p["field"] == field)]
    assert found, f"no problem reported for {file} {field}: {summary['problems']}"
    return found[0]


def test_the_sample_comes_in_with_ids_kept_and_everything_unreadable_reported() -> None:
    summary = import_legacy(SAMPLE)
    customers = summary["customers"]
    assert customers["created"] == 10 and customers["updated"] == 0
    assert customers["mirrors_merged"] == 1 and customers["ids_kept"] == 10
    with session_scope() as s:
        somchai = _customer(s, "TVS-CUS-FB-26-0001")
        assert (somchai.display_name, somchai.phone, somchai.email) == ("สมชาย ใจดี", "0812345678", "somchai.j@gmail.com")
        assert somchai.tags == ["ซูชิ", "Sushi Pro", "VIP"] and somchai.lead_stage == "enrolled"
        assert somchai.created_at == datetime(2026, 1, 15, 10, 22, tzinfo=UTC) and somchai.first_ad_id == "120210000000000101"
        assert s.exec(select(ChannelIdentity.external_id).where(ChannelIdentity.customer_id == somchai.id)).all() == ["7012345678901234"]
        assert sorted(n.body for n in s.exec(select(Note).where(Note.customer_id == somchai.id))) == ["สนใจคอร์สซูชิวันเสาร์", "โทรกลับหลัง 6 โมงเย็น"]
        order = s.exec(select(Order).where(Order.customer_id == somchai.id)).one()
        assert (order.order_number, order.total, order.status) == ("L-INV-2026-0001", Decimal("12900.00"), "paid")
        assert sorted(p.amount for p in s.exec(select(Payment).where(Payment.order_id == order.id))) == [Decimal("3000.00"), Decimal("9900.00")]
        emily = _customer(s, "TVS-CUS-FB-26-0002")  # camelCase fields, +66 phone, comma-separated labels
        assert (emily.phone, emily.email, emily.lead_stage, emily.tags) == ("0897654321", "emily.carter@example.com", "qualified", ["Ramen", "English speaker"])
        wilai = _customer(s, "TVS-CUS-FB-26-0003")  # an id folder: profile, orders and notes in separate files
        assert wilai.lead_stage == "deposit" and wilai.created_at.date().isoformat() == "2026-02-02"
        assert len(s.exec(select(Note).where(Note.customer_id == wilai.id)).all()) == 2
        assert s.exec(select(OrderItem).join(Order).where(Order.customer_id == wilai.id)).one().quantity == 1
        piyaporn = _customer(s, "TVS-CUS-FB-25-0107")  # Thai headers, Thai digits, Buddhist year, BOM + CRLF
        assert (piyaporn.display_name, piyaporn.phone, piyaporn.tags) == ("ปิยะพร แก้วมณี", "0812349999", ["ขนมญี่ปุ่น", "วากาชิ"])
        arthit = _customer(s, "TVS-CUS-FB-26-0012")  # `tvs-cus-fb-26-12` inside: the standard id kept
        assert arthit.phone == "0812223333" and arthit.email is None
        assert _customer(s, "TVS-CUS-IG-26-0001").display_name == "Kenji Tanaka"
        assert _customer(s, "TVS-CUS-FB-26-0014").phone == "021234567"  # only the file name says its id
        assert _customer(s, "TVS-CUS-FB-26-0042").legacy_id == "TVS-CUS-FB-26-0042"
        assert s.exec(select(Product).where(Product.sku == "PKG-CHEF-PRO")).one().name_th == "แพ็กเกจเชฟมืออาชีพ"
        assert s.exec(select(Product).where(Product.sku == "CRS-WAGASHI-01")).one().price == Decimal("9900.00")
        assert s.exec(select(Product).where(Product.sku == "MENU-MISO")).one().is_active is False
        # each sequence continues after the highest old id
        assert allocate_customer_id(s, Channel.FACEBOOK, datetime(2026, 12, 1, tzinfo=UTC)) == "TVS-CUS-FB-26-0044"
    _problem(summary, "customer/TVS-CUS-FB-26-0013.json", "*")  # truncated JSON
    _problem(summary, "customer/TVS-CUS-FB-26-0015.json", "*")  # nothing to know them by
    assert "same customer" in _problem(summary, "customer/TVS-CUS-FB-26-0016.json")["reason"]
    _problem(summary, "customer/index.json", "*")
    assert "e-mail" in _problem(summary, "customer/TVS-CUS-FB-26-0012.json", "email")["reason"]
    _problem(summary, "customer/TVS-CUS-FB-26-0012.json", "leadStage")
    _problem(summary, "crm-app/cache/customer/TVS-CUS-FB-26-0020.json", "psid")
    _problem(summary, "customer/TVS-CUS-FB-26-0042.json", "orders[1]")  # the order whose total is "abc"
    _problem(summary, "customer/TVS-CUS-FB-26-0043.json", "orders[L-INV-2026-0005].items[0].sku")
    _problem(summary, "crm-app/cache/products/__all__.json", "price")  # MENU-TAMAGO "N/A"
    _problem(summary, "crm-app/cache/products/__all__.json", "sku")
    _problem(summary, "crm-app/cache/ad_logs/daily/2026-11-03.json", "[2].ad_id")
    _problem(summary, "crm-app/cache/ad_logs/daily/2026-11-03.json", "[3].spend")
    _problem(summary, "crm-app/cache/ads/ad/broken.json", "id")


def test_ad_logs_fill_the_daily_and_hourly_tables_with_their_ads() -> None:
    summary = import_legacy(SAMPLE)
    logs = summary["ad_logs"]
    assert logs["daily"]["rows"] == 6 and logs["hourly"]["rows"] == 2 * 2 * 17
    assert logs["left_as_sums"] == ["crm-app/cache/ad_logs/monthly"]
    with session_scope() as s:
        names = dict(s.execute(sa.text("SELECT id, name FROM ad")).all())
        assert names == {"120210000000000101": "Sushi video 15s", "120210000000000102": "Ramen carousel"}
        spend = s.execute(sa.text("SELECT sum(spend) FROM ad_insight_hour_total WHERE day = '2026-11-01'")).scalar_one()
        hourly = s.execute(sa.text("SELECT sum(spend) FROM ad_insight_hourly WHERE day = '2026-11-01'")).scalar_one()
        daily = s.execute(sa.text("SELECT sum(spend), sum(leads) FROM ad_insight_daily WHERE day = '2026-11-01'")).one()
        assert spend == hourly == daily[0] and daily[1] > 0


def test_a_second_run_writes_nothing_and_a_dry_run_writes_nothing_at_all() -> None:
    dry = import_legacy(SAMPLE, dry_run=True)
    with session_scope() as s:
        assert s.execute(sa.text("SELECT count(*) FROM customer")).scalar_one() == 0
        assert s.execute(sa.text("SELECT count(*) FROM customer_id_counter")).scalar_one() == 0
    first = import_legacy(SAMPLE)
    assert dry["customers"] == first["customers"] and dry["problem_count"] == first["problem_count"]
    with session_scope() as s:
        before = {t: s.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one()
                  for t in ("customer", "channel_identity", "note", "orders", "order_item", "payment", "product", "ad_insight_daily", "ad_insight_hourly", "ad_referral")}
    again = import_legacy(SAMPLE)
    assert again["customers"]["created"] == again["customers"]["updated"] == 0
    assert again["customers"]["unchanged"] == first["customers"]["created"]
    assert again["problems"] == first["problems"]  # every run says what it could not read
    assert again["catalog"]["written"] == 0 and again["orders"]["created"] == again["orders"]["payments_added"] == 0
    assert again["ad_logs"]["daily"]["written"] == again["ad_logs"]["hourly"]["written"] == 0
    with session_scope() as s:
        after = {t: s.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one() for t in before}
    assert after == before


def test_matched_by_messenger_id_first_and_a_taken_id_is_a_clash() -> None:
    page = get_settings().page_id
    with session_scope() as s:
        # the new system already met Somchai on Messenger (another id), and gave 26-0002 to a stranger
        known, _ = find_or_create_customer(s, Channel.FACEBOOK, page, "7012345678901234")
        known.phone, known.standard_id = "0899999999", "TVS-CUS-FB-26-0031"
        stranger, _ = find_or_create_customer(s, Channel.FACEBOOK, page, "5550000000000002")
        stranger.standard_id = "TVS-CUS-FB-26-0002"
        known_id, stranger_id = known.standard_id, stranger.standard_id
    assert stranger_id == "TVS-CUS-FB-26-0002"
    summary = import_legacy(SAMPLE)
    clashes = {c["old_id"]: c for c in summary["customers"]["clashes"]}
    assert clashes["TVS-CUS-FB-26-0001"]["customer"] == known_id
    assert clashes["TVS-CUS-FB-26-0002"]["customer"] == "TVS-CUS-FB-26-0044" and "held by another" in clashes["TVS-CUS-FB-26-0002"]["reason"]
    with session_scope() as s:
        somchai = _customer(s, known_id)
        assert (somchai.display_name, somchai.phone, somchai.legacy_id) == ("สมชาย ใจดี", "0899999999", "TVS-CUS-FB-26-0001")
        assert _customer(s, stranger_id).display_name.startswith("Messenger user")  # never landed on the stranger
        assert _customer(s, "TVS-CUS-FB-26-0044").email == "emily.carter@example.com"
    again = import_legacy(SAMPLE)
    assert again["customers"]["created"] == again["customers"]["updated"] == 0


def test_an_erased_customer_is_not_imported_again() -> None:
    import_legacy(SAMPLE)
    with session_scope() as s:
        erase_customer(s, _customer(s, "TVS-CUS-FB-26-0042"))
    again = import_legacy(SAMPLE)
    assert "erased" in _problem(again, "customer/TVS-CUS-FB-26-0042.json", "*")["reason"]
    with session_scope() as s:
        assert _customer(s, "TVS-CUS-FB-26-0042").phone is None


def test_the_command_line_prints_progress_and_the_summary_last(tmp_path: Path) -> None:
    shutil.copytree(SAMPLE, tmp_path / "old")
    run = subprocess.run([sys.executable, "-m", "vschool.cli", "import", "legacy", str(tmp_path / "old"), "--dry-run"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    summary = json.loads(run.stdout.strip().splitlines()[-1])
    assert summary["dry_run"] is True and summary["customers"]["created"] == 10
    assert "customer files" in run.stderr and "Dry run" in run.stderr
    bad = subprocess.run([sys.executable, "-m", "vschool.cli", "import", "legacy", str(tmp_path / "nothing-here")],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1
    (tmp_path / "empty").mkdir()
    empty = subprocess.run([sys.executable, "-m", "vschool.cli", "import", "legacy", str(tmp_path / "empty")],
                           capture_output=True, text=True, timeout=60)
    assert empty.returncode == 2 and "none of the old system" in empty.stderr
