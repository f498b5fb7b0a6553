"""`remixer serve`, `worker` and `remix` check the neural models at start-up: a missing,
broken or unsupported model (or a swapper without an embedder) stops the command with a
clear message before any job or media work starts."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from onnx_standins import arcface_model, random_emap, swapper_model
from remixer.cli.main import app


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("REMIXER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("REMIXER_FACESWAP_MODEL", raising=False)
    monkeypatch.delenv("REMIXER_FACE_EMBEDDER_MODEL", raising=False)
    return tmp_path


def _remix_args(folder: Path) -> list[str]:
    source, face = folder / "in.mp4", folder / "face.jpg"
    source.write_bytes(b"not probed")
    face.write_bytes(b"not read")
    return ["remix", str(source), "--face", str(face), "-o", str(folder / "out.mp4")]


@pytest.mark.parametrize("command", ["worker", "serve", "remix"])
def test_a_missing_model_stops_the_command_at_start_up(
    command: str, env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REMIXER_FACESWAP_MODEL", str(env / "inswapper_128.onnx"))
    monkeypatch.setenv("REMIXER_FACE_EMBEDDER_MODEL", str(arcface_model(env / "w600k.onnx")))
    args = _remix_args(env) if command == "remix" else [command]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1, result.output
    assert "INTERNAL: The face-swap model (REMIXER_FACESWAP_MODEL)" in result.stderr
    assert "inswapper_128.onnx does not exist" in result.stderr
    assert not (env / "data" / "remixer.sqlite3").exists()  # stopped before the database


def test_an_unsupported_model_names_the_expected_inputs(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    odd = swapper_model(env / "odd.onnx", 128, "echo", target="img", source="latent")
    monkeypatch.setenv("REMIXER_FACESWAP_MODEL", str(odd))
    monkeypatch.setenv("REMIXER_FACE_EMBEDDER_MODEL", str(arcface_model(env / "w600k.onnx")))
    result = CliRunner().invoke(app, ["worker"])
    assert result.exit_code == 1
    assert "`img` 1×3×128×128" in result.stderr and "`target` 1×3×128×128" in result.stderr


def test_a_swapper_without_an_embedder_is_refused(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = swapper_model(env / "inswapper_128.onnx", 128, "negative", emap=random_emap())
    monkeypatch.setenv("REMIXER_FACESWAP_MODEL", str(model))
    result = CliRunner().invoke(app, _remix_args(env))
    assert result.exit_code == 1
    assert "set REMIXER_FACE_EMBEDDER_MODEL" in result.stderr
