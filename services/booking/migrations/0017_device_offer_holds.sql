-- A device that came back is offered to the first person on its waitlist and held for them:
-- lent to nobody else until `held_until` (LoanRules.offer_hold_days after the offer, to the end
-- of that day in Brussels; 0 days: offers hold nothing, as before). A hold that ends unused
-- lapses: the entry closes (`lapsed_at`) and the device goes to the next person waiting.
ALTER TABLE loan_rules
    ADD COLUMN offer_hold_days int NOT NULL DEFAULT 3 CHECK (offer_hold_days BETWEEN 0 AND 14);

ALTER TABLE device_waitlist
    ADD COLUMN held_until timestamptz,
    ADD COLUMN lapsed_at  timestamptz;

-- The sweeper's scan: open holds by their end.
CREATE INDEX device_waitlist_holds ON device_waitlist (held_until) WHERE closed_at IS NULL AND held_until IS NOT NULL;
-- Lending looks up the open offer of a device.
CREATE INDEX device_waitlist_offered_device ON device_waitlist (offered_device_id) WHERE closed_at IS NULL;

-- A device's history also tells when it was offered to someone waiting (until when it was kept
-- for them, in due_at), and when such a hold lapsed unused or was released at the counter.
ALTER TABLE device_history DROP CONSTRAINT device_history_what_check;
ALTER TABLE device_history ADD CONSTRAINT device_history_what_check CHECK (what IN (
    'registered', 'donated', 'wiped', 'lent', 'renewed', 'returned', 'offered', 'hold_lapsed', 'hold_released'));
