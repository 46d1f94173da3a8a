-- Event payloads are kept as the JSON text the service wrote (json, not jsonb): building jsonb took a fifth of the group commit's CPU, and the log is read whole (relay, recovery, replay, the events API), not searched inside. Rewrites the table once.
ALTER TABLE event_log ALTER COLUMN payload TYPE json USING payload::json;
