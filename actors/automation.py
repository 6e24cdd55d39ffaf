"""The automation rules' actor: run the admin's rules on one stored customer message.

The inbound actor calls `rules_now` right after storing the message, before the AI answers
(a rule may set the AI level or assign the conversation); a failure there leaves the job to the
actor. Safe to run twice: each rule runs once per trigger (models/automation_run.py).
"""

import dramatiq

from actors.outbound import send_message
from actors.push import announce_all
from logs.jsonl import log_error
from models.automation_run import run_rules
from models.db import session_scope


@dramatiq.actor(queue_name="interactive", max_retries=5, min_backoff=500)
def run_automation(message_id: int) -> None:
    """Run the enabled rules, in order, on one customer message; send the canned replies they
    queued and announce the conversation. Reads: message, conversation, customer, ad,
    automation_rule. Writes: automation_run, conversation, conversation_label, message."""
    with session_scope() as session:
        result = run_rules(session, message_id)
    for reply_id in result.to_send:
        send_message.send(reply_id)
    if result.ran:
        announce_all(("conversation", result.conversation_id), ("message", result.conversation_id))


def rules_now(message_id: int) -> None:
    """Run the rules from the worker that just stored the message (the AI answers after them)."""
    try:
        run_automation.fn(message_id)
    except Exception as exc:
        log_error("automation", "running rules inline failed; queued for the rules actor", message_id=message_id, error=repr(exc)[:300])
        run_automation.send(message_id)
