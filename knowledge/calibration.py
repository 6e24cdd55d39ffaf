"""Confidence that means "probably right": the confidence model's output for an answer read from
the documents (`knowledge.confidence`), mapped to the share of such answers that were right on
schools nobody had tuned on.

A model fitted on the schools we tune on is optimistic for a new one: a school the responder
was tuned on is right more often (0.81 against 0.67 at the same score, session 14). So
`vschool eval ai --calibrate A B` fits this map on the last held-out pair *before* anyone tunes
on them, judging every candidate answer on content — also those below the answer threshold:
outputs pooled in bins of at least `MIN_BIN` answers, then adjacent bins merged while a higher
output would be right less often (pool-adjacent-violators). The knots are kept in
`calibration.json` beside this file; between knots the map is linear, beyond them flat. Facts
of record are not calibrated: they are the school's own data.
"""

import json
from bisect import bisect_right
from functools import lru_cache
from pathlib import Path

KNOTS = Path(__file__).with_name("calibration.json")
MIN_BIN = 40  # answers in a bin: fewer and one school's quirks decide its rate


@lru_cache(maxsize=1)
def knots() -> tuple[tuple[float, float], ...]:
    """(model output, share right) pairs, outputs ascending; none when the file is absent."""
    if not KNOTS.exists():
        return ()
    return tuple((float(x), float(y)) for x, y in json.loads(KNOTS.read_text())["knots"])


def calibrated(output: float) -> float:
    """The share of document answers with this model output that were right (the output itself
    when there is no calibration)."""
    points = knots()
    if not points:
        return output
    xs = [x for x, _ in points]
    i = bisect_right(xs, output)
    if i == 0:
        return points[0][1]
    if i == len(points):
        return points[-1][1]
    (x0, y0), (x1, y1) = points[i - 1], points[i]
    return round(y0 + (y1 - y0) * (output - x0) / (x1 - x0), 4)


def fit(samples: list[tuple[float, bool]]) -> list[tuple[float, float]]:
    """Knots of a monotone map from model output to share right: equal-count bins, then pooled
    where they break the order. Each knot is its bin's mean output and share right."""
    ordered = sorted(samples)
    size = max(MIN_BIN, len(ordered) // 12)
    bins = [ordered[i : i + size] for i in range(0, len(ordered), size)]
    if len(bins) > 1 and len(bins[-1]) < size // 2:  # a short last bin joins the one before
        bins[-2:] = [bins[-2] + bins[-1]]
    blocks: list[list[tuple[float, bool]]] = []
    for b in bins:
        blocks.append(b)
        while len(blocks) > 1 and _rate(blocks[-2]) > _rate(blocks[-1]):
            blocks[-2:] = [blocks[-2] + blocks[-1]]
    return [(round(sum(x for x, _ in b) / len(b), 4), round(_rate(b), 4)) for b in blocks]


def _rate(block: list[tuple[float, bool]]) -> float:
    return sum(right for _, right in block) / len(block)


def save(points: list[tuple[float, float]], samples: int, schools: list[str], note: str = "") -> None:
    """Keep the knots, with what they were fitted on."""
    knots_text = ",\n  ".join(json.dumps(list(p)) for p in points)
    KNOTS.write_text(
        f'{{"fitted_on": {json.dumps(schools)},\n "note": {json.dumps(note)},\n "answers": {samples},\n'
        f' "knots": [\n  {knots_text}\n ]}}\n'
    )
    knots.cache_clear()
