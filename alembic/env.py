"""Plain Alembic against the one engine of `models.db` (never `reflex db`)."""

from sqlmodel import SQLModel

import models  # noqa: F401  (registers every table)
from alembic import context
from models.db import get_engine

target_metadata = SQLModel.metadata


def include_object(obj, name, type_, reflected, compare_to):
    # pgvector's HNSW index options are not reflected faithfully; compare it by name only.
    return True


def run_migrations_online() -> None:
    connectable = context.config.attributes.get("connection") or get_engine()
    if hasattr(connectable, "connect"):
        with connectable.connect() as connection:
            _run(connection)
    else:
        _run(connectable)


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("Offline SQL generation is not supported: run `vschool migrate`.")
run_migrations_online()
