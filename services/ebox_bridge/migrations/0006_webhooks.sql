-- Webhooks (services/ebox_bridge/webhooks/): a municipality's endpoints, and one delivery row
-- per (endpoint, event) that the delivery worker drives to delivered or, after the retry
-- window, failed. The delivery id is the `webhook-id` header: receivers de-duplicate on it.
CREATE TABLE webhook_endpoints (
    webhook_id    uuid PRIMARY KEY,
    municipality  text NOT NULL,
    url           text NOT NULL,
    event_types   text[] NOT NULL,  -- '{*}': every event
    -- The signing secret (whsec_…) is needed in clear to sign each delivery (HMAC); its owner
    -- sees it once, when the endpoint is made, and it never appears in an answer again.
    secret        text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
    deleted_at    timestamptz
);
CREATE INDEX webhook_endpoints_live ON webhook_endpoints (municipality) WHERE deleted_at IS NULL;

CREATE TABLE webhook_deliveries (
    delivery_id   uuid PRIMARY KEY,
    webhook_id    uuid NOT NULL REFERENCES webhook_endpoints (webhook_id),
    event_id      uuid NOT NULL,
    event_type    text NOT NULL,
    letter_id     uuid,
    body          text NOT NULL,  -- the event's envelope, exactly as published on the bus
    state         text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts      int NOT NULL DEFAULT 0,
    due_at        timestamptz NOT NULL DEFAULT clock_timestamp(),
    lease_until   timestamptz,
    give_up_at    timestamptz NOT NULL,
    last_status   int,
    last_error    text,
    created_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
    delivered_at  timestamptz,
    UNIQUE (webhook_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (due_at) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_of_endpoint ON webhook_deliveries (webhook_id, created_at DESC);
