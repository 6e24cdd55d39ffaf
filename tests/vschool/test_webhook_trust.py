"""Meta is never refused and odd input is never a 500, through the real webhook routes against
real PostgreSQL: a flood of unsigned posts cannot silence a signed delivery from the same address,
and Hypothesis drives the handshake and the unsigned path with arbitrary header and parameter text
(non-ASCII, control characters, odd lengths) and the signed path with arbitrary bytes."""

import asyncio
from collections.abc import Iterator

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from models import InboundEvent
from models.db import session_scope
from models.settings import get_settings
from tests.messenger_helpers import envelope, sign, signed, text_event
from vschool import auth
from vschool.api import build_api
from vschool.api.abuse import MAX_REFUSALS, webhook_refusals
from vschool.api.inbound_store import inbound_store

pytestmark = pytest.mark.usefixtures("db")

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
any_text = st.text(max_size=80)  # any code point, NUL and lone surrogates' neighbours included
header_text = st.one_of(
    st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"), max_size=80),  # what HTTP can carry
    st.sampled_from(["sha256=", "sha256=" + "0" * 64, "sha256=" + "é" * 64, "SHA256=" + "a" * 64, " sha256=²", "0" * 64]),
)
length_text = st.one_of(header_text, st.sampled_from(["", "-1", "²", "99999999999999999999999", "1048577", "0x10", " 5"]))


class Loop:
    """One event loop and client for a whole Hypothesis run (each example is a real HTTP call)."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        inbound_store.cache_clear()  # a pool bound to this loop
        self.client = httpx.AsyncClient(transport=httpx.ASGITransport(app=build_api(), client=("203.0.113.7", 40000)), base_url="http://app")

    def run(self, request: httpx.Request) -> httpx.Response:
        return self.loop.run_until_complete(self.client.send(request))

    def close(self) -> None:
        self.loop.run_until_complete(self.client.aclose())
        store = inbound_store()
        if store._pool is not None:
            self.loop.run_until_complete(store._pool.close())
        inbound_store.cache_clear()
        self.loop.close()


@pytest.fixture
def http() -> Iterator[Loop]:
    webhook_refusals._seen.clear()
    loop = Loop()
    yield loop
    loop.close()
    webhook_refusals._seen.clear()


def _raw_header(name: str, value: str) -> tuple[bytes, bytes]:
    return name.encode(), value.encode("latin-1")


def _stored() -> list[InboundEvent]:
    with session_scope() as s:
        return list(s.exec(select(InboundEvent)))


def test_a_hundred_unsigned_posts_then_a_signed_one_from_the_same_address_is_stored(http: Loop) -> None:
    unsigned = [http.run(http.client.build_request("POST", "/webhooks/messenger", content=b'{"object":"page"}')) for _ in range(100)]
    statuses = [r.status_code for r in unsigned]
    assert set(statuses) == {403, 429} and statuses[-1] == 429  # the flood is refused, then slowed
    raw, headers = signed(envelope(text_event("24000000000000777", "m_after_flood", "ยังได้รับไหมคะ", 1_795_000_000_000)))
    answer = http.run(http.client.build_request("POST", "/webhooks/messenger", content=raw, headers=headers))
    assert (answer.status_code, answer.text) == (200, "EVENT_RECEIVED")
    assert [row.payload["message"]["text"] for row in _stored()] == ["ยังได้รับไหมคะ"]


def test_handshake_parameters_of_any_text_are_answered_without_a_server_error(http: Loop) -> None:
    token = get_settings().meta_verify_token.get_secret_value()
    mode = st.one_of(st.just("subscribe"), any_text)
    verify_token = st.one_of(st.just(token), any_text, any_text.map(lambda text: token + text))

    @FUZZ
    @given(st.fixed_dictionaries({}, optional={"hub.mode": mode, "hub.verify_token": verify_token, "hub.challenge": any_text, "hub.other": any_text}))
    def check(params: dict[str, str]) -> None:
        answer = http.run(http.client.build_request("GET", "/webhooks/messenger", params=params))
        assert answer.status_code in (200, 403), answer.text
        if answer.status_code == 200:  # only with the real token, and then the challenge comes back
            assert answer.text == params.get("hub.challenge", "")

    check()


def test_unsigned_posts_with_any_header_text_are_refused_with_a_4xx(http: Loop) -> None:
    @FUZZ
    @given(signature=st.one_of(st.none(), header_text), length=st.one_of(st.none(), length_text), body=st.binary(max_size=200),
           forwarded=st.one_of(st.none(), header_text, st.just("198.51.100.7, 10.0.0.1")))
    def check(signature: str | None, length: str | None, body: bytes, forwarded: str | None) -> None:
        webhook_refusals._seen.clear()
        request = http.client.build_request("POST", "/webhooks/messenger", content=body)
        headers = [(k, v) for k, v in request.headers.raw if k.lower() != b"content-length"]
        if signature is not None:
            headers.append(_raw_header("x-hub-signature-256", signature))
        if forwarded is not None:
            headers.append(_raw_header("x-forwarded-for", forwarded))
        headers.append(_raw_header("content-length", length) if length is not None else (b"content-length", str(len(body)).encode()))
        request.headers = httpx.Headers(headers)
        answer = http.run(request)
        assert answer.status_code in (403, 413), answer.text
        assert _stored() == []

    check()


def test_any_signed_bytes_are_answered_200(http: Loop) -> None:
    @FUZZ
    @given(st.one_of(st.binary(max_size=300), any_text.map(lambda text: text.encode("utf-8", "surrogatepass"))))
    def check(raw: bytes) -> None:
        answer = http.run(http.client.build_request("POST", "/webhooks/messenger", content=raw, headers={"X-Hub-Signature-256": sign(raw)}))
        assert (answer.status_code, answer.text) == (200, "EVENT_RECEIVED")

    check()


def test_behind_a_trusted_proxy_refusals_are_counted_per_client(http: Loop, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VSCHOOL_TRUSTED_PROXIES", "203.0.113.7")  # the address every post comes from here
    get_settings.cache_clear()
    auth._trusted_proxies.cache_clear()
    try:
        def post(client: str) -> int:
            request = http.client.build_request("POST", "/webhooks/messenger", content=b"{}", headers={"X-Forwarded-For": client})
            return http.run(request).status_code

        assert [post("198.51.100.1") for _ in range(MAX_REFUSALS + 1)][-1] == 429
        assert post("198.51.100.2") == 403  # another client behind the same proxy is not slowed by the first
    finally:
        monkeypatch.delenv("VSCHOOL_TRUSTED_PROXIES")
        get_settings.cache_clear()
        auth._trusted_proxies.cache_clear()
