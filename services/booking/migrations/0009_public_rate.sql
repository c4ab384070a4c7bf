-- The public endpoints' rate limit, one token bucket per client address shared by every replica
-- (a per-process limit multiplies with the replicas). A client's row is deleted once it has been
-- idle an hour (its bucket is full again by then): the address is personal data.
CREATE TABLE public_rate (
    client      text PRIMARY KEY,
    tokens      float8 NOT NULL,
    granted     boolean NOT NULL,
    updated_at  timestamptz NOT NULL
);
CREATE INDEX public_rate_idle ON public_rate (updated_at);
