-- The API's history reads (/events by key and by time, /production by machine, part, order and damaged) each get an index, so a filter reads the rows it selects instead of the whole log: on a large log the first cursor read of /events?key= or /production?partId= scanned every partition. Indexes on the partitioned parent are made on every partition, and on each partition attached later (the maintainer's new ones get them as they attach, empty).
--
-- Each is in position order after its key, so a filtered answer streams in log order without a sort. The payload fields are indexed as the text of their JSON value (payload->>'partId'), which is how the read compares them, and only on PartProduced rows, the only events that carry them. Damaged has two values, but an expression index also gives the planner statistics of the expression: without them it took damaged=false for a rare case and planned a sequential scan of every partition.
CREATE INDEX event_log_by_entity ON event_log (entity_id, position);
-- A time window without a type: (type, occurred_at) cannot serve it without a type to lead with.
CREATE INDEX event_log_by_time ON event_log (occurred_at);
CREATE INDEX event_log_parts_by_part ON event_log ((payload->>'partId'), position)
  WHERE type = 'PartProduced';
CREATE INDEX event_log_parts_by_order ON event_log ((payload->>'order'), position)
  WHERE type = 'PartProduced';
CREATE INDEX event_log_parts_by_damaged ON event_log ((payload->>'damaged'), position)
  WHERE type = 'PartProduced';
