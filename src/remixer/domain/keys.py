"""API key format `lp_<env>_<keyid>_<secret>`: minting, parsing and hashing."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import uuid
from dataclasses import dataclass

KEY_RE = re.compile(r"lp_(live|test)_([0-9a-f]{32})_([A-Za-z0-9]{32,64})")


@dataclass(frozen=True)
class ParsedKey:
    env: str
    key_id: str
    secret: str


def mint_key(env: str) -> tuple[str, str, str]:
    """Return (plaintext key, key id `key_<uuid>`, secret hash)."""
    key_hex = uuid.uuid4().hex
    secret = secrets.token_urlsafe(36).replace("-", "a").replace("_", "b")[:40]
    plaintext = f"lp_{env}_{key_hex}_{secret}"
    return plaintext, key_id_from_hex(key_hex), hash_secret(secret)


def key_id_from_hex(key_hex: str) -> str:
    h = key_hex
    return f"key_{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def parse_key(text: str) -> ParsedKey | None:
    match = KEY_RE.fullmatch(text)
    if not match:
        return None
    env, key_hex, secret = match.groups()
    return ParsedKey(env=env, key_id=key_id_from_hex(key_hex), secret=secret)


def hash_secret(secret: str) -> str:
    # Secrets are 200+ bits of randomness, so a fast hash is enough (no password stretching).
    return hashlib.sha256(secret.encode()).hexdigest()


def secret_matches(secret: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_secret(secret), stored_hash)
