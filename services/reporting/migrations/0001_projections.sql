-- Read models for KPIs. Every projection is an upsert keyed by the aggregate, each event
-- touching only its own columns (later facts win by occurred_at where facts can change), so
-- replaying, duplicating or reordering events gives the same rows. No national number is ever
-- stored: citizens appear only as keyed pseudonyms (HMAC-SHA-256).
CREATE TABLE visits (
    visit_id          uuid PRIMARY KEY,
    point_id          text,
    municipality      text,
    point_kind        text,
    language          text,
    walk_in           boolean,
    started_at        timestamptz,
    waited_seconds    int,
    ended_at          timestamptz,
    topic             text,
    outcome           text,
    duration_seconds  int
);

CREATE TABLE appointments (
    appointment_id     uuid PRIMARY KEY,
    point_id           text,
    municipality       text,
    point_kind         text,
    service            text,
    language           text,
    booked_via         text,
    booked_at          timestamptz,
    lead_time_seconds  int,
    starts_at          timestamptz,
    starts_version     timestamptz,
    cancelled_at       timestamptz,
    cancel_reason      text,
    attended_at        timestamptz,
    no_show_at         timestamptz
);

CREATE TABLE notifications (
    notification_id       uuid PRIMARY KEY,
    kind                  text,
    channel               text,
    trigger_aggregate_id  text,
    municipality          text,
    sent_at               timestamptz,
    delivered_at          timestamptz,
    failed_status         text,
    failed_at             timestamptz
);
CREATE INDEX notifications_aggregate ON notifications (trigger_aggregate_id);

CREATE TABLE letters (
    letter_id          uuid PRIMARY KEY,
    municipality       text,
    department         text,
    document_type      text,
    language           text,
    important          boolean,
    citizen            text,
    issued_at          timestamptz,
    ebox_delivered_at  timestamptz,
    read_at            timestamptz,
    escalated_at       timestamptz,
    queued_at          timestamptz,
    print_reason       text,
    postage_class      text,
    pages              int,
    printed_at         timestamptz,
    posted_at          timestamptz,
    returned_at        timestamptz,
    failed_channel     text,
    failed_code        text
);
CREATE INDEX letters_citizen ON letters (citizen);

CREATE TABLE activations (
    activation_id  uuid PRIMARY KEY,
    citizen        text,
    point_id       text,
    municipality   text,
    activated_at   timestamptz
);

CREATE TABLE loans (
    loan_id       uuid PRIMARY KEY,
    point_id      text,
    municipality  text,
    device_kind   text,
    lent_at       timestamptz,
    due_at        timestamptz,
    returned_at   timestamptz,
    condition     text,
    overdue_days  int
);
