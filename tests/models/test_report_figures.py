"""The reports' figures equal a brute-force recomputation from the raw messages.

Conversations are generated through the product's own paths (webhook events applied as the
worker does, staff replies, AI replies sent by themselves or approved by a person, automated
messages, replies typed in Meta's Page inbox, resolutions, reopenings, CSAT taps) at random
whole-minute times. The test then recomputes every figure naively — periods from its own log of
resolutions and reopenings, first human replies by scanning the stored messages, business
minutes by walking minute by minute over the opening hours it set — and compares."""

import random
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from models import Conversation, ConversationLabel, Holiday, Label, Message, OpeningPeriod, Team
from models.ai_drafts import queue_ai_reply
from models.ai_rules import set_global_level
from models.csat import payload
from models.db import session_scope
from models.enums import Direction, Role, SenderKind
from models.inbox_queries import set_status
from models.reply_rules import ReplyRefused, queue_staff_reply
from models.reports import Range, figures, figures_at_once
from models.staff import StaffUser
from tests.messenger_helpers import envelope, ingest, text_event

pytestmark = pytest.mark.usefixtures("db")
PAGE = "1111111111"
BKK = ZoneInfo("Asia/Bangkok")
HOURS = ((time(9), time(12)), (time(13), time(18)))  # Monday to Saturday, lunch break between
CONVERSATIONS = 36


def _open_at(minute: datetime, holidays: set[date]) -> bool:
    local = minute.astimezone(BKK)
    return local.weekday() < 6 and local.date() not in holidays and any(a <= local.time() < b for a, b in HOURS)


def _walk(start: datetime, end: datetime, holidays: set[date]) -> float:
    """Business minutes the slow way: one minute at a time (all times are whole minutes)."""
    n, at = 0, start
    while at < end:
        n += _open_at(at, holidays)
        at += timedelta(minutes=1)
    return float(n)


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def _ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


def _setup(rng: random.Random) -> tuple[list[StaffUser], list[int], set[date]]:
    with session_scope() as s:
        set_global_level(s, 1, None)  # the AI only suggests: what it says is not under test here
        for weekday in range(6):
            for opens, closes in HOURS:
                s.add(OpeningPeriod(weekday=weekday, opens=opens, closes=closes))
        holiday = (datetime.now(BKK) - timedelta(days=12)).date()
        s.add(Holiday(day=holiday, name_en="Test holiday", name_th="วันหยุดทดสอบ"))
        staff = [StaffUser(email=f"agent{n}@vschool.test", display_name=f"Agent {n}", password_hash="x", role=Role.AGENT) for n in range(3)]
        teams = [Team(name="Front desk"), Team(name="Diploma")]
        s.add_all([*staff, *teams, Label(name="Corporate"), Label(name="Diploma")])
        s.flush()
        return staff, [t.id for t in teams], {holiday}


def _customer_says(psid: str, n: int, at: datetime, quick: str | None = None) -> None:
    event = text_event(psid, f"m_{psid}_{n}", "4 🙂" if quick else f"สอบถามคอร์ส {n}", _ms(at), PAGE)
    if quick:
        event["message"]["quick_reply"] = {"payload": quick}
    ingest(envelope(event, PAGE))


def _step(rng: random.Random, psid: str, cid: int, n: int, at: datetime, staff: list[StaffUser], log: dict) -> str:
    """One random thing happening to an open conversation; returns what happened."""
    what = rng.choice(["customer", "staff", "staff", "ai", "approved", "system", "page_inbox", "resolve", "resolve"])
    person = rng.choice(staff)
    try:
        with session_scope() as s:
            if what == "staff":
                queue_staff_reply(s, person, cid, "ได้เลยค่ะ", now=at)
            elif what in ("ai", "approved"):
                conversation = s.get(Conversation, cid, with_for_update=True)
                queue_ai_reply(s, conversation, "คำตอบจาก AI", now=at, approved_by=person if what == "approved" else None,
                               edited=what == "approved" and rng.random() < 0.5)
            elif what == "system":
                s.add(Message(conversation_id=cid, direction=Direction.OUTBOUND, sender_kind=SenderKind.SYSTEM, text="ข้อความอัตโนมัติ", sent_at=at))
            elif what == "resolve":
                set_status(s, cid, "resolved", by_id=person.id, now=at)
                log[cid].append((at, "resolve", person.id))
    except ReplyRefused:
        return "refused"
    if what == "customer":
        _customer_says(psid, n, at)
    elif what == "page_inbox":
        echo = {"sender": {"id": PAGE}, "recipient": {"id": psid}, "timestamp": _ms(at),
                "message": {"is_echo": True, "app_id": 26390203743090, "mid": f"m_pi_{psid}_{n}", "text": "ตอบจากเพจ"}}
        ingest(envelope(echo, PAGE))
    return what


def _conversation(rng: random.Random, k: int, staff: list[StaffUser], teams: list[int], log: dict) -> None:
    psid = f"psid-{k}"
    at = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(days=rng.randint(3, 30), minutes=rng.randint(0, 1440))
    _customer_says(psid, 0, at)
    with session_scope() as s:
        conversation = s.exec(select(Conversation).order_by(Conversation.id.desc())).first()
        cid = conversation.id
        conversation.team_id = rng.choice([None, *teams])
        conversation.source_ad_id = rng.choice([None, "ad-diploma", "ad-sushi"])
        conversation.channel = rng.choice(["facebook", "facebook", "instagram"])
        for label_id in rng.sample([1, 2], rng.randint(0, 2)):
            s.add(ConversationLabel(conversation_id=cid, label_id=label_id))
    log[cid].append((at, "start", None))
    resolved = False
    for n in range(1, rng.randint(4, 12)):
        at += timedelta(minutes=rng.choice([rng.randint(1, 90), rng.randint(60, 900), rng.randint(600, 3000)]))
        if resolved:
            with session_scope() as s:
                asked = s.exec(select(Message.id).where(Message.conversation_id == cid, Message.sender_kind == SenderKind.SYSTEM,
                                                        Message.text.contains("1 = "))).first()
            if asked and rng.random() < 0.5:
                _customer_says(psid, n, at, quick=payload(cid, rng.randint(1, 5)))
                continue
            with session_scope() as s:
                set_status(s, cid, "open", now=at)
            log[cid].append((at, "reopen", None))
            resolved = False
            continue
        resolved = _step(rng, psid, cid, n, at, staff, log) == "resolve"


def _human(m: Message) -> bool:
    return m.direction == Direction.OUTBOUND and (
        m.sender_kind in (SenderKind.STAFF, SenderKind.PAGE_INBOX) or (m.sender_kind == SenderKind.AI and m.staff_user_id is not None))


def _naive(log: dict, span: tuple[datetime, datetime], holidays: set[date]) -> dict:
    start, end = span
    inside = lambda t: start <= t < end  # noqa: E731
    frt, res, csat = defaultdict(list), defaultdict(list), defaultdict(list)
    counts = {"opened": 0, "reopened": 0, "resolved": 0}
    heat = [[0] * 24 for _ in range(7)]
    with session_scope() as s:
        for cid, events in log.items():
            c = s.get(Conversation, cid)
            dims = {"team": str(c.team_id or ""), "channel": c.channel, "source_ad": c.source_ad_id or ""}
            labels = list(s.exec(select(Label.name).join(ConversationLabel).where(ConversationLabel.conversation_id == cid)))
            messages = list(s.exec(select(Message).where(Message.conversation_id == cid).order_by(Message.sent_at, Message.id)))
            starts = [(t, kind) for t, kind, _ in events if kind in ("start", "reopen")]
            ends = [(t, who) for t, kind, who in events if kind == "resolve"]
            for i, (began, kind) in enumerate(starts):
                if inside(began):
                    counts["reopened" if kind == "reopen" else "opened"] += 1
                    local = began.astimezone(BKK)
                    heat[local.weekday()][local.hour] += 1
                ended = ends[i] if i < len(ends) else None
                first = next((m for m in messages if _human(m) and m.sent_at >= began and (ended is None or m.sent_at <= ended[0])), None)
                if first is not None and inside(first.sent_at):
                    value = _walk(began, first.sent_at, holidays)
                    for dim, key in [("all", ""), ("agent", str(first.staff_user_id or "")), *dims.items()] + [("label", lb) for lb in labels]:
                        frt[(dim, key)].append(value)
                if ended is not None and inside(ended[0]):
                    counts["resolved"] += 1
                    value = _walk(began, ended[0], holidays)
                    for dim, key in [("all", ""), ("agent", str(ended[1])), *dims.items()] + [("label", lb) for lb in labels]:
                        res[(dim, key)].append(value)
            question = next((m for m in messages if m.sender_kind == SenderKind.SYSTEM and "1 = " in (m.text or "")), None)
            tap = next((m for m in messages if (m.quick_reply_payload or "").startswith("CSAT:")), None)
            if question and tap and inside(tap.sent_at):
                asker = next(who for t, who in ends if t == question.sent_at)
                csat[str(asker)].append(int(tap.quick_reply_payload.rsplit(":", 1)[1]))
    return {"counts": counts, "heat": heat, "frt": frt, "res": res, "csat": csat}


def _flatten(timings: dict) -> dict:
    out = {("all", ""): timings["all"]}
    for dim in ("agent", "team", "label", "channel", "source_ad"):
        out.update({(dim, key): v for key, v in timings[dim].items()})
    return {k: v for k, v in out.items() if v["n"]}


def _expected(groups: dict) -> dict:
    return {k: {"median": pytest.approx(_pct(v, 0.5)), "p90": pytest.approx(_pct(v, 0.9)), "n": len(v)} for k, v in groups.items()}


def test_report_figures_equal_a_brute_force_recomputation_from_the_raw_messages() -> None:
    rng = random.Random(16)
    staff, teams, holidays = _setup(rng)
    log: dict = defaultdict(list)
    for k in range(CONVERSATIONS):
        _conversation(rng, k, staff, teams, log)
    today = datetime.now(BKK).date()
    span = Range(today - timedelta(days=24), today - timedelta(days=2))  # part of the history only
    naive = _naive(log, span.bounds(), holidays)
    with session_scope() as s:
        got = figures(s, span)
    assert figures_at_once(span) == got  # what the page reads: the same queries on three connections
    assert (got["opened"], got["reopened"], got["resolved"]) == tuple(naive["counts"].values())
    assert naive["counts"]["reopened"] > 0 and naive["counts"]["resolved"] > 5  # the data exercises what it should
    assert got["heatmap"] == naive["heat"]
    assert _flatten(got["first_response"]) == _expected(naive["frt"])
    assert _flatten(got["resolution"]) == _expected(naive["res"])
    assert {k: (v["n"], pytest.approx(v["average"])) for k, v in got["csat"].items()} == {
        k: (len(v), pytest.approx(sum(v) / len(v))) for k, v in naive["csat"].items()}
    assert naive["csat"], "some customers rated"
    assert len(naive["frt"][("all", "")]) > 10 and len(naive["res"][("label", "Corporate")]) > 2
