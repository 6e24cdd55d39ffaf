import json

import pytest
from sqlmodel import select

from logs.jsonl import logs_dir
from models import AuditEntry, StaffSession, StaffUser
from models.db import session_scope
from models.enums import Role
from models.refusals import Refused
from models.settings import get_settings
from vschool import auth
from vschool.auth import (
    ADDRESS_THROTTLE,
    EMAIL_THROTTLE,
    LoginRefused,
    NotAllowed,
    change_own_password,
    client_address,
    issue_reset_code,
    password_matches,
    require_role,
    reset_password,
    sign_in,
    sign_out,
    user_for_token,
    users_for_tokens,
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


def _fail(email: str, address: str) -> LoginRefused:
    with pytest.raises(LoginRefused) as refused, session_scope() as s:
        sign_in(s, email, "not-the-password", address)
    return refused.value


def test_a_guessing_address_waits_longer_and_longer_but_cannot_lock_the_owner_out() -> None:
    _admin()
    free, _ = ADDRESS_THROTTLE
    for _ in range(free):
        assert _fail("boss@vschool.test", "203.0.113.9").key == "error_login_wrong"
    waited = _fail("boss@vschool.test", "203.0.113.9")
    assert waited.key == "error_login_wait" and waited.values["seconds"] >= 1
    with pytest.raises(LoginRefused, match="Wait"), session_scope() as s:
        sign_in(s, "boss@vschool.test", PASSWORD, "203.0.113.9")  # even the right password waits there
    with session_scope() as s:  # the owner, from their own address, signs in as usual
        assert sign_in(s, "boss@vschool.test", PASSWORD, "198.51.100.7")[0].email == "boss@vschool.test"


def test_an_email_guessed_from_many_addresses_waits_at_most_a_minute() -> None:
    _admin()
    free, longest = EMAIL_THROTTLE
    for n in range(free + 6):
        _fail("boss@vschool.test", f"192.0.2.{n}")
    assert 1 <= auth.login_wait_s("boss@vschool.test", "198.51.100.7") <= longest


def test_unknown_and_known_emails_are_answered_alike() -> None:
    _admin()
    unknown, known = _fail("nobody@vschool.test", "192.0.2.1"), _fail("boss@vschool.test", "192.0.2.2")
    assert (unknown.key, str(unknown)) == (known.key, str(known))
    assert unknown.in_language("th") == "อีเมลหรือรหัสผ่านไม่ถูกต้อง"


def test_the_client_address_comes_from_x_forwarded_for_only_behind_a_trusted_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    assert client_address("203.0.113.5", "1.2.3.4") == "203.0.113.5"  # no proxy trusted: the header is ignored
    monkeypatch.setenv("VSCHOOL_TRUSTED_PROXIES", "10.0.0.0/8, 127.0.0.1")
    get_settings.cache_clear()
    auth._trusted_proxies.cache_clear()
    try:
        assert client_address("10.1.2.3", "198.51.100.1, 203.0.113.5") == "203.0.113.5"
        assert client_address("127.0.0.1", "198.51.100.1, 10.0.0.9") == "198.51.100.1"  # two proxies in a row
        assert client_address("203.0.113.5", "1.2.3.4") == "203.0.113.5"  # a stranger's header is not believed
    finally:
        monkeypatch.delenv("VSCHOOL_TRUSTED_PROXIES")
        get_settings.cache_clear()
        auth._trusted_proxies.cache_clear()


def test_changing_ones_password_needs_the_current_one_and_signs_out_other_devices() -> None:
    admin = _admin()
    with session_scope() as s:
        _, phone = sign_in(s, "boss@vschool.test", PASSWORD)
    with session_scope() as s:
        _, laptop = sign_in(s, "boss@vschool.test", PASSWORD)
    with pytest.raises(Refused, match="current password"), session_scope() as s:
        change_own_password(s, admin, "wrong-current", "a-new-password-1", laptop)
    with session_scope() as s:
        change_own_password(s, admin, PASSWORD, "a-new-password-1", laptop)
    with session_scope() as s:
        assert user_for_token(s, laptop) is not None and user_for_token(s, phone) is None
        assert s.exec(select(AuditEntry.action).order_by(AuditEntry.id.desc())).first() == "staff.change_password"
    with session_scope() as s:
        assert sign_in(s, "boss@vschool.test", "a-new-password-1")[0].id == admin.id


def test_a_reset_code_works_once_within_the_hour_and_signs_the_person_out_everywhere() -> None:
    admin = _admin()
    with session_scope() as s:
        agent = create_staff(s, admin, "nok@vschool.test", "Nok", Role.AGENT, PASSWORD)
    with session_scope() as s:
        _, token = sign_in(s, "nok@vschool.test", PASSWORD)
    with pytest.raises(NotAllowed), session_scope() as s:
        issue_reset_code(s, agent, admin.id)  # only admins issue codes
    with session_scope() as s:
        code = issue_reset_code(s, admin, agent.id)
    with session_scope() as s:
        reset_password(s, code, "nok-new-password")
    with session_scope() as s:
        assert user_for_token(s, token) is None
        assert sign_in(s, "nok@vschool.test", "nok-new-password")[0].id == agent.id
    with pytest.raises(Refused, match="used, expired or wrong"), session_scope() as s:
        reset_password(s, code, "another-password")
    with session_scope() as s:
        actions = list(s.exec(select(AuditEntry.action).where(AuditEntry.action.like("staff.reset%")).order_by(AuditEntry.id)))
    assert actions == ["staff.reset_issued", "staff.reset_used"]


def test_a_role_change_signs_the_person_out_so_their_tabs_take_the_new_role() -> None:
    admin = _admin()
    with session_scope() as s:
        agent = create_staff(s, admin, "fon@vschool.test", "Fon", Role.AGENT, PASSWORD)
    with session_scope() as s:
        _, token = sign_in(s, "fon@vschool.test", PASSWORD)
    with session_scope() as s:
        change_role(s, admin, agent.id, Role.MARKETING)
    with session_scope() as s:
        assert user_for_token(s, token) is None


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


def test_many_sessions_read_in_one_go_answer_as_one_by_one() -> None:
    """The push path's one query for a bump's tabs (vschool/state/per_bump.py) refuses exactly
    what `user_for_token` refuses: signed out, deactivated, unknown."""
    admin = _admin()
    with session_scope() as s:
        create_staff(s, admin, "nok@vschool.test", "Nok", Role.AGENT, PASSWORD)
        create_staff(s, admin, "ploy@vschool.test", "Ploy", Role.AGENT, PASSWORD)
    with session_scope() as s:
        boss, nok, ploy, left = (sign_in(s, email, PASSWORD)[1] for email in
                                 ("boss@vschool.test", "nok@vschool.test", "ploy@vschool.test", "ploy@vschool.test"))
    with session_scope() as s:
        sign_out(s, left)
        set_active(s, admin, s.exec(select(StaffUser).where(StaffUser.email == "nok@vschool.test")).one().id, False)
    with session_scope() as s:
        found = users_for_tokens(s, {boss, nok, ploy, left, "made-up-token"})
        one_by_one = {token: user_for_token(s, token) for token in (boss, nok, ploy, left, "made-up-token")}
    assert {token: user and user.email for token, user in found.items()} == {
        token: user and user.email for token, user in one_by_one.items()
    }
    assert found[boss].email == "boss@vschool.test" and found[ploy].role == Role.AGENT.value
    assert found[nok] is None and found[left] is None and found["made-up-token"] is None


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
