-- Delivery receipts that arrived before the send that they answer was recorded: the provider
-- may post a receipt while the dispatcher's transaction that stores its provider_ref has not
-- committed yet. The receipt waits here and is applied when that transaction records the send.
-- Both sides take the same advisory lock on the provider reference, so one of them always sees
-- the other. Receipts no send ever claims are dropped after a day.
CREATE TABLE early_receipts (
    provider_ref  text PRIMARY KEY,
    status        text NOT NULL CHECK (status IN ('delivered', 'permanent-failure', 'temporary-failure')),
    reason        text NOT NULL,
    received_at   timestamptz NOT NULL DEFAULT now()
);
