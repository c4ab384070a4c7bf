-- Open shifts a point offers its volunteers, and the volunteers' sign-ups. A sign-up holds one
-- numbered place of its open shift while it is requested or approved; a place is held once (the
-- partial unique index) and no place number exceeds the shift's places (the trigger), so two
-- volunteers taking the last place of a shift cannot both succeed, whatever the concurrency.
-- Times are Brussels wall-clock times on a date, like a helper's one-off shift: an approved
-- sign-up is a shift of the rota (staff/repository.py reads it as one).
CREATE TABLE open_shifts (
    open_shift_id uuid PRIMARY KEY,
    point_id      text NOT NULL REFERENCES assistance_points,
    on_date       date NOT NULL,
    starts        time NOT NULL,
    ends          time NOT NULL CHECK (ends > starts),
    places        int NOT NULL CHECK (places BETWEEN 1 AND 50),
    note          text CHECK (length(note) <= 200),
    created_by    text NOT NULL,
    created_at    timestamptz NOT NULL,
    withdrawn_at  timestamptz
);
CREATE INDEX open_shifts_by_point ON open_shifts (point_id, on_date);

CREATE TABLE shift_signups (
    signup_id      uuid PRIMARY KEY,
    open_shift_id  uuid NOT NULL REFERENCES open_shifts,
    helper_id      text NOT NULL REFERENCES helpers,
    place_no       int NOT NULL CHECK (place_no >= 1),
    status         text NOT NULL CHECK (status IN ('requested', 'approved', 'declined', 'cancelled')),
    signed_up_at   timestamptz NOT NULL,
    decided_at     timestamptz,
    decided_by     text
);
CREATE UNIQUE INDEX shift_signups_one_per_place ON shift_signups (open_shift_id, place_no)
    WHERE status IN ('requested', 'approved');
CREATE UNIQUE INDEX shift_signups_once_per_helper ON shift_signups (open_shift_id, helper_id)
    WHERE status IN ('requested', 'approved');
CREATE INDEX shift_signups_by_helper ON shift_signups (helper_id);

CREATE FUNCTION signup_within_places() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    places int;
BEGIN
    EXECUTE format('SELECT places FROM %I.open_shifts WHERE open_shift_id = $1', TG_TABLE_SCHEMA)
        INTO places USING NEW.open_shift_id;
    IF NEW.place_no > coalesce(places, 0) THEN
        RAISE EXCEPTION 'place % is beyond the % places of open shift %', NEW.place_no, coalesce(places, 0),
            NEW.open_shift_id USING ERRCODE = 'check_violation', CONSTRAINT = 'signup_within_places';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER signup_within_places BEFORE INSERT OR UPDATE OF place_no, open_shift_id ON shift_signups
    FOR EACH ROW EXECUTE FUNCTION signup_within_places();

-- A volunteer is found by the account they sign in with (the helper document's `account`).
CREATE UNIQUE INDEX helpers_account ON helpers ((document::jsonb ->> 'account'))
    WHERE document::jsonb ->> 'account' IS NOT NULL;
