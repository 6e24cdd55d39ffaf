"""Widgets of the inbox page: the conversation list, the thread with its composer, the customer
side panel, and the keyboard help (the shortcuts and the "/" picker: vschool/components/inbox_keys.py)."""

import reflex as rx

from vschool.components.hand_off import (
    activity_line,
    assign_picker,
    due_badge,
    hand_off_messages,
    list_controls,
    presence,
)
from vschool.components.inbox_keys import KEYBOARD, canned_picker
from vschool.components.text import lead_stage_label, tr
from vschool.pages.booking import BookingState, booking_card, waitlist_tasks_box
from vschool.state.auth import AuthState

# What the per-conversation selector sends → the level stored (None: follow the global level).
AI_LEVEL_CHOICES: dict[str, int | None] = {"AI: global level": None, "AI: L1 suggest": 1, "AI: L2 draft": 2, "AI: L3 auto-send": 3}
# The label key shown (in the user's language) for each choice; the value sent stays the English choice.
AI_LEVEL_LABELS: dict[str, str] = {
    "AI: global level": "ai_level_global",
    "AI: L1 suggest": "ai_level_1",
    "AI: L2 draft": "ai_level_2",
    "AI: L3 auto-send": "ai_level_3",
}
# The conversation list's "who" filter: the value sent → the label key shown.
SCOPE_LABELS: dict[str, str] = {"all": "scope_all", "mine": "scope_mine", "unassigned": "unassigned"}
ANY_LABEL = "any label"  # the label filter's "no label chosen" value
ELLIPSIS = {"overflow": "hidden", "white_space": "nowrap", "text_overflow": "ellipsis", "min_width": "0", "flex": "1"}

def _item(state: type, row: rx.Var) -> rx.Component:
    selected = state.selected.to_string() == row["id"]
    return rx.box(
        # Name and snippet give way (an ellipsis); the time, the ad badge and the unread count never do.
        rx.hstack(
            rx.text(row["name"], weight="bold", size="2", trim="both", class_name="conversation-name", style=ELLIPSIS),
            rx.text(row["when"], size="1", color=rx.color("gray", 10), flex_shrink="0", white_space="nowrap", class_name="conversation-when"),
            width="100%", justify="between", align="center",
        ),
        rx.hstack(
            rx.text(row["snippet"], size="1", color=rx.color("gray", 11), class_name="snippet", style=ELLIPSIS),
            due_badge(row),
            rx.cond(row["from_ad"] != "", rx.badge(tr("ad_badge"), color_scheme="blue", size="1", flex_shrink="0")),
            rx.cond(row["unread"] != "0", rx.badge(row["unread"], color_scheme="tomato", size="1", class_name="unread", flex_shrink="0")),
            width="100%", align="center",
        ),
        on_click=state.open_conversation(row["id"]),
        padding="8px 10px",
        border_radius="6px",
        cursor="pointer",
        background=rx.cond(selected, rx.color("accent", 3), "transparent"),
        _hover={"background": rx.color("gray", 3)},
        class_name="conversation-item",
        custom_attrs={"data-selected": rx.cond(selected, "true", "false"), "data-id": row["id"]},
        id=rx.Var.create("conv-") + row["id"],
    )


def status_label(status: rx.Var, statuses: list[str]) -> rx.Var:
    """A conversation status (the English value stored) in the user's language."""
    return rx.match(status, *[(s, tr(f"status_{s}")) for s in statuses], status)


def conversation_list(state: type, statuses: list[str], page_size: int) -> rx.Component:
    rows = state.listing["rows"].to(list[dict[str, str]])
    total = state.listing["total"].to(int)
    # The values sent stay the English ones; only what staff read follows their language.
    filtered = (state.status != statuses[0]) | (state.scope != "all") | (state.label != "") | (state.search != "")
    return rx.vstack(
        rx.hstack(
            rx.select.root(
                rx.select.trigger(id="status-filter"),
                rx.select.content(*[rx.select.item(tr(f"status_{s}"), value=s) for s in statuses]),
                value=state.status,
                on_change=state.set_status_filter,
                size="1",
            ),
            rx.select.root(
                rx.select.trigger(id="scope-filter"),
                rx.select.content(*[rx.select.item(tr(key), value=scope) for scope, key in SCOPE_LABELS.items()]),
                value=state.scope,
                on_change=state.set_scope,
                size="1",
            ),
            rx.select.root(
                rx.select.trigger(id="label-filter"),
                rx.select.content(
                    rx.select.item(tr("any_label"), value=ANY_LABEL),
                    rx.foreach(state.labels, lambda name: rx.select.item(name, value=name)),
                ),
                value=rx.cond(state.label == "", ANY_LABEL, state.label),
                on_change=state.set_label_filter,
                size="1",
            ),
            spacing="2",
        ),
        list_controls(state),
        rx.input(placeholder=tr("inbox_search"), value=state.search, on_change=state.set_search.debounce(300), size="1", width="100%", id="inbox-search"),
        rx.cond(
            total > 0,
            rx.vstack(rx.foreach(rows, lambda row: _item(state, row)), spacing="1", width="100%", id="conversation-list"),
            rx.callout(rx.cond(filtered, tr("inbox_no_match"), tr("empty_inbox")), icon="inbox", size="1", id="inbox-empty"),
        ),
        rx.cond(
            total > page_size,
            rx.hstack(
                rx.button("‹", on_click=state.previous_page, size="1", variant="soft", disabled=state.page == 0),
                rx.text(state.page + 1, " / ", (total + page_size - 1) // page_size, size="1"),
                rx.button("›", on_click=state.next_page, size="1", variant="soft", disabled=(state.page + 1) * page_size >= total),
            ),
        ),
        width="320px",
        min_width="320px",
        height="100%",
        overflow_y="auto",
        spacing="2",
        class_name="inbox-list",
    )


def _bubble(item: rx.Var) -> rx.Component:
    side = item["side"]
    return rx.box(
        rx.cond(item["who"] != "", rx.text(item["who"], size="1", weight="bold", color=rx.color("gray", 10))),
        rx.cond(item["text"] != "", rx.text(item["text"], size="2", white_space="pre-wrap", class_name="bubble-text")),
        rx.cond(item["images"] != "", rx.image(src=item["images"].to(str).split(" ")[0], max_width="220px", border_radius="6px")),
        rx.hstack(
            rx.text(item["when"], size="1", color=rx.color("gray", 9)),
            rx.cond(
                item["tick"] != "",
                rx.text(rx.cond(item["status"] == "read", tr("tick_read"), item["tick"]), size="1", class_name="tick", color=rx.color("blue", 10)),
            ),
            rx.cond(item["reactions"] != "", rx.text(item["reactions"], size="1")),
            spacing="2",
        ),
        rx.cond(item["error"] != "", rx.text(item["error"], size="1", color=rx.color("red", 11), class_name="send-error")),
        align_self=rx.match(side, ("in", "flex-start"), ("note", "center"), "flex-end"),
        background=rx.match(side, ("in", rx.color("gray", 3)), ("note", rx.color("amber", 3)), ("ai", rx.color("violet", 3)), rx.color("accent", 3)),
        padding="8px 12px",
        border_radius="12px",
        max_width="70%",
        class_name=rx.match(side, ("in", "msg msg-in"), ("note", "msg msg-note"), ("ai", "msg msg-out msg-ai"), "msg msg-out"),
        id=item["id"],
    )


def _ai_level_selector(state: type) -> rx.Component:
    """Admins choose how far the AI may go in this conversation (seed 003's autonomy levels)."""
    ai = state.ai
    current = rx.match(
        ai["level_own"],
        ("1", "AI: L1 suggest"),
        ("2", "AI: L2 draft"),
        ("3", "AI: L3 auto-send"),
        "AI: global level",
    )
    return rx.cond(
        AuthState.is_admin,
        rx.tooltip(
            rx.select.root(
                rx.select.trigger(id="ai-level"),
                rx.select.content(*[rx.select.item(tr(key), value=choice) for choice, key in AI_LEVEL_LABELS.items()]),
                value=current,
                on_change=state.set_ai_level,
                size="1",
            ),
            content=tr("ai_level_global_hint").to(str) + ai["level_global"].to(str),
        ),
        rx.badge(rx.Var.create("AI L") + ai["level_effective"].to(str), variant="soft", id="ai-level-badge"),
    )


def _ai_source(source: rx.Var) -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.icon("file-text", size=12),
            rx.text(source["title"], size="1", weight="bold"),
            rx.cond(source["source"] != "", rx.text(source["source"], size="1", color=rx.color("gray", 10), class_name="ai-source-path")),
            rx.spacer(),
            rx.text(source["score"], size="1", color=rx.color("gray", 10)),
            spacing="1",
            align="center",
            width="100%",
        ),
        rx.text(source["snippet"], size="1", color=rx.color("gray", 11), white_space="pre-wrap", class_name="ai-source-snippet"),
        class_name="ai-source",
        padding="4px 0",
    )


def _draft_actions(state: type) -> rx.Component:
    """Discard, edit (into the composer) or send the AI's draft as it is."""
    ai = state.ai
    return rx.hstack(
        rx.spacer(),
        rx.button(tr("ai_discard"), size="1", variant="ghost", color_scheme="gray", on_click=state.discard_ai_draft(ai["task_id"]), id="ai-draft-discard"),
        rx.button(
            rx.cond(ai["outcome"] == "suggestion", tr("ai_use"), tr("ai_edit")),
            size="1",
            variant="soft",
            on_click=state.edit_ai_draft(ai["task_id"], ai["text"]),
            id="ai-draft-edit",
        ),
        rx.cond(
            ai["outcome"] != "suggestion",
            rx.button(tr("ai_send"), size="1", color_scheme="violet", on_click=state.send_ai_draft(ai["task_id"]), id="ai-draft-send"),
        ),
        width="100%",
    )


def _earlier_draft(state: type, draft: rx.Var) -> rx.Component:
    """A draft still open for one of the customer's earlier messages, with what it answers."""
    return rx.fragment(
        rx.text(draft["text"], size="2", white_space="pre-wrap", class_name="earlier-text"),
        rx.hstack(
            rx.badge(tr("ai_confidence"), " ", draft["confidence"], color_scheme="violet", size="1"),
            rx.spacer(),
            rx.button(tr("ai_discard"), size="1", variant="ghost", color_scheme="gray", on_click=state.discard_ai_draft(draft["task_id"]), class_name="earlier-discard"),
            rx.button(tr("ai_edit"), size="1", variant="soft", on_click=state.edit_ai_draft(draft["task_id"], draft["text"]), class_name="earlier-edit"),
            rx.button(tr("ai_send"), size="1", color_scheme="violet", on_click=state.send_ai_draft(draft["task_id"]), class_name="earlier-send"),
            width="100%",
            align="center",
            wrap="wrap",
        ),
    )


def _earlier(state: type, task: rx.Var) -> rx.Component:
    """One of the customer's earlier messages still waiting: its open draft, or why the AI
    handed it to a person (answered by writing in the composer)."""
    return rx.box(
        rx.text(tr("ai_answers_message"), ": “", task["question"], "”", size="1", color=rx.color("gray", 11), class_name="earlier-question"),
        rx.cond(
            task["kind"] == "draft",
            _earlier_draft(state, task),
            rx.hstack(
                rx.text(tr("ai_handoff"), " ", task["reason"], size="2", color=rx.color("amber", 11), class_name="earlier-reason"),
                rx.button(tr("ai_no_reply_needed"), size="1", variant="ghost", color_scheme="gray",
                          on_click=state.dismiss_ai_handoff(task["task_id"]), class_name="earlier-dismiss"),
                width="100%",
                align="start",
                justify="between",
            ),
        ),
        padding="6px 0",
        border_top=f"1px solid {rx.color('gray', 5)}",
        class_name=rx.cond(task["kind"] == "draft", "earlier-draft", "earlier-handoff"),
        custom_attrs={"data-task": task["task_id"]},
    )


def earlier_waiting(state: type) -> rx.Component:
    """The AI answers each customer message: drafts for earlier ones stay open until sent,
    discarded or a person answers, and an earlier hand-off stays until a person answers. Folded,
    with their number in view, so the newest card keeps its place beside the composer."""
    return rx.cond(
        state.ai_earlier.length() > 0,
        rx.el.details(
            rx.el.summary(
                rx.text(tr("ai_earlier_waiting"), " (", state.ai_earlier.length(), ")", size="1", weight="bold", as_="span"),
                style={"cursor": "pointer"},
            ),
            rx.box(  # a short window (1280×800) keeps the newest card and the composer whole
                rx.foreach(state.ai_earlier, lambda t: _earlier(state, t)), max_height="min(160px, 14vh)", overflow_y="auto"
            ),
            width="100%",
            flex_shrink="1",  # gives way first when the column is short: the newest draft's buttons stay in view
            min_height="28px",
            overflow_y="auto",
            style={"&[open]": {"min_height": "96px"}},  # opened, one earlier draft's start shows
            id="ai-earlier",
        ),
    )


def ai_card(state: type) -> rx.Component:
    """The AI's draft beside the composer (with its sources and confidence) and what staff can
    do with it, or the reason it handed the conversation to a person."""
    ai = state.ai
    draft = rx.card(
        rx.vstack(
            rx.hstack(
                rx.icon("sparkles", size=14, color=rx.color("violet", 10)),
                rx.text(rx.cond(ai["outcome"] == "suggestion", tr("ai_suggestion"), tr("ai_draft")), weight="bold", size="2"),
                rx.badge(tr("ai_confidence"), " ", ai["confidence"], color_scheme="violet", size="1", id="ai-confidence"),
                rx.cond(  # the sources scroll with the draft: how many there are stays in view
                    state.ai_sources.length() > 0,
                    rx.badge(state.ai_sources.length(), " ", tr("ai_sources"), color_scheme="gray", size="1", id="ai-source-count"),
                ),
                rx.cond(ai["reason"] != "", rx.text(ai["reason"], size="1", color=rx.color("amber", 11), id="ai-draft-reason")),
                width="100%",
                align="center",
                wrap="wrap",
            ),
            rx.vstack(  # only the draft and its sources scroll: the header and the buttons stay in view
                rx.text(ai["text"], size="2", white_space="pre-wrap", id="ai-draft-text"),
                rx.cond(
                    state.ai_sources.length() > 0,
                    rx.vstack(
                        rx.text(tr("ai_sources"), size="1", color=rx.color("gray", 10)),
                        rx.foreach(state.ai_sources, _ai_source),
                        spacing="0",
                        width="100%",
                        id="ai-sources",
                    ),
                ),
                spacing="2",
                width="100%",
                max_height="min(180px, 16vh)",  # 128 px at 1280×800: the composer below stays in view
                overflow_y="auto",
            ),
            rx.cond(
                state.editing_task.to_string() == ai["task_id"],
                rx.text(tr("ai_editing_below"), size="1", color=rx.color("violet", 11), id="ai-draft-editing"),
                _draft_actions(state),
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        flex_shrink="0",
        id="ai-draft",
        custom_attrs={"data-task": ai["task_id"]},
    )
    handoff = rx.callout(
        rx.vstack(
            rx.hstack(
                rx.text(tr("ai_handoff"), " ", rx.text.strong(ai["reason"], id="ai-handoff-reason")),
                rx.button(tr("ai_no_reply_needed"), size="1", variant="ghost", color_scheme="gray",
                          on_click=state.dismiss_ai_handoff(ai["task_id"]), id="ai-handoff-dismiss"),
                width="100%",
                align="start",
                justify="between",
            ),
            rx.cond(
                ai["details"] != "",
                rx.el.details(
                    rx.el.summary(tr("ai_details"), style={"cursor": "pointer"}),
                    rx.text(ai["details"], size="1", color=rx.color("gray", 11), id="ai-handoff-details"),
                ),
            ),
            spacing="1",
        ),
        icon="hand",
        color_scheme=rx.cond(ai["outcome"] == "error", "red", "amber"),
        size="1",
        width="100%",
        flex_shrink="0",
        id="ai-handoff",
    )
    return rx.match(ai["kind"], ("draft", draft), ("handoff", handoff), rx.fragment())


def _label_option(state: type, label: rx.Var) -> rx.Component:
    """A label in the thread's menu, ticked when the conversation has it (a click toggles it)."""
    on = label["on"] == "1"
    return rx.menu.item(
        rx.hstack(
            rx.cond(on, rx.icon("check", size=14), rx.box(width="14px")),
            rx.text(label["name"]),
            rx.cond(on, rx.text(tr("label_applied"), size="1", color=rx.color("gray", 10))),
            spacing="2",
            align="center",
        ),
        on_click=state.toggle_label(label["name"]),
        class_name="label-option",
        custom_attrs={"data-applied": rx.cond(on, "true", "false")},
    )


def _replies_closed(state: type) -> rx.Var:
    """A reply cannot reach the customer (7 days since they wrote); a private note still can be written."""
    return (state.current["window"] == "closed") & (state.mode != "note")


def _window_notice(state: type) -> rx.Component:
    """Why the reply box is closed and what to do, or what a reply after 24 hours is."""
    window = state.current["window"]
    return rx.cond(
        state.mode == "note",
        rx.fragment(),
        rx.match(
            window,
            ("closed", rx.callout(tr("composer_closed"), icon="clock", color_scheme="red", size="1", id="composer-closed", width="100%")),
            ("human_agent", rx.text(tr("composer_human_agent"), size="1", color=rx.color("amber", 11), id="composer-human-agent")),
            rx.fragment(),
        ),
    )


def thread_view(state: type, statuses: list[str]) -> rx.Component:
    current = state.current
    return rx.cond(
        state.selected == 0,
        rx.center(rx.text(tr("choose_conversation"), color=rx.color("gray", 10)), flex="1", height="100%", class_name="inbox-thread"),
        rx.vstack(
            rx.hstack(
                rx.icon_button(rx.icon("arrow-left"), on_click=state.close_conversation, variant="ghost", size="2",
                               id="thread-back", class_name="inbox-back", aria_label="back"),
                rx.heading(current["name"], size="4", id="thread-name", white_space="nowrap"),
                rx.badge(status_label(current["status"], statuses), id="thread-status"),
                rx.spacer(),
                rx.menu.root(
                    rx.menu.trigger(rx.button(tr("labels"), size="1", variant="soft", id="label-menu")),
                    rx.menu.content(rx.foreach(state.label_menu, lambda label: _label_option(state, label))),
                ),
                _ai_level_selector(state),
                rx.button(tr("assign_to_me"), size="1", variant="soft", on_click=state.assign_to_me(True), id="assign-me"),
                assign_picker(current["id"]),
                rx.menu.root(
                    rx.menu.trigger(rx.button(tr("snooze"), size="1", variant="soft", id="snooze")),
                    rx.menu.content(
                        rx.menu.item(tr("snooze_1h"), on_click=state.change_status("snoozed", 1)),
                        rx.menu.item(tr("snooze_4h"), on_click=state.change_status("snoozed", 4)),
                        rx.menu.item(tr("snooze_tomorrow"), on_click=state.snooze_until_tomorrow, id="snooze-tomorrow"),
                    ),
                ),
                rx.cond(
                    current["status"] == "resolved",
                    rx.button(tr("reopen"), size="1", on_click=state.change_status("open", 0), id="reopen"),
                    rx.button(tr("resolve"), size="1", color_scheme="green", on_click=state.change_status("resolved", 0), id="resolve"),
                ),
                width="100%",
                align="center",
                flex_wrap="wrap",  # a narrow window puts the actions on a second line instead of under the side panel
                row_gap="2",
            ),
            hand_off_messages(),
            rx.vstack(rx.foreach(state.messages, lambda item: rx.cond(item["side"] == "activity", activity_line(item), _bubble(item))),
                      rx.box(id="thread-end"), spacing="2", width="100%", overflow_y="auto", flex="1", min_height="100px", id="thread"),
            earlier_waiting(state),
            ai_card(state),
            rx.cond(state.error != "", rx.callout(state.error, icon="triangle-alert", color_scheme="red", size="1", id="composer-error")),
            rx.cond(state.notice != "", rx.text(state.notice, size="1", color=rx.color("green", 11), id="inbox-notice")),
            rx.form(
                rx.vstack(
                    rx.hstack(
                        rx.segmented_control.root(
                            rx.segmented_control.item(tr("reply"), value="reply"),
                            rx.segmented_control.item(tr("private_note"), value="note"),
                            value=state.mode,
                            on_change=state.set_mode,
                            size="1",
                        ),
                        rx.menu.root(
                            rx.menu.trigger(rx.button(tr("canned"), size="1", variant="ghost", type="button", id="canned-trigger")),
                            rx.menu.content(
                                rx.foreach(
                                    state.canned,
                                    lambda c: rx.menu.item(
                                        rx.text("/", c["code"], " — ", c["content"].to(str)[:50]),
                                        on_click=state.use_canned(c["content"]),
                                        class_name="canned-option",
                                    ),
                                ),
                            ),
                        ),
                        rx.spacer(),
                        rx.text(
                            rx.match(current["window"], ("open", tr("window_open")), ("human_agent", tr("window_human_agent")), tr("window_closed")),
                            current["window_left"],
                            size="1",
                            id="window-countdown",
                            color=rx.match(current["window"], ("open", rx.color("green", 11)), ("human_agent", rx.color("amber", 11)), rx.color("red", 11)),
                        ),
                        width="100%",
                    ),
                    _window_notice(state),
                    # A private note looks like one: amber, its own placeholder and button (never mistaken for a reply).
                    rx.box(
                        canned_picker(state),
                        rx.text_area(name="text", id="composer", rows="3", width="100%", disabled=_replies_closed(state),
                                     placeholder=rx.cond(state.mode == "note", tr("note_placeholder"), tr("composer_placeholder")),
                                     background=rx.cond(state.mode == "note", rx.color("amber", 3), "transparent"),
                                     custom_attrs={"data-mode": state.mode}),
                        position="relative",
                        width="100%",
                    ),
                    rx.hstack(rx.spacer(), rx.button(rx.cond(state.mode == "note", tr("add_note"), tr("send")), type="submit", id="send-reply",
                                                     disabled=_replies_closed(state),
                                                     color_scheme=rx.cond(state.mode == "note", "amber", "tomato")), width="100%"),
                    width="100%",
                    spacing="2",
                ),
                on_submit=state.submit,
                id="composer-form",
                width="100%",
            ),
            flex="1",
            height="100%",
            spacing="2",
            min_width="0",
            class_name="inbox-thread",
        ),
    )


def side_panel(state: type) -> rx.Component:
    current = state.current
    fact = lambda label, value, id_: rx.vstack(  # noqa: E731
        rx.text(label, size="1", color=rx.color("gray", 10)), rx.text(value, size="2", id=id_), spacing="0"
    )
    return rx.cond(
        state.selected == 0,
        rx.fragment(),
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.avatar(src=current["picture"], fallback=current["name"].to(str)[:1], size="4"),
                    rx.vstack(rx.text(current["name"], weight="bold"), rx.text(current["standard_id"], size="1", id="panel-standard-id"), spacing="0"),
                ),
                fact(tr("lead_stage"), lead_stage_label(current["lead_stage"]), "panel-lead-stage"),
                fact(tr("source_ad"), rx.cond(current["source_ad"] != "", current["source_ad"], "—"), "panel-source-ad"),
                fact(tr("tags"), rx.cond(current["tags"] != "", current["tags"], "—"), "panel-tags"),
                fact(tr("labels"), rx.cond(current["labels"] != "", current["labels"], "—"), "panel-labels"),
                fact(tr("assignee"), rx.cond(current["assignee"] != "", current["assignee"], tr("unassigned")), "panel-assignee"),
                fact(tr("past_conversations"), current["past"], "panel-past"),
                fact(tr("orders"), rx.cond(current["orders"] != "", current["orders"], "—"), "panel-orders"),
                rx.cond(current["ai_paused"] != "", rx.badge(tr("ai_paused"), color_scheme="amber", size="1", id="ai-paused")),
                rx.link(tr("customer_page"), href=rx.Var.create("/customers/") + current["standard_id"], size="2", id="panel-customer-link"),
                rx.cond(AuthState.takes_money, rx.button(tr("book_title"), size="1", variant="soft", id="panel-book",
                                                         on_click=BookingState.start(current["standard_id"]))),
                rx.cond(BookingState.customer == current["standard_id"], booking_card()),
                waitlist_tasks_box(),
                spacing="3",
            ),
            width="260px",
            min_width="260px",
            class_name="inbox-side",
        ),
    )


def keyboard_help(state: type) -> rx.Component:
    return rx.fragment(
        rx.script(KEYBOARD),
        presence(),
        rx.button("?", on_click=state.toggle_help, id="help-toggle", size="1", variant="ghost", position="fixed", bottom="12px", right="12px",
                  class_name="desk-only"),
        rx.cond(
            state.show_help,
            rx.card(
                rx.vstack(
                    rx.heading(tr("keys_title"), size="3"),
                    *[rx.text(tr(key)) for key in ("keys_jk", "keys_r", "keys_e", "keys_a", "keys_enter", "keys_slash", "keys_help")],
                    spacing="1",
                ),
                position="fixed",
                bottom="48px",
                right="12px",
                id="keyboard-help",
            ),
        ),
    )
