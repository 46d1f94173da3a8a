import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import pg from 'pg'
import pino from 'pino'
import { listArchives, readArchive, verifyArchive } from '../../src/archive/archive-file'
import { entityOfType } from '../../src/domain/event-catalog'
import { entityFold } from '../../src/domain/entity-folds'
import type { DomainEvent } from '../../src/domain/events'
import { foldEntityState } from '../../src/journal/entity-journal'
import { createPool } from '../../src/journal/pool'
import { loadConfig } from '../../src/main/config'
import { projectPath } from '../../src/project-root'
import { productionMessages, TestPublisher } from '../../harness/mqtt-publisher'
import { ServiceProcess } from '../../harness/service-process'
import { createTestDatabase, services, uniqueName, waitFor } from '../../harness/services'
import { readTopic } from '../support/kafka-reader'
import { controlService } from '../support/service-control'
import { runLogged } from '../../harness/logged-run'

const run = (file: string, args: string[], options: { env: NodeJS.ProcessEnv }) =>
  runLogged(file, args, { ...options, label: `cli-${args[1] ?? 'run'}` })

const MACHINES = 12
/** Partitions of 20 s kept for 40 s: retention acts within a minute of a partition's end. */
const LOG_SETTINGS = { EVENT_PARTITION: '20s', EVENT_RETENTION: '40s', DEDUP_WINDOW: '20s' }
const KAFKA_DOWN_MS = 75_000

type Retired = { partition_name: string; parent: string; events: number; dropped: boolean }

/** The state tables as rows to compare, without the time each row was written. */
const STATE_ROWS = {
  machines: `SELECT machine_id, sequence, state, state_since, last_seen_at, produced, scrapped, last_order,
                    last_part_id, last_produced_at, metrics::text, availability, performance, quality, oee,
                    alerts::text
               FROM machine_state ORDER BY machine_id`,
  parts: 'SELECT part_id, produced, scrapped FROM part_state ORDER BY part_id',
}

describe('retention of a time-partitioned log, under load, with Kafka stopped on the way', () => {
  const archiveDir = mkdtempSync(path.join(tmpdir(), 'millstream-archive-'))
  let databaseUrl: string
  let pool: pg.Pool
  let service: ServiceProcess
  let env: Record<string, string>
  const kafkaPrefix = uniqueName('ms-ret-')
  const mqttPrefix = uniqueName('ret')

  const retired = async (): Promise<Retired[]> =>
    (
      await pool.query<Retired>(
        `SELECT partition_name, parent, events::float8 AS events, dropped_at IS NOT NULL AS dropped
           FROM retired_partitions ORDER BY range_to`,
      )
    ).rows
  const droppedEventPartitions = async () =>
    (await retired()).filter((r) => r.parent === 'event_log' && r.dropped && r.events > 0)
  const relayCursor = async () =>
    (
      await pool.query<{ tx_id: string; position: number }>(
        `SELECT tx_id::text AS tx_id, position FROM relay_offsets WHERE relay = $1`,
        [`kafka:${kafkaPrefix}`],
      )
    ).rows[0]
  const metric = async (line: RegExp): Promise<number | undefined> => {
    const text = await (await fetch(`${service.url}/metrics`)).text()
    const m = line.exec(text)
    return m?.[1] === undefined ? undefined : Number(m[1])
  }

  beforeAll(async () => {
    databaseUrl = await createTestDatabase()
    pool = createPool(databaseUrl, pino({ level: 'silent' }), 4)
    env = {
      DATABASE_URL: databaseUrl,
      MQTT_URL: services().mqttUrl,
      KAFKA_BROKERS: services().kafkaBrokers,
      MQTT_TOPIC_PREFIX: mqttPrefix,
      MQTT_CLIENT_ID: uniqueName('ms-ret-'),
      KAFKA_TOPIC_PREFIX: kafkaPrefix,
      ARCHIVE_DIR: archiveDir,
      ...LOG_SETTINGS,
    }
    service = await ServiceProcess.start(env)
  })

  afterAll(async () => {
    controlService('start', 'kafka')
    await service?.kill('SIGTERM')
    await pool?.end()
  })

  it('archives and drops old partitions while messages keep coming, waits for Kafka, and loses nothing', async () => {
    const publisher = await TestPublisher.connect(services().mqttUrl, uniqueName('pub-'))
    let sent = 0
    let loading = true
    const load = (async () => {
      while (loading) {
        await publisher.publishAll(productionMessages(mqttPrefix, MACHINES, 24, sent))
        sent += 24
        await new Promise((r) => setTimeout(r, 200))
      }
    })()
    try {
      // 1. Under load, partitions past retention are archived and dropped.
      await waitFor(
        'two partitions of events dropped',
        async () => ((await droppedEventPartitions()).length >= 2 ? true : undefined),
        150_000,
      )

      // What the service says of its log: partitions, the oldest event kept, bytes on disk.
      const { body: ready } = await service.get<{
        checks: Record<string, { ok: boolean; detail: string }>
      }>('/readyz')
      expect(ready.checks['event log']).toMatchObject({
        ok: true,
        detail: expect.stringMatching(
          /^\d+ partitions; oldest kept \d{4}-.+; \d+ bytes; retention (up to date|waits: .+)/,
        ),
      })
      expect(
        await metric(/^millstream_log_partitions\{table="event_log"\} (\d+)/m),
      ).toBeGreaterThan(3)
      expect(await metric(/^millstream_log_bytes\{table="event_log"\} (\d+)/m)).toBeGreaterThan(0)
      expect(
        await metric(/^millstream_log_partitions_dropped\{table="event_log"\} (\d+)/m),
      ).toBeGreaterThanOrEqual(2)
      const oldest = await metric(
        /^millstream_log_oldest_kept_seconds\{table="event_log"\} ([\d.e+]+)/m,
      )
      expect(Date.now() / 1000 - (oldest ?? 0)).toBeLessThan(120)

      // 2. Kafka stops: what it has not received stays, and retention says what it waits for.
      controlService('stop', 'kafka')
      let kafkaDown = true
      try {
        const stoppedAt = Date.now()
        // Once the relay says Kafka is gone, it has saved its last batch and can save no more.
        await waitFor('the relay to see Kafka gone', async () => {
          const { body } = await service.get<{ checks: { kafka?: { ok: boolean } } }>('/readyz')
          return body.checks.kafka?.ok === false ? true : undefined
        })
        const frozen = await relayCursor()
        expect(frozen).toBeDefined()
        await waitFor(
          'retention waiting for the relay',
          async () =>
            ((await metric(/^millstream_retention_waiting_partitions\{for="followers"\} (\d+)/m)) ??
              0) >= 1
              ? true
              : undefined,
          KAFKA_DOWN_MS + 30_000,
        )
        const elapsed = Date.now() - stoppedAt
        if (elapsed < KAFKA_DOWN_MS)
          await new Promise((r) => setTimeout(r, KAFKA_DOWN_MS - elapsed))
        const dryRun = await run(
          process.execPath,
          [projectPath('dist', 'cli.js'), 'retention', '--dry-run'],
          {
            env: { PATH: process.env.PATH ?? '', ...env, LOG_LEVEL: 'silent' },
          },
        )
        expect(dryRun.stdout).toMatch(new RegExp(`waiting: not yet read by kafka:${kafkaPrefix}`))
        // Every partition dropped meanwhile held only events the relay had already published.
        const cursor = await relayCursor()
        expect(cursor).toEqual(frozen)
        for (const archive of await listArchives(archiveDir))
          for await (const e of readArchive(archive.file)) {
            const before =
              BigInt(e.txId) < BigInt(frozen!.tx_id) ||
              (e.txId === frozen!.tx_id && e.position <= frozen!.position)
            if (!before)
              throw new Error(`${archive.file} holds ${e.txId}-${e.position}, past the relay`)
          }
        const waitingDropped = (await droppedEventPartitions()).length

        // 3. Kafka is back: the relay catches up and retention goes on.
        controlService('start', 'kafka')
        kafkaDown = false
        await waitFor(
          'the partitions of the outage dropped',
          async () =>
            (await droppedEventPartitions()).length >= waitingDropped + 3 ? true : undefined,
          180_000,
        )
      } finally {
        if (kafkaDown) controlService('start', 'kafka')
      }
    } finally {
      loading = false
      await load
      await publisher.close()
    }

    // Nothing lost, nothing dead-lettered: every part is counted once.
    await waitFor('every message committed', async () => {
      const r = await pool.query<{ n: number }>(
        'SELECT coalesce(sum(produced), 0)::float8 AS n FROM machine_state',
      )
      return r.rows[0]?.n === sent ? true : undefined
    })
    expect((await pool.query('SELECT 1 FROM dead_letters')).rows).toHaveLength(0)

    // Every event reached its topic, those of dropped partitions included.
    const records = await readTopic(
      services().kafkaBrokers,
      `${kafkaPrefix}.production`,
      sent,
      120_000,
    )
    expect(new Set(records.map((r) => r.eventId)).size).toBe(sent)

    // The archives check out and hold what each dropped partition held; with the live log they
    // are the whole history.
    const dropped = (await retired()).filter((r) => r.parent === 'event_log' && r.dropped)
    const archives = await listArchives(archiveDir)
    expect(archives.map((a) => a.partition).sort()).toEqual(
      dropped.map((r) => r.partition_name).sort(),
    )
    const history = new Map<string, DomainEvent>()
    for (const a of archives) {
      const checked = await verifyArchive(a.file)
      expect(checked.events).toBe(dropped.find((r) => r.partition_name === a.partition)?.events)
      for await (const e of readArchive(a.file)) history.set(e.event.eventId, e.event)
    }
    const archived = history.size
    const live = await pool.query<{ payload: DomainEvent }>(
      'SELECT payload FROM event_log ORDER BY position',
    )
    for (const row of live.rows) history.set(row.payload.eventId, row.payload)
    expect(archived).toBeGreaterThan(0)
    expect(history.size).toBe(archived + live.rows.length) // no event both archived and live
    const produced = [...history.values()].filter((e) => e.type === 'PartProduced')
    expect(produced).toHaveLength(sent)

    // Idempotency keys past their window went too.
    expect((await retired()).some((r) => r.parent === 'processed_inputs' && r.dropped)).toBe(true)

    // Recovery from what is left (snapshot + kept events) gives each machine the state its whole
    // history folds to.
    const rules = loadConfig({}).rules
    const fold = entityFold('machine', rules)
    for (let m = 1; m <= MACHINES; m++) {
      const id = String(m)
      const mine = [...history.values()]
        .filter((e) => e.key === id && entityOfType(e.type) === 'machine')
        .sort((a, b) => a.sequence - b.sequence)
      expect(mine.map((e) => e.sequence)).toEqual(mine.map((_, i) => i + 1))
      const whole = mine.reduce(fold.apply, fold.initial(id))
      expect(await foldEntityState(pool, 'machine', id, fold.initial(id), fold.apply)).toEqual(
        whole,
      )
    }

    // A restarted service's actors recover from there and count on exactly.
    const before = (await pool.query(STATE_ROWS.machines)).rows as { produced: number }[]
    await service.kill('SIGTERM')
    await service.restart()
    const again = await TestPublisher.connect(services().mqttUrl, uniqueName('pub-'))
    await again.publishAll(productionMessages(mqttPrefix, MACHINES, MACHINES, sent))
    await again.close()
    await waitFor('the parts after the restart', async () => {
      const r = await pool.query<{ n: number }>(
        'SELECT sum(produced)::float8 AS n FROM machine_state',
      )
      return r.rows[0]?.n === sent + MACHINES ? true : undefined
    })
    const after = (
      await pool.query<{ machine_id: string; produced: number }>(
        'SELECT machine_id, produced FROM machine_state ORDER BY machine_id',
      )
    ).rows
    expect(after.map((r) => r.produced)).toEqual(before.map((r) => r.produced + 1))

    // A rebuild from archive and log gives the same state tables, row for row.
    await service.kill('SIGTERM')
    const tables = async () => ({
      machines: (await pool.query(STATE_ROWS.machines)).rows,
      parts: (await pool.query(STATE_ROWS.parts)).rows,
    })
    const live_ = await tables()
    await run(
      process.execPath,
      [projectPath('dist', 'cli.js'), 'replay', 'rebuild', '--from', 'log'],
      {
        env: { PATH: process.env.PATH ?? '', ...env, LOG_LEVEL: 'silent' },
      },
    )
    expect(await tables()).toEqual(live_)
  }, 600_000)
})
