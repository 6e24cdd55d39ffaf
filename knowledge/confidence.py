"""How likely an answer read from the documents is right, from what the responder saw when it
chose the line: a logistic model over its signals, before calibration (`knowledge.calibration`).

The responder's own score multiplies hand-set factors (how much of the question the line covers,
whether it states the asked attribute, how far ahead of the next line it is). On schools nobody
had tuned on it told right answers from wrong ones barely better than chance (AUC 0.67 and 0.61,
session 15). The signals behind it, weighed by a model fitted on candidate answers judged on
content, tell them apart better (0.72 and 0.69 on the same schools, fitted without them): the
order of the factors matters, not only their product.

`vschool eval ai --calibrate A B` fits the weights on every tunable school except A and B (their
candidates, also those below the answer threshold, each judged right or wrong on content), then
the calibration map on A and B's model outputs. The weights are kept in `confidence.json`.
"""

import json
import math
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

MODEL = Path(__file__).with_name("confidence.json")
SIGNALS = (  # what `offline_responder` records for the part it is least sure of, and the whole answer
    "cover", "fit", "gap", "closeness", "own_cue", "about", "quoted", "total", "foreign", "line_len",
    "margin", "item", "label", "share", "unknown", "parts", "score", "words", "unknown_words",
    "record_parts", "thai",
)
LOGGED = ("line_len", "score")  # spread over orders of magnitude: their logarithm
RIDGE = 5.0  # pulls weights toward 0: fewer than 1,500 answers for 40-odd inputs
MIN_ASKED = 10  # an attribute asked fewer times in the fitting set gets no weight of its own
STEPS = 50  # Newton's method converges in a handful; the rest costs nothing


def inputs(signals: dict[str, float], asked: str, attributes: list[str]) -> list[float]:
    """The model's inputs: each signal (some as logarithms), then one per attribute it knows."""
    row = [
        math.log(max(signals.get(name, 0.0), 1e-3)) if name in LOGGED else float(signals.get(name, 0.0))
        for name in SIGNALS
    ]
    return row + [1.0 if asked == a else 0.0 for a in attributes]


@lru_cache(maxsize=1)
def model() -> dict[str, Any] | None:
    return json.loads(MODEL.read_text()) if MODEL.exists() else None


def likely_right(signals: dict[str, float], asked: str, fitted: dict[str, Any] | None = None) -> float:
    """The model's chance that this answer is right; the responder's score when there is no model."""
    fitted = fitted or model()
    if fitted is None:
        return signals.get("score", 0.0)
    row = inputs(signals, asked, fitted["attributes"])
    z = fitted["bias"] + sum(
        w * (x - m) / s for w, x, m, s in zip(fitted["weights"], row, fitted["mean"], fitted["scale"], strict=True)
    )
    return 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))


def fit(samples: list[dict[str, Any]]) -> dict[str, Any]:
    """Weights of a ridge logistic regression (Newton's method) on candidate answers:
    {"signals", "asked", "right"} each."""
    counts: dict[str, int] = {}
    for s in samples:
        counts[s["asked"]] = counts.get(s["asked"], 0) + 1
    attributes = sorted(a for a, n in counts.items() if n >= MIN_ASKED and a)
    x = np.array([inputs(s["signals"], s["asked"], attributes) for s in samples])
    y = np.array([float(s["right"]) for s in samples])
    mean, spread = x.mean(axis=0), x.std(axis=0)
    scale = np.where(spread > 1e-6, spread, 1.0)  # a signal that never varies: weighed as it is
    z = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
    ridge = RIDGE * np.diag(np.r_[np.ones(z.shape[1] - 1), 0.0])  # the bias is not pulled
    w = np.zeros(z.shape[1])
    for _ in range(STEPS):
        p = 1 / (1 + np.exp(-(z @ w)))
        gradient = z.T @ (p - y) + ridge @ w
        hessian = (z * (p * (1 - p))[:, None]).T @ z + ridge
        w -= np.linalg.solve(hessian, gradient)
    return {
        "signals": list(SIGNALS),
        "attributes": attributes,
        "mean": [round(float(v), 6) for v in mean],
        "scale": [round(float(v), 6) for v in scale],
        "weights": [round(float(v), 6) for v in w[:-1]],
        "bias": round(float(w[-1]), 6),
    }


def save(fitted: dict[str, Any], answers: int, schools: list[str], note: str = "") -> None:
    """Keep the weights, with what they were fitted on."""
    kept = {"fitted_on": schools, "note": note, "answers": answers} | fitted
    lines = (f" {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}" for key, value in kept.items())
    MODEL.write_text("{\n" + ",\n".join(lines) + "\n}\n")
    model.cache_clear()
