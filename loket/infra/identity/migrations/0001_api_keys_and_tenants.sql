-- The platform's identity schema: who may act, for which municipality (REFNIS code).

-- One row per onboarded municipality; `document` is the validated tenant file entry (eBox sender
-- identity, paper sender block and return address, SMS sender name, languages, retention).
CREATE TABLE tenants (
    municipality  text PRIMARY KEY CHECK (municipality ~ '^[0-9]{5}$'),
    name          text NOT NULL,
    document      jsonb NOT NULL,
    updated_at    timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- API keys of systems (and scripts). The secret is stored as SHA-256 only; the prefix is public.
CREATE TABLE api_keys (
    prefix         text PRIMARY KEY,
    secret_sha256  text NOT NULL,
    name           text NOT NULL,
    municipality   text CHECK (municipality ~ '^[0-9]{5}$'),  -- NULL: the platform operator
    role           text NOT NULL,
    points         text[] NOT NULL DEFAULT '{}',
    created_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    created_by     text NOT NULL,
    expires_at     timestamptz,
    revoked_at     timestamptz,
    last_used_at   timestamptz,
    CHECK (municipality IS NOT NULL OR role = 'operator')
);
CREATE INDEX api_keys_municipality ON api_keys (municipality);
