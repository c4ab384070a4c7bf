-- Retention (issue 15). A print batch's folder in the spool (every address of the batch) is
-- removed once all its letters are settled on paper and the batch closed `postal_address_days`
-- ago. The row stays and says when, so the letter desk and the print-house API answer "removed
-- after retention" (410) instead of failing on a missing file.
ALTER TABLE print_batches ADD COLUMN files_purged_at timestamptz;

-- A finished webhook delivery loses its body (the event as published) `contact_days` after it
-- finished; state, times, attempts and the last answer stay. NULL: removed, so no replay.
ALTER TABLE webhook_deliveries ALTER COLUMN body DROP NOT NULL;
