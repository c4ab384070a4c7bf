-- Transactional outbox: rows are written in the same transaction as the state change that
-- caused them; the relay publishes them in id order and marks them sent after the broker ack.
CREATE TABLE outbox (
    id          bigserial PRIMARY KEY,
    event_id    uuid NOT NULL UNIQUE,
    topic       text NOT NULL,
    key         text NOT NULL,
    event_type  text NOT NULL,
    payload     bytea NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    sent_at     timestamptz
);
-- The relay only ever scans unsent rows; a partial index keeps that cheap as history grows.
CREATE INDEX outbox_unsent ON outbox (id) WHERE sent_at IS NULL;

-- Inbox: one row per (consumer, event) handled, inserted in the handler's transaction.
CREATE TABLE inbox (
    consumer     text NOT NULL,
    event_id     uuid NOT NULL,
    handled_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id)
);
