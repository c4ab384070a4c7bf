-- The outbox's unique index on event_id goes: it guarded nothing and cost every write.
-- - Event ids are fresh UUIDs made by the producer; nothing looks an outbox row up by one, and
--   the consumers de-duplicate by event id in their inbox, where it is the key.
-- - Every append inserted a random key into it, and every "mark sent" update added a second
--   entry (the update is not HOT: `sent_at` is in the unsent index's condition). Without it,
--   PostgreSQL spent 0.25 of 1.9 CPU s less on the pipeline's statements for 50 000 events
--   (`loket bench bus`, the "PostgreSQL work alone" row; docs/performance.md, run 9).
ALTER TABLE outbox DROP CONSTRAINT outbox_event_id_key;
