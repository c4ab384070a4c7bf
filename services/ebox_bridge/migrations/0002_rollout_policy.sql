-- Every change to the rollout policy is a new version (import or `loket policy set`), so
-- "which rule routed this letter to paper last March?" stays answerable.
CREATE TABLE rollout_policy_versions (
    version      serial PRIMARY KEY,
    document     jsonb NOT NULL,
    fingerprint  text NOT NULL,
    source       text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
