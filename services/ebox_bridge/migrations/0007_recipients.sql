-- Letters to companies (issue 18): a recipient is a citizen or an enterprise. `ssin` keeps the
-- recipient's eBox identifier either way: a citizen's national register or BIS number (11 digits,
-- personal data) or an enterprise's KBO/BCE number (10 digits), so the two can never collide,
-- in `letters` nor as keys of `ebox_status_cache`. Retention and erasure blank it as before.
ALTER TABLE letters ADD COLUMN recipient_kind text NOT NULL DEFAULT 'citizen'
    CHECK (recipient_kind IN ('citizen', 'enterprise'));
