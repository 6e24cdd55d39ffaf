"""The Graph API client for Messenger: Send API (messages, sender actions, utility templates),
user profiles, the Page's utility template library and its Conversions API dataset (ADR 016).

One `httpx.Client` per process, pointed at `settings.graph_url` (Meta, or the simulator). Errors
come back as `GraphError` with a `kind` saying what to do, per REFERENCE.md:
- `retry`: temporary or throttled (1, 2, 4, 17, 32, 613, 80000–80014, HTTP 5xx, network);
  `retry_after_s` honours `estimated_time_to_regain_access`.
- `window`: the 24-hour window is closed (10/2018278, 1545041): hand to a human.
- `unavailable`: the person cannot be messaged (551).
- `token`: the Page token or permission is bad (190, 200): the channel is unhealthy.
- `invalid`: a bad request (100 and anything else): never retried.
"""

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import httpx

from models.settings import get_settings

RETRY_CODES = {1, 2, 4, 17, 32, 613} | set(range(80000, 80015))
TOKEN_CODES = {190, 200}
PROFILE_FIELDS = "first_name,last_name,profile_pic"


@dataclass
class GraphError(Exception):
    kind: str
    message: str
    code: int | None = None
    subcode: int | None = None
    http_status: int | None = None
    retry_after_s: float | None = None
    maybe_delivered: bool = False  # no answer came back, but the request may have reached Meta

    def __str__(self) -> str:
        return f"{self.message} (code {self.code}, subcode {self.subcode})"


def classify(code: int | None, subcode: int | None, http_status: int | None) -> str:
    if code == 10 and subcode == 2018278 or subcode == 1545041:
        return "window"
    if code == 551:
        return "unavailable"
    if code in TOKEN_CODES:
        return "token"
    if code in RETRY_CODES or (http_status or 0) >= 500:
        return "retry"
    return "invalid"


def _regain_after_s(response: httpx.Response) -> float | None:
    """Minutes from the business-use-case header, if Meta says when access returns."""
    raw = response.headers.get("x-business-use-case-usage")
    if not raw:
        return None
    try:
        usage = json.loads(raw)
        minutes = max(
            int(item.get("estimated_time_to_regain_access") or 0)
            for items in usage.values()
            for item in items
        )
    except (ValueError, TypeError, AttributeError):
        return None
    return minutes * 60.0 if minutes else None


def _raise_for(response: httpx.Response) -> None:
    if response.status_code < 400:
        return
    try:
        error = response.json().get("error", {})
    except ValueError:
        error = {}
    code, subcode = error.get("code"), error.get("error_subcode")
    raise GraphError(
        kind=classify(code, subcode, response.status_code),
        message=str(error.get("message") or f"HTTP {response.status_code} from the Graph API"),
        code=code,
        subcode=subcode,
        http_status=response.status_code,
        retry_after_s=_regain_after_s(response),
    )


class GraphClient:
    def __init__(self, base_url: str, page_id: str, token: str, timeout_s: float = 10.0, dataset_id: str | None = None) -> None:
        self.page_id = page_id
        self._token = token
        self._dataset_id = dataset_id
        self._http = httpx.Client(base_url=base_url.rstrip("/") + "/", timeout=timeout_s)

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = self._http.request(method, path, params={"access_token": self._token, **kwargs.pop("params", {})}, **kwargs)
        except httpx.TransportError as exc:
            # Failing to connect sends nothing; failing later (a read timeout) may have sent it all.
            unsent = isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)
            raise GraphError("retry", f"could not reach the Graph API: {exc.__class__.__name__}", maybe_delivered=not unsent) from exc
        _raise_for(response)
        return response.json()

    def send(self, body: dict[str, Any]) -> dict[str, Any]:
        """POST /{page-id}/messages; returns `{recipient_id, message_id}` (or `{recipient_id}`)."""
        return self._call("POST", f"{self.page_id}/messages", json=body)

    def message_templates(self) -> list[dict[str, Any]]:
        """GET /{page-id}/message_templates, every page of it: the Page's utility templates with
        their review `status`."""
        found: list[dict[str, Any]] = []
        params: dict[str, str] = {"limit": "100"}
        for _ in range(50):  # a Page has tens of templates; never loop forever on a bad cursor
            answer = self._call("GET", f"{self.page_id}/message_templates", params=params)
            found.extend(answer.get("data") or [])
            after = ((answer.get("paging") or {}).get("cursors") or {}).get("after")
            if not (answer.get("paging") or {}).get("next") or not after:
                break
            params = {"limit": "100", "after": after}
        return found

    def create_template(self, body: dict[str, Any]) -> dict[str, Any]:
        """POST /{page-id}/message_templates (`name`, `language`, `category: UTILITY`,
        `components`); returns `{id, status, category}`."""
        return self._call("POST", f"{self.page_id}/message_templates", json=body)

    def dataset_id(self) -> str:
        """The Page's dataset for the Conversions API: POST /{page-id}/dataset answers the
        Page's (one per Page, created on first ask). Asked once per process."""
        if self._dataset_id is None:
            self._dataset_id = str(self._call("POST", f"{self.page_id}/dataset")["id"])
        return self._dataset_id

    def send_events(self, dataset_id: str, events: list[dict[str, Any]]) -> dict[str, Any]:
        """POST /{dataset-id}/events with `{"data": [...]}`; Meta does not deduplicate them."""
        return self._call("POST", f"{dataset_id}/events", json={"data": events})

    def profile(self, psid: str) -> dict[str, Any]:
        if not psid.isdigit():  # PSIDs are digits; anything else never reaches a URL
            raise GraphError("invalid", f"not a Page-scoped id: {psid[:40]!r}")
        return self._call("GET", psid, params={"fields": PROFILE_FIELDS})


@lru_cache(maxsize=1)
def graph() -> GraphClient:
    settings = get_settings()
    return GraphClient(settings.graph_url, settings.page_id, settings.page_token, dataset_id=settings.meta_dataset_id)
