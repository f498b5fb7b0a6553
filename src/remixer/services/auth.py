"""Authenticate a bearer key (SPEC §2): unknown or revoked → 401, killed key or org → 503."""

from __future__ import annotations

from collections.abc import Callable

from remixer.domain.errors import ErrorCode, RemixerError
from remixer.domain.keys import parse_key, secret_matches
from remixer.domain.principal import Principal
from remixer.domain.scopes import grants
from remixer.store.hotpath import KeyRecord

KeyLookup = Callable[[str], KeyRecord | None]


def _unauthenticated(message: str = "A valid API key is required.") -> RemixerError:
    return RemixerError(ErrorCode.UNAUTHENTICATED, message)


def authenticate(lookup: KeyLookup, authorization: str | None) -> Principal:
    if not authorization:
        raise _unauthenticated("Missing Authorization header.")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthenticated("Authorization must be `Bearer <key>`.")
    parsed = parse_key(token.strip())
    if parsed is None:
        raise _unauthenticated("Malformed API key.")
    key = lookup(parsed.key_id)
    if key is None:
        raise _unauthenticated()
    if not secret_matches(parsed.secret, key.key_hash) or key.env != parsed.env or key.revoked:
        raise _unauthenticated()
    if key.killed:
        raise RemixerError(ErrorCode.KILL_SWITCH, "This API key is disabled.", {"scope": "key"})
    if key.org_suspended:
        raise RemixerError(
            ErrorCode.KILL_SWITCH, "This organization is suspended.", {"scope": "org"}
        )
    return Principal(
        api_key_id=key.key_id,
        organization_id=key.organization_id,
        organization_name=key.organization_name,
        env=key.env,
        scopes=key.scopes,
        rate_limit_tier=key.rate_limit_tier,
    )


def require_scope(principal: Principal, scope: str | None) -> None:
    if scope is not None and not grants(principal.scopes, scope):
        raise RemixerError(
            ErrorCode.FORBIDDEN_SCOPE,
            f"This API key lacks the `{scope}` scope.",
            {"required": scope},
        )
