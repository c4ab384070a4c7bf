-- Letters and their state machine. One row per letter, one column pair per channel: a letter
-- routed `both` lives on both channels at once, and each channel ends in its own terminal state.
--   letter:  received -> routed
--   ebox:    pending -> publishing -> delivered_to_ebox -> read | unread_escalated
--            publishing -> pending (transient failure, retried at ebox_due_at)
--            -> not_digital | unavailable (paper takes over) | failed
--   paper:   queued_for_print -> in_batch -> printed -> posted | returned ; failed
CREATE TABLE letters (
    letter_id          uuid PRIMARY KEY,
    -- SHA-256 of the issued payload: a re-issue with the same id must carry the same content.
    content_sha256     text NOT NULL,
    issued_event_id    uuid NOT NULL,
    correlation_id     uuid NOT NULL,
    issued_at          timestamptz NOT NULL,
    received_at        timestamptz NOT NULL DEFAULT clock_timestamp(),
    municipality       text NOT NULL,
    department         text NOT NULL,
    document_type      text NOT NULL,
    language           text NOT NULL,
    -- Personal data, needed to publish to the eBox; never logged, never in metrics or events.
    ssin               text NOT NULL,
    subject            text NOT NULL,
    pdf                bytea NOT NULL,
    pdf_sha256         text NOT NULL,
    pages              int NOT NULL,
    postal_address     text,  -- JSON; text so a batch of letters can be written with COPY
    registered         boolean NOT NULL,
    important          boolean NOT NULL,
    legal_deadline     date,
    routing            text NOT NULL,
    message_type_id    text NOT NULL,
    state              text NOT NULL,
    ebox_state         text,
    ebox_due_at        timestamptz,
    ebox_lease_until   timestamptz,
    ebox_attempts      int NOT NULL DEFAULT 0,
    -- Past this instant an undelivered letter goes to paper (legal deadline - print lead time).
    ebox_fallback_at   timestamptz,
    ebox_last_error    text,
    ebox_message_id    text,
    delivered_at       timestamptz,
    next_read_poll_at  timestamptz,
    escalate_after_days int,
    escalate_at        timestamptz,
    read_at            timestamptz,
    paper_state        text,
    paper_reason       text,
    -- A print batch takes the letters queued before its cut-off.
    paper_queued_at    timestamptz,
    postage_class      text,
    batch_id           text,
    updated_at         timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE INDEX letters_ebox_work ON letters (ebox_due_at) WHERE ebox_state IN ('pending', 'publishing');
CREATE INDEX letters_read_poll ON letters (next_read_poll_at) WHERE ebox_state = 'delivered_to_ebox';
CREATE INDEX letters_print_queue ON letters (paper_queued_at) WHERE paper_state = 'queued_for_print';
CREATE INDEX letters_batch ON letters (batch_id) WHERE batch_id IS NOT NULL;

-- Every transition, for audit and for "why is this letter on paper?".
CREATE TABLE letter_history (
    id          bigserial PRIMARY KEY,
    letter_id   uuid NOT NULL REFERENCES letters (letter_id),
    channel     text NOT NULL CHECK (channel IN ('letter', 'ebox', 'paper')),
    from_state  text,
    to_state    text NOT NULL,
    reason      text,
    at          timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX letter_history_letter ON letter_history (letter_id, id);

-- eBox activation per citizen, cached from the batched preference look-ups; an
-- EboxActivationAssisted event deletes the row so the next letter asks again.
CREATE TABLE ebox_status_cache (
    ssin              text PRIMARY KEY,
    digital           boolean NOT NULL,
    exclusively_ebox  boolean NOT NULL DEFAULT false,
    checked_at        timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- A print batch per daily cut-off; the unique cut-off makes closing it twice impossible.
CREATE TABLE print_batches (
    batch_id          text PRIMARY KEY,
    cutoff_at         timestamptz NOT NULL UNIQUE,
    closed_at         timestamptz NOT NULL DEFAULT clock_timestamp(),
    letter_count      int NOT NULL,
    page_count        int NOT NULL,
    files_written_at  timestamptz,
    manifest_sha256   text
);
