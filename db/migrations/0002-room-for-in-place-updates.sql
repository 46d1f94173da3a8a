-- Rows rewritten on every commit (machine state, snapshots, part totals, relay cursor) get free room on their pages, so PostgreSQL can update them in place (HOT) instead of adding an index entry per update.
ALTER TABLE machine_state SET (fillfactor = 70);
ALTER TABLE part_state SET (fillfactor = 70);
ALTER TABLE material_state SET (fillfactor = 70);
ALTER TABLE snapshots SET (fillfactor = 70);
ALTER TABLE relay_offsets SET (fillfactor = 50);
