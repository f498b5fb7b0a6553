"""The composition root: settings → engine, unit of work, blob store, signer, sources, scheduler.

Everything with a side effect on the world is built here once and handed to the
drivers (`api`, `cli`, the worker). Nothing else constructs adapters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from remixer.blobs.factory import build_blob_store
from remixer.blobs.signing import UrlSigner
from remixer.blobs.store import BlobStore
from remixer.blobs.urls import MediaUrls
from remixer.config import Settings
from remixer.services.auth import KeyLookup
from remixer.services.ports import JobScheduler, SourceResolver
from remixer.services.sources import is_resolvable
from remixer.sources.providers import SourceProvider, build_source_providers
from remixer.store import hotpath
from remixer.store.batching import TransactionBatcher
from remixer.store.engine import make_engine, make_session_factory
from remixer.store.migrations import upgrade_to_head
from remixer.store.uow import UnitOfWork, UnitOfWorkFactory

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker


@dataclass
class CatalogSourceResolver:
    uow_factory: UnitOfWorkFactory
    providers: list[SourceProvider]

    def is_resolvable(self, tiktok_id: str) -> bool:
        return is_resolvable(self.uow_factory, self.providers, tiktok_id)


@dataclass
class Components:
    settings: Settings
    engine: Engine
    reader: Engine
    session_factory: sessionmaker[Session]
    blobs: BlobStore
    signer: UrlSigner
    providers: list[SourceProvider]
    scheduler: JobScheduler
    sources: SourceResolver = field(init=False)
    batcher: TransactionBatcher = field(init=False)
    key_lookup: KeyLookup = field(init=False)

    def __post_init__(self) -> None:
        self.sources = CatalogSourceResolver(self.uow_factory, self.providers)
        self.batcher = TransactionBatcher(self.engine)
        self.key_lookup = hotpath.engine_key_lookup(self.reader)

    def uow_factory(self) -> UnitOfWork:
        return UnitOfWork(self.session_factory)


def build_components(
    settings: Settings, scheduler: JobScheduler | None = None, migrate: bool = True
) -> Components:
    """Wire every adapter for `settings`; runs migrations to head unless told not to."""
    url = settings.app_database_url
    if migrate:
        upgrade_to_head(url)
    engine = make_engine(url)
    reader = make_engine(url, read_only=True) if engine.dialect.name == "sqlite" else engine
    if scheduler is None:
        from remixer.workflows.scheduler import DbosJobScheduler, OutboxJobScheduler

        scheduler = OutboxJobScheduler(DbosJobScheduler(settings))
    blobs = build_blob_store(settings)
    return Components(
        settings=settings,
        engine=engine,
        reader=reader,
        session_factory=make_session_factory(engine),
        blobs=blobs,
        signer=MediaUrls(
            settings.signing_key(), settings.public_url, settings.media_url_ttl_s, blobs
        ),
        providers=build_source_providers(settings.source_providers),
        scheduler=scheduler,
    )
