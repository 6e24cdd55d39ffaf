"""Storing incoming customers in bulk, set-based: a few lookups for the whole batch, decisions in
Python, then COPY and one INSERT/UPDATE per table — never a statement per customer.

Who is who (ADR 014):
1. The Messenger id (PSID, or Instagram's IGSID) decides first: the same id is the same person.
2. Else the old system's own id, as recorded by an earlier import (`customer.legacy_id`), unless
   that customer has another Messenger id (then they are two people).
3. Else the record is someone new. Their old standard id is kept when no customer holds it;
   otherwise it is a clash, reported, and they get the next number of that id's sequence. A
   customer is never matched by a standard id alone: a free id proves nothing about who holds
   the record, and a taken one may belong to someone else.

Counters (`customer_id_counter`) move past the highest old id seen, so ids handed out later
continue each sequence. Customers already here keep what staff entered: an import only fills
what is empty, adds tags and moves a lead stage on from "new". A customer erased under the PDPA
is never filled in again. Running the same batch twice writes nothing the second time.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import psycopg
from psycopg import sql

from models.customer_rules import fallback_name
from models.enums import Channel
from models.ids import format_customer_id
from models.transfer.fields import BANGKOK, Problem
from models.transfer.records import CustomerIn


@dataclass
class CustomerOutcome:
    received: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    ids_kept: int = 0
    ids_new: int = 0
    identities_added: int = 0
    notes_added: int = 0
    referrals_added: int = 0
    clashes: list[dict[str, Any]] = field(default_factory=list)
    customer_of: dict[int, int] = field(default_factory=dict)  # index in the batch → customer.id

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "customer_of"}


def copy_into_temp(conn: psycopg.Connection, name: str, columns: str, rows: list[tuple]) -> sql.Identifier:
    """A temporary table `name (columns)` holding `rows` (emptied first; dropped at commit)."""
    table = sql.Identifier(name)
    conn.execute(sql.SQL("CREATE TEMP TABLE IF NOT EXISTS {} ({}) ON COMMIT DROP").format(table, sql.SQL(columns)))
    conn.execute(sql.SQL("TRUNCATE {}").format(table))
    names = sql.SQL(", ").join(sql.Identifier(c.split()[0]) for c in columns.split(","))
    with conn.cursor().copy(sql.SQL("COPY {} ({}) FROM STDIN").format(table, names)) as copy:
        for row in rows:
            copy.write_row(row)
    return table


@dataclass
class _Known:
    by_identity: dict[tuple[str, str, str], int]
    by_legacy: dict[str, int]
    holder_of: dict[str, int]  # standard id → customer id
    psids_of: dict[int, set[str]]
    customer: dict[int, tuple[str, bool]]  # customer id → (standard id, erased)


def _look_up(conn: psycopg.Connection, records: list[CustomerIn]) -> _Known:
    externals = [r.psid for r in records if r.psid] + [r.igsid for r in records if r.igsid]
    by_identity = {(ch, page, ext): cid for ch, page, ext, cid in conn.execute(
        "SELECT channel, page_id, external_id, customer_id FROM channel_identity WHERE external_id = ANY(%s)", (externals,))}
    legacy = [r.legacy_id for r in records if r.legacy_id]
    by_legacy = dict(conn.execute("SELECT legacy_id, id FROM customer WHERE legacy_id = ANY(%s)", (legacy,)).fetchall())
    wanted = [format_customer_id(*r.standard) for r in records if r.standard]
    holder_of = dict(conn.execute("SELECT standard_id, id FROM customer WHERE standard_id = ANY(%s)", (wanted,)).fetchall())
    ids = list({*by_identity.values(), *by_legacy.values()})
    psids_of: dict[int, set[str]] = defaultdict(set)
    for cid, ext in conn.execute("SELECT customer_id, external_id FROM channel_identity WHERE customer_id = ANY(%s) AND channel = 'facebook'", (ids,)):
        psids_of[cid].add(ext)
    customer = {cid: (sid, erased) for cid, sid, erased in conn.execute(
        "SELECT id, standard_id, erased_at IS NOT NULL FROM customer WHERE id = ANY(%s)", (ids,))}
    return _Known(by_identity, by_legacy, holder_of, psids_of, customer)


def _unique_in_batch(records: list[CustomerIn], page_id: str, problems: list[Problem], out: CustomerOutcome) -> list[CustomerIn]:
    """The batch without records that cannot be known and without repeats of one person."""
    seen: dict[tuple[str, str], CustomerIn] = {}
    seen_legacy: dict[str, CustomerIn] = {}
    kept = []
    for rec in records:
        rec.page_id = rec.page_id or page_id
        if not rec.identifiable():
            problems.append(Problem(rec.source, "*", "no Messenger id, name, phone or e-mail: nothing to know the customer by", rec.label))
            out.skipped += 1
            continue
        key = ("facebook", rec.psid) if rec.psid else ("instagram", rec.igsid) if rec.igsid else None
        twin = seen.get(key) if key else None
        same_old = seen_legacy.get(rec.legacy_id) if rec.legacy_id else None
        if same_old and not (rec.psid and same_old.psid and rec.psid != same_old.psid):
            twin = twin or same_old
        if twin is not None:
            problems.append(Problem(rec.source, "psid" if key and key in seen else "id", f"the same customer as {twin.source}: imported once", rec.label))
            out.skipped += 1
            continue
        if key:
            seen[key] = rec
        if rec.legacy_id:
            seen_legacy.setdefault(rec.legacy_id, rec)
        kept.append(rec)
    return kept


def _match(rec: CustomerIn, known: _Known) -> tuple[int | None, bool]:
    """(the customer this record is, whether its old id may be recorded on them)."""
    cid = None
    if rec.psid:
        cid = known.by_identity.get(("facebook", rec.page_id, rec.psid))
    if cid is None and rec.igsid:
        cid = known.by_identity.get(("instagram", rec.page_id, rec.igsid))
    held = known.by_legacy.get(rec.legacy_id) if rec.legacy_id else None
    if cid is None and held is not None:
        other = known.psids_of.get(held)
        if not (rec.psid and other and rec.psid not in other):
            cid = held
    return cid, rec.legacy_id is not None and held in (None, cid)


def store_customers(conn: psycopg.Connection, records: list[CustomerIn], page_id: str, now: datetime, problems: list[Problem],
                    record_old_ids: bool = True) -> CustomerOutcome:
    """Create or fill in `records` (see the module docstring); returns what happened.
    `record_old_ids`: keep each record's old id as `legacy_id` (an import from another system;
    a spreadsheet's id column may be our own ids, which must not become a way to match)."""
    out = CustomerOutcome(received=len(records))
    batch = _unique_in_batch(records, page_id, problems, out)
    known = _look_up(conn, batch)
    matched: list[tuple[int, CustomerIn, bool]] = []
    new: list[tuple[CustomerIn, str | None, bool]] = []
    claimed: set[str] = set()
    for rec in batch:
        cid, record_old_id = _match(rec, known)
        record_old_id = record_old_id and record_old_ids
        wanted = format_customer_id(*rec.standard) if rec.standard else None
        if cid is not None:
            standard, erased = known.customer[cid]
            if erased:
                problems.append(Problem(rec.source, "*", "this customer's data was erased (PDPA): not imported again", rec.label))
                out.skipped += 1
                continue
            if wanted and wanted != standard:
                out.clashes.append({"file": rec.source, "old_id": rec.legacy_id, "customer": standard, "reason": "the same Messenger id or old record is already this customer"})
            matched.append((cid, rec, record_old_id))
        elif wanted and wanted not in known.holder_of and wanted not in claimed:
            claimed.add(wanted)
            new.append((rec, wanted, record_old_id))
        else:
            if wanted:
                reason = "held by another customer" if wanted in known.holder_of else "used twice in the old data"
                out.clashes.append({"file": rec.source, "old_id": rec.legacy_id, "customer": None, "reason": f"{wanted} is {reason}"})
            new.append((rec, None, record_old_id))
    _move_counters(conn, batch)
    _give_ids(conn, new, now, out)
    created = _insert_new(conn, new, now)
    out.created = len(created)
    for (rec, _, _), cid in zip(new, created, strict=True):
        out.customer_of[id(rec)] = cid
    out.updated = _fill_in(conn, matched)
    out.unchanged = len(matched) - out.updated
    for cid, rec, _ in matched:
        out.customer_of[id(rec)] = cid
    out.identities_added = _add_identities(conn, batch, out.customer_of)
    out.notes_added = _add_notes(conn, batch, out.customer_of, now)
    out.referrals_added = _add_referrals(conn, batch, out.customer_of, now)
    return out


def _move_counters(conn: psycopg.Connection, records: list[CustomerIn]) -> None:
    """Every id sequence continues after the highest old id seen in it."""
    highest: dict[tuple[str, int], int] = {}
    for rec in records:
        if rec.standard:
            code, year, number = rec.standard
            highest[code, year] = max(highest.get((code, year), 0), number)
    if highest:
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO customer_id_counter (channel_code, year, last_number) VALUES (%s, %s, %s) "
                "ON CONFLICT (channel_code, year) DO UPDATE SET last_number = GREATEST(customer_id_counter.last_number, EXCLUDED.last_number)",
                [(code, year, number) for (code, year), number in sorted(highest.items())],
            )


def _give_ids(conn: psycopg.Connection, new: list[tuple[CustomerIn, str | None, bool]], now: datetime, out: CustomerOutcome) -> None:
    """Standard ids for the new customers whose old id could not be kept: the next numbers of
    that id's sequence (or this year's, by channel), taken in one step per sequence."""
    wanting: dict[tuple[str, int], list[int]] = defaultdict(list)
    this_year = now.astimezone(BANGKOK).year % 100
    for n, (rec, sid, _) in enumerate(new):
        if sid is None:
            key = rec.standard[:2] if rec.standard else ("IG" if rec.igsid and not rec.psid else "FB", this_year)
            wanting[key].append(n)
        else:
            out.ids_kept += 1
    for (code, year), positions in sorted(wanting.items()):
        last = conn.execute(
            "INSERT INTO customer_id_counter (channel_code, year, last_number) VALUES (%s, %s, %s) "
            "ON CONFLICT (channel_code, year) DO UPDATE SET last_number = customer_id_counter.last_number + EXCLUDED.last_number "
            "RETURNING last_number", (code, year, len(positions))).fetchone()[0]
        for offset, n in enumerate(positions):
            rec, _, keep_old = new[n]
            new[n] = (rec, format_customer_id(code, year, last - len(positions) + 1 + offset), keep_old)
            out.ids_new += 1
    for clash in out.clashes:
        if clash["customer"] is None:
            clash["customer"] = next(sid for rec, sid, _ in new if rec.source == clash["file"] and rec.legacy_id == clash["old_id"])


def _display_name(rec: CustomerIn) -> str | None:
    if rec.display_name:
        return rec.display_name
    if rec.psid:
        return fallback_name(Channel.FACEBOOK, rec.psid)
    return fallback_name(Channel.INSTAGRAM, rec.igsid) if rec.igsid else None


def _insert_new(conn: psycopg.Connection, new: list[tuple[CustomerIn, str | None, bool]], now: datetime) -> list[int]:
    if not new:
        return []
    columns = ("standard_id", "legacy_id", "display_name", "first_name", "last_name", "phone", "email", "locale", "lead_stage",
               "tags", "first_ad_id", "consent_at", "created_at", "updated_at")
    names = sql.SQL(", ").join(map(sql.Identifier, columns))
    with conn.cursor().copy(sql.SQL("COPY customer ({}) FROM STDIN").format(names)) as copy:
        for rec, sid, keep_old in new:
            copy.write_row((sid, rec.legacy_id if keep_old else None, _display_name(rec), rec.first_name, rec.last_name, rec.phone,
                            rec.email, rec.locale, rec.lead_stage or "new", rec.tags, rec.first_ad_id, rec.consent_at,
                            rec.created_at or now, now))
    ids = dict(conn.execute("SELECT standard_id, id FROM customer WHERE standard_id = ANY(%s)", ([sid for _, sid, _ in new],)).fetchall())
    return [ids[sid] for _, sid, _ in new]


FILL_IN = """
UPDATE customer c SET
  legacy_id = coalesce(c.legacy_id, i.legacy_id),
  display_name = CASE WHEN c.display_name IS NULL OR c.display_name LIKE 'Messenger user …%%' OR c.display_name LIKE 'Instagram user …%%'
                      THEN coalesce(i.display_name, c.display_name) ELSE c.display_name END,
  first_name = coalesce(c.first_name, i.first_name), last_name = coalesce(c.last_name, i.last_name),
  phone = coalesce(c.phone, i.phone), email = coalesce(c.email, i.email), locale = coalesce(c.locale, i.locale),
  first_ad_id = coalesce(c.first_ad_id, i.first_ad_id), consent_at = coalesce(c.consent_at, i.consent_at),
  lead_stage = CASE WHEN c.lead_stage = 'new' AND i.lead_stage IS NOT NULL THEN i.lead_stage ELSE c.lead_stage END,
  tags = c.tags || ARRAY(SELECT t FROM unnest(i.tags) WITH ORDINALITY AS u(t, n) WHERE t <> ALL(c.tags) ORDER BY n)::varchar(60)[],
  updated_at = now()
FROM {incoming} i
WHERE c.id = i.customer_id AND (
  (c.legacy_id IS NULL AND i.legacy_id IS NOT NULL)
  OR ((c.display_name IS NULL OR c.display_name LIKE 'Messenger user …%%' OR c.display_name LIKE 'Instagram user …%%')
      AND i.display_name IS NOT NULL AND i.display_name IS DISTINCT FROM c.display_name)
  OR (c.first_name IS NULL AND i.first_name IS NOT NULL) OR (c.last_name IS NULL AND i.last_name IS NOT NULL)
  OR (c.phone IS NULL AND i.phone IS NOT NULL) OR (c.email IS NULL AND i.email IS NOT NULL)
  OR (c.locale IS NULL AND i.locale IS NOT NULL) OR (c.first_ad_id IS NULL AND i.first_ad_id IS NOT NULL)
  OR (c.consent_at IS NULL AND i.consent_at IS NOT NULL)
  OR (c.lead_stage = 'new' AND i.lead_stage IS NOT NULL AND i.lead_stage <> 'new')
  OR NOT (i.tags::varchar(60)[] <@ c.tags)
)
"""


def _fill_in(conn: psycopg.Connection, matched: list[tuple[int, CustomerIn, bool]]) -> int:
    """Fill in what is empty on customers already here; returns how many changed."""
    if not matched:
        return 0
    rows = [(cid, rec.legacy_id if keep_old else None, rec.display_name, rec.first_name, rec.last_name, rec.phone, rec.email,
             rec.locale, rec.lead_stage, rec.tags, rec.first_ad_id, rec.consent_at) for cid, rec, keep_old in matched]
    incoming = copy_into_temp(conn, "_in_customer", "customer_id int, legacy_id text, display_name text, first_name text, "
                              "last_name text, phone text, email text, locale text, lead_stage text, tags text[], first_ad_id text, "
                              "consent_at timestamptz", rows)
    return conn.execute(sql.SQL(FILL_IN).format(incoming=incoming)).rowcount


def _add_identities(conn: psycopg.Connection, records: list[CustomerIn], customer_of: dict[int, int]) -> int:
    rows = []
    for rec in records:
        cid = customer_of.get(id(rec))
        if cid is not None:
            rows += [(cid, "facebook", rec.page_id, rec.psid)] if rec.psid else []
            rows += [(cid, "instagram", rec.page_id, rec.igsid)] if rec.igsid else []
    if not rows:
        return 0
    incoming = copy_into_temp(conn, "_in_identity", "customer_id int, channel text, page_id text, external_id text", rows)
    return conn.execute(sql.SQL(
        "INSERT INTO channel_identity (customer_id, channel, page_id, external_id) SELECT customer_id, channel, page_id, external_id FROM {} "
        "ON CONFLICT (channel, page_id, external_id) DO NOTHING").format(incoming)).rowcount


def _add_notes(conn: psycopg.Connection, records: list[CustomerIn], customer_of: dict[int, int], now: datetime) -> int:
    rows = [(customer_of[id(rec)], body, at or now) for rec in records if id(rec) in customer_of for body, at in rec.notes]
    if not rows:
        return 0
    incoming = copy_into_temp(conn, "_in_note", "customer_id int, body text, created_at timestamptz", rows)
    return conn.execute(sql.SQL(
        "INSERT INTO note (customer_id, body, created_at) SELECT DISTINCT ON (customer_id, body) customer_id, body, created_at FROM {} i "
        "WHERE NOT EXISTS (SELECT 1 FROM note n WHERE n.customer_id = i.customer_id AND n.body = i.body)").format(incoming)).rowcount


def _add_referrals(conn: psycopg.Connection, records: list[CustomerIn], customer_of: dict[int, int], now: datetime) -> int:
    """The ad that brought each customer, as the old system recorded it (attribution)."""
    rows = [(customer_of[id(rec)], rec.first_ad_id, rec.created_at or now) for rec in records if rec.first_ad_id and id(rec) in customer_of]
    if not rows:
        return 0
    incoming = copy_into_temp(conn, "_in_referral", "customer_id int, ad_id text, occurred_at timestamptz", rows)
    return conn.execute(sql.SQL(
        "INSERT INTO ad_referral (customer_id, source, ad_id, context, occurred_at) "
        "SELECT customer_id, 'LEGACY', ad_id, '{{\"imported\": true}}'::jsonb, occurred_at FROM {} i "
        "WHERE NOT EXISTS (SELECT 1 FROM ad_referral r WHERE r.customer_id = i.customer_id AND r.ad_id = i.ad_id)").format(incoming)).rowcount
