-- An erasure request (`CitizenErasureRequested`) the bridge cannot finish at once: the citizen's
-- letters still in flight keep what delivering them needs and are erased the moment they settle
-- (`deferred_erasure.py`). So the request is remembered by its ids only (never the number), and
-- each of the citizen's letters names the request that erases it: the deferred erasure finds
-- them, and so does `loket privacy scrub NN --erasure ID` after the number is gone.
CREATE TABLE erasure_requests (
    erasure_id uuid PRIMARY KEY,
    event_id uuid NOT NULL,         -- the request's event: the cause of every LetterRecipientErased
    correlation_id uuid NOT NULL,
    requested_at timestamptz NOT NULL
);
ALTER TABLE letters ADD COLUMN erasure_id uuid;
CREATE INDEX letters_by_erasure ON letters (erasure_id) WHERE erasure_id IS NOT NULL;
