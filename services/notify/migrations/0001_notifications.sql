-- One row per message to send (a confirmation, each reminder, …). Channels are tried in
-- order; `channel_index` says which one is current. Statuses follow GOV.UK Notify: created
-- (waiting until due_at), sending (claimed, or handed to the provider once provider_ref is
-- set), delivered, permanent-failure, temporary-failure, technical-failure; plus cancelled
-- (a reminder of a cancelled appointment).
CREATE TABLE notifications (
    notification_id       uuid PRIMARY KEY,
    dedupe_key            text NOT NULL UNIQUE,
    kind                  text NOT NULL,
    trigger_event_id      uuid NOT NULL,
    trigger_aggregate_id  text NOT NULL,
    municipality          text,
    language              text NOT NULL,
    contact               jsonb NOT NULL,
    contact_key           text NOT NULL,
    channels              text[] NOT NULL,
    channel_index         int NOT NULL DEFAULT 0,
    context               jsonb NOT NULL,
    status                text NOT NULL CHECK (status IN ('created', 'sending', 'delivered', 'permanent-failure',
                                                          'temporary-failure', 'technical-failure', 'cancelled')),
    due_at                timestamptz NOT NULL,
    event_at              timestamptz NOT NULL,
    attempts              int NOT NULL DEFAULT 0,
    lease_until           timestamptz,
    provider_ref          text,
    failure_reason        text,
    created_at            timestamptz NOT NULL DEFAULT now(),
    sent_at               timestamptz,
    finished_at           timestamptz
);
CREATE INDEX notifications_due ON notifications (due_at) WHERE status = 'created';
CREATE INDEX notifications_in_flight ON notifications (lease_until) WHERE status = 'sending' AND provider_ref IS NULL;
CREATE INDEX notifications_pending_by_aggregate ON notifications (trigger_aggregate_id) WHERE status = 'created';
CREATE INDEX notifications_provider_ref ON notifications (provider_ref) WHERE provider_ref IS NOT NULL;
CREATE INDEX notifications_recent_by_contact ON notifications (contact_key, sent_at) WHERE sent_at IS NOT NULL;

-- Citizens who asked for no more messages (keyed like contact_key: a hash, not the number).
CREATE TABLE opt_outs (
    contact_key  text PRIMARY KEY,
    created_at   timestamptz NOT NULL DEFAULT now()
);
