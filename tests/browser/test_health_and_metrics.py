"""`/healthz` and `/metrics` on the running backend."""

import httpx
import pytest

pytestmark = pytest.mark.browser


def test_healthz_reports_db_redis_and_live_workers(app) -> None:
    from tests.conftest import wait_until

    def healthy() -> dict | None:
        body = httpx.get(f"{app.backend_url}/healthz", timeout=5).json()
        return body if body["workers"] >= 1 else None

    body = wait_until(healthy, timeout_s=30)
    assert body == {"status": "ok", "db": "ok", "redis": "ok", "workers": body["workers"], "last_ad_sync": None, "messenger": "ok"}


def test_metrics_are_prometheus_text(app) -> None:
    response = httpx.get(f"{app.backend_url}/metrics", timeout=5)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    for name in ("vschool_up_db 1.0", "vschool_up_redis 1.0", 'vschool_queue_depth{queue="interactive"}', "vschool_push_lag_seconds_bucket"):
        assert name in text
