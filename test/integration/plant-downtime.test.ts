import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import mqtt, { type MqttClient } from 'mqtt'
import { ServiceProcess } from '../../harness/service-process'
import { kpisOf, machineFigures } from '../../src/domain/plant-kpis'
import {
  createTestDatabase,
  queryOnce,
  services,
  uniqueName,
  waitFor,
} from '../../harness/services'

const T0 = Date.parse('2026-12-08T06:00:00Z')
const MIN = 60_000

type Message = { topic: string; body: object }

/**
 * press-1 in simulated time: running at 0; ten parts in minutes 1-10 (the fifth scrapped);
 * down for BRK 20-35; idle 50-51; down again from 60, still open. lathe-1 no line places.
 */
function script(prefix: string): Message[] {
  const status = (id: string, at: number, state: string, reason?: string) => ({
    topic: `${prefix}/machines/${id}/status`,
    body: { state, at: new Date(T0 + at * MIN).toISOString(), ...(reason ? { reason } : {}) },
  })
  const part = (n: number) => ({
    topic: `${prefix}/machines/press-1/production`,
    body: {
      timeOfProduction: new Date(T0 + n * MIN + 5000).toISOString(),
      order: 1,
      partId: 1,
      var5: n === 5,
      messageId: `p-${n}`,
    },
  })
  return [
    { topic: `${prefix}/parts/1/info`, body: { defaultPrice: 1, timeToProduce: 30 } },
    status('press-1', 0, 'running'),
    ...Array.from({ length: 10 }, (_, i) => part(i + 1)),
    status('lathe-1', 5, 'down'),
    status('press-1', 20, 'down', 'BRK'),
    status('press-1', 35, 'running'),
    status('press-1', 50, 'idle'),
    status('press-1', 51, 'running'),
    status('press-1', 60, 'down'),
  ]
}

describe('downtime records from the committed log', () => {
  let dir: string
  let client: MqttClient

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'plant-downtime-'))
    client = await mqtt.connectAsync(services().mqttUrl, { clientId: uniqueName('dt-pub-') })
  })
  afterAll(async () => {
    await client.endAsync()
    await rm(dir, { recursive: true, force: true })
  })

  it('keeps one record per stop and every part once, across a SIGKILL of the service', async () => {
    const file = join(dir, 'plant.json')
    await writeFile(
      file,
      JSON.stringify({
        reasons: [{ code: 'BRK', name: 'Breakdown', category: 'breakdown' }],
        sites: [
          {
            id: 's',
            name: 'S',
            areas: [
              {
                id: 'a',
                name: 'A',
                lines: [{ id: 'presses', name: 'Presses', machines: [{ pattern: 'press-*' }] }],
              },
            ],
          },
        ],
      }),
    )
    const databaseUrl = await createTestDatabase()
    const prefix = uniqueName('dt')
    const service = await ServiceProcess.start({
      DATABASE_URL: databaseUrl,
      MQTT_URL: services().mqttUrl,
      MQTT_TOPIC_PREFIX: prefix,
      MQTT_CLIENT_ID: uniqueName('ms-dt-'),
      SPARKPLUG: 'false',
      PLANT_MODEL_FILE: file,
      API_KEYS: 'supervisor:command:sup-3f9a2c71',
      LOG_LEVEL: 'warn',
    })
    const messages = script(prefix)
    const publish = async (batch: Message[]) => {
      for (const m of batch) await client.publishAsync(m.topic, JSON.stringify(m.body), { qos: 1 })
    }
    const records = () =>
      queryOnce<{
        id: string
        line_id: string
        state: string
        started: string
        ended: string | null
        reason_code: string | null
      }>(
        databaseUrl,
        `SELECT id, line_id, state, ts_to_ms(started_at)::text AS started, ts_to_ms(ended_at)::text AS ended, reason_code
           FROM downtime_records ORDER BY started_at`,
      )
    try {
      // The part's ideal cycle first, known to the machines before any part is made.
      await publish(messages.slice(0, 1))
      await waitFor(
        'the part known',
        async () => ((await service.get('/api/v1/parts/1')).status === 200 ? true : undefined),
        10_000,
      )
      // Up to the breakdown's end, then a SIGKILL once the follower has applied some of it.
      await publish(messages.slice(1, 15))
      await waitFor(
        'the breakdown recorded',
        async () => ((await records()).length >= 1 ? true : undefined),
        20_000,
      )
      await service.kill('SIGKILL')
      await publish(messages.slice(15))
      await service.restart()
      await waitFor(
        'the last stop recorded',
        async () => ((await records()).length === 3 ? true : undefined),
        20_000,
      )
      const at = (m: number | null) => (m === null ? null : String(T0 + m * MIN))
      expect(
        (await records()).map((r) => [r.line_id, r.state, r.started, r.ended, r.reason_code]),
      ).toEqual([
        ['presses', 'down', at(20), at(35), 'BRK'],
        ['presses', 'idle', at(50), at(51), null],
        ['presses', 'down', at(60), null, null],
      ])
      // The API serves them, any instance, with the catalogue's names and categories.
      const api = await service.get<{ items: Record<string, unknown>[] }>(
        `/api/v1/downtime?line=presses&from=${T0}&to=${T0 + 120 * MIN}`,
      )
      expect(api.body.items.map((i) => [i.state, i.reasonName, i.category, i.durationMs])).toEqual([
        ['down', 'Breakdown', 'breakdown', 15 * MIN],
        ['idle', null, 'small-stop', MIN],
        ['down', null, 'unqualified', expect.any(Number)],
      ])
      const open = await service.get<{ items: { id: string }[] }>(
        `/api/v1/downtime?machine=press-1&from=${T0}&to=${T0 + 120 * MIN}&status=open`,
      )
      expect(open.body.items).toHaveLength(1)
      const [parts] = await queryOnce<{
        produced: string
        good: string
        ideal: number
        scrap: number
        minutes: string
      }>(
        databaseUrl,
        `SELECT sum(produced)::text AS produced, sum(good)::text AS good, sum(ideal_ms) AS ideal,
                sum(scrap_ideal_ms) AS scrap, count(*)::text AS minutes
           FROM plant_part_minutes WHERE line_id = 'presses' AND machine_id = 'press-1'`,
      )
      expect(parts).toEqual({
        produced: '10',
        good: '9',
        ideal: 300_000,
        scrap: 30_000,
        minutes: '10',
      })
      // The KPIs served equal the pure computation over the same rows (the first hour, before
      // the open stop; the line has no calendar, so all of it is planned).
      const hour = { from: T0, to: T0 + 60 * MIN }
      const kpis = await service.get<Record<string, unknown>>(
        `/api/v1/kpis?scope=line&id=presses&from=${hour.from}&to=${hour.to}`,
      )
      const minutes = await queryOnce<{
        minute: string
        produced: string
        good: string
        ideal_ms: number
        scrap_ideal_ms: number
      }>(
        databaseUrl,
        `SELECT ts_to_ms(bucket)::text AS minute, produced::text, good::text, ideal_ms, scrap_ideal_ms
           FROM plant_part_minutes WHERE machine_id = 'press-1' ORDER BY bucket`,
      )
      const rows = (await records()).filter((r) => Number(r.started) < hour.to)
      const pure = kpisOf(
        machineFigures(
          {
            machineId: 'press-1',
            planned: [hour],
            stops: rows.map((r) => ({
              startedAt: Number(r.started),
              endedAt: r.ended === null ? null : Number(r.ended),
              reasonCode: r.reason_code,
              category: r.reason_code === 'BRK' ? 'breakdown' : 'unqualified',
            })),
            minutes: minutes.map((m) => ({
              minute: Number(m.minute),
              produced: Number(m.produced),
              good: Number(m.good),
              idealMs: m.ideal_ms,
              scrapIdealMs: m.scrap_ideal_ms,
            })),
          },
          hour,
          { microStopMs: 120_000, startupMs: 600_000, now: Date.now() },
        ),
      )
      expect(kpis.status).toBe(200)
      expect(kpis.body).toMatchObject({
        ...pure,
        downtimeByReason: pure.downtimeByReason.map((b) => ({
          ...b,
          name: b.code === 'BRK' ? 'Breakdown' : null,
        })),
        constraint: 'press-1',
      })
      // A supervisor classifies the open stop: an event in the log, applied by the follower.
      const open60 = (await records()).find((r) => r.ended === null)
      const classify = (id: string, reasonCode: string) =>
        fetch(`${service.url}/api/v1/downtime/${id}/classify`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: 'Bearer sup-3f9a2c71',
          },
          body: JSON.stringify({ reasonCode }),
        })
      expect((await classify(open60?.id ?? '', 'BRK')).status).toBe(202)
      expect((await classify('999999-1', 'BRK')).status).toBe(404)
      expect((await classify(open60?.id ?? '', 'NOPE')).status).toBe(409)
      const classified = await waitFor(
        'the classification applied',
        async () => {
          const [row] = await queryOnce<{ reason_code: string; classified_by: string }>(
            databaseUrl,
            `SELECT reason_code, classified_by FROM downtime_records WHERE id = '${open60?.id ?? ''}' AND classified_by IS NOT NULL`,
          )
          return row
        },
        20_000,
      )
      expect(classified).toEqual({ reason_code: 'BRK', classified_by: 'supervisor' })
      const events = await queryOnce<{ entity_id: string; sequence: string; type: string }>(
        databaseUrl,
        `SELECT entity_id, sequence::text, type FROM event_log WHERE entity_type = 'downtime'`,
      )
      expect(events).toEqual([{ entity_id: open60?.id, sequence: '1', type: 'DowntimeClassified' }])
      // Hand-worked: 60 min planned, the breakdown 15 min and an idle minute (a small stop).
      expect(pure).toMatchObject({
        plannedBusyMs: 60 * MIN,
        downtimeMs: 16 * MIN,
        produced: 10,
        failures: 1,
      })
    } finally {
      await service.kill('SIGTERM')
    }
  })
})
