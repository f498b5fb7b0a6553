"""Idempotency-Key handling (SPEC §4): claim, replay, conflict, and storing the 2xx response.

A request first claims its key with an `in_flight` record (its own short
transaction, guarded by a unique constraint, so 50 simultaneous requests see
one winner). The winner stores its response in the transaction that does the
work (video-remix) or right after (other endpoints); a failure deletes the claim
so the client may fix the cause and retry with the same key.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol

from remixer.blobs.store import sha256_of
from remixer.domain.errors import ErrorCode, RemixerError, validation
from remixer.domain.time import now
from remixer.services.bodies import loads_bounded
from remixer.store.tables.ledger import IdempotencyRecord
from remixer.store.uow import UnitOfWork, UnitOfWorkFactory

REPLAY_WINDOW = timedelta(hours=24)
STALE_IN_FLIGHT = timedelta(minutes=5)


@dataclass(frozen=True)
class StoredResponse:
    status_code: int
    body: bytes
    headers: dict[str, str]


@dataclass(frozen=True)
class Claim:
    scope_key: str


@dataclass(frozen=True)
class IdempotencyScope:
    """A request's Idempotency-Key as the services see it: the scope key (key, method,
    route, path ids and API key hashed together) and the request body's hash."""

    scope_key: str
    body_hash: str


def validate_key(key: str) -> str:
    if not 1 <= len(key) <= 255 or not all(32 <= ord(c) < 127 for c in key):
        raise validation("header.Idempotency-Key", "must be 1-255 printable ASCII characters")
    return key


def canonical_body_hash(body: bytes) -> str:
    """SHA-256 of the body as canonical JSON (keys sorted, no whitespace), else of the bytes.

    Total: any bytes hash (a body that is not acceptable JSON is hashed as it came), so
    hashing never fails before the body's own validation can answer 422.
    """
    try:
        canonical = json.dumps(loads_bounded(body), sort_keys=True, separators=(",", ":"))
        data = canonical.encode()
    except (ValueError, RecursionError):
        data = body
    return hashlib.sha256(data).hexdigest()


def file_body_hash(path: Path) -> str:
    """The request-body hash of an upload, from the spooled file (not held in memory)."""
    return sha256_of(path)


def scope_for(
    api_key_id: str, method: str, route: str, path_ids: list[str], key: str, body: bytes
) -> IdempotencyScope:
    """Validate an Idempotency-Key header value and scope it (422 VALIDATION when malformed)."""
    scope_key = scope_key_for(api_key_id, method, route, path_ids, validate_key(key))
    return IdempotencyScope(scope_key, canonical_body_hash(body))


def scope_key_for(api_key_id: str, method: str, route: str, path_ids: list[str], key: str) -> str:
    raw = "\x1f".join([api_key_id, method, route, *path_ids, key])
    return hashlib.sha256(raw.encode()).hexdigest()


def _conflict(reason: str) -> RemixerError:
    messages = {
        "body_mismatch": "This Idempotency-Key was used with a different request body.",
        "in_flight": "A request with this Idempotency-Key is still being processed; retry later.",
    }
    return RemixerError(ErrorCode.IDEMPOTENCY_CONFLICT, messages[reason], {"reason": reason})


class StoredRecord(Protocol):
    @property
    def created_at(self) -> datetime: ...
    @property
    def expires_at(self) -> datetime: ...
    @property
    def body_hash(self) -> str: ...
    @property
    def state(self) -> str: ...
    @property
    def status_code(self) -> int | None: ...
    @property
    def response_body(self) -> bytes | None: ...
    @property
    def response_headers(self) -> str | None: ...


def check_existing(record: StoredRecord, body_hash: str) -> StoredResponse:
    """Replay a stored response, or raise the conflict (body mismatch / still in flight)."""
    if record.body_hash != body_hash:
        raise _conflict("body_mismatch")
    if record.state == "in_flight":
        raise _conflict("in_flight")
    headers = json.loads(record.response_headers or "{}")
    return StoredResponse(record.status_code or 200, record.response_body or b"", headers)


def is_live(record: StoredRecord, current: datetime) -> bool:
    """False once a record has expired, or is a claim left `in_flight` by a crash."""
    stale = record.state == "in_flight" and record.created_at < current - STALE_IN_FLIGHT
    return not stale and record.expires_at >= current


def begin(uow_factory: UnitOfWorkFactory, scope_key: str, body_hash: str) -> StoredResponse | Claim:
    """Replay a stored response, raise a conflict, or claim the key for this request."""
    with uow_factory() as uow:
        current = now()
        record = uow.ledger.get_idempotency(scope_key)
        if record is not None:
            if is_live(record, current):
                return check_existing(record, body_hash)
            uow.ledger.delete_idempotency(scope_key)
        claimed = uow.ledger.claim_idempotency(
            IdempotencyRecord(
                scope_key=scope_key,
                body_hash=body_hash,
                state="in_flight",
                created_at=current,
                expires_at=current + REPLAY_WINDOW,
            )
        )
        if claimed:
            uow.commit()
            return Claim(scope_key)
    with uow_factory() as uow:
        record = uow.ledger.get_idempotency(scope_key)
        if record is None:
            raise _conflict("in_flight")
        return check_existing(record, body_hash)


def record_response(uow: UnitOfWork, claim: Claim, response: StoredResponse) -> None:
    """Store the response inside the caller's transaction."""
    record = uow.ledger.get_idempotency(claim.scope_key)
    if record is None:
        return
    record.state = "completed"
    record.status_code = response.status_code
    record.response_body = response.body
    record.response_headers = json.dumps(response.headers)


def finish(uow_factory: UnitOfWorkFactory, claim: Claim, response: StoredResponse) -> None:
    with uow_factory() as uow:
        record_response(uow, claim, response)
        uow.commit()


def abandon(uow_factory: UnitOfWorkFactory, claim: Claim) -> None:
    with uow_factory() as uow:
        uow.ledger.delete_idempotency(claim.scope_key)
        uow.commit()
