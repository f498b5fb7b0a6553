"""The checks behind `remixer doctor`: each returns one verdict with the fix to apply.

A check never raises and never prints a secret (database URLs are shown without their
password). Optional parts (Redis, the LLM endpoint, the face-swap model) are skipped
when they are not configured.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from remixer.config import Settings

Status = Literal["OK", "FAIL", "SKIP"]
MIN_FREE_BYTES = 2 * 1024**3
CJK_FONTS = (
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"),
)


@dataclass(frozen=True)
class Verdict:
    name: str
    status: Status
    detail: str
    fix: str = ""
    required: bool = True

    @property
    def failed(self) -> bool:
        return self.status == "FAIL" and self.required


Check = Callable[[Settings], Verdict]


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - an unparsable URL is shown as its scheme only
        return url.split(":", 1)[0] + ":…"


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:160]


def database(settings: Settings) -> Verdict:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from sqlalchemy import create_engine

    from remixer.store.migrations import alembic_config

    url = settings.app_database_url
    shown = _safe_url(url)
    fix_url = "set REMIXER_DATABASE_URL to a reachable database (or unset it for SQLite)"
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        return Verdict("database", "OK", f"{shown}: new; created and migrated at first start")
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    try:
        engine = create_engine(url, pool_pre_ping=True)
        with engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
        engine.dispose()
    except Exception as exc:  # noqa: BLE001 - any driver error means "unreachable"
        return Verdict("database", "FAIL", f"{shown}: cannot connect ({_short(exc)})", fix_url)
    if current == head:
        return Verdict("database", "OK", f"{shown}: reachable, migrated (revision {head})")
    if current is None:
        detail = f"{shown}: reachable but not migrated"
    else:
        detail = f"{shown}: at revision {current}, this build needs {head}"
    return Verdict("database", "FAIL", detail, "run `remixer doctor --migrate`")


def dbos_system_database(settings: Settings) -> Verdict:
    from sqlalchemy import create_engine, inspect

    from remixer.workflows.names import system_database_url

    url = system_database_url(settings)
    shown = _safe_url(url)
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        return Verdict("dbos", "OK", f"{shown}: new; DBOS creates it at the first worker start")
    try:
        engine = create_engine(url, pool_pre_ping=True)
        with engine.connect() as conn:
            schema = None if url.startswith("sqlite") else "dbos"
            tables = set(inspect(conn).get_table_names(schema=schema))
        engine.dispose()
    except Exception as exc:  # noqa: BLE001
        return Verdict(
            "dbos",
            "FAIL",
            f"{shown}: cannot connect ({_short(exc)})",
            "DBOS shares REMIXER_DATABASE_URL's PostgreSQL (or a SQLite file in the data dir)",
        )
    if "workflow_status" in tables:
        return Verdict("dbos", "OK", f"{shown}: reachable, DBOS tables present")
    return Verdict("dbos", "OK", f"{shown}: reachable; DBOS creates its tables at worker start")


def redis(settings: Settings) -> Verdict:
    if not settings.redis_url:
        return Verdict("redis", "SKIP", "not configured (rate limits kept in process)")
    import redis as redis_lib

    try:
        client = redis_lib.Redis.from_url(settings.redis_url, socket_timeout=3)
        client.ping()
        client.close()
    except Exception as exc:  # noqa: BLE001
        return Verdict(
            "redis",
            "FAIL",
            f"cannot reach Redis ({_short(exc)})",
            "start Redis or fix REMIXER_REDIS_URL (or unset it on a single machine)",
        )
    return Verdict("redis", "OK", "reachable (PING)")


def media_store(settings: Settings) -> Verdict:
    if settings.media_store and settings.media_store.startswith("s3://"):
        return Verdict(
            "media store",
            "FAIL",
            f"{settings.media_store}: S3 stores are not supported by this build",
            "unset REMIXER_MEDIA_STORE or point it at a local folder",
        )
    folder = settings.media_dir
    probe = folder / f".doctor-{uuid.uuid4().hex}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe.write_bytes(b"ok")
        probe.unlink()
    except OSError as exc:
        return Verdict(
            "media store",
            "FAIL",
            f"{folder}: not writable ({_short(exc)})",
            "make the folder writable or set REMIXER_MEDIA_STORE / REMIXER_DATA_DIR",
        )
    return Verdict("media store", "OK", f"{folder}: writable")


def fonts_emoji(settings: Settings) -> Verdict:
    from remixer.pipeline.typeset.fonts import EMOJI_FONT, load_emoji_font

    try:
        load_emoji_font()
    except Exception as exc:  # noqa: BLE001
        return Verdict(
            "emoji font",
            "FAIL",
            f"{EMOJI_FONT}: {_short(exc)}",
            "apt-get install fonts-noto-color-emoji (make venv does it as root)",
        )
    return Verdict("emoji font", "OK", str(EMOJI_FONT))


def fonts_cjk(settings: Settings) -> Verdict:
    found = next((p for p in CJK_FONTS if p.exists()), None)
    if found is None:
        return Verdict(
            "CJK font",
            "FAIL",
            "no Chinese/Japanese/Korean font found; such copy would render as boxes",
            "apt-get install fonts-noto-cjk",
            required=False,
        )
    return Verdict("CJK font", "OK", str(found), required=False)


def ocr_model(settings: Settings) -> Verdict:
    try:
        from remixer.pipeline.overlays.ocr import load_ocr_engine

        load_ocr_engine()
    except Exception as exc:  # noqa: BLE001
        return Verdict(
            "OCR model", "FAIL", f"RapidOCR did not load ({_short(exc)})", "run `make venv`"
        )
    return Verdict("OCR model", "OK", "RapidOCR (PP-OCR) loaded")


def face_models(settings: Settings) -> Verdict:
    try:
        from remixer.pipeline.faces.models import load_face_models

        models = load_face_models()
        models.landmarker(static=True).close()
    except Exception as exc:  # noqa: BLE001
        return Verdict(
            "face models",
            "FAIL",
            f"dlib / MediaPipe did not load ({_short(exc)})",
            "run `make venv`",
        )
    return Verdict("face models", "OK", "dlib detector, aligner, embedder and FaceMesh loaded")


def faceswap_model(settings: Settings) -> Verdict:
    path = settings.faceswap_model
    if path is None:
        return Verdict("face-swap model", "SKIP", "not configured (built-in warp swapper)")
    try:
        import onnxruntime as ort

        ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    except Exception as exc:  # noqa: BLE001
        return Verdict(
            "face-swap model",
            "FAIL",
            f"{path}: {_short(exc)}",
            "point REMIXER_FACESWAP_MODEL at an inswapper-style ONNX file, or unset it",
        )
    return Verdict("face-swap model", "OK", f"{path}: loads")


def onnx_providers(settings: Settings) -> Verdict:
    try:
        import onnxruntime as ort

        providers = list(ort.get_available_providers())
    except Exception as exc:  # noqa: BLE001
        return Verdict("onnxruntime", "FAIL", _short(exc), "run `make venv`")
    if "CPUExecutionProvider" not in providers:
        return Verdict(
            "onnxruntime", "FAIL", f"providers {providers}", "reinstall onnxruntime (make venv)"
        )
    return Verdict("onnxruntime", "OK", f"{ort.__version__}, providers: {', '.join(providers)}")


def llm_endpoint(settings: Settings) -> Verdict:
    if not settings.llm_base_url:
        return Verdict("LLM endpoint", "SKIP", "not configured (offline rule-based adapter)")
    import httpx

    headers = {}
    if settings.llm_api_key is not None:
        headers["Authorization"] = f"Bearer {settings.llm_api_key.get_secret_value()}"
    url = settings.llm_base_url.rstrip("/") + "/models"
    fix = "check REMIXER_LLM_BASE_URL (an OpenAI-compatible /v1 URL) and REMIXER_LLM_API_KEY"
    try:
        resp = httpx.get(url, headers=headers, timeout=5)
    except httpx.HTTPError as exc:
        return Verdict("LLM endpoint", "FAIL", f"{settings.llm_base_url}: {_short(exc)}", fix)
    if resp.status_code >= 400:
        return Verdict("LLM endpoint", "FAIL", f"{url} answered {resp.status_code}", fix)
    model = settings.llm_model or "(no REMIXER_LLM_MODEL set)"
    return Verdict("LLM endpoint", "OK", f"{settings.llm_base_url} reachable; model {model}")


def disk_space(settings: Settings) -> Verdict:
    folder = settings.data_dir.expanduser()
    probe = folder if folder.exists() else Path(tempfile.gettempdir())
    free = shutil.disk_usage(probe).free
    detail = f"{free / 1024**3:.1f} GiB free at {probe}"
    if free < MIN_FREE_BYTES:
        return Verdict(
            "disk space", "FAIL", detail, f"free at least {MIN_FREE_BYTES // 1024**3} GiB"
        )
    return Verdict("disk space", "OK", detail)


CHECKS: tuple[Check, ...] = (
    database,
    dbos_system_database,
    redis,
    media_store,
    fonts_emoji,
    fonts_cjk,
    ocr_model,
    face_models,
    faceswap_model,
    onnx_providers,
    llm_endpoint,
    disk_space,
)


def run_check(check: Check, settings: Settings) -> Verdict:
    try:
        return check(settings)
    except Exception as exc:  # noqa: BLE001 - a broken check is a failed part, not a crash
        return Verdict(check.__name__, "FAIL", f"check crashed: {_short(exc)}")
