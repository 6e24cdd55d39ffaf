"""The one engine and session factory. Every process (app, worker, scheduler, CLI) uses these."""

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import Engine, create_engine
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
    return create_engine(
        sqlalchemy_url(url),
        pool_pre_ping=True,
        pool_size=5,
        max_overflow=5,
        connect_args={"connect_timeout": 5},
    )


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
