"""POST video-remix accept throughput and latency at 32 concurrent clients, against a
hello-world FastAPI endpoint served the same way (uvicorn, one process) on this machine.

Both servers run as subprocesses; `wrk` (Debian package, installed by `make venv`)
drives them. The API runs with `--no-worker` so accepted jobs queue instead of
competing for the CPU; the organization is on the `unlimited` tier.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

CONNECTIONS = 32
DURATION_S = 10
TIKTOK_ID = "7234567890123456789"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_up(port: int, timeout_s: float = 60) -> None:
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server on port {port} did not start")


def _seed(env: dict[str, str]) -> dict[str, str]:
    """Org (unlimited), key, project, a ready influencer and a catalog source."""
    code = f"""
import json
from remixer.bootstrap import build_components
from remixer.config import Settings
from remixer.domain.ids import new_uuid_id
from remixer.services import orgs, projects
from remixer.store.repositories.catalog import SourceRecord
from remixer.store.tables.influencers import Influencer

class NoScheduler:
    def enqueue(self, job_id, kind): pass
    def cancel(self, job_id): pass

c = build_components(Settings(), scheduler=NoScheduler())
org = orgs.create_org(c.uow_factory, "bench", 10**9, "unlimited")["organizationId"]
key = orgs.create_key(c.uow_factory, org, "*", "live")["key"]
prj = projects.create_project(c.uow_factory, org, {{"name": "bench"}})["id"]
inf = new_uuid_id("inf")
with c.uow_factory() as uow:
    uow.influencers.add(Influencer(id=inf, project_id=prj, name="b", status="ready",
                                   reference_image_ids=[]))
    uow.catalog.save(SourceRecord(tiktok_id="{TIKTOK_ID}", blob_key="sha256/x.mp4",
                                  checksum_sha256="0" * 64, probe={{}}))
    uow.commit()
print(json.dumps({{"key": key, "project": prj, "influencer": inf}}))
"""
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def _wrk(url: str, body: str, headers: dict[str, str], tmp: Path) -> dict[str, float]:
    script = tmp / "post.lua"
    lines = ['wrk.method = "POST"', f"wrk.body = {json.dumps(body)}"]
    lines += [f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}" for k, v in headers.items()]
    script.write_text("\n".join(lines) + "\n")
    out = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{DURATION_S}s", "--latency", "-s", str(script), url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return _parse_wrk(out)


def _percentile_ms(out: str, pct: int) -> float:
    match = re.search(rf"^\s*{pct}%\s+([\d.]+)(us|ms|s)\s*$", out, re.MULTILINE)
    if match is None:
        raise RuntimeError(f"no {pct}% latency in wrk output:\n{out}")
    return float(match.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[match.group(2)]


def _parse_wrk(out: str) -> dict[str, float]:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50, p99 = _percentile_ms(out, 50), _percentile_ms(out, 99)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": rps,
        "p50_ms": p50,
        "p99_ms": p99,
        "non_2xx": float(non2xx.group(1)) if non2xx else 0.0,
    }


def _serve(cmd: list[str], env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _wait_up(port)
    return proc


def main() -> dict[str, Any]:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed; run `make venv` (installs it as root)")
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        env = {**os.environ, "REMIXER_DATA_DIR": str(tmp / "data"), "REMIXER_LOG_LEVEL": "warning"}
        env.pop("REMIXER_DATABASE_URL", None)
        seed = _seed(env)
        bin_dir = Path(sys.executable).parent
        hello_port, api_port = _free_port(), _free_port()
        hello = _serve(
            [
                str(bin_dir / "uvicorn"),
                "benchmarks.hello_app:app",
                "--port",
                str(hello_port),
                "--no-access-log",
                "--log-level",
                "warning",
            ],
            env,
            hello_port,
        )
        try:
            ref = _wrk(f"http://127.0.0.1:{hello_port}/hello", "{}", {}, tmp)
        finally:
            hello.terminate()
            hello.wait()
        api = _serve(
            [str(bin_dir / "remixer"), "serve", "--no-worker", "--port", str(api_port)],
            env,
            api_port,
        )
        try:
            body = json.dumps({"tiktokVideoId": TIKTOK_ID, "influencerId": seed["influencer"]})
            headers = {"Authorization": f"Bearer {seed['key']}", "Content-Type": "application/json"}
            url = f"http://127.0.0.1:{api_port}/v1/projects/{seed['project']}/content/video-remix"
            remix = _wrk(url, body, headers, tmp)
        finally:
            api.terminate()
            api.wait()
    figures = {
        "connections": CONNECTIONS,
        "duration_s": DURATION_S,
        "hello_rps": round(ref["rps"], 1),
        "hello_p50_ms": ref["p50_ms"],
        "hello_p99_ms": ref["p99_ms"],
        "remix_accept_rps": round(remix["rps"], 1),
        "remix_p50_ms": remix["p50_ms"],
        "remix_p99_ms": remix["p99_ms"],
        "remix_non_2xx": remix["non_2xx"],
        "throughput_ratio": round(remix["rps"] / ref["rps"], 3),
    }
    print(json.dumps(figures, indent=2))
    return figures


if __name__ == "__main__":
    main()
