CREATE TABLE helpers (id serial PRIMARY KEY, point_id text NOT NULL REFERENCES points(id));
INSERT INTO helpers (point_id) VALUES ('mechelen-stadhuis');
-- A slow step widens the window in which a second migrator could interfere.
SELECT pg_sleep(0.3);
