"""Projects, layers and social accounts, always scoped to their organization."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from remixer.store.tables.projects import Layer, Project, SocialAccount


class ProjectRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, item: Project | Layer | SocialAccount) -> None:
        self.session.add(item)

    def get(self, org_id: str, project_id: str) -> Project | None:
        stmt = select(Project).where(Project.id == project_id, Project.organization_id == org_id)
        return self.session.scalars(stmt).one_or_none()

    def list(self, org_id: str, after: str | None, limit: int) -> Sequence[Project]:
        stmt = select(Project).where(Project.organization_id == org_id)
        if after:
            stmt = stmt.where(Project.id > after)
        return self.session.scalars(stmt.order_by(Project.id).limit(limit)).all()

    def get_layer(self, project_id: str, layer_id: str) -> Layer | None:
        stmt = select(Layer).where(Layer.id == layer_id, Layer.project_id == project_id)
        return self.session.scalars(stmt).one_or_none()

    def list_layers(self, project_id: str, after: str | None, limit: int) -> Sequence[Layer]:
        stmt = select(Layer).where(Layer.project_id == project_id)
        if after:
            stmt = stmt.where(Layer.id > after)
        return self.session.scalars(stmt.order_by(Layer.id).limit(limit)).all()

    def layers_of_template(self, project_id: str, template: str) -> Sequence[Layer]:
        stmt = select(Layer).where(Layer.project_id == project_id, Layer.template == template)
        return self.session.scalars(stmt.order_by(Layer.created_at, Layer.id)).all()

    def delete_layer(self, layer: Layer) -> None:
        self.session.delete(layer)

    def get_account(self, project_id: str, account_id: str) -> SocialAccount | None:
        stmt = select(SocialAccount).where(
            SocialAccount.id == account_id, SocialAccount.project_id == project_id
        )
        return self.session.scalars(stmt).one_or_none()

    def list_accounts(
        self, project_id: str, after: str | None, limit: int
    ) -> Sequence[SocialAccount]:
        stmt = select(SocialAccount).where(SocialAccount.project_id == project_id)
        if after:
            stmt = stmt.where(SocialAccount.id > after)
        return self.session.scalars(stmt.order_by(SocialAccount.id).limit(limit)).all()

    def delete_account(self, account: SocialAccount, layer_ids: Sequence[str]) -> None:
        if layer_ids:
            self.session.execute(delete(Layer).where(Layer.id.in_(layer_ids)))
        self.session.delete(account)
