"""What a push bump shares between tabs (vschool/state/per_bump.py): only inside a bump, only
for the keys and session tokens it holds."""

from models.staff import StaffUser
from vschool.state.per_bump import UNREAD, BumpScope, bump_scope, session_read, shared


def test_shared_data_is_computed_once_per_bump_and_every_time_outside_one() -> None:
    calls: list[str] = []

    def compute(name: str) -> str:
        calls.append(name)
        return f"{name}-{len(calls)}"

    assert shared(("counts",), lambda: compute("counts")) == "counts-1"
    assert shared(("counts",), lambda: compute("counts")) == "counts-2"  # no bump: no sharing
    with bump_scope(BumpScope(sessions={})):
        first = shared(("counts",), lambda: compute("counts"))
        assert shared(("counts",), lambda: compute("counts")) == first
        assert shared(("counts", "other filter"), lambda: compute("other")) != first  # a key per input
    with bump_scope(BumpScope(sessions={})):  # the next bump reads again
        assert shared(("counts",), lambda: compute("counts")) == "counts-5"
    assert calls == ["counts", "counts", "counts", "other", "counts"]


def test_a_tab_takes_only_its_own_tokens_row_and_reads_alone_otherwise() -> None:
    nok = StaffUser(id=7, email="nok@vschool.test", display_name="Nok", role="agent", password_hash="x")
    assert session_read("nok-token") is UNREAD  # outside a bump: the gate reads the database
    with bump_scope(BumpScope(sessions={"nok-token": nok, "gone-token": None})):
        assert session_read("nok-token") is nok
        assert session_read("gone-token") is None  # read in this bump: no active session
        assert session_read("another-token") is UNREAD  # not in this bump's read: read alone
    assert session_read("nok-token") is UNREAD
