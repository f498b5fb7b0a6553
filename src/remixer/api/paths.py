"""Path checks that run after authentication and before any body is read or parsed.

`Depends(path_check(Auth))` is a dependency that shares the route's own auth dependency (so
auth, scope and rate limit run once, first), then checks the shape of every id in the
path (`422 VALIDATION`), then that the project, or the influencer, exists in the
caller's organization (`404 NOT_FOUND`). Declared before the route's body dependency,
it makes those answers win over any body error, and no body of a request for someone
else's project is ever parsed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, get_args

from fastapi import Depends, Request

from remixer.api.deps import Caller
from remixer.domain.ids import parse_id
from remixer.services import influencers, projects

PREFIXES = {
    "projectId": "prj",
    "accountId": "sa",
    "layerId": "lyr",
    "influencerId": "inf",
    "jobId": "job",
    "keyId": "key",
    "containerId": "cnt",
}


def _auth_dependency(caller_alias: Any) -> Callable[..., Any]:
    """The dependency callable inside `Annotated[Caller, Depends(require(...))]`."""
    depends = get_args(caller_alias)[1]
    dependency: Callable[..., Any] = depends.dependency
    return dependency


def path_check(caller_alias: Any) -> Callable[..., None]:
    """A dependency checking the path after `caller_alias`'s auth (which it shares)."""
    auth = _auth_dependency(caller_alias)

    def dependency(request: Request, caller: Caller = Depends(auth)) -> None:
        ids = {
            name: parse_id(str(value), PREFIXES[name], f"path.{name}")
            for name, value in request.path_params.items()
            if name in PREFIXES
        }
        uow_factory = caller.components.uow_factory
        if "projectId" in ids:
            projects.check_project(uow_factory, caller.org_id, ids["projectId"])
        elif "influencerId" in ids:
            influencers.get_influencer(uow_factory, caller.org_id, ids["influencerId"])

    return dependency
