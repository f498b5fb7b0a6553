"""Alembic migrations (one history for SQLite and PostgreSQL) and a programmatic upgrade."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from remixer.files import private_sqlite

HERE = Path(__file__).parent


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade_to_head(url: str) -> None:
    private_sqlite(url)  # SQLite: the file exists with mode 0600 before the first connection
    command.upgrade(alembic_config(url), "head")
