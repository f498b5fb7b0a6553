"""Signed, expiring media URLs (SPEC §6.9): `/v1/media/<id>?exp=<unix>&sig=<hex>`."""

from __future__ import annotations

import hashlib
import hmac
import time


class UrlSigner:
    def __init__(self, key: bytes, public_url: str, ttl_s: int) -> None:
        self._key = key
        self._base = public_url.rstrip("/")
        self._ttl_s = ttl_s

    def _sig(self, media_id: str, exp: int) -> str:
        msg = f"{media_id}:{exp}".encode()
        return hmac.new(self._key, msg, hashlib.sha256).hexdigest()

    def url_for(self, media_id: str, now_s: float | None = None) -> str:
        exp = int((now_s if now_s is not None else time.time()) + self._ttl_s)
        return f"{self._base}/v1/media/{media_id}?exp={exp}&sig={self._sig(media_id, exp)}"

    def verify(self, media_id: str, exp: str | None, sig: str | None) -> bool:
        if not exp or not sig or not exp.isdigit():
            return False
        if int(exp) < time.time():
            return False
        return hmac.compare_digest(self._sig(media_id, int(exp)), sig)
