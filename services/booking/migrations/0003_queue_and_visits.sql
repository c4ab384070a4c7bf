-- Walk-in tickets (numbered per point per local day) and visits (a helper with a citizen,
-- from a ticket or a checked-in appointment).
CREATE TABLE tickets (
    ticket_id   uuid PRIMARY KEY,
    point_id    text NOT NULL REFERENCES assistance_points,
    local_day   date NOT NULL,
    number      int NOT NULL,
    language    text NOT NULL,
    topic       text,
    status      text NOT NULL CHECK (status IN ('waiting', 'called', 'left')),
    created_at  timestamptz NOT NULL,
    called_at   timestamptz,
    UNIQUE (point_id, local_day, number)
);
CREATE INDEX tickets_waiting ON tickets (point_id, created_at) WHERE status = 'waiting';

CREATE TABLE visits (
    visit_id        uuid PRIMARY KEY,
    point_id        text NOT NULL REFERENCES assistance_points,
    helper_id       text NOT NULL,
    ticket_id       uuid REFERENCES tickets,
    appointment_id  uuid REFERENCES appointments,
    language        text NOT NULL,
    waited_seconds  int,
    started_at      timestamptz NOT NULL,
    ended_at        timestamptz,
    topic           text,
    outcome         text CHECK (outcome IN ('resolved', 'referred', 'needs_appointment'))
);
