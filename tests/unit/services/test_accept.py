"""`services.accept` against in-memory fakes of its ports: SPEC §6.1's check order, what
an accept writes, replays, the catalog/network check and the idempotency race."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

import pytest
from service_fakes import FakeAcceptRunner, FakeAcceptStore, FakeAcceptUnitOfWork, FakeSources

from remixer.domain.errors import ErrorCode, RemixerError, validation
from remixer.domain.ids import new_uuid_id
from remixer.domain.principal import Principal
from remixer.domain.time import now
from remixer.services import accept
from remixer.services.accept import AcceptedJob, RemixFields, RemixRequest, Replayed
from remixer.services.idempotency import IdempotencyScope, StoredResponse
from remixer.store.hotpath import IdempotencyRow, InfluencerRecord, ProjectRecord
from remixer.store.tables.influencers import Influencer
from remixer.store.tables.projects import Layer, SocialAccount

TIKTOK = "7234567890123456789"
ORG = new_uuid_id("org")
PRJ = new_uuid_id("prj")
INF = new_uuid_id("inf")


def principal(tier: str = "standard", env: str = "live") -> Principal:
    return Principal("key_1", ORG, "Acme", env, ("*",), tier)


@pytest.fixture
def store() -> FakeAcceptStore:
    made = FakeAcceptStore()
    made.projects[PRJ] = (ORG, ProjectRecord(PRJ, "active", "witty", "de", {"appName": "X"}))
    made.influencers[INF] = (PRJ, InfluencerRecord(INF, "ready", None, None))
    made.catalog.add(TIKTOK)
    made.available[ORG] = 1000
    return made


def render(job: AcceptedJob) -> StoredResponse:
    return StoredResponse(202, json.dumps({"jobId": job.job_id}).encode(), {"Location": "x"})


def request(body: RemixFields | RemixerError | None = None, **kw: Any) -> RemixRequest:
    fields = body if body is not None else RemixFields(TIKTOK, influencer_id=INF)
    return RemixRequest(PRJ, fields, record=render, **kw)


def run(store: FakeAcceptStore, req: RemixRequest, who: Principal | None = None) -> Any:
    uow = FakeAcceptUnitOfWork(store)
    outcome = accept.accept_remix(uow, who or principal(), req, 120)
    uow.commit()
    return outcome


def code_of(store: FakeAcceptStore, req: RemixRequest, who: Principal | None = None) -> str:
    uow = FakeAcceptUnitOfWork(store)
    with pytest.raises(RemixerError) as caught:
        accept.accept_remix(uow, who or principal(), req, 120)
    assert uow.staged == [], "a refused accept stages no write"
    return str(caught.value.code)


def test_accept_reserves_and_adds_one_job_with_the_voice_chain(store: FakeAcceptStore) -> None:
    job = run(store, request())
    assert isinstance(job, AcceptedJob) and job.project_id == PRJ
    assert (job.status, job.stage, job.kind) == ("running", "queued", "content_generate")
    assert store.reserved == {ORG: 120} and store.available[ORG] == 880
    [remix] = store.remixes
    assert (remix.job_id, remix.container_id) == (job.job_id, job.container_id)
    assert (remix.voice, remix.language) == ("witty", "de")  # project's, the influencer has none
    assert remix.brand == {"appName": "X"} and remix.project_layer_id is None
    assert remix.credits_reserved == 120 and remix.sandbox is False


def test_sandbox_reserves_nothing(store: FakeAcceptStore) -> None:
    run(store, request(), principal(env="test"))
    assert store.reserved.get(ORG, 0) == 0 and store.remixes[0].sandbox is True


def test_project_checks_come_first(store: FakeAcceptStore) -> None:
    bad_body = validation("body", "invalid JSON")
    other = RemixRequest(new_uuid_id("prj"), bad_body)
    assert code_of(store, other) == "NOT_FOUND"
    store.projects[PRJ] = (ORG, ProjectRecord(PRJ, "archived", None, None, {}))
    uow = FakeAcceptUnitOfWork(store)
    with pytest.raises(RemixerError) as caught:
        accept.accept_remix(uow, principal(), request(bad_body), 120)
    assert caught.value.details["subcode"] == "PROJECT_ARCHIVED"


def test_a_replay_wins_over_a_bad_body(store: FakeAcceptStore) -> None:
    scope = IdempotencyScope("scope-1", "hash-1")
    at = now()
    store.records["scope-1"] = IdempotencyRow(
        "hash-1", "completed", 202, b"{}", '{"Location": "/v1/jobs/j"}', at, at + timedelta(hours=1)
    )
    replay = run(store, request(validation("body", "bad"), idempotency=scope))
    assert replay == Replayed(StoredResponse(202, b"{}", {"Location": "/v1/jobs/j"}))
    mismatch = request(validation("body", "bad"), idempotency=IdempotencyScope("scope-1", "h2"))
    assert code_of(store, mismatch) == "IDEMPOTENCY_CONFLICT"
    assert store.remixes == []


def test_an_expired_record_is_removed_and_the_accept_stores_its_own(store: FakeAcceptStore) -> None:
    old = now() - timedelta(days=2)
    store.records["s"] = IdempotencyRow("h", "completed", 202, b"old", "{}", old, old)
    job = run(store, request(idempotency=IdempotencyScope("s", "h")))
    record = store.records["s"]
    assert record.response_body == json.dumps({"jobId": job.job_id}).encode()
    assert record.expires_at - record.created_at == timedelta(hours=24)


@pytest.mark.parametrize(
    "fields,code",
    [
        (RemixFields(TIKTOK), "INFLUENCER_REQUIRED"),
        (RemixFields("12ab", influencer_id=INF), "INVALID_TIKTOK_ID"),
        (RemixFields("1" * 14, influencer_id=new_uuid_id("inf")), "INVALID_TIKTOK_ID"),
        (RemixFields(TIKTOK, influencer_id=new_uuid_id("inf")), "NOT_FOUND"),
    ],
)
def test_body_rules_in_order(store: FakeAcceptStore, fields: RemixFields, code: str) -> None:
    assert code_of(store, request(fields)) == code


def test_influencer_not_ready(store: FakeAcceptStore) -> None:
    store.influencers[INF] = (PRJ, InfluencerRecord(INF, "training", None, None))
    uow = FakeAcceptUnitOfWork(store)
    with pytest.raises(RemixerError) as caught:
        accept.accept_remix(uow, principal(), request(), 120)
    assert caught.value.details["subcode"] == "INFLUENCER_NOT_READY"


def wire(store: FakeAcceptStore, influencer: str | None) -> str:
    account = SocialAccount(id=new_uuid_id("sa"), project_id=PRJ, status="connected")
    content = Layer(
        id=new_uuid_id("lyr"),
        project_id=PRJ,
        template="social_content",
        config={"customInfluencerId": influencer},
        is_active=True,
    )
    dist = Layer(
        id=new_uuid_id("lyr"),
        project_id=PRJ,
        template="social_distribution",
        config={"socialAccountId": account.id, "contentLayerId": content.id},
        is_active=True,
    )
    orm = store.orm
    orm.projects.accounts[account.id] = account
    orm.projects.layers.update({content.id: content, dist.id: dist})
    orm.influencers.rows[INF] = Influencer(
        id=INF, project_id=PRJ, status="ready", brand_voice="warm", language="pt", deleted=False
    )
    return account.id


def test_the_wiring_chain_anchors_the_container(store: FakeAcceptStore) -> None:
    account = wire(store, INF)
    run(store, request(RemixFields(TIKTOK, social_account_id=account)))
    [remix] = store.remixes
    content = next(x for x in store.orm.projects.layers.values() if x.template == "social_content")
    assert remix.project_layer_id == content.id and remix.influencer_id == INF
    assert (remix.voice, remix.language) == ("warm", "pt")  # the influencer's own


def test_a_chain_without_an_influencer_is_refused(store: FakeAcceptStore) -> None:
    account = wire(store, None)
    assert code_of(store, request(RemixFields(TIKTOK, social_account_id=account))) == (
        "INFLUENCER_NOT_WIRED"
    )


def test_cap_before_credits_and_uncapped_tiers_count_nothing(store: FakeAcceptStore) -> None:
    store.running[ORG] = 10
    store.available[ORG] = 0
    assert code_of(store, request()) == "RATE_LIMITED"
    assert code_of(store, request(), principal("unlimited")) == "BILLING_EXHAUSTED"
    counted = store.running_counted
    store.available[ORG] = 500
    run(store, request(), principal("unlimited"))
    assert store.running_counted == counted, "an uncapped tier never counts running jobs"


def test_submit_asks_the_network_only_for_ids_not_in_the_catalog(store: FakeAcceptStore) -> None:
    runner, sources = FakeAcceptRunner(store), FakeSources(resolvable={"7" * 19})
    fetched = RemixFields("7" * 19, influencer_id=INF)
    job = asyncio.run(accept.submit_remix(runner, sources, principal(), request(fetched), 120))
    assert isinstance(job, AcceptedJob) and sources.asked == ["7" * 19] and runner.runs == 2
    with pytest.raises(RemixerError) as caught:
        unknown = RemixFields("8" * 19, influencer_id=INF)
        asyncio.run(accept.submit_remix(runner, sources, principal(), request(unknown), 120))
    assert caught.value.code == ErrorCode.INVALID_TIKTOK_ID
    assert len(store.remixes) == 1


def test_submit_replays_when_a_concurrent_request_stored_the_key(store: FakeAcceptStore) -> None:
    store.taken_by_others.add("race")
    runner = FakeAcceptRunner(store)
    req = request(idempotency=IdempotencyScope("race", "h"))
    outcome = asyncio.run(accept.submit_remix(runner, FakeSources(), principal(), req, 120))
    assert isinstance(outcome, Replayed) and outcome.response.body == b'{"other":true}'
    assert runner.runs == 2 and store.remixes == [] and store.reserved == {}


def test_an_idempotent_request_needs_its_record() -> None:
    with pytest.raises(ValueError, match="record"):
        RemixRequest(PRJ, RemixFields(TIKTOK), IdempotencyScope("s", "h"))
