"""The real backend (`reflex run`, this app) answers with security headers on every HTTP
response, and lets browsers of the app's own origin (VSCHOOL_PUBLIC_URL) use it — its HTTP routes
and its websocket — while another site's pages are refused."""

import asyncio
from collections.abc import Iterator

import httpx
import pytest
import websockets
from starlette.responses import HTMLResponse, JSONResponse

from vschool.api.security_headers import API_POLICY, PAGE_POLICY, SecurityHeaders, page_policy
from vschool.harness import RunningApp, start_app

pytestmark = pytest.mark.timeout(600)
OWN = "https://crm.vschool.test"
FOREIGN = "https://evil.example"


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    with pytest.MonkeyPatch.context() as env:
        env.setenv("VSCHOOL_PUBLIC_URL", OWN)  # the backend's environment, taken at its start
        app = start_app(tmp_path_factory.mktemp("backend"), frontend=False, worker=False)
    yield app
    app.stop()


def _secured(response: httpx.Response, policy: str = API_POLICY) -> bool:
    h = response.headers
    return (h.get("content-security-policy"), h.get("x-frame-options"), h.get("x-content-type-options"), h.get("referrer-policy")) == (
        policy, "DENY", "nosniff", "same-origin")


@pytest.mark.parametrize("path", ["/healthz", "/api/v1/openapi.json", "/metrics", "/ping", "/api/v1/customers", "/no-such-page"])
def test_every_backend_response_carries_the_security_headers(backend: RunningApp, path: str) -> None:
    response = httpx.get(f"{backend.backend_url}{path}", timeout=10)
    assert _secured(response), (path, response.status_code, dict(response.headers))


def _preflight(backend: RunningApp, origin: str) -> httpx.Response:
    return httpx.options(f"{backend.backend_url}/api/v1/customers", timeout=10, headers={
        "Origin": origin, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "authorization"})


def test_cors_allows_the_apps_own_origin_and_no_other(backend: RunningApp) -> None:
    own = _preflight(backend, OWN)
    assert own.status_code == 200 and own.headers["access-control-allow-origin"] == OWN
    assert own.headers["access-control-allow-credentials"] == "true"
    foreign = _preflight(backend, FOREIGN)
    assert foreign.status_code == 400 and "access-control-allow-origin" not in foreign.headers
    read = httpx.get(f"{backend.backend_url}/healthz", headers={"Origin": FOREIGN}, timeout=10)
    assert "access-control-allow-origin" not in read.headers  # the browser keeps the answer from that page


async def _opens_websocket(backend: RunningApp, origin: str) -> bool:
    url = backend.backend_url.replace("http://", "ws://") + "/_event/?EIO=4&transport=websocket"
    try:
        async with websockets.connect(url, origin=origin, open_timeout=10) as socket:
            return (await asyncio.wait_for(socket.recv(), 10)).startswith("0")  # Engine.IO's "open"
    except websockets.InvalidStatus:
        return False


async def test_the_websocket_opens_for_the_apps_own_origin_only(backend: RunningApp) -> None:
    assert await _opens_websocket(backend, OWN)
    assert not await _opens_websocket(backend, FOREIGN)


async def test_an_html_page_gets_the_pages_policy_and_a_routes_own_header_is_kept() -> None:
    page = SecurityHeaders(HTMLResponse("<p>V School</p>"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=page), base_url="http://app") as client:
        assert _secured(await client.get("/"), PAGE_POLICY)
    own = SecurityHeaders(JSONResponse({}, headers={"Referrer-Policy": "no-referrer"}))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=own), base_url="http://app") as client:
        response = await client.get("/")
    assert response.headers["referrer-policy"] == "no-referrer" and response.headers["x-frame-options"] == "DENY"


def test_the_pages_policy_reaches_the_backend_and_leaves_frame_ancestors_to_the_header() -> None:
    meta = page_policy(backend="http://localhost:8000", simulator="http://127.0.0.1:8010", in_meta=True)
    assert "connect-src 'self' http://localhost:8000 ws://localhost:8000;" in meta and "img-src 'self' data: blob: https: http://127.0.0.1:8010;" in meta
    assert "frame-ancestors" not in meta  # ignored in a <meta>: the header (and the proxy) send it
    assert PAGE_POLICY.endswith("frame-ancestors 'none'") and "object-src 'none'" in PAGE_POLICY
