-- Lendable devices (Digibanks) and loans. The partial unique index is what makes lending one
-- device twice impossible under any concurrency.
CREATE TABLE devices (
    device_id   text PRIMARY KEY,
    point_id    text NOT NULL REFERENCES assistance_points,
    kind        text NOT NULL CHECK (kind IN ('laptop', 'tablet', 'smartphone')),
    label       text NOT NULL,
    condition   text NOT NULL DEFAULT 'good' CHECK (condition IN ('good', 'damaged', 'lost'))
);

CREATE TABLE loans (
    loan_id                uuid PRIMARY KEY,
    device_id              text NOT NULL REFERENCES devices,
    point_id               text NOT NULL,
    language               text NOT NULL,
    contact                jsonb,
    lent_at                timestamptz NOT NULL,
    due_at                 timestamptz NOT NULL,
    returned_at            timestamptz,
    condition              text,
    notes                  text,
    last_overdue_notice_on date
);
CREATE UNIQUE INDEX loans_one_open_per_device ON loans (device_id) WHERE returned_at IS NULL;
CREATE INDEX loans_open_due ON loans (due_at) WHERE returned_at IS NULL;
