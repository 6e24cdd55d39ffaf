"""Letting the data out: customers, orders and payments as CSV (UTF-8 with a byte-order mark, so
Excel shows Thai) or XLSX, in the staff member's language, as their role may see it
(models/access.py, docs/roles.md): contact details and chat ids only with `CONTACT`, orders and
payments only with `MONEY`, never message text or notes. A customer erased under the PDPA is a
row with their standard id and "erased" — their personal data is gone from the database, so
it cannot leak into a file. Times are Asia/Bangkok; money is THB with two decimals.

The customers file's headers are ones the import recognises, so a list can go out to a
spreadsheet and come back (rows carrying our own ids come back as likely duplicates)."""

import csv
import io
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any

import openpyxl
import sqlalchemy as sa
from sqlmodel import Session

from models.access import Access, may
from models.transfer.fields import BANGKOK

EXPORTS = ("customers", "orders", "payments")
NEEDS = {"customers": Access.CUSTOMERS, "orders": Access.MONEY, "payments": Access.MONEY}
# column: (English header, Thai header, the access it needs beyond the export's own)
COLUMNS: dict[str, list[tuple[str, str, str, Access | None]]] = {
    "customers": [
        ("standard_id", "Customer ID", "รหัสลูกค้า", None), ("display_name", "Name", "ชื่อลูกค้า", None),
        ("phone", "Phone", "เบอร์โทร", Access.CONTACT), ("email", "E-mail", "อีเมล", Access.CONTACT),
        ("psid", "Messenger ID", "ไอดีเมสเซนเจอร์", Access.CONTACT), ("lead_stage", "Lead stage", "สถานะ", None),
        ("tags", "Tags", "แท็ก", None), ("first_ad_id", "First ad", "โฆษณาแรก", None),
        ("created_at", "Created", "วันที่สมัคร", None), ("erased", "Erased (PDPA)", "ลบข้อมูลแล้ว (PDPA)", None),
    ],
    "orders": [
        ("order_number", "Order", "เลขที่คำสั่งซื้อ", None), ("standard_id", "Customer ID", "รหัสลูกค้า", None),
        ("display_name", "Name", "ชื่อลูกค้า", None), ("status", "Status", "สถานะ", None), ("total", "Total (THB)", "ยอดรวม (บาท)", None),
        ("paid", "Paid (THB)", "ชำระแล้ว (บาท)", None), ("items", "Items", "รายการ", None),
        ("attributed_ad_id", "Attributed ad", "โฆษณาที่มา", None), ("created_at", "Created", "วันที่สร้าง", None),
    ],
    "payments": [
        ("paid_at", "Paid at", "วันที่ชำระ", None), ("order_number", "Order", "เลขที่คำสั่งซื้อ", None),
        ("standard_id", "Customer ID", "รหัสลูกค้า", None), ("kind", "Kind", "ประเภท", None), ("amount", "Amount (THB)", "จำนวนเงิน (บาท)", None),
        ("method", "Method", "ช่องทาง", None), ("reference", "Reference", "อ้างอิง", None),
    ],
}
QUERIES = {
    "customers": """
        SELECT c.standard_id, c.display_name, c.phone, c.email,
               (SELECT string_agg(i.external_id, ' ' ORDER BY i.id) FROM channel_identity i WHERE i.customer_id = c.id) AS psid,
               c.lead_stage, array_to_string(c.tags, ', ') AS tags, c.first_ad_id, c.created_at, c.erased_at IS NOT NULL AS erased
        FROM customer c ORDER BY c.id""",
    "orders": """
        SELECT o.order_number, c.standard_id, c.display_name, o.status, o.total,
               coalesce((SELECT sum(CASE WHEN p.kind = 'refund' THEN -p.amount ELSE p.amount END) FROM payment p WHERE p.order_id = o.id), 0) AS paid,
               (SELECT string_agg(pr.sku || ' × ' || i.quantity, ', ' ORDER BY i.id) FROM order_item i JOIN product pr ON pr.id = i.product_id
                WHERE i.order_id = o.id) AS items,
               o.attributed_ad_id, o.created_at
        FROM orders o JOIN customer c ON c.id = o.customer_id ORDER BY o.id""",
    "payments": """
        SELECT p.paid_at, o.order_number, c.standard_id, p.kind, p.amount, p.method, p.reference
        FROM payment p JOIN orders o ON o.id = p.order_id JOIN customer c ON c.id = o.customer_id ORDER BY p.paid_at, p.id""",
}


def allowed(kind: str, role: str | None) -> bool:
    return kind in NEEDS and may(role, NEEDS[kind])


def export_table(session: Session, kind: str, role: str | None, language: str) -> tuple[list[str], Iterator[list[Any]]]:
    """(headers, rows) of one export as `role` may see it; PermissionError when it may not."""
    if not allowed(kind, role):
        raise PermissionError(f"the {role} role may not export {kind}")
    shown = [c for c in COLUMNS[kind] if c[3] is None or may(role, c[3])]
    headers = [th if language == "th" else en for _, en, th, _ in shown]
    result = session.execute(sa.text(QUERIES[kind]).execution_options(yield_per=2000)).mappings()
    yes = "ใช่" if language == "th" else "yes"

    def rows() -> Iterator[list[Any]]:
        for row in result:
            yield [_value(row[name], yes) for name, _, _, _ in shown]

    return headers, rows()


def _value(value: Any, yes: str) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(BANGKOK).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, bool):
        return yes if value else ""
    return "" if value is None else value


def to_csv(headers: list[str], rows: Iterator[list[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows([_safe(v) for v in row] for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(headers: list[str], rows: Iterator[list[Any]], title: str) -> bytes:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    sheet.append(headers)
    for row in rows:
        sheet.append([_safe(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _safe(value: Any) -> Any:
    """A cell as text that a spreadsheet will not run as a formula (`=`, `+`, `-`, `@` first)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value
