"""Spreadsheets in and out: Thai headers guessed, Thai phone numbers normalised, the preview says
what each row will do, likely duplicates are offered and never merged, a second import creates
nothing; exports follow the role matrix and PDPA erasures, and come back in."""

import csv
import io
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal

import openpyxl
import pytest
import sqlalchemy as sa
from sqlmodel import select

from models.ad_store import driver_connection
from models.commerce import Order, Payment
from models.customer_rules import find_or_create_customer
from models.customers import Customer
from models.db import session_scope
from models.enums import Channel
from models.pdpa import erase_customer
from models.settings import get_settings
from models.transfer.export import export_table, to_csv, to_xlsx
from models.transfer.fields import thai_phone
from models.transfer.sheets import (
    SheetError,
    guess_mapping,
    import_rows,
    plan_import,
    read_sheet,
    records_of,
)

pytestmark = pytest.mark.usefixtures("db")
NOW = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)
THAI_CSV = (
    "ชื่อลูกค้า,เบอร์โทร,อีเมล,ไอดีเมสเซนเจอร์,แท็ก,สถานะ,หมายเหตุ\n"
    "สมศรี มีสุข,081-234-5678,somsri@example.com,7100000000000001,ซูชิ;VIP,สนใจ,ชอบเรียนวันเสาร์\n"
    "Somsri M.,+66 81 234 5678,,,,,\n"
    "John Smith,66899990000,JOHN@example.com,7100000000000003,Ramen,นักเรียน,\n"
    ",,,,,,หมายเหตุลอย ๆ\n"
    "Old friend,089 999 0000,,,,,\n"
    "Bad phone,12345,not-an-email,,,,\n"
)


@contextmanager
def _pg():
    with session_scope() as session:
        yield driver_connection(session)


def _records(data: bytes, name: str = "list.csv", problems: list | None = None) -> list:
    sheet = read_sheet(name, data)
    return records_of(sheet, guess_mapping(sheet.headers), [] if problems is None else problems)


def test_thai_numbers_are_one_number_however_written() -> None:
    assert {thai_phone(v) for v in ("081-234-5678", "+66 81 234 5678", "66812345678", "0066812345678", "๐๘๑๒๓๔๕๖๗๘")} == {"0812345678"}
    assert thai_phone("02 123 4567") == "021234567" and thai_phone("12345") is None


def test_thai_headers_are_mapped_and_the_preview_says_what_each_row_will_do() -> None:
    sheet = read_sheet("รายชื่อ.csv", THAI_CSV.encode("cp874"))  # Thai Excel's own encoding
    assert guess_mapping(sheet.headers) == ["display_name", "phone", "email", "psid", "tags", "lead_stage", "notes"]
    page = get_settings().page_id
    with session_scope() as s:
        find_or_create_customer(s, Channel.FACEBOOK, page, "7100000000000003")  # John writes on Messenger already
    problems: list = []
    records = _records(THAI_CSV.encode(), problems=problems)
    with _pg() as pg:
        plan = plan_import(pg, records, page, NOW, problems)
    actions = [(r.row, r.action) for r in plan.rows]
    assert actions == [("row 2", "create"), ("row 3", "duplicate"), ("row 4", "update"), ("row 5", "refuse"), ("row 6", "duplicate"),
                       ("row 7", "create")]
    assert plan.rows[1].customer == "row 2" and plan.rows[4].customer == "row 4"  # John's number, written as 66…
    assert {(p.file, p.field) for p in problems} >= {("row 7", "เบอร์โทร"), ("row 7", "อีเมล")}
    with session_scope() as s:  # a preview writes nothing
        assert s.execute(sa.text("SELECT count(*) FROM customer")).scalar_one() == 1


def test_importing_creates_fills_in_leaves_duplicates_out_and_is_safe_to_repeat() -> None:
    page = get_settings().page_id
    with session_scope() as s:
        john, _ = find_or_create_customer(s, Channel.FACEBOOK, page, "7100000000000003")
        john_id = john.standard_id
    records = _records(THAI_CSV.encode())
    seen: list[int] = []
    rows = import_rows(_pg, records, page, NOW, [], with_duplicates=False, chunk=2, on_progress=seen.append)
    assert seen == [2, 4, 6] and [r.action for r in rows] == ["create", "duplicate", "update", "refuse", "duplicate", "create"]
    with session_scope() as s:
        somsri = s.exec(select(Customer).where(Customer.display_name == "สมศรี มีสุข")).one()
        assert (somsri.phone, somsri.email, somsri.tags, somsri.lead_stage) == ("0812345678", "somsri@example.com", ["ซูชิ", "VIP"], "new")
        john = s.exec(select(Customer).where(Customer.standard_id == john_id)).one()
        assert (john.display_name, john.phone, john.email, john.lead_stage) == ("John Smith", "0899990000", "john@example.com", "enrolled")
        assert s.execute(sa.text("SELECT count(*) FROM customer")).scalar_one() == 3
    again = import_rows(_pg, _records(THAI_CSV.encode()), page, NOW, [], with_duplicates=False)
    assert [r.action for r in again] == ["update", "duplicate", "update", "refuse", "duplicate", "duplicate"]
    with session_scope() as s:
        assert s.execute(sa.text("SELECT count(*) FROM customer")).scalar_one() == 3
    with_dups = import_rows(_pg, _records(THAI_CSV.encode())[1:2], page, NOW, [], with_duplicates=True)
    assert with_dups[0].action == "create"  # staff said so: a second customer, not a merge


def test_xlsx_with_english_headers_and_numbers_as_cells() -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Customer ID", "First Name", "Last Name", "Mobile", "Messenger ID"])
    sheet.append(["TVS-CUS-FB-24-0100", "Kenji", "Tanaka", 812345679, 7100000000000009])
    out = io.BytesIO()
    book.save(out)
    records = _records(out.getvalue(), "customers.xlsx")
    assert (records[0].legacy_id, records[0].display_name, records[0].phone, records[0].psid) == (
        "TVS-CUS-FB-24-0100", "Kenji Tanaka", "0812345679", "7100000000000009")
    rows = import_rows(_pg, records, get_settings().page_id, NOW, [], with_duplicates=False)
    assert (rows[0].action, rows[0].customer) == ("create", "TVS-CUS-FB-24-0100")


def test_files_that_are_not_spreadsheets_are_refused_with_a_reason() -> None:
    for name, data in (("a.pdf", b"%PDF"), ("a.xlsx", b"not a zip"), ("a.csv", b"only,a,header\n"), ("a.csv", b"\xff\xfe\x00\x00")):
        with pytest.raises(SheetError):
            read_sheet(name, data)


def _world() -> tuple[str, str]:
    page = get_settings().page_id
    with session_scope() as s:
        kept, _ = find_or_create_customer(s, Channel.FACEBOOK, page, "7200000000000001")
        kept.display_name, kept.phone, kept.email, kept.tags = "=HYPERLINK(\"x\")", "0812345678", "kept@example.com", ["VIP"]
        gone, _ = find_or_create_customer(s, Channel.FACEBOOK, page, "7200000000000002")
        gone.display_name, gone.phone = "ลบแล้ว", "0899999999"
        s.flush()
        order = Order(order_number="VS-1", customer_id=gone.id, total=Decimal("12900"), status="paid")
        s.add(order)
        s.flush()
        s.add(Payment(order_id=order.id, kind="payment", amount=Decimal("12900"), reference="slip", paid_at=NOW))
        erase_customer(s, gone)
        return kept.standard_id, gone.standard_id


def test_exports_follow_the_roles_and_the_erasures_and_come_back_in() -> None:
    kept_id, gone_id = _world()
    with session_scope() as s:
        headers, rows = export_table(s, "customers", "agent", "th")
        table = list(rows)
        marketing_headers, marketing_rows = export_table(s, "customers", "marketing", "en")
        marketing_table = list(marketing_rows)
        order_headers, orders = export_table(s, "orders", "marketing", "en")
        orders = list(orders)
        with pytest.raises(PermissionError):
            export_table(s, "payments", "nobody", "en")
    assert headers[:4] == ["รหัสลูกค้า", "ชื่อลูกค้า", "เบอร์โทร", "อีเมล"]
    by_id = {row[0]: row for row in table}
    assert by_id[kept_id][2:4] == ["0812345678", "kept@example.com"] and by_id[gone_id][1:4] == ["", "", ""]
    assert by_id[gone_id][-1] == "ใช่" and by_id[kept_id][-1] == ""
    assert "Phone" not in marketing_headers and "E-mail" not in marketing_headers and "Messenger ID" not in marketing_headers
    assert all("0812345678" not in map(str, row) for row in marketing_table)
    assert orders[0][:5] == ["VS-1", gone_id, "", "paid", "12900.00"] and order_headers[5] == "Paid (THB)"
    with session_scope() as s:
        data = to_csv(*export_table(s, "customers", "admin", "en"))
    assert data.startswith("\ufeff".encode())
    parsed = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert parsed[1 + [r[0] for r in parsed[1:]].index(kept_id)][1] == "'=HYPERLINK(\"x\")"  # not a formula in Excel
    with session_scope() as s:
        xlsx = to_xlsx(*export_table(s, "payments", "agent", "en"), "payments")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx)).active
    assert [c.value for c in sheet[2]][1:5] == ["VS-1", gone_id, "payment", "12900.00"]
    page = get_settings().page_id
    back = import_rows(_pg, _records(data, "customers.csv"), page, NOW, [], with_duplicates=False)
    assert [r.action for r in back] == ["update", "refuse"]  # the same Messenger id; an erased customer has nothing left to import
    with session_scope() as s:
        marketing_csv = to_csv(*export_table(s, "customers", "marketing", "en"))
    back = import_rows(_pg, _records(marketing_csv, "customers.csv"), page, NOW, [], with_duplicates=False)
    assert [(r.action, r.customer) for r in back] == [("duplicate", kept_id), ("refuse", "")]  # our own id: offered, never created again
    with session_scope() as s:
        assert s.execute(sa.text("SELECT count(*) FROM customer")).scalar_one() == 2
