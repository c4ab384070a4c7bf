-- The letters API (services/ebox_bridge/api/). A letter accepted over HTTP is written to the
-- outbox as LetterIssued and admitted by intake like any other; this row remembers what the API
-- knows before that happens (the sender's reference, for look-ups) and that the API took it.
CREATE TABLE api_letters (
    letter_id         uuid PRIMARY KEY,
    municipality      text NOT NULL,
    sender_reference  text,
    -- content_sha256 of the LetterIssued payload: a re-sent letter_id must carry the same letter.
    content_sha256    text NOT NULL,
    accepted_at       timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX api_letters_reference ON api_letters (municipality, sender_reference)
    WHERE sender_reference IS NOT NULL;

-- One stored answer per (municipality, Idempotency-Key): a retry of the same request gets it
-- again, another request under the same key a 409. Keys are scoped per municipality, so two
-- back-offices never collide.
CREATE TABLE api_idempotency_keys (
    municipality     text NOT NULL,
    idempotency_key  text NOT NULL,
    request_sha256   text NOT NULL,
    status           int NOT NULL,
    response         jsonb NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (municipality, idempotency_key)
);

-- GET /v1/letters lists a municipality's letters newest first, paged by (received_at, letter_id).
CREATE INDEX letters_by_municipality ON letters (municipality, received_at DESC, letter_id DESC);
