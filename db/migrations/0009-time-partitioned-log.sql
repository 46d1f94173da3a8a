-- The event log and the idempotency keys of inputs that changed nothing become tables partitioned by time (PostgreSQL's declarative partitioning, no extension), so retention drops whole partitions instead of deleting rows. The service creates the partitions ahead of time (EVENT_PARTITION wide, aligned to UTC); this migration keeps the rows already there in one partition each, attached as they are (no copy), which retention drops once all of it is older than the cutoff.
--
-- No default partition: with one, PostgreSQL cannot detach a partition CONCURRENTLY, and detaching without it takes a lock that queues every commit. A row no partition holds is retried until the maintainer has made one.
--
-- A unique key of a partitioned table must hold the partition key, so (entity_type, entity_id, sequence) and event_id are unique within a partition, not across them. Two processes deciding the same entity at once is what the per-entity key caught, and it is kept from happening before the commit: one actor per entity and process, and in cluster mode the partition epochs fence a process that lost its inputs. Within a partition, which is where two such commits land but for the instant a partition ends, the key still refuses the second.

DO $$
DECLARE
  -- Rows recorded up to the next whole minute stay in the first partition; the service's
  -- partitions start there.
  first_bound timestamptz := date_trunc('minute', now()) + interval '1 minute';
  next_position bigint;
BEGIN
  ALTER TABLE event_log RENAME TO event_log_before_partitions;
  ALTER TABLE event_log_before_partitions ALTER COLUMN position DROP IDENTITY IF EXISTS;
  SELECT coalesce(max(position), 0) + 1 INTO next_position FROM event_log_before_partitions;
  -- Unique keys without the partition key cannot be attached; their replacements are built on attach.
  ALTER TABLE event_log_before_partitions
    DROP CONSTRAINT event_log_pkey,
    DROP CONSTRAINT event_log_event_id_key,
    DROP CONSTRAINT event_log_entity_type_entity_id_sequence_key;
  -- Equal to the new table's indexes, so attaching adopts them instead of building them again.
  ALTER INDEX event_log_by_commit RENAME TO event_log_before_partitions_by_commit;
  ALTER INDEX event_log_by_type_time RENAME TO event_log_before_partitions_by_type_time;
  ALTER INDEX event_log_by_input RENAME TO event_log_before_partitions_by_input;

  CREATE TABLE event_log (
    position         bigint GENERATED ALWAYS AS IDENTITY,
    tx_id            xid8 NOT NULL DEFAULT pg_current_xact_id(),
    event_id         uuid NOT NULL,
    entity_type      text NOT NULL,
    entity_id        text NOT NULL,
    sequence         bigint NOT NULL CONSTRAINT event_log_sequence_check CHECK (sequence > 0),
    type             text NOT NULL,
    occurred_at      timestamptz NOT NULL,
    recorded_at      timestamptz NOT NULL,
    payload          json NOT NULL,
    idempotency_key  text,
    PRIMARY KEY (position, recorded_at),
    UNIQUE (event_id, recorded_at),
    UNIQUE (entity_type, entity_id, sequence, recorded_at)
  ) PARTITION BY RANGE (recorded_at);
  EXECUTE format('ALTER TABLE event_log ALTER COLUMN position RESTART WITH %s', next_position);
  CREATE INDEX event_log_by_commit ON event_log (tx_id, position);
  CREATE INDEX event_log_by_type_time ON event_log (type, occurred_at);
  CREATE INDEX event_log_by_input ON event_log USING hash (idempotency_key)
    WHERE idempotency_key IS NOT NULL;
  EXECUTE format(
    'ALTER TABLE event_log ATTACH PARTITION event_log_before_partitions FOR VALUES FROM (MINVALUE) TO (%L)',
    first_bound);

  ALTER TABLE processed_inputs RENAME TO processed_inputs_before_partitions;
  ALTER TABLE processed_inputs_before_partitions DROP CONSTRAINT processed_inputs_pkey;
  -- Not unique: an actor checks its keys before it commits, and a key is looked up by all three.
  CREATE TABLE processed_inputs (
    entity_type      text NOT NULL,
    entity_id        text NOT NULL,
    idempotency_key  text NOT NULL,
    processed_at     timestamptz NOT NULL DEFAULT now()
  ) PARTITION BY RANGE (processed_at);
  CREATE INDEX processed_inputs_by_key ON processed_inputs (entity_type, entity_id, idempotency_key);
  EXECUTE format(
    'ALTER TABLE processed_inputs ATTACH PARTITION processed_inputs_before_partitions FOR VALUES FROM (MINVALUE) TO (%L)',
    first_bound);
END $$;

-- The view read the old tables; it reads the partitioned ones again.
CREATE OR REPLACE VIEW committed_inputs AS
  SELECT entity_type, entity_id, idempotency_key FROM processed_inputs
  UNION ALL
  SELECT entity_type, entity_id, idempotency_key FROM event_log WHERE idempotency_key IS NOT NULL;

-- Every partition retention takes off: its bounds, what it held and where it was archived, written before it is detached, so a retention interrupted between detaching and dropping it finishes the job (or attaches it again) on its next pass.
CREATE TABLE retired_partitions (
  partition_name  text PRIMARY KEY,
  parent          text NOT NULL,
  range_from      timestamptz,
  range_to        timestamptz NOT NULL,
  events          bigint NOT NULL,
  archive_file    text,
  archive_sha256  text,
  archive_bytes   bigint,
  detached_at     timestamptz NOT NULL DEFAULT now(),
  dropped_at      timestamptz
);
