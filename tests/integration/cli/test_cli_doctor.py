"""`remixer doctor`: one line per part, the fix on failures, non-zero exit when required
parts fail (a broken database URL, an unmigrated database), no secrets printed."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

REMIXER = str(Path(sys.executable).parent / "remixer")
PARTS = (
    "database",
    "dbos",
    "redis",
    "media store",
    "emoji font",
    "CJK font",
    "OCR model",
    "face models",
    "face-swap model",
    "onnxruntime",
    "LLM endpoint",
    "disk space",
)


def _doctor(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {**os.environ, "REMIXER_DATA_DIR": str(tmp_path / "data")}
    for name in ("REMIXER_DATABASE_URL", "REMIXER_REDIS_URL", "REMIXER_LLM_BASE_URL"):
        base.pop(name, None)
    return subprocess.run(
        [REMIXER, "doctor", *args],
        capture_output=True,
        text=True,
        env={**base, **env},
        timeout=300,
        cwd=tmp_path,
    )


def _line(out: str, part: str) -> str:
    return next(x for x in out.splitlines() if x[6:].startswith(part))


def test_healthy_stack_exits_zero_with_one_line_per_part(tmp_path: Path) -> None:
    out = _doctor(tmp_path, REMIXER_REDIS_URL="redis://127.0.0.1:6379/0")
    assert out.returncode == 0, out.stdout + out.stderr
    lines = out.stdout.splitlines()
    assert len(lines) == len(PARTS)
    for part in PARTS:
        assert _line(out.stdout, part).split()[0] in ("OK", "SKIP")
    assert _line(out.stdout, "redis").startswith("OK")
    assert "CPUExecutionProvider" in _line(out.stdout, "onnxruntime")


def test_broken_database_url_fails_with_the_fix_and_no_password(tmp_path: Path) -> None:
    url = "postgresql+psycopg://remixer:hunter2secret@127.0.0.1:9/nowhere"
    out = _doctor(tmp_path, REMIXER_DATABASE_URL=url)
    assert out.returncode == 1
    db = _line(out.stdout, "database")
    assert db.startswith("FAIL") and "cannot connect" in db and "fix: " in db
    assert "hunter2secret" not in out.stdout + out.stderr
    assert _line(out.stdout, "media store").startswith("OK")  # the others still ran


def test_unreachable_redis_and_llm_fail(tmp_path: Path) -> None:
    out = _doctor(
        tmp_path,
        REMIXER_REDIS_URL="redis://127.0.0.1:9/0",
        REMIXER_LLM_BASE_URL="http://127.0.0.1:9/v1",
    )
    assert out.returncode == 1
    assert _line(out.stdout, "redis").startswith("FAIL")
    assert _line(out.stdout, "LLM endpoint").startswith("FAIL")


def test_unmigrated_database_fails_until_migrated(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    sqlite3.connect(tmp_path / "data" / "remixer.sqlite3").close()
    out = _doctor(tmp_path)
    assert out.returncode == 1
    assert "not migrated" in _line(out.stdout, "database")
    assert "remixer doctor --migrate" in _line(out.stdout, "database")
    fixed = _doctor(tmp_path, "--migrate")
    assert fixed.returncode == 0, fixed.stdout
    assert "migrated (revision" in _line(fixed.stdout, "database")
