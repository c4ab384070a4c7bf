-- Workstations and laptops booked for a time slot at a point, apart from one-to-one help. The
-- database keeps a point within its capacity whatever the concurrency: every booking holds one
-- numbered seat, no seat is booked twice for overlapping times (the exclusion constraint), and no
-- seat number exceeds the point's capacity for its kind (the trigger reads the point's document).
-- So at most `capacity` bookings of a kind overlap at any instant.
CREATE TABLE seat_bookings (
    booking_id     uuid PRIMARY KEY,
    point_id       text NOT NULL REFERENCES assistance_points,
    kind           text NOT NULL CHECK (kind IN ('workstation', 'laptop')),
    seat_no        int NOT NULL CHECK (seat_no >= 1),
    during         tstzrange NOT NULL CHECK (NOT isempty(during) AND lower_inc(during) AND NOT upper_inc(during)),
    language       text NOT NULL,
    contact        jsonb,
    booked_at      timestamptz NOT NULL,
    checked_in_at  timestamptz,
    checked_out_at timestamptz CHECK (checked_out_at IS NULL OR checked_in_at IS NOT NULL),
    cancelled_at   timestamptz,
    EXCLUDE USING gist (point_id WITH =, kind WITH =, seat_no WITH =, during WITH &&) WHERE (cancelled_at IS NULL)
);
CREATE INDEX seat_bookings_by_point ON seat_bookings (point_id, lower(during));

-- The capacity lives in the point's document (`capacity.access_points` workstations,
-- `capacity.laptops`): read it in the table's own schema, whatever the caller's search_path.
CREATE FUNCTION seat_within_capacity() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    capacity int;
BEGIN
    EXECUTE format(
        'SELECT coalesce((document::jsonb -> ''capacity'' ->> %L)::int, 0) FROM %I.assistance_points WHERE point_id = $1',
        CASE NEW.kind WHEN 'workstation' THEN 'access_points' ELSE 'laptops' END, TG_TABLE_SCHEMA)
        INTO capacity USING NEW.point_id;
    IF NEW.seat_no > coalesce(capacity, 0) THEN
        RAISE EXCEPTION 'seat % of kind % is beyond the capacity (%) of point %',
            NEW.seat_no, NEW.kind, coalesce(capacity, 0), NEW.point_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'seat_within_capacity';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER seat_within_capacity BEFORE INSERT OR UPDATE OF seat_no, kind, point_id ON seat_bookings
    FOR EACH ROW EXECUTE FUNCTION seat_within_capacity();
