-- Who read or changed personal data, when, which object, from where. Object ids only: never a
-- national number, a name, an address or a phone number.
CREATE TABLE audit_log (
    id              bigserial PRIMARY KEY,
    at              timestamptz NOT NULL DEFAULT clock_timestamp(),
    principal       text NOT NULL,
    principal_kind  text NOT NULL CHECK (principal_kind IN ('person', 'system')),
    role            text NOT NULL,
    municipality    text,
    key_prefix      text,
    action          text NOT NULL,
    object_type     text NOT NULL,
    object_id       text NOT NULL,
    client_address  text,
    service         text NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_principal ON audit_log (principal, at);
