-- Waitlist: a freed slot is held for the next person in line for a short claim window. A held
-- appointment blocks its helper like a booked one, so nobody else can take it meanwhile.
ALTER TABLE appointments DROP CONSTRAINT appointments_status_check;
ALTER TABLE appointments ADD CONSTRAINT appointments_status_check
    CHECK (status IN ('booked', 'checked_in', 'attended', 'no_show', 'cancelled', 'held', 'expired'));
ALTER TABLE appointments DROP CONSTRAINT appointments_no_double_booking;
ALTER TABLE appointments ADD CONSTRAINT appointments_no_double_booking
    EXCLUDE USING gist (helper_id WITH =, blocked WITH &&) WHERE (status IN ('booked', 'checked_in', 'held'));
ALTER TABLE appointments ADD COLUMN hold_until timestamptz;
ALTER TABLE appointments ADD COLUMN waitlist_entry uuid;
CREATE INDEX appointments_holds ON appointments (hold_until) WHERE status = 'held';

CREATE TABLE waitlist_entries (
    entry_id    uuid PRIMARY KEY,
    point_id    text NOT NULL REFERENCES assistance_points,
    service     text NOT NULL,
    language    text NOT NULL,
    earliest    date NOT NULL,
    latest      date NOT NULL,
    contact     jsonb NOT NULL,
    status      text NOT NULL CHECK (status IN ('waiting', 'offered', 'booked', 'expired')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (latest >= earliest)
);
CREATE INDEX waitlist_waiting ON waitlist_entries (point_id, service, language, created_at) WHERE status = 'waiting';
