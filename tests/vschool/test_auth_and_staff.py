import json

import pytest
from sqlmodel import select

from logs.jsonl import logs_dir
from models import AuditEntry, StaffSession
from models.db import session_scope
from models.enums import Role
from vschool.auth import (
    MAX_FAILURES,
    LoginRefused,
    NotAllowed,
    password_matches,
    require_role,
    sign_in,
    sign_out,
    user_for_token,
)
from vschool.staff import StaffError, change_role, create_staff, list_staff, set_active

pytestmark = pytest.mark.usefixtures("db")
PASSWORD = "ramen-and-sushi-2026"


def _admin():
    with session_scope() as s:
        return create_staff(s, None, "Boss@VSchool.test", "Khun Boss", Role.ADMIN, PASSWORD)


def test_passwords_are_argon2_hashed_and_checked() -> None:
    admin = _admin()
    assert admin.password_hash.startswith("$argon2id$")
    assert PASSWORD not in admin.password_hash
    assert password_matches(admin.password_hash, PASSWORD)
    assert not password_matches(admin.password_hash, PASSWORD + "x")


def test_sign_in_opens_a_session_that_survives_a_new_connection_and_sign_out_ends_it() -> None:
    _admin()
    with session_scope() as s:
        user, token = sign_in(s, " boss@vschool.TEST ", PASSWORD)
    with session_scope() as s:  # a reconnect: only the cookie's token is known
        assert user_for_token(s, token).email == "boss@vschool.test"
        stored = s.exec(select(StaffSession)).one()
        assert token not in stored.token_hash  # only a digest is stored
        sign_out(s, token)
    with session_scope() as s:
        assert user_for_token(s, token) is None
        assert user_for_token(s, "made-up-token") is None


def test_wrong_password_is_refused_and_repeated_failures_lock_the_email() -> None:
    _admin()
    for _ in range(MAX_FAILURES):
        with pytest.raises(LoginRefused, match="wrong"), session_scope() as s:
            sign_in(s, "boss@vschool.test", "not-the-password")
    with pytest.raises(LoginRefused, match="Too many"), session_scope() as s:
        sign_in(s, "boss@vschool.test", PASSWORD)  # even the right password waits


def test_roles_are_enforced_on_the_server_side() -> None:
    admin = _admin()
    with session_scope() as s:
        agent = create_staff(s, admin, "agent@vschool.test", "Nok", Role.AGENT, PASSWORD)
    assert require_role(admin, Role.ADMIN) is admin
    with pytest.raises(NotAllowed):
        require_role(agent, Role.ADMIN)
    with pytest.raises(NotAllowed):
        require_role(None, Role.AGENT)
    with pytest.raises(NotAllowed), session_scope() as s:
        create_staff(s, agent, "x@vschool.test", "X", Role.ADMIN, PASSWORD)
    with pytest.raises(NotAllowed), session_scope() as s:
        change_role(s, agent, agent.id, Role.ADMIN)


def test_staff_actions_are_audited_in_the_database_and_the_audit_log() -> None:
    admin = _admin()
    with session_scope() as s:
        agent = create_staff(s, admin, "mint@vschool.test", "Mint", Role.AGENT, PASSWORD)
    with session_scope() as s:
        change_role(s, admin, agent.id, Role.MARKETING)
    with session_scope() as s:
        set_active(s, admin, agent.id, False)
    with session_scope() as s:
        actions = [(a.action, a.actor_label) for a in s.exec(select(AuditEntry).order_by(AuditEntry.id))]
        assert actions == [
            ("staff.create", "system"),
            ("staff.create", "boss@vschool.test"),
            ("staff.change_role", "boss@vschool.test"),
            ("staff.deactivate", "boss@vschool.test"),
        ]
        assert [u.email for u in list_staff(s)][-1] == "mint@vschool.test"  # inactive last
    lines = [json.loads(x) for x in (logs_dir() / "audit.jsonl").read_text().splitlines()]
    assert [x["action"] for x in lines[-3:]] == ["staff.create", "staff.change_role", "staff.deactivate"]


def test_deactivation_signs_the_person_out_and_blocks_sign_in() -> None:
    admin = _admin()
    with session_scope() as s:
        agent = create_staff(s, admin, "ploy@vschool.test", "Ploy", Role.AGENT, PASSWORD)
    with session_scope() as s:
        _, token = sign_in(s, "ploy@vschool.test", PASSWORD)
    with session_scope() as s:
        set_active(s, admin, agent.id, False)
    with session_scope() as s:
        assert user_for_token(s, token) is None
    with pytest.raises(LoginRefused, match="deactivated"), session_scope() as s:
        sign_in(s, "ploy@vschool.test", PASSWORD)


def test_the_last_admin_cannot_be_removed_and_bad_input_is_explained() -> None:
    admin = _admin()
    with pytest.raises(StaffError, match="yourself"), session_scope() as s:
        set_active(s, admin, admin.id, False)
    with session_scope() as s:
        other = create_staff(s, admin, "a2@vschool.test", "A2", Role.ADMIN, PASSWORD)
    with session_scope() as s:
        change_role(s, admin, other.id, Role.AGENT)
    with pytest.raises(StaffError, match="last active admin"), session_scope() as s:
        change_role(s, admin, admin.id, Role.AGENT)
    with pytest.raises(StaffError, match="already has an account"), session_scope() as s:
        create_staff(s, admin, "A2@vschool.test", "Dup", Role.AGENT, PASSWORD)
    with pytest.raises(StaffError, match="at least"), session_scope() as s:
        create_staff(s, admin, "short@vschool.test", "Short", Role.AGENT, "abc")
