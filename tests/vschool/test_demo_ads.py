"""`vschool demo-data`'s marketing part: the simulator's three campaigns with daily and hourly
figures, stored through the ad sync's own functions, joinable to the demo's ad referrals."""

import pytest
import sqlalchemy as sa

from models.db import get_engine, session_scope
from vschool.demo import load_demo_data

pytestmark = pytest.mark.usefixtures("db")


def _counts() -> dict[str, object]:
    with get_engine().connect() as conn:
        q = lambda sql: conn.execute(sa.text(sql)).one()  # noqa: E731
        return {
            "objects": q("SELECT (SELECT count(*) FROM campaign), (SELECT count(*) FROM ad_set), (SELECT count(*) FROM ad)"),
            "daily": q("SELECT count(*), sum(spend), sum(impressions), sum(leads) FROM ad_insight_daily"),
            "hourly": q("SELECT count(*), sum(spend), sum(impressions), sum(leads) FROM ad_insight_hourly"),
            "hour_totals": q("SELECT sum(spend), sum(leads) FROM ad_insight_hour_total"),
            "unknown_referral_ads": q("SELECT count(*) FROM ad_referral r LEFT JOIN ad ON ad.id = r.ad_id WHERE ad.id IS NULL"),
            "referrals": q("SELECT count(*) FROM ad_referral"),
        }


def test_demo_data_brings_three_campaigns_with_hourly_figures_and_is_safe_to_run_again() -> None:
    with session_scope() as s:
        made = load_demo_data(s, customers=9, days=3)
    first = _counts()
    assert first["objects"] == (3, 6, 12)
    daily_rows, daily_spend, daily_shown, daily_leads = first["daily"]
    hourly_rows, hourly_spend, hourly_shown, hourly_leads = first["hourly"]
    assert daily_rows >= 30 * 10 and hourly_rows > daily_rows * 20  # 30 days at least; today up to this hour
    assert made["ad_insight_rows"] == daily_rows + hourly_rows
    assert (hourly_spend, hourly_shown, hourly_leads) == (daily_spend, daily_shown, daily_leads)  # a day is its hours
    assert first["hour_totals"] == (hourly_spend, hourly_leads)
    assert first["referrals"][0] > 0 and first["unknown_referral_ads"] == (0,)
    with session_scope() as s:
        load_demo_data(s, customers=9, days=3)
    assert _counts()["objects"] == first["objects"] and _counts()["daily"][0] == daily_rows
