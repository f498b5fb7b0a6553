"""`remixer copy` as a partner runs it (a subprocess): overlay lines on stdin, one JSON
object on stdout, ADAPTATION_FAILED for a language the adapter cannot produce."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from remixer.pipeline.rewrite.banned import find_banned


def _run(
    tmp_path: Path, stdin: str, *args: str, env_extra: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REMIXER_")}
    env["REMIXER_DATA_DIR"] = str(tmp_path / "data")
    env.update(env_extra or {})
    command = [sys.executable, "-m", "remixer.cli.main", "copy", *args]
    return subprocess.run(
        command, input=stdin, capture_output=True, text=True, env=env, timeout=120
    )


def _json(done: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    data = json.loads(done.stdout)
    assert isinstance(data, dict)
    return data


BANNED = ["link in bio", "sells out", "miracle"]
LINES = "POV: my miracle routine\n\nGrab yours via the link in bio before it sells out again\n"


def test_copy_prints_one_item_per_line_with_banned_phrases_replaced(tmp_path: Path) -> None:
    args = ["--voice", "witty", "--app-name", "Glowly", "--keyword", "skincare"]
    for phrase in BANNED:
        args += ["--banned", phrase]
    done = _run(tmp_path, LINES, *args, "--caption", "my miracle routine, link in bio")
    assert done.returncode == 0, done.stderr
    result = _json(done)
    assert result["language"] == "en" and result["copyProvider"] == "offline"
    sources = [item["sourceText"] for item in result["items"]]
    assert sources == [
        "POV: my miracle routine",
        "Grab yours via the link in bio before it sells out again",
    ]
    hook, cta = (item["text"] for item in result["items"])
    assert hook == "Plot twist: my go-to routine"
    assert "on Glowly" in cta and "is gone" in cta
    for text in (hook, cta, result["caption"]):
        assert find_banned(text, BANNED) is None, text


def test_a_language_the_adapter_cannot_produce_is_adaptation_failed(tmp_path: Path) -> None:
    done = _run(tmp_path, "POV: you finally wake up at 6am\n", "--language", "fr")
    assert done.returncode == 1
    error = _json(done)["error"]
    assert error["code"] == "ADAPTATION_FAILED" and "cannot translate" in error["message"]
    assert error["details"] == {"sourceLanguage": "en", "targetLanguage": "fr"}


def test_unreachable_chat_server_falls_back_and_says_so(tmp_path: Path) -> None:
    env = {"REMIXER_LLM_BASE_URL": "http://127.0.0.1:9/v1", "REMIXER_LLM_TIMEOUT_S": "0.5"}
    done = _run(tmp_path, "Follow for more tips\n", "--voice", "warm", env_extra=env)
    assert done.returncode == 0, done.stderr
    result = _json(done)
    assert result["copyProvider"] == "offline-fallback"
    assert "could not be reached" in result["fallbackReason"]
    assert result["items"][0]["text"] != "Follow for more tips"


def test_unknown_voice_is_a_usage_error(tmp_path: Path) -> None:
    done = _run(tmp_path, "hello there\n", "--voice", "loud")
    assert done.returncode == 2 and "--voice" in done.stderr
