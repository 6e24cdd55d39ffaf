"""The reports page's figures as the page and its CSV show them: durations in the reader's
language, ids named, one row per agent / team / label / channel / source ad."""

import csv
import io
from typing import Any

from models.reports import DIMENSIONS
from vschool.i18n import text

WEEKDAYS = {"en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"), "th": ("จ.", "อ.", "พ.", "พฤ.", "ศ.", "ส.", "อา.")}
AI_OUTCOMES = ("auto_sent", "draft_sent", "draft_edited", "handed_off")


def duration(minutes: float | None, language: str) -> str:
    """Business minutes as "42 min", "3 h 05 min" (Thai: "42 นาที", "3 ชม. 05 นาที"); "—" for none."""
    if minutes is None:
        return "—"
    whole = round(minutes)
    hours, mins = divmod(whole, 60)
    if language == "th":
        return f"{hours} ชม. {mins:02d} นาที" if hours else f"{mins} นาที"
    return f"{hours} h {mins:02d} min" if hours else f"{mins} min"


def _name(dim: str, key: str, names: dict[str, dict[str, str]], language: str) -> str:
    if not key:
        return text("rp_none_" + dim, language)
    if dim == "channel":
        return {"facebook": "Messenger", "instagram": "Instagram"}.get(key, key)
    return names.get(dim, {}).get(key) or key


def dimension_rows(fig: dict[str, Any], names: dict[str, dict[str, str]], dim: str, language: str) -> list[dict[str, str]]:
    """One row per value of a dimension: its name and both timings (median, p90, how many)."""
    first, resolution = fig["first_response"][dim], fig["resolution"][dim]
    rows = []
    for key in sorted(set(first) | set(resolution)):
        f, r = first.get(key, {}), resolution.get(key, {})
        rows.append({
            "name": _name(dim, key, names, language),
            "frt_n": str(f.get("n", 0)), "frt_median": duration(f.get("median"), language), "frt_p90": duration(f.get("p90"), language),
            "res_n": str(r.get("n", 0)), "res_median": duration(r.get("median"), language), "res_p90": duration(r.get("p90"), language),
            "frt_minutes": round(f.get("median") or 0, 1),
        })
    return sorted(rows, key=lambda row: -int(row["frt_n"]))


def csat_rows(fig: dict[str, Any], names: dict[str, dict[str, str]], language: str) -> list[dict[str, str]]:
    return [
        {"name": _name("agent", key, names, language), "n": str(v["n"]), "average": f"{v['average']:.2f}",
         "satisfied": f"{100 * v['satisfied'] / v['n']:.0f}%", "comments": str(v["comments"])}
        for key, v in sorted(fig["csat"].items(), key=lambda kv: -kv[1]["n"])
    ]


def heat_rows(fig: dict[str, Any], language: str) -> list[dict[str, Any]]:
    """Weekday rows of 24 hourly cells, each with its count and a shade (0–9) for the grid."""
    top = max((n for row in fig["heatmap"] for n in row), default=0) or 1
    return [
        {"day": WEEKDAYS["th" if language == "th" else "en"][d],
         "cells": [{"n": str(n), "shade": str(min(9, round(9 * n / top))), "hour": f"{h:02d}"} for h, n in enumerate(row)]}
        for d, row in enumerate(fig["heatmap"])
    ]


def summary(fig: dict[str, Any], language: str) -> dict[str, str]:
    """The KPI cards."""
    answered = sum(v["n"] for v in fig["csat"].values())
    score = sum(v["average"] * v["n"] for v in fig["csat"].values()) / answered if answered else None
    first, resolution = fig["first_response"]["all"], fig["resolution"]["all"]
    return {
        "opened": f"{fig['opened']:,}", "reopened": f"{fig['reopened']:,}", "resolved": f"{fig['resolved']:,}",
        "frt_median": duration(first["median"], language), "frt_p90": duration(first["p90"], language),
        "res_median": duration(resolution["median"], language), "res_p90": duration(resolution["p90"], language),
        "csat": f"{score:.2f} / 5" if score is not None else "—", "csat_n": str(answered),
    }


def ai_rows(fig: dict[str, Any], language: str) -> list[dict[str, Any]]:
    return [{"outcome": text(f"rp_ai_{o}", language), "count": int(fig["ai"].get(o, 0))} for o in AI_OUTCOMES]


def to_csv(fig: dict[str, Any], names: dict[str, dict[str, str]], language: str, since: str, until: str) -> str:
    """Every figure of the range as CSV: the totals, then one line per dimension value."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow([text("rp_range", language), since, until])
    for key, value in summary(fig, language).items():
        w.writerow([text(f"rp_{key}", language), value])
    w.writerow([])
    w.writerow([text(k, language) for k in ("rp_dimension", "rp_name", "rp_frt_n", "rp_frt_median", "rp_frt_p90", "rp_res_n",
                                            "rp_res_median", "rp_res_p90")])
    for dim in DIMENSIONS:
        for row in dimension_rows(fig, names, dim, language):
            w.writerow([text(f"rp_dim_{dim}", language), row["name"], row["frt_n"], row["frt_median"], row["frt_p90"], row["res_n"],
                        row["res_median"], row["res_p90"]])
    w.writerow([])
    w.writerow([text(k, language) for k in ("rp_agent", "rp_csat_n", "rp_csat_average", "rp_csat_satisfied", "rp_csat_comments")])
    for row in csat_rows(fig, names, language):
        w.writerow([row["name"], row["n"], row["average"], row["satisfied"], row["comments"]])
    w.writerow([])
    for row in ai_rows(fig, language):
        w.writerow([row["outcome"], row["count"]])
    return out.getvalue()
