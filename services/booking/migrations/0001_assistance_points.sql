-- Assistance points. The full record is kept as the validated document (its shape is owned by
-- services/booking/points/model.py); the columns are what queries filter and sort on.
CREATE TABLE assistance_points (
    point_id      text PRIMARY KEY,
    kind          text NOT NULL,
    municipality  text NOT NULL,
    postcode      text NOT NULL,
    latitude      double precision NOT NULL,
    longitude     double precision NOT NULL,
    languages     text[] NOT NULL,
    services      text[] NOT NULL,
    document      text NOT NULL,
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX assistance_points_municipality ON assistance_points (municipality);
