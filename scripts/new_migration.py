"""Autogenerate the next Alembic revision from the models: `make migration MESSAGE="..."`.

Revisions are numbered 0001, 0002, ...; shipped revisions are never edited.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command
from alembic.script import ScriptDirectory

from remixer.store.migrations import HERE, alembic_config, upgrade_to_head

message = " ".join(sys.argv[1:]) or "schema change"
with tempfile.TemporaryDirectory() as tmp:
    url = f"sqlite:///{Path(tmp) / 'head.sqlite3'}"
    upgrade_to_head(url)
    config = alembic_config(url)
    head = ScriptDirectory.from_config(config).get_current_head()
    rev_id = f"{int(head or '0') + 1:04d}"
    command.revision(config, message=message, autogenerate=True, rev_id=rev_id)
print("new revision", rev_id, "in", HERE / "versions")
