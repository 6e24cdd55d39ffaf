"""The pool pings a connection that sat idle and replaces it if its server went away."""

import psycopg
import pytest
import sqlalchemy as sa

import models.db as db
from models.db import libpq_url, session_scope
from models.settings import get_settings


def _server_drops_the_pooled_connection() -> None:
    with session_scope() as s:
        pid = s.execute(sa.text("SELECT pg_backend_pid()")).scalar()
    with psycopg.connect(libpq_url(get_settings().database_url), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))


def test_an_idle_connection_whose_server_went_away_is_replaced_before_use(monkeypatch: pytest.MonkeyPatch) -> None:
    db.get_engine().dispose()  # one pooled connection: the one the server drops
    monkeypatch.setattr(db, "PING_AFTER_IDLE_S", 0.0)  # as if it sat idle
    _server_drops_the_pooled_connection()
    with session_scope() as s:
        assert s.execute(sa.text("SELECT 1")).scalar() == 1


def test_without_the_idle_ping_the_dead_connection_would_fail_its_first_use(monkeypatch: pytest.MonkeyPatch) -> None:
    db.get_engine().dispose()
    monkeypatch.setattr(db, "PING_AFTER_IDLE_S", 1e9)  # in steady use: not pinged
    _server_drops_the_pooled_connection()
    with pytest.raises(sa.exc.OperationalError), session_scope() as s:
        s.execute(sa.text("SELECT 1"))
    with session_scope() as s:  # the pool noticed and starts afresh
        assert s.execute(sa.text("SELECT 1")).scalar() == 1
