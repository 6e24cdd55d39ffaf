"""Confidence means "probably right": the map from the responder's score to the share of answers
that were right is monotone, never fitted on a held-out school, and applied to answers read
from documents, never to facts of record."""

import json
from pathlib import Path

import pytest

from knowledge.calibration import KNOTS, MIN_BIN, calibrated, fit, knots
from knowledge.evaluate_ai import HELD_OUT
from models.ai_rules import DOCUMENT_THRESHOLD
from tests.knowledge.invented import ask, ingest_pages


def test_the_fitted_map_pools_bins_that_break_the_order() -> None:
    # low scores right 1 in 4, a middle band right 3 in 4, then a band right less often (a quirk)
    samples = (
        [(0.2 + i / 1000, i % 4 == 0) for i in range(MIN_BIN)]
        + [(0.5 + i / 1000, i % 4 != 0) for i in range(MIN_BIN)]
        + [(0.7 + i / 1000, i % 2 == 0) for i in range(MIN_BIN)]
        + [(0.9 + i / 1000, True) for i in range(MIN_BIN)]
    )
    points = fit(samples)
    rates = [y for _, y in points]
    assert rates == sorted(rates), points
    assert rates[0] == 0.25 and rates[-1] == 1.0
    assert len(points) == 3  # the quirky band pooled with the one below it: (0.75·40 + 0.5·40) / 80
    assert points[1][1] == 0.625


def test_the_kept_map_is_monotone_and_fitted_on_no_held_out_school() -> None:
    assert knots(), "knowledge/calibration.json is part of the product"
    shown = [calibrated(i / 100) for i in range(101)]
    assert shown == sorted(shown) and all(0.0 <= c <= 1.0 for c in shown)
    assert not set(json.loads(KNOTS.read_text())["fitted_on"]) & set(HELD_OUT)


@pytest.mark.usefixtures("db")
def test_an_answer_from_a_document_shows_its_calibrated_confidence(tmp_path: Path) -> None:
    ingest_pages(tmp_path, {"course.md": "# Knife Skills Day\n\n**Price:** ฿2,400 per person\n\n**Time:** 09:00–15:00\n"})
    reply = ask("How much is the knife skills day?")
    assert reply.action == "reply", reply.reason
    assert "2,400" in reply.text
    assert reply.confidence == calibrated(reply.extra["score"]) >= DOCUMENT_THRESHOLD
