import type { Pool, PoolClient } from 'pg'
import type { CommitOutcome, EntityWrite, MachineJournal } from '../actors/ports.js'
import type { DomainEvent } from '../domain/events.js'
import { applyMachineEvent, initialMachineState, type MachineState } from '../domain/machine.js'
import type { Logger } from '../logger.js'
import { GroupCommitter } from './group-commit.js'
import { isRetriablePgError } from './pg-errors.js'
import { retryWhileRetriable } from './retry.js'
import { inTransaction } from './transaction.js'

/**
 * PostgreSQL journal for entity actors: each commit claims the input's idempotency key, appends
 * the events, updates the query tables and (every N events) the snapshot, in one transaction
 * shared with every other actor's commit that arrived meanwhile (group commit).
 */
export class PgMachineJournal implements MachineJournal {
  private readonly committer: GroupCommitter<EntityWrite, CommitOutcome>
  private readonly log: Logger

  constructor(
    private readonly pool: Pool,
    parentLog: Logger,
    maxBatch: number,
  ) {
    this.log = parentLog.child({ module: 'machine-journal' })
    this.committer = new GroupCommitter({
      flush: (batch) => inTransaction(pool, (client) => commitWrites(client, batch)),
      maxBatch,
      isRetriable: isRetriablePgError,
      log: this.log,
    })
  }

  commit(write: EntityWrite): Promise<CommitOutcome> {
    return this.committer.submit(write)
  }

  loadMachine(machineId: string): Promise<MachineState> {
    return retryWhileRetriable(() => this.readMachine(machineId), {
      isRetriable: isRetriablePgError,
      log: this.log,
      what: `recovery of machine ${machineId}`,
    })
  }

  private async readMachine(machineId: string): Promise<MachineState> {
    const snap = await this.pool.query<{ sequence: string; state: MachineState }>(
      `SELECT sequence, state FROM snapshots WHERE entity_type = 'machine' AND entity_id = $1`,
      [machineId],
    )
    const base = snap.rows[0]?.state ?? initialMachineState(machineId)
    const events = await this.pool.query<{ payload: DomainEvent }>(
      `SELECT payload FROM event_log
        WHERE entity_type = 'machine' AND entity_id = $1 AND sequence > $2 ORDER BY sequence`,
      [machineId, base.sequence],
    )
    return events.rows.reduce((state, row) => applyMachineEvent(state, row.payload), base)
  }

  /** Waits for every pending commit (used on shutdown). */
  idle(): Promise<void> {
    return this.committer.idle()
  }

  stats(): { queued: number; commits: number; retries: number } {
    return this.committer.stats()
  }
}

async function commitWrites(client: PoolClient, writes: EntityWrite[]): Promise<CommitOutcome[]> {
  const claimed = await client.query<{ k: string }>(
    `INSERT INTO processed_inputs (entity_type, entity_id, idempotency_key)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
     ON CONFLICT DO NOTHING
     RETURNING entity_type || '/' || entity_id || '/' || idempotency_key AS k`,
    [
      writes.map((w) => w.entityType),
      writes.map((w) => w.entityId),
      writes.map((w) => w.idempotencyKey),
    ],
  )
  const fresh = new Set(claimed.rows.map((r) => r.k))
  const outcomes = writes.map((w): CommitOutcome =>
    fresh.has(`${w.entityType}/${w.entityId}/${w.idempotencyKey}`) ? 'applied' : 'duplicate',
  )
  const applied = writes.filter((_, i) => outcomes[i] === 'applied')
  if (applied.length === 0) return outcomes

  await client.query(
    `INSERT INTO event_log (event_id, entity_type, entity_id, sequence, type, occurred_at, recorded_at, payload)
     SELECT (e->>'eventId')::uuid, e->>'entityType', e->>'key', (e->>'sequence')::bigint, e->>'type',
            to_timestamp((e->>'occurredAt')::float8 / 1000), to_timestamp((e->>'recordedAt')::float8 / 1000), e
       FROM jsonb_array_elements($1::jsonb) AS e`,
    [
      JSON.stringify(
        applied.flatMap((w) => w.events.map((e) => ({ ...e, entityType: w.entityType }))),
      ),
    ],
  )
  await upsertMachineState(
    client,
    applied.map((w) => w.state),
  )
  const snapshots = applied.filter((w) => w.snapshot)
  if (snapshots.length > 0) {
    await client.query(
      `INSERT INTO snapshots (entity_type, entity_id, sequence, state)
       SELECT s->>'entityType', s->>'entityId', (s->'state'->>'sequence')::bigint, s->'state'
         FROM jsonb_array_elements($1::jsonb) AS s
       ON CONFLICT (entity_type, entity_id) DO UPDATE
         SET sequence = EXCLUDED.sequence, state = EXCLUDED.state, taken_at = now()`,
      [
        JSON.stringify(
          snapshots.map((w) => ({
            entityType: w.entityType,
            entityId: w.entityId,
            state: w.state,
          })),
        ),
      ],
    )
  }
  return outcomes
}

async function upsertMachineState(client: PoolClient, states: MachineState[]): Promise<void> {
  await client.query(
    `INSERT INTO machine_state (machine_id, sequence, state, state_since, last_seen_at, produced, scrapped,
                                last_order, last_part_id, last_produced_at, updated_at)
     SELECT m.machine_id, m.sequence, m.state, ms_to_ts(m.state_since), ms_to_ts(m.last_seen_at), m.produced,
            m.scrapped, m.last_order, m.last_part_id, ms_to_ts(m.last_produced_at), now()
       FROM jsonb_to_recordset($1::jsonb) AS m(machine_id text, sequence bigint, state text, state_since float8,
            last_seen_at float8, produced bigint, scrapped bigint, last_order bigint, last_part_id bigint,
            last_produced_at float8)
     ON CONFLICT (machine_id) DO UPDATE SET
       sequence = EXCLUDED.sequence, state = EXCLUDED.state, state_since = EXCLUDED.state_since,
       last_seen_at = EXCLUDED.last_seen_at, produced = EXCLUDED.produced, scrapped = EXCLUDED.scrapped,
       last_order = EXCLUDED.last_order, last_part_id = EXCLUDED.last_part_id,
       last_produced_at = EXCLUDED.last_produced_at, updated_at = now()`,
    [
      JSON.stringify(
        states.map((s) => ({
          machine_id: s.machineId,
          sequence: s.sequence,
          state: s.state,
          state_since: s.stateSince,
          last_seen_at: s.lastSeenAt,
          produced: s.produced,
          scrapped: s.scrapped,
          last_order: s.lastOrder,
          last_part_id: s.lastPartId,
          last_produced_at: s.lastProducedAt,
        })),
      ),
    ],
  )
}
