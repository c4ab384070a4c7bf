-- How to tell the citizen about an important letter (from LetterIssued.contact, optional):
-- carried on to notify in LetterDeliveredToEbox and LetterUnreadEscalated.
ALTER TABLE letters ADD COLUMN contact text;
