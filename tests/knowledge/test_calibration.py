"""Confidence means "probably right": a model weighs what the responder saw (`knowledge.confidence`)
and a monotone map turns its output into the share of answers that were right
(`knowledge.calibration`); neither is fitted on a held-out school, the map not on the model's
schools, and both apply to answers read from documents, never to facts of record."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from knowledge.calibration import KNOTS, MIN_BIN, calibrated, fit, knots
from knowledge.confidence import MODEL, SIGNALS, likely_right, model
from knowledge.confidence import fit as fit_model
from knowledge.evaluate_ai import HELD_OUT
from models.ai_rules import DOCUMENT_THRESHOLD
from tests.conftest import ROOT
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


def test_the_kept_model_reads_todays_signals_and_owes_nothing_to_the_map_or_held_out_schools() -> None:
    kept = model()
    assert kept is not None, "knowledge/confidence.json is part of the product"
    assert kept["signals"] == list(SIGNALS)
    assert len(kept["weights"]) == len(SIGNALS) + len(kept["attributes"])
    map_schools = set(json.loads(KNOTS.read_text())["fitted_on"])
    assert not set(json.loads(MODEL.read_text())["fitted_on"]) & (set(HELD_OUT) | map_schools)


def test_the_model_learns_which_signal_tells_right_from_wrong() -> None:
    # answers whose line states the asked attribute (fit 1) are right 4 times in 5, the others
    # 1 in 5, whatever their cover (noise); asked attributes as a new school would ask them
    samples = [
        {
            "signals": {"fit": 1.0 if i % 2 else 0.6, "cover": (i // 10 * 7 % 10) / 10, "score": 0.5},
            "asked": "price" if i % 3 else "place",
            "right": (i % 2 == 1) == (i % 5 != 0),
        }
        for i in range(400)
    ]
    fitted = fit_model(samples)
    assert fitted["attributes"] == ["place", "price"]
    states = likely_right({"fit": 1.0, "cover": 0.5, "score": 0.5}, "price", fitted)
    does_not = likely_right({"fit": 0.6, "cover": 0.5, "score": 0.5}, "price", fitted)
    assert 0.7 < states < 0.9 and 0.1 < does_not < 0.3, (states, does_not)
    assert abs(fitted["weights"][SIGNALS.index("cover")]) < 0.2 * fitted["weights"][SIGNALS.index("fit")]


@pytest.mark.usefixtures("db")
def test_an_answer_from_a_document_shows_its_calibrated_confidence(tmp_path: Path) -> None:
    ingest_pages(tmp_path, {"course.md": "# Knife Skills Day\n\n**Price:** ฿2,400 per person\n\n**Time:** 09:00–15:00\n"})
    reply = ask("How much is the knife skills day?")
    assert reply.action == "reply", reply.reason
    assert "2,400" in reply.text
    asked = next(iter(reply.extra["asked"]), "")
    assert reply.confidence == calibrated(likely_right(reply.extra["signals"], asked)) >= DOCUMENT_THRESHOLD


def test_calibrating_on_a_held_out_school_is_refused_and_changes_nothing() -> None:
    kept = MODEL.read_text(), KNOTS.read_text()
    done = subprocess.run(
        [sys.executable, "-m", "vschool.cli", "eval", "ai", "--calibrate", HELD_OUT[0], "kinako"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert HELD_OUT[0] in done.stderr and "held out" in done.stderr
    assert (MODEL.read_text(), KNOTS.read_text()) == kept
