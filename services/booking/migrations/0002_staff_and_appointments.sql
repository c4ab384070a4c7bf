-- Helpers, shifts and appointments. The exclusion constraint is what makes a double booking
-- of a helper impossible under any concurrency: two live appointments of one helper whose
-- blocked ranges (appointment plus buffers) overlap cannot both commit.
CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public;

CREATE TABLE helpers (
    helper_id  text PRIMARY KEY,
    document   text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE shifts (
    shift_id   text PRIMARY KEY,
    helper_id  text NOT NULL REFERENCES helpers,
    point_id   text NOT NULL REFERENCES assistance_points,
    document   text NOT NULL
);
CREATE INDEX shifts_point ON shifts (point_id);

CREATE TABLE appointments (
    appointment_id   uuid PRIMARY KEY,
    point_id         text NOT NULL REFERENCES assistance_points,
    helper_id        text NOT NULL REFERENCES helpers,
    service          text NOT NULL,
    language         text NOT NULL,
    starts_at        timestamptz NOT NULL,
    ends_at          timestamptz NOT NULL,
    blocked          tstzrange NOT NULL,
    status           text NOT NULL CHECK (status IN ('booked', 'checked_in', 'attended', 'no_show', 'cancelled')),
    contact          jsonb NOT NULL,
    booked_via       text NOT NULL,
    idempotency_key  text UNIQUE,
    request_digest   text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    checked_in_at    timestamptz,
    closed_at        timestamptz,
    CHECK (ends_at > starts_at),
    CONSTRAINT appointments_no_double_booking
        EXCLUDE USING gist (helper_id WITH =, blocked WITH &&) WHERE (status IN ('booked', 'checked_in'))
);
CREATE INDEX appointments_point_time ON appointments (point_id, starts_at);
-- The no-show sweep looks only at appointments still waiting for their citizen.
CREATE INDEX appointments_waiting ON appointments (starts_at) WHERE status = 'booked';

-- Links citizens use to change or cancel: only a SHA-256 of the token is kept.
CREATE TABLE appointment_links (
    token_sha256    text PRIMARY KEY,
    appointment_id  uuid NOT NULL REFERENCES appointments,
    expires_at      timestamptz NOT NULL,
    used_at         timestamptz
);
