"""Request-scoped dependencies: components, the authenticated caller, scope and rate checks,
and JSON bodies parsed after those checks (so auth errors always win over body errors)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from pydantic import BaseModel

from remixer.api.bodies import parse_json_model
from remixer.api.ratelimit import ANONYMOUS_TIER, RateLimiter
from remixer.bootstrap import Components
from remixer.domain.errors import RemixerError
from remixer.domain.principal import Principal
from remixer.services.auth import KeyLookup, authenticate, require_scope

M = TypeVar("M", bound=BaseModel)


def components_of(request: Request) -> Components:
    components: Components = request.app.state.components
    return components


async def get_components(request: Request) -> Components:
    """Dependency form of `components_of` (async, so FastAPI runs it without a thread hop)."""
    return components_of(request)


def get_limiter(request: Request) -> RateLimiter:
    limiter: RateLimiter = request.app.state.limiter
    return limiter


ComponentsDep = Annotated[Components, Depends(get_components)]


def endpoint_class(method: str, long_running: bool) -> str:
    if long_running:
        return "long-running"
    return "read" if method in ("GET", "HEAD") else "write"


def client_identity(request: Request) -> str:
    return f"ip:{request.client.host if request.client else 'unknown'}"


@dataclass(frozen=True)
class Caller:
    principal: Principal
    components: Components

    @property
    def org_id(self) -> str:
        return self.principal.organization_id


def authorize(
    request: Request,
    components: Components,
    scope: str | None,
    cls: str,
    lookup: KeyLookup | None = None,
) -> Principal:
    """auth → scope → rate limit, in the SPEC's order, for every authenticated route.

    `lookup` replaces the components' key lookup (video-remix reads the path's project
    with the key). A caller without a valid key is counted per client address.
    """
    limiter = get_limiter(request)
    state = request.scope["state"]
    header = request.headers.get("authorization")
    try:
        principal = authenticate(lookup or components.key_lookup, header)
    except RemixerError:
        anonymous = limiter.hit(ANONYMOUS_TIER, cls, client_identity(request))
        state["rate_headers"] = anonymous.headers()
        raise
    state["organization_id"] = principal.organization_id
    require_scope(principal, scope)
    decision = limiter.hit(principal.rate_limit_tier, cls, principal.api_key_id)
    state["rate_headers"] = decision.headers()
    return principal


def require(scope: str | None, long_running: bool = False) -> Callable[..., Awaitable[Caller]]:
    """The `authorize` dependency for `scope`.

    Runs on the event loop: the key lookup is one primary-key read, and skipping the
    thread-pool hop measurably raises accept throughput (BENCHMARKS.md, api).
    """

    async def dependency(request: Request, components: ComponentsDep) -> Caller:
        cls = endpoint_class(request.method, long_running)
        return Caller(authorize(request, components, scope, cls), components)

    return dependency


def json_body(model: type[M]) -> Callable[[Request], Awaitable[M]]:
    """The body as `model`; a dependency listed after the route's `require`."""

    async def dependency(request: Request) -> M:
        content_type = request.headers.get("content-type", "")
        return parse_json_model(model, await request.body(), content_type)

    return dependency
