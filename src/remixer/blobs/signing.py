"""Signed, expiring media URLs (SPEC §6.9): `/v1/media/<id>?exp=<unix>&sig=<hex>`."""

from __future__ import annotations

import hashlib
import hmac
import re
import time

MAX_EXP_DIGITS = 12
_SIG_RE = re.compile(r"[0-9a-f]{64}")


class UrlSigner:
    def __init__(self, key: bytes, public_url: str, ttl_s: int) -> None:
        self._key = key
        self._base = public_url.rstrip("/")
        self._ttl_s = ttl_s

    def _sig(self, media_id: str, exp: int) -> str:
        msg = f"{media_id}:{exp}".encode("utf-8", "surrogatepass")
        return hmac.new(self._key, msg, hashlib.sha256).hexdigest()

    def url_for(self, media_id: str, now_s: float | None = None) -> str:
        exp = int((now_s if now_s is not None else time.time()) + self._ttl_s)
        return f"{self._base}/v1/media/{media_id}?exp={exp}&sig={self._sig(media_id, exp)}"

    def verify(
        self, media_id: str, exp: str | None, sig: str | None, now_s: float | None = None
    ) -> bool:
        """True only for an unexpired signature this signer made; total over any strings.

        `exp` must be ASCII digits (at most 12: `"²".isdigit()` is true, `int("²")` fails)
        and `sig` 64 lower-case hex digits, so nothing reaches `int` or `compare_digest`
        that either could raise on.
        """
        if not exp or not sig or len(exp) > MAX_EXP_DIGITS or not (exp.isascii() and exp.isdigit()):
            return False
        if _SIG_RE.fullmatch(sig) is None:
            return False
        expires = int(exp)
        if expires < (now_s if now_s is not None else time.time()):
            return False
        return hmac.compare_digest(self._sig(media_id, expires).encode(), sig.encode())
