-- Time series for charts: telemetry readings and OEE inputs per minute and per hour, kept by the series follower as the log is committed, so drawing a chart reads a few thousand rollup rows and never scans the event log.

-- Every telemetry reading as it came, for buckets under a minute. Rows arrive roughly in time
-- order, so a BRIN index finds the old ones for retention at a fraction of a b-tree's cost per
-- insert.
CREATE TABLE series_readings (
  machine_id  text NOT NULL,
  metric      text NOT NULL,
  at          timestamptz NOT NULL,
  value       float8 NOT NULL
);
CREATE INDEX series_readings_by_metric ON series_readings (machine_id, metric, at);
CREATE INDEX series_readings_by_time ON series_readings USING brin (at);

-- The metrics each machine has reported, so "every metric" reads by key, not by a scan.
CREATE TABLE series_metric_names (
  machine_id  text NOT NULL,
  metric      text NOT NULL,
  PRIMARY KEY (machine_id, metric)
);

-- Readings per metric and minute / hour: enough to re-aggregate into any coarser bucket
-- (avg = Σsum / Σcount, min of min, max of max, last by time). Rollup rows are updated by
-- every batch that touches their bucket: free room on each page lets PostgreSQL do it in
-- place (HOT), and they are written in time order, so BRIN serves retention as for readings.
CREATE TABLE series_metric_minutes (
  machine_id  text NOT NULL,
  metric      text NOT NULL,
  bucket      timestamptz NOT NULL,
  count       bigint NOT NULL,
  sum         float8 NOT NULL,
  min         float8 NOT NULL,
  max         float8 NOT NULL,
  last        float8 NOT NULL,
  last_at     timestamptz NOT NULL,
  PRIMARY KEY (machine_id, metric, bucket)
) WITH (fillfactor = 70);
CREATE INDEX series_metric_minutes_by_time ON series_metric_minutes USING brin (bucket);

CREATE TABLE series_metric_hours (LIKE series_metric_minutes INCLUDING ALL) WITH (fillfactor = 70);

-- OEE inputs per machine and minute / hour. planned = running + idle + down (maintenance and
-- unknown are unplanned); availability = running / planned, performance = ideal / running,
-- quality = (produced - scrapped) / produced.
CREATE TABLE series_machine_minutes (
  machine_id  text NOT NULL,
  bucket      timestamptz NOT NULL,
  produced    bigint NOT NULL,
  scrapped    bigint NOT NULL,
  planned_ms  bigint NOT NULL,
  running_ms  bigint NOT NULL,
  ideal_ms    float8 NOT NULL,
  PRIMARY KEY (machine_id, bucket)
) WITH (fillfactor = 70);
CREATE INDEX series_machine_minutes_by_time ON series_machine_minutes USING brin (bucket);

CREATE TABLE series_machine_hours (LIKE series_machine_minutes INCLUDING ALL) WITH (fillfactor = 70);

-- The same summed over every machine, so the plant's chart reads one row per bucket instead of
-- one per machine.
CREATE TABLE series_plant_minutes (
  bucket      timestamptz PRIMARY KEY,
  produced    bigint NOT NULL,
  scrapped    bigint NOT NULL,
  planned_ms  bigint NOT NULL,
  running_ms  bigint NOT NULL,
  ideal_ms    float8 NOT NULL
) WITH (fillfactor = 50);

CREATE TABLE series_plant_hours (LIKE series_plant_minutes INCLUDING ALL) WITH (fillfactor = 50);

-- Each machine's run state and the time up to which its durations are counted: the follower
-- splits a state's time across buckets when it learns how long it lasted, and a restart
-- resumes from here.
CREATE TABLE series_machine_clock (
  machine_id  text PRIMARY KEY,
  state       text NOT NULL,
  since       timestamptz NOT NULL
) WITH (fillfactor = 70);
