"""`make bench`: run every benchmark and write BENCHMARKS.md with the machine and command.

Each `benchmarks/bench_*.py` module exposes `main() -> dict` of figures. A benchmark
that fails is recorded as failed (with its error) and the run exits non-zero.
Run one with `python -m benchmarks.run_all api` (names: api, sources, overlays,
overlays-real, faces, faces-real, e2e, jobpath, copy).
"""

from __future__ import annotations

import importlib
import json
import os
import platform
import subprocess
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ORDER = [
    "api",
    "sources",
    "overlays",
    "overlays-real",
    "faces",
    "faces-real",
    "e2e",
    "jobpath",
    "copy",
]
TARGETS = {
    "api": "p99 ≤ 100 ms and accept throughput ≥ 1/3 of hello-world at 32 clients",
    "sources": "recommendation p95 ≤ 50 ms with 10,000 catalog items; fitness first",
    "overlays": "CER ≤ 2 %, spans ±1 frame, 0 old overlays readable, new CER ≤ 5 %, "
    "extraction ≤ 1 s and erase+redraw ≤ 1.5 s per clip second (1080×1920)",
    "overlays-real": "captions on real footage: erase PSNR median >= 30 dB, worst >= 26 dB, "
    "residue 0, size ratio >= 0.85 unless wrapped beyond 1.5x lines, font top-1 >= 80 %, "
    "new CER <= 5 %",
    "faces": "influencer in ≥ 90 % of visible frames, not the original in ≥ 90 %, "
    "jitter ≤ source, swap ≤ 1.5 s per clip second (1080×1920)",
    "faces-real": "per real clip × photo: found ≥ 0.95, infl ≥ 0.9, not_src ≥ 0.9, sharp ≥ 0.5, "
    "eyes_corr ≥ 0.8, mouth_corr ≥ 0.85, edge_keep ≥ 0.6 (glasses clip), jitter ≤ 1.05",
    "e2e": "`remixer remix` process ≤ 3 × a plain PyAV transcode process of the same clip, on "
    "every clip (1080×1920 30 fps synthetic and captioned ../shared/footage); cold start "
    "(process start → first frame decoded) ≤ 3 s; a 60 s clip ≤ 8.5 × the 8 s clip, peak "
    "RSS ≤ 2.5 GB",
    "jobpath": "warm job path (accept → completed over HTTP, worker models loaded) ≤ 2.5 × "
    "the plain PyAV transcode of the same clip",
    "copy": "0 banned phrases left, ≥ 95 % of lines parse no worse than their source "
    "(link-parser), ≥ 90 % keep ≥ 50 % of their content words, 100 % visibly changed",
}
ROOT = Path(__file__).resolve().parent.parent


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores ({cpu}), "
        f"{mem_gib:.0f} GiB RAM, Python {platform.python_version()}"
    )


def _git_rev() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def run_one(name: str) -> dict[str, Any]:
    start = time.perf_counter()
    try:
        figures = importlib.import_module(f"benchmarks.bench_{name.replace('-', '_')}").main()
        status = "ok"
    except Exception as exc:  # noqa: BLE001 - a failed benchmark is reported, not fatal
        traceback.print_exc()
        figures, status = {"error": f"{type(exc).__name__}: {exc}"}, "failed"
    return {"status": status, "seconds": round(time.perf_counter() - start, 1), "figures": figures}


KNOBS = ("REMIXER_BENCH_", "REMIXER_FACES_REAL_", "REMIXER_OVERLAYS_REAL_", "REMIXER_FOOTAGE")
"""Environment variables that change what a benchmark measures: recorded with its command."""


def _measured_line(names: list[str]) -> str:
    command = "make bench" if names == ORDER else f"python -m benchmarks.run_all {' '.join(names)}"
    knobs = " ".join(f"{k}={v}" for k, v in sorted(os.environ.items()) if k.startswith(KNOBS))
    command = f"{knobs} {command}" if knobs else command
    load = os.getloadavg()[0]
    return (
        f"Measured {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')} at commit {_git_rev()} "
        f"with `{command}` (1-minute load average at the end: {load:.1f})."
    )


def render_section(name: str, result: dict[str, Any], measured: str) -> str:
    lines = [
        f"## {name}",
        "",
        measured,
        "",
        f"Target: {TARGETS.get(name, '-')}",
        "",
        f"Status: {result['status']} in {result['seconds']} s",
        "",
        "```json",
        json.dumps(result["figures"], indent=2, default=str),
        "```",
        "",
    ]
    return "\n".join(lines)


def _sections(text: str) -> dict[str, str]:
    """The `## name` sections of an existing BENCHMARKS.md, each with its own text."""
    found: dict[str, str] = {}
    parts = text.split("\n## ")
    for part in parts[1:]:
        name = part.split("\n", 1)[0].strip()
        found[name] = "## " + part.rstrip("\n") + "\n"
    return found


def render(sections: dict[str, str]) -> str:
    """The whole file: each section keeps the line saying when and at which commit it ran."""
    head = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`python -m benchmarks.run_all`); `python -m "
        "benchmarks.run_all NAME…` reruns some sections and keeps the others as they were.",
        "",
        f"Machine: {machine()}.",
        "",
    ]
    ordered = [n for n in ORDER if n in sections] + [n for n in sections if n not in ORDER]
    return "\n".join(head) + "\n".join(sections[n] for n in ordered)


def main(argv: list[str]) -> int:
    names = argv or ORDER
    results = {name: run_one(name) for name in names}
    measured = _measured_line(names)
    out = ROOT / "BENCHMARKS.md"
    sections = _sections(out.read_text()) if argv and out.exists() else {}
    for name, result in results.items():
        sections[name] = render_section(name, result, measured)
    out.write_text(render(sections))
    print(f"wrote {out} ({', '.join(names)})")
    return 0 if all(r["status"] == "ok" for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
