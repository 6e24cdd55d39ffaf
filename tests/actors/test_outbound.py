"""Staff replies through the real Send API client to the Meta simulator: window rules, error
classes, and a send that is never repeated."""

import time
from datetime import timedelta

import dramatiq
import httpx
import pytest
import redis
import sqlalchemy as sa
from sqlmodel import select

from actors.meta.graph import GraphClient, GraphError
from actors.outbound import (
    ECHO_GRACE,
    UNHEALTHY_KEY,
    _settle_failure,
    fetch_customer_profile,
    record_attempt,
    send_key,
    send_message,
)
from models import ChannelIdentity, Conversation, Customer, Message, OutboundSend
from models.base import utcnow
from models.customer_rules import find_or_create_customer
from models.db import session_scope
from models.enums import DeliveryStatus, Role, SendStatus
from models.reply_rules import ReplyRefused, queue_staff_reply
from models.settings import get_settings
from vschool.staff import create_staff

pytestmark = pytest.mark.usefixtures("db")


@pytest.fixture
def setup(simulator: str):
    """A simulator customer who wrote to the Page an hour ago, and an agent."""
    psid = httpx.post(f"{simulator}/_sim/customers", json={"name": "สมชาย ใจดี"}).json()["psid"]
    with session_scope() as s:
        agent = create_staff(s, None, "nok@vschool.test", "Nok", Role.AGENT, "agent-password-1")
        customer, _ = find_or_create_customer(s, "facebook", get_settings().page_id, psid)
        conversation = Conversation(customer_id=customer.id, page_id=get_settings().page_id, last_inbound_at=utcnow() - timedelta(hours=1))
        s.add(conversation)
        s.flush()
    return simulator, psid, agent, conversation.id, customer.id


def _reply(agent, conversation_id: int, text: str = "ได้เลยค่ะ คอร์สซูชิเริ่ม 5 ธันวาคมค่ะ") -> int:
    with session_scope() as s:
        return queue_staff_reply(s, agent, conversation_id, text).id


def _sent(simulator: str, psid: str) -> list[dict]:
    return [x["body"] for x in httpx.get(f"{simulator}/_sim/sent").json()["sent"] if x["body"]["recipient"]["id"] == psid]


def _fail_next(simulator: str, **spec) -> None:
    httpx.post(f"{simulator}/_sim/fail", json=spec).raise_for_status()


def test_reply_inside_the_window_is_sent_once_as_response_with_our_metadata(setup) -> None:
    simulator, psid, agent, conversation_id, _ = setup
    message_id = _reply(agent, conversation_id)
    send_message.fn(message_id)
    send_message.fn(message_id)  # a redelivered message: nothing more goes out
    (body,) = _sent(simulator, psid)
    assert body["messaging_type"] == "RESPONSE" and "tag" not in body
    assert body["metadata"] == f"vschool:message:{message_id}" and body["message"]["text"].startswith("ได้เลยค่ะ")
    with session_scope() as s:
        message, send = s.get(Message, message_id), s.exec(select(OutboundSend)).one()
        assert message.status == DeliveryStatus.SENT and message.mid.startswith("m_sim_")
        assert (send.status, send.attempts, send.meta_message_id) == (SendStatus.SENT, 1, message.mid)
        assert s.get(Conversation, conversation_id).ai_paused  # a person took over


def test_between_one_and_seven_days_a_staff_reply_goes_with_the_human_agent_tag(setup) -> None:
    simulator, psid, agent, conversation_id, _ = setup
    with session_scope() as s:
        s.get(Conversation, conversation_id).last_inbound_at = utcnow() - timedelta(days=2)
    send_message.fn(_reply(agent, conversation_id))
    (body,) = _sent(simulator, psid)
    assert (body["messaging_type"], body["tag"]) == ("MESSAGE_TAG", "HUMAN_AGENT")


def test_after_seven_days_the_reply_is_refused_with_a_reason(setup) -> None:
    _, _, agent, conversation_id, _ = setup
    with session_scope() as s:
        s.get(Conversation, conversation_id).last_inbound_at = utcnow() - timedelta(days=8)
    with pytest.raises(ReplyRefused, match="7 days"):
        _reply(agent, conversation_id)


def test_throttling_is_retried_honouring_the_time_meta_gives(setup) -> None:
    simulator, psid, agent, conversation_id, _ = setup
    message_id = _reply(agent, conversation_id)
    _fail_next(simulator, code=80006, message="(#80006) too many calls", http_status=400,
               headers={"X-Business-Use-Case-Usage": '{"100000000000001": [{"type": "messenger", "call_count": 100, "estimated_time_to_regain_access": 2}]}'})
    with pytest.raises(dramatiq.Retry) as retry:
        send_message.fn(message_id)
    assert retry.value.delay == 120_000
    _fail_next(simulator, code=613, message="(#613) Calls to this api have exceeded the rate limit.")
    with pytest.raises(dramatiq.Retry):
        send_message.fn(message_id)
    send_message.fn(message_id)
    assert len(_sent(simulator, psid)) == 1


@pytest.mark.parametrize(
    ("code", "subcode", "says"),
    [(10, 2018278, "window has closed"), (551, 1545041, "window has closed"), (551, None, "not receiving"), (100, None, "invalid")],
)
def test_refusals_fail_fast_and_tell_the_staff_why(setup, code: int, subcode: int | None, says: str) -> None:
    simulator, _, agent, conversation_id, _ = setup
    message_id = _reply(agent, conversation_id)
    _fail_next(simulator, code=code, subcode=subcode, message="refused")
    send_message.fn(message_id)  # no exception: nothing to retry
    with session_scope() as s:
        message = s.get(Message, message_id)
        assert message.status == DeliveryStatus.FAILED and says in message.error


def test_a_token_error_marks_the_channel_unhealthy(setup) -> None:
    simulator, _, agent, conversation_id, _ = setup
    client = redis.Redis.from_url(get_settings().redis_url)
    client.delete(UNHEALTHY_KEY)
    _fail_next(simulator, code=190, subcode=460, message="Invalid OAuth access token.", http_status=401)
    send_message.fn(_reply(agent, conversation_id))
    assert b"190" in client.get(UNHEALTHY_KEY)
    client.delete(UNHEALTHY_KEY)


def test_an_attempt_cut_off_midway_is_settled_by_its_echo_not_sent_again(setup) -> None:
    simulator, psid, agent, conversation_id, _ = setup
    message_id = _reply(agent, conversation_id)
    with session_scope() as s:  # the state a worker killed during the HTTP call leaves behind
        s.add(OutboundSend(idempotency_key=f"message:{message_id}", conversation_id=conversation_id, message_id=message_id,
                           recipient_id=psid, attempts=1, sent_at=utcnow()))
    with pytest.raises(dramatiq.Retry):
        send_message.fn(message_id)  # too early to tell: wait for the echo
    with session_scope() as s:
        s.get(Message, message_id).mid = "m_from_the_echo"  # what the echo's metadata tells us
    send_message.fn(message_id)
    assert _sent(simulator, psid) == []
    with session_scope() as s:
        assert s.get(Message, message_id).status == DeliveryStatus.SENT
        assert s.exec(select(OutboundSend)).one().status == SendStatus.SENT


def test_a_timeout_waiting_for_meta_is_not_resent_before_its_echo_could_arrive(setup) -> None:
    simulator, psid, agent, conversation_id, _ = setup
    slow = GraphClient(get_settings().graph_url, get_settings().page_id, get_settings().page_token, timeout_s=0.3)
    _fail_next(simulator, delay_ms=1000)  # Meta takes the message but answers late
    with pytest.raises(GraphError) as late:
        slow.send({"recipient": {"id": psid}, "messaging_type": "RESPONSE", "message": {"text": "สวัสดีค่ะ"}})
    assert late.value.kind == "retry" and late.value.maybe_delivered
    with pytest.raises(GraphError) as unreachable:  # nothing listens there: nothing was sent
        GraphClient("http://127.0.0.1:9", get_settings().page_id, "token", timeout_s=0.3).send({"recipient": {"id": psid}})
    assert unreachable.value.kind == "retry" and not unreachable.value.maybe_delivered

    message_id = _reply(agent, conversation_id)
    with session_scope() as s:
        record_attempt(s, message_id)
    with pytest.raises(dramatiq.Retry) as retry:
        _settle_failure(message_id, send_key(message_id), late.value)
    assert retry.value.delay == ECHO_GRACE.total_seconds() * 1000
    with session_scope() as s:
        assert s.exec(select(OutboundSend)).one().sent_at is not None  # the attempt stays open for its echo
    time.sleep(1.0)  # the slow call above has finished on Meta's side
    before = len(_sent(simulator, psid))
    with pytest.raises(dramatiq.Retry):
        send_message.fn(message_id)  # within the grace: not sent again yet
    assert len(_sent(simulator, psid)) == before


def test_a_reply_to_a_customer_whose_messenger_id_was_removed_fails_with_a_reason(setup) -> None:
    _, _, agent, conversation_id, customer_id = setup
    message_id = _reply(agent, conversation_id)
    with session_scope() as s:
        s.execute(sa.delete(ChannelIdentity).where(ChannelIdentity.customer_id == customer_id))
    send_message.fn(message_id)
    with session_scope() as s:
        message = s.get(Message, message_id)
        assert message.status == DeliveryStatus.FAILED and "can no longer be reached" in message.error
        assert s.exec(select(OutboundSend)).first() is None


def test_profile_fetch_names_the_customer_and_unknown_people_keep_the_fallback(setup) -> None:
    _, _, _, _, customer_id = setup
    fetch_customer_profile.fn(customer_id)
    with session_scope() as s:
        customer = s.get(Customer, customer_id)
        assert (customer.display_name, customer.first_name, customer.last_name) == ("สมชาย ใจดี", "สมชาย", "ใจดี")
        assert customer.profile_pic_url.endswith(".svg") and customer.profile_fetched_at
        stranger, _ = find_or_create_customer(s, "facebook", get_settings().page_id, "9999999999")
    fetch_customer_profile.fn(stranger.id)
    with session_scope() as s:
        assert s.get(Customer, stranger.id).display_name == "Messenger user …9999"


def test_an_attachment_goes_by_url_and_stale_profiles_are_refetched(setup) -> None:
    from actors.outbound import refresh_stale_profiles

    simulator, psid, agent, conversation_id, customer_id = setup
    with session_scope() as s:
        message = Message(conversation_id=conversation_id, direction="outbound", sender_kind="staff", staff_user_id=agent.id,
                          attachments=[{"type": "image", "payload": {"url": "https://example.invalid/menu.jpg"}}],
                          status=DeliveryStatus.PENDING, sent_at=utcnow())
        s.add(message)
        s.flush()
        message_id = message.id
    send_message.fn(message_id)
    (body,) = _sent(simulator, psid)
    assert body["message"] == {"attachment": {"type": "image", "payload": {"url": "https://example.invalid/menu.jpg", "is_reusable": True}}}
    client = redis.Redis.from_url(get_settings().redis_url)
    before = client.hlen("vschool:bulk.msgs")
    refresh_stale_profiles.fn()  # the customer's profile was never fetched
    assert client.hlen("vschool:bulk.msgs") == before + 1


def test_a_reply_whose_send_never_ran_is_relayed(setup) -> None:
    from actors.outbound import relay_pending_replies

    simulator, psid, agent, conversation_id, _ = setup
    message_id = _reply(agent, conversation_id)
    with session_scope() as s:  # pressed Send while Redis was away, two minutes ago
        s.get(Message, message_id).sent_at = utcnow() - timedelta(minutes=2)
    client = redis.Redis.from_url(get_settings().redis_url)
    before = client.hlen("vschool:interactive.msgs")
    relay_pending_replies.fn()
    assert client.hlen("vschool:interactive.msgs") == before + 1
