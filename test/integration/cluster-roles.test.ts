import { Kafka, logLevel } from 'kafkajs'
import pg from 'pg'
import { productionMessages, TestPublisher } from '../../harness/mqtt-publisher'
import { ServiceProcess } from '../../harness/service-process'
import {
  createTestDatabase,
  queryOnce,
  services,
  uniqueName,
  waitFor,
} from '../../harness/services'
import { partitionOf } from '../../src/cluster/partitioner'
import { PART_CATALOG_CHANNEL } from '../../src/journal/commit-writes'
import type { Check } from '../../src/lifecycle'
import { readTopic } from '../support/kafka-reader'

const MACHINES = 100
const PARTITIONS = 12
// Kafka's broker refuses a group session shorter than 6 s.
const SESSION_MS = 6000

type Cluster = {
  databaseUrl: string
  kafkaPrefix: string
  env: (roles: string, extra?: Record<string, string>) => Record<string, string>
}

function newCluster(databaseUrl: string): Cluster {
  const prefix = uniqueName('cl')
  const kafkaPrefix = uniqueName('ms-cl-')
  const clientId = uniqueName('ms-cl-ingest-')
  return {
    databaseUrl,
    kafkaPrefix,
    env: (roles, extra = {}) => ({
      ROLES: roles,
      DATABASE_URL: databaseUrl,
      MQTT_URL: services().mqttUrl,
      KAFKA_BROKERS: services().kafkaBrokers,
      KAFKA_TOPIC_PREFIX: kafkaPrefix,
      MQTT_TOPIC_PREFIX: prefix,
      MQTT_CLIENT_ID: clientId,
      INGEST_PARTITIONS: String(PARTITIONS),
      PROCESS_SESSION_TIMEOUT_MS: String(SESSION_MS),
      ...extra,
    }),
  }
}

/** The partitions a process instance holds, from its readiness report. */
async function partitionsOf(service: ServiceProcess): Promise<number[]> {
  const res = await service.get<{ checks: Record<string, Check> }>('/readyz')
  const detail = res.body.checks.consumer?.detail
  return typeof detail === 'string' && detail !== '' ? detail.split(',').map(Number) : []
}

/** One counter or gauge of an instance's Prometheus metrics (summed over labels). */
async function metric(service: ServiceProcess, name: string): Promise<number> {
  const text = await (await fetch(`${service.url}/metrics`)).text()
  return text
    .split('\n')
    .filter((line) => line.startsWith(name) && !line.startsWith('#'))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0)
}

async function produced(databaseUrl: string): Promise<number> {
  const [row] = await queryOnce<{ n: number }>(
    databaseUrl,
    'SELECT coalesce(sum(produced), 0)::int AS n FROM machine_state',
  )
  return row?.n ?? 0
}

async function untilProduced(databaseUrl: string, atLeast: number, timeoutMs = 90_000) {
  await waitFor(
    `${atLeast} parts produced`,
    async () => ((await produced(databaseUrl)) >= atLeast ? true : undefined),
    timeoutMs,
    200,
  )
}

/**
 * Every one of the first `count` messages applied exactly once: the right number of parts per
 * machine, each machine's sequence gap-free from 1, its orders never going back.
 */
async function expectExactlyOnce(databaseUrl: string, count: number): Promise<void> {
  const perMachine = count / MACHINES
  const machines = await queryOnce<{ produced: number }>(
    databaseUrl,
    'SELECT produced::int AS produced FROM machine_state ORDER BY machine_id::int',
  )
  expect(machines.map((m) => m.produced)).toEqual(
    Array.from({ length: MACHINES }, () => perMachine),
  )
  const [events] = await queryOnce<{ parts: number; gaps: number; backwards: number }>(
    databaseUrl,
    `SELECT
       (SELECT count(*)::int FROM event_log WHERE type = 'PartProduced') AS parts,
       (SELECT count(*)::int FROM (
          SELECT entity_id FROM event_log WHERE entity_type = 'machine'
           GROUP BY entity_id HAVING count(*) <> max(sequence) OR min(sequence) <> 1) g) AS gaps,
       (SELECT count(*)::int FROM (
          SELECT (payload->>'order')::int AS o,
                 lag((payload->>'order')::int) OVER (PARTITION BY entity_id ORDER BY sequence) AS before
            FROM event_log WHERE type = 'PartProduced') x WHERE o < before) AS backwards`,
  )
  expect(events).toEqual({ parts: count, gaps: 0, backwards: 0 })
}

/**
 * Publishes `messages` in slices, as gateways do, each slice once the last was acknowledged
 * and `pauseMs` have passed.
 */
async function publishInSlices(
  publisher: TestPublisher,
  messages: { topic: string; payload: string }[],
  slice = 200,
  pauseMs = 0,
): Promise<void> {
  for (let i = 0; i < messages.length; i += slice) {
    await publisher.publishAll(messages.slice(i, i + slice))
    if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs))
  }
}

describe('cluster mode: 1 ingest and process instances in a consumer group', () => {
  let cluster: Cluster
  let publisher: TestPublisher
  let prefix: string
  const started: ServiceProcess[] = []
  const start = async (roles: string) => {
    const s = await ServiceProcess.start(cluster.env(roles))
    started.push(s)
    return s
  }
  let p1: ServiceProcess
  let p2: ServiceProcess
  let p3: ServiceProcess
  const messages = (from: number, count: number) =>
    productionMessages(prefix, MACHINES, count, from)

  beforeAll(async () => {
    cluster = newCluster(await createTestDatabase())
    prefix = cluster.env('http').MQTT_TOPIC_PREFIX as string
    await start('ingest')
    p1 = await start('process')
    p2 = await start('process')
    publisher = await TestPublisher.connect(services().mqttUrl, uniqueName('pub-'))
  })

  afterAll(async () => {
    await publisher?.close()
    for (const s of started) if (s.running()) await s.kill('SIGKILL')
  })

  it('applies every message exactly once when a process instance is SIGKILLed mid-stream', async () => {
    await waitFor('both process instances to hold partitions', async () => {
      const [a, b] = [await partitionsOf(p1), await partitionsOf(p2)]
      return a.length > 0 && b.length > 0 && a.length + b.length === PARTITIONS ? true : undefined
    })
    // Reference data first: each part's cycle time, which every machine's OEE needs, wherever
    // the part's actor lives.
    const p1Holds = new Set(await partitionsOf(p1))
    const holder = (key: string) => (p1Holds.has(partitionOf(key, PARTITIONS)) ? 'p1' : 'p2')
    expect(
      Array.from({ length: MACHINES }, (_, i) => holder(String(i + 1))).some(
        (h) => h !== holder('1'),
      ),
    ).toBe(true)
    // Heard as every instance hears it: a notification on commit.
    const listener = new pg.Client({ connectionString: cluster.databaseUrl })
    await listener.connect()
    const told = new Set<number>()
    listener.on('notification', (n) => {
      const entries = JSON.parse(n.payload ?? '[]') as [number, number][]
      for (const [partId] of entries) told.add(partId)
    })
    await listener.query(`LISTEN ${PART_CATALOG_CHANNEL}`)
    await publisher.publishAll(
      [1, 2, 3, 4].map((partId) => ({
        topic: `${prefix}/parts/${partId}/info`,
        payload: JSON.stringify({ defaultPrice: 5, timeToProduce: 10 + partId }),
      })),
    )
    await waitFor('the parts committed', async () => {
      const [row] = await queryOnce<{ n: number }>(
        cluster.databaseUrl,
        'SELECT count(*)::int AS n FROM part_state WHERE time_to_produce IS NOT NULL',
      )
      return row?.n === 4 ? true : undefined
    })
    await waitFor('the cycle times told to listeners', () =>
      Promise.resolve(told.size === 4 || undefined),
    ).finally(() => listener.end())
    await publishInSlices(publisher, messages(0, 2000))
    const publishing = publishInSlices(publisher, messages(2000, 2000))
    await untilProduced(cluster.databaseUrl, 2500)
    await p2.kill('SIGKILL')
    await publishing
    // The survivor takes the dead instance's partitions once its session times out.
    await waitFor(
      'the survivor to hold every partition',
      async () => ((await partitionsOf(p1)).length === PARTITIONS ? true : undefined),
      SESSION_MS * 5,
    )
    await untilProduced(cluster.databaseUrl, 4000)
    await expectExactlyOnce(cluster.databaseUrl, 4000)
    const cycleTimes = await queryOnce<{ part: number; ideal: number | null; n: number }>(
      cluster.databaseUrl,
      `SELECT (payload->>'partId')::int AS part, (payload->>'idealCycleSeconds')::float8 AS ideal,
              count(*)::int AS n
         FROM event_log WHERE type = 'PartProduced' GROUP BY 1, 2 ORDER BY 1, 2`,
    )
    expect(cycleTimes).toEqual([1, 2, 3, 4].map((part) => ({ part, ideal: 10 + part, n: 1000 })))
  })

  it('keeps the totals exact while a joining instance takes partitions mid-stream', async () => {
    const before = await metric(p1, 'millstream_process_rebalances_total')
    const publishing = publishInSlices(publisher, messages(4000, 2000))
    p3 = await start('process')
    await waitFor(
      'the new instance to hold partitions',
      async () => ((await partitionsOf(p3)).length > 0 ? true : undefined),
      SESSION_MS * 5,
    )
    await publishing
    await untilProduced(cluster.databaseUrl, 6000)
    await expectExactlyOnce(cluster.databaseUrl, 6000)
    expect((await partitionsOf(p1)).length + (await partitionsOf(p3)).length).toBe(PARTITIONS)
    expect(await metric(p1, 'millstream_process_rebalances_total')).toBeGreaterThan(before)
    expect(await metric(p3, 'millstream_process_partitions_owned')).toBeGreaterThan(0)
  })

  it('fences a zombie: SIGSTOPped past the session timeout, it commits nothing once continued', async () => {
    const zombie = p1
    const publishing = publishInSlices(publisher, messages(6000, 2000), 100)
    await untilProduced(cluster.databaseUrl, 6300)
    zombie.signal('SIGSTOP')
    try {
      await waitFor(
        'the other instance to hold every partition',
        async () => ((await partitionsOf(p3)).length === PARTITIONS ? true : undefined),
        SESSION_MS * 5,
      )
      const [claims] = await queryOnce<{ owners: number }>(
        cluster.databaseUrl,
        'SELECT count(DISTINCT owner)::int AS owners FROM ingest_partitions',
      )
      expect(claims?.owners).toBe(1)
    } finally {
      zombie.signal('SIGCONT')
    }
    await publishing
    await untilProduced(cluster.databaseUrl, 8000)
    // Whatever it still tried after waking was refused, and counted.
    await waitFor('the zombie to count its refused commits', async () =>
      (await metric(zombie, 'millstream_process_fenced_commits_total')) > 0 ? true : undefined,
    )
    await expectExactlyOnce(cluster.databaseUrl, 8000)
  })

  it('publishes events that all decode; a repeat after a kill carries the same eventId', async () => {
    const records = await readTopic(
      services().kafkaBrokers,
      `${cluster.kafkaPrefix}.production`,
      8000,
      120_000,
    )
    const byId = new Map<string, string>()
    const bySequence = new Map<string, string>()
    for (const r of records) {
      expect(r.type).toBe('PartProduced')
      const at = `${r.key}#${String(r.value.sequence)}`
      expect(byId.get(r.eventId) ?? at).toBe(at)
      expect(bySequence.get(at) ?? r.eventId).toBe(r.eventId)
      byId.set(r.eventId, at)
      bySequence.set(at, r.eventId)
    }
    expect(byId.size).toBe(8000)
  })

  it('dead-letters what it cannot apply: a bad payload, and bytes on the ingest topic that are no ingest record', async () => {
    await publisher.publishAll([{ topic: `${prefix}/machines/7/production`, payload: '{"order":' }])
    const kafka = new Kafka({ brokers: [services().kafkaBrokers], logLevel: logLevel.NOTHING })
    const producer = kafka.producer()
    await producer.connect()
    try {
      await producer.send({
        topic: `${cluster.kafkaPrefix}.ingest`,
        messages: [{ key: '7', value: Buffer.from('not avro') }],
      })
    } finally {
      await producer.disconnect()
    }
    const letters = await waitFor('both dead letters', async () => {
      const rows = await queryOnce<{ source: string; reason: string }>(
        cluster.databaseUrl,
        'SELECT source, reason FROM dead_letters ORDER BY id',
      )
      if (rows.length >= 2) return rows
      // Told on a timeout: which of the two was stored.
      throw new Error(`dead letters so far: ${JSON.stringify(rows)}`)
    })
    expect(letters).toEqual([
      expect.objectContaining({
        source: `${prefix}/machines/7/production`,
        reason: expect.stringMatching(/not UTF-8 JSON/),
      }),
      expect.objectContaining({
        source: expect.stringMatching(new RegExp(`^${cluster.kafkaPrefix}\\.ingest/\\d+$`)),
        reason: expect.stringMatching(/not a readable ingest record/),
      }),
    ])
    await expectExactlyOnce(cluster.databaseUrl, 8000)
  })
})

describe('cluster mode: the active ingest instance dies', () => {
  it('the standby takes the MQTT session within 10 s and nothing is lost', async () => {
    const cluster = newCluster(await createTestDatabase())
    const prefix = cluster.env('http').MQTT_TOPIC_PREFIX as string
    const active = await ServiceProcess.start(cluster.env('ingest'))
    const processor = await ServiceProcess.start(cluster.env('process'))
    const isActive = async (s: ServiceProcess) =>
      (await metric(s, 'millstream_ingest_active')) === 1
    await waitFor('the first ingest instance to hold the session', async () =>
      (await isActive(active)) ? true : undefined,
    )
    const standby = await ServiceProcess.start(cluster.env('ingest'))
    const publisher = await TestPublisher.connect(services().mqttUrl, uniqueName('pub-'))
    try {
      expect(await isActive(standby)).toBe(false)
      const messages = productionMessages(prefix, MACHINES, 4000)
      await publishInSlices(publisher, messages.slice(0, 1000))
      // About 1,000 messages/s, so most are still to come when the active instance dies.
      const publishing = publishInSlices(publisher, messages.slice(1000), 100, 100)
      await untilProduced(cluster.databaseUrl, 1500)
      await active.kill('SIGKILL')
      const killedAt = Date.now()
      const tookOverAt = await waitFor(
        'the standby to take the session',
        async () => ((await isActive(standby)) ? Date.now() : undefined),
        30_000,
        100,
      )
      console.log(`standby ingest took the session ${tookOverAt - killedAt} ms after the kill`)
      expect(tookOverAt - killedAt).toBeLessThan(10_000)
      await publishing
      await untilProduced(cluster.databaseUrl, 4000)
      await expectExactlyOnce(cluster.databaseUrl, 4000)
      expect(await metric(standby, 'millstream_ingest_forwarded_total')).toBeGreaterThan(0)
    } finally {
      await publisher.close()
      for (const s of [active, standby, processor]) if (s.running()) await s.kill('SIGKILL')
    }
  })
})
