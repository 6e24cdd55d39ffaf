"""`vschool ai reply "…" --json` (the reply pipeline, dry: nothing stored, nothing sent) and
`vschool eval ai --json` (the pipeline over the evaluation set)."""

import argparse
import json
import sys

from knowledge.answer import Asker, answer
from models.db import session_scope


def run_ai_reply(args: argparse.Namespace) -> int:
    question = args.question.strip()
    if not question:
        print(
            'Give the customer\'s message, e.g. vschool ai reply "คอร์สซูชิราคาเท่าไหร่คะ" --json',
            file=sys.stderr,
        )
        return 2
    with session_scope() as session:
        reply = answer(session, question, Asker(name=args.name or "", language=args.language))
    out = reply.public()
    if args.json:
        print(json.dumps(out, ensure_ascii=False, default=str))
    else:
        print(
            f"{out['action']} (confidence {out['confidence']:.2f}, {reply.model}, {reply.latency_ms} ms)"
        )
        print(out["text"] or out.get("reason", ""))
        for s in out["sources"]:
            print(f"  · {s['source']} #{s['chunk']} ({s['score']:.2f})")
    return 0


def _calibrate(schools: list[str]) -> int:
    """Fit the confidence map on these schools' sets (never a held-out one) and keep it."""
    from knowledge.calibration import fit, save
    from knowledge.evaluate_ai import HELD_OUT, SETS, evaluate

    unknown = [s for s in schools if s not in {p.stem for p in SETS} - set(HELD_OUT)]
    if unknown:
        print(f"Not a tunable school's set: {', '.join(unknown)} (held out, or no knowledge/eval/NAME.json).", file=sys.stderr)
        return 2
    result = evaluate(paths=[p for p in SETS if p.stem in schools])
    samples = [tuple(s) for school in result["schools"].values() for s in school["samples"]]
    points = fit(samples)
    save(points, len(samples), list(result["schools"]))
    print(json.dumps({"calibrated_on": list(result["schools"]), "answers": len(samples), "knots": points}))
    return 0


def run_eval_ai(args: argparse.Namespace) -> int:
    """Both schools (or --questions): the figures as JSON; without --json the misses go to stderr."""
    from knowledge.evaluate_ai import evaluate

    if args.calibrate:
        return _calibrate(args.calibrate)
    result = evaluate(questions_path=args.questions, limit=args.limit)
    for school in result["schools"].values():
        school.pop("samples", None)
        misses = school.pop("misses", [])
        if not args.json:
            for row in misses:
                print(json.dumps(row, ensure_ascii=False), file=sys.stderr)
    print(
        json.dumps(result, ensure_ascii=False)
        if args.json
        else json.dumps(result, ensure_ascii=False, indent=2)
    )
    return 0
