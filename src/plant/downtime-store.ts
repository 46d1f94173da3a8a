import type { Pool, PoolClient } from 'pg'
import type { RunState } from '../domain/oee.js'
import { moveFollowerCursor, readFollowerCursor } from '../series/follower-cursor.js'
import { namedParams } from '../journal/named-params.js'
import { numberArray, textArray } from '../journal/pg-arrays.js'
import { inBoundedTransaction } from '../journal/transaction.js'
import { MillstreamError } from '../errors.js'
import type { OutboxCursor } from '../publish/outbox.js'
import type { DowntimeClock, DowntimePlan } from './downtime-plan.js'
import type { DowntimeSink } from './downtime-follower.js'
import type { MachineSource } from './plant-model.js'

const OPENED = namedParams('ids', 'machineIds', 'lineIds', 'states', 'starts', 'ends', 'reasons')
const ENDED = namedParams('ids', 'ends')
const CELLS = namedParams(
  'lineIds',
  'machineIds',
  'buckets',
  'produced',
  'good',
  'ideal',
  'scrapIdeal',
)
const CLASSIFIED = namedParams('ids', 'reasons', 'by')
const CLOCKS = namedParams('machineIds', 'states', 'sinces', 'openIds')

/**
 * The downtime tables and the follower's cursor (in `relay_offsets`). A batch's rows and the
 * cursor past it are one transaction, and the cursor only moves from where this follower left
 * it: a batch is applied once, even if two instances ever both believed they led.
 */
export class DowntimeStore implements DowntimeSink {
  constructor(
    private readonly pool: Pool,
    private readonly cursorName: string,
    private readonly timeoutMs: number,
  ) {}

  cursor(): Promise<OutboxCursor> {
    return readFollowerCursor(this.pool, this.cursorName, this.timeoutMs)
  }

  /** The saved clocks of these machines; a machine never seen has none. */
  async clocks(machineIds: readonly string[]): Promise<Map<string, DowntimeClock>> {
    const r = await inBoundedTransaction(
      this.pool,
      this.timeoutMs,
      (client) =>
        client.query<{
          machine_id: string
          state: RunState
          since: number
          open_id: string | null
        }>(
          `SELECT machine_id, state, ts_to_ms(since) AS since, open_id
             FROM downtime_clock WHERE machine_id = ANY($1::text[])`,
          [machineIds],
        ),
      'read only',
    )
    return new Map(
      r.rows.map((row) => [
        row.machine_id,
        { state: row.state, since: Number(row.since), openId: row.open_id },
      ]),
    )
  }

  /** The Sparkplug edge node each of these machines was last born on, for those that were. */
  async sources(machineIds: readonly string[]): Promise<Map<string, MachineSource>> {
    const r = await inBoundedTransaction(
      this.pool,
      this.timeoutMs,
      (client) =>
        client.query<{ machine_id: string; group_id: string; edge_node: string }>(
          `SELECT machine_id, group_id, edge_node FROM sparkplug_sources WHERE machine_id = ANY($1::text[])`,
          [machineIds],
        ),
      'read only',
    )
    return new Map(
      r.rows.map((row) => [
        row.machine_id,
        { machineId: row.machine_id, sparkplug: { group: row.group_id, edgeNode: row.edge_node } },
      ]),
    )
  }

  /** Writes `plan` and moves the cursor from `from` to `to`, in one transaction. */
  async apply(plan: DowntimePlan, from: OutboxCursor, to: OutboxCursor): Promise<void> {
    await inBoundedTransaction(this.pool, this.timeoutMs, async (client) => {
      // First, so the cursor's row lock queues any other writer before it touches a record.
      await this.moveCursor(client, from, to)
      await writeRecords(client, plan)
      await classify(client, plan)
      await addCells(client, plan)
      await saveClocks(client, plan.clocks)
    })
  }

  private async moveCursor(client: PoolClient, from: OutboxCursor, to: OutboxCursor) {
    if (!(await moveFollowerCursor(client, this.cursorName, from, to)))
      throw new MillstreamError(
        'PROCESSING_FAILED',
        'the downtime cursor moved: another instance follows this log',
      )
  }
}

async function writeRecords(client: PoolClient, plan: DowntimePlan): Promise<void> {
  if (plan.opened.length > 0) {
    const p = OPENED.placeholders
    const rows = plan.opened
    await client.query(
      `INSERT INTO downtime_records (id, machine_id, line_id, state, started_at, ended_at, reason_code)
       SELECT i, m, l, s, ms_to_ts(b), ms_to_ts(e), r
         FROM unnest(${p.ids}::text[], ${p.machineIds}::text[], ${p.lineIds}::text[], ${p.states}::text[],
                     ${p.starts}::float8[], ${p.ends}::float8[], ${p.reasons}::text[]) AS u(i, m, l, s, b, e, r)`,
      OPENED.values({
        ids: textArray(rows.map((r) => r.id)),
        machineIds: textArray(rows.map((r) => r.machineId)),
        lineIds: textArray(rows.map((r) => r.lineId)),
        states: textArray(rows.map((r) => r.state)),
        starts: numberArray(rows.map((r) => r.startedAt)),
        ends: numberArray(rows.map((r) => r.endedAt)),
        reasons: textArray(rows.map((r) => r.reasonCode)),
      }),
    )
  }
  if (plan.ended.length > 0) {
    const p = ENDED.placeholders
    await client.query(
      `UPDATE downtime_records d SET ended_at = ms_to_ts(u.e)
         FROM unnest(${p.ids}::text[], ${p.ends}::float8[]) AS u(i, e) WHERE d.id = u.i`,
      ENDED.values({
        ids: textArray(plan.ended.map((r) => r.id)),
        ends: numberArray(plan.ended.map((r) => r.endedAt)),
      }),
    )
  }
}

async function classify(client: PoolClient, plan: DowntimePlan): Promise<void> {
  if (plan.classified.length === 0) return
  const p = CLASSIFIED.placeholders
  await client.query(
    `UPDATE downtime_records d SET reason_code = u.r, classified_by = u.b
       FROM unnest(${p.ids}::text[], ${p.reasons}::text[], ${p.by}::text[]) AS u(i, r, b) WHERE d.id = u.i`,
    CLASSIFIED.values({
      ids: textArray(plan.classified.map((c) => c.id)),
      reasons: textArray(plan.classified.map((c) => c.reasonCode)),
      by: textArray(plan.classified.map((c) => c.classifiedBy)),
    }),
  )
}

async function addCells(client: PoolClient, plan: DowntimePlan): Promise<void> {
  if (plan.cells.length === 0) return
  const p = CELLS.placeholders
  const c = plan.cells
  await client.query(
    `INSERT INTO plant_part_minutes AS t (line_id, machine_id, bucket, produced, good, ideal_ms, scrap_ideal_ms)
     SELECT l, m, ms_to_ts(b), n, g, i, x
       FROM unnest(${p.lineIds}::text[], ${p.machineIds}::text[], ${p.buckets}::float8[], ${p.produced}::bigint[],
                   ${p.good}::bigint[], ${p.ideal}::float8[], ${p.scrapIdeal}::float8[]) AS u(l, m, b, n, g, i, x)
     ON CONFLICT (line_id, machine_id, bucket) DO UPDATE SET
       produced = t.produced + EXCLUDED.produced,
       good = t.good + EXCLUDED.good,
       ideal_ms = t.ideal_ms + EXCLUDED.ideal_ms,
       scrap_ideal_ms = t.scrap_ideal_ms + EXCLUDED.scrap_ideal_ms`,
    CELLS.values({
      lineIds: textArray(c.map((x) => x.lineId)),
      machineIds: textArray(c.map((x) => x.machineId)),
      buckets: numberArray(c.map((x) => x.minute)),
      produced: numberArray(c.map((x) => x.produced)),
      good: numberArray(c.map((x) => x.good)),
      ideal: numberArray(c.map((x) => x.idealMs)),
      scrapIdeal: numberArray(c.map((x) => x.scrapIdealMs)),
    }),
  )
}

async function saveClocks(client: PoolClient, clocks: Map<string, DowntimeClock>): Promise<void> {
  if (clocks.size === 0) return
  const p = CLOCKS.placeholders
  const entries = [...clocks]
  await client.query(
    `INSERT INTO downtime_clock AS c (machine_id, state, since, open_id)
     SELECT m, s, ms_to_ts(t), o
       FROM unnest(${p.machineIds}::text[], ${p.states}::text[], ${p.sinces}::float8[], ${p.openIds}::text[]) AS u(m, s, t, o)
     ON CONFLICT (machine_id) DO UPDATE SET state = EXCLUDED.state, since = EXCLUDED.since, open_id = EXCLUDED.open_id`,
    CLOCKS.values({
      machineIds: textArray(entries.map(([id]) => id)),
      states: textArray(entries.map(([, c]) => c.state)),
      sinces: numberArray(entries.map(([, c]) => c.since)),
      openIds: textArray(entries.map(([, c]) => c.openId)),
    }),
  )
}
