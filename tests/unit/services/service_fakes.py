"""In-memory fakes of the ports the services use: the accept unit of work and its runner,
the ORM unit of work the wiring chain reads, and the source resolver. No database."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from types import TracebackType
from typing import Any, TypeVar

from remixer.store.accepts import KeyTakenError, NewRemix, RecordedResponse
from remixer.store.hotpath import IdempotencyRow, InfluencerRecord, ProjectRecord, RemixRead
from remixer.store.tables.influencers import Influencer
from remixer.store.tables.ledger import IdempotencyRecord
from remixer.store.tables.projects import Layer, SocialAccount

T = TypeVar("T")


@dataclass
class FakeProjects:
    accounts: dict[str, SocialAccount] = field(default_factory=dict)
    layers: dict[str, Layer] = field(default_factory=dict)

    def get_account(self, project_id: str, account_id: str) -> SocialAccount | None:
        found = self.accounts.get(account_id)
        return found if found is not None and found.project_id == project_id else None

    def get_layer(self, project_id: str, layer_id: str) -> Layer | None:
        found = self.layers.get(layer_id)
        return found if found is not None and found.project_id == project_id else None

    def layers_of_template(self, project_id: str, template: str) -> list[Layer]:
        return [
            layer
            for layer in self.layers.values()
            if layer.project_id == project_id and layer.template == template
        ]


@dataclass
class FakeInfluencers:
    rows: dict[str, Influencer] = field(default_factory=dict)

    def get_in_project(self, project_id: str, influencer_id: str) -> Influencer | None:
        found = self.rows.get(influencer_id)
        if found is None or found.project_id != project_id or found.deleted:
            return None
        return found


@dataclass
class FakeLedger:
    """Idempotency records: `committed` is what other units of work see; this unit's
    changes are pending until its commit."""

    committed: dict[str, IdempotencyRecord] = field(default_factory=dict)
    pending: dict[str, IdempotencyRecord | None] = field(default_factory=dict)

    def get_idempotency(self, scope_key: str) -> IdempotencyRecord | None:
        if scope_key in self.pending:
            return self.pending[scope_key]
        return self.committed.get(scope_key)

    def claim_idempotency(self, record: IdempotencyRecord) -> bool:
        if self.get_idempotency(record.scope_key) is not None:
            return False
        self.pending[record.scope_key] = record
        return True

    def delete_idempotency(self, scope_key: str) -> None:
        self.pending[scope_key] = None


@dataclass
class FakeUnitOfWork:
    """The ORM unit of work's repositories the services here use, in memory; leaving
    the block without `commit` drops the ledger's pending changes."""

    projects: FakeProjects = field(default_factory=FakeProjects)
    influencers: FakeInfluencers = field(default_factory=FakeInfluencers)
    ledger: FakeLedger = field(default_factory=FakeLedger)
    commits: int = 0

    def __enter__(self) -> FakeUnitOfWork:
        self.ledger.pending.clear()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.ledger.pending.clear()

    def commit(self) -> None:
        self.commits += 1
        for key, record in self.ledger.pending.items():
            if record is None:
                self.ledger.committed.pop(key, None)
            else:
                self.ledger.committed[key] = record
        self.ledger.pending.clear()


@dataclass
class FakeAcceptStore:
    """What the accept port reads and writes, in memory (shared by every unit of work)."""

    projects: dict[str, tuple[str, ProjectRecord]] = field(default_factory=dict)
    influencers: dict[str, tuple[str, InfluencerRecord]] = field(default_factory=dict)
    catalog: set[str] = field(default_factory=set)
    available: dict[str, int] = field(default_factory=dict)
    reserved: dict[str, int] = field(default_factory=dict)
    running: dict[str, int] = field(default_factory=dict)
    running_sandbox: dict[str, int] = field(default_factory=dict)
    remixes: list[NewRemix] = field(default_factory=list)
    records: dict[str, IdempotencyRow] = field(default_factory=dict)
    orm: FakeUnitOfWork = field(default_factory=FakeUnitOfWork)
    taken_by_others: set[str] = field(default_factory=set)
    running_counted: int = 0


class FakeAcceptUnitOfWork:
    """The `AcceptUnitOfWork` port over a `FakeAcceptStore`: writes are staged and only
    reach the store on `commit` (what the batcher does after a unit returns)."""

    def __init__(self, store: FakeAcceptStore) -> None:
        self.store = store
        self.staged: list[Callable[[], None]] = []

    def remix_read(
        self, org_id: str, project_id: str, influencer_id: str | None, tiktok_id: str
    ) -> RemixRead | None:
        owned = self.store.projects.get(project_id)
        if owned is None or owned[0] != org_id:
            return None
        named = self.store.influencers.get(influencer_id or "")
        influencer = named[1] if named is not None and named[0] == project_id else None
        return RemixRead(owned[1], influencer, tiktok_id in self.store.catalog)

    def wiring(self) -> Any:
        return self.store.orm

    def idempotency_record(self, scope_key: str) -> IdempotencyRow | None:
        return self.store.records.get(scope_key)

    def forget_idempotency(self, scope_key: str) -> None:
        self.staged.append(lambda: self.store.records.pop(scope_key, None) and None)

    def store_response(
        self,
        scope_key: str,
        body_hash: str,
        response: RecordedResponse,
        created_at: datetime,
        expires_at: datetime,
    ) -> None:
        if scope_key in self.store.taken_by_others:
            self.store.taken_by_others.discard(scope_key)
            self.store.records[scope_key] = IdempotencyRow(
                body_hash, "completed", 202, b'{"other":true}', "{}", created_at, expires_at
            )
            raise KeyTakenError(scope_key)
        row = IdempotencyRow(
            body_hash,
            "completed",
            response.status_code,
            response.body,
            _headers(response.headers),
            created_at,
            expires_at,
        )
        self.staged.append(lambda: self.store.records.__setitem__(scope_key, row))

    def running_jobs(self, org_id: str) -> int:
        self.store.running_counted += 1
        return self.store.running.get(org_id, 0)

    def running_sandbox_jobs(self, org_id: str) -> int:
        return self.store.running_sandbox.get(org_id, 0)

    def available_credits(self, org_id: str) -> int:
        return self.store.available.get(org_id, 0)

    def reserve_credits(self, org_id: str, credits: int, remaining: int) -> None:
        def apply() -> None:
            self.store.available[org_id] = remaining
            self.store.reserved[org_id] = self.store.reserved.get(org_id, 0) + credits

        self.staged.append(apply)

    def add_remix(self, remix: NewRemix) -> None:
        def apply() -> None:
            self.store.remixes.append(remix)
            org = remix.organization_id
            self.store.running[org] = self.store.running.get(org, 0) + 1

        self.staged.append(apply)

    def commit(self) -> None:
        for write in self.staged:
            write()
        self.staged.clear()


def _headers(headers: dict[str, str]) -> str:
    import json

    return json.dumps(headers)


@dataclass
class FakeAcceptRunner:
    """The `AcceptRunner` port: each unit in its own fake transaction, committed after it
    returns (a raised exception commits nothing)."""

    store: FakeAcceptStore
    runs: int = 0

    async def run(self, work: Callable[[FakeAcceptUnitOfWork], T]) -> T:
        self.runs += 1
        uow = FakeAcceptUnitOfWork(self.store)
        result = work(uow)
        uow.commit()
        return result


@dataclass
class FakeSources:
    """The `SourceResolver` port: ids it can fetch, and the ids it was asked about."""

    resolvable: set[str] = field(default_factory=set)
    asked: list[str] = field(default_factory=list)

    def is_resolvable(self, tiktok_id: str) -> bool:
        self.asked.append(tiktok_id)
        return tiktok_id in self.resolvable
