"""`vschool eval ai --json`: the reply pipeline over each school's evaluation set, judged on
content.

Fourteen schools by default, each evaluated in its own database, so one school's catalog can
never answer another's question:
- the demo school (`knowledge/eval/questions.json`: its documents, its catalog and school
  facts), tuned on;
- thirteen documents-only schools (`knowledge/eval/NAME.json`, Thai and English), each written
  before it was tuned on (all but the first, Baitong, by an engineer who read neither the answer
  pipeline nor the other schools) and run once on the untouched code before anyone read its
  misses (ADR 012). The last pair written is
  `HELD_OUT`: never tuned on, the figures that say how a new school would be answered;
  whoever tunes on them writes the next pair first.

The demo school's set also asks for the next round and seats left: the eval schedules and books
that school's rounds in its fresh database (`knowledge.eval_rounds`) and fills the expected dates
and seat counts from those rows, so the answers are judged against today's data.

Per school and per language: `right` (a reply stating every expected fact; a fact "a|b" is
stated by either), `wrong` (a reply that does not), `handed_off`, each as a share of the
answerable questions; the hand-off rate on unanswerable questions; reply latency p50/p95 (the
whole pipeline: retrieval, record, answer, guardrails); and the reliability table: for replies
at each confidence bucket, and at or above each threshold, the share that was right.
"""

import json
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SETS = [
    ROOT / "knowledge" / "eval" / "questions.json",
    ROOT / "knowledge" / "eval" / "baitong.json",
    ROOT / "knowledge" / "eval" / "casalimone.json",
    ROOT / "knowledge" / "eval" / "lungkee.json",
    ROOT / "knowledge" / "eval" / "maisonmali.json",
    ROOT / "knowledge" / "eval" / "seoultable.json",
    ROOT / "knowledge" / "eval" / "spiceroute.json",
    ROOT / "knowledge" / "eval" / "crumbcrema.json",
    ROOT / "knowledge" / "eval" / "kinako.json",
    ROOT / "knowledge" / "eval" / "ruenmalai.json",
    ROOT / "knowledge" / "eval" / "andaman.json",
    ROOT / "knowledge" / "eval" / "greenleaf.json",
    ROOT / "knowledge" / "eval" / "udon.json",
    ROOT / "knowledge" / "eval" / "levant.json",
]
HELD_OUT = ("udon", "levant")  # never tuned on: whoever tunes on them writes new schools first
QUESTIONS = SETS[0]
BUCKETS = [0.5, 0.6, 0.7, 0.8, 0.9, 1.01]


def evaluate(
    questions_path: str | Path | None = None, limit: int | None = None, paths: list[Path] | None = None
) -> dict[str, Any]:
    """Every evaluation set (or the one given), each school in its own database."""
    from vschool.bench import bench_services

    paths = paths or ([Path(questions_path)] if questions_path else SETS)
    out: dict[str, Any] = {"eval": "ai", "schools": {}}
    with bench_services():
        for path in paths:
            spec = json.loads(path.read_text())
            school = spec.get("school") or path.stem
            with school_database(school):
                result = run_eval(spec, limit)
            out["model"], out["gemini"] = result.pop("model"), result.pop("gemini")
            out["schools"][school] = result | {"held_out": school in HELD_OUT}
    return out


class school_database:
    """A fresh, migrated database for one school on the running server; DATABASE_URL points at
    it meanwhile (and back afterwards)."""

    def __init__(self, school: str) -> None:
        self.name = "eval_" + "".join(ch for ch in school.lower() if ch.isalnum())

    def __enter__(self) -> str:
        import os

        import sqlalchemy as sa

        from models.db import reset_engine
        from models.settings import get_settings
        from vschool.migrations import upgrade_to_head

        self.before = os.environ["DATABASE_URL"]
        url = sa.engine.make_url(self.before)
        admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
            connection.execute(sa.text(f'CREATE DATABASE "{self.name}"'))
        admin.dispose()
        os.environ["DATABASE_URL"] = url.set(database=self.name).render_as_string(
            hide_password=False
        )
        get_settings.cache_clear()
        reset_engine()
        _forget_caches()
        upgrade_to_head()
        return self.name

    def __exit__(self, *exc: object) -> None:
        import os

        from models.db import reset_engine
        from models.settings import get_settings

        os.environ["DATABASE_URL"] = self.before
        get_settings.cache_clear()
        reset_engine()
        _forget_caches()


def _forget_caches() -> None:
    from knowledge import lines, search

    search._vectors.clear()
    lines._indexes.clear()


def stated(fact: str, text: str) -> bool:
    """Does the reply state the fact (any of its "|" alternatives), ignoring case?"""
    lowered = text.lower()
    return any(alternative.lower() in lowered for alternative in fact.split("|"))


def run_eval(spec: dict[str, Any], limit: int | None = None) -> dict[str, Any]:
    """The figures for one school, in the current database."""
    from knowledge.answer import Asker, answer
    from knowledge.eval_rounds import expected_facts, seed_rounds
    from knowledge.ingest import ingest_paths
    from models.db import session_scope
    from models.settings import get_settings
    from vschool.demo import load_catalog, load_school_facts

    kb = spec.get("knowledge_base") or "knowledge/school"
    with session_scope() as session:
        ingest_paths(session, [str(ROOT / kb) if not Path(kb).is_absolute() else kb])
        if spec.get("record") == "demo":
            load_catalog(session)
            load_school_facts(session)
        if spec.get("rounds") == "demo":  # rounds scheduled and booked now, in this database
            session.flush()
            seed_rounds(session)
    questions = spec["questions"][:limit] if limit else spec["questions"]
    rows: list[dict[str, Any]] = []
    model = ""
    with session_scope() as session:  # round placeholders filled from the rows inserted above
        questions = [
            q | {"facts": expected_facts(session, q.get("facts") or [], q.get("lang") or "en")}
            for q in questions
        ]
    for q in questions:
        started = time.perf_counter()
        with session_scope() as session:
            reply = answer(session, q["question"], Asker(language=q.get("lang")))
        elapsed = (time.perf_counter() - started) * 1000
        model = reply.model
        replied = reply.action == "reply"
        candidate = reply.text or reply.extra.get("rejected_text", "")  # judged even below the threshold
        says = bool(q.get("source")) and bool(candidate) and all(stated(f, candidate) for f in q.get("facts") or [])
        rows.append(
            {
                "q": q,
                "replied": replied,
                "right": replied and says,
                "confidence": reply.confidence,
                "ms": elapsed,
                "reply": reply,
                "sample": {  # a candidate read from the documents: what `--calibrate` fits on
                    "signals": reply.extra["signals"],
                    "asked": next(iter(reply.extra["asked"]), ""),
                    "right": says,
                }
                if "signals" in reply.extra
                else None,
            }
        )
    result = figures(rows)
    result |= {
        "model": model,
        "gemini": get_settings().gemini_api_key is not None,
        "knowledge_base": kb,
    }
    return result


def _shares(rows: list[dict[str, Any]]) -> dict[str, Any]:
    answerable = [r for r in rows if r["q"].get("source")]
    unanswerable = [r for r in rows if not r["q"].get("source")]
    n = len(answerable) or 1
    right = sum(r["right"] for r in answerable)
    wrong = sum(r["replied"] and not r["right"] for r in answerable)
    handed = sum(not r["replied"] for r in answerable)
    out = {
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
        "right": round(right / n, 3),
        "wrong": round(wrong / n, 3),
        "handed_off": round(handed / n, 3),
        "unanswerable_handed_off": round(
            sum(not r["replied"] for r in unanswerable) / len(unanswerable), 3
        )
        if unanswerable
        else None,
    }
    return out


def figures(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Shares overall and per language, latency, the reliability table and the misses."""
    from vschool.bench import percentile

    out = _shares(rows)
    out["by_language"] = {
        lang: _shares([r for r in rows if r["q"].get("lang") == lang]) for lang in ("th", "en")
    }
    latencies = [r["ms"] for r in rows]
    out["p50_ms"], out["p95_ms"] = (
        round(percentile(latencies, 0.5), 1),
        round(percentile(latencies, 0.95), 1),
    )
    replied = [r for r in rows if r["replied"]]
    table = []
    for low, high in zip(BUCKETS, BUCKETS[1:], strict=False):
        inside = [r for r in replied if low <= r["confidence"] < high]
        at_least = [r for r in replied if r["confidence"] >= low]
        table.append(
            {
                "confidence": f"{low:.1f}–{min(high, 1.0):.1f}",
                "replies": len(inside),
                "right_share": round(sum(r["right"] for r in inside) / len(inside), 3)
                if inside
                else None,
                "replies_at_or_above": len(at_least),
                "right_share_at_or_above": round(
                    sum(r["right"] for r in at_least) / len(at_least), 3
                )
                if at_least
                else None,
            }
        )
    out["reliability"] = table
    out["calibration_error"] = round(  # replies' mean |confidence − right|, bucket by bucket
        sum(
            abs(sum(r["confidence"] for r in inside) - sum(r["right"] for r in inside))
            for low, high in zip(BUCKETS, BUCKETS[1:], strict=False)
            if (inside := [r for r in replied if low <= r["confidence"] < high])
        )
        / len(replied),
        3,
    ) if replied else None
    out["samples"] = [r["sample"] for r in rows if r["sample"] is not None]  # for the calibration
    out["misses"] = [
        _miss(r)
        for r in rows
        if (r["q"].get("source") and not r["right"]) or (not r["q"].get("source") and r["replied"])
    ]
    return out


def _miss(row: dict[str, Any]) -> dict[str, Any]:
    q, reply = row["q"], row["reply"]
    return {
        "id": q["id"],
        "question": q["question"],
        "expected": q.get("facts"),
        "action": reply.action,
        "confidence": round(reply.confidence, 3),
        "text": reply.text[:300],
        "reason": str(reply.reason)[:300],
    }
