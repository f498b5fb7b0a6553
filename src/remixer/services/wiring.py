"""Social accounts, layers and the wiring chain that resolves a remix's influencer (SPEC §6.7)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from remixer.domain.errors import ErrorCode, RemixerError, not_found, validation
from remixer.domain.ids import new_uuid_id
from remixer.domain.time import now
from remixer.services.paging import decode_id_cursor, id_page
from remixer.services.projects import load_project
from remixer.services.views import account_view, layer_view
from remixer.store.tables.influencers import Influencer
from remixer.store.tables.projects import Layer, SocialAccount
from remixer.store.uow import UnitOfWork, UnitOfWorkFactory

CONTENT = "social_content"
DISTRIBUTION = "social_distribution"


def _distribution_layers(uow: UnitOfWork, project_id: str, account_id: str) -> list[Layer]:
    return [
        layer
        for layer in uow.projects.layers_of_template(project_id, DISTRIBUTION)
        if layer.config.get("socialAccountId") == account_id
    ]


def _content_layer(uow: UnitOfWork, project_id: str) -> Layer:
    existing = uow.projects.layers_of_template(project_id, CONTENT)
    active = [layer for layer in existing if layer.is_active]
    if active:
        return active[0]
    layer = Layer(
        id=new_uuid_id("lyr"),
        project_id=project_id,
        template=CONTENT,
        config={"customInfluencerId": None},
    )
    uow.projects.add(layer)
    return layer


def create_account(
    uow_factory: UnitOfWorkFactory, org_id: str, project_id: str, platform: str, handle: str
) -> dict[str, Any]:
    with uow_factory() as uow:
        load_project(uow, org_id, project_id)
        account = SocialAccount(
            id=new_uuid_id("sa"), project_id=project_id, platform=platform, handle=handle
        )
        uow.projects.add(account)
        content = _content_layer(uow, project_id)
        dist = Layer(
            id=new_uuid_id("lyr"),
            project_id=project_id,
            template=DISTRIBUTION,
            config={"socialAccountId": account.id, "contentLayerId": content.id},
        )
        uow.projects.add(dist)
        uow.commit()
        return account_view(account, dist.id)


def _load_account(uow: UnitOfWork, org_id: str, project_id: str, account_id: str) -> SocialAccount:
    load_project(uow, org_id, project_id)
    account = uow.projects.get_account(project_id, account_id)
    if account is None:
        raise not_found("Social account")
    return account


def _account_view(uow: UnitOfWork, account: SocialAccount) -> dict[str, Any]:
    layers = _distribution_layers(uow, account.project_id, account.id)
    return account_view(account, layers[0].id if layers else None)


def get_account(
    uow_factory: UnitOfWorkFactory, org_id: str, project_id: str, account_id: str
) -> dict[str, Any]:
    with uow_factory() as uow:
        return _account_view(uow, _load_account(uow, org_id, project_id, account_id))


def list_accounts(
    uow_factory: UnitOfWorkFactory, org_id: str, project_id: str, cursor: str | None, limit: int
) -> dict[str, Any]:
    with uow_factory() as uow:
        load_project(uow, org_id, project_id)
        rows = uow.projects.list_accounts(project_id, decode_id_cursor(cursor), limit + 1)
        return id_page(rows, limit, lambda a: _account_view(uow, a))


def update_account(
    uow_factory: UnitOfWorkFactory, org_id: str, project_id: str, account_id: str, status: str
) -> dict[str, Any]:
    with uow_factory() as uow:
        account = _load_account(uow, org_id, project_id, account_id)
        account.status = status
        account.updated_at = now()
        uow.commit()
        return _account_view(uow, account)


def delete_account(
    uow_factory: UnitOfWorkFactory, org_id: str, project_id: str, account_id: str
) -> None:
    with uow_factory() as uow:
        account = _load_account(uow, org_id, project_id, account_id)
        layer_ids = [layer.id for layer in _distribution_layers(uow, project_id, account_id)]
        uow.projects.delete_account(account, layer_ids)
        uow.commit()


def _check_layer_config(
    uow: UnitOfWork, project_id: str, template: str, config: dict[str, Any]
) -> None:
    if template == DISTRIBUTION:
        acct = config.get("socialAccountId")
        if acct is not None and uow.projects.get_account(project_id, acct) is None:
            raise validation(
                "body.config.socialAccountId", "no such social account in this project"
            )
        content_id = config.get("contentLayerId")
        if content_id is not None:
            layer = uow.projects.get_layer(project_id, content_id)
            if layer is None or layer.template != CONTENT:
                raise validation(
                    "body.config.contentLayerId", "no such content layer in this project"
                )
    else:
        inf = config.get("customInfluencerId")
        if inf is not None and uow.influencers.get_in_project(project_id, inf) is None:
            raise validation("body.config.customInfluencerId", "no such influencer in this project")


def create_layer(
    uow_factory: UnitOfWorkFactory,
    org_id: str,
    project_id: str,
    template: str,
    config: dict[str, Any],
    is_active: bool,
) -> dict[str, Any]:
    with uow_factory() as uow:
        load_project(uow, org_id, project_id)
        _check_layer_config(uow, project_id, template, config)
        layer = Layer(
            id=new_uuid_id("lyr"),
            project_id=project_id,
            template=template,
            config=config,
            is_active=is_active,
        )
        uow.projects.add(layer)
        uow.commit()
        return layer_view(layer)


def _load_layer(uow: UnitOfWork, org_id: str, project_id: str, layer_id: str) -> Layer:
    load_project(uow, org_id, project_id)
    layer = uow.projects.get_layer(project_id, layer_id)
    if layer is None:
        raise not_found("Layer")
    return layer


def get_layer(
    uow_factory: UnitOfWorkFactory, org_id: str, project_id: str, layer_id: str
) -> dict[str, Any]:
    with uow_factory() as uow:
        return layer_view(_load_layer(uow, org_id, project_id, layer_id))


def list_layers(
    uow_factory: UnitOfWorkFactory, org_id: str, project_id: str, cursor: str | None, limit: int
) -> dict[str, Any]:
    with uow_factory() as uow:
        load_project(uow, org_id, project_id)
        rows = uow.projects.list_layers(project_id, decode_id_cursor(cursor), limit + 1)
        return id_page(rows, limit, layer_view)


def update_layer(
    uow_factory: UnitOfWorkFactory,
    org_id: str,
    project_id: str,
    layer_id: str,
    fields: dict[str, Any],
) -> dict[str, Any]:
    with uow_factory() as uow:
        layer = _load_layer(uow, org_id, project_id, layer_id)
        if "config" in fields:
            config = {**layer.config, **fields["config"]}
            _check_layer_config(uow, project_id, layer.template, config)
            layer.config = config
        if "isActive" in fields:
            layer.is_active = fields["isActive"]
        layer.updated_at = now()
        uow.commit()
        return layer_view(layer)


def delete_layer(
    uow_factory: UnitOfWorkFactory, org_id: str, project_id: str, layer_id: str
) -> None:
    with uow_factory() as uow:
        uow.projects.delete_layer(_load_layer(uow, org_id, project_id, layer_id))
        uow.commit()


@dataclass(frozen=True)
class Resolution:
    influencer: Influencer
    project_layer_id: str | None


def _wiring_error(code: ErrorCode, message: str) -> RemixerError:
    return RemixerError(code, message)


def _walk_chain(
    uow: UnitOfWork, project_id: str, account_id: str
) -> tuple[Layer, Influencer | None]:
    account = uow.projects.get_account(project_id, account_id)
    if account is None:
        raise not_found("Social account")
    dist = [layer for layer in _distribution_layers(uow, project_id, account_id) if layer.is_active]
    if account.status == "disconnected" or not dist:
        raise _wiring_error(
            ErrorCode.ACCOUNT_NOT_WIRED, "The social account has no active distribution layer."
        )
    for layer in dist:
        content_id = layer.config.get("contentLayerId")
        content = uow.projects.get_layer(project_id, content_id) if content_id else None
        if content is not None and content.is_active and content.template == CONTENT:
            inf_id = content.config.get("customInfluencerId")
            inf = uow.influencers.get_in_project(project_id, inf_id) if inf_id else None
            return content, inf
    raise _wiring_error(
        ErrorCode.NO_CONTENT_LAYER_WIRED, "The distribution layer names no active content layer."
    )


def resolve_influencer(
    uow: UnitOfWork, project_id: str, account_id: str | None, influencer_id: str | None
) -> Resolution:
    """Resolve face/voice and anchoring per the SPEC §6.7 table (ids already shape-checked)."""
    override = None
    if influencer_id is not None:
        override = uow.influencers.get_in_project(project_id, influencer_id)
        if override is None:
            raise not_found("Influencer")
    if account_id is None:
        assert override is not None
        return Resolution(override, None)
    content, wired = _walk_chain(uow, project_id, account_id)
    chosen = override or wired
    if chosen is None:
        raise _wiring_error(
            ErrorCode.INFLUENCER_NOT_WIRED, "The content layer names no usable influencer."
        )
    return Resolution(chosen, content.id)
