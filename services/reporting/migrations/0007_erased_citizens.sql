-- A citizen's erasure request: their pseudonym in `letters` and `activations` is replaced by
-- one derived from the request alone (it links to no number, and stays the same for all their
-- rows, so counts of distinct citizens do not change). `citizen_version` 1 marks a replaced
-- pseudonym: a `LetterIssued` projected later (another topic's consumer may lag) cannot put the
-- real one back.
ALTER TABLE letters ADD COLUMN citizen_version smallint;
