import type { Pool } from 'pg'
import type { Logger } from '../logger.js'
import { RESUME_POINTS_MOVE_FORWARD, type PartitionCheckpoint } from './resume-points.js'
import { PG_RETRY_POLICY } from './pg-errors.js'
import { retryWhileRetriable } from './retry.js'

/** A partition as its new holder takes it: the epoch it now holds, where it resumes. */
export type PartitionClaim = { partition: number; epoch: number; nextOffset: number | undefined }

/**
 * Cluster mode: the epochs and resume points of the ingest topic's partitions in PostgreSQL.
 * Claiming bumps the epoch, so whatever the previous holder still tries to commit is refused;
 * the bump waits for its commits already past the epoch check, and the resume point is read
 * after it, so it includes them.
 */
export class PgPartitionClaims {
  constructor(
    private readonly pool: Pool,
    private readonly topic: string,
    private readonly owner: string,
    private readonly log: Logger,
    private readonly signal?: AbortSignal,
  ) {}

  claim(partitions: number[]): Promise<PartitionClaim[]> {
    if (partitions.length === 0) return Promise.resolve([])
    const sorted = [...partitions].sort((a, b) => a - b)
    return retryWhileRetriable(
      async () => {
        const epochs = await this.pool.query<{ partition: number; epoch: string }>(
          `INSERT INTO ingest_partitions (topic, partition, epoch, owner)
           SELECT $1, p, 1, $2 FROM unnest($3::int[]) AS p ORDER BY p
           ON CONFLICT (topic, partition) DO UPDATE
             SET epoch = ingest_partitions.epoch + 1, owner = EXCLUDED.owner, claimed_at = now()
           RETURNING partition, epoch`,
          [this.topic, this.owner, sorted],
        )
        // A statement of its own, so it sees the commits the bump waited for.
        const offsets = await this.pool.query<{ partition: number; next_offset: string }>(
          'SELECT partition, next_offset FROM ingest_offsets WHERE topic = $1 AND partition = ANY($2::int[])',
          [this.topic, sorted],
        )
        const next = new Map(offsets.rows.map((r) => [r.partition, Number(r.next_offset)]))
        return epochs.rows.map((r) => ({
          partition: r.partition,
          epoch: Number(r.epoch),
          nextOffset: next.get(r.partition),
        }))
      },
      { ...PG_RETRY_POLICY, signal: this.signal, log: this.log, what: 'claim of partitions' },
    )
  }

  /**
   * Stores resume points apart from any commit (partitions gone idle, the last records of a
   * partition given up); returns those refused because their epoch has moved on.
   */
  async store(checkpoints: PartitionCheckpoint[]): Promise<PartitionCheckpoint[]> {
    if (checkpoints.length === 0) return []
    const sorted = [...checkpoints].sort((a, b) => a.partition - b.partition)
    const r = await this.pool.query<{ partition: number }>(
      `WITH f AS (
         SELECT * FROM unnest($2::int[], $3::bigint[], $4::bigint[]) AS f(partition, epoch, next_offset)
       ), held AS (
         SELECT f.* FROM f JOIN ingest_partitions ip
             ON (ip.topic, ip.partition, ip.epoch) = ($1, f.partition, f.epoch)
            FOR SHARE OF ip
       ), stored AS (
         INSERT INTO ingest_offsets (topic, partition, next_offset)
         SELECT $1, partition, next_offset FROM held ORDER BY partition
         ${RESUME_POINTS_MOVE_FORWARD}
         RETURNING partition
       )
       SELECT partition FROM stored`,
      [
        this.topic,
        sorted.map((c) => c.partition),
        sorted.map((c) => c.epoch),
        sorted.map((c) => c.nextOffset),
      ],
    )
    const stored = new Set(r.rows.map((row) => row.partition))
    return sorted.filter((c) => !stored.has(c.partition))
  }
}
