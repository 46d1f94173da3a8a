import { get } from 'sparkplug-payload'
import { TestPublisher } from '../../harness/mqtt-publisher'
import { ServiceProcess } from '../../harness/service-process'
import {
  createTestDatabase,
  queryOnce,
  services,
  uniqueName,
  waitFor,
} from '../../harness/services'
import { expectAllApplied, expectReadyWithin, SteadyLoad } from '../../harness/steady-load'

const codec = get('spBv1.0')!
const MiB = 1024 * 1024
/** The service's RSS stays under this through every attack. */
const RSS_BOUND = 400 * MiB
/**
 * And grows by less than this over a second wave of 5,000 new ids. Actors for them would cost
 * about 150 MiB (measured without the allow-list: 10,000 actors, 146 -> 455 MiB); the steady
 * load's own heap growth and GC timing moved the figure by up to 45 MiB on a busy machine.
 */
const RSS_GROWTH_BOUND = 80 * MiB

/** A service on its own database and Kafka topics, with `env` on top. */
async function startService(env: Record<string, string>) {
  const prefix = uniqueName('hid')
  const databaseUrl = await createTestDatabase()
  const kafka = { brokers: services().kafkaBrokers, topicPrefix: uniqueName('hid') }
  const service = await ServiceProcess.start({
    DATABASE_URL: databaseUrl,
    MQTT_URL: services().mqttUrl,
    MQTT_TOPIC_PREFIX: prefix,
    MQTT_CLIENT_ID: uniqueName('ms-hid-'),
    KAFKA_BROKERS: kafka.brokers,
    KAFKA_TOPIC_PREFIX: kafka.topicPrefix,
    LOG_LEVEL: 'error',
    ...env,
  })
  return { service, prefix, databaseUrl, kafka }
}

/** Dead letters whose reason contains `text`. */
async function lettersSaying(databaseUrl: string, text: string): Promise<number> {
  const rows = await queryOnce<{ n: number }>(
    databaseUrl,
    `SELECT count(*)::int AS n FROM dead_letters WHERE strpos(reason, $1) > 0`,
    [text],
  )
  return rows[0]?.n ?? 0
}

/** Waits for `count` dead letters saying `text`; returns how many there are then. */
async function lettersStored(databaseUrl: string, text: string, count: number): Promise<number> {
  await waitFor(
    `${count} dead letters saying ${text}`,
    async () => ((await lettersSaying(databaseUrl, text)) >= count ? true : undefined),
    30_000,
  ).catch(() => undefined)
  return lettersSaying(databaseUrl, text)
}

/** One sample's value from the service's /metrics, 0 when absent. */
async function metric(service: ServiceProcess, sample: string): Promise<number> {
  const text = await (await fetch(`${service.url}/metrics`)).text()
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `))
  return line === undefined ? 0 : Number(line.slice(sample.length + 1))
}

/** Publishes in batches, so the publisher's own memory stays small. */
async function publishInBatches(
  publisher: TestPublisher,
  count: number,
  message: (i: number) => { topic: string; payload: string | Buffer },
): Promise<void> {
  for (let from = 0; from < count; from += 500)
    await publisher.publishAll(
      Array.from({ length: Math.min(500, count - from) }, (_, i) => message(from + i)),
    )
}

/**
 * Runs `attack` while the steady load of 50 machines flows, then checks what every hostile
 * test checks: every valid message applied once and on Kafka, /readyz within 10 s, RSS bounded.
 * The attack runs twice: memory is compared between the end of the first and of the second,
 * so the comparison sees what the ids cost, not the heap's growth to its working size.
 */
async function underLoad(
  started: Awaited<ReturnType<typeof startService>>,
  attack: (publisher: TestPublisher, wave: number) => Promise<void>,
): Promise<{ rssBefore: number; rssAfter: number }> {
  const { service, prefix, databaseUrl, kafka } = started
  const load = await SteadyLoad.start({ mqttUrl: services().mqttUrl, prefix })
  const publisher = await TestPublisher.connect(services().mqttUrl, uniqueName('hostile-'))
  try {
    await attack(publisher, 0)
    const rssBefore = service.rssBytes()
    await attack(publisher, 1)
    const result = await load.stop()
    await expectReadyWithin(service.url, 10_000)
    await expectAllApplied({ databaseUrl, load: result, kafka })
    const rssAfter = service.rssBytes()
    expect(rssAfter).toBeLessThan(RSS_BOUND)
    expect(rssAfter - rssBefore).toBeLessThan(RSS_GROWTH_BOUND)
    return { rssBefore, rssAfter }
  } finally {
    await publisher.close()
    await load.stop()
  }
}

const LOAD_MACHINES = Array.from({ length: 50 }, (_, i) => String(i + 1)).join(',')

describe('hostile ids: the bounds hold while the plant’s data flows', () => {
  let started: Awaited<ReturnType<typeof startService>> | undefined
  afterEach(async () => {
    await started?.service.kill('SIGTERM')
    started = undefined
  })

  it('dead-letters 10,000 made-up machine ids with the allow-list on, spawning no actor for them', async () => {
    started = await startService({ MACHINE_ALLOW_LIST: LOAD_MACHINES })
    const { service, prefix, databaseUrl } = started
    const rss = await underLoad(started, async (publisher, wave) => {
      await publishInBatches(publisher, 5000, (i) => ({
        topic: `${prefix}/machines/intruder-${wave * 5000 + i}/production`,
        payload: JSON.stringify({ timeOfProduction: 1_702_166_400_000, order: 1, partId: 1 }),
      }))
      await lettersStored(databaseUrl, 'is not in MACHINE_ALLOW_LIST', (wave + 1) * 5000)
    })
    expect(await lettersSaying(databaseUrl, 'is not in MACHINE_ALLOW_LIST')).toBe(10_000)
    expect(
      await metric(service, 'millstream_bound_reached_total{bound="machine-allow-list"}'),
    ).toBe(10_000)
    expect(await metric(service, 'millstream_live_actors{kind="machines"}')).toBeLessThanOrEqual(50)
    const rows = await queryOnce<{ n: number }>(
      databaseUrl,
      `SELECT count(*)::int AS n FROM machine_state WHERE machine_id LIKE 'intruder-%'`,
    )
    expect(rows[0]?.n).toBe(0)
    process.stdout.write(`allow-list: RSS ${mb(rss.rssBefore)} -> ${mb(rss.rssAfter)} MiB\n`)
  }, 90_000)

  it('holds at SPARKPLUG_MAX_EDGE_NODES against 1,000 edge nodes born at once', async () => {
    const group = uniqueName('hsg')
    started = await startService({
      SPARKPLUG_GROUPS: group,
      SPARKPLUG_HOST_ID: uniqueName('host-'),
      SPARKPLUG_MAX_EDGE_NODES: '100',
    })
    const { service, databaseUrl } = started
    const birth = Buffer.from(
      codec.encodePayload({
        timestamp: Date.now(),
        seq: 0,
        metrics: [
          { name: 'bdSeq', type: 'UInt64', value: 0 },
          { name: 'Line/Speed', type: 'Double', value: 1.5 },
        ],
      }),
    )
    const rss = await underLoad(started, async (publisher, wave) => {
      await publishInBatches(publisher, 500, (i) => ({
        topic: `spBv1.0/${group}/NBIRTH/node-${wave * 500 + i}`,
        payload: birth,
      }))
      await lettersStored(databaseUrl, 'SPARKPLUG_MAX_EDGE_NODES (100)', 400 + wave * 500)
    })
    const refused = await lettersSaying(databaseUrl, 'SPARKPLUG_MAX_EDGE_NODES (100)')
    expect(refused).toBe(900)
    expect(
      await metric(service, 'millstream_bound_reached_total{bound="sparkplug-edge-nodes"}'),
    ).toBe(900)
    expect(await metric(service, 'millstream_sparkplug_edge_nodes_online')).toBe(100)
    process.stdout.write(`edge nodes: RSS ${mb(rss.rssBefore)} -> ${mb(rss.rssAfter)} MiB\n`)
  }, 90_000)

  it('keeps at most MAX_METRICS_PER_MACHINE names on a machine sent 10,000', async () => {
    started = await startService({})
    const { service, prefix, databaseUrl } = started
    // Machine 7 is one of the load's: its production must flow beside the refused readings.
    const reading = (i: number) => ({
      topic: `${prefix}/machines/7/telemetry`,
      payload: JSON.stringify({
        at: 1_702_166_400_000 + i,
        metrics: Object.fromEntries(Array.from({ length: 200 }, (_, j) => [`m${i * 200 + j}`, j])),
      }),
    })
    await underLoad(started, async (publisher, wave) => {
      await publishInBatches(publisher, 25, (i) => reading(wave * 25 + i))
      await lettersStored(databaseUrl, 'over MAX_METRICS_PER_MACHINE (200)', 24 + wave * 25)
    })
    expect(await lettersSaying(databaseUrl, 'over MAX_METRICS_PER_MACHINE (200)')).toBe(49)
    expect(
      await metric(service, 'millstream_bound_reached_total{bound="metrics-per-machine"}'),
    ).toBe(49)
    const machine = await service.get<{ metrics: Record<string, number> }>('/api/v1/machines/7')
    expect(Object.keys(machine.body.metrics)).toHaveLength(200)
    // The series follower reads committed events only, so it keys rollups by the kept names.
    const names = async () =>
      (
        await queryOnce<{ n: number }>(
          databaseUrl,
          `SELECT count(*)::int AS n FROM series_metric_names WHERE machine_id = '7'`,
        )
      )[0]?.n ?? 0
    await waitFor('the series to name the kept metrics', async () =>
      (await names()) >= 200 ? true : undefined,
    )
    expect(await names()).toBe(200)
  }, 90_000)
})

const mb = (bytes: number) => Math.round(bytes / MiB)
