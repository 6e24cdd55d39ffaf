"""The team reports' figures for a date range (Asia/Bangkok days), read from the facts written
when things happened (models/report_facts.py, models/csat.py; ADR 018).

- opened / reopened / resolved: periods started (new or reopened) and ended in the range;
- first response and resolution: median and p90 in business minutes (PostgreSQL's
  `percentile_cont`, linear between neighbours), overall and by agent, team, label, channel and
  source ad (as the period's latest fact found them) — first responses dated by the reply,
  resolutions by the resolution;
- CSAT by agent (answers dated by the tap), volume by weekday × hour (periods started, local
  time), AI outcomes (auto-sent, drafts sent as they were, edited, handed off).
Every query is a range read on an index over those facts, so its cost follows the range, not
the history.
"""

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session

from models.db import session_scope
from models.settings import get_settings

DIMENSIONS = ("agent", "team", "label", "channel", "source_ad")
WEEKDAYS = 7


@dataclass(frozen=True)
class Range:
    """[start, end) instants of whole local days `since`..`until`."""

    since: date
    until: date

    def bounds(self) -> tuple[datetime, datetime]:
        tz = ZoneInfo(get_settings().timezone)
        return datetime.combine(self.since, time(0), tz), datetime.combine(self.until + timedelta(days=1), time(0), tz)


def _timing_sql(at: str, value: str, agent: str) -> sa.TextClause:
    """Median and p90 (from one sort) and count of one timing, overall and per dimension value."""
    return sa.text(
        f"""
        WITH f AS (
            SELECT {value} AS v, {agent}::text AS agent, team_id::text AS team, channel, source_ad_id AS source_ad, conversation_id
            FROM conversation_period WHERE {at} >= :start AND {at} < :end AND {value} IS NOT NULL
        ), labelled AS (
            SELECT l.name AS label, f.v FROM f
            JOIN conversation_label cl ON cl.conversation_id = f.conversation_id JOIN label l ON l.id = cl.label_id
        )
        SELECT 'all' AS dim, '' AS key, percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY v), count(*) FROM f
        UNION ALL
        SELECT CASE WHEN GROUPING(agent) = 0 THEN 'agent' WHEN GROUPING(team) = 0 THEN 'team' WHEN GROUPING(channel) = 0
                    THEN 'channel' ELSE 'source_ad' END,
               coalesce(agent, team, channel, source_ad, ''),
               percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY v), count(*)
        FROM f GROUP BY GROUPING SETS ((agent), (team), (channel), (source_ad))
        UNION ALL
        SELECT 'label', label, percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY v), count(*)
        FROM labelled GROUP BY label
        """
    )


_FIRST_RESPONSE = _timing_sql("first_response_at", "first_response_min", "first_responder_id")
_RESOLUTION = _timing_sql("resolved_at", "resolution_min", "agent_id")
_COUNTS = sa.text(
    """
    SELECT (SELECT count(*) FILTER (WHERE NOT reopened) FROM conversation_period WHERE started_at >= :start AND started_at < :end),
           (SELECT count(*) FILTER (WHERE reopened) FROM conversation_period WHERE started_at >= :start AND started_at < :end),
           (SELECT count(*) FROM conversation_period WHERE resolved_at >= :start AND resolved_at < :end)
    """
)
_HEATMAP = sa.text(
    """
    SELECT started_slot / 24, started_slot % 24, count(*)
    FROM conversation_period WHERE started_at >= :start AND started_at < :end GROUP BY started_slot
    """
)
_CSAT = sa.text(
    """
    SELECT agent_id::text, count(*), avg(score)::float, count(*) FILTER (WHERE score >= 4), count(comment)
    FROM csat_survey WHERE answered_at >= :start AND answered_at < :end GROUP BY agent_id
    """
)
_AI = sa.text("SELECT outcome, count(*) FROM ai_outcome_fact WHERE at >= :start AND at < :end GROUP BY outcome")
_NAMES = {
    "agent": sa.text("SELECT id::text, display_name FROM staff_user"),
    "team": sa.text("SELECT id::text, name FROM team"),
    "source_ad": sa.text("SELECT id, name FROM ad"),
}


def _timings(session: Session, query: sa.TextClause, params: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"all": {"median": None, "p90": None, "n": 0}, **{d: {} for d in DIMENSIONS}}
    for dim, key, (median, p90), n in session.execute(query, params):  # one sort gives both
        figures = {"median": median, "p90": p90, "n": n}
        if dim == "all":
            out["all"] = figures
        else:
            out[dim][key or ""] = figures
    return out


def _rest(session: Session, params: dict[str, Any]) -> dict[str, Any]:
    """Everything but the two timings: counts, heat map, CSAT by agent, AI outcomes."""
    opened, reopened, resolved = session.execute(_COUNTS, params).one()
    heat = [[0] * 24 for _ in range(WEEKDAYS)]
    for weekday, hour, n in session.execute(_HEATMAP, params):
        heat[weekday][hour] = n
    csat = {agent or "": {"n": n, "average": avg, "satisfied": sat, "comments": comments} for agent, n, avg, sat, comments in session.execute(_CSAT, params)}
    return {"opened": opened, "reopened": reopened, "resolved": resolved, "csat": csat, "heatmap": heat, "ai": dict(session.execute(_AI, params).all())}


def _params(span: Range) -> dict[str, Any]:
    start, end = span.bounds()
    return {"start": start, "end": end}


def figures(session: Session, span: Range) -> dict[str, Any]:
    """Every figure of the reports page for one date range (keys as ids; `names` names them)."""
    params = _params(span)
    return {**_rest(session, params), "first_response": _timings(session, _FIRST_RESPONSE, params),
            "resolution": _timings(session, _RESOLUTION, params)}


def _in_own_session(fn: Callable[[Session], dict[str, Any]]) -> dict[str, Any]:
    with session_scope() as session:
        return fn(session)


def figures_at_once(span: Range) -> dict[str, Any]:
    """`figures`, as the page reads them: the two timings and the rest on three pooled
    connections at once. Each timing is one sort-bound query on one core; side by side the page
    waits for the slowest, not for the sum."""
    params = _params(span)
    with ThreadPoolExecutor(max_workers=3) as pool:
        first = pool.submit(_in_own_session, lambda s: _timings(s, _FIRST_RESPONSE, params))
        resolution = pool.submit(_in_own_session, lambda s: _timings(s, _RESOLUTION, params))
        rest = pool.submit(_in_own_session, lambda s: _rest(s, params))
        return {**rest.result(), "first_response": first.result(), "resolution": resolution.result()}


def names(session: Session) -> dict[str, dict[str, str]]:
    """Display names for the ids the figures use (staff, teams, ads)."""
    return {dim: dict(session.execute(query).all()) for dim, query in _NAMES.items()}
