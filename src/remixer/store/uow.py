"""Unit of work: one session, one transaction, the repositories that share it.

Services do `with uow_factory() as uow: ...; uow.commit()`; leaving the block
without commit rolls back.
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from remixer.store.engine import transaction_lock
from remixer.store.repositories.accounts import AccountRepository
from remixer.store.repositories.content import ContentRepository
from remixer.store.repositories.influencers import InfluencerRepository
from remixer.store.repositories.ledger import LedgerRepository
from remixer.store.repositories.projects import ProjectRepository

if TYPE_CHECKING:
    from remixer.store.repositories.catalog import CatalogRepository


class UnitOfWork:
    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._session_factory = session_factory
        self._session: Session | None = None
        bind = session_factory.kw.get("bind")
        self._lock = transaction_lock(bind) if isinstance(bind, Engine) else None

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("unit of work used outside its `with` block")
        return self._session

    def __enter__(self) -> UnitOfWork:
        if self._lock is not None:
            self._lock.acquire()
        session = self._session_factory()
        self._session = session
        self.accounts = AccountRepository(session)
        self.projects = ProjectRepository(session)
        self.influencers = InfluencerRepository(session)
        self.content = ContentRepository(session)
        self.ledger = LedgerRepository(session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # close() rolls back anything uncommitted without expiring loaded objects,
        # so views can still be built from them after the block.
        session = self.session
        self._session = None
        try:
            session.close()
        finally:
            if self._lock is not None:
                self._lock.release()

    def commit(self) -> None:
        self.session.commit()

    def flush(self) -> None:
        self.session.flush()

    @property
    def catalog(self) -> CatalogRepository:
        from remixer.store.repositories.catalog import CatalogRepository

        return CatalogRepository(self.session)


UnitOfWorkFactory = Callable[[], UnitOfWork]


def uow_on(conn: Connection) -> UnitOfWork:
    """A unit of work inside a transaction the caller already holds on `conn` (its session
    works in a savepoint, so leaving the block never ends the caller's transaction)."""
    return UnitOfWork(sessionmaker(bind=conn, join_transaction_mode="create_savepoint"))
