"""Customer lists from spreadsheets (Admin → Import): a CSV (UTF-8, or Windows-874 as Thai Excel
saves it; comma, semicolon or tab) or an XLSX, its columns mapped to customer fields (guessed from
Thai or English headers, changed by staff), a preview that says per row what will happen, and
the import itself in chunks — through the same rules as the legacy import (ADR 014).

The same Messenger id (or customer id) is the same person and is filled in; the same phone
(Thai numbers in any writing) or e-mail as a customer already here, or as an earlier row, is a
*likely duplicate*: shown to staff, and only created when they say so — never merged."""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import openpyxl
import psycopg

from models.ids import format_customer_id
from models.refusals import Refused
from models.transfer.customers_in import store_customers
from models.transfer.fields import Problem, key_of
from models.transfer.records import NAMES, CustomerIn, customer_from

MAX_ROWS = 50_000
MAX_BYTES = 20 * 1024 * 1024
# The fields a column can fill, in the order the page lists them.
SHEET_FIELDS = ("customer_id", "display_name", "first_name", "last_name", "phone", "email", "psid", "tags", "segments",
                "lead_stage", "notes", "created_at")
_ALIASES = {f: NAMES["legacy_id" if f == "customer_id" else f] + (f,) for f in SHEET_FIELDS}
PHONE_DIGITS = ("CASE WHEN d LIKE '0066%%' THEN '0' || substr(d, 5) WHEN d LIKE '66%%' AND length(d) IN (10, 11) THEN '0' || substr(d, 3) "
                "WHEN length(d) IN (8, 9) AND d NOT LIKE '0%%' THEN '0' || d ELSE d END")


class SheetError(Refused):
    """The file cannot be read as a spreadsheet; the sentence says why (English and Thai)."""


@dataclass
class Sheet:
    headers: list[str]
    rows: list[list[str]]


def read_sheet(filename: str, data: bytes) -> Sheet:
    """The header row and the rows of a CSV or XLSX file (the first sheet)."""
    if len(data) > MAX_BYTES:
        raise SheetError("error_sheet_too_big", mb=MAX_BYTES // 1_048_576)
    if filename.casefold().endswith((".xlsx", ".xlsm")):
        try:
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a damaged or foreign file
            raise SheetError("error_sheet_not_xlsx") from exc
        table = [["" if v is None else _cell(v) for v in row] for row in book.worksheets[0].iter_rows(values_only=True)]
        book.close()
    elif filename.casefold().endswith((".csv", ".txt", ".tsv")):
        table = _csv(data)
    else:
        raise SheetError("error_sheet_type")
    table = [row for row in table if any(c.strip() for c in row)]
    if len(table) < 2:
        raise SheetError("error_sheet_no_rows")
    if len(table) - 1 > MAX_ROWS:
        raise SheetError("error_sheet_too_many_rows", limit=f"{MAX_ROWS:,}")
    width = len(table[0])
    return Sheet([h.strip() or f"column {n + 1}" for n, h in enumerate(table[0])], [(r + [""] * width)[:width] for r in table[1:]])


def _cell(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a phone or a PSID typed as a number
    return str(value)


def _csv(data: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "cp874"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise SheetError("error_sheet_encoding")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [list(row) for row in csv.reader(io.StringIO(text), dialect)]


def guess_mapping(headers: list[str]) -> list[str]:
    """For each column, the customer field its header names ("" when none): `เบอร์โทร` → phone."""
    taken: set[str] = set()
    out = []
    for header in headers:
        key = key_of(header)
        found = next((f for f in SHEET_FIELDS if f not in taken and any(key_of(a) == key for a in _ALIASES[f])), "")
        taken.add(found)
        out.append(found)
    return out


def records_of(sheet: Sheet, mapping: list[str], problems: list[Problem]) -> list[CustomerIn]:
    """One `CustomerIn` per row (source `row N`, counting the header as row 1)."""
    records = []
    header_of = {f: h for f, h in zip(mapping, sheet.headers, strict=False) if f}
    for n, row in enumerate(sheet.rows, start=2):
        values = {f: v.strip() for f, v in zip(mapping, row, strict=False) if f and v.strip()}
        before = len(problems)
        records.append(customer_from(values, f"row {n}", problems))
        for i in range(before, len(problems)):  # say which column, as the file names it
            p = problems[i]
            problems[i] = Problem(p.file, header_of.get(p.field, p.field), p.reason, p.record)
    return records


@dataclass
class RowPlan:
    row: str
    action: str  # create, update, duplicate, refuse
    customer: str = ""  # the standard id it updates, or the id it will get
    reason: str = ""


@dataclass
class Plan:
    rows: list[RowPlan] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def likely_duplicates(conn: psycopg.Connection, records: list[CustomerIn], skip: set[int]) -> dict[int, str]:
    """index → who they look like (an existing customer's id, or an earlier row), for records
    that share a customer id, a phone or an e-mail with someone but are not matched by a
    Messenger id (or an id recorded by an earlier import)."""
    phones = [r.phone for r in records if r.phone]
    emails = [r.email for r in records if r.email]
    known: dict[str, str] = {}
    for sid, phone, email in conn.execute(
        f"SELECT standard_id, (SELECT {PHONE_DIGITS} FROM (SELECT regexp_replace(coalesce(phone, ''), '[^0-9]', '', 'g') AS d) AS x), "
        "lower(email) FROM customer WHERE erased_at IS NULL AND (lower(email) = ANY(%s) OR "
        f"(SELECT {PHONE_DIGITS} FROM (SELECT regexp_replace(coalesce(phone, ''), '[^0-9]', '', 'g') AS d) AS x) = ANY(%s))", (emails, phones)):
        known.setdefault(f"p:{phone}", sid)
        known.setdefault(f"e:{email}", sid)
    names = [r.display_name.casefold() for r in records if r.display_name and not (r.phone or r.email or r.psid or r.standard)]
    for sid, name in conn.execute("SELECT standard_id, lower(display_name) FROM customer WHERE erased_at IS NULL AND lower(display_name) = ANY(%s)",
                                  (names,)):
        known.setdefault(f"n:{name}", sid)  # a row with nothing but a name: the same name is all there is to go by
    ids = [format_customer_id(*r.standard) for r in records if r.standard]
    for (sid,) in conn.execute("SELECT standard_id FROM customer WHERE erased_at IS NULL AND standard_id = ANY(%s)", (ids,)):
        known[f"s:{sid}"] = sid  # our own id in the sheet (an export edited and brought back): the same customer, surely
    out: dict[int, str] = {}
    for n, rec in enumerate(records):
        sid = format_customer_id(*rec.standard) if rec.standard else ""
        keys = [k for k in (f"s:{sid}" if sid else "", f"p:{rec.phone}" if rec.phone else "", f"e:{rec.email}" if rec.email else "") if k]
        if not keys and not rec.psid and rec.display_name:
            keys = [f"n:{rec.display_name.casefold()}"]
        hit = next((known[k] for k in keys if k in known), None)
        if hit and n not in skip:
            out[n] = hit
        for k in keys:
            known.setdefault(k, rec.source)
    return out


def plan_import(conn: psycopg.Connection, records: list[CustomerIn], page_id: str, now: datetime, problems: list[Problem],
                with_duplicates: bool = False) -> Plan:
    """What importing `records` would do, row by row — by doing it inside a savepoint and undoing it."""
    plan = Plan(problems=problems)
    with conn.transaction(force_rollback=True):
        plan.rows = run_rows(conn, records, page_id, now, problems, with_duplicates)
    for row in plan.rows:
        plan.counts[row.action] = plan.counts.get(row.action, 0) + 1
    return plan


def run_rows(conn: psycopg.Connection, records: list[CustomerIn], page_id: str, now: datetime, problems: list[Problem],
             with_duplicates: bool) -> list[RowPlan]:
    """Import `records` (likely duplicates only `with_duplicates`); what became of each row."""
    matched = _matched(conn, records, page_id)
    duplicates = likely_duplicates(conn, records, matched)
    chosen = [r for n, r in enumerate(records) if with_duplicates or n not in duplicates]
    before = len(problems)
    outcome = store_customers(conn, chosen, page_id, now, problems, record_old_ids=False)
    refused = {p.file: p.reason for p in problems[before:] if p.field == "*"}
    sid_of = dict(conn.execute("SELECT id, standard_id FROM customer WHERE id = ANY(%s)", (list(outcome.customer_of.values()),)).fetchall())
    out = []
    for n, rec in enumerate(records):
        cid = outcome.customer_of.get(id(rec))
        if n in duplicates and not with_duplicates:
            out.append(RowPlan(rec.source, "duplicate", duplicates[n], "same phone or e-mail"))
        elif cid is None:
            out.append(RowPlan(rec.source, "refuse", "", refused.get(rec.source, "")))
        else:
            out.append(RowPlan(rec.source, "update" if n in matched else "create", sid_of.get(cid, "")))
    return out


def _matched(conn: psycopg.Connection, records: list[CustomerIn], page_id: str) -> set[int]:
    """Indexes of records that are a customer already here (by Messenger id or customer id)."""
    psids = dict(conn.execute("SELECT external_id, customer_id FROM channel_identity WHERE channel = 'facebook' AND page_id = %s "
                              "AND external_id = ANY(%s)", (page_id, [r.psid for r in records if r.psid])).fetchall())
    legacy = {row[0] for row in conn.execute("SELECT legacy_id FROM customer WHERE legacy_id = ANY(%s)",
                                             ([r.legacy_id for r in records if r.legacy_id],))}
    return {n for n, r in enumerate(records) if (r.psid and r.psid in psids) or (r.legacy_id and r.legacy_id in legacy)}


def import_rows(connect: Callable[[], Any], records: list[CustomerIn], page_id: str, now: datetime, problems: list[Problem],
                with_duplicates: bool, chunk: int = 1000, on_progress: Callable[[int], None] | None = None) -> list[RowPlan]:
    """Import in chunks of `chunk` rows, each its own transaction (`connect()` gives a context
    manager yielding a psycopg connection in a transaction), reporting progress after each."""
    done: list[RowPlan] = []
    for start in range(0, len(records), chunk):
        with connect() as conn:
            done += run_rows(conn, records[start:start + chunk], page_id, now, problems, with_duplicates)
        if on_progress:
            on_progress(len(done))
    return done
