-- Devices (issue 17 follow-up): how often a loan was renewed (DeviceLoanRenewed carries the count
-- so far), and one row per offer of a returned device to someone on a waitlist (DeviceAvailable),
-- without the contact it carries: demand the stock did not meet at once.
ALTER TABLE loans ADD COLUMN renewals int;

CREATE TABLE device_offers (
    offer_id     uuid PRIMARY KEY,  -- the DeviceAvailable event: an entry may be offered twice
    entry_id     uuid NOT NULL,
    point_id     text NOT NULL,
    municipality text NOT NULL,
    device_kind  text NOT NULL,
    offered_at   timestamptz NOT NULL
);
