-- A municipality may confirm a citizen's phone number before a public booking: a six-digit code
-- goes to the number by SMS and the booking is made once it is typed back (against SMS pumping).
-- Neither the number nor the code is kept in clear: the rows only compare. Retention removes a
-- check a day after it was asked for.
CREATE TABLE phone_checks (
    check_id      uuid PRIMARY KEY,
    municipality  text NOT NULL,
    phone_digest  text NOT NULL,
    code_digest   text NOT NULL,
    wrong_tries   int NOT NULL DEFAULT 0,
    created_at    timestamptz NOT NULL,
    expires_at    timestamptz NOT NULL,
    confirmed_at  timestamptz,
    used_at       timestamptz
);
-- "How many codes did this number get today" (the cap per number) reads this.
CREATE INDEX phone_checks_by_phone ON phone_checks (phone_digest, created_at);
