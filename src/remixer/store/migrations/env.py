"""Alembic environment: runs against the URL given by `alembic_config`."""

from __future__ import annotations

from alembic import context
from sqlalchemy import pool, text

import remixer.store.tables  # noqa: F401  (registers every table on Base.metadata)
from remixer.store.base import Base
from remixer.store.engine import make_engine

config = context.config
MIGRATION_LOCK = 0x726D786D69677261  # 'rmxmigra'
target_metadata = Base.metadata


def run_migrations() -> None:
    url = config.get_main_option("sqlalchemy.url") or ""
    engine = make_engine(url) if url.startswith("sqlite") else None
    if engine is None:
        from sqlalchemy import create_engine

        engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            if connection.dialect.name == "postgresql":
                # Processes starting together (scale-out) migrate one at a time.
                connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK})
            context.run_migrations()
    engine.dispose()


run_migrations()
