import { randomUUID } from 'node:crypto'
import { copyFileSync, mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Pool } from 'pg'
import { pino } from 'pino'
import type { EntityWrite } from '../../src/actors/ports'
import { machineFold } from '../../src/domain/entity-folds'
import type { MachineMetricsRecorded } from '../../src/domain/events'
import { commitWrites } from '../../src/journal/commit-writes'
import { foldEntityState } from '../../src/journal/entity-journal'
import { ensurePartitions, listPartitions } from '../../src/journal/log-partitions'
import { migrate, MIGRATIONS_DIR } from '../../src/journal/migrate'
import { createPool } from '../../src/journal/pool'
import { loadConfig } from '../../src/main/config'
import { SchemaRegistry } from '../../src/publish/avro/schema-registry'
import { LogRetention } from '../../src/retention/log-retention'
import { createTestDatabase } from '../../harness/services'

const log = pino({ level: 'silent' })
const MIN = 60_000
const DAY = 86_400_000

/** A write of one telemetry reading by machine `id`, as its `sequence`-th event. */
function reading(id: string, sequence: number, key: string, now = Date.now()): EntityWrite {
  const event: MachineMetricsRecorded = {
    eventId: randomUUID(),
    type: 'MachineMetricsRecorded',
    key: id,
    sequence,
    occurredAt: now,
    recordedAt: now,
    machineId: id,
    metrics: { temperature: 20 + sequence },
  }
  return {
    entityType: 'machine',
    entityId: id,
    inputs: [{ idempotencyKey: key, eventCount: 1 }],
    events: [event],
    projection: undefined,
    snapshot: undefined,
    partTallies: [],
  }
}

/** One write's event and its input's key, in the rows the log had before it was partitioned. */
async function writeAsBefore(pool: Pool, write: EntityWrite): Promise<void> {
  const [event] = write.events
  const [input] = write.inputs
  if (event === undefined || input === undefined)
    throw new Error('a write of one event and one input')
  await pool.query(
    `INSERT INTO event_log (event_id, entity_type, entity_id, sequence, type, occurred_at,
                            recorded_at, payload, idempotency_key)
     VALUES ($1, $2, $3, $4, $5, to_timestamp($6 / 1000.0), to_timestamp($7 / 1000.0), $8, $9)`,
    [
      event.eventId,
      write.entityType,
      write.entityId,
      event.sequence,
      event.type,
      event.occurredAt,
      event.recordedAt,
      JSON.stringify(event),
      input.idempotencyKey,
    ],
  )
}

describe('a database from before partitioning, migrated forward', () => {
  let pool: Pool
  const rules = loadConfig({}).rules
  const fold = machineFold(rules)

  beforeAll(async () => {
    pool = createPool(await createTestDatabase(), log, 4)
    // The schema as it was: every migration before the partitioned log.
    const before = mkdtempSync(path.join(tmpdir(), 'millstream-migrations-'))
    for (const f of readdirSync(MIGRATIONS_DIR).filter((f) => f < '0009'))
      copyFileSync(path.join(MIGRATIONS_DIR, f), path.join(before, f))
    await migrate(pool, log, before)
    // Written as the commit of that time wrote them: today's commit statement names columns
    // later migrations add (a machine's alarms, say), which the old schema does not have.
    for (let s = 1; s <= 30; s++)
      await writeAsBefore(pool, reading(`m-${s % 3}`, Math.ceil(s / 3), `old-${s}`))
  })
  afterAll(() => pool.end())

  it('keeps every row where it was, and goes on from the last position', async () => {
    const rowsBefore = (
      await pool.query<{ position: number }>('SELECT position FROM event_log ORDER BY position')
    ).rows.map((r) => r.position)
    await migrate(pool, log)
    await ensurePartitions(pool, DAY, Date.now())
    const rows = await pool.query<{ position: number; partition: string }>(
      'SELECT position, tableoid::regclass::text AS partition FROM event_log ORDER BY position',
    )
    expect(rows.rows.map((r) => r.position)).toEqual(rowsBefore)
    expect(new Set(rows.rows.map((r) => r.partition))).toEqual(
      new Set(['event_log_before_partitions']),
    )
    const partitions = await listPartitions(pool, 'event_log')
    expect(partitions[0]).toMatchObject({ name: 'event_log_before_partitions', from: null })
    // The first new partition starts where the old rows' partition ends.
    expect(partitions[1]?.from).toBe(partitions[0]?.to)

    // Rows recorded until the migration's next whole minute still join the old ones.
    const firstNew = partitions[1]?.from as number
    expect(await commitWrites(pool, [reading('m-1', 11, 'new-1', firstNew)])).toEqual(['applied'])
    const next = await pool.query<{ position: number; partition: string }>(
      `SELECT position, tableoid::regclass::text AS partition FROM event_log WHERE idempotency_key = 'new-1'`,
    )
    expect(next.rows[0]?.position).toBe(Math.max(...rowsBefore) + 1)
    expect(next.rows[0]?.partition).toBe(partitions[1]?.name)
  })

  it('still knows the inputs committed before, within the idempotency window', async () => {
    expect(
      await commitWrites(pool, [reading('m-1', 12, 'old-1')], { dedupWindowMs: 2 * DAY }),
    ).toEqual(['duplicate'])
  })

  it('drops the old rows’ partition once past retention, snapshotting its entities first, so each recovers the same', async () => {
    const states = await Promise.all(
      ['m-0', 'm-1', 'm-2'].map((id) =>
        foldEntityState(pool, 'machine', id, fold.initial(id), fold.apply),
      ),
    )
    const retention = new LogRetention(
      pool,
      {
        windows: { events: 5 * MIN, dedupWindow: 2 * MIN },
        archiveDir: undefined,
        followers: [],
        statementTimeoutMs: 30_000,
      },
      SchemaRegistry.fromDirectory(),
      rules,
      log,
    )
    // Ten minutes on, the old partition (which ends at the migration's next minute) is past.
    const later = Date.now() + 10 * MIN
    const dry = await retention.pass(later, { dryRun: true })
    expect(dry.partitions.find((p) => p.name === 'event_log_before_partitions')).toMatchObject({
      outcome: 'would drop',
      reason: expect.stringMatching(/snapshot 3 entities first/),
    })
    const report = await retention.pass(later)
    expect(report.partitions.find((p) => p.name === 'event_log_before_partitions')).toMatchObject({
      outcome: 'dropped',
      events: 30,
    })
    expect((await listPartitions(pool, 'event_log')).map((p) => p.name)).not.toContain(
      'event_log_before_partitions',
    )
    const recovered = await Promise.all(
      ['m-0', 'm-1', 'm-2'].map((id) =>
        foldEntityState(pool, 'machine', id, fold.initial(id), fold.apply),
      ),
    )
    expect(recovered).toEqual(states)
  })
})
