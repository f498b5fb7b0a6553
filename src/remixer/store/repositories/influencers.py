"""Influencers and uploaded media."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from remixer.store.tables.influencers import Influencer, Media


class InfluencerRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, item: Influencer | Media) -> None:
        self.session.add(item)

    def get(self, influencer_id: str) -> Influencer | None:
        return self.session.get(Influencer, influencer_id)

    def get_in_project(self, project_id: str, influencer_id: str) -> Influencer | None:
        stmt = select(Influencer).where(
            Influencer.id == influencer_id,
            Influencer.project_id == project_id,
            Influencer.deleted.is_(False),
        )
        return self.session.scalars(stmt).one_or_none()

    def list(self, project_id: str, after: str | None, limit: int) -> Sequence[Influencer]:
        stmt = select(Influencer).where(
            Influencer.project_id == project_id, Influencer.deleted.is_(False)
        )
        if after:
            stmt = stmt.where(Influencer.id > after)
        return self.session.scalars(stmt.order_by(Influencer.id).limit(limit)).all()

    def get_media(self, org_id: str, media_id: str) -> Media | None:
        stmt = select(Media).where(Media.id == media_id, Media.organization_id == org_id)
        return self.session.scalars(stmt).one_or_none()

    def media_by_id(self, media_id: str) -> Media | None:
        return self.session.get(Media, media_id)

    def media_by_ids(self, org_id: str, media_ids: Sequence[str]) -> Sequence[Media]:
        stmt = select(Media).where(Media.id.in_(media_ids), Media.organization_id == org_id)
        return self.session.scalars(stmt).all()
