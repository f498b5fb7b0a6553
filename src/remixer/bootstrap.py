"""The composition root: settings → engine, unit of work, blob store, signer, sources,
scheduler, the accept port's implementation, and the worker's `Runtime`.

Everything with a side effect on the world, and every process-wide cache or signal, is
built here once and handed to the drivers (`api`, `cli`, the worker). Nothing else
constructs adapters.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from remixer.blobs.factory import build_blob_store
from remixer.blobs.probe import MediaInspector, ProbeLimits, SandboxedInspector
from remixer.blobs.signing import UrlSigner
from remixer.blobs.store import BlobStore
from remixer.blobs.urls import MediaUrls
from remixer.config import Settings
from remixer.services.auth import KeyLookup
from remixer.services.ports import AcceptRunner, JobScheduler, SourceResolver
from remixer.services.recommendations import IndexCache
from remixer.services.sources import is_resolvable
from remixer.sources.providers import SourceProvider, build_source_providers
from remixer.store.accepts import BatchedAccepts
from remixer.store.batching import TransactionBatcher
from remixer.store.engine import make_engine, make_session_factory
from remixer.store.hotpath import KeyReads
from remixer.store.migrations import upgrade_to_head
from remixer.store.uow import UnitOfWork, UnitOfWorkFactory

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from remixer.workflows.runtime import ModelCache, Runtime


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
    session_factory: sessionmaker[Session]
    blobs: BlobStore
    signer: UrlSigner
    providers: list[SourceProvider]
    scheduler: JobScheduler
    dispatch_wakeup: threading.Event = field(default_factory=threading.Event)
    """Set by the scheduler when a job is committed; a worker in this process waits on it."""
    recommendations: IndexCache = field(default_factory=IndexCache)
    """The process's source-recommendation index, rebuilt when the catalog changes."""
    sources: SourceResolver = field(init=False)
    accepts: AcceptRunner = field(init=False)
    key_reads: KeyReads = field(init=False)
    key_lookup: KeyLookup = field(init=False)
    inspector: MediaInspector = field(default_factory=SandboxedInspector)

    def __post_init__(self) -> None:
        self.sources = CatalogSourceResolver(self.uow_factory, self.providers)
        # The accept port's implementation: group commit over Core statements.
        self.accepts = BatchedAccepts(TransactionBatcher(self.engine))
        self.key_reads = KeyReads(self.engine)  # warm page cache: see KeyReads
        self.key_lookup = self.key_reads.key

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
    wakeup = threading.Event()
    if scheduler is None:
        from remixer.workflows.scheduler import DbosJobScheduler, OutboxJobScheduler

        scheduler = OutboxJobScheduler(DbosJobScheduler(settings), wakeup)
    blobs = build_blob_store(settings)
    return Components(
        settings=settings,
        engine=engine,
        session_factory=make_session_factory(engine),
        blobs=blobs,
        signer=MediaUrls(
            settings.signing_key(), settings.public_url, settings.media_url_ttl_s, blobs
        ),
        providers=build_source_providers(settings.source_providers),
        scheduler=scheduler,
        inspector=SandboxedInspector(
            ProbeLimits(
                settings.probe_cpu_s, settings.probe_memory_mb * 1024 * 1024, settings.probe_wall_s
            )
        ),
        dispatch_wakeup=wakeup,
    )


def build_runtime(
    settings: Settings, components: Components | None = None, models: ModelCache | None = None
) -> Runtime:
    """The worker's `Runtime`: over `components` when the API runs in the same process
    (one engine, and accepts wake this worker's dispatcher), else over its own; `models`:
    a registry the start-up check already loaded into (else a fresh one)."""
    from remixer.workflows.runtime import ModelCache, Runtime

    made = components or build_components(settings, migrate=False)
    return Runtime(
        settings=settings,
        uow_factory=made.uow_factory,
        blobs=made.blobs,
        providers=made.providers,
        models=models or ModelCache(),
        dispatch_wakeup=made.dispatch_wakeup,
    )
