"""The live inbox: conversation list, thread with composer, customer side panel. Everything
reloads from PostgreSQL when the `conversation`/`message` feeds move, in every open browser."""


from collections.abc import Callable

import reflex as rx
import sqlalchemy as sa

from actors.outbound import send_message, send_sender_action
from actors.push import announce
from knowledge.documents import source_shown
from logs.audit import record as audit
from models.access import Access
from models.ai_drafts import (
    ai_panel,
    autonomy_of,
    discard_draft,
    dismiss_handoff,
    earlier_waiting,
    send_draft,
)
from models.ai_rules import set_conversation_level
from models.assignment import assign_person, unassign
from models.db import session_scope
from models.enums import ConversationStatus
from models.inbox import Conversation
from models.inbox_queries import (
    LIST_PAGE,
    ListFilter,
    add_note,
    all_labels,
    canned_responses,
    conversation_labels,
    hours_until_tomorrow_morning,
    list_conversations,
    mark_read,
    panel,
    set_status,
    thread,
    toggle_label,
)
from models.refusals import Refused
from models.reply_rules import ReplyRefused, queue_staff_reply
from vschool.components.inbox import (
    AI_LEVEL_CHOICES,
    AI_LEVEL_LABELS,
    ANY_LABEL,
    conversation_list,
    keyboard_help,
    side_panel,
    thread_view,
)
from vschool.components.layout import app_page
from vschool.state.auth import AuthState, admitted_staff, needs, refused, say, viewer
from vschool.state.feeds import Feed
from vschool.state.gate import StaffState
from vschool.state.hand_off import HandOffState

STATUSES = [s.value for s in ConversationStatus]
# Below 1280 px the customer panel goes; below 1024 px (phones, tablets beside the sidebar) the
# inbox shows the list or the open thread (with a back button), never both.
INBOX_CSS = """
.inbox-back { display: none !important; }
@media (max-width: 1279px) { .inbox-side { display: none !important; } }
@media (max-width: 1023px) {
  .inbox-back { display: flex !important; }
  .inbox-list { width: 100% !important; min-width: 0 !important; }
  .inbox-layout.has-thread .inbox-list { display: none !important; }
  .inbox-layout:not(.has-thread) .inbox-thread { display: none !important; }
}
"""

# Why an action was refused, as the rules word it (in English) → the label key staff read.
# A wording not listed here is shown as it is.
def sources_shown(sources: list[dict[str, str]]) -> list[dict[str, str]]:
    """The AI draft's sources for the inbox: the document's title with its path relative to the
    knowledge folder beside it; a document without a title is named by that relative path."""
    shown = []
    for found in sources:
        raw, title = found.get("source", ""), found.get("title", "")
        relative = source_shown(raw)
        no_title = not title or title == raw
        shown.append({**found, "title": relative if no_title else title, "source": "" if no_title else relative})
    return shown


class InboxState(StaffState, access=Access.INBOX, shown_on=("/inbox",)):
    status: str = ConversationStatus.OPEN.value
    scope: str = "all"
    search: str = ""
    page: int = 0
    selected: int = 0
    mode: str = "reply"  # reply | note
    notice: str = ""
    error: str = ""
    show_help: bool = False
    label: str = ""
    editing_task: int = 0  # the AI draft being edited in the composer (its reply does not pause the AI)
    sort: str = "recent"  # recent | due (least response time left first)

    @rx.var
    async def listing(self) -> dict:
        feed = await self.get_state(Feed)
        _ = (self.on_screen, feed.conversation, feed.message)
        signed_in = await self.get_state(AuthState)  # read here: dependencies are tracked per var
        staff_id = signed_in.user_id
        if not staff_id or await viewer(self, Access.INBOX) is None:
            return {"rows": [], "total": 0}
        with session_scope() as session:
            rows, total = list_conversations(session, staff_id, ListFilter(self.status, self.scope, self.search, self.page, self.label, self.sort),
                                             signed_in.language)
        return {"rows": rows, "total": total}

    @rx.var
    async def messages(self) -> list[dict[str, str]]:
        feed = await self.get_state(Feed)
        _ = (self.on_screen, feed.message)
        signed_in = await self.get_state(AuthState)
        if not self.selected or not signed_in.user_id or await viewer(self, Access.INBOX) is None:
            return []
        with session_scope() as session:
            return thread(session, self.selected, signed_in.language)

    @rx.var
    async def current(self) -> dict[str, str]:
        feed = await self.get_state(Feed)
        _ = (self.on_screen, feed.conversation, feed.customer)
        signed_in = await self.get_state(AuthState)
        if not self.selected or not signed_in.user_id or await viewer(self, Access.INBOX) is None:
            return {}
        with session_scope() as session:
            return panel(session, self.selected, language=signed_in.language)

    @rx.var
    async def ai(self) -> dict[str, str]:
        """The AI's open draft for this conversation, or why it handed off (see `ai_panel`)."""
        feed = await self.get_state(Feed)
        _ = (self.on_screen, feed.conversation, feed.message)
        signed_in = await self.get_state(AuthState)
        if not self.selected or not signed_in.user_id or await viewer(self, Access.INBOX) is None:
            return {}
        with session_scope() as session:
            found = ai_panel(session, self.selected, signed_in.language)
            level = autonomy_of(session, self.selected)
        return {**{k: v for k, v in found.items() if k != "sources"}, **{f"level_{k}": v for k, v in level.items()}}

    @rx.var
    async def ai_sources(self) -> list[dict[str, str]]:
        feed = await self.get_state(Feed)
        _ = (self.on_screen, feed.conversation, feed.message)
        if not self.selected or not (await self.get_state(AuthState)).user_id or await viewer(self, Access.INBOX) is None:
            return []
        with session_scope() as session:
            return sources_shown(ai_panel(session, self.selected).get("sources", []))

    @rx.var
    async def ai_earlier(self) -> list[dict[str, str]]:
        """The customer's earlier messages still waiting: open drafts and hand-offs (see `earlier_waiting`)."""
        feed = await self.get_state(Feed)
        _ = (self.on_screen, feed.conversation, feed.message)
        signed_in = await self.get_state(AuthState)
        if not self.selected or not signed_in.user_id or await viewer(self, Access.INBOX) is None:
            return []
        with session_scope() as session:
            return earlier_waiting(session, self.selected, signed_in.language)

    @rx.var
    async def labels(self) -> list[str]:
        feed = await self.get_state(Feed)
        _ = (self.on_screen, feed.conversation)
        if not (await self.get_state(AuthState)).user_id or await viewer(self, Access.INBOX) is None:
            return []
        with session_scope() as session:
            return [label["name"] for label in all_labels(session)]

    @rx.var
    async def label_menu(self) -> list[dict[str, str]]:
        """Every label, with "1" in `on` for those this conversation has (ticked in the menu)."""
        feed = await self.get_state(Feed)
        _ = (self.on_screen, feed.conversation)
        if not self.selected or not (await self.get_state(AuthState)).user_id or await viewer(self, Access.INBOX) is None:
            return []
        with session_scope() as session:
            applied = set(conversation_labels(session, self.selected))
            return [{"name": label["name"], "on": "1" if label["name"] in applied else ""} for label in all_labels(session)]

    @rx.var
    async def canned(self) -> list[dict[str, str]]:
        feed = await self.get_state(Feed)
        _ = (self.on_screen, feed.conversation)  # an admin's change to the canned replies reaches open inboxes
        if not (await self.get_state(AuthState)).user_id or await viewer(self, Access.INBOX) is None:
            return []
        with session_scope() as session:
            return canned_responses(session)

    # --- list ----------------------------------------------------------------------------------

    @rx.event
    def set_label_filter(self, value: str) -> None:
        self.label, self.page = ("" if value == ANY_LABEL else value), 0

    @rx.event
    def set_status_filter(self, value: str) -> None:
        self.status, self.page = value, 0

    @rx.event
    def set_scope(self, value: str) -> None:
        self.scope, self.page = value, 0

    @rx.event
    def set_search(self, value: str) -> None:
        self.search, self.page = value[:100], 0

    @rx.event
    def set_sort(self, value: str) -> None:
        self.sort, self.page = ("due" if value == "due" else "recent"), 0

    @rx.event
    def next_page(self) -> None:
        self.page += 1

    @rx.event
    def previous_page(self) -> None:
        self.page = max(0, self.page - 1)

    @rx.event
    async def open_conversation(self, conversation_id: str):
        self.selected, self.notice, self.error, self.editing_task = int(conversation_id), "", "", 0
        with session_scope() as session:
            had_unread = mark_read(session, self.selected)
        if had_unread:
            send_sender_action.send(self.selected, "mark_seen")
            announce("conversation", self.selected)
        return rx.call_script("document.getElementById('thread-end')?.scrollIntoView()")

    # --- actions on the open conversation ------------------------------------------------------

    @rx.event
    def set_mode(self, mode: str | list[str]) -> None:
        self.mode = mode if isinstance(mode, str) else mode[0]

    @rx.event
    async def submit(self, form: dict):
        self.notice, self.error = "", ""
        user = admitted_staff()
        text = str(form.get("text", ""))
        try:
            with session_scope() as session:
                if self.mode == "note":
                    add_note(session, user, self.selected, text)
                    message_id = None
                elif self.editing_task:  # an edited AI draft: sent as this person's words, no takeover
                    message_id = send_draft(session, user, self.editing_task, text, self.selected).id
                else:
                    message_id = queue_staff_reply(session, user, self.selected, text).id
        except (ReplyRefused, ValueError) as exc:
            self.error = await refused(self, exc)
            if isinstance(exc, Refused) and exc.key == "error_draft_gone":
                self.editing_task = 0
            return None
        self.mode, self.editing_task = "reply", 0  # a note is one note: the next words are a reply again
        if message_id:
            try:
                send_message.send(message_id)
            except Exception:  # Redis away: the reply is stored; the pending-reply relay sends it
                self.notice = await say(self, "notice_queued")
        announce("message", self.selected)
        announce("conversation", self.selected)
        return rx.set_value("composer", "")

    # --- the AI draft ----------------------------------------------------------------------------

    @rx.event
    async def send_ai_draft(self, task_id: str) -> None:
        """One click: the draft goes to the customer as it is."""
        self.notice, self.error = "", ""
        user = admitted_staff()
        try:
            with session_scope() as session:
                message_id = send_draft(session, user, _task(task_id), conversation_id=self.selected).id
        except ReplyRefused as exc:
            self.error = await refused(self, exc)
            return
        try:
            send_message.send(message_id)
        except Exception:  # Redis away: stored as pending; the relay sends it
            self.notice = await say(self, "notice_queued")
        announce("message", self.selected)
        announce("conversation", self.selected)

    @rx.event
    def edit_ai_draft(self, task_id: str, text: str):
        """Put the draft in the composer; Send then delivers the edited text."""
        self.mode, self.editing_task = "reply", _task(task_id)
        return [rx.set_value("composer", text), rx.call_script("document.getElementById('composer')?.focus()")]

    @rx.event
    async def dismiss_ai_handoff(self, task_id: str) -> None:
        """A handed-off message that needs no reply leaves the card and the fold."""
        await self._set_task_aside(dismiss_handoff, task_id, "notice_handoff_dismissed")

    @rx.event
    async def discard_ai_draft(self, task_id: str) -> None:
        set_aside = await self._set_task_aside(discard_draft, task_id, "notice_draft_discarded")
        if set_aside and self.editing_task == _task(task_id):
            self.editing_task = 0

    async def _set_task_aside(self, set_aside: Callable[..., object], task_id: str, notice: str) -> bool:
        """One AI task of the open conversation set aside (a draft discarded, a hand-off
        dismissed): the refusal's sentence, or the notice and a push to every open inbox."""
        try:
            with session_scope() as session:
                set_aside(session, _task(task_id), self.selected)
        except ReplyRefused as exc:
            self.error = await refused(self, exc)
            return False
        self.notice = await say(self, notice)
        announce("conversation", self.selected)
        return True

    @needs(Access.ADMIN)
    @rx.event
    async def set_ai_level(self, choice: str) -> None:
        """Admins only: this conversation's autonomy level, or back to the global one."""
        self.notice, self.error = "", ""
        admin = admitted_staff()
        level = AI_LEVEL_CHOICES.get(choice)
        with session_scope() as session:
            before = set_conversation_level(session, self.selected, level, by_id=admin.id)
            audit(session, admin, "ai.conversation_level", "conversation", self.selected, before=before, after=level)
        shown = await say(self, AI_LEVEL_LABELS[choice]) if choice in AI_LEVEL_LABELS else choice
        self.notice = await say(self, "notice_ai_level", level=shown)
        announce("conversation", self.selected)

    @rx.event
    async def change_status(self, status: str, snooze_hours: int = 0) -> None:
        await self._set_status(status, snooze_hours)

    async def _set_status(self, status: str, snooze_hours: int) -> None:
        if not self.selected:
            return
        user = admitted_staff()
        with session_scope() as session:
            question_id = set_status(session, self.selected, status, snooze_hours, by_id=user.id)
        if question_id is not None:  # the satisfaction question (models/csat.py)
            send_message.send(question_id)
        key = {"resolved": "notice_resolved", "snoozed": "notice_snoozed", "open": "notice_reopened"}.get(status)
        self.notice = await say(self, key, hours=snooze_hours) if key else ""
        announce("conversation", self.selected)
        announce("overview")

    @rx.event
    async def snooze_until_tomorrow(self) -> None:
        await self._set_status("snoozed", hours_until_tomorrow_morning())  # admitted once, by this handler's gate

    @rx.event
    async def assign_to_me(self, mine: bool = True) -> None:
        user = admitted_staff()
        if not self.selected:
            return
        with session_scope() as session:
            if mine:
                assign_person(session, self.selected, user.id, user.id)
            else:
                unassign(session, self.selected, user.id)
        self.notice = await say(self, "notice_assigned") if mine else ""
        announce("conversation", self.selected)

    @rx.event
    async def toggle_label(self, name: str) -> None:
        if not self.selected:
            return
        try:
            with session_scope() as session:
                on = toggle_label(session, self.selected, name, by_id=admitted_staff().id)
        except ValueError as exc:
            self.error = await refused(self, exc)
            return
        self.notice = await say(self, "notice_label_added" if on else "notice_label_removed", name=name)
        announce("conversation", self.selected)

    @rx.event
    def use_canned(self, content: str):
        self.mode = "reply"
        return [rx.set_value("composer", content), rx.call_script("document.getElementById('composer')?.focus()")]

    @rx.event
    async def open_from_link(self):
        """`/inbox?c=ID` (the customer page links here): that conversation, in its status's list."""
        wanted = self.router.url.query_parameters.get("c", "")
        if not wanted.isdigit():
            return None
        with session_scope() as session:
            status = session.execute(sa.select(Conversation.status).where(Conversation.id == int(wanted))).scalar_one_or_none()
        if status is None:
            self.error = await say(self, "error_no_conversation", id=wanted)
            return None
        self.status, self.page, self.search = status, 0, ""
        return InboxState.open_conversation(wanted)

    @rx.event
    def close_conversation(self) -> None:
        """Back to the list (a phone shows one pane at a time)."""
        self.selected, self.editing_task, self.notice, self.error = 0, 0, "", ""

    @rx.event
    def toggle_help(self) -> None:
        self.show_help = not self.show_help


@app_page("/inbox", "inbox", on_load=[InboxState.open_from_link, HandOffState.beat])
def inbox() -> rx.Component:
    return rx.fragment(
        rx.el.style(INBOX_CSS),
        rx.hstack(
            conversation_list(InboxState, STATUSES, LIST_PAGE),
            thread_view(InboxState, STATUSES),
            side_panel(InboxState),
            spacing="3",
            align="start",
            width="100%",
            height=rx.breakpoints(initial="calc(100dvh - 110px)", sm="calc(100vh - 110px)"),
            class_name=rx.cond(InboxState.selected == 0, "inbox-layout", "inbox-layout has-thread"),
        ),
        keyboard_help(InboxState),
    )


def _task(task_id: str) -> int:
    """A draft's id as the page sent it (0, which no draft has, for anything else)."""
    return int(task_id) if str(task_id).isdigit() and len(str(task_id)) < 12 else 0
