"""The `/v1/webhooks` endpoints: a municipality's callback endpoints and their deliveries."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

import asyncpg
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import Response

from loket.infra.identity.principal import Location, Principal
from services.ebox_bridge.api.endpoint import Endpoint, json_body
from services.ebox_bridge.api.problems import field_errors, invalid, not_found
from services.ebox_bridge.api.submission import acting_municipality
from services.ebox_bridge.webhooks import repository as webhooks
from services.ebox_bridge.webhooks.models import (
    Delivery,
    DeliveryList,
    DeliveryQuery,
    Webhook,
    WebhookCreated,
    WebhookList,
    WebhookRequest,
)
from services.ebox_bridge.webhooks.retry import RetryPolicy
from services.ebox_bridge.webhooks.signing import new_secret


class WebhookRoutes:
    def __init__(self, schema: str, pool: Callable[[], asyncpg.Pool], retry: RetryPolicy,
                 clock: Callable[[], dt.datetime]) -> None:
        self.schema, self.pool, self.retry, self.clock = schema, pool, retry, clock

    def endpoints(self) -> list[Endpoint]:
        return [
            Endpoint("POST", "/v1/webhooks", self.create_webhook, "Subscribe an endpoint to letter events",
                     body=WebhookRequest, response=WebhookCreated, status=201, tag="webhooks",
                     links={"ListDeliveries": ("list_deliveries", {"webhook_id": "id"}),
                            "DeleteWebhook": ("delete_webhook", {"webhook_id": "id"})}),
            Endpoint("GET", "/v1/webhooks", self.list_webhooks, "Your municipality's webhook endpoints",
                     response=WebhookList, tag="webhooks"),
            Endpoint("DELETE", "/v1/webhooks/{webhook_id}", self.delete_webhook, "Stop calling an endpoint",
                     status=204, tag="webhooks"),
            Endpoint("GET", "/v1/webhooks/{webhook_id}/deliveries", self.list_deliveries,
                     "An endpoint's deliveries, newest first (state=failed: the ones given up)",
                     query=DeliveryQuery, response=DeliveryList, tag="webhooks"),
            Endpoint("POST", "/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/replay", self.replay_delivery,
                     "Deliver again, with the same webhook-id", status=202, tag="webhooks"),
        ]

    async def create_webhook(self, request: Request, principal: Principal) -> tuple[int, Any]:
        raw = await json_body(request)
        municipality = acting_municipality(principal, raw)
        if isinstance(raw, dict):
            raw = {k: v for k, v in raw.items() if k != "municipality"}
        try:
            body = WebhookRequest.model_validate(raw)
        except ValidationError as exc:
            raise invalid(field_errors(exc), "Invalid webhook") from None
        secret = new_secret()
        async with self.pool().acquire() as conn:
            row = await webhooks.create_endpoint(conn, self.schema, uuid.uuid4(), municipality, str(body.url),
                                                 body.event_types, secret)
        return 201, WebhookCreated(**_webhook(row).model_dump(), secret=secret).model_dump(mode="json")

    async def list_webhooks(self, request: Request, principal: Principal) -> tuple[int, Any]:
        async with self.pool().acquire() as conn:
            rows = await webhooks.endpoints(conn, self.schema, principal.municipality)
        return 200, WebhookList(webhooks=[_webhook(r) for r in rows]).model_dump(mode="json")

    async def delete_webhook(self, request: Request, principal: Principal) -> Response:
        webhook_id = _uuid(request, "webhook_id", "webhook")
        async with self.pool().acquire() as conn:
            await self._own(conn, principal, webhook_id)
            await webhooks.delete_endpoint(conn, self.schema, webhook_id, self.clock())
        return Response(status_code=204)

    async def list_deliveries(self, request: Request, principal: Principal) -> tuple[int, Any]:
        webhook_id = _uuid(request, "webhook_id", "webhook")
        try:
            query = DeliveryQuery.model_validate(dict(request.query_params))
        except ValidationError as exc:
            raise invalid(field_errors(exc, ("query",)), "Invalid query") from None
        async with self.pool().acquire() as conn:
            await self._own(conn, principal, webhook_id)
            rows = await webhooks.deliveries(conn, self.schema, webhook_id, query.state, query.limit)
        items = [Delivery(id=r["delivery_id"], next_try_at=r["due_at"] if r["state"] == "pending" else None,
                          **{k: r[k] for k in ("event_id", "event_type", "letter_id", "state", "attempts",
                                               "last_status", "last_error", "created_at", "delivered_at")})
                 for r in rows]
        return 200, DeliveryList(deliveries=items).model_dump(mode="json")

    async def replay_delivery(self, request: Request, principal: Principal) -> tuple[int, Any]:
        webhook_id = _uuid(request, "webhook_id", "webhook")
        delivery_id = _uuid(request, "delivery_id", "delivery")
        now = self.clock()
        async with self.pool().acquire() as conn:
            await self._own(conn, principal, webhook_id)
            if not await webhooks.replay(conn, self.schema, webhook_id, delivery_id, now, self.retry.give_up_at(now)):
                raise not_found("delivery", delivery_id)
        return 202, {"id": str(delivery_id), "state": "pending"}

    async def _own(self, conn: asyncpg.Connection, principal: Principal, webhook_id: uuid.UUID) -> None:
        row = await webhooks.endpoint(conn, self.schema, webhook_id)
        if row is None or not principal.reaches(Location(row["municipality"])):
            raise not_found("webhook", webhook_id)


def _webhook(row: asyncpg.Record) -> Webhook:
    return Webhook(id=row["webhook_id"], url=row["url"], event_types=list(row["event_types"]),
                   created_at=row["created_at"])


def _uuid(request: Request, name: str, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(request.path_params[name])
    except ValueError:
        raise not_found(what, request.path_params[name][:64]) from None
