-- A dead letter keeps at most DEAD_LETTER_PAYLOAD_BYTES of its input (a 700 KB letter made a Kafka record the broker refused, which stopped the relay), so each letter records the input's full size and SHA-256 beside the kept prefix; and the records Kafka refuses for good are parked in a table of their own, so the relay moves past them and an operator can republish them.

-- Letters written before this migration kept the whole input: their size and digest are computed
-- from it (a single pass; the table holds rejected inputs only, and retention keeps it short).
ALTER TABLE dead_letters
  ADD COLUMN payload_size bigint,
  ADD COLUMN payload_sha256 text;
UPDATE dead_letters
   SET payload_size = octet_length(payload), payload_sha256 = encode(sha256(payload), 'hex');
ALTER TABLE dead_letters
  ALTER COLUMN payload_size SET NOT NULL,
  ALTER COLUMN payload_sha256 SET NOT NULL;

-- One row per event Kafka refused for good (too large, invalid), with the broker's reason. The
-- event itself stays in the event log; the row names it by event id and keeps a copy of it, so a
-- republish does not depend on retention keeping its partition.
CREATE TABLE parked_records (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  relay           text NOT NULL,
  event_id        text NOT NULL,
  event_type      text NOT NULL,
  event_key       text NOT NULL,
  payload         jsonb NOT NULL,
  json_bytes      integer NOT NULL,  -- the event's size as JSON, to judge the limit it needs
  error_code      text NOT NULL,
  reason          text NOT NULL,
  parked_at       timestamptz NOT NULL DEFAULT now(),
  -- Set by the republish command; the leading relay publishes the record and sets republished_at.
  republish_requested_at  timestamptz,
  republished_at  timestamptz,
  UNIQUE (relay, event_id)
);
CREATE INDEX parked_records_waiting ON parked_records (relay, id) WHERE republished_at IS NULL;
