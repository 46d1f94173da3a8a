-- Who gave a stop its reason when a supervisor classified it (DowntimeClassified), null when the machine did.
ALTER TABLE downtime_records ADD COLUMN classified_by text;
