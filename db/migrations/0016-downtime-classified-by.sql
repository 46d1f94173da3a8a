-- Who gave a stop its reason when a supervisor classified it (DowntimeClassified), null when the machine did; and part minutes by machine, for the KPIs of a machine moved between lines.
ALTER TABLE downtime_records ADD COLUMN classified_by text;

-- The KPIs read every line a machine stood on (its moves), so by machine and minute too.
CREATE INDEX plant_part_minutes_by_machine ON plant_part_minutes (machine_id, bucket);
