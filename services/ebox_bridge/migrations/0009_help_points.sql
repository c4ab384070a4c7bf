-- The bridge's copy of booking's assistance point cards (points.v1), for the insert page of
-- paper letters: the nearest points offering eBox activation, printed at the cut-off even when
-- booking is down. The newest card per point wins (cards may arrive twice or out of order).
CREATE TABLE help_points (
    point_id      text PRIMARY KEY,
    municipality  text NOT NULL,
    card          jsonb NOT NULL,
    published_at  timestamptz NOT NULL,
    received_at   timestamptz NOT NULL DEFAULT now()
);

-- One row per paper letter that was considered for an insert: which arm it fell in (the insert,
-- or the holdout that gets none, so the campaign's effect can be measured), the campaign and
-- the points printed. Only the first paper letter of a recipient in a quarter gets a row (the
-- quarter rule); later ones carry no insert. `recipient_key` is a digest of the national
-- number keyed with the quarter's key (below), never the number.
CREATE TABLE paper_inserts (
    letter_id      uuid PRIMARY KEY,
    municipality   text NOT NULL,
    department     text NOT NULL,
    quarter        text NOT NULL,             -- e.g. 2026Q4
    recipient_key  text,
    arm            text NOT NULL CHECK (arm IN ('insert', 'holdout')),
    variant        text NOT NULL,
    campaign       text NOT NULL,
    point_ids      text[] NOT NULL DEFAULT '{}',
    decided_at     timestamptz NOT NULL DEFAULT now()
);
-- The quarter rule: one decision (insert or holdout) per recipient, municipality and quarter.
CREATE UNIQUE INDEX paper_inserts_once_a_quarter ON paper_inserts (municipality, quarter, recipient_key)
    WHERE recipient_key IS NOT NULL;

-- The key of `recipient_key` for one quarter, random, made on first use. The quarter rule only
-- compares recipients within a quarter, so each quarter has its own key; retention deletes a
-- quarter's key (and blanks its recipient keys) once the campaign's figures no longer need it,
-- after which nobody can tell whose rows they were, not even by hashing every national number.
CREATE TABLE insert_quarter_keys (
    quarter     text PRIMARY KEY,
    key         bytea NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
