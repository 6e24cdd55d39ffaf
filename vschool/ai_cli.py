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


def _calibrate(pair: list[str]) -> int:
    """Fit the confidence model on every tunable school but these two, and the calibration map
    on these two (the last held-out pair, before anyone tunes on them); keep both."""
    from knowledge import calibration, confidence
    from knowledge.evaluate_ai import HELD_OUT, SETS, evaluate

    tunable = [p for p in SETS if p.stem not in HELD_OUT]
    unknown = [s for s in pair if s not in {p.stem for p in tunable}]
    if unknown:
        print(f"Not a tunable school's set: {', '.join(unknown)} (held out, or no knowledge/eval/NAME.json).", file=sys.stderr)
        return 2
    result = evaluate(paths=tunable)
    rest = [name for name in result["schools"] if name not in pair]
    samples = {name: school["samples"] for name, school in result["schools"].items()}
    training = [s for name in rest for s in samples[name]]
    fitted = confidence.fit(training)
    confidence.save(fitted, len(training), rest, f"fitted before tuning on {' and '.join(pair)}")
    held = [(confidence.likely_right(s["signals"], s["asked"], fitted), s["right"]) for name in pair for s in samples[name]]
    points = calibration.fit(held)
    calibration.save(points, len(held), pair, f"the confidence model's output on {' and '.join(pair)}, before tuning on them")
    print(json.dumps({"model_fitted_on": rest, "answers": len(training), "calibrated_on": pair, "calibration_answers": len(held), "knots": points}))
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
