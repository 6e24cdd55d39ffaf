"""`vschool eval ai --json`: the reply pipeline over the evaluation set
(`knowledge/eval/questions.json`: answerable questions with the document that answers them,
and questions the knowledge base cannot answer).

Figures: the answer rate on answerable questions (and how many of those answers came from the
right document and carry its key facts), the hand-off rate on unanswerable ones (target ≥ 0.9),
and the number of answers stating a price or date that their own sources and the catalog do not
(target 0; counted independently of the guardrail that should have stopped them), plus answers
in the wrong language and latency. Self-contained like the benches: the evaluation set's
knowledge base is ingested (unchanged documents are skipped) into the services `bench_services`
gives.
"""

import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "knowledge" / "eval" / "questions.json"


def evaluate(questions_path: str | Path | None = None, limit: int | None = None) -> dict[str, Any]:
    from vschool.bench import bench_services

    spec = json.loads(Path(questions_path or QUESTIONS).read_text())
    with bench_services():
        return run_eval(spec, limit)


def run_eval(spec: dict[str, Any], limit: int | None = None) -> dict[str, Any]:
    from knowledge.answer import Asker, answer
    from knowledge.ingest import ingest_paths
    from models.ai_rules import catalog_prices, detect_language, ungrounded
    from models.db import session_scope
    from models.settings import get_settings
    from vschool.bench import percentile

    kb = spec.get("knowledge_base") or "knowledge/school"
    with session_scope() as session:
        ingest_paths(session, [str(ROOT / kb) if not Path(kb).is_absolute() else kb])
        catalog = catalog_prices(session)
    questions = spec["questions"][:limit] if limit else spec["questions"]
    answerable = [q for q in questions if q.get("source")]
    unanswerable = [q for q in questions if not q.get("source")]
    answered = right_source = with_facts = handed_off = invented = wrong_language = 0
    latencies: list[float] = []
    failures: list[dict[str, Any]] = []
    model = ""
    for q in questions:
        with session_scope() as session:
            reply = answer(session, q["question"], Asker(language=q.get("lang")))
        model = reply.model
        latencies.append(reply.latency_ms)
        if reply.action == "reply":
            problems = ungrounded(reply.text, [s["text"] for s in reply.sources], catalog)
            invented += bool(problems)
            wrong_language += detect_language(reply.text, q.get("lang") or "en") != (q.get("lang") or "en")
            if problems:
                failures.append({"id": q["id"], "invented": problems, "text": reply.text})
        if q.get("source"):
            if reply.action == "reply":
                answered += 1
                if any(s["source"].endswith(q["source"]) for s in reply.sources):
                    right_source += 1
                if all(fact.lower() in reply.text.lower() for fact in q.get("facts") or []):
                    with_facts += 1
            else:
                failures.append({"id": q["id"], "question": q["question"], "handed_off": reply.reason, "confidence": reply.confidence})
        elif reply.action == "handoff":
            handed_off += 1
        else:
            failures.append({"id": q["id"], "question": q["question"], "answered_unanswerable": reply.text, "confidence": reply.confidence})
    return {
        "eval": "ai",
        "model": model,
        "gemini": get_settings().gemini_api_key is not None,
        "questions": len(questions),
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
        "answer_rate": round(answered / len(answerable), 3) if answerable else None,
        "answered_from_right_source_rate": round(right_source / len(answerable), 3) if answerable else None,
        "answered_with_key_facts_rate": round(with_facts / len(answerable), 3) if answerable else None,
        "handoff_rate_unanswerable": round(handed_off / len(unanswerable), 3) if unanswerable else None,
        "invented_price_or_date": invented,
        "wrong_language": wrong_language,
        "p50_ms": round(percentile(latencies, 0.5), 1),
        "p95_ms": round(percentile(latencies, 0.95), 1),
        "failures": failures,
    }
