"""Admin CLI (SPEC §8): one JSON object per command, errors exit non-zero."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from remixer.cli.main import app


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("REMIXER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("REMIXER_DATABASE_URL", raising=False)
    return CliRunner()


def _json(runner: CliRunner, *args: str) -> dict[str, object]:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert isinstance(data, dict)
    return data


def test_admin_flow(runner: CliRunner) -> None:
    org = _json(
        runner, "admin", "create-org", "--name", "Acme", "--credits", "500", "--tier", "pilot"
    )
    assert str(org["organizationId"]).startswith("org_") and org["creditBalance"] == 500
    key = _json(
        runner,
        "admin",
        "create-key",
        "--org",
        str(org["organizationId"]),
        "--scopes",
        "content:write,jobs:read",
        "--env",
        "test",
    )
    assert str(key["key"]).startswith("lp_test_") and key["scopes"] == [
        "content:write",
        "jobs:read",
    ]
    granted = _json(
        runner, "admin", "grant-credits", "--org", str(org["organizationId"]), "--credits", "25"
    )
    assert granted["balance"] == 525
    killed = _json(runner, "admin", "kill-key", str(key["apiKeyId"]))
    assert killed == {"apiKeyId": key["apiKeyId"], "killed": True}


@pytest.mark.parametrize(
    "args",
    [
        ["admin", "create-org", "--name", "A", "--tier", "gold"],
        ["admin", "create-org", "--name", " "],
        ["admin", "create-key", "--org", "org_missing", "--scopes", "*"],
        ["admin", "create-key", "--org", "org_missing", "--scopes", "nope:scope"],
        ["admin", "grant-credits", "--org", "org_missing", "--credits", "5"],
        ["admin", "kill-key", "key_missing"],
    ],
)
def test_admin_errors_exit_nonzero(runner: CliRunner, args: list[str]) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code != 0
    assert result.stdout == ""
