-- Whether a letter was sent as registered mail (from LetterIssued): a letter the eBox delivered
-- never got a postage class from the print queue, so cost avoided per postage class needs it.
ALTER TABLE letters ADD COLUMN registered boolean;
-- When its sender cancelled it before it went anywhere (LetterCancelled): neither eBox nor paper,
-- and no longer "pending" in the channel figures.
ALTER TABLE letters ADD COLUMN cancelled_at timestamptz;
