"""Admin → Labels and Admin → Canned replies: the inbox's shared words, created, edited and
deleted by admins (models/reply_library.py holds the rules and audits every change). A change
reaches every open inbox at once (the `conversation` feed)."""

from collections.abc import Callable

import reflex as rx

from actors.push import announce
from models.access import Access
from models.db import session_scope
from models.enums import Role
from models.reply_library import (
    LABEL_COLORS,
    canned_rows,
    delete_canned,
    delete_label,
    label_rows,
    save_canned,
    save_label,
)
from vschool.components.layout import app_page
from vschool.components.text import tr
from vschool.state.auth import AuthState, run_change, viewer
from vschool.state.feeds import Feed
from vschool.state.gate import StaffState, parse_id


async def _change(state: "LibraryState", change: Callable, done: str) -> None:
    """Run one change as the signed-in admin (vschool/state/auth.run_change); the inbox's menus follow."""
    if await run_change(state, change, done):
        state.editing = ""
        announce("conversation")


class LibraryState(StaffState, access=Access.ADMIN, shown_on=("/admin/labels", "/admin/canned")):
    """What both admin pages show around their list: the notice, the error, the row in edit."""

    message: str = ""
    error: str = ""
    editing: str = ""  # the id of the row shown as a form

    @rx.event
    def start_edit(self, row_id: str) -> None:
        self.editing, self.message, self.error = row_id, "", ""

    @rx.event
    def cancel_edit(self) -> None:
        self.editing = ""

    @rx.event
    def clear(self) -> None:
        """A page opened afresh shows no notice left from the other page."""
        self.message, self.error, self.editing = "", "", ""


def _row_id(form: dict) -> int | None:
    """The row a form edits: None for a new one, 0 (nobody's) when the browser sent nonsense."""
    raw = str(form.get("id") or "")
    return (parse_id(raw) or 0) if raw else None


class LabelAdminState(LibraryState, access=Access.ADMIN):
    @rx.var
    async def labels(self) -> list[dict[str, str]]:
        feed = await self.get_state(Feed)
        _ = (self.on_screen, feed.conversation)
        if (await self.get_state(AuthState)).role != Role.ADMIN.value or await viewer(
            self, Access.ADMIN
        ) is None:
            return []
        with session_scope() as session:
            return label_rows(session)

    @rx.event
    async def save(self, form: dict) -> None:
        row_id = _row_id(form)
        name, color = str(form.get("name", "")), str(form.get("color") or "gray")
        await _change(
            self,
            lambda s, admin: save_label(s, admin, name, color, row_id).name,
            "notice_label_saved" if row_id else "notice_label_created",
        )

    @rx.event
    async def delete(self, row_id: str) -> None:
        chosen = parse_id(row_id) or 0
        await _change(self, lambda s, admin: delete_label(s, admin, chosen), "notice_label_deleted")


class CannedAdminState(LibraryState, access=Access.ADMIN):
    @rx.var
    async def canned(self) -> list[dict[str, str]]:
        feed = await self.get_state(Feed)
        _ = (self.on_screen, feed.conversation)
        if (await self.get_state(AuthState)).role != Role.ADMIN.value or await viewer(
            self, Access.ADMIN
        ) is None:
            return []
        with session_scope() as session:
            return canned_rows(session)

    @rx.event
    async def save(self, form: dict) -> None:
        row_id = _row_id(form)
        code, content = str(form.get("code", "")), str(form.get("content", ""))
        await _change(
            self,
            lambda s, admin: "/" + save_canned(s, admin, code, content, row_id).short_code,
            "notice_canned_saved" if row_id else "notice_canned_created",
        )

    @rx.event
    async def delete(self, row_id: str) -> None:
        chosen = parse_id(row_id) or 0
        await _change(
            self, lambda s, admin: "/" + delete_canned(s, admin, chosen), "notice_canned_deleted"
        )


def _notices(state: type[LibraryState]) -> rx.Component:
    return rx.fragment(
        rx.cond(
            state.message != "",
            rx.callout(state.message, icon="check", color_scheme="green", id="library-message"),
        ),
        rx.cond(
            state.error != "",
            rx.callout(state.error, icon="triangle-alert", color_scheme="red", id="library-error"),
        ),
    )


def _confirm_delete(state: type[LibraryState], row: rx.Var, what: rx.Var) -> rx.Component:
    """Delete, after a dialog that names what goes."""
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(
            rx.button(
                tr("delete"),
                size="1",
                color_scheme="red",
                variant="soft",
                class_name="library-delete",
            )
        ),
        rx.alert_dialog.content(
            rx.alert_dialog.title(tr("delete_confirm_title")),
            rx.alert_dialog.description(
                rx.text(tr("delete_confirm_what"), " ", rx.text.strong(what))
            ),
            rx.hstack(
                rx.alert_dialog.cancel(
                    rx.button(tr("cancel"), variant="soft", color_scheme="gray")
                ),
                rx.alert_dialog.action(
                    rx.button(
                        tr("delete"),
                        color_scheme="red",
                        on_click=state.delete(row["id"]),
                        id="library-delete-confirm",
                    )
                ),
                justify="end",
                spacing="2",
                padding_top="12px",
            ),
            max_width="420px",
        ),
    )


def _form_buttons(state: type[LibraryState], row: rx.Var | None, save_class: str) -> list[rx.Component]:
    """Create (new row) or Save and Cancel (a row in edit)."""
    save = rx.button(tr("save") if row is not None else tr("create"), type="submit", class_name=save_class)
    if row is None:
        return [save]
    return [save, rx.button(tr("cancel"), type="button", variant="soft", color_scheme="gray", on_click=state.cancel_edit)]


def _edit_button(state: type[LibraryState], row: rx.Var) -> rx.Component:
    return rx.button(tr("edit"), size="1", variant="soft", on_click=state.start_edit(row["id"]), class_name="library-edit")


def _library_page(state: type[LibraryState], rows: rx.Var, new_form: rx.Component, row: Callable, kind: str,
                  area: str, icon: str) -> rx.Component:
    """One admin library page: help, the new-row form, notices, then the rows or an empty state.
    Ids start with `kind` (`label-new`, `label-list`…); texts are `admin_{area}_help` / `_empty`."""
    return rx.vstack(
        rx.text(tr(f"admin_{area}_help"), size="2", color=rx.color("gray", 11)),
        rx.card(new_form, id=f"{kind}-new"),
        _notices(state),
        rx.cond(
            rows.length() > 0,  # type: ignore[attr-defined]
            rx.vstack(rx.foreach(rows, row), width="100%", spacing="2", id=f"{kind}-list"),
            rx.callout(tr(f"admin_{area}_empty"), icon=icon, id=f"{kind}-empty"),
        ),
        spacing="3",
        align="stretch",
    )


def _color_select(value: rx.Var | str, trigger_id: str) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(id=trigger_id),
        rx.select.content(
            *[
                rx.select.item(rx.badge(tr(f"color_{c}"), color_scheme=c), value=c)
                for c in LABEL_COLORS
            ]
        ),
        name="color",
        default_value=value,
        size="2",
    )


def _label_form(row: rx.Var | None) -> rx.Component:
    """The new-label form (no row) or one label's edit form."""
    return rx.form(
        rx.flex(
            rx.el.input(type="hidden", name="id", value=row["id"] if row is not None else ""),
            rx.input(
                name="name",
                placeholder=tr("label_name"),
                default_value=row["name"] if row is not None else "",
                required=True,
                max_length=60,
                class_name="label-name-input",
                width=rx.breakpoints(initial="100%", sm="240px"),
            ),
            _color_select(
                row["color"] if row is not None else "gray",
                "label-color-edit" if row is not None else "label-color-new",
            ),
            *_form_buttons(LabelAdminState, row, "label-save"),
            gap="8px",
            wrap="wrap",
            align="center",
        ),
        on_submit=LabelAdminState.save,
        reset_on_submit=row is None,
        width="100%",
    )


def _label_row(row: rx.Var) -> rx.Component:
    return rx.card(
        rx.cond(
            LabelAdminState.editing == row["id"],
            _label_form(row),
            rx.flex(
                rx.badge(
                    row["name"],
                    color_scheme=row["color"].to(str),
                    size="2",
                    class_name="label-name",
                ),  # type: ignore[arg-type]
                rx.text(tr("label_used"), " ", row["used"], size="1", color=rx.color("gray", 10)),
                rx.spacer(),
                _edit_button(LabelAdminState, row),
                _confirm_delete(LabelAdminState, row, row["name"]),
                gap="8px",
                wrap="wrap",
                align="center",
            ),
        ),
        key=row["id"],
        class_name="label-row",
        custom_attrs={"data-name": row["name"]},
        width="100%",
    )


@app_page("/admin/labels", "admin_labels", admin=True, on_load=[LibraryState.clear])
def labels_admin_page() -> rx.Component:
    return _library_page(LabelAdminState, LabelAdminState.labels, _label_form(None), _label_row, "label", "labels", "tag")


def _canned_form(row: rx.Var | None) -> rx.Component:
    """The new canned reply's form (no row) or one reply's edit form."""
    return rx.form(
        rx.vstack(
            rx.el.input(type="hidden", name="id", value=row["id"] if row is not None else ""),
            rx.input(
                name="code",
                placeholder=tr("canned_code"),
                default_value=row["code"] if row is not None else "",
                required=True,
                max_length=41,
                class_name="canned-code-input",
                width=rx.breakpoints(initial="100%", sm="240px"),
            ),
            rx.text_area(
                name="content",
                placeholder=tr("canned_content"),
                default_value=row["content"] if row is not None else "",
                required=True,
                rows="3",
                width="100%",
                class_name="canned-content-input",
            ),
            rx.hstack(*_form_buttons(CannedAdminState, row, "canned-save"), spacing="2"),
            spacing="2",
            width="100%",
        ),
        on_submit=CannedAdminState.save,
        reset_on_submit=row is None,
        width="100%",
    )


def _canned_row(row: rx.Var) -> rx.Component:
    return rx.card(
        rx.cond(
            CannedAdminState.editing == row["id"],
            _canned_form(row),
            rx.vstack(
                rx.flex(
                    rx.code("/", row["code"], class_name="canned-code"),
                    rx.spacer(),
                    _edit_button(CannedAdminState, row),
                    _confirm_delete(
                        CannedAdminState, row, rx.Var.create("/") + row["code"].to(str)
                    ),
                    gap="8px",
                    wrap="wrap",
                    align="center",
                    width="100%",
                ),
                rx.text(
                    row["content"], size="2", white_space="pre-wrap", class_name="canned-content"
                ),
                spacing="2",
                width="100%",
            ),
        ),
        key=row["id"],
        class_name="canned-row",
        custom_attrs={"data-code": row["code"]},
        width="100%",
    )


@app_page("/admin/canned", "admin_canned", admin=True, on_load=[LibraryState.clear])
def canned_admin_page() -> rx.Component:
    return _library_page(CannedAdminState, CannedAdminState.canned, _canned_form(None), _canned_row, "canned", "canned",
                         "message-square-text")
