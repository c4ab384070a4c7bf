-- Workshops: group sessions at a point (a title, the language it is given in, a capacity, a
-- trainer, sometimes a partner school), and the citizens registered for them.
CREATE TABLE workshops (
    workshop_id    uuid PRIMARY KEY,
    point_id       text NOT NULL REFERENCES assistance_points,
    title          text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    language       text NOT NULL,
    capacity       int NOT NULL CHECK (capacity BETWEEN 1 AND 500),
    trainer        text NOT NULL CHECK (length(trainer) BETWEEN 1 AND 200),
    partner_school text CHECK (length(partner_school) BETWEEN 1 AND 200),
    starts_at      timestamptz NOT NULL,
    ends_at        timestamptz NOT NULL CHECK (ends_at > starts_at),
    created_at     timestamptz NOT NULL
);
CREATE INDEX workshops_by_point ON workshops (point_id, starts_at);

-- A registration holds a numbered place (1..capacity) or waits (place_no NULL) in `line` order.
-- The database keeps a workshop within its capacity whatever the concurrency: no place is held
-- twice (the unique index) and no place number exceeds the capacity (the trigger). Registering
-- also locks the workshop's row, so concurrent registrations take places one after the other and
-- the waiting list keeps the order they came in.
CREATE TABLE workshop_registrations (
    registration_id   uuid PRIMARY KEY,
    workshop_id       uuid NOT NULL REFERENCES workshops,
    place_no          int CHECK (place_no >= 1),
    line              bigint GENERATED ALWAYS AS IDENTITY,
    language          text NOT NULL,
    contact           jsonb,
    cancel_digest     text NOT NULL,     -- SHA-256 of the citizen's cancel link (appointments/links.py)
    registered_at     timestamptz NOT NULL,
    placed_from_line_at timestamptz,
    cancelled_at      timestamptz,
    attended_at       timestamptz CHECK (attended_at IS NULL OR place_no IS NOT NULL),
    CHECK (cancelled_at IS NULL OR place_no IS NULL)
);
CREATE UNIQUE INDEX workshop_places ON workshop_registrations (workshop_id, place_no) WHERE place_no IS NOT NULL;
CREATE INDEX workshop_line ON workshop_registrations (workshop_id, line) WHERE place_no IS NULL AND cancelled_at IS NULL;

-- Read the capacity in the table's own schema, whatever the caller's search_path.
CREATE FUNCTION workshop_place_within_capacity() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    places int;
BEGIN
    IF NEW.place_no IS NULL THEN
        RETURN NEW;
    END IF;
    EXECUTE format('SELECT capacity FROM %I.workshops WHERE workshop_id = $1', TG_TABLE_SCHEMA)
        INTO places USING NEW.workshop_id;
    IF NEW.place_no > coalesce(places, 0) THEN
        RAISE EXCEPTION 'place % is beyond the capacity (%) of workshop %', NEW.place_no, coalesce(places, 0),
            NEW.workshop_id USING ERRCODE = 'check_violation', CONSTRAINT = 'workshop_place_within_capacity';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER workshop_place_within_capacity BEFORE INSERT OR UPDATE OF place_no, workshop_id
    ON workshop_registrations FOR EACH ROW EXECUTE FUNCTION workshop_place_within_capacity();
