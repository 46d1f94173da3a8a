import path from 'node:path'
import { readTopic } from '../support/kafka-reader'
import { TestPublisher } from '../../harness/mqtt-publisher'
import { ServiceProcess } from '../../harness/service-process'
import {
  createTestDatabase,
  queryOnce,
  services,
  uniqueName,
  waitFor,
} from '../../harness/services'
import { shift } from '../support/shift'
import { runLogged } from '../../harness/logged-run'

const CLI = path.resolve(__dirname, '../../dist/cli.js')

const TABLES = {
  machine_state: `SELECT machine_id, sequence, state, state_since, last_seen_at, produced, scrapped, last_order, last_part_id,
                         last_produced_at, metrics, metrics_at, availability, performance, quality, oee, alerts
                    FROM machine_state ORDER BY machine_id`,
  part_state: `SELECT part_id, sequence, default_price, time_to_produce, materials, info_updated_at, produced, scrapped
                 FROM part_state ORDER BY part_id`,
  material_state:
    'SELECT material_id, sequence, name, price, price_date FROM material_state ORDER BY material_id',
}

async function stateTables(databaseUrl: string): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {}
  for (const [table, sql] of Object.entries(TABLES)) out[table] = await queryOnce(databaseUrl, sql)
  return out
}

describe('replay', () => {
  it('rebuilds state tables from Kafka equal to the live ones, row for row, and re-publishes the log', async () => {
    const databaseUrl = await createTestDatabase()
    const mqttPrefix = uniqueName('rp')
    const env = {
      DATABASE_URL: databaseUrl,
      MQTT_URL: services().mqttUrl,
      KAFKA_BROKERS: services().kafkaBrokers,
      MQTT_TOPIC_PREFIX: mqttPrefix,
      MQTT_CLIENT_ID: uniqueName('ms-rp-'),
      KAFKA_TOPIC_PREFIX: uniqueName('ms-rp-'),
      SCRAP_RATE_MIN_PARTS: '10',
    }
    const service = await ServiceProcess.start(env)
    const publisher = await TestPublisher.connect(services().mqttUrl, uniqueName('pub-'))
    const batches = shift(mqttPrefix)
    const total = batches.flat().length
    try {
      for (const batch of batches) await publisher.publishAll(batch)
      await waitFor('every input committed', async () => {
        const [row] = await queryOnce<{ n: number }>(
          databaseUrl,
          'SELECT count(*)::int AS n FROM committed_inputs',
        )
        return row?.n === total ? true : undefined
      })
      await waitFor('the relay caught up', async () => {
        const { body } = await service.get<{ checks: { relayLag?: { detail: unknown } } }>(
          '/readyz',
        )
        return body.checks.relayLag?.detail === 0 ? true : undefined
      })
    } finally {
      await publisher.close()
      await service.kill('SIGTERM')
    }
    const live = await stateTables(databaseUrl)
    expect((live.machine_state as unknown[]).length).toBe(1)
    expect((live.part_state as unknown[]).length).toBe(1)
    expect((live.material_state as unknown[]).length).toBe(2)

    const run = (args: string[]) =>
      runLogged(process.execPath, [CLI, 'replay', ...args], {
        env: { PATH: process.env.PATH ?? '', ...env, LOG_LEVEL: 'warn' },
        timeout: 120_000,
        label: 'cli-replay',
      })
    await queryOnce(databaseUrl, 'UPDATE machine_state SET produced = 0; DELETE FROM part_state')
    await run(['rebuild', '--from', 'kafka'])
    expect(await stateTables(databaseUrl)).toEqual(live)

    await queryOnce(databaseUrl, 'TRUNCATE machine_state, part_state, material_state')
    await run(['rebuild', '--from', 'log'])
    expect(await stateTables(databaseUrl)).toEqual(live)

    // Re-publish the whole log under another prefix; a second run resumes and sends nothing new.
    const copyPrefix = uniqueName('ms-copy-')
    await run(['publish', '--topic-prefix', copyPrefix])
    await run(['publish', '--topic-prefix', copyPrefix])
    const [produced] = await queryOnce<{ n: number }>(
      databaseUrl,
      "SELECT count(*)::int AS n FROM event_log WHERE type = 'PartProduced'",
    )
    const copied = await readTopic(
      services().kafkaBrokers,
      `${copyPrefix}.production`,
      produced?.n ?? 0,
      60_000,
    )
    expect(copied).toHaveLength(produced?.n ?? -1)
  })
})
