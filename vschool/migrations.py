"""Alembic, driven from Python (config in pyproject.toml's [tool.alembic])."""

from pathlib import Path

from alembic.config import Config

from alembic import command

ROOT = Path(__file__).resolve().parent.parent


def alembic_config() -> Config:
    return Config(toml_file=str(ROOT / "pyproject.toml"))


def upgrade_to_head() -> None:
    command.upgrade(alembic_config(), "head")


def downgrade_to_base() -> None:
    command.downgrade(alembic_config(), "base")
