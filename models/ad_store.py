"""Writing what the ad sync read: the ad account, campaigns, ad sets, ads and their daily and
hourly insights, as idempotent bulk upserts.

Each batch is COPYed (text format) into a temporary table, then merged with one
`INSERT … ON CONFLICT … DO UPDATE … WHERE (…) IS DISTINCT FROM (…)` whose source leaves out the
rows already stored as they are: a row that did not change is not rewritten, nor even locked
(no new row version, no WAL, `synced_at` kept), so re-syncing the same days costs little and writing the same batch twice leaves the same table. A batch of insights none
of whose ads has a row on its days yet (a backfill, a first load) is COPYed straight into the
table instead, which is about 1.7× faster; should a row turn out to exist after all (a
concurrent writer), that COPY is undone and the batch merged as above. Ad set and campaign
figures are not stored: they are sums over the ad rows (the analytics queries roll them up).

The functions take a psycopg connection inside the caller's transaction and never commit:
a batch is all written or not at all. `driver_connection(session)` gives the one under a
SQLModel session.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql
from sqlmodel import Session


@dataclass
class Stored:
    received: int = 0
    written: int = 0  # inserted or changed; the rest were already there, unchanged

    @property
    def unchanged(self) -> int:
        return self.received - self.written

    def __iadd__(self, other: "Stored") -> "Stored":
        self.received += other.received
        self.written += other.written
        return self


@dataclass(frozen=True)
class Target:
    table: str
    columns: tuple[str, ...]
    key: tuple[str, ...]
    stamp: str | None = "synced_at"  # set to now() on insert and on change
    by_ad_and_day: bool = False  # rows start with (ad_id, day): new batches may go straight in


ACCOUNT = Target("ad_account", ("id", "name", "currency", "timezone_name"), ("id",), stamp=None)
CAMPAIGN = Target("campaign", ("id", "ad_account_id", "name", "status", "objective", "daily_budget", "lifetime_budget", "created_time"), ("id",))
AD_SET = Target("ad_set", ("id", "campaign_id", "name", "status", "daily_budget", "lifetime_budget"), ("id",))
AD = Target("ad", ("id", "ad_set_id", "campaign_id", "name", "status"), ("id",))
DAILY = Target("ad_insight_daily", ("ad_id", "day", "spend", "impressions", "clicks", "reach", "leads", "actions", "action_values", "purchase_roas"), ("ad_id", "day"), by_ad_and_day=True)
HOURLY = Target("ad_insight_hourly", ("ad_id", "day", "hour", "spend", "impressions", "clicks", "leads"), ("ad_id", "day", "hour"), by_ad_and_day=True)


def driver_connection(session: Session) -> psycopg.Connection:
    """The psycopg connection under a session, in the session's transaction."""
    return session.connection().connection.driver_connection


def _copy(conn: psycopg.Connection, table: sql.Identifier, columns: sql.Composable, rows: list[Sequence[Any]]) -> None:
    with conn.cursor().copy(sql.SQL("COPY {} ({}) FROM STDIN").format(table, columns)) as copy:
        for row in rows:
            copy.write_row(row)


def _all_new(conn: psycopg.Connection, target: Target, rows: list[Sequence[Any]]) -> bool:
    """No row yet for any of the batch's ads on that ad's days (one index probe per ad)."""
    spans: dict[str, list[Any]] = {}
    for row in rows:
        ad_id, day = row[0], row[1]
        span = spans.get(ad_id)
        if span is None:
            spans[ad_id] = [day, day]
        elif day < span[0]:
            span[0] = day
        elif day > span[1]:
            span[1] = day
    query = sql.SQL(
        "SELECT NOT EXISTS (SELECT 1 FROM unnest(%s::text[], %s::date[], %s::date[]) AS b(ad_id, first_day, last_day) "
        "JOIN {} AS t ON t.ad_id = b.ad_id AND t.day BETWEEN b.first_day AND b.last_day)"
    ).format(sql.Identifier(target.table))
    ads = list(spans)
    return conn.execute(query, (ads, [spans[a][0] for a in ads], [spans[a][1] for a in ads])).fetchone()[0]


def whole_days(rows: list[Sequence[Any]]) -> tuple[list[Sequence[Any]], list[Sequence[Any]]]:
    """Split a batch before its last (ad, day): callers that flush in batches keep each ad's
    day in one batch, so a new day can take the straight-in COPY."""
    cut = len(rows)
    if cut:
        last = rows[-1][:2]
        while cut and rows[cut - 1][:2] == last:
            cut -= 1
    return (rows[:cut], rows[cut:]) if cut else (rows, [])


def upsert(conn: psycopg.Connection, target: Target, rows: Iterable[Sequence[Any]]) -> Stored:
    """Store `rows` (tuples in `target.columns` order): merged through a temporary table, or
    COPYed straight in when none can exist yet."""
    rows = rows if isinstance(rows, list) else list(rows)
    if not rows:
        return Stored()
    table = sql.Identifier(target.table)
    columns = sql.SQL(", ").join(map(sql.Identifier, target.columns))
    if target.by_ad_and_day and _all_new(conn, target, rows):
        try:
            with conn.transaction():
                _copy(conn, table, columns, rows)
            return Stored(len(rows), len(rows))
        except psycopg.errors.UniqueViolation:
            pass  # some exist after all (or the batch repeats a key): merge below
    temp = sql.Identifier(f"_incoming_{target.table}")
    conn.execute(sql.SQL("CREATE TEMP TABLE IF NOT EXISTS {} (LIKE {} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS").format(temp, table))
    conn.execute(sql.SQL("TRUNCATE {}").format(temp))
    _copy(conn, temp, columns, rows)
    received = len(rows)
    values = [c for c in target.columns if c not in target.key]
    updates = [sql.SQL("{0} = EXCLUDED.{0}").format(sql.Identifier(c)) for c in values]
    if target.stamp:
        updates.append(sql.SQL("{} = now()").format(sql.Identifier(target.stamp)))
    # Rows already stored as they are are left out before the INSERT: ON CONFLICT DO UPDATE would
    # lock (and so write) each of them even when its WHERE then skips the update.
    merge = sql.SQL(
        "INSERT INTO {table} AS t ({columns}) SELECT {columns} FROM {source} AS s "
        "WHERE NOT EXISTS (SELECT 1 FROM {table} AS x WHERE {same_key} AND ({kept}) IS NOT DISTINCT FROM ({incoming})) "
        "ON CONFLICT ({key}) DO UPDATE SET {updates} WHERE ({old}) IS DISTINCT FROM ({new})"
    )
    parts = {
        "table": table,
        "columns": columns,
        "key": sql.SQL(", ").join(map(sql.Identifier, target.key)),
        "same_key": sql.SQL(" AND ").join(sql.SQL("x.{0} = s.{0}").format(sql.Identifier(c)) for c in target.key),
        "kept": sql.SQL(", ").join(sql.SQL("x.{}").format(sql.Identifier(c)) for c in values),
        "incoming": sql.SQL(", ").join(sql.SQL("s.{}").format(sql.Identifier(c)) for c in values),
        "updates": sql.SQL(", ").join(updates),
        "old": sql.SQL(", ").join(sql.SQL("t.{}").format(sql.Identifier(c)) for c in values),
        "new": sql.SQL(", ").join(sql.SQL("EXCLUDED.{}").format(sql.Identifier(c)) for c in values),
    }
    try:
        with conn.transaction():  # a savepoint: the fallback below runs in the same transaction
            written = conn.execute(merge.format(source=temp, **parts)).rowcount
    except psycopg.errors.CardinalityViolation:
        # The same key twice in one batch (an overlap after a retried range): keep one of each.
        distinct = sql.SQL("(SELECT DISTINCT ON ({key}) * FROM {temp})").format(key=parts["key"], temp=temp)
        written = conn.execute(merge.format(source=distinct, **parts)).rowcount
    return Stored(received, written)


def add_unlisted(conn: psycopg.Connection, account_id: str, ads: dict[str, tuple[str, str, str, str, str]]) -> int:
    """Ads that have figures but that Meta's lists left out (its edges skip archived and deleted
    objects), with their ad sets and campaigns, named from their insight rows:
    `{ad_id: (ad_name, adset_id, adset_name, campaign_id, campaign_name)}`. Objects already
    stored are left as they are. Returns how many ads were added."""
    known = {row[0] for row in conn.execute("SELECT id FROM ad WHERE id = ANY(%s)", (list(ads),))}
    missing = {ad_id: names for ad_id, names in ads.items() if ad_id not in known and names[1] and names[3]}
    if not missing:
        return 0
    with conn.cursor() as cur:
        cur.executemany("INSERT INTO campaign (id, ad_account_id, name, status) VALUES (%s, %s, %s, 'ARCHIVED') ON CONFLICT (id) DO NOTHING",
                        sorted({(n[3], account_id, n[4] or n[3]) for n in missing.values()}))
        cur.executemany("INSERT INTO ad_set (id, campaign_id, name, status) VALUES (%s, %s, %s, 'ARCHIVED') ON CONFLICT (id) DO NOTHING",
                        sorted({(n[1], n[3], n[2] or n[1]) for n in missing.values()}))
        cur.executemany("INSERT INTO ad (id, ad_set_id, campaign_id, name, status) VALUES (%s, %s, %s, %s, 'ARCHIVED') ON CONFLICT (id) DO NOTHING",
                        sorted((ad_id, n[1], n[3], n[0] or ad_id) for ad_id, n in missing.items()))
    return len(missing)


def store_account(conn: psycopg.Connection, account_id: str, name: str, currency: str = "THB", timezone_name: str = "Asia/Bangkok") -> Stored:
    return upsert(conn, ACCOUNT, [(account_id, name, currency, timezone_name)])


def store_campaigns(conn: psycopg.Connection, rows: Iterable[Sequence[Any]]) -> Stored:
    return upsert(conn, CAMPAIGN, rows)


def store_ad_sets(conn: psycopg.Connection, rows: Iterable[Sequence[Any]]) -> Stored:
    return upsert(conn, AD_SET, rows)


def store_ads(conn: psycopg.Connection, rows: Iterable[Sequence[Any]]) -> Stored:
    return upsert(conn, AD, rows)


def store_daily(conn: psycopg.Connection, rows: Iterable[Sequence[Any]]) -> Stored:
    """Rows: (ad_id, day, spend, impressions, clicks, reach, leads, actions JSON, action_values
    JSON, purchase_roas)."""
    return upsert(conn, DAILY, rows)


def store_hourly(conn: psycopg.Connection, rows: Iterable[Sequence[Any]]) -> Stored:
    """Rows: (ad_id, day, hour, spend, impressions, clicks, leads)."""
    return upsert(conn, HOURLY, rows)
