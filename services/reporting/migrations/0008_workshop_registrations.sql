-- Workshop registrations (issue 17): one row per registration, no contact details, no person.
-- `waiting` is as registered; `placed_from_line_at` when the waiting list gave it a place later.
CREATE TABLE workshop_registrations (
    registration_id     uuid PRIMARY KEY,
    workshop_id         uuid NOT NULL,
    point_id            text NOT NULL,
    municipality        text NOT NULL,
    starts_at           timestamptz NOT NULL,
    registered_at       timestamptz,
    waiting             boolean,
    placed_from_line_at timestamptz,
    cancelled_at        timestamptz,
    attended_at         timestamptz
);
