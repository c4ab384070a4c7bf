-- Donated devices and their data wipe. A donated device comes with its donor's data on it: it
-- may not be lent before a wipe is recorded. The trigger on loans holds that in the database,
-- whatever code path lends it.
ALTER TABLE devices
    ADD COLUMN donated_at    timestamptz,
    ADD COLUMN donor         text,  -- as the donor wishes to be named; blanked after contact_days
    ADD COLUMN wipe_required boolean NOT NULL DEFAULT false,
    ADD COLUMN wiped_at      timestamptz,
    ADD COLUMN wipe_method   text CHECK (wipe_method IN ('factory_reset', 'certified_erasure', 'storage_replaced')),
    ADD COLUMN wiped_by      text,
    ADD CONSTRAINT devices_wipe_recorded_whole CHECK ((wiped_at IS NULL) = (wipe_method IS NULL));

CREATE FUNCTION loan_of_a_wiped_device() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    unwiped boolean;
BEGIN
    EXECUTE format('SELECT wipe_required AND wiped_at IS NULL FROM %I.devices WHERE device_id = $1', TG_TABLE_SCHEMA)
        INTO unwiped USING NEW.device_id;
    IF unwiped THEN
        RAISE EXCEPTION 'device % was donated and its data wipe is not recorded', NEW.device_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'loan_of_a_wiped_device';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER loan_of_a_wiped_device BEFORE INSERT ON loans
    FOR EACH ROW EXECUTE FUNCTION loan_of_a_wiped_device();
