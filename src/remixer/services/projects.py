"""Projects: create, read, list, update, archive (SPEC §6.5)."""

from __future__ import annotations

from typing import Any

from remixer.domain.errors import conflict, not_found
from remixer.domain.ids import new_uuid_id
from remixer.domain.time import now
from remixer.services.paging import decode_id_cursor, id_page
from remixer.services.views import project_view
from remixer.store.tables.projects import Project
from remixer.store.uow import UnitOfWork, UnitOfWorkFactory

_FIELDS = {
    "name": "name",
    "timezone": "timezone",
    "primaryLanguage": "primary_language",
    "brandVoice": "brand_voice",
    "brandContext": "brand_context",
    "status": "status",
}


def load_project(uow: UnitOfWork, org_id: str, project_id: str, *, active: bool = False) -> Project:
    project = uow.projects.get(org_id, project_id)
    if project is None:
        raise not_found("Project")
    if active and project.status == "archived":
        raise conflict("PROJECT_ARCHIVED", "The project is archived.")
    return project


def create_project(
    uow_factory: UnitOfWorkFactory, org_id: str, fields: dict[str, Any]
) -> dict[str, Any]:
    project = Project(id=new_uuid_id("prj"), organization_id=org_id, brand_context={})
    _apply(project, {"primaryLanguage": "en", "timezone": "UTC", **fields})
    with uow_factory() as uow:
        uow.projects.add(project)
        uow.commit()
        return project_view(project)


def _apply(project: Project, fields: dict[str, Any]) -> None:
    for wire, column in _FIELDS.items():
        if wire in fields:
            setattr(project, column, fields[wire])
    project.updated_at = now()


def get_project(uow_factory: UnitOfWorkFactory, org_id: str, project_id: str) -> dict[str, Any]:
    with uow_factory() as uow:
        return project_view(load_project(uow, org_id, project_id))


def list_projects(
    uow_factory: UnitOfWorkFactory, org_id: str, cursor: str | None, limit: int
) -> dict[str, Any]:
    with uow_factory() as uow:
        rows = uow.projects.list(org_id, decode_id_cursor(cursor), limit + 1)
        return id_page(rows, limit, project_view)


def update_project(
    uow_factory: UnitOfWorkFactory, org_id: str, project_id: str, fields: dict[str, Any]
) -> dict[str, Any]:
    with uow_factory() as uow:
        project = load_project(uow, org_id, project_id)
        if "brandContext" in fields:
            fields = {**fields, "brandContext": {**project.brand_context, **fields["brandContext"]}}
        _apply(project, fields)
        uow.commit()
        return project_view(project)


def archive_project(uow_factory: UnitOfWorkFactory, org_id: str, project_id: str) -> dict[str, Any]:
    return update_project(uow_factory, org_id, project_id, {"status": "archived"})


def check_project(uow_factory: UnitOfWorkFactory, org_id: str, project_id: str) -> None:
    """404 unless the project exists in this organization (archived ones included)."""
    with uow_factory() as uow:
        load_project(uow, org_id, project_id)
