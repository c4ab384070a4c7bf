-- A letter bpost returned (paper `returned`) is a task for the letter desk: check the address
-- with the population register before anything else is sent there. When a clerk marks it done,
-- and who (the principal's name, for the audit trail), is kept on the letter.
ALTER TABLE letters ADD COLUMN address_checked_at timestamptz;
ALTER TABLE letters ADD COLUMN address_checked_by text;
CREATE INDEX letters_address_checks ON letters (municipality) WHERE paper_state = 'returned' AND address_checked_at IS NULL;
