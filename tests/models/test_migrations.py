"""The migrations and the models describe the same database, and the chain runs both ways."""

import os
from collections.abc import Iterator

import psycopg
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import models  # noqa: F401
from alembic import command
from models.db import sqlalchemy_url
from vschool.migrations import alembic_config

SCRATCH = "vschool_migration_check"


@pytest.fixture
def scratch_engine() -> Iterator[sa.Engine]:
    admin = os.environ["DATABASE_URL"]
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{SCRATCH}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{SCRATCH}"')
    url = sa.make_url(sqlalchemy_url(admin)).set(database=SCRATCH)
    engine = sa.create_engine(url)
    yield engine
    engine.dispose()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{SCRATCH}" WITH (FORCE)')


def _run(engine: sa.Engine, fn, *args) -> None:
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        fn(config, *args)


def _differences(engine: sa.Engine) -> list:
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(ctx, SQLModel.metadata)


def _tables(engine: sa.Engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names())


def test_upgrade_matches_the_models_and_downgrade_upgrade_round_trips(scratch_engine: sa.Engine) -> None:
    _run(scratch_engine, command.upgrade, "head")
    assert _differences(scratch_engine) == []
    assert set(SQLModel.metadata.tables) <= _tables(scratch_engine)
    with scratch_engine.connect() as conn:
        roles = conn.execute(sa.text("SELECT name FROM staff_role ORDER BY name")).scalars().all()
    assert roles == ["admin", "agent", "marketing"]

    _run(scratch_engine, command.downgrade, "base")
    assert _tables(scratch_engine) == {"alembic_version"}

    _run(scratch_engine, command.upgrade, "head")
    assert _differences(scratch_engine) == []
