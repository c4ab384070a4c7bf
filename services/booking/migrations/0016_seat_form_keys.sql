-- The key of the public page's booking form (page/submission.py): a form sent twice books one
-- seat. Unique, so two copies sent at once cannot both insert; NULL for staff and API bookings.
ALTER TABLE seat_bookings ADD COLUMN form_key text UNIQUE;

-- The citizen's own link to cancel a seat booked on the public page: only its SHA-256 is kept.
ALTER TABLE seat_bookings ADD COLUMN cancel_digest text;
