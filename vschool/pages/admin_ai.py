"""Admin → AI replies: the global autonomy level, the school facts the AI answers from (address,
hours, payment, deposit …, in Thai and English), and the last 100 AI tasks (prompt, sources,
answer, model, latency, outcome) — seed 000's task buffer, live as tasks land."""

import reflex as rx

from logs.audit import record as audit
from models.access import Access
from models.ai_drafts import recent_tasks
from models.ai_rules import LEVELS, global_level, set_global_level
from models.db import session_scope
from models.enums import AiOutcome, DraftStatus, Role
from models.refusals import Refused
from models.school_fact_rules import set_school_fact
from models.school_facts import FACT_KEYS, school_facts
from vschool.components.layout import app_page
from vschool.components.text import tr
from vschool.i18n import text
from vschool.state.auth import AuthState, admitted_staff, refused, say, viewer
from vschool.state.feeds import Feed
from vschool.state.gate import StaffState

LEVEL_CHOICES = {f"L{n} {name}": n for n, name in LEVELS.items()}


class AiAdminState(StaffState, access=Access.ADMIN, shown_on=("/admin/ai",)):
    message: str = ""
    error: str = ""
    open_task: str = ""  # the task whose prompt is shown in full

    @rx.var
    async def tasks(self) -> list[dict[str, str]]:
        feed = await self.get_state(Feed)
        _ = (self.on_screen, feed.conversation, feed.message)
        signed_in = await self.get_state(AuthState)
        if signed_in.role != Role.ADMIN.value or await viewer(self, Access.ADMIN) is None:
            return []
        with session_scope() as session:
            return recent_tasks(session, language=signed_in.language)

    @rx.var
    async def level(self) -> str:
        feed = await self.get_state(Feed)
        _ = (self.on_screen, feed.conversation)
        if (await self.get_state(AuthState)).role != Role.ADMIN.value or await viewer(self, Access.ADMIN) is None:
            return ""
        with session_scope() as session:
            current = global_level(session)
        return next(label for label, n in LEVEL_CHOICES.items() if n == current)

    @rx.event
    async def set_level(self, choice: str) -> None:
        self.message, self.error = "", ""
        admin = admitted_staff()
        level = LEVEL_CHOICES.get(choice)
        if level is None:
            self.error = await say(self, "error_unknown_level", level=choice)
            return
        with session_scope() as session:
            before = set_global_level(session, level, admin.id)
            audit(session, admin, "ai.global_level", "app_setting", "ai.autonomy_level", before=before, after=level)
        self.message = await say(self, "notice_global_level", level=text(f"ai_admin_level_{level}", (await self.get_state(AuthState)).language))
        from actors.push import announce

        announce("conversation", "")

    @rx.var
    async def facts(self) -> list[dict[str, str]]:
        """Every school fact (empty ones too), with its label in the admin's language."""
        feed = await self.get_state(Feed)
        _ = (self.on_screen, feed.conversation)
        signed_in = await self.get_state(AuthState)
        if signed_in.role != Role.ADMIN.value or await viewer(self, Access.ADMIN) is None:
            return []
        with session_scope() as session:
            kept = school_facts(session)
        thai = signed_in.language == "th"
        return [
            {"key": key, "label": labels[1] if thai else labels[0], "en": kept[key].value_en if key in kept else "", "th": kept[key].value_th if key in kept else ""}
            for key, labels in FACT_KEYS.items()
        ]

    @rx.event
    async def save_fact(self, form: dict) -> None:
        """Write one school fact from its form (audited)."""
        self.message, self.error = "", ""
        admin = admitted_staff()
        key = str(form.get("key") or "")
        try:
            with session_scope() as session:
                set_school_fact(session, key, str(form.get("value_en") or ""), str(form.get("value_th") or ""), admin)
        except Refused as exc:
            self.error = await refused(self, exc)
            return
        language = (await self.get_state(AuthState)).language
        self.message = await say(self, "notice_school_fact", fact=FACT_KEYS[key][1 if language == "th" else 0])
        from actors.push import announce

        announce("conversation", "")

    @rx.event
    def toggle_task(self, task_id: str) -> None:
        self.open_task = "" if self.open_task == task_id else task_id


def _fact_form(fact: rx.Var) -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.text(fact["label"], weight="bold", size="2"),
            rx.el.input(type="hidden", name="key", value=fact["key"]),
            rx.flex(
                rx.text_area(name="value_th", default_value=fact["th"], placeholder=tr("in_thai"), rows="2", width="100%"),
                rx.text_area(name="value_en", default_value=fact["en"], placeholder=tr("in_english"), rows="2", width="100%"),
                direction=rx.breakpoints(initial="column", md="row"),
                spacing="2",
                width="100%",
            ),
            rx.button(tr("save"), size="1", type="submit", class_name="school-fact-save"),
            spacing="1",
            width="100%",
        ),
        on_submit=AiAdminState.save_fact,
        reset_on_submit=False,
        width="100%",
        custom_attrs={"data-fact": fact["key"]},
        class_name="school-fact",
    )


def _task_row(task: rx.Var) -> rx.Component:
    shown = AiAdminState.open_task == task["id"]
    return rx.fragment(
        rx.table.row(
            rx.table.cell(task["when"], white_space="nowrap"),
            rx.table.cell(
                rx.cond(
                    task["standard_id"] != "",
                    rx.vstack(
                        rx.link(task["customer"], href=rx.Var.create("/customers/") + task["standard_id"].to(str), size="1",
                                weight="bold", class_name="ai-task-customer"),
                        rx.link(tr("open_in_inbox"), href=rx.Var.create("/inbox?c=") + task["conversation_id"].to(str), size="1"),
                        spacing="0",
                    ),
                    rx.text("—", size="1"),
                ),
            ),
            rx.table.cell(
                rx.badge(
                    rx.match(task["outcome"], *[(o.value, tr(f"ai_outcome_{o.value}")) for o in AiOutcome], task["outcome"]),
                    color_scheme=rx.match(task["outcome"], ("reply", "green"), ("draft", "violet"), ("suggestion", "blue"), ("handoff", "amber"), "red"),
                ),
                rx.cond(task["draft_status"] != "", rx.text(
                    rx.match(task["draft_status"], *[(d.value, tr(f"ai_draft_status_{d.value}")) for d in DraftStatus], task["draft_status"]),
                    size="1", color=rx.color("gray", 10))),
                rx.cond(task["reason"] != "", rx.text(task["reason"], size="1", color=rx.color("gray", 11))),
            ),
            rx.table.cell(rx.text(task["answer"], size="1", white_space="pre-wrap"), max_width="320px"),
            rx.table.cell(rx.text(task["sources"], size="1"), max_width="220px"),
            rx.table.cell(task["confidence"]),
            rx.table.cell(rx.text(task["model"], size="1"), rx.text("L", task["level"], size="1", color=rx.color("gray", 10))),
            rx.table.cell(task["latency_ms"], " ms", white_space="nowrap"),
            rx.table.cell(
                rx.button(tr("prompt"), size="1", variant="soft", on_click=AiAdminState.toggle_task(task["id"]), class_name="ai-task-prompt-toggle")
            ),
            class_name="ai-task-row",
        ),
        rx.cond(
            shown,
            rx.table.row(
                rx.table.cell(
                    rx.code_block(task["prompt"], language="markdown", wrap_long_lines=True, class_name="ai-task-prompt"),
                    col_span=9,
                )
            ),
        ),
    )


@app_page("/admin/ai", "ai_replies", admin=True)
def ai_admin_page() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.link(tr("staff"), href="/admin/staff", size="2"),
            rx.text("·", color=rx.color("gray", 9)),
            rx.text(tr("ai_replies"), size="2", weight="bold"),
            spacing="2",
        ),
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.text(tr("ai_global_level"), weight="bold"),
                    rx.select.root(
                        rx.select.trigger(id="ai-global-level"),
                        rx.select.content(*[rx.select.item(tr(f"ai_admin_level_{n}"), value=label) for label, n in LEVEL_CHOICES.items()]),
                        value=AiAdminState.level, on_change=AiAdminState.set_level,
                    ),
                    align="center",
                    spacing="3",
                ),
                rx.text(tr("ai_level_help"), size="1", color=rx.color("gray", 11)),
                spacing="2",
            )
        ),
        rx.cond(AiAdminState.message != "", rx.callout(AiAdminState.message, icon="check", color_scheme="green", id="ai-admin-message")),
        rx.cond(AiAdminState.error != "", rx.callout(AiAdminState.error, icon="triangle-alert", color_scheme="red", id="ai-admin-error")),
        rx.card(
            rx.vstack(
                rx.heading(tr("school_facts"), size="4"),
                rx.text(tr("school_facts_help"), size="1", color=rx.color("gray", 11)),
                rx.foreach(AiAdminState.facts, _fact_form),
                spacing="3",
                width="100%",
            ),
            id="school-facts",
        ),
        rx.heading(tr("ai_tasks"), size="4"),
        rx.cond(
            AiAdminState.tasks.length() > 0,
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        *[rx.table.column_header_cell(tr(k)) for k in ("when", "customer", "outcome", "answer", "ai_sources")],
                        rx.table.column_header_cell(tr("ai_confidence")),
                        rx.table.column_header_cell(tr("model")),
                        rx.table.column_header_cell(tr("latency")),
                        rx.table.column_header_cell(""),
                    )
                ),
                rx.table.body(rx.foreach(AiAdminState.tasks, _task_row)),
                width="100%",
                size="1",
                id="ai-tasks",
            ),
            rx.callout(tr("ai_no_tasks"), icon="bot", id="ai-tasks-empty"),
        ),
        spacing="3",
        align="stretch",
    )
