"""Scale-out processes starting together on a fresh PostgreSQL all migrate successfully:
the migrations run under an advisory lock, one process at a time (without it, three of
four concurrent `upgrade_to_head` calls failed creating `alembic_version`)."""

from __future__ import annotations

import subprocess
import sys
import uuid

import pytest
import sqlalchemy as sa

from pg_support import NOT_REACHABLE, PG_BASE, postgres_available

pytestmark = pytest.mark.postgres


def test_four_processes_migrate_a_fresh_database_at_once() -> None:
    if not postgres_available():
        pytest.skip(NOT_REACHABLE)
    name = f"remixer_mig_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_BASE, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = PG_BASE.rsplit("/", 1)[0] + f"/{name}"
    code = f"from remixer.store.migrations import upgrade_to_head as up; up({url!r})"
    try:
        runs = [
            subprocess.Popen([sys.executable, "-c", code], stderr=subprocess.PIPE) for _ in range(4)
        ]
        results = [
            (run.wait(timeout=120), run.stderr.read() if run.stderr else b"") for run in runs
        ]
        assert [rc for rc, _ in results] == [0] * 4, [err[-500:] for _, err in results]
        engine = sa.create_engine(url)
        with engine.connect() as conn:
            versions = conn.execute(sa.text("SELECT version_num FROM alembic_version")).all()
            tables = set(sa.inspect(conn).get_table_names())
        engine.dispose()
        assert len(versions) == 1 and {"jobs", "worker_heartbeats"} <= tables
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
