"""`services.idempotency`'s pure rules: key format, scoping, body hashes, record liveness
and what a stored record answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from service_fakes import FakeUnitOfWork

from remixer.domain.errors import ErrorCode, RemixerError
from remixer.domain.time import now
from remixer.services import idempotency


@dataclass
class Record:
    body_hash: str
    state: str
    status_code: int | None
    response_body: bytes | None
    response_headers: str | None
    created_at: datetime
    expires_at: datetime


def record(state: str = "completed", age: timedelta = timedelta(0)) -> Record:
    created = now() - age
    return Record(
        "h", state, 201, b"{}", '{"Location": "/x"}', created, created + timedelta(hours=24)
    )


@pytest.mark.parametrize("key", ["", "k" * 256, "caf\u00e9", "tab\there"])
def test_malformed_keys_are_validation(key: str) -> None:
    with pytest.raises(RemixerError) as caught:
        idempotency.validate_key(key)
    assert caught.value.code == ErrorCode.VALIDATION
    assert caught.value.details["issues"][0]["path"] == "header.Idempotency-Key"


def test_reordered_json_hashes_alike_and_hostile_bodies_hash_as_bytes() -> None:
    a = idempotency.canonical_body_hash(b'{"a": 1, "b": 2}')
    assert a == idempotency.canonical_body_hash(b'{"b":2,"a":1}')
    assert a != idempotency.canonical_body_hash(b'{"a": 1, "b": 3}')
    deep = b"[" * 5000
    assert idempotency.canonical_body_hash(deep) == idempotency.canonical_body_hash(deep)
    assert idempotency.canonical_body_hash(b"\xff") != idempotency.canonical_body_hash(b"\xfe")


def test_scopes_separate_keys_routes_path_ids_and_api_keys() -> None:
    base = idempotency.scope_for("key_1", "POST", "/r/{id}", ["p1"], "k", b"{}")
    assert base.body_hash == idempotency.canonical_body_hash(b"{}")
    for other in (
        idempotency.scope_for("key_2", "POST", "/r/{id}", ["p1"], "k", b"{}"),
        idempotency.scope_for("key_1", "POST", "/s/{id}", ["p1"], "k", b"{}"),
        idempotency.scope_for("key_1", "POST", "/r/{id}", ["p2"], "k", b"{}"),
        idempotency.scope_for("key_1", "POST", "/r/{id}", ["p1"], "k2", b"{}"),
    ):
        assert other.scope_key != base.scope_key
    with pytest.raises(RemixerError):
        idempotency.scope_for("key_1", "POST", "/r", [], "k" * 256, b"{}")


def test_liveness_of_records() -> None:
    current = now()
    assert idempotency.is_live(record(), current)
    assert not idempotency.is_live(record(age=timedelta(hours=25)), current)
    assert idempotency.is_live(record("in_flight", timedelta(minutes=4)), current)
    assert not idempotency.is_live(record("in_flight", timedelta(minutes=6)), current)


def test_a_stored_record_replays_or_conflicts() -> None:
    replay = idempotency.check_existing(record(), "h")
    assert replay == idempotency.StoredResponse(201, b"{}", {"Location": "/x"})
    for rec, body_hash, reason in (
        (record(), "other", "body_mismatch"),
        (record("in_flight"), "h", "in_flight"),
    ):
        with pytest.raises(RemixerError) as caught:
            idempotency.check_existing(rec, body_hash)
        assert caught.value.code == ErrorCode.IDEMPOTENCY_CONFLICT
        assert caught.value.details == {"reason": reason}


def test_claim_finish_and_replay_through_a_unit_of_work() -> None:
    uow = FakeUnitOfWork()
    claim = idempotency.begin(lambda: uow, "scope", "h")  # type: ignore[arg-type,return-value]
    assert claim == idempotency.Claim("scope")
    assert uow.ledger.committed["scope"].state == "in_flight"
    with pytest.raises(RemixerError) as caught:
        idempotency.begin(lambda: uow, "scope", "h")  # type: ignore[arg-type,return-value]
    assert caught.value.details == {"reason": "in_flight"}
    response = idempotency.StoredResponse(201, b'{"id":1}', {"Location": "/p/1"})
    idempotency.finish(lambda: uow, claim, response)  # type: ignore[arg-type,return-value]
    again = idempotency.begin(lambda: uow, "scope", "h")  # type: ignore[arg-type,return-value]
    assert again == response


def test_abandon_frees_the_key_and_a_stale_claim_is_taken_over() -> None:
    uow = FakeUnitOfWork()
    claim = idempotency.begin(lambda: uow, "scope", "h")  # type: ignore[arg-type,return-value]
    assert isinstance(claim, idempotency.Claim)
    idempotency.abandon(lambda: uow, claim)  # type: ignore[arg-type,return-value]
    assert "scope" not in uow.ledger.committed
    stale = idempotency.begin(lambda: uow, "other", "h")  # type: ignore[arg-type,return-value]
    assert isinstance(stale, idempotency.Claim)
    uow.ledger.committed["other"].created_at = now() - timedelta(minutes=6)
    taken = idempotency.begin(lambda: uow, "other", "h2")  # type: ignore[arg-type,return-value]
    assert isinstance(taken, idempotency.Claim)
    assert uow.ledger.committed["other"].body_hash == "h2"
