-- Deliberately not idempotent: applied twice, this file would fail or duplicate rows.
CREATE TABLE points (id text PRIMARY KEY, name text NOT NULL);
INSERT INTO points VALUES ('mechelen-stadhuis', 'Stadhuis Mechelen');
