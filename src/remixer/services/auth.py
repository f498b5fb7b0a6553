"""Authenticate a bearer key (SPEC §2): unknown or revoked → 401, killed key or org → 503."""

from __future__ import annotations

from remixer.domain.errors import ErrorCode, RemixerError
from remixer.domain.keys import parse_key, secret_matches
from remixer.domain.principal import Principal
from remixer.domain.scopes import grants
from remixer.store.uow import UnitOfWorkFactory


def _unauthenticated(message: str = "A valid API key is required.") -> RemixerError:
    return RemixerError(ErrorCode.UNAUTHENTICATED, message)


def authenticate(uow_factory: UnitOfWorkFactory, authorization: str | None) -> Principal:
    if not authorization:
        raise _unauthenticated("Missing Authorization header.")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthenticated("Authorization must be `Bearer <key>`.")
    parsed = parse_key(token.strip())
    if parsed is None:
        raise _unauthenticated("Malformed API key.")
    with uow_factory() as uow:
        found = uow.accounts.get_key_and_org(parsed.key_id)
    if found is None:
        raise _unauthenticated()
    key, org = found
    if not secret_matches(parsed.secret, key.key_hash) or key.env != parsed.env or key.revoked:
        raise _unauthenticated()
    if key.killed:
        raise RemixerError(ErrorCode.KILL_SWITCH, "This API key is disabled.", {"scope": "key"})
    if org.suspended:
        raise RemixerError(
            ErrorCode.KILL_SWITCH, "This organization is suspended.", {"scope": "org"}
        )
    return Principal(
        api_key_id=key.id,
        organization_id=org.id,
        organization_name=org.name,
        env=key.env,
        scopes=tuple(key.scopes),
        rate_limit_tier=org.rate_limit_tier,
    )


def require_scope(principal: Principal, scope: str | None) -> None:
    if scope is not None and not grants(principal.scopes, scope):
        raise RemixerError(
            ErrorCode.FORBIDDEN_SCOPE,
            f"This API key lacks the `{scope}` scope.",
            {"required": scope},
        )
