-- Who did what through the API: one row per command, ingest or raw publish made with a known API key (its name, never the key), kept for GET /api/v1/audit.
CREATE TABLE audit_log (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  key_name text NOT NULL,
  action text NOT NULL,
  target text NOT NULL,
  outcome text NOT NULL
);
