-- An input that caused events keeps its idempotency key on its first event row, so committing it writes one row instead of two (the key's row in processed_inputs cost as much as the event's). processed_inputs keeps the inputs that changed nothing, and those committed before this migration.
ALTER TABLE event_log ADD COLUMN idempotency_key text;

-- A hash index: one small entry per key and no text comparisons on insert (a b-tree over entity type, id and key was the costliest index of the commit). It need not be unique: an actor commits one write at a time and checks its keys first, and should two processes ever race with the same input, both decide from the same state, so their events collide on (entity_type, entity_id, sequence) and one commit fails.
CREATE INDEX event_log_by_input ON event_log USING hash (idempotency_key)
  WHERE idempotency_key IS NOT NULL;

-- Every committed input, wherever its key is kept.
CREATE VIEW committed_inputs AS
  SELECT entity_type, entity_id, idempotency_key FROM processed_inputs
  UNION ALL
  SELECT entity_type, entity_id, idempotency_key FROM event_log WHERE idempotency_key IS NOT NULL;
