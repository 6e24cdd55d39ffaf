"""The one engine and session factory. Every process (app, worker, scheduler, CLI) uses these."""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

import psycopg
from sqlalchemy import Engine, create_engine, event, exc
from sqlmodel import Session

from models.settings import get_settings


class DatabaseNotConfigured(RuntimeError):
    """Neither DATABASE_URL nor running embedded services: there is no database to talk to."""


def sqlalchemy_url(url: str) -> str:
    """Accept plain `postgresql://` URLs and use psycopg 3 for them."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


@lru_cache(maxsize=1)
def get_engine() -> Engine:
    url = get_settings().database_url
    if not url:
        raise DatabaseNotConfigured(
            "No database: set DATABASE_URL, or start the embedded one with `vschool services start`."
        )
    engine = create_engine(
        sqlalchemy_url(url),
        pool_size=5,
        max_overflow=5,
        connect_args={"connect_timeout": 5},
        hide_parameters=True,  # an error's text never carries customers' words or secrets into a log
    )
    _ping_connections_that_sat_idle(engine)
    return engine


PING_AFTER_IDLE_S = 5.0


def _ping_connections_that_sat_idle(engine: Engine) -> None:
    """A pooled connection that sat idle may have lost its server (PostgreSQL restarted): it is
    pinged before use and replaced if dead. One in steady use is not: `pool_pre_ping` would add a
    round trip to every transaction (about a dozen per customer message). A server lost while a
    connection was busy shows as an error on that use; the pool then drops all its connections."""

    @event.listens_for(engine, "checkin")
    def _checked_in(dbapi_connection, record) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection, record, proxy) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_S:
            return
        try:
            with dbapi_connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        except psycopg.Error as error:
            raise exc.DisconnectionError("an idle pooled connection lost its server") from error


@contextmanager
def session_scope() -> Iterator[Session]:
    """One unit of work: commits on success, rolls back on any error, always closes."""
    with Session(get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def reset_engine() -> None:
    """Forget the engine (tests and `vschool dev` after the services' address changed)."""
    if get_engine.cache_info().currsize:
        get_engine().dispose()
    get_engine.cache_clear()


def libpq_url(url: str) -> str:
    """The same database as a plain libpq URL, for psycopg's own pools."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)
