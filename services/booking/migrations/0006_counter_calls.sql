-- The counter screen calls a person before their visit starts: a ticket or a checked-in
-- appointment is called to a counter (the waiting-room display shows it), recalled up to a
-- maximum, then marked missed; the visit starts when the person arrives at the counter.
ALTER TABLE tickets DROP CONSTRAINT tickets_status_check;
ALTER TABLE tickets ADD CONSTRAINT tickets_status_check CHECK (status IN ('waiting', 'called', 'left', 'missed'));
-- A missed ticket may be called again (the person came back) once this long ago.
ALTER TABLE tickets ADD COLUMN missed_at timestamptz;
-- A walk-in may leave a mobile number at the kiosk for "your turn is near"; it is forgotten as
-- soon as that message is on its way or the ticket is called.
ALTER TABLE tickets ADD COLUMN notify_phone text;
ALTER TABLE tickets ADD COLUMN turn_near_at timestamptz;
CREATE INDEX tickets_turn_near ON tickets (point_id) WHERE status = 'waiting' AND notify_phone IS NOT NULL;

-- The display lists calls in the order they were made (a recall moves one up), whatever the clocks say.
CREATE SEQUENCE calls_shown_order;
-- A call goes with its ticket, appointment or visit (a test clearing those clears the calls too).
CREATE TABLE calls (
    call_id          uuid PRIMARY KEY,
    point_id         text NOT NULL REFERENCES assistance_points,
    counter          text NOT NULL,
    helper_id        text NOT NULL,
    ticket_id        uuid REFERENCES tickets ON DELETE CASCADE,
    appointment_id   uuid REFERENCES appointments ON DELETE CASCADE,
    -- What the display shows: the ticket number, or the appointment's time. Never a name.
    label            text NOT NULL,
    language         text NOT NULL,
    waiting_since    timestamptz NOT NULL,
    times_called     int NOT NULL CHECK (times_called >= 1),
    first_called_at  timestamptz NOT NULL,
    last_called_at   timestamptz NOT NULL,
    status           text NOT NULL CHECK (status IN ('calling', 'arrived', 'missed', 'transferred')),
    visit_id         uuid REFERENCES visits ON DELETE CASCADE,
    shown_order      bigint NOT NULL DEFAULT nextval('calls_shown_order'),
    CHECK ((ticket_id IS NULL) <> (appointment_id IS NULL))
);
-- One person is called to one counter at a time, and a counter calls one person at a time.
CREATE UNIQUE INDEX calls_open_ticket ON calls (ticket_id) WHERE status = 'calling';
CREATE UNIQUE INDEX calls_open_appointment ON calls (appointment_id) WHERE status = 'calling';
CREATE UNIQUE INDEX calls_open_counter ON calls (point_id, counter) WHERE status = 'calling';
CREATE INDEX calls_recent ON calls (point_id, shown_order DESC);
CREATE INDEX visits_of_point_day ON visits (point_id, started_at);
