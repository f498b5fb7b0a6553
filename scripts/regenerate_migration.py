"""Regenerate the initial migration from the models (only while nothing has shipped)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from alembic import command

from remixer.store.migrations import HERE, alembic_config

versions = HERE / "versions"
for old in versions.glob("*.py"):
    old.unlink()
shutil.rmtree(versions / "__pycache__", ignore_errors=True)
with tempfile.TemporaryDirectory() as tmp:
    url = f"sqlite:///{Path(tmp) / 'empty.sqlite3'}"
    command.revision(alembic_config(url), message="initial schema", autogenerate=True,
                     rev_id="0001")
print("regenerated", sorted(p.name for p in versions.glob("*.py")))
