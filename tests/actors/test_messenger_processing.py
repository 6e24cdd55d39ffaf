"""Every reference shape and Chatwoot fixture parses to the right rows once applied."""

import copy

import pytest
from sqlmodel import select

from models import AdReferral, Conversation, Customer, InboundEvent, Message
from models.db import session_scope
from models.enums import ConversationStatus, DeliveryStatus, Direction, SenderKind
from tests.messenger_helpers import chatwoot, envelope, ingest, shape, text_event

pytestmark = pytest.mark.usefixtures("db")


def _all(model):
    with session_scope() as s:
        return list(s.exec(select(model).order_by(model.id)))


def _processed() -> bool:
    return all(e.processed_at is not None for e in _all(InboundEvent))


def test_text_with_quick_reply_makes_customer_conversation_and_message() -> None:
    ingest(shape("messenger_webhook_message_text_quick_reply"))
    (customer,), (conversation,), (message,) = _all(Customer), _all(Conversation), _all(Message)
    assert customer.standard_id.startswith("TVS-CUS-FB-") and customer.display_name.endswith("2222")
    assert (conversation.page_id, conversation.status, conversation.unread_count) == ("1111111111", ConversationStatus.OPEN, 1)
    assert (message.direction, message.sender_kind, message.text) == (Direction.INBOUND, SenderKind.CUSTOMER, "hello, world!")
    assert message.quick_reply_payload == "<DEVELOPER_DEFINED_PAYLOAD>"
    assert conversation.last_inbound_at == message.sent_at and _processed()


@pytest.mark.parametrize(
    ("name", "check"),
    [
        ("messenger_webhook_message_attachments", lambda m: m.attachments[0]["type"] == "image" and m.text is None),
        ("messenger_webhook_message_fallback_attachment", lambda m: m.attachments[0]["type"] == "fallback" and "youtu" in m.text),
        ("messenger_webhook_message_reply_to", lambda m: m.reply_to_mid == "m_1fTq8oLumEyIp3Q2MR-aY7IfLZDamVrALniheU"),
        ("messenger_webhook_standby", lambda m: m.text.startswith("message received while another app")),
        ("messenger_webhook_postback", lambda m: (m.text, m.quick_reply_payload) == ("<BUTTON_TITLE>", "<DEVELOPER_DEFINED_PAYLOAD>")),
    ],
)
def test_message_shapes(name: str, check) -> None:
    ingest(shape(name))
    (message,) = _all(Message)
    assert check(message) and _processed()


def test_ad_referral_inside_a_message_attributes_customer_and_conversation() -> None:
    ingest(shape("messenger_webhook_message_ads_referral"))
    (customer,), (conversation,), (referral,) = _all(Customer), _all(Conversation), _all(AdReferral)
    assert customer.first_ad_id == conversation.source_ad_id == referral.ad_id == "120210000000000001"
    assert referral.source == "ADS" and referral.context["ad_title"] == "<TITLE_OF_THE_AD>"


def test_a_later_referral_is_kept_but_the_first_ad_still_attributes() -> None:
    first = shape("messenger_webhook_referral_ads")
    later = copy.deepcopy(first)
    event = later["entry"][0]["messaging"][0]
    event["timestamp"] += 86_400_000
    event["referral"]["ad_id"] = "120210000000000999"
    ingest(later)  # arrives first (out of order) …
    ingest(first)  # … but happened first
    ingest(shape("messenger_webhook_referral_shortlink"))
    (customer,) = _all(Customer)
    assert customer.first_ad_id == "120210000000000001"
    assert [(r.source, r.ad_id) for r in _all(AdReferral)] == [
        ("ADS", "120210000000000999"), ("ADS", "120210000000000001"), ("SHORTLINK", None),
    ]
    (conversation,) = _all(Conversation)
    assert conversation.last_inbound_at is not None and conversation.unread_count == 0  # window open, nothing to read


def test_echo_from_metas_page_inbox_is_an_outgoing_staff_message_and_duplicates_are_one() -> None:
    body = shape("messenger_webhook_message_echo")
    body["entry"][0]["messaging"][0]["message"]["app_id"] = 26390203743090
    ingest(body)
    ingest(body)
    (message,) = _all(Message)
    assert (message.direction, message.sender_kind, message.text) == (Direction.OUTBOUND, SenderKind.PAGE_INBOX, "hello, world!")
    assert _all(Customer)[0].display_name.endswith("2222")  # the customer is the recipient


def test_reactions_react_then_unreact_even_out_of_order() -> None:
    ingest(envelope(text_event("Sender-id-1", "message-id-to-react-to", "ราคาเท่าไหร่คะ", 1_699_999_999_000, "page-id-1"), "page-id-1"))
    react, unreact = chatwoot("facebook/fb_message_reaction_react.json"), chatwoot("facebook/fb_message_reaction_unreact.json")
    ingest(unreact)
    ingest(react)  # older: must not undo the unreact
    (message,) = _all(Message)
    assert message.reactions["Sender-id-1"]["removed"] is True
    ingest(shape("messenger_webhook_reaction"))  # a reaction to an unknown message changes nothing
    assert len(_all(Message)) == 1 and _processed()


def test_deliveries_and_reads_move_outgoing_ticks_forward_only() -> None:
    ingest(envelope(text_event("3383290475046708", "m_in_1", "hi", 1_648_581_600_000, "117172741761305"), "117172741761305"))
    (conversation,) = _all(Conversation)
    from datetime import UTC, datetime

    with session_scope() as s:
        for i, when in enumerate((1_648_581_610_000, 1_648_581_630_000, 1_648_581_640_000)):
            s.add(Message(conversation_id=conversation.id, direction=Direction.OUTBOUND, sender_kind=SenderKind.STAFF,
                          mid=f"m_out_{i}", text="ok", status=DeliveryStatus.SENT,
                          sent_at=datetime.fromtimestamp(when / 1000, UTC)))
    ingest(chatwoot("facebook/fb_message_reads.json"))  # string watermark 1648581633369
    ingest(chatwoot("facebook/fb_message_deliveries.json"))  # a late delivery must not undo "read"
    outgoing = [m for m in _all(Message) if m.direction == Direction.OUTBOUND]
    assert [m.status for m in outgoing] == [DeliveryStatus.READ, DeliveryStatus.READ, DeliveryStatus.SENT]


def test_chatwoot_shapes_all_apply_without_error() -> None:
    for path in (
        "facebook/fb_incoming_text_message.json",
        "facebook/fb_messaging_postback_get_started.json",
        "facebook/fb_parser_comment_sample_text_quick_reply.json",
        "facebook/fb_postback_job_event_raw.json",
        "facebook/fb_echo_minimal_numeric_app_id.json",
        "facebook/fb_echo_minimal_string_app_id.json",
        "facebook/fb_page_feed_comment_change.json",
        "instagram/ig_message_create_event.json",
        "instagram/ig_story_reply_event.json",
        "instagram/ig_message_unsend_event.json",
        "instagram/ig_messaging_seen_event.json",
        "instagram/ig_dashboard_test_event_changes.json",
        "instagram/ig_story_mention_event_with_echo.json",
    ):
        ingest(chatwoot(path))
    assert _processed()
    texts = {m.text for m in _all(Message)}
    assert {"facebook message", "Get Started", "Option A"} <= texts
    kinds = {e.kind for e in _all(InboundEvent)}
    assert "unknown" in kinds  # the feed comment and minimal echoes are kept, not dropped


def test_batched_entries_for_two_pages() -> None:
    ingest(shape("messenger_webhook_batched"))
    assert [c.page_id for c in _all(Conversation)] == ["1111111111"]
    assert _processed()


def test_a_read_receipt_never_ticks_a_reply_meta_has_not_accepted_and_waits_for_it() -> None:
    """The phone can read a reply before our send call returns (no mid stored yet): the read
    must neither tick an unaccepted reply nor be lost; it is tried again once the send settles."""
    from datetime import UTC, datetime

    import dramatiq

    from actors.messenger import process_inbound_event
    from tests.messenger_helpers import store

    ingest(envelope(text_event("3383290475046708", "m_in_9", "hi", 1_648_581_600_000, "117172741761305"), "117172741761305"))
    (conversation,) = _all(Conversation)
    with session_scope() as s:  # still being sent: no mid yet
        reply = Message(conversation_id=conversation.id, direction=Direction.OUTBOUND, sender_kind=SenderKind.STAFF,
                        text="pending", status=DeliveryStatus.PENDING, sent_at=datetime.fromtimestamp(1_648_581_610, UTC))
        s.add(reply)
        s.flush()
        reply_id = reply.id
    (read_event,) = store(chatwoot("facebook/fb_message_reads.json"))
    with pytest.raises(dramatiq.Retry):
        process_inbound_event.fn(read_event)
    assert [m.status for m in _all(Message) if m.direction == Direction.OUTBOUND] == [DeliveryStatus.PENDING]
    assert not _processed()
    with session_scope() as s:  # the send settles: Meta accepted it
        settled = s.get(Message, reply_id)
        settled.mid, settled.status = "m_out_settled", DeliveryStatus.SENT
        s.add(settled)
    process_inbound_event.fn(read_event)
    assert [m.status for m in _all(Message) if m.direction == Direction.OUTBOUND] == [DeliveryStatus.READ]
    assert _processed()
