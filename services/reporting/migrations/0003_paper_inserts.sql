-- The eBox campaign's decisions (LetterInsertDecided): which paper letters carried the insert
-- page and which recipients were held out, so the council sees whether the insert moves people
-- to the eBox, against the holdout, with a confidence interval. The recipient is the letter's
-- `citizen` pseudonym in `letters`; nothing personal here.
CREATE TABLE paper_inserts (
    letter_id     uuid PRIMARY KEY,
    municipality  text NOT NULL,
    department    text NOT NULL,
    campaign      text NOT NULL,
    arm           text NOT NULL,
    decided_at    timestamptz NOT NULL
);
CREATE INDEX paper_inserts_municipality ON paper_inserts (municipality, decided_at);
