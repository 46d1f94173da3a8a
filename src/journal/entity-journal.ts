import type { Pool } from 'pg'
import type { CommitOutcome, EntityJournal, EntityWrite } from '../actors/ports.js'
import type { DomainEvent, EntityType } from '../domain/events.js'
import type { Logger } from '../logger.js'
import { commitWrites } from './commit-writes.js'
import type { ResumePoints } from './resume-points.js'
import { GroupCommitter } from './group-commit.js'
import { PG_RETRY_POLICY } from './pg-errors.js'
import { retryWhileRetriable } from './retry.js'

/** An entity's state: its latest snapshot (or `initial`) and the events after it, folded. */
export async function foldEntityState<S extends { sequence: number }>(
  db: Pick<Pool, 'query'>,
  entityType: EntityType,
  entityId: string,
  initial: S,
  apply: (state: S, event: DomainEvent) => S,
): Promise<S> {
  const snap = await db.query<{ state: S }>(
    'SELECT state FROM snapshots WHERE entity_type = $1 AND entity_id = $2',
    [entityType, entityId],
  )
  const base = snap.rows[0]?.state ?? initial
  const events = await db.query<{ payload: DomainEvent }>(
    `SELECT payload FROM event_log WHERE entity_type = $1 AND entity_id = $2 AND sequence > $3 ORDER BY sequence`,
    [entityType, entityId, base.sequence],
  )
  return events.rows.reduce((state, row) => apply(state, row.payload), base)
}

/** What the composition root may pass besides the grouping. */
export type JournalOptions = {
  /** Aborts every retry (commits and recovery reads) at shutdown; their callers get its reason. */
  signal?: AbortSignal
  /** Cluster mode: where the partitions of the inputs a commit carries resume once it lands. */
  resumePoints?: ResumePoints
  /** How far back a commit looks up its inputs' keys. */
  dedupWindowMs?: number
}

/**
 * PostgreSQL journal for entity actors: each commit claims the input's idempotency key, appends
 * the events, updates the query tables and (every N events) the snapshot, in one transaction
 * shared with every other actor's commit that arrived meanwhile (group commit).
 */
export class PgEntityJournal implements EntityJournal {
  private readonly committer: GroupCommitter<EntityWrite, CommitOutcome>
  private readonly log: Logger
  private readonly signal: AbortSignal | undefined

  constructor(
    private readonly pool: Pool,
    parentLog: Logger,
    grouping: { maxBatch: number; concurrency: number },
    onCommit?: (size: number, seconds: number) => void,
    { signal, resumePoints, dedupWindowMs }: JournalOptions = {},
  ) {
    this.log = parentLog.child({ module: 'entity-journal' })
    this.signal = signal
    this.committer = new GroupCommitter({
      flush: (batch) => commitWrites(pool, batch, { resumePoints, dedupWindowMs }),
      // Actors have one write in flight each, so concurrent transactions never share an entity.
      ...grouping,
      ...PG_RETRY_POLICY,
      signal,
      onCommit,
      log: this.log,
    })
  }

  commit(write: EntityWrite): Promise<CommitOutcome> {
    return this.committer.submit(write)
  }

  load<S extends { sequence: number }>(
    entityType: EntityType,
    entityId: string,
    initial: S,
    apply: (state: S, event: DomainEvent) => S,
  ): Promise<S> {
    return this.retrying(`recovery of ${entityType} ${entityId}`, () =>
      foldEntityState(this.pool, entityType, entityId, initial, apply),
    )
  }

  partTotals(partId: number): Promise<{ produced: number; scrapped: number }> {
    return this.retrying(`totals of part ${partId}`, async () => {
      const r = await this.pool.query<{ produced: number; scrapped: number }>(
        'SELECT produced, scrapped FROM part_state WHERE part_id = $1',
        [partId],
      )
      return r.rows[0] ?? { produced: 0, scrapped: 0 }
    })
  }

  /** Ideal cycle times of every part with reference data, for the part catalog. */
  async partCycleTimes(): Promise<[number, number][]> {
    const r = await this.pool.query<{ part_id: number; s: number }>(
      'SELECT part_id, time_to_produce AS s FROM part_state WHERE time_to_produce IS NOT NULL',
    )
    return r.rows.map((row) => [row.part_id, row.s])
  }

  /** Waits for every pending commit (used on shutdown). */
  idle(): Promise<void> {
    return this.committer.idle()
  }

  stats(): { queued: number; commits: number; retries: number } {
    return this.committer.stats()
  }

  private retrying<T>(what: string, work: () => Promise<T>): Promise<T> {
    return retryWhileRetriable(work, {
      ...PG_RETRY_POLICY,
      signal: this.signal,
      log: this.log,
      what,
    })
  }
}
