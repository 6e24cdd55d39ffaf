"""Attribution and the panel's figures on a hand-checked ad account (tests/marketing_helpers.py).

By hand, for 1–2 March 2026 (Bangkok):
- A1 (sushi video): spend 1,000 + 500 = 1,500; 15,000 impressions; 250 clicks; Meta leads 15.
  Leads: K1's first conversation and K2's (23:30 Bangkok on 1 March = 16:30 UTC: inside) = 2.
  Revenue: K1 5,000 + 19,900 = 24,900; K2 9,900 − 3,000 refunded = 6,900 → 31,800.
  Enrolled 2, orders 2. CTR 250/15,000 = 0.016667; CPC 6.00; CPL 750.00; CAC 750.00;
  ROAS 31,800/1,500 = 21.2; AOV: the two orders are worth 24,900 and 9,900 → 17,400.00 (what
  was paid in the range, 15,900 each, would undersell them); conversion 2/2 = 1; Meta ROAS 2.0
  (only day 1 had it).
- A2 (sushi still): spend 300; no clicks, no leads (K3 came one minute before the range);
  K3 paid 18,900 at 00:00 on 1 March and got it all back → revenue 0, not enrolled; ROAS "—"
  (nothing came back to divide), not 0×.
- A3 (ramen): spend 200 (999 the day before is outside); lead: K1's second conversation.
  K1's money stays with A1: the first referral wins. K4 arrived at 00:00 on 3 March: outside.
- K5 never came from an ad: their 5,000 is nobody's.
"""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from models.db import session_scope
from models.marketing_figures import panel_figures, preset_range, ratio, utc_bounds
from models.marketing_rollups import roll_up_hours
from tests.marketing_helpers import A1, A2, A3, arrives, bkk, hand_checked, order

pytestmark = pytest.mark.usefixtures("db")
D = Decimal


def _ads(data: dict) -> dict[str, dict]:
    return {a["id"]: a for c in data["campaigns"] for s in c["ad_sets"] for a in s["ads"]}


def test_hand_checked_attribution_with_refunds_and_a_second_referral() -> None:
    with session_scope() as s:
        hand_checked(s)
    with session_scope() as s:
        data = panel_figures(s, date(2026, 3, 1), date(2026, 3, 2))
    ads = _ads(data)

    a1 = ads[A1]
    assert (a1["spend"], a1["impressions"], a1["clicks"], a1["meta_leads"], a1["leads"]) == (D("1500.00"), 15_000, 250, 15, 2)
    assert (a1["revenue"], a1["enrolled"], a1["orders"]) == (D("31800.00"), 2, 2)
    assert (a1["ctr"], a1["cpc"], a1["cpl"], a1["cac"]) == (D("0.016667"), D("6.00"), D("750.00"), D("750.00"))
    assert (a1["roas"], a1["aov"], a1["conversion"], a1["meta_purchase_roas"]) == (D("21.2000"), D("17400.00"), D("1.000000"), D("2.0000"))

    a2 = ads[A2]
    assert (a2["spend"], a2["leads"], a2["revenue"], a2["enrolled"], a2["orders"]) == (D("300.00"), 0, D("0.00"), 0, 0)
    assert (a2["cpc"], a2["cpl"], a2["cac"], a2["aov"], a2["conversion"], a2["meta_purchase_roas"], a2["roas"]) == (None,) * 7
    assert a2["ctr"] == D("0.000000")

    a3 = ads[A3]
    assert (a3["spend"], a3["leads"], a3["revenue"], a3["enrolled"]) == (D("200.00"), 1, D("0"), 0)
    assert a3["ctr"] is None  # no impressions: nothing to divide by

    totals = data["totals"]
    assert (totals["spend"], totals["leads"], totals["revenue"], totals["enrolled"], totals["orders"]) == (D("2000.00"), 3, D("31800.00"), 2, 2)
    assert (totals["roas"], totals["cac"], totals["cpl"], totals["conversion"]) == (D("15.9000"), D("1000.00"), D("666.67"), D("0.666667"))

    campaigns = {c["id"]: c for c in data["campaigns"]}
    sushi = campaigns["9100000000100"]
    assert (sushi["spend"], sushi["revenue"], sushi["leads"], sushi["roas"]) == (D("1800.00"), D("31800.00"), 2, D("17.6667"))
    assert sushi["meta_purchase_roas"] == D("2.0000")  # 2.0 × 1,000 ÷ the 1,000 that reported it
    assert [c["id"] for c in data["campaigns"]] == ["9100000000100", "9100000000200"]  # by spend

    trend = {t["day"]: t for t in data["trend"]}
    assert trend["2026-03-01"]["spend"] == D("1300.00") and trend["2026-03-01"]["revenue"] == D("23900.00")
    assert trend["2026-03-02"]["spend"] == D("700.00") and trend["2026-03-02"]["revenue"] == D("7900.00")
    assert trend["2026-03-01"]["leads"] == 2 and trend["2026-03-02"]["roas"] == D("11.2857")


def test_heat_map_from_hour_totals_and_crm_leads_in_bangkok_hours() -> None:
    with session_scope() as s:
        hand_checked(s)
        assert roll_up_hours(s) == 2  # two (day, hour) pairs
        assert roll_up_hours(s, date(2026, 3, 1), date(2026, 3, 1)) == 1  # again: same rows
    with session_scope() as s:
        heat = {(c["weekday"], c["hour"]): c for c in panel_figures(s, date(2026, 3, 1), date(2026, 3, 2))["heat"]}
    assert len(heat) == 7 * 24
    sunday_10 = heat[(7, 10)]  # 1 March 2026 is a Sunday
    assert (sunday_10["spend"], sunday_10["meta_leads"], sunday_10["leads"]) == (D("120.00"), 2, 1)
    assert heat[(1, 23)]["spend"] == D("50.00")
    assert heat[(7, 23)]["leads"] == 1  # K2 at 23:30 Bangkok, not 16:00 UTC
    assert heat[(1, 8)]["leads"] == 1 and heat[(3, 12)] == {"weekday": 3, "hour": 12, "spend": D("0"), "meta_leads": 0, "leads": 0}


def test_range_boundaries_are_bangkok_midnights() -> None:
    assert utc_bounds(date(2026, 3, 1), date(2026, 3, 1)) == (datetime(2026, 2, 28, 17, tzinfo=UTC), datetime(2026, 3, 1, 17, tzinfo=UTC))
    with pytest.raises(ValueError, match="before it starts"):
        utc_bounds(date(2026, 3, 2), date(2026, 3, 1))
    assert preset_range("today", date(2026, 3, 9)) == (date(2026, 3, 9), date(2026, 3, 9))
    assert preset_range("7d", date(2026, 3, 9)) == (date(2026, 3, 3), date(2026, 3, 9))
    assert preset_range("30d", date(2026, 3, 9)) == (date(2026, 2, 8), date(2026, 3, 9))
    assert preset_range("this_month", date(2026, 3, 9)) == (date(2026, 3, 1), date(2026, 3, 9))
    with pytest.raises(ValueError, match="unknown range preset"):
        preset_range("forever")
    with session_scope() as s:
        hand_checked(s)
    with session_scope() as s:
        first = panel_figures(s, date(2026, 3, 1), date(2026, 3, 1))["totals"]
        second = panel_figures(s, date(2026, 3, 2), date(2026, 3, 2))["totals"]
        before = panel_figures(s, date(2026, 2, 28), date(2026, 2, 28))["totals"]
    # K3's 00:00 payment is 1 March; K2's 23:30 arrival is 1 March; K1's balance is 2 March.
    assert (first["revenue"], first["leads"]) == (D("23900.00"), 2)
    assert (second["revenue"], second["leads"]) == (D("7900.00"), 1)
    assert (before["revenue"], before["leads"], before["spend"]) == (D("0"), 1, D("999.00"))  # K3's arrival
    # K3 paid first on 1 March but is refunded in full: enrolled nowhere. K1 enrolled on day 1.
    assert (first["enrolled"], second["enrolled"]) == (1, 1)


def test_division_by_zero_is_none_and_an_empty_account_has_no_ratios() -> None:
    assert ratio(D("10"), 0) is None and ratio(D("10"), None) is None and ratio(None, 5) is None
    assert ratio(D("10"), 3) == D("3.33") and ratio(1, 3, 6) == D("0.333333")
    with session_scope() as s:
        data = panel_figures(s, date(2026, 3, 1), date(2026, 3, 31))
    t = data["totals"]
    assert (t["spend"], t["revenue"], t["leads"], t["enrolled"]) == (D("0"), D("0"), 0, 0)
    assert all(t[k] is None for k in ("ctr", "cpc", "cpl", "cac", "roas", "aov", "conversion", "meta_purchase_roas"))
    assert data["campaigns"] == [] and len(data["trend"]) == 31 and data["last_sync"] is None


def test_an_ad_the_sync_has_not_brought_has_leads_and_revenue_but_no_spend_figures() -> None:
    """A referral names ad 9199 that Meta has not reported: its spend is unknown, so is every
    figure divided by it ("—"), while its leads and revenue are ours and shown."""
    with session_scope() as s:
        hand_checked(s)
        k = arrives(s, "9200000000000009", "9199", bkk(2026, 3, 1, 14))
        order(s, k, "VS-T-9", "24900", [("deposit", "7470", bkk(2026, 3, 1, 15))])
    with session_scope() as s:
        data = panel_figures(s, date(2026, 3, 1), date(2026, 3, 2))
    unsynced = next(c for c in data["campaigns"] if c["id"] == "")
    ad = unsynced["ad_sets"][0]["ads"][0]
    assert (ad["id"], ad["leads"], ad["revenue"], ad["enrolled"], ad["aov"]) == ("9199", 1, D("7470.00"), 1, D("24900.00"))
    assert all(unsynced[k] is None and ad[k] is None for k in ("spend", "cpl", "cac", "roas", "cpc", "meta_purchase_roas"))
    assert data["campaigns"][-1]["id"] == ""  # no spend to rank it by: last
    # "last synced" cannot contradict the figures: they say when the newest ad figures arrived
    assert data["last_sync"] is None and data["figures_received_at"] is not None
