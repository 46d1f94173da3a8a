-- The processing core's storage: an event log that doubles as the Kafka outbox, idempotency keys, snapshots, machine/part/material state and dead letters.

-- One row per event. tx_id orders rows by commit for the outbox relay (a position alone can
-- be committed out of order by concurrent transactions).
CREATE TABLE event_log (
  position     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tx_id        xid8 NOT NULL DEFAULT pg_current_xact_id(),
  event_id     uuid NOT NULL UNIQUE,
  entity_type  text NOT NULL,
  entity_id    text NOT NULL,
  sequence     bigint NOT NULL CHECK (sequence > 0),
  type         text NOT NULL,
  occurred_at  timestamptz NOT NULL,
  recorded_at  timestamptz NOT NULL,
  payload      jsonb NOT NULL,
  UNIQUE (entity_type, entity_id, sequence)
);
CREATE INDEX event_log_by_commit ON event_log (tx_id, position);
CREATE INDEX event_log_by_type_time ON event_log (type, occurred_at);

-- An input's idempotency key is claimed once per entity; a redelivery finds it taken.
CREATE TABLE processed_inputs (
  entity_type      text NOT NULL,
  entity_id        text NOT NULL,
  idempotency_key  text NOT NULL,
  processed_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (entity_type, entity_id, idempotency_key)
);

-- Latest snapshot per entity; recovery folds the events after it.
CREATE TABLE snapshots (
  entity_type  text NOT NULL,
  entity_id    text NOT NULL,
  sequence     bigint NOT NULL,
  state        jsonb NOT NULL,
  taken_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (entity_type, entity_id)
);

-- Current machine state for queries, kept in step with the log in the same transaction.
CREATE TABLE machine_state (
  machine_id        text PRIMARY KEY,
  sequence          bigint NOT NULL,
  state             text NOT NULL,
  state_since       timestamptz,
  last_seen_at      timestamptz,
  produced          bigint NOT NULL,
  scrapped          bigint NOT NULL,
  last_order        bigint,
  last_part_id      bigint,
  last_produced_at  timestamptz,
  metrics           jsonb NOT NULL DEFAULT '{}',
  metrics_at        timestamptz,
  availability      float8,
  performance       float8,
  quality           float8,
  oee               float8,
  alerts            jsonb NOT NULL DEFAULT '{}',
  updated_at        timestamptz NOT NULL DEFAULT now()
);

-- Part reference data (written by part actors) and production totals over all machines
-- (added by machine commits, in the same transaction as each PartProduced).
CREATE TABLE part_state (
  part_id          bigint PRIMARY KEY,
  sequence         bigint NOT NULL DEFAULT 0,
  default_price    float8,
  time_to_produce  float8,
  materials        text[] NOT NULL DEFAULT '{}',
  info_updated_at  timestamptz,
  produced         bigint NOT NULL DEFAULT 0,
  scrapped         bigint NOT NULL DEFAULT 0,
  updated_at       timestamptz NOT NULL DEFAULT now()
);

-- Latest material prices; the full history is in the event log.
CREATE TABLE material_state (
  material_id  text PRIMARY KEY,
  sequence     bigint NOT NULL,
  name         text NOT NULL,
  price        float8 NOT NULL,
  price_date   timestamptz NOT NULL,
  updated_at   timestamptz NOT NULL DEFAULT now()
);

-- Inputs that were rejected, with why. A redelivered bad message is stored once.
CREATE TABLE dead_letters (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  source           text NOT NULL,
  payload          bytea NOT NULL,
  reason           text NOT NULL,
  idempotency_key  text NOT NULL UNIQUE,
  received_at      timestamptz NOT NULL,
  recorded_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dead_letters_by_time ON dead_letters (recorded_at);

-- How far each outbox relay has published, by commit order.
CREATE TABLE relay_offsets (
  relay       text PRIMARY KEY,
  tx_id       xid8 NOT NULL,
  position    bigint NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Epoch milliseconds (as the services carry times) to timestamptz; NULL stays NULL.
CREATE FUNCTION ms_to_ts(ms float8) RETURNS timestamptz
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN to_timestamp(ms / 1000);

-- timestamptz to epoch milliseconds, as events carry times.
CREATE FUNCTION ts_to_ms(ts timestamptz) RETURNS bigint
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN round(extract(epoch FROM ts) * 1000)::bigint;
