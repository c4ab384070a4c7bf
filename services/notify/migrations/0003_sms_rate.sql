-- The SMS provider's rate limit is the platform's, not one process's: every notify replica takes
-- its tokens from this one bucket (services/notify/token_bucket.py), so N replicas together stay
-- within the provider's published rate instead of N times it.
CREATE TABLE sms_rate (
    id          int PRIMARY KEY CHECK (id = 1),
    tokens      double precision NOT NULL,
    updated_at  timestamptz NOT NULL
);
INSERT INTO sms_rate (id, tokens, updated_at) VALUES (1, 0, now());
