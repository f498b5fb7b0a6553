"""`services.wiring.resolve_influencer` (SPEC §6.7) over an in-memory unit of work."""

from __future__ import annotations

import pytest
from service_fakes import FakeUnitOfWork

from remixer.domain.errors import ErrorCode, RemixerError
from remixer.domain.ids import new_uuid_id
from remixer.services.wiring import resolve_influencer
from remixer.store.tables.influencers import Influencer
from remixer.store.tables.projects import Layer, SocialAccount

PRJ = new_uuid_id("prj")


def influencer(uow: FakeUnitOfWork, deleted: bool = False) -> str:
    inf = Influencer(id=new_uuid_id("inf"), project_id=PRJ, status="ready", deleted=deleted)
    uow.influencers.rows[inf.id] = inf
    return inf.id


def chain(uow: FakeUnitOfWork, wired: str | None) -> tuple[SocialAccount, Layer, Layer]:
    account = SocialAccount(id=new_uuid_id("sa"), project_id=PRJ, status="connected")
    content = Layer(
        id=new_uuid_id("lyr"),
        project_id=PRJ,
        template="social_content",
        config={"customInfluencerId": wired},
        is_active=True,
    )
    dist = Layer(
        id=new_uuid_id("lyr"),
        project_id=PRJ,
        template="social_distribution",
        config={"socialAccountId": account.id, "contentLayerId": content.id},
        is_active=True,
    )
    uow.projects.accounts[account.id] = account
    uow.projects.layers.update({content.id: content, dist.id: dist})
    return account, content, dist


def code(uow: FakeUnitOfWork, account: str | None, inf: str | None) -> ErrorCode:
    with pytest.raises(RemixerError) as caught:
        resolve_influencer(uow, PRJ, account, inf)  # type: ignore[arg-type]
    return caught.value.code


def test_influencer_only_is_layerless() -> None:
    uow = FakeUnitOfWork()
    inf = influencer(uow)
    found = resolve_influencer(uow, PRJ, None, inf)  # type: ignore[arg-type]
    assert found.influencer.id == inf and found.project_layer_id is None
    assert code(uow, None, influencer(uow, deleted=True)) == ErrorCode.NOT_FOUND


def test_the_chain_gives_face_and_anchor_and_an_override_keeps_the_anchor() -> None:
    uow = FakeUnitOfWork()
    wired, override = influencer(uow), influencer(uow)
    account, content, _ = chain(uow, wired)
    found = resolve_influencer(uow, PRJ, account.id, None)  # type: ignore[arg-type]
    assert (found.influencer.id, found.project_layer_id) == (wired, content.id)
    found = resolve_influencer(uow, PRJ, account.id, override)  # type: ignore[arg-type]
    assert (found.influencer.id, found.project_layer_id) == (override, content.id)


def test_chain_errors_in_the_spec_order() -> None:
    uow = FakeUnitOfWork()
    account, content, dist = chain(uow, None)
    assert code(uow, new_uuid_id("sa"), None) == ErrorCode.NOT_FOUND
    assert code(uow, account.id, None) == ErrorCode.INFLUENCER_NOT_WIRED
    content.is_active = False
    assert code(uow, account.id, None) == ErrorCode.NO_CONTENT_LAYER_WIRED
    dist.is_active = False
    assert code(uow, account.id, None) == ErrorCode.ACCOUNT_NOT_WIRED
    dist.is_active = True
    account.status = "disconnected"
    assert code(uow, account.id, None) == ErrorCode.ACCOUNT_NOT_WIRED
