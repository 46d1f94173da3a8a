-- Which Sparkplug B edge node or device each machine is, as the host last saw it born: how a
-- command to the machine (on any instance) finds the NCMD/DCMD topic to send it to.
CREATE TABLE sparkplug_sources (
  machine_id  text PRIMARY KEY,
  group_id    text NOT NULL,
  edge_node   text NOT NULL,
  device      text,
  born_at     timestamptz NOT NULL
);
