"""Webhook endpoints, their delivery log, test pings and replays (SPEC §6.10)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from remixer.api.deps import Caller, json_body, require
from remixer.api.idempotency import Idem
from remixer.api.responses import Cursor, Limit, body_docs, error_docs, json_response, stored
from remixer.api.schemas.webhooks import (
    WebhookDeliveryOut,
    WebhookDeliveryPage,
    WebhookEndpointCreate,
    WebhookEndpointOut,
    WebhookEndpointPage,
    WebhookEndpointUpdate,
    WebhookEndpointWithSecret,
)
from remixer.domain.ids import parse_id
from remixer.domain.webhooks import DELIVERY_PREFIX, ENDPOINT_PREFIX
from remixer.services import webhooks

router = APIRouter(tags=["webhooks"])
Write = Annotated[Caller, Depends(require("webhooks:write"))]
Read = Annotated[Caller, Depends(require("webhooks:read"))]
BASE = "/v1/webhook-endpoints"


def _eid(value: str) -> str:
    return parse_id(value, ENDPOINT_PREFIX, "path.endpointId")


@router.post(
    BASE,
    status_code=201,
    response_model=WebhookEndpointWithSecret,
    responses=error_docs(409, 415),
    openapi_extra=body_docs(WebhookEndpointCreate),
)
def create_endpoint(
    caller: Write,
    idem: Idem,
    body: Annotated[WebhookEndpointCreate, Depends(json_body(WebhookEndpointCreate))],
) -> Response:
    c = caller.components
    fields = body.model_dump(exclude_none=True)
    loopback = c.settings.webhook_allow_loopback
    return idem.run(
        c.uow_factory,
        caller.principal.api_key_id,
        [],
        lambda: stored(
            webhooks.create_endpoint(c.uow_factory, caller.org_id, fields, loopback), 201
        ),
    )


@router.get(BASE, response_model=WebhookEndpointPage, responses=error_docs())
def list_endpoints(caller: Read, limit: Limit = 20, cursor: Cursor = None) -> Response:
    return json_response(
        webhooks.list_endpoints(caller.components.uow_factory, caller.org_id, cursor, limit)
    )


@router.get(BASE + "/{endpointId}", response_model=WebhookEndpointOut, responses=error_docs(404))
def get_endpoint(endpointId: str, caller: Read) -> Response:
    eid = _eid(endpointId)
    return json_response(webhooks.get_endpoint(caller.components.uow_factory, caller.org_id, eid))


@router.patch(
    BASE + "/{endpointId}",
    response_model=WebhookEndpointOut,
    responses=error_docs(404, 415),
    openapi_extra=body_docs(WebhookEndpointUpdate),
)
def update_endpoint(
    endpointId: str,
    caller: Write,
    idem: Idem,
    body: Annotated[WebhookEndpointUpdate, Depends(json_body(WebhookEndpointUpdate))],
) -> Response:
    eid = _eid(endpointId)
    c = caller.components
    fields = {
        k: v
        for k, v in body.model_dump(exclude_unset=True).items()
        if v is not None or k == "description"
    }
    loopback = c.settings.webhook_allow_loopback
    return idem.run(
        c.uow_factory,
        caller.principal.api_key_id,
        [eid],
        lambda: stored(
            webhooks.update_endpoint(c.uow_factory, caller.org_id, eid, fields, loopback)
        ),
    )


@router.delete(BASE + "/{endpointId}", status_code=204, responses=error_docs(404))
def delete_endpoint(endpointId: str, caller: Write) -> Response:
    eid = _eid(endpointId)
    webhooks.delete_endpoint(caller.components.uow_factory, caller.org_id, eid)
    return Response(status_code=204)


@router.post(
    BASE + "/{endpointId}/rotate-secret",
    response_model=WebhookEndpointWithSecret,
    responses=error_docs(404),
)
def rotate_secret(endpointId: str, caller: Write, idem: Idem) -> Response:
    eid = _eid(endpointId)
    uow = caller.components.uow_factory
    return idem.run(
        uow,
        caller.principal.api_key_id,
        [eid],
        lambda: stored(webhooks.rotate_secret(uow, caller.org_id, eid)),
    )


@router.post(
    BASE + "/{endpointId}/test",
    status_code=202,
    response_model=WebhookDeliveryOut,
    responses=error_docs(404),
)
def send_test(endpointId: str, caller: Write, idem: Idem) -> Response:
    eid = _eid(endpointId)
    uow = caller.components.uow_factory
    return idem.run(
        uow,
        caller.principal.api_key_id,
        [eid],
        lambda: stored(webhooks.send_test(uow, caller.org_id, eid), 202),
    )


@router.get(
    BASE + "/{endpointId}/deliveries", response_model=WebhookDeliveryPage, responses=error_docs(404)
)
def list_deliveries(
    endpointId: str, caller: Read, limit: Limit = 20, cursor: Cursor = None
) -> Response:
    eid = _eid(endpointId)
    return json_response(
        webhooks.list_deliveries(caller.components.uow_factory, caller.org_id, eid, cursor, limit)
    )


@router.post(
    "/v1/webhook-deliveries/{deliveryId}/replay",
    status_code=202,
    response_model=WebhookDeliveryOut,
    responses=error_docs(404, 409),
)
def replay_delivery(deliveryId: str, caller: Write, idem: Idem) -> Response:
    did = parse_id(deliveryId, DELIVERY_PREFIX, "path.deliveryId")
    uow = caller.components.uow_factory
    return idem.run(
        uow,
        caller.principal.api_key_id,
        [did],
        lambda: stored(webhooks.replay_delivery(uow, caller.org_id, did), 202),
    )
