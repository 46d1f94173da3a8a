import { createHash } from 'node:crypto'
import path from 'node:path'
import { Kafka, logLevel } from 'kafkajs'
import { TestPublisher } from '../../harness/mqtt-publisher'
import { ServiceProcess } from '../../harness/service-process'
import {
  createTestDatabase,
  queryOnce,
  services,
  uniqueName,
  waitFor,
} from '../../harness/services'
import { expectLoadSurvived, SteadyLoad } from '../../harness/steady-load'
import { readTopic } from '../support/kafka-reader'
import { runLogged } from '../../harness/logged-run'

/** What the service may hold in memory through either attack (measured: 158 and 165 MB). */
const RSS_BOUND_BYTES = 300 * 1024 * 1024
const API_KEY = 'poison-key'
const CLI = path.resolve(__dirname, '../../dist/cli.js')

type ReadyReport = { status: string; checks: Record<string, { ok: boolean; detail?: unknown }> }

async function startService(kafkaPrefix: string, extra: Record<string, string> = {}) {
  const databaseUrl = await createTestDatabase()
  const mqttPrefix = uniqueName('poison')
  const service = await ServiceProcess.start({
    DATABASE_URL: databaseUrl,
    MQTT_URL: services().mqttUrl,
    MQTT_TOPIC_PREFIX: mqttPrefix,
    MQTT_CLIENT_ID: uniqueName('ms-poison-'),
    KAFKA_BROKERS: services().kafkaBrokers,
    KAFKA_TOPIC_PREFIX: kafkaPrefix,
    API_KEYS: API_KEY,
    LOG_LEVEL: 'warn',
    ...extra,
  })
  return { databaseUrl, mqttPrefix, service }
}

/**
 * Runs `attack` against a service of its own while a steady load flows from 50 machines, with
 * a publisher for the attacker; stops all three whatever the attack's outcome.
 */
async function underAttack(
  kafkaPrefix: string,
  extra: Record<string, string>,
  attack: (
    run: Awaited<ReturnType<typeof startService>> & { load: SteadyLoad; attacker: TestPublisher },
  ) => Promise<void>,
): Promise<void> {
  const started = await startService(kafkaPrefix, extra)
  const load = await SteadyLoad.start({ mqttUrl: services().mqttUrl, prefix: started.mqttPrefix })
  const attacker = await TestPublisher.connect(services().mqttUrl, uniqueName('attacker-'))
  try {
    await attack({ ...started, load, attacker })
  } finally {
    await attacker.close()
    await load.stop()
    await started.service.kill('SIGTERM')
  }
}

async function withAdmin<T>(use: (admin: ReturnType<Kafka['admin']>) => Promise<T>): Promise<T> {
  const kafka = new Kafka({
    clientId: 'poison-test',
    brokers: services().kafkaBrokers.split(','),
    logLevel: logLevel.NOTHING,
  })
  const admin = kafka.admin()
  await admin.connect()
  try {
    return await use(admin)
  } finally {
    await admin.disconnect()
  }
}

describe('poison records while a steady load of 50 machines flows', () => {
  it('dead-letters oversize messages with a bounded payload, and Kafka output never stops', async () => {
    const kafkaPrefix = uniqueName('ms-poison-a-')
    await underAttack(
      kafkaPrefix,
      {},
      async ({ databaseUrl, mqttPrefix, service, load, attacker }) => {
        // Three 700 KB reports on one machine of the load (under Mosquitto's 1 MiB packets).
        const oversize = [1, 2, 3].map((n) =>
          Buffer.from(
            JSON.stringify({
              timeOfProduction: Date.now(),
              order: n,
              partId: 1,
              var2: `${n}`.repeat(700_000),
            }),
          ),
        )
        const topic = `${mqttPrefix}/machines/7/production`
        await attacker.publishAll(oversize.map((payload) => ({ topic, payload })))
        // Kafka output keeps flowing while the letters are made.
        await waitFor('the relay connected through the attack', async () => {
          const { body } = await service.get<ReadyReport>('/readyz')
          return body.checks.kafka?.ok ? true : undefined
        })
        await expectLoadSurvived(load, {
          databaseUrl,
          serviceUrl: service.url,
          kafka: { brokers: services().kafkaBrokers, topicPrefix: kafkaPrefix },
        })

        const page = await service.get<{
          items: {
            id: number
            source: string
            reason: string
            payloadSize: number
            payloadSha256: string
            payloadTruncated: boolean
          }[]
        }>('/api/v1/dead-letters')
        const letters = page.body.items.filter((l) => l.source === topic)
        expect(letters.map((l) => [l.payloadSize, l.payloadSha256, l.payloadTruncated])).toEqual(
          oversize.map((p) => [p.length, createHash('sha256').update(p).digest('hex'), true]),
        )
        expect(letters[0]?.reason).toMatch(/too large/)
        const kept = await fetch(`${service.url}/api/v1/dead-letters/${letters[0]?.id}/payload`)
        expect(Buffer.from(await kept.arrayBuffer())).toEqual(oversize[0]?.subarray(0, 4096))

        const onKafka = await readTopic(services().kafkaBrokers, `${kafkaPrefix}.deadletter`, 3)
        const records = onKafka.filter((r) => r.key === topic)
        expect(records).toHaveLength(3)
        for (const r of records) {
          expect((r.value.payload as Buffer).length).toBe(4096)
          expect(r.value).toMatchObject({
            payloadSize: oversize[0]?.length,
            payloadTruncated: true,
          })
        }
        expect(service.rssBytes()).toBeLessThan(RSS_BOUND_BYTES)
      },
    )
  }, 90_000)

  it('in cluster mode, dead-letters at the bridge a message too large for the ingest topic and goes on', async () => {
    const kafkaPrefix = uniqueName('ms-poison-c-')
    await underAttack(
      kafkaPrefix,
      {
        ROLES: 'ingest,process',
        INGEST_PARTITIONS: '6',
      },
      async ({ databaseUrl, mqttPrefix, service, load, attacker }) => {
        // Just under Mosquitto's 1 MiB packets, over Kafka's default 1 MB record batches.
        const huge = Buffer.alloc(1_040_000, 'x')
        const topic = `${mqttPrefix}/machines/9/production`
        await attacker.publishAll(
          [1, 2].map((n) => ({ topic, payload: Buffer.concat([Buffer.from(`${n}`), huge]) })),
        )
        await expectLoadSurvived(load, {
          databaseUrl,
          serviceUrl: service.url,
          kafka: { brokers: services().kafkaBrokers, topicPrefix: kafkaPrefix },
        })
        // No http role here: the letters as stored.
        const letters = await queryOnce<{ reason: string; size: number; kept: number }>(
          databaseUrl,
          `SELECT reason, payload_size::int AS size, octet_length(payload) AS kept
           FROM dead_letters WHERE source = $1 ORDER BY id`,
          [topic],
        )
        expect(letters).toEqual(
          [1, 2].map(() => ({
            reason: expect.stringMatching(/too large for the ingest topic/),
            size: 1_040_001,
            kept: 4096,
          })),
        )
        expect(service.rssBytes()).toBeLessThan(RSS_BOUND_BYTES)
      },
    )
  }, 90_000)

  it('parks a record Kafka refuses for good, publishes the rest, and republishes it on command', async () => {
    const kafkaPrefix = uniqueName('ms-poison-b-')
    // A production topic that takes 4 KB record batches at most.
    await withAdmin((admin) =>
      admin.createTopics({
        waitForLeaders: true,
        topics: [
          {
            topic: `${kafkaPrefix}.production`,
            numPartitions: 6,
            replicationFactor: 1,
            configEntries: [{ name: 'max.message.bytes', value: '4096' }],
          },
        ],
      }),
    )
    await underAttack(
      kafkaPrefix,
      {
        KAFKA_MAX_MESSAGE_BYTES: '4096',
      },
      async ({ databaseUrl, mqttPrefix, service, load, attacker }) => {
        // A valid report whose event (two 1024-character texts of 3-byte characters) is ~6 KB.
        await attacker.publishAll([
          {
            topic: `${mqttPrefix}/machines/poison/production`,
            payload: JSON.stringify({
              timeOfProduction: Date.now(),
              order: 1,
              partId: 1,
              var2: '€'.repeat(1024),
              var3: '€'.repeat(1024),
              messageId: 'the-poison',
            }),
          },
        ])
        const parked = await waitFor('the record parked', async () => {
          const { body } = await service.get<{
            items: { id: number; key: string; type: string; code: string; reason: string }[]
          }>('/api/v1/parked-records')
          return body.items.length > 0 ? body.items : undefined
        })
        expect(parked).toEqual([
          expect.objectContaining({
            key: 'poison',
            type: 'PartProduced',
            code: 'MESSAGE_TOO_LARGE',
          }),
        ])
        const listed = await runLogged(process.execPath, [CLI, 'parked', 'list'], {
          env: {
            PATH: process.env.PATH,
            DATABASE_URL: databaseUrl,
            KAFKA_TOPIC_PREFIX: kafkaPrefix,
          },
          label: 'cli-parked-list',
        })
        expect(listed.stdout).toMatch(
          /^\d+\tPartProduced\tpoison\t\S+\tMESSAGE_TOO_LARGE\tparked$/m,
        )
        // The load keeps flowing past it (checked on Kafka below).
        const result = await expectLoadSurvived(load, {
          databaseUrl,
          serviceUrl: service.url,
          kafka: { brokers: services().kafkaBrokers, topicPrefix: kafkaPrefix },
        })
        const ready = await service.get<ReadyReport>('/readyz')
        expect(ready.status).toBe(200)
        expect(String(ready.body.checks.parkedRecords?.detail)).toMatch(
          /^1 parked .*PartProduced .* of poison: MESSAGE_TOO_LARGE/,
        )
        const metrics = await (await fetch(`${service.url}/metrics`)).text()
        expect(metrics).toMatch(/^millstream_relay_parked_records 1$/m)

        // The operator raises the topic's limit, then asks for the republish.
        await withAdmin((admin) =>
          admin.alterConfigs({
            validateOnly: false,
            resources: [
              {
                type: 2, // TOPIC
                name: `${kafkaPrefix}.production`,
                configEntries: [{ name: 'max.message.bytes', value: '1048588' }],
              },
            ],
          }),
        )
        const unauthorised = await fetch(`${service.url}/api/v1/parked-records/republish`, {
          method: 'POST',
        })
        expect(unauthorised.status).toBe(401)
        const asked = await fetch(
          `${service.url}/api/v1/parked-records/${parked[0]?.id}/republish`,
          {
            method: 'POST',
            headers: { authorization: `Bearer ${API_KEY}` },
          },
        )
        expect(asked.status).toBe(202)
        const late = await waitFor('the record on Kafka', async () => {
          const records = await readTopic(
            services().kafkaBrokers,
            `${kafkaPrefix}.production`,
            result.sent + 1,
            5000,
          )
          return records.find((r) => r.key === 'poison')
        })
        expect(late.headers).toMatchObject({
          'republished-out-of-order': 'true',
          'parked-at': expect.stringMatching(/^\d{4}-/),
          'event-type': 'PartProduced',
        })
        expect(late.value).toMatchObject({ key: 'poison', var2: '€'.repeat(1024) })
        await waitFor('the parked count back to 0', async () => {
          const text = await (await fetch(`${service.url}/metrics`)).text()
          return /^millstream_relay_parked_records 0$/m.test(text) ? true : undefined
        })
        expect(service.rssBytes()).toBeLessThan(RSS_BOUND_BYTES)
      },
    )
  }, 120_000)
})
