-- People who sign in: local accounts (an OpenID Connect sign-in will map onto these rows) and
-- their browser sessions. Written only by loket/infra/identity/account_repository.py.

CREATE TABLE accounts (
    id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username              text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9][a-z0-9._@-]{1,62}$'),
    display_name          text NOT NULL,
    municipality          text CHECK (municipality ~ '^[0-9]{5}$'),  -- NULL: the platform operator
    role                  text NOT NULL,
    points                text[] NOT NULL DEFAULT '{}',
    language              text NOT NULL DEFAULT 'nl' CHECK (language IN ('nl', 'fr', 'de', 'en')),
    password_hash         text NOT NULL,  -- argon2id, PHC string (parameters travel with it)
    totp_secret           text,           -- base32; NULL: no second factor
    totp_last_step        bigint,         -- the last accepted 30 s step: a code works once
    failed_attempts       integer NOT NULL DEFAULT 0,
    locked_until          timestamptz,
    disabled_at           timestamptz,
    must_change_password  boolean NOT NULL DEFAULT false,
    created_at            timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at            timestamptz NOT NULL DEFAULT clock_timestamp(),
    CHECK (municipality IS NOT NULL OR role = 'operator')
);
CREATE INDEX accounts_municipality ON accounts (municipality);

-- One row per signed-in browser (or one half-way through its second factor). The cookie holds
-- the session id; only its SHA-256 is stored, so a leaked table signs nobody in.
CREATE TABLE sessions (
    id_sha256            text PRIMARY KEY,
    account_id           bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    stage                text NOT NULL CHECK (stage IN ('code_due', 'active')),
    created_at           timestamptz NOT NULL,
    last_seen_at         timestamptz NOT NULL,
    idle_expires_at      timestamptz NOT NULL,
    absolute_expires_at  timestamptz NOT NULL,
    csrf_secret          text NOT NULL,
    user_agent           text,   -- for the audit of who signed in from where
    ip_address           text
);
CREATE INDEX sessions_account ON sessions (account_id);
CREATE INDEX sessions_expiry ON sessions (absolute_expires_at);
