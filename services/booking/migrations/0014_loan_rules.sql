-- Loan rules in the vocabulary libraries use, per assistance point: each Digibank has its own
-- stock, its own demand and its own closing weeks (which is what a hard due date is for). A point
-- without a row lends by the defaults of `LoanRules` (services/booking/loans/rules.py).
CREATE TABLE loan_rules (
    point_id         text PRIMARY KEY REFERENCES assistance_points,
    loan_period_days int NOT NULL CHECK (loan_period_days BETWEEN 1 AND 365),
    max_renewals     int NOT NULL CHECK (max_renewals BETWEEN 0 AND 20),
    max_active_loans int NOT NULL CHECK (max_active_loans BETWEEN 1 AND 20),
    hard_due_date    date,  -- no loan is due, and none is renewed, past this day
    updated_at       timestamptz NOT NULL,
    updated_by       text NOT NULL
);

-- Who borrowed: a SHA-256 of the borrower's normalised phone number or e-mail address (never a
-- national number), stable across loans so their open loans can be counted.
ALTER TABLE loans
    ADD COLUMN borrower_key text,
    ADD COLUMN renewals     int NOT NULL DEFAULT 0 CHECK (renewals >= 0);
CREATE INDEX loans_open_by_borrower ON loans (point_id, borrower_key) WHERE returned_at IS NULL;

-- At most `max_active_loans` open loans per borrower at a point, whatever the concurrency: the
-- advisory lock serialises lends to one borrower at one point, and the count after it sees every
-- loan committed before (each statement of a volatile function takes a new snapshot).
CREATE FUNCTION loans_per_borrower() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    allowed int;
    open_loans int;
BEGIN
    IF NEW.borrower_key IS NULL THEN
        RETURN NEW;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtextextended(NEW.point_id || ':' || NEW.borrower_key, 0));
    -- 2 is LoanRules.max_active_loans' default (tests/integration/test_loan_rules.py checks they agree).
    EXECUTE format('SELECT coalesce((SELECT max_active_loans FROM %I.loan_rules WHERE point_id = $1), 2)',
                   TG_TABLE_SCHEMA) INTO allowed USING NEW.point_id;
    EXECUTE format('SELECT count(*) FROM %I.loans WHERE point_id = $1 AND borrower_key = $2 AND returned_at IS NULL',
                   TG_TABLE_SCHEMA) INTO open_loans USING NEW.point_id, NEW.borrower_key;
    IF open_loans >= allowed THEN
        RAISE EXCEPTION 'the borrower has % open loans at point %, the most it allows', open_loans, NEW.point_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'loans_per_borrower';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER loans_per_borrower BEFORE INSERT ON loans
    FOR EACH ROW EXECUTE FUNCTION loans_per_borrower();

-- A device's history: registered, donated, wiped, lent, renewed, returned (with its condition).
-- Appended by the loan use cases in the transaction of the change itself.
CREATE TABLE device_history (
    entry_id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    device_id  text NOT NULL REFERENCES devices,
    at         timestamptz NOT NULL,
    what       text NOT NULL CHECK (what IN ('registered', 'donated', 'wiped', 'lent', 'renewed', 'returned')),
    loan_id    uuid,
    due_at     timestamptz,
    condition  text CHECK (condition IN ('good', 'damaged', 'lost')),
    detail     text,  -- the wipe method, or the notes taken at a return
    by_whom    text
);
CREATE INDEX device_history_by_device ON device_history (device_id, at);

-- What happened before this table existed, as far as the rows tell.
INSERT INTO device_history (device_id, at, what)
    SELECT device_id, donated_at, 'donated' FROM devices WHERE donated_at IS NOT NULL;
INSERT INTO device_history (device_id, at, what, detail, by_whom)
    SELECT device_id, wiped_at, 'wiped', wipe_method, wiped_by FROM devices WHERE wiped_at IS NOT NULL;
INSERT INTO device_history (device_id, at, what, loan_id, due_at)
    SELECT device_id, lent_at, 'lent', loan_id, due_at FROM loans;
INSERT INTO device_history (device_id, at, what, loan_id, condition, detail)
    SELECT device_id, returned_at, 'returned', loan_id, condition, notes FROM loans WHERE returned_at IS NOT NULL;

-- Citizens waiting for a kind of device at a point, first come first served. When one of that
-- kind comes back in good condition the first still waiting is offered it (DeviceAvailable);
-- the entry closes when that person borrows a device of the kind; if the offered device goes to
-- someone else they wait again in their first place. Contact blanked after contact_days from the
-- offer (or the close).
CREATE TABLE device_waitlist (
    entry_id          uuid PRIMARY KEY,
    point_id          text NOT NULL REFERENCES assistance_points,
    kind              text NOT NULL CHECK (kind IN ('laptop', 'tablet', 'smartphone')),
    borrower_key      text NOT NULL,
    language          text NOT NULL,
    contact           jsonb,
    joined_at         timestamptz NOT NULL,
    offered_at        timestamptz,
    offered_device_id text,
    closed_at         timestamptz
);
CREATE UNIQUE INDEX device_waitlist_once_per_borrower ON device_waitlist (point_id, kind, borrower_key)
    WHERE closed_at IS NULL;
CREATE INDEX device_waitlist_queue ON device_waitlist (point_id, kind, joined_at) WHERE closed_at IS NULL;
