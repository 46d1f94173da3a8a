-- The plant's downtime records and parts per machine, line and minute, kept by the downtime follower from the committed log, so a line's KPIs over a week read a few rows per machine and never the log.

-- One row per stop (any state but running), stamped with the line the machine stood in when it
-- began; the id is the opening event's place in the log. ended_at is null while it lasts.
CREATE TABLE downtime_records (
  id           text PRIMARY KEY,
  machine_id   text NOT NULL,
  line_id      text NOT NULL,
  state        text NOT NULL,
  started_at   timestamptz NOT NULL,
  ended_at     timestamptz,
  reason_code  text
);
CREATE INDEX downtime_records_by_line ON downtime_records (line_id, started_at);
CREATE INDEX downtime_records_by_machine ON downtime_records (machine_id, started_at);

-- Parts per machine, line and minute: shift and window boundaries are whole minutes, so a
-- minute is wholly in planned time or out of it.
CREATE TABLE plant_part_minutes (
  line_id         text NOT NULL,
  machine_id      text NOT NULL,
  bucket          timestamptz NOT NULL,
  produced        bigint NOT NULL,
  good            bigint NOT NULL,
  ideal_ms        float8 NOT NULL,
  scrap_ideal_ms  float8 NOT NULL,
  PRIMARY KEY (line_id, machine_id, bucket)
) WITH (fillfactor = 70);

-- Each machine's state as the follower last applied it, and its open record.
CREATE TABLE downtime_clock (
  machine_id  text PRIMARY KEY,
  state       text NOT NULL,
  since       timestamptz NOT NULL,
  open_id     text
);
