-- What booking last published about each point on points.v1 (its public card): the digest of
-- the point's document at that time and when. A round publishes the card again when the
-- document changed (whoever changed it: the seed, a closure, a manager in the app) and once a
-- day anyway, so a consumer that starts after the bus dropped old records still learns every
-- point.
ALTER TABLE assistance_points
    ADD COLUMN card_digest text,
    ADD COLUMN card_published_at timestamptz;
