"""The Marketing API client: the ad account's campaigns, ad sets, ads and their insights (daily
and hourly, at ad level), pointed at `settings.graph_url` (Meta, or the simulator).

What Meta asks of a client (REFERENCE.md "Marketing API insights"), done here once:
- Paging: every list is followed through `paging.next` to its end.
- Long ranges go through an async report run (POST insights → poll `/{id}` → `/{id}/insights`);
  short ones (`sync_days`) are read directly.
- Usage headers (`X-App-Usage`, `X-Ad-Account-Usage`, `X-Business-Use-Case-Usage`,
  `X-FB-Ads-Insights-Throttle`) are read on every answer; from `slow_down_from_pct` on, the next
  call waits longer the closer the account is to its limit, so throttling is avoided rather
  than met. `estimated_time_to_regain_access` is honoured.
- Errors by class (`MarketingError.kind`): `throttled` (80000–80014, 4, 17, 32, 613: back off and
  retry the same call, so paging resumes where it stopped), `temporary` (1, 2, HTTP 5xx,
  network: retry), `too_much_data` (100/1487534: split the range in two, or halve the page size
  in the middle of paging), `report_failed` (a report run that failed or was skipped, -2/2490547:
  split the range and retry smaller), `token` (190, 200), `invalid` (anything else).
"""

import json
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import httpx
import orjson

from models.settings import get_settings

THROTTLE_CODES = {4, 17, 32, 613} | set(range(80000, 80015))
TEMPORARY_CODES = {1, 2}
TOKEN_CODES = {190, 200}
TOO_MUCH_DATA = 1487534
REPORT_FAILED = 2490547
LEADS_ACTION = "onsite_conversion.messaging_conversation_started_7d"
HOURLY_BREAKDOWN = "hourly_stats_aggregated_by_advertiser_time_zone"
DAILY_FIELDS = "ad_id,ad_name,adset_id,adset_name,campaign_id,campaign_name,spend,impressions,clicks,reach,actions,action_values,purchase_roas"
HOURLY_FIELDS = "ad_id,spend,impressions,clicks,actions"
CAMPAIGN_FIELDS = "id,name,status,objective,daily_budget,lifetime_budget,created_time"
AD_SET_FIELDS = "id,name,status,campaign_id,daily_budget,lifetime_budget"
AD_FIELDS = "id,name,status,adset_id,campaign_id"
USAGE_HEADERS = ("x-app-usage", "x-ad-account-usage", "x-business-use-case-usage", "x-fb-ads-insights-throttle")
USAGE_KEYS = ("call_count", "total_time", "total_cputime", "acc_id_util_pct", "app_id_util_pct")


@dataclass
class MarketingError(Exception):
    kind: str
    message: str
    code: int | None = None
    subcode: int | None = None
    http_status: int | None = None

    def __str__(self) -> str:
        return f"{self.message} (code {self.code}, subcode {self.subcode})" if self.code is not None else self.message


def classify(code: int | None, subcode: int | None, http_status: int | None) -> str:
    if subcode == TOO_MUCH_DATA:
        return "too_much_data"
    if subcode == REPORT_FAILED or code == -2:
        return "report_failed"
    if code in THROTTLE_CODES:
        return "throttled"
    if code in TOKEN_CODES:
        return "token"
    if code in TEMPORARY_CODES or (http_status or 0) >= 500:
        return "temporary"
    return "invalid"


@dataclass
class Usage:
    """What the last answer's usage headers said."""

    pct: float = 0.0  # the highest utilisation any header reported
    regain_s: float = 0.0  # Meta's own "come back in" (estimated_time_to_regain_access, minutes)


def read_usage(headers: httpx.Headers) -> Usage:
    usage = Usage()

    def visit(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key in USAGE_KEYS and isinstance(item, int | float):
                    usage.pct = max(usage.pct, float(item))
                elif key == "estimated_time_to_regain_access" and isinstance(item, int | float):
                    usage.regain_s = max(usage.regain_s, float(item) * 60)
                else:
                    visit(item)
        elif isinstance(value, list):
            for item in value:
                visit(item)

    for name in USAGE_HEADERS:
        raw = headers.get(name)
        if raw:
            try:
                visit(json.loads(raw))
            except ValueError:
                pass  # a garbled header must not stop the sync
    return usage


@dataclass
class ClientStats:
    requests: int = 0
    pauses: int = 0  # calls delayed because usage was high
    paused_s: float = 0.0
    throttled: int = 0  # throttling errors met (each backed off and retried)
    retries: int = 0
    splits: int = 0  # ranges split in two (too much data, failed report runs)
    report_runs: int = 0
    peak_usage_pct: float = 0.0


@dataclass
class MarketingClient:
    base_url: str
    account_id: str  # act_…
    token: str
    page_size: int = 2_000
    timeout_s: float = 60.0
    slow_down_from_pct: float = 60.0
    max_pause_s: float = 30.0  # the wait just below 100 % usage
    backoff_s: float = 5.0  # first wait after a throttling error without Meta's own estimate
    max_backoff_s: float = 300.0
    max_retries: int = 6
    report_poll_s: float = 0.1  # first poll of a report run; grows to `report_poll_max_s`
    report_poll_max_s: float = 10.0
    report_timeout_s: float = 1_800.0
    sync_days: dict[bool, int] = field(default_factory=lambda: {False: 31, True: 3})  # hourly? → longest direct range
    stats: ClientStats = field(default_factory=ClientStats)

    def __post_init__(self) -> None:
        self._http = httpx.Client(base_url=self.base_url.rstrip("/") + "/", timeout=self.timeout_s)
        self._wait_s = 0.0

    def close(self) -> None:
        self._http.close()

    # --- one call, with the usage budget, back-off and retries --------------------------------

    def _call(self, method: str, url: str, params: dict[str, Any] | None = None, data: dict[str, Any] | None = None) -> dict[str, Any]:
        for attempt in range(self.max_retries + 1):
            if self._wait_s > 0:
                self.stats.pauses += 1
                self.stats.paused_s += self._wait_s
                time.sleep(self._wait_s)
                self._wait_s = 0.0
            self.stats.requests += 1
            try:
                response = self._http.request(method, url, params=params, data=data)
            except httpx.TransportError as exc:
                error = MarketingError("temporary", f"could not reach the Marketing API: {exc.__class__.__name__}")
                usage = Usage()
            else:
                usage = self._note_usage(response.headers)
                if response.status_code < 400:
                    try:
                        return orjson.loads(response.content)
                    except ValueError:
                        error = MarketingError("temporary", "the Marketing API answered with something that is not JSON", http_status=response.status_code)
                else:
                    error = _error_of(response)
            if error.kind not in ("throttled", "temporary") or attempt == self.max_retries:
                raise error
            self.stats.retries += 1
            self.stats.throttled += error.kind == "throttled"
            backoff = min(self.max_backoff_s, self.backoff_s * 2**attempt) * random.uniform(0.8, 1.2)
            self._wait_s = max(self._wait_s, usage.regain_s or backoff)
        raise AssertionError("unreachable")

    def _note_usage(self, headers: httpx.Headers) -> Usage:
        """Plan the wait before the next call from this answer's usage headers."""
        usage = read_usage(headers)
        self.stats.peak_usage_pct = max(self.stats.peak_usage_pct, usage.pct)
        wait = 0.0
        if usage.regain_s:
            wait = usage.regain_s
        elif usage.pct >= self.slow_down_from_pct:
            closeness = min(1.0, (usage.pct - self.slow_down_from_pct) / (100.0 - self.slow_down_from_pct))
            wait = self.max_pause_s * closeness**2
        self._wait_s = max(self._wait_s, wait)
        return usage

    def _pages(self, path: str, params: dict[str, Any]) -> Iterator[list[dict[str, Any]]]:
        """Every page of a list, following `paging.next` to the end. Data-size errors in the
        middle halve the page size and resume from the same cursor."""
        url: str = path
        query: dict[str, Any] | None = {"access_token": self.token, "limit": self.page_size, **params}
        while True:
            try:
                body = self._call("GET", url, params=query)
            except MarketingError as exc:
                limit = int((query or {}).get("limit") or httpx.URL(url).params.get("limit") or self.page_size)
                if exc.kind != "too_much_data" or (url == path and query is not None and "after" not in query) or limit <= 25:
                    raise
                self.stats.splits += 1
                if query is not None:
                    query = {**query, "limit": limit // 2}
                else:
                    url = str(httpx.URL(url).copy_set_param("limit", limit // 2))
                continue
            yield body.get("data") or []
            following = (body.get("paging") or {}).get("next")
            if not following:
                return
            url, query = following, None

    # --- the account's objects ----------------------------------------------------------------

    def account(self) -> dict[str, Any]:
        """The ad account's name, currency and time zone."""
        return self._call("GET", self.account_id, params={"access_token": self.token, "fields": "name,currency,timezone_name"})

    def campaigns(self) -> list[dict[str, Any]]:
        return [c for page in self._pages(f"{self.account_id}/campaigns", {"fields": CAMPAIGN_FIELDS}) for c in page]

    def ad_sets(self) -> list[dict[str, Any]]:
        return [s for page in self._pages(f"{self.account_id}/adsets", {"fields": AD_SET_FIELDS}) for s in page]

    def ads(self) -> list[dict[str, Any]]:
        return [a for page in self._pages(f"{self.account_id}/ads", {"fields": AD_FIELDS}) for a in page]

    # --- insights -----------------------------------------------------------------------------

    def insights(self, since: date, until: date, hourly: bool, report: bool | None = None) -> Iterator[list[dict[str, Any]]]:
        """Ad-level rows for `since`..`until` (account days), one page at a time. `report`: force
        (True) or avoid (False) an async report run; default: runs for ranges over `sync_days`."""
        params = {
            "level": "ad",
            "time_increment": "1",
            "time_range": json.dumps({"since": since.isoformat(), "until": until.isoformat()}),
            "fields": HOURLY_FIELDS if hourly else DAILY_FIELDS,
        }
        if hourly:
            params["breakdowns"] = HOURLY_BREAKDOWN
        if report is None:
            report = (until - since).days + 1 > self.sync_days[hourly]
        try:
            if report:
                yield from self._report(params)
            else:
                yield from self._pages(f"{self.account_id}/insights", params)
        except MarketingError as exc:
            if exc.kind not in ("too_much_data", "report_failed"):
                raise
            if since >= until:
                raise MarketingError(exc.kind, f"Meta refuses even one day of {'hourly' if hourly else 'daily'} figures ({since}): {exc.message}",
                                     exc.code, exc.subcode, exc.http_status) from exc
            self.stats.splits += 1  # retry smaller: each half decides again how to be read
            middle = since + timedelta(days=(until - since).days // 2)
            yield from self.insights(since, middle, hourly)
            yield from self.insights(middle + timedelta(days=1), until, hourly)

    def _report(self, params: dict[str, Any]) -> Iterator[list[dict[str, Any]]]:
        started = self._call("POST", f"{self.account_id}/insights", params={"access_token": self.token}, data=params)
        run_id = str(started["report_run_id"])
        self.stats.report_runs += 1
        wait, deadline = self.report_poll_s, time.monotonic() + self.report_timeout_s
        while True:
            time.sleep(wait)
            status = self._call("GET", run_id, params={"access_token": self.token, "fields": "async_status,async_percent_completion"})
            state = status.get("async_status")
            if state == "Job Completed" and int(status.get("async_percent_completion") or 0) >= 100:
                break
            if state in ("Job Failed", "Job Skipped"):
                raise MarketingError("report_failed", f"Meta's report run {run_id} ended: {state}")
            if time.monotonic() > deadline:
                raise MarketingError("report_failed", f"Meta's report run {run_id} did not finish within {self.report_timeout_s:.0f} s")
            wait = min(self.report_poll_max_s, wait * 1.5)
        yield from self._pages(f"{run_id}/insights", {})


def _error_of(response: httpx.Response) -> MarketingError:
    try:
        error = response.json().get("error", {})
    except (ValueError, AttributeError):
        error = {}
    code, subcode = error.get("code"), error.get("error_subcode")
    return MarketingError(classify(code, subcode, response.status_code),
                          str(error.get("message") or f"HTTP {response.status_code} from the Marketing API"),
                          code, subcode, response.status_code)


def marketing_client(**options: Any) -> MarketingClient:
    """A client for this installation's ad account (the simulator's when Meta is simulated)."""
    settings = get_settings()
    if not settings.ad_account_id:
        raise MarketingError("invalid", "No ad account: set META_AD_ACCOUNT_ID to sync ads from Meta.")
    return MarketingClient(settings.graph_url, settings.ad_account_id, settings.marketing_token, **options)


# --- Meta's rows → the store's rows ------------------------------------------------------------

def _action(actions: list[dict[str, Any]] | None, kind: str) -> int:
    for action in actions or ():
        if action.get("action_type") == kind:
            return int(float(action.get("value") or 0))
    return 0


def hourly_row(row: dict[str, Any]) -> tuple:
    """(ad_id, day, hour, spend, impressions, clicks, leads) of one hourly insight row, as the
    text COPY of `models.ad_store.store_hourly` takes it (numbers are checked by PostgreSQL)."""
    return (row["ad_id"], row["date_start"], int(row[HOURLY_BREAKDOWN][:2]), row.get("spend") or "0",
            row.get("impressions") or "0", row.get("clicks") or "0", _action(row.get("actions"), LEADS_ACTION))


def daily_row(row: dict[str, Any]) -> tuple:
    """(ad_id, day, spend, impressions, clicks, reach, leads, actions, action_values,
    purchase_roas) of one daily insight row."""
    roas = next((r.get("value") for r in row.get("purchase_roas") or () if r.get("action_type") in ("omni_purchase", "purchase")), None)
    return (row["ad_id"], row["date_start"], row.get("spend") or "0", row.get("impressions") or "0", row.get("clicks") or "0",
            row.get("reach"), _action(row.get("actions"), LEADS_ACTION), json.dumps(row.get("actions") or []),
            json.dumps(row.get("action_values") or []), roas)
