"""No secret in any log line: a real worker process with a real Page token sends a reply and
fetches a profile from the Meta simulator; neither its output nor any log file under the data
folder shows the token, and the lines still say what was called."""

import io
import logging
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from actors.outbound import fetch_customer_profile, send_message
from logs.redact import redact
from models import Conversation, Customer, Message
from models.base import utcnow
from models.customer_rules import find_or_create_customer
from models.db import session_scope
from models.enums import DeliveryStatus, Role
from models.reply_rules import queue_staff_reply
from models.settings import get_settings
from tests.conftest import ROOT, wait_until
from vschool.harness import booted_workers
from vschool.staff import create_staff
from vschool.workers import BACKGROUND_PROCESSES

PAGE_TOKEN = "EAAGredactme7Q2x9PageTokenZZ"


@pytest.mark.parametrize(
    ("line", "shown", "hidden"),
    [
        ('HTTP Request: GET http://graph/v25.0/1?access_token=EAAB12345&fields=a "HTTP/1.1 200 OK"', "access_token=***&fields=a", "EAAB12345"),
        ("POST /v25.0/me/messages?appsecret_proof=abcdef0123&access_token=x1", "appsecret_proof=***&access_token=***", "abcdef0123"),
        ("GET https://gen.googleapis/v1beta/models/x:embed?key=AIzaSyGeminiKey", "?key=***", "AIzaSyGeminiKey"),
        ("headers {'Authorization': 'Bearer vst_abcdefghijklmnop'}", "'Bearer ***'", "abcdefghijklmnop"),
        ("token used: vst_Zk3-9_qwertyuiop", "vst_***", "Zk3-9_qwertyuiop"),
        ('{"access_token": "EAAGsecret99"}', '"access_token": "***"', "EAAGsecret99"),
        ("x-goog-api-key: AIzaSyHeader", "x-goog-api-key: ***", "AIzaSyHeader"),
        ("could not connect to postgresql://vschool:hunter22@db:5432/vschool", "vschool:***@db", "hunter22"),
    ],
)
def test_every_kind_of_secret_is_masked_and_the_line_keeps_its_sense(line: str, shown: str, hidden: str) -> None:
    masked = redact(line)
    assert hidden not in masked and shown in masked


@pytest.mark.parametrize("line", ["cache_key=customer:7 monkey=1", "Bearer of bad news", "a key: value"])
def test_ordinary_words_are_left_alone(line: str) -> None:
    assert redact(line) == line


def test_a_record_is_masked_in_its_arguments_and_its_exception() -> None:
    """The redaction is installed in this process (importing the actors package does it)."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    log = logging.getLogger("tests.redact")
    log.addHandler(handler)
    log.propagate = False
    try:
        log.warning("HTTP Request: %s %s", "GET", httpx.URL("http://graph/v25.0/me?access_token=EAABarg123"))
        try:
            raise ValueError("Graph said no to http://graph/v25.0/me?access_token=EAABexc456")
        except ValueError:
            log.exception("failed")
    finally:
        log.removeHandler(handler)
    written = out.getvalue()
    assert "EAABarg123" not in written and "EAABexc456" not in written
    assert "GET http://graph/v25.0/me?access_token=***" in written and "ValueError: Graph said no" in written


def test_the_configured_secrets_are_masked_wherever_they_appear() -> None:
    program = (
        "import logging, os\n"
        "from logs.redact import install\n"
        "install()\n"
        "logging.basicConfig(format='%(message)s')\n"
        "logging.getLogger('x').warning('page %s app %s', os.environ['META_PAGE_ACCESS_TOKEN'], os.environ['META_APP_SECRET'])\n"
    )
    env = {**os.environ, "META_PAGE_ACCESS_TOKEN": PAGE_TOKEN, "META_APP_SECRET": "app-secret-4f9a1c"}
    done = subprocess.run([sys.executable, "-c", program], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.stderr.strip() == "page *** app ***", done.stderr


@pytest.fixture
def worker_with_a_page_token(db: None, simulator: str, tmp_path: Path):
    """A real `vschool worker` that talks to "Meta" (the simulator's Graph API) with a real-looking
    Page token; everything it prints goes to a file."""
    output = tmp_path / "worker.out"
    env = {**os.environ, "META_PAGE_ACCESS_TOKEN": PAGE_TOKEN, "META_GRAPH_URL": f"{simulator}/v25.0"}
    with output.open("w") as sink:
        proc = subprocess.Popen([sys.executable, "-m", "vschool.cli", "worker", "--processes", "1", "--threads", "2"],
                                cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_until(lambda: booted_workers(os.environ["REDIS_URL"], {proc.pid}) >= 1 + BACKGROUND_PROCESSES, timeout_s=60)
        yield output
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_a_send_and_a_profile_fetch_by_a_real_worker_never_log_the_page_token(worker_with_a_page_token: Path, simulator: str) -> None:
    output = worker_with_a_page_token
    psid = httpx.post(f"{simulator}/_sim/customers", json={"name": "Somchai Jaidee"}).json()["psid"]
    with session_scope() as s:
        agent = create_staff(s, None, "nok@vschool.test", "Nok", Role.AGENT, "agent-password-1")
        customer, _ = find_or_create_customer(s, "facebook", get_settings().page_id, psid)
        conversation = Conversation(customer_id=customer.id, page_id=get_settings().page_id, last_inbound_at=utcnow() - timedelta(hours=1))
        s.add(conversation)
        s.flush()
        message_id = queue_staff_reply(s, agent, conversation.id, "Our sushi course starts on 5 December.").id
        customer_id = customer.id
    send_message.send(message_id)
    fetch_customer_profile.send(customer_id)

    def sent_and_fetched() -> bool:
        with session_scope() as s:
            return s.get(Message, message_id).status == DeliveryStatus.SENT and s.get(Customer, customer_id).profile_fetched_at is not None

    wait_until(sent_and_fetched, timeout_s=60)
    wait_until(lambda: output.read_text().count("access_token=***") >= 2, timeout_s=15)  # both calls' lines, masked

    printed = output.read_text()
    assert PAGE_TOKEN not in printed
    assert f"/v25.0/{get_settings().page_id}/messages?access_token=***" in printed and f"/v25.0/{psid}?access_token=***" in printed
    log_files = [p for p in get_settings().data_dir.resolve().rglob("*") if p.is_file() and (p.suffix in (".log", ".jsonl") or "logs" in p.parts)]
    assert not [p for p in log_files if PAGE_TOKEN in p.read_text(errors="replace")]
