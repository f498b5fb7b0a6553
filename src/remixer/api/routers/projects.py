"""Projects (SPEC §6.5)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from remixer.api.deps import Caller, json_body, require
from remixer.api.idempotency import Idem
from remixer.api.paths import path_check
from remixer.api.responses import Cursor, Limit, body_docs, error_docs, json_response, stored
from remixer.api.schemas.requests import ProjectCreate, ProjectUpdate
from remixer.api.schemas.responses import Project, ProjectPage
from remixer.domain.ids import parse_id
from remixer.services import projects

router = APIRouter(prefix="/v1/projects", tags=["projects"])
Write = Annotated[Caller, Depends(require("projects:write"))]
Read = Annotated[Caller, Depends(require("projects:read"))]
WritePath = Annotated[None, Depends(path_check(Write))]


@router.post(
    "",
    status_code=201,
    response_model=Project,
    responses=error_docs(409, 415),
    openapi_extra=body_docs(ProjectCreate),
)
def create_project(
    caller: Write, idem: Idem, body: Annotated[ProjectCreate, Depends(json_body(ProjectCreate))]
) -> Response:
    uow = caller.components.uow_factory
    fields = body.model_dump(exclude_none=True)
    return idem.run(
        uow,
        caller.principal.api_key_id,
        [],
        lambda: stored(projects.create_project(uow, caller.org_id, fields), 201),
    )


@router.get("", response_model=ProjectPage, responses=error_docs())
def list_projects(caller: Read, limit: Limit = 20, cursor: Cursor = None) -> Response:
    return json_response(
        projects.list_projects(caller.components.uow_factory, caller.org_id, cursor, limit)
    )


@router.get("/{projectId}", response_model=Project, responses=error_docs(404))
def get_project(projectId: str, caller: Read) -> Response:
    pid = parse_id(projectId, "prj", "path.projectId")
    return json_response(projects.get_project(caller.components.uow_factory, caller.org_id, pid))


@router.patch(
    "/{projectId}",
    response_model=Project,
    responses=error_docs(404, 409, 415),
    openapi_extra=body_docs(ProjectUpdate),
)
def update_project(
    projectId: str,
    caller: Write,
    _path: WritePath,
    idem: Idem,
    body: Annotated[ProjectUpdate, Depends(json_body(ProjectUpdate))],
) -> Response:
    pid = parse_id(projectId, "prj", "path.projectId")
    uow = caller.components.uow_factory
    fields = {
        k: v
        for k, v in body.model_dump(exclude_unset=True).items()
        if v is not None or k == "brandVoice"
    }
    return idem.run(
        uow,
        caller.principal.api_key_id,
        [pid],
        lambda: stored(projects.update_project(uow, caller.org_id, pid, fields)),
    )


@router.delete("/{projectId}", response_model=Project, responses=error_docs(404))
def archive_project(projectId: str, caller: Write) -> Response:
    pid = parse_id(projectId, "prj", "path.projectId")
    return json_response(
        projects.archive_project(caller.components.uow_factory, caller.org_id, pid)
    )
