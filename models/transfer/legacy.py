"""`vschool import legacy DIR`: the old system's customers, catalog, orders and ad logs in one
transaction (all of it or nothing; `--dry-run` rolls it back and reports the same summary).
Every record or value that cannot be used is in the summary's `problems` with its file, field
and reason; running it again creates nothing twice (ADR 014)."""

import time
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from queue import Queue
from threading import Thread
from typing import Any

import psycopg
from sqlmodel import Session

from logs.audit import record as audit
from models.ad_store import (
    DAILY,
    HOURLY,
    Stored,
    add_unlisted,
    driver_connection,
    store_ad_sets,
    store_ads,
    store_campaigns,
    upsert,
)
from models.base import utcnow
from models.db import get_engine
from models.marketing_rollups import roll_up_hours
from models.settings import get_settings
from models.transfer import legacy_files as files
from models.transfer.ad_logs import ParsedLog, parse_log, rows_of
from models.transfer.catalog_in import ProductIn, product_from, store_orders, store_products
from models.transfer.customers_in import store_customers
from models.transfer.fields import Fields, Problem
from models.transfer.records import customer_from

BATCH_ROWS = 50_000
LEGACY_ACCOUNT = "act_legacy"
OBJECT_NAMES = {"campaign": "a campaign", "ad_set": "an ad set", "ad": "an ad"}


def import_legacy(root: Path, dry_run: bool = False, progress: files.Progress | None = None) -> dict[str, Any]:
    """Import everything under `root`; returns the summary (see `vschool import legacy`)."""
    layout = files.find_layout(root)
    say = progress or (lambda stage, done, total: None)
    problems: list[Problem] = []
    now = utcnow()
    summary: dict[str, Any] = {"root": str(root), "dry_run": dry_run}
    with Session(get_engine(), expire_on_commit=False) as session:
        pg = driver_connection(session)
        seconds: dict[str, float] = {}
        started = time.perf_counter()
        summary["catalog"] = _catalog(pg, layout, problems)
        seconds["catalog"], started = time.perf_counter() - started, time.perf_counter()
        summary["customers"], summary["orders"] = _customers(pg, layout, now, problems, say)
        seconds["customers"], started = time.perf_counter() - started, time.perf_counter()
        summary["ad_logs"] = _ad_logs(session, pg, layout, problems, say)
        seconds["ad_logs"] = time.perf_counter() - started
        summary["seconds"] = {k: round(v, 3) for k, v in seconds.items()}
        summary["problem_count"] = len(problems)
        summary["problems"] = [p.as_dict() for p in problems]
        if dry_run:
            session.rollback()
        else:
            counts = {k: v for k, v in summary.items() if k not in ("problems", "root")}
            audit(session, None, "import.legacy", "import", str(root), **_brief(counts))
            session.commit()
    return summary


def _brief(summary: dict[str, Any]) -> dict[str, Any]:
    """The summary without its long lists, for the audit trail."""
    return {k: ({kk: vv for kk, vv in v.items() if not isinstance(vv, list)} if isinstance(v, dict) else v) for k, v in summary.items()}


def _catalog(pg: psycopg.Connection, layout: files.Layout, problems: list[Problem]) -> dict[str, Any]:
    by_sku: dict[str, ProductIn] = {}
    pictures = files.pictures(layout)
    for path, kind in files.product_files(layout):
        data = files.load_json(path, layout, problems)
        if data is None:
            continue
        items = data if isinstance(data, list) else (rows_of(data) if rows_of(data) is not None else [data])
        for n, item in enumerate(items):
            if not isinstance(item, dict):
                problems.append(Problem(layout.rel(path), f"[{n}]", "not a product (expected a JSON object)"))
                continue
            product = product_from(item, layout.rel(path), kind, problems)
            if product:
                product.picture_url = product.picture_url or pictures.get(product.sku)
                by_sku[product.sku] = product  # the per-kind file, read last, wins over the snapshot of all
    return {**store_products(pg, list(by_sku.values())), "pictures": len(pictures)}


def _customers(pg: psycopg.Connection, layout: files.Layout, now: datetime, problems: list[Problem],
               say: files.Progress) -> tuple[dict[str, Any], dict[str, Any]]:
    found, mirrored = files.read_customer_files(layout, problems, say)
    records = [customer_from(f.record, f.source, problems, fallback_id=f.key) for f in found]
    say("customers", 0, len(records))
    outcome = store_customers(pg, records, get_settings().page_id, now, problems)
    say("customers", len(records), len(records))
    orders = [(outcome.customer_of[id(rec)], order, rec.source, rec.label) for rec in records if id(rec) in outcome.customer_of
              for order in rec.orders]
    return {**outcome.as_dict(), "files": len(found) + mirrored, "mirrors_merged": mirrored}, store_orders(pg, orders, problems)


def _ad_logs(session: Session, pg: psycopg.Connection, layout: files.Layout, problems: list[Problem], say: files.Progress) -> dict[str, Any]:
    account = _ad_objects(pg, layout, problems)
    out: dict[str, Any] = {"left_as_sums": files.left_logs(layout)}
    days: list[date] = []
    for kind, target in (("daily", DAILY), ("hourly", HOURLY)):
        paths = files.log_files(layout, kind)
        stored = Stored()
        for parsed in _ahead(_parsed(paths, kind, layout, problems, say)):
            stored += _flush(pg, target, account, parsed, days if kind == "hourly" else None)
        out[kind] = {"files": len(paths), "rows": stored.received, "written": stored.written, "unchanged": stored.unchanged}
    if days:
        roll_up_hours(session, min(days), max(days))
    return out


def _parsed(paths: list[tuple[Path, date | None]], kind: str, layout: files.Layout, problems: list[Problem],
            say: files.Progress) -> Iterator[ParsedLog]:
    """The rows of the log files, about `BATCH_ROWS` at a time and whole files per batch (so
    each ad's day is in one batch and a first load can be COPYed straight in)."""
    parsed = ParsedLog()
    for n, (path, file_day) in enumerate(paths):
        data = files.load_json(path, layout, problems)
        if data is not None:
            parse_log(data, layout.rel(path), kind == "hourly", file_day, problems, parsed)
        if len(parsed.rows) >= BATCH_ROWS or n == len(paths) - 1:
            yield parsed
            parsed = ParsedLog(names=dict(parsed.names))
        if n % 20 == 0 or n == len(paths) - 1:
            say(f"{kind} ad logs", n + 1, len(paths))


def _ahead(batches: Iterator[ParsedLog], depth: int = 2) -> Iterator[ParsedLog]:
    """`batches` made in a thread, up to `depth` ahead: the files are read and parsed while
    PostgreSQL stores the batch before (it waits on the server with the GIL released)."""
    queue: Queue = Queue(maxsize=depth)
    done = object()

    def make() -> None:
        try:
            for batch in batches:
                queue.put(batch)
            queue.put(done)
        except BaseException as exc:  # handed to the consumer, which raises it
            queue.put(exc)

    Thread(target=make, name="legacy-log-reader", daemon=True).start()
    while (item := queue.get()) is not done:
        if isinstance(item, BaseException):
            raise item
        yield item


def _flush(pg: psycopg.Connection, target, account: str, parsed: ParsedLog, days: list[date] | None) -> Stored:
    if not parsed.rows:
        return Stored()
    add_unlisted(pg, account, parsed.names)
    stored = upsert(pg, target, parsed.rows)
    if days is not None and stored.written:
        days += [min(r[1] for r in parsed.rows), max(r[1] for r in parsed.rows)]
    return stored


def _ad_objects(pg: psycopg.Connection, layout: files.Layout, problems: list[Problem]) -> str:
    """Campaigns, ad sets and ads of the snapshots under `cache/ads/`; returns the ad account
    they belong to (the configured one, else a placeholder account for the old logs)."""
    account = get_settings().ad_account_id or LEGACY_ACCOUNT
    pg.execute("INSERT INTO ad_account (id, name, currency, timezone_name) VALUES (%s, %s, %s, %s) ON CONFLICT (id) DO NOTHING",
               (account, "Ad account (imported)", "THB", "Asia/Bangkok"))
    objects: dict[str, dict[str, tuple]] = {"campaign": {}, "ad_set": {}, "ad": {}}
    for kind in objects:
        folder = layout.under_cache("ads", kind)
        for path in sorted(folder.glob("*.json")) if folder else ():
            data = files.load_json(path, layout, problems)
            items = rows_of(data) if rows_of(data) is not None else [data] if isinstance(data, dict) else []
            for item in items:
                row = _ad_object(kind, Fields(item) if isinstance(item, dict) else Fields({}), account)
                if row is None:
                    problems.append(Problem(layout.rel(path), "id", f"{OBJECT_NAMES[kind]} with no id (digits), or no parent id"))
                else:
                    objects[kind][row[0]] = row
    store_campaigns(pg, list(objects["campaign"].values()))
    known_campaigns = {r[0] for r in pg.execute("SELECT id FROM campaign")}
    store_ad_sets(pg, [r for r in objects["ad_set"].values() if r[1] in known_campaigns])
    known_sets = {r[0] for r in pg.execute("SELECT id FROM ad_set")}
    store_ads(pg, [r for r in objects["ad"].values() if r[1] in known_sets and r[2] in known_campaigns])
    return account


def _ad_object(kind: str, fields: Fields, account: str) -> tuple | None:
    def text(*names: str) -> str:
        return str(fields.get(*names)[1] or "").strip()

    ident, name, status = text("id", f"{kind}_id", f"{kind}Id"), text("name", f"{kind}_name"), text("status", "effective_status") or "ACTIVE"
    if not ident.isdigit():
        return None
    if kind == "campaign":
        return (ident, account, name or ident, status[:30], text("objective")[:60] or None, None, None, None)
    campaign = text("campaign_id", "campaignId")
    if kind == "ad_set":
        return (ident, campaign, name or ident, status[:30], None, None) if campaign.isdigit() else None
    ad_set = text("adset_id", "adSetId", "ad_set_id")
    return (ident, ad_set, campaign, name or ident, status[:30]) if campaign.isdigit() and ad_set.isdigit() else None
