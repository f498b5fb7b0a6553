"""The one `Settings` object, read from `REMIXER_*` environment variables or a `.env` file.

This is the only module that reads the environment; everything else receives a
`Settings` (or the values it needs) from the composition root.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from remixer.files import private_dir, write_private

MIN_SIGNING_SECRET_BYTES = 32


class Settings(BaseSettings):
    """Every knob an operator can turn, with production-sane defaults."""

    model_config = SettingsConfigDict(
        env_prefix="REMIXER_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    data_dir: Path = Path(".remixer")
    database_url: str | None = None
    redis_url: str | None = None
    media_store: str | None = None
    # Scale-out (docs/deploy.md): S3-compatible media, blob cache, worker failover, fair caps.
    s3_endpoint_url: str | None = None
    s3_public_endpoint_url: str | None = None
    blob_cache_dir: Path | None = None
    blob_cache_max_bytes: int = Field(default=5 * 1024**3, ge=0)
    worker_heartbeat_s: float = Field(default=10.0, gt=0)
    worker_dead_after_s: float = Field(default=60.0, gt=0)
    org_job_slots: int = Field(default=2, ge=1)
    public_url: str = "http://127.0.0.1:8080"
    signing_secret: SecretStr = SecretStr("")
    media_url_ttl_s: int = Field(default=24 * 3600, ge=60)

    sources: str = "catalog"
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: SecretStr | None = None
    llm_timeout_s: float = Field(default=60.0, gt=0)
    faceswap_model: Path | None = None
    face_embedder_model: Path | None = None

    video_remix_credits: int = Field(default=120, ge=0)
    max_image_bytes: int = 20 * 1024 * 1024
    max_image_pixels: int = 40_000_000
    max_video_bytes: int = 200 * 1024 * 1024
    max_video_seconds: float = 180.0
    max_json_body_bytes: int = 1024 * 1024
    probe_cpu_s: int = Field(default=10, ge=1)
    probe_memory_mb: int = Field(default=1024, ge=64)
    probe_wall_s: float = Field(default=20.0, gt=0)

    worker_concurrency: int = Field(default=1, ge=1)
    executor_id: str | None = None
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    log_format: Literal["json", "text"] | None = None

    webhook_allow_loopback: bool = False
    # Wait before each delivery attempt (SPEC §6.10); JSON list in the environment.
    webhook_retry_schedule_s: tuple[float, ...] = Field(
        default=(0, 30, 60, 300, 900, 3600, 21600, 86400), min_length=1
    )
    webhook_timeout_s: float = Field(default=10.0, gt=0)

    @field_validator("signing_secret")
    @classmethod
    def _long_enough(cls, value: SecretStr) -> SecretStr:
        """An operator-set secret shorter than 32 bytes is refused at start-up (unset is fine:
        a random per-install key is generated)."""
        secret = value.get_secret_value()
        if secret and len(secret.encode()) < MIN_SIGNING_SECRET_BYTES:
            raise ValueError(
                f"REMIXER_SIGNING_SECRET must be at least {MIN_SIGNING_SECRET_BYTES} bytes"
            )
        return value

    @cached_property
    def resolved_data_dir(self) -> Path:
        """The data dir, created (or narrowed) to mode 0700."""
        return private_dir(self.data_dir.expanduser().resolve())

    @property
    def app_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.resolved_data_dir / 'remixer.sqlite3'}"

    @property
    def media_dir(self) -> Path:
        if self.media_store and not self.media_store.startswith("s3://"):
            return Path(self.media_store).expanduser().resolve()
        return self.resolved_data_dir / "media"

    @property
    def source_providers(self) -> list[str]:
        return [p.strip() for p in self.sources.split(",") if p.strip()]

    def signing_key(self) -> bytes:
        """The HMAC key for media URLs; a stable per-install key is created when unset."""
        secret = self.signing_secret.get_secret_value()
        if secret:
            return secret.encode()
        key_file = self.resolved_data_dir / "signing.key"
        if not key_file.exists():
            import secrets

            write_private(key_file, secrets.token_hex(32).encode())
        return key_file.read_text().strip().encode()
