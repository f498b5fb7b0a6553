"""Social accounts and layers: the wiring chain (SPEC §6.7)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from remixer.api.deps import Caller, json_body, require
from remixer.api.idempotency import Idem
from remixer.api.paths import path_check
from remixer.api.responses import Cursor, Limit, body_docs, error_docs, json_response, stored
from remixer.api.schemas.requests import (
    LayerCreate,
    LayerUpdate,
    SocialAccountCreate,
    SocialAccountUpdate,
)
from remixer.api.schemas.responses import Layer, LayerPage, SocialAccount, SocialAccountPage
from remixer.domain.errors import ErrorCode, RemixerError
from remixer.domain.ids import parse_id
from remixer.services import wiring

router = APIRouter(prefix="/v1/projects/{projectId}", tags=["social"])
SocialWrite = Annotated[Caller, Depends(require("social:write"))]
SocialRead = Annotated[Caller, Depends(require("social:read"))]
LayerWrite = Annotated[Caller, Depends(require("projects:write"))]
LayerRead = Annotated[Caller, Depends(require("projects:read"))]
SocialPath = Annotated[None, Depends(path_check(SocialWrite))]
LayerPath = Annotated[None, Depends(path_check(LayerWrite))]

CONFIG_KEYS = {
    "social_distribution": {"socialAccountId": "sa", "contentLayerId": "lyr"},
    "social_content": {"customInfluencerId": "inf"},
}


def _pid(project_id: str) -> str:
    return parse_id(project_id, "prj", "path.projectId")


def _config(template: str, config: dict[str, str | None]) -> dict[str, str | None]:
    allowed = CONFIG_KEYS[template]
    issues = [
        {"path": f"body.config.{k}", "message": f"not a {template} setting"}
        for k in config
        if k not in allowed
    ]
    if issues:
        raise RemixerError(ErrorCode.VALIDATION, "The layer config is invalid.", {"issues": issues})
    return {
        k: (parse_id(v, allowed[k], f"body.config.{k}") if v is not None else None)
        for k, v in config.items()
    }


@router.post(
    "/social-accounts",
    status_code=201,
    response_model=SocialAccount,
    responses=error_docs(404, 409, 415),
    openapi_extra=body_docs(SocialAccountCreate),
)
def create_account(
    projectId: str,
    caller: SocialWrite,
    _path: SocialPath,
    idem: Idem,
    body: Annotated[SocialAccountCreate, Depends(json_body(SocialAccountCreate))],
) -> Response:
    pid, uow = _pid(projectId), caller.components.uow_factory
    return idem.run(
        uow,
        caller.principal.api_key_id,
        [pid],
        lambda: stored(
            wiring.create_account(uow, caller.org_id, pid, body.platform, body.handle), 201
        ),
    )


@router.get("/social-accounts", response_model=SocialAccountPage, responses=error_docs(404))
def list_accounts(
    projectId: str, caller: SocialRead, limit: Limit = 20, cursor: Cursor = None
) -> Response:
    return json_response(
        wiring.list_accounts(
            caller.components.uow_factory, caller.org_id, _pid(projectId), cursor, limit
        )
    )


@router.get("/social-accounts/{accountId}", response_model=SocialAccount, responses=error_docs(404))
def get_account(projectId: str, accountId: str, caller: SocialRead) -> Response:
    pid, aid = _pid(projectId), parse_id(accountId, "sa", "path.accountId")
    return json_response(wiring.get_account(caller.components.uow_factory, caller.org_id, pid, aid))


@router.patch(
    "/social-accounts/{accountId}",
    response_model=SocialAccount,
    responses=error_docs(404, 409, 415),
    openapi_extra=body_docs(SocialAccountUpdate),
)
def update_account(
    projectId: str,
    accountId: str,
    caller: SocialWrite,
    _path: SocialPath,
    idem: Idem,
    body: Annotated[SocialAccountUpdate, Depends(json_body(SocialAccountUpdate))],
) -> Response:
    pid, aid = _pid(projectId), parse_id(accountId, "sa", "path.accountId")
    uow = caller.components.uow_factory
    return idem.run(
        uow,
        caller.principal.api_key_id,
        [pid, aid],
        lambda: stored(wiring.update_account(uow, caller.org_id, pid, aid, body.status)),
    )


@router.delete("/social-accounts/{accountId}", status_code=204, responses=error_docs(404))
def delete_account(projectId: str, accountId: str, caller: SocialWrite) -> Response:
    pid, aid = _pid(projectId), parse_id(accountId, "sa", "path.accountId")
    wiring.delete_account(caller.components.uow_factory, caller.org_id, pid, aid)
    return Response(status_code=204)


@router.post(
    "/layers",
    status_code=201,
    response_model=Layer,
    responses=error_docs(404, 409, 415),
    openapi_extra=body_docs(LayerCreate),
)
def create_layer(
    projectId: str,
    caller: LayerWrite,
    _path: LayerPath,
    idem: Idem,
    body: Annotated[LayerCreate, Depends(json_body(LayerCreate))],
) -> Response:
    pid, uow = _pid(projectId), caller.components.uow_factory
    config = _config(body.template, body.config)
    return idem.run(
        uow,
        caller.principal.api_key_id,
        [pid],
        lambda: stored(
            wiring.create_layer(uow, caller.org_id, pid, body.template, config, body.isActive), 201
        ),
    )


@router.get("/layers", response_model=LayerPage, responses=error_docs(404))
def list_layers(
    projectId: str, caller: LayerRead, limit: Limit = 20, cursor: Cursor = None
) -> Response:
    return json_response(
        wiring.list_layers(
            caller.components.uow_factory, caller.org_id, _pid(projectId), cursor, limit
        )
    )


@router.get("/layers/{layerId}", response_model=Layer, responses=error_docs(404))
def get_layer(projectId: str, layerId: str, caller: LayerRead) -> Response:
    pid, lid = _pid(projectId), parse_id(layerId, "lyr", "path.layerId")
    return json_response(wiring.get_layer(caller.components.uow_factory, caller.org_id, pid, lid))


@router.patch(
    "/layers/{layerId}",
    response_model=Layer,
    responses=error_docs(404, 409, 415),
    openapi_extra=body_docs(LayerUpdate),
)
def update_layer(
    projectId: str,
    layerId: str,
    caller: LayerWrite,
    _path: LayerPath,
    idem: Idem,
    body: Annotated[LayerUpdate, Depends(json_body(LayerUpdate))],
) -> Response:
    pid, lid = _pid(projectId), parse_id(layerId, "lyr", "path.layerId")
    uow = caller.components.uow_factory
    fields: dict[str, object] = {}
    if body.isActive is not None:
        fields["isActive"] = body.isActive
    if body.config is not None:
        layer = wiring.get_layer(uow, caller.org_id, pid, lid)
        fields["config"] = _config(layer["template"], body.config)
    return idem.run(
        uow,
        caller.principal.api_key_id,
        [pid, lid],
        lambda: stored(wiring.update_layer(uow, caller.org_id, pid, lid, fields)),
    )


@router.delete("/layers/{layerId}", status_code=204, responses=error_docs(404))
def delete_layer(projectId: str, layerId: str, caller: LayerWrite) -> Response:
    pid, lid = _pid(projectId), parse_id(layerId, "lyr", "path.layerId")
    wiring.delete_layer(caller.components.uow_factory, caller.org_id, pid, lid)
    return Response(status_code=204)
