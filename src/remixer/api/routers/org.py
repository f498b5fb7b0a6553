"""Who am I, credits, ledger, and the per-key kill switch (SPEC §6.8)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from remixer.api.deps import Caller, require
from remixer.api.idempotency import Idem
from remixer.api.responses import Cursor, Limit, error_docs, json_response, stored
from remixer.api.schemas.responses import CreditEventPage, Credits, KeyKilled, WhoAmI
from remixer.domain.ids import parse_id
from remixer.services import orgs

router = APIRouter(prefix="/v1", tags=["organization"])


@router.get("/whoami", response_model=WhoAmI, responses=error_docs())
def whoami(caller: Annotated[Caller, Depends(require(None))]) -> Response:
    return json_response(orgs.whoami(caller.components.uow_factory, caller.principal))


@router.get("/credits", response_model=Credits, responses=error_docs())
def credits(caller: Annotated[Caller, Depends(require("credits:read"))]) -> Response:
    c = caller.components
    return json_response(orgs.credits(c.uow_factory, caller.org_id, c.settings.video_remix_credits))


@router.get("/credits/events", response_model=CreditEventPage, responses=error_docs())
def credit_events(
    caller: Annotated[Caller, Depends(require("credits:read"))],
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Response:
    return json_response(
        orgs.credit_events(caller.components.uow_factory, caller.org_id, cursor, limit)
    )


@router.post("/api-keys/{keyId}/kill", response_model=KeyKilled, responses=error_docs(404, 409))
def kill_key(
    keyId: str, caller: Annotated[Caller, Depends(require("org:admin"))], idem: Idem
) -> Response:
    key_id = parse_id(keyId, "key", "path.keyId")
    uow = caller.components.uow_factory
    return idem.run(
        uow,
        caller.principal.api_key_id,
        [key_id],
        lambda: stored(orgs.kill_key(uow, key_id, caller.org_id)),
    )
