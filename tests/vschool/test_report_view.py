"""The reports page's figures as people read them: durations in Thai and English, named rows,
and a CSV that carries every dimension."""

import csv
import io

from vschool.report_view import dimension_rows, duration, heat_rows, summary, to_csv

FIGURES = {
    "opened": 12, "reopened": 2, "resolved": 9,
    "first_response": {"all": {"median": 42.4, "p90": 185.0, "n": 10}, "agent": {"1": {"median": 30.0, "p90": 50.0, "n": 6},
                       "": {"median": 60.0, "p90": 60.0, "n": 4}}, "team": {}, "label": {}, "channel": {"facebook": {"median": 42.4, "p90": 185.0, "n": 10}},
                       "source_ad": {}},
    "resolution": {"all": {"median": 600.0, "p90": 900.0, "n": 9}, "agent": {"1": {"median": 600.0, "p90": 900.0, "n": 9}}, "team": {},
                   "label": {}, "channel": {}, "source_ad": {}},
    "csat": {"1": {"n": 4, "average": 4.5, "satisfied": 3, "comments": 1}},
    "heatmap": [[0] * 24 for _ in range(7)],
    "ai": {"auto_sent": 3, "handed_off": 1},
}
NAMES = {"agent": {"1": "นก"}, "team": {}, "source_ad": {}}


def test_durations_read_naturally_in_both_languages() -> None:
    assert [duration(m, "en") for m in (None, 42.4, 185.0)] == ["—", "42 min", "3 h 05 min"]
    assert [duration(m, "th") for m in (42.4, 185.0)] == ["42 นาที", "3 ชม. 05 นาที"]


def test_rows_are_named_and_the_summary_weighs_csat_by_answers() -> None:
    rows = dimension_rows(FIGURES, NAMES, "agent", "th")
    assert [(r["name"], r["frt_n"], r["res_median"]) for r in rows] == [("นก", "6", "10 ชม. 00 นาที"), ("(ไม่ระบุ / กล่องข้อความเพจ)", "4", "—")]
    cards = summary(FIGURES, "en")
    assert (cards["opened"], cards["frt_median"], cards["csat"]) == ("12", "42 min", "4.50 / 5")
    assert heat_rows(FIGURES, "th")[6]["day"] == "อา."


def test_the_csv_has_every_dimension_and_the_ai_outcomes() -> None:
    lines = list(csv.reader(io.StringIO(to_csv(FIGURES, NAMES, "en", "2026-11-01", "2026-11-30"))))
    assert lines[0] == ["Range", "2026-11-01", "2026-11-30"]
    assert ["Agent", "นก", "6", "30 min", "50 min", "9", "10 h 00 min", "15 h 00 min"] in lines
    assert ["Channel", "Messenger", "10", "42 min", "3 h 05 min", "0", "—", "—"] in lines
    assert ["Sent by the AI", "3"] in lines and ["Handed to a person", "1"] in lines
