"""Signed, expiring media URLs (SPEC §6.9): `/v1/media/<id>?exp=<unix>&sig=<hex>[&k=<key>]`.

A URL handed out in answer to an API call also names the key that asked (`k`, inside
the signature), so killing that key, or suspending its organization, stops its URLs at
once; URLs minted with no key (webhooks, the CLI) carry no `k`.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from urllib.parse import quote

MAX_EXP_DIGITS = 12
_SIG_RE = re.compile(r"[0-9a-f]{64}")


class UrlSigner:
    def __init__(self, key: bytes, public_url: str, ttl_s: int) -> None:
        self._key = key
        self._base = public_url.rstrip("/")
        self._ttl_s = ttl_s

    def _sig(self, media_id: str, exp: int, key_id: str | None) -> str:
        text = f"{media_id}:{exp}" if key_id is None else f"{media_id}:{exp}:{key_id}"
        msg = text.encode("utf-8", "surrogatepass")
        return hmac.new(self._key, msg, hashlib.sha256).hexdigest()

    def url_for(self, media_id: str, now_s: float | None = None, key_id: str | None = None) -> str:
        exp = int((now_s if now_s is not None else time.time()) + self._ttl_s)
        url = f"{self._base}/v1/media/{media_id}?exp={exp}&sig={self._sig(media_id, exp, key_id)}"
        return url if key_id is None else f"{url}&k={quote(key_id, safe='')}"

    def for_key(self, key_id: str) -> UrlSigner:
        """This signer, minting URLs bound to `key_id` (revoked with the key)."""
        return KeyedSigner(self, key_id)

    def verify(
        self,
        media_id: str,
        exp: str | None,
        sig: str | None,
        now_s: float | None = None,
        key_id: str | None = None,
    ) -> bool:
        """True only for an unexpired signature this signer made; total over any strings.

        `exp` must be ASCII digits (at most 12: `"²".isdigit()` is true, `int("²")` fails)
        and `sig` 64 lower-case hex digits, so nothing reaches `int` or `compare_digest`
        that either could raise on.
        """
        if not exp or not sig or len(exp) > MAX_EXP_DIGITS:
            return False
        if not (exp.isascii() and exp.isdigit()) or _SIG_RE.fullmatch(sig) is None:
            return False
        expires = int(exp)
        if expires < (now_s if now_s is not None else time.time()):
            return False
        return hmac.compare_digest(self._sig(media_id, expires, key_id).encode(), sig.encode())


class KeyedSigner(UrlSigner):
    """A `UrlSigner` whose URLs name one API key."""

    def __init__(self, base: UrlSigner, key_id: str) -> None:
        super().__init__(base._key, base._base, base._ttl_s)
        self.key_id = key_id

    def url_for(self, media_id: str, now_s: float | None = None, key_id: str | None = None) -> str:
        return super().url_for(media_id, now_s, key_id if key_id is not None else self.key_id)
