-- Cluster mode. A partition of the ingest topic is processed by one instance at a time: the one that claimed its current epoch. Every commit share-locks and checks the epoch of the partitions its inputs came from, so an instance that lost a partition (a zombie) commits nothing; a claim bumps the epoch, waiting for commits already past the check.
CREATE TABLE ingest_partitions (
  topic       text NOT NULL,
  partition   int NOT NULL,
  epoch       bigint NOT NULL,
  owner       text NOT NULL,
  claimed_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (topic, partition)
);

-- The offset a partition's next owner resumes from: every record below it is committed. Written by the commit that made those records durable. Kept apart from the epoch row, so concurrent commits share-lock the epoch and only queue on this row, at the end of their statement.
CREATE TABLE ingest_offsets (
  topic        text NOT NULL,
  partition    int NOT NULL,
  next_offset  bigint NOT NULL,
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (topic, partition)
);
